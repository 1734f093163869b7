//! Reading a byte string field by field while remembering where each field lies, so the
//! inspector can highlight a field's bytes.

use serde::Serialize;

/// One decoded field: its name, its byte range in the datagram (or in the decrypted
/// plaintext, for fields inside an encrypted record), a readable value and, for
/// structures, the fields inside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    /// What the field is ("cipher_suites", "random", …).
    pub name: String,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The value for people ("DTLS 1.2 (0xfefd)", "32 bytes", …).
    pub value: String,
    /// The fields inside a structure.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Field>,
}

impl Field {
    /// A field without children.
    pub fn leaf(name: &str, start: usize, end: usize, value: String) -> Field {
        Field {
            name: name.to_owned(),
            start,
            end,
            value,
            children: Vec::new(),
        }
    }
}

/// A cursor over `bytes` whose offsets are reported relative to `base`, collecting
/// fields as it goes. Reading past the end records a "truncated" field and yields
/// nothing more, so a malformed datagram is shown as far as it goes.
pub struct Walker<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
    fields: Vec<Field>,
    truncated: bool,
}

impl<'a> Walker<'a> {
    /// A walker over `bytes`, which start at offset `base` of what is shown.
    pub fn new(bytes: &'a [u8], base: usize) -> Walker<'a> {
        Walker {
            bytes,
            pos: 0,
            base,
            fields: Vec::new(),
            truncated: false,
        }
    }

    /// Takes the next `n` bytes without recording a field.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.truncated {
            return None;
        }
        match self
            .pos
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.pos..end))
        {
            Some(slice) => {
                self.pos += n;
                Some(slice)
            }
            None => {
                let start = self.offset();
                self.fields.push(Field::leaf(
                    "truncated",
                    start,
                    self.base + self.bytes.len(),
                    format!("{n} bytes expected, {} left", self.remaining()),
                ));
                self.pos = self.bytes.len();
                self.truncated = true;
                None
            }
        }
    }

    /// Records the next `n` bytes as a field whose value `describe` gives.
    pub fn field(
        &mut self,
        name: &str,
        n: usize,
        describe: impl FnOnce(&[u8]) -> String,
    ) -> Option<&'a [u8]> {
        let start = self.offset();
        let bytes = self.take(n)?;
        self.fields
            .push(Field::leaf(name, start, self.offset(), describe(bytes)));
        Some(bytes)
    }

    /// Records a big-endian number of `n` bytes (1 to 8) and returns it.
    pub fn number(
        &mut self,
        name: &str,
        n: usize,
        describe: impl FnOnce(u64) -> String,
    ) -> Option<u64> {
        let start = self.offset();
        let value = be(self.take(n)?);
        self.fields
            .push(Field::leaf(name, start, self.offset(), describe(value)));
        Some(value)
    }

    /// Records a vector with a `len_bytes`-byte length prefix as one field (prefix
    /// included) whose children `inner` produces from a walker over the contents.
    pub fn vector(
        &mut self,
        name: &str,
        len_bytes: usize,
        inner: impl FnOnce(&mut Walker<'a>) -> String,
    ) -> Option<&'a [u8]> {
        let start = self.offset();
        let len = usize::try_from(be(self.take(len_bytes)?)).ok()?;
        self.contents(name, start, len, inner)
    }

    /// Records the next `n` bytes as a structure whose fields `inner` reads.
    pub fn sized(
        &mut self,
        name: &str,
        n: usize,
        inner: impl FnOnce(&mut Walker<'a>) -> String,
    ) -> Option<&'a [u8]> {
        let start = self.offset();
        self.contents(name, start, n, inner)
    }

    /// Takes the next `n` bytes as the contents of a field that began at `start`; its
    /// children are what `inner` reads from them, and whatever it leaves is "unparsed".
    fn contents(
        &mut self,
        name: &str,
        start: usize,
        n: usize,
        inner: impl FnOnce(&mut Walker<'a>) -> String,
    ) -> Option<&'a [u8]> {
        let contents_at = self.offset();
        let contents = self.take(n)?;
        let mut walker = Walker::new(contents, contents_at);
        let value = inner(&mut walker);
        walker.rest("unparsed");
        self.fields.push(Field {
            name: name.to_owned(),
            start,
            end: self.offset(),
            value,
            children: walker.finish(),
        });
        Some(contents)
    }

    /// Records a structure: `inner` reads its fields from a walker over the bytes left
    /// and returns the structure's value; the structure spans what `inner` read.
    pub fn group(&mut self, name: &str, inner: impl FnOnce(&mut Walker<'a>) -> String) {
        let start = self.offset();
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let mut walker = Walker::new(rest, start);
        let value = inner(&mut walker);
        self.pos += walker.pos;
        self.truncated |= walker.truncated;
        self.fields.push(Field {
            name: name.to_owned(),
            start,
            end: self.offset(),
            value,
            children: walker.finish(),
        });
    }

    /// Renames the last field recorded (for structures named after their contents).
    pub fn rename_last(&mut self, name: String) {
        if let Some(last) = self.fields.last_mut() {
            last.name = name;
        }
    }

    /// Records whatever is left as one field, if anything is.
    pub fn rest(&mut self, name: &str) {
        let n = self.remaining();
        if n > 0 {
            self.field(name, n, bytes_value);
        }
    }

    /// Takes the fields recorded so far, leaving none (one record's fields at a time).
    pub fn take_fields(&mut self) -> Vec<Field> {
        core::mem::take(&mut self.fields)
    }

    /// All the bytes this walker walks over.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The absolute offset of the next byte.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// The fields recorded.
    pub fn finish(self) -> Vec<Field> {
        self.fields
    }
}

/// A big-endian unsigned number of up to 8 bytes.
pub fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// "N bytes: 0a1b2c…" — the first bytes in hex, for long opaque values; "empty" for
/// none (the first ClientHello's cookie, a new session's session_id).
pub fn bytes_value(bytes: &[u8]) -> String {
    const SHOWN: usize = 16;
    if bytes.is_empty() {
        return "empty (0 bytes)".into();
    }
    let head = hex(bytes.get(..SHOWN).unwrap_or(bytes));
    let more = if bytes.len() > SHOWN { "…" } else { "" };
    format!("{} bytes: {head}{more}", bytes.len())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn fields_carry_absolute_offsets_and_nest() {
        let bytes = [0xfe, 0xfd, 0x00, 0x02, 0xaa, 0xbb, 0x07];
        let mut w = Walker::new(&bytes, 100);
        assert_eq!(w.number("version", 2, |v| format!("{v:#x}")), Some(0xfefd));
        w.vector("list", 2, |inner| {
            inner.field("item", 2, bytes_value);
            "one item".into()
        });
        w.rest("extra");
        let fields = w.finish();
        assert_eq!(fields[0].start, 100);
        assert_eq!(fields[0].end, 102);
        assert_eq!(fields[1].start, 102);
        assert_eq!(fields[1].end, 106);
        assert_eq!(fields[1].children[0].start, 104);
        assert_eq!(fields[1].children[0].value, "2 bytes: aabb");
        assert_eq!(fields[2].name, "extra");
        assert_eq!(fields[2].start, 106);
    }

    #[test]
    fn opaque_values_show_their_first_bytes_or_say_empty() {
        assert_eq!(bytes_value(&[]), "empty (0 bytes)");
        assert_eq!(bytes_value(&[0xab; 3]), "3 bytes: ababab");
        assert_eq!(
            bytes_value(&[0x01; 17]),
            format!("17 bytes: {}…", "01".repeat(16))
        );
    }

    #[test]
    fn reading_past_the_end_records_truncation_once() {
        let bytes = [0x00, 0x05, 0x01];
        let mut w = Walker::new(&bytes, 0);
        assert!(w.vector("list", 2, |_| String::new()).is_none());
        assert!(w.number("after", 1, |v| v.to_string()).is_none());
        let fields = w.finish();
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].name, "truncated");
        assert_eq!(fields[0].end, 3);
    }
}

//! Bounds-checked reading and writing of the big-endian wire formats of DTLS.
//!
//! Every byte the network gives us is read through [`Reader`]: it never indexes out of
//! bounds and never panics, it returns [`DecodeError`] instead. Writing appends to a
//! `Vec<u8>`; length-prefixed vectors are written with a closure so the length is
//! always computed from what was actually written.

use core::fmt;

/// Why a wire structure could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended before the structure did (a length field points past the end).
    Truncated,
    /// Bytes were left over after a structure that must fill its container exactly.
    TrailingBytes,
    /// A field holds a value the format forbids; the text names the field.
    Invalid(&'static str),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated => f.write_str("message ends before its declared length"),
            DecodeError::TrailingBytes => f.write_str("unexpected bytes after the message"),
            DecodeError::Invalid(what) => write!(f, "invalid field: {what}"),
        }
    }
}

/// A cursor over received bytes that only ever reads inside its slice.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// How many bytes are left.
    pub fn len(&self) -> usize {
        self.rest.len()
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Fails with [`DecodeError::TrailingBytes`] unless every byte has been read.
    pub fn expect_end(&self) -> Result<(), DecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }

    /// Takes the next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.rest.len() {
            return Err(DecodeError::Truncated);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    /// Takes every remaining byte.
    pub fn take_rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    /// Takes exactly `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `uint16`.
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `uint24`.
    pub fn u24(&mut self) -> Result<u32, DecodeError> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// Reads a big-endian `uint48` (the DTLS record sequence number).
    pub fn u48(&mut self) -> Result<u64, DecodeError> {
        let [a, b, c, d, e, f] = self.array()?;
        Ok(u64::from_be_bytes([0, 0, a, b, c, d, e, f]))
    }

    /// Reads a vector with a one-byte length prefix (`opaque x<0..2^8-1>`).
    pub fn vec8(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }

    /// Reads a vector with a two-byte length prefix (`opaque x<0..2^16-1>`).
    pub fn vec16(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    /// Reads a vector with a three-byte length prefix (`opaque x<0..2^24-1>`).
    pub fn vec24(&mut self) -> Result<&'a [u8], DecodeError> {
        let n = self.u24()?;
        let n = usize::try_from(n).map_err(|_| DecodeError::Truncated)?;
        self.take(n)
    }

    /// Reads a length-prefixed vector and returns a reader confined to it.
    pub fn sub8(&mut self) -> Result<Reader<'a>, DecodeError> {
        self.vec8().map(Reader::new)
    }

    /// Reads a two-byte-length-prefixed vector and returns a reader confined to it.
    pub fn sub16(&mut self) -> Result<Reader<'a>, DecodeError> {
        self.vec16().map(Reader::new)
    }

    /// Reads a three-byte-length-prefixed vector and returns a reader confined to it.
    pub fn sub24(&mut self) -> Result<Reader<'a>, DecodeError> {
        self.vec24().map(Reader::new)
    }
}

/// The big-endian `u16` values in `bytes` (a trailing odd byte is not one; callers
/// check the length first).
pub fn u16_values(bytes: &[u8]) -> impl Iterator<Item = u16> + '_ {
    bytes.chunks_exact(2).map(|pair| {
        u16::from_be_bytes([
            pair.first().copied().unwrap_or(0),
            pair.get(1).copied().unwrap_or(0),
        ])
    })
}

/// Appends a vector with a one-byte length prefix computed from what `body` writes.
///
/// Callers only write bounded structures here (their sizes are checked where they are
/// built), so a body longer than the prefix allows is a programming error; it is
/// truncated in the length field rather than panicking, and debug builds assert.
pub fn put_vec8(out: &mut Vec<u8>, body: impl FnOnce(&mut Vec<u8>)) {
    put_prefixed(out, 1, body);
}

/// Appends a vector with a two-byte length prefix computed from what `body` writes.
pub fn put_vec16(out: &mut Vec<u8>, body: impl FnOnce(&mut Vec<u8>)) {
    put_prefixed(out, 2, body);
}

/// Appends a vector with a three-byte length prefix computed from what `body` writes.
pub fn put_vec24(out: &mut Vec<u8>, body: impl FnOnce(&mut Vec<u8>)) {
    put_prefixed(out, 3, body);
}

fn put_prefixed(out: &mut Vec<u8>, width: usize, body: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.resize(at + width, 0);
    body(out);
    let len = out.len() - at - width;
    debug_assert!(len < 1 << (8 * width), "length prefix overflow");
    let be = (len as u64).to_be_bytes();
    if let (Some(dst), Some(src)) = (out.get_mut(at..at + width), be.get(8 - width..)) {
        dst.copy_from_slice(src);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_integers_big_endian() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u16(), Ok(0x0203));
        assert_eq!(r.u24(), Ok(0x04_0506));
        assert_eq!(r.u48(), Ok(0x0708_090a_0b0c));
        assert!(r.is_empty());
        assert_eq!(r.u8(), Err(DecodeError::Truncated));
    }

    #[test]
    fn vector_length_beyond_input_is_truncated_not_a_panic() {
        let mut r = Reader::new(&[0, 9, 1, 2]);
        assert_eq!(r.vec16(), Err(DecodeError::Truncated));
    }

    #[test]
    fn prefixed_vectors_round_trip() {
        let mut out = Vec::new();
        put_vec8(&mut out, |o| o.extend_from_slice(b"ab"));
        put_vec16(&mut out, |o| o.extend_from_slice(b"cde"));
        put_vec24(&mut out, |o| o.extend_from_slice(&[1, 2, 3, 4, 5, 6]));
        let mut r = Reader::new(&out);
        assert_eq!(r.vec8(), Ok(&b"ab"[..]));
        assert_eq!(r.vec16(), Ok(&b"cde"[..]));
        assert_eq!(r.sub24().and_then(|mut s| s.u48()), Ok(0x0102_0304_0506));
        assert_eq!(r.expect_end(), Ok(()));
    }
}

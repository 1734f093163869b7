//! Record header codec and the splitting of a datagram into records.

use crate::codec::{DecodeError, Reader};

use super::{MAX_CIPHERTEXT_LEN, RECORD_HEADER_LEN};

/// A record's content type. Unknown values pass through so the caller can count them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContentType(pub u8);

impl ContentType {
    /// change_cipher_spec (20).
    pub const CHANGE_CIPHER_SPEC: ContentType = ContentType(20);
    /// alert (21).
    pub const ALERT: ContentType = ContentType(21);
    /// handshake (22).
    pub const HANDSHAKE: ContentType = ContentType(22);
    /// application_data (23).
    pub const APPLICATION_DATA: ContentType = ContentType(23);

    /// The RFC name, or "unknown".
    pub fn name(self) -> &'static str {
        match self.0 {
            20 => "change_cipher_spec",
            21 => "alert",
            22 => "handshake",
            23 => "application_data",
            _ => "unknown",
        }
    }
}

/// The 13-byte header in front of every record (RFC 6347 §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    /// What the fragment holds.
    pub content_type: ContentType,
    /// The protocol version on the wire.
    pub version: u16,
    /// Incremented at each ChangeCipherSpec.
    pub epoch: u16,
    /// 48-bit sequence number within the epoch.
    pub sequence: u64,
    /// Length of the fragment that follows.
    pub length: u16,
}

impl RecordHeader {
    /// Appends the header's 13 bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// The header's 13 bytes (the sequence number keeps its low 48 bits).
    pub fn to_bytes(&self) -> [u8; RECORD_HEADER_LEN] {
        let [v0, v1] = self.version.to_be_bytes();
        let [e0, e1] = self.epoch.to_be_bytes();
        let [_, _, s0, s1, s2, s3, s4, s5] = self.sequence.to_be_bytes();
        let [l0, l1] = self.length.to_be_bytes();
        [
            self.content_type.0,
            v0,
            v1,
            e0,
            e1,
            s0,
            s1,
            s2,
            s3,
            s4,
            s5,
            l0,
            l1,
        ]
    }

    /// Reads a header.
    pub fn decode(r: &mut Reader<'_>) -> Result<RecordHeader, DecodeError> {
        Ok(RecordHeader {
            content_type: ContentType(r.u8()?),
            version: r.u16()?,
            epoch: r.u16()?,
            sequence: r.u48()?,
            length: r.u16()?,
        })
    }
}

/// One record of a datagram, borrowing its fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// The header.
    pub header: RecordHeader,
    /// The (possibly protected) fragment.
    pub fragment: &'a [u8],
}

/// The records of one datagram, in order (see [`parse_datagram`]).
#[derive(Clone, Debug)]
pub struct Records<'a> {
    reader: Reader<'a>,
    failed: bool,
}

/// Splits a datagram into its records. After the first malformed record (truncated
/// header, length beyond the datagram or beyond the protocol maximum) the iterator
/// yields that error once and stops: RFC 6347 §4.1.2.7 discards the rest.
pub fn parse_datagram(datagram: &[u8]) -> Records<'_> {
    Records {
        reader: Reader::new(datagram),
        failed: false,
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.reader.is_empty() {
            return None;
        }
        let result = RecordHeader::decode(&mut self.reader).and_then(|header| {
            if usize::from(header.length) > MAX_CIPHERTEXT_LEN {
                return Err(DecodeError::Invalid(
                    "record longer than the protocol allows",
                ));
            }
            let fragment = self.reader.take(usize::from(header.length))?;
            Ok(Record { header, fragment })
        });
        self.failed = result.is_err();
        Some(result)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn record(content_type: u8, sequence: u64, fragment: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        RecordHeader {
            content_type: ContentType(content_type),
            version: 0xFEFD,
            epoch: 1,
            sequence,
            length: fragment.len() as u16,
        }
        .encode(&mut out);
        out.extend_from_slice(fragment);
        out
    }

    #[test]
    fn header_round_trip_and_layout() {
        let bytes = record(23, 0x0102_0304_0506, b"abc");
        assert_eq!(
            bytes,
            [
                23, 0xFE, 0xFD, 0, 1, 1, 2, 3, 4, 5, 6, 0, 3, b'a', b'b', b'c'
            ]
        );
        let mut r = Reader::new(&bytes);
        let h = RecordHeader::decode(&mut r).unwrap();
        assert_eq!(h.sequence, 0x0102_0304_0506);
        assert_eq!(h.length, 3);
    }

    #[test]
    fn several_records_in_one_datagram() {
        let mut d = record(22, 1, b"hello");
        d.extend(record(20, 2, &[1]));
        d.extend(record(22, 3, b""));
        let records: Vec<_> = parse_datagram(&d).map(Result::unwrap).collect();
        assert_eq!(records.len(), 3);
        assert_eq!(records[0].fragment, b"hello");
        assert_eq!(
            records[1].header.content_type,
            ContentType::CHANGE_CIPHER_SPEC
        );
        assert_eq!(records[2].header.sequence, 3);
    }

    #[test]
    fn a_truncated_record_yields_one_error_then_stops() {
        let mut d = record(22, 1, b"ok");
        let second = record(22, 2, b"truncated");
        d.extend_from_slice(&second[..second.len() - 2]);
        let items: Vec<_> = parse_datagram(&d).collect();
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        assert!(items[1].is_err());
        // A record claiming more than the protocol allows ends the datagram too, even
        // when well-formed records follow.
        let mut d = record(22, 1, b"ok");
        let mut liar = record(23, 2, b"");
        liar[11] = 0x48;
        liar[12] = 0x01;
        d.extend(liar);
        d.extend(vec![0; 0x4801]);
        d.extend(record(22, 3, b"never seen"));
        let items: Vec<_> = parse_datagram(&d).collect();
        assert_eq!(items.len(), 2);
        assert!(items[1].is_err());
        // Every prefix of a record parses to an error or nothing, never a panic.
        for n in 0..d.len() {
            let _ = parse_datagram(&d[..n]).count();
        }
    }

    #[test]
    fn an_oversized_length_is_rejected() {
        let mut d = record(23, 1, b"");
        d[11] = 0xFF;
        d[12] = 0xFF;
        d.extend(vec![0; 0xFFFF]);
        assert!(parse_datagram(&d).next().unwrap().is_err());
    }
}

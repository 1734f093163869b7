//! The DTLS handshake header (RFC 6347 §4.2.2) and the fragments of one record.

use crate::codec::{DecodeError, Reader};

/// A handshake message type. Unknown values pass through so they can be reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HandshakeType(pub u8);

impl HandshakeType {
    /// hello_request (0).
    pub const HELLO_REQUEST: HandshakeType = HandshakeType(0);
    /// client_hello (1).
    pub const CLIENT_HELLO: HandshakeType = HandshakeType(1);
    /// server_hello (2).
    pub const SERVER_HELLO: HandshakeType = HandshakeType(2);
    /// hello_verify_request (3, DTLS only).
    pub const HELLO_VERIFY_REQUEST: HandshakeType = HandshakeType(3);
    /// new_session_ticket (4).
    pub const NEW_SESSION_TICKET: HandshakeType = HandshakeType(4);
    /// certificate (11).
    pub const CERTIFICATE: HandshakeType = HandshakeType(11);
    /// server_key_exchange (12).
    pub const SERVER_KEY_EXCHANGE: HandshakeType = HandshakeType(12);
    /// certificate_request (13).
    pub const CERTIFICATE_REQUEST: HandshakeType = HandshakeType(13);
    /// server_hello_done (14).
    pub const SERVER_HELLO_DONE: HandshakeType = HandshakeType(14);
    /// certificate_verify (15).
    pub const CERTIFICATE_VERIFY: HandshakeType = HandshakeType(15);
    /// client_key_exchange (16).
    pub const CLIENT_KEY_EXCHANGE: HandshakeType = HandshakeType(16);
    /// finished (20).
    pub const FINISHED: HandshakeType = HandshakeType(20);

    /// The message's name as people write it ("ClientHello"), or "unknown".
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "HelloRequest",
            1 => "ClientHello",
            2 => "ServerHello",
            3 => "HelloVerifyRequest",
            4 => "NewSessionTicket",
            11 => "Certificate",
            12 => "ServerKeyExchange",
            13 => "CertificateRequest",
            14 => "ServerHelloDone",
            15 => "CertificateVerify",
            16 => "ClientKeyExchange",
            20 => "Finished",
            _ => "unknown",
        }
    }
}

/// Bytes of a DTLS handshake header.
pub const HANDSHAKE_HEADER_LEN: usize = 12;

/// The header in front of every handshake fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeHeader {
    /// The message type.
    pub msg_type: HandshakeType,
    /// Length of the whole message body.
    pub length: u32,
    /// The message's number in this handshake (per sender, from 0).
    pub message_seq: u16,
    /// Where this fragment starts in the body.
    pub fragment_offset: u32,
    /// How many body bytes this fragment carries.
    pub fragment_length: u32,
}

impl HandshakeHeader {
    /// Appends the header's 12 bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bytes());
    }

    /// The header's 12 bytes (the three 24-bit fields keep their low 24 bits).
    pub fn to_bytes(&self) -> [u8; HANDSHAKE_HEADER_LEN] {
        let [_, l0, l1, l2] = self.length.to_be_bytes();
        let [s0, s1] = self.message_seq.to_be_bytes();
        let [_, o0, o1, o2] = self.fragment_offset.to_be_bytes();
        let [_, f0, f1, f2] = self.fragment_length.to_be_bytes();
        [self.msg_type.0, l0, l1, l2, s0, s1, o0, o1, o2, f0, f1, f2]
    }

    /// Reads a header.
    pub fn decode(r: &mut Reader<'_>) -> Result<HandshakeHeader, DecodeError> {
        Ok(HandshakeHeader {
            msg_type: HandshakeType(r.u8()?),
            length: r.u24()?,
            message_seq: r.u16()?,
            fragment_offset: r.u24()?,
            fragment_length: r.u24()?,
        })
    }
}

/// One handshake fragment, borrowing its body bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment<'a> {
    /// The header.
    pub header: HandshakeHeader,
    /// The `fragment_length` body bytes at `fragment_offset`.
    pub body: &'a [u8],
}

/// Splits a handshake record's plaintext into its fragments (a record may carry
/// several). Rejects fragments that reach beyond their message or their record.
pub fn parse_fragments(record_plaintext: &[u8]) -> Result<Vec<Fragment<'_>>, DecodeError> {
    Ok(Fragments::parse(record_plaintext)?.collect())
}

/// The fragments of one handshake record, checked as a whole before the first is
/// handed out (a record with one bad fragment is rejected entirely), borrowed from the
/// record: nothing is copied.
#[derive(Clone, Debug)]
pub struct Fragments<'a> {
    rest: Reader<'a>,
}

impl<'a> Fragments<'a> {
    /// Checks every fragment of `record_plaintext`; see [`parse_fragments`].
    pub fn parse(record_plaintext: &'a [u8]) -> Result<Fragments<'a>, DecodeError> {
        let mut check = Reader::new(record_plaintext);
        while !check.is_empty() {
            next_fragment(&mut check)?;
        }
        Ok(Fragments {
            rest: Reader::new(record_plaintext),
        })
    }
}

impl<'a> Iterator for Fragments<'a> {
    type Item = Fragment<'a>;

    fn next(&mut self) -> Option<Fragment<'a>> {
        // `parse` has read every fragment once already, so this cannot fail.
        next_fragment(&mut self.rest).ok()
    }
}

fn next_fragment<'a>(r: &mut Reader<'a>) -> Result<Fragment<'a>, DecodeError> {
    let header = HandshakeHeader::decode(r)?;
    let end = u64::from(header.fragment_offset) + u64::from(header.fragment_length);
    if end > u64::from(header.length) {
        return Err(DecodeError::Invalid(
            "handshake fragment beyond its message",
        ));
    }
    let body = r.take(header.fragment_length as usize)?;
    Ok(Fragment { header, body })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        let h = HandshakeHeader {
            msg_type: HandshakeType::CLIENT_KEY_EXCHANGE,
            length: 0x010203,
            message_seq: 7,
            fragment_offset: 0x10,
            fragment_length: 0x20,
        };
        let mut out = Vec::new();
        h.encode(&mut out);
        assert_eq!(out, [16, 1, 2, 3, 0, 7, 0, 0, 0x10, 0, 0, 0x20]);
        assert_eq!(HandshakeHeader::decode(&mut Reader::new(&out)).unwrap(), h);
    }

    #[test]
    fn a_record_of_several_fragments_yields_each() {
        let mut d = Vec::new();
        for (message_seq, body) in [(3u16, &b"abc"[..]), (4, b"")] {
            let length = body.len() as u32;
            HandshakeHeader {
                msg_type: HandshakeType::FINISHED,
                length,
                message_seq,
                fragment_offset: 0,
                fragment_length: length,
            }
            .encode(&mut d);
            d.extend_from_slice(body);
        }
        let seen: Vec<(u16, &[u8])> = Fragments::parse(&d)
            .unwrap()
            .map(|f| (f.header.message_seq, f.body))
            .collect();
        assert_eq!(seen, [(3, &b"abc"[..]), (4, b"")]);
        // One bad fragment after a good one rejects the record.
        d.push(20);
        assert_eq!(Fragments::parse(&d).err(), Some(DecodeError::Truncated));
    }

    #[test]
    fn bad_fragments_are_rejected() {
        // Fragment beyond its message length.
        let mut d = Vec::new();
        HandshakeHeader {
            msg_type: HandshakeType::FINISHED,
            length: 4,
            message_seq: 0,
            fragment_offset: 2,
            fragment_length: 4,
        }
        .encode(&mut d);
        d.extend_from_slice(&[0; 4]);
        assert!(parse_fragments(&d).is_err());
        // Fragment length beyond the record (NetX scenario 15).
        let mut d = Vec::new();
        HandshakeHeader {
            msg_type: HandshakeType::FINISHED,
            length: 12,
            message_seq: 0,
            fragment_offset: 0,
            fragment_length: 12,
        }
        .encode(&mut d);
        d.extend_from_slice(&[0; 11]);
        assert_eq!(parse_fragments(&d), Err(DecodeError::Truncated));
        // Truncated header.
        assert!(parse_fragments(&d[..5]).is_err());
    }
}

//! Cutting handshake messages into fragments that fit the MTU (RFC 6347 §4.2.3).

use super::header::{HandshakeHeader, HandshakeType};

fn header(
    msg_type: HandshakeType,
    message_seq: u16,
    length: usize,
    offset: usize,
    len: usize,
) -> HandshakeHeader {
    // Handshake bodies are bounded by the reassembly limit, far below 2^24.
    let u24 = |v: usize| u32::try_from(v).unwrap_or(u32::MAX) & 0xFF_FFFF;
    HandshakeHeader {
        msg_type,
        length: u24(length),
        message_seq,
        fragment_offset: u24(offset),
        fragment_length: u24(len),
    }
}

/// A whole message as one fragment: header (offset 0, fragment length = length) and
/// body. This is also the form the transcript hash covers (RFC 6347 §4.2.6).
pub fn encode_message(msg_type: HandshakeType, message_seq: u16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(super::HANDSHAKE_HEADER_LEN + body.len());
    header(msg_type, message_seq, body.len(), 0, body.len()).encode(&mut out);
    out.extend_from_slice(body);
    out
}

/// The message as fragments of at most `max_fragment_body` body bytes each (at least
/// one byte, and one fragment for an empty body).
pub fn fragments(
    msg_type: HandshakeType,
    message_seq: u16,
    body: &[u8],
    max_fragment_body: usize,
) -> Vec<Vec<u8>> {
    if body.is_empty() {
        return vec![encode_message(msg_type, message_seq, body)];
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for chunk in body.chunks(max_fragment_body.max(1)) {
        let mut f = Vec::with_capacity(super::HANDSHAKE_HEADER_LEN + chunk.len());
        header(msg_type, message_seq, body.len(), offset, chunk.len()).encode(&mut f);
        f.extend_from_slice(chunk);
        out.push(f);
        offset += chunk.len();
    }
    out
}

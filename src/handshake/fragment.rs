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

/// The header of a whole message sent as one fragment (offset 0, fragment length =
/// length): the form the transcript hash covers (RFC 6347 §4.2.6).
pub fn message_header(msg_type: HandshakeType, message_seq: u16, length: usize) -> HandshakeHeader {
    header(msg_type, message_seq, length, 0, length)
}

/// A whole message as one fragment: header and body.
pub fn encode_message(msg_type: HandshakeType, message_seq: u16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(super::HANDSHAKE_HEADER_LEN + body.len());
    message_header(msg_type, message_seq, body.len()).encode(&mut out);
    out.extend_from_slice(body);
    out
}

/// The message's fragments of at most `max_fragment_body` body bytes each (at least
/// one byte, and one fragment for an empty body), as headers and borrowed body parts:
/// the sender writes them straight into its records.
pub fn split(
    msg_type: HandshakeType,
    message_seq: u16,
    body: &[u8],
    max_fragment_body: usize,
) -> impl Iterator<Item = (HandshakeHeader, &[u8])> {
    let max = max_fragment_body.max(1);
    (0..fragment_count(body.len(), max)).map(move |i| {
        let offset = i * max;
        let chunk = body
            .get(offset..body.len().min(offset + max))
            .unwrap_or_default();
        (
            header(msg_type, message_seq, body.len(), offset, chunk.len()),
            chunk,
        )
    })
}

/// How many fragments [`split`] cuts a body of `length` bytes into.
pub fn fragment_count(length: usize, max_fragment_body: usize) -> usize {
    length.div_ceil(max_fragment_body.max(1)).max(1)
}

/// The message as encoded fragments (see [`split`]).
pub fn fragments(
    msg_type: HandshakeType,
    message_seq: u16,
    body: &[u8],
    max_fragment_body: usize,
) -> Vec<Vec<u8>> {
    split(msg_type, message_seq, body, max_fragment_body)
        .map(|(h, chunk)| {
            let mut f = Vec::with_capacity(super::HANDSHAKE_HEADER_LEN + chunk.len());
            h.encode(&mut f);
            f.extend_from_slice(chunk);
            f
        })
        .collect()
}

//! Reassembly of handshake messages from fragments that may arrive out of order,
//! overlap or repeat (RFC 6347 §4.2.3), with hard bounds on memory.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::codec::DecodeError;
use crate::error::Error;

use super::header::{Fragment, HandshakeType};

/// How far ahead of the next expected message we buffer (a flight has at most a
/// handful of messages).
const MAX_MESSAGES_AHEAD: u16 = 8;

/// Bounds on what reassembly may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReassemblyLimits {
    /// The largest handshake message accepted (NetX: the reassembly buffer size).
    pub max_message_len: usize,
    /// The most bytes held for incomplete or future messages together.
    pub max_buffered_bytes: usize,
}

impl Default for ReassemblyLimits {
    fn default() -> Self {
        ReassemblyLimits {
            max_message_len: 16_384,
            max_buffered_bytes: 65_536,
        }
    }
}

/// A complete handshake message: borrowed from the record it arrived in whole, or
/// owned when it was put together from fragments or held back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// Its type.
    pub msg_type: HandshakeType,
    /// Its message_seq.
    pub message_seq: u16,
    /// The whole body.
    pub body: Cow<'a, [u8]>,
}

/// What became of an inserted fragment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Insert {
    /// Part of the next expected message.
    Accepted,
    /// Part of a message already delivered: the peer is repeating a flight.
    Old,
    /// Part of a later message, buffered.
    Future,
    /// Ignored: too far ahead or over the buffer bound.
    Dropped,
}

/// A message being put together: its body and a bitmap of the bytes received.
#[derive(Debug)]
struct Partial {
    msg_type: HandshakeType,
    body: Vec<u8>,
    received: Vec<u64>,
    missing: usize,
}

impl Partial {
    fn new(msg_type: HandshakeType, length: usize) -> Partial {
        Partial {
            msg_type,
            body: vec![0; length],
            received: vec![0; length.div_ceil(64)],
            missing: length,
        }
    }

    /// A message that arrived in one piece: no bitmap, nothing missing.
    fn whole(msg_type: HandshakeType, body: &[u8]) -> Partial {
        Partial {
            msg_type,
            body: body.to_vec(),
            received: Vec::new(),
            missing: 0,
        }
    }

    /// Copies the fragment in; bytes already received are kept as they were.
    fn fill(&mut self, offset: usize, bytes: &[u8]) {
        if self.missing == 0 {
            return;
        }
        for (i, b) in bytes.iter().enumerate() {
            let at = offset + i;
            let (word, bit) = (at / 64, 1u64 << (at % 64));
            let (Some(w), Some(slot)) = (self.received.get_mut(word), self.body.get_mut(at)) else {
                return;
            };
            if *w & bit == 0 {
                *w |= bit;
                *slot = *b;
                self.missing -= 1;
            }
        }
    }
}

/// Puts one handshake's messages back together, in message_seq order.
#[derive(Debug)]
pub struct Reassembler {
    next_seq: u16,
    limits: ReassemblyLimits,
    partial: BTreeMap<u16, Partial>,
    buffered: usize,
}

impl Reassembler {
    /// Expects `next_seq` first.
    pub fn new(next_seq: u16, limits: ReassemblyLimits) -> Reassembler {
        Reassembler {
            next_seq,
            limits,
            partial: BTreeMap::new(),
            buffered: 0,
        }
    }

    /// The fragment as a message to process at once, without buffering or copying it:
    /// when it is the whole of the next expected message and nothing of that message
    /// is held yet. Otherwise `None`, and the fragment goes to [`Reassembler::insert`].
    pub fn take_whole<'a>(&mut self, fragment: &Fragment<'a>) -> Option<Message<'a>> {
        let h = &fragment.header;
        let whole = h.fragment_offset == 0 && h.fragment_length == h.length;
        if h.message_seq != self.next_seq
            || !whole
            || h.length as usize > self.limits.max_message_len
            || self.partial.contains_key(&h.message_seq)
        {
            return None;
        }
        self.next_seq = self.next_seq.wrapping_add(1);
        Some(Message {
            msg_type: h.msg_type,
            message_seq: h.message_seq,
            body: Cow::Borrowed(fragment.body),
        })
    }

    /// Adds a fragment.
    ///
    /// Fails with NX_SECURE_TLS_PACKET_BUFFER_TOO_SMALL for a message beyond the size
    /// bound and NX_SECURE_TLS_INCORRECT_MESSAGE_LENGTH for a fragment that contradicts
    /// earlier fragments of the same message.
    pub fn insert(&mut self, fragment: &Fragment<'_>) -> Result<Insert, Error> {
        let h = &fragment.header;
        if h.message_seq < self.next_seq {
            return Ok(Insert::Old);
        }
        if h.message_seq - self.next_seq >= MAX_MESSAGES_AHEAD {
            return Ok(Insert::Dropped);
        }
        let length = h.length as usize;
        if length > self.limits.max_message_len {
            return Err(Error::MessageTooLarge {
                length,
                limit: self.limits.max_message_len,
            });
        }
        let partial = match self.partial.get_mut(&h.message_seq) {
            Some(p) => {
                if p.msg_type != h.msg_type || p.body.len() != length {
                    return Err(Error::IncorrectMessageLength(
                        "handshake fragment",
                        DecodeError::Invalid(
                            "fragments of one message disagree on its type or length",
                        ),
                    ));
                }
                p
            }
            None => {
                if self.buffered + length > self.limits.max_buffered_bytes {
                    return Ok(Insert::Dropped);
                }
                self.buffered += length;
                // Most messages come unfragmented: they need no bitmap and no copy
                // byte by byte.
                let partial = if h.fragment_offset == 0 && fragment.body.len() == length {
                    Partial::whole(h.msg_type, fragment.body)
                } else {
                    Partial::new(h.msg_type, length)
                };
                self.partial.entry(h.message_seq).or_insert(partial)
            }
        };
        partial.fill(h.fragment_offset as usize, fragment.body);
        Ok(if h.message_seq == self.next_seq {
            Insert::Accepted
        } else {
            Insert::Future
        })
    }

    /// The next complete message in order, if there is one.
    pub fn pop(&mut self) -> Option<Message<'static>> {
        if self.partial.get(&self.next_seq)?.missing != 0 {
            return None;
        }
        let p = self.partial.remove(&self.next_seq)?;
        self.buffered -= p.body.len();
        let message = Message {
            msg_type: p.msg_type,
            message_seq: self.next_seq,
            body: Cow::Owned(p.body),
        };
        self.next_seq = self.next_seq.wrapping_add(1);
        Some(message)
    }

    /// The message_seq expected next.
    pub fn next_seq(&self) -> u16 {
        self.next_seq
    }

    /// Expects `next_seq` next from now on (after a HelloVerifyRequest, say).
    pub fn set_next_seq(&mut self, next_seq: u16) {
        self.next_seq = next_seq;
        let stale: Vec<u16> = self.partial.range(..next_seq).map(|(k, _)| *k).collect();
        for k in stale {
            if let Some(p) = self.partial.remove(&k) {
                self.buffered -= p.body.len();
            }
        }
    }

    /// Bytes held for incomplete or future messages.
    pub fn buffered_bytes(&self) -> usize {
        self.buffered
    }

    /// Drops everything buffered.
    pub fn clear(&mut self) {
        self.partial.clear();
        self.buffered = 0;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::handshake::{fragments, parse_fragments};

    fn frags(seq: u16, body: &[u8], max: usize) -> Vec<Vec<u8>> {
        fragments(HandshakeType::CLIENT_HELLO, seq, body, max)
    }

    fn insert(r: &mut Reassembler, bytes: &[u8]) -> Result<Insert, Error> {
        let f = parse_fragments(bytes).unwrap();
        r.insert(&f[0])
    }

    fn body(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn in_order_reversed_overlapping_and_duplicate_fragments() {
        let b = body(3000);
        let pieces = frags(0, &b, 100);
        assert_eq!(pieces.len(), 30);
        for order in [false, true] {
            let mut r = Reassembler::new(0, ReassemblyLimits::default());
            let mut list = pieces.clone();
            if order {
                list.reverse();
            }
            for (i, p) in list.iter().enumerate() {
                assert_eq!(insert(&mut r, p).unwrap(), Insert::Accepted);
                if i + 1 < list.len() {
                    assert!(r.pop().is_none());
                }
                // Duplicates change nothing.
                insert(&mut r, p).unwrap();
            }
            let m = r.pop().unwrap();
            assert_eq!(m.body, b);
            assert_eq!(r.next_seq(), 1);
            assert_eq!(r.buffered_bytes(), 0);
        }
        // Overlapping fragments of different sizes.
        let mut r = Reassembler::new(0, ReassemblyLimits::default());
        for p in frags(0, &b, 77)
            .iter()
            .chain(frags(0, &b, 130).iter())
            .step_by(2)
        {
            insert(&mut r, p).unwrap();
        }
        for p in frags(0, &b, 77).iter().skip(1).step_by(2) {
            insert(&mut r, p).unwrap();
        }
        assert_eq!(r.pop().unwrap().body, b);
    }

    #[test]
    fn a_whole_message_in_order_is_taken_from_the_record_as_it_is() {
        let limits = ReassemblyLimits {
            max_message_len: 100,
            ..ReassemblyLimits::default()
        };
        let mut r = Reassembler::new(1, limits);
        let one = frags(1, b"one", 10).remove(0);
        let fragment = parse_fragments(&one).unwrap()[0];
        let message = r.take_whole(&fragment).unwrap();
        assert!(matches!(message.body, Cow::Borrowed(b"one")));
        assert_eq!((message.message_seq, r.next_seq()), (1, 2));
        // Not the next message, a piece of one, or beyond the size bound: reassembly's.
        let later = frags(3, b"three", 10).remove(0);
        assert!(r.take_whole(&parse_fragments(&later).unwrap()[0]).is_none());
        let pieces = frags(2, b"two", 2);
        assert!(
            r.take_whole(&parse_fragments(&pieces[0]).unwrap()[0])
                .is_none()
        );
        let big = frags(2, &body(101), 200).remove(0);
        assert!(r.take_whole(&parse_fragments(&big).unwrap()[0]).is_none());
        // Once part of it is held, the whole message is merged there too.
        insert(&mut r, &pieces[0]).unwrap();
        let whole = frags(2, b"two", 10).remove(0);
        let fragment = parse_fragments(&whole).unwrap()[0];
        assert!(r.take_whole(&fragment).is_none());
        r.insert(&fragment).unwrap();
        assert_eq!(&r.pop().unwrap().body[..], b"two");
    }

    #[test]
    fn one_byte_fragments() {
        let b = body(200);
        let mut r = Reassembler::new(0, ReassemblyLimits::default());
        for p in frags(0, &b, 1).iter().rev() {
            insert(&mut r, p).unwrap();
        }
        assert_eq!(r.pop().unwrap().body, b);
    }

    #[test]
    fn future_messages_wait_and_old_ones_are_reported() {
        let mut r = Reassembler::new(1, ReassemblyLimits::default());
        assert_eq!(
            insert(&mut r, &frags(2, b"two", 10)[0]).unwrap(),
            Insert::Future
        );
        assert!(r.pop().is_none());
        assert_eq!(
            insert(&mut r, &frags(1, b"one", 10)[0]).unwrap(),
            Insert::Accepted
        );
        assert_eq!(&r.pop().unwrap().body[..], b"one");
        assert_eq!(&r.pop().unwrap().body[..], b"two");
        assert!(r.pop().is_none());
        assert_eq!(
            insert(&mut r, &frags(0, b"zero", 10)[0]).unwrap(),
            Insert::Old
        );
        assert_eq!(
            insert(&mut r, &frags(2, b"two", 10)[0]).unwrap(),
            Insert::Old
        );
        assert_eq!(
            insert(&mut r, &frags(3 + 8, b"far", 10)[0]).unwrap(),
            Insert::Dropped
        );
    }

    #[test]
    fn bounds_are_enforced() {
        let limits = ReassemblyLimits {
            max_message_len: 1000,
            max_buffered_bytes: 1500,
        };
        let mut r = Reassembler::new(0, limits);
        let too_big = frags(0, &body(1001), 100);
        assert!(matches!(
            insert(&mut r, &too_big[0]),
            Err(Error::MessageTooLarge {
                length: 1001,
                limit: 1000
            })
        ));
        assert_eq!(
            Error::MessageTooLarge {
                length: 1,
                limit: 1
            }
            .status()
            .code(),
            0x135
        );
        assert_eq!(
            insert(&mut r, &frags(0, &body(1000), 100)[0]).unwrap(),
            Insert::Accepted
        );
        assert_eq!(
            insert(&mut r, &frags(1, &body(600), 100)[0]).unwrap(),
            Insert::Dropped
        );
        assert_eq!(r.buffered_bytes(), 1000);
        r.clear();
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn contradicting_fragments_are_an_error() {
        let mut r = Reassembler::new(0, ReassemblyLimits::default());
        insert(&mut r, &frags(0, &body(300), 100)[0]).unwrap();
        let other_length = frags(0, &body(400), 100);
        assert_eq!(
            insert(&mut r, &other_length[1])
                .unwrap_err()
                .status()
                .code(),
            0x10A
        );
    }
}

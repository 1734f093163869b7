//! Structured trace events: what a session or server did, record by record, for the
//! browser demo's ladder, the CLI's `--trace` and debugging. Produced only when
//! tracing is switched on, so they cost nothing otherwise.

use crate::handshake::{Fragments, HandshakeHeader, HandshakeType};
use crate::record::{ContentType, RecordHeader, parse_datagram};
use crate::session::SessionState;
use crate::time::Instant;

/// Whether something went out or came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// We sent it.
    Sent,
    /// We received (and accepted) it.
    Received,
}

/// Why a record, datagram or ClientHello was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// The record failed authentication.
    BadMac,
    /// Replayed, or older than the replay window.
    Replayed,
    /// Not a well-formed record.
    Malformed,
    /// Not acceptable now (wrong epoch, version or state).
    Unexpected,
    /// The handshake reassembly bounds were reached.
    ReassemblyFull,
    /// A ClientHello with a cookie that is not one of ours (a HelloVerifyRequest was
    /// sent instead).
    BadCookie,
    /// A new client, but every pool slot is taken.
    PoolFull,
    /// A datagram from an address with no session that is not a ClientHello.
    UnknownPeer,
}

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trace {
    /// A record went out or came in.
    Record {
        /// Sent or received.
        direction: Direction,
        /// Its content type.
        content_type: ContentType,
        /// Its epoch.
        epoch: u16,
        /// Its sequence number.
        sequence: u64,
        /// Its fragment length on the wire.
        length: usize,
    },
    /// A handshake fragment went out or came in.
    Message {
        /// Sent or received.
        direction: Direction,
        /// The message type.
        msg_type: HandshakeType,
        /// Its message_seq.
        message_seq: u16,
        /// First body byte in this fragment.
        fragment_offset: u32,
        /// Body bytes in this fragment.
        fragment_length: u32,
        /// The whole message's length.
        length: u32,
    },
    /// A flight was sent again; `transmissions` counts every send so far.
    Retransmit {
        /// Sends of this flight, the first included.
        transmissions: u32,
    },
    /// Something was dropped.
    Dropped {
        /// Why.
        reason: DropReason,
    },
    /// The session moved to another state.
    State {
        /// Before.
        from: SessionState,
        /// After.
        to: SessionState,
    },
    /// The next deadline changed.
    Timer {
        /// The new deadline, if any.
        deadline: Option<Instant>,
    },
}

impl Trace {
    /// A record with header `h` and `length` fragment bytes went out or came in.
    pub(crate) fn record(direction: Direction, h: &RecordHeader, length: usize) -> Trace {
        Trace::Record {
            direction,
            content_type: h.content_type,
            epoch: h.epoch,
            sequence: h.sequence,
            length,
        }
    }

    /// A handshake fragment with header `h` went out or came in.
    pub(crate) fn message(direction: Direction, h: &HandshakeHeader) -> Trace {
        Trace::Message {
            direction,
            msg_type: h.msg_type,
            message_seq: h.message_seq,
            fragment_offset: h.fragment_offset,
            fragment_length: h.fragment_length,
            length: h.length,
        }
    }

    /// The first record of a plaintext handshake datagram and its messages, as a
    /// session traces them: for what the server pool sends and reads without a session
    /// (its stateless HelloVerifyRequest exchange).
    pub(crate) fn plaintext_handshake(direction: Direction, datagram: &[u8]) -> Vec<Trace> {
        let Some(Ok(record)) = parse_datagram(datagram).next() else {
            return Vec::new();
        };
        let record_trace = Trace::record(direction, &record.header, record.fragment.len());
        let messages = Fragments::parse(record.fragment).into_iter().flatten();
        let messages = messages.map(|f| Trace::message(direction, &f.header));
        // In the order a session gives them: a record is read before its messages, and
        // written after them.
        match direction {
            Direction::Received => core::iter::once(record_trace).chain(messages).collect(),
            Direction::Sent => messages.chain(core::iter::once(record_trace)).collect(),
        }
    }
}

//! Readable one-line descriptions of the component's trace events, for `--trace` and
//! the demo's ladder.

use crate::bindings::types::{Direction, SessionState, Trace};

fn arrow(direction: Direction) -> &'static str {
    match direction {
        Direction::Sent => "->",
        Direction::Received => "<-",
    }
}

fn content_type_name(content_type: u8) -> String {
    match content_type {
        20 => "ChangeCipherSpec".into(),
        21 => "Alert".into(),
        22 => "Handshake".into(),
        23 => "ApplicationData".into(),
        other => format!("type {other}"),
    }
}

fn state_name(state: SessionState) -> &'static str {
    match state {
        SessionState::Idle => "idle",
        SessionState::Handshaking => "handshaking",
        SessionState::Connected => "connected",
        SessionState::Closed => "closed",
        SessionState::Failed => "failed",
    }
}

/// One line describing a trace event.
pub fn describe(trace: &Trace) -> String {
    match trace {
        Trace::Record(r) => format!(
            "{} record {} epoch {} seq {} ({} bytes)",
            arrow(r.direction),
            content_type_name(r.content_type),
            r.epoch,
            r.sequence,
            r.length
        ),
        Trace::Message(m) if m.fragment_length == m.length && m.fragment_offset == 0 => format!(
            "{}   {} (message_seq {}, {} bytes)",
            arrow(m.direction),
            m.name,
            m.message_seq,
            m.length
        ),
        Trace::Message(m) => format!(
            "{}   {} (message_seq {}, fragment {}..{} of {} bytes)",
            arrow(m.direction),
            m.name,
            m.message_seq,
            m.fragment_offset,
            m.fragment_offset + m.fragment_length,
            m.length
        ),
        Trace::Retransmit(n) => format!("!! flight retransmitted (send #{n})"),
        Trace::Dropped(reason) => format!("xx dropped: {reason}"),
        Trace::State(change) => format!(
            "== {} -> {}",
            state_name(change.from),
            state_name(change.to)
        ),
        Trace::Timer(Some(at)) => format!(".. timer set for t={at} ms"),
        Trace::Timer(None) => ".. timer off".to_string(),
    }
}

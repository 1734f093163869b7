//! Human-readable summaries of datagrams, for logs, the demo and the ladder diagram.

use core::fmt;

use crate::handshake::parse_fragments;
use crate::record::{ContentType, parse_datagram};

/// What one record of a datagram carries, as far as can be seen on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordSummary {
    /// The content type's name ("handshake", "alert", …).
    pub content_type: &'static str,
    /// The record's epoch.
    pub epoch: u16,
    /// The record's sequence number.
    pub sequence: u64,
    /// The fragment length.
    pub length: usize,
    /// For plaintext handshake records: each message fragment as
    /// `Name(seq N)` or `Name(seq N, bytes A..B of L)`.
    pub messages: Vec<String>,
}

impl fmt::Display for RecordSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.messages.is_empty() {
            let what = match (self.content_type, self.epoch) {
                ("handshake", e) if e > 0 => "Finished (encrypted)",
                ("change_cipher_spec", _) => "ChangeCipherSpec",
                ("alert", 0) => "Alert",
                ("alert", _) => "Alert (encrypted)",
                ("application_data", _) => "ApplicationData",
                (other, _) => other,
            };
            write!(f, "{what}")?;
        } else {
            write!(f, "{}", self.messages.join(" + "))?;
        }
        write!(f, " [epoch {} seq {}]", self.epoch, self.sequence)
    }
}

/// Summarises every record of a datagram; unparsable rest is reported as one entry.
pub fn describe_datagram(datagram: &[u8]) -> Vec<RecordSummary> {
    let mut out = Vec::new();
    for record in parse_datagram(datagram) {
        let Ok(record) = record else {
            out.push(RecordSummary {
                content_type: "malformed",
                epoch: 0,
                sequence: 0,
                length: 0,
                messages: Vec::new(),
            });
            break;
        };
        let h = &record.header;
        let mut messages = Vec::new();
        if h.content_type == ContentType::HANDSHAKE && h.epoch == 0 {
            for frag in parse_fragments(record.fragment).unwrap_or_default() {
                let fh = &frag.header;
                let whole = fh.fragment_offset == 0 && fh.fragment_length == fh.length;
                messages.push(if whole {
                    format!("{}(seq {})", fh.msg_type.name(), fh.message_seq)
                } else {
                    format!(
                        "{}(seq {}, bytes {}..{} of {})",
                        fh.msg_type.name(),
                        fh.message_seq,
                        fh.fragment_offset,
                        fh.fragment_offset + fh.fragment_length,
                        fh.length
                    )
                });
            }
        }
        out.push(RecordSummary {
            content_type: h.content_type.name(),
            epoch: h.epoch,
            sequence: h.sequence,
            length: record.fragment.len(),
            messages,
        });
    }
    out
}

/// One line for a datagram: its records joined by `", "`.
pub fn describe_datagram_line(datagram: &[u8]) -> String {
    describe_datagram(datagram)
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

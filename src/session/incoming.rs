//! Received datagrams: records are checked, opened and dispatched by content type.

use super::record_layer::Opened;
use super::{Awaiting, MAX_EARLY_RECORD_BYTES, Role, Session, SessionState};
use crate::alert::{Alert, AlertLevel};
use crate::error::Error;
use crate::handshake::{Fragments, HandshakeType, Insert, Message};
use crate::record::{ContentType, Record, parse_datagram};
use crate::time::Instant;
use crate::trace::{Direction, DropReason};

impl Session {
    /// Processes every record of one datagram, stopping at the first fatal error.
    pub(super) fn process_datagram(&mut self, now: Instant, datagram: &[u8]) -> Result<(), Error> {
        for record in parse_datagram(datagram) {
            let Ok(record) = record else {
                // RFC 6347 §4.1.2.7: a malformed record ends the datagram, silently.
                self.dropped(DropReason::Malformed);
                break;
            };
            self.process_record(now, &record)?;
            if !self.state.is_live() {
                break;
            }
        }
        Ok(())
    }

    fn process_record(&mut self, now: Instant, record: &Record<'_>) -> Result<(), Error> {
        let handshake_done = self.state == SessionState::Connected;
        let plaintext = match self.records.open(record, handshake_done) {
            Opened::Accepted(p) => p,
            Opened::FutureEpoch => {
                self.keep_early_record(record);
                return Ok(());
            }
            Opened::Replayed => {
                self.dropped(DropReason::Replayed);
                return Ok(());
            }
            Opened::AuthFailed => {
                self.dropped(DropReason::BadMac);
                // The first protected handshake record is the peer's Finished. If it
                // does not authenticate, the peers derived different keys — a wrong
                // PSK — and waiting would only end in a timeout.
                if record.header.content_type == ContentType::HANDSHAKE
                    && self.step() == Some(Awaiting::Finished)
                {
                    return Err(Error::BadRecordMac);
                }
                return Ok(());
            }
            Opened::Unexpected => {
                self.dropped(DropReason::Unexpected);
                return Ok(());
            }
        };
        self.stats.records_accepted += 1;
        self.trace_record(Direction::Received, &record.header, record.fragment.len());
        self.last_received = now;
        self.record_sequence = record.header.sequence;
        let epoch = record.header.epoch;
        match record.header.content_type {
            ContentType::CHANGE_CIPHER_SPEC => self.process_change_cipher_spec(now, &plaintext),
            ContentType::ALERT => self.process_alert(&plaintext),
            ContentType::HANDSHAKE => self.process_handshake(now, epoch, &plaintext),
            ContentType::APPLICATION_DATA => {
                if self.state == SessionState::Connected && epoch == 1 {
                    self.events
                        .push_back(super::Event::Data(plaintext.into_owned()));
                    // Data from the peer proves it has our last flight.
                    self.flight = None;
                } else {
                    self.dropped(DropReason::Unexpected);
                }
                Ok(())
            }
            _ => {
                self.dropped(DropReason::Unexpected);
                Ok(())
            }
        }
    }

    fn step(&self) -> Option<Awaiting> {
        self.handshake.as_ref().map(|h| h.step)
    }

    /// Holds a record of the next epoch until its ChangeCipherSpec arrives (datagrams
    /// get reordered); bounded, and the peer's retransmission covers what we drop.
    fn keep_early_record(&mut self, record: &Record<'_>) {
        let held: usize = self.early_records.iter().map(Vec::len).sum();
        let len = crate::record::RECORD_HEADER_LEN + record.fragment.len();
        if held + len > MAX_EARLY_RECORD_BYTES {
            self.dropped(DropReason::Unexpected);
            return;
        }
        let mut bytes = Vec::with_capacity(len);
        record.header.encode(&mut bytes);
        bytes.extend_from_slice(record.fragment);
        self.early_records.push(bytes);
    }

    fn process_change_cipher_spec(&mut self, now: Instant, body: &[u8]) -> Result<(), Error> {
        if body != [1] {
            return Err(Error::BadCipherSpec);
        }
        if self.step() != Some(Awaiting::Finished) || !self.records.awaiting_change_cipher_spec() {
            // A repeated or early ChangeCipherSpec: harmless, the flight will repeat.
            self.dropped(DropReason::Unexpected);
            return Ok(());
        }
        self.records.switch_read_epoch();
        // Records of the new epoch that overtook the ChangeCipherSpec (each is a
        // one-record "datagram"; in the new epoch none of them can be early again).
        for early in core::mem::take(&mut self.early_records) {
            self.process_datagram(now, &early)?;
        }
        Ok(())
    }

    fn process_alert(&mut self, body: &[u8]) -> Result<(), Error> {
        let Ok(alert) = Alert::decode(body) else {
            self.dropped(DropReason::Malformed);
            return Ok(());
        };
        if alert == Alert::close_notify() {
            if self.state.is_live() {
                self.send_alert(Alert::close_notify());
            }
            self.events.push_back(super::Event::Closed);
            self.end(SessionState::Closed);
            return Ok(());
        }
        if alert.level == AlertLevel::FATAL {
            self.events
                .push_back(super::Event::Error(Error::AlertReceived(alert.description)));
            self.end(SessionState::Failed);
        }
        // Warnings (no_renegotiation, user_canceled, …) need no action.
        Ok(())
    }

    fn process_handshake(&mut self, now: Instant, epoch: u16, body: &[u8]) -> Result<(), Error> {
        let fragments = Fragments::parse(body)
            .map_err(|e| Error::IncorrectMessageLength("handshake record", e))?;
        for fragment in fragments {
            self.trace_message(Direction::Received, &fragment.header);
            // Finished is the only message that must be protected.
            if fragment.header.msg_type == HandshakeType::FINISHED && epoch == 0 {
                self.dropped(DropReason::Unexpected);
                continue;
            }
            if self.role == Role::Server && self.step() == Some(Awaiting::ClientHello) {
                self.prepare_for_client_hello(fragment.header.message_seq);
            }
            // Every HelloVerifyRequest carries message_seq 0 (RFC 6347 §4.2.2): one
            // with a new cookie must be answered, not taken for a repeat.
            if self.role == Role::Client
                && fragment.header.msg_type == HandshakeType::HELLO_VERIFY_REQUEST
                && self.step() == Some(Awaiting::ServerHello)
                && fragment.header.fragment_offset == 0
                && fragment.header.fragment_length == fragment.header.length
            {
                let next = fragment.header.message_seq.saturating_add(1);
                if self.reassembler.next_seq() < next {
                    self.reassembler.set_next_seq(next);
                }
                self.on_hello_verify_request(now, fragment.body)?;
                continue;
            }
            // The usual case, a whole message in order, is processed straight from the
            // record; anything else waits in the reassembler.
            if let Some(message) = self.reassembler.take_whole(&fragment) {
                self.process_message(now, message)?;
                if !self.state.is_live() {
                    return Ok(());
                }
                continue;
            }
            match self.reassembler.insert(&fragment)? {
                Insert::Accepted | Insert::Future => {}
                Insert::Dropped => self.dropped(DropReason::ReassemblyFull),
                Insert::Old => self.peer_repeated_flight(now)?,
            }
        }
        while let Some(message) = self.reassembler.pop() {
            self.process_message(now, message)?;
            if !self.state.is_live() {
                break;
            }
        }
        Ok(())
    }

    /// The peer sent a message we already processed: it did not get our last flight.
    pub(super) fn peer_repeated_flight(&mut self, now: Instant) -> Result<(), Error> {
        let max = self.config.retransmit().max_transmissions;
        // Bounded like the timer: a peer that repeats itself forever (or a forged flood
        // of its old messages) gets at most the configured number of sends, then the
        // timer ends the handshake.
        let exhausted = self.flight.as_ref().is_none_or(|f| f.transmissions >= max);
        if self.retransmitted_for_datagram || exhausted {
            return Ok(());
        }
        self.retransmitted_for_datagram = true;
        self.count_retransmission();
        self.transmit_flight(now)
    }

    fn process_message(&mut self, now: Instant, message: Message<'_>) -> Result<(), Error> {
        if self.state == SessionState::Connected {
            let renegotiation = match self.role {
                Role::Server => message.msg_type == HandshakeType::CLIENT_HELLO,
                Role::Client => message.msg_type == HandshakeType::HELLO_REQUEST,
            };
            if renegotiation {
                self.refuse_renegotiation();
            } else {
                self.dropped(DropReason::Unexpected);
            }
            return Ok(());
        }
        match self.role {
            Role::Client => self.client_message(now, message),
            Role::Server => self.server_message(now, message),
        }
    }
}

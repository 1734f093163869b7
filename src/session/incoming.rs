//! Received datagrams: records are checked, opened and dispatched by content type.

use super::client::WhyNoCertificate;
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
                } else if epoch == 1 && self.step() == Some(Awaiting::Finished) {
                    // The peer finished first and its data overtook its Finished (its
                    // final flight was lost, or reordered): keep it for when ours
                    // checks out, as a mature peer would rather than lose it.
                    self.keep_early_data(plaintext.into_owned());
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
        let len = crate::record::RECORD_HEADER_LEN + record.fragment.len();
        if !fits_early(&self.early_records, len) {
            self.dropped(DropReason::Unexpected);
            return;
        }
        let mut bytes = Vec::with_capacity(len);
        record.header.encode(&mut bytes);
        bytes.extend_from_slice(record.fragment);
        self.early_records.push(bytes);
    }

    /// Holds application data that arrived before the peer's Finished (bounded like
    /// the early records; beyond, dropped and counted).
    fn keep_early_data(&mut self, data: Vec<u8>) {
        if !fits_early(&self.early_data, data.len()) {
            self.dropped(DropReason::Unexpected);
            return;
        }
        self.early_data.push(data);
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
            // A server that requires a client certificate says only handshake_failure
            // (RFC 5246 §7.4.6); we know why, so say it.
            let error = match self.certificate_we_did_not_send() {
                Some(WhyNoCertificate::NoneConfigured) => {
                    Error::AlertWithoutOurCertificate(alert.description)
                }
                Some(WhyNoCertificate::NotTaken) => {
                    Error::AlertWithCertificateNotTaken(alert.description)
                }
                None => Error::AlertReceived(alert.description),
            };
            self.events.push_back(super::Event::Error(error));
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
            // A new handshake under the session's keys is a renegotiation attempt,
            // whatever its message_seq (a new handshake starts again at 0, RFC 6347
            // §4.2.2, which the reassembler would take for a repeat of the peer's last
            // flight and answer with ours).
            if self.is_renegotiation(epoch, fragment.header.msg_type) {
                self.refuse_renegotiation();
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
                // A repeat of the peer's flight that ours answers, answered when its
                // last message comes again (RFC 6347 §4.2.4 answers a retransmitted
                // *flight*): a repeated flight of many datagrams costs one resend of
                // ours, not one per datagram; a repeat of the part of the peer's next
                // flight we already have (it resends that flight whole) none.
                Insert::Old
                    if self.flight.as_ref().and_then(|f| f.answers)
                        == Some(fragment.header.message_seq) =>
                {
                    self.peer_repeated_flight(now)?;
                }
                Insert::Old => {}
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

    /// Whether a handshake message of `msg_type` in `epoch` starts a renegotiation: a
    /// ClientHello to an established server, a HelloRequest to an established client,
    /// protected under the session's keys (in the clear, anyone could have sent it).
    fn is_renegotiation(&self, epoch: u16, msg_type: HandshakeType) -> bool {
        let starts_handshake = match self.role {
            Role::Server => msg_type == HandshakeType::CLIENT_HELLO,
            Role::Client => msg_type == HandshakeType::HELLO_REQUEST,
        };
        self.state == SessionState::Connected && epoch > 0 && starts_handshake
    }

    fn process_message(&mut self, now: Instant, message: Message<'_>) -> Result<(), Error> {
        if self.state == SessionState::Connected {
            self.dropped(DropReason::Unexpected);
            return Ok(());
        }
        match self.role {
            Role::Client => self.client_message(now, message),
            Role::Server => self.server_message(now, message),
        }
    }
}

/// Whether `more` bytes fit beside those `held` within [`MAX_EARLY_RECORD_BYTES`], the
/// bound on what a session holds ahead of its handshake (early records, early data).
fn fits_early(held: &[Vec<u8>], more: usize) -> bool {
    held.iter().map(Vec::len).sum::<usize>() + more <= MAX_EARLY_RECORD_BYTES
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use core::time::Duration;
    use std::sync::Arc;

    use crate::handshake::{HandshakeType, encode_message};
    use crate::record::ContentType;
    use crate::sim::{LinkConditions, Pair};
    use crate::{CipherSuite, Config, Event, Session, SessionState};

    /// Both sides' configuration: one PSK suite, one key.
    fn config() -> Arc<Config> {
        let mut c = Config::new();
        c.set_cipher_suites(&[CipherSuite::PskAes128Ccm8]).unwrap();
        c.psk_add(b"0123456789abcdef", b"client-1", b"").unwrap();
        Arc::new(c)
    }

    /// A client and a server connected; the server gives session IDs if `ids`.
    fn connected(seed: u64, ids: bool) -> Pair {
        let mut pair = Pair::seeded(config(), config(), LinkConditions::PERFECT, seed);
        pair.server.set_session_ids(ids);
        pair.start().unwrap();
        assert!(pair.handshake(Duration::from_secs(60)));
        pair
    }

    fn connected_pair() -> Pair {
        connected(7, false)
    }

    /// `from` sends `msg_type` (message_seq 0, as a new handshake begins) under its
    /// epoch-1 keys to `to`, which must refuse it with a no_renegotiation warning, and
    /// nothing else: no retransmitted flight, the session still connected.
    fn refused(from: &mut Session, to: &mut Session, msg_type: HandshakeType) {
        let message = encode_message(msg_type, 0, &[]);
        let mut record = Vec::new();
        from.records
            .seal_into(1, ContentType::HANDSHAKE, &[&message], &mut record)
            .unwrap();
        let retransmissions = to.stats().retransmissions;
        to.handle_datagram(crate::Instant::from_millis(5_000), &record);
        assert_eq!(to.stats().renegotiations_refused, 1);
        assert_eq!(to.stats().retransmissions, retransmissions);
        assert_eq!(to.state(), SessionState::Connected);
        // One datagram: the warning alert, sealed; it leaves `from` connected too.
        let crate::Output::Transmit(alert) = to.poll_output() else {
            panic!("no alert sent")
        };
        assert!(matches!(to.poll_output(), crate::Output::Wait(_)));
        from.handle_datagram(crate::Instant::from_millis(5_001), &alert);
        assert_eq!(from.state(), SessionState::Connected);
        assert!(!from.events.iter().any(|e| matches!(e, Event::Error(_))));
    }

    /// `from`'s fatal alert (sealed under its epoch-1 keys) as a datagram.
    fn fatal_alert(from: &mut Session) -> Vec<u8> {
        let alert = crate::Alert::fatal(crate::AlertDescription::INTERNAL_ERROR).encode();
        let mut record = Vec::new();
        from.records
            .seal_into(1, ContentType::ALERT, &[&alert], &mut record)
            .unwrap();
        record
    }

    #[test]
    fn a_session_ended_by_a_fatal_alert_leaves_no_session_to_resume() {
        // RFC 5246 §7.2.2, on the client: its saved session goes.
        let pair = connected_pair();
        assert!(
            pair.client.saved_session().is_none(),
            "no ID from this server"
        );
        let mut pair = connected(8, true);
        assert!(pair.client.saved_session().is_some());
        let alert = fatal_alert(&mut pair.server);
        pair.client
            .handle_datagram(crate::Instant::from_millis(5_000), &alert);
        assert_eq!(pair.client.state(), SessionState::Failed);
        assert!(pair.client.saved_session().is_none());

        // And in the server's cache; a close_notify keeps the session there.
        for fatal in [false, true] {
            let server = crate::Server::new(config().as_ref().clone(), 2).unwrap();
            let mut net = crate::sim::Network::new(server, 9);
            let client = Session::with_rng(
                crate::Role::Client,
                config(),
                &[],
                Box::new(crate::SeededRandom::new(9)),
            );
            let index = net.add_client(client, LinkConditions::PERFECT);
            net.start(index).unwrap();
            assert!(net.run_until(Duration::from_secs(60), |n| n.server.cached_sessions() == 1));
            let addr = net.client(index).unwrap().addr;
            if fatal {
                let alert = fatal_alert(&mut net.client_mut(index).unwrap().session);
                net.with_server(|s, now| s.handle_datagram(now, addr, &alert));
            } else {
                net.with_client(index, |s, _| s.close());
                net.run_until(Duration::from_secs(1), |n| n.server.sessions_in_use() == 0);
            }
            assert_eq!(net.server.sessions_in_use(), 0, "fatal: {fatal}");
            assert_eq!(net.server.cached_sessions(), usize::from(!fatal));
        }
    }

    #[test]
    fn a_protected_client_hello_on_an_established_server_is_refused_not_answered() {
        let mut pair = connected_pair();
        refused(
            &mut pair.client,
            &mut pair.server,
            HandshakeType::CLIENT_HELLO,
        );
    }

    #[test]
    fn a_protected_hello_request_on_an_established_client_is_refused() {
        let mut pair = connected_pair();
        refused(
            &mut pair.server,
            &mut pair.client,
            HandshakeType::HELLO_REQUEST,
        );
    }
}

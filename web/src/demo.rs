//! One demo run: a client and a server engine on a simulated link, stepped on a
//! virtual clock, with every datagram, trace and event kept for the ladder diagram, the
//! inspector and the summary.

use serde::Serialize;
use wasm_dtls::sim::{Fate, Pair, Side};
use wasm_dtls::trace::{DropReason, Trace};
use wasm_dtls::{CipherSuite, Error, Event, SavedSession, Stats};

use crate::dissect::{Context, RecordView, dissect_datagram};
use crate::keys::{KeysView, SessionKeys, server_random};
use crate::settings::Settings;

/// One datagram on the ladder.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Datagram {
    /// Its number, from 0, in the order datagrams were sent.
    pub id: usize,
    /// "client" or "server".
    pub from: &'static str,
    /// Virtual time it was sent, in ms.
    pub sent_at: u64,
    /// Virtual time it arrives, if it does.
    pub arrives_at: Option<u64>,
    /// "delivered", "dropped", "duplicated" or "reordered".
    pub fate: &'static str,
    /// Its size in bytes.
    pub size: usize,
    /// Each record's title and epoch.
    pub records: Vec<RecordLabel>,
    /// Whether it belongs to a flight sent again.
    pub retransmission: bool,
    /// The handshake flight it belongs to, numbered as in RFC 6347 §4.2.4's figure
    /// (1 = the first ClientHello, … 6 = the server's Finished), if any.
    pub flight: Option<u32>,
}

/// The label of one record on an arrow.
#[derive(Clone, Debug, Serialize)]
pub struct RecordLabel {
    /// "ClientHello (message_seq 0)", "Finished (encrypted)", …
    pub title: String,
    /// 0 in the clear, 1 under the new keys.
    pub epoch: u16,
}

/// Something a side did or noticed, shown beside the ladder.
#[derive(Clone, Debug, Serialize)]
pub struct Note {
    /// Virtual time, in ms.
    pub at: u64,
    /// "client" or "server".
    pub side: &'static str,
    /// "state", "timer", "retransmit", "dropped", "connected", "data", "closed" or
    /// "error".
    pub kind: &'static str,
    /// What happened, for people.
    pub text: String,
}

/// What one step did.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    /// Virtual time after the step, in ms.
    pub now: u64,
    /// Datagrams sent during the step.
    pub datagrams: Vec<Datagram>,
    /// Notes made during the step.
    pub notes: Vec<Note>,
    /// Whether both sides have completed the handshake.
    pub connected: bool,
    /// Whether nothing is left to happen (no datagram on the way, no timer).
    pub finished: bool,
    /// The client's state ("Handshaking", "Connected", …).
    pub client_state: String,
    /// The server's state.
    pub server_state: String,
}

/// A datagram taken apart for the inspector.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    /// The datagram's number.
    pub id: usize,
    /// "client" or "server".
    pub from: &'static str,
    /// Its bytes in hex.
    pub hex: String,
    /// Its records.
    pub records: Vec<RecordView>,
}

/// The figures after (or during) a run.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The negotiated suite's IANA name, once connected.
    pub suite: Option<&'static str>,
    /// The ECDHE group's name (x25519, secp256r1), once connected with a certificate
    /// suite.
    pub group: Option<&'static str>,
    /// Virtual ms from the first ClientHello until both sides were connected.
    pub handshake_ms: Option<u64>,
    /// Datagrams put on the link, both directions.
    pub datagrams: usize,
    /// Datagrams the link lost.
    pub dropped: u64,
    /// Flights sent again, both sides.
    pub retransmissions: u64,
    /// The client's counters.
    pub client: SideStats,
    /// The server's counters.
    pub server: SideStats,
    /// The derived secrets, once known.
    pub keys: Option<KeysView>,
    /// Whether the handshake resumed the previous run's session (the abbreviated
    /// handshake).
    pub resumed: bool,
    /// Whether the run's session can be resumed by [`Demo::resumed`]: both sides hold
    /// it once connected.
    pub resumable: bool,
}

/// One side's counters, as the summary shows them.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SideStats {
    /// Datagrams sent.
    pub datagrams_sent: u64,
    /// Datagrams received.
    pub datagrams_received: u64,
    /// Flights sent again.
    pub retransmissions: u64,
    /// Records dropped for any reason (bad MAC, replay, malformed, unexpected).
    pub records_dropped: u64,
}

impl From<Stats> for SideStats {
    fn from(s: Stats) -> SideStats {
        SideStats {
            datagrams_sent: s.datagrams_sent,
            datagrams_received: s.datagrams_received,
            retransmissions: s.retransmissions,
            records_dropped: s.dropped_bad_mac
                + s.dropped_replayed
                + s.dropped_malformed
                + s.dropped_unexpected
                + s.dropped_reassembly,
        }
    }
}

/// One value per side.
#[derive(Clone, Copy, Default)]
struct PerSide<T> {
    client: T,
    server: T,
}

impl<T> PerSide<T> {
    fn get_mut(&mut self, side: Side) -> &mut T {
        match side {
            Side::Client => &mut self.client,
            Side::Server => &mut self.server,
        }
    }
}

/// How far the demo has read each side's logs.
#[derive(Clone, Copy, Default)]
struct Cursor {
    transfers: usize,
    traces: usize,
    events: usize,
}

/// A demo run.
pub struct Demo {
    settings: Settings,
    /// The seed of this run (the settings' for the first, one more for each
    /// resumption).
    seed: u64,
    pair: Pair,
    suite: CipherSuite,
    datagrams: Vec<(Side, Vec<u8>)>,
    cursors: PerSide<Cursor>,
    server_random: Option<[u8; 32]>,
    key_log: Option<String>,
    keys: Option<SessionKeys>,
    /// When both sides were connected, and with which suite: kept once the session
    /// closes, which ends the sessions' own answers.
    connected: Option<(u64, CipherSuite)>,
}

impl Demo {
    /// A run with these settings; nothing is sent until [`Demo::start`].
    pub fn new(settings: &Settings) -> Result<Demo, Error> {
        Demo::with_sessions(settings, settings.seed, None)
    }

    /// The next run, on the same settings and link, whose client offers this run's
    /// session and whose server still holds it: the abbreviated handshake (RFC 5246
    /// §7.3), with new randoms (the next seed) and so new keys. Fails with
    /// NX_SECURE_TLS_INVALID_STATE before this run's handshake completed.
    pub fn resumed(&self) -> Result<Demo, Error> {
        let sessions = self
            .pair
            .client
            .saved_session()
            .zip(self.pair.server.saved_session())
            .ok_or(Error::InvalidState(
                "a session is resumed once a handshake has completed",
            ))?;
        let seed = self.seed.wrapping_add(1);
        Demo::with_sessions(&self.settings, seed, Some((&sessions.0, &sessions.1)))
    }

    /// A run seeded with `seed`; `saved` is the (client's, server's) saved session to
    /// resume.
    fn with_sessions(
        settings: &Settings,
        seed: u64,
        saved: Option<(&SavedSession, &SavedSession)>,
    ) -> Result<Demo, Error> {
        let suite = settings.suite()?;
        let link = settings.link()?;
        let (client_config, server_config) = settings.configs()?;
        let mut pair = Pair::seeded(client_config, server_config, link, seed);
        // The demo's server keeps the one session it made, for the next run to resume.
        pair.server.set_session_ids(true);
        if let Some((client, server)) = saved {
            pair.client.set_saved_session(client.clone())?;
            pair.server.set_saved_session(server.clone())?;
        }
        pair.set_trace(true);
        pair.to_server.record_transfers(true);
        pair.to_client.record_transfers(true);
        Ok(Demo {
            settings: settings.clone(),
            seed,
            pair,
            suite,
            datagrams: Vec::new(),
            cursors: PerSide::default(),
            server_random: None,
            key_log: None,
            keys: None,
            connected: None,
        })
    }

    /// Sends the first ClientHello.
    pub fn start(&mut self) -> Result<StepReport, Error> {
        self.pair.start()?;
        Ok(self.report())
    }

    /// Moves the clock to the next arrival or timer and handles it.
    pub fn step(&mut self) -> StepReport {
        self.pair.step();
        self.report()
    }

    /// Sends `text` from one side as application data.
    pub fn send(&mut self, from: Side, text: &str) -> Result<StepReport, Error> {
        self.pair.send(from, text.as_bytes())?;
        Ok(self.report())
    }

    /// Ends one side with close_notify.
    pub fn close(&mut self, side: Side) -> StepReport {
        self.pair.close(side);
        self.report()
    }

    /// Takes datagram `id` apart, opening encrypted records if the keys are known.
    pub fn inspect(&self, id: usize) -> Option<Inspection> {
        let (from, bytes) = self.datagrams.get(id)?;
        Some(Inspection {
            id,
            from: side_name(*from),
            hex: crate::dissect::hex(bytes),
            records: self.dissect(*from, bytes),
        })
    }

    /// The figures so far.
    pub fn summary(&self) -> Summary {
        let client = self.pair.client.stats();
        let server = self.pair.server.stats();
        let links = [self.pair.to_server.stats(), self.pair.to_client.stats()];
        Summary {
            suite: self.connected.map(|(_, suite)| suite.iana_name()),
            group: self
                .connected
                .and(self.pair.client.group())
                .map(|g| g.name()),
            handshake_ms: self.connected.map(|(at, _)| at),
            datagrams: self.datagrams.len(),
            dropped: links.iter().map(|l| l.dropped).sum(),
            retransmissions: client.retransmissions + server.retransmissions,
            client: client.into(),
            server: server.into(),
            keys: self.keys.as_ref().map(|k| k.view().clone()),
            resumed: self.pair.client.is_resumed(),
            resumable: self.connected.is_some()
                && self.pair.client.saved_session().is_some()
                && self.pair.server.saved_session().is_some(),
        }
    }

    fn dissect(&self, from: Side, bytes: &[u8]) -> Vec<RecordView> {
        let context = Context {
            suite: self.suite,
            cipher: self.keys.as_ref().map(|k| k.cipher(from)),
        };
        dissect_datagram(bytes, &context)
    }

    /// Everything new since the last report: events first (they may bring the keys
    /// that label this step's encrypted datagrams), then traces, then datagrams.
    fn report(&mut self) -> StepReport {
        let mut notes = Vec::new();
        let mut retransmitting = PerSide::default();
        for side in [Side::Client, Side::Server] {
            self.collect_events(side, &mut notes);
            *retransmitting.get_mut(side) = self.collect_traces(side, &mut notes);
        }
        let mut datagrams = Vec::new();
        for side in [Side::Client, Side::Server] {
            self.collect_datagrams(side, *retransmitting.get_mut(side), &mut datagrams);
        }
        datagrams.sort_by_key(|d| (d.sent_at, d.id));
        let now = self.pair.now().as_millis();
        StepReport {
            now,
            datagrams,
            notes,
            connected: self.pair.client.is_connected() && self.pair.server.is_connected(),
            finished: self.pair.to_server.in_flight() == 0
                && self.pair.to_client.in_flight() == 0
                && self.pair.client.deadline().is_none()
                && self.pair.server.deadline().is_none(),
            client_state: format!("{:?}", self.pair.client.state()),
            server_state: format!("{:?}", self.pair.server.state()),
        }
    }

    fn collect_events(&mut self, side: Side, notes: &mut Vec<Note>) {
        let events = self.pair.events(side);
        let cursor = self.cursors.get_mut(side);
        let new: Vec<_> = events.get(cursor.events..).unwrap_or_default().to_vec();
        cursor.events = events.len();
        for (at, event) in new {
            let at = at.as_millis();
            let (kind, text) = match event {
                Event::Connected { suite } => {
                    if self.pair.client.is_connected() && self.pair.server.is_connected() {
                        self.connected.get_or_insert((at, suite));
                    }
                    (
                        "connected",
                        format!("handshake complete: {}", suite.iana_name()),
                    )
                }
                Event::Data(bytes) => (
                    "data",
                    format!("received \"{}\"", String::from_utf8_lossy(&bytes)),
                ),
                Event::Closed => ("closed", "the peer sent close_notify".into()),
                Event::Error(error) => ("error", error.to_string()),
                Event::KeyLog(line) => {
                    self.key_log = Some(line);
                    self.derive_keys();
                    continue;
                }
            };
            notes.push(Note {
                at,
                side: side_name(side),
                kind,
                text,
            });
        }
    }

    /// Notes the traces worth showing; returns whether the side retransmitted.
    fn collect_traces(&mut self, side: Side, notes: &mut Vec<Note>) -> bool {
        let traces = self.pair.traces(side);
        let cursor = self.cursors.get_mut(side);
        let new = traces.get(cursor.traces..).unwrap_or_default();
        cursor.traces = traces.len();
        let mut retransmitted = false;
        for (at, trace) in new {
            let at = at.as_millis();
            let (kind, text) = match trace {
                Trace::State { from, to } => ("state", format!("{from:?} → {to:?}")),
                Trace::Retransmit { transmissions } => {
                    retransmitted = true;
                    (
                        "retransmit",
                        format!(
                            "timer fired or peer repeated: flight sent again (send #{transmissions})"
                        ),
                    )
                }
                Trace::Timer { deadline: Some(d) } => (
                    "timer",
                    format!(
                        "retransmission timer set: fires in {} ms",
                        d.as_millis().saturating_sub(at)
                    ),
                ),
                Trace::Timer { deadline: None } => ("timer", "timer stopped".into()),
                Trace::Dropped { reason } => {
                    ("dropped", format!("dropped: {}", drop_reason(*reason)))
                }
                Trace::Record { .. } | Trace::Message { .. } => continue,
            };
            notes.push(Note {
                at,
                side: side_name(side),
                kind,
                text,
            });
        }
        retransmitted
    }

    fn collect_datagrams(&mut self, side: Side, retransmission: bool, out: &mut Vec<Datagram>) {
        let link = match side {
            Side::Client => &self.pair.to_server,
            Side::Server => &self.pair.to_client,
        };
        let cursor = self.cursors.get_mut(side);
        let new: Vec<_> = link
            .transfers()
            .get(cursor.transfers..)
            .unwrap_or_default()
            .to_vec();
        cursor.transfers = link.transfers().len();
        for transfer in new {
            if side == Side::Server && self.server_random.is_none() {
                self.server_random = server_random(&transfer.bytes);
                self.derive_keys();
            }
            let records: Vec<RecordLabel> = self
                .dissect(side, &transfer.bytes)
                .into_iter()
                .map(|r| RecordLabel {
                    title: r.title,
                    epoch: r.epoch,
                })
                .collect();
            let handshake = records.iter().any(|r| is_handshake_title(&r.title));
            let flight = flight_number(side, &records);
            out.push(Datagram {
                id: self.datagrams.len(),
                from: side_name(side),
                sent_at: transfer.sent_at.as_millis(),
                arrives_at: transfer.arrives_at.map(|t| t.as_millis()),
                fate: fate_name(transfer.fate),
                size: transfer.bytes.len(),
                records,
                retransmission: retransmission && handshake,
                flight,
            });
            self.datagrams.push((side, transfer.bytes));
        }
    }

    fn derive_keys(&mut self) {
        if let (None, Some(line), Some(random)) = (&self.keys, &self.key_log, &self.server_random) {
            self.keys = SessionKeys::derive(self.suite, line, random);
        }
    }
}

/// Whether a record title belongs to the handshake (messages or the epoch switch).
fn is_handshake_title(title: &str) -> bool {
    !(title.starts_with("ApplicationData") || title.starts_with("Alert"))
}

/// The flight a datagram's handshake records belong to, as RFC 6347 §4.2.4's figure
/// numbers a full handshake with a cookie exchange: 1 ClientHello, 2
/// HelloVerifyRequest, 3 ClientHello with the cookie, 4 the server's hello flight, 5
/// the client's key exchange and Finished, 6 the server's Finished. By what the
/// datagram carries, not by counting: a stateless server answers each resent first
/// ClientHello with a new HelloVerifyRequest, which is flight 2 again, not a flight 3.
fn flight_number(side: Side, records: &[RecordLabel]) -> Option<u32> {
    let first = records.iter().find(|r| is_handshake_title(&r.title))?;
    let message = first.title.split(' ').next().unwrap_or_default();
    Some(match (side, message) {
        // The first ClientHello is message_seq 0; the one with the cookie follows it.
        (Side::Client, "ClientHello") if first.title.starts_with("ClientHello (message_seq 0") => 1,
        (Side::Client, "ClientHello") => 3,
        (Side::Client, _) => 5,
        (Side::Server, "HelloVerifyRequest") => 2,
        (Side::Server, "ChangeCipherSpec" | "Finished") => 6,
        (Side::Server, _) => 4,
    })
}

/// "client" or "server".
pub fn side_name(side: Side) -> &'static str {
    match side {
        Side::Client => "client",
        Side::Server => "server",
    }
}

fn fate_name(fate: Fate) -> &'static str {
    match fate {
        Fate::Delivered => "delivered",
        Fate::Dropped => "dropped",
        Fate::Duplicated => "duplicated",
        Fate::Reordered => "reordered",
    }
}

fn drop_reason(reason: DropReason) -> &'static str {
    match reason {
        DropReason::BadMac => "a record failed authentication",
        DropReason::Replayed => "a replayed or too old record",
        DropReason::Malformed => "a malformed record",
        DropReason::Unexpected => "a record not acceptable now (a repeat, or the wrong epoch)",
        DropReason::ReassemblyFull => "a fragment beyond the reassembly limits",
        DropReason::BadCookie => "a ClientHello without a valid cookie",
        DropReason::PoolFull => "a new client: the pool is full",
        DropReason::UnknownPeer => "a datagram from an unknown peer",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// Runs a demo until both sides are connected (or 2 000 steps); returns every
    /// datagram and note.
    fn run(settings: &Settings) -> (Demo, Vec<Datagram>, Vec<Note>) {
        run_demo(Demo::new(settings).unwrap())
    }

    /// Runs `demo` as [`run`] does.
    fn run_demo(mut demo: Demo) -> (Demo, Vec<Datagram>, Vec<Note>) {
        let mut report = demo.start().unwrap();
        let (mut datagrams, mut notes) = (Vec::new(), Vec::new());
        for _ in 0..2_000 {
            datagrams.append(&mut report.datagrams);
            notes.append(&mut report.notes);
            if report.connected || report.finished {
                break;
            }
            report = demo.step();
        }
        (demo, datagrams, notes)
    }

    fn settings(suite: &str, loss: f64, seed: u64) -> Settings {
        Settings {
            suite: suite.into(),
            loss_percent: loss,
            seed,
            ..Settings::default()
        }
    }

    fn titles(d: &Datagram) -> Vec<&str> {
        d.records
            .iter()
            .map(|r| r.title.split(' ').next().unwrap())
            .collect()
    }

    #[test]
    fn a_perfect_link_shows_every_flight_in_order() {
        for suite in CipherSuite::SERVED {
            let (demo, datagrams, notes) = run(&settings(suite.short_name(), 0.0, 7));
            let summary = demo.summary();
            assert_eq!(summary.suite, Some(suite.iana_name()));
            assert!(summary.handshake_ms.is_some());
            let ladder: Vec<Vec<&str>> = datagrams.iter().map(titles).collect();
            let flights: Vec<Option<u32>> = datagrams.iter().map(|d| d.flight).collect();
            let psk = [
                vec!["ClientHello"],
                vec!["HelloVerifyRequest"],
                vec!["ClientHello"],
                vec!["ServerHello", "ServerHelloDone"],
                vec!["ClientKeyExchange", "ChangeCipherSpec", "Finished"],
                vec!["ChangeCipherSpec", "Finished"],
            ];
            let ecdsa = [
                vec!["ClientHello"],
                vec!["HelloVerifyRequest"],
                vec!["ClientHello"],
                vec![
                    "ServerHello",
                    "Certificate",
                    "ServerKeyExchange",
                    "ServerHelloDone",
                ],
                vec!["ClientKeyExchange", "ChangeCipherSpec", "Finished"],
                vec!["ChangeCipherSpec", "Finished"],
            ];
            let ecdhe_psk = [
                vec!["ClientHello"],
                vec!["HelloVerifyRequest"],
                vec!["ClientHello"],
                vec!["ServerHello", "ServerKeyExchange", "ServerHelloDone"],
                vec!["ClientKeyExchange", "ChangeCipherSpec", "Finished"],
                vec!["ChangeCipherSpec", "Finished"],
            ];
            let expected = match suite.key_exchange() {
                wasm_dtls::KeyExchange::Psk => psk.to_vec(),
                wasm_dtls::KeyExchange::EcdhePsk => ecdhe_psk.to_vec(),
                wasm_dtls::KeyExchange::EcdheEcdsa | wasm_dtls::KeyExchange::EcdheRsa => {
                    ecdsa.to_vec()
                }
            };
            assert_eq!(ladder, expected, "{suite:?}");
            assert_eq!(flights, (1..=6).map(Some).collect::<Vec<_>>());
            assert!(
                datagrams
                    .iter()
                    .all(|d| d.fate == "delivered" && !d.retransmission)
            );
            // The epoch switch: Finished goes under epoch 1, right after ChangeCipherSpec.
            let last = &datagrams[5].records;
            assert_eq!((last[0].epoch, last[1].epoch), (0, 1));
            assert!(
                notes
                    .iter()
                    .any(|n| n.kind == "connected" && n.side == "client")
            );
            assert!(
                notes
                    .iter()
                    .any(|n| n.kind == "timer" && n.text.contains("1000 ms"))
            );
        }
    }

    #[test]
    fn the_same_seed_replays_byte_for_byte_and_another_does_not() {
        let bytes = |seed| {
            let (demo, datagrams, _) = run(&settings("ecdsa-gcm", 30.0, seed));
            datagrams
                .iter()
                .map(|d| demo.inspect(d.id).unwrap().hex)
                .collect::<Vec<_>>()
        };
        assert_eq!(bytes(42), bytes(42));
        assert_ne!(bytes(42), bytes(43));
    }

    #[test]
    fn the_summary_keeps_the_negotiated_suite_after_the_session_closes() {
        let (mut demo, _, _) = run(&settings("psk-gcm", 0.0, 5));
        let before = demo.summary();
        assert_eq!(
            before.suite,
            Some(CipherSuite::PskAes128GcmSha256.iana_name())
        );
        let mut report = demo.close(Side::Client);
        let mut notes = Vec::new();
        for _ in 0..100 {
            notes.append(&mut report.notes);
            if report.finished {
                break;
            }
            report = demo.step();
        }
        assert!(
            notes
                .iter()
                .any(|n| n.kind == "closed" && n.side == "server")
        );
        assert!(notes.iter().all(|n| n.kind != "error"), "{notes:?}");
        let after = demo.summary();
        assert_eq!(after.suite, before.suite);
        assert_eq!(after.handshake_ms, before.handshake_ms);
    }

    #[test]
    fn loss_is_drawn_and_repaired_by_retransmission() {
        let mut retransmitted = 0;
        for seed in 1..=10 {
            let (demo, datagrams, notes) = run(&settings("psk-gcm", 30.0, seed));
            assert!(demo.summary().handshake_ms.is_some(), "seed {seed}");
            assert!(datagrams.iter().any(|d| d.fate == "dropped"), "seed {seed}");
            if datagrams.iter().any(|d| d.retransmission) {
                retransmitted += 1;
                assert!(notes.iter().any(|n| n.kind == "retransmit"));
                // The timer backs off: a later timer is longer than the first one.
                assert!(
                    notes
                        .iter()
                        .any(|n| n.kind == "timer" && n.text.contains("2000 ms"))
                );
            }
        }
        assert!(retransmitted >= 5, "{retransmitted}");
    }

    #[test]
    fn flights_are_numbered_as_the_rfc_numbers_them_whatever_is_lost() {
        // Ordered as the RFC's figure: each side's flights in turn, by what they carry.
        let expected = |d: &Datagram| match (d.from, titles(d)[0]) {
            ("client", "ClientHello") if d.records[0].title.contains("message_seq 0") => 1,
            ("server", "HelloVerifyRequest") => 2,
            ("client", "ClientHello") => 3,
            ("server", "ServerHello" | "Certificate" | "ServerKeyExchange") => 4,
            ("server", "CertificateRequest" | "ServerHelloDone") => 4,
            ("client", _) => 5,
            ("server", _) => 6,
            _ => unreachable!(),
        };
        let mut answered_twice = 0;
        for seed in 1..=10 {
            let (_, datagrams, _) = run(&settings("psk-ccm8", 30.0, seed));
            for d in &datagrams {
                assert_eq!(d.flight, Some(expected(d)), "seed {seed}: {:?}", d.records);
            }
            let hello_verify_requests = datagrams.iter().filter(|d| d.flight == Some(2)).count();
            answered_twice += usize::from(hello_verify_requests > 1);
        }
        // The case that counted flights wrongly: a resent first ClientHello answered again.
        assert!(answered_twice > 0);
    }

    #[test]
    fn a_tiny_mtu_fragments_the_certificate() {
        let mut s = settings("ecdsa-ccm8", 0.0, 3);
        s.mtu = 200;
        let (demo, datagrams, _) = run(&s);
        assert!(demo.summary().handshake_ms.is_some());
        assert!(datagrams.iter().all(|d| d.size <= 200));
        let fragments = datagrams
            .iter()
            .flat_map(|d| &d.records)
            .filter(|r| r.title.starts_with("Certificate (message_seq 2, bytes"))
            .count();
        assert!(fragments >= 3, "{fragments}");
    }

    #[test]
    fn chat_messages_arrive_and_decrypt_in_the_inspector() {
        let (mut demo, _, _) = run(&settings("psk-ccm8", 0.0, 5));
        let sent = demo.send(Side::Client, "hello, server").unwrap();
        assert_eq!(sent.datagrams.len(), 1);
        let id = sent.datagrams[0].id;
        assert_eq!(
            sent.datagrams[0].records[0].title,
            "ApplicationData (encrypted)"
        );
        let mut received = Vec::new();
        for _ in 0..100 {
            let report = demo.step();
            received.extend(report.notes.into_iter().filter(|n| n.kind == "data"));
            if report.finished {
                break;
            }
        }
        assert_eq!(received.len(), 1);
        assert_eq!(received[0].side, "server");
        assert_eq!(received[0].text, "received \"hello, server\"");
        let record = &demo.inspect(id).unwrap().records[0];
        let plaintext = record.plaintext.as_ref().unwrap();
        assert_eq!(plaintext.text.as_deref(), Some("hello, server"));
        let names: Vec<_> = record.fields[1]
            .children
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "explicit nonce (epoch ‖ sequence)",
                "ciphertext",
                "authentication tag"
            ]
        );
        assert_eq!(
            record.fields[1].children[2].end - record.fields[1].children[2].start,
            8
        );
        assert!(demo.summary().keys.is_some());
    }

    /// RFC 7905: a ChaCha20-Poly1305 record carries no explicit nonce, so the
    /// inspector shows ciphertext and a 16-byte tag only, opens it, and shows the
    /// 32-byte keys and 12-byte IVs of the key block.
    #[test]
    fn a_chacha20_record_has_no_explicit_nonce_and_still_opens() {
        let (mut demo, _, _) = run(&settings("psk-chacha20", 0.0, 5));
        let sent = demo.send(Side::Client, "hello, chacha").unwrap();
        let record = &demo.inspect(sent.datagrams[0].id).unwrap().records[0];
        assert_eq!(
            record.plaintext.as_ref().unwrap().text.as_deref(),
            Some("hello, chacha")
        );
        assert_eq!(
            names(&record.fields[1]),
            ["ciphertext", "authentication tag"]
        );
        let tag = &record.fields[1].children[1];
        assert_eq!(tag.end - tag.start, 16);
        assert!(
            record.explanation.contains("RFC 7905"),
            "{}",
            record.explanation
        );
        let keys = demo.summary().keys.unwrap();
        assert_eq!(keys.client_write_key.len(), 2 * 32);
        assert_eq!(keys.server_write_iv.len(), 2 * 12);
        assert_eq!(
            demo.summary().suite,
            Some("TLS_PSK_WITH_CHACHA20_POLY1305_SHA256")
        );
    }

    #[test]
    fn the_chosen_group_is_offered_first_and_used() {
        let mut s = settings("ecdsa-ccm8", 0.0, 5);
        s.group = "P-256".into();
        let (demo, _, _) = run(&s);
        assert_eq!(demo.summary().group, Some("secp256r1"));
        let flight = demo.inspect(3).unwrap();
        let kex = flight
            .records
            .iter()
            .flat_map(|r| &r.fields[1].children)
            .find(|m| m.name.starts_with("ServerKeyExchange"))
            .unwrap();
        let params = &kex.children[1].children;
        assert_eq!(params[1].value, "secp256r1 (23)");
        s.group = "x448".into();
        assert!(Demo::new(&s).is_err());
        // PSK: no group.
        let (demo, _, _) = run(&settings("psk-gcm", 0.0, 5));
        assert_eq!(demo.summary().group, None);
    }

    /// The names of a field's children.
    fn names(field: &crate::dissect::Field) -> Vec<&str> {
        field.children.iter().map(|f| f.name.as_str()).collect()
    }

    #[test]
    fn the_inspector_takes_each_message_apart_with_exact_byte_ranges() {
        let mut s = settings("ecdsa-gcm", 0.0, 9);
        s.client_certificate = true;
        let (demo, datagrams, _) = run(&s);
        assert!(demo.summary().handshake_ms.is_some());
        // The second ClientHello, with the cookie.
        let hello = demo.inspect(2).unwrap();
        let record = &hello.records[0];
        assert_eq!((record.start, record.end), (0, hello.hex.len() / 2));
        assert_eq!(
            names(&record.fields[0]),
            ["type", "version", "epoch", "sequence_number", "length"]
        );
        assert_eq!(record.fields[0].children[1].value, "DTLS 1.2 (0xfefd)");
        let message = &record.fields[1].children[0];
        assert_eq!(message.name, "ClientHello (message_seq 1)");
        let body = &message.children[1];
        assert_eq!(
            names(body),
            [
                "client_version",
                "random",
                "session_id",
                "cookie",
                "cipher_suites",
                "compression_methods",
                "extensions"
            ]
        );
        let cookie = &body.children[3];
        assert_eq!(
            cookie.end - cookie.start,
            33,
            "a 32-byte cookie and its length"
        );
        let suites: Vec<&str> = body.children[4]
            .children
            .iter()
            .map(|f| f.value.as_str())
            .collect();
        assert_eq!(
            suites[0],
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (0xc02b)"
        );
        let extensions = names(&body.children[6]);
        for name in [
            "supported_groups",
            "ec_point_formats",
            "signature_algorithms",
            "extended_master_secret",
            "renegotiation_info",
        ] {
            assert!(
                extensions.contains(&name),
                "{name} missing from {extensions:?}"
            );
        }
        // Every field lies inside its parent.
        fn nested(field: &crate::dissect::Field) {
            for child in &field.children {
                assert!(
                    field.start <= child.start && child.end <= field.end,
                    "{child:?} outside {}",
                    field.name
                );
                nested(child);
            }
        }
        record.fields.iter().for_each(nested);

        // The server's flight: the certificate names its subject, the key exchange is signed.
        let flight = demo.inspect(3).unwrap();
        let messages: Vec<&crate::dissect::Field> = flight
            .records
            .iter()
            .flat_map(|r| &r.fields[1].children)
            .collect();
        let certificate = messages
            .iter()
            .find(|m| m.name.starts_with("Certificate ("))
            .unwrap();
        assert!(
            certificate.children[1].children[0].children[0]
                .value
                .starts_with("CN=")
        );
        let kex = messages
            .iter()
            .find(|m| m.name.starts_with("ServerKeyExchange"))
            .unwrap();
        assert_eq!(
            names(&kex.children[1]),
            [
                "curve_type",
                "named_curve",
                "public (ephemeral ECDHE key)",
                "signature_algorithm",
                "signature"
            ]
        );
        // The default group: X25519, a 32-byte key (hex, two digits a byte).
        let params = &kex.children[1].children;
        assert_eq!(params[1].value, "x25519 (29)");
        assert_eq!(demo.summary().group, Some("x25519"));
        assert!(
            messages
                .iter()
                .any(|m| m.name.starts_with("CertificateRequest"))
        );

        // The client's Finished, decrypted: a handshake header and 12 bytes of verify_data.
        let last_client = datagrams.iter().rfind(|d| d.from == "client").unwrap();
        let finished = demo.inspect(last_client.id).unwrap().records.pop().unwrap();
        assert_eq!(finished.epoch, 1);
        assert!(finished.title.starts_with("Finished"), "{}", finished.title);
        let plain = finished.plaintext.unwrap();
        let verify = &plain.fields[0].children[1].children[0];
        assert_eq!(
            (verify.name.as_str(), verify.end - verify.start),
            ("verify_data", 12)
        );
        assert!(!finished.explanation.is_empty());
    }

    #[test]
    fn bad_settings_are_refused_with_the_netx_code() {
        let bad = [
            settings("rc4-md5", 0.0, 1),
            settings("psk-gcm", 130.0, 1),
            Settings {
                mtu: 20,
                ..Settings::default()
            },
        ];
        for s in bad {
            let error = Demo::new(&s).err().unwrap();
            assert_eq!(error.status().code(), 0x4D, "{error}");
        }
        // The demo's server has no RSA key: an ECDHE_RSA suite is refused saying so.
        let error = Demo::new(&settings("rsa-gcm", 0.0, 1)).err().unwrap();
        assert_eq!(error.status().code(), 0x4D);
        assert!(error.to_string().contains("no RSA certificate"), "{error}");
    }

    #[test]
    fn the_next_run_resumes_the_session_with_the_abbreviated_handshake() {
        for suite in ["ecdsa-ccm8", "psk-chacha20"] {
            let (first, _, _) = run(&settings(suite, 0.0, 5));
            assert!(first.summary().resumable, "{suite}");
            assert!(!first.summary().resumed);
            let (resumed, datagrams, _) = run_demo(first.resumed().unwrap());
            let summary = resumed.summary();
            assert!(summary.resumed, "{suite}");
            assert_eq!(summary.suite, first.summary().suite);
            // ClientHello, HelloVerifyRequest, ClientHello with the cookie, then the
            // server's ServerHello with its ChangeCipherSpec and Finished, and the
            // client's: no certificates, no key exchange.
            let flights: Vec<Option<u32>> = datagrams.iter().map(|d| d.flight).collect();
            assert_eq!(flights, [1, 2, 3, 4, 5].map(Some), "{suite}");
            let titles = |d: &Datagram| -> Vec<String> {
                d.records.iter().map(|r| r.title.clone()).collect()
            };
            let server_flight = titles(&datagrams[3]);
            assert!(
                server_flight[0].starts_with("ServerHello"),
                "{server_flight:?}"
            );
            assert!(
                server_flight
                    .iter()
                    .any(|t| t.starts_with("ChangeCipherSpec"))
            );
            assert!(!server_flight.iter().any(|t| t.starts_with("Certificate")));
            // Labelled as it is drawn: the Finished opened with the keys just derived.
            assert!(
                server_flight[2].starts_with("Finished"),
                "{server_flight:?}"
            );
            assert!(
                titles(&datagrams[4])[1].starts_with("Finished"),
                "{datagrams:?}"
            );
            // The new keys are known: the inspector opens the server's Finished.
            assert!(summary.keys.is_some());
            let finished = resumed.inspect(3).unwrap();
            let text = format!("{:?}", finished.records.last().unwrap());
            assert!(text.contains("verify_data"), "{text}");
        }
        // Before the handshake completed there is nothing to resume.
        let demo = Demo::new(&settings("psk-ccm8", 0.0, 6)).unwrap();
        assert!(!demo.summary().resumable);
        let error = demo.resumed().err().unwrap();
        assert_eq!(error.status().code(), 0x103);
    }
}

//! One DTLS association with one peer: the handshake state machine of either role on
//! top of the record layer, driven sans-IO.
//!
//! The caller feeds in what happened — [`Session::handle_datagram`],
//! [`Session::handle_timeout`], [`Session::send`], [`Session::close`] — each with its
//! own `now`, and then drains [`Session::poll_output`] until it returns
//! [`Output::Wait`]: datagrams to put on the wire, events for the application, and the
//! instant at which to call `handle_timeout` next.

mod client;
mod flight;
mod incoming;
mod record_layer;
mod server;
mod transcript;

use std::collections::VecDeque;
use std::sync::Arc;

use crate::alert::{Alert, AlertDescription};
use crate::config::Config;
use crate::crypto::{CookieJar, MasterSecret, RecordCipher};
use crate::error::Error;
use crate::group::NamedGroup;
use crate::handshake::{
    CertificateMessage, HANDSHAKE_HEADER_LEN, HandshakeHeader, HandshakeType, Reassembler,
    fragment_count, split,
};
use crate::record::{ContentType, MAX_PLAINTEXT_LEN, RecordHeader};
use crate::resumption::{Established, SavedSession, SessionSecret};
use crate::rng::{OsRandom, Random};
use crate::suite::{CipherSuite, KeyExchange, PrfHash};
use crate::time::Instant;
use crate::trace::{Direction, DropReason, Trace};
use crate::x509::{Certificate, CertificateProblem, Purpose, VerifyOptions, verify_chain};

pub(crate) use record_layer::plaintext_record;
pub(crate) use server::{has_valid_cookie, hello_verify_request_record};

use flight::{Flight, FlightMessage};
use record_layer::{DatagramPacker, RecordLayer};
use transcript::{Transcript, TranscriptHash};

/// Which side of the handshake a session plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Sends the ClientHello.
    Client,
    /// Answers it.
    Server,
}

/// Where a session is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// Created; `start` (client) or the first datagram (server) begins the handshake.
    Idle,
    /// The handshake is going on.
    Handshaking,
    /// Application data can flow both ways.
    Connected,
    /// close_notify was sent or received.
    Closed,
    /// A fatal error or timeout ended the session; see the `Event::Error` it produced.
    Failed,
}

impl SessionState {
    /// Handshaking or connected: the session processes records and keeps timers.
    pub fn is_live(self) -> bool {
        matches!(self, SessionState::Handshaking | SessionState::Connected)
    }
}

/// Something the application should know about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The handshake completed (NetX: connect; `client_session_start` returns success).
    Connected {
        /// The negotiated suite.
        suite: CipherSuite,
    },
    /// Application data from the peer (NetX: receive_notify + `session_receive`).
    Data(Vec<u8>),
    /// The peer ended the session with close_notify (NetX:
    /// NX_SECURE_TLS_CLOSE_NOTIFY_RECEIVED 0x127). Our close_notify was sent in reply.
    Closed,
    /// The session ended with an error (NetX: error_notify with its status code).
    Error(Error),
    /// A line for an NSS key log file (SSLKEYLOGFILE format: `CLIENT_RANDOM <client
    /// random> <master secret>`, hex), only when [`Config::set_key_log`] asked for it,
    /// so Wireshark can decrypt a capture. It holds the session's secret.
    KeyLog(String),
}

/// Lower-case hex, for key log lines.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the caller must do next; drain until [`Output::Wait`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Send this datagram to the peer.
    Transmit(Vec<u8>),
    /// Deliver this event to the application.
    Event(Event),
    /// A trace event (only when [`Session::set_trace`] switched tracing on).
    Trace(Trace),
    /// Nothing more for now; call [`Session::handle_timeout`] at this instant, if any.
    Wait(Option<Instant>),
}

/// Counters of what the session saw and did. Nothing is dropped without being counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Datagrams handed to `handle_datagram`.
    pub datagrams_received: u64,
    /// Datagrams produced for sending.
    pub datagrams_sent: u64,
    /// Records accepted (authenticated and new).
    pub records_accepted: u64,
    /// Flights sent again (on timer or because the peer repeated its flight).
    pub retransmissions: u64,
    /// Records dropped because they failed authentication (RFC 6347 §4.1.2.7).
    pub dropped_bad_mac: u64,
    /// Records dropped as replays or as older than the replay window.
    pub dropped_replayed: u64,
    /// Datagrams (or their rest) dropped because a record could not be parsed.
    pub dropped_malformed: u64,
    /// Records dropped because they were not acceptable now (wrong epoch or version,
    /// ChangeCipherSpec before the keys, data before the handshake completed, …).
    pub dropped_unexpected: u64,
    /// Handshake fragments dropped because the reassembly bounds were reached.
    pub dropped_reassembly: u64,
    /// Renegotiation attempts refused with a no_renegotiation warning.
    pub renegotiations_refused: u64,
}

/// Handshake progress, per role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Awaiting {
    /// Client: ClientHello sent; expecting HelloVerifyRequest or ServerHello.
    ServerHello,
    /// Client: ServerHello received; expecting ServerKeyExchange or ServerHelloDone.
    ServerHelloDone,
    /// Server: expecting a ClientHello with a valid cookie.
    ClientHello,
    /// Server: our flight is out; expecting ClientKeyExchange.
    ClientKeyExchange,
    /// Server: certificates were requested; expecting the client's Certificate.
    ClientCertificate,
    /// Server: the client sent a certificate; expecting its CertificateVerify.
    CertificateVerify,
    /// Either: keys derived; expecting the peer's ChangeCipherSpec and Finished.
    Finished,
}

/// Everything that lives only while a handshake is in progress.
struct Handshake {
    step: Awaiting,
    client_random: [u8; 32],
    server_random: [u8; 32],
    suite: Option<CipherSuite>,
    extended_master_secret: bool,
    transcript: Transcript,
    master_secret: Option<MasterSecret>,
    /// The message_seq of our next handshake message.
    next_send_seq: u16,
    /// Client: the ClientHello body, kept to repeat it with a cookie.
    client_hello: Option<crate::handshake::ClientHello>,
    /// Client: the identity hint from ServerKeyExchange.
    psk_hint: Vec<u8>,
    /// Client: HelloVerifyRequests with a new cookie so far.
    hello_verify_requests: u8,
    /// Our ephemeral ECDH key (ECDHE suites).
    ecdh_key: Option<crate::crypto::ecdhe::EphemeralKey>,
    /// Client: the server's ephemeral ECDHE public key.
    peer_ecdh: Option<crate::crypto::ecdhe::PeerShare>,
    /// The public key of the peer's verified certificate.
    peer_key: Option<crate::x509::PublicKey>,
    /// Client: the server asked for our certificate. Server: we asked for the client's.
    certificate_requested: bool,
    /// Client: the server's CertificateRequest takes our kind of certificate, ECDSA
    /// with ecdsa_secp256r1_sha256 (RFC 5246 §7.4.4); if not, we send none (§7.4.6).
    our_certificate_taken: bool,
    /// The session ID of the ServerHello (empty: the session cannot be resumed).
    session_id: Vec<u8>,
}

impl Handshake {
    fn new(step: Awaiting) -> Handshake {
        Handshake {
            step,
            client_random: [0; 32],
            server_random: [0; 32],
            suite: None,
            extended_master_secret: false,
            transcript: Transcript::default(),
            master_secret: None,
            next_send_seq: 0,
            client_hello: None,
            psk_hint: Vec::new(),
            hello_verify_requests: 0,
            ecdh_key: None,
            peer_ecdh: None,
            peer_key: None,
            certificate_requested: false,
            our_certificate_taken: false,
            session_id: Vec::new(),
        }
    }

    /// The transcript hashed with `hash`: the negotiated suite's PRF hash, or SHA-256.
    fn transcript_hash(&self, hash: PrfHash) -> Result<TranscriptHash, Error> {
        self.transcript.current(hash).ok_or(Error::InvalidState(
            "the transcript dropped the suite's hash",
        ))
    }
}

/// One DTLS 1.2 session (NetX: `NX_SECURE_DTLS_SESSION`), client or server.
pub struct Session {
    role: Role,
    config: Arc<Config>,
    rng: Box<dyn Random>,
    state: SessionState,
    /// Server: the peer's address as the caller identifies it; cookies are bound to it.
    peer: Vec<u8>,
    /// A standalone server's cookie secrets; `None` for a client and for a pool
    /// session, whose first ClientHello the pool verified (see `with_cookies`). Boxed:
    /// the keyed HMACs are ~400 bytes that clients and pool sessions need no room for.
    cookies: Option<Box<CookieJar>>,
    /// Boxed: an established session (most of a server's pool) carries one pointer
    /// instead of the whole handshake state.
    handshake: Option<Box<Handshake>>,
    reassembler: Reassembler,
    records: RecordLayer,
    /// The last flight we sent: retransmitted on timer while armed, and when the peer
    /// repeats its own last flight.
    flight: Option<Flight>,
    /// Set while one datagram is processed, so a datagram full of repeated messages
    /// causes at most one retransmission.
    retransmitted_for_datagram: bool,
    /// Records of the next epoch that arrived before its ChangeCipherSpec.
    early_records: Vec<Vec<u8>>,
    /// Application data that authenticated under the new keys before the peer's
    /// Finished did (its final flight lost, its data not): delivered once the
    /// handshake completes, bounded like `early_records`.
    early_data: Vec<Vec<u8>>,
    /// The record sequence number of the record being processed.
    record_sequence: u64,
    suite: Option<CipherSuite>,
    /// The ECDHE group, once chosen (server) or learnt from ServerKeyExchange (client).
    group: Option<NamedGroup>,
    psk_identity: Option<Vec<u8>>,
    peer_certificates: Vec<Vec<u8>>,
    /// Client: the saved session to offer in the ClientHello. Server: the pool's cached
    /// session with the ID the ClientHello carries. Boxed, as the next two: most
    /// sessions carry only the pointer.
    resumption_offer: Option<Box<SavedSession>>,
    /// What a later connection can resume, once the handshake completed with an ID
    /// (the rest of the saved session is in the fields above).
    secret: Option<Box<SessionSecret>>,
    /// Server: give full handshakes a session ID (a pool with a session cache).
    issue_session_ids: bool,
    /// The handshake was abbreviated: a resumption of a saved session.
    resumed: bool,
    last_received: Instant,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
    stats: Stats,
    trace_enabled: bool,
    traces: VecDeque<Trace>,
    traced_deadline: Option<Instant>,
}

impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("role", &self.role)
            .field("state", &self.state)
            .field("suite", &self.suite)
            .field("group", &self.group)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// At most this many bytes of next-epoch records are held until their ChangeCipherSpec.
const MAX_EARLY_RECORD_BYTES: usize = 4 * 1500;

impl Session {
    /// A client session (NetX `session_create` + `psk_add` on the session's config).
    /// Call [`Session::start`] to send the ClientHello.
    pub fn client(config: impl Into<Arc<Config>>) -> Session {
        Session::with_rng(Role::Client, config.into(), &[], Box::new(OsRandom))
    }

    /// A standalone server session for the peer identified by `peer` (any stable
    /// encoding of its address and port; the HelloVerifyRequest cookie is bound to it).
    /// It waits for the peer's ClientHello.
    pub fn server(config: impl Into<Arc<Config>>, peer: &[u8]) -> Session {
        Session::with_rng(Role::Server, config.into(), peer, Box::new(OsRandom))
    }

    /// A session with an injected random source (seeded in tests and demos).
    pub fn with_rng(
        role: Role,
        config: Arc<Config>,
        peer: &[u8],
        mut rng: Box<dyn Random>,
    ) -> Session {
        // Only a server makes cookies; a client draws no secret for them.
        let cookies = (role == Role::Server).then(|| Box::new(CookieJar::generate(rng.as_mut())));
        Session::with_cookies(role, config, peer, rng, cookies)
    }

    /// A session whose HelloVerifyRequest cookies come from `cookies`. `None` for a
    /// client, and for a pool's server session: the pool verified the cookie of the
    /// ClientHello it hands in first (RFC 6347 §4.2.1 is done by the pool), so the
    /// session neither checks it again nor holds a copy of the secrets.
    pub(crate) fn with_cookies(
        role: Role,
        config: Arc<Config>,
        peer: &[u8],
        rng: Box<dyn Random>,
        cookies: Option<Box<CookieJar>>,
    ) -> Session {
        let reassembler = Reassembler::new(0, config.reassembly_limits());
        let state = match role {
            Role::Client => SessionState::Idle,
            Role::Server => SessionState::Handshaking,
        };
        let mut session = Session {
            role,
            config,
            rng,
            state,
            peer: peer.to_vec(),
            cookies,
            handshake: None,
            reassembler,
            records: RecordLayer::default(),
            flight: None,
            retransmitted_for_datagram: false,
            early_records: Vec::new(),
            early_data: Vec::new(),
            record_sequence: 0,
            suite: None,
            group: None,
            psk_identity: None,
            peer_certificates: Vec::new(),
            resumption_offer: None,
            secret: None,
            issue_session_ids: false,
            resumed: false,
            last_received: Instant::ZERO,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            stats: Stats::default(),
            trace_enabled: false,
            traces: VecDeque::new(),
            traced_deadline: None,
        };
        if role == Role::Server {
            session.handshake = Some(Box::new(Handshake::new(Awaiting::ClientHello)));
        }
        session
    }

    /// Begins the client handshake: the ClientHello goes out at the next `poll_output`
    /// (NetX `client_session_start`).
    ///
    /// Fails with NX_SECURE_TLS_INVALID_STATE on a server or a session already started,
    /// NX_SECURE_TLS_SESSION_UNINITIALIZED on a session that has ended (call
    /// [`Session::reset`] first), NX_INVALID_PARAMETERS without a pre-shared key.
    pub fn start(&mut self, now: Instant) -> Result<(), Error> {
        if self.role != Role::Client {
            return Err(Error::InvalidState(
                "a server session starts when the client's ClientHello arrives",
            ));
        }
        match self.state {
            SessionState::Idle => {}
            SessionState::Closed | SessionState::Failed => {
                return Err(Error::SessionUninitialized);
            }
            SessionState::Handshaking | SessionState::Connected => {
                return Err(Error::InvalidState("the session is already started"));
            }
        }
        let suites = self.config.cipher_suites();
        if !suites.iter().any(|s| self.config.is_usable(*s, false)) {
            return Err(Error::InvalidParameters(
                "the client needs a pre-shared key (psk_add) or a trusted certificate (trusted_certificate_add) for one of its enabled suites",
            ));
        }
        self.set_state(SessionState::Handshaking);
        self.last_received = now;
        let result = self.send_client_hello(now);
        self.fail_on_error(result);
        Ok(())
    }

    /// Handles one datagram received from the peer at `now`.
    pub fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
        self.stats.datagrams_received += 1;
        if matches!(
            self.state,
            SessionState::Idle | SessionState::Closed | SessionState::Failed
        ) {
            self.dropped(DropReason::Unexpected);
            return;
        }
        self.retransmitted_for_datagram = false;
        let result = self.process_datagram(now, datagram);
        self.fail_on_error(result);
    }

    /// Handles the expiry of the deadline from [`Output::Wait`] (early calls are fine).
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(idle) = self.idle_deadline()
            && now >= idle
        {
            self.fail(Error::IdleTimeout);
            return;
        }
        let Some(flight) = &self.flight else { return };
        let Some(deadline) = flight.deadline() else {
            return;
        };
        if now < deadline {
            return;
        }
        let transmissions = flight.transmissions;
        if transmissions >= self.config.retransmit().max_transmissions {
            self.fail(Error::HandshakeTimeout { transmissions });
            return;
        }
        self.count_retransmission();
        let result = self.transmit_flight(now);
        self.fail_on_error(result);
    }

    /// Encrypts `data` as one application-data record (NetX `session_send`).
    ///
    /// Fails with NX_NOT_CONNECTED before the handshake completes,
    /// NX_SECURE_TLS_SESSION_UNINITIALIZED after the session ended, and
    /// NX_SECURE_TLS_ALLOCATE_PACKET_FAILED when `data` is larger than one record at
    /// the configured MTU ([`Session::max_send_len`]).
    pub fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        match self.state {
            SessionState::Connected => {}
            SessionState::Idle | SessionState::Handshaking => return Err(Error::NotConnected),
            SessionState::Closed | SessionState::Failed => {
                return Err(Error::SessionUninitialized);
            }
        }
        let limit = self.max_send_len();
        if data.len() > limit {
            return Err(Error::RecordTooLarge {
                length: data.len(),
                limit,
            });
        }
        // Allocated at its final size: a first `reserve` takes the slower growth path.
        let mut record = Vec::with_capacity(self.records.overhead(1) + data.len());
        self.records
            .seal_into(1, ContentType::APPLICATION_DATA, &[data], &mut record)?;
        self.queue_datagram(record);
        Ok(())
    }

    /// Ends the session with a close_notify alert (NetX `session_end`). Nothing more
    /// can be sent or received; [`Session::reset`] makes the session reusable.
    pub fn close(&mut self) {
        if self.state.is_live() {
            self.send_alert(Alert::close_notify());
        }
        self.end(SessionState::Closed);
    }

    /// Clears every ephemeral secret and state so that the session can start again;
    /// the configuration (keys, suites) stays (NetX `session_reset`).
    pub fn reset(&mut self) {
        let peer = core::mem::take(&mut self.peer);
        let rng = core::mem::replace(&mut self.rng, Box::new(OsRandom));
        let trace = self.trace_enabled;
        *self = Session::with_cookies(
            self.role,
            self.config.clone(),
            &peer,
            rng,
            self.cookies.take(),
        );
        self.trace_enabled = trace;
    }

    /// The next thing to do. Call until it returns [`Output::Wait`].
    pub fn poll_output(&mut self) -> Output {
        if let Some(t) = self.traces.pop_front() {
            return Output::Trace(t);
        }
        if let Some(d) = self.transmits.pop_front() {
            self.stats.datagrams_sent += 1;
            return Output::Transmit(d);
        }
        if let Some(e) = self.events.pop_front() {
            return Output::Event(e);
        }
        let deadline = self.next_deadline();
        if self.trace_enabled && deadline != self.traced_deadline {
            self.traced_deadline = deadline;
            return Output::Trace(Trace::Timer { deadline });
        }
        Output::Wait(deadline)
    }

    /// The role of this session.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Where the session is in its life.
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// Whether application data can be sent.
    pub fn is_connected(&self) -> bool {
        self.state == SessionState::Connected
    }

    /// The negotiated suite, once the ServerHello is settled.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.suite
    }

    /// The group the ECDHE key exchange uses, once known (the server chooses it with
    /// the suite; the client learns it from ServerKeyExchange). `None` with PSK.
    pub fn group(&self) -> Option<NamedGroup> {
        self.group
    }

    /// The peer's certificate chain (DER, own certificate first), once verified.
    pub fn peer_certificates(&self) -> &[Vec<u8>] {
        &self.peer_certificates
    }

    /// The PSK identity used by the handshake (the client's, as the server saw it).
    pub fn psk_identity(&self) -> Option<&[u8]> {
        self.psk_identity.as_deref()
    }

    /// Offers `saved` for resumption (RFC 5246 §7.3).
    ///
    /// On a client, before [`Session::start`]: `saved` comes from
    /// [`Session::saved_session`] of an earlier connection to the same server, and the
    /// ClientHello offers it. A server that still holds the session answers with the
    /// abbreviated handshake ([`Session::is_resumed`]); one that does not runs a full
    /// handshake, which saves a new session. It is offered only while its suite is
    /// enabled and usable and the configured server name is the one it was made with.
    ///
    /// On a standalone server, before the first datagram: `saved` is a session an
    /// earlier server session saved (see [`Session::set_session_ids`]), resumed if the
    /// client's ClientHello asks for it and can still have it. (A [`crate::Server`]
    /// pool keeps a cache of them and does this itself.)
    ///
    /// Fails with NX_SECURE_TLS_INVALID_STATE once the handshake has begun.
    pub fn set_saved_session(&mut self, saved: SavedSession) -> Result<(), Error> {
        let begun = match self.role {
            Role::Client => self.state != SessionState::Idle,
            Role::Server => self.stats.datagrams_received > 0,
        };
        if begun {
            return Err(Error::InvalidState(
                "a saved session is offered before the handshake begins (reset the session first)",
            ));
        }
        self.resumption_offer = Some(Box::new(saved));
        Ok(())
    }

    /// Server: whether full handshakes give the session an ID (32 random bytes in the
    /// ServerHello), so that [`Session::saved_session`] holds it once connected and a
    /// later server session can resume it. Off by default for a standalone server
    /// session; a [`crate::Server`] pool turns it on while its session cache is.
    pub fn set_session_ids(&mut self, issue: bool) {
        self.issue_session_ids = issue;
    }

    /// The session a later connection can resume ([`Session::set_saved_session`]),
    /// once the handshake completed with a session ID from the server and the extended
    /// master secret; after a resumption, the resumed session. `None` before, and after
    /// the session failed (RFC 5246 §7.2.2: a session ended by a fatal alert is not
    /// resumed); a close_notify keeps it.
    pub fn saved_session(&self) -> Option<SavedSession> {
        let secret = self.secret.as_deref()?;
        Some(SavedSession::new(Established {
            secret,
            suite: self.suite?,
            group: self.group,
            server_name: match self.role {
                Role::Client => self.config.server_name(),
                Role::Server => None,
            },
            psk_identity: self.psk_identity.as_deref(),
            peer_certificates: &self.peer_certificates,
        }))
    }

    /// Whether the handshake was abbreviated: a saved session resumed.
    pub fn is_resumed(&self) -> bool {
        self.resumed
    }

    /// Server: what the pool's cache needs once the handshake completed — the
    /// session's ID and, after a full handshake, the saved session to cache (a resumed
    /// one is in the cache already, so nothing is copied for it). The session keeps
    /// no copy.
    pub(crate) fn take_for_cache(&mut self) -> Option<(Vec<u8>, Option<Box<SavedSession>>)> {
        let saved = if self.resumed {
            None
        } else {
            self.saved_session().map(Box::new)
        };
        let secret = self.secret.take()?;
        Some((secret.into_id(), saved))
    }

    /// The peer address this server session was created for.
    pub fn peer(&self) -> &[u8] {
        &self.peer
    }

    /// Counters of received, sent and dropped traffic.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The next deadline, as the last [`Output::Wait`] would say.
    pub fn deadline(&self) -> Option<Instant> {
        self.next_deadline()
    }

    /// Bytes this session holds beyond its fixed size: queued datagrams, buffered
    /// handshake fragments and early records (for memory accounting).
    pub fn buffered_bytes(&self) -> usize {
        self.transmits.iter().map(Vec::len).sum::<usize>()
            + self.early_records.iter().map(Vec::len).sum::<usize>()
            + self.early_data.iter().map(Vec::len).sum::<usize>()
            + self.reassembler.buffered_bytes()
    }

    /// The largest `send` that fits in one record at the configured MTU.
    pub fn max_send_len(&self) -> usize {
        self.config
            .mtu()
            .saturating_sub(self.records.overhead(1))
            .min(MAX_PLAINTEXT_LEN)
    }

    fn next_deadline(&self) -> Option<Instant> {
        if !self.state.is_live() {
            return None;
        }
        let flight = self.flight.as_ref().and_then(Flight::deadline);
        match (flight, self.idle_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn idle_deadline(&self) -> Option<Instant> {
        if self.state != SessionState::Connected {
            return None;
        }
        self.config.idle_timeout().map(|t| self.last_received + t)
    }

    /// Makes `messages` our current flight and sends it.
    fn send_flight(
        &mut self,
        now: Instant,
        messages: Vec<FlightMessage>,
        expects_answer: bool,
    ) -> Result<(), Error> {
        // Sent once the peer's flight is processed: its last message is the one before
        // the next expected (none before the first ClientHello).
        let answers = self.reassembler.next_seq().checked_sub(1);
        self.flight = Some(Flight::new(
            messages,
            self.config.retransmit(),
            expects_answer,
            answers,
        ));
        self.transmit_flight(now)
    }

    /// (Re)sends the current flight: fragmented to the MTU, fresh sequence numbers,
    /// records packed into as few datagrams as fit.
    fn transmit_flight(&mut self, now: Instant) -> Result<(), Error> {
        let Some(mut flight) = self.flight.take() else {
            return Ok(());
        };
        let total = flight.messages.iter().map(|m| self.flight_bytes(m)).sum();
        let queue = core::mem::take(&mut self.transmits);
        let mut packer = DatagramPacker::new(self.config.mtu(), total, queue);
        let mut result = Ok(());
        for message in &flight.messages {
            result = self.seal_flight_message(message, &mut packer);
            if result.is_err() {
                break;
            }
        }
        self.transmits = packer.finish();
        flight.sent(now, self.config.retransmit());
        self.flight = Some(flight);
        result
    }

    /// Handshake body bytes that fit in one record of `epoch` within the MTU.
    fn fragment_room(&self, epoch: u16) -> usize {
        self.config
            .mtu()
            .saturating_sub(self.records.overhead(epoch))
            .saturating_sub(HANDSHAKE_HEADER_LEN)
    }

    /// Bytes of the records that carry `message`, headers and protection included.
    fn flight_bytes(&self, message: &FlightMessage) -> usize {
        match message {
            FlightMessage::ChangeCipherSpec { epoch } => self.records.overhead(*epoch) + 1,
            FlightMessage::Handshake { epoch, body, .. } => {
                let records = fragment_count(body.len(), self.fragment_room(*epoch));
                records * (self.records.overhead(*epoch) + HANDSHAKE_HEADER_LEN) + body.len()
            }
        }
    }

    fn seal_flight_message(
        &mut self,
        message: &FlightMessage,
        packer: &mut DatagramPacker,
    ) -> Result<(), Error> {
        match message {
            FlightMessage::ChangeCipherSpec { epoch } => {
                let buffer = packer.buffer_for(self.records.overhead(*epoch) + 1);
                self.seal_into(*epoch, ContentType::CHANGE_CIPHER_SPEC, &[&[1]], buffer)?;
            }
            FlightMessage::Handshake {
                msg_type,
                message_seq,
                epoch,
                body,
            } => {
                let room = self.fragment_room(*epoch);
                for (header, chunk) in split(*msg_type, *message_seq, body, room) {
                    self.trace_message(Direction::Sent, &header);
                    let record_len =
                        self.records.overhead(*epoch) + HANDSHAKE_HEADER_LEN + chunk.len();
                    let parts: [&[u8]; 2] = [&header.to_bytes(), chunk];
                    let buffer = packer.buffer_for(record_len);
                    self.seal_into(*epoch, ContentType::HANDSHAKE, &parts, buffer)?;
                }
            }
        }
        Ok(())
    }

    /// Builds a handshake message of ours: adds it to the transcript and returns the
    /// flight entry in the current write epoch.
    fn our_message(&mut self, msg_type: HandshakeType, body: Vec<u8>) -> FlightMessage {
        let epoch = self.records.write_epoch();
        let hs = self.handshake_mut_or_new();
        let message_seq = hs.next_send_seq;
        hs.next_send_seq = hs.next_send_seq.wrapping_add(1);
        hs.transcript.add_message(msg_type, message_seq, &body);
        FlightMessage::Handshake {
            msg_type,
            message_seq,
            epoch,
            body,
        }
    }

    fn handshake_mut_or_new(&mut self) -> &mut Handshake {
        self.handshake
            .get_or_insert_with(|| Box::new(Handshake::new(Awaiting::ServerHello)))
    }

    /// Appends our ChangeCipherSpec and our Finished to `flight`, switching the write
    /// epoch between them.
    fn change_cipher_spec_and_finished(
        &mut self,
        label: &[u8],
        flight: &mut Vec<FlightMessage>,
    ) -> Result<(), Error> {
        let verify_data = self.verify_data(label)?;
        flight.push(FlightMessage::ChangeCipherSpec {
            epoch: self.records.write_epoch(),
        });
        self.records.switch_write_epoch();
        let finished = crate::handshake::Finished { verify_data }.encode();
        flight.push(self.our_message(HandshakeType::FINISHED, finished));
        Ok(())
    }

    /// Derives the master secret and the epoch-1 keys from the premaster secret.
    fn derive_keys(&mut self, pre_master: &[u8]) -> Result<(), Error> {
        let prf = self.negotiated_suite()?.prf_hash();
        let hs = self.handshake_ref()?;
        let master = if hs.extended_master_secret {
            // RFC 7627 §4: the session hash covers the messages up to and including
            // ClientKeyExchange, which is the transcript now.
            MasterSecret::derive_extended(prf, pre_master, &hs.transcript_hash(prf)?)
        } else {
            MasterSecret::derive(prf, pre_master, &hs.client_random, &hs.server_random)
        };
        self.install_master_secret(master)
    }

    /// Installs the epoch-1 keys made from `master` and this handshake's randoms: a new
    /// master secret, or a resumed session's (RFC 5246 §7.3: new randoms, new keys).
    fn install_master_secret(&mut self, master: MasterSecret) -> Result<(), Error> {
        let role = self.role;
        let hs = self
            .handshake
            .as_mut()
            .ok_or(Error::InvalidState("no handshake in progress"))?;
        let suite = hs
            .suite
            .ok_or(Error::InvalidState("keys before a suite was chosen"))?;
        let aead = suite.aead();
        let keys = master.key_block(aead, &hs.client_random, &hs.server_random);
        let client = RecordCipher::new(aead, &keys.client_key, &keys.client_iv);
        let server = RecordCipher::new(aead, &keys.server_key, &keys.server_iv);
        if self.config.key_log() {
            let line = format!(
                "CLIENT_RANDOM {} {}",
                hex(&hs.client_random),
                hex(master.as_bytes())
            );
            self.events.push_back(Event::KeyLog(line));
        }
        hs.master_secret = Some(master);
        match role {
            Role::Client => self.records.install_keys(client, server),
            Role::Server => self.records.install_keys(server, client),
        }
        Ok(())
    }

    /// Takes over what a resumed session established: its suite was settled by the
    /// ServerHello; the peer's identity and the group come from the original handshake.
    fn resume(&mut self, saved: Box<SavedSession>) -> Result<(), Error> {
        self.resumed = true;
        self.group = saved.group();
        self.psk_identity = saved.psk_identity().map(<[u8]>::to_vec);
        self.peer_certificates = saved.peer_certificates().to_vec();
        self.install_master_secret(saved.master_secret())?;
        self.secret = Some(Box::new(SessionSecret::of(&saved)));
        Ok(())
    }

    /// The handshake in progress.
    fn handshake_ref(&self) -> Result<&Handshake, Error> {
        self.handshake
            .as_deref()
            .ok_or(Error::InvalidState("no handshake in progress"))
    }

    /// What the handshake waits for now.
    fn awaiting(&self) -> Result<Awaiting, Error> {
        self.handshake_ref().map(|h| h.step)
    }

    /// Finished's verify_data with this label over the transcript so far.
    fn verify_data(&self, label: &[u8]) -> Result<[u8; 12], Error> {
        let hs = self.handshake_ref()?;
        let master = hs
            .master_secret
            .as_ref()
            .ok_or(Error::UnexpectedMessage("Finished before the key exchange"))?;
        Ok(master.verify_data(label, &hs.transcript_hash(master.prf_hash())?))
    }

    /// Verifies the peer's certificate chain (DER, own first) and remembers its key.
    fn verify_peer_chain(
        &mut self,
        body: &[u8],
        purpose: Purpose,
        max: usize,
    ) -> Result<(), Error> {
        let message = CertificateMessage::decode(body)
            .map_err(|e| Error::IncorrectMessageLength("Certificate", e))?;
        // Said before anything else, even a missing clock: nothing was sent to check.
        if message.chain.is_empty() {
            return Err(Error::certificate(CertificateProblem::Empty, 0));
        }
        let chain = message
            .chain
            .iter()
            .enumerate()
            .map(|(index, der)| {
                Certificate::from_der(der)
                    .map_err(|_| Error::certificate(CertificateProblem::Malformed, index))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let unix_time = self
            .config
            .unix_time()
            .ok_or(Error::certificate(CertificateProblem::NoClock, 0))?;
        let trusted = self.config.trusted_certificates();
        let host = match purpose {
            Purpose::ServerAuth => self.config.server_name(),
            Purpose::ClientAuth => None,
        };
        let key = verify_chain(
            &chain,
            &VerifyOptions {
                trusted: &trusted,
                unix_time,
                host,
                purpose,
                max_chain_len: max,
                provider: self.config.crypto_provider(),
            },
        )?;
        self.peer_certificates = message.chain;
        if let Some(hs) = self.handshake.as_mut() {
            hs.peer_key = Some(key);
        }
        Ok(())
    }

    /// Our Certificate message: our chain if `present` (and we have one), else an empty
    /// one.
    fn our_certificate(&mut self, present: bool) -> FlightMessage {
        let chain = self
            .config
            .local_identity()
            .filter(|_| present)
            .map(|id| id.chain.iter().map(|c| c.der().to_vec()).collect())
            .unwrap_or_default();
        let body = CertificateMessage { chain }.encode();
        self.our_message(HandshakeType::CERTIFICATE, body)
    }

    /// The suite of the handshake in progress.
    fn negotiated_suite(&self) -> Result<CipherSuite, Error> {
        self.handshake_ref()?
            .suite
            .ok_or(Error::InvalidState("no suite negotiated yet"))
    }

    /// The negotiated suite's key exchange.
    fn key_exchange(&self) -> Result<KeyExchange, Error> {
        self.negotiated_suite().map(CipherSuite::key_exchange)
    }

    /// Verifies the peer's Finished against the transcript so far.
    fn check_finished(&self, label: &[u8], body: &[u8]) -> Result<(), Error> {
        let finished = crate::handshake::Finished::decode(body)
            .map_err(|e| Error::IncorrectMessageLength("Finished", e))?;
        let expected = self.verify_data(label)?;
        if bool::from(subtle::ConstantTimeEq::ct_eq(
            &expected[..],
            &finished.verify_data[..],
        )) {
            Ok(())
        } else {
            Err(Error::FinishedHashFailure)
        }
    }

    /// The handshake completed: keep only what the connected session needs, and what a
    /// later connection can resume.
    fn connected(&mut self) {
        if let Some(hs) = self.handshake.take() {
            self.suite = hs.suite;
            if !self.resumed
                && hs.extended_master_secret
                && let Some(master) = &hs.master_secret
            {
                self.secret = SessionSecret::new(&hs.session_id, master).map(Box::new);
            }
        }
        // A flight the peer answered is done with; the last flight of the handshake
        // (the server's in a full handshake, the client's in a resumption) has no
        // timer and is kept for a peer that did not get it and repeats its own.
        if self.flight.as_ref().is_some_and(|f| f.expects_answer) {
            self.flight = None;
        }
        // Frees the reassembly buffer too: an emptied map would keep its last node.
        self.reassembler.clear();
        self.set_state(SessionState::Connected);
        if let Some(suite) = self.suite {
            self.events.push_back(Event::Connected { suite });
        }
        for data in core::mem::take(&mut self.early_data) {
            self.events.push_back(Event::Data(data));
        }
    }

    /// Sends the handshake's last flight, ChangeCipherSpec and Finished with `label`,
    /// after the peer's Finished `peer_finished` (which our Finished covers). It has no
    /// timer: it is repeated only when the peer repeats its own (RFC 6347 §4.2.4).
    fn send_final_flight(
        &mut self,
        now: Instant,
        peer_finished: &crate::handshake::Message<'_>,
        label: &[u8],
    ) -> Result<(), Error> {
        self.add_to_transcript(peer_finished);
        let mut flight = Vec::with_capacity(2);
        self.change_cipher_spec_and_finished(label, &mut flight)?;
        self.send_flight(now, flight, false)
    }

    /// Appends one record to `out` (see [`RecordLayer::seal_into`]) and traces it.
    fn seal_into(
        &mut self,
        epoch: u16,
        content_type: ContentType,
        parts: &[&[u8]],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let header = self.records.seal_into(epoch, content_type, parts, out)?;
        self.trace_record(Direction::Sent, &header, usize::from(header.length));
        Ok(())
    }

    /// The session's configuration, to add keys and certificates to a created session
    /// as NetX does (`psk_add`, `local_certificate_add`, … on the session). Changes
    /// apply to what the session does next; a configuration shared with other sessions
    /// is copied first, so they are not affected.
    pub fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// Switches structured tracing on or off (see [`Output::Trace`]).
    pub fn set_trace(&mut self, enabled: bool) {
        self.trace_enabled = enabled;
        if !enabled {
            self.traces.clear();
        }
    }

    fn trace(&mut self, make: impl FnOnce() -> Trace) {
        if self.trace_enabled {
            self.traces.push_back(make());
        }
    }

    fn trace_record(&mut self, direction: Direction, h: &RecordHeader, length: usize) {
        self.trace(|| Trace::record(direction, h, length));
    }

    fn trace_message(&mut self, direction: Direction, h: &HandshakeHeader) {
        self.trace(|| Trace::message(direction, h));
    }

    /// Counts (and traces) a drop.
    fn dropped(&mut self, reason: DropReason) {
        let counter = match reason {
            DropReason::BadMac => &mut self.stats.dropped_bad_mac,
            DropReason::Replayed => &mut self.stats.dropped_replayed,
            DropReason::Malformed => &mut self.stats.dropped_malformed,
            DropReason::ReassemblyFull => &mut self.stats.dropped_reassembly,
            DropReason::Unexpected
            | DropReason::BadCookie
            | DropReason::PoolFull
            | DropReason::UnknownPeer => &mut self.stats.dropped_unexpected,
        };
        *counter += 1;
        self.trace(|| Trace::Dropped { reason });
    }

    fn count_retransmission(&mut self) {
        self.stats.retransmissions += 1;
        let transmissions = self.flight.as_ref().map_or(0, |f| f.transmissions) + 1;
        self.trace(|| Trace::Retransmit { transmissions });
    }

    fn set_state(&mut self, to: SessionState) {
        let from = self.state;
        self.state = to;
        if from != to {
            self.trace(|| Trace::State { from, to });
        }
    }

    fn queue_datagram(&mut self, record: Vec<u8>) {
        self.transmits.push_back(record);
    }

    /// Sends an alert in the current write epoch (best effort: a failure to seal means
    /// the sequence space is exhausted, and then no alert can be sent anyway).
    fn send_alert(&mut self, alert: Alert) {
        let epoch = self.records.write_epoch();
        let mut record = Vec::new();
        if self
            .seal_into(epoch, ContentType::ALERT, &[&alert.encode()], &mut record)
            .is_ok()
        {
            self.queue_datagram(record);
        }
    }

    fn fail_on_error(&mut self, result: Result<(), Error>) {
        if let Err(e) = result {
            self.fail(e);
        }
    }

    /// Ends the session with `error`: a fatal alert when the error calls for one, and
    /// an `Event::Error`.
    fn fail(&mut self, error: Error) {
        if let Some(description) = error.alert_to_send() {
            self.send_alert(Alert::fatal(description));
        }
        self.events.push_back(Event::Error(error));
        self.end(SessionState::Failed);
    }

    fn end(&mut self, state: SessionState) {
        self.set_state(state);
        if state == SessionState::Failed {
            // RFC 5246 §7.2.2: a connection ended by a fatal alert must not be resumed.
            self.secret = None;
        }
        self.handshake = None;
        self.flight = None;
        self.early_records.clear();
        self.early_data.clear();
        self.reassembler.clear();
    }

    /// Answers a renegotiation attempt with a no_renegotiation warning (RFC 5746 §4.2
    /// leaves the choice to the receiver; the session goes on).
    fn refuse_renegotiation(&mut self) {
        self.stats.renegotiations_refused += 1;
        self.send_alert(Alert {
            level: crate::alert::AlertLevel::WARNING,
            description: AlertDescription::NO_RENEGOTIATION,
        });
    }
}

//! The NetX-style DTLS server: one UDP port, many clients, a fixed pool of sessions.
//!
//! Still sans-IO. The host hands in every datagram that arrives on its port with the
//! sender's address ([`Server::handle_datagram`]) and drains [`Server::poll_output`]:
//! datagrams to send (with their destination), events in the NetX notify vocabulary
//! (connect, receive, disconnect, error) and the next deadline.
//!
//! A client costs nothing until its ClientHello carries a valid cookie (stateless
//! HelloVerifyRequest, RFC 6347 §4.2.1); only then is a pool slot taken and
//! [`ServerEvent::Connect`] emitted (NetX connect_notify). NetX takes a slot for any
//! datagram from a new address; we do not.

mod admission;
mod session_cache;

use core::fmt;
use core::net::SocketAddr;
use core::time::Duration;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::config::Config;
use crate::crypto::CookieJar;
use crate::error::Error;
use crate::handshake::ClientHelloView;
use crate::rng::{OsRandom, Random};
use crate::session::{Event, Output, Role, Session, SessionState, Stats};
use crate::suite::CipherSuite;
use crate::time::Instant;
use crate::trace::{Direction, DropReason, Trace};
use crate::x509::{Certificate, PrivateKey};

use admission::{
    cookie_is_valid, hello_verify_request, initial_client_hello, peer_key, pool_full_alert,
};
use session_cache::SessionCache;

/// How a server session is named: its pool slot and a generation that changes each
/// time the slot is reused, so a stale handle never reaches a newer client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId {
    /// The pool slot.
    pub slot: u32,
    /// How many sessions the slot had before this one.
    pub generation: u32,
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}.{}", self.slot, self.generation)
    }
}

/// What happened on the server, in NetX's notify vocabulary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerEvent {
    /// A new client passed the cookie check and got a pool slot (NetX connect_notify).
    /// Unless auto-start is on, call [`Server::session_start`] to run its handshake.
    Connect {
        /// The new session.
        session: SessionId,
        /// The client's address.
        peer: SocketAddr,
    },
    /// The session's handshake completed (NetX: `server_session_start` returns).
    Established {
        /// The session.
        session: SessionId,
        /// The negotiated suite.
        suite: CipherSuite,
    },
    /// Application data arrived (NetX receive_notify + `session_receive`).
    Receive {
        /// The session.
        session: SessionId,
        /// The decrypted bytes.
        data: Vec<u8>,
    },
    /// The session ended: close_notify from the client
    /// (NX_SECURE_TLS_CLOSE_NOTIFY_RECEIVED), a fatal alert, idle expiry, or replacement
    /// by a rebooted client. Its slot is free again.
    Disconnect {
        /// The session that ended.
        session: SessionId,
        /// The client's address.
        peer: SocketAddr,
        /// Why, with its NetX code.
        reason: Error,
    },
    /// Something failed (NetX error_notify): a handshake error or timeout on a session
    /// (its slot is free again), or a client turned away because the pool is full
    /// (`session` is `None`).
    Error {
        /// The session, if one was involved.
        session: Option<SessionId>,
        /// The client's address.
        peer: SocketAddr,
        /// What failed, with its NetX code.
        error: Error,
    },
    /// An NSS key log line (when the configuration asks for them).
    KeyLog(String),
}

/// What the host must do next; drain until [`ServerOutput::Wait`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerOutput {
    /// Send `datagram` to `to` from the server's port.
    Transmit {
        /// Destination.
        to: SocketAddr,
        /// The bytes.
        datagram: Vec<u8>,
    },
    /// Deliver this event to the application.
    Event(ServerEvent),
    /// A trace event (only when tracing is on).
    Trace {
        /// The session it concerns, if any.
        session: Option<SessionId>,
        /// The client's address.
        peer: SocketAddr,
        /// What happened.
        trace: Trace,
    },
    /// Nothing more for now; call [`Server::handle_timeout`] at this instant, if any.
    Wait(Option<Instant>),
}

/// Counters of the server as a whole (each session has its own [`Stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ServerStats {
    /// Datagrams handed in.
    pub datagrams_received: u64,
    /// Datagrams produced for sending.
    pub datagrams_sent: u64,
    /// HelloVerifyRequests sent (ClientHellos without a valid cookie).
    pub hello_verify_requests: u64,
    /// Sessions created (cookie-verified new clients).
    pub sessions_created: u64,
    /// Clients turned away because the pool was full.
    pub pool_full: u64,
    /// Datagrams from unknown addresses that were not an admissible ClientHello.
    pub dropped_unknown_peer: u64,
    /// Sessions replaced by a rebooted client's new session.
    pub client_reboots: u64,
    /// Cookie secret rotations.
    pub cookie_rotations: u64,
    /// Handshakes that resumed a cached session (abbreviated handshakes completed).
    pub sessions_resumed: u64,
}

/// Makes the random source of each new session.
type RngFactory = Box<dyn FnMut() -> Box<dyn Random> + Send>;

/// At most this many datagrams wait for `session_start` per session.
const MAX_PENDING_DATAGRAMS: usize = 8;

/// One pool slot in use.
struct Slot {
    peer: SocketAddr,
    generation: u32,
    session: Session,
    /// Whether the application started the handshake (or auto-start did).
    started: bool,
    /// Datagrams that arrived before `session_start`.
    pending: Vec<Vec<u8>>,
    /// A rebooted client's new session, handshaking while the old one stays (boxed:
    /// rare, and every slot of the pool would carry a whole session otherwise).
    replacement: Option<Box<Session>>,
    /// The ID under which the session is in the session cache, once established.
    cached_id: Option<Vec<u8>>,
}

/// The NetX server: a pool of sessions behind one port (NetX `nx_secure_dtls_server_*`).
pub struct Server {
    config: Arc<Config>,
    slots: Vec<Option<Slot>>,
    generations: Vec<u32>,
    by_peer: HashMap<SocketAddr, usize>,
    cookies: CookieJar,
    cookie_rotation: Duration,
    next_rotation: Option<Instant>,
    rng: Box<dyn Random>,
    session_rng: RngFactory,
    auto_start: bool,
    trace: bool,
    outputs: VecDeque<ServerOutput>,
    stats: ServerStats,
    session_cache: SessionCache,
    /// The latest time the host has told us (session cache ages are measured in it).
    now: Instant,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("capacity", &self.slots.len())
            .field("in_use", &self.sessions_in_use())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// How often the cookie secret changes by default (cookies stay valid for up to
    /// two periods).
    pub const DEFAULT_COOKIE_ROTATION: Duration = Duration::from_secs(300);

    /// The largest session pool. The pool's slots are allocated up front (~12 bytes
    /// each natively, 8 in wasm32) and an established session takes ~2.5 KB, so a
    /// million is already more than a 32-bit WebAssembly memory can hold once full;
    /// anything larger is a mistake, refused rather than an allocation that fails
    /// (which would abort the program, or trap the component).
    pub const MAX_CAPACITY: usize = 1 << 20;

    /// How many sessions the session cache keeps by default, for resumption.
    pub const DEFAULT_SESSION_CACHE_CAPACITY: usize = 1024;

    /// How long a cached session can be resumed by default: two hours, as OpenSSL.
    pub const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

    /// A server with a pool of `capacity` sessions (NetX `server_create`), using OS
    /// randomness. Fails with NX_INVALID_PARAMETERS (0x4D) for a zero capacity.
    pub fn new(config: Config, capacity: usize) -> Result<Server, Error> {
        Server::with_rng(
            config,
            capacity,
            Box::new(OsRandom),
            Box::new(|| Box::new(OsRandom) as Box<dyn Random>),
        )
    }

    /// A server whose own randomness (cookie secrets) comes from `rng` and whose
    /// sessions get theirs from `session_rng` (seeded in tests and demos).
    pub fn with_rng(
        config: Config,
        capacity: usize,
        mut rng: Box<dyn Random>,
        session_rng: RngFactory,
    ) -> Result<Server, Error> {
        if capacity == 0 {
            return Err(Error::InvalidParameters(
                "a server needs a pool of at least one session",
            ));
        }
        if capacity > Self::MAX_CAPACITY {
            return Err(Error::InvalidParameters(
                "a server's pool holds at most 1 048 576 sessions",
            ));
        }
        let cookies = CookieJar::generate(rng.as_mut());
        Ok(Server {
            config: Arc::new(config),
            slots: (0..capacity).map(|_| None).collect(),
            generations: vec![0; capacity],
            by_peer: HashMap::new(),
            cookies,
            cookie_rotation: Self::DEFAULT_COOKIE_ROTATION,
            next_rotation: None,
            rng,
            session_rng,
            auto_start: true,
            trace: false,
            outputs: VecDeque::new(),
            stats: ServerStats::default(),
            session_cache: SessionCache::new(
                Self::DEFAULT_SESSION_CACHE_CAPACITY,
                Self::DEFAULT_SESSION_LIFETIME,
            ),
            now: Instant::ZERO,
        })
    }

    /// Adds a PSK for every session, present and future (NetX `server_psk_add`).
    /// Sessions already in a handshake keep the keys they started with.
    pub fn psk_add(&mut self, key: &[u8], identity: &[u8], hint: &[u8]) -> Result<(), Error> {
        Arc::make_mut(&mut self.config).psk_add(key, identity, hint)
    }

    /// Adds the server's certificate chain (own certificate first) and key under `id`
    /// (NetX `server_local_certificate_add`); see [`Config::local_certificate_add`].
    pub fn local_certificate_add(
        &mut self,
        id: u32,
        chain: Vec<Certificate>,
        key: PrivateKey,
    ) -> Result<(), Error> {
        Arc::make_mut(&mut self.config).local_certificate_add(id, chain, key)
    }

    /// Removes a local certificate by id, or by common name when `id` is 0 (NetX
    /// `server_local_certificate_remove`).
    pub fn local_certificate_remove(
        &mut self,
        common_name: Option<&str>,
        id: u32,
    ) -> Result<(), Error> {
        Arc::make_mut(&mut self.config).local_certificate_remove(common_name, id)
    }

    /// Adds a certificate that client chains may end at (NetX
    /// `server_trusted_certificate_add`).
    pub fn trusted_certificate_add(
        &mut self,
        id: u32,
        certificate: Certificate,
    ) -> Result<(), Error> {
        Arc::make_mut(&mut self.config).trusted_certificate_add(id, certificate)
    }

    /// Removes a trusted certificate by id, or by common name when `id` is 0 (NetX
    /// `server_trusted_certificate_remove`).
    pub fn trusted_certificate_remove(
        &mut self,
        common_name: Option<&str>,
        id: u32,
    ) -> Result<(), Error> {
        Arc::make_mut(&mut self.config).trusted_certificate_remove(common_name, id)
    }

    /// Requests and verifies a certificate from every new client, accepting chains of
    /// at most `certs_per_session` (NetX `server_x509_client_verify_configure`).
    pub fn x509_client_verify_configure(&mut self, certs_per_session: usize) -> Result<(), Error> {
        Arc::make_mut(&mut self.config).x509_client_verify_configure(certs_per_session)
    }

    /// Stops requesting client certificates (NetX `server_x509_client_verify_disable`).
    pub fn x509_client_verify_disable(&mut self) {
        Arc::make_mut(&mut self.config).x509_client_verify_disable();
    }

    /// Tells the server the wall-clock time (seconds since 1970) that new handshakes
    /// check certificate validity against. The engine has no clock of its own: a
    /// long-running server calls this now and then (say, every minute).
    pub fn set_unix_time(&mut self, seconds: u64) {
        Arc::make_mut(&mut self.config).set_unix_time(seconds);
    }

    /// The configuration new sessions get.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The configuration new sessions get, to change it; sessions already in the pool
    /// keep the one they started with.
    pub fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// Whether a new client's handshake runs at once (the default) or waits for
    /// [`Server::session_start`] after the Connect event, as in NetX.
    pub fn set_auto_start(&mut self, auto_start: bool) {
        self.auto_start = auto_start;
    }

    /// Switches structured tracing on or off for the server and its sessions.
    pub fn set_trace(&mut self, enabled: bool) {
        self.trace = enabled;
        for slot in self.slots.iter_mut().flatten() {
            slot.session.set_trace(enabled);
        }
    }

    /// Sets how often the cookie secret changes.
    pub fn set_cookie_rotation(&mut self, period: Duration) -> Result<(), Error> {
        if period.is_zero() {
            return Err(Error::InvalidParameters(
                "the cookie rotation period must not be zero",
            ));
        }
        self.cookie_rotation = period;
        self.next_rotation = None;
        Ok(())
    }

    /// Sets the session cache: full handshakes give their session an ID and the
    /// cache keeps up to `capacity` of them, oldest dropped first, so that a returning
    /// client resumes with the abbreviated handshake (RFC 5246 §7.3) for `lifetime`
    /// after its full one. A capacity of 0 turns resumption off. By default 1024
    /// sessions for two hours. A cached session costs ~370 bytes, plus the client's
    /// certificates when it sent some; sessions ended by a fatal alert are dropped from
    /// it (RFC 5246 §7.2.2).
    ///
    /// Fails with NX_INVALID_PARAMETERS (0x4D) for a capacity above
    /// [`Server::MAX_CAPACITY`] or a zero lifetime.
    pub fn set_session_cache(&mut self, capacity: usize, lifetime: Duration) -> Result<(), Error> {
        if capacity > Self::MAX_CAPACITY {
            return Err(Error::InvalidParameters(
                "a session cache holds at most 1 048 576 sessions",
            ));
        }
        if lifetime.is_zero() {
            return Err(Error::InvalidParameters(
                "a cached session needs a lifetime above zero (a capacity of 0 turns the cache off)",
            ));
        }
        self.session_cache.set_limits(capacity, lifetime);
        Ok(())
    }

    /// How many sessions the session cache holds now.
    pub fn cached_sessions(&self) -> usize {
        self.session_cache.len()
    }

    /// The pool size.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Slots in use.
    pub fn sessions_in_use(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// Server-wide counters.
    pub fn stats(&self) -> ServerStats {
        self.stats
    }

    /// Bytes held beyond the server's fixed size: the queued outputs, per session in
    /// use its size and buffers, and the session cache. A flood of cookie-less
    /// ClientHellos must leave this unchanged once the outputs are drained.
    pub fn held_bytes(&self) -> usize {
        let queued: usize = self
            .outputs
            .iter()
            .map(|o| match o {
                ServerOutput::Transmit { datagram, .. } => datagram.len(),
                _ => core::mem::size_of::<ServerOutput>(),
            })
            .sum();
        let sessions: usize = self
            .slots
            .iter()
            .flatten()
            .map(|s| {
                core::mem::size_of::<Session>()
                    + s.session.buffered_bytes()
                    + s.pending.iter().map(Vec::len).sum::<usize>()
                    + s.replacement
                        .as_ref()
                        .map_or(0, |r| core::mem::size_of::<Session>() + r.buffered_bytes())
            })
            .sum();
        queued
            + sessions
            + self.by_peer.len() * core::mem::size_of::<(SocketAddr, usize)>()
            + self.session_cache.held_bytes()
    }

    /// Handles one datagram that arrived from `from` at `now`.
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        self.stats.datagrams_received += 1;
        self.now = self.now.max(now);
        self.rotate_cookies_if_due(now);
        match self.by_peer.get(&from).copied() {
            Some(index) => self.route_to_slot(now, index, datagram),
            None => self.admit(now, from, datagram),
        }
    }

    /// Handles timer expiry: retransmissions, handshake and idle timeouts, cookie
    /// rotation.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.rotate_cookies_if_due(now);
        for index in 0..self.slots.len() {
            let Some(slot) = self.slot_mut(index) else {
                continue;
            };
            if slot.session.deadline().is_some_and(|d| d <= now) {
                slot.session.handle_timeout(now);
            }
            if let Some(r) = slot.replacement.as_mut()
                && r.deadline().is_some_and(|d| d <= now)
            {
                r.handle_timeout(now);
            }
            self.pump(index);
        }
    }

    /// The next thing to do. Call until it returns [`ServerOutput::Wait`].
    pub fn poll_output(&mut self) -> ServerOutput {
        if let Some(o) = self.outputs.pop_front() {
            if matches!(o, ServerOutput::Transmit { .. }) {
                self.stats.datagrams_sent += 1;
            }
            return o;
        }
        ServerOutput::Wait(self.next_deadline())
    }

    /// Runs the handshake of a session announced by [`ServerEvent::Connect`] (NetX
    /// `server_session_start`); needed only when auto-start is off.
    pub fn session_start(&mut self, id: SessionId, now: Instant) -> Result<(), Error> {
        let index = self.index_of(id)?;
        self.now = self.now.max(now);
        let Some(slot) = self.slot_mut(index) else {
            return Err(Error::SessionNotFound);
        };
        if slot.started {
            return Err(Error::InvalidState("the session is already started"));
        }
        slot.started = true;
        for datagram in core::mem::take(&mut slot.pending) {
            slot.session.handle_datagram(now, &datagram);
        }
        self.pump(index);
        Ok(())
    }

    /// Sends application data on an established session (NetX `server_session_send`).
    pub fn session_send(&mut self, id: SessionId, data: &[u8]) -> Result<(), Error> {
        let index = self.index_of(id)?;
        let slot = self.slot_mut(index).ok_or(Error::SessionNotFound)?;
        slot.session.send(data)?;
        self.pump(index);
        Ok(())
    }

    /// Ends a session with close_notify and frees its slot (NetX `session_end`).
    pub fn session_end(&mut self, id: SessionId) -> Result<(), Error> {
        let index = self.index_of(id)?;
        let slot = self.slot_mut(index).ok_or(Error::SessionNotFound)?;
        slot.session.close();
        self.pump(index);
        Ok(())
    }

    /// Drops a session without a word to the client and frees its slot (NetX
    /// `session_reset`); the server's keys stay.
    pub fn session_reset(&mut self, id: SessionId) -> Result<(), Error> {
        let index = self.index_of(id)?;
        self.free(index);
        Ok(())
    }

    /// The client address of a session (NetX `session_client_info_get`); fails with
    /// NX_NOT_CONNECTED (0x38) when the handle's slot holds no such session.
    pub fn client_info(&self, id: SessionId) -> Result<SocketAddr, Error> {
        self.slot_ref(id).map(|s| s.peer).ok_or(Error::NotConnected)
    }

    /// A session of the pool, to read what it negotiated (suite, PSK identity, the
    /// client's certificates), if the handle is current.
    pub fn session(&self, id: SessionId) -> Option<&Session> {
        self.slot_ref(id).map(|s| &s.session)
    }

    /// The state of a session, if the handle is current.
    pub fn session_state(&self, id: SessionId) -> Option<SessionState> {
        self.slot_ref(id).map(|s| s.session.state())
    }

    /// The counters of a session, if the handle is current.
    pub fn session_stats(&self, id: SessionId) -> Option<Stats> {
        self.slot_ref(id).map(|s| s.session.stats())
    }

    /// The handles of every session in the pool.
    pub fn sessions(&self) -> Vec<SessionId> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                s.as_ref().map(|s| SessionId {
                    slot: i as u32,
                    generation: s.generation,
                })
            })
            .collect()
    }

    /// Ends every session — close_notify to the established ones — and frees the
    /// whole pool (NetX `server_stop`).
    pub fn stop(&mut self) {
        for index in 0..self.slots.len() {
            if let Some(slot) = self.slot_mut(index) {
                slot.session.close();
                let peer = slot.peer;
                let datagrams = drain_transmits(&mut slot.session);
                for datagram in datagrams {
                    self.outputs
                        .push_back(ServerOutput::Transmit { to: peer, datagram });
                }
            }
            self.free(index);
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        let sessions = self.slots.iter().flatten().flat_map(|s| {
            [
                s.session.deadline(),
                s.replacement.as_deref().and_then(Session::deadline),
            ]
        });
        sessions.chain([self.next_rotation]).flatten().min()
    }

    fn rotate_cookies_if_due(&mut self, now: Instant) {
        match self.next_rotation {
            None => self.next_rotation = Some(now + self.cookie_rotation),
            Some(at) if now >= at => {
                self.cookies.rotate(self.rng.as_mut());
                self.stats.cookie_rotations += 1;
                self.next_rotation = Some(now + self.cookie_rotation);
            }
            Some(_) => {}
        }
    }

    /// A datagram from an address without a session: admit a cookie-verified
    /// ClientHello into a free slot, answer one without a cookie, drop the rest.
    fn admit(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        let Some(initial) = initial_client_hello(datagram) else {
            self.stats.dropped_unknown_peer += 1;
            self.trace_server(
                from,
                Trace::Dropped {
                    reason: DropReason::UnknownPeer,
                },
            );
            return;
        };
        if !cookie_is_valid(&self.cookies, &from, &initial.hello) {
            self.stats.hello_verify_requests += 1;
            let reply = hello_verify_request(&self.cookies, &from, &initial);
            if self.trace {
                // The stateless exchange, traced as a session would trace it; a cookie
                // that is there but not ours is a drop worth seeing.
                let received = Trace::plaintext_handshake(Direction::Received, datagram);
                let forged = (!initial.hello.cookie.is_empty()).then_some(Trace::Dropped {
                    reason: DropReason::BadCookie,
                });
                let sent = Trace::plaintext_handshake(Direction::Sent, &reply);
                for trace in received.into_iter().chain(forged).chain(sent) {
                    self.trace_server(from, trace);
                }
            }
            self.outputs.push_back(ServerOutput::Transmit {
                to: from,
                datagram: reply,
            });
            return;
        }
        let Some(index) = self.slots.iter().position(Option::is_none) else {
            self.stats.pool_full += 1;
            self.trace_server(
                from,
                Trace::Dropped {
                    reason: DropReason::PoolFull,
                },
            );
            self.outputs.push_back(ServerOutput::Transmit {
                to: from,
                datagram: pool_full_alert(&initial),
            });
            self.outputs
                .push_back(ServerOutput::Event(ServerEvent::Error {
                    session: None,
                    peer: from,
                    error: Error::NoFreeDtlsSessions {
                        capacity: self.slots.len(),
                    },
                }));
            return;
        };
        let session = self.new_session(&from, &initial.hello);
        let generation = self.generations.get(index).copied().unwrap_or(0);
        if let Some(place) = self.slots.get_mut(index) {
            *place = Some(Slot {
                peer: from,
                generation,
                session,
                started: self.auto_start,
                pending: Vec::new(),
                replacement: None,
                cached_id: None,
            });
        }
        self.by_peer.insert(from, index);
        self.stats.sessions_created += 1;
        self.outputs
            .push_back(ServerOutput::Event(ServerEvent::Connect {
                session: SessionId {
                    slot: index as u32,
                    generation,
                },
                peer: from,
            }));
        self.route_to_slot(now, index, datagram);
    }

    /// The session for a client whose cookie-verified ClientHello is `hello`, with the
    /// cached session its ID names, if any.
    fn new_session(&mut self, peer: &SocketAddr, hello: &ClientHelloView<'_>) -> Session {
        let mut session = Session::with_cookies(
            Role::Server,
            self.config.clone(),
            peer_key(peer).as_bytes(),
            (self.session_rng)(),
            // Only ever handed a ClientHello whose cookie `admit` (or
            // `client_rebooted`) verified.
            None,
        );
        session.set_trace(self.trace);
        session.set_session_ids(self.session_cache.is_enabled());
        if let Some(saved) = self.session_cache.get(hello.session_id, self.now) {
            // A fresh session has received nothing: the offer is always taken.
            let _ = session.set_saved_session(saved);
        }
        session
    }

    /// Routes a datagram to the session of its address (or to the new session of a
    /// rebooted client).
    fn route_to_slot(&mut self, now: Instant, index: usize, datagram: &[u8]) {
        let reboot = self
            .slot_mut(index)
            .is_some_and(|s| s.session.is_connected() && s.replacement.is_none())
            && initial_client_hello(datagram).is_some();
        if reboot {
            self.client_rebooted(now, index, datagram);
            return;
        }
        let Some(slot) = self.slot_mut(index) else {
            return;
        };
        if let Some(replacement) = slot.replacement.as_mut() {
            // RFC 6347 §4.2.8: the client lost its state, so everything from its
            // address belongs to the new handshake now.
            replacement.handle_datagram(now, datagram);
        } else if slot.started {
            slot.session.handle_datagram(now, datagram);
        } else if slot.pending.len() < MAX_PENDING_DATAGRAMS {
            slot.pending.push(datagram.to_vec());
        }
        self.pump(index);
    }

    /// A ClientHello in epoch 0 from the address of an established session: the client
    /// restarted. Its new session handshakes beside the old one, which is replaced only
    /// when the new handshake completes (RFC 6347 §4.2.8).
    fn client_rebooted(&mut self, now: Instant, index: usize, datagram: &[u8]) {
        let Some(peer) = self.slot_mut(index).map(|s| s.peer) else {
            return;
        };
        let Some(initial) = initial_client_hello(datagram) else {
            return;
        };
        if !cookie_is_valid(&self.cookies, &peer, &initial.hello) {
            self.stats.hello_verify_requests += 1;
            let datagram = hello_verify_request(&self.cookies, &peer, &initial);
            self.outputs
                .push_back(ServerOutput::Transmit { to: peer, datagram });
            return;
        }
        let mut replacement = self.new_session(&peer, &initial.hello);
        replacement.handle_datagram(now, datagram);
        if let Some(slot) = self.slot_mut(index) {
            slot.replacement = Some(Box::new(replacement));
        }
        self.pump(index);
    }

    /// Moves a slot's outputs to the server's queue and frees the slot when its
    /// session has ended.
    fn pump(&mut self, index: usize) {
        // Outputs go straight onto the server's queue (taken for the borrow of the slot).
        let mut out = core::mem::take(&mut self.outputs);
        let Some(slot) = self.slot_mut(index) else {
            self.outputs = out;
            return;
        };
        let peer = slot.peer;
        let id = SessionId {
            slot: index as u32,
            generation: slot.generation,
        };
        let mut ended = false;
        let mut fatal = false;
        loop {
            match slot.session.poll_output() {
                Output::Transmit(datagram) => {
                    out.push_back(ServerOutput::Transmit { to: peer, datagram });
                }
                Output::Event(event) => {
                    // Every error but an idle timeout went with a fatal alert.
                    fatal |= matches!(&event, Event::Error(e) if *e != Error::IdleTimeout);
                    let (event, ends) = server_event(id, peer, event);
                    ended |= ends;
                    out.push_back(ServerOutput::Event(event));
                }
                Output::Trace(trace) => out.push_back(ServerOutput::Trace {
                    session: Some(id),
                    peer,
                    trace,
                }),
                Output::Wait(_) => break,
            }
        }
        let replaced = pump_replacement(slot, peer, &mut out);
        if replaced {
            out.push_back(ServerOutput::Event(ServerEvent::Disconnect {
                session: id,
                peer,
                reason: Error::SessionReplaced,
            }));
        }
        ended |= matches!(
            slot.session.state(),
            SessionState::Closed | SessionState::Failed
        );
        self.outputs = out;
        if fatal {
            self.forget_cached_session(index);
        }
        if replaced {
            self.stats.client_reboots += 1;
            self.install_replacement(index);
        }
        self.cache_saved_session(index);
        if ended && !replaced {
            self.free(index);
        }
    }

    /// Takes the session a handshake just saved into the session cache (or counts a
    /// resumption of one already there).
    fn cache_saved_session(&mut self, index: usize) {
        let Some(slot) = self.slots.get_mut(index).and_then(Option::as_mut) else {
            return;
        };
        let Some((id, saved)) = slot.session.take_for_cache() else {
            return;
        };
        slot.cached_id = Some(id);
        match saved {
            Some(saved) => self.session_cache.insert(self.now, saved),
            None => self.stats.sessions_resumed += 1,
        }
    }

    /// Drops a session that ended with a fatal alert from the cache: it must not be
    /// resumed (RFC 5246 §7.2.2).
    fn forget_cached_session(&mut self, index: usize) {
        let Some(slot) = self.slots.get_mut(index).and_then(Option::as_mut) else {
            return;
        };
        if let Some(id) = slot.cached_id.take() {
            self.session_cache.remove(&id);
        }
    }

    /// Gives the completed replacement the slot under a new generation.
    fn install_replacement(&mut self, index: usize) {
        let generation = self.bump_generation(index);
        let Some(slot) = self.slot_mut(index) else {
            return;
        };
        let Some(new) = slot.replacement.take() else {
            return;
        };
        slot.session = *new;
        slot.cached_id = None;
        slot.generation = generation;
        slot.started = true;
        let peer = slot.peer;
        let suite = slot.session.cipher_suite();
        let session = SessionId {
            slot: index as u32,
            generation,
        };
        self.outputs
            .push_back(ServerOutput::Event(ServerEvent::Connect { session, peer }));
        if let Some(suite) = suite {
            self.outputs
                .push_back(ServerOutput::Event(ServerEvent::Established {
                    session,
                    suite,
                }));
        }
    }

    fn bump_generation(&mut self, index: usize) -> u32 {
        match self.generations.get_mut(index) {
            Some(g) => {
                *g = g.wrapping_add(1);
                *g
            }
            None => 0,
        }
    }

    fn free(&mut self, index: usize) {
        let Some(place) = self.slots.get_mut(index) else {
            return;
        };
        if let Some(slot) = place.take() {
            self.by_peer.remove(&slot.peer);
            self.bump_generation(index);
        }
    }

    fn index_of(&self, id: SessionId) -> Result<usize, Error> {
        let index = id.slot as usize;
        match self.slots.get(index) {
            Some(Some(slot)) if slot.generation == id.generation => Ok(index),
            _ => Err(Error::SessionNotFound),
        }
    }

    fn slot_ref(&self, id: SessionId) -> Option<&Slot> {
        let index = self.index_of(id).ok()?;
        self.slots.get(index)?.as_ref()
    }

    fn slot_mut(&mut self, index: usize) -> Option<&mut Slot> {
        self.slots.get_mut(index)?.as_mut()
    }

    fn trace_server(&mut self, peer: SocketAddr, trace: Trace) {
        if self.trace {
            self.outputs.push_back(ServerOutput::Trace {
                session: None,
                peer,
                trace,
            });
        }
    }
}

/// The server event for a session event, and whether the session has ended with it.
fn server_event(session: SessionId, peer: SocketAddr, event: Event) -> (ServerEvent, bool) {
    match event {
        Event::Connected { suite } => (ServerEvent::Established { session, suite }, false),
        Event::Data(data) => (ServerEvent::Receive { session, data }, false),
        Event::Closed => (
            ServerEvent::Disconnect {
                session,
                peer,
                reason: Error::CloseNotifyReceived,
            },
            true,
        ),
        Event::Error(reason @ (Error::AlertReceived(_) | Error::IdleTimeout)) => (
            ServerEvent::Disconnect {
                session,
                peer,
                reason,
            },
            true,
        ),
        Event::Error(error) => (
            ServerEvent::Error {
                session: Some(session),
                peer,
                error,
            },
            true,
        ),
        Event::KeyLog(line) => (ServerEvent::KeyLog(line), false),
    }
}

/// Drains a rebooted client's new session. Returns true when its handshake completed
/// (it must replace the old session); a failed replacement is dropped and the old
/// session goes on.
fn pump_replacement(slot: &mut Slot, peer: SocketAddr, out: &mut VecDeque<ServerOutput>) -> bool {
    let Some(replacement) = slot.replacement.as_mut() else {
        return false;
    };
    let mut connected = false;
    let mut failed = false;
    loop {
        match replacement.poll_output() {
            Output::Transmit(datagram) => {
                out.push_back(ServerOutput::Transmit { to: peer, datagram })
            }
            Output::Event(Event::Connected { .. }) => connected = true,
            Output::Event(Event::Error(_) | Event::Closed) => failed = true,
            Output::Event(Event::KeyLog(line)) => {
                out.push_back(ServerOutput::Event(ServerEvent::KeyLog(line)));
            }
            // Data cannot arrive before the handshake completes; traces of the
            // replacement are not attributed to a handle yet.
            Output::Event(Event::Data(_)) | Output::Trace(_) => {}
            Output::Wait(_) => break,
        }
    }
    if failed {
        slot.replacement = None;
    }
    connected && !failed
}

/// The datagrams a session has queued (used when stopping, where events no longer
/// matter).
fn drain_transmits(session: &mut Session) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match session.poll_output() {
            Output::Transmit(d) => out.push(d),
            Output::Wait(_) => return out,
            Output::Event(_) | Output::Trace(_) => {}
        }
    }
}

//! The `server` interface: the engine's NetX [`Server`] behind a WIT resource.

use core::cell::RefCell;
use core::time::Duration;

use wasm_dtls::{
    Instant, Server, ServerEvent as EngineEvent, ServerOutput as EngineOutput,
    SessionId as EngineId,
};

use crate::bindings::exports::wasm_dtls::dtls::server::{
    CipherSuite, Client, Disconnected, DtlsServer, Error, Established, Failure, GuestDtlsServer,
    NamedGroup, Output, Received, ServerEvent, ServerTrace, SessionId, SessionState, Settings,
    SocketAddress, Stats, Transmit,
};
use crate::{codes, convert};

/// A server resource (single-threaded, hence the `RefCell`).
pub struct ServerResource {
    server: RefCell<Server>,
}

impl ServerResource {
    fn with<T>(&self, act: impl FnOnce(&mut Server) -> T) -> T {
        act(&mut self.server.borrow_mut())
    }
}

fn id(session: SessionId) -> EngineId {
    EngineId {
        slot: session.slot,
        generation: session.generation,
    }
}

fn wit_id(session: EngineId) -> SessionId {
    SessionId {
        slot: session.slot,
        generation: session.generation,
    }
}

fn event(e: EngineEvent) -> ServerEvent {
    match e {
        EngineEvent::Connect { session, peer } => ServerEvent::Connect(Client {
            session: wit_id(session),
            peer: convert::address(peer),
        }),
        EngineEvent::Established { session, suite } => ServerEvent::Established(Established {
            session: wit_id(session),
            suite: convert::suite(suite),
        }),
        EngineEvent::Receive { session, data } => ServerEvent::Receive(Received {
            session: wit_id(session),
            data,
        }),
        EngineEvent::Disconnect {
            session,
            peer,
            reason,
        } => ServerEvent::Disconnect(Disconnected {
            session: wit_id(session),
            peer: convert::address(peer),
            reason: codes::error(&reason),
        }),
        EngineEvent::Error {
            session,
            peer,
            error,
        } => ServerEvent::Error(Failure {
            session: session.map(wit_id),
            peer: convert::address(peer),
            error: codes::error(&error),
        }),
        EngineEvent::KeyLog(line) => ServerEvent::KeyLog(line),
    }
}

impl GuestDtlsServer for ServerResource {
    fn create(settings: Settings, capacity: u32) -> Result<DtlsServer, Error> {
        let config = convert::config(&settings)?;
        let mut server = Server::new(config, capacity as usize).map_err(|e| codes::error(&e))?;
        server.set_trace(settings.trace);
        Ok(DtlsServer::new(ServerResource {
            server: RefCell::new(server),
        }))
    }

    fn psk_add(&self, key: Vec<u8>, identity: Vec<u8>, hint: Vec<u8>) -> Result<(), Error> {
        convert::result(self.with(|s| s.psk_add(&key, &identity, &hint)))
    }

    fn local_certificate_add(&self, id: u32, chain: Vec<u8>, key: Vec<u8>) -> Result<(), Error> {
        self.with(|s| convert::local_certificate_add(s.config_mut(), id, &chain, &key))
    }

    fn local_certificate_remove(&self, common_name: Option<String>, id: u32) -> Result<(), Error> {
        let name = common_name.as_deref();
        convert::result(self.with(|s| s.local_certificate_remove(name, id)))
    }

    fn trusted_certificate_add(&self, id: u32, certificate: Vec<u8>) -> Result<(), Error> {
        self.with(|s| convert::trusted_certificate_add(s.config_mut(), id, &certificate))
    }

    fn trusted_certificate_remove(
        &self,
        common_name: Option<String>,
        id: u32,
    ) -> Result<(), Error> {
        let name = common_name.as_deref();
        convert::result(self.with(|s| s.trusted_certificate_remove(name, id)))
    }

    fn x509_client_verify_configure(&self, certs_per_session: u32) -> Result<(), Error> {
        let n = certs_per_session as usize;
        convert::result(self.with(|s| s.x509_client_verify_configure(n)))
    }

    fn x509_client_verify_disable(&self) {
        self.with(Server::x509_client_verify_disable);
    }

    fn set_unix_time(&self, seconds: u64) {
        self.with(|s| s.set_unix_time(seconds));
    }

    fn set_auto_start(&self, auto_start: bool) {
        self.with(|s| s.set_auto_start(auto_start));
    }

    fn set_session_cache(&self, capacity: u32, lifetime_seconds: u32) -> Result<(), Error> {
        let lifetime = Duration::from_secs(u64::from(lifetime_seconds));
        convert::result(self.with(|s| s.set_session_cache(capacity as usize, lifetime)))
    }

    fn cached_sessions(&self) -> u32 {
        u32::try_from(self.with(|s| s.cached_sessions())).unwrap_or(u32::MAX)
    }

    fn handle_datagram(&self, now: u64, from: SocketAddress, datagram: Vec<u8>) {
        let from = convert::socket_addr(&from);
        self.with(|s| s.handle_datagram(Instant::from_millis(now), from, &datagram));
    }

    fn handle_timeout(&self, now: u64) {
        self.with(|s| s.handle_timeout(Instant::from_millis(now)));
    }

    fn poll_output(&self) -> Output {
        match self.with(Server::poll_output) {
            EngineOutput::Transmit { to, datagram } => Output::Transmit(Transmit {
                to: convert::address(to),
                datagram,
            }),
            EngineOutput::Event(e) => Output::Event(event(e)),
            EngineOutput::Trace {
                session,
                peer,
                trace,
            } => Output::Trace(ServerTrace {
                session: session.map(wit_id),
                peer: convert::address(peer),
                trace: convert::trace(&trace),
            }),
            EngineOutput::Wait(deadline) => Output::Wait(deadline.map(Instant::as_millis)),
        }
    }

    fn session_start(&self, session: SessionId, now: u64) -> Result<(), Error> {
        convert::result(self.with(|s| s.session_start(id(session), Instant::from_millis(now))))
    }

    fn session_send(&self, session: SessionId, data: Vec<u8>) -> Result<(), Error> {
        convert::result(self.with(|s| s.session_send(id(session), &data)))
    }

    fn session_end(&self, session: SessionId) -> Result<(), Error> {
        convert::result(self.with(|s| s.session_end(id(session))))
    }

    fn session_reset(&self, session: SessionId) -> Result<(), Error> {
        convert::result(self.with(|s| s.session_reset(id(session))))
    }

    fn client_info_get(&self, session: SessionId) -> Result<SocketAddress, Error> {
        self.with(|s| s.client_info(id(session)))
            .map(convert::address)
            .map_err(|e| codes::error(&e))
    }

    fn session_state(&self, session: SessionId) -> Option<SessionState> {
        self.with(|s| s.session_state(id(session)))
            .map(convert::state)
    }

    fn session_cipher_suite(&self, session: SessionId) -> Option<CipherSuite> {
        self.with(|s| s.session(id(session)).and_then(|s| s.cipher_suite()))
            .map(convert::suite)
    }

    fn session_named_group(&self, session: SessionId) -> Option<NamedGroup> {
        self.with(|s| s.session(id(session)).and_then(|s| s.group()))
            .map(convert::group)
    }

    fn session_peer_certificates(&self, session: SessionId) -> Vec<Vec<u8>> {
        self.with(|s| {
            s.session(id(session))
                .map(|s| s.peer_certificates().to_vec())
                .unwrap_or_default()
        })
    }

    fn session_resumed(&self, session: SessionId) -> bool {
        self.with(|s| s.session(id(session)).is_some_and(|s| s.is_resumed()))
    }

    fn session_stats(&self, session: SessionId) -> Option<Stats> {
        self.with(|s| s.session_stats(id(session)))
            .map(convert::stats)
    }

    fn sessions(&self) -> Vec<SessionId> {
        self.with(|s| s.sessions())
            .into_iter()
            .map(wit_id)
            .collect()
    }

    fn stop(&self) {
        self.with(Server::stop);
    }
}

//! Handshakes with the engine compiled natively: client `Session`s against the pool
//! `Server`, datagrams handed over in memory, one thread, no loss. Full ones, and
//! abbreviated ones resuming a session the pool's cache holds.

use std::sync::Arc;

use wasm_dtls::server::ServerOutput;
use wasm_dtls::{
    CipherSuite, Config, CryptoProvider, Event, Instant, Output, SavedSession, Server, ServerEvent,
    Session, SessionId,
};

use super::fixtures::{client_address, engine_configs};

/// At most this many exchanges per handshake: a clean one takes three.
const MAX_ROUNDS: usize = 16;

/// How far to take a handshake.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// The server has sent ServerHello…ServerHelloDone and waits for the client.
    ServerFlight,
    /// Both sides are connected.
    Established,
}

/// A server that stays up across handshakes, as a real one would, and the client
/// configuration of its clients.
pub struct Lab {
    /// The server.
    pub server: Server,
    client: Arc<Config>,
    clients: u32,
}

impl Lab {
    /// A server for `suite` with room for `capacity` sessions.
    pub fn new(suite: CipherSuite, capacity: usize) -> Result<Lab, String> {
        Lab::with_provider(suite, capacity, CryptoProvider::default())
    }

    /// The same with `provider` doing the elliptic-curve work on both sides.
    pub fn with_provider(
        suite: CipherSuite,
        capacity: usize,
        provider: CryptoProvider,
    ) -> Result<Lab, String> {
        let (client, server) = engine_configs(suite)?;
        let mut client = (*client).clone();
        client.set_crypto_provider(provider);
        let mut server = (*server).clone();
        server.set_crypto_provider(provider);
        let server = Server::new(server, capacity).map_err(|e| e.to_string())?;
        Ok(Lab {
            server,
            client: Arc::new(client),
            clients: 0,
        })
    }

    /// A new client (from a new address) handshakes as far as `until`; returns the
    /// client session and, once established, the server's id for it.
    pub fn handshake(&mut self, until: Until) -> Result<(Session, Option<SessionId>), String> {
        self.handshake_offering(until, None)
    }

    /// [`Lab::handshake`] with a client that offers `saved` for resumption.
    fn handshake_offering(
        &mut self,
        until: Until,
        saved: Option<&SavedSession>,
    ) -> Result<(Session, Option<SessionId>), String> {
        let now = Instant::ZERO;
        self.clients += 1;
        let peer = client_address(self.clients);
        let mut client = Session::client(self.client.clone());
        if let Some(saved) = saved {
            client
                .set_saved_session(saved.clone())
                .map_err(|e| e.to_string())?;
        }
        client.start(now).map_err(|e| e.to_string())?;
        for round in 1..=MAX_ROUNDS {
            loop {
                match client.poll_output() {
                    Output::Transmit(d) => self.server.handle_datagram(now, peer, &d),
                    Output::Event(Event::Error(e)) => return Err(format!("client: {e}")),
                    Output::Wait(_) => break,
                    Output::Event(_) | Output::Trace(_) => {}
                }
            }
            let mut established = None;
            let mut replies = Vec::new();
            loop {
                match self.server.poll_output() {
                    ServerOutput::Transmit { datagram, .. } => replies.push(datagram),
                    ServerOutput::Event(ServerEvent::Established { session, .. }) => {
                        established = Some(session);
                    }
                    ServerOutput::Event(ServerEvent::Error { error, .. }) => {
                        return Err(format!("server: {error}"));
                    }
                    ServerOutput::Wait(_) => break,
                    ServerOutput::Event(_) | ServerOutput::Trace { .. } => {}
                }
            }
            // Round 1 answers with the HelloVerifyRequest, round 2 with the server's flight.
            if until == Until::ServerFlight && round == 2 {
                return Ok((client, None));
            }
            for d in &replies {
                client.handle_datagram(now, d);
            }
            if established.is_some() && client.is_connected() {
                return Ok((client, established));
            }
        }
        Err("the handshake did not complete".into())
    }

    /// One full handshake whose server session is then freed (handshake-rate runs).
    pub fn handshake_and_free(&mut self) -> Result<(), String> {
        let (_, id) = self.handshake(Until::Established)?;
        let id = id.ok_or("no server session")?;
        self.server.session_reset(id).map_err(|e| e.to_string())
    }

    /// A full handshake's session, which the server's cache now holds.
    pub fn saved_session(&mut self) -> Result<SavedSession, String> {
        let (client, id) = self.handshake(Until::Established)?;
        let id = id.ok_or("no server session")?;
        self.server.session_reset(id).map_err(|e| e.to_string())?;
        client
            .saved_session()
            .ok_or_else(|| "the server gave the session no ID".into())
    }

    /// One abbreviated handshake resuming `saved`, whose server session is then freed.
    pub fn resumed_handshake_and_free(&mut self, saved: &SavedSession) -> Result<(), String> {
        let (client, id) = self.handshake_offering(Until::Established, Some(saved))?;
        if !client.is_resumed() {
            return Err("the server did not resume the session".into());
        }
        let id = id.ok_or("no server session")?;
        self.server.session_reset(id).map_err(|e| e.to_string())
    }
}

//! Handshakes with the engine inside the component, hosted by wasmtime (full ones, and
//! abbreviated ones resuming a session the server's cache holds): a client
//! `dtls-session` against a `dtls-server`, each in its own instance, datagrams handed
//! over in memory, one thread. The instances live across handshakes; each handshake
//! gets a fresh client session (with its credentials, as the WIT API takes them per
//! session) from an address of its own, and the server frees its session afterwards
//! or, for the memory and record figures, keeps it.

use wasm_dtls::{CipherSuite, KeyExchange};

use super::fixtures::{
    CA_PEM, MTU, PSK_IDENTITY, PSK_KEY, SERVER_CERT_PEM, SERVER_KEY_PEM, UNIX_TIME, client_address,
};
use crate::bindings::server_api::{Output as ServerOutput, ServerEvent};
use crate::bindings::session_api::Output as SessionOutput;
use crate::bindings::types::{Event, Settings};
use crate::instance::{ServerHandle, SessionHandle};
use crate::net::wit_address;
use crate::options::Options;
use crate::{PskEntry, Runtime};

/// At most this many exchanges per handshake: a clean one takes three.
const MAX_ROUNDS: usize = 16;

/// A client instance and a server instance for one suite.
pub struct WasmBench {
    client: SessionHandle,
    client_options: Options,
    client_settings: Settings,
    server: ServerHandle,
    clients: u32,
}

impl WasmBench {
    /// Instantiates the component twice and sets up the server for `suite`.
    pub fn new(runtime: &Runtime, suite: CipherSuite) -> Result<WasmBench, String> {
        WasmBench::with_capacity(runtime, suite, 1)
    }

    /// The same with room for `capacity` sessions on the server.
    pub fn with_capacity(
        runtime: &Runtime,
        suite: CipherSuite,
        capacity: u32,
    ) -> Result<WasmBench, String> {
        let e = |e: crate::DtlsError| e.to_string();
        let (client_options, server_options) = options(suite);
        let client_settings = client_options.settings();
        let mut client = SessionHandle::client(runtime, &client_settings).map_err(e)?;
        client_options.apply(&mut client).map_err(e)?;
        let mut server =
            ServerHandle::create(runtime, &server_options.settings(), capacity).map_err(e)?;
        server_options.apply(&mut server).map_err(e)?;
        Ok(WasmBench {
            client,
            client_options,
            client_settings,
            server,
            clients: 0,
        })
    }

    /// One full handshake from a fresh client session; the server frees its session.
    pub fn handshake(&mut self) -> Result<(), String> {
        self.handshake_then(ServerSession::Free, None)
    }

    /// One full handshake whose server session stays established.
    pub fn handshake_and_keep(&mut self) -> Result<(), String> {
        self.handshake_then(ServerSession::Keep, None)
    }

    /// A full handshake's saved session (the component's bytes), which the server's
    /// cache now holds.
    pub fn saved_session(&mut self) -> Result<Vec<u8>, String> {
        self.handshake()?;
        let saved = self.client.saved_session().map_err(|e| e.to_string())?;
        saved.ok_or_else(|| "the server gave the session no ID".into())
    }

    /// One abbreviated handshake resuming `saved`; the server frees its session.
    pub fn resumed_handshake(&mut self, saved: &[u8]) -> Result<(), String> {
        self.handshake_then(ServerSession::Free, Some(saved))?;
        match self.client.resumed() {
            Ok(true) => Ok(()),
            Ok(false) => Err("the server did not resume the session".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Sends one record of `payload` from the latest client session to the server's
    /// session with it, which must have been kept ([`WasmBench::handshake_and_keep`]),
    /// and checks that the server hands the data out whole.
    pub fn record(&mut self, payload: &[u8]) -> Result<(), String> {
        let e = |e: crate::DtlsError| e.to_string();
        self.client.send(payload).map_err(e)?;
        let SessionOutput::Transmit(datagram) = self.client.poll_output().map_err(e)? else {
            return Err("send produced no datagram".into());
        };
        let from = wit_address(client_address(self.clients));
        self.server.handle_datagram(0, from, &datagram).map_err(e)?;
        loop {
            match self.server.poll_output().map_err(e)? {
                ServerOutput::Event(ServerEvent::Receive(r)) if r.data.len() == payload.len() => {
                    return Ok(());
                }
                ServerOutput::Wait(_) => return Err("the record was not delivered".into()),
                _ => {}
            }
        }
    }

    /// The client's instance: the latest client session, established.
    pub fn client(&self) -> &SessionHandle {
        &self.client
    }

    /// The server's instance.
    pub fn server(&self) -> &ServerHandle {
        &self.server
    }

    /// A handshake from a fresh client session offering `saved`, if any.
    fn handshake_then(
        &mut self,
        server_session: ServerSession,
        saved: Option<&[u8]>,
    ) -> Result<(), String> {
        let e = |e: crate::DtlsError| e.to_string();
        self.client.renew_client(&self.client_settings).map_err(e)?;
        self.client_options.apply(&mut self.client).map_err(e)?;
        if let Some(saved) = saved {
            self.client.set_saved_session(saved).map_err(e)?;
        }
        self.clients += 1;
        let from = wit_address(client_address(self.clients));
        self.client.start(0).map_err(e)?;
        let mut connected = false;
        for _ in 0..MAX_ROUNDS {
            loop {
                match self.client.poll_output().map_err(e)? {
                    SessionOutput::Transmit(d) => {
                        self.server.handle_datagram(0, from, &d).map_err(e)?;
                    }
                    SessionOutput::Event(Event::Connected(_)) => connected = true,
                    SessionOutput::Event(Event::Error(err)) => {
                        return Err(format!("client: {}", err.message));
                    }
                    SessionOutput::Wait(_) => break,
                    SessionOutput::Event(_) | SessionOutput::Trace(_) => {}
                }
            }
            let mut established = None;
            loop {
                match self.server.poll_output().map_err(e)? {
                    ServerOutput::Transmit(t) => {
                        self.client.handle_datagram(0, &t.datagram).map_err(e)?;
                    }
                    ServerOutput::Event(ServerEvent::Established(est)) => {
                        established = Some(est.session);
                    }
                    ServerOutput::Event(ServerEvent::Error(f)) => {
                        return Err(format!("server: {}", f.error.message));
                    }
                    ServerOutput::Wait(_) => break,
                    ServerOutput::Event(_) | ServerOutput::Trace(_) => {}
                }
            }
            if let (Some(session), ServerSession::Free) = (established, server_session) {
                // The client's Finished is in; its connected event comes next round.
                self.server.session_reset(session).map_err(e)?;
            }
            if connected {
                return Ok(());
            }
        }
        Err("the handshake did not complete".into())
    }
}

/// What the server does with its session once established.
#[derive(Clone, Copy)]
enum ServerSession {
    Free,
    Keep,
}

/// The client's and the server's options for `suite`, with the shared fixtures.
fn options(suite: CipherSuite) -> (Options, Options) {
    let mut client = Options {
        suites: vec![suite],
        unix_time: Some(UNIX_TIME),
        mtu: Some(u32::from(MTU)),
        ..Options::default()
    };
    let mut server = client.clone();
    match suite.key_exchange() {
        KeyExchange::Psk | KeyExchange::EcdhePsk => {
            let psk = PskEntry {
                identity: PSK_IDENTITY.to_vec(),
                key: PSK_KEY.to_vec(),
                hint: Vec::new(),
            };
            client.psks = vec![psk.clone()];
            server.psks = vec![psk];
        }
        // ECDHE_RSA is not benched (CipherSuite::SERVED only).
        KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
            server.certificate = Some((SERVER_CERT_PEM.to_vec(), SERVER_KEY_PEM.to_vec()));
            client.trusted = vec![CA_PEM.to_vec()];
            client.server_name = Some("localhost".into());
        }
    }
    (client, server)
}

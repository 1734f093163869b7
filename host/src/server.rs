//! `DtlsServer`: the component's NetX server on a UDP port of its own (NetX
//! `server_create`, `server_start`, `server_stop`, `server_delete`, the notify
//! callbacks as an event stream, and the per-session services).

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Mutex;

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use wasm_dtls::{CipherSuite, NamedGroup, Status};

use crate::backlog::Backlog;
use crate::bindings::server_api::{Output, ServerEvent as WitEvent, SessionId as WitId};
use crate::clock::Clock;
use crate::error::DtlsError;
use crate::instance::ServerHandle;
use crate::ladder;
use crate::net::{socket_addr, wit_address};
use crate::options::{Options, engine_suite};
use crate::runtime::Runtime;
use crate::session::sleep_until;

/// The largest datagram we read.
const MAX_DATAGRAM: usize = 65_536;

/// A session of the server's pool. A handle of an ended session is refused even when
/// its slot holds a newer one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionId {
    /// The pool slot.
    pub slot: u32,
    /// How many sessions the slot had before.
    pub generation: u32,
}

impl From<WitId> for SessionId {
    fn from(id: WitId) -> SessionId {
        SessionId {
            slot: id.slot,
            generation: id.generation,
        }
    }
}

impl From<SessionId> for WitId {
    fn from(id: SessionId) -> WitId {
        WitId {
            slot: id.slot,
            generation: id.generation,
        }
    }
}

/// What happened, in NetX's notify vocabulary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerEvent {
    /// A new client passed the cookie check and got a slot (connect_notify).
    Connect {
        /// Its session.
        session: SessionId,
        /// Its address.
        peer: SocketAddr,
    },
    /// A session's handshake completed.
    Established {
        /// The session.
        session: SessionId,
        /// The negotiated suite.
        suite: CipherSuite,
        /// The ECDHE group; `None` with PSK.
        group: Option<NamedGroup>,
        /// The client's certificate chain (DER), if it sent one (for a resumed
        /// session, in the full handshake it resumes).
        peer_certificates: Vec<Vec<u8>>,
        /// Whether the client resumed a cached session (the abbreviated handshake).
        resumed: bool,
    },
    /// Application data arrived (receive_notify).
    Receive {
        /// The session.
        session: SessionId,
        /// The bytes.
        data: Vec<u8>,
    },
    /// A session ended (disconnect_notify); its slot is free.
    Disconnect {
        /// The session.
        session: SessionId,
        /// The client's address.
        peer: SocketAddr,
        /// Why.
        reason: DtlsError,
    },
    /// Something failed (error_notify).
    Error {
        /// The session, if one was involved.
        session: Option<SessionId>,
        /// The client's address.
        peer: SocketAddr,
        /// What failed.
        error: DtlsError,
    },
}

enum Command {
    Send(SessionId, Vec<u8>, oneshot::Sender<Result<(), DtlsError>>),
    End(SessionId, oneshot::Sender<Result<(), DtlsError>>),
    Reset(SessionId, oneshot::Sender<Result<(), DtlsError>>),
    ClientInfo(SessionId, oneshot::Sender<Result<SocketAddr, DtlsError>>),
    Stop(oneshot::Sender<()>),
}

/// A running server: the driver task and how to talk to it.
struct Running {
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedReceiver<ServerEvent>,
    local: SocketAddr,
    task: JoinHandle<ServerHandle>,
}

/// A DTLS server.
pub struct DtlsServer {
    /// The server while not started (a mutex only to make `DtlsServer` `Sync`: the
    /// wasmtime store is `Send` but not `Sync`).
    idle: Mutex<Option<ServerHandle>>,
    running: Option<Running>,
    options: Options,
    /// Received data waiting for `next_event`, and what was dropped beyond the bound.
    backlog: Backlog,
}

impl DtlsServer {
    /// A server with a pool of `capacity` sessions (NetX `server_create`). Credentials
    /// come from `options`; bad ones fail here with their NetX code.
    pub fn create(
        runtime: &Runtime,
        options: &Options,
        capacity: u32,
    ) -> Result<DtlsServer, DtlsError> {
        let mut handle = ServerHandle::create(runtime, &options.settings(), capacity)?;
        options.apply(&mut handle)?;
        if let Some(n) = options.verify_client {
            handle.x509_client_verify_configure(n)?;
        }
        if let Some((capacity, lifetime)) = options.session_cache {
            let seconds = u32::try_from(lifetime.as_secs()).unwrap_or(u32::MAX);
            handle.set_session_cache(capacity, seconds)?;
        }
        Ok(DtlsServer {
            idle: Mutex::new(Some(handle)),
            running: None,
            backlog: Backlog::default(),
            options: options.clone(),
        })
    }

    /// Binds `addr` and starts serving (NetX `server_start`): NX_ALREADY_BOUND when
    /// already started, NX_PORT_UNAVAILABLE when the port is taken. Returns the bound
    /// address (useful with port 0).
    pub async fn start(&mut self, addr: SocketAddr) -> Result<SocketAddr, DtlsError> {
        if self.running.is_some() {
            return Err(DtlsError::new(
                Status::AlreadyBound,
                "the server is already started; stop it first",
            ));
        }
        let socket = UdpSocket::bind(addr).await.map_err(|e| {
            let status = if e.kind() == ErrorKind::AddrInUse {
                Status::PortUnavailable
            } else {
                Status::NotSuccessful
            };
            DtlsError::new(status, format!("cannot bind {addr}: {e}"))
        })?;
        let local = socket
            .local_addr()
            .map_err(|e| DtlsError::host(e.to_string()))?;
        let handle = self
            .idle
            .get_mut()
            .ok()
            .and_then(Option::take)
            .ok_or_else(|| {
                DtlsError::new(Status::SessionUninitialized, "the server was deleted")
            })?;
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let driver = Driver {
            handle,
            socket,
            clock: Clock::new(),
            options: self.options.clone(),
            events: event_tx,
            backlog: self.backlog.clone(),
        };
        let task = tokio::spawn(driver.run(command_rx));
        self.running = Some(Running {
            commands,
            events,
            local,
            task,
        });
        Ok(local)
    }

    /// The bound address while started.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.running.as_ref().map(|r| r.local)
    }

    /// The next event; `None` when the server is not started.
    pub async fn next_event(&mut self) -> Option<ServerEvent> {
        let event = self.running.as_mut()?.events.recv().await;
        if let Some(ServerEvent::Receive { .. }) = event {
            self.backlog.taken();
        }
        event
    }

    /// Received records not yet taken by [`DtlsServer::next_event`]; at most
    /// [`crate::MAX_WAITING_RECORDS`] for the whole server.
    pub fn waiting_records(&self) -> usize {
        self.backlog.waiting()
    }

    /// Records dropped because [`crate::MAX_WAITING_RECORDS`] were already waiting (the
    /// application did not keep up with its clients).
    pub fn dropped_records(&self) -> u64 {
        self.backlog.dropped()
    }

    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, DtlsError>>) -> Command,
    ) -> Result<T, DtlsError> {
        let running = self.running.as_ref().ok_or_else(not_started)?;
        let (reply, answer) = oneshot::channel();
        running
            .commands
            .send(make(reply))
            .map_err(|_| not_started())?;
        answer.await.map_err(|_| not_started())?
    }

    /// Sends application data on a session (NetX `session_send`).
    pub async fn send(&self, session: SessionId, data: &[u8]) -> Result<(), DtlsError> {
        let data = data.to_vec();
        self.ask(|reply| Command::Send(session, data, reply)).await
    }

    /// Sends close_notify and frees the slot (NetX `session_end`).
    pub async fn end(&self, session: SessionId) -> Result<(), DtlsError> {
        self.ask(|reply| Command::End(session, reply)).await
    }

    /// Frees the slot without a word to the client (NetX `session_reset`).
    pub async fn reset(&self, session: SessionId) -> Result<(), DtlsError> {
        self.ask(|reply| Command::Reset(session, reply)).await
    }

    /// The client's address (NetX `session_client_info_get`).
    pub async fn client_info(&self, session: SessionId) -> Result<SocketAddr, DtlsError> {
        self.ask(|reply| Command::ClientInfo(session, reply)).await
    }

    /// Ends every session with close_notify, frees the pool and the port (NetX
    /// `server_stop`). The server can be started again.
    pub async fn stop(&mut self) -> Result<(), DtlsError> {
        let mut running = self.running.take().ok_or_else(not_started)?;
        let (reply, done) = oneshot::channel();
        if running.commands.send(Command::Stop(reply)).is_ok() {
            let _ = done.await;
        }
        let handle = (&mut running.task)
            .await
            .map_err(|e| DtlsError::host(format!("the server driver failed: {e}")))?;
        // Events not taken go with the stopped driver: so do their places in the backlog.
        while let Ok(event) = running.events.try_recv() {
            if let ServerEvent::Receive { .. } = event {
                self.backlog.taken();
            }
        }
        self.idle = Mutex::new(Some(handle));
        Ok(())
    }

    /// Releases the server (NetX `server_delete`): NX_STILL_BOUND while it is started.
    pub fn delete(&mut self) -> Result<(), DtlsError> {
        if self.running.is_some() {
            return Err(DtlsError::new(
                Status::StillBound,
                "the server is still started; stop it before deleting it",
            ));
        }
        self.idle = Mutex::new(None);
        Ok(())
    }
}

impl Drop for DtlsServer {
    fn drop(&mut self) {
        if let Some(running) = &self.running {
            running.task.abort();
        }
    }
}

fn not_started() -> DtlsError {
    DtlsError::new(Status::NotConnected, "the server is not started")
}

/// Owns the component instance and the socket while the server runs.
struct Driver {
    handle: ServerHandle,
    socket: UdpSocket,
    clock: Clock,
    options: Options,
    events: mpsc::UnboundedSender<ServerEvent>,
    backlog: Backlog,
}

impl Driver {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) -> ServerHandle {
        if let Err(e) = self.drive(&mut commands).await {
            let peer = self
                .socket
                .local_addr()
                .unwrap_or_else(|_| ([0, 0, 0, 0], 0).into());
            let _ = self.events.send(ServerEvent::Error {
                session: None,
                peer,
                error: e,
            });
        }
        self.handle
    }

    async fn drive(
        &mut self,
        commands: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Result<(), DtlsError> {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        loop {
            let deadline = self.flush().await?;
            let sleep = deadline.map(|ms| self.clock.at(ms));
            tokio::select! {
                received = self.socket.recv_from(&mut buf) => {
                    if let Ok((n, from)) = received {
                        let datagram = buf.get(..n).unwrap_or_default();
                        self.handle.handle_datagram(self.clock.now(), wit_address(from), datagram)?;
                    }
                }
                () = sleep_until(sleep) => {
                    self.handle.handle_timeout(self.clock.now())?;
                }
                command = commands.recv() => match command {
                    Some(Command::Send(id, data, reply)) => {
                        let _ = reply.send(self.handle.session_send(id.into(), &data));
                    }
                    Some(Command::End(id, reply)) => {
                        let _ = reply.send(self.handle.session_end(id.into()));
                    }
                    Some(Command::Reset(id, reply)) => {
                        let _ = reply.send(self.handle.session_reset(id.into()));
                    }
                    Some(Command::ClientInfo(id, reply)) => {
                        let _ = reply.send(self.handle.client_info_get(id.into()).map(|a| socket_addr(&a)));
                    }
                    Some(Command::Stop(done)) => {
                        self.handle.stop()?;
                        self.flush().await?;
                        let _ = done.send(());
                        return Ok(());
                    }
                    None => return Ok(()),
                },
            }
        }
    }

    /// Sends what the server has to send and reports its events; returns its next
    /// deadline.
    async fn flush(&mut self) -> Result<Option<u64>, DtlsError> {
        loop {
            match self.handle.poll_output()? {
                Output::Transmit(t) => {
                    let _ = self.socket.send_to(&t.datagram, socket_addr(&t.to)).await;
                }
                Output::Event(event) => self.report(event)?,
                Output::Trace(t) => {
                    if let Some(sink) = &self.options.trace {
                        let who = match t.session {
                            Some(id) => {
                                format!("{} #{}.{}", socket_addr(&t.peer), id.slot, id.generation)
                            }
                            None => socket_addr(&t.peer).to_string(),
                        };
                        sink(
                            self.clock.now(),
                            &format!("[{who}] {}", ladder::describe(&t.trace)),
                        );
                    }
                }
                Output::Wait(deadline) => return Ok(deadline),
            }
        }
    }

    fn report(&mut self, event: WitEvent) -> Result<(), DtlsError> {
        let event = match event {
            WitEvent::Connect(c) => ServerEvent::Connect {
                session: c.session.into(),
                peer: socket_addr(&c.peer),
            },
            WitEvent::Established(e) => ServerEvent::Established {
                session: e.session.into(),
                suite: engine_suite(e.suite),
                group: self.handle.session_named_group(e.session)?,
                peer_certificates: self.handle.session_peer_certificates(e.session)?,
                resumed: self.handle.session_resumed(e.session)?,
            },
            WitEvent::Receive(r) if self.backlog.admit() => ServerEvent::Receive {
                session: r.session.into(),
                data: r.data,
            },
            // Counted by the backlog: the application is not keeping up.
            WitEvent::Receive(_) => return Ok(()),
            WitEvent::Disconnect(d) => ServerEvent::Disconnect {
                session: d.session.into(),
                peer: socket_addr(&d.peer),
                reason: self.handle.error(d.reason),
            },
            WitEvent::Error(f) => ServerEvent::Error {
                session: f.session.map(SessionId::from),
                peer: socket_addr(&f.peer),
                error: self.handle.error(f.error),
            },
            WitEvent::KeyLog(line) => {
                if let Some(sink) = &self.options.key_log {
                    sink(&line);
                }
                return Ok(());
            }
        };
        let _ = self.events.send(event);
        Ok(())
    }
}

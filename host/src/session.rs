//! `DtlsSession`: a client session over a UDP socket of its own (NetX
//! `client_session_start`, `session_send`, `session_receive`, `session_end`, …).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use wasm_dtls::{CipherSuite, NamedGroup, SavedSession, Status};

use crate::backlog::Backlog;
use crate::bindings::session_api::Output;
use crate::bindings::types::{Event, SessionState};
use crate::clock::Clock;
use crate::error::DtlsError;
use crate::instance::SessionHandle;
use crate::ladder;
use crate::options::{Options, engine_suite};
use crate::runtime::Runtime;

/// The largest datagram we read.
const MAX_DATAGRAM: usize = 65_536;

/// What a completed handshake settled.
#[derive(Debug)]
struct Negotiated {
    suite: CipherSuite,
    group: Option<NamedGroup>,
    peer_certificates: Vec<Vec<u8>>,
    saved_session: Option<SavedSession>,
    resumed: bool,
    handshake: HandshakeStats,
}

/// What the driver reports to the session's owner.
#[derive(Debug)]
enum Note {
    Connected(Box<Negotiated>),
    Data(Vec<u8>),
    Closed,
    Failed(DtlsError),
    /// The address refused, or stayed silent for the first retransmission timeout,
    /// before answering: the next one is to be tried. Says which.
    Skipped(&'static str),
}

/// What the handshake took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HandshakeStats {
    /// Milliseconds from `start` to the Connected event.
    pub millis: u64,
    /// Datagrams we sent.
    pub datagrams_sent: u64,
    /// Datagrams we received.
    pub datagrams_received: u64,
    /// Flights we sent again.
    pub retransmissions: u64,
}

/// What the owner asks of the driver.
enum Command {
    Send(Vec<u8>, oneshot::Sender<Result<(), DtlsError>>),
    End(oneshot::Sender<()>),
}

/// An established DTLS client session. Dropping it stops its driver without a
/// close_notify; call [`DtlsSession::end`] to close politely.
pub struct DtlsSession {
    commands: mpsc::UnboundedSender<Command>,
    notes: mpsc::UnboundedReceiver<Note>,
    peer: SocketAddr,
    local: SocketAddr,
    negotiated: Box<Negotiated>,
    task: JoinHandle<()>,
    backlog: Backlog,
}

impl DtlsSession {
    /// Connects to `peer` and completes the handshake within `timeout` (NetX
    /// `session_create` + `client_session_start` with a wait option). Fails with the
    /// handshake's NetX code, or WASM_DTLS_HANDSHAKE_TIMEOUT when time runs out.
    pub async fn connect(
        runtime: &Runtime,
        peer: SocketAddr,
        options: &Options,
        timeout: Duration,
    ) -> Result<DtlsSession, DtlsError> {
        Self::connect_any(runtime, &[peer], options, timeout).await
    }

    /// Connects to the first of `peers` that does not refuse, within `timeout` in all:
    /// the addresses of one host name (`localhost`: `::1`, then `127.0.0.1`), tried in
    /// turn while each answers with ICMP port unreachable (nothing listens there) or
    /// stays silent for the first retransmission timeout (RFC 8305's idea, with the
    /// flight's own timer as the delay), as `TcpStream::connect` tries each address. At
    /// the last address the handshake is retried until `timeout`, as by
    /// [`DtlsSession::connect`].
    pub async fn connect_any(
        runtime: &Runtime,
        peers: &[SocketAddr],
        options: &Options,
        timeout: Duration,
    ) -> Result<DtlsSession, DtlsError> {
        let started = std::time::Instant::now();
        let mut tried = Vec::new();
        for (i, &peer) in peers.iter().enumerate() {
            let attempt = Attempt {
                peer,
                timeout,
                left: timeout.saturating_sub(started.elapsed()),
                fall_back: i + 1 < peers.len(),
                tried: &tried,
            };
            match attempt.run(runtime, options).await? {
                Ok(session) => return Ok(session),
                Err(why) => tried.push(format!("{} ({why})", peer.ip())),
            }
        }
        Err(DtlsError::new(
            Status::InvalidParameters,
            "there is no address to connect to",
        ))
    }

    /// Sends application data as one record (NetX `session_send`).
    pub async fn send(&self, data: &[u8]) -> Result<(), DtlsError> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Send(data.to_vec(), reply))
            .map_err(|_| ended())?;
        answer.await.map_err(|_| ended())?
    }

    /// The next application data from the peer, waiting at most `timeout` (NetX
    /// `session_receive`): NX_NO_PACKET when nothing came,
    /// NX_SECURE_TLS_CLOSE_NOTIFY_RECEIVED when the peer closed, or the error that
    /// ended the session.
    pub async fn receive(&mut self, timeout: Duration) -> Result<Vec<u8>, DtlsError> {
        match tokio::time::timeout(timeout, self.notes.recv()).await {
            Ok(Some(Note::Data(data))) => {
                self.backlog.taken();
                Ok(data)
            }
            Ok(Some(Note::Closed)) => Err(DtlsError::new(
                Status::CloseNotifyReceived,
                "the peer closed the session",
            )),
            Ok(Some(Note::Failed(e))) => Err(e),
            Ok(Some(Note::Connected(_) | Note::Skipped(_))) | Ok(None) => Err(ended()),
            Err(_) => Err(DtlsError::new(
                Status::NoPacket,
                format!("nothing arrived within {:.1} s", timeout.as_secs_f64()),
            )),
        }
    }

    /// Sends close_notify and ends the session (NetX `session_end`).
    pub async fn end(mut self) {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::End(reply)).is_ok() {
            let _ = done.await;
        }
        let _ = (&mut self.task).await;
    }

    /// Forgets the session without a close_notify (NetX `session_reset` +
    /// `session_delete`); the peer notices by its idle timeout.
    pub fn reset(self) {
        self.task.abort();
    }

    /// What the handshake took.
    pub fn handshake_stats(&self) -> HandshakeStats {
        self.negotiated.handshake
    }

    /// The server's address (NetX `session_client_info_get` from the client side).
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Our UDP socket's address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The negotiated suite.
    pub fn cipher_suite(&self) -> CipherSuite {
        self.negotiated.suite
    }

    /// The ECDHE group the key exchange used; `None` with PSK.
    pub fn named_group(&self) -> Option<NamedGroup> {
        self.negotiated.group
    }

    /// The server's certificate chain (DER), empty with PSK.
    pub fn peer_certificates(&self) -> &[Vec<u8>] {
        &self.negotiated.peer_certificates
    }

    /// The session a later connection to the same server can resume (pass it in
    /// [`Options::saved_session`]), when the server gave it an ID and the extended
    /// master secret was used. It holds the session's master secret. A session that
    /// ends with an error should not be resumed (RFC 5246 §7.2.2).
    pub fn saved_session(&self) -> Option<&SavedSession> {
        self.negotiated.saved_session.as_ref()
    }

    /// Whether the handshake resumed [`Options::saved_session`] (the abbreviated
    /// handshake: no key exchange, no certificates).
    pub fn is_resumed(&self) -> bool {
        self.negotiated.resumed
    }

    /// Records received and not yet taken by [`DtlsSession::receive`]; at most
    /// [`crate::MAX_WAITING_RECORDS`].
    pub fn waiting_records(&self) -> usize {
        self.backlog.waiting()
    }

    /// Records dropped because [`crate::MAX_WAITING_RECORDS`] were already waiting (the
    /// application did not keep up with the peer).
    pub fn dropped_records(&self) -> u64 {
        self.backlog.dropped()
    }
}

/// One handshake of [`DtlsSession::connect_any`], with one address.
struct Attempt<'a> {
    peer: SocketAddr,
    /// The caller's whole timeout, for the message.
    timeout: Duration,
    /// What is left of it.
    left: Duration,
    /// Whether a refusal or silence before any answer ends this attempt, for the
    /// next address.
    fall_back: bool,
    /// The addresses tried before this one, each with why it was left.
    tried: &'a [String],
}

impl Attempt<'_> {
    /// The session once connected, or why the address was left for the next one
    /// (`Ok(Err(..))`); else the reason the handshake failed.
    async fn run(
        self,
        runtime: &Runtime,
        options: &Options,
    ) -> Result<Result<DtlsSession, &'static str>, DtlsError> {
        let Attempt {
            peer,
            timeout,
            left,
            fall_back,
            tried,
        } = self;
        let mut handle = SessionHandle::client(runtime, &options.settings())?;
        options.apply(&mut handle)?;
        if let Some(saved) = &options.saved_session {
            handle.set_saved_session(&saved.to_bytes())?;
        }
        let any: SocketAddr = if peer.is_ipv4() {
            (Ipv4Addr::UNSPECIFIED, 0).into()
        } else {
            (Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(any).await.map_err(|e| {
            DtlsError::new(
                Status::PortUnavailable,
                format!("cannot open a UDP socket: {e}"),
            )
        })?;
        socket.connect(peer).await.map_err(|e| {
            DtlsError::new(Status::NotConnected, format!("cannot reach {peer}: {e}"))
        })?;
        let local = socket
            .local_addr()
            .map_err(|e| DtlsError::host(e.to_string()))?;
        let clock = Clock::new();
        handle.start(clock.now())?;

        let (commands, command_rx) = mpsc::unbounded_channel();
        let (note_tx, mut notes) = mpsc::unbounded_channel();
        let refused = Arc::new(AtomicBool::new(false));
        let backlog = Backlog::default();
        let driver = Driver {
            handle,
            socket,
            clock,
            options: options.clone(),
            notes: note_tx,
            refused: refused.clone(),
            fall_back,
            answered: false,
            backlog: backlog.clone(),
        };
        let task = tokio::spawn(driver.run(command_rx));
        let first = tokio::time::timeout(left, notes.recv()).await;
        // A handshake that timed out says so when the system answered "connection
        // refused" (ICMP port unreachable) to our last flight, the likely cause, and
        // which addresses were tried before.
        let explained = |e: DtlsError| {
            if e.status() != Status::HandshakeTimeout {
                return e;
            }
            let mut notes = vec![e.message().to_string()];
            if refused.load(Ordering::Relaxed) {
                notes.push(format!(
                    "{} answered that nothing receives on its UDP port {} (ICMP port \
                     unreachable): is the server running?",
                    peer.ip(),
                    peer.port()
                ));
            }
            if !tried.is_empty() {
                notes.push(format!("tried before: {}", tried.join(", ")));
            }
            DtlsError::new(e.status(), notes.join("; "))
        };
        match first {
            Ok(Some(Note::Connected(negotiated))) => Ok(Ok(DtlsSession {
                commands,
                notes,
                peer,
                local,
                negotiated,
                task,
                backlog,
            })),
            Ok(Some(Note::Skipped(why))) => Ok(Err(why)),
            Ok(Some(Note::Failed(e))) => Err(explained(e)),
            Ok(Some(other)) => Err(DtlsError::host(format!(
                "unexpected before the handshake completed: {other:?}"
            ))),
            Ok(None) => Err(DtlsError::host("the session driver stopped")),
            Err(_) => {
                task.abort();
                Err(explained(DtlsError::new(
                    Status::HandshakeTimeout,
                    format!(
                        "no handshake with {peer} within {:.1} s",
                        timeout.as_secs_f64()
                    ),
                )))
            }
        }
    }
}

impl Drop for DtlsSession {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn ended() -> DtlsError {
    DtlsError::new(Status::SessionUninitialized, "the session has ended")
}

/// Owns the component instance and the socket; runs until the session ends.
struct Driver {
    handle: SessionHandle,
    socket: UdpSocket,
    clock: Clock,
    options: Options,
    notes: mpsc::UnboundedSender<Note>,
    /// Whether the last thing the socket heard was "connection refused".
    refused: Arc<AtomicBool>,
    /// Whether a refusal before any answer ends the session (another address follows).
    fall_back: bool,
    /// Whether anything arrived from the peer.
    answered: bool,
    /// Application data waiting for `receive`.
    backlog: Backlog,
}

impl Driver {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        if let Err(e) = self.drive(&mut commands).await {
            let _ = self.notes.send(Note::Failed(e));
        }
    }

    async fn drive(
        &mut self,
        commands: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Result<(), DtlsError> {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        loop {
            let deadline = self.flush().await?;
            if matches!(
                self.handle.state()?,
                SessionState::Closed | SessionState::Failed
            ) {
                return Ok(());
            }
            let sleep = deadline.map(|ms| self.clock.at(ms));
            tokio::select! {
                received = self.socket.recv(&mut buf) => match received {
                    Ok(n) => {
                        self.refused.store(false, Ordering::Relaxed);
                        self.answered = true;
                        let datagram = buf.get(..n).unwrap_or_default();
                        self.handle.handle_datagram(self.clock.now(), datagram)?;
                    }
                    // ICMP "port unreachable" shows up as an error on a connected
                    // socket; the retransmission timer copes with a peer not there yet,
                    // and a handshake that times out says what was heard.
                    Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                        self.refused.store(true, Ordering::Relaxed);
                        if self.fall_back && !self.answered {
                            let _ = self.notes.send(Note::Skipped("refused"));
                            return Ok(());
                        }
                    }
                    Err(_) => {}
                },
                () = sleep_until(sleep) => {
                    // The first retransmission timeout without a word: the next
                    // address, if there is one, may do better.
                    if self.fall_back && !self.answered {
                        let _ = self.notes.send(Note::Skipped("no answer"));
                        return Ok(());
                    }
                    self.handle.handle_timeout(self.clock.now())?;
                }
                command = commands.recv() => match command {
                    Some(Command::Send(data, reply)) => {
                        let _ = reply.send(self.handle.send(&data));
                    }
                    Some(Command::End(done)) => {
                        self.handle.end()?;
                        self.flush().await?;
                        let _ = done.send(());
                        return Ok(());
                    }
                    None => return Ok(()),
                },
            }
        }
    }

    /// Sends what the session has to send and reports its events; returns its next
    /// deadline.
    async fn flush(&mut self) -> Result<Option<u64>, DtlsError> {
        loop {
            match self.handle.poll_output()? {
                Output::Transmit(datagram) => {
                    // A lost datagram is the protocol's business (retransmission).
                    let _ = self.socket.send(&datagram).await;
                }
                Output::Event(event) => self.report(event)?,
                Output::Trace(trace) => {
                    if let Some(sink) = &self.options.trace {
                        sink(self.clock.now(), &ladder::describe(&trace));
                    }
                }
                Output::Wait(deadline) => return Ok(deadline),
            }
        }
    }

    fn report(&mut self, event: Event) -> Result<(), DtlsError> {
        let note = match event {
            Event::Connected(suite) => {
                let stats = self.handle.stats()?;
                let saved = self.handle.saved_session()?;
                Note::Connected(Box::new(Negotiated {
                    suite: engine_suite(suite),
                    group: self.handle.named_group()?,
                    peer_certificates: self.handle.peer_certificates()?,
                    // The component wrote these bytes; they read back.
                    saved_session: saved.and_then(|b| SavedSession::from_bytes(&b).ok()),
                    resumed: self.handle.resumed()?,
                    handshake: HandshakeStats {
                        millis: self.clock.now(),
                        datagrams_sent: stats.datagrams_sent,
                        datagrams_received: stats.datagrams_received,
                        retransmissions: stats.retransmissions,
                    },
                }))
            }
            Event::Data(data) if self.backlog.admit() => Note::Data(data),
            // Counted by the backlog: the application is not keeping up.
            Event::Data(_) => return Ok(()),
            Event::Closed => Note::Closed,
            Event::Error(e) => Note::Failed(self.handle.error(e)),
            Event::KeyLog(line) => {
                if let Some(sink) = &self.options.key_log {
                    sink(&line);
                }
                return Ok(());
            }
        };
        let _ = self.notes.send(note);
        Ok(())
    }
}

/// Sleeps until `at`, or forever when there is no deadline.
pub(crate) async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

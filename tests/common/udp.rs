//! Drives a session or a pool server over a real loopback UDP socket with the wall
//! clock, and relays datagrams through a lossy proxy: the interop tests' small
//! std::net tools.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant as WallClock};

use wasm_dtls::{
    CipherSuite, Config, Event, Instant, Output, Server, ServerEvent, ServerOutput, Session,
    SessionId,
};

use super::process::Process;

/// How long the pool helpers wait for a peer process.
const PEER_LIMIT: Duration = Duration::from_secs(20);

/// What the driver runs: a session (one peer) or a pool server (any peer).
pub trait Endpoint {
    /// What it reports.
    type Event;
    /// Takes a datagram from `from`, if it is one this endpoint listens to.
    fn receive(&mut self, now: Instant, from: SocketAddr, peer: SocketAddr, datagram: &[u8]);
    /// Its deadline passed.
    fn timeout(&mut self, now: Instant);
    /// Its next output.
    fn next(&mut self, peer: SocketAddr) -> Step<Self::Event>;
}

/// One output of an endpoint, as the driver acts on it.
pub enum Step<E> {
    /// Send this datagram there.
    Send(SocketAddr, Vec<u8>),
    /// Keep this event.
    Event(E),
    /// Nothing for the driver (a trace).
    Skip,
    /// Nothing more until this deadline.
    Wait(Option<Instant>),
}

impl Endpoint for Session {
    type Event = Event;

    fn receive(&mut self, now: Instant, from: SocketAddr, peer: SocketAddr, datagram: &[u8]) {
        if from == peer {
            self.handle_datagram(now, datagram);
        }
    }

    fn timeout(&mut self, now: Instant) {
        self.handle_timeout(now);
    }

    fn next(&mut self, peer: SocketAddr) -> Step<Event> {
        match self.poll_output() {
            Output::Transmit(d) => Step::Send(peer, d),
            Output::Event(e) => Step::Event(e),
            Output::Trace(_) => Step::Skip,
            Output::Wait(deadline) => Step::Wait(deadline),
        }
    }
}

impl Endpoint for Server {
    type Event = ServerEvent;

    fn receive(&mut self, now: Instant, from: SocketAddr, _: SocketAddr, datagram: &[u8]) {
        self.handle_datagram(now, from, datagram);
    }

    fn timeout(&mut self, now: Instant) {
        self.handle_timeout(now);
    }

    fn next(&mut self, _: SocketAddr) -> Step<ServerEvent> {
        match self.poll_output() {
            ServerOutput::Transmit { to, datagram } => Step::Send(to, datagram),
            ServerOutput::Event(e) => Step::Event(e),
            ServerOutput::Trace { .. } => Step::Skip,
            ServerOutput::Wait(deadline) => Step::Wait(deadline),
        }
    }
}

/// An endpoint bound to a UDP socket; a session talks to `peer` only.
pub struct UdpDriver<E: Endpoint = Session> {
    pub endpoint: E,
    pub socket: UdpSocket,
    pub peer: SocketAddr,
    clock: WallClock,
    deadline: Option<Instant>,
    pub events: Vec<E::Event>,
}

impl<E: Endpoint> UdpDriver<E> {
    pub fn new(endpoint: E, socket: UdpSocket, peer: SocketAddr) -> UdpDriver<E> {
        UdpDriver {
            endpoint,
            socket,
            peer,
            clock: WallClock::now(),
            deadline: None,
            events: Vec::new(),
        }
    }

    /// The wall clock as the engine's millisecond time.
    pub fn now(&self) -> Instant {
        Instant::from_millis(self.clock.elapsed().as_millis() as u64)
    }

    /// Sends what the endpoint has to send and collects its events.
    pub fn flush(&mut self) {
        loop {
            match self.endpoint.next(self.peer) {
                Step::Send(to, d) => {
                    self.socket.send_to(&d, to).expect("UDP send on loopback");
                }
                Step::Event(e) => self.events.push(e),
                Step::Skip => {}
                Step::Wait(deadline) => {
                    self.deadline = deadline;
                    return;
                }
            }
        }
    }

    /// Runs the endpoint until `done` holds or `limit` of real time passes.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Self) -> bool) -> bool {
        let end = WallClock::now() + limit;
        let mut buf = vec![0u8; 65_536];
        self.flush();
        while WallClock::now() < end {
            if done(self) {
                return true;
            }
            let now = self.now();
            let wait = self
                .deadline
                .map_or(Duration::from_millis(20), |d| d - now)
                .clamp(Duration::from_millis(1), Duration::from_millis(20));
            self.socket
                .set_read_timeout(Some(wait))
                .expect("set timeout");
            if let Ok((n, from)) = self.socket.recv_from(&mut buf) {
                let now = self.now();
                self.endpoint.receive(now, from, self.peer, &buf[..n]);
            }
            let now = self.now();
            if self.deadline.is_some_and(|d| d <= now) {
                self.endpoint.timeout(now);
            }
            self.flush();
        }
        done(self)
    }
}

impl UdpDriver<Session> {
    /// Whether the handshake completed.
    pub fn connected(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e, Event::Connected { .. }))
    }

    /// All application data received so far, concatenated.
    pub fn received(&self) -> Vec<u8> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Data(d) => Some(d.as_slice()),
                _ => None,
            })
            .flatten()
            .copied()
            .collect()
    }

    /// Our client with `config` on `socket`, connected to the echo server at `at` (the
    /// `server` process, whose output a failure shows) with `suite`; `message` has come
    /// back. A server that is not listening yet is covered by our ClientHello's
    /// retransmission.
    pub fn echo_client(
        config: Config,
        socket: UdpSocket,
        at: SocketAddr,
        server: &Process,
        suite: CipherSuite,
        message: &[u8],
    ) -> UdpDriver<Session> {
        let session = Session::client(Arc::new(config));
        let mut client = UdpDriver::echo_session(session, socket, at, server, suite);
        client.endpoint.send(message).expect("send");
        assert!(
            client.run_until(PEER_LIMIT, |c| c.received() == message),
            "{suite:?}: echo {:?}; the peer said:\n{}",
            String::from_utf8_lossy(&client.received()),
            server.output()
        );
        assert_eq!(client.endpoint.stats().dropped_bad_mac, 0);
        client
    }

    /// Our client `session` on `socket`, its handshake with the server at `at` (the
    /// `server` process, whose output a failure shows) completed with `suite`.
    pub fn echo_session(
        session: Session,
        socket: UdpSocket,
        at: SocketAddr,
        server: &Process,
        suite: CipherSuite,
    ) -> UdpDriver<Session> {
        let mut client = UdpDriver::new(session, socket, at);
        let now = client.now();
        client.endpoint.start(now).expect("start");
        assert!(
            client.run_until(PEER_LIMIT, UdpDriver::connected),
            "{suite:?}: no handshake; events {:?}; the peer said:\n{}",
            client.events,
            server.output()
        );
        assert!(client.events.contains(&Event::Connected { suite }));
        client
    }
}

impl UdpDriver<Server> {
    /// A pool server with `config` (room for four sessions) answering whoever writes to
    /// `socket`.
    pub fn pool(config: Config, socket: UdpSocket) -> UdpDriver<Server> {
        // The driver's peer is unused: a server answers each datagram's sender.
        let unused = SocketAddr::new(socket.local_addr().expect("local address").ip(), 9);
        UdpDriver::new(Server::new(config, 4).expect("a server"), socket, unused)
    }

    /// Runs until a session is established with `suite` (from the `client` process,
    /// whose output a failure shows); that session.
    pub fn established(&mut self, client: &Process, suite: CipherSuite) -> SessionId {
        let established = |d: &Self| {
            d.events.iter().find_map(|e| match e {
                ServerEvent::Established { session, suite } => Some((*session, *suite)),
                _ => None,
            })
        };
        assert!(
            self.run_until(PEER_LIMIT, |d| established(d).is_some()),
            "{suite:?}: no handshake; events {:?}; the peer said:\n{}",
            self.events,
            client.output()
        );
        let (session, negotiated) = established(self).expect("established");
        assert_eq!(negotiated, suite);
        session
    }

    /// Runs until `client` has sent `expected` (in any number of records) on a session
    /// established with `suite`; that session.
    pub fn received_from(
        &mut self,
        client: &Process,
        suite: CipherSuite,
        expected: &[u8],
    ) -> SessionId {
        let session = self.established(client, suite);
        let received = |d: &Self| -> Vec<u8> {
            let data = d.events.iter().filter_map(|e| match e {
                ServerEvent::Receive { session: s, data } if *s == session => Some(data.as_slice()),
                _ => None,
            });
            data.flatten().copied().collect()
        };
        assert!(
            self.run_until(PEER_LIMIT, |d| received(d) == expected),
            "{suite:?}: received {:?}; events {:?}; the peer said:\n{}",
            String::from_utf8_lossy(&received(self)),
            self.events,
            client.output()
        );
        session
    }

    /// The certificate chain the peer of `session` presented (DER, own first).
    pub fn peer_chain(&self, session: SessionId) -> Vec<Vec<u8>> {
        self.endpoint
            .session(session)
            .expect("the session")
            .peer_certificates()
            .to_vec()
    }

    /// Sends `data` on `session` now.
    pub fn reply(&mut self, session: SessionId, data: &[u8]) {
        self.endpoint
            .session_send(session, data)
            .expect("session_send");
        self.flush();
    }
}

/// Datagram numbers in each direction: towards the server, towards the client.
pub type Datagrams<'a> = (&'a [usize], &'a [usize]);

/// What a [`LossyProxy`] does to the datagrams it relays, numbered from 0 in each
/// direction.
#[derive(Clone, Copy, Debug)]
pub struct Mishaps<'a> {
    /// Datagrams not passed on.
    pub drops: Datagrams<'a>,
    /// Datagrams held back until the next one in the same direction has passed: the
    /// two arrive swapped.
    pub swaps: Datagrams<'a>,
    /// Datagrams passed on twice.
    pub doubles: Datagrams<'a>,
}

/// Loses the second ClientHello, the first datagram of the server's flight and the
/// client's final flight, once each: both sides must resend.
pub const LOSSES: Mishaps<'static> = Mishaps {
    drops: (&[1, 3], &[1]),
    swaps: (&[], &[]),
    doubles: (&[], &[]),
};

/// Delivers the first three datagrams of each direction twice (ClientHellos,
/// HelloVerifyRequest, flights): both sides must ignore what they already have.
pub const REPEATS: Mishaps<'static> = Mishaps {
    drops: (&[], &[]),
    swaps: (&[], &[]),
    doubles: (&[0, 1, 2], &[0, 1, 2]),
};

/// Swaps datagrams 1 and 2, 3 and 4, 5 and 6 towards the client: after the
/// HelloVerifyRequest (0), the server's flight arrives out of order when it spans many
/// datagrams.
pub const REORDERED_FLIGHT: Mishaps<'static> = Mishaps {
    drops: (&[], &[]),
    swaps: (&[], &[1, 3, 5]),
    doubles: (&[], &[]),
};

/// A UDP relay between one client and a server that drops, reorders or repeats chosen
/// datagrams ([`Mishaps`]), so that both sides must resend flights to each other, put
/// them back in order or ignore what they already have. The client is whoever writes
/// first. Runs in a thread until dropped.
pub struct LossyProxy {
    /// Where the client should send.
    pub addr: SocketAddr,
    /// How many datagrams it was told to drop, hold back or repeat.
    planned: usize,
    done: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl LossyProxy {
    /// A relay with `mishaps` in front of `server`, if any, and where a client should
    /// send: the relay, or the server itself.
    pub fn in_front_of(
        server: SocketAddr,
        mishaps: Option<Mishaps<'_>>,
    ) -> (Option<LossyProxy>, SocketAddr) {
        let proxy = mishaps.map(|m| LossyProxy::with(server, m));
        let at = proxy.as_ref().map_or(server, |p| p.addr);
        (proxy, at)
    }

    /// A relay to `server` with these mishaps.
    pub fn with(server: SocketAddr, mishaps: Mishaps<'_>) -> LossyProxy {
        let socket = UdpSocket::bind((server.ip(), 0)).expect("bind the proxy");
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .expect("set timeout");
        let addr = socket.local_addr().expect("proxy address");
        let (done, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let count = |(a, b): Datagrams<'_>| a.len() + b.len();
        let planned = count(mishaps.drops) + count(mishaps.swaps) + count(mishaps.doubles);
        let plan = |(a, b): Datagrams<'_>| [a.to_vec(), b.to_vec()];
        let (drops, swaps) = (plan(mishaps.drops), plan(mishaps.swaps));
        let doubles = plan(mishaps.doubles);
        let thread = std::thread::spawn({
            let (done, stop) = (done.clone(), stop.clone());
            move || {
                let mut client = None;
                let mut counts = [0usize; 2];
                let mut held: [Option<Vec<u8>>; 2] = [None, None];
                let mut buf = vec![0u8; 65_536];
                while !stop.load(Ordering::Relaxed) {
                    let Ok((n, from)) = socket.recv_from(&mut buf) else {
                        continue;
                    };
                    let (direction, to) = if from == server {
                        let Some(client) = client else { continue };
                        (1, client)
                    } else {
                        client = Some(from);
                        (0, server)
                    };
                    let index = counts[direction];
                    counts[direction] += 1;
                    if drops[direction].contains(&index) {
                        done.fetch_add(1, Ordering::Relaxed);
                    } else if swaps[direction].contains(&index) {
                        held[direction] = Some(buf[..n].to_vec());
                    } else {
                        let _ = socket.send_to(&buf[..n], to);
                        if doubles[direction].contains(&index) {
                            let _ = socket.send_to(&buf[..n], to);
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        if let Some(late) = held[direction].take() {
                            let _ = socket.send_to(&late, to);
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        });
        LossyProxy {
            addr,
            planned,
            done,
            stop,
            thread: Some(thread),
        }
    }

    /// Whether it carried out every mishap planned: each datagram it was told to drop,
    /// hold back or repeat came, and was dropped, delivered late or twice. Waits a
    /// little for the last ones: a side may be done as soon as it has sent its final
    /// flight, before the relay's thread has read it.
    pub fn carried_out(&self) -> bool {
        let deadline = WallClock::now() + Duration::from_secs(5);
        while self.done.load(Ordering::Relaxed) < self.planned && WallClock::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.done.load(Ordering::Relaxed) == self.planned
    }
}

impl Drop for LossyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

//! Drives a session or a pool server over a real loopback UDP socket with the wall
//! clock: the interop tests' small std::net driver.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant as WallClock};

use wasm_dtls::{Event, Instant, Output, Server, ServerEvent, ServerOutput, Session};

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
}

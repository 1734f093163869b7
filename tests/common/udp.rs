//! Drives a session over a real loopback UDP socket with the wall clock: the interop
//! tests' small std::net driver.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant as WallClock};

use wasm_dtls::{Event, Instant, Output, Session};

/// A session bound to a UDP socket and one peer.
pub struct UdpDriver {
    pub session: Session,
    pub socket: UdpSocket,
    pub peer: SocketAddr,
    clock: WallClock,
    deadline: Option<Instant>,
    pub events: Vec<Event>,
}

impl UdpDriver {
    pub fn new(session: Session, socket: UdpSocket, peer: SocketAddr) -> UdpDriver {
        UdpDriver {
            session,
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

    /// Sends what the session has to send and collects its events.
    pub fn flush(&mut self) {
        loop {
            match self.session.poll_output() {
                Output::Transmit(d) => {
                    self.socket
                        .send_to(&d, self.peer)
                        .expect("UDP send on loopback");
                }
                Output::Event(e) => self.events.push(e),
                Output::Trace(_) => {}
                Output::Wait(deadline) => {
                    self.deadline = deadline;
                    return;
                }
            }
        }
    }

    /// Runs the session until `done` holds or `limit` of real time passes.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&UdpDriver) -> bool) -> bool {
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
            match self.socket.recv_from(&mut buf) {
                Ok((n, from)) if from == self.peer => {
                    let now = self.now();
                    self.session.handle_datagram(now, &buf[..n]);
                }
                _ => {}
            }
            let now = self.now();
            if self.deadline.is_some_and(|d| d <= now) {
                self.session.handle_timeout(now);
            }
            self.flush();
        }
        done(self)
    }

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

//! A [`Server`] and any number of client sessions, each client on its own address and
//! its own pair of links, driven on a virtual clock like [`super::Pair`].

use core::net::{IpAddr, Ipv4Addr, SocketAddr};
use core::time::Duration;

use super::link::{Link, LinkConditions};
use crate::server::{Server, ServerEvent, ServerOutput};
use crate::session::{Event, Output, Session};
use crate::time::Instant;

/// One client of the network.
pub struct Client {
    /// Its address as the server sees it.
    pub addr: SocketAddr,
    /// Its session.
    pub session: Session,
    /// Client → server.
    pub up: Link,
    /// Server → client.
    pub down: Link,
    wait: Option<Instant>,
    events: Vec<(Instant, Event)>,
}

/// A server and its clients on simulated links.
pub struct Network {
    /// The server.
    pub server: Server,
    clients: Vec<Client>,
    now: Instant,
    server_wait: Option<Instant>,
    server_events: Vec<(Instant, ServerEvent)>,
    seed: u64,
    /// Datagrams the server sent to addresses without a client.
    pub undeliverable: u64,
}

impl core::fmt::Debug for Network {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Network")
            .field("now", &self.now)
            .field("server", &self.server)
            .field("clients", &self.clients.len())
            .finish_non_exhaustive()
    }
}

impl Network {
    /// A network around `server`; link randomness follows `seed`.
    pub fn new(server: Server, seed: u64) -> Network {
        Network {
            server,
            clients: Vec::new(),
            now: Instant::ZERO,
            server_wait: None,
            server_events: Vec::new(),
            seed,
            undeliverable: 0,
        }
    }

    /// The address client number `index` gets: 10.0.x.y, port 40000 + index.
    pub fn address(index: usize) -> SocketAddr {
        let [_, _, hi, lo] = (index as u32 + 1).to_be_bytes();
        SocketAddr::new(
            IpAddr::V4(Ipv4Addr::new(10, 0, hi, lo)),
            40_000u16.wrapping_add(index as u16),
        )
    }

    /// Adds a client at `addr` whose links have these conditions; returns its index.
    pub fn add_client_at(
        &mut self,
        addr: SocketAddr,
        session: Session,
        conditions: LinkConditions,
    ) -> usize {
        let index = self.clients.len();
        let seed = self.seed.wrapping_add(index as u64 * 7919);
        self.clients.push(Client {
            addr,
            session,
            up: Link::new(conditions, seed),
            down: Link::new(conditions, seed ^ 0xdead_beef),
            wait: None,
            events: Vec::new(),
        });
        index
    }

    /// Adds a client at the next free [`Network::address`].
    pub fn add_client(&mut self, session: Session, conditions: LinkConditions) -> usize {
        let addr = Network::address(self.clients.len());
        self.add_client_at(addr, session, conditions)
    }

    /// Client number `index`.
    pub fn client(&self, index: usize) -> Option<&Client> {
        self.clients.get(index)
    }

    /// Client number `index`, to change it.
    pub fn client_mut(&mut self, index: usize) -> Option<&mut Client> {
        self.clients.get_mut(index)
    }

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Starts client `index`'s handshake now.
    pub fn start(&mut self, index: usize) -> Result<(), crate::Error> {
        let now = self.now;
        if let Some(c) = self.clients.get_mut(index) {
            c.session.start(now)?;
        }
        self.flush();
        Ok(())
    }

    /// Sends data from client `index`.
    pub fn send(&mut self, index: usize, data: &[u8]) -> Result<(), crate::Error> {
        if let Some(c) = self.clients.get_mut(index) {
            c.session.send(data)?;
        }
        self.flush();
        Ok(())
    }

    /// Lets the caller act on the server (session_start, session_send, …) and then
    /// puts what it produced on the links.
    pub fn with_server<T>(&mut self, act: impl FnOnce(&mut Server, Instant) -> T) -> T {
        let result = act(&mut self.server, self.now);
        self.flush();
        result
    }

    /// Lets the caller act on client `index` and then puts its output on the link.
    pub fn with_client<T>(
        &mut self,
        index: usize,
        act: impl FnOnce(&mut Session, Instant) -> T,
    ) -> Option<T> {
        let now = self.now;
        let result = self
            .clients
            .get_mut(index)
            .map(|c| act(&mut c.session, now));
        self.flush();
        result
    }

    /// Server events so far.
    pub fn server_events(&self) -> &[(Instant, ServerEvent)] {
        &self.server_events
    }

    /// Events of client `index` so far.
    pub fn client_events(&self, index: usize) -> &[(Instant, Event)] {
        self.clients.get(index).map_or(&[], |c| &c.events)
    }

    /// Moves to the next arrival or timer and handles it; false when nothing is left.
    pub fn step(&mut self) -> bool {
        let next = self
            .clients
            .iter()
            .flat_map(|c| [c.up.next_arrival(), c.down.next_arrival(), c.wait])
            .chain([self.server_wait])
            .flatten()
            .min();
        let Some(next) = next else { return false };
        self.now = self.now.max(next);
        let now = self.now;
        for c in &mut self.clients {
            for d in c.up.arrived(now) {
                self.server.handle_datagram(now, c.addr, &d);
            }
            for d in c.down.arrived(now) {
                c.session.handle_datagram(now, &d);
            }
            if c.wait.is_some_and(|t| t <= now) {
                c.session.handle_timeout(now);
            }
        }
        if self.server_wait.is_some_and(|t| t <= now) {
            self.server.handle_timeout(now);
        }
        self.flush();
        true
    }

    /// Steps until `done(self)` holds, `limit` of virtual time passes or nothing is
    /// left to happen; returns whether `done` held.
    pub fn run_until(&mut self, limit: Duration, done: impl FnMut(&Network) -> bool) -> bool {
        super::run_until(self, limit, done)
    }

    /// Whether client `index` completed its handshake.
    pub fn client_connected(&self, index: usize) -> bool {
        self.clients
            .get(index)
            .is_some_and(|c| c.session.is_connected())
    }

    fn flush(&mut self) {
        let now = self.now;
        for c in &mut self.clients {
            loop {
                match c.session.poll_output() {
                    Output::Transmit(d) => c.up.send(now, d),
                    Output::Event(e) => c.events.push((now, e)),
                    Output::Trace(_) => {}
                    Output::Wait(w) => {
                        c.wait = w;
                        break;
                    }
                }
            }
        }
        loop {
            match self.server.poll_output() {
                ServerOutput::Transmit { to, datagram } => {
                    match self.clients.iter_mut().find(|c| c.addr == to) {
                        Some(c) => c.down.send(now, datagram),
                        None => self.undeliverable += 1,
                    }
                }
                ServerOutput::Event(e) => self.server_events.push((now, e)),
                ServerOutput::Trace { .. } => {}
                ServerOutput::Wait(w) => {
                    self.server_wait = w;
                    break;
                }
            }
        }
    }
}

impl super::Stepped for Network {
    fn clock(&self) -> Instant {
        self.now
    }

    fn advance(&mut self) -> bool {
        self.step()
    }
}

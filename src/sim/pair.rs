//! A client and a server session on a simulated network, driven on a virtual clock.

use core::time::Duration;
use std::sync::Arc;

use super::link::{Link, LinkConditions};
use crate::config::Config;
use crate::rng::SeededRandom;
use crate::session::{Event, Output, Role, Session};
use crate::time::Instant;
use crate::trace::Trace;

/// One end of a [`Pair`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The client session.
    Client,
    /// The server session.
    Server,
}

/// Two sessions joined by two links. Time only moves when [`Pair::step`] jumps to the
/// next thing that happens (a datagram arriving or a timer expiring), so a handshake
/// that takes minutes of retransmission timers runs in microseconds.
pub struct Pair {
    /// The client session.
    pub client: Session,
    /// The server session.
    pub server: Session,
    /// Client → server.
    pub to_server: Link,
    /// Server → client.
    pub to_client: Link,
    now: Instant,
    client_wait: Option<Instant>,
    server_wait: Option<Instant>,
    client_log: SideLog,
    server_log: SideLog,
}

/// What one side produced, with the time it happened.
#[derive(Default)]
struct SideLog {
    events: Vec<(Instant, Event)>,
    traces: Vec<(Instant, Trace)>,
}

impl core::fmt::Debug for Pair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pair")
            .field("now", &self.now)
            .field("client", &self.client)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl Pair {
    /// Joins `client` and `server` with links of the given conditions, seeded with
    /// `seed` (the two directions get different streams).
    pub fn new(
        client: Session,
        server: Session,
        to_server: LinkConditions,
        to_client: LinkConditions,
        seed: u64,
    ) -> Pair {
        Pair {
            client,
            server,
            to_server: Link::new(to_server, seed),
            to_client: Link::new(to_client, seed ^ 0x5eed_5eed_5eed_5eed),
            now: Instant::ZERO,
            client_wait: None,
            server_wait: None,
            client_log: SideLog::default(),
            server_log: SideLog::default(),
        }
    }

    /// A client and a server session with seeded random sources (the client's follows
    /// `seed`, the server's `seed + 1000`; the server knows the client as
    /// "192.0.2.1:5684"), joined by links of `link` conditions seeded with `seed`: the
    /// same arguments make the same run, byte for byte.
    pub fn seeded(
        client: impl Into<Arc<Config>>,
        server: impl Into<Arc<Config>>,
        link: LinkConditions,
        seed: u64,
    ) -> Pair {
        let client = Session::with_rng(
            Role::Client,
            client.into(),
            &[],
            Box::new(SeededRandom::new(seed)),
        );
        let server = Session::with_rng(
            Role::Server,
            server.into(),
            b"192.0.2.1:5684",
            Box::new(SeededRandom::new(seed.wrapping_add(1000))),
        );
        Pair::new(client, server, link, link, seed)
    }

    /// The virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Starts the client's handshake now.
    pub fn start(&mut self) -> Result<(), crate::Error> {
        self.client.start(self.now)?;
        self.flush();
        Ok(())
    }

    /// Events each side has produced so far, with the time they happened.
    pub fn events(&self, side: Side) -> &[(Instant, Event)] {
        match side {
            Side::Client => &self.client_log.events,
            Side::Server => &self.server_log.events,
        }
    }

    /// Switches tracing on for both sessions; see [`Pair::traces`].
    pub fn set_trace(&mut self, enabled: bool) {
        self.client.set_trace(enabled);
        self.server.set_trace(enabled);
    }

    /// Trace events of one side so far, with the time they happened.
    pub fn traces(&self, side: Side) -> &[(Instant, Trace)] {
        match side {
            Side::Client => &self.client_log.traces,
            Side::Server => &self.server_log.traces,
        }
    }

    /// Takes the events of one side.
    pub fn take_events(&mut self, side: Side) -> Vec<Event> {
        let events = match side {
            Side::Client => &mut self.client_log.events,
            Side::Server => &mut self.server_log.events,
        };
        core::mem::take(events)
            .into_iter()
            .map(|(_, e)| e)
            .collect()
    }

    /// Application data one side has received so far, in order.
    pub fn received(&self, side: Side) -> Vec<Vec<u8>> {
        self.events(side)
            .iter()
            .filter_map(|(_, e)| match e {
                Event::Data(d) => Some(d.clone()),
                _ => None,
            })
            .collect()
    }

    /// Sends application data from one side and puts it on the link.
    pub fn send(&mut self, from: Side, data: &[u8]) -> Result<(), crate::Error> {
        match from {
            Side::Client => self.client.send(data)?,
            Side::Server => self.server.send(data)?,
        }
        self.flush();
        Ok(())
    }

    /// Closes one side with close_notify.
    pub fn close(&mut self, side: Side) {
        match side {
            Side::Client => self.client.close(),
            Side::Server => self.server.close(),
        }
        self.flush();
    }

    /// Moves the clock to the next arrival or timer and handles it. Returns false
    /// when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        let next = [
            self.to_server.next_arrival(),
            self.to_client.next_arrival(),
            self.client_wait,
            self.server_wait,
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(next) = next else { return false };
        self.now = self.now.max(next);
        let now = self.now;
        for datagram in self.to_server.arrived(now) {
            self.server.handle_datagram(now, &datagram);
        }
        for datagram in self.to_client.arrived(now) {
            self.client.handle_datagram(now, &datagram);
        }
        if self.client_wait.is_some_and(|t| t <= now) {
            self.client.handle_timeout(now);
        }
        if self.server_wait.is_some_and(|t| t <= now) {
            self.server.handle_timeout(now);
        }
        self.flush();
        true
    }

    /// Steps until `done(self)` holds or `limit` of virtual time has passed or nothing
    /// is left to happen. Returns whether `done` held.
    pub fn run_until(&mut self, limit: Duration, done: impl FnMut(&Pair) -> bool) -> bool {
        super::run_until(self, limit, done)
    }

    /// Runs until both sides are connected (or `limit` passes).
    pub fn handshake(&mut self, limit: Duration) -> bool {
        self.run_until(limit, |p| {
            p.client.is_connected() && p.server.is_connected()
        })
    }

    /// Drains both sessions' outputs onto the links and into the event lists.
    fn flush(&mut self) {
        let now = self.now;
        self.client_wait = drain(
            &mut self.client,
            &mut self.to_server,
            now,
            &mut self.client_log,
        );
        self.server_wait = drain(
            &mut self.server,
            &mut self.to_client,
            now,
            &mut self.server_log,
        );
    }
}

/// Polls one session until it waits; returns its deadline.
fn drain(
    session: &mut Session,
    link: &mut Link,
    now: Instant,
    log: &mut SideLog,
) -> Option<Instant> {
    loop {
        match session.poll_output() {
            Output::Transmit(d) => link.send(now, d),
            Output::Event(e) => log.events.push((now, e)),
            Output::Trace(t) => log.traces.push((now, t)),
            Output::Wait(deadline) => return deadline,
        }
    }
}

impl super::Stepped for Pair {
    fn clock(&self) -> Instant {
        self.now
    }

    fn advance(&mut self) -> bool {
        self.step()
    }
}

//! A simulated network for tests, benchmarks and the teaching demo: a client and a
//! server session ([`Pair`]) or a [`crate::Server`] and many clients ([`Network`])
//! joined by one-way links that can lose, duplicate, reorder and
//! delay datagrams, all on a virtual clock and a seeded random source, so every run
//! with the same seed is the same run.

mod describe;
mod link;
mod network;
mod pair;

pub use describe::{RecordSummary, describe_datagram, describe_datagram_line};
pub use link::{Fate, Link, LinkConditions, LinkStats, Transfer};
pub use network::{Client, Network};
pub use pair::{Pair, Side};

use core::time::Duration;

use crate::time::Instant;

/// The most steps a `run_until` takes. Every step moves a datagram or fires a timer
/// that moves forward, so this bound only keeps a bug from turning into a hang.
const MAX_STEPS: usize = 2_000_000;

/// A simulation on a virtual clock that moves in steps.
trait Stepped {
    /// The virtual time.
    fn clock(&self) -> Instant;
    /// Handles the next arrival or timer; false when nothing is left to happen.
    fn advance(&mut self) -> bool;
}

/// Steps `sim` until `done(sim)` holds, `limit` of virtual time passes or nothing is
/// left to happen; returns whether `done` held.
fn run_until<S: Stepped>(sim: &mut S, limit: Duration, mut done: impl FnMut(&S) -> bool) -> bool {
    let end = sim.clock() + limit;
    for _ in 0..MAX_STEPS {
        if done(sim) {
            return true;
        }
        if sim.clock() > end || !sim.advance() {
            break;
        }
    }
    done(sim)
}

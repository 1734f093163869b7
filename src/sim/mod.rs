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

//! One direction of a simulated UDP path.

use core::time::Duration;

use crate::rng::{Random, SeededRandom};
use crate::time::Instant;

/// How a link mistreats datagrams. Probabilities are in `0.0..=1.0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkConditions {
    /// Chance that a datagram is lost.
    pub loss: f64,
    /// Chance that a datagram is delivered twice.
    pub duplicate: f64,
    /// Chance that a datagram is held back so that later ones overtake it.
    pub reorder: f64,
    /// One-way delay of every datagram.
    pub delay: Duration,
    /// Extra random delay, up to this much.
    pub jitter: Duration,
    /// Datagrams larger than this are dropped, as a path MTU would.
    pub mtu: Option<usize>,
    /// When a datagram is lost, this many in a row are lost (bursts, as on a fading
    /// radio link); 0 or 1 means independent losses.
    pub burst_length: u32,
    /// Probability that a delivered datagram has one random bit flipped.
    pub corrupt: f64,
}

impl LinkConditions {
    /// A perfect link with a 10 ms delay.
    pub const PERFECT: LinkConditions = LinkConditions {
        loss: 0.0,
        duplicate: 0.0,
        reorder: 0.0,
        delay: Duration::from_millis(10),
        jitter: Duration::ZERO,
        mtu: None,
        burst_length: 0,
        corrupt: 0.0,
    };

    /// A bad network: the given loss, and 10 % duplication and 10 % reordering.
    pub fn lossy(loss: f64) -> LinkConditions {
        LinkConditions {
            loss,
            duplicate: 0.1,
            reorder: 0.1,
            jitter: Duration::from_millis(20),
            ..LinkConditions::PERFECT
        }
    }
}

impl Default for LinkConditions {
    fn default() -> Self {
        LinkConditions::PERFECT
    }
}

/// What happened to one datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Delivered once.
    Delivered,
    /// Lost (randomly, by rule, or above the MTU).
    Dropped,
    /// Delivered twice.
    Duplicated,
    /// Delivered late, after datagrams sent later.
    Reordered,
}

/// One datagram put on the link, for logs and the demo's ladder diagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// The datagram's number on this link, from 0.
    pub index: u64,
    /// When it was sent.
    pub sent_at: Instant,
    /// When it arrives (the first copy), if it does.
    pub arrives_at: Option<Instant>,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// What the link did with it.
    pub fate: Fate,
}

/// Counters of one link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Datagrams put on the link.
    pub sent: u64,
    /// Datagrams lost.
    pub dropped: u64,
    /// Extra copies delivered.
    pub duplicated: u64,
    /// Datagrams held back.
    pub reordered: u64,
    /// Copies handed to the receiver.
    pub delivered: u64,
    /// Datagrams delivered with a flipped bit.
    pub corrupted: u64,
}

/// A rule that decides to drop a datagram by its index and bytes.
type DropRule = Box<dyn FnMut(u64, &[u8]) -> bool + Send>;
/// A rule that may rewrite a datagram on its way (a hostile or broken peer).
type Mangler = Box<dyn FnMut(u64, &mut Vec<u8>) + Send>;

/// One direction of a simulated path.
pub struct Link {
    conditions: LinkConditions,
    rng: SeededRandom,
    /// (arrival time, tie-breaker, bytes), unordered.
    in_flight: Vec<(Instant, u64, Vec<u8>)>,
    next_index: u64,
    drop_rule: Option<DropRule>,
    mangler: Option<Mangler>,
    transfers: Vec<Transfer>,
    keep_transfers: bool,
    stats: LinkStats,
    /// Losses still due in the current burst.
    burst_left: u32,
}

impl core::fmt::Debug for Link {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Link")
            .field("conditions", &self.conditions)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Link {
    /// A link with these conditions whose random choices follow `seed`.
    pub fn new(conditions: LinkConditions, seed: u64) -> Link {
        Link {
            conditions,
            rng: SeededRandom::new(seed),
            in_flight: Vec::new(),
            next_index: 0,
            drop_rule: None,
            mangler: None,
            transfers: Vec::new(),
            keep_transfers: false,
            stats: LinkStats::default(),
            burst_left: 0,
        }
    }

    /// Drops every datagram for which `rule(index, bytes)` is true, in addition to the
    /// random loss (e.g. "the first ClientHello", "everything").
    pub fn set_drop_rule(&mut self, rule: impl FnMut(u64, &[u8]) -> bool + Send + 'static) {
        self.drop_rule = Some(Box::new(rule));
    }

    /// Rewrites datagrams in flight: `mangle(index, bytes)` may change them at will.
    pub fn set_mangler(&mut self, mangle: impl FnMut(u64, &mut Vec<u8>) + Send + 'static) {
        self.mangler = Some(Box::new(mangle));
    }

    /// Removes the drop rule.
    pub fn clear_drop_rule(&mut self) {
        self.drop_rule = None;
    }

    /// Changes the conditions from now on.
    pub fn set_conditions(&mut self, conditions: LinkConditions) {
        self.conditions = conditions;
        // A burst belongs to the old conditions.
        self.burst_left = 0;
    }

    /// Keeps a [`Transfer`] for every datagram (off by default to save memory).
    pub fn record_transfers(&mut self, keep: bool) {
        self.keep_transfers = keep;
    }

    /// The transfers kept so far.
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    /// The counters.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// Datagrams still on the way.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Puts a datagram on the link at `now`.
    pub fn send(&mut self, now: Instant, mut bytes: Vec<u8>) {
        let index = self.next_index;
        if let Some(mangle) = self.mangler.as_mut() {
            mangle(index, &mut bytes);
        }
        self.next_index += 1;
        self.stats.sent += 1;
        let c = self.conditions;
        let too_big = c.mtu.is_some_and(|mtu| bytes.len() > mtu);
        let ruled_out = self
            .drop_rule
            .as_mut()
            .is_some_and(|rule| rule(index, &bytes));
        let lost = self.lose(c);
        if !lost && self.chance(c.corrupt) {
            self.flip_random_bit(&mut bytes);
        }
        let (fate, arrives_at) = if too_big || ruled_out || lost {
            self.stats.dropped += 1;
            (Fate::Dropped, None)
        } else {
            let mut at = now + c.delay + self.jitter();
            let mut fate = Fate::Delivered;
            if self.chance(c.reorder) {
                // Held back long enough for the next datagrams to overtake it.
                at = at + c.delay + c.jitter + Duration::from_millis(50);
                fate = Fate::Reordered;
                self.stats.reordered += 1;
            }
            if self.chance(c.duplicate) {
                let copy_at = at + self.jitter() + Duration::from_millis(1);
                self.in_flight.push((copy_at, index, bytes.clone()));
                fate = Fate::Duplicated;
                self.stats.duplicated += 1;
            }
            self.in_flight.push((at, index, bytes.clone()));
            (fate, Some(at))
        };
        if self.keep_transfers {
            self.transfers.push(Transfer {
                index,
                sent_at: now,
                arrives_at,
                bytes,
                fate,
            });
        }
    }

    /// When the next datagram arrives.
    pub fn next_arrival(&self) -> Option<Instant> {
        self.in_flight.iter().map(|(at, _, _)| *at).min()
    }

    /// Takes every datagram that has arrived by `now`, in arrival order.
    pub fn arrived(&mut self, now: Instant) -> Vec<Vec<u8>> {
        let mut due: Vec<(Instant, u64, Vec<u8>)> = Vec::new();
        let mut i = 0;
        while i < self.in_flight.len() {
            if self.in_flight.get(i).is_some_and(|(at, _, _)| *at <= now) {
                due.push(self.in_flight.swap_remove(i));
            } else {
                i += 1;
            }
        }
        due.sort_by_key(|(at, index, _)| (*at, *index));
        self.stats.delivered += due.len() as u64;
        due.into_iter().map(|(_, _, bytes)| bytes).collect()
    }

    /// Random loss, continuing a burst once one started.
    fn lose(&mut self, c: LinkConditions) -> bool {
        if self.burst_left > 0 {
            self.burst_left -= 1;
            return true;
        }
        let lost = self.chance(c.loss);
        if lost {
            self.burst_left = c.burst_length.saturating_sub(1);
        }
        lost
    }

    fn flip_random_bit(&mut self, bytes: &mut [u8]) {
        let bits = bytes.len() * 8;
        let bit = ((self.unit() * bits as f64) as usize).min(bits.saturating_sub(1));
        if let Some(byte) = bytes.get_mut(bit / 8) {
            *byte ^= 1 << (bit % 8);
            self.stats.corrupted += 1;
        }
    }

    fn chance(&mut self, probability: f64) -> bool {
        probability > 0.0 && self.unit() < probability
    }

    fn jitter(&mut self) -> Duration {
        let max = self.conditions.jitter.as_millis() as f64;
        Duration::from_millis((self.unit() * max) as u64)
    }

    /// A uniform number in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        let mut b = [0u8; 8];
        self.rng.fill(&mut b);
        (u64::from_be_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_link_delivers_in_order_after_the_delay() {
        let mut link = Link::new(LinkConditions::PERFECT, 1);
        link.send(Instant::ZERO, vec![1]);
        link.send(Instant::from_millis(1), vec![2]);
        assert!(link.arrived(Instant::from_millis(9)).is_empty());
        assert_eq!(link.next_arrival(), Some(Instant::from_millis(10)));
        assert_eq!(
            link.arrived(Instant::from_millis(11)),
            vec![vec![1], vec![2]]
        );
    }

    #[test]
    fn loss_is_about_the_configured_rate_and_seeded() {
        let run = |seed| {
            let mut link = Link::new(LinkConditions::lossy(0.2), seed);
            for i in 0..1000u32 {
                link.send(Instant::ZERO, i.to_be_bytes().to_vec());
            }
            link.stats()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert!((150..=250).contains(&a.dropped), "{a:?}");
        assert!(a.duplicated > 50 && a.reordered > 50, "{a:?}");
    }

    #[test]
    fn drop_rule_and_mtu_drop() {
        let mut c = LinkConditions::PERFECT;
        c.mtu = Some(3);
        let mut link = Link::new(c, 1);
        link.set_drop_rule(|index, _| index == 0);
        link.send(Instant::ZERO, vec![0]);
        link.send(Instant::ZERO, vec![0; 4]);
        link.send(Instant::ZERO, vec![2]);
        assert_eq!(link.arrived(Instant::from_millis(100)), vec![vec![2]]);
        assert_eq!(link.stats().dropped, 2);
    }
}

//! The server's session cache: the sessions its full handshakes saved, by session ID,
//! so that a returning client can resume one (RFC 5246 §7.3). Bounded in count and in
//! age: the oldest session goes first when it is full, and a session older than the
//! lifetime is not resumed.

use core::time::Duration;
use std::collections::{HashMap, VecDeque};

use crate::resumption::{MAX_SESSION_ID_LEN, SavedSession};
use crate::time::Instant;

/// A cached session and when it stops being resumable.
struct Entry {
    session: Box<SavedSession>,
    expires: Instant,
}

/// The IDs this server gives: 32 random bytes (the most RFC 5246 allows), so that a
/// guess finds nothing. Kept inline: ~100 bytes less per cached session than vectors.
type Id = [u8; MAX_SESSION_ID_LEN];

/// Saved sessions by ID, oldest first.
pub(crate) struct SessionCache {
    capacity: usize,
    lifetime: Duration,
    entries: HashMap<Id, Entry>,
    /// IDs in the order they were cached; an ID removed early stays here until its
    /// turn (or a compaction) comes, so every entry has its place.
    order: VecDeque<Id>,
}

impl SessionCache {
    /// A cache of at most `capacity` sessions (0: none, resumption off), each
    /// resumable for `lifetime` after its full handshake.
    pub(crate) fn new(capacity: usize, lifetime: Duration) -> SessionCache {
        SessionCache {
            capacity,
            lifetime,
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Whether sessions are cached at all.
    pub(crate) fn is_enabled(&self) -> bool {
        self.capacity > 0
    }

    /// Changes the limits; sessions beyond the new capacity go, oldest first.
    pub(crate) fn set_limits(&mut self, capacity: usize, lifetime: Duration) {
        self.capacity = capacity;
        self.lifetime = lifetime;
        self.evict_to(capacity);
    }

    /// How many sessions are cached.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Caches `session`, completed at `now`, making room by dropping the oldest.
    pub(crate) fn insert(&mut self, now: Instant, session: Box<SavedSession>) {
        if self.capacity == 0 {
            return;
        }
        // Only the IDs this server made are cached (a session it resumed is there).
        let Ok(id) = Id::try_from(session.id()) else {
            return;
        };
        self.drop_expired(now);
        self.evict_to(self.capacity - 1);
        let expires = now + self.lifetime;
        if self
            .entries
            .insert(id, Entry { session, expires })
            .is_none()
        {
            self.order.push_back(id);
        }
        // IDs removed early would otherwise pile up in `order` under a steady stream
        // of inserts and removals that never fills the cache.
        if self.order.len() > 2 * self.capacity {
            let entries = &self.entries;
            self.order.retain(|id| entries.contains_key(id));
        }
    }

    /// The session cached under `id`, if it has not expired at `now`.
    pub(crate) fn get(&mut self, id: &[u8], now: Instant) -> Option<SavedSession> {
        let id = Id::try_from(id).ok()?;
        let entry = self.entries.get(&id)?;
        if now >= entry.expires {
            self.entries.remove(&id);
            return None;
        }
        Some((*entry.session).clone())
    }

    /// Forgets the session `id` (it ended with a fatal alert, RFC 5246 §7.2.2).
    pub(crate) fn remove(&mut self, id: &[u8]) {
        if let Ok(id) = Id::try_from(id) {
            self.entries.remove(&id);
        }
    }

    /// Bytes the cache holds (for the server's memory accounting).
    pub(crate) fn held_bytes(&self) -> usize {
        let per_entry = core::mem::size_of::<(Id, Entry)>()
            + core::mem::size_of::<SavedSession>()
            + core::mem::size_of::<Id>();
        self.entries
            .values()
            .map(|e| per_entry + e.session.heap_bytes())
            .sum()
    }

    /// Drops sessions, oldest first, until at most `keep` remain.
    fn evict_to(&mut self, keep: usize) {
        while self.entries.len() > keep {
            let Some(id) = self.order.pop_front() else {
                break;
            };
            self.entries.remove(&id);
        }
        if self.entries.is_empty() {
            self.order.clear();
        }
    }

    /// Drops the sessions whose lifetime ended: they are the oldest, as every session
    /// gets the same lifetime.
    fn drop_expired(&mut self, now: Instant) {
        while let Some(id) = self.order.front() {
            match self.entries.get(id) {
                Some(entry) if now < entry.expires => break,
                Some(_) => {
                    self.entries.remove(id);
                }
                None => {}
            }
            self.order.pop_front();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::crypto::MasterSecret;
    use crate::resumption::{Established, SessionSecret};
    use crate::suite::CipherSuite;

    fn session(id: u8) -> Box<SavedSession> {
        let secret = SessionSecret::new(
            &[id; 32],
            &MasterSecret::from_bytes(crate::PrfHash::Sha256, [id; 48]),
        );
        let saved = SavedSession::new(Established {
            secret: &secret.unwrap(),
            suite: CipherSuite::PskAes128Ccm8,
            group: None,
            server_name: None,
            psk_identity: Some(b"device"),
            peer_certificates: &[],
        });
        Box::new(saved)
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn the_oldest_session_goes_when_the_cache_is_full() {
        let mut cache = SessionCache::new(2, HOUR);
        let now = Instant::from_millis(0);
        for id in 1..=3 {
            cache.insert(now, session(id));
        }
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&[1; 32], now).is_none());
        assert_eq!(cache.get(&[2; 32], now).unwrap().id(), [2; 32]);
        assert!(cache.get(&[3; 32], now).is_some());
    }

    #[test]
    fn a_session_is_not_resumed_after_its_lifetime() {
        let mut cache = SessionCache::new(8, HOUR);
        cache.insert(Instant::from_millis(0), session(1));
        let just_before = Instant::from_millis(3_599_999);
        assert!(cache.get(&[1; 32], just_before).is_some());
        assert!(
            cache
                .get(&[1; 32], Instant::from_millis(3_600_000))
                .is_none()
        );
        assert_eq!(cache.len(), 0);
        // Expired sessions make room before live ones are evicted.
        cache.insert(Instant::from_millis(0), session(2));
        cache.insert(Instant::from_millis(4_000_000), session(3));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn removed_and_empty_ids_are_not_found_and_a_zero_capacity_caches_nothing() {
        let now = Instant::from_millis(0);
        let mut cache = SessionCache::new(4, HOUR);
        cache.insert(now, session(1));
        cache.remove(&[1; 32]);
        assert!(cache.get(&[1; 32], now).is_none());
        assert!(cache.get(&[], now).is_none());
        let mut off = SessionCache::new(0, HOUR);
        assert!(!off.is_enabled());
        off.insert(now, session(1));
        assert_eq!(off.len(), 0);
    }

    #[test]
    fn the_order_queue_stays_bounded_under_inserts_and_removals() {
        let now = Instant::from_millis(0);
        let mut cache = SessionCache::new(4, HOUR);
        for round in 0..1000u32 {
            let id = (round % 250) as u8;
            cache.insert(now, session(id));
            cache.remove(&[id; 32]);
            assert!(
                cache.order.len() <= 8,
                "round {round}: {}",
                cache.order.len()
            );
        }
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn shrinking_the_capacity_evicts_the_oldest() {
        let now = Instant::from_millis(0);
        let mut cache = SessionCache::new(4, HOUR);
        for id in 1..=4 {
            cache.insert(now, session(id));
        }
        cache.set_limits(1, HOUR);
        assert_eq!(cache.len(), 1);
        assert!(cache.get(&[4; 32], now).is_some());
        assert!(cache.held_bytes() > 32 + 48);
    }
}

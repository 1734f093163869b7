//! Pre-shared keys (RFC 4279): the key table a session or server holds, NetX's
//! `psk_add` store, with a lookup by identity that stays fast for a server with a key
//! per device.

use std::collections::BTreeMap;
use zeroize::Zeroizing;

use crate::error::Error;

/// The largest pre-shared key we accept, in bytes (RFC 4279 §5.3: at least 64 must work).
pub const MAX_PSK_LEN: usize = 64;
/// The longest PSK identity we accept, in bytes (RFC 4279 §5.3: at least 128 must work).
pub const MAX_PSK_IDENTITY_LEN: usize = 128;

/// One pre-shared key with the identity that names it and the hint a server sends.
#[derive(Clone)]
pub struct Psk {
    key: Zeroizing<Vec<u8>>,
    identity: Vec<u8>,
    hint: Vec<u8>,
}

impl Psk {
    /// The secret key.
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// The identity the client sends in ClientKeyExchange.
    pub fn identity(&self) -> &[u8] {
        &self.identity
    }

    /// The identity hint the server sends in ServerKeyExchange (may be empty).
    pub fn hint(&self) -> &[u8] {
        &self.hint
    }
}

impl core::fmt::Debug for Psk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print the key.
        f.debug_struct("Psk")
            .field("identity", &String::from_utf8_lossy(&self.identity))
            .field("hint", &String::from_utf8_lossy(&self.hint))
            .finish_non_exhaustive()
    }
}

/// The keys in the order they were added (a client uses the first unless a hint picks
/// another), with an index by identity: a server looks a client's identity up in
/// O(log n) comparisons rather than scanning every key (~20 µs at 10 000 keys).
#[derive(Clone, Debug)]
pub struct PskTable {
    keys: Vec<Psk>,
    /// The position in `keys` of the first key added with each identity.
    by_identity: BTreeMap<Vec<u8>, usize>,
    capacity: usize,
}

impl PskTable {
    /// An empty table that holds up to `capacity` keys.
    pub fn new(capacity: usize) -> PskTable {
        PskTable {
            keys: Vec::new(),
            by_identity: BTreeMap::new(),
            capacity,
        }
    }

    /// Adds a key: NX_SECURE_TLS_NO_MORE_PSK_SPACE (0x125) when the table is full,
    /// NX_INVALID_PARAMETERS (0x4D) for an empty or oversized key or identity.
    pub fn add(&mut self, key: &[u8], identity: &[u8], hint: &[u8]) -> Result<(), Error> {
        if key.is_empty() || key.len() > MAX_PSK_LEN {
            return Err(Error::InvalidParameters(
                "a pre-shared key must be 1 to 64 bytes long",
            ));
        }
        if identity.is_empty() || identity.len() > MAX_PSK_IDENTITY_LEN {
            return Err(Error::InvalidParameters(
                "a PSK identity must be 1 to 128 bytes long",
            ));
        }
        if hint.len() > MAX_PSK_IDENTITY_LEN {
            return Err(Error::InvalidParameters(
                "a PSK identity hint must be at most 128 bytes long",
            ));
        }
        if self.keys.len() >= self.capacity {
            return Err(Error::NoMorePskSpace {
                capacity: self.capacity,
            });
        }
        // A second key with an identity already held is kept (a client may use it);
        // a server finds the first.
        self.by_identity
            .entry(identity.to_vec())
            .or_insert(self.keys.len());
        self.keys.push(Psk {
            key: Zeroizing::new(key.to_vec()),
            identity: identity.to_vec(),
            hint: hint.to_vec(),
        });
        Ok(())
    }

    /// Removes every key with this identity; returns whether one was there.
    pub fn remove(&mut self, identity: &[u8]) -> bool {
        let before = self.keys.len();
        self.keys.retain(|p| p.identity != identity);
        if self.keys.len() == before {
            return false;
        }
        // Positions moved: index them afresh (removal is rare, lookups are not).
        self.by_identity.clear();
        for (i, key) in self.keys.iter().enumerate() {
            self.by_identity.entry(key.identity.clone()).or_insert(i);
        }
        true
    }

    /// Sets how many keys the table holds: at least 1 and at least those held.
    pub fn set_capacity(&mut self, capacity: usize) -> Result<(), Error> {
        if capacity == 0 || capacity < self.keys.len() {
            return Err(Error::InvalidParameters(
                "the PSK capacity must be at least 1 and at least the number of keys held",
            ));
        }
        self.capacity = capacity;
        Ok(())
    }

    /// The keys, in the order they were added.
    pub fn all(&self) -> &[Psk] {
        &self.keys
    }

    /// The first key added with this identity.
    pub fn by_identity(&self, identity: &[u8]) -> Option<&Psk> {
        self.keys.get(*self.by_identity.get(identity)?)
    }

    /// The key a client uses after the server sent `hint` (empty when it sent none):
    /// the first with that hint, else the first of all.
    pub fn for_hint(&self, hint: &[u8]) -> Option<&Psk> {
        self.keys
            .iter()
            .find(|p| !hint.is_empty() && p.hint == hint)
            .or_else(|| self.keys.first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(identities: &[&str]) -> PskTable {
        let mut t = PskTable::new(identities.len().max(1));
        for (i, id) in identities.iter().enumerate() {
            assert_eq!(
                t.add(format!("key {i}").as_bytes(), id.as_bytes(), b""),
                Ok(())
            );
        }
        t
    }

    fn key_of<'a>(t: &'a PskTable, identity: &str) -> Option<&'a [u8]> {
        t.by_identity(identity.as_bytes()).map(Psk::key)
    }

    #[test]
    fn every_key_of_a_large_table_is_found_by_its_identity() {
        // Added in an order unlike the sorted one.
        let ids: Vec<String> = (0..1000)
            .map(|i| format!("device-{}", (i * 7919) % 1000))
            .collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let t = table(&refs);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(key_of(&t, id), Some(format!("key {i}").as_bytes()), "{id}");
        }
        for missing in ["", "device-", "device-1000", "device-9999", "zzz"] {
            assert_eq!(key_of(&t, missing), None, "{missing}");
        }
        // The client's order is the order of adding.
        assert_eq!(t.all().first().map(Psk::identity), Some(&b"device-0"[..]));
        assert_eq!(t.for_hint(b"").map(Psk::key), Some(&b"key 0"[..]));
    }

    #[test]
    fn of_equal_identities_the_first_added_is_found_and_removal_keeps_the_index() {
        let mut t = table(&["b", "a", "b", "c", "a"]);
        assert_eq!(key_of(&t, "a"), Some(&b"key 1"[..]));
        assert_eq!(key_of(&t, "b"), Some(&b"key 0"[..]));
        assert!(t.remove(b"b"));
        assert!(!t.remove(b"b"));
        assert_eq!(key_of(&t, "b"), None);
        assert_eq!(key_of(&t, "a"), Some(&b"key 1"[..]));
        assert_eq!(key_of(&t, "c"), Some(&b"key 3"[..]));
        assert_eq!(t.set_capacity(4), Ok(()));
        assert_eq!(t.add(b"key 5", b"b", b""), Ok(()));
        assert_eq!(key_of(&t, "b"), Some(&b"key 5"[..]));
        assert_eq!(key_of(&t, "a"), Some(&b"key 1"[..]));
    }
}

//! Stateless HelloVerifyRequest cookies (RFC 6347 §4.2.1): an HMAC over the client's
//! address and the ClientHello fields it must repeat, so a server can recognise a
//! returning client without having stored anything about it.

use hmac::Mac;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{HmacSha256, hmac_sha256};
use crate::rng::Random;

/// Bytes of our cookies: one HMAC-SHA256 output.
const COOKIE_LEN: usize = 32;

/// Whether `cookie` has the shape of ours (its length, which is public). Anything else,
/// such as the empty cookie of every first ClientHello, is refused before an HMAC is
/// computed.
fn could_be_ours(cookie: &[u8]) -> bool {
    cookie.len() == COOKIE_LEN
}

/// The server's cookie key, held as an HMAC already keyed with it (keying costs two
/// SHA-256 blocks, paid once per secret instead of per cookie); wiped when dropped.
#[derive(Clone, ZeroizeOnDrop)]
pub struct CookieSecret(
    // Skipped by the derive: the keyed HMAC's SHA-256 states wipe themselves when
    // dropped (the sha2 crate's `zeroize` feature).
    #[zeroize(skip)] HmacSha256,
);

impl core::fmt::Debug for CookieSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("CookieSecret(..)")
    }
}

impl CookieSecret {
    /// A fresh random secret.
    pub fn generate(rng: &mut dyn Random) -> CookieSecret {
        let mut secret = [0u8; 32];
        rng.fill(&mut secret);
        let keyed = CookieSecret::from_bytes(secret);
        secret.zeroize();
        keyed
    }

    /// A secret with known bytes (tests, or a secret shared by a server cluster).
    pub fn from_bytes(bytes: [u8; 32]) -> CookieSecret {
        CookieSecret(hmac_sha256(&bytes))
    }

    /// HMAC-SHA256(secret, len(peer) ‖ peer ‖ hello_params), the parameters given in
    /// pieces (a received ClientHello's fields before and after its cookie, up to the
    /// extensions). The length prefix keeps address and parameters from sliding into
    /// each other.
    pub fn compute(&self, peer: &[u8], hello_params: &[&[u8]]) -> [u8; COOKIE_LEN] {
        let mut mac = self.0.clone();
        mac.update(&(peer.len() as u64).to_be_bytes());
        mac.update(peer);
        for piece in hello_params {
            mac.update(piece);
        }
        mac.finalize().into_bytes().into()
    }

    /// Whether `cookie` is the one we would make for this peer and ClientHello,
    /// compared in constant time (a cookie of another length than ours is refused
    /// before anything is computed).
    pub fn verify(&self, peer: &[u8], hello_params: &[&[u8]], cookie: &[u8]) -> bool {
        could_be_ours(cookie) && bool::from(self.compute(peer, hello_params).ct_eq(cookie))
    }
}

/// The current cookie secret and the one before it: cookies made just before a
/// rotation still verify for one more period.
#[derive(Clone, Debug)]
pub struct CookieJar {
    current: CookieSecret,
    previous: Option<CookieSecret>,
}

impl CookieJar {
    /// A jar with a fresh random secret.
    pub fn generate(rng: &mut dyn Random) -> CookieJar {
        CookieJar {
            current: CookieSecret::generate(rng),
            previous: None,
        }
    }

    /// Starts a new period: a new secret, and the current one kept as the previous.
    pub fn rotate(&mut self, rng: &mut dyn Random) {
        let fresh = CookieSecret::generate(rng);
        self.previous = Some(core::mem::replace(&mut self.current, fresh));
    }

    /// A cookie made with the current secret.
    pub fn compute(&self, peer: &[u8], hello_params: &[&[u8]]) -> [u8; COOKIE_LEN] {
        self.current.compute(peer, hello_params)
    }

    /// Whether `cookie` was made by the current or the previous secret.
    pub fn verify(&self, peer: &[u8], hello_params: &[&[u8]], cookie: &[u8]) -> bool {
        self.current.verify(peer, hello_params, cookie)
            || self
                .previous
                .as_ref()
                .is_some_and(|p| p.verify(peer, hello_params, cookie))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_verifies_only_for_its_peer_and_hello() {
        let secret = CookieSecret::from_bytes([9; 32]);
        let cookie = secret.compute(b"10.0.0.1:5684", &[b"hello"]);
        assert!(secret.verify(b"10.0.0.1:5684", &[b"hello"], &cookie));
        assert!(!secret.verify(b"10.0.0.2:5684", &[b"hello"], &cookie));
        assert!(!secret.verify(b"10.0.0.1:5684", &[b"hellp"], &cookie));
        assert!(!secret.verify(b"10.0.0.1:5684", &[b"hello"], &cookie[..31]));
        assert!(!secret.verify(b"10.0.0.1:5684", &[b"hello"], &[]));
        let other = CookieSecret::from_bytes([8; 32]);
        assert!(!other.verify(b"10.0.0.1:5684", &[b"hello"], &cookie));
        // No sliding between address and parameters.
        assert_ne!(
            secret.compute(b"ab", &[b"c"]),
            secret.compute(b"a", &[b"bc"])
        );
    }

    #[test]
    fn the_previous_secret_is_accepted_for_one_period() {
        let mut rng = crate::rng::SeededRandom::new(1);
        let mut jar = CookieJar::generate(&mut rng);
        let cookie = jar.compute(b"peer", &[b"hello"]);
        jar.rotate(&mut rng);
        assert!(jar.verify(b"peer", &[b"hello"], &cookie));
        assert_ne!(jar.compute(b"peer", &[b"hello"]), cookie);
        jar.rotate(&mut rng);
        assert!(!jar.verify(b"peer", &[b"hello"], &cookie));
    }
}

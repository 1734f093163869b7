//! The ECDHE key agreement (RFC 8422): one ephemeral key per handshake on the
//! negotiated group — X25519 (RFC 7748, RFC 8422 §5.11) or secp256r1 (§5.10) — and the
//! premaster secret it agrees with the peer's share. RustCrypto's `p256` and
//! x25519-dalek by default; ring's for both groups under
//! [`CryptoProvider::Ring`](super::CryptoProvider).

use zeroize::Zeroizing;

use super::CryptoProvider;
use super::ec::{decode_point, encode_point};
#[cfg(feature = "ring")]
use super::ring_provider;
use crate::error::Error;
use crate::group::NamedGroup;
use crate::rng::Random;

/// One handshake's ephemeral key, from the configured provider.
pub enum EphemeralKey {
    /// RustCrypto's P-256.
    P256(p256::SecretKey),
    /// x25519-dalek's X25519 (a "static" secret only in name: it is used once, and
    /// built from the session's [`Random`] as the P-256 key is).
    X25519(x25519_dalek::StaticSecret),
    /// ring's key on either group (used once: the agreement consumes it).
    #[cfg(feature = "ring")]
    Ring(ring::agreement::EphemeralPrivateKey),
}

/// The peer's ephemeral public key, checked for its group when it arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerShare {
    /// A point on P-256 (uncompressed on the wire).
    P256(p256::PublicKey),
    /// An X25519 u-coordinate.
    X25519([u8; 32]),
}

impl PeerShare {
    /// Parses the public key of an ECDHE message for `group`: a P-256 point must be
    /// uncompressed and on the curve, an X25519 key exactly 32 bytes (RFC 8422 §5.11).
    pub fn decode(group: NamedGroup, bytes: &[u8]) -> Result<PeerShare, Error> {
        match group {
            NamedGroup::Secp256r1 => decode_point(bytes).map(PeerShare::P256),
            NamedGroup::X25519 => <[u8; 32]>::try_from(bytes)
                .map(PeerShare::X25519)
                .map_err(|_| Error::UnsupportedCurve),
        }
    }

    /// The public key as ECDHE messages carry it.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            PeerShare::P256(point) => encode_point(point),
            PeerShare::X25519(u) => u.to_vec(),
        }
    }

    /// The group the share is on.
    pub fn group(&self) -> NamedGroup {
        match self {
            PeerShare::P256(_) => NamedGroup::Secp256r1,
            PeerShare::X25519(_) => NamedGroup::X25519,
        }
    }
}

impl EphemeralKey {
    /// A fresh key on `group`; RustCrypto's and x25519-dalek's are drawn from `rng`,
    /// ring's from the OS.
    pub fn generate(
        provider: CryptoProvider,
        group: NamedGroup,
        rng: &mut dyn Random,
    ) -> Result<EphemeralKey, Error> {
        match (provider, group) {
            (CryptoProvider::RustCrypto, NamedGroup::Secp256r1) => {
                p256_secret(rng).map(EphemeralKey::P256)
            }
            (CryptoProvider::RustCrypto, NamedGroup::X25519) => {
                // Every 32-byte string is an X25519 private key (RFC 7748 §5 clamps it).
                let mut bytes = Zeroizing::new([0u8; 32]);
                rng.fill(bytes.as_mut());
                Ok(EphemeralKey::X25519(x25519_dalek::StaticSecret::from(
                    *bytes,
                )))
            }
            #[cfg(feature = "ring")]
            (CryptoProvider::Ring, group) => {
                ring_provider::ephemeral_key(group).map(EphemeralKey::Ring)
            }
        }
    }

    /// The public key as ECDHE messages carry it: an uncompressed SEC1 point (65
    /// bytes) or an X25519 u-coordinate (32 bytes).
    pub fn public_key(&self) -> Result<Vec<u8>, Error> {
        match self {
            EphemeralKey::P256(key) => Ok(encode_point(&key.public_key())),
            EphemeralKey::X25519(key) => Ok(x25519_dalek::PublicKey::from(key).as_bytes().to_vec()),
            #[cfg(feature = "ring")]
            EphemeralKey::Ring(key) => ring_provider::public_key(key),
        }
    }

    /// The premaster secret with the peer's share: P-256's shared x-coordinate (RFC
    /// 8422 §5.10) or the X25519 output (§5.11), which must not be all zeros — a peer
    /// that sends a low-order point gets `UnsupportedCurve`.
    pub fn premaster_secret(self, theirs: &PeerShare) -> Result<Zeroizing<Vec<u8>>, Error> {
        match (self, theirs) {
            (EphemeralKey::P256(ours), PeerShare::P256(point)) => Ok(Zeroizing::new(
                ours.diffie_hellman(point).raw_secret_bytes().to_vec(),
            )),
            (EphemeralKey::X25519(ours), PeerShare::X25519(u)) => {
                let shared = ours.diffie_hellman(&x25519_dalek::PublicKey::from(*u));
                if shared.was_contributory() {
                    Ok(Zeroizing::new(shared.as_bytes().to_vec()))
                } else {
                    Err(Error::UnsupportedCurve)
                }
            }
            #[cfg(feature = "ring")]
            (EphemeralKey::Ring(ours), theirs) => ring_provider::premaster_secret(ours, theirs),
            _ => Err(Error::InvalidState(
                "the peer's key share is on another group than ours",
            )),
        }
    }
}

/// A fresh P-256 private key from `rng`. A random 32-byte string is a valid scalar
/// except with probability about 2^-32, so a few tries always suffice.
pub fn p256_secret(rng: &mut dyn Random) -> Result<p256::SecretKey, Error> {
    for _ in 0..8 {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill(bytes.as_mut());
        if let Ok(key) = p256::SecretKey::from_slice(bytes.as_ref()) {
            return Ok(key);
        }
    }
    Err(Error::InvalidState(
        "the random source produced no valid P-256 key",
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rng::SeededRandom;

    /// A "random" source that hands out one fixed private key.
    struct FixedKey([u8; 32]);

    impl Random for FixedKey {
        fn fill(&mut self, out: &mut [u8]) {
            for (o, k) in out.iter_mut().zip(self.0.iter().cycle()) {
                *o = *k;
            }
        }
    }

    fn hex32(text: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    /// RFC 7748 §6.1: Alice's and Bob's keys, public keys and shared secret.
    #[test]
    fn x25519_matches_rfc7748_section_6_1() {
        let alice_private =
            hex32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        let alice_public =
            hex32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        let bob_private = hex32("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        let bob_public = hex32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        let shared = hex32("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

        let rc = CryptoProvider::RustCrypto;
        let alice =
            EphemeralKey::generate(rc, NamedGroup::X25519, &mut FixedKey(alice_private)).unwrap();
        let bob =
            EphemeralKey::generate(rc, NamedGroup::X25519, &mut FixedKey(bob_private)).unwrap();
        assert_eq!(alice.public_key().unwrap(), alice_public);
        assert_eq!(bob.public_key().unwrap(), bob_public);
        let to_bob = PeerShare::decode(NamedGroup::X25519, &bob_public).unwrap();
        let to_alice = PeerShare::decode(NamedGroup::X25519, &alice_public).unwrap();
        assert_eq!(*alice.premaster_secret(&to_bob).unwrap(), shared);
        assert_eq!(*bob.premaster_secret(&to_alice).unwrap(), shared);
    }

    /// RFC 8422 §5.11: an all-zero X25519 result (the peer sent a point of small order)
    /// aborts the handshake; a share of the wrong length is refused when it arrives.
    #[test]
    fn x25519_refuses_low_order_points_and_wrong_lengths() {
        let mut rng = SeededRandom::new(9);
        for low_order in [[0u8; 32], {
            let mut one = [0u8; 32];
            one[0] = 1;
            one
        }] {
            let ours =
                EphemeralKey::generate(CryptoProvider::RustCrypto, NamedGroup::X25519, &mut rng)
                    .unwrap();
            let theirs = PeerShare::decode(NamedGroup::X25519, &low_order).unwrap();
            assert_eq!(
                ours.premaster_secret(&theirs).unwrap_err(),
                Error::UnsupportedCurve
            );
        }
        for len in [0, 31, 33, 65] {
            assert_eq!(
                PeerShare::decode(NamedGroup::X25519, &vec![9; len]).unwrap_err(),
                Error::UnsupportedCurve
            );
        }
    }

    #[test]
    fn both_groups_agree_and_refuse_crossed_shares() {
        let mut rng = SeededRandom::new(3);
        for group in NamedGroup::ALL {
            let rc = CryptoProvider::RustCrypto;
            let a = EphemeralKey::generate(rc, group, &mut rng).unwrap();
            let b = EphemeralKey::generate(rc, group, &mut rng).unwrap();
            let a_public = a.public_key().unwrap();
            assert_eq!(a_public.len(), group.public_len());
            let a_share = PeerShare::decode(group, &a_public).unwrap();
            let b_share = PeerShare::decode(group, &b.public_key().unwrap()).unwrap();
            assert_eq!(a_share.group(), group);
            assert_eq!(a_share.encode(), a_public);
            assert_eq!(
                *a.premaster_secret(&b_share).unwrap(),
                *b.premaster_secret(&a_share).unwrap()
            );
        }
        let p256 =
            EphemeralKey::generate(CryptoProvider::RustCrypto, NamedGroup::Secp256r1, &mut rng)
                .unwrap();
        let x25519_share = PeerShare::X25519([9; 32]);
        assert!(matches!(
            p256.premaster_secret(&x25519_share),
            Err(Error::InvalidState(_))
        ));
    }

    /// ring and RustCrypto/x25519-dalek agree on both groups' secrets.
    #[cfg(feature = "ring")]
    #[test]
    fn ring_agrees_with_rustcrypto() {
        let mut rng = SeededRandom::new(4);
        for group in NamedGroup::ALL {
            for (a, b) in [
                (CryptoProvider::Ring, CryptoProvider::RustCrypto),
                (CryptoProvider::RustCrypto, CryptoProvider::Ring),
                (CryptoProvider::Ring, CryptoProvider::Ring),
            ] {
                let ka = EphemeralKey::generate(a, group, &mut rng).unwrap();
                let kb = EphemeralKey::generate(b, group, &mut rng).unwrap();
                let pa = PeerShare::decode(group, &ka.public_key().unwrap()).unwrap();
                let pb = PeerShare::decode(group, &kb.public_key().unwrap()).unwrap();
                let sa = ka.premaster_secret(&pb).unwrap();
                let sb = kb.premaster_secret(&pa).unwrap();
                assert_eq!(*sa, *sb, "{group} {a:?} with {b:?}");
                assert_eq!(sa.len(), 32);
            }
        }
    }
}

//! The TLS 1.2 PRF with SHA-256 or SHA-384 (RFC 5246 §5) and the key schedule built on
//! it: the PSK premaster secret (RFC 4279 §2, RFC 5489 §2), the master secret —
//! extended (RFC 7627 §4) or not (RFC 5246 §8.1) — the key block (RFC 5246 §6.3) and
//! Finished (RFC 5246 §7.4.9).

use hmac::KeyInit;
use hmac::Mac;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::aead::{MAX_FIXED_IV_LEN, MAX_KEY_LEN};
use super::{HmacSha256, HmacSha384, hmac_sha256};
use crate::suite::{AeadAlgorithm, PrfHash};

/// Fills `out` with PRF(secret, label, seed) = P_hash(secret, label ‖ seed).
pub fn prf(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    KeyedPrf::new(hash, secret).expand(label, seed, out);
}

/// The PRF's HMAC keyed with a secret: keying costs two hash blocks, which a secret
/// used several times (the master secret) pays only once. HMAC-SHA384's SHA-512 states
/// are boxed: unboxed they would make every handshake's state ~160 bytes larger for the
/// few suites that use them.
#[derive(Clone)]
enum KeyedPrf {
    Sha256(HmacSha256),
    Sha384(Box<HmacSha384>),
}

impl KeyedPrf {
    fn new(hash: PrfHash, secret: &[u8]) -> KeyedPrf {
        match hash {
            PrfHash::Sha256 => KeyedPrf::Sha256(hmac_sha256(secret)),
            // Unreachable error: HMAC takes any key length (RFC 2104 §3).
            PrfHash::Sha384 => KeyedPrf::Sha384(Box::new(
                HmacSha384::new_from_slice(secret)
                    .unwrap_or_else(|_| HmacSha384::new(&Default::default())),
            )),
        }
    }

    fn hash(&self) -> PrfHash {
        match self {
            KeyedPrf::Sha256(_) => PrfHash::Sha256,
            KeyedPrf::Sha384(_) => PrfHash::Sha384,
        }
    }

    /// Fills `out` with P_hash(secret, label ‖ seed).
    fn expand(&self, label: &[u8], seed: &[u8], out: &mut [u8]) {
        match self {
            KeyedPrf::Sha256(keyed) => p_hash(keyed, label, seed, out),
            KeyedPrf::Sha384(keyed) => p_hash(keyed.as_ref(), label, seed, out),
        }
    }
}

/// P_hash (RFC 5246 §5) with the HMAC already keyed with the secret.
fn p_hash<M: Mac + Clone>(keyed: &M, label: &[u8], seed: &[u8], out: &mut [u8]) {
    // A(1) = HMAC(secret, label ‖ seed); A(i) = HMAC(secret, A(i-1)).
    let mut a = {
        let mut mac = keyed.clone();
        mac.update(label);
        mac.update(seed);
        mac.finalize().into_bytes()
    };
    let mut chunks = out.chunks_mut(a.len()).peekable();
    while let Some(chunk) = chunks.next() {
        let mut mac = keyed.clone();
        mac.update(&a);
        mac.update(label);
        mac.update(seed);
        let block = mac.finalize().into_bytes();
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o = *b;
        }
        // The next A only when another block follows: one HMAC in three saved for a
        // 12-byte verify_data, one in five for the 48-byte master secret.
        if chunks.peek().is_some() {
            let mut next = keyed.clone();
            next.update(&a);
            a = next.finalize().into_bytes();
        }
    }
    a.zeroize();
}

/// The premaster secret of a PSK suite: the other secret with its uint16 length, then
/// the key with its: for plain PSK the other secret is as many zero bytes as the key
/// has (RFC 4279 §2), for ECDHE_PSK the ECDH shared secret (RFC 5489 §2).
pub fn psk_premaster_secret(ecdh_shared: Option<&[u8]>, psk: &[u8]) -> Zeroizing<Vec<u8>> {
    // Keys are at most 64 bytes (Config enforces it) and shared secrets 32, so the
    // lengths fit in 16 bits.
    let len16 = |n: usize| u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes();
    let other_len = ecdh_shared.map_or(psk.len(), <[u8]>::len);
    let mut out = Zeroizing::new(Vec::with_capacity(4 + other_len + psk.len()));
    out.extend_from_slice(&len16(other_len));
    match ecdh_shared {
        Some(shared) => out.extend_from_slice(shared),
        None => out.resize(2 + other_len, 0),
    }
    out.extend_from_slice(&len16(psk.len()));
    out.extend_from_slice(psk);
    out
}

/// The 48-byte master secret with its suite's PRF hash; wiped from memory when
/// dropped. (Not `Zeroize`: a wipe on demand could not reach the keyed HMAC, which only
/// wipes itself when dropped.)
#[derive(Clone, ZeroizeOnDrop)]
pub struct MasterSecret {
    bytes: [u8; 48],
    /// HMAC keyed with `bytes`, shared by the key block and both Finished messages.
    /// Skipped by the derive because its SHA-256 or SHA-512 states wipe themselves when
    /// dropped (the sha2 crate's `zeroize` feature).
    #[zeroize(skip)]
    keyed: KeyedPrf,
}

impl core::fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("MasterSecret(..)")
    }
}

/// The record keys of an AEAD suite (RFC 5246 §6.3: AEAD suites have no MAC keys; the
/// IVs are the 4-byte implicit nonce salts of RFC 5288 §3 / RFC 6655 §3, or
/// ChaCha20-Poly1305's 12-byte nonce masks, RFC 7905 §2). Each field holds its
/// algorithm's length at its front and zeros after it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct KeyBlock {
    /// client_write_key.
    pub client_key: [u8; MAX_KEY_LEN],
    /// server_write_key.
    pub server_key: [u8; MAX_KEY_LEN],
    /// client_write_IV.
    pub client_iv: [u8; MAX_FIXED_IV_LEN],
    /// server_write_IV.
    pub server_iv: [u8; MAX_FIXED_IV_LEN],
}

impl MasterSecret {
    fn new(hash: PrfHash, bytes: [u8; 48]) -> MasterSecret {
        MasterSecret {
            keyed: KeyedPrf::new(hash, &bytes),
            bytes,
        }
    }

    /// master_secret = PRF(pre_master, "master secret", client_random ‖ server_random).
    pub fn derive(
        hash: PrfHash,
        pre_master: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> MasterSecret {
        let mut seed = [0u8; 64];
        seed[..32].copy_from_slice(client_random);
        seed[32..].copy_from_slice(server_random);
        MasterSecret::from_prf(hash, pre_master, b"master secret", &seed)
    }

    /// master_secret = PRF(pre_master, "extended master secret", session_hash), where
    /// the session hash covers the handshake up to ClientKeyExchange (RFC 7627 §4).
    pub fn derive_extended(hash: PrfHash, pre_master: &[u8], session_hash: &[u8]) -> MasterSecret {
        MasterSecret::from_prf(hash, pre_master, b"extended master secret", session_hash)
    }

    fn from_prf(hash: PrfHash, pre_master: &[u8], label: &[u8], seed: &[u8]) -> MasterSecret {
        let mut out = [0u8; 48];
        prf(hash, pre_master, label, seed, &mut out);
        let master = MasterSecret::new(hash, out);
        out.zeroize();
        master
    }

    /// The hash of the PRF this master secret was made with, and makes keys with.
    pub fn prf_hash(&self) -> PrfHash {
        self.keyed.hash()
    }

    /// key_block = PRF(master, "key expansion", server_random ‖ client_random), cut
    /// into client_write_key, server_write_key, client_write_IV, server_write_IV at
    /// `algorithm`'s lengths.
    pub fn key_block(
        &self,
        algorithm: AeadAlgorithm,
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> KeyBlock {
        let mut seed = [0u8; 64];
        seed[..32].copy_from_slice(server_random);
        seed[32..].copy_from_slice(client_random);
        let (key_len, iv_len) = (algorithm.key_len(), algorithm.fixed_iv_len());
        let mut block = Zeroizing::new([0u8; 2 * (MAX_KEY_LEN + MAX_FIXED_IV_LEN)]);
        let used = 2 * (key_len + iv_len);
        if let Some(block) = block.get_mut(..used) {
            self.keyed.expand(b"key expansion", &seed, block);
        }
        let mut keys = KeyBlock {
            client_key: [0; MAX_KEY_LEN],
            server_key: [0; MAX_KEY_LEN],
            client_iv: [0; MAX_FIXED_IV_LEN],
            server_iv: [0; MAX_FIXED_IV_LEN],
        };
        let mut stream = block.iter();
        let mut fill = |field: &mut [u8], len: usize| {
            field
                .iter_mut()
                .zip(stream.by_ref().take(len))
                .for_each(|(to, from)| *to = *from);
        };
        fill(&mut keys.client_key, key_len);
        fill(&mut keys.server_key, key_len);
        fill(&mut keys.client_iv, iv_len);
        fill(&mut keys.server_iv, iv_len);
        keys
    }

    /// verify_data = PRF(master, label, Hash(handshake_messages))[0..12], label being
    /// "client finished" or "server finished", the hash this master secret's.
    pub fn verify_data(&self, label: &[u8], handshake_hash: &[u8]) -> [u8; 12] {
        let mut out = [0u8; 12];
        self.keyed.expand(label, handshake_hash, &mut out);
        out
    }

    /// A master secret for a suite with this PRF hash, read back from an NSS key log
    /// line (to decrypt a capture, as the browser demo's record inspector does) or a
    /// saved session.
    pub fn from_bytes(hash: PrfHash, bytes: [u8; 48]) -> MasterSecret {
        MasterSecret::new(hash, bytes)
    }

    /// The secret itself, for NSS key log lines and saved sessions.
    pub fn as_bytes(&self) -> &[u8; 48] {
        &self.bytes
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::crypto::aead::tests::unhex;

    /// The TLS 1.2 PRF test vectors (SHA-256 and SHA-384) published on the IETF TLS
    /// working group list (Joseph Birr-Pixton's "TLS 1.2 PRF test vectors", also used
    /// by many TLS libraries). Cross-checked with `openssl kdf -keylen 100 -kdfopt
    /// digest:SHA256 -kdfopt hexsecret:… -kdfopt hexseed:<hex of "test label">…
    /// TLS1-PRF` (OpenSSL takes the label as the seed's prefix), and `-keylen 148
    /// -kdfopt digest:SHA384`.
    #[test]
    fn prf_matches_the_published_vectors() {
        let vectors = [
            (
                PrfHash::Sha256,
                "9bbe436ba940f017b17652849a71db35",
                "a0ba9f936cda311827a6f796ffd5198c",
                concat!(
                    "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a",
                    "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab",
                    "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701",
                    "87347b66"
                ),
            ),
            (
                PrfHash::Sha384,
                "b80b733d6ceefcdc71566ea48e5567df",
                "cd665cf6a8447dd6ff8b27555edb7465",
                concat!(
                    "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd",
                    "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd",
                    "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425",
                    "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6",
                    "91c8f3a26854308d5eaa3be85e0990703d73e56f"
                ),
            ),
        ];
        for (hash, secret, seed, expected) in vectors {
            let expected = unhex(expected);
            let mut out = vec![0u8; expected.len()];
            prf(hash, &unhex(secret), b"test label", &unhex(seed), &mut out);
            assert_eq!(out, expected, "{hash:?}");
        }
    }

    #[test]
    fn psk_premaster_secret_layout() {
        let pms = psk_premaster_secret(None, &[0xAA, 0xBB, 0xCC]);
        assert_eq!(*pms, [0, 3, 0, 0, 0, 0, 3, 0xAA, 0xBB, 0xCC]);
        // RFC 5489 §2: the ECDH shared secret takes the zeros' place.
        let pms = psk_premaster_secret(Some(&[1, 2, 3, 4]), &[0xAA, 0xBB, 0xCC]);
        assert_eq!(*pms, [0, 4, 1, 2, 3, 4, 0, 3, 0xAA, 0xBB, 0xCC]);
    }

    /// Master secret cross-checked with OpenSSL's TLS1-PRF:
    /// `openssl kdf -keylen 48 -kdfopt digest:SHA256 -kdfopt hexsecret:00030000000003616263
    /// -kdfopt hexseed:<hex of "master secret"><32×01><32×02> TLS1-PRF`, and with
    /// `digest:SHA384` for a `_SHA384` suite.
    #[test]
    fn master_secret_matches_openssl() {
        let pms = psk_premaster_secret(None, b"abc");
        let master = MasterSecret::derive(PrfHash::Sha256, &pms, &[1; 32], &[2; 32]);
        assert_eq!(master.as_bytes().to_vec(), unhex(MASTER_FROM_OPENSSL));
        let master = MasterSecret::derive(PrfHash::Sha384, &pms, &[1; 32], &[2; 32]);
        assert_eq!(
            master.as_bytes().to_vec(),
            unhex(SHA384_MASTER_FROM_OPENSSL)
        );
        assert_eq!(master.prf_hash(), PrfHash::Sha384);
        // The key block and Finished follow the master secret's hash.
        let again = MasterSecret::from_bytes(PrfHash::Sha384, *master.as_bytes());
        let mut expected = [0u8; 12];
        prf(
            PrfHash::Sha384,
            master.as_bytes(),
            b"client finished",
            &[5; 48],
            &mut expected,
        );
        assert_eq!(again.verify_data(b"client finished", &[5; 48]), expected);
    }

    const MASTER_FROM_OPENSSL: &str = "d7d96205e8888d3733fde2a426b84af0d366ca9f11b027476201e474974412cc6d7d597917f0567c59aec140c81989c4";
    const SHA384_MASTER_FROM_OPENSSL: &str = "37a5ab45e5b7f166b458d598f2f94ed22cad082bd9a1da73676a7a4647c992f01c50ca3d4f5e8105aa074a174a7c09b7";

    #[test]
    fn key_block_and_verify_data_depend_on_every_input() {
        let m = MasterSecret::derive_extended(PrfHash::Sha256, b"pms", &[7; 32]);
        let k1 = m.key_block(AeadAlgorithm::Aes128Ccm8, &[1; 32], &[2; 32]);
        let k2 = m.key_block(AeadAlgorithm::Aes128Ccm8, &[2; 32], &[1; 32]);
        assert_ne!(k1.client_key, k2.client_key);
        assert_ne!(k1.client_key, k1.server_key);
        assert_ne!(
            m.verify_data(b"client finished", &[0; 32]),
            m.verify_data(b"server finished", &[0; 32])
        );
        assert_ne!(
            MasterSecret::derive_extended(PrfHash::Sha256, b"pms", &[8; 32]).as_bytes(),
            m.as_bytes()
        );
    }

    /// RFC 5246 §6.3: the key block is client_write_key ‖ server_write_key ‖
    /// client_write_IV ‖ server_write_IV, cut at the algorithm's lengths: 16 + 16 + 4 + 4
    /// bytes for AES-128, 32 + 32 + 12 + 12 for ChaCha20-Poly1305 (RFC 7905 §2).
    #[test]
    fn key_block_is_cut_at_each_algorithms_lengths() {
        let m = MasterSecret::derive_extended(PrfHash::Sha256, b"pms", &[7; 32]);
        let mut seed = [1u8; 64];
        seed[..32].copy_from_slice(&[2; 32]);
        let mut stream = [0u8; 88];
        prf(
            PrfHash::Sha256,
            m.as_bytes(),
            b"key expansion",
            &seed,
            &mut stream,
        );

        let aes = m.key_block(AeadAlgorithm::Aes128Gcm, &[1; 32], &[2; 32]);
        assert_eq!(aes.client_key[..16], stream[..16]);
        assert_eq!(aes.server_key[..16], stream[16..32]);
        assert_eq!(aes.client_iv[..4], stream[32..36]);
        assert_eq!(aes.server_iv[..4], stream[36..40]);
        assert_eq!(aes.client_key[16..], [0; 16]);
        assert_eq!(aes.server_iv[4..], [0; 8]);

        let chacha = m.key_block(AeadAlgorithm::ChaCha20Poly1305, &[1; 32], &[2; 32]);
        assert_eq!(chacha.client_key[..], stream[..32]);
        assert_eq!(chacha.server_key[..], stream[32..64]);
        assert_eq!(chacha.client_iv[..], stream[64..76]);
        assert_eq!(chacha.server_iv[..], stream[76..88]);

        // AES-256-GCM: 32 + 32 + 4 + 4 bytes of P_SHA384 (RFC 5289 §3.2).
        let m = MasterSecret::derive_extended(PrfHash::Sha384, b"pms", &[7; 48]);
        let mut stream = [0u8; 72];
        prf(
            PrfHash::Sha384,
            m.as_bytes(),
            b"key expansion",
            &seed,
            &mut stream,
        );
        let aes256 = m.key_block(AeadAlgorithm::Aes256Gcm, &[1; 32], &[2; 32]);
        assert_eq!(aes256.client_key[..], stream[..32]);
        assert_eq!(aes256.server_key[..], stream[32..64]);
        assert_eq!(aes256.client_iv[..4], stream[64..68]);
        assert_eq!(aes256.server_iv[..4], stream[68..72]);
        assert_eq!(aes256.server_iv[4..], [0; 8]);
    }
}

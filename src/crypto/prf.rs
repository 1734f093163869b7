//! The TLS 1.2 PRF with SHA-256 (RFC 5246 §5) and the key schedule built on it: the PSK
//! premaster secret (RFC 4279 §2), the master secret — extended (RFC 7627 §4) or not
//! (RFC 5246 §8.1) — the key block (RFC 5246 §6.3) and Finished (RFC 5246 §7.4.9).

use hmac::Mac;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::aead::{MAX_FIXED_IV_LEN, MAX_KEY_LEN};
use super::{HmacSha256, hmac_sha256};
use crate::suite::AeadAlgorithm;

/// Fills `out` with PRF(secret, label, seed) = P_SHA256(secret, label ‖ seed).
pub fn prf_sha256(secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    p_sha256(&hmac_sha256(secret), label, seed, out);
}

/// P_SHA256 with the HMAC already keyed with the secret: keying costs two SHA-256
/// blocks, which a secret used several times (the master secret) pays only once.
fn p_sha256(keyed: &HmacSha256, label: &[u8], seed: &[u8], out: &mut [u8]) {
    // A(1) = HMAC(secret, label ‖ seed); A(i) = HMAC(secret, A(i-1)).
    let mut a = {
        let mut mac = keyed.clone();
        mac.update(label);
        mac.update(seed);
        mac.finalize().into_bytes()
    };
    let mut chunks = out.chunks_mut(32).peekable();
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

/// The premaster secret of a plain PSK suite: uint16 N, N zero bytes, uint16 N, the
/// key (RFC 4279 §2).
pub fn psk_premaster_secret(psk: &[u8]) -> Zeroizing<Vec<u8>> {
    // Keys are at most 64 bytes (Config enforces it), so the length fits in 16 bits.
    let n = u16::try_from(psk.len()).unwrap_or(u16::MAX);
    let mut out = Zeroizing::new(Vec::with_capacity(4 + 2 * psk.len()));
    out.extend_from_slice(&n.to_be_bytes());
    out.resize(2 + psk.len(), 0);
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(psk);
    out
}

/// The 48-byte master secret; wiped from memory when dropped. (Not `Zeroize`: a wipe
/// on demand could not reach the keyed HMAC, which only wipes itself when dropped.)
#[derive(Clone, ZeroizeOnDrop)]
pub struct MasterSecret {
    bytes: [u8; 48],
    /// HMAC keyed with `bytes`, shared by the key block and both Finished messages.
    /// Skipped by the derive because its SHA-256 states wipe themselves when dropped
    /// (the sha2 crate's `zeroize` feature).
    #[zeroize(skip)]
    keyed: HmacSha256,
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
    fn new(bytes: [u8; 48]) -> MasterSecret {
        MasterSecret {
            keyed: hmac_sha256(&bytes),
            bytes,
        }
    }

    /// master_secret = PRF(pre_master, "master secret", client_random ‖ server_random).
    pub fn derive(
        pre_master: &[u8],
        client_random: &[u8; 32],
        server_random: &[u8; 32],
    ) -> MasterSecret {
        let mut seed = [0u8; 64];
        seed[..32].copy_from_slice(client_random);
        seed[32..].copy_from_slice(server_random);
        let mut out = [0u8; 48];
        prf_sha256(pre_master, b"master secret", &seed, &mut out);
        let master = MasterSecret::new(out);
        out.zeroize();
        master
    }

    /// master_secret = PRF(pre_master, "extended master secret", session_hash), where
    /// the session hash covers the handshake up to ClientKeyExchange (RFC 7627 §4).
    pub fn derive_extended(pre_master: &[u8], session_hash: &[u8]) -> MasterSecret {
        let mut out = [0u8; 48];
        prf_sha256(
            pre_master,
            b"extended master secret",
            session_hash,
            &mut out,
        );
        let master = MasterSecret::new(out);
        out.zeroize();
        master
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
            p_sha256(&self.keyed, b"key expansion", &seed, block);
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
    /// "client finished" or "server finished".
    pub fn verify_data(&self, label: &[u8], handshake_hash: &[u8; 32]) -> [u8; 12] {
        let mut out = [0u8; 12];
        p_sha256(&self.keyed, label, handshake_hash, &mut out);
        out
    }

    /// A master secret read back from an NSS key log line, to decrypt a capture (the
    /// browser demo's record inspector does this).
    pub fn from_bytes(bytes: [u8; 48]) -> MasterSecret {
        MasterSecret::new(bytes)
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

    /// The TLS 1.2 PRF (SHA-256) test vector published on the IETF TLS working group
    /// list (Joseph Birr-Pixton's "TLS 1.2 PRF test vectors", also used by many TLS
    /// libraries). Cross-checked with
    /// `openssl kdf -keylen 100 -kdfopt digest:SHA256 -kdfopt hexsecret:… -kdfopt
    /// hexseed:<hex of "test label">… TLS1-PRF` (OpenSSL takes the label as the seed's
    /// prefix).
    #[test]
    fn prf_sha256_matches_the_published_vector() {
        let secret = unhex("9bbe436ba940f017b17652849a71db35");
        let seed = unhex("a0ba9f936cda311827a6f796ffd5198c");
        let expected = unhex(concat!(
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a",
            "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab",
            "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701",
            "87347b66"
        ));
        let mut out = [0u8; 100];
        prf_sha256(&secret, b"test label", &seed, &mut out);
        assert_eq!(out.to_vec(), expected);
    }

    #[test]
    fn psk_premaster_secret_layout() {
        let pms = psk_premaster_secret(&[0xAA, 0xBB, 0xCC]);
        assert_eq!(*pms, [0, 3, 0, 0, 0, 0, 3, 0xAA, 0xBB, 0xCC]);
    }

    /// Master secret and Finished cross-checked with OpenSSL's TLS1-PRF:
    /// `openssl kdf -keylen 48 -kdfopt digest:SHA256 -kdfopt hexsecret:00030000000003616263
    /// -kdfopt hexseed:<hex of "master secret"><32×01><32×02> TLS1-PRF`.
    #[test]
    fn master_secret_matches_openssl() {
        let pms = psk_premaster_secret(b"abc");
        let master = MasterSecret::derive(&pms, &[1; 32], &[2; 32]);
        let expected = unhex(MASTER_FROM_OPENSSL);
        assert_eq!(master.as_bytes().to_vec(), expected);
    }

    const MASTER_FROM_OPENSSL: &str = "d7d96205e8888d3733fde2a426b84af0d366ca9f11b027476201e474974412cc6d7d597917f0567c59aec140c81989c4";

    #[test]
    fn key_block_and_verify_data_depend_on_every_input() {
        let m = MasterSecret::derive_extended(b"pms", &[7; 32]);
        let k1 = m.key_block(AeadAlgorithm::Aes128Ccm8, &[1; 32], &[2; 32]);
        let k2 = m.key_block(AeadAlgorithm::Aes128Ccm8, &[2; 32], &[1; 32]);
        assert_ne!(k1.client_key, k2.client_key);
        assert_ne!(k1.client_key, k1.server_key);
        assert_ne!(
            m.verify_data(b"client finished", &[0; 32]),
            m.verify_data(b"server finished", &[0; 32])
        );
        assert_ne!(
            MasterSecret::derive_extended(b"pms", &[8; 32]).as_bytes(),
            m.as_bytes()
        );
    }

    /// RFC 5246 §6.3: the key block is client_write_key ‖ server_write_key ‖
    /// client_write_IV ‖ server_write_IV, cut at the algorithm's lengths: 16 + 16 + 4 + 4
    /// bytes for AES, 32 + 32 + 12 + 12 for ChaCha20-Poly1305 (RFC 7905 §2).
    #[test]
    fn key_block_is_cut_at_each_algorithms_lengths() {
        let m = MasterSecret::derive_extended(b"pms", &[7; 32]);
        let mut seed = [1u8; 64];
        seed[..32].copy_from_slice(&[2; 32]);
        let mut stream = [0u8; 88];
        prf_sha256(m.as_bytes(), b"key expansion", &seed, &mut stream);

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
    }
}

//! The cryptography: the TLS 1.2 PRF and key schedule, AEAD record protection, the
//! stateless cookie MAC, ECDHE on X25519 or P-256, ECDSA on P-256 and RSA signature
//! verification, on RustCrypto's primitives and x25519-dalek — the elliptic curves
//! optionally on ring's in native builds ([`CryptoProvider`]). Every type of ours that
//! holds key material wipes it when dropped; secret comparisons (cookies, Finished) are
//! constant-time.

mod aead;
mod cookie;
pub mod ec;
pub mod ecdhe;
mod prf;
mod provider;
#[cfg(feature = "ring")]
pub(crate) mod ring_provider;
mod signature;

pub use aead::{MAX_FIXED_IV_LEN, MAX_KEY_LEN, RecordCipher};
pub use cookie::{CookieJar, CookieSecret};
pub use prf::{KeyBlock, MasterSecret, prf, psk_premaster_secret};
pub use provider::CryptoProvider;
pub use signature::SignatureScheme;

/// HMAC-SHA256, the MAC behind the PRF and the cookies.
pub(crate) type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// HMAC-SHA384, the MAC behind the PRF of the `_SHA384` suites.
pub(crate) type HmacSha384 = hmac::Hmac<sha2::Sha384>;

/// A keyed HMAC-SHA256. HMAC accepts keys of any length, so this cannot fail.
pub(crate) fn hmac_sha256(key: &[u8]) -> HmacSha256 {
    use hmac::KeyInit;
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        // Unreachable: HMAC takes any key length (RFC 2104 §3).
        Err(_) => HmacSha256::new(&Default::default()),
    }
}

#[cfg(test)]
mod tests {
    use sha2::digest::block_api::CoreProxy;
    use zeroize::{ZeroizeOnDrop, Zeroizing};

    use super::*;

    /// Compiles only if `T` wipes itself when dropped.
    fn wipes_itself<T: ZeroizeOnDrop>() {}

    #[test]
    fn every_type_holding_key_material_wipes_itself() {
        wipes_itself::<MasterSecret>();
        wipes_itself::<KeyBlock>();
        wipes_itself::<CookieSecret>();
        // MasterSecret and CookieSecret hold a keyed HMAC-SHA256: two SHA-256 cores
        // (inner and outer state) and a block buffer. hmac does not mark its wrapper,
        // but each part wipes itself (sha2's `zeroize` feature), which this checks.
        wipes_itself::<<sha2::Sha256 as CoreProxy>::Core>();
        wipes_itself::<sha2::Sha256>();
        wipes_itself::<RecordCipher>();
        wipes_itself::<aes::Aes128>();
        wipes_itself::<aes_gcm::Aes128Gcm>();
        wipes_itself::<aes_gcm::Aes256Gcm>();
        // The SHA-384 suites' master secrets hold a keyed HMAC-SHA384 (SHA-512 cores).
        wipes_itself::<<sha2::Sha384 as CoreProxy>::Core>();
        wipes_itself::<sha2::Sha384>();
        // Pre-shared keys, premaster secrets, ephemeral and certificate keys.
        wipes_itself::<Zeroizing<Vec<u8>>>();
        wipes_itself::<p256::SecretKey>();
        wipes_itself::<x25519_dalek::StaticSecret>();
        wipes_itself::<p256::ecdsa::SigningKey>();
    }
}

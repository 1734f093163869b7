//! The cryptography of the PSK suites: the TLS 1.2 PRF and key schedule, AEAD record
//! protection and the stateless cookie MAC, all on RustCrypto primitives.

mod aead;
mod cookie;
pub mod ec;
mod prf;

pub use aead::RecordCipher;
pub use cookie::{CookieJar, CookieSecret};
pub use prf::{KeyBlock, MasterSecret, prf_sha256, psk_premaster_secret};

/// HMAC-SHA256, the MAC behind the PRF and the cookies.
pub(crate) type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// A keyed HMAC-SHA256. HMAC accepts keys of any length, so this cannot fail.
pub(crate) fn hmac_sha256(key: &[u8]) -> HmacSha256 {
    use hmac::KeyInit;
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        // Unreachable: HMAC takes any key length (RFC 2104 §3).
        Err(_) => HmacSha256::new(&Default::default()),
    }
}

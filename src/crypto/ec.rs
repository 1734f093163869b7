//! P-256 operations of the ECDHE-ECDSA suites: point encoding and ECDSA signatures
//! with SHA-256 (deterministic, RFC 6979). The free functions are RustCrypto's;
//! [`sign_with`] and [`verify_with`] go to the configured [`CryptoProvider`]. The key
//! agreement itself is in [`ecdhe`](super::ecdhe).

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::sec1::ToSec1Point;

use super::CryptoProvider;
#[cfg(feature = "ring")]
use super::ring_provider;
use crate::error::Error;
use crate::x509::PrivateKey;

/// A DER ECDSA-SHA256 signature of `message` by `key`, made by `provider`.
pub fn sign_with(
    provider: CryptoProvider,
    key: &PrivateKey,
    message: &[u8],
) -> Result<Vec<u8>, Error> {
    match provider {
        CryptoProvider::RustCrypto => Ok(sign(key.signing_key(), message)),
        #[cfg(feature = "ring")]
        CryptoProvider::Ring => match key.ring_pair() {
            Some(pair) => ring_provider::sign(pair, message),
            None => Ok(sign(key.signing_key(), message)),
        },
    }
}

/// Whether `der` is a valid ECDSA-SHA256 signature of `message` by `key`, checked by
/// `provider`.
pub fn verify_with(
    provider: CryptoProvider,
    key: &p256::PublicKey,
    message: &[u8],
    der: &[u8],
) -> bool {
    match provider {
        CryptoProvider::RustCrypto => verify(key, message, der),
        #[cfg(feature = "ring")]
        CryptoProvider::Ring => ring_provider::verify(key, message, der),
    }
}

/// The uncompressed SEC1 encoding of a public key, as ECDHE messages carry it.
pub fn encode_point(key: &p256::PublicKey) -> Vec<u8> {
    key.as_affine().to_sec1_point(false).as_bytes().to_vec()
}

/// Parses the peer's point; anything not on the curve is refused.
pub fn decode_point(bytes: &[u8]) -> Result<p256::PublicKey, Error> {
    // RFC 8422 §5.1.2: only the uncompressed form is used.
    if bytes.first() != Some(&4) {
        return Err(Error::UnsupportedCurve);
    }
    p256::PublicKey::from_sec1_bytes(bytes).map_err(|_| Error::UnsupportedCurve)
}

/// A DER ECDSA-SHA256 signature of `message`.
pub fn sign(key: &SigningKey, message: &[u8]) -> Vec<u8> {
    let signature: Signature = key.sign(message);
    signature.to_der().as_bytes().to_vec()
}

/// A DER ECDSA signature of an already computed SHA-256 digest (CertificateVerify signs
/// the running transcript hash).
pub fn sign_digest(key: &SigningKey, digest: &[u8; 32]) -> Result<Vec<u8>, Error> {
    let signature: Signature = key
        .sign_prehash(digest)
        .map_err(|_| Error::InvalidState("ECDSA signing failed"))?;
    Ok(signature.to_der().as_bytes().to_vec())
}

/// Whether `der` is a valid ECDSA-SHA256 signature of `message` by `key`.
pub fn verify(key: &p256::PublicKey, message: &[u8], der: &[u8]) -> bool {
    Signature::from_der(der).is_ok_and(|s| VerifyingKey::from(key).verify(message, &s).is_ok())
}

/// Whether `der` is a valid ECDSA signature of the `digest` by `key`: SHA-256, or a
/// longer hash cut to its leftmost 256 bits (FIPS 186-5 §6.4.2), as TLS 1.2 signs with
/// SHA-384 on P-256 (RFC 5246 §7.4.1.4.1 leaves the curve free).
pub fn verify_digest(key: &p256::PublicKey, digest: &[u8], der: &[u8]) -> bool {
    Signature::from_der(der)
        .is_ok_and(|s| VerifyingKey::from(key).verify_prehash(digest, &s).is_ok())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::crypto::ecdhe::p256_secret;
    use crate::rng::SeededRandom;
    use sha2::{Digest, Sha256};

    #[test]
    fn points_round_trip_and_signatures_verify() {
        let mut rng = SeededRandom::new(3);
        let a = p256_secret(&mut rng).unwrap();
        let b = p256_secret(&mut rng).unwrap();
        let a_pub = decode_point(&encode_point(&a.public_key())).unwrap();
        let b_pub = decode_point(&encode_point(&b.public_key())).unwrap();
        assert_eq!(a_pub, a.public_key());
        assert_eq!(encode_point(&a_pub).len(), 65);

        let signer = SigningKey::from(&a);
        let sig = sign(&signer, b"params");
        assert!(verify(&a_pub, b"params", &sig));
        assert!(!verify(&a_pub, b"other", &sig));
        assert!(!verify(&b_pub, b"params", &sig));
        let digest: [u8; 32] = Sha256::digest(b"transcript").into();
        let sig = sign_digest(&signer, &digest).unwrap();
        assert!(verify_digest(&a_pub, &digest, &sig));
        // Signing a digest equals signing the message it digests.
        assert!(verify(&a_pub, b"transcript", &sig));
        assert!(decode_point(&[4; 65]).is_err());
        assert!(decode_point(&[]).is_err());
    }

    /// ring and RustCrypto accept each other's signatures.
    #[cfg(feature = "ring")]
    #[test]
    fn ring_and_rustcrypto_interoperate() {
        let pem = std::fs::read("tests/fixtures/server.key.pem").unwrap();
        let key = PrivateKey::load(&pem).unwrap();
        let public = key.public_key();
        for signer in CryptoProvider::ALL {
            let signature = sign_with(*signer, &key, b"params").unwrap();
            for checker in CryptoProvider::ALL {
                assert!(verify_with(*checker, &public, b"params", &signature));
                assert!(!verify_with(*checker, &public, b"other", &signature));
            }
        }
        // A corrupted signature is refused by both.
        let mut signature = sign_with(CryptoProvider::Ring, &key, b"params").unwrap();
        if let Some(last) = signature.last_mut() {
            *last ^= 1;
        }
        for checker in CryptoProvider::ALL {
            assert!(!verify_with(*checker, &public, b"params", &signature));
        }
    }
}

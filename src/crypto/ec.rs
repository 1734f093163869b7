//! P-256 operations of the ECDHE-ECDSA suites: ephemeral ECDH keys (RFC 8422 §5.10)
//! and ECDSA signatures with SHA-256 (deterministic, RFC 6979).

use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::sec1::ToSec1Point;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::rng::Random;

/// A fresh ephemeral key from `rng`. A random 32-byte string is a valid scalar except
/// with probability about 2^-32, so a few tries always suffice.
pub fn ephemeral_key(rng: &mut dyn Random) -> Result<p256::SecretKey, Error> {
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

/// The ECDH premaster secret: the x-coordinate of the shared point (RFC 8422 §5.10).
pub fn premaster_secret(ours: &p256::SecretKey, theirs: &p256::PublicKey) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(ours.diffie_hellman(theirs).raw_secret_bytes().to_vec())
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

/// Whether `der` is a valid ECDSA signature of the SHA-256 `digest` by `key`.
pub fn verify_digest(key: &p256::PublicKey, digest: &[u8; 32], der: &[u8]) -> bool {
    Signature::from_der(der)
        .is_ok_and(|s| VerifyingKey::from(key).verify_prehash(digest, &s).is_ok())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rng::SeededRandom;
    use sha2::{Digest, Sha256};

    #[test]
    fn ecdh_agrees_and_signatures_verify() {
        let mut rng = SeededRandom::new(3);
        let a = ephemeral_key(&mut rng).unwrap();
        let b = ephemeral_key(&mut rng).unwrap();
        let a_pub = decode_point(&encode_point(&a.public_key())).unwrap();
        let b_pub = decode_point(&encode_point(&b.public_key())).unwrap();
        assert_eq!(*premaster_secret(&a, &b_pub), *premaster_secret(&b, &a_pub));
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
}

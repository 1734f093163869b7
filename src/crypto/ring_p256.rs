//! ring's P-256, behind [`CryptoProvider::Ring`](super::CryptoProvider::Ring): ephemeral
//! ECDH keys and ECDSA-SHA256 over whole messages. Keys cross over as SEC1 bytes; the
//! peer's points have already been checked by `p256` when they were decoded.

use ring::agreement::{self, ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair,
    UnparsedPublicKey as SignaturePublicKey,
};
use zeroize::Zeroizing;

use super::ec::encode_point;
use crate::error::Error;

/// A fresh ephemeral key from the operating system's randomness.
pub fn ephemeral_key() -> Result<EphemeralPrivateKey, Error> {
    EphemeralPrivateKey::generate(&ECDH_P256, &SystemRandom::new())
        .map_err(|_| Error::InvalidState("ring could not generate an ephemeral P-256 key"))
}

/// The uncompressed SEC1 encoding of `key`'s public point.
pub fn public_point(key: &EphemeralPrivateKey) -> Result<Vec<u8>, Error> {
    key.compute_public_key()
        .map(|public| public.as_ref().to_vec())
        .map_err(|_| Error::InvalidState("ring could not compute the ECDH public key"))
}

/// The ECDH premaster secret with the peer's point (its x-coordinate, RFC 8422 §5.10).
pub fn premaster_secret(
    ours: EphemeralPrivateKey,
    theirs: &p256::PublicKey,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let peer = UnparsedPublicKey::new(&ECDH_P256, encode_point(theirs));
    agreement::agree_ephemeral(ours, &peer, |shared| Zeroizing::new(shared.to_vec()))
        .map_err(|_| Error::UnsupportedCurve)
}

/// ring's form of a signing key: built once per [`PrivateKey`](crate::x509::PrivateKey),
/// as building it checks the public key against the private one.
pub fn signing_pair(key: &p256::ecdsa::SigningKey) -> Option<EcdsaKeyPair> {
    let public = encode_point(&p256::PublicKey::from(key.verifying_key()));
    let private = Zeroizing::new(key.to_bytes());
    EcdsaKeyPair::from_private_key_and_public_key(
        &ECDSA_P256_SHA256_ASN1_SIGNING,
        private.as_slice(),
        &public,
        &SystemRandom::new(),
    )
    .ok()
}

/// A DER ECDSA-SHA256 signature of `message`.
pub fn sign(pair: &EcdsaKeyPair, message: &[u8]) -> Result<Vec<u8>, Error> {
    pair.sign(&SystemRandom::new(), message)
        .map(|signature| signature.as_ref().to_vec())
        .map_err(|_| Error::InvalidState("ring could not sign"))
}

/// Whether `der` is a valid ECDSA-SHA256 signature of `message` by `key`.
pub fn verify(key: &p256::PublicKey, message: &[u8], der: &[u8]) -> bool {
    SignaturePublicKey::new(&ECDSA_P256_SHA256_ASN1, encode_point(key))
        .verify(message, der)
        .is_ok()
}

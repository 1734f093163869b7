//! ring's elliptic curves, behind [`CryptoProvider::Ring`](super::CryptoProvider::Ring):
//! ephemeral ECDHE keys on X25519 or P-256 and P-256 ECDSA-SHA256 over whole messages.
//! Keys cross over as their wire bytes; the peer's shares have already been checked
//! for their group when they were decoded.

use ring::agreement::{self, ECDH_P256, EphemeralPrivateKey, UnparsedPublicKey, X25519};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair,
    UnparsedPublicKey as SignaturePublicKey,
};
use zeroize::Zeroizing;

use super::ec::encode_point;
use super::ecdhe::PeerShare;
use crate::error::Error;
use crate::group::NamedGroup;

/// ring's algorithm for `group`.
fn algorithm(group: NamedGroup) -> &'static agreement::Algorithm {
    match group {
        NamedGroup::X25519 => &X25519,
        NamedGroup::Secp256r1 => &ECDH_P256,
    }
}

/// A fresh ephemeral key on `group` from the operating system's randomness.
pub fn ephemeral_key(group: NamedGroup) -> Result<EphemeralPrivateKey, Error> {
    EphemeralPrivateKey::generate(algorithm(group), &SystemRandom::new())
        .map_err(|_| Error::InvalidState("ring could not generate an ephemeral ECDHE key"))
}

/// `key`'s public key as ECDHE messages carry it (an uncompressed SEC1 point, or an
/// X25519 u-coordinate).
pub fn public_key(key: &EphemeralPrivateKey) -> Result<Vec<u8>, Error> {
    key.compute_public_key()
        .map(|public| public.as_ref().to_vec())
        .map_err(|_| Error::InvalidState("ring could not compute the ECDH public key"))
}

/// The ECDHE premaster secret with the peer's share (RFC 8422 §5.10, §5.11). ring
/// refuses an all-zero X25519 result itself.
pub fn premaster_secret(
    ours: EphemeralPrivateKey,
    theirs: &PeerShare,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let peer = UnparsedPublicKey::new(algorithm(theirs.group()), theirs.encode());
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

//! The signature schemes wasm-dtls verifies (TLS 1.2 SignatureAndHashAlgorithm values,
//! named as in RFC 8446 §4.2.3): ECDSA P-256 with SHA-256, and RSA with PKCS#1 v1.5 or
//! PSS (RFC 8017) with SHA-256, SHA-384 or SHA-512. RSA is RustCrypto's `rsa` with every
//! provider (cargo feature `rsa`, default); ECDSA goes to the configured
//! [`CryptoProvider`].

#[cfg(feature = "rsa")]
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::{CryptoProvider, ec};
use crate::x509::{KeyKind, PublicKey};

/// A signature algorithm and its hash, as signature_algorithms lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureScheme {
    /// ecdsa_secp256r1_sha256 (0x0403).
    EcdsaSecp256r1Sha256,
    /// rsa_pss_rsae_sha256 (0x0804): PSS with a salt as long as the hash, an
    /// rsaEncryption key (RFC 8446 §4.2.3; usable in TLS 1.2 by the same section).
    RsaPssRsaeSha256,
    /// rsa_pss_rsae_sha384 (0x0805).
    RsaPssRsaeSha384,
    /// rsa_pss_rsae_sha512 (0x0806).
    RsaPssRsaeSha512,
    /// rsa_pkcs1_sha256 (0x0401).
    RsaPkcs1Sha256,
    /// rsa_pkcs1_sha384 (0x0501).
    RsaPkcs1Sha384,
    /// rsa_pkcs1_sha512 (0x0601).
    RsaPkcs1Sha512,
}

impl SignatureScheme {
    /// Every scheme, in the order a client offers them: ECDSA, then RSA-PSS before
    /// PKCS#1 v1.5 (as OpenSSL, GnuTLS and Go order them), shorter hashes first.
    pub const ALL: [SignatureScheme; 7] = [
        SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureScheme::RsaPssRsaeSha256,
        SignatureScheme::RsaPssRsaeSha384,
        SignatureScheme::RsaPssRsaeSha512,
        SignatureScheme::RsaPkcs1Sha256,
        SignatureScheme::RsaPkcs1Sha384,
        SignatureScheme::RsaPkcs1Sha512,
    ];

    /// The schemes whose hash is SHA-256, the only ones that can sign a handshake
    /// transcript here (CertificateVerify): the transcript is hashed with the suite's
    /// PRF hash, SHA-256, alone.
    pub const TRANSCRIPT: [SignatureScheme; 3] = [
        SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureScheme::RsaPssRsaeSha256,
        SignatureScheme::RsaPkcs1Sha256,
    ];

    /// The code point.
    pub const fn id(self) -> u16 {
        match self {
            SignatureScheme::EcdsaSecp256r1Sha256 => 0x0403,
            SignatureScheme::RsaPssRsaeSha256 => 0x0804,
            SignatureScheme::RsaPssRsaeSha384 => 0x0805,
            SignatureScheme::RsaPssRsaeSha512 => 0x0806,
            SignatureScheme::RsaPkcs1Sha256 => 0x0401,
            SignatureScheme::RsaPkcs1Sha384 => 0x0501,
            SignatureScheme::RsaPkcs1Sha512 => 0x0601,
        }
    }

    /// The name RFC 8446 §4.2.3 gives it, e.g. `rsa_pss_rsae_sha256`.
    pub const fn name(self) -> &'static str {
        match self {
            SignatureScheme::EcdsaSecp256r1Sha256 => "ecdsa_secp256r1_sha256",
            SignatureScheme::RsaPssRsaeSha256 => "rsa_pss_rsae_sha256",
            SignatureScheme::RsaPssRsaeSha384 => "rsa_pss_rsae_sha384",
            SignatureScheme::RsaPssRsaeSha512 => "rsa_pss_rsae_sha512",
            SignatureScheme::RsaPkcs1Sha256 => "rsa_pkcs1_sha256",
            SignatureScheme::RsaPkcs1Sha384 => "rsa_pkcs1_sha384",
            SignatureScheme::RsaPkcs1Sha512 => "rsa_pkcs1_sha512",
        }
    }

    /// The scheme with this code point, if we verify it.
    pub fn from_id(id: u16) -> Option<SignatureScheme> {
        SignatureScheme::ALL.into_iter().find(|s| s.id() == id)
    }

    /// Whether this build verifies it (RSA schemes need the cargo feature `rsa`): only
    /// those are offered to a peer.
    pub const fn verifiable(self) -> bool {
        matches!(self.key_kind(), KeyKind::EcdsaP256) || cfg!(feature = "rsa")
    }

    /// The code points of those of `schemes` this build verifies, in their order: what
    /// signature_algorithms and a CertificateRequest list.
    pub fn verifiable_ids(schemes: &[SignatureScheme]) -> Vec<u16> {
        schemes
            .iter()
            .filter(|s| s.verifiable())
            .map(|s| s.id())
            .collect()
    }

    /// The kind of key that signs with it.
    pub const fn key_kind(self) -> KeyKind {
        match self {
            SignatureScheme::EcdsaSecp256r1Sha256 => KeyKind::EcdsaP256,
            _ => KeyKind::Rsa,
        }
    }

    /// Whether `signature` is this scheme's signature of `message` by `key`.
    pub fn verify(
        self,
        provider: CryptoProvider,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        match (self, key) {
            (SignatureScheme::EcdsaSecp256r1Sha256, PublicKey::P256(key)) => {
                ec::verify_with(provider, key, message, signature)
            }
            (_, PublicKey::P256(_)) => false,
            #[cfg(feature = "rsa")]
            (SignatureScheme::EcdsaSecp256r1Sha256, PublicKey::Rsa(_)) => false,
            #[cfg(feature = "rsa")]
            (_, PublicKey::Rsa(key)) => {
                let prehashed = match self {
                    SignatureScheme::RsaPssRsaeSha384 | SignatureScheme::RsaPkcs1Sha384 => {
                        Sha384::digest(message).to_vec()
                    }
                    SignatureScheme::RsaPssRsaeSha512 | SignatureScheme::RsaPkcs1Sha512 => {
                        Sha512::digest(message).to_vec()
                    }
                    _ => Sha256::digest(message).to_vec(),
                };
                rsa_verify_prehash(self, key, &prehashed, signature)
            }
        }
    }

    /// Whether `signature` is this scheme's signature of the SHA-256 `digest` by `key`
    /// (a CertificateVerify over the transcript); false for a scheme outside
    /// [`SignatureScheme::TRANSCRIPT`].
    pub fn verify_sha256_digest(
        self,
        key: &PublicKey,
        digest: &[u8; 32],
        signature: &[u8],
    ) -> bool {
        match (self, key) {
            (SignatureScheme::EcdsaSecp256r1Sha256, PublicKey::P256(key)) => {
                ec::verify_digest(key, digest, signature)
            }
            #[cfg(feature = "rsa")]
            (
                SignatureScheme::RsaPssRsaeSha256 | SignatureScheme::RsaPkcs1Sha256,
                PublicKey::Rsa(key),
            ) => rsa_verify_prehash(self, key, digest, signature),
            _ => false,
        }
    }
}

/// Checks an RSA signature of an already hashed message (its hash the scheme's).
#[cfg(feature = "rsa")]
fn rsa_verify_prehash(
    scheme: SignatureScheme,
    key: &rsa::PublicKey,
    hash: &[u8],
    signature: &[u8],
) -> bool {
    match scheme {
        SignatureScheme::RsaPssRsaeSha256 => key.pss_verify_prehash::<Sha256>(hash, signature),
        SignatureScheme::RsaPssRsaeSha384 => key.pss_verify_prehash::<Sha384>(hash, signature),
        SignatureScheme::RsaPssRsaeSha512 => key.pss_verify_prehash::<Sha512>(hash, signature),
        SignatureScheme::RsaPkcs1Sha256 => key.pkcs1v15_verify_prehash::<Sha256>(hash, signature),
        SignatureScheme::RsaPkcs1Sha384 => key.pkcs1v15_verify_prehash::<Sha384>(hash, signature),
        SignatureScheme::RsaPkcs1Sha512 => key.pkcs1v15_verify_prehash::<Sha512>(hash, signature),
        SignatureScheme::EcdsaSecp256r1Sha256 => return false,
    }
    .is_ok()
}

#[cfg(all(test, feature = "rsa"))]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::x509::Certificate;

    /// rsa-server's rsa_pss_rsae_sha256 signature of 134 bytes of 0x07 (made by
    /// `openssl dgst` in tests/fixtures/generate.sh).
    const SIGNATURE: &[u8] = include_bytes!("../../tests/fixtures/rsa-server.pss-sha256.sig");
    const SIGNED: [u8; 134] = [7; 134];

    fn key(pem: &[u8]) -> PublicKey {
        Certificate::load(pem).unwrap()[0].public_key().unwrap()
    }

    #[test]
    fn an_openssl_pss_signature_verifies_as_a_message_and_as_a_digest() {
        let rsa = key(include_bytes!("../../tests/fixtures/rsa-server.crt.pem"));
        let p256 = key(include_bytes!("../../tests/fixtures/server.crt.pem"));
        let provider = CryptoProvider::RustCrypto;
        for scheme in SignatureScheme::ALL {
            let expected = scheme == SignatureScheme::RsaPssRsaeSha256;
            assert_eq!(scheme.verify(provider, &rsa, &SIGNED, SIGNATURE), expected);
            assert!(!scheme.verify(provider, &p256, &SIGNED, SIGNATURE));
        }
        let digest: [u8; 32] = Sha256::digest(SIGNED).into();
        for scheme in SignatureScheme::TRANSCRIPT {
            let expected = scheme == SignatureScheme::RsaPssRsaeSha256;
            assert_eq!(
                scheme.verify_sha256_digest(&rsa, &digest, SIGNATURE),
                expected
            );
        }
        // Only the SHA-256 schemes take a SHA-256 digest.
        let sha384 = SignatureScheme::RsaPssRsaeSha384;
        assert!(!sha384.verify_sha256_digest(&rsa, &digest, SIGNATURE));
        let mut flipped = SIGNATURE.to_vec();
        flipped[100] ^= 1;
        let pss = SignatureScheme::RsaPssRsaeSha256;
        assert!(!pss.verify(provider, &rsa, &SIGNED, &flipped));
        assert!(!pss.verify(provider, &rsa, &SIGNED, &SIGNATURE[1..]));
    }

    #[test]
    fn ids_round_trip_and_transcript_schemes_hash_with_sha256() {
        for scheme in SignatureScheme::ALL {
            assert_eq!(SignatureScheme::from_id(scheme.id()), Some(scheme));
        }
        assert_eq!(SignatureScheme::from_id(0x0203), None, "SHA-1 is not taken");
        assert!(
            SignatureScheme::TRANSCRIPT
                .iter()
                .all(|s| s.name().ends_with("sha256"))
        );
    }
}

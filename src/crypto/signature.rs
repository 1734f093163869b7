//! The signature schemes wasm-dtls verifies (TLS 1.2 SignatureAndHashAlgorithm values,
//! named as in RFC 8446 §4.2.3): ECDSA P-256 with SHA-256 or SHA-384, and RSA with
//! PKCS#1 v1.5 or PSS (RFC 8017) with SHA-256, SHA-384 or SHA-512. RSA is RustCrypto's
//! `rsa` with every provider (cargo feature `rsa`, default); ECDSA with SHA-256 goes to
//! the configured [`CryptoProvider`], with SHA-384 to RustCrypto.

use sha2::{Digest, Sha384};
#[cfg(feature = "rsa")]
use sha2::{Sha256, Sha512};

use super::{CryptoProvider, ec};
use crate::suite::PrfHash;
use crate::x509::{KeyKind, PublicKey};

/// A signature algorithm and its hash, as signature_algorithms lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureScheme {
    /// ecdsa_secp256r1_sha256 (0x0403).
    EcdsaSecp256r1Sha256,
    /// ecdsa_secp384r1_sha384 (0x0503), which TLS 1.2 reads as ECDSA with SHA-384 on
    /// any curve (RFC 5246 §7.4.1.4.1): here with P-256 keys. Mbed TLS 2 clients sign
    /// their CertificateVerify with it whenever the suite's PRF hash is SHA-384.
    EcdsaSha384,
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
    pub const ALL: [SignatureScheme; 8] = [
        SignatureScheme::EcdsaSecp256r1Sha256,
        SignatureScheme::EcdsaSha384,
        SignatureScheme::RsaPssRsaeSha256,
        SignatureScheme::RsaPssRsaeSha384,
        SignatureScheme::RsaPssRsaeSha512,
        SignatureScheme::RsaPkcs1Sha256,
        SignatureScheme::RsaPkcs1Sha384,
        SignatureScheme::RsaPkcs1Sha512,
    ];

    /// The schemes that can sign a handshake transcript (CertificateVerify) in a suite
    /// with this PRF hash, in the order of [`SignatureScheme::ALL`]: those whose hash the
    /// transcript keeps — SHA-256 always, and SHA-384 too in the `_SHA384` suites (see
    /// `Transcript`).
    pub fn transcript(prf: PrfHash) -> Vec<SignatureScheme> {
        SignatureScheme::ALL
            .into_iter()
            .filter(|s| match s.transcript_hash() {
                Some(PrfHash::Sha256) => true,
                Some(PrfHash::Sha384) => prf == PrfHash::Sha384,
                None => false,
            })
            .collect()
    }

    /// The hash the scheme signs with, if a transcript can be hashed with it (SHA-256,
    /// SHA-384); `None` for SHA-512.
    pub const fn transcript_hash(self) -> Option<PrfHash> {
        match self {
            SignatureScheme::EcdsaSecp256r1Sha256
            | SignatureScheme::RsaPssRsaeSha256
            | SignatureScheme::RsaPkcs1Sha256 => Some(PrfHash::Sha256),
            SignatureScheme::EcdsaSha384
            | SignatureScheme::RsaPssRsaeSha384
            | SignatureScheme::RsaPkcs1Sha384 => Some(PrfHash::Sha384),
            SignatureScheme::RsaPssRsaeSha512 | SignatureScheme::RsaPkcs1Sha512 => None,
        }
    }

    /// The code point.
    pub const fn id(self) -> u16 {
        match self {
            SignatureScheme::EcdsaSecp256r1Sha256 => 0x0403,
            SignatureScheme::EcdsaSha384 => 0x0503,
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
            SignatureScheme::EcdsaSha384 => "ecdsa_secp384r1_sha384",
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
            SignatureScheme::EcdsaSecp256r1Sha256 | SignatureScheme::EcdsaSha384 => {
                KeyKind::EcdsaP256
            }
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
            (SignatureScheme::EcdsaSha384, PublicKey::P256(key)) => {
                ec::verify_digest(key, &Sha384::digest(message), signature)
            }
            (_, PublicKey::P256(_)) => false,
            #[cfg(feature = "rsa")]
            (
                SignatureScheme::EcdsaSecp256r1Sha256 | SignatureScheme::EcdsaSha384,
                PublicKey::Rsa(_),
            ) => false,
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

    /// Whether `signature` is this scheme's signature of `digest` by `key` (a
    /// CertificateVerify over the transcript, hashed with
    /// [`SignatureScheme::transcript_hash`]); false for a digest of another length.
    pub fn verify_digest(self, key: &PublicKey, digest: &[u8], signature: &[u8]) -> bool {
        let Some(hash) = self.transcript_hash() else {
            return false;
        };
        if digest.len() != hash.output_len() {
            return false;
        }
        match (self.key_kind(), key) {
            (KeyKind::EcdsaP256, PublicKey::P256(key)) => ec::verify_digest(key, digest, signature),
            #[cfg(feature = "rsa")]
            (KeyKind::Rsa, PublicKey::Rsa(key)) => rsa_verify_prehash(self, key, digest, signature),
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
        SignatureScheme::EcdsaSecp256r1Sha256 | SignatureScheme::EcdsaSha384 => return false,
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
        for scheme in SignatureScheme::transcript(PrfHash::Sha384) {
            let expected = scheme == SignatureScheme::RsaPssRsaeSha256;
            assert_eq!(scheme.verify_digest(&rsa, &digest, SIGNATURE), expected);
        }
        // Only the SHA-256 schemes take a SHA-256 digest.
        let sha384 = SignatureScheme::RsaPssRsaeSha384;
        assert!(!sha384.verify_digest(&rsa, &digest, SIGNATURE));
        let mut flipped = SIGNATURE.to_vec();
        flipped[100] ^= 1;
        let pss = SignatureScheme::RsaPssRsaeSha256;
        assert!(!pss.verify(provider, &rsa, &SIGNED, &flipped));
        assert!(!pss.verify(provider, &rsa, &SIGNED, &SIGNATURE[1..]));
    }

    #[test]
    fn ids_round_trip_and_transcript_schemes_hash_with_what_the_transcript_keeps() {
        for scheme in SignatureScheme::ALL {
            assert_eq!(SignatureScheme::from_id(scheme.id()), Some(scheme));
        }
        assert_eq!(SignatureScheme::from_id(0x0203), None, "SHA-1 is not taken");
        let sha256 = SignatureScheme::transcript(PrfHash::Sha256);
        assert!(sha256.iter().all(|s| s.name().ends_with("sha256")));
        assert_eq!(sha256.len(), 3);
        let sha384 = SignatureScheme::transcript(PrfHash::Sha384);
        assert!(sha256.iter().all(|s| sha384.contains(s)));
        assert!(
            sha384
                .iter()
                .all(|s| s.name().ends_with("sha256") || s.name().ends_with("sha384"))
        );
        assert_eq!(sha384.len(), 6);
    }

    /// TLS 1.2's ECDSA with SHA-384 on a P-256 key, as Mbed TLS 2 signs its
    /// CertificateVerify in the `_SHA384` suites: the digest is cut to 256 bits.
    #[test]
    fn ecdsa_with_sha384_verifies_p256_signatures_of_sha384_digests() {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let pem = include_str!("../../tests/fixtures/server.key.pem");
        let signing = crate::x509::PrivateKey::load(pem.as_bytes()).unwrap();
        let p256 = key(include_bytes!("../../tests/fixtures/server.crt.pem"));
        let digest: [u8; 48] = Sha384::digest(SIGNED).into();
        let signature: p256::ecdsa::Signature =
            signing.signing_key().sign_prehash(&digest).unwrap();
        let der = signature.to_der().as_bytes().to_vec();
        let scheme = SignatureScheme::EcdsaSha384;
        assert!(scheme.verify_digest(&p256, &digest, &der));
        assert!(scheme.verify(CryptoProvider::RustCrypto, &p256, &SIGNED, &der));
        assert!(
            !scheme.verify_digest(&p256, &digest[..32], &der),
            "a SHA-256-long digest"
        );
        let sha256 = SignatureScheme::EcdsaSecp256r1Sha256;
        assert!(!sha256.verify_digest(&p256, &digest, &der));
        let mut other = digest;
        other[47] ^= 1;
        // Past the leftmost 256 bits: P-256 does not see it (FIPS 186-5 §6.4.2).
        assert!(scheme.verify_digest(&p256, &other, &der));
        other[0] ^= 1;
        assert!(!scheme.verify_digest(&p256, &other, &der));
    }
}

//! X.509 certificates, their P-256 or RSA public keys and our EC private keys (x509-cert,
//! p256 and rsa do the ASN.1), chain verification, and the NetX certificate stores.

mod pem;
mod problem;
mod public_key;
mod store;
mod verify;

pub use problem::CertificateProblem;
pub use public_key::{KeyKind, KeyRefused, MAX_RSA_BITS, MIN_RSA_BITS, PublicKey};
pub use store::{CertificateStore, LocalIdentity};
pub use verify::{Purpose, VerifyOptions, verify_chain};

use p256::pkcs8::DecodePrivateKey;
use x509_cert::der::{Decode, Header, Reader, SliceReader};

use crate::error::Error;

const NOT_X509: &str = "not a well-formed X.509 certificate (PEM or DER)";

/// One X.509 certificate: its DER bytes and their parsed form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    parsed: x509_cert::Certificate,
}

impl Certificate {
    /// Parses one DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Certificate, Error> {
        let parsed = x509_cert::Certificate::from_der(der)
            .map_err(|_| Error::UnreadableCertificate(NOT_X509))?;
        Ok(Certificate {
            der: der.to_vec(),
            parsed,
        })
    }

    /// Parses every certificate of a PEM file, in order (a chain). Text around the
    /// blocks and blocks of other kinds (a key in the same file) are skipped.
    pub fn chain_from_pem(pem: &[u8]) -> Result<Vec<Certificate>, Error> {
        let blocks = pem::blocks(pem).ok_or(Error::UnreadableCertificate(NOT_X509))?;
        let chain = blocks
            .iter()
            .filter(|block| block.label == "CERTIFICATE")
            .map(|block| Certificate::from_der(&block.der))
            .collect::<Result<Vec<_>, _>>()?;
        if chain.is_empty() {
            // Most often a key file given where the certificate was meant.
            let key = blocks.iter().any(|b| b.label.ends_with("PRIVATE KEY"));
            return Err(Error::UnreadableCertificate(if key {
                "a private key, where a certificate was expected"
            } else {
                "PEM without a CERTIFICATE block"
            }));
        }
        Ok(chain)
    }

    /// Loads a PEM file (one or more certificates) or one DER certificate.
    pub fn load(bytes: &[u8]) -> Result<Vec<Certificate>, Error> {
        if pem::is_pem(bytes) {
            Certificate::chain_from_pem(bytes)
        } else {
            Ok(vec![Certificate::from_der(bytes)?])
        }
    }

    /// The DER encoding, as sent in a Certificate message.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The tbsCertificate exactly as received, the bytes its issuer signed (RFC 5280
    /// §4.1.1.3). Re-encoding the parsed form instead would cost an allocation per
    /// check and would only match them if the encoder agreed with the signer's.
    pub(crate) fn signed_part(&self) -> Option<&[u8]> {
        let mut reader = SliceReader::new(&self.der).ok()?;
        Header::decode(&mut reader).ok()?;
        reader.tlv_bytes().ok()
    }

    /// The subject's common name, if it has one.
    pub fn common_name(&self) -> Option<String> {
        let cn = self
            .parsed
            .tbs_certificate()
            .subject()
            .common_name()
            .ok()??;
        Some(cn.value().into_owned())
    }

    /// The subject's public key (P-256 or RSA), or why it is not taken.
    pub fn public_key(&self) -> Result<PublicKey, KeyRefused> {
        PublicKey::from_spki(self.parsed.tbs_certificate().subject_public_key_info())
    }
}

/// The certificate blocks of a PEM bundle, each as a PEM text of its own, in order
/// (what a host needs to add a bundle one certificate per id); `None` if a block is cut
/// short. Text and blocks of other kinds are left out.
pub fn certificate_pems(bundle: &[u8]) -> Option<Vec<&[u8]>> {
    let blocks = pem::encoded_blocks(bundle)?;
    Some(
        blocks
            .into_iter()
            .filter(|(label, _)| *label == b"CERTIFICATE")
            .map(|(_, text)| text)
            .collect(),
    )
}

/// An ECDSA P-256 private key; wiped from memory when dropped (p256 zeroizes it).
///
/// Held as a signing key, which carries its public key: deriving that costs a
/// scalar multiplication, as much as an ephemeral key, and rebuilding it for every
/// ServerKeyExchange was most of the engine's own work in an ECDSA handshake.
#[derive(Clone)]
pub struct PrivateKey {
    signing: p256::ecdsa::SigningKey,
    /// ring's form of the same key, for `CryptoProvider::Ring` (None only if ring
    /// refused it; signing then falls back to RustCrypto).
    #[cfg(feature = "ring")]
    ring: Option<std::sync::Arc<ring::signature::EcdsaKeyPair>>,
}

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PrivateKey(P-256, ..)")
    }
}

impl PrivateKey {
    /// Loads a PKCS#8 or SEC1 key, PEM or DER. In PEM, the first key block counts and
    /// anything else (OpenSSL's `EC PARAMETERS` block, certificates, text) is skipped.
    pub fn load(bytes: &[u8]) -> Result<PrivateKey, Error> {
        let bad = Error::InvalidParameters(
            "the private key is not a P-256 key in PKCS#8 or SEC1 form (PEM or DER)",
        );
        let encrypted = Error::InvalidParameters(
            "the private key is encrypted: decrypt it first \
             (openssl pkey -in key.pem -out plain-key.pem)",
        );
        let key = if pem::is_pem(bytes) {
            // OpenSSL's older encrypted form keeps its label and adds headers.
            if pem::is_legacy_encrypted(bytes) {
                return Err(encrypted);
            }
            let blocks = pem::blocks(bytes).ok_or_else(|| bad.clone())?;
            let block = blocks
                .iter()
                .find(|block| block.label.ends_with("PRIVATE KEY"))
                .ok_or_else(|| bad.clone())?;
            match block.label.as_str() {
                "PRIVATE KEY" => p256::SecretKey::from_pkcs8_der(&block.der).ok(),
                "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(&block.der).ok(),
                "ENCRYPTED PRIVATE KEY" => return Err(encrypted),
                _ => None,
            }
            .ok_or(bad)?
        } else {
            p256::SecretKey::from_pkcs8_der(bytes)
                .or_else(|_| p256::SecretKey::from_sec1_der(bytes))
                .map_err(|_| bad)?
        };
        let signing = p256::ecdsa::SigningKey::from(&key);
        Ok(PrivateKey {
            #[cfg(feature = "ring")]
            ring: crate::crypto::ring_provider::signing_pair(&signing).map(std::sync::Arc::new),
            signing,
        })
    }

    /// The matching public key.
    pub fn public_key(&self) -> p256::PublicKey {
        p256::PublicKey::from(self.signing.verifying_key())
    }

    /// The ECDSA signing key.
    pub(crate) fn signing_key(&self) -> &p256::ecdsa::SigningKey {
        &self.signing
    }

    /// ring's form of the key.
    #[cfg(feature = "ring")]
    pub(crate) fn ring_pair(&self) -> Option<&ring::signature::EcdsaKeyPair> {
        self.ring.as_deref()
    }
}

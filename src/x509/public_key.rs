//! The public key of a certificate: ECDSA P-256 (RFC 5480) or RSA (RFC 8017), the two
//! kinds a peer's certificate may have.

use core::fmt;

use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use super::CertificateProblem;

/// id-ecPublicKey (RFC 5480 §2.1.1).
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 (RFC 5480 §2.1.1.1).
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// rsaEncryption (RFC 8017 Appendix C), the usual RSA key of a certificate.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// The smallest RSA modulus taken, in bits: NIST SP 800-131A's floor since 2014, and
/// what OpenSSL's default security level (2) asks.
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus taken, in bits: verifying costs grow with its square, and a
/// peer's certificate must not cost unbounded work (ring's limit too).
pub const MAX_RSA_BITS: usize = 8192;

/// A certificate's subject public key, of a kind wasm-dtls verifies signatures with.
#[derive(Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// An ECDSA key on P-256.
    P256(p256::PublicKey),
    /// An RSA key of [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`] bits (cargo feature `rsa`).
    #[cfg(feature = "rsa")]
    Rsa(Box<rsa::PublicKey>),
}

/// The kind of a [`PublicKey`], for choosing a suite or a signature scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA P-256.
    EcdsaP256,
    /// RSA.
    Rsa,
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo: a P-256 or RSA key, or why it is not usable.
    pub(crate) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<PublicKey, KeyRefused> {
        let bits = spki.subject_public_key.raw_bytes();
        if spki.algorithm.oid == RSA_ENCRYPTION {
            return rsa_key(bits);
        }
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if spki.algorithm.oid != ID_EC_PUBLIC_KEY || curve != Some(SECP256R1) {
            return Err(KeyRefused::Unsupported);
        }
        p256::PublicKey::from_sec1_bytes(bits)
            .map(PublicKey::P256)
            .map_err(|_| KeyRefused::Malformed)
    }

    /// Its kind.
    pub fn kind(&self) -> KeyKind {
        match self {
            PublicKey::P256(_) => KeyKind::EcdsaP256,
            #[cfg(feature = "rsa")]
            PublicKey::Rsa(_) => KeyKind::Rsa,
        }
    }
}

/// An RSA public key (PKCS#1 `RSAPublicKey`) of a size we take.
#[cfg(feature = "rsa")]
fn rsa_key(der: &[u8]) -> Result<PublicKey, KeyRefused> {
    use x509_cert::der::Decode;
    // The size is checked first, to say it when it is what is wrong.
    let parts = rsa::pkcs1::RsaPublicKeyRef::from_der(der).map_err(|_| KeyRefused::Malformed)?;
    let size = modulus_bits(parts.modulus.as_bytes());
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&size) {
        return Err(KeyRefused::RsaSize(size));
    }
    let key = rsa::PublicKey::try_from(parts).map_err(|_| KeyRefused::Malformed)?;
    Ok(PublicKey::Rsa(Box::new(key)))
}

/// Without the cargo feature `rsa`, RSA keys are refused as such.
#[cfg(not(feature = "rsa"))]
fn rsa_key(_der: &[u8]) -> Result<PublicKey, KeyRefused> {
    Err(KeyRefused::RsaNotBuilt)
}

/// The bit length of a big-endian unsigned integer.
#[cfg(feature = "rsa")]
fn modulus_bits(be: &[u8]) -> usize {
    let Some(first) = be.iter().position(|b| *b != 0) else {
        return 0;
    };
    let leading = be.get(first).map_or(0, |b| b.leading_zeros() as usize);
    (be.len() - first) * 8 - leading
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind().to_string())
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::EcdsaP256 => "an ECDSA P-256 key",
            KeyKind::Rsa => "an RSA key",
        })
    }
}

/// Why a certificate's public key is not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRefused {
    /// Neither P-256 nor RSA (another curve, DSA, Ed25519, …).
    Unsupported,
    /// The key's bytes do not decode.
    Malformed,
    /// An RSA key of this many bits, outside [`MIN_RSA_BITS`]..=[`MAX_RSA_BITS`].
    RsaSize(usize),
    /// An RSA key, in a build without the cargo feature `rsa`.
    RsaNotBuilt,
}

impl KeyRefused {
    /// The certificate problem it is.
    pub fn problem(self) -> CertificateProblem {
        match self {
            KeyRefused::Malformed => CertificateProblem::Malformed,
            KeyRefused::Unsupported | KeyRefused::RsaSize(_) | KeyRefused::RsaNotBuilt => {
                CertificateProblem::UnsupportedKey
            }
        }
    }

    /// A sentence for the error, where the problem alone says too little.
    pub fn detail(self) -> Option<String> {
        match self {
            KeyRefused::RsaSize(bits) => Some(format!(
                "its RSA key has {bits} bits; {MIN_RSA_BITS} to {MAX_RSA_BITS} are taken"
            )),
            KeyRefused::RsaNotBuilt => {
                Some("its key is RSA, and this build has no RSA (cargo feature `rsa`)".into())
            }
            KeyRefused::Unsupported | KeyRefused::Malformed => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use crate::x509::Certificate;

    use super::*;

    fn key_of(pem: &[u8]) -> Result<PublicKey, KeyRefused> {
        Certificate::load(pem).unwrap()[0].public_key()
    }

    /// With the cargo feature `rsa` an RSA key is read; without it, refused saying so.
    #[test]
    fn an_rsa_key_is_read_only_in_a_build_with_rsa() {
        let rsa = key_of(include_bytes!("../../tests/fixtures/rsa-server.crt.pem"));
        if cfg!(feature = "rsa") {
            assert_eq!(rsa.map(|k| k.kind()), Ok(KeyKind::Rsa));
        } else {
            let refused = rsa.unwrap_err();
            assert_eq!(refused, KeyRefused::RsaNotBuilt);
            assert!(refused.detail().unwrap().contains("cargo feature `rsa`"));
        }
        let p256 = key_of(include_bytes!("../../tests/fixtures/server.crt.pem"));
        assert_eq!(p256.map(|k| k.kind()), Ok(KeyKind::EcdsaP256));
    }

    #[cfg(feature = "rsa")]
    #[test]
    fn modulus_bits_count_from_the_first_set_bit() {
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x01, 0xff]), 9);
        assert_eq!(modulus_bits(&[0, 0]), 0);
        assert_eq!(modulus_bits(&[]), 0);
    }
}

//! What can be wrong with a certificate, each with its NetX code and alert.

use core::fmt;

use crate::alert::AlertDescription;
use crate::error::Status;

/// One failed certificate check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertificateProblem {
    /// Not a well-formed X.509 certificate (or key).
    Malformed,
    /// Its notAfter is in the past.
    Expired,
    /// Its notBefore is in the future.
    NotYetValid,
    /// It signed another certificate but is not a CA (basicConstraints).
    NotACa,
    /// More CA certificates below it than its pathLenConstraint allows.
    PathTooLong,
    /// keyUsage or extendedKeyUsage do not allow this use.
    WrongUsage,
    /// Its signature does not verify with its issuer's key.
    BadSignature,
    /// Its issuer is neither in the chain nor trusted.
    UntrustedIssuer,
    /// It does not name the host the client asked for (SAN, or CN without SAN).
    WrongHostName,
    /// Its key is of a kind not supported: neither ECDSA P-256 nor RSA of 2 048 to 8 192
    /// bits.
    UnsupportedKey,
    /// It is signed with an algorithm not supported: neither ECDSA P-256 with SHA-256
    /// nor RSA PKCS#1 v1.5 with SHA-256, SHA-384 or SHA-512.
    UnsupportedSignature,
    /// Its key is not of the kind the negotiated suite signs with.
    KeyNotForSuite,
    /// The chain is longer than allowed.
    ChainTooLong,
    /// The peer sent no certificate.
    Empty,
    /// Nothing to verify against: no trusted certificate is configured.
    NoTrustedCertificates,
    /// No wall-clock time was given to check validity periods against.
    NoClock,
}

impl CertificateProblem {
    /// The NetX status code.
    pub fn status(self) -> Status {
        match self {
            CertificateProblem::WrongHostName => Status::InvalidServerCert,
            CertificateProblem::UnsupportedKey => Status::UnsupportedPublicCipher,
            CertificateProblem::UnsupportedSignature => Status::UnsupportedCertSignAlg,
            CertificateProblem::KeyNotForSuite => Status::UnsupportedCertSignType,
            CertificateProblem::BadSignature => Status::CertificateSigCheckFailed,
            CertificateProblem::UntrustedIssuer | CertificateProblem::NoTrustedCertificates => {
                Status::IssuerCertificateNotFound
            }
            CertificateProblem::Empty => Status::EmptyRemoteCertificateReceived,
            CertificateProblem::NoClock => Status::InvalidParameters,
            CertificateProblem::Malformed
            | CertificateProblem::Expired
            | CertificateProblem::NotYetValid
            | CertificateProblem::NotACa
            | CertificateProblem::PathTooLong
            | CertificateProblem::WrongUsage
            | CertificateProblem::ChainTooLong => Status::InvalidCertificate,
        }
    }

    /// The alert that tells the peer (RFC 5246 §7.2.2).
    pub fn alert(self) -> AlertDescription {
        match self {
            CertificateProblem::Expired | CertificateProblem::NotYetValid => {
                AlertDescription::CERTIFICATE_EXPIRED
            }
            CertificateProblem::UntrustedIssuer | CertificateProblem::NoTrustedCertificates => {
                AlertDescription::UNKNOWN_CA
            }
            CertificateProblem::UnsupportedKey
            | CertificateProblem::UnsupportedSignature
            | CertificateProblem::KeyNotForSuite => AlertDescription::UNSUPPORTED_CERTIFICATE,
            CertificateProblem::Empty => AlertDescription::HANDSHAKE_FAILURE,
            CertificateProblem::NoClock => AlertDescription::INTERNAL_ERROR,
            _ => AlertDescription::BAD_CERTIFICATE,
        }
    }
}

impl fmt::Display for CertificateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertificateProblem::Malformed => "is not a well-formed X.509 certificate",
            CertificateProblem::Expired => "has expired",
            CertificateProblem::NotYetValid => "is not valid yet",
            CertificateProblem::NotACa => "signed another certificate but is not a CA",
            CertificateProblem::PathTooLong => {
                "has more CA certificates below it than its path length allows"
            }
            CertificateProblem::WrongUsage => "does not allow this use (key usage)",
            CertificateProblem::BadSignature => "has a signature that does not verify",
            CertificateProblem::UntrustedIssuer => {
                "was issued by a certificate that is neither in the chain nor trusted"
            }
            CertificateProblem::WrongHostName => "does not name the requested host",
            CertificateProblem::UnsupportedKey => {
                "has a key not supported (ECDSA P-256, or RSA of 2048 to 8192 bits)"
            }
            CertificateProblem::UnsupportedSignature => {
                "is signed with an algorithm not supported (ECDSA P-256 with SHA-256, or RSA \
                 PKCS#1 v1.5 with SHA-256, SHA-384 or SHA-512)"
            }
            CertificateProblem::KeyNotForSuite => {
                "has a key of another kind than the negotiated cipher suite signs with"
            }
            CertificateProblem::ChainTooLong => "is beyond the allowed chain length",
            CertificateProblem::Empty => "is missing: the peer sent no certificate",
            CertificateProblem::NoTrustedCertificates => {
                "cannot be verified: no trusted certificate is configured"
            }
            CertificateProblem::NoClock => {
                "cannot be checked: no wall-clock time was given (Config::set_unix_time)"
            }
        })
    }
}

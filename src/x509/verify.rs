//! Chain verification (RFC 5280, the parts DTLS peers need): signatures, validity,
//! basicConstraints with path length, key usage, and the host name (RFC 6125).

use core::net::IpAddr;
use core::time::Duration;

use x509_cert::der::DateTime;
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};

use super::{Certificate, CertificateProblem, KeyRefused, PublicKey};
use crate::crypto::{CryptoProvider, SignatureScheme};
use crate::error::Error;

/// The certificate signature algorithms we check (RFC 5758 §3.2, RFC 8017 Appendix
/// C), as the TLS scheme that verifies the same signature.
const SIGNATURE_ALGORITHMS: [(ObjectIdentifier, SignatureScheme); 4] = [
    (
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
        SignatureScheme::EcdsaSecp256r1Sha256,
    ),
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11"),
        SignatureScheme::RsaPkcs1Sha256,
    ),
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12"),
        SignatureScheme::RsaPkcs1Sha384,
    ),
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13"),
        SignatureScheme::RsaPkcs1Sha512,
    ),
];
/// Signature algorithms met in certificates that we do not check, by name for the error
/// (const-oid's table of names would cost every build ~128 KiB).
const UNSUPPORTED_ALGORITHMS: [(ObjectIdentifier, &str); 6] = [
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.4"),
        "md5WithRSAEncryption",
    ),
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5"),
        "sha1WithRSAEncryption (SHA-1, retired by RFC 9155)",
    ),
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10"),
        "RSASSA-PSS",
    ),
    (
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.1"),
        "ecdsa-with-SHA1 (SHA-1, retired by RFC 9155)",
    ),
    (
        ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3"),
        "ecdsa-with-SHA384",
    ),
    (ObjectIdentifier::new_unwrap("1.3.101.112"), "Ed25519"),
];
/// id-kp-serverAuth and id-kp-clientAuth (RFC 5280 §4.2.1.12).
const SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
/// anyExtendedKeyUsage.
const ANY_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

/// What the peer's certificate must be good for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A server's certificate, checked by a client.
    ServerAuth,
    /// A client's certificate, checked by a server.
    ClientAuth,
}

/// How to verify a chain.
#[derive(Clone, Copy, Debug)]
pub struct VerifyOptions<'a> {
    /// The trust anchors.
    pub trusted: &'a [Certificate],
    /// The wall-clock time to check validity against (seconds since 1970).
    pub unix_time: u64,
    /// The host name or IP address the certificate must name (client side).
    pub host: Option<&'a str>,
    /// What the certificate is for.
    pub purpose: Purpose,
    /// The most certificates the peer may send.
    pub max_chain_len: usize,
    /// Who checks the signatures.
    pub provider: CryptoProvider,
}

fn fail(problem: CertificateProblem, index: usize) -> Error {
    Error::certificate(problem, index)
}

fn fail_saying(problem: CertificateProblem, index: usize, detail: String) -> Error {
    Error::BadCertificate {
        problem,
        index,
        detail: Some(detail),
    }
}

/// The public key of the certificate at `index`, or the error that says why not.
fn key_of(cert: &Certificate, index: usize) -> Result<PublicKey, Error> {
    cert.public_key()
        .map_err(|refused: KeyRefused| Error::BadCertificate {
            problem: refused.problem(),
            index,
            detail: refused.detail(),
        })
}

/// Verifies `chain` (peer's certificate first) up to a trusted certificate and returns
/// the peer's public key. Each failure names the check and the certificate.
pub fn verify_chain(chain: &[Certificate], opts: &VerifyOptions<'_>) -> Result<PublicKey, Error> {
    let leaf = chain.first().ok_or(fail(CertificateProblem::Empty, 0))?;
    if opts.trusted.is_empty() {
        return Err(fail(CertificateProblem::NoTrustedCertificates, 0));
    }
    if chain.len() > opts.max_chain_len {
        return Err(fail(CertificateProblem::ChainTooLong, opts.max_chain_len));
    }
    let key = key_of(leaf, 0)?;
    check_leaf_usage(leaf, opts.purpose)?;
    if let Some(host) = opts.host
        && !names_host(leaf, host)
    {
        let detail = format!("{host:?} is not among its names ({})", host_names(leaf));
        return Err(fail_saying(CertificateProblem::WrongHostName, 0, detail));
    }
    // Walk up: each certificate must be valid now and signed by the next one in the
    // chain, until one is signed by (or is) a trusted certificate.
    let mut index = 0;
    let mut current = leaf;
    loop {
        check_validity(current, opts.unix_time, index)?;
        if opts.trusted.iter().any(|t| t.der == current.der) {
            return Ok(key);
        }
        if let Some(anchor) = opts.trusted.iter().find(|t| issued(current, t)) {
            check_signature(current, anchor, index, opts.provider)?;
            check_ca(anchor, index, chain.len())?;
            check_validity(anchor, opts.unix_time, chain.len())?;
            return Ok(key);
        }
        let Some(issuer) = chain.get(index + 1).filter(|c| issued(current, c)) else {
            // Name the missing CA, the one to add with trusted_certificate_add, by its
            // common name: a whole distinguished name's text would pull const-oid's
            // table of attribute names into every build (+128 KiB of wasm memory).
            let issuer = current.parsed.tbs_certificate().issuer().common_name();
            let detail = match issuer.ok().flatten() {
                Some(cn) => format!("its issuer's common name is {}", quoted(&cn.value())),
                None => "its issuer has no common name".to_string(),
            };
            return Err(fail_saying(
                CertificateProblem::UntrustedIssuer,
                index,
                detail,
            ));
        };
        check_signature(current, issuer, index, opts.provider)?;
        // Below `issuer` are `index` CA certificates (those between it and the leaf).
        check_ca(issuer, index + 1, index)?;
        index += 1;
        current = issuer;
    }
}

/// Whether `issuer`'s subject is `cert`'s issuer.
fn issued(cert: &Certificate, issuer: &Certificate) -> bool {
    cert.parsed.tbs_certificate().issuer() == issuer.parsed.tbs_certificate().subject()
}

fn check_validity(cert: &Certificate, now: u64, index: usize) -> Result<(), Error> {
    let validity = cert.parsed.tbs_certificate().validity();
    // A wrong clock is as common a cause as an old certificate: say both dates.
    let time_given = || match DateTime::from_unix_duration(Duration::from_secs(now)) {
        Ok(date) => date.to_string(),
        Err(_) => format!("{now} s after 1970"),
    };
    if now < validity.not_before.to_unix_duration().as_secs() {
        let detail = format!(
            "valid from {}; the time given is {}",
            validity.not_before,
            time_given()
        );
        return Err(fail_saying(CertificateProblem::NotYetValid, index, detail));
    }
    if now > validity.not_after.to_unix_duration().as_secs() {
        let detail = format!(
            "valid until {}; the time given is {}",
            validity.not_after,
            time_given()
        );
        return Err(fail_saying(CertificateProblem::Expired, index, detail));
    }
    Ok(())
}

/// `issuer` (at `index`) signs certificates, and `cas_below` CA certificates lie
/// between it and the leaf.
fn check_ca(issuer: &Certificate, index: usize, cas_below: usize) -> Result<(), Error> {
    let tbs = issuer.parsed.tbs_certificate();
    let constraints = tbs
        .get_extension::<BasicConstraints>()
        .map_err(|_| fail(CertificateProblem::Malformed, index))?;
    match constraints {
        Some((_, bc)) if bc.ca => {
            if bc
                .path_len_constraint
                .is_some_and(|max| cas_below > usize::from(max))
            {
                return Err(fail(CertificateProblem::PathTooLong, index));
            }
        }
        _ => return Err(fail(CertificateProblem::NotACa, index)),
    }
    if let Ok(Some((_, usage))) = tbs.get_extension::<KeyUsage>()
        && !usage.key_cert_sign()
    {
        return Err(fail(CertificateProblem::WrongUsage, index));
    }
    Ok(())
}

fn check_leaf_usage(leaf: &Certificate, purpose: Purpose) -> Result<(), Error> {
    let tbs = leaf.parsed.tbs_certificate();
    if let Ok(Some((_, usage))) = tbs.get_extension::<KeyUsage>()
        && !usage.digital_signature()
    {
        let detail = "its keyUsage lacks digitalSignature, which ECDHE suites sign with".into();
        return Err(fail_saying(CertificateProblem::WrongUsage, 0, detail));
    }
    if let Ok(Some((_, eku))) = tbs.get_extension::<ExtendedKeyUsage>() {
        let (wanted, name) = match purpose {
            Purpose::ServerAuth => (SERVER_AUTH, "serverAuth"),
            Purpose::ClientAuth => (CLIENT_AUTH, "clientAuth"),
        };
        if !eku.0.iter().any(|oid| *oid == wanted || *oid == ANY_EKU) {
            // The usual mix-up: a server's certificate given to a client, or the reverse.
            let detail = format!("its extendedKeyUsage does not include {name}");
            return Err(fail_saying(CertificateProblem::WrongUsage, 0, detail));
        }
    }
    Ok(())
}

/// Checks `cert`'s signature (ECDSA P-256 or RSA PKCS#1 v1.5, [`SIGNATURE_ALGORITHMS`])
/// with `issuer`'s key.
fn check_signature(
    cert: &Certificate,
    issuer: &Certificate,
    index: usize,
    provider: CryptoProvider,
) -> Result<(), Error> {
    let algorithm = cert.parsed.signature_algorithm().oid;
    let Some((_, scheme)) = SIGNATURE_ALGORITHMS
        .iter()
        .find(|(oid, _)| *oid == algorithm)
    else {
        let name = UNSUPPORTED_ALGORITHMS
            .iter()
            .find(|(oid, _)| *oid == algorithm)
            .map_or(String::new(), |(_, name)| format!("{name}, "));
        let detail = format!("it is signed with {name}{algorithm}, an algorithm not supported");
        return Err(fail_saying(
            CertificateProblem::UnsupportedSignature,
            index,
            detail,
        ));
    };
    let key = key_of(issuer, index + 1)?;
    let tbs = cert
        .signed_part()
        .ok_or(fail(CertificateProblem::Malformed, index))?;
    let signature = cert
        .parsed
        .signature()
        .as_bytes()
        .ok_or(fail(CertificateProblem::BadSignature, index))?;
    if scheme.verify(provider, &key, tbs, signature) {
        Ok(())
    } else {
        Err(fail(CertificateProblem::BadSignature, index))
    }
}

/// RFC 6125: the SAN names the host (DNS name, with a wildcard only as the whole
/// leftmost label, or IP address); the common name counts only without a SAN.
fn names_host(cert: &Certificate, host: &str) -> bool {
    let tbs = cert.parsed.tbs_certificate();
    let ip: Option<IpAddr> = host.parse().ok();
    match tbs.get_extension::<SubjectAltName>() {
        Ok(Some((_, san))) => san.0.iter().any(|name| match (name, ip) {
            (GeneralName::DnsName(dns), None) => dns_matches(dns.as_str(), host),
            (GeneralName::IpAddress(octets), Some(ip)) => match ip {
                IpAddr::V4(v4) => octets.as_bytes() == v4.octets(),
                IpAddr::V6(v6) => octets.as_bytes() == v6.octets(),
            },
            _ => false,
        }),
        _ => ip.is_none() && cert.common_name().is_some_and(|cn| dns_matches(&cn, host)),
    }
}

/// The names `cert` holds for hosts (its subjectAltName DNS names and IP addresses, or
/// its CN without one), quoted and bounded: the certificate came from the network.
fn host_names(cert: &Certificate) -> String {
    let names: Vec<String> = match cert
        .parsed
        .tbs_certificate()
        .get_extension::<SubjectAltName>()
    {
        Ok(Some((_, san))) => san
            .0
            .iter()
            .filter_map(|name| match name {
                GeneralName::DnsName(dns) => Some(quoted(dns.as_str())),
                GeneralName::IpAddress(octets) => ip_of(octets.as_bytes()).map(|ip| ip.to_string()),
                _ => None,
            })
            .collect(),
        _ => cert
            .common_name()
            .map(|cn| quoted(&cn))
            .into_iter()
            .collect(),
    };
    listed(&names)
}

/// How many names an error lists, and how many characters of each.
const SHOWN_NAMES: usize = 8;
const SHOWN_CHARS: usize = 64;

/// `name` quoted with its control characters escaped, cut to [`SHOWN_CHARS`].
fn quoted(name: &str) -> String {
    crate::error::quoted(name, SHOWN_CHARS)
}

/// The first [`SHOWN_NAMES`] names, and how many more there are.
fn listed(names: &[String]) -> String {
    if names.is_empty() {
        return "it names no host".into();
    }
    let shown = names
        .iter()
        .take(SHOWN_NAMES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    match names.len().saturating_sub(SHOWN_NAMES) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// The address of a subjectAltName iPAddress entry (4 or 16 octets).
fn ip_of(octets: &[u8]) -> Option<IpAddr> {
    if let Ok(v4) = <[u8; 4]>::try_from(octets) {
        return Some(IpAddr::from(v4));
    }
    <[u8; 16]>::try_from(octets).ok().map(IpAddr::from)
}

fn dns_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.');
    let host = host.trim_end_matches('.');
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest.eq_ignore_ascii_case(suffix)),
        None => pattern.eq_ignore_ascii_case(host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_a_certificate_are_quoted_escaped_and_bounded() {
        assert_eq!(quoted("localhost"), "\"localhost\"");
        // A line break or an escape sequence in a certificate stays escaped.
        assert_eq!(quoted("a\nb\u{1b}"), "\"a\\nb\\u{1b}\"");
        assert_eq!(
            quoted(&"x".repeat(100)),
            format!("\"{}\"…", "x".repeat(SHOWN_CHARS))
        );
        let names: Vec<String> = (0..20).map(|i| format!("n{i}")).collect();
        assert_eq!(listed(&names), "n0, n1, n2, n3, n4, n5, n6, n7 and 12 more");
        assert_eq!(listed(&["n0".into(), "n1".into()]), "n0, n1");
        assert_eq!(listed(&[]), "it names no host");
    }

    #[test]
    fn subject_alt_name_addresses_are_four_or_sixteen_octets() {
        assert_eq!(ip_of(&[127, 0, 0, 1]), Some(IpAddr::from([127, 0, 0, 1])));
        assert_eq!(ip_of(&[0; 16]), Some(IpAddr::from([0u8; 16])));
        assert_eq!(ip_of(&[1, 2, 3]), None);
    }
}

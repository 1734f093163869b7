//! X.509 loading, chain verification and the NetX certificate stores, on the fixtures
//! made by tests/fixtures/generate.sh.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{NOW, cert, fixture, key};
use wasm_dtls::crypto::SignatureScheme;
use wasm_dtls::x509::{
    Certificate, CertificateProblem, CertificateStore, KeyKind, LocalIdentity, PrivateKey, Purpose,
    VerifyOptions, certificate_pems, verify_chain,
};
use wasm_dtls::{Config, CryptoProvider, Error};

/// Verifies with every P-256 provider this build has, which must all agree; the P-256
/// and the RSA test CAs are trusted.
fn check(chain: &[Certificate], host: Option<&str>, purpose: Purpose) -> Result<(), Error> {
    let trusted = [cert("ca.crt.pem"), cert("rsa-ca.crt.pem")];
    let verdicts: Vec<Result<(), Error>> = CryptoProvider::ALL
        .iter()
        .map(|&provider| {
            let opts = VerifyOptions {
                trusted: &trusted,
                unix_time: NOW,
                host,
                purpose,
                max_chain_len: 4,
                provider,
            };
            verify_chain(chain, &opts).map(|_| ())
        })
        .collect();
    let first = format!("{:?}", verdicts[0]);
    for (provider, verdict) in CryptoProvider::ALL.iter().zip(&verdicts) {
        assert_eq!(format!("{verdict:?}"), first, "{provider:?} disagrees");
    }
    verdicts.into_iter().next().unwrap_or(Ok(()))
}

fn problem(result: Result<(), Error>) -> (CertificateProblem, usize, u32) {
    match result {
        Err(e @ Error::BadCertificate { problem, index, .. }) => {
            (problem, index, e.status().code())
        }
        other => panic!("expected a certificate error, got {other:?}"),
    }
}

#[test]
fn loads_pem_and_der_certificates_and_pkcs8_and_sec1_keys() {
    let pem = cert("server.crt.pem");
    let der = cert("server.crt.der");
    assert_eq!(pem, der);
    assert_eq!(pem.common_name().as_deref(), Some("localhost"));
    let pkcs8_pem = PrivateKey::load(&fixture("server.key.pem")).unwrap();
    let pkcs8_der = PrivateKey::load(&fixture("server.key.der")).unwrap();
    let sec1_pem = PrivateKey::load(&fixture("server.sec1.pem")).unwrap();
    assert_eq!(pkcs8_pem.public_key(), pkcs8_der.public_key());
    assert_eq!(pkcs8_pem.public_key(), sec1_pem.public_key());
    assert!(Certificate::load(b"not a certificate").is_err());
    assert_eq!(PrivateKey::load(b"nope").unwrap_err().status().code(), 0x4D);
}

/// PEM files as OpenSSL and CA bundles write them: text around and between the blocks,
/// a certificate and its key in one file, `ecparam -genkey`'s `EC PARAMETERS` block
/// before the key. A damaged block is an error, never a shorter chain.
#[test]
fn pem_files_as_openssl_writes_them_load() {
    let text = |name: &str| String::from_utf8(fixture(name)).unwrap();
    let bundle = format!(
        "# leaf and intermediate\nsubject=CN = leaf\n{}\nissuer=CN = ca\n{}trailing text\n",
        text("leaf.crt.pem"),
        text("intermediate.crt.pem")
    );
    let chain = Certificate::load(bundle.as_bytes()).unwrap();
    assert_eq!(chain, [cert("leaf"), cert("intermediate")]);
    // Split for a host that adds one certificate per id: each part loads on its own.
    let parts = certificate_pems(bundle.as_bytes()).unwrap();
    let loaded: Vec<Vec<Certificate>> = parts
        .iter()
        .map(|p| Certificate::load(p).unwrap())
        .collect();
    assert_eq!(loaded, [[cert("leaf")], [cert("intermediate")]]);

    let combined = text("server.crt.pem") + &text("server.sec1.pem");
    assert_eq!(
        Certificate::load(combined.as_bytes()).unwrap(),
        [cert("server")]
    );
    let server_key = PrivateKey::load(combined.as_bytes()).unwrap();
    assert_eq!(server_key.public_key(), key("server").public_key());

    let ecparam = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
        .to_string()
        + &text("server.sec1.pem");
    let from_ecparam = PrivateKey::load(ecparam.as_bytes()).unwrap();
    assert_eq!(from_ecparam.public_key(), key("server").public_key());

    // PKCS#8's encrypted form, and OpenSSL's older one (headers under the usual label).
    let pkcs8 =
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\naGVsbG8=\n-----END ENCRYPTED PRIVATE KEY-----\n";
    let legacy = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
        DEK-Info: AES-256-CBC,776B02A877A973FB0BACED494C7ADBE1\n\naGVsbG8=\n-----END EC PRIVATE KEY-----\n";
    for encrypted in [pkcs8, legacy] {
        let err = PrivateKey::load(encrypted.as_bytes()).unwrap_err();
        assert_eq!(err.status().code(), 0x4D);
        assert!(err.to_string().contains("is encrypted"), "{err}");
    }

    let cut = bundle.get(..bundle.len() - 60).unwrap();
    assert!(certificate_pems(cut.as_bytes()).is_none());
    let err = Certificate::load(cut.as_bytes()).unwrap_err();
    assert_eq!(err.status().code(), 0x112);
    assert!(
        err.to_string()
            .ends_with("the given bytes are not a well-formed X.509 certificate (PEM or DER)"),
        "{err}"
    );
    // A key file where the certificate was meant says so.
    let swapped = Certificate::load(&fixture("server.key.pem")).unwrap_err();
    assert_eq!(swapped.status().code(), 0x112);
    assert!(
        swapped
            .to_string()
            .ends_with("a private key, where a certificate was expected"),
        "{swapped}"
    );
}

#[test]
fn good_chains_verify() {
    check(
        &[cert("server.crt.pem")],
        Some("localhost"),
        Purpose::ServerAuth,
    )
    .unwrap();
    check(
        &[cert("server.crt.pem")],
        Some("127.0.0.1"),
        Purpose::ServerAuth,
    )
    .unwrap();
    check(
        &[cert("server.crt.pem")],
        Some("LOCALHOST"),
        Purpose::ServerAuth,
    )
    .unwrap();
    check(&[cert("client.crt.pem")], None, Purpose::ClientAuth).unwrap();
    check(
        &[cert("leaf.crt.pem"), cert("intermediate.crt.pem")],
        Some("localhost"),
        Purpose::ServerAuth,
    )
    .unwrap();
    // The CA itself may be sent at the end of the chain.
    check(
        &[
            cert("leaf.crt.pem"),
            cert("intermediate.crt.pem"),
            cert("ca.crt.pem"),
        ],
        Some("localhost"),
        Purpose::ServerAuth,
    )
    .unwrap();
}

#[test]
fn each_failed_check_has_its_code_and_names_the_certificate() {
    let expired = check(
        &[cert("expired.crt.pem")],
        Some("localhost"),
        Purpose::ServerAuth,
    );
    let said = expired.clone().unwrap_err().to_string();
    assert_eq!(problem(expired), (CertificateProblem::Expired, 0, 0x112));
    // Both dates, as a wrong clock is as likely as an old certificate.
    assert!(
        said.contains("has expired: valid until 20") && said.contains("; the time given is 20"),
        "{said}"
    );

    let wrong_ca = check(
        &[cert("wrong-ca.crt.pem")],
        Some("localhost"),
        Purpose::ServerAuth,
    );
    let said = wrong_ca.clone().unwrap_err().to_string();
    assert_eq!(
        problem(wrong_ca),
        (CertificateProblem::UntrustedIssuer, 0, 0x11B)
    );
    // The CA to add, by name.
    assert!(
        said.ends_with("nor trusted: its issuer's common name is \"some other CA\""),
        "{said}"
    );

    let wrong_host = check(
        &[cert("wrong-host.crt.pem")],
        Some("localhost"),
        Purpose::ServerAuth,
    );
    let e = wrong_host.clone().unwrap_err();
    assert_eq!(
        problem(wrong_host),
        (CertificateProblem::WrongHostName, 0, 0x10C)
    );
    assert!(
        e.to_string()
            .contains("does not name the requested host: \"localhost\" is not among its names ("),
        "{e}"
    );
    let other_ip = check(
        &[cert("server.crt.pem")],
        Some("127.0.0.2"),
        Purpose::ServerAuth,
    );
    let said = other_ip.clone().unwrap_err().to_string();
    assert_eq!(problem(other_ip).0, CertificateProblem::WrongHostName);
    // The names it does hold, DNS names quoted and addresses as addresses.
    assert!(
        said.ends_with("\"127.0.0.2\" is not among its names (\"localhost\", 127.0.0.1)"),
        "{said}"
    );

    let not_ca = check(
        &[cert("under-not-ca.crt.pem"), cert("not-ca.crt.pem")],
        Some("localhost"),
        Purpose::ServerAuth,
    );
    let e = not_ca.clone().unwrap_err();
    assert_eq!(problem(not_ca), (CertificateProblem::NotACa, 1, 0x112));
    assert!(
        e.to_string().contains("certificate 1 of the peer's chain"),
        "{e}"
    );

    let bad_sig = check(
        &[cert("bad-signature.der")],
        Some("localhost"),
        Purpose::ServerAuth,
    );
    assert_eq!(
        problem(bad_sig),
        (CertificateProblem::BadSignature, 0, 0x117)
    );

    // A server certificate is not a client certificate (extendedKeyUsage).
    let usage = check(&[cert("server.crt.pem")], None, Purpose::ClientAuth);
    let said = usage.clone().unwrap_err().to_string();
    assert_eq!(problem(usage), (CertificateProblem::WrongUsage, 0, 0x112));
    assert!(
        said.ends_with("(key usage): its extendedKeyUsage does not include clientAuth"),
        "{said}"
    );

    // Missing intermediate.
    let missing = check(
        &[cert("leaf.crt.pem")],
        Some("localhost"),
        Purpose::ServerAuth,
    );
    assert_eq!(problem(missing).0, CertificateProblem::UntrustedIssuer);

    let empty = check(&[], None, Purpose::ClientAuth);
    assert_eq!(problem(empty), (CertificateProblem::Empty, 0, 0x132));

    let opts = VerifyOptions {
        trusted: &[],
        unix_time: NOW,
        host: None,
        purpose: Purpose::ServerAuth,
        max_chain_len: 4,
        provider: CryptoProvider::RustCrypto,
    };
    let none = verify_chain(&[cert("server.crt.pem")], &opts).map(|_| ());
    assert_eq!(problem(none).0, CertificateProblem::NoTrustedCertificates);

    let trusted = [cert("ca.crt.pem")];
    let short = VerifyOptions {
        trusted: &trusted,
        max_chain_len: 1,
        ..opts
    };
    let long = verify_chain(
        &[cert("leaf.crt.pem"), cert("intermediate.crt.pem")],
        &short,
    );
    assert_eq!(
        problem(long.map(|_| ())).0,
        CertificateProblem::ChainTooLong
    );

    let early = VerifyOptions {
        trusted: &trusted,
        unix_time: 1_600_000_000,
        ..opts
    };
    let not_yet = verify_chain(&[cert("server.crt.pem")], &early).map(|_| ());
    let said = not_yet.clone().unwrap_err().to_string();
    assert_eq!(problem(not_yet).0, CertificateProblem::NotYetValid);
    assert!(
        said.contains("is not valid yet: valid from 20")
            && said.ends_with("; the time given is 2020-09-13T12:26:40Z"),
        "{said}"
    );
}

#[test]
fn store_rules_follow_netx() {
    let mut store: CertificateStore<Certificate> = CertificateStore::default();
    assert_eq!(
        store
            .add(0, cert("ca.crt.pem"))
            .unwrap_err()
            .status()
            .code(),
        0x4D
    );
    store.add(1, cert("ca.crt.pem")).unwrap();
    assert_eq!(
        store
            .add(1, cert("other-ca.crt.pem"))
            .unwrap_err()
            .status()
            .code(),
        0x139
    );
    store.add(2, cert("other-ca.crt.pem")).unwrap();
    assert_eq!(store.remove(None, 7).unwrap_err().status().code(), 0x119);
    assert_eq!(
        store.remove(Some("nobody"), 0).unwrap_err().status().code(),
        0x119
    );
    store.remove(Some("some other CA"), 0).unwrap();
    assert_eq!(store.len(), 1);
    store.remove(None, 1).unwrap();
    assert!(store.is_empty());

    let mut local: CertificateStore<LocalIdentity> = CertificateStore::default();
    let identity = LocalIdentity {
        chain: vec![cert("server.crt.pem")],
        key: PrivateKey::load(&fixture("server.key.pem")).unwrap(),
    };
    local.add(5, identity).unwrap();
    local.remove(Some("localhost"), 0).unwrap();
    assert!(local.is_empty());
}

/// RSA in chains: an RSA server certificate its RSA CA signed with SHA-384, a P-256
/// certificate under the RSA CA, an RSA client certificate under the P-256 CA.
#[test]
fn rsa_certificates_and_rsa_signed_chains_verify() {
    check(
        &[cert("rsa-server")],
        Some("localhost"),
        Purpose::ServerAuth,
    )
    .unwrap();
    check(
        &[cert("ecdsa-under-rsa")],
        Some("localhost"),
        Purpose::ServerAuth,
    )
    .unwrap();
    check(&[cert("rsa-client")], None, Purpose::ClientAuth).unwrap();
    assert_eq!(
        cert("rsa-server").public_key().unwrap().kind(),
        KeyKind::Rsa
    );
    assert_eq!(
        cert("ecdsa-under-rsa").public_key().unwrap().kind(),
        KeyKind::EcdsaP256
    );

    // One bit of the RSA signature flipped.
    let mut der = cert("rsa-server").der().to_vec();
    let n = der.len();
    der[n - 10] ^= 1;
    let forged = Certificate::from_der(&der).unwrap();
    let result = check(&[forged], Some("localhost"), Purpose::ServerAuth);
    assert_eq!(
        problem(result),
        (CertificateProblem::BadSignature, 0, 0x117)
    );
}

#[test]
fn an_rsa_key_under_2048_bits_is_refused_saying_its_size() {
    let result = check(&[cert("rsa-weak")], Some("localhost"), Purpose::ServerAuth);
    let said = result.clone().unwrap_err().to_string();
    assert_eq!(
        problem(result),
        (CertificateProblem::UnsupportedKey, 0, 0x10D)
    );
    assert!(
        said.ends_with("its RSA key has 1024 bits; 2048 to 8192 are taken"),
        "{said}"
    );
}

#[test]
fn a_certificate_signed_with_sha1_is_refused_naming_the_algorithm() {
    let result = check(&[cert("rsa-sha1")], Some("localhost"), Purpose::ServerAuth);
    let said = result.clone().unwrap_err().to_string();
    assert_eq!(
        problem(result),
        (CertificateProblem::UnsupportedSignature, 0, 0x12C)
    );
    assert!(
        said.ends_with(
            "it is signed with sha1WithRSAEncryption (SHA-1, retired by RFC 9155), \
             1.2.840.113549.1.1.5, an algorithm not supported"
        ),
        "{said}"
    );
}

#[test]
fn an_rsa_certificate_cannot_be_our_own() {
    let mut config = Config::new();
    // Any private key: the certificate's kind is refused first.
    let err = config
        .local_certificate_add(1, vec![cert("rsa-server")], key("server"))
        .unwrap_err();
    assert_eq!(err.status().code(), 0x4D);
    assert!(
        err.to_string()
            .contains("RSA certificate can only be verified"),
        "{err}"
    );
    // An RSA private key does not load as ours either.
    let err = PrivateKey::load(&fixture("rsa-server.key.pem")).unwrap_err();
    assert_eq!(err.status().code(), 0x4D);
}

/// Each RSA scheme verifies OpenSSL's signature (`openssl dgst`) and no other: not
/// with another hash or padding, not with a bit flipped, not with a P-256 key. And
/// OpenSSL's ECDSA signature with SHA-384 by a P-256 key verifies as that scheme only.
#[test]
fn rsa_signature_schemes_verify_openssl_signatures() {
    let message = b"client_random || server_random || ServerECDHParams";
    let dir = std::env::temp_dir().join(format!("wasm-dtls-rsa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("message");
    std::fs::write(&input, message).unwrap();
    let rsa_key = cert("rsa-server").public_key().unwrap();
    let p256_key = cert("server").public_key().unwrap();
    let rsa_schemes: Vec<SignatureScheme> = SignatureScheme::ALL
        .into_iter()
        .filter(|s| s.key_kind() == wasm_dtls::x509::KeyKind::Rsa)
        .collect();
    for (scheme, hash, pss) in [
        (SignatureScheme::RsaPssRsaeSha256, "-sha256", true),
        (SignatureScheme::RsaPssRsaeSha384, "-sha384", true),
        (SignatureScheme::RsaPssRsaeSha512, "-sha512", true),
        (SignatureScheme::RsaPkcs1Sha256, "-sha256", false),
        (SignatureScheme::RsaPkcs1Sha384, "-sha384", false),
        (SignatureScheme::RsaPkcs1Sha512, "-sha512", false),
    ] {
        let output = dir.join("signature");
        let mut args = vec![
            "dgst".to_string(),
            hash.into(),
            "-sign".into(),
            common::fixture_path("rsa-server.key.pem"),
            "-out".into(),
            output.display().to_string(),
        ];
        if pss {
            // RFC 8446 §4.2.3: the salt is as long as the hash.
            args.extend(
                [
                    "-sigopt",
                    "rsa_padding_mode:pss",
                    "-sigopt",
                    "rsa_pss_saltlen:digest",
                ]
                .map(String::from),
            );
        }
        args.push(input.display().to_string());
        let status = std::process::Command::new("openssl")
            .args(&args)
            .status()
            .unwrap();
        assert!(status.success());
        let signature = std::fs::read(&output).unwrap();
        let provider = CryptoProvider::RustCrypto;
        for other in &rsa_schemes {
            assert_eq!(
                other.verify(provider, &rsa_key, message, &signature),
                *other == scheme,
                "{scheme:?} signature checked as {other:?}"
            );
        }
        let mut flipped = signature.clone();
        flipped[7] ^= 0x20;
        assert!(!scheme.verify(provider, &rsa_key, message, &flipped));
        assert!(!scheme.verify(provider, &p256_key, message, &signature));
        assert!(!scheme.verify(provider, &rsa_key, b"another message", &signature));
    }
    // TLS 1.2's ECDSA with SHA-384 (0x0503) on our P-256 key, signed by OpenSSL.
    let output = dir.join("ecdsa-signature");
    let status = std::process::Command::new("openssl")
        .args([
            "dgst",
            "-sha384",
            "-sign",
            &common::fixture_path("server.key.pem"),
        ])
        .arg("-out")
        .arg(&output)
        .arg(&input)
        .status()
        .unwrap();
    assert!(status.success());
    let signature = std::fs::read(&output).unwrap();
    let provider = CryptoProvider::RustCrypto;
    assert!(SignatureScheme::EcdsaSha384.verify(provider, &p256_key, message, &signature));
    assert!(
        !SignatureScheme::EcdsaSecp256r1Sha256.verify(provider, &p256_key, message, &signature)
    );
    assert!(!SignatureScheme::EcdsaSha384.verify(provider, &rsa_key, message, &signature));
    std::fs::remove_dir_all(&dir).unwrap();
}

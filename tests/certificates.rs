//! In-memory ECDHE-ECDSA handshakes: each suite with and without client certificates,
//! negotiation among all suites (ECDHE_RSA only as far as our server can take it) and
//! between the two ECDHE groups, a large chain at a small MTU, and each way a
//! certificate handshake fails, with its NetX code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use core::time::Duration;

use common::{ECDSA_SUITES, IDENTITY, KEY, cert, cert_config, pair_with, rewrite};
use wasm_dtls::handshake::{CertificateRequest, HandshakeType, ServerHello};
use wasm_dtls::sim::{LinkConditions, Pair, Side};
use wasm_dtls::x509::CertificateProblem;
use wasm_dtls::{
    AlertDescription, CipherSuite, Config, CryptoProvider, Error, Event, NamedGroup, Session,
    SessionState, Status,
};

const LIMIT: Duration = Duration::from_secs(30);

/// Every suite, in the default order.
const ALL: [CipherSuite; 12] = CipherSuite::ALL;

fn der(name: &str) -> Vec<u8> {
    cert(name).der().to_vec()
}

/// Runs a handshake that must fail, and returns the server's and the client's errors.
fn failing(client: Config, server: Config, seed: u64) -> (Option<Event>, Option<Event>) {
    let mut p = pair_with(client, server, LinkConditions::PERFECT, seed);
    p.start().unwrap();
    p.run_until(LIMIT, |p| {
        p.client.state() == SessionState::Failed && p.server.state() == SessionState::Failed
    });
    assert_eq!(p.client.state(), SessionState::Failed, "{p:?}");
    assert_eq!(p.server.state(), SessionState::Failed, "{p:?}");
    (
        p.take_events(Side::Server).pop(),
        p.take_events(Side::Client).pop(),
    )
}

fn certificate_error(event: Option<Event>) -> (CertificateProblem, usize, u32) {
    match event {
        Some(Event::Error(e @ Error::BadCertificate { problem, index, .. })) => {
            (problem, index, e.status().code())
        }
        other => panic!("expected a certificate error, got {other:?}"),
    }
}

fn exchange_data(p: &mut Pair) {
    p.send(Side::Client, b"GET /temperature").unwrap();
    p.send(Side::Server, b"21.5 C").unwrap();
    p.run_until(LIMIT, |p| {
        !p.received(Side::Server).is_empty() && !p.received(Side::Client).is_empty()
    });
    assert_eq!(p.received(Side::Server), vec![b"GET /temperature".to_vec()]);
    assert_eq!(p.received(Side::Client), vec![b"21.5 C".to_vec()]);
}

#[test]
fn both_ecdsa_suites_handshake_without_a_client_certificate() {
    for suite in ECDSA_SUITES {
        let client = cert_config(&[suite], &[]);
        let server = cert_config(&[suite], &["server"]);
        let mut p = pair_with(client, server, LinkConditions::PERFECT, 40);
        p.start().unwrap();
        assert!(p.handshake(LIMIT), "{suite:?}: {p:?}");
        assert_eq!(p.client.cipher_suite(), Some(suite));
        assert_eq!(p.server.cipher_suite(), Some(suite));
        assert_eq!(p.client.peer_certificates(), &[der("server")]);
        assert!(p.server.peer_certificates().is_empty());
        assert_eq!(p.server.psk_identity(), None);
        exchange_data(&mut p);
    }
}

#[test]
fn both_ecdsa_suites_handshake_with_a_client_certificate() {
    for suite in ECDSA_SUITES {
        let client = cert_config(&[suite], &["client"]);
        let mut server = cert_config(&[suite], &["server"]);
        server.x509_client_verify_configure(2).unwrap();
        let mut p = pair_with(client, server, LinkConditions::PERFECT, 41);
        p.start().unwrap();
        assert!(p.handshake(LIMIT), "{suite:?}: {p:?}");
        assert_eq!(p.server.peer_certificates(), &[der("client")]);
        assert_eq!(p.client.peer_certificates(), &[der("server")]);
        exchange_data(&mut p);
    }
}

/// Every pairing of the elliptic-curve providers this build has (RustCrypto alone by
/// default; with `--features ring`, ring on either side or both), on each group, with
/// a client certificate.
#[test]
fn every_pairing_of_crypto_providers_handshakes_on_each_group() {
    for &client_provider in CryptoProvider::ALL {
        for &server_provider in CryptoProvider::ALL {
            for (suite, group) in ECDSA_SUITES
                .into_iter()
                .zip(NamedGroup::ALL.into_iter().cycle())
            {
                let mut client = cert_config(&[suite], &["client"]);
                client.set_crypto_provider(client_provider);
                let mut server = cert_config(&[suite], &["server"]);
                server.x509_client_verify_configure(2).unwrap();
                server.set_crypto_provider(server_provider);
                server.set_groups(&[group]).unwrap();
                let mut p = pair_with(client, server, LinkConditions::PERFECT, 43);
                p.start().unwrap();
                let case =
                    format!("{client_provider:?} -> {server_provider:?}, {suite:?}, {group}");
                assert!(p.handshake(LIMIT), "{case}: {p:?}");
                assert_eq!(p.client.group(), Some(group), "{case}");
                assert_eq!(p.server.group(), Some(group), "{case}");
                assert_eq!(p.server.peer_certificates(), &[der("client")], "{case}");
                exchange_data(&mut p);
            }
        }
    }
}

#[test]
fn the_first_of_the_clients_groups_that_the_server_enables_is_used() {
    use NamedGroup::{Secp256r1, X25519};
    // (client's groups in its order, the server's, expected)
    let cases: [(&[NamedGroup], &[NamedGroup], NamedGroup); 5] = [
        (&NamedGroup::ALL, &NamedGroup::ALL, X25519),
        (&[Secp256r1, X25519], &NamedGroup::ALL, Secp256r1),
        (&NamedGroup::ALL, &[Secp256r1], Secp256r1),
        (&[X25519, Secp256r1], &[Secp256r1, X25519], X25519),
        (&[Secp256r1], &[X25519, Secp256r1], Secp256r1),
    ];
    assert_eq!(Config::new().groups(), &[X25519, Secp256r1]);
    for (i, (client_groups, server_groups, expected)) in cases.into_iter().enumerate() {
        let suite = CipherSuite::EcdheEcdsaAes128Ccm8;
        let mut client = cert_config(&[suite], &[]);
        client.set_groups(client_groups).unwrap();
        let mut server = cert_config(&[suite], &["server"]);
        server.set_groups(server_groups).unwrap();
        let mut p = pair_with(client, server, LinkConditions::PERFECT, 70 + i as u64);
        p.start().unwrap();
        assert!(p.handshake(LIMIT), "case {i}: {p:?}");
        assert_eq!(p.client.group(), Some(expected), "case {i}");
        assert_eq!(p.server.group(), Some(expected), "case {i}");
        exchange_data(&mut p);
    }
    // NetX's code for an ecc_initialize without a group.
    let empty = Config::new().set_groups(&[]).unwrap_err();
    assert_eq!(empty, Error::EmptyEcGroup);
    assert_eq!(empty.status().code(), 0x13C);
    assert_eq!(empty.status().name(), "NX_SECURE_TLS_EMPTY_EC_GROUP");
}

#[test]
fn without_a_common_group_the_ecdhe_suites_are_not_chosen() {
    // PSK is there too: the handshake falls back to it, and no group is used.
    let mut client = cert_config(&ALL, &[]);
    client.set_groups(&[NamedGroup::X25519]).unwrap();
    client.psk_add(KEY, IDENTITY, b"").unwrap();
    let mut server = cert_config(&ALL, &["server"]);
    server.set_groups(&[NamedGroup::Secp256r1]).unwrap();
    server.psk_add(KEY, IDENTITY, b"").unwrap();
    let mut p = pair_with(client, server, LinkConditions::PERFECT, 75);
    p.start().unwrap();
    assert!(p.handshake(LIMIT), "{p:?}");
    assert_eq!(p.client.cipher_suite(), Some(CipherSuite::PskAes128Ccm8));
    assert_eq!((p.client.group(), p.server.group()), (None, None));

    // Certificates only: the server says which suites it saw and why it took none —
    // no group in common, or (RFC 4492 §4) a client that does not list secp256r1, the
    // curve of our certificate, even with X25519 in common.
    for (i, (client_groups, server_groups)) in [
        (&[NamedGroup::Secp256r1][..], &[NamedGroup::X25519][..]),
        (&[NamedGroup::X25519][..], &NamedGroup::ALL[..]),
    ]
    .into_iter()
    .enumerate()
    {
        let mut client = cert_config(&ECDSA_SUITES, &[]);
        client.set_groups(client_groups).unwrap();
        let mut server = cert_config(&ECDSA_SUITES, &["server"]);
        server.set_groups(server_groups).unwrap();
        let (server_error, client_error) = failing(client, server, 76 + i as u64);
        match server_error {
            Some(Event::Error(e @ Error::NoSupportedCiphers { .. })) => {
                assert_eq!(e.status(), Status::NoSupportedCiphers);
                assert_eq!(e.status().code(), 0x10E);
                let text = e.to_string();
                assert!(
                    text.contains("without secp256r1 for our certificate"),
                    "{text}"
                );
            }
            other => panic!("case {i}: expected no shared suite, got {other:?}"),
        }
        assert_eq!(
            client_error,
            Some(Event::Error(Error::AlertReceived(
                AlertDescription::HANDSHAKE_FAILURE
            )))
        );
    }
}

#[test]
fn a_server_key_exchange_on_a_group_not_offered_is_refused_with_0x14b() {
    // The client offers only secp256r1; the ServerKeyExchange is rewritten to name
    // X25519 (its curve_type 3 is the first byte, the group the next two).
    let suite = CipherSuite::EcdheEcdsaAes128Ccm8;
    let mut client = cert_config(&[suite], &[]);
    client.set_groups(&[NamedGroup::Secp256r1]).unwrap();
    let mut p = pair_with(
        client,
        cert_config(&[suite], &["server"]),
        LinkConditions::PERFECT,
        77,
    );
    p.to_client.set_mangler(|_, d| {
        rewrite(d, HandshakeType::SERVER_KEY_EXCHANGE, &|body| {
            assert_eq!(body[..3], [3, 0, 23]);
            body[2] = 29;
        })
    });
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    assert_eq!(
        p.take_events(Side::Client).pop(),
        Some(Event::Error(Error::UnsupportedCurve))
    );
    assert_eq!(Error::UnsupportedCurve.status().code(), 0x14B);
}

#[test]
fn an_x25519_key_of_small_order_is_refused_with_0x14b() {
    // RFC 8422 §5.11: an all-zero shared secret aborts the handshake. The client's
    // ClientKeyExchange is rewritten to carry the point u = 0 (length 32, then zeros).
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let mut p = pair_with(
        cert_config(&[suite], &[]),
        cert_config(&[suite], &["server"]),
        LinkConditions::PERFECT,
        78,
    );
    p.to_server.set_mangler(|_, d| {
        rewrite(d, HandshakeType::CLIENT_KEY_EXCHANGE, &|body| {
            assert_eq!(body.len(), 33);
            body[1..].fill(0);
        })
    });
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.server.state() == SessionState::Failed);
    assert_eq!(p.server.group(), Some(NamedGroup::X25519));
    assert_eq!(
        p.take_events(Side::Server).pop(),
        Some(Event::Error(Error::UnsupportedCurve))
    );
}

#[test]
fn a_chain_through_an_intermediate_is_sent_and_verified() {
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let client = cert_config(&[suite], &[]);
    let server = cert_config(&[suite], &["leaf", "intermediate"]);
    let mut p = pair_with(client, server, LinkConditions::PERFECT, 42);
    p.start().unwrap();
    assert!(p.handshake(LIMIT), "{p:?}");
    assert_eq!(
        p.client.peer_certificates(),
        &[der("leaf"), der("intermediate")]
    );
}

#[test]
fn a_chain_of_several_kilobytes_crosses_an_mtu_of_500_in_fragments() {
    let suite = CipherSuite::EcdheEcdsaAes128Ccm8;
    let mut client = cert_config(&[suite], &["client"]);
    let mut server = cert_config(&[suite], &["big", "intermediate"]);
    server.x509_client_verify_configure(3).unwrap();
    client.set_mtu(500).unwrap();
    server.set_mtu(500).unwrap();
    let chain_len = der("big").len() + der("intermediate").len();
    assert!(chain_len > 4000, "the chain is only {chain_len} bytes");
    let mut p = pair_with(client, server, LinkConditions::PERFECT, 43);
    p.to_client.record_transfers(true);
    p.start().unwrap();
    assert!(p.handshake(LIMIT), "{p:?}");
    assert_eq!(
        p.client.peer_certificates(),
        &[der("big"), der("intermediate")]
    );
    let transfers = p.to_client.transfers();
    assert!(transfers.iter().all(|t| t.bytes.len() <= 500));
    // The server's second flight alone needs ten or more datagrams.
    assert!(transfers.len() >= 10, "{} datagrams", transfers.len());
    exchange_data(&mut p);
}

#[test]
fn a_large_chain_survives_a_lossy_link_at_a_small_mtu() {
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let mut client = cert_config(&[suite], &[]);
    let mut server = cert_config(&[suite], &["big", "intermediate"]);
    client.set_mtu(500).unwrap();
    server.set_mtu(500).unwrap();
    let link = LinkConditions {
        loss: 0.2,
        ..LinkConditions::PERFECT
    };
    let mut p = pair_with(client, server, link, 44);
    p.start().unwrap();
    assert!(p.handshake(Duration::from_secs(600)), "{p:?}");
    assert!(p.server.stats().retransmissions > 0);
}

#[test]
fn the_clients_preference_order_picks_among_all_suites() {
    // (client's suites in its order, what the server may use, expected)
    let cases: [(&[CipherSuite], &[CipherSuite], CipherSuite); 7] = [
        (
            &[
                CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256,
                CipherSuite::EcdheEcdsaAes128Ccm8,
            ],
            &ALL,
            CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256,
        ),
        (
            &ALL,
            &[CipherSuite::PskChaCha20Poly1305Sha256],
            CipherSuite::PskChaCha20Poly1305Sha256,
        ),
        (&ALL, &ALL, CipherSuite::EcdheEcdsaAes128Ccm8),
        (
            &[
                CipherSuite::PskAes128GcmSha256,
                CipherSuite::EcdheEcdsaAes128GcmSha256,
            ],
            &ALL,
            CipherSuite::PskAes128GcmSha256,
        ),
        (
            &[
                CipherSuite::EcdheEcdsaAes128GcmSha256,
                CipherSuite::PskAes128Ccm8,
            ],
            &ALL,
            CipherSuite::EcdheEcdsaAes128GcmSha256,
        ),
        (
            &ALL,
            &[CipherSuite::PskAes128GcmSha256, CipherSuite::PskAes128Ccm8],
            CipherSuite::PskAes128Ccm8,
        ),
        (
            &[
                CipherSuite::PskAes128GcmSha256,
                CipherSuite::EcdheEcdsaAes128Ccm8,
            ],
            &[CipherSuite::EcdheEcdsaAes128Ccm8],
            CipherSuite::EcdheEcdsaAes128Ccm8,
        ),
    ];
    for (i, (client_suites, server_suites, expected)) in cases.into_iter().enumerate() {
        let mut client = cert_config(client_suites, &[]);
        client.psk_add(KEY, IDENTITY, b"").unwrap();
        let mut server = cert_config(server_suites, &["server"]);
        server.psk_add(KEY, IDENTITY, b"").unwrap();
        let mut p = pair_with(client, server, LinkConditions::PERFECT, 50 + i as u64);
        p.start().unwrap();
        assert!(p.handshake(LIMIT), "case {i}: {p:?}");
        assert_eq!(p.client.cipher_suite(), Some(expected), "case {i}");
        assert_eq!(p.server.cipher_suite(), Some(expected), "case {i}");
    }
}

#[test]
fn each_side_offers_and_accepts_only_suites_it_has_credentials_for() {
    // A server without a certificate serves a certificate-first client with PSK.
    let mut client = cert_config(&ALL, &[]);
    client.psk_add(KEY, IDENTITY, b"").unwrap();
    let mut server = Config::new();
    server.psk_add(KEY, IDENTITY, b"").unwrap();
    let mut p = pair_with(client, server, LinkConditions::PERFECT, 60);
    p.start().unwrap();
    assert!(p.handshake(LIMIT), "{p:?}");
    assert_eq!(p.client.cipher_suite(), Some(CipherSuite::PskAes128Ccm8));

    // A client that trusts no certificate does not offer the ECDSA suites.
    let mut client = Config::new();
    client.psk_add(KEY, IDENTITY, b"").unwrap();
    let mut server = cert_config(&ALL, &["server"]);
    server.psk_add(KEY, IDENTITY, b"").unwrap();
    let mut p = pair_with(client, server, LinkConditions::PERFECT, 61);
    p.start().unwrap();
    assert!(p.handshake(LIMIT), "{p:?}");
    assert_eq!(p.client.cipher_suite(), Some(CipherSuite::PskAes128Ccm8));
}

#[test]
fn a_client_with_neither_a_trusted_certificate_nor_a_psk_cannot_start() {
    let mut session = Session::client(Config::new());
    let error = session.start(wasm_dtls::Instant::ZERO).unwrap_err();
    assert_eq!(error.status().code(), 0x4D);
    assert!(error.to_string().contains("trusted certificate"), "{error}");
    assert_eq!(session.state(), SessionState::Idle);
}

#[test]
fn bad_server_certificates_are_refused_with_their_code_and_alert() {
    use CertificateProblem::*;
    // (server chain, problem, index of the certificate at fault, NetX code, alert the
    // server receives)
    let cases: [(&[&str], CertificateProblem, usize, u32, AlertDescription); 4] = [
        (
            &["wrong-host"],
            WrongHostName,
            0,
            0x10C,
            AlertDescription::BAD_CERTIFICATE,
        ),
        (
            &["wrong-ca"],
            UntrustedIssuer,
            0,
            0x11B,
            AlertDescription::UNKNOWN_CA,
        ),
        (
            &["expired"],
            Expired,
            0,
            0x112,
            AlertDescription::CERTIFICATE_EXPIRED,
        ),
        (
            &["under-not-ca", "not-ca"],
            NotACa,
            1,
            0x112,
            AlertDescription::BAD_CERTIFICATE,
        ),
    ];
    for (i, (chain, problem, index, code, alert)) in cases.into_iter().enumerate() {
        for suite in ECDSA_SUITES {
            let (server, client) = failing(
                cert_config(&[suite], &[]),
                cert_config(&[suite], chain),
                70 + i as u64,
            );
            assert_eq!(
                certificate_error(client),
                (problem, index, code),
                "{chain:?}"
            );
            assert_eq!(
                server,
                Some(Event::Error(Error::AlertReceived(alert))),
                "{chain:?}"
            );
        }
    }
}

#[test]
fn the_host_name_is_checked_against_the_ip_address_too() {
    let suite = CipherSuite::EcdheEcdsaAes128Ccm8;
    let mut client = cert_config(&[suite], &[]);
    client.set_server_name(Some("127.0.0.1"));
    let mut p = pair_with(
        client,
        cert_config(&[suite], &["server"]),
        LinkConditions::PERFECT,
        71,
    );
    p.start().unwrap();
    assert!(p.handshake(LIMIT), "{p:?}");

    let mut client = cert_config(&[suite], &[]);
    client.set_server_name(Some("127.0.0.2"));
    let (_, client) = failing(client, cert_config(&[suite], &["server"]), 72);
    assert_eq!(
        certificate_error(client),
        (CertificateProblem::WrongHostName, 0, 0x10C)
    );
}

#[test]
fn a_server_that_requires_client_certificates_refuses_a_client_without_one() {
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let mut server = cert_config(&[suite], &["server"]);
    server.x509_client_verify_configure(2).unwrap();
    let (server, client) = failing(cert_config(&[suite], &[]), server, 76);
    assert_eq!(
        certificate_error(server),
        (CertificateProblem::Empty, 0, 0x132)
    );
    // The client knows why: it was asked for a certificate and had none.
    assert_eq!(
        client,
        Some(Event::Error(Error::AlertWithoutOurCertificate(
            AlertDescription::HANDSHAKE_FAILURE
        )))
    );
}

#[test]
fn client_certificates_are_verified_like_server_ones() {
    let suite = CipherSuite::EcdheEcdsaAes128Ccm8;
    let mut server = cert_config(&[suite], &["server"]);
    server.x509_client_verify_configure(2).unwrap();
    // A certificate for server authentication only is not a client certificate.
    let (server_error, _) = failing(cert_config(&[suite], &["server"]), server.clone(), 77);
    assert_eq!(
        certificate_error(server_error),
        (CertificateProblem::WrongUsage, 0, 0x112)
    );
    // A client certificate from a CA the server does not trust.
    let mut other_trust = server.clone();
    other_trust.trusted_certificate_remove(None, 1).unwrap();
    other_trust
        .trusted_certificate_add(1, cert("other-ca"))
        .unwrap();
    let (server_error, _) = failing(cert_config(&[suite], &["client"]), other_trust, 78);
    assert_eq!(
        certificate_error(server_error),
        (CertificateProblem::UntrustedIssuer, 0, 0x11B)
    );
    // The chain length limit of x509_client_verify_configure applies.
    let mut one = server;
    one.x509_client_verify_configure(1).unwrap();
    let (server_error, _) = failing(cert_config(&[suite], &["leaf", "intermediate"]), one, 79);
    assert_eq!(
        certificate_error(server_error),
        (CertificateProblem::ChainTooLong, 1, 0x112)
    );
}

#[test]
fn with_client_verification_on_and_nothing_trusted_every_client_is_refused() {
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let mut server = cert_config(&[suite], &["server"]);
    server.trusted_certificate_remove(None, 1).unwrap();
    server.x509_client_verify_configure(2).unwrap();
    let (server_error, client_error) = failing(cert_config(&[suite], &["client"]), server, 80);
    let (problem, _, code) = certificate_error(server_error.clone());
    assert_eq!(
        (problem, code),
        (CertificateProblem::NoTrustedCertificates, 0x11B)
    );
    let Some(Event::Error(e)) = server_error else {
        unreachable!()
    };
    assert!(e.to_string().contains("trusted"), "{e}");
    assert_eq!(
        client_error,
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::UNKNOWN_CA
        )))
    );
}

#[test]
fn a_client_without_a_clock_cannot_verify_and_says_so() {
    let suite = CipherSuite::EcdheEcdsaAes128Ccm8;
    let mut client = Config::new();
    client.set_cipher_suites(&[suite]).unwrap();
    client.trusted_certificate_add(1, cert("ca")).unwrap();
    let (_, client_error) = failing(client, cert_config(&[suite], &["server"]), 81);
    let (problem, _, code) = certificate_error(client_error);
    assert_eq!((problem, code), (CertificateProblem::NoClock, 0x4D));
}

/// Flips a bit near the end of a message: inside an ECDSA signature's `s`, so the DER
/// stays well-formed and only the signature check can notice.
#[allow(clippy::ptr_arg)] // `rewrite` edits whole message bodies
fn flip_signature_bit(body: &mut Vec<u8>) {
    let n = body.len();
    body[n - 3] ^= 0x10;
}

#[test]
fn a_forged_server_key_exchange_signature_is_refused_with_0x14e() {
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let mut p = pair_with(
        cert_config(&[suite], &[]),
        cert_config(&[suite], &["server"]),
        LinkConditions::PERFECT,
        82,
    );
    p.to_client
        .set_mangler(|_, d| rewrite(d, HandshakeType::SERVER_KEY_EXCHANGE, &flip_signature_bit));
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.server.state() == SessionState::Failed);
    let client_error = p.take_events(Side::Client).pop();
    assert_eq!(
        client_error,
        Some(Event::Error(Error::SignatureVerification))
    );
    assert_eq!(Error::SignatureVerification.status().code(), 0x14E);
    assert_eq!(
        p.take_events(Side::Server).pop(),
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::DECRYPT_ERROR
        )))
    );
}

#[test]
fn a_forged_certificate_verify_is_refused_with_0x131() {
    let suite = CipherSuite::EcdheEcdsaAes128Ccm8;
    let mut server = cert_config(&[suite], &["server"]);
    server.x509_client_verify_configure(2).unwrap();
    let mut p = pair_with(
        cert_config(&[suite], &["client"]),
        server,
        LinkConditions::PERFECT,
        83,
    );
    p.to_server
        .set_mangler(|_, d| rewrite(d, HandshakeType::CERTIFICATE_VERIFY, &flip_signature_bit));
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    let server_error = p.take_events(Side::Server).pop();
    assert_eq!(
        server_error,
        Some(Event::Error(Error::CertificateVerifyFailed))
    );
    assert_eq!(Error::CertificateVerifyFailed.status().code(), 0x131);
    assert_eq!(p.client.state(), SessionState::Failed);
}

/// A server that picks ECDHE_RSA must present an RSA certificate: a P-256 one is refused
/// with 0x12B (NX_SECURE_TLS_UNSUPPORTED_CERT_SIGN_TYPE), saying which key it needs.
#[test]
fn a_server_choosing_ecdhe_rsa_with_a_p256_certificate_is_refused() {
    let offered = [
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::EcdheRsaAes128GcmSha256,
    ];
    let mut client = cert_config(&offered, &[]);
    client.trusted_certificate_add(2, cert("rsa-ca")).unwrap();
    let server = cert_config(&offered, &["server"]);
    let mut p = pair_with(client, server, LinkConditions::PERFECT, 84);
    p.to_client.set_mangler(|_, d| {
        rewrite(d, HandshakeType::SERVER_HELLO, &|b: &mut Vec<u8>| {
            let mut sh = ServerHello::decode(b).unwrap();
            sh.cipher_suite = CipherSuite::EcdheRsaAes128GcmSha256.id();
            *b = sh.encode();
        })
    });
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.server.state() == SessionState::Failed);
    let Some(Event::Error(error)) = p.take_events(Side::Client).pop() else {
        panic!("the client did not fail");
    };
    assert_eq!(error.status().code(), 0x12B);
    assert!(
        error.to_string().ends_with(
            "the server chose TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, which needs an RSA key, \
             but its certificate has an ECDSA P-256 key"
        ),
        "{error}"
    );
    assert_eq!(
        p.take_events(Side::Server).pop(),
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::UNSUPPORTED_CERTIFICATE
        )))
    );
}

/// Our server never picks ECDHE_RSA (it has no RSA key): a client offering only those
/// is told what the server accepts instead.
#[test]
fn our_server_refuses_a_client_offering_only_ecdhe_rsa() {
    let client = cert_config(&[CipherSuite::EcdheRsaChaCha20Poly1305Sha256], &[]);
    let server = cert_config(&ALL, &["server"]);
    let (server_error, client_error) = failing(client, server, 85);
    let Some(Event::Error(error)) = server_error else {
        panic!("the server did not fail: {server_error:?}");
    };
    let said = error.to_string();
    assert!(
        said.contains("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")
            && said.ends_with(
                "this server accepts TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, \
                 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, \
                 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, \
                 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
            ),
        "{said}"
    );
    assert_eq!(
        client_error,
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::HANDSHAKE_FAILURE
        )))
    );

    // A server given only ECDHE_RSA suites can serve no one, and says why.
    let client = cert_config(&ALL, &[]);
    let server = cert_config(&[CipherSuite::EcdheRsaAes128GcmSha256], &["server"]);
    let (server_error, _) = failing(client, server, 86);
    assert_eq!(
        server_error,
        Some(Event::Error(Error::ServerWithoutCredentials))
    );
    let said = Error::ServerWithoutCredentials.to_string();
    assert!(
        said.contains("ECDHE_RSA ones are for clients only"),
        "{said}"
    );
}

/// A CertificateRequest that takes no ECDSA (rewritten on the way to RSA only): the
/// client sends an empty Certificate (RFC 5246 §7.4.6), and when the server insists,
/// the client's error says its certificate was not of a kind the server takes.
#[test]
fn a_certificate_request_for_rsa_only_gets_no_certificate_and_says_why() {
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let mut server = cert_config(&[suite], &["server"]);
    server.x509_client_verify_configure(2).unwrap();
    let mut p = pair_with(
        cert_config(&[suite], &["client"]),
        server,
        LinkConditions::PERFECT,
        87,
    );
    p.to_client.set_mangler(|_, d| {
        rewrite(d, HandshakeType::CERTIFICATE_REQUEST, &|b: &mut Vec<u8>| {
            let mut request = CertificateRequest::decode(b).unwrap();
            request.certificate_types = vec![1]; // rsa_sign
            request.schemes = vec![0x0804]; // rsa_pss_rsae_sha256
            *b = request.encode();
        })
    });
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    let Some(Event::Error(error)) = p.take_events(Side::Server).pop() else {
        panic!("the server did not fail");
    };
    assert_eq!(
        error,
        Error::certificate(CertificateProblem::Empty, 0),
        "the client sent a certificate"
    );
    let client_error = p.take_events(Side::Client).pop();
    let Some(Event::Error(error)) = client_error else {
        panic!("the client did not fail: {client_error:?}");
    };
    assert_eq!(
        error,
        Error::AlertWithCertificateNotTaken(AlertDescription::HANDSHAKE_FAILURE)
    );
    assert_eq!(error.status().code(), 0x114);
    assert!(
        error.to_string().ends_with(
            "it asked for a certificate of a kind ours is not (it takes no ECDSA P-256 \
             with SHA-256), so none was sent"
        ),
        "{error}"
    );
}

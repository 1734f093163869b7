//! Interoperability with OpenSSL 3 over loopback UDP, both directions, all six suites
//! we serve (PSK; ECDHE-ECDSA with and without client certificates), application data
//! checked both ways; `s_server` with an RSA certificate (ECDHE_RSA, each signature
//! scheme) and `s_client` with an RSA client certificate. Bounded by timeouts; never
//! skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::process::{Process, free_port, openssl, openssl_without_ems};
use common::udp::{LOSSES, LossyProxy, Mishaps, REPEATS, UdpDriver};
use common::{
    ECDSA_SUITES, IDENTITY, KEY, PSK_SUITES, RSA_SUITES, cert, cert_config, fixture_path, hex,
    psk_config, rsa_client_config,
};
use wasm_dtls::x509::{Certificate, PrivateKey};
use wasm_dtls::{
    CipherSuite, Config, CryptoProvider, Event, KeyExchange, NamedGroup, SavedSession, Server,
    Session, Status,
};

const LIMIT: Duration = Duration::from_secs(20);

fn openssl_cipher(suite: CipherSuite) -> &'static str {
    match suite {
        // OpenSSL 3 files CCM8 under security level 0 (TOOLCHAIN.md).
        CipherSuite::PskAes128Ccm8 => "PSK-AES128-CCM8:@SECLEVEL=0",
        CipherSuite::PskAes128GcmSha256 => "PSK-AES128-GCM-SHA256",
        CipherSuite::EcdheEcdsaAes128Ccm8 => "ECDHE-ECDSA-AES128-CCM8:@SECLEVEL=0",
        CipherSuite::EcdheEcdsaAes128GcmSha256 => "ECDHE-ECDSA-AES128-GCM-SHA256",
        CipherSuite::PskChaCha20Poly1305Sha256 => "PSK-CHACHA20-POLY1305",
        CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256 => "ECDHE-ECDSA-CHACHA20-POLY1305",
        CipherSuite::EcdheRsaAes128GcmSha256 => "ECDHE-RSA-AES128-GCM-SHA256",
        CipherSuite::EcdheRsaChaCha20Poly1305Sha256 => "ECDHE-RSA-CHACHA20-POLY1305",
        CipherSuite::PskAes256GcmSha384 => "PSK-AES256-GCM-SHA384",
        CipherSuite::EcdheEcdsaAes256GcmSha384 => "ECDHE-ECDSA-AES256-GCM-SHA384",
        CipherSuite::EcdheRsaAes256GcmSha384 => "ECDHE-RSA-AES256-GCM-SHA384",
        CipherSuite::EcdhePskChaCha20Poly1305Sha256 => "ECDHE-PSK-CHACHA20-POLY1305",
    }
}

/// Every P-256 provider this build has, with each ECDSA suite.
fn providers_and_suites() -> impl Iterator<Item = (&'static CryptoProvider, CipherSuite)> {
    CryptoProvider::ALL
        .iter()
        .flat_map(|p| ECDSA_SUITES.into_iter().map(move |s| (p, s)))
}

/// Waits (while driving the session) until OpenSSL printed `needle`.
fn wait_for_output(driver: &mut UdpDriver, openssl: &Process, needle: &str) -> bool {
    driver.run_until(LIMIT, |_| openssl.output().contains(needle))
}

/// Our client with `config` against `openssl s_server` with `server_args` (after the
/// common ones), through a proxy with `mishaps` if given: the handshake completes
/// with `suite` and data flows both ways. Returns the driver and the server, for
/// further checks.
fn our_client_against_s_server(
    suite: CipherSuite,
    config: Config,
    server_args: &[&str],
    mishaps: Option<Mishaps<'_>>,
) -> (UdpDriver, Process) {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let cipher = openssl_cipher(suite);
    let mut args = vec![
        "s_server", "-dtls1_2", "-accept", &accept, "-cipher", cipher,
    ];
    args.extend_from_slice(server_args);
    args.extend_from_slice(&["-naccept", "1"]);
    let mut server = openssl(&args);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let at: SocketAddr = accept.parse().unwrap();
    let (proxy, peer) = LossyProxy::in_front_of(at, mishaps);
    let mut client = UdpDriver::new(Session::client(Arc::new(config)), socket, peer);
    // OpenSSL may not be listening yet: our ClientHello retransmission covers that.
    let now = client.now();
    client.endpoint.start(now).unwrap();
    assert!(
        client.run_until(LIMIT, UdpDriver::connected),
        "{suite:?}: no handshake; events {:?}; openssl said:\n{}",
        client.events,
        server.output()
    );
    assert!(client.events.contains(&Event::Connected { suite }));

    client.endpoint.send(b"hello from wasm-dtls\n").unwrap();
    assert!(
        wait_for_output(&mut client, &server, "hello from wasm-dtls"),
        "{suite:?}: s_server did not print our data:\n{}",
        server.output()
    );
    server.type_line("hello from openssl");
    assert!(
        client.run_until(LIMIT, |c| c.received() == b"hello from openssl\n"),
        "{suite:?}: got {:?}",
        String::from_utf8_lossy(&client.received())
    );
    assert_eq!(client.endpoint.stats().dropped_bad_mac, 0);
    assert_mishaps_happened(proxy.as_ref());
    (client, server)
}

/// The proxy (if any) carried out every mishap planned.
fn assert_mishaps_happened(proxy: Option<&LossyProxy>) {
    assert!(proxy.is_none_or(LossyProxy::carried_out));
}

/// `openssl s_client` with `client_args` against our server with `config`, through a
/// proxy with `mishaps` if given: the handshake completes with `suite`, data
/// flows both ways and our close_notify ends s_client. Returns our driver and
/// s_client's output.
fn s_client_against_our_server(
    suite: CipherSuite,
    mut config: Config,
    client_args: &[&str],
    mishaps: Option<Mishaps<'_>>,
) -> (UdpDriver, String) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let ours = socket.local_addr().unwrap();
    let (proxy, connect) = LossyProxy::in_front_of(ours, mishaps);
    let connect = connect.to_string();
    let cipher = openssl_cipher(suite);
    let mut args = vec![
        "s_client", "-dtls1_2", "-connect", &connect, "-cipher", cipher,
    ];
    args.extend_from_slice(client_args);
    let mut client = openssl(&args);
    // The server session is made for the first peer that writes to us.
    socket.set_read_timeout(Some(LIMIT)).unwrap();
    let mut buf = vec![0u8; 65_536];
    let (n, peer) = socket.recv_from(&mut buf).expect("s_client sent nothing");
    config.set_key_log(true);
    let session = Session::server(Arc::new(config), peer.to_string().as_bytes());
    let mut server = UdpDriver::new(session, socket, peer);
    let now = server.now();
    server.endpoint.handle_datagram(now, &buf[..n]);
    assert!(
        server.run_until(LIMIT, UdpDriver::connected),
        "{suite:?}: no handshake; events {:?}; openssl said:\n{}",
        server.events,
        client.output()
    );
    assert!(server.events.contains(&Event::Connected { suite }));
    // s_client reports what was negotiated once the handshake is done.
    assert!(wait_for_output(
        &mut server,
        &client,
        "Extended master secret: yes"
    ));

    client.type_line("hello from openssl");
    assert!(
        server.run_until(LIMIT, |s| s.received() == b"hello from openssl\n"),
        "{suite:?}: got {:?}; openssl said:\n{}",
        String::from_utf8_lossy(&server.received()),
        client.output()
    );
    server.endpoint.send(b"hello from wasm-dtls\n").unwrap();
    assert!(
        wait_for_output(&mut server, &client, "hello from wasm-dtls"),
        "{suite:?}: s_client did not print our data:\n{}",
        client.output()
    );
    // Our close_notify makes s_client end the connection.
    server.endpoint.close();
    server.flush();
    let deadline = Instant::now() + LIMIT;
    while !client.output().contains("closed") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = client.output();
    assert!(output.to_lowercase().contains("closed"), "{output}");
    assert_mishaps_happened(proxy.as_ref());
    (server, output)
}

#[test]
fn our_psk_client_talks_to_openssl_s_server() {
    let psk = hex(KEY);
    let identity = String::from_utf8_lossy(IDENTITY).into_owned();
    for suite in PSK_SUITES {
        let args = [
            "-nocert",
            "-psk",
            &psk,
            "-psk_identity",
            &identity,
            "-psk_hint",
            "hint",
        ];
        let (mut client, _) =
            our_client_against_s_server(suite, psk_config(suite, KEY), &args, None);
        client.endpoint.close();
        client.flush();
    }
}

#[test]
fn openssl_psk_s_client_talks_to_our_server() {
    let psk = hex(KEY);
    let identity = String::from_utf8_lossy(IDENTITY).into_owned();
    for suite in PSK_SUITES {
        let args = ["-psk", &psk, "-psk_identity", &identity];
        let (server, _) = s_client_against_our_server(suite, psk_config(suite, KEY), &args, None);
        assert_eq!(server.endpoint.psk_identity(), Some(IDENTITY));
        assert!(server.events.iter().any(|e| matches!(e, Event::KeyLog(_))));
    }
}

#[test]
fn our_certificate_client_talks_to_openssl_s_server() {
    let server_cert = fixture_path("server.crt.pem");
    let server_key = fixture_path("server.key.pem");
    let ca = fixture_path("ca.crt.pem");
    // Each P-256 provider this build has (ring too with `--features ring`).
    for (&provider, suite) in providers_and_suites() {
        let args = ["-cert", &server_cert, "-key", &server_key];
        let mut config = cert_config(&[suite], &[]);
        config.set_crypto_provider(provider);
        let (client, _) = our_client_against_s_server(suite, config, &args, None);
        assert_eq!(
            client.endpoint.peer_certificates(),
            &[cert("server").der().to_vec()]
        );

        // s_server demands a client certificate and checks it against the CA.
        let args = [
            "-cert",
            &server_cert,
            "-key",
            &server_key,
            "-Verify",
            "1",
            "-CAfile",
            &ca,
            "-verify_return_error",
        ];
        let mut config = cert_config(&[suite], &["client"]);
        config.set_crypto_provider(provider);
        let (_, server) = our_client_against_s_server(suite, config, &args, None);
        assert!(
            server.output().contains("wasm-dtls test client"),
            "s_server did not report our certificate:\n{}",
            server.output()
        );
    }
}

#[test]
fn openssl_certificate_s_client_talks_to_our_server() {
    let ca = fixture_path("ca.crt.pem");
    let client_cert = fixture_path("client.crt.pem");
    let client_key = fixture_path("client.key.pem");
    for (&provider, suite) in providers_and_suites() {
        // s_client verifies our chain and the host name, and gives up if either fails.
        let verify = [
            "-CAfile",
            &ca,
            "-verify_return_error",
            "-verify_hostname",
            "localhost",
        ];
        let mut config = cert_config(&[suite], &["server"]);
        config.set_crypto_provider(provider);
        let (_, output) = s_client_against_our_server(suite, config, &verify, None);
        assert!(output.contains("Verify return code: 0 (ok)"), "{output}");

        // Our server requires a client certificate; s_client presents one.
        let mut with_cert = verify.to_vec();
        with_cert.extend_from_slice(&["-cert", &client_cert, "-key", &client_key]);
        let mut config = cert_config(&[suite], &["server"]);
        config.set_crypto_provider(provider);
        config.x509_client_verify_configure(2).unwrap();
        let (server, _) = s_client_against_our_server(suite, config, &with_cert, None);
        // s_client sends the CA after its certificate, as it found it in -CAfile.
        let chain = server.endpoint.peer_certificates();
        assert_eq!(chain.first(), Some(&cert("client").der().to_vec()));
    }
}

#[test]
fn our_client_talks_to_openssl_s_server_with_an_rsa_certificate() {
    let server_cert = fixture_path("rsa-server.crt.pem");
    let server_key = fixture_path("rsa-server.key.pem");
    // OpenSSL's default (RSA-PSS, as it prefers when offered), then each PKCS#1 v1.5
    // and PSS hash forced: every scheme our client offers for RSA.
    let sigalgs = [
        None,
        Some("RSA+SHA256"),
        Some("RSA+SHA384"),
        Some("RSA+SHA512"),
        Some("rsa_pss_rsae_sha256"),
        Some("rsa_pss_rsae_sha384"),
        Some("rsa_pss_rsae_sha512"),
    ];
    for (suite, sigalgs) in RSA_SUITES.into_iter().flat_map(|s| sigalgs.map(|a| (s, a))) {
        let mut args = vec!["-cert", &server_cert, "-key", &server_key];
        args.extend(sigalgs.iter().flat_map(|a| ["-sigalgs", a]));
        let (client, server) =
            our_client_against_s_server(suite, rsa_client_config(&[suite], &[]), &args, None);
        assert_eq!(
            client.endpoint.peer_certificates(),
            &[cert("rsa-server").der().to_vec()],
            "{suite:?} {sigalgs:?}"
        );
        assert!(server.output().contains("hello from wasm-dtls"));
    }

    // The default suites of a client that trusts both CAs: the server's RSA
    // certificate picks ECDHE_RSA. s_server then demands our (P-256) certificate.
    let mut config = rsa_client_config(&CipherSuite::ALL, &["client"]);
    config.set_cipher_suites(&CipherSuite::ALL).unwrap();
    let ca = fixture_path("ca.crt.pem");
    let args = [
        "-cert",
        &server_cert,
        "-key",
        &server_key,
        "-cipher",
        "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305",
        "-Verify",
        "1",
        "-CAfile",
        &ca,
        "-verify_return_error",
    ];
    let (_, server) =
        our_client_against_s_server(CipherSuite::EcdheRsaAes128GcmSha256, config, &args, None);
    assert!(
        server.output().contains("wasm-dtls test client"),
        "s_server did not report our certificate:\n{}",
        server.output()
    );
}

/// RFC 5246 §7.4.6: asked for a certificate of a kind ours is not (RSA signatures
/// only), our client sends an empty Certificate and no CertificateVerify, and a server
/// that only asks (`-verify`) goes on without one.
#[test]
fn our_client_sends_no_certificate_to_a_server_that_takes_only_rsa_ones() {
    let suite = CipherSuite::EcdheRsaAes128GcmSha256;
    let ca = fixture_path("ca.crt.pem");
    let args = [
        "-cert",
        &fixture_path("rsa-server.crt.pem"),
        "-key",
        &fixture_path("rsa-server.key.pem"),
        "-verify",
        "1",
        "-client_sigalgs",
        "rsa_pss_rsae_sha256:rsa_pkcs1_sha256",
        "-CAfile",
        &ca,
    ];
    let config = rsa_client_config(&[suite], &["client"]);
    let (_, server) = our_client_against_s_server(suite, config, &args, None);
    assert!(
        !server.output().contains("wasm-dtls test client"),
        "our certificate was sent:\n{}",
        server.output()
    );
}

#[test]
fn an_ecdsa_server_certificate_signed_by_an_rsa_ca_is_verified() {
    let args = [
        "-cert",
        &fixture_path("ecdsa-under-rsa.crt.pem"),
        "-key",
        &fixture_path("ecdsa-under-rsa.key.pem"),
    ];
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let mut config = Config::new();
    config.set_cipher_suites(&[suite]).unwrap();
    config.trusted_certificate_add(1, cert("rsa-ca")).unwrap();
    config.set_unix_time(common::NOW);
    config.set_server_name(Some("localhost"));
    let (client, _) = our_client_against_s_server(suite, config, &args, None);
    assert_eq!(
        client.endpoint.peer_certificates(),
        &[cert("ecdsa-under-rsa").der().to_vec()]
    );
}

#[test]
fn openssl_s_client_with_an_rsa_certificate_is_verified_by_our_server() {
    // PSS, then PKCS#1 v1.5, each forced (s_client's list also needs ECDSA for the
    // suite, which our certificate signs with).
    for sigalgs in [
        "ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256",
        "ecdsa_secp256r1_sha256:rsa_pkcs1_sha256",
    ] {
        let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
        s_client_certificate_is_verified(suite, "rsa-client", ["-sigalgs", sigalgs]);
    }
}

/// s_client presents the fixture `client` (certificate and key) to our server, which
/// requires one, with `sigalgs` (an s_client option and its value) choosing how it
/// signs: our server verified it and kept its chain.
fn s_client_certificate_is_verified(suite: CipherSuite, client: &str, sigalgs: [&str; 2]) {
    let ca = fixture_path("ca.crt.pem");
    let client_cert = fixture_path(&format!("{client}.crt.pem"));
    let client_key = fixture_path(&format!("{client}.key.pem"));
    let mut config = cert_config(&[suite], &["server"]);
    config.x509_client_verify_configure(2).unwrap();
    let mut args = vec![
        "-CAfile",
        &ca,
        "-verify_return_error",
        "-cert",
        &client_cert,
        "-key",
        &client_key,
    ];
    args.extend(sigalgs);
    let (server, output) = s_client_against_our_server(suite, config, &args, None);
    assert_eq!(
        server.endpoint.peer_certificates().first(),
        Some(&cert(client).der().to_vec()),
        "{output}"
    );
}

/// In a `_SHA384` suite TLS 1.2 may sign with ECDSA and SHA-384 on a P-256 key (0x0503,
/// which Mbed TLS 2 clients use for CertificateVerify there): s_server signs its
/// ServerKeyExchange so, and s_client its CertificateVerify over the SHA-384 transcript.
#[test]
fn ecdsa_with_sha384_signatures_from_openssl_are_verified_both_ways() {
    let suite = CipherSuite::EcdheEcdsaAes256GcmSha384;
    let server_cert = fixture_path("server.crt.pem");
    let server_key = fixture_path("server.key.pem");
    let args = [
        "-cert",
        &server_cert,
        "-key",
        &server_key,
        "-sigalgs",
        "ECDSA+SHA384",
    ];
    let (client, server) =
        our_client_against_s_server(suite, cert_config(&[suite], &[]), &args, None);
    assert_eq!(
        client.endpoint.peer_certificates(),
        &[cert("server").der().to_vec()],
        "{}",
        server.output()
    );

    s_client_certificate_is_verified(suite, "client", ["-client_sigalgs", "ECDSA+SHA384"]);
}

/// OpenSSL's name for `group` in `-groups`, and how s_client reports it as the
/// server's temporary key.
fn openssl_group(group: NamedGroup) -> (&'static str, &'static str) {
    match group {
        NamedGroup::X25519 => ("X25519", "Server Temp Key: X25519"),
        NamedGroup::Secp256r1 => ("P-256", "Server Temp Key: ECDH, prime256v1"),
    }
}

/// Each ECDHE group is agreed with OpenSSL both ways, our side enabling both: s_server
/// allowed only that group, and s_client offering it first. (s_client cannot offer it
/// alone: before TLS 1.3 the list also names the curves a client takes certificates
/// on, RFC 4492 §4, and ours are P-256 — see `Config::set_groups`.)
#[test]
fn each_ecdhe_group_is_agreed_with_openssl_both_ways() {
    let server_cert = fixture_path("server.crt.pem");
    let server_key = fixture_path("server.key.pem");
    let ca = fixture_path("ca.crt.pem");
    for (group, suite) in NamedGroup::ALL.into_iter().zip(ECDSA_SUITES) {
        let (openssl_name, temp_key) = openssl_group(group);
        let config = cert_config(&[suite], &[]);
        let args = [
            "-cert",
            &server_cert,
            "-key",
            &server_key,
            "-groups",
            openssl_name,
        ];
        let (client, _) = our_client_against_s_server(suite, config, &args, None);
        assert_eq!(client.endpoint.group(), Some(group), "{suite:?}");

        let config = cert_config(&[suite], &["server"]);
        let (other, _) = openssl_group(NamedGroup::ALL.into_iter().find(|g| *g != group).unwrap());
        let offered = format!("{openssl_name}:{other}");
        let args = ["-CAfile", &ca, "-verify_return_error", "-groups", &offered];
        let (server, output) = s_client_against_our_server(suite, config, &args, None);
        assert_eq!(server.endpoint.group(), Some(group), "{suite:?}");
        assert!(output.contains(temp_key), "{group}: {output}");
    }
}

/// A key and a self-signed certificate made as OpenSSL's manual pages show —
/// `ecparam -genkey` writes an `EC PARAMETERS` block before the `EC PRIVATE KEY` —
/// serve s_client, which verifies the certificate and the host name.
#[test]
fn a_key_and_certificate_made_with_the_openssl_cli_serve_s_client() {
    let dir = std::env::temp_dir().join(format!("wasm-dtls-ecparam-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("key.pem").display().to_string();
    let crt = dir.join("crt.pem").display().to_string();
    let made = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl {args:?}: {out:?}");
    };
    made(&["ecparam", "-name", "prime256v1", "-genkey", "-out", &key]);
    made(&[
        "req",
        "-new",
        "-x509",
        "-key",
        &key,
        "-subj",
        "/CN=localhost",
        "-days",
        "30",
        "-addext",
        "subjectAltName=DNS:localhost",
        "-out",
        &crt,
    ]);
    let key_pem = std::fs::read(&key).unwrap();
    assert!(String::from_utf8_lossy(&key_pem).starts_with("-----BEGIN EC PARAMETERS-----"));

    let suite = CipherSuite::EcdheEcdsaAes128Ccm8;
    let mut config = Config::new();
    config.set_cipher_suites(&[suite]).unwrap();
    let chain = Certificate::load(&std::fs::read(&crt).unwrap()).unwrap();
    config
        .local_certificate_add(1, chain, PrivateKey::load(&key_pem).unwrap())
        .unwrap();
    let verify = [
        "-CAfile",
        &crt,
        "-verify_return_error",
        "-verify_hostname",
        "localhost",
    ];
    let (_, output) = s_client_against_our_server(suite, config, &verify, None);
    assert!(output.contains("Verify return code: 0 (ok)"), "{output}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_chain_of_several_kilobytes_reaches_openssl_at_an_mtu_of_500() {
    let ca = fixture_path("ca.crt.pem");
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let mut config = cert_config(&[suite], &["big", "intermediate"]);
    config.set_mtu(500).unwrap();
    let args = [
        "-CAfile",
        &ca,
        "-verify_return_error",
        "-verify_hostname",
        "localhost",
        "-mtu",
        "500",
    ];
    let (server, output) = s_client_against_our_server(suite, config, &args, None);
    assert!(output.contains("Verify return code: 0 (ok)"), "{output}");
    // The flight needed many datagrams, none above the MTU.
    assert!(server.endpoint.stats().datagrams_sent >= 10);
    assert!(server.endpoint.max_send_len() < 500);
}

/// Handshakes over a link that loses datagrams both ways (the second ClientHello, the
/// first datagram of the server's flight and the client's final flight, once each), and
/// over one that repeats the first three datagrams of each direction: each side's
/// retransmissions must be understood by the other, and what it already has ignored.
#[test]
fn handshakes_with_openssl_complete_when_flights_are_lost_or_repeated_both_ways() {
    for mishaps in [LOSSES, REPEATS] {
        handshakes_with_openssl_over(mishaps);
    }
}

/// A PSK and an ECDSA handshake each way with OpenSSL through a relay with `mishaps`.
fn handshakes_with_openssl_over(mishaps: Mishaps<'_>) {
    let psk = hex(KEY);
    let identity = String::from_utf8_lossy(IDENTITY).into_owned();
    let suite = CipherSuite::PskAes128GcmSha256;
    let server_args = ["-nocert", "-psk", &psk, "-psk_identity", &identity];
    our_client_against_s_server(suite, psk_config(suite, KEY), &server_args, Some(mishaps));
    let client_args = ["-psk", &psk, "-psk_identity", &identity];
    s_client_against_our_server(suite, psk_config(suite, KEY), &client_args, Some(mishaps));

    let suite = CipherSuite::EcdheEcdsaAes128Ccm8;
    let (cert, key) = (
        fixture_path("server.crt.pem"),
        fixture_path("server.key.pem"),
    );
    let server_args = ["-cert", &cert, "-key", &key];
    our_client_against_s_server(
        suite,
        cert_config(&[suite], &[]),
        &server_args,
        Some(mishaps),
    );
    let ca = fixture_path("ca.crt.pem");
    let client_args = [
        "-CAfile",
        &ca,
        "-verify_return_error",
        "-verify_hostname",
        "localhost",
    ];
    s_client_against_our_server(
        suite,
        cert_config(&[suite], &["server"]),
        &client_args,
        Some(mishaps),
    );
}

/// The error that ended the session, if one did.
fn failure(driver: &UdpDriver) -> Option<Status> {
    driver.events.iter().find_map(|e| match e {
        Event::Error(e) => Some(e.status()),
        _ => None,
    })
}

/// Runs the session against `openssl` (without the extended master secret) until the
/// handshake ends: refused with 0x136 if we `require` it, else completed.
fn assert_ems_outcome(driver: &mut UdpDriver, require: bool, openssl: &Process) {
    let ended = driver.run_until(LIMIT, |d| d.connected() || failure(d).is_some());
    assert!(ended, "no outcome; openssl said:\n{}", openssl.output());
    if require {
        let events = &driver.events;
        assert_eq!(
            failure(driver),
            Some(Status::ExtensionNotFound),
            "{events:?}"
        );
    } else {
        let events = &driver.events;
        assert!(driver.connected(), "{events:?}\n{}", openssl.output());
    }
}

/// An OpenSSL PSK client (started by `start`: `openssl` or `openssl_without_ems`)
/// offering `ciphers` to a socket of ours, its first datagram handed to a
/// `Session::server` of `config`: our server's driver, and the client.
fn psk_client_to_our_server(
    start: fn(&[&str]) -> Process,
    ciphers: &str,
    config: Config,
) -> (UdpDriver, Process) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let connect = socket.local_addr().unwrap().to_string();
    let psk = hex(KEY);
    let identity = String::from_utf8_lossy(IDENTITY).into_owned();
    let s_client = start(&[
        "s_client",
        "-dtls1_2",
        "-connect",
        &connect,
        "-cipher",
        ciphers,
        "-psk",
        &psk,
        "-psk_identity",
        &identity,
    ]);
    socket.set_read_timeout(Some(LIMIT)).unwrap();
    let mut buf = vec![0u8; 65_536];
    let (n, peer) = socket.recv_from(&mut buf).expect("s_client sent nothing");
    let session = Session::server(Arc::new(config), peer.to_string().as_bytes());
    let mut server = UdpDriver::new(session, socket, peer);
    let now = server.now();
    server.endpoint.handle_datagram(now, &buf[..n]);
    (server, s_client)
}

#[test]
fn a_peer_without_the_extended_master_secret_is_refused_only_when_it_is_required() {
    let suite = CipherSuite::PskAes128GcmSha256;
    let psk = hex(KEY);
    let identity = String::from_utf8_lossy(IDENTITY).into_owned();
    let cipher = openssl_cipher(suite);
    for require in [false, true] {
        let mut config = psk_config(suite, KEY);
        config.set_require_extended_master_secret(require);

        // Our client, OpenSSL's server.
        let accept = format!("127.0.0.1:{}", free_port());
        let server = openssl_without_ems(&[
            "s_server",
            "-dtls1_2",
            "-accept",
            &accept,
            "-cipher",
            cipher,
            "-nocert",
            "-psk",
            &psk,
            "-psk_identity",
            &identity,
            "-naccept",
            "1",
        ]);
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut client = UdpDriver::new(
            Session::client(Arc::new(config.clone())),
            socket,
            accept.parse().unwrap(),
        );
        let now = client.now();
        client.endpoint.start(now).unwrap();
        assert_ems_outcome(&mut client, require, &server);

        // OpenSSL's client, our server.
        let (mut server, s_client) = psk_client_to_our_server(openssl_without_ems, cipher, config);
        assert_ems_outcome(&mut server, require, &s_client);
        if !require {
            assert!(
                wait_for_output(&mut server, &s_client, "Extended master secret: no"),
                "{}",
                s_client.output()
            );
        }
    }
}

#[test]
fn a_client_with_no_suite_in_common_is_refused_naming_both_sides() {
    let ours = CipherSuite::PskAes128GcmSha256;
    // OpenSSL offers a suite this engine does not implement, then one it does but this
    // server does not accept.
    let cases = [
        (
            "AES128-SHA",
            "the client offers 1 suite this engine does not implement;",
        ),
        (
            "PSK-AES128-CCM8:AES128-SHA",
            "the client offers TLS_PSK_WITH_AES_128_CCM_8 and 1 suite this engine does not implement;",
        ),
    ];
    for (ciphers, offered) in cases {
        let (mut server, s_client) =
            psk_client_to_our_server(openssl, ciphers, psk_config(ours, KEY));
        let ended = server.run_until(LIMIT, |d| failure(d).is_some());
        assert!(ended, "no outcome; openssl said:\n{}", s_client.output());
        let said = server
            .events
            .iter()
            .find_map(|e| match e {
                Event::Error(e) => Some(e.to_string()),
                _ => None,
            })
            .unwrap_or_default();
        assert!(
            said.starts_with("NX_SECURE_TLS_NO_SUPPORTED_CIPHERS (0x10E): "),
            "{said}"
        );
        assert!(said.contains(offered), "{said}");
        assert!(
            said.ends_with("; this server accepts TLS_PSK_WITH_AES_128_GCM_SHA256"),
            "{said}"
        );
    }
}

/// Our client's configuration for `suite` and the matching `s_server` arguments: the
/// PSK, or the server's certificate.
fn resumption_setup(suite: CipherSuite) -> (Config, Vec<String>) {
    match suite.key_exchange() {
        KeyExchange::Psk | KeyExchange::EcdhePsk => (
            psk_config(suite, KEY),
            vec!["-nocert".into(), "-psk".into(), hex(KEY)],
        ),
        KeyExchange::EcdheEcdsa => (
            cert_config(&[suite], &[]),
            vec![
                "-cert".into(),
                fixture_path("server.crt.pem"),
                "-key".into(),
                fixture_path("server.key.pem"),
            ],
        ),
        KeyExchange::EcdheRsa => (
            rsa_client_config(&[suite], &[]),
            vec![
                "-cert".into(),
                fixture_path("rsa-server.crt.pem"),
                "-key".into(),
                fixture_path("rsa-server.key.pem"),
            ],
        ),
    }
}

#[test]
fn our_client_resumes_its_session_with_openssl_s_server() {
    for suite in [
        CipherSuite::PskAes128Ccm8,
        CipherSuite::EcdheEcdsaAes128GcmSha256,
        CipherSuite::EcdheRsaChaCha20Poly1305Sha256,
    ] {
        let (config, server_args) = resumption_setup(suite);
        let port = free_port();
        let accept = format!("127.0.0.1:{port}");
        let mut args = vec![
            "s_server",
            "-dtls1_2",
            "-accept",
            &accept,
            "-cipher",
            openssl_cipher(suite),
            "-naccept",
            "2",
        ];
        args.extend(server_args.iter().map(String::as_str));
        let mut server = openssl(&args);
        let at: SocketAddr = accept.parse().unwrap();
        // Each connection from its own socket, as a new connection would be.
        let connect = |saved: Option<SavedSession>, message: &str| {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            let mut session = Session::client(Arc::new(config.clone()));
            if let Some(saved) = saved {
                session.set_saved_session(saved).unwrap();
            }
            let mut client = UdpDriver::echo_session(session, socket, at, &server, suite);
            client.endpoint.send(message.as_bytes()).unwrap();
            assert!(
                wait_for_output(&mut client, &server, message),
                "{suite:?}: s_server did not print {message:?}:\n{}",
                server.output()
            );
            client
        };
        let mut first = connect(None, "first connection\n");
        assert!(!first.endpoint.is_resumed());
        let saved = first
            .endpoint
            .saved_session()
            .expect("s_server gave the session an ID");
        first.endpoint.close();
        first.flush();

        let mut second = connect(Some(saved.clone()), "resumed connection\n");
        assert!(second.endpoint.is_resumed(), "{suite:?}");
        assert!(
            server.output().contains("Reused session-id"),
            "{suite:?}: s_server did not resume:\n{}",
            server.output()
        );
        assert_eq!(
            second.endpoint.peer_certificates(),
            saved.peer_certificates()
        );
        server.type_line("from openssl after resumption");
        assert!(
            second.run_until(LIMIT, |c| c.received()
                == b"from openssl after resumption\n"),
            "{suite:?}: got {:?}",
            String::from_utf8_lossy(&second.received())
        );
        second.endpoint.close();
        second.flush();
    }
}

#[test]
fn openssl_s_client_resumes_its_session_with_our_server() {
    let ca = fixture_path("ca.crt.pem");
    let sessions = std::env::temp_dir().join(format!(
        "wasm-dtls-openssl-session-{}.pem",
        std::process::id()
    ));
    let sessions = sessions.to_string_lossy().into_owned();
    for suite in [
        CipherSuite::PskAes128GcmSha256,
        CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256,
    ] {
        let (config, client_args) = match suite.key_exchange() {
            KeyExchange::Psk | KeyExchange::EcdhePsk => {
                let identity = String::from_utf8_lossy(IDENTITY).into_owned();
                let args = vec!["-psk".into(), hex(KEY), "-psk_identity".into(), identity];
                (psk_config(suite, KEY), args)
            }
            // Our server negotiates ECDHE_ECDSA only.
            KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
                let args = vec!["-CAfile".into(), ca.clone(), "-verify_return_error".into()];
                (cert_config(&[suite], &["server"]), args)
            }
        };
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let ours = socket.local_addr().unwrap();
        let mut pool = UdpDriver::pool(config, socket);
        let run = |pool: &mut UdpDriver<Server>,
                   session_file: (&str, &str),
                   line: &str,
                   mishaps: Option<Mishaps<'_>>| {
            let (proxy, at) = LossyProxy::in_front_of(ours, mishaps);
            let connect = at.to_string();
            let mut args = vec![
                "s_client",
                "-dtls1_2",
                "-connect",
                &connect,
                "-cipher",
                openssl_cipher(suite),
                session_file.0,
                session_file.1,
            ];
            args.extend(client_args.iter().map(String::as_str));
            let mut client = openssl(&args);
            pool.events.clear();
            client.type_line(line);
            let id = pool.received_from(&client, suite, format!("{line}\n").as_bytes());
            // Our close_notify ends s_client, which has written its session by then.
            pool.endpoint.session_end(id).unwrap();
            pool.flush();
            assert!(client.wait_for("closed", LIMIT), "{}", client.output());
            assert_mishaps_happened(proxy.as_ref());
            (id, client.output())
        };
        let (first, output) = run(
            &mut pool,
            ("-sess_out", &sessions),
            "first connection",
            None,
        );
        assert!(output.contains("New, TLSv1.2"), "{output}");
        assert!(pool.endpoint.session(first).is_none_or(|s| !s.is_resumed()));
        assert_eq!(pool.endpoint.cached_sessions(), 1);

        let resumed = ("-sess_in", sessions.as_str());
        let (_, output) = run(&mut pool, resumed, "resumed connection", None);
        assert!(output.contains("Reused, TLSv1.2"), "{suite:?}: {output}");
        assert_eq!(pool.endpoint.stats().sessions_resumed, 1, "{suite:?}");

        // Again, losing our ServerHello flight and s_client's final flight once each:
        // s_client resends its ClientHello, our timer our flight, s_client its last.
        let losses = Mishaps {
            drops: (&[3], &[1]),
            swaps: (&[], &[]),
            doubles: (&[], &[]),
        };
        let (_, output) = run(&mut pool, resumed, "over a lossy link", Some(losses));
        assert!(output.contains("Reused, TLSv1.2"), "{suite:?}: {output}");
        assert_eq!(pool.endpoint.stats().sessions_resumed, 2, "{suite:?}");
    }
    let _ = std::fs::remove_file(&sessions);
}

//! Interoperability with GnuTLS (`gnutls-serv` / `gnutls-cli` from Debian's gnutls-bin)
//! over loopback UDP, both directions, all six suites we serve (and ECDHE_RSA from
//! `gnutls-serv` with an RSA certificate), application data both ways; client
//! certificates with ECDHE-ECDSA (ours P-256; theirs P-256 or RSA). Our server side is
//! the pool [`Server`], which answers the first ClientHello statelessly, as a
//! deployment does. Bounded by timeouts; never skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

use common::peer::Run;
use common::process::{Process, free_port};
use common::udp::{LOSSES, LossyProxy, Mishaps, REORDERED_FLIGHT, REPEATS, UdpDriver};
use common::{
    ECDSA_SUITES, IDENTITY, KEY, RSA_SUITES, big_chain, cert, cert_config, fixture_path, hex,
    suite_config,
};
use wasm_dtls::{
    CipherSuite, Config, KeyExchange, NamedGroup, SavedSession, Server, ServerStats, Session,
    SessionId, SessionState,
};

const LIMIT: Duration = Duration::from_secs(20);

/// A GnuTLS priority string that allows DTLS 1.2 with `suite` only, and with
/// `groups` (e.g. `:-GROUP-ALL:+GROUP-X25519`; empty for GnuTLS's own) appended.
fn priority(suite: CipherSuite, groups: &str) -> String {
    let kx = match suite.key_exchange() {
        KeyExchange::Psk => "PSK",
        KeyExchange::EcdheEcdsa => "ECDHE-ECDSA",
        KeyExchange::EcdheRsa => "ECDHE-RSA",
        KeyExchange::EcdhePsk => "ECDHE-PSK",
    };
    let cipher = match suite {
        CipherSuite::PskAes128Ccm8 | CipherSuite::EcdheEcdsaAes128Ccm8 => "AES-128-CCM-8",
        CipherSuite::PskAes128GcmSha256
        | CipherSuite::EcdheEcdsaAes128GcmSha256
        | CipherSuite::EcdheRsaAes128GcmSha256 => "AES-128-GCM",
        CipherSuite::PskChaCha20Poly1305Sha256
        | CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256
        | CipherSuite::EcdheRsaChaCha20Poly1305Sha256
        | CipherSuite::EcdhePskChaCha20Poly1305Sha256 => "CHACHA20-POLY1305",
        CipherSuite::PskAes256GcmSha384
        | CipherSuite::EcdheEcdsaAes256GcmSha384
        | CipherSuite::EcdheRsaAes256GcmSha384 => "AES-256-GCM",
    };
    format!("NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+{kx}:-CIPHER-ALL:+{cipher}{groups}")
}

/// `gnutls-serv` in echo mode on a free port with our PSK and the certificate chain and
/// key in the files `chain` and `key`, plus `extra` arguments.
fn gnutls_serv(
    suite: CipherSuite,
    chain: &str,
    key: &str,
    extra: &[&str],
) -> (Process, SocketAddr) {
    gnutls_serv_with_groups(suite, "", chain, key, extra)
}

/// [`gnutls_serv`] allowing only `groups` (a priority-string suffix).
fn gnutls_serv_with_groups(
    suite: CipherSuite,
    groups: &str,
    chain: &str,
    key: &str,
    extra: &[&str],
) -> (Process, SocketAddr) {
    let port = free_port();
    // gnutls-serv reads PSKs from a file of "identity:hexkey" lines.
    let psk_file = std::env::temp_dir().join(format!("wasm-dtls-gnutls-{port}.psk"));
    let line = format!("{}:{}\n", String::from_utf8_lossy(IDENTITY), hex(KEY));
    std::fs::write(&psk_file, line).unwrap();
    let (port_text, psk_path) = (port.to_string(), psk_file.display().to_string());
    let priority = priority(suite, groups);
    let mut args = vec![
        "--udp",
        "--echo",
        "--port",
        &port_text,
        "--pskpasswd",
        &psk_path,
        "--x509certfile",
        chain,
        "--x509keyfile",
        key,
        "--priority",
        &priority,
    ];
    args.extend_from_slice(extra);
    let server = Process::spawn("gnutls-serv", &args);
    (server, format!("127.0.0.1:{port}").parse().unwrap())
}

/// Our client with `config` against `gnutls-serv`: the handshake completes with
/// `suite` and our data comes back from its echo. Returns the chain the server sent and
/// our counters.
fn our_client_against_gnutls_serv(
    suite: CipherSuite,
    config: Config,
    server: &Process,
    at: SocketAddr,
) -> Run {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let message = format!("hello from wasm-dtls over {suite:?}\n");
    let mut client = UdpDriver::echo_client(config, socket, at, server, suite, message.as_bytes());
    client.endpoint.close();
    client.flush();
    Run {
        chain: client.endpoint.peer_certificates().to_vec(),
        group: client.endpoint.group(),
        stats: client.endpoint.stats(),
    }
}

/// The certificate fixture gnutls-serv serves `suite` with.
fn server_fixture(suite: CipherSuite) -> &'static str {
    match suite.key_exchange() {
        KeyExchange::EcdheRsa => "rsa-server",
        KeyExchange::Psk | KeyExchange::EcdhePsk | KeyExchange::EcdheEcdsa => "server",
    }
}

#[test]
fn our_client_talks_to_gnutls_serv() {
    // Every suite, ECDHE_RSA ones against an RSA certificate.
    for suite in CipherSuite::ALL {
        let name = server_fixture(suite);
        let (server_cert, server_key) = (
            fixture_path(&format!("{name}.crt.pem")),
            fixture_path(&format!("{name}.key.pem")),
        );
        let (server, at) = gnutls_serv(suite, &server_cert, &server_key, &[]);
        let chain =
            our_client_against_gnutls_serv(suite, suite_config(suite, &[]), &server, at).chain;
        let expected = match suite.key_exchange() {
            KeyExchange::Psk | KeyExchange::EcdhePsk => vec![],
            KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => vec![cert(name).der().to_vec()],
        };
        assert_eq!(chain, expected, "{suite:?}");
    }
}

#[test]
fn our_client_presents_its_certificate_to_gnutls_serv() {
    let ca = fixture_path("ca.crt.pem");
    for suite in ECDSA_SUITES.into_iter().chain(RSA_SUITES) {
        let name = server_fixture(suite);
        let (server_cert, server_key) = (
            fixture_path(&format!("{name}.crt.pem")),
            fixture_path(&format!("{name}.key.pem")),
        );
        // gnutls-serv requires a client certificate and verifies it against the CA.
        let (server, at) = gnutls_serv(
            suite,
            &server_cert,
            &server_key,
            &[
                "--require-client-cert",
                "--verify-client-cert",
                "--x509cafile",
                &ca,
            ],
        );
        our_client_against_gnutls_serv(suite, suite_config(suite, &["client"]), &server, at);
    }
}

/// `gnutls-cli` with `extra` arguments (and `groups`, a priority-string suffix)
/// connecting to our pool server with `config` (through a proxy with `mishaps`, if
/// given), run until the server reports the session established with `suite`:
/// gnutls-cli, our driver, the session, the proxy.
fn gnutls_cli_connected_to_our_server(
    suite: CipherSuite,
    groups: &str,
    config: Config,
    extra: &[&str],
    mishaps: Option<Mishaps<'_>>,
) -> (Process, UdpDriver<Server>, SessionId, Option<LossyProxy>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let ours = socket.local_addr().unwrap();
    let (proxy, at) = LossyProxy::in_front_of(ours, mishaps);
    let port = at.port().to_string();
    let psk = hex(KEY);
    let identity = String::from_utf8_lossy(IDENTITY).into_owned();
    let (ca, priority) = (fixture_path("ca.crt.pem"), priority(suite, groups));
    let mut args = vec![
        "--udp",
        "--port",
        &port,
        "--priority",
        &priority,
        "--pskusername",
        &identity,
        "--pskkey",
        &psk,
        // gnutls-cli checks our chain against the CA and the name we connect by.
        "--x509cafile",
        &ca,
        "--verify-hostname",
        "localhost",
    ];
    args.extend_from_slice(extra);
    args.push("127.0.0.1");
    let client = Process::spawn("gnutls-cli", &args);
    let mut driver = UdpDriver::pool(config, socket);
    let session = driver.established(&client, suite);
    (client, driver, session, proxy)
}

/// `gnutls-cli` with `extra` arguments against our pool server with `config`: the
/// handshake completes with `suite`, data flows both ways, and our close_notify ends
/// gnutls-cli. Returns the chain gnutls-cli presented (DER, as our session kept it) and
/// our server's counters.
fn gnutls_cli_against_our_server(
    suite: CipherSuite,
    config: Config,
    extra: &[&str],
) -> (Vec<Vec<u8>>, ServerStats) {
    let (mut client, mut driver, session, _) =
        gnutls_cli_connected_to_our_server(suite, "", config, extra, None);
    let chain = driver.peer_chain(session);
    assert!(
        client.wait_for("Handshake was completed", LIMIT),
        "{}",
        client.output()
    );

    client.type_line("hello from gnutls");
    // gnutls-cli may send a line in more than one record: received_from joins them.
    assert_eq!(
        driver.received_from(&client, suite, b"hello from gnutls\n"),
        session
    );
    driver.reply(session, b"hello from wasm-dtls\n");
    assert!(
        client.wait_for("hello from wasm-dtls", LIMIT),
        "{}",
        client.output()
    );
    // Our close_notify ends gnutls-cli.
    driver.endpoint.session_end(session).unwrap();
    driver.flush();
    assert!(client.wait_exit(LIMIT).is_some(), "{}", client.output());
    let output = client.output();
    assert!(
        output.contains("Peer has closed the GnuTLS connection"),
        "{output}"
    );
    // One cookie exchange, one session, nobody turned away.
    let stats = driver.endpoint.stats();
    assert_eq!(
        (stats.hello_verify_requests, stats.sessions_created),
        (1, 1)
    );
    (chain, stats)
}

/// Each ECDHE group with GnuTLS both ways, our side enabling both: gnutls-serv allowed
/// only that group, and gnutls-cli listing it first (our server takes the client's
/// first; gnutls-cli, like us, wants secp256r1 listed for the certificate).
#[test]
fn each_ecdhe_group_is_agreed_with_gnutls_both_ways() {
    let (server_cert, server_key) = (
        fixture_path("server.crt.pem"),
        fixture_path("server.key.pem"),
    );
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    for (group, only, first) in [
        (
            NamedGroup::X25519,
            ":-GROUP-ALL:+GROUP-X25519",
            ":-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1",
        ),
        (
            NamedGroup::Secp256r1,
            ":-GROUP-ALL:+GROUP-SECP256R1",
            ":-GROUP-ALL:+GROUP-SECP256R1:+GROUP-X25519",
        ),
    ] {
        let (server, at) = gnutls_serv_with_groups(suite, only, &server_cert, &server_key, &[]);
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let message = format!("hello over {group}\n");
        let client = UdpDriver::echo_client(
            suite_config(suite, &[]),
            socket,
            at,
            &server,
            suite,
            message.as_bytes(),
        );
        assert_eq!(client.endpoint.group(), Some(group), "our client");

        let config = suite_config(suite, &["server"]);
        let (client, driver, session, _) =
            gnutls_cli_connected_to_our_server(suite, first, config, &[], None);
        assert!(
            client.wait_for("Handshake was completed", LIMIT),
            "{}",
            client.output()
        );
        let ours = driver.endpoint.session(session).and_then(|s| s.group());
        assert_eq!(ours, Some(group), "our server: {}", client.output());
    }
}

#[test]
fn gnutls_cli_talks_to_our_server() {
    // gnutls-cli 3.7.9 completes an ECDHE_PSK handshake (our server sees its Finished)
    // and then crashes (SIGSEGV) reporting it, against OpenSSL's s_server as well: that
    // suite is proven with gnutls-serv (`our_client_talks_to_gnutls_serv`) only.
    let suites = CipherSuite::SERVED
        .into_iter()
        .filter(|s| s.key_exchange() != KeyExchange::EcdhePsk);
    for suite in suites {
        let (chain, _) =
            gnutls_cli_against_our_server(suite, suite_config(suite, &["server"]), &[]);
        assert!(chain.is_empty(), "{suite:?}: we asked for no certificate");
    }
}

#[test]
fn gnutls_cli_presents_its_certificate_to_our_server() {
    // A P-256 client certificate with each suite, and an RSA one.
    let clients = ECDSA_SUITES
        .map(|suite| (suite, "client"))
        .into_iter()
        .chain([(CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256, "rsa-client")]);
    for (suite, name) in clients {
        let (client_cert, client_key) = (
            fixture_path(&format!("{name}.crt.pem")),
            fixture_path(&format!("{name}.key.pem")),
        );
        let mut config = suite_config(suite, &["server"]);
        config.x509_client_verify_configure(2).unwrap();
        let args = ["--x509certfile", &client_cert, "--x509keyfile", &client_key];
        let (chain, _) = gnutls_cli_against_our_server(suite, config, &args);
        assert_eq!(chain.first(), Some(&cert(name).der().to_vec()), "{suite:?}");
    }
}

/// A chain of several kilobytes in flights fragmented to a 500-byte MTU, both ways:
/// GnuTLS's fragments reassembled by our client — with neighbouring datagrams of its
/// flight swapped on the way, without asking for the flight again — ours by gnutls-cli.
#[test]
fn a_chain_of_several_kilobytes_crosses_an_mtu_of_500_both_ways() {
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let (expected, chain_path) = big_chain();
    let key = fixture_path("big.key.pem");
    let (server, at) = gnutls_serv(suite, &chain_path, &key, &["--mtu", "500"]);
    // Listening, so that our first ClientHello is not lost (no retransmission).
    assert!(server.wait_for("...done", LIMIT), "{}", server.output());
    let proxy = LossyProxy::with(at, REORDERED_FLIGHT);
    let mut ours = suite_config(suite, &[]);
    ours.set_mtu(500).unwrap();
    let run = our_client_against_gnutls_serv(suite, ours, &server, proxy.addr);
    assert!(proxy.carried_out());
    assert_eq!(run.chain, expected);
    assert_eq!(run.stats.retransmissions, 0, "{:?}", run.stats);

    let mut ours = cert_config(&[suite], &["big", "intermediate"]);
    ours.set_mtu(500).unwrap();
    let (_, stats) = gnutls_cli_against_our_server(suite, ours, &["--mtu", "500"]);
    // The server's flight alone needed many datagrams.
    assert!(stats.datagrams_sent >= 8, "{stats:?}");
}

/// `gnutls-cli --rehandshake` asks for a new handshake as soon as the first completes:
/// each ClientHello is refused with a no_renegotiation warning and the session stays
/// up. (Its ClientHello starts again at message_seq 0; it used to be taken for a repeat
/// of the client's last flight and answered by resending ours.)
#[test]
fn a_renegotiation_from_gnutls_cli_is_refused_and_the_session_stays_up() {
    let suite = CipherSuite::PskAes128GcmSha256;
    let (client, mut driver, session, _) = gnutls_cli_connected_to_our_server(
        suite,
        "",
        suite_config(suite, &[]),
        &["--rehandshake"],
        None,
    );
    let refused = |d: &UdpDriver<Server>| {
        d.endpoint
            .session_stats(session)
            .map_or(0, |s| s.renegotiations_refused)
    };
    assert!(
        driver.run_until(LIMIT, |d| refused(d) >= 1),
        "events {:?}; gnutls-cli said:\n{}",
        driver.events,
        client.output()
    );
    assert_eq!(
        driver.endpoint.session_state(session),
        Some(SessionState::Connected)
    );
    assert_eq!(
        driver
            .endpoint
            .session_stats(session)
            .unwrap()
            .retransmissions,
        0
    );
    assert!(
        client.wait_for("warning alert has been received", LIMIT),
        "{}",
        client.output()
    );
}

/// Handshakes over a link that loses datagrams both ways (the second ClientHello, the
/// first datagram of the server's flight and the client's final flight, once each), and
/// over one that repeats the first three datagrams of each direction: each side's
/// retransmissions must be understood by the other, and what it already has ignored.
#[test]
fn handshakes_complete_when_flights_are_lost_or_repeated_both_ways() {
    let (server_cert, server_key) = (
        fixture_path("server.crt.pem"),
        fixture_path("server.key.pem"),
    );
    for suite in [
        CipherSuite::PskAes128Ccm8,
        CipherSuite::EcdheEcdsaAes128GcmSha256,
    ] {
        for mishaps in [LOSSES, REPEATS] {
            let (server, at) = gnutls_serv(suite, &server_cert, &server_key, &[]);
            let proxy = LossyProxy::with(at, mishaps);
            let config = suite_config(suite, &[]);
            our_client_against_gnutls_serv(suite, config, &server, proxy.addr);
            assert!(proxy.carried_out(), "{suite:?} {mishaps:?}");

            let (_, driver, session, proxy) = gnutls_cli_connected_to_our_server(
                suite,
                "",
                suite_config(suite, &["server"]),
                &[],
                Some(mishaps),
            );
            assert!(
                proxy.is_some_and(|p| p.carried_out()),
                "{suite:?} {mishaps:?}"
            );
            // Lost or repeated, the client's flight made us send ours again.
            let stats = driver.endpoint.session_stats(session).unwrap();
            assert!(stats.retransmissions >= 1, "{suite:?}: {stats:?}");
        }
    }
}

#[test]
fn our_client_resumes_its_session_with_gnutls_serv() {
    let (server_cert, server_key) = (
        fixture_path("server.crt.pem"),
        fixture_path("server.key.pem"),
    );
    for suite in [
        CipherSuite::PskChaCha20Poly1305Sha256,
        CipherSuite::EcdheEcdsaAes128Ccm8,
    ] {
        let (server, at) = gnutls_serv(suite, &server_cert, &server_key, &[]);
        let connect = |saved: Option<SavedSession>| {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            let message = format!("hello from wasm-dtls over {suite:?}\n");
            let mut session = Session::client(Arc::new(suite_config(suite, &[])));
            if let Some(saved) = saved {
                session.set_saved_session(saved).unwrap();
            }
            let mut client = UdpDriver::echo_session(session, socket, at, &server, suite);
            client.endpoint.send(message.as_bytes()).unwrap();
            assert!(
                client.run_until(LIMIT, |c| c.received() == message.as_bytes()),
                "{suite:?}: echo {:?}; gnutls-serv said:\n{}",
                String::from_utf8_lossy(&client.received()),
                server.output()
            );
            client.endpoint.close();
            client.flush();
            client
        };
        let first = connect(None);
        assert!(!first.endpoint.is_resumed());
        let saved = first
            .endpoint
            .saved_session()
            .expect("gnutls-serv gave the session an ID");
        let second = connect(Some(saved));
        assert!(
            second.endpoint.is_resumed(),
            "{suite:?}: gnutls-serv said:\n{}",
            server.output()
        );
    }
}

#[test]
fn gnutls_cli_resumes_its_session_with_our_server() {
    for suite in [
        CipherSuite::PskAes128Ccm8,
        CipherSuite::EcdheEcdsaAes128GcmSha256,
    ] {
        // gnutls-cli --resume connects, says goodbye, and connects again offering the
        // session (from a new port: a new session in our pool).
        let (mut client, mut driver, _, _) = gnutls_cli_connected_to_our_server(
            suite,
            "",
            suite_config(suite, &["server"]),
            &["--resume"],
            None,
        );
        assert!(
            driver.run_until(LIMIT, |d| d.endpoint.stats().sessions_resumed == 1),
            "{suite:?}: events {:?}; gnutls-cli said:\n{}",
            driver.events,
            client.output()
        );
        assert!(
            client.wait_for("This is a resumed session", LIMIT),
            "{}",
            client.output()
        );
        assert_eq!(driver.endpoint.stats().sessions_created, 2);
        driver.events.clear();
        client.type_line("after resumption");
        let session = driver.received_from(&client, suite, b"after resumption\n");
        assert!(driver.endpoint.session(session).unwrap().is_resumed());
    }
}

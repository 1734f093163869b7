//! Interoperability with Mbed TLS 2.28 (through PyPI's python-mbedtls, driven by
//! `tests/interop/mbedtls_peer.py`) over loopback UDP, both directions, all four
//! suites, data both ways; client certificates with ECDHE-ECDSA. Our server side is the
//! pool [`Server`]. scripts/test.sh installs the package into `target/interop-venv` (or
//! set WASM_DTLS_INTEROP_PYTHON). Bounded by timeouts; never skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use common::process::{Process, free_port};
use common::udp::UdpDriver;
use common::{ECDSA_SUITES, IDENTITY, KEY, cert, fixture_path, hex, interop_python, suite_config};
use wasm_dtls::{CipherSuite, Config};

const LIMIT: Duration = Duration::from_secs(20);

/// Mbed TLS's name of `suite`.
fn mbedtls_suite(suite: CipherSuite) -> &'static str {
    match suite {
        CipherSuite::PskAes128Ccm8 => "TLS-PSK-WITH-AES-128-CCM-8",
        CipherSuite::PskAes128GcmSha256 => "TLS-PSK-WITH-AES-128-GCM-SHA256",
        CipherSuite::EcdheEcdsaAes128Ccm8 => "TLS-ECDHE-ECDSA-WITH-AES-128-CCM-8",
        CipherSuite::EcdheEcdsaAes128GcmSha256 => "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256",
    }
}

/// The Mbed TLS peer in `mode` on `port` with `suite` and `credentials` (the script's
/// options, file names relative to tests/fixtures).
fn mbedtls(mode: &str, port: u16, suite: CipherSuite, credentials: &[(&str, &str)]) -> Process {
    let script = format!(
        "{}/tests/interop/mbedtls_peer.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let port = port.to_string();
    let psk = format!("{}:{}", String::from_utf8_lossy(IDENTITY), hex(KEY));
    let mut args = vec![
        script,
        mode.to_string(),
        port,
        mbedtls_suite(suite).to_string(),
    ];
    for (option, value) in credentials {
        let value = match *option {
            "--psk" => psk.clone(),
            "--message" => value.to_string(),
            _ => fixture_path(value),
        };
        args.extend([option.to_string(), value]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Process::spawn(&interop_python(), &args)
}

/// The Mbed TLS server's credentials: the PSK and the server certificate.
const SERVER: [(&str, &str); 3] = [
    ("--psk", ""),
    ("--cert", "server.crt.pem"),
    ("--key", "server.key.pem"),
];

/// The Mbed TLS client's: the PSK, and the CA to verify our server with.
const CLIENT: [(&str, &str); 2] = [("--psk", ""), ("--ca", "ca.crt.pem")];

/// Credentials plus a CA (an Mbed TLS server with one requires client certificates)
/// or a client certificate.
fn with(
    base: &[(&'static str, &'static str)],
    more: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    base.iter().chain(more).copied().collect()
}

/// Our client with `config` against an Mbed TLS server: the handshake completes with
/// `suite`, and our data comes back from its echo.
fn our_client_against_mbedtls(
    suite: CipherSuite,
    config: Config,
    server_credentials: &[(&str, &str)],
) {
    let port = free_port();
    let server = mbedtls("server", port, suite, server_credentials);
    assert!(server.wait_for("listening", LIMIT), "{}", server.output());
    let at: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let message = format!("hello from wasm-dtls over {suite:?}");
    UdpDriver::echo_client(config, socket, at, &server, suite, message.as_bytes());
    assert!(
        server.wait_for(&format!("received: {message}"), LIMIT),
        "{}",
        server.output()
    );
}

#[test]
fn our_client_talks_to_an_mbedtls_server() {
    for suite in CipherSuite::ALL {
        our_client_against_mbedtls(suite, suite_config(suite, &[]), &SERVER);
    }
}

#[test]
fn our_client_presents_its_certificate_to_an_mbedtls_server() {
    // With a CA, the Mbed TLS server requires a client certificate and verifies it.
    for suite in ECDSA_SUITES {
        let server = [
            ("--ca", "ca.crt.pem"),
            ("--cert", "server.crt.pem"),
            ("--key", "server.key.pem"),
        ];
        our_client_against_mbedtls(suite, suite_config(suite, &["client"]), &server);
    }
}

/// An Mbed TLS client with `client_credentials` against our pool server with
/// `config`: the handshake completes with `suite` and the client prints our reply.
/// Returns the chain the client presented.
fn mbedtls_client_against_our_server(
    suite: CipherSuite,
    config: Config,
    client_credentials: &[(&str, &str)],
) -> Vec<Vec<u8>> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let mut credentials = client_credentials.to_vec();
    credentials.push(("--message", "hello from mbed TLS"));
    let mut client = mbedtls("client", port, suite, &credentials);
    let mut driver = UdpDriver::pool(config, socket);
    let session = driver.received_from(&client, suite, b"hello from mbed TLS");
    let chain = driver
        .endpoint
        .session(session)
        .unwrap()
        .peer_certificates()
        .to_vec();
    driver.reply(session, b"hello from wasm-dtls");
    client.finishes_saying("reply: hello from wasm-dtls", LIMIT);
    chain
}

#[test]
fn an_mbedtls_client_talks_to_our_server() {
    for suite in CipherSuite::ALL {
        let chain =
            mbedtls_client_against_our_server(suite, suite_config(suite, &["server"]), &CLIENT);
        assert!(chain.is_empty(), "{suite:?}: we asked for no certificate");
    }
}

#[test]
fn an_mbedtls_client_presents_its_certificate_to_our_server() {
    for suite in ECDSA_SUITES {
        let mut config = suite_config(suite, &["server"]);
        config.x509_client_verify_configure(2).unwrap();
        let chain = mbedtls_client_against_our_server(
            suite,
            config,
            &with(
                &CLIENT,
                &[("--cert", "client.crt.pem"), ("--key", "client.key.pem")],
            ),
        );
        assert_eq!(
            chain.first(),
            Some(&cert("client").der().to_vec()),
            "{suite:?}"
        );
    }
}

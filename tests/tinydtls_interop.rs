//! Interoperability with tinydtls, the DTLS library of many constrained devices, over
//! loopback UDP (IPv6, as its Python binding uses), both directions, with the suite
//! tinydtls has for PSK (TLS_PSK_WITH_AES_128_CCM_8) and data both ways. The peer is
//! `tests/interop/tinydtls_peer.py` on the DTLSSocket package, which scripts/test.sh
//! installs into `target/interop-venv` (or set WASM_DTLS_INTEROP_PYTHON to a Python
//! that has it). Bounded by timeouts; never skipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use common::process::Process;
use common::udp::UdpDriver;
use common::{IDENTITY, KEY, hex, interop_python, psk_config};
use wasm_dtls::{CipherSuite, ServerEvent};

const LIMIT: Duration = Duration::from_secs(20);
const SUITE: CipherSuite = CipherSuite::PskAes128Ccm8;

/// The tinydtls peer script in `mode`, on `port` of [::1], with our PSK.
fn tinydtls(mode: &str, port: u16, message: Option<&str>) -> Process {
    let script = format!(
        "{}/tests/interop/tinydtls_peer.py",
        env!("CARGO_MANIFEST_DIR")
    );
    let (port, identity, key) = (
        port.to_string(),
        String::from_utf8_lossy(IDENTITY),
        hex(KEY),
    );
    let mut args = vec![script.as_str(), mode, &port, &identity, &key];
    args.extend(message);
    Process::spawn(&interop_python(), &args)
}

/// A socket on a free port of [::1].
fn loopback6() -> UdpSocket {
    UdpSocket::bind("[::1]:0").expect("bind [::1]")
}

#[test]
fn our_client_talks_to_a_tinydtls_server() {
    let port = loopback6().local_addr().unwrap().port();
    let server = tinydtls("server", port, None);
    assert!(server.wait_for("listening", LIMIT), "{}", server.output());
    let at: SocketAddr = format!("[::1]:{port}").parse().unwrap();
    let config = psk_config(SUITE, KEY);
    let message = b"hello from wasm-dtls";
    let mut client = UdpDriver::echo_client(config, loopback6(), at, &server, SUITE, message);
    // Our close_notify ends tinydtls's session.
    client.endpoint.close();
    client.flush();
    assert!(server.wait_for("closed", LIMIT), "{}", server.output());
}

#[test]
fn a_tinydtls_client_talks_to_our_server() {
    let socket = loopback6();
    let port = socket.local_addr().unwrap().port();
    let mut client = tinydtls("client", port, Some("hello from tinydtls"));
    let mut driver = UdpDriver::pool(psk_config(SUITE, KEY), socket);
    let session = driver.received_from(&client, SUITE, b"hello from tinydtls");
    driver.reply(session, b"hello from wasm-dtls");
    // tinydtls prints our reply, sends close_notify and exits.
    assert!(
        driver.run_until(LIMIT, |d| d
            .events
            .iter()
            .any(|e| matches!(e, ServerEvent::Disconnect { .. }))),
        "events {:?}; tinydtls said:\n{}",
        driver.events,
        client.output()
    );
    client.finishes_saying("reply: hello from wasm-dtls", LIMIT);
}

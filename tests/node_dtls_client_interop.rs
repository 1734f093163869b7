//! Interoperability with node-dtls-client (npm; a DTLS client written in JavaScript,
//! PSK only, common in Node programs for CoAP gateways) against our pool [`Server`]
//! over loopback UDP, its three AES PSK suites (no ChaCha20-Poly1305 there), data both
//! ways. The peer is `tests/interop/node_dtls_client_peer.cjs`; scripts/test.sh installs
//! the package (pinned) into `target/interop-npm`. Bounded by timeouts; never skipped.
//!
//! node-dtls-client drops a ServerHello whose record number repeats the
//! HelloVerifyRequest's, as our pool's did once: its handshakes then timed out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::net::UdpSocket;
use std::time::Duration;

use common::process::Process;
use common::udp::UdpDriver;
use common::{AES_SUITES, IDENTITY, KEY};
use wasm_dtls::{CipherSuite, Config, KeyExchange};

const LIMIT: Duration = Duration::from_secs(20);

#[test]
fn node_dtls_client_talks_to_our_server() {
    // node-dtls-client has no ChaCha20-Poly1305: its three AES PSK suites (its
    // AES-256-GCM one with the SHA-384 PRF).
    let suites = AES_SUITES
        .into_iter()
        .filter(|s| s.key_exchange() == KeyExchange::Psk)
        .chain([CipherSuite::PskAes256GcmSha384]);
    for suite in suites {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port().to_string();
        let script = format!(
            "{}/tests/interop/node_dtls_client_peer.cjs",
            env!("CARGO_MANIFEST_DIR")
        );
        let name = suite.iana_name();
        let identity = String::from_utf8_lossy(IDENTITY).into_owned();
        let key = String::from_utf8_lossy(KEY).into_owned();
        let message = format!("hello from node-dtls-client over {name}");
        let mut client = Process::spawn("node", &[&script, &port, name, &identity, &key, &message]);
        // Without an identity hint: node-dtls-client cannot read a PSK
        // ServerKeyExchange (it fails on message type 12), so the hint must stay unset
        // for its clients.
        let mut config = Config::new();
        config.psk_add(KEY, IDENTITY, b"").unwrap();
        config.set_cipher_suites(&[suite]).unwrap();
        let mut driver = UdpDriver::pool(config, socket);
        let session = driver.received_from(&client, suite, message.as_bytes());
        let stats = driver.endpoint.session_stats(session).unwrap();
        assert_eq!(stats.retransmissions, 0);
        driver.reply(session, b"hello from wasm-dtls");
        client.finishes_saying("reply: hello from wasm-dtls", LIMIT);
    }
}

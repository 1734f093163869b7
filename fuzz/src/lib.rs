//! What the fuzz targets share: seeded client/server pairs driven to a chosen point of
//! the handshake, and the datagrams of a recorded real handshake.

use core::time::Duration;
use std::sync::Arc;

use wasm_dtls::sim::{LinkConditions, Pair};
use wasm_dtls::x509::{Certificate, PrivateKey};
use wasm_dtls::{CipherSuite, Config, Role, SeededRandom, Session};

const CA: &[u8] = include_bytes!("../../tests/fixtures/ca.crt.pem");
const SERVER_CERT: &[u8] = include_bytes!("../../tests/fixtures/server.crt.pem");
const SERVER_KEY: &[u8] = include_bytes!("../../tests/fixtures/server.key.pem");
/// Inside the fixtures' validity.
const NOW: u64 = 1_893_456_000;

/// Client and server configurations for `suite`, with the test credentials.
pub fn configs(suite: CipherSuite) -> (Config, Config) {
    let mut client = Config::new();
    let mut server = Config::new();
    for c in [&mut client, &mut server] {
        let _ = c.set_cipher_suites(&[suite]);
        let _ = c.psk_add(b"0123456789abcdef", b"fuzz", b"");
        c.set_unix_time(NOW);
        if let Ok(mut ca) = Certificate::load(CA) {
            let _ = c.trusted_certificate_add(1, ca.remove(0));
        }
    }
    client.set_server_name(Some("localhost"));
    if let (Ok(chain), Ok(key)) = (Certificate::load(SERVER_CERT), PrivateKey::load(SERVER_KEY)) {
        let _ = server.local_certificate_add(1, chain, key);
    }
    (client, server)
}

/// One of the suites, chosen by a byte.
pub fn suite(selector: u8) -> CipherSuite {
    let all = CipherSuite::ALL;
    all[usize::from(selector) % all.len()]
}

/// A seeded client and server session for `suite`; the server gives session IDs.
fn sessions(suite: CipherSuite) -> (Session, Session) {
    let (client, server) = configs(suite);
    let client = Session::with_rng(
        Role::Client,
        Arc::new(client),
        &[],
        Box::new(SeededRandom::new(1)),
    );
    let mut server = Session::with_rng(
        Role::Server,
        Arc::new(server),
        b"192.0.2.1:5684",
        Box::new(SeededRandom::new(2)),
    );
    server.set_session_ids(true);
    (client, server)
}

/// `client` and `server` on a perfect link, started.
fn started(client: Session, server: Session) -> Pair {
    let mut p = Pair::new(
        client,
        server,
        LinkConditions::PERFECT,
        LinkConditions::PERFECT,
        3,
    );
    let _ = p.start();
    p
}

/// A seeded pair on a perfect link, started.
pub fn pair(suite: CipherSuite) -> Pair {
    let (client, server) = sessions(suite);
    started(client, server)
}

/// A seeded pair whose client offers, and whose server holds, the session of a full
/// handshake before it, started: the abbreviated handshake.
pub fn resumed_pair(suite: CipherSuite) -> Pair {
    let mut full = pair(suite);
    full.handshake(Duration::from_secs(60));
    let (mut client, mut server) = sessions(suite);
    if let (Some(ours), Some(theirs)) = (full.client.saved_session(), full.server.saved_session()) {
        let _ = client.set_saved_session(ours);
        let _ = server.set_saved_session(theirs);
    }
    started(client, server)
}

/// A selector byte's pair: below 128 [`pair`], from 128 [`resumed_pair`], the suite
/// chosen by the low seven bits.
pub fn selected_pair(selector: u8) -> Pair {
    let suite = suite(selector & 0x7f);
    if selector >= 128 {
        resumed_pair(suite)
    } else {
        pair(suite)
    }
}

/// The datagrams of a complete handshake with `suite`, both directions in send order,
/// each tagged `true` when it went to the server.
pub fn recorded_handshake(suite: CipherSuite) -> Vec<(bool, Vec<u8>)> {
    recorded(pair(suite))
}

/// The same for the abbreviated handshake of [`resumed_pair`].
pub fn recorded_resumption(suite: CipherSuite) -> Vec<(bool, Vec<u8>)> {
    recorded(resumed_pair(suite))
}

/// The datagrams of `p`'s handshake, run to the end.
fn recorded(mut p: Pair) -> Vec<(bool, Vec<u8>)> {
    p.to_server.record_transfers(true);
    p.to_client.record_transfers(true);
    p.handshake(Duration::from_secs(60));
    let mut all: Vec<(u64, bool, Vec<u8>)> = p
        .to_server
        .transfers()
        .iter()
        .map(|t| (t.sent_at.as_millis(), true, t.bytes.clone()))
        .chain(
            p.to_client
                .transfers()
                .iter()
                .map(|t| (t.sent_at.as_millis(), false, t.bytes.clone())),
        )
        .collect();
    all.sort_by_key(|(at, _, _)| *at);
    all.into_iter()
        .map(|(_, to_server, bytes)| (to_server, bytes))
        .collect()
}

/// Splits fuzz input into datagrams: each is a big-endian u16 length and that many
/// bytes (the last takes what is left).
pub fn datagrams(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let take = len.min(rest.len());
        out.push(&rest[..take]);
        data = &rest[take..];
    }
    out
}

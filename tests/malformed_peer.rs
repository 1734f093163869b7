//! A broken or hostile peer: every malformation fails cleanly with its NetX code on the
//! side that sees it, and the other side learns of it by alert (NetX regression
//! scenario 15). Nothing panics, nothing hangs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use core::time::Duration;

use common::{pair, rewrite};
use wasm_dtls::handshake::{HandshakeType, ServerHello, encode_message};
use wasm_dtls::record::{ContentType, RecordHeader};
use wasm_dtls::sim::{LinkConditions, Side};
use wasm_dtls::{AlertDescription, CipherSuite, Error, Event, SessionState};

const LIMIT: Duration = Duration::from_secs(30);

/// Runs a handshake whose server→client messages of type `target` are edited, and
/// returns the client's error and the server's last event.
fn client_sees(target: HandshakeType, edit: fn(&mut Vec<u8>)) -> (Event, Option<Event>) {
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 40);
    p.to_client
        .set_mangler(move |_, d| rewrite(d, target, &|b: &mut Vec<u8>| edit(b)));
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    p.run_until(LIMIT, |p| p.to_server.in_flight() == 0);
    let client = p.take_events(Side::Client).pop().unwrap();
    (client, p.take_events(Side::Server).pop())
}

fn edit_server_hello(b: &mut Vec<u8>, f: fn(&mut ServerHello)) {
    let mut sh = ServerHello::decode(b).unwrap();
    f(&mut sh);
    *b = sh.encode();
}

#[test]
fn server_hello_with_another_version_is_refused() {
    let (client, server) = client_sees(HandshakeType::SERVER_HELLO, |b| {
        edit_server_hello(b, |sh| sh.server_version = 0xFEFF)
    });
    assert_eq!(client, Event::Error(Error::UnsupportedVersion(0xFEFF)));
    assert_eq!(Error::UnsupportedVersion(0).status().code(), 0x110);
    assert_eq!(
        server,
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::PROTOCOL_VERSION
        )))
    );
}

#[test]
fn server_hello_with_an_unoffered_suite_is_refused() {
    let (client, server) = client_sees(HandshakeType::SERVER_HELLO, |b| {
        edit_server_hello(b, |sh| sh.cipher_suite = 0x00A8)
    });
    assert_eq!(client, Event::Error(Error::UnknownCiphersuite(0x00A8)));
    assert_eq!(Error::UnknownCiphersuite(0).status().code(), 0x105);
    assert_eq!(
        server,
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::ILLEGAL_PARAMETER
        )))
    );
}

#[test]
fn server_hello_with_compression_is_refused() {
    let (client, _) = client_sees(HandshakeType::SERVER_HELLO, |b| {
        edit_server_hello(b, |sh| sh.compression_method = 1)
    });
    assert_eq!(client, Event::Error(Error::BadCompressionMethod));
    assert_eq!(Error::BadCompressionMethod.status().code(), 0x118);
}

#[test]
fn server_hello_with_inconsistent_lengths_is_a_decode_error() {
    // The session id length claims more bytes than the message has.
    let (client, server) = client_sees(HandshakeType::SERVER_HELLO, |b| b[34] = 200);
    let Event::Error(e) = client else {
        panic!("{client:?}")
    };
    assert_eq!(e.status().code(), 0x10A, "{e}");
    assert!(e.to_string().contains("malformed ServerHello"), "{e}");
    assert_eq!(
        server,
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::DECODE_ERROR
        )))
    );
}

#[test]
fn a_corrupted_cookie_length_fails_with_incorrect_message_length() {
    // NetX regression scenario 8: the HelloVerifyRequest's cookie length is wrong.
    let (client, _) = client_sees(HandshakeType::HELLO_VERIFY_REQUEST, |b| b[2] = 40);
    let Event::Error(e) = client else {
        panic!("{client:?}")
    };
    assert_eq!(e.status().code(), 0x10A, "{e}");
}

#[test]
fn an_oversized_message_is_refused_with_packet_buffer_too_small() {
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 41);
    p.to_client.set_mangler(|_, d| {
        // Claim a 1 MB ServerHello: the first byte after the record header is the
        // handshake type, then the 24-bit length.
        if d[13] == HandshakeType::SERVER_HELLO.0 {
            d[14] = 0x10;
        }
    });
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    let Some(Event::Error(e)) = p.take_events(Side::Client).pop() else {
        panic!()
    };
    assert_eq!(e.status().code(), 0x135, "{e}");
}

#[test]
fn a_truncated_handshake_header_is_incorrect_message_length() {
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 42);
    p.to_client.set_mangler(|index, d| {
        if index == 1 {
            // Keep the record header and 5 bytes of the handshake header.
            d.truncate(18);
            d[11] = 0;
            d[12] = 5;
        }
    });
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    let Some(Event::Error(e)) = p.take_events(Side::Client).pop() else {
        panic!()
    };
    assert_eq!(e.status().code(), 0x10A, "{e}");
}

#[test]
fn a_plaintext_hello_request_on_an_established_session_is_ignored_and_counted() {
    // An off-path attacker can forge epoch-0 records; once connected they must not
    // reach the handshake (NetX scenario 15 reports an error; we drop and go on).
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 43);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    let hello_request = encode_message(HandshakeType::HELLO_REQUEST, 5, &[]);
    let mut d = Vec::new();
    RecordHeader {
        content_type: ContentType::HANDSHAKE,
        version: 0xFEFD,
        epoch: 0,
        sequence: 99,
        length: hello_request.len() as u16,
    }
    .encode(&mut d);
    d.extend_from_slice(&hello_request);
    let before = p.client.stats().dropped_unexpected;
    let now = p.now();
    p.client.handle_datagram(now, &d);
    assert_eq!(p.client.stats().dropped_unexpected, before + 1);
    assert!(p.client.is_connected());
    p.send(Side::Client, b"still fine").unwrap();
    p.run_until(LIMIT, |p| !p.received(Side::Server).is_empty());
    assert_eq!(p.received(Side::Server), vec![b"still fine".to_vec()]);
}

//! Attacks on a session, as tests: downgrades, overlapping and flooding fragments,
//! forged plaintext alerts and handshake messages after the handshake, replayed
//! flights. Each ends in a clean refusal with its NetX code, or is dropped and counted
//! while the session carries on.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use core::time::Duration;

use common::{pair, rewrite};
use wasm_dtls::handshake::{
    ClientHello, HandshakeHeader, HandshakeType, ServerHello, encode_message,
};
use wasm_dtls::record::{ContentType, DTLS_1_2, RecordHeader};
use wasm_dtls::sim::{LinkConditions, Pair, Side};
use wasm_dtls::{AlertDescription, CipherSuite, Error, Event, SessionState};

const LIMIT: Duration = Duration::from_secs(60);

/// An epoch-0 record carrying `fragment`.
fn plaintext_record(content_type: ContentType, sequence: u64, fragment: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    RecordHeader {
        content_type,
        version: DTLS_1_2,
        epoch: 0,
        sequence,
        length: fragment.len() as u16,
    }
    .encode(&mut out);
    out.extend_from_slice(fragment);
    out
}

/// A handshake fragment: header + the given slice of `body`.
fn fragment(msg_type: HandshakeType, seq: u16, body: &[u8], offset: usize, len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    HandshakeHeader {
        msg_type,
        length: body.len() as u32,
        message_seq: seq,
        fragment_offset: offset as u32,
        fragment_length: len as u32,
    }
    .encode(&mut out);
    out.extend_from_slice(&body[offset..offset + len]);
    out
}

fn connected_pair(seed: u64) -> Pair {
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, seed);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    p
}

/// Data still flows both ways.
fn still_works(p: &mut Pair) {
    p.send(Side::Client, b"still here").unwrap();
    p.send(Side::Server, b"me too").unwrap();
    p.run_until(LIMIT, |p| {
        !p.received(Side::Server).is_empty() && !p.received(Side::Client).is_empty()
    });
    assert_eq!(p.received(Side::Server).last().unwrap(), b"still here");
    assert_eq!(p.received(Side::Client).last().unwrap(), b"me too");
}

#[test]
fn a_client_hello_downgraded_to_dtls_1_0_is_refused_with_protocol_version() {
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 90);
    p.to_server.set_mangler(|_, d| {
        rewrite(d, HandshakeType::CLIENT_HELLO, &|b: &mut Vec<u8>| {
            let mut ch = ClientHello::decode(b).unwrap();
            ch.client_version = 0xFEFF;
            *b = ch.encode();
        })
    });
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.server.state() == SessionState::Failed);
    assert_eq!(
        p.take_events(Side::Server).pop(),
        Some(Event::Error(Error::UnsupportedVersion(0xFEFF)))
    );
    assert_eq!(Error::UnsupportedVersion(0).status().code(), 0x110);
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    assert_eq!(
        p.take_events(Side::Client).pop(),
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::PROTOCOL_VERSION
        )))
    );
}

#[test]
fn a_suite_downgrade_in_the_server_hello_is_refused() {
    // The client offers CCM_8 only; a ServerHello picking GCM was not offered.
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 91);
    p.to_client.set_mangler(|_, d| {
        rewrite(d, HandshakeType::SERVER_HELLO, &|b: &mut Vec<u8>| {
            let mut sh = ServerHello::decode(b).unwrap();
            sh.cipher_suite = CipherSuite::PskAes128GcmSha256.id();
            *b = sh.encode();
        })
    });
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    assert_eq!(
        p.take_events(Side::Client).pop(),
        Some(Event::Error(Error::UnknownCiphersuite(0x00A8)))
    );
}

#[test]
fn overlapping_and_repeated_fragments_reassemble_to_the_right_message() {
    // The server's ServerHello delivered as overlapping pieces, out of order and twice.
    let mut p = pair(CipherSuite::PskAes128GcmSha256, LinkConditions::PERFECT, 92);
    p.to_client.set_mangler(|_, d| {
        let mut out = Vec::new();
        let mut seq = 100;
        for record in wasm_dtls::record::parse_datagram(d) {
            let record = record.unwrap();
            let frags = wasm_dtls::handshake::parse_fragments(record.fragment).unwrap_or_default();
            match frags.first() {
                Some(f)
                    if f.header.msg_type == HandshakeType::SERVER_HELLO
                        && record.header.epoch == 0 =>
                {
                    let body = f.body.to_vec();
                    let n = body.len();
                    let s = f.header.message_seq;
                    for (offset, len) in [
                        (n / 2, n - n / 2),
                        (0, n * 2 / 3),
                        (n / 3, n / 3),
                        (n / 2, n - n / 2),
                    ] {
                        let frag = fragment(HandshakeType::SERVER_HELLO, s, &body, offset, len);
                        out.extend(plaintext_record(ContentType::HANDSHAKE, seq, &frag));
                        seq += 1;
                    }
                }
                _ => {
                    let mut header = Vec::new();
                    record.header.encode(&mut header);
                    out.extend(header);
                    out.extend_from_slice(record.fragment);
                }
            }
        }
        *d = out;
    });
    p.start().unwrap();
    assert!(p.handshake(LIMIT), "{p:?}");
    still_works(&mut p);
}

#[test]
fn a_flood_of_future_fragments_is_bounded_and_counted() {
    let mut p = connected_pair(93);
    let now = p.now();
    // A client waiting for the ServerHello receives thousands of fragments of large
    // messages ahead of it, each a different piece.
    let config = common::psk_config(CipherSuite::PskAes128Ccm8, common::KEY);
    let mut client = wasm_dtls::Session::client(config);
    client.start(now).unwrap();
    let body = vec![0u8; 16_000];
    for i in 0..3000u64 {
        let seq = (i % 40) as u16 + 1;
        let offset = ((i * 997) % 15_000) as usize;
        let frag = fragment(HandshakeType::SERVER_HELLO, seq, &body, offset, 1000);
        client.handle_datagram(now, &plaintext_record(ContentType::HANDSHAKE, i, &frag));
        while !matches!(client.poll_output(), wasm_dtls::Output::Wait(_)) {}
    }
    // The default bounds: 64 KiB buffered in all, 16 KiB per message.
    assert!(
        client.buffered_bytes() <= 65_536 + 16_384,
        "{} bytes held",
        client.buffered_bytes()
    );
    assert!(client.stats().dropped_reassembly > 0);
    assert_eq!(client.state(), SessionState::Handshaking);
    still_works(&mut p);
}

#[test]
fn forged_plaintext_alerts_and_handshake_messages_cannot_touch_an_established_session() {
    let mut p = connected_pair(94);
    let now = p.now();
    for i in 0..500u64 {
        // Fatal alerts, close_notify and a ClientHello, all in epoch 0 (no MAC).
        let alert = [2u8, (i % 120) as u8];
        p.server
            .handle_datagram(now, &plaintext_record(ContentType::ALERT, 1000 + i, &alert));
        p.server.handle_datagram(
            now,
            &plaintext_record(ContentType::ALERT, 2000 + i, &[1, 0]),
        );
        let hello = encode_message(HandshakeType::CLIENT_HELLO, 0, &[0; 40]);
        p.server.handle_datagram(
            now,
            &plaintext_record(ContentType::HANDSHAKE, 3000 + i, &hello),
        );
    }
    assert_eq!(p.server.state(), SessionState::Connected);
    assert!(p.server.stats().dropped_unexpected >= 1500);
    still_works(&mut p);
}

#[test]
fn a_replayed_client_flight_is_dropped_counted_and_never_answered() {
    let mut p = pair(CipherSuite::PskAes128GcmSha256, LinkConditions::PERFECT, 95);
    p.to_server.record_transfers(true);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    let flight: Vec<Vec<u8>> = p
        .to_server
        .transfers()
        .iter()
        .map(|t| t.bytes.clone())
        .collect();
    let now = p.now();
    let before = p.server.stats();
    for _ in 0..50 {
        for datagram in &flight {
            p.server.handle_datagram(now, datagram);
        }
        while !matches!(p.server.poll_output(), wasm_dtls::Output::Wait(_)) {}
    }
    // The protected Finished is caught by the replay window, the plaintext records
    // are not acceptable once connected: nothing is answered, everything is counted.
    let after = p.server.stats();
    assert_eq!(after.retransmissions, before.retransmissions);
    assert_eq!(after.dropped_replayed - before.dropped_replayed, 50);
    assert!(after.dropped_unexpected - before.dropped_unexpected >= 50 * 3);
    assert_eq!(p.server.state(), SessionState::Connected);
    still_works(&mut p);
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_finished_with_a_wrong_verify_data_is_refused_with_0x115() {
    use wasm_dtls::crypto::{RecordCipher, prf};
    use wasm_dtls::handshake::Finished;

    let suite = CipherSuite::PskAes128GcmSha256;
    let run = |mangle: Option<Vec<u8>>| {
        let mut client = common::psk_config(suite, common::KEY);
        client.set_key_log(true);
        let mut p = common::pair_with(
            client,
            common::psk_config(suite, common::KEY),
            LinkConditions::PERFECT,
            96,
        );
        p.to_server.record_transfers(true);
        p.to_client.record_transfers(true);
        if let Some(forged) = mangle {
            // The client's third datagram carries ClientKeyExchange, ChangeCipherSpec
            // and Finished: its epoch-1 record is replaced by the forged one.
            p.to_server.set_mangler(move |i, d| {
                if i == 2 {
                    let mut out = Vec::new();
                    for record in wasm_dtls::record::parse_datagram(d).flatten() {
                        if record.header.epoch == 1 {
                            out.extend_from_slice(&forged);
                        } else {
                            record.header.encode(&mut out);
                            out.extend_from_slice(record.fragment);
                        }
                    }
                    *d = out;
                }
            });
        }
        p.start().unwrap();
        p.run_until(LIMIT, |p| {
            p.server.state() != SessionState::Handshaking || p.server.is_connected()
        });
        p
    };
    // A clean run gives the keys (its key log) and the randoms; the same seeds replay it.
    let clean = run(None);
    assert!(clean.server.is_connected());
    let line = clean
        .events(Side::Client)
        .iter()
        .find_map(|(_, e)| match e {
            Event::KeyLog(l) => Some(l.clone()),
            _ => None,
        })
        .unwrap();
    let fields: Vec<&str> = line.split(' ').collect();
    let (client_random, master) = (unhex(fields[1]), unhex(fields[2]));
    let server_hello = wasm_dtls::record::parse_datagram(&clean.to_client.transfers()[1].bytes)
        .flatten()
        .find_map(|r| {
            wasm_dtls::handshake::parse_fragments(r.fragment)
                .ok()?
                .into_iter()
                .next()
                .filter(|f| f.header.msg_type == HandshakeType::SERVER_HELLO)
                .map(|f| ServerHello::decode(f.body).unwrap())
        })
        .unwrap();
    let mut seed = server_hello.random.to_vec();
    seed.extend_from_slice(&client_random);
    let mut block = [0u8; 40];
    prf(
        suite.prf_hash(),
        &master,
        b"key expansion",
        &seed,
        &mut block,
    );
    // An AES suite's key block: two 16-byte keys, then the 4-byte salts.
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(&block[..16]);
    let mut iv = [0u8; 12];
    iv[..4].copy_from_slice(&block[32..36]);
    let cipher = RecordCipher::new(suite.aead(), &key, &iv);
    // ClientHello 0 and 1, ClientKeyExchange 2: Finished is message 3.
    let message = encode_message(
        HandshakeType::FINISHED,
        3,
        &Finished {
            verify_data: [0x42; 12],
        }
        .encode(),
    );
    let sealed = cipher.seal(1, 0, ContentType::HANDSHAKE.0, DTLS_1_2, &message);
    let mut forged = Vec::new();
    RecordHeader {
        content_type: ContentType::HANDSHAKE,
        version: DTLS_1_2,
        epoch: 1,
        sequence: 0,
        length: sealed.len() as u16,
    }
    .encode(&mut forged);
    forged.extend_from_slice(&sealed);

    let mut attacked = run(Some(forged));
    assert_eq!(attacked.server.state(), SessionState::Failed);
    assert_eq!(
        attacked.take_events(Side::Server).pop(),
        Some(Event::Error(Error::FinishedHashFailure))
    );
    assert_eq!(Error::FinishedHashFailure.status().code(), 0x115);
}

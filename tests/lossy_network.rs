//! Handshakes over a bad simulated network: loss, duplication, reordering, dropped
//! flights, small MTUs — including NetX's own regression scenarios 1, 2, 13 and 14.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use core::time::Duration;

use common::{KEY, PSK_SUITES, cert_config, pair, pair_with, psk_config};
use wasm_dtls::record::ContentType;
use wasm_dtls::sim::{Link, LinkConditions, Side, describe_datagram_line};
use wasm_dtls::{CipherSuite, Error, Event, RetransmitPolicy, SessionState};

/// Long enough for every retransmission of a flight (1+2+4+…+60 s, 11 sends).
const LIMIT: Duration = Duration::from_secs(600);

#[test]
fn handshakes_complete_over_20_percent_loss_with_duplicates_and_reordering() {
    for suite in PSK_SUITES {
        let mut retransmissions = 0;
        for seed in 0..25 {
            let mut p = pair(suite, LinkConditions::lossy(0.2), seed);
            p.start().unwrap();
            assert!(p.handshake(LIMIT), "{suite:?} seed {seed}: {p:?}");
            retransmissions += p.client.stats().retransmissions + p.server.stats().retransmissions;
            // The connection works afterwards: resend until one copy gets through.
            let mut delivered = false;
            for _ in 0..50 {
                p.send(Side::Client, b"reading 42").unwrap();
                p.run_until(Duration::from_secs(1), |p| {
                    !p.received(Side::Server).is_empty()
                });
                if !p.received(Side::Server).is_empty() {
                    delivered = true;
                    break;
                }
            }
            assert!(delivered, "seed {seed}");
            assert!(p.received(Side::Server).iter().all(|d| d == b"reading 42"));
        }
        // 20 % loss over 25 handshakes cannot go without a single lost flight.
        assert!(retransmissions > 10, "{retransmissions}");
    }
}

#[test]
fn a_dead_link_gives_eleven_client_hellos_then_a_timeout_and_a_reset_recovers() {
    // NetX regression scenario 2.
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 11);
    p.to_server.record_transfers(true);
    p.to_server.set_drop_rule(|_, _| true);
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    let sent_at: Vec<u64> = p
        .to_server
        .transfers()
        .iter()
        .map(|t| t.sent_at.as_millis() / 1000)
        .collect();
    assert_eq!(sent_at, [0, 1, 3, 7, 15, 31, 63, 123, 183, 243, 303]);
    let (failed_at, error) = p.events(Side::Client).last().cloned().unwrap();
    assert_eq!(
        error,
        Event::Error(Error::HandshakeTimeout { transmissions: 11 })
    );
    assert_eq!(failed_at.as_millis(), 363_000);
    assert_eq!(
        Error::HandshakeTimeout { transmissions: 11 }
            .status()
            .code(),
        0x8001
    );

    p.to_server.clear_drop_rule();
    p.client.reset();
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
}

#[test]
fn dropping_the_first_client_hello_and_hello_verify_request_is_survived() {
    // NetX regression scenario 1 (the certificate part comes with issue 4).
    let mut p = pair(CipherSuite::PskAes128GcmSha256, LinkConditions::PERFECT, 12);
    p.to_server.set_drop_rule(|index, _| index == 0);
    p.to_client.set_drop_rule(|index, _| index == 0);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    assert_eq!(p.client.stats().retransmissions, 2);
    p.send(Side::Server, b"exact bytes \x00\xff").unwrap();
    p.run_until(LIMIT, |p| !p.received(Side::Client).is_empty());
    assert_eq!(
        p.received(Side::Client),
        vec![b"exact bytes \x00\xff".to_vec()]
    );
}

fn carries_change_cipher_spec(bytes: &[u8]) -> bool {
    describe_datagram_line(bytes).contains("ChangeCipherSpec")
}

/// One line for each datagram `link` recorded, what it carried.
fn described(link: &Link) -> impl Iterator<Item = String> + '_ {
    link.transfers()
        .iter()
        .map(|t| describe_datagram_line(&t.bytes))
}

/// Makes `link` lose the first datagram that carries a ChangeCipherSpec.
fn drop_first_change_cipher_spec(link: &mut Link) {
    let mut dropped = false;
    link.set_drop_rule(move |_, bytes| {
        let first = !dropped && carries_change_cipher_spec(bytes);
        dropped |= first;
        first
    });
}

/// A PSK configuration with `suite` only, the shared key under a long `identity`, and
/// an MTU of 128.
fn long_identity_config(suite: CipherSuite, identity: &[u8]) -> wasm_dtls::Config {
    let mut config = wasm_dtls::Config::new();
    config.psk_add(KEY, identity, b"").unwrap();
    config.set_cipher_suites(&[suite]).unwrap();
    config.set_mtu(128).unwrap();
    config
}

#[test]
fn dropping_the_client_change_cipher_spec_resends_the_whole_flight() {
    // NetX regression scenario 14.
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 13);
    p.to_server.record_transfers(true);
    drop_first_change_cipher_spec(&mut p.to_server);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    let flights: Vec<String> = described(&p.to_server)
        .filter(|d| d.contains("ClientKeyExchange"))
        .collect();
    assert_eq!(flights.len(), 2, "{flights:?}");
    assert_eq!(
        flights[0].replace(char::is_numeric, ""),
        flights[1].replace(char::is_numeric, "")
    );
}

#[test]
fn dropping_the_server_final_flight_is_recovered_by_the_client_timer() {
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 14);
    drop_first_change_cipher_spec(&mut p.to_client);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    // The client resent its flight on timer; the server answered the repeat with its
    // final flight (RFC 6347 §4.2.4), which NetX never does.
    assert_eq!(p.client.stats().retransmissions, 1);
    assert_eq!(p.server.stats().retransmissions, 1);
}

#[test]
fn messages_larger_than_the_mtu_are_fragmented_and_reassembled() {
    // NetX regression scenario 13: a 128-byte identity makes ClientKeyExchange larger
    // than a 128-byte MTU, so it travels in fragments.
    let suite = CipherSuite::PskAes128Ccm8;
    let identity = [b'x'; 128];
    let client = long_identity_config(suite, &identity);
    let server = client.clone();
    for (seed, link) in [
        (15, LinkConditions::PERFECT),
        (16, LinkConditions::lossy(0.2)),
    ] {
        let mut p = pair_with(client.clone(), server.clone(), link, seed);
        p.to_server.record_transfers(true);
        p.start().unwrap();
        assert!(p.handshake(LIMIT), "seed {seed}");
        assert_eq!(p.server.psk_identity(), Some(&identity[..]));
        let transfers = p.to_server.transfers();
        assert!(transfers.iter().all(|t| t.bytes.len() <= 128));
        assert!(transfers.iter().any(|t| {
            describe_datagram_line(&t.bytes).contains("ClientKeyExchange(seq 2, bytes 0..")
        }),);
    }
}

#[test]
fn a_record_of_the_next_epoch_that_overtakes_its_change_cipher_spec_is_kept() {
    // Reordering within the final flight: the server's Finished arrives before its
    // ChangeCipherSpec. It is held, not lost, so no retransmission is needed.
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 17);
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.server.is_connected());
    // The server's final flight is in one datagram: split it and deliver in reverse.
    let now = p.now();
    let final_flight = p.to_client.arrived(now + Duration::from_secs(1));
    assert_eq!(final_flight.len(), 1);
    let records: Vec<Vec<u8>> = wasm_dtls::record::parse_datagram(&final_flight[0])
        .map(|r| {
            let r = r.unwrap();
            let mut bytes = Vec::new();
            r.header.encode(&mut bytes);
            bytes.extend_from_slice(r.fragment);
            bytes
        })
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0][0], ContentType::CHANGE_CIPHER_SPEC.0);
    p.client.handle_datagram(now, &records[1]);
    assert!(!p.client.is_connected());
    p.client.handle_datagram(now, &records[0]);
    assert!(p.client.is_connected());
    assert_eq!(p.client.stats().retransmissions, 0);
}

#[test]
fn handshakes_complete_with_a_small_mtu_on_a_lossy_link() {
    let suite = CipherSuite::PskAes128GcmSha256;
    let mut config = psk_config(suite, KEY);
    config.set_mtu(200).unwrap();
    for seed in 20..30 {
        let mut p = pair_with(
            config.clone(),
            config.clone(),
            LinkConditions::lossy(0.3),
            seed,
        );
        p.start().unwrap();
        assert!(p.handshake(LIMIT), "seed {seed}");
    }
}

/// A lost final flight from the client, answered by the server's timer with its whole
/// flight again — here a chain of several kilobytes in many datagrams at an MTU of 500:
/// the client resends its final flight once for the repeated flight, not once for each
/// of its datagrams (RFC 6347 §4.2.4 answers a retransmitted flight).
#[test]
fn a_repeated_flight_of_many_datagrams_is_answered_once() {
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let mut client = cert_config(&[suite], &[]);
    // The client's own timer waits longer, so that the server's repeat comes first.
    client
        .set_retransmit(RetransmitPolicy {
            initial: Duration::from_secs(5),
            ..RetransmitPolicy::default()
        })
        .unwrap();
    let mut server = cert_config(&[suite], &["big", "intermediate"]);
    for config in [&mut client, &mut server] {
        config.set_mtu(500).unwrap();
    }
    let mut p = pair_with(client, server, LinkConditions::PERFECT, 17);
    drop_first_change_cipher_spec(&mut p.to_server);
    p.to_client.record_transfers(true);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    let certificate_datagrams = described(&p.to_client)
        .filter(|d| d.contains("Certificate"))
        .count();
    // The server's flight went twice, in many datagrams each time.
    assert!(certificate_datagrams >= 8, "{certificate_datagrams}");
    assert_eq!(p.server.stats().retransmissions, 1);
    assert_eq!(p.client.stats().retransmissions, 1);
}

/// The client's final flight in two datagrams (a 95-byte identity makes the
/// ClientKeyExchange fill one at an MTU of 128) loses the one with ChangeCipherSpec and
/// Finished: the client resends the whole flight on its timer, and the server, which
/// already has the ClientKeyExchange, waits for the rest instead of answering the
/// repeated part with its own flight again.
#[test]
fn a_repeat_of_the_part_of_a_flight_already_received_is_not_answered() {
    let suite = CipherSuite::PskAes128Ccm8;
    let config = long_identity_config(suite, &[b'x'; 95]);
    let mut p = pair_with(config.clone(), config, LinkConditions::PERFECT, 18);
    drop_first_change_cipher_spec(&mut p.to_server);
    p.to_server.record_transfers(true);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    let flights: Vec<String> = described(&p.to_server)
        .filter(|d| d.contains("ClientKeyExchange") || d.contains("ChangeCipherSpec"))
        .collect();
    // The flight went twice, in two datagrams each time (the lost one is listed too),
    // the ClientKeyExchange alone in the first.
    assert_eq!(flights.len(), 4, "{flights:?}");
    assert!(!flights[0].contains("ChangeCipherSpec"), "{flights:?}");
    assert_eq!(p.client.stats().retransmissions, 1);
    assert_eq!(p.server.stats().retransmissions, 0);
}

//! In-memory handshakes between our client and our server on a perfect link.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use core::time::Duration;

use common::{IDENTITY, KEY, PSK_SUITES, pair, pair_with, psk_config};
use wasm_dtls::sim::{LinkConditions, Side};
use wasm_dtls::{
    AlertDescription, CipherSuite, Config, Error, Event, NamedGroup, SessionState, Status,
};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn both_psk_suites_handshake_exchange_data_and_close() {
    for suite in PSK_SUITES {
        let mut p = pair(suite, LinkConditions::PERFECT, 1);
        p.start().unwrap();
        assert!(p.handshake(LIMIT), "{suite:?}: {p:?}");
        assert_eq!(p.client.cipher_suite(), Some(suite));
        assert_eq!(p.server.cipher_suite(), Some(suite));
        assert_eq!(p.server.psk_identity(), Some(IDENTITY));
        let connected = Event::Connected { suite };
        assert!(p.events(Side::Client).iter().any(|(_, e)| *e == connected));
        assert!(p.events(Side::Server).iter().any(|(_, e)| *e == connected));

        p.send(Side::Client, b"ping").unwrap();
        p.send(Side::Server, b"pong").unwrap();
        let big = vec![0xA5; p.client.max_send_len()];
        p.send(Side::Client, &big).unwrap();
        p.run_until(LIMIT, |p| p.received(Side::Server).len() == 2);
        assert_eq!(p.received(Side::Server), vec![b"ping".to_vec(), big]);
        assert_eq!(p.received(Side::Client), vec![b"pong".to_vec()]);

        p.close(Side::Client);
        assert_eq!(p.client.state(), SessionState::Closed);
        p.run_until(LIMIT, |p| {
            p.server.state() == SessionState::Closed && p.to_client.in_flight() == 0
        });
        assert!(
            p.events(Side::Server)
                .iter()
                .any(|(_, e)| *e == Event::Closed)
        );
        // The server answered with its own close_notify, which the closed client drops.
        assert_eq!(p.client.stats().dropped_unexpected, 1);
    }
}

#[test]
fn the_cookie_exchange_happens_and_no_flight_is_resent_on_a_clean_link() {
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 2);
    p.to_server.record_transfers(true);
    p.to_client.record_transfers(true);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    let first = wasm_dtls::sim::describe_datagram_line(&p.to_client.transfers()[0].bytes);
    assert!(first.starts_with("HelloVerifyRequest(seq 0)"), "{first}");
    // ClientHello, ClientHello+cookie, CKE+CCS+Finished.
    assert_eq!(p.to_server.stats().sent, 3);
    // HelloVerifyRequest, ServerHello..Done, CCS+Finished.
    assert_eq!(p.to_client.stats().sent, 3);
    assert_eq!(p.client.stats().retransmissions, 0);
    assert_eq!(p.server.stats().retransmissions, 0);
    // A connected session has no timer left.
    assert_eq!(p.client.poll_output(), wasm_dtls::Output::Wait(None));
}

#[test]
fn a_wrong_psk_fails_on_both_sides_with_their_codes() {
    for suite in PSK_SUITES {
        let mut p = pair_with(
            psk_config(suite, KEY),
            psk_config(suite, b"another key 1234"),
            LinkConditions::PERFECT,
            3,
        );
        p.start().unwrap();
        p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
        let server_error = p.take_events(Side::Server).pop();
        assert_eq!(server_error, Some(Event::Error(Error::BadRecordMac)));
        assert_eq!(Error::BadRecordMac.status(), Status::HashMacVerifyFailure);
        let client_error = p.take_events(Side::Client).pop();
        let expected = Error::AlertReceived(AlertDescription::BAD_RECORD_MAC);
        assert_eq!(client_error, Some(Event::Error(expected.clone())));
        assert_eq!(expected.status().code(), 0x114);
        assert_eq!(p.server.state(), SessionState::Failed);
    }
}

/// ECDHE_PSK needs only a group both sides enable: no certificate is involved, so
/// neither secp256r1 in the client's list nor signature_algorithms (which a client with
/// PSK suites only does not send), as ECDHE_ECDSA needs. Plain PSK agrees no group.
#[test]
fn ecdhe_psk_agrees_any_common_group_without_certificate_conditions() {
    let suite = CipherSuite::EcdhePskChaCha20Poly1305Sha256;
    for (seed, group) in (20..).zip(NamedGroup::ALL) {
        let mut client = psk_config(suite, KEY);
        client.set_groups(&[group]).unwrap();
        let mut p = pair_with(
            client,
            psk_config(suite, KEY),
            LinkConditions::PERFECT,
            seed,
        );
        p.start().unwrap();
        assert!(p.handshake(LIMIT), "{group:?}: {p:?}");
        assert_eq!(p.client.group(), Some(group));
        assert_eq!(p.server.group(), Some(group));
        assert_eq!(p.server.psk_identity(), Some(IDENTITY));
    }
    let mut p = pair(
        CipherSuite::PskChaCha20Poly1305Sha256,
        LinkConditions::PERFECT,
        30,
    );
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    assert_eq!((p.client.group(), p.server.group()), (None, None));
}

/// Without a group both sides enable, an ECDHE_PSK client is refused with
/// NX_SECURE_TLS_NO_SUPPORTED_CIPHERS, saying why its suite could not be served.
#[test]
fn ecdhe_psk_without_a_common_group_is_refused_saying_so() {
    let suite = CipherSuite::EcdhePskChaCha20Poly1305Sha256;
    let mut client = psk_config(suite, KEY);
    client.set_groups(&[NamedGroup::Secp256r1]).unwrap();
    let mut server = psk_config(suite, KEY);
    server.set_groups(&[NamedGroup::X25519]).unwrap();
    let mut p = pair_with(client, server, LinkConditions::PERFECT, 31);
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    let Some(Event::Error(error)) = p.take_events(Side::Server).pop() else {
        panic!("the server did not fail");
    };
    assert_eq!(error.status().code(), 0x10E);
    let text = error.to_string();
    assert!(
        text.contains("TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 (its ECDHE_PSK suites without a group we enable or uncompressed points)"),
        "{text}"
    );
    assert_eq!(
        p.take_events(Side::Client).pop(),
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::HANDSHAKE_FAILURE
        )))
    );
}

#[test]
fn an_unknown_psk_identity_is_refused() {
    let suite = CipherSuite::PskAes128Ccm8;
    let mut server = Config::new();
    server.psk_add(KEY, b"somebody-else", b"").unwrap();
    let mut p = pair_with(psk_config(suite, KEY), server, LinkConditions::PERFECT, 4);
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    assert_eq!(
        p.take_events(Side::Server).pop(),
        Some(Event::Error(Error::no_matching_psk(IDENTITY)))
    );
    assert_eq!(Error::no_matching_psk(IDENTITY).status().code(), 0x126);
    assert_eq!(
        p.take_events(Side::Client).pop(),
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::UNKNOWN_PSK_IDENTITY
        )))
    );
}

/// A server with no credentials for its enabled suites (here a PSK, but only ECDHE
/// suites enabled) says that, not that the client offered the wrong suites.
#[test]
fn a_server_without_credentials_for_its_suites_says_so() {
    let mut server = psk_config(CipherSuite::PskAes128Ccm8, KEY);
    server
        .set_cipher_suites(&[CipherSuite::EcdheEcdsaAes128GcmSha256])
        .unwrap();
    let mut p = pair_with(
        psk_config(CipherSuite::PskAes128Ccm8, KEY),
        server,
        LinkConditions::PERFECT,
        5,
    );
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    let server_error = p.take_events(Side::Server).pop();
    assert_eq!(
        server_error,
        Some(Event::Error(Error::ServerWithoutCredentials))
    );
    assert_eq!(Error::ServerWithoutCredentials.status().code(), 0x10E);
    assert!(
        Error::ServerWithoutCredentials
            .to_string()
            .contains("no pre-shared key")
    );
    assert_eq!(
        p.take_events(Side::Client).pop(),
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::HANDSHAKE_FAILURE
        )))
    );
}

#[test]
fn no_common_suite_is_a_handshake_failure_on_both_sides() {
    let mut p = pair_with(
        psk_config(CipherSuite::PskAes128Ccm8, KEY),
        psk_config(CipherSuite::PskAes128GcmSha256, KEY),
        LinkConditions::PERFECT,
        5,
    );
    p.start().unwrap();
    p.run_until(LIMIT, |p| p.client.state() == SessionState::Failed);
    let server_error = p.take_events(Side::Server).pop();
    // The operator sees both sides of the mismatch.
    let expected = Error::NoSupportedCiphers {
        offered: "TLS_PSK_WITH_AES_128_CCM_8".into(),
        accepted: "TLS_PSK_WITH_AES_128_GCM_SHA256".into(),
    };
    assert_eq!(server_error, Some(Event::Error(expected.clone())));
    assert_eq!(expected.status().code(), 0x10E);
    assert!(
        expected.to_string().ends_with(
            "no cipher suite in common: the client offers TLS_PSK_WITH_AES_128_CCM_8; \
             this server accepts TLS_PSK_WITH_AES_128_GCM_SHA256"
        ),
        "{expected}"
    );
    assert_eq!(
        p.take_events(Side::Client).pop(),
        Some(Event::Error(Error::AlertReceived(
            AlertDescription::HANDSHAKE_FAILURE
        )))
    );
}

#[test]
fn a_tampered_record_is_dropped_and_counted_and_the_session_survives() {
    let mut p = pair(CipherSuite::PskAes128GcmSha256, LinkConditions::PERFECT, 6);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    p.client.send(b"original").unwrap();
    let wasm_dtls::Output::Transmit(mut datagram) = p.client.poll_output() else {
        panic!("no datagram");
    };
    let last = datagram.len() - 1;
    datagram[last] ^= 0x01;
    let now = p.now();
    p.server.handle_datagram(now, &datagram);
    assert_eq!(p.server.stats().dropped_bad_mac, 1);
    assert!(p.server.is_connected());
    assert!(matches!(p.server.poll_output(), wasm_dtls::Output::Wait(_)));
    p.send(Side::Client, b"after").unwrap();
    p.run_until(LIMIT, |p| !p.received(Side::Server).is_empty());
    assert_eq!(p.received(Side::Server), vec![b"after".to_vec()]);
}

#[test]
fn a_replayed_record_is_dropped() {
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 7);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    p.client.send(b"once").unwrap();
    let wasm_dtls::Output::Transmit(datagram) = p.client.poll_output() else {
        panic!("no datagram");
    };
    let now = p.now();
    p.server.handle_datagram(now, &datagram);
    p.server.handle_datagram(now, &datagram);
    let mut data = Vec::new();
    while let wasm_dtls::Output::Event(e) = p.server.poll_output() {
        data.push(e);
    }
    assert_eq!(data, vec![Event::Data(b"once".to_vec())]);
    assert_eq!(p.server.stats().dropped_replayed, 1);
    // The next record is accepted (NetX scenario 11).
    p.send(Side::Client, b"next").unwrap();
    p.run_until(LIMIT, |p| !p.received(Side::Server).is_empty());
    assert_eq!(p.received(Side::Server), vec![b"next".to_vec()]);
}

#[test]
fn api_misuse_reports_netx_codes() {
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 8);
    assert_eq!(
        p.client.send(b"x").err().map(|e| e.status().code()),
        Some(0x38)
    );
    p.start().unwrap();
    assert_eq!(
        p.client.start(p.now()).err().map(|e| e.status()),
        Some(Status::InvalidState)
    );
    assert!(p.handshake(LIMIT));
    let too_big = vec![0; p.client.max_send_len() + 1];
    let err = p.client.send(&too_big).unwrap_err();
    assert_eq!(err.status().code(), 0x111);
    assert!(
        err.to_string().contains("do not fit in one record"),
        "{err}"
    );
    p.close(Side::Client);
    assert_eq!(
        p.client.start(p.now()).err().map(|e| e.status().code()),
        Some(0x101)
    );
    assert_eq!(
        p.client.send(b"x").err().map(|e| e.status().code()),
        Some(0x101)
    );
    // After reset the same session handshakes again.
    p.client.reset();
    p.server.reset();
    p.start().unwrap();
    assert!(p.handshake(LIMIT));

    let mut no_key = wasm_dtls::Session::client(Config::new());
    assert_eq!(
        no_key
            .start(wasm_dtls::Instant::ZERO)
            .err()
            .map(|e| e.status().code()),
        Some(0x4D)
    );
}

#[test]
fn an_idle_session_ends_with_the_idle_timeout() {
    let suite = CipherSuite::PskAes128Ccm8;
    let mut server = psk_config(suite, KEY);
    server.set_idle_timeout(Some(Duration::from_secs(5)));
    let mut p = pair_with(psk_config(suite, KEY), server, LinkConditions::PERFECT, 9);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    let (connected_at, _) = p.events(Side::Server).first().cloned().unwrap();
    p.run_until(LIMIT, |p| p.server.state() == SessionState::Failed);
    let (at, event) = p.events(Side::Server).last().cloned().unwrap();
    assert_eq!(event, Event::Error(Error::IdleTimeout));
    assert_eq!(Error::IdleTimeout.status().code(), 0x8002);
    assert!(at - connected_at >= Duration::from_secs(5));
    assert!(at - connected_at < Duration::from_secs(6));
}

#[test]
fn traces_show_every_record_message_state_and_timer() {
    use wasm_dtls::handshake::HandshakeType;
    use wasm_dtls::trace::{Direction, Trace};
    let mut p = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 10);
    p.set_trace(true);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    let client: Vec<Trace> = p
        .traces(Side::Client)
        .iter()
        .map(|(_, t)| t.clone())
        .collect();
    let sent: Vec<HandshakeType> = client
        .iter()
        .filter_map(|t| match t {
            Trace::Message {
                direction: Direction::Sent,
                msg_type,
                ..
            } => Some(*msg_type),
            _ => None,
        })
        .collect();
    assert_eq!(
        sent,
        [
            HandshakeType::CLIENT_HELLO,
            HandshakeType::CLIENT_HELLO,
            HandshakeType::CLIENT_KEY_EXCHANGE,
            HandshakeType::FINISHED
        ]
    );
    let received_records = client
        .iter()
        .filter(|t| {
            matches!(
                t,
                Trace::Record {
                    direction: Direction::Received,
                    ..
                }
            )
        })
        .count();
    // HVR; ServerHello, ServerKeyExchange, ServerHelloDone; CCS, Finished.
    assert_eq!(received_records, 6);
    assert!(client.contains(&Trace::State {
        from: SessionState::Handshaking,
        to: SessionState::Connected
    }));
    assert!(
        client
            .iter()
            .any(|t| matches!(t, Trace::Timer { deadline: Some(_) }))
    );
    assert_eq!(client.last(), Some(&Trace::Timer { deadline: None }));
    // Untraced sessions produce none.
    let mut quiet = pair(CipherSuite::PskAes128Ccm8, LinkConditions::PERFECT, 10);
    quiet.start().unwrap();
    assert!(quiet.handshake(LIMIT));
    assert!(quiet.traces(Side::Client).is_empty());
}

#[test]
fn key_log_lines_appear_only_on_request_and_match_on_both_sides() {
    let suite = CipherSuite::PskAes128GcmSha256;
    let mut with_log = psk_config(suite, KEY);
    with_log.set_key_log(true);
    let mut p = pair_with(with_log.clone(), with_log, LinkConditions::PERFECT, 11);
    p.start().unwrap();
    assert!(p.handshake(LIMIT));
    let line = |side| {
        p.events(side).iter().find_map(|(_, e)| match e {
            Event::KeyLog(l) => Some(l.clone()),
            _ => None,
        })
    };
    let client = line(Side::Client).unwrap();
    assert_eq!(Some(client.clone()), line(Side::Server));
    let parts: Vec<&str> = client.split(' ').collect();
    assert_eq!(parts[0], "CLIENT_RANDOM");
    assert_eq!((parts[1].len(), parts[2].len()), (64, 96));
    let mut quiet = pair(suite, LinkConditions::PERFECT, 11);
    quiet.start().unwrap();
    assert!(quiet.handshake(LIMIT));
    assert!(
        !quiet
            .events(Side::Client)
            .iter()
            .any(|(_, e)| matches!(e, Event::KeyLog(_)))
    );
}

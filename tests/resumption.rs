//! Session resumption (RFC 5246 §7.3) between our client and our server pool: the
//! abbreviated handshake for every suite, the cache's limits, the refusals that fall
//! back to a full handshake, and loss in the abbreviated handshake.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use core::time::Duration;
use std::sync::Arc;

use common::{
    ECDSA_SUITES, IDENTITY, KEY, PSK_SUITES, cert, cert_config, psk_config, seeded_server,
};
use wasm_dtls::sim::{LinkConditions, Network, Pair};
use wasm_dtls::{
    CipherSuite, Config, Error, Event, KeyExchange, Role, SavedSession, SeededRandom, Server,
    ServerEvent, Session, SessionState,
};

const LIMIT: Duration = Duration::from_secs(600);
const HOUR: Duration = Duration::from_secs(3600);

/// A pool serving `suite`: the PSK, or our certificate with client certificates
/// required.
fn server(suite: CipherSuite, seed: u64) -> Server {
    let config = match suite.key_exchange() {
        KeyExchange::Psk | KeyExchange::EcdhePsk => psk_config(suite, KEY),
        KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => {
            let mut c = cert_config(&[suite], &["server"]);
            c.x509_client_verify_configure(2).unwrap();
            c
        }
    };
    seeded_server(config, 16, seed)
}

fn client_config(suite: CipherSuite) -> Config {
    match suite.key_exchange() {
        KeyExchange::Psk | KeyExchange::EcdhePsk => psk_config(suite, KEY),
        KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa => cert_config(&[suite], &["client"]),
    }
}

/// A client session offering `saved`, if any.
fn client(config: Config, seed: u64, saved: Option<&SavedSession>) -> Session {
    let mut session = Session::with_rng(
        Role::Client,
        Arc::new(config),
        &[],
        Box::new(SeededRandom::new(seed)),
    );
    if let Some(saved) = saved {
        session.set_saved_session(saved.clone()).unwrap();
    }
    session
}

/// Adds `session` as a new client (a new address), runs its handshake to the end on
/// both sides (in a resumption the client finishes first) and returns its index.
fn connect(net: &mut Network, session: Session, link: LinkConditions) -> usize {
    let index = net.add_client(session, link);
    net.start(index).unwrap();
    assert!(
        net.run_until(LIMIT, |n| n.client_connected(index)
            && server_session(n, index).is_connected()),
        "{net:?}: {:?}",
        net.client_events(index)
    );
    index
}

fn saved_of(net: &Network, index: usize) -> SavedSession {
    net.client(index)
        .unwrap()
        .session
        .saved_session()
        .expect("the server gave the session an ID")
}

/// Datagrams each way between client `index` and the server so far.
fn datagrams(net: &Network, index: usize) -> (u64, u64) {
    let c = net.client(index).unwrap();
    (c.up.stats().sent, c.down.stats().sent)
}

/// The server's session of client `index`.
fn server_session(net: &Network, index: usize) -> &Session {
    let addr = net.client(index).unwrap().addr;
    let id = net
        .server_events()
        .iter()
        .rev()
        .find_map(|(_, e)| match e {
            ServerEvent::Connect { session, peer } if *peer == addr => Some(*session),
            _ => None,
        })
        .unwrap();
    net.server.session(id).unwrap()
}

#[test]
fn every_suite_resumes_with_the_abbreviated_handshake_and_keeps_what_the_full_one_established() {
    for (seed, suite) in (1..).zip(PSK_SUITES.into_iter().chain(ECDSA_SUITES)) {
        let mut net = Network::new(server(suite, seed), seed);
        let first = connect(
            &mut net,
            client(client_config(suite), seed * 10, None),
            LinkConditions::PERFECT,
        );
        let saved = saved_of(&net, first);
        assert!(!net.client(first).unwrap().session.is_resumed());
        assert_eq!(saved.id().len(), 32);
        assert_eq!(saved.cipher_suite(), suite);
        assert_eq!(net.server.cached_sessions(), 1);
        let (full_up, full_down) = datagrams(&net, first);
        let full_server = server_session(&net, first);
        let (identity, client_chain) = (
            full_server.psk_identity().map(<[u8]>::to_vec),
            full_server.peer_certificates().to_vec(),
        );
        if suite.key_exchange() == KeyExchange::EcdheEcdsa {
            assert_eq!(client_chain, [cert("client").der().to_vec()]);
            assert_eq!(saved.server_name(), Some("localhost"));
            assert_eq!(saved.peer_certificates(), [cert("server").der().to_vec()]);
        } else {
            assert_eq!(identity.as_deref(), Some(IDENTITY));
        }
        net.with_client(first, |s, _| s.close());
        net.run_until(Duration::from_secs(1), |_| false);

        // A new connection from a new address, offering the saved session.
        let second = connect(
            &mut net,
            client(client_config(suite), seed * 10 + 1, Some(&saved)),
            LinkConditions::PERFECT,
        );
        let resumed = &net.client(second).unwrap().session;
        assert!(resumed.is_resumed(), "{suite}");
        assert_eq!(resumed.cipher_suite(), Some(suite));
        assert_eq!(resumed.saved_session(), Some(saved.clone()));
        assert_eq!(resumed.peer_certificates(), saved.peer_certificates());
        let server_side = server_session(&net, second);
        assert!(server_side.is_resumed());
        assert_eq!(server_side.psk_identity().map(<[u8]>::to_vec), identity);
        assert_eq!(server_side.peer_certificates(), client_chain);
        assert_eq!(net.server.stats().sessions_resumed, 1);
        assert_eq!(net.server.cached_sessions(), 1);
        // ClientHello twice (the cookie exchange stays) and ChangeCipherSpec with
        // Finished; HelloVerifyRequest and ServerHello with ChangeCipherSpec and
        // Finished: no key exchange, no certificates.
        assert_eq!(datagrams(&net, second), (3, 2), "{suite}");
        assert!(
            full_up >= 3 && full_down >= 3,
            "{suite}: {full_up} {full_down}"
        );
        let connected = net
            .server_events()
            .iter()
            .filter(|(_, e)| matches!(e, ServerEvent::Established { suite: s, .. } if *s == suite))
            .count();
        assert_eq!(connected, 2, "{:?}", net.server_events());

        // New keys, working both ways.
        net.send(second, b"after resumption").unwrap();
        net.run_until(Duration::from_secs(1), |_| false);
        let got = net.server_events().iter().any(
            |(_, e)| matches!(e, ServerEvent::Receive { data, .. } if data == b"after resumption"),
        );
        assert!(got, "{suite}");
        let id = net
            .server_events()
            .iter()
            .rev()
            .find_map(|(_, e)| match e {
                ServerEvent::Established { session, .. } => Some(*session),
                _ => None,
            })
            .unwrap();
        net.with_server(|s, _| s.session_send(id, b"to the resumed client"))
            .unwrap();
        net.run_until(Duration::from_secs(1), |_| false);
        let got = net
            .client_events(second)
            .iter()
            .any(|(_, e)| matches!(e, Event::Data(d) if d == b"to the resumed client"));
        assert!(got, "{suite}");
    }
}

#[test]
fn a_server_without_the_session_runs_a_full_handshake_and_saves_a_new_one() {
    let suite = CipherSuite::PskAes128Ccm8;
    let mut net = Network::new(server(suite, 1), 1);
    let first = connect(
        &mut net,
        client(client_config(suite), 10, None),
        LinkConditions::PERFECT,
    );
    let saved = saved_of(&net, first);

    // Another server (a restart: its cache is empty) does not know it.
    let mut other = Network::new(server(suite, 2), 2);
    let index = connect(
        &mut other,
        client(client_config(suite), 11, Some(&saved)),
        LinkConditions::PERFECT,
    );
    let session = &other.client(index).unwrap().session;
    assert!(!session.is_resumed());
    let new = session.saved_session().unwrap();
    assert_ne!(new.id(), saved.id());
    assert_eq!(other.server.stats().sessions_resumed, 0);
    assert_eq!(other.server.cached_sessions(), 1);
}

#[test]
fn sessions_beyond_the_caches_capacity_or_lifetime_get_a_full_handshake() {
    let suite = CipherSuite::PskAes128GcmSha256;
    let mut net = Network::new(server(suite, 3), 3);
    net.server.set_session_cache(1, HOUR).unwrap();
    let a = connect(
        &mut net,
        client(client_config(suite), 30, None),
        LinkConditions::PERFECT,
    );
    let b = connect(
        &mut net,
        client(client_config(suite), 31, None),
        LinkConditions::PERFECT,
    );
    assert_eq!(net.server.cached_sessions(), 1);
    let (saved_a, saved_b) = (saved_of(&net, a), saved_of(&net, b));
    let again_a = connect(
        &mut net,
        client(client_config(suite), 32, Some(&saved_a)),
        LinkConditions::PERFECT,
    );
    assert!(
        !net.client(again_a).unwrap().session.is_resumed(),
        "evicted"
    );
    // The full handshake cached its own session in place of b's.
    let again_b = connect(
        &mut net,
        client(client_config(suite), 33, Some(&saved_b)),
        LinkConditions::PERFECT,
    );
    assert!(!net.client(again_b).unwrap().session.is_resumed());

    net.server
        .set_session_cache(8, Duration::from_secs(60))
        .unwrap();
    let c = connect(
        &mut net,
        client(client_config(suite), 34, None),
        LinkConditions::PERFECT,
    );
    let saved_c = saved_of(&net, c);
    let soon = connect(
        &mut net,
        client(client_config(suite), 35, Some(&saved_c)),
        LinkConditions::PERFECT,
    );
    assert!(net.client(soon).unwrap().session.is_resumed());
    // Ten minutes later (the cookie rotation moves the clock) it has expired.
    let before = net.now();
    net.run_until(Duration::from_secs(600), |n| {
        n.now() >= before + Duration::from_secs(300)
    });
    let late = connect(
        &mut net,
        client(client_config(suite), 36, Some(&saved_c)),
        LinkConditions::PERFECT,
    );
    assert!(!net.client(late).unwrap().session.is_resumed(), "expired");

    // A capacity of 0 turns resumption off: no ID, nothing to save.
    net.server.set_session_cache(0, HOUR).unwrap();
    let off = connect(
        &mut net,
        client(client_config(suite), 37, None),
        LinkConditions::PERFECT,
    );
    assert!(net.client(off).unwrap().session.saved_session().is_none());
    assert_eq!(net.server.cached_sessions(), 0);
    for (capacity, lifetime) in [(Server::MAX_CAPACITY + 1, HOUR), (8, Duration::ZERO)] {
        let error = net
            .server
            .set_session_cache(capacity, lifetime)
            .unwrap_err();
        assert_eq!(error.status().code(), 0x4D, "{error}");
    }
}

#[test]
fn a_removed_psk_takes_its_cached_sessions_with_it() {
    let suite = CipherSuite::PskAes128Ccm8;
    let mut net = Network::new(server(suite, 4), 4);
    let first = connect(
        &mut net,
        client(client_config(suite), 40, None),
        LinkConditions::PERFECT,
    );
    let saved = saved_of(&net, first);
    net.server.config_mut().psk_remove(IDENTITY);
    net.server
        .psk_add(b"another key 0123", b"client-2", b"")
        .unwrap();
    let index = net.add_client(
        client(client_config(suite), 41, Some(&saved)),
        LinkConditions::PERFECT,
    );
    net.start(index).unwrap();
    net.run_until(LIMIT, |n| {
        n.client(index).unwrap().session.state() == SessionState::Failed
    });
    // Not resumed: the full handshake that followed refused the unknown identity.
    assert_eq!(net.server.stats().sessions_resumed, 0);
    let refused = net.server_events().iter().any(|(_, e)| {
        matches!(
            e,
            ServerEvent::Error {
                error: Error::NoMatchingPsk { .. },
                ..
            }
        )
    });
    assert!(refused, "{:?}", net.server_events());
}

#[test]
fn a_client_offers_its_session_only_where_it_can_be_resumed() {
    let suite = CipherSuite::EcdheEcdsaAes128Ccm8;
    let mut net = Network::new(server(suite, 5), 5);
    let first = connect(
        &mut net,
        client(client_config(suite), 50, None),
        LinkConditions::PERFECT,
    );
    let saved = saved_of(&net, first);

    // Another server name: the session was made with "localhost".
    let mut renamed = client_config(suite);
    renamed.set_server_name(Some("other.example"));
    let mut session = client(renamed, 51, Some(&saved));
    session.start(wasm_dtls::Instant::ZERO).unwrap();
    let wasm_dtls::Output::Transmit(hello) = session.poll_output() else {
        panic!("no ClientHello")
    };
    // Record header 13, handshake header 12, version 2, random 32: the session_id
    // length byte.
    assert_eq!(hello[13 + 12 + 2 + 32], 0, "no session ID offered");

    // A suite the client no longer enables.
    let mut session = client(
        cert_config(&[CipherSuite::EcdheEcdsaAes128GcmSha256], &["client"]),
        52,
        Some(&saved),
    );
    session.start(wasm_dtls::Instant::ZERO).unwrap();
    let wasm_dtls::Output::Transmit(hello) = session.poll_output() else {
        panic!("no ClientHello")
    };
    assert_eq!(hello[13 + 12 + 2 + 32], 0, "no session ID offered");

    // The same configuration offers all 32 bytes of it.
    let mut session = client(client_config(suite), 53, Some(&saved));
    session.start(wasm_dtls::Instant::ZERO).unwrap();
    let wasm_dtls::Output::Transmit(hello) = session.poll_output() else {
        panic!("no ClientHello")
    };
    let at = 13 + 12 + 2 + 32;
    assert_eq!(hello[at], 32);
    assert_eq!(&hello[at + 1..at + 33], saved.id());

    // Only before the handshake begins: a client's start, a server's first datagram.
    let error = session.set_saved_session(saved.clone()).unwrap_err();
    assert_eq!(error.status().code(), 0x103, "{error}");
    let mut server_session = Session::server(Config::new(), b"peer");
    server_session.set_saved_session(saved.clone()).unwrap();
    server_session.handle_datagram(wasm_dtls::Instant::ZERO, &hello);
    let error = server_session.set_saved_session(saved).unwrap_err();
    assert_eq!(error.status().code(), 0x103, "{error}");
}

#[test]
fn standalone_server_sessions_save_and_resume_when_asked_to() {
    let suite = CipherSuite::PskAes128GcmSha256;
    let run = |server_saved: Option<&SavedSession>, client_saved: Option<&SavedSession>, ids| {
        let client = client(client_config(suite), 90, client_saved);
        let mut server = Session::with_rng(
            Role::Server,
            Arc::new(psk_config(suite, KEY)),
            b"peer",
            Box::new(SeededRandom::new(91)),
        );
        server.set_session_ids(ids);
        if let Some(saved) = server_saved {
            server.set_saved_session(saved.clone()).unwrap();
        }
        let mut pair = Pair::new(
            client,
            server,
            LinkConditions::PERFECT,
            LinkConditions::PERFECT,
            9,
        );
        pair.start().unwrap();
        assert!(pair.run_until(LIMIT, |p| p.client.is_connected()
            && p.server.is_connected()));
        pair
    };
    // Without session IDs (the default), nothing is saved.
    let plain = run(None, None, false);
    assert!(plain.client.saved_session().is_none());
    assert!(plain.server.saved_session().is_none());
    let first = run(None, None, true);
    let (client_saved, server_saved) = (
        first.client.saved_session().unwrap(),
        first.server.saved_session().unwrap(),
    );
    assert_eq!(client_saved.id(), server_saved.id());
    let second = run(Some(&server_saved), Some(&client_saved), true);
    assert!(second.client.is_resumed() && second.server.is_resumed());
    assert_eq!(second.server.psk_identity(), Some(IDENTITY));
}

#[test]
fn the_abbreviated_handshake_recovers_from_each_lost_flight() {
    let suite = CipherSuite::PskChaCha20Poly1305Sha256;
    // Up: ClientHello, ClientHello with cookie, the client's final flight.
    // Down: HelloVerifyRequest, ServerHello with ChangeCipherSpec and Finished.
    for (lost_up, lost_down) in [(Some(2), None), (None, Some(1)), (Some(1), Some(1))] {
        let mut net = Network::new(server(suite, 6), 6);
        let first = connect(
            &mut net,
            client(client_config(suite), 60, None),
            LinkConditions::PERFECT,
        );
        let saved = saved_of(&net, first);
        let index = net.add_client(
            client(client_config(suite), 61, Some(&saved)),
            LinkConditions::PERFECT,
        );
        let c = net.client_mut(index).unwrap();
        c.up.set_drop_rule(move |i, _| Some(i) == lost_up);
        c.down.set_drop_rule(move |i, _| Some(i) == lost_down);
        net.start(index).unwrap();
        let case = format!("lost up {lost_up:?}, down {lost_down:?}");
        assert!(
            net.run_until(LIMIT, |n| n.client_connected(index)
                && server_session(n, index).is_connected()),
            "{case}: {net:?}"
        );
        let client_side = &net.client(index).unwrap().session;
        assert!(client_side.is_resumed(), "{case}");
        let retransmissions = client_side.stats().retransmissions
            + server_session(&net, index).stats().retransmissions;
        assert!(retransmissions >= 1, "{case}");
        if lost_up == Some(2) {
            // The server's timer repeated its flight; the connected client answered
            // with its final flight again.
            assert_eq!(client_side.stats().retransmissions, 1, "{case}");
        }
    }
}

#[test]
fn resumption_completes_on_a_lossy_network() {
    let suite = CipherSuite::PskAes128Ccm8;
    let mut resends = 0;
    for seed in 0..20 {
        let mut net = Network::new(server(suite, 100 + seed), seed);
        let first = connect(
            &mut net,
            client(client_config(suite), 1000 + seed, None),
            LinkConditions::PERFECT,
        );
        let saved = saved_of(&net, first);
        let index = connect(
            &mut net,
            client(client_config(suite), 2000 + seed, Some(&saved)),
            LinkConditions::lossy(0.3),
        );
        assert!(
            net.client(index).unwrap().session.is_resumed(),
            "seed {seed}"
        );
        resends += net.client(index).unwrap().session.stats().retransmissions;
    }
    assert!(resends > 0, "a 30 % loss should have cost some resends");
}

#[test]
fn the_saved_session_of_an_ecdsa_handshake_round_trips_through_bytes() {
    let suite = CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256;
    let mut net = Network::new(server(suite, 7), 7);
    let first = connect(
        &mut net,
        client(client_config(suite), 70, None),
        LinkConditions::PERFECT,
    );
    let bytes = saved_of(&net, first).to_bytes();
    let restored = SavedSession::from_bytes(&bytes).unwrap();
    let again = connect(
        &mut net,
        client(client_config(suite), 71, Some(&restored)),
        LinkConditions::PERFECT,
    );
    assert!(net.client(again).unwrap().session.is_resumed());
    assert_eq!(
        net.client(again).unwrap().session.group(),
        restored.group(),
        "the group of the original key exchange"
    );
    assert_eq!(restored.group(), Some(wasm_dtls::NamedGroup::X25519));
}

#[test]
fn the_cache_holds_at_most_its_capacity_however_many_clients_come() {
    let suite = CipherSuite::PskAes128Ccm8;
    let mut net = Network::new(server(suite, 8), 8);
    net.server.set_session_cache(10, HOUR).unwrap();
    let mut held = Vec::new();
    for round in 0..40 {
        let index = connect(
            &mut net,
            client(client_config(suite), 800 + round, None),
            LinkConditions::PERFECT,
        );
        net.with_client(index, |s, _| s.close());
        net.run_until(LIMIT, |n| n.server.sessions_in_use() == 0);
        if round >= 10 {
            held.push(net.server.held_bytes());
        }
    }
    assert_eq!(net.server.cached_sessions(), 10);
    // Every cached session is the same size here: full means the same bytes.
    assert!(held.iter().all(|b| *b == held[0]), "{held:?}");
}

#[test]
fn data_that_overtakes_a_lost_final_flight_is_delivered_once_the_handshake_completes() {
    // In a resumption the client finishes first and may send at once; when its final
    // flight is lost, its data reaches the server before its Finished does.
    let suite = CipherSuite::PskAes128Ccm8;
    let mut net = Network::new(server(suite, 12), 12);
    let first = connect(
        &mut net,
        client(client_config(suite), 120, None),
        LinkConditions::PERFECT,
    );
    let saved = saved_of(&net, first);
    let index = net.add_client(
        client(client_config(suite), 121, Some(&saved)),
        LinkConditions::PERFECT,
    );
    // Up: ClientHello, ClientHello with the cookie, the final flight (lost).
    net.client_mut(index)
        .unwrap()
        .up
        .set_drop_rule(|i, _| i == 2);
    net.start(index).unwrap();
    assert!(net.run_until(LIMIT, |n| n.client_connected(index)));
    net.send(index, b"right after the handshake").unwrap();
    let received = |n: &Network| {
        n.server_events().iter().any(|(_, e)| {
            matches!(e, ServerEvent::Receive { data, .. } if data == b"right after the handshake")
        })
    };
    assert!(net.run_until(LIMIT, received), "{:?}", net.server_events());
    let server_side = server_session(&net, index);
    assert!(server_side.is_resumed() && server_side.is_connected());
    // Once, after the server's Established.
    let events = net.server_events();
    let established = events
        .iter()
        .rposition(|(_, e)| matches!(e, ServerEvent::Established { .. }))
        .unwrap();
    let data = events
        .iter()
        .position(|(_, e)| matches!(e, ServerEvent::Receive { .. }))
        .unwrap();
    assert!(established < data, "{events:?}");
    assert_eq!(
        events
            .iter()
            .filter(|(_, e)| matches!(e, ServerEvent::Receive { .. }))
            .count(),
        1
    );
}

#[test]
fn a_server_that_now_requires_client_certificates_resumes_no_session_without_one() {
    let suite = CipherSuite::EcdheEcdsaAes128GcmSha256;
    let server = seeded_server(cert_config(&[suite], &["server"]), 4, 13);
    let mut net = Network::new(server, 13);
    // No certificate asked for: the session has none.
    let first = connect(
        &mut net,
        client(cert_config(&[suite], &["client"]), 130, None),
        LinkConditions::PERFECT,
    );
    let saved = saved_of(&net, first);
    assert!(server_session(&net, first).peer_certificates().is_empty());
    net.server.x509_client_verify_configure(2).unwrap();
    let again = connect(
        &mut net,
        client(cert_config(&[suite], &["client"]), 131, Some(&saved)),
        LinkConditions::PERFECT,
    );
    let server_side = server_session(&net, again);
    assert!(!server_side.is_resumed());
    assert_eq!(
        server_side.peer_certificates(),
        [cert("client").der().to_vec()]
    );
}

//! The Rust API of the host: DtlsServer and DtlsSession over loopback UDP, several
//! clients at once, the server lifecycle codes, and the component's error codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

#[path = "../../tests/common/process.rs"]
#[allow(dead_code)]
mod process;
#[path = "../../tests/common/udp.rs"]
#[allow(dead_code)]
mod udp;

use wasm_dtls_host::{
    CipherSuite, DtlsServer, DtlsSession, MAX_WAITING_RECORDS, NamedGroup, Options, PskEntry,
    Runtime, ServerEvent, Status,
};

const LIMIT: Duration = Duration::from_secs(20);

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn psk(identity: &str) -> PskEntry {
    PskEntry {
        identity: identity.as_bytes().to_vec(),
        key: format!("key of {identity}").into_bytes(),
        hint: Vec::new(),
    }
}

fn server_options() -> Options {
    Options {
        psks: (0..3).map(|i| psk(&format!("device-{i}"))).collect(),
        certificate: Some((fixture("server.crt.pem"), fixture("server.key.pem"))),
        ..Options::default()
    }
}

/// Starts a server that echoes on 127.0.0.1 and returns its address and the task
/// that collects its events until `clients` sessions have come and gone.
async fn echo_server(
    runtime: &Runtime,
    capacity: u32,
    clients: usize,
) -> (SocketAddr, tokio::task::JoinHandle<Vec<ServerEvent>>) {
    let mut server = DtlsServer::create(runtime, &server_options(), capacity).unwrap();
    let addr = server.start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let task = tokio::spawn(async move {
        let mut seen = Vec::new();
        let mut disconnects = 0;
        while disconnects < clients {
            let next = tokio::time::timeout(LIMIT, server.next_event()).await;
            let Some(event) = next.ok().flatten() else {
                break;
            };
            match &event {
                ServerEvent::Disconnect { .. } => disconnects += 1,
                ServerEvent::Receive { session, data } => {
                    server.send(*session, data).await.unwrap();
                }
                _ => {}
            }
            seen.push(event);
        }
        server.stop().await.unwrap();
        server.delete().unwrap();
        seen
    });
    (addr, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_clients_at_once_each_get_their_own_echo() {
    let runtime = Runtime::from_env().unwrap();
    let (addr, server) = echo_server(&runtime, 4, 3).await;
    let clients = (0..3).map(|i| {
        let runtime = runtime.clone();
        tokio::spawn(async move {
            let options = Options {
                psks: vec![psk(&format!("device-{i}"))],
                // One client with a certificate suite, to mix the key exchanges, and
                // P-256 rather than the default X25519 for its ECDHE.
                suites: if i == 2 {
                    vec![CipherSuite::EcdheEcdsaAes128Ccm8]
                } else {
                    vec![CipherSuite::PskAes128Ccm8]
                },
                groups: vec![NamedGroup::Secp256r1],
                trusted: vec![fixture("ca.crt.pem")],
                server_name: Some("localhost".into()),
                ..Options::default()
            };
            let mut session = DtlsSession::connect(&runtime, addr, &options, LIMIT)
                .await
                .unwrap();
            let text = format!("message from client {i}");
            session.send(text.as_bytes()).await.unwrap();
            let reply = session.receive(LIMIT).await.unwrap();
            assert_eq!(reply, text.as_bytes());
            // Nothing else arrives: NX_NO_PACKET after the wait.
            let nothing = session
                .receive(Duration::from_millis(200))
                .await
                .unwrap_err();
            assert_eq!(nothing.code(), 0x01);
            let suite = session.cipher_suite();
            let group = session.named_group();
            let certificates = session.peer_certificates().len();
            session.end().await;
            (suite, group, certificates)
        })
    });
    let mut results = Vec::new();
    for c in clients {
        results.push(c.await.unwrap());
    }
    assert_eq!(results[0], (CipherSuite::PskAes128Ccm8, None, 0));
    assert_eq!(
        results[2],
        (
            CipherSuite::EcdheEcdsaAes128Ccm8,
            Some(NamedGroup::Secp256r1),
            1
        )
    );
    let events = server.await.unwrap();
    let count = |f: fn(&ServerEvent) -> bool| events.iter().filter(|e| f(e)).count();
    assert_eq!(
        count(|e| matches!(e, ServerEvent::Connect { .. })),
        3,
        "{events:?}"
    );
    assert_eq!(count(|e| matches!(e, ServerEvent::Established { .. })), 3);
    let on_p256 = |e: &ServerEvent| {
        let p256 = Some(NamedGroup::Secp256r1);
        matches!(e, ServerEvent::Established { group, .. } if *group == p256)
    };
    assert_eq!(count(on_p256), 1, "{events:?}");
    // Each client's close_notify reached the server.
    let closed = |e: &ServerEvent| matches!(e, ServerEvent::Disconnect { reason, .. } if reason.code() == 0x127);
    assert_eq!(count(closed), 3, "{events:?}");
}

#[tokio::test]
async fn server_lifecycle_codes_follow_netx() {
    let runtime = Runtime::from_env().unwrap();
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut server = DtlsServer::create(&runtime, &server_options(), 2).unwrap();
    let busy = server.start(taken.local_addr().unwrap()).await.unwrap_err();
    assert_eq!(
        (busy.status(), busy.code()),
        (Status::PortUnavailable, 0x23)
    );
    let addr = server.start(([127, 0, 0, 1], 0).into()).await.unwrap();
    assert_eq!(server.local_addr(), Some(addr));
    let again = server.start(([127, 0, 0, 1], 0).into()).await.unwrap_err();
    assert_eq!(again.code(), 0x22);
    let still = server.delete().unwrap_err();
    assert_eq!(still.code(), 0x42);
    server.stop().await.unwrap();
    // A stopped server starts again, then is deleted.
    server.start(([127, 0, 0, 1], 0).into()).await.unwrap();
    server.stop().await.unwrap();
    server.delete().unwrap();
    assert_eq!(server.start(addr).await.unwrap_err().code(), 0x101);
}

#[tokio::test]
async fn creation_errors_carry_the_component_codes() {
    let runtime = Runtime::from_env().unwrap();
    let zero = DtlsServer::create(&runtime, &server_options(), 0)
        .err()
        .unwrap();
    assert_eq!(zero.code(), 0x4D, "{zero}");
    let bad_key = Options {
        certificate: Some((fixture("server.crt.pem"), fixture("client.key.pem"))),
        ..Options::default()
    };
    let mismatch = DtlsServer::create(&runtime, &bad_key, 2).err().unwrap();
    assert_eq!(mismatch.code(), 0x4D);
    assert!(mismatch.message().contains("does not belong"), "{mismatch}");
    // A client with no credential cannot start: the component says so.
    let nothing = DtlsSession::connect(
        &runtime,
        "127.0.0.1:9".parse().unwrap(),
        &Options::default(),
        LIMIT,
    )
    .await
    .err()
    .unwrap();
    assert_eq!(nothing.code(), 0x4D);
}

#[tokio::test]
async fn a_client_that_the_server_refuses_gets_the_alert_code_and_the_server_an_error_event() {
    let runtime = Runtime::from_env().unwrap();
    let mut server = DtlsServer::create(&runtime, &server_options(), 2).unwrap();
    let addr = server.start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let stranger = Options {
        psks: vec![psk("nobody")],
        ..Options::default()
    };
    let refused = DtlsSession::connect(&runtime, addr, &stranger, LIMIT)
        .await
        .err()
        .unwrap();
    assert_eq!(refused.code(), 0x114, "{refused}");
    loop {
        let event = tokio::time::timeout(LIMIT, server.next_event())
            .await
            .unwrap()
            .unwrap();
        if let ServerEvent::Error { error, .. } = event {
            assert_eq!(error.status(), Status::NoMatchingPsk);
            // The operator learns which identity has no key.
            assert!(
                error.to_string().contains("the identity \"nobody\""),
                "{error}"
            );
            break;
        }
    }
    server.stop().await.unwrap();
}

/// A server takes as many pre-shared keys as its options hold: the engine's table holds
/// 8 unless told otherwise, and a server with a key per device was refused (0x125).
#[tokio::test]
async fn a_server_takes_a_pre_shared_key_per_device() {
    let runtime = Runtime::from_env().unwrap();
    let devices = Options {
        psks: (0..20).map(|i| psk(&format!("device-{i}"))).collect(),
        ..Options::default()
    };
    let mut server = DtlsServer::create(&runtime, &devices, 4).unwrap();
    let addr = server.start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let last = Options {
        psks: vec![psk("device-19")],
        ..Options::default()
    };
    let session = DtlsSession::connect(&runtime, addr, &last, LIMIT)
        .await
        .unwrap();
    session.end().await;
    server.stop().await.unwrap();
}

/// A CA bundle, as `openssl -CAfile` and Node's `tls` take one: every certificate in it
/// is trusted (here the server's CA comes second, after text and another CA), and a
/// bundle with a block cut short is refused rather than trusted in part.
#[tokio::test]
async fn every_certificate_of_a_ca_bundle_is_trusted() {
    let runtime = Runtime::from_env().unwrap();
    let (addr, server) = echo_server(&runtime, 2, 1).await;
    let text = |name: &str| String::from_utf8(fixture(name)).unwrap();
    let bundle = format!(
        "# Issuer: another CA\n{}\n# Issuer: the test CA\n{}",
        text("other-ca.crt.pem"),
        text("ca.crt.pem")
    );
    let options = |trusted: &str| Options {
        suites: vec![CipherSuite::EcdheEcdsaAes128GcmSha256],
        trusted: vec![trusted.as_bytes().to_vec()],
        server_name: Some("localhost".into()),
        ..Options::default()
    };
    let mut session = DtlsSession::connect(&runtime, addr, &options(&bundle), LIMIT)
        .await
        .unwrap();
    session.send(b"bundle").await.unwrap();
    assert_eq!(session.receive(LIMIT).await.unwrap(), b"bundle");
    session.end().await;
    assert!(server.await.unwrap().len() >= 3);

    let cut = bundle.get(..bundle.len() - 100).unwrap();
    let refused = DtlsSession::connect(&runtime, addr, &options(cut), LIMIT)
        .await
        .err()
        .unwrap();
    assert_eq!(refused.code(), 0x112, "{refused}");
}

/// The retransmission settings of `Options` reach the engine: a server that never
/// answers gets exactly `max_transmissions` ClientHellos, no wait between them exceeds
/// `retransmit_max` (without the cap the fourth would be 400 ms), and the handshake
/// then fails with WASM_DTLS_HANDSHAKE_TIMEOUT long before the caller's timeout.
#[tokio::test]
async fn retransmission_settings_bound_the_flights_sent_to_a_silent_server() {
    let runtime = Runtime::from_env().unwrap();
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let waits = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = waits.clone();
    let options = Options {
        psks: vec![psk("device-0")],
        retransmit_initial: Some(Duration::from_millis(50)),
        retransmit_max: Some(Duration::from_millis(100)),
        max_transmissions: Some(4),
        // ".. timer set for t=DEADLINE ms", reported at `at` ms on the same clock.
        trace: Some(std::sync::Arc::new(move |at: u64, line: &str| {
            if let Some(deadline) = line
                .strip_prefix(".. timer set for t=")
                .and_then(|rest| rest.strip_suffix(" ms"))
            {
                sink.lock()
                    .unwrap()
                    .push(deadline.parse::<u64>().unwrap() - at);
            }
        })),
        ..Options::default()
    };
    let failed = DtlsSession::connect(&runtime, silent.local_addr().unwrap(), &options, LIMIT)
        .await
        .err()
        .unwrap();
    assert_eq!(failed.status(), Status::HandshakeTimeout, "{failed}");
    // The server is there, only silent: nothing refused our datagrams.
    assert!(!failed.message().contains("unreachable"), "{failed}");

    silent.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 2048];
    let hellos = std::iter::from_fn(|| silent.recv(&mut buf).ok()).count();
    assert_eq!(hellos, 4);
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 4, "{waits:?}");
    assert!(waits.iter().all(|&w| w <= 100), "{waits:?}");
}

/// A handshake with a port nothing receives on (bound, then released) times out —
/// a server may yet start there — and says that loopback refused our datagrams, both
/// when the caller's time runs out and when the engine stops retransmitting.
#[tokio::test]
async fn a_handshake_with_a_closed_port_says_it_was_refused() {
    let runtime = Runtime::from_env().unwrap();
    let closed = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let refused = format!(
        "127.0.0.1 answered that nothing receives on its UDP port {} (ICMP port unreachable)",
        closed.port()
    );
    let options = Options {
        psks: vec![psk("device-0")],
        ..Options::default()
    };
    let timed_out = DtlsSession::connect(&runtime, closed, &options, Duration::from_millis(1500))
        .await
        .err()
        .unwrap();
    assert_eq!(timed_out.status(), Status::HandshakeTimeout);
    assert!(timed_out.message().contains(&refused), "{timed_out}");

    let options = Options {
        retransmit_initial: Some(Duration::from_millis(50)),
        max_transmissions: Some(2),
        ..options
    };
    let gave_up = DtlsSession::connect(&runtime, closed, &options, LIMIT)
        .await
        .err()
        .unwrap();
    assert_eq!(gave_up.status(), Status::HandshakeTimeout);
    assert!(
        gave_up.message().contains("2 times; ") && gave_up.message().contains(&refused),
        "{gave_up}"
    );
}

/// The hosts' timers under loss: through a relay that drops the second ClientHello,
/// the first datagram of the server's flight and the client's final flight, client
/// and server in wasmtime resend (on their 100 ms timers) and complete the handshake,
/// and data flows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handshake_completes_when_flights_are_lost_both_ways() {
    let runtime = Runtime::from_env().unwrap();
    for suite in [
        CipherSuite::PskAes128Ccm8,
        CipherSuite::EcdheEcdsaAes128GcmSha256,
    ] {
        let options = Options {
            retransmit_initial: Some(Duration::from_millis(100)),
            ..server_options()
        };
        let mut server = DtlsServer::create(&runtime, &options, 2).unwrap();
        let addr = server.start(([127, 0, 0, 1], 0).into()).await.unwrap();
        let proxy = udp::LossyProxy::with(addr, udp::LOSSES);
        let client = Options {
            suites: vec![suite],
            psks: vec![psk("device-2")],
            trusted: vec![fixture("ca.crt.pem")],
            server_name: Some("localhost".into()),
            retransmit_initial: Some(Duration::from_millis(100)),
            ..Options::default()
        };
        let mut session = DtlsSession::connect(&runtime, proxy.addr, &client, LIMIT)
            .await
            .unwrap();
        assert_eq!(session.cipher_suite(), suite);
        assert!(session.handshake_stats().retransmissions >= 1, "{suite:?}");
        assert!(
            proxy.carried_out(),
            "{suite:?}: the relay did not drop all it was told to"
        );
        session.send(b"after the losses").await.unwrap();
        let echoed = loop {
            match tokio::time::timeout(LIMIT, server.next_event())
                .await
                .unwrap()
                .unwrap()
            {
                ServerEvent::Receive { session, data } => break (session, data),
                _ => continue,
            }
        };
        server.send(echoed.0, &echoed.1).await.unwrap();
        assert_eq!(session.receive(LIMIT).await.unwrap(), b"after the losses");
        session.end().await;
        server.stop().await.unwrap();
    }
}

/// Waits (bounded) until `counted()` reaches `sent`: every record sent has been read by
/// the driver, and is waiting or dropped.
async fn until_counted(sent: usize, counted: impl Fn() -> usize) {
    let deadline = tokio::time::Instant::now() + LIMIT;
    while counted() < sent && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(counted(), sent);
}

/// Sends `total` records with `send(i)` in batches, each read by the receiving driver
/// (`counted()`: records waiting or dropped there) before the next, so that no
/// datagram is lost to a full socket buffer.
async fn send_in_batches(
    total: usize,
    mut send: impl AsyncFnMut(usize),
    counted: impl Fn() -> usize,
) {
    for start in (0..total).step_by(64) {
        let end = (start + 64).min(total);
        for i in start..end {
            send(i).await;
        }
        until_counted(end, &counted).await;
    }
}

/// Data the application does not take waits up to MAX_WAITING_RECORDS records, on a
/// client and on a server; beyond, records are dropped and counted, and the first
/// ones are still delivered in order. (The drivers read their sockets regardless:
/// unbounded, a peer could grow the process's memory at will.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_nobody_takes_waits_up_to_a_bound_and_the_rest_is_counted() {
    let runtime = Runtime::from_env().unwrap();
    let mut server = DtlsServer::create(&runtime, &server_options(), 2).unwrap();
    let addr = server.start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let client = Options {
        psks: vec![psk("device-0")],
        ..Options::default()
    };
    let mut session = DtlsSession::connect(&runtime, addr, &client, LIMIT)
        .await
        .unwrap();
    let extra = 40;
    let total = MAX_WAITING_RECORDS + extra;

    // Towards the server, whose application does not ask for events yet.
    send_in_batches(
        total,
        async |i| {
            session
                .send(format!("to server {i}").as_bytes())
                .await
                .unwrap()
        },
        || server.waiting_records() + server.dropped_records() as usize,
    )
    .await;
    assert_eq!(server.waiting_records(), MAX_WAITING_RECORDS);
    assert_eq!(server.dropped_records(), extra as u64);
    let mut received = Vec::new();
    let mut id = None;
    while received.len() < MAX_WAITING_RECORDS {
        match tokio::time::timeout(LIMIT, server.next_event())
            .await
            .unwrap()
            .unwrap()
        {
            ServerEvent::Receive { session, data } => {
                id = Some(session);
                received.push(String::from_utf8(data).unwrap());
            }
            _ => continue,
        }
    }
    assert_eq!(received.first().map(String::as_str), Some("to server 0"));
    let last = format!("to server {}", MAX_WAITING_RECORDS - 1);
    assert_eq!(received.last(), Some(&last));
    assert_eq!(server.waiting_records(), 0);

    // Towards the client, which does not call receive.
    let id = id.unwrap();
    send_in_batches(
        total,
        async |i| {
            server
                .send(id, format!("to client {i}").as_bytes())
                .await
                .unwrap()
        },
        || session.waiting_records() + session.dropped_records() as usize,
    )
    .await;
    assert_eq!(session.waiting_records(), MAX_WAITING_RECORDS);
    assert_eq!(session.dropped_records(), extra as u64);
    for i in 0..MAX_WAITING_RECORDS {
        let data = session.receive(LIMIT).await.unwrap();
        assert_eq!(data, format!("to client {i}").as_bytes());
    }
    let nothing = session
        .receive(Duration::from_millis(100))
        .await
        .err()
        .unwrap();
    assert_eq!(nothing.status(), Status::NoPacket);
    session.end().await;
    server.stop().await.unwrap();
}

/// The addresses of one host are tried in turn while each refuses: a server on
/// 127.0.0.1 is reached although `::1` (first for `localhost` on most systems) comes
/// first; when all refuse, the error names them.
#[tokio::test]
async fn connect_any_moves_on_from_an_address_that_refuses() {
    let runtime = Runtime::from_env().unwrap();
    let mut server = DtlsServer::create(&runtime, &server_options(), 2).unwrap();
    let addr = server.start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let localhost: [SocketAddr; 2] = [(std::net::Ipv6Addr::LOCALHOST, addr.port()).into(), addr];
    let options = Options {
        psks: vec![psk("device-1")],
        ..Options::default()
    };
    let session = DtlsSession::connect_any(&runtime, &localhost, &options, LIMIT)
        .await
        .unwrap();
    assert_eq!(session.peer(), addr);
    session.end().await;
    server.stop().await.unwrap();

    let failed =
        DtlsSession::connect_any(&runtime, &localhost, &options, Duration::from_millis(500))
            .await
            .err()
            .unwrap();
    assert_eq!(failed.status(), Status::HandshakeTimeout);
    assert!(
        failed
            .message()
            .contains("127.0.0.1 answered that nothing receives")
            && failed.message().contains("; tried before: ::1 (refused)"),
        "{failed}"
    );
}

/// An address that stays silent (as an IPv6 path that drops everything) is left for
/// the next after the first retransmission timeout, rather than taking the whole
/// timeout: here 127.0.0.2 (loopback too, a socket on the server's port that never
/// answers) before the server on 127.0.0.1.
#[tokio::test]
async fn connect_any_moves_on_from_an_address_that_stays_silent() {
    let runtime = Runtime::from_env().unwrap();
    let mut server = DtlsServer::create(&runtime, &server_options(), 2).unwrap();
    let addr = server.start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let silent = UdpSocket::bind(("127.0.0.2", addr.port())).unwrap();
    let peers = [silent.local_addr().unwrap(), addr];
    let options = Options {
        psks: vec![psk("device-1")],
        retransmit_initial: Some(Duration::from_millis(200)),
        ..Options::default()
    };
    let session = DtlsSession::connect_any(&runtime, &peers, &options, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(session.peer(), addr);
    session.end().await;
    server.stop().await.unwrap();
}

/// `require_extended_master_secret` reaches the engine: OpenSSL without the extended
/// master secret (turned off in its configuration) is refused with
/// NX_SECURE_TLS_EXTENSION_NOT_FOUND, and accepted without the requirement.
#[tokio::test]
async fn a_server_without_the_extended_master_secret_is_refused_when_it_is_required() {
    let runtime = Runtime::from_env().unwrap();
    let key = psk("device-0");
    let hex_key: String = key.key.iter().map(|b| format!("{b:02x}")).collect();
    for require in [false, true] {
        let port = process::free_port();
        let accept = format!("127.0.0.1:{port}");
        let _server = process::openssl_without_ems(&[
            "s_server",
            "-dtls1_2",
            "-accept",
            &accept,
            "-nocert",
            "-psk",
            &hex_key,
            "-psk_identity",
            "device-0",
            "-naccept",
            "1",
        ]);
        let options = Options {
            psks: vec![key.clone()],
            require_extended_master_secret: require,
            ..Options::default()
        };
        // s_server may not listen yet: the ClientHello's retransmission covers that.
        let outcome =
            DtlsSession::connect(&runtime, accept.parse().unwrap(), &options, LIMIT).await;
        match outcome {
            Ok(session) if !require => session.end().await,
            Err(e) if require => assert_eq!(e.status(), Status::ExtensionNotFound, "{e}"),
            Ok(_) => panic!("a server without the extended master secret was accepted"),
            Err(e) => panic!("no handshake without the requirement: {e}"),
        }
    }
}

#[tokio::test]
async fn a_client_resumes_its_saved_session_and_both_sides_say_so() {
    let runtime = Runtime::from_env().unwrap();
    let (addr, server) = echo_server(&runtime, 2, 2).await;
    let mut options = Options {
        suites: vec![CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256],
        trusted: vec![fixture("ca.crt.pem")],
        server_name: Some("localhost".into()),
        ..Options::default()
    };
    let first = DtlsSession::connect(&runtime, addr, &options, LIMIT)
        .await
        .unwrap();
    assert!(!first.is_resumed());
    let saved = first
        .saved_session()
        .cloned()
        .expect("the server gave an ID");
    assert_eq!(saved.cipher_suite(), first.cipher_suite());
    first.end().await;

    // Through bytes, as a client keeping it between runs would.
    let saved = wasm_dtls_host::SavedSession::from_bytes(&saved.to_bytes()).unwrap();
    options.saved_session = Some(saved.clone());
    let mut second = DtlsSession::connect(&runtime, addr, &options, LIMIT)
        .await
        .unwrap();
    assert!(second.is_resumed());
    assert_eq!(second.named_group(), saved.group());
    assert_eq!(second.peer_certificates(), saved.peer_certificates());
    second.send(b"resumed").await.unwrap();
    assert_eq!(second.receive(LIMIT).await.unwrap(), b"resumed");
    second.end().await;

    // Bytes that are not a saved session are refused by the component, with 0x4D.
    let broken = wasm_dtls_host::SavedSession::from_bytes(b"not a session").unwrap_err();
    assert_eq!(broken.status().code(), 0x4D);

    // A server whose cache is off gives no ID: nothing to save.
    let mut uncached = server_options();
    uncached.session_cache = Some((0, Duration::from_secs(60)));
    let mut other = DtlsServer::create(&runtime, &uncached, 1).unwrap();
    let other_addr = other.start(([127, 0, 0, 1], 0).into()).await.unwrap();
    let serve = tokio::spawn(async move {
        let _ = tokio::time::timeout(LIMIT, other.next_event()).await;
        let _ = tokio::time::timeout(LIMIT, other.next_event()).await;
        other
    });
    options.saved_session = None;
    let third = DtlsSession::connect(&runtime, other_addr, &options, LIMIT)
        .await
        .unwrap();
    assert!(third.saved_session().is_none());
    third.end().await;
    let mut other = serve.await.unwrap();
    other.stop().await.unwrap();

    let events = server.await.unwrap();
    let established: Vec<bool> = events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Established { resumed, .. } => Some(*resumed),
            _ => None,
        })
        .collect();
    assert_eq!(established, [false, true], "{events:?}");
}

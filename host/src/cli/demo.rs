//! `wasm-dtls demo`: a server and a client in one process, over loopback UDP, both
//! running the component; one handshake per suite, then one resuming the last suite's
//! session (the abbreviated handshake), each with its ladder, and a summary.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::net::SocketAddr;

use wasm_dtls_host::{
    CipherSuite, DtlsError, DtlsServer, DtlsSession, Options, PskEntry, Runtime, SavedSession,
    ServerEvent, Status,
};

/// Test credentials built in, so the demo needs no arguments: the CA and the
/// server certificate (CN=localhost, IP 127.0.0.1) of tests/fixtures.
const CA: &[u8] = include_bytes!("../../../tests/fixtures/ca.crt.pem");
const SERVER_CERT: &[u8] = include_bytes!("../../../tests/fixtures/server.crt.pem");
const SERVER_KEY: &[u8] = include_bytes!("../../../tests/fixtures/server.key.pem");

const TIMEOUT: Duration = Duration::from_secs(10);

/// One handshake's line in the summary.
struct Row {
    suite: CipherSuite,
    /// The ECDHE group, or "-" with PSK.
    group: &'static str,
    /// "full", or "resumed" for an abbreviated handshake.
    handshake: &'static str,
    millis: u64,
    sent: u64,
    received: u64,
    retransmissions: u64,
    reply: String,
}

/// Runs the demo.
pub async fn run(runtime: &Runtime) -> Result<(), DtlsError> {
    let psk = PskEntry {
        identity: b"demo-client".to_vec(),
        key: b"demo-secret-1234".to_vec(),
        hint: b"demo".to_vec(),
    };
    let server_options = Options {
        psks: vec![psk.clone()],
        certificate: Some((SERVER_CERT.to_vec(), SERVER_KEY.to_vec())),
        ..Options::default()
    };
    let mut server = DtlsServer::create(runtime, &server_options, 4)?;
    let addr = server.start(([127, 0, 0, 1], 0).into()).await?;
    println!(
        "wasm-dtls demo: a server on {addr} and a client, both the wasm-dtls component in wasmtime\n"
    );

    // The server echoes, in the background, until the demo ends.
    let echo = tokio::spawn(async move {
        while let Some(event) = server.next_event().await {
            if let ServerEvent::Receive { session, data } = event {
                let mut reply = b"echo: ".to_vec();
                reply.extend_from_slice(&data);
                let _ = server.send(session, &reply).await;
            }
        }
    });

    let mut rows = Vec::new();
    let mut saved = None;
    for suite in DEMO_SUITES {
        println!("── {} ──", suite.iana_name());
        let (row, session) = connect(runtime, addr, client_options(suite, &psk, None)).await?;
        rows.push(row);
        saved = session;
    }
    // The last suite's session once more: a returning client skips the key exchange
    // and the certificates (RFC 5246 §7.3).
    if let (Some(saved), Some(suite)) = (saved, DEMO_SUITES.last().copied()) {
        println!("── {} — resuming the session ──", suite.iana_name());
        let options = client_options(suite, &psk, Some(saved));
        let (row, _) = connect(runtime, addr, options).await?;
        rows.push(row);
    }
    echo.abort();
    print_summary(&rows);
    if rows.iter().filter(|r| r.handshake == "full").count() == DEMO_SUITES.len()
        && rows.iter().any(|r| r.handshake == "resumed")
    {
        Ok(())
    } else {
        Err(DtlsError::new(
            Status::NotSuccessful,
            "not every suite completed",
        ))
    }
}

/// The client's options for `suite`, offering `saved` if any, with a trace that
/// collects the ladder.
fn client_options(
    suite: CipherSuite,
    psk: &PskEntry,
    saved: Option<SavedSession>,
) -> (Options, Arc<Mutex<Vec<String>>>) {
    let ladder = Arc::new(Mutex::new(Vec::new()));
    let lines = ladder.clone();
    let options = Options {
        suites: vec![suite],
        psks: vec![psk.clone()],
        trusted: vec![CA.to_vec()],
        server_name: Some("localhost".into()),
        saved_session: saved,
        trace: Some(Arc::new(move |at: u64, line: &str| {
            if let Ok(mut l) = lines.lock() {
                l.push(format!("[{at:>5} ms] {line}"));
            }
        })),
        ..Options::default()
    };
    (options, ladder)
}

/// One connection: handshake, a message and its echo, close_notify; prints the ladder
/// and returns the summary row and the session a later connection can resume.
async fn connect(
    runtime: &Runtime,
    addr: SocketAddr,
    (options, ladder): (Options, Arc<Mutex<Vec<String>>>),
) -> Result<(Row, Option<SavedSession>), DtlsError> {
    let mut session = DtlsSession::connect(runtime, addr, &options, TIMEOUT).await?;
    session.send(b"hello from the demo client").await?;
    let reply = session.receive(TIMEOUT).await?;
    let stats = session.handshake_stats();
    let row = Row {
        suite: session.cipher_suite(),
        group: session.named_group().map_or("-", |g| g.name()),
        handshake: if session.is_resumed() {
            "resumed"
        } else {
            "full"
        },
        millis: stats.millis,
        sent: stats.datagrams_sent,
        received: stats.datagrams_received,
        retransmissions: stats.retransmissions,
        reply: String::from_utf8_lossy(&reply).into_owned(),
    };
    let saved = session.saved_session().cloned();
    session.end().await;
    if let Ok(lines) = ladder.lock() {
        for line in lines.iter() {
            println!("  {line}");
        }
    }
    println!();
    Ok((row, saved))
}

/// The suites the demo shows, PSK first (the shorter handshake).
const DEMO_SUITES: [CipherSuite; 6] = [
    CipherSuite::PskAes128Ccm8,
    CipherSuite::PskAes128GcmSha256,
    CipherSuite::PskChaCha20Poly1305Sha256,
    CipherSuite::EcdheEcdsaAes128Ccm8,
    CipherSuite::EcdheEcdsaAes128GcmSha256,
    CipherSuite::EcdheEcdsaChaCha20Poly1305Sha256,
];

fn print_summary(rows: &[Row]) {
    println!(
        "{:<46} {:<9} {:<8} {:>9} {:>6} {:>6} {:>8}  reply",
        "suite", "group", "kind", "handshake", "sent", "recv", "retrans"
    );
    for r in rows {
        println!(
            "{:<46} {:<9} {:<8} {:>6} ms {:>6} {:>6} {:>8}  {:?}",
            r.suite.iana_name(),
            r.group,
            r.handshake,
            r.millis,
            r.sent,
            r.received,
            r.retransmissions,
            r.reply
        );
    }
}

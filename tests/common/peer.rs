//! Interop peers that share one command line (tests/interop/{mbedtls,pion,wolfssl}_peer):
//!
//! ```text
//! PEER client PORT SUITE CREDENTIALS... --message MESSAGE
//!     handshake with 127.0.0.1:PORT, send MESSAGE, print "reply: ..." and close
//! PEER server PORT SUITE CREDENTIALS...
//!     print "listening", answer one client on 127.0.0.1:PORT, echo its first record,
//!     print "received: ..." and close
//! ```
//!
//! SUITE is the IANA name; CREDENTIALS are `--psk IDENTITY:HEXKEY`, `--ca FILE` (verify
//! the peer against it; a server with one requires a client certificate), `--cert FILE
//! --key FILE` and `--mtu BYTES`; `--resume yes` where a peer implements resumption
//! (the client connects twice, the server answers two clients; each prints "resumed:
//! yes" or "no" for the second). The same tests run against each of them.

use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use super::process::{Process, free_port};
use super::udp::{LOSSES, LossyProxy, Mishaps, REPEATS, UdpDriver};
use super::{ECDSA_SUITES, IDENTITY, KEY, PSK_SUITES, cert, fixture_path, hex, suite_config};
use wasm_dtls::{
    CipherSuite, Config, KeyExchange, NamedGroup, SavedSession, Server, ServerEvent, Session, Stats,
};

/// How long a peer may take to listen, answer or finish.
pub const LIMIT: Duration = Duration::from_secs(20);

/// An option and its value; file names are relative to tests/fixtures unless absolute,
/// and an empty `--psk` is filled in with the shared identity and key.
pub type Credential<'a> = (&'a str, &'a str);

/// A peer server's credentials: the PSK and the server certificate.
pub const SERVER: [Credential<'static>; 3] = [
    ("--psk", ""),
    ("--cert", "server.crt.pem"),
    ("--key", "server.key.pem"),
];

/// A peer server's credentials for the ECDHE_RSA suites: the RSA server certificate.
pub const RSA_SERVER: [Credential<'static>; 2] = [
    ("--cert", "rsa-server.crt.pem"),
    ("--key", "rsa-server.key.pem"),
];

/// A peer client's: the PSK, and the CA to verify our server with.
pub const CLIENT: [Credential<'static>; 2] = [("--psk", ""), ("--ca", "ca.crt.pem")];

/// A peer server that requires a client certificate and verifies it.
pub const SERVER_VERIFYING_CLIENTS: [Credential<'static>; 3] = [
    ("--ca", "ca.crt.pem"),
    ("--cert", "server.crt.pem"),
    ("--key", "server.key.pem"),
];

/// A peer client with its own certificate.
pub const CLIENT_WITH_CERTIFICATE: [Credential<'static>; 4] = [
    ("--psk", ""),
    ("--ca", "ca.crt.pem"),
    ("--cert", "client.crt.pem"),
    ("--key", "client.key.pem"),
];

/// What one run against a peer saw: the chain the peer presented, the ECDHE group,
/// and our session's counters.
pub struct Run {
    pub chain: Vec<Vec<u8>>,
    pub group: Option<NamedGroup>,
    pub stats: Stats,
}

/// A program speaking the command line above.
pub struct Peer {
    /// The program.
    pub program: String,
    /// Arguments before the mode (a script's path, say).
    pub leading: Vec<String>,
    /// The suites it has.
    pub suites: &'static [CipherSuite],
}

impl Peer {
    /// The peer in `mode` on `port` with `suite` and `credentials`.
    pub fn spawn(
        &self,
        mode: &str,
        port: u16,
        suite: CipherSuite,
        credentials: &[Credential<'_>],
    ) -> Process {
        let mut args = self.leading.clone();
        args.extend([
            mode.to_string(),
            port.to_string(),
            suite.iana_name().to_string(),
        ]);
        for (option, value) in credentials {
            let value = match *option {
                "--psk" if value.is_empty() => {
                    format!("{}:{}", String::from_utf8_lossy(IDENTITY), hex(KEY))
                }
                "--psk" | "--message" | "--mtu" | "--resume" => value.to_string(),
                _ if value.starts_with('/') => value.to_string(),
                _ => fixture_path(value),
            };
            args.extend([option.to_string(), value]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Process::spawn(&self.program, &args)
    }

    /// Our client with `config` against this peer's server (through a relay with
    /// `mishaps`, if given): the handshake completes with `suite`, and our data comes
    /// back from its echo.
    pub fn serves_our_client(
        &self,
        suite: CipherSuite,
        config: Config,
        server_credentials: &[Credential<'_>],
        mishaps: Option<Mishaps<'_>>,
    ) -> Run {
        let port = free_port();
        let server = self.spawn("server", port, suite, server_credentials);
        assert!(server.wait_for("listening", LIMIT), "{}", server.output());
        let (proxy, at) =
            LossyProxy::in_front_of(format!("127.0.0.1:{port}").parse().unwrap(), mishaps);
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let message = format!("hello from wasm-dtls over {suite:?}");
        let client = UdpDriver::echo_client(config, socket, at, &server, suite, message.as_bytes());
        assert!(
            server.wait_for(&format!("received: {message}"), LIMIT),
            "{}",
            server.output()
        );
        assert!(proxy.is_none_or(|p| p.carried_out()), "{suite:?}");
        Run {
            chain: client.endpoint.peer_certificates().to_vec(),
            group: client.endpoint.group(),
            stats: client.endpoint.stats(),
        }
    }

    /// This peer's client with `client_credentials` against our pool server with
    /// `config` (through a relay with `mishaps`, if given): the handshake completes
    /// with `suite`, our reply reaches the client.
    pub fn is_served_by_us(
        &self,
        suite: CipherSuite,
        config: Config,
        client_credentials: &[Credential<'_>],
        mishaps: Option<Mishaps<'_>>,
    ) -> Run {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let (proxy, at) = LossyProxy::in_front_of(socket.local_addr().unwrap(), mishaps);
        let port = at.port();
        let mut credentials = client_credentials.to_vec();
        credentials.push(("--message", "hello from the peer"));
        let mut client = self.spawn("client", port, suite, &credentials);
        let mut driver = UdpDriver::pool(config, socket);
        let session = driver.received_from(&client, suite, b"hello from the peer");
        let chain = driver.peer_chain(session);
        driver.reply(session, b"hello from wasm-dtls");
        client.finishes_saying("reply: hello from wasm-dtls", LIMIT);
        assert!(proxy.is_none_or(|p| p.carried_out()), "{suite:?}");
        Run {
            chain,
            group: driver.endpoint.session(session).and_then(|s| s.group()),
            stats: driver.endpoint.session_stats(session).unwrap(),
        }
    }

    /// Session resumption with `suite` both ways (the peer's `--resume yes`): our
    /// client connects to the peer's server twice, the second time offering the first
    /// connection's session, and the peer's client does the same with our pool; each
    /// second connection is the abbreviated handshake, and both sides say so.
    pub fn resumes_sessions_both_ways(&self, suite: CipherSuite) {
        let port = free_port();
        let mut credentials = SERVER.to_vec();
        credentials.push(("--resume", "yes"));
        let server = self.spawn("server", port, suite, &credentials);
        assert!(server.wait_for("listening", LIMIT), "{}", server.output());
        let at = format!("127.0.0.1:{port}").parse().unwrap();
        let mut saved: Option<SavedSession> = None;
        for round in 0..2 {
            let mut session = Session::client(Arc::new(suite_config(suite, &[])));
            if let Some(saved) = saved.take() {
                session.set_saved_session(saved).unwrap();
            }
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            let mut client = UdpDriver::echo_session(session, socket, at, &server, suite);
            let message = format!("round {round} over {suite:?}");
            client.endpoint.send(message.as_bytes()).unwrap();
            assert!(
                client.run_until(LIMIT, |c| c.received() == message.as_bytes()),
                "{suite:?} round {round}: the peer said:\n{}",
                server.output()
            );
            assert_eq!(client.endpoint.is_resumed(), round == 1, "{suite:?}");
            saved = client.endpoint.saved_session();
            assert!(saved.is_some(), "{suite:?}: the peer gave no session ID");
            client.endpoint.close();
            client.flush();
        }
        assert!(
            server.wait_for("resumed: yes", LIMIT),
            "{suite:?}: {}",
            server.output()
        );

        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let mut credentials = CLIENT.to_vec();
        credentials.extend([("--message", "hello from the peer"), ("--resume", "yes")]);
        let mut client = self.spawn("client", port, suite, &credentials);
        let mut driver = UdpDriver::pool(suite_config(suite, &["server"]), socket);
        for round in 0..2 {
            driver.events.clear();
            let session = driver.received_from(&client, suite, b"hello from the peer");
            let ours = driver.endpoint.session(session).unwrap();
            assert_eq!(ours.is_resumed(), round == 1, "{suite:?}");
            driver.reply(session, b"hello from wasm-dtls");
        }
        client.finishes_saying("resumed: yes", LIMIT);
        assert_eq!(driver.endpoint.stats().sessions_resumed, 1);
    }

    /// Every suite the peer has, our client against the peer's server (with an RSA
    /// certificate for ECDHE_RSA) and, for the suites we serve, the peer's client
    /// against ours; each side sees the other's certificate only where it should.
    pub fn talks_both_ways(&self) {
        for &suite in self.suites {
            let server: &[Credential<'_>] = match suite.key_exchange() {
                KeyExchange::EcdheRsa => &RSA_SERVER,
                KeyExchange::Psk | KeyExchange::EcdhePsk | KeyExchange::EcdheEcdsa => &SERVER,
            };
            let run = self.serves_our_client(suite, suite_config(suite, &[]), server, None);
            let expected = match suite.key_exchange() {
                KeyExchange::Psk | KeyExchange::EcdhePsk => vec![],
                KeyExchange::EcdheEcdsa => vec![cert("server").der().to_vec()],
                KeyExchange::EcdheRsa => vec![cert("rsa-server").der().to_vec()],
            };
            assert_eq!(run.chain, expected, "{suite:?}");
            if !suite.key_exchange().served() {
                continue;
            }
            let config = suite_config(suite, &["server"]);
            let run = self.is_served_by_us(suite, config, &CLIENT, None);
            assert!(
                run.chain.is_empty(),
                "{suite:?}: we asked for no certificate"
            );
        }
    }

    /// The ECDHE group agreed with the peer's first ECDSA suite, both ways, our side
    /// enabling both groups (X25519 first): the one the peer's server prefers among
    /// those we offer (`its_server_picks`), and the first of the peer's client that we
    /// enable (`its_client_offers`) — and secp256r1 when our client enables only that.
    pub fn agrees_on_groups(&self, its_server_picks: NamedGroup, its_client_offers: NamedGroup) {
        let Some(&suite) = self.suites.iter().find(|s| ECDSA_SUITES.contains(s)) else {
            panic!("the peer has no ECDSA suite");
        };
        let run = self.serves_our_client(suite, suite_config(suite, &[]), &SERVER, None);
        assert_eq!(run.group, Some(its_server_picks), "our client, {suite:?}");
        let mut p256_only = suite_config(suite, &[]);
        p256_only.set_groups(&[NamedGroup::Secp256r1]).unwrap();
        let run = self.serves_our_client(suite, p256_only, &SERVER, None);
        assert_eq!(
            run.group,
            Some(NamedGroup::Secp256r1),
            "our P-256 client, {suite:?}"
        );
        let config = suite_config(suite, &["server"]);
        let run = self.is_served_by_us(suite, config, &CLIENT, None);
        assert_eq!(run.group, Some(its_client_offers), "our server, {suite:?}");
    }

    /// Handshakes over a link that loses datagrams both ways (the second ClientHello,
    /// the first datagram of the server's flight and the client's final flight, once
    /// each), with a PSK and an ECDSA suite where the peer has them: each side's
    /// retransmissions must be understood by the other.
    pub fn completes_handshakes_over_a_lossy_link(&self) {
        let picked = [
            CipherSuite::PskAes128Ccm8,
            CipherSuite::EcdheEcdsaAes128GcmSha256,
        ];
        for suite in picked.into_iter().filter(|s| self.suites.contains(s)) {
            let run =
                self.serves_our_client(suite, suite_config(suite, &[]), &SERVER, Some(LOSSES));
            assert!(run.stats.retransmissions >= 1, "{suite:?}: {:?}", run.stats);
            let config = suite_config(suite, &["server"]);
            let run = self.is_served_by_us(suite, config, &CLIENT, Some(LOSSES));
            assert!(run.stats.retransmissions >= 1, "{suite:?}: {:?}", run.stats);
        }
    }

    /// Handshakes and data over a link that delivers the first three datagrams of each
    /// direction twice (ClientHellos, HelloVerifyRequest, flights), with a PSK and an
    /// ECDSA suite where the peer has them: both sides complete, and each side's data
    /// arrives once (the helpers compare all that arrived with what was sent).
    pub fn ignores_repeated_datagrams(&self) {
        let picked = [
            CipherSuite::PskAes128GcmSha256,
            CipherSuite::EcdheEcdsaAes128Ccm8,
        ];
        for suite in picked.into_iter().filter(|s| self.suites.contains(s)) {
            self.serves_our_client(suite, suite_config(suite, &[]), &SERVER, Some(REPEATS));
            let config = suite_config(suite, &["server"]);
            self.is_served_by_us(suite, config, &CLIENT, Some(REPEATS));
        }
    }

    /// The peer's client with a PSK we do not have, against our pool server, with each
    /// PSK suite the peer has: a key that is not ours (our server cannot decrypt the
    /// peer's Finished: NX_SECURE_TLS_HASH_MAC_VERIFY_FAILURE, alert bad_record_mac) and
    /// an identity we do not know (NX_SECURE_TLS_NO_MATCHING_PSK, alert
    /// unknown_psk_identity). Our server reports it, no session is established, and the
    /// client fails on our alert.
    pub fn is_refused_with_a_wrong_psk(&self) {
        let identity = String::from_utf8_lossy(IDENTITY);
        let cases = [
            (
                format!("{identity}:{}", hex(b"not the key, 16")),
                "NX_SECURE_TLS_HASH_MAC_VERIFY_FAILURE",
            ),
            (
                format!("stranger:{}", hex(KEY)),
                "NX_SECURE_TLS_NO_MATCHING_PSK",
            ),
        ];
        let suites = PSK_SUITES.into_iter().filter(|s| self.suites.contains(s));
        for (suite, (psk, status)) in suites.flat_map(|s| cases.iter().map(move |c| (s, c))) {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            let port = socket.local_addr().unwrap().port();
            let credentials = [("--psk", psk.as_str()), ("--message", "unheard")];
            let mut client = self.spawn("client", port, suite, &credentials);
            let mut driver = UdpDriver::pool(suite_config(suite, &["server"]), socket);
            let failed = |d: &UdpDriver<Server>| {
                d.events.iter().find_map(|e| match e {
                    ServerEvent::Error { error, .. } => Some(error.clone()),
                    _ => None,
                })
            };
            assert!(
                driver.run_until(LIMIT, |d| failed(d).is_some()),
                "{suite:?} {psk}: events {:?}; the peer said:\n{}",
                driver.events,
                client.output()
            );
            let error = failed(&driver).unwrap();
            assert_eq!(error.status().name(), *status, "{suite:?}: {error}");
            let established = driver
                .events
                .iter()
                .any(|e| matches!(e, ServerEvent::Established { .. }));
            assert!(!established, "{suite:?} {psk}");
            let code = client.wait_exit(LIMIT);
            assert!(
                code.is_some_and(|c| c != 0),
                "{suite:?} {psk}: {code:?}\n{}",
                client.output()
            );
        }
    }

    /// Client certificates with each ECDSA suite the peer has: ours verified by the
    /// peer's server, the peer's by our server.
    pub fn exchanges_client_certificates_both_ways(&self) {
        for suite in ECDSA_SUITES.into_iter().filter(|s| self.suites.contains(s)) {
            self.serves_our_client(
                suite,
                suite_config(suite, &["client"]),
                &SERVER_VERIFYING_CLIENTS,
                None,
            );
            let mut config = suite_config(suite, &["server"]);
            config.x509_client_verify_configure(2).unwrap();
            let run = self.is_served_by_us(suite, config, &CLIENT_WITH_CERTIFICATE, None);
            assert_eq!(
                run.chain.first(),
                Some(&cert("client").der().to_vec()),
                "{suite:?}"
            );
        }
    }
}

/// A peer program with `suites`, built by `build` (given the source's path and the
/// path to write the program to) from tests/interop/`source` into
/// target/interop-peers/`name`. Call it once per test binary, from a `OnceLock`.
pub fn built_peer(
    name: &str,
    source: &str,
    suites: &'static [CipherSuite],
    build: impl FnOnce(&str, &str) -> Command,
) -> Peer {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/interop-peers");
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join(name).display().to_string();
    let source = root
        .join("tests/interop")
        .join(source)
        .display()
        .to_string();
    // Built under a name of this process's own and then renamed into place, so test
    // binaries running side by side never run a program another one is writing.
    let building = format!("{program}.{}", std::process::id());
    let mut command = build(&source, &building);
    let output = command.output().unwrap_or_else(|e| {
        panic!("cannot build {name} (scripts/test.sh installs what it needs): {e}")
    });
    assert!(
        output.status.success(),
        "building {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::rename(&building, &program).unwrap();
    Peer {
        program,
        leading: vec![],
        suites,
    }
}

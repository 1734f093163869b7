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
//! --key FILE` and `--mtu BYTES`. The same tests run against each of them.

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::process::{Process, free_port};
use super::udp::UdpDriver;
use super::{ECDSA_SUITES, IDENTITY, KEY, cert, fixture_path, hex, suite_config};
use wasm_dtls::{CipherSuite, Config};

/// How long a peer may take to listen, answer or finish.
pub const LIMIT: Duration = Duration::from_secs(20);

/// An option and its value; file names are relative to tests/fixtures, and `--psk`'s
/// value is filled in with the shared identity and key.
pub type Credential = (&'static str, &'static str);

/// A peer server's credentials: the PSK and the server certificate.
pub const SERVER: [Credential; 3] = [
    ("--psk", ""),
    ("--cert", "server.crt.pem"),
    ("--key", "server.key.pem"),
];

/// A peer client's: the PSK, and the CA to verify our server with.
pub const CLIENT: [Credential; 2] = [("--psk", ""), ("--ca", "ca.crt.pem")];

/// A peer server that requires a client certificate and verifies it.
pub const SERVER_VERIFYING_CLIENTS: [Credential; 3] = [
    ("--ca", "ca.crt.pem"),
    ("--cert", "server.crt.pem"),
    ("--key", "server.key.pem"),
];

/// A peer client with its own certificate.
pub const CLIENT_WITH_CERTIFICATE: [Credential; 4] = [
    ("--psk", ""),
    ("--ca", "ca.crt.pem"),
    ("--cert", "client.crt.pem"),
    ("--key", "client.key.pem"),
];

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
        credentials: &[Credential],
    ) -> Process {
        let mut args = self.leading.clone();
        args.extend([
            mode.to_string(),
            port.to_string(),
            suite.iana_name().to_string(),
        ]);
        for (option, value) in credentials {
            let value = match *option {
                "--psk" => format!("{}:{}", String::from_utf8_lossy(IDENTITY), hex(KEY)),
                "--message" | "--mtu" => value.to_string(),
                _ => fixture_path(value),
            };
            args.extend([option.to_string(), value]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Process::spawn(&self.program, &args)
    }

    /// Our client with `config` against this peer's server: the handshake completes
    /// with `suite`, and our data comes back from its echo. Returns the chain the
    /// server presented.
    pub fn serves_our_client(
        &self,
        suite: CipherSuite,
        config: Config,
        server_credentials: &[Credential],
    ) -> Vec<Vec<u8>> {
        let port = free_port();
        let server = self.spawn("server", port, suite, server_credentials);
        assert!(server.wait_for("listening", LIMIT), "{}", server.output());
        let at: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let message = format!("hello from wasm-dtls over {suite:?}");
        let client = UdpDriver::echo_client(config, socket, at, &server, suite, message.as_bytes());
        assert!(
            server.wait_for(&format!("received: {message}"), LIMIT),
            "{}",
            server.output()
        );
        client.endpoint.peer_certificates().to_vec()
    }

    /// This peer's client with `client_credentials` against our pool server with
    /// `config`: the handshake completes with `suite`, our reply reaches the client.
    /// Returns the chain the client presented.
    pub fn is_served_by_us(
        &self,
        suite: CipherSuite,
        config: Config,
        client_credentials: &[Credential],
    ) -> Vec<Vec<u8>> {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = socket.local_addr().unwrap().port();
        let mut credentials = client_credentials.to_vec();
        credentials.push(("--message", "hello from the peer"));
        let mut client = self.spawn("client", port, suite, &credentials);
        let mut driver = UdpDriver::pool(config, socket);
        let session = driver.received_from(&client, suite, b"hello from the peer");
        let chain = driver
            .endpoint
            .session(session)
            .unwrap()
            .peer_certificates()
            .to_vec();
        driver.reply(session, b"hello from wasm-dtls");
        client.finishes_saying("reply: hello from wasm-dtls", LIMIT);
        chain
    }

    /// Every suite the peer has, our client against the peer's server and the peer's
    /// client against ours; each side sees the other's certificate only where it should.
    pub fn talks_both_ways(&self) {
        for &suite in self.suites {
            let chain = self.serves_our_client(suite, suite_config(suite, &[]), &SERVER);
            let expected = match suite.key_exchange() {
                wasm_dtls::KeyExchange::Psk => vec![],
                wasm_dtls::KeyExchange::EcdheEcdsa => vec![cert("server").der().to_vec()],
            };
            assert_eq!(chain, expected, "{suite:?}");
            let chain = self.is_served_by_us(suite, suite_config(suite, &["server"]), &CLIENT);
            assert!(chain.is_empty(), "{suite:?}: we asked for no certificate");
        }
    }

    /// Client certificates with each ECDSA suite: ours verified by the peer's server,
    /// the peer's by our server.
    pub fn exchanges_client_certificates_both_ways(&self) {
        for suite in ECDSA_SUITES {
            self.serves_our_client(
                suite,
                suite_config(suite, &["client"]),
                &SERVER_VERIFYING_CLIENTS,
            );
            let mut config = suite_config(suite, &["server"]);
            config.x509_client_verify_configure(2).unwrap();
            let chain = self.is_served_by_us(suite, config, &CLIENT_WITH_CERTIFICATE);
            assert_eq!(
                chain.first(),
                Some(&cert("client").der().to_vec()),
                "{suite:?}"
            );
        }
    }
}

/// A peer program with `suites`, built from source by `build` (given the output path)
/// into target/interop-peers/`name`. Call it once per test binary, from a `OnceLock`.
pub fn built_peer(
    name: &str,
    suites: &'static [CipherSuite],
    build: impl FnOnce(&str) -> Command,
) -> Peer {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/interop-peers");
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join(name).display().to_string();
    let mut command = build(&program);
    let output = command.output().unwrap_or_else(|e| {
        panic!("cannot build {name} (scripts/test.sh installs what it needs): {e}")
    });
    assert!(
        output.status.success(),
        "building {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Peer {
        program,
        leading: vec![],
        suites,
    }
}

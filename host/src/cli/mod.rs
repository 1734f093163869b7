//! The command line: argument definitions and dispatch.

mod address;
mod bench;
mod client;
mod credentials;
mod demo;
mod output;
mod saved_session;
mod server;
mod signals;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use wasm_dtls_host::{DtlsError, Runtime, default_component_path};

/// A DTLS 1.2 client and server on the wasm-dtls WebAssembly component.
#[derive(Debug, Parser)]
#[command(name = "wasm-dtls", version, about, long_about = None)]
pub struct Cli {
    /// The component to run (default: $WASM_DTLS_COMPONENT, else the one built with
    /// this binary).
    #[arg(long, global = true, value_name = "PATH")]
    component: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve DTLS on a UDP port.
    Server(ServerArgs),
    /// Connect to a DTLS server, send a message and print the reply.
    Client(ClientArgs),
    /// Handshake with each of the six suites over loopback UDP, tracing every record.
    Demo,
    /// Measure handshake rates, crypto cost, throughput, memory, sizes and loss timing.
    Bench(BenchArgs),
}

/// `wasm-dtls bench`.
#[derive(Debug, Args)]
struct BenchArgs {
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
    /// A shorter run (200 ms per measurement, fewer seeds and sessions).
    #[arg(long)]
    quick: bool,
    /// The npm package folder (built with `npm run build`) to measure Node too.
    #[arg(long, value_name = "DIR")]
    node: Option<PathBuf>,
    /// The browser module to report the size of (www/pkg/wasm_dtls_web_bg.wasm).
    #[arg(long, value_name = "FILE")]
    browser_module: Option<PathBuf>,
}

/// Options both roles share.
#[derive(Debug, Args)]
struct Common {
    /// Trusted CA certificates (PEM or DER; every certificate of a PEM bundle); repeatable.
    #[arg(long = "ca", value_name = "FILE")]
    ca: Vec<PathBuf>,
    /// Our certificate chain (PEM or DER), own certificate first.
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// The private key of --cert (PKCS#8 or SEC1, PEM or DER).
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// Cipher suites, most preferred first, comma-separated: psk-ccm8, psk-gcm,
    /// psk-chacha20, psk-aes256-gcm, ecdhe-psk-chacha20, ecdsa-ccm8, ecdsa-gcm,
    /// ecdsa-chacha20, ecdsa-aes256-gcm, rsa-gcm, rsa-chacha20, rsa-aes256-gcm or IANA
    /// names.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    suites: Vec<String>,
    /// ECDHE groups, most preferred first, comma-separated: x25519, secp256r1 (or
    /// P-256) (default: both, X25519 first).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    groups: Vec<String>,
    /// The largest datagram to send, 128 to 65507 bytes (default 1200).
    #[arg(long, value_name = "N")]
    mtu: Option<u32>,
    /// End a session from which nothing arrived for this many seconds (default: never;
    /// a server's pool otherwise keeps the slots of clients that vanished).
    #[arg(long, value_name = "SECONDS")]
    idle_timeout: Option<f64>,
    /// Append NSS key log lines (for Wireshark) to this file.
    #[arg(long, value_name = "FILE")]
    keylog: Option<PathBuf>,
    /// Print every record, handshake message, retransmission and timer to stderr.
    #[arg(long)]
    trace: bool,
}

/// `wasm-dtls server`.
#[derive(Debug, Args)]
struct ServerArgs {
    /// The address and port to listen on (HOST:PORT, as for the client; e.g.
    /// `127.0.0.1:5684`, `[::]:5684`, `localhost:5684`).
    #[arg(long, value_name = "HOST:PORT")]
    listen: String,
    /// A pre-shared key as IDENTITY:HEXKEY; repeatable.
    #[arg(long, value_name = "IDENTITY:HEXKEY")]
    psk: Vec<String>,
    /// Require and verify client certificates (against --ca).
    #[arg(long)]
    verify_client: bool,
    /// The size of the session pool, 1 to 1 048 576.
    #[arg(long, value_name = "N", default_value_t = 16)]
    max_sessions: u32,
    /// Send every application record back to its sender.
    #[arg(long)]
    echo: bool,
    #[command(flatten)]
    common: Common,
}

/// `wasm-dtls client`.
#[derive(Debug, Args)]
struct ClientArgs {
    /// The server: a host name, an IPv4 address or a bracketed IPv6 address, and a
    /// port (`example.com:5684`, `192.0.2.1:5684`, `[2001:db8::1]:5684`).
    #[arg(value_name = "HOST:PORT")]
    server: String,
    /// The pre-shared key as IDENTITY:HEXKEY.
    #[arg(long, value_name = "IDENTITY:HEXKEY")]
    psk: Option<String>,
    /// The host name to send and to check the server's certificate against (default:
    /// the host of HOST:PORT, name or address).
    #[arg(long, value_name = "NAME")]
    server_name: Option<String>,
    /// Send this text after the handshake, print the first reply and close. Without
    /// it, lines from stdin are sent and replies printed until end of input.
    #[arg(long, value_name = "TEXT")]
    send: Option<String>,
    /// Seconds to wait for the handshake and for the reply.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    timeout: f64,
    /// Offer the session saved in FILE (by --sess-out) for resumption, as `openssl
    /// s_client -sess_in` does: a server that still holds it skips the key exchange.
    #[arg(long, value_name = "FILE")]
    sess_in: Option<PathBuf>,
    /// Save the session in FILE once connected, for --sess-in. The file holds the
    /// session's master secret; it is written readable by its owner only.
    #[arg(long, value_name = "FILE")]
    sess_out: Option<PathBuf>,
    /// Connect, close, and connect again resuming the session (as `openssl s_client
    /// -reconnect`), then go on on the second connection.
    #[arg(long)]
    reconnect: bool,
    #[command(flatten)]
    common: Common,
}

/// Runs the command; `counter` is the binary's counting allocator (for `bench`).
pub async fn run(cli: Cli, counter: wasm_dtls_host::bench::Counter) -> Result<(), DtlsError> {
    let path = cli.component.unwrap_or_else(default_component_path);
    let runtime = Runtime::load(&path)?;
    match cli.command {
        Command::Server(args) => server::run(&runtime, args).await,
        Command::Client(args) => client::run(&runtime, args).await,
        Command::Demo => demo::run(&runtime).await,
        Command::Bench(args) => bench::run(&runtime, args, counter),
    }
}

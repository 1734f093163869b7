//! `wasm-dtls-host`: runs the wasm-dtls component in wasmtime and gives it real UDP
//! sockets (tokio) and timers, behind a Rust API in NetX shape:
//!
//! - [`Runtime`] loads and compiles the component once;
//! - [`DtlsSession::connect`] is a client session (NetX `client_session_start`), with
//!   `send`, `receive` (with timeout), `end`;
//! - [`DtlsServer`] is the NetX server: `create`, `start` (binds the port), an event
//!   stream in the notify vocabulary, per-session `send` / `end` / `reset` /
//!   `client_info`, `stop`, `delete`.
//!
//! Every error is a [`DtlsError`] with its NetX status code. [`mod@bench`] measures the
//! engine natively and in the component (`wasm-dtls bench`, `cargo bench`).
//!
//! # Example
//!
//! A PSK echo server and a client talking to it over loopback UDP (run as a test):
//!
//! ```
//! use std::time::Duration;
//! use wasm_dtls_host::{DtlsError, DtlsServer, DtlsSession, Options, PskEntry, Runtime, ServerEvent};
//!
//! # #[tokio::main(flavor = "multi_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = Runtime::from_env()?; // compiles the component once, for every instance
//! let psk = PskEntry { identity: b"device-17".to_vec(), key: b"0123456789abcdef".to_vec(), hint: vec![] };
//! let options = Options { psks: vec![psk], ..Options::default() };
//!
//! let mut server = DtlsServer::create(&runtime, &options, 16)?; // a pool of 16 sessions
//! let address = server.start("127.0.0.1:0".parse()?).await?;
//! let echo = tokio::spawn(async move {
//!     while let Some(event) = server.next_event().await {
//!         if let ServerEvent::Receive { session, data } = event {
//!             server.send(session, &data).await?;
//!         }
//!     }
//!     Ok::<(), DtlsError>(())
//! });
//!
//! let mut session = DtlsSession::connect(&runtime, address, &options, Duration::from_secs(10)).await?;
//! session.send(b"GET /temperature").await?;
//! let reply = session.receive(Duration::from_secs(5)).await?; // NX_NO_PACKET (0x01) on timeout
//! assert_eq!(reply, b"GET /temperature");
//! session.end().await; // close_notify
//! echo.abort();
//! # Ok(())
//! # }
//! ```

mod backlog;
pub mod bench;
pub mod bindings;
mod clock;
mod error;
mod instance;
pub mod ladder;
mod net;
mod options;
mod runtime;
mod server;
mod session;

pub use backlog::MAX_WAITING_RECORDS;
pub use error::DtlsError;
pub use options::{KeyLogSink, Options, PskEntry, TraceSink};
pub use runtime::{COMPONENT_ENV, Runtime, default_component_path};
pub use server::{DtlsServer, ServerEvent, SessionId};
pub use session::{DtlsSession, HandshakeStats};
pub use wasm_dtls::{CipherSuite, NamedGroup, SavedSession, Status};

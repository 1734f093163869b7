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
pub use wasm_dtls::{CipherSuite, Status};

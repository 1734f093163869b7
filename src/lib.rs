//! # wasm-dtls
//!
//! A sans-IO DTLS 1.2 engine (RFC 6347) for the RFC 7925 IoT profile, with the service
//! names and status codes of NetX Secure DTLS. It does no I/O and reads no clock: the
//! caller hands in datagrams and the time, and pulls out datagrams to send, the next
//! timer deadline and events.
#![forbid(unsafe_code)]

pub mod alert;
pub mod codec;
pub mod config;
pub mod crypto;
pub mod error;
pub mod handshake;
pub mod psk;
pub mod record;
pub mod rng;
pub mod server;
pub mod session;
pub mod sim;
pub mod suite;
pub mod time;
pub mod trace;
pub mod x509;

pub use alert::{Alert, AlertDescription, AlertLevel};
pub use config::{Config, Psk, RetransmitPolicy};
pub use crypto::CryptoProvider;
pub use error::{Error, Status};
pub use rng::{OsRandom, Random, SeededRandom};
pub use server::{Server, ServerEvent, ServerOutput, ServerStats, SessionId};
pub use session::{Event, Output, Role, Session, SessionState, Stats};
pub use suite::{AeadAlgorithm, CipherSuite, KeyExchange};
pub use time::Instant;

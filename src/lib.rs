//! # wasm-dtls
//!
//! A sans-IO DTLS 1.2 engine (RFC 6347) for the RFC 7925 IoT profile, with the service
//! names and status codes of NetX Secure DTLS. It does no I/O and reads no clock: the
//! caller hands in datagrams and the time, and pulls out datagrams to send, the next
//! timer deadline and events.
//!
//! # Example
//!
//! A PSK client [`Session`] and a [`Server`] with a pool of four sessions, their
//! datagrams handed over in memory where a real caller would use a UDP socket: the
//! handshake (with the server's cookie exchange), then an echo.
//!
//! ```
//! use wasm_dtls::{Config, Event, Instant, Output, Server, ServerEvent, ServerOutput, Session};
//!
//! # fn main() -> Result<(), wasm_dtls::Error> {
//! let mut client_config = Config::new();
//! client_config.psk_add(b"0123456789abcdef", b"device-17", b"")?; // NetX psk_add
//! let mut server_config = Config::new();
//! server_config.psk_add(b"0123456789abcdef", b"device-17", b"")?;
//! let mut server = Server::new(server_config, 4)?;
//! let mut client = Session::client(client_config);
//! let from = "192.0.2.7:5684".parse().expect("an address"); // the client, as the server sees it
//! let now = Instant::from_millis(0); // the caller's clock: nothing moves here
//!
//! client.start(now)?;
//! let mut reply = None;
//! for _round in 0..10 {
//!     loop {
//!         match client.poll_output() {
//!             Output::Transmit(datagram) => server.handle_datagram(now, from, &datagram),
//!             Output::Event(Event::Connected { .. }) => client.send(b"GET /temperature")?,
//!             Output::Event(Event::Data(data)) => reply = Some(data),
//!             Output::Event(_) | Output::Trace(_) => {}
//!             Output::Wait(_deadline) => break, // a real caller sets a timer here
//!         }
//!     }
//!     loop {
//!         match server.poll_output() {
//!             ServerOutput::Transmit { datagram, .. } => client.handle_datagram(now, &datagram),
//!             ServerOutput::Event(ServerEvent::Receive { session, data }) => {
//!                 server.session_send(session, &data)?; // echo
//!             }
//!             ServerOutput::Event(_) | ServerOutput::Trace { .. } => {}
//!             ServerOutput::Wait(_deadline) => break,
//!         }
//!     }
//! }
//! assert_eq!(reply.as_deref(), Some(&b"GET /temperature"[..]));
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod alert;
pub mod codec;
pub mod config;
pub mod crypto;
pub mod error;
pub mod group;
pub mod handshake;
pub mod psk;
pub mod record;
pub mod resumption;
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
pub use group::NamedGroup;
pub use resumption::SavedSession;
pub use rng::{OsRandom, Random, SeededRandom};
pub use server::{Server, ServerEvent, ServerOutput, ServerStats, SessionId};
pub use session::{Event, Output, Role, Session, SessionState, Stats};
pub use suite::{AeadAlgorithm, CipherSuite, KeyExchange, PrfHash};
pub use time::Instant;

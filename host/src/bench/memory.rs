//! Heap bytes held per session, counted by an instrumented global allocator
//! (`stats_alloc`) that the binary installs and hands in — a library must not choose
//! its users' allocator: a client session once established, a server session in the
//! middle of its handshake and once established (with its entry in the server's
//! session cache), and a server holding 10 000 established sessions.

use std::alloc::System;

use serde::Serialize;
use stats_alloc::{Region, StatsAlloc};
use wasm_dtls::CipherSuite;

use super::native::{Lab, Until};

/// The binary's counting global allocator.
pub type Counter = &'static StatsAlloc<System>;

/// Sessions per measurement for the per-session figures.
const SAMPLE: usize = 100;

/// Heap per session, in bytes.
#[derive(Clone, Debug, Serialize)]
pub struct Memory {
    /// The suite.
    pub suite: &'static str,
    /// A client session after its handshake.
    pub client_established: usize,
    /// A server session waiting for the client's second flight.
    pub server_handshaking: usize,
    /// A server session after its handshake.
    pub server_established: usize,
}

/// A server with many established sessions.
#[derive(Clone, Debug, Serialize)]
pub struct Crowd {
    /// The suite.
    pub suite: &'static str,
    /// Established sessions.
    pub sessions: usize,
    /// Heap the server holds for them, in bytes.
    pub bytes: usize,
}

/// Net heap bytes allocated while `f` ran (what it left behind).
fn held_by<T>(
    counter: Counter,
    f: impl FnOnce() -> Result<T, String>,
) -> Result<(T, usize), String> {
    let region = Region::new(counter);
    let value = f()?;
    let change = region.change();
    // stats_alloc already books a realloc's growth under bytes_allocated (and a shrink
    // under bytes_deallocated); bytes_reallocated repeats that delta, so it must not be
    // added again.
    let held = change
        .bytes_allocated
        .saturating_sub(change.bytes_deallocated);
    Ok((value, held))
}

impl Memory {
    /// Measures `suite` over `SAMPLE` sessions of each kind.
    pub fn measure(counter: Counter, suite: CipherSuite) -> Result<Memory, String> {
        // Clients: established, their server sessions freed again. The server caches
        // one session at a time, so that what it holds for resumption is not counted
        // as the clients' (its cache is in the server figures below).
        let mut lab = Lab::new(suite, 1)?;
        lab.server
            .set_session_cache(1, wasm_dtls::Server::DEFAULT_SESSION_LIFETIME)
            .map_err(|e| e.to_string())?;
        let (clients, bytes) = held_by(counter, || {
            let mut clients = Vec::new();
            for _ in 0..SAMPLE {
                let (client, id) = lab.handshake(Until::Established)?;
                if let Some(id) = id {
                    lab.server.session_reset(id).map_err(|e| e.to_string())?;
                }
                clients.push(client);
            }
            Ok(clients)
        })?;
        let client_established = bytes / SAMPLE;
        drop(clients);

        // The server is built inside the measurement: its pool is part of what each
        // session costs.
        let server = |until| {
            held_by(counter, || {
                let mut lab = Lab::new(suite, SAMPLE)?;
                collect(&mut lab, until)?;
                Ok(lab)
            })
            .map(|(_, bytes)| bytes / SAMPLE)
        };
        let server_handshaking = server(Until::ServerFlight)?;
        let server_established = server(Until::Established)?;
        Ok(Memory {
            suite: suite.short_name(),
            client_established,
            server_handshaking,
            server_established,
        })
    }
}

/// Runs [`SAMPLE`] handshakes as far as `until`, dropping the clients as it goes; what
/// stays allocated is the server's.
fn collect(lab: &mut Lab, until: Until) -> Result<(), String> {
    for _ in 0..SAMPLE {
        let (client, _) = lab.handshake(until)?;
        drop(client);
    }
    Ok(())
}

impl Crowd {
    /// A server holding `sessions` established sessions of `suite`.
    pub fn measure(counter: Counter, suite: CipherSuite, sessions: usize) -> Result<Crowd, String> {
        let (_lab, bytes) = held_by(counter, || {
            let mut lab = Lab::new(suite, sessions)?;
            for _ in 0..sessions {
                lab.handshake(Until::Established)?;
            }
            Ok(lab)
        })?;
        Ok(Crowd {
            suite: suite.short_name(),
            sessions,
            bytes,
        })
    }
}

//! The component's linear memory in wasmtime — what an embedder sizes its stores and
//! limits by: an instance holding one established client session, and a server
//! instance before its first handshake and once it holds many established sessions.
//! Read from the store's limiter ([`crate::runtime::HostState::linear_memory_bytes`]):
//! whole 64 KiB pages, the component's 128 KiB stack included (`.cargo/config.toml`).

use serde::Serialize;
use wasm_dtls::CipherSuite;

use super::wasm::WasmBench;
use crate::Runtime;

/// Linear memory of the component's instances, in bytes.
#[derive(Clone, Debug, Serialize)]
pub struct LinearMemory {
    /// The suite.
    pub suite: &'static str,
    /// An instance whose client session is established (after the run's handshakes,
    /// each from a fresh session in the same instance: a memory never shrinks, so this
    /// is its largest need).
    pub client_established: usize,
    /// The server's instance with its pool, before any handshake.
    pub server_empty: usize,
    /// Established sessions in the server below.
    pub sessions: usize,
    /// The server's instance holding `sessions` established sessions.
    pub server_with_sessions: usize,
}

impl LinearMemory {
    /// Handshakes `sessions` clients of `suite` with one server that keeps them all.
    pub fn measure(
        runtime: &Runtime,
        suite: CipherSuite,
        sessions: usize,
    ) -> Result<LinearMemory, String> {
        let capacity = u32::try_from(sessions).map_err(|e| e.to_string())?;
        let mut bench = WasmBench::with_capacity(runtime, suite, capacity)?;
        let server_empty = bench.server().linear_memory_bytes();
        for _ in 0..sessions {
            bench.handshake_and_keep()?;
        }
        Ok(LinearMemory {
            suite: suite.short_name(),
            client_established: bench.client().linear_memory_bytes(),
            server_empty,
            sessions,
            server_with_sessions: bench.server().linear_memory_bytes(),
        })
    }

    /// What each session adds to the server's instance, in bytes (pages included, so
    /// an upper bound of its heap).
    pub fn per_session(&self) -> usize {
        self.server_with_sessions
            .saturating_sub(self.server_empty)
            .checked_div(self.sessions)
            .unwrap_or(0)
    }
}

//! How the CLI prints: traces to stderr with timestamps, failures with their NetX code,
//! the group of a connection.

use std::sync::Arc;

use wasm_dtls_host::{NamedGroup, TraceSink};

/// A trace sink printing `[   123 ms] role  line` to stderr.
pub fn trace_printer(role: &'static str) -> TraceSink {
    Arc::new(move |at: u64, line: &str| eprintln!("[{at:>6} ms] {role:<6} {line}"))
}

/// " on x25519" after a suite negotiated with an ECDHE group; nothing with PSK.
pub fn on_group(group: Option<NamedGroup>) -> String {
    group.map(|g| format!(" on {g}")).unwrap_or_default()
}

//! How the CLI prints: traces to stderr with timestamps, failures with their NetX code.

use std::sync::Arc;

use wasm_dtls_host::TraceSink;

/// A trace sink printing `[   123 ms] role  line` to stderr.
pub fn trace_printer(role: &'static str) -> TraceSink {
    Arc::new(move |at: u64, line: &str| eprintln!("[{at:>6} ms] {role:<6} {line}"))
}

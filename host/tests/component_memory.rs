//! The component's memory budget in wasmtime: 10 000 established sessions fit one
//! server instance in 64 MiB of linear memory. Pages are counted exactly (by the
//! store's limiter), so the budget is asserted, not only reported. A test binary of its
//! own: tests/bench.rs counts heap bytes with a process-wide allocator, which the
//! allocations of this test, run alongside, would disturb.
#![allow(clippy::unwrap_used)]

use wasm_dtls_host::bench::LinearMemory;
use wasm_dtls_host::{CipherSuite, Runtime};

#[test]
fn ten_thousand_sessions_fit_the_component_in_64_mib() {
    let runtime = Runtime::from_env().unwrap();
    let linear = LinearMemory::measure(&runtime, CipherSuite::PskAes128Ccm8, 10_000).unwrap();
    assert!(linear.server_with_sessions <= 64 << 20, "{linear:?}");
    // Each session really is held: at least its keys and record state.
    assert!(linear.per_session() > 256, "{linear:?}");
}

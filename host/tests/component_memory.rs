//! The component's memory budget in wasmtime: 10 000 established sessions fit one
//! server instance in 64 MiB of linear memory, and a client session's instance takes a
//! quarter of a MiB. Pages are counted exactly (by the store's limiter), so the budget
//! is asserted, not only reported. A test binary of its own: tests/bench.rs counts heap
//! bytes with a process-wide allocator, which the allocations of this test, run
//! alongside, would disturb.
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

#[test]
fn a_client_session_instance_takes_a_quarter_of_a_mib() {
    // The host runs each client session in an instance of its own, so this is what
    // every client session costs an embedder: the component's 128 KiB stack
    // (`.cargo/config.toml`), its data and the session's heap. With the 1 MiB stack Rust
    // gives wasm32 by default it was 1.1 MiB.
    let runtime = Runtime::from_env().unwrap();
    for suite in [
        CipherSuite::PskAes128Ccm8,
        CipherSuite::EcdheEcdsaAes128GcmSha256,
    ] {
        let linear = LinearMemory::measure(&runtime, suite, 1).unwrap();
        assert!(linear.client_established > 128 << 10, "{linear:?}");
        assert!(linear.client_established <= 256 << 10, "{linear:?}");
    }
}

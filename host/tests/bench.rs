//! The benchmark machinery runs end to end: every handshake it times completes (natively
//! and in the component), every figure is filled in, and the JSON report is valid. No
//! timing is compared with a threshold (the machines are shared and noisy); heap bytes
//! are counted exactly, so the per-session memory budget is asserted (the component's
//! budget for 10 000 sessions: tests/component_memory.rs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::alloc::System;
use std::time::Duration;

use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

use wasm_dtls_host::bench::{self, BenchOptions};
use wasm_dtls_host::{CipherSuite, Runtime};

/// The counting allocator the heap figures read (a binary's choice, not the library's).
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn a_tiny_run_measures_every_figure_for_every_suite() {
    let runtime = Runtime::from_env().unwrap();
    let options = BenchOptions {
        budget: Duration::from_millis(5),
        loss_runs: 5,
        crowd: 20,
        node_package: None,
        browser_module: None,
    };
    let mut report = bench::run(&runtime, &options, GLOBAL).unwrap();
    let suites: Vec<&str> = report.handshakes.iter().map(|h| h.suite).collect();
    assert_eq!(
        suites,
        [
            "ecdsa-ccm8",
            "ecdsa-gcm",
            "ecdsa-chacha20",
            "ecdsa-aes256-gcm",
            "psk-ccm8",
            "psk-gcm",
            "psk-chacha20",
            "psk-aes256-gcm",
            "ecdhe-psk-chacha20"
        ]
    );
    for h in &report.handshakes {
        assert!(h.native_per_s > 0.0 && h.wasmtime_per_s > 0.0, "{h:?}");
        assert!(h.primitives_us > 0.0, "{h:?}");
        assert_eq!((h.node_per_s, h.openssl_per_s), (None, None));
    }
    // Every suite resumes (the measurement fails if a handshake is not abbreviated).
    let resumed: Vec<&str> = report.resumptions.iter().map(|r| r.suite).collect();
    assert_eq!(resumed, suites);
    for r in &report.resumptions {
        assert!(r.native_per_s > 0.0 && r.wasmtime_per_s > 0.0, "{r:?}");
        assert!(r.full_native_per_s > 0.0, "{r:?}");
    }
    for t in &report.throughput {
        assert!(t.engine_mb_s > 0.0 && t.record_cipher_mb_s > 0.0 && t.aead_crate_mb_s > 0.0);
        assert!(t.wasmtime_mb_s > 0.0, "{t:?}");
        assert_eq!(t.node_mb_s, None);
    }
    for m in &report.memory {
        // A session holds at least its keys and buffers; far less than a megabyte.
        assert!(
            m.client_established > 256 && m.client_established < 1 << 20,
            "{m:?}"
        );
        assert!(
            m.server_handshaking > 256 && m.server_established > 256,
            "{m:?}"
        );
        // The memory budget (≤ 4 KiB per established session, pool share included):
        // allocation sizes are deterministic, so unlike a timing this can be asserted.
        assert!(
            m.client_established <= 4096 && m.server_established <= 4096,
            "{m:?}"
        );
    }
    assert_eq!(report.crowd.sessions, 20);
    assert!(report.crowd.bytes > 20 * 256 && report.crowd.bytes <= 20 * 4096);
    let linear = &report.linear_memory;
    assert_eq!(linear.sessions, 20);
    // Every instance has at least the component's 128 KiB stack; sessions only add.
    assert!(linear.client_established > 128 << 10, "{linear:?}");
    assert!(linear.server_empty > 128 << 10, "{linear:?}");
    assert!(
        linear.server_with_sessions >= linear.server_empty,
        "{linear:?}"
    );
    // At 10 % loss every seeded handshake completes well inside the retry budget.
    for l in report.loss.iter().filter(|l| l.loss_percent == 10) {
        assert_eq!(l.completed, l.runs, "{l:?}");
        assert!(
            l.median_ms >= 100,
            "a handshake takes three round trips of 40 ms: {l:?}"
        );
    }
    assert_eq!(report.sizes.len(), 1);
    assert!(report.sizes[0].bytes > 100_000);

    let openssl = bench::OpensslFigures {
        handshakes_per_s: 123.0,
        native_vs_openssl: 6.5,
        mb_s: 45.0,
    };
    report.add_openssl(CipherSuite::PskAes128Ccm8, openssl);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    // psk-ccm8 is the fifth suite (index 4) in the order above.
    assert_eq!(json["handshakes"][4]["openssl_per_s"], 123.0);
    assert_eq!(json["handshakes"][4]["native_vs_openssl"], 6.5);
    assert_eq!(json["throughput"][4]["openssl_mb_s"], 45.0);
    let table = report.to_string();
    assert!(table.contains("Full handshakes per second"));
    assert!(table.contains("Abbreviated handshakes per second"));
    assert!(json["resumptions"][0]["native_per_s"].as_f64().unwrap() > 0.0);
    assert!(table.contains("Record throughput by host"));
    // The ratio column shows the side-by-side ratio, not a quotient of the two rates.
    let psk_row = table.lines().find(|l| l.starts_with("psk-ccm8")).unwrap();
    assert!(psk_row.contains("6.50×"), "{psk_row}");
}

//! The component the host builds carries the code generation its speed depends on:
//! WebAssembly SIMD (`.cargo/config.toml`) and the wide-arithmetic proposal
//! (`host/build.rs`). Either flag lost on the way — a cargo that stops joining
//! `--config` arrays, an environment that overrides the target's flags — would still
//! build and pass every other test, only slower (ECDSA ~2.9× without wide arithmetic).
//! Uses the `wasm-tools` CLI (scripts/test.sh installs it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

/// `wasm-tools validate` of the host's component with these features switched.
fn validate(features: Option<&str>) -> Output {
    let component = wasm_dtls_host::default_component_path();
    let mut command = Command::new("wasm-tools");
    command.arg("validate");
    if let Some(features) = features {
        command.arg(format!("--features={features}"));
    }
    command
        .arg(&component)
        .output()
        .expect("wasm-tools must be installed (scripts/test.sh installs it)")
}

#[test]
fn the_component_uses_simd_and_wide_arithmetic() {
    let all = validate(None);
    assert!(
        all.status.success(),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
    // Each feature, and how wasm-tools names it when an instruction needs it.
    for (feature, named) in [("simd", "SIMD"), ("wide-arithmetic", "wide arithmetic")] {
        let without = validate(Some(&format!("-{feature}")));
        let stderr = String::from_utf8_lossy(&without.stderr);
        assert!(
            !without.status.success() && stderr.contains(named),
            "the component validates without {feature}, so it does not use it: {stderr}"
        );
    }
}

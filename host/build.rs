//! Builds the wasm-dtls component (crate `wasm-dtls-component`, target
//! `wasm32-wasip2`, profile `component`) so that `cargo build -p wasm-dtls-host` needs
//! no manual step, and tells the host where it is (`WASM_DTLS_COMPONENT_BUILT`).
//!
//! This build uses the WebAssembly wide-arithmetic proposal (`i64.mul_wide_u`), which the
//! host's engine enables: without it every 64×64→128-bit multiply is a call to a software
//! routine, and P-256 — nearly all of an ECDSA handshake — ran ~2.9× slower in wasmtime
//! (BENCHMARKS.md); it also lets X25519 use its 64-bit field. Other runtimes, and Node
//! through jco, get the portable build: the same command without the flag (the npm package
//! builds its own).
//!
//! The nested cargo uses its own target directory, so it never waits on the lock of
//! the build that runs this script. Set `WASM_DTLS_SKIP_COMPONENT_BUILD=1` to skip it
//! (the host then needs `--component PATH` or `WASM_DTLS_COMPONENT` at run time).

use std::env;
use std::path::PathBuf;
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

/// The wasmtime build's code-generation flags (see the module documentation), added to
/// `.cargo/config.toml`'s flags for the target: cargo joins `--config` arrays to them.
/// With wide arithmetic, curve25519-dalek's 64-bit field (51-bit limbs, 128-bit
/// products) beats the 32-bit one it picks for wasm32: X25519 handshakes in wasmtime
/// at 0.72–0.77× of native instead of 0.56–0.58× (BENCHMARKS.md).
const WIDE_ARITHMETIC: &str = concat!(
    r#"target.wasm32-wasip2.rustflags=["-Ctarget-feature=+wide-arithmetic", "#,
    r#""--cfg", 'curve25519_dalek_bits="64"']"#
);

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let workspace = manifest_dir.parent().map(PathBuf::from).unwrap_or_default();
    // .cargo/config.toml holds the wasm builds' flags (SIMD, the stack size).
    for watched in [
        "src",
        "component",
        "wit",
        "Cargo.toml",
        "Cargo.lock",
        ".cargo/config.toml",
    ] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(watched).display()
        );
    }
    println!("cargo:rerun-if-env-changed=WASM_DTLS_SKIP_COMPONENT_BUILD");

    let target_dir = workspace.join("target").join("component-build");
    let built = target_dir
        .join(TARGET)
        .join("component")
        .join("wasm_dtls_component.wasm");
    println!(
        "cargo:rustc-env=WASM_DTLS_COMPONENT_BUILT={}",
        built.display()
    );
    if env::var_os("WASM_DTLS_SKIP_COMPONENT_BUILD").is_some() {
        return;
    }

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(&workspace)
        .args([
            "build",
            "--package",
            "wasm-dtls-component",
            "--target",
            TARGET,
        ])
        .args(["--profile", "component", "--target-dir"])
        .arg(&target_dir);
    // Flags meant for the host build must not leak into the wasm build.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_MANIFEST_DIR",
        // `cargo clippy` of the host must not lint (and fail) the nested build; the
        // component is linted on its own target by scripts/test.sh.
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        build.env_remove(var);
    }
    // rustc calls the feature unstable (a warning, not an error); the proposal reached
    // phase 4 in 2026, and wasmtime implements it (V8 only behind a flag so far).
    build.args(["--config", WIDE_ARITHMETIC]);
    let status = build.status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => fail(&format!(
            "building the component failed ({s}). Is the target installed? `rustup target add {TARGET}`"
        )),
        Err(e) => fail(&format!("could not run cargo to build the component: {e}")),
    }
}

fn fail(message: &str) -> ! {
    println!("cargo:warning={message}");
    std::process::exit(1);
}

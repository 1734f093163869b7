#!/usr/bin/env bash
# Runs every test of wasm-dtls: formatting, lints, unit tests, in-memory and lossy-link
# handshakes and the interop tests against OpenSSL. Installs what it needs first, so it
# works on a fresh Debian machine with rustup and Node 20. Nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

say "toolchain"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
if ! command -v openssl >/dev/null; then
    # The interop tests run the real OpenSSL; they never skip.
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq openssl;
    else sudo apt-get update -qq && sudo apt-get install -y -qq openssl; fi
fi
rustc --version
openssl version

say "format"
cargo fmt --all --check

say "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "tests"
cargo test --workspace --locked

say "all tests passed"

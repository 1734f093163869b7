#!/usr/bin/env bash
# The project's main job: `wasm-dtls demo` — a server and a client, both the wasm-dtls
# component in wasmtime, handshaking over loopback UDP with each of the six suites, then
# resuming the last session (the abbreviated handshake).
# Installs the wasm32-wasip2 target first; the build compiles the component itself.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip2
cargo run --quiet --locked --package wasm-dtls-host --bin wasm-dtls -- demo

#!/usr/bin/env bash
# Builds the demo's WebAssembly module into www/pkg/: the web/ crate for
# wasm32-unknown-unknown (profile `web`), wasm-bindgen's JS glue (the CLI pinned to the
# crate's version), then wasm-opt -Oz from the npm binaryen package (Debian's is
# broken, TOOLCHAIN.md). Installs what is missing. Prints the module's size.
set -euo pipefail
cd "$(dirname "$0")"

WASM_BINDGEN_VERSION=0.2.130
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
if ! wasm-bindgen --version 2>/dev/null | grep -q "^wasm-bindgen $WASM_BINDGEN_VERSION"; then
    # No --locked: its lockfile wants a crate version the registry mirror lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if [ ! -x node_modules/.bin/wasm-opt ]; then
    npm ci --no-audit --no-fund
fi

cargo build --locked --package wasm-dtls-web --target wasm32-unknown-unknown --profile web
rm -rf pkg
wasm-bindgen --target web --no-typescript --out-dir pkg --out-name wasm_dtls_web \
    ../target/wasm32-unknown-unknown/web/wasm_dtls_web.wasm
node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd \
    pkg/wasm_dtls_web_bg.wasm -o pkg/wasm_dtls_web_bg.wasm
raw=$(wc -c < pkg/wasm_dtls_web_bg.wasm)
gz=$(gzip -9 -c pkg/wasm_dtls_web_bg.wasm | wc -c)
echo "browser module: $raw bytes ($gz gzip); JS glue: $(wc -c < pkg/wasm_dtls_web.js) bytes"

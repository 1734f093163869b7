#!/usr/bin/env bash
# Runs every test of wasm-dtls: formatting, lints, unit tests, in-memory and lossy-link
# handshakes, the interop tests against OpenSSL, GnuTLS, Mbed TLS, tinydtls, pion/dtls,
# wolfSSL and node-dtls-client, the component with its wasmtime host and CLI, the Node
# package (CoAP over DTLS with libcoap included), and the browser demo in headless
# Chromium. Installs what it needs first (rustfmt, clippy, the wasm32-wasip2 and
# wasm32-unknown-unknown targets, pinned wasm-tools and wasm-bindgen-cli, openssl,
# gnutls-bin, tinydtls and Mbed TLS through PyPI, Go with pion/dtls, wolfSSL and
# libcoap from Debian, node-dtls-client, chromium, npm packages), so it works on a
# fresh Debian machine with rustup and Node 20. Nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

say "toolchain"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add wasm32-wasip2 wasm32-unknown-unknown
# The WIT test reads the built component with wasm-tools; pinned, as its output format
# is what the test compares.
WASM_TOOLS_VERSION=1.263.0
if ! wasm-tools --version 2>/dev/null | grep -q "^wasm-tools $WASM_TOOLS_VERSION"; then
    cargo install wasm-tools --version "$WASM_TOOLS_VERSION" --locked
fi
# The dependency policy (deny.toml): licenses, bans, sources; advisories when reachable.
CARGO_DENY_VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -q "^cargo-deny $CARGO_DENY_VERSION"; then
    cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked
fi
# The interop tests run the real OpenSSL, GnuTLS, tinydtls, Mbed TLS, pion/dtls and
# wolfSSL (they never skip); the benchmarks' OpenSSL baseline (a dev-dependency, built
# by clippy --all-targets) links libssl. tinydtls and Mbed TLS come from PyPI (pinned)
# into a virtual environment under target/; tinydtls is built from source with
# autotools. pion/dtls (Go sources) and wolfSSL come from Debian; the tests build their
# peers (tests/interop/) against them. libcoap's coap-server and coap-client (Debian's
# libcoap3-bin) are the CoAP peers of the Node package's coaps:// test.
apt_install() {
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "$@";
    else sudo apt-get update -qq && sudo apt-get install -y -qq "$@"; fi
}
missing=0
for tool in openssl gnutls-cli gnutls-serv autoreconf libtoolize coap-server-openssl; do
    command -v "$tool" >/dev/null || missing=1
done
dpkg -s libssl-dev pkg-config golang-go golang-github-pion-dtls.v2-dev libwolfssl-dev \
    >/dev/null 2>&1 || missing=1
# DTLSSocket compiles a C extension: venv with pip, and Python's headers.
python3 -c "import ensurepip, venv, os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" \
    2>/dev/null || missing=1
if [ "$missing" = 1 ]; then
    apt_install openssl libssl-dev pkg-config gnutls-bin autoconf automake libtool \
        python3-venv python3-dev golang-go golang-github-pion-dtls.v2-dev libwolfssl-dev \
        libcoap3-bin
fi
# Python peers: tinydtls through DTLSSocket (built from source), Mbed TLS through
# python-mbedtls (a wheel with Mbed TLS 2.28 inside).
DTLSSOCKET_VERSION=0.2.3
PYTHON_MBEDTLS_VERSION=2.10.1
INTEROP_VENV=target/interop-venv
if ! "$INTEROP_VENV/bin/python" -c "import importlib.metadata as m, sys
sys.exit(m.version('DTLSSocket') != '$DTLSSOCKET_VERSION'
         or m.version('python-mbedtls') != '$PYTHON_MBEDTLS_VERSION')" 2>/dev/null; then
    rm -rf "$INTEROP_VENV"
    python3 -m venv "$INTEROP_VENV"
    "$INTEROP_VENV/bin/pip" install --quiet --disable-pip-version-check \
        "DTLSSocket==$DTLSSOCKET_VERSION" "python-mbedtls==$PYTHON_MBEDTLS_VERSION"
fi
# node-dtls-client (npm, pinned) for its interop test, outside js/: the registry these
# machines use lacks some of its optional native packages, so no lockfile that `npm ci`
# accepts can be written for it.
NODE_DTLS_CLIENT_VERSION=1.1.1
installed=$(node -p "try { require('./target/interop-npm/node_modules/node-dtls-client/package.json').version } catch { '' }")
if [ "$installed" != "$NODE_DTLS_CLIENT_VERSION" ]; then
    mkdir -p target/interop-npm
    (cd target/interop-npm && npm install --no-save --no-package-lock --no-audit --no-fund \
        "node-dtls-client@$NODE_DTLS_CLIENT_VERSION")
fi
rustc --version
openssl version
gnutls-cli --version | sed -n 1p
go version
echo "pion/dtls $(dpkg-query -W -f '${Version}' golang-github-pion-dtls.v2-dev), wolfSSL $(dpkg-query -W -f '${Version}' libwolfssl-dev)"
echo "DTLSSocket $DTLSSOCKET_VERSION (tinydtls), python-mbedtls $PYTHON_MBEDTLS_VERSION in $INTEROP_VENV"
echo "node-dtls-client $NODE_DTLS_CLIENT_VERSION in target/interop-npm"
wasm-tools --version
cargo deny --version

say "format"
cargo fmt --all --check

say "lint"
# The host turns on the engine's `ring` feature, so the workspace lint sees the engine
# with it; the second line lints the engine as it ships by default, without ring.
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --package wasm-dtls --all-targets --locked -- -D warnings
cargo clippy --package wasm-dtls-component --target wasm32-wasip2 --profile component --locked -- -D warnings
cargo clippy --package wasm-dtls-web --target wasm32-unknown-unknown --profile web --locked -- -D warnings
# The API documentation builds without broken or private links.
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --lib --no-deps --locked

say "dependencies"
# The engine must not pull two versions of any crate (wasmtime's tree, host only, may;
# so may the optional `ring` provider, which brings getrandom 0.2 beside our 0.4).
dups=$(cargo tree --locked --package wasm-dtls --duplicates --edges normal --target all 2>/dev/null)
if [ -n "$dups" ]; then
    echo "$dups"
    echo "the engine depends on two versions of a crate" >&2
    exit 1
fi
echo "the engine has no duplicate crates"
cargo deny --workspace --locked check bans licenses sources
# RustSec's advisory database is a git repository on github.com; check it whenever it
# can be fetched, and say so loudly when it cannot.
if timeout 30 git ls-remote https://github.com/rustsec/advisory-db HEAD >/dev/null 2>&1; then
    cargo deny --workspace --locked check advisories
else
    echo "ADVISORIES NOT CHECKED: github.com/rustsec/advisory-db is unreachable from this machine"
fi

say "tests"
# The workspace run tests the engine with its `ring` provider (the host enables it);
# the second runs the engine's tests as it ships by default, RustCrypto only; the third
# its unit tests as the browser module builds it, without RSA (or the X25519 table).
cargo test --workspace --locked
cargo test --package wasm-dtls --locked
cargo test --package wasm-dtls --no-default-features --lib --locked

say "node package"
node --version
(
    cd js
    npm ci --no-audit --no-fund
    npm run build
    npm test
)

say "browser demo"
if ! command -v chromium >/dev/null; then
    # The browser test drives Debian's Chromium headless through playwright-core.
    apt_install chromium
fi
chromium --version
(
    cd www
    npm ci --no-audit --no-fund
    bash build.sh
    npm test
)

say "all tests passed"

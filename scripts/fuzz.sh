#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), after seeding the corpora from
# real handshakes and the certificate fixtures. Installs the nightly toolchain and a
# pinned cargo-fuzz first. Findings land in fuzz/artifacts/<target>/; each one fixed
# becomes a regression test under tests/.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(record_layer handshake_messages client_session server_endpoint x509 handshake_mutation saved_session)
fi

CARGO_FUZZ_VERSION=0.13.2
rustup toolchain install nightly --profile minimal >/dev/null
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

cargo +nightly run --quiet --bin seed-corpus
for target in "${targets[@]}"; do
    echo "== $target ($seconds s)"
    log="target/fuzz-$target.log"
    status=0
    cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    grep -E "^(Done|stat::number_of_executed_units|==[0-9]+== ERROR|SUMMARY)" "$log" || true
    if [ -n "$(ls -A "artifacts/$target" 2>/dev/null)" ]; then
        echo "findings in fuzz/artifacts/$target" >&2
        exit 1
    fi
    # Without a finding, a failure is the build's or cargo-fuzz's own: say so.
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log" >&2
        echo "cargo fuzz run $target failed (exit $status); the log is fuzz/$log" >&2
        exit 1
    fi
done

#!/usr/bin/env bash
# Builds the browser teaching demo and serves it on http://127.0.0.1:8080/ (or the port
# given): open that address in a browser. Everything is served from www/; no CDN.
set -euo pipefail
cd "$(dirname "$0")/../www"
bash build.sh
exec node serve.js "${1:-8080}"

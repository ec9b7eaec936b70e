#!/usr/bin/env bash
# Browser tests of the web page: starts a fresh two-node region with mutual
# TLS, tokens and demo data (deploy/region.sh), then drives Debian's
# chromium headless with playwright-core (tests/web/*.test.mjs).
#
#   tests/web/run.sh                    run the tests
#   tests/web/run.sh --screenshots DIR  also write screenshots of the pages
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "${1:-}" = "--screenshots" ]; then
  export KAARTNET_SCREENSHOTS="$(realpath -m "${2:?--screenshots needs a directory}")"
  mkdir -p "$KAARTNET_SCREENSHOTS"
fi
command -v chromium >/dev/null || { echo "run.sh: no chromium (deploy/install-deps.sh test)" >&2; exit 1; }
(cd tests/web && npm ci --no-audit --no-fund --silent)

DIR="$(mktemp -d /tmp/kaartnet-web.XXXXXX)"
cleanup() { deploy/region.sh stop --dir "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
# Ports away from the demo region's (7401.., 8401..).
base=$(( 20000 + (RANDOM % 200) * 10 ))
deploy/region.sh start 2 --dir "$DIR" --grpc-base "$base" --http-base "$((base + 5))" \
  --demo "$DIR/data" --count 1000 --secure --load
# shellcheck disable=SC1091
source "$DIR/tokens.env"
export KAARTNET_WEB_URL="http://127.0.0.1:$((base + 6))"
export KAARTNET_WEB_URL2="http://127.0.0.1:$((base + 7))"
node --test --test-concurrency=1 tests/web/web.test.mjs

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

# shellcheck source=../testing/test_region.sh
source tests/testing/test_region.sh
start_test_region 2 1000 20000
export KAARTNET_WEB_URL="http://127.0.0.1:$((TEST_HTTP_BASE + 1))"
export KAARTNET_WEB_URL2="http://127.0.0.1:$((TEST_HTTP_BASE + 2))"
node --test --test-concurrency=1 tests/web/web.test.mjs

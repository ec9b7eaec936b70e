#!/usr/bin/env bash
# The replication soak (scenario S9) for as long as you like: four real
# kaartnetd nodes on 127.0.0.1 under publishes, updates and withdrawals on
# every node while nodes are killed (-9), stopped and restarted and links
# are cut and healed; then the region must agree on the newest acknowledged
# version of every entry, and memory must have stayed bounded.
#
#   deploy/soak.sh              one hour
#   deploy/soak.sh --seconds N
#
# deploy/test.sh runs the same test for 20 seconds. Needs deploy/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=3600
case "${1:-}" in
  --seconds) seconds="${2:?--seconds needs a number}" ;;
  "") ;;
  *) echo "usage: deploy/soak.sh [--seconds N]" >&2; exit 2 ;;
esac
[ -x build/tests/replication_e2e_test ] || deploy/build.sh
echo "soak: ${seconds} s with churn on a four-node region ..."
KAARTNET_SOAK_SECONDS="$seconds" KAARTNET_BIN_DIR="$PWD/build/bin" \
  build/tests/replication_e2e_test --gtest_filter='ReplicationTest.S9SoakWithChurn' \
  | tee build/soak.log | grep -E '^soak:|OK \]|FAILED|Failure'

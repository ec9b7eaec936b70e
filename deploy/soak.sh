#!/usr/bin/env bash
# The replication soak (scenario S9) for as long as you like: four real
# kaartnetd nodes on 127.0.0.1 under publishes, updates and withdrawals on
# every node while nodes are killed (-9), stopped and restarted and links
# are cut and healed; then the region must agree on the newest acknowledged
# version of every entry, and memory must have stayed bounded.
#
#   deploy/soak.sh              one hour
#   deploy/soak.sh --seconds N
#   deploy/soak.sh --seconds N --horizon H
#                               with a tombstone horizon of H seconds:
#                               withdrawals are removed and nodes that were
#                               down or cut off longer get snapshots
#
# deploy/test.sh runs the same test for 20 seconds. Needs deploy/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=3600
horizon=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --horizon) horizon="${2:?--horizon needs a number}"; shift 2 ;;
    *) echo "usage: deploy/soak.sh [--seconds N] [--horizon H]" >&2; exit 2 ;;
  esac
done
[ -x build/tests/replication_e2e_test ] || deploy/build.sh
echo "soak: ${seconds} s with churn on a four-node region ..."
KAARTNET_SOAK_SECONDS="$seconds" KAARTNET_SOAK_HORIZON_SECONDS="$horizon" \
  KAARTNET_BIN_DIR="$PWD/build/bin" \
  build/tests/replication_e2e_test --gtest_filter='ReplicationTest.S9SoakWithChurn' \
  | tee build/soak.log | grep -E '^soak:|OK \]|FAILED|Failure'

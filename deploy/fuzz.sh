#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz) under AddressSanitizer + UBSan,
# starting from the seed corpus in tests/fuzz/corpus/<target>/.
#
#   deploy/fuzz.sh                  60 s per target
#   deploy/fuzz.sh --seconds 600    longer, by hand (trust-and-privacy T3)
#   deploy/fuzz.sh --seconds 30 replication search   only these targets
#
# New interesting inputs go to build-asan/corpus/<target>/ (not the repo);
# a crash leaves build-asan/crash-<target>-* and makes the script fail: fix
# it, then copy the input into tests/fuzz/corpus/<target>/ so the replay
# tests keep it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(replication publish entry_json config search access_log import index_file)

deploy/build.sh --asan kaartnet_fuzzers
export ASAN_OPTIONS="detect_leaks=1:detect_container_overflow=0:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/deploy/lsan.supp:print_suppressions=0"
status=0
for target in "${targets[@]}"; do
  work="build-asan/corpus/$target"
  mkdir -p "$work"
  echo "== fuzz_$target for ${seconds}s"
  if ! build-asan/bin/"fuzz_$target" "$work" "tests/fuzz/corpus/$target" \
      -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 \
      -timeout=20 -print_final_stats=1 \
      -artifact_prefix="build-asan/crash-$target-" > "build-asan/fuzz-$target.log" 2>&1; then
    echo "fuzz_$target FAILED:"
    tail -60 "build-asan/fuzz-$target.log"
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|cov:" "build-asan/fuzz-$target.log" | tail -3
  fi
done
exit $status

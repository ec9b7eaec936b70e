#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit, end-to-end,
# multi-process and browser tests in the normal build (gcc), then the whole
# suite again under AddressSanitizer + UndefinedBehaviorSanitizer (clang),
# then each fuzz target of that same build for a few seconds (libFuzzer).
#
#   deploy/test.sh            everything
#   deploy/test.sh --quick    normal build only (no sanitizer pass)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1
start=$(date +%s)
stamp() { echo "== $* ($(( $(date +%s) - start ))s)"; }

stamp "dependencies"
deploy/install-deps.sh test bench

stamp "format"
deploy/check-format.sh

stamp "build"
deploy/build.sh

stamp "tests"
(cd build && ctest --output-on-failure -j "$(nproc)" --timeout 900)

stamp "browser tests (playwright-core + Debian chromium, axe-core)"
tests/web/run.sh

stamp "interoperability: HSDS against the official schemas, spreadsheet round trip"
tests/interop/run.sh

stamp "benchmark smoke run (proves the tools work; no timing is checked)"
deploy/bench.sh --smoke > build/bench-smoke.log 2>&1 || { cat build/bench-smoke.log; exit 1; }
tail -25 build/bench-smoke.log

if [ "$quick" = 0 ]; then
  stamp "build with clang, AddressSanitizer + UBSan and libFuzzer coverage"
  deploy/build.sh --asan
  stamp "tests under sanitizers"
  export ASAN_OPTIONS="detect_leaks=1:detect_container_overflow=0:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export LSAN_OPTIONS="suppressions=$PWD/deploy/lsan.supp:print_suppressions=0"
  # The simulator's seed sweep and region-scale run are pure CPU over the
  # same code the other simulation tests cover, and the replication soak is
  # the same churn longer; under sanitizers they would take most of the CI
  # budget, so the sanitizer pass runs the short ones.
  (cd build-asan && ctest --output-on-failure -j "$(nproc)" --timeout 1800 \
    -E 'SeedSweep|RegionScaleRun|S9SoakWithChurn')
  stamp "fuzzing: every target briefly under ASan + UBSan (longer: deploy/fuzz.sh --seconds 600)"
  deploy/fuzz.sh --seconds "${KAARTNET_FUZZ_SECONDS:-10}"
fi
stamp "all tests passed"

#!/usr/bin/env bash
# Builds kaartnet (warnings are errors).
#
#   deploy/build.sh              -> build/       (RelWithDebInfo)
#   deploy/build.sh --asan       -> build-asan/  (AddressSanitizer + UBSan)
#   deploy/build.sh --fuzz       -> build-fuzz/  (clang, libFuzzer + sanitizers)
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKAARTNET_WERROR=ON)
case "${1:-}" in
  --asan) dir=build-asan; flags+=(-DKAARTNET_SANITIZE=ON -DKAARTNET_BUILD_BENCH=OFF) ;;
  --fuzz) dir=build-fuzz; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKAARTNET_FUZZ=ON
            -DKAARTNET_SANITIZE=ON -DKAARTNET_BUILD_BENCH=OFF
            -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  "") ;;
  *) echo "build.sh: unknown option $1 (--asan, --fuzz)" >&2; exit 2 ;;
esac
jobs="${KAARTNET_JOBS:-$(nproc)}"

cmake -S . -B "$dir" "${flags[@]}" >/dev/null
if [ "$dir" = build-fuzz ]; then
  # Only the fuzz targets and what they link.
  cmake --build "$dir" -j "$jobs" --target kaartnet_fuzzers
else
  cmake --build "$dir" -j "$jobs"
fi

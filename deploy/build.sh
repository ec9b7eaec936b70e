#!/usr/bin/env bash
# Builds kaartnet (warnings are errors).
#
#   deploy/build.sh                 -> build/       (gcc, RelWithDebInfo)
#   deploy/build.sh --asan          -> build-asan/  (clang, AddressSanitizer +
#                                      UBSan, libFuzzer coverage: the
#                                      sanitizer test pass and the fuzz targets
#                                      come from this one build)
#   deploy/build.sh [--asan] TARGET...   only these targets
#
# Both builds are unity builds (several sources of a target compiled as one:
# the gRPC, protobuf and Abseil headers are parsed a few times per target
# instead of once per file). KAARTNET_UNITY_BUILD=OFF builds file by file.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKAARTNET_WERROR=ON
       -DCMAKE_UNITY_BUILD="${KAARTNET_UNITY_BUILD:-ON}")
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --asan) dir=build-asan
            flags+=(-DKAARTNET_SANITIZE=ON -DKAARTNET_FUZZ=ON -DKAARTNET_BUILD_BENCH=OFF
                    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
    --fuzz) echo "build.sh: --fuzz is part of --asan now" >&2; exit 2 ;;
    -*) echo "build.sh: unknown option $1 (--asan, or target names)" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
jobs="${KAARTNET_JOBS:-$(nproc)}"
generator=()
# Ninja when there is one and the directory is new (a directory keeps the
# generator it was made with).
if command -v ninja >/dev/null && [ ! -f "$dir/CMakeCache.txt" ]; then
  generator=(-G Ninja)
fi

cmake -S . -B "$dir" "${generator[@]}" "${flags[@]}" >/dev/null
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
else
  cmake --build "$dir" -j "$jobs"
fi

#!/usr/bin/env bash
# Installs the Debian 12 packages kaartnet needs, when they are missing.
#
#   deploy/install-deps.sh            build and run kaartnet
#   deploy/install-deps.sh test       + what the tests need (sanitizers, fuzzing, browser)
#   deploy/install-deps.sh bench      + the baselines (PostgreSQL, SQLite)
#
# Needs root or sudo only when something is missing.
set -euo pipefail

BUILD=(build-essential cmake ninja-build pkg-config ccache lld git ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev zlib1g-dev libsodium-dev libstemmer-dev libcpp-httplib-dev
  nlohmann-json3-dev libcli11-dev prometheus-cpp-dev libgtest-dev libgmock-dev
  libbenchmark-dev libssl-dev openssl curl procps)
TEST=(clang libclang-rt-14-dev clang-format chromium)
BENCH=(postgresql postgresql-contrib postgresql-15-rum libpq-dev libsqlite3-dev sqlite3
  libxapian-dev)

wanted=("${BUILD[@]}")
for group in "$@"; do
  case "$group" in
    build) ;;
    test) wanted+=("${TEST[@]}") ;;
    bench) wanted+=("${BENCH[@]}") ;;
    all) wanted+=("${TEST[@]}" "${BENCH[@]}") ;;
    *) echo "install-deps: unknown group '$group' (build, test, bench, all)" >&2; exit 2 ;;
  esac
done

# Node.js may come from elsewhere (e.g. NodeSource, whose nodejs conflicts
# with Debian's npm): only install Debian's when there is no npm at all.
case " $* " in
  *" test "*|*" all "*) command -v npm >/dev/null || wanted+=(nodejs npm) ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then
    SUDO="sudo"
  else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

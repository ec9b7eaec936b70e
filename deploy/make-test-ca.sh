#!/usr/bin/env bash
# Makes a test CA for a kaartnet region and a certificate per node, with
# openssl. For the demo region and tests; a real region keeps its CA key
# offline and signs each organisation's node certificate (see README).
#
#   deploy/make-test-ca.sh DIR [--host NAME_OR_IP]... NODE...
#
# Writes DIR/ca.crt and DIR/ca.key (once; kept when present) and, per node,
# DIR/NODE.crt and DIR/NODE.key. Every certificate names 127.0.0.1 and
# localhost, plus the --host names given (IP addresses or DNS names).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: deploy/make-test-ca.sh DIR [--host NAME_OR_IP]... NODE..." >&2
  exit 2
fi
dir="$1"
shift
san="IP:127.0.0.1,DNS:localhost"
nodes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --host)
      [ $# -ge 2 ] || { echo "--host needs a value" >&2; exit 2; }
      if [[ "$2" =~ ^[0-9.]+$ || "$2" == *:* ]]; then san="$san,IP:$2"; else san="$san,DNS:$2"; fi
      shift 2 ;;
    *) nodes+=("$1"); shift ;;
  esac
done
command -v openssl >/dev/null || { echo "openssl is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
umask 077
if [ ! -f "$dir/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 3650 \
    -subj "/O=kaartnet test region/CN=kaartnet test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 644 "$dir/ca.crt"
fi
for node in "${nodes[@]}"; do
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$node.key" -out "$dir/$node.csr" \
    -subj "/O=kaartnet test region/CN=$node" 2>/dev/null
  openssl x509 -req -in "$dir/$node.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/$node.crt" -days 825 \
    -extfile <(printf "subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n" "$san") \
    2>/dev/null
  rm -f "$dir/$node.csr"
  chmod 644 "$dir/$node.crt"
done
echo "CA and ${#nodes[@]} node certificate(s) in $dir"

#!/usr/bin/env bash
# Starts, stops and lists a local region of N kaartnetd nodes on 127.0.0.1,
# for tests, benchmarks and demos (the quickstart uses it for its three).
#
#   deploy/region.sh start N [options]   start node1..nodeN (already running
#                                        ones are left alone)
#   deploy/region.sh stop [--dir DIR]    stop every node under DIR
#   deploy/region.sh status [--dir DIR]  pid, ports and entries per node
#
# Options of start:
#   --dir DIR         state (default var/region): DIR/nodeK/{data,node.textproto,kaartnetd.log}
#   --grpc-base P     node K listens on gRPC P+K (default 7500)
#   --http-base P     and HTTP P+K (default 8500; 0: no HTTP)
#   --demo DIR        demo data (`kaart demo-data`) to use; made in DIR/data
#                     with --count entries when absent
#   --count N         entries of the demo data made (default 1000)
#   --secure          a test CA (mutual TLS) and tokens: DIR/tokens.env
#   --load            publish the demo entries into node1 (unless it has some)
#
# Links: node K dials node K-1, K-2 and K/2 (each pair once); with relaying
# that reaches every node, and a node has at most a handful of streams.
# Binaries come from build/bin (deploy/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BIN="$ROOT/build/bin"

cmd="${1:-}"
[ -n "$cmd" ] && shift
count_nodes=0
if [ "$cmd" = start ]; then
  count_nodes="${1:-}"
  [[ "$count_nodes" =~ ^[0-9]+$ ]] && [ "$count_nodes" -ge 1 ] || {
    echo "usage: deploy/region.sh start N [--dir DIR] ..." >&2; exit 2; }
  shift
fi
DIR="$ROOT/var/region"
GRPC_BASE=7500
HTTP_BASE=8500
DEMO=""
COUNT=1000
SECURE=0
LOAD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --grpc-base) GRPC_BASE="$2"; shift 2 ;;
    --http-base) HTTP_BASE="$2"; shift 2 ;;
    --demo) DEMO="$2"; shift 2 ;;
    --count) COUNT="$2"; shift 2 ;;
    --secure) SECURE=1; shift ;;
    --load) LOAD=1; shift ;;
    *) echo "deploy/region.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

node_pid() { cat "$DIR/$1/kaartnetd.pid" 2>/dev/null || true; }
node_running() {
  local pid
  pid=$(node_pid "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
nodes_in_dir() {
  find "$DIR" -maxdepth 2 -name node.textproto 2>/dev/null |
    sed 's|.*/\(node[0-9]*\)/node.textproto|\1|' | sort -V
}
grpc_of() { sed -n 's/^grpc_listen: "\(.*\)"/\1/p' "$DIR/$1/node.textproto"; }
# Runs kaart against a node, with the region's CA and tokens when secure.
kaart_on() {
  local node="$1"
  shift
  if [ -f "$DIR/tokens.env" ]; then
    (set -a; source "$DIR/tokens.env"; set +a; "$BIN/kaart" --node "$(grpc_of "$node")" "$@")
  else
    "$BIN/kaart" --node "$(grpc_of "$node")" "$@"
  fi
}
live_entries() {
  kaart_on "$1" --json status 2>/dev/null |
    grep -o '"liveEntries": *"[0-9]*"' | grep -o '[0-9]*' || echo 0
}

case "$cmd" in
  stop)
    for node in $(nodes_in_dir); do
      if node_running "$node"; then
        kill -TERM "$(node_pid "$node")"
        for _ in $(seq 1 100); do node_running "$node" || break; sleep 0.1; done
        echo "stopped $node"
      fi
      rm -f "$DIR/$node/kaartnetd.pid"
    done
    exit 0 ;;
  status)
    for node in $(nodes_in_dir); do
      if node_running "$node"; then
        echo "$node  pid $(node_pid "$node")  gRPC $(grpc_of "$node")  entries $(live_entries "$node")"
      else
        echo "$node  stopped"
      fi
    done
    exit 0 ;;
  start) ;;
  *) sed -n '2,25p' "$0" >&2; exit 2 ;;
esac

[ -x "$BIN/kaartnetd" ] || { echo "build first: deploy/build.sh" >&2; exit 1; }
mkdir -p "$DIR"
[ -n "$DEMO" ] || DEMO="$DIR/data"
if [ ! -f "$DEMO/entries.jsonl" ]; then
  "$BIN/kaart" demo-data --out "$DEMO" --count "$COUNT" --seed 1
fi
NODES=()
for ((k = 1; k <= count_nodes; k++)); do NODES+=("node$k"); done

if [ "$SECURE" = 1 ]; then
  [ -f "$DIR/ca/ca.crt" ] || deploy/make-test-ca.sh "$DIR/ca" "${NODES[@]}" > /dev/null
  for node in "${NODES[@]}"; do
    [ -f "$DIR/ca/$node.crt" ] || deploy/make-test-ca.sh "$DIR/ca" "$node" > /dev/null
  done
  if [ ! -f "$DIR/tokens.env" ]; then
    rm -f "$DIR/tokens"
    new_token() { "$BIN/kaart" admin tokens create --file "$DIR/tokens" "$@" 2>/dev/null; }
    umask 077
    {
      echo "# Bearer tokens of the local region in $DIR (deploy/region.sh)."
      echo "# source this file; kaart picks the token each command needs."
      echo "export KAARTNET_CA_CERT=\"$DIR/ca/ca.crt\""
      echo "export KAARTNET_TOKEN_READER=$(new_token --role reader --name 'demo klantmanager')"
      echo "export KAARTNET_TOKEN_ADMIN=$(new_token --role node-admin --name 'demo node admin')"
      echo "export KAARTNET_TOKEN_REGION=$(new_token --role region-admin --name 'demo Werkbedrijf')"
      orgs=$(find "$DEMO/keys" -name '*.key' -printf '%f\n' | sed 's/\.key$//' | sort | paste -sd,)
      new_token --role publisher --organisation "$orgs" --name "demo publisher" |
        while read -r org token; do
          echo "export KAARTNET_TOKEN_PUBLISHER_$(echo "$org" | tr 'a-z-' 'A-Z_')=$token"
        done
    } > "$DIR/tokens.env.tmp"
    umask 022
    if grep -qE '^export KAARTNET_TOKEN[A-Z_]*=$' "$DIR/tokens.env.tmp"; then
      echo "could not make the tokens (kaart admin tokens create)" >&2
      exit 1
    fi
    mv "$DIR/tokens.env.tmp" "$DIR/tokens.env"
  fi
fi

for ((k = 1; k <= count_nodes; k++)); do
  node="node$k"
  dir="$DIR/$node"
  mkdir -p "$dir"
  if node_running "$node"; then
    echo "$node is already running (pid $(node_pid "$node"))"
    continue
  fi
  {
    echo "# Local node $node (generated by deploy/region.sh)"
    echo "node_id: \"$node\""
    echo "region: \"AM30\""
    echo "data_dir: \"$dir/data\""
    echo "grpc_listen: \"127.0.0.1:$((GRPC_BASE + k))\""
    [ "$HTTP_BASE" = 0 ] || echo "http_listen: \"127.0.0.1:$((HTTP_BASE + k))\""
    echo "admissions_dir: \"$DEMO/admissions\""
    echo "hosted_keys_dir: \"$DEMO/keys\""
    if [ "$SECURE" = 1 ]; then
      echo "tokens_file: \"$DIR/tokens\""
      echo "tls { ca_file: \"$DIR/ca/ca.crt\" cert_file: \"$DIR/ca/$node.crt\" key_file: \"$DIR/ca/$node.key\" }"
    fi
    for j in $(printf '%s\n' $((k - 1)) $((k - 2)) $((k / 2)) | sort -un); do
      [ "$j" -ge 1 ] && [ "$j" -lt "$k" ] && echo "peers: \"127.0.0.1:$((GRPC_BASE + j))\""
    done
    cat "$DEMO/anchors.textproto"
  } > "$dir/node.textproto"
  : > "$dir/kaartnetd.log"
  nohup "$BIN/kaartnetd" --config "$dir/node.textproto" >> "$dir/kaartnetd.log" 2>&1 &
  echo $! > "$dir/kaartnetd.pid"
  for _ in $(seq 1 300); do
    grep -q "gRPC listening" "$dir/kaartnetd.log" && break
    if ! node_running "$node"; then
      echo "kaartnetd $node did not start:" >&2
      tail -20 "$dir/kaartnetd.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  http=""
  [ "$HTTP_BASE" = 0 ] || http=", HTTP 127.0.0.1:$((HTTP_BASE + k))"
  echo "started $node: gRPC 127.0.0.1:$((GRPC_BASE + k))$http (log $dir/kaartnetd.log)"
done

if [ "$LOAD" = 1 ]; then
  if [ "$(live_entries node1)" = 0 ]; then
    echo "loading demo data into node1 ..."
    kaart_on node1 publish "$DEMO/entries.jsonl" --parallel 16
  fi
  want=$(live_entries node1)
  last="node$count_nodes"
  for _ in $(seq 1 300); do
    [ "$(live_entries "$last")" = "$want" ] && break
    sleep 0.1
  done
  line="node1 holds $want entries; replicated:"
  for ((k = 2; k <= count_nodes; k++)); do
    if [ "$count_nodes" -le 5 ] || [ "$k" = "$count_nodes" ]; then
      line="$line node$k $(live_entries "node$k"),"
    fi
  done
  echo "${line%,}"
fi

#!/usr/bin/env bash
# Runs the whole benchmark: kaartnet against PostgreSQL FTS (GIN and RUM) and
# SQLite FTS5 on the same data and query mix, plus the empty-RPC floor and
# durable ingest, and prints one table. See bench/README.md.
#
#   deploy/bench.sh                 10^5 entries (default)
#   deploy/bench.sh --size 1000     one region
#   deploy/bench.sh --size 1000000
#   deploy/bench.sh --smoke         10^3 entries, a second per run (CI)
#
# Results: var/bench/<size>/results/*.json and the table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

size=100000
duration=10
smoke=0
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --smoke) smoke=1; size=1000; duration=1; shift ;;
    *) echo "bench.sh: unknown option $1 (--size N, --duration S, --smoke)" >&2; exit 2 ;;
  esac
done

deploy/install-deps.sh bench
deploy/build.sh >/dev/null
BIN="$ROOT/build/bin"
W="$ROOT/var/bench/$size"
RESULTS="$W/results"
mkdir -p "$W" "$RESULTS"
rm -f "$RESULTS"/*.json
today=$(date -u +%Y-%m-%d)

if [ ! -f "$W/data/entries.jsonl" ] || [ "$(cat "$W/data/.date" 2>/dev/null)" != "$today" ]; then
  rm -rf "$W/data"
  "$BIN/kaart" demo-data --out "$W/data" --count "$size" --seed 1 --now "$today"
  echo "$today" > "$W/data/.date"
fi

# --- kaartnet -------------------------------------------------------------
port=$(( 17000 + RANDOM % 2000 ))
NODE="127.0.0.1:$port"
rm -rf "$W/node"
mkdir -p "$W/node"
{
  echo "node_id: \"bench\""
  echo "region: \"AM30\""
  echo "data_dir: \"$W/node/data\""
  echo "grpc_listen: \"$NODE\""
  echo "admissions_dir: \"$W/data/admissions\""
  echo "hosted_keys_dir: \"$W/data/keys\""
  cat "$W/data/anchors.textproto"
} > "$W/node/node.textproto"
"$BIN/kaartnetd" --config "$W/node/node.textproto" > "$W/node/kaartnetd.log" 2>&1 &
PID=$!
PGCTL=""
cleanup() {
  kill "$PID" 2>/dev/null || true
  if [ -n "$PGCTL" ]; then $PGCTL stop -m fast >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  grep -q "gRPC listening" "$W/node/kaartnetd.log" && break
  kill -0 "$PID" 2>/dev/null || { cat "$W/node/kaartnetd.log" >&2; exit 1; }
  sleep 0.1
done

echo "== loading $size entries into kaartnet (durable publishes, 16 in flight)"
"$BIN/kaart" --node "$NODE" publish "$W/data/entries.jsonl" --parallel 16

# Measure the steady state: after the bulk load the node merges index
# segments and RocksDB compacts in the background. Wait (at most a minute)
# until the node uses less than 5% of a core for a second.
settle() {
  local before after
  for _ in $(seq 1 60); do
    before=$(awk '{print $14 + $15}' "/proc/$PID/stat")
    sleep 1
    after=$(awk '{print $14 + $15}' "/proc/$PID/stat")
    [ $(( after - before )) -le $(( $(getconf CLK_TCK) / 20 )) ] && return
  done
  echo "(the node is still busy after a minute; measuring anyway)"
}
[ "$smoke" = 1 ] || settle

warmup=2
[ "$smoke" = 1 ] && warmup=0.5
bench() {  # name workload concurrency [extra...]
  local name=$1 workload=$2 concurrency=$3
  shift 3
  "$BIN/kaart-bench" --node "$NODE" --workload "$workload" --concurrency "$concurrency" \
    --duration "$duration" --warmup "$warmup" --server-pid "$PID" \
    --queries "$ROOT/bench/queries.jsonl" --entries "$W/data/entries.jsonl" \
    --label "$name" --out "$RESULTS/$name.json" "$@"
}
echo "== kaartnet"
bench empty-c1 empty 1 --channels 1 --threads 1
bench search-c1 search 1 --channels 1 --threads 1
bench empty-c16 empty 16
bench search-c16 search 16
bench get-c16 get 16
# Open loop: a fixed arrival rate; latency counts from when each request
# was due, so queueing shows up in the tail.
bench search-open search 64 --rate "$([ "$smoke" = 1 ] && echo 50 || echo 200)"

# --- baselines ------------------------------------------------------------
echo "== baselines (same data, same queries)"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGDIR=$(mktemp -d /tmp/kaartnet-bench-pg.XXXXXX)
pgport=$(( port + 1 ))
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$PGDIR"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
PGCTL="${as_pg[*]} $PGBIN/pg_ctl -D $PGDIR/data"
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o \
  "-k $PGDIR -p $pgport -c listen_addresses='' -c shared_buffers=512MB -c work_mem=32MB \
   -c synchronous_commit=on -c fsync=on -c max_connections=100" start >/dev/null
systems=(--system postgres)
if [ -f "$("$PGBIN/pg_config" --sharedir)/extension/rum.control" ]; then
  systems+=(--system postgres-rum)
else
  echo "(postgresql-15-rum not installed: skipping the RUM variant)"
fi
systems+=(--system sqlite)
"$BIN/kaart-baseline" --demo "$W/data" --queries "$ROOT/bench/queries.jsonl" \
  --kaartnet "$NODE" --pg "host=$PGDIR port=$pgport dbname=postgres user=postgres options=-cclient_min_messages=warning" \
  --sqlite "$W/sqlite.db" "${systems[@]}" --duration "$duration" --now "$today" \
  --ingest 1 --ingest 16 --ingest 64 --ingest-count "$([ "$smoke" = 1 ] && echo 200 || echo 3000)" \
  --out "$RESULTS/baselines.json"
$PGCTL stop -m fast >/dev/null
PGCTL=""
rm -rf "$PGDIR"

echo "== kaartnet durable publishes"
bench publish-c1 publish 1 --channels 1 --threads 1
bench publish-c16 publish 16
bench publish-c64 publish 64

echo "== replication: 10 local nodes; a fresh node bootstraps from the bench node"
if [ "$smoke" = 1 ]; then region_args=(--nodes 3 --seconds 1 --divergent 100)
else region_args=(--nodes 10 --seconds 10 --divergent 1000); fi
rm -rf "$W/region"
"$BIN/kaart-region-bench" --demo "$W/data" --work "$W/region" "${region_args[@]}" \
  --bootstrap-from "$NODE" --out "$RESULTS/replication.json"
rm -rf "$W/region"

echo
echo "== results ($size entries, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ))"
"$BIN/kaart-bench" report --dir "$RESULTS"

# Sourced by the test scripts (tests/web/run.sh, tests/interop/run.sh):
#   start_test_region NODES ENTRIES PORT_FLOOR
# starts a fresh secure region (mutual TLS, tokens, demo data loaded into
# node1) in a temporary directory with deploy/region.sh, stops and removes it
# when the script exits, sources its tokens.env, and sets TEST_REGION_DIR,
# TEST_GRPC_BASE (node K on +K) and TEST_HTTP_BASE (node K on +K).
start_test_region() {
  local nodes="$1" entries="$2" floor="$3"
  TEST_REGION_DIR="$(mktemp -d /tmp/kaartnet-test.XXXXXX)"
  trap 'deploy/region.sh stop --dir "$TEST_REGION_DIR" >/dev/null 2>&1 || true; rm -rf "$TEST_REGION_DIR"' EXIT
  # Ports away from the demo region's (7401.., 8401..) and each other's.
  TEST_GRPC_BASE=$(( floor + (RANDOM % 200) * 10 ))
  TEST_HTTP_BASE=$(( TEST_GRPC_BASE + 5 ))
  deploy/region.sh start "$nodes" --dir "$TEST_REGION_DIR" --grpc-base "$TEST_GRPC_BASE" \
    --http-base "$TEST_HTTP_BASE" --demo "$TEST_REGION_DIR/data" --count "$entries" --secure --load
  # shellcheck disable=SC1091
  source "$TEST_REGION_DIR/tokens.env"
}

#!/usr/bin/env bash
# Starts a local demo region with realistic Zuid-Limburg data: three nodes
# that replicate over mutual TLS, with bearer tokens for every role.
#
#   deploy/quickstart.sh         install what is missing, build, start, load
#   deploy/quickstart.sh stop    stop the demo region
#
# State lives under var/demo/ (delete it to start from scratch); the nodes
# are run by deploy/region.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
VAR="$PWD/var/demo"

if [ "${1:-}" = "stop" ]; then
  deploy/region.sh stop --dir "$VAR"
  exit 0
fi
if [ -n "${1:-}" ]; then
  echo "usage: deploy/quickstart.sh [stop]" >&2
  exit 2
fi

deploy/install-deps.sh
deploy/build.sh
deploy/region.sh start 3 --dir "$VAR" --grpc-base 7400 --http-base 8400 \
  --demo "$VAR/data" --count 1000 --secure --load

cat <<'TXT'

kaartnet demo region is running: three nodes that replicate to each other
over mutual TLS; callers need a bearer token.
  node1   gRPC 127.0.0.1:7401   HTTP http://127.0.0.1:8401
  node2   gRPC 127.0.0.1:7402   HTTP http://127.0.0.1:8402
  node3   gRPC 127.0.0.1:7403   HTTP http://127.0.0.1:8403

Open the web page: http://127.0.0.1:8401
  Sign in ("Aanmelden") with a token from var/demo/tokens.env:
    KAARTNET_TOKEN_READER                      Zoeken (klantmanager)
    KAARTNET_TOKEN_PUBLISHER_GGZ_ZUID_LIMBURG  Aanbod beheren (partner)
    KAARTNET_TOKEN_REGION                      Regio-overzicht (Werkbedrijf)
  e.g.: grep TOKEN_READER var/demo/tokens.env

On the command line (the first line sets the demo tokens and the CA certificate):
  source var/demo/tokens.env
  build/bin/kaart search ips psychose kerkrade --accepting
  build/bin/kaart search jobcoach --near "6411 AB" --radius 15 --sort distance
  build/bin/kaart search --kind werkgever --area AM30 --offer garantiebaan --facets gemeente
  build/bin/kaart get ggz-zuid-limburg/ips-heerlen
  build/bin/kaart status
  build/bin/kaart --node 127.0.0.1:7403 get ggz-zuid-limburg/ips-heerlen
  build/bin/kaart admin peers list
  build/bin/kaart get ggz-zuid-limburg/ips-heerlen --reveal   (logged)
  build/bin/kaart admin audit verify
  build/bin/kaart export --format csv --org ggz-zuid-limburg -o aanbod.csv   (Excel)
  build/bin/kaart export --format hsds -o kaart.hsds.json                   (Open Referral)
  curl -s -H "Authorization: Bearer $KAARTNET_TOKEN_READER" "http://127.0.0.1:8401/api/v1/search?q=jobcoach+maastricht"
  curl -s http://127.0.0.1:8401/metrics

Stop with: deploy/quickstart.sh stop
TXT

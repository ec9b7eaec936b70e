#!/usr/bin/env bash
# Interoperability against a real node with demo data: the HSDS export (CLI
# and the /hsds API) validated against the official HSDS 3.0 schemas with
# ajv, and a spreadsheet round trip through `kaart export` / `kaart import`
# (dry run, a refused file that stores nothing, an accepted one).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
KAART="$ROOT/build/bin/kaart"
(cd tests/interop && npm ci --no-audit --no-fund --silent)

# shellcheck source=../testing/test_region.sh
source tests/testing/test_region.sh
start_test_region 1 400 22000
DIR="$TEST_REGION_DIR"
export KAARTNET_NODE="127.0.0.1:$((TEST_GRPC_BASE + 1))"
HTTP="http://127.0.0.1:$((TEST_HTTP_BASE + 1))"
fail() { echo "interop: FAILED: $*" >&2; exit 1; }
validate() { node tests/interop/validate-hsds.mjs "$@"; }

echo "== HSDS export (kaart export --format hsds) against the HSDS 3.0 schemas"
"$KAART" export --format hsds --base-url "$HTTP" -o "$DIR/kaart.hsds.json"
validate dataset "$DIR/kaart.hsds.json"
# PROFESSIONALS contacts never leave through HSDS.
grep -q '"contacts"' "$DIR/kaart.hsds.json" || fail "no contacts in the export"

echo "== HSDS API (/hsds/...)"
get() { curl -sf -H "Authorization: Bearer $KAARTNET_TOKEN_READER" "$HTTP$1"; }
get "/hsds/services?per_page=25&page=2&search=jobcoach" > "$DIR/page.json"
validate page service "$DIR/page.json"
python3 - "$DIR/page.json" <<'PY' || fail "services page"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["page_number"] == 2 and p["size"] == len(p["contents"]) <= 25, p
assert p["total_items"] > 25, p["total_items"]
assert all(s["organization"]["name"] for s in p["contents"])
PY
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["contents"][0]["id"])' "$DIR/page.json")
get "/hsds/services/$id" > "$DIR/one.json"
validate one service "$DIR/one.json"
get "/hsds/organizations?per_page=500" > "$DIR/orgs.json"
validate page organization "$DIR/orgs.json"
get "/hsds/taxonomy_terms?per_page=500" > "$DIR/terms.json"
validate page taxonomy_term "$DIR/terms.json"
get "/hsds/taxonomies" > "$DIR/taxonomies.json"
validate page taxonomy "$DIR/taxonomies.json"
# Nothing changed after now: an empty page.
future=$(date -u -d '+1 day' +%Y-%m-%d)
get "/hsds/services?modified_after=$future" | grep -q '"total_items":0' || fail "modified_after"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KAARTNET_TOKEN_READER" \
  "$HTTP/hsds/services?modified_after=gisteren")
[ "$code" = 400 ] || fail "bad modified_after answered $code"

echo "== spreadsheet round trip (kaart export / import --format csv)"
ORG=ggz-zuid-limburg
# Without --contacts the file lacks the contacts for professionals: importing
# it would delete them, so it is refused.
"$KAART" export --format csv --org "$ORG" -o "$DIR/public.csv"
if "$KAART" import "$DIR/public.csv" --org "$ORG" --dry-run 2> "$DIR/public.err"; then
  fail "a file without the professionals' contacts was accepted"
fi
grep -q "voor professionals die niet in het bestand staan" "$DIR/public.err" \
  || fail "no reason given for refusing the file without contacts"
"$KAART" export --format csv --org "$ORG" --contacts -o "$DIR/own.csv"
rows=$(( $(grep -c $'\r$' "$DIR/own.csv") - 1 ))
[ "$rows" -gt 10 ] || fail "only $rows rows exported"
"$KAART" import "$DIR/own.csv" --org "$ORG" --dry-run | grep -q "in orde: $rows aanbod" \
  || fail "the exported file does not pass its own dry run"
count() { "$KAART" search --org "$ORG" --json --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin).get("totalSize", 0))'; }
before=$(count)
# A file with a new row and two bad ones: every problem named, nothing stored.
python3 - "$DIR/own.csv" "$DIR/bad.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8-sig", newline="").read().split("\r\n")
header = lines[0].split(";")
def row(**cells):
    return ";".join(cells.get(h, "") for h in header)
lines.insert(1, row(id="nieuw-ips-vaals", titel="IPS-trajectbegeleiding Vaals", soort="IPS-trajectbegeleider",
                    gemeenten="Vaals", neemt_nieuwe_clienten_aan="ja"))
lines.insert(2, row(id="kapot", titel="Kapot", soort="Koffiezetter", gemeenten="Vaals"))
lines.insert(3, row(id="kapot-2", titel="Ook kapot", soort="Jobcoach", gemeenten="Vaals",
                    locatie_plaats="Vaals", locatie_postcode="12345", locatie_gemeente="Vaals"))
open(sys.argv[2], "w", encoding="utf-8-sig", newline="").write("\r\n".join(lines))
PY
if "$KAART" import "$DIR/bad.csv" --org "$ORG" 2> "$DIR/bad.err"; then fail "a bad file was imported"; fi
cat "$DIR/bad.err"
grep -q "regel 3, kolom soort" "$DIR/bad.err" || fail "bad kind not named"
grep -q "regel 4, kolom locatie_postcode (1e waarde)" "$DIR/bad.err" || fail "bad postcode not named"
grep -q "er is niets opgeslagen" "$DIR/bad.err" || fail "no all-or-nothing notice"
[ "$(count)" = "$before" ] || fail "a refused import stored entries"
# Without the bad rows it goes in: one new, the rest updated.
python3 - "$DIR/bad.csv" "$DIR/good.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8-sig", newline="").read().split("\r\n")
del lines[2:4]
open(sys.argv[2], "w", encoding="utf-8-sig", newline="").write("\r\n".join(lines))
PY
"$KAART" import "$DIR/good.csv" --org "$ORG" | tee "$DIR/good.out"
grep -q "geïmporteerd: 1 nieuw, $rows bijgewerkt" "$DIR/good.out" || fail "import counts"
[ "$(count)" = "$((before + 1))" ] || fail "the new row is not there"
# And the round trip holds: exporting again gives the same rows (but the
# new one and the dates of last verification).
"$KAART" export --format csv --org "$ORG" --contacts -o "$DIR/again.csv"
python3 - "$DIR/own.csv" "$DIR/again.csv" <<'PY' || fail "round trip differs"
import csv, sys
def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        r = list(csv.DictReader(f, delimiter=";"))
    for row in r:
        row.pop("laatst_gecontroleerd")
    return {row["id"]: row for row in r}
a, b = rows(sys.argv[1]), rows(sys.argv[2])
b.pop("ggz-zuid-limburg/nieuw-ips-vaals")
assert a == b, [k for k in a if a[k] != b.get(k)][:3]
print(f"round trip: {len(a)} rows identical")
PY
echo "interop: all checks passed"

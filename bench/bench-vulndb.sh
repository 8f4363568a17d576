#!/usr/bin/env bash
# The vulnerability store against issue 5's targets, in one run: import rate of real NVD
# records (the built-in snapshot's 164 records repeated COPIES times with distinct ids,
# one API 2.0 page), the database size per 1,000 records, a re-import (all unchanged),
# and matching: QUERIES `iotrust db match` runs over the CPEs of the imported records
# (process start and store open included, so an upper bound per match).
# Usage: bench/bench-vulndb.sh [path/to/iotrust]   (COPIES=60, QUERIES=200; needs jq)
set -euo pipefail
IOTRUST=$(realpath "${1:-build/iotrust}")
COPIES=${COPIES:-60}
QUERIES=${QUERIES:-200}
cd "$(dirname "$0")/.."
TMP=$(mktemp -d /tmp/iotrust-bench-vulndb-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

gzip -dc data/vulndb/nvd-embedded.json.gz >"$TMP/nvd.json"
jq -c --argjson n "$COPIES" '.vulnerabilities as $v | .vulnerabilities =
	[range(0; $n) as $i | $v[] | .cve.id = (.cve.id + "\($i)")] |
	.totalResults = (.vulnerabilities | length) | .resultsPerPage = .totalResults' \
	"$TMP/nvd.json" >"$TMP/page.json"
records=$(jq '.vulnerabilities | length' "$TMP/page.json")
bytes=$(stat -c %s "$TMP/page.json")

now() { date +%s.%N; }
t0=$(now)
"$IOTRUST" db --db "$TMP/v.db" -q import "$TMP/page.json" >"$TMP/import.txt"
t1=$(now)
"$IOTRUST" db --db "$TMP/v.db" -q import "$TMP/page.json" >"$TMP/again.txt"
t2=$(now)
stored=$(sed -n 's/^1 files, \([0-9]*\) records.*/\1/p' "$TMP/import.txt")
size=$(stat -c %s "$TMP/v.db")

# CPEs to match: each vulnerable criteria's vendor:product with a version in its range
jq -r '.vulnerabilities[].cve.configurations[]?.nodes[]?.cpeMatch[]? | select(.vulnerable)
	| .criteria' "$TMP/nvd.json" | awk -F: '$4 != "*" && $5 != "*" {print $1":"$2":"$3":"$4":"$5}' |
	sort -u | head -n "$QUERIES" >"$TMP/cpes"
nq=$(wc -l <"$TMP/cpes")
t3=$(now)
while read -r c; do
	"$IOTRUST" db --db "$TMP/v.db" match --cpe "$c:1.0:*:*:*:*:*:*:*" >/dev/null || true
done <"$TMP/cpes"
t4=$(now)

awk -v r="$records" -v s="$stored" -v b="$bytes" -v sz="$size" -v nq="$nq" \
	-v ti="$(echo "$t1 - $t0" | bc)" -v ta="$(echo "$t2 - $t1" | bc)" \
	-v tm="$(echo "$t4 - $t3" | bc)" 'BEGIN {
	printf "input: %d NVD records (%d with usable products), %.1f MB page\n", r, s, b / 1e6
	printf "import:      %.2f s  %8.0f records/s  (target >= 10,000/s)\n", ti, r / ti
	printf "  => a full NVD of 300,000 records: ~%.0f s (target < 30 s)\n", 300000 / (r / ti)
	printf "re-import:   %.2f s  %8.0f records/s (all unchanged)\n", ta, r / ta
	printf "store size:  %.0f KB per 1,000 stored records\n", sz / 1024 / (s / 1000)
	printf "match (CLI): %d queries in %.2f s: %.1f ms each, process start included\n",
	       nq, tm, tm * 1000 / nq
}'
cat "$TMP/import.txt"

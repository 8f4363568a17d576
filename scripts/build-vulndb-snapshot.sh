#!/usr/bin/env bash
# Builds the vulnerability snapshot iotrust ships (data/vulndb/*.json.gz), which seeds a
# new store on first use so a scan on a fresh machine reports known vulnerabilities with
# no network. Input: the public data in ../shared/data (see its SOURCES.md), or DIR.
#   nvd-embedded.json.gz  NVD CVE API 2.0 records of common embedded components (one page)
#   kev.json.gz           the CISA Known Exploited Vulnerabilities catalogue
# Usage: scripts/build-vulndb-snapshot.sh [SHARED_DATA_DIR]   (needs jq and gzip)
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:-../shared/data}
OUT=data/vulndb
[ -d "$SRC/nvd" ] || { echo "no $SRC/nvd: pass the shared data directory" >&2; exit 2; }
mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# NVD: every record of all-records.json and the osv.dev NVD test responses, once each
# (the newest lastModified wins), as one API 2.0 page.
jq -c '.vulnerabilities[]' "$SRC/nvd/all-records.json" >"$tmp/items"
for f in "$SRC"/nvd/osv-dev-testdata/nvdcve-2.0/*.json; do
	jq -c '.vulnerabilities[]' "$f" >>"$tmp/items"
done
jq -s -c 'group_by(.cve.id) | map(max_by(.cve.lastModified))
          | {resultsPerPage: length, startIndex: 0, totalResults: length,
             format: "NVD_CVE", version: "2.0", timestamp: "2026-11-24T00:00:00.000",
             vulnerabilities: .}' "$tmp/items" >"$tmp/nvd.json"
gzip -9n <"$tmp/nvd.json" >"$OUT/nvd-embedded.json.gz"

# KEV: the catalogue as published.
jq -c . "$SRC/kev/known_exploited_vulnerabilities.json" | gzip -9n >"$OUT/kev.json.gz"

printf '%s: %s NVD records, %s KEV entries\n' "$OUT" \
	"$(jq '.totalResults' "$tmp/nvd.json")" \
	"$(gzip -dc "$OUT/kev.json.gz" | jq '.vulnerabilities | length')"
ls -l "$OUT"

#!/bin/sh
# Writes the real identifiers the CPE and PURL unit tests parse: every JSON string that
# starts with "cpe:" or "pkg:" in the NVD, CSAF, OSV and SBOM data of ../shared/data
# (schemas excluded), one per line, to tests/data/vulndb/cpe/real-cpes.txt and
# tests/data/vulndb/purl/real-purls.txt. Usage: extract-cpe-purl-samples.sh [DATA_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${1:-$here/../../shared/data}
out=$here/../tests/data/vulndb
list() {
	find "$data/nvd" "$data/csaf" "$data/osv" "$data/sbom" -name '*.json' ! -path '*/schema/*' \
		-exec jq -r --arg p "$1" '.. | strings | select(startswith($p))' {} + |
		grep -v '[[:cntrl:]]' | LC_ALL=C sort -u
}
mkdir -p "$out/cpe" "$out/purl"
{ echo "# every \"cpe:...\" string in shared/data nvd, csaf, osv, sbom JSON (by $(basename "$0"))"; list cpe:; } >"$out/cpe/real-cpes.txt"
{ echo "# every \"pkg:...\" string in shared/data nvd, csaf, osv, sbom JSON (by $(basename "$0"))"; list pkg:; } >"$out/purl/real-purls.txt"
wc -l "$out/cpe/real-cpes.txt" "$out/purl/real-purls.txt"

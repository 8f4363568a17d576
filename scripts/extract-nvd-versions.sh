#!/bin/sh
# Writes tests/data/vulndb/versions/nvd-versions.txt: every version NVD records name in
# the CPE match criteria of the given NVD 2.0 JSON files (default: ../shared/data/nvd/
# all-records.json): versionStart/End bounds, the version attribute of each criteria
# (backslash escapes removed) and version+update where the update is concrete ("9.3" +
# "p1" -> "9.3p1"). test_version.c checks the generic order is total on this list.
# Usage: extract-nvd-versions.sh [OUT [FILE...]]; the committed list was made with
# OUT all-records.json edge-cases/*.json osv-dev-testdata/nvdcve-2.0/*.json
# osv-dev-testdata/test.json api-pages/vunnel/*.json (of ../shared/data/nvd).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../tests/data/vulndb/versions/nvd-versions.txt}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- "$here/../../shared/data/nvd/all-records.json"
{
	echo "# versions in the NVD CPE match criteria of $# files (all-records.json, edge-cases/,"
	echo "# osv-dev-testdata/, api-pages/ of shared/data/nvd)"
	echo "# by scripts/extract-nvd-versions.sh; one version per line"
	jq -r '.. | objects | select(has("criteria")) |
		((.versionStartIncluding, .versionStartExcluding, .versionEndIncluding,
		  .versionEndExcluding) | strings),
		(.criteria | [splits("(?<!\\\\):")] | .[5], (if .[6] != "*" and .[6] != "-"
		 then .[5] + .[6] else empty end))' "$@" |
		sed 's/\\\(.\)/\1/g' | grep -v -x -e '' -e '\*' -e '-' | LC_ALL=C sort -u
} >"$out"
echo "$(grep -vc '^#' "$out") versions -> $out"

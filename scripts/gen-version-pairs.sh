#!/bin/sh
# Regenerates tests/data/vulndb/versions/deb-versions.txt: a deterministic sample of the
# real package versions in this machine's APT lists (apt-cache dumpavail), from which
# tests/unit/test_version.c builds the pairs it checks against dpkg --compare-versions.
# Every STEP-th distinct version in C-locale order, plus every STEP-th of those with an
# epoch, a '~' or a '+' (the interesting cases). Usage: gen-version-pairs.sh [OUT [STEP]]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../tests/data/vulndb/versions/deb-versions.txt}
step=${2:-7}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
apt-cache dumpavail | sed -n 's/^Version: //p' | LC_ALL=C sort -u >"$tmp"
{
	echo "# $(wc -l <"$tmp") distinct versions in the APT lists, 1 in $step kept (+ epochs, ~, +)"
	echo "# by scripts/gen-version-pairs.sh; one version per line"
	{
		awk -v s="$step" 'NR % s == 0' "$tmp"
		grep -E '[:~+]' "$tmp" | awk -v s="$step" 'NR % s == 1'
	} | LC_ALL=C sort -u
} >"$out"
echo "$(grep -vc '^#' "$out") versions -> $out"

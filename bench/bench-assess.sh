#!/usr/bin/env bash
# `iotrust assess` against issue 6's target (a saved scan result assessed in under 50 ms):
# the demo firmware is built and scanned once, then assessed RUNS times from the saved
# result with the demo profile and declarations; prints the in-process time of each step
# (--timing: inputs, the assessment itself, the report) and the whole command's wall time.
# No peer tool assesses ETSI EN 303 645 / PSTI / CRA provisions, so there is no ratio.
# Usage: bench/bench-assess.sh [path/to/iotrust]   (RUNS=10)
set -euo pipefail
IOTRUST=$(realpath "${1:-build/iotrust}")
RUNS=${RUNS:-10}
cd "$(dirname "$0")/.."
TMP=$(mktemp -d /tmp/iotrust-bench-assess-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/xdg"

bash tests/fixtures/build-demo-firmware.sh "$TMP/demo" >/dev/null
"$IOTRUST" scan "$TMP/demo/demo-firmware.bin" --quiet --format json -o "$TMP/scan.json"
run() {
	"$IOTRUST" assess --scan "$TMP/scan.json" --profile data/profiles/demo.yaml \
		--declarations data/profiles/demo-declarations.yaml --format "$1" -o "$TMP/out.$1" --timing
}
for f in json text html; do
	: >"$TMP/times.$f"
	start=$(date +%s.%N)
	for _ in $(seq "$RUNS"); do run "$f" 2>>"$TMP/times.$f"; done
	end=$(date +%s.%N)
	sed -E 's/.* ([0-9.]+) ms; assessment ([0-9.]+) ms; [a-z]+ report ([0-9.]+) ms/\1 \2 \3/' \
		"$TMP/times.$f" | awk -v f="$f" -v n="$RUNS" -v wall="$(echo "$end - $start" | bc)" '
		{ i += $1; a += $2; r += $3 }
		END { printf "%-5s means over %d runs: inputs %.1f ms, assessment %.1f ms (target < 50 ms), report %.1f ms; whole command %.1f ms wall\n",
		      f, n, i / n, a / n, r / n, wall * 1000 / n }'
done
printf 'assessment JSON: %d bytes; HTML report: %d bytes (target < 1 MB)\n' \
	"$(stat -c %s "$TMP/out.json")" "$(stat -c %s "$TMP/out.html")"

#!/usr/bin/env bash
# Labels signed and verified per second by `iotrust label` (in one process: the hidden
# --repeat N builds the label from the assessment, canonicalises it (RFC 8785) and signs the
# JWS N times; verify --repeat parses, verifies and checks the label N times), against
# `openssl pkeyutl -sign` / `-verify -rawin` run once per label on the same JWS signing input,
# as a script without a label library would do. Prints labels/s and the ratio.
# Usage: bench/bench-label.sh [path/to/iotrust]   (N=20000 in-process, M=200 openssl runs)
set -euo pipefail
IOTRUST=$(realpath "${1:-build/iotrust}")
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-20000}
M=${M:-200}
TMP=$(mktemp -d /tmp/iotrust-bench-label-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
command -v openssl >/dev/null || { echo "bench: openssl is missing"; exit 1; }

"$IOTRUST" label keygen -o issuer >/dev/null
A=$SRC/tests/data/label/assessment.json
sign_rate=$("$IOTRUST" label sign --assessment "$A" --key issuer.key -o out --repeat "$N" 2>&1 >/dev/null |
	sed -n 's/.*: \([0-9]*\)\/s$/\1/p')
verify_rate=$("$IOTRUST" label verify out/label.jws --jwks issuer.jwks --repeat "$N" 2>&1 >/dev/null |
	sed -n 's/.*: \([0-9]*\)\/s$/\1/p')

# the peer: one openssl process per label, on the exact signing input of label.jws
tr -d '\n' <out/label.jws | cut -d. -f1,2 | tr -d '\n' >input
openssl pkey -in issuer.key -pubout -out issuer.pub
now() { date +%s%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / ((b - a) / 1e9) }'; }
t0=$(now)
for i in $(seq "$M"); do
	openssl pkeyutl -sign -inkey issuer.key -rawin -in input -out "sig"
done
t1=$(now)
for i in $(seq "$M"); do
	openssl pkeyutl -verify -pubin -inkey issuer.pub -rawin -in input -sigfile sig >/dev/null
done
t2=$(now)
os=$(rate "$M" "$t0" "$t1")
ov=$(rate "$M" "$t1" "$t2")

echo "labels per second ($(nproc) cores; $(openssl version); iotrust: $N in one process," \
	"openssl: $M processes)"
printf '  %-8s %10s %16s %8s\n' "" "iotrust" "openssl pkeyutl" "ratio"
printf '  %-8s %10s %16s %7sx\n' sign "$sign_rate" "$os" "$(awk -v a="$sign_rate" -v b="$os" 'BEGIN { printf "%.0f", a / b }')"
printf '  %-8s %10s %16s %7sx\n' verify "$verify_rate" "$ov" "$(awk -v a="$verify_rate" -v b="$ov" 'BEGIN { printf "%.0f", a / b }')"

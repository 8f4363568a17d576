#!/usr/bin/env bash
# ELF hardening checks of iotrust against Debian's checksec 2.6.0 on the same files, in
# one run: the ELF files of the D-Link DNS-320 netboot ramdisk (238: 88 programs and
# libraries, 150 kernel modules), extracted by iotrust.
#   - checksec --dir=<the extracted ramdisk> (once: it takes minutes);
#   - iotrust scan of a tar holding exactly those ELF files, --format json: unpack, every
#     inspector (not only ELF) and the report, so an upper bound for the ELF checks;
#   - iotrust scan --list of the same tar (unpack alone), to show what the inspectors add;
#   - the whole netboot.img scan (xz kernel, ramdisk, all inspectors) for scale.
# Prints median wall times of RUNS runs (process start included), per-file times and
# the ratio against the issue's target (>= 500x faster than checksec --dir, < 1 ms/file).
# Usage: bench/bench-elf.sh [path/to/iotrust]   (RUNS=5, CHECKSEC_RUNS=1)
set -euo pipefail
IOTRUST=$(realpath "${1:-build/iotrust}")
RUNS=${RUNS:-5}
CHECKSEC_RUNS=${CHECKSEC_RUNS:-1}
CACHE=${IOTRUST_CACHE:-$HOME/.cache/iotrust}
mkdir -p "$CACHE/debs"
TMP=$(mktemp -d /tmp/iotrust-bench-elf-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
for t in checksec /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: $t is missing (scripts/deps.sh check bench)"; exit 1; }
done

# measure NAME CMD...: median seconds over N runs (N = $MRUNS or RUNS); sets T
measure() {
	local name=$1; shift
	local times=() n=${MRUNS:-$RUNS}
	for _ in $(seq "$n"); do
		local t0 t1
		t0=$(date +%s%N)
		bash -c "$*" >/dev/null 2>&1 || { echo "bench: '$name' failed: $*"; exit 1; }
		t1=$(date +%s%N)
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", (b - a) / 1e9}')")
	done
	T=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '  %-52s %9.4f s  (%s run%s)\n' "$name" "$T" "$n" "$([ "$n" -gt 1 ] && echo s)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a <= 0) a = 0.0001; printf "%.0f", b / a }'; }
per_file() { awk -v t="$1" -v n="$2" -v u="$3" 'BEGIN { printf "%.3f %s", t / n * (u == "ms" ? 1000 : 1), u }'; }

# --- input: the DNS-320 netboot.img (as bench-unpack.sh and tests/e2e/t_netboot.sh)
deb=$(ls "$CACHE"/debs/debian-installer-12-netboot-armel_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	(cd "$CACHE/debs" && apt-get download debian-installer-12-netboot-armel >/dev/null 2>&1)
	deb=$(ls "$CACHE"/debs/debian-installer-12-netboot-armel_*.deb | head -1)
fi
dnsrel=./usr/lib/debian-installer/images/12/armel/kirkwood/network-console/d-link/dns-320/netboot.img
[ -f "$CACHE/netboot/$dnsrel" ] || { mkdir -p "$CACHE/netboot"; dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$CACHE/netboot" "$dnsrel"; }
cp "$CACHE/netboot/$dnsrel" "$TMP/netboot.img"

"$IOTRUST" scan "$TMP/netboot.img" --list -o /dev/null --extract "$TMP/x" -q
rd="$TMP/x/netboot.img@0x28890f:uimage:gzip:cpio"
[ -d "$rd" ] || { echo "bench: ramdisk not extracted"; exit 1; }
(cd "$rd" && find . -type f -print0 | while IFS= read -r -d '' f; do
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && printf '%s\n' "${f#./}"
done) | LC_ALL=C sort >"$TMP/elf.list"
n=$(wc -l <"$TMP/elf.list")
(cd "$rd" && tar -cf "$TMP/elf.tar" -T "$TMP/elf.list")
echo "input: DNS-320 netboot.img ramdisk: $(find "$rd" -type f | wc -l) files, $n ELF ($(grep -c '\.ko$' "$TMP/elf.list") kernel modules); elf.tar $(stat -c %s "$TMP/elf.tar") bytes"
echo "machine: $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg); iotrust $("$IOTRUST" --version); $(checksec --version | head -1)"
echo

echo "ELF hardening checks on the same $n files"
MRUNS=$CHECKSEC_RUNS measure "checksec --dir=<extracted ramdisk> --output=json" \
	"checksec --dir='$rd' --output=json"; cs=$T
measure "iotrust scan elf.tar --format json (all checks)" \
	"'$IOTRUST' scan '$TMP/elf.tar' --format json -o '$TMP/r.json' -q"; it=$T
measure "iotrust scan elf.tar --list (unpack only)" "'$IOTRUST' scan '$TMP/elf.tar' --list -o /dev/null"; ls=$T
measure "iotrust scan netboot.img --format json (whole image)" \
	"'$IOTRUST' scan '$TMP/netboot.img' --format json -o '$TMP/n.json' -q"; whole=$T
read -r elf_files < <("$IOTRUST" scan "$TMP/elf.tar" --format json -q | sed -n 's/.*"elf_files": *\([0-9]*\).*/\1/p' | head -1)
echo "  iotrust counted ${elf_files:-?} ELF files"
insp=$(awk -v a="$it" -v b="$ls" 'BEGIN { d = a - b; if (d < 0) d = 0; printf "%.4f", d }')
echo "  => per file: checksec $(per_file "$cs" "$n" s), iotrust whole scan of elf.tar $(per_file "$it" "$n" ms) (target < 1 ms)"
echo "  => inspectors alone (scan - list): $insp s, $(per_file "$insp" "$n" ms) per file"
echo "  => checksec / iotrust scan of elf.tar: $(ratio "$it" "$cs")x (target >= 500x; an upper bound for iotrust)"
echo "  => checksec / iotrust whole netboot.img scan: $(ratio "$whole" "$cs")x (includes the 8 MB xz kernel)"

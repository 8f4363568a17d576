#!/usr/bin/env bash
# Unpacking speed of iotrust against its peers on the same inputs, in one run:
#   - Debian's D-Link DNS-320 netboot.img: `iotrust scan --list` vs `binwalk -Me`
#     and the `tail | zcat | cpio -t` floor for its ramdisk;
#   - an xz squashfs root of about 64 MiB: `iotrust scan --list` vs `unsquashfs -l`,
#     and `iotrust scan --extract` vs `unsquashfs -d`, with peak RSS.
# Prints the median wall time of RUNS runs (including process start and a
# bash -c wrapper, the same for every tool), the peak RSS, and the ratios.
# Usage: bench/bench-unpack.sh [path/to/iotrust]   (make bench)
set -euo pipefail
IOTRUST=$(realpath "${1:-build/iotrust}")
RUNS=${RUNS:-5}
CACHE=${IOTRUST_CACHE:-$HOME/.cache/iotrust}
BENCH=$CACHE/bench
mkdir -p "$BENCH" "$CACHE/debs"
TMP=$(mktemp -d /tmp/iotrust-bench-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
for t in binwalk unsquashfs mksquashfs cpio /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: $t is missing (make bench installs it)"; exit 1; }
done

# measure NAME CMD...: median seconds and max peak RSS (MiB) over RUNS runs; sets T and M
measure() {
	local name=$1; shift
	local times=() rss=0
	for _ in $(seq "$RUNS"); do
		rm -rf "$TMP/out"
		local t0 t1
		t0=$(date +%s%N)
		/usr/bin/time -f '%M' -o "$TMP/time" bash -c "$*" >/dev/null 2>&1 \
			|| { echo "bench: '$name' failed: $*"; exit 1; }
		t1=$(date +%s%N)
		read -r m <"$TMP/time"
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", (b - a) / 1e9}')")
		[ "$m" -gt "$rss" ] && rss=$m
	done
	T=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	M=$(awk -v k="$rss" 'BEGIN {printf "%.1f", k/1024}')
	printf '  %-44s %8.4f s  %8s MiB\n' "$name" "$T" "$M"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a <= 0) a = 0.001; printf "%.1f", b / a }'; }

# --- inputs
deb=$(ls "$CACHE"/debs/debian-installer-12-netboot-armel_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	(cd "$CACHE/debs" && apt-get download debian-installer-12-netboot-armel >/dev/null 2>&1)
	deb=$(ls "$CACHE"/debs/debian-installer-12-netboot-armel_*.deb | head -1)
fi
dnsrel=./usr/lib/debian-installer/images/12/armel/kirkwood/network-console/d-link/dns-320/netboot.img
[ -f "$CACHE/netboot/$dnsrel" ] || { mkdir -p "$CACHE/netboot"; dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$CACHE/netboot" "$dnsrel"; }
dns="$CACHE/netboot/$dnsrel"
cp "$dns" "$TMP/netboot.img"

sq="$BENCH/root64.sqfs"
if [ ! -f "$sq" ]; then
	echo "building a ~64 MiB xz squashfs from /usr/share (once, cached in $BENCH)"
	mksquashfs /usr/share/locale /usr/share/perl5 /usr/share/i18n /usr/share/zoneinfo "$sq" -comp xz -noappend \
		-quiet -no-progress -processors 2 >/dev/null 2>&1
fi
echo "inputs: netboot.img $(stat -c %s "$dns") bytes; root64.sqfs $(stat -c %s "$sq") bytes, $(unsquashfs -l "$sq" | wc -l) entries"
echo "machine: $(nproc) cores, $(uname -m); iotrust $("$IOTRUST" --version); runs: median of $RUNS"
echo

echo "DNS-320 netboot.img (uImage kernel + uImage gzip cpio ramdisk)"
measure "iotrust scan --list" "'$IOTRUST' scan '$TMP/netboot.img' --list"; it_list=$T
runas=""; [ "$(id -u)" -eq 0 ] && runas=--run-as=root   # binwalk 2.3 refuses to extract as root without it
measure "binwalk -Me" "cd '$TMP' && mkdir -p out && binwalk -Me -q $runas -C '$TMP/out' '$TMP/netboot.img'"; bw=$T
measure "tail | zcat | cpio -t (ramdisk only, floor)" \
	"tail -c +\$((0x28890f + 64 + 1)) '$TMP/netboot.img' | zcat | cpio -t --quiet"; floor=$T
measure "iotrust scan --extract" "'$IOTRUST' scan '$TMP/netboot.img' --quiet --extract '$TMP/out'"
echo "  => binwalk -Me / iotrust --list: $(ratio "$it_list" "$bw")x (target >= 20x)"
echo "  => iotrust --list / cpio floor:  $(ratio "$floor" "$it_list")x (target <= 2x)"
echo

echo "xz squashfs root ($(($(stat -c %s "$sq") / 1048576)) MiB)"
measure "iotrust scan --list --no-nested" "'$IOTRUST' scan '$sq' --list --no-nested"; it_nn=$T
measure "iotrust scan --list" "'$IOTRUST' scan '$sq' --list"; it_sq=$T; it_rss=$M
measure "unsquashfs -l" "unsquashfs -l '$sq'"; us_l=$T
measure "iotrust scan --extract" "'$IOTRUST' scan '$sq' --quiet --extract '$TMP/out'"; it_x=$T
measure "unsquashfs -d (extract)" "unsquashfs -q -n -d '$TMP/out' '$sq'"; us_x=$T
echo "  => iotrust --list --no-nested / unsquashfs -l: $(ratio "$us_l" "$it_nn")x (target <= 1.2x)"
echo "  => iotrust --list (nested) / unsquashfs -l:    $(ratio "$us_l" "$it_sq")x"
echo "  => iotrust --extract / unsquashfs -d:          $(ratio "$us_x" "$it_x")x"
echo "  => iotrust --list peak RSS: $it_rss MiB (target < 64 MiB)"

#!/usr/bin/env bash
# The demo firmware (tests/fixtures/build-demo-firmware.sh): vendor header +
# uImage(gzip kernel) + xz squashfs root. The squashfs listing must equal
# `unsquashfs -lln` of the same bytes, every planted weakness's file must be
# listed, and --extract must reproduce unsquashfs's tree.
. "$(dirname "$0")/lib.sh"

demo_firmware
fw="$WORK/demo/demo-firmware.bin"

# the vendor header (tests/fixtures/README.md): squashfs offset and length, big-endian at 48 and 52
be32() { od -An -tu1 -j "$2" -N4 "$1" | awk '{print $1*16777216 + $2*65536 + $3*256 + $4}'; }
sq_off=$(be32 "$fw" 48)
sq_len=$(be32 "$fw" 52)
chain=$(printf 'demo-firmware.bin@0x%x:squashfs' "$sq_off")

expect_exit 0 "$IOTRUST" scan "$fw" --list -o "$WORK/list" || true
grep -q '^data .* demo-firmware.bin@0x40:uimage:gzip$' "$WORK/list" \
	&& pass "kernel: uImage at 0x40 -> gzip payload" || fail "kernel payload not found"
grep -q "$chain!/bin/busybox\$" "$WORK/list" && pass "rootfs chain $chain" || fail "no $chain!/bin/busybox"

dd if="$fw" of="$WORK/root.sqfs" bs=65536 skip=$((sq_off / 65536)) count=$(((sq_len + 65535) / 65536)) status=none
unsquashfs -lln "$WORK/root.sqfs" | norm_unsquashfs >"$WORK/ref"
norm_iotrust "$chain" "$WORK/list" >"$WORK/ours"
same_lists "demo squashfs" "$WORK/ours" "$WORK/ref"

# every planted weakness names a file that the scan must see
tail -n +2 "$SRCDIR/tests/fixtures/demo-weaknesses.tsv" | while IFS=$'\t' read -r id path _; do
	grep -q " $chain!$path\$" "$WORK/list" && echo "ok: $id: $path listed" || { echo "FAIL: $id: $path not listed"; echo x >>"$WORK/missing"; }
done
[ -e "$WORK/missing" ] && fail "planted weakness files missing from the listing" || pass "all planted weakness files listed"
grep -Eq "^dir  0777 .* $chain!/www/upload\$" "$WORK/list" && pass "world-writable dir keeps mode 0777" || fail "mode of /www/upload"
grep -Eq "^file 4755 .* $chain!/usr/bin/diag\$" "$WORK/list" && pass "setuid mode 4755 listed" || fail "mode of /usr/bin/diag"

# extraction equals unsquashfs's, without setuid bits
expect_exit 0 "$IOTRUST" scan "$fw" --quiet --extract "$WORK/x" || true
unsquashfs -q -n -d "$WORK/ref-tree" "$WORK/root.sqfs" >/dev/null 2>&1 || true
# device nodes, fifos and sockets are listed but never created by the extractor
find "$WORK/ref-tree" \( -type c -o -type b -o -type p -o -type s \) -delete
if diff -r --no-dereference "$WORK/ref-tree" "$WORK/x/$chain" >"$WORK/xdiff" 2>&1; then
	pass "extracted tree equals unsquashfs -d"
else
	fail "extracted tree differs:"; head -20 "$WORK/xdiff" >&2
fi
[ -u "$WORK/x/$chain/usr/bin/diag" ] && fail "setuid bit written to the host" || pass "no setuid bit on the host"
finish

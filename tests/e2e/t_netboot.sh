#!/usr/bin/env bash
# Real vendor images: Debian's own netboot images for ARM NAS devices (package
# debian-installer-12-netboot-armel, fetched with apt-get download and cached).
# The D-Link DNS-320 netboot.img is vendor header -> uImage(zImage kernel, xz
# inside, DTB appended) + uImage(gzip -> cpio ramdisk); the SheevaPlug uInitrd
# is uImage -> gzip -> cpio. iotrust's file lists must equal `cpio -tv`'s for the
# same bytes.
. "$(dirname "$0")/lib.sh"

img=$NETBOOT dns=$DNS320 sheeva=$KIRKWOOD/marvell/sheevaplug/uInitrd
netboot_files "$dns" "$sheeva"

# --- DNS-320 netboot.img
expect_exit 0 "$IOTRUST" scan "$img/$dns" --list -o "$WORK/dns.list" || true
ramdisk=$(grep -o 'netboot.img@0x[0-9a-f]*:uimage:gzip:cpio' "$WORK/dns.list" | head -1 || true)
[ "$ramdisk" = "netboot.img@0x28890f:uimage:gzip:cpio" ] && pass "ramdisk chain $ramdisk" \
	|| fail "ramdisk chain not found (got '$ramdisk')"
grep -q 'netboot.img@0x80:uimage' "$WORK/dns.list" && pass "kernel uImage at 0x80 found" \
	|| fail "kernel uImage at 0x80 not found"
grep -Eq '^data .*netboot.img@0x80:uimage@0x[0-9a-f]+:xz$' "$WORK/dns.list" \
	&& pass "xz-compressed kernel inside the zImage carved" || fail "no xz kernel payload in the zImage"
grep -q ' netboot.img@0x28890f:uimage:gzip:cpio!/bin/busybox$' "$WORK/dns.list" \
	&& pass "busybox found in the ramdisk" || fail "no /bin/busybox in the ramdisk"
# reference: the ramdisk's gzip data starts after the 64-byte uImage header
dd if="$img/$dns" bs=1 skip=$((0x28890f + 64)) status=none 2>/dev/null | zcat | cpio -tv --quiet 2>/dev/null \
	| norm_cpio_tv >"$WORK/dns.ref"
norm_iotrust "netboot.img@0x28890f:uimage:gzip:cpio" "$WORK/dns.list" >"$WORK/dns.ours"
same_lists "dns-320 ramdisk" "$WORK/dns.ours" "$WORK/dns.ref"

# --- SheevaPlug uInitrd
expect_exit 0 "$IOTRUST" scan "$img/$sheeva" --list -o "$WORK/sheeva.list" || true
tail -c +65 "$img/$sheeva" | zcat | cpio -tv --quiet 2>/dev/null | norm_cpio_tv >"$WORK/sheeva.ref"
norm_iotrust "uInitrd:uimage:gzip:cpio" "$WORK/sheeva.list" >"$WORK/sheeva.ours"
same_lists "sheevaplug uInitrd" "$WORK/sheeva.ours" "$WORK/sheeva.ref"

# --- extraction of the ramdisk equals cpio's own extraction
expect_exit 0 "$IOTRUST" scan "$img/$sheeva" --quiet --extract "$WORK/x" || true
mkdir -p "$WORK/ref" && (cd "$WORK/ref" && tail -c +65 "$img/$sheeva" | zcat | cpio -id --quiet 2>/dev/null)
find "$WORK/ref" \( -type c -o -type b -o -type p -o -type s \) -delete
if diff -r --no-dereference "$WORK/ref" "$WORK/x/uInitrd:uimage:gzip:cpio" >"$WORK/xdiff" 2>&1; then
	pass "extracted tree equals cpio -id (contents and symlinks)"
else
	fail "extracted tree differs from cpio -id:"; head -20 "$WORK/xdiff" >&2
fi
finish

#!/usr/bin/env bash
# Hostile inputs through the CLI: path traversal in tar and cpio, a symlink
# escape during extraction, decompression bombs, deep nesting, and truncated
# images. Each must end with exit 3, a message naming the problem, and nothing
# written outside the extraction directory.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/src/sub" "$WORK/x"
echo "outside" >"$WORK/src/outside.txt"
echo "inside" >"$WORK/src/sub/inside.txt"
marker="iotrust-escape-$$"

# tar and cpio with "../" names (GNU tar keeps them with -P)
(cd "$WORK/src/sub" && tar -P -cf "$WORK/evil.tar" inside.txt ../outside.txt)
(cd "$WORK/src/sub" && printf 'inside.txt\n../outside.txt\n' | cpio -o -H newc --quiet >"$WORK/evil.cpio")
for f in evil.tar evil.cpio; do
	rm -rf "$WORK/x"
	expect_exit 3 "$IOTRUST" scan "$WORK/$f" --extract "$WORK/x/out" \
		&& grep -q "refused entry '../outside.txt': '..' in path" "$WORK/err" \
		&& pass "$f: traversal refused with exit 3" || fail "$f: traversal not refused"
	[ -e "$WORK/x/outside.txt" ] && fail "$f: wrote outside the extraction dir" || pass "$f: nothing outside"
	find "$WORK/x/out" -name inside.txt | grep -q . && pass "$f: the safe entry was still extracted" \
		|| fail "$f: safe entry missing"
done

# symlink escape: "link -> $WORK/esc" then "link/$marker"
mkdir -p "$WORK/esc" "$WORK/s"
ln -s "$WORK/esc" "$WORK/s/link"
echo pwned >"$WORK/s/payload"
(cd "$WORK/s" && tar -cf "$WORK/escape.tar" link && tar -rf "$WORK/escape.tar" --transform "s,^payload,link/$marker," payload)
rm -rf "$WORK/x"
expect_exit 3 "$IOTRUST" scan "$WORK/escape.tar" --extract "$WORK/x" \
	&& grep -q "symlink" "$WORK/err" && pass "symlink escape refused with exit 3" || fail "symlink escape not refused"
[ -e "$WORK/esc/$marker" ] && fail "symlink escape wrote through the link" || pass "nothing written through the symlink"
[ "$(readlink "$WORK/x/escape.tar:tar/link")" = "$WORK/esc" ] && pass "symlink kept with its target unchanged" \
	|| fail "symlink not kept as stored"

# decompression bombs: 256 MiB of zeros (ratio ~1000:1 gzip, ~7000:1 xz)
head -c 256M /dev/zero | xz -1 -T1 >"$WORK/bomb.xz"
expect_exit 3 "$IOTRUST" scan "$WORK/bomb.xz" && grep -q "compression ratio above 1000:1" "$WORK/err" \
	&& pass "xz bomb stopped by the ratio limit" || fail "xz bomb not stopped"
head -c 64M /dev/zero | gzip -9n >"$WORK/bomb.gz"
expect_exit 3 "$IOTRUST" scan "$WORK/bomb.gz" --max-ratio 500 && grep -q -- "--max-ratio" "$WORK/err" \
	&& pass "gzip bomb stopped by --max-ratio 500" || fail "gzip bomb not stopped"
expect_exit 3 "$IOTRUST" scan "$WORK/bomb.gz" --max-ratio 100000 --max-file 16M && grep -q -- "--max-file" "$WORK/err" \
	&& pass "gzip bomb stopped by --max-file" || fail "--max-file not enforced"

# 64-deep nesting
printf 'deep' >"$WORK/deep"
for i in $(seq 64); do gzip -n <"$WORK/deep" >"$WORK/deep.gz" && mv "$WORK/deep.gz" "$WORK/deep"; done
expect_exit 3 "$IOTRUST" scan "$WORK/deep" && grep -q "nested more than 16 deep" "$WORK/err" \
	&& pass "64-deep nesting stopped at depth 16" || fail "deep nesting not stopped"

# truncated images: a squashfs cut in half, a cpio.gz cut short
head -c 300000 /dev/urandom >"$WORK/src/random.bin"   # incompressible: the image is big enough to cut
mksquashfs "$WORK/src" "$WORK/fs.sqfs" -comp xz -noappend -quiet >/dev/null
head -c $(( $(stat -c %s "$WORK/fs.sqfs") / 2 )) "$WORK/fs.sqfs" >"$WORK/half.sqfs"
expect_exit 3 "$IOTRUST" scan "$WORK/half.sqfs" --list && grep -q "half.sqfs:squashfs" "$WORK/err" \
	&& pass "truncated squashfs: exit 3 naming the container" || fail "truncated squashfs not reported"
(cd "$WORK/src" && find . | cpio -o -H newc --quiet | gzip -n >"$WORK/r.cpio.gz")
head -c 100 "$WORK/r.cpio.gz" >"$WORK/short.cpio.gz"
expect_exit 3 "$IOTRUST" scan "$WORK/short.cpio.gz" --list && grep -q "short.cpio.gz:gzip: offset" "$WORK/err" \
	&& pass "truncated gzip: exit 3 with an offset" || fail "truncated gzip not reported"
finish

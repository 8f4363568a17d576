#!/usr/bin/env bash
# ELF hardening checks against Debian's checksec 2.6.0, file by file and property by
# property, on every ELF of the D-Link DNS-320 netboot ramdisk (Debian's
# debian-installer-12-netboot-armel). checksec 2.6.0 judges FORTIFY against the host's
# libc (its --libcfile option came in 2.7), so a copy of it is pointed at the ramdisk's
# own libc.so.6 by one sed line. Dangerous imports, which checksec does not look at, are
# compared with the undefined symbols `readelf --dyn-syms` lists. The only allowed
# difference is the documented one (docs/checks.md): relocatable objects (ET_REL, the
# kernel modules) are read but not judged, where checksec reports them as "No RELRO,
# NX disabled, Symbols". JSON is read with jq.
. "$(dirname "$0")/lib.sh"

for t in checksec jq readelf; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is missing (scripts/deps.sh check)"; exit $SKIP; }
done
netboot_files "$DNS320"
img=$NETBOOT dns=$DNS320

# --- the ramdisk's ELF files, as iotrust extracts them
expect_exit 0 "$IOTRUST" scan "$img/$dns" --list -o "$WORK/list" --extract "$WORK/x" -q || true
chain=$(grep -o 'netboot.img@0x[0-9a-f]*:uimage:gzip:cpio' "$WORK/list" | head -1 || true)
rd="$WORK/x/$chain"
[ -d "$rd" ] || { fail "ramdisk $chain not extracted"; finish; }
mkdir -p "$WORK/elf"
(cd "$rd" && find . -type f -print0 | while IFS= read -r -d '' f; do
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && printf '%s\n' "${f#./}"
done) | LC_ALL=C sort >"$WORK/elf.list"
(cd "$rd" && tar -cf - -T "$WORK/elf.list") | tar -xf - -C "$WORK/elf"
n_elf=$(wc -l <"$WORK/elf.list")
libc=$(grep -m1 '/libc\.so\.6$' "$WORK/elf.list" || true)
[ -n "$libc" ] || { fail "no libc.so.6 in the ramdisk"; finish; }
pass "$n_elf ELF files in the ramdisk, C library $libc"

# --- checksec 2.6.0, its libc probe pointed at the ramdisk's libc
sed "s|^\(\s*\)FS_filechk_func_libc=|\1FS_libc='$WORK/elf/$libc'; FS_filechk_func_libc=|" \
	"$(command -v checksec)" >"$WORK/checksec"
chmod +x "$WORK/checksec" # it re-executes itself with a clean environment
[ "$(grep -c "FS_libc='$WORK/elf/$libc'" "$WORK/checksec")" -eq 1 ] \
	|| { fail "could not point checksec at the ramdisk's libc (not checksec 2.6.0?)"; finish; }
# checksec takes seconds per file: its verdicts are cached per image digest
# (the release and the sanitizer runs of the suite judge the same bytes)
key=$(sha256sum "$img/$dns" | cut -c1-16)
csv=$(dpkg-query -W -f='${Version}' checksec 2>/dev/null || echo unknown)
cached="$CACHE/checksec/$key-$csv.json"
if [ -s "$cached" ]; then
	cp "$cached" "$WORK/checksec.json"
	echo "checksec verdicts from the cache ($cached)"
else
	echo "running checksec --file on $n_elf files, $(nproc) at a time (a few minutes)"
	mkdir -p "$WORK/cs"
	(cd "$WORK/elf" && tr '\n' '\0' <"$WORK/elf.list" | xargs -0 -n 1 -P "$(nproc)" sh -c \
		'"$0" --file="$2" --output=json >"$1/$(printf %s "$2" | tr / _).json" 2>/dev/null || true' \
		"$WORK/checksec" "$WORK/cs" 2>/dev/null) || true
	# one object keyed by path; a file checksec could not judge is simply missing
	for f in "$WORK"/cs/*.json; do jq -c . "$f" 2>/dev/null || echo "checksec: bad JSON in $f" >&2; done \
		| jq -s 'add // {}' >"$WORK/checksec.json"
	if [ "$(jq 'length' "$WORK/checksec.json")" -eq "$n_elf" ]; then
		mkdir -p "$CACHE/checksec" && cp "$WORK/checksec.json" "$cached.tmp" && mv "$cached.tmp" "$cached"
	fi
fi
# "path check" for every finding checksec implies; "path REL" for relocatable objects
jq -r '
	to_entries[] | .key as $p | .value
	| if .pie == "rel" then "\($p) REL" else
	  ( (if .nx == "no" then "elf.no-nx" else empty end),
	    (if .pie == "no" then "elf.no-pie" else empty end),
	    (if .relro == "no" then "elf.no-relro" elif .relro == "partial" then "elf.partial-relro"
	     else empty end),
	    (if .canary == "no" then "elf.no-canary" else empty end),
	    (if .fortify_source == "no" and (.["fortify-able"] | tonumber) > 0 then "elf.no-fortify"
	     else empty end),
	    (if .rpath == "yes" or .runpath == "yes" then "elf.rpath" else empty end),
	    (if .symbols == "yes" then "elf.not-stripped" else empty end)
	  ) | "\($p) \(.)" end' "$WORK/checksec.json" | LC_ALL=C sort >"$WORK/checksec.props"
[ "$(jq 'length' "$WORK/checksec.json")" -eq "$n_elf" ] \
	&& pass "checksec judged all $n_elf files" || fail "checksec did not judge every file"

# --- iotrust: the canonical JSON of the whole image
expect_exit 0 "$IOTRUST" scan "$img/$dns" --format json -o "$WORK/result.json" -q || finish
[ "$(jq .stats.elf_files "$WORK/result.json")" -eq "$n_elf" ] \
	&& pass "iotrust read $n_elf ELF files" \
	|| fail "iotrust read $(jq .stats.elf_files "$WORK/result.json") ELF files, not $n_elf"
jq -r --arg c "$chain" '.findings[] | select(.chain == $c and (.check | startswith("elf.")))
	| select(.check != "elf.dangerous-import") | "\(.path) \(.check)"' "$WORK/result.json" \
	| LC_ALL=C sort >"$WORK/iotrust.props"

# --- compare: relocatable objects are the documented exception
grep ' REL$' "$WORK/checksec.props" | cut -d' ' -f1 >"$WORK/rel.list" || true
n_rel=$(wc -l <"$WORK/rel.list")
if grep -Fxf "$WORK/rel.list" <(cut -d' ' -f1 "$WORK/iotrust.props") >"$WORK/rel.bad"; then
	fail "iotrust judged relocatable objects:"; head "$WORK/rel.bad" >&2
else
	pass "$n_rel relocatable objects (kernel modules): not judged, as documented"
fi
if grep -v '\.ko$' "$WORK/rel.list" | grep -q .; then
	fail "relocatable objects other than kernel modules:"; grep -v '\.ko$' "$WORK/rel.list" >&2
fi
grep -v ' REL$' "$WORK/checksec.props" >"$WORK/checksec.judged" || true
if diff -u "$WORK/checksec.judged" "$WORK/iotrust.props" >"$WORK/diff"; then
	pass "$(($n_elf - $n_rel)) programs and libraries: $(wc -l <"$WORK/iotrust.props") findings equal checksec's verdicts (NX, PIE, RELRO, canary, FORTIFY, RPATH/RUNPATH, symbols)"
else
	fail "iotrust differs from checksec (- checksec, + iotrust):"; head -40 "$WORK/diff" >&2
fi
for id in no-nx no-pie no-relro partial-relro no-canary no-fortify rpath not-stripped; do
	printf '  %-18s checksec %3d  iotrust %3d\n' "elf.$id" \
		"$(grep -c " elf.$id\$" "$WORK/checksec.judged" || true)" \
		"$(grep -c " elf.$id\$" "$WORK/iotrust.props" || true)"
done

# --- dangerous imports against readelf's undefined dynamic symbols
jq -r '.functions[].name' "$SRCDIR/data/elf-dangerous-imports.json" | LC_ALL=C sort >"$WORK/danger.names"
: >"$WORK/danger.ref"
while read -r p; do
	grep -qxF "$p" "$WORK/rel.list" && continue
	readelf --dyn-syms -W "$WORK/elf/$p" 2>/dev/null \
		| awk '$7 == "UND" && ($5 == "GLOBAL" || $5 == "WEAK") { sub(/@.*/, "", $8); print $8 }' \
		| LC_ALL=C sort -u | comm -12 - "$WORK/danger.names" | grep -q . \
		&& echo "$p elf.dangerous-import" >>"$WORK/danger.ref"
done <"$WORK/elf.list"
jq -r --arg c "$chain" '.findings[] | select(.chain == $c and .check == "elf.dangerous-import")
	| "\(.path) \(.check)"' "$WORK/result.json" | LC_ALL=C sort >"$WORK/danger.ours"
if diff -u "$WORK/danger.ref" "$WORK/danger.ours" >"$WORK/ddiff"; then
	pass "elf.dangerous-import on $(wc -l <"$WORK/danger.ours") files, as readelf --dyn-syms shows"
else
	fail "elf.dangerous-import differs from readelf (- readelf, + iotrust):"; head -20 "$WORK/ddiff" >&2
fi
finish

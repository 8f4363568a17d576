#!/usr/bin/env bash
# `iotrust db` end to end on the built-in snapshot (data/vulndb: real NVD records and
# the CISA KEV catalogue): import counts, idempotence, matching by CPE ranges with
# the records' own bounds, precision (wildcard or other vendors, platform-bound
# configurations), KEV flags, malformed input (exit 3, file and JSON path, the rest
# imported, nothing half-written), large pages read record by record, matching a
# CycloneDX SBOM, and a scan that reports known vulnerabilities.
. "$(dirname "$0")/lib.sh"

DB="$WORK/v.db"
SNAP="$SRCDIR/data/vulndb"
db() { "$IOTRUST" db --db "$DB" --quiet "$@"; }

# --- import and idempotence -------------------------------------------------------
expect_exit 0 db import "$SNAP/nvd-embedded.json.gz" "$SNAP/kev.json.gz" &&
	pass "snapshot imports"
first=$(cat "$WORK/out")
n_rec=$(sed -n 's/^2 files, \([0-9]*\) records.*/\1/p' <<<"$first")
n_skip=$(sed -n 's/.*; \([0-9]*\) without usable products.*/\1/p' <<<"$first")
[ "$((${n_rec:-0} + ${n_skip:-0}))" = 164 ] || fail "import counts (164 NVD records): $first"
grep -q '1404 KEV entries; 0 malformed' <<<"$first" || fail "KEV count: $first"
new=$(sed -n 's/.* \([0-9]*\) new,.*/\1/p' <<<"$first")
[ "${new:-0}" -gt 100 ] || fail "expected > 100 new records: $first"

expect_exit 0 db import "$SNAP/nvd-embedded.json.gz" && pass "re-import runs"
grep -q ' 0 new, 0 updated, [0-9]* unchanged' "$WORK/out" || fail "re-import not a no-op: $(cat "$WORK/out")"

expect_exit 0 db stats && pass "stats"
grep -q 'KEV: *1404' "$WORK/out" || fail "stats KEV: $(cat "$WORK/out")"

# --- matching ---------------------------------------------------------------------------
# OpenSSH 9.2p1: CVE-2023-38408 (< 9.3, and 9.3 / 9.3p1 exactly) and CVE-2023-51385 (< 9.6)
expect_exit 1 db match --cpe 'cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*' --version 9.2p1 --json
ids=$(jq -r '.[] | select(.status == "affected") | .id' "$WORK/out" | sort)
for want in CVE-2023-38408 CVE-2023-51385; do
	grep -qx "$want" <<<"$ids" || fail "openssh 9.2p1: $want missing (got: $(echo $ids))"
done
range=$(jq -r '.[] | select(.id == "CVE-2023-38408") | .matched.range' "$WORK/out")
[ "$range" = "< 9.3" ] || fail "CVE-2023-38408 range: '$range'"
pass "openssh 9.2p1 matches CVE-2023-38408 and CVE-2023-51385"

# 9.9p1 is past both fixes, but CVE-2025-26465 names 9.9p1 exactly (and 6.9 - 9.8).
expect_exit 1 db match --cpe 'cpe:2.3:a:openbsd:openssh:9.9:p1:*:*:*:*:*:*' --version 9.9p1 --json
jq -e '[.[].id] == ["CVE-2025-26465"] and .[0].matched.range == "= 9.9p1"' \
	"$WORK/out" >/dev/null && pass "openssh 9.9p1: only CVE-2025-26465, by its exact criteria" ||
	fail "openssh 9.9p1 matched: $(jq -c '[.[] | [.id, .matched.range]]' "$WORK/out")"

# The exact 9.3p1 criteria is one version: 9.3p1 matches, 9.3p2 does not.
expect_exit 1 db match --cpe 'cpe:2.3:a:openbsd:openssh:9.3:p1:*:*:*:*:*:*' --version 9.3p1 --json
jq -e 'map(select(.id == "CVE-2023-38408")) | length == 1' "$WORK/out" >/dev/null ||
	fail "openssh 9.3p1 misses CVE-2023-38408"
expect_exit 1 db match --cpe 'cpe:2.3:a:openbsd:openssh:9.3:p2:*:*:*:*:*:*' --version 9.3p2 --json
jq -e 'map(select(.id == "CVE-2023-38408")) | length == 0' "$WORK/out" >/dev/null &&
	pass "exact-version criteria: 9.3p1 yes, 9.3p2 no" || fail "openssh 9.3p2 matched CVE-2023-38408"

# BusyBox 1.35.0: CVE-2022-30065 (exactly 1.35.0), CVE-2022-28391 (<= 1.35.0),
# CVE-2022-48174 (<= 1.36.1); 1.36.1 keeps only CVE-2022-48174 of those.
expect_exit 1 db match --cpe 'cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*' --json
for want in CVE-2022-30065 CVE-2022-28391 CVE-2022-48174; do
	jq -e --arg id "$want" 'map(select(.id == $id and .status == "affected")) | length == 1' \
		"$WORK/out" >/dev/null || fail "busybox 1.35.0: $want missing"
done
expect_exit 1 db match --cpe 'cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*' --json
jq -e '(map(select(.id == "CVE-2022-48174")) | length == 1) and
       (map(select(.id == "CVE-2022-30065" or .id == "CVE-2022-28391")) | length == 0)' \
	"$WORK/out" >/dev/null && pass "busybox ranges and exact versions" ||
	fail "busybox 1.36.1: $(jq -c '[.[].id]' "$WORK/out")"

# The Linux kernel: CVE-2022-0185 (5.5 <= v < 5.10.93) is known exploited (KEV).
expect_exit 1 db match --cpe 'cpe:2.3:o:linux:linux_kernel:5.10.50:*:*:*:*:*:*:*' --json
jq -e 'map(select(.id == "CVE-2022-0185" and .kev.date_added != null)) | length == 1' \
	"$WORK/out" >/dev/null && pass "kernel 5.10.50: CVE-2022-0185 with its KEV entry" ||
	fail "kernel 5.10.50: $(jq -c 'map(select(.id == "CVE-2022-0185"))' "$WORK/out")"
# 5.10.176 (the demo's kernel) is past that fix but inside CVE-2024-1086's
# ">= 3.15, < 5.15.149", also known exploited.
expect_exit 1 db match --cpe 'cpe:2.3:o:linux:linux_kernel:5.10.176:*:*:*:*:*:*:*' --json
jq -e '(map(select(.id == "CVE-2022-0185")) | length == 0) and
       (map(select(.id == "CVE-2024-1086" and .kev != null and
                   .matched.range == ">= 3.15, < 5.15.149")) | length == 1)' \
	"$WORK/out" >/dev/null && pass "kernel 5.10.176: CVE-2024-1086 (KEV), not CVE-2022-0185" ||
	fail "kernel 5.10.176: $(jq -c '[.[] | [.id, .matched.range]]' "$WORK/out")"

# --- precision: no silent matches ---------------------------------------------------
expect_exit 0 db match --cpe 'cpe:2.3:a:*:openssh:9.2:p1:*:*:*:*:*:*' --version 9.2p1 --json
[ "$(jq length "$WORK/out")" = 0 ] && pass "a wildcard vendor matches nothing" ||
	fail "wildcard vendor matched $(jq -c '[.[].id]' "$WORK/out")"
expect_exit 0 db match --cpe 'cpe:2.3:a:example_vendor:openssh:9.2:p1:*:*:*:*:*:*' --json
[ "$(jq length "$WORK/out")" = 0 ] && pass "another vendor's openssh matches nothing" ||
	fail "vendor collision matched $(jq -c '[.[].id]' "$WORK/out")"
# Realtek eCos firmware 1.5.7p1: CVE-2022-27255 needs the ecos_rsdk hardware too.
expect_exit 0 db match --cpe 'cpe:2.3:o:realtek:ecos_rsdk_firmware:1.5.7p1:*:*:*:*:*:*:*' --json
jq -e 'map(select(.id == "CVE-2022-27255")) | .[0].status == "needs_platform"' \
	"$WORK/out" >/dev/null && pass "a firmware+hardware configuration says needs_platform" ||
	fail "CVE-2022-27255: $(cat "$WORK/out")"

expect_exit 0 db show CVE-2022-0185 && pass "show"
jq -e '.id == "CVE-2022-0185" and .source == "nvd" and .kev != null' "$WORK/out" >/dev/null ||
	fail "show CVE-2022-0185: $(head -c 300 "$WORK/out")"
expect_exit 1 db show CVE-1999-0000 && pass "show of an unknown id exits 1"

# --- OSV records: a directory, and the same records as OSV distributes them (a zip) ----
if command -v zip >/dev/null; then
	mkdir -p "$WORK/osv"
	for f in DSA-3029-1 OSV-2021-1756 OSV-2022-572 USN-6332-1 UBUNTU-CVE-2025-38094; do
		cp "$SRCDIR/tests/data/vulndb/osv/$f.json" "$WORK/osv/"
	done
	(cd "$WORK/osv" && zip -q ../all.zip ./*.json)
	expect_exit 0 "$IOTRUST" db --db "$WORK/dir.db" -q import "$WORK/osv"
	from_dir=$(cat "$WORK/out")
	expect_exit 0 "$IOTRUST" db --db "$WORK/zip.db" -q import "$WORK/all.zip"
	from_zip=$(sed 's/^1 files/5 files/' "$WORK/out")
	[ "$from_dir" = "$from_zip" ] && grep -q '^5 files, 4 records: 4 new.* 1 without usable products' <<<"$from_dir" &&
		pass "OSV: a directory and an all.zip import the same records (4, and 1 with no usable product)" ||
		fail "OSV dir vs zip: '$from_dir' / '$from_zip'"
	# Debian's own record decides for Debian 7's nginx (DSA-3029-1: fixed in 1.2.1-2.2+wheezy3)
	expect_exit 1 "$IOTRUST" db --db "$WORK/zip.db" match --json \
		--purl 'pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy2?distro=debian-7'
	jq -e '.[0].id == "CVE-2014-3616" and .[0].decided_by == "DSA-3029-1" and
	       .[0].matched.by == "package"' "$WORK/out" >/dev/null &&
		pass "a Debian package version before Debian's fix is affected, decided by the DSA" ||
		fail "nginx wheezy2: $(cat "$WORK/out")"
	expect_exit 0 "$IOTRUST" db --db "$WORK/zip.db" match --json \
		--purl 'pkg:deb/debian/nginx@1.2.1-2.2%2Bwheezy3?distro=debian-7'
	[ "$(jq length "$WORK/out")" = 0 ] && pass "Debian's fixed version is not reported" ||
		fail "nginx wheezy3: $(cat "$WORK/out")"
fi

# --- malformed input ------------------------------------------------------------------
good=$(gzip -dc "$SNAP/nvd-embedded.json.gz" | jq -c '.vulnerabilities[0]')
printf '{"resultsPerPage":2,"startIndex":0,"totalResults":2,"format":"NVD_CVE","version":"2.0","timestamp":"2026-01-01T00:00:00.000","vulnerabilities":[%s,{"cve":{"id":42}}]}' \
	"$good" >"$WORK/bad.json"
cp "$DB" "$WORK/before.db"
expect_exit 3 db import "$WORK/bad.json" && pass "a malformed record: exit 3"
grep -q 'bad.json: vulnerabilities\[1\]' "$WORK/err" ||
	fail "message lacks file and JSON path: $(cat "$WORK/err")"
grep -q '1 malformed' "$WORK/out" || fail "malformed not counted: $(cat "$WORK/out")"
printf '{"vulnerabilities": [' >"$WORK/trunc.json"
expect_exit 3 db import "$WORK/trunc.json" && pass "truncated JSON: exit 3"
grep -q 'trunc.json: line 1' "$WORK/err" || fail "no line in: $(cat "$WORK/err")"
expect_exit 0 db stats
grep -q '^records: ' "$WORK/out" || fail "the store is unreadable after bad imports"

# --- a large NVD page is read record by record ----------------------------------------
# 20 copies of the snapshot's records with distinct ids (> 256 KiB: streamed), then the
# same page cut in the middle: the complete records before the cut are imported, the cut
# is reported with its line and byte, exit 3.
gzip -dc "$SNAP/nvd-embedded.json.gz" | jq '.vulnerabilities as $v | .vulnerabilities =
	[range(0; 20) as $i | $v[] | .cve.id = (.cve.id + "\($i)")]' >"$WORK/big.json"
S="$WORK/s.db"
expect_exit 0 "$IOTRUST" db --db "$S" --quiet import "$WORK/big.json" &&
	grep -q '^1 files, [0-9]* records: [0-9]* new' "$WORK/out" && pass "a large page imports" ||
	fail "large page: $(cat "$WORK/out" "$WORK/err")"
big_new=$(sed -n 's/.* \([0-9]*\) new,.*/\1/p' "$WORK/out")
[ "$big_new" = "$((20 * ${n_rec:-0}))" ] || fail "large page: $big_new new, expected 20 x $n_rec"
head -c "$(($(stat -c %s "$WORK/big.json") / 2))" "$WORK/big.json" >"$WORK/cut.json"
expect_exit 3 "$IOTRUST" db --db "$WORK/c.db" --quiet import "$WORK/cut.json" &&
	grep -q 'cut.json: line [0-9]* column [0-9]* (byte [0-9]*)' "$WORK/err" &&
	pass "a page cut in the middle: exit 3 with line and byte" ||
	fail "cut page: $(cat "$WORK/err")"
cut_new=$(sed -n 's/.* \([0-9]*\) new,.*/\1/p' "$WORK/out")
[ "${cut_new:-0}" -gt 0 ] && [ "${cut_new:-0}" -lt "$big_new" ] &&
	pass "the $cut_new complete records before the cut are kept" ||
	fail "cut page kept ${cut_new:-none} records"

# --- an SBOM's components, all at once ---------------------------------------------------
cat >"$WORK/bom.json" <<'EOF'
{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
 "components": [
  {"type": "application", "bom-ref": "ssh", "name": "openssh", "version": "9.2p1",
   "cpe": "cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*"},
  {"type": "application", "bom-ref": "bb", "name": "busybox", "version": "1.35.0",
   "cpe": "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*",
   "components": [{"type": "library", "bom-ref": "z", "name": "zlib", "version": "1.3.1",
                   "cpe": "cpe:2.3:a:zlib:zlib:1.3.1:*:*:*:*:*:*:*"}]},
  {"type": "library", "bom-ref": "none", "name": "no-identifiers"}]}
EOF
expect_exit 1 db match --sbom "$WORK/bom.json" --json
jq -r '.[] | "\(."bom-ref") \(.vulnerabilities | length)"' "$WORK/out" >"$WORK/sbom.txt"
expect_exit 1 db match --cpe 'cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*' --json
n_ssh=$(jq length "$WORK/out")
expect_exit 1 db match --cpe 'cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*' --json
n_bb=$(jq length "$WORK/out")
if [ "$(cat "$WORK/sbom.txt")" = "$(printf 'ssh %s\nbb %s' "$n_ssh" "$n_bb")" ]; then
	pass "db match --sbom: each component as matched alone ($n_ssh, $n_bb; zlib 1.3.1 none)"
else
	fail "db match --sbom: $(tr '\n' ' ' <"$WORK/sbom.txt"), alone: ssh $n_ssh bb $n_bb"
fi
expect_exit 1 db match --sbom "$WORK/bom.json" --timing &&
	grep -q '^matched 4 components in [0-9.]* ms' "$WORK/err" && pass "--timing" ||
	fail "--timing: $(cat "$WORK/err")"
echo '{"bomFormat": "CycloneDX", "components": [{"name": "x"}, {"name": "y", "cpe": 5}]}' \
	>"$WORK/badbom.json"
expect_exit 3 db match --sbom "$WORK/badbom.json" &&
	grep -q 'badbom.json: CycloneDX SBOM: components\[1\] has a purl, cpe' "$WORK/err" &&
	pass "a malformed SBOM: exit 3 with the component's path" || fail "bad SBOM: $(cat "$WORK/err")"
echo '{"spdxVersion": "SPDX-2.3"}' >"$WORK/spdx.json"
expect_exit 3 db match --sbom "$WORK/spdx.json" && grep -q 'not a CycloneDX SBOM' "$WORK/err" &&
	pass "an SPDX file is refused by name" || fail "SPDX as SBOM: $(cat "$WORK/err")"
expect_exit 2 db match --sbom "$WORK/bom.json" --cpe 'cpe:2.3:a:x:y:1:*:*:*:*:*:*:*' &&
	pass "--sbom with --cpe is a usage error"

# --- db update over real HTTP on 127.0.0.1 ------------------------------------------------
if command -v python3 >/dev/null; then
	mkdir -p "$WORK/www"
	cp "$SNAP/nvd-embedded.json.gz" "$WORK/www/"
	python3 -m http.server 0 --bind 127.0.0.1 --directory "$WORK/www" >"$WORK/http.log" 2>&1 &
	http_pid=$!
	trap 'kill $http_pid 2>/dev/null || true; rm -rf "$WORK"' EXIT
	port=""
	for _ in $(seq 50); do
		port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$WORK/http.log" | head -1)
		[ -n "$port" ] && break
		sleep 0.1
	done
	url="http://127.0.0.1:$port/nvd-embedded.json.gz"
	U="$WORK/u.db"
	expect_exit 0 "$IOTRUST" db --db "$U" --quiet update --url "$url" &&
		pass "db update fetches and imports"
	grep -q "$url: [0-9]* bytes" "$WORK/out" || fail "update output: $(cat "$WORK/out")"
	grep -q ' 0 malformed' "$WORK/out" || fail "update import: $(cat "$WORK/out")"
	expect_exit 0 "$IOTRUST" db --db "$U" --quiet update --url "$url" &&
		grep -q "$url: not modified" "$WORK/out" && pass "a second update is a conditional GET (304)" ||
		fail "second update: $(cat "$WORK/out")"
	expect_exit 3 "$IOTRUST" db --db "$U" --quiet update --url "http://127.0.0.1:$port/missing.json" &&
		grep -q '404' "$WORK/err" && pass "a 404 names the status" || fail "404: $(cat "$WORK/err")"
	kill "$http_pid" 2>/dev/null || true
else
	echo "note: python3 missing, db update not tested"
fi

finish

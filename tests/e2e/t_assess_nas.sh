#!/usr/bin/env bash
# `iotrust assess` on a real vendor image with a profile written for it: the D-Link
# DNS-320 netboot.img of Debian's installer (debian-installer-12-netboot-armel) as a home
# NAS (data/profiles/home-nas.yaml and its declarations). The verdicts asserted here are
# explained in docs/assess.md ("A home NAS"); its HTML report stays under 1 MB.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit $SKIP; }

netboot_files "$DNS320"
img=$NETBOOT dns=$DNS320

P="$SRCDIR/data/profiles/home-nas.yaml"
D="$SRCDIR/data/profiles/home-nas-declarations.yaml"
expect_exit 0 "$IOTRUST" assess --image "$img/$dns" --quiet --profile "$P" --declarations "$D" \
	--format json -o "$WORK/a.json" && pass "assess the DNS-320 netboot image"
A="$WORK/a.json"
verdict() { jq -r --arg id "$1" '.provisions[] | select(.id == $id) | .verdict' "$A"; }
want() { # ID VERDICT WHY
	local got
	got=$(verdict "$1")
	[ "$got" = "$2" ] && pass "$1 $2: $3" || fail "$1 is $got, expected $2 ($3)"
}

tier=$(jq -r '"\(.tier.level) \(.tier.cra_class)"' "$A")
[ "$tier" = "substantial default" ] && pass "tier substantial (personal data), CRA default (a NAS is not in Annex III)" ||
	fail "tier: $tier"
want etsi-en-303-645:5.6-1 FAIL "shells without login on tty2/tty3 (svc.shell-without-login, high)"
want etsi-en-303-645:5.6-4 FAIL "the same consoles; the declared PASS is outranked"
jq -e '.provisions[] | select(.id == "etsi-en-303-645:5.6-4") | .reasons | map(test("outranks")) | any' \
	"$A" >/dev/null && pass "5.6-4 says the automated FAIL outranks the declaration" ||
	fail "5.6-4 reasons: $(jq -c '.provisions[] | select(.id == "etsi-en-303-645:5.6-4") | .reasons' "$A")"
want etsi-en-303-645:5.6-7 FAIL "sshd PermitRootLogin yes, setuid rdisc6"
want etsi-en-303-645:5.6-9 FAIL "ELF binaries without stack protector or PIE"
want etsi-en-303-645:5.1-1 PASS "no default or empty password; the installer asks for one"
want uk-psti:1 PASS "the same evidence, through ETSI 5.1-1/5.1-2"
want uk-psti:2 DECLARED "Debian's disclosure policy, through the answer for ETSI 5.2-1"
want uk-psti:3 DECLARED "the LTS end date, through the answer for ETSI 5.3-13"
want eu-cra:I.2.a FAIL "critical CVEs matched by NVD ranges (no Debian advisories in the built-in store)"
want eu-cra:II.1 PASS "the scan's SBOM (98 components)"
jq -e '[.standards[] | select(.id == "uk-psti")][0].met == true and
	[.standards[] | select(.id == "etsi-en-303-645")][0].met == false' "$A" >/dev/null &&
	pass "UK PSTI met, ETSI EN 303 645 not met" || fail "standards: $(jq -c '[.standards[] | {id, met}]' "$A")"
jq -e '.consistency == []' "$A" >/dev/null &&
	pass "profile and firmware agree (remote access declared: the network console)" ||
	fail "consistency: $(jq -c .consistency "$A")"
jq -e '.gaps[0].kind == "vulnerability" and .gaps[0].severity == "critical"' "$A" >/dev/null &&
	pass "first gap: a critical vulnerability" || fail "gaps[0]: $(jq -c '.gaps[0]' "$A")"

# the HTML report of the same image stays under 1 MB (issue 6's target)
expect_exit 0 "$IOTRUST" assess --image "$img/$dns" --quiet --profile "$P" --declarations "$D" \
	--format html -o "$WORK/a.html" && pass "assess --format html"
size=$(stat -c %s "$WORK/a.html")
[ "$size" -lt $((1024 * 1024)) ] && pass "HTML report: $size bytes (< 1 MB)" ||
	fail "HTML report: $size bytes"
finish

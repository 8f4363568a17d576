#!/usr/bin/env bash
# The checks and the inventory on the demo firmware: every weakness planted by
# tests/fixtures/build-demo-firmware.sh (tests/fixtures/demo-weaknesses.tsv) is
# found, and nothing else is reported but the findings that the real Debian
# binaries in it genuinely have (tests/fixtures/demo-expected-extra.tsv).
# The packages of its dpkg database and the kernel banner make the inventory.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit $SKIP; }

demo_firmware
fw="$WORK/demo/demo-firmware.bin"
fix="$SRCDIR/tests/fixtures"

expect_exit 0 "$IOTRUST" scan "$fw" --quiet --format json -o "$WORK/r.json" || true
[ -s "$WORK/r.json" ] || { fail "no result"; finish; }

# findings as "check<TAB>/path", one per distinct pair
jq -r '.findings[] | "\(.check)\t/\(.path)"' "$WORK/r.json" | sort -u >"$WORK/got"
{ tail -n +2 "$fix/demo-weaknesses.tsv"; tail -n +2 "$fix/demo-expected-extra.tsv"; } \
	| cut -f1,2 | sort -u >"$WORK/want"
missing=$(comm -13 "$WORK/got" "$WORK/want")
extra=$(comm -23 "$WORK/got" "$WORK/want")
[ -z "$missing" ] && pass "every planted weakness is found ($(wc -l <"$WORK/want") expected pairs)" \
	|| fail "not found:"$'\n'"$missing"
[ -z "$extra" ] && pass "nothing else is reported" || fail "reported but not planted:"$'\n'"$extra"

# secrets never appear in full in the result: the root password hash, the
# hard-coded MQTT password, a line of the private key's body
root="$WORK/demo/work/rootfs"
secrets=("$(awk -F: '$1 == "root" {print $2}' "$root/etc/shadow")"
	"$(sed -n 's/^MQTT_PASSWORD="\(.*\)"$/\1/p' "$root/usr/bin/cloud-agent")"
	"$(sed -n 2p "$root/etc/ssl/private/server.key")")
for secret in "${secrets[@]}"; do
	[ -n "$secret" ] || { fail "a secret to look for is empty"; continue; }
	grep -qF -- "$secret" "$WORK/r.json" && fail "result contains the secret '${secret:0:4}...'" \
		|| pass "secret '${secret:0:4}...' is not in the result"
done

# inventory: the dpkg database and the kernel banner
comp() { jq -r --arg n "$1" '.components[] | select(.name == $n) | "\(.version) \(.found_by)"' "$WORK/r.json" | head -1; }
for pkg in busybox-static dropbear-bin dnsmasq-base libc6 libssl3; do
	v=$(dpkg-deb -f "$(ls "$CACHE"/debs/"${pkg}"_*.deb | head -1)" Version)
	[ "$(comp "$pkg")" = "$v package-db" ] && pass "component $pkg $v from dpkg" \
		|| fail "component $pkg: got '$(comp "$pkg")', expected '$v package-db'"
done
kernel=$(jq -r '.components[] | select(.name == "linux" or .name == "linux-kernel") | .version' "$WORK/r.json" | head -1)
[ "$kernel" = "5.10.176" ] && pass "kernel 5.10.176 from its banner" || fail "kernel version '$kernel'"
n=$(jq '[.components[] | select(.name == "gzip" or .name == "sh")] | length' "$WORK/r.json")
[ "$n" -eq 0 ] && pass "busybox applet links are not components" || fail "$n applet components"

# --fail-on: exit 1 at or above the threshold, 0 below it
expect_exit 1 "$IOTRUST" scan "$fw" --quiet --fail-on high -o "$WORK/r.txt" && pass "--fail-on high exits 1"
grep -q 'cred.default-password' "$WORK/r.txt" && pass "text report names the findings" \
	|| fail "text report lacks cred.default-password"
finish

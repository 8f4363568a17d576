#!/usr/bin/env bash
# The HTML report of `iotrust assess` (docs/assess.md "HTML report") on the demo firmware:
# one self-contained file under 1 MB (also for 3000+ findings; the DNS-320 image's report
# is measured in t_assess_nas.sh) that loads nothing; a profile with markup in it comes out
# escaped; in headless Chromium (tests/browser/check-html.mjs) it loads with no console
# error, no request but itself, no script run, the tier and three charts visible, and a
# screenshot is left in $BUILDDIR/assess-report.png for a person to look at.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit $SKIP; }

demo_firmware
P="$SRCDIR/data/profiles/demo.yaml"
D="$SRCDIR/data/profiles/demo-declarations.yaml"
MB=$((1024 * 1024))
expect_exit 0 "$IOTRUST" scan "$WORK/demo/demo-firmware.bin" --quiet --format json \
	-o "$WORK/scan.json" && pass "scan"
expect_exit 0 "$IOTRUST" assess --scan "$WORK/scan.json" --profile "$P" --declarations "$D" \
	--format html -o "$WORK/report.html" && pass "assess --format html"
R="$WORK/report.html"

# self-contained: nothing that loads (src, external href, CSS url/@import), no script
size=$(stat -c %s "$R")
[ "$size" -lt "$MB" ] && pass "demo report: $size bytes (< 1 MB)" || fail "demo report: $size bytes"
if grep -Eiq '<script|[[:space:]]src=|href="[a-z]+:|url\(|@import' "$R"; then
	fail "the report loads something: $(grep -Eio '<script|[[:space:]]src=[^ ]*|href="[a-z]+:[^"]*|url\([^)]*\)|@import' "$R" | head -3)"
else
	pass "no script, no src, no external link, no CSS url()"
fi
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$R" &&
	pass "a CSP forbids every load" || fail "no CSP"
grep -q '<title>Security assessment: Acme Connected AC-CAM-100 1.4.2</title>' "$R" &&
	grep -q 'id="tier">substantial</div>' "$R" && pass "title and tier" ||
	fail "title/tier: $(grep -o '<title>[^<]*' "$R")"
[ "$(grep -c '<svg ' "$R")" -eq 3 ] && [ "$(grep -c '<desc id=' "$R")" -eq 3 ] &&
	pass "three SVG charts with text alternatives" || fail "charts: $(grep -c '<svg ' "$R")"
n=$(jq '.provisions | length' "$SRCDIR/tests/data/assess/demo-assessment.json")
[ "$(grep -o '<tr id="p[0-9]*"' "$R" | wc -l)" -eq "$n" ] &&
	pass "every provision ($n) in the details" || fail "provision rows: $(grep -o '<tr id="p' "$R" | wc -l) of $n"
# the same document as --format json, rendered by the library, gives the same page
expect_exit 0 "$IOTRUST" assess --scan "$WORK/scan.json" --profile "$P" --declarations "$D" \
	--format text -o "$WORK/report.txt" && grep -q "Risk tier:   substantial" "$WORK/report.txt" &&
	pass "text and html agree on the tier" || fail "text report"

# a profile with markup and quotes: shown, never obeyed
perl -pe 's{^  vendor: .*}{  vendor: "<script>alert(1)</script><img src=x onerror=alert(2)> \\"Acme\\" & \x27Sons\x27"}' \
	"$P" >"$WORK/evil.yaml"
grep -q 'vendor: "<script>' "$WORK/evil.yaml" || fail "could not make the hostile profile"
expect_exit 0 "$IOTRUST" assess --scan "$WORK/scan.json" --profile "$WORK/evil.yaml" \
	--format html -o "$WORK/evil.html" && pass "assess with a hostile profile"
if grep -Eq '<script|<img' "$WORK/evil.html"; then
	fail "markup from the profile reached the page: $(grep -Eo '.{20}<(script|img).{20}' "$WORK/evil.html" | head -2)"
elif grep -q '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &quot;Acme&quot; &amp; &#39;Sons&#39;' "$WORK/evil.html"; then
	pass "the hostile vendor name is escaped (& < > \" ')"
else
	fail "hostile vendor: $(grep -o '<h1>[^/]*' "$WORK/evil.html")"
fi

# thousands of findings: the lists are capped and the page stays under 1 MB
jq '.findings = [range(0; 60) as $i | .findings[] | .path = "\(.path).\($i)"]' \
	"$WORK/scan.json" >"$WORK/big.json"
nf=$(jq '.findings | length' "$WORK/big.json")
expect_exit 0 "$IOTRUST" assess --scan "$WORK/big.json" --profile "$P" --declarations "$D" \
	--format html -o "$WORK/big.html" && pass "assess $nf findings"
size=$(stat -c %s "$WORK/big.html")
[ "$size" -lt "$MB" ] && grep -q '&hellip; and [0-9]* more</li>' "$WORK/big.html" &&
	pass "$nf findings: $size bytes (< 1 MB), long lists capped" || fail "$nf findings: $size bytes"

# headless Chromium: loads cleanly, nothing fetched, no script runs, charts drawn
shot="${BUILDDIR:-$WORK}/assess-report.png"
browser=0
node "$SRCDIR/tests/browser/check-html.mjs" "$R" "$shot" --title "Acme Connected AC-CAM-100" \
	--tier substantial --text "Fix first" --text "CVE-2024-1086" >"$WORK/b.out" 2>&1 || browser=$?
if [ "$browser" -eq 0 ]; then
	pass "Chromium: $(tail -1 "$WORK/b.out")"
	echo "screenshot: $shot"
	node "$SRCDIR/tests/browser/check-html.mjs" "$WORK/evil.html" "$WORK/evil.png" \
		--text "<script>alert(1)</script>" >"$WORK/b2.out" 2>&1 &&
		pass "Chromium: the hostile profile's text is shown, nothing runs" ||
		fail "Chromium on the hostile page: $(cat "$WORK/b2.out")"
elif [ "$browser" -ne "$SKIP" ]; then
	fail "Chromium: $(cat "$WORK/b.out")"
fi
if [ "$browser" -eq "$SKIP" ] && [ "$failures" -eq 0 ]; then
	cat "$WORK/b.out"
	exit "$SKIP"
fi
finish

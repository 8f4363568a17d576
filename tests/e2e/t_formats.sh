#!/usr/bin/env bash
# Every report format of `iotrust scan` on the demo firmware, checked by the
# format owner's validator (tests/validate/validate.mjs: CycloneDX 1.6 via
# @cyclonedx/cyclonedx-library, CSAF 2.0 VEX via @secvisogram/csaf-validator-lib,
# SPDX 2.3, SARIF 2.1.0, and the canonical result against docs/schema/), the
# formats agree with the canonical result, and the maker's VEX decisions survive a
# round trip CycloneDX VEX -> scan -> CSAF VEX -> scan.
. "$(dirname "$0")/lib.sh"

# The validators (tests/validate): skipped only when npm cannot run.
validators || { [ $? -eq 1 ] && exit "$SKIP"; exit 1; }
validate() { node "$VALIDATE/validate.mjs" "$@"; }

demo_firmware
fw="$WORK/demo/demo-firmware.bin"

# kind of validation per format
declare -A KIND=([json]=result [cyclonedx]=cyclonedx [spdx]=spdx [sarif]=sarif [csaf]=csaf)

for fmt in json cyclonedx spdx sarif csaf text; do
	out="$WORK/report.$fmt"
	expect_exit 0 "$IOTRUST" scan "$fw" --quiet --format "$fmt" -o "$out" || continue
	if [ ! -s "$out" ]; then
		fail "$fmt: -o $out is empty"
		continue
	fi
	if [ "$fmt" = text ]; then
		continue
	fi
	if validate "${KIND[$fmt]}" "$out" >"$WORK/v.out" 2>&1; then
		pass "$fmt: $(cat "$WORK/v.out")"
	else
		fail "$fmt: the validator rejects the output:"
		head -40 "$WORK/v.out" >&2
	fi
done

# text: plain printable ASCII, with the image and the counts
if [ -s "$WORK/report.text" ]; then
	if LC_ALL=C grep -q '[^[:print:]]' "$WORK/report.text"; then
		fail "text: bytes outside printable ASCII"
	else
		pass "text: printable ASCII"
	fi
	if grep -q '^Image:       demo-firmware.bin$' "$WORK/report.text" &&
		grep -q '^Findings: [0-9]* (critical [0-9]*, high [0-9]*, medium [0-9]*, low [0-9]*, info [0-9]*)$' \
			"$WORK/report.text"; then
		pass "text: image and counts by severity"
	else
		fail "text: header or counts missing"
	fi
fi

# The formats map the same result: as many components, findings and checks.
cat >"$WORK/agree.cjs" <<'EOF'
const fs = require('fs')
const dir = process.argv[2]
const load = (f) => JSON.parse(fs.readFileSync(`${dir}/report.${f}`, 'utf8'))
const r = load('json'), cdx = load('cyclonedx'), spdx = load('spdx'), sarif = load('sarif')
const run = sarif.runs[0]
const want = [
  ['CycloneDX components', cdx.components.length, r.components.length],
  ['CycloneDX dependencies', cdx.dependencies.length, r.components.length + 1],
  ['CycloneDX image digest', cdx.metadata.component.hashes[0].content, r.image.sha256],
  ['SPDX packages', spdx.packages.length, r.components.length + 1],
  ['SPDX CONTAINS', spdx.relationships.filter(x => x.relationshipType === 'CONTAINS').length, r.components.length],
  ['SARIF rules', run.tool.driver.rules.length, r.checks.length],
  ['SARIF results', run.results.length, r.findings.length]
]
const bad = want.filter(([, got, exp]) => got !== exp)
for (const [what, got, exp] of bad) console.log(`${what}: ${got}, expected ${exp}`)
if (bad.length) process.exit(1)
console.log(`${r.components.length} components, ${r.findings.length} findings, ${r.checks.length} checks`)
EOF
if [ -s "$WORK/report.json" ] && [ -s "$WORK/report.cyclonedx" ] && [ -s "$WORK/report.spdx" ] &&
	[ -s "$WORK/report.sarif" ]; then
	if node "$WORK/agree.cjs" "$WORK" >"$WORK/agree.out" 2>&1; then
		pass "formats agree: $(cat "$WORK/agree.out")"
	else
		fail "the formats disagree with the canonical result:"
		cat "$WORK/agree.out" >&2
	fi
fi

# The maker's VEX: one vulnerability not_affected (code_not_present), one resolved, as
# CycloneDX VEX; the scan's CSAF VEX states them (flag, impact, fixed) and validates;
# that CSAF VEX given back to a scan gives the same statuses.
cat >"$WORK/vex.cjs" <<'EOF'
const fs = require('fs')
const [mode, file, out] = process.argv.slice(2)
const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
if (mode === 'make') {
  const v = doc.vulnerabilities
  fs.writeFileSync(out, JSON.stringify({
    bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
    vulnerabilities: [
      { id: v[0].id, affects: v[0].affects, analysis: { state: 'not_affected', justification: 'code_not_present', detail: 'the applet is not built' } },
      { id: v[1].id, affects: v[1].affects, analysis: { state: 'resolved', detail: 'patched in our build' } }]
  }))
  console.log(`${v[0].id} ${v[1].id}`)
} else if (mode === 'csaf') {
  const [a, b] = out.split(' ')
  const va = doc.vulnerabilities.find(x => x.cve === a), vb = doc.vulnerabilities.find(x => x.cve === b)
  const ok = va && va.product_status.known_not_affected?.length === 1 &&
    va.flags?.[0]?.label === 'vulnerable_code_not_present' &&
    va.threats?.some(t => t.category === 'impact' && t.details === 'the applet is not built') &&
    vb && vb.product_status.fixed?.length === 1 && !vb.scores &&
    doc.vulnerabilities.filter(x => x.product_status.known_affected).length === doc.vulnerabilities.length - 2
  console.log(ok ? 'statuses as the maker said' : JSON.stringify([va, vb]))
  process.exit(ok ? 0 : 1)
} else {
  const st = Object.fromEntries(doc.vulnerabilities.map(x => [x.id, x.status]))
  console.log(Object.entries(st).map(([k, v]) => `${k}=${v}`).sort().join(' '))
}
EOF
if [ -s "$WORK/report.cyclonedx" ] && [ -s "$WORK/report.json" ]; then
	ids=$(node "$WORK/vex.cjs" make "$WORK/report.cyclonedx" "$WORK/maker.vex.json")
	expect_exit 0 "$IOTRUST" scan "$fw" --quiet --vex "$WORK/maker.vex.json" --format json \
		-o "$WORK/vex1.json" &&
		expect_exit 0 "$IOTRUST" scan "$fw" --quiet --vex "$WORK/maker.vex.json" \
			--format csaf -o "$WORK/vex1.csaf" &&
		expect_exit 0 "$IOTRUST" scan "$fw" --quiet --vex "$WORK/vex1.csaf" --format json \
			-o "$WORK/vex2.json"
	if validate csaf "$WORK/vex1.csaf" >"$WORK/v.out" 2>&1 &&
		node "$WORK/vex.cjs" csaf "$WORK/vex1.csaf" "$ids" >>"$WORK/v.out" 2>&1; then
		pass "CSAF VEX with the maker's decisions ($ids): $(tr '\n' ' ' <"$WORK/v.out")"
	else
		fail "CSAF VEX with the maker's decisions:"
		cat "$WORK/v.out" >&2
	fi
	s1=$(node "$WORK/vex.cjs" status "$WORK/vex1.json")
	s2=$(node "$WORK/vex.cjs" status "$WORK/vex2.json")
	if [ "$s1" = "$s2" ] && echo "$s1" | grep -q '=not_affected' && echo "$s1" | grep -q '=fixed'; then
		pass "VEX round trip CycloneDX -> CSAF -> scan keeps every status"
	else
		fail "VEX round trip changed statuses: $s1 / $s2"
	fi
fi
# No vulnerabilities: a CSAF VEX document cannot be empty, the scan says so (exit 2).
if expect_exit 2 "$IOTRUST" scan "$fw" --quiet --no-vulns --format csaf -o "$WORK/none.csaf"; then
	if [ ! -e "$WORK/none.csaf" ] && grep -q 'needs at least one' "$WORK/err"; then
		pass "csaf without vulnerabilities: a clear error and no file"
	else
		fail "csaf without vulnerabilities: file written or unclear error"
	fi
fi

# Same image, same SBOM identity: the serial number depends on the image only.
if [ -s "$WORK/report.cyclonedx" ]; then
	"$IOTRUST" scan "$fw" --quiet --format cyclonedx -o "$WORK/again.cdx" || true
	a=$(grep -m1 '"serialNumber"' "$WORK/report.cyclonedx")
	b=$(grep -m1 '"serialNumber"' "$WORK/again.cdx" 2>/dev/null || true)
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		pass "CycloneDX serialNumber is stable for one image"
	else
		fail "CycloneDX serialNumber changed between two scans: $a / $b"
	fi
fi
finish

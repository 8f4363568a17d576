#!/usr/bin/env bash
# `iotrust catalogue`: the bundled catalogue files validate against
# docs/schema/catalogue.schema.json (Ajv, tests/validate/validate-schema.mjs); the
# standards, list, show and map commands print what the data says (read back with jq);
# usage errors exit 2; a malformed catalogue given with --data-dir exits 3 naming the
# file and the JSON path; a new standard added with --data-dir is picked up.
. "$(dirname "$0")/lib.sh"

SCHEMA="$SRCDIR/docs/schema/catalogue.schema.json"
CAT="$IOTRUST catalogue"

# --- schema validation with Ajv (tests/validate, installed by `validators`) ---
schema_ok=1
validators || { [ $? -eq 2 ] && failures=$((failures + 1)); schema_ok=0; }
if [ "$schema_ok" = 1 ]; then
	if node "$VALIDATE/validate-schema.mjs" "$SCHEMA" "$SRCDIR"/data/catalogue/*.json \
		>"$WORK/v.out" 2>&1; then
		pass "schema: $(grep -c ': valid$' "$WORK/v.out") catalogue files are valid"
	else
		fail "schema: a bundled catalogue file is invalid:"
		sed 's/^/  /' "$WORK/v.out" | head -20 >&2
	fi
	# the schema refuses what the C loader refuses (a conditional level without condition)
	jq '.items[0].level = "M C"' "$SRCDIR/data/catalogue/uk-psti.json" >"$WORK/bad.json"
	if node "$VALIDATE/validate-schema.mjs" "$SCHEMA" "$WORK/bad.json" >"$WORK/v.out" 2>&1; then
		fail "schema: accepted a conditional level without a condition"
	elif grep -q '/items/0' "$WORK/v.out"; then
		pass "schema: refuses a conditional level without a condition, at /items/0"
	else
		fail "schema: unexpected output: $(head -3 "$WORK/v.out")"
	fi
	# what the CLI prints as JSON is the same data: every listed item is in the files
	expect_exit 0 $CAT list --json && jq -r '.[].id' "$WORK/out" | sort >"$WORK/cli-ids"
	for f in "$SRCDIR"/data/catalogue/*.json; do
		jq -r '.standard as $s | .items[] | "\($s):\(.id)"' "$f"
	done | sort >"$WORK/file-ids"
	if cmp -s "$WORK/cli-ids" "$WORK/file-ids"; then
		pass "list --json: the $(wc -l <"$WORK/cli-ids") ids of the data files"
	else
		fail "list --json differs from the data files: $(diff "$WORK/file-ids" "$WORK/cli-ids" | head -5)"
	fi
fi

# --- standards and counts ---
if expect_exit 0 $CAT standards --json; then
	got=$(jq -r 'map("\(.id)=\(.items)/\(.mandatory)/\(.conditional)") | join(" ")' "$WORK/out")
	want="dcms-code-of-practice=78/0/0 etsi-en-303-645=85/40/36 eu-cra=22/22/0"
	want="$want nist-ir-8425=10/10/0 owasp-iot-top10=10/0/0 uk-psti=3/3/0"
	[ "$got" = "$want" ] && pass "standards: $got" || fail "standards: got $got, want $want"
fi
expect_exit 0 $CAT standards && grep -q '^etsi-en-303-645 *85 ' "$WORK/out" &&
	pass "standards: text table" || fail "standards: text table lacks the ETSI row"

expect_exit 0 $CAT list --standard uk-psti &&
	[ "$(wc -l <"$WORK/out")" = 3 ] && grep -q '^uk-psti:1 .* M ' "$WORK/out" &&
	pass "list --standard uk-psti: 3 items" || fail "list --standard uk-psti: $(cat "$WORK/out")"
expect_exit 0 $CAT list --standard etsi-en-303-645 --level C --json &&
	[ "$(jq 'length' "$WORK/out")" = 36 ] &&
	[ "$(jq '[.[] | select(.level != "M C" and .level != "R C")] | length' "$WORK/out")" = 0 ] &&
	pass "list --level C: 36 conditional ETSI provisions" || fail "list --level C"
expect_exit 0 $CAT list --level M --json &&
	[ "$(jq '[.[] | select(.level == "R" or .level == "R C")] | length' "$WORK/out")" = 0 ] &&
	pass "list --level M: mandatory only" || fail "list --level M"

# --- show ---
if expect_exit 0 $CAT show 5.1-1 --json; then
	jq -e '.id == "etsi-en-303-645:5.1-1" and .level == "M C" and
		.condition.id == "uses-passwords" and
		(.checks | map(.id) | index("cred.empty-password")) and
		(.links | index("uk-psti:1")) and .v3.condition.ref == "F(a)"' "$WORK/out" >/dev/null &&
		pass "show 5.1-1 --json: level, condition, checks, links, V3 status" ||
		fail "show 5.1-1 --json: $(head -c 400 "$WORK/out")"
fi
expect_exit 0 $CAT show uk-psti:2 &&
	grep -q '^  Question: ' "$WORK/out" && grep -q 'etsi-en-303-645:5.2-1' "$WORK/out" &&
	pass "show uk-psti:2: question and the ETSI provision it maps to" || fail "show uk-psti:2"
# symmetric: 5.2-1's file entry maps to nothing, yet show lists who maps to it
expect_exit 0 $CAT show etsi-en-303-645:5.2-1 --json &&
	jq -e '(.maps_to | length) == 0 and (.links | index("uk-psti:2")) and
		(.links | index("eu-cra:II.5"))' "$WORK/out" >/dev/null &&
	pass "show 5.2-1: mappings seen from the other side" || fail "show 5.2-1: $(cat "$WORK/out")"

# --- map ---
if expect_exit 0 $CAT map uk-psti:1 --json; then
	jq -e '([.maps_to[] | select(.depth == 1) | .id] | sort) ==
		["etsi-en-303-645:5.1-1", "etsi-en-303-645:5.1-2"] and
		([.maps_to[] | select(.id == "owasp-iot-top10:I1")][0].via == "etsi-en-303-645:5.1-1") and
		(.evidence_checks | map(.id) | index("cred.default-password")) and
		((.evidence_checks | map(.id) | index("svc.telnetd")) | not)' "$WORK/out" >/dev/null &&
		pass "map uk-psti:1: ETSI at depth 1, OWASP I1 via 5.1-1, password checks as evidence" ||
		fail "map uk-psti:1: $(head -c 600 "$WORK/out")"
	n2=$(jq '.maps_to | length' "$WORK/out")
	expect_exit 0 $CAT map uk-psti:1 --depth 0 --json
	n0=$(jq '.maps_to | length' "$WORK/out")
	[ "$n0" -gt "$n2" ] && pass "map --depth 0 reaches more ($n0) than depth 2 ($n2)" ||
		fail "map --depth 0: $n0 items, depth 2: $n2"
fi
expect_exit 0 $CAT map 5.13-1B && grep -q 'elf.dangerous-import' "$WORK/out" &&
	pass "map 5.13-1B: a V3 split provision gets the checks of 5.13-1" || fail "map 5.13-1B"

# --- usage errors: exit 2 ---
for args in "" "frobnicate" "show" "show 5.1-1 5.1-2" "show no-such-id" "map 1" \
	"list --level X" "list --standard nope" "show 5.1-1 --level M" "map 5.1-1 --depth x" \
	"list extra"; do
	# shellcheck disable=SC2086
	expect_exit 2 $CAT $args && pass "usage error: catalogue $args" || true
done
expect_exit 2 $CAT show 1 && grep -q 'uk-psti:1' "$WORK/err" &&
	grep -q 'dcms-code-of-practice:1' "$WORK/err" &&
	pass "an ambiguous bare id lists the global ids" || fail "ambiguous id: $(cat "$WORK/err")"
expect_exit 0 $CAT --help && grep -q '^Examples:' "$WORK/out" && pass "--help" || fail "--help"

# --- --data-dir: a malformed catalogue is input error 3 naming file and path ---
mkdir -p "$WORK/data/catalogue"
jq '.items[1].maps_to = ["eu-cra:I.9.z"]' "$SRCDIR/data/catalogue/uk-psti.json" \
	>"$WORK/data/catalogue/uk-psti.json"
expect_exit 3 $CAT --data-dir "$WORK/data" list &&
	grep -q 'catalogue/uk-psti.json.*items\[1\]: maps_to\[0\]: "eu-cra:I.9.z" names no' "$WORK/err" &&
	pass "--data-dir: a mapping to nothing is exit 3 with file and path" ||
	fail "--data-dir bad mapping: $(cat "$WORK/err")"
jq '.items[0].level = "MUST"' "$SRCDIR/data/catalogue/uk-psti.json" >"$WORK/data/catalogue/uk-psti.json"
expect_exit 3 $CAT --data-dir "$WORK/data" standards &&
	grep -q 'catalogue/uk-psti.json.*items\[0\]: "level"' "$WORK/err" &&
	pass "--data-dir: an unknown level is exit 3 with file and path" ||
	fail "--data-dir bad level: $(cat "$WORK/err")"
printf '{"standard": "acme", "title": "Broken' >"$WORK/data/catalogue/uk-psti.json"
expect_exit 3 $CAT --data-dir "$WORK/data" standards &&
	grep -q 'catalogue/uk-psti.json:1:' "$WORK/err" &&
	pass "--data-dir: truncated JSON is exit 3 with file and line" ||
	fail "--data-dir truncated: $(cat "$WORK/err")"

# --- --data-dir: a new standard is added without a rebuild ---
rm "$WORK/data/catalogue/uk-psti.json"
cat >"$WORK/data/catalogue/acme-baseline.json" <<'EOF'
{"standard": "acme-baseline", "title": "ACME internal baseline", "items": [
 {"id": "A1", "standard": "acme-baseline", "title": "No shared passwords", "level": "M",
  "requirement": "Every unit has its own password.", "checks": ["cred.empty-password"],
  "question": "How are passwords set?", "maps_to": ["uk-psti:1", "etsi-en-303-645:5.1-1"]}]}
EOF
if [ "$schema_ok" = 1 ]; then
	node "$VALIDATE/validate-schema.mjs" "$SCHEMA" "$WORK/data/catalogue/acme-baseline.json" \
		>/dev/null 2>&1 && pass "schema: the added standard is valid" ||
		fail "schema: the added standard is invalid"
fi
expect_exit 0 $CAT --data-dir "$WORK/data" standards --json &&
	[ "$(jq 'length' "$WORK/out")" = 7 ] && pass "--data-dir: a seventh standard" ||
	fail "--data-dir: new standard not listed"
expect_exit 0 $CAT --data-dir "$WORK/data" show uk-psti:1 --json &&
	jq -e '.links | index("acme-baseline:A1")' "$WORK/out" >/dev/null &&
	pass "--data-dir: uk-psti:1 shows the new standard's mapping" ||
	fail "--data-dir: mapping not symmetric"

finish

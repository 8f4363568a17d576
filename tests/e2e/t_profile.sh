#!/usr/bin/env bash
# `iotrust profile`: every shipped example profile and its declarations check (exit 0) and
# their canonical JSON validates against docs/schema/profile.schema.json (Ajv); broken inputs
# exit 3 with file:line:column, the key path and what was expected; usage errors exit 2; the
# built-in examples printed by `profile example` are the files of data/profiles/.
source "$(dirname "$0")/lib.sh"

SCHEMA="$SRCDIR/docs/schema/profile.schema.json"
PROFILES="$SRCDIR/data/profiles"
P="$IOTRUST profile"

# --- the examples: valid, summarised, canonical JSON ------------------------------------
for name in demo smart-lock e-bike geodata-service; do
	if expect_exit 0 $P check "$PROFILES/$name.yaml" --declarations \
		"$PROFILES/$name-declarations.yaml"; then
		if grep -q "$name.yaml: valid profile" "$WORK/out" &&
			grep -q "$name-declarations.yaml: valid declarations by" "$WORK/out"; then
			pass "$name: profile and declarations are valid"
		else
			fail "$name: unexpected summary: $(head -3 "$WORK/out")"
		fi
	fi
	expect_exit 0 $P check "$PROFILES/$name.yaml" -d "$PROFILES/$name-declarations.yaml" \
		--json && cp "$WORK/out" "$WORK/$name.json"
	jq .profile "$WORK/$name.json" >"$WORK/$name.profile.json"
	jq .declarations "$WORK/$name.json" >"$WORK/$name.declarations.json"
	# the built-in copy is the shipped file
	if expect_exit 0 $P example "$name" && cmp -s "$WORK/out" "$PROFILES/$name.yaml"; then
		pass "$name: 'profile example' prints data/profiles/$name.yaml"
	else
		fail "$name: 'profile example' differs from data/profiles/$name.yaml"
	fi
done

# what the examples say, read back from the JSON
[ "$(jq -r .profile.network.remote_access "$WORK/demo.json")" = false ] &&
	pass "demo: remote_access false (assess compares it with the firmware's telnetd)" ||
	fail "demo: remote_access is not false"
[ "$(jq -r '.profile.remote_actuation[] | select(.name == "unlock door") | .safety_impact' \
	"$WORK/smart-lock.json")" = high ] && pass "smart-lock: unlock door has a high safety impact" ||
	fail "smart-lock: unlock door is not high"
[ "$(jq -r '.declarations.answers["etsi-en-303-645:5.3-4"].status' "$WORK/e-bike.json")" = \
	not-implemented ] && pass "e-bike: bare id 5.3-4 resolved to etsi-en-303-645:5.3-4" ||
	fail "e-bike: 5.3-4 not resolved"

# --- schema validation with Ajv (tests/validate, installed by `validators`) ---
schema_ok=1
validators || { [ $? -eq 2 ] && failures=$((failures + 1)); schema_ok=0; }
if [ "$schema_ok" = 1 ]; then
	if node "$VALIDATE/validate-schema.mjs" "$SCHEMA" "$WORK"/*.profile.json \
		"$WORK"/*.declarations.json >"$WORK/v.out" 2>&1; then
		pass "schema: $(grep -c ': valid$' "$WORK/v.out") canonical JSON documents are valid"
	else
		fail "schema: canonical JSON is invalid:"
		sed 's/^/  /' "$WORK/v.out" | head -20 >&2
	fi
	# the schema refuses what the C loader refuses
	jq '.remote_actuation[0] |= del(.consequence)' "$WORK/smart-lock.profile.json" >"$WORK/bad.json"
	if node "$VALIDATE/validate-schema.mjs" "$SCHEMA" "$WORK/bad.json" >"$WORK/v.out" 2>&1; then
		fail "schema: accepted a high-impact actuation without a consequence"
	elif grep -q '/remote_actuation/0' "$WORK/v.out"; then
		pass "schema: refuses an actuation without consequence, at /remote_actuation/0"
	else
		fail "schema: unexpected output: $(head -3 "$WORK/v.out")"
	fi
fi

# --- invalid inputs: exit 3 with the position and the key path ------------------------------
# bad FILE SED-EXPR EXPECTED-STDERR: edit a copy of the demo profile and check the message.
bad() {
	local what=$1 expr=$2 want=$3
	sed "$expr" "$PROFILES/demo.yaml" >"$WORK/demo.yaml"
	if expect_exit 3 $P check "$WORK/demo.yaml" && grep -qF "$want" "$WORK/err"; then
		pass "invalid ($what): $want"
	else
		fail "invalid ($what): expected '$want', got: $(cat "$WORK/err")"
	fi
}
line() { grep -n "$1" "$PROFILES/demo.yaml" | head -1 | cut -d: -f1; }
l=$(line '^  location: false')
bad "wrong type" "s/^  location: false/  location: yes please/" \
	"demo.yaml:$l:13: data.location: expected true, false or a list of {what, purpose}, got \"yes please\""
l=$(line '^  remote_access: false')
bad "quoted boolean" "s/^  remote_access: false/  remote_access: \"false\"/" \
	"demo.yaml:$l:19: network.remote_access: expected true or false, got \"false\""
l=$(line '^vertical:')
bad "closed list" "s/^vertical: .*/vertical: smart-fridge/" \
	"demo.yaml:$l:11: vertical: expected one of smart-home-security,"
l=$(line '^  end_date:')
bad "bad date" "s/^  end_date: .*/  end_date: 2027-02-29/" \
	"demo.yaml:$l:13: support.end_date: expected a date YYYY-MM-DD, got \"2027-02-29\""
l=$(line '^  model:')
bad "unknown key" "s/^  model: \(.*\)/  model: \1\n  colour: grey/" \
	"demo.yaml:$((l + 1)):3: identity: unknown key \"colour\""
bad "duplicate key" "s/^  model: \(.*\)/  model: \1\n  model: X/" \
	"demo.yaml:$((l + 1)):3: duplicate key \"model\" (first at line $l)"
bad "missing field" "/^  vendor:/d" "identity: missing required key \"vendor\""
bad "syntax" "s/^markets: \[UK, EU, US\]/markets: [UK, EU, US/" "YAML syntax error"

sed 's/^  5.1-1:/  5.99-1:/' "$PROFILES/demo-declarations.yaml" >"$WORK/d.yaml"
l=$(grep -n '^  5.1-1:' "$PROFILES/demo-declarations.yaml" | cut -d: -f1)
if expect_exit 3 $P check "$PROFILES/demo.yaml" -d "$WORK/d.yaml" &&
	grep -qF "d.yaml:$l:3: answers: \"5.99-1\" is not a provision of the catalogue" "$WORK/err"; then
	pass "declarations: an id that names no catalogue item is refused at $l:3"
else
	fail "declarations: unknown id: $(cat "$WORK/err")"
fi
expect_exit 3 $P check "$WORK/nonexistent.yaml" && grep -q "cannot open" "$WORK/err" &&
	pass "a missing file exits 3"

# --- usage --------------------------------------------------------------------------------
expect_exit 2 $P && pass "no command: exit 2"
expect_exit 2 $P check && pass "check without FILE: exit 2"
expect_exit 2 $P frobnicate x && pass "unknown command: exit 2"
expect_exit 2 $P example no-such-example && pass "unknown example: exit 2"
expect_exit 0 $P --help && grep -q "iotrust profile check FILE" "$WORK/out" && pass "--help"
expect_exit 0 $P example && [ "$(wc -l <"$WORK/out")" -eq 8 ] && pass "8 built-in examples listed"

finish

#!/usr/bin/env bash
# The command line contract: help and version, usage errors (exit 2), unreadable
# input (exit 3), and -o never leaving a half-written list behind.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$IOTRUST" --help && grep -q 'scan' "$WORK/out" && pass "--help lists commands" || fail "--help lists commands"
expect_exit 0 "$IOTRUST" --version && grep -Eq '^iotrust [0-9]+\.[0-9]+' "$WORK/out" && pass "--version" || fail "--version"
expect_exit 0 "$IOTRUST" scan --help && grep -q -- '--max-depth' "$WORK/out" && pass "scan --help" || fail "scan --help"
expect_exit 2 "$IOTRUST" && pass "no command: exit 2" || fail "no command: exit 2"
expect_exit 2 "$IOTRUST" frobnicate && grep -q "unknown command" "$WORK/err" && pass "unknown command: exit 2" || fail "unknown command: exit 2"
expect_exit 2 "$IOTRUST" scan && grep -q "missing IMAGE" "$WORK/err" && pass "scan without image: exit 2" || fail "scan without image: exit 2"
expect_exit 2 "$IOTRUST" scan --bogus x && pass "unknown option: exit 2" || fail "unknown option: exit 2"
expect_exit 2 "$IOTRUST" scan --max-depth nope x && pass "bad limit value: exit 2" || fail "bad limit value: exit 2"
expect_exit 3 "$IOTRUST" scan "$WORK/does-not-exist" && grep -q "does-not-exist: cannot open" "$WORK/err" \
	&& pass "missing image: exit 3 naming the file" || fail "missing image: exit 3 naming the file"
: >"$WORK/empty"
expect_exit 3 "$IOTRUST" scan "$WORK/empty" && grep -q "empty file" "$WORK/err" && pass "empty image: exit 3" || fail "empty image: exit 3"
expect_exit 3 "$IOTRUST" scan "$WORK" && pass "directory as image: exit 3" || fail "directory as image: exit 3"

# A limit stops the run: the previous good list stays in place, no temp file is left.
echo "good list" >"$WORK/list.txt"
printf 'hello' | gzip -n | gzip -n | gzip -n >"$WORK/nested.gz"
expect_exit 3 "$IOTRUST" scan "$WORK/nested.gz" --max-depth 2 --list -o "$WORK/list.txt" \
	&& grep -q "nested more than 2 deep (--max-depth)" "$WORK/err" && pass "depth limit: exit 3 with the flag named" || fail "depth limit: exit 3 with the flag named"
[ "$(cat "$WORK/list.txt")" = "good list" ] && pass "failed run left the old list untouched" || fail "list overwritten"
ls "$WORK" | grep -q 'tmp-' && fail "temporary file left behind" || pass "no temporary file left"
expect_exit 0 "$IOTRUST" scan "$WORK/nested.gz" --list -o "$WORK/list.txt"
grep -q '^data 0644     0/0              5 nested.gz:gzip:gzip:gzip$' "$WORK/list.txt" && pass "-o writes the list" || { fail "unexpected list"; cat "$WORK/list.txt" >&2; }
expect_exit 0 "$IOTRUST" scan "$WORK/nested.gz" --list --json
grep -q '"container":"nested.gz:gzip:gzip:gzip"' "$WORK/out" && pass "--json lines" || fail "--json output: $(cat "$WORK/out")"
expect_exit 0 "$IOTRUST" scan "$WORK/nested.gz" --quiet
finish

#!/usr/bin/env bash
# Short libFuzzer run of every harness in $FUZZ_BUILD (FUZZ_SECONDS each, JOBS
# at a time), seeded from fuzz/corpus/<format>. New inputs go to a scratch
# directory; a crash fails the run and leaves its reproducer in fuzz/artifacts/.
# A harness with a dictionary in fuzz/dict/<format>.dict gets it (-dict).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
JOBS=${JOBS:-2}
mkdir -p fuzz/artifacts
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

run_one() {
	local h=$1 fmt=${1#fuzz_}
	mkdir -p "$scratch/$fmt"
	local dict=()
	[ -f "fuzz/dict/$fmt.dict" ] && dict=(-dict="fuzz/dict/$fmt.dict")
	if "$FUZZ_BUILD/$h" "${dict[@]}" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="fuzz/artifacts/$fmt-" -print_final_stats=1 \
		"$scratch/$fmt" "fuzz/corpus/$fmt" >"$scratch/$fmt.log" 2>&1; then
		echo "fuzz $fmt: ok, $(grep -m1 'stat::number_of_executed_units' "$scratch/$fmt.log" | awk '{print $2}') runs"
	else
		echo "fuzz $fmt: FAILED"; tail -40 "$scratch/$fmt.log"; return 1
	fi
}
export -f run_one
export FUZZ_BUILD FUZZ_SECONDS scratch
harnesses=$(cd "$FUZZ_BUILD" && ls fuzz_* | grep -v '\.' || true)
[ -n "$harnesses" ] || { echo "no fuzz harnesses in $FUZZ_BUILD"; exit 1; }
echo "$harnesses" | xargs -P "$JOBS" -I{} bash -c 'run_one {}'

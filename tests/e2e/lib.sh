# Shared helpers for the end-to-end CLI tests (sourced by tests/e2e/t_*.sh).
# Each test runs the real iotrust binary ($IOTRUST) on real inputs and compares
# with what the reference tools (cpio, unsquashfs, tar) say about the same bytes.
set -euo pipefail
: "${IOTRUST:?set IOTRUST to the iotrust binary}"
SRCDIR=${SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CACHE=${IOTRUST_CACHE:-$HOME/.cache/iotrust}
WORK=$(mktemp -d /tmp/iotrust-e2e-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# The default vulnerability store of every scan lives in this run's scratch directory.
export XDG_DATA_HOME="$WORK/xdg"
unset IOTRUST_DB
SKIP=77
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
finish() {
	if [ "$failures" -gt 0 ]; then
		echo "$failures check(s) failed" >&2
		exit 1
	fi
	echo "all checks passed"
}

# expect_exit CODE CMD... : run CMD, check its exit code, keep stdout/stderr in $WORK/out, $WORK/err
expect_exit() {
	local want=$1; shift
	local got=0
	"$@" >"$WORK/out" 2>"$WORK/err" || got=$?
	if [ "$got" -ne "$want" ]; then
		fail "exit $got, expected $want: $*"
		sed 's/^/  stderr: /' "$WORK/err" | head -20 >&2
		return 1
	fi
	return 0
}

# Normalised listings: one "T SIZE PATH[ -> TARGET]" line per entry, sorted, where
# T is the ls-style type letter and SIZE is given for regular files only.
# iotrust --list lines of exactly the container CHAIN:
norm_iotrust() {
	perl -ne '
		BEGIN { %t = (file=>"-", hard=>"-", dir=>"d", link=>"l", chr=>"c", blk=>"b", fifo=>"p", sock=>"s"); $c = shift @ARGV; }
		chomp;
		next unless /^(\S+)\s+[0-7]+\s+\d+\/\d+\s+(\d+)\s(.*)$/;
		my ($type, $size, $rest) = ($1, $2, $3);
		my $target = "";
		if ($rest =~ /^(.*?) (->|=>) (.*)$/) { ($rest, $target) = ($1, $3); }
		next if $type eq "data" || $rest =~ m{!/.*!/};
		next unless $rest =~ /^\Q$c\E!\/(.*)$/;
		my $p = $1;
		my $tl = $t{$type} // "?";
		printf "%s %s %s%s\n", $tl, ($tl eq "-" ? $size : "-"), $p,
			($type eq "link" ? " -> $target" : "");
	' "$1" "$2" | LC_ALL=C sort
}

# `cpio -tv` output (GNU cpio)
norm_cpio_tv() {
	perl -ne '
		chomp;
		next unless /^(\S)\S{9}\s+\d+\s+\S+\s+\S+\s+(\d+|\d+,\s*\d+)\s+\S+\s+\d+\s+\S+\s(.*)$/;
		my ($t, $size, $rest) = ($1, $2, $3);
		my $target = "";
		if ($t eq "l" && $rest =~ /^(.*?) -> (.*)$/) { ($rest, $target) = ($1, $2); }
		$rest =~ s{^\./}{}; $rest =~ s{/$}{};
		next if $rest eq "." || $rest eq "";
		printf "%s %s %s%s\n", $t, ($t eq "-" ? $size : "-"), $rest, ($t eq "l" ? " -> $target" : "");
	' | LC_ALL=C sort
}

# `unsquashfs -lln` output
norm_unsquashfs() {
	perl -ne '
		chomp;
		next unless /^(\S)\S{9}\s+\S+\s+(\d+|\d+,\s*\d+)\s+\S+\s+\S+\s(.*)$/;
		my ($t, $size, $rest) = ($1, $2, $3);
		my $target = "";
		if ($t eq "l" && $rest =~ /^(.*?) -> (.*)$/) { ($rest, $target) = ($1, $2); }
		$rest =~ s{^squashfs-root/?}{};
		next if $rest eq "";
		printf "%s %s %s%s\n", $t, ($t eq "-" ? $size : "-"), $rest, ($t eq "l" ? " -> $target" : "");
	' | LC_ALL=C sort
}

# same_lists NAME A B: compare two normalised listings, show the first differences
same_lists() {
	local name=$1 a=$2 b=$3
	if [ ! -s "$a" ]; then fail "$name: iotrust listed nothing"; return 1; fi
	if diff -u "$b" "$a" >"$WORK/diff"; then
		pass "$name: $(wc -l <"$a") entries equal the reference listing"
	else
		fail "$name: listing differs from the reference (- reference, + iotrust):"
		head -40 "$WORK/diff" >&2
	fi
}

# fetch_deb PACKAGE: the .deb file (cached), or return 1 when it cannot be downloaded
fetch_deb() {
	local pkg=$1 dir="$CACHE/debs"
	mkdir -p "$dir"
	local f
	f=$(ls "$dir"/"${pkg}"_*.deb 2>/dev/null | head -1 || true)
	if [ -z "$f" ]; then
		(cd "$dir" && apt-get download "$pkg" >/dev/null 2>&1) || return 1
		f=$(ls "$dir"/"${pkg}"_*.deb | head -1)
	fi
	echo "$f"
}

# demo_firmware: the demo firmware in $WORK/demo (demo-firmware.bin, work/rootfs), built
# once per version of its build script into $CACHE/demo-<hash> (under a lock: ctest runs
# tests in parallel) and linked here; tests only read it. Exit SKIP when the Debian
# packages it is made of cannot be downloaded.
demo_firmware() {
	local script="$SRCDIR/tests/fixtures/build-demo-firmware.sh" dir rc=0
	dir="$CACHE/demo-$(sha256sum "$script" | cut -c1-16)"
	mkdir -p "$CACHE"
	(
		flock 9
		[ -f "$dir/demo-firmware.bin" ] && exit 0
		rm -rf "$dir.tmp"
		bash "$script" "$dir.tmp" >"$WORK/build.log" 2>&1 && mv "$dir.tmp" "$dir"
	) 9>"$CACHE/demo.lock" || rc=$?
	if [ "$rc" -eq 0 ]; then
		ln -s "$dir" "$WORK/demo"
		return 0
	fi
	if grep -q 'apt-get' "$WORK/build.log"; then
		echo "SKIP: the demo firmware needs Debian packages that cannot be downloaded here:"
		tail -3 "$WORK/build.log"
		exit "$SKIP"
	fi
	cat "$WORK/build.log" >&2
	exit 1
}

# The installer images of debian-installer-12-netboot-armel used as real vendor firmware.
NETBOOT="$CACHE/netboot"
KIRKWOOD=./usr/lib/debian-installer/images/12/armel/kirkwood
DNS320=$KIRKWOOD/network-console/d-link/dns-320/netboot.img

# netboot_files PATH...: extract these files of the package into $NETBOOT (once); exit SKIP
# when the package cannot be downloaded
netboot_files() {
	local deb f missing=()
	deb=$(fetch_deb debian-installer-12-netboot-armel) || {
		echo "SKIP: cannot apt-get download debian-installer-12-netboot-armel (offline?)"
		exit "$SKIP"
	}
	for f; do [ -f "$NETBOOT/$f" ] || missing+=("$f"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	mkdir -p "$NETBOOT"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$NETBOOT" "${missing[@]}"
}

# The format owners' validators, pinned in tests/validate (npm).
VALIDATE="$SRCDIR/tests/validate"

# validators: make sure tests/validate/node_modules is installed (npm ci when missing, npm's
# cache under $CACHE). 0 ready; 1 when npm cannot run or the registry is unreachable (says
# why); 2 when npm ci failed with the registry reachable (says so on stderr).
validators() {
	[ -f "$VALIDATE/node_modules/.package-lock.json" ] && return 0
	if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
		echo "note: node/npm not installed and tests/validate/node_modules missing"
		return 1
	fi
	npm ci --prefix "$VALIDATE" --cache "$CACHE/npm" --no-audit --no-fund >"$WORK/npm.log" 2>&1 &&
		return 0
	if ! npm ping --cache "$CACHE/npm" >/dev/null 2>&1; then
		echo "note: tests/validate/node_modules missing and the npm registry is unreachable:"
		tail -3 "$WORK/npm.log"
		return 1
	fi
	cat "$WORK/npm.log" >&2
	echo "FAIL: npm ci --prefix tests/validate failed with the registry reachable" >&2
	return 2
}

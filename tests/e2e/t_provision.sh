#!/usr/bin/env bash
# `iotrust provision` end to end: a test CA, a batch of 20 devices made in two runs, every
# certificate checked with `openssl verify`, every shadow hash checked against its sticker
# password with the system's crypt (perl -> libcrypt), a kill -9 in the middle of a batch
# and the rerun, no plain password in a manifest, P-256 keys, the lock, and exit codes.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
command -v openssl >/dev/null || { echo "skip: openssl missing"; exit $SKIP; }

ca_key=$WORK/ca/ca.key ca_crt=$WORK/ca/ca.crt
expect_exit 0 "$IOTRUST" provision ca-init -o ca --subject "/CN=E2E Maker CA/O=E2E Maker" &&
	pass "ca-init"
[ "$(stat -c %a "$ca_key")" = 600 ] && pass "ca.key is mode 0600" || fail "ca.key mode"
openssl x509 -in "$ca_crt" -noout -ext basicConstraints,keyUsage >"$WORK/ext" 2>&1
grep -q 'CA:TRUE' "$WORK/ext" && grep -q 'Certificate Sign' "$WORK/ext" &&
	pass "CA certificate: CA:TRUE, keyCertSign" || fail "CA extensions: $(cat "$WORK/ext")"
expect_exit 2 "$IOTRUST" provision ca-init -o ca && pass "ca-init refuses to overwrite"

prov() { "$IOTRUST" provision --model CAM-100 --ca "$ca_key" --ca-cert "$ca_crt" -q "$@"; }

# check_batch DIR STICKERS N: N complete devices, unique serials, certificates verify,
# shadow hashes verify with the sticker passwords, no password in the manifests.
check_batch() {
	local dir=$1 st=$2 n=$3 name=$4
	local lines serials
	lines=$(($(wc -l <"$dir/manifest.csv") - 1))
	serials=$(tail -n +2 "$dir/manifest.csv" | cut -d, -f1 | sort -u | wc -l)
	[ "$lines" -eq "$n" ] && [ "$serials" -eq "$n" ] &&
		[ "$(wc -l <"$dir/manifest.jsonl")" -eq "$n" ] &&
		pass "$name: $n manifest lines, $n unique serials" ||
		fail "$name: $lines csv lines, $serials unique serials, want $n"
	[ "$(jq -r .serial "$dir/manifest.jsonl" | sort -u | wc -l)" -eq "$n" ] ||
		fail "$name: manifest.jsonl serials"
	local ok=0 bad=0 s
	for s in $(tail -n +2 "$dir/manifest.csv" | cut -d, -f1); do
		if openssl verify -CAfile "$ca_crt" "$dir/devices/$s/device.crt" >/dev/null 2>&1; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ] && [ "$ok" -eq "$n" ] && pass "$name: openssl verify OK on $ok certificates" ||
		fail "$name: openssl verify failed on $bad certificates"
	# crypt(3) through perl: libcrypt's yescrypt and SHA-512 crypt, not iotrust's code
	bad=$(perl -e '
		my ($dir, $st, $csv) = @ARGV; my %pw; my $bad = 0;
		open my $s, "<", $st or die; while (<$s>) { chomp; my ($k, $v) = split /,/; $pw{$k} = $v; }
		open my $m, "<", $csv or die; <$m>;
		while (<$m>) {
			my ($serial) = split /,/;
			open my $sh, "<", "$dir/devices/$serial/shadow.line" or die;
			my (undef, $hash) = split /:/, scalar <$sh>;
			$bad++ if crypt($pw{$serial}, $hash) ne $hash;
			$bad++ if crypt($pw{$serial} . "x", $hash) eq $hash;
		}
		print $bad;' "$dir" "$st" "$dir/manifest.csv")
	[ "$bad" = 0 ] && pass "$name: every shadow hash verifies with crypt(3), wrong passwords fail" ||
		fail "$name: $bad shadow hashes do not verify"
	if tail -n +2 "$st" | cut -d, -f2 | grep -F -f - "$dir/manifest.csv" "$dir/manifest.jsonl" \
		"$dir/batch.json" >/dev/null; then
		fail "$name: a plain password is in a manifest"
	else
		pass "$name: no plain password in the manifests"
	fi
	if find "$dir/devices" -mindepth 1 -maxdepth 1 -name '.tmp-*' | grep -q .; then
		fail "$name: a temp device directory was left"
	fi
}

# usage and input errors
expect_exit 2 prov --count 20 -o b1 && grep -q 'sticker-sheet' "$WORK/err" &&
	pass "no --sticker-sheet: exit 2" || fail "no --sticker-sheet message"
[ ! -e b1 ] && pass "nothing written without a sticker sheet" || fail "b1 was created"
expect_exit 2 prov --count 0 -o b1 --sticker-sheet s1.csv && pass "--count 0: exit 2"
expect_exit 2 prov --count 5 -o b1 --sticker-sheet s1.csv --key-type rsa &&
	pass "--key-type rsa: exit 2"
expect_exit 2 "$IOTRUST" provision --bogus && pass "unknown option: exit 2"
echo "not a key" >garbage.pem
expect_exit 3 "$IOTRUST" provision --model CAM-100 --count 2 --ca garbage.pem --ca-cert "$ca_crt" \
	-o bx --sticker-sheet sx.csv && pass "bad CA key file: exit 3"
expect_exit 3 "$IOTRUST" provision --model CAM-100 --count 2 --ca "$ca_key" --ca-cert garbage.pem \
	-o bx --sticker-sheet sx.csv && pass "bad CA certificate file: exit 3"
expect_exit 0 "$IOTRUST" --help && grep -q provision "$WORK/out" && pass "listed in iotrust --help"
expect_exit 0 "$IOTRUST" provision --help && grep -q 'Examples' "$WORK/out" && pass "--help"

# a batch of 20 in two runs (yescrypt, Ed25519: the defaults)
expect_exit 0 prov --count 10 -o b1 --sticker-sheet s1.csv && pass "first 10 devices"
expect_exit 0 prov --count 20 -o b1 --sticker-sheet s1.csv && pass "continued to 20"
check_batch b1 s1.csv 20 "yescrypt/ed25519"
grep -q '^root:\$y\$' b1/devices/*00000001/shadow.line && pass "yescrypt is the default" ||
	fail "not yescrypt: $(cat b1/devices/*00000001/shadow.line)"
[ "$(stat -c %a s1.csv)" = 600 ] && pass "sticker sheet is mode 0600" || fail "sticker mode"
[ "$(stat -c %a b1/devices/*00000007/device.key)" = 600 ] && pass "device.key is mode 0600" ||
	fail "device.key mode"
openssl x509 -in b1/devices/*00000003/device.crt -noout -subject -ext keyUsage,extendedKeyUsage \
	>"$WORK/sub"
grep -q "serialNumber = CAM-100-.*-00000003, CN = CAM-100-.*-00000003" "$WORK/sub" &&
	grep -q 'Digital Signature' "$WORK/sub" && grep -q 'TLS Web Client' "$WORK/sub" &&
	pass "device certificate subject and usages" || fail "certificate: $(cat "$WORK/sub")"
pw=$(sed -n 2p s1.csv | cut -d, -f2)
[[ $pw =~ ^[2-9A-HJ-NP-Za-km-np-z]{16}$ ]] && pass "password from the sticker alphabet" ||
	fail "password '$pw'"

# a different CA or model on the same batch: exit 3, nothing changed
"$IOTRUST" provision ca-init -o ca2 >/dev/null
before=$(md5sum b1/manifest.csv b1/batch.json)
expect_exit 3 "$IOTRUST" provision --model CAM-100 --count 25 --ca ca2/ca.key --ca-cert ca2/ca.crt \
	-o b1 --sticker-sheet s1.csv && grep -q 'CA certificate' "$WORK/err" &&
	pass "another CA refused: exit 3 ($(head -c 100 "$WORK/err"))"
expect_exit 3 "$IOTRUST" provision --model CAM-200 --count 25 --ca "$ca_key" --ca-cert "$ca_crt" \
	-o b1 --sticker-sheet s1.csv && grep -q "model 'CAM-100'" "$WORK/err" &&
	pass "another model refused: exit 3"
[ "$before" = "$(md5sum b1/manifest.csv b1/batch.json)" ] && pass "refused runs changed nothing" ||
	fail "a refused run changed the batch"

# the lock: another process holds it
if command -v flock >/dev/null; then
	flock b1/.lock sleep 3 &
	holder=$!
	sleep 0.5
	expect_exit 3 prov --count 25 -o b1 --sticker-sheet s1.csv && grep -q lock "$WORK/err" &&
		pass "a locked batch is refused: exit 3"
	wait "$holder"
fi

# kill -9 in the middle of a batch, then the same command again
"$IOTRUST" provision --model CAM-100 --ca "$ca_key" --ca-cert "$ca_crt" -q --count 60 \
	--hash sha512crypt -o b2 --sticker-sheet s2.csv --serial-prefix K- >/dev/null &
runner=$! # the iotrust process itself, not a subshell
for _ in $(seq 1 200); do
	[ -f b2/manifest.csv ] && [ "$(wc -l <b2/manifest.csv)" -ge 8 ] && break
	sleep 0.05
done
kill -9 "$runner" 2>/dev/null || true
wait "$runner" 2>/dev/null || true
had=$(($(wc -l <b2/manifest.csv) - 1))
if [ "$had" -lt 60 ]; then
	pass "killed with -9 after $had complete devices"
else
	echo "note: the batch finished before the kill" >&2
fi
next_before=$(jq .next_serial b2/batch.json)
expect_exit 0 prov --count 60 --hash sha512crypt -o b2 --sticker-sheet s2.csv --serial-prefix K- &&
	pass "rerun after kill -9"
check_batch b2 s2.csv 60 "after kill -9"
# a serial handed out twice would show as two sticker lines (one per password)
if tail -n +2 b2/manifest.csv | cut -d, -f1 | LC_ALL=C sort -c -u &&
	[ -z "$(grep -v '^serial,' s2.csv | cut -d, -f1 | sort | uniq -d)" ] &&
	[ "$(jq .next_serial b2/batch.json)" -gt "$next_before" ]; then
	pass "no serial reused after the kill (next was $next_before; manifest strictly increasing)"
else
	fail "serials after the kill: $(grep -v '^serial,' s2.csv | cut -d, -f1 | sort | uniq -d)"
fi

# Ctrl-C (SIGINT) stops cleanly between two devices: exit 130, nothing to discard
"$IOTRUST" provision --model CAM-100 --ca "$ca_key" --ca-cert "$ca_crt" -q --count 2000 \
	--hash sha512crypt -o b4 --sticker-sheet s4.csv >/dev/null 2>"$WORK/int.err" &
runner=$!
for _ in $(seq 1 200); do
	[ -f b4/manifest.csv ] && [ "$(wc -l <b4/manifest.csv)" -ge 4 ] && break
	sleep 0.05
done
kill -INT "$runner"
rc=0
wait "$runner" || rc=$?
n4=$(($(wc -l <b4/manifest.csv) - 1))
[ "$rc" -eq 130 ] && grep -q 'interrupted' "$WORK/int.err" &&
	[ "$(find b4/devices -mindepth 1 -maxdepth 1 | wc -l)" -eq "$n4" ] &&
	[ "$(jq .next_serial b4/batch.json)" -eq $((n4 + 1)) ] &&
	pass "SIGINT: exit 130 after $n4 complete devices, no partial device" ||
	fail "SIGINT: exit $rc, $n4 in manifest, $(ls -A b4/devices | wc -l) directories"

# P-256 keys
expect_exit 0 prov --count 3 --key-type p256 --hash sha512crypt -o b3 --sticker-sheet s3.csv &&
	check_batch b3 s3.csv 3 "p256"
openssl pkey -in b3/devices/*00000001/device.key -noout -text 2>/dev/null | grep -q 'P-256' &&
	pass "P-256 device key" || fail "not a P-256 key"
grep -q '^root:\$6\$' b3/devices/*00000002/shadow.line && pass "--hash sha512crypt gives \$6\$" ||
	fail "not sha512crypt"
finish

#!/usr/bin/env bash
# Devices provisioned per second by `iotrust provision` (yescrypt and sha512crypt hashes,
# Ed25519 and P-256 keys), against the same work done with the tools a maker would
# otherwise script per device: `openssl genpkey` + `openssl req` + `openssl x509 -req`
# (key, CSR, certificate signed by the same CA) and `mkpasswd` (Debian's whois package)
# for the shadow hash, and a random password from /dev/urandom. Prints devices/s and the
# ratio. iotrust's figure includes its fsyncs (every device is durable before the next).
# Usage: bench/bench-provision.sh [path/to/iotrust]   (N_YES=40, N_SHA=200 devices)
set -euo pipefail
IOTRUST=$(realpath "${1:-build/iotrust}")
N_YES=${N_YES:-40}
N_SHA=${N_SHA:-200}
TMP=$(mktemp -d /tmp/iotrust-bench-prov-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
command -v openssl >/dev/null || { echo "bench: openssl is missing"; exit 1; }
have_mkpasswd=0
command -v mkpasswd >/dev/null && have_mkpasswd=1

"$IOTRUST" provision ca-init -o ca >/dev/null

now() { date +%s%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / ((b - a) / 1e9) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

# iotrust HASH KEY N: devices/s
bench_iotrust() {
	local hash=$1 key=$2 n=$3 t0 t1
	t0=$(now)
	"$IOTRUST" provision --model BENCH --count "$n" --ca ca/ca.key --ca-cert ca/ca.crt -q \
		--hash "$hash" --key-type "$key" -o "b-$hash-$key" --sticker-sheet "s-$hash-$key.csv" \
		>/dev/null
	t1=$(now)
	rate "$n" "$t0" "$t1"
}

# openssl CLI (+ mkpasswd) HASH KEY N: devices/s, one device after another
bench_cli() {
	local hash=$1 key=$2 n=$3 t0 t1 i d method keyopt
	method=$([ "$hash" = yescrypt ] && echo yescrypt || echo sha-512)
	if [ "$key" = p256 ]; then
		keyopt=(-algorithm EC -pkeyopt ec_paramgen_curve:P-256)
	else
		keyopt=(-algorithm ED25519)
	fi
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n'`
		`'extendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\n'`
		`'authorityKeyIdentifier=keyid:always\n' >ext.cnf
	mkdir -p "cli-$hash-$key"
	t0=$(now)
	for i in $(seq -w 1 "$n"); do
		d="cli-$hash-$key/BENCH-$i"
		mkdir "$d"
		openssl genpkey "${keyopt[@]}" -out "$d/device.key" 2>/dev/null
		openssl req -new -key "$d/device.key" -subj "/serialNumber=BENCH-$i/CN=BENCH-$i" \
			-out "$d/device.csr"
		openssl x509 -req -in "$d/device.csr" -CA ca/ca.crt -CAkey ca/ca.key \
			-set_serial "0x$(openssl rand -hex 16)" -days 7300 -extfile ext.cnf \
			-out "$d/device.crt" 2>/dev/null
		if [ "$have_mkpasswd" = 1 ]; then
			pw=$(LC_ALL=C tr -dc '2-9A-HJ-NP-Za-km-np-z' </dev/urandom | head -c 16)
			printf 'root:%s:0:0:99999:7:::\n' "$(mkpasswd -m "$method" "$pw")" >"$d/shadow.line"
		fi
	done
	t1=$(now)
	rate "$n" "$t0" "$t1"
}

echo "provisioning: devices per second (CA Ed25519; $(nproc) cores; $(openssl version))"
[ "$have_mkpasswd" = 1 ] || echo "  (mkpasswd missing: the CLI column has no password hash)"
printf '  %-24s %8s %14s %8s\n' "hash / key" "iotrust" "openssl+mkpasswd" "ratio"
for hash in yescrypt sha512crypt; do
	n=$([ "$hash" = yescrypt ] && echo "$N_YES" || echo "$N_SHA")
	for key in ed25519 p256; do
		a=$(bench_iotrust "$hash" "$key" "$n")
		b=$(bench_cli "$hash" "$key" "$((n < 40 ? n : 40))")
		printf '  %-24s %8s %14s %7sx   (%s devices)\n' "$hash / $key" "$a" "$b" \
			"$(ratio "$a" "$b")" "$n"
	done
done
# one yescrypt hash alone: the floor for a yescrypt batch
t0=$(now)
for _ in $(seq 20); do mkpasswd -m yescrypt x >/dev/null 2>&1 || true; done
t1=$(now)
echo "  mkpasswd -m yescrypt alone: $(rate 20 "$t0" "$t1") hashes/s (process start included)"

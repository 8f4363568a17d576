#!/usr/bin/env bash
# Install (as root) or name (otherwise) the Debian 12 packages a make target needs.
# Usage: scripts/deps.sh build|demo|check|fuzz|bench ...  — groups add up.
# Exit 0 when everything is present, 1 when a non-root user must run apt-get.
set -euo pipefail

build=(build-essential cmake pkg-config libarchive-dev libsquashfs-dev libfdt-dev
       libext2fs-dev zlib1g-dev liblzma-dev libzstd-dev libbz2-dev liblzo2-dev liblz4-dev
       libssl-dev libelf-dev libjansson-dev libpcre2-dev libcrypt-dev libsqlite3-dev
       libcurl4-openssl-dev libfyaml-dev libsodium-dev libqrencode-dev libpng-dev libzbar-dev libyajl-dev)
demo=(squashfs-tools u-boot-tools openssl xz-utils gzip ca-certificates)
check=(libcmocka-dev cpio tar zip unzip lzop zstd lz4 bzip2 e2fsprogs squashfs-tools-ng
       device-tree-compiler mtd-utils checksec jq
       dropbear-bin whois apache2-utils clang lld llvm python3 zbar-tools libxml2-utils
       chromium)
fuzz=(clang libclang-rt-14-dev)
bench=(binwalk hyperfine time bc jq)

want=()
for group in "$@"; do
	case "$group" in
	build) want+=("${build[@]}") ;;
	demo) want+=("${build[@]}" "${demo[@]}") ;;
	check) want+=("${build[@]}" "${demo[@]}" "${check[@]}") ;;
	fuzz) want+=("${fuzz[@]}") ;;
	bench) want+=("${bench[@]}") ;;
	*) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
# The output validators are npm packages; a machine without Node.js gets Debian's.
case " $* " in *" check "*)
	command -v npm >/dev/null || missing+=(nodejs npm) ;;
esac
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" -eq 0 ]; then
	echo "Installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "Some Debian packages are missing. Run this once, then retry:" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

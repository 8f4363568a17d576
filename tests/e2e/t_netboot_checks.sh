#!/usr/bin/env bash
# Inventory and checks on a real vendor image: the D-Link DNS-320 netboot.img
# of Debian's installer (package debian-installer-12-netboot-armel). What a
# reviewer finds by hand in its ramdisk, written down:
#  - etc/inittab starts `-/bin/sh` with askfirst on tty2 and tty3 (lines 8, 9):
#    a shell on a console without a login;
#  - the network-console's etc/ssh/sshd_config has PermitRootLogin yes (line 7)
#    and PasswordAuthentication yes (line 10);
#  - etc/passwd has a second uid-0 account, `installer` (locked; its password
#    is set when the installer runs), so low severity;
#  - bin/rdisc6 is setuid root, usr/bin/screen setgid utmp.
# The ramdisk's dpkg status database lists every udeb with its version, and
# the kernel banner gives the kernel version. ELF hardening is compared with
# checksec in t_checksec.sh.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit $SKIP; }

netboot_files "$DNS320"
img=$NETBOOT dns=$DNS320

expect_exit 0 "$IOTRUST" scan "$img/$dns" --quiet --format json -o "$WORK/r.json" \
	--extract "$WORK/x" || true
# the ramdisk's chain (netboot.img@0x...:uimage:gzip:cpio), from where etc/inittab is
ramdisk=$(jq -r '[.findings[] | select(.path == "etc/inittab") | .chain][0]' "$WORK/r.json")
case "$ramdisk" in netboot.img@0x*:uimage:gzip:cpio) pass "ramdisk $ramdisk" ;;
*) fail "no ramdisk chain ('$ramdisk')" ;; esac

# every finding that is not ELF hardening, exactly
jq -r '.findings[] | select(.check | startswith("elf.") | not)
	| "\(.check) \(.severity) \(.chain)!/\(.path):\(.line // 0)"' "$WORK/r.json" | sort >"$WORK/got"
sort >"$WORK/want" <<WANT
cred.uid0-nonroot low $ramdisk!/etc/passwd:2
fs.setuid low $ramdisk!/usr/bin/screen:0
fs.setuid medium $ramdisk!/bin/rdisc6:0
ssh.password-auth low $ramdisk!/etc/ssh/sshd_config:10
ssh.permit-root-login medium $ramdisk!/etc/ssh/sshd_config:7
svc.shell-without-login high $ramdisk!/etc/inittab:8
svc.shell-without-login high $ramdisk!/etc/inittab:9
WANT
if diff "$WORK/want" "$WORK/got" >"$WORK/diff"; then
	pass "the $(wc -l <"$WORK/want") findings a reviewer makes by hand, and no others"
else
	fail "findings differ (< expected, > reported):"; cat "$WORK/diff" >&2
fi

# every installed package of the status database, with its version, from dpkg
status="$WORK/x/$ramdisk/var/lib/dpkg/status"
awk '/^Package:/ {p=$2} /^Version:/ {print p, $2}' "$status" | sort >"$WORK/pkgs"
jq -r '.components[] | select(.found_by == "package-db") | "\(.name) \(.version)"' "$WORK/r.json" \
	| sort >"$WORK/comps"
n=$(wc -l <"$WORK/pkgs")
if [ "$n" -gt 90 ] && diff "$WORK/pkgs" "$WORK/comps" >"$WORK/pdiff"; then
	pass "$n packages of var/lib/dpkg/status, each with its version"
else
	fail "package components differ from the status database:"; head -20 "$WORK/pdiff" >&2
fi
cpe=$(jq -r '.components[] | select(.name == "openssh-server-udeb") | .cpe' "$WORK/r.json")
[ "$cpe" = "cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*" ] && pass "openssh CPE $cpe" \
	|| fail "openssh CPE '$cpe'"

# the kernel: version from the banner, upstream version for NVD from "Debian 6.1.x-y"
kv=$(jq -r '.components[] | select(.name == "linux-kernel") | "\(.version) \(.found_by) \(.cpe)"' "$WORK/r.json")
pkgv=$(awk '/^Package: kernel-image-/ {k=1} k && /^Version:/ {sub(/-[^-]*$/, "", $2); print $2; exit}' "$status")
abi=$(awk '/^Package: kernel-image-/ {sub(/^kernel-image-/, "", $2); sub(/-di$/, "", $2); print $2; exit}' "$status")
[ "$kv" = "$abi banner cpe:2.3:o:linux:linux_kernel:$pkgv:*:*:*:*:*:*:*" ] \
	&& pass "kernel from its banner: $kv" || fail "kernel component '$kv' (package says $pkgv)"
finish

/*
 * The services inspector over small trees packed by the real tar: daemons started at
 * boot from inittab, rcS/S?? scripts, rc links, systemd units, procd and inetd (and
 * only installed), console shells without login, UPnP, SSH login policy of OpenSSH,
 * dropbear and OpenWrt, and web servers started without TLS. Every positive case has
 * a negative twin that must stay silent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testinspect.h"
#include "testutil.h"

/* Write dir/rel (parents created) with mode. */
static void put(const struct test_dir *d, const char *rel, unsigned mode, const char *text)
{
	assert_int_equal(test_put(d->dir, rel, text, strlen(text), mode), 0);
}

static void link_to(const struct test_dir *d, const char *rel, const char *target)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", d->dir, rel);
	assert_int_equal(test_sh("mkdir -p \"$(dirname '%s')\"", path), 0);
	assert_int_equal(symlink(target, path), 0);
}

static const struct it_finding *expect_one(const struct test_inspect *t, const char *id,
                                           const char *path, unsigned line, int sev)
{
	if (test_findings(t, id, path) != 1)
		test_inspect_dump(t);
	assert_int_equal(test_findings(t, id, path), 1);
	const struct it_finding *f = test_finding(t, id, path);
	assert_non_null(f);
	assert_int_equal(f->line, line);
	assert_int_equal((int)f->severity, sev);
	return f;
}

/* BusyBox init: inittab and rcS-style S?? scripts, applets, presence only. */
static void test_busybox_boot(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "svc-bb"), 0);
	put(&d, "bin/busybox", 0755, "\177ELF fake busybox");
	link_to(&d, "bin/sh", "busybox");
	link_to(&d, "usr/sbin/telnetd", "../../bin/busybox");
	link_to(&d, "usr/sbin/ftpd", "../../bin/busybox");
	link_to(&d, "usr/bin/tftp", "../../bin/busybox"); /* a client, not tftpd */
	put(&d, "usr/bin/strace", 0755, "\177ELF strace");
	put(&d, "usr/share/bash-completion/completions/strace", 0644,
	    "complete -F _strace strace\n");
	put(&d, "etc/inittab", 0644,
	    "# BusyBox inittab\n"
	    "::sysinit:/bin/sh /etc/init.d/rcS\n"                      /* 2: a script run */
	    "ttyS0::respawn:/bin/sh\n"                                 /* 3: console shell */
	    "#::respawn:/usr/sbin/telnetd -l /bin/sh\n"                /* 4: commented out */
	    "tty1::respawn:/sbin/getty -L tty1 115200 vt100\n"         /* 5: getty with login */
	    "ttyS1::respawn:/sbin/getty -n -l /bin/ash 115200 ttyS1\n" /* 6: getty -> shell */
	    "tty2::askfirst:-/bin/sh\n"                                /* 7: askfirst shell */
	    "::shutdown:/bin/sh\n");                                   /* 8: not at boot */
	put(&d, "etc/init.d/rcS", 0755,
	    "#!/bin/sh\nfor s in /etc/init.d/S??*; do \"$s\" start; done\n");
	put(&d, "etc/init.d/S50telnet", 0755,
	    "#!/bin/sh\n"
	    "case \"$1\" in\n"
	    "start)\n"
	    "\techo \"starting telnetd\"\n"
	    "\t/usr/sbin/telnetd -p 23 -l /bin/sh ;;\n" /* line 5 */
	    "stop) killall telnetd ;;\n"
	    "esac\n");
	put(&d, "etc/init.d/S60notes", 0755,
	    "#!/bin/sh\n"
	    "cat <<EOF >/tmp/notes\n"
	    "/usr/sbin/ftpd -w /\n" /* here-document text, not a command */
	    "EOF\n"
	    "[ -x /usr/sbin/ftpd ] || exit 0\n");
	put(&d, "etc/ssh/sshd_config", 0644,
	    "PermitRootLogin no\nPasswordAuthentication no\nPermitEmptyPasswords no\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");

	/* telnetd: started by S50telnet, so the applet link itself is not reported */
	const struct it_finding *f =
	        expect_one(&t, "svc.telnetd", "etc/init.d/S50telnet", 5, IT_SEV_HIGH);
	assert_non_null(strstr(f->message, "started at boot by etc/init.d/S50telnet line 5"));
	assert_int_equal(test_findings(&t, "svc.telnetd", NULL), 1);
	/* ftpd: an applet nobody starts, one step lower */
	f = expect_one(&t, "svc.ftpd", "usr/sbin/ftpd", 0, IT_SEV_LOW);
	assert_non_null(strstr(f->message, "BusyBox applet"));
	assert_int_equal(test_findings(&t, "svc.ftpd", NULL), 1);
	assert_int_equal(test_findings(&t, "svc.tftpd", NULL), 0);
	/* strace in usr/bin, not the completion file */
	expect_one(&t, "svc.debug-tools", "usr/bin/strace", 0, IT_SEV_LOW);
	assert_int_equal(test_findings(&t, "svc.debug-tools", NULL), 1);
	/* console shells: lines 3, 6, 7; telnetd -l /bin/sh is critical */
	assert_int_equal(test_findings(&t, "svc.shell-without-login", "etc/inittab"), 3);
	size_t lines = 0;
	for (size_t i = 0; i < it_inspect_finding_count(t.in); i++) {
		const struct it_finding *x = it_inspect_finding(t.in, i);
		if (strcmp(x->check->id, "svc.shell-without-login") == 0 &&
		    strcmp(x->path, "etc/inittab") == 0)
			lines |= 1u << x->line;
	}
	assert_int_equal(lines, (1u << 3) | (1u << 6) | (1u << 7));
	expect_one(&t, "svc.shell-without-login", "etc/init.d/S50telnet", 5, IT_SEV_CRITICAL);
	/* sshd_config says no to everything */
	assert_int_equal(test_findings(&t, "ssh.permit-root-login", NULL), 0);
	assert_int_equal(test_findings(&t, "ssh.password-auth", NULL), 0);
	assert_int_equal(test_findings(&t, "ssh.permit-empty-passwords", NULL), 0);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* sysvinit rc links and systemd units decide what starts. */
static void test_sysv_systemd(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "svc-sysd"), 0);
	put(&d, "usr/sbin/in.tftpd", 0755, "\177ELF");
	put(&d, "usr/sbin/vsftpd", 0755, "\177ELF");
	put(&d, "usr/sbin/in.telnetd", 0755, "\177ELF");
	put(&d, "usr/bin/gdbserver", 0755, "\177ELF");
	put(&d, "etc/init.d/tftpd-hpa", 0755,
	    "#!/bin/sh\n"
	    "DAEMON=/usr/sbin/in.tftpd\n"
	    "OPTS=\"--listen\"\n"
	    "case \"$1\" in\n"
	    "start)\n"
	    "\tstart-stop-daemon --start --quiet --oknodo --exec $DAEMON -- $OPTS\n" /* 6 */
	    "\t;;\n"
	    "stop)\n"
	    "\tstart-stop-daemon --stop --quiet --exec $DAEMON\n"
	    "\t;;\n"
	    "esac\n");
	link_to(&d, "etc/rc2.d/S01tftpd-hpa", "../init.d/tftpd-hpa");
	link_to(&d, "etc/rc0.d/K01vsftpd", "../init.d/vsftpd"); /* a kill link enables nothing */
	put(&d, "etc/init.d/vsftpd", 0755, "#!/bin/sh\n/usr/sbin/vsftpd /etc/vsftpd.conf &\n");
	put(&d, "lib/systemd/system/telnet@.service", 0644,
	    "[Unit]\nDescription=Telnet\n[Service]\nExecStart=-/usr/sbin/in.telnetd\n"
	    "StandardInput=socket\n");
	put(&d, "lib/systemd/system/telnet.socket", 0644,
	    "[Socket]\nListenStream=23\nAccept=yes\n");
	link_to(&d, "etc/systemd/system/sockets.target.wants/telnet.socket",
	        "/lib/systemd/system/telnet.socket");
	put(&d, "etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf", 0644,
	    "[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --noclear %I "
	    "115200\n");
	put(&d, "lib/systemd/system/getty@.service", 0644,
	    "[Service]\nExecStart=-/sbin/agetty -o '-p -f -- \\\\u' --noclear %I $TERM\n");
	put(&d, "lib/systemd/system/debug-shell.service", 0644,
	    "[Service]\nExecStart=/bin/sh\nTTYPath=/dev/tty9\n");
	put(&d, "lib/systemd/system/gdbserver.service", 0644,
	    "[Service]\nExecStart=/usr/bin/gdbserver :1234 /usr/bin/app\n");
	link_to(&d, "etc/systemd/system/multi-user.target.wants/gdbserver.service",
	        "/lib/systemd/system/gdbserver.service");
	link_to(&d, "etc/systemd/system/gdbserver.service", "/dev/null");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");

	const struct it_finding *f =
	        expect_one(&t, "svc.tftpd", "etc/init.d/tftpd-hpa", 6, IT_SEV_MEDIUM);
	assert_non_null(strstr(f->message, "enabled by etc/rc2.d/S01tftpd-hpa"));
	f = expect_one(&t, "svc.ftpd", "etc/init.d/vsftpd", 2, IT_SEV_LOW);
	assert_non_null(strstr(f->message, "no rc link"));
	assert_int_equal(test_findings(&t, "svc.ftpd", NULL), 1);
	expect_one(&t, "svc.telnetd", "lib/systemd/system/telnet@.service", 4, IT_SEV_HIGH);
	assert_int_equal(test_findings(&t, "svc.telnetd", NULL), 1);
	/* the autologin override fires; the stock getty and debug-shell (not enabled) do not */
	expect_one(&t, "svc.shell-without-login", "autologin.conf", 3, IT_SEV_HIGH);
	assert_int_equal(test_findings(&t, "svc.shell-without-login", NULL), 1);
	/* gdbserver.service is masked: installed, not started */
	expect_one(&t, "svc.debug-tools", "lib/systemd/system/gdbserver.service", 2, IT_SEV_LOW);
	assert_int_equal(test_findings(&t, "svc.debug-tools", NULL), 1);
	test_inspect_free(&t);
	test_dir_close(&d);
}

static void openwrt_tree(const struct test_dir *d, int ttylogin, int password_auth)
{
	put(d, "etc/inittab", 0644,
	    "::sysinit:/etc/init.d/rcS S boot\n::shutdown:/etc/init.d/rcS K shutdown\n"
	    "::askconsole:/usr/libexec/login.sh\n");
	put(d, "usr/libexec/login.sh", 0755,
	    "#!/bin/sh\n[ \"$(uci -q get system.@system[0].ttylogin)\" = 1 ] || exec /bin/login -f "
	    "root\nexec /bin/login\n");
	put(d, "etc/config/system", 0644,
	    ttylogin ? "config system\n\toption hostname 'OpenWrt'\n\toption ttylogin '1'\n"
	             : "config system\n\toption hostname 'OpenWrt'\n\toption ttylogin '0'\n");
	put(d, "etc/config/dropbear", 0644,
	    password_auth ? "config dropbear\n\toption PasswordAuth 'on'\n"
	                    "\toption RootPasswordAuth 'on'\n\toption Port '22'\n"
	                  : "config dropbear\n\toption PasswordAuth 'off'\n"
	                    "\toption RootPasswordAuth 'off'\n\toption Port '22'\n");
	put(d, "etc/init.d/dropbear", 0755,
	    "#!/bin/sh /etc/rc.common\nSTART=19\nUSE_PROCD=1\nPROG=/usr/sbin/dropbear\n"
	    "start_service() {\n\tprocd_open_instance\n"
	    "\tprocd_set_param command \"$PROG\" -F -P \"$pid_file\"\n"
	    "\t[ \"${PasswordAuth}\" -eq 0 ] && procd_append_param command -s\n"
	    "\tprocd_close_instance\n}\n");
	link_to(d, "etc/rc.d/S19dropbear", "../init.d/dropbear");
	put(d, "etc/init.d/telnet", 0755,
	    "#!/bin/sh /etc/rc.common\nSTART=50\nUSE_PROCD=1\nstart_service() {\n"
	    "\tprocd_open_instance\n\tprocd_set_param command /usr/sbin/telnetd -F -l "
	    "/bin/login.sh\n"
	    "\tprocd_close_instance\n}\n");
	link_to(d, "etc/rc.d/S50telnet", "../init.d/telnet");
	put(d, "usr/sbin/miniupnpd", 0755, "\177ELF");
	put(d, "etc/config/upnpd", 0644,
	    "config upnpd 'config'\n\toption enabled '1'\n\toption internal_iface 'lan'\n");
	put(d, "etc/config/dhcp", 0644, "config dnsmasq\n\toption enable_tftp '0'\n");
}

static void test_openwrt(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "svc-owrt"), 0);
	openwrt_tree(&d, 0, 1);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	expect_one(&t, "svc.shell-without-login", "etc/inittab", 3, IT_SEV_HIGH);
	assert_int_equal(test_findings(&t, "svc.shell-without-login", NULL), 1);
	const struct it_finding *f =
	        expect_one(&t, "svc.telnetd", "etc/init.d/telnet", 6, IT_SEV_HIGH);
	assert_non_null(strstr(f->message, "enabled by etc/rc.d/S50telnet"));
	expect_one(&t, "ssh.permit-root-login", "etc/config/dropbear", 3, IT_SEV_MEDIUM);
	expect_one(&t, "ssh.password-auth", "etc/config/dropbear", 2, IT_SEV_LOW);
	assert_int_equal(test_findings(&t, "ssh.password-auth", NULL), 1); /* not the procd line */
	expect_one(&t, "svc.upnp", "etc/config/upnpd", 2, IT_SEV_MEDIUM);
	assert_int_equal(test_findings(&t, "svc.upnp", NULL), 1);
	assert_int_equal(test_findings(&t, "svc.tftpd", NULL), 0);
	test_inspect_free(&t);
	test_dir_close(&d);

	/* ttylogin 1, passwords off: the console asks for a login, dropbear is keys only */
	assert_int_equal(test_dir_open(&d, "svc-owrt2"), 0);
	openwrt_tree(&d, 1, 0);
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(test_findings(&t, "svc.shell-without-login", NULL), 0);
	assert_int_equal(test_findings(&t, "ssh.permit-root-login", NULL), 0);
	assert_int_equal(test_findings(&t, "ssh.password-auth", NULL), 0);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* OpenSSH: first value wins, Include order, Match blocks, the PasswordAuthentication default. */
static void test_sshd(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "svc-ssh"), 0);
	put(&d, "etc/ssh/sshd_config", 0644,
	    "Include /etc/ssh/sshd_config.d/*.conf\n"
	    "PasswordAuthentication yes\n" /* 2: overridden by the drop-in before it */
	    "PermitEmptyPasswords yes\n"   /* 3 */
	    "#PermitRootLogin yes\n"
	    "Match User backup\n"
	    "\tPermitRootLogin yes\n"); /* inside Match: not global */
	put(&d, "etc/ssh/sshd_config.d/50-cloud.conf", 0644, "PasswordAuthentication no\n");
	put(&d, "etc/ssh/sshd_config.d/README", 0644, "PermitRootLogin yes\n"); /* not *.conf */
	put(&d, "usr/etc/ssh/sshd_config", 0644, "Port 22\nPermitRootLogin=prohibit-password\n");
	put(&d, "etc/init.d/S40dropbear", 0755,
	    "#!/bin/sh\n/usr/sbin/dropbear -s -g -r /etc/dropbear/key -p 22\n");
	put(&d, "etc/default/dropbear", 0644, "NO_START=0\nDROPBEAR_EXTRA_ARGS=\"-w\"\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	expect_one(&t, "ssh.permit-empty-passwords", "etc/ssh/sshd_config", 3, IT_SEV_HIGH);
	assert_int_equal(test_findings(&t, "ssh.permit-root-login", NULL), 0);
	/* etc: PasswordAuthentication no from the drop-in; usr/etc: not set, default yes */
	assert_int_equal(test_findings(&t, "ssh.password-auth", "etc/ssh/sshd_config"), 1);
	const struct it_finding *f = test_finding(&t, "ssh.password-auth", "etc/ssh/sshd_config");
	assert_string_equal(f->path, "usr/etc/ssh/sshd_config");
	assert_int_equal(f->line, 0);
	assert_non_null(strstr(f->message, "default is yes"));
	/* dropbear -s -g: nothing; DROPBEAR_EXTRA_ARGS=-w: passwords still accepted */
	assert_int_equal(test_findings(&t, "ssh.password-auth", "S40dropbear"), 0);
	expect_one(&t, "ssh.password-auth", "etc/default/dropbear", 2, IT_SEV_LOW);
	assert_int_equal(test_findings(&t, "ssh.password-auth", NULL), 2);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* inetd and xinetd, web servers without TLS, a program linked with libupnp. */
static void test_inetd_web_upnp(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "svc-web"), 0);
	put(&d, "etc/inetd.conf", 0644,
	    "#ftp stream tcp nowait root /usr/sbin/tcpd in.ftpd\n"
	    "telnet stream tcp nowait root /usr/sbin/tcpd in.telnetd\n");
	put(&d, "etc/xinetd.d/tftp", 0644,
	    "service tftp\n{\n\tdisable = yes\n\tserver = /usr/sbin/in.tftpd\n}\n");
	put(&d, "bin/busybox", 0755, "\177ELF");
	link_to(&d, "usr/sbin/httpd", "../../bin/busybox");
	put(&d, "www/cgi-bin/login.cgi", 0755, "#!/bin/sh\necho ok\n");
	put(&d, "etc/init.d/S60httpd", 0755, "#!/bin/sh\n/usr/sbin/httpd -p 80 -h /www\n");
	put(&d, "etc/init.d/S61mini", 0755, "#!/bin/sh\nmini_httpd -S -d /www -p 443\n");
	put(&d, "etc/init.d/S62static", 0755, "#!/bin/sh\nthttpd -d /srv/static -p 8080\n");
	put(&d, "usr/bin/upnp-av", 0755,
	    "\177ELF............................................libupnp.so.17.......");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	const struct it_finding *f =
	        expect_one(&t, "svc.telnetd", "etc/inetd.conf", 2, IT_SEV_HIGH);
	assert_non_null(strstr(f->message, "inetd"));
	assert_int_equal(test_findings(&t, "svc.ftpd", NULL), 0);
	assert_int_equal(test_findings(&t, "svc.tftpd", NULL), 0);
	expect_one(&t, "web.plain-http-admin", "etc/init.d/S60httpd", 2, IT_SEV_MEDIUM);
	/* mini_httpd -S is TLS; thttpd's docroot has no cgi-bin */
	assert_int_equal(test_findings(&t, "web.plain-http-admin", NULL), 1);
	f = expect_one(&t, "svc.upnp", "usr/bin/upnp-av", 0, IT_SEV_LOW);
	assert_non_null(strstr(f->message, "libupnp"));
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* A BusyBox rcS that runs every script of init.d enables them all. */
static void test_rcs_loop(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "svc-loop"), 0);
	put(&d, "etc/init.d/rcS", 0755,
	    "#!/bin/sh\nfor i in /etc/init.d/* ; do\n\t[ \"$i\" = /etc/init.d/rcS ] || $i start\n"
	    "done\n");
	put(&d, "etc/init.d/utelnetd", 0755, "#!/bin/sh\n/sbin/utelnetd -d -l /bin/login\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	const struct it_finding *f =
	        expect_one(&t, "svc.telnetd", "etc/init.d/utelnetd", 2, IT_SEV_HIGH);
	assert_non_null(strstr(f->message, "enabled by etc/init.d/rcS"));
	assert_int_equal(test_findings(&t, "svc.shell-without-login", NULL), 0);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* Hostile text: no newline at the end, binary junk, a huge line. */
static void test_hostile(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "svc-junk"), 0);
	char *big = malloc(300000);
	assert_non_null(big);
	memset(big, 'a', 299990);
	memcpy(big + 299990, " telnetd", 9);
	put(&d, "etc/init.d/S01big", 0755, big);
	free(big);
	put(&d, "etc/inittab", 0644, "ttyS0::respawn:/bin/sh"); /* no newline */
	put(&d, "etc/init.d/S02quotes", 0755, "\"unterminated '\\\n$(( `x\n\\");
	char junk[64];
	for (int i = 0; i < 64; i++)
		junk[i] = (char)(i * 37 + 1);
	junk[63] = '\0';
	put(&d, "etc/init.d/S03junk", 0755, junk);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	expect_one(&t, "svc.shell-without-login", "etc/inittab", 1, IT_SEV_HIGH);
	assert_int_equal(test_findings(&t, "svc.telnetd", NULL), 0);
	test_inspect_free(&t);
	test_dir_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_busybox_boot),   cmocka_unit_test(test_sysv_systemd),
	        cmocka_unit_test(test_openwrt),        cmocka_unit_test(test_sshd),
	        cmocka_unit_test(test_inetd_web_upnp), cmocka_unit_test(test_rcs_loop),
	        cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

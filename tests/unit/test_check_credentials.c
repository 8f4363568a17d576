/*
 * The credentials inspector over small trees built with real tools (openssl passwd,
 * perl's crypt for DES, mkpasswd and htpasswd when installed): passwd/shadow accounts,
 * the default-password list and its time budget, htpasswd/htdigest files and
 * hard-coded credentials in scripts and configs. Negative cases must stay silent, and no
 * password may appear in a message or an evidence excerpt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iotrust/inspect.h"
#include "testinspect.h"
#include "testutil.h"

/* Write text to dir/rel (creating directories). */
static void put(const char *dir, const char *rel, const char *text)
{
	assert_int_equal(test_put(dir, rel, text, strlen(text), 0644), 0);
}

/* Run a shell script (set -e) inside dir. */
static void script(const char *dir, const char *text)
{
	put(dir, ".make.sh", text);
	assert_int_equal(test_sh("cd '%s' && sh -e .make.sh && rm .make.sh", dir), 0);
}

static int have(const char *tool)
{
	return test_sh("command -v %s >/dev/null", tool) == 0;
}

static void dump_if(const struct test_inspect *t, int cond)
{
	if (cond)
		test_inspect_dump(t);
}

/* The finding of id at exactly path and line, or NULL. */
static const struct it_finding *at_line(const struct test_inspect *t, const char *id,
                                        const char *path, unsigned line)
{
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++) {
		const struct it_finding *f = it_inspect_finding(t->in, i);
		if (strcmp(f->check->id, id) == 0 && strcmp(f->path, path) == 0 && f->line == line)
			return f;
	}
	return NULL;
}

/* Like at_line, but fails the test (after a dump) when there is none. */
static const struct it_finding *must(const struct test_inspect *t, const char *id, const char *path,
                                     unsigned line)
{
	const struct it_finding *f = at_line(t, id, path, line);
	if (!f) {
		test_inspect_dump(t);
		fail_msg("no finding %s at %s:%u", id, path, line);
	}
	return f;
}

/* No message or evidence of any finding contains one of the secrets. */
static void assert_no_secret(const struct test_inspect *t, const char *const *secrets)
{
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++) {
		const struct it_finding *f = it_inspect_finding(t->in, i);
		for (const char *const *s = secrets; *s; s++) {
			if (strstr(f->message, *s) || (f->evidence && strstr(f->evidence, *s))) {
				test_inspect_dump(t);
				fail_msg("finding %s:%u shows the secret '%s'", f->path, f->line,
				         *s);
			}
		}
	}
}

/* Findings of any check at a path ending with suffix. */
static size_t findings_at(const struct test_inspect *t, const char *suffix)
{
	size_t n = 0, m = strlen(suffix);
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++) {
		const char *p = it_inspect_finding(t->in, i)->path;
		n += strlen(p) >= m && strcmp(p + strlen(p) - m, suffix) == 0;
	}
	return n;
}

static size_t count_family(const struct test_inspect *t, const char *prefix)
{
	size_t n = 0;
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++)
		n += strncmp(it_inspect_finding(t->in, i)->check->id, prefix, strlen(prefix)) == 0;
	return n;
}

static const char accounts_script[] =
        "MD5_ADMIN=$(openssl passwd -1 -salt Xy12Ab34 admin)\n"
        "SHA_STRONG=$(openssl passwd -6 -salt q9W3e8R7t6Y5u4I3 \"$(openssl rand -hex 16)\")\n"
        "SHA_1234=$(openssl passwd -6 -salt Zx9Cv8Bn7Mq6Wp5E 1234)\n"
        "DES_VIZXV=$(perl -e 'print crypt(\"vizxv\", \"Qa\")')\n"
        "LOCKED=$(openssl passwd -6 -salt Lk0Lk1Lk2Lk3Lk4L xc3511)\n"
        "mkdir -p etc\n"
        "cat >etc/passwd <<EOF\n"
        "# passwd with comments and odd lines\n"
        "root:x:0:0:root:/root:/bin/sh\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "ops:x:1000:1000:operator:/home/ops:/bin/ash\n"
        "guest:x:1001:1001:guest:/tmp:/bin/sh\n"
        "nolog:x:1002:1002::/:/bin/false\n"
        "toor:x:0:0:second root:/root:/bin/sh\n"
        "svc:x:1003:1003:service:/:/bin/sh\n"
        "lockd:x:1004:1004:locked:/:/bin/sh\n"
        "ghost:x:1005:1005:no shadow entry:/:/bin/sh\n"
        "short\n"
        "+::::::\n"
        "operator:x:0:0\n"
        "EOF\n"
        "printf 'long:x:1006:1006:%s:/:/bin/sh\\n' \"$(head -c 6000 /dev/zero | tr '\\0' a)\" "
        ">>etc/passwd\n"
        "cat >etc/shadow <<EOF\n"
        "root:$MD5_ADMIN:19000:0:99999:7:::\n"
        "daemon:*:19000:0:99999:7:::\n"
        "ops:$SHA_STRONG:19000:0:99999:7:::\n"
        "guest::19000:0:99999:7:::\n"
        "nolog::19000:0:99999:7:::\n"
        "toor:$DES_VIZXV:19000:0:99999:7:::\n"
        "EOF\n"
        "printf 'svc:%s:19000::::::\\r\\n' \"$SHA_1234\" >>etc/shadow\n"
        "cat >>etc/shadow <<EOF\n"
        "lockd:!$LOCKED:19000:0:99999:7:::\n"
        "operator:!!:19000::::::\n"
        "EOF\n"
        "printf 'long::19000:::::' >>etc/shadow\n"
        /* a second file system without shadow: the hashes are in passwd */
        "mkdir -p rootfs2/etc\n"
        "ADMIN_MD5=$(openssl passwd -1 -salt Qq11Ww22 admin)\n"
        "cat >rootfs2/etc/passwd <<EOF\n"
        "root::0:0:root:/root:/bin/sh\n"
        "admin:$ADMIN_MD5:500:500:admin:/:/bin/sh\n"
        "nobody:*:65534:65534:nobody:/:/bin/false\n"
        "EOF\n"
        /* not an account file: wrong directory */
        "mkdir -p usr/share/doc/x\n"
        "printf 'root::0:0::/:/bin/sh\\n' >usr/share/doc/x/passwd\n";

static void test_accounts(void **state)
{
	(void)state;
	struct test_dir d;
	struct test_inspect t;
	assert_int_equal(test_dir_open(&d, "cred"), 0);
	script(d.dir, accounts_script);
	test_inspect_tree(&t, d.dir, "");

	/* root: MD5-crypt of "admin" */
	const struct it_finding *f = must(&t, "cred.default-password", "etc/shadow", 1);
	assert_int_equal(f->severity, IT_SEV_CRITICAL);
	assert_non_null(strstr(f->message, "account 'root'"));
	assert_non_null(strstr(f->message, "entry 3 of passwords/iot-default-passwords.txt"));
	f = must(&t, "cred.weak-hash", "etc/shadow", 1);
	assert_int_equal(f->severity, IT_SEV_MEDIUM);
	assert_non_null(strstr(f->message, "MD5-crypt"));
	assert_non_null(strstr(f->evidence, "root:$1…(34 chars redacted):19000"));

	/* guest: empty password and a login shell; nolog: empty but /bin/false */
	f = must(&t, "cred.empty-password", "etc/shadow", 4);
	assert_int_equal(f->severity, IT_SEV_HIGH);
	assert_non_null(strstr(f->message, "'guest'"));
	assert_int_equal(test_findings(&t, "cred.empty-password", "etc/shadow"), 1);

	/* toor: uid 0, DES crypt of a Mirai password */
	f = must(&t, "cred.uid0-nonroot", "etc/passwd", 7);
	assert_int_equal(f->severity, IT_SEV_HIGH);
	f = must(&t, "cred.weak-hash", "etc/shadow", 6);
	assert_int_equal(f->severity, IT_SEV_HIGH);
	assert_non_null(strstr(f->message, "DES"));
	f = must(&t, "cred.default-password", "etc/shadow", 6);
	assert_non_null(strstr(f->message, "entry 2 of"));

	/* svc: SHA-512-crypt is strong, but "1234" is a default (a CRLF line) */
	must(&t, "cred.default-password", "etc/shadow", 7);
	assert_null(at_line(&t, "cred.weak-hash", "etc/shadow", 7));

	/* operator: uid 0 but locked: low */
	f = must(&t, "cred.uid0-nonroot", "etc/passwd", 13);
	assert_int_equal(f->severity, IT_SEV_LOW);

	/* exact counts: ops (strong), daemon/lockd (locked), ghost, long: nothing */
	assert_int_equal(test_findings(&t, "cred.default-password", "etc/shadow"), 3);
	assert_int_equal(test_findings(&t, "cred.weak-hash", "etc/shadow"), 2);
	assert_int_equal(test_findings(&t, "cred.uid0-nonroot", "etc/passwd"), 2);

	/* the second file system: passwd only */
	f = must(&t, "cred.empty-password", "rootfs2/etc/passwd", 1);
	assert_int_equal(f->severity, IT_SEV_CRITICAL);
	f = must(&t, "cred.default-password", "rootfs2/etc/passwd", 2);
	assert_non_null(strstr(f->message, "user name as password"));
	must(&t, "cred.weak-hash", "rootfs2/etc/passwd", 2);
	assert_int_equal(findings_at(&t, "doc/x/passwd"), 0);

	dump_if(&t, count_family(&t, "cred.") != 11);
	assert_int_equal(count_family(&t, "cred."), 11);
	static const char *const secrets[] = {"vizxv", "1234", "xc3511", NULL};
	assert_no_secret(&t, secrets);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* yescrypt ($y$) and bcrypt from mkpasswd: strong schemes, still cracked. */
static void test_strong_schemes(void **state)
{
	(void)state;
	if (!have("mkpasswd")) {
		fprintf(stderr, "SKIP: mkpasswd (Debian package whois) is not installed\n");
		skip();
	}
	struct test_dir d;
	struct test_inspect t;
	assert_int_equal(test_dir_open(&d, "cred"), 0);
	/* yescrypt costs milliseconds per try: few hashes, so the budget suffices even
	 * under the sanitizers */
	script(d.dir, "mkdir -p etc\n"
	              "Y=$(mkpasswd -m yescrypt admin)\n"
	              "B=$(mkpasswd -m bcrypt -R 5 password)\n"
	              "printf 'root:x:0:0::/:/bin/sh\\nweb:x:1:1::/:/bin/sh\\n' >etc/passwd\n"
	              "printf 'root:%s:1::::::\\nweb:%s:1::::::\\n' \"$Y\" \"$B\" >etc/shadow\n");
	test_inspect_tree(&t, d.dir, "");
	must(&t, "cred.default-password", "etc/shadow", 1);
	must(&t, "cred.default-password", "etc/shadow", 2);
	assert_int_equal(test_findings(&t, "cred.default-password", NULL), 2);
	assert_int_equal(test_findings(&t, "cred.weak-hash", NULL), 0);
	test_inspect_free(&t);
	test_dir_close(&d);
}

struct feed {
	struct it_inspect *in;
	struct it_error err;
};

static int feed_entry(void *user, const struct it_entry *e)
{
	struct feed *f = user;
	return it_inspect_entry(f->in, e, &f->err) < 0;
}

/* With a budget of 0 ms no hash is tried, and the findings about a hash say so. */
static void test_budget(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "cred"), 0);
	script(d.dir, "mkdir -p etc\n"
	              "printf 'root:x:0:0::/:/bin/sh\\n' >etc/passwd\n"
	              "printf 'root:%s:1::::::\\n' \"$(openssl passwd -1 -salt Ab12Cd34 admin)\" "
	              ">etc/shadow\n");
	struct it_buf tar = IT_BUF_INIT, cmd = IT_BUF_INIT;
	it_buf_printf(&cmd, "tar -C '%s' --owner=0 --group=0 -cf - .", d.dir);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, &tar), 0);
	struct it_data *data;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_data_open(&data, NULL, &err), 0);
	struct it_inspect_options o;
	it_inspect_options_default(&o);
	o.data = data;
	o.crack_budget_ms = 0;
	struct test_inspect t = {data, NULL};
	assert_int_equal(it_inspect_new(&t.in, &o, &err), 0);
	struct feed f = {t.in, IT_ERROR_INIT};
	struct it_buf diags = IT_BUF_INIT;
	struct it_unpack_stats us;
	assert_int_equal(
	        test_unpack(NULL, tar.data, tar.len, NULL, feed_entry, &f, &diags, &us, &err), 0);
	assert_int_equal(it_inspect_finish(t.in, &err), 0);
	assert_int_equal(test_findings(&t, "cred.default-password", NULL), 0);
	const struct it_finding *w = must(&t, "cred.weak-hash", "etc/shadow", 1);
	assert_non_null(strstr(w->message, "stopped at the 0 ms budget after 0 of"));
	it_buf_free(&diags);
	it_buf_free(&tar);
	it_buf_free(&cmd);
	test_inspect_free(&t);
	test_dir_close(&d);
}

static const char web_script[] =
        "mkdir -p www/secure etc/lighttpd usr/share/man/man1\n"
        "CAM=$(openssl passwd -apr1 -salt Ab3dEf7h xc3511)\n"
        "SHA=\"{SHA}$(printf password | openssl dgst -sha1 -binary | base64)\"\n"
        "STRONG=$(openssl passwd -apr1 \"$(openssl rand -hex 12)\")\n"
        "printf 'cam:%s\\nuser2:%s\\nops:%s\\n' \"$CAM\" \"$SHA\" \"$STRONG\" "
        ">www/secure/.htpasswd\n"
        "D=$(printf 'web:Restricted:1234' | openssl md5 -r | cut -d' ' -f1)\n"
        "printf '# digest users\\nweb:Restricted:%s\\n' \"$D\" >etc/lighttpd/users.htdigest\n"
        "printf 'root:root\\n' >etc/lighttpd/lighttpd-plain.user\n"
        "printf 'see: http://httpd.apache.org/\\n' >usr/share/man/man1/htpasswd.1\n"
        "if command -v htpasswd >/dev/null; then\n"
        "  htpasswd -nbB bob \"$(openssl rand -hex 8)\" | head -1 >>www/secure/.htpasswd\n"
        "fi\n";

static void test_htpasswd(void **state)
{
	(void)state;
	struct test_dir d;
	struct test_inspect t;
	assert_int_equal(test_dir_open(&d, "cred"), 0);
	script(d.dir, web_script);
	int bcrypt = have("htpasswd");
	test_inspect_tree(&t, d.dir, "");
	const char *ht = "www/secure/.htpasswd";
	const struct it_finding *f = must(&t, "cred.htpasswd", ht, 1);
	assert_int_equal(f->severity, IT_SEV_HIGH);
	assert_non_null(strstr(f->message, "$apr1$"));
	/* our APR1 implementation against openssl's */
	f = must(&t, "cred.default-password", ht, 1);
	assert_non_null(strstr(f->message, "entry 1 of"));
	must(&t, "cred.default-password", ht, 2);                 /* {SHA} of "password" */
	assert_null(at_line(&t, "cred.default-password", ht, 3)); /* random */
	must(&t, "cred.htpasswd", ht, 3);
	must(&t, "cred.default-password", "etc/lighttpd/users.htdigest", 2);
	f = must(&t, "cred.htpasswd", "etc/lighttpd/users.htdigest", 2);
	assert_non_null(strstr(f->message, "htdigest"));
	f = must(&t, "cred.htpasswd", "etc/lighttpd/lighttpd-plain.user", 1);
	assert_non_null(strstr(f->message, "plain text"));
	must(&t, "cred.default-password", "etc/lighttpd/lighttpd-plain.user", 1);
	if (bcrypt) {
		f = must(&t, "cred.htpasswd", ht, 4);
		assert_int_equal(f->severity, IT_SEV_MEDIUM);
		assert_non_null(strstr(f->message, "bcrypt"));
	}
	assert_int_equal(test_findings(&t, "cred.htpasswd", NULL), 5 + (size_t)bcrypt);
	assert_int_equal(test_findings(&t, "cred.default-password", NULL), 4);
	assert_int_equal(findings_at(&t, "htpasswd.1"), 0);
	static const char *const secrets[] = {"xc3511", "1234", ":root", NULL};
	assert_no_secret(&t, secrets);
	test_inspect_free(&t);
	test_dir_close(&d);
}

static const char hardcoded_script[] =
        "mkdir -p etc/init.d etc/config www/js www/lang usr/bin usr/share/doc/app root\n"
        "cat >etc/init.d/S99app <<'EOF'\n"
        "#!/bin/sh\n"                                             /* 1 */
        "export API_PASSWORD=\"s3cr3t-Value\"\n"                  /* 2 yes */
        "echo \"root:Sup3rS3cret\" | chpasswd\n"                  /* 3 yes */
        "PASS=$1\n"                                               /* 4 */
        "PASSWORD=\"\"\n"                                         /* 5 */
        "pass=$(cat /tmp/pw)\n"                                   /* 6 */
        "# password=commented-out\n"                              /* 7 */
        "PASSWORD_FILE=/etc/app/pw\n"                             /* 8 */
        "sshpass -p 'hunter22' ssh admin@10.0.0.1\n"              /* 9 yes */
        "ftpget -u admin -p ftpPa55 host.example f\n"             /* 10 yes */
        "mosquitto_pub -h broker -u dev -P mqttPa55 -t t -m x\n"  /* 11 yes */
        "telnetd -p 2323 -l /bin/login\n"                         /* 12 */
        "dropbear -p 22 -r /etc/dropbear/dropbear_rsa_host_key\n" /* 13 */
        "PASS_MAX_DAYS=99999\n"                                   /* 14 */
        "TOKEN=${CLOUD_TOKEN:-}\n"                                /* 15 */
        "MSG_PASSWORD=\"Enter the password\"\n"                   /* 16 */
        "EOF\n"
        "printf 'network={\\n\\tssid=\"home\"\\n\\tpsk=\"wifiPassw0rd\"\\n}\\n' "
        ">etc/wpa_supplicant.conf\n"
        "printf 'interface=wlan0\\nwpa_key_mgmt=WPA-PSK\\nwpa_passphrase=HostapdPass1\\n' "
        ">etc/hostapd.conf\n"
        "printf \"config wifi-iface\\n\\toption encryption 'psk2'\\n\\toption key "
        "'UciWifiKey9'\\n\" >etc/config/wireless\n"
        "printf 'var cfg = {\"apiKey\": \"AIzaSyD-0123456789abcdefghijklmnopqrstu\"};\\n' "
        ">www/js/app.js\n"
        "printf '{\"password\": \"Password\", \"confirm_password\": \"Confirm "
        "password\"}\\n' >www/lang/en.json\n"
        "printf '<input type=\"password\" name=\"password\" value=\"\">\\n' >www/login.html\n"
        "printf 'cloud:\\n  aws_access_key_id: AKIA2E0A8F3B244C9986\\n"
        "  url: \"mqtts://device:MqTtPaSs@broker.example.com:8883\"\\n' "
        ">etc/cloud.yaml\n"
        "printf 'machine ftp.example.com login fw password NetrcPass7\\n' >root/.netrc\n"
        "printf 'psk=\"DemoOnly99\"\\n' >etc/wpa_supplicant.conf.example\n"
        "printf 'password=DocPassword1\\n' >usr/share/doc/app/README\n"
        "printf '\\177ELF\\0\\0password=BinPassword1\\0' >usr/bin/agent\n"
        "printf 'secret = pass:insta\\n' >etc/openssl.cnf\n"
        "printf 'passwd: files\\nshadow: files\\n' >etc/nsswitch.conf\n";

static void test_hardcoded(void **state)
{
	(void)state;
	struct test_dir d;
	struct test_inspect t;
	assert_int_equal(test_dir_open(&d, "cred"), 0);
	script(d.dir, hardcoded_script);
	test_inspect_tree(&t, d.dir, "");
	static const unsigned init_lines[] = {2, 3, 9, 10, 11};
	for (size_t i = 0; i < sizeof(init_lines) / sizeof(init_lines[0]); i++)
		must(&t, "cred.hardcoded", "etc/init.d/S99app", init_lines[i]);
	assert_int_equal(test_findings(&t, "cred.hardcoded", "etc/init.d/S99app"), 5);
	const struct it_finding *f = must(&t, "cred.hardcoded", "etc/init.d/S99app", 2);
	assert_string_equal(f->evidence, "export API_PASSWORD=\"s3…(12 chars redacted)\"");
	assert_non_null(strstr(f->message, "'API_PASSWORD'"));
	assert_int_equal(f->severity, IT_SEV_HIGH);
	must(&t, "cred.hardcoded", "etc/wpa_supplicant.conf", 3);
	must(&t, "cred.hardcoded", "etc/hostapd.conf", 3);
	assert_int_equal(test_findings(&t, "cred.hardcoded", "etc/hostapd.conf"), 1);
	must(&t, "cred.hardcoded", "etc/config/wireless", 3);
	assert_int_equal(test_findings(&t, "cred.hardcoded", "etc/config/wireless"), 1);
	must(&t, "cred.hardcoded", "www/js/app.js", 1);
	f = must(&t, "cred.hardcoded", "etc/cloud.yaml", 2);
	assert_non_null(strstr(f->message, "AWS access key id"));
	f = must(&t, "cred.hardcoded", "etc/cloud.yaml", 3);
	assert_non_null(strstr(f->message, "URL"));
	must(&t, "cred.hardcoded", "root/.netrc", 1);
	f = must(&t, "cred.hardcoded", "etc/wpa_supplicant.conf.example", 1);
	assert_int_equal(f->severity, IT_SEV_LOW);
	/* silent: labels, form fields, docs, binaries, upstream samples */
	assert_int_equal(findings_at(&t, "www/lang/en.json"), 0);
	assert_int_equal(findings_at(&t, "www/login.html"), 0);
	assert_int_equal(findings_at(&t, "README"), 0);
	assert_int_equal(findings_at(&t, "usr/bin/agent"), 0);
	assert_int_equal(findings_at(&t, "etc/openssl.cnf"), 0);
	assert_int_equal(findings_at(&t, "etc/nsswitch.conf"), 0);
	dump_if(&t, test_findings(&t, "cred.hardcoded", NULL) != 13);
	assert_int_equal(test_findings(&t, "cred.hardcoded", NULL), 13);
	static const char *const secrets[] = {
	        "s3cr3t-Value", "Sup3rS3cret",  "hunter22",    "ftpPa55",    "mqttPa55",
	        "wifiPassw0rd", "HostapdPass1", "UciWifiKey9", "AIzaSyD-01", "AKIA2E0A8F3B",
	        "MqTtPaSs",     "NetrcPass7",   "DemoOnly99",  NULL};
	assert_no_secret(&t, secrets);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* Hostile account files: binary junk, a huge line, no newline: no crash, no finding. */
static void test_hostile(void **state)
{
	(void)state;
	struct test_dir d;
	struct test_inspect t;
	assert_int_equal(test_dir_open(&d, "cred"), 0);
	script(d.dir, "mkdir -p etc www\n"
	              "head -c 200000 /dev/urandom >etc/shadow\n"
	              "{ printf 'root:'; head -c 300000 /dev/zero | tr '\\0' x; } >etc/passwd\n"
	              "head -c 100000 /dev/urandom | tr -d '\\0' >www/.htpasswd\n"
	              "printf ':::\\n::\\n:\\n\\n' >>www/.htpasswd\n"
	              /* one 650 KB line of 30000 token matches: one finding, fast */
	              "awk 'BEGIN { for (i = 0; i < 30000; i++) printf \"AKIA2E0A8F3B244C%04d \", "
	              "i % 10000; print \"\" }' >etc/tokens.conf\n");
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(test_findings(&t, "cred.empty-password", NULL), 0);
	assert_int_equal(test_findings(&t, "cred.uid0-nonroot", NULL), 0);
	assert_int_equal(test_findings(&t, "cred.weak-hash", NULL), 0);
	assert_int_equal(test_findings(&t, "cred.hardcoded", "etc/tokens.conf"), 1);
	test_inspect_free(&t);
	test_dir_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_accounts),  cmocka_unit_test(test_strong_schemes),
	        cmocka_unit_test(test_budget),    cmocka_unit_test(test_htpasswd),
	        cmocka_unit_test(test_hardcoded), cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

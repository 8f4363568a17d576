/*
 * The configuration inspector over small trees packed by the real tar: wildcard
 * listeners, weak TLS protocols and ciphers per syntax, web administration over plain
 * HTTP, update clients with and without verification, insecure update scripts,
 * secure-boot hints (a signed U-Boot control DTB built with dtc) and privacy hosts.
 * Each positive case sits next to a negative one that must stay silent.
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

static void put(const struct test_dir *d, const char *rel, unsigned mode, const char *text)
{
	assert_int_equal(test_put(d->dir, rel, text, strlen(text), mode), 0);
}

/* The single finding of id at path (suffix), at line; fails with a dump otherwise. */
static const struct it_finding *expect_one(const struct test_inspect *t, const char *id,
                                           const char *path, unsigned line)
{
	if (test_findings(t, id, path) != 1)
		test_inspect_dump(t);
	assert_int_equal(test_findings(t, id, path), 1);
	const struct it_finding *f = test_finding(t, id, path);
	assert_int_equal(f->line, line);
	return f;
}

static void expect_none(const struct test_inspect *t, const char *id, const char *path)
{
	if (test_findings(t, id, path) != 0)
		test_inspect_dump(t);
	assert_int_equal(test_findings(t, id, path), 0);
}

static void test_listen_all(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "cfg-listen"), 0);
	put(&d, "etc/dnsmasq.conf", 0644,
	    "# DNS\ndomain-needed\nlisten-address=127.0.0.1,0.0.0.0\n");
	put(&d, "etc/dnsmasq.d/lan.conf", 0644, "interface=br-lan\nlisten-address=192.168.1.1\n");
	put(&d, "etc/lighttpd/lighttpd.conf", 0644,
	    "server.port = 8080\nserver.bind = \"0.0.0.0\"\n");
	put(&d, "etc/nginx/nginx.conf", 0644,
	    "http {\n  server {\n    listen 127.0.0.1:8080;\n  }\n  server {\n    listen 80;\n  "
	    "}\n}\n");
	put(&d, "etc/mosquitto/mosquitto.conf", 0644, "listener 8883 127.0.0.1\nlistener 1883\n");
	put(&d, "etc/mosquitto/conf.d/local.conf", 0644, "port 1884\nbind_address 127.0.0.1\n");
	put(&d, "etc/ssh/sshd_config", 0644, "#ListenAddress 0.0.0.0\nListenAddress ::\n");
	put(&d, "etc/redis/redis.conf", 0644, "bind 127.0.0.1 ::1\n");
	put(&d, "etc/app.yaml", 0644, "server:\n  host: \"0.0.0.0\"\n  port: 8000\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	const struct it_finding *f = expect_one(&t, "svc.listen-all", "etc/dnsmasq.conf", 3);
	assert_string_equal(f->evidence, "listen-address=127.0.0.1,0.0.0.0");
	assert_int_equal((int)f->severity, IT_SEV_LOW);
	expect_none(&t, "svc.listen-all", "lan.conf");
	expect_one(&t, "svc.listen-all", "lighttpd.conf", 2);
	expect_one(&t, "svc.listen-all", "nginx.conf", 6);
	expect_one(&t, "svc.listen-all", "mosquitto.conf", 2);
	expect_none(&t, "svc.listen-all", "local.conf");
	expect_one(&t, "svc.listen-all", "sshd_config", 2);
	expect_none(&t, "svc.listen-all", "redis.conf");
	expect_one(&t, "svc.listen-all", "app.yaml", 2);
	assert_int_equal(test_findings(&t, "svc.listen-all", NULL), 6);
	test_inspect_free(&t);
	test_dir_close(&d);
}

static void test_tls(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "cfg-tls"), 0);
	put(&d, "etc/nginx/conf.d/a.conf", 0644,
	    "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n"
	    "ssl_ciphers HIGH:!aNULL:!MD5:!RC4;\n"
	    "ssl_ciphers 'ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA';\n");
	put(&d, "etc/nginx/conf.d/b.conf", 0644,
	    "ssl_protocols TLSv1.2 TLSv1.3;\nssl_ciphers ECDHE+AESGCM:!aNULL;\n");
	put(&d, "etc/ssl/openssl.cnf", 0644,
	    "[system_default_sect]\nMinProtocol = TLSv1\nCipherString = DEFAULT@SECLEVEL=2\n");
	put(&d, "usr/lib/ssl/openssl.cnf", 0644, "MinProtocol = TLSv1.2\n");
	put(&d, "etc/lighttpd/lighttpd.conf", 0644,
	    "ssl.use-sslv3 = \"enable\"\n"
	    "ssl.openssl.ssl-conf-cmd = (\"MinProtocol\" => \"TLSv1.2\", \"CipherString\" => "
	    "\"EECDH+AESGCM:EXP-RC4-MD5\")\n");
	put(&d, "etc/stunnel/stunnel.conf", 0644, "[https]\nsslVersion = all\n");
	put(&d, "etc/mosquitto/mosquitto.conf", 0644, "tls_version tlsv1.2\nciphers HIGH\n");
	put(&d, "etc/apache2/mods-enabled/ssl.conf", 0644,
	    "SSLProtocol all -SSLv3\nSSLCipherSuite HIGH:!aNULL\n");
	put(&d, "etc/apache2/sites-enabled/good", 0644, "SSLProtocol all -SSLv3 -TLSv1 -TLSv1.1\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	expect_one(&t, "tls.weak-protocol", "a.conf", 1);
	const struct it_finding *f = expect_one(&t, "tls.weak-cipher", "a.conf", 3);
	assert_non_null(strstr(f->message, "DES-CBC3-SHA"));
	expect_none(&t, "tls.weak-protocol", "b.conf");
	expect_none(&t, "tls.weak-cipher", "b.conf");
	expect_one(&t, "tls.weak-protocol", "etc/ssl/openssl.cnf", 2);
	expect_none(&t, "tls.weak-cipher", "etc/ssl/openssl.cnf");
	expect_none(&t, "tls.weak-protocol", "usr/lib/ssl/openssl.cnf");
	expect_one(&t, "tls.weak-protocol", "lighttpd.conf", 1);
	expect_one(&t, "tls.weak-cipher", "lighttpd.conf", 2);
	expect_one(&t, "tls.weak-protocol", "stunnel.conf", 2);
	expect_none(&t, "tls.weak-protocol", "mosquitto.conf");
	expect_one(&t, "tls.weak-protocol", "ssl.conf", 1);
	expect_none(&t, "tls.weak-protocol", "sites-enabled/good");
	assert_int_equal(test_findings(&t, "tls.weak-protocol", NULL), 5);
	assert_int_equal(test_findings(&t, "tls.weak-cipher", NULL), 2);
	test_inspect_free(&t);
	test_dir_close(&d);
}

static void test_web_admin(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "cfg-web"), 0);
	/* OpenWrt's shipped uhttpd config redirects to HTTPS; a vendor copy does not */
	put(&d, "etc/config/uhttpd", 0644,
	    "config uhttpd main\n"
	    "\tlist listen_http\t'192.168.1.1:80'\n"
	    "\tlist listen_https\t'192.168.1.1:443'\n"
	    "\toption redirect_https\t1\n"
	    "\toption home\t/www\n"
	    "config uhttpd vendor\n"
	    "\tlist listen_http\t'192.168.1.1:8080'\n" /* 7 */
	    "\toption home\t/www2\n");
	put(&d, "etc/lighttpd/lighttpd.conf", 0644,
	    "server.modules = ( \"mod_access\", \"mod_cgi\" )\n"
	    "server.port = 80\n"
	    "cgi.assign = ( \".cgi\" => \"\" )\n"
	    "$SERVER[\"socket\"] == \"192.168.1.1:443\" {\n  ssl.engine = \"enable\"\n}\n");
	put(&d, "etc/nginx/sites-enabled/app", 0644,
	    "server {\n  listen 192.168.1.1:80;\n  location / { proxy_pass http://127.0.0.1:9000; "
	    "}\n}\n"
	    "server {\n  listen 192.168.1.1:8081;\n  return 301 https://$host$request_uri;\n"
	    "  location / { proxy_pass http://127.0.0.1:9000; }\n}\n"
	    "server {\n  listen 192.168.1.1:443 ssl;\n  location / { fastcgi_pass unix:/run/f; "
	    "}\n}\n");
	put(&d, "etc/boa/boa.conf", 0644,
	    "Port 80\nDocumentRoot /www\nScriptAlias /cgi-bin/ /www/cgi-bin/\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	const struct it_finding *f = expect_one(&t, "web.plain-http-admin", "etc/config/uhttpd", 7);
	assert_non_null(strstr(f->message, "without redirect_https"));
	expect_one(&t, "web.plain-http-admin", "lighttpd.conf", 2);
	expect_one(&t, "web.plain-http-admin", "sites-enabled/app", 2);
	expect_one(&t, "web.plain-http-admin", "boa.conf", 3);
	assert_int_equal(test_findings(&t, "web.plain-http-admin", NULL), 4);
	expect_none(&t, "svc.listen-all", NULL);
	test_inspect_free(&t);
	test_dir_close(&d);

	/* lighttpd redirecting plain HTTP to HTTPS is fine */
	assert_int_equal(test_dir_open(&d, "cfg-web2"), 0);
	put(&d, "etc/lighttpd/lighttpd.conf", 0644,
	    "server.modules = ( \"mod_cgi\", \"mod_redirect\" )\nserver.port = 80\n"
	    "$HTTP[\"scheme\"] == \"http\" {\n  url.redirect = (\"\" => "
	    "\"https://${url.authority}${url.path}\")\n}\n");
	test_inspect_tree(&t, d.dir, "");
	expect_none(&t, "web.plain-http-admin", NULL);
	test_inspect_free(&t);
	test_dir_close(&d);
}

static void test_updates(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "cfg-upd"), 0);
	put(&d, "usr/bin/swupdate", 0755, "\177ELF");
	put(&d, "usr/bin/rauc", 0755, "\177ELF");
	put(&d, "etc/rauc/system.conf", 0644,
	    "[system]\ncompatible=acme\n[keyring]\npath=/etc/rauc/ca.cert.pem\n");
	put(&d, "sbin/sysupgrade", 0755, "#!/bin/sh\necho upgrade\n");
	put(&d, "etc/opkg/keys/b5043e70f9a75cde", 0644, "untrusted comment: public key\nRWS...\n");
	put(&d, "bin/opkg", 0755, "\177ELF");
	put(&d, "etc/opkg.conf", 0644, "dest root /\nlists_dir ext /var/opkg-lists\n");
	put(&d, "usr/bin/apt-get", 0755, "\177ELF");
	put(&d, "etc/apt/sources.list.d/vendor.list", 0644,
	    "deb [trusted=yes] http://updates.vendor.example/ stable main\n");
	put(&d, "usr/sbin/fw_update.sh", 0755,
	    "#!/bin/sh\n# fetch the new firmware\n"
	    "curl -sk https://updates.vendor.example/fw.bin -o /tmp/fw.bin\n" /* 3 */
	    "mtd write /tmp/fw.bin firmware\n");
	put(&d, "usr/sbin/upgrade-check", 0755,
	    "#!/bin/sh\nwget -O /tmp/image.bin \"$URL\"\n"
	    "[ \"$(md5sum /tmp/image.bin | cut -d' ' -f1)\" = \"$SUM\" ] || exit 1\n" /* 3 */
	    "sysupgrade /tmp/image.bin\n");
	put(&d, "usr/sbin/upgrade-signed", 0755,
	    "#!/bin/sh\nwget -O /tmp/image.bin \"$URL\"\nmd5sum /tmp/image.bin\n"
	    "openssl dgst -sha256 -verify /etc/fw.pub -signature /tmp/image.sig /tmp/image.bin\n");
	put(&d, "usr/bin/backup.sh", 0755, "#!/bin/sh\ncurl -k https://nas.local/backup -T x\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(test_findings(&t, "update.client-present", NULL), 5);
	const struct it_finding *f = expect_one(&t, "update.client-present", "usr/bin/swupdate", 0);
	assert_int_equal((int)f->severity, IT_SEV_INFO);
	f = expect_one(&t, "update.no-signature-check", "usr/bin/swupdate", 0);
	assert_non_null(strstr(f->message, "public key"));
	expect_none(&t, "update.no-signature-check", "usr/bin/rauc");
	expect_none(&t, "update.no-signature-check", "sbin/sysupgrade");
	f = expect_one(&t, "update.no-signature-check", "bin/opkg", 0);
	assert_non_null(strstr(f->message, "check_signature"));
	assert_null(strstr(f->message, "usign public keys"));
	expect_one(&t, "update.no-signature-check", "vendor.list", 1);
	expect_one(&t, "update.no-signature-check", "fw_update.sh", 3);
	expect_one(&t, "update.no-signature-check", "upgrade-check", 3);
	expect_none(&t, "update.no-signature-check", "upgrade-signed");
	expect_none(&t, "update.no-signature-check", "backup.sh");
	assert_int_equal(test_findings(&t, "update.no-signature-check", NULL), 5);
	test_inspect_free(&t);
	test_dir_close(&d);
}

static void test_secure_boot(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "cfg-boot"), 0);
	put(&d, "u-boot.dts", 0644,
	    "/dts-v1/;\n/ {\n\tmodel = \"acme\";\n\tsignature {\n\t\tkey-dev {\n"
	    "\t\t\trequired = \"conf\";\n\t\t\talgo = \"sha256,rsa2048\";\n"
	    "\t\t\tkey-name-hint = \"dev\";\n\t\t};\n\t};\n};\n");
	put(&d, "plain.dts", 0644, "/dts-v1/;\n/ {\n\tmodel = \"acme\";\n};\n");
	assert_int_equal(test_sh("cd '%s' && mkdir -p boot && dtc -q -I dts -O dtb -o "
	                         "boot/u-boot.dtb u-boot.dts && dtc -q -I dts -O dtb -o "
	                         "boot/board.dtb plain.dts && rm u-boot.dts plain.dts",
	                         d.dir),
	                 0);
	put(&d, "boot/config-5.10.0", 0644,
	    "CONFIG_DM_VERITY=y\n# CONFIG_EVM is not set\nCONFIG_IMA_APPRAISE=y\n");
	put(&d, "etc/ima/ima-policy", 0644, "appraise func=BPRM_CHECK appraise_type=imasig\n");
	put(&d, "boot/uEnv.txt", 0644,
	    "bootargs=console=ttyS0 dm-mod.create=\"vroot,,,ro,0 1 verity 1 ...\"\n");
	put(&d, "etc/fstab", 0644, "/dev/root / squashfs ro 0 0\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	const struct it_finding *f = expect_one(&t, "boot.secure-boot-hint", "boot/u-boot.dtb", 0);
	assert_non_null(strstr(f->message, "key-dev"));
	assert_non_null(strstr(f->message, "conf"));
	expect_none(&t, "boot.secure-boot-hint", "boot/board.dtb");
	f = expect_one(&t, "boot.secure-boot-hint", "boot/config-5.10.0", 0);
	assert_non_null(strstr(f->message, "CONFIG_DM_VERITY, CONFIG_IMA_APPRAISE"));
	expect_one(&t, "boot.secure-boot-hint", "etc/ima/ima-policy", 0);
	expect_one(&t, "boot.secure-boot-hint", "boot/uEnv.txt", 1);
	assert_int_equal(test_findings(&t, "boot.secure-boot-hint", NULL), 4);
	test_inspect_free(&t);
	test_dir_close(&d);
}

static void test_privacy(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "cfg-priv"), 0);
	put(&d, "etc/cloud.conf", 0644,
	    "endpoint=a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com\n"
	    "backup=mqtt.acme-connected.example\n"
	    "# old=hub.azure-devices.net\n"
	    "hub=Acme-Hub.azure-devices.net\n"
	    "api=a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com\n"); /* same host: once */
	put(&d, "www/index.html", 0644,
	    "<script src=\"analytics.js\"></script>\n"
	    "<script async src=\"https://www.googletagmanager.com/gtag/js?id=G-X\"></script>\n"
	    "<a href=\"mailto:support@acme.com\">support</a>\n");
	put(&d, "usr/bin/reporter", 0755,
	    "#!/bin/sh\ncurl -d @/tmp/stats https://telemetry.acme-devices.com/v1/ingest\n");
	put(&d, "usr/share/doc/sdk/README", 0644,
	    "see https://console.aws.amazon.com and "
	    "x.iot.us-east-1.amazonaws.com\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(test_findings(&t, "privacy.hardcoded-cloud-host", "etc/cloud.conf"), 2);
	const struct it_finding *f =
	        test_finding(&t, "privacy.hardcoded-cloud-host", "etc/cloud.conf");
	assert_int_equal(f->line, 1);
	assert_string_equal(f->evidence, "a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com");
	assert_non_null(strstr(f->message, "Amazon Web Services"));
	f = expect_one(&t, "privacy.telemetry-endpoint", "www/index.html", 2);
	assert_string_equal(f->evidence, "www.googletagmanager.com");
	f = expect_one(&t, "privacy.telemetry-endpoint", "usr/bin/reporter", 2);
	assert_non_null(strstr(f->message, "telemetry"));
	assert_int_equal(test_findings(&t, "privacy.telemetry-endpoint", NULL), 2);
	assert_int_equal(test_findings(&t, "privacy.hardcoded-cloud-host", NULL), 2);
	test_inspect_free(&t);
	test_dir_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_listen_all),  cmocka_unit_test(test_tls),
	        cmocka_unit_test(test_web_admin),   cmocka_unit_test(test_updates),
	        cmocka_unit_test(test_secure_boot), cmocka_unit_test(test_privacy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

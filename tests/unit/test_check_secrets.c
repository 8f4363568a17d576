/*
 * The secrets inspector over trees built with real tools (openssl genpkey/req/ca,
 * ssh-keygen, dropbearkey when installed): private keys of every format, SSH host keys,
 * self-signed, expired and weak certificates, and the trust stores that must stay
 * silent. Then both credential and secret inspectors on real firmware: the demo image
 * (every planted cred.*, key.* and cert.* weakness, and nothing else of those families)
 * and Debian's DNS-320 netboot.img when it is in the cache.
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

static void put(const char *dir, const char *rel, const char *text)
{
	assert_int_equal(test_put(dir, rel, text, strlen(text), 0644), 0);
}

/* Run a shell script (set -e) inside dir, with $S set to a scratch directory. */
static void script(const char *dir, const char *scratch, const char *text)
{
	put(dir, ".make.sh", text);
	assert_int_equal(test_sh("cd '%s' && S='%s' sh -e .make.sh && rm .make.sh", dir, scratch),
	                 0);
}

static int have(const char *tool)
{
	return test_sh("command -v %s >/dev/null", tool) == 0;
}

static const struct it_finding *at(const struct test_inspect *t, const char *id, const char *path)
{
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++) {
		const struct it_finding *f = it_inspect_finding(t->in, i);
		if (strcmp(f->check->id, id) == 0 && strcmp(f->path, path) == 0)
			return f;
	}
	return NULL;
}

static const struct it_finding *must(const struct test_inspect *t, const char *id, const char *path)
{
	const struct it_finding *f = at(t, id, path);
	if (!f) {
		test_inspect_dump(t);
		fail_msg("no finding %s at %s", id, path);
	}
	return f;
}

static size_t findings_at(const struct test_inspect *t, const char *path)
{
	size_t n = 0;
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++)
		n += strcmp(it_inspect_finding(t->in, i)->path, path) == 0;
	return n;
}

static size_t count_prefix(const struct test_inspect *t, const char *prefix)
{
	size_t n = 0;
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++)
		n += strncmp(it_inspect_finding(t->in, i)->check->id, prefix, strlen(prefix)) == 0;
	return n;
}

static void expect_count(const struct test_inspect *t, const char *id, size_t want)
{
	size_t got = test_findings(t, id, NULL);
	if (got != want) {
		test_inspect_dump(t);
		fail_msg("%zu findings of %s, expected %zu", got, id, want);
	}
}

/* The first line of a scratch file, without its newline (static buffer). */
static const char *first_line(const char *dir, const char *name)
{
	static char line[256];
	struct it_buf b = IT_BUF_INIT, p = IT_BUF_INIT;
	it_buf_printf(&p, "%s/%s", dir, name);
	assert_int_equal(read_file(it_buf_str(&p), &b), 0);
	snprintf(line, sizeof(line), "%s", it_buf_str(&b));
	line[strcspn(line, "\n")] = 0;
	it_buf_free(&b);
	it_buf_free(&p);
	return line;
}

static const char keys_script[] =
        "mkdir -p etc/ssl/private etc/keys root/.ssh usr/bin\n"
        "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
        "-out etc/ssl/private/pkcs8.key 2>/dev/null\n"
        "openssl genrsa -traditional -out etc/ssl/private/rsa1024.pem 1024 2>/dev/null\n"
        "openssl ecparam -name prime256v1 -genkey -noout -out etc/ssl/private/ec.pem\n"
        "openssl genpkey -algorithm ed25519 -out etc/keys/ed25519.pem\n"
        "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -aes256 -pass pass:x "
        "-out etc/keys/enc8.pem 2>/dev/null\n"
        "openssl rsa -in etc/ssl/private/rsa1024.pem -traditional -aes128 -passout pass:x "
        "-out etc/keys/legacy-enc.pem 2>/dev/null\n"
        "openssl pkey -in etc/ssl/private/ec.pem -outform DER -out etc/keys/device.der\n"
        "openssl pkey -in etc/ssl/private/pkcs8.key -pubout -out etc/keys/update-pub.pem\n"
        "head -5 etc/ssl/private/pkcs8.key >etc/keys/truncated.pem\n"
        "ssh-keygen -q -t ed25519 -N '' -C x -f root/.ssh/id_ed25519\n"
        "ssh-keygen -lf root/.ssh/id_ed25519.pub | cut -d' ' -f2 >\"$S/id.fp\"\n"
        "ssh-keygen -q -t ed25519 -N secret -a 2 -C x -f root/.ssh/id_enc\n"
        /* a daemon with a key compiled in, next to PEM format strings */
        "{ printf '\\177ELF\\0\\0\\0-----BEGIN %%s-----\\0'; cat etc/ssl/private/ec.pem;\n"
        "  printf '\\0-----BEGIN OPENSSH PRIVATE KEY-----\\0junk\\0"
        "-----END OPENSSH PRIVATE KEY-----\\0'; } >usr/bin/daemon\n";

static void test_private_keys(void **state)
{
	(void)state;
	struct test_dir d, s;
	struct test_inspect t;
	assert_int_equal(test_dir_open(&d, "sec"), 0);
	assert_int_equal(test_dir_open(&s, "sec-scratch"), 0);
	script(d.dir, s.dir, keys_script);
	test_inspect_tree(&t, d.dir, "");
	const struct it_finding *f = must(&t, "key.private-in-image", "etc/ssl/private/pkcs8.key");
	assert_int_equal(f->severity, IT_SEV_HIGH);
	assert_int_equal(f->line, 1);
	assert_non_null(strstr(f->message, "unencrypted private key (RSA 2048 bits)"));
	f = must(&t, "key.private-in-image", "etc/ssl/private/rsa1024.pem");
	assert_non_null(strstr(f->message, "RSA 1024 bits"));
	assert_string_equal(f->evidence, "PEM PKCS#1 RSA (RSA 1024 bits)");
	f = must(&t, "key.private-in-image", "etc/ssl/private/ec.pem");
	assert_non_null(strstr(f->message, "EC 256 bits"));
	f = must(&t, "key.private-in-image", "etc/keys/ed25519.pem");
	assert_non_null(strstr(f->message, "ED25519"));
	f = must(&t, "key.private-in-image", "etc/keys/enc8.pem");
	assert_int_equal(f->severity, IT_SEV_MEDIUM);
	assert_non_null(strstr(f->message, "encrypted private key (encrypted PKCS#8)"));
	f = must(&t, "key.private-in-image", "etc/keys/legacy-enc.pem");
	assert_int_equal(f->severity, IT_SEV_MEDIUM);
	f = must(&t, "key.private-in-image", "etc/keys/device.der");
	assert_non_null(strstr(f->message, "EC 256 bits, DER"));
	f = must(&t, "key.private-in-image", "root/.ssh/id_ed25519");
	assert_non_null(strstr(f->message, "OpenSSH ssh-ed25519 256 bits"));
	assert_non_null(strstr(f->evidence, first_line(s.dir, "id.fp")));
	f = must(&t, "key.private-in-image", "root/.ssh/id_enc");
	assert_int_equal(f->severity, IT_SEV_MEDIUM);
	assert_non_null(strstr(f->message, "encrypted"));
	f = must(&t, "key.private-in-image", "usr/bin/daemon");
	assert_int_equal(f->line, 0);
	assert_non_null(strstr(f->message, "embedded in a binary at offset 0x1a"));
	assert_int_equal(test_findings(&t, "key.private-in-image", "usr/bin/daemon"), 1);
	/* public keys, a truncated block and format strings are no keys */
	assert_int_equal(findings_at(&t, "etc/keys/update-pub.pem"), 0);
	assert_int_equal(findings_at(&t, "root/.ssh/id_ed25519.pub"), 0);
	assert_int_equal(findings_at(&t, "etc/keys/truncated.pem"), 0);
	expect_count(&t, "key.private-in-image", 10);
	/* never key material, nor its armour */
	for (size_t i = 0; i < it_inspect_finding_count(t.in); i++) {
		const struct it_finding *x = it_inspect_finding(t.in, i);
		assert_null(strstr(x->evidence ? x->evidence : "", "MII"));
		assert_null(strstr(x->evidence ? x->evidence : "", "-----BEGIN"));
		assert_null(strstr(x->message, "-----BEGIN"));
		assert_true(!x->evidence || strlen(x->evidence) <= 200);
	}
	test_inspect_free(&t);
	test_dir_close(&d);
	test_dir_close(&s);
}

static const char hostkeys_script[] =
        "mkdir -p etc/ssh etc/dropbear etc/dropbear2\n"
        "ssh-keygen -q -t ed25519 -N '' -C root@dev -f etc/ssh/ssh_host_ed25519_key\n"
        "ssh-keygen -lf etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f2 >\"$S/ed.fp\"\n"
        "ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C root@dev -f etc/ssh/ssh_host_rsa_key\n"
        ": >etc/ssh/ssh_host_ecdsa_key\n"
        "ln -s /var/run/dropbear/dropbear_ecdsa_host_key etc/dropbear/dropbear_ecdsa_host_key\n"
        "if command -v dropbearkey >/dev/null; then\n"
        "  for t in rsa ed25519; do\n"
        "    dropbearkey -t $t -f etc/dropbear/dropbear_${t}_host_key >/dev/null 2>&1\n"
        "    dropbearkey -y -f etc/dropbear/dropbear_${t}_host_key | sed -n "
        "'s/^Fingerprint: //p' >\"$S/db_$t.fp\"\n"
        "  done\n"
        "  dropbearkey -t ecdsa -s 256 -f etc/dropbear2/dropbear_ecdsa_host_key >/dev/null 2>&1\n"
        "  dropbearkey -y -f etc/dropbear2/dropbear_ecdsa_host_key | sed -n "
        "'s/^Fingerprint: //p' >\"$S/db_ecdsa.fp\"\n"
        "fi\n";

static void test_host_keys(void **state)
{
	(void)state;
	struct test_dir d, s;
	struct test_inspect t;
	assert_int_equal(test_dir_open(&d, "sec"), 0);
	assert_int_equal(test_dir_open(&s, "sec-scratch"), 0);
	script(d.dir, s.dir, hostkeys_script);
	int dropbear = have("dropbearkey");
	test_inspect_tree(&t, d.dir, "");
	const struct it_finding *f =
	        must(&t, "key.ssh-host-key-baked", "etc/ssh/ssh_host_ed25519_key");
	assert_int_equal(f->severity, IT_SEV_HIGH);
	assert_non_null(strstr(f->message, "OpenSSH format, ssh-ed25519 256 bits"));
	assert_non_null(strstr(f->message, first_line(s.dir, "ed.fp")));
	f = must(&t, "key.ssh-host-key-baked", "etc/ssh/ssh_host_rsa_key");
	assert_non_null(strstr(f->message, "PEM format, RSA 2048 bits"));
	/* empty and symlinked host keys are made on the device */
	assert_int_equal(findings_at(&t, "etc/ssh/ssh_host_ecdsa_key"), 0);
	assert_int_equal(findings_at(&t, "etc/dropbear/dropbear_ecdsa_host_key"), 0);
	assert_int_equal(findings_at(&t, "etc/ssh/ssh_host_ed25519_key.pub"), 0);
	if (dropbear) {
		f = must(&t, "key.ssh-host-key-baked", "etc/dropbear/dropbear_rsa_host_key");
		assert_non_null(strstr(f->message, "Dropbear format, ssh-rsa"));
		assert_non_null(strstr(f->message, first_line(s.dir, "db_rsa.fp")));
		f = must(&t, "key.ssh-host-key-baked", "etc/dropbear/dropbear_ed25519_host_key");
		assert_non_null(strstr(f->message, "Dropbear format, ssh-ed25519 256 bits"));
		assert_non_null(strstr(f->message, first_line(s.dir, "db_ed25519.fp")));
		f = must(&t, "key.ssh-host-key-baked", "etc/dropbear2/dropbear_ecdsa_host_key");
		assert_non_null(strstr(f->message, "ecdsa-sha2-nistp256 256 bits"));
		assert_non_null(strstr(f->message, first_line(s.dir, "db_ecdsa.fp")));
	} else {
		fprintf(stderr, "SKIP (part): dropbearkey (dropbear-bin) is not installed\n");
	}
	expect_count(&t, "key.ssh-host-key-baked", dropbear ? 5 : 2);
	/* a host key is not also reported as a private key */
	expect_count(&t, "key.private-in-image", 0);
	test_inspect_free(&t);
	test_dir_close(&d);
	test_dir_close(&s);
}

static const char certs_script[] =
        "mkdir -p etc/ssl/certs etc/ssl/private etc/httpd etc/pki/roots etc/acme "
        "usr/share/ca-certificates/mozilla\n"
        "cat >\"$S/ca.cnf\" <<EOF\n"
        "[ca]\ndefault_ca = t\n[t]\ndatabase = $S/index.txt\nnew_certs_dir = $S\n"
        "serial = $S/serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n"
        "[p]\ncommonName = supplied\nEOF\n"
        ": >\"$S/index.txt\"; echo 1000 >\"$S/serial\"\n"
        "ss() { n=$1; shift; openssl req -x509 -nodes -subj \"/CN=$n\" -days 3650 \"$@\" "
        "2>/dev/null; }\n"
        /* self-signed RSA-1024 device certificate, key not shipped */
        "openssl req -x509 -newkey rsa:1024 -nodes -keyout \"$S/dev.key\" "
        "-out etc/ssl/certs/dev.crt -subj /CN=dev.local -days 30 2>/dev/null\n"
        "openssl x509 -in etc/ssl/certs/dev.crt -outform DER -out etc/ssl/dev.der\n"
        /* self-signed with its key shipped, even with a CA key usage */
        "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
        "-out etc/ssl/private/server.key 2>/dev/null\n"
        "openssl req -x509 -key etc/ssl/private/server.key -out etc/httpd/server.pem "
        "-subj /CN=camera.local -days 3650 -addext keyUsage=critical,keyCertSign\n"
        /* an expired SHA-1 leaf signed by a CA */
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout \"$S/ca.key\" -out \"$S/ca.crt\" "
        "-subj '/CN=Test CA' -days 3650 2>/dev/null\n"
        "openssl req -new -newkey rsa:2048 -nodes -keyout \"$S/leaf.key\" -out \"$S/leaf.csr\" "
        "-subj /CN=old.local 2>/dev/null\n"
        "openssl ca -batch -config \"$S/ca.cnf\" -cert \"$S/ca.crt\" -keyfile \"$S/ca.key\" "
        "-in \"$S/leaf.csr\" -out etc/ssl/old.crt -md sha1 -startdate 20100101000000Z "
        "-enddate 20110101000000Z -notext 2>/dev/null\n"
        /* trust stores: a bundle (with an expired SHA-1 root), a directory of roots, a root
         * with a CA key usage, a store path */
        "openssl req -new -newkey rsa:2048 -nodes -keyout \"$S/r.key\" -out \"$S/r.csr\" "
        "-subj '/CN=Old Root' 2>/dev/null\n"
        "printf '[v3]\\nbasicConstraints=critical,CA:true\\n' >\"$S/ext.cnf\"\n"
        "openssl ca -batch -selfsign -config \"$S/ca.cnf\" -keyfile \"$S/r.key\" "
        "-in \"$S/r.csr\" -out \"$S/oldroot.crt\" -md sha1 -startdate 20000101000000Z "
        "-enddate 20050101000000Z -notext -extfile \"$S/ext.cnf\" -extensions v3 2>/dev/null\n"
        "{ cat \"$S/oldroot.crt\"; ss 'Root A' -newkey rsa:2048 -keyout \"$S/a.key\";\n"
        "  ss 'Root B' -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout \"$S/b.key\"; } "
        ">etc/ssl/certs/ca-certificates.crt\n"
        "for n in 1 2 3; do ss \"Dir Root $n\" -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
        "-keyout \"$S/d$n.key\" -out etc/pki/roots/root$n.pem; done\n"
        "ss 'Acme Cloud CA' -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout \"$S/c.key\" "
        "-addext keyUsage=critical,keyCertSign,cRLSign -out etc/acme/cloud.pem\n"
        "ss 'Mozilla Root' -newkey rsa:1024 -keyout \"$S/m.key\" "
        "-out usr/share/ca-certificates/mozilla/Some_Root.crt\n"
        /* not certificates */
        "openssl req -new -key etc/ssl/private/server.key -subj /CN=x -out etc/ssl/req.csr\n";

static void test_certificates(void **state)
{
	(void)state;
	struct test_dir d, s;
	struct test_inspect t;
	assert_int_equal(test_dir_open(&d, "sec"), 0);
	assert_int_equal(test_dir_open(&s, "sec-scratch"), 0);
	script(d.dir, s.dir, certs_script);
	test_inspect_tree(&t, d.dir, "");
	const struct it_finding *f = must(&t, "cert.self-signed", "etc/ssl/certs/dev.crt");
	assert_int_equal(f->severity, IT_SEV_MEDIUM);
	assert_non_null(strstr(f->message, "'CN=dev.local' (RSA 1024 bits"));
	f = must(&t, "cert.weak-key", "etc/ssl/certs/dev.crt");
	assert_non_null(strstr(f->message, "RSA key of 1024 bits"));
	assert_int_equal(f->severity, IT_SEV_MEDIUM);
	must(&t, "cert.self-signed", "etc/ssl/dev.der");
	must(&t, "cert.weak-key", "etc/ssl/dev.der");
	f = must(&t, "cert.self-signed", "etc/httpd/server.pem");
	assert_non_null(strstr(f->message, "its private key is in the image too "
	                                   "(etc/ssl/private/server.key)"));
	f = must(&t, "cert.expired", "etc/ssl/old.crt");
	assert_non_null(strstr(f->message, "expired on 2011-01-01"));
	f = must(&t, "cert.weak-key", "etc/ssl/old.crt");
	assert_non_null(strstr(f->message, "SHA1 signature"));
	assert_null(at(&t, "cert.self-signed", "etc/ssl/old.crt"));
	/* trust anchors and non-certificates stay silent */
	assert_int_equal(findings_at(&t, "etc/ssl/certs/ca-certificates.crt"), 0);
	assert_int_equal(findings_at(&t, "etc/pki/roots/root1.pem"), 0);
	assert_int_equal(findings_at(&t, "etc/acme/cloud.pem"), 0);
	assert_int_equal(findings_at(&t, "usr/share/ca-certificates/mozilla/Some_Root.crt"), 0);
	assert_int_equal(findings_at(&t, "etc/ssl/req.csr"), 0);
	expect_count(&t, "cert.self-signed", 3);
	expect_count(&t, "cert.weak-key", 3);
	expect_count(&t, "cert.expired", 1);
	expect_count(&t, "key.private-in-image", 1); /* server.key */
	test_inspect_free(&t);
	test_dir_close(&d);
	test_dir_close(&s);
}

/* Hostile PEM: huge labels, BEGIN without END, endless BEGINs, junk bodies. */
static void test_hostile_pem(void **state)
{
	(void)state;
	struct test_dir d, s;
	struct test_inspect t;
	assert_int_equal(test_dir_open(&d, "sec"), 0);
	assert_int_equal(test_dir_open(&s, "sec-scratch"), 0);
	script(d.dir, s.dir,
	       "mkdir -p etc/ssl etc/ssh etc/dropbear\n"
	       "i=0; while [ $i -lt 3000 ]; do printf -- '-----BEGIN CERTIFICATE-----\\n'; "
	       "i=$((i+1)); done >etc/ssl/many.pem\n"
	       "{ printf -- '-----BEGIN PRIVATE KEY-----\\n'; head -c 100000 /dev/urandom | "
	       "base64; printf -- '-----END PRIVATE KEY-----\\n'; } >etc/ssl/junk.key\n"
	       "{ printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\\n'; printf "
	       "'openssh-key-v1\\0\\377\\377\\377\\377' | base64; "
	       "printf -- '-----END OPENSSH PRIVATE KEY-----\\n'; } >etc/ssh/ssh_host_bad_key\n"
	       "printf '\\0\\0\\0\\007ssh-rsa\\377\\377\\377\\377' "
	       ">etc/dropbear/dropbear_rsa_host_key\n"
	       "head -c 70000 /dev/urandom >etc/ssl/random.der\n"
	       "printf -- '-----BEGIN %%s-----' >etc/ssl/fmt.pem\n");
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(count_prefix(&t, "key."), 0);
	assert_int_equal(count_prefix(&t, "cert."), 0);
	test_inspect_free(&t);
	test_dir_close(&d);
	test_dir_close(&s);
}

/* --- real firmware -------------------------------------------------------------- */

static int family(const char *id)
{
	return strncmp(id, "cred.", 5) == 0 || strncmp(id, "key.", 4) == 0 ||
	       strncmp(id, "cert.", 5) == 0;
}

/* Every cred/key/cert row of demo-weaknesses.tsv is found, and no other pair of those
 * families is reported. */
static void test_demo_firmware(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "sec-demo"), 0);
	const char *fixtures = test_data("../fixtures");
	struct it_buf log = IT_BUF_INIT, p = IT_BUF_INIT;
	it_buf_printf(&p, "%s/build.log", d.dir);
	if (test_sh("bash '%s/build-demo-firmware.sh' '%s/out' >'%s/build.log' 2>&1", fixtures,
	            d.dir, d.dir) != 0) {
		read_file(it_buf_str(&p), &log);
		int offline = strstr(it_buf_str(&log), "apt-get") != NULL;
		it_buf_free(&log);
		it_buf_free(&p);
		test_dir_close(&d);
		if (offline) {
			fprintf(stderr, "SKIP: the demo firmware needs Debian packages\n");
			skip();
		}
		fail_msg("build-demo-firmware.sh failed");
	}
	struct test_inspect t;
	it_buf_truncate(&p, 0);
	it_buf_printf(&p, "%s/out/demo-firmware.bin", d.dir);
	test_inspect_file(&t, it_buf_str(&p));
	struct it_buf tsv = IT_BUF_INIT;
	it_buf_truncate(&p, 0);
	it_buf_printf(&p, "%s/demo-weaknesses.tsv", fixtures);
	assert_int_equal(read_file(it_buf_str(&p), &tsv), 0);
	/* rows "check<TAB>/path<TAB>why" */
	char *save = NULL, *text = (char *)tsv.data;
	size_t want = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');
		if (!tab || !family(line))
			continue;
		*tab = 0;
		char *path = tab + 2, *end = strchr(path, '\t');
		if (end)
			*end = 0;
		if (test_findings(&t, line, path) == 0) {
			test_inspect_dump(&t);
			fail_msg("demo: %s at /%s not found", line, path);
		}
		want++;
	}
	assert_true(want >= 9);
	/* nothing else of these families: every finding's pair is in the file */
	it_buf_truncate(&tsv, 0);
	it_buf_truncate(&p, 0);
	it_buf_printf(&p, "%s/demo-weaknesses.tsv", fixtures);
	assert_int_equal(read_file(it_buf_str(&p), &tsv), 0);
	for (size_t i = 0; i < it_inspect_finding_count(t.in); i++) {
		const struct it_finding *f = it_inspect_finding(t.in, i);
		if (!family(f->check->id))
			continue;
		struct it_buf pair = IT_BUF_INIT;
		it_buf_printf(&pair, "\n%s\t/%s\t", f->check->id, f->path);
		if (!strstr(it_buf_str(&tsv), it_buf_str(&pair))) {
			test_inspect_dump(&t);
			fail_msg("demo: %s at /%s is not a planted weakness", f->check->id,
			         f->path);
		}
		it_buf_free(&pair);
	}
	it_buf_free(&tsv);
	it_buf_free(&p);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* Debian's D-Link DNS-320 netboot.img: what a reviewer finds by hand is one extra uid 0
 * account ("installer", locked in the image: network-console sets its password at run
 * time). The CA store in etc/ssl/certs is silent, and no host key is baked (the
 * installer generates them). */
static void test_netboot(void **state)
{
	(void)state;
	struct it_buf out = IT_BUF_INIT;
	if (run_filter("find \"${IOTRUST_CACHE:-$HOME/.cache/iotrust}/netboot\" -name netboot.img "
	               "-path '*dns-320*' 2>/dev/null | head -1",
	               NULL, 0, &out) != 0 ||
	    out.len == 0) {
		it_buf_free(&out);
		fprintf(stderr, "SKIP: netboot.img is not in the cache\n");
		skip();
	}
	char *path = (char *)out.data;
	path[strcspn(path, "\n")] = 0;
	struct test_inspect t;
	test_inspect_file(&t, path);
	const struct it_finding *f = test_finding(&t, "cred.uid0-nonroot", "etc/passwd");
	if (!f || count_prefix(&t, "cred.") != 1 || count_prefix(&t, "key.") != 0 ||
	    count_prefix(&t, "cert.") != 0) {
		test_inspect_dump(&t);
		fail_msg("netboot: expected exactly one cred.uid0-nonroot and no key./cert.");
	}
	assert_non_null(strstr(f->message, "'installer'"));
	assert_int_equal(f->severity, IT_SEV_LOW);
	test_inspect_free(&t);
	it_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_private_keys),  cmocka_unit_test(test_host_keys),
	        cmocka_unit_test(test_certificates),  cmocka_unit_test(test_hostile_pem),
	        cmocka_unit_test(test_demo_firmware), cmocka_unit_test(test_netboot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

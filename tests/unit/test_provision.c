/*
 * Device provisioning (include/iotrust/provision.h): the sticker alphabet and password
 * entropy, rejection sampling without modulo bias, crypt hashes checked with crypt_r,
 * certificate fields read back with OpenSSL, uniqueness over 100,000 identities, the batch
 * directory (resume after a crash at every step, no serial reused, refusing another CA or
 * model, the lock) and the batch.json parser.
 */
#include <crypt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "iotrust/provision.h"
#include "testutil.h"

/* --- helpers ------------------------------------------------------------------------ */

static void path_of(char *out, size_t n, const char *dir, const char *rel)
{
	snprintf(out, n, "%s/%s", dir, rel);
}

static char *slurp(const char *path)
{
	struct it_buf b = IT_BUF_INIT;
	if (read_file(path, &b) < 0)
		fail_msg("cannot read %s", path);
	if (!b.data)
		it_buf_puts(&b, "");
	return it_buf_detach(&b);
}

static int count_lines(const char *text)
{
	int n = 0;
	for (const char *p = text; *p; p++)
		n += *p == '\n';
	return n;
}

static X509 *load_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	X509 *c = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(c);
	return c;
}

static void make_ca(const char *dir, const char *sub, char *key, char *crt, size_t n)
{
	char d[200];
	struct it_error err = IT_ERROR_INIT;
	path_of(d, sizeof d, dir, sub);
	if (it_prov_ca_create(d, IT_PROV_KEY_ED25519, "/CN=Test Maker CA/O=Test Maker", 365, &err) <
	    0)
		fail_msg("ca_create: %s", err.message);
	snprintf(key, n, "%s/ca.key", d);
	snprintf(crt, n, "%s/ca.crt", d);
}

struct batch_fx {
	struct test_dir dir;
	char key[256], crt[256], out[256], sticker[256];
	struct it_prov_options o;
};

static void batch_fx_open(struct batch_fx *f, const char *tag, uint32_t count)
{
	memset(f, 0, sizeof *f);
	assert_int_equal(test_dir_open(&f->dir, tag), 0);
	make_ca(f->dir.dir, "ca", f->key, f->crt, sizeof f->key);
	path_of(f->out, sizeof f->out, f->dir.dir, "batch");
	path_of(f->sticker, sizeof f->sticker, f->dir.dir, "stickers.csv");
	f->o.batch_dir = f->out;
	f->o.model = "CAM-100";
	f->o.serial_prefix = "CAM100-";
	f->o.ca_key = f->key;
	f->o.ca_cert = f->crt;
	f->o.sticker_sheet = f->sticker;
	f->o.hash = IT_PROV_HASH_SHA512CRYPT; /* yescrypt is slow by design; tested apart */
	f->o.count = count;
}

static int run_batch(const struct it_prov_options *o, struct it_error *err)
{
	struct it_prov_batch *b = NULL;
	if (it_prov_batch_open(&b, o, err) < 0)
		return -1;
	int rc = it_prov_batch_run(b, err);
	it_prov_batch_close(b);
	return rc;
}

/* Every complete device of the batch: manifest serials (sorted, unique, all with a
 * directory, a certificate the CA signed and a shadow hash of the sticker password). */
static int check_batch(const struct batch_fx *f, int want)
{
	char p[512];
	path_of(p, sizeof p, f->out, "manifest.csv");
	char *csv = slurp(p);
	path_of(p, sizeof p, f->out, "manifest.jsonl");
	char *jsonl = slurp(p);
	char *stick = slurp(f->sticker);
	assert_int_equal(count_lines(csv), want + 1);
	assert_int_equal(count_lines(jsonl), want);
	X509 *ca = load_cert(f->crt);
	EVP_PKEY *capub = X509_get0_pubkey(ca);
	char prev[IT_PROV_SERIAL_MAX] = "";
	char *save = NULL;
	int n = 0;
	for (char *line = strtok_r(jsonl, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *rec = json_loads(line, 0, NULL);
		assert_non_null(rec);
		const char *serial = json_string_value(json_object_get(rec, "serial"));
		const char *hash = json_string_value(json_object_get(rec, "crypt_hash"));
		assert_non_null(serial);
		assert_true(strcmp(prev, serial) < 0); /* monotonic, hence no duplicate */
		snprintf(prev, sizeof prev, "%s", serial);
		assert_non_null(strstr(csv, serial));
		/* the sticker line of this serial: its password matches the hash */
		char needle[128];
		snprintf(needle, sizeof needle, "\n%s,", serial);
		const char *s = strstr(stick, needle);
		assert_non_null(s);
		char pw[IT_PROV_PASSWORD_LEN + 1];
		memcpy(pw, s + strlen(needle), IT_PROV_PASSWORD_LEN);
		pw[IT_PROV_PASSWORD_LEN] = 0;
		struct crypt_data cd = {0};
		const char *h = crypt_r(pw, hash, &cd);
		assert_non_null(h);
		assert_string_equal(h, hash);
		assert_null(strstr(csv, pw)); /* never a password in a manifest */
		assert_null(strstr(line, pw));
		/* the device directory */
		char dp[512];
		snprintf(dp, sizeof dp, "%s/devices/%s/device.crt", f->out, serial);
		X509 *c = load_cert(dp);
		assert_int_equal(X509_verify(c, capub), 1);
		X509_free(c);
		struct stat st;
		snprintf(dp, sizeof dp, "%s/devices/%s/device.key", f->out, serial);
		assert_int_equal(stat(dp, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		snprintf(dp, sizeof dp, "%s/devices/%s/shadow.line", f->out, serial);
		char *sh = slurp(dp);
		assert_true(strncmp(sh, "root:", 5) == 0);
		assert_non_null(strstr(sh, hash));
		free(sh);
		json_decref(rec);
		n++;
	}
	X509_free(ca);
	free(csv);
	free(jsonl);
	free(stick);
	return n;
}

/* Serials (sorted) of device directories, without temp dirs. */
static int count_device_dirs(const char *out)
{
	char p[512];
	snprintf(p, sizeof p, "%s/devices", out);
	int n = 0;
	struct it_buf ls = IT_BUF_INIT;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "ls -A '%s'", p);
	assert_int_equal(run_filter(cmd, NULL, 0, &ls), 0);
	n = count_lines(it_buf_str(&ls));
	it_buf_free(&ls);
	return n;
}

/* --- passwords ------------------------------------------------------------------------ */

static void test_alphabet_and_entropy(void **state)
{
	(void)state;
	const char *a = IT_PROV_ALPHABET;
	assert_int_equal(strlen(a), IT_PROV_ALPHABET_LEN);
	for (const char *bad = "0O1lIo"; *bad; bad++)
		assert_null(strchr(a, *bad));
	for (size_t i = 0; a[i]; i++)
		assert_null(strchr(a + i + 1, a[i])); /* every symbol once */
	/* entropy: ALPHABET_LEN ^ PASSWORD_LEN >= 2^80 */
	long double space = 1;
	for (int i = 0; i < IT_PROV_PASSWORD_LEN; i++)
		space *= IT_PROV_ALPHABET_LEN;
	assert_true(space >= 1208925819614629174706176.0L); /* 2^80 */
	char pw[IT_PROV_PASSWORD_LEN + 1];
	struct it_error err = IT_ERROR_INIT;
	for (int k = 0; k < 1000; k++) {
		assert_int_equal(it_prov_password(pw, IT_PROV_PASSWORD_LEN, &err), 0);
		assert_int_equal(strlen(pw), IT_PROV_PASSWORD_LEN);
		for (int i = 0; i < IT_PROV_PASSWORD_LEN; i++)
			assert_non_null(strchr(a, pw[i]));
	}
}

/* Each byte value once: rejection sampling gives every index exactly 256 / k times (modulo
 * reduction would give the first 256 % k indexes one more). */
static void test_sample_exact_uniform(void **state)
{
	(void)state;
	uint8_t all[256], out[256];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	const unsigned ks[] = {2, 3, 7, 56, 100, 200, 255, 256};
	for (size_t t = 0; t < sizeof ks / sizeof *ks; t++) {
		unsigned k = ks[t], per = 256 / k, count[256] = {0};
		size_t n = it_prov_sample(all, 256, k, out, sizeof out);
		assert_int_equal(n, per * k);
		for (size_t i = 0; i < n; i++) {
			assert_true(out[i] < k);
			count[out[i]]++;
		}
		for (unsigned i = 0; i < k; i++)
			assert_int_equal(count[i], per);
	}
	/* `want` bounds the output */
	assert_int_equal(it_prov_sample(all, 256, 56, out, 5), 5);
}

/* Chi-square of real output: 7 symbols (modulo bias would make 0..3 1/36 more likely, chi2
 * about 128 here), and the 56 sticker symbols over 20,000 passwords. */
static void test_sample_no_bias_statistic(void **state)
{
	(void)state;
	enum { N = 700000 };
	uint8_t *rnd = malloc(N), *out = malloc(N);
	assert_non_null(rnd);
	assert_non_null(out);
	assert_int_equal(RAND_bytes(rnd, N), 1);
	size_t n = it_prov_sample(rnd, N, 7, out, N);
	double count[7] = {0};
	for (size_t i = 0; i < n; i++)
		count[out[i]]++;
	double chi = 0, e = (double)n / 7;
	for (int i = 0; i < 7; i++)
		chi += (count[i] - e) * (count[i] - e) / e;
	assert_true(chi < 45.0); /* df 6: p < 1e-7 */
	free(rnd);
	free(out);

	double c56[IT_PROV_ALPHABET_LEN] = {0};
	char pw[IT_PROV_PASSWORD_LEN + 1];
	struct it_error err = IT_ERROR_INIT;
	for (int k = 0; k < 20000; k++) {
		assert_int_equal(it_prov_password(pw, IT_PROV_PASSWORD_LEN, &err), 0);
		for (int i = 0; i < IT_PROV_PASSWORD_LEN; i++)
			c56[strchr(IT_PROV_ALPHABET, pw[i]) - IT_PROV_ALPHABET]++;
	}
	chi = 0;
	e = 20000.0 * IT_PROV_PASSWORD_LEN / IT_PROV_ALPHABET_LEN;
	for (int i = 0; i < IT_PROV_ALPHABET_LEN; i++)
		chi += (c56[i] - e) * (c56[i] - e) / e;
	assert_true(chi < 125.0); /* df 55: p < 1e-7; modulo bias would give ~ 3000 */
}

/* --- hashes -------------------------------------------------------------------------- */

static void check_hash(enum it_prov_hash h, const char *prefix)
{
	struct it_error err = IT_ERROR_INIT;
	char pw[IT_PROV_PASSWORD_LEN + 1], *hash = NULL, *hash2 = NULL;
	assert_int_equal(it_prov_password(pw, IT_PROV_PASSWORD_LEN, &err), 0);
	assert_int_equal(it_prov_hash_password(h, pw, &hash, &err), 0);
	assert_true(strncmp(hash, prefix, 3) == 0);
	struct crypt_data *cd = calloc(1, sizeof *cd);
	const char *r = crypt_r(pw, hash, cd);
	assert_non_null(r);
	assert_string_equal(r, hash);
	char wrong[IT_PROV_PASSWORD_LEN + 1];
	memcpy(wrong, pw, sizeof wrong);
	wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
	r = crypt_r(wrong, hash, cd);
	assert_true(r == NULL || strcmp(r, hash) != 0);
	assert_int_equal(it_prov_hash_check(pw, hash), 1);
	assert_int_equal(it_prov_hash_check(wrong, hash), 0);
	/* a fresh salt every time */
	assert_int_equal(it_prov_hash_password(h, pw, &hash2, &err), 0);
	assert_string_not_equal(hash, hash2);
	free(cd);
	free(hash);
	free(hash2);
}

static void test_hash_yescrypt(void **state)
{
	(void)state;
	check_hash(IT_PROV_HASH_YESCRYPT, "$y$");
}

static void test_hash_sha512crypt(void **state)
{
	(void)state;
	check_hash(IT_PROV_HASH_SHA512CRYPT, "$6$");
}

/* --- uniqueness over 100,000 identities ---------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void assert_all_distinct(char **v, size_t n, const char *what)
{
	qsort(v, n, sizeof *v, cmp_str);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i - 1], v[i]) == 0)
			fail_msg("duplicate %s: %s", what, v[i]);
}

/* 100,000 serials and passwords are all distinct, and so are the public keys of 10,000
 * Ed25519 device keys (a key with its PEM and fingerprint costs about 0.2 ms, so 100,000
 * would take over 20 s); a sample of the passwords is hashed with both schemes and each
 * hash verified with crypt_r (yescrypt is slow by design). */
static void test_unique_100k(void **state)
{
	(void)state;
	enum { N = 100000, KEYS = 10000, HASHED = 8 };
	char **ser = calloc(N, sizeof *ser), **pw = calloc(N, sizeof *pw),
	     **fp = calloc(KEYS, sizeof *fp);
	assert_true(ser && pw && fp);
	struct it_error err = IT_ERROR_INIT;
	for (uint32_t i = 0; i < N; i++) {
		struct it_prov_device d = {0};
		assert_int_equal(it_prov_serial_format("CAM100-", i + 1, d.serial), 0);
		assert_int_equal(it_prov_password(d.password, IT_PROV_PASSWORD_LEN, &err), 0);
		if (i < KEYS) {
			if (it_prov_device_keygen(&d, IT_PROV_KEY_ED25519, &err) < 0)
				fail_msg("keygen: %s", err.message);
			fp[i] = strdup(d.pubkey_sha256);
		}
		if (i < HASHED) {
			enum it_prov_hash h =
			        i % 2 ? IT_PROV_HASH_YESCRYPT : IT_PROV_HASH_SHA512CRYPT;
			assert_int_equal(it_prov_hash_password(h, d.password, &d.crypt_hash, &err),
			                 0);
			struct crypt_data cd = {0};
			assert_string_equal(crypt_r(d.password, d.crypt_hash, &cd), d.crypt_hash);
		}
		ser[i] = strdup(d.serial);
		pw[i] = strdup(d.password);
		it_prov_device_clear(&d);
	}
	assert_all_distinct(ser, N, "serial");
	assert_all_distinct(pw, N, "password");
	assert_all_distinct(fp, KEYS, "public key");
	for (size_t i = 0; i < N; i++) {
		free(ser[i]);
		free(pw[i]);
		if (i < KEYS)
			free(fp[i]);
	}
	free(ser);
	free(pw);
	free(fp);
}

/* --- certificates -------------------------------------------------------------------- */

static void name_entry(X509_NAME *n, int nid, char *out, size_t cap)
{
	out[0] = 0;
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	assert_true(i >= 0);
	const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
	snprintf(out, cap, "%.*s", ASN1_STRING_length(s), (const char *)ASN1_STRING_get0_data(s));
}

static void check_cert_fields(enum it_prov_keytype kt)
{
	struct test_dir dir;
	char key[256], crt[256], buf[128];
	assert_int_equal(test_dir_open(&dir, "prov-cert"), 0);
	make_ca(dir.dir, "ca", key, crt, sizeof key);
	struct it_error err = IT_ERROR_INIT;
	struct it_prov_ca *ca = NULL;
	if (it_prov_ca_load(&ca, key, crt, &err) < 0)
		fail_msg("ca_load: %s", err.message);
	struct it_prov_device d = {0};
	assert_int_equal(it_prov_serial_format("CAM100-", 42, d.serial), 0);
	assert_int_equal(it_prov_device_keygen(&d, kt, &err), 0);
	time_t now = time(NULL);
	assert_int_equal(it_prov_device_certify(&d, ca, 30, now, &err), 0);

	BIO *bio = BIO_new_mem_buf(d.cert_pem, -1);
	X509 *c = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	X509 *cac = load_cert(crt);
	assert_non_null(c);
	assert_int_equal(X509_get_version(c), 2); /* v3 */
	name_entry(X509_get_subject_name(c), NID_commonName, buf, sizeof buf);
	assert_string_equal(buf, "CAM100-00000042");
	name_entry(X509_get_subject_name(c), NID_serialNumber, buf, sizeof buf);
	assert_string_equal(buf, "CAM100-00000042");
	name_entry(X509_get_subject_name(c), NID_organizationName, buf, sizeof buf);
	assert_string_equal(buf, "Test Maker");
	assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(c), X509_get_subject_name(cac)), 0);
	/* 128-bit random serial, as recorded */
	BIGNUM *sn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(c), NULL);
	char *hex = BN_bn2hex(sn);
	assert_true(BN_num_bits(sn) <= 128 && BN_num_bits(sn) > 64);
	assert_int_equal(strlen(d.cert_serial), 32);
	BIGNUM *rec = NULL;
	assert_true(BN_hex2bn(&rec, d.cert_serial) > 0);
	assert_int_equal(BN_cmp(sn, rec), 0);
	OPENSSL_free(hex);
	BN_free(sn);
	BN_free(rec);
	/* validity: from about now, 30 days */
	int days = 0, secs = 0;
	assert_int_equal(
	        ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(c), X509_get0_notAfter(c)), 1);
	assert_true(days == 30 && secs == 3600);
	/* extensions */
	assert_int_equal(X509_check_ca(c), 0);
	assert_true(X509_get_extension_flags(c) & EXFLAG_KUSAGE);
	assert_int_equal(X509_get_key_usage(c), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_get_extended_key_usage(c), XKU_SSL_CLIENT);
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(c);
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(c);
	assert_non_null(ski);
	assert_non_null(aki);
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(cac)), 0);
	/* key type and the recorded fingerprint */
	EVP_PKEY *pub = X509_get0_pubkey(c);
	assert_true(EVP_PKEY_is_a(pub, kt == IT_PROV_KEY_P256 ? "EC" : "ED25519"));
	unsigned char *der = NULL;
	int dl = i2d_PUBKEY(pub, &der);
	char fph[65];
	unsigned char md[32];
	unsigned int ml = 0;
	EVP_Digest(der, (size_t)dl, md, &ml, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		sprintf(fph + 2 * i, "%02x", md[i]);
	assert_string_equal(fph, d.pubkey_sha256);
	OPENSSL_free(der);
	/* the chain verifies */
	X509_STORE *store = X509_STORE_new();
	X509_STORE_add_cert(store, cac);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, store, c, NULL);
	assert_int_equal(X509_verify_cert(ctx), 1);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	/* the private key matches the certificate */
	bio = BIO_new_mem_buf(d.key_pem, -1);
	EVP_PKEY *priv = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	assert_int_equal(X509_check_private_key(c, priv), 1);
	EVP_PKEY_free(priv);
	X509_free(c);
	X509_free(cac);
	it_prov_device_clear(&d);
	it_prov_ca_free(ca);
	test_dir_close(&dir);
}

static void test_cert_fields_ed25519(void **state)
{
	(void)state;
	check_cert_fields(IT_PROV_KEY_ED25519);
}

static void test_cert_fields_p256(void **state)
{
	(void)state;
	check_cert_fields(IT_PROV_KEY_P256);
}

static void test_ca_init_and_load_errors(void **state)
{
	(void)state;
	struct test_dir dir;
	char k1[256], c1[256], k2[256], c2[256];
	assert_int_equal(test_dir_open(&dir, "prov-ca"), 0);
	make_ca(dir.dir, "a", k1, c1, sizeof k1);
	make_ca(dir.dir, "b", k2, c2, sizeof k2);
	struct stat st;
	assert_int_equal(stat(k1, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	X509 *ca = load_cert(c1);
	assert_int_equal(X509_check_ca(ca), 1);
	assert_true(X509_get_key_usage(ca) & KU_KEY_CERT_SIGN);
	X509_free(ca);
	struct it_error err = IT_ERROR_INIT;
	/* never overwritten */
	char d[256];
	path_of(d, sizeof d, dir.dir, "a");
	char *before = slurp(k1);
	assert_int_equal(it_prov_ca_create(d, IT_PROV_KEY_ED25519, NULL, 10, &err), -1);
	char *after = slurp(k1);
	assert_string_equal(before, after);
	free(before);
	free(after);
	it_error_clear(&err);
	/* a key and a certificate that do not belong together */
	struct it_prov_ca *c = NULL;
	assert_int_equal(it_prov_ca_load(&c, k1, c2, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_non_null(strstr(err.message, "does not belong"));
	it_error_clear(&err);
	/* not PEM at all */
	assert_int_equal(it_prov_ca_load(&c, c1, c1, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	it_error_clear(&err);
	/* a device certificate is not a CA */
	assert_int_equal(it_prov_ca_load(&c, k1, c1, &err), 0);
	struct it_prov_device dev = {0};
	assert_int_equal(it_prov_serial_format("X", 1, dev.serial), 0);
	assert_int_equal(it_prov_device_keygen(&dev, IT_PROV_KEY_ED25519, &err), 0);
	assert_int_equal(it_prov_device_certify(&dev, c, 10, time(NULL), &err), 0);
	char dk[256], dc[256];
	path_of(dk, sizeof dk, dir.dir, "dev.key");
	path_of(dc, sizeof dc, dir.dir, "dev.crt");
	assert_int_equal(test_put(dir.dir, "dev.key", dev.key_pem, strlen(dev.key_pem), 0600), 0);
	assert_int_equal(test_put(dir.dir, "dev.crt", dev.cert_pem, strlen(dev.cert_pem), 0644), 0);
	struct it_prov_ca *c3 = NULL;
	assert_int_equal(it_prov_ca_load(&c3, dk, dc, &err), -1);
	assert_non_null(strstr(err.message, "not a CA"));
	it_error_clear(&err);
	/* bad subject */
	path_of(d, sizeof d, dir.dir, "c");
	assert_int_equal(it_prov_ca_create(d, IT_PROV_KEY_ED25519, "CN=no-slash", 10, &err), -1);
	assert_int_equal(err.code, IT_ERR_USAGE);
	it_error_clear(&err);
	it_prov_device_clear(&dev);
	it_prov_ca_free(c);
	test_dir_close(&dir);
}

/* --- the batch ----------------------------------------------------------------------- */

static void test_batch_basic(void **state)
{
	(void)state;
	struct batch_fx f;
	batch_fx_open(&f, "prov-batch", 4);
	struct it_error err = IT_ERROR_INIT;
	if (run_batch(&f.o, &err) < 0)
		fail_msg("batch: %s", err.message);
	assert_int_equal(check_batch(&f, 4), 4);
	char p[512];
	path_of(p, sizeof p, f.out, "devices/CAM100-00000004/device.crt");
	assert_int_equal(access(p, F_OK), 0);
	struct stat st;
	assert_int_equal(stat(f.sticker, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a rerun with the same count does nothing; a larger count continues */
	assert_int_equal(run_batch(&f.o, &err), 0);
	assert_int_equal(check_batch(&f, 4), 4);
	f.o.count = 6;
	assert_int_equal(run_batch(&f.o, &err), 0);
	assert_int_equal(check_batch(&f, 6), 6);
	path_of(p, sizeof p, f.out, "devices/CAM100-00000006");
	assert_int_equal(access(p, F_OK), 0);
	/* no sticker sheet: refused as a usage error, nothing written */
	f.o.sticker_sheet = NULL;
	struct it_prov_batch *b = NULL;
	assert_int_equal(it_prov_batch_open(&b, &f.o, &err), -1);
	assert_int_equal(err.code, IT_ERR_USAGE);
	it_error_clear(&err);
	test_dir_close(&f.dir);
}

struct crash {
	enum it_prov_step at;
	uint32_t device; /* 0-based index of the device within this run */
	uint32_t seen;
};

static int crash_hook(void *user, enum it_prov_step s, const char *serial, uint32_t done)
{
	struct crash *c = user;
	(void)serial;
	(void)done;
	if (c->seen == c->device && s == c->at)
		_exit(0); /* a crash: no cleanup, no destructors */
	if (s == IT_PROV_STEP_DONE)
		c->seen++;
	return 0;
}

/* Crash while provisioning the third device at each step in turn; the rerun completes the
 * batch with valid devices, no duplicate serial, and the crashed serial skipped unless the
 * device was already complete (its manifest.jsonl line written). */
static void test_resume_after_crash(void **state)
{
	(void)state;
	for (int at = IT_PROV_STEP_RESERVED; at <= IT_PROV_STEP_JSONL; at++) {
		struct batch_fx f;
		batch_fx_open(&f, "prov-crash", 5);
		struct crash c = {(enum it_prov_step)at, 2, 0};
		f.o.on_step = crash_hook;
		f.o.user_data = &c;
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct it_error err = IT_ERROR_INIT;
			run_batch(&f.o, &err);
			_exit(3); /* not reached: the hook exits first */
		}
		int ws = 0;
		assert_int_equal(waitpid(pid, &ws, 0), pid);
		assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
		if (at == IT_PROV_STEP_JSONL) {
			/* and a torn half line at the end of manifest.jsonl */
			char p[512];
			path_of(p, sizeof p, f.out, "manifest.jsonl");
			FILE *jf = fopen(p, "a");
			fputs("{\"serial\":\"CAM1", jf);
			fclose(jf);
		}
		f.o.on_step = NULL;
		struct it_prov_batch *b = NULL;
		struct it_error err = IT_ERROR_INIT;
		if (it_prov_batch_open(&b, &f.o, &err) < 0)
			fail_msg("reopen after crash at step %d: %s", at, err.message);
		int complete3 = at == IT_PROV_STEP_JSONL;
		assert_int_equal(it_prov_batch_done(b), complete3 ? 3 : 2);
		assert_int_equal(it_prov_batch_discarded(b),
		                 at >= IT_PROV_STEP_RENAMED && !complete3 ? 1 : 0);
		if (it_prov_batch_run(b, &err) < 0)
			fail_msg("resume: %s", err.message);
		assert_int_equal(it_prov_batch_state(b)->next_serial, complete3 ? 6 : 7);
		it_prov_batch_close(b);
		assert_int_equal(check_batch(&f, 5), 5);
		char p[512];
		path_of(p, sizeof p, f.out, "devices/CAM100-00000003");
		assert_int_equal(access(p, F_OK), complete3 ? 0 : -1);
		path_of(p, sizeof p, f.out, "manifest.csv");
		char *csv = slurp(p);
		assert_true((strstr(csv, "CAM100-00000003") != NULL) == complete3);
		assert_non_null(strstr(csv, complete3 ? "CAM100-00000005" : "CAM100-00000006"));
		free(csv);
		assert_int_equal(count_device_dirs(f.out), 5); /* no temp dir left */
		test_dir_close(&f.dir);
	}
}

static void test_refuse_other_ca_or_model(void **state)
{
	(void)state;
	struct batch_fx f;
	batch_fx_open(&f, "prov-refuse", 2);
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(run_batch(&f.o, &err), 0);
	char k2[256], c2[256];
	make_ca(f.dir.dir, "other", k2, c2, sizeof k2);
	struct it_prov_options o = f.o;
	o.ca_key = k2;
	o.ca_cert = c2;
	o.count = 4;
	assert_int_equal(run_batch(&o, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_non_null(strstr(err.message, "CA certificate"));
	it_error_clear(&err);
	o = f.o;
	o.model = "CAM-200";
	assert_int_equal(run_batch(&o, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_non_null(strstr(err.message, "model"));
	it_error_clear(&err);
	o = f.o;
	o.hash = IT_PROV_HASH_YESCRYPT;
	assert_int_equal(run_batch(&o, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	it_error_clear(&err);
	assert_int_equal(check_batch(&f, 2), 2); /* untouched */
	/* a rolled-back batch.json (next_serial below existing devices) is refused */
	char p[512];
	path_of(p, sizeof p, f.out, "batch.json");
	char *text = slurp(p);
	char *ns = strstr(text, "\"next_serial\": 3");
	assert_non_null(ns);
	ns[strlen("\"next_serial\": ")] = '2';
	assert_int_equal(test_put(f.out, "batch.json", text, strlen(text), 0644), 0);
	free(text);
	assert_int_equal(run_batch(&f.o, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	it_error_clear(&err);
	test_dir_close(&f.dir);
}

static void test_lock(void **state)
{
	(void)state;
	struct batch_fx f;
	batch_fx_open(&f, "prov-lock", 1);
	struct it_prov_batch *a = NULL, *b = NULL;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_prov_batch_open(&a, &f.o, &err), 0);
	assert_int_equal(it_prov_batch_open(&b, &f.o, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_non_null(strstr(err.message, "lock"));
	it_error_clear(&err);
	it_prov_batch_close(a);
	assert_int_equal(it_prov_batch_open(&b, &f.o, &err), 0);
	it_prov_batch_close(b);
	test_dir_close(&f.dir);
}

/* --- batch.json ---------------------------------------------------------------------- */

#define GOOD_STATE                                                                                 \
	"{\"format\":\"iotrust-provision-batch\",\"version\":1,\"model\":\"CAM-100\","             \
	"\"serial_prefix\":\"CAM100-\",\"ca_sha256\":"                                             \
	"\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","                    \
	"\"key_type\":\"p256\",\"hash\":\"sha512crypt\",\"next_serial\":17,"                       \
	"\"created_at\":\"2026-11-24T10:00:00Z\"}"

static int parse_with(const char *from, const char *to)
{
	char text[1024];
	const char *p = strstr(GOOD_STATE, from);
	assert_non_null(p);
	snprintf(text, sizeof text, "%.*s%s%s", (int)(p - GOOD_STATE), GOOD_STATE, to,
	         p + strlen(from));
	struct it_prov_state st;
	struct it_error err = IT_ERROR_INIT;
	int rc = it_prov_state_parse(text, strlen(text), "batch.json", &st, &err);
	if (rc < 0) {
		assert_int_equal(err.code, IT_ERR_INPUT);
		assert_non_null(err.message);
	}
	it_error_clear(&err);
	return rc;
}

static void test_state_parse(void **state)
{
	(void)state;
	struct it_prov_state st;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_prov_state_parse(GOOD_STATE, strlen(GOOD_STATE), "b", &st, &err), 0);
	assert_string_equal(st.model, "CAM-100");
	assert_string_equal(st.serial_prefix, "CAM100-");
	assert_int_equal(st.key_type, IT_PROV_KEY_P256);
	assert_int_equal(st.hash, IT_PROV_HASH_SHA512CRYPT);
	assert_int_equal(st.next_serial, 17);
	/* round trip */
	struct it_buf out = IT_BUF_INIT;
	struct it_prov_state st2;
	assert_int_equal(it_prov_state_format(&st, &out), 0);
	assert_int_equal(it_prov_state_parse((const char *)out.data, out.len, "b", &st2, &err), 0);
	assert_memory_equal(&st, &st2, sizeof st);
	it_buf_free(&out);
	assert_int_equal(parse_with("\"next_serial\":17", "\"next_serial\":17"), 0);
	assert_int_equal(parse_with("\"next_serial\":17", "\"next_serial\":0"), -1);
	assert_int_equal(parse_with("\"next_serial\":17", "\"next_serial\":100000000"), 0);
	assert_int_equal(parse_with("\"next_serial\":17", "\"next_serial\":100000001"), -1);
	assert_int_equal(parse_with("\"next_serial\":17", "\"next_serial\":\"17\""), -1);
	assert_int_equal(parse_with("\"next_serial\":17", "\"next_serial\":17.5"), -1);
	assert_int_equal(parse_with("\"next_serial\":17", "\"next_serial\":17,\"x\":1"), -1);
	assert_int_equal(parse_with("\"next_serial\":17", "\"next_serial\":17,\"model\":\"A\""),
	                 -1);
	assert_int_equal(parse_with("\"version\":1", "\"version\":2"), -1);
	assert_int_equal(parse_with("\"model\":\"CAM-100\",", ""), -1);
	assert_int_equal(parse_with("CAM100-\"", "../x\""), -1);
	assert_int_equal(parse_with("CAM100-\"", "\""), 0); /* an empty prefix is fine */
	assert_int_equal(parse_with("CAM-100", "CAM/100"), -1);
	assert_int_equal(parse_with("CAM-100", ".hidden"), -1);
	assert_int_equal(parse_with("CAM-100", "CAM\\u0000"), -1);
	assert_int_equal(parse_with("0123456789abcdef\"", "0123456789abcdeF\""), -1);
	assert_int_equal(parse_with("\"p256\"", "\"rsa\""), -1);
	assert_int_equal(parse_with("\"sha512crypt\"", "\"md5crypt\""), -1);
	assert_int_equal(parse_with("2026-11-24T10:00:00Z", "yesterday"), -1);
	assert_int_equal(parse_with("{", "["), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_alphabet_and_entropy),
	        cmocka_unit_test(test_sample_exact_uniform),
	        cmocka_unit_test(test_sample_no_bias_statistic),
	        cmocka_unit_test(test_hash_yescrypt),
	        cmocka_unit_test(test_hash_sha512crypt),
	        cmocka_unit_test(test_unique_100k),
	        cmocka_unit_test(test_cert_fields_ed25519),
	        cmocka_unit_test(test_cert_fields_p256),
	        cmocka_unit_test(test_ca_init_and_load_errors),
	        cmocka_unit_test(test_batch_basic),
	        cmocka_unit_test(test_resume_after_crash),
	        cmocka_unit_test(test_refuse_other_ca_or_model),
	        cmocka_unit_test(test_lock),
	        cmocka_unit_test(test_state_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

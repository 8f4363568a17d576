/*
 * Device keys and X.509 certificates through OpenSSL's EVP and X509 APIs: the manufacturer
 * CA (loaded and checked, or made for tests by `provision ca-init`), Ed25519 or P-256 device
 * keys, and device certificates whose subject names the device serial.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "iotrust/buf.h"
#include "iotrust/digest.h"
#include "iotrust/provision.h"
#include "label/provision_impl.h"

#define PEM_MAX (64 * 1024)

struct it_prov_ca {
	EVP_PKEY *key;
	X509 *cert;
	char sha256[65];
};

/* The last OpenSSL error as text ("unknown" when the queue is empty); clears the queue. */
static const char *ossl_reason(char *buf, size_t n)
{
	unsigned long e = ERR_peek_last_error();
	if (e)
		ERR_error_string_n(e, buf, n);
	else
		snprintf(buf, n, "unknown error");
	ERR_clear_error();
	return buf;
}

static int ossl_fail(struct it_error *err, enum it_errcode code, const char *where,
                     const char *what)
{
	char r[256];
	return it_error_set(err, code, where, IT_NO_OFFSET, "%s: %s", what,
	                    ossl_reason(r, sizeof r));
}

static void hex_lower(const unsigned char *p, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static EVP_PKEY *keygen(enum it_prov_keytype kt)
{
	if (kt == IT_PROV_KEY_P256)
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
}

/* Ed25519/Ed448 sign without a separate digest. */
static const EVP_MD *sign_md(EVP_PKEY *key)
{
	if (EVP_PKEY_is_a(key, "ED25519") || EVP_PKEY_is_a(key, "ED448"))
		return NULL;
	return EVP_sha256();
}

static char *bio_text(BIO *bio)
{
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);
	if (n <= 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s) {
		memcpy(s, p, (size_t)n);
		s[n] = '\0';
	}
	return s;
}

static char *key_to_pem(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
		s = bio_text(bio);
	if (bio) {
		char *p = NULL;
		long n = BIO_get_mem_data(bio, &p);
		if (n > 0)
			OPENSSL_cleanse(p, (size_t)n);
	}
	BIO_free(bio);
	return s;
}

static char *cert_to_pem(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (bio && PEM_write_bio_X509(bio, cert))
		s = bio_text(bio);
	BIO_free(bio);
	return s;
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	int ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* A random positive 128-bit serial (never 0); its 32 hex digits go to hex. */
static int random_serial(X509 *cert, char hex[33])
{
	unsigned char raw[16];
	BIGNUM *bn = BN_new();
	int rc = -1;
	if (bn && BN_rand(bn, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) && !BN_is_zero(bn) &&
	    BN_bn2binpad(bn, raw, sizeof raw) == sizeof raw) {
		ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);
		if (ai && X509_set_serialNumber(cert, ai)) {
			hex_lower(raw, sizeof raw, hex);
			rc = 0;
		}
		ASN1_INTEGER_free(ai);
	}
	BN_free(bn);
	return rc;
}

static int set_validity(X509 *cert, time_t now, unsigned days, const X509 *limit)
{
	time_t from = now - 3600; /* tolerate devices and verifiers with a slow clock */
	time_t until = now + (time_t)days * 86400;
	if (!ASN1_TIME_set(X509_getm_notBefore(cert), from) ||
	    !ASN1_TIME_set(X509_getm_notAfter(cert), until))
		return -1;
	/* never valid past the CA that signs it */
	if (limit && X509_cmp_time(X509_get0_notAfter(limit), &until) < 0 &&
	    !X509_set1_notAfter(cert, X509_get0_notAfter(limit)))
		return -1;
	return 0;
}

/* "/CN=Test CA/O=Maker" into a name; -1 when malformed or an attribute is unknown. */
static int parse_subject(const char *s, X509_NAME *name)
{
	if (s[0] != '/' || strlen(s) > 1024)
		return -1;
	char *copy = strdup(s + 1);
	if (!copy)
		return -1;
	int rc = 0, n = 0;
	char *save = NULL;
	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		char *eq = strchr(part, '=');
		if (!eq || eq == part || !eq[1]) {
			rc = -1;
			break;
		}
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(name, part, MBSTRING_UTF8,
		                                (const unsigned char *)eq + 1, -1, -1, 0)) {
			rc = -1;
			break;
		}
		n++;
	}
	free(copy);
	ERR_clear_error();
	return rc == 0 && n > 0 ? 0 : -1;
}

/* Read a PEM file (at most PEM_MAX bytes) and decode one object with pem_read; the text is
 * wiped after (it may be a private key). NULL with an IT_ERR_INPUT naming the file. */
static void *read_pem(const char *path, void *(*pem_read)(BIO *), const char *what,
                      struct it_error *err)
{
	char *text = NULL;
	size_t len = 0;
	if (prov_read_file(path, PEM_MAX, &text, &len, err) < 0) {
		err->code = IT_ERR_INPUT;
		return NULL;
	}
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	void *obj = bio ? pem_read(bio) : NULL;
	BIO_free(bio);
	OPENSSL_cleanse(text, len);
	free(text);
	if (!obj)
		ossl_fail(err, IT_ERR_INPUT, path, what);
	return obj;
}

static void *pem_key(BIO *bio)
{
	return PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
}

static void *pem_cert(BIO *bio)
{
	return PEM_read_bio_X509(bio, NULL, NULL, NULL);
}

int it_prov_ca_load(struct it_prov_ca **out, const char *key_path, const char *cert_path,
                    struct it_error *err)
{
	*out = NULL;
	struct it_prov_ca *ca = calloc(1, sizeof *ca);
	if (!ca)
		return it_error_nomem(err);
	ca->key = read_pem(key_path, pem_key, "not a PEM private key (unencrypted)", err);
	if (!ca->key)
		goto fail;
	ca->cert = read_pem(cert_path, pem_cert, "not a PEM certificate", err);
	if (!ca->cert)
		goto fail;
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		ERR_clear_error();
		it_error_set(err, IT_ERR_INPUT, cert_path, IT_NO_OFFSET,
		             "the certificate does not belong to the key %s", key_path);
		goto fail;
	}
	if (X509_check_ca(ca->cert) != 1 || !(X509_get_key_usage(ca->cert) & KU_KEY_CERT_SIGN)) {
		it_error_set(err, IT_ERR_INPUT, cert_path, IT_NO_OFFSET,
		             "not a CA certificate (needs basicConstraints CA:TRUE and keyUsage "
		             "keyCertSign)");
		goto fail;
	}
	if (X509_cmp_current_time(X509_get0_notAfter(ca->cert)) <= 0 ||
	    X509_cmp_current_time(X509_get0_notBefore(ca->cert)) >= 0) {
		it_error_set(err, IT_ERR_INPUT, cert_path, IT_NO_OFFSET,
		             "the CA certificate is not valid now (expired or not yet valid)");
		goto fail;
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!X509_digest(ca->cert, EVP_sha256(), md, &mdlen) || mdlen != 32) {
		ossl_fail(err, IT_ERR_INTERNAL, cert_path, "cannot hash the certificate");
		goto fail;
	}
	hex_lower(md, 32, ca->sha256);
	*out = ca;
	return 0;
fail:
	it_prov_ca_free(ca);
	return -1;
}

void it_prov_ca_free(struct it_prov_ca *ca)
{
	if (!ca)
		return;
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	free(ca);
}

const char *it_prov_ca_fingerprint(const struct it_prov_ca *ca)
{
	return ca->sha256;
}

static X509 *make_ca_cert(EVP_PKEY *key, const char *subject, unsigned days, struct it_error *err)
{
	X509 *cert = X509_new();
	char hex[33];
	if (!cert || !X509_set_version(cert, 2) || random_serial(cert, hex) < 0 ||
	    set_validity(cert, time(NULL), days, NULL) < 0 || !X509_set_pubkey(cert, key)) {
		X509_free(cert);
		ossl_fail(err, IT_ERR_INTERNAL, NULL, "cannot build the CA certificate");
		return NULL;
	}
	if (parse_subject(subject, X509_get_subject_name(cert)) < 0) {
		X509_free(cert);
		it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		             "--subject '%s': expected /ATTR=value/... with known attributes "
		             "(CN, O, OU, C, ST, L)",
		             subject);
		return NULL;
	}
	if (!X509_set_issuer_name(cert, X509_get_subject_name(cert)) ||
	    add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") < 0 ||
	    add_ext(cert, cert, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(cert, cert, NID_authority_key_identifier, "keyid:always") < 0 ||
	    X509_sign(cert, key, sign_md(key)) <= 0) {
		X509_free(cert);
		ossl_fail(err, IT_ERR_INTERNAL, NULL, "cannot sign the CA certificate");
		return NULL;
	}
	return cert;
}

int it_prov_ca_create(const char *dir, enum it_prov_keytype kt, const char *subject, unsigned days,
                      struct it_error *err)
{
	if (!subject)
		subject = "/CN=iotrust test manufacturer CA/O=iotrust test";
	if (days == 0 || days > 36500)
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "--days must be 1..36500");
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return it_error_set(err, IT_ERR_IO, dir, IT_NO_OFFSET, "cannot create: %s",
		                    strerror(errno));
	EVP_PKEY *key = keygen(kt);
	if (!key)
		return ossl_fail(err, IT_ERR_INTERNAL, NULL, "key generation failed");
	X509 *cert = make_ca_cert(key, subject, days, err);
	char *kpem = cert ? key_to_pem(key) : NULL, *cpem = kpem ? cert_to_pem(cert) : NULL;
	struct it_buf kp = IT_BUF_INIT, cp = IT_BUF_INIT;
	int rc = -1;
	if (!cert)
		goto out;
	if (!cpem || it_buf_printf(&kp, "%s/ca.key", dir) < 0 ||
	    it_buf_printf(&cp, "%s/ca.crt", dir) < 0) {
		it_error_nomem(err);
		goto out;
	}
	if (access(it_buf_str(&cp), F_OK) == 0) {
		it_error_set(err, IT_ERR_USAGE, it_buf_str(&cp), IT_NO_OFFSET,
		             "already exists; refusing to overwrite it");
		goto out;
	}
	if (prov_write_file(it_buf_str(&kp), kpem, strlen(kpem), 0600, 1, err) < 0)
		goto out;
	rc = prov_write_file(it_buf_str(&cp), cpem, strlen(cpem), 0644, 1, err);
out:
	if (kpem) {
		OPENSSL_cleanse(kpem, strlen(kpem));
		free(kpem);
	}
	free(cpem);
	it_buf_free(&kp);
	it_buf_free(&cp);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int it_prov_device_keygen(struct it_prov_device *d, enum it_prov_keytype kt, struct it_error *err)
{
	EVP_PKEY *key = keygen(kt);
	if (!key)
		return ossl_fail(err, IT_ERR_INTERNAL, d->serial, "key generation failed");
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	char *pem = n > 0 ? key_to_pem(key) : NULL;
	if (!pem) {
		OPENSSL_free(der);
		EVP_PKEY_free(key);
		return ossl_fail(err, IT_ERR_INTERNAL, d->serial, "cannot encode the key");
	}
	it_sha256_hex(der, (size_t)n, d->pubkey_sha256);
	OPENSSL_free(der);
	EVP_PKEY_free(d->pkey);
	d->pkey = key;
	d->key_type = kt;
	free(d->key_pem);
	d->key_pem = pem;
	return 0;
}

static int device_subject(X509 *cert, const char *serial, const X509 *ca)
{
	X509_NAME *name = X509_get_subject_name(cert);
	const X509_NAME *cn = X509_get_subject_name(ca);
	int i = X509_NAME_get_index_by_NID(cn, NID_organizationName, -1);
	if (i >= 0) {
		const ASN1_STRING *o = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(cn, i));
		if (!X509_NAME_add_entry_by_NID(name, NID_organizationName, MBSTRING_UTF8,
		                                ASN1_STRING_get0_data(o), ASN1_STRING_length(o), -1,
		                                0))
			return -1;
	}
	const unsigned char *s = (const unsigned char *)serial;
	if (!X509_NAME_add_entry_by_NID(name, NID_serialNumber, MBSTRING_ASC, s, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_ASC, s, -1, -1, 0))
		return -1;
	return 0;
}

int it_prov_device_certify(struct it_prov_device *d, const struct it_prov_ca *ca, unsigned days,
                           time_t now, struct it_error *err)
{
	if (!d->pkey)
		return it_error_set(err, IT_ERR_INTERNAL, d->serial, IT_NO_OFFSET,
		                    "certify before keygen");
	X509 *cert = X509_new();
	if (!cert || !X509_set_version(cert, 2) || random_serial(cert, d->cert_serial) < 0 ||
	    set_validity(cert, now, days, ca->cert) < 0 || !X509_set_pubkey(cert, d->pkey) ||
	    device_subject(cert, d->serial, ca->cert) < 0 ||
	    !X509_set_issuer_name(cert, X509_get_subject_name(ca->cert)) ||
	    add_ext(cert, ca->cert, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(cert, ca->cert, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(cert, ca->cert, NID_ext_key_usage, "clientAuth") < 0 ||
	    add_ext(cert, ca->cert, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(cert, ca->cert, NID_authority_key_identifier, "keyid:always") < 0 ||
	    X509_sign(cert, ca->key, sign_md(ca->key)) <= 0) {
		X509_free(cert);
		return ossl_fail(err, IT_ERR_INTERNAL, d->serial, "cannot make the certificate");
	}
	char *pem = cert_to_pem(cert);
	X509_free(cert);
	if (!pem)
		return it_error_nomem(err);
	free(d->cert_pem);
	d->cert_pem = pem;
	return 0;
}

void it_prov_device_clear(struct it_prov_device *d)
{
	OPENSSL_cleanse(d->password, sizeof d->password);
	if (d->key_pem)
		OPENSSL_cleanse(d->key_pem, strlen(d->key_pem));
	free(d->key_pem);
	free(d->cert_pem);
	free(d->crypt_hash);
	EVP_PKEY_free(d->pkey);
	memset(d, 0, sizeof *d);
}

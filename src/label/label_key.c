/*
 * Issuer keys: Ed25519 key pairs (libsodium), the key file (PEM PKCS#8 through OpenSSL, or the
 * armored Argon2id + XSalsa20-Poly1305 form of docs/label.md when a passphrase is given) and
 * the JWKS of the public key. The key id is the RFC 7638 thumbprint of the public JWK.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "iotrust/label.h"

#define ARMOR_BEGIN "-----BEGIN IOTRUST ENCRYPTED PRIVATE KEY-----"
#define ARMOR_END   "-----END IOTRUST ENCRYPTED PRIVATE KEY-----"
#define ARMOR_MAGIC "ITK1"
/* magic 4 | opslimit u32be | memlimit u32be | salt | nonce | secretbox(seed) */
#define ARMOR_SALT_OFF  12
#define ARMOR_NONCE_OFF (ARMOR_SALT_OFF + crypto_pwhash_SALTBYTES)
#define ARMOR_BOX_OFF   (ARMOR_NONCE_OFF + crypto_secretbox_NONCEBYTES)
#define ARMOR_LEN       (ARMOR_BOX_OFF + crypto_secretbox_MACBYTES + 32)
#define ARMOR_MAX_OPS   16u
#define ARMOR_MAX_MEM   (1u << 30)

static int sodium_ready(struct it_error *err)
{
	if (sodium_init() < 0)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "libsodium cannot initialise");
	return 0;
}

static int pub_kid(const uint8_t pk[32], char kid[IT_LABEL_KID_LEN + 1], struct it_error *err)
{
	struct it_buf x = IT_BUF_INIT;
	if (it_b64url_encode(pk, 32, &x) < 0)
		return it_error_nomem(err);
	json_t *jwk = json_pack("{s:s, s:s, s:s}", "kty", "OKP", "crv", "Ed25519", "x",
	                        (const char *)x.data);
	it_buf_free(&x);
	if (!jwk)
		return it_error_nomem(err);
	int rc = it_jwk_thumbprint(jwk, kid, err);
	json_decref(jwk);
	return rc;
}

int it_label_key_from_seed(struct it_label_key *k, const uint8_t seed[32], struct it_error *err)
{
	if (sodium_ready(err) < 0)
		return -1;
	memcpy(k->seed, seed, 32);
	if (crypto_sign_seed_keypair(k->pk, k->sk, k->seed) != 0)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "Ed25519 key derivation failed");
	return pub_kid(k->pk, k->kid, err);
}

int it_label_keygen(struct it_label_key *k, struct it_error *err)
{
	uint8_t seed[32];
	if (sodium_ready(err) < 0)
		return -1;
	randombytes_buf(seed, sizeof seed);
	int rc = it_label_key_from_seed(k, seed, err);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

void it_label_key_wipe(struct it_label_key *k)
{
	sodium_memzero(k, sizeof *k);
}

static void put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int derive(uint8_t key[crypto_secretbox_KEYBYTES], const char *pass, size_t passlen,
                  const uint8_t *salt, uint32_t ops, uint32_t mem, struct it_error *err)
{
	if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, passlen, salt, ops, mem,
	                  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET,
		                    "Argon2id needs %u MiB of memory and could not get it",
		                    mem >> 20);
	return 0;
}

static int format_encrypted(const struct it_label_key *k, const char *pass, size_t passlen,
                            struct it_buf *out, struct it_error *err)
{
	uint8_t blob[ARMOR_LEN], key[crypto_secretbox_KEYBYTES];
	memcpy(blob, ARMOR_MAGIC, 4);
	put_u32be(blob + 4, IT_LABEL_KDF_OPSLIMIT);
	put_u32be(blob + 8, IT_LABEL_KDF_MEMLIMIT);
	randombytes_buf(blob + ARMOR_SALT_OFF, crypto_pwhash_SALTBYTES);
	randombytes_buf(blob + ARMOR_NONCE_OFF, crypto_secretbox_NONCEBYTES);
	if (derive(key, pass, passlen, blob + ARMOR_SALT_OFF, IT_LABEL_KDF_OPSLIMIT,
	           IT_LABEL_KDF_MEMLIMIT, err) < 0)
		return -1;
	crypto_secretbox_easy(blob + ARMOR_BOX_OFF, k->seed, 32, blob + ARMOR_NONCE_OFF, key);
	sodium_memzero(key, sizeof key);
	char b64[sodium_base64_ENCODED_LEN(ARMOR_LEN, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof b64, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
	if (it_buf_printf(out, "%s\n%s\n%s\n", ARMOR_BEGIN, b64, ARMOR_END) < 0)
		return it_error_nomem(err);
	return 0;
}

static int format_pem(const struct it_label_key *k, struct it_buf *out, struct it_error *err)
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, k->seed, 32);
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = -1;
	if (!pkey || !bio || !PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)) {
		it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		             "OpenSSL cannot write the PKCS#8 key");
	} else {
		char *p;
		long n = BIO_get_mem_data(bio, &p);
		rc = it_buf_append(out, p, (size_t)n) < 0 ? it_error_nomem(err) : 0;
		OPENSSL_cleanse(p, (size_t)n);
	}
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	return rc;
}

int it_label_key_format(const struct it_label_key *k, const char *pass, size_t passlen,
                        struct it_buf *out, struct it_error *err)
{
	if (sodium_ready(err) < 0)
		return -1;
	return pass ? format_encrypted(k, pass, passlen, out, err) : format_pem(k, out, err);
}

static int parse_encrypted(const char *text, size_t len, const char *where, const char *pass,
                           size_t passlen, struct it_label_key *k, struct it_error *err)
{
	const char *p = text + strlen(ARMOR_BEGIN), *end = text + len;
	while (p < end && (*p == '\n' || *p == '\r'))
		p++;
	const char *b = p;
	while (p < end && *p != '\n' && *p != '\r' && *p != '-')
		p++;
	const char *e = p;
	while (p < end && (*p == '\n' || *p == '\r'))
		p++;
	size_t tail = strlen(ARMOR_END);
	if ((size_t)(end - p) < tail || memcmp(p, ARMOR_END, tail) != 0)
		return it_error_set(err, IT_ERR_INPUT, where, (uint64_t)(p - text),
		                    "expected \"%s\" after one line of base64", ARMOR_END);
	for (p += tail; p < end; p++)
		if (*p != '\n' && *p != '\r' && *p != ' ')
			return it_error_set(err, IT_ERR_INPUT, where, (uint64_t)(p - text),
			                    "text after the end of the key");
	uint8_t blob[ARMOR_LEN];
	size_t blen = 0;
	if (sodium_base642bin(blob, sizeof blob, b, (size_t)(e - b), NULL, &blen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    blen != ARMOR_LEN || memcmp(blob, ARMOR_MAGIC, 4) != 0)
		return it_error_set(err, IT_ERR_INPUT, where, (uint64_t)(b - text),
		                    "expected base64 of a %d-byte " ARMOR_MAGIC " record",
		                    (int)ARMOR_LEN);
	uint32_t ops = get_u32be(blob + 4), mem = get_u32be(blob + 8);
	if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > ARMOR_MAX_OPS ||
	    mem < crypto_pwhash_MEMLIMIT_MIN || mem > ARMOR_MAX_MEM)
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "Argon2id cost out of range (opslimit %u, memlimit %u; at most "
		                    "%u and %u)",
		                    ops, mem, ARMOR_MAX_OPS, ARMOR_MAX_MEM);
	if (!pass)
		return it_error_set(
		        err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		        "the key is encrypted: give its passphrase (--passphrase-file)");
	uint8_t key[crypto_secretbox_KEYBYTES], seed[32];
	if (derive(key, pass, passlen, blob + ARMOR_SALT_OFF, ops, mem, err) < 0)
		return -1;
	int bad = crypto_secretbox_open_easy(seed, blob + ARMOR_BOX_OFF,
	                                     crypto_secretbox_MACBYTES + 32, blob + ARMOR_NONCE_OFF,
	                                     key);
	sodium_memzero(key, sizeof key);
	if (bad)
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "wrong passphrase (or a damaged key file)");
	int rc = it_label_key_from_seed(k, seed, err);
	sodium_memzero(seed, sizeof seed);
	return rc;
}

static int parse_pem(const char *text, size_t len, const char *where, struct it_label_key *k,
                     struct it_error *err)
{
	if (len > INT32_MAX)
		return it_error_set(err, IT_ERR_LIMIT, where, IT_NO_OFFSET, "key file too large");
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") : NULL;
	BIO_free(bio);
	int rc = -1;
	uint8_t seed[32];
	size_t n = sizeof seed;
	if (!pkey)
		it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		             "expected a PEM private key (PKCS#8, unencrypted) or an iotrust "
		             "encrypted key");
	else if (EVP_PKEY_id(pkey) != EVP_PKEY_ED25519)
		it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET, "the key is not Ed25519");
	else if (!EVP_PKEY_get_raw_private_key(pkey, seed, &n) || n != 32)
		it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET, "cannot read the Ed25519 key");
	else
		rc = it_label_key_from_seed(k, seed, err);
	OPENSSL_cleanse(seed, sizeof seed);
	EVP_PKEY_free(pkey);
	return rc;
}

int it_label_key_parse(const char *text, size_t len, const char *where, const char *pass,
                       size_t passlen, struct it_label_key *k, struct it_error *err)
{
	if (sodium_ready(err) < 0)
		return -1;
	size_t hl = strlen(ARMOR_BEGIN);
	if (len >= hl && memcmp(text, ARMOR_BEGIN, hl) == 0)
		return parse_encrypted(text, len, where, pass, passlen, k, err);
	return parse_pem(text, len, where, k, err);
}

int it_label_jwks_format(const struct it_label_key *k, struct it_buf *out, struct it_error *err)
{
	struct it_buf x = IT_BUF_INIT;
	if (it_b64url_encode(k->pk, 32, &x) < 0)
		return it_error_nomem(err);
	json_t *j = json_pack("{s:[{s:s, s:s, s:s, s:s, s:s, s:s}]}", "keys", "kty", "OKP", "crv",
	                      "Ed25519", "x", (const char *)x.data, "kid", k->kid, "alg", "EdDSA",
	                      "use", "sig");
	it_buf_free(&x);
	char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	int rc = s && it_buf_puts(out, s) == 0 && it_buf_putc(out, '\n') == 0 ? 0
	                                                                      : it_error_nomem(err);
	free(s);
	return rc;
}

static int jwks_add(struct it_label_jwks *out, size_t *cap, const uint8_t pk[32], const char *kid,
                    struct it_error *err)
{
	if (it_array_grow(&out->keys, cap, out->n, sizeof *out->keys) < 0)
		return it_error_nomem(err);
	struct it_label_pubkey *p = &out->keys[out->n++];
	memcpy(p->pk, pk, 32);
	snprintf(p->kid, sizeof p->kid, "%s", kid);
	return 0;
}

int it_label_jwks_of_key(const struct it_label_key *k, struct it_label_jwks *out,
                         struct it_error *err)
{
	size_t cap = 0;
	memset(out, 0, sizeof *out);
	return jwks_add(out, &cap, k->pk, k->kid, err);
}

int it_label_jwks_parse(const char *text, size_t len, const char *where, struct it_label_jwks *out,
                        struct it_error *err)
{
	memset(out, 0, sizeof *out);
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return it_error_set_line(err, IT_ERR_INPUT, where, (unsigned long)je.line,
		                         (unsigned long)je.column, "%s", je.text);
	json_t *keys = json_object_get(root, "keys");
	size_t cap = 0;
	int rc = 0;
	if (!json_is_array(keys)) {
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                  "$.keys: expected an array of JWKs");
	}
	for (size_t i = 0; rc == 0 && i < json_array_size(keys); i++) {
		json_t *jwk = json_array_get(keys, i);
		const char *kty = json_string_value(json_object_get(jwk, "kty"));
		const char *crv = json_string_value(json_object_get(jwk, "crv"));
		const char *x = json_string_value(json_object_get(jwk, "x"));
		json_t *kidv = json_object_get(jwk, "kid");
		const char *alg = json_string_value(json_object_get(jwk, "alg"));
		if (!kty || strcmp(kty, "OKP") || !crv || strcmp(crv, "Ed25519"))
			continue; /* another kind of key: not ours to use */
		if (alg && strcmp(alg, "EdDSA"))
			continue;
		struct it_buf pk = IT_BUF_INIT;
		char kid[IT_LABEL_KID_LEN + 1];
		if (!x || it_b64url_decode(x, strlen(x), &pk) < 0 || pk.len != 32) {
			rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
			                  "$.keys[%zu].x: expected the base64url of 32 bytes", i);
		} else if (kidv &&
		           (!json_is_string(kidv) || json_string_length(kidv) > IT_LABEL_KID_LEN ||
		            json_string_length(kidv) == 0)) {
			rc = it_error_set(
			        err, IT_ERR_INPUT, where, IT_NO_OFFSET,
			        "$.keys[%zu].kid: expected a string of 1 to %d characters", i,
			        IT_LABEL_KID_LEN);
		} else if (!kidv) {
			if (pub_kid(pk.data, kid, err) == 0)
				rc = jwks_add(out, &cap, pk.data, kid, err);
			else
				rc = -1;
		} else {
			rc = jwks_add(out, &cap, pk.data, json_string_value(kidv), err);
		}
		it_buf_free(&pk);
	}
	json_decref(root);
	if (rc == 0 && out->n == 0)
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                  "$.keys: no Ed25519 (OKP) key for EdDSA");
	if (rc < 0)
		it_label_jwks_free(out);
	return rc;
}

void it_label_jwks_free(struct it_label_jwks *j)
{
	free(j->keys);
	memset(j, 0, sizeof *j);
}

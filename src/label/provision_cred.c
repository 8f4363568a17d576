/*
 * Device passwords and their crypt(3) hashes. Passwords come only from OpenSSL's
 * RAND_bytes through rejection sampling (uniform over the sticker alphabet); nothing about
 * the device (serial, MAC) goes in. Hashes use libcrypt's crypt_gensalt_ra and crypt_r.
 */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "iotrust/provision.h"

/* Names indexed by the enums' values. */
static const char *const keytype_names[] = {"ed25519", "p256"};
static const char *const hash_names[] = {"yescrypt", "sha512crypt"};

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

const char *it_prov_keytype_name(enum it_prov_keytype k)
{
	return keytype_names[k == IT_PROV_KEY_P256];
}

const char *it_prov_hash_name(enum it_prov_hash h)
{
	return hash_names[h == IT_PROV_HASH_SHA512CRYPT];
}

int it_prov_keytype_parse(const char *s, enum it_prov_keytype *out)
{
	int i = name_index(keytype_names, 2, s);
	if (i >= 0)
		*out = (enum it_prov_keytype)i;
	return i < 0 ? -1 : 0;
}

int it_prov_hash_parse(const char *s, enum it_prov_hash *out)
{
	int i = name_index(hash_names, 2, s);
	if (i >= 0)
		*out = (enum it_prov_hash)i;
	return i < 0 ? -1 : 0;
}

size_t it_prov_sample(const uint8_t *rnd, size_t n, unsigned k, uint8_t *out, size_t want)
{
	if (k == 0 || k > 256)
		return 0;
	unsigned limit = 256 - 256 % k; /* largest multiple of k not above 256 */
	size_t got = 0;
	for (size_t i = 0; i < n && got < want; i++)
		if (rnd[i] < limit)
			out[got++] = (uint8_t)(rnd[i] % k);
	return got;
}

int it_prov_password(char *out, size_t len, struct it_error *err)
{
	static const char alphabet[] = IT_PROV_ALPHABET;
	_Static_assert(sizeof alphabet - 1 == IT_PROV_ALPHABET_LEN, "alphabet length");
	uint8_t rnd[64], idx[64];
	size_t got = 0;
	while (got < len) {
		if (RAND_bytes(rnd, sizeof rnd) != 1) {
			OPENSSL_cleanse(idx, sizeof idx);
			return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
			                    "the random generator failed (RAND_bytes)");
		}
		size_t want = len - got < sizeof idx ? len - got : sizeof idx;
		size_t n = it_prov_sample(rnd, sizeof rnd, IT_PROV_ALPHABET_LEN, idx, want);
		for (size_t i = 0; i < n; i++)
			out[got++] = alphabet[idx[i]];
	}
	out[len] = '\0';
	OPENSSL_cleanse(rnd, sizeof rnd);
	OPENSSL_cleanse(idx, sizeof idx);
	return 0;
}

int it_prov_hash_password(enum it_prov_hash h, const char *pw, char **out, struct it_error *err)
{
	const char *prefix = h == IT_PROV_HASH_SHA512CRYPT ? "$6$" : "$y$";
	*out = NULL;
	/* rbytes NULL: libcrypt takes the salt from the OS's random source */
	char *salt = crypt_gensalt_ra(prefix, 0, NULL, 0);
	if (!salt)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "crypt_gensalt_ra(%s) failed: %s is not supported by libcrypt",
		                    prefix, it_prov_hash_name(h));
	struct crypt_data *cd = calloc(1, sizeof *cd);
	if (!cd) {
		free(salt);
		return it_error_nomem(err);
	}
	const char *hash = crypt_r(pw, salt, cd);
	free(salt);
	if (!hash || hash[0] == '*' || strncmp(hash, prefix, 3) != 0) {
		OPENSSL_cleanse(cd, sizeof *cd);
		free(cd);
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET, "crypt_r(%s) failed",
		                    it_prov_hash_name(h));
	}
	*out = strdup(hash);
	OPENSSL_cleanse(cd, sizeof *cd);
	free(cd);
	return *out ? 0 : it_error_nomem(err);
}

int it_prov_hash_check(const char *pw, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof *cd);
	if (!cd)
		return 0;
	const char *h = crypt_r(pw, hash, cd);
	int ok = h && h[0] != '*' && strcmp(h, hash) == 0;
	OPENSSL_cleanse(cd, sizeof *cd);
	free(cd);
	return ok;
}

int it_prov_name_valid(const char *s, int allow_empty)
{
	size_t n = strlen(s);
	if (n > IT_PROV_NAME_MAX || (n == 0 && !allow_empty) || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int it_prov_serial_format(const char *prefix, uint32_t n, char *out)
{
	if (strlen(prefix) > IT_PROV_NAME_MAX || n > 99999999u)
		return -1;
	snprintf(out, IT_PROV_SERIAL_MAX, "%s%08u", prefix, (unsigned)n);
	return 0;
}

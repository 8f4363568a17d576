/*
 * Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037): signing, strict parsing (three
 * base64url parts, a JSON header with alg "EdDSA" and a kid, no "crit") and verification
 * against a JWKS. The signing input is kept as the exact ASCII the signature covers.
 */
#include <string.h>

#include <openssl/sha.h>
#include <sodium.h>

#include "iotrust/label.h"

#define JWS_HEADER_MAX 1024

void it_label_digest(const uint8_t *p, size_t n, char out[IT_LABEL_DIGEST_LEN + 1])
{
	uint8_t h[SHA256_DIGEST_LENGTH];
	SHA256(p, n, h);
	struct it_buf b = IT_BUF_INIT;
	if (it_b64url_encode(h, sizeof h, &b) == 0 && b.len == IT_LABEL_DIGEST_LEN)
		memcpy(out, b.data, IT_LABEL_DIGEST_LEN + 1);
	else
		out[0] = 0;
	it_buf_free(&b);
}

int it_jws_sign(const struct it_label_key *k, const char *typ, const uint8_t *payload, size_t n,
                int detached, struct it_buf *out, struct it_error *err)
{
	if (sodium_init() < 0)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "libsodium cannot initialise");
	json_t *h = json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "kid", k->kid, "typ", typ);
	char *hs = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(h);
	if (!hs)
		return it_error_nomem(err);
	struct it_buf in = IT_BUF_INIT;
	int rc = it_b64url_encode((const uint8_t *)hs, strlen(hs), &in);
	free(hs);
	rc |= it_buf_putc(&in, '.');
	rc |= it_b64url_encode(payload, n, &in);
	if (rc < 0) {
		it_buf_free(&in);
		return it_error_nomem(err);
	}
	uint8_t sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, in.data, in.len, k->sk);
	if (detached) {
		const char *dot = strchr(it_buf_str(&in), '.');
		it_buf_truncate(&in, (size_t)(dot - (const char *)in.data) + 1);
	}
	rc = it_buf_putc(&in, '.');
	rc |= it_b64url_encode(sig, sizeof sig, &in);
	rc |= it_buf_append(out, in.data, in.len);
	it_buf_free(&in);
	return rc < 0 ? it_error_nomem(err) : 0;
}

void it_jws_free(struct it_jws *j)
{
	free(j->kid);
	free(j->typ);
	it_buf_free(&j->payload);
	it_buf_free(&j->signing);
	memset(j, 0, sizeof *j);
}

static int jws_header(const struct it_buf *hb, const char *where, struct it_jws *out,
                      struct it_error *err)
{
	json_error_t je;
	json_t *h = json_loadb((const char *)hb->data, hb->len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(h)) {
		json_decref(h);
		return it_error_set(err, IT_ERR_INPUT, where, 0,
		                    "JWS header: expected a JSON object (%s)",
		                    h ? "another type" : je.text);
	}
	const char *alg = json_string_value(json_object_get(h, "alg"));
	json_t *kid = json_object_get(h, "kid"), *typ = json_object_get(h, "typ");
	int rc = 0;
	if (!alg || strcmp(alg, "EdDSA"))
		rc = it_error_set(err, IT_ERR_INPUT, where, 0,
		                  "JWS header: alg must be \"EdDSA\" (got %s)", alg ? alg : "none");
	else if (!json_is_string(kid) || json_string_length(kid) == 0 ||
	         json_string_length(kid) > IT_LABEL_KID_LEN ||
	         strlen(json_string_value(kid)) != json_string_length(kid))
		rc = it_error_set(err, IT_ERR_INPUT, where, 0,
		                  "JWS header: kid must be a string of 1 to %d characters",
		                  IT_LABEL_KID_LEN);
	else if (typ && (!json_is_string(typ) ||
	                 strlen(json_string_value(typ)) != json_string_length(typ)))
		rc = it_error_set(err, IT_ERR_INPUT, where, 0, "JWS header: typ must be a string");
	else if (json_object_get(h, "crit"))
		rc = it_error_set(err, IT_ERR_INPUT, where, 0,
		                  "JWS header: \"crit\" extensions are not understood");
	if (rc == 0) {
		out->kid = strdup(json_string_value(kid));
		out->typ = typ ? strdup(json_string_value(typ)) : NULL;
		if (!out->kid || (typ && !out->typ))
			rc = it_error_nomem(err);
	}
	json_decref(h);
	return rc;
}

int it_jws_parse(const char *s, size_t n, const char *where, const uint8_t *detached_payload,
                 size_t detached_len, struct it_jws *out, struct it_error *err)
{
	memset(out, 0, sizeof *out);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n > IT_LABEL_MAX_INPUT)
		return it_error_set(err, IT_ERR_LIMIT, where, IT_NO_OFFSET,
		                    "JWS larger than %u bytes", IT_LABEL_MAX_INPUT);
	const char *d1 = memchr(s, '.', n);
	const char *d2 = d1 ? memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - s)) : NULL;
	if (!d1 || !d2 || memchr(d2 + 1, '.', n - (size_t)(d2 + 1 - s)))
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "expected a compact JWS: three base64url parts separated by "
		                    "'.'");
	size_t hl = (size_t)(d1 - s), pl = (size_t)(d2 - d1 - 1), sl = n - (size_t)(d2 + 1 - s);
	struct it_buf hb = IT_BUF_INIT, sb = IT_BUF_INIT;
	int rc = 0;
	if (hl == 0 || hl > JWS_HEADER_MAX || it_b64url_decode(s, hl, &hb) < 0 || !hb.data)
		rc = it_error_set(err, IT_ERR_INPUT, where, 0,
		                  "JWS header: expected base64url (at most %d characters)",
		                  JWS_HEADER_MAX);
	else if (detached_payload && pl != 0)
		rc = it_error_set(err, IT_ERR_INPUT, where, (uint64_t)hl + 1,
		                  "expected a detached JWS (an empty payload part)");
	else if (!detached_payload && it_b64url_decode(d1 + 1, pl, &out->payload) < 0)
		rc = it_error_set(err, IT_ERR_INPUT, where, (uint64_t)hl + 1,
		                  "JWS payload: not base64url");
	else if (it_b64url_decode(d2 + 1, sl, &sb) < 0 || sb.len != crypto_sign_BYTES)
		rc = it_error_set(err, IT_ERR_INPUT, where, (uint64_t)(d2 + 1 - s),
		                  "JWS signature: expected the base64url of 64 bytes");
	if (rc == 0)
		rc = jws_header(&hb, where, out, err);
	if (rc == 0) {
		memcpy(out->sig, sb.data, crypto_sign_BYTES);
		int r = it_buf_append(&out->signing, s, hl + 1);
		if (detached_payload) {
			r |= it_b64url_encode(detached_payload, detached_len, &out->signing);
			r |= it_buf_append(&out->payload, detached_payload, detached_len);
		} else {
			r |= it_buf_append(&out->signing, d1 + 1, pl);
		}
		if (r < 0)
			rc = it_error_nomem(err);
		it_label_digest((const uint8_t *)s, n, out->digest);
	}
	it_buf_free(&hb);
	it_buf_free(&sb);
	if (rc < 0)
		it_jws_free(out);
	return rc;
}

int it_jws_verify(const struct it_jws *j, const struct it_label_jwks *keys)
{
	if (sodium_init() < 0)
		return 2;
	const struct it_label_pubkey *k = NULL;
	for (size_t i = 0; keys && i < keys->n && !k; i++)
		if (!strcmp(keys->keys[i].kid, j->kid))
			k = &keys->keys[i];
	if (!k)
		return 1;
	return crypto_sign_verify_detached(j->sig, j->signing.data, j->signing.len, k->pk) == 0 ? 0
	                                                                                        : 2;
}

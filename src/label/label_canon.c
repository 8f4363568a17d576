/*
 * RFC 8785 JSON Canonicalization Scheme over jansson values, and the RFC 7638 JWK thumbprint
 * built on it. Members are sorted by their names' UTF-16 code units (which differs from byte
 * order only for characters above U+FFFF against U+E000..U+FFFF); numbers are written as
 * ECMAScript writes doubles: the shortest decimal that reads back to the same double.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "iotrust/label.h"

#define CANON_MAX_DEPTH 64

/* Decode one UTF-8 sequence (jansson has validated it): the code point, *p advanced. */
static uint32_t utf8_next(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t c = *s++;
	int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
	c &= extra == 3 ? 0x07 : extra == 2 ? 0x0f : extra == 1 ? 0x1f : 0x7f;
	while (extra-- > 0 && s < end)
		c = (c << 6) | (*s++ & 0x3f);
	*p = s;
	return c;
}

/* The UTF-16 code unit sequence of c: one unit, or a surrogate pair (hi, lo). */
static int utf16_units(uint32_t c, uint16_t u[2])
{
	if (c < 0x10000) {
		u[0] = (uint16_t)c;
		return 1;
	}
	c -= 0x10000;
	u[0] = (uint16_t)(0xd800 + (c >> 10));
	u[1] = (uint16_t)(0xdc00 + (c & 0x3ff));
	return 2;
}

struct member {
	const char *key;
	size_t len;
	json_t *value;
};

static int utf16_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char *pa = (const unsigned char *)a, *ea = pa + alen;
	const unsigned char *pb = (const unsigned char *)b, *eb = pb + blen;
	uint16_t ua[2], ub[2];
	int na = 0, nb = 0, ia = 0, ib = 0;
	for (;;) {
		if (ia == na) {
			if (pa == ea)
				na = 0;
			else
				na = utf16_units(utf8_next(&pa, ea), ua);
			ia = 0;
		}
		if (ib == nb) {
			if (pb == eb)
				nb = 0;
			else
				nb = utf16_units(utf8_next(&pb, eb), ub);
			ib = 0;
		}
		if (na == 0 || nb == 0)
			return (na != 0) - (nb != 0);
		if (ua[ia] != ub[ib])
			return ua[ia] < ub[ib] ? -1 : 1;
		ia++;
		ib++;
	}
}

static int member_cmp(const void *x, const void *y)
{
	const struct member *a = x, *b = y;
	return utf16_compare(a->key, a->len, b->key, b->len);
}

static int put_string(struct it_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (it_buf_putc(out, '"') < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			break;
		}
		int rc;
		if (esc) {
			rc = it_buf_puts(out, esc);
		} else if (c < 0x20) {
			char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
			rc = it_buf_puts(out, u);
		} else {
			rc = it_buf_putc(out, (char)c);
		}
		if (rc < 0)
			return -1;
	}
	return it_buf_putc(out, '"');
}

/* ECMAScript Number::toString(10) of a finite double. */
static int put_number(struct it_buf *out, double v)
{
	if (v == 0)
		return it_buf_putc(out, '0'); /* also -0 */
	if (v < 0) {
		if (it_buf_putc(out, '-') < 0)
			return -1;
		v = -v;
	}
	/* the shortest precision that reads back: correctly rounded, hence also the closest */
	char tmp[40];
	int p;
	for (p = 1; p <= 17; p++) {
		snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	/* tmp is d[.ddd]e[+-]xx: collect the digits k and the decimal exponent n */
	char dig[20];
	int k = 0;
	const char *q = tmp;
	for (; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9' && k < 19)
			dig[k++] = *q;
	int e = atoi(q + 1);
	while (k > 1 && dig[k - 1] == '0')
		k--;
	dig[k] = 0;
	int n = e + 1;
	struct it_buf *b = out;
	int rc = 0;
	if (k <= n && n <= 21) {
		rc |= it_buf_append(b, dig, (size_t)k);
		for (int i = 0; i < n - k; i++)
			rc |= it_buf_putc(b, '0');
	} else if (0 < n && n <= 21) {
		rc |= it_buf_append(b, dig, (size_t)n);
		rc |= it_buf_putc(b, '.');
		rc |= it_buf_append(b, dig + n, (size_t)(k - n));
	} else if (-6 < n && n <= 0) {
		rc |= it_buf_puts(b, "0.");
		for (int i = 0; i < -n; i++)
			rc |= it_buf_putc(b, '0');
		rc |= it_buf_append(b, dig, (size_t)k);
	} else {
		rc |= it_buf_putc(b, dig[0]);
		if (k > 1) {
			rc |= it_buf_putc(b, '.');
			rc |= it_buf_append(b, dig + 1, (size_t)(k - 1));
		}
		rc |= it_buf_printf(b, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	return rc ? -1 : 0;
}

static int canon(const json_t *v, struct it_buf *out, int depth, struct it_error *err)
{
	if (depth > CANON_MAX_DEPTH)
		return it_error_set(err, IT_ERR_LIMIT, NULL, IT_NO_OFFSET,
		                    "JSON nested deeper than %d levels", CANON_MAX_DEPTH);
	int rc = 0;
	switch (json_typeof(v)) {
	case JSON_NULL:
		rc = it_buf_puts(out, "null");
		break;
	case JSON_TRUE:
		rc = it_buf_puts(out, "true");
		break;
	case JSON_FALSE:
		rc = it_buf_puts(out, "false");
		break;
	case JSON_INTEGER: {
		json_int_t i = json_integer_value(v);
		if (i > -(1LL << 53) && i < (1LL << 53))
			rc = it_buf_printf(out, "%lld", (long long)i);
		else
			rc = put_number(out, (double)i);
		break;
	}
	case JSON_REAL: {
		double d = json_real_value(v);
		if (!isfinite(d))
			return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
			                    "a number is not finite");
		rc = put_number(out, d);
		break;
	}
	case JSON_STRING:
		rc = put_string(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_ARRAY: {
		rc = it_buf_putc(out, '[');
		for (size_t i = 0; rc == 0 && i < json_array_size(v); i++) {
			if (i && it_buf_putc(out, ',') < 0)
				return it_error_nomem(err);
			if (canon(json_array_get(v, i), out, depth + 1, err) < 0)
				return -1;
		}
		if (rc == 0)
			rc = it_buf_putc(out, ']');
		break;
	}
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		struct member *m = calloc(n ? n : 1, sizeof *m);
		if (!m)
			return it_error_nomem(err);
		const char *key;
		size_t klen;
		json_t *val;
		json_object_keylen_foreach((json_t *)v, key, klen, val)
		{
			if (i < n)
				m[i++] = (struct member){key, klen, val};
		}
		qsort(m, i, sizeof *m, member_cmp);
		rc = it_buf_putc(out, '{');
		for (size_t j = 0; rc == 0 && j < i; j++) {
			if ((j && it_buf_putc(out, ',') < 0) ||
			    put_string(out, m[j].key, m[j].len) < 0 || it_buf_putc(out, ':') < 0) {
				free(m);
				return it_error_nomem(err);
			}
			if (canon(m[j].value, out, depth + 1, err) < 0) {
				free(m);
				return -1;
			}
		}
		free(m);
		if (rc == 0)
			rc = it_buf_putc(out, '}');
		break;
	}
	}
	return rc < 0 ? it_error_nomem(err) : 0;
}

int it_json_canonical(const json_t *v, struct it_buf *out, struct it_error *err)
{
	if (!v)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET, "no JSON value");
	return canon(v, out, 0, err);
}

int it_jwk_thumbprint(const json_t *jwk, char out[IT_LABEL_KID_LEN + 1], struct it_error *err)
{
	static const char *const rsa[] = {"e", "kty", "n", NULL};
	static const char *const ec[] = {"crv", "kty", "x", "y", NULL};
	static const char *const okp[] = {"crv", "kty", "x", NULL};
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *const *names = !kty                  ? NULL
	                           : !strcmp(kty, "RSA") ? rsa
	                           : !strcmp(kty, "EC")  ? ec
	                           : !strcmp(kty, "OKP") ? okp
	                                                 : NULL;
	if (!names)
		return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
		                    "JWK: kty is missing or not RSA, EC or OKP");
	json_t *req = json_object();
	if (!req)
		return it_error_nomem(err);
	for (size_t i = 0; names[i]; i++) {
		json_t *m = json_object_get(jwk, names[i]);
		if (!json_is_string(m)) {
			json_decref(req);
			return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
			                    "JWK: member \"%s\" is missing or not a string",
			                    names[i]);
		}
		json_object_set(req, names[i], m);
	}
	struct it_buf c = IT_BUF_INIT;
	int rc = it_json_canonical(req, &c, err);
	json_decref(req);
	if (rc == 0) {
		uint8_t h[SHA256_DIGEST_LENGTH];
		SHA256(c.data, c.len, h);
		struct it_buf b = IT_BUF_INIT;
		if (it_b64url_encode(h, sizeof h, &b) < 0 || b.len != IT_LABEL_KID_LEN) {
			rc = it_error_nomem(err);
		} else {
			memcpy(out, b.data, IT_LABEL_KID_LEN + 1);
		}
		it_buf_free(&b);
	}
	it_buf_free(&c);
	return rc;
}

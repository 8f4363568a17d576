/*
 * Security labels (include/iotrust/label.h): base64url, RFC 8785 canonical JSON against the
 * RFC's examples, RFC 7638 / RFC 8037 thumbprints and the RFC 8037 Ed25519 signature, JWS round
 * trips and one-byte changes, label validity (expired, not yet valid, support over, unknown
 * key, revoked), key files with and without a passphrase, --allow-fail and the QR round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "iotrust/label.h"
#include "testutil.h"

/* --- helpers ------------------------------------------------------------------------------ */

static char *fixture(const char *name, size_t *len)
{
	const char *dir = getenv("IOTRUST_TEST_DATA");
	char path[512];
	snprintf(path, sizeof path, "%s/label/%s", dir ? dir : "tests/data", name);
	struct it_buf b = IT_BUF_INIT;
	if (read_file(path, &b) < 0)
		fail_msg("cannot read %s", path);
	*len = b.len;
	return it_buf_detach(&b);
}

static char *canon_of(const char *json)
{
	json_error_t je;
	json_t *v = json_loads(json, JSON_DECODE_ANY, &je);
	if (!v)
		fail_msg("bad test JSON: %s", je.text);
	struct it_buf b = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_json_canonical(v, &b, &err), 0);
	json_decref(v);
	if (!b.data)
		it_buf_puts(&b, "");
	return it_buf_detach(&b);
}

static void expect_canon(const char *json, const char *want)
{
	char *got = canon_of(json);
	assert_string_equal(got, want);
	free(got);
}

static void test_key(struct it_label_key *k, uint8_t fill)
{
	uint8_t seed[32];
	memset(seed, fill, sizeof seed);
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_label_key_from_seed(k, seed, &err), 0);
}

static const int64_t T_ISSUE = 1795521600; /* 2026-11-24T12:00:00Z */

/* The fixture's label signed by k at T_ISSUE: the compact JWS (caller frees). */
static char *signed_label(const struct it_label_key *k, int64_t expires, char digest[44])
{
	size_t n;
	char *a = fixture("assessment.json", &n);
	struct it_label_sign_opts o = {.issued_at = T_ISSUE, .expires_at = expires};
	struct it_error err = IT_ERROR_INIT;
	json_t *p = NULL;
	assert_int_equal(it_label_build(a, n, "assessment.json", k, &o, &p, &err), 0);
	struct it_label_out out;
	assert_int_equal(it_label_sign(p, k, NULL, 0, &out, &err), 0);
	if (digest)
		memcpy(digest, out.digest, 44);
	char *jws = strdup((const char *)out.jws.data);
	it_label_out_free(&out);
	json_decref(p);
	free(a);
	return jws;
}

static unsigned verify_at(const char *jws, const struct it_label_jwks *keys,
                          const struct it_label_revocations *rev, int64_t at)
{
	struct it_label_verdict v;
	struct it_error err = IT_ERROR_INIT;
	int rc = it_label_verify(jws, strlen(jws), "label.jws", keys, rev, at, &v, &err);
	if (rc < 0)
		fail_msg("verify: %s", err.message);
	unsigned p = v.problems;
	it_label_verdict_free(&v);
	return p;
}

/* Replace the character at i by another of the base64url alphabet. */
static void flip(char *s, size_t i)
{
	s[i] = s[i] == 'A' ? 'B' : 'A';
}

/* --- encodings ---------------------------------------------------------------------------- */

static void b64url_round_trip_and_strictness(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT, d = IT_BUF_INIT;
	assert_int_equal(it_b64url_encode((const uint8_t *)"\xfb\xff\x01", 3, &b), 0);
	assert_string_equal(it_buf_str(&b), "-_8B");
	assert_int_equal(it_b64url_decode("-_8B", 4, &d), 0);
	assert_memory_equal(d.data, "\xfb\xff\x01", 3);
	it_buf_free(&b);
	it_buf_free(&d);
	assert_int_equal(it_b64url_decode("QQ", 2, &d), 0); /* "A" */
	assert_int_equal(d.len, 1);
	it_buf_free(&d);
	assert_int_equal(it_b64url_decode("QR", 2, &d), -1); /* unused bits set */
	it_buf_free(&d);
	assert_int_equal(it_b64url_decode("QQ==", 4, &d), -1); /* padding */
	it_buf_free(&d);
	assert_int_equal(it_b64url_decode("+/8B", 4, &d), -1); /* standard alphabet */
	it_buf_free(&d);
	assert_int_equal(it_b64url_decode("Q", 1, &d), -1);
	it_buf_free(&d);
}

static void times_parse_and_format(void **state)
{
	(void)state;
	int64_t t;
	char s[21];
	assert_int_equal(it_label_time_parse("2026-11-24T12:00:00Z", &t), 0);
	assert_int_equal(t, T_ISSUE);
	it_label_time_format(t, s);
	assert_string_equal(s, "2026-11-24T12:00:00Z");
	assert_int_equal(it_label_time_parse("2028-02-29", &t), 0);
	it_label_time_format(t, s);
	assert_string_equal(s, "2028-02-29T00:00:00Z");
	assert_int_equal(it_label_date_end("2029-12-31", &t), 0);
	it_label_time_format(t, s);
	assert_string_equal(s, "2029-12-31T23:59:59Z");
	assert_int_equal(it_label_time_parse("2027-02-29", &t), -1);
	assert_int_equal(it_label_time_parse("2026-11-24T12:00:00+01:00", &t), -1);
	assert_int_equal(it_label_time_parse("2026-11-24 12:00:00Z", &t), -1);
	assert_int_equal(it_label_time_parse("2026-13-01", &t), -1);
}

/* --- RFC 8785 ----------------------------------------------------------------------------- */

static void jcs_sorting_rfc8785_3_2_3(void **state)
{
	(void)state;
	/* RFC 8785 section 3.2.3: sorted by UTF-16 code units (the emoji before U+FB33) */
	expect_canon(
	        "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", "
	        "\"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\", "
	        "\"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\", "
	        "\"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}",
	        "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
	        "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":\"Euro "
	        "Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew "
	        "Letter Dalet With Dagesh\"}");
}

static void jcs_example_rfc8785_3_2_2(void **state)
{
	(void)state;
	/* RFC 8785 section 3.2.2: the whole example, numbers, literals and string escapes */
	expect_canon(
	        "{\"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, "
	        "0.000000000000000000000000001], "
	        "\"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\", "
	        "\"literals\": [null, true, false]}",
	        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,"
	        "1e-27],\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

static void jcs_numbers_rfc8785_appendix_b(void **state)
{
	(void)state;
	/* RFC 8785 appendix B values that JSON text can express */
	expect_canon("[0, -0.0, 5e-324, 1.7976931348623157e308, 9007199254740992, "
	             "-9007199254740992, 2.9514790517935283e20, 1e21, 1e20, 1e-7, 1e-6, "
	             "4.294967295e9, 0.1, 1e23, 123, -42]",
	             "[0,0,5e-324,1.7976931348623157e+308,9007199254740992,-9007199254740992,"
	             "295147905179352830000,1e+21,100000000000000000000,1e-7,0.000001,4294967295,"
	             "0.1,1e+23,123,-42]");
	expect_canon("{\"b\":{\"z\":1,\"a\":[{}]},\"a\":\"\\u001f\\b\\t\"}",
	             "{\"a\":\"\\u001f\\b\\t\",\"b\":{\"a\":[{}],\"z\":1}}");
}

/* --- thumbprints and the RFC 8037 signature ---------------------------------------------- */

static void thumbprint_rfc7638_example(void **state)
{
	(void)state;
	/* RFC 7638 section 3.1 */
	json_t *jwk = json_pack(
	        "{s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "n",
	        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
	        "tSoc_"
	        "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"
	        "65YGjQR0_"
	        "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
	        "bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
	        "kEgU8awapJzKnqDKgw",
	        "e", "AQAB", "alg", "RS256", "kid", "2011-04-29");
	char kid[44];
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_jwk_thumbprint(jwk, kid, &err), 0);
	assert_string_equal(kid, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	json_object_del(jwk, "e");
	assert_int_equal(it_jwk_thumbprint(jwk, kid, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	it_error_clear(&err);
	json_decref(jwk);
}

static void ed25519_key_rfc8037_a(void **state)
{
	(void)state;
	/* RFC 8037 appendix A.1 (key), A.3 (thumbprint), A.4 (signature) */
	struct it_buf d = IT_BUF_INIT, x = IT_BUF_INIT, in = IT_BUF_INIT, sig = IT_BUF_INIT;
	assert_int_equal(it_b64url_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", 43, &d),
	                 0);
	struct it_label_key k;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_label_key_from_seed(&k, d.data, &err), 0);
	assert_int_equal(it_b64url_encode(k.pk, 32, &x), 0);
	assert_string_equal(it_buf_str(&x), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
	assert_string_equal(k.kid, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
	it_buf_puts(&in, "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc");
	uint8_t s[64];
	crypto_sign_detached(s, NULL, in.data, in.len, k.sk);
	assert_int_equal(it_b64url_encode(s, 64, &sig), 0);
	assert_string_equal(it_buf_str(&sig),
	                    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4"
	                    "ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
	it_label_key_wipe(&k);
	it_buf_free(&d);
	it_buf_free(&x);
	it_buf_free(&in);
	it_buf_free(&sig);
}

/* --- JWS ---------------------------------------------------------------------------------- */

static void jws_round_trip_and_one_byte_changes(void **state)
{
	(void)state;
	struct it_label_key k;
	test_key(&k, 7);
	struct it_label_jwks keys;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_label_jwks_of_key(&k, &keys, &err), 0);
	struct it_buf out = IT_BUF_INIT;
	const char *msg = "{\"hello\":\"labels\"}";
	assert_int_equal(it_jws_sign(&k, "x+jws", (const uint8_t *)msg, strlen(msg), 0, &out, &err),
	                 0);
	char *jws = it_buf_detach(&out);
	struct it_jws j;
	assert_int_equal(it_jws_parse(jws, strlen(jws), "t", NULL, 0, &j, &err), 0);
	assert_string_equal(j.kid, k.kid);
	assert_string_equal(j.typ, "x+jws");
	assert_memory_equal(j.payload.data, msg, strlen(msg));
	assert_int_equal(it_jws_verify(&j, &keys), 0);
	it_jws_free(&j);
	/* one byte of the payload part, then one of the signature part */
	const char *d1 = strchr(jws, '.'), *d2 = strrchr(jws, '.');
	size_t positions[] = {(size_t)(d1 - jws) + 3, (size_t)(d2 - jws) + 5};
	for (size_t i = 0; i < 2; i++) {
		char *bad = strdup(jws);
		flip(bad, positions[i]);
		assert_int_equal(it_jws_parse(bad, strlen(bad), "t", NULL, 0, &j, &err), 0);
		assert_int_equal(it_jws_verify(&j, &keys), 2);
		it_jws_free(&j);
		free(bad);
	}
	/* another key holder: unknown kid */
	struct it_label_key other;
	struct it_label_jwks okeys;
	test_key(&other, 9);
	assert_int_equal(it_label_jwks_of_key(&other, &okeys, &err), 0);
	assert_int_equal(it_jws_parse(jws, strlen(jws), "t", NULL, 0, &j, &err), 0);
	assert_int_equal(it_jws_verify(&j, &okeys), 1);
	it_jws_free(&j);
	it_label_jwks_free(&okeys);
	it_label_jwks_free(&keys);
	free(jws);
}

static void jws_malformed_is_input_error(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "",
	        "abc",
	        "a.b",
	        "a.b.c.d",
	        "eyJhbGciOiJub25lIn0.e30.",                    /* alg none */
	        "eyJhbGciOiJIUzI1NiIsImtpZCI6IngifQ.e30.AAAA", /* HS256 */
	        "e30.e30.AAAA",                                /* no alg */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct it_jws j;
		struct it_error err = IT_ERROR_INIT;
		assert_int_equal(it_jws_parse(bad[i], strlen(bad[i]), "t", NULL, 0, &j, &err), -1);
		assert_int_equal(err.code, IT_ERR_INPUT);
		it_error_clear(&err);
	}
}

/* --- labels ------------------------------------------------------------------------------- */

static void label_valid_expired_not_yet_support_over(void **state)
{
	(void)state;
	struct it_label_key k;
	test_key(&k, 1);
	struct it_label_jwks keys;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_label_jwks_of_key(&k, &keys, &err), 0);
	int64_t support_end, t;
	assert_int_equal(it_label_date_end("2029-12-31", &support_end), 0);
	char *jws = signed_label(&k, 0, NULL);
	assert_int_equal(verify_at(jws, &keys, NULL, T_ISSUE), 0);
	assert_int_equal(verify_at(jws, &keys, NULL, support_end), 0);
	assert_int_equal(verify_at(jws, &keys, NULL, T_ISSUE - 1), IT_LABEL_NOT_YET_VALID);
	assert_int_equal(verify_at(jws, &keys, NULL, support_end + 1),
	                 IT_LABEL_EXPIRED | IT_LABEL_SUPPORT_OVER);
	free(jws);
	/* a label that expires early: expired, support still on */
	assert_int_equal(it_label_time_parse("2027-06-30", &t), 0);
	jws = signed_label(&k, t, NULL);
	assert_int_equal(verify_at(jws, &keys, NULL, t + 1), IT_LABEL_EXPIRED);
	free(jws);
	/* a label valid beyond the support period: support over only */
	assert_int_equal(it_label_time_parse("2031-01-01", &t), 0);
	jws = signed_label(&k, t, NULL);
	assert_int_equal(verify_at(jws, &keys, NULL, support_end + 1), IT_LABEL_SUPPORT_OVER);
	free(jws);
	it_label_jwks_free(&keys);
}

static void label_tampered_and_unknown_key(void **state)
{
	(void)state;
	struct it_label_key k, other;
	test_key(&k, 1);
	test_key(&other, 2);
	struct it_label_jwks keys, okeys;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_label_jwks_of_key(&k, &keys, &err), 0);
	assert_int_equal(it_label_jwks_of_key(&other, &okeys, &err), 0);
	char *jws = signed_label(&k, 0, NULL);
	assert_int_equal(verify_at(jws, &okeys, NULL, T_ISSUE), IT_LABEL_UNKNOWN_KEY);
	const char *d1 = strchr(jws, '.'), *d2 = strrchr(jws, '.');
	char *bad = strdup(jws);
	flip(bad, (size_t)(d1 - jws) + 10);
	assert_int_equal(verify_at(bad, &keys, NULL, T_ISSUE), IT_LABEL_BAD_SIGNATURE);
	strcpy(bad, jws);
	flip(bad, (size_t)(d2 - jws) + 10);
	assert_int_equal(verify_at(bad, &keys, NULL, T_ISSUE), IT_LABEL_BAD_SIGNATURE);
	free(bad);
	/* a key with the right kid but another public key: bad signature */
	memcpy(okeys.keys[0].kid, k.kid, sizeof k.kid);
	assert_int_equal(verify_at(jws, &okeys, NULL, T_ISSUE), IT_LABEL_BAD_SIGNATURE);
	free(jws);
	it_label_jwks_free(&keys);
	it_label_jwks_free(&okeys);
}

static void label_payload_fields(void **state)
{
	(void)state;
	struct it_label_key k;
	test_key(&k, 1);
	size_t n;
	char *a = fixture("assessment.json", &n);
	struct it_label_sign_opts o = {.issued_at = T_ISSUE};
	struct it_error err = IT_ERROR_INIT;
	json_t *p = NULL;
	assert_int_equal(it_label_build(a, n, "a", &k, &o, &p, &err), 0);
	assert_string_equal(json_string_value(json_object_get(p, "vendor")), "Acme");
	assert_string_equal(json_string_value(json_object_get(p, "kid")), k.kid);
	assert_string_equal(json_string_value(json_object_get(p, "tier")), "substantial");
	assert_string_equal(json_string_value(json_object_get(p, "issued_at")),
	                    "2026-11-24T12:00:00Z");
	assert_string_equal(json_string_value(json_object_get(p, "expires_at")),
	                    "2029-12-31T23:59:59Z");
	/* only the standards met */
	json_t *stds = json_object_get(p, "standards");
	assert_int_equal(json_array_size(stds), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(stds, 0), "id")),
	                    "etsi-en-303-645");
	assert_null(json_object_get(p, "mandatory_failed"));
	/* the assessment digest is the SHA-256 of its RFC 8785 form */
	json_t *aj = json_loadb(a, n, 0, NULL);
	struct it_buf c = IT_BUF_INIT;
	assert_int_equal(it_json_canonical(aj, &c, &err), 0);
	uint8_t h[32];
	crypto_hash_sha256(h, c.data, c.len);
	char hex[65];
	sodium_bin2hex(hex, sizeof hex, h, 32);
	assert_string_equal(json_string_value(json_object_get(p, "assessment_sha256")), hex);
	it_buf_free(&c);
	json_decref(aj);
	json_decref(p);
	free(a);
}

static void label_allow_fail(void **state)
{
	(void)state;
	struct it_label_key k;
	test_key(&k, 1);
	size_t n;
	char *a = fixture("assessment-failed.json", &n);
	struct it_label_sign_opts o = {.issued_at = T_ISSUE};
	struct it_error err = IT_ERROR_INIT;
	json_t *p = NULL;
	assert_int_equal(it_label_build(a, n, "a", &k, &o, &p, &err), 1);
	assert_null(p);
	assert_non_null(strstr(err.message, "3 mandatory provisions failed"));
	it_error_clear(&err);
	o.allow_fail = 1;
	assert_int_equal(it_label_build(a, n, "a", &k, &o, &p, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(p, "mandatory_failed")), 3);
	assert_int_equal(json_array_size(json_object_get(p, "standards")), 0);
	struct it_label_out out;
	assert_int_equal(it_label_sign(p, &k, NULL, 0, &out, &err), 0);
	assert_non_null(strstr(it_buf_str(&out.svg), "3 mandatory provisions failed"));
	it_label_out_free(&out);
	json_decref(p);
	free(a);
}

static void assessment_errors_name_the_path(void **state)
{
	(void)state;
	struct it_label_key k;
	test_key(&k, 1);
	static const struct {
		const char *patch_from, *patch_to, *path;
	} cases[] = {
	        {"\"vendor\": \"Acme\"", "\"vendor\": 42", "$.product.vendor"},
	        {"\"support_until\": \"2029-12-31\"", "\"support_until\": \"2029-02-30\"",
	         "$.support_until"},
	        {"\"level\": \"substantial\"", "\"level\": \"extreme\"", "$.tier.level"},
	        {"\"mandatory_failed\": 0", "\"mandatory_failed\": -1",
	         "$.summary.mandatory_failed"},
	        {"\"level_met\": \"mandatory\"", "\"level_met\": \"most\"",
	         "$.standards[0].level_met"},
	        {"\"format_version\": 1", "\"format_version\": 2", "$.format_version"},
	        {"\"sbom_sha256\": \"2c", "\"sbom_sha256\": \"Zc", "$.sbom_sha256"},
	};
	size_t n;
	char *a = fixture("assessment.json", &n);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *at = strstr(a, cases[i].patch_from);
		assert_non_null(at);
		struct it_buf b = IT_BUF_INIT;
		it_buf_append(&b, a, (size_t)(at - a));
		it_buf_puts(&b, cases[i].patch_to);
		it_buf_puts(&b, at + strlen(cases[i].patch_from));
		struct it_label_sign_opts o = {.issued_at = T_ISSUE};
		struct it_error err = IT_ERROR_INIT;
		json_t *p = NULL;
		assert_int_equal(it_label_build((const char *)b.data, b.len, "a", &k, &o, &p, &err),
		                 -1);
		assert_int_equal(err.code, IT_ERR_INPUT);
		if (strncmp(err.message, cases[i].path, strlen(cases[i].path)) != 0)
			fail_msg("case %zu: \"%s\" does not name %s", i, err.message,
			         cases[i].path);
		it_error_clear(&err);
		it_buf_free(&b);
	}
	free(a);
}

static void svg_escapes_label_text(void **state)
{
	(void)state;
	struct it_label_key k;
	test_key(&k, 1);
	size_t n;
	char *a = fixture("assessment.json", &n);
	char *at = strstr(a, "\"product\": \"Acme Cam\"");
	assert_non_null(at);
	struct it_buf b = IT_BUF_INIT;
	it_buf_append(&b, a, (size_t)(at - a));
	it_buf_puts(&b, "\"product\": \"<b>Cam</b> & \\\"Co\\\" 'x'\"");
	it_buf_puts(&b, at + strlen("\"product\": \"Acme Cam\""));
	struct it_label_sign_opts o = {.issued_at = T_ISSUE};
	struct it_error err = IT_ERROR_INIT;
	json_t *p = NULL;
	assert_int_equal(it_label_build((const char *)b.data, b.len, "a", &k, &o, &p, &err), 0);
	struct it_label_out out;
	assert_int_equal(it_label_sign(p, &k, NULL, 0, &out, &err), 0);
	const char *svg = it_buf_str(&out.svg);
	assert_non_null(strstr(svg, "&lt;b&gt;Cam&lt;/b&gt; &amp; &quot;Co&quot; &apos;x&apos;"));
	assert_null(strstr(svg, "<b>"));
	it_label_out_free(&out);
	json_decref(p);
	it_buf_free(&b);
	free(a);
}

/* --- keys --------------------------------------------------------------------------------- */

static void key_files_round_trip(void **state)
{
	(void)state;
	struct it_label_key k, back;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_label_keygen(&k, &err), 0);
	struct it_buf pem = IT_BUF_INIT, enc = IT_BUF_INIT, jwks = IT_BUF_INIT;
	assert_int_equal(it_label_key_format(&k, NULL, 0, &pem, &err), 0);
	assert_non_null(strstr(it_buf_str(&pem), "-----BEGIN PRIVATE KEY-----"));
	assert_int_equal(
	        it_label_key_parse((const char *)pem.data, pem.len, "k", NULL, 0, &back, &err), 0);
	assert_memory_equal(back.seed, k.seed, 32);
	assert_string_equal(back.kid, k.kid);
	const char pass[] = "correct horse battery staple";
	assert_int_equal(it_label_key_format(&k, pass, strlen(pass), &enc, &err), 0);
	assert_null(strstr(it_buf_str(&enc), "PRIVATE KEY-----\nMC4")); /* not PKCS#8 */
	memset(&back, 0, sizeof back);
	assert_int_equal(it_label_key_parse((const char *)enc.data, enc.len, "k", pass,
	                                    strlen(pass), &back, &err),
	                 0);
	assert_memory_equal(back.seed, k.seed, 32);
	assert_int_equal(
	        it_label_key_parse((const char *)enc.data, enc.len, "k", "wrong", 5, &back, &err),
	        -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_non_null(strstr(err.message, "wrong passphrase"));
	it_error_clear(&err);
	assert_int_equal(
	        it_label_key_parse((const char *)enc.data, enc.len, "k", NULL, 0, &back, &err), -1);
	assert_non_null(strstr(err.message, "passphrase"));
	it_error_clear(&err);
	/* the JWKS holds the public key under the thumbprint kid */
	struct it_label_jwks keys;
	assert_int_equal(it_label_jwks_format(&k, &jwks, &err), 0);
	assert_int_equal(it_label_jwks_parse((const char *)jwks.data, jwks.len, "j", &keys, &err),
	                 0);
	assert_int_equal(keys.n, 1);
	assert_string_equal(keys.keys[0].kid, k.kid);
	assert_memory_equal(keys.keys[0].pk, k.pk, 32);
	it_label_jwks_free(&keys);
	it_label_key_wipe(&k);
	it_label_key_wipe(&back);
	it_buf_free(&pem);
	it_buf_free(&enc);
	it_buf_free(&jwks);
}

/* --- revocation --------------------------------------------------------------------------- */

static void revocation_list_signed_and_append_only(void **state)
{
	(void)state;
	struct it_label_key k, other;
	test_key(&k, 1);
	test_key(&other, 2);
	struct it_label_jwks keys, okeys;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_label_jwks_of_key(&k, &keys, &err), 0);
	assert_int_equal(it_label_jwks_of_key(&other, &okeys, &err), 0);
	char digest[44];
	char *jws = signed_label(&k, 0, digest);

	struct it_label_revocations l = {0}, back;
	assert_int_equal(it_label_revocations_add(&l, digest, "recall", T_ISSUE + 60, &err), 0);
	assert_int_equal(it_label_revocations_add(&l, digest, NULL, T_ISSUE + 61, &err), 1);
	assert_int_equal(it_label_revocations_add(&l, "not-a-digest", NULL, T_ISSUE, &err), -1);
	it_error_clear(&err);
	struct it_buf text = IT_BUF_INIT;
	assert_int_equal(it_label_revocations_format(&l, &k, T_ISSUE + 60, &text, &err), 0);
	assert_int_equal(it_label_revocations_parse((const char *)text.data, text.len, "r", &keys,
	                                            &back, &err),
	                 0);
	assert_int_equal(back.n, 1);
	assert_string_equal(back.e[0].reason, "recall");
	assert_int_equal(verify_at(jws, &keys, &back, T_ISSUE + 120), IT_LABEL_REVOKED);
	/* signed by someone else: refused */
	struct it_label_revocations x;
	assert_int_equal(it_label_revocations_parse((const char *)text.data, text.len, "r", &okeys,
	                                            &x, &err),
	                 -1);
	it_error_clear(&err);
	/* an entry removed from the list: the signature no longer matches */
	char *cut = strstr((char *)text.data, "\"reason\": \"recall\"");
	assert_non_null(cut);
	memcpy(cut, "\"reason\": \"rec0ll\"", 18);
	assert_int_equal(
	        it_label_revocations_parse((const char *)text.data, text.len, "r", &keys, &x, &err),
	        -1);
	assert_non_null(strstr(err.message, "bad signature"));
	it_error_clear(&err);
	/* re-signed with another entry: both kept, in order */
	char d2[44];
	memcpy(d2, digest, 44);
	flip(d2, 5);
	assert_int_equal(it_label_revocations_add(&back, d2, NULL, T_ISSUE + 200, &err), 0);
	it_buf_free(&text);
	assert_int_equal(it_label_revocations_format(&back, &k, T_ISSUE + 200, &text, &err), 0);
	it_label_revocations_free(&back);
	assert_int_equal(it_label_revocations_parse((const char *)text.data, text.len, "r", &keys,
	                                            &back, &err),
	                 0);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.e[0].digest, digest);
	assert_string_equal(back.issued_at, "2026-11-24T12:03:20Z");
	/* another key may not re-sign this list */
	struct it_buf t2 = IT_BUF_INIT;
	assert_int_equal(it_label_revocations_format(&back, &other, T_ISSUE, &t2, &err), -1);
	it_error_clear(&err);
	it_buf_free(&t2);
	it_label_revocations_free(&back);
	it_label_revocations_free(&l);
	it_buf_free(&text);
	it_label_jwks_free(&keys);
	it_label_jwks_free(&okeys);
	free(jws);
}

/* --- QR ----------------------------------------------------------------------------------- */

static void qr_png_round_trip(void **state)
{
	(void)state;
	struct it_label_key k;
	test_key(&k, 3);
	size_t n;
	char *a = fixture("assessment.json", &n);
	struct it_label_sign_opts o = {.issued_at = T_ISSUE};
	struct it_error err = IT_ERROR_INIT;
	json_t *p = NULL;
	assert_int_equal(it_label_build(a, n, "a", &k, &o, &p, &err), 0);
	for (int embed = 0; embed < 2; embed++) {
		struct it_label_out out;
		assert_int_equal(it_label_sign(p, &k, "https://example.org/", embed, &out, &err),
		                 0);
		char *text = NULL;
		assert_int_equal(
		        it_label_png_qr_text(out.png.data, out.png.len, "png", &text, &err), 0);
		assert_string_equal(text, out.qr_text);
		if (embed) {
			assert_memory_equal(text, out.jws.data, strlen(text));
		} else {
			char want[100];
			snprintf(want, sizeof want, "https://example.org/l/%s", out.digest);
			assert_string_equal(text, want);
		}
		free(text);
		it_label_out_free(&out);
	}
	/* too long for any QR code */
	struct it_buf big = IT_BUF_INIT;
	for (int i = 0; i < 3000; i++)
		it_buf_putc(&big, 'x');
	struct it_label_qr qr;
	assert_int_equal(it_label_qr_encode(it_buf_str(&big), &qr, &err), -1);
	assert_int_equal(err.code, IT_ERR_LIMIT);
	it_error_clear(&err);
	it_buf_free(&big);
	json_decref(p);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(b64url_round_trip_and_strictness),
	        cmocka_unit_test(times_parse_and_format),
	        cmocka_unit_test(jcs_sorting_rfc8785_3_2_3),
	        cmocka_unit_test(jcs_example_rfc8785_3_2_2),
	        cmocka_unit_test(jcs_numbers_rfc8785_appendix_b),
	        cmocka_unit_test(thumbprint_rfc7638_example),
	        cmocka_unit_test(ed25519_key_rfc8037_a),
	        cmocka_unit_test(jws_round_trip_and_one_byte_changes),
	        cmocka_unit_test(jws_malformed_is_input_error),
	        cmocka_unit_test(label_valid_expired_not_yet_support_over),
	        cmocka_unit_test(label_tampered_and_unknown_key),
	        cmocka_unit_test(label_payload_fields),
	        cmocka_unit_test(label_allow_fail),
	        cmocka_unit_test(assessment_errors_name_the_path),
	        cmocka_unit_test(svg_escapes_label_text),
	        cmocka_unit_test(key_files_round_trip),
	        cmocka_unit_test(revocation_list_signed_and_append_only),
	        cmocka_unit_test(qr_png_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

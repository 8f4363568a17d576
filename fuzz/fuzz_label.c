/*
 * libFuzzer harness for what `iotrust label` reads from others: a compact JWS label
 * (it_label_verify), a JWKS, a revocation list, an assessment, and RFC 8785 canonical JSON.
 * Invariants (abort() on violation): errors carry a message; canonical JSON is a fixed point;
 * an assessment that builds into a label gives a JWS that verifies as valid when issued.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/label.h"

static const int64_t T0 = 1795521600; /* 2026-11-24T12:00:00Z */

static void check_err(int rc, struct it_error *err)
{
	if (rc < 0 && !err->message)
		abort();
	it_error_clear(err);
}

static void check_canonical(const char *text, size_t len)
{
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	if (!v)
		return;
	struct it_buf a = IT_BUF_INIT, b = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	if (it_json_canonical(v, &a, &err) == 0) {
		json_t *w = json_loadb((const char *)a.data, a.len, JSON_DECODE_ANY, NULL);
		/* numbers may leave jansson's integer range once written as JavaScript does */
		if (w && (it_json_canonical(w, &b, &err) < 0 || a.len != b.len ||
		          memcmp(a.data, b.data, a.len) != 0))
			abort();
		json_decref(w);
	}
	it_error_clear(&err);
	it_buf_free(&a);
	it_buf_free(&b);
	json_decref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct it_error err = IT_ERROR_INIT;
	struct it_label_key k;
	uint8_t seed[32];
	memset(seed, 0x42, sizeof seed);
	if (it_label_key_from_seed(&k, seed, &err) < 0)
		abort();
	struct it_label_jwks keys;
	if (it_label_jwks_of_key(&k, &keys, &err) < 0)
		abort();

	struct it_label_verdict v;
	int rc = it_label_verify(text, size, "fuzz.jws", &keys, NULL, T0, &v, &err);
	check_err(rc, &err);
	if (rc == 0 && v.problems == 0 && !v.label)
		abort();
	it_label_verdict_free(&v);

	struct it_label_jwks j;
	rc = it_label_jwks_parse(text, size, "fuzz.jwks", &j, &err);
	check_err(rc, &err);
	if (rc == 0)
		it_label_jwks_free(&j);

	struct it_label_revocations r;
	rc = it_label_revocations_parse(text, size, "fuzz.json", &keys, &r, &err);
	check_err(rc, &err);
	if (rc == 0)
		it_label_revocations_free(&r);

	struct it_label_sign_opts o = {.issued_at = T0, .allow_fail = size & 1};
	json_t *payload = NULL;
	rc = it_label_build(text, size, "fuzz-assessment.json", &k, &o, &payload, &err);
	check_err(rc, &err);
	if (rc == 0) {
		struct it_buf c = IT_BUF_INIT, jws = IT_BUF_INIT;
		if (it_json_canonical(payload, &c, &err) < 0 ||
		    it_jws_sign(&k, IT_LABEL_TYP, c.data, c.len, 0, &jws, &err) < 0 ||
		    it_label_verify((const char *)jws.data, jws.len, "again", &keys, NULL, T0, &v,
		                    &err) < 0 ||
		    v.problems != 0)
			abort();
		it_label_verdict_free(&v);
		it_buf_free(&c);
		it_buf_free(&jws);
		json_decref(payload);
	}
	json_t *l = json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
	if (l) {
		check_err(it_label_payload_check(l, "fuzz", &err), &err);
		json_decref(l);
	}
	check_canonical(text, size);
	it_label_jwks_free(&keys);
	it_label_key_wipe(&k);
	return 0;
}

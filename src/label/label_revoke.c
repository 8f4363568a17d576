/*
 * The signed revocation list: {"list": {...}, "jws": "<detached compact JWS>"}, where the JWS
 * signs the RFC 8785 form of "list" (RFC 7515 appendix F), so the file stays readable JSON.
 * Entries are only ever appended; each re-signing sets a new issued_at.
 */
#include <stdlib.h>
#include <string.h>

#include "iotrust/label.h"

#define REASON_MAX  200
#define ENTRIES_MAX 1000000

static int digest_ok(const char *d)
{
	struct it_buf b = IT_BUF_INIT;
	int ok = d && strlen(d) == IT_LABEL_DIGEST_LEN &&
	         it_b64url_decode(d, IT_LABEL_DIGEST_LEN, &b) == 0 && b.len == 32;
	it_buf_free(&b);
	return ok;
}

static int stamp_ok(const char *s)
{
	int64_t t;
	return s && strlen(s) == 20 && it_label_time_parse(s, &t) == 0;
}

void it_label_revocations_free(struct it_label_revocations *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i].reason);
	free(l->e);
	memset(l, 0, sizeof *l);
}

const struct it_label_revocation *it_label_revocations_find(const struct it_label_revocations *l,
                                                            const char *digest)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (!strcmp(l->e[i].digest, digest))
			return &l->e[i];
	return NULL;
}

static int add_entry(struct it_label_revocations *l, const char *digest, const char *at,
                     const char *reason, struct it_error *err)
{
	if (l->n >= ENTRIES_MAX)
		return it_error_set(err, IT_ERR_LIMIT, NULL, IT_NO_OFFSET,
		                    "more than %d revocations", ENTRIES_MAX);
	if (it_array_grow(&l->e, &l->cap, l->n, sizeof *l->e) < 0)
		return it_error_nomem(err);
	struct it_label_revocation *e = &l->e[l->n];
	memset(e, 0, sizeof *e);
	memcpy(e->digest, digest, IT_LABEL_DIGEST_LEN + 1);
	memcpy(e->revoked_at, at, 21);
	if (reason && !(e->reason = strdup(reason)))
		return it_error_nomem(err);
	l->n++;
	return 0;
}

static int reason_ok(const char *r)
{
	if (!r)
		return 1;
	size_t n = strlen(r);
	if (n == 0 || n > REASON_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)r[i] < 0x20 || r[i] == 0x7f)
			return 0;
	return 1;
}

static int parse_list(const json_t *list, const char *where, struct it_label_revocations *out,
                      struct it_error *err)
{
	const char *fmt = json_string_value(json_object_get(list, "format"));
	json_t *ver = json_object_get(list, "format_version");
	const char *kid = json_string_value(json_object_get(list, "kid"));
	const char *issued = json_string_value(json_object_get(list, "issued_at"));
	json_t *entries = json_object_get(list, "entries");
	if (!fmt || strcmp(fmt, "iotrust-revocations"))
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "$.list.format: expected \"iotrust-revocations\"");
	if (!json_is_integer(ver) || json_integer_value(ver) != 1)
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "$.list.format_version: expected 1");
	if (!kid || strlen(kid) == 0 || strlen(kid) > IT_LABEL_KID_LEN)
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "$.list.kid: expected a key id");
	if (!stamp_ok(issued))
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "$.list.issued_at: expected YYYY-MM-DDTHH:MM:SSZ");
	if (!json_is_array(entries))
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "$.list.entries: expected an array");
	memcpy(out->kid, kid, strlen(kid) + 1);
	memcpy(out->issued_at, issued, 21);
	for (size_t i = 0; i < json_array_size(entries); i++) {
		json_t *e = json_array_get(entries, i);
		const char *d = json_string_value(json_object_get(e, "digest"));
		const char *at = json_string_value(json_object_get(e, "revoked_at"));
		json_t *rv = json_object_get(e, "reason");
		const char *r = json_string_value(rv);
		if (!json_is_object(e) || !digest_ok(d))
			return it_error_set(
			        err, IT_ERR_INPUT, where, IT_NO_OFFSET,
			        "$.list.entries[%zu].digest: expected a label digest (43 "
			        "base64url characters)",
			        i);
		if (!stamp_ok(at))
			return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
			                    "$.list.entries[%zu].revoked_at: expected "
			                    "YYYY-MM-DDTHH:MM:SSZ",
			                    i);
		if ((rv && !r) || !reason_ok(r) || (r && strlen(r) != json_string_length(rv)))
			return it_error_set(
			        err, IT_ERR_INPUT, where, IT_NO_OFFSET,
			        "$.list.entries[%zu].reason: expected a string of 1 to %d "
			        "characters without control characters",
			        i, REASON_MAX);
		if (it_label_revocations_find(out, d))
			return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
			                    "$.list.entries[%zu]: digest listed twice", i);
		if (add_entry(out, d, at, r, err) < 0)
			return -1;
	}
	return 0;
}

int it_label_revocations_parse(const char *text, size_t len, const char *where,
                               const struct it_label_jwks *keys, struct it_label_revocations *out,
                               struct it_error *err)
{
	memset(out, 0, sizeof *out);
	if (len > 64 * (size_t)IT_LABEL_MAX_INPUT)
		return it_error_set(err, IT_ERR_LIMIT, where, IT_NO_OFFSET,
		                    "revocation list larger than %u bytes",
		                    64 * IT_LABEL_MAX_INPUT);
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return it_error_set_line(err, IT_ERR_INPUT, where, (unsigned long)je.line,
		                         (unsigned long)je.column, "%s", je.text);
	json_t *list = json_object_get(root, "list");
	const char *sig = json_string_value(json_object_get(root, "jws"));
	struct it_buf c = IT_BUF_INIT;
	struct it_jws j = {0};
	int rc = 0;
	if (!json_is_object(list) || !sig)
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                  "expected {\"list\": {...}, \"jws\": \"...\"}");
	else if (it_json_canonical(list, &c, err) < 0)
		rc = -1;
	else if (it_jws_parse(sig, strlen(sig), where, c.data ? c.data : (const uint8_t *)"", c.len,
	                      &j, err) < 0)
		rc = -1;
	else if (!j.typ || strcmp(j.typ, IT_LABEL_REVOKED_TYP))
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                  "$.jws: typ is not \"" IT_LABEL_REVOKED_TYP "\"");
	else if (it_jws_verify(&j, keys) != 0)
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                  it_jws_verify(&j, keys) == 1
		                          ? "$.jws: signed by key %s, which the JWKS does not hold"
		                          : "$.jws: bad signature (key %s)",
		                  j.kid);
	else if (parse_list(list, where, out, err) < 0)
		rc = -1;
	else if (strcmp(out->kid, j.kid))
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                  "$.list.kid differs from the signature's kid");
	it_jws_free(&j);
	it_buf_free(&c);
	json_decref(root);
	if (rc < 0)
		it_label_revocations_free(out);
	return rc;
}

int it_label_revocations_add(struct it_label_revocations *l, const char *digest, const char *reason,
                             int64_t at, struct it_error *err)
{
	if (!digest_ok(digest))
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "%s: expected a label digest (43 base64url characters)",
		                    digest);
	if (!reason_ok(reason))
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "--reason: expected 1 to %d characters without control "
		                    "characters",
		                    REASON_MAX);
	if (it_label_revocations_find(l, digest))
		return 1;
	char stamp[21];
	it_label_time_format(at, stamp);
	return add_entry(l, digest, stamp, reason, err);
}

int it_label_revocations_format(struct it_label_revocations *l, const struct it_label_key *k,
                                int64_t at, struct it_buf *out, struct it_error *err)
{
	if (l->kid[0] && strcmp(l->kid, k->kid))
		return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
		                    "the list was signed by key %s, not by this key (%s)", l->kid,
		                    k->kid);
	memcpy(l->kid, k->kid, sizeof l->kid);
	it_label_time_format(at, l->issued_at);
	json_t *entries = json_array();
	for (size_t i = 0; entries && i < l->n; i++) {
		json_t *e = json_pack("{s:s, s:s}", "digest", l->e[i].digest, "revoked_at",
		                      l->e[i].revoked_at);
		if (e && l->e[i].reason)
			json_object_set_new(e, "reason", json_string(l->e[i].reason));
		if (!e || json_array_append_new(entries, e) < 0) {
			json_decref(entries);
			return it_error_nomem(err);
		}
	}
	json_t *list = entries ? json_pack("{s:s, s:i, s:s, s:s, s:o}", "format",
	                                   "iotrust-revocations", "format_version", 1, "kid",
	                                   l->kid, "issued_at", l->issued_at, "entries", entries)
	                       : NULL;
	if (!list)
		return it_error_nomem(err);
	struct it_buf c = IT_BUF_INIT, sig = IT_BUF_INIT;
	int rc = it_json_canonical(list, &c, err);
	if (rc == 0)
		rc = it_jws_sign(k, IT_LABEL_REVOKED_TYP, c.data, c.len, 1, &sig, err);
	json_t *root = rc == 0 ? json_pack("{s:o, s:s}", "list", list, "jws", it_buf_str(&sig))
	                       : (json_decref(list), NULL);
	char *s = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (rc == 0 && (!s || it_buf_puts(out, s) < 0 || it_buf_putc(out, '\n') < 0))
		rc = it_error_nomem(err);
	free(s);
	json_decref(root);
	it_buf_free(&c);
	it_buf_free(&sig);
	return rc;
}

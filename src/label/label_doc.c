/*
 * The label document: an assessment (untrusted JSON, every field used is validated and errors
 * name its JSON path) becomes the label payload; `sign` turns a payload into the JWS, the
 * pretty JSON, the QR code, the PNG and the SVG; `verify` checks a JWS label against a JWKS,
 * the clock and a revocation list. The JWS payload is the RFC 8785 form of the label.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/digest.h"
#include "iotrust/label.h"

#define FIELD_MAX     200 /* characters of a text field on a label */
#define STANDARDS_MAX 32
#define URL_BASE_MAX  200

static const char *const tier_levels[] = {"basic", "substantial", "high", NULL};
static const char *const cra_classes[] = {"default", "important-I", "important-II", "critical",
                                          NULL};
static const char *const std_levels[] = {"mandatory", "mandatory+recommended", "none", NULL};

static int one_of(const char *s, const char *const *set)
{
	for (size_t i = 0; s && set[i]; i++)
		if (!strcmp(s, set[i]))
			return 1;
	return 0;
}

static int printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* A text member: a string of 1..FIELD_MAX bytes without control characters. NULL with err
 * set when invalid, or (when optional) NULL with err untouched when absent. */
static const char *text_at(const json_t *obj, const char *path, const char *name, int optional,
                           const char *where, struct it_error *err, int *bad)
{
	json_t *v = json_object_get(obj, name);
	if (!v && optional)
		return NULL;
	size_t n = json_string_length(v);
	if (!json_is_string(v) || n == 0 || n > FIELD_MAX || !printable(json_string_value(v), n)) {
		it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		             "%s.%s: expected a string of 1 to %d characters without control "
		             "characters",
		             path, name, FIELD_MAX);
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

static int is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static json_t *object_at(const json_t *obj, const char *path, const char *name, const char *where,
                         struct it_error *err, int *bad)
{
	json_t *v = json_object_get(obj, name);
	if (!json_is_object(v)) {
		it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET, "%s.%s: expected an object",
		             path, name);
		*bad = 1;
		return NULL;
	}
	return v;
}

#define FAIL(...) (it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET, __VA_ARGS__), bad = 1)

static json_t *standards_met(const json_t *arr, const char *where, struct it_error *err)
{
	int bad = 0;
	if (!json_is_array(arr) || json_array_size(arr) > 64) {
		FAIL("$.standards: expected an array of at most 64 standards");
		return NULL;
	}
	json_t *out = json_array();
	for (size_t i = 0; out && !bad && i < json_array_size(arr); i++) {
		json_t *s = json_array_get(arr, i);
		char path[40];
		snprintf(path, sizeof path, "$.standards[%zu]", i);
		if (!json_is_object(s)) {
			FAIL("%s: expected an object", path);
			break;
		}
		const char *id = text_at(s, path, "id", 0, where, err, &bad);
		const char *title = text_at(s, path, "title", 1, where, err, &bad);
		json_t *met = json_object_get(s, "met");
		const char *level = json_string_value(json_object_get(s, "level_met"));
		if (bad)
			break;
		for (const char *p = id; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
			      *p == '.' || *p == '_'))
				FAIL("%s.id: expected lower-case letters, digits, '-', '.', '_'",
				     path);
		if (!json_is_boolean(met))
			FAIL("%s.met: expected true or false", path);
		else if (!one_of(level, std_levels))
			FAIL("%s.level_met: expected \"mandatory\", \"mandatory+recommended\" or "
			     "\"none\"",
			     path);
		else if (json_is_true(met) && !strcmp(level, "none"))
			FAIL("%s: met is true but level_met is \"none\"", path);
		if (bad || !json_is_true(met))
			continue;
		if (json_array_size(out) >= STANDARDS_MAX) {
			FAIL("$.standards: more than %d standards met", STANDARDS_MAX);
			break;
		}
		json_t *e = json_pack("{s:s, s:s}", "id", id, "level", level);
		if (!e || (title && json_object_set_new(e, "title", json_string(title)) < 0) ||
		    json_array_append_new(out, e) < 0) {
			it_error_nomem(err);
			bad = 1;
		}
	}
	if (!out)
		it_error_nomem(err);
	if (bad || !out) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static int set_str(json_t *o, const char *k, const char *v)
{
	return v ? json_object_set_new(o, k, json_string(v)) : 0;
}

/* Validate the assessment and build the payload (mandatory_failed reported via *failed). */
static json_t *build(const json_t *a, const char *where, const struct it_label_key *k,
                     const struct it_label_sign_opts *o, const char *assessment_sha256,
                     long long *failed, struct it_error *err)
{
	int bad = 0;
	const char *fmt = json_string_value(json_object_get(a, "format"));
	json_t *ver = json_object_get(a, "format_version");
	if (!fmt || strcmp(fmt, "iotrust-assessment"))
		FAIL("$.format: expected \"iotrust-assessment\"");
	else if (!json_is_integer(ver) || json_integer_value(ver) != 1)
		FAIL("$.format_version: expected 1");
	if (bad)
		return NULL;
	json_t *prod = object_at(a, "$", "product", where, err, &bad);
	if (bad)
		return NULL;
	const char *vendor = text_at(prod, "$.product", "vendor", 0, where, err, &bad);
	const char *product =
	        bad ? NULL : text_at(prod, "$.product", "product", 0, where, err, &bad);
	const char *model = bad ? NULL : text_at(prod, "$.product", "model", 0, where, err, &bad);
	const char *fw =
	        bad ? NULL : text_at(prod, "$.product", "firmware_version", 0, where, err, &bad);
	const char *hw =
	        bad ? NULL : text_at(prod, "$.product", "hardware_version", 1, where, err, &bad);
	if (bad)
		return NULL;
	const char *support = json_string_value(json_object_get(a, "support_until"));
	int64_t support_end;
	if (it_label_date_end(support, &support_end) < 0)
		FAIL("$.support_until: expected a date YYYY-MM-DD");
	else if (support_end < o->issued_at)
		FAIL("$.support_until: the support period ended on %s, before the label's issue "
		     "date",
		     support);
	if (bad)
		return NULL;
	json_t *disc = object_at(a, "$", "disclosure", where, err, &bad);
	const char *contact =
	        bad ? NULL : text_at(disc, "$.disclosure", "contact", 0, where, err, &bad);
	const char *policy =
	        bad ? NULL : text_at(disc, "$.disclosure", "policy_url", 1, where, err, &bad);
	if (bad)
		return NULL;
	const char *sbom = json_string_value(json_object_get(a, "sbom_sha256"));
	if (!is_hex64(sbom))
		FAIL("$.sbom_sha256: expected 64 lower-case hex digits");
	json_t *img = json_object_get(a, "image");
	const char *img_sha = json_string_value(json_object_get(img, "sha256"));
	if (!bad && img && (!json_is_object(img) || !is_hex64(img_sha)))
		FAIL("$.image.sha256: expected 64 lower-case hex digits");
	if (bad)
		return NULL;
	json_t *tier = object_at(a, "$", "tier", where, err, &bad);
	if (bad)
		return NULL;
	const char *level = json_string_value(json_object_get(tier, "level"));
	const char *cra = json_string_value(json_object_get(tier, "cra_class"));
	if (!one_of(level, tier_levels))
		FAIL("$.tier.level: expected \"basic\", \"substantial\" or \"high\"");
	else if (!one_of(cra, cra_classes))
		FAIL("$.tier.cra_class: expected \"default\", \"important-I\", \"important-II\" or "
		     "\"critical\"");
	if (bad)
		return NULL;
	json_t *sum = object_at(a, "$", "summary", where, err, &bad);
	if (bad)
		return NULL;
	json_t *mf = json_object_get(sum, "mandatory_failed");
	if (!json_is_integer(mf) || json_integer_value(mf) < 0 ||
	    json_integer_value(mf) > 1000000) {
		FAIL("$.summary.mandatory_failed: expected an integer from 0 to 1000000");
		return NULL;
	}
	*failed = json_integer_value(mf);
	json_t *stds = standards_met(json_object_get(a, "standards"), where, err);
	if (!stds)
		return NULL;

	int64_t expires = o->expires_at ? o->expires_at : support_end;
	if (expires <= o->issued_at) {
		json_decref(stds);
		it_error_set(err, IT_ERR_USAGE, where, IT_NO_OFFSET,
		             "the label would expire before it is issued");
		return NULL;
	}
	char issued_s[21], expires_s[21];
	it_label_time_format(o->issued_at, issued_s);
	it_label_time_format(expires, expires_s);
	json_t *l = json_object();
	int rc = !l;
	rc |= set_str(l, "format", "iotrust-label");
	rc |= l ? json_object_set_new(l, "format_version", json_integer(1)) : -1;
	rc |= set_str(l, "kid", k->kid);
	rc |= set_str(l, "issued_at", issued_s);
	rc |= set_str(l, "expires_at", expires_s);
	rc |= set_str(l, "vendor", vendor);
	rc |= set_str(l, "product", product);
	rc |= set_str(l, "model", model);
	rc |= set_str(l, "firmware_version", fw);
	rc |= set_str(l, "hardware_version", hw);
	rc |= set_str(l, "image_sha256", img_sha);
	rc |= set_str(l, "sbom_sha256", sbom);
	rc |= set_str(l, "assessment_sha256", assessment_sha256);
	rc |= set_str(l, "tier", level);
	rc |= set_str(l, "cra_class", cra);
	rc |= l ? json_object_set_new(l, "standards", stds) : -1;
	rc |= set_str(l, "support_until", support);
	rc |= set_str(l, "disclosure_contact", contact);
	rc |= set_str(l, "disclosure_policy_url", policy);
	if (o->allow_fail && l)
		rc |= json_object_set_new(l, "mandatory_failed", json_integer(*failed));
	if (rc) {
		json_decref(l);
		it_error_nomem(err);
		return NULL;
	}
	return l;
}

int it_label_build(const char *assessment, size_t len, const char *where,
                   const struct it_label_key *k, const struct it_label_sign_opts *o,
                   json_t **payload, struct it_error *err)
{
	*payload = NULL;
	if (len > IT_LABEL_MAX_INPUT)
		return it_error_set(err, IT_ERR_LIMIT, where, IT_NO_OFFSET,
		                    "assessment larger than %u bytes", IT_LABEL_MAX_INPUT);
	json_error_t je;
	json_t *a = json_loadb(assessment, len, JSON_REJECT_DUPLICATES, &je);
	if (!a)
		return it_error_set_line(err, IT_ERR_INPUT, where, (unsigned long)je.line,
		                         (unsigned long)je.column, "%s", je.text);
	if (!json_is_object(a)) {
		json_decref(a);
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "$: expected a JSON object");
	}
	struct it_buf c = IT_BUF_INIT;
	if (it_json_canonical(a, &c, err) < 0) {
		json_decref(a);
		it_buf_free(&c);
		it_error_prefix(err, "%s", where);
		return -1;
	}
	char sha[65];
	it_sha256_hex(c.data, c.len, sha);
	it_buf_free(&c);
	long long failed = 0;
	json_t *l = build(a, where, k, o, sha, &failed, err);
	json_decref(a);
	if (!l)
		return -1;
	if (failed > 0 && !o->allow_fail) {
		json_decref(l);
		it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		             "%lld mandatory provision%s failed: refusing to sign (--allow-fail "
		             "signs a label that says so)",
		             failed, failed == 1 ? "" : "s");
		return 1;
	}
	if (it_label_payload_check(l, where, err) < 0) {
		json_decref(l);
		return -1;
	}
	*payload = l;
	return 0;
}

int it_label_payload_check(const json_t *l, const char *where, struct it_error *err)
{
	int bad = 0;
	static const char *const texts[] = {"kid",       "vendor",           "product",
	                                    "model",     "firmware_version", "disclosure_contact",
	                                    "tier",      "cra_class",        "support_until",
	                                    "issued_at", "expires_at",       NULL};
	static const char *const optional[] = {"hardware_version", "disclosure_policy_url", NULL};
	if (!json_is_object(l))
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "label: expected a JSON object");
	const char *fmt = json_string_value(json_object_get(l, "format"));
	json_t *ver = json_object_get(l, "format_version");
	if (!fmt || strcmp(fmt, "iotrust-label"))
		FAIL("$.format: expected \"iotrust-label\"");
	else if (!json_is_integer(ver) || json_integer_value(ver) != 1)
		FAIL("$.format_version: expected 1");
	for (size_t i = 0; !bad && texts[i]; i++)
		text_at(l, "$", texts[i], 0, where, err, &bad);
	for (size_t i = 0; !bad && optional[i]; i++)
		text_at(l, "$", optional[i], 1, where, err, &bad);
	if (bad)
		return -1;
	int64_t t;
	if (!is_hex64(json_string_value(json_object_get(l, "sbom_sha256"))))
		FAIL("$.sbom_sha256: expected 64 lower-case hex digits");
	else if (!is_hex64(json_string_value(json_object_get(l, "assessment_sha256"))))
		FAIL("$.assessment_sha256: expected 64 lower-case hex digits");
	else if (json_object_get(l, "image_sha256") &&
	         !is_hex64(json_string_value(json_object_get(l, "image_sha256"))))
		FAIL("$.image_sha256: expected 64 lower-case hex digits");
	else if (!one_of(json_string_value(json_object_get(l, "tier")), tier_levels))
		FAIL("$.tier: expected \"basic\", \"substantial\" or \"high\"");
	else if (!one_of(json_string_value(json_object_get(l, "cra_class")), cra_classes))
		FAIL("$.cra_class: not a CRA class");
	else if (it_label_date_end(json_string_value(json_object_get(l, "support_until")), &t) < 0)
		FAIL("$.support_until: expected a date YYYY-MM-DD");
	else if (strlen(json_string_value(json_object_get(l, "issued_at"))) != 20 ||
	         it_label_time_parse(json_string_value(json_object_get(l, "issued_at")), &t) < 0)
		FAIL("$.issued_at: expected YYYY-MM-DDTHH:MM:SSZ");
	else if (strlen(json_string_value(json_object_get(l, "expires_at"))) != 20 ||
	         it_label_time_parse(json_string_value(json_object_get(l, "expires_at")), &t) < 0)
		FAIL("$.expires_at: expected YYYY-MM-DDTHH:MM:SSZ");
	if (bad)
		return -1;
	json_t *mf = json_object_get(l, "mandatory_failed");
	if (mf && (!json_is_integer(mf) || json_integer_value(mf) < 0))
		FAIL("$.mandatory_failed: expected a non-negative integer");
	json_t *stds = json_object_get(l, "standards");
	if (!bad && (!json_is_array(stds) || json_array_size(stds) > STANDARDS_MAX))
		FAIL("$.standards: expected an array of at most %d standards", STANDARDS_MAX);
	for (size_t i = 0; !bad && i < json_array_size(stds); i++) {
		json_t *s = json_array_get(stds, i);
		char path[40];
		snprintf(path, sizeof path, "$.standards[%zu]", i);
		if (!json_is_object(s)) {
			FAIL("%s: expected an object", path);
			break;
		}
		text_at(s, path, "id", 0, where, err, &bad);
		if (!bad)
			text_at(s, path, "title", 1, where, err, &bad);
		const char *lv = json_string_value(json_object_get(s, "level"));
		if (!bad && (!one_of(lv, std_levels) || !strcmp(lv, "none")))
			FAIL("%s.level: expected \"mandatory\" or \"mandatory+recommended\"", path);
	}
	return bad ? -1 : 0;
}

static int url_base_ok(const char *u)
{
	size_t n = strlen(u);
	if (n == 0 || n > URL_BASE_MAX ||
	    (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f || u[i] == '#' ||
		    u[i] == '?')
			return 0;
	return 1;
}

int it_label_sign(const json_t *payload, const struct it_label_key *k, const char *url_base,
                  int qr_embed, struct it_label_out *out, struct it_error *err)
{
	memset(out, 0, sizeof *out);
	if (!url_base)
		url_base = IT_LABEL_URL_BASE;
	if (!url_base_ok(url_base))
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "--url-base: expected an http(s) URL of at most %d characters "
		                    "without spaces, '?' or '#'",
		                    URL_BASE_MAX);
	struct it_buf c = IT_BUF_INIT;
	struct it_label_qr qr = {0};
	int rc = it_json_canonical(payload, &c, err);
	if (rc == 0)
		rc = it_jws_sign(k, IT_LABEL_TYP, c.data, c.len, 0, &out->jws, err);
	it_buf_free(&c);
	if (rc < 0)
		goto fail;
	it_label_digest(out->jws.data, out->jws.len, out->digest);
	char *pretty = json_dumps(payload, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	struct it_buf q = IT_BUF_INIT;
	size_t ul = strlen(url_base);
	while (ul > 0 && url_base[ul - 1] == '/')
		ul--;
	if (qr_embed)
		rc = it_buf_append(&q, out->jws.data, out->jws.len);
	else
		rc = it_buf_printf(&q, "%.*s/l/%s", (int)ul, url_base, out->digest);
	if (!pretty || rc < 0 || it_buf_puts(&out->json, pretty) < 0 ||
	    it_buf_putc(&out->json, '\n') < 0 || it_buf_putc(&out->jws, '\n') < 0) {
		free(pretty);
		it_buf_free(&q);
		rc = it_error_nomem(err);
		goto fail;
	}
	free(pretty);
	out->qr_text = it_buf_detach(&q);
	rc = it_label_qr_encode(out->qr_text, &qr, err);
	if (rc == 0)
		rc = it_label_qr_png(&qr, qr_embed ? 6 : 8, &out->png, err);
	if (rc == 0)
		rc = it_label_svg(payload, &qr, &out->svg, err);
	it_label_qr_free(&qr);
	if (rc == 0)
		return 0;
fail:
	it_label_out_free(out);
	return -1;
}

void it_label_out_free(struct it_label_out *o)
{
	it_buf_free(&o->jws);
	it_buf_free(&o->json);
	it_buf_free(&o->svg);
	it_buf_free(&o->png);
	free(o->qr_text);
	memset(o, 0, sizeof *o);
}

const char *it_label_problem_name(unsigned bit)
{
	switch (bit) {
	case IT_LABEL_BAD_SIGNATURE:
		return "bad signature";
	case IT_LABEL_UNKNOWN_KEY:
		return "unknown key";
	case IT_LABEL_NOT_YET_VALID:
		return "not yet valid";
	case IT_LABEL_EXPIRED:
		return "expired";
	case IT_LABEL_SUPPORT_OVER:
		return "support period over";
	case IT_LABEL_REVOKED:
		return "revoked";
	default:
		return "unknown problem";
	}
}

int it_label_verify(const char *jws, size_t n, const char *where, const struct it_label_jwks *keys,
                    const struct it_label_revocations *revoked, int64_t at,
                    struct it_label_verdict *v, struct it_error *err)
{
	memset(v, 0, sizeof *v);
	struct it_jws j;
	if (it_jws_parse(jws, n, where, NULL, 0, &j, err) < 0)
		return -1;
	memcpy(v->digest, j.digest, sizeof v->digest);
	if (!j.typ || strcmp(j.typ, IT_LABEL_TYP)) {
		it_jws_free(&j);
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "JWS header: typ is not \"" IT_LABEL_TYP "\": not a label");
	}
	int s = it_jws_verify(&j, keys);
	if (s != 0) {
		v->problems |= s == 1 ? IT_LABEL_UNKNOWN_KEY : IT_LABEL_BAD_SIGNATURE;
		it_jws_free(&j);
		return 0;
	}
	json_error_t je;
	json_t *l = json_loadb((const char *)j.payload.data, j.payload.len, JSON_REJECT_DUPLICATES,
	                       &je);
	int rc = 0;
	if (!l)
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                  "label payload: not JSON (%s)", je.text);
	else if (it_label_payload_check(l, where, err) < 0)
		rc = -1;
	else if (strcmp(json_string_value(json_object_get(l, "kid")), j.kid))
		rc = it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                  "$.kid: differs from the JWS header's kid");
	it_jws_free(&j);
	if (rc < 0) {
		json_decref(l);
		return -1;
	}
	int64_t issued, expires, support_end;
	it_label_time_parse(json_string_value(json_object_get(l, "issued_at")), &issued);
	it_label_time_parse(json_string_value(json_object_get(l, "expires_at")), &expires);
	it_label_date_end(json_string_value(json_object_get(l, "support_until")), &support_end);
	if (at < issued)
		v->problems |= IT_LABEL_NOT_YET_VALID;
	if (at > expires)
		v->problems |= IT_LABEL_EXPIRED;
	if (at > support_end)
		v->problems |= IT_LABEL_SUPPORT_OVER;
	if (revoked) {
		v->revocation = it_label_revocations_find(revoked, v->digest);
		if (v->revocation)
			v->problems |= IT_LABEL_REVOKED;
	}
	v->label = l;
	return 0;
}

void it_label_verdict_free(struct it_label_verdict *v)
{
	json_decref(v->label);
	memset(v, 0, sizeof *v);
}

/*
 * OSCAL 1.1.2 assessment-results JSON of an assessment: one result (the assessment), one
 * observation per provision with evidence and one finding per decided provision whose
 * target is the provision (objective-id, the catalogue id with ':' as '_' since OSCAL ids
 * are tokens) with state satisfied (PASS, DECLARED) or not-satisfied (FAIL, and
 * INCONCLUSIVE with reason "other"). NOT-APPLICABLE provisions are left out. UUIDs are
 * version-5-style from SHA-256 of the image digest and the id, so output is stable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/assess.h"
#include "iotrust/assess_report.h"
#include "iotrust/digest.h"
#include "report/writer.h"

#define NS "https://iotrust.dev/ns/oscal"

/* A stable UUID (version 5 layout, RFC 9562 variant) for name within the assessment. */
static json_t *uuid_of(const json_t *a, const char *kind, const char *name)
{
	struct it_buf b = IT_BUF_INIT;
	char hex[65];
	unsigned char u[16];
	const char *img = it_report_str(json_object_get(a, "image"), "sha256");
	it_buf_printf(&b, "iotrust:oscal:%s:%s:%s:%s", img ? img : "",
	              it_report_str(a, "assessed_at") ? it_report_str(a, "assessed_at") : "", kind,
	              name);
	it_sha256_hex(b.data, b.len, hex);
	it_buf_free(&b);
	for (int i = 0; i < 16; i++) {
		unsigned v = 0;
		sscanf(hex + 2 * i, "%2x", &v);
		u[i] = (unsigned char)v;
	}
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x50);
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	return json_sprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	                    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
	                    u[11], u[12], u[13], u[14], u[15]);
}

/* "etsi-en-303-645:5.1-1" -> "etsi-en-303-645_5.1-1" (an OSCAL token). */
static json_t *token_of(const char *gid)
{
	json_t *t = json_string(gid);
	char *s = t ? strdup(gid) : NULL;
	for (char *p = s; p && *p; p++)
		if (*p == ':')
			*p = '_';
	if (s)
		json_string_set(t, s);
	free(s);
	return t;
}

static json_t *reasons_text(const json_t *v)
{
	struct it_buf b = IT_BUF_INIT;
	const json_t *r;
	size_t i;
	json_array_foreach(json_object_get(v, "reasons"), i, r)
	{
		it_buf_printf(&b, "%s%s", i ? "; " : "", json_string_value(r));
	}
	json_t *s = json_string(b.len ? it_buf_str(&b) : "no reason recorded");
	it_buf_free(&b);
	return s;
}

static json_t *result_of(const json_t *a)
{
	json_t *obs = json_array(), *finds = json_array();
	const json_t *v;
	size_t i;
	const char *at = it_report_str(a, "assessed_at");
	json_array_foreach(json_object_get(a, "provisions"), i, v)
	{
		const char *vd = it_report_str(v, "verdict"), *gid = it_report_str(v, "id");
		if (strcmp(vd, IT_VERDICT_NOT_APPLICABLE) == 0)
			continue;
		int satisfied =
		        strcmp(vd, IT_VERDICT_PASS) == 0 || strcmp(vd, IT_VERDICT_DECLARED) == 0;
		const char *method = strcmp(vd, IT_VERDICT_DECLARED) == 0       ? "INTERVIEW"
		                     : strcmp(vd, IT_VERDICT_INCONCLUSIVE) == 0 ? "EXAMINE"
		                                                                : "TEST";
		json_t *ouuid = uuid_of(a, "observation", gid);
		json_array_append_new(obs, json_pack("{sO ss so s[s] s[s] ss}", "uuid", ouuid,
		                                     "title", it_report_str(v, "title"),
		                                     "description", reasons_text(v), "methods",
		                                     method, "types", "finding", "collected", at));
		json_t *status = json_pack("{ss ss}", "state",
		                           satisfied ? "satisfied" : "not-satisfied", "reason",
		                           satisfied                          ? "pass"
		                           : strcmp(vd, IT_VERDICT_FAIL) == 0 ? "fail"
		                                                              : "other");
		json_array_append_new(finds,
		                      json_pack("{so ss s:s+ s[{ss ss ss}] s{ss so so} s[{sO}]}",
		                                "uuid", uuid_of(a, "finding", gid), "title",
		                                it_report_str(v, "title"), "description",
		                                "Verdict: ", vd, "props", "name", "provision", "ns",
		                                NS, "value", gid, "target", "type", "objective-id",
		                                "target-id", token_of(gid), "status", status,
		                                "related-observations", "observation-uuid", ouuid));
		json_decref(ouuid);
	}
	const json_t *p = json_object_get(a, "product");
	return json_pack("{so ss s:s+ ss s{s[{s{}}]} so so}", "uuid", uuid_of(a, "result", "1"),
	                 "title", "iotrust assessment", "description", "Assessment of ",
	                 it_report_str(p, "product") ? it_report_str(p, "product") : "the product",
	                 "start", at, "reviewed-controls", "control-selections", "include-all",
	                 "observations", obs, "findings", finds);
}

int it_assess_oscal(const json_t *assessment, struct it_buf *out, struct it_error *err)
{
	const json_t *p = json_object_get(assessment, "product");
	const char *vendor = it_report_str(p, "vendor");
	json_t *doc = json_pack("{s{so s{ss ss ss ss} s{ss} s[o]}}", "assessment-results", "uuid",
	                        uuid_of(assessment, "document", "1"), "metadata", "title",
	                        "iotrust assessment results", "last-modified",
	                        it_report_str(assessment, "assessed_at"), "version", "1",
	                        "oscal-version", "1.1.2", "import-ap", "href",
	                        "#iotrust-assessment-plan", "results", result_of(assessment));
	if (doc && vendor)
		json_object_set_new(
		        json_object_get(json_object_get(doc, "assessment-results"), "metadata"),
		        "parties",
		        json_pack("[{so ss ss}]", "uuid", uuid_of(assessment, "party", vendor),
		                  "type", "organization", "name", vendor));
	int rc = it_report_dump(doc, 0, out, err);
	json_decref(doc);
	return rc;
}

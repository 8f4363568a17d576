/*
 * The assessment document (docs/assess.md, docs/schema/assessment.schema.json): facts, risk
 * tier, verdicts per provision and per standard, the profile-firmware consistency, the gaps
 * to close in order, and the integrated safety and privacy views, assembled from the scan
 * result, the profile, the declarations and the rules. Everything else reads this JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "iotrust/assess.h"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int sev_rank(const char *s)
{
	static const char *const order[] = {"info", "low", "medium", "high", "critical"};
	for (int i = 0; s && i < 5; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return -1;
}

static const json_t *check_of(const json_t *scan, const char *id)
{
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(scan, "checks"), i, c)
	{
		if (str(c, "id") && strcmp(str(c, "id"), id) == 0)
			return c;
	}
	return NULL;
}

static void add_unique(json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (strcmp(json_string_value(v), s) == 0)
			return;
	}
	json_array_append_new(arr, json_string(s));
}

/* Gaps: one per failing check (the provisions its findings fail), one per failing
 * vulnerability, one per required provision left FAIL or INCONCLUSIVE by declarations. */
static json_t *gaps_of(const json_t *scan, const json_t *verdicts)
{
	json_t *by_key = json_object(), *out = json_array();
	size_t i, k;
	const json_t *v, *x;
	json_array_foreach(verdicts, i, v)
	{
		const char *verdict = str(v, "verdict"), *gid = str(v, "id");
		if (strcmp(verdict, IT_VERDICT_FAIL) != 0 &&
		    strcmp(verdict, IT_VERDICT_INCONCLUSIVE))
			continue;
		int automated = 0;
		json_array_foreach(json_object_get(v, "findings"), k, x)
		{
			if (!json_is_true(json_object_get(x, "fails")))
				continue;
			automated = 1;
			const char *check = str(x, "check");
			json_t *g = json_object_get(by_key, check);
			if (!g) {
				const json_t *c = check_of(scan, check);
				g = json_pack("{ss ss ss* ss* sb s[] si}", "kind", "finding", "id",
				              check, "title", str(c, "title"), "remediation",
				              str(c, "remediation"), "kev", 0, "provisions",
				              "findings", 0);
				json_object_set_new(g, "severity", json_string(str(x, "severity")));
				json_object_set_new(by_key, check, g);
				json_array_append(out, g);
			}
			if (sev_rank(str(x, "severity")) > sev_rank(str(g, "severity")))
				json_object_set_new(g, "severity", json_string(str(x, "severity")));
			json_object_set_new(
			        g, "findings",
			        json_integer(json_integer_value(json_object_get(g, "findings")) +
			                     1));
			add_unique(json_object_get(g, "provisions"), gid);
		}
		json_array_foreach(json_object_get(v, "vulnerabilities"), k, x)
		{
			if (!json_is_true(json_object_get(x, "fails")))
				continue;
			automated = 1;
			json_t *g = json_object_get(by_key, str(x, "id"));
			if (!g) {
				g = json_pack("{ss ss ss* ss* sb s[]}", "kind", "vulnerability",
				              "id", str(x, "id"), "severity", str(x, "severity"),
				              "component", str(x, "component"), "kev",
				              json_is_true(json_object_get(x, "kev")),
				              "provisions");
				json_object_set_new(by_key, str(x, "id"), g);
				json_array_append(out, g);
			}
			add_unique(json_object_get(g, "provisions"), gid);
		}
		if (!automated && json_is_true(json_object_get(v, "required")))
			json_array_append_new(
			        out, json_pack("{ss ss ss ss* sb s[s]}", "kind", "provision", "id",
			                       gid, "verdict", verdict, "question",
			                       str(v, "question"), "kev", 0, "provisions", gid));
	}
	json_decref(by_key);
	return out;
}

/* KEV first, then severity, then how many provisions a fix closes, then id. */
static int cmp_gap(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	int kx = json_is_true(json_object_get(x, "kev")),
	    ky = json_is_true(json_object_get(y, "kev"));
	if (kx != ky)
		return ky - kx;
	int sx = sev_rank(str(x, "severity")), sy = sev_rank(str(y, "severity"));
	if (sx != sy)
		return sy - sx;
	size_t px = json_array_size(json_object_get(x, "provisions")),
	       py = json_array_size(json_object_get(y, "provisions"));
	if (px != py)
		return px < py ? 1 : -1;
	return strcmp(str(x, "id"), str(y, "id"));
}

static json_t *sorted_gaps(json_t *gaps)
{
	size_t n = json_array_size(gaps);
	json_t **v = calloc(n ? n : 1, sizeof(*v)), *out = json_array();
	for (size_t i = 0; v && i < n; i++)
		v[i] = json_array_get(gaps, i);
	if (v)
		qsort(v, n, sizeof(*v), cmp_gap);
	for (size_t i = 0; v && out && i < n; i++) {
		json_object_set_new(v[i], "rank", json_integer((json_int_t)i + 1));
		json_array_append(out, v[i]);
	}
	free(v);
	json_decref(gaps);
	return out;
}

/* Safety: per remote actuation function, the failing security evidence that gives remote
 * control of the device (remote services, credentials, update integrity, known exploited
 * vulnerabilities) and its physical consequence. */
static json_t *safety_of(const json_t *profile, const json_t *gaps)
{
	static const char *const reach[] = {"svc.", "cred.",   "ssh.", "web.",
	                                    "tls.", "update.", "key."};
	json_t *out = json_array();
	size_t i, k;
	const json_t *a, *g;
	json_array_foreach(json_object_get(profile, "remote_actuation"), i, a)
	{
		json_t *threats = json_array();
		json_array_foreach(gaps, k, g)
		{
			const char *id = str(g, "id"), *kind = str(g, "kind");
			int hit = strcmp(kind, "vulnerability") == 0 &&
			          json_is_true(json_object_get(g, "kev"));
			for (size_t r = 0; !hit && strcmp(kind, "finding") == 0 && r < 7; r++)
				hit = strncmp(id, reach[r], strlen(reach[r])) == 0;
			if (hit)
				json_array_append_new(threats, json_pack("{ss ss ss* ss*}", "kind",
				                                         kind, "id", id, "severity",
				                                         str(g, "severity"),
				                                         "title", str(g, "title")));
		}
		json_array_append_new(out, json_pack("{ss* ss* ss* ss* so}", "function",
		                                     str(a, "name"), "description",
		                                     str(a, "description"), "safety_impact",
		                                     str(a, "safety_impact"), "consequence",
		                                     str(a, "consequence"), "threats", threats));
	}
	return out;
}

/* Privacy (input for the maker's DPIA): per data flow to a third party, the verdicts of
 * the provisions that protect data in transit and at rest, and the failing findings. */
static json_t *privacy_of(const json_t *profile, const json_t *verdicts)
{
	static const char *const protect[] = {
	        "etsi-en-303-645:5.5-1", "etsi-en-303-645:5.8-1",  "etsi-en-303-645:5.8-2",
	        "etsi-en-303-645:5.8-3", "etsi-en-303-645:5.11-1", "eu-cra:I.2.e",
	        "eu-cra:I.2.g"};
	json_t *out = json_array(), *prot = json_array();
	size_t i, k;
	const json_t *v, *tp;
	json_array_foreach(verdicts, i, v)
	{
		for (k = 0; k < sizeof(protect) / sizeof(protect[0]); k++)
			if (strcmp(str(v, "id"), protect[k]) == 0)
				json_array_append_new(prot,
				                      json_pack("{ss ss ss}", "id", str(v, "id"),
				                                "title", str(v, "title"), "verdict",
				                                str(v, "verdict")));
	}
	json_array_foreach(json_object_get(profile, "third_parties"), i, tp)
	{
		json_array_append_new(
		        out, json_pack("{ss* sO* ss* ss* ss* sO}", "recipient",
		                       str(tp, "recipient"), "data", json_object_get(tp, "data"),
		                       "purpose", str(tp, "purpose"), "storage_country",
		                       str(tp, "storage_country"), "storage_location",
		                       str(tp, "storage_location"), "protection", prot));
	}
	const json_t *data = json_object_get(profile, "data");
	json_t *o = json_pack("{sO* so sO}", "processed", data, "flows", out, "protection", prot);
	json_decref(prot);
	return o;
}

static json_t *summary_of(const json_t *verdicts)
{
	size_t i, failed = 0, open = 0;
	const json_t *v;
	json_t *counts = json_object();
	json_array_foreach(verdicts, i, v)
	{
		const char *vd = str(v, "verdict");
		int required = json_is_true(json_object_get(v, "required"));
		json_object_set_new(
		        counts, vd,
		        json_integer(json_integer_value(json_object_get(counts, vd)) + 1));
		failed += required && strcmp(vd, IT_VERDICT_FAIL) == 0;
		open += required && strcmp(vd, IT_VERDICT_INCONCLUSIVE) == 0;
	}
	return json_pack("{sI sI sI so}", "provisions", (json_int_t)json_array_size(verdicts),
	                 "mandatory_failed", (json_int_t)failed, "mandatory_inconclusive",
	                 (json_int_t)open, "counts", counts);
}

int it_assess(const struct it_assessment_input *in, json_t **out, struct it_error *err)
{
	json_t *facts = NULL, *tier = NULL, *consistency = NULL, *verdicts = NULL, *stds = NULL;
	const json_t *decl = json_object_get(in->declarations, "answers");
	*out = NULL;
	if (it_assess_facts(in->profile, in->scan, &facts, err) < 0 ||
	    it_risk_tier(in->rules, facts, &tier, err) < 0 ||
	    it_assess_consistency(in->profile, in->scan, &consistency, err) < 0)
		goto fail;
	struct it_assess_input vin = {.cat = in->cat,
	                              .scan = in->scan,
	                              .facts = facts,
	                              .declarations = decl ? decl : in->declarations,
	                              .evidence = in->evidence,
	                              .fail_at = str(tier, "fail_at"),
	                              .required = json_object_get(tier, "required")};
	if (it_assess_verdicts(&vin, &verdicts, err) < 0 ||
	    it_assess_standards(in->cat, verdicts, &stds, err) < 0)
		goto fail;
	const json_t *id = json_object_get(in->profile, "identity");
	const json_t *vd = json_object_get(in->profile, "vulnerability_disclosure");
	const json_t *image = json_object_get(in->scan, "image");
	json_t *gaps = sorted_gaps(gaps_of(in->scan, verdicts));
	json_t *doc = json_pack(
	        "{ss si ss s{ss ss*} s{ss* ss* ss* ss* ss*} ss* s{ss* ss*} s{ss* ss* sO*} ss* sO "
	        "so so so so so so so so so}",
	        "format", "iotrust-assessment", "format_version", 1, "assessed_at", in->assessed_at,
	        "tool", "name", "iotrust", "version", in->tool_version, "product", "vendor",
	        str(id, "vendor"), "product", str(id, "product"), "model", str(id, "model"),
	        "firmware_version", str(id, "firmware_version"), "hardware_version",
	        str(id, "hardware_version"), "support_until",
	        str(json_object_get(in->profile, "support"), "end_date"), "disclosure", "contact",
	        str(vd, "contact"), "policy_url", str(vd, "policy_url"), "image", "name",
	        str(image, "name"), "sha256", str(image, "sha256"), "size",
	        json_object_get(image, "size"), "sbom_sha256", in->sbom_sha256, "profile",
	        in->profile, "facts", facts, "tier", tier, "consistency", consistency, "summary",
	        summary_of(verdicts), "standards", stds, "gaps", gaps, "safety",
	        safety_of(in->profile, gaps), "privacy", privacy_of(in->profile, verdicts),
	        "provisions", verdicts);
	if (!doc)
		return it_error_nomem(err);
	if (in->declarations &&
	    json_object_set(doc, "declarations", (json_t *)in->declarations) < 0) {
		json_decref(doc);
		return it_error_nomem(err);
	}
	*out = doc;
	return 0;
fail:
	json_decref(facts);
	json_decref(tier);
	json_decref(consistency);
	json_decref(verdicts);
	json_decref(stds);
	return -1;
}

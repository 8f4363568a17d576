/*
 * Tests of the verdict engine (src/assess/verdict.c) on the bundled catalogue and the
 * report fixture scan result (tests/data/report/scan-result.json: real findings of the
 * demo firmware, a known-exploited kernel CVE): applicability, automated FAIL outranking
 * a declaration, PASS from clean checks, DECLARED, INCONCLUSIVE with its question,
 * vulnerability and SBOM evidence, thresholds, promoted provisions, the standards summary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iotrust/assess.h"
#include "iotrust/data.h"
#include "testutil.h"

struct fix {
	struct it_data *data;
	struct it_catalogue *cat;
	json_t *scan, *evidence;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	char path[4096];
	const char *dir = getenv("IOTRUST_TEST_DATA");
	snprintf(path, sizeof(path), "%s/report/scan-result.json", dir ? dir : "tests/data");
	if (it_data_open(&f->data, NULL, &err) < 0 ||
	    it_catalogue_load(&f->cat, f->data, &err) < 0 ||
	    it_data_read(f->data, "assess/evidence.json", &b, &err) < 0)
		fail_msg("setup: %s", err.message);
	f->evidence = json_loadb((const char *)b.data, b.len, 0, NULL);
	f->scan = json_load_file(path, 0, NULL);
	assert_non_null(f->evidence);
	assert_non_null(f->scan);
	it_buf_free(&b);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	json_decref(f->scan);
	json_decref(f->evidence);
	it_catalogue_free(f->cat);
	it_data_close(f->data);
	free(f);
	return 0;
}

/* Run the engine; returns the verdict array. */
static json_t *run(struct fix *f, const char *facts, const char *decls, const char *fail_at,
                   const char *required)
{
	json_t *jf = json_loads(facts ? facts : "{}", 0, NULL);
	json_t *jd = json_loads(decls ? decls : "{}", 0, NULL);
	json_t *jr = required ? json_loads(required, 0, NULL) : NULL;
	struct it_assess_input in = {.cat = f->cat,
	                             .scan = f->scan,
	                             .facts = jf,
	                             .declarations = jd,
	                             .evidence = f->evidence,
	                             .fail_at = fail_at ? fail_at : "medium",
	                             .required = jr};
	json_t *out = NULL;
	struct it_error err = IT_ERROR_INIT;
	if (it_assess_verdicts(&in, &out, &err) < 0)
		fail_msg("verdicts: %s", err.message);
	json_decref(jf);
	json_decref(jd);
	json_decref(jr);
	assert_int_equal(json_array_size(out), it_catalogue_count(f->cat));
	return out;
}

static const json_t *verdict_of(const json_t *arr, const char *gid)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "id")), gid) == 0)
			return v;
	}
	fail_msg("no verdict for %s", gid);
	return NULL;
}

static const char *vstr(const json_t *arr, const char *gid, const char *key)
{
	return json_string_value(json_object_get(verdict_of(arr, gid), key));
}

static int has_reason(const json_t *arr, const char *gid, const char *text)
{
	const json_t *r = json_object_get(verdict_of(arr, gid), "reasons"), *s;
	size_t i;
	json_array_foreach(r, i, s)
	{
		if (strstr(json_string_value(s), text))
			return 1;
	}
	return 0;
}

static void test_findings_fail_and_outrank_declarations(void **state)
{
	struct fix *f = *state;
	json_t *v = run(f, "{\"uses-passwords\": true}",
	                "{\"etsi-en-303-645:5.1-1\": {\"status\": \"implemented\", "
	                "\"justification\": \"unique per unit\"}}",
	                NULL, NULL);
	assert_string_equal(vstr(v, "etsi-en-303-645:5.1-1", "verdict"), "FAIL");
	assert_true(has_reason(v, "etsi-en-303-645:5.1-1", "outranks a declaration"));
	const json_t *fnd = json_object_get(verdict_of(v, "etsi-en-303-645:5.1-1"), "findings");
	assert_true(json_array_size(fnd) >= 1);
	assert_true(
	        json_is_true(json_object_get(verdict_of(v, "etsi-en-303-645:5.1-1"), "required")));
	/* the PSTI password requirement fails through the same evidence */
	assert_string_equal(vstr(v, "uk-psti:1", "verdict"), "FAIL");
	json_decref(v);
}

static void test_condition_not_holding(void **state)
{
	struct fix *f = *state;
	json_t *v = run(f, "{\"uses-passwords\": false}", NULL, NULL, NULL);
	assert_string_equal(vstr(v, "etsi-en-303-645:5.1-1", "verdict"), "NOT-APPLICABLE");
	assert_false(
	        json_is_true(json_object_get(verdict_of(v, "etsi-en-303-645:5.1-1"), "required")));
	assert_true(has_reason(v, "etsi-en-303-645:5.1-1", "does not hold"));
	json_decref(v);
	/* not known: assumed to hold, and said so */
	v = run(f, NULL, NULL, NULL, NULL);
	assert_string_equal(vstr(v, "etsi-en-303-645:5.1-1", "verdict"), "FAIL");
	assert_true(has_reason(v, "etsi-en-303-645:5.1-1", "assumed to hold"));
	json_decref(v);
}

static void test_declarations_decide_what_checks_cannot(void **state)
{
	struct fix *f = *state;
	json_t *v = run(f, NULL, NULL, NULL, NULL);
	/* 5.2-1 (a published disclosure policy): no check can see it */
	assert_string_equal(vstr(v, "etsi-en-303-645:5.2-1", "verdict"), "INCONCLUSIVE");
	assert_true(has_reason(v, "etsi-en-303-645:5.2-1", "ask:"));
	json_decref(v);
	v = run(f, NULL,
	        "{\"etsi-en-303-645:5.2-1\": {\"status\": \"implemented\", \"justification\": "
	        "\"https://acme.example/vdp\"}, \"etsi-en-303-645:5.3-13\": {\"status\": "
	        "\"not-implemented\", \"justification\": \"no support period published yet\"}, "
	        "\"etsi-en-303-645:5.3-16\": {\"status\": \"not-applicable\", \"justification\": "
	        "\"test\"}}",
	        NULL, NULL);
	assert_string_equal(vstr(v, "etsi-en-303-645:5.2-1", "verdict"), "DECLARED");
	assert_string_equal(vstr(v, "etsi-en-303-645:5.3-13", "verdict"), "FAIL");
	assert_string_equal(vstr(v, "etsi-en-303-645:5.3-16", "verdict"), "NOT-APPLICABLE");
	assert_non_null(json_object_get(verdict_of(v, "etsi-en-303-645:5.2-1"), "declaration"));
	json_decref(v);
}

/* Another standard's item with no answer of its own takes the answers for the ETSI
 * provisions it maps to (UK PSTI 2 and 3 are met through ETSI 5.2-1 and 5.3-13). */
static void test_linked_declarations(void **state)
{
	struct fix *f = *state;
	json_t *v = run(f, NULL,
	                "{\"etsi-en-303-645:5.2-1\": {\"status\": \"implemented\", "
	                "\"justification\": \"policy published\"}, \"etsi-en-303-645:5.3-13\": "
	                "{\"status\": \"not-implemented\", \"justification\": \"not yet\"}}",
	                NULL, NULL);
	assert_string_equal(vstr(v, "uk-psti:2", "verdict"), "DECLARED");
	assert_true(has_reason(v, "uk-psti:2", "etsi-en-303-645:5.2-1 counts for it"));
	assert_string_equal(vstr(v, "uk-psti:3", "verdict"), "FAIL");
	json_decref(v);
	v = run(f, NULL, NULL, NULL, NULL);
	assert_string_equal(vstr(v, "uk-psti:2", "verdict"), "INCONCLUSIVE");
	json_decref(v);
}

static void test_vulnerabilities_and_sbom(void **state)
{
	struct fix *f = *state;
	/* the fixture's kernel CVE-2024-1086 is known exploited: fails at any threshold */
	json_t *v = run(f, NULL, NULL, "critical", NULL);
	assert_string_equal(vstr(v, "eu-cra:I.2.a", "verdict"), "FAIL");
	const json_t *vul = json_object_get(verdict_of(v, "eu-cra:I.2.a"), "vulnerabilities");
	assert_true(json_array_size(vul) >= 1);
	assert_string_equal(vstr(v, "eu-cra:II.1", "verdict"), "PASS");
	json_decref(v);
	/* without the KEV entry and with a threshold above the CVE's severity: noted only */
	json_t *saved = json_deep_copy(f->scan);
	json_t *vs = json_object_get(f->scan, "vulnerabilities"), *e;
	size_t i;
	json_array_foreach(vs, i, e)
	{
		json_object_del(e, "kev");
	}
	v = run(f, NULL, NULL, "critical", NULL);
	assert_string_equal(vstr(v, "eu-cra:I.2.a", "verdict"), "PASS");
	json_decref(v);
	json_decref(f->scan);
	f->scan = saved;
}

static void test_threshold_and_clean_checks(void **state)
{
	struct fix *f = *state;
	/* fs.world-writable is low: fails only when the tier fails at low */
	json_t *v = run(f, NULL, NULL, "medium", NULL);
	const json_t *a = verdict_of(v, "etsi-en-303-645:5.5-1");
	(void)a;
	size_t fails_medium = 0, fails_low = 0, i;
	const json_t *e;
	json_array_foreach(v, i, e)
	{
		fails_medium +=
		        strcmp(json_string_value(json_object_get(e, "verdict")), "FAIL") == 0;
	}
	json_decref(v);
	v = run(f, NULL, NULL, "low", NULL);
	json_array_foreach(v, i, e)
	{
		fails_low += strcmp(json_string_value(json_object_get(e, "verdict")), "FAIL") == 0;
	}
	assert_true(fails_low > fails_medium);
	json_decref(v);
	/* no finding at all: items with evidence checks pass on clean checks */
	json_t *saved = f->scan;
	f->scan = json_deep_copy(saved);
	json_object_set_new(f->scan, "findings", json_array());
	json_object_set_new(f->scan, "vulnerabilities", json_array());
	v = run(f, "{\"uses-passwords\": true}", NULL, NULL, NULL);
	assert_string_equal(vstr(v, "etsi-en-303-645:5.1-1", "verdict"), "PASS");
	assert_true(has_reason(v, "etsi-en-303-645:5.1-1", "no failing finding"));
	json_decref(v);
	json_decref(f->scan);
	f->scan = saved;
}

static void test_promoted_and_standards(void **state)
{
	struct fix *f = *state;
	json_t *v = run(f, NULL, NULL, NULL, "[\"etsi-en-303-645:5.2-3\"]");
	assert_true(
	        json_is_true(json_object_get(verdict_of(v, "etsi-en-303-645:5.2-3"), "required")));
	assert_false(
	        json_is_true(json_object_get(verdict_of(v, "etsi-en-303-645:5.2-2"), "required")));
	json_t *std = NULL;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_assess_standards(f->cat, v, &std, &err), 0);
	assert_int_equal(json_array_size(std), it_catalogue_standard_count(f->cat));
	size_t i, total = 0;
	const json_t *s;
	json_array_foreach(std, i, s)
	{
		const json_t *c = json_object_get(s, "counts"), *n;
		const char *k;
		json_object_foreach((json_t *)c, k, n)
		{
			total += (size_t)json_integer_value(n);
		}
		if (strcmp(json_string_value(json_object_get(s, "id")), "etsi-en-303-645") == 0) {
			assert_false(json_is_true(json_object_get(s, "met")));
			assert_string_equal(json_string_value(json_object_get(s, "level_met")),
			                    "none");
			assert_true(json_integer_value(json_object_get(s, "required_failed")) > 0);
		}
	}
	assert_int_equal(total, it_catalogue_count(f->cat));
	json_decref(std);
	json_decref(v);
}

/* --- risk tiers ------------------------------------------------------------------------ */

static json_t *rules_of(struct fix *f, const char *yaml, struct it_error *err)
{
	json_t *r = NULL;
	if (it_risk_load("t.yaml", yaml, strlen(yaml), f->cat, &r, err) < 0)
		return NULL;
	return r;
}

static void test_bundled_tiers(void **state)
{
	struct fix *f = *state;
	struct it_buf b = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	json_t *rules = NULL, *tier = NULL;
	assert_int_equal(it_data_read(f->data, "risk/tiers.yaml", &b, &err), 0);
	if (it_risk_load("risk/tiers.yaml", (const char *)b.data, b.len, f->cat, &rules, &err) < 0)
		fail_msg("tiers.yaml: %s", err.message);
	it_buf_free(&b);
	/* nothing risky: basic, default class */
	json_t *facts =
	        json_pack("{ss sb sb ss sb}", "vertical", "appliance", "personal-data", 0,
	                  "markets-eu", 1, "actuation-safety", "none", "internet-facing", 0);
	assert_int_equal(it_risk_tier(rules, facts, &tier, &err), 0);
	assert_string_equal(json_string_value(json_object_get(tier, "level")), "basic");
	assert_string_equal(json_string_value(json_object_get(tier, "cra_class")), "default");
	assert_string_equal(json_string_value(json_object_get(tier, "fail_at")), "high");
	assert_int_equal(json_array_size(json_object_get(tier, "reasons")), 0);
	json_decref(tier);
	/* a smart lock: high (unlocking is a high safety impact), CRA important class I */
	json_object_set_new(facts, "vertical", json_string("smart-home-security"));
	json_object_set_new(facts, "actuation-safety", json_string("high"));
	assert_int_equal(it_risk_tier(rules, facts, &tier, &err), 0);
	assert_string_equal(json_string_value(json_object_get(tier, "level")), "high");
	assert_string_equal(json_string_value(json_object_get(tier, "cra_class")), "important-I");
	assert_string_equal(json_string_value(json_object_get(tier, "fail_at")), "low");
	assert_true(json_array_size(json_object_get(tier, "reasons")) >= 2); /* vertical, safety */
	assert_true(json_array_size(json_object_get(tier, "required")) > 0);
	json_decref(tier);
	/* not sold in the EU: no CRA class */
	json_object_set_new(facts, "markets-eu", json_false());
	assert_int_equal(it_risk_tier(rules, facts, &tier, &err), 0);
	assert_string_equal(json_string_value(json_object_get(tier, "cra_class")), "default");
	json_decref(tier);
	json_decref(facts);
	json_decref(rules);
}

static void test_rules_errors(void **state)
{
	struct fix *f = *state;
	static const struct {
		const char *yaml;
		unsigned long line; /* 0: any */
		const char *want;
	} cases[] = {
	        {"tiers: []\n", 1, "tiers: expected a mapping"},
	        {"tiers:\n  basic: {fail_at: high, required: []}\n", 0,
	         "tiers.substantial: expected"},
	        {"tiers:\n  basic: {fail_at: huge}\n", 2, "tiers.basic.fail_at: expected low"},
	        {"tiers:\n  basic: {fail_at: high, required: [etsi-en-303-645:9.9-9]}\n", 2,
	         "\"etsi-en-303-645:9.9-9\" is no catalogue item"},
	        {"tier: {}\n", 1, "unknown key \"tier\""},
	        {"tiers:\n  basic: {fail_at: high}\n  substantial: {fail_at: medium}\n  high: "
	         "{fail_at: low}\nrules:\n  - tier: extreme\n    when: {a: b}\n    because: x\n",
	         6, "rules[0].tier: expected one of basic"},
	        {"tiers:\n  basic: {fail_at: high}\n  substantial: {fail_at: medium}\n  high: "
	         "{fail_at: low}\nrules:\n  - tier: high\n    when: {}\n    because: x\n",
	         7, "rules[0].when: expected a mapping"},
	        {"tiers:\n  basic: {fail_at: high}\n  substantial: {fail_at: medium}\n  high: "
	         "{fail_at: low}\nrules:\n  - tier: high\n    when: {a: b}\n",
	         6, "rules[0].because: a reason is required"},
	        {"tiers:\n  basic: {fail_at: high}\n  basic: {fail_at: high}\n", 3, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct it_error err = IT_ERROR_INIT;
		json_t *r = rules_of(f, cases[i].yaml, &err);
		const char *msg = err.message ? err.message : "";
		if (r || err.code != IT_ERR_INPUT || !strstr(msg, cases[i].want) ||
		    (cases[i].line && err.line != cases[i].line))
			fail_msg("case %zu: want line %lu \"%s\", got line %lu \"%s\" (%s)", i,
			         cases[i].line, cases[i].want, err.line, msg,
			         r ? "loaded" : "refused");
		json_decref(r);
		it_error_clear(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_findings_fail_and_outrank_declarations),
	        cmocka_unit_test(test_condition_not_holding),
	        cmocka_unit_test(test_declarations_decide_what_checks_cannot),
	        cmocka_unit_test(test_linked_declarations),
	        cmocka_unit_test(test_vulnerabilities_and_sbom),
	        cmocka_unit_test(test_threshold_and_clean_checks),
	        cmocka_unit_test(test_promoted_and_standards),
	        cmocka_unit_test(test_bundled_tiers),
	        cmocka_unit_test(test_rules_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

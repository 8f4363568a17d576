/*
 * Product profiles and declarations (include/iotrust/profile.h): the shipped examples load
 * and say what their products are; every class of bad input (unknown key, wrong type, value
 * outside a closed list, bad date, missing field, duplicate key, unknown provision id, YAML
 * syntax) is refused with file:line:column, the key path and what was expected; aliases are
 * refused and size, depth and node count are bounded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "assess/yaml.h"
#include "iotrust/buf.h"
#include "iotrust/catalogue.h"
#include "iotrust/data.h"
#include "iotrust/profile.h"

/* A small valid profile; the negative cases replace one line of it. */
static const char base_profile[] = "profile_version: 1\n"             /* 1 */
                                   "identity:\n"                      /* 2 */
                                   "  vendor: V\n"                    /* 3 */
                                   "  product: P\n"                   /* 4 */
                                   "  model: M\n"                     /* 5 */
                                   "  firmware_version: \"1.0\"\n"    /* 6 */
                                   "category: camera\n"               /* 7 */
                                   "vertical: smart-home-security\n"  /* 8 */
                                   "markets: [UK]\n"                  /* 9 */
                                   "data:\n"                          /* 10 */
                                   "  personal: true\n"               /* 11 */
                                   "  location: false\n"              /* 12 */
                                   "  audio_video: false\n"           /* 13 */
                                   "  health: false\n"                /* 14 */
                                   "  children: false\n"              /* 15 */
                                   "remote_actuation: []\n"           /* 16 */
                                   "network:\n"                       /* 17 */
                                   "  exposure: cloud-connected\n"    /* 18 */
                                   "  remote_access: false\n"         /* 19 */
                                   "  services:\n"                    /* 20 */
                                   "    - name: web\n"                /* 21 */
                                   "      port: 80\n"                 /* 22 */
                                   "      protocol: tcp\n"            /* 23 */
                                   "third_parties:\n"                 /* 24 */
                                   "  - recipient: cloud\n"           /* 25 */
                                   "    data: [personal]\n"           /* 26 */
                                   "    purpose: app\n"               /* 27 */
                                   "    storage_country: GB\n"        /* 28 */
                                   "support:\n"                       /* 29 */
                                   "  end_date: 2030-01-31\n"         /* 30 */
                                   "  end_of_life:\n"                 /* 31 */
                                   "    works_offline: []\n"          /* 32 */
                                   "    switched_off: [app]\n"        /* 33 */
                                   "updates:\n"                       /* 34 */
                                   "  mechanism: automatic\n"         /* 35 */
                                   "  signed: true\n"                 /* 36 */
                                   "vulnerability_disclosure:\n"      /* 37 */
                                   "  contact: security@v.example\n"; /* 38 */

static const char base_decl[] = "declarations_version: 1\n"                      /* 1 */
                                "declared_by:\n"                                 /* 2 */
                                "  name: Q\n"                                    /* 3 */
                                "declared_on: 2026-11-02\n"                      /* 4 */
                                "answers:\n"                                     /* 5 */
                                "  5.1-1:\n"                                     /* 6 */
                                "    status: implemented\n"                      /* 7 */
                                "  uk-psti:3:\n"                                 /* 8 */
                                "    status: not-applicable\n"                   /* 9 */
                                "    justification: sold only outside the UK\n"; /* 10 */

static struct it_catalogue *catalogue(void)
{
	struct it_error err = IT_ERROR_INIT;
	struct it_data *d = NULL;
	struct it_catalogue *cat = NULL;
	if (it_data_open(&d, NULL, &err) < 0 || it_catalogue_load(&cat, d, &err) < 0)
		fail_msg("catalogue: %s", err.message);
	it_data_close(d);
	return cat;
}

/* base with the first occurrence of `from` replaced by `to` (malloc'd). */
static char *mutate(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	if (!at)
		fail_msg("mutate: \"%s\" not in the base text", from);
	size_t pre = (size_t)(at - base), n = strlen(base) - strlen(from) + strlen(to);
	char *s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, base, pre);
	strcpy(s + pre, to);
	strcat(s, at + strlen(from));
	return s;
}

/* Load text as a profile (or declarations) and expect exactly this formatted error. */
static void expect_error(int decl, const char *text, enum it_errcode code, const char *want)
{
	struct it_error err = IT_ERROR_INIT;
	json_t *out = NULL;
	struct it_catalogue *cat = decl ? catalogue() : NULL;
	int rc = decl ? it_declarations_load_mem("t.yaml", text, strlen(text), cat, &out, &err)
	              : it_profile_load_mem("t.yaml", text, strlen(text), &out, &err);
	it_catalogue_free(cat);
	if (rc == 0) {
		json_decref(out);
		fail_msg("accepted, expected: %s", want);
	}
	assert_null(out);
	char *got = it_error_format(&err);
	if (strcmp(got, want) != 0 || err.code != code)
		fail_msg("got %s (%s)\nwant %s (%s)", got, it_errcode_name(err.code), want,
		         it_errcode_name(code));
	free(got);
	it_error_clear(&err);
}

static void expect_profile_error(const char *from, const char *to, const char *want)
{
	char *text = mutate(base_profile, from, to);
	expect_error(0, text, IT_ERR_INPUT, want);
	free(text);
}

static void expect_decl_error(const char *from, const char *to, const char *want)
{
	char *text = mutate(base_decl, from, to);
	expect_error(1, text, IT_ERR_INPUT, want);
	free(text);
}

static json_t *load_profile_text(const char *text)
{
	struct it_error err = IT_ERROR_INIT;
	json_t *out = NULL;
	if (it_profile_load_mem("t.yaml", text, strlen(text), &out, &err) < 0)
		fail_msg("%s", it_error_format(&err));
	return out;
}

/* --- the shipped examples -------------------------------------------------------------- */

static json_t *builtin(const struct it_data *d, const struct it_catalogue *cat, const char *name)
{
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	char path[128];
	snprintf(path, sizeof path, "profiles/%s.yaml", name);
	json_t *out = NULL;
	if (it_data_read(d, path, &b, &err) < 0)
		fail_msg("%s: %s", path, err.message);
	int rc = cat ? it_declarations_load_mem(path, (const char *)b.data, b.len, cat, &out, &err)
	             : it_profile_load_mem(path, (const char *)b.data, b.len, &out, &err);
	if (rc < 0)
		fail_msg("%s", it_error_format(&err));
	it_buf_free(&b);
	return out;
}

/* root["a"]["b"]... as a string (NULL when absent). */
static const char *jstr(json_t *root, const char *a, const char *b)
{
	json_t *j = json_object_get(root, a);
	return json_string_value(b ? json_object_get(j, b) : j);
}

static void test_examples_load(void **state)
{
	(void)state;
	static const char *const names[] = {"demo", "smart-lock", "e-bike", "geodata-service"};
	struct it_error err = IT_ERROR_INIT;
	struct it_data *d = NULL;
	assert_int_equal(it_data_open(&d, NULL, &err), 0);
	struct it_catalogue *cat = catalogue();
	for (size_t i = 0; i < 4; i++) {
		json_t *p = builtin(d, NULL, names[i]);
		char decl[64];
		snprintf(decl, sizeof decl, "%s-declarations", names[i]);
		json_t *dj = builtin(d, cat, decl);
		/* A dozen realistic answers, all resolved to global ids. */
		json_t *answers = json_object_get(dj, "answers");
		assert_true(json_object_size(answers) >= 12);
		const char *k;
		json_t *v;
		json_object_foreach(answers, k, v)
		{
			assert_non_null(it_catalogue_find(cat, k));
		}
		json_decref(p);
		json_decref(dj);
	}
	/* What the examples say about their products. */
	json_t *demo = builtin(d, NULL, "demo");
	assert_string_equal(jstr(demo, "identity", "product"), "AC-CAM-100");
	assert_true(
	        json_is_false(json_object_get(json_object_get(demo, "network"), "remote_access")));
	json_decref(demo);
	json_t *lock = builtin(d, NULL, "smart-lock");
	json_t *act0 = json_array_get(json_object_get(lock, "remote_actuation"), 0);
	assert_string_equal(json_string_value(json_object_get(act0, "name")), "unlock door");
	assert_string_equal(json_string_value(json_object_get(act0, "safety_impact")), "high");
	json_decref(lock);
	json_t *bike = builtin(d, NULL, "e-bike");
	assert_string_equal(jstr(bike, "vertical", NULL), "e-mobility");
	json_t *markets = json_object_get(bike, "markets");
	assert_int_equal(json_array_size(markets), 2);
	assert_string_equal(json_string_value(json_array_get(markets, 0)), "EU");
	json_decref(bike);
	json_t *bike_decl = builtin(d, cat, "e-bike-declarations");
	/* Bare ids are ETSI EN 303 645's. */
	assert_non_null(
	        json_object_get(json_object_get(bike_decl, "answers"), "etsi-en-303-645:5.3-4"));
	assert_non_null(
	        json_object_get(json_object_get(bike_decl, "answers"), "owasp-iot-top10:I5"));
	json_decref(bike_decl);
	it_catalogue_free(cat);
	it_data_close(d);
}

/* Booleans become {processed, uses}; absent defaults appear; keys come in documented order. */
static void test_canonical_form(void **state)
{
	(void)state;
	json_t *p = load_profile_text(base_profile);
	json_t *loc = json_object_get(json_object_get(p, "data"), "location");
	assert_true(json_is_false(json_object_get(loc, "processed")));
	assert_int_equal(json_array_size(json_object_get(loc, "uses")), 0);
	json_t *svc = json_array_get(json_object_get(json_object_get(p, "network"), "services"), 0);
	assert_true(json_is_false(json_object_get(svc, "internet_facing")));
	assert_int_equal(json_integer_value(json_object_get(svc, "port")), 80);
	assert_string_equal(jstr(p, "identity", "firmware_version"), "1.0");
	char *s = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_non_null(strstr(s, "{\"profile_version\":1,\"identity\":{\"vendor\":\"V\""));
	free(s);
	json_decref(p);

	char *text = mutate(base_profile, "  personal: true\n",
	                    "  personal:\n    - what: e-mail\n      purpose: login\n");
	p = load_profile_text(text);
	json_t *pers = json_object_get(json_object_get(p, "data"), "personal");
	assert_true(json_is_true(json_object_get(pers, "processed")));
	assert_string_equal(json_string_value(json_object_get(
	                            json_array_get(json_object_get(pers, "uses"), 0), "purpose")),
	                    "login");
	json_decref(p);
	free(text);

	/* YAML 1.2's other spellings of the booleans are booleans too. */
	text = mutate(base_profile, "  location: false", "  location: FALSE");
	p = load_profile_text(text);
	assert_true(json_is_false(json_object_get(
	        json_object_get(json_object_get(p, "data"), "location"), "processed")));
	json_decref(p);
	free(text);
}

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_profile_error("category: camera\n", "category: camera\ncolour: red\n",
	                     "t.yaml:8:1: (top level): unknown key \"colour\" (expected one of: "
	                     "profile_version, identity, category, vertical, markets, data, "
	                     "remote_actuation, network, third_parties, support, updates, "
	                     "vulnerability_disclosure)");
	expect_profile_error(
	        "  model: M\n", "  model: M\n  modle: M2\n",
	        "t.yaml:6:3: identity: unknown key \"modle\" (expected one of: vendor, "
	        "product, model, firmware_version, hardware_version)");
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_profile_error("  personal: true", "  personal: yes please",
	                     "t.yaml:11:13: data.personal: expected true, false or a list of "
	                     "{what, purpose}, got \"yes please\"");
	expect_profile_error("  remote_access: false", "  remote_access: \"false\"",
	                     "t.yaml:19:19: network.remote_access: expected true or false, got "
	                     "\"false\"");
	expect_profile_error("  vendor: V", "  vendor: \"\"",
	                     "t.yaml:3:12: identity.vendor: expected a non-empty string, got \"\"");
	expect_profile_error(
	        "  vendor: V", "  vendor: [V]",
	        "t.yaml:3:11: identity.vendor: expected a non-empty string, got a list");
	expect_profile_error(
	        "      port: 80", "      port: 70000",
	        "t.yaml:22:13: network.services[0].port: expected an integer from 1 to "
	        "65535, got \"70000\"");
	expect_profile_error("profile_version: 1", "profile_version: 2",
	                     "t.yaml:1:18: profile_version: expected an integer from 1 to 1, got "
	                     "\"2\"");
	expect_profile_error("    storage_country: GB", "    storage_country: Britain",
	                     "t.yaml:28:22: third_parties[0].storage_country: expected an ISO "
	                     "3166-1 alpha-2 country code such as GB, DE or US, got \"Britain\"");
	expect_profile_error("  contact: security@v.example", "  contact: call us",
	                     "t.yaml:38:12: vulnerability_disclosure.contact: expected an e-mail "
	                     "address or an http(s) URL, got \"call us\"");
}

static void test_closed_lists(void **state)
{
	(void)state;
	expect_profile_error("vertical: smart-home-security", "vertical: smart-fridge",
	                     "t.yaml:8:11: vertical: expected one of smart-home-security, "
	                     "toys-children, health-wearable, energy-ev-charging, e-mobility, "
	                     "appliance, industrial, smart-city, geospatial-data, other, got "
	                     "\"smart-fridge\"");
	expect_profile_error("markets: [UK]", "markets: [UK, EU, UK]",
	                     "t.yaml:9:19: markets[2]: UK is listed twice");
	expect_profile_error("markets: [UK]", "markets: [UK, JP]",
	                     "t.yaml:9:15: markets[1]: expected one of UK, EU, US, got \"JP\"");
	expect_profile_error("  mechanism: automatic", "  mechanism: sometimes",
	                     "t.yaml:35:14: updates.mechanism: expected one of automatic, "
	                     "user-confirmed, manual, none, got \"sometimes\"");
}

static void test_bad_dates(void **state)
{
	(void)state;
	expect_profile_error("  end_date: 2030-01-31", "  end_date: 2030-02-30",
	                     "t.yaml:30:13: support.end_date: expected a date YYYY-MM-DD, got "
	                     "\"2030-02-30\"");
	expect_profile_error("  end_date: 2030-01-31", "  end_date: 31/01/2030",
	                     "t.yaml:30:13: support.end_date: expected a date YYYY-MM-DD, got "
	                     "\"31/01/2030\"");
	/* 29 February exists in leap years only. */
	char *text = mutate(base_profile, "2030-01-31", "2028-02-29");
	json_decref(load_profile_text(text));
	free(text);
}

static void test_missing_fields(void **state)
{
	(void)state;
	expect_profile_error("  vendor: V\n", "",
	                     "t.yaml:3:3: identity: missing required key \"vendor\"");
	expect_profile_error(
	        "remote_actuation: []",
	        "remote_actuation:\n  - name: unlock\n    description: d\n"
	        "    safety_impact: high",
	        "t.yaml:17:5: remote_actuation[0]: missing required key \"consequence\" "
	        "(safety_impact is high)");
	expect_profile_error("  children: false\n", "",
	                     "t.yaml:11:3: data: missing required key \"children\"");
}

static void test_inconsistent(void **state)
{
	(void)state;
	expect_profile_error("    data: [personal]", "    data: [personal, location]",
	                     "t.yaml:26:22: third_parties[0].data[1]: location data is sent to a "
	                     "third party but data says it is not processed");
	char *text = mutate(base_profile, "  exposure: cloud-connected", "  exposure: lan-only");
	char *text2 = mutate(text, "      protocol: tcp",
	                     "      protocol: tcp\n      internet_facing: true");
	expect_error(0, text2, IT_ERR_INPUT,
	             "t.yaml:21:7: network.services[0]: internet_facing is true but exposure is "
	             "lan-only");
	free(text);
	free(text2);
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	expect_profile_error("  model: M\n", "  model: M\n  model: N\n",
	                     "t.yaml:6:3: duplicate key \"model\" (first at line 5)");
	expect_decl_error("  uk-psti:3:", "  etsi-en-303-645:5.1-1:",
	                  "t.yaml:8:3: answers: etsi-en-303-645:5.1-1 is answered twice");
}

static void test_yaml_syntax(void **state)
{
	(void)state;
	expect_profile_error("markets: [UK]", "markets: [UK",
	                     "t.yaml:11:11: YAML syntax error: missing comma in flow sequence");
	expect_profile_error(
	        "category: camera", "category: a: b",
	        "t.yaml:7:12: YAML syntax error: invalid nested block mapping on the same line");
	expect_error(0, "- a\n- b\n", IT_ERR_INPUT,
	             "t.yaml:1:1: expected a YAML mapping at the top level");
	expect_error(0, "", IT_ERR_INPUT, "t.yaml:1:1: expected a YAML mapping at the top level");
	char *two = mutate(base_profile, "profile_version: 1\n", "a: 1\n---\nprofile_version: 1\n");
	expect_error(0, two, IT_ERR_INPUT,
	             "t.yaml:2:1: more than one YAML document (expected exactly one)");
	free(two);
	expect_profile_error("category: camera", "category: !!str camera",
	                     "t.yaml:7:11: tags are not allowed");
	/* Checked before libfyaml sees the bytes (it can hang on a malformed directive). */
	expect_profile_error("category: camera", "category: caf\xc3",
	                     "t.yaml:7:14: not valid UTF-8 (byte 0xc3)");
	expect_profile_error("category: camera", "category: \xed\xa0\x80",
	                     "t.yaml:7:11: not valid UTF-8 (byte 0xed)");
	expect_error(0, "%YAML 1.2\n---\na: 1\n", IT_ERR_INPUT,
	             "t.yaml:1:1: YAML directives (lines starting with %) are not allowed");
	expect_error(0,
	             "%\xf8"
	             "a-\xf8"
	             "a\xff\xff\xff\xff",
	             IT_ERR_INPUT,
	             "t.yaml:1:1: YAML directives (lines starting with %) are not allowed");
	/* libfyaml 0.7.12 decodes 'a''''b' as a''' (and leaks): refused before it; one escaped
	 * quote at a time is read right. */
	expect_profile_error("category: camera", "category: 'it''''s'",
	                     "t.yaml:7:14: four single quotes in a row are not allowed (the YAML "
	                     "library misreads escaped quotes that follow each other); write "
	                     "the text in double quotes");
	char *quoted = mutate(base_profile, "category: camera", "category: 'it''s a ''cam'''");
	json_t *q = load_profile_text(quoted);
	assert_string_equal(jstr(q, "category", NULL), "it's a 'cam'");
	json_decref(q);
	free(quoted);
	/* Non-ASCII text is fine. */
	char *text = mutate(base_profile, "category: camera", "category: caméra de sécurité");
	json_t *p = load_profile_text(text);
	assert_string_equal(jstr(p, "category", NULL), "caméra de sécurité");
	json_decref(p);
	free(text);
}

static void test_declarations(void **state)
{
	(void)state;
	struct it_catalogue *cat = catalogue();
	struct it_error err = IT_ERROR_INIT;
	json_t *d = NULL;
	assert_int_equal(
	        it_declarations_load_mem("t.yaml", base_decl, strlen(base_decl), cat, &d, &err), 0);
	json_t *a = json_object_get(d, "answers");
	assert_string_equal(jstr(a, "etsi-en-303-645:5.1-1", "status"), "implemented");
	assert_string_equal(jstr(a, "uk-psti:3", "justification"), "sold only outside the UK");
	assert_string_equal(jstr(d, "declared_on", NULL), "2026-11-02");
	json_decref(d);
	it_catalogue_free(cat);

	expect_decl_error("  5.1-1:", "  5.99-1:",
	                  "t.yaml:6:3: answers: \"5.99-1\" is not a provision of the catalogue "
	                  "(see `iotrust catalogue list`)");
	expect_decl_error("  uk-psti:3:", "  uk-psti:9:",
	                  "t.yaml:8:3: answers: \"uk-psti:9\" is not a provision of the catalogue "
	                  "(see `iotrust catalogue list`)");
	expect_decl_error("    justification: sold only outside the UK\n", "",
	                  "t.yaml:9:5: answers.uk-psti:3: missing required key \"justification\" "
	                  "(status is not-applicable)");
	expect_decl_error("    status: implemented", "    status: done",
	                  "t.yaml:7:13: answers.5.1-1.status: expected one of implemented, "
	                  "not-implemented, not-applicable, got \"done\"");
	expect_decl_error("declared_on: 2026-11-02", "declared_on: 2026-13-01",
	                  "t.yaml:4:14: declared_on: expected a date YYYY-MM-DD, got "
	                  "\"2026-13-01\"");
	expect_decl_error("  name: Q\n", "",
	                  "t.yaml:2:1: declared_by: expected a mapping of keys to values, got "
	                  "nothing (null)");
}

/* "Billion laughs": aliases are refused before anything is expanded. */
static void test_alias_bomb(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	assert_int_equal(it_buf_puts(&b, "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol]\n"), 0);
	for (int i = 1; i < 10; i++)
		assert_int_equal(it_buf_printf(&b,
		                               "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
		                               i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1),
		                 0);
	expect_error(0, it_buf_str(&b), IT_ERR_INPUT,
	             "t.yaml:1:6: anchors and aliases are not allowed");
	it_buf_free(&b);
	expect_error(0, "x: *nothing\n", IT_ERR_INPUT,
	             "t.yaml:1:5: anchors and aliases are not allowed");
}

static void test_limits(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	/* Depth: 20 nested flow sequences. */
	assert_int_equal(it_buf_puts(&b, "data: [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]\n"), 0);
	expect_error(0, it_buf_str(&b), IT_ERR_LIMIT, "t.yaml:1:22: nested too deeply (limit 16)");
	/* Node count: 20,001 scalars. */
	it_buf_truncate(&b, 0);
	assert_int_equal(it_buf_puts(&b, "markets: ["), 0);
	for (int i = 0; i < 20001; i++)
		assert_int_equal(it_buf_puts(&b, "UK,"), 0);
	assert_int_equal(it_buf_puts(&b, "]\n"), 0);
	expect_error(0, it_buf_str(&b), IT_ERR_LIMIT,
	             "t.yaml:1:60002: too many nodes (limit 20000)");
	/* Size: one byte over 1 MiB, refused before parsing. */
	it_buf_truncate(&b, 0);
	assert_int_equal(it_buf_puts(&b, "# "), 0);
	while (b.len <= IT_YAML_MAX_SIZE)
		assert_int_equal(it_buf_putc(&b, 'x'), 0);
	expect_error(0, it_buf_str(&b), IT_ERR_LIMIT,
	             "t.yaml: document of 1048577 bytes is larger than the limit of 1048576 bytes");
	it_buf_free(&b);
	/* Limits of the YAML layer are the caller's to choose. */
	struct it_yaml_limits small = {100, 2, 5};
	struct it_ynode *root = NULL;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_yaml_parse("s", "a: [1, 2]\n", 10, &small, &root, &err), 0);
	it_ynode_free(root);
	assert_int_equal(it_yaml_parse("s", "a: [1, 2, 3]\n", 13, &small, &root, &err), -1);
	assert_int_equal(err.code, IT_ERR_LIMIT);
	it_error_clear(&err);
	assert_int_equal(it_yaml_parse("s", "a: [[1]]\n", 9, &small, &root, &err), -1);
	assert_int_equal(err.code, IT_ERR_LIMIT);
	it_error_clear(&err);
}

static void test_load_file(void **state)
{
	(void)state;
	struct it_error err = IT_ERROR_INIT;
	json_t *p = NULL;
	assert_int_equal(it_profile_load("/nonexistent/p.yaml", &p, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_non_null(strstr(err.message, "cannot open"));
	it_error_clear(&err);
	char path[] = "/tmp/iotrust-profile-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs(base_profile, f);
	fclose(f);
	assert_int_equal(it_profile_load(path, &p, &err), 0);
	assert_string_equal(jstr(p, "vertical", NULL), "smart-home-security");
	json_decref(p);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_examples_load),  cmocka_unit_test(test_canonical_form),
	        cmocka_unit_test(test_unknown_keys),   cmocka_unit_test(test_wrong_types),
	        cmocka_unit_test(test_closed_lists),   cmocka_unit_test(test_bad_dates),
	        cmocka_unit_test(test_missing_fields), cmocka_unit_test(test_inconsistent),
	        cmocka_unit_test(test_duplicate_keys), cmocka_unit_test(test_yaml_syntax),
	        cmocka_unit_test(test_declarations),   cmocka_unit_test(test_alias_bomb),
	        cmocka_unit_test(test_limits),         cmocka_unit_test(test_load_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The provisions catalogue (include/iotrust/catalogue.h): the bundled data files load, have
 * the item counts docs/catalogue.md states, map symmetrically and agree with the checks'
 * own provisions; lookups, transitive resolution and evidence; malformed catalogue inputs are
 * refused with an error that names the file and the JSON path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iotrust/catalogue.h"
#include "iotrust/inspect.h"
#include "testutil.h"

/* --- the bundled catalogue ------------------------------------------------------------- */

static struct it_catalogue *bundled(void)
{
	struct it_error err = IT_ERROR_INIT;
	struct it_data *d = NULL;
	struct it_catalogue *cat = NULL;
	if (it_data_open(&d, NULL, &err) < 0 || it_catalogue_load(&cat, d, &err) < 0)
		fail_msg("load: %s: %s", err.where ? err.where : "", err.message);
	it_data_close(d);
	return cat;
}

static size_t count_where(const struct it_catalogue *cat, const char *std, const char *version,
                          int mandatory_only, const char *kind)
{
	size_t n = 0;
	for (size_t i = 0; i < it_catalogue_count(cat); i++) {
		const struct it_cat_item *it = it_catalogue_item(cat, i);
		int has_version = !version;
		for (size_t v = 0; !has_version && v < it->n_versions; v++)
			has_version = strcmp(it->versions[v], version) == 0;
		if (strcmp(it->standard, std) == 0 && has_version &&
		    (!mandatory_only || it_cat_level_is_mandatory(it->level)) &&
		    (!kind || (it->kind && strcmp(it->kind, kind) == 0)))
			n++;
	}
	return n;
}

/* The numbers docs/catalogue.md states (and ../shared/reference/standards.md counts). */
static void test_counts_per_standard(void **state)
{
	(void)state;
	struct it_catalogue *cat = bundled();
	assert_int_equal(it_catalogue_standard_count(cat), 6);
	assert_int_equal(count_where(cat, "etsi-en-303-645", NULL, 0, NULL), 85);
	assert_int_equal(count_where(cat, "etsi-en-303-645", "2.1.1", 0, NULL), 68);
	assert_int_equal(count_where(cat, "etsi-en-303-645", "2.1.1", 1, NULL), 33);
	assert_int_equal(count_where(cat, "etsi-en-303-645", "3.1.3", 0, NULL), 78);
	assert_int_equal(count_where(cat, "uk-psti", NULL, 0, NULL), 3);
	assert_int_equal(count_where(cat, "eu-cra", NULL, 0, "essential requirement"), 14);
	assert_int_equal(count_where(cat, "eu-cra", NULL, 0, "vulnerability handling"), 8);
	assert_int_equal(count_where(cat, "nist-ir-8425", NULL, 0, "product outcome"), 6);
	assert_int_equal(count_where(cat, "nist-ir-8425", NULL, 0, "developer outcome"), 4);
	assert_int_equal(count_where(cat, "owasp-iot-top10", NULL, 0, NULL), 10);
	assert_int_equal(count_where(cat, "dcms-code-of-practice", NULL, 0, "principle"), 20);
	assert_int_equal(count_where(cat, "dcms-code-of-practice", NULL, 0, "recommendation"), 58);
	const struct it_cat_standard *s = it_catalogue_standard_find(cat, "eu-cra");
	assert_non_null(s);
	assert_int_equal(s->n, 22);
	assert_string_equal(s->file, "catalogue/eu-cra.json");
	it_catalogue_free(cat);
}

static int links_to(const struct it_cat_item *a, const struct it_cat_item *b)
{
	for (size_t i = 0; i < a->n_links; i++)
		if (a->links[i] == b)
			return 1;
	return 0;
}

static void test_mappings_symmetric(void **state)
{
	(void)state;
	struct it_catalogue *cat = bundled();
	size_t edges = 0;
	for (size_t i = 0; i < it_catalogue_count(cat); i++) {
		const struct it_cat_item *a = it_catalogue_item(cat, i);
		for (size_t j = 0; j < a->n_maps_to; j++) {
			const struct it_cat_item *b = it_catalogue_find(cat, a->maps_to[j]);
			assert_non_null(b);
			if (!links_to(a, b) || !links_to(b, a))
				fail_msg("%s -> %s is not linked both ways", a->gid, b->gid);
			edges++;
		}
		for (size_t j = 0; j < a->n_links; j++) {
			if (!links_to(a->links[j], a))
				fail_msg("%s links to %s but not back", a->gid, a->links[j]->gid);
			for (size_t k = 0; k < j; k++)
				assert_ptr_not_equal(a->links[j], a->links[k]);
		}
	}
	assert_true(edges > 150);
	/* written one way only in the files, seen both ways */
	const struct it_cat_item *etsi = it_catalogue_find(cat, "etsi-en-303-645:5.2-1");
	const struct it_cat_item *psti = it_catalogue_find(cat, "uk-psti:2");
	assert_int_equal(etsi->n_maps_to, 0);
	assert_true(links_to(etsi, psti));
	it_catalogue_free(cat);
}

/* The catalogue's checks lists agree with data/checks, and the catalogue's view of the checks
 * is the one the inspectors load. */
static void test_checks_agree(void **state)
{
	(void)state;
	struct it_error err = IT_ERROR_INIT;
	struct it_catalogue *cat = bundled();
	if (it_catalogue_verify_checks(cat, &err) < 0)
		fail_msg("%s: %s", err.where, err.message);

	struct it_data *d = NULL;
	struct it_inspect *in = NULL;
	struct it_inspect_options o;
	it_inspect_options_default(&o);
	assert_int_equal(it_data_open(&d, NULL, &err), 0);
	o.data = d;
	assert_int_equal(it_inspect_new(&in, &o, &err), 0);
	assert_int_equal(it_inspect_check_count(in), it_catalogue_check_count(cat));
	for (size_t i = 0; i < it_inspect_check_count(in); i++) {
		const struct it_check *c = it_inspect_check(in, i);
		const struct it_cat_check *cc = it_catalogue_check(cat, c->id);
		assert_non_null(cc);
		size_t np = 0;
		for (const char *const *p = c->provisions; *p; p++, np++) {
			char gid[96];
			snprintf(gid, sizeof(gid), "etsi-en-303-645:%s", *p);
			const struct it_cat_item *it = it_catalogue_find(cat, gid);
			if (!it)
				fail_msg("check %s names %s, which the catalogue lacks", c->id,
				         gid);
			int listed = 0;
			for (size_t k = 0; k < it->n_checks; k++)
				listed |= strcmp(it->checks[k], c->id) == 0;
			if (!listed)
				fail_msg("%s does not list check %s", gid, c->id);
		}
		assert_int_equal(np, cc->n_provisions);
	}
	it_inspect_free(in);
	it_data_close(d);
	it_catalogue_free(cat);
}

static void test_lookup(void **state)
{
	(void)state;
	struct it_catalogue *cat = bundled();
	const struct it_cat_item *it;
	assert_int_equal(it_catalogue_lookup(cat, "I1", &it), 1);
	assert_string_equal(it->gid, "owasp-iot-top10:I1");
	assert_int_equal(it_catalogue_lookup(cat, "1", &it), 2); /* uk-psti:1, dcms:1 */
	assert_int_equal(it_catalogue_lookup(cat, "uk-psti:1", &it), 1);
	assert_string_equal(it->standard, "uk-psti");
	assert_int_equal(it_catalogue_lookup(cat, "5.99-1", &it), 0);
	assert_null(it);
	assert_null(it_catalogue_find(cat, "5.1-1"));

	it = it_catalogue_find(cat, "etsi-en-303-645:5.1-5");
	assert_int_equal(it->level, IT_LEVEL_MC);
	assert_string_equal(it->condition->id, "not-constrained-device");
	assert_true(it->has_v3);
	assert_string_equal(it->v3_condition->id, "brute-force-protection-feasible");
	assert_int_equal(it->v3_condition->n_all_of, 1);
	assert_string_equal(it->v3_condition->all_of[0], "network-authentication");

	const struct it_cat_check *c = it_catalogue_check(cat, "cred.empty-password");
	assert_non_null(c);
	int etsi = 0, psti = 0;
	for (size_t i = 0; i < c->n_items; i++) {
		etsi |= strcmp(c->items[i]->gid, "etsi-en-303-645:5.1-1") == 0;
		psti |= strcmp(c->items[i]->gid, "uk-psti:1") == 0;
	}
	assert_true(etsi && psti);
	assert_null(it_catalogue_check(cat, "no.such-check"));
	it_catalogue_free(cat);
}

static int reached(const struct it_cat_link *v, size_t n, const char *gid, unsigned depth)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].item->gid, gid) == 0)
			return depth == 0 || v[i].depth == depth;
	return 0;
}

static void test_resolve_transitive(void **state)
{
	(void)state;
	struct it_error err = IT_ERROR_INIT;
	struct it_catalogue *cat = bundled();
	const struct it_cat_item *psti = it_catalogue_find(cat, "uk-psti:1");
	struct it_cat_link *v;
	size_t n, n2, nall;
	assert_int_equal(it_catalogue_resolve(cat, psti, 1, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_true(reached(v, n, "etsi-en-303-645:5.1-1", 1));
	assert_true(reached(v, n, "etsi-en-303-645:5.1-2", 1));
	free(v);
	assert_int_equal(it_catalogue_resolve(cat, psti, 2, &v, &n2, &err), 0);
	assert_true(n2 > n);
	assert_true(reached(v, n2, "owasp-iot-top10:I1", 2));
	assert_false(reached(v, n2, "uk-psti:1", 0)); /* the start is not in the result */
	for (size_t i = 0; i < n2; i++) {
		assert_true(v[i].depth >= 1 && v[i].depth <= 2);
		assert_true(links_to(v[i].via, v[i].item));
		if (i > 0)
			assert_true(v[i].depth >= v[i - 1].depth);
	}
	free(v);
	assert_int_equal(it_catalogue_resolve(cat, psti, 0, &v, &nall, &err), 0);
	assert_true(nall >= n2 && nall < it_catalogue_count(cat));
	for (size_t i = 0; i < nall; i++)
		for (size_t j = 0; j < i; j++)
			assert_ptr_not_equal(v[i].item, v[j].item);
	free(v);
	it_catalogue_free(cat);
}

static int has_check(const struct it_cat_check *const *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i]->id, id) == 0)
			return 1;
	return 0;
}

static void test_evidence(void **state)
{
	(void)state;
	struct it_error err = IT_ERROR_INIT;
	struct it_catalogue *cat = bundled();
	const struct it_cat_check **v;
	size_t n;
	/* PSTI 1 gets the password checks of 5.1-1/5.1-2, not the service checks that 5.6-1 (a
	 * neighbour through eu-cra:I.2.b) has */
	assert_int_equal(
	        it_catalogue_evidence(cat, it_catalogue_find(cat, "uk-psti:1"), &v, &n, &err), 0);
	assert_true(has_check(v, n, "cred.empty-password"));
	assert_true(has_check(v, n, "cred.default-password"));
	assert_false(has_check(v, n, "svc.telnetd"));
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(v[i - 1]->id, v[i]->id) < 0);
	free(v);
	/* a V3 split provision gets the evidence of the V2.1.1 provision it derives from */
	assert_int_equal(it_catalogue_evidence(cat,
	                                       it_catalogue_find(cat, "etsi-en-303-645:5.13-1B"),
	                                       &v, &n, &err),
	                 0);
	assert_true(has_check(v, n, "elf.dangerous-import"));
	free(v);
	assert_int_equal(it_catalogue_evidence(cat, it_catalogue_find(cat, "etsi-en-303-645:5.2-1"),
	                                       &v, &n, &err),
	                 0);
	assert_int_equal(n, 0);
	free(v);
	it_catalogue_free(cat);
}

/* --- malformed inputs ------------------------------------------------------------------- */

static const char checks_json[] =
        "{\"checks\": [{\"id\": \"t.one\", \"title\": \"One\", \"provisions\": [\"1\"]},"
        " {\"id\": \"t.two\", \"title\": \"Two\", \"provisions\": [\"2\"]}]}";

/* A small valid item of the ETSI standard with the given level, checks and maps_to, and
 * extra members spliced in at the end. */
#define ITEMX(id, level, checks, maps, extra)                                                      \
	"{\"id\": \"" id "\", \"standard\": \"etsi-en-303-645\", \"title\": \"T\", "               \
	"\"level\": \"" level "\", \"requirement\": \"Do it.\", \"question\": \"Done?\", "         \
	"\"checks\": " checks ", \"maps_to\": " maps extra "}"
#define ITEM(id, extra) ITEMX(id, "M", "[]", "[]", extra)
#define ONE             "[\"t.one\"]"
#define TWO             "[\"t.two\"]"

struct built {
	struct it_catalogue *cat;
	struct it_error err;
	int rc;
};

/* new + checks + the given catalogue files ("name", json, ...) + finish */
static void build(struct built *b, size_t nfiles, ...)
{
	va_list ap;
	memset(b, 0, sizeof(*b));
	b->err = (struct it_error)IT_ERROR_INIT;
	assert_int_equal(it_catalogue_new(&b->cat, &b->err), 0);
	b->rc = it_catalogue_add_checks(b->cat, "checks/t.json", checks_json, strlen(checks_json),
	                                &b->err);
	va_start(ap, nfiles);
	for (size_t i = 0; i < nfiles && b->rc == 0; i++) {
		const char *name = va_arg(ap, const char *);
		const char *json = va_arg(ap, const char *);
		b->rc = it_catalogue_add_file(b->cat, name, json, strlen(json), &b->err);
	}
	va_end(ap);
	if (b->rc == 0)
		b->rc = it_catalogue_finish(b->cat, &b->err);
}

static void built_free(struct built *b)
{
	it_catalogue_free(b->cat);
	it_error_clear(&b->err);
}

static void expect_error(const char *json, const char *needle)
{
	struct built b;
	build(&b, 1, "catalogue/t.json", json);
	if (b.rc == 0)
		fail_msg("accepted: %s", json);
	assert_int_equal(b.err.code, IT_ERR_INPUT);
	assert_non_null(b.err.where);
	assert_string_equal(b.err.where, "catalogue/t.json");
	if (!strstr(b.err.message, needle))
		fail_msg("message \"%s\" lacks \"%s\"", b.err.message, needle);
	built_free(&b);
}

#define FILE_OF(items)                                                                             \
	"{\"standard\": \"etsi-en-303-645\", \"title\": \"E\", \"items\": [" items "]}"

static void test_valid_minimal(void **state)
{
	(void)state;
	struct built b;
	build(&b, 2, "catalogue/e.json",
	      FILE_OF(ITEMX("1", "M", ONE, "[]", "") "," ITEMX("2", "M", TWO, "[]", "")),
	      "catalogue/x.json",
	      "{\"standard\": \"x\", \"title\": \"X\", \"items\": [{\"id\": \"a\", \"standard\": "
	      "\"x\", \"title\": \"A\", \"level\": \"R C\", \"condition\": {\"id\": \"k\", "
	      "\"text\": \"K\"}, \"requirement\": \"r\", \"question\": \"q\", \"checks\": "
	      "[\"t.one\"], \"maps_to\": [\"etsi-en-303-645:1\"]}]}");
	if (b.rc < 0)
		fail_msg("%s: %s", b.err.where, b.err.message);
	assert_int_equal(it_catalogue_count(b.cat), 3);
	assert_int_equal(it_catalogue_verify_checks(b.cat, &b.err), 0);
	built_free(&b);
}

static void test_unknown_level(void **state)
{
	(void)state;
	expect_error(FILE_OF(ITEM("1", "") "," ITEMX("2", "X", "[]", "[]", "")),
	             "items[1]: \"level\": expected \"M\", \"R\", \"M C\" or \"R C\", not \"X\"");
}

static void test_duplicate_id(void **state)
{
	(void)state;
	expect_error(FILE_OF(ITEM("1", "") "," ITEM("1", "")),
	             "items[1]: id \"1\" is defined twice (also items[0])");
}

static void test_maps_to_nothing(void **state)
{
	(void)state;
	expect_error(FILE_OF(ITEM("1", "") "," ITEMX("2", "M", "[]", "[\"uk-psti:9\"]", "")),
	             "items[1]: maps_to[0]: \"uk-psti:9\" names no catalogue item");
	expect_error(FILE_OF(ITEMX("1", "M", "[]", "[\"no-colon\"]", "")),
	             "items[0]: maps_to[0]: expected a global id");
	expect_error(FILE_OF(ITEMX("1", "M", "[]", "[\"etsi-en-303-645:1\"]", "")),
	             "items[0]: maps_to[0]: an item cannot map to itself");
}

static void test_checks_entry_names_nothing(void **state)
{
	(void)state;
	expect_error(FILE_OF(ITEM("1", "") "," ITEMX("2", "M", "[\"t.nope\"]", "[]", "")),
	             "items[1]: checks[0]: \"t.nope\" names no check");
}

static void test_condition_rules(void **state)
{
	(void)state;
	expect_error(FILE_OF(ITEMX("1", "M C", "[]", "[]", "")),
	             "items[0]: level \"M C\" needs a \"condition\"");
	expect_error(FILE_OF(ITEM("1", ", \"condition\": {\"id\": \"k\", \"text\": \"t\"}")),
	             "items[0]: \"condition\" given for unconditional level");
	expect_error(FILE_OF(ITEMX("1", "R C", "[]", "[]", ", \"condition\": {\"id\": \"k\"}")),
	             "items[0].condition: missing \"text\"");
	expect_error(FILE_OF(ITEMX("1", "R C", "[]", "[]",
	                           ", \"condition\": {\"id\": \"Bad Key\", \"text\": \"t\"}")),
	             "items[0].condition: \"id\": expected a key");
	expect_error(FILE_OF(ITEM("1", ", \"v3\": {\"level\": \"M C\"}")),
	             "items[0].v3: level \"M C\" needs a \"condition\"");
}

static void test_structure_errors(void **state)
{
	(void)state;
	expect_error(FILE_OF(ITEM("1", ", \"colour\": \"red\"")),
	             "items[0]: unknown key \"colour\"");
	expect_error(
	        "{\"standard\": \"uk-psti\", \"title\": \"P\", \"items\": [" ITEM("1", "") "]}",
	        "items[0]: \"standard\": \"etsi-en-303-645\" differs");
	expect_error(FILE_OF(ITEMX("1", "M", "[\"t.one\", \"t.one\"]", "[]", "")),
	             "items[0]: checks[1]: \"t.one\" is listed twice");
	expect_error(FILE_OF(ITEM("1", ", \"parent\": \"7\"")),
	             "items[0]: parent: \"7\" names no other item");
	expect_error(FILE_OF(ITEM("1", ", \"derived_from\": [\"1\"]")),
	             "items[0]: derived_from[0]");
	expect_error(FILE_OF(ITEM("1", ", \"title\": 5")), "duplicate object key");
	expect_error("{\"standard\": \"etsi-en-303-645\", \"title\": \"E\", \"items\": []}",
	             "\"items\": expected a non-empty array");
	expect_error("{\"standard\": \"a:b\", \"title\": \"E\", \"items\": []}",
	             "\"standard\": expected a key");
	expect_error("[1, 2]", "expected an object");
}

static void test_bad_json_has_line(void **state)
{
	(void)state;
	struct built b;
	build(&b, 1, "catalogue/t.json", "{\n  \"standard\": \"x\",\n  \"title\": oops\n}");
	assert_int_equal(b.rc, -1);
	assert_int_equal(b.err.code, IT_ERR_INPUT);
	assert_string_equal(b.err.where, "catalogue/t.json");
	assert_int_equal(b.err.line, 3);
	built_free(&b);
}

static void test_duplicate_standard(void **state)
{
	(void)state;
	struct built b;
	build(&b, 2, "catalogue/a.json", FILE_OF(ITEM("1", "")), "catalogue/b.json",
	      FILE_OF(ITEM("2", "")));
	assert_int_equal(b.rc, -1);
	assert_string_equal(b.err.where, "catalogue/b.json");
	assert_non_null(strstr(b.err.message, "already defined by catalogue/a.json"));
	built_free(&b);
}

/* verify_checks: both directions of the agreement are enforced */
static void test_verify_disagreement(void **state)
{
	(void)state;
	struct built b;
	/* t.two names provision 2, but item 2 does not list it */
	build(&b, 1, "catalogue/e.json", FILE_OF(ITEMX("1", "M", ONE, "[]", "") "," ITEM("2", "")));
	assert_int_equal(b.rc, 0);
	assert_int_equal(it_catalogue_verify_checks(b.cat, &b.err), -1);
	assert_string_equal(b.err.where, "checks/t.json");
	assert_non_null(strstr(b.err.message, "checks[1].provisions[0]"));
	built_free(&b);
	/* item 1 lists t.two, which names only provision 2 */
	build(&b, 1, "catalogue/e.json",
	      FILE_OF(ITEMX("1", "M", "[\"t.one\", \"t.two\"]", "[]", "") "," ITEMX("2", "M", TWO,
	                                                                            "[]", "")));
	assert_int_equal(b.rc, 0);
	assert_int_equal(it_catalogue_verify_checks(b.cat, &b.err), -1);
	assert_string_equal(b.err.where, "catalogue/e.json");
	assert_non_null(strstr(b.err.message, "items[0].checks[1]: check \"t.two\" does not name"));
	built_free(&b);
}

/* Through the data set: a check added in a --data-dir that names a provision whose "checks"
 * list lacks it loads, and verify names the added file (which outlives the loader's list). */
static void test_data_dir_check_drift(void **state)
{
	(void)state;
	static const char extra[] = "{\"checks\": [{\"id\": \"zz.new\", \"title\": \"New\", "
	                            "\"severity\": \"low\", \"provisions\": [\"5.1-1\"]}]}";
	struct test_dir dir;
	struct it_error err = IT_ERROR_INIT;
	struct it_data *d = NULL;
	struct it_catalogue *cat = NULL;
	assert_int_equal(test_dir_open(&dir, "catalogue"), 0);
	assert_int_equal(test_put(dir.dir, "checks/zz.json", extra, strlen(extra), 0644), 0);
	assert_int_equal(it_data_open(&d, dir.dir, &err), 0);
	if (it_catalogue_load(&cat, d, &err) < 0)
		fail_msg("load: %s", err.message);
	assert_non_null(it_catalogue_check(cat, "zz.new"));
	assert_int_equal(it_catalogue_verify_checks(cat, &err), -1);
	assert_string_equal(err.where, "checks/zz.json");
	assert_non_null(strstr(err.message, "etsi-en-303-645:5.1-1, whose \"checks\" list"));
	it_error_clear(&err);
	it_catalogue_free(cat);
	it_data_close(d);
	test_dir_close(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_counts_per_standard),
	        cmocka_unit_test(test_mappings_symmetric),
	        cmocka_unit_test(test_checks_agree),
	        cmocka_unit_test(test_lookup),
	        cmocka_unit_test(test_resolve_transitive),
	        cmocka_unit_test(test_evidence),
	        cmocka_unit_test(test_valid_minimal),
	        cmocka_unit_test(test_unknown_level),
	        cmocka_unit_test(test_duplicate_id),
	        cmocka_unit_test(test_maps_to_nothing),
	        cmocka_unit_test(test_checks_entry_names_nothing),
	        cmocka_unit_test(test_condition_rules),
	        cmocka_unit_test(test_structure_errors),
	        cmocka_unit_test(test_bad_json_has_line),
	        cmocka_unit_test(test_duplicate_standard),
	        cmocka_unit_test(test_verify_disagreement),
	        cmocka_unit_test(test_data_dir_check_drift),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The inspection core: data files (built in, replaced from a directory), the
 * check catalogue's validation, redaction, and the canonical result of a scan
 * of a small real tar image.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "inspect/inspector.h"
#include "iotrust/data.h"
#include "iotrust/report.h"
#include "iotrust/scan.h"
#include "testutil.h"

static int count_name(void *user, const char *name)
{
	(void)name;
	(*(int *)user)++;
	return 0;
}

static void test_builtin_data(void **state)
{
	(void)state;
	struct it_data *d;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	assert_int_equal(it_data_open(&d, NULL, &err), 0);
	int n = 0;
	assert_int_equal(it_data_each(d, "checks/", count_name, &n, &err), 0);
	assert_true(n >= 6);
	assert_int_equal(it_data_read(d, "no/such.json", &b, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	it_error_clear(&err);
	assert_int_equal(it_data_read(d, "../etc/passwd", &b, &err), -1);
	it_error_clear(&err);
	it_buf_free(&b);
	it_data_close(d);
}

/* A directory replaces built-in files by name and adds new ones. */
static void test_data_dir_override(void **state)
{
	(void)state;
	struct test_dir t;
	assert_int_equal(test_dir_open(&t, "data"), 0);
	assert_int_equal(test_sh("mkdir -p %s/checks && printf '{\"checks\":[]}' > "
	                         "%s/checks/zz-extra.json",
	                         t.dir, t.dir),
	                 0);
	struct it_data *d;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	assert_int_equal(it_data_open(&d, t.dir, &err), 0);
	assert_int_equal(it_data_read(d, "checks/zz-extra.json", &b, &err), 0);
	assert_string_equal(it_buf_str(&b), "{\"checks\":[]}");
	int with = 0, without = 0;
	assert_int_equal(it_data_each(d, "checks/", count_name, &with, &err), 0);
	it_data_close(d);
	assert_int_equal(it_data_open(&d, NULL, &err), 0);
	assert_int_equal(it_data_each(d, "checks/", count_name, &without, &err), 0);
	assert_int_equal(with, without + 1);
	it_data_close(d);
	assert_int_equal(it_data_open(&d, "/nonexistent/dir", &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	it_error_clear(&err);
	it_buf_free(&b);
	test_dir_close(&t);
}

/* A broken catalogue file is an input error naming the file and what was expected. */
static void expect_catalogue_error(const char *json, const char *needle)
{
	struct test_dir t;
	assert_int_equal(test_dir_open(&t, "cat"), 0);
	struct it_buf path = IT_BUF_INIT;
	it_buf_printf(&path, "%s/checks", t.dir);
	assert_int_equal(test_sh("mkdir -p %s", it_buf_str(&path)), 0);
	it_buf_puts(&path, "/zz-bad.json");
	FILE *f = fopen(it_buf_str(&path), "w");
	assert_non_null(f);
	fputs(json, f);
	fclose(f);
	struct it_data *d;
	struct it_inspect *in = NULL;
	struct it_error err = IT_ERROR_INIT;
	struct it_inspect_options o;
	it_inspect_options_default(&o);
	assert_int_equal(it_data_open(&d, t.dir, &err), 0);
	o.data = d;
	assert_int_equal(it_inspect_new(&in, &o, &err), -1);
	assert_null(in);
	assert_int_equal(err.code, IT_ERR_INPUT);
	char *m = it_error_format(&err);
	if (!strstr(m, needle) || !strstr(m, "zz-bad.json")) {
		fprintf(stderr, "message: %s\nexpected: %s\n", m, needle);
		fail();
	}
	free(m);
	it_error_clear(&err);
	it_data_close(d);
	it_buf_free(&path);
	test_dir_close(&t);
}

static void test_catalogue_errors(void **state)
{
	(void)state;
	expect_catalogue_error("{\"checks\": [", "2");
	expect_catalogue_error("{\"nochecks\": []}", "\"checks\" array");
	expect_catalogue_error("{\"checks\": [{\"id\": \"x.y\", \"severity\": \"huge\", \"title\": "
	                       "\"t\", \"description\": \"d\", \"remediation\": \"r\", "
	                       "\"provisions\": []}]}",
	                       "severity");
	expect_catalogue_error("{\"checks\": [{\"id\": \"x.y\", \"severity\": \"low\"}]}",
	                       "checks[0].title");
	expect_catalogue_error("{\"checks\": [{\"id\": \"x.y\", \"severity\": \"low\", \"title\": "
	                       "\"t\", \"description\": \"d\", \"remediation\": \"r\", "
	                       "\"provisions\": [5]}]}",
	                       "provisions[0]");
	/* an id defined twice (here: again in a second file) */
	expect_catalogue_error("{\"checks\": [{\"id\": \"cred.weak-hash\", \"severity\": \"low\", "
	                       "\"title\": \"t\", \"description\": \"d\", \"remediation\": "
	                       "\"r\", \"provisions\": []}]}",
	                       "defined twice");
}

/* Every id an inspector may report is in the catalogue (it_inspect_new checks),
 * and every catalogue entry has provisions and a remediation. */
static void test_catalogue_complete(void **state)
{
	(void)state;
	struct it_data *d;
	struct it_inspect *in;
	struct it_error err = IT_ERROR_INIT;
	struct it_inspect_options o;
	it_inspect_options_default(&o);
	assert_int_equal(it_data_open(&d, NULL, &err), 0);
	o.data = d;
	assert_int_equal(it_inspect_new(&in, &o, &err), 0);
	assert_true(it_inspect_check_count(in) >= 41); /* the ids issue 4 names */
	for (size_t i = 0; i < it_inspect_check_count(in); i++) {
		const struct it_check *c = it_inspect_check(in, i);
		assert_non_null(c->provisions);
		assert_non_null(c->provisions[0]);
		assert_true(strlen(c->remediation) > 10);
		assert_ptr_equal(it_inspect_check_find(in, c->id), c);
	}
	struct it_finding_loc loc = {"t", "etc/x", 0};
	assert_int_equal(it_inspect_report(in, "no.such-check", -1, &loc, NULL, &err, "x"), -1);
	assert_int_equal(err.code, IT_ERR_INTERNAL);
	it_error_clear(&err);
	/* an empty image: finishing with no findings and no components is fine */
	assert_int_equal(it_inspect_finish(in, &err), 0);
	assert_int_equal(it_inspect_finding_count(in), 0);
	it_inspect_free(in);
	it_data_close(d);
}

static void test_redact(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	it_redact(&b, "SuperSecret123", 14);
	assert_null(strstr(it_buf_str(&b), "Secret"));
	assert_non_null(strstr(it_buf_str(&b), "14 chars"));
	it_buf_truncate(&b, 0);
	it_redact(&b, "admin", 5); /* short secrets keep nothing */
	assert_null(strstr(it_buf_str(&b), "ad"));
	it_buf_free(&b);
}

/* it_scan over a real tar: result JSON has the image digest and stats, the
 * json writer round-trips, and an unknown format is a usage error. */
static void test_scan_result(void **state)
{
	(void)state;
	struct test_dir t;
	assert_int_equal(test_dir_open(&t, "scan"), 0);
	assert_int_equal(test_sh("mkdir -p %s/root/etc && printf 'hello\\n' > %s/root/etc/motd && "
	                         "tar -C %s/root --owner=0 --group=0 -cf %s/img.tar . && "
	                         "sha256sum %s/img.tar | cut -c1-64 > %s/sum",
	                         t.dir, t.dir, t.dir, t.dir, t.dir, t.dir),
	                 0);
	struct it_buf path = IT_BUF_INIT, sum = IT_BUF_INIT, out = IT_BUF_INIT;
	it_buf_printf(&path, "%s/sum", t.dir);
	assert_int_equal(read_file(it_buf_str(&path), &sum), 0);
	it_buf_truncate(&path, 0);
	it_buf_printf(&path, "%s/img.tar", t.dir);

	struct it_data *d;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_data_open(&d, NULL, &err), 0);
	struct it_scan_options o;
	it_scan_options_default(&o);
	o.data = d;
	o.now = 1700000000;
	struct it_scan_result *r;
	assert_int_equal(it_scan(it_buf_str(&path), &o, &r, &err), 0);
	assert_string_equal(r->image_name, "img.tar");
	assert_memory_equal(r->image_sha256, sum.data, 64);
	json_t *doc = it_scan_result_json(r, &err);
	assert_non_null(doc);
	assert_string_equal(
	        json_string_value(json_object_get(json_object_get(doc, "image"), "scanned_at")),
	        "2023-11-14T22:13:20Z");
	assert_int_equal(
	        json_integer_value(json_object_get(json_object_get(doc, "stats"), "entries")),
	        2); /* etc, etc/motd */
	assert_int_equal(it_report_write(doc, "json", &out, &err), 0);
	json_t *back = json_loadb((const char *)out.data, out.len, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(doc, back));
	assert_int_equal(it_report_write(doc, "yaml", &out, &err), -1);
	assert_int_equal(err.code, IT_ERR_USAGE);
	it_error_clear(&err);
	json_decref(back);
	json_decref(doc);
	it_scan_result_free(r);

	/* a missing image: no result, an input error naming it */
	it_buf_puts(&path, ".missing");
	assert_int_equal(it_scan(it_buf_str(&path), &o, &r, &err), -1);
	assert_null(r);
	assert_int_equal(err.code, IT_ERR_INPUT);
	it_error_clear(&err);
	it_data_close(d);
	it_buf_free(&path);
	it_buf_free(&sum);
	it_buf_free(&out);
	test_dir_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_builtin_data),     cmocka_unit_test(test_data_dir_override),
	        cmocka_unit_test(test_catalogue_errors), cmocka_unit_test(test_catalogue_complete),
	        cmocka_unit_test(test_redact),           cmocka_unit_test(test_scan_result),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

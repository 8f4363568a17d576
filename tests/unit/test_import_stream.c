/*
 * Tests of the element-by-element reading of large NVD pages (src/vulndb/stream.c) and of
 * the import driver's use of it: the same records as a whole-document parse, syntax
 * errors located in the whole text, the records before an error kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "iotrust/store.h"
#include "iotrust/vulndb.h"
#include "vulndb/importer.h"
#include "vulndb/stream.h"

struct seen {
	size_t n, stop_at;
	struct it_buf log; /* "index@offset:id " per element */
};

static int accept_nvd(const json_t *item)
{
	return it_nvd_is_item(item);
}

static int on_item(void *user, json_t *item, size_t index, size_t offset)
{
	struct seen *s = user;
	const char *id = json_string_value(json_object_get(json_object_get(item, "cve"), "id"));
	it_buf_printf(&s->log, "%zu@%zu:%s ", index, offset, id ? id : "-");
	return ++s->n == s->stop_at ? -1 : 0;
}

static int walk(const char *text, struct seen *s, struct it_json_where *w)
{
	memset(w, 0, sizeof(*w));
	return it_json_stream_array(text, strlen(text), "vulnerabilities", accept_nvd, on_item, s,
	                            w);
}

static void test_walk(void **state)
{
	(void)state;
	struct seen s = {0};
	struct it_json_where w;
	const char *doc = "{\"resultsPerPage\": 2000, \"format\":\"NVD_CVE\",\n"
	                  " \"vulnerabilities\" : [ {\"cve\":{\"id\":\"A\"}} ,{\"cve\":{}}],"
	                  "\"later\": [1, {\"x\": null}], \"n\": -1.5e3 }\n";
	assert_int_equal(walk(doc, &s, &w), 1);
	assert_int_equal(s.n, 2);
	/* offsets point at each element's first byte */
	char want[64];
	snprintf(want, sizeof(want), "0@%zu:A 1@%zu:- ",
	         (size_t)(strstr(doc, "{\"cve\":{\"id") - doc),
	         (size_t)(strstr(doc, ",{\"cve\":{}}") - doc + 1));
	assert_string_equal(it_buf_str(&s.log), want);
	it_buf_free(&s.log);
}

/* Not the streamed shape: each() is never called, the caller parses the whole document. */
static void test_other_shapes(void **state)
{
	(void)state;
	const char *docs[] = {
	        ("{\"document\":{\"csaf_version\":\"2.0\"},\"vulnerabilities\":[{\"cve\":\"CVE-1\"}"
	         "]"
	         "}"),
	        "{\"id\":\"OSV-1\",\"modified\":\"2024-01-01T00:00:00Z\"}",
	        "{\"vulnerabilities\":[]}",
	        "{\"vulnerabilities\":{\"cve\":{}}}",
	        "[{\"cve\":{}}]",
	        "{\"vulnerabilities\" [{\"cve\":{}}]}",
	        "{\"a\": tru, \"vulnerabilities\":[{\"cve\":{}}]}",
	        "{\"vulnerabilities\":[{\"cve\":{},]}",
	        "",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct seen s = {0};
		struct it_json_where w;
		assert_int_equal(walk(docs[i], &s, &w), 0);
		assert_int_equal(s.n, 0);
		it_buf_free(&s.log);
	}
}

static void test_syntax_after_first(void **state)
{
	(void)state;
	struct seen s = {0};
	struct it_json_where w;
	const char *doc =
	        "{\"vulnerabilities\":[{\"cve\":{\"id\":\"A\"}},\n{\"cve\":{\"id\":\"B\"}},\n"
	        "{\"cve\":{\"id\":]}";
	assert_int_equal(walk(doc, &s, &w), -1);
	assert_int_equal(s.n, 2); /* the elements before the error were handed over */
	assert_int_equal(w.line, 3);
	assert_true(w.offset > strlen("{\"vulnerabilities\":[") && w.offset <= strlen(doc));
	assert_true(w.msg[0] != '\0');
	it_buf_free(&s.log);

	const char *tails[] = {
	        "{\"vulnerabilities\":[{\"cve\":{}}] x",             /* no '}' */
	        "{\"vulnerabilities\":[{\"cve\":{}}]} trailing",     /* data after the object */
	        "{\"vulnerabilities\":[{\"cve\":{}} {\"cve\":{}}]}", /* no comma */
	        "{\"vulnerabilities\":[{\"cve\":{}}], 3: 4}", /* a member name that is no string */
	        "{\"vulnerabilities\":[{\"cve\":{}}",         /* truncated */
	};
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		struct seen t = {0};
		assert_int_equal(walk(tails[i], &t, &w), -1);
		assert_int_equal(t.n, 1);
		assert_int_equal(w.line, 1);
		it_buf_free(&t.log);
	}
}

static void test_each_stops(void **state)
{
	(void)state;
	struct seen s = {.stop_at = 2};
	struct it_json_where w;
	assert_int_equal(
	        walk("{\"vulnerabilities\":[{\"cve\":{}},{\"cve\":{}},{\"cve\":{}}]}", &s, &w), -2);
	assert_int_equal(s.n, 2);
	it_buf_free(&s.log);
}

/* --- through the import driver, on pages large enough to be streamed --------------- */

/* An NVD page of n records CVE-2099-<i>, each a real-shaped record with a range. */
static void page(struct it_buf *b, size_t n)
{
	it_buf_puts(b, "{\"resultsPerPage\":1,\"startIndex\":0,\"totalResults\":1,"
	               "\"format\":\"NVD_CVE\",\"version\":\"2.0\",\"vulnerabilities\":[");
	for (size_t i = 0; i < n; i++)
		it_buf_printf(
		        b,
		        "%s\n{\"cve\":{\"id\":\"CVE-2099-%05zu\",\"published\":\"2099-01-01T00:00:"
		        "00.000\","
		        "\"lastModified\":\"2099-01-02T00:00:00.000\",\"vulnStatus\":\"Analyzed\","
		        "\"descriptions\":[{\"lang\":\"en\",\"value\":\"record %zu of a streamed "
		        "page, "
		        "padded to a realistic size with a description that goes on for a "
		        "while\"}],"
		        "\"references\":[{\"url\":\"https://example.org/advisory/%zu\",\"source\":"
		        "\"x\"}],\"configurations\":[{\"nodes\":[{\"operator\":\"OR\",\"negate\":"
		        "false,"
		        "\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:acme:tool%zu:*"
		        ":*:*:*:"
		        "*:*:*:*\",\"versionEndExcluding\":\"2.%zu\",\"matchCriteriaId\":\"M%zu\"}]"
		        "}]}]}}",
		        i ? "," : "", i, i, i, i, i % 7, i);
	it_buf_puts(b, "]}");
}

struct bad_log {
	size_t n;
	char where[128];
};

static void on_malformed(void *user, const char *file, const char *where, const char *msg)
{
	struct bad_log *l = user;
	(void)file;
	(void)msg;
	if (l->n++ == 0)
		snprintf(l->where, sizeof(l->where), "%s", where);
}

static struct it_store *fresh_store(char *path, size_t size)
{
	struct it_store *s;
	struct it_error err = IT_ERROR_INIT;
	snprintf(path, size, "/tmp/iotrust-stream-%d.db", (int)getpid());
	unlink(path);
	assert_int_equal(it_store_open(&s, path, NULL, &err), 0);
	return s;
}

static void drop_store(struct it_store *s, const char *path)
{
	char other[96];
	it_store_close(s);
	unlink(path);
	snprintf(other, sizeof(other), "%s-wal", path);
	unlink(other);
	snprintf(other, sizeof(other), "%s-shm", path);
	unlink(other);
}

static void test_driver_streams_large_pages(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	page(&b, 1200); /* > 256 KiB: streamed */
	assert_true(b.len > (256u << 10));
	char path[64];
	struct it_store *s = fresh_store(path, sizeof(path));
	struct it_import_stats st = {0};
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_import_memory(s, "page.json", b.data, b.len, NULL, &st, &err), 0);
	assert_int_equal(st.inserted, 1200);
	assert_int_equal(st.malformed, 0);

	/* the same records as the whole-document importer makes */
	struct it_buf rec = IT_BUF_INIT;
	assert_int_equal(it_store_get_vuln(s, "CVE-2099-01199", &rec, &err), 1);
	json_t *r = json_loadb((const char *)rec.data, rec.len, 0, NULL);
	json_t *row = json_array_get(json_object_get(r, "affected"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "name")), "tool1199");
	assert_string_equal(json_string_value(json_object_get(row, "end")), "2.2");
	json_decref(r);
	it_buf_free(&rec);

	/* again: all unchanged */
	memset(&st, 0, sizeof(st));
	assert_int_equal(it_import_memory(s, "page.json", b.data, b.len, NULL, &st, &err), 0);
	assert_int_equal(st.unchanged, 1200);
	drop_store(s, path);
	it_buf_free(&b);
}

/* A download cut in the middle: the complete records before the cut are imported, the
 * cut is one malformed document located by line and byte, exit-code material. */
static void test_driver_truncated_page(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	page(&b, 1200);
	const char *cut = strstr((const char *)b.data, "CVE-2099-01000");
	assert_non_null(cut);
	size_t len = (size_t)(cut - (const char *)b.data) + 20;
	char path[64];
	struct it_store *s = fresh_store(path, sizeof(path));
	struct it_import_stats st = {0};
	struct bad_log bad = {0};
	struct it_import_options o;
	it_import_options_default(&o);
	o.on_malformed = on_malformed;
	o.user = &bad;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_import_memory(s, "cut.json", b.data, len, &o, &st, &err), 0);
	assert_int_equal(st.inserted, 1000);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(bad.n, 1);
	char want[64];
	snprintf(want, sizeof(want), "line 1002 column ");
	assert_non_null(strstr(bad.where, want));
	assert_non_null(strstr(bad.where, "(byte "));
	drop_store(s, path);
	it_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_walk),
	        cmocka_unit_test(test_other_shapes),
	        cmocka_unit_test(test_syntax_after_first),
	        cmocka_unit_test(test_each_stops),
	        cmocka_unit_test(test_driver_streams_large_pages),
	        cmocka_unit_test(test_driver_truncated_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

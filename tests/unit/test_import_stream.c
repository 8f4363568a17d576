/*
 * Tests of the NVD page reader that works straight from the text (it_nvd_stream, yajl
 * events) and of the import driver's use of it: the same records, rows, briefs and reports
 * as the whole-document importer, other documents left alone, syntax errors located in the
 * whole text, the records before an error kept.
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

#include "testutil.h"

/* Everything a sink is told, in order: "vuln <json> <brief> <rows>", "bad <where>: <msg>",
 * "skip <id>: <why>". */
struct seen {
	size_t n, stop_at;
	struct it_buf log;
};

static int on_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	struct seen *s = user;
	it_buf_printf(&s->log, "vuln %s %s %s %.3f\n%s\n%s\n", v->id, v->modified,
	              v->severity ? v->severity : "-", v->score, v->json,
	              v->brief ? v->brief : "(no brief)");
	for (size_t i = 0; i < v->n_rows; i++) {
		const struct it_store_row *r = &v->rows[i];
		it_buf_printf(&s->log, " row %s:%s %s %s %s%d %s%d %s %s %d\n", r->ns, r->name,
		              r->cpe ? r->cpe : "-", r->version ? r->version : "-",
		              r->start ? r->start : "-", r->start_incl, r->end ? r->end : "-",
		              r->end_incl, r->fixed ? r->fixed : "-",
		              r->platform ? r->platform : "-", r->negate);
	}
	if (++s->n == s->stop_at)
		return it_error_set(err, IT_ERR_IO, "sink", IT_NO_OFFSET, "stop");
	return 0;
}

static void on_bad(void *user, const char *where, const char *msg)
{
	struct seen *s = user;
	it_buf_printf(&s->log, "bad %s: %s\n", where, msg);
}

static void on_skip(void *user, const char *id, const char *why)
{
	struct seen *s = user;
	it_buf_printf(&s->log, "skip %s: %s\n", id, why);
}

static int walk(const char *text, struct seen *s, struct it_json_where *w)
{
	struct it_import_sink sink = {on_vuln, NULL, on_bad, on_skip, s};
	struct it_error err = IT_ERROR_INIT;
	memset(w, 0, sizeof(*w));
	int rc = it_nvd_stream(text, strlen(text), "dir/page.json", &sink, w, &err);
	it_error_clear(&err);
	return rc;
}

/* The whole document parsed by jansson and read by it_import_nvd. */
static int whole(const char *text, struct seen *s)
{
	struct it_import_sink sink = {on_vuln, NULL, on_bad, on_skip, s};
	struct it_error err = IT_ERROR_INIT;
	json_t *doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	int rc = it_import_nvd(doc, "dir/page.json", &sink, &err);
	json_decref(doc);
	it_error_clear(&err);
	return rc;
}

static void test_walk(void **state)
{
	(void)state;
	struct seen s = {0};
	struct it_json_where w;
	const char *doc = "{\"resultsPerPage\": 2000, \"format\":\"NVD_CVE\",\n"
	                  " \"vulnerabilities\" : [ {\"cve\":{\"id\":\"A\"}} ,{\"cve\":{}}, 7,"
	                  " {\"x\": 1}],\"later\": [1, {\"x\": null}], \"n\": -1.5e3 }\n";
	assert_int_equal(walk(doc, &s, &w), 1);
	assert_string_equal(it_buf_str(&s.log),
	                    "bad vulnerabilities[0].cve.lastModified: a string is required\n"
	                    "bad vulnerabilities[1].cve.id: a string is required\n"
	                    "bad vulnerabilities[2]: expected an item {\"cve\": {...}}\n"
	                    "bad vulnerabilities[3].cve: an NVD cve object is required\n");
	it_buf_free(&s.log);
}

/* Streamed and parsed whole, a page gives the same records, rows, briefs and reports. */
static void test_same_as_whole(void **state)
{
	(void)state;
	const char *doc =
	        "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2024-1\",\"lastModified\":"
	        "\"2024-05-01T10:00:00.000\",\"published\":\"2024-01-01T00:00:00+02:00\","
	        "\"vulnStatus\":\"Analyzed\",\"descriptions\":[{\"lang\":\"es\",\"value\":\"uno\"},"
	        "{\"lang\":\"en\",\"value\":\"one \\\"quoted\\\" \\u00e9\"}],"
	        "\"metrics\":{\"cvssMetricV2\":[{\"source\":\"nvd@nist.gov\",\"type\":\"Primary\","
	        "\"cvssData\":{\"vectorString\":\"AV:N\",\"baseScore\":10},\"baseSeverity\":"
	        "\"MEDIUM\"}],\"cvssMetricV31\":[{\"source\":\"x\",\"type\":\"Secondary\","
	        "\"cvssData\":{\"vectorString\":\"CVSS:3.1/AV:N\",\"baseScore\":9.8,"
	        "\"baseSeverity\":\"CRITICAL\"}},{\"source\":\"nvd\",\"type\":\"Primary\","
	        "\"cvssData\":{\"vectorString\":\"CVSS:3.1/AV:L\",\"baseScore\":7}}]},"
	        "\"weaknesses\":[{\"description\":[{\"value\":\"CWE-79\"},{\"value\":"
	        "\"NVD-CWE-Other\"},{\"value\":\"CWE-79\"}]}],\"references\":[{\"url\":"
	        "\"https://e/1\",\"tags\":[\"Patch\"]},{\"url\":\"https://e/2\"}],"
	        "\"cisaExploitAdd\":\"2024-02-02\",\"configurations\":[{\"operator\":\"AND\","
	        "\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":"
	        "\"cpe:2.3:a:Acme:Tool:*:*:*:*:*:*:*:*\",\"versionStartIncluding\":\"1.0\","
	        "\"versionEndExcluding\":\"1.4\",\"matchCriteriaId\":\"M1\"}]},{\"negate\":true,"
	        "\"cpeMatch\":[{\"vulnerable\":false,\"criteria\":\"cpe:2.3:h:acme:board:-:*:*:*:*"
	        ":*:*:*\"}]}]},{\"nodes\":[{\"children\":[{\"cpeMatch\":[{\"vulnerable\":true,"
	        "\"criteria\":\"cpe:2.3:o:acme:os:2.1:p1:*:*:*:*:*:*\"}]}]}]}]}},"
	        "{\"cve\":{\"id\":\"CVE-2024-2\",\"lastModified\":\"2024-05-01\",\"vulnStatus\":"
	        "\"Rejected\"}},"
	        "{\"cve\":{\"id\":\"CVE-2024-3\",\"lastModified\":\"2024-05-01\",\"vulnStatus\":"
	        "\"Received\"}},"
	        "{\"cve\":{\"id\":\"CVE-2024-4\",\"lastModified\":\"2024-05-01\","
	        "\"configurations\":"
	        "[{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:*:x:1:*:"
	        "*:"
	        "*:*:*:*:*\"}]}]}]}},"
	        "{\"cve\":{\"id\":\"CVE-2024-5\",\"lastModified\":\"2024-05-01\",\"metrics\":"
	        "{\"cvssMetricV31\":[{\"cvssData\":{\"vectorString\":\"V\",\"baseScore\":11}}]}}},"
	        "{\"cve\":{\"id\":\"CVE-2024-6\",\"lastModified\":\"2024-05-01\","
	        "\"configurations\":"
	        "[{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:b:c:1:*:"
	        "*:"
	        "*:*:*:*:*\",\"versionEndIncluding\":\"2\",\"versionEndExcluding\":\"3\"}]}]}]}}"
	        "]}";
	struct seen a = {0}, b = {0};
	struct it_json_where w;
	assert_int_equal(walk(doc, &a, &w), 1);
	assert_int_equal(whole(doc, &b), 0);
	assert_string_equal(it_buf_str(&a.log), it_buf_str(&b.log));
	/* and what that is */
	const char *log = it_buf_str(&a.log);
	assert_non_null(strstr(log, "vuln CVE-2024-1 2024-05-01T10:00:00.000Z high 7.000\n"));
	assert_non_null(strstr(log, "\"published\":\"2023-12-31T22:00:00.000Z\""));
	assert_non_null(strstr(log, "\"summary\":\"one \\\"quoted\\\" \xc3\xa9\""));
	assert_non_null(strstr(log, "\"score\":7.0,\"severity\":\"high\",\"cwes\":[\"CWE-79\"]"));
	/* scores in their shortest form, always with a fraction */
	assert_non_null(strstr(log, "\"score\":9.8,\"severity\":\"critical\""));
	assert_non_null(strstr(log, "\"score\":10.0,\"severity\":\"medium\""));
	assert_non_null(strstr(log, "{\"source\":\"nvd\",\"aliases\":null,\"summary\":\"one"));
	assert_non_null(strstr(log, " row acme:tool cpe:2.3:a:Acme:Tool:*:*:*:*:*:*:*:* - 1.01 "
	                            "1.40 1.4 !cpe:2.3:h:acme:board:-:*:*:*:*:*:*:* 0\n"));
	assert_non_null(strstr(log, " row acme:os cpe:2.3:o:acme:os:2.1:p1:*:*:*:*:*:* 2.1p1"));
	assert_non_null(strstr(log, "vuln CVE-2024-2 2024-05-01T00:00:00.000Z - -1.000\n"));
	assert_non_null(strstr(log, "skip CVE-2024-3: no configurations (vulnStatus "
	                            "\"Received\")\n"));
	assert_non_null(strstr(log, "skip CVE-2024-4: no usable CPE: 1 vulnerable CPEs"));
	assert_non_null(strstr(log, "bad vulnerabilities[4].cve.metrics.cvssMetricV31[0].cvssData."
	                            "baseScore: expected a number from 0 to 10\n"));
	assert_non_null(strstr(log, "bad vulnerabilities[5].cve.configurations[0].nodes[0]."
	                            "cpeMatch[0].versionEndExcluding: versionEndIncluding and "
	                            "versionEndExcluding exclude each other\n"));
	it_buf_free(&a.log);
	it_buf_free(&b.log);
}

/* A member given twice: JSON parsers disagree on which one counts, so the record is
 * malformed. */
static void test_duplicate_member(void **state)
{
	(void)state;
	struct seen s = {0};
	struct it_json_where w;
	assert_int_equal(
	        walk("{\"vulnerabilities\":[{\"cve\":{\"id\":\"A\",\"lastModified\":\"2024-01-01\","
	             "\"configurations\":[{\"nodes\":[{\"cpeMatch\":[{\"vulnerable\":true,"
	             "\"criteria\":\"cpe:2.3:a:b:c:1:*:*:*:*:*:*:*\",\"criteria\":\"cpe:2.3:a:b:d:"
	             "1:*:*:*:*:*:*:*\"}]}]}],\"id\":\"B\"}}]}",
	             &s, &w),
	        1);
	assert_string_equal(it_buf_str(&s.log),
	                    "bad vulnerabilities[0].cve.configurations[0].nodes[0].cpeMatch[0]."
	                    "criteria: duplicate member\n");
	it_buf_free(&s.log);
}

/* Not an NVD page: nothing is emitted, the caller parses the whole document. */
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
	        "{\"vulnerabilities\":[7, {\"cve\":{}}]}",
	        "[{\"cve\":{}}]",
	        "{\"vulnerabilities\" [{\"cve\":{}}]}",
	        "{\"a\": tru, \"vulnerabilities\":[{\"cve\":{}}]}",
	        "{\"vulnerabilities\":[{\"x\" 1, \"cve\":{}}]}",
	        "",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct seen s = {0};
		struct it_json_where w;
		assert_int_equal(walk(docs[i], &s, &w), 0);
		assert_int_equal(s.log.len, 0);
		it_buf_free(&s.log);
	}
}

/* A record complete before the error is kept. */
#define REC(id)                                                                                    \
	"{\"cve\":{\"id\":\"" id                                                                   \
	"\",\"lastModified\":\"2024-01-01\",\"configurations\":[{\"nodes\":"                       \
	"[{\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:b:c:1:*:*:*:*:*:*:*\"}]}]}" \
	"]}}"

static void test_syntax_after_first(void **state)
{
	(void)state;
	struct seen s = {0};
	struct it_json_where w;
	const char *doc = "{\"vulnerabilities\":[" REC("A") ",\n" REC("B") ",\n{\"cve\":{\"id\":]}";
	assert_int_equal(walk(doc, &s, &w), -1);
	assert_int_equal(s.n, 2); /* the records before the error were emitted */
	assert_int_equal(w.line, 3);
	assert_true(w.offset > strlen("{\"vulnerabilities\":[") && w.offset <= strlen(doc));
	assert_true(w.msg[0] != '\0');
	it_buf_free(&s.log);

	/* the first item's cve object makes it an NVD page: an error after it is one too */
	struct seen u = {0};
	assert_int_equal(walk("{\"vulnerabilities\":[{\"cve\":{},]}", &u, &w), -1);
	assert_string_equal(it_buf_str(&u.log), "bad vulnerabilities[0].cve.id: a string is "
	                                        "required\n");
	it_buf_free(&u.log);

	const char *tails[] = {
	        "{\"vulnerabilities\":[" REC("A") "] x",             /* no '}' */
	        "{\"vulnerabilities\":[" REC("A") "]} trailing",     /* data after the object */
	        "{\"vulnerabilities\":[" REC("A") " " REC("B") "]}", /* no comma */
	        "{\"vulnerabilities\":[" REC("A") "], 3: 4}", /* a member name that is no string */
	        "{\"vulnerabilities\":[" REC("A"),            /* truncated */
	};
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		struct seen t = {0};
		assert_int_equal(walk(tails[i], &t, &w), -1);
		assert_int_equal(t.n, 1);
		assert_int_equal(w.line, 1);
		assert_true(w.offset <= strlen(tails[i]));
		it_buf_free(&t.log);
	}
}

static void test_sink_stops(void **state)
{
	(void)state;
	struct seen s = {.stop_at = 2};
	struct it_json_where w;
	assert_int_equal(
	        walk("{\"vulnerabilities\":[" REC("A") "," REC("B") "," REC("C") "]}", &s, &w), -2);
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

/* Import data into a fresh store (left open), malformed records logged into bad. */
static struct it_store *import_logged(char *path, size_t size, const char *name,
                                      const uint8_t *data, size_t len, struct it_import_stats *st,
                                      struct bad_log *bad)
{
	struct it_store *s = fresh_store(path, size);
	struct it_import_options o;
	it_import_options_default(&o);
	o.on_malformed = on_malformed;
	o.user = bad;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_import_memory(s, name, data, len, &o, st, &err), 0);
	return s;
}

/* A record the store would refuse (a control character in a version) and one whose
 * platform would outgrow a store field, in a streamed page: the first is malformed with its
 * path, the second stored with its platform cut and flagged, every other record stored. */
static void test_driver_store_limits(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	page(&b, 1200);
	char *v = strstr((char *)b.data, "\"CVE-2099-00005\"");
	assert_non_null(v);
	v = strstr(v, "\"versionEndExcluding\":\"2.5\"");
	assert_non_null(v);
	memcpy(v + strlen("\"versionEndExcluding\":\""), "2\\t", 3); /* "2\t": an escape */
	/* then a record with an AND of one vulnerable CPE and 100 long platform CPEs */
	it_buf_truncate(&b, b.len - 2);
	it_buf_puts(&b,
	            ",{\"cve\":{\"id\":\"CVE-2099-99999\",\"lastModified\":\"2099-01-02\","
	            "\"configurations\":[{\"operator\":\"AND\",\"nodes\":[{\"cpeMatch\":[{"
	            "\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:acme:big:1.0:*:*:*:*:*:*:*\"}]},"
	            "{\"cpeMatch\":[");
	for (int i = 0; i < 100; i++) {
		it_buf_printf(
		        &b,
		        "%s{\"vulnerable\":false,\"criteria\":\"cpe:2.3:h:acme:board%03d%0900d"
		        ":-:*:*:*:*:*:*:*\"}",
		        i ? "," : "", i, 0);
	}
	it_buf_puts(&b, "]}]}]}}]}");
	char path[64];
	struct it_import_stats st = {0};
	struct bad_log bad = {0};
	struct it_error err = IT_ERROR_INIT;
	struct it_store *s =
	        import_logged(path, sizeof(path), "limits.json", b.data, b.len, &st, &bad);
	assert_int_equal(st.inserted, 1200);
	assert_int_equal(st.malformed, 1);
	assert_string_equal(bad.where, "vulnerabilities[5].cve.configurations[0].nodes[0]."
	                               "cpeMatch[0].versionEndExcluding");
	struct it_buf rec = IT_BUF_INIT;
	assert_int_equal(it_store_get_vuln(s, "CVE-2099-99999", &rec, &err), 1);
	json_t *r = json_loadb((const char *)rec.data, rec.len, 0, NULL);
	json_t *row = json_array_get(json_object_get(r, "affected"), 0);
	assert_true(json_is_true(json_object_get(row, "platform_truncated")));
	assert_true(strlen(json_string_value(json_object_get(row, "platform"))) <= 60 << 10);
	json_decref(r);
	it_buf_free(&rec);
	drop_store(s, path);
	it_buf_free(&b);
}

/* Many documents of every format through the one writer thread: OSV, CSAF and KEV files
 * (KEV entries are queued with the records), counted as the store wrote them. Under
 * ThreadSanitizer in `make check-tsan`. */
static void test_driver_many_documents(void **state)
{
	(void)state;
	char osv[4096], csaf[4096], kev_dir[4096];
	snprintf(osv, sizeof osv, "%s", test_data("vulndb/osv"));
	snprintf(csaf, sizeof csaf, "%s", test_data("vulndb/csaf"));
	snprintf(kev_dir, sizeof kev_dir, "%s", test_data("vulndb/kev"));
	const char *paths[] = {osv, csaf, kev_dir};
	char path[64];
	struct it_store *s = fresh_store(path, sizeof(path));
	struct it_import_stats st = {0};
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_import_paths(s, paths, 3, NULL, &st, &err), 0);
	assert_int_equal(st.files, 42);
	assert_int_equal(st.records, 50);
	assert_int_equal(st.kev, 200);
	assert_int_equal(st.malformed, 10);
	struct it_buf kev = IT_BUF_INIT;
	assert_int_equal(it_store_get_kev(s, "CVE-2025-48384", &kev, &err), 1);
	it_buf_free(&kev);
	/* again: every record unchanged */
	memset(&st, 0, sizeof(st));
	assert_int_equal(it_import_paths(s, paths, 3, NULL, &st, &err), 0);
	assert_int_equal(st.unchanged, 50);
	drop_store(s, path);
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
	struct it_import_stats st = {0};
	struct bad_log bad = {0};
	struct it_store *s = import_logged(path, sizeof(path), "cut.json", b.data, len, &st, &bad);
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
	        cmocka_unit_test(test_same_as_whole),
	        cmocka_unit_test(test_duplicate_member),
	        cmocka_unit_test(test_other_shapes),
	        cmocka_unit_test(test_syntax_after_first),
	        cmocka_unit_test(test_sink_stops),
	        cmocka_unit_test(test_driver_streams_large_pages),
	        cmocka_unit_test(test_driver_store_limits),
	        cmocka_unit_test(test_driver_many_documents),
	        cmocka_unit_test(test_driver_truncated_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

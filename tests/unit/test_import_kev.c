/*
 * The CISA KEV importer on the real catalogue (its first 200 entries, and its JSON schema,
 * in tests/data/vulndb/kev): counts and fields, the schema's required members, hand-made
 * bad entries reported with their exact paths while the rest import, and documents of the
 * wrong shape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "testvulndb.h"
#include "vulndb/importer.h"

#define CATALOGUE "vulndb/kev/known_exploited_vulnerabilities-first200.json"

struct log {
	json_t *entries;   /* every it_store_kev as a JSON object */
	struct it_buf bad; /* "<where>: <msg>" per malformed entry */
	size_t stop_after;
	struct it_error err;
	int rc;
};

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int on_kev(void *user, const struct it_store_kev *k, struct it_error *err)
{
	struct log *l = user;
	if (l->stop_after && json_array_size(l->entries) >= l->stop_after)
		return it_error_set(err, IT_ERR_CANCELLED, NULL, IT_NO_OFFSET, "stop");
	json_t *e = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "cve",
	                      str_or_null(k->cve), "vendor", str_or_null(k->vendor), "product",
	                      str_or_null(k->product), "name", str_or_null(k->name), "date_added",
	                      str_or_null(k->date_added), "due_date", str_or_null(k->due_date),
	                      "action", str_or_null(k->action), "ransomware",
	                      str_or_null(k->ransomware), "notes", str_or_null(k->notes));
	assert_non_null(e);
	json_array_append_new(l->entries, e);
	return 0;
}

static int on_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	(void)user;
	(void)v;
	(void)err;
	fail_msg("the KEV importer emitted a vulnerability record");
	return -1;
}

static void on_bad(void *user, const char *where, const char *msg)
{
	struct log *l = user;
	it_buf_printf(&l->bad, "%s: %s\n", where, msg);
}

static void run(struct log *l, json_t *doc, const char *file)
{
	memset(l, 0, sizeof(*l));
	l->entries = json_array();
	l->err = (struct it_error)IT_ERROR_INIT;
	struct it_import_sink sink = {on_vuln, on_kev, on_bad, NULL, l};
	l->rc = it_import_kev(doc, file, &sink, &l->err);
}

static void log_free(struct log *l)
{
	json_decref(l->entries);
	it_buf_free(&l->bad);
	it_error_clear(&l->err);
}

static const char *field(json_t *entries, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(entries, i), key));
}

/* Every entry of the real catalogue, with its fields. */
static void test_catalogue(void **state)
{
	(void)state;
	json_t *doc = tv_load(NULL, CATALOGUE);
	struct log l;
	run(&l, doc, CATALOGUE);
	assert_int_equal(l.rc, 0);
	assert_string_equal(it_buf_str(&l.bad), "");
	assert_int_equal(json_array_size(l.entries), 200);
	assert_string_equal(field(l.entries, 0, "cve"), "CVE-2025-48384");
	assert_string_equal(field(l.entries, 0, "vendor"), "Git");
	assert_string_equal(field(l.entries, 0, "product"), "Git");
	assert_string_equal(field(l.entries, 0, "name"), "Git Link Following Vulnerability");
	assert_string_equal(field(l.entries, 0, "date_added"), "2025-08-25");
	assert_string_equal(field(l.entries, 0, "due_date"), "2025-09-15");
	assert_true(strncmp(field(l.entries, 0, "action"), "Apply mitigations per vendor", 28) ==
	            0);
	assert_string_equal(field(l.entries, 0, "ransomware"), "Unknown");
	assert_true(strncmp(field(l.entries, 0, "notes"), "This vulnerability affects a common",
	                    35) == 0);
	assert_string_equal(field(l.entries, 199, "cve"), "CVE-2024-43093");
	size_t known = 0, linux_kernel = 0;
	for (size_t i = 0; i < json_array_size(l.entries); i++) {
		known += strcmp(field(l.entries, i, "ransomware"), "Known") == 0;
		if (strcmp(field(l.entries, i, "vendor"), "Linux") == 0 &&
		    strcmp(field(l.entries, i, "product"), "Kernel") == 0)
			linux_kernel++;
		if (strcmp(field(l.entries, i, "cve"), "CVE-2023-0386") == 0)
			assert_string_equal(field(l.entries, i, "date_added"), "2025-06-17");
	}
	assert_int_equal(known, 25);
	assert_int_equal(linux_kernel, 5);
	log_free(&l);
	json_decref(doc);
}

/* The catalogue's schema names the required members: removing any one of them from an entry
 * makes it malformed at that member; the optional ones may be absent. */
static void test_schema_required(void **state)
{
	(void)state;
	json_t *schema = tv_load(NULL, "vulndb/kev/known_exploited_vulnerabilities_schema.json");
	json_t *def = json_object_get(json_object_get(schema, "$defs"), "vulnerability");
	json_t *required = json_object_get(def, "required");
	assert_int_equal(json_array_size(required), 8);
	const char *key;
	json_t *prop;
	json_object_foreach(json_object_get(def, "properties"), key, prop)
	{
		int is_required = 0;
		for (size_t i = 0; i < json_array_size(required); i++)
			is_required |=
			        strcmp(json_string_value(json_array_get(required, i)), key) == 0;
		json_t *doc = tv_load(NULL, CATALOGUE);
		json_object_del(json_array_get(json_object_get(doc, "vulnerabilities"), 4), key);
		struct log l;
		run(&l, doc, "kev.json");
		assert_int_equal(l.rc, 0);
		if (is_required) {
			char want[128];
			snprintf(want, sizeof(want),
			         "vulnerabilities[4].%s: a string is required\n", key);
			assert_string_equal(it_buf_str(&l.bad), want);
			assert_int_equal(json_array_size(l.entries), 199);
		} else {
			assert_string_equal(it_buf_str(&l.bad), "");
			assert_int_equal(json_array_size(l.entries), 200);
		}
		log_free(&l);
		json_decref(doc);
	}
	json_decref(schema);
}

/* Hand-made bad entries: each is reported at its path and skipped; the rest import. */
static void test_malformed_entries(void **state)
{
	(void)state;
	json_t *doc = tv_load(NULL, CATALOGUE);
	json_t *v = json_object_get(doc, "vulnerabilities");
	json_array_set_new(v, 3, json_string("CVE-2025-48384"));
	json_object_set_new(json_array_get(v, 5), "cveID", json_string("CVE-25-1"));
	json_object_set_new(json_array_get(v, 6), "cveID", json_string("CVE-2025-123"));
	json_object_set_new(json_array_get(v, 7), "dateAdded", json_string("2025-02-29"));
	json_object_set_new(json_array_get(v, 8), "dateAdded", json_string("2025-8-25"));
	json_object_set_new(json_array_get(v, 9), "dueDate", json_integer(20250915));
	json_object_set_new(json_array_get(v, 10), "cveID", json_string("CVE-2025-12A45"));
	json_object_set_new(json_array_get(v, 11), "cwes", json_pack("[s, s]", "CWE-59", "CWE-x"));
	json_object_set_new(json_array_get(v, 13), "cwes", json_string("CWE-59"));
	json_object_set_new(json_array_get(v, 15), "notes", json_integer(5));
	json_object_set_new(json_array_get(v, 17), "vendorProject", json_string(""));
	json_object_set_new(json_array_get(v, 19), "shortDescription", json_null());
	/* leap days and empty optional members are fine */
	json_object_set_new(json_array_get(v, 20), "dateAdded", json_string("2024-02-29"));
	json_object_set_new(json_array_get(v, 21), "notes", json_string(""));
	struct log l;
	run(&l, doc, "kev.json");
	assert_int_equal(l.rc, 0);
	assert_string_equal(it_buf_str(&l.bad),
	                    "vulnerabilities[3]: expected a KEV entry object\n"
	                    "vulnerabilities[5].cveID: expected a CVE id (CVE-YYYY-NNNN)\n"
	                    "vulnerabilities[6].cveID: expected a CVE id (CVE-YYYY-NNNN)\n"
	                    "vulnerabilities[7].dateAdded: expected a date (YYYY-MM-DD)\n"
	                    "vulnerabilities[8].dateAdded: expected a date (YYYY-MM-DD)\n"
	                    "vulnerabilities[9].dueDate: expected a string\n"
	                    "vulnerabilities[10].cveID: expected a CVE id (CVE-YYYY-NNNN)\n"
	                    "vulnerabilities[11].cwes[1]: expected a CWE id (CWE-NNN)\n"
	                    "vulnerabilities[13].cwes: expected an array of CWE ids\n"
	                    "vulnerabilities[15].notes: expected a string\n"
	                    "vulnerabilities[17].vendorProject: expected a non-empty string\n"
	                    "vulnerabilities[19].shortDescription: expected a string\n");
	assert_int_equal(json_array_size(l.entries), 188);
	assert_string_equal(field(l.entries, 3, "cve"), "CVE-2025-54948"); /* entry 4 */
	log_free(&l);
	json_decref(doc);
}

static void test_wrong_documents(void **state)
{
	(void)state;
	static const char *const docs[] = {
	        "[]",
	        "{}",
	        "{\"catalogVersion\": 1, \"vulnerabilities\": []}",
	        "{\"catalogVersion\": \"2025.08.25\"}",
	        "{\"catalogVersion\": \"2025.08.25\", \"vulnerabilities\": {}}",
	        "{\"resultsPerPage\": 1, \"vulnerabilities\": [{\"cve\": {\"id\": "
	        "\"CVE-2023-1\"}}]}",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_t *doc = json_loads(docs[i], JSON_DECODE_ANY, NULL);
		assert_non_null(doc);
		struct log l;
		run(&l, doc, "dir/kev.json");
		if (l.rc != -1)
			fail_msg("document %zu accepted", i);
		assert_int_equal(l.err.code, IT_ERR_INPUT);
		assert_string_equal(l.err.where, "dir/kev.json");
		log_free(&l);
		json_decref(doc);
	}
	json_t *doc = json_loads("{\"catalogVersion\": \"x\", \"vulnerabilities\": []}", 0, NULL);
	struct log l;
	run(&l, doc, "empty.json");
	assert_int_equal(l.rc, 0);
	assert_int_equal(json_array_size(l.entries), 0);
	log_free(&l);
	json_decref(doc);
}

static void test_sink_stops(void **state)
{
	(void)state;
	json_t *doc = tv_load(NULL, CATALOGUE);
	struct log l;
	memset(&l, 0, sizeof(l));
	l.entries = json_array();
	l.err = (struct it_error)IT_ERROR_INIT;
	l.stop_after = 10;
	struct it_import_sink sink = {on_vuln, on_kev, on_bad, NULL, &l};
	assert_int_equal(it_import_kev(doc, "kev.json", &sink, &l.err), -1);
	assert_int_equal(l.err.code, IT_ERR_CANCELLED);
	assert_int_equal(json_array_size(l.entries), 10);
	log_free(&l);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_catalogue),         cmocka_unit_test(test_schema_required),
	        cmocka_unit_test(test_malformed_entries), cmocka_unit_test(test_wrong_documents),
	        cmocka_unit_test(test_sink_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

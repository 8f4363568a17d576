/*
 * The import writer thread (src/vulndb/pipe.c): every record reaches the target in order
 * and intact although the caller's strings are gone by then (each is copied); the
 * target's first error stops the caller at a later record with that error, and nothing
 * reaches the target after it; KEV entries are queued in order with the records;
 * malformed and skipped pass straight through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vulndb/pipe.h"

#define RECORDS 3000

struct target {
	size_t seen, fail_at, malformed, skipped, kev;
	int bad_content;
};

static int target_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	struct target *t = user;
	char id[32], cpe[64];
	snprintf(id, sizeof id, "CVE-2024-%05zu", t->seen);
	snprintf(cpe, sizeof cpe, "cpe:2.3:a:vendor:product%zu:*:*:*:*:*:*:*:*", t->seen);
	if (strcmp(v->id, id) != 0 || strcmp(v->source, "nvd") != 0 || v->published ||
	    v->n_aliases != 2 || strcmp(v->aliases[1], id) != 0 || v->n_rows != 2 ||
	    strcmp(v->rows[1].cpe, cpe) != 0 || v->rows[1].start || !v->rows[1].end_incl ||
	    strcmp(v->json, "{\"id\":1}") != 0 || v->score != 7.5)
		t->bad_content = 1;
	if (t->fail_at && t->seen == t->fail_at)
		return it_error_set(err, IT_ERR_IO, "store.db", IT_NO_OFFSET, "disk full at %zu",
		                    t->seen);
	t->seen++;
	return 0;
}

/* KEV entry i comes after record i (in order) with its strings intact. */
static int target_kev(void *user, const struct it_store_kev *k, struct it_error *err)
{
	struct target *t = user;
	char cve[32];
	(void)err;
	snprintf(cve, sizeof cve, "CVE-2024-%05zu", t->seen - 1);
	if (strcmp(k->cve, cve) != 0 || strcmp(k->vendor, "Vendor") != 0 || k->notes ||
	    strcmp(k->due_date, "2024-02-01") != 0)
		t->bad_content = 1;
	t->kev++;
	return 0;
}

static void target_malformed(void *user, const char *where, const char *msg)
{
	(void)where;
	(void)msg;
	((struct target *)user)->malformed++;
}

static void target_skipped(void *user, const char *id, const char *why)
{
	(void)id;
	(void)why;
	((struct target *)user)->skipped++;
}

/* Record i, built in buffers that are overwritten for the next one. */
static int send(const struct it_import_sink *s, size_t i, struct it_error *err)
{
	char id[32], alias[32], cpe[64], end[16];
	snprintf(id, sizeof id, "CVE-2024-%05zu", i);
	snprintf(alias, sizeof alias, "GHSA-%zu", i);
	snprintf(cpe, sizeof cpe, "cpe:2.3:a:vendor:product%zu:*:*:*:*:*:*:*:*", i);
	snprintf(end, sizeof end, "1.%zu", i);
	const char *aliases[] = {alias, id};
	struct it_store_row rows[2] = {{.kind = "cpe",
	                                .ns = "vendor",
	                                .name = "other",
	                                .cpe = "cpe:2.3:a:v:o:1:*:*:*:*:*:*:*"},
	                               {.kind = "cpe",
	                                .ns = "vendor",
	                                .name = "product",
	                                .cpe = cpe,
	                                .scheme = "generic",
	                                .end = end,
	                                .end_incl = 1,
	                                .status = "affected"}};
	struct it_store_vuln v = {.id = id,
	                          .source = "nvd",
	                          .modified = "2024-01-01T00:00:00Z",
	                          .severity = "high",
	                          .score = 7.5,
	                          .json = "{\"id\":1}",
	                          .aliases = aliases,
	                          .n_aliases = 2,
	                          .rows = rows,
	                          .n_rows = 2};
	int rc = s->vuln(s->user, &v, err);
	if (rc == 0 && i % 50 == 0) {
		struct it_store_kev k = {.cve = id,
		                         .vendor = "Vendor",
		                         .product = "Product",
		                         .name = "A flaw",
		                         .date_added = "2024-01-01",
		                         .due_date = "2024-02-01",
		                         .action = "Patch."};
		rc = s->kev(s->user, &k, err);
	}
	memset(id, 'x', sizeof id - 1); /* the pipe must have its own copy */
	memset(cpe, 'x', sizeof cpe - 1);
	return rc;
}

static void test_in_order_and_intact(void **state)
{
	(void)state;
	struct target t = {0};
	struct it_import_sink target = {target_vuln, target_kev, target_malformed, target_skipped,
	                                &t};
	struct it_error err = IT_ERROR_INIT;
	struct it_pipe *p = it_pipe_start(&target, &err);
	assert_non_null(p);
	const struct it_import_sink *s = it_pipe_sink(p);
	for (size_t i = 0; i < RECORDS; i++) {
		assert_int_equal(send(s, i, &err), 0);
		if (i % 100 == 0) {
			s->malformed(s->user, "$", "bad");
			s->skipped(s->user, "CVE-1", "no configurations");
		}
	}
	assert_int_equal(it_pipe_finish(p, &err), 0);
	assert_int_equal(t.seen, RECORDS);
	assert_int_equal(t.kev, RECORDS / 50);
	assert_false(t.bad_content);
	assert_int_equal(t.malformed, RECORDS / 100);
	assert_int_equal(t.skipped, RECORDS / 100);
}

static void test_first_error_stops_the_reader(void **state)
{
	(void)state;
	struct target t = {.fail_at = 500};
	struct it_import_sink target = {target_vuln, target_kev, NULL, NULL, &t};
	struct it_error err = IT_ERROR_INIT;
	struct it_pipe *p = it_pipe_start(&target, &err);
	assert_non_null(p);
	const struct it_import_sink *s = it_pipe_sink(p);
	size_t i = 0;
	while (i < 100000 && send(s, i, &err) == 0)
		i++;
	assert_true(i > 500 && i < 100000); /* stopped, at a later record */
	assert_int_equal(err.code, IT_ERR_IO);
	assert_string_equal(err.message, "disk full at 500");
	assert_int_equal(it_pipe_finish(p, &err), -1); /* the error is not reported twice */
	assert_string_equal(err.message, "disk full at 500");
	assert_int_equal(t.seen, 500);
	it_error_clear(&err);
}

static void test_error_after_the_last_record(void **state)
{
	(void)state;
	struct target t = {.fail_at = 9};
	struct it_import_sink target = {target_vuln, target_kev, NULL, NULL, &t};
	struct it_error err = IT_ERROR_INIT;
	struct it_pipe *p = it_pipe_start(&target, &err);
	assert_non_null(p);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(send(it_pipe_sink(p), i, &err), 0); /* the queue takes them */
	assert_int_equal(it_pipe_finish(p, &err), -1);
	assert_string_equal(err.message, "disk full at 9");
	it_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_in_order_and_intact),
	        cmocka_unit_test(test_first_error_stops_the_reader),
	        cmocka_unit_test(test_error_after_the_last_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Vulnerability-database test helpers: the collecting sink, document loading and the
 * one-line row form shared by the importer tests (test_import_*.c).
 */
#include "testvulndb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

void tv_got_init(struct tv_got *g)
{
	memset(g, 0, sizeof(*g));
	g->recs = json_array();
	g->err = (struct it_error)IT_ERROR_INIT;
}

void tv_got_free(struct tv_got *g)
{
	json_decref(g->recs);
	it_buf_free(&g->bad);
	it_buf_free(&g->skipped);
	it_error_clear(&g->err);
}

void tv_on_malformed(void *user, const char *where, const char *msg)
{
	struct tv_got *g = user;
	it_buf_printf(&g->bad, "%s: %s\n", where, msg);
}

void tv_on_skipped(void *user, const char *id, const char *why)
{
	struct tv_got *g = user;
	it_buf_printf(&g->skipped, "%s: %s\n", id, why);
}

json_t *tv_load(const char *dir, const char *name)
{
	char buf[256];
	const char *rel = name;
	if (dir) {
		snprintf(buf, sizeof(buf), "%s/%s", dir, name);
		rel = buf;
	}
	json_error_t je;
	json_t *doc = json_load_file(test_data(rel), 0, &je);
	if (!doc)
		fail_msg("%s: %s", rel, je.text);
	return doc;
}

json_t *tv_rec(struct tv_got *g, size_t i)
{
	json_t *r = json_array_get(g->recs, i);
	if (!r)
		fail_msg("no record %zu (%zu emitted)", i, json_array_size(g->recs));
	return r;
}

const char *tv_s(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

json_t *tv_row(json_t *record, size_t i)
{
	json_t *r = json_array_get(json_object_get(record, "affected"), i);
	if (!r)
		fail_msg("no row %zu", i);
	return r;
}

size_t tv_n_rows(json_t *record)
{
	return json_array_size(json_object_get(record, "affected"));
}

char *tv_row_line(json_t *r)
{
	struct it_buf b = IT_BUF_INIT;
	const char *v = tv_s(r, "version"), *st = tv_s(r, "start"), *en = tv_s(r, "end");
	it_buf_printf(&b, "%s %s %s %s ", tv_s(r, "kind"), tv_s(r, "ns"), tv_s(r, "name"),
	              tv_s(r, "scheme"));
	if (v)
		it_buf_printf(&b, "=%s", v);
	else
		it_buf_printf(&b, "%s%s,%s%s",
		              json_is_true(json_object_get(r, "start_incl")) ? "[" : "(",
		              st ? st : "-inf", en ? en : "+inf",
		              json_is_true(json_object_get(r, "end_incl")) ? "]" : ")");
	it_buf_printf(&b, " %s fixed=%s", tv_s(r, "status"),
	              tv_s(r, "fixed") ? tv_s(r, "fixed") : "-");
	return it_buf_detach(&b);
}

void tv_assert_row(json_t *record, size_t i, const char *want)
{
	char *line = tv_row_line(tv_row(record, i));
	if (strcmp(line, want) != 0)
		fail_msg("row %zu:\n  got  %s\n  want %s", i, line, want);
	free(line);
}

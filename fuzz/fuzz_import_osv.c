/*
 * libFuzzer harness for the OSV and CSAF 2.0 importers: the input (at most 1 MiB) is
 * parsed with jansson and handed to it_import_osv and it_import_csaf with a sink that
 * checks every emitted record's invariants (id, source, UTC times, severity words, rows
 * with kind/ns/name and a known scheme and status, exact versions without bounds, no
 * wildcard CPE vendor/product, the record JSON parses back and agrees) and abort()s.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_vulndb_sink.h"
#include "iotrust/vulndb.h"
#include "vulndb/importer.h"

#define MAX_INPUT (1u << 20)

static int one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

/* A time as it_time_utc writes it (and unchanged by it). */
static int utc_time(const char *t)
{
	struct it_buf b = IT_BUF_INIT;
	int ok = t && strlen(t) == 24 && t[23] == 'Z' && it_time_utc(t, &b) == 0 &&
	         strcmp(it_buf_str(&b), t) == 0;
	it_buf_free(&b);
	return ok;
}

static void check_row(const struct it_store_row *r)
{
	static const char *const kinds[] = {"pkg", "cpe", NULL};
	static const char *const statuses[] = {"affected", "fixed", "not_affected",
	                                       "under_investigation", NULL};
	check(one_of(r->kind, kinds) && r->ns && *r->ns && r->name && *r->name);
	check(r->scheme &&
	      (it_vscheme_parse(r->scheme) >= 0 || strcmp(r->scheme, "unparsed") == 0));
	check(one_of(r->status, statuses));
	check(!r->version || (!r->start && !r->end && !r->start_incl && !r->end_incl));
	check(!r->start_incl || r->start);
	check(!r->end_incl || r->end);
	check(!r->platform || *r->platform);
	check(!r->purl || strncmp(r->purl, "pkg:", 4) == 0);
	if (strcmp(r->kind, "cpe") == 0) {
		/* precision: a wildcard vendor or product never becomes a row */
		check_cpe_row(r);
	}
}

static int on_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	static const char *const words[] = {"critical", "high", "medium", "low", "none", NULL};
	const char *source = user;
	(void)err;
	check(v->id && *v->id && v->source && strcmp(v->source, source) == 0);
	check(utc_time(v->modified) && (!v->published || utc_time(v->published)));
	check(!v->severity || one_of(v->severity, words));
	check(v->score == -1 || (v->score >= 0 && v->score <= 10));
	check(v->withdrawn || v->n_rows > 0);
	check(!v->withdrawn || strcmp(source, "osv") == 0);
	for (size_t i = 0; i < v->n_aliases; i++)
		check(v->aliases[i] && *v->aliases[i]);
	for (size_t i = 0; i < v->n_rows; i++)
		check_row(&v->rows[i]);
	json_t *back = json_loads(v->json, 0, NULL);
	check(back && json_is_object(back));
	check(json_array_size(json_object_get(back, "affected")) == v->n_rows);
	check(strcmp(json_string_value(json_object_get(back, "id")), v->id) == 0);
	json_decref(back);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!doc)
		return 0;
	struct it_import_sink osv = {on_vuln, NULL, on_malformed, on_skipped, "osv"};
	struct it_import_sink csaf = {on_vuln, NULL, on_malformed, on_skipped, "csaf"};
	run_import(it_import_osv, doc, &osv);
	run_import(it_import_csaf, doc, &csaf);
	json_decref(doc);
	return 0;
}

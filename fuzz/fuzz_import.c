/*
 * libFuzzer harness for the NVD 2.0 and CISA KEV importers: the input (at most 1 MiB) is
 * parsed with jansson and handed to it_import_nvd and it_import_kev with a sink that checks
 * every emitted record's invariants (id, source, modified in UTC, rows with kind/ns/name,
 * lower-case CPE vendor/product, the record JSON parses back) and abort()s when one fails.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_vulndb_sink.h"
#include "vulndb/importer.h"

#define MAX_INPUT (1u << 20)

static int on_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	(void)user;
	(void)err;
	check(v->id && *v->id && v->source && strcmp(v->source, "nvd") == 0);
	check(v->modified && strlen(v->modified) == 24 && v->modified[23] == 'Z');
	check(v->score == -1 || (v->score >= 0 && v->score <= 10));
	check(v->withdrawn || v->n_rows > 0);
	for (size_t i = 0; i < v->n_rows; i++) {
		const struct it_store_row *r = &v->rows[i];
		check(r->kind && strcmp(r->kind, "cpe") == 0 && r->ns && *r->ns && r->name &&
		      *r->name);
		check_cpe_row(r);
		check(!r->version || (!r->start && !r->end));
		check(!r->platform || *r->platform);
	}
	json_t *back = json_loads(v->json, 0, NULL);
	check(back && json_is_object(back));
	json_decref(back);
	return 0;
}

static int on_kev(void *user, const struct it_store_kev *k, struct it_error *err)
{
	(void)user;
	(void)err;
	check(k->cve && strncmp(k->cve, "CVE-", 4) == 0 && k->date_added &&
	      strlen(k->date_added) == 10 && k->vendor && k->product);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0;
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!doc)
		return 0;
	struct it_import_sink sink = {on_vuln, on_kev, on_malformed, on_skipped, NULL};
	run_import(it_import_nvd, doc, &sink);
	run_import(it_import_kev, doc, &sink);
	json_decref(doc);
	return 0;
}

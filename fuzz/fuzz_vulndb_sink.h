/*
 * Shared pieces of the importer fuzz harnesses (fuzz_import.c, fuzz_import_osv.c): the
 * abort()ing check, the CPE-row precision invariants, the malformed/skipped callbacks and
 * one importer run whose failure must be a reported IT_ERR_INPUT.
 */
#ifndef IOTRUST_FUZZ_VULNDB_SINK_H
#define IOTRUST_FUZZ_VULNDB_SINK_H
#include <stdlib.h>
#include <string.h>

#include "vulndb/importer.h"

static inline void check(int ok)
{
	if (!ok)
		abort();
}

static inline int lower_case(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 0;
	return 1;
}

/* A cpe row: a CPE 2.3 name, and (precision) no wildcard, lower-case vendor and product. */
static inline void check_cpe_row(const struct it_store_row *r)
{
	check(r->cpe && strncmp(r->cpe, "cpe:2.3:", 8) == 0);
	check(strcmp(r->ns, "*") != 0 && strcmp(r->name, "*") != 0);
	check(lower_case(r->ns) && lower_case(r->name));
}

static inline void on_malformed(void *user, const char *where, const char *msg)
{
	(void)user;
	check(where && *where && msg && *msg);
}

static inline void on_skipped(void *user, const char *id, const char *why)
{
	(void)user;
	check(id && *id && why && *why);
}

/* Run one importer on doc; a failure must be bad input with a message. */
static inline void run_import(int (*import)(json_t *, const char *, const struct it_import_sink *,
                                            struct it_error *),
                              json_t *doc, const struct it_import_sink *sink)
{
	struct it_error err = IT_ERROR_INIT;
	if (import(doc, "fuzz.json", sink, &err) < 0)
		check(err.code == IT_ERR_INPUT && err.message);
	it_error_clear(&err);
}

#endif

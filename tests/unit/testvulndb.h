/*
 * Helpers for the vulnerability-database importer tests: a sink that collects emitted
 * records (parsed back to JSON), malformed paths and skipped ids; loading a test document;
 * and normalised rows printed as one line each so a test can compare them exactly.
 */
#ifndef IOTRUST_TESTVULNDB_H
#define IOTRUST_TESTVULNDB_H
#include <stddef.h>

#include <jansson.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"

struct tv_got {
	json_t *recs;          /* each emitted record's JSON, parsed back */
	struct it_buf bad;     /* "where: msg\n" per malformed record */
	struct it_buf skipped; /* "id: why\n" per skipped record */
	int rc;
	struct it_error err;
};

void tv_got_init(struct tv_got *g);
void tv_got_free(struct tv_got *g);
/* Sink callbacks (user is a struct tv_got): append to bad and skipped. */
void tv_on_malformed(void *user, const char *where, const char *msg);
void tv_on_skipped(void *user, const char *id, const char *why);

/* Parse tests/data/<dir>/<name> (dir may be NULL); fails the test when it does not parse. */
json_t *tv_load(const char *dir, const char *name);

/* Record i of g; fails the test when there is none. */
json_t *tv_rec(struct tv_got *g, size_t i);
/* The string member key of o, or NULL. */
const char *tv_s(json_t *o, const char *key);
/* Affected row i of a normalised record; fails the test when there is none. */
json_t *tv_row(json_t *record, size_t i);
size_t tv_n_rows(json_t *record);
/* A row as one line: kind ns name scheme =version | interval, status, fixed=... (free it). */
char *tv_row_line(json_t *r);
/* Fails the test unless row i of record prints as want. */
void tv_assert_row(json_t *record, size_t i, const char *want);

#endif

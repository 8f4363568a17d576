/*
 * The plumbing behind include/iotrust/store.h: a back end (SQLite now, PostgreSQL later)
 * is one file that fills a struct it_store_ops and is listed in store.c's table of
 * location prefixes. store.c validates every argument and owns the put rules
 * (it_store_put_decide), so back ends only move data and agree on the semantics.
 */
#ifndef IOTRUST_STORE_BACKEND_H
#define IOTRUST_STORE_BACKEND_H

#include <stdint.h>

#include "iotrust/store.h"

struct it_store_ops {
	const char *name; /* "sqlite", "postgresql" */
	void (*close)(struct it_store *s);
	int (*begin)(struct it_store *s, struct it_error *err);
	int (*begin_read)(struct it_store *s, struct it_error *err);
	int (*commit)(struct it_store *s, struct it_error *err);
	void (*rollback)(struct it_store *s);
	int (*put_vuln)(struct it_store *s, const struct it_store_vuln *v, enum it_put *res,
	                struct it_error *err);
	int (*put_kev)(struct it_store *s, const struct it_store_kev *k, struct it_error *err);
	int (*rows)(struct it_store *s, const char *kind, const char *ns, const char *name,
	            it_store_row_fn fn, void *user, struct it_error *err);
	int (*get_vuln)(struct it_store *s, const char *id, struct it_buf *out,
	                struct it_error *err);
	int (*get_brief)(struct it_store *s, const char *id, struct it_buf *out,
	                 struct it_error *err);
	int (*get_kev)(struct it_store *s, const char *cve, struct it_buf *out,
	               struct it_error *err);
	int (*ids_with_alias)(struct it_store *s, const char *alias,
	                      int (*fn)(void *user, const char *id), void *user,
	                      struct it_error *err);
	int (*feed_get)(struct it_store *s, const char *url, struct it_buf *etag,
	                struct it_buf *last_modified, struct it_error *err);
	int (*feed_put)(struct it_store *s, const char *url, const char *etag,
	                const char *last_modified, struct it_error *err);
	int (*meta_get)(struct it_store *s, const char *key, struct it_buf *out,
	                struct it_error *err);
	int (*meta_put)(struct it_store *s, const char *key, const char *value,
	                struct it_error *err);
	int (*stats)(struct it_store *s, struct it_store_stats *st, struct it_error *err);
};

struct it_store {
	const struct it_store_ops *ops;
	char *location; /* what messages name: the database path, or the URL without password */
	void *impl;     /* the back end's connection state */
	int reading;    /* a read transaction is open: store.c refuses writes */
};

/* A back end's opener: connect to target (the location with its "sqlite:" prefix
 * removed), apply migrations, set s->ops and s->impl. *created (never NULL here) is set
 * to 1 when the database was new. On failure nothing is left open. */
typedef int (*it_store_open_fn)(struct it_store *s, const char *target, int *created,
                                struct it_error *err);
int it_store_sqlite_open(struct it_store *s, const char *target, int *created,
                         struct it_error *err);

/* An RFC 3339 time as seconds since 1970-01-01 UTC plus nanoseconds. */
struct it_store_time {
	int64_t sec;
	int32_t nsec;
};

/* Parse "YYYY-MM-DD[(T|t| )hh:mm:ss[.frac][Z|z|(+|-)hh:mm]]": no zone means UTC (NVD
 * writes "2024-01-02T03:04:05.123"), a date alone means midnight UTC. 0, or -1 when s
 * is not such a time (every field range-checked, nothing after the zone). */
int it_store_time_parse(const char *s, struct it_store_time *t);
/* <0, 0, >0 as a is earlier than, the same instant as, or later than b. */
int it_store_time_cmp(const struct it_store_time *a, const struct it_store_time *b);
/* The current UTC time as "YYYY-MM-DDThh:mm:ssZ" into out (at least 21 bytes). */
void it_store_time_now(char out[static 21]);

/* The put rules (docs/vulndb.md "Put"), shared by every back end: given whether the id
 * is stored and its stored `modified` text, what putting v does. A stored time that does
 * not parse counts as older than any. v->modified must already be valid. */
enum it_put it_store_put_decide(int stored, const char *stored_modified,
                                const struct it_store_vuln *v);

#endif

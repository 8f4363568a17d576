/*
 * it_store: the one storage interface of iotrust's vulnerability knowledge
 * (ARCHITECTURE.md "store"). Callers see records, affected rows, KEV entries and
 * feed state; no SQL dialect leaks past this header. SQLite (WAL, prepared
 * statements, schema version + migrations) is the embedded back end; a PostgreSQL
 * one (libpq) plugs in behind the same struct it_store_ops. Schema: docs/vulndb.md.
 */
#ifndef IOTRUST_STORE_H
#define IOTRUST_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"

struct it_store;

/* One affected (product, version range) of a record: what matching queries. */
struct it_store_row {
	const char *kind;    /* "cpe" (NVD configurations) or "pkg" (OSV, CSAF purls) */
	const char *ns;      /* cpe: the CPE vendor; pkg: the ecosystem ("Debian:12",
	                      * "Alpine:v3.18", "OSS-Fuzz", "npm") or the PURL type */
	const char *name;    /* cpe: the CPE product; pkg: the package name */
	const char *cpe;     /* cpe rows: the whole criteria string; else NULL */
	const char *purl;    /* pkg rows: the package URL without version, when known */
	const char *scheme;  /* version scheme: "generic", "deb", "apk", "semver", "git" */
	const char *version; /* one exact affected version, or NULL for a range */
	const char *start;   /* range start or NULL (unbounded); start_incl says >= or > */
	int start_incl;
	const char *end; /* range end or NULL (unbounded); end_incl says <= or < */
	int end_incl;
	const char *status;   /* "affected", "fixed", "not_affected", "under_investigation" */
	const char *fixed;    /* the first fixed version where the source says it, or NULL */
	const char *platform; /* cpe rows of AND configurations: the other (non-vulnerable)
	                       * CPEs the configuration requires, joined by ' ', or NULL */
	int negate;           /* the configuration negates this match (rare in NVD) */
};

/* The addresses of a row's string members, as an initializer, for code that copies or
 * frees them alike: const char **f[] = IT_STORE_ROW_STRINGS(&row); */
#define IT_STORE_ROW_STRINGS(r)                                                                    \
	{                                                                                          \
		&(r)->kind, &(r)->ns, &(r)->name, &(r)->cpe, &(r)->purl, &(r)->scheme,             \
		        &(r)->version, &(r)->start, &(r)->end, &(r)->status, &(r)->fixed,          \
		        &(r)->platform                                                             \
	}

/* A normalised vulnerability record (docs/vulndb.md "Record"). */
struct it_store_vuln {
	const char *id;        /* "CVE-2023-1234", "OSV-2021-1", "DSA-5555-1", CSAF "id/CVE" */
	const char *source;    /* "nvd", "osv", "csaf" */
	const char *modified;  /* RFC 3339 UTC; a newer one replaces, the same is a no-op */
	const char *published; /* or NULL */
	int withdrawn;         /* rejected / withdrawn: removed from matching */
	const char *severity;  /* "critical", "high", "medium", "low", "none" or NULL */
	double score;          /* the best CVSS base score, or -1 */
	const char *json;      /* the whole normalised record as JSON text */
	const char *brief;     /* what a match reports of it (it_store_get_brief) as JSON
	                        * text, or NULL: the store cuts it out of json */
	const char *const *aliases;
	size_t n_aliases;
	const struct it_store_row *rows;
	size_t n_rows;
};

/* A CISA KEV catalogue entry. */
struct it_store_kev {
	const char *cve, *vendor, *product, *name;
	const char *date_added, *due_date; /* YYYY-MM-DD */
	const char *action, *ransomware, *notes;
};

enum it_put {
	IT_PUT_INSERTED,
	IT_PUT_UPDATED,   /* newer modified: replaced */
	IT_PUT_UNCHANGED, /* same modified: nothing written */
	IT_PUT_OLDER,     /* older modified than stored: ignored */
	IT_PUT_REMOVED,   /* withdrawn: rows deleted, record kept as withdrawn */
};

struct it_store_stats {
	uint64_t vulns, withdrawn, rows, aliases, kev;
	uint64_t by_source[3]; /* nvd, osv, csaf */
	int schema_version;
};

/* A row handed to a query callback, with the record it belongs to. Return nonzero to
 * stop (that value is returned by the query). Strings live until the callback returns. */
typedef int (*it_store_row_fn)(void *user, const char *vuln_id, const struct it_store_row *row);

/* Open a store: "sqlite:PATH", a plain PATH (SQLite), or NULL for the default
 * $XDG_DATA_HOME/iotrust/iotrust.db (~/.local/share/iotrust/iotrust.db), creating the
 * file and its directory and applying migrations. *created is set to 1 when the
 * database was new (callers seed it), may be NULL. "postgresql://..." is reserved. */
int it_store_open(struct it_store **out, const char *location, int *created, struct it_error *err);
void it_store_close(struct it_store *s);
/* Where the store is (a path for SQLite), for messages. */
const char *it_store_location(const struct it_store *s);

/* A write transaction (a batch of puts); it_store_commit or it_store_rollback ends it. A
 * put failing inside one may leave part of that record written: roll the batch back. */
int it_store_begin(struct it_store *s, struct it_error *err);
/* A read transaction: the queries up to it_store_commit (or it_store_rollback) all see
 * one snapshot and share one lock, which makes a series of queries (one scan's matches)
 * several times faster. Writes are refused until it ends. */
int it_store_begin_read(struct it_store *s, struct it_error *err);
int it_store_commit(struct it_store *s, struct it_error *err);
void it_store_rollback(struct it_store *s);

int it_store_put_vuln(struct it_store *s, const struct it_store_vuln *v, enum it_put *res,
                      struct it_error *err);
/* What it_store_put_vuln / it_store_put_kev check before writing, alone: 0, or -1 with
 * IT_ERR_INPUT saying which field and why. Only reads s (its location, for the message), so
 * an importer's thread may ask while another thread writes. */
int it_store_check_vuln(const struct it_store *s, const struct it_store_vuln *v,
                        struct it_error *err);
int it_store_check_kev(const struct it_store *s, const struct it_store_kev *k,
                       struct it_error *err);
/* Insert or replace a KEV entry (keyed by CVE). */
int it_store_put_kev(struct it_store *s, const struct it_store_kev *k, struct it_error *err);

/* Every row of kind with that name (case-insensitive), in any ns when ns is NULL. */
int it_store_rows(struct it_store *s, const char *kind, const char *ns, const char *name,
                  it_store_row_fn fn, void *user, struct it_error *err);
/* The record's JSON appended to out: 1 found, 0 not found, -1 error. Looks the id up
 * as a record id first, then as an alias. */
int it_store_get_vuln(struct it_store *s, const char *id, struct it_buf *out, struct it_error *err);
/* What a match reports of the record, as JSON {"source","aliases","summary","severity",
 * "score","metrics"} (kept beside the record when it is put: a few hundred bytes where the
 * record may be 100 KB), appended to out: 1 found, 0 not found, -1 error; looked up as
 * it_store_get_vuln does. */
int it_store_get_brief(struct it_store *s, const char *id, struct it_buf *out,
                       struct it_error *err);
/* The KEV entry as JSON ({"cve":..,"date_added":..,...}): 1 found, 0 not, -1 error. */
int it_store_get_kev(struct it_store *s, const char *cve, struct it_buf *out, struct it_error *err);
/* Record ids that have alias (e.g. every OSV/CSAF record aliasing a CVE), one callback
 * each: fn(user, id). */
int it_store_ids_with_alias(struct it_store *s, const char *alias,
                            int (*fn)(void *user, const char *id), void *user,
                            struct it_error *err);

/* Feed state for conditional GET: etag and last_modified appended ("" when unknown). */
int it_store_feed_get(struct it_store *s, const char *url, struct it_buf *etag,
                      struct it_buf *last_modified, struct it_error *err);
int it_store_feed_put(struct it_store *s, const char *url, const char *etag,
                      const char *last_modified, struct it_error *err);
/* Free-form metadata (e.g. "snapshot" = the bundled snapshot's version). */
int it_store_meta_get(struct it_store *s, const char *key, struct it_buf *out,
                      struct it_error *err);
int it_store_meta_put(struct it_store *s, const char *key, const char *value, struct it_error *err);

int it_store_stats(struct it_store *s, struct it_store_stats *st, struct it_error *err);

#endif

/*
 * The contract between the import driver (import.c: files, directories, gzip, zip,
 * transactions, counts) and the per-format importers (import_nvd.c, import_osv.c,
 * import_csaf.c, import_kev.c). An importer turns one parsed JSON document into
 * normalised records (docs/vulndb.md "Record") and hands each to the sink; it never
 * touches the store itself.
 */
#ifndef IOTRUST_VULNDB_IMPORTER_H
#define IOTRUST_VULNDB_IMPORTER_H

#include <jansson.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"
#include "iotrust/store.h"

struct it_import_sink {
	/* A normalised record (built with it_record_emit). Return -1 (err set) to stop. */
	int (*vuln)(void *user, const struct it_store_vuln *v, struct it_error *err);
	/* A KEV catalogue entry. Return -1 (err set) to stop. */
	int (*kev)(void *user, const struct it_store_kev *k, struct it_error *err);
	/* A malformed record, skipped: where is a JSON path ("vulnerabilities[3].cve.id")
	 * and msg says what was expected. */
	void (*malformed)(void *user, const char *where, const char *msg);
	/* A well-formed record with nothing to match on (e.g. an NVD record with no
	 * configurations yet): counted, not stored. May be NULL. */
	void (*skipped)(void *user, const char *id, const char *why);
	void *user;
};

/* Each importer: emit every record of doc. Returns 0, or -1 with err set when the
 * document as a whole has the wrong shape (IT_ERR_INPUT naming file and JSON path) or
 * the sink failed (its error is kept). A bad record is reported through
 * sink->malformed and skipped; the rest still import. */
int it_import_nvd(json_t *doc, const char *file, const struct it_import_sink *sink,
                  struct it_error *err);
int it_import_osv(json_t *doc, const char *file, const struct it_import_sink *sink,
                  struct it_error *err);
int it_import_csaf(json_t *doc, const char *file, const struct it_import_sink *sink,
                   struct it_error *err);
int it_import_kev(json_t *doc, const char *file, const struct it_import_sink *sink,
                  struct it_error *err);

/* Where a syntax error lies in a document's text. */
struct it_json_where {
	size_t offset, line, column; /* byte offset; 1-based line and column */
	char msg[160];
};

/* An NVD page read straight from its text (yajl events, no JSON tree), record by record,
 * doing for each item exactly what it_import_nvd does for it in a parsed page. Returns 1
 * when the page was read to the end; 0 when text is no NVD page ({"vulnerabilities": [
 * {"cve": {...}}, ...]}: nothing was emitted; parse it whole instead, which also reports
 * its syntax errors); -1 on a syntax error after the first item (w says where; the records
 * before it were emitted); -2 when the sink failed (err set). */
int it_nvd_stream(const char *text, size_t len, const char *file, const struct it_import_sink *sink,
                  struct it_json_where *w, struct it_error *err);

/* Which importer a document is for: "nvd" (an object with "vulnerabilities" of {"cve"}
 * or a bare NVD "cve" object), "osv" (an object with "id" and "modified" and
 * "schema_version"/"affected"), "csaf" ("document"."csaf_version"), "kev"
 * ("catalogVersion"), or NULL. */
const char *it_import_sniff(json_t *doc);

/* Turn a normalised record (a JSON object shaped as docs/vulndb.md "Record": id,
 * source, modified, published, withdrawn, summary, aliases, severity, score, metrics,
 * cwes, references, affected[] with it_store_row's fields as keys) into an
 * it_store_vuln and hand it to sink->vuln. The record is not consumed. Rows lacking
 * kind/ns/name are a malformed record (reported, 0 returned). In record.c. */
int it_record_emit(json_t *rec, const char *where, const struct it_import_sink *sink,
                   struct it_error *err);

/* The normalised severity word ("critical", "high", "medium", "low", "none") of a
 * vendor's word, case-insensitively: CRITICAL; HIGH/Important; MEDIUM/MODERATE;
 * LOW/negligible; NONE. NULL for anything else. In record.c. */
const char *it_severity_word(const char *word);

/* An RFC 3339 / ISO 8601 date-time ("2022-03-14T13:10:55.000+01:00"; lower-case t/z; no
 * zone is UTC, as NVD writes it; a bare date is midnight) rewritten in UTC as
 * "YYYY-MM-DDTHH:MM:SS.mmmZ" (the fraction cut or padded to milliseconds, the form the NVD
 * importer writes, so modified times of every source compare as strings) into out (reset
 * first). 0, or -1 when s is no such time (out then holds ""). In record.c. */
int it_time_utc(const char *s, struct it_buf *out);

/* The array (object) member key of o; absent or JSON null gives NULL; *ok is cleared for a
 * member of another type (and NULL returned). In record.c. */
json_t *it_json_opt_array(json_t *o, const char *key, int *ok);
json_t *it_json_opt_object(json_t *o, const char *key, int *ok);

/* Severity word of a CVSS base score ("critical" >= 9.0, "high" >= 7.0, "medium" >= 4.0,
 * "low" > 0, else "none"). */
const char *it_cvss_severity(double score);

#endif

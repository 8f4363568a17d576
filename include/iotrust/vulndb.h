/*
 * vulndb: what iotrust knows about vulnerabilities and how it matches components
 * to them (ARCHITECTURE.md "vulndb"). Version comparison per scheme, CPE 2.3 and
 * PURL parsing, the importers of NVD 2.0 / OSV / CSAF 2.0 / CISA KEV into an
 * it_store, and matching. Rules and schema: docs/vulndb.md.
 */
#ifndef IOTRUST_VULNDB_H
#define IOTRUST_VULNDB_H

#include <stddef.h>
#include <stdint.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"
#include "iotrust/store.h"

/* --- versions (src/vulndb/version.c) ---------------------------------------- */

enum it_vscheme {
	IT_VS_GENERIC, /* upstream versions: 1.35.0, 9.2p1, 2.89, 1.1.1w, 2023.04, 5.10-rc3 */
	IT_VS_DEB,     /* Debian/dpkg: epoch:upstream-revision with '~' */
	IT_VS_APK,     /* Alpine apk: 1.2.3_rc1-r0 */
	IT_VS_SEMVER,  /* semver 2.0.0 (pre-release ordering, build metadata ignored) */
	IT_VS_GIT,     /* commit ids: not ordered; only equality */
};

/* "generic", "deb", "apk", "semver", "git" -> scheme; -1 when unknown. */
int it_vscheme_parse(const char *name);
const char *it_vscheme_name(enum it_vscheme s);
/* The scheme an OSV ecosystem's ECOSYSTEM ranges use ("Debian:12" -> deb, "Alpine:v3.18"
 * -> apk, "npm"/"Go"/"crates.io" -> semver, others generic). */
enum it_vscheme it_vscheme_for_ecosystem(const char *ecosystem);
/* <0, 0, >0 like strcmp. Total order on any strings (garbage sorts consistently). */
int it_vers_cmp(enum it_vscheme s, const char *a, const char *b);
/* Is v a well-formed version of scheme s? (dpkg's own rules for deb.) */
int it_vers_valid(enum it_vscheme s, const char *v);

/* --- CPE 2.3 (src/vulndb/cpe.c) ------------------------------------------------ */

enum {
	IT_CPE_PART,
	IT_CPE_VENDOR,
	IT_CPE_PRODUCT,
	IT_CPE_VERSION,
	IT_CPE_UPDATE,
	IT_CPE_EDITION,
	IT_CPE_LANGUAGE,
	IT_CPE_SW_EDITION,
	IT_CPE_TARGET_SW,
	IT_CPE_TARGET_HW,
	IT_CPE_OTHER,
	IT_CPE_N
};

/* A parsed CPE 2.3 formatted string. Each attribute is stored unescaped except that
 * an unquoted '*' / '?' keep their wildcard meaning, tracked in `wild`:
 * "*" alone is ANY, "-" alone is NA (flag `na`). */
struct it_cpe {
	char *attr[IT_CPE_N]; /* malloc'd; "" for ANY */
	uint8_t any[IT_CPE_N], na[IT_CPE_N], wild[IT_CPE_N];
};

/* Parse "cpe:2.3:a:vendor:product:..." (also the 2.2 URI "cpe:/a:vendor:product:ver").
 * Errors say which attribute and why (IT_ERR_INPUT, offset = the byte). */
int it_cpe_parse(struct it_cpe *out, const char *s, struct it_error *err);
void it_cpe_free(struct it_cpe *c);
/* The formatted string again (escaping as the spec says), appended to out. */
int it_cpe_format(const struct it_cpe *c, struct it_buf *out);
/* Name matching (NISTIR 7696): does the source (a criteria, may hold wildcards) match
 * the target (a concrete name)? Every attribute must be SUPERSET or EQUAL. Version is
 * compared as a string here; ranges are the matcher's job. */
int it_cpe_matches(const struct it_cpe *source, const struct it_cpe *target);

/* --- PURL (src/vulndb/purl.c) ------------------------------------------------ */

struct it_purl_qualifier {
	char *key, *value;
};

/* A parsed package URL, every component percent-decoded, type and (for the types the
 * spec says) namespace/name lower-cased, qualifiers sorted by key. */
struct it_purl {
	char *type, *namespace, *name, *version, *subpath; /* NULL when absent */
	struct it_purl_qualifier *q;
	size_t n_q;
};

int it_purl_parse(struct it_purl *out, const char *s, struct it_error *err);
void it_purl_free(struct it_purl *p);
/* The canonical string form, appended to out. */
int it_purl_format(const struct it_purl *p, struct it_buf *out);
/* The qualifier's value or NULL. */
const char *it_purl_qualifier(const struct it_purl *p, const char *key);

/* --- import (src/vulndb/import.c and import_<format>.c) ------------------------ */

struct it_import_stats {
	uint64_t files, records, inserted, updated, unchanged, older, removed, kev, malformed;
	uint64_t skipped; /* well-formed but nothing iotrust can use (no affected products) */
};

struct it_import_options {
	/* Called for each malformed record (file, JSON path or byte offset, message); the
	 * record is skipped and counted. NULL: ignored (still counted). */
	void (*on_malformed)(void *user, const char *file, const char *where, const char *msg);
	/* Progress on long imports: files done / total, records so far. May be NULL. */
	void (*on_progress)(void *user, uint64_t files_done, uint64_t files_total,
	                    uint64_t records);
	void *user;
	size_t batch; /* records per transaction (0: 1000) */
};

void it_import_options_default(struct it_import_options *o);
/* Import files or directories (recursively): NVD 2.0 pages/feeds (.json, .json.gz),
 * OSV records (single .json, directories, the per-ecosystem all.zip), CSAF 2.0
 * documents, the CISA KEV catalogue; the format is told from the content. Returns 0,
 * or -1 with err set for errors that stop the import (unreadable file, store failure);
 * malformed records only count (the CLI exits 3 when stats->malformed > 0). */
int it_import_paths(struct it_store *s, const char *const *paths, size_t n,
                    const struct it_import_options *o, struct it_import_stats *stats,
                    struct it_error *err);
/* The same for bytes already in memory (name is used in messages). */
int it_import_memory(struct it_store *s, const char *name, const uint8_t *data, size_t n,
                     const struct it_import_options *o, struct it_import_stats *stats,
                     struct it_error *err);

/* Open the store at location (NULL: the default) for matching; a store that has never
 * been seeded gets the snapshot built into data (data/vulndb/) first. In seed.c. */
struct it_data;
int it_vulndb_open(struct it_store **out, const char *location, const struct it_data *data,
                   struct it_error *err);

#endif

/*
 * Matching components against the store (docs/vulndb.md "Matching"): which records
 * affect a component, decided by the distribution's own advisories where the
 * component came from a distribution package database, else by CPE ranges. Used by
 * the scan, `iotrust db match` and later the server.
 */
#ifndef IOTRUST_VULNDB_MATCH_H
#define IOTRUST_VULNDB_MATCH_H

#include <jansson.h>

#include "iotrust/error.h"
#include "iotrust/inspect.h"
#include "iotrust/store.h"

/* What to match: any of cpe (a CPE 2.3 name with the component's version in it), purl
 * (with version) may be NULL; version overrides the CPE's version attribute (upstream
 * version, generic scheme). */
struct it_match_query {
	const char *cpe;
	const char *purl;
	const char *version;
};

/* Append one JSON object per matched vulnerability to arr:
 * {"id","source","aliases","summary","severity","score","status"
 *  ("affected"|"fixed"|"not_affected"|"needs_platform"),"fixed","kev":{...},
 *  "matched":{"by":"cpe"|"package","criteria","range","version"},"decided_by"}
 * grouped by CVE (a distribution record and the NVD record of one CVE are one entry).
 * Only "affected" and "needs_platform" entries are appended unless all is set. */
int it_match(struct it_store *s, const struct it_match_query *q, int all, json_t *arr,
             struct it_error *err);

/* A matcher for many queries (a scan's components, an SBOM): it_match with what it
 * learns about records (their CVE group, each entry's details and KEV entry) kept from
 * one query to the next, so a record met again costs no store read. Run the queries in
 * one read transaction (it_store_begin_read) so they see one snapshot. */
struct it_matcher;
int it_matcher_new(struct it_matcher **out, struct it_store *s, struct it_error *err);
int it_matcher_match(struct it_matcher *m, const struct it_match_query *q, int all, json_t *arr,
                     struct it_error *err);
void it_matcher_free(struct it_matcher *m);

/* Match every component of a CycloneDX SBOM (metadata.component and components[],
 * nested ones too) by its purl and cpe; append {"bom-ref","name","version",
 * "vulnerabilities":[...]} to out for each component with matches. *n_components counts
 * the components read. A document that is not CycloneDX or a component of the wrong shape
 * is IT_ERR_INPUT naming its JSON path. In match_sbom.c. */
int it_match_cyclonedx(struct it_matcher *m, const json_t *bom, int all, json_t *out,
                       size_t *n_components, struct it_error *err);

/* The query a scanned component gives (its CPE, PURL and upstream version). */
void it_match_query_of(const struct it_component *c, struct it_match_query *q);

#endif

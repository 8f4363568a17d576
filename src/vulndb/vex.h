/*
 * VEX input: the maker's statements about their product's vulnerabilities, from a
 * CycloneDX VEX or a CSAF 2.0 VEX document, applied to a scan's matches.
 */
#ifndef IOTRUST_VULNDB_VEX_H
#define IOTRUST_VULNDB_VEX_H

#include <jansson.h>

#include "iotrust/error.h"
#include "iotrust/inspect.h"

/* Load a VEX file into a list of statements
 * [{"id","products":[PURL|CPE|bom-ref|"name:NAME[@VERSION]"...],"status","justification",
 * "detail"}].
 * Errors (IT_ERR_INPUT) name the file and what was expected. */
int it_vex_load(const char *path, json_t **out, struct it_error *err);

/* Apply the statements to one match (an object of src/vulndb/match.h) of component c
 * (bom_ref may be NULL): the last statement naming both wins; sets "status" and
 * "vex": {"file","status","justification","detail"}. Returns how many applied. */
size_t it_vex_apply(const json_t *statements, json_t *match, const struct it_component *c,
                    const char *bom_ref, const char *vex_file);

#endif

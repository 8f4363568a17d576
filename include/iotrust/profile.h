/*
 * Product profiles and declarations (docs/profile.md): a maker's YAML description of the
 * product (identity, vertical, data, actuation, exposure, third parties, support, updates,
 * disclosure, markets) and its implementation conformance statement (answers keyed by
 * catalogue id), each validated strictly and returned as canonical JSON owned by the caller.
 * Every error is IT_ERR_INPUT (or IT_ERR_LIMIT) with file, line, column and the key path.
 */
#ifndef IOTRUST_PROFILE_H
#define IOTRUST_PROFILE_H
#include <jansson.h>
#include <stddef.h>

#include "iotrust/catalogue.h"
#include "iotrust/error.h"

#define IT_PROFILE_VERSION      1
#define IT_DECLARATIONS_VERSION 1

/* Read, parse and validate a profile; *out is the canonical JSON (docs/schema/
 * profile.schema.json), NULL on error. */
int it_profile_load(const char *path, json_t **out, struct it_error *err);
/* The same from memory; name is used in messages. */
int it_profile_load_mem(const char *name, const char *buf, size_t len, json_t **out,
                        struct it_error *err);

/* Read, parse and validate declarations against the catalogue: ids are global
 * ("uk-psti:1") or bare ETSI EN 303 645 ids ("5.1-1"); *out has them resolved to global ids. */
int it_declarations_load(const char *path, const struct it_catalogue *cat, json_t **out,
                         struct it_error *err);
int it_declarations_load_mem(const char *name, const char *buf, size_t len,
                             const struct it_catalogue *cat, json_t **out, struct it_error *err);

/* The closed list of verticals, in documentation order. */
size_t it_profile_vertical_count(void);
const char *it_profile_vertical(size_t i);

#endif

/*
 * The contract of one report writer: turn the canonical result into bytes.
 * Writers read the tree with jansson and append to out; they never fail on a
 * well-formed result except for out of memory.
 */
#ifndef IOTRUST_REPORT_WRITER_H
#define IOTRUST_REPORT_WRITER_H
#include "iotrust/report.h"

struct it_report_writer {
	const char *name;
	const char *help;
	int (*write)(const json_t *result, struct it_buf *out, struct it_error *err);
};

/* Shared by the writers (report.c). */
/* A string member of an object, or NULL. */
const char *it_report_str(const json_t *o, const char *key);
/* Append doc, two-space indented, keys in insertion order (plus extra jansson
 * flags), and a newline. A NULL doc (a failed build) is out of memory. */
int it_report_dump(const json_t *doc, size_t flags, struct it_buf *out, struct it_error *err);
/* SBOM writers: why a result cannot be mapped (missing required keys), or NULL. */
const char *it_report_malformed(const json_t *result);
/* digest -> number of components citing that file (NULL on out of memory), and
 * the one file digest that stands for a component itself, or NULL. */
json_t *it_report_file_uses(const json_t *components);
const char *it_report_single_file_sha256(const json_t *c, const json_t *file_uses);

extern const struct it_report_writer it_write_json, it_write_text, it_write_sarif,
        it_write_cyclonedx, it_write_spdx, it_write_csaf;

#endif

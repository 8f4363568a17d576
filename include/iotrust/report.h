/*
 * Report writers: every output format is produced from the canonical scan
 * result (a jansson tree that follows docs/schema/scan-result.schema.json), so
 * a writer computes nothing new. One writer per format (src/report/write_*.c),
 * listed in one table (src/report/report.c).
 */
#ifndef IOTRUST_REPORT_H
#define IOTRUST_REPORT_H
#include <jansson.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"

/* Write the result in a named format ("json", "cyclonedx", "spdx", "sarif",
 * "text") to out (appended). An unknown name is IT_ERR_USAGE. */
int it_report_write(const json_t *result, const char *format, struct it_buf *out,
                    struct it_error *err);

/* The format names, in table order (for --help and errors). */
size_t it_report_format_count(void);
const char *it_report_format_name(size_t i);
const char *it_report_format_help(size_t i); /* one line */

#endif

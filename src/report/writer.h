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

extern const struct it_report_writer it_write_json, it_write_text, it_write_sarif,
        it_write_cyclonedx, it_write_spdx;

#endif

/*
 * Writers of the assessment document (src/report/assess_*.c): every output of `iotrust
 * assess` is produced from the canonical assessment JSON (include/iotrust/assess.h).
 */
#ifndef IOTRUST_ASSESS_REPORT_H
#define IOTRUST_ASSESS_REPORT_H
#include <jansson.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"

/* format: "json" (canonical) or "text"; the bytes are appended to out. */
int it_assess_report_write(const json_t *assessment, const char *format, struct it_buf *out,
                           struct it_error *err);

/* SARIF 2.1.0: the scan's run (scan may be NULL) and a run for the provisions not met. */
int it_assess_sarif(const json_t *assessment, const json_t *scan, struct it_buf *out,
                    struct it_error *err);

/* One self-contained HTML5 page (inline CSS and SVG, nothing fetched; docs/assess.md
 * "HTML report"); every string of the document is escaped. */
int it_assess_html(const json_t *assessment, struct it_buf *out, struct it_error *err);

/* OSCAL 1.1.2 assessment-results JSON (docs/assess.md "OSCAL"). */
int it_assess_oscal(const json_t *assessment, struct it_buf *out, struct it_error *err);

#endif

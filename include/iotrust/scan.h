/*
 * The one orchestration of a scan: image -> unpack -> inspect -> canonical
 * result. The CLI, the server's scan workers and the tests all call it_scan();
 * it prints nothing and reports through callbacks.
 */
#ifndef IOTRUST_SCAN_H
#define IOTRUST_SCAN_H
#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "iotrust/data.h"
#include "iotrust/error.h"
#include "iotrust/inspect.h"
#include "iotrust/store.h"
#include "iotrust/unpack.h"

struct it_scan_options {
	struct it_unpack_limits limits;
	int no_nested;
	const struct it_data *data; /* required: catalogue, signatures, lists */
	uint64_t crack_budget_ms;
	int inspect; /* 0: unpack only (listing, extraction) */
	/* Optional: every entry also goes here first (listing, extraction);
	 * nonzero stops the scan (IT_ERR_CANCELLED). */
	it_entry_fn on_entry;
	it_diag_fn on_diag;
	it_progress_fn on_progress;
	void *user;
	const volatile int *cancel; /* set to nonzero from elsewhere to stop */
	time_t now;                 /* the scan's time (0: time(NULL)); for reproducible output */
	struct it_store *store;     /* optional: match the components against it */
	const char *vex;            /* optional: the maker's VEX file applied to the matches */
};
void it_scan_options_default(struct it_scan_options *o);

struct it_scan_result {
	char *image_name; /* base name: the first element of every chain */
	uint64_t image_size;
	char image_sha256[65];
	time_t scanned_at;
	uint64_t duration_ms;
	struct it_unpack_stats unpack;
	struct it_inspect *inspect; /* NULL when options.inspect was 0 */
	char **diagnostics;         /* formatted unpack diagnostics */
	size_t n_diagnostics;
	/* With options.store: one object per (component, vulnerability) as
	 * src/vulndb/match.h describes, plus "component_index"; else NULL. */
	json_t *vulnerabilities;
};

/* Scan the image at path. On success or when only problems were met (malformed
 * nested containers: err holds the IT_ERR_INPUT summary and -1 is returned),
 * *out holds the result; when the scan stopped (limit, unreadable image,
 * cancelled, out of memory) *out is NULL. */
int it_scan(const char *path, const struct it_scan_options *o, struct it_scan_result **out,
            struct it_error *err);
void it_scan_result_free(struct it_scan_result *r);

/* The canonical result (docs/schema/scan-result.schema.json). NULL on out of memory. */
json_t *it_scan_result_json(const struct it_scan_result *r, struct it_error *err);

/* Match the result's components against a store and apply a VEX file (may be NULL);
 * it_scan does this when given a store. */
int it_scan_match(struct it_scan_result *r, struct it_store *s, const char *vex,
                  struct it_error *err);

/* Number of findings at or above a severity. */
size_t it_scan_count_at_least(const struct it_scan_result *r, enum it_severity s);

#endif

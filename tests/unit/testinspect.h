/*
 * Helpers for inspector unit tests: run unpack + inspect over a directory tree
 * (packed as a tar by the real tar) or over an image file, with the built-in
 * data, and query the findings and components that came out.
 */
#ifndef IOTRUST_TESTINSPECT_H
#define IOTRUST_TESTINSPECT_H
#include <stddef.h>

#include "iotrust/inspect.h"

struct test_inspect {
	struct it_data *data;
	struct it_inspect *in;
};

/* Pack dir with `tar --owner=0 --group=0 --numeric-owner` (plus extra tar
 * options, may be ""), unpack and inspect it; fails the test on any error. */
void test_inspect_tree(struct test_inspect *t, const char *dir, const char *tar_opts);
/* Unpack and inspect an image file (carving, as the CLI does). */
void test_inspect_file(struct test_inspect *t, const char *path);
/* Unpack and inspect bytes in memory. */
void test_inspect_memory(struct test_inspect *t, const void *p, size_t len);
void test_inspect_free(struct test_inspect *t);

/* Findings of check_id whose path ends with path_suffix (NULL: any path). */
size_t test_findings(const struct test_inspect *t, const char *check_id, const char *path_suffix);
/* The first finding of check_id at path_suffix, or NULL. */
const struct it_finding *test_finding(const struct test_inspect *t, const char *check_id,
                                      const char *path_suffix);
/* The component with this name (and version, unless NULL), or NULL. */
const struct it_component *test_component(const struct test_inspect *t, const char *name,
                                          const char *version);
/* Print every finding and component (call before a failing assertion). */
void test_inspect_dump(const struct test_inspect *t);

#endif

/*
 * Data files that analysts edit (check catalogue, version signatures, default
 * passwords): the copies under data/ are built into the library at compile time,
 * and a directory given at run time replaces them file by file.
 */
#ifndef IOTRUST_DATA_H
#define IOTRUST_DATA_H
#include <stddef.h>
#include <stdint.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"

struct it_data;

/* Open the data set: dir NULL uses only the built-in copies; otherwise a file
 * present in dir (same relative name, e.g. "signatures/busybox.json") wins. */
int it_data_open(struct it_data **out, const char *dir, struct it_error *err);
void it_data_close(struct it_data *d);

/* Read one data file ("checks.json") into out (replacing its contents). The
 * error names the file; a missing file is IT_ERR_INPUT. */
int it_data_read(const struct it_data *d, const char *name, struct it_buf *out,
                 struct it_error *err);

/* Call fn for every data file whose name starts with prefix (e.g. "signatures/"),
 * in name order, each name once; fn returns nonzero to stop (that value is returned). */
typedef int (*it_data_fn)(void *user, const char *name);
int it_data_each(const struct it_data *d, const char *prefix, it_data_fn fn, void *user,
                 struct it_error *err);

/* Where a name comes from, for messages: "data/checks.json (built in)" or a path. */
const char *it_data_origin(const struct it_data *d);

#endif

/*
 * Helpers for cmocka unit tests: run the unpacker over bytes in memory and
 * collect what it delivered (entries as "type path" lines with their data,
 * diagnostics), and build small inputs (compress with a system tool).
 */
#ifndef IOTRUST_TESTUTIL_H
#define IOTRUST_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "iotrust/buf.h"
#include "iotrust/unpack.h"

struct collected {
	struct it_buf
	        listing;     /* one line per entry: "<type> <mode> <size> <chain>!/<path>[ -> t]" */
	struct it_buf data;  /* concatenated bytes of every regular file and payload */
	struct it_buf diags; /* one formatted diagnostic per line */
	size_t entries;
	int rc;
	struct it_error err;
	struct it_unpack_stats stats;
};

/* Run the unpacker over data (carving like the CLI, or as `format` when not
 * NULL) with the test's own entry callback; each diagnostic is appended to
 * diags as one formatted line. Returns what it_unpack_memory returns. */
int test_unpack(const char *format, const uint8_t *data, size_t len,
                const struct it_unpack_limits *limits, it_entry_fn on_entry, void *user,
                struct it_buf *diags, struct it_unpack_stats *stats, struct it_error *err);

/* Unpack data (carving from offset 0 like the CLI, or as `format` when not NULL). */
void collect_unpack(struct collected *c, const char *format, const uint8_t *data, size_t len,
                    const struct it_unpack_limits *limits);
void collected_free(struct collected *c);
/* Does the listing contain this substring? */
int listing_has(const struct collected *c, const char *needle);

/* Read a whole file into buf; 0 or -1. */
int read_file(const char *path, struct it_buf *buf);
/* Run `sh -c cmd` feeding `in` on stdin and capturing stdout into out. 0 or -1. */
int run_filter(const char *cmd, const uint8_t *in, size_t inlen, struct it_buf *out);
/* Run a shell command built from fmt (with /usr/sbin and /sbin on PATH, where
 * mkfs tools live). 0 when it exits 0; otherwise the command and its output go
 * to stderr and the result is -1. */
int test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write n bytes to dir/rel (its directories made as needed) and set its mode: 0 or -1. */
int test_put(const char *dir, const char *rel, const void *p, size_t n, unsigned mode);

/* A scratch directory /tmp/iotrust-<tag>-XXXXXX, removed with everything in it. */
struct test_dir {
	char dir[64];
};
int test_dir_open(struct test_dir *d, const char *tag);
void test_dir_close(struct test_dir *d);

/* Append one line comparable with `find -printf '%y %m %P -> %l\n'` on the
 * source tree: type letter, octal mode, path, symlink target. */
void test_find_line(struct it_buf *out, const struct it_entry *e);
/* Do root/a and root/b name the same inode (a hard link's path and target)? */
int test_same_inode(const char *root, const char *a, const char *b);

/* Path to tests/data/<name> (static buffer, for test use only). */
const char *test_data(const char *name);

#endif

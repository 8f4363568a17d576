/*
 * The contract between the unpack engine and one format reader (STYLE.md §1).
 * A reader is a table: a name used in chains, the magic bytes that make it a
 * carving candidate, a probe that says how sure it is, and an unpack function
 * that reports what it finds through the job: child blobs (decompressed
 * streams, partitions, payloads) which the engine unpacks again, or file
 * entries. Readers never recurse, print, or write files themselves.
 */
#ifndef IOTRUST_UNPACK_FORMAT_H
#define IOTRUST_UNPACK_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"
#include "iotrust/unpack.h"

struct it_job; /* the engine's state for the container being unpacked */

/* Confidence levels returned by probe(). */
#define IT_PROBE_NO   0
#define IT_PROBE_WEAK 30 /* magic only: a failed unpack is silently "not a container" */
#define IT_PROBE_STRONG                                                                            \
	80 /* header checksum or several consistent fields: a failed                               \
	      unpack is reported as a malformed container */

struct it_magic {
	const char *bytes; /* NULL ends the list */
	size_t len;
	size_t offset; /* where the magic sits relative to the start of the format */
};

struct it_format {
	const char *name;
	struct it_magic magic[4];
	/* How sure is the reader that a container starts at p? p[0..avail) is all
	 * the bytes from the candidate position to the end of the blob. */
	int (*probe)(const uint8_t *p, size_t avail);
	/* Unpack the container starting at p. On success set *consumed to the
	 * bytes it occupies (at least 1), so carving continues after it. On
	 * failure return -1 with err set; offsets in err are relative to p. */
	int (*unpack)(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
	              struct it_error *err);
};

/* How a child blob is searched. */
enum it_blob_search {
	IT_BLOB_CARVE, /* any offset: firmware payloads, decompressed streams */
	IT_BLOB_HEAD   /* offset 0 only: files inside file systems and archives */
};

/*
 * Report a child blob (e.g. a decompressed stream or a partition). `label`
 * names the child when it has a name of its own (a FIT image node, a TRX
 * partition index), else NULL. `offset` is where the child's bytes start in
 * the container (0 for decompressed output; informative only: chains name a
 * child by its label, and offsets inside it count from its start). The blob
 * is unpacked before this returns; the data must stay valid until then. If
 * no format is found in it, it is delivered as an IT_ENTRY_PAYLOAD entry.
 * Returns 0, or -1 when the engine must stop (limit, cancel), with err set.
 */
int it_job_blob(struct it_job *job, const char *label, const uint8_t *data, size_t len,
                uint64_t offset, enum it_blob_search search, struct it_error *err);

/* How the bytes of an entry are read on demand. load() appends to out until
 * out->len >= want or the entry ends; it is called with growing `want`, and the
 * reader keeps its own position (sequential readers such as libarchive). */
struct it_entry_reader {
	int (*load)(void *ctx, const struct it_entry *e, struct it_buf *out, size_t want,
	            struct it_error *err);
	void *ctx;
};

/*
 * Report a file entry. The engine fills chain and depth, normalises and checks
 * the path, checks limits, calls the user, and looks inside regular files for
 * nested containers. `data` may be non-NULL when the bytes are already in
 * memory (then reader is ignored); otherwise reader gives them on demand.
 * Returns 0, or -1 when the engine must stop, with err set. A refused entry
 * (unsafe path) is reported as a diagnostic and returns 0.
 */
int it_job_entry(struct it_job *job, struct it_entry *e, const uint8_t *data,
                 const struct it_entry_reader *reader, struct it_error *err);

/* A decompressor calls this as its output grows, with cumulative counts for its
 * one stream: checks the ratio, the per-file and the total limits, and counts
 * the output towards the total. Returns 0, or -1 with err (IT_ERR_LIMIT). */
int it_job_check_output(struct it_job *job, uint64_t in_bytes, uint64_t out_bytes,
                        struct it_error *err);

/* The same ratio and per-file checks for the bytes of one entry that a reader
 * decompresses on demand (a zip member, a JFFS2 file), with counts for that
 * entry alone. The total is not touched: the engine counts an entry's bytes
 * when they are loaded. Returns 0, or -1 with err (IT_ERR_LIMIT). */
int it_job_check_entry_output(struct it_job *job, uint64_t in_bytes, uint64_t out_bytes,
                              struct it_error *err);

/* Report a non-fatal problem (it counts towards exit code 3). */
void it_job_diag(struct it_job *job, enum it_errcode code, uint64_t offset, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

const struct it_unpack_limits *it_job_limits(const struct it_job *job);
/* The chain of the container being unpacked, e.g. "fw.bin@0x40:uimage". */
const char *it_job_chain(const struct it_job *job);

/* The registry (formats.c): every reader, NULL-terminated. */
extern const struct it_format *const it_formats[];

/* Decompress into out using the job's limits (shared by readers that hold
 * compressed blocks, e.g. cramfs, lzma in uImage). Declared by the compression
 * readers that provide them. */

#endif

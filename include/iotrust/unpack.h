/*
 * Streaming firmware unpacker. An image is searched for known formats at any
 * offset (carving); compressed streams, firmware containers and file systems are
 * opened in memory, nested containers are unpacked again, and every file entry
 * is handed to a callback as it is produced. Entry pointers are only valid
 * during the callback. Every length read from the image is bounded by limits.
 */
#ifndef IOTRUST_UNPACK_H
#define IOTRUST_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"

enum it_entry_type {
	IT_ENTRY_FILE,
	IT_ENTRY_DIR,
	IT_ENTRY_SYMLINK,
	IT_ENTRY_HARDLINK,
	IT_ENTRY_CHAR,
	IT_ENTRY_BLOCK,
	IT_ENTRY_FIFO,
	IT_ENTRY_SOCKET,
	IT_ENTRY_PAYLOAD /* a blob that is no known container (e.g. a kernel image) */
};

struct it_entry_src; /* private: how the entry's bytes are read */

struct it_entry {
	const char *path;  /* normalised, relative to the container root, no leading '/';
	                      "" for a payload */
	const char *chain; /* container chain, e.g. "fw.bin@0x40:uimage:gzip:cpio" */
	enum it_entry_type type;
	uint32_t mode; /* permission bits incl. setuid/setgid/sticky, no type bits */
	uint32_t uid, gid;
	uint64_t size;             /* bytes of data (regular files and payloads) */
	int64_t mtime;             /* seconds since the epoch, 0 when unknown */
	const char *link_target;   /* symlink target as stored, hardlink target path; else NULL */
	unsigned depth;            /* number of containers around the entry */
	struct it_entry_src *src_; /* private */
};

/* The whole contents of a regular file or payload, read on demand, cached for the
 * rest of the callback. Returns 0, or -1 with err set (bounded by max_file_bytes). */
int it_entry_bytes(const struct it_entry *e, const uint8_t **data, size_t *len,
                   struct it_error *err);

/* Named safety limits; every one can be changed on the command line. */
struct it_unpack_limits {
	uint64_t max_total_bytes; /* all bytes produced by decompression and extraction */
	uint64_t max_file_bytes;  /* one file's or one decompressed stream's bytes */
	uint64_t max_entries;     /* file entries over the whole image */
	unsigned max_depth;       /* containers inside containers */
	unsigned max_ratio;       /* decompressed:compressed bytes for one stream */
	size_t max_path;          /* bytes in one entry path */
};

#define IT_DEFAULT_MAX_TOTAL_BYTES ((uint64_t)8 << 30) /* 8 GiB */
#define IT_DEFAULT_MAX_FILE_BYTES  ((uint64_t)1 << 30) /* 1 GiB */
#define IT_DEFAULT_MAX_ENTRIES     1000000u
#define IT_DEFAULT_MAX_DEPTH       16u
#define IT_DEFAULT_MAX_RATIO       1000u
#define IT_DEFAULT_MAX_PATH        4096u

void it_unpack_limits_default(struct it_unpack_limits *l);

/* Return 0 to go on; any other value stops the unpacking (IT_ERR_CANCELLED). */
typedef int (*it_entry_fn)(void *user, const struct it_entry *e);
/* A problem that did not stop the unpacking (a corrupt nested container, a
 * refused unsafe entry). It still makes the run's exit code 3. */
typedef void (*it_diag_fn)(void *user, const struct it_error *diag);
typedef void (*it_progress_fn)(void *user, uint64_t bytes_in, uint64_t bytes_total,
                               uint64_t entries);

struct it_unpack_options {
	struct it_unpack_limits limits;
	it_entry_fn on_entry;
	it_diag_fn on_diag;
	it_progress_fn on_progress; /* called at most every few MiB or thousand entries */
	void *user;
	int no_nested; /* do not look inside files of file systems and archives */
};

void it_unpack_options_default(struct it_unpack_options *o);

struct it_unpack_stats {
	uint64_t entries;    /* entries delivered */
	uint64_t containers; /* containers opened */
	uint64_t bytes_out;  /* bytes produced by decompression */
	uint64_t problems;   /* diagnostics reported (each also sent to on_diag) */
};

/* Unpack the image at path (mapped read-only). `name` is the first element of
 * every chain (usually the base name). Returns 0 when the whole image was
 * processed without problems; -1 with err set when unpacking stopped (limit,
 * unreadable image, cancelled) or when problems were reported (then err holds
 * a summary with code IT_ERR_INPUT). */
int it_unpack_file(const char *path, const char *name, const struct it_unpack_options *opt,
                   struct it_unpack_stats *stats, struct it_error *err);
int it_unpack_memory(const uint8_t *data, size_t len, const char *name,
                     const struct it_unpack_options *opt, struct it_unpack_stats *stats,
                     struct it_error *err);
/* Like it_unpack_memory, but the data must be the named format at offset 0 (no
 * carving at the top). For fuzzing one reader and for unit tests. */
int it_unpack_memory_as(const char *format, const uint8_t *data, size_t len, const char *name,
                        const struct it_unpack_options *opt, struct it_unpack_stats *stats,
                        struct it_error *err);

/* The supported formats, in registry order. */
size_t it_unpack_format_count(void);
const char *it_unpack_format_name(size_t i);

const char *it_entry_type_name(enum it_entry_type t);

/* Safe extraction: writes entries below a directory, never outside it. */
struct it_extractor;
int it_extractor_open(struct it_extractor **out, const char *dir, struct it_error *err);
/* Write one entry; unsafe entries are refused with IT_ERR_UNSAFE (nothing written). */
int it_extractor_put(struct it_extractor *x, const struct it_entry *e, struct it_error *err);
void it_extractor_close(struct it_extractor *x);

/* Path rules shared by the unpacker and the extractor. */
/* Normalise an archive path into out: strip leading "./" and "/", collapse "//"
 * and "/./". Returns 0, or -1 with err (IT_ERR_UNSAFE) when a ".." component
 * remains or the path is too long; `absolute` is set when the input was absolute. */
int it_path_normalise(const char *in, size_t max_path, struct it_buf *out, int *absolute,
                      struct it_error *err);

#endif

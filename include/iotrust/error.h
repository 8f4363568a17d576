/*
 * it_error: the one error type of iotrust. A failing function fills the caller's
 * it_error with a category (which maps to the CLI exit code), where it happened
 * (file or container chain, byte offset or line) and a message, and returns -1.
 */
#ifndef IOTRUST_ERROR_H
#define IOTRUST_ERROR_H

#include <stdint.h>

enum it_errcode {
	IT_OK = 0,
	IT_ERR_USAGE,    /* bad arguments: exit 2 */
	IT_ERR_INPUT,    /* unreadable or malformed input: exit 3 */
	IT_ERR_LIMIT,    /* a safety limit was reached on this input: exit 3 */
	IT_ERR_UNSAFE,   /* input tried to escape (path traversal, symlink escape): exit 3 */
	IT_ERR_IO,       /* cannot write output: exit 4 */
	IT_ERR_NOMEM,    /* out of memory: exit 4 */
	IT_ERR_INTERNAL, /* a bug or unexpected library failure: exit 4 */
	IT_ERR_CANCELLED /* the caller asked to stop: exit 4 unless the caller decides */
};

#define IT_NO_OFFSET UINT64_MAX

struct it_error {
	enum it_errcode code;
	char *where;                /* file name or container chain, owned; may be NULL */
	uint64_t offset;            /* byte offset in `where`, or IT_NO_OFFSET */
	unsigned long line, column; /* 1-based for text inputs, 0 when unknown */
	char *message;              /* owned; may be NULL */
};

#define IT_ERROR_INIT                                                                              \
	{                                                                                          \
		IT_OK, NULL, IT_NO_OFFSET, 0, 0, NULL                                              \
	}

/* Record an error (replacing any previous one) and return -1, so callers can
 * write `return it_error_set(...)`. `where` may be NULL. */
int it_error_set(struct it_error *err, enum it_errcode code, const char *where, uint64_t offset,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int it_error_set_line(struct it_error *err, enum it_errcode code, const char *where,
                      unsigned long line, unsigned long column, const char *fmt, ...)
        __attribute__((format(printf, 6, 7)));
/* it_error_set(err, IT_ERR_NOMEM, ..., "out of memory"): returns -1. */
int it_error_nomem(struct it_error *err);
/* Prefix the message with more context: "context: old message". */
void it_error_prefix(struct it_error *err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void it_error_clear(struct it_error *err);
/* Move src into dst (dst's old contents are freed, src is reset). */
void it_error_move(struct it_error *dst, struct it_error *src);
/* "where: offset 0x1f (31): message" (or "where:12:3: message"); caller frees. */
char *it_error_format(const struct it_error *err);
/* Process exit code for an error category (0, 2, 3 or 4). */
int it_error_exit_code(enum it_errcode code);
const char *it_errcode_name(enum it_errcode code);

#endif

/*
 * it_buf: the one growable byte buffer of iotrust (after git's strbuf).
 * The data is always NUL-terminated once allocated, so text can be read as a C
 * string; growth is bounded by IT_BUF_MAX and every append reports failure.
 */
#ifndef IOTRUST_BUF_H
#define IOTRUST_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define IT_BUF_MAX ((size_t)1 << 40)

struct it_buf {
	uint8_t *data; /* NULL until the first append; then data[len] == 0 */
	size_t len;
	size_t cap;
};

#define IT_BUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Make room for at least extra more bytes (plus the terminator). 0 or -1 (ENOMEM/limit). */
int it_buf_reserve(struct it_buf *b, size_t extra);
int it_buf_append(struct it_buf *b, const void *p, size_t n);
int it_buf_puts(struct it_buf *b, const char *s);
int it_buf_putc(struct it_buf *b, char c);
int it_buf_printf(struct it_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int it_buf_vprintf(struct it_buf *b, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));
/* Shorten to n bytes (n <= len). */
void it_buf_truncate(struct it_buf *b, size_t n);
/* The contents as a C string ("" when empty); valid until the next change. */
const char *it_buf_str(const struct it_buf *b);
/* Hand the allocation to the caller (never NULL on success) and reset b. */
char *it_buf_detach(struct it_buf *b);
void it_buf_free(struct it_buf *b);

/* Grow the array *arrp (of *cap elements of elem bytes) so index n fits, doubling from
 * 16. 0, or -1 on overflow or ENOMEM with *arrp untouched. */
int it_array_grow(void *arrp, size_t *cap, size_t n, size_t elem);

#endif

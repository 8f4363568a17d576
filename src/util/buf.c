/*
 * it_buf implementation: a bounded, always NUL-terminated growable buffer.
 * Capacity grows geometrically; every size computation is checked for overflow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/buf.h"

int it_buf_reserve(struct it_buf *b, size_t extra)
{
	if (extra > IT_BUF_MAX || b->len > IT_BUF_MAX - extra)
		return -1;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > IT_BUF_MAX / 2 ? need : cap * 2;
	uint8_t *p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	b->data[b->len] = 0;
	return 0;
}

int it_buf_append(struct it_buf *b, const void *p, size_t n)
{
	if (it_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int it_buf_puts(struct it_buf *b, const char *s)
{
	return it_buf_append(b, s, strlen(s));
}

int it_buf_putc(struct it_buf *b, char c)
{
	return it_buf_append(b, &c, 1);
}

int it_buf_vprintf(struct it_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || it_buf_reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int it_buf_printf(struct it_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = it_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

void it_buf_truncate(struct it_buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->data[n] = 0;
	}
}

const char *it_buf_str(const struct it_buf *b)
{
	return b->data ? (const char *)b->data : "";
}

char *it_buf_detach(struct it_buf *b)
{
	if (!b->data && it_buf_reserve(b, 0) < 0)
		return NULL;
	char *s = (char *)b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void it_buf_free(struct it_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int it_array_grow(void *arrp, size_t *cap, size_t n, size_t elem)
{
	void **arr = arrp;
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap : 16;
	while (c <= n) {
		if (c > SIZE_MAX / 2 / elem)
			return -1;
		c *= 2;
	}
	void *q = realloc(*arr, c * elem);
	if (!q)
		return -1;
	*arr = q;
	*cap = c;
	return 0;
}

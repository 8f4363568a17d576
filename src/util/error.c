/*
 * it_error implementation: recording, prefixing and formatting errors, and the
 * mapping from error category to the CLI's exit codes (ARCHITECTURE.md).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

__attribute__((format(printf, 4, 0))) static void error_vset(struct it_error *err,
                                                             enum it_errcode code,
                                                             const char *where, const char *fmt,
                                                             va_list ap)
{
	struct it_buf msg = IT_BUF_INIT;
	it_buf_vprintf(&msg, fmt, ap);
	char *w = dup_or_null(where);
	it_error_clear(err);
	err->code = code;
	err->where = w;
	err->message = it_buf_detach(&msg);
}

int it_error_set(struct it_error *err, enum it_errcode code, const char *where, uint64_t offset,
                 const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	error_vset(err, code, where, fmt, ap);
	va_end(ap);
	err->offset = offset;
	return -1;
}

int it_error_nomem(struct it_error *err)
{
	return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
}

int it_error_set_line(struct it_error *err, enum it_errcode code, const char *where,
                      unsigned long line, unsigned long column, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	error_vset(err, code, where, fmt, ap);
	va_end(ap);
	err->line = line;
	err->column = column;
	return -1;
}

void it_error_prefix(struct it_error *err, const char *fmt, ...)
{
	struct it_buf msg = IT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	it_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	it_buf_printf(&msg, ": %s", err->message ? err->message : "error");
	free(err->message);
	err->message = it_buf_detach(&msg);
}

void it_error_clear(struct it_error *err)
{
	free(err->where);
	free(err->message);
	err->code = IT_OK;
	err->where = NULL;
	err->offset = IT_NO_OFFSET;
	err->line = err->column = 0;
	err->message = NULL;
}

void it_error_move(struct it_error *dst, struct it_error *src)
{
	if (dst == src)
		return;
	it_error_clear(dst);
	*dst = *src;
	src->where = NULL;
	src->message = NULL;
	it_error_clear(src);
}

char *it_error_format(const struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	if (err->where) {
		it_buf_puts(&b, err->where);
		if (err->line) {
			it_buf_printf(&b, ":%lu", err->line);
			if (err->column)
				it_buf_printf(&b, ":%lu", err->column);
		} else if (err->offset != IT_NO_OFFSET) {
			it_buf_printf(&b, ": offset 0x%llx (%llu)", (unsigned long long)err->offset,
			              (unsigned long long)err->offset);
		}
		it_buf_puts(&b, ": ");
	}
	it_buf_puts(&b, err->message ? err->message : it_errcode_name(err->code));
	return it_buf_detach(&b);
}

int it_error_exit_code(enum it_errcode code)
{
	switch (code) {
	case IT_OK:
		return 0;
	case IT_ERR_USAGE:
		return 2;
	case IT_ERR_INPUT:
	case IT_ERR_LIMIT:
	case IT_ERR_UNSAFE:
		return 3;
	default:
		return 4;
	}
}

const char *it_errcode_name(enum it_errcode code)
{
	static const char *const names[] = {
	        [IT_OK] = "ok",
	        [IT_ERR_USAGE] = "usage error",
	        [IT_ERR_INPUT] = "malformed input",
	        [IT_ERR_LIMIT] = "limit reached",
	        [IT_ERR_UNSAFE] = "unsafe input refused",
	        [IT_ERR_IO] = "output error",
	        [IT_ERR_NOMEM] = "out of memory",
	        [IT_ERR_INTERNAL] = "internal error",
	        [IT_ERR_CANCELLED] = "cancelled",
	};
	if ((unsigned)code < sizeof names / sizeof names[0] && names[code])
		return names[code];
	return "error";
}

/*
 * Path rules for entries from untrusted containers. A path is split on '/',
 * empty and "." components are dropped, and any ".." is refused outright
 * (never resolved), so a normalised path can only name something below its
 * container's root. Absolute paths are reported so callers can refuse them.
 */
#include <string.h>

#include "iotrust/unpack.h"

int it_path_normalise(const char *in, size_t max_path, struct it_buf *out, int *absolute,
                      struct it_error *err)
{
	size_t inlen = strlen(in);
	it_buf_truncate(out, 0);
	if (absolute)
		*absolute = in[0] == '/';
	if (inlen > max_path)
		return it_error_set(err, IT_ERR_LIMIT, NULL, IT_NO_OFFSET,
		                    "entry path of %zu bytes is longer than the limit of %zu bytes "
		                    "(--max-path)",
		                    inlen, max_path);
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		const char *seg = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - seg);
		if (n == 0 || (n == 1 && seg[0] == '.'))
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.')
			return it_error_set(err, IT_ERR_UNSAFE, NULL, IT_NO_OFFSET,
			                    "refused entry '%s': '..' in path", in);
		if ((out->len && it_buf_putc(out, '/') < 0) || it_buf_append(out, seg, n) < 0)
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	}
	if (!out->data && it_buf_reserve(out, 0) < 0)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	return 0;
}

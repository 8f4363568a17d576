/*
 * libFuzzer harness for the element-by-element JSON walker of large NVD pages
 * (src/vulndb/stream.c). Every element handed over must be a complete JSON value that
 * re-parses on its own from its reported offset, a syntax error must lie inside the
 * input, and a walk that reports "not this shape" must not have handed anything over.
 * A violated property calls abort(), so libFuzzer keeps the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/stream.h"

struct ctx {
	const char *text;
	size_t n, calls;
};

static int any_object(const json_t *item)
{
	return json_is_object(item);
}

static int each(void *user, json_t *item, size_t index, size_t offset)
{
	struct ctx *c = user;
	if (index != c->calls++ || offset >= c->n)
		abort();
	json_error_t e;
	json_t *again = json_loadb(c->text + offset, c->n - offset,
	                           JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &e);
	if (!again || !json_equal(again, item))
		abort();
	json_decref(again);
	return index == 1000 ? -1 : 0; /* and the stop path */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = {(const char *)data, size, 0};
	struct it_json_where w = {0};
	int rc = it_json_stream_array(c.text, size, "vulnerabilities", any_object, each, &c, &w);
	if ((rc == 0 && c.calls) || (rc == -1 && (w.offset > size || !c.calls || !w.msg[0])))
		abort();
	return 0;
}

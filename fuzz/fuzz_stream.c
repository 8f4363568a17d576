/*
 * libFuzzer harness for the NVD page reader that works straight from the text
 * (it_nvd_stream: yajl events, no JSON tree). Properties: a page it calls "not NVD" emitted
 * nothing; a syntax error lies inside the input and says what it is; and when jansson
 * also reads the whole input (without duplicate keys, on which parsers may differ), the
 * reader told the sink exactly what the whole-document importer (it_import_nvd) tells
 * it: the same records (JSON, brief, rows), malformed reports and skips, in order. A
 * violated property calls abort(), so libFuzzer keeps the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/importer.h"

struct log {
	struct it_buf b;
	size_t calls;
};

static void put(struct log *l, const char *s)
{
	it_buf_puts(&l->b, s ? s : "(null)");
	it_buf_putc(&l->b, '\n');
}

static int on_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	struct log *l = user;
	(void)err;
	l->calls++;
	put(l, v->id);
	put(l, v->json);
	put(l, v->brief);
	for (size_t i = 0; i < v->n_rows; i++) {
		const struct it_store_row *r = &v->rows[i];
		const char *f[] = {r->ns,    r->name, r->cpe,   r->version,
		                   r->start, r->end,  r->fixed, r->platform};
		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			put(l, f[k]);
	}
	return 0;
}

static void on_bad(void *user, const char *where, const char *msg)
{
	struct log *l = user;
	l->calls++;
	put(l, where);
	put(l, msg);
}

static void on_skip(void *user, const char *id, const char *why)
{
	struct log *l = user;
	l->calls++;
	put(l, id);
	put(l, why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log streamed = {IT_BUF_INIT, 0}, whole = {IT_BUF_INIT, 0};
	struct it_import_sink s1 = {on_vuln, NULL, on_bad, on_skip, &streamed};
	struct it_import_sink s2 = {on_vuln, NULL, on_bad, on_skip, &whole};
	struct it_json_where w = {0};
	struct it_error err = IT_ERROR_INIT;
	int rc = it_nvd_stream((const char *)data, size, "f.json", &s1, &w, &err);
	it_error_clear(&err);
	if ((rc == 0 && streamed.calls) || (rc == -1 && (w.offset > size || !w.msg[0])) || rc == -2)
		abort();
	json_t *doc =
	        rc == 1 ? json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (doc) {
		if (it_import_nvd(doc, "f.json", &s2, &err) < 0)
			abort();
		it_error_clear(&err);
		if (streamed.b.len != whole.b.len ||
		    (streamed.b.len && memcmp(streamed.b.data, whole.b.data, streamed.b.len) != 0))
			abort();
		json_decref(doc);
	}
	it_buf_free(&streamed.b);
	it_buf_free(&whole.b);
	return 0;
}

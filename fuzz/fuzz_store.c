/*
 * libFuzzer harness for the store's handling of untrusted record fields: the RFC 3339
 * parser on raw bytes, then a record built from the input's lines (id, source, modified,
 * published, severity, alias, row kind/ns/name/version/start/end/status) put twice into
 * an in-memory store, looked up, queried and rolled back. Build (from the repo root):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc fuzz/fuzz_store.c \
 *     src/store/store.c src/store/store_sqlite.c src/util/buf.c src/util/error.c \
 *     -lsqlite3 -ljansson -o /tmp/fuzz_store && /tmp/fuzz_store fuzz/corpus/store
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/store.h"
#include "store/backend.h"

enum {
	F_ID,
	F_SOURCE,
	F_MODIFIED,
	F_PUBLISHED,
	F_SEVERITY,
	F_ALIAS,
	F_KIND,
	F_NS,
	F_NAME,
	F_VERSION,
	F_START,
	F_END,
	F_STATUS,
	F_COUNT
};

static int on_row(void *user, const char *vuln_id, const struct it_store_row *r)
{
	(void)user;
	return vuln_id && r->name ? 0 : 1;
}

static int on_id(void *user, const char *id)
{
	(void)user;
	return id ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct it_store *s;
	struct it_error err = IT_ERROR_INIT;
	struct it_store_time t;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	it_store_time_parse(text, &t);

	/* Fields: one per line; missing ones are NULL. */
	const char *f[F_COUNT] = {0};
	char *p = text;
	for (int i = 0; i < F_COUNT && p; i++) {
		f[i] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	if (!s && it_store_open(&s, "sqlite::memory:", NULL, &err) < 0)
		abort();
	struct it_store_row row = {.kind = f[F_KIND],
	                           .ns = f[F_NS],
	                           .name = f[F_NAME],
	                           .scheme = "generic",
	                           .version = f[F_VERSION],
	                           .start = f[F_START],
	                           .end = f[F_END],
	                           .status = f[F_STATUS],
	                           .start_incl = 1};
	const char *aliases[1] = {f[F_ALIAS]};
	struct it_store_vuln v = {.id = f[F_ID],
	                          .source = f[F_SOURCE],
	                          .modified = f[F_MODIFIED],
	                          .published = f[F_PUBLISHED],
	                          .severity = f[F_SEVERITY],
	                          .score = size % 2 ? -1 : (double)(size % 11),
	                          .json = "{}",
	                          .aliases = aliases,
	                          .n_aliases = f[F_ALIAS] ? 1 : 0,
	                          .rows = &row,
	                          .n_rows = 1,
	                          .withdrawn = (int)(size % 3 == 0)};
	enum it_put res;
	struct it_buf b = IT_BUF_INIT;
	if (it_store_begin(s, &err) < 0)
		abort();
	if (it_store_put_vuln(s, &v, &res, &err) == 0) {
		if (it_store_put_vuln(s, &v, &res, &err) < 0 || res != IT_PUT_UNCHANGED)
			abort();
		if (it_store_get_vuln(s, v.id, &b, &err) != 1)
			abort();
		if (it_store_rows(s, row.kind, row.ns, row.name, on_row, NULL, &err) != 0)
			abort();
		if (f[F_ALIAS] && it_store_ids_with_alias(s, f[F_ALIAS], on_id, NULL, &err) != 0)
			abort();
	}
	it_error_clear(&err);
	struct it_store_kev k = {.cve = f[F_ID], .vendor = f[F_NS], .notes = f[F_STATUS]};
	if (it_store_put_kev(s, &k, &err) == 0 && it_store_get_kev(s, k.cve, &b, &err) != 1)
		abort();
	it_error_clear(&err);
	if (f[F_NAME] && it_store_feed_put(s, f[F_NAME], f[F_VERSION], f[F_MODIFIED], &err) == 0)
		it_store_feed_get(s, f[F_NAME], &b, &b, &err);
	it_error_clear(&err);
	it_store_rollback(s);
	it_buf_free(&b);
	free(text);
	return 0;
}

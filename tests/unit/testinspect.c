/*
 * Inspector test helpers: the real unpacker feeds the real inspectors, so a
 * test exercises exactly what `iotrust scan` does with the same bytes.
 */
#include "testinspect.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

struct feed {
	struct it_inspect *in;
	struct it_error err;
};

static int feed_entry(void *user, const struct it_entry *e)
{
	struct feed *f = user;
	return it_inspect_entry(f->in, e, &f->err) < 0 ? 1 : 0;
}

static void fail_with(const char *what, struct it_error *err)
{
	char *m = it_error_format(err);
	fprintf(stderr, "%s: %s\n", what, m);
	free(m);
	fail();
}

void test_inspect_memory(struct test_inspect *t, const void *p, size_t len)
{
	struct it_error err = IT_ERROR_INIT;
	memset(t, 0, sizeof(*t));
	if (it_data_open(&t->data, NULL, &err) < 0)
		fail_with("data", &err);
	struct it_inspect_options o;
	it_inspect_options_default(&o);
	o.data = t->data;
	if (it_inspect_new(&t->in, &o, &err) < 0)
		fail_with("inspect", &err);
	struct feed f = {t->in, IT_ERROR_INIT};
	struct it_buf diags = IT_BUF_INIT;
	struct it_unpack_stats stats; /* it_unpack_memory needs somewhere to count */
	int rc = test_unpack(NULL, p, len, NULL, feed_entry, &f, &diags, &stats, &err);
	if (f.err.code)
		fail_with("inspect entry", &f.err);
	if (rc < 0) {
		fprintf(stderr, "%s", it_buf_str(&diags));
		fail_with("unpack", &err);
	}
	it_buf_free(&diags);
	if (it_inspect_finish(t->in, &err) < 0)
		fail_with("inspect finish", &err);
}

void test_inspect_file(struct test_inspect *t, const char *path)
{
	struct it_buf b = IT_BUF_INIT;
	if (read_file(path, &b) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		fail();
	}
	test_inspect_memory(t, b.data, b.len);
	it_buf_free(&b);
}

void test_inspect_tree(struct test_inspect *t, const char *dir, const char *tar_opts)
{
	struct it_buf cmd = IT_BUF_INIT, out = IT_BUF_INIT;
	it_buf_printf(&cmd,
	              "tar -C '%s' --owner=0 --group=0 --numeric-owner --sort=name %s -cf - .", dir,
	              tar_opts ? tar_opts : "");
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, &out), 0);
	test_inspect_memory(t, out.data, out.len);
	it_buf_free(&cmd);
	it_buf_free(&out);
}

void test_inspect_free(struct test_inspect *t)
{
	it_inspect_free(t->in);
	it_data_close(t->data);
	memset(t, 0, sizeof(*t));
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

const struct it_finding *test_finding(const struct test_inspect *t, const char *check_id,
                                      const char *path_suffix)
{
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++) {
		const struct it_finding *f = it_inspect_finding(t->in, i);
		if (strcmp(f->check->id, check_id) == 0 &&
		    (!path_suffix || ends_with(f->path, path_suffix)))
			return f;
	}
	return NULL;
}

size_t test_findings(const struct test_inspect *t, const char *check_id, const char *path_suffix)
{
	size_t n = 0;
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++) {
		const struct it_finding *f = it_inspect_finding(t->in, i);
		if (strcmp(f->check->id, check_id) == 0 &&
		    (!path_suffix || ends_with(f->path, path_suffix)))
			n++;
	}
	return n;
}

const struct it_component *test_component(const struct test_inspect *t, const char *name,
                                          const char *version)
{
	for (size_t i = 0; i < it_inspect_component_count(t->in); i++) {
		const struct it_component *c = it_inspect_component(t->in, i);
		if (strcmp(c->name, name) == 0 &&
		    (!version || (c->version && strcmp(c->version, version) == 0)))
			return c;
	}
	return NULL;
}

void test_inspect_dump(const struct test_inspect *t)
{
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++) {
		const struct it_finding *f = it_inspect_finding(t->in, i);
		fprintf(stderr, "finding %s %s %s!/%s:%u %s [%s]\n", f->check->id,
		        it_severity_name(f->severity), f->chain, f->path, f->line, f->message,
		        f->evidence ? f->evidence : "");
	}
	for (size_t i = 0; i < it_inspect_component_count(t->in); i++) {
		const struct it_component *c = it_inspect_component(t->in, i);
		fprintf(stderr, "component %s %s (%s, %s, %u) cpe=%s purl=%s\n", c->name,
		        c->version ? c->version : "-", it_found_by_name(c->found_by),
		        c->source ? c->source : "-", c->confidence, c->cpe ? c->cpe : "-",
		        c->purl ? c->purl : "-");
	}
}

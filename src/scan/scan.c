/*
 * it_scan(): map the image, hash it, unpack it as a stream and hand every
 * entry to the caller's hook and to the inspectors, then finish the
 * inspection. Diagnostics are kept for the result as well as passed on.
 */
#include "iotrust/scan.h"

#include <stdlib.h>
#include <string.h>

#include "iotrust/digest.h"
#include "iotrust/mapfile.h"
#include "vulndb/match.h"
#include "vulndb/vex.h"

struct run {
	const struct it_scan_options *opt;
	struct it_scan_result *res;
	struct it_error fatal; /* why a callback stopped the run */
};

void it_scan_options_default(struct it_scan_options *o)
{
	memset(o, 0, sizeof(*o));
	it_unpack_limits_default(&o->limits);
	o->crack_budget_ms = IT_DEFAULT_CRACK_BUDGET_MS;
	o->inspect = 1;
}

static int on_entry(void *user, const struct it_entry *e)
{
	struct run *r = user;
	if (r->opt->cancel && *r->opt->cancel) {
		it_error_set(&r->fatal, IT_ERR_CANCELLED, NULL, IT_NO_OFFSET, "scan cancelled");
		return 1;
	}
	if (r->opt->on_entry && r->opt->on_entry(r->opt->user, e) != 0)
		return 1;
	if (r->res->inspect && it_inspect_entry(r->res->inspect, e, &r->fatal) < 0)
		return 1;
	return 0;
}

static void on_diag(void *user, const struct it_error *diag)
{
	struct run *r = user;
	char *m = it_error_format(diag);
	if (m) {
		char **v = realloc(r->res->diagnostics,
		                   (r->res->n_diagnostics + 1) * sizeof(*r->res->diagnostics));
		if (v) {
			r->res->diagnostics = v;
			v[r->res->n_diagnostics++] = m;
		} else {
			free(m);
		}
	}
	if (r->opt->on_diag)
		r->opt->on_diag(r->opt->user, diag);
}

static void on_progress(void *user, uint64_t done, uint64_t total, uint64_t entries)
{
	struct run *r = user;
	if (r->opt->on_progress)
		r->opt->on_progress(r->opt->user, done, total, entries);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

int it_scan(const char *path, const struct it_scan_options *o, struct it_scan_result **out,
            struct it_error *err)
{
	*out = NULL;
	if (o->inspect && !o->data)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "scan: no data set given");
	uint64_t t0 = now_ms();
	struct it_scan_result *res = calloc(1, sizeof(*res));
	if (!res)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	res->scanned_at = o->now ? o->now : time(NULL);
	if (!(res->image_name = strdup(base_name(path)))) {
		free(res);
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	}
	struct it_mapfile m;
	if (it_mapfile_open(&m, path, err) < 0) {
		it_scan_result_free(res);
		return -1;
	}
	res->image_size = m.len;
	it_sha256_hex(m.data, m.len, res->image_sha256);
	if (o->inspect) {
		struct it_inspect_options io;
		it_inspect_options_default(&io);
		io.data = o->data;
		io.crack_budget_ms = o->crack_budget_ms;
		if (it_inspect_new(&res->inspect, &io, err) < 0) {
			it_mapfile_close(&m);
			it_scan_result_free(res);
			return -1;
		}
	}
	struct run r = {o, res, IT_ERROR_INIT};
	struct it_unpack_options uo;
	it_unpack_options_default(&uo);
	uo.limits = o->limits;
	uo.no_nested = o->no_nested;
	uo.on_entry = on_entry;
	uo.on_diag = on_diag;
	uo.on_progress = on_progress;
	uo.user = &r;
	int rc = it_unpack_memory(m.data, m.len, res->image_name, &uo, &res->unpack, err);
	it_mapfile_close(&m);
	if (rc < 0 && err->code == IT_ERR_CANCELLED && r.fatal.code != IT_OK) {
		it_error_clear(err);
		it_error_move(err, &r.fatal);
	}
	it_error_clear(&r.fatal);
	int problems_only = rc < 0 && err->code == IT_ERR_INPUT && res->unpack.problems > 0;
	if (rc < 0 && !problems_only) {
		it_scan_result_free(res);
		return -1;
	}
	if (res->inspect) {
		struct it_error e2 = IT_ERROR_INIT;
		if (it_inspect_finish(res->inspect, &e2) < 0) {
			it_error_clear(err);
			it_error_move(err, &e2);
			it_scan_result_free(res);
			return -1;
		}
	}
	if (res->inspect && o->store) {
		struct it_error e2 = IT_ERROR_INIT;
		if (it_scan_match(res, o->store, o->vex, &e2) < 0) {
			it_error_clear(err);
			it_error_move(err, &e2);
			it_scan_result_free(res);
			return -1;
		}
	}
	res->duration_ms = now_ms() - t0;
	*out = res;
	return rc;
}

int it_scan_match(struct it_scan_result *r, struct it_store *s, const char *vex,
                  struct it_error *err)
{
	json_t *statements = NULL;
	if (vex && it_vex_load(vex, &statements, err) < 0)
		return -1;
	json_decref(r->vulnerabilities);
	if (!(r->vulnerabilities = json_array())) {
		json_decref(statements);
		return it_error_nomem(err);
	}
	/* one read transaction: every component's queries see one snapshot, one lock; one
	 * matcher: a record met by several components is read once */
	struct it_matcher *m = NULL;
	int rc = it_matcher_new(&m, s, err), in_txn = 0;
	if (rc == 0)
		in_txn = (rc = it_store_begin_read(s, err)) == 0;
	for (size_t i = 0; rc == 0 && r->inspect && i < it_inspect_component_count(r->inspect);
	     i++) {
		const struct it_component *c = it_inspect_component(r->inspect, i);
		struct it_match_query q;
		it_match_query_of(c, &q);
		size_t before = json_array_size(r->vulnerabilities);
		rc = it_matcher_match(m, &q, 0, r->vulnerabilities, err);
		for (size_t k = before; rc == 0 && k < json_array_size(r->vulnerabilities); k++) {
			json_t *e = json_array_get(r->vulnerabilities, k);
			json_object_set_new(e, "component_index", json_integer((json_int_t)i));
			if (statements)
				it_vex_apply(statements, e, c, NULL, vex);
		}
	}
	if (rc == 0 && in_txn)
		rc = it_store_commit(s, err);
	else if (in_txn)
		it_store_rollback(s);
	it_matcher_free(m);
	json_decref(statements);
	return rc;
}

void it_scan_result_free(struct it_scan_result *r)
{
	if (!r)
		return;
	it_inspect_free(r->inspect);
	json_decref(r->vulnerabilities);
	for (size_t i = 0; i < r->n_diagnostics; i++)
		free(r->diagnostics[i]);
	free(r->diagnostics);
	free(r->image_name);
	free(r);
}

size_t it_scan_count_at_least(const struct it_scan_result *r, enum it_severity s)
{
	size_t n = 0;
	for (size_t i = 0; r->inspect && i < it_inspect_finding_count(r->inspect); i++)
		if (it_inspect_finding(r->inspect, i)->severity >= s)
			n++;
	return n;
}

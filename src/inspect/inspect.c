/*
 * The inspection core: loads the check catalogue (the JSON files under data/checks), runs
 * every registered inspector over each entry, and owns the findings and the
 * components they report. Strings handed to inspectors live in one list that
 * is freed with the context.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/inspector.h"
#include "iotrust/digest.h"

struct comp_impl {
	struct it_component pub; /* first: a comp_impl * is a it_component * */
	struct it_evidence *ev;
	size_t cap_ev;
	const char **dep;
	size_t cap_dep;
};

struct check_impl {
	struct it_check pub;
	const char **prov; /* NULL-terminated, strings in the arena */
};

struct it_inspect {
	struct it_inspect_options opt;
	struct check_impl *checks;
	size_t n_checks;
	struct it_finding *findings;
	size_t n_findings, cap_findings;
	struct comp_impl **comps;
	size_t n_comps, cap_comps;
	void **state; /* one per inspector */
	char **strs;  /* every string the context owns */
	size_t n_strs, cap_strs;
	struct it_inspect_stats stats;
	int finished;
};

static const char *const sev_names[IT_SEV_COUNT] = {"info", "low", "medium", "high", "critical"};

const char *it_severity_name(enum it_severity s)
{
	return (unsigned)s < IT_SEV_COUNT ? sev_names[s] : "unknown";
}

int it_severity_parse(const char *s, enum it_severity *out)
{
	for (int i = 0; i < IT_SEV_COUNT; i++)
		if (strcmp(s, sev_names[i]) == 0) {
			*out = (enum it_severity)i;
			return 0;
		}
	return -1;
}

const char *it_found_by_name(enum it_found_by f)
{
	static const char *const names[] = {"package-db", "banner", "signature", "filename"};
	return (unsigned)f < sizeof(names) / sizeof(names[0]) ? names[f] : "unknown";
}

void it_inspect_options_default(struct it_inspect_options *o)
{
	memset(o, 0, sizeof(*o));
	o->crack_budget_ms = IT_DEFAULT_CRACK_BUDGET_MS;
}

static char *own(struct it_inspect *in, char *s, struct it_error *err)
{
	if (!s || it_array_grow(&in->strs, &in->cap_strs, in->n_strs, sizeof(char *)) < 0) {
		free(s);
		it_error_nomem(err);
		return NULL;
	}
	in->strs[in->n_strs++] = s;
	return s;
}

char *it_inspect_strdup(struct it_inspect *in, const char *s, struct it_error *err)
{
	return own(in, strdup(s ? s : ""), err);
}

char *it_inspect_strndup(struct it_inspect *in, const char *s, size_t n, struct it_error *err)
{
	return own(in, strndup(s, n), err);
}

char *it_inspect_printf(struct it_inspect *in, struct it_error *err, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return own(in, s, err);
}

/* --- the catalogue ------------------------------------------------------- */

static const char *json_str(struct it_inspect *in, json_t *o, const char *key, int required,
                            const char *file, size_t idx, struct it_error *err)
{
	json_t *v = json_object_get(o, key);
	if (!v && !required)
		return NULL;
	if (!json_is_string(v)) {
		it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
		             "checks[%zu].%s: expected a string", idx, key);
		return NULL;
	}
	return it_inspect_strdup(in, json_string_value(v), err);
}

static int load_check(struct it_inspect *in, json_t *o, const char *file, size_t idx,
                      struct it_error *err)
{
	if (!json_is_object(o))
		return it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
		                    "checks[%zu]: expected an object", idx);
	struct check_impl c = {0};
	const char *sev;
	if (!(c.pub.id = json_str(in, o, "id", 1, file, idx, err)) ||
	    !(sev = json_str(in, o, "severity", 1, file, idx, err)) ||
	    !(c.pub.title = json_str(in, o, "title", 1, file, idx, err)) ||
	    !(c.pub.description = json_str(in, o, "description", 1, file, idx, err)) ||
	    !(c.pub.remediation = json_str(in, o, "remediation", 1, file, idx, err)))
		return -1;
	c.pub.cwe = json_str(in, o, "cwe", 0, file, idx, err);
	if (err->code)
		return -1;
	if (it_severity_parse(sev, &c.pub.severity) < 0)
		return it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
		                    "checks[%zu].severity: expected info, low, medium, high or "
		                    "critical, not \"%s\"",
		                    idx, sev);
	json_t *prov = json_object_get(o, "provisions");
	if (!json_is_array(prov))
		return it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
		                    "checks[%zu].provisions: expected an array of strings", idx);
	size_t np = json_array_size(prov);
	char *mem = own(in, calloc(np + 1, sizeof(char *)), err);
	if (!mem)
		return -1;
	c.prov = (const char **)(void *)mem;
	for (size_t i = 0; i < np; i++) {
		json_t *p = json_array_get(prov, i);
		if (!json_is_string(p))
			return it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
			                    "checks[%zu].provisions[%zu]: expected a string", idx,
			                    i);
		if (!(c.prov[i] = it_inspect_strdup(in, json_string_value(p), err)))
			return -1;
	}
	c.pub.provisions = c.prov;
	for (size_t i = 0; i < in->n_checks; i++)
		if (strcmp(in->checks[i].pub.id, c.pub.id) == 0)
			return it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
			                    "checks[%zu]: id \"%s\" is defined twice", idx,
			                    c.pub.id);
	struct check_impl *v = realloc(in->checks, (in->n_checks + 1) * sizeof(*v));
	if (!v)
		return it_error_nomem(err);
	in->checks = v;
	in->checks[in->n_checks++] = c;
	return 0;
}

struct load_ctx {
	struct it_inspect *in;
	struct it_error *err;
};

static int load_check_file(void *user, const char *name)
{
	struct load_ctx *l = user;
	json_t *root;
	if (it_data_load_json(l->in->opt.data, name, &root, l->err) < 0)
		return -1;
	json_t *arr = json_object_get(root, "checks");
	int rc = 0;
	if (!json_is_array(arr))
		rc = it_error_set(l->err, IT_ERR_INPUT, name, IT_NO_OFFSET,
		                  "expected an object with a \"checks\" array");
	for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++)
		rc = load_check(l->in, json_array_get(arr, i), name, i, l->err);
	json_decref(root);
	return rc;
}

static int cmp_check(const void *a, const void *b)
{
	return strcmp(((const struct check_impl *)a)->pub.id,
	              ((const struct check_impl *)b)->pub.id);
}

const struct it_check *it_inspect_check_find(const struct it_inspect *in, const char *id)
{
	struct check_impl key = {.pub.id = id};
	struct check_impl *c =
	        in->n_checks ? bsearch(&key, in->checks, in->n_checks, sizeof(*c), cmp_check)
	                     : NULL;
	return c ? &c->pub : NULL;
}

/* --- life cycle ---------------------------------------------------------- */

int it_inspect_new(struct it_inspect **out, const struct it_inspect_options *o,
                   struct it_error *err)
{
	*out = NULL;
	if (!o || !o->data)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "inspect: no data set given");
	struct it_inspect *in = calloc(1, sizeof(*in));
	if (!in)
		return it_error_nomem(err);
	in->opt = *o;
	struct load_ctx l = {in, err};
	if (it_data_each(o->data, "checks/", load_check_file, &l, err) != 0)
		goto fail;
	if (in->n_checks)
		qsort(in->checks, in->n_checks, sizeof(*in->checks), cmp_check);
	for (size_t i = 0; i < it_inspector_count; i++)
		for (const char *const *id = it_inspectors[i]->checks; id && *id; id++)
			if (!it_inspect_check_find(in, *id)) {
				it_error_set(err, IT_ERR_INPUT, "checks/", IT_NO_OFFSET,
				             "the %s inspector reports \"%s\", which no "
				             "checks/*.json file defines",
				             it_inspectors[i]->name, *id);
				goto fail;
			}
	if (!(in->state = calloc(it_inspector_count ? it_inspector_count : 1, sizeof(void *)))) {
		it_error_nomem(err);
		goto fail;
	}
	for (size_t i = 0; i < it_inspector_count; i++)
		if (it_inspectors[i]->create &&
		    it_inspectors[i]->create(in, &in->state[i], err) < 0)
			goto fail;
	*out = in;
	return 0;
fail:
	it_inspect_free(in);
	return -1;
}

void it_inspect_free(struct it_inspect *in)
{
	if (!in)
		return;
	for (size_t i = 0; in->state && i < it_inspector_count; i++)
		if (it_inspectors[i]->destroy && in->state[i])
			it_inspectors[i]->destroy(in->state[i]);
	free(in->state);
	for (size_t i = 0; i < in->n_comps; i++) {
		free(in->comps[i]->ev);
		free(in->comps[i]->dep);
		free(in->comps[i]);
	}
	free(in->comps);
	free(in->findings);
	free(in->checks);
	for (size_t i = 0; i < in->n_strs; i++)
		free(in->strs[i]);
	free(in->strs);
	free(in);
}

const struct it_inspect_options *it_inspect_opts(const struct it_inspect *in)
{
	return &in->opt;
}

int it_inspect_entry(struct it_inspect *in, const struct it_entry *e, struct it_error *err)
{
	in->stats.entries++;
	if (e->type == IT_ENTRY_FILE || e->type == IT_ENTRY_PAYLOAD)
		in->stats.files++;
	else if (e->type == IT_ENTRY_DIR)
		in->stats.dirs++;
	else if (e->type == IT_ENTRY_SYMLINK)
		in->stats.symlinks++;
	for (size_t i = 0; i < it_inspector_count; i++)
		if (it_inspectors[i]->entry &&
		    it_inspectors[i]->entry(in, in->state[i], e, err) < 0)
			return -1;
	return 0;
}

static int cmp_finding(const void *a, const void *b)
{
	const struct it_finding *x = a, *y = b;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	int c = strcmp(x->check->id, y->check->id);
	if (!c)
		c = strcmp(x->chain, y->chain);
	if (!c)
		c = strcmp(x->path, y->path);
	if (!c && x->line != y->line)
		c = x->line < y->line ? -1 : 1;
	if (!c)
		c = strcmp(x->message, y->message);
	return c;
}

static int cmp_comp(const void *a, const void *b)
{
	const struct it_component *x = *(struct it_component *const *)a;
	const struct it_component *y = *(struct it_component *const *)b;
	int c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->version ? x->version : "", y->version ? y->version : "");
	if (!c)
		c = strcmp(x->source ? x->source : "", y->source ? y->source : "");
	return c;
}

int it_inspect_finish(struct it_inspect *in, struct it_error *err)
{
	if (in->finished)
		return 0;
	in->finished = 1;
	for (size_t i = 0; i < it_inspector_count; i++)
		if (it_inspectors[i]->finish && it_inspectors[i]->finish(in, in->state[i], err) < 0)
			return -1;
	if (it_inventory_finalise(in, err) < 0)
		return -1;
	if (in->n_findings) /* qsort(NULL, 0, ...) is undefined (UBSan) */
		qsort(in->findings, in->n_findings, sizeof(*in->findings), cmp_finding);
	if (in->n_comps)
		qsort(in->comps, in->n_comps, sizeof(*in->comps), cmp_comp);
	return 0;
}

/* --- results ------------------------------------------------------------- */

size_t it_inspect_check_count(const struct it_inspect *in)
{
	return in->n_checks;
}

const struct it_check *it_inspect_check(const struct it_inspect *in, size_t i)
{
	return i < in->n_checks ? &in->checks[i].pub : NULL;
}

size_t it_inspect_finding_count(const struct it_inspect *in)
{
	return in->n_findings;
}

const struct it_finding *it_inspect_finding(const struct it_inspect *in, size_t i)
{
	return i < in->n_findings ? &in->findings[i] : NULL;
}

size_t it_inspect_component_count(const struct it_inspect *in)
{
	return in->n_comps;
}

const struct it_component *it_inspect_component(const struct it_inspect *in, size_t i)
{
	return i < in->n_comps ? &in->comps[i]->pub : NULL;
}

struct it_component *it_inspect_component_mut(struct it_inspect *in, size_t i)
{
	return i < in->n_comps ? &in->comps[i]->pub : NULL;
}

const struct it_inspect_stats *it_inspect_stats(const struct it_inspect *in)
{
	return &in->stats;
}

void it_inspect_count_elf(struct it_inspect *in)
{
	in->stats.elf_files++;
}

int it_inspect_bytes(struct it_inspect *in, const struct it_entry *e, const uint8_t **data,
                     size_t *len, struct it_error *err)
{
	struct it_error e2 = IT_ERROR_INIT;
	if (it_entry_bytes(e, data, len, &e2) == 0) {
		in->stats.bytes_read += *len;
		return 0;
	}
	if (e2.code == IT_ERR_INPUT) {
		/* The unpacker already reports a file it cannot read. */
		in->stats.skipped_files++;
		it_error_clear(&e2);
		return -1;
	}
	it_error_move(err, &e2);
	return -1;
}

int it_inspect_report(struct it_inspect *in, const char *check_id, int severity,
                      const struct it_finding_loc *loc, const char *evidence, struct it_error *err,
                      const char *fmt, ...)
{
	const struct it_check *c = it_inspect_check_find(in, check_id);
	if (!c)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "inspect: check \"%s\" is not in the catalogue", check_id);
	if (it_array_grow(&in->findings, &in->cap_findings, in->n_findings, sizeof(*in->findings)) <
	    0)
		return it_error_nomem(err);
	struct it_finding f = {.check = c, .line = loc->line};
	f.severity =
	        severity >= 0 && severity < IT_SEV_COUNT ? (enum it_severity)severity : c->severity;
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!(f.message = own(in, msg, err)) ||
	    !(f.chain = it_inspect_strdup(in, loc->chain, err)) ||
	    !(f.path = it_inspect_strdup(in, loc->path, err)) ||
	    (evidence && !(f.evidence = it_inspect_strdup(in, evidence, err))))
		return -1;
	in->findings[in->n_findings++] = f;
	return 0;
}

struct it_component *it_inspect_component_new(struct it_inspect *in, struct it_error *err)
{
	struct comp_impl *c;
	if (it_array_grow(&in->comps, &in->cap_comps, in->n_comps, sizeof(*in->comps)) < 0 ||
	    !(c = calloc(1, sizeof(*c)))) {
		it_error_nomem(err);
		return NULL;
	}
	in->comps[in->n_comps++] = c;
	return &c->pub;
}

void it_inspect_component_remove(struct it_inspect *in, size_t i)
{
	if (i >= in->n_comps)
		return;
	free(in->comps[i]->ev);
	free(in->comps[i]->dep);
	free(in->comps[i]);
	memmove(&in->comps[i], &in->comps[i + 1], (in->n_comps - i - 1) * sizeof(*in->comps));
	in->n_comps--;
}

int it_component_add_evidence(struct it_inspect *in, struct it_component *pub, const char *chain,
                              const char *path, const char *excerpt, const uint8_t *bytes,
                              size_t len, struct it_error *err)
{
	struct comp_impl *c = (struct comp_impl *)pub;
	if (it_array_grow(&c->ev, &c->cap_ev, c->pub.n_evidence, sizeof(*c->ev)) < 0)
		return it_error_nomem(err);
	struct it_evidence ev = {0};
	if (!(ev.chain = it_inspect_strdup(in, chain, err)) ||
	    !(ev.path = it_inspect_strdup(in, path, err)) ||
	    (excerpt && !(ev.excerpt = it_inspect_strdup(in, excerpt, err))))
		return -1;
	if (bytes)
		it_sha256_hex(bytes, len, ev.sha256);
	c->ev[c->pub.n_evidence++] = ev;
	c->pub.evidence = c->ev;
	return 0;
}

int it_component_add_depend(struct it_inspect *in, struct it_component *pub, const char *name,
                            struct it_error *err)
{
	struct comp_impl *c = (struct comp_impl *)pub;
	for (size_t i = 0; i < c->pub.n_depends; i++)
		if (strcmp(c->dep[i], name) == 0)
			return 0;
	if (it_array_grow(&c->dep, &c->cap_dep, c->pub.n_depends, sizeof(*c->dep)) < 0)
		return it_error_nomem(err);
	if (!(c->dep[c->pub.n_depends] = it_inspect_strdup(in, name, err)))
		return -1;
	c->pub.n_depends++;
	c->pub.depends = c->dep;
	return 0;
}

int it_redact(struct it_buf *out, const char *secret, size_t n)
{
	size_t keep = n > 8 ? 2 : 0;
	if (it_buf_append(out, secret, keep) < 0)
		return -1;
	return it_buf_printf(out, "…(%zu chars redacted)", n);
}

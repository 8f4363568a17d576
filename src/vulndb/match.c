/*
 * The matcher (docs/vulndb.md "Matching"). A component is looked up twice: by its
 * distribution package (ecosystem from the PURL's distro, the source package from its
 * upstream qualifier) against OSV/CSAF package rows, and by its CPE vendor:product
 * against NVD rows. Per CVE, a distribution record that knows the package decides
 * (so a Debian-patched version is not reported for a CVE Debian fixed); otherwise the
 * NVD ranges do. Rows that need a platform never match silently: they are reported
 * as "needs_platform". Never by product name alone: no CPE, no CPE match.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/vulndb.h"
#include "vulndb/match.h"

#define MAX_HITS 100000

/* One row that matched (or was ruled out by a distribution record). */
struct hit {
	char *vuln_id;
	char *group; /* the CVE id, or the record id when it has no CVE alias */
	char *status;
	char *fixed, *criteria, *range, *decided_by;
	int by_package; /* from a distribution/package row */
};

struct hits {
	struct hit *v;
	size_t n, cap;
};

/* What a matcher learns about records between queries (it_matcher): each record's CVE
 * group, and each entry's details (source, summary, severity, score, CVSS, KEV) as read
 * once from the store. */
struct cached_row {
	char *vuln_id;
	struct it_store_row r; /* its strings owned */
	char *cv;              /* criteria_version of a row with no version nor range */
};

struct rowset {
	struct cached_row *v;
	size_t n, cap;
};

struct it_matcher {
	struct it_store *s;
	json_t *groups;  /* record id -> CVE group */
	json_t *details; /* "group\nrecord" -> {source, summary, ...} */
	json_t *sets;    /* "kind\nns\nname" -> index into rowsets */
	struct rowset *rowsets;
	size_t n_sets, cap_sets, cached_rows;
};

#define MAX_CACHED_ROWS 2000000 /* past this, products are read from the store each time */

struct ctx {
	struct it_store *s;
	struct it_matcher *m;
	struct hits *h;
	const char *version; /* the component's version in the row's terms */
	char *pkg_version;   /* the package version of the PURL (a copy) */
	int by_package;
	struct it_error *err;
	int failed;
};

static void hit_free(struct hit *h)
{
	free(h->vuln_id);
	free(h->group);
	free(h->status);
	free(h->fixed);
	free(h->criteria);
	free(h->range);
	free(h->decided_by);
}

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* --- evaluating a row ----------------------------------------------------------------- */

/* The CPE's version and update attributes of a criteria ("...:openssh:9.2:p1:..." ->
 * "9.2p1"), or NULL when the version is ANY/NA. */
static char *version_of(const struct it_cpe *c)
{
	char *out = NULL;
	if (!c->any[IT_CPE_VERSION] && !c->na[IT_CPE_VERSION] && !c->wild[IT_CPE_VERSION]) {
		const char *upd =
		        c->any[IT_CPE_UPDATE] || c->na[IT_CPE_UPDATE] || c->wild[IT_CPE_UPDATE]
		                ? ""
		                : c->attr[IT_CPE_UPDATE];
		if (asprintf(&out, "%s%s", c->attr[IT_CPE_VERSION], upd) < 0)
			out = NULL;
	}
	return out;
}

static char *criteria_version(const char *cpe)
{
	struct it_cpe c;
	struct it_error e = IT_ERROR_INIT;
	if (!cpe || it_cpe_parse(&c, cpe, &e) < 0) {
		it_error_clear(&e);
		return NULL;
	}
	char *out = version_of(&c);
	it_cpe_free(&c);
	return out;
}

/* "a\nb[\nc]" into key (reset first): a cache key without printf. */
static int key_of(struct it_buf *key, const char *a, const char *b, const char *c)
{
	it_buf_truncate(key, 0);
	return it_buf_puts(key, a) | it_buf_putc(key, '\n') | it_buf_puts(key, b) |
	       (c ? it_buf_putc(key, '\n') | it_buf_puts(key, c) : 0);
}

/* Is version inside the row? cv is the version of the row's criteria (criteria_version)
 * for a row with neither an exact version nor a range. */
static int in_row(const struct ctx *x, const struct it_store_row *r, const char *cv)
{
	int ps = it_vscheme_parse(r->scheme); /* the row's source says how to compare */
	if (ps < 0)
		return 0; /* a scheme nobody can compare ("unparsed" ranges): no silent match */
	enum it_vscheme sc = (enum it_vscheme)ps;
	if (sc == IT_VS_GIT && !r->version)
		return 0; /* commit ranges say nothing about a version */
	if (r->version)
		return it_vers_cmp(sc, x->version, r->version) == 0;
	if (!r->start && !r->end) /* a criteria with a concrete version is one version */
		return cv ? it_vers_cmp(sc, x->version, cv) == 0 : 1;
	if (r->start) {
		int c = it_vers_cmp(sc, x->version, r->start);
		if (c < 0 || (c == 0 && !r->start_incl))
			return 0;
	}
	if (r->end) {
		int c = it_vers_cmp(sc, x->version, r->end);
		if (c > 0 || (c == 0 && !r->end_incl))
			return 0;
	}
	return 1;
}

/* The row's versions for people: "= 1.2", ">= 1.0, < 1.4", "all versions". */
static char *range_text(const struct it_store_row *r, const char *cv)
{
	char *out = NULL;
	int rc;
	if (r->version || (!r->start && !r->end))
		rc = r->version || cv ? asprintf(&out, "= %s", r->version ? r->version : cv)
		                      : asprintf(&out, "all versions");
	else
		rc = asprintf(&out, "%s%s%s%s%s", r->start ? (r->start_incl ? ">= " : "> ") : "",
		              r->start ? r->start : "", r->start && r->end ? ", " : "",
		              r->end ? (r->end_incl ? "<= " : "< ") : "", r->end ? r->end : "");
	return rc < 0 ? NULL : out;
}

/* The CVE a record stands for: its id, or its first CVE alias. */
static char *group_of(struct it_matcher *m, const char *id, struct it_error *err)
{
	if (strncmp(id, "CVE-", 4) == 0)
		return strdup(id);
	const char *known = json_string_value(json_object_get(m->groups, id));
	if (known)
		return strdup(known);
	struct it_buf b = IT_BUF_INIT;
	char *g = NULL;
	if (it_store_get_brief(m->s, id, &b, err) > 0) {
		json_t *rec = json_loadb((const char *)b.data, b.len, 0, NULL);
		json_t *al = json_object_get(rec, "aliases");
		for (size_t i = 0; !g && i < json_array_size(al); i++) {
			const char *a = json_string_value(json_array_get(al, i));
			if (a && strncmp(a, "CVE-", 4) == 0)
				g = strdup(a);
		}
		json_decref(rec);
	}
	it_buf_free(&b);
	if (!g)
		g = strdup(id);
	if (g)
		json_object_set_new(m->groups, id, json_string(g));
	return g;
}

static int add_hit(struct ctx *x, const char *vuln_id, const struct it_store_row *r,
                   const char *status, char *range)
{
	struct hits *h = x->h;
	if (h->n >= MAX_HITS || it_array_grow(&h->v, &h->cap, h->n, sizeof(*h->v)) < 0) {
		free(range);
		return -1;
	}
	struct hit *t = &h->v[h->n];
	memset(t, 0, sizeof(*t));
	t->vuln_id = strdup(vuln_id);
	t->group = group_of(x->m, vuln_id, x->err);
	t->status = strdup(status);
	t->fixed = dup0(r->fixed);
	t->criteria = dup0(r->cpe ? r->cpe : r->purl);
	t->range = range;
	t->by_package = x->by_package;
	h->n++;
	if (!t->vuln_id || !t->group || !t->status)
		return -1;
	return 0;
}

/* One row against the query; cv as for in_row. 0, or 1 to stop (out of memory). */
static int eval_row(struct ctx *x, const char *vuln_id, const struct it_store_row *r,
                    const char *cv)
{
	if (r->negate)
		return 0; /* "not on this platform" branches never match by themselves */
	int inside = in_row(x, r, cv);
	const char *status = NULL;
	if (strcmp(r->status, "affected") == 0 && inside)
		status = r->platform && x->by_package == 0 ? "needs_platform" : "affected";
	else if (strcmp(r->status, "affected") == 0 && x->by_package)
		status = "fixed"; /* the distribution knows the package: outside its ranges */
	else if (inside && strcmp(r->status, "affected") != 0)
		status = r->status; /* CSAF fixed / not_affected / under_investigation */
	if (!status)
		return 0;
	if (add_hit(x, vuln_id, r, status, range_text(r, cv)) < 0) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

/* it_store_row_fn for a store read that is not cached. */
static int on_row(void *user, const char *vuln_id, const struct it_store_row *r)
{
	int one = r->cpe && !r->version && !r->start && !r->end;
	char *cv = one ? criteria_version(r->cpe) : NULL;
	int rc = eval_row(user, vuln_id, r, cv);
	free(cv);
	return rc;
}

/* --- the matcher's copy of each product's rows ----------------------------------------- */

static void row_free(struct cached_row *c)
{
	const char **f[] = IT_STORE_ROW_STRINGS(&c->r);
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		free((char *)*f[i]);
	free(c->vuln_id);
	free(c->cv);
}

static int collect_row(void *user, const char *vuln_id, const struct it_store_row *r)
{
	struct rowset *set = user;
	if (it_array_grow(&set->v, &set->cap, set->n, sizeof(*set->v)) < 0)
		return 1;
	struct cached_row *c = &set->v[set->n++];
	struct it_store_row src = *r;
	const char **from[] = IT_STORE_ROW_STRINGS(&src), **to[] = IT_STORE_ROW_STRINGS(&c->r);
	c->r = *r; /* the flags; every string is replaced by a copy below */
	int failed = !(c->vuln_id = strdup(vuln_id));
	for (size_t i = 0; i < sizeof(to) / sizeof(to[0]); i++)
		if ((*to[i] = *from[i] ? strdup(*from[i]) : NULL) == NULL && *from[i])
			failed = 1;
	c->cv = r->cpe && !r->version && !r->start && !r->end ? criteria_version(r->cpe) : NULL;
	return failed;
}

/* Every row of the product against the query, the rows read from the store once per
 * matcher. */
static int rows_of(struct ctx *x, const char *kind, const char *ns, const char *name,
                   struct it_error *err)
{
	struct it_matcher *m = x->m;
	if (m->cached_rows >= MAX_CACHED_ROWS)
		return it_store_rows(m->s, kind, ns, name, on_row, x, err);
	struct it_buf key = IT_BUF_INIT;
	if (key_of(&key, kind, ns, name) < 0)
		return it_error_nomem(err);
	for (char *p = (char *)key.data; *p; p++)      /* the store compares ns and name */
		*p = (char)tolower((unsigned char)*p); /* case-insensitively */
	json_t *at = json_object_get(m->sets, it_buf_str(&key));
	struct rowset *set;
	if (at) {
		set = &m->rowsets[json_integer_value(at)];
	} else {
		if (it_array_grow(&m->rowsets, &m->cap_sets, m->n_sets, sizeof(*m->rowsets)) < 0 ||
		    json_object_set_new(m->sets, it_buf_str(&key),
		                        json_integer((json_int_t)m->n_sets)) < 0) {
			it_buf_free(&key);
			return it_error_nomem(err);
		}
		set = &m->rowsets[m->n_sets++];
		memset(set, 0, sizeof(*set));
		int rc = it_store_rows(m->s, kind, ns, name, collect_row, set, err);
		if (rc > 0 || (rc == 0 && err->code))
			rc = it_error_nomem(err);
		if (rc < 0) {
			it_buf_free(&key);
			return -1;
		}
		m->cached_rows += set->n;
	}
	it_buf_free(&key);
	for (size_t i = 0; i < set->n; i++)
		if (eval_row(x, set->v[i].vuln_id, &set->v[i].r, set->v[i].cv))
			return 0;
	return 0;
}

/* "debian-12" -> "Debian:12", "alpine-3.18" -> "Alpine:v3.18"; NULL when unknown. */
static char *ecosystem_of(const char *type, const char *distro)
{
	char *out = NULL;
	if (!distro)
		return NULL;
	const char *dash = strrchr(distro, '-');
	const char *ver = dash ? dash + 1 : distro;
	if (strcmp(type, "deb") == 0 && strncmp(distro, "debian", 6) == 0 && dash)
		return asprintf(&out, "Debian:%s", ver) < 0 ? NULL : out;
	if (strcmp(type, "deb") == 0 && strncmp(distro, "ubuntu", 6) == 0 && dash)
		return asprintf(&out, "Ubuntu:%s", ver) < 0 ? NULL : out;
	if (strcmp(type, "apk") == 0 && strncmp(distro, "alpine", 6) == 0 && dash)
		return asprintf(&out, "Alpine:v%s", ver) < 0 ? NULL : out;
	return NULL;
}

static int by_purl(struct ctx *x, const char *purl, struct it_error *err)
{
	struct it_purl p;
	if (it_purl_parse(&p, purl, err) < 0)
		return -1;
	int rc = 0;
	const char *src = it_purl_qualifier(&p, "upstream");
	const char *name = src ? src : p.name;
	char *eco = ecosystem_of(p.type, it_purl_qualifier(&p, "distro"));
	x->version = p.version;
	free(x->pkg_version);
	x->pkg_version = dup0(p.version);
	x->by_package = 1;
	if (p.version && eco)
		rc = rows_of(x, "pkg", eco, name, err);
	x->by_package = 0;
	/* CSAF rows keyed by PURL type: exact product statements, not a whole distribution */
	if (rc == 0 && p.version)
		rc = rows_of(x, "pkg", p.type, p.name, err);
	free(eco);
	it_purl_free(&p);
	return rc;
}

static int by_cpe(struct ctx *x, const char *cpe, const char *version, struct it_error *err)
{
	struct it_cpe c;
	if (it_cpe_parse(&c, cpe, err) < 0)
		return -1;
	int rc = 0;
	char *cv = version ? NULL : version_of(&c);
	x->version = version ? version : cv;
	x->by_package = 0;
	/* a CPE without a concrete vendor, product or version matches nothing */
	if (x->version && !c.any[IT_CPE_VENDOR] && !c.any[IT_CPE_PRODUCT] &&
	    !c.wild[IT_CPE_VENDOR] && !c.wild[IT_CPE_PRODUCT])
		rc = rows_of(x, "cpe", c.attr[IT_CPE_VENDOR], c.attr[IT_CPE_PRODUCT], err);
	free(cv);
	it_cpe_free(&c);
	return rc;
}

/* --- grouping and output ---------------------------------------------------------------- */

static int cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	int c = strcmp(x->group, y->group);
	if (c)
		return c;
	if (x->by_package != y->by_package)
		return y->by_package - x->by_package; /* distribution rows first */
	return strcmp(x->vuln_id, y->vuln_id);
}

static void put_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

/* The CVSS vectors of a record a VEX or advisory writer needs: per CVSS major version
 * (v3.x, v2) the first primary metric, else the first one. */
static json_t *cvss_of(const json_t *metrics)
{
	static const char *const families[][2] = {{"cvss_v3.", "3"}, {"cvss_v2", "2.0"}};
	json_t *out = json_array();
	for (size_t f = 0; out && f < 2; f++) {
		const json_t *pick = NULL, *m;
		size_t i;
		json_array_foreach(metrics, i, m)
		{
			const char *type = json_string_value(json_object_get(m, "type"));
			if (!type || strncmp(type, families[f][0], strlen(families[f][0])) != 0 ||
			    !json_string_value(json_object_get(m, "vector")) ||
			    !json_is_number(json_object_get(m, "score")))
				continue;
			if (!pick || (json_is_true(json_object_get(m, "primary")) &&
			              !json_is_true(json_object_get(pick, "primary"))))
				pick = m;
		}
		if (!pick)
			continue;
		const char *type = json_string_value(json_object_get(pick, "type"));
		const char *version = f == 0 ? type + strlen("cvss_v") : families[f][1];
		json_array_append_new(out, json_pack("{ss sO sO}", "version", version, "vector",
		                                     json_object_get(pick, "vector"), "score",
		                                     json_object_get(pick, "score")));
	}
	return out;
}

/* The details of an entry as the store has them: from the NVD record of the CVE when
 * there is one, else from the deciding record; read once per matcher. Borrowed. */
static json_t *details_of(struct it_matcher *m, const char *group, const char *decider,
                          struct it_error *err)
{
	struct it_buf key = IT_BUF_INIT, rec = IT_BUF_INIT, kev = IT_BUF_INIT;
	if (key_of(&key, group, decider, NULL) < 0)
		return NULL;
	json_t *d = json_object_get(m->details, it_buf_str(&key));
	if (d) {
		it_buf_free(&key);
		return d;
	}
	if (it_store_get_brief(m->s, group, &rec, err) <= 0) {
		it_buf_truncate(&rec, 0);
		it_store_get_brief(m->s, decider, &rec, err);
	}
	json_t *r = rec.len ? json_loadb((const char *)rec.data, rec.len, 0, NULL) : NULL;
	d = json_object();
	put_str(d, "source", json_string_value(json_object_get(r, "source")));
	put_str(d, "summary", json_string_value(json_object_get(r, "summary")));
	put_str(d, "severity", json_string_value(json_object_get(r, "severity")));
	json_t *score = json_object_get(r, "score");
	if (json_is_number(score))
		json_object_set(d, "score", score);
	json_t *cvss = cvss_of(json_object_get(r, "metrics"));
	if (json_array_size(cvss))
		json_object_set_new(d, "cvss", cvss);
	else
		json_decref(cvss);
	if (it_store_get_kev(m->s, group, &kev, err) > 0) {
		json_t *k = json_loadb((const char *)kev.data, kev.len, 0, NULL);
		if (k)
			json_object_set_new(d, "kev", k);
	}
	json_decref(r);
	it_buf_free(&rec);
	it_buf_free(&kev);
	if (json_object_set_new(m->details, it_buf_str(&key), d) < 0)
		d = NULL;
	it_buf_free(&key);
	return d;
}

/* The entry of one CVE group [a, b) of sorted hits. */
static json_t *entry_of(struct it_matcher *mt, const struct hit *a, const struct hit *b,
                        const char *version, struct it_error *err)
{
	/* the deciding hit: distribution rows (sorted first) decide when there are any,
	 * an affected row before others */
	const struct hit *d = a;
	for (const struct hit *h = a; h < b && h->by_package == a->by_package; h++)
		if (strcmp(h->status, "affected") == 0) {
			d = h;
			break;
		}
	json_t *det = details_of(mt, a->group, d->vuln_id, err);
	json_t *o = json_object();
	if (!det || !o) {
		json_decref(o);
		return NULL;
	}
	put_str(o, "id", a->group);
	put_str(o, "source", json_string_value(json_object_get(det, "source")));
	json_t *aliases = json_array();
	for (const struct hit *h = a; h < b; h++)
		if (strcmp(h->vuln_id, a->group) != 0) {
			int seen = 0;
			for (size_t i = 0; i < json_array_size(aliases); i++)
				seen |= strcmp(json_string_value(json_array_get(aliases, i)),
				               h->vuln_id) == 0;
			if (!seen)
				json_array_append_new(aliases, json_string(h->vuln_id));
		}
	json_object_set_new(o, "aliases", aliases);
	static const char *const copied[] = {"summary", "severity", "score", "cvss"};
	for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++)
		if (json_object_get(det, copied[i]))
			json_object_set(o, copied[i], json_object_get(det, copied[i]));
	put_str(o, "status", d->status);
	put_str(o, "fixed", d->fixed);
	if (json_object_get(det, "kev"))
		json_object_set(o, "kev", json_object_get(det, "kev"));
	json_t *m = json_object();
	put_str(m, "by", d->by_package ? "package" : "cpe");
	put_str(m, "criteria", d->criteria);
	put_str(m, "range", d->range);
	put_str(m, "version", version);
	json_object_set_new(o, "matched", m);
	put_str(o, "decided_by", d->by_package ? d->vuln_id : "nvd");
	return o;
}

void it_match_query_of(const struct it_component *c, struct it_match_query *q)
{
	q->cpe = c->cpe;
	q->purl = c->purl;
	q->version = c->upstream;
}

int it_matcher_new(struct it_matcher **out, struct it_store *s, struct it_error *err)
{
	struct it_matcher *m = calloc(1, sizeof(*m));
	if (!m || !(m->groups = json_object()) || !(m->details = json_object()) ||
	    !(m->sets = json_object())) {
		it_matcher_free(m);
		return it_error_nomem(err);
	}
	m->s = s;
	*out = m;
	return 0;
}

void it_matcher_free(struct it_matcher *m)
{
	if (!m)
		return;
	json_decref(m->groups);
	json_decref(m->details);
	json_decref(m->sets);
	for (size_t i = 0; i < m->n_sets; i++) {
		for (size_t k = 0; k < m->rowsets[i].n; k++)
			row_free(&m->rowsets[i].v[k]);
		free(m->rowsets[i].v);
	}
	free(m->rowsets);
	free(m);
}

int it_matcher_match(struct it_matcher *mt, const struct it_match_query *q, int all, json_t *arr,
                     struct it_error *err)
{
	struct hits h = {0};
	struct ctx x = {.s = mt->s, .m = mt, .h = &h, .err = err};
	int rc = 0;
	if (q->purl && strncmp(q->purl, "pkg:generic/", 12) != 0)
		rc = by_purl(&x, q->purl, err);
	if (rc < 0 && err->code == IT_ERR_INPUT && q->cpe) {
		it_error_clear(err); /* an odd PURL does not stop the CPE match */
		rc = 0;
	}
	if (rc == 0 && q->cpe)
		rc = by_cpe(&x, q->cpe, q->version, err);
	if (rc == 0 && x.failed)
		rc = it_error_nomem(err);
	if (rc == 0 && h.n) {
		qsort(h.v, h.n, sizeof(*h.v), cmp_hit);
		for (size_t i = 0, j; rc == 0 && i < h.n; i = j) {
			for (j = i + 1; j < h.n && strcmp(h.v[j].group, h.v[i].group) == 0; j++)
				;
			json_t *e = entry_of(mt, &h.v[i], &h.v[j],
			                     h.v[i].by_package ? x.pkg_version : q->version, err);
			const char *st = json_string_value(json_object_get(e, "status"));
			if (!e)
				rc = err->code ? -1 : it_error_nomem(err);
			else if (all || (st && (strcmp(st, "affected") == 0 ||
			                        strcmp(st, "needs_platform") == 0)))
				json_array_append_new(arr, e);
			else
				json_decref(e);
		}
	}
	for (size_t i = 0; i < h.n; i++)
		hit_free(&h.v[i]);
	free(h.v);
	free(x.pkg_version);
	return rc;
}

int it_match(struct it_store *s, const struct it_match_query *q, int all, json_t *arr,
             struct it_error *err)
{
	struct it_matcher *m = NULL;
	if (it_matcher_new(&m, s, err) < 0)
		return -1;
	int rc = it_matcher_match(m, q, all, arr, err);
	it_matcher_free(m);
	return rc;
}

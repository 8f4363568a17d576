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

struct ctx {
	struct it_store *s;
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
static char *criteria_version(const char *cpe)
{
	struct it_cpe c;
	struct it_error e = IT_ERROR_INIT;
	char *out = NULL;
	if (!cpe || it_cpe_parse(&c, cpe, &e) < 0) {
		it_error_clear(&e);
		return NULL;
	}
	if (!c.any[IT_CPE_VERSION] && !c.na[IT_CPE_VERSION] && !c.wild[IT_CPE_VERSION]) {
		const char *upd =
		        c.any[IT_CPE_UPDATE] || c.na[IT_CPE_UPDATE] || c.wild[IT_CPE_UPDATE]
		                ? ""
		                : c.attr[IT_CPE_UPDATE];
		if (asprintf(&out, "%s%s", c.attr[IT_CPE_VERSION], upd) < 0)
			out = NULL;
	}
	it_cpe_free(&c);
	return out;
}

/* Is version inside the row? Sets *range to a human-readable description. */
static int in_row(const struct ctx *x, const struct it_store_row *r, char **range)
{
	int ps = it_vscheme_parse(r->scheme); /* the row's source says how to compare */
	if (ps < 0)
		return 0; /* a scheme nobody can compare ("unparsed" ranges): no silent match */
	enum it_vscheme sc = (enum it_vscheme)ps;
	if (sc == IT_VS_GIT && !r->version)
		return 0; /* commit ranges say nothing about a version */
	if (r->version) {
		*range = NULL;
		if (asprintf(range, "= %s", r->version) < 0)
			*range = NULL;
		return it_vers_cmp(sc, x->version, r->version) == 0;
	}
	if (!r->start && !r->end) {
		/* a criteria with a concrete version and no range is one version */
		char *cv = r->cpe ? criteria_version(r->cpe) : NULL;
		int ok = cv ? it_vers_cmp(sc, x->version, cv) == 0 : 1;
		if (asprintf(range, cv ? "= %s" : "all versions", cv) < 0)
			*range = NULL;
		free(cv);
		return ok;
	}
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
	if (asprintf(range, "%s%s%s%s%s%s", r->start ? (r->start_incl ? ">= " : "> ") : "",
	             r->start ? r->start : "", r->start && r->end ? ", " : "",
	             r->end ? (r->end_incl ? "<= " : "< ") : "", r->end ? r->end : "", "") < 0)
		*range = NULL;
	return 1;
}

/* The CVE a record stands for: its id, or its first CVE alias. */
static char *group_of(struct it_store *s, const char *id, struct it_error *err)
{
	if (strncmp(id, "CVE-", 4) == 0)
		return strdup(id);
	struct it_buf b = IT_BUF_INIT;
	char *g = NULL;
	if (it_store_get_vuln(s, id, &b, err) > 0) {
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
	return g ? g : strdup(id);
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
	t->group = group_of(x->s, vuln_id, x->err);
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

static int on_row(void *user, const char *vuln_id, const struct it_store_row *r)
{
	struct ctx *x = user;
	char *range = NULL;
	if (r->negate)
		return 0; /* "not on this platform" branches never match by themselves */
	int inside = in_row(x, r, &range);
	const char *status = NULL;
	if (strcmp(r->status, "affected") == 0 && inside)
		status = r->platform && x->by_package == 0 ? "needs_platform" : "affected";
	else if (strcmp(r->status, "affected") == 0 && x->by_package)
		status = "fixed"; /* the distribution knows the package: outside its ranges */
	else if (inside && strcmp(r->status, "affected") != 0)
		status = r->status; /* CSAF fixed / not_affected / under_investigation */
	if (!status) {
		free(range);
		return 0;
	}
	if (add_hit(x, vuln_id, r, status, range) < 0) {
		x->failed = 1;
		return 1;
	}
	return 0;
}

/* --- queries -------------------------------------------------------------------------- */

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
		rc = it_store_rows(x->s, "pkg", eco, name, on_row, x, err);
	x->by_package = 0;
	/* CSAF rows keyed by PURL type: exact product statements, not a whole distribution */
	if (rc == 0 && p.version)
		rc = it_store_rows(x->s, "pkg", p.type, p.name, on_row, x, err);
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
	char *cv = version ? NULL : criteria_version(cpe);
	x->version = version ? version : cv;
	x->by_package = 0;
	/* a CPE without a concrete vendor, product or version matches nothing */
	if (x->version && !c.any[IT_CPE_VENDOR] && !c.any[IT_CPE_PRODUCT] &&
	    !c.wild[IT_CPE_VENDOR] && !c.wild[IT_CPE_PRODUCT])
		rc = it_store_rows(x->s, "cpe", c.attr[IT_CPE_VENDOR], c.attr[IT_CPE_PRODUCT],
		                   on_row, x, err);
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

/* The entry of one CVE group [a, b) of sorted hits. */
static json_t *entry_of(struct it_store *s, const struct hit *a, const struct hit *b,
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
	json_t *o = json_object();
	struct it_buf rec = IT_BUF_INIT, kev = IT_BUF_INIT;
	/* details from the NVD record of the CVE when there is one, else the decider's */
	if (it_store_get_vuln(s, a->group, &rec, err) <= 0) {
		it_buf_truncate(&rec, 0);
		it_store_get_vuln(s, d->vuln_id, &rec, err);
	}
	json_t *r = rec.len ? json_loadb((const char *)rec.data, rec.len, 0, NULL) : NULL;
	put_str(o, "id", a->group);
	put_str(o, "source", json_string_value(json_object_get(r, "source")));
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
	put_str(o, "summary", json_string_value(json_object_get(r, "summary")));
	put_str(o, "severity", json_string_value(json_object_get(r, "severity")));
	json_t *score = json_object_get(r, "score");
	if (json_is_number(score))
		json_object_set(o, "score", score);
	json_t *cvss = cvss_of(json_object_get(r, "metrics"));
	if (json_array_size(cvss))
		json_object_set_new(o, "cvss", cvss);
	else
		json_decref(cvss);
	put_str(o, "status", d->status);
	put_str(o, "fixed", d->fixed);
	if (it_store_get_kev(s, a->group, &kev, err) > 0) {
		json_t *k = json_loadb((const char *)kev.data, kev.len, 0, NULL);
		if (k)
			json_object_set_new(o, "kev", k);
	}
	json_t *m = json_object();
	put_str(m, "by", d->by_package ? "package" : "cpe");
	put_str(m, "criteria", d->criteria);
	put_str(m, "range", d->range);
	put_str(m, "version", version);
	json_object_set_new(o, "matched", m);
	put_str(o, "decided_by", d->by_package ? d->vuln_id : "nvd");
	json_decref(r);
	it_buf_free(&rec);
	it_buf_free(&kev);
	return o;
}

void it_match_query_of(const struct it_component *c, struct it_match_query *q)
{
	q->cpe = c->cpe;
	q->purl = c->purl;
	q->version = c->upstream;
}

int it_match(struct it_store *s, const struct it_match_query *q, int all, json_t *arr,
             struct it_error *err)
{
	struct hits h = {0};
	struct ctx x = {.s = s, .h = &h, .err = err};
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
			json_t *e = entry_of(s, &h.v[i], &h.v[j],
			                     h.v[i].by_package ? x.pkg_version : q->version, err);
			const char *st = json_string_value(json_object_get(e, "status"));
			if (all || (st && (strcmp(st, "affected") == 0 ||
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

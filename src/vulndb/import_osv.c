/*
 * OSV importer (ossf/osv-schema): one OSV record becomes one normalised record. Each
 * range's events are sorted as the spec says (versions for ECOSYSTEM/SEMVER, as given for
 * GIT) and paired introduced..fixed|last_affected|limit into interval rows; versions[]
 * entries become exact rows. A record that breaks the schema is reported with the JSON
 * path of the first bad member and skipped. Rules: docs/vulndb.md "OSV".
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/vulndb.h"
#include "vulndb/importer.h"

#define OSV_MAX_STR    4096      /* bytes in an id, name, version or ecosystem */
#define OSV_MAX_EVENTS 4096      /* events in one range */
#define OSV_MAX_ROWS   (1 << 18) /* rows in one record */
#define OSV_MAX_DOCS   (1 << 20) /* records in one array document */

enum { OK = 0, BAD = -1, FAIL = -2 };

struct osv {
	const struct it_import_sink *sink;
	struct it_error *err;
	struct it_buf where; /* JSON path of the bad member (BAD) */
	const char *why;     /* what was expected there (BAD) */
	const char *prefix;  /* "" or "[i]" when the document is an array of records */
	json_t *values;      /* event values of one range, to find repeats */
	json_t *rows;        /* the record's affected rows */
	json_t *seen;        /* exact versions already emitted for one package */
	int sev;             /* best severity word so far (index in sev_words, -1 none) */
};

static const char *const sev_words[] = {"none", "low", "medium", "high", "critical"};

/* Report a malformed member: where = prefix + the formatted path ("$" is the record
 * itself). Returns BAD. */
static int bad(struct osv *c, const char *why, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int bad(struct osv *c, const char *why, const char *fmt, ...)
{
	va_list ap;
	it_buf_truncate(&c->where, 0);
	va_start(ap, fmt);
	it_buf_vprintf(&c->where, fmt, ap);
	va_end(ap);
	if (*c->prefix) {
		/* "[3]" + "affected[0]" -> "[3].affected[0]"; "[3]" + "$" -> "[3]" */
		struct it_buf w = IT_BUF_INIT;
		it_buf_puts(&w, c->prefix);
		if (strcmp(it_buf_str(&c->where), "$") != 0)
			it_buf_printf(&w, ".%s", it_buf_str(&c->where));
		it_buf_free(&c->where);
		c->where = w;
	}
	c->why = why;
	return BAD;
}

static int nomem(struct osv *c)
{
	it_error_nomem(c->err);
	return FAIL;
}

/* A string member that is absent or null gives NULL; *ok is cleared for another type or
 * an empty or over-long string. */
static const char *opt_str(json_t *o, const char *key, int *ok)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	const char *s = json_string_value(v);
	if (!s || !*s || json_string_length(v) > OSV_MAX_STR || strlen(s) != json_string_length(v))
		*ok = 0;
	return s;
}

static json_t *opt_array(json_t *o, const char *key, int *ok)
{
	return it_json_opt_array(o, key, ok);
}

static json_t *opt_object(json_t *o, const char *key, int *ok)
{
	return it_json_opt_object(o, key, ok);
}

/* Check that arr (may be NULL) holds only non-empty strings; the index of the first bad
 * entry, or -1. */
static long bad_string_in(json_t *arr)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > OSV_MAX_STR)
			return (long)i;
	}
	return -1;
}

/* Remember the most severe vendor word seen. */
static void note_severity(struct osv *c, const char *word)
{
	const char *w = it_severity_word(word);
	for (int i = 0; w && i < (int)(sizeof(sev_words) / sizeof(sev_words[0])); i++)
		if (strcmp(w, sev_words[i]) == 0 && i > c->sev)
			c->sev = i;
}

/* severity[] of the record or of one affected entry: CVSS vectors into metrics (no
 * score computed), the "Ubuntu" priority word into the severity. */
static int read_severity(struct osv *c, json_t *arr, const char *path, json_t *metrics)
{
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s)
	{
		int ok = json_is_object(s);
		const char *type = ok ? opt_str(s, "type", &ok) : NULL;
		const char *score = ok ? opt_str(s, "score", &ok) : NULL;
		if (!ok || !type || !score)
			return bad(c, "an object with string \"type\" and \"score\"", "%s[%zu]",
			           path, i);
		const char *mtype = NULL;
		if (strcmp(type, "CVSS_V2") == 0)
			mtype = "cvss_v2.0";
		else if (strcmp(type, "CVSS_V3") == 0)
			mtype = strncmp(score, "CVSS:3.0/", 9) == 0 ? "cvss_v3.0" : "cvss_v3.1";
		else if (strcmp(type, "CVSS_V4") == 0)
			mtype = "cvss_v4.0";
		else if (strcmp(type, "Ubuntu") == 0)
			note_severity(c, score);
		else
			return bad(c, "one of CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu", "%s[%zu].type",
			           path, i);
		if (mtype &&
		    json_array_append_new(metrics, json_pack("{s:s,s:s,s:n,s:n,s:s}", "type", mtype,
		                                             "vector", score, "score", "severity",
		                                             "source", "osv")) < 0)
			return nomem(c);
	}
	return OK;
}

/* The "severity" word of a database_specific / ecosystem_specific object, if any. */
static void specific_severity(struct osv *c, json_t *obj)
{
	note_severity(c, json_string_value(json_object_get(obj, "severity")));
}

/* --- rows ------------------------------------------------------------------------ */

struct pkg {
	const char *ns, *name, *purl; /* ns: the ecosystem as given, or "GIT" */
	enum it_vscheme eco_vs;       /* the ecosystem's version scheme */
};

static int add_row(struct osv *c, json_t *row)
{
	if (!row)
		return nomem(c);
	if (json_array_size(c->rows) >= OSV_MAX_ROWS) {
		json_decref(row);
		return bad(c, "at most 262144 affected rows in a record", "affected");
	}
	if (json_array_append_new(c->rows, row) < 0)
		return nomem(c);
	return OK;
}

/* An interval row: start NULL = unbounded (introduced "0"), end NULL = open-ended. */
static int interval_row(struct osv *c, const struct pkg *p, const char *scheme, const char *type,
                        const char *repo, const char *start, const char *end, int end_incl,
                        const char *fixed)
{
	json_t *row =
	        json_pack("{s:s,s:s,s:s,s:n,s:s?,s:s,s:n,s:s?,s:b,s:s?,s:b,s:s,s:s?,s:n,"
	                  "s:b,s:s,s:s?}",
	                  "kind", "pkg", "ns", p->ns, "name", p->name, "cpe", "purl", p->purl,
	                  "scheme", scheme, "version", "start", start, "start_incl", start != NULL,
	                  "end", end, "end_incl", end_incl, "status", "affected", "fixed", fixed,
	                  "platform", "negate", 0, "range", type, "repo", repo);
	return add_row(c, row);
}

static int exact_row(struct osv *c, const struct pkg *p, const char *version)
{
	/* One row per distinct version of a package (versions[] repeats are common). */
	if (json_object_get(c->seen, version))
		return OK;
	if (json_object_set_new(c->seen, version, json_true()) < 0)
		return nomem(c);
	json_t *row = json_pack("{s:s,s:s,s:s,s:n,s:s?,s:s,s:s,s:n,s:b,s:n,s:b,s:s,s:n,s:n,s:b}",
	                        "kind", "pkg", "ns", p->ns, "name", p->name, "cpe", "purl", p->purl,
	                        "scheme", it_vscheme_name(p->eco_vs), "version", version, "start",
	                        "start_incl", 0, "end", "end_incl", 0, "status", "affected",
	                        "fixed", "platform", "negate", 0);
	return add_row(c, row);
}

/* --- ranges ---------------------------------------------------------------------- */

enum ev_kind { EV_INTRODUCED, EV_FIXED, EV_LAST_AFFECTED, EV_LIMIT };
static const char *const ev_names[] = {"introduced", "fixed", "last_affected", "limit"};

struct event {
	enum ev_kind kind;
	const char *v;
	size_t idx;
};

/* introduced "0" first, then by version in the range's scheme, then as given. */
static int event_cmp(const void *a, const void *b, void *scheme)
{
	const struct event *x = a, *y = b;
	int x0 = x->kind == EV_INTRODUCED && strcmp(x->v, "0") == 0;
	int y0 = y->kind == EV_INTRODUCED && strcmp(y->v, "0") == 0;
	int r = y0 - x0;
	if (!r && !x0)
		r = it_vers_cmp(*(enum it_vscheme *)scheme, x->v, y->v);
	if (!r)
		r = x->idx < y->idx ? -1 : x->idx > y->idx;
	return r;
}

/* Read and check the events of ranges[j]; ev gets them in document order. */
static int read_events(struct osv *c, json_t *events, const char *path, struct event *ev)
{
	int has_introduced = 0, has_fixed = 0, has_last = 0;
	size_t i;
	json_t *e;
	json_array_foreach(events, i, e)
	{
		int found = 0, ok = json_is_object(e);
		for (int k = 0; ok && k < 4; k++) {
			const char *v = opt_str(e, ev_names[k], &ok);
			if (v) {
				ev[i] = (struct event){(enum ev_kind)k, v, i};
				found++;
			}
		}
		if (!ok || found != 1)
			return bad(
			        c,
			        "an object with exactly one of introduced, fixed, last_affected, "
			        "limit (a non-empty string)",
			        "%s.events[%zu]", path, i);
		has_introduced |= ev[i].kind == EV_INTRODUCED;
		has_fixed |= ev[i].kind == EV_FIXED;
		has_last |= ev[i].kind == EV_LAST_AFFECTED;
		/* Distinct values (osv-linter's "nondistinct" case: introduced X, fixed X is an
		 * empty interval); introduced X + last_affected X is the one version X. */
		json_t *prev = json_object_get(c->values, ev[i].v);
		if (prev) {
			int k = (int)json_integer_value(prev), mask = k | (1 << ev[i].kind);
			if (mask != ((1 << EV_INTRODUCED) | (1 << EV_LAST_AFFECTED)) ||
			    k == (int)mask)
				return bad(c, "events with distinct versions", "%s.events[%zu]",
				           path, i);
		}
		if (json_object_set_new(c->values, ev[i].v,
		                        json_integer((prev ? json_integer_value(prev) : 0) |
		                                     (1 << ev[i].kind))) < 0)
			return nomem(c);
	}
	if (!has_introduced)
		return bad(c, "at least one \"introduced\" event", "%s.events", path);
	if (has_fixed && has_last)
		return bad(c, "\"fixed\" and \"last_affected\" not both in one range", "%s.events",
		           path);
	return OK;
}

/* Pair the (sorted) events into interval rows, as the OSV evaluation algorithm walks
 * them: an introduced opens an interval (a second one while open changes nothing), a
 * fixed / last_affected / limit closes it (exclusive / inclusive / exclusive without a
 * fix), and an interval still open at the end is open-ended. */
static int pair_events(struct osv *c, const struct pkg *p, const char *scheme, const char *type,
                       const char *repo, const struct event *ev, size_t n)
{
	const char *start = NULL;
	int open = 0, rc = OK;
	for (size_t i = 0; i < n && rc == OK; i++) {
		if (ev[i].kind == EV_INTRODUCED) {
			if (!open)
				start = strcmp(ev[i].v, "0") == 0 ? NULL : ev[i].v;
			open = 1;
			continue;
		}
		if (!open)
			continue; /* a close with nothing open describes no version */
		open = 0;
		rc = interval_row(c, p, scheme, type, repo, start, ev[i].v,
		                  ev[i].kind == EV_LAST_AFFECTED,
		                  ev[i].kind == EV_FIXED ? ev[i].v : NULL);
	}
	if (rc == OK && open)
		rc = interval_row(c, p, scheme, type, repo, start, NULL, 0, NULL);
	return rc;
}

/* GIT events are commits, not ordered versions: osv.dev walks the commit graph. Rows
 * document them in groups as written (one or more introduced, then the fixed /
 * last_affected / limit commits that close them): every introduced x close pair of a
 * group, or each introduced alone (open-ended) when its group closes nothing. They match
 * no version; the versions[] rows do. */
static int pair_git(struct osv *c, const struct pkg *p, const char *repo, const struct event *ev,
                    size_t n, const char *path)
{
	int rc = OK;
	for (size_t g = 0; g < n && rc == OK;) {
		size_t ni = 0, nc = 0;
		while (g + ni < n && ev[g + ni].kind == EV_INTRODUCED)
			ni++;
		while (g + ni + nc < n && ev[g + ni + nc].kind != EV_INTRODUCED)
			nc++;
		if (ni * (nc ? nc : 1) > OSV_MAX_ROWS - json_array_size(c->rows))
			return bad(c, "at most 262144 affected rows in a record", "%s.events",
			           path);
		for (size_t i = g; i < g + ni && rc == OK; i++) {
			const char *start = strcmp(ev[i].v, "0") == 0 ? NULL : ev[i].v;
			if (!nc)
				rc = interval_row(c, p, "git", "GIT", repo, start, NULL, 0, NULL);
			for (size_t k = g + ni; k < g + ni + nc && rc == OK; k++)
				rc = interval_row(c, p, "git", "GIT", repo, start, ev[k].v,
				                  ev[k].kind == EV_LAST_AFFECTED,
				                  ev[k].kind == EV_FIXED ? ev[k].v : NULL);
		}
		g += ni + nc;
	}
	return rc;
}

static int read_range(struct osv *c, json_t *r, const char *path, const struct pkg *p)
{
	int ok = json_is_object(r);
	if (!ok)
		return bad(c, "an object", "%s", path);
	const char *type = opt_str(r, "type", &ok);
	if (!ok || !type)
		return bad(c, "a string", "%s.type", path);
	const char *repo = opt_str(r, "repo", &ok);
	if (!ok)
		return bad(c, "a string", "%s.repo", path);
	if (!opt_object(r, "database_specific", &ok) && !ok)
		return bad(c, "an object", "%s.database_specific", path);
	const char *scheme;
	enum it_vscheme vs;
	if (strcmp(type, "GIT") == 0) {
		if (!repo)
			return bad(c, "a repository URL for a GIT range", "%s.repo", path);
		scheme = "git";
		vs = IT_VS_GIT;
	} else if (strcmp(type, "SEMVER") == 0) {
		scheme = "semver";
		vs = IT_VS_SEMVER;
	} else if (strcmp(type, "ECOSYSTEM") == 0) {
		vs = p->eco_vs;
		scheme = it_vscheme_name(vs);
	} else {
		return bad(c, "one of GIT, SEMVER, ECOSYSTEM", "%s.type", path);
	}
	if (!p->ns && vs != IT_VS_GIT)
		return bad(c, "a package for an ECOSYSTEM or SEMVER range", "%s", path);
	struct pkg git = {"GIT", repo, NULL, IT_VS_GIT};
	if (!p->ns)
		p = &git; /* GIT ranges of no package: the repository is the name */
	json_t *events = json_object_get(r, "events");
	size_t n = json_array_size(events);
	if (!json_is_array(events) || n == 0 || n > OSV_MAX_EVENTS)
		return bad(c, "an array of 1 to 4096 events", "%s.events", path);
	struct event *ev = calloc(n, sizeof(*ev));
	if (!ev)
		return nomem(c);
	json_object_clear(c->values);
	int rc = read_events(c, events, path, ev);
	if (rc == OK && vs == IT_VS_GIT) {
		rc = pair_git(c, p, repo, ev, n, path);
	} else if (rc == OK) {
		qsort_r(ev, n, sizeof(*ev), event_cmp, &vs);
		rc = pair_events(c, p, scheme, type, repo, ev, n);
	}
	free(ev);
	return rc;
}

/* --- affected --------------------------------------------------------------------- */

/* The package URL without its version (it is the package, not one release), or NULL
 * when s does not parse; qualifiers and subpath are kept. */
static char *purl_base(const char *s)
{
	struct it_purl p;
	struct it_error e = IT_ERROR_INIT;
	char *out = NULL;
	if (it_purl_parse(&p, s, &e) < 0) {
		it_error_clear(&e);
		return NULL;
	}
	free(p.version);
	p.version = NULL;
	struct it_buf b = IT_BUF_INIT;
	if (it_purl_format(&p, &b) == 0)
		out = it_buf_detach(&b);
	it_buf_free(&b);
	it_purl_free(&p);
	return out;
}

/* What the record keeps of affected[i] beside its rows. */
static int keep_package(struct osv *c, json_t *packages, json_t *a, const struct pkg *p,
                        const char *purl_given)
{
	json_t *k = json_pack("{s:s?,s:s?,s:s?}", "ecosystem", p->ns, "name", p->name, "purl",
	                      purl_given);
	static const char *const keys[] = {"ecosystem_specific", "database_specific", "severity"};
	if (!k)
		return nomem(c);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(a, keys[i]);
		if (v && !json_is_null(v) && json_object_set(k, keys[i], v) < 0) {
			json_decref(k);
			return nomem(c);
		}
	}
	if (json_array_append_new(packages, k) < 0)
		return nomem(c);
	return OK;
}

static int read_affected(struct osv *c, json_t *a, size_t i, json_t *packages, json_t *metrics)
{
	char path[64];
	snprintf(path, sizeof(path), "affected[%zu]", i);
	int ok = json_is_object(a);
	if (!ok)
		return bad(c, "an object", "%s", path);
	struct pkg p = {0};
	const char *purl_given = NULL;
	json_t *pk = opt_object(a, "package", &ok);
	if (!ok)
		return bad(c, "an object", "%s.package", path);
	if (pk) {
		p.ns = opt_str(pk, "ecosystem", &ok);
		if (!ok || !p.ns)
			return bad(c, "a non-empty string", "%s.package.ecosystem", path);
		p.name = opt_str(pk, "name", &ok);
		if (!ok || !p.name)
			return bad(c, "a non-empty string", "%s.package.name", path);
		purl_given = opt_str(pk, "purl", &ok);
		if (!ok)
			return bad(c, "a non-empty string", "%s.package.purl", path);
		p.eco_vs = it_vscheme_for_ecosystem(p.ns);
	}
	json_t *ranges = opt_array(a, "ranges", &ok);
	if (!ok)
		return bad(c, "an array", "%s.ranges", path);
	json_t *versions = opt_array(a, "versions", &ok);
	long bv = bad_string_in(versions);
	if (!ok || bv >= 0)
		return bv >= 0 ? bad(c, "a non-empty string", "%s.versions[%ld]", path, bv)
		               : bad(c, "an array", "%s.versions", path);
	json_t *es = opt_object(a, "ecosystem_specific", &ok);
	if (!ok)
		return bad(c, "an object", "%s.ecosystem_specific", path);
	json_t *ds = opt_object(a, "database_specific", &ok);
	if (!ok)
		return bad(c, "an object", "%s.database_specific", path);
	json_t *sev = opt_array(a, "severity", &ok);
	if (!ok)
		return bad(c, "an array", "%s.severity", path);
	if (json_array_size(versions) && !p.ns)
		return bad(c, "a package for a versions list", "%s.package", path);
	specific_severity(c, es);
	specific_severity(c, ds);
	char sev_path[80];
	snprintf(sev_path, sizeof(sev_path), "%s.severity", path);
	int rc = read_severity(c, sev, sev_path, metrics);
	char *purl = purl_given ? purl_base(purl_given) : NULL;
	p.purl = purl;
	size_t j;
	json_t *r;
	json_array_foreach(ranges, j, r)
	{
		if (rc != OK)
			break;
		char rpath[96];
		snprintf(rpath, sizeof(rpath), "%s.ranges[%zu]", path, j);
		rc = read_range(c, r, rpath, &p);
	}
	json_object_clear(c->seen);
	json_array_foreach(versions, j, r)
	{
		if (rc != OK)
			break;
		rc = exact_row(c, &p, json_string_value(r));
	}
	if (rc == OK)
		rc = keep_package(c, packages, a, &p, purl_given);
	free(purl);
	return rc;
}

/* --- the record ------------------------------------------------------------------- */

/* A string array member copied (NULL when absent/empty), after checking its type. */
static int string_list(struct osv *c, json_t *doc, const char *key, json_t **out)
{
	int ok = 1;
	json_t *arr = opt_array(doc, key, &ok);
	long b = bad_string_in(arr);
	*out = NULL;
	if (!ok || b >= 0)
		return b >= 0 ? bad(c, "a non-empty string", "%s[%ld]", key, b)
		              : bad(c, "an array of strings", "%s", key);
	if (json_array_size(arr) && !(*out = json_deep_copy(arr)))
		return nomem(c);
	return OK;
}

/* references[] as [{url, tags:[type]}]. */
static int read_references(struct osv *c, json_t *doc, json_t *rec)
{
	int ok = 1;
	json_t *refs = opt_array(doc, "references", &ok), *out = json_array(), *r;
	size_t i;
	if (!out)
		return nomem(c);
	if (json_object_set_new(rec, "references", out) < 0)
		return nomem(c);
	if (!ok)
		return bad(c, "an array", "references");
	json_array_foreach(refs, i, r)
	{
		const char *url = json_is_object(r) ? opt_str(r, "url", &ok) : NULL;
		const char *type = url ? opt_str(r, "type", &ok) : NULL;
		if (!ok || !url)
			return bad(c, "an object with a string \"url\"", "references[%zu]", i);
		json_t *ref = type ? json_pack("{s:s,s:[s]}", "url", url, "tags", type)
		                   : json_pack("{s:s,s:[]}", "url", url, "tags");
		if (!ref || json_array_append_new(out, ref) < 0)
			return nomem(c);
	}
	return OK;
}

/* A time member in UTC into rec[out]; required says whether absence is malformed. */
static int read_time(struct osv *c, json_t *doc, const char *key, json_t *rec, const char *out,
                     int required)
{
	int ok = 1;
	const char *s = opt_str(doc, key, &ok);
	if (!s && ok && !required)
		return OK;
	struct it_buf t = IT_BUF_INIT;
	if (!ok || !s || it_time_utc(s, &t) < 0) {
		it_buf_free(&t);
		return bad(c, "an RFC 3339 date-time string", "%s", key);
	}
	int rc = json_object_set_new(rec, out, json_string(it_buf_str(&t))) < 0 ? nomem(c) : OK;
	it_buf_free(&t);
	return rc;
}

/* Aliases: aliases[] and then upstream[] (the ids a distribution record is derived from,
 * e.g. UBUNTU-CVE-2025-38094 <- CVE-2025-38094), each once; related[] is not an alias. */
static int read_aliases(struct osv *c, json_t *doc, json_t *rec, const char *id)
{
	json_t *al, *up, *rel, *out = json_array(), *v;
	size_t i;
	if (!out || json_object_set_new(rec, "aliases", out) < 0)
		return nomem(c);
	int rc = string_list(c, doc, "aliases", &al);
	if (rc == OK && (rc = string_list(c, doc, "upstream", &up)) != OK)
		json_decref(al);
	if (rc != OK)
		return rc;
	json_t *lists[2] = {al, up};
	for (int l = 0; l < 2 && rc == OK; l++)
		json_array_foreach(lists[l], i, v)
		{
			int dup = strcmp(json_string_value(v), id) == 0;
			for (size_t k = 0; !dup && k < json_array_size(out); k++)
				dup = json_equal(json_array_get(out, k), v);
			if (!dup && json_array_append(out, v) < 0)
				rc = nomem(c);
		}
	if (rc == OK && up && json_object_set(rec, "upstream", up) < 0)
		rc = nomem(c);
	json_decref(al);
	json_decref(up);
	if (rc == OK && (rc = string_list(c, doc, "related", &rel)) == OK && rel &&
	    json_object_set_new(rec, "related", rel) < 0)
		rc = nomem(c);
	return rc;
}

static int set_str(struct osv *c, json_t *rec, const char *key, const char *v)
{
	if (v && json_object_set_new(rec, key, json_string(v)) < 0)
		return nomem(c);
	return OK;
}

/* Fill rec from the OSV record doc (BAD: c->where / c->why say what is wrong). */
static int build(struct osv *c, json_t *doc, json_t *rec, const char *file, size_t *n_affected)
{
	int ok = json_is_object(doc), rc;
	if (!ok)
		return bad(c, "an OSV record (a JSON object)", "$");
	const char *id = opt_str(doc, "id", &ok);
	if (!ok || !id)
		return bad(c, "a non-empty string", "id");
	if ((rc = set_str(c, rec, "id", id)) || (rc = set_str(c, rec, "source", "osv")))
		return rc;
	if ((rc = read_time(c, doc, "modified", rec, "modified", 1)) ||
	    (rc = read_time(c, doc, "published", rec, "published", 0)) ||
	    (rc = read_time(c, doc, "withdrawn", rec, "withdrawn_at", 0)))
		return rc;
	/* withdrawn is a time in OSV; present means the record no longer stands. */
	if (json_object_set_new(rec, "withdrawn",
	                        json_boolean(json_object_get(rec, "withdrawn_at") != NULL)) < 0)
		return nomem(c);
	const char *summary = opt_str(doc, "summary", &ok);
	if (!ok)
		return bad(c, "a non-empty string", "summary");
	json_t *det = json_object_get(doc, "details");
	if (det && !json_is_null(det) && !json_is_string(det))
		return bad(c, "a string", "details");
	const char *details = json_string_value(det);
	if ((rc = set_str(c, rec, "summary", summary ? summary : details)) ||
	    (rc = set_str(c, rec, "details", summary ? details : NULL)))
		return rc;
	if ((rc = read_aliases(c, doc, rec, id)))
		return rc;
	json_t *metrics = json_array();
	if (!metrics || json_object_set_new(rec, "metrics", metrics) < 0)
		return nomem(c);
	json_t *sev = opt_array(doc, "severity", &ok);
	if (!ok)
		return bad(c, "an array", "severity");
	if ((rc = read_severity(c, sev, "severity", metrics)))
		return rc;
	json_t *ds = opt_object(doc, "database_specific", &ok);
	if (!ok)
		return bad(c, "an object", "database_specific");
	specific_severity(c, ds);
	json_t *cwes = json_object_get(ds, "cwe_ids");
	if (json_is_array(cwes) && bad_string_in(cwes) < 0 &&
	    json_object_set(rec, "cwes", cwes) < 0)
		return nomem(c);
	if (ds && json_object_set(rec, "database_specific", ds) < 0)
		return nomem(c);
	if ((rc = read_references(c, doc, rec)))
		return rc;
	json_t *affected = opt_array(doc, "affected", &ok);
	if (!ok)
		return bad(c, "an array", "affected");
	json_t *packages = json_array(), *a;
	if (!packages || json_object_set_new(rec, "packages", packages) < 0)
		return nomem(c);
	size_t i;
	json_array_foreach(affected, i, a)
	{
		if ((rc = read_affected(c, a, i, packages, metrics)))
			return rc;
	}
	*n_affected = json_array_size(affected);
	if (c->sev >= 0 && (rc = set_str(c, rec, "severity", sev_words[c->sev])))
		return rc;
	const char *eco =
	        json_string_value(json_object_get(json_array_get(packages, 0), "ecosystem"));
	if (json_object_set_new(rec, "origin",
	                        json_pack("{s:s?,s:s?}", "file", file, "document", eco)) < 0)
		return nomem(c);
	if (json_object_set(rec, "affected", c->rows) < 0)
		return nomem(c);
	return OK;
}

/* One OSV record: emitted, reported malformed, or skipped (nothing to match on). */
static int import_one(struct osv *c, json_t *doc, const char *file)
{
	json_t *rec = json_object();
	size_t n_affected = 0;
	c->rows = json_array();
	c->sev = -1;
	int rc = rec && c->rows ? build(c, doc, rec, file, &n_affected) : nomem(c);
	if (rc == BAD) {
		if (c->sink->malformed)
			c->sink->malformed(c->sink->user, it_buf_str(&c->where), c->why);
		rc = OK;
	} else if (rc == OK && json_array_size(c->rows) == 0 &&
	           !json_is_true(json_object_get(rec, "withdrawn"))) {
		/* A withdrawn record is always emitted: it removes the old one from matching. */
		if (c->sink->skipped)
			c->sink->skipped(c->sink->user,
			                 json_string_value(json_object_get(rec, "id")),
			                 n_affected ? "no affected ranges or versions"
			                            : "no affected packages");
	} else if (rc == OK) {
		rc = it_record_emit(rec, *c->prefix ? c->prefix : "$", c->sink, c->err) < 0 ? FAIL
		                                                                            : OK;
	}
	json_decref(rec);
	json_decref(c->rows);
	c->rows = NULL;
	return rc == OK ? 0 : -1;
}

int it_import_osv(json_t *doc, const char *file, const struct it_import_sink *sink,
                  struct it_error *err)
{
	struct osv c = {.sink = sink, .err = err, .prefix = ""};
	int rc = 0;
	c.seen = json_object();
	c.values = json_object();
	if (!c.seen || !c.values) {
		json_decref(c.seen);
		json_decref(c.values);
		return it_error_nomem(err);
	}
	if (json_is_array(doc)) {
		/* A JSON array of OSV records (what osv.dev's query API and some tools write). */
		char prefix[32];
		size_t i;
		json_t *r;
		if (json_array_size(doc) > OSV_MAX_DOCS)
			rc = it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
			                  "more than %d OSV records in one document", OSV_MAX_DOCS);
		json_array_foreach(doc, i, r)
		{
			if (rc < 0)
				break;
			snprintf(prefix, sizeof(prefix), "[%zu]", i);
			c.prefix = prefix;
			rc = import_one(&c, r, file);
		}
	} else {
		rc = import_one(&c, doc, file);
	}
	json_decref(c.seen);
	json_decref(c.values);
	it_buf_free(&c.where);
	return rc;
}

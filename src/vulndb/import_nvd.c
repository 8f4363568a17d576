/*
 * The NVD CVE API 2.0 importer: a response page or feed ({"vulnerabilities":[{"cve":..}]}),
 * one {"cve":..} item or a bare cve object becomes normalised records (docs/vulndb.md
 * "Record"). A record is read completely (every member type-checked) before anything of it
 * is emitted; its configuration trees are flattened into "cpe" rows, one per vulnerable
 * cpeMatch, with what an AND requires beside it in "platform" and a NOT kept as "negate".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/vulndb.h"
#include "vulndb/importer.h"

/* Bounds on one record: every feed is untrusted. */
#define MAX_MATCHES  100000    /* cpeMatch entries in all configurations of a record */
#define MAX_NODES    100000    /* configurations and nodes of a record */
#define MAX_DEPTH    8         /* nesting of (legacy) "children" below a configuration */
#define MAX_CPE      1024      /* bytes of one CPE formatted string */
#define MAX_VERSION  256       /* bytes of one version or range bound */
#define MAX_ID       128       /* bytes of a record id or a matchCriteriaId */
#define MAX_TEXT     (1 << 20) /* bytes of a description, URL or other text */
#define MAX_LIST     100000    /* items of descriptions, metrics, weaknesses, references */
#define MAX_PLATFORM 256       /* CPEs in one row's platform; more are cut and flagged */

enum { OK = 0, BAD = 1, FAIL = -1 }; /* FAIL: err is set (memory, or the sink stopped) */

/* A JSON path as a chain of stack frames, rendered only when something is reported. */
struct jpath {
	const struct jpath *up;
	const char *key; /* a member name, or NULL for an array index */
	size_t index;
};

/* A validated cpeMatch; the strings point into the document. */
struct cmatch {
	struct it_cpe cpe; /* the criteria parsed (owned) */
	const char *criteria, *match_id;
	const char *start, *end; /* range bounds or NULL */
	int start_incl, end_incl, vulnerable;
};

/* A configuration or node: its own cpeMatch entries and child nodes, each contiguous in
 * the record's arrays (indexes, since the arrays move when they grow). */
struct cnode {
	int is_and, negate;
	size_t first_match, n_match;
	size_t first_child, n_child;
};

/* The platform being built for the rows below a node: CPEs joined by ' '. */
struct platform {
	struct it_buf text;
	size_t count;
	int truncated;
};

struct nvd {
	const struct it_import_sink *sink;
	struct it_error *err;
	const char *origin;    /* the file's base name */
	struct it_buf where;   /* a rendered path or a message */
	struct it_buf scratch; /* a row's version */
	struct it_buf key;     /* a row's identity, for duplicates */
	struct cnode *nodes;
	size_t n_nodes, cap_nodes;
	struct cmatch *matches;
	size_t n_matches, cap_matches;
	json_t *seen;   /* keys of the rows of the current record (duplicates dropped) */
	size_t dropped; /* vulnerable CPEs of the record that make no row */
};

/* --- paths and reports ---------------------------------------------------------- */

static int path_render(struct it_buf *b, const struct jpath *p)
{
	if (!p)
		return 0;
	if (path_render(b, p->up) < 0)
		return -1;
	if (!p->key)
		return it_buf_printf(b, "[%zu]", p->index);
	if (b->len && it_buf_putc(b, '.') < 0)
		return -1;
	return it_buf_puts(b, p->key);
}

/* Report the record as malformed at p (or its member key) and return BAD. */
static int bad(struct nvd *n, const struct jpath *p, const char *key, const char *expected)
{
	struct jpath leaf = {p, key, 0};
	it_buf_truncate(&n->where, 0);
	if (path_render(&n->where, key ? &leaf : p) < 0)
		return it_error_nomem(n->err);
	if (n->sink->malformed)
		n->sink->malformed(n->sink->user, n->where.len ? it_buf_str(&n->where) : "$",
		                   expected);
	return BAD;
}

/* --- typed members ---------------------------------------------------------------- */

/* The string member key of o into *out (NULL when absent and optional). BAD when it has
 * another type, is empty, holds a NUL or is longer than max. */
static int get_str(struct nvd *n, const struct jpath *p, json_t *o, const char *key, int required,
                   size_t max, const char **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v)
		return required ? bad(n, p, key, "a string is required") : OK;
	if (!json_is_string(v))
		return bad(n, p, key, "expected a string");
	size_t len = json_string_length(v);
	const char *s = json_string_value(v);
	if (len == 0)
		return bad(n, p, key, "expected a non-empty string");
	if (len > max)
		return bad(n, p, key, "string too long");
	if (strlen(s) != len)
		return bad(n, p, key, "expected a string without NUL characters");
	*out = s;
	return OK;
}

static int get_bool(struct nvd *n, const struct jpath *p, json_t *o, const char *key, int required,
                    int *out)
{
	json_t *v = json_object_get(o, key);
	*out = 0;
	if (!v)
		return required ? bad(n, p, key, "a boolean is required") : OK;
	if (!json_is_boolean(v))
		return bad(n, p, key, "expected a boolean");
	*out = json_is_true(v);
	return OK;
}

/* The array member key of o into *out (NULL when absent and optional). */
static int get_array(struct nvd *n, const struct jpath *p, json_t *o, const char *key, int required,
                     json_t **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v)
		return required ? bad(n, p, key, "an array is required") : OK;
	if (!json_is_array(v))
		return bad(n, p, key, "expected an array");
	if (json_array_size(v) > MAX_LIST)
		return bad(n, p, key, "too many items (limit 100000)");
	*out = v;
	return OK;
}

/* "AND" / "OR" (absent: OR) into *is_and. */
static int get_operator(struct nvd *n, const struct jpath *p, json_t *o, int *is_and)
{
	const char *op;
	int rc = get_str(n, p, o, "operator", 0, 8, &op);
	*is_and = 0;
	if (rc != OK || !op)
		return rc;
	if (strcmp(op, "AND") == 0)
		*is_and = 1;
	else if (strcmp(op, "OR") != 0)
		return bad(n, p, "operator", "expected \"AND\" or \"OR\"");
	return OK;
}

/* json_object_set_new that reports a failed allocation (v NULL) as -1. */
static int put(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

static int put_str(json_t *o, const char *key, const char *s)
{
	return put(o, key, s ? json_string(s) : json_null());
}

/* --- times ---------------------------------------------------------------------- */

static int digits(const char **s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (**s - '0');
	}
	return v;
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return days[m - 1] + (m == 2 && leap);
}

/* Move a date by one day (step +1 or -1). */
static void date_step(int *y, int *m, int *d, int step)
{
	*d += step;
	if (*d < 1) {
		if (--*m < 1) {
			*m = 12;
			--*y;
		}
		*d = month_days(*y, *m);
	} else if (*d > month_days(*y, *m)) {
		*d = 1;
		if (++*m > 12) {
			*m = 1;
			++*y;
		}
	}
}

/* Normalise an ISO 8601 / RFC 3339 date-time to "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC) in out.
 * NVD writes zone-less times ("2023-10-11T11:15:11.197") that are UTC; "Z" and "+hh:mm"
 * offsets are converted; a bare date is midnight. 0, or -1 when s is no such time. */
static int norm_time(const char *s, char out[40])
{
	int y = digits(&s, 4), mo, d, h = 0, mi = 0, sec = 0, ms = 0, off = 0;
	if (y < 1 || *s++ != '-' || (mo = digits(&s, 2)) < 1 || mo > 12 || *s++ != '-' ||
	    (d = digits(&s, 2)) < 1 || d > month_days(y, mo))
		return -1;
	if (*s) {
		if (*s != 'T' && *s != 't' && *s != ' ')
			return -1;
		s++;
		if ((h = digits(&s, 2)) < 0 || h > 23 || *s++ != ':' || (mi = digits(&s, 2)) < 0 ||
		    mi > 59 || *s++ != ':' || (sec = digits(&s, 2)) < 0 || sec > 60)
			return -1;
		if (*s == '.') {
			int n = 0;
			for (s++; *s >= '0' && *s <= '9'; s++, n++)
				if (n < 3)
					ms = ms * 10 + (*s - '0');
			if (n == 0 || n > 9)
				return -1;
			for (; n < 3; n++)
				ms *= 10;
		}
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			int sign = *s++ == '-' ? -1 : 1, oh, om;
			if ((oh = digits(&s, 2)) < 0 || oh > 23 || (*s == ':' && !*++s) ||
			    (om = digits(&s, 2)) < 0 || om > 59)
				return -1;
			off = sign * (oh * 60 + om);
		}
		if (*s)
			return -1;
	}
	int minutes = h * 60 + mi - off;
	if (minutes < 0) {
		minutes += 1440;
		date_step(&y, &mo, &d, -1);
	} else if (minutes >= 1440) {
		minutes -= 1440;
		date_step(&y, &mo, &d, 1);
	}
	if (y < 1 || y > 9999)
		return -1;
	snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, minutes / 60,
	         minutes % 60, sec, ms);
	return 0;
}

static int get_time(struct nvd *n, const struct jpath *p, json_t *cve, const char *key,
                    int required, json_t *rec, const char *out_key)
{
	const char *s;
	char t[40];
	int rc = get_str(n, p, cve, key, required, 64, &s);
	if (rc != OK || !s)
		return rc;
	if (norm_time(s, t) < 0)
		return bad(n, p, key, "expected a date-time (YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm])");
	return put_str(rec, out_key, t) < 0 ? it_error_nomem(n->err) : OK;
}

/* --- configurations: read and check -------------------------------------------------- */

/* Parse the criteria into cm->cpe: OK, BAD (reported) or FAIL. Only the 2.3 formatted
 * string is NVD's; it_cpe_parse also reads 2.2 URIs. */
static int read_criteria(struct nvd *n, const struct jpath *p, struct cmatch *cm)
{
	struct it_error perr = IT_ERROR_INIT;
	int rc = OK;
	if (strncmp(cm->criteria, "cpe:2.3:", 8) != 0) {
		rc = bad(n, p, "criteria", "expected a CPE 2.3 formatted string (cpe:2.3:...)");
	} else if (it_cpe_parse(&cm->cpe, cm->criteria, &perr) < 0) {
		if (perr.code == IT_ERR_NOMEM) {
			rc = it_error_nomem(n->err);
		} else {
			struct it_buf msg = IT_BUF_INIT;
			if (it_buf_printf(&msg, "expected a CPE 2.3 formatted string: %s",
			                  perr.message ? perr.message : "unreadable") < 0)
				rc = it_error_nomem(n->err);
			else
				rc = bad(n, p, "criteria", it_buf_str(&msg));
			it_buf_free(&msg);
		}
	}
	it_error_clear(&perr);
	return rc;
}

static int read_match(struct nvd *n, json_t *m, const struct jpath *p)
{
	struct cmatch cm = {0};
	const char *se = NULL, *ee = NULL;
	int rc;
	if (!json_is_object(m))
		return bad(n, p, NULL, "expected a cpeMatch object");
	if (n->n_matches >= MAX_MATCHES)
		return bad(n, p, NULL, "too many cpeMatch entries in one record (limit 100000)");
	if ((rc = get_bool(n, p, m, "vulnerable", 1, &cm.vulnerable)) != OK ||
	    (rc = get_str(n, p, m, "criteria", 1, MAX_CPE, &cm.criteria)) != OK ||
	    (rc = get_str(n, p, m, "matchCriteriaId", 0, MAX_ID, &cm.match_id)) != OK ||
	    (rc = get_str(n, p, m, "versionStartIncluding", 0, MAX_VERSION, &cm.start)) != OK ||
	    (rc = get_str(n, p, m, "versionStartExcluding", 0, MAX_VERSION, &se)) != OK ||
	    (rc = get_str(n, p, m, "versionEndIncluding", 0, MAX_VERSION, &cm.end)) != OK ||
	    (rc = get_str(n, p, m, "versionEndExcluding", 0, MAX_VERSION, &ee)) != OK)
		return rc;
	if (cm.start && se)
		return bad(n, p, "versionStartExcluding",
		           "versionStartIncluding and versionStartExcluding exclude each other");
	if (cm.end && ee)
		return bad(n, p, "versionEndExcluding",
		           "versionEndIncluding and versionEndExcluding exclude each other");
	cm.start_incl = cm.start != NULL;
	cm.end_incl = cm.end != NULL;
	if (se)
		cm.start = se;
	if (ee)
		cm.end = ee;
	if (it_array_grow(&n->matches, &n->cap_matches, n->n_matches, sizeof(cm)) < 0)
		return it_error_nomem(n->err);
	if ((rc = read_criteria(n, p, &cm)) != OK)
		return rc;
	n->matches[n->n_matches++] = cm;
	return OK;
}

/* Reserve count contiguous node slots; their first index into *first. */
static int reserve_nodes(struct nvd *n, const struct jpath *p, size_t count, size_t *first)
{
	if (count > MAX_NODES - n->n_nodes)
		return bad(n, p, NULL, "too many configuration nodes in one record (limit 100000)");
	if (count &&
	    it_array_grow(&n->nodes, &n->cap_nodes, n->n_nodes + count - 1, sizeof(*n->nodes)) < 0)
		return it_error_nomem(n->err);
	*first = n->n_nodes;
	n->n_nodes += count;
	return OK;
}

/* Read a configuration (is_config: {"operator","negate","nodes"}) or a node ({"operator",
 * "negate","cpeMatch", legacy "children"}) into slot. */
static int read_node(struct nvd *n, json_t *o, const struct jpath *p, int depth, int is_config,
                     size_t slot)
{
	struct cnode node = {0};
	json_t *matches = NULL, *children = NULL;
	const char *ckey = is_config ? "nodes" : "children";
	int rc;
	if (!json_is_object(o))
		return bad(n, p, NULL,
		           is_config ? "expected a configuration object"
		                     : "expected a node object");
	if ((rc = get_operator(n, p, o, &node.is_and)) != OK ||
	    (rc = get_bool(n, p, o, "negate", 0, &node.negate)) != OK ||
	    (rc = get_array(n, p, o, ckey, is_config, &children)) != OK ||
	    (!is_config && (rc = get_array(n, p, o, "cpeMatch", !children, &matches)) != OK))
		return rc;
	if (children && depth >= MAX_DEPTH)
		return bad(n, p, ckey, "nodes nested too deep (limit 8)");
	node.first_match = n->n_matches;
	for (size_t i = 0; i < json_array_size(matches); i++) {
		struct jpath key = {p, "cpeMatch", 0}, at = {&key, NULL, i};
		if ((rc = read_match(n, json_array_get(matches, i), &at)) != OK)
			return rc;
	}
	node.n_match = n->n_matches - node.first_match;
	node.n_child = json_array_size(children);
	if ((rc = reserve_nodes(n, p, node.n_child, &node.first_child)) != OK)
		return rc;
	for (size_t i = 0; i < node.n_child; i++) {
		struct jpath key = {p, ckey, 0}, at = {&key, NULL, i};
		if ((rc = read_node(n, json_array_get(children, i), &at, depth + 1, 0,
		                    node.first_child + i)) != OK)
			return rc;
	}
	n->nodes[slot] = node;
	return OK;
}

/* --- configurations: flatten into rows --------------------------------------------------- */

static int platform_add(struct platform *pl, int negated, const char *cpe)
{
	if (pl->count >= MAX_PLATFORM) {
		pl->truncated = 1;
		return 0;
	}
	pl->count++;
	if ((pl->text.len && it_buf_putc(&pl->text, ' ') < 0) ||
	    (negated && it_buf_putc(&pl->text, '!') < 0))
		return -1;
	return it_buf_puts(&pl->text, cpe);
}

/* Every CPE of the subtree at ni ('!' before those a NOT applies to, relative to it). */
static int platform_subtree(struct nvd *n, size_t ni, int negated, struct platform *pl)
{
	const struct cnode *node = &n->nodes[ni];
	negated ^= node->negate;
	for (size_t i = 0; i < node->n_match; i++)
		if (platform_add(pl, negated, n->matches[node->first_match + i].criteria) < 0)
			return -1;
	for (size_t i = 0; i < node->n_child; i++)
		if (platform_subtree(n, node->first_child + i, negated, pl) < 0)
			return -1;
	return 0;
}

/* The operands of an AND node other than one cpeMatch (skip_match) or one child. */
static int platform_others(struct nvd *n, const struct cnode *node, size_t skip_match,
                           size_t skip_child, struct platform *pl)
{
	for (size_t i = 0; i < node->n_match; i++)
		if (node->first_match + i != skip_match &&
		    platform_add(pl, 0, n->matches[node->first_match + i].criteria) < 0)
			return -1;
	for (size_t i = 0; i < node->n_child; i++)
		if (node->first_child + i != skip_child &&
		    platform_subtree(n, node->first_child + i, 0, pl) < 0)
			return -1;
	return 0;
}

/* The row's version: the criteria's version when concrete, with a concrete update joined
 * ("6.8" + "rc1" -> "6.8-rc1", "9.3" + "p1" -> "9.3p1"); NULL for ANY/NA. -1 when the
 * version or update holds a wildcard (no exact version can be stated), -2 out of memory. */
static int row_version(struct nvd *n, const struct it_cpe *c, const char **out)
{
	*out = NULL;
	if (c->any[IT_CPE_VERSION] || c->na[IT_CPE_VERSION])
		return 0;
	if (c->wild[IT_CPE_VERSION] || c->wild[IT_CPE_UPDATE])
		return -1;
	it_buf_truncate(&n->scratch, 0);
	if (it_buf_puts(&n->scratch, c->attr[IT_CPE_VERSION]) < 0)
		return -2;
	if (!c->any[IT_CPE_UPDATE] && !c->na[IT_CPE_UPDATE]) {
		const char *u = c->attr[IT_CPE_UPDATE];
		/* "p<N>" is a portable or patch release written without a separator */
		int plain = u[0] == 'p' && u[1] && strspn(u + 1, "0123456789") == strlen(u + 1);
		if ((!plain && it_buf_putc(&n->scratch, '-') < 0) ||
		    it_buf_puts(&n->scratch, u) < 0)
			return -2;
	}
	*out = it_buf_str(&n->scratch);
	return 0;
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Has the record this row already (same cpeMatch, range, platform, NOT)? Adds it when not.
 * 1, 0 or -1. */
static int row_seen(struct nvd *n, const struct cmatch *m, int negate, const struct platform *pl)
{
	struct it_buf *k = &n->key;
	it_buf_truncate(k, 0);
	if (it_buf_printf(k, "%s\x1f%s\x1f%s\x1f%s\x1f%d%d%d%d\x1f%s", m->criteria,
	                  m->start ? m->start : "", m->end ? m->end : "",
	                  m->match_id ? m->match_id : "", m->start_incl, m->end_incl, negate,
	                  pl->truncated, it_buf_str(&pl->text)) < 0)
		return -1;
	if (json_object_get(n->seen, it_buf_str(k)))
		return 1;
	return json_object_set_new_nocheck(n->seen, it_buf_str(k), json_true()) < 0 ? -1 : 0;
}

static int add_row(struct nvd *n, const struct cmatch *m, int negate, const struct platform *pl,
                   json_t *affected)
{
	const struct it_cpe *c = &m->cpe;
	const char *version = NULL;
	int vr = m->start || m->end ? 0 : row_version(n, c, &version), seen;
	if (vr == -2)
		return -1;
	/* ANY/NA or a wildcard vendor/product must never match: no row */
	if (vr == -1 || c->any[IT_CPE_VENDOR] || c->na[IT_CPE_VENDOR] || c->wild[IT_CPE_VENDOR] ||
	    c->any[IT_CPE_PRODUCT] || c->na[IT_CPE_PRODUCT] || c->wild[IT_CPE_PRODUCT]) {
		n->dropped++;
		return 0;
	}
	if ((seen = row_seen(n, m, negate, pl)) != 0)
		return seen < 0 ? -1 : 0;
	lower(c->attr[IT_CPE_VENDOR]);
	lower(c->attr[IT_CPE_PRODUCT]);
	json_t *row = json_object();
	if (!row || put_str(row, "kind", "cpe") < 0 ||
	    put_str(row, "ns", c->attr[IT_CPE_VENDOR]) < 0 ||
	    put_str(row, "name", c->attr[IT_CPE_PRODUCT]) < 0 ||
	    put_str(row, "cpe", m->criteria) < 0 || put_str(row, "scheme", "generic") < 0 ||
	    put_str(row, "version", version) < 0 || put_str(row, "start", m->start) < 0 ||
	    put(row, "start_incl", json_boolean(m->start && m->start_incl)) < 0 ||
	    put_str(row, "end", m->end) < 0 ||
	    put(row, "end_incl", json_boolean(m->end && m->end_incl)) < 0 ||
	    put_str(row, "status", "affected") < 0 ||
	    put_str(row, "fixed", m->end && !m->end_incl ? m->end : NULL) < 0 ||
	    put_str(row, "platform", pl->text.len ? it_buf_str(&pl->text) : NULL) < 0 ||
	    (pl->truncated && put(row, "platform_truncated", json_true()) < 0) ||
	    put(row, "negate", json_boolean(negate)) < 0 ||
	    (m->match_id && put_str(row, "match_id", m->match_id) < 0))
		goto fail;
	return json_array_append_new(affected, row);
fail:
	json_decref(row);
	return -1;
}

/* Rows of the subtree at ni: negate is the NOT of its ancestors, pl what they require. */
static int flatten(struct nvd *n, size_t ni, int negate, struct platform *pl, json_t *affected)
{
	const struct cnode node = n->nodes[ni];
	size_t len = pl->text.len, count = pl->count;
	int truncated = pl->truncated;
	negate ^= node.negate;
	for (size_t i = 0; i < node.n_match; i++) {
		size_t mi = node.first_match + i;
		if (!n->matches[mi].vulnerable)
			continue;
		if ((node.is_and && platform_others(n, &node, mi, SIZE_MAX, pl) < 0) ||
		    add_row(n, &n->matches[mi], negate, pl, affected) < 0)
			return -1;
		it_buf_truncate(&pl->text, len);
		pl->count = count;
		pl->truncated = truncated;
	}
	for (size_t i = 0; i < node.n_child; i++) {
		size_t ci = node.first_child + i;
		if ((node.is_and && platform_others(n, &node, SIZE_MAX, ci, pl) < 0) ||
		    flatten(n, ci, negate, pl, affected) < 0)
			return -1;
		it_buf_truncate(&pl->text, len);
		pl->count = count;
		pl->truncated = truncated;
	}
	return 0;
}

static void matches_clear(struct nvd *n)
{
	for (size_t i = 0; i < n->n_matches; i++)
		it_cpe_free(&n->matches[i].cpe);
	n->n_matches = n->n_nodes = 0;
}

/* Read "configurations" and append its rows to affected. *present: the member exists. */
static int read_configurations(struct nvd *n, json_t *cve, const struct jpath *p, json_t *affected,
                               int *present)
{
	json_t *confs;
	size_t first;
	int rc = get_array(n, p, cve, "configurations", 0, &confs);
	*present = confs != NULL;
	matches_clear(n);
	if (rc != OK || !confs)
		return rc;
	size_t count = json_array_size(confs);
	if ((rc = reserve_nodes(n, p, count, &first)) != OK)
		return rc;
	for (size_t i = 0; i < count; i++) {
		struct jpath key = {p, "configurations", 0}, at = {&key, NULL, i};
		if ((rc = read_node(n, json_array_get(confs, i), &at, 0, 1, first + i)) != OK)
			return rc;
	}
	struct platform pl = {IT_BUF_INIT, 0, 0};
	for (size_t i = 0; i < count && rc == OK; i++)
		if (flatten(n, first + i, 0, &pl, affected) < 0)
			rc = it_error_nomem(n->err);
	it_buf_free(&pl.text);
	return rc;
}

/* --- the other members ------------------------------------------------------------- */

/* The English description ("lang": "en") as "summary". */
static int read_summary(struct nvd *n, json_t *cve, const struct jpath *p, json_t *rec)
{
	json_t *list;
	int rc = get_array(n, p, cve, "descriptions", 0, &list);
	const char *summary = NULL;
	for (size_t i = 0; rc == OK && i < json_array_size(list); i++) {
		struct jpath key = {p, "descriptions", 0}, at = {&key, NULL, i};
		json_t *d = json_array_get(list, i);
		const char *lang, *value;
		if (!json_is_object(d))
			return bad(n, &at, NULL, "expected a description object");
		if ((rc = get_str(n, &at, d, "lang", 1, 64, &lang)) == OK &&
		    (rc = get_str(n, &at, d, "value", 1, MAX_TEXT, &value)) == OK && !summary &&
		    strcmp(lang, "en") == 0)
			summary = value;
	}
	if (rc == OK && summary && put_str(rec, "summary", summary) < 0)
		return it_error_nomem(n->err);
	return rc;
}

struct metric_kind {
	const char *key, *type;
	int severity_outside; /* CVSS v2: baseSeverity beside cvssData, not in it */
};

/* In the order of preference for the record's score. */
static const struct metric_kind metric_kinds[] = {
        {"cvssMetricV31", "cvss_v3.1", 0},
        {"cvssMetricV30", "cvss_v3.0", 0},
        {"cvssMetricV40", "cvss_v4.0", 0},
        {"cvssMetricV2", "cvss_v2", 1},
};

static const char *severity_word(const char *s, double score)
{
	static const char *const words[][2] = {{"CRITICAL", "critical"},
	                                       {"HIGH", "high"},
	                                       {"MEDIUM", "medium"},
	                                       {"LOW", "low"},
	                                       {"NONE", "none"}};
	for (size_t i = 0; s && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(s, words[i][0]) == 0)
			return words[i][1];
	return it_cvss_severity(score);
}

/* One metric entry as {"type","vector","score","severity","source","primary"} into *out. */
static int read_metric(struct nvd *n, json_t *e, const struct jpath *p, const struct metric_kind *k,
                       json_t **out)
{
	const char *source, *type, *vector, *sev;
	json_t *data;
	int rc;
	*out = NULL;
	if (!json_is_object(e))
		return bad(n, p, NULL, "expected a metric object");
	if ((rc = get_str(n, p, e, "source", 0, MAX_TEXT, &source)) != OK ||
	    (rc = get_str(n, p, e, "type", 0, 64, &type)) != OK)
		return rc;
	if (!json_is_object(data = json_object_get(e, "cvssData")))
		return bad(n, p, "cvssData", "an object is required");
	struct jpath dp = {p, "cvssData", 0};
	json_t *score = json_object_get(data, "baseScore");
	if ((rc = get_str(n, &dp, data, "vectorString", 1, 1024, &vector)) != OK ||
	    (rc = get_str(n, k->severity_outside ? p : &dp, k->severity_outside ? e : data,
	                  "baseSeverity", 0, 64, &sev)) != OK)
		return rc;
	if (!json_is_number(score) || json_number_value(score) < 0 || json_number_value(score) > 10)
		return bad(n, &dp, "baseScore", "expected a number from 0 to 10");
	double s = json_number_value(score);
	json_t *m = json_object();
	if (!m || put_str(m, "type", k->type) < 0 || put_str(m, "vector", vector) < 0 ||
	    put(m, "score", json_real(s)) < 0 ||
	    put_str(m, "severity", severity_word(sev, s)) < 0 || put_str(m, "source", source) < 0 ||
	    put(m, "primary", json_boolean(type && strcmp(type, "Primary") == 0)) < 0) {
		json_decref(m);
		return it_error_nomem(n->err);
	}
	*out = m;
	return OK;
}

/* "metrics": every CVSS entry, and the best one's score and severity for the record
 * (v3.1 > v3.0 > v4.0 > v2; within a version NVD's Primary first, then the first). */
static int read_metrics(struct nvd *n, json_t *cve, const struct jpath *p, json_t *rec)
{
	json_t *metrics = json_object_get(cve, "metrics"), *best = NULL;
	if (!metrics)
		return OK;
	if (!json_is_object(metrics))
		return bad(n, p, "metrics", "expected an object");
	json_t *list = json_array();
	if (!list || put(rec, "metrics", list) < 0)
		return it_error_nomem(n->err);
	struct jpath mp = {p, "metrics", 0};
	for (size_t k = 0; k < sizeof(metric_kinds) / sizeof(metric_kinds[0]); k++) {
		json_t *entries, *kind_best = NULL;
		int rc = get_array(n, &mp, metrics, metric_kinds[k].key, 0, &entries);
		for (size_t i = 0; rc == OK && i < json_array_size(entries); i++) {
			struct jpath key = {&mp, metric_kinds[k].key, 0}, at = {&key, NULL, i};
			json_t *m;
			if ((rc = read_metric(n, json_array_get(entries, i), &at, &metric_kinds[k],
			                      &m)) != OK)
				break;
			if (!kind_best || (!json_is_true(json_object_get(kind_best, "primary")) &&
			                   json_is_true(json_object_get(m, "primary"))))
				kind_best = m;
			if (json_array_append_new(list, m) < 0)
				rc = it_error_nomem(n->err);
		}
		if (rc != OK)
			return rc;
		if (!best)
			best = kind_best;
	}
	if (best && (put(rec, "score", json_copy(json_object_get(best, "score"))) < 0 ||
	             put(rec, "severity", json_copy(json_object_get(best, "severity"))) < 0))
		return it_error_nomem(n->err);
	return OK;
}

/* "weaknesses" -> "cwes": the CWE ids, each once (NVD-CWE-Other/noinfo say nothing). */
static int read_cwes(struct nvd *n, json_t *cve, const struct jpath *p, json_t *rec)
{
	json_t *list, *cwes = json_array();
	int rc = get_array(n, p, cve, "weaknesses", 0, &list);
	if (!cwes || put(rec, "cwes", cwes) < 0)
		return it_error_nomem(n->err);
	for (size_t i = 0; rc == OK && i < json_array_size(list); i++) {
		struct jpath key = {p, "weaknesses", 0}, at = {&key, NULL, i};
		json_t *w = json_array_get(list, i), *descs;
		if (!json_is_object(w))
			return bad(n, &at, NULL, "expected a weakness object");
		rc = get_array(n, &at, w, "description", 1, &descs);
		for (size_t j = 0; rc == OK && j < json_array_size(descs); j++) {
			struct jpath dkey = {&at, "description", 0}, dat = {&dkey, NULL, j};
			json_t *d = json_array_get(descs, j);
			const char *v;
			if (!json_is_object(d))
				return bad(n, &dat, NULL, "expected a description object");
			if ((rc = get_str(n, &dat, d, "value", 1, 64, &v)) != OK)
				break;
			int dup = 0;
			for (size_t k = 0; k < json_array_size(cwes); k++)
				dup |= strcmp(json_string_value(json_array_get(cwes, k)), v) == 0;
			if (!dup && strncmp(v, "CWE-", 4) == 0 && v[4] &&
			    strspn(v + 4, "0123456789") == strlen(v + 4) &&
			    json_array_append_new(cwes, json_string(v)) < 0)
				rc = it_error_nomem(n->err);
		}
	}
	return rc;
}

/* "references" as [{"url","tags"}]. */
static int read_references(struct nvd *n, json_t *cve, const struct jpath *p, json_t *rec)
{
	json_t *list, *refs = json_array();
	int rc = get_array(n, p, cve, "references", 0, &list);
	if (!refs || put(rec, "references", refs) < 0)
		return it_error_nomem(n->err);
	for (size_t i = 0; rc == OK && i < json_array_size(list); i++) {
		struct jpath key = {p, "references", 0}, at = {&key, NULL, i};
		json_t *r = json_array_get(list, i), *tags, *ref, *out;
		const char *url;
		if (!json_is_object(r))
			return bad(n, &at, NULL, "expected a reference object");
		if ((rc = get_str(n, &at, r, "url", 1, MAX_TEXT, &url)) != OK ||
		    (rc = get_array(n, &at, r, "tags", 0, &tags)) != OK)
			return rc;
		if (!(ref = json_object()) || json_array_append_new(refs, ref) < 0 ||
		    put_str(ref, "url", url) < 0 || put(ref, "tags", out = json_array()) < 0)
			return it_error_nomem(n->err);
		for (size_t j = 0; j < json_array_size(tags); j++) {
			json_t *t = json_array_get(tags, j);
			if (!json_is_string(t) || json_string_length(t) > 256) {
				struct jpath tkey = {&at, "tags", 0}, tat = {&tkey, NULL, j};
				return bad(n, &tat, NULL, "expected a tag string");
			}
			if (json_array_append(out, t) < 0)
				return it_error_nomem(n->err);
		}
	}
	return rc;
}

/* NVD's copy of the CISA KEV entry (cisaExploitAdd, ...) as "kev_hint". */
static int read_kev_hint(struct nvd *n, json_t *cve, const struct jpath *p, json_t *rec)
{
	static const char *const keys[][2] = {{"cisaExploitAdd", "date_added"},
	                                      {"cisaActionDue", "due_date"},
	                                      {"cisaRequiredAction", "action"},
	                                      {"cisaVulnerabilityName", "name"}};
	json_t *hint = NULL;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v;
		int rc = get_str(n, p, cve, keys[i][0], 0, MAX_TEXT, &v);
		if (rc != OK)
			return rc;
		if (!v)
			continue;
		if (!hint && (!(hint = json_object()) || put(rec, "kev_hint", hint) < 0))
			return it_error_nomem(n->err);
		if (put_str(hint, keys[i][1], v) < 0)
			return it_error_nomem(n->err);
	}
	return OK;
}

/* --- records and documents ----------------------------------------------------------- */

/* Why a well-formed record gives nothing to match on, for sink->skipped. */
static const char *skip_reason(struct nvd *n, int configured, const char *status)
{
	it_buf_truncate(&n->where, 0);
	if (!configured)
		it_buf_printf(&n->where, "no configurations (vulnStatus \"%s\")",
		              status ? status : "absent");
	else if (n->dropped)
		it_buf_printf(
		        &n->where,
		        "no usable CPE: %zu vulnerable CPEs with an ANY/NA or wildcard vendor or "
		        "product, or a wildcard version",
		        n->dropped);
	else
		it_buf_puts(&n->where, "no vulnerable CPE in the configurations");
	return n->where.len ? it_buf_str(&n->where) : "no usable CPE";
}

/* Everything of one cve object but its identity and times. */
static int read_body(struct nvd *n, json_t *cve, const struct jpath *p, json_t *rec,
                     int *configured)
{
	json_t *affected = json_array();
	int rc;
	if (!affected || put(rec, "affected", affected) < 0)
		return it_error_nomem(n->err);
	if ((rc = read_summary(n, cve, p, rec)) != OK ||
	    (rc = read_metrics(n, cve, p, rec)) != OK || (rc = read_cwes(n, cve, p, rec)) != OK ||
	    (rc = read_references(n, cve, p, rec)) != OK ||
	    (rc = read_kev_hint(n, cve, p, rec)) != OK)
		return rc;
	return read_configurations(n, cve, p, affected, configured);
}

/* Read one cve object into a record; emit it, or report it malformed or skipped. */
static int read_cve(struct nvd *n, json_t *cve, const struct jpath *p)
{
	const char *id, *status;
	int rc, configured = 0, withdrawn;
	json_t *rec = json_object(), *origin = json_object();
	n->dropped = 0;
	json_object_clear(n->seen);
	if (!rec || !origin || put(rec, "origin", origin) < 0) {
		json_decref(rec);
		return it_error_nomem(n->err);
	}
	if ((rc = get_str(n, p, cve, "id", 1, MAX_ID, &id)) != OK ||
	    (rc = get_str(n, p, cve, "vulnStatus", 0, 64, &status)) != OK)
		goto out;
	if (strcspn(id, " \t\r\n\v\f") != strlen(id)) {
		rc = bad(n, p, "id", "expected an id without white space");
		goto out;
	}
	withdrawn = status && strcmp(status, "Rejected") == 0;
	if (put_str(rec, "id", id) < 0 || put_str(rec, "source", "nvd") < 0 ||
	    put(rec, "withdrawn", json_boolean(withdrawn)) < 0 ||
	    put_str(origin, "file", n->origin) < 0) {
		rc = it_error_nomem(n->err);
		goto out;
	}
	if ((rc = get_time(n, p, cve, "lastModified", 1, rec, "modified")) != OK ||
	    (rc = get_time(n, p, cve, "published", 0, rec, "published")) != OK ||
	    (rc = read_body(n, cve, p, rec, &configured)) != OK)
		goto out;
	if (!withdrawn && json_array_size(json_object_get(rec, "affected")) == 0) {
		if (n->sink->skipped)
			n->sink->skipped(n->sink->user, id, skip_reason(n, configured, status));
		goto out;
	}
	it_buf_truncate(&n->where, 0);
	if (path_render(&n->where, p) < 0) {
		rc = it_error_nomem(n->err);
		goto out;
	}
	rc = it_record_emit(rec, n->where.len ? it_buf_str(&n->where) : "$", n->sink, n->err) < 0
	             ? FAIL
	             : OK;
out:
	json_decref(rec);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Does doc look like a bare cve object ({"id": .., "lastModified": .., ...})? */
static int bare_cve(json_t *doc)
{
	static const char *const keys[] = {"lastModified", "published",      "sourceIdentifier",
	                                   "vulnStatus",   "configurations", "descriptions"};
	if (!json_object_get(doc, "id"))
		return 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(doc, keys[i]))
			return 1;
	return 0;
}

/* Is this a "vulnerabilities" array of NVD items (empty, or at least one {"cve": {..}})?
 * CSAF's "vulnerabilities" items have a "cve" string; KEV's have none. */
static int nvd_items(json_t *vulns)
{
	if (json_array_size(vulns) == 0)
		return 1;
	for (size_t i = 0; i < json_array_size(vulns); i++)
		if (json_is_object(json_object_get(json_array_get(vulns, i), "cve")))
			return 1;
	return 0;
}

/* One element of "vulnerabilities": an item {"cve": {...}}. OK, or FAIL when the sink
 * failed (a malformed item is reported and skipped). */
static int read_item(struct nvd *n, json_t *item, size_t i)
{
	struct jpath key = {NULL, "vulnerabilities", 0};
	struct jpath at = {&key, NULL, i}, cp = {&at, "cve", 0};
	json_t *cve = json_object_get(item, "cve");
	if (!json_is_object(item))
		return bad(n, &at, NULL, "expected an item {\"cve\": {...}}");
	if (!json_is_object(cve))
		return bad(n, &at, "cve", "an NVD cve object is required");
	return read_cve(n, cve, &cp);
}

static int read_page(struct nvd *n, json_t *vulns)
{
	for (size_t i = 0; i < json_array_size(vulns); i++)
		if (read_item(n, json_array_get(vulns, i), i) == FAIL)
			return -1;
	return 0;
}

static void nvd_clear(struct nvd *n)
{
	matches_clear(n);
	json_decref(n->seen);
	free(n->nodes);
	free(n->matches);
	it_buf_free(&n->where);
	it_buf_free(&n->scratch);
	it_buf_free(&n->key);
}

struct it_nvd_reader {
	struct nvd n;
};

int it_nvd_is_item(const json_t *item)
{
	return json_is_object(json_object_get(item, "cve"));
}

struct it_nvd_reader *it_nvd_reader_new(const char *file, const struct it_import_sink *sink,
                                        struct it_error *err)
{
	struct it_nvd_reader *r = calloc(1, sizeof(*r));
	if (!r || !(r->n.seen = json_object())) {
		free(r);
		it_error_nomem(err);
		return NULL;
	}
	r->n.sink = sink;
	r->n.err = err;
	r->n.origin = base_name(file ? file : "(memory)");
	return r;
}

int it_nvd_reader_item(struct it_nvd_reader *r, json_t *item, size_t index)
{
	return read_item(&r->n, item, index) == FAIL ? -1 : 0;
}

void it_nvd_reader_free(struct it_nvd_reader *r)
{
	if (r) {
		nvd_clear(&r->n);
		free(r);
	}
}

int it_import_nvd(json_t *doc, const char *file, const struct it_import_sink *sink,
                  struct it_error *err)
{
	const char *name = file ? file : "(memory)";
	if (!sink || !sink->vuln)
		return it_error_set(err, IT_ERR_INTERNAL, name, IT_NO_OFFSET,
		                    "NVD import without a sink");
	json_t *vulns = json_object_get(doc, "vulnerabilities"),
	       *item = json_object_get(doc, "cve");
	const char *wrong = NULL;
	if (!json_is_object(doc))
		wrong = "not an NVD CVE API 2.0 document: expected a JSON object";
	else if (json_object_get(doc, "CVE_Items"))
		wrong = "an NVD 1.1 feed (\"CVE_Items\"): only the CVE API 2.0 format is read";
	else if (vulns && !json_is_array(vulns))
		wrong = "\"vulnerabilities\" must be an array of {\"cve\": {...}} items";
	else if (vulns && !nvd_items(vulns))
		wrong = "\"vulnerabilities\" holds no {\"cve\": {...}} item: not an NVD document";
	else if (!vulns && item && !json_is_object(item))
		wrong = "\"cve\" must be an object";
	else if (!vulns && !item && !bare_cve(doc))
		wrong = "not an NVD CVE API 2.0 document: expected \"vulnerabilities\", \"cve\" or "
		        "a cve object";
	if (wrong)
		return it_error_set(err, IT_ERR_INPUT, name, IT_NO_OFFSET, "%s", wrong);

	struct nvd n = {.sink = sink, .err = err, .origin = base_name(name)};
	struct jpath cp = {NULL, "cve", 0};
	int rc = -1;
	if (!(n.seen = json_object()))
		rc = it_error_nomem(err);
	else if (vulns)
		rc = read_page(&n, vulns);
	else
		rc = read_cve(&n, item ? item : doc, item ? &cp : NULL) == FAIL ? -1 : 0;
	nvd_clear(&n);
	return rc;
}

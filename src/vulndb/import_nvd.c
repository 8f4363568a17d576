/*
 * The NVD CVE API 2.0 importer: a response page or feed ({"vulnerabilities":[{"cve":..}]}),
 * one {"cve":..} item or a bare cve object becomes normalised records (docs/vulndb.md
 * "Record"). A cve object is read from yajl's parse events, never built as a tree: each
 * member the record uses is type-checked and copied as it goes by, the rest is stepped
 * over. A record is read completely before anything of it is emitted; its configuration
 * trees are flattened into "cpe" rows, one per vulnerable cpeMatch, with what an AND
 * requires beside it in "platform" and a NOT kept as "negate". The stored JSON and the
 * brief are written with yajl's generator, and the record goes to the sink as an
 * it_store_vuln without a JSON tree in between (docs/performance.md "Import speed").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "iotrust/vulndb.h"
#include "vulndb/importer.h"

/* Bounds on one record: every feed is untrusted. */
#define MAX_MATCHES        100000     /* cpeMatch entries in all configurations of a record */
#define MAX_NODES          100000     /* configurations and nodes of a record */
#define MAX_DEPTH          8          /* nesting of (legacy) "children" below a configuration */
#define MAX_CPE            1024       /* bytes of one CPE formatted string */
#define MAX_VERSION        256        /* bytes of one version or range bound */
#define MAX_ID             128        /* bytes of a record id or a matchCriteriaId */
#define MAX_TEXT           (1 << 20)  /* bytes of a description, URL or other text */
#define MAX_LIST           100000     /* items of descriptions, metrics, weaknesses, references */
#define MAX_PLATFORM       256        /* CPEs in one row's platform; more are cut and flagged */
#define MAX_PLATFORM_BYTES (60 << 10) /* and its text (the store keeps 64 KiB per field) */
#define MAX_FRAMES         (4 + 2 * (MAX_DEPTH + 1) + 3) /* containers the reader follows */
#define MAX_RECORD         ((size_t)60 << 20)            /* its JSON (the store keeps 64 MiB) */
#define ARENA_BLOCK        (64 << 10)

enum { OK = 0, BAD = 1, FAIL = -1 }; /* FAIL: err is set (memory, or the sink stopped) */

/* --- strings of one record -------------------------------------------------------- */

/* Copies of the strings of the record being read, in blocks that never move. */
struct block {
	struct block *next;
	size_t used, cap;
	char data[];
};

static const char *arena_copy(struct block **head, const char *s, size_t len)
{
	struct block *b = *head;
	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > ARENA_BLOCK ? len + 1 : ARENA_BLOCK;
		if (!(b = malloc(sizeof(*b) + cap)))
			return NULL;
		b->next = *head;
		b->used = 0;
		b->cap = cap;
		*head = b;
	}
	char *out = b->data + b->used;
	memcpy(out, s, len);
	out[len] = '\0';
	b->used += len + 1;
	return out;
}

/* Keep one block for the next record. */
static void arena_reset(struct block **head)
{
	struct block *b = *head;
	while (b && b->next) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
	if (b)
		b->used = 0;
	*head = b;
}

/* --- what a record holds ---------------------------------------------------------- */

/* A validated cpeMatch; the strings are in the arena. */
struct cmatch {
	struct it_cpe cpe; /* the criteria parsed (owned) */
	const char *criteria, *match_id;
	const char *start, *end; /* range bounds or NULL */
	int start_incl, end_incl, vulnerable;
};

/* A configuration or node: its own cpeMatch entries (contiguous in the record's array)
 * and its child nodes as a list (indexes, since the arrays move when they grow). */
struct cnode {
	int is_and, negate;
	size_t first_match, n_match;
	size_t first_child, last_child, next; /* SIZE_MAX: none */
};

struct metric {
	int kind; /* index in metric_kinds */
	const char *source, *type, *vector, *sev;
	double score;
	char score_text[32]; /* as written in the record */
	int has_score, has_data;
};

struct ref {
	const char *url;
	size_t first_tag, n_tags;
};

/* What the stored JSON says of a row beyond its it_store_row (same index). */
struct row_extra {
	const char *match_id;
	int truncated;
};

/* The platform being built for the rows below a node: CPEs joined by ' '. */
struct platform {
	struct it_buf text;
	size_t count;
	int truncated;
};

/* One cve object as read. */
struct cve {
	const char *id, *status, *modified, *published, *summary;
	const char *kev[4];
	int has_metrics, has_configs;
	struct metric *metrics;
	size_t n_metrics, cap_metrics;
	const char **cwes;
	size_t n_cwes, cap_cwes;
	struct ref *refs;
	size_t n_refs, cap_refs;
	const char **tags;
	size_t n_tags, cap_tags;
	struct cnode *nodes;
	size_t n_nodes, cap_nodes;
	size_t first_config, last_config;
	struct cmatch *matches;
	size_t n_matches, cap_matches;
	struct it_store_row *rows; /* made of cpeMatch entries, strings in the arena */
	struct row_extra *extra;
	size_t n_rows, cap_rows, cap_extra;
	size_t dropped; /* vulnerable CPEs of the record that make no row */
};

/* --- the reader's frames ------------------------------------------------------------ */

/* What a container is. Objects list the members they read in keys[] below. */
enum kind {
	K_PAGE,    /* a streamed page: {"vulnerabilities": [...]} */
	K_VULNS,   /* its array */
	K_ITEM,    /* {"cve": {...}} */
	K_CVE,     /* the cve object */
	K_DESCS,   /* "descriptions" */
	K_DESC,    /* {"lang", "value"} */
	K_METRICS, /* {"cvssMetricV31": [...], ...} */
	K_MLIST,   /* one kind's entries */
	K_METRIC,  /* {"source", "type", "cvssData", "baseSeverity"} */
	K_CVSS,    /* "cvssData" */
	K_WEAKS,   /* "weaknesses" */
	K_WEAK,    /* {"description": [...]} */
	K_WDESCS,  /* its array */
	K_WDESC,   /* {"value"} */
	K_REFS,    /* "references" */
	K_REF,     /* {"url", "tags"} */
	K_TAGS,    /* its "tags" */
	K_CONFS,   /* "configurations" */
	K_NODE,    /* a configuration or a node */
	K_NODES,   /* a configuration's "nodes" or a node's "children" */
	K_MATCHES, /* "cpeMatch" */
	K_MATCH,   /* one cpeMatch */
};

/* Member names each object kind reads; anything else is stepped over. */
enum {
	M_VULNS = 0,
	M_CVE = 0,
	M_ID = 0,
	M_STATUS,
	M_MODIFIED,
	M_PUBLISHED,
	M_DESCS,
	M_METRICS,
	M_WEAKS,
	M_REFS,
	M_CONFS,
	M_KEV0, /* the four cisa* members follow */
	M_LANG = 0,
	M_VALUE,
	M_SOURCE = 0,
	M_TYPE,
	M_DATA,
	M_OUTER_SEV,
	M_VECTOR = 0,
	M_SCORE,
	M_SEV,
	M_WDESC = 0,
	M_WVALUE = 0,
	M_URL = 0,
	M_TAGS,
	M_OPERATOR = 0,
	M_NEGATE,
	M_NODES,
	M_CHILDREN,
	M_CPEMATCH,
	M_VULNERABLE = 0,
	M_CRITERIA,
	M_MATCH_ID,
	M_START_INCL,
	M_START_EXCL,
	M_END_INCL,
	M_END_EXCL,
};

static const char *const page_keys[] = {"vulnerabilities", NULL};
static const char *const item_keys[] = {"cve", NULL};
static const char *const cve_keys[] = {"id",
                                       "vulnStatus",
                                       "lastModified",
                                       "published",
                                       "descriptions",
                                       "metrics",
                                       "weaknesses",
                                       "references",
                                       "configurations",
                                       "cisaExploitAdd",
                                       "cisaActionDue",
                                       "cisaRequiredAction",
                                       "cisaVulnerabilityName",
                                       NULL};
static const char *const kev_out[] = {"date_added", "due_date", "action", "name"};
static const char *const desc_keys[] = {"lang", "value", NULL};
static const char *const metric_keys[] = {"source", "type", "cvssData", "baseSeverity", NULL};
static const char *const cvss_keys[] = {"vectorString", "baseScore", "baseSeverity", NULL};
static const char *const weak_keys[] = {"description", NULL};
static const char *const wdesc_keys[] = {"value", NULL};
static const char *const ref_keys[] = {"url", "tags", NULL};
static const char *const node_keys[] = {"operator", "negate",   "nodes",
                                        "children", "cpeMatch", NULL};
static const char *const match_keys[] = {"vulnerable",
                                         "criteria",
                                         "matchCriteriaId",
                                         "versionStartIncluding",
                                         "versionStartExcluding",
                                         "versionEndIncluding",
                                         "versionEndExcluding",
                                         NULL};

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
#define N_KINDS (sizeof(metric_kinds) / sizeof(metric_kinds[0]))
static const char *const metrics_keys[] = {"cvssMetricV31", "cvssMetricV30", "cvssMetricV40",
                                           "cvssMetricV2", NULL};

struct frame {
	enum kind kind;
	const char *key; /* the member this container is, or NULL for an array element */
	size_t index;    /* its position in the parent array */
	size_t count;    /* an array's items so far */
	int member;      /* an object's current member (index in its keys), -1: stepped over */
	uint32_t seen;   /* the members met so far */
	size_t slot;     /* the node, metric or reference being read */
	int depth;       /* a node's nesting below its configuration */
	int is_config;
	/* a cpeMatch's or a description's values so far */
	const char *s[7];
	int flag; /* a cpeMatch's "vulnerable": 0 absent, 1 false, 2 true */
};

/* The reader of one document. */
struct nvd {
	const struct it_import_sink *sink;
	struct it_error *err;
	const char *origin;  /* the file's base name */
	const char *prefix;  /* the path of the cve object when parsed alone */
	struct it_buf where; /* a rendered path or a message */
	struct it_buf scratch;
	struct it_buf key; /* a row's identity, for duplicates */
	json_t *seen;      /* keys of the rows of the current record (duplicates dropped) */
	struct block *arena;
	struct cve c;
	struct frame f[MAX_FRAMES];
	int top;       /* index of the innermost frame, -1 before the first */
	size_t skip;   /* open containers being stepped over */
	int cve_frame; /* the cve object's frame, or -1 */
	int bad;       /* the record is malformed (reported): step over the rest */
	int failed;    /* FAIL: stop */
	/* a streamed page */
	int streaming, accepted, item_cve, item_done;
	int not_nvd; /* the page is no NVD page after all */
	struct it_buf json, brief, *gen_out;
	int gen_failed;
	yajl_gen gen;
};

/* --- paths and reports ---------------------------------------------------------- */

/* The path of frame i (the outermost frame, a page or a cve object read alone, has none of
 * its own), then [elem] when elem is not SIZE_MAX, then .key when key is not NULL. */
static int path_render(struct nvd *n, int upto, size_t elem, const char *key)
{
	struct it_buf *b = &n->where;
	it_buf_truncate(b, 0);
	if (it_buf_puts(b, n->prefix) < 0)
		return -1;
	for (int i = 1; i <= upto; i++) {
		const struct frame *f = &n->f[i];
		int rc = f->key ? (b->len && it_buf_putc(b, '.') < 0) ? -1 : it_buf_puts(b, f->key)
		                : it_buf_printf(b, "[%zu]", f->index);
		if (rc < 0)
			return -1;
	}
	if (elem != SIZE_MAX && it_buf_printf(b, "[%zu]", elem) < 0)
		return -1;
	if (key && ((b->len && it_buf_putc(b, '.') < 0) || it_buf_puts(b, key) < 0))
		return -1;
	return 0;
}

static int nomem(struct nvd *n)
{
	n->failed = 1;
	it_error_nomem(n->err);
	return FAIL;
}

/* Report something malformed at frame i ([elem], .key); the caller decides what is
 * skipped. OK or FAIL. */
static int report(struct nvd *n, int i, size_t elem, const char *key, const char *expected)
{
	if (path_render(n, i, elem, key) < 0)
		return nomem(n);
	if (n->sink->malformed)
		n->sink->malformed(n->sink->user, n->where.len ? it_buf_str(&n->where) : "$",
		                   expected);
	return OK;
}

/* Report the record as malformed at frame i (or its member key): the rest of it is
 * stepped over. BAD (or FAIL). */
static int bad_at(struct nvd *n, int i, const char *key, const char *expected)
{
	if (n->bad || n->failed)
		return BAD;
	if (report(n, i, SIZE_MAX, key, expected) == FAIL)
		return FAIL;
	n->bad = 1;
	return BAD;
}

/* The same for the element an array (frame i) has just begun. */
static int bad_elem(struct nvd *n, int i, const char *expected)
{
	if (n->bad || n->failed)
		return BAD;
	if (report(n, i, n->f[i].count - 1, NULL, expected) == FAIL)
		return FAIL;
	n->bad = 1;
	return BAD;
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

/* --- configurations: check and flatten into rows ---------------------------------------- */

/* Parse the criteria into cm->cpe: OK, BAD (reported at frame i) or FAIL. Only the 2.3
 * formatted string is NVD's; it_cpe_parse also reads 2.2 URIs. */
static int read_criteria(struct nvd *n, int i, struct cmatch *cm)
{
	struct it_error perr = IT_ERROR_INIT;
	int rc = OK;
	if (strncmp(cm->criteria, "cpe:2.3:", 8) != 0) {
		rc = bad_at(n, i, "criteria", "expected a CPE 2.3 formatted string (cpe:2.3:...)");
	} else if (it_cpe_parse(&cm->cpe, cm->criteria, &perr) < 0) {
		if (perr.code == IT_ERR_NOMEM) {
			rc = nomem(n);
		} else {
			struct it_buf msg = IT_BUF_INIT;
			if (it_buf_printf(&msg, "expected a CPE 2.3 formatted string: %s",
			                  perr.message ? perr.message : "unreadable") < 0)
				rc = nomem(n);
			else
				rc = bad_at(n, i, "criteria", it_buf_str(&msg));
			it_buf_free(&msg);
		}
	}
	it_error_clear(&perr);
	return rc;
}

static int platform_add(struct platform *pl, int negated, const char *cpe)
{
	if (pl->count >= MAX_PLATFORM || pl->text.len + strlen(cpe) + 2 > MAX_PLATFORM_BYTES) {
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
static int platform_subtree(const struct cve *c, size_t ni, int negated, struct platform *pl)
{
	const struct cnode *node = &c->nodes[ni];
	negated ^= node->negate;
	for (size_t i = 0; i < node->n_match; i++)
		if (platform_add(pl, negated, c->matches[node->first_match + i].criteria) < 0)
			return -1;
	for (size_t k = node->first_child; k != SIZE_MAX; k = c->nodes[k].next)
		if (platform_subtree(c, k, negated, pl) < 0)
			return -1;
	return 0;
}

/* The operands of an AND node other than one cpeMatch (skip_match) or one child. */
static int platform_others(const struct cve *c, const struct cnode *node, size_t skip_match,
                           size_t skip_child, struct platform *pl)
{
	for (size_t i = 0; i < node->n_match; i++)
		if (node->first_match + i != skip_match &&
		    platform_add(pl, 0, c->matches[node->first_match + i].criteria) < 0)
			return -1;
	for (size_t k = node->first_child; k != SIZE_MAX; k = c->nodes[k].next)
		if (k != skip_child && platform_subtree(c, k, 0, pl) < 0)
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
	*out = arena_copy(&n->arena, it_buf_str(&n->scratch), n->scratch.len);
	return *out ? 0 : -2;
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

static int add_row(struct nvd *n, const struct cmatch *m, int negate, const struct platform *pl)
{
	struct cve *c = &n->c;
	const struct it_cpe *cpe = &m->cpe;
	const char *version = NULL;
	int vr = m->start || m->end ? 0 : row_version(n, cpe, &version), seen;
	if (vr == -2)
		return -1;
	/* ANY/NA or a wildcard vendor/product must never match: no row */
	if (vr == -1 || cpe->any[IT_CPE_VENDOR] || cpe->na[IT_CPE_VENDOR] ||
	    cpe->wild[IT_CPE_VENDOR] || cpe->any[IT_CPE_PRODUCT] || cpe->na[IT_CPE_PRODUCT] ||
	    cpe->wild[IT_CPE_PRODUCT]) {
		c->dropped++;
		return 0;
	}
	if ((seen = row_seen(n, m, negate, pl)) != 0)
		return seen < 0 ? -1 : 0;
	if (it_array_grow(&c->rows, &c->cap_rows, c->n_rows, sizeof(*c->rows)) < 0 ||
	    it_array_grow(&c->extra, &c->cap_extra, c->n_rows, sizeof(*c->extra)) < 0)
		return -1;
	lower(cpe->attr[IT_CPE_VENDOR]);
	lower(cpe->attr[IT_CPE_PRODUCT]);
	struct it_store_row *row = &c->rows[c->n_rows];
	memset(row, 0, sizeof(*row));
	row->kind = "cpe";
	row->ns = cpe->attr[IT_CPE_VENDOR];
	row->name = cpe->attr[IT_CPE_PRODUCT];
	row->cpe = m->criteria;
	row->scheme = "generic";
	row->version = version;
	row->start = m->start;
	row->start_incl = m->start && m->start_incl;
	row->end = m->end;
	row->end_incl = m->end && m->end_incl;
	row->status = "affected";
	row->fixed = m->end && !m->end_incl ? m->end : NULL;
	row->negate = negate;
	c->extra[c->n_rows] = (struct row_extra){m->match_id, pl->truncated};
	if (pl->text.len &&
	    !(row->platform = arena_copy(&n->arena, it_buf_str(&pl->text), pl->text.len)))
		return -1;
	c->n_rows++;
	return 0;
}

/* Rows of the subtree at ni: negate is the NOT of its ancestors, pl what they require. */
static int flatten(struct nvd *n, size_t ni, int negate, struct platform *pl)
{
	const struct cnode node = n->c.nodes[ni];
	size_t len = pl->text.len, count = pl->count;
	int truncated = pl->truncated;
	negate ^= node.negate;
	for (size_t i = 0; i < node.n_match; i++) {
		size_t mi = node.first_match + i;
		if (!n->c.matches[mi].vulnerable)
			continue;
		if ((node.is_and && platform_others(&n->c, &node, mi, SIZE_MAX, pl) < 0) ||
		    add_row(n, &n->c.matches[mi], negate, pl) < 0)
			return -1;
		it_buf_truncate(&pl->text, len);
		pl->count = count;
		pl->truncated = truncated;
	}
	for (size_t ci = node.first_child; ci != SIZE_MAX; ci = n->c.nodes[ci].next) {
		if ((node.is_and && platform_others(&n->c, &node, SIZE_MAX, ci, pl) < 0) ||
		    flatten(n, ci, negate, pl) < 0)
			return -1;
		it_buf_truncate(&pl->text, len);
		pl->count = count;
		pl->truncated = truncated;
	}
	return 0;
}

static int flatten_all(struct nvd *n)
{
	struct platform pl = {IT_BUF_INIT, 0, 0};
	int rc = 0;
	for (size_t i = n->c.first_config; rc == 0 && i != SIZE_MAX; i = n->c.nodes[i].next)
		rc = flatten(n, i, 0, &pl);
	it_buf_free(&pl.text);
	return rc;
}

/* --- one record: reset, write, emit ------------------------------------------------- */

static void cve_reset(struct nvd *n)
{
	struct cve *c = &n->c;
	for (size_t i = 0; i < c->n_matches; i++)
		it_cpe_free(&c->matches[i].cpe);
	struct cve keep = *c;
	memset(c, 0, sizeof(*c));
	c->metrics = keep.metrics;
	c->cap_metrics = keep.cap_metrics;
	c->cwes = keep.cwes;
	c->cap_cwes = keep.cap_cwes;
	c->refs = keep.refs;
	c->cap_refs = keep.cap_refs;
	c->tags = keep.tags;
	c->cap_tags = keep.cap_tags;
	c->nodes = keep.nodes;
	c->cap_nodes = keep.cap_nodes;
	c->matches = keep.matches;
	c->cap_matches = keep.cap_matches;
	c->rows = keep.rows;
	c->cap_rows = keep.cap_rows;
	c->extra = keep.extra;
	c->cap_extra = keep.cap_extra;
	c->first_config = c->last_config = SIZE_MAX;
	json_object_clear(n->seen);
	arena_reset(&n->arena);
	n->bad = 0;
}

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

/* A score (0 to 10) as the shortest text that reads back the same, with a fraction:
 * "7.5", "10.0", "9.25". */
static void score_text(double s, char out[32])
{
	snprintf(out, 32, "%.1f", s);
	for (int prec = 2; strtod(out, NULL) != s && prec <= 17; prec++)
		snprintf(out, 32, "%.*g", prec, s);
	if (!strpbrk(out, ".eE"))
		strcat(out, ".0");
}

/* The best metric for the record's score: v3.1 > v3.0 > v4.0 > v2; within a version
 * NVD's Primary first, then the first. NULL when there is none. */
static const struct metric *best_metric(const struct cve *c)
{
	for (size_t k = 0; k < N_KINDS; k++) {
		const struct metric *best = NULL;
		for (size_t i = 0; i < c->n_metrics; i++) {
			const struct metric *m = &c->metrics[i];
			int primary = m->type && strcmp(m->type, "Primary") == 0;
			if (m->kind == (int)k &&
			    (!best ||
			     (primary && !(best->type && strcmp(best->type, "Primary") == 0))))
				best = m;
		}
		if (best)
			return best;
	}
	return NULL;
}

/* yajl_gen writes into the nvd's current output buffer. */
static void gen_print(void *ctx, const char *s, size_t len)
{
	struct nvd *n = ctx;
	struct it_buf *b = n->gen_out;
	if (b->cap - b->len > len) { /* the common case, without a call */
		memcpy(b->data + b->len, s, len);
		b->len += len;
		b->data[b->len] = 0;
	} else if (it_buf_append(b, s, len) < 0) {
		n->gen_failed = 1;
	}
}

static void g_str(yajl_gen g, const char *s)
{
	if (s)
		yajl_gen_string(g, (const unsigned char *)s, strlen(s));
	else
		yajl_gen_null(g);
}

static void g_key(yajl_gen g, const char *k, const char *v)
{
	g_str(g, k);
	g_str(g, v);
}

static void g_metrics(yajl_gen g, const struct cve *c)
{
	yajl_gen_array_open(g);
	for (size_t k = 0; k < N_KINDS; k++)
		for (size_t i = 0; i < c->n_metrics; i++) {
			const struct metric *m = &c->metrics[i];
			if (m->kind != (int)k)
				continue;
			yajl_gen_map_open(g);
			g_key(g, "type", metric_kinds[k].type);
			g_key(g, "vector", m->vector);
			g_str(g, "score");
			yajl_gen_number(g, m->score_text, strlen(m->score_text));
			g_key(g, "severity", severity_word(m->sev, m->score));
			g_key(g, "source", m->source);
			g_str(g, "primary");
			yajl_gen_bool(g, m->type && strcmp(m->type, "Primary") == 0);
			yajl_gen_map_close(g);
		}
	yajl_gen_array_close(g);
}

static void g_row(yajl_gen g, const struct it_store_row *r, const struct row_extra *x)
{
	yajl_gen_map_open(g);
	g_key(g, "kind", r->kind);
	g_key(g, "ns", r->ns);
	g_key(g, "name", r->name);
	g_key(g, "cpe", r->cpe);
	g_key(g, "scheme", r->scheme);
	g_key(g, "version", r->version);
	g_key(g, "start", r->start);
	g_str(g, "start_incl");
	yajl_gen_bool(g, r->start_incl);
	g_key(g, "end", r->end);
	g_str(g, "end_incl");
	yajl_gen_bool(g, r->end_incl);
	g_key(g, "status", r->status);
	g_key(g, "fixed", r->fixed);
	g_key(g, "platform", r->platform);
	if (x->truncated) {
		g_str(g, "platform_truncated");
		yajl_gen_bool(g, 1);
	}
	g_str(g, "negate");
	yajl_gen_bool(g, r->negate);
	if (x->match_id)
		g_key(g, "match_id", x->match_id);
	yajl_gen_map_close(g);
}

/* The record's JSON (docs/vulndb.md "Record") into n->json, its brief into n->brief. */
static int write_record(struct nvd *n, int withdrawn, const struct metric *best)
{
	const struct cve *c = &n->c;
	yajl_gen g = n->gen;
	it_buf_truncate(&n->json, 0);
	n->gen_out = &n->json;
	n->gen_failed = 0;
	yajl_gen_reset(g, NULL);
	yajl_gen_map_open(g);
	g_str(g, "origin");
	yajl_gen_map_open(g);
	g_key(g, "file", n->origin);
	yajl_gen_map_close(g);
	g_key(g, "id", c->id);
	g_key(g, "source", "nvd");
	g_str(g, "withdrawn");
	yajl_gen_bool(g, withdrawn);
	g_key(g, "modified", c->modified);
	if (c->published)
		g_key(g, "published", c->published);
	g_str(g, "affected");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < c->n_rows; i++)
		g_row(g, &c->rows[i], &c->extra[i]);
	yajl_gen_array_close(g);
	if (c->summary)
		g_key(g, "summary", c->summary);
	if (c->has_metrics) {
		g_str(g, "metrics");
		g_metrics(g, c);
	}
	if (best) {
		g_str(g, "score");
		yajl_gen_number(g, best->score_text, strlen(best->score_text));
		g_key(g, "severity", severity_word(best->sev, best->score));
	}
	g_str(g, "cwes");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < c->n_cwes; i++)
		g_str(g, c->cwes[i]);
	yajl_gen_array_close(g);
	g_str(g, "references");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < c->n_refs; i++) {
		yajl_gen_map_open(g);
		g_key(g, "url", c->refs[i].url);
		g_str(g, "tags");
		yajl_gen_array_open(g);
		for (size_t t = 0; t < c->refs[i].n_tags; t++)
			g_str(g, c->tags[c->refs[i].first_tag + t]);
		yajl_gen_array_close(g);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	if (c->kev[0] || c->kev[1] || c->kev[2] || c->kev[3]) {
		g_str(g, "kev_hint");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < 4; i++)
			if (c->kev[i])
				g_key(g, kev_out[i], c->kev[i]);
		yajl_gen_map_close(g);
	}
	yajl_gen_map_close(g);

	/* the brief: what a match reports (store.h) */
	it_buf_truncate(&n->brief, 0);
	n->gen_out = &n->brief;
	yajl_gen_reset(g, NULL);
	yajl_gen_map_open(g);
	g_key(g, "source", "nvd");
	g_key(g, "aliases", NULL);
	g_key(g, "summary", c->summary);
	g_key(g, "severity", best ? severity_word(best->sev, best->score) : NULL);
	g_str(g, "score");
	if (best) {
		yajl_gen_number(g, best->score_text, strlen(best->score_text));
	} else {
		yajl_gen_null(g);
	}
	g_str(g, "metrics");
	if (c->has_metrics)
		g_metrics(g, c);
	else
		yajl_gen_null(g);
	yajl_gen_map_close(g);
	return n->gen_failed ? -1 : 0;
}

/* Why a well-formed record gives nothing to match on, for sink->skipped. */
static const char *skip_reason(struct nvd *n)
{
	it_buf_truncate(&n->where, 0);
	if (!n->c.has_configs)
		it_buf_printf(&n->where, "no configurations (vulnStatus \"%s\")",
		              n->c.status ? n->c.status : "absent");
	else if (n->c.dropped)
		it_buf_printf(
		        &n->where,
		        "no usable CPE: %zu vulnerable CPEs with an ANY/NA or wildcard vendor or "
		        "product, or a wildcard version",
		        n->c.dropped);
	else
		it_buf_puts(&n->where, "no vulnerable CPE in the configurations");
	return n->where.len ? it_buf_str(&n->where) : "no usable CPE";
}

/* The cve object in frame i has ended: check what it requires, then emit the record or
 * report it skipped. */
static int finish_cve(struct nvd *n, int i)
{
	struct cve *c = &n->c;
	int rc;
	if (n->bad)
		return BAD;
	if (!c->id)
		return bad_at(n, i, "id", "a string is required");
	if (!c->modified)
		return bad_at(n, i, "lastModified", "a string is required");
	int withdrawn = c->status && strcmp(c->status, "Rejected") == 0;
	if (flatten_all(n) < 0)
		return nomem(n);
	if (!withdrawn && c->n_rows == 0) {
		if (n->sink->skipped)
			n->sink->skipped(n->sink->user, c->id, skip_reason(n));
		return OK;
	}
	const struct metric *best = best_metric(c);
	if (write_record(n, withdrawn, best) < 0)
		return nomem(n);
	if (n->json.len > MAX_RECORD)
		return bad_at(n, i, NULL, "record too large (its normalised JSON is over 60 MiB)");
	struct it_store_vuln v = {
	        .id = c->id,
	        .source = "nvd",
	        .modified = c->modified,
	        .published = c->published,
	        .withdrawn = withdrawn,
	        .severity = best ? severity_word(best->sev, best->score) : NULL,
	        .score = best ? best->score : -1,
	        .json = it_buf_str(&n->json),
	        .brief = it_buf_str(&n->brief),
	        .rows = c->rows,
	        .n_rows = c->n_rows,
	};
	rc = n->sink->vuln(n->sink->user, &v, n->err) < 0 ? FAIL : OK;
	if (rc == FAIL)
		n->failed = 1;
	return rc;
}

/* --- the events -------------------------------------------------------------------- */

/* Value types, as events give them. */
enum vtype { V_NULL, V_BOOL, V_NUM, V_STR, V_MAP, V_ARRAY };

static int is_container(enum vtype t)
{
	return t == V_MAP || t == V_ARRAY;
}

/* Step over the value that begins (a container to its end). OK. */
static int step_over(struct nvd *n, enum vtype t)
{
	if (is_container(t))
		n->skip = 1;
	return OK;
}

/* Enter a container the reader follows. Frames are bounded: a page, its array, an item,
 * the cve object, then at most two per level of nodes (MAX_DEPTH) and three below. */
static int push(struct nvd *n, enum kind kind, const char *key)
{
	if (n->top + 1 >= MAX_FRAMES) {
		n->failed = 1;
		it_error_set(n->err, IT_ERR_INTERNAL, n->origin, IT_NO_OFFSET,
		             "NVD reader: containers nested deeper than its bound");
		return FAIL;
	}
	const struct frame *up = n->top >= 0 ? &n->f[n->top] : NULL;
	struct frame *f = &n->f[++n->top];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->key = key;
	f->member = -1;
	f->index = up && !key ? up->count - 1 : 0;
	return OK;
}

static const char *const *keys_of(enum kind k)
{
	switch (k) {
	case K_PAGE:
		return page_keys;
	case K_ITEM:
		return item_keys;
	case K_CVE:
		return cve_keys;
	case K_DESC:
		return desc_keys;
	case K_METRICS:
		return metrics_keys;
	case K_METRIC:
		return metric_keys;
	case K_CVSS:
		return cvss_keys;
	case K_WEAK:
		return weak_keys;
	case K_WDESC:
		return wdesc_keys;
	case K_REF:
		return ref_keys;
	case K_NODE:
		return node_keys;
	case K_MATCH:
		return match_keys;
	default:
		return NULL;
	}
}

/* The name of the innermost object's current member. */
static const char *member_name(const struct nvd *n)
{
	const struct frame *f = &n->f[n->top];
	const char *const *keys = keys_of(f->kind);
	return keys && f->member >= 0 ? keys[f->member] : NULL;
}

/* A string member of the innermost object, checked as every string the record keeps
 * (present, non-empty, at most max bytes, no NUL) and copied into *out. */
static int take_str(struct nvd *n, enum vtype t, const char *s, size_t len, size_t max,
                    const char **out)
{
	const char *key = member_name(n);
	if (t != V_STR)
		return bad_at(n, n->top, key, "expected a string");
	if (len == 0)
		return bad_at(n, n->top, key, "expected a non-empty string");
	if (len > max)
		return bad_at(n, n->top, key, "string too long");
	if (memchr(s, '\0', len))
		return bad_at(n, n->top, key, "expected a string without NUL characters");
	return (*out = arena_copy(&n->arena, s, len)) ? OK : nomem(n);
}

/* The same for a word the store keeps in a column (an id, a version, a CPE): no control
 * characters either (the store refuses them; the record is malformed here, with its
 * path, not refused later). */
static int take_word(struct nvd *n, enum vtype t, const char *s, size_t len, size_t max,
                     const char **out)
{
	int rc = take_str(n, t, s, len, max, out);
	if (rc != OK)
		return rc;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return bad_at(n, n->top, member_name(n),
			              "expected a string without control characters");
	return OK;
}

/* An array or object member: push its frame, or report the wrong type. */
static int take_container(struct nvd *n, enum vtype t, enum vtype want, enum kind kind,
                          const char *expected)
{
	const char *key = member_name(n);
	if (t != want)
		return bad_at(n, n->top, key, expected);
	return push(n, kind, key);
}

static int take_time(struct nvd *n, enum vtype t, const char *s, size_t len, const char **out)
{
	const char *raw;
	char norm[40];
	int rc = take_str(n, t, s, len, 64, &raw);
	if (rc != OK)
		return rc;
	if (norm_time(raw, norm) < 0)
		return bad_at(n, n->top, member_name(n),
		              "expected a date-time (YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm])");
	return (*out = arena_copy(&n->arena, norm, strlen(norm))) ? OK : nomem(n);
}

/* The cve object begins (frame pushed). */
static void cve_begin(struct nvd *n)
{
	cve_reset(n);
	n->cve_frame = n->top;
}

/* The page turns out to be no NVD page: stop, nothing was emitted. */
static int stop_not_nvd(struct nvd *n)
{
	n->not_nvd = 1;
	return FAIL;
}

/* A configuration (is_config) or a node of the node in frame parent begins: its frame is
 * the innermost. */
static int new_node(struct nvd *n, int parent, int is_config)
{
	struct cve *c = &n->c;
	if (c->n_nodes >= MAX_NODES)
		return bad_at(n, parent, NULL,
		              "too many configuration nodes in one record (limit 100000)");
	if (it_array_grow(&c->nodes, &c->cap_nodes, c->n_nodes, sizeof(*c->nodes)) < 0)
		return nomem(n);
	size_t ni = c->n_nodes++;
	struct cnode *node = &c->nodes[ni];
	memset(node, 0, sizeof(*node));
	node->first_child = node->last_child = node->next = SIZE_MAX;
	node->first_match = c->n_matches;
	if (is_config) {
		if (c->last_config == SIZE_MAX)
			c->first_config = ni;
		else
			c->nodes[c->last_config].next = ni;
		c->last_config = ni;
	} else {
		struct cnode *up = &c->nodes[n->f[parent].slot];
		if (up->last_child == SIZE_MAX)
			up->first_child = ni;
		else
			c->nodes[up->last_child].next = ni;
		up->last_child = ni;
	}
	struct frame *f = &n->f[n->top];
	f->slot = ni;
	f->is_config = is_config;
	f->depth = is_config ? 0 : n->f[parent].depth + 1;
	return OK;
}

static int on_cve_member(struct nvd *n, enum vtype t, const char *s, size_t len)
{
	struct cve *c = &n->c;
	int m = n->f[n->top].member, rc;
	switch (m) {
	case M_ID:
		if ((rc = take_word(n, t, s, len, MAX_ID, &c->id)) != OK)
			return rc;
		if (strcspn(c->id, " \t\r\n\v\f") != strlen(c->id))
			return bad_at(n, n->top, "id", "expected an id without white space");
		return OK;
	case M_STATUS:
		return take_str(n, t, s, len, 64, &c->status);
	case M_MODIFIED:
		return take_time(n, t, s, len, &c->modified);
	case M_PUBLISHED:
		return take_time(n, t, s, len, &c->published);
	case M_DESCS:
		return take_container(n, t, V_ARRAY, K_DESCS, "expected an array");
	case M_METRICS:
		c->has_metrics = 1;
		return take_container(n, t, V_MAP, K_METRICS, "expected an object");
	case M_WEAKS:
		return take_container(n, t, V_ARRAY, K_WEAKS, "expected an array");
	case M_REFS:
		return take_container(n, t, V_ARRAY, K_REFS, "expected an array");
	case M_CONFS:
		c->has_configs = 1;
		return take_container(n, t, V_ARRAY, K_CONFS, "expected an array");
	default:
		return take_str(n, t, s, len, MAX_TEXT, &c->kev[m - M_KEV0]);
	}
}

static int on_node_member(struct nvd *n, enum vtype t, const char *s, size_t len)
{
	struct frame *f = &n->f[n->top];
	struct cnode *node = &n->c.nodes[f->slot];
	const char *op;
	int rc;
	switch (f->member) {
	case M_OPERATOR:
		if ((rc = take_str(n, t, s, len, 8, &op)) != OK)
			return rc;
		if (strcmp(op, "AND") != 0 && strcmp(op, "OR") != 0)
			return bad_at(n, n->top, "operator", "expected \"AND\" or \"OR\"");
		node->is_and = strcmp(op, "AND") == 0;
		return OK;
	case M_NEGATE:
		if (t != V_BOOL)
			return bad_at(n, n->top, "negate", "expected a boolean");
		node->negate = len != 0;
		return OK;
	case M_NODES:
		if (!f->is_config)
			break;
		return take_container(n, t, V_ARRAY, K_NODES, "expected an array");
	case M_CHILDREN:
		if (f->is_config)
			break;
		if (t == V_ARRAY && f->depth >= MAX_DEPTH)
			return bad_at(n, n->top, "children", "nodes nested too deep (limit 8)");
		return take_container(n, t, V_ARRAY, K_NODES, "expected an array");
	case M_CPEMATCH:
		if (f->is_config)
			break;
		node->first_match = n->c.n_matches;
		return take_container(n, t, V_ARRAY, K_MATCHES, "expected an array");
	}
	return step_over(n, t);
}

static int on_member(struct nvd *n, enum vtype t, const char *s, size_t len)
{
	struct frame *f = &n->f[n->top];
	struct cve *c = &n->c;
	if (f->member < 0 || (n->bad && n->cve_frame >= 0))
		return step_over(n, t);
	switch (f->kind) {
	case K_PAGE:
		if (t != V_ARRAY)
			return stop_not_nvd(n);
		return push(n, K_VULNS, "vulnerabilities");
	case K_ITEM:
		if (t != V_MAP)
			return step_over(n, t);
		n->item_cve = 1;
		n->accepted = 1;
		if (push(n, K_CVE, "cve") != OK)
			return FAIL;
		cve_begin(n);
		return OK;
	case K_CVE:
		return on_cve_member(n, t, s, len);
	case K_DESC:
		return take_str(n, t, s, len, f->member == M_LANG ? 64 : MAX_TEXT,
		                &f->s[f->member]);
	case K_METRICS:
		if (t != V_ARRAY)
			return bad_at(n, n->top, member_name(n), "expected an array");
		if (push(n, K_MLIST, member_name(n)) != OK)
			return FAIL;
		n->f[n->top].slot = (size_t)f->member;
		return OK;
	case K_METRIC: {
		struct metric *m = &c->metrics[f->slot];
		if (f->member == M_SOURCE)
			return take_str(n, t, s, len, MAX_TEXT, &m->source);
		if (f->member == M_TYPE)
			return take_str(n, t, s, len, 64, &m->type);
		if (f->member == M_DATA) {
			if (t != V_MAP)
				return bad_at(n, n->top, "cvssData", "an object is required");
			m->has_data = 1;
			return push(n, K_CVSS, "cvssData");
		}
		if (metric_kinds[m->kind].severity_outside)
			return take_str(n, t, s, len, 64, &m->sev);
		break;
	}
	case K_CVSS: {
		struct metric *m = &c->metrics[n->f[n->top - 1].slot];
		if (f->member == M_VECTOR)
			return take_str(n, t, s, len, 1024, &m->vector);
		if (f->member == M_SCORE) {
			char num[64];
			if (t != V_NUM || len >= sizeof(num))
				return bad_at(n, n->top, "baseScore",
				              "expected a number from 0 to 10");
			memcpy(num, s, len);
			num[len] = '\0';
			m->score = strtod(num, NULL);
			if (!(m->score >= 0 && m->score <= 10))
				return bad_at(n, n->top, "baseScore",
				              "expected a number from 0 to 10");
			m->has_score = 1;
			score_text(m->score, m->score_text);
			return OK;
		}
		if (!metric_kinds[m->kind].severity_outside)
			return take_str(n, t, s, len, 64, &m->sev);
		break;
	}
	case K_WEAK:
		return take_container(n, t, V_ARRAY, K_WDESCS, "expected an array");
	case K_WDESC:
		return take_str(n, t, s, len, 64, &f->s[0]);
	case K_REF:
		if (f->member == M_URL)
			return take_str(n, t, s, len, MAX_TEXT, &c->refs[f->slot].url);
		c->refs[f->slot].first_tag = c->n_tags;
		return take_container(n, t, V_ARRAY, K_TAGS, "expected an array");
	case K_NODE:
		return on_node_member(n, t, s, len);
	case K_MATCH:
		if (f->member == M_VULNERABLE) {
			if (t != V_BOOL)
				return bad_at(n, n->top, "vulnerable", "expected a boolean");
			f->flag = len ? 2 : 1;
			return OK;
		}
		return take_word(n, t, s, len,
		                 f->member == M_CRITERIA   ? MAX_CPE
		                 : f->member == M_MATCH_ID ? MAX_ID
		                                           : MAX_VERSION,
		                 &f->s[f->member]);
	default:
		break;
	}
	return step_over(n, t);
}

/* The element of the innermost array that begins. */
static int on_element(struct nvd *n, enum vtype t, const char *s, size_t len)
{
	struct frame *a = &n->f[n->top];
	struct cve *c = &n->c;
	int ai = n->top;
	a->count++;
	if (a->kind == K_VULNS) {
		n->item_cve = 0;
		if (t == V_MAP)
			return push(n, K_ITEM, NULL);
		if (a->count == 1)
			return stop_not_nvd(n);
		step_over(n, t);
		return report(n, ai, a->count - 1, NULL, "expected an item {\"cve\": {...}}");
	}
	if (n->bad)
		return step_over(n, t);
	if (a->count > MAX_LIST)
		return bad_at(n, ai, NULL, "too many items (limit 100000)");
	if (a->kind == K_TAGS) {
		if (t != V_STR || len > 256 || memchr(s, '\0', len))
			return bad_elem(n, ai, "expected a tag string");
		if (it_array_grow(&c->tags, &c->cap_tags, c->n_tags, sizeof(*c->tags)) < 0 ||
		    !(c->tags[c->n_tags] = arena_copy(&n->arena, s, len)))
			return nomem(n);
		c->n_tags++;
		c->refs[n->f[ai - 1].slot].n_tags++;
		return OK;
	}
	static const char *const what[] = {
	        [K_DESCS] = "expected a description object",
	        [K_MLIST] = "expected a metric object",
	        [K_WEAKS] = "expected a weakness object",
	        [K_WDESCS] = "expected a description object",
	        [K_REFS] = "expected a reference object",
	        [K_CONFS] = "expected a configuration object",
	        [K_NODES] = "expected a node object",
	        [K_MATCHES] = "expected a cpeMatch object",
	};
	if (t != V_MAP)
		return bad_elem(n, ai, what[a->kind] ? what[a->kind] : "expected an object");
	switch (a->kind) {
	case K_DESCS:
		return push(n, K_DESC, NULL);
	case K_MLIST:
		if (it_array_grow(&c->metrics, &c->cap_metrics, c->n_metrics, sizeof(*c->metrics)) <
		    0)
			return nomem(n);
		memset(&c->metrics[c->n_metrics], 0, sizeof(*c->metrics));
		c->metrics[c->n_metrics].kind = (int)a->slot;
		if (push(n, K_METRIC, NULL) != OK)
			return FAIL;
		n->f[n->top].slot = c->n_metrics++;
		return OK;
	case K_WEAKS:
		return push(n, K_WEAK, NULL);
	case K_WDESCS:
		return push(n, K_WDESC, NULL);
	case K_REFS:
		if (it_array_grow(&c->refs, &c->cap_refs, c->n_refs, sizeof(*c->refs)) < 0)
			return nomem(n);
		memset(&c->refs[c->n_refs], 0, sizeof(*c->refs));
		c->refs[c->n_refs].first_tag = c->n_tags;
		if (push(n, K_REF, NULL) != OK)
			return FAIL;
		n->f[n->top].slot = c->n_refs++;
		return OK;
	case K_CONFS:
	case K_NODES:
		if (push(n, K_NODE, NULL) != OK)
			return FAIL;
		return new_node(n, ai - 1, a->kind == K_CONFS);
	case K_MATCHES:
		if (c->n_matches >= MAX_MATCHES)
			return bad_elem(n, ai,
			                "too many cpeMatch entries in one record (limit 100000)");
		return push(n, K_MATCH, NULL);
	default:
		n->skip = 1;
		return OK;
	}
}

/* A cpeMatch object ends: check it and keep it. */
static int end_match(struct nvd *n, struct frame *f, int i)
{
	struct cve *c = &n->c;
	struct cmatch cm = {0};
	const char *se = f->s[M_START_EXCL], *ee = f->s[M_END_EXCL];
	int rc;
	if (!f->flag)
		return bad_at(n, i, "vulnerable", "a boolean is required");
	if (!f->s[M_CRITERIA])
		return bad_at(n, i, "criteria", "a string is required");
	cm.vulnerable = f->flag == 2;
	cm.criteria = f->s[M_CRITERIA];
	cm.match_id = f->s[M_MATCH_ID];
	cm.start = f->s[M_START_INCL];
	cm.end = f->s[M_END_INCL];
	if (cm.start && se)
		return bad_at(n, i, "versionStartExcluding",
		              "versionStartIncluding and versionStartExcluding exclude each other");
	if (cm.end && ee)
		return bad_at(n, i, "versionEndExcluding",
		              "versionEndIncluding and versionEndExcluding exclude each other");
	cm.start_incl = cm.start != NULL;
	cm.end_incl = cm.end != NULL;
	if (se)
		cm.start = se;
	if (ee)
		cm.end = ee;
	if (it_array_grow(&c->matches, &c->cap_matches, c->n_matches, sizeof(cm)) < 0)
		return nomem(n);
	if ((rc = read_criteria(n, i, &cm)) != OK)
		return rc;
	c->matches[c->n_matches++] = cm;
	return OK;
}

/* The innermost container ends (its frame i is already popped). */
static int on_end(struct nvd *n, struct frame *f, int i)
{
	struct cve *c = &n->c;
	switch (f->kind) {
	case K_ITEM:
		if (n->item_cve)
			return OK;
		if (n->f[i - 1].count == 1)
			return stop_not_nvd(n);
		return report(n, i, SIZE_MAX, "cve", "an NVD cve object is required");
	case K_CVE: {
		int rc = finish_cve(n, i);
		n->cve_frame = -1;
		n->bad = 0;
		return rc == FAIL ? FAIL : OK;
	}
	default:
		break;
	}
	if (n->bad)
		return OK;
	switch (f->kind) {
	case K_DESC:
		if (!f->s[M_LANG])
			return bad_at(n, i, "lang", "a string is required");
		if (!f->s[M_VALUE])
			return bad_at(n, i, "value", "a string is required");
		if (!c->summary && strcmp(f->s[M_LANG], "en") == 0)
			c->summary = f->s[M_VALUE];
		return OK;
	case K_METRIC:
		return c->metrics[f->slot].has_data
		               ? OK
		               : bad_at(n, i, "cvssData", "an object is required");
	case K_CVSS: {
		const struct metric *m = &c->metrics[n->f[i - 1].slot];
		if (!m->vector)
			return bad_at(n, i, "vectorString", "a string is required");
		if (!m->has_score)
			return bad_at(n, i, "baseScore", "expected a number from 0 to 10");
		return OK;
	}
	case K_WEAK:
		return f->seen & 1u << M_WDESC
		               ? OK
		               : bad_at(n, i, "description", "an array is required");
	case K_WDESC: {
		const char *v = f->s[0];
		if (!v)
			return bad_at(n, i, "value", "a string is required");
		for (size_t k = 0; k < c->n_cwes; k++)
			if (strcmp(c->cwes[k], v) == 0)
				return OK;
		if (strncmp(v, "CWE-", 4) != 0 || !v[4] ||
		    strspn(v + 4, "0123456789") != strlen(v + 4))
			return OK;
		if (it_array_grow(&c->cwes, &c->cap_cwes, c->n_cwes, sizeof(*c->cwes)) < 0)
			return nomem(n);
		c->cwes[c->n_cwes++] = v;
		return OK;
	}
	case K_REF:
		return c->refs[f->slot].url ? OK : bad_at(n, i, "url", "a string is required");
	case K_NODE:
		if (f->is_config && !(f->seen & 1u << M_NODES))
			return bad_at(n, i, "nodes", "an array is required");
		if (!f->is_config && !(f->seen & (1u << M_CHILDREN | 1u << M_CPEMATCH)))
			return bad_at(n, i, "cpeMatch", "an array is required");
		return OK;
	case K_MATCHES: {
		struct cnode *node = &c->nodes[n->f[i - 1].slot];
		node->n_match = c->n_matches - node->first_match;
		return OK;
	}
	case K_MATCH:
		return end_match(n, f, i);
	default:
		return OK;
	}
}

/* After a callback: stop on FAIL; after BAD step over the rest of the cve object. */
static int settle(struct nvd *n, int rc)
{
	if (rc == FAIL || n->failed || n->not_nvd)
		return 0;
	if (n->bad && n->cve_frame >= 0)
		while (n->top > n->cve_frame) {
			n->top--;
			n->skip++;
		}
	return 1;
}

static int value(struct nvd *n, enum vtype t, const char *s, size_t len)
{
	if (n->skip) {
		n->skip += is_container(t);
		return 1;
	}
	int rc;
	if (n->top < 0) {
		if (t != V_MAP) {
			stop_not_nvd(n);
			return 0;
		}
		if (push(n, n->streaming ? K_PAGE : K_CVE, NULL) != OK)
			return 0;
		if (!n->streaming)
			cve_begin(n);
		return 1;
	}
	int before = n->top;
	if (!keys_of(n->f[n->top].kind)) /* an array */
		rc = on_element(n, t, s, len);
	else
		rc = on_member(n, t, s, len);
	/* a container that was refused is stepped over */
	if (rc == BAD && is_container(t) && n->top == before && !n->skip)
		n->skip = 1;
	return settle(n, rc);
}

static int ev_null(void *ctx)
{
	return value(ctx, V_NULL, NULL, 0);
}

static int ev_bool(void *ctx, int b)
{
	return value(ctx, V_BOOL, NULL, (size_t)(b != 0));
}

static int ev_number(void *ctx, const char *s, size_t len)
{
	return value(ctx, V_NUM, s, len);
}

static int ev_string(void *ctx, const unsigned char *s, size_t len)
{
	return value(ctx, V_STR, (const char *)s, len);
}

static int ev_start_map(void *ctx)
{
	return value(ctx, V_MAP, NULL, 0);
}

static int ev_start_array(void *ctx)
{
	return value(ctx, V_ARRAY, NULL, 0);
}

static int ev_key(void *ctx, const unsigned char *s, size_t len)
{
	struct nvd *n = ctx;
	if (n->skip)
		return 1;
	struct frame *f = &n->f[n->top];
	const char *const *keys = keys_of(f->kind);
	f->member = -1;
	for (int i = 0; keys && keys[i]; i++)
		if (strlen(keys[i]) == len && memcmp(keys[i], s, len) == 0) {
			if (f->seen & 1u << i) { /* JSON parsers differ on which one counts */
				if (n->cve_frame >= 0 && !n->bad) {
					f->member = i;
					int rc = bad_at(n, n->top, member_name(n),
					                "duplicate member");
					f->member = -1;
					return settle(n, rc);
				}
				return 1;
			}
			f->seen |= 1u << i;
			f->member = i;
			break;
		}
	return 1;
}

static int ev_end(void *ctx)
{
	struct nvd *n = ctx;
	if (n->skip) {
		n->skip--;
		return 1;
	}
	struct frame f = n->f[n->top];
	int i = n->top--;
	return settle(n, on_end(n, &f, i));
}

static const yajl_callbacks events = {
        ev_null,      ev_bool, NULL,   NULL,           ev_number, ev_string,
        ev_start_map, ev_key,  ev_end, ev_start_array, ev_end,
};

/* --- documents --------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int nvd_init(struct nvd *n, const char *file, const struct it_import_sink *sink,
                    struct it_error *err)
{
	memset(n, 0, sizeof(*n));
	n->sink = sink;
	n->err = err;
	n->origin = base_name(file ? file : "(memory)");
	n->prefix = "";
	n->top = n->cve_frame = -1;
	n->c.first_config = n->c.last_config = SIZE_MAX;
	if (!(n->seen = json_object()) || !(n->gen = yajl_gen_alloc(NULL)) ||
	    !yajl_gen_config(n->gen, yajl_gen_print_callback, gen_print, n))
		return it_error_nomem(err);
	return 0;
}

static void nvd_clear(struct nvd *n)
{
	cve_reset(n);
	struct block *b = n->arena;
	while (b) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
	json_decref(n->seen);
	if (n->gen)
		yajl_gen_free(n->gen);
	free(n->c.metrics);
	free(n->c.cwes);
	free(n->c.refs);
	free(n->c.tags);
	free(n->c.nodes);
	free(n->c.matches);
	free(n->c.rows);
	free(n->c.extra);
	it_buf_free(&n->where);
	it_buf_free(&n->scratch);
	it_buf_free(&n->key);
	it_buf_free(&n->json);
	it_buf_free(&n->brief);
}

/* Run the events of text through n. The yajl status. */
static yajl_status run_events(struct nvd *n, const char *text, size_t len, size_t *offset)
{
	yajl_handle h = yajl_alloc(&events, NULL, n);
	if (!h)
		return yajl_status_error;
	n->top = n->cve_frame = -1;
	n->skip = 0;
	yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
	*offset = yajl_get_bytes_consumed(h);
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
		*offset = len;
	}
	if (st == yajl_status_error && offset) {
		unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)text, len);
		it_buf_truncate(&n->where, 0);
		if (msg) {
			size_t end = strlen((const char *)msg);
			while (end && (msg[end - 1] == '\n' || msg[end - 1] == ' '))
				end--;
			it_buf_append(&n->where, msg, end);
			yajl_free_error(h, msg);
		}
	}
	yajl_free(h);
	return st;
}

/* One cve object, given as a JSON value of jansson's (a small document), read through
 * the same events: its malformed members are reported under prefix. OK or FAIL. */
static int read_cve_value(struct nvd *n, json_t *cve, const char *prefix)
{
	char *text = json_dumps(cve, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t offset;
	if (!text)
		return nomem(n);
	n->prefix = prefix;
	yajl_status st = run_events(n, text, strlen(text), &offset);
	free(text);
	n->prefix = "";
	if (n->failed)
		return FAIL;
	if (st != yajl_status_ok) {
		n->failed = 1;
		it_error_set(n->err, IT_ERR_INTERNAL, n->origin, IT_NO_OFFSET,
		             "cannot read back a cve object: %s", it_buf_str(&n->where));
		return FAIL;
	}
	return OK;
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

/* The items of a page held as a JSON value. 0 or -1 (the sink failed). */
static int read_page(struct nvd *n, json_t *vulns)
{
	char prefix[64];
	for (size_t i = 0; i < json_array_size(vulns); i++) {
		json_t *item = json_array_get(vulns, i), *cve = json_object_get(item, "cve");
		int rc = OK;
		snprintf(prefix, sizeof(prefix), "vulnerabilities[%zu]", i);
		n->prefix = prefix;
		if (!json_is_object(item))
			rc = report(n, -1, SIZE_MAX, NULL, "expected an item {\"cve\": {...}}");
		else if (!json_is_object(cve))
			rc = report(n, -1, SIZE_MAX, "cve", "an NVD cve object is required");
		else {
			snprintf(prefix, sizeof(prefix), "vulnerabilities[%zu].cve", i);
			rc = read_cve_value(n, cve, prefix);
		}
		n->prefix = "";
		if (rc == FAIL)
			return -1;
	}
	return 0;
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

	struct nvd n;
	int rc = -1;
	if (nvd_init(&n, name, sink, err) == 0) {
		if (vulns)
			rc = read_page(&n, vulns);
		else
			rc = read_cve_value(&n, item ? item : doc, item ? "cve" : "") == FAIL ? -1
			                                                                      : 0;
	}
	nvd_clear(&n);
	return rc;
}

/* Where offset lies as a 1-based line and column, for messages. */
static void locate(const char *p, size_t offset, struct it_json_where *w)
{
	w->offset = offset;
	w->line = 1;
	size_t line_start = 0;
	for (size_t i = 0; i < offset; i++)
		if (p[i] == '\n') {
			w->line++;
			line_start = i + 1;
		}
	w->column = offset - line_start + 1;
}

int it_nvd_stream(const char *text, size_t len, const char *file, const struct it_import_sink *sink,
                  struct it_json_where *w, struct it_error *err)
{
	struct nvd n;
	size_t offset = 0;
	int rc;
	if (nvd_init(&n, file, sink, err) < 0) {
		nvd_clear(&n);
		return -2;
	}
	n.streaming = 1;
	yajl_status st = run_events(&n, text, len, &offset);
	if (n.failed)
		rc = -2;
	else if (!n.accepted || n.not_nvd)
		rc = 0; /* nothing was emitted: not an NVD page */
	else if (st == yajl_status_ok)
		rc = 1;
	else {
		locate(text, offset < len ? offset : len, w);
		snprintf(w->msg, sizeof(w->msg), "%s", it_buf_str(&n.where));
		rc = -1;
	}
	nvd_clear(&n);
	return rc;
}

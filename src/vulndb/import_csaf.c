/*
 * CSAF 2.0 importer (security advisories and VEX): one normalised record per
 * vulnerability. The product tree (branches, full product names, relationships, groups) is
 * indexed once per document; each product id in a product_status list is resolved through
 * it to a row (a PURL or CPE helper when present, else "csaf:<vendor>"/<product>) with its
 * version, vers: range or unparseable range text. Rules: docs/vulndb.md "CSAF".
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iotrust/vulndb.h"
#include "vulndb/importer.h"

#define CSAF_MAX_STR      8192      /* bytes in a name, id or version */
#define CSAF_MAX_DEPTH    32        /* nested branches */
#define CSAF_MAX_BRANCHES (1 << 20) /* branches in a product tree */
#define CSAF_MAX_PRODUCTS (1 << 18) /* product ids in a product tree */
#define CSAF_MAX_VULNS    (1 << 17) /* vulnerabilities in a document */
#define CSAF_MAX_ROWS     (1 << 18) /* rows in one record */
#define CSAF_MAX_REL      8         /* relationships built on relationships */
#define VERS_MAX          1024      /* constraints in one vers: range */

enum { OK = 0, BAD = -1, FAIL = -2 };

/* One product id of the tree and what its definition says. */
struct prod {
	const char *id, *full;                        /* product_id, full product name */
	const char *vendor, *pname, *version, *range; /* from the enclosing branches */
	const char *cpe, *purl;                       /* product_identification_helper */
	const char *rel, *comp_id, *plat_id;          /* relationships: category, references */
};

struct csaf {
	const struct it_import_sink *sink;
	struct it_error *err;
	const char *file;
	struct it_buf where; /* JSON path of the bad member (BAD) */
	const char *why;     /* what was expected there (BAD) */
	struct prod *p;
	size_t n, cap, branches;
	json_t *index;  /* product_id -> index in p */
	json_t *groups; /* group_id -> [product_id] */
	json_t *docmeta;
	const char *tracking_id, *modified, *published, *publisher, *aggregate;
};

static int bad(struct csaf *c, const char *why, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int bad(struct csaf *c, const char *why, const char *fmt, ...)
{
	va_list ap;
	it_buf_truncate(&c->where, 0);
	va_start(ap, fmt);
	it_buf_vprintf(&c->where, fmt, ap);
	va_end(ap);
	c->why = why;
	return BAD;
}

static int nomem(struct csaf *c)
{
	it_error_nomem(c->err);
	return FAIL;
}

/* A document-level failure: the whole document is malformed (IT_ERR_INPUT). */
static int doc_bad(struct csaf *c, const char *path, const char *why)
{
	it_error_set(c->err, IT_ERR_INPUT, c->file, IT_NO_OFFSET, "%s: expected %s", path, why);
	return FAIL;
}

/* A string member: NULL when absent (or null); *ok cleared for another type, an empty
 * string, or one longer than CSAF_MAX_STR. */
static const char *opt_str(json_t *o, const char *key, int *ok)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	const char *s = json_string_value(v);
	if (!s || !*s || json_string_length(v) > CSAF_MAX_STR)
		*ok = 0;
	return *ok ? s : NULL;
}

/* A copy of s with ASCII letters lower-cased. */
static char *lower_dup(const char *s)
{
	char *d = strdup(s);
	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* The version scheme of a PURL type or vers versioning scheme. */
static enum it_vscheme scheme_for_type(const char *t)
{
	static const struct {
		const char *type;
		enum it_vscheme vs;
	} map[] = {{"deb", IT_VS_DEB},      {"debian", IT_VS_DEB},    {"apk", IT_VS_APK},
	           {"alpine", IT_VS_APK},   {"semver", IT_VS_SEMVER}, {"npm", IT_VS_SEMVER},
	           {"cargo", IT_VS_SEMVER}, {"golang", IT_VS_SEMVER}};
	for (size_t i = 0; t && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(t, map[i].type) == 0)
			return map[i].vs;
	return IT_VS_GENERIC;
}

/* --- the product tree ------------------------------------------------------------ */

struct anc {
	const char *vendor, *pname, *family, *version, *range;
};

/* Index one full_product_name_t (a branch's product, a full_product_names entry, or a
 * relationship's full_product_name) found at path. */
static int add_product(struct csaf *c, json_t *fpn, const char *path, const struct anc *a,
                       struct prod **out)
{
	int ok = json_is_object(fpn);
	const char *full = ok ? opt_str(fpn, "name", &ok) : NULL;
	if (!ok || !full)
		return doc_bad(c, path, "a product with a non-empty \"name\"");
	const char *id = opt_str(fpn, "product_id", &ok);
	if (!ok || !id)
		return doc_bad(c, path, "a product with a non-empty \"product_id\"");
	json_t *h = it_json_opt_object(fpn, "product_identification_helper", &ok);
	const char *cpe = h ? opt_str(h, "cpe", &ok) : NULL;
	const char *purl = h ? opt_str(h, "purl", &ok) : NULL;
	if (!ok)
		return doc_bad(c, path, "a product_identification_helper with string cpe/purl");
	if (json_object_get(c->index, id))
		return doc_bad(c, path, "each product_id defined once (CSAF 6.1.2)");
	if (c->n >= CSAF_MAX_PRODUCTS)
		return doc_bad(c, path, "at most 262144 products");
	if (it_array_grow(&c->p, &c->cap, c->n, sizeof(*c->p)) < 0 ||
	    json_object_set_new(c->index, id, json_integer((json_int_t)c->n)) < 0)
		return nomem(c);
	struct prod *p = &c->p[c->n++];
	*p = (struct prod){id,         full,     a->vendor, a->pname ? a->pname : a->family,
	                   a->version, a->range, cpe,       purl,
	                   NULL,       NULL,     NULL};
	if (out)
		*out = p;
	return OK;
}

static int walk_branches(struct csaf *c, json_t *arr, struct it_buf *path, int depth,
                         const struct anc *up)
{
	/* The deepest version-like branch decides: Cisco lists IOS service packs
	 * ("12.2(55)SE") below a product_version train ("12.2SE"). */
	static const char *const cats[] = {
	        "vendor",       "product_name", "product_family",       "product_version",
	        "service_pack", "patch_level",  "product_version_range"};
	size_t i, len = path->len;
	json_t *b;
	if (depth > CSAF_MAX_DEPTH)
		return doc_bad(c, it_buf_str(path), "branches nested at most 32 deep");
	json_array_foreach(arr, i, b)
	{
		it_buf_truncate(path, len);
		if (it_buf_printf(path, "[%zu]", i) < 0)
			return nomem(c);
		int ok = json_is_object(b);
		const char *cat = ok ? opt_str(b, "category", &ok) : NULL;
		const char *name = ok ? opt_str(b, "name", &ok) : NULL;
		if (!ok || !cat || !name)
			return doc_bad(c, it_buf_str(path),
			               "a branch with non-empty \"category\" and \"name\"");
		if (++c->branches > CSAF_MAX_BRANCHES)
			return doc_bad(c, it_buf_str(path), "at most 1048576 branches");
		struct anc a = *up;
		const char **slot[] = {&a.vendor,  &a.pname,   &a.family, &a.version,
		                       &a.version, &a.version, &a.range};
		for (size_t k = 0; k < sizeof(cats) / sizeof(cats[0]); k++) {
			if (strcmp(cat, cats[k]) != 0)
				continue;
			if (slot[k] == &a.version || slot[k] == &a.range)
				a.version = a.range = NULL;
			*slot[k] = name;
		}
		json_t *prod = json_object_get(b, "product");
		json_t *sub = it_json_opt_array(b, "branches", &ok);
		if (!ok)
			return doc_bad(c, it_buf_str(path), "\"branches\" to be an array");
		size_t here = path->len;
		int rc = OK;
		if (prod && !json_is_null(prod)) {
			rc = it_buf_puts(path, ".product") < 0 ? nomem(c) : OK;
			if (rc == OK)
				rc = add_product(c, prod, it_buf_str(path), &a, NULL);
			it_buf_truncate(path, here);
		}
		if (rc == OK && sub)
			rc = it_buf_puts(path, ".branches") < 0
			             ? nomem(c)
			             : walk_branches(c, sub, path, depth + 1, &a);
		if (rc != OK)
			return rc;
	}
	it_buf_truncate(path, len);
	return OK;
}

static const struct prod *lookup(struct csaf *c, const char *id)
{
	json_t *i = json_object_get(c->index, id);
	return i ? &c->p[json_integer_value(i)] : NULL;
}

/* How many relationships product k is built on (memoised in depth[], -1 unknown), or -1
 * when that exceeds CSAF_MAX_REL or loops. */
static int nesting(struct csaf *c, size_t k, int *depth, int level)
{
	const struct prod *p = &c->p[k];
	if (!p->rel)
		return 0;
	if (depth[k] >= 0)
		return depth[k];
	if (level >= CSAF_MAX_REL)
		return -1;
	int a = nesting(c, (size_t)(lookup(c, p->comp_id) - c->p), depth, level + 1);
	int b = a < 0 ? -1 : nesting(c, (size_t)(lookup(c, p->plat_id) - c->p), depth, level + 1);
	if (b < 0)
		return -1;
	depth[k] = 1 + (a > b ? a : b);
	return depth[k] > CSAF_MAX_REL ? -1 : depth[k];
}

/* Relationships built on relationships: at most CSAF_MAX_REL deep and never a loop. */
static int check_nesting(struct csaf *c)
{
	int *depth = malloc((c->n ? c->n : 1) * sizeof(*depth)), rc = OK;
	if (!depth)
		return nomem(c);
	for (size_t k = 0; k < c->n; k++)
		depth[k] = -1;
	for (size_t k = 0; k < c->n && rc == OK; k++)
		if (nesting(c, k, depth, 0) < 0)
			rc = doc_bad(c, "product_tree.relationships",
			             "relationships nested at most 8 deep, without loops");
	free(depth);
	return rc;
}

static int read_relationships(struct csaf *c, json_t *rels)
{
	size_t i;
	json_t *r;
	char path[80];
	static const struct anc none;
	json_array_foreach(rels, i, r)
	{
		snprintf(path, sizeof(path), "product_tree.relationships[%zu]", i);
		int ok = json_is_object(r);
		const char *cat = ok ? opt_str(r, "category", &ok) : NULL;
		const char *comp = ok ? opt_str(r, "product_reference", &ok) : NULL;
		const char *plat = ok ? opt_str(r, "relates_to_product_reference", &ok) : NULL;
		if (!ok || !cat || !comp || !plat)
			return doc_bad(c, path,
			               "a relationship with category, product_reference and "
			               "relates_to_product_reference");
		struct prod *p;
		char fpath[112];
		snprintf(fpath, sizeof(fpath), "%s.full_product_name", path);
		int rc = add_product(c, json_object_get(r, "full_product_name"), fpath, &none, &p);
		if (rc != OK)
			return rc;
		p->rel = cat;
		p->comp_id = comp;
		p->plat_id = plat;
	}
	/* Every reference must name a product (CSAF 6.1.1). */
	for (size_t k = 0; k < c->n; k++) {
		const struct prod *p = &c->p[k];
		if (p->rel && (!json_object_get(c->index, p->comp_id) ||
		               !json_object_get(c->index, p->plat_id)))
			return doc_bad(c, "product_tree.relationships",
			               "product references to defined product ids (CSAF 6.1.1)");
	}
	return check_nesting(c);
}

static int read_groups(struct csaf *c, json_t *groups)
{
	size_t i, j;
	json_t *g, *v;
	char path[80];
	json_array_foreach(groups, i, g)
	{
		snprintf(path, sizeof(path), "product_tree.product_groups[%zu]", i);
		int ok = json_is_object(g);
		const char *gid = ok ? opt_str(g, "group_id", &ok) : NULL;
		json_t *ids = ok ? it_json_opt_array(g, "product_ids", &ok) : NULL;
		if (!ok || !gid || !ids)
			return doc_bad(c, path, "a group with \"group_id\" and \"product_ids\"");
		json_array_foreach(ids, j, v)
		{
			if (!json_is_string(v) || !json_object_get(c->index, json_string_value(v)))
				return doc_bad(c, path,
				               "product ids defined in the tree (CSAF 6.1.1)");
		}
		if (json_object_set(c->groups, gid, ids) < 0)
			return nomem(c);
	}
	return OK;
}

static int read_tree(struct csaf *c, json_t *doc)
{
	int ok = 1;
	json_t *tree = it_json_opt_object(doc, "product_tree", &ok);
	if (!ok)
		return doc_bad(c, "product_tree", "an object");
	json_t *branches = it_json_opt_array(tree, "branches", &ok);
	json_t *fpns = it_json_opt_array(tree, "full_product_names", &ok);
	json_t *rels = it_json_opt_array(tree, "relationships", &ok);
	json_t *groups = it_json_opt_array(tree, "product_groups", &ok);
	if (!ok)
		return doc_bad(c, "product_tree",
		               "arrays for branches, full_product_names, "
		               "relationships and product_groups");
	struct it_buf path = IT_BUF_INIT;
	static const struct anc none;
	int rc = it_buf_puts(&path, "product_tree.branches") < 0
	                 ? nomem(c)
	                 : walk_branches(c, branches, &path, 0, &none);
	it_buf_free(&path);
	size_t i;
	json_t *f;
	json_array_foreach(fpns, i, f)
	{
		char fpath[80];
		if (rc != OK)
			break;
		snprintf(fpath, sizeof(fpath), "product_tree.full_product_names[%zu]", i);
		rc = add_product(c, f, fpath, &none, NULL);
	}
	if (rc == OK)
		rc = read_relationships(c, rels);
	if (rc == OK)
		rc = read_groups(c, groups);
	return rc;
}

/* --- resolving a product to a row identity ---------------------------------------- */

/* Where a listed product's row comes from: the component at the bottom of its
 * relationships, with the helpers to use and the platforms it needs. */
struct view {
	const struct prod *top, *comp;
	const char *cpe, *purl; /* the outermost helper given (a relationship's own first) */
	const char *rel;        /* outermost relationship category, or NULL */
	const char *plat_name;  /* the product the outermost relationship relates to */
	struct it_buf platform; /* formatted CPEs of every platform, ' '-separated */
};

/* Is attribute a a plain value (not ANY, NA or a wildcard pattern)? */
static int usable(const struct it_cpe *cp, int a)
{
	return !cp->any[a] && !cp->na[a] && !cp->wild[a] && cp->attr[a] && *cp->attr[a];
}

/* A platform's CPE as a formatted 2.3 string; NULL when it does not parse or its vendor
 * or product is not a plain value (such a "platform" would stand for anything). */
static char *cpe_formatted(const char *s)
{
	struct it_cpe cp;
	struct it_error e = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	char *out = NULL;
	if (it_cpe_parse(&cp, s, &e) < 0) {
		it_error_clear(&e);
		return NULL;
	}
	if (usable(&cp, IT_CPE_VENDOR) && usable(&cp, IT_CPE_PRODUCT) &&
	    it_cpe_format(&cp, &b) == 0)
		out = it_buf_detach(&b);
	it_buf_free(&b);
	it_cpe_free(&cp);
	return out;
}

/* Add the CPEs that product p stands for as a platform (a relationship: both sides;
 * check_nesting bounds the recursion). */
static int add_platform(struct csaf *c, const struct prod *p, struct it_buf *out)
{
	if (p->rel) {
		int rc = add_platform(c, lookup(c, p->comp_id), out);
		return rc != OK ? rc : add_platform(c, lookup(c, p->plat_id), out);
	}
	char *f = p->cpe ? cpe_formatted(p->cpe) : NULL;
	int rc = OK;
	if (f && ((out->len && it_buf_putc(out, ' ') < 0) || it_buf_puts(out, f) < 0))
		rc = nomem(c);
	free(f);
	return rc;
}

static int resolve(struct csaf *c, const struct prod *top, struct view *v)
{
	const struct prod *p = top;
	memset(v, 0, sizeof(*v));
	v->top = top;
	while (p->rel) {
		if (!v->rel) {
			v->rel = p->rel;
			v->plat_name = lookup(c, p->plat_id)->full;
		}
		if (!v->cpe && !v->purl) {
			v->cpe = p->cpe;
			v->purl = p->purl;
		}
		int rc = add_platform(c, lookup(c, p->plat_id), &v->platform);
		if (rc != OK)
			return rc;
		p = lookup(c, p->comp_id);
	}
	v->comp = p;
	if (!v->cpe && !v->purl) {
		v->cpe = p->cpe;
		v->purl = p->purl;
	}
	return OK;
}

/* kind/ns/name (and cpe, purl, a version the helper carries) of a resolved product. */
struct ident {
	const char *kind;
	char *ns, *name, *cpe, *purl, *version;
	enum it_vscheme vs;
	const char *note; /* a helper present but not used, and why */
};

static void ident_free(struct ident *id)
{
	free(id->ns);
	free(id->name);
	free(id->cpe);
	free(id->purl);
	free(id->version);
}

static int ident_purl(struct ident *id, const char *s)
{
	struct it_purl p;
	struct it_error e = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	if (it_purl_parse(&p, s, &e) < 0) {
		it_error_clear(&e);
		id->note = "the purl does not parse";
		return -1;
	}
	char *version = p.version;
	p.version = NULL;
	if (it_purl_format(&p, &b) == 0 && p.type && p.name) {
		id->kind = "pkg";
		id->ns = strdup(p.type);
		id->name = strdup(p.name);
		id->purl = it_buf_detach(&b);
		id->version = version;
		id->vs = scheme_for_type(p.type);
		version = NULL;
	}
	free(version);
	it_buf_free(&b);
	it_purl_free(&p);
	return id->kind ? 0 : -1;
}

static int ident_cpe(struct ident *id, const char *s)
{
	struct it_cpe cp;
	struct it_error e = IT_ERROR_INIT;
	if (it_cpe_parse(&cp, s, &e) < 0) {
		it_error_clear(&e);
		id->note = "the cpe does not parse";
		return -1;
	}
	if (!usable(&cp, IT_CPE_VENDOR) || !usable(&cp, IT_CPE_PRODUCT)) {
		/* A wildcard vendor or product must never match anything (precision). */
		id->note = "the cpe's vendor or product is ANY, NA or a wildcard";
		it_cpe_free(&cp);
		return -1;
	}
	struct it_buf b = IT_BUF_INIT;
	if (it_cpe_format(&cp, &b) == 0) {
		id->kind = "cpe";
		id->ns = lower_dup(cp.attr[IT_CPE_VENDOR]);
		id->name = lower_dup(cp.attr[IT_CPE_PRODUCT]);
		id->cpe = it_buf_detach(&b);
		if (usable(&cp, IT_CPE_VERSION))
			id->version = strdup(cp.attr[IT_CPE_VERSION]);
		id->vs = IT_VS_GENERIC;
	}
	it_buf_free(&b);
	it_cpe_free(&cp);
	return id->kind ? 0 : -1;
}

/* The identity of a resolved product: its purl, else its cpe, else csaf:<vendor>/<name>. */
static int ident_of(struct csaf *c, const struct view *v, struct ident *id)
{
	memset(id, 0, sizeof(*id));
	if (v->purl && ident_purl(id, v->purl) == 0)
		return id->ns && id->name && id->purl ? OK : (ident_free(id), nomem(c));
	if (v->cpe && ident_cpe(id, v->cpe) == 0)
		return id->ns && id->name && id->cpe ? OK : (ident_free(id), nomem(c));
	const struct prod *p = v->comp;
	const char *vendor = p->vendor ? p->vendor : c->publisher ? c->publisher : "";
	struct it_buf ns = IT_BUF_INIT;
	if (it_buf_printf(&ns, "csaf:%s", vendor) < 0)
		return nomem(c);
	id->kind = "pkg";
	id->ns = lower_dup(it_buf_str(&ns));
	id->name = lower_dup(p->pname ? p->pname : p->full);
	id->vs = IT_VS_GENERIC;
	it_buf_free(&ns);
	return id->ns && id->name ? OK : (ident_free(id), nomem(c));
}

/* --- vers: ranges ------------------------------------------------------------------- */

enum vop { V_EQ, V_NE, V_LT, V_LE, V_GT, V_GE };

struct vc {
	enum vop op;
	char *v;
	size_t idx;
};

/* One row's version fields: an exact version, or an interval (NULL = unbounded). */
struct iv {
	const char *version, *start, *end;
	int start_incl, end_incl;
};

static int percent_decode(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p == '%') {
			if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
				return -1;
			char hex[3] = {p[1], p[2], 0};
			*o++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return 0;
}

static int vc_cmp(const void *a, const void *b, void *vs)
{
	const struct vc *x = a, *y = b;
	int r = it_vers_cmp(*(enum it_vscheme *)vs, x->v, y->v);
	return r ? r : (x->idx < y->idx ? -1 : x->idx > y->idx);
}

/* Parse "vers:<type>/<c>|<c>..." into sorted constraints (text is modified). The number
 * of constraints, 0 for "*" (every version), -1 when it is not a vers. */
static long vers_parse(char *text, char **type, struct vc *out, enum it_vscheme *vs)
{
	char *w = text;
	for (char *r = text; *r; r++) /* whitespace is not significant in vers */
		if (!isspace((unsigned char)*r))
			*w++ = *r;
	*w = '\0';
	if (strncasecmp(text, "vers:", 5) != 0)
		return -1;
	char *slash = strchr(text + 5, '/');
	if (!slash || slash == text + 5 || !slash[1])
		return -1;
	*slash = '\0';
	*type = text + 5;
	for (char *t = *type; *t; t++)
		*t = (char)tolower((unsigned char)*t);
	*vs = scheme_for_type(*type);
	if (strcmp(slash + 1, "*") == 0)
		return 0;
	static const struct {
		const char *s;
		enum vop op;
	} ops[] = {{">=", V_GE}, {"<=", V_LE}, {"!=", V_NE}, {"<", V_LT}, {">", V_GT}, {"=", V_EQ}};
	long n = 0;
	for (char *c = slash + 1, *next; c; c = next) {
		next = strchr(c, '|');
		if (next)
			*next++ = '\0';
		if (n >= VERS_MAX)
			return -1;
		enum vop op = V_EQ;
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (strncmp(c, ops[k].s, strlen(ops[k].s)) == 0) {
				op = ops[k].op;
				c += strlen(ops[k].s);
				break;
			}
		if (!*c || strcmp(c, "*") == 0 || percent_decode(c) < 0)
			return -1;
		out[n] = (struct vc){op, c, (size_t)n};
		n++;
	}
	qsort_r(out, (size_t)n, sizeof(*out), vc_cmp, vs);
	return n;
}

/* Intervals of sorted constraints: a lower bound opens an interval (a second one while
 * open changes nothing), an upper bound closes it (or closes one open from the bottom),
 * "=" is an exact version, "!=" is ignored (counted in *ignored). */
static size_t vers_intervals(const struct vc *vc, size_t n, struct iv *out, int *ignored)
{
	size_t k = 0;
	int open = 0;
	struct iv cur = {0};
	*ignored = 0;
	for (size_t i = 0; i < n; i++) {
		switch (vc[i].op) {
		case V_EQ:
			out[k++] = (struct iv){.version = vc[i].v};
			break;
		case V_NE:
			(*ignored)++;
			break;
		case V_GT:
		case V_GE:
			if (!open)
				cur = (struct iv){.start = vc[i].v, .start_incl = vc[i].op == V_GE};
			open = 1;
			break;
		case V_LT:
		case V_LE:
			if (!open)
				cur = (struct iv){0};
			cur.end = vc[i].v;
			cur.end_incl = vc[i].op == V_LE;
			out[k++] = cur;
			open = 0;
			break;
		}
	}
	if (open || k == 0)
		out[k++] = open ? cur : (struct iv){0}; /* only "!=": every version */
	return k;
}

/* --- rows --------------------------------------------------------------------------- */

struct vuln {
	json_t *rows;
	json_t *seen;      /* "status\nproduct_id" already done */
	json_t *labels;    /* product_id -> flag label */
	json_t *impacts;   /* product_id -> impact statement */
	json_t *vendorfix; /* product_id -> true */
	json_t *groups;    /* product_id -> status groups it is listed in (CSAF 6.1.6) */
};

static int add_row(struct csaf *c, struct vuln *vu, const struct ident *id, const struct view *v,
                   const char *status, enum it_vscheme vs, const struct iv *iv, json_t *extra)
{
	if (json_array_size(vu->rows) >= CSAF_MAX_ROWS)
		return bad(c, "at most 262144 rows in a record", "vulnerabilities");
	const char *platform = v->platform.len ? it_buf_str(&v->platform) : NULL;
	json_t *row =
	        json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s,s:s?,s:s?,s:b,s:s?,s:b,s:s,s:n,s:s?,"
	                  "s:b,s:s,s:s}",
	                  "kind", id->kind, "ns", id->ns, "name", id->name, "cpe", id->cpe, "purl",
	                  id->purl, "scheme", it_vscheme_name(vs), "version", iv->version, "start",
	                  iv->start, "start_incl", iv->start_incl, "end", iv->end, "end_incl",
	                  iv->end_incl, "status", status, "fixed", "platform", platform, "negate",
	                  0, "product_id", v->top->id, "product", v->top->full);
	if (!row || (extra && json_object_update(row, extra) < 0)) {
		json_decref(row);
		return nomem(c);
	}
	const char *just = json_string_value(json_object_get(vu->labels, v->top->id));
	const char *impact = json_string_value(json_object_get(vu->impacts, v->top->id));
	if (strcmp(status, "not_affected") == 0 && (just || impact) &&
	    json_object_set_new(row, "justification", json_string(just ? just : impact)) < 0)
		goto oom;
	if (impact && json_object_set_new(row, "impact", json_string(impact)) < 0)
		goto oom;
	if (v->rel && json_object_set_new(row, "relationship",
	                                  json_pack("{s:s,s:s}", "category", v->rel, "product",
	                                            v->plat_name)) < 0)
		goto oom;
	if (id->note && json_object_set_new(row, "note", json_string(id->note)) < 0)
		goto oom;
	if (json_array_append_new(vu->rows, row) < 0)
		return nomem(c);
	return OK;
oom:
	json_decref(row);
	return nomem(c);
}

/* The rows of a product's version range: vers: intervals, else one row keeping the text. */
static int range_rows(struct csaf *c, struct vuln *vu, const struct ident *id, const struct view *v,
                      const char *status, const char *range)
{
	char *text = strdup(range), *type = NULL;
	struct vc *vc = calloc(VERS_MAX, sizeof(*vc));
	struct iv *iv = calloc(VERS_MAX + 1, sizeof(*iv));
	enum it_vscheme vs = id->vs;
	int rc = OK, ignored = 0;
	if (!text || !vc || !iv) {
		rc = nomem(c);
		goto out;
	}
	long n = vers_parse(text, &type, vc, &vs);
	if (n < 0) {
		/* Not a vers: the range is kept as text on a row that names no version. */
		json_t *extra = json_pack("{s:s}", "range_text", range);
		struct iv all = {0};
		rc = extra ? add_row(c, vu, id, v, status, id->vs, &all, extra) : nomem(c);
		json_decref(extra);
		goto out;
	}
	size_t k = vers_intervals(vc, (size_t)n, iv, &ignored);
	json_t *extra = ignored ? json_pack("{s:s,s:s}", "vers", range, "vers_note",
	                                    "\"!=\" constraints ignored")
	                        : json_pack("{s:s}", "vers", range);
	for (size_t i = 0; i < k && rc == OK; i++)
		rc = extra ? add_row(c, vu, id, v, status, vs, &iv[i], extra) : nomem(c);
	json_decref(extra);
out:
	free(text);
	free(vc);
	free(iv);
	return rc;
}

static int product_rows(struct csaf *c, struct vuln *vu, const struct prod *top, const char *status)
{
	struct view v;
	struct ident id;
	int rc = resolve(c, top, &v);
	if (rc == OK && (rc = ident_of(c, &v, &id)) == OK) {
		const struct prod *p = v.comp;
		struct iv iv = {.version = p->version};
		if (!p->version && p->range)
			rc = range_rows(c, vu, &id, &v, status, p->range);
		else {
			if (!iv.version)
				iv.version =
				        id.version; /* from the purl or cpe; NULL: every version */
			rc = add_row(c, vu, &id, &v, status, id.vs, &iv, NULL);
		}
		ident_free(&id);
	}
	it_buf_free(&v.platform);
	return rc;
}

/* --- one vulnerability ------------------------------------------------------------- */

/* Expand product_ids + group_ids of obj (at path) into fn(id) calls. BAD for a reference
 * the tree does not define. */
static int each_product(struct csaf *c, json_t *obj, const char *path,
                        int (*fn)(struct csaf *, json_t *, const char *), json_t *arg)
{
	int ok = 1;
	json_t *ids = it_json_opt_array(obj, "product_ids", &ok);
	json_t *gids = it_json_opt_array(obj, "group_ids", &ok);
	json_t *products = it_json_opt_array(obj, "products", &ok);
	if (!ok)
		return bad(c, "arrays of ids", "%s", path);
	json_t *lists[] = {ids, products};
	size_t i, j;
	json_t *v, *g;
	for (int l = 0; l < 2; l++)
		json_array_foreach(lists[l], i, v)
		{
			const char *id = json_string_value(v);
			if (!id || !lookup(c, id))
				return bad(c, "a product id defined in product_tree (CSAF 6.1.1)",
				           "%s.%s[%zu]", path, l ? "products" : "product_ids", i);
			int rc = fn(c, arg, id);
			if (rc != OK)
				return rc;
		}
	json_array_foreach(gids, i, g)
	{
		json_t *members = json_object_get(c->groups,
		                                  json_string_value(g) ? json_string_value(g) : "");
		if (!json_is_string(g) || !members)
			return bad(c, "a group id defined in product_tree (CSAF 6.1.4)",
			           "%s.group_ids[%zu]", path, i);
		json_array_foreach(members, j, v)
		{
			int rc = fn(c, arg, json_string_value(v));
			if (rc != OK)
				return rc;
		}
	}
	return OK;
}

static int ignore_id(struct csaf *c, json_t *arg, const char *id)
{
	(void)c, (void)arg, (void)id;
	return OK;
}

static int put_true(struct csaf *c, json_t *set, const char *id)
{
	return json_object_set_new(set, id, json_true()) < 0 ? nomem(c) : OK;
}

static int append_id(struct csaf *c, json_t *arr, const char *id)
{
	return json_array_append_new(arr, json_string(id)) < 0 ? nomem(c) : OK;
}

/* A per-product text (flag label, impact statement); arg is [map, text]. The first text
 * given for a product wins. */
static int put_text(struct csaf *c, json_t *arg, const char *id)
{
	json_t *map = json_array_get(arg, 0);
	json_t *text = json_array_get(arg, 1);
	if (json_object_get(map, id))
		return OK;
	return json_object_set(map, id, text) < 0 ? nomem(c) : OK;
}

/* flags[].label and threats[category=impact].details per product; an impact with no
 * products is the vendor's severity word (Red Hat's "Important"). */
static int read_statements(struct csaf *c, json_t *vj, const char *path, struct vuln *vu,
                           const char **word)
{
	static const char *const keys[] = {"flags", "threats"};
	for (int k = 0; k < 2; k++) {
		int ok = 1;
		json_t *arr = it_json_opt_array(vj, keys[k], &ok), *e;
		if (!ok)
			return bad(c, "an array", "%s.%s", path, keys[k]);
		size_t i;
		json_array_foreach(arr, i, e)
		{
			char epath[96];
			snprintf(epath, sizeof(epath), "%s.%s[%zu]", path, keys[k], i);
			ok = json_is_object(e);
			const char *text = NULL, *cat = NULL;
			if (k == 0)
				text = ok ? opt_str(e, "label", &ok) : NULL;
			else {
				cat = ok ? opt_str(e, "category", &ok) : NULL;
				text = ok ? opt_str(e, "details", &ok) : NULL;
			}
			if (!ok || !text || (k == 1 && !cat))
				return bad(c,
				           k ? "a threat with \"category\" and \"details\""
				             : "a flag with a \"label\"",
				           "%s", epath);
			if (k == 1 && strcmp(cat, "impact") != 0) {
				/* not kept, but its references must still be defined */
				int rc = each_product(c, e, epath, ignore_id, NULL);
				if (rc != OK)
					return rc;
				continue;
			}
			if (k == 1 && !json_object_get(e, "product_ids") &&
			    !json_object_get(e, "group_ids")) {
				if (!*word)
					*word = it_severity_word(text);
				continue;
			}
			json_t *arg = json_pack("[O,s]", k ? vu->impacts : vu->labels, text);
			int rc = arg ? each_product(c, e, epath, put_text, arg) : nomem(c);
			json_decref(arg);
			if (rc != OK)
				return rc;
		}
	}
	return OK;
}

/* remediations[] kept in the record (products resolved to their names); vendor_fix ones
 * mark the products whose fixed version the tree may tell. */
static int read_remediations(struct csaf *c, json_t *vj, const char *path, struct vuln *vu,
                             json_t *rec)
{
	int ok = 1;
	json_t *arr = it_json_opt_array(vj, "remediations", &ok), *e;
	json_t *out = json_array();
	if (!out || json_object_set_new(rec, "remediations", out) < 0)
		return nomem(c);
	if (!ok)
		return bad(c, "an array", "%s.remediations", path);
	size_t i;
	json_array_foreach(arr, i, e)
	{
		char epath[96];
		snprintf(epath, sizeof(epath), "%s.remediations[%zu]", path, i);
		ok = json_is_object(e);
		const char *cat = ok ? opt_str(e, "category", &ok) : NULL;
		const char *details = ok ? opt_str(e, "details", &ok) : NULL;
		const char *url = ok ? opt_str(e, "url", &ok) : NULL;
		if (!ok || !cat || !details)
			return bad(c, "a remediation with \"category\" and \"details\"", "%s",
			           epath);
		json_t *ids = json_array(), *names = json_array();
		json_t *r = json_pack("{s:s,s:s,s:s?,s:o,s:o}", "category", cat, "details", details,
		                      "url", url, "product_ids", ids, "products", names);
		if (!r || json_array_append_new(out, r) < 0)
			return nomem(c);
		int rc = each_product(c, e, epath, append_id, ids);
		for (size_t k = 0; rc == OK && k < json_array_size(ids); k++) {
			const char *id = json_string_value(json_array_get(ids, k));
			if (json_array_append_new(names, json_string(lookup(c, id)->full)) < 0)
				rc = nomem(c);
			if (rc == OK && strcmp(cat, "vendor_fix") == 0)
				rc = put_true(c, vu->vendorfix, id);
		}
		if (rc != OK)
			return rc;
	}
	return OK;
}

/* The key rows of one product share: kind, ns and name. */
static int product_key(json_t *row, struct it_buf *key)
{
	it_buf_truncate(key, 0);
	return it_buf_printf(key, "%s\n%s\n%s", json_string_value(json_object_get(row, "kind")),
	                     json_string_value(json_object_get(row, "ns")),
	                     json_string_value(json_object_get(row, "name")));
}

/* An affected row of a product a vendor_fix remediation covers gets, as "fixed", the
 * lowest version the same vulnerability lists as fixed for the same product that is above
 * the row's version (or its upper bound). */
static int fill_fixed(struct csaf *c, struct vuln *vu)
{
	json_t *fixed = json_object(), *r; /* product key -> [fixed exact versions] */
	struct it_buf key = IT_BUF_INIT;
	size_t i, j;
	int rc = fixed ? OK : nomem(c);
	json_array_foreach(vu->rows, i, r)
	{
		json_t *v = json_object_get(r, "version");
		if (rc != OK || !v ||
		    strcmp(json_string_value(json_object_get(r, "status")), "fixed"))
			continue;
		if (product_key(r, &key) < 0)
			rc = nomem(c);
		json_t *list = rc == OK ? json_object_get(fixed, it_buf_str(&key)) : NULL;
		if (rc == OK && !list &&
		    (json_object_set_new(fixed, it_buf_str(&key), list = json_array()) < 0 ||
		     !list))
			rc = nomem(c);
		if (rc == OK && json_array_append(list, v) < 0)
			rc = nomem(c);
	}
	json_array_foreach(vu->rows, i, r)
	{
		const char *pid = json_string_value(json_object_get(r, "product_id"));
		if (rc != OK ||
		    strcmp(json_string_value(json_object_get(r, "status")), "affected") != 0 ||
		    !json_object_get(vu->vendorfix, pid))
			continue;
		const char *v = json_string_value(json_object_get(r, "version"));
		const char *end = json_string_value(json_object_get(r, "end"));
		const char *point = v ? v : end, *best = NULL;
		int allow_equal = !v && end && !json_is_true(json_object_get(r, "end_incl"));
		int vs = it_vscheme_parse(json_string_value(json_object_get(r, "scheme")));
		if (!point || vs < 0)
			continue;
		if (product_key(r, &key) < 0) {
			rc = nomem(c);
			break;
		}
		json_t *f;
		json_array_foreach(json_object_get(fixed, it_buf_str(&key)), j, f)
		{
			const char *fv = json_string_value(f);
			int cmp = it_vers_cmp((enum it_vscheme)vs, fv, point);
			if ((cmp > 0 || (cmp == 0 && allow_equal)) &&
			    (!best || it_vers_cmp((enum it_vscheme)vs, fv, best) < 0))
				best = fv;
		}
		if (best && json_object_set_new(r, "fixed", json_string(best)) < 0)
			rc = nomem(c);
	}
	json_decref(fixed);
	it_buf_free(&key);
	return rc;
}

/* product_status lists, the row status each gives, and the CSAF 6.1.6 group each is in
 * (0: recommended, in no group). */
static const struct {
	const char *key, *status;
	int group;
} statuses[] = {
        {"known_affected", "affected", 1},
        {"first_affected", "affected", 1},
        {"last_affected", "affected", 1},
        {"fixed", "fixed", 2},
        {"first_fixed", "fixed", 2},
        {"known_not_affected", "not_affected", 4},
        {"under_investigation", "under_investigation", 8},
        {"recommended", "fixed", 0},
};

static int read_status(struct csaf *c, json_t *vj, const char *path, struct vuln *vu)
{
	int ok = 1;
	json_t *ps = it_json_opt_object(vj, "product_status", &ok);
	if (!ok)
		return bad(c, "an object", "%s.product_status", path);
	for (size_t s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++) {
		json_t *ids = it_json_opt_array(ps, statuses[s].key, &ok), *v;
		if (!ok)
			return bad(c, "an array of product ids", "%s.product_status.%s", path,
			           statuses[s].key);
		size_t i;
		json_array_foreach(ids, i, v)
		{
			const char *id = json_string_value(v);
			const struct prod *p = id ? lookup(c, id) : NULL;
			if (!p)
				return bad(c, "a product id defined in product_tree (CSAF 6.1.1)",
				           "%s.product_status.%s[%zu]", path, statuses[s].key, i);
			/* A product both affected and not affected (or fixed...) says nothing
			 * reliable; "recommended" only speaks when nothing else does. */
			json_int_t groups = json_integer_value(json_object_get(vu->groups, id));
			int g = statuses[s].group;
			if (g && groups & ~g)
				return bad(c, "each product in one status group (CSAF 6.1.6)",
				           "%s.product_status.%s[%zu]", path, statuses[s].key, i);
			if (!g && groups)
				continue;
			if (json_object_set_new(vu->groups, id, json_integer(groups | g)) < 0)
				return nomem(c);
			struct it_buf key = IT_BUF_INIT;
			if (it_buf_printf(&key, "%s\n%s", statuses[s].status, id) < 0)
				return nomem(c);
			int rc = OK;
			if (!json_object_get(vu->seen, it_buf_str(&key))) {
				rc = put_true(c, vu->seen, it_buf_str(&key));
				if (rc == OK)
					rc = product_rows(c, vu, p, statuses[s].status);
			}
			it_buf_free(&key);
			if (rc != OK)
				return rc;
		}
	}
	return fill_fixed(c, vu);
}

/* One CVSS object of scores[] (2.0) or metrics[].content (2.1) into metrics; the best
 * score (v3.1 > v3.0 > v4.0 > v2, then the highest) into *best / *rank. */
static int read_cvss(struct csaf *c, json_t *cv, const char *path, json_t *metrics, double *best,
                     int *rank)
{
	int ok = json_is_object(cv);
	const char *ver = ok ? opt_str(cv, "version", &ok) : NULL;
	const char *vec = ok ? opt_str(cv, "vectorString", &ok) : NULL;
	json_t *bs = json_object_get(cv, "baseScore");
	if (!ok || !ver || !vec || !json_is_number(bs) || json_number_value(bs) < 0 ||
	    json_number_value(bs) > 10)
		return bad(c, "a CVSS object with version, vectorString and baseScore 0..10", "%s",
		           path);
	static const struct {
		const char *ver, *type;
		int rank;
	} kinds[] = {{"3.1", "cvss_v3.1", 4},
	             {"3.0", "cvss_v3.0", 3},
	             {"4.0", "cvss_v4.0", 2},
	             {"2.0", "cvss_v2.0", 1}};
	double score = json_number_value(bs);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (strcmp(ver, kinds[k].ver) != 0)
			continue;
		if (kinds[k].rank > *rank || (kinds[k].rank == *rank && score > *best)) {
			*rank = kinds[k].rank;
			*best = score;
		}
		const char *sev =
		        it_severity_word(json_string_value(json_object_get(cv, "baseSeverity")));
		json_t *m = json_pack("{s:s,s:s,s:f,s:s,s:s?}", "type", kinds[k].type, "vector",
		                      vec, "score", score, "severity",
		                      sev ? sev : it_cvss_severity(score), "source", c->publisher);
		if (!m || json_array_append_new(metrics, m) < 0)
			return nomem(c);
		return OK;
	}
	return bad(c, "CVSS version 2.0, 3.0, 3.1 or 4.0", "%s.version", path);
}

static int read_scores(struct csaf *c, json_t *vj, const char *path, json_t *rec)
{
	int ok = 1, rank = 0;
	double best = -1;
	json_t *metrics = json_array();
	if (!metrics || json_object_set_new(rec, "metrics", metrics) < 0)
		return nomem(c);
	static const char *const lists[] = {"scores", "metrics"}; /* CSAF 2.0, 2.1 */
	static const char *const kinds[] = {"cvss_v3", "cvss_v2", "cvss_v4"};
	for (int l = 0; l < 2; l++) {
		json_t *arr = it_json_opt_array(vj, lists[l], &ok), *s;
		if (!ok)
			return bad(c, "an array", "%s.%s", path, lists[l]);
		size_t i;
		json_array_foreach(arr, i, s)
		{
			char spath[96];
			snprintf(spath, sizeof(spath), "%s.%s[%zu]", path, lists[l], i);
			json_t *holder = l ? json_object_get(s, "content") : s;
			if (!json_is_object(holder))
				return bad(c, "an object", "%s", spath);
			for (int k = 0; k < 3; k++) {
				json_t *cv = json_object_get(holder, kinds[k]);
				char cpath[128];
				snprintf(cpath, sizeof(cpath), "%s%s.%s", spath,
				         l ? ".content" : "", kinds[k]);
				int rc = cv ? read_cvss(c, cv, cpath, metrics, &best, &rank) : OK;
				if (rc != OK)
					return rc;
			}
		}
	}
	if (rank && (json_object_set_new(rec, "score", json_real(best)) < 0 ||
	             json_object_set_new(rec, "severity", json_string(it_cvss_severity(best))) < 0))
		return nomem(c);
	return OK;
}

/* title, notes (description / summary), cwe(s), references and ids. */
static int read_texts(struct csaf *c, json_t *vj, const char *path, json_t *rec)
{
	int ok = 1;
	const char *title = opt_str(vj, "title", &ok);
	json_t *notes = it_json_opt_array(vj, "notes", &ok), *n;
	if (!ok)
		return bad(c, "a string title and an array of notes", "%s", path);
	const char *details = NULL;
	size_t i;
	json_array_foreach(notes, i, n)
	{
		const char *cat = json_is_object(n) ? opt_str(n, "category", &ok) : NULL;
		const char *text = cat ? opt_str(n, "text", &ok) : NULL;
		if (!ok || !cat || !text)
			return bad(c, "a note with \"category\" and \"text\"", "%s.notes[%zu]",
			           path, i);
		if (!details && (strcmp(cat, "description") == 0 || strcmp(cat, "summary") == 0))
			details = text;
	}
	const char *summary = title ? title : details;
	json_t *dtitle = json_object_get(c->docmeta, "title");
	if ((summary ? json_object_set_new(rec, "summary", json_string(summary))
	             : json_object_set(rec, "summary", dtitle ? dtitle : json_null())) < 0 ||
	    (details && json_object_set_new(rec, "details", json_string(details)) < 0))
		return nomem(c);
	json_t *cwes = json_array(), *cw;
	if (!cwes || json_object_set_new(rec, "cwes", cwes) < 0)
		return nomem(c);
	json_t *one = it_json_opt_object(vj, "cwe", &ok);
	json_t *many = it_json_opt_array(vj, "cwes", &ok);
	if (!ok)
		return bad(c, "a cwe object (2.0) or cwes array (2.1)", "%s", path);
	const char *id1 = one ? opt_str(one, "id", &ok) : NULL;
	if (!ok || (one && !id1))
		return bad(c, "a cwe with an \"id\"", "%s.cwe", path);
	if (id1 && json_array_append_new(cwes, json_string(id1)) < 0)
		return nomem(c);
	json_array_foreach(many, i, cw)
	{
		const char *id = json_is_object(cw) ? opt_str(cw, "id", &ok) : NULL;
		if (!ok || !id)
			return bad(c, "a cwe with an \"id\"", "%s.cwes[%zu]", path, i);
		if (json_array_append_new(cwes, json_string(id)) < 0)
			return nomem(c);
	}
	return OK;
}

/* references[] of the vulnerability and then of the document, as {url, tags}. */
static int add_references(struct csaf *c, json_t *arr, const char *path, json_t *out)
{
	size_t i;
	json_t *r;
	int ok = 1;
	json_array_foreach(arr, i, r)
	{
		const char *url = json_is_object(r) ? opt_str(r, "url", &ok) : NULL;
		const char *cat = url ? opt_str(r, "category", &ok) : NULL;
		if (!ok || !url)
			return bad(c, "a reference with a \"url\"", "%s[%zu]", path, i);
		json_t *ref = json_pack("{s:s,s:[s]}", "url", url, "tags", cat ? cat : "external");
		if (!ref || json_array_append_new(out, ref) < 0)
			return nomem(c);
	}
	return OK;
}

/* The record id suffix: the CVE, else the first ids[].text, else the index. */
static int vuln_id(struct csaf *c, json_t *vj, const char *path, size_t index, struct it_buf *id,
                   json_t *rec)
{
	int ok = 1;
	const char *cve = opt_str(vj, "cve", &ok);
	if (!ok)
		return bad(c, "a non-empty string", "%s.cve", path);
	json_t *ids = it_json_opt_array(vj, "ids", &ok), *e;
	size_t i;
	if (!ok)
		return bad(c, "an array", "%s.ids", path);
	json_array_foreach(ids, i, e)
	{
		const char *text = json_is_object(e) ? opt_str(e, "text", &ok) : NULL;
		const char *sys = text ? opt_str(e, "system_name", &ok) : NULL;
		if (!ok || !text || !sys)
			return bad(c, "an id with \"system_name\" and \"text\"", "%s.ids[%zu]",
			           path, i);
	}
	const char *first = json_string_value(json_object_get(json_array_get(ids, 0), "text"));
	int rc = cve     ? it_buf_printf(id, "%s:%s", c->tracking_id, cve)
	         : first ? it_buf_printf(id, "%s:%s", c->tracking_id, first)
	                 : it_buf_printf(id, "%s:%zu", c->tracking_id, index);
	if (rc < 0 || json_object_set_new(rec, "id", json_string(it_buf_str(id))) < 0 ||
	    json_object_set_new(rec, "aliases", cve ? json_pack("[s]", cve) : json_array()) < 0 ||
	    (ids && json_object_set(rec, "ids", ids) < 0))
		return nomem(c);
	return OK;
}

static int build_vuln(struct csaf *c, json_t *vj, size_t index, json_t *rec, struct vuln *vu,
                      json_t *doc_refs, struct it_buf *id)
{
	char path[48];
	snprintf(path, sizeof(path), "vulnerabilities[%zu]", index);
	if (!json_is_object(vj))
		return bad(c, "an object", "%s", path);
	int rc = vuln_id(c, vj, path, index, id, rec);
	if (rc != OK)
		return rc;
	int ok = 1;
	const char *released = opt_str(vj, "release_date", &ok);
	struct it_buf t = IT_BUF_INIT;
	if (released && it_time_utc(released, &t) < 0)
		ok = 0;
	if (!ok) {
		it_buf_free(&t);
		return bad(c, "an RFC 3339 date-time", "%s.release_date", path);
	}
	json_t *pub = json_string(released ? it_buf_str(&t) : c->published);
	it_buf_free(&t);
	if (json_object_set_new(rec, "source", json_string("csaf")) < 0 ||
	    json_object_set_new(rec, "modified", json_string(c->modified)) < 0 ||
	    json_object_set_new(rec, "published", pub ? pub : json_null()) < 0 ||
	    json_object_set_new(rec, "withdrawn", json_false()) < 0 ||
	    json_object_set(rec, "document", c->docmeta) < 0 ||
	    json_object_set_new(
	            rec, "origin",
	            json_pack("{s:s?,s:s}", "file", c->file, "document", c->tracking_id)) < 0)
		return nomem(c);
	const char *word = NULL;
	json_t *refs = json_array();
	char rpath[80];
	snprintf(rpath, sizeof(rpath), "%s.references", path);
	if (!refs || json_object_set_new(rec, "references", refs) < 0)
		return nomem(c);
	json_t *vrefs = it_json_opt_array(vj, "references", &ok);
	if (!ok)
		return bad(c, "an array", "%s", rpath);
	if ((rc = read_texts(c, vj, path, rec)) || (rc = read_scores(c, vj, path, rec)) ||
	    (rc = add_references(c, vrefs, rpath, refs)) ||
	    (rc = add_references(c, doc_refs, "document.references", refs)) ||
	    (rc = read_statements(c, vj, path, vu, &word)) ||
	    (rc = read_remediations(c, vj, path, vu, rec)) || (rc = read_status(c, vj, path, vu)))
		return rc;
	if (!json_object_get(rec, "severity") && (word || c->aggregate) &&
	    json_object_set_new(rec, "severity", json_string(word ? word : c->aggregate)) < 0)
		return nomem(c);
	if (json_object_set(rec, "affected", vu->rows) < 0)
		return nomem(c);
	return OK;
}

static int import_vuln(struct csaf *c, json_t *vj, size_t index, json_t *doc_refs)
{
	struct vuln vu = {json_array(),  json_object(), json_object(),
	                  json_object(), json_object(), json_object()};
	json_t *rec = json_object();
	struct it_buf id = IT_BUF_INIT;
	int rc = rec && vu.rows && vu.seen && vu.labels && vu.impacts && vu.vendorfix && vu.groups
	                 ? build_vuln(c, vj, index, rec, &vu, doc_refs, &id)
	                 : nomem(c);
	if (rc == BAD) {
		if (c->sink->malformed)
			c->sink->malformed(c->sink->user, it_buf_str(&c->where), c->why);
		rc = OK;
	} else if (rc == OK && json_array_size(vu.rows) == 0) {
		if (c->sink->skipped)
			c->sink->skipped(c->sink->user, it_buf_str(&id), "no product status");
	} else if (rc == OK) {
		char where[48];
		snprintf(where, sizeof(where), "vulnerabilities[%zu]", index);
		rc = it_record_emit(rec, where, c->sink, c->err) < 0 ? FAIL : OK;
	}
	json_decref(rec);
	json_decref(vu.rows);
	json_decref(vu.seen);
	json_decref(vu.labels);
	json_decref(vu.impacts);
	json_decref(vu.vendorfix);
	json_decref(vu.groups);
	it_buf_free(&id);
	return rc;
}

/* --- the document ------------------------------------------------------------------- */

static int read_document(struct csaf *c, json_t *doc, struct it_buf *mod, struct it_buf *pub,
                         json_t **refs)
{
	int ok = json_is_object(doc);
	json_t *d = ok ? it_json_opt_object(doc, "document", &ok) : NULL;
	if (!ok || !d)
		return doc_bad(c, "document", "an object");
	const char *ver = opt_str(d, "csaf_version", &ok);
	if (!ok || !ver || (strcmp(ver, "2.0") != 0 && strcmp(ver, "2.1") != 0))
		return doc_bad(c, "document.csaf_version", "\"2.0\" (or \"2.1\")");
	const char *cat = opt_str(d, "category", &ok);
	const char *title = opt_str(d, "title", &ok);
	if (!ok || !cat)
		return doc_bad(c, "document", "string \"category\" and \"title\"");
	json_t *pb = it_json_opt_object(d, "publisher", &ok);
	c->publisher = pb ? opt_str(pb, "name", &ok) : NULL;
	if (!ok)
		return doc_bad(c, "document.publisher.name", "a non-empty string");
	json_t *agg = it_json_opt_object(d, "aggregate_severity", &ok);
	c->aggregate = it_severity_word(agg ? opt_str(agg, "text", &ok) : NULL);
	*refs = it_json_opt_array(d, "references", &ok);
	json_t *tr = it_json_opt_object(d, "tracking", &ok);
	if (!ok || !tr)
		return doc_bad(c, "document.tracking", "an object");
	c->tracking_id = opt_str(tr, "id", &ok);
	if (!ok || !c->tracking_id)
		return doc_bad(c, "document.tracking.id", "a non-empty string");
	const char *cur = opt_str(tr, "current_release_date", &ok);
	if (!ok || !cur || it_time_utc(cur, mod) < 0)
		return doc_bad(c, "document.tracking.current_release_date",
		               "an RFC 3339 date-time");
	const char *init = opt_str(tr, "initial_release_date", &ok);
	if (!ok || (init && it_time_utc(init, pub) < 0))
		return doc_bad(c, "document.tracking.initial_release_date",
		               "an RFC 3339 date-time");
	const char *status = opt_str(tr, "status", &ok);
	const char *version = opt_str(tr, "version", &ok);
	if (!ok)
		return doc_bad(c, "document.tracking", "string \"status\" and \"version\"");
	c->modified = it_buf_str(mod);
	c->published = init ? it_buf_str(pub) : NULL;
	c->docmeta = json_pack("{s:s,s:s?,s:s?,s:s,s:s?,s:s?,s:s}", "tracking_id", c->tracking_id,
	                       "version", version, "status", status, "category", cat, "title",
	                       title, "publisher", c->publisher, "csaf_version", ver);
	return c->docmeta ? OK : nomem(c);
}

int it_import_csaf(json_t *doc, const char *file, const struct it_import_sink *sink,
                   struct it_error *err)
{
	struct csaf c = {.sink = sink, .err = err, .file = file};
	struct it_buf mod = IT_BUF_INIT, pub = IT_BUF_INIT;
	json_t *refs = NULL;
	c.index = json_object();
	c.groups = json_object();
	int rc = c.index && c.groups ? read_document(&c, doc, &mod, &pub, &refs) : nomem(&c);
	if (rc == OK)
		rc = read_tree(&c, doc);
	int ok = 1;
	json_t *vulns = rc == OK ? it_json_opt_array(doc, "vulnerabilities", &ok) : NULL;
	if (rc == OK && (!ok || json_array_size(vulns) > CSAF_MAX_VULNS))
		rc = doc_bad(&c, "vulnerabilities", "an array of at most 131072 vulnerabilities");
	if (rc == OK && json_array_size(vulns) == 0 && sink->skipped)
		sink->skipped(sink->user, c.tracking_id, "no vulnerabilities");
	size_t i;
	json_t *v;
	json_array_foreach(vulns, i, v)
	{
		if (rc != OK)
			break;
		rc = import_vuln(&c, v, i, refs);
	}
	json_decref(c.index);
	json_decref(c.groups);
	json_decref(c.docmeta);
	free(c.p);
	it_buf_free(&c.where);
	it_buf_free(&mod);
	it_buf_free(&pub);
	return rc == OK ? 0 : -1;
}

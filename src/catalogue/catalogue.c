/*
 * The provisions catalogue (include/iotrust/catalogue.h): parses catalogue/<name>.json and the
 * ids, titles and provisions of checks/<name>.json, validates each file as it is added, then
 * resolves references, builds symmetric links and the indexes in it_catalogue_finish().
 * Strings point into the parsed JSON documents, which the catalogue keeps until it is freed.
 */
#include "iotrust/catalogue.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/buf.h"

struct item_impl {
	struct it_cat_item pub; /* first: an item_impl * is an it_cat_item * */
	struct it_cat_condition cond, v3cond;
	char *gid;
	const char *file; /* the data file, for messages */
	size_t index;     /* in the file's items array */
	size_t order;     /* catalogue order */
	const struct it_cat_item **links;
	size_t cap_links;
};

struct check_impl {
	struct it_cat_check pub;
	const char *file;
	size_t index;
	const struct it_cat_item **items;
	size_t cap_items;
};

struct it_catalogue {
	json_t **roots; /* every parsed document, kept alive: strings point into them */
	size_t n_roots, cap_roots;
	void **allocs; /* arrays owned by the catalogue */
	size_t n_allocs, cap_allocs;
	struct item_impl **items;
	size_t n_items, cap_items;
	struct item_impl **by_gid; /* sorted by global id, after finish */
	struct it_cat_standard *stds;
	size_t n_stds, cap_stds;
	struct check_impl **checks; /* sorted by id after finish */
	size_t n_checks, cap_checks;
	int finished;
	int broken; /* an add failed: the catalogue cannot be finished */
};

/* Where a value sits, for messages: the data file and a JSON path. */
struct loc {
	struct it_catalogue *cat;
	const char *file;
	struct it_error *err;
};

static int loc_fail(const struct loc *l, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int loc_fail(const struct loc *l, const char *path, const char *fmt, ...)
{
	struct it_buf m = IT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int rc = it_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		it_buf_free(&m);
		return it_error_nomem(l->err);
	}
	it_error_set(l->err, IT_ERR_INPUT, l->file, IT_NO_OFFSET, "%s%s%s", path ? path : "",
	             path && *path ? ": " : "", it_buf_str(&m));
	it_buf_free(&m);
	return -1;
}

static const char *const level_names[] = {"M", "R", "M C", "R C"};

const char *it_cat_level_name(enum it_cat_level l)
{
	return (unsigned)l < 4 ? level_names[l] : "?";
}

int it_cat_level_parse(const char *s, enum it_cat_level *out)
{
	for (unsigned i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum it_cat_level)i;
			return 0;
		}
	return -1;
}

int it_cat_level_is_conditional(enum it_cat_level l)
{
	return l == IT_LEVEL_MC || l == IT_LEVEL_RC;
}

int it_cat_level_is_mandatory(enum it_cat_level l)
{
	return l == IT_LEVEL_M || l == IT_LEVEL_MC;
}

/* --- ownership ------------------------------------------------------------------------ */

static void *keep(struct it_catalogue *cat, void *p, struct it_error *err)
{
	if (!p ||
	    it_array_grow(&cat->allocs, &cat->cap_allocs, cat->n_allocs, sizeof(void *)) < 0) {
		free(p);
		it_error_nomem(err);
		return NULL;
	}
	cat->allocs[cat->n_allocs++] = p;
	return p;
}

static int keep_root(struct it_catalogue *cat, json_t *root, struct it_error *err)
{
	if (it_array_grow(&cat->roots, &cat->cap_roots, cat->n_roots, sizeof(json_t *)) < 0) {
		json_decref(root);
		return it_error_nomem(err);
	}
	cat->roots[cat->n_roots++] = root;
	return 0;
}

static int parse(const struct loc *l, const char *json, size_t len, json_t **root)
{
	json_error_t je;
	*root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!*root)
		return it_error_set_line(l->err, IT_ERR_INPUT, l->file, (unsigned long)je.line,
		                         (unsigned long)je.column, "%s", je.text);
	return keep_root(l->cat, *root, l->err);
}

/* --- field readers ---------------------------------------------------------------------- */

/* Only these keys may appear in o. */
static int only_keys(const struct loc *l, const char *path, json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		const char *const *p = keys;
		while (*p && strcmp(*p, k) != 0)
			p++;
		if (!*p)
			return loc_fail(l, path, "unknown key \"%s\"", k);
	}
	return 0;
}

/* A string member: required ones must be present and non-empty. NULL when absent. */
static int get_str(const struct loc *l, const char *path, json_t *o, const char *key, int required,
                   const char **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v) {
		if (required)
			return loc_fail(l, path, "missing \"%s\"", key);
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) == 0)
		return loc_fail(l, path, "\"%s\": expected a non-empty string", key);
	*out = json_string_value(v);
	return 0;
}

/* An identifier made of letters, digits, '.' and '-', starting with a letter or digit
 * (lower = 1: lower-case letters only). */
static int id_ok(const char *s, int lower)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		            (!lower && c >= 'A' && c <= 'Z');
		if (!alnum && !(i > 0 && (c == '-' || (!lower && c == '.'))))
			return 0;
	}
	return 1;
}

/* "<standard>:<id>" */
static int gid_ok(const char *s)
{
	const char *colon = strchr(s, ':');
	if (!colon || (size_t)(colon - s) > 64)
		return 0;
	char std[65];
	memcpy(std, s, (size_t)(colon - s));
	std[colon - s] = '\0';
	return id_ok(std, 1) && id_ok(colon + 1, 0);
}

enum str_kind { ANY_STR, LOCAL_ID, GLOBAL_ID, KEY_ID };

static int kind_ok(const char *s, enum str_kind k)
{
	switch (k) {
	case LOCAL_ID:
		return id_ok(s, 0);
	case GLOBAL_ID:
		return gid_ok(s);
	case KEY_ID:
		return id_ok(s, 1) && !strchr(s, '.');
	default:
		return *s != '\0';
	}
}

static const char *kind_what(enum str_kind k)
{
	switch (k) {
	case LOCAL_ID:
		return "an id (letters, digits, '.', '-')";
	case GLOBAL_ID:
		return "a global id \"<standard>:<item>\"";
	case KEY_ID:
		return "a key (lower-case letters, digits, '-')";
	default:
		return "a non-empty string";
	}
}

/* An array of distinct strings of one kind; absent = empty unless required. */
static int get_strs(const struct loc *l, const char *path, json_t *o, const char *key, int required,
                    enum str_kind kind, const char *const **out, size_t *n)
{
	json_t *a = json_object_get(o, key);
	*out = NULL;
	*n = 0;
	if (!a) {
		if (required)
			return loc_fail(l, path, "missing \"%s\"", key);
		return 0;
	}
	if (!json_is_array(a))
		return loc_fail(l, path, "\"%s\": expected an array of strings", key);
	size_t len = json_array_size(a);
	const char **v = keep(l->cat, calloc(len + 1, sizeof(*v)), l->err);
	if (!v)
		return -1;
	for (size_t i = 0; i < len; i++) {
		json_t *s = json_array_get(a, i);
		if (!json_is_string(s) || !kind_ok(json_string_value(s), kind))
			return loc_fail(l, path, "%s[%zu]: expected %s", key, i, kind_what(kind));
		v[i] = json_string_value(s);
		for (size_t j = 0; j < i; j++)
			if (strcmp(v[j], v[i]) == 0)
				return loc_fail(l, path, "%s[%zu]: \"%s\" is listed twice", key, i,
				                v[i]);
	}
	*out = v;
	*n = len;
	return 0;
}

/* The object member `key` of o, holding only `keys`; its path "path.key" goes to sub.
 * 0 with *out NULL when it is absent, -1 when it is not such an object. */
#define SUB_PATH 96
static int get_obj(const struct loc *l, const char *path, json_t *o, const char *key,
                   const char *const *keys, json_t **out, char sub[SUB_PATH])
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_object(v))
		return loc_fail(l, path, "\"%s\": expected an object", key);
	snprintf(sub, SUB_PATH, "%s.%s", path, key);
	if (only_keys(l, sub, v, keys) < 0)
		return -1;
	*out = v;
	return 0;
}

static int get_condition(const struct loc *l, const char *path, json_t *o, const char *key,
                         struct it_cat_condition *c)
{
	static const char *const keys[] = {"id", "text", "ref", "all_of", NULL};
	char cp[SUB_PATH];
	json_t *v;
	if (get_obj(l, path, o, key, keys, &v, cp) < 0 || get_str(l, cp, v, "id", 1, &c->id) < 0 ||
	    get_str(l, cp, v, "text", 1, &c->text) < 0 ||
	    get_str(l, cp, v, "ref", 0, &c->ref) < 0 ||
	    get_strs(l, cp, v, "all_of", 0, KEY_ID, &c->all_of, &c->n_all_of) < 0)
		return -1;
	if (!kind_ok(c->id, KEY_ID))
		return loc_fail(l, cp, "\"id\": expected %s", kind_what(KEY_ID));
	return 0;
}

/* level and, exactly when the level is conditional, condition */
static int get_level(const struct loc *l, const char *path, json_t *o, enum it_cat_level *level,
                     struct it_cat_condition *c, const struct it_cat_condition **cp)
{
	const char *s;
	*cp = NULL;
	if (get_str(l, path, o, "level", 1, &s) < 0)
		return -1;
	if (it_cat_level_parse(s, level) < 0)
		return loc_fail(l, path,
		                "\"level\": expected \"M\", \"R\", \"M C\" or \"R C\", not \"%s\"",
		                s);
	int has = json_object_get(o, "condition") != NULL;
	if (it_cat_level_is_conditional(*level) != has)
		return loc_fail(l, path,
		                has ? "\"condition\" given for unconditional level \"%s\""
		                    : "level \"%s\" needs a \"condition\"",
		                s);
	if (has) {
		if (get_condition(l, path, o, "condition", c) < 0)
			return -1;
		*cp = c;
	}
	return 0;
}

/* --- adding files --------------------------------------------------------------------------- */

int it_catalogue_new(struct it_catalogue **out, struct it_error *err)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : it_error_nomem(err);
}

static int add_check(const struct loc *l, json_t *o, size_t idx)
{
	struct it_catalogue *cat = l->cat;
	char path[48];
	snprintf(path, sizeof(path), "checks[%zu]", idx);
	if (!json_is_object(o))
		return loc_fail(l, path, "expected an object");
	struct check_impl *c = keep(cat, calloc(1, sizeof(*c)), l->err);
	if (!c)
		return -1;
	c->file = l->file;
	c->index = idx;
	if (get_str(l, path, o, "id", 1, &c->pub.id) < 0 ||
	    get_str(l, path, o, "title", 1, &c->pub.title) < 0 ||
	    get_strs(l, path, o, "provisions", 1, LOCAL_ID, &c->pub.provisions,
	             &c->pub.n_provisions) < 0)
		return -1;
	if (it_array_grow(&cat->checks, &cat->cap_checks, cat->n_checks, sizeof(c)) < 0)
		return it_error_nomem(l->err);
	cat->checks[cat->n_checks++] = c;
	return 0;
}

static int add_checks(struct it_catalogue *cat, const char *name, const char *json, size_t len,
                      struct it_error *err)
{
	struct loc l = {cat, name, err};
	json_t *root;
	if (cat->finished)
		return it_error_set(err, IT_ERR_INTERNAL, name, IT_NO_OFFSET,
		                    "catalogue: add after finish");
	if (parse(&l, json, len, &root) < 0 || !(l.file = keep(cat, strdup(name), err)))
		return -1; /* the checks keep l.file for messages after the caller's name is gone */
	json_t *arr = json_object_get(root, "checks");
	if (!json_is_array(arr))
		return loc_fail(&l, NULL, "expected an object with a \"checks\" array");
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (add_check(&l, json_array_get(arr, i), i) < 0)
			return -1;
	return 0;
}

static int get_concerns(const struct loc *l, const char *path, json_t *o, struct it_cat_item *it)
{
	static const char *const keys[] = {"categories", "tiers", NULL};
	char p[SUB_PATH];
	json_t *v;
	if (get_obj(l, path, o, "concerns", keys, &v, p) < 0)
		return -1;
	if (!v)
		return 0;
	if (get_strs(l, p, v, "categories", 0, KEY_ID, &it->categories, &it->n_categories) < 0)
		return -1;
	return get_strs(l, p, v, "tiers", 0, KEY_ID, &it->tiers, &it->n_tiers);
}

static int get_v3(const struct loc *l, const char *path, json_t *o, struct item_impl *it)
{
	static const char *const keys[] = {"level", "condition", NULL};
	char p[SUB_PATH];
	json_t *v;
	if (get_obj(l, path, o, "v3", keys, &v, p) < 0)
		return -1;
	if (!v)
		return 0;
	if (get_level(l, p, v, &it->pub.v3_level, &it->v3cond, &it->pub.v3_condition) < 0)
		return -1;
	it->pub.has_v3 = 1;
	return 0;
}

static int add_item(const struct loc *l, const struct it_cat_standard *std, json_t *o, size_t idx)
{
	static const char *const keys[] = {
	        "id",       "standard", "title",        "level",    "condition", "requirement",
	        "checks",   "question", "maps_to",      "kind",     "parent",    "note",
	        "versions", "v3",       "derived_from", "concerns", NULL};
	struct it_catalogue *cat = l->cat;
	char path[48];
	snprintf(path, sizeof(path), "items[%zu]", idx);
	if (!json_is_object(o))
		return loc_fail(l, path, "expected an object");
	struct item_impl *it = calloc(1, sizeof(*it));
	if (!it || it_array_grow(&cat->items, &cat->cap_items, cat->n_items, sizeof(it)) < 0) {
		free(it);
		return it_error_nomem(l->err);
	}
	cat->items[cat->n_items] = it;
	it->order = cat->n_items++;
	it->file = l->file;
	it->index = idx;
	struct it_cat_item *p = &it->pub;
	const char *std_id;
	if (only_keys(l, path, o, keys) < 0 || get_str(l, path, o, "id", 1, &p->id) < 0 ||
	    get_str(l, path, o, "standard", 1, &std_id) < 0 ||
	    get_str(l, path, o, "title", 1, &p->title) < 0 ||
	    get_level(l, path, o, &p->level, &it->cond, &p->condition) < 0 ||
	    get_str(l, path, o, "requirement", 1, &p->requirement) < 0 ||
	    get_str(l, path, o, "question", 1, &p->question) < 0 ||
	    get_strs(l, path, o, "checks", 1, ANY_STR, &p->checks, &p->n_checks) < 0 ||
	    get_strs(l, path, o, "maps_to", 1, GLOBAL_ID, &p->maps_to, &p->n_maps_to) < 0 ||
	    get_str(l, path, o, "kind", 0, &p->kind) < 0 ||
	    get_str(l, path, o, "parent", 0, &p->parent) < 0 ||
	    get_str(l, path, o, "note", 0, &p->note) < 0 ||
	    get_strs(l, path, o, "versions", 0, LOCAL_ID, &p->versions, &p->n_versions) < 0 ||
	    get_strs(l, path, o, "derived_from", 0, LOCAL_ID, &p->derived_from,
	             &p->n_derived_from) < 0 ||
	    get_v3(l, path, o, it) < 0 || get_concerns(l, path, o, p) < 0)
		return -1;
	if (!id_ok(p->id, 0))
		return loc_fail(l, path, "\"id\": expected %s, not \"%s\"", kind_what(LOCAL_ID),
		                p->id);
	if (strcmp(std_id, std->id) != 0)
		return loc_fail(l, path, "\"standard\": \"%s\" differs from the file's \"%s\"",
		                std_id, std->id);
	p->standard = std->id;
	struct it_buf g = IT_BUF_INIT;
	if (it_buf_printf(&g, "%s:%s", std->id, p->id) < 0) {
		it_buf_free(&g);
		return it_error_nomem(l->err);
	}
	p->gid = it->gid = it_buf_detach(&g);
	return 0;
}

static int add_file(struct it_catalogue *cat, const char *name, const char *json, size_t len,
                    struct it_error *err)
{
	static const char *const keys[] = {"standard", "title", "edition", "source",
	                                   "note",     "items", NULL};
	struct loc l = {cat, name, err};
	json_t *root;
	if (cat->finished)
		return it_error_set(err, IT_ERR_INTERNAL, name, IT_NO_OFFSET,
		                    "catalogue: add after finish");
	if (parse(&l, json, len, &root) < 0)
		return -1;
	if (!json_is_object(root))
		return loc_fail(&l, NULL, "expected an object with \"standard\" and \"items\"");
	struct it_cat_standard s = {0};
	char *file = keep(cat, strdup(name), err);
	if (!file)
		return -1;
	s.file = file;
	if (only_keys(&l, "", root, keys) < 0 || get_str(&l, "", root, "standard", 1, &s.id) < 0 ||
	    get_str(&l, "", root, "title", 1, &s.title) < 0 ||
	    get_str(&l, "", root, "edition", 0, &s.edition) < 0 ||
	    get_str(&l, "", root, "source", 0, &s.source) < 0 ||
	    get_str(&l, "", root, "note", 0, &s.note) < 0)
		return -1;
	l.file = file; /* messages from now on may outlive the caller's name */
	if (!kind_ok(s.id, KEY_ID))
		return loc_fail(&l, NULL, "\"standard\": expected %s, not \"%s\"",
		                kind_what(KEY_ID), s.id);
	for (size_t i = 0; i < cat->n_stds; i++)
		if (strcmp(cat->stds[i].id, s.id) == 0)
			return loc_fail(&l, NULL, "\"standard\": \"%s\" is already defined by %s",
			                s.id, cat->stds[i].file);
	json_t *items = json_object_get(root, "items");
	if (!json_is_array(items) || json_array_size(items) == 0)
		return loc_fail(&l, NULL, "\"items\": expected a non-empty array");
	s.first = cat->n_items;
	s.n = json_array_size(items);
	for (size_t i = 0; i < s.n; i++)
		if (add_item(&l, &s, json_array_get(items, i), i) < 0)
			return -1;
	if (it_array_grow(&cat->stds, &cat->cap_stds, cat->n_stds, sizeof(s)) < 0)
		return it_error_nomem(err);
	cat->stds[cat->n_stds++] = s;
	return 0;
}

int it_catalogue_add_checks(struct it_catalogue *cat, const char *name, const char *json,
                            size_t len, struct it_error *err)
{
	if (add_checks(cat, name, json, len, err) == 0)
		return 0;
	cat->broken = 1;
	return -1;
}

int it_catalogue_add_file(struct it_catalogue *cat, const char *name, const char *json, size_t len,
                          struct it_error *err)
{
	if (add_file(cat, name, json, len, err) == 0)
		return 0;
	cat->broken = 1;
	return -1;
}

/* --- finishing: references, links, indexes ----------------------------------------------- */

static int cmp_item_gid(const void *a, const void *b)
{
	return strcmp((*(struct item_impl *const *)a)->gid, (*(struct item_impl *const *)b)->gid);
}

static int cmp_check_id(const void *a, const void *b)
{
	return strcmp((*(struct check_impl *const *)a)->pub.id,
	              (*(struct check_impl *const *)b)->pub.id);
}

static int cmp_link_order(const void *a, const void *b)
{
	size_t x = ((const struct item_impl *)*(const struct it_cat_item *const *)a)->order;
	size_t y = ((const struct item_impl *)*(const struct it_cat_item *const *)b)->order;
	return (x > y) - (x < y);
}

static struct item_impl *find_impl(const struct it_catalogue *cat, const char *gid)
{
	size_t lo = 0, hi = cat->by_gid ? cat->n_items : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(gid, cat->by_gid[mid]->gid);
		if (c == 0)
			return cat->by_gid[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* it's item `local` of the same standard as `it` */
static struct item_impl *find_local(const struct it_catalogue *cat, const struct item_impl *it,
                                    const char *local, struct it_error *err)
{
	struct it_buf g = IT_BUF_INIT;
	if (it_buf_printf(&g, "%s:%s", it->pub.standard, local) < 0) {
		it_buf_free(&g);
		it_error_nomem(err);
		return NULL;
	}
	struct item_impl *r = find_impl(cat, it_buf_str(&g));
	it_buf_free(&g);
	return r;
}

static int add_link(struct item_impl *a, const struct item_impl *b, struct it_error *err)
{
	if (it_array_grow(&a->links, &a->cap_links, a->pub.n_links, sizeof(*a->links)) < 0)
		return it_error_nomem(err);
	a->links[a->pub.n_links++] = &b->pub;
	return 0;
}

static int link_both(struct item_impl *a, struct item_impl *b, struct it_error *err)
{
	return add_link(a, b, err) < 0 || add_link(b, a, err) < 0 ? -1 : 0;
}

static int item_refs(struct it_catalogue *cat, struct item_impl *it, struct it_error *err)
{
	struct loc l = {cat, it->file, err};
	char path[48];
	const struct it_cat_item *p = &it->pub;
	snprintf(path, sizeof(path), "items[%zu]", it->index);
	for (size_t j = 0; j < p->n_checks; j++) {
		struct check_impl key = {.pub.id = p->checks[j]}, *kp = &key, **c;
		c = cat->n_checks
		            ? bsearch(&kp, cat->checks, cat->n_checks, sizeof(kp), cmp_check_id)
		            : NULL;
		if (!c)
			return loc_fail(&l, path,
			                "checks[%zu]: \"%s\" names no check of checks/<name>.json",
			                j, p->checks[j]);
		if (it_array_grow(&(*c)->items, &(*c)->cap_items, (*c)->pub.n_items,
		                  sizeof(*(*c)->items)) < 0)
			return it_error_nomem(err);
		(*c)->items[(*c)->pub.n_items++] = p;
	}
	for (size_t j = 0; j < p->n_maps_to; j++) {
		struct item_impl *t = find_impl(cat, p->maps_to[j]);
		if (!t)
			return loc_fail(&l, path, "maps_to[%zu]: \"%s\" names no catalogue item", j,
			                p->maps_to[j]);
		if (t == it)
			return loc_fail(&l, path, "maps_to[%zu]: an item cannot map to itself", j);
		if (link_both(it, t, err) < 0)
			return -1;
	}
	for (size_t j = 0; j < p->n_derived_from; j++) {
		struct item_impl *t = find_local(cat, it, p->derived_from[j], err);
		if (err->code)
			return -1;
		if (!t || t == it)
			return loc_fail(&l, path,
			                "derived_from[%zu]: \"%s\" names no other item of %s", j,
			                p->derived_from[j], p->standard);
		if (link_both(it, t, err) < 0)
			return -1;
	}
	if (p->parent) {
		struct item_impl *t = find_local(cat, it, p->parent, err);
		if (err->code)
			return -1;
		if (!t || t == it)
			return loc_fail(&l, path, "parent: \"%s\" names no other item of %s",
			                p->parent, p->standard);
	}
	return 0;
}

/* Sort each item's links into catalogue order and drop repeats. */
static void links_normalise(struct item_impl *it)
{
	size_t n = it->pub.n_links, w = 0;
	if (n == 0)
		return;
	qsort(it->links, n, sizeof(*it->links), cmp_link_order);
	for (size_t r = 0; r < n; r++)
		if (w == 0 || it->links[w - 1] != it->links[r])
			it->links[w++] = it->links[r];
	it->pub.n_links = w;
	it->pub.links = it->links;
}

int it_catalogue_finish(struct it_catalogue *cat, struct it_error *err)
{
	if (cat->finished)
		return 0;
	if (cat->broken)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "catalogue: finish after a failed add");
	if (cat->n_items == 0)
		return it_error_set(err, IT_ERR_INPUT, "catalogue/", IT_NO_OFFSET,
		                    "no catalogue file (catalogue/<name>.json) defines any item");
	if (cat->n_checks)
		qsort(cat->checks, cat->n_checks, sizeof(*cat->checks), cmp_check_id);
	for (size_t i = 1; i < cat->n_checks; i++)
		if (strcmp(cat->checks[i]->pub.id, cat->checks[i - 1]->pub.id) == 0)
			return it_error_set(err, IT_ERR_INPUT, cat->checks[i]->file, IT_NO_OFFSET,
			                    "checks[%zu]: id \"%s\" is defined twice (also in %s)",
			                    cat->checks[i]->index, cat->checks[i]->pub.id,
			                    cat->checks[i - 1]->file);
	cat->by_gid = keep(cat, malloc(cat->n_items * sizeof(*cat->by_gid)), err);
	if (!cat->by_gid)
		return -1;
	memcpy(cat->by_gid, cat->items, cat->n_items * sizeof(*cat->by_gid));
	qsort(cat->by_gid, cat->n_items, sizeof(*cat->by_gid), cmp_item_gid);
	for (size_t i = 1; i < cat->n_items; i++) {
		struct item_impl *a = cat->by_gid[i - 1], *b = cat->by_gid[i];
		if (strcmp(a->gid, b->gid) == 0) {
			if (a->order > b->order) {
				struct item_impl *t = a;
				a = b;
				b = t;
			}
			return it_error_set(
			        err, IT_ERR_INPUT, b->file, IT_NO_OFFSET,
			        "items[%zu]: id \"%s\" is defined twice (also items[%zu])",
			        b->index, b->pub.id, a->index);
		}
	}
	for (size_t i = 0; i < cat->n_items; i++)
		if (item_refs(cat, cat->items[i], err) < 0)
			return -1;
	for (size_t i = 0; i < cat->n_items; i++)
		links_normalise(cat->items[i]);
	for (size_t i = 0; i < cat->n_checks; i++)
		cat->checks[i]->pub.items = cat->checks[i]->items;
	cat->finished = 1;
	return 0;
}

/* --- loading from the data set ----------------------------------------------------------- */

struct load_ctx {
	struct it_catalogue *cat;
	const struct it_data *data;
	struct it_error *err;
	int checks; /* 1: checks/, 0: catalogue/ */
};

static int load_one(void *user, const char *name)
{
	struct load_ctx *c = user;
	size_t n = strlen(name);
	if (n < 5 || strcmp(name + n - 5, ".json") != 0)
		return 0;
	struct it_buf b = IT_BUF_INIT;
	int rc = it_data_read(c->data, name, &b, c->err);
	if (rc == 0)
		rc = c->checks ? it_catalogue_add_checks(c->cat, name, (const char *)b.data, b.len,
		                                         c->err)
		               : it_catalogue_add_file(c->cat, name, (const char *)b.data, b.len,
		                                       c->err);
	it_buf_free(&b);
	return rc < 0 ? -1 : 0;
}

int it_catalogue_load(struct it_catalogue **out, const struct it_data *data, struct it_error *err)
{
	struct it_catalogue *cat;
	*out = NULL;
	if (it_catalogue_new(&cat, err) < 0)
		return -1;
	struct load_ctx c = {cat, data, err, 1};
	if (it_data_each(data, "checks/", load_one, &c, err) != 0)
		goto fail;
	c.checks = 0;
	if (it_data_each(data, "catalogue/", load_one, &c, err) != 0 ||
	    it_catalogue_finish(cat, err) < 0)
		goto fail;
	*out = cat;
	return 0;
fail:
	it_catalogue_free(cat);
	return -1;
}

void it_catalogue_free(struct it_catalogue *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->n_items; i++) {
		free(cat->items[i]->gid);
		free(cat->items[i]->links);
		free(cat->items[i]);
	}
	for (size_t i = 0; i < cat->n_checks; i++)
		free(cat->checks[i]->items);
	for (size_t i = 0; i < cat->n_allocs; i++)
		free(cat->allocs[i]);
	for (size_t i = 0; i < cat->n_roots; i++)
		json_decref(cat->roots[i]);
	free(cat->items);
	free(cat->checks);
	free(cat->stds);
	free(cat->allocs);
	free(cat->roots);
	free(cat);
}

/* --- queries ------------------------------------------------------------------------------ */

size_t it_catalogue_count(const struct it_catalogue *cat)
{
	return cat->finished ? cat->n_items : 0;
}

const struct it_cat_item *it_catalogue_item(const struct it_catalogue *cat, size_t i)
{
	return i < it_catalogue_count(cat) ? &cat->items[i]->pub : NULL;
}

size_t it_catalogue_standard_count(const struct it_catalogue *cat)
{
	return cat->finished ? cat->n_stds : 0;
}

const struct it_cat_standard *it_catalogue_standard(const struct it_catalogue *cat, size_t i)
{
	return i < it_catalogue_standard_count(cat) ? &cat->stds[i] : NULL;
}

const struct it_cat_standard *it_catalogue_standard_find(const struct it_catalogue *cat,
                                                         const char *id)
{
	for (size_t i = 0; i < it_catalogue_standard_count(cat); i++)
		if (strcmp(cat->stds[i].id, id) == 0)
			return &cat->stds[i];
	return NULL;
}

const struct it_cat_item *it_catalogue_find(const struct it_catalogue *cat, const char *gid)
{
	struct item_impl *it = cat->finished ? find_impl(cat, gid) : NULL;
	return it ? &it->pub : NULL;
}

size_t it_catalogue_lookup(const struct it_catalogue *cat, const char *id,
                           const struct it_cat_item **out)
{
	*out = it_catalogue_find(cat, id);
	if (*out)
		return 1;
	size_t n = 0;
	for (size_t i = 0; i < it_catalogue_count(cat); i++)
		if (strcmp(cat->items[i]->pub.id, id) == 0 && n++ == 0)
			*out = &cat->items[i]->pub;
	return n;
}

size_t it_catalogue_check_count(const struct it_catalogue *cat)
{
	return cat->finished ? cat->n_checks : 0;
}

const struct it_cat_check *it_catalogue_check_at(const struct it_catalogue *cat, size_t i)
{
	return i < it_catalogue_check_count(cat) ? &cat->checks[i]->pub : NULL;
}

const struct it_cat_check *it_catalogue_check(const struct it_catalogue *cat, const char *id)
{
	struct check_impl key = {.pub.id = id}, *kp = &key, **c;
	if (!cat->finished || cat->n_checks == 0)
		return NULL;
	c = bsearch(&kp, cat->checks, cat->n_checks, sizeof(kp), cmp_check_id);
	return c ? &(*c)->pub : NULL;
}

int it_catalogue_resolve(const struct it_catalogue *cat, const struct it_cat_item *from,
                         unsigned max_depth, struct it_cat_link **out, size_t *n,
                         struct it_error *err)
{
	*out = NULL;
	*n = 0;
	if (!cat->finished || !from)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "catalogue: resolve before finish or without an item");
	unsigned char *seen = calloc(cat->n_items, 1);
	struct it_cat_link *q = malloc(cat->n_items * sizeof(*q));
	if (!seen || !q) {
		free(seen);
		free(q);
		return it_error_nomem(err);
	}
	seen[((const struct item_impl *)from)->order] = 1;
	size_t len = 0, head = 0;
	const struct it_cat_item *cur = from;
	unsigned depth = 0;
	/* breadth first: q is both the queue and the result */
	for (;;) {
		for (size_t j = 0; (!max_depth || depth < max_depth) && j < cur->n_links; j++) {
			size_t o = ((const struct item_impl *)cur->links[j])->order;
			if (seen[o])
				continue;
			seen[o] = 1;
			q[len++] = (struct it_cat_link){cur->links[j], depth + 1, cur};
		}
		if (head == len)
			break;
		cur = q[head].item;
		depth = q[head++].depth;
	}
	free(seen);
	*out = q;
	*n = len;
	return 0;
}

static int cmp_check_ptr(const void *a, const void *b)
{
	return strcmp((*(const struct it_cat_check *const *)a)->id,
	              (*(const struct it_cat_check *const *)b)->id);
}

static int evidence_add(const struct it_catalogue *cat, const struct it_cat_item *p,
                        const struct it_cat_check ***v, size_t *n, size_t *cap,
                        struct it_error *err)
{
	for (size_t j = 0; j < p->n_checks; j++) {
		if (it_array_grow(v, cap, *n, sizeof(**v)) < 0)
			return it_error_nomem(err);
		(*v)[(*n)++] = it_catalogue_check(cat, p->checks[j]);
	}
	return 0;
}

int it_catalogue_evidence(const struct it_catalogue *cat, const struct it_cat_item *item,
                          const struct it_cat_check ***out, size_t *n, struct it_error *err)
{
	const struct it_cat_check **v = NULL;
	size_t len = 0, cap = 0, w = 0;
	*out = NULL;
	*n = 0;
	if (!cat->finished || !item)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "catalogue: evidence before finish or without an item");
	int rc = evidence_add(cat, item, &v, &len, &cap, err);
	for (size_t k = 0; rc == 0 && k < item->n_links; k++)
		if (strcmp(item->links[k]->standard, IT_CATALOGUE_CHECK_STANDARD) == 0)
			rc = evidence_add(cat, item->links[k], &v, &len, &cap, err);
	if (rc < 0) {
		free(v);
		return -1;
	}
	if (len)
		qsort(v, len, sizeof(*v), cmp_check_ptr);
	for (size_t r = 0; r < len; r++)
		if (w == 0 || v[w - 1] != v[r])
			v[w++] = v[r];
	*out = v;
	*n = w;
	return 0;
}

/* --- agreement with the checks --------------------------------------------------------- */

static int lists(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static int verify_item(const struct it_catalogue *cat, const struct item_impl *it,
                       struct it_error *err)
{
	const struct it_cat_item *p = &it->pub;
	int hub = strcmp(p->standard, IT_CATALOGUE_CHECK_STANDARD) == 0;
	for (size_t j = 0; j < p->n_checks; j++) {
		const struct it_cat_check *c = it_catalogue_check(cat, p->checks[j]);
		if (hub && !lists(c->provisions, c->n_provisions, p->id))
			return it_error_set(err, IT_ERR_INPUT, it->file, IT_NO_OFFSET,
			                    "items[%zu].checks[%zu]: check \"%s\" does not name "
			                    "provision %s in its \"provisions\"",
			                    it->index, j, c->id, p->id);
		int found = hub;
		for (size_t k = 0; !found && k < p->n_links; k++)
			found = strcmp(p->links[k]->standard, IT_CATALOGUE_CHECK_STANDARD) == 0 &&
			        lists(c->provisions, c->n_provisions, p->links[k]->id);
		if (!found)
			return it_error_set(
			        err, IT_ERR_INPUT, it->file, IT_NO_OFFSET,
			        "items[%zu].checks[%zu]: check \"%s\" names none of the %s "
			        "provisions %s links to",
			        it->index, j, c->id, IT_CATALOGUE_CHECK_STANDARD, p->gid);
	}
	return 0;
}

int it_catalogue_verify_checks(const struct it_catalogue *cat, struct it_error *err)
{
	if (!cat->finished)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "catalogue: verify before finish");
	for (size_t i = 0; i < cat->n_checks; i++) {
		const struct check_impl *c = cat->checks[i];
		for (size_t j = 0; j < c->pub.n_provisions; j++) {
			struct it_buf g = IT_BUF_INIT;
			if (it_buf_printf(&g, "%s:%s", IT_CATALOGUE_CHECK_STANDARD,
			                  c->pub.provisions[j]) < 0) {
				it_buf_free(&g);
				return it_error_nomem(err);
			}
			const struct it_cat_item *p = it_catalogue_find(cat, it_buf_str(&g));
			it_buf_free(&g);
			if (!p || !lists(p->checks, p->n_checks, c->pub.id))
				return it_error_set(
				        err, IT_ERR_INPUT, c->file, IT_NO_OFFSET,
				        "checks[%zu].provisions[%zu]: check \"%s\" names "
				        "%s:%s, %s",
				        c->index, j, c->pub.id, IT_CATALOGUE_CHECK_STANDARD,
				        c->pub.provisions[j],
				        p ? "whose \"checks\" list does not list it"
				          : "which the catalogue does not define");
		}
	}
	for (size_t i = 0; i < cat->n_items; i++)
		if (verify_item(cat, cat->items[i], err) < 0)
			return -1;
	return 0;
}

/*
 * The inventory merge, run after every inspector's finish: a package database component
 * wins over the same product and version found by a signature in the same file system (the
 * evidence files move to the package); identical components are folded, so name+version+
 * source is unique. Also the CPE 2.3 and PURL spellings both inventory inspectors share.
 */
#include <fnmatch.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inspect/inspector.h"

#define SIG_DIR      "signatures/"
#define MAX_EVIDENCE 64u /* evidence entries kept on one component after merging */

/* --- CPE 2.3 and PURL spellings ------------------------------------------ */

/* One CPE 2.3 formatted-string attribute (NISTIR 7695 6.2): lower case, every
 * character but letters, digits, '.', '-' and '_' quoted with a backslash. */
static int cpe_attr(struct it_buf *b, const char *s)
{
	if (!s || !*s)
		return it_buf_putc(b, '*');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 0x20 || c >= 0x7f)
			c = '_';
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_') &&
		    it_buf_putc(b, '\\') < 0)
			return -1;
		if (it_buf_putc(b, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c)) < 0)
			return -1;
	}
	return 0;
}

/* "vendor:product" (part a) or "o:vendor:product" -> "cpe:2.3:a:vendor:product:ver:upd:..."
 * Returns NULL with err clear when spec is malformed (data error: no CPE rather than a
 * wrong one), NULL with err set when out of memory. */
const char *it_inventory_cpe(struct it_inspect *in, const char *spec, const char *version,
                             const char *update, struct it_error *err)
{
	if (!spec || !version || !*version)
		return NULL;
	const char *c1 = strchr(spec, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char part = 'a';
	if (c2) {
		if (c1 - spec != 1 || !strchr("aho", spec[0]))
			return NULL;
		part = spec[0];
		spec = c1 + 1;
		c1 = c2;
	}
	if (!c1 || c1 == spec || !c1[1] || strchr(c1 + 1, ':'))
		return NULL;
	struct it_buf b = IT_BUF_INIT;
	char *vendor = strndup(spec, (size_t)(c1 - spec));
	int rc = !vendor || it_buf_printf(&b, "cpe:2.3:%c:", part) < 0 ||
	                         cpe_attr(&b, vendor) < 0 || it_buf_putc(&b, ':') < 0 ||
	                         cpe_attr(&b, c1 + 1) < 0 || it_buf_putc(&b, ':') < 0 ||
	                         cpe_attr(&b, version) < 0 || it_buf_putc(&b, ':') < 0 ||
	                         cpe_attr(&b, update) < 0 || it_buf_puts(&b, ":*:*:*:*:*:*") < 0
	                 ? -1
	                 : 0;
	free(vendor);
	const char *out = rc < 0 ? NULL : it_inspect_strdup(in, it_buf_str(&b), err);
	if (rc < 0)
		it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	it_buf_free(&b);
	return out;
}

/* Percent-encode one PURL component (purl spec, "Character encoding"): letters, digits,
 * ".-_~" and the colon stay as they are, every other octet becomes %XX ('+' -> %2B). */
int it_inventory_purl_put(struct it_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '~' ||
		           c == ':';
		if (keep ? it_buf_putc(b, (char)c) < 0
		         : it_buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]) < 0)
			return -1;
	}
	return 0;
}

/* --- which package names stand for which product ------------------------- */

/* product -> package name patterns, from the "packages" lists of data/signatures/ */
struct product_pkgs {
	char *product;
	char **pkgs;
	size_t n;
};

struct merge {
	struct it_inspect *in;
	struct it_error *err;
	struct product_pkgs *prod;
	size_t n_prod;
};

static struct product_pkgs *product_get(struct merge *m, const char *name, int create)
{
	for (size_t i = 0; i < m->n_prod; i++)
		if (strcmp(m->prod[i].product, name) == 0)
			return &m->prod[i];
	if (!create)
		return NULL;
	struct product_pkgs *v = realloc(m->prod, (m->n_prod + 1) * sizeof(*v));
	if (!v)
		return NULL;
	m->prod = v;
	struct product_pkgs *p = &v[m->n_prod];
	memset(p, 0, sizeof(*p));
	if (!(p->product = strdup(name)))
		return NULL;
	m->n_prod++;
	return p;
}

static int add_pkg(struct product_pkgs *p, const char *pkg)
{
	char **v = realloc(p->pkgs, (p->n + 1) * sizeof(*v));
	if (!v)
		return -1;
	p->pkgs = v;
	if (!(v[p->n] = strdup(pkg)))
		return -1;
	p->n++;
	return 0;
}

static int load_sig_file(void *user, const char *name)
{
	struct merge *m = user;
	struct it_buf b = IT_BUF_INIT;
	if (it_data_read(it_inspect_opts(m->in)->data, name, &b, m->err) < 0)
		return -1;
	json_t *root = json_loadb((const char *)b.data, b.len, JSON_ALLOW_NUL, NULL);
	it_buf_free(&b);
	/* The signature inspector reports malformed files; here they only add nothing. */
	json_t *sigs = json_object_get(root, "signatures");
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < json_array_size(sigs); i++) {
		json_t *s = json_array_get(sigs, i);
		const char *product = json_string_value(json_object_get(s, "product"));
		json_t *pk = json_object_get(s, "packages");
		if (!product || !json_array_size(pk))
			continue;
		struct product_pkgs *p = product_get(m, product, 1);
		if (!p)
			rc = -1;
		for (size_t j = 0; rc == 0 && j < json_array_size(pk); j++) {
			const char *n = json_string_value(json_array_get(pk, j));
			if (n && add_pkg(p, n) < 0)
				rc = -1;
		}
	}
	json_decref(root);
	if (rc < 0)
		it_error_set(m->err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	return rc;
}

static void merge_free(struct merge *m)
{
	for (size_t i = 0; i < m->n_prod; i++) {
		for (size_t j = 0; j < m->prod[i].n; j++)
			free(m->prod[i].pkgs[j]);
		free(m->prod[i].pkgs);
		free(m->prod[i].product);
	}
	free(m->prod);
}

/* The package name without a ":arch" suffix and without Debian's "-udeb". */
static void base_name(const char *name, char *out, size_t cap)
{
	size_t n = strcspn(name, ":");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, name, n);
	out[n] = '\0';
	if (n > 5 && strcmp(out + n - 5, "-udeb") == 0)
		out[n - 5] = '\0';
}

/* The "part:vendor:product" of a CPE 2.3 formatted string, as a length of cpe. */
static size_t cpe_key_len(const char *cpe)
{
	if (!cpe || strncmp(cpe, "cpe:2.3:", 8) != 0)
		return 0;
	const char *p = cpe + 8;
	for (int fields = 0; *p; p++)
		if (*p == '\\' && p[1])
			p++;
		else if (*p == ':' && ++fields == 3)
			return (size_t)(p - cpe);
	return 0;
}

/* Does package component pkg stand for the product that component sig was found as? */
static int same_product(struct merge *m, const struct it_component *pkg,
                        const struct it_component *sig)
{
	size_t a = cpe_key_len(pkg->cpe), b = cpe_key_len(sig->cpe);
	if (a && a == b && strncmp(pkg->cpe, sig->cpe, a) == 0)
		return 1;
	const struct product_pkgs *p = product_get(m, sig->name, 0);
	char base[256];
	base_name(pkg->name, base, sizeof(base));
	for (size_t i = 0; p && i < p->n; i++)
		if (fnmatch(p->pkgs[i], base, 0) == 0)
			return 1;
	return 0;
}

static int same_version(const struct it_component *pkg, const struct it_component *sig)
{
	if (!sig->version)
		return 1; /* a product found without a version: the package says which */
	const char *a = pkg->upstream ? pkg->upstream : pkg->version;
	const char *b = sig->upstream ? sig->upstream : sig->version;
	return a && b && strcasecmp(a, b) == 0;
}

/* --- moving evidence between components ---------------------------------- */

/*
 * The core hands evidence out as const; the arrays themselves are the core's malloc'd
 * memory (never const objects), so an entry may be edited through this cast. Needed to
 * keep a moved entry's digest (add_evidence only hashes bytes it is given) and to drop
 * moved entries from the component they left.
 */
static struct it_evidence *ev_mut(const struct it_component *c, size_t i)
{
	return (struct it_evidence *)(uintptr_t)&c->evidence[i];
}

static int move_evidence(struct it_inspect *in, struct it_component *to,
                         const struct it_evidence *e, struct it_error *err)
{
	for (size_t i = 0; i < to->n_evidence; i++) {
		struct it_evidence *t = ev_mut(to, i);
		if (strcmp(t->chain, e->chain) != 0 || strcmp(t->path, e->path) != 0)
			continue;
		/* the same file (listed by the package manager): keep what the signature saw */
		if (!t->excerpt && e->excerpt)
			t->excerpt = e->excerpt;
		if (!t->sha256[0])
			memcpy(t->sha256, e->sha256, sizeof(t->sha256));
		return 0;
	}
	if (to->n_evidence >= MAX_EVIDENCE)
		return 0;
	if (it_component_add_evidence(in, to, e->chain, e->path, e->excerpt, NULL, 0, err) < 0)
		return -1;
	memcpy(ev_mut(to, to->n_evidence - 1)->sha256, e->sha256, sizeof(e->sha256));
	return 0;
}

static int chain_has_package(const struct it_component *pkg, const char *chain)
{
	for (size_t i = 0; i < pkg->n_evidence; i++)
		if (strcmp(pkg->evidence[i].chain, chain) == 0)
			return 1;
	return 0;
}

/* The package component, of the chain, that stands for sig's product and version. */
static struct it_component *owner(struct merge *m, const struct it_component *sig,
                                  const char *chain)
{
	size_t n = it_inspect_component_count(m->in);
	for (size_t i = 0; i < n; i++) {
		struct it_component *p = it_inspect_component_mut(m->in, i);
		if (p->found_by == IT_FOUND_PKGDB && chain_has_package(p, chain) &&
		    same_product(m, p, sig) && same_version(p, sig))
			return p;
	}
	return NULL;
}

/* Move each evidence file of component i to the package that owns it; returns 1 when
 * nothing is left and the component was removed. */
static int absorb(struct merge *m, size_t i)
{
	struct it_component *s = it_inspect_component_mut(m->in, i);
	size_t keep = 0;
	for (size_t k = 0; k < s->n_evidence; k++) {
		const struct it_evidence *e = &s->evidence[k];
		struct it_component *p = owner(m, s, e->chain);
		if (p) {
			if (move_evidence(m->in, p, e, m->err) < 0)
				return -1;
			continue;
		}
		if (keep != k)
			*ev_mut(s, keep) = *e;
		keep++;
	}
	s->n_evidence = keep;
	if (keep)
		return 0;
	it_inspect_component_remove(m->in, i);
	return 1;
}

/* --- folding duplicates --------------------------------------------------- */

static int streq0(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int same_component(const struct it_component *a, const struct it_component *b)
{
	return strcmp(a->name, b->name) == 0 && streq0(a->version, b->version) &&
	       streq0(a->source, b->source);
}

/* Fold component j into i (same identity): evidence, dependencies, best certainty. */
static int fold(struct merge *m, size_t i, size_t j)
{
	struct it_component *a = it_inspect_component_mut(m->in, i);
	const struct it_component *b = it_inspect_component(m->in, j);
	for (size_t k = 0; k < b->n_evidence; k++)
		if (move_evidence(m->in, a, &b->evidence[k], m->err) < 0)
			return -1;
	for (size_t k = 0; k < b->n_depends; k++)
		if (it_component_add_depend(m->in, a, b->depends[k], m->err) < 0)
			return -1;
	if (b->confidence > a->confidence)
		a->confidence = b->confidence;
	it_inspect_component_remove(m->in, j);
	return 0;
}

static int fold_duplicates(struct merge *m)
{
	for (size_t i = 0; i < it_inspect_component_count(m->in); i++)
		for (size_t j = i + 1; j < it_inspect_component_count(m->in);) {
			if (same_component(it_inspect_component(m->in, i),
			                   it_inspect_component(m->in, j))) {
				if (fold(m, i, j) < 0)
					return -1;
			} else {
				j++;
			}
		}
	return 0;
}

int it_inventory_finalise(struct it_inspect *in, struct it_error *err)
{
	struct merge m = {.in = in, .err = err};
	int rc = 0;
	int have_pkgdb = 0;
	for (size_t i = 0; i < it_inspect_component_count(in); i++)
		have_pkgdb |= it_inspect_component(in, i)->found_by == IT_FOUND_PKGDB;
	if (have_pkgdb &&
	    it_data_each(it_inspect_opts(in)->data, SIG_DIR, load_sig_file, &m, err) != 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && have_pkgdb && i < it_inspect_component_count(in);) {
		if (it_inspect_component(in, i)->found_by == IT_FOUND_PKGDB) {
			i++;
			continue;
		}
		int r = absorb(&m, i);
		if (r < 0)
			rc = -1;
		else if (r == 0)
			i++;
	}
	if (rc == 0)
		rc = fold_duplicates(&m);
	merge_free(&m);
	return rc;
}

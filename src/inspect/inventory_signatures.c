/*
 * Components from version signatures (data/signatures/): one pass over each binary finds
 * every anchor literal at once (a 4-byte-prefix hash filter), then the signature's PCRE2
 * pattern runs only around each hit; context rules reject versions quoted in copyright or
 * requirement text. Filename signatures look at entry paths (lib/modules/<release>/). One
 * component per product and version, with every file that shows it as evidence.
 */
#include <fnmatch.h>
#include <gelf.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "inspect/inspector.h"

#define SIG_DIR       "signatures/"
#define DEFAULTS_FILE "signatures/defaults.json"
#define CPE_MAP_FILE  "signatures/cpe-map.json"
#define MAX_SCAN      ((uint64_t)64 << 20) /* bytes of one file or payload searched */
#define MIN_ANCHOR    4u                   /* the prefilter keys on 4 bytes */
#define MAX_ATTEMPTS  1024u /* pattern runs per signature and file (hostile repetition) */
#define MAX_VERSION   64u   /* bytes of a captured version */
#define MAX_CONTEXT   200u  /* bytes of context (evidence excerpt) each side of a version */
#define MAX_FILE_HITS 64u   /* accepted hits kept per file */
#define SNIFF_BYTES   4096u /* a file without a NUL in its first bytes is text */
#define FILTER_BITS   16u   /* 64 Ki-bit hash filter (8 KiB, stays in L1) */
#define MAX_NEEDED    64u   /* DT_NEEDED names kept per file */
#define NEEDED_BYTES  4096u

struct sig {
	char *id, *product, *supplier, *type, *cpe, *purl;
	enum it_found_by found_by;
	unsigned confidence, max_evidence;
	pcre2_code *pattern;  /* over bytes: the first group that matched is the version */
	pcre2_code *filename; /* over the entry path (filename signatures) */
	pcre2_code *paths;    /* byte signatures only look at files whose path matches */
	pcre2_code *cpe_split;
	pcre2_code **nots, **ups;
	size_t n_nots, n_ups;
	char **requires;
	size_t *requires_len, n_requires;
	char **unless_needed; /* fnmatch() globs: not in an ELF that links such a library */
	size_t n_unless;
	char *fanchor; /* filename signatures: a literal the path must contain */
	size_t before, after;
	int file_scope, unique;
};

struct anchor {
	uint32_t key; /* the first 4 bytes, as loaded from memory */
	const uint8_t *lit;
	size_t len, sig;
};

/* One accepted match in the current file. */
struct hit {
	size_t sig;
	char version[MAX_VERSION + 1], upstream[MAX_VERSION + 1];
	char excerpt[2 * MAX_CONTEXT + MAX_VERSION + 8]; /* the whole printable run */
	size_t at;                                       /* the version's offset in it */
	int has_version;
};

/* A component this inspector made, by product and version. */
struct comp_ref {
	struct it_component *c;
	unsigned *n_ev; /* evidence entries added per signature (max_evidence) */
};

struct state {
	struct sig *sigs;
	size_t n_sigs;
	struct anchor *anchors;
	size_t n_anchors;
	uint64_t filter[(1u << FILTER_BITS) / 64];
	pcre2_match_data *md, *md2;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	/* per file */
	unsigned *attempts;
	signed char *path_ok, *req_ok;
	struct hit *hits;
	size_t n_hits;
	const char *path; /* current entry */
	int needed_read;  /* DT_NEEDED of the current file, read on first use */
	char needed[NEEDED_BYTES];
	size_t n_needed;
	/* results */
	struct comp_ref *comps;
	size_t n_comps, cap_comps;
};

/* defaults.json, inherited by every signature that does not set the key */
struct defaults {
	json_t * not ;
	size_t before, after;
	unsigned confidence, max_evidence;
};

/* --- loading signature files ------------------------------------------------ */

struct loader {
	struct it_inspect *in;
	struct state *st;
	struct it_error *err;
	struct defaults def;
	const char *file;
	size_t idx;
};

static int bad(struct loader *l, const char *key, const char *what)
{
	return it_error_set(l->err, IT_ERR_INPUT, l->file, IT_NO_OFFSET, "signatures[%zu].%s: %s",
	                    l->idx, key, what);
}

static pcre2_code *compile(struct loader *l, const char *key, const char *re)
{
	int ec;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
	if (!c) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		it_error_set(l->err, IT_ERR_INPUT, l->file, IT_NO_OFFSET,
		             "signatures[%zu].%s: %s at offset %zu", l->idx, key, (char *)msg,
		             (size_t)off);
		return NULL;
	}
	pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
	return c;
}

static int opt_str(struct loader *l, json_t *o, const char *key, char **out)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return bad(l, key, "expected a string");
	return (*out = strdup(json_string_value(v))) ? 0 : it_error_nomem(l->err);
}

static int opt_re(struct loader *l, json_t *o, const char *key, pcre2_code **out)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return bad(l, key, "expected a string (a PCRE2 regular expression)");
	return (*out = compile(l, key, json_string_value(v))) ? 0 : -1;
}

static int re_list(struct loader *l, json_t *arr, const char *key, pcre2_code ***out, size_t *n)
{
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return bad(l, key, "expected an array of regular expressions");
	*out = calloc(json_array_size(arr) + 1, sizeof(**out));
	if (!*out)
		return it_error_nomem(l->err);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *re = json_string_value(json_array_get(arr, i));
		if (!re)
			return bad(l, key, "expected an array of strings");
		if (!((*out)[(*n)++] = compile(l, key, re)))
			return -1;
	}
	return 0;
}

static unsigned opt_uint(json_t *o, const char *key, unsigned dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 100000
	               ? (unsigned)json_integer_value(v)
	               : dflt;
}

static int add_anchor(struct loader *l, json_t *a, size_t sig)
{
	struct state *st = l->st;
	if (!json_is_string(a) || json_string_length(a) < MIN_ANCHOR)
		return bad(l, "anchor", "expected a literal of at least 4 bytes");
	struct anchor *v = realloc(st->anchors, (st->n_anchors + 1) * sizeof(*v));
	if (!v)
		return it_error_nomem(l->err);
	st->anchors = v;
	struct anchor *an = &v[st->n_anchors];
	an->len = json_string_length(a);
	uint8_t *lit = malloc(an->len);
	if (!lit)
		return it_error_nomem(l->err);
	memcpy(lit, json_string_value(a), an->len);
	memcpy(&an->key, lit, 4);
	an->lit = lit;
	an->sig = sig;
	st->n_anchors++;
	return 0;
}

static const char *const found_by_names[] = {"package-db", "banner", "signature", "filename"};

static int load_sig(struct loader *l, json_t *o)
{
	struct state *st = l->st;
	if (!json_is_object(o))
		return bad(l, "", "expected an object");
	struct sig *v = realloc(st->sigs, (st->n_sigs + 1) * sizeof(*v));
	if (!v)
		return it_error_nomem(l->err);
	st->sigs = v;
	struct sig *s = &v[st->n_sigs++];
	memset(s, 0, sizeof(*s));
	if (opt_str(l, o, "id", &s->id) < 0 || opt_str(l, o, "product", &s->product) < 0 ||
	    opt_str(l, o, "supplier", &s->supplier) < 0 || opt_str(l, o, "type", &s->type) < 0 ||
	    opt_str(l, o, "cpe", &s->cpe) < 0 || opt_str(l, o, "purl", &s->purl) < 0 ||
	    opt_re(l, o, "pattern", &s->pattern) < 0 ||
	    opt_re(l, o, "filename", &s->filename) < 0 || opt_re(l, o, "paths", &s->paths) < 0 ||
	    opt_re(l, o, "cpe_split", &s->cpe_split) < 0)
		return -1;
	if (!s->id || !s->product)
		return bad(l, s->id ? "product" : "id", "required string missing");
	if (!s->pattern == !s->filename)
		return bad(l, "pattern", "give exactly one of \"pattern\" and \"filename\"");
	json_t *nots = json_object_get(o, "not");
	if (re_list(l, nots ? nots : l->def.not, "not", &s->nots, &s->n_nots) < 0 ||
	    re_list(l, json_object_get(o, "upstream"), "upstream", &s->ups, &s->n_ups) < 0)
		return -1;
	const char *fb = json_string_value(json_object_get(o, "found_by"));
	s->found_by = s->filename ? IT_FOUND_FILENAME : IT_FOUND_SIGNATURE;
	for (size_t i = 1; fb && i < 4; i++)
		if (strcmp(fb, found_by_names[i]) == 0)
			s->found_by = (enum it_found_by)i;
	s->confidence = opt_uint(o, "confidence", l->def.confidence);
	if (s->confidence > 100)
		s->confidence = 100;
	s->max_evidence = opt_uint(o, "max_evidence", l->def.max_evidence);
	json_t *w = json_object_get(o, "window");
	s->before = l->def.before;
	s->after = l->def.after;
	if (json_is_array(w)) {
		json_t *b = json_array_get(w, 0), *a = json_array_get(w, 1);
		if (!json_is_integer(b) || !json_is_integer(a) || json_integer_value(b) < 0 ||
		    json_integer_value(a) < 0 || json_integer_value(b) > 4096 ||
		    json_integer_value(a) > 4096)
			return bad(l, "window",
			           "expected [bytes before, bytes after], each 0..4096");
		s->before = (size_t)json_integer_value(b);
		s->after = (size_t)json_integer_value(a);
	}
	const char *scope = json_string_value(json_object_get(o, "scope"));
	s->file_scope = scope && strcmp(scope, "file") == 0;
	s->unique = json_is_true(json_object_get(o, "unique"));
	json_t *req = json_object_get(o, "requires");
	s->requires = calloc(json_array_size(req) + 1, sizeof(char *));
	s->requires_len = calloc(json_array_size(req) + 1, sizeof(size_t));
	if (!s->requires || !s->requires_len)
		return it_error_nomem(l->err);
	for (size_t i = 0; i < json_array_size(req); i++) {
		json_t *r = json_array_get(req, i);
		if (!json_is_string(r) || !json_string_length(r))
			return bad(l, "requires", "expected an array of non-empty literals");
		s->requires_len[i] = json_string_length(r);
		if (!(s->requires[i] = malloc(s->requires_len[i])))
			return it_error_nomem(l->err);
		memcpy(s->requires[i], json_string_value(r), s -> requires_len[i]);
		s->n_requires++;
	}
	json_t *un = json_object_get(o, "unless_needed");
	s->unless_needed = calloc(json_array_size(un) + 1, sizeof(char *));
	if (!s->unless_needed)
		return it_error_nomem(l->err);
	for (size_t i = 0; i < json_array_size(un); i++) {
		const char *g = json_string_value(json_array_get(un, i));
		if (!g)
			return bad(l, "unless_needed", "expected an array of library name globs");
		if (!(s->unless_needed[s->n_unless++] = strdup(g)))
			return it_error_nomem(l->err);
	}
	json_t *a = json_object_get(o, "anchor");
	if (s->filename)
		return json_is_string(a) ? ((s->fanchor = strdup(json_string_value(a)))
		                                    ? 0
		                                    : it_error_nomem(l->err))
		                         : 0;
	if (json_is_array(a)) {
		for (size_t i = 0; i < json_array_size(a); i++)
			if (add_anchor(l, json_array_get(a, i), st->n_sigs - 1) < 0)
				return -1;
		return json_array_size(a) ? 0 : bad(l, "anchor", "empty list");
	}
	return add_anchor(l, a, st->n_sigs - 1);
}

static int load_file(void *user, const char *name)
{
	struct loader *l = user;
	if (strcmp(name, DEFAULTS_FILE) == 0 || strcmp(name, CPE_MAP_FILE) == 0)
		return 0;
	json_t *root;
	if (it_data_load_json(it_inspect_opts(l->in)->data, name, &root, l->err) < 0)
		return -1;
	json_t *arr = json_object_get(root, "signatures");
	int rc = 0;
	l->file = name;
	if (!json_is_array(arr))
		rc = it_error_set(l->err, IT_ERR_INPUT, name, IT_NO_OFFSET,
		                  "expected an object with a \"signatures\" array");
	for (size_t i = 0; rc == 0 && i < json_array_size(arr); i++) {
		l->idx = i;
		rc = load_sig(l, json_array_get(arr, i));
	}
	json_decref(root);
	return rc;
}

static int load_defaults(struct loader *l, json_t **root)
{
	if (it_data_load_json(it_inspect_opts(l->in)->data, DEFAULTS_FILE, root, l->err) < 0)
		return -1;
	json_t *d = json_object_get(*root, "defaults");
	json_t *w = json_object_get(d, "window");
	l->def.not = json_object_get(d, "not");
	l->def.before = (size_t)json_integer_value(json_array_get(w, 0));
	l->def.after = (size_t)json_integer_value(json_array_get(w, 1));
	l->def.confidence = opt_uint(d, "confidence", 80);
	l->def.max_evidence = opt_uint(d, "max_evidence", 16);
	if (!l->def.before || !l->def.after)
		l->def.before = 64, l->def.after = 192;
	return 0;
}

/* --- the prefilter ------------------------------------------------------------ */

static uint32_t filter_hash(uint32_t key)
{
	return (key * 2654435761u) >> (32 - FILTER_BITS);
}

static int cmp_anchor(const void *a, const void *b)
{
	const struct anchor *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

static void build_filter(struct state *st)
{
	if (st->n_anchors)
		qsort(st->anchors, st->n_anchors, sizeof(*st->anchors), cmp_anchor);
	memset(st->filter, 0, sizeof(st->filter));
	for (size_t i = 0; i < st->n_anchors; i++) {
		uint32_t h = filter_hash(st->anchors[i].key);
		st->filter[h >> 6] |= (uint64_t)1 << (h & 63);
	}
}

/* The first anchor with this key (anchors are sorted by key), or n_anchors. */
static size_t first_anchor(const struct state *st, uint32_t key)
{
	size_t lo = 0, hi = st->n_anchors;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st->anchors[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* --- life cycle ------------------------------------------------------------- */

static void free_sig(struct sig *s)
{
	free(s->id);
	free(s->product);
	free(s->supplier);
	free(s->type);
	free(s->cpe);
	free(s->purl);
	free(s->fanchor);
	pcre2_code_free(s->pattern);
	pcre2_code_free(s->filename);
	pcre2_code_free(s->paths);
	pcre2_code_free(s->cpe_split);
	for (size_t i = 0; i < s->n_nots; i++)
		pcre2_code_free(s->nots[i]);
	for (size_t i = 0; i < s->n_ups; i++)
		pcre2_code_free(s->ups[i]);
	free(s->nots);
	free(s->ups);
	for (size_t i = 0; i < s->n_requires; i++)
		free(s->requires[i]);
	free(s->requires);
	free(s->requires_len);
	for (size_t i = 0; i < s->n_unless; i++)
		free(s->unless_needed[i]);
	free(s->unless_needed);
}

static void destroy(void *vs)
{
	struct state *st = vs;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_sigs; i++)
		free_sig(&st->sigs[i]);
	for (size_t i = 0; i < st->n_anchors; i++)
		free((void *)(uintptr_t)st->anchors[i].lit);
	free(st->sigs);
	free(st->anchors);
	pcre2_match_data_free(st->md);
	pcre2_match_data_free(st->md2);
	pcre2_match_context_free(st->mctx);
	pcre2_jit_stack_free(st->jstack);
	free(st->attempts);
	free(st->path_ok);
	free(st->req_ok);
	free(st->hits);
	for (size_t i = 0; i < st->n_comps; i++)
		free(st->comps[i].n_ev);
	free(st->comps);
	free(st);
}

static int create(struct it_inspect *in, void **out, struct it_error *err)
{
	struct state *st = calloc(1, sizeof(*st));
	if (!st)
		return it_error_nomem(err);
	struct loader l = {.in = in, .st = st, .err = err};
	if (elf_version(EV_CURRENT) == EV_NONE) {
		free(st);
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET, "libelf: %s",
		                    elf_errmsg(-1));
	}
	json_t *defaults = NULL;
	int rc = load_defaults(&l, &defaults);
	if (rc == 0)
		rc = it_data_each(it_inspect_opts(in)->data, SIG_DIR, load_file, &l, err) ? -1 : 0;
	json_decref(defaults);
	if (rc == 0) {
		st->md = pcre2_match_data_create(16, NULL);
		st->md2 = pcre2_match_data_create(4, NULL);
		st->mctx = pcre2_match_context_create(NULL);
		st->jstack = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
		size_t n = st->n_sigs ? st->n_sigs : 1;
		st->attempts = calloc(n, sizeof(*st->attempts));
		st->path_ok = calloc(n, 1);
		st->req_ok = calloc(n, 1);
		st->hits = calloc(MAX_FILE_HITS, sizeof(*st->hits));
		if (!st->md || !st->md2 || !st->mctx || !st->jstack || !st->attempts ||
		    !st->path_ok || !st->req_ok || !st->hits)
			rc = it_error_nomem(err);
	}
	if (rc < 0) {
		destroy(st);
		return -1;
	}
	pcre2_set_match_limit(st->mctx, 200000);
	pcre2_set_depth_limit(st->mctx, 10000);
	pcre2_jit_stack_assign(st->mctx, NULL, st->jstack);
	build_filter(st);
	*out = st;
	return 0;
}

/* --- matching ------------------------------------------------------------------ */

static int printable(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

/* The run of printable bytes around [s, e) of p, at most MAX_CONTEXT each side, as a
 * C string (tabs become spaces); *at is where s is in it. */
static void context(const uint8_t *p, size_t len, size_t s, size_t e, char *out, size_t *at)
{
	size_t a = s, b = e;
	if (e - s > MAX_VERSION)
		b = e = s + MAX_VERSION;
	while (a > 0 && s - a < MAX_CONTEXT && printable(p[a - 1]))
		a--;
	while (b < len && b - e < MAX_CONTEXT && printable(p[b]))
		b++;
	size_t n = 0;
	for (size_t i = a; i < b; i++)
		out[n++] = p[i] == '\t' || !printable(p[i]) ? ' ' : (char)p[i];
	out[n] = '\0';
	*at = s - a;
}

static int re_find(struct state *st, pcre2_code *re, const char *s, pcre2_match_data *md)
{
	return pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, st->mctx) > 0;
}

/* Group 1 of the first upstream rule that matches the context, else the version. */
static void upstream(struct state *st, const struct sig *sig, const char *ctx, struct hit *h)
{
	snprintf(h->upstream, sizeof(h->upstream), "%s", h->version);
	for (size_t i = 0; i < sig->n_ups; i++) {
		if (pcre2_match(sig->ups[i], (PCRE2_SPTR)ctx, strlen(ctx), 0, 0, st->md2,
		                st->mctx) < 2)
			continue;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md2);
		size_t n = ov[3] - ov[2];
		if (ov[2] == PCRE2_UNSET || !n || n > MAX_VERSION)
			continue;
		memcpy(h->upstream, ctx + ov[2], n);
		h->upstream[n] = '\0';
		return;
	}
}

/* Turn the current match (st->md over subject, pcre2_match() returned rc) into a hit; 0
 * when rejected. Only the first rc pairs are this match's (the rest may be stale). */
static int accept_match(struct state *st, size_t si, int rc, const uint8_t *subj, size_t slen,
                        struct hit *h)
{
	const struct sig *sig = &st->sigs[si];
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
	uint32_t pairs = rc > 0 ? (uint32_t)rc : 1;
	size_t vs = ov[0], ve = ov[1];
	memset(h, 0, sizeof(*h));
	for (uint32_t g = 1; g < pairs; g++)
		if (ov[2 * g] != PCRE2_UNSET) {
			vs = ov[2 * g];
			ve = ov[2 * g + 1];
			h->has_version = 1;
			break;
		}
	if (h->has_version) {
		if (ve <= vs || ve - vs > MAX_VERSION)
			return 0;
		for (size_t i = vs; i < ve; i++)
			if (!printable(subj[i]) || subj[i] == ' ')
				return 0;
		memcpy(h->version, subj + vs, ve - vs);
	}
	context(subj, slen, vs, ve, h->excerpt, &h->at);
	for (size_t i = 0; i < sig->n_nots; i++)
		if (re_find(st, sig->nots[i], h->excerpt, st->md2))
			return 0;
	upstream(st, sig, h->excerpt, h);
	h->sig = si;
	return 1;
}

static void keep_hit(struct state *st, const struct hit *h)
{
	for (size_t i = 0; i < st->n_hits; i++)
		if (st->hits[i].sig == h->sig && strcmp(st->hits[i].version, h->version) == 0)
			return;
	if (st->n_hits < MAX_FILE_HITS)
		st->hits[st->n_hits++] = *h;
}

static int requires_ok(struct state *st, size_t si, const uint8_t *p, size_t len)
{
	const struct sig *s = &st->sigs[si];
	if (!st->req_ok[si]) {
		st->req_ok[si] = 1;
		for (size_t i = 0; i < s->n_requires; i++)
			if (!memmem(p, len, s->requires[i], s -> requires_len[i]))
				st->req_ok[si] = -1;
	}
	return st->req_ok[si] > 0;
}

/* The DT_NEEDED names of an ELF file ('\0'-separated in st->needed), read once per file. */
static void read_needed(struct state *st, const uint8_t *p, size_t len)
{
	st->needed_read = 1;
	st->n_needed = 0;
	size_t used = 0;
	if (len < 4 || memcmp(p, "\177ELF", 4) != 0)
		return;
	Elf *elf = elf_memory((char *)(uintptr_t)p, len);
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	while (elf && (scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_DYNAMIC)
			break;
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	size_t n = d && sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
	for (size_t i = 0; i < n && i < 4096 && st->n_needed < MAX_NEEDED; i++) {
		GElf_Dyn dy;
		if (!gelf_getdyn(d, (int)i, &dy) || dy.d_tag == DT_NULL)
			break;
		const char *name =
		        dy.d_tag == DT_NEEDED ? elf_strptr(elf, sh.sh_link, dy.d_un.d_val) : NULL;
		size_t nl = name ? strnlen(name, 256) : 0;
		if (!nl || nl == 256 || used + nl + 1 > sizeof(st->needed))
			continue;
		memcpy(st->needed + used, name, nl + 1);
		used += nl + 1;
		st->n_needed++;
	}
	elf_end(elf);
}

/* Does the file link a library the signature names in unless_needed? Then the product's
 * version text in it is a copy of the library's header (OPENSSL_VERSION_TEXT in nginx,
 * hostapd), not a component of this file: the library file is found on its own. */
static int links_own_library(struct state *st, size_t si, const uint8_t *p, size_t len)
{
	const struct sig *s = &st->sigs[si];
	if (!s->n_unless)
		return 0;
	if (!st->needed_read)
		read_needed(st, p, len);
	const char *n = st->needed;
	for (size_t i = 0; i < st->n_needed; i++, n += strlen(n) + 1)
		for (size_t k = 0; k < s->n_unless; k++)
			if (fnmatch(s->unless_needed[k], n, 0) == 0)
				return 1;
	return 0;
}

static int path_ok(struct state *st, size_t si)
{
	const struct sig *s = &st->sigs[si];
	if (!s->paths)
		return 1;
	if (!st->path_ok[si])
		st->path_ok[si] = re_find(st, s->paths, st->path, st->md2) ? 1 : -1;
	return st->path_ok[si] > 0;
}

/* The whole file (scope "file"): every match; with "unique", several different versions
 * mean none. */
static void match_file(struct state *st, size_t si, const uint8_t *p, size_t len)
{
	const struct sig *sig = &st->sigs[si];
	struct hit first, h;
	int found = 0;
	PCRE2_SIZE at = 0;
	for (unsigned n = 0; n < MAX_ATTEMPTS && at < len; n++) {
		int rc = pcre2_match(sig->pattern, p, len, at, 0, st->md, st->mctx);
		if (rc <= 0)
			break;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
		at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		if (!accept_match(st, si, rc, p, len, &h))
			continue;
		if (!found) {
			first = h;
			found = 1;
		} else if (strcmp(first.version, h.version) != 0 && sig->unique) {
			return;
		} else if (!sig->unique) {
			keep_hit(st, &h);
		}
	}
	if (found)
		keep_hit(st, &first);
}

/* Anchor a of signature si at offset pos: run the pattern on the window around it and
 * take the first match that contains the anchor. */
static void on_anchor(struct state *st, const struct anchor *a, size_t pos, const uint8_t *p,
                      size_t len)
{
	size_t si = a->sig;
	const struct sig *sig = &st->sigs[si];
	if (st->attempts[si] >= MAX_ATTEMPTS || !path_ok(st, si) || !requires_ok(st, si, p, len) ||
	    links_own_library(st, si, p, len)) {
		st->attempts[si] = MAX_ATTEMPTS;
		return;
	}
	st->attempts[si]++;
	if (sig->file_scope) {
		st->attempts[si] = MAX_ATTEMPTS;
		match_file(st, si, p, len);
		return;
	}
	size_t ws = pos > sig->before ? pos - sig->before : 0;
	size_t we = len - pos - a->len > sig->after ? pos + a->len + sig->after : len;
	const uint8_t *w = p + ws;
	size_t wl = we - ws, rel = pos - ws;
	for (PCRE2_SIZE at = 0; at <= rel;) {
		int rc = pcre2_match(sig->pattern, w, wl, at, 0, st->md, st->mctx);
		if (rc <= 0)
			return;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
		if (ov[0] > rel)
			return;
		if (ov[1] >= rel + a->len) {
			struct hit h;
			if (accept_match(st, si, rc, w, wl, &h))
				keep_hit(st, &h);
			return;
		}
		at = ov[0] + 1;
	}
}

/* One pass over the bytes: every position whose 4 bytes pass the hash filter is compared
 * with the anchors of that key. */
static void scan(struct state *st, const uint8_t *p, size_t len)
{
	if (len < MIN_ANCHOR)
		return;
	const uint64_t *filter = st->filter;
	size_t end = len - MIN_ANCHOR + 1;
	for (size_t i = 0; i < end; i++) {
		uint32_t key;
		memcpy(&key, p + i, 4);
		uint32_t h = filter_hash(key);
		if (!((filter[h >> 6] >> (h & 63)) & 1))
			continue;
		for (size_t k = first_anchor(st, key);
		     k < st->n_anchors && st->anchors[k].key == key; k++) {
			const struct anchor *a = &st->anchors[k];
			if (a->len <= len - i && memcmp(p + i, a->lit, a->len) == 0)
				on_anchor(st, a, i, p, len);
		}
	}
}

/* In one file, a version that is a prefix of another of the same product ("OpenSSH_9.2"
 * beside "OpenSSH_9.2p1") is the shorter spelling of the same thing: drop it. */
static int shadowed(const struct state *st, const struct hit *h)
{
	size_t n = strlen(h->version);
	for (size_t i = 0; i < st->n_hits; i++) {
		const struct hit *o = &st->hits[i];
		if (o != h && strcmp(st->sigs[o->sig].product, st->sigs[h->sig].product) == 0 &&
		    strlen(o->version) > n && strncmp(o->version, h->version, n) == 0)
			return 1;
	}
	return 0;
}

/* --- components ----------------------------------------------------------------- */

static int streq0(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int set_cpe(struct it_inspect *in, struct state *st, const struct sig *s,
                   struct it_component *c, struct it_error *err)
{
	if (!s->cpe || !c->upstream)
		return 0;
	char ver[MAX_VERSION + 1], upd[MAX_VERSION + 1];
	snprintf(ver, sizeof(ver), "%s", c->upstream);
	upd[0] = '\0';
	if (s->cpe_split && pcre2_match(s->cpe_split, (PCRE2_SPTR)c->upstream, strlen(c->upstream),
	                                0, 0, st->md2, st->mctx) >= 3) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md2);
		snprintf(ver, sizeof(ver), "%.*s", (int)(ov[3] - ov[2]), c->upstream + ov[2]);
		snprintf(upd, sizeof(upd), "%.*s", (int)(ov[5] - ov[4]), c->upstream + ov[4]);
	}
	c->cpe = it_inventory_cpe(in, s->cpe, ver, upd[0] ? upd : NULL, err);
	return err->code ? -1 : 0;
}

/* Certainty, found_by and the upstream version come from the most certain signature. */
static int describe(struct it_inspect *in, struct state *st, const struct sig *s,
                    const struct hit *h, struct it_component *c, struct it_error *err)
{
	c->found_by = s->found_by;
	c->confidence = s->confidence;
	if (!(c->source = it_inspect_printf(in, err, "signature:%s", s->id)))
		return -1;
	c->upstream = NULL;
	if (h->has_version && !(c->upstream = it_inspect_strdup(in, h->upstream, err)))
		return -1;
	c->cpe = NULL;
	return set_cpe(in, st, s, c, err);
}

static const char *purl_of(struct it_inspect *in, const struct sig *s, const struct hit *h,
                           struct it_error *err)
{
	if (!s->purl)
		return NULL;
	struct it_buf b = IT_BUF_INIT;
	int rc = it_buf_puts(&b, s->purl);
	if (rc == 0 && h->has_version)
		rc = it_buf_putc(&b, '@') < 0 || it_inventory_purl_put(&b, h->version) < 0 ? -1 : 0;
	const char *out = rc < 0 ? NULL : it_inspect_strdup(in, it_buf_str(&b), err);
	if (rc < 0)
		it_error_nomem(err);
	it_buf_free(&b);
	return out;
}

static struct comp_ref *comp_for(struct it_inspect *in, struct state *st, const struct hit *h,
                                 struct it_error *err)
{
	const struct sig *s = &st->sigs[h->sig];
	const char *version = h->has_version ? h->version : NULL;
	for (size_t i = 0; i < st->n_comps; i++) {
		struct comp_ref *r = &st->comps[i];
		if (strcmp(r->c->name, s->product) != 0 || !streq0(r->c->version, version))
			continue;
		if (s->found_by < r->c->found_by ||
		    (s->found_by == r->c->found_by && s->confidence > r->c->confidence))
			if (describe(in, st, s, h, r->c, err) < 0)
				return NULL;
		return r;
	}
	if (st->n_comps == st->cap_comps) {
		size_t cap = st->cap_comps ? st->cap_comps * 2 : 16;
		struct comp_ref *v = realloc(st->comps, cap * sizeof(*v));
		if (!v) {
			it_error_nomem(err);
			return NULL;
		}
		st->comps = v;
		st->cap_comps = cap;
	}
	unsigned *n_ev = calloc(st->n_sigs, sizeof(*n_ev));
	if (!n_ev) {
		it_error_nomem(err);
		return NULL;
	}
	struct it_component *c = it_inspect_component_new(in, err);
	if (!c || !(c->name = it_inspect_strdup(in, s->product, err)) ||
	    (version && !(c->version = it_inspect_strdup(in, version, err))) ||
	    !(c->type = it_inspect_strdup(in, s->type ? s->type : "application", err)) ||
	    (s->supplier && !(c->supplier = it_inspect_strdup(in, s->supplier, err))) ||
	    describe(in, st, s, h, c, err) < 0 ||
	    (s->purl && !(c->purl = purl_of(in, s, h, err)))) {
		free(n_ev);
		return NULL;
	}
	struct comp_ref *r = &st->comps[st->n_comps++];
	r->c = c;
	r->n_ev = n_ev;
	return r;
}

/* The accepted hits of the current file become components and evidence. */
static int flush_hits(struct it_inspect *in, struct state *st, const struct it_entry *e,
                      const uint8_t *bytes, size_t len, struct it_error *err)
{
	for (size_t i = 0; i < st->n_hits; i++) {
		const struct hit *h = &st->hits[i];
		if (shadowed(st, h))
			continue;
		struct comp_ref *r = comp_for(in, st, h, err);
		if (!r)
			return -1;
		if (r->n_ev[h->sig] >= st->sigs[h->sig].max_evidence)
			continue;
		int dup = 0;
		for (size_t k = 0; k < r->c->n_evidence; k++)
			dup |= strcmp(r->c->evidence[k].chain, e->chain) == 0 &&
			       strcmp(r->c->evidence[k].path, e->path) == 0;
		if (dup)
			continue;
		/* evidence: the run, or MAX_CONTEXT bytes of it from a word before the version */
		char ex[MAX_CONTEXT + 1];
		size_t from = 0, n = strlen(h->excerpt);
		if (n > MAX_CONTEXT && h->at > 60) {
			from = h->at - 60;
			while (from < h->at && h->excerpt[from] != ' ')
				from++;
		}
		n = strlen(h->excerpt + from);
		n = n > MAX_CONTEXT ? MAX_CONTEXT : n;
		memcpy(ex, h->excerpt + from, n);
		ex[n] = '\0';
		if (it_component_add_evidence(in, r->c, e->chain, e->path, ex, bytes, len, err) < 0)
			return -1;
		r->n_ev[h->sig]++;
	}
	st->n_hits = 0;
	return 0;
}

/* --- which entries are looked at --------------------------------------------------- */

/*
 * Binaries only: payloads (kernels, boot loaders), executables, and files named like
 * shared objects, kernel modules or images. Data files (web pages, images, configs) are
 * never read by this inspector; among what is read, text (no NUL in the first 4 KiB,
 * not ELF) is skipped, so a README or script that quotes "BusyBox v1.2.3" is no component.
 */
static int worth_reading(const struct it_entry *e)
{
	if (e->type == IT_ENTRY_PAYLOAD)
		return 1;
	if (e->type != IT_ENTRY_FILE)
		return 0;
	if (e->mode & 0111)
		return 1;
	const char *base = strrchr(e->path, '/');
	base = base ? base + 1 : e->path;
	static const char *const suffixes[] = {".so", ".ko", ".bin", ".img", ".elf",
	                                       ".fw", ".a",  ".rom", ".itb", ".ubi"};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (it_has_suffix(base, suffixes[i]))
			return 1;
	return strstr(base, ".so.") || strncmp(base, "vmlinu", 6) == 0 || strstr(base, "Image") ||
	       strncmp(base, "u-boot", 6) == 0;
}

static int binary(const uint8_t *p, size_t len)
{
	if (len >= 4 && memcmp(p, "\177ELF", 4) == 0)
		return 1;
	return memchr(p, 0, len < SNIFF_BYTES ? len : SNIFF_BYTES) != NULL;
}

static int filename_sigs(struct it_inspect *in, struct state *st, const struct it_entry *e,
                         struct it_error *err)
{
	for (size_t i = 0; i < st->n_sigs; i++) {
		const struct sig *s = &st->sigs[i];
		if (!s->filename || (s->fanchor && !strstr(e->path, s->fanchor)))
			continue;
		int rc = pcre2_match(s->filename, (PCRE2_SPTR)e->path, strlen(e->path), 0, 0,
		                     st->md, st->mctx);
		struct hit h;
		if (rc > 0 &&
		    accept_match(st, i, rc, (const uint8_t *)e->path, strlen(e->path), &h))
			keep_hit(st, &h);
	}
	return st->n_hits ? flush_hits(in, st, e, NULL, 0, err) : 0;
}

static int entry(struct it_inspect *in, void *vs, const struct it_entry *e, struct it_error *err)
{
	struct state *st = vs;
	st->n_hits = 0;
	if (e->type != IT_ENTRY_SYMLINK && e->type != IT_ENTRY_HARDLINK && *e->path &&
	    filename_sigs(in, st, e, err) < 0)
		return -1;
	if (!worth_reading(e) || e->size < MIN_ANCHOR || e->size > MAX_SCAN)
		return 0;
	const uint8_t *p;
	size_t len;
	if (it_inspect_bytes(in, e, &p, &len, err) < 0)
		return err->code ? -1 : 0;
	if (!binary(p, len))
		return 0;
	memset(st->attempts, 0, st->n_sigs * sizeof(*st->attempts));
	memset(st->path_ok, 0, st->n_sigs);
	memset(st->req_ok, 0, st->n_sigs);
	st->path = e->path;
	st->needed_read = 0;
	scan(st, p, len);
	return flush_hits(in, st, e, p, len, err);
}

const struct it_inspector it_insp_signatures = {
        .name = "signatures",
        .checks = NULL,
        .create = create,
        .entry = entry,
        .finish = NULL,
        .destroy = destroy,
};

/*
 * Components from package databases: dpkg (var/lib/dpkg/status and info/<pkg>.list), opkg
 * (usr/lib/opkg/status and info/<pkg>.control/.list, OpenWrt) and apk (lib/apk/db/installed,
 * Alpine). Entries are parsed as they come and kept per database; components are made in
 * finish(), once the image's os-release (PURL namespace and distro) and every database are
 * known, so that dependencies can be resolved to installed packages.
 */
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "inspect/inspector.h"

#define CPE_MAP        "signatures/cpe-map.json"
#define MAX_DB_BYTES   ((size_t)256 << 20) /* one database file */
#define MAX_META_BYTES ((size_t)1 << 20)   /* os-release, a .list or .control file */
#define MAX_PKGS       200000u             /* packages kept from all databases */
#define MAX_FIELD      16384u              /* bytes of one (folded) field value */
#define MAX_FILES      64u                 /* candidate evidence paths kept per package */
#define EV_FILES       8u                  /* listed files given as evidence per package */
#define MAX_EXCERPT    200u

enum db_kind { DB_DPKG, DB_OPKG, DB_APK };
static const char *const kind_name[] = {"dpkg", "opkg", "apk"};
static const char *const purl_type[] = {"deb", "opkg", "apk"}; /* opkg: not (yet) registered */

/* One entry of data/signatures/cpe-map.json. */
struct map_entry {
	char *pattern;     /* package name or fnmatch() glob */
	char *cpe;         /* "vendor:product" or "o:vendor:product", or NULL */
	char *type;        /* CycloneDX type, or NULL for the name heuristic */
	pcre2_code *split; /* upstream -> (version, update) for the CPE, or NULL */
};

struct pkg {
	const char *name, *version, *arch, *maintainer, *srcname;
	const char *depends;  /* dpkg/opkg: "a (>= 1), b | c"; apk: "a>=1 so:libc.so" */
	const char *provides; /* same syntax */
	const char *files;    /* candidate evidence paths, '\n'-separated, or NULL */
	size_t db;
	struct it_component *comp;
};

struct db {
	enum db_kind kind;
	const char *chain, *path, *root; /* root: what precedes the db's standard path */
	size_t first, n;                 /* its packages in state.pkgs */
};

/* What the image says it is (os-release and friends), per file system root. */
struct osinfo {
	const char *chain, *root, *id, *version;
	int rank; /* os-release 3, lsb/openwrt_release 2, debian_version/alpine-release 1 */
};

/* A dpkg/opkg info/<pkg>.list (file evidence) or opkg info/<pkg>.control file. */
struct infofile {
	const char *chain, *root, *dir, *pkg, *text;
	int control;
};

struct state {
	struct map_entry *map;
	size_t n_map;
	pcre2_match_data *md;
	struct pkg *pkgs;
	size_t n_pkgs, cap_pkgs;
	struct db *dbs;
	size_t n_dbs;
	struct osinfo *os;
	size_t n_os;
	struct infofile *info;
	size_t n_info;
	uint64_t *seen; /* hashes of (chain, path) of every regular file, open addressing */
	size_t n_seen, cap_seen;
};

struct slice {
	const char *p;
	size_t n;
};

/* --- the CPE map ---------------------------------------------------------- */

static int map_load(struct it_inspect *in, struct state *st, struct it_error *err)
{
	json_t *root;
	if (it_data_load_json(it_inspect_opts(in)->data, CPE_MAP, &root, err) < 0)
		return -1;
	json_t *pk = json_object_get(root, "packages");
	int rc = 0;
	if (!json_is_object(pk))
		rc = it_error_set(err, IT_ERR_INPUT, CPE_MAP, IT_NO_OFFSET,
		                  "expected an object with a \"packages\" object");
	st->map = calloc(json_object_size(pk) + 1, sizeof(*st->map));
	if (rc == 0 && !st->map)
		rc = it_error_nomem(err);
	const char *key;
	json_t *v;
	json_object_foreach(pk, key, v)
	{
		if (rc < 0)
			break;
		const char *cpe = json_string_value(json_object_get(v, "cpe"));
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *split = json_string_value(json_object_get(v, "cpe_split"));
		struct map_entry *m = &st->map[st->n_map++];
		if (!json_is_object(v) || (!cpe && !type)) {
			rc = it_error_set(err, IT_ERR_INPUT, CPE_MAP, IT_NO_OFFSET,
			                  "packages.%s: expected an object with \"cpe\" and/or "
			                  "\"type\"",
			                  key);
			break;
		}
		if (!(m->pattern = strdup(key)) || (cpe && !(m->cpe = strdup(cpe))) ||
		    (type && !(m->type = strdup(type)))) {
			rc = it_error_nomem(err);
			break;
		}
		if (split) {
			int ec;
			PCRE2_SIZE off;
			m->split = pcre2_compile((PCRE2_SPTR)split, PCRE2_ZERO_TERMINATED, 0, &ec,
			                         &off, NULL);
			if (!m->split)
				rc = it_error_set(err, IT_ERR_INPUT, CPE_MAP, IT_NO_OFFSET,
				                  "packages.%s.cpe_split: not a valid regular "
				                  "expression (offset %zu)",
				                  key, (size_t)off);
		}
	}
	json_decref(root);
	return rc;
}

static const struct map_entry *map_find(const struct state *st, const char *name)
{
	if (!name || !*name)
		return NULL;
	for (size_t i = 0; i < st->n_map; i++)
		if (strcmp(st->map[i].pattern, name) == 0)
			return &st->map[i];
	for (size_t i = 0; i < st->n_map; i++)
		if (strpbrk(st->map[i].pattern, "*?[") && fnmatch(st->map[i].pattern, name, 0) == 0)
			return &st->map[i];
	return NULL;
}

/* --- life cycle ------------------------------------------------------------ */

static void destroy(void *vs)
{
	struct state *st = vs;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_map; i++) {
		free(st->map[i].pattern);
		free(st->map[i].cpe);
		free(st->map[i].type);
		pcre2_code_free(st->map[i].split);
	}
	free(st->map);
	pcre2_match_data_free(st->md);
	free(st->pkgs);
	free(st->dbs);
	free(st->os);
	free(st->info);
	free(st->seen);
	free(st);
}

static int create(struct it_inspect *in, void **out, struct it_error *err)
{
	struct state *st = calloc(1, sizeof(*st));
	if (!st)
		return it_error_nomem(err);
	if (map_load(in, st, err) < 0 || !(st->md = pcre2_match_data_create(4, NULL))) {
		if (!err->code)
			it_error_nomem(err);
		destroy(st);
		return -1;
	}
	*out = st;
	return 0;
}

/* --- small text helpers ------------------------------------------------------ */

static struct slice trim(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	struct slice s = {p, n};
	return s;
}

static int slice_is(struct slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

/* The next line of [*p, end): its slice without '\n'; advances *p. */
static struct slice next_line(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	struct slice s = {*p, (size_t)((nl ? nl : end) - *p)};
	*p = nl ? nl + 1 : end;
	if (s.n && s.p[s.n - 1] == '\r')
		s.n--;
	return s;
}

static const char *dup_slice(struct it_inspect *in, struct slice s, struct it_error *err)
{
	return it_inspect_strndup(in, s.p, s.n, err);
}

/* FNV-1a of chain, a separator and path; never 0 (the empty slot). */
static uint64_t path_hash(const char *chain, const char *path)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *c = chain; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	h = (h ^ 0xffu) * 1099511628211ull;
	for (const char *c = path; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	return h ? h : 1;
}

static int seen_add(struct state *st, uint64_t h)
{
	if (st->n_seen * 2 >= st->cap_seen) {
		size_t cap = st->cap_seen ? st->cap_seen * 2 : 4096;
		uint64_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return -1;
		for (size_t i = 0; i < st->cap_seen; i++)
			for (size_t j = st->seen[i] % cap; st->seen[i]; j = (j + 1) % cap)
				if (!t[j]) {
					t[j] = st->seen[i];
					break;
				}
		free(st->seen);
		st->seen = t;
		st->cap_seen = cap;
	}
	for (size_t j = h % st->cap_seen;; j = (j + 1) % st->cap_seen) {
		if (st->seen[j] == h)
			return 0;
		if (!st->seen[j]) {
			st->seen[j] = h;
			st->n_seen++;
			return 0;
		}
	}
}

static int seen_has(const struct state *st, uint64_t h)
{
	for (size_t j = st->cap_seen ? h % st->cap_seen : 0; st->cap_seen;
	     j = (j + 1) % st->cap_seen) {
		if (st->seen[j] == h)
			return 1;
		if (!st->seen[j])
			return 0;
	}
	return 0;
}

/* --- dpkg and opkg control stanzas ------------------------------------------ */

struct stanza {
	struct slice name, version, status, arch, maint, source, srcname;
	struct it_buf depends, provides;
	int in_fold; /* the last field was Depends/Pre-Depends/Provides (continued lines) */
	struct it_buf *fold;
};

static void stanza_reset(struct stanza *s)
{
	struct it_buf d = s->depends, p = s->provides;
	it_buf_truncate(&d, 0);
	it_buf_truncate(&p, 0);
	memset(s, 0, sizeof(*s));
	s->depends = d;
	s->provides = p;
}

static int fold_put(struct it_buf *b, struct slice v)
{
	if (!v.n || b->len + v.n + 2 > MAX_FIELD)
		return 0;
	if (b->len && it_buf_puts(b, ", ") < 0)
		return -1;
	return it_buf_append(b, v.p, v.n);
}

/* One "Key: value" or continuation line into s. */
static int stanza_line(struct stanza *s, struct slice line)
{
	if (line.p[0] == ' ' || line.p[0] == '\t') {
		if (!s->fold)
			return 0;
		struct slice v = trim(line.p, line.n);
		if (!v.n || s->fold->len + v.n + 2 > MAX_FIELD)
			return 0;
		return it_buf_putc(s->fold, ' ') < 0 ? -1 : it_buf_append(s->fold, v.p, v.n);
	}
	s->fold = NULL;
	const char *colon = memchr(line.p, ':', line.n);
	if (!colon)
		return 0;
	struct slice k = trim(line.p, (size_t)(colon - line.p));
	struct slice v = trim(colon + 1, line.n - (size_t)(colon + 1 - line.p));
	if (slice_is(k, "Package"))
		s->name = v;
	else if (slice_is(k, "Version"))
		s->version = v;
	else if (slice_is(k, "Status"))
		s->status = v;
	else if (slice_is(k, "Architecture"))
		s->arch = v;
	else if (slice_is(k, "Maintainer"))
		s->maint = v;
	else if (slice_is(k, "Source"))
		s->source = v;
	else if (slice_is(k, "SourceName"))
		s->srcname = v;
	else if (slice_is(k, "Depends") || slice_is(k, "Pre-Depends"))
		s->fold = &s->depends;
	else if (slice_is(k, "Provides"))
		s->fold = &s->provides;
	return s->fold ? fold_put(s->fold, v) : 0;
}

/*
 * Installed means the package's files are on disk: the state (third word of Status) is
 * installed, unpacked (the final state of debian-installer's udpkg), half-configured or
 * triggers-*. not-installed, config-files and half-installed are left out.
 */
static int is_installed(struct slice status)
{
	if (!status.n)
		return 0; /* no Status field */
	const char *p = status.p, *end = status.p + status.n;
	for (int word = 0; word < 2; word++) {
		while (p < end && *p != ' ')
			p++;
		while (p < end && *p == ' ')
			p++;
	}
	struct slice w = trim(p, (size_t)(end - p));
	return slice_is(w, "installed") || slice_is(w, "unpacked") ||
	       slice_is(w, "half-configured") || slice_is(w, "triggers-awaited") ||
	       slice_is(w, "triggers-pending");
}

/* "busybox (1:1.35.0-4)" -> "busybox" */
static struct slice source_name(struct slice src)
{
	size_t n = 0;
	while (n < src.n && src.p[n] != ' ' && src.p[n] != '(')
		n++;
	struct slice s = {src.p, n};
	return s;
}

static struct pkg *pkg_new(struct state *st, struct it_error *err)
{
	if (st->n_pkgs >= MAX_PKGS)
		return NULL;
	if (it_array_grow(&st->pkgs, &st->cap_pkgs, st->n_pkgs, sizeof(*st->pkgs)) < 0) {
		it_error_nomem(err);
		return NULL;
	}
	struct pkg *p = &st->pkgs[st->n_pkgs];
	memset(p, 0, sizeof(*p));
	p->db = st->n_dbs - 1;
	return p;
}

static int stanza_end(struct it_inspect *in, struct state *st, struct stanza *s, int need_status,
                      struct it_error *err)
{
	if (!s->name.n || !s->version.n || (need_status && !is_installed(s->status))) {
		stanza_reset(s);
		return 0;
	}
	struct pkg *p = pkg_new(st, err);
	if (!p) {
		stanza_reset(s);
		return err->code ? -1 : 0;
	}
	struct slice src = s->srcname.n ? s->srcname : source_name(s->source);
	if (!(p->name = dup_slice(in, s->name, err)) ||
	    !(p->version = dup_slice(in, s->version, err)) ||
	    (s->arch.n && !(p->arch = dup_slice(in, s->arch, err))) ||
	    (s->maint.n && !(p->maintainer = dup_slice(in, s->maint, err))) ||
	    (src.n && !(p->srcname = dup_slice(in, src, err))) ||
	    (s->depends.len &&
	     !(p->depends = it_inspect_strdup(in, it_buf_str(&s->depends), err))) ||
	    (s->provides.len &&
	     !(p->provides = it_inspect_strdup(in, it_buf_str(&s->provides), err))))
		return -1;
	st->n_pkgs++;
	stanza_reset(s);
	return 0;
}

static int parse_control(struct it_inspect *in, struct state *st, const uint8_t *data, size_t len,
                         int need_status, struct it_error *err)
{
	struct stanza s = {0};
	const char *p = (const char *)data, *end = p + len;
	int rc = 0;
	while (rc == 0 && p < end) {
		struct slice line = next_line(&p, end);
		if (trim(line.p, line.n).n == 0)
			rc = stanza_end(in, st, &s, need_status, err);
		else
			rc = stanza_line(&s, line);
	}
	if (rc == 0)
		rc = stanza_end(in, st, &s, need_status, err);
	it_buf_free(&s.depends);
	it_buf_free(&s.provides);
	return rc;
}

/* --- apk's installed database ------------------------------------------------- */

struct apkpkg {
	struct slice name, version, arch, maint, origin;
	struct it_buf depends, provides, files;
	struct slice folder;
	size_t n_files;
};

static int apk_end(struct it_inspect *in, struct state *st, struct apkpkg *a, struct it_error *err)
{
	int rc = 0;
	if (a->name.n && a->version.n) {
		struct pkg *p = pkg_new(st, err);
		if (!p)
			rc = err->code ? -1 : 0;
		else if (!(p->name = dup_slice(in, a->name, err)) ||
		         !(p->version = dup_slice(in, a->version, err)) ||
		         (a->arch.n && !(p->arch = dup_slice(in, a->arch, err))) ||
		         (a->maint.n && !(p->maintainer = dup_slice(in, a->maint, err))) ||
		         (a->origin.n && !(p->srcname = dup_slice(in, a->origin, err))) ||
		         (a->depends.len &&
		          !(p->depends = it_inspect_strdup(in, it_buf_str(&a->depends), err))) ||
		         (a->provides.len &&
		          !(p->provides = it_inspect_strdup(in, it_buf_str(&a->provides), err))) ||
		         (a->files.len &&
		          !(p->files = it_inspect_strdup(in, it_buf_str(&a->files), err))))
			rc = -1;
		else
			st->n_pkgs++;
	}
	struct it_buf d = a->depends, pr = a->provides, f = a->files;
	it_buf_truncate(&d, 0);
	it_buf_truncate(&pr, 0);
	it_buf_truncate(&f, 0);
	memset(a, 0, sizeof(*a));
	a->depends = d;
	a->provides = pr;
	a->files = f;
	return rc;
}

static int apk_file(struct apkpkg *a, struct slice file)
{
	if (a->n_files >= MAX_FILES || !file.n ||
	    (a->folder.n >= 10 && strncmp(a->folder.p, "usr/share/", 10) == 0))
		return 0;
	if (a->files.len + a->folder.n + file.n + 2 > MAX_FIELD)
		return 0;
	a->n_files++;
	if ((a->files.len && it_buf_putc(&a->files, '\n') < 0) ||
	    (a->folder.n && (it_buf_append(&a->files, a->folder.p, a->folder.n) < 0 ||
	                     it_buf_putc(&a->files, '/') < 0)))
		return -1;
	return it_buf_append(&a->files, file.p, file.n);
}

static int parse_apk(struct it_inspect *in, struct state *st, const uint8_t *data, size_t len,
                     struct it_error *err)
{
	struct apkpkg a = {0};
	const char *p = (const char *)data, *end = p + len;
	int rc = 0;
	while (rc == 0 && p < end) {
		struct slice line = next_line(&p, end);
		if (line.n == 0) {
			rc = apk_end(in, st, &a, err);
			continue;
		}
		if (line.n < 2 || line.p[1] != ':')
			continue;
		struct slice v = trim(line.p + 2, line.n - 2);
		switch (line.p[0]) {
		case 'P':
			a.name = v;
			break;
		case 'V':
			a.version = v;
			break;
		case 'A':
			a.arch = v;
			break;
		case 'm':
			a.maint = v;
			break;
		case 'o':
			a.origin = v;
			break;
		case 'D':
			rc = fold_put(&a.depends, v);
			break;
		case 'p':
			rc = fold_put(&a.provides, v);
			break;
		case 'F':
			a.folder = v;
			break;
		case 'R':
			rc = apk_file(&a, v);
			break;
		default:
			break;
		}
	}
	if (rc == 0)
		rc = apk_end(in, st, &a, err);
	it_buf_free(&a.depends);
	it_buf_free(&a.provides);
	it_buf_free(&a.files);
	return rc;
}

/* --- which file is what ---------------------------------------------------------- */

/* If path is <root><suffix>, the root (a context string) in *root. */
static int path_is(struct it_inspect *in, const char *path, const char *suffix, const char **root,
                   struct it_error *err)
{
	size_t n = strlen(path), m = strlen(suffix);
	if (n < m || strcmp(path + n - m, suffix) != 0 || (n > m && path[n - m - 1] != '/'))
		return 0;
	*root = it_inspect_strndup(in, path, n - m, err);
	return *root ? 1 : -1;
}

static const char *const db_paths[] = {"var/lib/dpkg/status", "usr/lib/opkg/status",
                                       "var/lib/opkg/status", "lib/apk/db/installed"};
static const enum db_kind db_kinds[] = {DB_DPKG, DB_OPKG, DB_OPKG, DB_APK};

static int add_db(struct it_inspect *in, struct state *st, const struct it_entry *e,
                  enum db_kind kind, const char *root, struct it_error *err)
{
	struct db *v = realloc(st->dbs, (st->n_dbs + 1) * sizeof(*v));
	if (!v)
		return it_error_nomem(err);
	st->dbs = v;
	struct db *d = &v[st->n_dbs++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->root = root;
	d->first = st->n_pkgs;
	if (!(d->chain = it_inspect_strdup(in, e->chain, err)) ||
	    !(d->path = it_inspect_strdup(in, e->path, err)))
		return -1;
	return 0;
}

static int read_db(struct it_inspect *in, struct state *st, const struct it_entry *e,
                   enum db_kind kind, const char *root, struct it_error *err)
{
	const uint8_t *data;
	size_t len;
	if (e->size > MAX_DB_BYTES || it_inspect_bytes(in, e, &data, &len, err) < 0)
		return err->code ? -1 : 0;
	if (add_db(in, st, e, kind, root, err) < 0)
		return -1;
	int rc = kind == DB_APK ? parse_apk(in, st, data, len, err)
	                        : parse_control(in, st, data, len, 1, err);
	st->dbs[st->n_dbs - 1].n = st->n_pkgs - st->dbs[st->n_dbs - 1].first;
	return rc;
}

/* KEY=value lines (os-release, lsb-release, openwrt_release): value of key, unquoted. */
static struct slice shell_var(const uint8_t *data, size_t len, const char *key)
{
	const char *p = (const char *)data, *end = p + len;
	size_t k = strlen(key);
	struct slice none = {NULL, 0};
	while (p < end) {
		struct slice l = next_line(&p, end);
		l = trim(l.p, l.n);
		if (l.n <= k || strncmp(l.p, key, k) != 0 || l.p[k] != '=')
			continue;
		struct slice v = {l.p + k + 1, l.n - k - 1};
		if (v.n >= 2 && (v.p[0] == '"' || v.p[0] == '\'') && v.p[v.n - 1] == v.p[0]) {
			v.p++;
			v.n -= 2;
		}
		return v;
	}
	return none;
}

static int add_os(struct it_inspect *in, struct state *st, const struct it_entry *e,
                  const char *root, struct slice id, struct slice ver, int rank,
                  struct it_error *err)
{
	if (!id.n || id.n > 64 || ver.n > 64)
		return 0;
	for (size_t i = 0; i < st->n_os; i++)
		if (strcmp(st->os[i].chain, e->chain) == 0 && strcmp(st->os[i].root, root) == 0 &&
		    st->os[i].rank >= rank)
			return 0;
	struct osinfo *v = realloc(st->os, (st->n_os + 1) * sizeof(*v));
	if (!v)
		return it_error_nomem(err);
	st->os = v;
	struct osinfo *o = &v[st->n_os];
	char idl[65];
	for (size_t i = 0; i < id.n; i++)
		idl[i] = (char)(id.p[i] >= 'A' && id.p[i] <= 'Z' ? id.p[i] + 32 : id.p[i]);
	idl[id.n] = '\0';
	/* "12 (bookworm) - installer build" -> "12"; "12.5" stays */
	size_t vn = 0;
	while (vn < ver.n && ver.p[vn] != ' ')
		vn++;
	ver.n = vn;
	o->rank = rank;
	o->root = root;
	o->version = NULL;
	if (!(o->chain = it_inspect_strdup(in, e->chain, err)) ||
	    !(o->id = it_inspect_strdup(in, idl, err)) ||
	    (ver.n && !(o->version = dup_slice(in, ver, err))))
		return -1;
	st->n_os++;
	return 0;
}

static int read_os(struct it_inspect *in, struct state *st, const struct it_entry *e,
                   const char *root, int which, struct it_error *err)
{
	const uint8_t *data;
	size_t len;
	if (e->size > MAX_META_BYTES || it_inspect_bytes(in, e, &data, &len, err) < 0)
		return err->code ? -1 : 0;
	const char *nl = memchr(data, '\n', len);
	struct slice none = {NULL, 0};
	struct slice file = trim((const char *)data, nl ? (size_t)(nl - (const char *)data) : len);
	switch (which) {
	case 0: /* os-release */
		return add_os(in, st, e, root, shell_var(data, len, "ID"),
		              shell_var(data, len, "VERSION_ID"), 3, err);
	case 1: /* lsb-release, openwrt_release */
		return add_os(in, st, e, root, shell_var(data, len, "DISTRIB_ID"),
		              shell_var(data, len, "DISTRIB_RELEASE"), 2, err);
	case 2: /* debian_version: "12.5" or "bookworm/sid" */
	{
		struct slice id = {"debian", 6};
		return add_os(in, st, e, root, id,
		              file.n && file.p[0] >= '0' && file.p[0] <= '9' ? file : none, 1, err);
	}
	default: /* alpine-release */
	{
		struct slice id = {"alpine", 6};
		return add_os(in, st, e, root, id, file, 1, err);
	}
	}
}

static int add_info(struct it_inspect *in, struct state *st, const struct it_entry *e,
                    const char *root, const char *dir, const char *base, size_t baselen,
                    int control, struct it_error *err)
{
	const uint8_t *data;
	size_t len;
	if (e->size > MAX_META_BYTES || it_inspect_bytes(in, e, &data, &len, err) < 0)
		return err->code ? -1 : 0;
	struct infofile *v = realloc(st->info, (st->n_info + 1) * sizeof(*v));
	if (!v)
		return it_error_nomem(err);
	st->info = v;
	struct infofile *f = &v[st->n_info];
	f->control = control;
	f->root = root;
	f->dir = dir;
	if (!(f->chain = it_inspect_strdup(in, e->chain, err)) ||
	    !(f->pkg = it_inspect_strndup(in, base, baselen, err)) ||
	    !(f->text = it_inspect_strndup(in, (const char *)data, len, err)))
		return -1;
	st->n_info++;
	return 0;
}

/* var/lib/dpkg/info/<pkg>.list, usr/lib/opkg/info/<pkg>.list or .control */
static int info_file(struct it_inspect *in, struct state *st, const struct it_entry *e,
                     struct it_error *err)
{
	static const char *const dirs[] = {"var/lib/dpkg/info/", "usr/lib/opkg/info/",
	                                   "var/lib/opkg/info/"};
	for (size_t i = 0; i < 3; i++) {
		const char *at = strstr(e->path, dirs[i]);
		if (!at || (at != e->path && at[-1] != '/'))
			continue;
		const char *base = at + strlen(dirs[i]);
		size_t n = strlen(base);
		int control = i > 0 && n > 8 && strcmp(base + n - 8, ".control") == 0;
		if (strchr(base, '/') ||
		    (!control && (n <= 5 || strcmp(base + n - 5, ".list") != 0)))
			return 0;
		const char *root = it_inspect_strndup(in, e->path, (size_t)(at - e->path), err);
		return root ? add_info(in, st, e, root, dirs[i], base, n - (control ? 8 : 5),
		                       control, err)
		            : -1;
	}
	return 0;
}

static int entry(struct it_inspect *in, void *vs, const struct it_entry *e, struct it_error *err)
{
	struct state *st = vs;
	if (e->type == IT_ENTRY_FILE || e->type == IT_ENTRY_SYMLINK)
		if (seen_add(st, path_hash(e->chain, e->path)) < 0)
			return it_error_nomem(err);
	if (e->type != IT_ENTRY_FILE)
		return 0;
	const char *root;
	int r;
	for (size_t i = 0; i < sizeof(db_paths) / sizeof(db_paths[0]); i++)
		if ((r = path_is(in, e->path, db_paths[i], &root, err)) != 0)
			return r < 0 ? -1 : read_db(in, st, e, db_kinds[i], root, err);
	static const char *const os_files[] = {"etc/os-release",     "usr/lib/os-release",
	                                       "etc/lsb-release",    "etc/openwrt_release",
	                                       "etc/debian_version", "etc/alpine-release"};
	static const int os_kind[] = {0, 0, 1, 1, 2, 3};
	for (size_t i = 0; i < sizeof(os_files) / sizeof(os_files[0]); i++)
		if ((r = path_is(in, e->path, os_files[i], &root, err)) != 0)
			return r < 0 ? -1 : read_os(in, st, e, root, os_kind[i], err);
	return strstr(e->path, "/info/") ? info_file(in, st, e, err) : 0;
}

/* --- versions, names, suppliers ------------------------------------------------- */

static const char *strip_epoch(const char *v)
{
	const char *p = v;
	while (*p >= '0' && *p <= '9')
		p++;
	return p > v && *p == ':' ? p + 1 : v;
}

/* Debian repack and stable-update markers that end the upstream part of a version. */
static int repack_marker(const char *s)
{
	static const char *const words[] = {"dfsg", "ds",  "repack", "git", "svn", "hg",
	                                    "bzr",  "cvs", "nmu",    "bpo", "deb"};
	if (*s != '+' && *s != '~' && *s != '.')
		return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);
		if (strncmp(s + 1, words[i], n) != 0)
			continue;
		char c = s[1 + n];
		if (strcmp(words[i], "deb") == 0 || strcmp(words[i], "ds") == 0)
			return (c >= '0' && c <= '9') || c == '\0' || c == '+' || c == '~' ||
			       c == '.';
		return 1;
	}
	return 0;
}

/*
 * dpkg: "1:1.35.0-4+deb12u1+b1" -> "1.35.0". Drop the epoch, the Debian revision (from the
 * last '-'), then everything from a repack marker (+dfsg, .dfsg, +ds, +repack, +git...,
 * +debNuM, ~bpo); "X+reallyY" is Y; a remaining '~' (pre-release) becomes '-' so that
 * "1.0~rc1" stays a pre-release of 1.0 ("1.0-rc1") rather than 1.0 itself.
 */
static char *dpkg_upstream(const char *version)
{
	char *u = strdup(strip_epoch(version));
	if (!u)
		return NULL;
	char *dash = strrchr(u, '-');
	if (dash && dash != u)
		*dash = '\0';
	char *really = strstr(u, "+really");
	if (really && really[7])
		memmove(u, really + 7, strlen(really + 7) + 1);
	for (char *p = u; *p; p++)
		if (p != u && repack_marker(p)) {
			*p = '\0';
			break;
		}
	for (char *p = u; *p; p++)
		if (*p == '~')
			*p = '-';
	size_t n = strlen(u);
	while (n > 1 && strchr(".+-", u[n - 1]))
		u[--n] = '\0';
	return u;
}

static int all_of(const char *s, size_t n, const char *set)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr(set, s[i]))
			return 0;
	return 1;
}

/* opkg (OpenWrt): "1.36.1-1" -> "1.36.1"; kernel "5.15.137-1-<hash>" -> "5.15.137". */
static char *opkg_upstream(const char *version)
{
	char *u = strdup(strip_epoch(version));
	if (!u)
		return NULL;
	char *d1 = strrchr(u, '-');
	if (!d1 || d1 == u)
		return u;
	if (all_of(d1 + 1, strlen(d1 + 1), "0123456789")) {
		*d1 = '\0';
		return u;
	}
	*d1 = '\0';
	char *d2 = strrchr(u, '-');
	if (strlen(d1 + 1) >= 6 && all_of(d1 + 1, strlen(d1 + 1), "0123456789abcdef") && d2 &&
	    d2 != u && all_of(d2 + 1, strlen(d2 + 1), "0123456789"))
		*d2 = '\0';
	else
		*d1 = '-';
	return u;
}

/* apk (Alpine): "1.36.1-r5" -> "1.36.1". */
static char *apk_upstream(const char *version)
{
	char *u = strdup(strip_epoch(version));
	char *r = u ? strrchr(u, '-') : NULL;
	if (r && r != u && r[1] == 'r' && all_of(r + 2, strlen(r + 2), "0123456789"))
		*r = '\0';
	return u;
}

/* The package name for look-ups: without ":arch" and without Debian's "-udeb". */
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

/*
 * CycloneDX type: the CPE map's "type" when it names one; otherwise "library" for a name
 * starting with "lib" (libc6, libssl3, libcurl4 ...: Debian, OpenWrt and Alpine name
 * libraries so) unless a known application family, and "application" for the rest.
 */
static const char *type_of(const char *base, const struct map_entry *m)
{
	static const char *const apps[] = {"libreoffice*",   "libvirt-daemon*", "libvirt-clients",
	                                   "libinput-tools", "libcap2-bin",     "libc-bin"};
	if (m && m->type)
		return m->type;
	if (strncmp(base, "lib", 3) != 0)
		return "application";
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
		if (fnmatch(apps[i], base, 0) == 0)
			return "application";
	return "library";
}

/* "Name <mail>" -> "Name" (a context string), or NULL. */
static const char *maintainer_name(struct it_inspect *in, const char *m, struct it_error *err)
{
	if (!m)
		return NULL;
	struct slice s = trim(m, strcspn(m, "<"));
	return s.n ? dup_slice(in, s, err) : NULL;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

/* Built by Debian: the maintainer is at debian.org, or the version carries a Debian
 * stable-update marker (+deb12u1, ~deb12u2). */
static int debian_built(const struct pkg *p)
{
	if (p->maintainer) {
		const char *at = strrchr(p->maintainer, '@');
		if (at) {
			size_t n = strcspn(at + 1, ">");
			if (ends_with(at + 1, n, "debian.org") ||
			    ends_with(at + 1, n, "debian.net"))
				return 1;
		}
	}
	for (const char *v = strstr(p->version, "deb"); v; v = strstr(v + 1, "deb"))
		if (v > p->version && (v[-1] == '+' || v[-1] == '~') && v[3] >= '0' && v[3] <= '9')
			return 1;
	return 0;
}

static const struct osinfo *os_of(const struct state *st, const struct db *d)
{
	const struct osinfo *best = NULL;
	for (size_t i = 0; i < st->n_os; i++)
		if (strcmp(st->os[i].chain, d->chain) == 0 &&
		    strcmp(st->os[i].root, d->root) == 0 && (!best || st->os[i].rank > best->rank))
			best = &st->os[i];
	return best;
}

static int dpkg_distro(const char *id)
{
	static const char *const ids[] = {"debian", "ubuntu", "raspbian",  "devuan",
	                                  "kali",   "pureos", "linuxmint", "pop"};
	for (size_t i = 0; id && i < sizeof(ids) / sizeof(ids[0]); i++)
		if (strcmp(id, ids[i]) == 0)
			return 1;
	return 0;
}

/* PURL namespace, distro qualifier and supplier of one database's packages. */
struct origin {
	const char *ns;     /* namespace, or NULL */
	const char *distro; /* "debian-12", or NULL */
	const char *supplier;
};

static struct origin db_origin(struct it_inspect *in, const struct state *st, const struct db *d,
                               struct it_error *err)
{
	const struct osinfo *os = os_of(st, d);
	const char *id = os ? os->id : NULL;
	struct origin o = {NULL, NULL, NULL};
	int id_fits = 0;
	if (d->kind == DB_DPKG) {
		id_fits = dpkg_distro(id);
		o.ns = id_fits ? id : "debian";
	} else if (d->kind == DB_OPKG) {
		id_fits = id != NULL;
		o.ns = id                                                   ? id
		       : strncmp(d->path + strlen(d->root), "usr/", 4) == 0 ? "openwrt"
		                                                            : NULL;
	} else {
		id_fits = id != NULL;
		o.ns = id ? id : "alpine";
	}
	if (id_fits && os->version)
		o.distro = it_inspect_printf(in, err, "%s-%s", id, os->version);
	if (id_fits && strcmp(id, "debian") == 0)
		o.supplier = "Debian";
	else if (o.ns && strcmp(o.ns, "openwrt") == 0)
		o.supplier = "OpenWrt";
	else if (o.ns && strcmp(o.ns, "alpine") == 0)
		o.supplier = "Alpine Linux";
	else if (o.ns && strcmp(o.ns, "ubuntu") == 0)
		o.supplier = "Ubuntu";
	return o;
}

/* --- making the components ---------------------------------------------------- */

static int cmp_pkg_name(const void *a, const void *b, void *ctx)
{
	const struct pkg *pk = ctx;
	return strcmp(pk[*(const size_t *)a].name, pk[*(const size_t *)b].name);
}

/* Indices of a database's packages sorted by name (qsort_r over the index array). */
static size_t *name_index(const struct state *st, const struct db *d)
{
	size_t *idx = malloc((d->n ? d->n : 1) * sizeof(*idx));
	if (!idx)
		return NULL;
	for (size_t i = 0; i < d->n; i++)
		idx[i] = d->first + i;
	qsort_r(idx, d->n, sizeof(*idx), cmp_pkg_name, st->pkgs);
	return idx;
}

static const struct pkg *find_pkg(const struct state *st, const struct db *d, const size_t *idx,
                                  const char *name)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(st->pkgs[idx[mid]].name, name);
		if (c == 0)
			return &st->pkgs[idx[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A name some installed package provides (dpkg/opkg Provides, apk p:). */
struct provided {
	const char *name;
	size_t len;
	const struct pkg *by;
};

struct index {
	size_t *byname; /* package indices sorted by name */
	struct provided *prov;
	size_t n_prov, cap_prov;
};

/* The item separators and the end of the name in one item. */
#define ITEM_SEP(apk) ((apk) ? " ," : ",")
#define NAME_END(apk) ((apk) ? " ,=<>~" : " ,(|:")

static int cmp_provided(const void *a, const void *b)
{
	const struct provided *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int index_provides(struct index *ix, const struct state *st, const struct db *d)
{
	int apk = d->kind == DB_APK;
	for (size_t i = 0; i < d->n; i++) {
		const struct pkg *p = &st->pkgs[d->first + i];
		for (const char *s = p->provides; s && *s;) {
			s += strspn(s, " ,");
			size_t item = strcspn(s, ITEM_SEP(apk)), w = strcspn(s, NAME_END(apk));
			if (w > item)
				w = item;
			if (w) {
				if (it_array_grow(&ix->prov, &ix->cap_prov, ix->n_prov,
				                  sizeof(*ix->prov)) < 0)
					return -1;
				struct provided pv = {s, w, p};
				ix->prov[ix->n_prov++] = pv;
			}
			s += item;
		}
	}
	if (ix->n_prov)
		qsort(ix->prov, ix->n_prov, sizeof(*ix->prov), cmp_provided);
	return 0;
}

/* The installed package (of database d) that satisfies dependency name, or NULL. */
static const struct pkg *resolve(const struct state *st, const struct db *d, const struct index *ix,
                                 const char *name)
{
	const struct pkg *p = find_pkg(st, d, ix->byname, name);
	if (p)
		return p;
	struct provided key = {name, strlen(name), NULL};
	const struct provided *pv =
	        ix->n_prov ? bsearch(&key, ix->prov, ix->n_prov, sizeof(*ix->prov), cmp_provided)
	                   : NULL;
	return pv ? pv->by : NULL;
}

/*
 * dpkg/opkg "a (>= 1) | b, c:any" -> for each group the first alternative that is
 * installed (itself or through Provides), version constraints and ":arch" dropped.
 * apk "a>=1 so:libc.musl.so.1 !conflict" -> the same, entries separated by spaces.
 */
static int add_depends(struct it_inspect *in, const struct state *st, const struct db *d,
                       const struct index *ix, const struct pkg *p, struct it_error *err)
{
	const char *s = p->depends;
	int apk = d->kind == DB_APK;
	while (s && *s) {
		size_t glen = strcspn(s, ITEM_SEP(apk));
		const char *g = s, *gend = s + glen;
		s = *gend ? gend + 1 : gend;
		const struct pkg *dep = NULL;
		while (g < gend && !dep) {
			g += strspn(g, " \t|");
			size_t alen = 0;
			while (g + alen < gend && g[alen] != '|')
				alen++;
			char name[256];
			size_t n = strcspn(g, NAME_END(apk));
			if (n > alen)
				n = alen;
			if (n && n < sizeof(name) && g[0] != '!') {
				memcpy(name, g, n);
				name[n] = '\0';
				dep = resolve(st, d, ix, name);
			}
			g += alen;
		}
		if (dep && dep != p && dep->comp &&
		    it_component_add_depend(in, p->comp, dep->comp->name, err) < 0)
			return -1;
	}
	return 0;
}

/* The info/<pkg>.list or .control text of a package, or NULL. */
static const struct infofile *info_of(const struct state *st, const struct db *d,
                                      const struct pkg *p, int control)
{
	size_t n = strlen(p->name);
	for (size_t i = 0; i < st->n_info; i++) {
		const struct infofile *f = &st->info[i];
		if (f->control != control || strcmp(f->chain, d->chain) != 0 ||
		    strcmp(f->root, d->root) != 0 || strncmp(f->pkg, p->name, n) != 0)
			continue;
		/* "<pkg>" or "<pkg>:<arch>" (dpkg's name for Multi-Arch: same packages) */
		if (f->pkg[n] == '\0' ||
		    (f->pkg[n] == ':' && p->arch && !strcmp(f->pkg + n + 1, p->arch)))
			return f;
	}
	return NULL;
}

/* Up to EV_FILES files of the package that are regular files or symlinks in the image:
 * from apk's R: lines or the .list file (directories and usr/share/ left out). */
static int file_evidence(struct it_inspect *in, const struct state *st, const struct db *d,
                         const struct pkg *p, struct it_error *err)
{
	const struct infofile *f = p->files ? NULL : info_of(st, d, p, 0);
	const char *s = p->files ? p->files : f ? f->text : NULL;
	unsigned added = 0, tried = 0;
	struct it_buf full = IT_BUF_INIT;
	int rc = 0;
	while (rc == 0 && s && *s && added < EV_FILES && tried < 4096) {
		size_t n = strcspn(s, "\n");
		struct slice l = trim(s, n);
		s += n + (s[n] == '\n');
		tried++;
		while (l.n && l.p[0] == '/')
			l.p++, l.n--;
		if (!l.n || l.n >= 4096 || (l.n >= 10 && strncmp(l.p, "usr/share/", 10) == 0))
			continue;
		it_buf_truncate(&full, 0);
		if (it_buf_puts(&full, d->root) < 0 || it_buf_append(&full, l.p, l.n) < 0) {
			rc = it_error_nomem(err);
			break;
		}
		if (!seen_has(st, path_hash(d->chain, it_buf_str(&full))))
			continue;
		rc = it_component_add_evidence(in, p->comp, d->chain, it_buf_str(&full), NULL, NULL,
		                               0, err);
		added++;
	}
	it_buf_free(&full);
	return rc;
}

static const char *purl_of(struct it_inspect *in, const struct db *d, const struct origin *o,
                           const struct pkg *p, struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	char name[256];
	size_t n = strcspn(p->name, ":");
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	for (size_t i = 0; i < n; i++)
		name[i] = (char)(p->name[i] >= 'A' && p->name[i] <= 'Z' ? p->name[i] + 32
		                                                        : p->name[i]);
	name[n] = '\0';
	int rc = it_buf_printf(&b, "pkg:%s/", purl_type[d->kind]);
	if (rc == 0 && o->ns)
		rc = it_inventory_purl_put(&b, o->ns) < 0 || it_buf_putc(&b, '/') < 0 ? -1 : 0;
	if (rc == 0)
		rc = it_inventory_purl_put(&b, name) < 0 || it_buf_putc(&b, '@') < 0 ||
		                     it_inventory_purl_put(&b, p->version) < 0
		             ? -1
		             : 0;
	const char *sep = "?";
	if (rc == 0 && p->arch) {
		rc = it_buf_puts(&b, "?arch=") < 0 || it_inventory_purl_put(&b, p->arch) < 0 ? -1
		                                                                             : 0;
		sep = "&";
	}
	if (rc == 0 && o->distro)
		rc = it_buf_printf(&b, "%sdistro=", sep) < 0 ||
		                     it_inventory_purl_put(&b, o->distro) < 0
		             ? -1
		             : 0;
	/* The source package (as syft writes it): distribution advisories name it. */
	if (rc == 0 && p->srcname && strcmp(p->srcname, name) != 0)
		rc = it_buf_printf(&b, "%supstream=", o->distro || p->arch ? "&" : "?") < 0 ||
		                     it_inventory_purl_put(&b, p->srcname) < 0
		             ? -1
		             : 0;
	const char *out = rc < 0 ? NULL : it_inspect_strdup(in, it_buf_str(&b), err);
	if (rc < 0)
		it_error_nomem(err);
	it_buf_free(&b);
	return out;
}

/* CPE from the map entry of the package's name or, failing that, its source package. */
static int set_cpe(struct it_inspect *in, struct state *st, struct it_component *c,
                   const struct map_entry *m, struct it_error *err)
{
	if (!m || !m->cpe || !c->upstream)
		return 0;
	const char *version = c->upstream, *update = NULL;
	char *v = NULL, *u = NULL;
	if (m->split && pcre2_match(m->split, (PCRE2_SPTR)c->upstream, PCRE2_ZERO_TERMINATED, 0, 0,
	                            st->md, NULL) >= 3) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
		v = strndup(c->upstream + ov[2], ov[3] - ov[2]);
		u = strndup(c->upstream + ov[4], ov[5] - ov[4]);
		if (!v || !u) {
			free(v);
			free(u);
			return it_error_nomem(err);
		}
		version = v;
		update = u;
	}
	c->cpe = it_inventory_cpe(in, m->cpe, version, update, err);
	free(v);
	free(u);
	return err->code ? -1 : 0;
}

static char *upstream_of(enum db_kind k, const char *version)
{
	return k == DB_DPKG   ? dpkg_upstream(version)
	       : k == DB_OPKG ? opkg_upstream(version)
	                      : apk_upstream(version);
}

/* "Package: busybox / Version: 1:1.35.0-4" (apk: "P:busybox / V:1.35.0-r5"), one
 * printable line of at most MAX_EXCERPT bytes. */
static const char *excerpt_of(struct it_inspect *in, const struct db *d, const struct pkg *p,
                              struct it_error *err)
{
	int apk = d->kind == DB_APK;
	int nn = (int)strnlen(p->name, 90), vn = (int)strnlen(p->version, 80);
	char *ex = it_inspect_printf(in, err, "%s%.*s / %s%.*s", apk ? "P:" : "Package: ", nn,
	                             p->name, apk ? "V:" : "Version: ", vn, p->version);
	for (char *c = ex; c && *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	if (ex && strlen(ex) > MAX_EXCERPT)
		ex[MAX_EXCERPT] = '\0';
	return ex;
}

/* Does an earlier package of the database have p's name (dpkg Multi-Arch: same)? */
static int name_taken(const struct state *st, const struct db *d, const struct pkg *p)
{
	for (const struct pkg *q = &st->pkgs[d->first]; q < p; q++)
		if (strcmp(q->name, p->name) == 0)
			return 1;
	return 0;
}

static int make_component(struct it_inspect *in, struct state *st, const struct db *d,
                          const struct origin *o, struct pkg *p, struct it_error *err)
{
	struct it_component *c = it_inspect_component_new(in, err);
	if (!c)
		return -1;
	p->comp = c;
	char base[256];
	base_name(p->name, base, sizeof(base));
	const struct map_entry *m = map_find(st, base);
	if (!m && p->srcname) {
		char sbase[256];
		base_name(p->srcname, sbase, sizeof(sbase));
		m = map_find(st, sbase);
	}
	char *up = upstream_of(d->kind, p->version);
	if (!up)
		return it_error_nomem(err);
	c->upstream = it_inspect_strdup(in, up, err);
	free(up);
	/* Two packages of one name (libc6:amd64 and libc6:i386): the later one is named
	 * "name:arch", as dpkg shows it. */
	int clash = p->arch && name_taken(st, d, p);
	c->name = clash ? it_inspect_printf(in, err, "%s:%s", p->name, p->arch) : p->name;
	c->version = p->version;
	c->arch = p->arch;
	c->type = type_of(base, m);
	/* dpkg: "Debian" for what Debian built, else the maintainer (a vendor package on a
	 * Debian system is the vendor's); opkg/apk: the distribution, else the maintainer */
	int deb = o->supplier && strcmp(o->supplier, "Debian") == 0;
	if (d->kind == DB_DPKG && (debian_built(p) || (deb && !p->maintainer)))
		c->supplier = "Debian";
	else if (d->kind == DB_DPKG && p->maintainer)
		c->supplier = maintainer_name(in, p->maintainer, err);
	else
		c->supplier = o->supplier ? o->supplier : maintainer_name(in, p->maintainer, err);
	c->source = it_inspect_printf(in, err, "%s:%s", kind_name[d->kind], d->path);
	c->found_by = IT_FOUND_PKGDB;
	c->confidence = 100;
	if (err->code || !c->upstream || !c->name || !c->source)
		return -1;
	if (set_cpe(in, st, c, m, err) < 0 || !(c->purl = purl_of(in, d, o, p, err)))
		return -1;
	const char *ex = excerpt_of(in, d, p, err);
	if (!ex || it_component_add_evidence(in, c, d->chain, d->path, ex, NULL, 0, err) < 0)
		return -1;
	return file_evidence(in, st, d, p, err);
}

/* opkg: packages named only by info/<pkg>.control (no status file in that root). */
static int opkg_controls(struct it_inspect *in, struct state *st, struct it_error *err)
{
	for (size_t i = 0; i < st->n_info; i++) {
		const struct infofile *f = &st->info[i];
		int have_db = 0;
		for (size_t j = 0; j < st->n_dbs; j++)
			have_db |= st->dbs[j].kind == DB_OPKG &&
			           !strcmp(st->dbs[j].chain, f->chain) &&
			           !strcmp(st->dbs[j].root, f->root);
		if (!f->control || have_db)
			continue;
		struct it_entry e = {0};
		e.chain = f->chain;
		e.path = it_inspect_printf(in, err, "%s%s", f->root, f->dir);
		if (!e.path || add_db(in, st, &e, DB_OPKG, f->root, err) < 0)
			return -1;
		/* every control file of this root becomes one package of this database */
		for (size_t k = i; k < st->n_info; k++) {
			const struct infofile *g = &st->info[k];
			if (g->control && !strcmp(g->chain, f->chain) &&
			    !strcmp(g->root, f->root) &&
			    parse_control(in, st, (const uint8_t *)g->text, strlen(g->text), 0,
			                  err) < 0)
				return -1;
		}
		st->dbs[st->n_dbs - 1].n = st->n_pkgs - st->dbs[st->n_dbs - 1].first;
	}
	return 0;
}

/* opkg's status file has no Maintainer or SourceName: take them from the .control. */
static int opkg_enrich(struct it_inspect *in, struct state *st, const struct db *d,
                       struct it_error *err)
{
	for (size_t i = 0; i < d->n; i++) {
		struct pkg *p = &st->pkgs[d->first + i];
		const struct infofile *f = info_of(st, d, p, 1);
		if (!f || (p->maintainer && p->srcname))
			continue;
		const uint8_t *t = (const uint8_t *)f->text;
		size_t n = strlen(f->text);
		struct stanza s = {0};
		const char *q = (const char *)t, *end = q + n;
		int rc = 0;
		while (rc == 0 && q < end) {
			struct slice line = next_line(&q, end);
			if (line.n)
				rc = stanza_line(&s, line);
		}
		if (rc == 0 && !p->maintainer && s.maint.n)
			p->maintainer = dup_slice(in, s.maint, err);
		if (rc == 0 && !p->srcname && s.srcname.n)
			p->srcname = dup_slice(in, s.srcname, err);
		it_buf_free(&s.depends);
		it_buf_free(&s.provides);
		if (rc < 0 || err->code)
			return -1;
	}
	return 0;
}

static int finish(struct it_inspect *in, void *vs, struct it_error *err)
{
	struct state *st = vs;
	if (opkg_controls(in, st, err) < 0)
		return -1;
	for (size_t i = 0; i < st->n_dbs; i++) {
		const struct db *d = &st->dbs[i];
		if (d->kind == DB_OPKG && opkg_enrich(in, st, d, err) < 0)
			return -1;
		struct origin o = db_origin(in, st, d, err);
		struct index ix = {name_index(st, d), NULL, 0, 0};
		int rc = err->code ? -1 : 0;
		if (rc == 0 && (!ix.byname || index_provides(&ix, st, d) < 0))
			rc = it_error_nomem(err);
		for (size_t k = 0; rc == 0 && k < d->n; k++)
			rc = make_component(in, st, d, &o, &st->pkgs[d->first + k], err);
		for (size_t k = 0; rc == 0 && k < d->n; k++)
			rc = add_depends(in, st, d, &ix, &st->pkgs[d->first + k], err);
		free(ix.byname);
		free(ix.prov);
		if (rc < 0)
			return -1;
	}
	return 0;
}

const struct it_inspector it_insp_pkgdb = {
        .name = "pkgdb",
        .checks = NULL,
        .create = create,
        .entry = entry,
        .finish = finish,
        .destroy = destroy,
};

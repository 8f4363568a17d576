/*
 * Configuration files and text: daemons bound to every interface, weak TLS protocols and
 * ciphers, web administration over plain HTTP, software update clients and whether they
 * verify what they install, secure-boot hints (device trees, dm-verity, IMA) and privacy
 * signals (telemetry and cloud hosts). Only text files chosen by name and location are
 * read (1 MiB each at most); the rules and lists live in the JSON files of data/services.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <jansson.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "inspect/inspector.h"

#define MAX_TEXT_BYTES ((uint64_t)1 << 20)  /* text files larger are not read */
#define MAX_FDT_BYTES  ((uint64_t)64 << 20) /* device tree / FIT files parsed */
#define MAX_BLOB_SCAN  ((uint64_t)8 << 20)  /* unpacked blobs searched for a control DTB */
#define MAX_DTB_COPY   ((size_t)1 << 20)
#define MAX_PER_CHECK  50 /* findings of one check per file system; then a summary */
#define MAX_HOSTS_LINE 16

/* --- small containers ---------------------------------------------------- */

static int strv_has_ci(const struct it_strv *s, const char *p, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == n && strncasecmp(s->v[i], p, n) == 0)
			return 1;
	return 0;
}

/* --- data ------------------------------------------------------------------ */

struct tls_syntax {
	char *name;
	struct it_strv paths, protocols, ciphers, enable_flags;
};

struct alt { /* a place in the image: a path glob, optionally a line regex */
	char *path, *what;
	pcre2_code *rx;
};

struct req {
	char *what;
	struct alt *any;
	size_t n_any;
};

struct client {
	char *name;
	struct it_strv bins;
	struct req *req;
	size_t n_req;
	struct alt *deny;
	size_t n_deny;
};

struct host_rule {
	char *suffix, *owner;
};

struct pattern {
	pcre2_code *rx;
	char *what;
};

struct cfgdata {
	struct it_strv weak_protocols, weak_all, weak_cipher_parts;
	struct tls_syntax *tls;
	size_t n_tls;
	struct client *clients;
	size_t n_clients;
	pcre2_code *rx_download, *rx_insecure, *rx_checksum, *rx_signature, *rx_update;
	struct host_rule *tele, *cloud;
	size_t n_tele, n_cloud;
	struct it_strv tele_labels, cloud_labels, ignore_tlds;
	struct it_strv wildcards, bind_keys;
	struct it_strv kconfig, kconfig_paths;
	struct alt *int_files;
	size_t n_int_files;
	struct pattern *int_text;
	size_t n_int_text;
};

/* --- per file system state ------------------------------------------------ */

struct hit { /* a place found during the scan, reported at the end */
	char *path, *excerpt;
	unsigned line;
};

struct client_state {
	char *bin;          /* first program path, NULL when absent */
	unsigned char *met; /* per require group */
	struct hit *deny;   /* per deny rule: the first match */
};

struct lighttpd_facts {
	int seen, ssl_global, admin, redirect, port_tls;
	struct hit port; /* the server.port line (path NULL: none, port 80) */
	char *main_path;
};

enum capped { CAP_WW_UNUSED, CAP_TELE, CAP_CLOUD, CAP_N };

struct chainst {
	char *name;
	struct client_state *cl;
	struct lighttpd_facts lt;
	size_t count[CAP_N]; /* findings of capped checks */
};

struct cfg {
	struct cfgdata d;
	struct chainst *chains;
	size_t n_chains, last;
	pcre2_match_data *md;
	struct it_buf line;
};

/* --- loading ---------------------------------------------------------------- */

static pcre2_code *rx_compile(const char *pat, const char *file, struct it_error *err)
{
	int ec;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
	if (!c) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET, "regex \"%s\" at %zu: %s", pat,
		             (size_t)off, (const char *)msg);
		return NULL;
	}
	pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
	return c;
}

static int bad(struct it_error *err, const char *file, const char *what)
{
	if (!err->code)
		it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET, "%s", what);
	return -1;
}

static int load_tls(struct cfgdata *d, json_t *root, const char *f, struct it_error *err)
{
	json_t *syn = json_object_get(root, "syntaxes");
	size_t n = json_array_size(syn);
	if (it_strv_load(json_object_get(root, "weak_protocols"), &d->weak_protocols) < 0 ||
	    it_strv_load(json_object_get(root, "weak_all"), &d->weak_all) < 0 ||
	    it_strv_load(json_object_get(root, "weak_cipher_parts"), &d->weak_cipher_parts) < 0 ||
	    !(d->tls = calloc(n ? n : 1, sizeof(*d->tls))))
		return it_error_nomem(err);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(syn, i);
		struct tls_syntax *t = &d->tls[d->n_tls++];
		if (!(t->name = it_json_strdup(o, "name")))
			return bad(err, f, "syntaxes[]: a syntax has no name");
		if (it_strv_load(json_object_get(o, "paths"), &t->paths) < 0 ||
		    it_strv_load(json_object_get(o, "protocols"), &t->protocols) < 0 ||
		    it_strv_load(json_object_get(o, "ciphers"), &t->ciphers) < 0 ||
		    it_strv_load(json_object_get(o, "enable_flags"), &t->enable_flags) < 0)
			return it_error_nomem(err);
	}
	return 0;
}

static int load_alt(struct alt *a, json_t *o, const char *f, struct it_error *err)
{
	json_t *rx = json_object_get(o, "regex");
	a->path = it_json_strdup(o, "path");
	a->what = it_json_strdup(o, "what");
	if (!a->path)
		return bad(err, f, "an alternative has no \"path\"");
	if (json_is_string(rx) && !(a->rx = rx_compile(json_string_value(rx), f, err)))
		return -1;
	return 0;
}

static int load_client(struct client *c, json_t *o, const char *f, struct it_error *err)
{
	json_t *req = json_object_get(o, "require"), *deny = json_object_get(o, "deny");
	if (!(c->name = it_json_strdup(o, "name")))
		return bad(err, f, "a client has no name");
	if (it_strv_load(json_object_get(o, "binaries"), &c->bins) < 0)
		return it_error_nomem(err);
	size_t nr = json_array_size(req), nd = json_array_size(deny);
	if (!(c->req = calloc(nr ? nr : 1, sizeof(*c->req))) ||
	    !(c->deny = calloc(nd ? nd : 1, sizeof(*c->deny))))
		return it_error_nomem(err);
	for (size_t i = 0; i < nr; i++) {
		json_t *g = json_array_get(req, i), *any = json_object_get(g, "any");
		struct req *r = &c->req[c->n_req++];
		size_t na = json_array_size(any);
		r->what = it_json_strdup(g, "what");
		if (!r->what || !(r->any = calloc(na ? na : 1, sizeof(*r->any))))
			return bad(err, f, "a require group has no \"what\"");
		for (size_t k = 0; k < na; k++, r->n_any++)
			if (load_alt(&r->any[k], json_array_get(any, k), f, err) < 0)
				return -1;
	}
	for (size_t i = 0; i < nd; i++, c->n_deny++)
		if (load_alt(&c->deny[i], json_array_get(deny, i), f, err) < 0)
			return -1;
	return 0;
}

static int load_updates(struct cfgdata *d, json_t *root, const char *f, struct it_error *err)
{
	json_t *cl = json_object_get(root, "clients"), *sr = json_object_get(root, "script_rules");
	size_t n = json_array_size(cl);
	if (!(d->clients = calloc(n ? n : 1, sizeof(*d->clients))))
		return it_error_nomem(err);
	for (size_t i = 0; i < n; i++, d->n_clients++)
		if (load_client(&d->clients[i], json_array_get(cl, i), f, err) < 0)
			return -1;
	static const char *const keys[] = {"download", "insecure_download", "checksum", "signature",
	                                   "update_context"};
	pcre2_code **dst[] = {&d->rx_download, &d->rx_insecure, &d->rx_checksum, &d->rx_signature,
	                      &d->rx_update};
	for (size_t i = 0; i < 5; i++) {
		json_t *v = json_object_get(sr, keys[i]);
		if (!json_is_string(v))
			return bad(err, f, "script_rules lacks a regex");
		if (!(*dst[i] = rx_compile(json_string_value(v), f, err)))
			return -1;
	}
	return 0;
}

static int load_hosts(struct host_rule **out, size_t *n, json_t *arr, struct it_error *err)
{
	size_t k = json_array_size(arr);
	if (!(*out = calloc(k ? k : 1, sizeof(**out))))
		return it_error_nomem(err);
	for (size_t i = 0; i < k; i++) {
		json_t *o = json_array_get(arr, i);
		struct host_rule *h = &(*out)[*n];
		h->suffix = it_json_strdup(o, "suffix");
		h->owner = it_json_strdup(o, "owner");
		(*n)++;
		if (!h->suffix || !h->owner)
			return bad(err, "services/privacy-hosts.json",
			           "a host has no suffix or owner");
	}
	return 0;
}

static int load_integrity(struct cfgdata *d, json_t *root, const char *f, struct it_error *err)
{
	json_t *files = json_object_get(root, "files"),
	       *tp = json_object_get(root, "text_patterns");
	size_t nf = json_array_size(files), nt = json_array_size(tp);
	if (it_strv_load(json_object_get(root, "config_options"), &d->kconfig) < 0 ||
	    it_strv_load(json_object_get(root, "config_paths"), &d->kconfig_paths) < 0 ||
	    !(d->int_files = calloc(nf ? nf : 1, sizeof(*d->int_files))) ||
	    !(d->int_text = calloc(nt ? nt : 1, sizeof(*d->int_text))))
		return it_error_nomem(err);
	for (size_t i = 0; i < nf; i++, d->n_int_files++)
		if (load_alt(&d->int_files[i], json_array_get(files, i), f, err) < 0)
			return -1;
	for (size_t i = 0; i < nt; i++) {
		json_t *o = json_array_get(tp, i), *rx = json_object_get(o, "regex");
		struct pattern *p = &d->int_text[d->n_int_text++];
		if (!(p->what = it_json_strdup(o, "what")) || !json_is_string(rx))
			return bad(err, f, "a text pattern lacks regex or what");
		if (!(p->rx = rx_compile(json_string_value(rx), f, err)))
			return -1;
	}
	return 0;
}

static int load_all(struct it_inspect *in, struct cfgdata *d, struct it_error *err)
{
	static const char *const names[] = {"services/tls.json", "services/update-clients.json",
	                                    "services/privacy-hosts.json", "services/listen.json",
	                                    "services/integrity.json"};
	for (size_t i = 0; i < 5; i++) {
		json_t *root;
		if (it_data_load_json(it_inspect_opts(in)->data, names[i], &root, err) < 0)
			return -1;
		int rc = 0;
		switch (i) {
		case 0:
			rc = load_tls(d, root, names[i], err);
			break;
		case 1:
			rc = load_updates(d, root, names[i], err);
			break;
		case 2:
			if (load_hosts(&d->tele, &d->n_tele, json_object_get(root, "telemetry"),
			               err) < 0 ||
			    load_hosts(&d->cloud, &d->n_cloud, json_object_get(root, "cloud"),
			               err) < 0)
				rc = -1;
			else if (it_strv_load(json_object_get(root, "telemetry_labels"),
			                      &d->tele_labels) < 0 ||
			         it_strv_load(json_object_get(root, "cloud_labels"),
			                      &d->cloud_labels) < 0 ||
			         it_strv_load(json_object_get(root, "ignore_tlds"),
			                      &d->ignore_tlds) < 0)
				rc = it_error_nomem(err);
			break;
		case 3:
			if (it_strv_load(json_object_get(root, "wildcards"), &d->wildcards) < 0 ||
			    it_strv_load(json_object_get(root, "bind_keys"), &d->bind_keys) < 0)
				rc = it_error_nomem(err);
			break;
		default:
			rc = load_integrity(d, root, names[i], err);
		}
		json_decref(root);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void alt_free(struct alt *a)
{
	free(a->path);
	free(a->what);
	pcre2_code_free(a->rx);
}

static void data_free(struct cfgdata *d)
{
	it_strv_free(&d->weak_protocols);
	it_strv_free(&d->weak_all);
	it_strv_free(&d->weak_cipher_parts);
	for (size_t i = 0; i < d->n_tls; i++) {
		free(d->tls[i].name);
		it_strv_free(&d->tls[i].paths);
		it_strv_free(&d->tls[i].protocols);
		it_strv_free(&d->tls[i].ciphers);
		it_strv_free(&d->tls[i].enable_flags);
	}
	free(d->tls);
	for (size_t i = 0; i < d->n_clients; i++) {
		struct client *c = &d->clients[i];
		free(c->name);
		it_strv_free(&c->bins);
		for (size_t k = 0; k < c->n_req; k++) {
			for (size_t a = 0; a < c->req[k].n_any; a++)
				alt_free(&c->req[k].any[a]);
			free(c->req[k].any);
			free(c->req[k].what);
		}
		free(c->req);
		for (size_t k = 0; k < c->n_deny; k++)
			alt_free(&c->deny[k]);
		free(c->deny);
	}
	free(d->clients);
	pcre2_code_free(d->rx_download);
	pcre2_code_free(d->rx_insecure);
	pcre2_code_free(d->rx_checksum);
	pcre2_code_free(d->rx_signature);
	pcre2_code_free(d->rx_update);
	for (size_t i = 0; i < d->n_tele; i++) {
		free(d->tele[i].suffix);
		free(d->tele[i].owner);
	}
	free(d->tele);
	for (size_t i = 0; i < d->n_cloud; i++) {
		free(d->cloud[i].suffix);
		free(d->cloud[i].owner);
	}
	free(d->cloud);
	it_strv_free(&d->tele_labels);
	it_strv_free(&d->cloud_labels);
	it_strv_free(&d->ignore_tlds);
	it_strv_free(&d->wildcards);
	it_strv_free(&d->bind_keys);
	it_strv_free(&d->kconfig);
	it_strv_free(&d->kconfig_paths);
	for (size_t i = 0; i < d->n_int_files; i++)
		alt_free(&d->int_files[i]);
	free(d->int_files);
	for (size_t i = 0; i < d->n_int_text; i++) {
		pcre2_code_free(d->int_text[i].rx);
		free(d->int_text[i].what);
	}
	free(d->int_text);
}

static void hit_free(struct hit *h)
{
	free(h->path);
	free(h->excerpt);
	memset(h, 0, sizeof(*h));
}

static void chain_free(const struct cfgdata *d, struct chainst *c)
{
	for (size_t i = 0; c->cl && i < d->n_clients; i++) {
		free(c->cl[i].bin);
		free(c->cl[i].met);
		for (size_t k = 0; c->cl[i].deny && k < d->clients[i].n_deny; k++)
			hit_free(&c->cl[i].deny[k]);
		free(c->cl[i].deny);
	}
	free(c->cl);
	hit_free(&c->lt.port);
	free(c->lt.main_path);
	free(c->name);
}

static void cfg_destroy(void *state)
{
	struct cfg *s = state;
	if (!s)
		return;
	for (size_t i = 0; i < s->n_chains; i++)
		chain_free(&s->d, &s->chains[i]);
	free(s->chains);
	data_free(&s->d);
	pcre2_match_data_free(s->md);
	it_buf_free(&s->line);
	free(s);
}

static int cfg_create(struct it_inspect *in, void **state, struct it_error *err)
{
	struct cfg *s = calloc(1, sizeof(*s));
	if (!s)
		return it_error_nomem(err);
	if (load_all(in, &s->d, err) < 0) {
		cfg_destroy(s);
		return -1;
	}
	if (!(s->md = pcre2_match_data_create(16, NULL))) {
		cfg_destroy(s);
		return it_error_nomem(err);
	}
	*state = s;
	return 0;
}

static struct chainst *chain_get(struct cfg *s, const char *name)
{
	int created;
	struct chainst *c =
	        it_chain_slot(&s->chains, &s->n_chains, &s->last, sizeof(*c), name, &created);
	if (!c || !created)
		return c && c->cl ? c : NULL; /* no cl: half made when memory ran out */
	/* a new chain (chain_free cleans up a half-made one) */
	if (!(c->cl = calloc(s->d.n_clients ? s->d.n_clients : 1, sizeof(*c->cl))))
		return NULL;
	for (size_t i = 0; i < s->d.n_clients; i++) {
		const struct client *cl = &s->d.clients[i];
		if (!(c->cl[i].met = calloc(cl->n_req ? cl->n_req : 1, 1)) ||
		    !(c->cl[i].deny = calloc(cl->n_deny ? cl->n_deny : 1, sizeof(struct hit))))
			return NULL;
	}
	return c;
}

/* --- helpers ----------------------------------------------------------------- */

static int glob_any(const struct it_strv *globs, const char *path)
{
	for (size_t i = 0; i < globs->n; i++)
		if (fnmatch(globs->v[i], path, 0) == 0)
			return 1;
	return 0;
}

static int in_bin_dir(const char *p)
{
	const char *s = strrchr(p, '/');
	if (!s)
		return 0;
	size_t d = (size_t)(s - p);
	const char *dir = s;
	while (dir > p && dir[-1] != '/')
		dir--;
	size_t n = (size_t)(p + d - dir);
	return (n == 3 && strncmp(dir, "bin", 3) == 0) ||
	       (n == 4 && strncmp(dir, "sbin", 4) == 0) || strstr(p, "libexec/") != NULL;
}

static int rx_line(struct cfg *s, pcre2_code *rx, const char *l, size_t n)
{
	return rx && pcre2_match(rx, (PCRE2_SPTR)l, n, 0, 0, s->md, NULL) >= 0;
}

static int report(struct it_inspect *in, const char *chain, const char *check, int sev,
                  const char *path, unsigned line, const char *excerpt, struct it_error *err,
                  const char *fmt, ...) __attribute__((format(printf, 9, 10)));

static int report(struct it_inspect *in, const char *chain, const char *check, int sev,
                  const char *path, unsigned line, const char *excerpt, struct it_error *err,
                  const char *fmt, ...)
{
	struct it_buf m = IT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int rc = it_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	struct it_finding_loc loc = {chain, path, line};
	if (rc < 0)
		rc = it_error_nomem(err);
	else
		rc = it_inspect_report(in, check, sev, &loc, excerpt, err, "%s", it_buf_str(&m));
	it_buf_free(&m);
	return rc;
}

/* --- which files are read ------------------------------------------------- */

static int excluded(const char *p)
{
	static const char *const dirs[] = {"usr/share/doc/",
	                                   "usr/share/man/",
	                                   "usr/share/info/",
	                                   "usr/share/locale/",
	                                   "usr/share/i18n/",
	                                   "usr/share/zoneinfo/",
	                                   "usr/share/terminfo/",
	                                   "usr/share/common-licenses/",
	                                   "usr/share/mime/",
	                                   "etc/ssl/certs/",
	                                   "usr/share/ca-certificates/",
	                                   "var/lib/dpkg/",
	                                   "usr/share/misc/",
	                                   "usr/include/",
	                                   "usr/share/X11/",
	                                   "lib/firmware/",
	                                   "usr/lib/firmware/",
	                                   "usr/share/fonts/",
	                                   NULL};
	static const char *const exts[] = {
	        ".pem", ".crt", ".cer", ".der", ".key",  ".p12", ".pfx", ".gz",   ".xz",
	        ".bz2", ".zst", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2",
	        ".ttf", ".mo",  ".ko",  ".a",   ".o",    ".pyc", ".dtb", ".bin",  NULL};
	for (size_t i = 0; dirs[i]; i++)
		if (it_has_prefix(p, dirs[i]))
			return 1;
	const char *b = it_path_base(p);
	for (size_t i = 0; exts[i]; i++)
		if (it_has_suffix(b, exts[i]))
			return 1;
	return strstr(b, ".so.") != NULL || it_has_suffix(b, ".so") ||
	       (strstr(p, "/python") && strstr(p, "lib/"));
}

static int text_ext(const char *b)
{
	static const char *const exts[] = {
	        ".conf", ".cfg", ".cnf", ".ini",     ".json",       ".xml", ".yaml", ".yml",
	        ".toml", ".sh",  ".lua", ".py",      ".pl",         ".js",  ".html", ".htm",
	        ".cgi",  ".asp", ".php", ".service", ".properties", ".txt", ".env",  NULL};
	for (size_t i = 0; exts[i]; i++)
		if (it_has_suffix(b, exts[i]))
			return 1;
	return 0;
}

/* Is path a text file worth reading (before looking at its bytes)? */
static int text_candidate(const struct cfgdata *d, const char *p)
{
	if (excluded(p))
		return 0;
	const char *b = it_path_base(p);
	if (it_has_prefix(p, "etc/") || it_has_prefix(p, "boot/") || it_has_prefix(p, "var/etc/") ||
	    it_has_prefix(p, "usr/etc/") || it_has_prefix(p, "usr/local/etc/") || in_bin_dir(p) ||
	    strstr(p, "cgi-bin/") || text_ext(b) || glob_any(&d->kconfig_paths, p))
		return 1;
	return strcmp(b, "uEnv.txt") == 0 || strcmp(b, "boot.cmd") == 0;
}

/* --- per-line context ------------------------------------------------------ */

struct fctx {
	struct it_inspect *in;
	struct cfg *s;
	struct chainst *c;
	const struct it_entry *e;
	struct it_error *err;
	const char *l; /* the current logical line */
	size_t len;
	unsigned line;
	int script; /* a shell script */
	int conf;   /* a configuration file (generic bind keys apply) */
	const struct tls_syntax *tls;
	/* once-per-file flags */
	int insecure_done, checksum_line_set, has_download, has_signature, update_path;
	unsigned checksum_line;
	char *checksum_text;
	int int_done[8];
	int kconfig_seen;
	struct it_buf kconfig;
	int listen_done; /* svc.listen-all: one finding per file */
};

static int here(struct fctx *f, const char *check, int sev, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Report at the current line, with the line as evidence. */
static int here(struct fctx *f, const char *check, int sev, const char *fmt, ...)
{
	if (strcmp(check, "svc.listen-all") == 0 && f->listen_done++)
		return 0;
	struct it_buf m = IT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int rc = it_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	char *x = it_text_excerpt(f->l);
	struct it_finding_loc loc = {f->e->chain, f->e->path, f->line};
	if (rc < 0 || !x)
		rc = it_error_nomem(f->err);
	else
		rc = it_inspect_report(f->in, check, sev, &loc, x, f->err, "%s", it_buf_str(&m));
	free(x);
	it_buf_free(&m);
	return rc;
}

/* Skip blanks. */
static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The value that follows key at k (key length kl) in line: optional closing quote,
 * a ':' right after it or blanks and '=' / '=>'; blanks; then a quoted string or everything up to
 * ';' or '#'. Copies at most cap-1 bytes into out; returns 0 when there is none. */
static int value_after(const char *k, size_t kl, char *out, size_t cap)
{
	const char *p = k + kl;
	if (*p == '"' || *p == '\'')
		p++;
	if (*p == ':') { /* YAML, JSON: the colon sticks to the key ("ListenAddress ::" not) */
		p++;
	} else {
		p = skip_ws(p);
		if (p[0] == '=' && p[1] == '>')
			p += 2;
		else if (*p == '=')
			p++;
	}
	p = skip_ws(p);
	size_t n;
	if (*p == '"' || *p == '\'') {
		char q = *p++;
		const char *e = strchr(p, q);
		n = e ? (size_t)(e - p) : strlen(p);
	} else {
		n = strcspn(p, ";#");
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
	}
	if (!n)
		return 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

static int word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* Find key in line as a whole word (case-insensitive); returns its position or NULL. */
static const char *find_key(const char *l, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = l; (p = strcasestr(p, key)); p++) {
		if ((p == l || !word_char(p[-1])) && !word_char(p[kl]))
			return p;
	}
	return NULL;
}

/* Split v on blanks, commas and colons; call fn on each token. */
static int each_token(const char *v, const char *seps, int (*fn)(void *, const char *, size_t),
                      void *ctx)
{
	while (*v) {
		size_t n = strcspn(v, seps);
		if (n) {
			int r = fn(ctx, v, n);
			if (r)
				return r;
		}
		v += n;
		if (*v)
			v++;
	}
	return 0;
}

/* --- TLS --------------------------------------------------------------------- */

struct protoscan {
	const struct cfgdata *d;
	int weak, all;
	char first[32];
	size_t removed; /* weak_all entries removed with '-' or '!' */
};

static int proto_token(void *ctx, const char *t, size_t n)
{
	struct protoscan *ps = ctx;
	char sign = 0;
	if (*t == '-' || *t == '!' || *t == '+') {
		sign = *t;
		t++;
		n--;
	}
	if (!n)
		return 0;
	if (n == 3 && strncasecmp(t, "all", 3) == 0 && sign != '-' && sign != '!') {
		ps->all = 1;
		return 0;
	}
	if (!strv_has_ci(&ps->d->weak_protocols, t, n))
		return 0;
	if (sign == '-' || sign == '!') {
		if (strv_has_ci(&ps->d->weak_all, t, n))
			ps->removed++;
		return 0;
	}
	if (!ps->weak) {
		snprintf(ps->first, sizeof(ps->first), "%.*s", (int)n, t);
		ps->weak = 1;
	}
	return 0;
}

struct cipherscan {
	const struct cfgdata *d;
	char first[64];
};

static int cipher_token(void *ctx, const char *t, size_t n)
{
	struct cipherscan *cs = ctx;
	if (*t == '!' || *t == '-' || *t == '+' || *t == '@')
		return 0;
	for (size_t i = 0; i < n;) {
		size_t k = i;
		while (k < n && t[k] != '-' && t[k] != '+')
			k++;
		if (k > i && strv_has_ci(&cs->d->weak_cipher_parts, t + i, k - i)) {
			snprintf(cs->first, sizeof(cs->first), "%.*s", (int)(n < 60 ? n : 60), t);
			return 1;
		}
		i = k + 1;
	}
	return 0;
}

static int tls_line(struct fctx *f)
{
	const struct tls_syntax *t = f->tls;
	const struct cfgdata *d = &f->s->d;
	char v[512];
	const char *l = skip_ws(f->l);
	if (*l == '#' || *l == ';')
		return 0;
	for (size_t i = 0; i < t->protocols.n; i++) {
		const char *k = find_key(l, t->protocols.v[i]);
		if (!k || !value_after(k, strlen(t->protocols.v[i]), v, sizeof(v)))
			continue;
		struct protoscan ps = {.d = d};
		each_token(v, " \t,:", proto_token, &ps);
		if (ps.all && ps.removed < d->weak_all.n && !ps.weak)
			snprintf(ps.first, sizeof(ps.first), "all"), ps.weak = 1;
		if (ps.weak)
			return here(f, "tls.weak-protocol", -1, "%s configuration enables %s (%s)",
			            t->name,
			            strcmp(ps.first, "all") == 0 ? "TLS 1.0/1.1 through 'all'"
			                                         : ps.first,
			            t->protocols.v[i]);
	}
	for (size_t i = 0; i < t->enable_flags.n; i++) {
		const char *k = find_key(l, t->enable_flags.v[i]);
		if (k && value_after(k, strlen(t->enable_flags.v[i]), v, sizeof(v)) &&
		    (strcasecmp(v, "enable") == 0 || strcasecmp(v, "yes") == 0 ||
		     strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0))
			return here(f, "tls.weak-protocol", -1, "%s configuration enables %s",
			            t->name, t->enable_flags.v[i]);
	}
	for (size_t i = 0; i < t->ciphers.n; i++) {
		const char *k = find_key(l, t->ciphers.v[i]);
		if (!k || !value_after(k, strlen(t->ciphers.v[i]), v, sizeof(v)))
			continue;
		struct cipherscan cs = {.d = d};
		if (each_token(v, " \t,:", cipher_token, &cs))
			return here(f, "tls.weak-cipher", -1,
			            "%s configuration enables weak cipher suites (%s in %s)",
			            t->name, cs.first, t->ciphers.v[i]);
	}
	return 0;
}

/* --- listening on every interface ------------------------------------------ */

/* Is v a wildcard address, possibly with :port ("0.0.0.0:80", "[::]:80", "*:80")? */
static int wildcard(const struct cfgdata *d, const char *v, size_t n)
{
	while (n && (*v == '"' || *v == '\'' || *v == ' '))
		v++, n--;
	while (n && (v[n - 1] == '"' || v[n - 1] == '\'' || v[n - 1] == ' '))
		n--;
	if (strv_has_ci(&d->wildcards, v, n))
		return 1;
	const char *colon = memrchr(v, ':', n);
	if (colon && colon > v) {
		size_t h = (size_t)(colon - v);
		int port = 1;
		for (const char *q = colon + 1; q < v + n; q++)
			port &= isdigit((unsigned char)*q) != 0;
		if (port && strv_has_ci(&d->wildcards, v, h))
			return 1;
	}
	return 0;
}

struct wildscan {
	const struct cfgdata *d;
};

static int wild_token(void *ctx, const char *t, size_t n)
{
	struct wildscan *w = ctx;
	return wildcard(w->d, t, n);
}

/* A line "KEY VALUE" / "KEY=VALUE" / "KEY: VALUE" / "\"KEY\": \"VALUE\"". */
static int generic_bind(struct fctx *f)
{
	const struct cfgdata *d = &f->s->d;
	const char *l = skip_ws(f->l);
	if (*l == '"' || *l == '\'')
		l++;
	size_t k = 0;
	while (l[k] && (word_char(l[k])))
		k++;
	if (!k || !strv_has_ci(&d->bind_keys, l, k))
		return 0;
	char v[256];
	if (!value_after(l, k, v, sizeof(v)))
		return 0;
	struct wildscan ws = {d};
	if (!each_token(v, " \t,", wild_token, &ws))
		return 0;
	const char *b = strrchr(f->e->path, '/');
	return here(f, "svc.listen-all", -1,
	            "%s sets %.*s to a wildcard address, so the service listens on every interface",
	            b ? b + 1 : f->e->path, (int)k, l);
}

/* nginx "listen 80;", mosquitto "listener 1883", lighttpd $SERVER["socket"] == ":80". */
static int syntax_listen(struct fctx *f, const char *b, int *mosq_port, unsigned *port_line,
                         char **port_text, int *mosq_bind)
{
	const struct cfgdata *d = &f->s->d;
	const char *l = skip_ws(f->l);
	char w1[64] = "", w2[128] = "", w3[128] = "";
	if (*l == '#')
		return 0;
	if (sscanf(l, "%63s %127s %127s", w1, w2, w3) < 1)
		return 0;
	if (strstr(b, "nginx") || strstr(f->e->path, "nginx/")) {
		if (strcmp(w1, "listen") != 0 || !w2[0])
			return 0;
		size_t n = strcspn(w2, ";");
		int port_only = n > 0;
		for (size_t i = 0; i < n; i++)
			port_only &= isdigit((unsigned char)w2[i]) != 0;
		if (port_only || wildcard(d, w2, n))
			return here(f, "svc.listen-all", -1,
			            "nginx listens on every interface (listen %.*s)", (int)n, w2);
		return 0;
	}
	if (strstr(b, "mosquitto") || strstr(f->e->path, "mosquitto/")) {
		if (strcmp(w1, "listener") == 0 && w2[0] &&
		    (!w3[0] || w3[0] == '#' || wildcard(d, w3, strlen(w3))))
			return here(f, "svc.listen-all", -1,
			            "mosquitto listener %s binds every interface", w2);
		if (strcmp(w1, "bind_address") == 0)
			*mosq_bind = 1;
		if (strcmp(w1, "port") == 0 && !*port_line) {
			*mosq_port = 1;
			*port_line = f->line;
			free(*port_text);
			*port_text = it_text_excerpt(f->l);
			if (!*port_text)
				return it_error_nomem(f->err);
		}
		return 0;
	}
	if (strstr(b, "lighttpd") || strstr(f->e->path, "lighttpd/")) {
		const char *s = strstr(l, "$SERVER[\"socket\"]");
		if (!s)
			return 0;
		const char *q = strchr(s + 17, '"');
		if (!q)
			return 0;
		const char *e = strchr(q + 1, '"');
		if (!e)
			return 0;
		size_t n = (size_t)(e - q - 1);
		if ((n && q[1] == ':') || wildcard(d, q + 1, n))
			return here(f, "svc.listen-all", -1,
			            "lighttpd socket \"%.*s\" binds every "
			            "interface",
			            (int)n, q + 1);
	}
	return 0;
}

/* --- web administration over plain HTTP ---------------------------------------- */

/* lighttpd: facts collected over every lighttpd file of the file system. */
static int lighttpd_line(struct fctx *f, int *depth)
{
	struct lighttpd_facts *lt = &f->c->lt;
	const char *l = skip_ws(f->l);
	if (*l == '#')
		return 0;
	int in_cond = *depth > 0;
	for (const char *p = l; *p; p++) {
		if (*p == '#')
			break;
		if (*p == '{')
			(*depth)++;
		else if (*p == '}' && *depth > 0)
			(*depth)--;
	}
	lt->seen = 1;
	if (!lt->main_path && it_has_suffix(f->e->path, "lighttpd.conf") &&
	    !(lt->main_path = strdup(f->e->path)))
		return -1;
	char v[256];
	const char *k;
	if (!in_cond && (k = find_key(l, "ssl.engine")) && value_after(k, 10, v, sizeof(v)) &&
	    strcasecmp(v, "enable") == 0)
		lt->ssl_global = 1;
	if (!in_cond && (k = find_key(l, "server.port")) && value_after(k, 11, v, sizeof(v)) &&
	    !lt->port.path) {
		lt->port_tls = strcmp(v, "443") == 0;
		lt->port.line = f->line;
		if (!(lt->port.path = strdup(f->e->path)) ||
		    !(lt->port.excerpt = it_text_excerpt(l)))
			return -1;
	}
	if (strstr(l, "mod_cgi") || strstr(l, "mod_fastcgi") || strstr(l, "mod_scgi") ||
	    strstr(l, "mod_proxy") || find_key(l, "cgi.assign") || find_key(l, "fastcgi.server"))
		lt->admin = 1;
	if (find_key(l, "url.redirect") && strstr(l, "https://"))
		lt->redirect = 1;
	return 0;
}

/* nginx: one server block at a time. */
struct nginx_block {
	int open, depth, admin, redirect, tls_listen, plain_listen;
	unsigned line, listen_line;
	char *listen_text;
};

static int nginx_end(struct fctx *f, struct nginx_block *nb)
{
	int rc = 0;
	int plain = nb->plain_listen || !nb->tls_listen;
	if (nb->admin && plain && !nb->redirect) {
		struct it_finding_loc loc = {f->e->chain, f->e->path,
		                             nb->plain_listen ? nb->listen_line : nb->line};
		rc = it_inspect_report(
		        f->in, "web.plain-http-admin", -1, &loc, nb->listen_text, f->err,
		        "an nginx server block passes requests to an application "
		        "(CGI, FastCGI or proxy) over plain HTTP without redirecting "
		        "to HTTPS");
	}
	free(nb->listen_text);
	memset(nb, 0, sizeof(*nb));
	return rc;
}

static int nginx_line(struct fctx *f, struct nginx_block *nb, int *depth)
{
	const char *l = skip_ws(f->l);
	if (*l == '#')
		return 0;
	if (!nb->open && it_has_prefix(l, "server") && strchr(l, '{') &&
	    (l[6] == ' ' || l[6] == '\t' || l[6] == '{')) {
		nb->open = 1;
		nb->depth = *depth;
		nb->line = f->line;
	}
	if (nb->open) {
		if (it_has_prefix(l, "listen") && (l[6] == ' ' || l[6] == '\t')) {
			if (strstr(l, " ssl") || strstr(l, "\tssl") || strstr(l, " quic"))
				nb->tls_listen = 1;
			else if (!nb->plain_listen) {
				nb->plain_listen = 1;
				nb->listen_line = f->line;
				if (!(nb->listen_text = it_text_excerpt(l)))
					return it_error_nomem(f->err);
			}
		}
		if (it_has_prefix(l, "ssl ") && strstr(l, " on"))
			nb->tls_listen = 1, nb->plain_listen = 0;
		if (strstr(l, "fastcgi_pass") || strstr(l, "proxy_pass") ||
		    strstr(l, "uwsgi_pass") || strstr(l, "scgi_pass"))
			nb->admin = 1;
		if ((it_has_prefix(l, "return") || it_has_prefix(l, "rewrite")) &&
		    strstr(l, "https://"))
			nb->redirect = 1;
	}
	for (const char *p = l; *p && *p != '#'; p++) {
		if (*p == '{')
			(*depth)++;
		else if (*p == '}' && *depth > 0) {
			(*depth)--;
			if (nb->open && *depth == nb->depth && nginx_end(f, nb) < 0)
				return -1;
		}
	}
	return 0;
}

/* OpenWrt /etc/config/uhttpd sections. */
struct uhttpd_sec {
	int open, redirect, https;
	unsigned http_line;
	char *http_text;
};

static int uhttpd_end(struct fctx *f, struct uhttpd_sec *u)
{
	int rc = 0;
	if (u->open && u->http_line && !(u->redirect && u->https)) {
		struct it_finding_loc loc = {f->e->chain, f->e->path, u->http_line};
		rc = it_inspect_report(
		        f->in, "web.plain-http-admin", -1, &loc, u->http_text, f->err,
		        "uhttpd serves the web interface (LuCI, CGI) over plain HTTP "
		        "(listen_http%s)",
		        u->redirect ? " with redirect_https but no listen_https"
		                    : " without redirect_https");
	}
	free(u->http_text);
	memset(u, 0, sizeof(*u));
	return rc;
}

static int uhttpd_line(struct fctx *f, struct uhttpd_sec *u)
{
	char w1[16] = "", w2[64] = "", w3[128] = "";
	const char *l = skip_ws(f->l);
	if (sscanf(l, "%15s %63s %127s", w1, w2, w3) < 2 || w1[0] == '#')
		return 0;
	if (strcmp(w1, "config") == 0) {
		if (uhttpd_end(f, u) < 0)
			return -1;
		u->open = strcmp(w2, "uhttpd") == 0;
		return 0;
	}
	if (!u->open || !w3[0])
		return 0;
	char *v = w3;
	size_t n = strlen(v);
	if ((v[0] == '\'' || v[0] == '"') && n >= 2)
		v++, n -= 2;
	if (strcmp(w2, "listen_http") == 0 || strcmp(w2, "listen_https") == 0) {
		int https = w2[11] == 's';
		if (https)
			u->https = 1;
		else if (!u->http_line) {
			u->http_line = f->line;
			if (!(u->http_text = it_text_excerpt(l)))
				return it_error_nomem(f->err);
		}
		int port_only = n > 0;
		for (size_t i = 0; i < n; i++)
			port_only &= isdigit((unsigned char)v[i]) != 0;
		if (port_only || wildcard(&f->s->d, v, n))
			return here(f, "svc.listen-all", -1, "uhttpd %s %.*s binds every interface",
			            w2, (int)n, v);
	}
	if (strcmp(w2, "redirect_https") == 0)
		u->redirect = v[0] == '1' || strncasecmp(v, "on", 2) == 0 ||
		              strncasecmp(v, "true", 4) == 0 || strncasecmp(v, "yes", 3) == 0;
	return 0;
}

/* --- update clients and scripts ----------------------------------------------- */

static int alt_path(const struct alt *a, const char *p)
{
	return fnmatch(a->path, p, 0) == 0;
}

/* Presence of clients, and alternatives met by the mere existence of a path. */
static int update_entry(struct cfg *s, struct chainst *c, const struct it_entry *e)
{
	const char *b = it_path_base(e->path);
	for (size_t i = 0; i < s->d.n_clients; i++) {
		const struct client *cl = &s->d.clients[i];
		struct client_state *st = &c->cl[i];
		if (!st->bin && e->type != IT_ENTRY_DIR && in_bin_dir(e->path)) {
			for (size_t k = 0; k < cl->bins.n; k++)
				if (strcmp(b, cl->bins.v[k]) == 0 && !(st->bin = strdup(e->path)))
					return -1;
		}
		for (size_t g = 0; g < cl->n_req; g++)
			for (size_t a = 0; !st->met[g] && a < cl->req[g].n_any; a++)
				if (!cl->req[g].any[a].rx && e->type != IT_ENTRY_DIR &&
				    alt_path(&cl->req[g].any[a], e->path))
					st->met[g] = 1;
	}
	return 0;
}

/* Does any client rule with a regex look at this path? */
static int update_wants(const struct cfgdata *d, const char *p)
{
	for (size_t i = 0; i < d->n_clients; i++) {
		const struct client *cl = &d->clients[i];
		for (size_t g = 0; g < cl->n_req; g++)
			for (size_t a = 0; a < cl->req[g].n_any; a++)
				if (cl->req[g].any[a].rx && alt_path(&cl->req[g].any[a], p))
					return 1;
		for (size_t k = 0; k < cl->n_deny; k++)
			if (alt_path(&cl->deny[k], p))
				return 1;
	}
	return 0;
}

static int update_line(struct fctx *f)
{
	const struct cfgdata *d = &f->s->d;
	for (size_t i = 0; i < d->n_clients; i++) {
		const struct client *cl = &d->clients[i];
		struct client_state *st = &f->c->cl[i];
		for (size_t g = 0; g < cl->n_req; g++)
			for (size_t a = 0; !st->met[g] && a < cl->req[g].n_any; a++) {
				const struct alt *al = &cl->req[g].any[a];
				if (al->rx && alt_path(al, f->e->path) &&
				    rx_line(f->s, al->rx, f->l, f->len))
					st->met[g] = 1;
			}
		for (size_t k = 0; k < cl->n_deny; k++) {
			const struct alt *al = &cl->deny[k];
			struct hit *h = &st->deny[k];
			if (h->path || !alt_path(al, f->e->path) ||
			    !rx_line(f->s, al->rx, f->l, f->len))
				continue;
			h->line = f->line;
			if (!(h->path = strdup(f->e->path)) ||
			    !(h->excerpt = it_text_excerpt(f->l)))
				return it_error_nomem(f->err);
		}
	}
	return 0;
}

static int script_line(struct fctx *f)
{
	const struct cfgdata *d = &f->s->d;
	const char *l = skip_ws(f->l);
	if (*l == '#')
		return 0;
	int dl = rx_line(f->s, d->rx_download, l, strlen(l));
	f->has_download |= dl;
	f->has_signature |= rx_line(f->s, d->rx_signature, l, strlen(l));
	int ctx = f->update_path || rx_line(f->s, d->rx_update, l, strlen(l));
	if (!f->insecure_done && ctx && rx_line(f->s, d->rx_insecure, l, strlen(l))) {
		f->insecure_done = 1;
		if (here(f, "update.no-signature-check", -1,
		         "an update script downloads without checking the server's TLS "
		         "certificate") < 0)
			return -1;
	}
	if (!f->checksum_line_set && rx_line(f->s, d->rx_checksum, l, strlen(l))) {
		f->checksum_line_set = 1;
		f->checksum_line = f->line;
		if (!(f->checksum_text = it_text_excerpt(l)))
			return it_error_nomem(f->err);
	}
	return 0;
}

static int script_end(struct fctx *f)
{
	int rc = 0;
	if (f->checksum_line_set && f->has_download && !f->has_signature &&
	    (f->update_path || f->checksum_text)) {
		int ctx = f->update_path || rx_line(f->s, f->s->d.rx_update, f->checksum_text,
		                                    strlen(f->checksum_text));
		if (ctx) {
			struct it_finding_loc loc = {f->e->chain, f->e->path, f->checksum_line};
			rc = it_inspect_report(
			        f->in, "update.no-signature-check", -1, &loc, f->checksum_text,
			        f->err,
			        "an update script checks downloads with a checksum only, "
			        "never a signature");
		}
	}
	free(f->checksum_text);
	f->checksum_text = NULL;
	return rc;
}

/* --- secure boot hints ----------------------------------------------------------- */

static int integrity_line(struct fctx *f)
{
	const struct cfgdata *d = &f->s->d;
	for (size_t i = 0; i < d->n_int_text && i < 8; i++) {
		if (f->int_done[i] || !rx_line(f->s, d->int_text[i].rx, f->l, f->len))
			continue;
		f->int_done[i] = 1;
		if (here(f, "boot.secure-boot-hint", -1, "%s is set up here (%s)",
		         d->int_text[i].what, f->e->path) < 0)
			return -1;
	}
	if (!f->kconfig_seen)
		return 0;
	for (size_t i = 0; i < d->kconfig.n; i++) {
		size_t n = strlen(d->kconfig.v[i]);
		if (strncmp(f->l, d->kconfig.v[i], n) == 0 && strcmp(f->l + n, "=y") == 0 &&
		    it_buf_printf(&f->kconfig, "%s%s", f->kconfig.len ? ", " : "",
		                  d->kconfig.v[i]) < 0)
			return it_error_nomem(f->err);
	}
	return 0;
}

/* A copy of the tree at p (8-byte aligned for libfdt), or NULL. */
static void *fdt_copy(const uint8_t *p, size_t avail, size_t max)
{
	if (avail < sizeof(struct fdt_header))
		return NULL;
	struct fdt_header h;
	memcpy(&h, p, sizeof(h));
	uint32_t total = fdt32_to_cpu(h.totalsize);
	if (fdt32_to_cpu(h.magic) != FDT_MAGIC || total < sizeof(h) || total > avail || total > max)
		return NULL;
	void *c = malloc(total);
	if (!c)
		return NULL;
	memcpy(c, p, total);
	if (fdt_check_header(c) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

/* What a device tree says about verified boot, appended to out. */
static int fdt_hints(const void *fdt, struct it_buf *out)
{
	int sig = fdt_path_offset(fdt, "/signature"), node;
	if (sig >= 0)
		fdt_for_each_subnode(node, fdt, sig)
		{
			int len;
			const char *req = fdt_getprop(fdt, node, "required", &len);
			const char *name = fdt_get_name(fdt, node, NULL);
			if (req && len > 0 && len < 32 &&
			    it_buf_printf(out, "%sverification key '%.48s' required for %.*s",
			                  out->len ? "; " : "", name ? name : "?",
			                  (int)strnlen(req, (size_t)len), req) < 0)
				return -1;
		}
	int confs = fdt_path_offset(fdt, "/configurations");
	if (confs >= 0)
		fdt_for_each_subnode(node, fdt, confs)
		{
			int sub;
			fdt_for_each_subnode(sub, fdt, node)
			{
				const char *sn = fdt_get_name(fdt, sub, NULL);
				if (!sn || strncmp(sn, "signature", 9) != 0)
					continue;
				int len;
				const char *algo = fdt_getprop(fdt, sub, "algo", &len);
				const char *cn = fdt_get_name(fdt, node, NULL);
				if (it_buf_printf(
				            out, "%sFIT configuration '%.48s' is signed (%.*s)",
				            out->len ? "; " : "", cn ? cn : "?",
				            algo && len > 0 ? (int)strnlen(algo, (size_t)len) : 1,
				            algo && len > 0 ? algo : "?") < 0)
					return -1;
				break;
			}
		}
	return 0;
}

static int fdt_file(struct it_inspect *in, const struct it_entry *e, const uint8_t *data,
                    size_t len, struct it_error *err)
{
	struct it_buf m = IT_BUF_INIT;
	int rc = 0;
	size_t tries = 0;
	for (size_t off = 0; off + 4 <= len && tries < 64 && !m.len; off += 4) {
		const uint8_t *p = memmem(data + off, len - off, "\xd0\x0d\xfe\xed", 4);
		if (!p)
			break;
		off = (size_t)(p - data);
		tries++;
		void *fdt =
		        fdt_copy(p, len - off, e->type == IT_ENTRY_PAYLOAD ? MAX_DTB_COPY : len);
		if (!fdt)
			continue;
		rc = fdt_hints(fdt, &m);
		free(fdt);
		if (rc < 0 || e->type != IT_ENTRY_PAYLOAD)
			break;
	}
	if (rc == 0 && m.len) {
		struct it_finding_loc loc = {e->chain, e->path, 0};
		rc = it_inspect_report(in, "boot.secure-boot-hint", -1, &loc, NULL, err,
		                       "device tree %s: %s",
		                       e->path[0] ? e->path : "(unpacked blob)", it_buf_str(&m));
	} else if (rc < 0) {
		rc = it_error_nomem(err);
	}
	it_buf_free(&m);
	return rc;
}

static int fdt_candidate(const struct it_entry *e)
{
	const char *b = it_path_base(e->path);
	if (e->type == IT_ENTRY_PAYLOAD)
		return e->size <= MAX_BLOB_SCAN;
	return e->size <= MAX_FDT_BYTES &&
	       (it_has_suffix(b, ".dtb") || it_has_suffix(b, ".itb") || it_has_suffix(b, ".fit") ||
	        strstr(b, "fitImage") || it_has_prefix(b, "u-boot"));
}

/* --- privacy ---------------------------------------------------------------------- */

static int capped(struct it_inspect *in, struct chainst *c, enum capped k)
{
	(void)in;
	return ++c->count[k] > MAX_PER_CHECK;
}

static int tld_ok(const struct cfgdata *d, const char *h, size_t n)
{
	static const char *const generic[] = {
	        "com", "net", "org", "io", "info", "biz",    "cloud", "dev", "app", "tech", "ai",
	        "co",  "me",  "tv",  "cc", "xyz",  "online", "site",  "top", "eu",  "asia", NULL};
	static const char *const files[] = {"js", "sh", "py", "pl",  "so", "ko", "rb",
	                                    "pm", "gz", "xz", "bz",  "ts", "md", "db",
	                                    "ui", "h",  "c",  "lua", NULL};
	const char *dot = memrchr(h, '.', n);
	if (!dot)
		return 0;
	const char *t = dot + 1;
	size_t tl = (size_t)(h + n - t);
	if (strv_has_ci(&d->ignore_tlds, t, tl))
		return 0;
	for (size_t i = 0; files[i]; i++)
		if (strlen(files[i]) == tl && strncasecmp(files[i], t, tl) == 0)
			return 0;
	for (size_t i = 0; generic[i]; i++)
		if (strlen(generic[i]) == tl && strncasecmp(generic[i], t, tl) == 0)
			return 1;
	if (tl != 2)
		return 0;
	return isalpha((unsigned char)t[0]) && isalpha((unsigned char)t[1]);
}

static const struct host_rule *suffix_match(const struct host_rule *r, size_t n, const char *h,
                                            size_t hl)
{
	for (size_t i = 0; i < n; i++) {
		size_t sl = strlen(r[i].suffix);
		if (hl < sl || strncasecmp(h + hl - sl, r[i].suffix, sl) != 0)
			continue;
		if (hl == sl || h[hl - sl - 1] == '.')
			return &r[i];
	}
	return NULL;
}

static const char *label_match(const struct it_strv *labels, const char *h, size_t hl)
{
	size_t dots = 0;
	for (size_t i = 0; i < hl; i++)
		dots += h[i] == '.';
	if (dots < 2)
		return NULL;
	for (size_t i = 0; i < hl;) {
		size_t k = i;
		while (k < hl && h[k] != '.')
			k++;
		for (size_t j = 0; j < labels->n; j++)
			if (strlen(labels->v[j]) == k - i &&
			    strncasecmp(labels->v[j], h + i, k - i) == 0)
				return labels->v[j];
		i = k + 1;
	}
	return NULL;
}

static int host_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '-';
}

/* Hosts named on the line: tele/cloud findings (one per host per file, capped). */
static int privacy_line(struct fctx *f, struct it_strv *seen)
{
	const struct cfgdata *d = &f->s->d;
	const char *l = f->l;
	size_t n = f->len, found = 0;
	for (size_t i = 0; i < n && found < MAX_HOSTS_LINE;) {
		if (!isalnum((unsigned char)l[i]) || (i && host_char(l[i - 1]))) {
			i++;
			continue;
		}
		size_t k = i;
		while (k < n && host_char(l[k]))
			k++;
		size_t hl = k - i;
		const char *h = l + i;
		while (hl && (h[hl - 1] == '.' || h[hl - 1] == '-'))
			hl--;
		i = k;
		if (hl < 4 || hl > 253 || !memchr(h, '.', hl) || !tld_ok(d, h, hl) ||
		    strv_has_ci(seen, h, hl))
			continue;
		if (k < n && (l[k] == '(' || l[k] == '@'))
			continue; /* a call or an e-mail's user part */
		const struct host_rule *r = suffix_match(d->tele, d->n_tele, h, hl);
		const char *label = r ? NULL : label_match(&d->tele_labels, h, hl);
		const char *check = "privacy.telemetry-endpoint";
		enum capped cap = CAP_TELE;
		if (!r && !label) {
			r = suffix_match(d->cloud, d->n_cloud, h, hl);
			label = r ? NULL : label_match(&d->cloud_labels, h, hl);
			check = "privacy.hardcoded-cloud-host";
			cap = CAP_CLOUD;
		}
		if (!r && !label)
			continue;
		char host[256];
		snprintf(host, sizeof(host), "%.*s", (int)hl, h);
		for (char *q = host; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		if (seen->n < 256 && it_strv_push(seen, host) < 0)
			return it_error_nomem(f->err);
		found++;
		if (capped(f->in, f->c, cap))
			continue;
		struct it_finding_loc loc = {f->e->chain, f->e->path, f->line};
		int rc = r ? it_inspect_report(f->in, check, -1, &loc, host, f->err,
		                               "%s names %s's host %s", f->e->path, r->owner, host)
		           : it_inspect_report(f->in, check, -1, &loc, host, f->err,
		                               "%s names the host %s (a '%s' label)", f->e->path,
		                               host, label);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* --- a text file --------------------------------------------------------------------- */

static const struct tls_syntax *tls_syntax_of(const struct cfgdata *d, const char *p)
{
	for (size_t i = 0; i < d->n_tls; i++)
		if (glob_any(&d->tls[i].paths, p))
			return &d->tls[i];
	return NULL;
}

static int conf_file(const char *p)
{
	const char *b = it_path_base(p);
	if (strcmp(b, "ssh_config") == 0 || strstr(p, "ssh_config.d/"))
		return 0; /* the SSH client's "Host *" is no listener */
	return it_has_suffix(b, ".conf") || it_has_suffix(b, ".cfg") || it_has_suffix(b, ".cnf") ||
	       it_has_suffix(b, ".ini") || it_has_suffix(b, ".toml") || it_has_suffix(b, ".yaml") ||
	       it_has_suffix(b, ".yml") || strcmp(b, "sshd_config") == 0 ||
	       (it_has_prefix(p, "etc/") && !strchr(b, '.') && !it_has_prefix(p, "etc/init.d/") &&
	        !it_has_prefix(p, "etc/rc"));
}

static int web_ui_file(const char *p)
{
	return it_has_prefix(p, "www/") || it_has_prefix(p, "var/www/") ||
	       it_has_prefix(p, "usr/www/") || strstr(p, "htdocs/") || it_has_prefix(p, "web/") ||
	       it_has_prefix(p, "webroot/") || strstr(p, "cgi-bin/");
}

static int scan_text(struct fctx *f, const char *text, size_t len)
{
	const struct cfgdata *d = &f->s->d;
	const char *p = f->e->path, *b = it_path_base(p);
	int boa = strcmp(b, "boa.conf") == 0, mini = strcmp(b, "mini_httpd.conf") == 0;
	int lighttpd = strstr(p, "lighttpd") != NULL && (it_has_suffix(b, ".conf")),
	    nginx = f->tls && strcmp(f->tls->name, "nginx") == 0,
	    uhttpd = strcmp(p, "etc/config/uhttpd") == 0;
	int upd = update_wants(d, p), privacy = !it_has_prefix(p, "usr/share/") || web_ui_file(p);
	int mosq_port = 0, mosq_bind = 0, ldepth = 0, ndepth = 0, mini_ssl = 0;
	unsigned port_line = 0, mini_cgi_line = 0;
	char *port_text = NULL, *mini_cgi_text = NULL;
	struct nginx_block nb = {0};
	struct uhttpd_sec us = {0};
	struct it_strv seen = {0};
	f->script = len > 2 && text[0] == '#' && text[1] == '!';
	f->script |= it_has_suffix(b, ".sh") || it_has_suffix(b, ".cgi");
	f->conf = !f->script && conf_file(p);
	f->update_path = rx_line(f->s, d->rx_update, p, strlen(p));
	f->kconfig_seen = glob_any(&d->kconfig_paths, p);
	const char *cur = text;
	unsigned no = 0, first;
	int r, rc = 0;
	while (rc == 0 && (r = it_text_next_line(&cur, text + len, &no, &f->s->line, &first)) > 0) {
		f->l = it_buf_str(&f->s->line);
		f->len = f->s->line.len;
		f->line = first;
		const char *l = skip_ws(f->l);
		if (f->tls && tls_line(f) < 0)
			rc = -1;
		else if (f->conf && *l != '#' && generic_bind(f) < 0)
			rc = -1;
		else if (f->conf &&
		         syntax_listen(f, b, &mosq_port, &port_line, &port_text, &mosq_bind) < 0)
			rc = -1;
		else if (lighttpd && lighttpd_line(f, &ldepth) < 0)
			rc = it_error_nomem(f->err);
		else if (nginx && nginx_line(f, &nb, &ndepth) < 0)
			rc = -1;
		else if (uhttpd && uhttpd_line(f, &us) < 0)
			rc = -1;
		else if (upd && update_line(f) < 0)
			rc = -1;
		else if (f->script && script_line(f) < 0)
			rc = -1;
		else if (integrity_line(f) < 0)
			rc = -1;
		else if (privacy && *l != '#' && privacy_line(f, &seen) < 0)
			rc = -1;
		if (rc == 0 && boa && it_has_prefix(l, "ScriptAlias")) {
			rc = here(f, "web.plain-http-admin", -1,
			          "boa (which has no TLS support) serves CGI scripts over plain "
			          "HTTP");
			boa = 0;
		}
		if (rc == 0 && mini) {
			if (it_has_prefix(l, "ssl"))
				mini_ssl = 1;
			if (it_has_prefix(l, "cgipat") && !mini_cgi_line) {
				mini_cgi_line = first;
				if (!(mini_cgi_text = it_text_excerpt(l)))
					rc = it_error_nomem(f->err);
			}
		}
	}
	if (r < 0 && rc == 0)
		rc = it_error_nomem(f->err);
	if (rc == 0 && nb.open)
		rc = nginx_end(f, &nb);
	if (rc == 0 && uhttpd)
		rc = uhttpd_end(f, &us);
	if (rc == 0 && mosq_port && !mosq_bind && !f->listen_done) {
		struct it_finding_loc loc = {f->e->chain, p, port_line};
		rc = it_inspect_report(
		        f->in, "svc.listen-all", -1, &loc, port_text, f->err,
		        "mosquitto's default listener (port) has no bind_address, so it "
		        "binds every interface");
	}
	if (rc == 0 && mini && mini_cgi_line && !mini_ssl) {
		struct it_finding_loc loc = {f->e->chain, p, mini_cgi_line};
		rc = it_inspect_report(f->in, "web.plain-http-admin", -1, &loc, mini_cgi_text,
		                       f->err,
		                       "mini_httpd serves CGI programs over plain HTTP (no ssl)");
	}
	if (rc == 0 && f->script)
		rc = script_end(f);
	if (rc == 0 && f->kconfig.len) {
		struct it_finding_loc loc = {f->e->chain, p, 0};
		rc = it_inspect_report(f->in, "boot.secure-boot-hint", -1, &loc, NULL, f->err,
		                       "configuration %s enables %s", p, it_buf_str(&f->kconfig));
	}
	free(f->checksum_text);
	free(port_text);
	free(mini_cgi_text);
	free(nb.listen_text);
	free(us.http_text);
	it_strv_free(&seen);
	it_buf_free(&f->kconfig);
	return rc;
}

/* --- entries and the end ----------------------------------------------------------- */

static int cfg_entry(struct it_inspect *in, void *state, const struct it_entry *e,
                     struct it_error *err)
{
	struct cfg *s = state;
	if (e->type == IT_ENTRY_PAYLOAD) {
		const uint8_t *data;
		size_t len;
		if (!fdt_candidate(e))
			return 0;
		if (it_inspect_bytes(in, e, &data, &len, err) < 0)
			return err->code ? -1 : 0;
		return fdt_file(in, e, data, len, err);
	}
	if (!e->path[0])
		return 0;
	struct chainst *c = chain_get(s, e->chain);
	if (!c || update_entry(s, c, e) < 0)
		return it_error_nomem(err);
	for (size_t i = 0; i < s->d.n_int_files; i++)
		if (e->type != IT_ENTRY_DIR && alt_path(&s->d.int_files[i], e->path) &&
		    report(in, e->chain, "boot.secure-boot-hint", -1, e->path, 0, NULL, err,
		           "the image holds %s", s->d.int_files[i].what) < 0)
			return -1;
	if (e->type != IT_ENTRY_FILE || e->size == 0)
		return 0;
	int fdt = fdt_candidate(e);
	int text = e->size <= MAX_TEXT_BYTES && text_candidate(&s->d, e->path);
	if (!fdt && !text)
		return 0;
	const uint8_t *data;
	size_t len;
	if (it_inspect_bytes(in, e, &data, &len, err) < 0)
		return err->code ? -1 : 0;
	if (fdt && len >= 4 && memcmp(data, "\xd0\x0d\xfe\xed", 4) == 0)
		return fdt_file(in, e, data, len, err);
	if (!text || !it_text_looks(data, len))
		return 0;
	struct fctx f = {.in = in, .s = s, .c = c, .e = e, .err = err};
	f.tls = tls_syntax_of(&s->d, e->path);
	return scan_text(&f, (const char *)data, len);
}

static int report_updates(struct it_inspect *in, const struct cfgdata *d, const struct chainst *c,
                          struct it_error *err)
{
	for (size_t i = 0; i < d->n_clients; i++) {
		const struct client *cl = &d->clients[i];
		const struct client_state *st = &c->cl[i];
		if (!st->bin)
			continue;
		if (report(in, c->name, "update.client-present", -1, st->bin, 0, NULL, err,
		           "%s (software update client) is installed as %s", cl->name, st->bin) < 0)
			return -1;
		struct it_buf m = IT_BUF_INIT;
		for (size_t g = 0; g < cl->n_req; g++)
			if (!st->met[g] && it_buf_printf(&m, "%s%s", m.len ? " and no " : "",
			                                 cl->req[g].what) < 0) {
				it_buf_free(&m);
				return it_error_nomem(err);
			}
		int rc = 0;
		if (m.len)
			rc = report(in, c->name, "update.no-signature-check", -1, st->bin, 0, NULL,
			            err, "%s is installed, but the image holds no %s", cl->name,
			            it_buf_str(&m));
		it_buf_free(&m);
		if (rc < 0)
			return -1;
		for (size_t k = 0; k < cl->n_deny; k++) {
			const struct hit *h = &st->deny[k];
			if (h->path &&
			    report(in, c->name, "update.no-signature-check", -1, h->path, h->line,
			           h->excerpt, err, "%s installs updates unverified: %s", cl->name,
			           cl->deny[k].what ? cl->deny[k].what
			                            : "verification "
			                              "is off") < 0)
				return -1;
		}
	}
	return 0;
}

static int report_lighttpd(struct it_inspect *in, const struct chainst *c, struct it_error *err)
{
	const struct lighttpd_facts *lt = &c->lt;
	if (!lt->seen || !lt->admin || lt->redirect || lt->ssl_global || lt->port_tls)
		return 0;
	const char *path = lt->port.path ? lt->port.path : lt->main_path;
	if (!path)
		return 0;
	return report(in, c->name, "web.plain-http-admin", -1, path, lt->port.line,
	              lt->port.excerpt, err,
	              "lighttpd serves CGI/FastCGI applications on a plain HTTP port%s without "
	              "redirecting to HTTPS",
	              lt->port.path ? "" : " (server.port is not set: 80)");
}

static int cfg_finish(struct it_inspect *in, void *state, struct it_error *err)
{
	struct cfg *s = state;
	static const char *const capped_ids[CAP_N] = {NULL, "privacy.telemetry-endpoint",
	                                              "privacy.hardcoded-cloud-host"};
	for (size_t i = 0; i < s->n_chains; i++) {
		const struct chainst *c = &s->chains[i];
		if (report_updates(in, &s->d, c, err) < 0 || report_lighttpd(in, c, err) < 0)
			return -1;
		for (size_t k = 1; k < CAP_N; k++)
			if (c->count[k] > MAX_PER_CHECK &&
			    report(in, c->name, capped_ids[k], -1, "", 0, NULL, err,
			           "... and %zu more hosts of this kind in this file system (only "
			           "the "
			           "first %d are listed)",
			           c->count[k] - MAX_PER_CHECK, MAX_PER_CHECK) < 0)
				return -1;
	}
	return 0;
}

static const char *const cfg_checks[] = {"svc.listen-all",
                                         "tls.weak-protocol",
                                         "tls.weak-cipher",
                                         "web.plain-http-admin",
                                         "update.client-present",
                                         "update.no-signature-check",
                                         "boot.secure-boot-hint",
                                         "privacy.telemetry-endpoint",
                                         "privacy.hardcoded-cloud-host",
                                         NULL};

const struct it_inspector it_insp_config = {
        .name = "config",
        .checks = cfg_checks,
        .create = cfg_create,
        .entry = cfg_entry,
        .finish = cfg_finish,
        .destroy = cfg_destroy,
};

/*
 * Credential checks: accounts in passwd/shadow (empty passwords, weak hash schemes, extra
 * uid 0 accounts, well-known default passwords cracked with crypt_r within a time budget),
 * web server password files (htpasswd, htdigest) and credentials hard-coded in scripts and
 * configuration files (PCRE2 patterns from data/secrets/credential-patterns.json).
 * Account files are collected per file system (chain + directory) and judged in finish(),
 * when both passwd and shadow have been seen. No secret ever reaches a message.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <crypt.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "inspect/inspector.h"

#define PASSWORD_LIST   "passwords/iot-default-passwords.txt"
#define PATTERN_FILE    "secrets/credential-patterns.json"
#define MAX_LINE        4096u      /* longer passwd/shadow/htpasswd lines are skipped */
#define MAX_ACCOUNTS    65536u     /* per file */
#define MAX_TEXT_FILE   (1u << 20) /* files scanned for hard-coded credentials */
#define MAX_HITS_FILE   50u        /* hard-coded findings per file */
#define MAX_FIELD       256u       /* bytes kept of a user name or hash */
#define EVIDENCE_PREFIX 100u       /* bytes of a line kept before a redacted secret */
#define MAX_EVIDENCE    200u       /* bytes of an evidence excerpt */

/* --- password hash schemes ----------------------------------------------- */

enum scheme {
	SCH_EMPTY,
	SCH_LOCKED,
	SCH_UNKNOWN,
	SCH_PLAIN,  /* htpasswd only */
	SCH_DIGEST, /* htdigest: md5(user:realm:password) */
	SCH_SHA_B64,
	SCH_DES,
	SCH_BSDI,
	SCH_NT,
	SCH_MD5,
	SCH_APR1,
	SCH_SUNMD5,
	SCH_SHA1,
	SCH_BCRYPT_BAD,
	SCH_SHA256,
	SCH_SHA512,
	SCH_BCRYPT,
	SCH_SCRYPT,
	SCH_YESCRYPT,
	SCH_GOST_YESCRYPT,
	SCH_COUNT
};

/* weak: 0 acceptable, 1 weak (medium), 2 very weak (high). The enum order is the cost
 * order in which hashes are cracked (cheap first). */
static const struct {
	const char *name;
	int weak;
} schemes[SCH_COUNT] = {
        [SCH_EMPTY] = {"empty", 0},
        [SCH_LOCKED] = {"locked", 0},
        [SCH_UNKNOWN] = {"unknown", 0},
        [SCH_PLAIN] = {"plain text", 2},
        [SCH_DIGEST] = {"htdigest MD5 (unsalted)", 2},
        [SCH_SHA_B64] = {"{SHA} (unsalted SHA-1)", 2},
        [SCH_DES] = {"traditional DES crypt", 2},
        [SCH_BSDI] = {"BSDi extended DES crypt", 2},
        [SCH_NT] = {"NT hash ($3$)", 2},
        [SCH_MD5] = {"MD5-crypt ($1$)", 1},
        [SCH_APR1] = {"Apache MD5 ($apr1$)", 1},
        [SCH_SUNMD5] = {"Sun MD5-crypt ($md5)", 1},
        [SCH_SHA1] = {"SHA1-crypt ($sha1$)", 1},
        [SCH_BCRYPT_BAD] = {"bcrypt with the $2$/$2x$ flaw", 1},
        [SCH_SHA256] = {"SHA-256-crypt ($5$)", 0},
        [SCH_SHA512] = {"SHA-512-crypt ($6$)", 0},
        [SCH_BCRYPT] = {"bcrypt", 0},
        [SCH_SCRYPT] = {"scrypt ($7$)", 0},
        [SCH_YESCRYPT] = {"yescrypt ($y$)", 0},
        [SCH_GOST_YESCRYPT] = {"gost-yescrypt ($gy$)", 0},
};

static int is_crypt64(int c)
{
	return c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

static int all_crypt64(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_crypt64((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The scheme of a crypt(3) string as found in passwd or shadow. */
static enum scheme classify_crypt(const char *h)
{
	static const struct {
		const char *prefix;
		enum scheme s;
	} pfx[] = {
	        {"$1$", SCH_MD5},      {"$md5", SCH_SUNMD5},        {"$sha1$", SCH_SHA1},
	        {"$3$", SCH_NT},       {"$2$", SCH_BCRYPT_BAD},     {"$2x$", SCH_BCRYPT_BAD},
	        {"$2a$", SCH_BCRYPT},  {"$2b$", SCH_BCRYPT},        {"$2y$", SCH_BCRYPT},
	        {"$5$", SCH_SHA256},   {"$6$", SCH_SHA512},         {"$7$", SCH_SCRYPT},
	        {"$y$", SCH_YESCRYPT}, {"$gy$", SCH_GOST_YESCRYPT}, {"$apr1$", SCH_APR1},
	};
	size_t n = strlen(h);
	if (n == 0)
		return SCH_EMPTY;
	if (h[0] == '!' || h[0] == '*')
		return SCH_LOCKED;
	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (it_has_prefix(h, pfx[i].prefix))
			return pfx[i].s;
	if (n == 13 && all_crypt64(h, 13))
		return SCH_DES;
	if (n == 20 && h[0] == '_' && all_crypt64(h + 1, 19))
		return SCH_BSDI;
	return SCH_UNKNOWN;
}

/* The scheme of an htpasswd (or htdigest, with a realm) hash. */
static enum scheme classify_web(const char *h, int digest)
{
	if (digest) {
		size_t n = strlen(h);
		if (n != 32)
			return SCH_UNKNOWN;
		for (size_t i = 0; i < n; i++)
			if (!strchr("0123456789abcdefABCDEF", h[i]))
				return SCH_UNKNOWN;
		return SCH_DIGEST;
	}
	if (it_has_prefix(h, "{SHA}"))
		return SCH_SHA_B64;
	enum scheme s = classify_crypt(h);
	if (s == SCH_UNKNOWN || s == SCH_LOCKED)
		return *h ? SCH_PLAIN : SCH_EMPTY;
	return s;
}

/* --- collected accounts --------------------------------------------------- */

struct acct {
	char *name, *pw, *rest; /* rest: the fields after the password, for evidence */
	char *shell;            /* NULL when the field is missing */
	long uid;               /* -1 when unknown */
	unsigned line;
};

struct acctfile {
	char *path;
	struct acct *v;
	size_t n, cap;
};

/* passwd and shadow of one file system, keyed by chain and directory. */
struct fsroot {
	char *chain, *dir;
	struct acctfile passwd, shadow;
	int has_passwd, has_shadow;
};

struct webpw {
	char *user, *realm, *hash;
	unsigned line;
	enum scheme s;
};

struct webfile {
	char *chain, *path;
	struct webpw *v;
	size_t n, cap;
};

/* One password hash to test against the default list. */
struct job {
	const char *hash, *user, *realm;
	enum scheme s;
	int prio;     /* lower is tried first */
	long found;   /* round that matched: 0 = user name, i = list entry i; -1 none */
	size_t tried; /* candidates tried */
	int complete; /* every candidate tried (or found) */
};

/* --- hard-coded credential patterns --------------------------------------- */

struct pattern {
	char *id, *what;
	pcre2_code *re, *path_re;
	int secret_group, name_group; /* name_group -1 when absent */
	int value_rules, skip_equal_name;
};

struct strlist {
	char **v;
	size_t n;
};

struct cred_state {
	struct crypt_data *cd;
	EVP_MD_CTX *md;
	char **pw;         /* the default list */
	unsigned *pw_line; /* line of each entry in PASSWORD_LIST */
	size_t n_pw;
	struct pattern *pat;
	size_t n_pat;
	pcre2_match_data *mdata;
	pcre2_match_context *mctx;
	struct strlist ign_values, ign_contains, ign_prefix, ign_suffix, ign_files;
	struct fsroot *roots;
	size_t n_roots;
	struct webfile *web;
	size_t n_web;
	unsigned *lines; /* lines already reported in the current file */
	size_t n_lines, cap_lines;
};

static const char *const cred_checks[] = {
        "cred.empty-password",
        "cred.weak-hash",
        "cred.default-password",
        "cred.uid0-nonroot",
        "cred.htpasswd",
        "cred.hardcoded",
        NULL,
};

static void strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* --- loading the data ----------------------------------------------------- */

static int load_passwords(struct cred_state *st, const struct it_data *data, struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	if (it_data_read(data, PASSWORD_LIST, &b, err) < 0)
		return -1;
	size_t cap = 0;
	unsigned line = 0;
	const char *p = (const char *)b.data, *end = p + b.len;
	int rc = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - p);
		line++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n && p[0] != '#' && n < MAX_FIELD) {
			if (st->n_pw == cap) {
				size_t c = cap ? cap * 2 : 64;
				char **v = realloc(st->pw, c * sizeof(*v));
				if (v)
					st->pw = v;
				unsigned *l = v ? realloc(st->pw_line, c * sizeof(*l)) : NULL;
				if (!l) {
					rc = it_error_nomem(err);
					break;
				}
				st->pw_line = l;
				cap = c;
			}
			if (!(st->pw[st->n_pw] = strndup(p, n))) {
				rc = it_error_nomem(err);
				break;
			}
			st->pw_line[st->n_pw++] = line;
		}
		p = nl ? nl + 1 : end;
	}
	it_buf_free(&b);
	return rc;
}

static int load_strlist(json_t *root, const char *key, struct strlist *l, struct it_error *err)
{
	json_t *a = json_object_get(root, key);
	if (!a)
		return 0;
	if (!json_is_array(a))
		return it_error_set(err, IT_ERR_INPUT, PATTERN_FILE, IT_NO_OFFSET,
		                    "%s: expected an array of strings", key);
	if (!(l->v = calloc(json_array_size(a) + 1, sizeof(char *))))
		return it_error_nomem(err);
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (!s)
			return it_error_set(err, IT_ERR_INPUT, PATTERN_FILE, IT_NO_OFFSET,
			                    "%s[%zu]: expected a string", key, i);
		if (!(l->v[l->n++] = strdup(s)))
			return it_error_nomem(err);
	}
	return 0;
}

static pcre2_code *compile_re(const char *re, const char *what, size_t idx, struct it_error *err)
{
	int ec;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
	if (!c) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		it_error_set(err, IT_ERR_INPUT, PATTERN_FILE, IT_NO_OFFSET,
		             "patterns[%zu].%s: %s at offset %zu", idx, what, (const char *)msg,
		             (size_t)off);
		return NULL;
	}
	/* JIT is an optimisation: where it is unavailable pcre2_match interprets. */
	(void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
	return c;
}

static int load_pattern(struct pattern *p, json_t *o, size_t idx, struct it_error *err)
{
	const char *id = json_string_value(json_object_get(o, "id"));
	const char *what = json_string_value(json_object_get(o, "what"));
	const char *re = json_string_value(json_object_get(o, "regex"));
	const char *path = json_string_value(json_object_get(o, "path"));
	if (!id || !what || !re)
		return it_error_set(err, IT_ERR_INPUT, PATTERN_FILE, IT_NO_OFFSET,
		                    "patterns[%zu]: needs the strings id, what and regex", idx);
	if (!(p->id = strdup(id)) || !(p->what = strdup(what)))
		return it_error_nomem(err);
	p->value_rules = json_is_true(json_object_get(o, "value_rules"));
	p->skip_equal_name = json_is_true(json_object_get(o, "skip_value_equal_name"));
	if (!(p->re = compile_re(re, "regex", idx, err)))
		return -1;
	if (path && !(p->path_re = compile_re(path, "path", idx, err)))
		return -1;
	p->secret_group = pcre2_substring_number_from_name(p->re, (PCRE2_SPTR) "secret");
	p->name_group = pcre2_substring_number_from_name(p->re, (PCRE2_SPTR) "name");
	if (p->secret_group <= 0)
		return it_error_set(err, IT_ERR_INPUT, PATTERN_FILE, IT_NO_OFFSET,
		                    "patterns[%zu] (%s): no group named 'secret'", idx, id);
	if (p->name_group <= 0)
		p->name_group = -1;
	return 0;
}

static int load_patterns(struct cred_state *st, const struct it_data *data, struct it_error *err)
{
	json_t *root;
	if (it_data_load_json(data, PATTERN_FILE, &root, err) < 0)
		return -1;
	int rc = -1;
	json_t *a = json_object_get(root, "patterns");
	if (!json_is_array(a)) {
		it_error_set(err, IT_ERR_INPUT, PATTERN_FILE, IT_NO_OFFSET,
		             "expected an object with a \"patterns\" array");
		goto out;
	}
	if (load_strlist(root, "ignore_values", &st->ign_values, err) < 0 ||
	    load_strlist(root, "ignore_value_contains", &st->ign_contains, err) < 0 ||
	    load_strlist(root, "ignore_name_prefixes", &st->ign_prefix, err) < 0 ||
	    load_strlist(root, "ignore_name_suffixes", &st->ign_suffix, err) < 0 ||
	    load_strlist(root, "ignore_file_names", &st->ign_files, err) < 0)
		goto out;
	if (!(st->pat = calloc(json_array_size(a) + 1, sizeof(*st->pat)))) {
		it_error_nomem(err);
		goto out;
	}
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i);
		if (!json_is_object(o)) {
			it_error_set(err, IT_ERR_INPUT, PATTERN_FILE, IT_NO_OFFSET,
			             "patterns[%zu]: expected an object", i);
			goto out;
		}
		st->n_pat++;
		if (load_pattern(&st->pat[i], o, i, err) < 0)
			goto out;
	}
	if (!(st->mdata = pcre2_match_data_create(32, NULL)) ||
	    !(st->mctx = pcre2_match_context_create(NULL))) {
		it_error_nomem(err);
		goto out;
	}
	/* Bounds backtracking on hostile input; a pattern that hits it skips the file. */
	pcre2_set_match_limit(st->mctx, 1000000);
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* --- life cycle ----------------------------------------------------------- */

static void acctfile_free(struct acctfile *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].pw);
		free(f->v[i].rest);
		free(f->v[i].shell);
	}
	free(f->v);
	free(f->path);
}

static void cred_destroy(void *vp)
{
	struct cred_state *st = vp;
	if (!st)
		return;
	free(st->cd);
	EVP_MD_CTX_free(st->md);
	for (size_t i = 0; i < st->n_pw; i++)
		free(st->pw[i]);
	free(st->pw);
	free(st->pw_line);
	for (size_t i = 0; i < st->n_pat; i++) {
		free(st->pat[i].id);
		free(st->pat[i].what);
		pcre2_code_free(st->pat[i].re);
		pcre2_code_free(st->pat[i].path_re);
	}
	free(st->pat);
	pcre2_match_data_free(st->mdata);
	pcre2_match_context_free(st->mctx);
	strlist_free(&st->ign_values);
	strlist_free(&st->ign_contains);
	strlist_free(&st->ign_prefix);
	strlist_free(&st->ign_suffix);
	strlist_free(&st->ign_files);
	for (size_t i = 0; i < st->n_roots; i++) {
		free(st->roots[i].chain);
		free(st->roots[i].dir);
		acctfile_free(&st->roots[i].passwd);
		acctfile_free(&st->roots[i].shadow);
	}
	free(st->roots);
	for (size_t i = 0; i < st->n_web; i++) {
		for (size_t j = 0; j < st->web[i].n; j++) {
			free(st->web[i].v[j].user);
			free(st->web[i].v[j].realm);
			free(st->web[i].v[j].hash);
		}
		free(st->web[i].v);
		free(st->web[i].chain);
		free(st->web[i].path);
	}
	free(st->web);
	free(st->lines);
	free(st);
}

static int cred_create(struct it_inspect *in, void **state, struct it_error *err)
{
	struct cred_state *st = calloc(1, sizeof(*st));
	if (!st)
		return it_error_nomem(err);
	*state = st;
	/* struct crypt_data is tens of KiB: one allocation for the whole scan. */
	if (!(st->cd = calloc(1, sizeof(*st->cd))) || !(st->md = EVP_MD_CTX_new()))
		return it_error_nomem(err);
	const struct it_data *data = it_inspect_opts(in)->data;
	if (load_passwords(st, data, err) < 0 || load_patterns(st, data, err) < 0)
		return -1;
	return 0;
}

/* --- small text helpers --------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

static int looks_text(const uint8_t *p, size_t n)
{
	size_t k = n < 4096 ? n : 4096;
	return memchr(p, 0, k) == NULL;
}

/* Append bytes as printable one-line text (other bytes become '?'). */
static int put_clean(struct it_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (it_buf_putc(b, c >= 0x20 && c < 0x7f ? (char)c : c == '\t' ? ' ' : '?') < 0)
			return -1;
	}
	return 0;
}

/* Evidence is at most MAX_EVIDENCE bytes, cut before a whole UTF-8 character (the
 * redaction mark is one). */
static void ev_cap(struct it_buf *b)
{
	if (b->len <= MAX_EVIDENCE)
		return;
	size_t cut = MAX_EVIDENCE;
	while (cut > 0 && (b->data[cut] & 0xc0) == 0x80)
		cut--;
	it_buf_truncate(b, cut);
}

/* "name:<redacted hash>:rest" for an account line. */
static int account_evidence(struct it_buf *b, const struct acct *a)
{
	if (put_clean(b, a->name, strlen(a->name)) < 0 || it_buf_putc(b, ':') < 0)
		return -1;
	if (*a->pw && classify_crypt(a->pw) != SCH_LOCKED && strcmp(a->pw, "x") != 0) {
		if (it_redact(b, a->pw, strlen(a->pw)) < 0)
			return -1;
	} else if (put_clean(b, a->pw, strlen(a->pw)) < 0) {
		return -1;
	}
	if (a->rest && (it_buf_putc(b, ':') < 0 || put_clean(b, a->rest, strlen(a->rest)) < 0))
		return -1;
	ev_cap(b);
	return 0;
}

/* --- passwd / shadow parsing ---------------------------------------------- */

/* Split one line into at most max fields on ':'; returns the count. */
static size_t split_fields(const char *s, size_t n, const char **f, size_t *fl, size_t max)
{
	size_t k = 0;
	const char *p = s, *end = s + n;
	while (k < max) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		f[k] = p;
		fl[k] = (size_t)((c ? c : end) - p);
		k++;
		if (!c)
			break;
		p = c + 1;
	}
	return k;
}

static int valid_user(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f)
			return 0;
	}
	return 1;
}

static long parse_uid(const char *s, size_t n)
{
	if (n == 0 || n > 10)
		return -1;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int add_account(struct acctfile *f, const char *line, size_t n, unsigned lineno, int shadow)
{
	const char *fld[9] = {0};
	size_t fl[9] = {0};
	size_t k = split_fields(line, n, fld, fl, 9);
	/* NIS compat lines (+user, -user, +) are no accounts. */
	if (k < 2 || fld[0][0] == '+' || fld[0][0] == '-' || !valid_user(fld[0], fl[0]) ||
	    fl[1] >= MAX_FIELD)
		return 0;
	if (f->n >= MAX_ACCOUNTS || it_array_grow(&f->v, &f->cap, f->n, sizeof(*f->v)) < 0)
		return f->n >= MAX_ACCOUNTS ? 0 : -1;
	struct acct a = {.uid = -1, .line = lineno};
	size_t rest_off = (size_t)(fld[1] + fl[1] - line);
	size_t rest_len = k > 2 ? n - rest_off - 1 : 0;
	if (rest_len > 120)
		rest_len = 120;
	if (!(a.name = strndup(fld[0], fl[0])) || !(a.pw = strndup(fld[1], fl[1])) ||
	    (k > 2 && !(a.rest = strndup(line + rest_off + 1, rest_len))))
		goto fail;
	if (!shadow) {
		if (k > 2)
			a.uid = parse_uid(fld[2], fl[2]);
		if (k > 6 && !(a.shell = strndup(fld[6], fl[6] < MAX_FIELD ? fl[6] : MAX_FIELD)))
			goto fail;
	}
	f->v[f->n++] = a;
	return 0;
fail:
	free(a.name);
	free(a.pw);
	free(a.rest);
	return -1;
}

/* Call fn on every line (without its newline and '\r'), skipping over-long lines,
 * blank lines and '#' comments. */
static int each_line(const uint8_t *p, size_t len,
                     int (*fn)(void *, const char *, size_t, unsigned), void *user)
{
	const char *s = (const char *)p, *end = s + len;
	unsigned line = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - s);
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		size_t i = 0;
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (n - i > 0 && n <= MAX_LINE && s[i] != '#' && fn(user, s + i, n - i, line) < 0)
			return -1;
		s = nl ? nl + 1 : end;
	}
	return 0;
}

struct acct_parse {
	struct acctfile *f;
	int shadow;
};

static int acct_line(void *user, const char *s, size_t n, unsigned line)
{
	struct acct_parse *ap = user;
	return add_account(ap->f, s, n, line, ap->shadow);
}

/* Is this the passwd or shadow file of a root file system? 1 passwd, 2 shadow. */
static int account_file_kind(const char *path)
{
	const char *b = it_path_base(path);
	int kind = strcmp(b, "passwd") == 0 ? 1 : strcmp(b, "shadow") == 0 ? 2 : 0;
	if (!kind)
		return 0;
	size_t dl = (size_t)(b - path);
	if (dl == 0)
		return 0;
	/* The directory must be etc (or etc_ro, as on Ralink SDK firmware). */
	const char *d = path;
	size_t n = dl - 1;
	if (ends_with_ci(d, n, "/etc") || (n == 3 && strncmp(d, "etc", 3) == 0) ||
	    ends_with_ci(d, n, "/etc_ro") || (n == 6 && strncmp(d, "etc_ro", 6) == 0))
		return kind;
	return 0;
}

static struct fsroot *find_root(struct cred_state *st, const char *chain, const char *dir,
                                size_t dl)
{
	for (size_t i = 0; i < st->n_roots; i++)
		if (strcmp(st->roots[i].chain, chain) == 0 && strlen(st->roots[i].dir) == dl &&
		    strncmp(st->roots[i].dir, dir, dl) == 0)
			return &st->roots[i];
	struct fsroot *v = realloc(st->roots, (st->n_roots + 1) * sizeof(*v));
	if (!v)
		return NULL;
	st->roots = v;
	struct fsroot *r = &st->roots[st->n_roots];
	memset(r, 0, sizeof(*r));
	if (!(r->chain = strdup(chain)) || !(r->dir = strndup(dir, dl))) {
		free(r->chain);
		return NULL;
	}
	st->n_roots++;
	return r;
}

static int read_accounts(struct it_inspect *in, struct cred_state *st, const struct it_entry *e,
                         int kind, struct it_error *err)
{
	const uint8_t *p;
	size_t len;
	if (it_inspect_bytes(in, e, &p, &len, err) < 0)
		return err->code ? -1 : 0;
	const char *b = it_path_base(e->path);
	struct fsroot *r = find_root(st, e->chain, e->path, (size_t)(b - e->path));
	if (!r)
		return it_error_nomem(err);
	struct acctfile *f = kind == 1 ? &r->passwd : &r->shadow;
	int *has = kind == 1 ? &r->has_passwd : &r->has_shadow;
	if (*has)
		return 0; /* the same path twice in one chain: keep the first */
	*has = 1;
	if (!(f->path = strdup(e->path)))
		return it_error_nomem(err);
	struct acct_parse ap = {f, kind == 2};
	if (each_line(p, len, acct_line, &ap) < 0)
		return it_error_nomem(err);
	return 0;
}

/* --- htpasswd / htdigest ------------------------------------------------- */

static int is_web_password_file(const char *path)
{
	static const char *const skip_ext[] = {".1",  ".8",  ".gz", ".html", ".htm", ".c",  ".h",
	                                       ".so", ".md", ".py", ".php",  ".pl",  ".sh", NULL};
	if (it_has_prefix(path, "usr/share/doc/") || it_has_prefix(path, "usr/share/man/") ||
	    strstr(path, "/usr/share/doc/") || strstr(path, "/usr/share/man/") ||
	    strstr(path, "bin/"))
		return 0;
	const char *b = it_path_base(path);
	for (size_t i = 0; skip_ext[i]; i++)
		if (ends_with(b, skip_ext[i]))
			return 0;
	if (strcasestr(b, "htpasswd") || strcasestr(b, "htdigest") || strcasestr(b, "htusers"))
		return 1;
	return strncasecmp(b, "lighttpd", 8) == 0 && ends_with(b, ".user");
}

struct web_parse {
	struct webfile *f;
};

static int web_line(void *user, const char *s, size_t n, unsigned line)
{
	struct web_parse *wp = user;
	struct webfile *f = wp->f;
	const char *fld[4];
	size_t fl[4];
	size_t k = split_fields(s, n, fld, fl, 4);
	if (k < 2 || k > 3 || !valid_user(fld[0], fl[0]))
		return 0;
	size_t hi = k - 1;
	if (fl[hi] == 0 || fl[hi] >= MAX_FIELD || memchr(fld[hi], ' ', fl[hi]) ||
	    memchr(fld[hi], '\t', fl[hi]))
		return 0;
	if (f->n >= MAX_ACCOUNTS || it_array_grow(&f->v, &f->cap, f->n, sizeof(*f->v)) < 0)
		return f->n >= MAX_ACCOUNTS ? 0 : -1;
	struct webpw w = {.line = line};
	if (!(w.user = strndup(fld[0], fl[0])) || !(w.hash = strndup(fld[hi], fl[hi])) ||
	    (k == 3 && !(w.realm = strndup(fld[1], fl[1] < MAX_FIELD ? fl[1] : MAX_FIELD)))) {
		free(w.user);
		free(w.hash);
		return -1;
	}
	w.s = classify_web(w.hash, k == 3);
	if (w.s == SCH_UNKNOWN) { /* three fields but no MD5 digest: not a password file */
		free(w.user);
		free(w.hash);
		free(w.realm);
		return 0;
	}
	f->v[f->n++] = w;
	return 0;
}

static int read_web_file(struct it_inspect *in, struct cred_state *st, const struct it_entry *e,
                         struct it_error *err)
{
	const uint8_t *p;
	size_t len;
	if (e->size > MAX_TEXT_FILE || it_inspect_bytes(in, e, &p, &len, err) < 0)
		return err->code ? -1 : 0;
	if (!looks_text(p, len))
		return 0;
	struct webfile f = {0};
	struct web_parse wp = {&f};
	if (each_line(p, len, web_line, &wp) < 0)
		goto oom;
	if (f.n == 0) {
		free(f.v);
		return 0;
	}
	struct webfile *v = realloc(st->web, (st->n_web + 1) * sizeof(*v));
	if (!v || !(f.chain = strdup(e->chain)) || !(f.path = strdup(e->path))) {
		if (v)
			st->web = v;
		free(f.chain);
		goto oom;
	}
	st->web = v;
	st->web[st->n_web++] = f;
	return 0;
oom:
	for (size_t i = 0; i < f.n; i++) {
		free(f.v[i].user);
		free(f.v[i].hash);
		free(f.v[i].realm);
	}
	free(f.v);
	return it_error_nomem(err);
}

/* --- hard-coded credentials ------------------------------------------------ */

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (strncmp(path, dir, n) == 0)
		return 1;
	const char *s = path;
	while ((s = strstr(s, dir)) != NULL) {
		if (s > path && s[-1] == '/')
			return 1;
		s++;
	}
	return 0;
}

/* Which files are read for hard-coded credentials: decided by path first. 0 no, 1 yes,
 * 2 only if the file starts with "#!" (a script in a bin directory). */
static int hardcoded_candidate(const struct cred_state *st, const struct it_entry *e)
{
	static const char *const skip_dirs[] = {"usr/share/doc/",
	                                        "usr/share/man/",
	                                        "usr/share/info/",
	                                        "usr/share/locale/",
	                                        "usr/share/i18n/",
	                                        "usr/include/",
	                                        "var/lib/dpkg/",
	                                        "var/lib/opkg/",
	                                        "usr/lib/opkg/",
	                                        "lib/apk/",
	                                        "usr/share/zoneinfo/",
	                                        "usr/lib/python",
	                                        "usr/lib/perl",
	                                        "usr/share/perl",
	                                        "usr/lib/node_modules/",
	                                        "usr/share/ca-certificates/",
	                                        "etc/ssl/",
	                                        "usr/share/mime/",
	                                        "usr/share/terminfo/",
	                                        NULL};
	static const char *const exts[] = {".sh",  ".conf",       ".cfg",  ".cnf", ".ini",
	                                   ".env", ".properties", ".json", ".xml", ".yaml",
	                                   ".yml", ".lua",        ".php",  ".js",  ".cgi",
	                                   ".asp", ".netrc",      "rc",    NULL};
	static const char *const skip_exts[] = {
	        ".pem", ".crt", ".cer", ".key", ".der", ".p12", ".pfx", ".gz",  ".xz", ".bz2",
	        ".zst", ".so",  ".ko",  ".a",   ".o",   ".png", ".jpg", ".gif", NULL};
	if (e->type != IT_ENTRY_FILE || e->size == 0 || e->size > MAX_TEXT_FILE)
		return 0;
	const char *path = e->path, *b = it_path_base(path);
	for (size_t i = 0; skip_dirs[i]; i++)
		if (under(path, skip_dirs[i]))
			return 0;
	for (size_t i = 0; i < st->ign_files.n; i++)
		if (strcmp(b, st->ign_files.v[i]) == 0)
			return 0;
	for (size_t i = 0; skip_exts[i]; i++)
		if (ends_with(b, skip_exts[i]))
			return 0;
	if (is_web_password_file(path))
		return 0;
	if (under(path, "etc/") || under(path, "www/") || under(path, "web/") ||
	    under(path, "htdocs/") || under(path, "cgi-bin/") || under(path, "webroot/") ||
	    under(path, "lib/systemd/") || under(path, "root/") || under(path, "home/"))
		return 1;
	for (size_t i = 0; exts[i]; i++)
		if (ends_with(b, exts[i]))
			return 1;
	if (under(path, "bin/") || under(path, "sbin/") || under(path, "libexec/") ||
	    under(path, "init.d/") || under(path, "opt/"))
		return 2;
	return 0;
}

static int in_list_ci(const struct strlist *l, const char *s, size_t n)
{
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == n && strncasecmp(l->v[i], s, n) == 0)
			return 1;
	return 0;
}

static int contains_ci(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; m && i + m <= n; i++)
		if (strncasecmp(s + i, needle, m) == 0)
			return 1;
	return 0;
}

/* Does a matched value look like a real secret rather than a path, a placeholder, a
 * template or a setting? */
static int value_is_secret(const struct cred_state *st, const struct pattern *pt, const char *v,
                           size_t vn, const char *name, size_t nn)
{
	if (pt->skip_equal_name && name && vn == nn && strncasecmp(v, name, vn) == 0)
		return 0;
	if (!pt->value_rules)
		return 1;
	if (v[0] == '/' || (vn > 1 && (v[0] == '.' || v[0] == '~') && v[1] == '/'))
		return 0;
	size_t same = 1;
	while (same < vn && v[same] == v[0])
		same++;
	if (same == vn)
		return 0;
	if ((v[0] == '@' && v[vn - 1] == '@') || (vn > 3 && v[0] == '{' && v[1] == '{') ||
	    v[0] == '%')
		return 0;
	if (in_list_ci(&st->ign_values, v, vn))
		return 0;
	for (size_t i = 0; i < st->ign_contains.n; i++)
		if (contains_ci(v, vn, st->ign_contains.v[i]))
			return 0;
	if (name) {
		for (size_t i = 0; i < st->ign_prefix.n; i++)
			if (nn >= strlen(st->ign_prefix.v[i]) &&
			    strncasecmp(name, st->ign_prefix.v[i], strlen(st->ign_prefix.v[i])) ==
			            0)
				return 0;
		for (size_t i = 0; i < st->ign_suffix.n; i++)
			if (ends_with_ci(name, nn, st->ign_suffix.v[i]))
				return 0;
	}
	return 1;
}

static int line_seen(struct cred_state *st, unsigned line)
{
	for (size_t i = 0; i < st->n_lines; i++)
		if (st->lines[i] == line)
			return 1;
	return 0;
}

static int example_path(const char *path)
{
	return strcasestr(path, "example") || strcasestr(path, "sample") ||
	       ends_with(path, ".dist") || strstr(path, "/doc/") || strstr(path, "/test");
}

/* Report one hard-coded secret at [so, eo) of the file. */
/* The line of a position, counted on from the last one asked (positions only grow). */
struct line_pos {
	size_t off, start; /* a position and the start of its line */
	unsigned line;
};

static void line_advance(struct line_pos *lp, const char *s, size_t to)
{
	if (to < lp->off)
		*lp = (struct line_pos){0, 0, 1};
	const char *q = s + lp->off, *end = s + to;
	while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
		lp->line++;
		q++;
		lp->start = (size_t)(q - s);
	}
	lp->off = to;
}

static int report_hardcoded(struct it_inspect *in, struct cred_state *st, const struct it_entry *e,
                            const struct pattern *pt, const char *s, size_t len, size_t so,
                            size_t eo, const char *name, size_t nn, struct line_pos *lp,
                            struct it_error *err)
{
	line_advance(lp, s, so);
	unsigned line = lp->line;
	const char *ls = s + lp->start;
	if (line_seen(st, line))
		return 0;
	if (it_array_grow(&st->lines, &st->cap_lines, st->n_lines, sizeof(unsigned)) < 0)
		return it_error_nomem(err);
	st->lines[st->n_lines++] = line;
	const char *from = ls;
	if ((size_t)(s + so - from) > EVIDENCE_PREFIX)
		from = s + so - EVIDENCE_PREFIX;
	struct it_buf ev = IT_BUF_INIT;
	int rc = -1;
	if (put_clean(&ev, from, (size_t)(s + so - from)) < 0 ||
	    it_redact(&ev, s + so, eo - so) < 0)
		goto out;
	if (eo < len && (s[eo] == '"' || s[eo] == '\'') && it_buf_putc(&ev, s[eo]) < 0)
		goto out;
	ev_cap(&ev);
	int sev = example_path(e->path) ? IT_SEV_LOW : -1;
	struct it_finding_loc loc = it_loc(e, line);
	if (name) {
		struct it_buf nb = IT_BUF_INIT;
		if (put_clean(&nb, name, nn < 64 ? nn : 64) < 0) {
			it_buf_free(&nb);
			goto out;
		}
		rc = it_inspect_report(in, "cred.hardcoded", sev, &loc, it_buf_str(&ev), err,
		                       "hard-coded secret for '%s' (%s)", it_buf_str(&nb),
		                       pt->what);
		it_buf_free(&nb);
	} else {
		rc = it_inspect_report(in, "cred.hardcoded", sev, &loc, it_buf_str(&ev), err,
		                       "hard-coded %s", pt->what);
	}
	if (rc < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0 && !err->code)
		it_error_nomem(err);
	it_buf_free(&ev);
	return rc;
}

/* Run every pattern over one text file; the first pattern to fire on a line wins. */
static int scan_hardcoded(struct it_inspect *in, struct cred_state *st, const struct it_entry *e,
                          const uint8_t *p, size_t len, struct it_error *err)
{
	st->n_lines = 0;
	const char *s = (const char *)p;
	for (size_t i = 0; i < st->n_pat && st->n_lines < MAX_HITS_FILE; i++) {
		const struct pattern *pt = &st->pat[i];
		if (pt->path_re && pcre2_match(pt->path_re, (PCRE2_SPTR)e->path, strlen(e->path), 0,
		                               0, st->mdata, st->mctx) < 0)
			continue;
		size_t off = 0;
		struct line_pos lp = {0, 0, 1};
		while (off < len && st->n_lines < MAX_HITS_FILE) {
			int rc = pcre2_match(pt->re, (PCRE2_SPTR)s, len, off, 0, st->mdata,
			                     st->mctx);
			if (rc < 0)
				break; /* no match, or a limit: this pattern is done with the file
				        */
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->mdata);
			size_t m_end = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
			size_t so = ov[2 * pt->secret_group], eo = ov[2 * pt->secret_group + 1];
			const char *name = NULL;
			size_t nn = 0;
			if (pt->name_group > 0 && ov[2 * pt->name_group] != PCRE2_UNSET) {
				name = s + ov[2 * pt->name_group];
				nn = ov[2 * pt->name_group + 1] - ov[2 * pt->name_group];
			}
			if (so != PCRE2_UNSET && eo > so &&
			    value_is_secret(st, pt, s + so, eo - so, name, nn) &&
			    report_hardcoded(in, st, e, pt, s, len, so, eo, name, nn, &lp, err) < 0)
				return -1;
			off = m_end;
		}
	}
	return 0;
}

static int check_hardcoded(struct it_inspect *in, struct cred_state *st, const struct it_entry *e,
                           int how, struct it_error *err)
{
	const uint8_t *p;
	size_t len;
	if (it_inspect_bytes(in, e, &p, &len, err) < 0)
		return err->code ? -1 : 0;
	if (len == 0 || !looks_text(p, len))
		return 0;
	if (how == 2 && (len < 2 || p[0] != '#' || p[1] != '!'))
		return 0;
	return scan_hardcoded(in, st, e, p, len, err);
}

static int cred_entry(struct it_inspect *in, void *vp, const struct it_entry *e,
                      struct it_error *err)
{
	struct cred_state *st = vp;
	if (e->type != IT_ENTRY_FILE)
		return 0;
	int kind = account_file_kind(e->path);
	if (kind)
		return e->size <= MAX_TEXT_FILE ? read_accounts(in, st, e, kind, err) : 0;
	if (is_web_password_file(e->path))
		return read_web_file(in, st, e, err);
	int how = hardcoded_candidate(st, e);
	return how ? check_hardcoded(in, st, e, how, err) : 0;
}

/* --- cracking -------------------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int md5_parts(EVP_MD_CTX *md, const void *const *parts, const size_t *lens, size_t n,
                     unsigned char out[16])
{
	unsigned int ol = 0;
	if (!EVP_DigestInit_ex(md, EVP_md5(), NULL))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (lens[i] && !EVP_DigestUpdate(md, parts[i], lens[i]))
			return -1;
	return EVP_DigestFinal_ex(md, out, &ol) ? 0 : -1;
}

static void to64(char *out, unsigned long v, int n)
{
	static const char itoa64[] =
	        "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	while (n-- > 0) {
		*out++ = itoa64[v & 0x3f];
		v >>= 6;
	}
}

/* Apache's "$apr1$": the MD5-crypt algorithm (Poul-Henning Kamp's) with another magic
 * string, which libcrypt does not offer. out gets the 22 hash characters. */
static int apr1_hash(EVP_MD_CTX *md, const char *pw, const char *salt, size_t sl, char out[23])
{
	static const char magic[] = "$apr1$";
	size_t pl = strlen(pw);
	unsigned char alt[16], fin[16];
	const void *ap[] = {pw, salt, pw};
	const size_t al[] = {pl, sl, pl};
	if (md5_parts(md, ap, al, 3, alt) < 0)
		return -1;
	if (!EVP_DigestInit_ex(md, EVP_md5(), NULL) || !EVP_DigestUpdate(md, pw, pl) ||
	    !EVP_DigestUpdate(md, magic, 6) || !EVP_DigestUpdate(md, salt, sl))
		return -1;
	for (size_t n = pl; n > 0; n -= n > 16 ? 16 : n)
		if (!EVP_DigestUpdate(md, alt, n > 16 ? 16 : n))
			return -1;
	for (size_t i = pl; i; i >>= 1)
		if (!EVP_DigestUpdate(md, (i & 1) ? "" : pw, 1))
			return -1;
	unsigned int ol;
	if (!EVP_DigestFinal_ex(md, fin, &ol))
		return -1;
	for (int i = 0; i < 1000; i++) {
		const void *pp[4];
		size_t ll[4], k = 0;
		pp[k] = (i & 1) ? (const void *)pw : fin;
		ll[k++] = (i & 1) ? pl : 16;
		if (i % 3) {
			pp[k] = salt;
			ll[k++] = sl;
		}
		if (i % 7) {
			pp[k] = pw;
			ll[k++] = pl;
		}
		pp[k] = (i & 1) ? (const void *)fin : pw;
		ll[k++] = (i & 1) ? 16 : pl;
		unsigned char nx[16];
		if (md5_parts(md, pp, ll, k, nx) < 0)
			return -1;
		memcpy(fin, nx, 16);
	}
	static const int idx[5][3] = {{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
	for (int i = 0; i < 5; i++)
		to64(out + 4 * i,
		     ((unsigned long)fin[idx[i][0]] << 16) | ((unsigned long)fin[idx[i][1]] << 8) |
		             fin[idx[i][2]],
		     4);
	to64(out + 20, fin[11], 2);
	out[22] = 0;
	return 0;
}

static int try_apr1(EVP_MD_CTX *md, const char *hash, const char *pw)
{
	const char *salt = hash + 6, *d = strchr(salt, '$');
	if (!d || d - salt > 8 || strlen(d + 1) != 22)
		return 0;
	char out[23];
	return apr1_hash(md, pw, salt, (size_t)(d - salt), out) == 0 && strcmp(out, d + 1) == 0;
}

static int try_sha_b64(const char *hash, const char *pw)
{
	unsigned char dg[20];
	unsigned int dl = 0;
	unsigned char b64[32];
	if (!EVP_Digest(pw, strlen(pw), dg, &dl, EVP_sha1(), NULL) || dl != 20)
		return 0;
	int n = EVP_EncodeBlock(b64, dg, 20);
	return n > 0 && strlen(hash + 5) == (size_t)n && memcmp(hash + 5, b64, (size_t)n) == 0;
}

static int try_digest(EVP_MD_CTX *md, const struct job *j, const char *pw)
{
	const void *pp[] = {j->user, ":", j->realm, ":", pw};
	const size_t ll[] = {strlen(j->user), 1, strlen(j->realm), 1, strlen(pw)};
	unsigned char dg[16];
	char hex[33];
	if (md5_parts(md, pp, ll, 5, dg) < 0)
		return 0;
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", dg[i]);
	return strcasecmp(hex, j->hash) == 0;
}

static int try_password(struct cred_state *st, const struct job *j, const char *pw)
{
	switch (j->s) {
	case SCH_PLAIN:
		return strcmp(pw, j->hash) == 0;
	case SCH_DIGEST:
		return try_digest(st->md, j, pw);
	case SCH_SHA_B64:
		return try_sha_b64(j->hash, pw);
	case SCH_APR1:
		return try_apr1(st->md, j->hash, pw);
	default: {
		const char *r = crypt_r(pw, j->hash, st->cd);
		return r && r[0] != '*' && strcmp(r, j->hash) == 0;
	}
	}
}

static int cmp_job(const void *a, const void *b)
{
	const struct job *const *x = a, *const *y = b;
	if ((*x)->prio != (*y)->prio)
		return (*x)->prio < (*y)->prio ? -1 : 1;
	if ((*x)->s != (*y)->s)
		return (*x)->s < (*y)->s ? -1 : 1;
	return 0;
}

static int crackable(enum scheme s)
{
	return s != SCH_EMPTY && s != SCH_LOCKED && s != SCH_UNKNOWN;
}

/* Try the user name, then every list entry, on every job: password by password (so the
 * most common defaults reach every hash first), cheap hashes first, until the budget
 * is spent. Returns 1 when the budget stopped the work. */
static int crack(struct cred_state *st, struct job *jobs, size_t n, uint64_t budget_ms,
                 struct it_error *err)
{
	if (n == 0)
		return 0;
	struct job **order = malloc(n * sizeof(*order));
	if (!order)
		return it_error_nomem(err);
	for (size_t i = 0; i < n; i++)
		order[i] = &jobs[i];
	qsort(order, n, sizeof(*order), cmp_job);
	uint64_t deadline = now_ms() + budget_ms;
	int stopped = budget_ms == 0;
	for (size_t r = 0; r <= st->n_pw && !stopped; r++) {
		for (size_t i = 0; i < n && !stopped; i++) {
			struct job *j = order[i];
			if (j->complete)
				continue;
			if (now_ms() >= deadline) {
				stopped = 1;
				break;
			}
			const char *cand = r == 0 ? j->user : st->pw[r - 1];
			if (cand && *cand && try_password(st, j, cand)) {
				j->found = (long)r;
				j->complete = 1;
			}
			j->tried++;
		}
	}
	for (size_t i = 0; i < n && !stopped; i++)
		order[i]->complete = 1;
	free(order);
	return stopped;
}

/* --- judging accounts ------------------------------------------------------ */

static int login_shell(const char *shell)
{
	static const char *const no[] = {"nologin",  "false", "true", "sync",
	                                 "shutdown", "halt",  NULL};
	if (!shell || !*shell)
		return 1; /* unknown, or empty = /bin/sh */
	if (strcmp(shell, "/dev/null") == 0)
		return 0;
	const char *b = it_path_base(shell);
	for (size_t i = 0; no[i]; i++)
		if (strcmp(b, no[i]) == 0)
			return 0;
	return 1;
}

/* One account as judged: where its password lives and what it is. */
struct verdict {
	const struct acct *pw_acct;   /* the passwd line, or NULL (shadow only) */
	const struct acct *hash_acct; /* the line holding the password field */
	const char *hash_path;
	enum scheme s;
	int login;
	struct job *job;
};

static const struct acct *find_acct(const struct acctfile *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return &f->v[i];
	return NULL;
}

/* Collect the verdicts of one file system. */
static int judge_root(const struct fsroot *r, struct verdict **out, size_t *n, struct it_error *err)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (r->has_passwd) {
		for (size_t i = 0; i < r->passwd.n; i++) {
			const struct acct *a = &r->passwd.v[i];
			struct verdict v = {.pw_acct = a, .login = login_shell(a->shell)};
			/* "x" (and BusyBox's lone "*") send login to shadow. */
			int to_shadow = strcmp(a->pw, "x") == 0 ||
			                (strcmp(a->pw, "*") == 0 && r->has_shadow &&
			                 find_acct(&r->shadow, a->name));
			if (to_shadow) {
				v.hash_acct = r->has_shadow ? find_acct(&r->shadow, a->name) : NULL;
				v.hash_path = r->shadow.path;
			} else {
				v.hash_acct = a;
				v.hash_path = r->passwd.path;
			}
			v.s = v.hash_acct ? classify_crypt(v.hash_acct->pw) : SCH_LOCKED;
			if (it_array_grow(out, &cap, *n, sizeof(**out)) < 0)
				return it_error_nomem(err);
			(*out)[(*n)++] = v;
		}
		return 0;
	}
	for (size_t i = 0; i < r->shadow.n; i++) {
		const struct acct *a = &r->shadow.v[i];
		struct verdict v = {.hash_acct = a, .hash_path = r->shadow.path, .login = 1};
		v.s = classify_crypt(a->pw);
		if (it_array_grow(out, &cap, *n, sizeof(**out)) < 0)
			return it_error_nomem(err);
		(*out)[(*n)++] = v;
	}
	return 0;
}

static const char *budget_note(struct it_inspect *in, const struct job *j, int stopped,
                               uint64_t budget, size_t n_cand, struct it_error *err)
{
	if (!j || j->complete || !stopped)
		return "";
	return it_inspect_printf(in, err,
	                         " (the default-password test stopped at the %llu ms budget "
	                         "after %zu of %zu candidates)",
	                         (unsigned long long)budget, j->tried, n_cand);
}

static int report_default(struct it_inspect *in, struct cred_state *st, const struct job *j,
                          const char *who, const struct it_finding_loc *loc, const char *evidence,
                          int sev, struct it_error *err)
{
	if (!j || j->found < 0)
		return 0;
	if (j->found == 0) {
		/* the user name: say whether the list has it too, never what it is */
		for (size_t i = 0; i < st->n_pw; i++)
			if (strcmp(st->pw[i], j->user) == 0)
				return it_inspect_report(
				        in, "cred.default-password", sev, loc, evidence, err,
				        "%s has its user name as password, a well-known default "
				        "(entry %zu of %s, line %u)",
				        who, i + 1, PASSWORD_LIST, st->pw_line[i]);
		return it_inspect_report(in, "cred.default-password", sev, loc, evidence, err,
		                         "%s has its user name as password", who);
	}
	size_t i = (size_t)j->found - 1;
	return it_inspect_report(in, "cred.default-password", sev, loc, evidence, err,
	                         "%s uses a well-known default password (entry %zu of %s, "
	                         "line %u)",
	                         who, i + 1, PASSWORD_LIST, st->pw_line[i]);
}

static int report_account(struct it_inspect *in, struct cred_state *st, const struct fsroot *r,
                          const struct verdict *v, int stopped, uint64_t budget,
                          struct it_error *err)
{
	const struct acct *pa = v->pw_acct, *ha = v->hash_acct;
	const char *name = pa ? pa->name : ha->name;
	int uid0 = pa && pa->uid == 0;
	struct it_buf ev = IT_BUF_INIT;
	int rc = -1;
	const char *who = it_inspect_printf(in, err, "account '%s'", name);
	if (!who)
		return -1;
	if (pa && uid0 && strcmp(name, "root") != 0) {
		int usable = v->login && v->s != SCH_LOCKED && v->s != SCH_UNKNOWN;
		struct it_finding_loc ploc = {r->chain, r->passwd.path, pa->line};
		if (account_evidence(&ev, pa) < 0)
			goto oom;
		if (it_inspect_report(in, "cred.uid0-nonroot", usable ? -1 : IT_SEV_LOW, &ploc,
		                      it_buf_str(&ev), err, "%s has uid 0 (root privileges)%s", who,
		                      usable ? "" : "; it is locked or has no login shell") < 0)
			goto out;
		it_buf_truncate(&ev, 0);
	}
	if (!ha) {
		rc = 0;
		goto out;
	}
	struct it_finding_loc loc = {r->chain, v->hash_path, ha->line};
	if (account_evidence(&ev, ha) < 0)
		goto oom;
	if (v->s == SCH_EMPTY && v->login &&
	    it_inspect_report(in, "cred.empty-password", uid0 ? IT_SEV_CRITICAL : IT_SEV_HIGH, &loc,
	                      it_buf_str(&ev), err, "%s%s has an empty password", who,
	                      uid0 ? " (uid 0)" : "") < 0)
		goto out;
	if (schemes[v->s].weak) {
		const char *note = budget_note(in, v->job, stopped, budget, st->n_pw + 1, err);
		if (!note ||
		    it_inspect_report(in, "cred.weak-hash",
		                      schemes[v->s].weak > 1 ? IT_SEV_HIGH : IT_SEV_MEDIUM, &loc,
		                      it_buf_str(&ev), err, "%s has a password hashed with %s%s%s",
		                      who, schemes[v->s].name, v->login ? "" : " (no login shell)",
		                      note) < 0)
			goto out;
	}
	if (report_default(in, st, v->job, who, &loc, it_buf_str(&ev), v->login ? -1 : IT_SEV_HIGH,
	                   err) < 0)
		goto out;
	rc = 0;
	goto out;
oom:
	it_error_nomem(err);
out:
	it_buf_free(&ev);
	return rc;
}

static int report_web(struct it_inspect *in, struct cred_state *st, const struct webfile *f,
                      const struct webpw *w, const struct job *j, int stopped, uint64_t budget,
                      struct it_error *err)
{
	struct it_buf ev = IT_BUF_INIT;
	int rc = -1;
	struct it_finding_loc loc = {f->chain, f->path, w->line};
	if (put_clean(&ev, w->user, strlen(w->user)) < 0 || it_buf_putc(&ev, ':') < 0 ||
	    (w->realm &&
	     (put_clean(&ev, w->realm, strlen(w->realm)) < 0 || it_buf_putc(&ev, ':') < 0)) ||
	    it_redact(&ev, w->hash, strlen(w->hash)) < 0) {
		it_error_nomem(err);
		goto out;
	}
	ev_cap(&ev);
	const char *note = budget_note(in, j, stopped, budget, st->n_pw + 1, err);
	const char *who = it_inspect_printf(in, err, "web user '%s'", w->user);
	if (!note || !who)
		goto out;
	if (it_inspect_report(in, "cred.htpasswd", schemes[w->s].weak ? IT_SEV_HIGH : -1, &loc,
	                      it_buf_str(&ev), err, "%s has a fixed password (%s) in %s%s", who,
	                      schemes[w->s].name, w->realm ? "an htdigest file" : "a password file",
	                      note) < 0)
		goto out;
	rc = report_default(in, st, j, who, &loc, it_buf_str(&ev), -1, err);
out:
	it_buf_free(&ev);
	return rc;
}

static int cred_finish(struct it_inspect *in, void *vp, struct it_error *err)
{
	struct cred_state *st = vp;
	uint64_t budget = it_inspect_opts(in)->crack_budget_ms;
	struct verdict **vv = calloc(st->n_roots + 1, sizeof(*vv));
	size_t *vn = calloc(st->n_roots + 1, sizeof(*vn));
	size_t n_jobs = 0, k = 0;
	struct job *jobs = NULL;
	int rc = -1;
	if (!vv || !vn) {
		it_error_nomem(err);
		goto out;
	}
	for (size_t i = 0; i < st->n_roots; i++) {
		if (judge_root(&st->roots[i], &vv[i], &vn[i], err) < 0)
			goto out;
		n_jobs += vn[i];
	}
	for (size_t i = 0; i < st->n_web; i++)
		n_jobs += st->web[i].n;
	/* Jobs are made in one array first: verdicts point into it. */
	if (n_jobs && !(jobs = calloc(n_jobs, sizeof(*jobs)))) {
		it_error_nomem(err);
		goto out;
	}
	for (size_t i = 0; i < st->n_roots; i++)
		for (size_t a = 0; a < vn[i]; a++) {
			struct verdict *v = &vv[i][a];
			if (!crackable(v->s))
				continue;
			const struct acct *pa = v->pw_acct;
			struct job *j = &jobs[k++];
			*j = (struct job){.hash = v->hash_acct->pw,
			                  .user = v->hash_acct->name,
			                  .s = v->s,
			                  .found = -1};
			j->prio = !v->login ? 3 : pa && pa->uid == 0 ? 0 : 1;
			v->job = j;
		}
	size_t web_first = k;
	for (size_t i = 0; i < st->n_web; i++)
		for (size_t a = 0; a < st->web[i].n; a++) {
			const struct webpw *w = &st->web[i].v[a];
			struct job *j = &jobs[k++];
			*j = (struct job){.hash = w->hash,
			                  .user = w->user,
			                  .realm = w->realm,
			                  .s = w->s,
			                  .found = -1,
			                  .prio = 2};
		}
	int stopped = crack(st, jobs, k, budget, err);
	if (stopped < 0)
		goto out;
	for (size_t i = 0; i < st->n_roots; i++)
		for (size_t a = 0; a < vn[i]; a++)
			if (report_account(in, st, &st->roots[i], &vv[i][a], stopped, budget, err) <
			    0)
				goto out;
	k = web_first;
	for (size_t i = 0; i < st->n_web; i++)
		for (size_t a = 0; a < st->web[i].n; a++, k++)
			if (report_web(in, st, &st->web[i], &st->web[i].v[a], &jobs[k], stopped,
			               budget, err) < 0)
				goto out;
	rc = 0;
out:
	for (size_t i = 0; vv && i < st->n_roots; i++)
		free(vv[i]);
	free(vv);
	free(vn);
	free(jobs);
	return rc;
}

const struct it_inspector it_insp_credentials = {
        .name = "credentials",
        .checks = cred_checks,
        .create = cred_create,
        .entry = cred_entry,
        .finish = cred_finish,
        .destroy = cred_destroy,
};

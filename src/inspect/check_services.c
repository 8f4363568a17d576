/*
 * Services and attack surface: the network daemons, debug tools and console shells an
 * image ships, which of them its boot configuration starts (inittab, init.d and rc.d
 * scripts, systemd units, OpenWrt procd scripts, inetd/xinetd), and the SSH servers'
 * login policy (sshd_config, dropbear's arguments, OpenWrt UCI). Everything is collected
 * per container chain while entries stream by and judged in finish, once every boot file
 * and rc link of that file system is known. Program lists live in data/services/.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/inspector.h"

#define MAX_TEXT_BYTES ((uint64_t)1 << 20) /* boot files and configs larger are not read */
#define MAX_LINE       4096                /* a logical line (continuations joined) is cut */
#define MAX_WORDS      96                  /* words of one logical line */
#define MAX_VARS       64                  /* shell variables remembered per file */
#define MAX_VAR_VALUE  512
#define MAX_REFS       4096 /* references kept per chain */
#define MAX_EXCERPT    160
#define UPNP_LIB       "libupnp.so"
#define MAX_ELF_SNIFF  ((uint64_t)16 << 20) /* ELF programs searched for libupnp */

/* --- small containers ---------------------------------------------------- */

/* --- data: data/services/daemons.json ------------------------------------ */

struct daemon {
	char *check, *what, *login_opt;
	struct it_strv names;
};

struct websrv {
	char *name, *what, *docroot_opt;
	int busybox_applet;
	struct it_strv plain_opts, tls_opts;
};

/* --- collected facts ------------------------------------------------------ */

enum origin {
	OR_INITTAB, /* an inittab line */
	OR_BOOT,    /* a script that always runs at boot (rcS, S??name) */
	OR_SCRIPT,  /* an init script that runs when an rc link or a boot script enables it */
	OR_SYSTEMD, /* a systemd unit: runs when enabled (a .wants link) */
	OR_INETD,   /* inetd.conf / xinetd.d: started on demand */
	OR_CONFIG   /* a configuration file that enables the thing itself */
};

enum refkind { REF_DAEMON, REF_SHELL, REF_SSH, REF_WEB };

struct ref {
	enum refkind kind;
	enum origin origin;
	const char *check; /* points into data or a literal */
	int sev;           /* severity at boot, -1 for the check's */
	int daemon;        /* REF_DAEMON: index of the daemon */
	char *path, *unit, *excerpt, *message;
	unsigned line;
	/* REF_WEB: a cgi-bin under this document root ("" = anywhere) marks an admin UI */
	char *need_cgi;
	int need_applet; /* REF_WEB: the program must be a BusyBox applet of this chain */
	char *applet;
	int login_sh; /* REF_SHELL: OpenWrt login.sh, a shell unless system.ttylogin is 1 */
};

struct present {
	int daemon;
	char *path;
	const char *how; /* "a BusyBox applet", "linked with libupnp" or NULL */
};

enum sshkey { SSH_ROOT, SSH_PASS, SSH_EMPTY, SSH_INCLUDE, SSH_NKEYS };

struct sshd_dir {
	enum sshkey key;
	char *value, *excerpt;
	unsigned line;
};

struct sshd_file {
	char *path;
	int main; /* sshd_config itself, not a drop-in */
	struct sshd_dir *d;
	size_t n;
};

struct chainst {
	char *name;
	struct ref *refs;
	size_t n_refs, cap_refs;
	struct present *pres;
	size_t n_pres, cap_pres;
	struct it_strv enabled, enabled_via; /* script or unit names enabled, and by what */
	struct it_strv masked, applets, cgi_dirs;
	struct it_strv loops, loops_via; /* script globs of boot-file for loops over init.d */
	struct sshd_file *sshd;
	size_t n_sshd;
	int ttylogin;
};

struct svc {
	struct daemon *daemons;
	size_t n_daemons;
	struct websrv *web;
	size_t n_web;
	struct it_strv shells, gettys;
	struct chainst *chains;
	size_t n_chains;
	size_t last; /* index of the chain used last */
	struct it_buf line, exp;
};

/* --- loading the data ----------------------------------------------------- */

static int load_daemons(struct svc *s, json_t *arr)
{
	size_t n = json_array_size(arr);
	if (!(s->daemons = calloc(n ? n : 1, sizeof(*s->daemons))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		struct daemon *d = &s->daemons[s->n_daemons];
		d->check = it_json_strdup(o, "check");
		d->what = it_json_strdup(o, "what");
		d->login_opt = it_json_strdup(o, "login_option");
		s->n_daemons++;
		if (!d->check || !d->what ||
		    it_strv_load(json_object_get(o, "names"), &d->names) < 0)
			return -1;
	}
	return 0;
}

static int load_web(struct svc *s, json_t *arr)
{
	size_t n = json_array_size(arr);
	if (!(s->web = calloc(n ? n : 1, sizeof(*s->web))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		struct websrv *w = &s->web[s->n_web++];
		w->name = it_json_strdup(o, "name");
		w->what = it_json_strdup(o, "what");
		w->docroot_opt = it_json_strdup(o, "docroot_option");
		w->busybox_applet = json_is_true(json_object_get(o, "busybox_applet"));
		if (!w->name || !w->what ||
		    it_strv_load(json_object_get(o, "plain_options"), &w->plain_opts) < 0 ||
		    it_strv_load(json_object_get(o, "tls_options"), &w->tls_opts) < 0)
			return -1;
	}
	return 0;
}

static void svc_destroy(void *state);

static int svc_create(struct it_inspect *in, void **state, struct it_error *err)
{
	const char *name = "services/daemons.json";
	struct svc *s = calloc(1, sizeof(*s));
	if (!s)
		return it_error_nomem(err);
	json_t *root;
	if (it_data_load_json(it_inspect_opts(in)->data, name, &root, err) < 0) {
		free(s);
		return -1;
	}
	int rc = 0;
	if (!json_is_array(json_object_get(root, "daemons")))
		rc = it_error_set(err, IT_ERR_INPUT, name, IT_NO_OFFSET,
		                  "expected an object with a \"daemons\" array");
	else if (load_daemons(s, json_object_get(root, "daemons")) < 0 ||
	         load_web(s, json_object_get(root, "web_servers")) < 0 ||
	         it_strv_load(json_object_get(root, "shells"), &s->shells) < 0 ||
	         it_strv_load(json_object_get(root, "gettys"), &s->gettys) < 0)
		rc = it_error_set(
		        err, IT_ERR_INPUT, name, IT_NO_OFFSET,
		        "a daemon or web server entry lacks a string field, or out of memory");
	json_decref(root);
	if (rc < 0) {
		svc_destroy(s);
		return -1;
	}
	*state = s;
	return 0;
}

static void chain_free(struct chainst *c)
{
	for (size_t i = 0; i < c->n_refs; i++) {
		struct ref *r = &c->refs[i];
		free(r->path);
		free(r->unit);
		free(r->excerpt);
		free(r->message);
		free(r->need_cgi);
		free(r->applet);
	}
	free(c->refs);
	for (size_t i = 0; i < c->n_pres; i++)
		free(c->pres[i].path);
	free(c->pres);
	for (size_t i = 0; i < c->n_sshd; i++) {
		for (size_t j = 0; j < c->sshd[i].n; j++) {
			free(c->sshd[i].d[j].value);
			free(c->sshd[i].d[j].excerpt);
		}
		free(c->sshd[i].d);
		free(c->sshd[i].path);
	}
	free(c->sshd);
	it_strv_free(&c->enabled);
	it_strv_free(&c->enabled_via);
	it_strv_free(&c->masked);
	it_strv_free(&c->applets);
	it_strv_free(&c->cgi_dirs);
	it_strv_free(&c->loops);
	it_strv_free(&c->loops_via);
	free(c->name);
}

static void svc_destroy(void *state)
{
	struct svc *s = state;
	if (!s)
		return;
	for (size_t i = 0; i < s->n_daemons; i++) {
		free(s->daemons[i].check);
		free(s->daemons[i].what);
		free(s->daemons[i].login_opt);
		it_strv_free(&s->daemons[i].names);
	}
	free(s->daemons);
	for (size_t i = 0; i < s->n_web; i++) {
		free(s->web[i].name);
		free(s->web[i].what);
		free(s->web[i].docroot_opt);
		it_strv_free(&s->web[i].plain_opts);
		it_strv_free(&s->web[i].tls_opts);
	}
	free(s->web);
	it_strv_free(&s->shells);
	it_strv_free(&s->gettys);
	for (size_t i = 0; i < s->n_chains; i++)
		chain_free(&s->chains[i]);
	free(s->chains);
	it_buf_free(&s->line);
	it_buf_free(&s->exp);
	free(s);
}

static struct chainst *chain_get(struct svc *s, const char *name)
{
	int created;
	return it_chain_slot(&s->chains, &s->n_chains, &s->last, sizeof(struct chainst), name,
	                     &created);
}

/* --- paths ------------------------------------------------------------------ */

/* The directory part of p as a new string's length ("etc/init.d/x" -> 10). */
static size_t dir_len(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? (size_t)(s - p) : 0;
}

/* Is the parent directory's own name equal to name? */
static int parent_is(const char *p, const char *name)
{
	size_t d = dir_len(p), n = strlen(name);
	return d >= n && strncmp(p + d - n, name, n) == 0 && (d == n || p[d - n - 1] == '/');
}

/* Programs live in bin, sbin and libexec directories. */
static int in_bin_dir(const char *p)
{
	return parent_is(p, "bin") || parent_is(p, "sbin") || strstr(p, "libexec/") != NULL;
}

/* "S50telnet" or "K20x": an rc link or sequenced boot script name. */
static int rc_name(const char *b, char kind)
{
	return b[0] == kind && isdigit((unsigned char)b[1]) && isdigit((unsigned char)b[2]) &&
	       b[3] != '\0';
}

static int in_systemd_dir(const char *p)
{
	return it_has_prefix(p, "etc/systemd/system/") || it_has_prefix(p, "lib/systemd/system/") ||
	       it_has_prefix(p, "usr/lib/systemd/system/") ||
	       it_has_prefix(p, "run/systemd/system/");
}

static int is_rc_dir_link(const char *p)
{
	/* etc/rc3.d/S20x, etc/rcS.d/S20x, etc/rc.d/rc3.d/S20x, etc/rc.d/S20x (OpenWrt) */
	const char *b = it_path_base(p);
	if (!rc_name(b, 'S'))
		return 0;
	size_t d = dir_len(p);
	if (d == 8 && strncmp(p, "etc/rc.d", 8) == 0)
		return 1;
	const char *dir = p + d;
	while (dir > p && dir[-1] != '/')
		dir--;
	size_t n = (size_t)(p + d - dir);
	return n == 5 && strncmp(dir, "rc", 2) == 0 && strncmp(dir + 3, ".d", 2) == 0 &&
	       (isdigit((unsigned char)dir[2]) || dir[2] == 'S');
}

/* Which kind of boot file is path, and which script or unit decides whether it runs. */
static int boot_kind(const char *p, enum origin *o)
{
	const char *b = it_path_base(p);
	static const char *const always[] = {"etc/rc.local",
	                                     "etc/rc",
	                                     "etc/rcS",
	                                     "etc/rc.sysinit",
	                                     "etc/init.d/rcS",
	                                     "etc/init.d/rc",
	                                     "etc/init.d/rc.local",
	                                     "etc/rc.d/rc.local",
	                                     "etc/rc.d/rc.sysinit",
	                                     "etc/rc.d/rcS",
	                                     "etc/rc.d/rc.S",
	                                     "etc/rc.d/rc.M"};
	if (strcmp(b, "inittab") == 0 && it_has_prefix(p, "etc/")) {
		*o = OR_INITTAB;
		return 1;
	}
	if (strcmp(p, "etc/inetd.conf") == 0 || it_has_prefix(p, "etc/xinetd.d/")) {
		*o = OR_INETD;
		return 1;
	}
	if (in_systemd_dir(p) && (it_has_suffix(p, ".service") ||
	                          (it_has_suffix(p, ".conf") && strstr(p, ".service.d/")))) {
		*o = OR_SYSTEMD;
		return 1;
	}
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if (strcmp(p, always[i]) == 0) {
			*o = OR_BOOT;
			return 1;
		}
	size_t d = dir_len(p);
	if (rc_name(b, 'S') && d >= 2 && strncmp(p + d - 2, ".d", 2) == 0) {
		*o = OR_BOOT; /* init.d/S50x (BusyBox rcS), rcS.d/S40x, *-startup.d/S10x */
		return 1;
	}
	if (rc_name(b, 'K'))
		return 0;
	if (it_has_prefix(p, "etc/init.d/") || it_has_prefix(p, "etc/rc.d/init.d/")) {
		*o = OR_SCRIPT;
		return 1;
	}
	return 0;
}

/* The unit a systemd file belongs to: "x.service" or, for a drop-in, the .d's name. */
static char *unit_of(const char *p)
{
	const char *d = strstr(p, ".service.d/");
	if (!d)
		return strdup(it_path_base(p));
	const char *s = d;
	while (s > p && s[-1] != '/')
		s--;
	return strndup(s, (size_t)(d - s) + strlen(".service"));
}

/* --- text ---------------------------------------------------------------- */

static int looks_text(const uint8_t *d, size_t n)
{
	return it_text_looks(d, n);
}

struct lines {
	const char *p, *end;
	unsigned no; /* physical lines consumed */
};

static int next_line(struct lines *it, struct it_buf *out, unsigned *first)
{
	return it_text_next_line(&it->p, it->end, &it->no, out, first);
}

static char *excerpt_of(const char *s)
{
	return it_text_excerpt(s);
}

/* --- a small shell-word reader ------------------------------------------- */

struct words {
	char store[2 * MAX_LINE + 2 * MAX_WORDS];
	size_t used;
	char *w[MAX_WORDS];
	unsigned char op[MAX_WORDS]; /* 1 for an operator: ; & | && || ( ) ` $( */
	size_t n;
	char heredoc[64]; /* delimiter of a here-document that starts on this line */
	int heredoc_tabs;
};

static char *words_begin(struct words *w)
{
	return w->store + w->used;
}

static int words_putc(struct words *w, char c)
{
	if (w->used + 1 >= sizeof(w->store))
		return -1;
	w->store[w->used++] = c;
	return 0;
}

static int words_end(struct words *w, char *start, int op)
{
	if (words_putc(w, '\0') < 0 || w->n >= MAX_WORDS)
		return -1;
	w->op[w->n] = (unsigned char)op;
	w->w[w->n++] = start;
	return 0;
}

static int is_opchar(char c)
{
	return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '`';
}

/* Read one word starting at s[*i] (quotes removed) into w; stops at blanks and operators. */
static int read_word(const char *s, size_t n, size_t *i, struct words *w, int keep)
{
	char q = 0;
	while (*i < n) {
		char c = s[*i];
		if (!q && (c == ' ' || c == '\t' || is_opchar(c)))
			break;
		if (!q && (c == '\'' || c == '"')) {
			q = c;
			(*i)++;
			continue;
		}
		if (q && c == q) {
			q = 0;
			(*i)++;
			continue;
		}
		if (c == '\\' && q != '\'' && *i + 1 < n) {
			(*i)++;
			c = s[*i];
		}
		if (keep && words_putc(w, c) < 0)
			return -1;
		(*i)++;
	}
	return 0;
}

/* Split a logical shell line into words and operators. Redirections are dropped,
 * a comment ends the line, a here-document delimiter is remembered. */
static void split_words(const char *s, size_t n, struct words *w)
{
	w->used = w->n = 0;
	w->heredoc[0] = '\0';
	size_t i = 0;
	while (i < n && w->n < MAX_WORDS) {
		char c = s[i];
		if (c == ' ' || c == '\t') {
			i++;
			continue;
		}
		if (c == '#')
			break;
		if (c == '$' && i + 1 < n && s[i + 1] == '(') {
			char *st = words_begin(w);
			if (words_putc(w, '$') < 0 || words_putc(w, '(') < 0 ||
			    words_end(w, st, 1) < 0)
				return;
			i += 2;
			continue;
		}
		if (is_opchar(c)) {
			char *st = words_begin(w);
			if (words_putc(w, c) < 0)
				return;
			i++;
			if (i < n && (c == '&' || c == '|' || c == ';') && s[i] == c) {
				if (words_putc(w, c) < 0)
					return;
				i++;
			}
			if (words_end(w, st, 1) < 0)
				return;
			continue;
		}
		size_t j = i;
		while (j < n && isdigit((unsigned char)s[j]))
			j++;
		if (j < n && (s[j] == '<' || s[j] == '>')) {
			/* a redirection: operator, then (unless attached) its target word */
			int here = j + 1 < n && s[j] == '<' && s[j + 1] == '<' &&
			           !(j + 2 < n && s[j + 2] == '<');
			i = j;
			while (i < n && (s[i] == '<' || s[i] == '>' || s[i] == '&' || s[i] == '|'))
				i++;
			int tabs = here && i < n && s[i] == '-';
			if (tabs)
				i++;
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			char *st = words_begin(w);
			size_t mark = w->used;
			if (read_word(s, n, &i, w, here) < 0)
				return;
			if (here) {
				size_t len = w->used - mark;
				if (len && len < sizeof(w->heredoc)) {
					memcpy(w->heredoc, st, len);
					w->heredoc[len] = '\0';
					w->heredoc_tabs = tabs;
				}
				w->used = mark;
			}
			continue;
		}
		char *st = words_begin(w);
		if (read_word(s, n, &i, w, 1) < 0 || words_end(w, st, 0) < 0)
			return;
	}
}

/* Shell variables of one file: NAME=value lines seen before the current line. */
struct vars {
	struct it_strv names, values;
};

static const char *var_get(const struct vars *v, const char *name, size_t n)
{
	for (size_t i = v->names.n; i-- > 0;)
		if (strlen(v->names.v[i]) == n && strncmp(v->names.v[i], name, n) == 0)
			return v->values.v[i];
	return NULL;
}

/* Expand $NAME and ${NAME} with known values into out (unknown ones stay). */
static int expand_vars(const struct vars *v, const char *s, size_t n, struct it_buf *out)
{
	it_buf_truncate(out, 0);
	int sq = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\'')
			sq = !sq;
		if (c == '$' && !sq && i + 1 < n) {
			size_t a = i + 1, e;
			int brace = s[a] == '{';
			if (brace)
				a++;
			e = a;
			while (e < n && (isalnum((unsigned char)s[e]) || s[e] == '_'))
				e++;
			const char *val = e > a ? var_get(v, s + a, e - a) : NULL;
			if (val && (!brace || (e < n && s[e] == '}'))) {
				if (it_buf_puts(out, val) < 0)
					return -1;
				i = brace ? e : e - 1;
				continue;
			}
		}
		if (out->len >= MAX_LINE)
			break;
		if (it_buf_append(out, &c, 1) < 0)
			return -1;
	}
	return it_buf_append(out, "", 0);
}

static int is_assignment(const char *w)
{
	if (!isalpha((unsigned char)w[0]) && w[0] != '_')
		return 0;
	const char *p = w;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	return *p == '=';
}

static int var_set(struct vars *v, const char *w)
{
	const char *eq = strchr(w, '=');
	if (!eq || strchr(eq, '$') || strlen(eq + 1) > MAX_VAR_VALUE || v->names.n >= MAX_VARS)
		return 0;
	char *name = strndup(w, (size_t)(eq - w));
	if (!name)
		return -1;
	int rc = it_strv_push(&v->names, name) < 0 || it_strv_push(&v->values, eq + 1) < 0 ? -1 : 0;
	free(name);
	return rc;
}

/* One command found on a line: its program word and arguments. */
struct cmd {
	const char *prog;  /* as written: "/usr/sbin/telnetd" */
	const char *base;  /* its last path component */
	char *const *argv; /* arguments */
	size_t argc;
	int procd;       /* from procd_set_param command: arguments are incomplete */
	int via_busybox; /* "busybox telnetd ..." */
};

static int word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

/* start-stop-daemon --start --exec X -- ARGS: the program and its arguments. */
static int ssd_command(struct cmd *c)
{
	const char *prog = NULL;
	size_t i;
	for (i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (strcmp(a, "--stop") == 0 || strcmp(a, "-K") == 0)
			return 0;
		if (strcmp(a, "--") == 0)
			break;
		if ((strcmp(a, "--exec") == 0 || strcmp(a, "-x") == 0 ||
		     strcmp(a, "--startas") == 0 || strcmp(a, "-a") == 0) &&
		    i + 1 < c->argc)
			prog = c->argv[++i];
		else if (it_has_prefix(a, "--exec=") || it_has_prefix(a, "--startas="))
			prog = strchr(a, '=') + 1;
	}
	if (!prog)
		return 0;
	c->prog = prog;
	c->argv = i < c->argc ? c->argv + i + 1 : c->argv + c->argc;
	c->argc = i < c->argc ? c->argc - i - 1 : 0;
	return 1;
}

/* tcpsvd/udpsvd [-hEv] [-c N] [-C N] [-b N] [-u USER] [-l NAME] IP PORT PROG ARGS */
static int svd_command(struct cmd *c)
{
	size_t i = 0;
	while (i < c->argc && c->argv[i][0] == '-') {
		const char *a = c->argv[i];
		i += (strchr("cCbul", a[1]) && a[1] && !a[2]) ? 2 : 1;
	}
	if (i + 2 >= c->argc)
		return 0;
	c->prog = c->argv[i + 2];
	c->argv += i + 3;
	c->argc -= i + 3;
	return 1;
}

/* Resolve wrappers (busybox APPLET, start-stop-daemon, tcpsvd, procd) in place.
 * Returns 0 when the command starts nothing we can name. */
static int unwrap(struct cmd *c)
{
	c->base = it_path_base(c->prog);
	if (strncmp(c->base, "busybox", 7) == 0 && c->argc && c->argv[0][0] != '-') {
		c->prog = c->argv[0];
		c->argv++;
		c->argc--;
		c->via_busybox = 1;
	} else if (strcmp(c->base, "start-stop-daemon") == 0) {
		if (!ssd_command(c))
			return 0;
	} else if (strcmp(c->base, "tcpsvd") == 0 || strcmp(c->base, "udpsvd") == 0) {
		if (!svd_command(c))
			return 0;
	} else if (strcmp(c->base, "procd_set_param") == 0) {
		if (c->argc < 2 || strcmp(c->argv[0], "command") != 0)
			return 0;
		c->prog = c->argv[1];
		c->argv += 2;
		c->argc -= 2;
		c->procd = 1;
	}
	c->base = it_path_base(c->prog);
	return c->prog[0] != '\0' && !strchr(c->prog, '$');
}

typedef int (*cmd_fn)(void *ctx, struct cmd *c);

/* Call fn for every simple command of a split line (and record assignments in v). */
static int each_command(struct words *w, struct vars *v, cmd_fn fn, void *ctx)
{
	static const char *const prefix[] = {"exec",  "nohup", "setsid",  "command", "time",
	                                     "then",  "do",    "else",    "elif",    "if",
	                                     "while", "until", "!",       "{",       "}",
	                                     "env",   "sudo",  "builtin", NULL};
	static const char *const decl[] = {"export",  "local",   "readonly",
	                                   "declare", "typeset", NULL};
	int pos = 1, in_decl = 0;
	for (size_t i = 0; i < w->n;) {
		if (w->op[i]) {
			pos = strcmp(w->w[i], ")") != 0;
			in_decl = 0;
			i++;
			continue;
		}
		if (!pos) {
			if (in_decl && is_assignment(w->w[i]) && v && var_set(v, w->w[i]) < 0)
				return -1;
			i++;
			continue;
		}
		if (is_assignment(w->w[i])) {
			if (v && var_set(v, w->w[i]) < 0)
				return -1;
			i++;
			continue;
		}
		if (word_in(w->w[i], prefix)) {
			i++;
			continue;
		}
		if (word_in(w->w[i], decl)) {
			pos = 0;
			in_decl = 1;
			i++;
			continue;
		}
		size_t j = i + 1;
		while (j < w->n && !w->op[j])
			j++;
		if (j == i + 1 && j < w->n && strcmp(w->w[j], ")") == 0) {
			i = j + 1; /* a case pattern "start)": a command follows */
			continue;
		}
		struct cmd c = {.prog = w->w[i], .argv = &w->w[i + 1], .argc = j - i - 1};
		if (unwrap(&c) && fn(ctx, &c) < 0)
			return -1;
		pos = 0;
		i = j;
	}
	return 0;
}

/* --- recording ------------------------------------------------------------- */

/* Add a reference; *out is NULL (and 0 returned) when it repeats one already kept
 * (same check and file; for console shells the same line) or the chain is full. */
static int ref_add(struct chainst *c, enum refkind kind, const char *check, const char *path,
                   unsigned line, const char *text, struct ref **out)
{
	*out = NULL;
	if (c->n_refs >= MAX_REFS)
		return 0;
	for (size_t i = 0; i < c->n_refs; i++) {
		const struct ref *o = &c->refs[i];
		if (o->kind == kind && strcmp(o->check, check) == 0 && strcmp(o->path, path) == 0 &&
		    (kind != REF_SHELL || o->line == line))
			return 0;
	}
	if (c->n_refs == c->cap_refs) {
		size_t cap = c->cap_refs ? c->cap_refs * 2 : 16;
		struct ref *v = realloc(c->refs, cap * sizeof(*v));
		if (!v)
			return -1;
		c->refs = v;
		c->cap_refs = cap;
	}
	struct ref *r = &c->refs[c->n_refs];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->check = check;
	r->sev = -1;
	r->daemon = -1;
	r->line = line;
	r->path = strdup(path);
	r->excerpt = text ? excerpt_of(text) : NULL;
	if (!r->path || (text && !r->excerpt)) {
		free(r->path);
		free(r->excerpt);
		return -1;
	}
	c->n_refs++;
	*out = r;
	return 0;
}

static int present_add(struct chainst *c, int daemon, const char *path, const char *how)
{
	for (size_t i = 0; i < c->n_pres; i++)
		if (strcmp(c->pres[i].path, path) == 0)
			return 0;
	if (c->n_pres >= MAX_REFS)
		return 0;
	if (c->n_pres == c->cap_pres) {
		size_t cap = c->cap_pres ? c->cap_pres * 2 : 8;
		struct present *v = realloc(c->pres, cap * sizeof(*v));
		if (!v)
			return -1;
		c->pres = v;
		c->cap_pres = cap;
	}
	struct present *p = &c->pres[c->n_pres];
	p->daemon = daemon;
	p->how = how;
	if (!(p->path = strdup(path)))
		return -1;
	c->n_pres++;
	return 0;
}

/* Script or unit `name` runs at boot, enabled by the file `via`. */
static int enable_add(struct chainst *c, const char *name, const char *via)
{
	if (it_strv_find(&c->enabled, name) >= 0)
		return 0;
	if (it_strv_push(&c->enabled, name) < 0)
		return -1;
	if (it_strv_push(&c->enabled_via, via) < 0) {
		free(c->enabled.v[--c->enabled.n]);
		return -1;
	}
	return 0;
}

/* Per-file parsing context. */
struct fctx {
	struct svc *s;
	struct chainst *c;
	const struct it_entry *e;
	enum origin origin;
	const char *unit; /* OR_SCRIPT, OR_SYSTEMD: what must be enabled */
	unsigned line;
	const char *text; /* the logical line, for the excerpt */
	int console;      /* inittab or a unit: a bare shell is a console shell */
	const char *tty;
};

static int ref_here(struct fctx *f, enum refkind kind, const char *check, const char *msg,
                    struct ref **out)
{
	if (ref_add(f->c, kind, check, f->e->path, f->line, f->text, out) < 0)
		return -1;
	struct ref *r = *out;
	if (!r)
		return 0;
	r->origin = f->origin;
	if ((f->unit && !(r->unit = strdup(f->unit))) || (msg && !(r->message = strdup(msg))))
		return -1;
	return 0;
}

static int daemon_of(const struct svc *s, const char *base)
{
	for (size_t i = 0; i < s->n_daemons; i++)
		if (it_strv_find(&s->daemons[i].names, base) >= 0)
			return (int)i;
	return -1;
}

static int daemon_by_check(const struct svc *s, const char *check)
{
	for (size_t i = 0; i < s->n_daemons; i++)
		if (strcmp(s->daemons[i].check, check) == 0)
			return (int)i;
	return -1;
}

static int is_shell(const struct svc *s, const char *prog)
{
	return it_strv_find(&s->shells, it_path_base(prog)) >= 0;
}

/* A shell run with options only (no script, no -c) is an interactive shell. */
static int interactive_shell(const struct svc *s, const struct cmd *c)
{
	if (!is_shell(s, c->prog))
		return 0;
	for (size_t i = 0; i < c->argc; i++)
		if (c->argv[i][0] != '-' || strcmp(c->argv[i], "-c") == 0)
			return 0;
	return 1;
}

/* The value of option shopt ("-l", also "-l/bin/sh") or longopt ("--login-program",
 * also "--login-program=X"), or NULL. */
static const char *opt_value(const struct cmd *c, const char *shopt, const char *longopt)
{
	size_t ll = longopt ? strlen(longopt) : 0;
	for (size_t i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if ((shopt && strcmp(a, shopt) == 0) || (longopt && strcmp(a, longopt) == 0))
			return i + 1 < c->argc ? c->argv[i + 1] : NULL;
		if (longopt && strncmp(a, longopt, ll) == 0 && a[ll] == '=')
			return a + ll + 1;
		if (shopt && strlen(shopt) == 2 && strncmp(a, shopt, 2) == 0 && a[2] == '/')
			return a + 2; /* -l/bin/sh */
	}
	return NULL;
}

/* A single-letter flag, alone ("-s") or grouped with other letters ("-Fs"). */
static int has_flag(const struct cmd *c, const char *flag)
{
	if (flag[0] != '-' || !flag[1])
		return 0;
	for (size_t i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, flag) == 0)
			return 1;
		if (flag[2] || a[0] != '-' || a[1] == '-' || !a[1])
			continue;
		int letters = 1;
		for (const char *q = a + 1; *q; q++)
			letters &= isalpha((unsigned char)*q) != 0;
		if (letters && strchr(a + 1, flag[1]))
			return 1;
	}
	return 0;
}

static int add_shell(struct fctx *f, const char *msg, int sev, int login_sh)
{
	struct ref *r;
	if (ref_here(f, REF_SHELL, "svc.shell-without-login", msg, &r) < 0)
		return -1;
	if (r) {
		r->sev = sev;
		r->login_sh = login_sh;
	}
	return 0;
}

/* getty with --autologin or a shell as login program; login -f; a bare console shell. */
static int check_console(struct fctx *f, const struct cmd *c)
{
	struct it_buf m = IT_BUF_INIT;
	int rc = 0, login_sh = 0;
	const char *v;
	if (it_strv_find(&f->s->gettys, c->base) >= 0) {
		const char *lp = opt_value(c, "-l", "--login-program");
		if ((v = opt_value(c, "-a", "--autologin")))
			rc = it_buf_printf(&m,
			                   "%s logs '%.32s' in on the console without a password "
			                   "(--autologin)",
			                   c->base, v);
		else if (lp && is_shell(f->s, lp))
			rc = it_buf_printf(
			        &m,
			        "%s runs the shell %.64s instead of login, so the console "
			        "asks for no password",
			        c->base, lp);
		else
			return 0;
	} else if (strcmp(c->base, "login") == 0 && (v = opt_value(c, "-f", NULL))) {
		rc = it_buf_printf(&m, "login -f logs '%.32s' in without asking for a password", v);
	} else if (f->console && f->origin == OR_INITTAB && strcmp(c->base, "login.sh") == 0) {
		rc = it_buf_printf(&m,
		                   "the console runs OpenWrt's login.sh, which starts a root shell "
		                   "without a password unless system.ttylogin is 1");
		login_sh = 1;
	} else if (f->console && interactive_shell(f->s, c)) {
		if (f->tty && *f->tty)
			rc = it_buf_printf(&m,
			                   "the console %.32s runs the shell %.64s without a login",
			                   f->tty, c->prog);
		else
			rc = it_buf_printf(&m, "a console runs the shell %.64s without a login",
			                   c->prog);
	} else {
		return 0;
	}
	if (rc == 0)
		rc = add_shell(f, it_buf_str(&m), -1, login_sh);
	it_buf_free(&m);
	return rc;
}

/* dropbear allows root logins unless -w, -g or -s, and passwords unless -s. */
static int check_dropbear(struct fctx *f, const struct cmd *c)
{
	if (strcmp(c->base, "dropbear") != 0 || c->procd)
		return 0;
	for (size_t i = 0; i < c->argc; i++)
		if (strchr(c->argv[i], '$'))
			return 0; /* arguments we cannot see: judged from etc/default/dropbear */
	int s = has_flag(c, "-s"), w = has_flag(c, "-w"), g = has_flag(c, "-g");
	struct ref *r;
	if (!s && !w && !g &&
	    ref_here(f, REF_SSH, "ssh.permit-root-login",
	             "dropbear runs without -w, -g or -s, so root may log in over SSH with a "
	             "password",
	             &r) < 0)
		return -1;
	if (!s && ref_here(f, REF_SSH, "ssh.password-auth",
	                   "dropbear runs without -s, so it accepts password logins", &r) < 0)
		return -1;
	return 0;
}

/* A web server started from a command line without TLS. */
static int check_web(struct fctx *f, const struct cmd *c)
{
	for (size_t i = 0; i < f->s->n_web; i++) {
		const struct websrv *ws = &f->s->web[i];
		if (strcmp(c->base, ws->name) != 0)
			continue;
		int plain = ws->plain_opts.n == 0;
		for (size_t k = 0; k < ws->plain_opts.n; k++)
			plain |= opt_value(c, ws->plain_opts.v[k], NULL) != NULL;
		for (size_t k = 0; k < ws->tls_opts.n; k++)
			if (has_flag(c, ws->tls_opts.v[k]))
				plain = 0;
		if (!plain)
			return 0;
		const char *root = ws->docroot_opt ? opt_value(c, ws->docroot_opt, NULL) : NULL;
		struct it_buf m = IT_BUF_INIT;
		struct ref *r = NULL;
		int rc = it_buf_printf(&m, "%s serves %s over plain HTTP (no TLS)", ws->what,
		                       root ? root : "its pages");
		if (rc == 0)
			rc = ref_here(f, REF_WEB, "web.plain-http-admin", it_buf_str(&m), &r);
		it_buf_free(&m);
		if (rc < 0 || !r)
			return rc;
		while (root && *root == '/')
			root++;
		size_t rl = root ? strlen(root) : 0;
		while (rl && root[rl - 1] == '/')
			rl--;
		r->need_applet = ws->busybox_applet && !c->via_busybox;
		if (!(r->need_cgi = strndup(root ? root : "", rl)) ||
		    (r->need_applet && !(r->applet = strdup(ws->name))))
			return -1;
		return 0;
	}
	return 0;
}

/* "for s in /etc/init.d/S??* (or any glob)" in a boot file runs the scripts it globs. */
static int for_loop(struct fctx *f, const struct cmd *c)
{
	if (f->origin != OR_BOOT && f->origin != OR_INITTAB)
		return 0;
	for (size_t i = 0; i < c->argc; i++) {
		const char *g = strstr(c->argv[i], "init.d/");
		if (!g || !strpbrk(g, "*?[") || f->c->loops.n >= 16)
			continue;
		if (it_strv_add(&f->c->loops, g + strlen("init.d/")) < 0 ||
		    (f->c->loops.n > f->c->loops_via.n &&
		     it_strv_push(&f->c->loops_via, f->e->path) < 0))
			return -1;
	}
	return 0;
}

static int on_command(void *ctx, struct cmd *c)
{
	struct fctx *f = ctx;
	if (strcmp(c->prog, "for") == 0)
		return for_loop(f, c);
	if (strstr(c->prog, "init.d/") || strstr(c->prog, "rc.d/")) {
		/* "/etc/init.d/x start" in a boot file enables script x */
		if (f->origin == OR_BOOT || f->origin == OR_INITTAB)
			return enable_add(f->c, c->base, f->e->path);
		return 0;
	}
	int d = daemon_of(f->s, c->base);
	if (d >= 0) {
		struct ref *r;
		if (ref_here(f, REF_DAEMON, f->s->daemons[d].check, NULL, &r) < 0)
			return -1;
		if (r)
			r->daemon = d;
		const char *lo = f->s->daemons[d].login_opt;
		const char *lp = lo ? opt_value(c, lo, NULL) : NULL;
		if (lp && is_shell(f->s, lp)) {
			struct it_buf m = IT_BUF_INIT;
			int rc = it_buf_printf(&m,
			                       "%s runs the shell %.64s instead of login: whoever "
			                       "connects gets a shell without a password",
			                       c->base, lp);
			if (rc == 0)
				rc = add_shell(f, it_buf_str(&m), IT_SEV_CRITICAL, 0);
			it_buf_free(&m);
			if (rc < 0)
				return -1;
		}
	}
	if (check_console(f, c) < 0 || check_dropbear(f, c) < 0 || check_web(f, c) < 0)
		return -1;
	return 0;
}

/* --- boot files ------------------------------------------------------------- */

/* The process field of an inittab line, or NULL when the line starts nothing at boot. */
static const char *inittab_process(const char *line, const char **tty, size_t *tty_len)
{
	static const char *const run[] = {"sysinit",  "wait", "once",     "respawn",
	                                  "askfirst", "boot", "bootwait", "askconsole",
	                                  "ondemand", NULL};
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '#' || !*p)
		return NULL;
	const char *c1 = strchr(p, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
	if (!c3 || c3 - c2 - 1 >= 16)
		return NULL;
	char action[16];
	size_t n = (size_t)(c3 - c2 - 1);
	memcpy(action, c2 + 1, n);
	action[n] = '\0';
	if (!word_in(action, run))
		return NULL;
	*tty = p;
	*tty_len = (size_t)(c1 - p);
	const char *proc = c3 + 1;
	while (*proc == ' ' || *proc == '\t')
		proc++;
	if (*proc == '-')
		proc++; /* BusyBox: run as a login shell */
	return proc;
}

/* systemd: the command of an ExecStart= line, or NULL. */
static const char *exec_start(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (!it_has_prefix(line, "ExecStart="))
		return NULL;
	line += strlen("ExecStart=");
	while (*line == '-' || *line == '@' || *line == '+' || *line == '!' || *line == ':' ||
	       *line == ' ')
		line++;
	return *line ? line : NULL;
}

/* inetd.conf "telnet stream tcp nowait root /usr/sbin/telnetd telnetd -i": keep the
 * server program and its arguments (argv[0] dropped); tcpd and busybox wrap argv[0]. */
static void inetd_words(struct words *w)
{
	if (w->n < 6) {
		w->n = 0;
		return;
	}
	const char *srv = it_path_base(w->w[5]);
	int wrapped = strcmp(srv, "tcpd") == 0 || strncmp(srv, "busybox", 7) == 0;
	size_t from = wrapped && w->n > 6 ? 6 : 5;
	size_t keep = w->n - from;
	memmove(w->w, w->w + from, keep * sizeof(w->w[0]));
	memmove(w->op, w->op + from, keep);
	w->n = keep;
	if (from == 5 && w->n > 1) { /* drop argv[0] */
		memmove(w->w + 1, w->w + 2, (w->n - 2) * sizeof(w->w[0]));
		memmove(w->op + 1, w->op + 2, w->n - 2);
		w->n--;
	}
}

/* xinetd.d: the server of a service that is not disabled. */
static int parse_xinetd(struct fctx *f, const char *text, size_t len)
{
	struct lines it = {text, text + len, 0};
	unsigned first, srv_line = 0;
	int disabled = 0, r;
	char *server = NULL, *srv_text = NULL;
	while ((r = next_line(&it, &f->s->line, &first)) > 0) {
		const char *l = it_buf_str(&f->s->line);
		while (*l == ' ' || *l == '\t')
			l++;
		const char *eq = strchr(l, '=');
		if (!eq)
			continue;
		const char *v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t kl = strcspn(l, " \t=");
		if (kl == 7 && strncmp(l, "disable", 7) == 0 && it_has_prefix(v, "yes"))
			disabled = 1;
		if (kl == 6 && strncmp(l, "server", 6) == 0 && !server) {
			server = strndup(v, strcspn(v, " \t"));
			srv_text = strdup(l);
			srv_line = first;
			if (!server || !srv_text)
				r = -1;
			if (r < 0)
				break;
		}
	}
	int rc = r < 0 ? -1 : 0;
	if (rc == 0 && server && !disabled && !strchr(server, '$')) {
		struct cmd c = {.prog = server, .base = it_path_base(server)};
		f->line = srv_line;
		f->text = srv_text;
		rc = on_command(f, &c);
	}
	free(server);
	free(srv_text);
	return rc;
}

static void vars_free(struct vars *v)
{
	it_strv_free(&v->names);
	it_strv_free(&v->values);
}

/* Parse a boot file (inittab, script, unit, inetd.conf) command by command. */
static int parse_boot(struct fctx *f, const char *text, size_t len)
{
	if (f->origin == OR_INETD && it_has_prefix(f->e->path, "etc/xinetd.d/"))
		return parse_xinetd(f, text, len);
	struct words *w = malloc(sizeof(*w));
	if (!w)
		return -1;
	struct vars v = {0};
	struct lines it = {text, text + len, 0};
	unsigned first;
	int r, rc = 0;
	char heredoc[sizeof(w->heredoc)] = "";
	int heredoc_tabs = 0;
	while (rc == 0 && (r = next_line(&it, &f->s->line, &first)) > 0) {
		const char *l = it_buf_str(&f->s->line);
		if (heredoc[0]) {
			const char *t = l;
			while (heredoc_tabs && *t == '\t')
				t++;
			if (strcmp(t, heredoc) == 0)
				heredoc[0] = '\0';
			continue;
		}
		const char *cmdtext = l, *tty = NULL;
		size_t tty_len = 0;
		if (f->origin == OR_INITTAB && !(cmdtext = inittab_process(l, &tty, &tty_len)))
			continue;
		if (f->origin == OR_SYSTEMD && !(cmdtext = exec_start(l)))
			continue;
		if (expand_vars(&v, cmdtext, strlen(cmdtext), &f->s->exp) < 0) {
			rc = -1;
			break;
		}
		split_words(it_buf_str(&f->s->exp), f->s->exp.len, w);
		if (w->heredoc[0]) {
			memcpy(heredoc, w->heredoc, sizeof(heredoc));
			heredoc_tabs = w->heredoc_tabs;
		}
		if (f->origin == OR_INETD)
			inetd_words(w);
		char ttybuf[40] = "";
		if (tty && tty_len < sizeof(ttybuf)) {
			memcpy(ttybuf, tty, tty_len);
			ttybuf[tty_len] = '\0';
		}
		f->tty = ttybuf;
		f->line = first;
		f->text = l;
		f->console = f->origin == OR_INITTAB || f->origin == OR_SYSTEMD;
		rc = each_command(w, f->origin == OR_INETD ? NULL : &v, on_command, f);
	}
	if (r < 0)
		rc = -1;
	vars_free(&v);
	free(w);
	return rc;
}

/* --- configuration files --------------------------------------------------- */

static int yes_value(const char *v)
{
	return strcasecmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0 ||
	       strcasecmp(v, "true") == 0 || strcasecmp(v, "enabled") == 0;
}

static int no_value(const char *v)
{
	return strcasecmp(v, "0") == 0 || strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0 ||
	       strcasecmp(v, "false") == 0 || strcasecmp(v, "disabled") == 0;
}

/* A configuration file that itself enables a daemon's function (UPnP, TFTP). */
static int config_ref(struct fctx *f, const char *check, unsigned line, const char *text,
                      const char *msg)
{
	int d = daemon_by_check(f->s, check);
	struct ref *r;
	f->line = line;
	f->text = text;
	f->origin = OR_CONFIG;
	if (ref_here(f, REF_DAEMON, check, msg, &r) < 0)
		return -1;
	if (r)
		r->daemon = d;
	return 0;
}

/* One OpenWrt UCI section with the options we look at. */
#define UCI_MAX_OPTS 24
struct uci_sec {
	char type[32];
	unsigned line;
	size_t n;
	struct {
		char key[32], val[64];
		unsigned line;
		char *text;
	} o[UCI_MAX_OPTS];
};

static const char *uci_get(const struct uci_sec *u, const char *key, unsigned *line,
                           const char **text)
{
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->o[i].key, key) == 0) {
			if (line)
				*line = u->o[i].line;
			if (text)
				*text = u->o[i].text;
			return u->o[i].val;
		}
	return NULL;
}

static void uci_clear(struct uci_sec *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->o[i].text);
	memset(u, 0, sizeof(*u));
}

static void copy_trunc(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Judge one finished UCI section of etc/config/{dropbear,system,upnpd,dhcp}. */
static int uci_section(struct fctx *f, const struct uci_sec *u)
{
	const char *b = it_path_base(f->e->path), *v, *t = NULL;
	unsigned ln = u->line;
	if (!u->type[0])
		return 0;
	if (strcmp(b, "system") == 0 && strcmp(u->type, "system") == 0) {
		if ((v = uci_get(u, "ttylogin", NULL, NULL)) && yes_value(v))
			f->c->ttylogin = 1;
		return 0;
	}
	if (strcmp(b, "upnpd") == 0 && strcmp(u->type, "upnpd") == 0) {
		v = uci_get(u, "enabled", &ln, &t);
		if (!v)
			v = uci_get(u, "enable_upnp", &ln, &t);
		if (v && yes_value(v))
			return config_ref(f, "svc.upnp", ln, t,
			                  "OpenWrt's UPnP IGD daemon (miniupnpd) is enabled in "
			                  "/etc/config/upnpd");
		return 0;
	}
	if (strcmp(b, "dhcp") == 0 && strcmp(u->type, "dnsmasq") == 0) {
		if ((v = uci_get(u, "enable_tftp", &ln, &t)) && yes_value(v))
			return config_ref(f, "svc.tftpd", ln, t,
			                  "dnsmasq's TFTP server is enabled (enable_tftp)");
		return 0;
	}
	if (strcmp(b, "dropbear") != 0 || strcmp(u->type, "dropbear") != 0)
		return 0;
	if ((v = uci_get(u, "enable", NULL, NULL)) && no_value(v))
		return 0;
	const char *pa = uci_get(u, "PasswordAuth", &ln, &t);
	unsigned pl = pa ? ln : u->line;
	const char *pt = pa ? t : NULL;
	const char *rpa = uci_get(u, "RootPasswordAuth", &ln, &t);
	unsigned rl = rpa ? ln : u->line;
	const char *rt = rpa ? t : NULL;
	const char *rlog = uci_get(u, "RootLogin", NULL, NULL);
	int pass = !(pa && no_value(pa));
	int root = pass && !(rpa && no_value(rpa)) && !(rlog && no_value(rlog));
	struct ref *r;
	f->origin = OR_CONFIG;
	if (root) {
		f->line = rl;
		f->text = rt;
		if (ref_here(f, REF_SSH, "ssh.permit-root-login",
		             rpa ? "dropbear lets root log in with a password (RootPasswordAuth on)"
		                 : "dropbear lets root log in with a password (RootPasswordAuth is "
		                   "not set; OpenWrt's default is on)",
		             &r) < 0)
			return -1;
	}
	if (pass) {
		f->line = pl;
		f->text = pt;
		if (ref_here(f, REF_SSH, "ssh.password-auth",
		             pa ? "dropbear accepts password logins (PasswordAuth on)"
		                : "dropbear accepts password logins (PasswordAuth is not set; "
		                  "OpenWrt's default is on)",
		             &r) < 0)
			return -1;
	}
	return 0;
}

static int parse_uci(struct fctx *f, const char *text, size_t len)
{
	struct words *w = malloc(sizeof(*w));
	struct uci_sec *u = calloc(1, sizeof(*u));
	struct lines it = {text, text + len, 0};
	unsigned first;
	int r = 0;
	if (!w || !u) {
		free(w);
		free(u);
		return -1;
	}
	while (r == 0 && (r = next_line(&it, &f->s->line, &first)) > 0) {
		r = 0;
		const char *l = it_buf_str(&f->s->line);
		split_words(l, f->s->line.len, w);
		if (w->n >= 2 && strcmp(w->w[0], "config") == 0) {
			r = uci_section(f, u);
			uci_clear(u);
			copy_trunc(u->type, sizeof(u->type), w->w[1]);
			u->line = first;
		} else if (w->n >= 3 && strcmp(w->w[0], "option") == 0 && u->n < UCI_MAX_OPTS) {
			copy_trunc(u->o[u->n].key, sizeof(u->o[0].key), w->w[1]);
			copy_trunc(u->o[u->n].val, sizeof(u->o[0].val), w->w[2]);
			u->o[u->n].line = first;
			if (!(u->o[u->n].text = excerpt_of(l)))
				r = -1;
			u->n++;
		}
	}
	if (r == 0)
		r = uci_section(f, u);
	uci_clear(u);
	free(u);
	free(w);
	return r < 0 ? -1 : 0;
}

/* Debian's etc/default/dropbear: DROPBEAR_EXTRA_ARGS (unless NO_START=1). */
static int parse_dropbear_default(struct fctx *f, const char *text, size_t len)
{
	struct words *w = malloc(sizeof(*w));
	struct lines it = {text, text + len, 0};
	unsigned first, args_line = 0;
	char *args = NULL, *args_text = NULL;
	int r, no_start = 0;
	if (!w)
		return -1;
	while ((r = next_line(&it, &f->s->line, &first)) > 0) {
		const char *l = it_buf_str(&f->s->line);
		split_words(l, f->s->line.len, w);
		if (w->n != 1 || !is_assignment(w->w[0]))
			continue;
		if (strcmp(w->w[0], "NO_START=1") == 0)
			no_start = 1;
		if ((it_has_prefix(w->w[0], "DROPBEAR_EXTRA_ARGS=") ||
		     it_has_prefix(w->w[0], "DROPBEAR_ARGS=")) &&
		    !args) {
			args = strdup(strchr(w->w[0], '=') + 1);
			args_text = strdup(l);
			args_line = first;
			if (!args || !args_text) {
				r = -1;
				break;
			}
		}
	}
	int rc = r < 0 ? -1 : 0;
	if (rc == 0 && args && !no_start) {
		split_words(args, strlen(args), w);
		struct cmd c = {.prog = "dropbear", .base = "dropbear", .argv = w->w, .argc = w->n};
		f->origin = OR_CONFIG;
		f->line = args_line;
		f->text = args_text;
		rc = check_dropbear(f, &c);
	}
	free(args);
	free(args_text);
	free(w);
	return rc;
}

/* Key and value of a "key=value" or "key value" line (comments and blanks: 0). */
static int key_value(const char *l, char *key, size_t kcap, const char **val)
{
	while (*l == ' ' || *l == '\t')
		l++;
	if (!*l || *l == '#' || *l == ';')
		return 0;
	size_t k = strcspn(l, " \t=");
	if (!k || k >= kcap)
		return 0;
	memcpy(key, l, k);
	key[k] = '\0';
	l += k;
	while (*l == ' ' || *l == '\t' || *l == '=')
		l++;
	*val = l;
	return 1;
}

/* miniupnpd.conf (enable_upnp defaults to yes) and dnsmasq's enable-tftp. */
static int parse_keyvalue_conf(struct fctx *f, const char *text, size_t len, int upnp)
{
	struct lines it = {text, text + len, 0};
	unsigned first, ln = 0;
	char key[64];
	const char *v;
	char *t = NULL;
	int r, on = upnp; /* miniupnpd: on unless enable_upnp=no */
	while ((r = next_line(&it, &f->s->line, &first)) > 0) {
		const char *l = it_buf_str(&f->s->line);
		if (!key_value(l, key, sizeof(key), &v))
			continue;
		if (upnp && strcmp(key, "enable_upnp") == 0) {
			on = !it_has_prefix(v, "no");
			ln = first;
			free(t);
			if (!(t = excerpt_of(l)))
				return -1;
		}
		if (!upnp && strcmp(key, "enable-tftp") == 0) {
			int rc = config_ref(
			        f, "svc.tftpd", first, l,
			        "dnsmasq's built-in TFTP server is enabled (enable-tftp)");
			free(t);
			return rc;
		}
	}
	int rc = r < 0 ? -1 : 0;
	if (rc == 0 && upnp && on)
		rc = config_ref(f, "svc.upnp", ln, t,
		                t ? "miniupnpd.conf enables UPnP IGD port mapping (enable_upnp=yes)"
		                  : "miniupnpd.conf leaves UPnP IGD port mapping on (enable_upnp "
		                    "defaults to yes)");
	free(t);
	return rc;
}

/* sshd_config and its drop-ins: the directives that matter, before the first Match. */
static int parse_sshd(struct fctx *f, const char *text, size_t len, int main_file)
{
	static const char *const keys[SSH_NKEYS] = {"PermitRootLogin", "PasswordAuthentication",
	                                            "PermitEmptyPasswords", "Include"};
	struct chainst *c = f->c;
	struct sshd_file *v = realloc(c->sshd, (c->n_sshd + 1) * sizeof(*v));
	if (!v)
		return -1;
	c->sshd = v;
	struct sshd_file *sf = &c->sshd[c->n_sshd];
	memset(sf, 0, sizeof(*sf));
	sf->main = main_file;
	if (!(sf->path = strdup(f->e->path)))
		return -1;
	c->n_sshd++;
	struct lines it = {text, text + len, 0};
	unsigned first;
	char key[64];
	const char *val;
	int r;
	while ((r = next_line(&it, &f->s->line, &first)) > 0) {
		const char *l = it_buf_str(&f->s->line);
		if (!key_value(l, key, sizeof(key), &val))
			continue;
		if (strcasecmp(key, "Match") == 0)
			break;
		for (int k = 0; k < SSH_NKEYS; k++) {
			if (strcasecmp(key, keys[k]) != 0 || sf->n >= 64)
				continue;
			struct sshd_dir *d = realloc(sf->d, (sf->n + 1) * sizeof(*d));
			if (!d)
				return -1;
			sf->d = d;
			size_t vl = strcspn(val, k == SSH_INCLUDE ? "#" : " \t#");
			while (vl && (val[vl - 1] == ' ' || val[vl - 1] == '\t'))
				vl--;
			d[sf->n].key = (enum sshkey)k;
			d[sf->n].line = first;
			d[sf->n].value = strndup(val, vl);
			d[sf->n].excerpt = excerpt_of(l);
			sf->n++;
			if (!d[sf->n - 1].value || !d[sf->n - 1].excerpt)
				return -1;
		}
	}
	return r < 0 ? -1 : 0;
}

/* --- entries ---------------------------------------------------------------- */

/* Record "www/cgi-bin" for an entry below (or at) a cgi-bin directory. */
static int note_cgi(struct chainst *c, const char *p)
{
	const char *q = strstr(p, "cgi-bin");
	if (!q || (q != p && q[-1] != '/') || (q[7] && q[7] != '/'))
		return 0;
	size_t n = (size_t)(q - p) + 7;
	char *d = strndup(p, n);
	if (!d)
		return -1;
	int rc = c->cgi_dirs.n < 256 ? it_strv_add(&c->cgi_dirs, d) : 0;
	free(d);
	return rc;
}

static int on_link(struct svc *s, struct chainst *c, const struct it_entry *e)
{
	const char *p = e->path, *b = it_path_base(p);
	const char *t = e->link_target ? e->link_target : "";
	const char *tb = it_path_base(t);
	if (strncmp(tb, "busybox", 7) == 0) {
		if (c->applets.n < 4096 && it_strv_add(&c->applets, b) < 0)
			return -1;
		int d = in_bin_dir(p) ? daemon_of(s, b) : -1;
		if (d >= 0 && present_add(c, d, p, "a BusyBox applet") < 0)
			return -1;
		return 0;
	}
	if (e->type == IT_ENTRY_HARDLINK) {
		int d = in_bin_dir(p) ? daemon_of(s, b) : -1;
		return d >= 0 ? present_add(c, d, p, NULL) : 0;
	}
	if (is_rc_dir_link(p))
		return enable_add(c, strstr(t, "init.d/") ? tb : b + 3, p);
	if (in_systemd_dir(p)) {
		size_t d = dir_len(p);
		if (d > 6 && (strncmp(p + d - 6, ".wants", 6) == 0 ||
		              (d > 9 && strncmp(p + d - 9, ".requires", 9) == 0))) {
			if (enable_add(c, b, p) < 0)
				return -1;
			const char *at = strchr(b, '@');
			if (at &&
			    at[1] != '.') { /* getty@tty1.service also enables getty@.service */
				char tmpl[256];
				const char *dot = strrchr(b, '.');
				size_t n = (size_t)(at - b) + 1;
				if (dot && n + strlen(dot) < sizeof(tmpl)) {
					memcpy(tmpl, b, n);
					strcpy(tmpl + n, dot);
					return enable_add(c, tmpl, p);
				}
			}
			return 0;
		}
		if (strcmp(t, "/dev/null") == 0 && parent_is(p, "system"))
			return it_strv_add(&c->masked, b);
	}
	return 0;
}

/* The kind of text file this inspector reads, or 0. */
enum textkind {
	TK_NONE,
	TK_BOOT,
	TK_SSHD,
	TK_SSHD_DROPIN,
	TK_DROPBEAR_DEFAULT,
	TK_UCI,
	TK_MINIUPNPD,
	TK_DNSMASQ
};

static enum textkind text_kind(const char *p, enum origin *o)
{
	const char *b = it_path_base(p);
	if (boot_kind(p, o))
		return TK_BOOT;
	if (strcmp(b, "sshd_config") == 0)
		return TK_SSHD;
	if (parent_is(p, "sshd_config.d") && it_has_suffix(b, ".conf"))
		return TK_SSHD_DROPIN;
	if (strcmp(p, "etc/default/dropbear") == 0)
		return TK_DROPBEAR_DEFAULT;
	if (strcmp(p, "etc/config/dropbear") == 0 || strcmp(p, "etc/config/system") == 0 ||
	    strcmp(p, "etc/config/upnpd") == 0 || strcmp(p, "etc/config/dhcp") == 0)
		return TK_UCI;
	if (strcmp(b, "miniupnpd.conf") == 0)
		return TK_MINIUPNPD;
	if (strcmp(b, "dnsmasq.conf") == 0 || (parent_is(p, "dnsmasq.d") && !it_has_suffix(b, "~")))
		return TK_DNSMASQ;
	return TK_NONE;
}

static int parse_text(struct svc *s, struct chainst *c, const struct it_entry *e, enum textkind k,
                      enum origin o, const char *text, size_t len)
{
	struct fctx f = {.s = s, .c = c, .e = e, .origin = o};
	char *unit = NULL;
	int rc;
	switch (k) {
	case TK_BOOT:
		if (o == OR_SCRIPT && !(unit = strdup(it_path_base(e->path))))
			return -1;
		if (o == OR_SYSTEMD && !(unit = unit_of(e->path)))
			return -1;
		f.unit = unit;
		rc = parse_boot(&f, text, len);
		break;
	case TK_SSHD:
	case TK_SSHD_DROPIN:
		rc = parse_sshd(&f, text, len, k == TK_SSHD);
		break;
	case TK_DROPBEAR_DEFAULT:
		rc = parse_dropbear_default(&f, text, len);
		break;
	case TK_UCI:
		rc = parse_uci(&f, text, len);
		break;
	case TK_MINIUPNPD:
	case TK_DNSMASQ:
		rc = parse_keyvalue_conf(&f, text, len, k == TK_MINIUPNPD);
		break;
	default:
		rc = 0;
	}
	free(unit);
	return rc;
}

/* An ELF program linked with libupnp (a UPnP device daemon). */
static int links_libupnp(const uint8_t *d, size_t n)
{
	return n > 64 && memcmp(d, "\177ELF", 4) == 0 && memmem(d, n, UPNP_LIB, strlen(UPNP_LIB));
}

static int svc_entry(struct it_inspect *in, void *state, const struct it_entry *e,
                     struct it_error *err)
{
	struct svc *s = state;
	if (e->type == IT_ENTRY_PAYLOAD || !e->path[0])
		return 0;
	struct chainst *c = chain_get(s, e->chain);
	if (!c || note_cgi(c, e->path) < 0)
		return it_error_nomem(err);
	if (e->type == IT_ENTRY_SYMLINK || e->type == IT_ENTRY_HARDLINK)
		return on_link(s, c, e) < 0 ? it_error_nomem(err) : 0;
	if (e->type != IT_ENTRY_FILE || e->size == 0)
		return 0;
	const char *b = it_path_base(e->path);
	int d = in_bin_dir(e->path) ? daemon_of(s, b) : -1;
	if (d >= 0 && present_add(c, d, e->path, NULL) < 0)
		return it_error_nomem(err);
	enum origin o = OR_BOOT;
	enum textkind k = text_kind(e->path, &o);
	int upnp = daemon_by_check(s, "svc.upnp");
	int sniff = d < 0 && upnp >= 0 && in_bin_dir(e->path) && e->size <= MAX_ELF_SNIFF;
	if ((k == TK_NONE && !sniff) || (k != TK_NONE && e->size > MAX_TEXT_BYTES))
		return 0;
	const uint8_t *data;
	size_t len;
	if (it_inspect_bytes(in, e, &data, &len, err) < 0)
		return err->code ? -1 : 0;
	if (k == TK_NONE)
		return links_libupnp(data, len) &&
		                       present_add(c, upnp, e->path, "linked with libupnp") < 0
		               ? it_error_nomem(err)
		               : 0;
	if (!looks_text(data, len))
		return 0;
	return parse_text(s, c, e, k, o, (const char *)data, len) < 0 ? it_error_nomem(err) : 0;
}

/* --- judging, at the end ---------------------------------------------------- */

static int lower(int sev)
{
	return sev > IT_SEV_INFO ? sev - 1 : IT_SEV_INFO;
}

static int check_sev(struct it_inspect *in, const char *id)
{
	const struct it_check *k = it_inspect_check_find(in, id);
	return k ? (int)k->severity : IT_SEV_INFO;
}

static int is_getty_unit(const char *u)
{
	return it_has_prefix(u, "getty@") || it_has_prefix(u, "serial-getty@") ||
	       it_has_prefix(u, "autovt@") || it_has_prefix(u, "console-getty.") ||
	       it_has_prefix(u, "container-getty@");
}

/* Does r run at boot? *via names the link or file that enables it, when one does. */
static int at_boot(const struct chainst *c, const struct ref *r, const char **via)
{
	*via = NULL;
	if (r->origin != OR_SCRIPT && r->origin != OR_SYSTEMD)
		return 1;
	if (!r->unit)
		return 1;
	if (r->origin == OR_SYSTEMD) {
		if (it_strv_find(&c->masked, r->unit) >= 0)
			return 0;
		if (is_getty_unit(r->unit))
			return 1;
	}
	if (r->origin == OR_SCRIPT)
		for (size_t k = 0; k < c->loops.n && k < c->loops_via.n; k++)
			if (fnmatch(c->loops.v[k], r->unit, 0) == 0) {
				*via = c->loops_via.v[k];
				return 1;
			}
	ssize_t i = it_strv_find(&c->enabled, r->unit);
	if (i < 0 && r->origin == OR_SYSTEMD && it_has_suffix(r->unit, ".service")) {
		char sock[256];
		size_t n = strlen(r->unit) - strlen(".service");
		if (n && r->unit[n - 1] == '@')
			n--;
		if (n + 8 < sizeof(sock)) {
			memcpy(sock, r->unit, n);
			strcpy(sock + n, ".socket");
			i = it_strv_find(&c->enabled, sock);
		}
	}
	if (i < 0)
		return 0;
	*via = c->enabled_via.v[i];
	return 1;
}

static int report(struct it_inspect *in, const struct chainst *c, const char *check, int sev,
                  const char *path, unsigned line, const char *excerpt, struct it_error *err,
                  const char *msg)
{
	struct it_finding_loc loc = {c->name, path, line};
	return it_inspect_report(in, check, sev, &loc, excerpt, err, "%s", msg);
}

static int report_ref(struct it_inspect *in, const struct svc *s, const struct chainst *c,
                      const struct ref *r, struct it_error *err)
{
	const char *via;
	int boot = at_boot(c, r, &via);
	if (r->kind == REF_SHELL && (!boot || (r->login_sh && c->ttylogin)))
		return 0;
	int sev = r->sev >= 0 ? r->sev : check_sev(in, r->check);
	struct it_buf m = IT_BUF_INIT;
	int rc;
	if (r->kind == REF_DAEMON && !r->message) {
		const struct daemon *d = &s->daemons[r->daemon];
		const char *name = d->names.v[0];
		if (!boot)
			rc = it_buf_printf(&m,
			                   "%s line %u starts %s (%s), but no rc link, boot script "
			                   "or enabled unit runs it at boot",
			                   r->path, r->line, name, d->what);
		else if (r->origin == OR_INETD)
			rc = it_buf_printf(&m, "%s (%s) is started on demand by inetd (%s line %u)",
			                   name, d->what, r->path, r->line);
		else if (via)
			rc = it_buf_printf(
			        &m, "%s (%s) is started at boot by %s line %u (enabled by %s)",
			        name, d->what, r->path, r->line, via);
		else
			rc = it_buf_printf(&m, "%s (%s) is started at boot by %s line %u", name,
			                   d->what, r->path, r->line);
	} else if (r->origin == OR_CONFIG) {
		rc = it_buf_puts(&m, r->message);
	} else if (!boot) {
		rc = it_buf_printf(&m, "%s (%s line %u, which nothing enables at boot)", r->message,
		                   r->path, r->line);
	} else if (via) {
		rc = it_buf_printf(&m, "%s (started at boot by %s line %u, enabled by %s)",
		                   r->message, r->path, r->line, via);
	} else {
		rc = it_buf_printf(&m, "%s (started at boot by %s line %u)", r->message, r->path,
		                   r->line);
	}
	if (!boot)
		sev = lower(sev);
	if (rc == 0)
		rc = report(in, c, r->check, sev, r->path, r->line, r->excerpt, err,
		            it_buf_str(&m));
	else
		rc = it_error_nomem(err);
	it_buf_free(&m);
	return rc;
}

static int web_condition(const struct chainst *c, const struct ref *r)
{
	if (r->need_applet && it_strv_find(&c->applets, r->applet) < 0)
		return 0;
	if (!r->need_cgi[0])
		return c->cgi_dirs.n > 0;
	char want[600];
	if (strlen(r->need_cgi) + 9 > sizeof(want))
		return 0;
	strcpy(want, r->need_cgi);
	strcat(want, "/cgi-bin");
	return it_strv_find(&c->cgi_dirs, want) >= 0;
}

static int report_daemons(struct it_inspect *in, const struct svc *s, const struct chainst *c,
                          struct it_error *err)
{
	for (size_t d = 0; d < s->n_daemons; d++) {
		int refs = 0;
		for (size_t i = 0; i < c->n_refs; i++) {
			const struct ref *r = &c->refs[i];
			if (r->kind != REF_DAEMON || r->daemon != (int)d)
				continue;
			refs = 1;
			if (report_ref(in, s, c, r, err) < 0)
				return -1;
		}
		if (refs)
			continue;
		const struct daemon *dm = &s->daemons[d];
		int sev = lower(check_sev(in, dm->check));
		for (size_t i = 0; i < c->n_pres; i++) {
			const struct present *p = &c->pres[i];
			if (p->daemon != (int)d)
				continue;
			const char *b = it_path_base(p->path);
			struct it_finding_loc loc = {c->name, p->path, 0};
			int rc = p->how ? it_inspect_report(
			                          in, dm->check, sev, &loc, NULL, err,
			                          "%s (%s) is installed as %s (%s), though no "
			                          "boot file starts it",
			                          b, dm->what, p->path, p->how)
			                : it_inspect_report(
			                          in, dm->check, sev, &loc, NULL, err,
			                          "%s (%s) is installed as %s, though no boot "
			                          "file starts it",
			                          b, dm->what, p->path);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk one sshd file (and the drop-ins its Include lines name); first value wins. */
static int sshd_walk(const struct chainst *c, const struct sshd_file *f, int depth,
                     const struct sshd_dir **found, const char **where)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct sshd_dir *d = &f->d[i];
		if (d->key != SSH_INCLUDE) {
			if (!found[d->key]) {
				found[d->key] = d;
				where[d->key] = f->path;
			}
			continue;
		}
		if (depth > 0)
			continue;
		char pat[512];
		const char *v = d->value;
		while (*v) {
			size_t n = strcspn(v, " \t");
			const char *p = v;
			v += n;
			while (*v == ' ' || *v == '\t')
				v++;
			if (!n || n + 9 >= sizeof(pat))
				continue;
			if (*p == '/')
				snprintf(pat, sizeof(pat), "%.*s", (int)n - 1, p + 1);
			else
				snprintf(pat, sizeof(pat), "etc/ssh/%.*s", (int)n, p);
			const char **hits = calloc(c->n_sshd ? c->n_sshd : 1, sizeof(*hits));
			size_t nh = 0;
			if (!hits)
				return -1;
			for (size_t k = 0; k < c->n_sshd; k++)
				if (!c->sshd[k].main &&
				    fnmatch(pat, c->sshd[k].path, FNM_PATHNAME) == 0)
					hits[nh++] = c->sshd[k].path;
			qsort(hits, nh, sizeof(*hits), cmp_str);
			for (size_t h = 0; h < nh; h++)
				for (size_t k = 0; k < c->n_sshd; k++)
					if (c->sshd[k].path == hits[h] &&
					    sshd_walk(c, &c->sshd[k], depth + 1, found, where) <
					            0) {
						free(hits);
						return -1;
					}
			free(hits);
		}
	}
	return 0;
}

static int report_sshd(struct it_inspect *in, const struct chainst *c, struct it_error *err)
{
	for (size_t i = 0; i < c->n_sshd; i++) {
		const struct sshd_file *f = &c->sshd[i];
		if (!f->main)
			continue;
		const struct sshd_dir *found[SSH_NKEYS] = {0};
		const char *where[SSH_NKEYS] = {0};
		if (sshd_walk(c, f, 0, found, where) < 0)
			return it_error_nomem(err);
		const struct sshd_dir *d;
		if ((d = found[SSH_ROOT]) && strcasecmp(d->value, "yes") == 0 &&
		    report(in, c, "ssh.permit-root-login", -1, where[SSH_ROOT], d->line, d->excerpt,
		           err, "sshd lets root log in with a password (PermitRootLogin yes)") < 0)
			return -1;
		d = found[SSH_PASS];
		if (d && strcasecmp(d->value, "yes") == 0 &&
		    report(in, c, "ssh.password-auth", -1, where[SSH_PASS], d->line, d->excerpt,
		           err, "sshd accepts password logins (PasswordAuthentication yes)") < 0)
			return -1;
		if (!d && report(in, c, "ssh.password-auth", -1, f->path, 0, NULL, err,
		                 "sshd_config does not set PasswordAuthentication, and OpenSSH's "
		                 "default is yes") < 0)
			return -1;
		if ((d = found[SSH_EMPTY]) && strcasecmp(d->value, "yes") == 0 &&
		    report(in, c, "ssh.permit-empty-passwords", -1, where[SSH_EMPTY], d->line,
		           d->excerpt, err,
		           "sshd lets accounts with an empty password log in (PermitEmptyPasswords "
		           "yes)") < 0)
			return -1;
	}
	return 0;
}

static int svc_finish(struct it_inspect *in, void *state, struct it_error *err)
{
	struct svc *s = state;
	for (size_t i = 0; i < s->n_chains; i++) {
		const struct chainst *c = &s->chains[i];
		if (report_daemons(in, s, c, err) < 0)
			return -1;
		for (size_t k = 0; k < c->n_refs; k++) {
			const struct ref *r = &c->refs[k];
			if (r->kind == REF_DAEMON || (r->kind == REF_WEB && !web_condition(c, r)))
				continue;
			if (report_ref(in, s, c, r, err) < 0)
				return -1;
		}
		if (report_sshd(in, c, err) < 0)
			return -1;
	}
	return 0;
}

static const char *const svc_checks[] = {"svc.telnetd",
                                         "svc.ftpd",
                                         "svc.tftpd",
                                         "svc.debug-tools",
                                         "svc.shell-without-login",
                                         "svc.upnp",
                                         "ssh.permit-root-login",
                                         "ssh.password-auth",
                                         "ssh.permit-empty-passwords",
                                         "web.plain-http-admin",
                                         NULL};

const struct it_inspector it_insp_services = {
        .name = "services",
        .checks = svc_checks,
        .create = svc_create,
        .entry = svc_entry,
        .finish = svc_finish,
        .destroy = svc_destroy,
};

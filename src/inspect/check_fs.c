/*
 * Filesystem hygiene from entry metadata alone (mode, owner, type; never the bytes):
 * world-writable files and directories, setuid/setgid programs and system files owned by
 * a non-root user. Findings are capped per check and file system (container chain), and
 * an image packed by one non-root build user is reported once rather than file by file.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/inspector.h"

#define MAX_PER_CHECK 50 /* findings of one check per file system; then one summary */
#define MAX_UIDS      16 /* owners whose files are remembered one by one */

enum fscheck { FS_WW, FS_SUID, FS_OWNER, FS_N };

static const char *const fs_ids[FS_N] = {"fs.world-writable", "fs.setuid",
                                         "fs.non-root-owned-system-file"};
static const char *const fs_what[FS_N] = {"world-writable entries", "setuid/setgid programs",
                                          "system files owned by a non-root user"};

struct owned { /* a system entry owned by a non-root uid, kept for the end */
	char *path;
	uint32_t uid;
	size_t order;
};

struct uidcount {
	uint32_t uid;
	size_t n, kept;
};

struct chainst {
	char *name;
	size_t reported[FS_N], omitted[FS_N];
	size_t system;  /* system entries (files, dirs, devices) */
	size_t nonroot; /* of them owned by a uid other than 0 */
	struct uidcount uids[MAX_UIDS];
	size_t n_uids;
	size_t other; /* non-root entries of uids beyond MAX_UIDS */
	struct owned *owned;
	size_t n_owned, cap_owned;
	char *example; /* the first non-root system entry */
};

struct fsst {
	struct it_strv tmp_dirs, devices, system_dirs;
	double dominant_share;
	size_t dominant_min;
	struct chainst *chains;
	size_t n_chains, last;
};

static void fs_destroy(void *state)
{
	struct fsst *s = state;
	if (!s)
		return;
	it_strv_free(&s->tmp_dirs);
	it_strv_free(&s->devices);
	it_strv_free(&s->system_dirs);
	for (size_t i = 0; i < s->n_chains; i++) {
		struct chainst *c = &s->chains[i];
		for (size_t k = 0; k < c->n_owned; k++)
			free(c->owned[k].path);
		free(c->owned);
		free(c->example);
		free(c->name);
	}
	free(s->chains);
	free(s);
}

static int fs_create(struct it_inspect *in, void **state, struct it_error *err)
{
	const char *name = "services/fs-hygiene.json";
	struct fsst *s = calloc(1, sizeof(*s));
	json_t *root;
	if (!s)
		return it_error_nomem(err);
	if (it_data_load_json(it_inspect_opts(in)->data, name, &root, err) < 0) {
		free(s);
		return -1;
	}
	json_t *share = json_object_get(root, "dominant_share");
	json_t *min = json_object_get(root, "dominant_min");
	int rc = 0;
	if (it_strv_load(json_object_get(root, "tmp_dirs"), &s->tmp_dirs) < 0 ||
	    it_strv_load(json_object_get(root, "world_writable_devices"), &s->devices) < 0 ||
	    it_strv_load(json_object_get(root, "system_dirs"), &s->system_dirs) < 0)
		rc = it_error_nomem(err);
	else if (!json_is_number(share) || !json_is_integer(min))
		rc = it_error_set(
		        err, IT_ERR_INPUT, name, IT_NO_OFFSET,
		        "dominant_share (a number) or dominant_min (an integer) is missing");
	s->dominant_share = json_number_value(share);
	s->dominant_min = json_is_integer(min) ? (size_t)json_integer_value(min) : 0;
	json_decref(root);
	if (rc < 0) {
		fs_destroy(s);
		return -1;
	}
	*state = s;
	return 0;
}

static struct chainst *chain_get(struct fsst *s, const char *name)
{
	int created;
	return it_chain_slot(&s->chains, &s->n_chains, &s->last, sizeof(struct chainst), name,
	                     &created);
}

/* Is p the directory d itself (dir_too) or below it? */
static int under(const char *p, const char *d, int dir_too)
{
	size_t n = strlen(d);
	if (strncmp(p, d, n) != 0)
		return 0;
	return p[n] == '/' || (dir_too && p[n] == '\0');
}

static int under_any(const struct it_strv *dirs, const char *p, int dir_too)
{
	for (size_t i = 0; i < dirs->n; i++)
		if (under(p, dirs->v[i], dir_too))
			return 1;
	return 0;
}

static int listed(const struct it_strv *v, const char *p)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], p) == 0)
			return 1;
	return 0;
}

/* Report, unless the check already has MAX_PER_CHECK findings in this file system. */
static int capped_report(struct it_inspect *in, struct chainst *c, enum fscheck k, int sev,
                         const char *path, struct it_error *err, const char *fmt, ...)
        __attribute__((format(printf, 7, 8)));

static int capped_report(struct it_inspect *in, struct chainst *c, enum fscheck k, int sev,
                         const char *path, struct it_error *err, const char *fmt, ...)
{
	if (c->reported[k] >= MAX_PER_CHECK) {
		c->omitted[k]++;
		return 0;
	}
	c->reported[k]++;
	struct it_buf m = IT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int rc = it_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	struct it_finding_loc loc = {c->name, path, 0};
	rc = rc < 0 ? it_error_nomem(err)
	            : it_inspect_report(in, fs_ids[k], sev, &loc, NULL, err, "%s", it_buf_str(&m));
	it_buf_free(&m);
	return rc;
}

static const char *type_word(enum it_entry_type t)
{
	switch (t) {
	case IT_ENTRY_DIR:
		return "directory";
	case IT_ENTRY_CHAR:
		return "character device";
	case IT_ENTRY_BLOCK:
		return "block device";
	case IT_ENTRY_FIFO:
		return "FIFO";
	case IT_ENTRY_SOCKET:
		return "socket";
	default:
		return "file";
	}
}

static int world_writable(struct it_inspect *in, struct fsst *s, struct chainst *c,
                          const struct it_entry *e, struct it_error *err)
{
	if (!(e->mode & 0002))
		return 0;
	if (e->type == IT_ENTRY_DIR && (e->mode & 01000))
		return 0; /* sticky, like /tmp */
	if (under_any(&s->tmp_dirs, e->path, 0) || listed(&s->devices, e->path))
		return 0;
	int sev = -1;
	if (e->type == IT_ENTRY_FILE && ((e->mode & 0111) || under(e->path, "etc", 0)))
		sev = IT_SEV_HIGH; /* anyone can change a program or the configuration */
	if (e->type == IT_ENTRY_DIR)
		return capped_report(in, c, FS_WW, sev, e->path, err,
		                     "%s is a world-writable directory without the sticky bit "
		                     "(mode %04o)",
		                     e->path, e->mode & 07777);
	return capped_report(in, c, FS_WW, sev, e->path, err,
	                     "%s is a world-writable %s (mode %04o)", e->path, type_word(e->type),
	                     e->mode & 07777);
}

static int setuid_check(struct it_inspect *in, struct chainst *c, const struct it_entry *e,
                        struct it_error *err)
{
	if (e->type != IT_ENTRY_FILE || !(e->mode & 06000))
		return 0;
	const char *b = strrchr(e->path, '/');
	b = b ? b + 1 : e->path;
	unsigned mode = e->mode & 07777;
	if ((e->mode & 04000) && e->uid == 0 && strncmp(b, "busybox", 7) == 0)
		return capped_report(
		        in, c, FS_SUID, IT_SEV_HIGH, e->path, err,
		        "%s is setuid root (mode %04o): every BusyBox applet runs with "
		        "root privileges unless BusyBox drops them (FEATURE_SUID)",
		        e->path, mode);
	if ((e->mode & 04000) && e->uid == 0)
		return capped_report(in, c, FS_SUID, -1, e->path, err,
		                     "%s is setuid root (mode %04o)", e->path, mode);
	if (e->mode & 04000)
		return capped_report(in, c, FS_SUID, IT_SEV_LOW, e->path, err,
		                     "%s is setuid to uid %u (mode %04o)", e->path,
		                     (unsigned)e->uid, mode);
	return capped_report(in, c, FS_SUID, IT_SEV_LOW, e->path, err,
	                     "%s is setgid to gid %u (mode %04o)", e->path, (unsigned)e->gid, mode);
}

/* Count a system entry's owner; remember a few entries of each non-root uid. */
static int owner_note(struct fsst *s, struct chainst *c, const struct it_entry *e)
{
	if (!under_any(&s->system_dirs, e->path, 1))
		return 0;
	c->system++;
	if (e->uid == 0)
		return 0;
	c->nonroot++;
	if (!c->example && !(c->example = strdup(e->path)))
		return -1;
	struct uidcount *u = NULL;
	for (size_t i = 0; i < c->n_uids; i++)
		if (c->uids[i].uid == e->uid)
			u = &c->uids[i];
	if (!u && c->n_uids < MAX_UIDS) {
		u = &c->uids[c->n_uids++];
		u->uid = e->uid;
	}
	if (!u) {
		c->other++;
		return 0;
	}
	u->n++;
	if (u->kept >= MAX_PER_CHECK)
		return 0;
	if (c->n_owned == c->cap_owned) {
		size_t cap = c->cap_owned ? c->cap_owned * 2 : 16;
		struct owned *v = realloc(c->owned, cap * sizeof(*v));
		if (!v)
			return -1;
		c->owned = v;
		c->cap_owned = cap;
	}
	struct owned *o = &c->owned[c->n_owned];
	if (!(o->path = strdup(e->path)))
		return -1;
	o->uid = e->uid;
	o->order = c->nonroot;
	c->n_owned++;
	u->kept++;
	return 0;
}

static int fs_entry(struct it_inspect *in, void *state, const struct it_entry *e,
                    struct it_error *err)
{
	struct fsst *s = state;
	/* Links carry no permissions of their own; a hard link's target is reported. */
	if (e->type == IT_ENTRY_PAYLOAD || e->type == IT_ENTRY_SYMLINK ||
	    e->type == IT_ENTRY_HARDLINK || !e->path[0])
		return 0;
	struct chainst *c = chain_get(s, e->chain);
	if (!c)
		return it_error_nomem(err);
	if (world_writable(in, s, c, e, err) < 0 || setuid_check(in, c, e, err) < 0)
		return -1;
	return owner_note(s, c, e) < 0 ? it_error_nomem(err) : 0;
}

/* The uid that owns most non-root system entries, if it owns nearly all of them. */
static const struct uidcount *dominant(const struct fsst *s, const struct chainst *c)
{
	const struct uidcount *best = NULL;
	for (size_t i = 0; i < c->n_uids; i++)
		if (!best || c->uids[i].n > best->n)
			best = &c->uids[i];
	if (!best || best->n < s->dominant_min ||
	    (double)best->n < s->dominant_share * (double)c->system)
		return NULL;
	return best;
}

static int report_owners(struct it_inspect *in, const struct fsst *s, struct chainst *c,
                         struct it_error *err)
{
	const struct uidcount *dom = dominant(s, c);
	if (dom) {
		struct it_finding_loc loc = {c->name, "", 0};
		if (it_inspect_report(
		            in, fs_ids[FS_OWNER], -1, &loc, NULL, err,
		            "%zu of the %zu system entries of this file system (e.g. %s) are "
		            "owned by uid %u: the image was packed by a non-root build user "
		            "instead of with root ownership",
		            dom->n, c->system, c->example, (unsigned)dom->uid) < 0)
			return -1;
	}
	/* c->owned is in entry order; the rest of each uid is counted */
	for (size_t i = 0; i < c->n_owned; i++) {
		const struct owned *o = &c->owned[i];
		if (dom && o->uid == dom->uid)
			continue;
		if (capped_report(in, c, FS_OWNER, -1, o->path, err,
		                  "%s is owned by uid %u, not root", o->path, (unsigned)o->uid) < 0)
			return -1;
	}
	for (size_t i = 0; i < c->n_uids; i++)
		if (!(dom && c->uids[i].uid == dom->uid))
			c->omitted[FS_OWNER] += c->uids[i].n - c->uids[i].kept;
	c->omitted[FS_OWNER] += c->other;
	return 0;
}

static int fs_finish(struct it_inspect *in, void *state, struct it_error *err)
{
	struct fsst *s = state;
	for (size_t i = 0; i < s->n_chains; i++) {
		struct chainst *c = &s->chains[i];
		if (report_owners(in, s, c, err) < 0)
			return -1;
		for (int k = 0; k < FS_N; k++) {
			if (!c->omitted[k])
				continue;
			struct it_finding_loc loc = {c->name, "", 0};
			if (it_inspect_report(
			            in, fs_ids[k], -1, &loc, NULL, err,
			            "... and %zu more %s in this file system (only the first "
			            "%d are listed)",
			            c->omitted[k], fs_what[k], MAX_PER_CHECK) < 0)
				return -1;
		}
	}
	return 0;
}

static const char *const fs_checks[] = {"fs.world-writable", "fs.setuid",
                                        "fs.non-root-owned-system-file", NULL};

const struct it_inspector it_insp_fs = {
        .name = "fs",
        .checks = fs_checks,
        .create = fs_create,
        .entry = fs_entry,
        .finish = fs_finish,
        .destroy = fs_destroy,
};

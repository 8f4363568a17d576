/*
 * The batch directory of `iotrust provision`: lock, state, recovery and one device at a
 * time. Order of the durable steps per device: reserve the serial in batch.json, write the
 * device's files in devices/.tmp-<serial>, append the sticker line, rename the directory,
 * append manifest.jsonl then manifest.csv. Only a manifest line makes a device complete.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "iotrust/buf.h"
#include "iotrust/provision.h"
#include "label/provision_impl.h"

#define MANIFEST_LINE_MAX 4096

struct it_prov_batch {
	struct it_prov_options o;
	struct it_prov_state st;
	struct it_prov_ca *ca;
	struct it_buf dir, devices, state_path, jsonl_path, csv_path;
	int lock_fd, jsonl_fd, csv_fd, sticker_fd;
	uint32_t done, discarded;
};

struct serial_set {
	uint32_t *v;
	size_t n, cap;
};

static int set_add(struct serial_set *s, uint32_t n)
{
	if (it_array_grow(&s->v, &s->cap, s->n, sizeof *s->v) < 0)
		return -1;
	s->v[s->n++] = n;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int set_has(const struct serial_set *s, uint32_t n)
{
	return s->n && bsearch(&n, s->v, s->n, sizeof *s->v, cmp_u32) != NULL;
}

static void utc_now(char out[32], time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int path_join(struct it_buf *b, const char *dir, const char *name, struct it_error *err)
{
	it_buf_truncate(b, 0);
	return it_buf_printf(b, "%s/%s", dir, name) < 0 ? it_error_nomem(err) : 0;
}

static int save_state(struct it_prov_batch *b, struct it_error *err)
{
	struct it_buf t = IT_BUF_INIT;
	int rc = it_prov_state_format(&b->st, &t) < 0
	                 ? it_error_nomem(err)
	                 : prov_write_file(it_buf_str(&b->state_path), t.data, t.len, 0644, 0, err);
	it_buf_free(&t);
	return rc;
}

static int check_options(const struct it_prov_options *o, struct it_error *err)
{
	if (!o->batch_dir || !o->ca_key || !o->ca_cert || !o->model)
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "--model, --ca, --ca-cert and -o are required");
	if (!o->sticker_sheet)
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "--sticker-sheet FILE is required: it is the only place the "
		                    "device passwords are written");
	if (!it_prov_name_valid(o->model, 0))
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "--model must be 1-%d characters of A-Z a-z 0-9 . _ - (not "
		                    "starting with . or -)",
		                    IT_PROV_NAME_MAX);
	if (o->serial_prefix && !it_prov_name_valid(o->serial_prefix, 1))
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "--serial-prefix must be 0-%d characters of A-Z a-z 0-9 . _ -",
		                    IT_PROV_NAME_MAX);
	if (o->count < 1 || o->count > IT_PROV_MAX_COUNT)
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET, "--count must be 1..%u",
		                    IT_PROV_MAX_COUNT);
	if (o->days > 36500)
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "--days must be 1..36500");
	const char *u = o->user ? o->user : "root";
	int ok = u[0] && strlen(u) <= 32 && !(u[0] >= '0' && u[0] <= '9') && u[0] != '-';
	for (const char *p = u; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
	if (!ok)
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "--user must be a login name ([a-z_][a-z0-9_-]*, at most 32)");
	return 0;
}

/* "<model>-<8 random sticker characters, upper case and digits only>-". */
static int default_prefix(const char *model, char *out, struct it_error *err)
{
	static const char upper[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	char id[9];
	if (strlen(model) + 10 > IT_PROV_NAME_MAX)
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "--model is too long for the default serial prefix; give "
		                    "--serial-prefix");
	/* the password alphabet with lower case removed is the 32 characters above */
	char pw[IT_PROV_PASSWORD_LEN + 1];
	size_t got = 0;
	while (got < 8) {
		if (it_prov_password(pw, IT_PROV_PASSWORD_LEN, err) < 0)
			return -1;
		for (size_t i = 0; pw[i] && got < 8; i++)
			if (strchr(upper, pw[i]))
				id[got++] = pw[i];
	}
	id[8] = '\0';
	snprintf(out, IT_PROV_NAME_MAX + 1, "%s-%s-", model, id);
	return 0;
}

/* A directory with nothing but the lock file in it? */
static int dir_is_fresh(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	int fresh = 1;
	while (fresh && (de = readdir(d)))
		fresh = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		        !strcmp(de->d_name, ".lock");
	closedir(d);
	return fresh;
}

static int load_or_create_state(struct it_prov_batch *b, struct it_error *err)
{
	const struct it_prov_options *o = &b->o;
	const char *path = it_buf_str(&b->state_path);
	const char *fp = it_prov_ca_fingerprint(b->ca);
	if (access(path, F_OK) != 0) {
		if (!dir_is_fresh(it_buf_str(&b->dir)))
			return it_error_set(err, IT_ERR_INPUT, it_buf_str(&b->dir), IT_NO_OFFSET,
			                    "not empty and has no batch.json: not a batch "
			                    "directory");
		struct it_prov_state *st = &b->st;
		memset(st, 0, sizeof *st);
		snprintf(st->model, sizeof st->model, "%s", o->model);
		if (o->serial_prefix)
			snprintf(st->serial_prefix, sizeof st->serial_prefix, "%s",
			         o->serial_prefix);
		else if (default_prefix(o->model, st->serial_prefix, err) < 0)
			return -1;
		snprintf(st->ca_sha256, sizeof st->ca_sha256, "%s", fp);
		st->key_type = o->key_type;
		st->hash = o->hash;
		st->next_serial = 1;
		utc_now(st->created_at, time(NULL));
		return save_state(b, err);
	}
	char *text = NULL;
	size_t len = 0;
	if (prov_read_file(path, 64 * 1024, &text, &len, err) < 0)
		return -1;
	int rc = it_prov_state_parse(text, len, path, &b->st, err);
	free(text);
	if (rc < 0)
		return -1;
	const struct it_prov_state *st = &b->st;
	const char *what = NULL, *was = NULL, *now = NULL;
	if (strcmp(st->model, o->model) != 0)
		what = "model", was = st->model, now = o->model;
	else if (strcmp(st->ca_sha256, fp) != 0)
		what = "CA certificate (SHA-256)", was = st->ca_sha256, now = fp;
	else if (o->serial_prefix && strcmp(st->serial_prefix, o->serial_prefix) != 0)
		what = "serial prefix", was = st->serial_prefix, now = o->serial_prefix;
	else if (st->key_type != o->key_type)
		what = "key type", was = it_prov_keytype_name(st->key_type),
		now = it_prov_keytype_name(o->key_type);
	else if (st->hash != o->hash)
		what = "password hash", was = it_prov_hash_name(st->hash),
		now = it_prov_hash_name(o->hash);
	if (what)
		return it_error_set(
		        err, IT_ERR_INPUT, path, IT_NO_OFFSET,
		        "this batch was started with %s '%s', not '%s'; refusing to mix "
		        "them (use a new batch directory)",
		        what, was, now);
	return 0;
}

/* Drop a torn last line (a crash in the middle of an append). */
static int trim_torn_tail(int fd, const char *path, struct it_error *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "%s", strerror(errno));
	off_t end = st.st_size;
	char c;
	while (end > 0) {
		if (pread(fd, &c, 1, end - 1) != 1)
			return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot read: %s",
			                    strerror(errno));
		if (c == '\n')
			break;
		end--;
	}
	if (end != st.st_size && (ftruncate(fd, end) != 0 || fsync(fd) != 0))
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot truncate: %s",
		                    strerror(errno));
	return 0;
}

static int open_append(const char *path, mode_t mode, int *fd, struct it_error *err)
{
	*fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
	if (*fd < 0)
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot open: %s",
		                    strerror(errno));
	return 0;
}

/* Each line of an open file (torn tail already trimmed) to fn. */
static int each_line(int fd, const char *path,
                     int (*fn)(void *u, char *line, unsigned long no, struct it_error *err),
                     void *u, struct it_error *err)
{
	int dfd = dup(fd);
	FILE *f = dfd >= 0 ? fdopen(dfd, "r") : NULL;
	if (!f) {
		if (dfd >= 0)
			close(dfd);
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot read: %s",
		                    strerror(errno));
	}
	rewind(f);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long no = 0;
	int rc = 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
		no++;
		if (n > MANIFEST_LINE_MAX)
			rc = it_error_set_line(err, IT_ERR_INPUT, path, no, 0,
			                       "line longer than %d bytes", MANIFEST_LINE_MAX);
		else {
			line[n - 1] = '\0';
			rc = fn(u, line, no, err);
		}
	}
	free(line);
	fclose(f);
	return rc;
}

struct recover {
	struct it_prov_batch *b;
	struct serial_set jsonl, csv; /* csv is sorted before manifest.jsonl is read */
};

static int jsonl_line(void *u, char *line, unsigned long no, struct it_error *err)
{
	struct recover *r = u;
	const char *path = it_buf_str(&r->b->jsonl_path);
	json_error_t jerr;
	json_t *rec = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	uint32_t num;
	if (!rec)
		return it_error_set_line(err, IT_ERR_INPUT, path, no, (unsigned long)jerr.column,
		                         "invalid JSON: %s", jerr.text);
	if (prov_record_check(rec, &r->b->st, path, no, &num, err) < 0) {
		json_decref(rec);
		return -1;
	}
	if (set_add(&r->jsonl, num) < 0) {
		json_decref(rec);
		return it_error_nomem(err);
	}
	/* a crash between the two appends: complete manifest.csv from this record */
	int rc = 0;
	if (!set_has(&r->csv, num)) {
		struct it_buf csv = IT_BUF_INIT;
		rc = prov_record_csv(rec, &csv) < 0
		             ? it_error_nomem(err)
		             : prov_append_fd(r->b->csv_fd, it_buf_str(&r->b->csv_path),
		                              it_buf_str(&csv), csv.len, err);
		it_buf_free(&csv);
	}
	json_decref(rec);
	return rc;
}

static int csv_line(void *u, char *line, unsigned long no, struct it_error *err)
{
	struct recover *r = u;
	const char *path = it_buf_str(&r->b->csv_path);
	if (no == 1)
		return strcmp(line, PROV_MANIFEST_HEADER) == 0
		               ? 0
		               : it_error_set_line(err, IT_ERR_INPUT, path, 1, 0,
		                                   "expected the header '%s'",
		                                   PROV_MANIFEST_HEADER);
	char *comma = strchr(line, ',');
	uint32_t num;
	if (comma)
		*comma = '\0';
	if (prov_serial_number(line, r->b->st.serial_prefix, &num) < 0 || num == 0 ||
	    num >= r->b->st.next_serial)
		return it_error_set_line(err, IT_ERR_INPUT, path, no, 0,
		                         "serial '%.80s' is not one this batch handed out", line);
	return set_add(&r->csv, num) < 0 ? it_error_nomem(err) : 0;
}

static int no_duplicates(struct serial_set *s, const char *path, struct it_error *err)
{
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, cmp_u32);
	for (size_t i = 1; i < s->n; i++)
		if (s->v[i] == s->v[i - 1])
			return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET,
			                    "serial number %u appears twice", (unsigned)s->v[i]);
	return 0;
}

/* Read both manifests; append to manifest.csv the records that only manifest.jsonl has (a
 * crash between the two appends). Leaves the complete serials in r->jsonl, sorted. Only
 * serial numbers are kept in memory, so a batch of millions resumes in little memory. */
static int recover_manifests(struct recover *r, struct it_error *err)
{
	struct it_prov_batch *b = r->b;
	const char *jp = it_buf_str(&b->jsonl_path), *cp = it_buf_str(&b->csv_path);
	struct stat st;
	if (trim_torn_tail(b->jsonl_fd, jp, err) < 0 || trim_torn_tail(b->csv_fd, cp, err) < 0)
		return -1;
	if (fstat(b->csv_fd, &st) != 0)
		return it_error_set(err, IT_ERR_IO, cp, IT_NO_OFFSET, "%s", strerror(errno));
	if (st.st_size == 0 && prov_append_fd(b->csv_fd, cp, PROV_MANIFEST_HEADER "\n",
	                                      sizeof PROV_MANIFEST_HEADER, err) < 0)
		return -1;
	if (each_line(b->csv_fd, cp, csv_line, r, err) < 0 || no_duplicates(&r->csv, cp, err) < 0 ||
	    each_line(b->jsonl_fd, jp, jsonl_line, r, err) < 0 ||
	    no_duplicates(&r->jsonl, jp, err) < 0)
		return -1;
	for (size_t i = 0; i < r->csv.n; i++)
		if (!set_has(&r->jsonl, r->csv.v[i]))
			return it_error_set(err, IT_ERR_INPUT, cp, IT_NO_OFFSET,
			                    "serial number %u is in manifest.csv but not in "
			                    "manifest.jsonl: the manifests were edited",
			                    (unsigned)r->csv.v[i]);
	return 0;
}

/* Remove a device directory we wrote (plain files only). */
static int remove_device_dir(const char *path, struct it_error *err)
{
	DIR *d = opendir(path);
	if (!d)
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot open: %s",
		                    strerror(errno));
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    unlinkat(dirfd(d), de->d_name, 0) != 0)
			rc = -1;
	closedir(d);
	if (rc < 0 || rmdir(path) != 0)
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot remove: %s",
		                    strerror(errno));
	return 0;
}

/* Discard temp dirs and device dirs without a manifest line; refuse dirs of serials the
 * state has not handed out (batch.json was rolled back: serials would be reused). */
static int sweep_devices(struct it_prov_batch *b, const struct serial_set *complete,
                         struct it_error *err)
{
	const char *devs = it_buf_str(&b->devices);
	DIR *d = opendir(devs);
	if (!d)
		return it_error_set(err, IT_ERR_IO, devs, IT_NO_OFFSET, "cannot open: %s",
		                    strerror(errno));
	struct dirent *de;
	struct it_buf p = IT_BUF_INIT;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		uint32_t num;
		int tmp = !strncmp(de->d_name, ".tmp-", 5);
		const char *name = tmp ? de->d_name + 5 : de->d_name;
		if (prov_serial_number(name, b->st.serial_prefix, &num) < 0)
			continue; /* not ours: leave it alone */
		if (num == 0 || num >= b->st.next_serial) {
			rc = it_error_set(
			        err, IT_ERR_INPUT, devs, IT_NO_OFFSET,
			        "%s has a serial the batch state has not handed out yet "
			        "(next_serial %u): batch.json was replaced or rolled back",
			        de->d_name, (unsigned)b->st.next_serial);
			break;
		}
		if (!tmp && set_has(complete, num))
			continue;
		rc = path_join(&p, devs, de->d_name, err);
		if (rc == 0)
			rc = remove_device_dir(it_buf_str(&p), err);
		b->discarded += !tmp && rc == 0;
	}
	closedir(d);
	it_buf_free(&p);
	return rc < 0 ? -1 : prov_fsync_dir(devs, err);
}

static int open_sticker(struct it_prov_batch *b, struct it_error *err)
{
	const char *path = b->o.sticker_sheet;
	struct stat st;
	if (open_append(path, 0600, &b->sticker_fd, err) < 0)
		return -1;
	if (fchmod(b->sticker_fd, 0600) != 0 || fstat(b->sticker_fd, &st) != 0)
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "not a regular file");
	if (st.st_size == 0)
		return prov_append_fd(b->sticker_fd, path, "serial,password\n", 16, err);
	char c = 0;
	if (pread(b->sticker_fd, &c, 1, st.st_size - 1) == 1 && c != '\n')
		return prov_append_fd(b->sticker_fd, path, "\n", 1, err);
	return 0;
}

static int batch_paths(struct it_prov_batch *b, struct it_error *err)
{
	const char *dir = b->o.batch_dir;
	if (it_buf_puts(&b->dir, dir) < 0)
		return it_error_nomem(err);
	if (path_join(&b->devices, dir, "devices", err) < 0 ||
	    path_join(&b->state_path, dir, "batch.json", err) < 0 ||
	    path_join(&b->jsonl_path, dir, "manifest.jsonl", err) < 0 ||
	    path_join(&b->csv_path, dir, "manifest.csv", err) < 0)
		return -1;
	return 0;
}

static int take_lock(struct it_prov_batch *b, struct it_error *err)
{
	struct it_buf lock = IT_BUF_INIT;
	if (path_join(&lock, it_buf_str(&b->dir), ".lock", err) < 0)
		return -1;
	b->lock_fd = open(it_buf_str(&lock), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	int rc = 0;
	if (b->lock_fd < 0)
		rc = it_error_set(err, IT_ERR_IO, it_buf_str(&lock), IT_NO_OFFSET,
		                  "cannot open: %s", strerror(errno));
	else if (flock(b->lock_fd, LOCK_EX | LOCK_NB) != 0)
		rc = it_error_set(err, errno == EWOULDBLOCK ? IT_ERR_INPUT : IT_ERR_IO,
		                  it_buf_str(&b->dir), IT_NO_OFFSET,
		                  errno == EWOULDBLOCK
		                          ? "another provisioning run holds this batch's "
		                            "lock; wait for it to finish"
		                          : "cannot lock: %s",
		                  strerror(errno));
	it_buf_free(&lock);
	return rc;
}

int it_prov_batch_open(struct it_prov_batch **out, const struct it_prov_options *o,
                       struct it_error *err)
{
	*out = NULL;
	if (check_options(o, err) < 0)
		return -1;
	struct it_prov_batch *b = calloc(1, sizeof *b);
	if (!b)
		return it_error_nomem(err);
	b->o = *o;
	if (!b->o.user)
		b->o.user = "root";
	if (!b->o.days)
		b->o.days = IT_PROV_DEFAULT_DAYS;
	b->lock_fd = b->jsonl_fd = b->csv_fd = b->sticker_fd = -1;
	struct recover r = {b, {0}, {0}};
	int rc = -1;
	if (batch_paths(b, err) < 0)
		goto out;
	if (mkdir(it_buf_str(&b->dir), 0755) != 0 && errno != EEXIST) {
		it_error_set(err, IT_ERR_IO, it_buf_str(&b->dir), IT_NO_OFFSET, "cannot create: %s",
		             strerror(errno));
		goto out;
	}
	if (take_lock(b, err) < 0 || it_prov_ca_load(&b->ca, o->ca_key, o->ca_cert, err) < 0 ||
	    load_or_create_state(b, err) < 0)
		goto out;
	if (mkdir(it_buf_str(&b->devices), 0755) != 0 && errno != EEXIST) {
		it_error_set(err, IT_ERR_IO, it_buf_str(&b->devices), IT_NO_OFFSET,
		             "cannot create: %s", strerror(errno));
		goto out;
	}
	if (open_append(it_buf_str(&b->jsonl_path), 0644, &b->jsonl_fd, err) < 0 ||
	    open_append(it_buf_str(&b->csv_path), 0644, &b->csv_fd, err) < 0 ||
	    recover_manifests(&r, err) < 0 || sweep_devices(b, &r.jsonl, err) < 0 ||
	    open_sticker(b, err) < 0 || prov_fsync_dir(it_buf_str(&b->dir), err) < 0)
		goto out;
	b->done = (uint32_t)r.jsonl.n;
	rc = 0;
out:
	free(r.jsonl.v);
	free(r.csv.v);
	if (rc < 0)
		it_prov_batch_close(b);
	else
		*out = b;
	return rc;
}

uint32_t it_prov_batch_done(const struct it_prov_batch *b)
{
	return b->done;
}

uint32_t it_prov_batch_discarded(const struct it_prov_batch *b)
{
	return b->discarded;
}

const struct it_prov_state *it_prov_batch_state(const struct it_prov_batch *b)
{
	return &b->st;
}

static int step(struct it_prov_batch *b, enum it_prov_step s, const char *serial,
                struct it_error *err)
{
	if (b->o.on_step && b->o.on_step(b->o.user_data, s, serial, b->done))
		return it_error_set(err, IT_ERR_CANCELLED, it_buf_str(&b->dir), IT_NO_OFFSET,
		                    "stopped after %u complete devices", (unsigned)b->done);
	return 0;
}

/* The device's credentials and its three files in tmpdir. */
static int make_device(struct it_prov_batch *b, struct it_prov_device *d, const char *tmpdir,
                       time_t now, struct it_error *err)
{
	struct it_buf p = IT_BUF_INIT, shadow = IT_BUF_INIT;
	int rc = -1;
	if (it_prov_password(d->password, IT_PROV_PASSWORD_LEN, err) < 0 ||
	    it_prov_hash_password(b->st.hash, d->password, &d->crypt_hash, err) < 0 ||
	    it_prov_device_keygen(d, b->st.key_type, err) < 0 ||
	    it_prov_device_certify(d, b->ca, b->o.days, now, err) < 0)
		goto out;
	if (it_buf_printf(&shadow, "%s:%s:%lld:0:99999:7:::\n", b->o.user, d->crypt_hash,
	                  (long long)(now / 86400)) < 0) {
		it_error_nomem(err);
		goto out;
	}
	if (path_join(&p, tmpdir, "device.key", err) < 0 ||
	    prov_write_file(it_buf_str(&p), d->key_pem, strlen(d->key_pem), 0600, 1, err) < 0 ||
	    path_join(&p, tmpdir, "device.crt", err) < 0 ||
	    prov_write_file(it_buf_str(&p), d->cert_pem, strlen(d->cert_pem), 0644, 1, err) < 0 ||
	    path_join(&p, tmpdir, "shadow.line", err) < 0 ||
	    prov_write_file(it_buf_str(&p), shadow.data, shadow.len, 0600, 1, err) < 0)
		goto out;
	rc = 0;
out:
	it_buf_free(&p);
	it_buf_free(&shadow);
	return rc;
}

static json_t *manifest_record(const struct it_prov_batch *b, const struct it_prov_device *d,
                               time_t now)
{
	char at[32];
	utc_now(at, now);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "serial", d->serial, "model",
	                 b->st.model, "key_type", it_prov_keytype_name(d->key_type),
	                 "pubkey_sha256", d->pubkey_sha256, "cert_serial", d->cert_serial,
	                 "crypt_hash", d->crypt_hash, "created_at", at);
}

static int append_manifests(struct it_prov_batch *b, const struct it_prov_device *d, time_t now,
                            struct it_error *err)
{
	json_t *rec = manifest_record(b, d, now);
	char *js = rec ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	struct it_buf line = IT_BUF_INIT;
	int rc = -1;
	if (!js || it_buf_printf(&line, "%s\n", js) < 0) {
		it_error_nomem(err);
		goto out;
	}
	if (prov_append_fd(b->jsonl_fd, it_buf_str(&b->jsonl_path), it_buf_str(&line), line.len,
	                   err) < 0 ||
	    step(b, IT_PROV_STEP_JSONL, d->serial, err) < 0)
		goto out;
	it_buf_truncate(&line, 0);
	if (prov_record_csv(rec, &line) < 0) {
		it_error_nomem(err);
		goto out;
	}
	rc = prov_append_fd(b->csv_fd, it_buf_str(&b->csv_path), it_buf_str(&line), line.len, err);
out:
	free(js);
	json_decref(rec);
	it_buf_free(&line);
	return rc;
}

static int next_device(struct it_prov_batch *b, struct it_error *err)
{
	struct it_prov_device d = {0};
	struct it_buf tmp = IT_BUF_INIT, final = IT_BUF_INIT, sticker = IT_BUF_INIT;
	uint32_t n = b->st.next_serial;
	int rc = -1;
	if (it_prov_serial_format(b->st.serial_prefix, n, d.serial) < 0) {
		it_error_set(err, IT_ERR_LIMIT, it_buf_str(&b->state_path), IT_NO_OFFSET,
		             "the batch has used every serial number");
		goto out;
	}
	/* reserve first: whatever happens next, this serial is never handed out again */
	b->st.next_serial = n + 1;
	if (save_state(b, err) < 0 || step(b, IT_PROV_STEP_RESERVED, d.serial, err) < 0)
		goto out;
	if (it_buf_printf(&tmp, "%s/.tmp-%s", it_buf_str(&b->devices), d.serial) < 0 ||
	    it_buf_printf(&final, "%s/%s", it_buf_str(&b->devices), d.serial) < 0) {
		it_error_nomem(err);
		goto out;
	}
	if (mkdir(it_buf_str(&tmp), 0700) != 0) {
		it_error_set(err, IT_ERR_IO, it_buf_str(&tmp), IT_NO_OFFSET, "cannot create: %s",
		             strerror(errno));
		goto out;
	}
	time_t now = time(NULL);
	if (make_device(b, &d, it_buf_str(&tmp), now, err) < 0 ||
	    step(b, IT_PROV_STEP_FILES, d.serial, err) < 0)
		goto out;
	if (it_buf_printf(&sticker, "%s,%s\n", d.serial, d.password) < 0) {
		it_error_nomem(err);
		goto out;
	}
	if (prov_append_fd(b->sticker_fd, b->o.sticker_sheet, it_buf_str(&sticker), sticker.len,
	                   err) < 0 ||
	    step(b, IT_PROV_STEP_STICKER, d.serial, err) < 0)
		goto out;
	if (rename(it_buf_str(&tmp), it_buf_str(&final)) != 0) {
		it_error_set(err, IT_ERR_IO, it_buf_str(&final), IT_NO_OFFSET, "cannot rename: %s",
		             strerror(errno));
		goto out;
	}
	if (prov_fsync_dir(it_buf_str(&b->devices), err) < 0 ||
	    step(b, IT_PROV_STEP_RENAMED, d.serial, err) < 0 ||
	    append_manifests(b, &d, now, err) < 0)
		goto out;
	b->done++;
	rc = step(b, IT_PROV_STEP_DONE, d.serial, err);
out:
	if (sticker.data)
		OPENSSL_cleanse(sticker.data, sticker.len);
	it_buf_free(&sticker);
	it_buf_free(&tmp);
	it_buf_free(&final);
	it_prov_device_clear(&d);
	return rc;
}

int it_prov_batch_run(struct it_prov_batch *b, struct it_error *err)
{
	while (b->done < b->o.count)
		if (next_device(b, err) < 0)
			return -1;
	return 0;
}

void it_prov_batch_close(struct it_prov_batch *b)
{
	if (!b)
		return;
	int fds[] = {b->jsonl_fd, b->csv_fd, b->sticker_fd, b->lock_fd};
	for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
		if (fds[i] >= 0)
			close(fds[i]); /* closing the lock descriptor releases the flock */
	it_prov_ca_free(b->ca);
	it_buf_free(&b->dir);
	it_buf_free(&b->devices);
	it_buf_free(&b->state_path);
	it_buf_free(&b->jsonl_path);
	it_buf_free(&b->csv_path);
	free(b);
}

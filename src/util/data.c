/*
 * Data files: built-in copies (builtin_data.c, generated from data/) with an
 * optional directory whose files replace them by relative name. Names are
 * checked before use: relative, no "..", so a name never leaves the directory.
 */
#include "iotrust/data.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/builtin_data.h"

struct it_data {
	char *dir; /* NULL: built-in only */
};

int it_data_open(struct it_data **out, const char *dir, struct it_error *err)
{
	struct it_data *d = calloc(1, sizeof(*d));
	if (!d)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	if (dir) {
		struct stat st;
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			free(d);
			return it_error_set(err, IT_ERR_INPUT, dir, IT_NO_OFFSET,
			                    "data directory: %s",
			                    errno ? strerror(errno) : "not a directory");
		}
		d->dir = strdup(dir);
		if (!d->dir) {
			free(d);
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		}
	}
	*out = d;
	return 0;
}

void it_data_close(struct it_data *d)
{
	if (!d)
		return;
	free(d->dir);
	free(d);
}

const char *it_data_origin(const struct it_data *d)
{
	return d->dir ? d->dir : "built-in data";
}

static int name_is_safe(const char *name)
{
	if (!*name || name[0] == '/')
		return 0;
	for (const char *p = name; *p;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n + (slash ? 1 : 0);
	}
	return 1;
}

static const struct it_builtin_file *builtin_find(const char *name)
{
	size_t lo = 0, hi = it_builtin_data_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, it_builtin_data[mid].name);
		if (c == 0)
			return &it_builtin_data[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int read_fd(int fd, const char *path, struct it_buf *out, struct it_error *err)
{
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "read: %s",
			                    strerror(errno));
		}
		if (n == 0)
			return 0;
		if (it_buf_append(out, chunk, (size_t)n) < 0)
			return it_error_set(err, IT_ERR_NOMEM, path, IT_NO_OFFSET, "out of memory");
	}
}

int it_data_read(const struct it_data *d, const char *name, struct it_buf *out,
                 struct it_error *err)
{
	if (!name_is_safe(name))
		return it_error_set(err, IT_ERR_INTERNAL, name, IT_NO_OFFSET,
		                    "data file name must be relative without '..'");
	it_buf_truncate(out, 0);
	if (d->dir) {
		struct it_buf path = IT_BUF_INIT;
		if (it_buf_printf(&path, "%s/%s", d->dir, name) < 0)
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		int fd = open(it_buf_str(&path), O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			int rc = read_fd(fd, it_buf_str(&path), out, err);
			close(fd);
			it_buf_free(&path);
			return rc;
		}
		it_buf_free(&path);
	}
	const struct it_builtin_file *f = builtin_find(name);
	if (!f)
		return it_error_set(err, IT_ERR_INPUT, name, IT_NO_OFFSET,
		                    "no such data file (in %s or built in)",
		                    d->dir ? d->dir : "no data directory");
	if (it_buf_append(out, f->data, f->len) < 0)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct name_list {
	char **v;
	size_t n, cap;
};

static int list_add(struct name_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(s)))
		return -1;
	l->n++;
	return 0;
}

/* Regular files directly in dir/prefix-directory whose names start with the
 * prefix's last component. */
static int list_dir(const struct it_data *d, const char *prefix, struct name_list *l)
{
	const char *slash = strrchr(prefix, '/');
	size_t dlen = slash ? (size_t)(slash - prefix) : 0;
	const char *base = slash ? slash + 1 : prefix;
	struct it_buf path = IT_BUF_INIT;
	if (it_buf_printf(&path, "%s/%.*s", d->dir, (int)dlen, prefix) < 0)
		return -1;
	DIR *dir = opendir(it_buf_str(&path));
	if (!dir) {
		it_buf_free(&path);
		return 0;
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(dir))) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, base, strlen(base)) != 0)
			continue;
		struct it_buf full = IT_BUF_INIT;
		struct stat st;
		it_buf_printf(&full, "%s/%s", it_buf_str(&path), de->d_name);
		if (stat(it_buf_str(&full), &st) == 0 && S_ISREG(st.st_mode)) {
			it_buf_truncate(&full, 0);
			it_buf_printf(&full, "%.*s%s%s", (int)dlen, prefix, dlen ? "/" : "",
			              de->d_name);
			rc = list_add(l, it_buf_str(&full));
		}
		it_buf_free(&full);
	}
	closedir(dir);
	it_buf_free(&path);
	return rc;
}

int it_data_each(const struct it_data *d, const char *prefix, it_data_fn fn, void *user,
                 struct it_error *err)
{
	struct name_list l = {0};
	size_t plen = strlen(prefix);
	int rc = 0;
	for (size_t i = 0; i < it_builtin_data_count && rc == 0; i++)
		if (strncmp(it_builtin_data[i].name, prefix, plen) == 0)
			rc = list_add(&l, it_builtin_data[i].name);
	if (rc == 0 && d->dir)
		rc = list_dir(d, prefix, &l);
	if (rc < 0) {
		rc = it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		goto out;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_str);
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		if (i > 0 && strcmp(l.v[i], l.v[i - 1]) == 0)
			continue;
		rc = fn(user, l.v[i]);
	}
out:
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return rc;
}

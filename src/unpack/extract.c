/*
 * Safe extraction of entries below one directory. Each container gets its own
 * directory named after its chain ('%' and '/' escaped). Paths are walked one
 * component at a time with openat(O_NOFOLLOW | O_DIRECTORY), so a symlink in
 * the extracted tree can never redirect a later write outside it; files are
 * written to a temporary name and renamed, with setuid/setgid and group/other
 * write bits removed. Symlinks are recreated with their targets unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iotrust/unpack.h"

struct it_extractor {
	int rootfd;
	char *dir;
	struct it_buf scratch;
};

/* mkdir -p: the user's own output directory and its missing parents. */
static int make_dirs(const char *dir)
{
	char *copy = strdup(dir);
	if (!copy)
		return -1;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
			free(copy);
			return -1;
		}
		*p = '/';
	}
	int r = mkdir(copy, 0755) < 0 && errno != EEXIST ? -1 : 0;
	free(copy);
	return r;
}

int it_extractor_open(struct it_extractor **out, const char *dir, struct it_error *err)
{
	if (make_dirs(dir) < 0)
		return it_error_set(err, IT_ERR_IO, dir, IT_NO_OFFSET,
		                    "cannot create directory: %s", strerror(errno));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return it_error_set(err, IT_ERR_IO, dir, IT_NO_OFFSET, "cannot open directory: %s",
		                    strerror(errno));
	struct it_extractor *x = calloc(1, sizeof *x);
	if (!x || !(x->dir = strdup(dir))) {
		free(x);
		close(fd);
		return it_error_set(err, IT_ERR_NOMEM, dir, IT_NO_OFFSET, "out of memory");
	}
	x->rootfd = fd;
	*out = x;
	return 0;
}

void it_extractor_close(struct it_extractor *x)
{
	if (!x)
		return;
	close(x->rootfd);
	free(x->dir);
	it_buf_free(&x->scratch);
	free(x);
}

static int unsafe(struct it_error *err, const struct it_entry *e, const char *why)
{
	return it_error_set(err, IT_ERR_UNSAFE, e->chain, IT_NO_OFFSET,
	                    "refused to extract '%s': %s", e->path, why);
}

static int io_error(struct it_error *err, const struct it_entry *e, const char *what, int errnum)
{
	return it_error_set(err, IT_ERR_IO, e->chain, IT_NO_OFFSET, "extracting '%s': %s: %s",
	                    e->path, what, strerror(errnum));
}

/* Open (creating when asked) the directory `name` inside dirfd, refusing
 * anything that is not a real directory. Returns an fd or -1 with errno. */
static int open_subdir(int dirfd, const char *name, int create)
{
	if (create && mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -1;
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Walk `path` (already normalised: no "..", no leading '/') below dirfd and
 * return an fd for the directory holding its last component, which is left in
 * *last. Intermediate directories are created. */
static int walk_parent(int dirfd, char *path, char **last, int create)
{
	int fd = dup(dirfd);
	char *p = path;
	for (char *slash; fd >= 0 && (slash = strchr(p, '/')); p = slash + 1) {
		*slash = 0;
		int next = open_subdir(fd, p, create);
		int e = errno;
		close(fd);
		errno = e;
		fd = next;
	}
	*last = p;
	return fd;
}

/* The container's directory: the chain with '%' and '/' escaped. */
static int container_dir(struct it_extractor *x, const struct it_entry *e, int *fd, char **last,
                         struct it_error *err)
{
	struct it_buf *b = &x->scratch;
	it_buf_truncate(b, 0);
	for (const char *c = e->chain; *c; c++) {
		int r = (*c == '/' || *c == '%') ? it_buf_printf(b, "%%%02X", (unsigned char)*c)
		                                 : it_buf_putc(b, *c);
		if (r < 0)
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	}
	if (e->type == IT_ENTRY_PAYLOAD) {
		*fd = dup(x->rootfd);
		*last = (char *)b->data;
		return 0;
	}
	*fd = open_subdir(x->rootfd, it_buf_str(b), 1);
	if (*fd < 0)
		return io_error(err, e, "container directory", errno);
	return 1;
}

/* Write all of data to fd: 0 or an errno value. */
static int write_all(int fd, const uint8_t *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		off += (size_t)n;
	}
	return 0;
}

static int write_file(int dirfd, const char *name, const struct it_entry *e, struct it_error *err)
{
	const uint8_t *data;
	size_t len;
	if (it_entry_bytes(e, &data, &len, err) < 0)
		return -1;
	char tmp[] = ".iotrust-tmp-XXXXXX";
	int fd = -1;
	for (int tries = 0; tries < 100 && fd < 0; tries++) {
		/* mkstemp has no *at form: make a unique name and create it exclusively */
		for (char *t = tmp + sizeof tmp - 7; *t; t++)
			*t = "abcdefghijklmnopqrstuvwxyz0123456789"[(unsigned)rand() % 36];
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return io_error(err, e, "create", errno);
	}
	if (fd < 0)
		return io_error(err, e, "create", EEXIST);
	int en = write_all(fd, data, len);
	if (en) {
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return io_error(err, e, "write", en);
	}
	mode_t mode = (e->mode & 0755) | 0600;
	if (fchmod(fd, mode) < 0 || close(fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
		en = errno;
		unlinkat(dirfd, tmp, 0);
		return io_error(err, e, "write", en);
	}
	return 0;
}

/* A hard link that carries data (cpio newc stores a linked file's bytes with
 * its last link): the bytes belong to the shared file, so they are written in
 * place, as cpio -i and the kernel do. Only a regular file is ever written. */
static int write_linked(int dirfd, const char *name, const struct it_entry *e, struct it_error *err)
{
	const uint8_t *data;
	size_t len;
	struct stat st;
	if (it_entry_bytes(e, &data, &len, err) < 0)
		return -1;
	int fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? unsafe(err, e, "hard link with data to a symlink")
		                      : io_error(err, e, "open", errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return unsafe(err, e, "hard link with data to a non-regular file");
	}
	int en = ftruncate(fd, 0) < 0 ? errno : write_all(fd, data, len);
	if (close(fd) < 0 && !en)
		en = errno;
	return en ? io_error(err, e, "write", en) : 0;
}

static int put_link(int rootfd, int dirfd, const char *name, const struct it_entry *e,
                    struct it_error *err)
{
	if (!e->link_target)
		return unsafe(err, e, "link without a target");
	if (e->type == IT_ENTRY_SYMLINK) {
		/* Targets stay as stored; the link is never followed while extracting. */
		if (symlinkat(e->link_target, dirfd, name) < 0) {
			if (errno != EEXIST)
				return io_error(err, e, "symlink", errno);
			if (unlinkat(dirfd, name, 0) < 0 ||
			    symlinkat(e->link_target, dirfd, name) < 0)
				return io_error(err, e, "symlink", errno);
		}
		return 0;
	}
	/* Hard link: resolve the target's directory with the same safe walk. */
	char *target = strdup(e->link_target), *tlast;
	if (!target)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	int tfd = walk_parent(rootfd, target, &tlast, 0);
	int r = 0;
	if (tfd < 0 || linkat(tfd, tlast, dirfd, name, 0) < 0) {
		int en = errno;
		if (en == EEXIST && tfd >= 0 && unlinkat(dirfd, name, 0) == 0 &&
		    linkat(tfd, tlast, dirfd, name, 0) == 0)
			r = 0;
		else
			r = unsafe(err, e, "hard link target is missing or outside the container");
	}
	if (tfd >= 0)
		close(tfd);
	free(target);
	if (r == 0 && e->size > 0)
		r = write_linked(dirfd, name, e, err);
	return r;
}

int it_extractor_put(struct it_extractor *x, const struct it_entry *e, struct it_error *err)
{
	int cfd = -1;
	char *cname = NULL;
	int r = container_dir(x, e, &cfd, &cname, err);
	if (r < 0)
		return -1;
	if (r == 0) { /* a payload: one file named after its chain */
		r = write_file(cfd, cname, e, err);
		close(cfd);
		return r;
	}
	if (!e->path[0] || e->path[0] == '/' || strstr(e->path, "..")) {
		/* the unpacker normalises paths; refuse anything that slipped through */
		for (const char *p = e->path; *p; p++)
			if (p[0] == '.' && p[1] == '.' && (p == e->path || p[-1] == '/') &&
			    (p[2] == 0 || p[2] == '/')) {
				close(cfd);
				return unsafe(err, e, "'..' in path");
			}
		if (!e->path[0] || e->path[0] == '/') {
			close(cfd);
			return unsafe(err, e, "empty or absolute path");
		}
	}
	char *path = strdup(e->path), *last;
	if (!path) {
		close(cfd);
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	}
	int dfd = walk_parent(cfd, path, &last, 1);
	if (dfd < 0) {
		r = (errno == ELOOP || errno == ENOTDIR)
		            ? unsafe(err, e, "a parent directory is a symlink or not a directory")
		            : io_error(err, e, "directory", errno);
		goto out;
	}
	switch (e->type) {
	case IT_ENTRY_DIR: {
		int fd = open_subdir(dfd, last, 1);
		if (fd < 0)
			r = errno == ELOOP || errno == ENOTDIR
			            ? unsafe(err, e, "exists as a symlink or file")
			            : io_error(err, e, "mkdir", errno);
		else
			close(fd);
		break;
	}
	case IT_ENTRY_FILE:
	case IT_ENTRY_PAYLOAD:
		r = write_file(dfd, last, e, err);
		break;
	case IT_ENTRY_SYMLINK:
	case IT_ENTRY_HARDLINK:
		r = put_link(cfd, dfd, last, e, err);
		break;
	default: /* devices, fifos and sockets are listed, never created */
		break;
	}
	close(dfd);
out:
	free(path);
	close(cfd);
	return r;
}

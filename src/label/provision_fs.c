/*
 * Durable file writes for the batch directory: every file is written to a temp file in its
 * own directory, fsync'd, then renamed (or hard-linked, to refuse replacing), and the
 * directory is fsync'd, so a crash leaves either the old state or the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iotrust/buf.h"
#include "label/provision_impl.h"

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int prov_fsync_dir(const char *dir, struct it_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return it_error_set(err, IT_ERR_IO, dir, IT_NO_OFFSET, "cannot sync directory: %s",
		                    strerror(e));
	}
	close(fd);
	return 0;
}

static int parent_dir(const char *path, struct it_buf *out)
{
	struct it_buf copy = IT_BUF_INIT;
	if (it_buf_puts(&copy, path) < 0)
		return -1;
	int rc = it_buf_puts(out, dirname((char *)copy.data));
	it_buf_free(&copy);
	return rc;
}

int prov_write_file(const char *path, const void *p, size_t n, mode_t mode, int no_replace,
                    struct it_error *err)
{
	struct it_buf tmp = IT_BUF_INIT, dir = IT_BUF_INIT;
	if (it_buf_printf(&tmp, "%s.tmp-XXXXXX", path) < 0 || parent_dir(path, &dir) < 0) {
		it_buf_free(&tmp);
		it_buf_free(&dir);
		return it_error_nomem(err);
	}
	int rc = -1;
	int fd = mkostemp((char *)tmp.data, O_CLOEXEC);
	if (fd < 0) {
		it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot create: %s",
		             strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) != 0 || write_all(fd, p, n) != 0 || fsync(fd) != 0) {
		it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot write: %s",
		             strerror(errno));
		close(fd);
		unlink((char *)tmp.data);
		goto out;
	}
	close(fd);
	if (no_replace) {
		if (link((char *)tmp.data, path) != 0) {
			int e = errno;
			unlink((char *)tmp.data);
			if (e == EEXIST)
				it_error_set(err, IT_ERR_USAGE, path, IT_NO_OFFSET,
				             "already exists; refusing to overwrite it");
			else
				it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET,
				             "cannot create: %s", strerror(e));
			goto out;
		}
		unlink((char *)tmp.data);
	} else if (rename((char *)tmp.data, path) != 0) {
		it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot write: %s",
		             strerror(errno));
		unlink((char *)tmp.data);
		goto out;
	}
	rc = prov_fsync_dir(it_buf_str(&dir), err);
out:
	it_buf_free(&tmp);
	it_buf_free(&dir);
	return rc;
}

int prov_append_fd(int fd, const char *path, const char *text, size_t n, struct it_error *err)
{
	if (write_all(fd, text, n) != 0 || fdatasync(fd) != 0)
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot append: %s",
		                    strerror(errno));
	return 0;
}

int prov_read_file(const char *path, size_t max, char **out, size_t *len, struct it_error *err)
{
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return it_error_set(err, errno == ELOOP ? IT_ERR_INPUT : IT_ERR_IO, path,
		                    IT_NO_OFFSET, "cannot open: %s", strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET,
		                    "not a regular file of at most %zu bytes", max);
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return it_error_nomem(err);
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

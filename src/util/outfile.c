/*
 * it_outfile implementation: mkstemp beside the target, rename on commit,
 * unlink on abort. A target that exists and is not a regular file (/dev/null, a
 * FIFO, a terminal), or lives under /dev or /proc (/dev/stdout), is written directly:
 * renaming over it would replace the device with a file, and there is nothing there
 * to leave half-written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iotrust/buf.h"
#include "iotrust/outfile.h"

/* Write straight into an existing device, FIFO or socket; refuse a directory. */
static int open_direct(struct it_outfile *o, const char *path, const struct stat *st,
                       struct it_error *err)
{
	if (S_ISDIR(st->st_mode))
		return it_error_set(err, IT_ERR_USAGE, path, IT_NO_OFFSET,
		                    "is a directory; expected a file name");
	o->f = fopen(path, "w");
	if (!o->f)
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot open: %s",
		                    strerror(errno));
	o->path = strdup(path);
	if (!o->path) {
		it_outfile_abort(o);
		return it_error_set(err, IT_ERR_NOMEM, path, IT_NO_OFFSET, "out of memory");
	}
	return 0;
}

int it_outfile_open(struct it_outfile *o, const char *path, struct it_error *err)
{
	memset(o, 0, sizeof *o);
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	/* /dev/stdout is a symbolic link to whatever fd 1 is, a regular file included:
	 * anything under /dev or /proc is written in place too */
	struct stat st;
	if (stat(path, &st) == 0 && (!S_ISREG(st.st_mode) || strncmp(path, "/dev/", 5) == 0 ||
	                             strncmp(path, "/proc/", 6) == 0))
		return open_direct(o, path, &st, err);
	struct it_buf tmp = IT_BUF_INIT;
	if (it_buf_printf(&tmp, "%s.tmp-XXXXXX", path) < 0)
		return it_error_set(err, IT_ERR_NOMEM, path, IT_NO_OFFSET, "out of memory");
	int fd = mkstemp((char *)tmp.data);
	if (fd < 0) {
		it_buf_free(&tmp);
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot create: %s",
		                    strerror(errno));
	}
	fchmod(fd, 0644);
	o->f = fdopen(fd, "w");
	o->tmp = it_buf_detach(&tmp);
	o->path = strdup(path);
	if (!o->f || !o->path) {
		if (!o->f)
			close(fd);
		it_outfile_abort(o);
		return it_error_set(err, IT_ERR_NOMEM, path, IT_NO_OFFSET, "out of memory");
	}
	return 0;
}

int it_outfile_commit(struct it_outfile *o, struct it_error *err)
{
	if (o->f == stdout) {
		if (fflush(stdout) != 0)
			return it_error_set(err, IT_ERR_IO, "stdout", IT_NO_OFFSET,
			                    "write failed: %s", strerror(errno));
		return 0;
	}
	int bad = ferror(o->f) || fflush(o->f) != 0;
	if (fclose(o->f) != 0)
		bad = 1;
	o->f = NULL;
	if (bad || (o->tmp && rename(o->tmp, o->path) != 0)) {
		int e = errno;
		it_error_set(err, IT_ERR_IO, o->path, IT_NO_OFFSET, "cannot write: %s",
		             strerror(e));
		it_outfile_abort(o);
		return -1;
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return 0;
}

void it_outfile_abort(struct it_outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof *o);
}

/*
 * Helpers shared by the unit tests (see testutil.h).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static int collect_entry(void *user, const struct it_entry *e)
{
	struct collected *c = user;
	c->entries++;
	it_buf_printf(&c->listing, "%s %04o %llu %s", it_entry_type_name(e->type), e->mode,
	              (unsigned long long)e->size, e->chain);
	if (e->type != IT_ENTRY_PAYLOAD)
		it_buf_printf(&c->listing, "!/%s", e->path);
	if (e->link_target)
		it_buf_printf(&c->listing, " -> %s", e->link_target);
	it_buf_putc(&c->listing, '\n');
	if (e->type == IT_ENTRY_FILE || e->type == IT_ENTRY_PAYLOAD) {
		const uint8_t *d;
		size_t n;
		struct it_error err = IT_ERROR_INIT;
		if (it_entry_bytes(e, &d, &n, &err) == 0)
			it_buf_append(&c->data, d, n);
		it_error_clear(&err);
	}
	return 0;
}

struct hooks {
	it_entry_fn on_entry;
	void *user;
	struct it_buf *diags;
};

static int hooks_entry(void *user, const struct it_entry *e)
{
	struct hooks *h = user;
	return h->on_entry ? h->on_entry(h->user, e) : 0;
}

static void hooks_diag(void *user, const struct it_error *d)
{
	struct hooks *h = user;
	char *m = it_error_format(d);
	it_buf_printf(h->diags, "%s\n", m);
	free(m);
}

int test_unpack(const char *format, const uint8_t *data, size_t len,
                const struct it_unpack_limits *limits, it_entry_fn on_entry, void *user,
                struct it_buf *diags, struct it_unpack_stats *stats, struct it_error *err)
{
	struct hooks h = {on_entry, user, diags};
	struct it_unpack_options o;
	it_unpack_options_default(&o);
	if (limits)
		o.limits = *limits;
	o.on_entry = hooks_entry;
	o.on_diag = hooks_diag;
	o.user = &h;
	int rc = format ? it_unpack_memory_as(format, data, len, "t", &o, stats, err)
	                : it_unpack_memory(data, len, "t", &o, stats, err);
	if (getenv("IOTRUST_TEST_VERBOSE")) {
		char *m = rc ? it_error_format(err) : NULL;
		fprintf(stderr, "--- diags\n%s--- rc %d %s\n", it_buf_str(diags), rc, m ? m : "");
		free(m);
	}
	return rc;
}

void collect_unpack(struct collected *c, const char *format, const uint8_t *data, size_t len,
                    const struct it_unpack_limits *limits)
{
	memset(c, 0, sizeof *c);
	c->err = (struct it_error)IT_ERROR_INIT;
	c->rc = test_unpack(format, data, len, limits, collect_entry, c, &c->diags, &c->stats,
	                    &c->err);
	if (getenv("IOTRUST_TEST_VERBOSE"))
		fprintf(stderr, "--- listing\n%s", it_buf_str(&c->listing));
}

void collected_free(struct collected *c)
{
	it_buf_free(&c->listing);
	it_buf_free(&c->data);
	it_buf_free(&c->diags);
	it_error_clear(&c->err);
}

int listing_has(const struct collected *c, const char *needle)
{
	return strstr(it_buf_str(&c->listing), needle) != NULL;
}

int read_file(const char *path, struct it_buf *buf)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		it_buf_append(buf, tmp, n);
	fclose(f);
	return 0;
}

int run_filter(const char *cmd, const uint8_t *in, size_t inlen, struct it_buf *out)
{
	char inpath[] = "/tmp/iotrust-test-in-XXXXXX";
	int fd = mkstemp(inpath);
	if (fd < 0)
		return -1;
	if (inlen && write(fd, in, inlen) != (ssize_t)inlen) {
		close(fd);
		unlink(inpath);
		return -1;
	}
	close(fd);
	struct it_buf full = IT_BUF_INIT;
	it_buf_printf(&full, "(%s) < %s", cmd, inpath);
	FILE *p = popen(it_buf_str(&full), "r");
	it_buf_free(&full);
	if (!p) {
		unlink(inpath);
		return -1;
	}
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, p)) > 0)
		it_buf_append(out, tmp, n);
	int st = pclose(p);
	unlink(inpath);
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0) ? 0 : -1;
}

const char *test_data(const char *name)
{
	static char path[4096];
	const char *dir = getenv("IOTRUST_TEST_DATA");
	snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
	return path;
}

int test_sh(const char *fmt, ...)
{
	struct it_buf cmd = IT_BUF_INIT, out = IT_BUF_INIT;
	va_list ap;
	it_buf_puts(&cmd, "PATH=$PATH:/usr/sbin:/sbin; { ");
	va_start(ap, fmt);
	it_buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	it_buf_puts(&cmd, "\n} 2>&1");
	int r = run_filter(it_buf_str(&cmd), NULL, 0, &out);
	if (r != 0)
		fprintf(stderr, "command failed: %s\n%s", it_buf_str(&cmd), it_buf_str(&out));
	it_buf_free(&cmd);
	it_buf_free(&out);
	return r;
}

int test_put(const char *dir, const char *rel, const void *p, size_t n, unsigned mode)
{
	struct it_buf path = IT_BUF_INIT;
	it_buf_printf(&path, "%s/%s", dir, rel);
	const char *f = it_buf_str(&path);
	int rc = test_sh("mkdir -p \"$(dirname '%s')\"", f) == 0 ? 0 : -1;
	FILE *fp = rc == 0 ? fopen(f, "wb") : NULL;
	if (!fp || fwrite(p, 1, n, fp) != n)
		rc = -1;
	if (fp && fclose(fp) != 0)
		rc = -1;
	if (rc == 0 && chmod(f, (mode_t)mode) != 0)
		rc = -1;
	it_buf_free(&path);
	return rc;
}

int test_dir_open(struct test_dir *d, const char *tag)
{
	snprintf(d->dir, sizeof d->dir, "/tmp/iotrust-%.16s-XXXXXX", tag);
	return mkdtemp(d->dir) ? 0 : -1;
}

void test_dir_close(struct test_dir *d)
{
	if (d->dir[0])
		test_sh("rm -rf '%s'", d->dir);
}

/* find(1)'s %y letter for an entry type ('f' for hard links: find sees files). */
static char find_type(enum it_entry_type t)
{
	switch (t) {
	case IT_ENTRY_DIR:
		return 'd';
	case IT_ENTRY_SYMLINK:
		return 'l';
	case IT_ENTRY_FIFO:
		return 'p';
	case IT_ENTRY_FILE:
	case IT_ENTRY_HARDLINK:
		return 'f';
	case IT_ENTRY_CHAR:
		return 'c';
	case IT_ENTRY_BLOCK:
		return 'b';
	case IT_ENTRY_SOCKET:
		return 's';
	default:
		return '?';
	}
}

void test_find_line(struct it_buf *out, const struct it_entry *e)
{
	it_buf_printf(out, "%c %o %s -> %s\n", find_type(e->type), e->mode, e->path,
	              e->type == IT_ENTRY_SYMLINK ? e->link_target : "");
}

int test_same_inode(const char *root, const char *a, const char *b)
{
	struct it_buf pa = IT_BUF_INIT, pb = IT_BUF_INIT;
	struct stat sa, sb;
	it_buf_printf(&pa, "%s/%s", root, a);
	it_buf_printf(&pb, "%s/%s", root, b ? b : "");
	int same = b && stat(it_buf_str(&pa), &sa) == 0 && stat(it_buf_str(&pb), &sb) == 0 &&
	           sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
	it_buf_free(&pa);
	it_buf_free(&pb);
	return same;
}

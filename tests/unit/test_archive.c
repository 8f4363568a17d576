/*
 * Unit tests for the tar, cpio and zip readers (fmt_archive.c): archives made
 * by the real tools (GNU tar, GNU cpio, Info-ZIP zip) and hostile ones written
 * byte by byte here (traversal names, a symlink escape, links outside, a zip
 * bomb, truncation, lying sizes), nesting, carving, and safe extraction.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "testutil.h"

/* ---- running the engine and recording what it said ---- */

struct arun {
	struct it_buf listing;     /* as testutil: "<type> <mode> <size> <chain>!/<path>[ -> t]" */
	struct it_buf bytes;       /* "<path>=<data>\n" for every entry with data */
	struct it_buf diags;       /* "<code>|<formatted diagnostic>\n" */
	struct it_buf read_errors; /* "<code>|<message>\n" from it_entry_bytes */
	size_t unsafe;             /* diagnostics with IT_ERR_UNSAFE */
	struct it_extractor *x;    /* when set, every entry is extracted */
	struct it_buf put_errors;  /* "<code>|<path>\n" from it_extractor_put */
	int rc;
	struct it_error err;
};

static int arun_entry(void *user, const struct it_entry *e)
{
	struct arun *r = user;
	it_buf_printf(&r->listing, "%s %04o %llu %s!/%s", it_entry_type_name(e->type), e->mode,
	              (unsigned long long)e->size, e->chain, e->path);
	if (e->link_target)
		it_buf_printf(&r->listing, " -> %s", e->link_target);
	it_buf_putc(&r->listing, '\n');
	struct it_error err = IT_ERROR_INIT;
	if (e->size > 0) {
		const uint8_t *d;
		size_t n;
		if (it_entry_bytes(e, &d, &n, &err) == 0) {
			it_buf_printf(&r->bytes, "%s=", e->path);
			it_buf_append(&r->bytes, d, n);
			it_buf_putc(&r->bytes, '\n');
		} else {
			it_buf_printf(&r->read_errors, "%d|%s\n", err.code, err.message);
		}
		it_error_clear(&err);
	}
	if (r->x && it_extractor_put(r->x, e, &err) < 0)
		it_buf_printf(&r->put_errors, "%d|%s\n", err.code, e->path);
	it_error_clear(&err);
	return 0;
}

static void arun_diag(void *user, const struct it_error *d)
{
	struct arun *r = user;
	char *m = it_error_format(d);
	it_buf_printf(&r->diags, "%d|%s\n", d->code, m);
	if (d->code == IT_ERR_UNSAFE)
		r->unsafe++;
	free(m);
}

/* Unpack as `format` (or carving when NULL), named "t". */
static void arun(struct arun *r, const char *format, const void *data, size_t len,
                 const struct it_unpack_limits *limits, struct it_extractor *x)
{
	struct it_unpack_options o;
	struct it_unpack_stats st;
	memset(r, 0, sizeof *r);
	r->err = (struct it_error)IT_ERROR_INIT;
	r->x = x;
	it_unpack_options_default(&o);
	if (limits)
		o.limits = *limits;
	o.on_entry = arun_entry;
	o.on_diag = arun_diag;
	o.user = r;
	if (format)
		r->rc = it_unpack_memory_as(format, data, len, "t", &o, &st, &r->err);
	else
		r->rc = it_unpack_memory(data, len, "t", &o, &st, &r->err);
	if (getenv("IOTRUST_TEST_VERBOSE")) {
		char *m = it_error_format(&r->err);
		fprintf(stderr, "--- listing\n%s--- diags\n%s--- read errors\n%s--- rc %d: %s\n",
		        it_buf_str(&r->listing), it_buf_str(&r->diags), it_buf_str(&r->read_errors),
		        r->rc, r->rc ? m : "");
		free(m);
	}
}

static void arun_free(struct arun *r)
{
	it_buf_free(&r->listing);
	it_buf_free(&r->bytes);
	it_buf_free(&r->diags);
	it_buf_free(&r->read_errors);
	it_buf_free(&r->put_errors);
	it_error_clear(&r->err);
}

/* Does b (which may hold binary data) contain needle? */
static int has(const struct it_buf *b, const char *needle)
{
	return b->data && memmem(b->data, b->len, needle, strlen(needle)) != NULL;
}

static size_t lines(const struct it_buf *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n;
}

/* Run a shell script in a fresh temporary directory (umask 022), capture its
 * stdout, and remove the directory. */
static void sh(const char *script, struct it_buf *out)
{
	struct it_buf cmd = IT_BUF_INIT;
	it_buf_printf(&cmd,
	              "d=$(mktemp -d /tmp/iotrust-arc-XXXXXX) && cd \"$d\" && umask 022 && "
	              "{ %s; }; r=$?; cd / && rm -rf \"$d\"; exit $r",
	              script);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, out), 0);
	it_buf_free(&cmd);
}

/* ---- archives written byte by byte ---- */

static void tar_add(struct it_buf *b, const char *name, char type, unsigned mode, const char *link,
                    const void *data, size_t len)
{
	char h[512];
	memset(h, 0, sizeof h);
	snprintf(h, 100, "%s", name);
	snprintf(h + 100, 8, "%07o", mode);
	snprintf(h + 108, 8, "%07o", 0u);
	snprintf(h + 116, 8, "%07o", 0u);
	snprintf(h + 124, 12, "%011zo", len);
	snprintf(h + 136, 12, "%011o", 1700000000u);
	h[156] = type;
	if (link)
		snprintf(h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof h; i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	h[155] = ' ';
	it_buf_append(b, h, sizeof h);
	if (len) {
		it_buf_append(b, data, len);
		static const char zero[512];
		if (len % 512)
			it_buf_append(b, zero, 512 - len % 512);
	}
}

static void tar_end(struct it_buf *b)
{
	static const char zero[1024];
	it_buf_append(b, zero, sizeof zero);
}

static void newc_add(struct it_buf *b, const char *name, unsigned mode, unsigned ino,
                     unsigned nlink, const void *data, size_t len)
{
	static const char zero[4];
	size_t namesize = strlen(name) + 1;
	it_buf_printf(b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08zX%08X", ino, mode,
	              0u, 0u, nlink, 1700000000u, (unsigned)len, 0u, 0u,
	              (mode & 0170000) == 0020000 ? 5u : 0u, (mode & 0170000) == 0020000 ? 1u : 0u,
	              namesize, 0u);
	it_buf_append(b, name, namesize);
	if ((110 + namesize) % 4)
		it_buf_append(b, zero, 4 - (110 + namesize) % 4);
	if (len) {
		it_buf_append(b, data, len);
		if (len % 4)
			it_buf_append(b, zero, 4 - len % 4);
	}
}

static void newc_end(struct it_buf *b)
{
	newc_add(b, "TRAILER!!!", 0, 0, 1, NULL, 0);
}

static void put16(struct it_buf *b, unsigned v)
{
	uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	it_buf_append(b, x, 2);
}

static void put32(struct it_buf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	it_buf_append(b, x, 4);
}

struct zent {
	const char *name;
	const char *data;
	unsigned mode; /* with type bits, stored in the external attributes */
};

/* A zip of stored members with a central directory. */
static void zip_stored(struct it_buf *b, const struct zent *z, size_t n)
{
	size_t start = b->len;
	uint32_t offs[16];
	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(z[i].data);
		uint32_t crc = (uint32_t)crc32(0, (const Bytef *)z[i].data, (uInt)len);
		offs[i] = (uint32_t)(b->len - start);
		put32(b, 0x04034b50);
		put16(b, 20);
		put16(b, 0);
		put16(b, 0);
		put16(b, 0);
		put16(b, 0x21);
		put32(b, crc);
		put32(b, (uint32_t)len);
		put32(b, (uint32_t)len);
		put16(b, (unsigned)strlen(z[i].name));
		put16(b, 0);
		it_buf_puts(b, z[i].name);
		it_buf_append(b, z[i].data, len);
	}
	size_t cd = b->len;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(z[i].data);
		put32(b, 0x02014b50);
		put16(b, 3u << 8 | 20);
		put16(b, 20);
		put16(b, 0);
		put16(b, 0);
		put16(b, 0);
		put16(b, 0x21);
		put32(b, (uint32_t)crc32(0, (const Bytef *)z[i].data, (uInt)len));
		put32(b, (uint32_t)len);
		put32(b, (uint32_t)len);
		put16(b, (unsigned)strlen(z[i].name));
		put16(b, 0);
		put16(b, 0);
		put16(b, 0);
		put16(b, 0);
		put32(b, (uint32_t)z[i].mode << 16);
		put32(b, offs[i]);
		it_buf_puts(b, z[i].name);
	}
	size_t cdsize = b->len - cd;
	put32(b, 0x06054b50);
	put16(b, 0);
	put16(b, 0);
	put16(b, (unsigned)n);
	put16(b, (unsigned)n);
	put32(b, (uint32_t)cdsize);
	put32(b, (uint32_t)(cd - start));
	put16(b, 0);
}

/* ---- happy paths with the real tools ---- */

#define LONGDIR                                                                                    \
	"a-directory-name-of-sixty-characters-to-make-long-paths-0001/"                            \
	"a-directory-name-of-sixty-characters-to-make-long-paths-0002"

static const char tree_script[] =
        "mkdir -p sub " LONGDIR " && printf 'hello\\n' > sub/a && chmod 4755 sub/a && "
        "ln sub/a sub/b && ln -s a sub/s && printf 'deep file' > " LONGDIR "/f && "
        "chmod 0644 " LONGDIR "/f";

static void check_tar_tree(const char *format)
{
	struct it_buf tar = IT_BUF_INIT;
	struct it_buf script = IT_BUF_INIT;
	it_buf_printf(&script,
	              "%s && tar --format=%s --sort=name --owner=0 --group=0 --numeric-owner "
	              "-cf - sub a-directory-name-of-sixty-characters-to-make-long-paths-0001",
	              tree_script, format);
	sh(it_buf_str(&script), &tar);
	struct arun r;
	arun(&r, "tar", tar.data, tar.len, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(has(&r.listing, "dir 0755 0 t:tar!/sub\n"));
	assert_true(has(&r.listing, "file 4755 6 t:tar!/sub/a\n"));
	assert_true(has(&r.listing, "hard 4755 0 t:tar!/sub/b -> sub/a\n"));
	assert_true(has(&r.listing, "link 0777 0 t:tar!/sub/s -> a\n"));
	assert_true(has(&r.listing, "file 0644 9 t:tar!/" LONGDIR "/f\n"));
	assert_true(has(&r.bytes, "sub/a=hello\n\n"));
	assert_true(has(&r.bytes, LONGDIR "/f=deep file\n"));
	assert_int_equal(lines(&r.diags), 0);
	arun_free(&r);
	it_buf_free(&script);
	it_buf_free(&tar);
}

static void test_tar_gnu(void **state)
{
	(void)state;
	check_tar_tree("gnu");
}

static void test_tar_pax(void **state)
{
	(void)state;
	check_tar_tree("pax");
}

/* GNU and pax sparse files: holes (also a trailing one) read as zeros. */
static void test_tar_sparse(void **state)
{
	(void)state;
	const char *fmt[] = {"gnu", "pax"};
	for (int i = 0; i < 2; i++) {
		struct it_buf tar = IT_BUF_INIT, script = IT_BUF_INIT;
		it_buf_printf(&script,
		              "printf head > f && truncate -s 100000 f && printf tail >> f && "
		              "truncate -s 300000 f && tar --format=%s -S -cf - f",
		              fmt[i]);
		sh(it_buf_str(&script), &tar);
		assert_true(tar.len < 300000); /* really stored sparse */
		struct arun r;
		arun(&r, "tar", tar.data, tar.len, NULL, NULL);
		assert_int_equal(r.rc, 0);
		assert_true(has(&r.listing, "file 0644 300000 t:tar!/f\n"));
		assert_int_equal(r.bytes.len, 2 + 300000 + 1);
		const uint8_t *d = r.bytes.data + 2;
		assert_memory_equal(d, "head", 4);
		assert_memory_equal(d + 100000, "tail", 4);
		for (size_t k = 4; k < 300000; k++)
			if (k < 100000 || k >= 100004)
				assert_int_equal(d[k], 0);
		arun_free(&r);
		it_buf_free(&script);
		it_buf_free(&tar);
	}
}

static void check_cpio_tree(const char *format, int newc)
{
	struct it_buf cpio = IT_BUF_INIT;
	struct it_buf script = IT_BUF_INIT;
	/* as the Linux initramfs is made */
	it_buf_printf(&script, "%s && find . | LC_ALL=C sort | cpio -o -H %s --quiet", tree_script,
	              format);
	sh(it_buf_str(&script), &cpio);
	struct arun r;
	arun(&r, "cpio", cpio.data, cpio.len, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(has(&r.listing, "dir 0755 0 t:cpio!/sub\n"));
	if (newc) {
		/* newc stores a linked file's data with its last link */
		assert_true(has(&r.listing, "file 4755 0 t:cpio!/sub/a\n"));
		assert_true(has(&r.listing, "hard 4755 6 t:cpio!/sub/b -> sub/a\n"));
	} else {
		assert_true(has(&r.listing, "file 4755 6 t:cpio!/sub/a\n"));
		assert_true(has(&r.listing, "hard 4755 6 t:cpio!/sub/b -> sub/a\n"));
		assert_true(has(&r.bytes, "sub/a=hello\n\n"));
	}
	assert_true(has(&r.bytes, "sub/b=hello\n\n"));
	assert_true(has(&r.listing, "link 0777 0 t:cpio!/sub/s -> a\n"));
	assert_true(has(&r.listing, "file 0644 9 t:cpio!/" LONGDIR "/f\n"));
	assert_true(has(&r.bytes, LONGDIR "/f=deep file\n"));
	assert_int_equal(lines(&r.diags), 0);
	arun_free(&r);
	it_buf_free(&script);
	it_buf_free(&cpio);
}

static void test_cpio_newc_initramfs(void **state)
{
	(void)state;
	check_cpio_tree("newc", 1);
}

static void test_cpio_odc(void **state)
{
	(void)state;
	check_cpio_tree("odc", 0);
}

static void test_cpio_binary(void **state)
{
	(void)state;
	check_cpio_tree("bin", 0);
}

static void test_cpio_device_and_trailer_padding(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	newc_add(&b, "dev", 0040755, 1, 2, NULL, 0);
	newc_add(&b, "dev/console", 0020600, 2, 1, NULL, 0);
	newc_add(&b, "init", 0100755, 3, 1, "#!/bin/sh\n", 10);
	newc_end(&b);
	/* cpio(1) pads to 512 bytes; the next archive (as in an initramfs made
	 * of several) starts after the padding */
	static const char zero[512];
	it_buf_append(&b, zero, 512 - b.len % 512);
	size_t second = b.len;
	newc_add(&b, "kernel/x86/microcode/GenuineIntel.bin", 0100644, 9, 1, "ucode", 5);
	newc_end(&b);
	struct arun r;
	arun(&r, NULL, b.data, b.len, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(has(&r.listing, "chr 0600 0 t:cpio!/dev/console\n"));
	assert_true(has(&r.listing, "file 0755 10 t:cpio!/init\n"));
	char want[128];
	snprintf(want, sizeof want,
	         "file 0644 5 t@0x%zx:cpio!/kernel/x86/microcode/GenuineIntel.bin\n", second);
	assert_true(has(&r.listing, want));
	assert_int_equal(lines(&r.listing), 4);
	arun_free(&r);
	it_buf_free(&b);
}

static void test_zip_stored_and_deflated(void **state)
{
	(void)state;
	const char *level[] = {"-0", "-9"};
	for (int i = 0; i < 2; i++) {
		struct it_buf zip = IT_BUF_INIT;
		struct it_buf script = IT_BUF_INIT;
		it_buf_printf(&script,
		              "%s && head -c 100000 /dev/zero | tr '\\0' x > sub/big && "
		              "zip -q -X -y -r %s z.zip sub " LONGDIR " && cat z.zip",
		              tree_script, level[i]);
		sh(it_buf_str(&script), &zip);
		struct arun r;
		arun(&r, "zip", zip.data, zip.len, NULL, NULL);
		assert_int_equal(r.rc, 0);
		assert_true(has(&r.listing, "dir 0755 0 t:zip!/sub\n"));
		assert_true(has(&r.listing, "file 4755 6 t:zip!/sub/a\n"));
		assert_true(
		        has(&r.listing, "file 4755 6 t:zip!/sub/b\n")); /* zip has no hard links */
		assert_true(has(&r.listing, "link 0777 0 t:zip!/sub/s -> a\n"));
		assert_true(has(&r.listing, "file 0644 100000 t:zip!/sub/big\n"));
		assert_true(has(&r.listing, "file 0644 9 t:zip!/" LONGDIR "/f\n"));
		assert_true(has(&r.bytes, "sub/a=hello\n\n"));
		assert_true(has(&r.bytes, LONGDIR "/f=deep file\n"));
		const char *big = strstr(it_buf_str(&r.bytes), "sub/big=");
		assert_non_null(big);
		assert_true(strspn(big + 8, "x") == 100000);
		assert_int_equal(lines(&r.diags), 0);
		arun_free(&r);
		it_buf_free(&script);
		it_buf_free(&zip);
	}
}

/* zip(1) writing to a pipe cannot seek back: sizes follow the data in data
 * descriptors; the archive is still read through its central directory. */
static void test_zip_streamed_to_a_pipe(void **state)
{
	(void)state;
	struct it_buf zip = IT_BUF_INIT;
	sh("printf 'streamed bytes' | zip -q - -", &zip);
	struct arun r;
	arun(&r, "zip", zip.data, zip.len, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(has(&r.listing, " 14 t:zip!/-\n"));
	assert_true(has(&r.bytes, "-=streamed bytes\n"));
	arun_free(&r);
	/* cut where the central directory starts: the local headers are still
	 * listed, and the missing directory is reported */
	size_t cut = zip.len;
	while (cut > 4 && memcmp(zip.data + cut - 4, "PK\x01\x02", 4) != 0)
		cut--;
	arun(&r, "zip", zip.data, cut - 4, NULL, NULL);
	assert_int_equal(r.rc, -1);
	assert_true(has(&r.bytes, "-=streamed bytes\n"));
	assert_true(has(&r.diags, "zip: header expected at offset 0x"));
	arun_free(&r);
	it_buf_free(&zip);
}

/* ---- carving and nesting ---- */

static void test_carved_at_offsets(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	it_buf_puts(&img, "VENDOR-HEADER-0123456789");
	size_t tar_at = img.len;
	tar_add(&img, "etc/passwd", '0', 0644, NULL, "root:x:0:0\n", 11);
	tar_end(&img);
	it_buf_puts(&img, "padding-between");
	size_t zip_at = img.len;
	const struct zent z[] = {{"www/index.html", "<html>", 0100644}};
	zip_stored(&img, z, 1);
	it_buf_puts(&img, "trailing junk after the zip");
	size_t cpio_at = img.len;
	newc_add(&img, "bin/sh", 0100755, 1, 1, "ELF", 3);
	newc_end(&img);
	struct arun r;
	arun(&r, NULL, img.data, img.len, NULL, NULL);
	assert_int_equal(r.rc, 0);
	char want[128];
	snprintf(want, sizeof want, "file 0644 11 t@0x%zx:tar!/etc/passwd\n", tar_at);
	assert_true(has(&r.listing, want));
	snprintf(want, sizeof want, "file 0644 6 t@0x%zx:zip!/www/index.html\n", zip_at);
	assert_true(has(&r.listing, want));
	snprintf(want, sizeof want, "file 0755 3 t@0x%zx:cpio!/bin/sh\n", cpio_at);
	assert_true(has(&r.listing, want));
	assert_int_equal(lines(&r.listing), 3);
	assert_int_equal(lines(&r.diags), 0);
	arun_free(&r);
	it_buf_free(&img);
}

static void test_gzipped_cpio(void **state)
{
	(void)state;
	struct it_buf gz = IT_BUF_INIT;
	sh("mkdir -p bin && printf 'busybox' > bin/busybox && find . | cpio -o -H newc --quiet | "
	   "gzip -n",
	   &gz);
	struct arun r;
	arun(&r, NULL, gz.data, gz.len, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(has(&r.listing, "file 0644 7 t:gzip:cpio!/bin/busybox\n"));
	assert_true(has(&r.bytes, "bin/busybox=busybox\n"));
	arun_free(&r);
	it_buf_free(&gz);
}

static void test_tar_gz_inside_cpio(void **state)
{
	(void)state;
	struct it_buf cpio = IT_BUF_INIT;
	sh("mkdir in && printf 'inner' > in/inner.txt && tar -C in -cf - inner.txt | gzip -n > "
	   "x.tar.gz && echo x.tar.gz | cpio -o -H newc --quiet",
	   &cpio);
	struct arun r;
	arun(&r, "cpio", cpio.data, cpio.len, NULL, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(has(&r.listing, " t:cpio!/x.tar.gz\n"));
	assert_true(has(&r.listing, "file 0644 5 t:cpio!/x.tar.gz:gzip:tar!/inner.txt\n"));
	assert_true(has(&r.bytes, "inner.txt=inner\n"));
	arun_free(&r);
	it_buf_free(&cpio);
}

/* ---- hostile names ---- */

static void check_traversal_refused(const char *format, const struct it_buf *b)
{
	struct arun r;
	arun(&r, format, b->data, b->len, NULL, NULL);
	/* the safe entries are delivered, the three unsafe ones are not */
	assert_true(has(&r.listing, "ok.txt\n"));
	assert_true(has(&r.listing, "sub/also-ok\n"));
	assert_false(has(&r.listing, "evil"));
	assert_false(has(&r.listing, "passwd"));
	assert_int_equal(lines(&r.listing), 2);
	assert_int_equal(r.unsafe, 3);
	assert_true(has(&r.diags, "refused entry '../evil': '..' in path"));
	assert_true(has(&r.diags, "refused entry 'a/../../evil': '..' in path"));
	assert_true(has(&r.diags, "refused entry '/etc/passwd': absolute path"));
	/* the run ends with the problem summary */
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(r.err.message, "3 problems"));
	arun_free(&r);
}

static void test_traversal_tar(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	tar_add(&b, "ok.txt", '0', 0644, NULL, "fine", 4);
	tar_add(&b, "../evil", '0', 0644, NULL, "evil", 4);
	tar_add(&b, "a/../../evil", '0', 0644, NULL, "evil", 4);
	tar_add(&b, "/etc/passwd", '0', 0644, NULL, "evil", 4);
	tar_add(&b, "sub/also-ok", '0', 0644, NULL, "fine", 4);
	tar_end(&b);
	check_traversal_refused("tar", &b);
	it_buf_free(&b);
	/* GNU tar keeps such names with -P */
	struct it_buf real = IT_BUF_INIT;
	sh("mkdir -p w/sub && cd w/sub && echo x > ok && echo y > ../evil && "
	   "tar -P -cf - ok ../evil",
	   &real);
	struct arun r;
	arun(&r, "tar", real.data, real.len, NULL, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.unsafe, 1);
	assert_true(has(&r.listing, "t:tar!/ok\n"));
	arun_free(&r);
	it_buf_free(&real);
}

static void test_traversal_cpio(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	newc_add(&b, "ok.txt", 0100644, 1, 1, "fine", 4);
	newc_add(&b, "../evil", 0100644, 2, 1, "evil", 4);
	newc_add(&b, "a/../../evil", 0100644, 3, 1, "evil", 4);
	newc_add(&b, "/etc/passwd", 0100644, 4, 1, "evil", 4);
	newc_add(&b, "sub/also-ok", 0100644, 5, 1, "fine", 4);
	newc_end(&b);
	check_traversal_refused("cpio", &b);
	it_buf_free(&b);
	/* GNU cpio takes "../x" from its list */
	struct it_buf real = IT_BUF_INIT;
	sh("mkdir -p w/sub && cd w/sub && echo x > ok && echo y > ../evil && "
	   "printf 'ok\\n../evil\\n' | cpio -o -H newc --quiet",
	   &real);
	struct arun r;
	arun(&r, "cpio", real.data, real.len, NULL, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.unsafe, 1);
	assert_true(has(&r.listing, "t:cpio!/ok\n"));
	arun_free(&r);
	it_buf_free(&real);
}

static void test_traversal_zip(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	const struct zent z[] = {
	        {"ok.txt", "fine", 0100644},       {"../evil", "evil", 0100644},
	        {"a/../../evil", "evil", 0100644}, {"/etc/passwd", "evil", 0100644},
	        {"sub/also-ok", "fine", 0100644},
	};
	zip_stored(&b, z, 5);
	check_traversal_refused("zip", &b);
	it_buf_free(&b);
}

static void test_hardlink_outside_refused(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	tar_add(&b, "ok.txt", '0', 0644, NULL, "fine", 4);
	tar_add(&b, "pw", '1', 0644, "../../etc/passwd", NULL, 0);
	tar_add(&b, "pw2", '1', 0644, "/etc/passwd", NULL, 0);
	tar_add(&b, "inside", '1', 0644, "ok.txt", NULL, 0);
	tar_end(&b);
	struct arun r;
	arun(&r, "tar", b.data, b.len, NULL, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, IT_ERR_INPUT);
	assert_int_equal(r.unsafe, 2);
	assert_true(has(&r.diags, "refused entry '../../etc/passwd': '..' in path"));
	assert_true(has(&r.diags, "refused hard link 'pw2': absolute target '/etc/passwd'"));
	assert_false(has(&r.listing, "pw"));
	assert_true(has(&r.listing, "hard 0644 0 t:tar!/inside -> ok.txt\n"));
	arun_free(&r);
	it_buf_free(&b);
}

/* ---- extraction ---- */

static char *make_tmpdir(void)
{
	char *dir = strdup("/tmp/iotrust-arc-x-XXXXXX");
	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void remove_tree(char *dir)
{
	struct it_buf cmd = IT_BUF_INIT;
	it_buf_printf(&cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(it_buf_str(&cmd)), 0);
	it_buf_free(&cmd);
	free(dir);
}

static void test_symlink_escape_on_extraction(void **state)
{
	(void)state;
	char marker[64];
	snprintf(marker, sizeof marker, "iotrust-evil-%ld", (long)getpid());
	char outside[96];
	snprintf(outside, sizeof outside, "/tmp/%s", marker);
	unlink(outside);
	char inner[96];
	snprintf(inner, sizeof inner, "link/%s", marker);

	struct it_buf b = IT_BUF_INIT;
	tar_add(&b, "link", '2', 0777, "/tmp", NULL, 0);
	tar_add(&b, inner, '0', 0644, NULL, "pwned", 5);
	tar_add(&b, "safe", '0', 0644, NULL, "safe", 4);
	tar_end(&b);

	char *dir = make_tmpdir();
	struct it_extractor *x;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_extractor_open(&x, dir, &err), 0);
	struct arun r;
	arun(&r, "tar", b.data, b.len, NULL, x);
	it_extractor_close(x);
	/* the engine delivers the entry (its path is clean); the extractor refuses */
	assert_int_equal(r.rc, 0);
	char want[128];
	snprintf(want, sizeof want, "%d|%s\n", IT_ERR_UNSAFE, inner);
	assert_string_equal(it_buf_str(&r.put_errors), want);
	assert_int_not_equal(access(outside, F_OK), 0);
	struct it_buf p = IT_BUF_INIT;
	it_buf_printf(&p, "%s/t:tar/link", dir);
	char target[64] = {0};
	assert_int_equal(readlink(it_buf_str(&p), target, sizeof target - 1), 4);
	assert_string_equal(target, "/tmp");
	it_buf_truncate(&p, 0);
	it_buf_printf(&p, "%s/t:tar/safe", dir);
	struct stat st;
	assert_int_equal(stat(it_buf_str(&p), &st), 0);
	assert_int_equal(st.st_size, 4);
	arun_free(&r);
	it_buf_free(&p);
	it_buf_free(&b);
	remove_tree(dir);
}

static void test_extracted_modes_and_contents(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	static char big[300000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)((i * 2654435761u) >> 13);
	tar_add(&b, "bin", '5', 0755, NULL, NULL, 0);
	tar_add(&b, "bin/su", '0', 04755, NULL, big, sizeof big);
	tar_add(&b, "bin/wall", '0', 02775, NULL, "wall", 4);
	tar_add(&b, "tmp", '5', 01777, NULL, NULL, 0);
	tar_end(&b);
	char *dir = make_tmpdir();
	struct it_extractor *x;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_extractor_open(&x, dir, &err), 0);
	struct arun r;
	arun(&r, "tar", b.data, b.len, NULL, x);
	it_extractor_close(x);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.put_errors.len, 0);
	/* the listing keeps the stored modes ... */
	assert_true(has(&r.listing, "file 4755 300000 t:tar!/bin/su\n"));
	assert_true(has(&r.listing, "file 2775 4 t:tar!/bin/wall\n"));
	assert_true(has(&r.listing, "dir 1777 0 t:tar!/tmp\n"));
	/* ... the extracted files have no setuid/setgid or group/other write bits */
	struct it_buf p = IT_BUF_INIT;
	struct stat st;
	it_buf_printf(&p, "%s/t:tar/bin/su", dir);
	assert_int_equal(lstat(it_buf_str(&p), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	struct it_buf got = IT_BUF_INIT;
	assert_int_equal(read_file(it_buf_str(&p), &got), 0);
	assert_int_equal(got.len, sizeof big);
	assert_memory_equal(got.data, big, sizeof big);
	it_buf_truncate(&p, 0);
	it_buf_printf(&p, "%s/t:tar/bin/wall", dir);
	assert_int_equal(lstat(it_buf_str(&p), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	arun_free(&r);
	it_buf_free(&got);
	it_buf_free(&p);
	it_buf_free(&b);
	remove_tree(dir);
}

/* newc keeps a hard-linked file's data with its last link: extraction must
 * give every link the data, as cpio -i and the kernel do. */
static void test_extracted_cpio_hardlinks(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	newc_add(&b, "sbin", 0040755, 1, 2, NULL, 0);
	newc_add(&b, "sbin/mke2fs", 0100755, 7, 3, NULL, 0);
	newc_add(&b, "sbin/mkfs.ext2", 0100755, 7, 3, NULL, 0);
	newc_add(&b, "sbin/mkfs.ext4", 0100755, 7, 3, "\177ELF-mke2fs", 11);
	newc_end(&b);
	char *dir = make_tmpdir();
	struct it_extractor *x;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_extractor_open(&x, dir, &err), 0);
	struct arun r;
	arun(&r, "cpio", b.data, b.len, NULL, x);
	it_extractor_close(x);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.put_errors.len, 0);
	assert_true(has(&r.listing, "file 0755 0 t:cpio!/sbin/mke2fs\n"));
	assert_true(has(&r.listing, "hard 0755 0 t:cpio!/sbin/mkfs.ext2 -> sbin/mke2fs\n"));
	assert_true(has(&r.listing, "hard 0755 11 t:cpio!/sbin/mkfs.ext4 -> sbin/mke2fs\n"));
	const char *names[] = {"mke2fs", "mkfs.ext2", "mkfs.ext4"};
	ino_t ino = 0;
	for (int i = 0; i < 3; i++) {
		struct it_buf p = IT_BUF_INIT, got = IT_BUF_INIT;
		struct stat st;
		it_buf_printf(&p, "%s/t:cpio/sbin/%s", dir, names[i]);
		assert_int_equal(lstat(it_buf_str(&p), &st), 0);
		if (i)
			assert_int_equal(st.st_ino, ino);
		ino = st.st_ino;
		assert_int_equal(read_file(it_buf_str(&p), &got), 0);
		assert_int_equal(got.len, 11);
		assert_memory_equal(got.data, "\177ELF-mke2fs", 11);
		it_buf_free(&p);
		it_buf_free(&got);
	}
	arun_free(&r);
	it_buf_free(&b);
	remove_tree(dir);
}

/* ---- limits ---- */

static void test_zip_bomb_stopped_by_ratio(void **state)
{
	(void)state;
	struct it_buf zip = IT_BUF_INIT;
	sh("head -c 64M /dev/zero > z && zip -q -9 b.zip z && cat b.zip", &zip);
	assert_true(zip.len < (1 << 20));
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_ratio = 100;
	struct arun r;
	arun(&r, NULL, zip.data, zip.len, &l, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, IT_ERR_LIMIT);
	assert_non_null(strstr(r.err.message, "ratio"));
	assert_string_equal(r.err.where, "t:zip");
	arun_free(&r);
	/* the default ratio (1000:1) stops it too: deflate tops out near 1030:1 */
	arun(&r, "zip", zip.data, zip.len, NULL, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, IT_ERR_LIMIT);
	arun_free(&r);
	it_buf_free(&zip);
}

static void test_zip_member_over_max_file(void **state)
{
	(void)state;
	struct it_buf zip = IT_BUF_INIT;
	sh("head -c 3M /dev/urandom > r && zip -q -0 b.zip r && cat b.zip", &zip);
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_file_bytes = 1 << 20;
	struct arun r;
	arun(&r, "zip", zip.data, zip.len, &l, NULL);
	/* listed, but its bytes are refused */
	assert_true(has(&r.listing, "file 0644 3145728 t:zip!/r\n"));
	assert_true(has(&r.read_errors, "--max-file"));
	arun_free(&r);
	it_buf_free(&zip);
}

static void test_header_count_bounded(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	for (int i = 0; i < 50; i++)
		tar_add(&b, "../x", '0', 0644, NULL, NULL, 0);
	tar_end(&b);
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_entries = 10;
	struct arun r;
	arun(&r, "tar", b.data, b.len, &l, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, IT_ERR_LIMIT);
	assert_non_null(strstr(r.err.message, "--max-entries"));
	assert_int_equal(r.unsafe, 10);
	arun_free(&r);
	it_buf_free(&b);
}

/* ---- truncated and corrupted ---- */

static void check_truncated(const char *format, const struct it_buf *b, size_t cut,
                            const char *first, const char *what)
{
	struct arun r;
	arun(&r, format, b->data, cut, NULL, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, IT_ERR_INPUT);
	/* the entries before the damage are delivered, and the damage is reported
	 * with the container, the offset and what was expected */
	if (first)
		assert_true(has(&r.listing, first));
	char want[64];
	snprintf(want, sizeof want, "%d|t:%s: offset 0x", IT_ERR_INPUT, format);
	assert_true(has(&r.diags, want));
	assert_true(has(&r.diags, what));
	arun_free(&r);
}

static void test_truncated_tar(void **state)
{
	(void)state;
	static char data[3000];
	memset(data, 'd', sizeof data);
	struct it_buf b = IT_BUF_INIT;
	tar_add(&b, "first", '0', 0644, NULL, "1", 1);
	tar_add(&b, "second", '0', 0644, NULL, data, sizeof data);
	tar_end(&b);
	/* in the middle of the second file's data */
	check_truncated("tar", &b, 1024 + 512 + 1000, "t:tar!/first\n", "tar: ");
	/* in the middle of the second header */
	check_truncated("tar", &b, 1024 + 200, "t:tar!/first\n", "header expected at offset 0x400");
	/* at a block boundary: libarchive would take this as a clean end */
	check_truncated("tar", &b, 1024 + 512 + 3072, "t:tar!/second\n",
	                "without its two zero end-of-archive blocks");
	/* inside the first header: not a tar at all */
	struct arun r;
	arun(&r, "tar", b.data, 300, NULL, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, IT_ERR_INPUT);
	assert_int_equal(r.err.offset, 0);
	assert_non_null(strstr(r.err.message, "tar: header expected at offset 0x0"));
	assert_int_equal(lines(&r.listing), 0);
	arun_free(&r);
	it_buf_free(&b);
}

static void test_truncated_cpio(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	newc_add(&b, "first", 0100644, 1, 1, "1", 1);
	size_t second = b.len;
	newc_add(&b, "second", 0100644, 2, 1, "second file data", 16);
	size_t trailer = b.len;
	newc_end(&b);
	check_truncated("cpio", &b, second + 120, "t:cpio!/first\n", "cpio: ");
	check_truncated("cpio", &b, second + 50, "t:cpio!/first\n", "header expected");
	/* no TRAILER!!! */
	check_truncated("cpio", &b, trailer, "t:cpio!/second\n", "header expected");
	it_buf_free(&b);
}

static void test_truncated_zip(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	const struct zent z[] = {{"first", "1", 0100644}, {"second", "second file data", 0100644}};
	zip_stored(&b, z, 2);
	/* cut in the second member's data: no central directory */
	check_truncated("zip", &b, 31 + 5 + 30 + 6 + 8, "t:zip!/first\n", "zip: ");
	/* cut in the central directory */
	check_truncated("zip", &b, b.len - 30, "t:zip!/second\n",
	                "end of central directory record expected");
	it_buf_free(&b);
}

static void test_corrupt_tar_header(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	tar_add(&b, "first", '0', 0644, NULL, "1", 1);
	size_t second = b.len;
	tar_add(&b, "second", '0', 0644, NULL, "2", 1);
	tar_end(&b);
	b.data[second + 148] ^= 1; /* checksum no longer matches */
	check_truncated("tar", &b, b.len, "t:tar!/first\n", "header expected at offset 0x400");
	/* a bad checksum in the first header: not claimed when carving */
	b.data[148] ^= 1;
	struct arun r;
	arun(&r, NULL, b.data, b.len, NULL, NULL);
	assert_false(has(&r.listing, ":tar"));
	arun_free(&r);
	it_buf_free(&b);
}

static void test_lying_sizes(void **state)
{
	(void)state;
	/* a cpio file claiming more data than the archive holds */
	struct it_buf b = IT_BUF_INIT;
	newc_add(&b, "ok", 0100644, 1, 1, "ok", 2);
	size_t at = b.len;
	newc_add(&b, "liar", 0100644, 2, 1, "short", 5);
	newc_end(&b);
	memcpy(b.data + at + 54, "00100000", 8); /* filesize: 1 MiB */
	struct arun r;
	arun(&r, "cpio", b.data, b.len, NULL, NULL);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.err.code, IT_ERR_INPUT);
	assert_true(has(&r.listing, "t:cpio!/ok\n"));
	assert_true(has(&r.diags, "cpio: "));
	arun_free(&r);
	it_buf_free(&b);

	/* a symlink claiming a 3.75 GiB target, and a name of 4 GiB: libarchive
	 * would allocate that much before finding the input short (found by
	 * fuzz_cpio), so the header is refused before libarchive sees it */
	b = (struct it_buf)IT_BUF_INIT;
	newc_add(&b, "ok", 0100644, 1, 1, "ok", 2);
	at = b.len;
	newc_add(&b, "link", 0120777, 2, 1, "target", 6);
	newc_end(&b);
	memcpy(b.data + at + 54, "F0000000", 8);
	arun(&r, "cpio", b.data, b.len, NULL, NULL);
	assert_int_equal(r.rc, -1);
	assert_true(has(&r.listing, "t:cpio!/ok\n"));
	assert_true(has(&r.diags, "symlink target runs past the end of the archive"));
	arun_free(&r);
	memcpy(b.data + at + 54, "00000006", 8);
	memcpy(b.data + at + 94, "FFFFFFF0", 8); /* namesize */
	arun(&r, "cpio", b.data, b.len, NULL, NULL);
	assert_int_equal(r.rc, -1);
	assert_true(has(&r.diags, "its name runs past the end of the archive"));
	arun_free(&r);
	it_buf_free(&b);

	/* garbage where a header should be: libarchive would skip to the next
	 * header of its kind (here one claiming a 4 GiB name, found by fuzz_cpio);
	 * the archive ends at the garbage instead, and carving finds what is left */
	b = (struct it_buf)IT_BUF_INIT;
	newc_add(&b, "ok", 0100644, 1, 1, "ok", 2);
	at = b.len;
	it_buf_puts(&b, "070707 is odc, not newc: garbage here");
	size_t huge = b.len;
	newc_add(&b, "huge", 0100644, 2, 1, NULL, 0);
	memcpy(b.data + huge + 94, "FFFFFFF0", 8);
	arun(&r, "cpio", b.data, b.len, NULL, NULL);
	assert_int_equal(r.rc, -1);
	char want[96];
	snprintf(want, sizeof want, "header expected at offset 0x%zx: no cpio header of the", at);
	assert_true(has(&r.diags, want));
	assert_int_equal(lines(&r.listing), 1);
	arun_free(&r);
	it_buf_free(&b);

	/* a stored zip member whose data does not match its CRC */
	struct it_buf z = IT_BUF_INIT;
	const struct zent e[] = {{"a", "genuine bytes", 0100644}, {"b", "other", 0100644}};
	zip_stored(&z, e, 2);
	z.data[30 + 1] ^= 0x20; /* first data byte of "a" */
	arun(&r, "zip", z.data, z.len, NULL, NULL);
	assert_true(has(&r.listing, "t:zip!/a\n"));
	assert_true(has(&r.listing, "t:zip!/b\n"));
	assert_true(has(&r.read_errors, "zip: data of 'a'"));
	arun_free(&r);
	it_buf_free(&z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_tar_gnu),
	        cmocka_unit_test(test_tar_pax),
	        cmocka_unit_test(test_tar_sparse),
	        cmocka_unit_test(test_cpio_newc_initramfs),
	        cmocka_unit_test(test_cpio_odc),
	        cmocka_unit_test(test_cpio_binary),
	        cmocka_unit_test(test_cpio_device_and_trailer_padding),
	        cmocka_unit_test(test_zip_stored_and_deflated),
	        cmocka_unit_test(test_zip_streamed_to_a_pipe),
	        cmocka_unit_test(test_carved_at_offsets),
	        cmocka_unit_test(test_gzipped_cpio),
	        cmocka_unit_test(test_tar_gz_inside_cpio),
	        cmocka_unit_test(test_traversal_tar),
	        cmocka_unit_test(test_traversal_cpio),
	        cmocka_unit_test(test_traversal_zip),
	        cmocka_unit_test(test_hardlink_outside_refused),
	        cmocka_unit_test(test_symlink_escape_on_extraction),
	        cmocka_unit_test(test_extracted_modes_and_contents),
	        cmocka_unit_test(test_extracted_cpio_hardlinks),
	        cmocka_unit_test(test_zip_bomb_stopped_by_ratio),
	        cmocka_unit_test(test_zip_member_over_max_file),
	        cmocka_unit_test(test_header_count_bounded),
	        cmocka_unit_test(test_truncated_tar),
	        cmocka_unit_test(test_truncated_cpio),
	        cmocka_unit_test(test_truncated_zip),
	        cmocka_unit_test(test_corrupt_tar_header),
	        cmocka_unit_test(test_lying_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the cramfs reader: images made at test time with mkfs.cramfs
 * (util-linux) in both byte orders, with holes and with boot padding, checked
 * against the source tree; binwalk's sample; truncation, lying headers, CRC
 * mismatch, corrupt blocks, and crafted loops and names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "iotrust/cursor.h"
#include "testutil.h"

/* Scratch directories and shell commands come from testutil. */
#define fixture          test_dir
#define fixture_open(f)  assert_int_equal(test_dir_open((f), "cramfs"), 0)
#define fixture_close(f) test_dir_close(f)
#define sh(...)          assert_int_equal(test_sh(__VA_ARGS__), 0)

/* Nested dirs, an absolute symlink, a setuid file, an empty file, a file of
 * several 4 KiB blocks, a sparse file, a fifo, and a device node when the
 * tests run as root (mknod needs it). */
static void make_tree(const struct fixture *f)
{
	sh("set -e; cd '%s'; mkdir -p tree/etc/init.d tree/bin tree/empty tree/usr/lib;"
	   "printf 'root:x:0:0::/root:/bin/sh\\n' > tree/etc/passwd;"
	   "printf '#!/bin/sh\\necho up\\n' > tree/etc/init.d/rcS; chmod 755 tree/etc/init.d/rcS;"
	   ": > tree/etc/empty; seq 1 6000 > tree/bin/busybox; chmod 4755 tree/bin/busybox;"
	   "ln -s /bin/busybox tree/bin/sh; ln -s ../lib tree/usr/lib/up; chmod 1777 tree/empty;"
	   "echo tiny > tree/usr/lib/tiny; truncate -s 20000 tree/usr/sparse;"
	   "echo end >> tree/usr/sparse; mkfifo tree/fifo;"
	   "if [ \"$(id -u)\" = 0 ]; then mknod tree/console c 5 1; fi",
	   f->dir);
}

static void build(const struct fixture *f, const char *opts, struct it_buf *img)
{
	sh("cd '%s' && rm -f img && mkfs.cramfs %s tree img >/dev/null", f->dir, opts);
	struct it_buf path = IT_BUF_INIT;
	it_buf_printf(&path, "%s/img", f->dir);
	img->len = 0;
	assert_int_equal(read_file(it_buf_str(&path), img), 0);
	it_buf_free(&path);
}

/* Sort the lines of a listing (cramfs and find(1) order entries differently). */
static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sorted(const char *text, struct it_buf *out)
{
	char *copy = strdup(text), *save = NULL, *v[512];
	size_t n = 0;
	for (char *l = strtok_r(copy, "\n", &save); l && n < 512; l = strtok_r(NULL, "\n", &save))
		v[n++] = l;
	qsort(v, n, sizeof v[0], cmp_line);
	for (size_t i = 0; i < n; i++)
		it_buf_printf(out, "%s\n", v[i]);
	free(copy);
}

/* The listing the tree should give, from find(1). */
static void expected_listing(const struct fixture *f, const char *chain, struct it_buf *out)
{
	struct it_buf cmd = IT_BUF_INIT, raw = IT_BUF_INIT, lines = IT_BUF_INIT;
	it_buf_printf(&cmd,
	              "cd '%s/tree' && find . -mindepth 1 -printf '%%y\\t%%m\\t%%s\\t%%P\\t%%l\\n'",
	              f->dir);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, &raw), 0);
	char *save = NULL;
	for (char *l = strtok_r((char *)raw.data, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *fs[5] = {0};
		int k = 0;
		for (char *p = l; k < 5; k++) {
			fs[k] = p;
			char *tab = strchr(p, '\t');
			if (!tab) {
				k++;
				break;
			}
			*tab = 0;
			p = tab + 1;
		}
		assert_int_equal(k, 5);
		const char *type = "?";
		switch (fs[0][0]) {
		case 'f':
			type = "file";
			break;
		case 'd':
			type = "dir";
			break;
		case 'l':
			type = "link";
			break;
		case 'c':
			type = "chr";
			break;
		case 'b':
			type = "blk";
			break;
		case 'p':
			type = "fifo";
			break;
		case 's':
			type = "sock";
			break;
		}
		it_buf_printf(&lines, "%s %04lo %s %s!/%s", type, strtoul(fs[1], NULL, 8),
		              fs[0][0] == 'f' ? fs[2] : "0", chain, fs[3]);
		if (fs[0][0] == 'l')
			it_buf_printf(&lines, " -> %s", fs[4]);
		it_buf_putc(&lines, '\n');
	}
	sorted(it_buf_str(&lines), out);
	it_buf_free(&cmd);
	it_buf_free(&raw);
	it_buf_free(&lines);
}

/* The bytes of every regular file in listing order, read from the tree. */
static void expected_bytes(const struct fixture *f, const struct collected *c, struct it_buf *out)
{
	const char *l = it_buf_str(&c->listing);
	while (*l) {
		const char *nl = strchr(l, '\n');
		assert_non_null(nl);
		const char *bang = strstr(l, "!/");
		if (strncmp(l, "file ", 5) == 0 && bang && bang < nl) {
			struct it_buf path = IT_BUF_INIT;
			it_buf_printf(&path, "%s/tree/%.*s", f->dir, (int)(nl - bang - 2),
			              bang + 2);
			assert_int_equal(read_file(it_buf_str(&path), out), 0);
			it_buf_free(&path);
		}
		l = nl + 1;
	}
}

static void check_image(const char *opts, size_t junk, const char *chain)
{
	struct fixture f;
	struct it_buf img = IT_BUF_INIT, blob = IT_BUF_INIT, want = IT_BUF_INIT, got = IT_BUF_INIT,
	              bytes = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build(&f, opts, &img);
	for (size_t i = 0; i < junk; i++)
		it_buf_putc(&blob, (char)(0x80 + i % 64));
	it_buf_append(&blob, img.data, img.len);
	struct collected c;
	collect_unpack(&c, junk ? NULL : "cramfs", blob.data, blob.len, NULL);
	assert_int_equal(c.rc, 0);
	expected_listing(&f, chain, &want);
	sorted(it_buf_str(&c.listing), &got);
	assert_string_equal(it_buf_str(&got), it_buf_str(&want));
	expected_bytes(&f, &c, &bytes);
	assert_int_equal(c.data.len, bytes.len);
	assert_memory_equal(c.data.data, bytes.data, bytes.len);
	char busybox[128];
	snprintf(busybox, sizeof busybox, "file 4755 28893 %s!/bin/busybox\n", chain);
	assert_true(listing_has(&c, busybox));
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&blob);
	it_buf_free(&want);
	it_buf_free(&got);
	it_buf_free(&bytes);
	fixture_close(&f);
}

static void test_little_endian(void **state)
{
	(void)state;
	check_image("-N little", 0, "t:cramfs");
}

static void test_big_endian(void **state)
{
	(void)state;
	check_image("-N big", 0, "t:cramfs");
}

static void test_holes(void **state)
{
	(void)state;
	check_image("-z", 0, "t:cramfs");
}

/* Carved behind junk; with -p the magic sits 512 bytes into the image. */
static void test_carved_behind_junk(void **state)
{
	(void)state;
	check_image("-N big", 100, "t@0x64:cramfs");
	check_image("-p", 1000, "t@0x3e8:cramfs");
}

/* A real-world sample: binwalk's tests/inputs/cramfs.bin. */
static void test_binwalk_sample(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	assert_int_equal(read_file(test_data("cramfs/binwalk-cramfs.bin"), &img), 0);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), "file 0644 104 t:cramfs!/lsb-release\n");
	assert_int_equal(c.data.len, 104);
	assert_memory_equal(c.data.data, "DISTRIB_ID=", 11);
	collected_free(&c);
	it_buf_free(&img);
}

/* ---- bad input ---- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Recompute the CRC of a little-endian image after patching it. */
static void fix_crc(struct it_buf *img)
{
	put32(img->data + 32, 0);
	put32(img->data + 32, (uint32_t)crc32(0, img->data, (uInt)img->len));
}

static void test_truncated(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build(&f, "", &img);
	struct collected c;
	collect_unpack(&c, "cramfs", img.data, img.len - 100, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "cramfs: truncated image: size 0x"));
	collected_free(&c);
	collect_unpack(&c, "cramfs", img.data, 50, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(c.err.message, "76-byte superblock"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

static void test_lying_header(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT, copy = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build(&f, "", &img);
	struct collected c;

	/* the root directory's size runs past the image end */
	it_buf_append(&copy, img.data, img.len);
	put32(copy.data + 68, (it_load_u32le(copy.data + 68) & 0xff000000u) | 0xffffffu);
	fix_crc(&copy);
	collect_unpack(&c, "cramfs", copy.data, copy.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "cramfs: root directory"));
	collected_free(&c);

	/* a signature that is not cramfs's */
	copy.len = 0;
	it_buf_append(&copy, img.data, img.len);
	memcpy(copy.data + 16, "Compressed ROMFZ", 16);
	collect_unpack(&c, "cramfs", copy.data, copy.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(c.err.message, "expected signature"));
	collected_free(&c);

	/* unknown flags */
	copy.len = 0;
	it_buf_append(&copy, img.data, img.len);
	copy.data[10] = 0x10;
	collect_unpack(&c, "cramfs", copy.data, copy.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(c.err.message, "unsupported flags 0x100000"));
	collected_free(&c);
	it_buf_free(&copy);
	it_buf_free(&img);
	fixture_close(&f);
}

/* A changed byte outside the tree still lists everything, with a CRC problem. */
static void test_crc_mismatch(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build(&f, "", &img);
	img.data[48] ^= 1; /* the volume name */
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_true(listing_has(&c, "file 0644 26 t:cramfs!/etc/passwd\n"));
	assert_non_null(strstr(it_buf_str(&c.diags), "cramfs: CRC mismatch: stored 0x"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* Find the inode of a directory entry by name (names are NUL-padded to 4). */
static size_t find_inode(const struct it_buf *img, const char *name)
{
	char pat[16] = {0};
	size_t n = strlen(name), padded = (n + 3) & ~(size_t)3;
	memcpy(pat, name, n);
	for (size_t i = 76 + 12; i + padded <= img->len; i++)
		if (memcmp(img->data + i, pat, padded) == 0 &&
		    (it_load_u32le(img->data + i - 4) & 0x3f) == padded / 4)
			return i - 12;
	fail_msg("inode of '%s' not found", name);
	return 0;
}

static void test_corrupt_block(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && mkdir tree && seq 1 20000 > tree/big && echo ok > tree/ok", f.dir);
	build(&f, "", &img);
	/* the data of big follows its block pointer table (27 blocks) */
	size_t data = (it_load_u32le(img.data + find_inode(&img, "big") + 8) >> 6) * 4;
	for (size_t i = data + 27 * 4 + 4; i < data + 27 * 4 + 40; i++)
		img.data[i] ^= 0x5a;
	fix_crc(&img);
	struct collected c;
	collect_unpack(&c, "cramfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_true(listing_has(&c, "file 0644 108894 t:cramfs!/big\n"));
	assert_true(listing_has(&c, "file 0644 3 t:cramfs!/ok\n"));
	assert_non_null(strstr(it_buf_str(&c.diags), "cramfs: block 0 of 'big'"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* A file whose data offset lies beyond the image and a symlink of 16 MiB are
 * refused or unreadable; the rest is listed. */
static void test_lying_inode(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && mkdir tree && seq 1 2000 > tree/big && ln -s big tree/link && "
	   "echo ok > tree/ok",
	   f.dir);
	build(&f, "", &img);
	size_t big = find_inode(&img, "big"), link = find_inode(&img, "link");
	put32(img.data + big + 8, (it_load_u32le(img.data + big + 8) & 0x3fu) | 0xffffffc0u);
	put32(img.data + link + 4, (it_load_u32le(img.data + link + 4) & 0xff000000u) | 0xffffffu);
	fix_crc(&img);
	struct collected c;
	collect_unpack(&c, "cramfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_string_equal(it_buf_str(&c.listing), "file 0644 8893 t:cramfs!/big\n"
	                                            "file 0644 3 t:cramfs!/ok\n");
	const char *d = it_buf_str(&c.diags);
	assert_non_null(strstr(d, "reading 'big': cramfs: block pointers of 'big' (3 at 0xffffffc) "
	                          "beyond the image end"));
	assert_non_null(strstr(d, "refused 'link': cramfs: symlink target of 16777215 bytes"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/*
 * The loop: the inode of "inner" (a directory inside "loopdir") gets
 * loopdir's listing offset, so loopdir contains itself. The CRC is fixed up
 * so that only the loop is reported.
 */
static void test_directory_loop(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && mkdir -p tree/loopdir/inner && echo x > tree/loopdir/file && "
	   "echo y > tree/loopdir/inner/z",
	   f.dir);
	build(&f, "", &img);
	size_t outer = find_inode(&img, "loopdir"), inner = find_inode(&img, "inner");
	uint32_t w_outer = it_load_u32le(img.data + outer + 8);
	uint32_t w_inner = it_load_u32le(img.data + inner + 8);
	put32(img.data + inner + 8, (w_outer & ~0x3fu) | (w_inner & 0x3f));
	fix_crc(&img);
	struct collected c;
	collect_unpack(&c, "cramfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_string_equal(it_buf_str(&c.listing), "dir 0755 0 t:cramfs!/loopdir\n"
	                                            "file 0644 2 t:cramfs!/loopdir/file\n");
	assert_non_null(strstr(it_buf_str(&c.diags), "cramfs: directory loop at 'loopdir/inner'"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

static void test_bad_names(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && mkdir tree && echo a > tree/evil && echo b > tree/xy && echo c > tree/good "
	   "&& echo d > tree/nul",
	   f.dir);
	build(&f, "", &img);
	memcpy(img.data + find_inode(&img, "evil") + 12, "e/il", 4);
	memcpy(img.data + find_inode(&img, "xy") + 12, "..", 2);
	memcpy(img.data + find_inode(&img, "nul") + 12, "n\0l", 3);
	fix_crc(&img);
	struct collected c;
	collect_unpack(&c, "cramfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_string_equal(it_buf_str(&c.listing), "file 0644 2 t:cramfs!/good\n");
	const char *d = it_buf_str(&c.diags);
	assert_non_null(strstr(d, "refused entry 'e/il' in directory '': the name contains '/'"));
	assert_non_null(strstr(d, "refused entry '..' in directory '': the name is '.' or '..'"));
	assert_non_null(strstr(d, "refused entry 'n' in directory '': the name contains a NUL"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* A path may have at most 256 components (as for squashfs). */
static void test_depth_limit(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && mkdir tree && p=tree && for i in $(seq 1 258); do p=$p/d; done && "
	   "mkdir -p $p && echo deep > $p/leaf",
	   f.dir);
	build(&f, "", &img);
	struct collected c;
	collect_unpack(&c, "cramfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.entries, 256);
	assert_false(listing_has(&c, "leaf"));
	assert_non_null(strstr(it_buf_str(&c.diags), "is nested deeper than 256 directories"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_little_endian),  cmocka_unit_test(test_big_endian),
	        cmocka_unit_test(test_holes),          cmocka_unit_test(test_carved_behind_junk),
	        cmocka_unit_test(test_binwalk_sample), cmocka_unit_test(test_truncated),
	        cmocka_unit_test(test_lying_header),   cmocka_unit_test(test_crc_mismatch),
	        cmocka_unit_test(test_corrupt_block),  cmocka_unit_test(test_lying_inode),
	        cmocka_unit_test(test_directory_loop), cmocka_unit_test(test_bad_names),
	        cmocka_unit_test(test_depth_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

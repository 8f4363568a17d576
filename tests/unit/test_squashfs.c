/*
 * Unit tests for the squashfs reader: images built at test time with the real
 * mksquashfs (gzip, xz, lzo, lz4, zstd, lzma) from a small tree, listings checked
 * against `unsquashfs -lln`, file bytes against the tree; carving, truncation,
 * lying superblocks, corrupt data, crafted loops and names, depth and limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iotrust/cursor.h"
#include "testutil.h"

/* ---- building images ---- */

/* Scratch directories and shell commands come from testutil. */
#define fixture          test_dir
#define fixture_open(f)  assert_int_equal(test_dir_open((f), "sqfs"), 0)
#define fixture_close(f) test_dir_close(f)
#define sh(...)          assert_int_equal(test_sh(__VA_ARGS__), 0)

/* The test tree: nested dirs, an absolute symlink, a setuid file, an empty
 * file, a file of several 4 KiB blocks with a tail fragment, small files that
 * are packed into one fragment block, a sparse file and a hard link. */
static void make_tree(const struct fixture *f)
{
	sh("set -e; cd '%s'; mkdir -p tree/etc/init.d tree/bin tree/empty tree/usr/lib/deep;"
	   "printf 'root:x:0:0::/root:/bin/sh\\n' > tree/etc/passwd;"
	   "ln tree/etc/passwd tree/etc/passwd2;"
	   "printf '#!/bin/sh\\necho up\\n' > tree/etc/init.d/rcS; chmod 755 tree/etc/init.d/rcS;"
	   ": > tree/etc/empty; seq 1 6000 > tree/bin/busybox; chmod 4755 tree/bin/busybox;"
	   "ln -s /bin/busybox tree/bin/sh; ln -s ../lib tree/usr/lib/deep/up;"
	   "echo small > tree/usr/lib/deep/small; echo tiny > tree/usr/lib/tiny;"
	   "chmod 1777 tree/empty; truncate -s 20000 tree/usr/sparse; echo end >> tree/usr/sparse",
	   f->dir);
}

#define PSEUDO                                                                                     \
	"-p 'dev d 755 0 0' -p 'dev/console c 600 0 0 5 1' -p 'dev/sda b 660 0 6 8 0' "            \
	"-p 'run d 755 0 0' -p 'run/fifo i 644 0 0 f' -p 'run/sock i 640 0 0 s'"

/* mksquashfs the tree with `opts` into img. */
static void build(const struct fixture *f, const char *opts, struct it_buf *img)
{
	sh("cd '%s' && rm -f img && mksquashfs tree img -noappend -quiet -no-progress %s "
	   ">/dev/null",
	   f->dir, opts);
	struct it_buf path = IT_BUF_INIT;
	it_buf_printf(&path, "%s/img", f->dir);
	img->len = 0;
	assert_int_equal(read_file(it_buf_str(&path), img), 0);
	assert_true(img->len > 96);
	it_buf_free(&path);
}

/* ---- the expected listing, from unsquashfs -lln ---- */

static uint32_t perm_bits(const char *p)
{
	uint32_t m = 0;
	static const uint32_t bit[9] = {0400, 0200, 0100, 040, 020, 010, 04, 02, 01};
	for (int i = 0; i < 9; i++) {
		char ch = p[1 + i];
		if (ch == 'r' || ch == 'w' || ch == 'x')
			m |= bit[i];
		if (ch == 's' || ch == 't')
			m |= bit[i];
		if ((ch == 's' || ch == 'S') && i == 2)
			m |= 04000;
		if ((ch == 's' || ch == 'S') && i == 5)
			m |= 02000;
		if ((ch == 't' || ch == 'T') && i == 8)
			m |= 01000;
	}
	return m;
}

/* Turn `unsquashfs -lln` output into lines in the test listing format. */
static void expected_listing(const struct it_buf *img, struct it_buf *out)
{
	struct it_buf ls = IT_BUF_INIT;
	assert_int_equal(
	        run_filter("t=$(mktemp) && cat > $t && unsquashfs -lln $t; r=$?; rm -f $t; "
	                   "exit $r",
	                   img->data, img->len, &ls),
	        0);
	char *save = NULL;
	for (char *line = strtok_r((char *)ls.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char perm[16], owner[64], a[32], b[32];
		int n = 0;
		if (sscanf(line, "%15s %63s %31s %n", perm, owner, a, &n) != 3)
			continue;
		const char *rest = line + n;
		unsigned long long size = strtoull(a, NULL, 10);
		if (perm[0] == 'c' || perm[0] == 'b') { /* "maj, min" */
			int k = 0;
			if (sscanf(rest, "%31s %n", b, &k) != 1)
				continue;
			rest += k;
		}
		int k = 0;
		char date[32], tm[32];
		if (sscanf(rest, "%31s %31s %n", date, tm, &k) != 2)
			continue;
		rest += k;
		if (strncmp(rest, "squashfs-root/", 14) != 0)
			continue; /* the root itself */
		rest += 14;
		const char *type = "?";
		switch (perm[0]) {
		case '-':
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
		it_buf_printf(out, "%s %04o %llu t:squashfs!/%s\n", type, perm_bits(perm),
		              perm[0] == '-' ? size : 0ULL, rest);
	}
	it_buf_free(&ls);
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

/* Build with one compressor; the listing must equal unsquashfs's and the bytes
 * the tree's. Blocks of 4 KiB make busybox span several blocks. */
static void check_compressor(const char *comp)
{
	struct fixture f;
	struct it_buf img = IT_BUF_INIT, want = IT_BUF_INIT, bytes = IT_BUF_INIT,
	              opts = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	it_buf_printf(&opts, "-comp %s -b 4096 " PSEUDO, comp);
	build(&f, it_buf_str(&opts), &img);
	expected_listing(&img, &want);
	struct collected c;
	collect_unpack(&c, "squashfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), it_buf_str(&want));
	/* spot checks that the comparison itself covers what matters */
	assert_true(listing_has(&c, "file 4755 28893 t:squashfs!/bin/busybox\n"));
	assert_true(listing_has(&c, "link 0777 0 t:squashfs!/bin/sh -> /bin/busybox\n"));
	assert_true(listing_has(&c, "dir 1777 0 t:squashfs!/empty\n"));
	assert_true(listing_has(&c, "chr 0600 0 t:squashfs!/dev/console\n"));
	assert_true(listing_has(&c, "file 0644 26 t:squashfs!/etc/passwd2\n"));
	assert_true(listing_has(&c, "file 0644 0 t:squashfs!/etc/empty\n"));
	expected_bytes(&f, &c, &bytes);
	assert_int_equal(c.data.len, bytes.len);
	assert_memory_equal(c.data.data, bytes.data, bytes.len);
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&want);
	it_buf_free(&bytes);
	it_buf_free(&opts);
	fixture_close(&f);
}

static void test_gzip(void **state)
{
	(void)state;
	check_compressor("gzip");
}

static void test_xz(void **state)
{
	(void)state;
	check_compressor("xz");
}

static void test_lzo(void **state)
{
	(void)state;
	check_compressor("lzo");
}

static void test_lz4(void **state)
{
	(void)state;
	check_compressor("lz4");
}

static void test_zstd(void **state)
{
	(void)state;
	check_compressor("zstd");
}

static void test_lzma(void **state)
{
	(void)state;
	check_compressor("lzma");
}

/* A real-world sample: binwalk's tests/inputs/squashfs.bin. */
static void test_binwalk_sample(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	assert_int_equal(read_file(test_data("squashfs/binwalk-squashfs.bin"), &img), 0);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), "file 0644 104 t:squashfs!/lsb-release\n");
	assert_int_equal(c.data.len, 104);
	assert_memory_equal(c.data.data, "DISTRIB_ID=", 11);
	collected_free(&c);
	it_buf_free(&img);
}

/* ---- owner and time ---- */

struct one_entry {
	const char *path;
	int found;
	uint32_t uid, gid, mode;
	int64_t mtime;
};

static int grab(void *user, const struct it_entry *e)
{
	struct one_entry *o = user;
	if (strcmp(e->path, o->path) == 0) {
		o->found = 1;
		o->uid = e->uid;
		o->gid = e->gid;
		o->mode = e->mode;
		o->mtime = e->mtime;
	}
	return 0;
}

static void test_owner_and_mtime(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build(&f, "-all-time 1700000000 -p 'etc/passwd m 600 1234 567'", &img);
	struct it_unpack_options o;
	struct it_unpack_stats st;
	struct it_error err = IT_ERROR_INIT;
	struct one_entry one = {"etc/passwd", 0, 0, 0, 0, 0};
	it_unpack_options_default(&o);
	o.on_entry = grab;
	o.user = &one;
	assert_int_equal(it_unpack_memory_as("squashfs", img.data, img.len, "t", &o, &st, &err), 0);
	assert_true(one.found);
	assert_int_equal(one.uid, 1234);
	assert_int_equal(one.gid, 567);
	assert_int_equal(one.mode, 0600);
	assert_int_equal(one.mtime, 1700000000);
	it_buf_free(&img);
	fixture_close(&f);
}

/* ---- carving and bad input ---- */

static void test_carved_behind_junk(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT, blob = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build(&f, "-comp xz", &img);
	assert_int_equal(img.len % 4096, 0); /* mksquashfs pads to 4 KiB */
	for (int i = 0; i < 1000; i++)
		it_buf_putc(&blob, (char)('A' + i % 26));
	it_buf_append(&blob, img.data, img.len);
	/* a gzip stream right after the padded image must be found too */
	assert_int_equal(run_filter("gzip -9n", (const uint8_t *)"after\n", 6, &blob), 0);
	struct collected c;
	collect_unpack(&c, NULL, blob.data, blob.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "file 0644 26 t@0x3e8:squashfs!/etc/passwd\n"));
	char gz[64];
	snprintf(gz, sizeof gz, "data 0644 6 t@0x%zx:gzip\n", 1000 + img.len);
	assert_true(listing_has(&c, gz));
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&blob);
	fixture_close(&f);
}

static void test_truncated(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build(&f, "-comp gzip", &img);
	struct collected c;
	collect_unpack(&c, "squashfs", img.data, img.len / 2, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "squashfs: truncated image: bytes_used"));
	assert_int_equal(c.entries, 0);
	collected_free(&c);
	collect_unpack(&c, "squashfs", img.data, 60, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(c.err.message, "superblock needs 96 bytes"));
	collected_free(&c);
	/* carved, a consistent superblock over too few bytes is reported too */
	collect_unpack(&c, NULL, img.data, img.len / 2, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(it_buf_str(&c.diags), "t:squashfs: offset 0x28 (40): squashfs: "
	                                             "truncated image: bytes_used"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

static void put_u64le(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Unpack a copy of img with the u64 at `field` replaced by v. */
static void unpack_patched64(const struct it_buf *img, size_t field, uint64_t v,
                             struct collected *c)
{
	struct it_buf copy = IT_BUF_INIT;
	it_buf_append(&copy, img->data, img->len);
	put_u64le(copy.data + field, v);
	collect_unpack(c, "squashfs", copy.data, copy.len, NULL);
	it_buf_free(&copy);
}

static void test_lying_superblock(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build(&f, "-comp gzip", &img);
	uint64_t used = it_load_u64le(img.data + 40);
	uint64_t dir = it_load_u64le(img.data + 72);
	struct collected c;

	/* bytes_used larger than the data */
	unpack_patched64(&img, 40, (uint64_t)img.len + 1, &c);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "truncated image"));
	collected_free(&c);

	/* inode table beyond bytes_used */
	unpack_patched64(&img, 64, used + 100, &c);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "inode table offset"));
	assert_non_null(strstr(c.err.message, "outside the image"));
	collected_free(&c);

	/* id table offset inside the image but wrong: libsquashfs fails */
	unpack_patched64(&img, 48, dir, &c);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "squashfs: reading the id table: SQFS_ERROR_"));
	collected_free(&c);

	/* directory table moved by a few bytes: the root listing is unreadable,
	 * reported as a problem, and nothing is listed */
	unpack_patched64(&img, 72, dir + 5, &c);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_int_equal(c.entries, 0);
	assert_non_null(strstr(it_buf_str(&c.diags), "squashfs: reading directory ''"));
	collected_free(&c);

	/* a lying block size is refused as such */
	struct it_buf copy = IT_BUF_INIT;
	it_buf_append(&copy, img.data, img.len);
	copy.data[12] = 0x01; /* 0x20001 bytes: not a power of two */
	collect_unpack(&c, "squashfs", copy.data, copy.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(c.err.message, "block size"));
	collected_free(&c);
	it_buf_free(&copy);
	it_buf_free(&img);
	fixture_close(&f);
}

/* A corrupt data block makes reading that one file fail; the rest is listed. */
static void test_corrupt_data_block(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && mkdir tree && seq 1 20000 > tree/big && echo ok > tree/ok", f.dir);
	build(&f, "-comp gzip -b 4096", &img);
	/* the first data block (of big) starts right after the superblock */
	for (size_t i = 96 + 8; i < 96 + 40; i++)
		img.data[i] ^= 0x5a;
	struct collected c;
	collect_unpack(&c, "squashfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_true(listing_has(&c, "file 0644 108894 t:squashfs!/big\n"));
	assert_true(listing_has(&c, "file 0644 3 t:squashfs!/ok\n"));
	assert_non_null(strstr(it_buf_str(&c.diags), "squashfs: reading 'big' at byte 0"));
	assert_non_null(strstr(it_buf_str(&c.diags), "SQFS_ERROR_COMPRESSOR"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* ---- crafted directory tables ---- */

/* Find a directory entry by name in an image with uncompressed metadata
 * (mksquashfs -noI): the entry is offset u16, inode_diff s16, type u16,
 * size u16 (name length - 1) and the name. Returns the entry's offset. */
static size_t find_dirent(const struct it_buf *img, const char *name, uint16_t type)
{
	uint8_t pat[64];
	size_t n = strlen(name);
	pat[0] = (uint8_t)type;
	pat[1] = 0;
	pat[2] = (uint8_t)(n - 1);
	pat[3] = 0;
	memcpy(pat + 4, name, n);
	size_t dir = (size_t)it_load_u64le(img->data + 72);
	for (size_t i = dir; i + 4 + n <= img->len; i++)
		if (memcmp(img->data + i, pat, 4 + n) == 0)
			return i - 4;
	fail_msg("directory entry '%s' not found", name);
	return 0;
}

#define UNCOMPRESSED "-noI -noD -noF -noX -comp gzip"

/*
 * The loop is made by editing the directory table of an image whose metadata
 * is stored uncompressed (mksquashfs -noI): the entry "inner" inside
 * "loopdir" is pointed at loopdir's own inode (its u16 inode offset is copied
 * from the root's entry for "loopdir"; all inodes share metadata block 0), so
 * loopdir contains itself.
 */
static void test_directory_loop(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && mkdir -p tree/loopdir/inner && echo x > tree/loopdir/file", f.dir);
	build(&f, UNCOMPRESSED, &img);
	size_t outer = find_dirent(&img, "loopdir", 1);
	size_t inner = find_dirent(&img, "inner", 1);
	memcpy(img.data + inner, img.data + outer, 2);
	struct collected c;
	collect_unpack(&c, "squashfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_true(listing_has(&c, "dir 0755 0 t:squashfs!/loopdir\n"));
	assert_true(listing_has(&c, "file 0644 2 t:squashfs!/loopdir/file\n"));
	assert_false(listing_has(&c, "loopdir/inner"));
	assert_non_null(
	        strstr(it_buf_str(&c.diags), "squashfs: directory loop at 'loopdir/inner'"));
	assert_int_equal(c.entries, 2);
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* Names with '/' or '..' are refused (a diagnostic each); the others stay. */
static void test_bad_names(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && mkdir tree && echo a > tree/evil && echo b > tree/xy && echo c > tree/good "
	   "&& echo d > tree/nul",
	   f.dir);
	build(&f, UNCOMPRESSED, &img);
	memcpy(img.data + find_dirent(&img, "evil", 2) + 8, "e/il", 4);
	memcpy(img.data + find_dirent(&img, "xy", 2) + 8, "..", 2);
	memcpy(img.data + find_dirent(&img, "nul", 2) + 8, "n\0l", 3);
	struct collected c;
	collect_unpack(&c, "squashfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_string_equal(it_buf_str(&c.listing), "file 0644 2 t:squashfs!/good\n");
	const char *d = it_buf_str(&c.diags);
	assert_non_null(strstr(d, "refused entry 'e/il' in directory '': the name contains '/'"));
	assert_non_null(strstr(d, "refused entry '..' in directory '': the name is '.' or '..'"));
	assert_non_null(strstr(d, "refused entry 'n' in directory '': the name contains a NUL"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* Byte `d` of the inode that the directory entry at `ent` refers to, in an
 * image with uncompressed metadata, where the entry is the only one of its
 * directory (so its header, with the inode block, sits right before it).
 * Uncompressed metadata blocks are 2 + 8192 bytes each. */
static size_t inode_byte(const struct it_buf *img, size_t ent, size_t d)
{
	size_t itab = (size_t)it_load_u64le(img->data + 64);
	size_t block = it_load_u32le(img->data + ent - 12 + 4);
	size_t logical =
	        block / 8194 * 8192 + (size_t)(img->data[ent] | img->data[ent + 1] << 8) + d;
	return itab + logical / 8192 * 8194 + 2 + logical % 8192;
}

static void put_u32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Sizes that would make libsquashfs allocate gigabytes are refused first:
 * a symlink target, a file's block list, an extended directory's name index. */
static void test_lying_inode_sizes(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && mkdir -p tree/a tree/b tree/c/many tree/d && ln -s target tree/a/link && "
	   "seq 1 30 > tree/b/file && ln tree/b/file tree/d/link2 && cd tree/c/many && seq -f "
	   "'entry-with-a-long-name-%%04g' 1 "
	   "700 "
	   "| xargs touch",
	   f.dir);
	build(&f, UNCOMPRESSED " -b 4096", &img);
	size_t link = inode_byte(&img, find_dirent(&img, "link", 3), 0);
	size_t file = inode_byte(&img, find_dirent(&img, "file", 2), 0);
	size_t many_inode = inode_byte(&img, find_dirent(&img, "many", 1), 0);
	assert_int_equal(img.data[link], 3);       /* basic symlink */
	assert_int_equal(img.data[file], 9);       /* extended file (it has two links) */
	assert_int_equal(img.data[many_inode], 8); /* extended directory, with an index */
	put_u32le(img.data + link + 20, 0xffffffffu);
	put_u32le(img.data + file + 28, 0x40000000u); /* 2^62 bytes */
	put_u32le(img.data + many_inode + 48, 0xffffffffu);
	struct collected c;
	collect_unpack(&c, "squashfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_string_equal(it_buf_str(&c.listing), "dir 0755 0 t:squashfs!/a\n"
	                                            "dir 0755 0 t:squashfs!/b\n"
	                                            "dir 0755 0 t:squashfs!/c\n"
	                                            "dir 0755 0 t:squashfs!/d\n");
	const char *d = it_buf_str(&c.diags);
	assert_non_null(strstr(d, "refused 'a/link': inode 0x"));
	assert_non_null(strstr(d, ": symlink target longer than 4096 bytes"));
	assert_non_null(strstr(d, "refused 'b/file': inode 0x"));
	assert_non_null(strstr(d, "refused 'd/link2': inode 0x"));
	assert_non_null(strstr(d, ": file size implies a block list longer than the inode table"));
	assert_non_null(strstr(d, "refused 'c/many': inode 0x"));
	assert_non_null(strstr(d, ": directory index name longer than 256 bytes"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* A path may have at most 256 components: the directory at level 256 is
 * listed but not entered, so d/.../d (258 levels) and its leaf are not. */
static void test_depth_limit(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && mkdir tree && p=tree && for i in $(seq 1 258); do p=$p/d; done && "
	   "mkdir -p $p && echo deep > $p/leaf",
	   f.dir);
	build(&f, "-comp gzip", &img);
	struct collected c;
	collect_unpack(&c, "squashfs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_int_equal(c.entries, 256);
	assert_false(listing_has(&c, "leaf"));
	assert_non_null(strstr(it_buf_str(&c.diags), "is nested deeper than 256 directories"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

static void test_entry_limit(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build(&f, "-comp gzip", &img);
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_entries = 3;
	struct collected c;
	collect_unpack(&c, "squashfs", img.data, img.len, &l);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_LIMIT);
	assert_int_equal(c.entries, 3);
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_gzip),
	        cmocka_unit_test(test_xz),
	        cmocka_unit_test(test_lzo),
	        cmocka_unit_test(test_lz4),
	        cmocka_unit_test(test_zstd),
	        cmocka_unit_test(test_lzma),
	        cmocka_unit_test(test_binwalk_sample),
	        cmocka_unit_test(test_owner_and_mtime),
	        cmocka_unit_test(test_carved_behind_junk),
	        cmocka_unit_test(test_truncated),
	        cmocka_unit_test(test_lying_superblock),
	        cmocka_unit_test(test_corrupt_data_block),
	        cmocka_unit_test(test_directory_loop),
	        cmocka_unit_test(test_bad_names),
	        cmocka_unit_test(test_lying_inode_sizes),
	        cmocka_unit_test(test_depth_limit),
	        cmocka_unit_test(test_entry_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

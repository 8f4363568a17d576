/*
 * Unit tests for the JFFS2 reader: images made at test time by mkfs.jffs2 from
 * a small source tree (both byte orders, erase block sizes, every compressor it
 * has) compared with that tree; an LZMA node and hand-built node logs for what
 * mkfs.jffs2 never writes (newer versions, deletions, loops, orphans, bombs);
 * carving, truncation and corrupted CRCs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <zlib.h>

#include "testutil.h"

static char top[64]; /* temporary directory holding the source tree S */

#define sh test_sh /* testutil: 0 when the command exits 0 */

/* mkfs.jffs2 <opts> of the source tree (with a device table) into img. */
static void make_image(struct it_buf *img, const char *opts)
{
	struct it_buf cmd = IT_BUF_INIT;
	it_buf_printf(&cmd,
	              "IMG=%s/img.$$ && mkfs.jffs2 %s -r %s/S -D %s/devtable -o $IMG && cat $IMG; "
	              "r=$?; rm -f $IMG; exit $r",
	              top, opts, top, top);
	it_buf_truncate(img, 0);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, img), 0);
	assert_true(img->len > 4096);
	it_buf_free(&cmd);
}

static int setup_tree(void **state)
{
	(void)state;
	snprintf(top, sizeof top, "/tmp/iotrust-jffs2-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	return sh("cd %s && mkdir -p S/a/b/c S/dev && printf 'hello\\n' > S/a/hello.txt && "
	          "ln -s hello.txt S/a/fast && "
	          "ln -s ../very/long/target/0123456789/0123456789/0123456789/0123456789/x "
	          "S/a/slow && ln S/a/hello.txt S/hard && : > S/empty && "
	          "i=0; while [ $i -lt 3000 ]; do echo \"line $i of a file of many pages\"; "
	          "i=$((i+1)); done > S/big && head -c 10000 /dev/urandom > S/random && "
	          "printf 'tiny\\n' > S/a/b/c/tiny && printf 'set-user-id\\n' > S/suid && "
	          "chmod 4755 S/suid && chmod 1777 S/a/b && mkfifo S/fifo && "
	          "printf '/dev/null c 666 0 0 1 3 0 0 -\\n' > devtable",
	          top);
}

static int teardown_tree(void **state)
{
	(void)state;
	return sh("rm -rf %s", top);
}

/* ---- what the reader delivered ---- */

struct seen {
	struct it_buf lines; /* "<find %y> <mode> <path> -> <target>" */
	struct it_buf diags;
	int data_bad; /* files whose bytes differ from the source tree */
	int hard_bad; /* hard links not naming a path of the same source inode */
	size_t files, hards, devices;
	enum it_errcode read_err; /* the last error of it_entry_bytes */
	struct it_buf bytes;      /* the bytes of the last file read */
	uint32_t suid_uid;
	int64_t suid_mtime;
	struct it_error err;
	struct it_unpack_stats st;
	int rc;
};

static int on_entry(void *user, const struct it_entry *e)
{
	struct seen *s = user;
	test_find_line(&s->lines, e);
	if (strcmp(e->path, "suid") == 0) {
		s->suid_uid = e->uid;
		s->suid_mtime = e->mtime;
	}
	struct it_buf src = IT_BUF_INIT;
	it_buf_printf(&src, "%s/S/%s", top, e->path);
	if (e->type == IT_ENTRY_FILE) {
		const uint8_t *d;
		size_t n;
		struct it_error err = IT_ERROR_INIT;
		struct it_buf want = IT_BUF_INIT;
		s->files++;
		it_buf_truncate(&s->bytes, 0);
		if (it_entry_bytes(e, &d, &n, &err) < 0) {
			s->read_err = err.code;
			s->data_bad++;
		} else {
			it_buf_append(&s->bytes, d, n);
			if (read_file(it_buf_str(&src), &want) < 0 || n != want.len ||
			    n != e->size || (n && memcmp(d, want.data, n) != 0))
				s->data_bad++;
		}
		it_error_clear(&err);
		it_buf_free(&want);
	} else if (e->type == IT_ENTRY_HARDLINK) {
		struct it_buf tree = IT_BUF_INIT;
		s->hards++;
		it_buf_printf(&tree, "%s/S", top);
		if (!test_same_inode(it_buf_str(&tree), e->path, e->link_target))
			s->hard_bad++;
		it_buf_free(&tree);
	} else if (e->type == IT_ENTRY_CHAR) {
		s->devices++;
	}
	it_buf_free(&src);
	return 0;
}

static void unpack(struct seen *s, const char *format, const uint8_t *data, size_t len,
                   const struct it_unpack_limits *limits)
{
	memset(s, 0, sizeof *s);
	s->err = (struct it_error)IT_ERROR_INIT;
	s->rc = test_unpack(format, data, len, limits, on_entry, s, &s->diags, &s->st, &s->err);
}

static void seen_free(struct seen *s)
{
	it_buf_free(&s->lines);
	it_buf_free(&s->diags);
	it_buf_free(&s->bytes);
	it_error_clear(&s->err);
}

static int has(const struct it_buf *b, const char *needle)
{
	return strstr(it_buf_str(b), needle) != NULL;
}

/* The listing must be the source tree plus the device, entry for entry. */
static void assert_same_as_tree(struct seen *s)
{
	struct it_buf want = IT_BUF_INIT, got = IT_BUF_INIT, cmd = IT_BUF_INIT;
	it_buf_printf(&cmd,
	              "{ cd %s/S && find . -mindepth 1 -printf '%%y %%m %%P -> %%l\\n' && "
	              "echo 'c 666 dev/null -> '; } | LC_ALL=C sort",
	              top);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, &want), 0);
	assert_int_equal(run_filter("LC_ALL=C sort", s->lines.data, s->lines.len, &got), 0);
	assert_string_equal(it_buf_str(&got), it_buf_str(&want));
	assert_int_equal(s->data_bad, 0);
	assert_int_equal(s->hard_bad, 0);
	assert_int_equal(s->hards, 1);   /* S/hard and S/a/hello.txt: one file, one link */
	assert_int_equal(s->files, 6);   /* big, random, empty, suid, tiny, one of the pair */
	assert_int_equal(s->devices, 1); /* from the device table */
	it_buf_free(&want);
	it_buf_free(&got);
	it_buf_free(&cmd);
}

/* ---- looking at nodes in an image ---- */

static uint32_t rd32(const uint8_t *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	          : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const uint8_t *p, int be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static void wr32(uint8_t *p, int be, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static void wr16(uint8_t *p, int be, uint16_t v)
{
	p[be ? 1 : 0] = (uint8_t)v;
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
}

static uint32_t jcrc(const void *p, size_t n)
{
	return (uint32_t)(crc32(0xffffffffUL, p, (uInt)n) ^ 0xffffffffUL);
}

#define T_DIRENT 0xe001
#define T_INODE  0xe002

/* The offset of the index-th node of type `type` (with inode ino when ino != 0,
 * counting dirents by their child inode), or 0 when there is none. */
static size_t find_node(const struct it_buf *img, int be, uint16_t type, uint32_t ino,
                        unsigned index)
{
	size_t pos = 0;
	while (pos + 12 <= img->len) {
		const uint8_t *p = img->data + pos;
		if (rd16(p, be) != 0x1985) {
			pos += 4;
			continue;
		}
		uint32_t totlen = rd32(p + 4, be);
		uint32_t node_ino =
		        rd16(p + 2, be) == T_DIRENT ? rd32(p + 20, be) : rd32(p + 12, be);
		if (rd16(p + 2, be) == type && (ino == 0 || node_ino == ino) && index-- == 0)
			return pos;
		pos += (totlen + 3) & ~(size_t)3;
	}
	return 0;
}

/* The inode number of the directory entry called name. */
static uint32_t ino_of(const struct it_buf *img, int be, const char *name)
{
	for (unsigned i = 0;; i++) {
		size_t at = find_node(img, be, T_DIRENT, 0, i);
		assert_true(at != 0 || i == 0);
		if (at == 0 && i > 0)
			return 0;
		const uint8_t *p = img->data + at;
		if (p[28] == strlen(name) && memcmp(p + 40, name, p[28]) == 0)
			return rd32(p + 20, be);
	}
}

/* How many inode nodes with data use compression `compr`. */
static unsigned count_compr(const struct it_buf *img, int be, uint8_t compr)
{
	unsigned n = 0;
	for (unsigned i = 0;; i++) {
		size_t at = find_node(img, be, T_INODE, 0, i);
		if (at == 0)
			return n;
		n += img->data[at + 56] == compr && rd32(img->data + at + 52, be) > 0;
	}
}

/* ---- hand-built little-endian node logs ---- */

static void put_node(struct it_buf *b, uint8_t *node, size_t len)
{
	wr16(node, 0, 0x1985);
	wr32(node + 4, 0, (uint32_t)len);
	wr32(node + 8, 0, jcrc(node, 8));
	it_buf_append(b, node, len);
	while (b->len % 4)
		it_buf_putc(b, 0);
}

static void put_dirent(struct it_buf *b, uint32_t pino, uint32_t version, uint32_t ino,
                       uint8_t dtype, const char *name)
{
	uint8_t n[40 + 255] = {0};
	size_t nsize = strlen(name);
	wr16(n + 2, 0, T_DIRENT);
	wr32(n + 12, 0, pino);
	wr32(n + 16, 0, version);
	wr32(n + 20, 0, ino);
	n[28] = (uint8_t)nsize;
	n[29] = dtype;
	memcpy(n + 40, name, nsize);
	wr32(n + 4, 0, (uint32_t)(40 + nsize));
	wr32(n + 8, 0, jcrc(n, 8));
	wr32(n + 32, 0, jcrc(n, 32));
	wr32(n + 36, 0, jcrc(n + 40, nsize));
	put_node(b, n, 40 + nsize);
}

static void put_inode(struct it_buf *b, uint32_t ino, uint32_t version, uint32_t mode,
                      uint32_t isize, uint32_t offset, uint8_t compr, const void *data,
                      uint32_t csize, uint32_t dsize)
{
	uint8_t *n = calloc(1, 68 + csize);
	assert_non_null(n);
	wr16(n + 2, 0, T_INODE);
	wr32(n + 4, 0, 68 + csize);
	wr32(n + 8, 0, jcrc(n, 8));
	wr32(n + 12, 0, ino);
	wr32(n + 16, 0, version);
	wr32(n + 20, 0, mode);
	wr32(n + 28, 0, isize);
	wr32(n + 36, 0, 1700000000);
	wr32(n + 44, 0, offset);
	wr32(n + 48, 0, csize);
	wr32(n + 52, 0, dsize);
	n[56] = compr;
	if (csize)
		memcpy(n + 68, data, csize);
	wr32(n + 60, 0, jcrc(n + 68, csize));
	wr32(n + 64, 0, jcrc(n, 60));
	put_node(b, n, 68 + csize);
	free(n);
}

static void put_cleanmarker(struct it_buf *b)
{
	uint8_t n[12] = {0};
	wr16(n + 2, 0, 0x2003);
	put_node(b, n, 12);
}

/* ---- mkfs.jffs2 images compared with the tree ---- */

static void check_tree(const char *opts, int be, uint8_t compr)
{
	struct it_buf img = IT_BUF_INIT;
	struct seen s;
	make_image(&img, opts);
	assert_int_equal(img.data[0], be ? 0x19 : 0x85);
	if (compr != 0xff)
		assert_true(count_compr(&img, be, compr) > 0);
	unpack(&s, "jffs2", img.data, img.len, NULL);
	assert_int_equal(s.rc, 0);
	assert_string_equal(it_buf_str(&s.diags), "");
	assert_same_as_tree(&s);
	seen_free(&s);
	it_buf_free(&img);
}

static void test_little_endian_64k_zlib(void **state)
{
	(void)state;
	check_tree("-l -e 64KiB", 0, 6 /* zlib */);
}

static void test_big_endian_128k_padded(void **state)
{
	(void)state;
	check_tree("-b -e 128KiB -p", 1, 6);
}

static void test_zlib_only(void **state)
{
	(void)state;
	check_tree("-b -X zlib -x rtime", 1, 6);
}

static void test_rtime_only(void **state)
{
	(void)state;
	check_tree("-l -x zlib -X rtime", 0, 2);
	check_tree("-b -x zlib -X rtime", 1, 2);
}

static void test_lzo(void **state)
{
	(void)state;
	check_tree("-l -X lzo -x zlib -x rtime", 0, 7);
}

static void test_no_compression(void **state)
{
	(void)state;
	check_tree("-l --compression-mode=none", 0, 0);
}

static void test_file_larger_than_a_page(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_image(&img, "-l -s 4096");
	uint32_t ino = ino_of(&img, 0, "big");
	assert_true(ino > 0);
	/* S/big is about 100 KB: one node per 4 KiB page, the last one partial */
	size_t nodes = 0;
	while (find_node(&img, 0, T_INODE, ino, (unsigned)nodes))
		nodes++;
	assert_true(nodes > 20);
	size_t last = find_node(&img, 0, T_INODE, ino, (unsigned)nodes - 1);
	assert_int_equal(rd32(img.data + last + 44, 0) % 4096, 0);
	struct seen s;
	unpack(&s, "jffs2", img.data, img.len, NULL);
	assert_int_equal(s.rc, 0);
	assert_same_as_tree(&s);
	struct stat st;
	struct it_buf p = IT_BUF_INIT;
	it_buf_printf(&p, "%s/S/suid", top);
	assert_int_equal(stat(it_buf_str(&p), &st), 0);
	assert_int_equal(s.suid_uid, st.st_uid);
	assert_true(s.suid_mtime == st.st_mtime);
	assert_true(has(&s.lines, "f 4755 suid -> \n"));
	assert_true(has(&s.lines, "d 1777 a/b -> \n"));
	assert_true(has(&s.lines, "l 777 a/fast -> hello.txt\n"));
	seen_free(&s);
	it_buf_free(&p);
	it_buf_free(&img);
}

/* Replace the data of the inode node n (which ends, padded, at n + room) and fix
 * its CRCs; the space left over becomes erased flash. */
static void rewrite_node(uint8_t *n, size_t room, const void *data, uint32_t csize, uint8_t compr)
{
	assert_true(68 + (size_t)csize + 12 <= room);
	memmove(n + 68, data, csize);
	n[56] = compr;
	wr32(n + 48, 0, csize);
	wr32(n + 4, 0, 68 + csize);
	wr32(n + 8, 0, jcrc(n, 8));
	wr32(n + 60, 0, jcrc(n + 68, csize));
	wr32(n + 64, 0, jcrc(n, 60));
	size_t end = (68 + csize + 3) & ~(size_t)3;
	memset(n + end, 0xff, room - end);
}

/* An LZMA node (OpenWrt: raw LZMA1, lc=0 lp=0 pb=0), made by recompressing the
 * first data node of S/big in an uncompressed image with xz. */
static void test_lzma_node(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, lz = IT_BUF_INIT;
	make_image(&img, "-l -m none");
	size_t at = find_node(&img, 0, T_INODE, ino_of(&img, 0, "big"), 0);
	assert_true(at > 0);
	uint8_t *n = img.data + at;
	size_t room = (rd32(n + 4, 0) + 3) & ~(size_t)3;
	assert_int_equal(n[56], 0);
	assert_int_equal(rd32(n + 52, 0), 4096);
	assert_int_equal(run_filter("xz --format=raw --lzma1=preset=6,lc=0,lp=0,pb=0,dict=8KiB -c",
	                            n + 68, 4096, &lz),
	                 0);
	rewrite_node(n, room, lz.data, (uint32_t)lz.len, 8);
	struct seen s;
	unpack(&s, "jffs2", img.data, img.len, NULL);
	assert_int_equal(s.rc, 0);
	assert_string_equal(it_buf_str(&s.diags), "");
	assert_same_as_tree(&s);
	seen_free(&s);
	/* cut short (CRCs fixed up to match), it no longer gives a page */
	rewrite_node(n, room, lz.data, (uint32_t)lz.len / 2, 8);
	unpack(&s, "jffs2", img.data, img.len, NULL);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.st.problems, 1);
	assert_true(has(&s.diags, "'big': data node at 0x"));
	assert_true(has(&s.diags, "(bytes 0..4096): corrupt LZMA data (read as zeros)"));
	assert_int_equal(s.data_bad, 1);
	seen_free(&s);
	it_buf_free(&img);
	it_buf_free(&lz);
}

/* ---- carving ---- */

static void test_carved_at_offset(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, fs = IT_BUF_INIT, gz = IT_BUF_INIT;
	make_image(&fs, "-b -e 64KiB -p");
	assert_int_equal(fs.len % 65536, 0);
	for (int i = 0; i < 3000; i++)
		it_buf_putc(&img, (char)("junk\x19\x85"[i % 6]));
	it_buf_append(&img, fs.data, fs.len);
	/* a gzip stream right after the padded erase block is found as its own blob */
	assert_int_equal(run_filter("gzip -9n", (const uint8_t *)"after\n", 6, &gz), 0);
	it_buf_append(&img, gz.data, gz.len);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.diags), "");
	assert_true(listing_has(&c, "file 0644 5 t@0xbb8:jffs2!/a/b/c/tiny\n"));
	assert_true(listing_has(&c, "link 0777 0 t@0xbb8:jffs2!/a/fast -> hello.txt\n"));
	assert_true(listing_has(&c, "hard 0644 0 t@0xbb8:jffs2!/hard -> a/hello.txt\n") ||
	            listing_has(&c, "hard 0644 0 t@0xbb8:jffs2!/a/hello.txt -> hard\n"));
	assert_true(listing_has(&c, "chr 0666 0 t@0xbb8:jffs2!/dev/null\n"));
	char want[64];
	snprintf(want, sizeof want, "data 0644 6 t@0x%zx:gzip\n", 3000 + fs.len);
	assert_true(listing_has(&c, want));
	collected_free(&c);
	/* the same, compared with the tree */
	struct seen s;
	unpack(&s, NULL, img.data, img.len, NULL);
	assert_int_equal(s.rc, 0);
	it_buf_free(&img);
	it_buf_free(&fs);
	it_buf_free(&gz);
	seen_free(&s);
}

static void test_nested_in_gzip(void **state)
{
	(void)state;
	struct it_buf fs = IT_BUF_INIT, gz = IT_BUF_INIT;
	make_image(&fs, "-l");
	assert_int_equal(run_filter("gzip -1n", fs.data, fs.len, &gz), 0);
	struct collected c;
	collect_unpack(&c, NULL, gz.data, gz.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "file 4755 12 t:gzip:jffs2!/suid\n"));
	collected_free(&c);
	it_buf_free(&fs);
	it_buf_free(&gz);
}

static void test_magic_alone_is_not_jffs2(void **state)
{
	(void)state;
	uint8_t junk[64];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (uint8_t)(i * 37 + 1);
	memcpy(junk, "\x85\x19\x01\xe0\x40\0\0\0\0\0\0\0", 12);
	struct collected c;
	collect_unpack(&c, NULL, junk, sizeof junk, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.diags), "");
	assert_false(listing_has(&c, "jffs2"));
	collected_free(&c);
	collect_unpack(&c, "jffs2", junk, sizeof junk, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "expected a node header (magic 0x1985"));
	collected_free(&c);
}

/* ---- damaged images ---- */

static void test_truncated_image(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_image(&img, "-l -n");
	uint32_t ino = ino_of(&img, 0, "big");
	size_t at = find_node(&img, 0, T_INODE, ino, 3);
	assert_true(at > 0);
	/* cut inside the fourth data node of S/big */
	struct seen s;
	unpack(&s, "jffs2", img.data, at + 100, NULL);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.err.code, IT_ERR_INPUT); /* the summary of problems */
	char want[128];
	snprintf(want, sizeof want, "t:jffs2: offset 0x%zx (%zu): jffs2: node at 0x%zx claims 0x",
	         at, at, at);
	assert_true(has(&s.diags, want));
	assert_true(has(&s.diags, "beyond the image end"));
	seen_free(&s);
	/* cut inside the first node: nothing to read at all */
	unpack(&s, "jffs2", img.data, 20, NULL);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(s.err.message, "first node claims 0x"));
	assert_non_null(strstr(s.err.message, "truncated"));
	assert_int_equal(s.st.entries, 0);
	seen_free(&s);
	it_buf_free(&img);
}

static void test_corrupt_data_crc(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_image(&img, "-l");
	size_t at = find_node(&img, 0, T_INODE, ino_of(&img, 0, "big"), 1);
	assert_true(at > 0);
	img.data[at + 68 + 10] ^= 0x01; /* in the second page's compressed data */
	struct seen s;
	unpack(&s, "jffs2", img.data, img.len, NULL);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.st.problems, 1);
	char want[96];
	snprintf(want, sizeof want, "inode node at 0x%zx (inode %u): data CRC mismatch (skipped)",
	         at, ino_of(&img, 0, "big"));
	assert_true(has(&s.diags, want));
	/* everything else is intact; S/big has a hole of zeros where the node was */
	assert_int_equal(s.data_bad, 1);
	assert_true(has(&s.lines, "f 644 big -> \n"));
	seen_free(&s);
	it_buf_free(&img);
}

static void test_corrupt_header_crc(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_image(&img, "-b");
	uint32_t ino = ino_of(&img, 1, "tiny");
	size_t at = find_node(&img, 1, T_INODE, ino, 0);
	assert_true(at > 0);
	img.data[at + 5] ^= 0x40; /* totlen: only the header CRC notices */
	struct seen s;
	unpack(&s, "jffs2", img.data, img.len, NULL);
	assert_int_equal(s.rc, -1);
	char want[96];
	snprintf(want, sizeof want, "node header CRC mismatch at 0x%zx (node skipped)", at);
	assert_true(has(&s.diags, want));
	/* the dirent of tiny now names an inode without nodes */
	assert_true(has(&s.diags, "'a/b/c/tiny' names inode"));
	assert_false(has(&s.lines, "tiny"));
	assert_true(has(&s.lines, "f 4755 suid -> \n"));
	assert_int_equal(s.st.problems, 2);
	seen_free(&s);
	it_buf_free(&img);
}

static void test_corrupt_last_node(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_image(&img, "-l -e 64KiB -p");
	unsigned last = 0;
	while (find_node(&img, 0, T_INODE, 0, last + 1))
		last++;
	size_t at = find_node(&img, 0, T_INODE, 0, last);
	assert_true(at > 0 && img.data[at + ((rd32(img.data + at + 4, 0) + 3) & ~3u)] == 0xff);
	img.data[at + 4] ^= 0x08; /* the last node before the erased rest of the block */
	struct seen s;
	unpack(&s, "jffs2", img.data, img.len, NULL);
	assert_int_equal(s.rc, -1);
	char want[96];
	snprintf(want, sizeof want, "node header CRC mismatch at 0x%zx (node skipped)", at);
	assert_true(has(&s.diags, want));
	seen_free(&s);
	it_buf_free(&img);
}

/* ---- node logs that only a running system writes ---- */

static void test_versions_deletions_truncation(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	put_cleanmarker(&b);
	put_dirent(&b, 1, 1, 2, 8, "gone");
	put_inode(&b, 2, 1, S_IFREG | 0644, 3, 0, 0, "old", 3, 3);
	put_dirent(&b, 1, 2, 3, 8, "file");
	put_inode(&b, 3, 1, S_IFREG | 0600, 8, 0, 0, "AAAAAAAA", 8, 8);
	put_inode(&b, 3, 3, S_IFREG | 0640, 8, 4, 1 /* zero */, NULL, 0, 2); /* a hole */
	put_inode(&b, 3, 2, S_IFREG | 0600, 8, 2, 0, "BBBB", 4, 4); /* older than the hole */
	put_inode(&b, 3, 4, S_IFREG | 0640, 7, 0, 0, NULL, 0, 0);   /* truncated to 7 */
	put_dirent(&b, 1, 5, 0, 0, "gone");                         /* deleted */
	put_dirent(&b, 1, 0, 9, 8, "file");                         /* an older name */
	put_inode(&b, 9, 1, S_IFREG | 0644, 0, 0, 0, NULL, 0, 0);
	put_inode(&b, 7, 1, S_IFREG | 0644, 0, 0, 0, NULL, 0, 0); /* an orphan */
	struct seen s;
	unpack(&s, "jffs2", b.data, b.len, NULL);
	assert_string_equal(it_buf_str(&s.lines), "f 640 file -> \n");
	assert_int_equal(s.bytes.len, 7);
	assert_memory_equal(s.bytes.data, "AABB\0\0A", 7);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.st.problems, 1);
	assert_true(has(&s.diags, "1 inode is not reachable from the root directory (skipped)"));
	seen_free(&s);
	it_buf_free(&b);
}

static void test_directory_loop(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	put_dirent(&b, 1, 1, 2, 4, "d");
	put_inode(&b, 2, 1, S_IFDIR | 0755, 0, 0, 0, NULL, 0, 0);
	put_dirent(&b, 2, 2, 2, 4, "self");
	put_dirent(&b, 2, 3, 1, 4, "root");
	put_dirent(&b, 2, 4, 3, 8, "x/y");
	put_dirent(&b, 2, 5, 3, 8, "..");
	put_dirent(&b, 2, 6, 4, 10, "ln");
	put_inode(&b, 4, 1, S_IFLNK | 0777, 6, 0, 2 /* rtime */, "/\0e\0t\0c\0", 8, 4);
	put_inode(&b, 4, 2, S_IFLNK | 0777, 6, 4, 0, "/x", 2, 2);
	struct seen s;
	unpack(&s, "jffs2", b.data, b.len, NULL);
	assert_int_equal(s.rc, -1);
	assert_string_equal(it_buf_str(&s.lines), "d 755 d -> \nl 777 d/ln -> /etc/x\n");
	assert_true(has(&s.diags, "directory 'd/self' (inode 2) is reached twice: a loop"));
	assert_true(has(&s.diags, "directory 'd/root' (inode 1) is reached twice: a loop"));
	assert_true(has(&s.diags, "refused an entry named 'x/y' in directory inode 2"));
	assert_true(has(&s.diags, "refused an entry named '..' in directory inode 2"));
	seen_free(&s);
	it_buf_free(&b);
}

static void test_zero_node_bomb(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	put_dirent(&b, 1, 1, 2, 8, "bomb");
	/* 256 MiB of zeros from 1024 nodes of 68 bytes */
	for (uint32_t i = 0; i < 1024; i++)
		put_inode(&b, 2, i + 1, S_IFREG | 0644, 256u << 20, i << 18, 1, NULL, 0, 1u << 18);
	struct seen s;
	unpack(&s, "jffs2", b.data, b.len, NULL);
	assert_true(has(&s.lines, "f 644 bomb -> \n"));
	assert_int_equal(s.read_err, IT_ERR_LIMIT);
	assert_true(s.st.bytes_out < (16u << 20));
	seen_free(&s);
	/* a size far beyond the data is refused the same way */
	it_buf_truncate(&b, 0);
	put_dirent(&b, 1, 1, 2, 8, "liar");
	put_inode(&b, 2, 1, S_IFREG | 0644, 0xfffffff0u, 0, 0, "x", 1, 1);
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_file_bytes = (uint64_t)8 << 30;
	unpack(&s, "jffs2", b.data, b.len, &l);
	assert_int_equal(s.read_err, IT_ERR_LIMIT);
	assert_true(s.st.bytes_out < (16u << 20));
	seen_free(&s);
	it_buf_free(&b);
}

static void test_unsupported_compression(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	put_dirent(&b, 1, 1, 2, 8, "rubin");
	put_inode(&b, 2, 1, S_IFREG | 0644, 4, 0, 5 /* dynrubin */, "abcd", 4, 4);
	struct seen s;
	unpack(&s, "jffs2", b.data, b.len, NULL);
	assert_int_equal(s.rc, -1);
	assert_true(has(&s.diags, "'rubin': data node at 0x"));
	assert_true(has(&s.diags, "rubin compression is not supported (read as zeros)"));
	assert_int_equal(s.bytes.len, 4);
	assert_memory_equal(s.bytes.data, "\0\0\0\0", 4);
	seen_free(&s);
	it_buf_free(&b);
}

static void test_entry_limit(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	struct it_unpack_limits l;
	struct seen s;
	make_image(&img, "-l");
	it_unpack_limits_default(&l);
	l.max_entries = 3;
	unpack(&s, "jffs2", img.data, img.len, &l);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.err.code, IT_ERR_LIMIT);
	assert_non_null(strstr(s.err.message, "more than 3 entries"));
	seen_free(&s);
	it_buf_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_little_endian_64k_zlib),
	        cmocka_unit_test(test_big_endian_128k_padded),
	        cmocka_unit_test(test_zlib_only),
	        cmocka_unit_test(test_rtime_only),
	        cmocka_unit_test(test_lzo),
	        cmocka_unit_test(test_no_compression),
	        cmocka_unit_test(test_file_larger_than_a_page),
	        cmocka_unit_test(test_lzma_node),
	        cmocka_unit_test(test_carved_at_offset),
	        cmocka_unit_test(test_nested_in_gzip),
	        cmocka_unit_test(test_magic_alone_is_not_jffs2),
	        cmocka_unit_test(test_truncated_image),
	        cmocka_unit_test(test_corrupt_data_crc),
	        cmocka_unit_test(test_corrupt_header_crc),
	        cmocka_unit_test(test_corrupt_last_node),
	        cmocka_unit_test(test_versions_deletions_truncation),
	        cmocka_unit_test(test_directory_loop),
	        cmocka_unit_test(test_zero_node_bomb),
	        cmocka_unit_test(test_unsupported_compression),
	        cmocka_unit_test(test_entry_limit),
	};
	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}

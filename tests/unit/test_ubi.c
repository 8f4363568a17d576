/*
 * Unit tests for the UBI and UBIFS readers: images built at test time with the
 * real mkfs.ubifs and ubinize (mtd-utils) from a small tree; listings and file
 * bytes checked against the tree for every compressor; UBI volumes (UBIFS,
 * squashfs, static), carving, truncation, corrupt CRCs, crafted loops, limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "iotrust/cursor.h"
#include "testutil.h"

#define PEB 131072 /* ubinize -p 128KiB */

/* Scratch directories and shell commands come from testutil. */
#define fixture          test_dir
#define fixture_open(f)  assert_int_equal(test_dir_open((f), "ubi"), 0)
#define fixture_close(f) test_dir_close(f)
#define sh(...)          assert_int_equal(test_sh(__VA_ARGS__), 0)

static void load(const struct fixture *f, const char *name, struct it_buf *out)
{
	struct it_buf path = IT_BUF_INIT;
	it_buf_printf(&path, "%s/%s", f->dir, name);
	out->len = 0;
	assert_int_equal(read_file(it_buf_str(&path), out), 0);
	it_buf_free(&path);
}

/* The test tree: nested dirs, absolute and relative symlinks, setuid and sticky
 * modes, an empty file, a multi-block compressible file, an incompressible one,
 * a sparse file, a hard link, an old mtime, and enough small files that the
 * index has several levels. Devices, a FIFO and owners come from a device table. */
static void make_tree(const struct fixture *f)
{
	sh("set -e; cd '%s'; mkdir -p tree/etc/init.d tree/bin tree/empty tree/usr/lib/deep "
	   "tree/many;"
	   "printf 'root:x:0:0::/root:/bin/sh\\n' > tree/etc/passwd;"
	   "ln tree/etc/passwd tree/etc/passwd2;"
	   "printf 'secret\\n' > tree/etc/shadow; chmod 600 tree/etc/shadow;"
	   "printf '#!/bin/sh\\necho up\\n' > tree/etc/init.d/rcS; chmod 755 tree/etc/init.d/rcS;"
	   ": > tree/etc/empty; seq 1 30000 > tree/bin/busybox; chmod 4755 tree/bin/busybox;"
	   "head -c 20000 /dev/urandom > tree/bin/rand;"
	   "ln -s /bin/busybox tree/bin/sh; ln -s ../lib tree/usr/lib/deep/up;"
	   "echo small > tree/usr/lib/deep/small; touch -d @1500000000 tree/usr/lib/deep/small;"
	   "chmod 1777 tree/empty; truncate -s 20000 tree/usr/sparse; echo end >> tree/usr/sparse;"
	   "for i in $(seq 1 60); do echo \"file $i\" > tree/many/f$i; done;"
	   "printf '/dev d 755 0 0 - - - - -\\n/dev/console c 600 0 0 5 1 - - -\\n"
	   "/dev/sda b 660 0 6 8 0 - - -\\n/run d 755 0 0 - - - - -\\n"
	   "/run/fifo p 644 0 0 - - - - -\\n/etc/shadow f 600 1000 100 - - - - -\\n' > devtable",
	   f->dir);
}

/* mkfs.ubifs the tree into fs.ubifs with compressor `compr`. */
static void build_ubifs(const struct fixture *f, const char *compr, struct it_buf *img)
{
	sh("cd '%s' && rm -f fs.ubifs && mkfs.ubifs -r tree -D devtable -m 2048 -e 126976 -c 200 "
	   "-x %s -o fs.ubifs",
	   f->dir, compr);
	load(f, "fs.ubifs", img);
}

/* ubinize volumes described by `cfg` (ini text, images relative to the dir). */
static void build_ubi(const struct fixture *f, const char *cfg, const char *subpage,
                      struct it_buf *img)
{
	sh("cd '%s' && printf '%s' > ubinize.cfg && rm -f img.ubi && "
	   "ubinize -o img.ubi -m 2048 -p 128KiB -s %s ubinize.cfg 2>/dev/null",
	   f->dir, cfg, subpage);
	load(f, "img.ubi", img);
}

#define ROOTFS_CFG                                                                                 \
	"[rootfs]\\nmode=ubi\\nimage=fs.ubifs\\nvol_id=0\\nvol_type=dynamic\\n"                    \
	"vol_name=rootfs\\nvol_flags=autoresize\\n"

/* ---- checking against the tree ---- */

struct check {
	const struct fixture *f;
	size_t files, mismatches;
	int shadow_owner_ok, mtime_ok;
};

/* Every file's bytes equal the tree's; owners and times come through. */
static int check_entry(void *user, const struct it_entry *e)
{
	struct check *k = user;
	if (strcmp(e->path, "etc/shadow") == 0)
		k->shadow_owner_ok = e->uid == 1000 && e->gid == 100 && e->mode == 0600;
	if (strcmp(e->path, "usr/lib/deep/small") == 0)
		k->mtime_ok = e->mtime == 1500000000;
	if (e->type != IT_ENTRY_FILE)
		return 0;
	struct it_buf want = IT_BUF_INIT, path = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	const uint8_t *d;
	size_t n;
	it_buf_printf(&path, "%s/tree/%s", k->f->dir, e->path);
	k->files++;
	if (read_file(it_buf_str(&path), &want) < 0 || it_entry_bytes(e, &d, &n, &err) < 0 ||
	    n != want.len || (n && memcmp(d, want.data, n) != 0)) {
		fprintf(stderr, "bytes differ: %s\n", e->path);
		k->mismatches++;
	}
	it_error_clear(&err);
	it_buf_free(&want);
	it_buf_free(&path);
	return 0;
}

static void check_bytes(const struct fixture *f, const char *format, const struct it_buf *img)
{
	struct check k = {f, 0, 0, 0, 0};
	struct it_unpack_options o;
	struct it_unpack_stats st;
	struct it_error err = IT_ERROR_INIT;
	it_unpack_options_default(&o);
	o.on_entry = check_entry;
	o.user = &k;
	int rc = format ? it_unpack_memory_as(format, img->data, img->len, "t", &o, &st, &err)
	                : it_unpack_memory(img->data, img->len, "t", &o, &st, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(k.mismatches, 0);
	assert_int_equal(k.files, 68); /* 8 in etc, bin, usr (one of two links) + 60 */
	assert_true(k.shadow_owner_ok);
	assert_true(k.mtime_ok);
	it_error_clear(&err);
}

/* The listing has one line per tree entry (type, mode, size, symlink target),
 * plus the device-table entries, and nothing else. */
static void check_listing(const struct fixture *f, const struct collected *c, const char *chain)
{
	struct it_buf find = IT_BUF_INIT, cmd = IT_BUF_INIT;
	it_buf_printf(&cmd,
	              "cd '%s/tree' && find . -mindepth 1 -printf '%%y %%m %%s %%n %%P %%l\\n'",
	              f->dir);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, &find), 0);
	size_t lines = 0;
	char *save = NULL;
	for (char *line = strtok_r((char *)find.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char type, path[512], target[512] = "";
		unsigned mode, nlink;
		unsigned long long size;
		int got = sscanf(line, "%c %o %llu %u %511s %511s", &type, &mode, &size, &nlink,
		                 path, target);
		assert_true(got >= 5);
		struct it_buf want = IT_BUF_INIT;
		const char *name = type == 'f' ? "file" : type == 'd' ? "dir" : "link";
		if (type == 'f' && nlink > 1) {
			/* whichever link comes first is the file, the other a hard link */
			it_buf_printf(&want, " %04o %llu %s!/%s\n", mode, size, chain, path);
			struct it_buf hard = IT_BUF_INIT;
			it_buf_printf(&hard, "hard %04o 0 %s!/%s -> ", mode, chain, path);
			if (!listing_has(c, it_buf_str(&want)) &&
			    !listing_has(c, it_buf_str(&hard)))
				fail_msg("missing: %s", line);
			it_buf_free(&hard);
		} else {
			it_buf_printf(&want, "%s %04o %llu %s!/%s", name, mode,
			              type == 'f' ? size : 0, chain, path);
			if (type == 'l')
				it_buf_printf(&want, " -> %s", target);
			it_buf_putc(&want, '\n');
			if (!listing_has(c, it_buf_str(&want)))
				fail_msg("missing: %s", it_buf_str(&want));
		}
		it_buf_free(&want);
		lines++;
	}
	static const char *const extra[][2] = {{"dir 0755 0 ", "dev"},
	                                       {"chr 0600 0 ", "dev/console"},
	                                       {"blk 0660 0 ", "dev/sda"},
	                                       {"dir 0755 0 ", "run"},
	                                       {"fifo 0644 0 ", "run/fifo"}};
	for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
		struct it_buf want = IT_BUF_INIT;
		it_buf_printf(&want, "%s%s!/%s\n", extra[i][0], chain, extra[i][1]);
		if (!listing_has(c, it_buf_str(&want)))
			fail_msg("missing: %s", it_buf_str(&want));
		it_buf_free(&want);
	}
	/* nothing else in this container */
	struct it_buf in_chain = IT_BUF_INIT;
	it_buf_printf(&in_chain, " %s!/", chain);
	size_t n = 0;
	for (const char *s = it_buf_str(&c->listing); (s = strstr(s, it_buf_str(&in_chain))); s++)
		n++;
	assert_int_equal(n, lines + 5);
	it_buf_free(&in_chain);
	it_buf_free(&find);
	it_buf_free(&cmd);
}

static void bare_roundtrip(const char *compr)
{
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, compr, &img);
	struct collected c;
	collect_unpack(&c, "ubifs", img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.diags), "");
	check_listing(&f, &c, "t:ubifs");
	assert_true(listing_has(&c, "link 0777 0 t:ubifs!/bin/sh -> /bin/busybox\n"));
	assert_true(listing_has(&c, "dir 1777 0 t:ubifs!/empty\n"));
	assert_true(listing_has(&c, "hard 0644 0 t:ubifs!/etc/passwd"));
	check_bytes(&f, "ubifs", &img);
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

static void test_ubifs_lzo(void **state)
{
	(void)state;
	bare_roundtrip("lzo");
}

static void test_ubifs_zlib(void **state)
{
	(void)state;
	bare_roundtrip("zlib");
}

static void test_ubifs_zstd(void **state)
{
	(void)state;
	bare_roundtrip("zstd");
}

static void test_ubifs_none(void **state)
{
	(void)state;
	bare_roundtrip("none");
}

/* The compressor is chosen per data node: with favor_lzo both LZO and zlib
 * nodes occur in one image. */
static void test_ubifs_mixed_compressors(void **state)
{
	(void)state;
	bare_roundtrip("favor_lzo");
}

/* ubinize of a UBIFS image: the volume is a child blob named after the volume. */
static void test_ubi_ubifs_volume(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "lzo", &img);
	build_ubi(&f, ROOTFS_CFG, "512", &img);
	assert_int_equal(img.len % PEB, 0);
	assert_memory_equal(img.data, "UBI#", 4);
	struct collected c;
	collect_unpack(&c, "ubi", img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.diags), "");
	check_listing(&f, &c, "t:ubi/rootfs:ubifs");
	check_bytes(&f, "ubi", &img);
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* The common NAND router layout: a static kernel volume, a squashfs root and a
 * UBIFS data volume; the PEB size comes from the image (no subpages here). */
static void test_ubi_kernel_squashfs_and_data(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT, kernel = IT_BUF_INIT, sq = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "zlib", &img);
	sh("cd '%s' && head -c 70000 /dev/urandom > kernel.bin && "
	   "mksquashfs tree sq.img -noappend -quiet -no-progress >/dev/null",
	   f.dir);
	load(&f, "kernel.bin", &kernel);
	load(&f, "sq.img", &sq);
	build_ubi(&f,
	          "[kernel]\\nmode=ubi\\nimage=kernel.bin\\nvol_id=0\\nvol_type=static\\n"
	          "vol_name=kernel\\n[rootfs]\\nmode=ubi\\nimage=sq.img\\nvol_id=1\\n"
	          "vol_type=dynamic\\nvol_name=rootfs\\n[data]\\nmode=ubi\\nimage=fs.ubifs\\n"
	          "vol_id=3\\nvol_type=dynamic\\nvol_name=rootfs_data\\nvol_size=4MiB\\n",
	          "2048", &img);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	/* the static volume has its exact size */
	assert_true(listing_has(&c, "data 0644 70000 t:ubi/kernel\n"));
	assert_memory_equal(c.data.data, kernel.data, 70000);
	check_listing(&f, &c, "t:ubi/rootfs_data:ubifs");
	int have_squashfs = 0;
	for (size_t i = 0; i < it_unpack_format_count(); i++)
		have_squashfs |= strcmp(it_unpack_format_name(i), "squashfs") == 0;
	if (have_squashfs) {
		assert_true(
		        listing_has(&c, "file 0755 18 t:ubi/rootfs:squashfs!/etc/init.d/rcS\n"));
		assert_true(listing_has(&c, "t:ubi/rootfs:squashfs!/bin/sh -> /bin/busybox\n"));
	} else {
		/* the volume is a payload: the squashfs image, padded to whole LEBs */
		assert_true(listing_has(&c, " t:ubi/rootfs\n"));
		assert_memory_equal(c.data.data + 70000, sq.data, sq.len);
	}
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&kernel);
	it_buf_free(&sq);
	fixture_close(&f);
}

/* A UBI image inside a firmware blob, followed by more data. */
static void test_ubi_carved_at_offset(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT, fw = IT_BUF_INIT, gz = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "zstd", &img);
	build_ubi(&f, ROOTFS_CFG, "512", &img);
	assert_int_equal(run_filter("printf 'after the image' | gzip -9n", NULL, 0, &gz), 0);
	it_buf_append(&fw, "VENDORHDR", 9);
	for (int i = 0; i < 991; i++)
		it_buf_putc(&fw, (char)(i * 7));
	it_buf_append(&fw, img.data, img.len);
	it_buf_append(&fw, gz.data, gz.len);
	struct collected c;
	collect_unpack(&c, NULL, fw.data, fw.len, NULL);
	assert_int_equal(c.rc, 0);
	check_listing(&f, &c, "t@0x3e8:ubi/rootfs:ubifs");
	/* carving goes on after the image's PEBs */
	struct it_buf want = IT_BUF_INIT;
	it_buf_printf(&want, "data 0644 15 t@0x%zx:gzip\n", 1000 + img.len);
	assert_true(listing_has(&c, it_buf_str(&want)));
	it_buf_free(&want);
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&fw);
	it_buf_free(&gz);
	fixture_close(&f);
}

/* A bare UBIFS image carved at an offset ends at its last used LEB. */
static void test_ubifs_carved_at_offset(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT, fw = IT_BUF_INIT, gz = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "lzo", &img);
	assert_int_equal(run_filter("printf 'next' | gzip -9n", NULL, 0, &gz), 0);
	it_buf_append(&fw, "HDR-0123456789abcdef0123456789abcdef", 36);
	it_buf_append(&fw, img.data, img.len);
	it_buf_append(&fw, gz.data, gz.len);
	struct collected c;
	collect_unpack(&c, NULL, fw.data, fw.len, NULL);
	assert_int_equal(c.rc, 0);
	check_listing(&f, &c, "t@0x24:ubifs");
	struct it_buf want = IT_BUF_INIT;
	it_buf_printf(&want, "data 0644 4 t@0x%zx:gzip\n", 36 + img.len);
	assert_true(listing_has(&c, it_buf_str(&want)));
	it_buf_free(&want);
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&fw);
	it_buf_free(&gz);
	fixture_close(&f);
}

/* A UBI image cut inside a PEB: the cut PEB is named, what is left is read. */
static void test_ubi_truncated(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT, fs = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "lzo", &fs);
	build_ubi(&f, ROOTFS_CFG, "512", &img);
	/* Cut the image in the middle of the PEB holding the UBIFS index root: the
	 * master node (LEB 1 of 126976 bytes) gives its LEB and offset; UBI LEBs
	 * hold 129024 bytes after the two layout PEBs. */
	size_t root = (size_t)it_load_u32le(fs.data + 126976 + 48) * 126976 +
	              it_load_u32le(fs.data + 126976 + 52);
	size_t peb = 2 + root / 129024;
	assert_true((peb + 1) * PEB <= img.len);
	struct collected c;
	collect_unpack(&c, "ubi", img.data, peb * PEB + PEB / 2, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	struct it_buf want = IT_BUF_INIT;
	it_buf_printf(&want,
	              "t:ubi: offset 0x%zx (%zu): ubi: PEB %zu at 0x%zx is truncated "
	              "(0x%x of 0x%x bytes present)",
	              peb * PEB, peb * PEB, peb, peb * PEB, PEB / 2, PEB);
	if (!strstr(it_buf_str(&c.diags), it_buf_str(&want)))
		fail_msg("diags: %s", it_buf_str(&c.diags));
	/* so the UBIFS volume ends before its index root */
	assert_non_null(strstr(it_buf_str(&c.diags), "t:ubi/rootfs:ubifs: offset"));
	assert_non_null(strstr(it_buf_str(&c.diags), "root index node"));
	it_buf_free(&want);
	collected_free(&c);

	/* Less than two PEBs: the PEB size cannot be known. */
	collect_unpack(&c, "ubi", img.data, PEB / 2, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_string_equal(c.err.where, "t:ubi");
	assert_non_null(strstr(c.err.message, "second EC header"));
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&fs);
	fixture_close(&f);
}

/* A bare UBIFS image cut before the index root: an error naming the offset. */
static void test_ubifs_truncated(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "lzo", &img);
	size_t cut = img.len - 126976; /* mkfs.ubifs writes the index last */
	struct collected c;
	collect_unpack(&c, "ubifs", img.data, cut, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_string_equal(c.err.where, "t:ubifs");
	struct it_buf want = IT_BUF_INIT;
	it_buf_printf(&want, "lies beyond the image end (0x%zx)", cut);
	if (!strstr(c.err.message, it_buf_str(&want)))
		fail_msg("message: %s", c.err.message);
	assert_true(c.err.offset >= cut);
	it_buf_free(&want);
	collected_free(&c);

	/* cut inside the superblock */
	collect_unpack(&c, "ubifs", img.data, 2000, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "superblock node"));
	collected_free(&c);

	/* cut after the superblock: no master node */
	collect_unpack(&c, "ubifs", img.data, 126976 + 100, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(c.err.message, "master node"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

static uint32_t raw_crc(const uint8_t *p, size_t n)
{
	return ~(uint32_t)crc32(0, p, (uInt)n);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A bad header CRC in one PEB: skipped with one diagnostic. */
static void test_ubi_bad_header_crc(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "lzo", &img);
	build_ubi(&f, ROOTFS_CFG, "512", &img);
	/* PEB 2 holds LEB 0 of rootfs, the UBIFS superblock; PEB 3 and 4 the masters */
	img.data[2 * PEB + 512 + 20] ^= 0x40; /* VID header: data_size */
	img.data[3 * PEB + 30] ^= 0x01;       /* EC header: image_seq */
	struct collected c;
	collect_unpack(&c, "ubi", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	struct it_buf want = IT_BUF_INIT;
	it_buf_printf(&want,
	              "t:ubi: offset 0x%x (%u): ubi: 2 PEBs skipped for an invalid EC or VID "
	              "header (bad magic, CRC or field; first at 0x%x)\n",
	              2 * PEB, 2 * PEB, 2 * PEB);
	if (!strstr(it_buf_str(&c.diags), it_buf_str(&want)))
		fail_msg("diags: %s", it_buf_str(&c.diags));
	/* the volume has lost its superblock: not UBIFS any more, a payload */
	assert_true(listing_has(&c, " t:ubi/rootfs\n"));
	it_buf_free(&want);
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* Two copies of one LEB: the higher sqnum wins, whatever the PEB order. */
static void test_ubi_highest_sqnum_wins(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && printf 'OLD DATA' > blob && truncate -s 1000 blob", f.dir);
	build_ubi(&f,
	          "[blob]\\nmode=ubi\\nimage=blob\\nvol_id=0\\nvol_type=dynamic\\n"
	          "vol_name=blob\\n",
	          "512", &img);
	assert_int_equal(img.len, 3 * PEB);
	/* Insert a newer copy of PEB 2 before it: sqnum 7, different data. */
	struct it_buf out = IT_BUF_INIT;
	it_buf_append(&out, img.data, 2 * PEB);
	it_buf_append(&out, img.data + 2 * PEB, PEB);
	it_buf_append(&out, img.data + 2 * PEB, PEB);
	uint8_t *vid = out.data + 2 * PEB + 512;
	vid[47] = 7; /* sqnum, big-endian u64 at 40 */
	put_be32(vid + 60, raw_crc(vid, 60));
	memcpy(out.data + 2 * PEB + 2048, "NEW DATA", 8);
	struct collected c;
	collect_unpack(&c, "ubi", out.data, out.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.entries, 1);
	assert_memory_equal(c.data.data, "NEW DATA", 8);
	collected_free(&c);
	it_buf_free(&out);
	it_buf_free(&img);
	fixture_close(&f);
}

/* A corrupt first copy of the volume table: the second gives the names. */
static void test_ubi_vtbl_copy(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	sh("cd '%s' && printf 'payload bytes' > blob", f.dir);
	build_ubi(&f,
	          "[blob]\\nmode=ubi\\nimage=blob\\nvol_id=5\\nvol_type=static\\nvol_name=cfg\\n",
	          "512", &img);
	img.data[2048 + 5 * 172 + 17] ^= 1; /* the name in copy 0 (PEB 0 data) */
	struct collected c;
	collect_unpack(&c, "ubi", img.data, img.len, NULL);
	assert_true(listing_has(&c, "data 0644 13 t:ubi/cfg\n"));
	assert_non_null(strstr(it_buf_str(&c.diags), "copy 0 is corrupt (record 5); copy 1 used"));
	collected_free(&c);
	/* both copies corrupt: the volume is named by its id */
	img.data[PEB + 2048 + 5 * 172 + 17] ^= 1;
	collect_unpack(&c, "ubi", img.data, img.len, NULL);
	assert_true(listing_has(&c, "data 0644 13 t:ubi/vol5\n"));
	assert_non_null(strstr(it_buf_str(&c.diags), "volume table corrupt (record 5"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* A volume above --max-file stops with a limit error before it is assembled. */
static void test_ubi_volume_limit(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "lzo", &img);
	build_ubi(&f, ROOTFS_CFG, "512", &img);
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_file_bytes = 1 << 20;
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, &l);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_LIMIT);
	assert_string_equal(c.err.where, "t:ubi");
	assert_int_equal(c.entries, 0);
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* Find the UBIFS node of `type` whose bytes at `at` are `what`; its offset. */
static size_t find_node(const struct it_buf *img, uint8_t type, size_t at, const char *what)
{
	for (size_t i = 0; i + 64 < img->len; i += 8)
		if (memcmp(img->data + i, "\x31\x18\x10\x06", 4) == 0 &&
		    img->data[i + 20] == type && i + at + strlen(what) < img->len &&
		    memcmp(img->data + i + at, what, strlen(what)) == 0)
			return i;
	fail_msg("node not found: %s", what);
	return 0;
}

static void fix_node_crc(struct it_buf *img, size_t pos)
{
	uint32_t len = it_load_u32le(img->data + pos + 16);
	uint32_t crc = raw_crc(img->data + pos + 8, len - 8);
	for (int i = 0; i < 4; i++)
		img->data[pos + 4 + i] = (uint8_t)(crc >> (8 * i));
}

/* A directory entry pointing back at the root: reported, not followed. */
static void test_ubifs_directory_loop(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "lzo", &img);
	size_t dent = find_node(&img, 2, 56, "deep"); /* usr/lib/deep */
	memset(img.data + dent + 40, 0, 8);
	img.data[dent + 40] = 1; /* inode 1, the root */
	fix_node_crc(&img, dent);
	struct collected c;
	collect_unpack(&c, "ubifs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(it_buf_str(&c.diags),
	                       "directory inode 1 reached again at 'usr/lib/deep' (a loop)"));
	assert_true(listing_has(&c, "dir 0755 0 t:ubifs!/usr/lib/deep\n"));
	assert_false(listing_has(&c, "t:ubifs!/usr/lib/deep/"));
	assert_true(listing_has(&c, "file 0600 7 t:ubifs!/etc/shadow\n"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* A data node with a bad CRC: one diagnostic, the rest of the tree intact. */
static void test_ubifs_bad_node_crc(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "none", &img);
	size_t data = find_node(&img, 1, 48, "#!/bin/sh");
	img.data[data + 50] ^= 0x20;
	struct collected c;
	collect_unpack(&c, "ubifs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	struct it_buf want = IT_BUF_INIT;
	it_buf_printf(&want,
	              "offset 0x%zx (%zu): ubifs: 1 node referenced by the index unreadable "
	              "and left out (first: no valid node",
	              data, data);
	if (!strstr(it_buf_str(&c.diags), it_buf_str(&want)))
		fail_msg("diags: %s", it_buf_str(&c.diags));
	assert_true(listing_has(&c, "file 0755 18 t:ubifs!/etc/init.d/rcS\n"));
	assert_true(listing_has(&c, "file 0600 7 t:ubifs!/etc/shadow\n"));
	collected_free(&c);

	/* a bad superblock CRC: not UBIFS (as a named format: an error) */
	img.data[100] ^= 1;
	collect_unpack(&c, "ubifs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(c.err.message, "superblock node"));
	collected_free(&c);
	it_buf_free(&want);
	it_buf_free(&img);
	fixture_close(&f);
}

/* Corrupt compressed data: reading that file fails, the others are delivered. */
static void test_ubifs_corrupt_compressed_data(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "zlib", &img);
	/* busybox is `seq 1 30000`: its first block starts "1\n2\n3\n" */
	size_t pos = 0;
	for (size_t i = 0; i + 64 < img.len && !pos; i += 8) {
		const uint8_t *n = img.data + i;
		if (memcmp(n, "\x31\x18\x10\x06", 4) == 0 && n[20] == 1 && n[44] == 2 &&
		    it_load_u32le(n + 28) == 0x20000000u && it_load_u32le(n + 16) > 200)
			pos = i; /* block 0 of a big zlib-compressed file */
	}
	assert_true(pos != 0);
	uint32_t len = it_load_u32le(img.data + pos + 16);
	memset(img.data + pos + 48, 0xff, len - 48);
	fix_node_crc(&img, pos);
	struct collected c;
	collect_unpack(&c, "ubifs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(it_buf_str(&c.diags), "block 0: deflate data corrupt"));
	assert_true(listing_has(&c, "file 0600 7 t:ubifs!/etc/shadow\n"));
	collected_free(&c);
	it_buf_free(&img);
	fixture_close(&f);
}

/* ---- a journal written by hand, as the kernel writes one ---- */

#define LEB 126976 /* mkfs.ubifs -e */

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* UBIFS's key hash for names (reiserfs r5, masked to 29 bits, never 0..2). */
static uint32_t r5_key(const char *name)
{
	uint32_t a = 0;
	for (const signed char *s = (const signed char *)name; *s; s++) {
		a += (uint32_t)(*s << 4);
		a += (uint32_t)(*s >> 4);
		a *= 11;
	}
	a &= 0x1fffffffu;
	return a <= 2 ? a + 3 : a;
}

/* Append a node (header filled in here, CRC last) at the 8-aligned end of leb. */
static void put_node(struct it_buf *leb, uint8_t type, uint64_t sqnum, const uint8_t *body,
                     size_t body_len)
{
	while (leb->len % 8)
		it_buf_putc(leb, (char)0xff);
	size_t pos = leb->len;
	uint8_t ch[24] = {0x31, 0x18, 0x10, 0x06};
	put_le64(ch + 8, sqnum);
	put_le32(ch + 16, (uint32_t)(24 + body_len));
	ch[20] = type;
	it_buf_append(leb, ch, sizeof ch);
	it_buf_append(leb, body, body_len);
	struct it_buf tmp = {leb->data, leb->len, leb->cap};
	fix_node_crc(&tmp, pos);
}

/* The inode number the entry `name` points to (mkfs.ubifs writes one of each). */
static uint32_t dent_inum(const struct it_buf *img, const char *name)
{
	size_t n = strlen(name) + 1, pos = 0;
	for (size_t i = 0; i + 64 + n < img->len && !pos; i += 8)
		if (memcmp(img->data + i, "\x31\x18\x10\x06", 4) == 0 && img->data[i + 20] == 2 &&
		    memcmp(img->data + i + 56, name, n) == 0)
			pos = i;
	assert_true(pos != 0);
	/* the key hash mkfs.ubifs wrote agrees with ours */
	assert_int_equal(it_load_u32le(img->data + pos + 28), (2u << 29) | r5_key(name));
	return it_load_u32le(img->data + pos + 40);
}

/* The inode node of inum, copied. */
static void ino_node(const struct it_buf *img, uint32_t inum, struct it_buf *out)
{
	for (size_t i = 0; i + 160 < img->len; i += 8) {
		const uint8_t *n = img->data + i;
		if (memcmp(n, "\x31\x18\x10\x06", 4) == 0 && n[20] == 0 &&
		    it_load_u32le(n + 24) == inum && it_load_u32le(n + 28) == 0) {
			it_buf_append(out, n + 24, it_load_u32le(n + 16) - 24);
			return;
		}
	}
	fail_msg("no inode node for %u", inum);
}

static void dent_body(struct it_buf *b, uint32_t dir, const char *name, uint64_t inum, uint8_t type)
{
	uint8_t d[32] = {0};
	put_le32(d, dir);
	put_le32(d + 4, (2u << 29) | r5_key(name));
	put_le64(d + 16, inum);
	d[25] = type;
	d[26] = (uint8_t)strlen(name);
	it_buf_append(b, d, sizeof d);
	it_buf_append(b, name, strlen(name) + 1);
}

static void data_body(struct it_buf *b, uint32_t inum, uint32_t block, const void *bytes, size_t n)
{
	uint8_t d[24] = {0};
	put_le32(d, inum);
	put_le32(d + 4, (1u << 29) | block);
	put_le32(d + 16, (uint32_t)n);
	it_buf_append(b, d, sizeof d);
	it_buf_append(b, bytes, n);
}

struct grab {
	const char *path;
	struct it_buf bytes;
	int found;
};

static int grab_entry(void *user, const struct it_entry *e)
{
	struct grab *g = user;
	const uint8_t *d;
	size_t n;
	struct it_error err = IT_ERROR_INIT;
	if (strcmp(e->path, g->path) == 0 && it_entry_bytes(e, &d, &n, &err) == 0) {
		it_buf_append(&g->bytes, d, n);
		g->found = 1;
	}
	it_error_clear(&err);
	return 0;
}

/* The bytes of one file of a UBIFS image. */
static void grab_file(const struct it_buf *img, const char *path, struct it_buf *out)
{
	struct grab g = {path, IT_BUF_INIT, 0};
	struct it_unpack_options o;
	struct it_unpack_stats st;
	struct it_error err = IT_ERROR_INIT;
	it_unpack_options_default(&o);
	o.on_entry = grab_entry;
	o.user = &g;
	it_unpack_memory_as("ubifs", img->data, img->len, "t", &o, &st, &err);
	it_error_clear(&err);
	assert_true(g.found);
	*out = g.bytes;
}

/* Changes after the last commit live in the journal: a bud LEB referenced from
 * the log. A new file, a deletion, a truncation followed by growth, new data. */
static void test_ubifs_journal_replay(void **state)
{
	(void)state;
	struct fixture f;
	struct it_buf img = IT_BUF_INIT, orig_bb = IT_BUF_INIT, bud = IT_BUF_INIT;
	fixture_open(&f);
	make_tree(&f);
	build_ubifs(&f, "lzo", &img);
	load(&f, "tree/bin/busybox", &orig_bb);
	uint32_t leb_cnt = it_load_u32le(img.data + 40);
	assert_int_equal(img.len, (size_t)leb_cnt * LEB);
	/* master: commit 0, log at LEB 3: a commit start node padded to the 2048-byte
	 * I/O unit by a padding node, then free space */
	assert_int_equal(it_load_u64le(img.data + LEB + 32), 0);
	assert_int_equal(it_load_u32le(img.data + LEB + 44), 3);
	assert_int_equal(img.data[3 * LEB + 20], 10);
	assert_int_equal(img.data[3 * LEB + 32 + 20], 5);
	assert_int_equal(img.data[3 * LEB + 2048], 0xff);

	uint32_t etc = dent_inum(&img, "etc"), bin = dent_inum(&img, "bin");
	uint32_t shadow = dent_inum(&img, "shadow"), bb = dent_inum(&img, "busybox");
	uint32_t passwd = dent_inum(&img, "passwd");
	(void)bin;
	uint64_t sq = 1000000;
	struct it_buf b = IT_BUF_INIT;

	/* etc/new: inode (a copy of passwd's, one link, 6 bytes), data, entry */
	ino_node(&img, passwd, &b);
	put_le32(b.data, 5000);
	put_le64(b.data + 24, 6);
	put_le32(b.data + 68, 1);
	put_node(&bud, 0, sq++, b.data, b.len);
	b.len = 0;
	data_body(&b, 5000, 0, "fresh\n", 6);
	put_node(&bud, 1, sq++, b.data, b.len);
	b.len = 0;
	dent_body(&b, etc, "new", 5000, 0);
	put_node(&bud, 2, sq++, b.data, b.len);
	/* unlink etc/shadow: a deletion entry (inode 0) and the inode with no links */
	b.len = 0;
	dent_body(&b, etc, "shadow", 0, 0);
	put_node(&bud, 2, sq++, b.data, b.len);
	b.len = 0;
	ino_node(&img, shadow, &b);
	put_le32(b.data + 68, 0);
	put_node(&bud, 0, sq++, b.data, b.len);
	/* truncate busybox to 5000 bytes (new tail block), then grow it to 20000 */
	uint8_t trun[32] = {0};
	put_le32(trun, bb);
	put_le64(trun + 16, orig_bb.len);
	put_le64(trun + 24, 5000);
	put_node(&bud, 4, sq++, trun, sizeof trun);
	b.len = 0;
	data_body(&b, bb, 1, orig_bb.data + 4096, 5000 - 4096);
	put_node(&bud, 1, sq++, b.data, b.len);
	b.len = 0;
	ino_node(&img, bb, &b);
	put_le64(b.data + 24, 20000);
	put_node(&bud, 0, sq++, b.data, b.len);
	/* rewrite passwd */
	b.len = 0;
	data_body(&b, passwd, 0, "changed\n", 8);
	put_node(&bud, 1, sq++, b.data, b.len);
	b.len = 0;
	ino_node(&img, passwd, &b);
	put_le64(b.data + 24, 8);
	put_node(&bud, 0, sq++, b.data, b.len);
	while (bud.len < LEB)
		it_buf_putc(&bud, (char)0xff);

	/* the bud is a new LEB at the end; the log references it */
	it_buf_append(&img, bud.data, LEB);
	put_le32(img.data + 40, leb_cnt + 1);
	fix_node_crc(&img, 0);
	uint8_t ref[40] = {0};
	put_le32(ref, leb_cnt);
	put_le32(ref + 8, 1); /* the base head */
	struct it_buf log = IT_BUF_INIT;
	it_buf_append(&log, img.data + 3 * LEB, 2048);
	put_node(&log, 8, 999999, ref, sizeof ref);
	memcpy(img.data + 3 * LEB, log.data, log.len);

	struct collected c;
	collect_unpack(&c, "ubifs", img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.diags), "");
	assert_true(listing_has(&c, "file 0644 6 t:ubifs!/etc/new\n"));
	assert_false(listing_has(&c, "etc/shadow"));
	assert_true(listing_has(&c, "file 4755 20000 t:ubifs!/bin/busybox\n"));
	assert_true(listing_has(&c, " 0644 8 t:ubifs!/etc/passwd"));
	collected_free(&c);
	struct it_buf got = IT_BUF_INIT;
	grab_file(&img, "etc/new", &got);
	assert_int_equal(got.len, 6);
	assert_memory_equal(got.data, "fresh\n", 6);
	it_buf_free(&got);
	/* the old blocks past the truncation read as zeros, not as old data */
	grab_file(&img, "bin/busybox", &got);
	assert_int_equal(got.len, 20000);
	assert_memory_equal(got.data, orig_bb.data, 5000);
	for (size_t i = 5000; i < 20000; i++)
		if (got.data[i])
			fail_msg("byte %zu is %u, expected 0", i, got.data[i]);
	it_buf_free(&got);

	/* without the log reference the journal is not seen: the last commit */
	memset(img.data + 3 * LEB + 2048, 0xff, 64);
	collect_unpack(&c, "ubifs", img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "file 0600 7 t:ubifs!/etc/shadow\n"));
	assert_false(listing_has(&c, "etc/new"));
	collected_free(&c);

	/* a log that does not start with the commit start node: a diagnostic */
	img.data[3 * LEB + 20] = 5;
	fix_node_crc(&img, 3 * LEB);
	collect_unpack(&c, "ubifs", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(it_buf_str(&c.diags), "journal not replayed"));
	collected_free(&c);
	it_buf_free(&b);
	it_buf_free(&log);
	it_buf_free(&bud);
	it_buf_free(&orig_bb);
	it_buf_free(&img);
	fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ubifs_lzo),
	        cmocka_unit_test(test_ubifs_zlib),
	        cmocka_unit_test(test_ubifs_zstd),
	        cmocka_unit_test(test_ubifs_none),
	        cmocka_unit_test(test_ubifs_mixed_compressors),
	        cmocka_unit_test(test_ubi_ubifs_volume),
	        cmocka_unit_test(test_ubi_kernel_squashfs_and_data),
	        cmocka_unit_test(test_ubi_carved_at_offset),
	        cmocka_unit_test(test_ubifs_carved_at_offset),
	        cmocka_unit_test(test_ubi_truncated),
	        cmocka_unit_test(test_ubifs_truncated),
	        cmocka_unit_test(test_ubi_bad_header_crc),
	        cmocka_unit_test(test_ubi_highest_sqnum_wins),
	        cmocka_unit_test(test_ubi_vtbl_copy),
	        cmocka_unit_test(test_ubi_volume_limit),
	        cmocka_unit_test(test_ubifs_directory_loop),
	        cmocka_unit_test(test_ubifs_bad_node_crc),
	        cmocka_unit_test(test_ubifs_corrupt_compressed_data),
	        cmocka_unit_test(test_ubifs_journal_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the ext2/3/4 reader: images made at test time by mke2fs -d
 * from a small source tree, listed and read back, and compared with that tree
 * (paths, types, modes, link targets, hard links, file bytes); carving, nesting,
 * truncation, corrupt fields, checksum mismatches, loops, depth and bad names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "testutil.h"

static char top[64]; /* temporary directory holding the source tree S */

#define sh test_sh /* testutil: 0 when the command exits 0 */

/* Make an image of the source tree: mke2fs -t type opts -d S img size; the
 * shell command `post` (may be "") runs on $IMG before it is read back. */
static void make_image(struct it_buf *img, const char *type, const char *opts, const char *size,
                       const char *post)
{
	struct it_buf cmd = IT_BUF_INIT;
	it_buf_printf(&cmd,
	              "IMG=%s/img.$$ && mke2fs -q -t %s %s -d %s/S -F $IMG %s >/dev/null 2>&1 "
	              "&& { %s true; } >/dev/null 2>&1 && cat $IMG; r=$?; rm -f $IMG; exit $r",
	              top, type, opts, top, size, post);
	it_buf_truncate(img, 0);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, img), 0);
	assert_true(img->len > 4096);
	it_buf_free(&cmd);
}

static int setup_tree(void **state)
{
	(void)state;
	snprintf(top, sizeof top, "/tmp/iotrust-ext-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	return sh("cd %s && mkdir -p S/a/b/c && printf 'hello\\n' > S/a/hello.txt && "
	          "ln -s hello.txt S/a/fast && "
	          "ln -s ../very/long/target/0123456789/0123456789/0123456789/0123456789/x "
	          "S/a/slow && ln S/a/hello.txt S/hard && : > S/empty && "
	          "i=0; while [ $i -lt 4000 ]; do echo \"line $i of a file of many blocks\"; "
	          "i=$((i+1)); done > S/big && printf 'tiny\\n' > S/a/b/c/tiny && "
	          "printf 'set-user-id\\n' > S/suid && chmod 4755 S/suid && chmod 1777 S/a/b && "
	          "mkfifo S/fifo",
	          top);
}

static int teardown_tree(void **state)
{
	(void)state;
	return sh("rm -rf %s", top);
}

/* What the reader delivered, as lines comparable with find(1) on the tree. */
struct seen {
	struct it_buf lines; /* "<find %y> <mode> <path> -> <target>" */
	struct it_buf diags;
	int data_bad; /* files whose bytes differ from the source tree */
	int hard_bad; /* hard links not naming a path of the same source inode */
	size_t files, hards, max_components;
	const struct it_entry *last;
	uint32_t suid_uid, suid_gid;
	int64_t suid_mtime;
	struct it_error err;
	struct it_unpack_stats st;
	int rc;
};

static int on_entry(void *user, const struct it_entry *e)
{
	struct seen *s = user;
	test_find_line(&s->lines, e);
	size_t comps = 1;
	for (const char *p = e->path; *p; p++)
		comps += *p == '/';
	if (comps > s->max_components)
		s->max_components = comps;
	if (strcmp(e->path, "suid") == 0) {
		s->suid_uid = e->uid;
		s->suid_gid = e->gid;
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
		if (it_entry_bytes(e, &d, &n, &err) < 0 || read_file(it_buf_str(&src), &want) < 0 ||
		    n != want.len || n != e->size || (n && memcmp(d, want.data, n) != 0))
			s->data_bad++;
		it_error_clear(&err);
		it_buf_free(&want);
	} else if (e->type == IT_ENTRY_HARDLINK) {
		struct it_buf tree = IT_BUF_INIT;
		s->hards++;
		it_buf_printf(&tree, "%s/S", top);
		if (!test_same_inode(it_buf_str(&tree), e->path, e->link_target))
			s->hard_bad++;
		it_buf_free(&tree);
	}
	it_buf_free(&src);
	return 0;
}

static void unpack(struct seen *s, const char *format, const struct it_buf *img,
                   const struct it_unpack_limits *limits)
{
	memset(s, 0, sizeof *s);
	s->err = (struct it_error)IT_ERROR_INIT;
	s->rc = test_unpack(format, img->data, img->len, limits, on_entry, s, &s->diags, &s->st,
	                    &s->err);
}

static void seen_free(struct seen *s)
{
	it_buf_free(&s->lines);
	it_buf_free(&s->diags);
	it_error_clear(&s->err);
}

static int has(const struct it_buf *b, const char *needle)
{
	return strstr(it_buf_str(b), needle) != NULL;
}

/* The listing must be the source tree (plus lost+found), entry for entry. */
static void assert_same_as_tree(struct seen *s)
{
	struct it_buf want = IT_BUF_INIT, got = IT_BUF_INIT, cmd = IT_BUF_INIT;
	it_buf_printf(&cmd,
	              "{ cd %s/S && find . -mindepth 1 -printf '%%y %%m %%P -> %%l\\n' && "
	              "echo 'd 700 lost+found -> '; } | LC_ALL=C sort",
	              top);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, &want), 0);
	assert_int_equal(run_filter("LC_ALL=C sort", s->lines.data, s->lines.len, &got), 0);
	assert_string_equal(it_buf_str(&got), it_buf_str(&want));
	assert_int_equal(s->data_bad, 0);
	assert_int_equal(s->hard_bad, 0);
	assert_int_equal(s->hards, 1); /* S/hard and S/a/hello.txt: one file, one link */
	assert_int_equal(s->files, 5); /* big, empty, suid, tiny and one of the pair */
	it_buf_free(&want);
	it_buf_free(&got);
	it_buf_free(&cmd);
}

static void check_tree(const char *type, const char *opts, const char *size)
{
	struct it_buf img = IT_BUF_INIT;
	struct seen s;
	make_image(&img, type, opts, size, "");
	unpack(&s, "ext", &img, NULL);
	assert_int_equal(s.rc, 0);
	assert_string_equal(it_buf_str(&s.diags), "");
	assert_same_as_tree(&s);
	seen_free(&s);
	it_buf_free(&img);
}

static void test_ext2_1k_blocks(void **state)
{
	(void)state;
	check_tree("ext2", "-b 1024", "2M");
}

static void test_ext3_1k_blocks(void **state)
{
	(void)state;
	check_tree("ext3", "-b 1024", "4M");
}

static void test_ext4_4k_blocks(void **state)
{
	(void)state;
	check_tree("ext4", "-b 4096", "8M");
}

static void test_ext4_inline_data(void **state)
{
	(void)state;
	/* the small file and the long symlink must really be inline for this test */
	assert_int_equal(sh("cd %s && mke2fs -q -t ext4 -O inline_data -b 4096 -d S -F inl.img "
	                    "4M >/dev/null 2>&1 && debugfs -R 'stat /a/hello.txt' inl.img "
	                    "2>/dev/null | grep -q 'Size of inline data' && debugfs -R "
	                    "'stat /a/slow' inl.img 2>/dev/null | grep -q 'system.data'; "
	                    "r=$?; rm -f inl.img; exit $r",
	                    top),
	                 0);
	check_tree("ext4", "-O inline_data -b 4096", "4M");
}

static void test_hashed_directory(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, cmd = IT_BUF_INIT;
	/* 1500 entries, indexed by e2fsck -D: a hash tree (htree) directory */
	it_buf_printf(
	        &cmd,
	        "cd %s && mkdir -p H/many && (cd H/many && seq -f 'entry-with-a-long-name-%%04g'"
	        " 1 1500 | xargs touch) && mke2fs -q -t ext4 -b 1024 -N 2000 -d H -F h.img 4M "
	        ">/dev/null 2>&1 && { e2fsck -fyD h.img >/dev/null 2>&1; true; } && "
	        "debugfs -R 'htree /many' h.img 2>/dev/null | grep -q "
	        "'Root node dump' && cat h.img; r=$?; rm -rf H h.img; exit $r",
	        top);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, &img), 0);
	struct collected c;
	collect_unpack(&c, "ext", img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.entries, 1502); /* lost+found, many and its 1500 files */
	assert_true(listing_has(&c, "file 0644 0 t:ext!/many/entry-with-a-long-name-0001\n"));
	assert_true(listing_has(&c, "file 0644 0 t:ext!/many/entry-with-a-long-name-1500\n"));
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&cmd);
}

static void test_owner_and_time_beyond_2038(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	struct seen s;
	make_image(&img, "ext4", "-b 1024", "4M",
	           "debugfs -w -R 'sif /suid uid 70000' $IMG && "
	           "debugfs -w -R 'sif /suid gid 80000' $IMG && "
	           "debugfs -w -R 'sif /suid mtime 20400101000000' $IMG &&");
	unpack(&s, "ext", &img, NULL);
	assert_int_equal(s.rc, 0);
	assert_int_equal(s.suid_uid, 70000);
	assert_int_equal(s.suid_gid, 80000);
	assert_true(s.suid_mtime == 2208988800); /* 2040-01-01 00:00:00 UTC */
	assert_true(has(&s.lines, "f 4755 suid -> \n"));
	assert_true(has(&s.lines, "d 1777 a/b -> \n"));
	seen_free(&s);
	it_buf_free(&img);
}

static void test_carved_behind_junk(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, fs = IT_BUF_INIT;
	struct seen s;
	make_image(&fs, "ext2", "-b 1024", "1M", "");
	for (int i = 0; i < 3000; i++)
		it_buf_putc(&img, (char)("junk\x53\xef"[i % 6]));
	it_buf_append(&img, fs.data, fs.len);
	it_buf_puts(&img, "TRAILER");
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "file 0644 5 t@0xbb8:ext!/a/b/c/tiny\n"));
	assert_true(listing_has(&c, "link 0777 0 t@0xbb8:ext!/a/fast -> hello.txt\n"));
	assert_string_equal(it_buf_str(&c.diags), "");
	collected_free(&c);
	/* the same with the tree compared */
	unpack(&s, NULL, &img, NULL);
	assert_int_equal(s.rc, 0);
	assert_same_as_tree(&s);
	seen_free(&s);
	it_buf_free(&img);
	it_buf_free(&fs);
}

static void test_nested_in_gzip(void **state)
{
	(void)state;
	struct it_buf fs = IT_BUF_INIT, gz = IT_BUF_INIT;
	make_image(&fs, "ext4", "-b 1024", "1M", "");
	assert_int_equal(run_filter("gzip -1n", fs.data, fs.len, &gz), 0);
	struct collected c;
	collect_unpack(&c, NULL, gz.data, gz.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "file 4755 12 t:gzip:ext!/suid\n"));
	collected_free(&c);
	it_buf_free(&fs);
	it_buf_free(&gz);
}

static void test_truncated_image(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_image(&img, "ext2", "-b 1024", "1M", "");
	struct collected c;
	collect_unpack(&c, "ext", img.data, img.len / 2, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "truncated"));
	assert_non_null(strstr(c.err.message, "1024 blocks of 1024 bytes"));
	assert_string_equal(c.err.where, "t:ext");
	assert_int_equal(c.entries, 0);
	collected_free(&c);
	/* carved: reported as a malformed container, not silently skipped */
	collect_unpack(&c, NULL, img.data, img.len - 1, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(it_buf_str(&c.diags), "t:ext: offset 0xfffff"));
	assert_non_null(strstr(it_buf_str(&c.diags), "image truncated"));
	collected_free(&c);
	it_buf_free(&img);
}

static void put_u32le(struct it_buf *b, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->data[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static void test_corrupt_superblock(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	struct collected c;
	make_image(&img, "ext2", "-b 1024", "1M", "");
	put_u32le(&img, 1024 + 32, 0); /* s_blocks_per_group */
	collect_unpack(&c, "ext", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "cannot open the file system"));
	assert_non_null(strstr(c.err.message, "superblock is corrupt"));
	collected_free(&c);
	/* carved, the same problem is a diagnostic */
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(it_buf_str(&c.diags), "superblock is corrupt"));
	collected_free(&c);

	make_image(&img, "ext2", "-b 1024", "1M", "");
	put_u32le(&img, 1024 + 24, 9); /* s_log_block_size: 512 KiB blocks */
	collect_unpack(&c, "ext", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "block size 1 to 64 KiB"));
	collected_free(&c);

	make_image(&img, "ext2", "-b 1024", "1M", "");
	put_u32le(&img, 1024 + 4, 0x7fffffff); /* s_blocks_count far beyond the image */
	collect_unpack(&c, "ext", img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(c.err.message, "truncated"));
	collected_free(&c);
	it_buf_free(&img);
}

static void test_checksum_mismatch_reported(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, where = IT_BUF_INIT;
	struct seen s;
	struct it_buf cmd = IT_BUF_INIT;
	make_image(&img, "ext4", "-O metadata_csum -b 1024", "2M", "");
	img.data[1024 + 120] ^= 0x55; /* s_volume_name: only the checksum notices */
	unpack(&s, "ext", &img, NULL);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.st.problems, 1);
	assert_true(has(&s.diags, "Superblock checksum does not match"));
	assert_same_as_tree(&s);
	seen_free(&s);
	img.data[1024 + 120] ^= 0x55;

	/* an inode: located with debugfs imap on a copy of the image */
	it_buf_printf(&cmd,
	              "f=%s/csum.img && cat > $f && debugfs -R 'imap /a/b/c/tiny' $f 2>/dev/null "
	              "| sed -n 's/.*located at block \\([0-9]*\\), offset 0x\\([0-9a-f]*\\).*/"
	              "\\1 \\2/p'; rm -f $f",
	              top);
	assert_int_equal(run_filter(it_buf_str(&cmd), img.data, img.len, &where), 0);
	unsigned long blk = 0, off = 0;
	assert_int_equal(sscanf(it_buf_str(&where), "%lu %lx", &blk, &off), 2);
	size_t at = blk * 1024 + off + 8; /* i_atime */
	assert_true(at < img.len);
	img.data[at] ^= 0x01;
	unpack(&s, "ext", &img, NULL);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.st.problems, 1);
	assert_true(has(&s.diags, "checksum mismatch in the inode of 'a/b/c/tiny'"));
	assert_true(has(&s.diags, "(read anyway)"));
	assert_same_as_tree(&s); /* still listed and read */
	seen_free(&s);
	it_buf_free(&img);
	it_buf_free(&where);
	it_buf_free(&cmd);
}

static void test_unrecovered_journal_reported(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	struct seen s;
	make_image(&img, "ext3", "-b 1024", "4M", "debugfs -w -R 'feature needs_recovery' $IMG &&");
	unpack(&s, "ext", &img, NULL);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.st.problems, 1);
	assert_true(has(&s.diags, "journal holds unrecovered changes"));
	assert_same_as_tree(&s); /* listed all the same */
	seen_free(&s);
	it_buf_free(&img);
}

static void test_directory_loop_refused(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	struct seen s;
	make_image(&img, "ext2", "-b 1024", "1M", "debugfs -w -R 'link / a/b/loop' $IMG &&");
	unpack(&s, "ext", &img, NULL);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(s.err.message, "'a/b/loop' (inode 2) is reached twice"));
	assert_non_null(strstr(s.err.message, "loop"));
	seen_free(&s);
	it_buf_free(&img);
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, deep = IT_BUF_INIT;
	struct seen s;
	for (int i = 0; i < 300; i++)
		it_buf_puts(&deep, "d/");
	assert_int_equal(sh("cd %s && mkdir -p D/%s", top, it_buf_str(&deep)), 0);
	struct it_buf cmd = IT_BUF_INIT;
	it_buf_printf(&cmd,
	              "cd %s && mke2fs -q -t ext2 -N 400 -b 1024 -d D -F deep.img 1M >/dev/null "
	              "2>&1 && cat deep.img; r=$?; rm -rf deep.img D; exit $r",
	              top);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, &img), 0);
	unpack(&s, "ext", &img, NULL);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.err.code, IT_ERR_INPUT); /* the summary of problems */
	assert_int_equal(s.st.problems, 1);
	assert_true(has(&s.diags, "directories nested more than 256 deep"));
	assert_int_equal(s.max_components, 256);
	seen_free(&s);
	it_buf_free(&img);
	it_buf_free(&deep);
	it_buf_free(&cmd);
}

static void patch_all(struct it_buf *img, const char *from, const char *to, size_t n)
{
	int found = 0;
	for (size_t i = 0; i + n <= img->len; i++)
		if (memcmp(img->data + i, from, n) == 0) {
			memcpy(img->data + i, to, n);
			found = 1;
		}
	assert_true(found);
}

static void test_bad_names_refused(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	struct seen s;
	assert_int_equal(sh("cd %s && : > S/slash_name && : > S/nulXname", top), 0);
	make_image(&img, "ext2", "-b 1024", "1M", "");
	assert_int_equal(sh("cd %s && rm S/slash_name S/nulXname", top), 0);
	patch_all(&img, "slash_name", "slash/name", 10);
	patch_all(&img, "nulXname", "nul\0name", 8);
	unpack(&s, "ext", &img, NULL);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.st.problems, 2);
	assert_true(has(&s.diags, "refused an entry of '/'"));
	assert_false(has(&s.lines, "slash"));
	assert_false(has(&s.lines, "nul"));
	assert_same_as_tree(&s); /* everything else is there */
	seen_free(&s);
	it_buf_free(&img);
}

static void test_entry_limit(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	struct it_unpack_limits l;
	struct seen s;
	make_image(&img, "ext2", "-b 1024", "1M", "");
	it_unpack_limits_default(&l);
	l.max_entries = 3;
	unpack(&s, "ext", &img, &l);
	assert_int_equal(s.rc, -1);
	assert_int_equal(s.err.code, IT_ERR_LIMIT);
	assert_non_null(strstr(s.err.message, "more than 3 entries"));
	assert_int_equal(s.st.entries, 3);
	seen_free(&s);
	it_buf_free(&img);
}

static void test_magic_alone_is_not_ext(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	for (int i = 0; i < 4096; i++)
		it_buf_putc(&img, (char)(i * 7));
	img.data[1080] = 0x53;
	img.data[1081] = 0xef;
	put_u32le(&img, 1024 + 76, 5); /* revision 5 does not exist */
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "data 0644 4096 t\n"));
	collected_free(&c);
	it_buf_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ext2_1k_blocks),
	        cmocka_unit_test(test_ext3_1k_blocks),
	        cmocka_unit_test(test_ext4_4k_blocks),
	        cmocka_unit_test(test_ext4_inline_data),
	        cmocka_unit_test(test_hashed_directory),
	        cmocka_unit_test(test_owner_and_time_beyond_2038),
	        cmocka_unit_test(test_carved_behind_junk),
	        cmocka_unit_test(test_nested_in_gzip),
	        cmocka_unit_test(test_truncated_image),
	        cmocka_unit_test(test_corrupt_superblock),
	        cmocka_unit_test(test_checksum_mismatch_reported),
	        cmocka_unit_test(test_unrecovered_journal_reported),
	        cmocka_unit_test(test_directory_loop_refused),
	        cmocka_unit_test(test_depth_limit),
	        cmocka_unit_test(test_bad_names_refused),
	        cmocka_unit_test(test_entry_limit),
	        cmocka_unit_test(test_magic_alone_is_not_ext),
	};
	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}

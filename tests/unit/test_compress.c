/*
 * Unit tests for the compression readers (xz, lzma, zstd, bzip2, lzop, lz4,
 * lz4_legacy). The shared behaviours run once per format on inputs made by the
 * real tools: round trip, carving behind junk, truncation, corruption, bombs.
 * Format-specific cases (concatenation, checksums, filters, probes) follow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "testutil.h"

struct fmt_case {
	const char *name; /* reader name, as in chains */
	const char *cmd;  /* compresses stdin to stdout */
	const char *fast; /* the same, quick on large inputs (for bombs) */
	int checked;      /* the format checksums its data */
};

static const struct fmt_case formats[] = {
        {"xz", "xz -c", "xz -0 -c", 1},
        {"lzma", "xz --format=lzma -c", "xz --format=lzma -0 -c", 0},
        {"zstd", "zstd -q -c", "zstd -q -1 -c", 1},
        {"bzip2", "bzip2 -c", "bzip2 -c", 1},
        {"lzop", "lzop -c", "lzop -1 -c", 1},
        {"lz4", "lz4 -q -c", "lz4 -q -c", 1},
        {"lz4_legacy", "lz4 -l -q -c", "lz4 -l -q -c", 0},
};
#define NFORMATS (sizeof formats / sizeof formats[0])

/* Deterministic text of n bytes: compressible, but not a run of one byte. */
static void make_text(struct it_buf *b, size_t n)
{
	static const char *const words[] = {"firmware ", "kernel ",  "busybox ",  "rootfs ",
	                                    "squashfs ", "telnetd ", "password ", "0x1f8b\n",
	                                    "config ",   "uboot=",   "eth0 ",     "42 "};
	uint32_t x = 12345;
	while (b->len < n) {
		x = x * 1103515245u + 12345u;
		const char *w = words[(x >> 16) % (sizeof words / sizeof words[0])];
		size_t l = strlen(w);
		if (l > n - b->len)
			l = n - b->len;
		it_buf_append(b, w, l);
	}
}

static void run_tool(const char *cmd, const uint8_t *in, size_t len, struct it_buf *out)
{
	assert_int_equal(run_filter(cmd, in, len, out), 0);
	assert_true(out->len > 0);
}

static void compress_text(const char *cmd, size_t n, struct it_buf *text, struct it_buf *out)
{
	make_text(text, n);
	run_tool(cmd, text->data, text->len, out);
}

static void expect_error(const struct collected *c, enum it_errcode code, const char *fmt,
                         const char *needle)
{
	if (c->rc != -1 || c->err.code != code ||
	    (needle && (!c->err.message || !strstr(c->err.message, needle)))) {
		char *m = it_error_format(&c->err);
		fail_msg("%s: expected %s with \"%s\", got rc %d: %s", fmt, it_errcode_name(code),
		         needle ? needle : "", c->rc, m ? m : "(none)");
	}
}

static void expect_payload(const struct collected *c, const char *line, const struct it_buf *text)
{
	if (c->rc != 0 || !listing_has(c, line)) {
		char *m = it_error_format(&c->err);
		fail_msg("expected \"%s\", rc %d (%s), listing:\n%s", line, c->rc, m ? m : "",
		         it_buf_str(&c->listing));
	}
	assert_int_equal(c->data.len, text->len);
	if (text->len)
		assert_memory_equal(c->data.data, text->data, text->len);
}

/* ---- behaviours shared by every format (state: the format's row) ---- */

/* 300 KiB: more than one IT_STREAM_CHUNK and more than one lzop block. */
static void test_roundtrip(void **state)
{
	const struct fmt_case *f = *state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT, line = IT_BUF_INIT;
	compress_text(f->cmd, 300 << 10, &text, &z);
	struct collected c;
	collect_unpack(&c, f->name, z.data, z.len, NULL);
	it_buf_printf(&line, "data 0644 %zu t:%s\n", text.len, f->name);
	expect_payload(&c, it_buf_str(&line), &text);
	assert_int_equal(c.entries, 1);
	assert_string_equal(it_buf_str(&c.diags), "");
	collected_free(&c);
	it_buf_free(&line);
	it_buf_free(&z);
	it_buf_free(&text);
}

static void test_empty_stream(void **state)
{
	const struct fmt_case *f = *state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT, line = IT_BUF_INIT;
	run_tool(f->cmd, NULL, 0, &z);
	struct collected c;
	collect_unpack(&c, f->name, z.data, z.len, NULL);
	it_buf_printf(&line, "data 0644 0 t:%s\n", f->name);
	expect_payload(&c, it_buf_str(&line), &text);
	collected_free(&c);
	it_buf_free(&line);
	it_buf_free(&z);
}

/* Two streams behind junk, junk between and after: each is found at its
 * offset, so consumed neither swallowed the second nor stopped early. */
static void test_carved_behind_junk(void **state)
{
	const struct fmt_case *f = *state;
	struct it_buf text = IT_BUF_INIT, img = IT_BUF_INIT, line = IT_BUF_INIT;
	it_buf_append(&img, "VENDORHEADER-0123456789abcdef", 29);
	compress_text(f->cmd, 5000, &text, &img);
	size_t second = img.len + 7;
	it_buf_append(&img, "JUNK!!!", 7);
	run_tool(f->cmd, text.data, text.len, &img);
	it_buf_append(&img, "TRAILER-not-compressed", 22);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	it_buf_printf(&line, "data 0644 5000 t@0x1d:%s\ndata 0644 5000 t@0x%zx:%s\n", f->name,
	              second, f->name);
	if (c.rc != 0 || strcmp(it_buf_str(&c.listing), it_buf_str(&line)) != 0)
		fail_msg("%s: rc %d, listing:\n%s\nexpected:\n%s\ndiags:\n%s", f->name, c.rc,
		         it_buf_str(&c.listing), it_buf_str(&line), it_buf_str(&c.diags));
	assert_int_equal(c.data.len, 10000);
	assert_memory_equal(c.data.data, text.data, 5000);
	assert_memory_equal(c.data.data + 5000, text.data, 5000);
	collected_free(&c);
	it_buf_free(&line);
	it_buf_free(&img);
	it_buf_free(&text);
}

static void test_truncated(void **state)
{
	const struct fmt_case *f = *state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT, where = IT_BUF_INIT;
	compress_text(f->cmd, 100000, &text, &z);
	struct collected c;
	collect_unpack(&c, f->name, z.data, z.len / 2, NULL);
	expect_error(&c, IT_ERR_INPUT, f->name, "truncated");
	it_buf_printf(&where, "t:%s", f->name);
	assert_string_equal(c.err.where, it_buf_str(&where));
	assert_int_equal(c.entries, 0);
	collected_free(&c);
	/* cut just before the end, where the trailer or end mark is */
	collect_unpack(&c, f->name, z.data, z.len - 1, NULL);
	if (strcmp(f->name, "lz4_legacy") == 0) /* no end mark: the last block is cut */
		expect_error(&c, IT_ERR_INPUT, f->name, "truncated");
	else
		expect_error(&c, IT_ERR_INPUT, f->name, NULL);
	collected_free(&c);
	it_buf_free(&where);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* Sixteen bytes in the middle of the compressed data flipped. Formats
 * without a checksum (lzma, lz4_legacy) only notice damage that breaks their
 * structure, so for them 4 KiB are overwritten with 0xff: as LZ4 length
 * bytes that is a literal run far beyond the input. */
static void test_corrupt_middle(void **state)
{
	const struct fmt_case *f = *state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text(f->cmd, 100000, &text, &z);
	if (f->checked) {
		for (size_t i = z.len / 2; i < z.len / 2 + 16; i++)
			z.data[i] ^= 0x55;
	} else {
		assert_true(z.len > 8192);
		memset(z.data + z.len / 2, 0xff, 4096);
	}
	struct collected c;
	collect_unpack(&c, f->name, z.data, z.len, NULL);
	expect_error(&c, IT_ERR_INPUT, f->name, NULL);
	assert_int_equal(c.entries, 0);
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* 16 MiB of zeros, carved like the CLI does, stopped by a 100:1 ratio. */
static void test_bomb_stopped_by_ratio(void **state)
{
	const struct fmt_case *f = *state;
	struct it_buf z = IT_BUF_INIT, cmd = IT_BUF_INIT;
	it_buf_printf(&cmd, "head -c 16M /dev/zero | %s", f->fast);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, &z), 0);
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_ratio = 100;
	struct collected c;
	collect_unpack(&c, NULL, z.data, z.len, &l);
	expect_error(&c, IT_ERR_LIMIT, f->name, "ratio");
	assert_int_equal(c.entries, 0);
	assert_true(c.stats.bytes_out < ((uint64_t)10 << 20));
	collected_free(&c);
	/* the same stream is valid: it decodes when the ratio is allowed */
	l.max_ratio = 1000000;
	collect_unpack(&c, f->name, z.data, z.len, &l);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.data.len, 16 << 20);
	collected_free(&c);
	it_buf_free(&cmd);
	it_buf_free(&z);
}

static void test_file_limit(void **state)
{
	const struct fmt_case *f = *state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text(f->cmd, 300 << 10, &text, &z);
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_file_bytes = 100 << 10;
	struct collected c;
	collect_unpack(&c, f->name, z.data, z.len, &l);
	expect_error(&c, IT_ERR_LIMIT, f->name, "--max-file");
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* Bytes of another format handed to this reader are refused cleanly. */
static void test_not_this_format(void **state)
{
	const struct fmt_case *f = *state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text("gzip -c", 1000, &text, &z);
	struct collected c;
	collect_unpack(&c, f->name, z.data, z.len, NULL);
	expect_error(&c, IT_ERR_INPUT, f->name, f->name);
	collected_free(&c);
	collect_unpack(&c, f->name, (const uint8_t *)"", 0, NULL);
	expect_error(&c, IT_ERR_INPUT, f->name, f->name);
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* ---- xz and lzma ---- */

static void test_xz_checks(void **state)
{
	(void)state;
	static const char *const cmds[] = {"xz -C none -c", "xz -C crc32 -c", "xz -C sha256 -c",
	                                   "xz --x86 --lzma2=preset=1 -c"};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
		compress_text(cmds[i], 20000, &text, &z);
		struct collected c;
		collect_unpack(&c, "xz", z.data, z.len, NULL);
		expect_payload(&c, "data 0644 20000 t:xz\n", &text);
		collected_free(&c);
		it_buf_free(&z);
		it_buf_free(&text);
	}
}

/* Two xz streams are two containers (no LZMA_CONCATENATED), also with
 * stream padding between them. */
static void test_xz_streams_and_padding(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, img = IT_BUF_INIT, line = IT_BUF_INIT;
	compress_text("xz -c", 3000, &text, &img);
	it_buf_append(&img, "\0\0\0\0\0\0\0\0", 8);
	size_t second = img.len;
	run_tool("xz -c", text.data, text.len, &img);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	it_buf_printf(&line, "data 0644 3000 t:xz\ndata 0644 3000 t@0x%zx:xz\n", second);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), it_buf_str(&line));
	collected_free(&c);
	it_buf_free(&line);
	it_buf_free(&img);
	it_buf_free(&text);
}

/* A stream header whose CRC32 does not match is no xz candidate. */
static void test_xz_bad_header_crc_not_carved(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text("xz -c", 3000, &text, &z);
	z.data[8] ^= 1;
	struct collected c;
	collect_unpack(&c, NULL, z.data, z.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_false(listing_has(&c, ":xz"));
	assert_int_equal(c.entries, 1); /* the whole input as a payload */
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* The usual firmware dictionaries (64 KiB .. 64 MiB) are all carved. */
static void test_lzma_dictionaries(void **state)
{
	(void)state;
	static const char *const dicts[] = {"64KiB", "1MiB", "8MiB", "12MiB", "64MiB"};
	for (size_t i = 0; i < sizeof dicts / sizeof dicts[0]; i++) {
		struct it_buf text = IT_BUF_INIT, img = IT_BUF_INIT, cmd = IT_BUF_INIT;
		it_buf_printf(&cmd, "xz --format=lzma --lzma1=preset=1,dict=%s -c", dicts[i]);
		it_buf_append(&img, "uImage-ish header..", 19);
		compress_text(it_buf_str(&cmd), 4000, &text, &img);
		struct collected c;
		collect_unpack(&c, NULL, img.data, img.len, NULL);
		expect_payload(&c, "data 0644 4000 t@0x13:lzma\n", &text);
		collected_free(&c);
		it_buf_free(&cmd);
		it_buf_free(&img);
		it_buf_free(&text);
	}
}

/* .lzma with the uncompressed size in the header (as the LZMA SDK and
 * most firmware tools write it): decoding stops after that many bytes. */
static void test_lzma_known_size(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text("xz --format=lzma -c", 20000, &text, &z);
	for (int i = 0; i < 8; i++)
		z.data[5 + i] = (uint8_t)((uint64_t)20000 >> (8 * i));
	struct collected c;
	collect_unpack(&c, "lzma", z.data, z.len, NULL);
	expect_payload(&c, "data 0644 20000 t:lzma\n", &text);
	collected_free(&c);
	/* a size larger than the data holds: the stream ends too early */
	for (int i = 0; i < 8; i++)
		z.data[5 + i] = (uint8_t)((uint64_t)30000 >> (8 * i));
	collect_unpack(&c, "lzma", z.data, z.len, NULL);
	expect_error(&c, IT_ERR_INPUT, "lzma", "lzma: ");
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* A dictionary above the 256 MiB memory cap is refused before allocation. */
static void test_lzma_memory_cap(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text("xz --format=lzma -c", 2000, &text, &z);
	z.data[1] = z.data[2] = z.data[3] = 0;
	z.data[4] = 0x20; /* 512 MiB */
	struct collected c;
	collect_unpack(&c, "lzma", z.data, z.len, NULL);
	expect_error(&c, IT_ERR_INPUT, "lzma", "above the cap of 256 MiB");
	collected_free(&c);
	z.data[4] = 0x04; /* 64 MiB: fine */
	collect_unpack(&c, "lzma", z.data, z.len, NULL);
	expect_payload(&c, "data 0644 2000 t:lzma\n", &text);
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* Headers that merely start with 5d 00 00 are not carved, and failing weak
 * candidates are silent. */
static void test_lzma_probe_rejects(void **state)
{
	(void)state;
	static const uint8_t bad[][14] = {
	        /* dictionary 0 */
	        {0x5d, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0},
	        /* dictionary 0x00050000: neither 2^n nor 2^n + 2^(n-1) */
	        {0x5d, 0, 0, 5, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0},
	        /* dictionary 2 GiB */
	        {0x5d, 0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0},
	        /* uncompressed size 2^40 */
	        {0x5d, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0},
	        /* uncompressed size 0 */
	        {0x5d, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	        /* first range coder byte not 0 */
	        {0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 7},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct it_buf img = IT_BUF_INIT;
		it_buf_append(&img, "head", 4);
		it_buf_append(&img, bad[i], sizeof bad[i]);
		for (int k = 0; k < 64; k++)
			it_buf_append(&img, "\x13\x37", 2);
		struct collected c;
		collect_unpack(&c, NULL, img.data, img.len, NULL);
		assert_int_equal(c.rc, 0);
		assert_int_equal(c.stats.containers, 0);
		assert_int_equal(c.entries, 1);
		collected_free(&c);
		it_buf_free(&img);
	}
	/* a plausible header on garbage inside an image: tried, fails, and
	 * says nothing (at the very start of the image it would be reported) */
	struct it_buf img = IT_BUF_INIT;
	it_buf_append(&img, "head", 4);
	it_buf_append(&img, "\x5d\x00\x00\x80\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00", 14);
	for (int k = 0; k < 200; k++)
		it_buf_append(&img, "\xff\x13\x37\xa5", 4);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.stats.containers, 1);
	assert_string_equal(it_buf_str(&c.diags), "");
	assert_true(listing_has(&c, "data 0644 818 t\n"));
	collected_free(&c);
	it_buf_free(&img);
}

/* ---- zstd ---- */

static void test_zstd_frames_and_skippable(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT, both = IT_BUF_INIT;
	compress_text("zstd -q -c", 7000, &text, &z);
	/* frame, skippable frame of 5 bytes, frame again: one output */
	it_buf_append(&z, "\x5a\x2a\x4d\x18\x05\x00\x00\x00skip!", 13);
	run_tool("zstd -q -c", text.data, text.len, &z);
	size_t end = z.len;
	it_buf_append(&z, "trailing", 8);
	it_buf_append(&both, text.data, text.len);
	it_buf_append(&both, text.data, text.len);
	struct collected c;
	collect_unpack(&c, NULL, z.data, z.len, NULL);
	expect_payload(&c, "data 0644 14000 t:zstd\n", &both);
	assert_int_equal(c.entries, 1);
	collected_free(&c);
	/* a skippable frame that claims more than remains ends the stream */
	z.len = end;
	it_buf_append(&z, "\x50\x2a\x4d\x18\xff\x00\x00\x00", 8);
	collect_unpack(&c, "zstd", z.data, z.len, NULL);
	expect_payload(&c, "data 0644 14000 t:zstd\n", &both);
	collected_free(&c);
	it_buf_free(&both);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* A frame whose window needs 256 MiB (above the 128 MiB cap) is refused,
 * not allocated. */
static void test_zstd_window_cap(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text("zstd -q --long=28 -c", 5000, &text, &z);
	assert_int_equal(z.data[5] >> 3, 28 - 10); /* window log in the descriptor */
	struct collected c;
	collect_unpack(&c, "zstd", z.data, z.len, NULL);
	expect_error(&c, IT_ERR_INPUT, "zstd", "memory");
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* ---- bzip2 ---- */

static void test_bzip2_concatenated(void **state)
{
	(void)state;
	struct it_buf a = IT_BUF_INIT, b = IT_BUF_INIT, z = IT_BUF_INIT, both = IT_BUF_INIT;
	compress_text("bzip2 -1 -c", 4000, &a, &z);
	make_text(&b, 9000);
	run_tool("bzip2 -9 -c", b.data + 4000, 5000, &z);
	it_buf_append(&z, "BZh9 is not a stream", 20);
	it_buf_append(&both, a.data, a.len);
	it_buf_append(&both, b.data + 4000, 5000);
	struct collected c;
	collect_unpack(&c, NULL, z.data, z.len, NULL);
	expect_payload(&c, "data 0644 9000 t:bzip2\n", &both);
	assert_int_equal(c.entries, 1);
	collected_free(&c);
	it_buf_free(&both);
	it_buf_free(&z);
	it_buf_free(&b);
	it_buf_free(&a);
}

/* "BZh9" in text is no candidate: the block magic must follow. */
static void test_bzip2_probe_needs_block_magic(void **state)
{
	(void)state;
	const char *s = "strings: BZh9 alone is no header, nor BZh1AY&SY nor BZh0 ... BZh";
	struct collected c;
	collect_unpack(&c, NULL, (const uint8_t *)s, strlen(s), NULL);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.stats.containers, 0);
	collected_free(&c);
}

/* ---- lzop ---- */

static void test_lzop_variants(void **state)
{
	(void)state;
	/* method 2 (-1), 3 (-9), crc32 checksums and header, no checksum, filters */
	static const char *const cmds[] = {
	        "lzop -1 -c",         "lzop -9 -c",         "lzop --crc32 -c",       "lzop -F -c",
	        "lzop --filter=1 -c", "lzop --filter=2 -c", "lzop --filter=16 -9 -c"};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
		compress_text(cmds[i], 300000, &text, &z);
		struct collected c;
		collect_unpack(&c, "lzop", z.data, z.len, NULL);
		if (c.rc != 0)
			fail_msg("%s: %s", cmds[i], c.err.message);
		expect_payload(&c, "data 0644 300000 t:lzop\n", &text);
		collected_free(&c);
		it_buf_free(&z);
		it_buf_free(&text);
	}
}

/* Offsets in "lzop -c" output of a named file (version 0x1040, no filter):
 * magic 9, version/lib/need 6, method/level 2, flags 4, mode 4, mtime 8. */
#define LZOP_FLAGS_AT   17
#define LZOP_NAMELEN_AT 33

static size_t lzop_header_end(const struct it_buf *z)
{
	return LZOP_NAMELEN_AT + 1 + z->data[LZOP_NAMELEN_AT] + 4;
}

static void put32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32be(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void test_lzop_header_checksum(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text("lzop -c", 1000, &text, &z);
	assert_int_equal(get32be(z.data + 9), 0x10402000u | (get32be(z.data + 9) & 0xfff));
	z.data[LZOP_FLAGS_AT + 3] ^= 0x20; /* F_DOSISH: harmless, but not what was summed */
	struct collected c;
	collect_unpack(&c, "lzop", z.data, z.len, NULL);
	expect_error(&c, IT_ERR_INPUT, "lzop", "header checksum");
	collected_free(&c);
	/* carved, a magic with a bad header is reported as malformed */
	collect_unpack(&c, NULL, z.data, z.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(it_buf_str(&c.diags), "header checksum"));
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* A changed byte in a stored block is caught by the adler32 of the data. */
static void test_lzop_data_checksum(void **state)
{
	(void)state;
	struct it_buf z = IT_BUF_INIT;
	/* random bytes do not compress: one stored block */
	assert_int_equal(run_filter("head -c 3000 /dev/urandom | lzop -c", NULL, 0, &z), 0);
	size_t blk = lzop_header_end(&z);
	assert_int_equal(get32be(z.data + blk), 3000);
	assert_int_equal(get32be(z.data + blk + 4), 3000);
	z.data[blk + 12 + 1500] ^= 1;
	struct collected c;
	collect_unpack(&c, "lzop", z.data, z.len, NULL);
	expect_error(&c, IT_ERR_INPUT, "lzop", "adler32 of the uncompressed block");
	collected_free(&c);
	it_buf_free(&z);
}

/* The header checksum of "lzop -c" output: adler32, or crc32 with --crc32. */
static void lzop_fix_header_sum(struct it_buf *z, int crc)
{
	size_t hend = lzop_header_end(z);
	uLong sum = crc ? crc32(0, z->data + 9, (uInt)(hend - 4 - 9))
	                : adler32(1, z->data + 9, (uInt)(hend - 4 - 9));
	put32be(z->data + hend - 4, (uint32_t)sum);
}

/* The checksum of compressed data (F_ADLER32_C, F_CRC32_C), which lzop 1.04
 * reads but no longer writes: inserted by hand, then corrupted. */
static void check_lzop_compressed_sum(const char *cmd, int crc)
{
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT, y = IT_BUF_INIT;
	compress_text(cmd, 5000, &text, &z);
	size_t blk = lzop_header_end(&z);
	uint32_t flags = get32be(z.data + LZOP_FLAGS_AT);
	uint32_t d_flag = crc ? 0x100 : 0x001, c_flag = crc ? 0x200 : 0x002;
	assert_int_equal(flags & 0x303, d_flag); /* a checksum of the data only */
	put32be(z.data + LZOP_FLAGS_AT, flags | c_flag);
	lzop_fix_header_sum(&z, crc);
	uint32_t dlen = get32be(z.data + blk), clen = get32be(z.data + blk + 4);
	assert_true(clen < dlen);
	it_buf_append(&y, z.data, blk + 12);
	uint8_t sum[4];
	put32be(sum, (uint32_t)(crc ? crc32(0, z.data + blk + 12, clen)
	                            : adler32(1, z.data + blk + 12, clen)));
	it_buf_append(&y, sum, 4);
	it_buf_append(&y, z.data + blk + 12, z.len - (blk + 12));
	struct collected c;
	collect_unpack(&c, "lzop", y.data, y.len, NULL);
	expect_payload(&c, "data 0644 5000 t:lzop\n", &text);
	collected_free(&c);
	y.data[blk + 16 + clen / 2] ^= 0x40;
	collect_unpack(&c, "lzop", y.data, y.len, NULL);
	expect_error(&c, IT_ERR_INPUT, "lzop",
	             crc ? "crc32 of the compressed block" : "adler32 of the compressed block");
	collected_free(&c);
	it_buf_free(&y);
	it_buf_free(&z);
	it_buf_free(&text);
}

static void test_lzop_compressed_checksum(void **state)
{
	(void)state;
	check_lzop_compressed_sum("lzop -c", 0);
	check_lzop_compressed_sum("lzop --crc32 -c", 1);
}

/* An extra header field (F_H_EXTRA_FIELD) is skipped, its checksum checked. */
static void test_lzop_extra_field(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT, y = IT_BUF_INIT;
	compress_text("lzop -c", 3000, &text, &z);
	size_t hend = lzop_header_end(&z);
	put32be(z.data + LZOP_FLAGS_AT, get32be(z.data + LZOP_FLAGS_AT) | 0x40);
	lzop_fix_header_sum(&z, 0);
	uint8_t extra[13] = {0, 0, 0, 5, 'e', 'x', 't', 'r', 'a'};
	put32be(extra + 9, (uint32_t)adler32(1, extra, 9));
	it_buf_append(&y, z.data, hend);
	it_buf_append(&y, extra, sizeof extra);
	it_buf_append(&y, z.data + hend, z.len - hend);
	struct collected c;
	collect_unpack(&c, "lzop", y.data, y.len, NULL);
	expect_payload(&c, "data 0644 3000 t:lzop\n", &text);
	collected_free(&c);
	y.data[hend + 5] = 'X';
	collect_unpack(&c, "lzop", y.data, y.len, NULL);
	expect_error(&c, IT_ERR_INPUT, "lzop", "extra field checksum");
	collected_free(&c);
	/* a length beyond the input */
	y.data[hend + 5] = 'x';
	put32be(y.data + hend, 0x7fffffff);
	collect_unpack(&c, "lzop", y.data, y.len, NULL);
	expect_error(&c, IT_ERR_INPUT, "lzop", "truncated header");
	collected_free(&c);
	it_buf_free(&y);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* Block sizes that lie: above 64 MiB, above what LZO1X can expand to,
 * compressed larger than uncompressed. */
static void test_lzop_lying_block_sizes(void **state)
{
	(void)state;
	static const struct {
		uint32_t dst, src;
		const char *msg;
	} lies[] = {
	        {(64u << 20) + 1, 100, "above lzop's maximum"},
	        {60u << 20, 100, "expands"},
	        {100, 200, "compressed block size 200 is invalid"},
	};
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text("lzop -c", 5000, &text, &z);
	size_t blk = lzop_header_end(&z);
	for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
		put32be(z.data + blk, lies[i].dst);
		put32be(z.data + blk + 4, lies[i].src);
		struct collected c;
		collect_unpack(&c, "lzop", z.data, z.len, NULL);
		expect_error(&c, IT_ERR_INPUT, "lzop", lies[i].msg);
		assert_true(c.stats.bytes_out < (1u << 20));
		collected_free(&c);
	}
	it_buf_free(&z);
	it_buf_free(&text);
}

static void test_lzop_unsupported_method(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text("lzop -c", 1000, &text, &z);
	z.data[15] = 128; /* M_ZLIB */
	lzop_fix_header_sum(&z, 0);
	struct collected c;
	collect_unpack(&c, "lzop", z.data, z.len, NULL);
	expect_error(&c, IT_ERR_INPUT, "lzop", "method 128 is not supported");
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* ---- lz4 ---- */

static void test_lz4_frame_options(void **state)
{
	(void)state;
	/* 64 KiB linked blocks with checksums, content size, no content checksum */
	static const char *const cmds[] = {"lz4 -q -B4 -BD -BX -c", "lz4 -q --content-size -c",
	                                   "lz4 -q --no-frame-crc -9 -c"};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
		compress_text(cmds[i], 300000, &text, &z);
		struct collected c;
		collect_unpack(&c, "lz4", z.data, z.len, NULL);
		expect_payload(&c, "data 0644 300000 t:lz4\n", &text);
		collected_free(&c);
		it_buf_free(&z);
		it_buf_free(&text);
	}
}

static void test_lz4_frames_and_skippable(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT, both = IT_BUF_INIT;
	compress_text("lz4 -q -c", 7000, &text, &z);
	it_buf_append(&z,
	              "\x5f\x2a\x4d\x18\x03\x00\x00\x00"
	              "abc",
	              11);
	run_tool("lz4 -q -c", text.data, text.len, &z);
	it_buf_append(&z, "\x04\x22\x4d\x18 not a frame header", 24);
	it_buf_append(&both, text.data, text.len);
	it_buf_append(&both, text.data, text.len);
	struct collected c;
	collect_unpack(&c, NULL, z.data, z.len, NULL);
	expect_payload(&c, "data 0644 14000 t:lz4\n", &both);
	assert_int_equal(c.entries, 1);
	collected_free(&c);
	it_buf_free(&both);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* A Linux kernel's lz4: lz4 -l output, then its size as 4 bytes LE, then
 * whatever follows the payload (here a gzip stream, found after it). */
static void test_lz4_legacy_kernel_layout(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, img = IT_BUF_INIT, small = IT_BUF_INIT;
	compress_text("lz4 -l -q -c", 200000, &text, &img);
	uint8_t size[4] = {0x40, 0x0d, 0x03, 0x00}; /* 200000 */
	it_buf_append(&img, size, 4);
	size_t gz_at = img.len;
	make_text(&small, 100);
	run_tool("gzip -n -c", small.data, small.len, &img);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	struct it_buf want = IT_BUF_INIT;
	it_buf_printf(&want, "data 0644 200000 t:lz4_legacy\ndata 0644 100 t@0x%zx:gzip\n", gz_at);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), it_buf_str(&want));
	collected_free(&c);
	it_buf_free(&want);
	it_buf_free(&small);
	it_buf_free(&img);
	it_buf_free(&text);
}

/* More than one 8 MiB block, and two legacy streams back to back. */
static void test_lz4_legacy_blocks_and_streams(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT, both = IT_BUF_INIT;
	compress_text("lz4 -l -1 -q -c", (9 << 20) + 123, &text, &z);
	run_tool("lz4 -l -q -c", text.data, 1000, &z);
	it_buf_append(&both, text.data, text.len);
	it_buf_append(&both, text.data, 1000);
	struct it_buf line = IT_BUF_INIT;
	it_buf_printf(&line, "data 0644 %zu t:lz4_legacy\n", both.len);
	struct collected c;
	collect_unpack(&c, "lz4_legacy", z.data, z.len, NULL);
	expect_payload(&c, it_buf_str(&line), &both);
	collected_free(&c);
	it_buf_free(&line);
	it_buf_free(&both);
	it_buf_free(&z);
	it_buf_free(&text);
}

/* ---- nesting ---- */

static void test_nested_xz_in_gzip(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text("xz -c | gzip -n -c", 6000, &text, &z);
	struct collected c;
	collect_unpack(&c, NULL, z.data, z.len, NULL);
	expect_payload(&c, "data 0644 6000 t:gzip:xz\n", &text);
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

static void test_nested_each_in_zstd(void **state)
{
	(void)state;
	/* bzip2 in lzop in lz4 in lzma in zstd */
	struct it_buf text = IT_BUF_INIT, z = IT_BUF_INIT;
	compress_text("bzip2 -c | lzop -c | lz4 -q -c | xz --format=lzma -c | zstd -q -c", 6000,
	              &text, &z);
	struct collected c;
	collect_unpack(&c, NULL, z.data, z.len, NULL);
	expect_payload(&c, "data 0644 6000 t:zstd:lzma:lz4:lzop:bzip2\n", &text);
	collected_free(&c);
	it_buf_free(&z);
	it_buf_free(&text);
}

static int have_format(const char *name)
{
	for (size_t i = 0; i < it_unpack_format_count(); i++)
		if (strcmp(it_unpack_format_name(i), name) == 0)
			return 1;
	return 0;
}

static void test_nested_tar_in_xz(void **state)
{
	(void)state;
	if (!have_format("tar"))
		skip();
	struct it_buf z = IT_BUF_INIT;
	assert_int_equal(run_filter("d=$(mktemp -d) && printf 'hello\\n' > $d/hello.txt && "
	                            "chmod 644 $d/hello.txt && tar -C $d -cf - hello.txt | xz -c; "
	                            "r=$?; rm -rf $d; exit $r",
	                            NULL, 0, &z),
	                 0);
	struct collected c;
	collect_unpack(&c, NULL, z.data, z.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "file 0644 6 t:xz:tar!/hello.txt\n"));
	collected_free(&c);
	it_buf_free(&z);
}

/* ---- runner ---- */

#define PER_FORMAT_TESTS 8

int main(void)
{
	static const struct {
		const char *name;
		CMUnitTestFunction fn;
	} shared[PER_FORMAT_TESTS] = {
	        {"roundtrip", test_roundtrip},
	        {"empty_stream", test_empty_stream},
	        {"carved_behind_junk", test_carved_behind_junk},
	        {"truncated", test_truncated},
	        {"corrupt_middle", test_corrupt_middle},
	        {"bomb_stopped_by_ratio", test_bomb_stopped_by_ratio},
	        {"file_limit", test_file_limit},
	        {"not_this_format", test_not_this_format},
	};
	static const struct CMUnitTest specific[] = {
	        cmocka_unit_test(test_xz_checks),
	        cmocka_unit_test(test_xz_streams_and_padding),
	        cmocka_unit_test(test_xz_bad_header_crc_not_carved),
	        cmocka_unit_test(test_lzma_dictionaries),
	        cmocka_unit_test(test_lzma_known_size),
	        cmocka_unit_test(test_lzma_memory_cap),
	        cmocka_unit_test(test_lzma_probe_rejects),
	        cmocka_unit_test(test_zstd_frames_and_skippable),
	        cmocka_unit_test(test_zstd_window_cap),
	        cmocka_unit_test(test_bzip2_concatenated),
	        cmocka_unit_test(test_bzip2_probe_needs_block_magic),
	        cmocka_unit_test(test_lzop_variants),
	        cmocka_unit_test(test_lzop_header_checksum),
	        cmocka_unit_test(test_lzop_data_checksum),
	        cmocka_unit_test(test_lzop_compressed_checksum),
	        cmocka_unit_test(test_lzop_extra_field),
	        cmocka_unit_test(test_lzop_lying_block_sizes),
	        cmocka_unit_test(test_lzop_unsupported_method),
	        cmocka_unit_test(test_lz4_frame_options),
	        cmocka_unit_test(test_lz4_frames_and_skippable),
	        cmocka_unit_test(test_lz4_legacy_kernel_layout),
	        cmocka_unit_test(test_lz4_legacy_blocks_and_streams),
	        cmocka_unit_test(test_nested_xz_in_gzip),
	        cmocka_unit_test(test_nested_each_in_zstd),
	        cmocka_unit_test(test_nested_tar_in_xz),
	};
	enum { NSPECIFIC = sizeof specific / sizeof specific[0] };
	static char names[NFORMATS * PER_FORMAT_TESTS][64];
	static struct CMUnitTest tests[NFORMATS * PER_FORMAT_TESTS + NSPECIFIC];
	size_t n = 0;
	for (size_t t = 0; t < PER_FORMAT_TESTS; t++)
		for (size_t f = 0; f < NFORMATS; f++, n++) {
			snprintf(names[n], sizeof names[n], "%s/%s", shared[t].name,
			         formats[f].name);
			tests[n] = (struct CMUnitTest){names[n], shared[t].fn, NULL, NULL,
			                               (void *)(uintptr_t)&formats[f]};
		}
	for (size_t i = 0; i < NSPECIFIC; i++)
		tests[n++] = specific[i];
	if (getenv("IOTRUST_TEST_FILTER")) /* e.g. "*lzop*" */
		cmocka_set_test_filter(getenv("IOTRUST_TEST_FILTER"));
	return _cmocka_run_group_tests("compress", tests, n, NULL, NULL);
}

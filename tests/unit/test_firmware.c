/*
 * Unit tests for the firmware container readers: U-Boot legacy images and FIT
 * images made by the real mkimage (and dtc), and Broadcom TRX images built
 * here with OpenWrt's layout and CRC. Happy paths, carving at offsets, bad
 * checksums, lying sizes and truncation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>
#include <zlib.h>

#include "iotrust/cursor.h"
#include "testutil.h"

/* Run a shell script in a fresh temporary directory; its stdout is the result. */
static void in_tmpdir(const char *script, struct it_buf *out)
{
	struct it_buf cmd = IT_BUF_INIT;
	it_buf_printf(
	        &cmd,
	        "d=$(mktemp -d) && cd \"$d\" && { %s; }; rc=$?; cd /; rm -rf \"$d\"; exit $rc",
	        script);
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, out), 0);
	it_buf_free(&cmd);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static const uint8_t *find(const struct it_buf *b, const void *needle, size_t n)
{
	return memmem(b->data, b->len, needle, n);
}

static void expect_input_error(const struct collected *c, const char *needle)
{
	assert_int_equal(c->rc, -1);
	assert_int_equal(c->err.code, IT_ERR_INPUT);
	assert_non_null(c->err.message);
	if (!strstr(c->err.message, needle))
		fail_msg("message '%s' lacks '%s'", c->err.message, needle);
}

/* ---- uImage ---- */

#define UIMAGE_KERNEL                                                                              \
	"printf 'kernel text' | gzip -9n > k.gz && "                                               \
	"mkimage -A arm -O linux -T kernel -C gzip -a 0x8000 -e 0x8000 -n test -d k.gz img "       \
	">/dev/null && cat img"

/* Recompute the data and header CRCs after editing an image. */
static void uimage_fix_crcs(struct it_buf *img)
{
	uint32_t size = get_be32(img->data + 12);
	assert_true(64 + (size_t)size <= img->len);
	put_be32(img->data + 24, (uint32_t)crc32(0, img->data + 64, size));
	put_be32(img->data + 4, 0);
	put_be32(img->data + 4, (uint32_t)crc32(0, img->data, 64));
}

static void test_uimage_kernel_gzip(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	in_tmpdir(UIMAGE_KERNEL, &img);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), "data 0644 11 t:uimage:gzip\n");
	assert_memory_equal(c.data.data, "kernel text", 11);
	collected_free(&c);
	collect_unpack(&c, "uimage", img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "data 0644 11 t:uimage:gzip\n"));
	collected_free(&c);
	it_buf_free(&img);
}

static void test_uimage_multi(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	/* 10 bytes (padded to 12 in the image), then a gzip stream */
	in_tmpdir("printf 'first part' > a && printf 'second' | gzip -9n > b.gz && "
	          "mkimage -A arm -O linux -T multi -C none -n m -d a:b.gz img >/dev/null && "
	          "cat img",
	          &img);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing),
	                    "data 0644 10 t:uimage/0\ndata 0644 6 t:uimage/1:gzip\n");
	assert_int_equal(c.data.len, 16);
	assert_memory_equal(c.data.data, "first partsecond", 16);
	collected_free(&c);
	it_buf_free(&img);
}

static void test_uimage_multi_lying_sizes(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	in_tmpdir("printf 'first part' > a && printf 'second' > b && "
	          "mkimage -A arm -O linux -T multi -C none -n m -d a:b img >/dev/null && "
	          "cat img",
	          &img);
	/* the second size claims more than the data holds (CRCs made valid again) */
	put_be32(img.data + 64 + 4, 1000);
	uimage_fix_crcs(&img);
	struct collected c;
	collect_unpack(&c, "uimage", img.data, img.len, NULL);
	expect_input_error(&c, "uimage: sub-image 1 (1000 bytes at data offset 0x18) exceeds the "
	                       "data size");
	assert_int_equal(c.entries, 0); /* nothing reported before the check */
	collected_free(&c);
	/* no terminating zero in the list */
	uint32_t size = get_be32(img.data + 12);
	for (uint32_t i = 0; i + 4 <= size; i += 4)
		put_be32(img.data + 64 + i, 0x01010101);
	uimage_fix_crcs(&img);
	collect_unpack(&c, "uimage", img.data, img.len, NULL);
	expect_input_error(&c, "size list not zero-terminated");
	collected_free(&c);
	it_buf_free(&img);
}

static void test_uimage_bad_header_crc(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	in_tmpdir(UIMAGE_KERNEL, &img);
	img.data[40] ^= 1; /* a byte of the name */
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	/* not a uImage: the gzip inside is still carved, the header is left alone */
	assert_false(listing_has(&c, "uimage"));
	assert_true(listing_has(&c, "t@0x40:gzip\n"));
	assert_int_equal(c.diags.len, 0);
	collected_free(&c);
	collect_unpack(&c, "uimage", img.data, img.len, NULL);
	expect_input_error(&c, "matching header CRC32");
	collected_free(&c);
	it_buf_free(&img);
}

static void test_uimage_bad_data_crc(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	in_tmpdir(UIMAGE_KERNEL, &img);
	uint32_t stored = get_be32(img.data + 24);
	img.data[img.len - 1] ^= 0x55; /* the gzip trailer */
	uint32_t actual = (uint32_t)crc32(0, img.data + 64, (uInt)(img.len - 64));
	char msg[128];
	snprintf(msg, sizeof msg, "uimage: data CRC32 is 0x%08x, the header says 0x%08x", actual,
	         stored);
	struct collected c;
	collect_unpack(&c, "uimage", img.data, img.len, NULL);
	expect_input_error(&c, msg);
	assert_string_equal(c.err.where, "t:uimage");
	assert_int_equal(c.err.offset, 24);
	collected_free(&c);
	/* carving: the strong header makes it a reported problem */
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(it_buf_str(&c.diags), msg));
	collected_free(&c);
	it_buf_free(&img);
}

static void test_uimage_truncated(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	in_tmpdir(UIMAGE_KERNEL, &img);
	uint32_t size = get_be32(img.data + 12);
	char msg[128];
	snprintf(msg, sizeof msg, "uimage: data size %u exceeds the %u bytes left", size,
	         size - 10);
	struct collected c;
	collect_unpack(&c, "uimage", img.data, img.len - 10, NULL);
	expect_input_error(&c, msg);
	collected_free(&c);
	collect_unpack(&c, "uimage", img.data, 40, NULL);
	expect_input_error(&c, "uimage: expected a 64-byte header");
	collected_free(&c);
	it_buf_free(&img);
}

static void test_uimage_carved_in_junk(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	it_buf_append(&img, "VENDOR-BLOB-HEADER-0123456789abcdefghij", 37);
	in_tmpdir(UIMAGE_KERNEL, &img);
	it_buf_append(&img, "trailing junk after the image", 29);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), "data 0644 11 t@0x25:uimage:gzip\n");
	collected_free(&c);
	it_buf_free(&img);
}

static void test_uimage_limit_propagates(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	in_tmpdir("printf 'one' > a && printf 'two' > b && printf 'three' > c && "
	          "mkimage -A arm -O linux -T multi -C none -n m -d a:b:c img >/dev/null && "
	          "cat img",
	          &img);
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_entries = 2;
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, &l);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_LIMIT);
	assert_int_equal(c.entries, 2);
	collected_free(&c);
	it_buf_free(&img);
}

/* ---- FIT ---- */

#define FIT_SOURCES                                                                                \
	"printf 'kernel text for fit' | gzip -9n > k.gz && printf 'flattened tree bytes' > f.bin " \
	"&& cat > i.its <<'EOF'\n"                                                                 \
	"/dts-v1/;\n"                                                                              \
	"/ {\n"                                                                                    \
	"	description = \"iotrust test\";\n"                                                       \
	"	#address-cells = <1>;\n"                                                                 \
	"	images {\n"                                                                              \
	"		kernel-1 {\n"                                                                           \
	"			data = /incbin/(\"k.gz\");\n"                                                          \
	"			type = \"kernel\"; arch = \"arm\"; os = \"linux\";\n"                                  \
	"			compression = \"gzip\"; load = <0x8000>; entry = <0x8000>;\n"                          \
	"			hash-1 { algo = \"crc32\"; };\n"                                                       \
	"			hash-2 { algo = \"sha256\"; };\n"                                                      \
	"		};\n"                                                                                   \
	"		fdt-1 {\n"                                                                              \
	"			data = /incbin/(\"f.bin\");\n"                                                         \
	"			type = \"flat_dt\"; arch = \"arm\"; compression = \"none\";\n"                         \
	"			hash-1 { algo = \"sha1\"; };\n"                                                        \
	"		};\n"                                                                                   \
	"	};\n"                                                                                    \
	"	configurations {\n"                                                                      \
	"		default = \"conf-1\";\n"                                                                \
	"		conf-1 { kernel = \"kernel-1\"; fdt = \"fdt-1\"; };\n"                                  \
	"	};\n"                                                                                    \
	"};\n"                                                                                     \
	"EOF\n"

static void make_fit(const char *mkimage_opts, struct it_buf *out)
{
	struct it_buf script = IT_BUF_INIT;
	it_buf_printf(&script, FIT_SOURCES "mkimage %s -f i.its i.itb >/dev/null && cat i.itb",
	              mkimage_opts);
	in_tmpdir(it_buf_str(&script), out);
	it_buf_free(&script);
}

static const char fit_listing[] = "data 0644 19 t:fit/kernel-1:gzip\n"
                                  "data 0644 20 t:fit/fdt-1\n";

static void test_fit_embedded(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_fit("", &img);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), fit_listing);
	assert_memory_equal(c.data.data, "kernel text for fitflattened tree bytes", 39);
	assert_int_equal(c.diags.len, 0);
	collected_free(&c);
	it_buf_free(&img);
}

static void test_fit_external(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, gz = IT_BUF_INIT;
	make_fit("-E", &img);
	size_t fit_len = img.len;
	/* a stream after the external data: found at the top level, while the
	 * kernel inside the external data is not carved a second time */
	assert_int_equal(run_filter("printf 'after the fit' | gzip -9n", NULL, 0, &gz), 0);
	it_buf_append(&img, gz.data, gz.len);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	char after[64];
	snprintf(after, sizeof after, "data 0644 13 t@0x%zx:gzip\n", fit_len);
	struct it_buf want = IT_BUF_INIT;
	it_buf_printf(&want, "%s%s", fit_listing, after);
	assert_string_equal(it_buf_str(&c.listing), it_buf_str(&want));
	assert_int_equal(c.diags.len, 0);
	collected_free(&c);
	it_buf_free(&want);
	it_buf_free(&img);
	it_buf_free(&gz);
}

static void test_fit_external_position(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_fit("-E -p 0x800", &img); /* absolute data-position */
	assert_true(img.len > 0x800);
	assert_non_null(find(&img, "data-position", 13));
	struct collected c;
	collect_unpack(&c, "fit", img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), fit_listing);
	collected_free(&c);
	it_buf_free(&img);
}

static void test_fit_data_offset_from_aligned_end(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	in_tmpdir("printf '/dts-v1/;\\n/ { images { a { data-offset = <0>; data-size = <5>; }; "
	          "b { data-offset = <8>; data-size = <3>; }; }; };\\n' > x.dts && "
	          "dtc -q -I dts -O dtb x.dts",
	          &img);
	/* a tree whose size is not a multiple of 4: data starts at the next multiple */
	assert_int_not_equal(img.len % 4, 0);
	it_buf_append(&img, "\0\0\0", 4 - img.len % 4);
	it_buf_append(&img, "AAAAA\0\0\0BBB", 11);
	struct collected c;
	collect_unpack(&c, "fit", img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), "data 0644 5 t:fit/a\ndata 0644 3 t:fit/b\n");
	assert_memory_equal(c.data.data, "AAAAABBB", 8);
	collected_free(&c);
	it_buf_free(&img);
}

static void test_fit_carved_unaligned(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	it_buf_append(&img, "xyz", 3); /* libfdt needs 8-byte alignment: a copy is made */
	make_fit("-E", &img);
	it_buf_append(&img, "tail", 4);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), "data 0644 19 t@0x3:fit/kernel-1:gzip\n"
	                                            "data 0644 20 t@0x3:fit/fdt-1\n");
	collected_free(&c);
	it_buf_free(&img);
}

static void test_fit_hash_mismatch(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_fit("", &img);
	uint8_t *f = (uint8_t *)find(&img, "flattened tree bytes", 20);
	assert_non_null(f);
	f[0] = 'F';
	struct collected c;
	collect_unpack(&c, "fit", img.data, img.len, NULL);
	/* the image is still unpacked, the mismatch is a reported problem */
	assert_true(listing_has(&c, "data 0644 20 t:fit/fdt-1\n"));
	assert_non_null(strstr(it_buf_str(&c.diags),
	                       "fit: image 'fdt-1' does not match the sha1 value in "
	                       "its 'hash-1' node"));
	assert_int_equal(c.rc, -1);
	collected_free(&c);
	/* the kernel: crc32 and sha256 both disagree */
	uint8_t *k = (uint8_t *)find(&img, "\x1f\x8b\x08", 3);
	assert_non_null(k);
	k[12] ^= 0xff;
	collect_unpack(&c, "fit", img.data, img.len, NULL);
	assert_non_null(strstr(it_buf_str(&c.diags), "'kernel-1' does not match the crc32"));
	assert_non_null(strstr(it_buf_str(&c.diags), "'kernel-1' does not match the sha256"));
	collected_free(&c);
	it_buf_free(&img);
}

static void test_fit_plain_dtb_is_not_a_container(void **state)
{
	(void)state;
	struct it_buf dtb = IT_BUF_INIT;
	in_tmpdir("printf '/dts-v1/;\\n/ { model = \"board\"; chosen { }; };\\n' > a.dts && "
	          "dtc -q -I dts -O dtb a.dts",
	          &dtb);
	assert_true(dtb.len > 40);
	struct collected c;
	collect_unpack(&c, NULL, dtb.data, dtb.len, NULL);
	assert_int_equal(c.rc, 0);
	char want[64];
	snprintf(want, sizeof want, "data 0644 %zu t\n", dtb.len);
	assert_string_equal(it_buf_str(&c.listing), want);
	assert_int_equal(c.diags.len, 0);
	collected_free(&c);
	collect_unpack(&c, "fit", dtb.data, dtb.len, NULL);
	expect_input_error(&c, "fit: no /images node");
	collected_free(&c);
	it_buf_free(&dtb);
}

static void test_fit_truncated(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_fit("-E", &img);
	uint32_t total = get_be32(img.data + 4);
	struct collected c;
	/* the tree is whole, the external fdt-1 data is cut */
	collect_unpack(&c, "fit", img.data, img.len - 4, NULL);
	expect_input_error(&c, "fit: image 'fdt-1' data (20 bytes at 0x");
	assert_int_equal(c.entries, 0);
	collected_free(&c);
	/* the tree itself is cut */
	collect_unpack(&c, "fit", img.data, total - 1, NULL);
	char msg[96];
	snprintf(msg, sizeof msg, "fit: device tree size %u exceeds the %u bytes left", total,
	         total - 1);
	expect_input_error(&c, msg);
	collected_free(&c);
	it_buf_free(&img);
}

static void test_fit_corrupt_tree(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_fit("-E", &img);
	uint32_t st = get_be32(img.data + 8); /* off_dt_struct */
	/* root node, then the "description" property: a name offset far outside */
	assert_int_equal(get_be32(img.data + st), 1);
	assert_int_equal(get_be32(img.data + st + 8), 3);
	put_be32(img.data + st + 16, 0x7fffff00);
	struct collected c;
	collect_unpack(&c, "fit", img.data, img.len, NULL);
	expect_input_error(&c, "fit: malformed device tree: ");
	collected_free(&c);
	collect_unpack(&c, NULL, img.data, img.len, NULL); /* carving: not a FIT, silently */
	assert_int_equal(c.rc, 0);
	assert_false(listing_has(&c, "fit"));
	collected_free(&c);
	put_be32(img.data + st, 9); /* FDT_END where the root node should be */
	collect_unpack(&c, "fit", img.data, img.len, NULL);
	expect_input_error(&c, "structure block does not start with a node");
	collected_free(&c);
	it_buf_free(&img);
}

static void test_fit_lying_data_size(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	make_fit("-E", &img);
	int node = fdt_path_offset(img.data, "/images/kernel-1");
	assert_true(node >= 0);
	assert_int_equal(fdt_setprop_inplace_u32(img.data, node, "data-size", 0x7fffffff), 0);
	struct collected c;
	collect_unpack(&c, "fit", img.data, img.len, NULL);
	expect_input_error(&c, "fit: image 'kernel-1' data (2147483647 bytes at 0x");
	collected_free(&c);
	it_buf_free(&img);
}

/* ---- TRX ---- */

/* OpenWrt's crc32buf: the CRC-32 register, started at ~0, not inverted at the
 * end. Written bitwise here, independently of the reader's zlib use. */
static uint32_t trx_crc(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return crc;
}

struct part {
	const char *data;
	size_t len;
};

/* Set the CRC as OpenWrt's trx does: v2 reads 8 bin-header bytes as 0xff. */
static void trx_seal(struct it_buf *b)
{
	unsigned version = b->data[14] | (b->data[15] << 8);
	uint32_t off3 = version == 2 ? it_load_u32le(b->data + 28) : 0;
	uint8_t saved[8];
	if (off3) {
		memcpy(saved, b->data + off3 + 22, 8);
		memset(b->data + off3 + 22, 0xff, 8);
	}
	put_le32(b->data + 8, trx_crc(b->data + 12, b->len - 12));
	if (off3)
		memcpy(b->data + off3 + 22, saved, 8);
}

/* Header, every partition padded to 4 bytes, the whole padded to 4 KiB. A
 * NULL part leaves its offset 0 (absent). */
static void trx_build(struct it_buf *b, unsigned version, const struct part *parts, size_t n)
{
	static const uint8_t zero[4096];
	size_t hdr = version == 1 ? 28 : 32;
	it_buf_truncate(b, 0);
	it_buf_append(b, zero, hdr);
	memcpy(b->data, "HDR0", 4);
	put_le32(b->data + 12, version << 16);
	for (size_t i = 0; i < n; i++) {
		if (!parts[i].data)
			continue;
		put_le32(b->data + 16 + 4 * i, (uint32_t)b->len);
		it_buf_append(b, parts[i].data, parts[i].len);
		it_buf_append(b, zero, (4 - b->len % 4) % 4);
	}
	it_buf_append(b, zero, (4096 - b->len % 4096) % 4096);
	put_le32(b->data + 4, (uint32_t)b->len);
	trx_seal(b);
}

static void trx_v1(struct it_buf *b, struct it_buf *gz)
{
	assert_int_equal(run_filter("printf 'linux kernel' | gzip -9n", NULL, 0, gz), 0);
	const struct part parts[] = {
	        {"LOADER01", 8},
	        {(const char *)gz->data, gz->len},
	        {"rootfs-bytes", 12},
	};
	trx_build(b, 1, parts, 3);
}

static void test_trx_v1(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, gz = IT_BUF_INIT;
	trx_v1(&img, &gz);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	/* the last partition runs to the end of the image (padding included) */
	char want[160];
	snprintf(want, sizeof want,
	         "data 0644 8 t:trx/0\ndata 0644 12 t:trx/1:gzip\n"
	         "data 0644 %zu t:trx/2\n",
	         img.len - it_load_u32le(img.data + 24));
	assert_string_equal(it_buf_str(&c.listing), want);
	assert_memory_equal(c.data.data, "LOADER01linux kernelrootfs-bytes", 32);
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&gz);
}

static void test_trx_absent_partition(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	const struct part parts[] = {{"first-partition!", 16}, {NULL, 0}, {"third", 5}};
	trx_build(&img, 1, parts, 3);
	struct collected c;
	collect_unpack(&c, "trx", img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "data 0644 16 t:trx/0\n"));
	assert_false(listing_has(&c, "t:trx/1"));
	assert_true(listing_has(&c, " t:trx/2\n"));
	collected_free(&c);
	it_buf_free(&img);
}

static void test_trx_v2_bin_header(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	char bin[32];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (char)(0x30 + i); /* bytes 22..29 are not 0xff */
	const struct part parts[] = {{"LOAD", 4}, {"KERNEL..", 8}, {"ROOT", 4}, {bin, 32}};
	trx_build(&img, 2, parts, 4);
	/* the plain CRC differs: only the CFE rule recognises it */
	assert_int_not_equal(trx_crc(img.data + 12, img.len - 12), it_load_u32le(img.data + 8));
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "data 0644 4 t:trx/0\n"));
	assert_true(listing_has(&c, "data 0644 8 t:trx/1\n"));
	assert_true(listing_has(&c, "data 0644 4 t:trx/2\n"));
	assert_true(listing_has(&c, " t:trx/3\n"));
	collected_free(&c);
	it_buf_free(&img);
}

static void test_trx_bad_crc(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, gz = IT_BUF_INIT;
	trx_v1(&img, &gz);
	img.data[img.len - 1] ^= 1; /* padding, covered by the CRC */
	struct collected c;
	/* at the start of the user's image a failed candidate is reported ... */
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_non_null(strstr(it_buf_str(&c.diags), "trx: CRC32"));
	assert_true(listing_has(&c, ":gzip\n"));
	collected_free(&c);
	/* ... elsewhere a weak candidate that fails is just not a TRX: silent */
	struct it_buf shifted = IT_BUF_INIT;
	it_buf_append(&shifted, "junkjunkjunkjunk", 16);
	it_buf_append(&shifted, img.data, img.len);
	collect_unpack(&c, NULL, shifted.data, shifted.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_false(listing_has(&c, "trx"));
	assert_true(listing_has(&c, ":gzip\n"));
	assert_int_equal(c.diags.len, 0);
	collected_free(&c);
	it_buf_free(&shifted);
	collect_unpack(&c, "trx", img.data, img.len, NULL);
	expect_input_error(&c, "trx: CRC32 over bytes 0xc..");
	assert_int_equal(c.err.offset, 8);
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&gz);
}

static void test_trx_corrupt_header(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, gz = IT_BUF_INIT;
	struct collected c;
	trx_v1(&img, &gz);
	uint32_t off1 = it_load_u32le(img.data + 20), off2 = it_load_u32le(img.data + 24);
	/* offsets out of order */
	put_le32(img.data + 20, off2);
	put_le32(img.data + 24, off1);
	trx_seal(&img);
	collect_unpack(&c, "trx", img.data, img.len, NULL);
	expect_input_error(&c, "is not after the previous partition's");
	collected_free(&c);
	/* an offset beyond the image */
	put_le32(img.data + 20, off1);
	put_le32(img.data + 24, (uint32_t)img.len);
	trx_seal(&img);
	collect_unpack(&c, "trx", img.data, img.len, NULL);
	expect_input_error(&c, "partition 2 offset");
	collected_free(&c);
	/* unknown version */
	put_le32(img.data + 24, off2);
	put_le32(img.data + 12, 3u << 16);
	collect_unpack(&c, "trx", img.data, img.len, NULL);
	expect_input_error(&c, "trx: version 3, expected 1 or 2");
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&gz);
}

static void test_trx_truncated(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, gz = IT_BUF_INIT;
	trx_v1(&img, &gz);
	struct collected c;
	collect_unpack(&c, "trx", img.data, img.len - 100, NULL);
	char msg[96];
	snprintf(msg, sizeof msg, "trx: length %zu exceeds the %zu bytes left", img.len,
	         img.len - 100);
	expect_input_error(&c, msg);
	collected_free(&c);
	collect_unpack(&c, "trx", img.data, 20, NULL);
	expect_input_error(&c, "trx: header needs 28 bytes, only 20 left");
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&gz);
}

static void test_trx_carved_in_junk(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT, trx = IT_BUF_INIT, gz = IT_BUF_INIT;
	trx_v1(&trx, &gz);
	it_buf_append(&img, "vendor header....", 17);
	it_buf_append(&img, trx.data, trx.len);
	it_buf_append(&img, "junk", 4);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	char want[160];
	snprintf(want, sizeof want,
	         "data 0644 8 t@0x11:trx/0\ndata 0644 12 t@0x11:trx/1:gzip\n"
	         "data 0644 %zu t@0x11:trx/2\n",
	         trx.len - it_load_u32le(trx.data + 24));
	assert_string_equal(it_buf_str(&c.listing), want);
	collected_free(&c);
	it_buf_free(&img);
	it_buf_free(&trx);
	it_buf_free(&gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_uimage_kernel_gzip),
	        cmocka_unit_test(test_uimage_multi),
	        cmocka_unit_test(test_uimage_multi_lying_sizes),
	        cmocka_unit_test(test_uimage_bad_header_crc),
	        cmocka_unit_test(test_uimage_bad_data_crc),
	        cmocka_unit_test(test_uimage_truncated),
	        cmocka_unit_test(test_uimage_carved_in_junk),
	        cmocka_unit_test(test_uimage_limit_propagates),
	        cmocka_unit_test(test_fit_embedded),
	        cmocka_unit_test(test_fit_external),
	        cmocka_unit_test(test_fit_external_position),
	        cmocka_unit_test(test_fit_data_offset_from_aligned_end),
	        cmocka_unit_test(test_fit_carved_unaligned),
	        cmocka_unit_test(test_fit_hash_mismatch),
	        cmocka_unit_test(test_fit_plain_dtb_is_not_a_container),
	        cmocka_unit_test(test_fit_truncated),
	        cmocka_unit_test(test_fit_lying_data_size),
	        cmocka_unit_test(test_fit_corrupt_tree),
	        cmocka_unit_test(test_trx_v1),
	        cmocka_unit_test(test_trx_absent_partition),
	        cmocka_unit_test(test_trx_v2_bin_header),
	        cmocka_unit_test(test_trx_bad_crc),
	        cmocka_unit_test(test_trx_corrupt_header),
	        cmocka_unit_test(test_trx_truncated),
	        cmocka_unit_test(test_trx_carved_in_junk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

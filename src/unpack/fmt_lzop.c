/*
 * lzop files: a checksummed header (version, method, flags, mode, mtime, name)
 * then blocks of LZO1X data, each with its sizes and optional adler32/crc32
 * checksums, decoded with liblzo2. Every field is read with a cursor; block
 * sizes are capped at lzop's own 64 MiB and checked against the limits before
 * any output is allocated. The decoded file becomes a child blob carved again.
 */
#include <string.h>

#include <lzo/lzo1x.h>

#include "format.h"
#include "iotrust/cursor.h"
#include "stream.h"

#define LZOP_MAGIC     "\x89LZO\x00\r\n\x1a\n"
#define LZOP_MAGIC_LEN 9

/* header flags (lzop's conf.h) */
#define F_ADLER32_D     0x00000001u
#define F_ADLER32_C     0x00000002u
#define F_H_EXTRA_FIELD 0x00000040u
#define F_CRC32_D       0x00000100u
#define F_CRC32_C       0x00000200u
#define F_MULTIPART     0x00000400u
#define F_H_FILTER      0x00000800u
#define F_H_CRC32       0x00001000u
#define F_RESERVED      0x000fc000u /* neither F_MASK, the OS nor the charset bits */

#define M_LZO1X_1    1
#define M_LZO1X_1_15 2
#define M_LZO1X_999  3

#define LZOP_MAX_BLOCK  ((uint32_t)64 << 20) /* lzop's MAX_BLOCK_SIZE */
#define LZOP_MAX_FILTER 16
/* A long LZO1X match costs one byte per 255 bytes of length. */
#define LZO1X_MAX_EXPANSION 256u

struct lzop_header {
	uint16_t version;
	uint8_t method;
	uint32_t flags;
	uint32_t filter;
	size_t size; /* bytes from the magic to the first block */
};

static uint32_t lzop_checksum(int crc, const uint8_t *p, size_t n)
{
	return crc ? lzo_crc32(0, p, n) : lzo_adler32(1, p, n);
}

/* Parse and check the header at p. Returns 0, or -1 with err set. */
static int lzop_parse_header(const uint8_t *p, size_t avail, struct lzop_header *h,
                             struct it_error *err)
{
	struct it_cursor c = it_cursor_make(p, avail);
	uint16_t lib_version, need = 0x0900;
	uint8_t level = 0, name_len;
	uint32_t mode, mtime_low, mtime_high = 0, sum;
	const uint8_t *name;

	memset(h, 0, sizeof *h);
	if (!it_cursor_has(&c, LZOP_MAGIC, LZOP_MAGIC_LEN))
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "lzop: no magic (expected 89 4c 5a 4f 00 0d 0a 1a 0a)");
	it_cursor_skip(&c, LZOP_MAGIC_LEN);
	if (it_take_u16be(&c, &h->version) < 0 || it_take_u16be(&c, &lib_version) < 0)
		goto truncated;
	if (h->version < 0x0900)
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, 9,
		        "lzop: version 0x%04x is older than any lzop (expected >= 0x0900)",
		        h->version);
	if (h->version >= 0x0940) {
		if (it_take_u16be(&c, &need) < 0)
			goto truncated;
		if (need < 0x0900)
			return it_error_set(err, IT_ERR_INPUT, NULL, it_cursor_offset(&c) - 2,
			                    "lzop: version needed to extract 0x%04x is invalid "
			                    "(expected >= 0x0900)",
			                    need);
	}
	if (it_take_u8(&c, &h->method) < 0)
		goto truncated;
	if (h->version >= 0x0940 && it_take_u8(&c, &level) < 0)
		goto truncated;
	if (it_take_u32be(&c, &h->flags) < 0)
		goto truncated;
	if (h->flags & F_RESERVED)
		return it_error_set(err, IT_ERR_INPUT, NULL, it_cursor_offset(&c) - 4,
		                    "lzop: reserved flag bits set in 0x%08x", h->flags);
	if ((h->flags & F_H_FILTER) && it_take_u32be(&c, &h->filter) < 0)
		goto truncated;
	if (it_take_u32be(&c, &mode) < 0 || it_take_u32be(&c, &mtime_low) < 0)
		goto truncated;
	if (h->version >= 0x0940 && it_take_u32be(&c, &mtime_high) < 0)
		goto truncated;
	if (it_take_u8(&c, &name_len) < 0 || it_take_bytes(&c, &name, name_len) < 0)
		goto truncated;
	/* the header checksum covers everything from the version to the name */
	size_t covered = it_cursor_offset(&c) - LZOP_MAGIC_LEN;
	uint32_t want = lzop_checksum(h->flags & F_H_CRC32, p + LZOP_MAGIC_LEN, covered);
	if (it_take_u32be(&c, &sum) < 0)
		goto truncated;
	if (sum != want)
		return it_error_set(err, IT_ERR_INPUT, NULL, it_cursor_offset(&c) - 4,
		                    "lzop: header checksum 0x%08x does not match the header "
		                    "(expected 0x%08x)",
		                    sum, want);
	if (h->method != M_LZO1X_1 && h->method != M_LZO1X_1_15 && h->method != M_LZO1X_999)
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, 0,
		        "lzop: compression method %u is not supported (expected 1, 2 or "
		        "3: LZO1X)",
		        h->method);
	if (h->flags & F_MULTIPART)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "lzop: multi-part files are not supported");
	if ((h->flags & F_H_FILTER) && (h->filter == 0 || h->filter > LZOP_MAX_FILTER))
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "lzop: filter %u is not supported (expected 1..16)", h->filter);
	if (h->flags & F_H_EXTRA_FIELD) {
		/* not used by lzop: skipped, but its length and checksum must hold */
		size_t start = it_cursor_offset(&c);
		uint32_t len;
		const uint8_t *extra;
		if (it_take_u32be(&c, &len) < 0 || it_take_bytes(&c, &extra, len) < 0)
			goto truncated;
		want = lzop_checksum(h->flags & F_H_CRC32, p + start, 4 + (size_t)len);
		if (it_take_u32be(&c, &sum) < 0)
			goto truncated;
		if (sum != want)
			return it_error_set(err, IT_ERR_INPUT, NULL, it_cursor_offset(&c) - 4,
			                    "lzop: extra field checksum 0x%08x does not match "
			                    "(expected 0x%08x)",
			                    sum, want);
	}
	h->size = it_cursor_offset(&c);
	return 0;
truncated:
	return it_error_set(err, IT_ERR_INPUT, NULL, it_cursor_offset(&c),
	                    "lzop: truncated header (%zu bytes; expected the fields up to the "
	                    "header checksum)",
	                    avail);
}

static int lzop_probe(const uint8_t *p, size_t avail)
{
	struct lzop_header h;
	struct it_error err = IT_ERROR_INIT;
	if (avail < LZOP_MAGIC_LEN || memcmp(p, LZOP_MAGIC, LZOP_MAGIC_LEN) != 0)
		return IT_PROBE_NO;
	int r = lzop_parse_header(p, avail, &h, &err);
	it_error_clear(&err);
	/* a 9-byte magic with a header checksum is as sure as it gets; a bad
	 * header behind the magic is still worth reporting */
	return r == 0 ? IT_PROBE_STRONG + 10 : IT_PROBE_STRONG;
}

/* Undo lzop's "multimedia" filter n: each byte was stored as the difference
 * from the byte n places before it, within one block. */
static void lzop_unfilter(uint8_t *d, size_t len, uint32_t n)
{
	for (size_t i = n; i < len; i++)
		d[i] = (uint8_t)(d[i] + d[i - n]);
}

static int check_sum(uint32_t flags, uint32_t adler_flag, uint32_t crc_flag, uint32_t adler,
                     uint32_t crc, const uint8_t *d, size_t n, size_t at, const char *what,
                     struct it_error *err)
{
	if ((flags & adler_flag) && lzo_adler32(1, d, n) != adler)
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, at,
		        "lzop: adler32 of the %s block does not match (expected 0x%08x)", what,
		        adler);
	if ((flags & crc_flag) && lzo_crc32(0, d, n) != crc)
		return it_error_set(err, IT_ERR_INPUT, NULL, at,
		                    "lzop: crc32 of the %s block does not match (expected 0x%08x)",
		                    what, crc);
	return 0;
}

/* Decode the blocks after the header into out; *end gets the offset after
 * the end marker. */
static int lzop_blocks(struct it_job *job, const struct lzop_header *h, const uint8_t *p,
                       size_t avail, struct it_buf *out, size_t *end, struct it_error *err)
{
	struct it_cursor c = it_cursor_make(p, avail);
	it_cursor_seek(&c, h->size);
	for (;;) {
		size_t at = it_cursor_offset(&c);
		uint32_t dst_len, src_len, d_adler = 0, d_crc = 0, c_adler = 0, c_crc = 0;
		const uint8_t *src;

		if (it_take_u32be(&c, &dst_len) < 0)
			return it_error_set(err, IT_ERR_INPUT, NULL, at,
			                    "lzop: truncated (expected a block or the end marker)");
		if (dst_len == 0)
			break;
		if (dst_len > LZOP_MAX_BLOCK)
			return it_error_set(err, IT_ERR_INPUT, NULL, at,
			                    "lzop: block of %u bytes is above lzop's maximum of "
			                    "%u",
			                    dst_len, LZOP_MAX_BLOCK);
		if (it_take_u32be(&c, &src_len) < 0)
			goto truncated;
		if (src_len == 0 || src_len > dst_len)
			return it_error_set(err, IT_ERR_INPUT, NULL, at + 4,
			                    "lzop: compressed block size %u is invalid (expected "
			                    "1..%u, the uncompressed size)",
			                    src_len, dst_len);
		if ((h->flags & F_ADLER32_D) && it_take_u32be(&c, &d_adler) < 0)
			goto truncated;
		if ((h->flags & F_CRC32_D) && it_take_u32be(&c, &d_crc) < 0)
			goto truncated;
		/* a stored block has no checksums of its own */
		if (src_len < dst_len) {
			if ((h->flags & F_ADLER32_C) && it_take_u32be(&c, &c_adler) < 0)
				goto truncated;
			if ((h->flags & F_CRC32_C) && it_take_u32be(&c, &c_crc) < 0)
				goto truncated;
		}
		size_t data_at = it_cursor_offset(&c);
		if (it_take_bytes(&c, &src, src_len) < 0)
			return it_error_set(err, IT_ERR_INPUT, NULL, data_at,
			                    "lzop: truncated block (%u bytes expected, %zu left)",
			                    src_len, avail - data_at);
		if (src_len < dst_len && check_sum(h->flags, F_ADLER32_C, F_CRC32_C, c_adler, c_crc,
		                                   src, src_len, data_at, "compressed", err) < 0)
			return -1;
		if ((uint64_t)dst_len > (uint64_t)src_len * LZO1X_MAX_EXPANSION + 4096)
			return it_error_set(err, IT_ERR_INPUT, NULL, at,
			                    "lzop: block claims %u bytes from %u (LZO1X expands "
			                    "at most %u times)",
			                    dst_len, src_len, LZO1X_MAX_EXPANSION);
		/* limits first, on the size the block claims: nothing is allocated
		 * for a lie */
		if (it_job_check_output(job, it_cursor_offset(&c), (uint64_t)out->len + dst_len,
		                        err) < 0)
			return -1;
		if (it_buf_reserve(out, dst_len) < 0)
			return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
		uint8_t *dst = out->data + out->len;
		if (src_len < dst_len) {
			lzo_uint n = dst_len;
			int r = lzo1x_decompress_safe(src, src_len, dst, &n, NULL);
			if (r != LZO_E_OK || n != dst_len)
				return it_error_set(err, IT_ERR_INPUT, NULL, data_at,
				                    "lzop: corrupt LZO1X block (decoded %lu of "
				                    "%u bytes, liblzo2 error %d)",
				                    (unsigned long)n, dst_len, r);
		} else {
			memcpy(dst, src, dst_len);
		}
		/* the checksum is of the data before lzop filtered it */
		if (h->filter)
			lzop_unfilter(dst, dst_len, h->filter);
		if (check_sum(h->flags, F_ADLER32_D, F_CRC32_D, d_adler, d_crc, dst, dst_len,
		              data_at, "uncompressed", err) < 0)
			return -1;
		out->len += dst_len;
	}
	*end = it_cursor_offset(&c);
	return 0;
truncated:
	return it_error_set(err, IT_ERR_INPUT, NULL, it_cursor_offset(&c),
	                    "lzop: truncated block header (expected sizes and checksums)");
}

static int lzop_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                       struct it_error *err)
{
	struct lzop_header h;
	struct it_buf out = IT_BUF_INIT;
	size_t end = 0;

	if (lzo_init() != LZO_E_OK)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, 0, "lzop: liblzo2 failed to start");
	if (lzop_parse_header(p, avail, &h, err) < 0)
		return -1;
	if (lzop_blocks(job, &h, p, avail, &out, &end, err) < 0) {
		it_buf_free(&out);
		return -1;
	}
	*consumed = end;
	int r = it_job_blob(job, NULL, out.data ? out.data : (const uint8_t *)"", out.len, 0,
	                    IT_BLOB_CARVE, err);
	it_buf_free(&out);
	return r;
}

const struct it_format it_fmt_lzop = {
        .name = "lzop",
        .magic = {{LZOP_MAGIC, LZOP_MAGIC_LEN, 0}, {NULL, 0, 0}},
        .probe = lzop_probe,
        .unpack = lzop_unpack,
};

/*
 * LZ4 streams, decoded with liblz4: the frame format (LZ4F; frames that follow
 * one another and skippable frames between them are one output, as lz4 -d
 * treats them) and the legacy format of Linux kernel images (lz4 -l): blocks
 * of a 32-bit compressed size and data, each decoding to at most 8 MiB. The
 * decoded bytes become a child blob that is carved again.
 */
#include <string.h>

#include <lz4.h>
#include <lz4frame.h>

#include "format.h"
#include "iotrust/cursor.h"
#include "stream.h"

#define LZ4_SKIPPABLE_MASK 0xfffffff0u
#define LZ4_LEGACY_MAGIC   0x184c2102u
#define LZ4_LEGACY_BLOCK   ((size_t)8 << 20) /* every block but the last decodes to this */

/* Frame descriptor: FLG (version 01, reserved bit 1 clear), BD (only the block
 * size id 4..7 set); with the header checksum verified the match is strong. */
static int lz4_probe(const uint8_t *p, size_t avail)
{
	if (avail < 7 || it_load_u32le(p) != LZ4F_MAGICNUMBER)
		return IT_PROBE_NO;
	uint8_t flg = p[4], bd = p[5];
	if ((flg >> 6) != 1 || (flg & 0x02) || (bd & 0x8f) || ((bd >> 4) & 7) < 4)
		return IT_PROBE_NO;
	size_t hsize = 7 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0);
	if (avail < hsize)
		return IT_PROBE_WEAK;
	LZ4F_dctx *d;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
		return IT_PROBE_WEAK;
	LZ4F_frameInfo_t info;
	size_t n = hsize;
	size_t r = LZ4F_getFrameInfo(d, &info, p, &n);
	LZ4F_freeDecompressionContext(d);
	return LZ4F_isError(r) ? IT_PROBE_NO : IT_PROBE_STRONG;
}

/* Does another frame of this stream start at p: an LZ4 frame, or a skippable
 * frame that fits in what remains? */
static int lz4_next_frame(const uint8_t *p, size_t left)
{
	if (left < 8)
		return 0;
	uint32_t magic = it_load_u32le(p);
	if ((magic & LZ4_SKIPPABLE_MASK) == LZ4F_MAGIC_SKIPPABLE_START)
		return it_load_u32le(p + 4) <= left - 8;
	return lz4_probe(p, left) >= IT_PROBE_STRONG;
}

static int lz4_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                      struct it_error *err)
{
	struct it_buf out = IT_BUF_INIT;
	size_t pos = 0;
	LZ4F_dctx *d;
	int r = -1;
	/* Carving tries many false candidates: start small, grow with the output. */
	size_t chunk = 4096;

	if (avail < 4 || (it_load_u32le(p) != LZ4F_MAGICNUMBER &&
	                  (it_load_u32le(p) & LZ4_SKIPPABLE_MASK) != LZ4F_MAGIC_SKIPPABLE_START))
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "lz4: no frame header (expected magic 04 22 4d 18)");
	if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "lz4: cannot create a context");
	do {
		size_t hint, frame_at = pos;
		do {
			if (it_buf_reserve(&out, chunk) < 0) {
				it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
				goto out;
			}
			size_t room = chunk, dst = chunk, src = avail - pos;
			if (chunk < IT_STREAM_CHUNK)
				chunk *= 2;
			hint = LZ4F_decompress(d, out.data + out.len, &dst, p + pos, &src, NULL);
			if (LZ4F_isError(hint)) {
				/* the decoder reads ahead: name the frame, not a byte */
				it_error_set(err, IT_ERR_INPUT, NULL, frame_at,
				             "lz4: frame at 0x%zx does not decode (%s)", frame_at,
				             LZ4F_getErrorName(hint));
				goto out;
			}
			pos += src;
			out.len += dst;
			if (it_job_check_output(job, pos, out.len, err) < 0)
				goto out;
			/* output room left but the frame is not done: the decoder
			 * needs input that is not there */
			if (hint != 0 && dst < room && pos == avail) {
				it_error_set(
				        err, IT_ERR_INPUT, NULL, pos,
				        "lz4: truncated frame (input ends before the end mark)");
				goto out;
			}
			if (hint != 0 && dst == 0 && src == 0) {
				it_error_set(err, IT_ERR_INPUT, NULL, pos,
				             "lz4: the decoder makes no progress on the frame");
				goto out;
			}
		} while (hint != 0);
	} while (lz4_next_frame(p + pos, avail - pos));
	*consumed = pos;
	r = it_job_blob(job, NULL, out.data ? out.data : (const uint8_t *)"", out.len, 0,
	                IT_BLOB_CARVE, err);
out:
	LZ4F_freeDecompressionContext(d);
	it_buf_free(&out);
	return r;
}

/* A legacy block size: at most what 8 MiB can compress to, never 0. */
static int legacy_size_ok(uint32_t n)
{
	return n > 0 && n <= (uint32_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK);
}

static int lz4_legacy_probe(const uint8_t *p, size_t avail)
{
	if (avail < 8 || it_load_u32le(p) != LZ4_LEGACY_MAGIC)
		return IT_PROBE_NO;
	if (!legacy_size_ok(it_load_u32le(p + 4)))
		return IT_PROBE_NO;
	return IT_PROBE_WEAK + 10;
}

/*
 * The legacy format has no end mark: like lz4 -d, the stream ends with the
 * input or at a word that is no block size; and since every block but the
 * last decodes to exactly 8 MiB, a shorter block ends it too (a Linux kernel
 * appends its decompressed size right after). A magic number where a block
 * size would be starts another legacy stream, which is part of this one.
 */
static int lz4_legacy_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                             struct it_error *err)
{
	struct it_cursor c = it_cursor_make(p, avail);
	struct it_buf out = IT_BUF_INIT;
	uint32_t magic, n;
	size_t blocks = 0;

	if (it_take_u32le(&c, &magic) < 0 || magic != LZ4_LEGACY_MAGIC)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "lz4_legacy: no magic (expected 02 21 4c 18)");
	for (;;) {
		size_t at = it_cursor_offset(&c);
		if (it_take_u32le(&c, &n) < 0)
			break;
		if (n == LZ4_LEGACY_MAGIC)
			continue;
		if (!legacy_size_ok(n)) {
			if (blocks == 0) {
				it_buf_free(&out);
				return it_error_set(err, IT_ERR_INPUT, NULL, at,
				                    "lz4_legacy: first block size %u is invalid "
				                    "(expected 1..%d)",
				                    n, LZ4_compressBound((int)LZ4_LEGACY_BLOCK));
			}
			it_cursor_seek(&c, at);
			break;
		}
		const uint8_t *src;
		if (it_take_bytes(&c, &src, n) < 0) {
			it_buf_free(&out);
			return it_error_set(err, IT_ERR_INPUT, NULL, at + 4,
			                    "lz4_legacy: truncated block (%u bytes expected, %zu "
			                    "left)",
			                    n, it_cursor_left(&c));
		}
		/* LZ4 expands at most 255 times: small blocks need little room */
		size_t room = (size_t)n * 256 + 64;
		if (room > LZ4_LEGACY_BLOCK)
			room = LZ4_LEGACY_BLOCK;
		if (it_buf_reserve(&out, room) < 0) {
			it_buf_free(&out);
			return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
		}
		int got = LZ4_decompress_safe((const char *)src, (char *)out.data + out.len, (int)n,
		                              (int)room);
		if (got < 0) {
			it_buf_free(&out);
			return it_error_set(err, IT_ERR_INPUT, NULL, at + 4,
			                    "lz4_legacy: corrupt block of %u bytes (LZ4 data does "
			                    "not decode)",
			                    n);
		}
		out.len += (size_t)got;
		blocks++;
		if (it_job_check_output(job, it_cursor_offset(&c), out.len, err) < 0) {
			it_buf_free(&out);
			return -1;
		}
		if ((size_t)got < LZ4_LEGACY_BLOCK) {
			/* the last block, unless another stream follows */
			if (it_cursor_left(&c) >= 4 && it_load_u32le(c.p) == LZ4_LEGACY_MAGIC)
				continue;
			break;
		}
	}
	*consumed = it_cursor_offset(&c);
	int r = it_job_blob(job, NULL, out.data ? out.data : (const uint8_t *)"", out.len, 0,
	                    IT_BLOB_CARVE, err);
	it_buf_free(&out);
	return r;
}

const struct it_format it_fmt_lz4 = {
        .name = "lz4",
        .magic = {{"\x04\x22\x4d\x18", 4, 0}, {NULL, 0, 0}},
        .probe = lz4_probe,
        .unpack = lz4_unpack,
};

const struct it_format it_fmt_lz4_legacy = {
        .name = "lz4_legacy",
        .magic = {{"\x02\x21\x4c\x18", 4, 0}, {NULL, 0, 0}},
        .probe = lz4_legacy_probe,
        .unpack = lz4_legacy_unpack,
};

/*
 * Zstandard streams, decoded with libzstd's streaming decoder. Frames that
 * follow one another (and skippable frames between them) are one stream, as
 * zstd -d treats them; the decoded bytes become a child blob carved again.
 * The window is capped so a hostile frame cannot make the decoder allocate
 * more than 128 MiB.
 */
#include <zstd.h>

#include "format.h"
#include "iotrust/cursor.h"
#include "stream.h"

#define ZSTD_FMT_WINDOW_LOG_MAX 27 /* 128 MiB, zstd's own default limit */

/* Does a zstd frame header start at p? Magic, no reserved descriptor bit, a
 * window no larger than the format allows. */
static int zstd_probe(const uint8_t *p, size_t avail)
{
	if (avail < 6 || it_load_u32le(p) != ZSTD_MAGICNUMBER)
		return IT_PROBE_NO;
	uint8_t fhd = p[4];
	if (fhd & 0x08)
		return IT_PROBE_NO;
	/* without the single-segment flag a window descriptor follows:
	 * window log 10 + exponent, at most 31 */
	if (!(fhd & 0x20) && (p[5] >> 3) > 21)
		return IT_PROBE_NO;
	return IT_PROBE_WEAK + 20;
}

/* Is there another frame at p that belongs to this stream? A zstd frame, or
 * a skippable frame that fits in what remains. */
static int next_frame(const uint8_t *p, size_t left)
{
	if (left < 8)
		return 0;
	uint32_t magic = it_load_u32le(p);
	if ((magic & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START)
		return it_load_u32le(p + 4) <= left - 8;
	return zstd_probe(p, left) != IT_PROBE_NO;
}

static int zstd_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                       struct it_error *err)
{
	struct it_buf out = IT_BUF_INIT;
	ZSTD_inBuffer in = {p, avail, 0};
	int r = -1;
	/* Carving tries many false candidates: start small, grow with the output. */
	size_t chunk = 4096;

	if (!next_frame(p, avail) && !(avail >= 4 && it_load_u32le(p) == ZSTD_MAGICNUMBER))
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "zstd: no frame header (expected magic 28 b5 2f fd)");
	ZSTD_DCtx *d = ZSTD_createDCtx();
	if (!d)
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "zstd: cannot create a context");
	if (ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, ZSTD_FMT_WINDOW_LOG_MAX))) {
		it_error_set(err, IT_ERR_INTERNAL, NULL, 0, "zstd: cannot set the window limit");
		goto out;
	}
	do {
		size_t ret, frame_at = in.pos;
		do {
			if (it_buf_reserve(&out, chunk) < 0) {
				it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
				goto out;
			}
			ZSTD_outBuffer o = {out.data + out.len, chunk, 0};
			if (chunk < IT_STREAM_CHUNK)
				chunk *= 2;
			size_t in_before = in.pos;
			ret = ZSTD_decompressStream(d, &o, &in);
			if (ZSTD_isError(ret)) {
				/* the decoder reads ahead: name the frame, not a byte */
				it_error_set(err, IT_ERR_INPUT, NULL, frame_at,
				             "zstd: frame at 0x%zx does not decode (%s)", frame_at,
				             ZSTD_getErrorName(ret));
				goto out;
			}
			out.len += o.pos;
			if (it_job_check_output(job, in.pos, out.len, err) < 0)
				goto out;
			/* Output room left but the frame is not done: the decoder
			 * needs input that is not there. */
			if (ret != 0 && o.pos < o.size && in.pos == in.size) {
				it_error_set(err, IT_ERR_INPUT, NULL, in.pos,
				             "zstd: truncated frame (input ends before the last "
				             "block)");
				goto out;
			}
			if (ret != 0 && o.pos == 0 && in.pos == in_before) {
				it_error_set(err, IT_ERR_INPUT, NULL, in.pos,
				             "zstd: the decoder makes no progress on the frame");
				goto out;
			}
		} while (ret != 0);
	} while (next_frame(p + in.pos, avail - in.pos));
	*consumed = in.pos;
	r = it_job_blob(job, NULL, out.data ? out.data : (const uint8_t *)"", out.len, 0,
	                IT_BLOB_CARVE, err);
out:
	ZSTD_freeDCtx(d);
	it_buf_free(&out);
	return r;
}

const struct it_format it_fmt_zstd = {
        .name = "zstd",
        .magic = {{"\x28\xb5\x2f\xfd", 4, 0}, {NULL, 0, 0}},
        .probe = zstd_probe,
        .unpack = zstd_unpack,
};

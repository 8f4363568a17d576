/*
 * bzip2 streams, decoded with libbz2. Streams that follow one another are one
 * output, as bunzip2 treats them. The probe wants the block (or end of stream)
 * magic after the "BZh<level>" header, so a match is a strong one.
 */
#include <limits.h>
#include <string.h>

#include <bzlib.h>

#include "format.h"
#include "stream.h"

#define BZ_HEADER_SIZE 10 /* "BZh", level '1'..'9', 48-bit block or end magic */

static int bzip2_probe(const uint8_t *p, size_t avail)
{
	if (avail < 4 || memcmp(p, "BZh", 3) != 0 || p[3] < '1' || p[3] > '9')
		return IT_PROBE_NO;
	if (avail < BZ_HEADER_SIZE)
		return IT_PROBE_WEAK; /* cut short: let unpack say so, quietly */
	if (memcmp(p + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 || /* a block (pi) */
	    memcmp(p + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0)   /* empty stream (sqrt pi) */
		return IT_PROBE_STRONG;
	return IT_PROBE_NO;
}

static int bz_error(int r, size_t at, struct it_error *err)
{
	switch (r) {
	case BZ_DATA_ERROR_MAGIC:
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, at,
		        "bzip2: bad stream header (expected 'BZh' and a level '1'..'9')");
	case BZ_DATA_ERROR:
		return it_error_set(err, IT_ERR_INPUT, NULL, at,
		                    "bzip2: corrupt data (bad block structure or CRC mismatch)");
	case BZ_MEM_ERROR:
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
	default:
		return it_error_set(err, IT_ERR_INTERNAL, NULL, at, "bzip2: libbz2 error %d", r);
	}
}

/* Decode one stream starting at p[*used]; *used advances over it. */
static int bz_stream_decode(struct it_job *job, const uint8_t *p, size_t avail, size_t *used,
                            struct it_buf *out, struct it_error *err)
{
	bz_stream s;
	memset(&s, 0, sizeof s);
	if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK)
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "bzip2: cannot initialise libbz2");
	int r;
	/* Carving tries many false candidates: start small, grow with the output. */
	unsigned chunk = 4096;
	do {
		if (it_buf_reserve(out, chunk) < 0) {
			BZ2_bzDecompressEnd(&s);
			return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
		}
		/* avail_in is an unsigned int: feed huge inputs piece by piece */
		size_t left = avail - *used;
		s.next_in = (char *)(uintptr_t)(p + *used);
		s.avail_in = (unsigned)(left > UINT_MAX ? UINT_MAX : left);
		s.next_out = (char *)out->data + out->len;
		s.avail_out = chunk;
		if (chunk < IT_STREAM_CHUNK)
			chunk *= 2;
		r = BZ2_bzDecompress(&s);
		*used += (size_t)((const uint8_t *)s.next_in - (p + *used));
		out->len = (size_t)((uint8_t *)s.next_out - out->data);
		if (it_job_check_output(job, *used, out->len, err) < 0) {
			BZ2_bzDecompressEnd(&s);
			return -1;
		}
		/* all input used, room left in the output, and no end of stream */
		if (r == BZ_OK && *used == avail && s.avail_out > 0) {
			BZ2_bzDecompressEnd(&s);
			return it_error_set(err, IT_ERR_INPUT, NULL, *used,
			                    "bzip2: truncated stream (input ends before the "
			                    "end-of-stream marker)");
		}
	} while (r == BZ_OK);
	BZ2_bzDecompressEnd(&s);
	return r == BZ_STREAM_END ? 0 : bz_error(r, *used, err);
}

static int bzip2_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                        struct it_error *err)
{
	struct it_buf out = IT_BUF_INIT;
	size_t used = 0;

	/* one stream after another while the input starts a stream */
	do {
		if (bz_stream_decode(job, p, avail, &used, &out, err) < 0) {
			it_buf_free(&out);
			return -1;
		}
	} while (bzip2_probe(p + used, avail - used) >= IT_PROBE_STRONG);
	*consumed = used;
	int r = it_job_blob(job, NULL, out.data ? out.data : (const uint8_t *)"", out.len, 0,
	                    IT_BLOB_CARVE, err);
	it_buf_free(&out);
	return r;
}

const struct it_format it_fmt_bzip2 = {
        .name = "bzip2",
        .magic = {{"BZh", 3, 0}, {NULL, 0, 0}},
        .probe = bzip2_probe,
        .unpack = bzip2_unpack,
};

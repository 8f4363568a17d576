/*
 * xz streams (the .xz container) and legacy .lzma ("LZMA alone") streams, both
 * decoded with liblzma under a fixed memory cap. One xz stream and its stream
 * padding is one container; a following stream is carved as the next one. The
 * .lzma header has no real magic, so its probe checks every header field and
 * stays weak: a carving false positive fails silently.
 */
#include <string.h>

#include <lzma.h>

#include "format.h"
#include "iotrust/cursor.h"
#include "stream.h"

/* liblzma's decoders refuse streams that need more memory than this (the
 * dictionary dominates: xz -9 needs 65 MiB, lzma -9 needs 65 MiB). */
#define XZ_MEMLIMIT ((uint64_t)256 << 20)

#define XZ_MAGIC          "\xfd\x37\x7a\x58\x5a\x00" /* \xfd "7zXZ" \0 */
#define XZ_MAGIC_LEN      6
#define XZ_HEADER_SIZE    12
#define ALONE_HEADER_SIZE 13
#define ALONE_MAX_DICT    ((uint32_t)1 << 30)
#define ALONE_MAX_SIZE    ((uint64_t)1 << 30)

static int xz_probe(const uint8_t *p, size_t avail)
{
	/* magic, stream flags (first byte 0, a check id 0..15), CRC32 of the flags */
	if (avail < XZ_HEADER_SIZE || memcmp(p, XZ_MAGIC, XZ_MAGIC_LEN) != 0)
		return IT_PROBE_NO;
	if (p[6] != 0 || (p[7] & 0xf0))
		return IT_PROBE_NO;
	if (lzma_crc32(p + 6, 2, 0) != it_load_u32le(p + 8))
		return IT_PROBE_NO;
	return IT_PROBE_STRONG;
}

/* Is d 2^n or 2^n + 2^(n-1), as every LZMA encoder writes it? */
static int alone_dict_ok(uint32_t d)
{
	if (d < 4096 || d > ALONE_MAX_DICT)
		return 0;
	uint32_t low = d & (0u - d); /* lowest set bit */
	return d == low || d == low * 3;
}

static int lzma_probe(const uint8_t *p, size_t avail)
{
	if (avail < ALONE_HEADER_SIZE + 1)
		return IT_PROBE_NO;
	/* properties byte (pb * 5 + lp) * 9 + lc, dictionary size, uncompressed
	 * size (-1 when unknown and the stream ends with an end marker) */
	uint32_t dict = it_load_u32le(p + 1);
	uint64_t size = it_load_u64le(p + 5);
	if (p[0] >= 225 || !alone_dict_ok(dict))
		return IT_PROBE_NO;
	/* a stream of 0 bytes is useless, and tables of zeros would match */
	if (size != UINT64_MAX && (size == 0 || size > ALONE_MAX_SIZE))
		return IT_PROBE_NO;
	/* the range coder's first output byte is always 0 */
	if (p[ALONE_HEADER_SIZE] != 0)
		return IT_PROBE_NO;
	return IT_PROBE_WEAK;
}

/* Run a liblzma decoder over p[0..avail) into out, checking the job's limits
 * after every chunk. *used gets the input bytes consumed. */
static int lzma_decode(struct it_job *job, lzma_stream *s, const char *fmt, const uint8_t *p,
                       size_t avail, struct it_buf *out, size_t *used, struct it_error *err)
{
	lzma_ret r;
	/* Carving tries many false candidates: start small, grow with the output. */
	size_t chunk = 4096;
	s->next_in = p;
	s->avail_in = avail;
	do {
		if (it_buf_reserve(out, chunk) < 0)
			return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
		s->next_out = out->data + out->len;
		s->avail_out = chunk;
		if (chunk < IT_STREAM_CHUNK)
			chunk *= 2;
		/* all input is given at once, so LZMA_FINISH: running out of it
		 * before the end of the stream is LZMA_BUF_ERROR */
		r = lzma_code(s, LZMA_FINISH);
		out->len = (size_t)(s->next_out - out->data);
		*used = (size_t)s->total_in;
		if (it_job_check_output(job, s->total_in, out->len, err) < 0)
			return -1;
	} while (r == LZMA_OK);

	switch (r) {
	case LZMA_STREAM_END:
		return 0;
	case LZMA_BUF_ERROR:
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, *used,
		        "%s: truncated stream (input ends before the end of the stream)", fmt);
	case LZMA_FORMAT_ERROR:
		return it_error_set(err, IT_ERR_INPUT, NULL, *used, "%s: not a valid %s header",
		                    fmt, fmt);
	case LZMA_OPTIONS_ERROR:
		return it_error_set(err, IT_ERR_INPUT, NULL, *used,
		                    "%s: unsupported options (filter chain, flags or properties)",
		                    fmt);
	case LZMA_DATA_ERROR:
		return it_error_set(err, IT_ERR_INPUT, NULL, *used,
		                    "%s: corrupt compressed data (or a check mismatch)", fmt);
	case LZMA_MEMLIMIT_ERROR:
		/* A property of this stream, not a user limit: reported as bad input
		 * so that a carving false positive does not end the run. */
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, *used,
		        "%s: stream needs %llu MiB to decode, above the cap of %llu MiB", fmt,
		        (unsigned long long)(lzma_memusage(s) >> 20),
		        (unsigned long long)(XZ_MEMLIMIT >> 20));
	case LZMA_MEM_ERROR:
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
	default:
		return it_error_set(err, IT_ERR_INTERNAL, NULL, *used, "%s: liblzma error %d", fmt,
		                    (int)r);
	}
}

static int finish(struct it_job *job, lzma_stream *s, struct it_buf *out, int r,
                  struct it_error *err)
{
	lzma_end(s);
	if (r == 0)
		r = it_job_blob(job, NULL, out->data ? out->data : (const uint8_t *)"", out->len, 0,
		                IT_BLOB_CARVE, err);
	it_buf_free(out);
	return r;
}

static int xz_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                     struct it_error *err)
{
	lzma_stream s = LZMA_STREAM_INIT;
	struct it_buf out = IT_BUF_INIT;
	size_t used = 0;

	/* no LZMA_CONCATENATED: stop at the end of this stream */
	if (lzma_stream_decoder(&s, XZ_MEMLIMIT, 0) != LZMA_OK)
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "xz: cannot initialise liblzma");
	int r = lzma_decode(job, &s, "xz", p, avail, &out, &used, err);
	if (r == 0) {
		/* stream padding: null bytes in groups of four */
		while (avail - used >= 4 && memcmp(p + used, "\0\0\0\0", 4) == 0)
			used += 4;
		*consumed = used;
	}
	return finish(job, &s, &out, r, err);
}

static int lzma_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                       struct it_error *err)
{
	lzma_stream s = LZMA_STREAM_INIT;
	struct it_buf out = IT_BUF_INIT;
	size_t used = 0;

	if (avail < ALONE_HEADER_SIZE)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "lzma: truncated header (%zu bytes, expected 13)", avail);
	/* the same sanity as the probe: liblzma alone takes any dictionary and size */
	uint32_t dict = it_load_u32le(p + 1);
	uint64_t size = it_load_u64le(p + 5);
	if (p[0] >= 225)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "lzma: properties byte 0x%02x is invalid (expected below 0xe1)",
		                    p[0]);
	if (!alone_dict_ok(dict))
		return it_error_set(err, IT_ERR_INPUT, NULL, 1,
		                    "lzma: dictionary size 0x%08x is invalid (expected 2^n or "
		                    "2^n+2^(n-1), 4 KiB to 1 GiB)",
		                    dict);
	if (size != UINT64_MAX && size > ALONE_MAX_SIZE)
		return it_error_set(err, IT_ERR_INPUT, NULL, 5,
		                    "lzma: uncompressed size %llu is implausible (expected -1 or "
		                    "at most 1 GiB)",
		                    (unsigned long long)size);
	if (lzma_alone_decoder(&s, XZ_MEMLIMIT) != LZMA_OK)
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "lzma: cannot initialise liblzma");
	int r = lzma_decode(job, &s, "lzma", p, avail, &out, &used, err);
	if (r == 0)
		*consumed = used;
	return finish(job, &s, &out, r, err);
}

const struct it_format it_fmt_xz = {
        .name = "xz",
        .magic = {{XZ_MAGIC, XZ_MAGIC_LEN, 0}, {NULL, 0, 0}},
        .probe = xz_probe,
        .unpack = xz_unpack,
};

/* lc=3 lp=0 pb=2 (0x5d, every default encoder) and lc=1 lp=2 pb=2 (0x6d),
 * each with a dictionary that is a multiple of 64 KiB */
const struct it_format it_fmt_lzma = {
        .name = "lzma",
        .magic = {{"\x5d\x00\x00", 3, 0}, {"\x6d\x00\x00", 3, 0}, {NULL, 0, 0}},
        .probe = lzma_probe,
        .unpack = lzma_unpack,
};

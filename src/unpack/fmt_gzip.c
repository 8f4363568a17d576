/*
 * gzip (RFC 1952) streams, inflated with zlib. Concatenated members are one
 * stream, as gunzip treats them. The inflated bytes become a child blob that
 * is carved again (a kernel, a cpio initramfs, a tar).
 */
#include <zlib.h>

#include "format.h"
#include "stream.h"

static int gzip_probe(const uint8_t *p, size_t avail)
{
	/* ID1 ID2, CM=8 (deflate), reserved FLG bits zero, XFL 0/2/4 */
	if (avail < 18 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 || (p[3] & 0xe0))
		return IT_PROBE_NO;
	if (p[8] != 0 && p[8] != 2 && p[8] != 4)
		return IT_PROBE_NO;
	return IT_PROBE_WEAK + 20;
}

static int gzip_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                       struct it_error *err)
{
	struct it_buf out = IT_BUF_INIT;
	z_stream zs = {0};
	size_t used = 0;
	int zr = Z_OK;
	/* Carving tries many false candidates: start small, grow with the output. */
	size_t chunk = 4096;

	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "zlib: cannot initialise");
	/* One member after another until the input no longer starts a member. */
	while (used < avail) {
		if (used > 0 && (avail - used < 18 || gzip_probe(p + used, avail - used) == 0))
			break;
		zs.next_in = (Bytef *)(uintptr_t)(p + used);
		zs.avail_in = (uInt)(avail - used > UINT32_MAX ? UINT32_MAX : avail - used);
		size_t start = used;
		do {
			if (it_buf_reserve(&out, chunk) < 0) {
				inflateEnd(&zs);
				it_buf_free(&out);
				return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
			}
			zs.next_out = out.data + out.len;
			zs.avail_out = (uInt)chunk;
			zr = inflate(&zs, Z_NO_FLUSH);
			out.len = (size_t)(zs.next_out - out.data);
			used = start + (size_t)(zs.next_in - (p + start));
			if (chunk < IT_STREAM_CHUNK)
				chunk *= 2;
			if (it_job_check_output(job, used, out.len, err) < 0) {
				inflateEnd(&zs);
				it_buf_free(&out);
				return -1;
			}
		} while (zr == Z_OK);
		if (zr != Z_STREAM_END) {
			inflateEnd(&zs);
			it_buf_free(&out);
			if (zr == Z_BUF_ERROR)
				return it_error_set(
				        err, IT_ERR_INPUT, NULL, used,
				        "gzip: truncated stream (ends before the last block)");
			return it_error_set(err, IT_ERR_INPUT, NULL, used, "gzip: %s",
			                    zs.msg ? zs.msg : "corrupt deflate data");
		}
		inflateReset(&zs);
	}
	inflateEnd(&zs);
	*consumed = used;
	int r = it_job_blob(job, NULL, out.data ? out.data : (const uint8_t *)"", out.len, 0,
	                    IT_BLOB_CARVE, err);
	it_buf_free(&out);
	return r;
}

const struct it_format it_fmt_gzip = {
        .name = "gzip",
        .magic = {{"\x1f\x8b\x08", 3, 0}, {NULL, 0, 0}},
        .probe = gzip_probe,
        .unpack = gzip_unpack,
};

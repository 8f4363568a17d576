/*
 * Broadcom TRX firmware images ("HDR0"): a little-endian header with the image
 * length, a CRC32 over everything from flag_version to the end, and up to 3
 * (version 1) or 4 (version 2) partition offsets. Partition i runs from its
 * offset to the next present one (or the image end) and becomes child "i".
 */
#include <stdio.h>
#include <zlib.h>

#include "crc.h"
#include "format.h"
#include "iotrust/cursor.h"

#define TRX_MAX_PARTS   4
#define TRX_CRC_START   12 /* the CRC covers flag_version onwards */
#define TRX_V2_BIN_MARK 22 /* v2: 8 bytes of the bin header read as 0xff for the CRC */

struct trx_header {
	uint32_t len, crc, flags, version;
	uint32_t hdr_size;
	unsigned nparts;
	uint32_t offsets[TRX_MAX_PARTS];
};

/* Parse and check the header fields (not the CRC). err may be NULL (probe). */
static int parse_header(const uint8_t *p, size_t avail, struct trx_header *h, struct it_error *err)
{
	struct it_cursor c = it_cursor_make(p, avail);
	uint32_t magic, fv;
	if (it_take_u32le(&c, &magic) < 0 || magic != 0x30524448 || it_take_u32le(&c, &h->len) ||
	    it_take_u32le(&c, &h->crc) || it_take_u32le(&c, &fv))
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "trx: expected a header starting with \"HDR0\"");
	h->flags = fv & 0xffff;
	h->version = fv >> 16;
	if (h->version != 1 && h->version != 2)
		return it_error_set(err, IT_ERR_INPUT, NULL, 14, "trx: version %u, expected 1 or 2",
		                    h->version);
	h->nparts = h->version == 1 ? 3 : 4;
	h->hdr_size = 16 + 4 * h->nparts;
	for (unsigned i = 0; i < h->nparts; i++)
		if (it_take_u32le(&c, &h->offsets[i]) < 0)
			return it_error_set(err, IT_ERR_INPUT, NULL, 0,
			                    "trx: header needs %u bytes, only %zu left",
			                    h->hdr_size, avail);
	if (h->len < h->hdr_size)
		return it_error_set(err, IT_ERR_INPUT, NULL, 4,
		                    "trx: length %u is smaller than the %u-byte header", h->len,
		                    h->hdr_size);
	if (h->len > avail)
		return it_error_set(err, IT_ERR_INPUT, NULL, 4,
		                    "trx: length %u exceeds the %zu bytes left", h->len, avail);
	uint32_t prev = 0;
	for (unsigned i = 0; i < h->nparts; i++) {
		uint32_t off = h->offsets[i];
		uint64_t at = 16 + 4 * (uint64_t)i;
		if (off == 0) /* absent */
			continue;
		if (off < h->hdr_size || off >= h->len)
			return it_error_set(err, IT_ERR_INPUT, NULL, at,
			                    "trx: partition %u offset 0x%x outside the image data "
			                    "(0x%x..0x%x)",
			                    i, off, h->hdr_size, h->len);
		if (off <= prev)
			return it_error_set(
			        err, IT_ERR_INPUT, NULL, at,
			        "trx: partition %u offset 0x%x is not after the previous "
			        "partition's 0x%x",
			        i, off, prev);
		prev = off;
	}
	if (prev == 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, 16, "trx: no partition offsets");
	return 0;
}

/* The TRX CRC is the CRC-32 register without the final inversion, i.e. the
 * complement of zlib's crc32(). Version 2 images are checked as CFE does, with
 * 8 bytes of the bin header (partition 3) read as 0xff; plain CRC as fallback. */
static int crc_matches(const uint8_t *p, const struct trx_header *h, uint32_t *computed)
{
	const uint8_t *d = p + TRX_CRC_START;
	uInt n = (uInt)(h->len - TRX_CRC_START);
	if (h->version == 2 && h->offsets[3] &&
	    (uint64_t)h->offsets[3] + TRX_V2_BIN_MARK + 8 <= h->len) {
		static const uint8_t ff[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
		uInt mark = (uInt)(h->offsets[3] + TRX_V2_BIN_MARK - TRX_CRC_START);
		uLong crc = crc32(0, d, mark);
		crc = crc32(crc, ff, sizeof ff);
		crc = crc32(crc, d + mark + 8, n - mark - 8);
		*computed = ~(uint32_t)crc;
		if (*computed == h->crc)
			return 1;
	}
	*computed = it_crc32_noinv(d, n);
	return *computed == h->crc;
}

static int trx_probe(const uint8_t *p, size_t avail)
{
	struct trx_header h;
	uint32_t computed;
	if (parse_header(p, avail, &h, NULL) < 0)
		return IT_PROBE_NO;
	return crc_matches(p, &h, &computed) ? IT_PROBE_STRONG + 10 : IT_PROBE_WEAK;
}

static int trx_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                      struct it_error *err)
{
	struct trx_header h;
	uint32_t computed;
	if (parse_header(p, avail, &h, err) < 0)
		return -1;
	if (!crc_matches(p, &h, &computed))
		return it_error_set(err, IT_ERR_INPUT, NULL, 8,
		                    "trx: CRC32 over bytes 0x%x..0x%x is 0x%08x, the header says "
		                    "0x%08x",
		                    TRX_CRC_START, h.len, computed, h.crc);
	*consumed = h.len;
	for (unsigned i = 0; i < h.nparts; i++) {
		uint32_t start = h.offsets[i], end = h.len;
		if (start == 0)
			continue;
		for (unsigned j = i + 1; j < h.nparts; j++)
			if (h.offsets[j]) {
				end = h.offsets[j];
				break;
			}
		char label[16];
		snprintf(label, sizeof label, "%u", i);
		if (it_job_blob(job, label, p + start, end - start, start, IT_BLOB_CARVE, err) < 0)
			return -1;
	}
	return 0;
}

const struct it_format it_fmt_trx = {
        .name = "trx",
        .magic = {{"HDR0", 4, 0}, {NULL, 0, 0}},
        .probe = trx_probe,
        .unpack = trx_unpack,
};

/*
 * U-Boot legacy images (uImage): a 64-byte big-endian header guarded by a
 * CRC32, then the data guarded by a second CRC32. The data is one child blob,
 * or for multi-file (and script) images a zero-terminated size list followed
 * by 4-byte aligned sub-images, one child each, labelled by index.
 */
#include <stdio.h>
#include <zlib.h>

#include "format.h"
#include "iotrust/cursor.h"

#define UIMAGE_HEADER_SIZE 64
#define UIMAGE_NAME_LEN    32
#define UIMAGE_TYPE_MULTI  4
#define UIMAGE_TYPE_SCRIPT 6

/* The header as stored. name/os/arch/load/ep are parsed for a later metadata
 * report; unpacking only needs size, dcrc and type. */
struct uimage_header {
	uint32_t hcrc, time, size, load, ep, dcrc;
	uint8_t os, arch, type, comp;
	char name[UIMAGE_NAME_LEN + 1];
};

static uint32_t header_crc(const uint8_t *p)
{
	uint8_t h[UIMAGE_HEADER_SIZE];
	memcpy(h, p, sizeof h);
	memset(h + 4, 0, 4); /* the CRC is computed with its own field zeroed */
	return (uint32_t)crc32(0, h, sizeof h);
}

/* Parse the header; 0 when the magic and header CRC are right, else -1. */
static int parse_header(const uint8_t *p, size_t avail, struct uimage_header *h)
{
	struct it_cursor c = it_cursor_make(p, avail);
	uint32_t magic;
	const uint8_t *name;
	if (it_take_u32be(&c, &magic) < 0 || magic != 0x27051956 || it_take_u32be(&c, &h->hcrc) ||
	    it_take_u32be(&c, &h->time) || it_take_u32be(&c, &h->size) ||
	    it_take_u32be(&c, &h->load) || it_take_u32be(&c, &h->ep) ||
	    it_take_u32be(&c, &h->dcrc) || it_take_u8(&c, &h->os) || it_take_u8(&c, &h->arch) ||
	    it_take_u8(&c, &h->type) || it_take_u8(&c, &h->comp) ||
	    it_take_bytes(&c, &name, UIMAGE_NAME_LEN))
		return -1;
	memcpy(h->name, name, UIMAGE_NAME_LEN);
	h->name[UIMAGE_NAME_LEN] = 0;
	return header_crc(p) == h->hcrc ? 0 : -1;
}

static int uimage_probe(const uint8_t *p, size_t avail)
{
	struct uimage_header h;
	/* A matching CRC32 over the whole header is as sure as it gets. */
	return parse_header(p, avail, &h) == 0 ? IT_PROBE_STRONG + 10 : IT_PROBE_NO;
}

static uint32_t align4(uint32_t v)
{
	return (v + 3u) & ~3u;
}

/* Multi-file data: big-endian sizes up to a zero, then each sub-image padded
 * to 4 bytes (mkimage pads all but the last). Everything is checked before the
 * first child is reported, so a bad list yields no partial output. */
static int unpack_multi(struct it_job *job, const uint8_t *data, uint32_t size,
                        struct it_error *err)
{
	struct it_cursor c = it_cursor_make(data, size);
	uint32_t n = 0, sz;
	for (;;) {
		if (it_take_u32be(&c, &sz) < 0)
			return it_error_set(
			        err, IT_ERR_INPUT, NULL, UIMAGE_HEADER_SIZE,
			        "uimage: multi-file size list not zero-terminated within "
			        "the %u data bytes",
			        size);
		if (sz == 0)
			break;
		n++;
	}
	uint64_t off = (uint64_t)(n + 1) * 4;
	for (uint32_t i = 0; i < n; i++) {
		sz = it_load_u32be(data + (size_t)i * 4);
		if (off + sz > size)
			return it_error_set(err, IT_ERR_INPUT, NULL, UIMAGE_HEADER_SIZE + off,
			                    "uimage: sub-image %u (%u bytes at data offset 0x%llx) "
			                    "exceeds the data size %u",
			                    i, sz, (unsigned long long)off, size);
		off += align4(sz);
	}
	off = (uint64_t)(n + 1) * 4;
	for (uint32_t i = 0; i < n; i++) {
		char label[16];
		sz = it_load_u32be(data + (size_t)i * 4);
		snprintf(label, sizeof label, "%u", i);
		if (it_job_blob(job, label, data + off, sz, UIMAGE_HEADER_SIZE + off, IT_BLOB_CARVE,
		                err) < 0)
			return -1;
		off += align4(sz);
	}
	return 0;
}

static int uimage_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                         struct it_error *err)
{
	struct uimage_header h;
	if (parse_header(p, avail, &h) < 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "uimage: expected a 64-byte header with magic 0x27051956 and a "
		                    "matching header CRC32");
	size_t left = avail - UIMAGE_HEADER_SIZE;
	if (h.size > left)
		return it_error_set(err, IT_ERR_INPUT, NULL, 12,
		                    "uimage: data size %u exceeds the %zu bytes left", h.size,
		                    left);
	const uint8_t *data = p + UIMAGE_HEADER_SIZE;
	uint32_t dcrc = (uint32_t)crc32(0, data, h.size);
	if (dcrc != h.dcrc)
		return it_error_set(err, IT_ERR_INPUT, NULL, 24,
		                    "uimage: data CRC32 is 0x%08x, the header says 0x%08x", dcrc,
		                    h.dcrc);
	*consumed = UIMAGE_HEADER_SIZE + (size_t)h.size;
	/* mkimage writes the same size list for script images as for multi-file ones. */
	if (h.type == UIMAGE_TYPE_MULTI || h.type == UIMAGE_TYPE_SCRIPT)
		return unpack_multi(job, data, h.size, err);
	/* The comp field (gzip, bzip2, lzma, lzo, lz4, zstd) needs no handling here:
	 * the compressed stream starts at offset 0 of the child and carving finds it. */
	return it_job_blob(job, NULL, data, h.size, UIMAGE_HEADER_SIZE, IT_BLOB_CARVE, err);
}

const struct it_format it_fmt_uimage = {
        .name = "uimage",
        .magic = {{"\x27\x05\x19\x56", 4, 0}, {NULL, 0, 0}},
        .probe = uimage_probe,
        .unpack = uimage_unpack,
};

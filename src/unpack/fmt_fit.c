/*
 * U-Boot FIT images: a flattened device tree (read with libfdt) whose /images
 * node holds one subnode per image, with the bytes embedded in a "data"
 * property or placed after the tree ("data-offset" from the 4-byte aligned end
 * of the tree, or absolute "data-position", plus "data-size"). Each image is a
 * child blob labelled with its node name; crc32, md5 and sha hash nodes are checked.
 */
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "format.h"
#include "iotrust/cursor.h"

#define FIT_MAX_LABEL 64

/* The tree as libfdt sees it: libfdt refuses trees that are not 8-byte
 * aligned, so a tree carved at an odd offset is copied. */
struct fit_view {
	const uint8_t *fdt;
	void *copy;
	size_t total; /* fdt_totalsize, <= avail */
};

static void view_close(struct fit_view *v)
{
	free(v->copy);
	v->copy = NULL;
}

/* Check the header and the whole structure block; err may be NULL (probe). */
static int view_open(const uint8_t *p, size_t avail, struct fit_view *v, struct it_error *err)
{
	union {
		struct fdt_header h;
		uint64_t align;
	} hdr;
	memset(v, 0, sizeof *v);
	if (avail < sizeof hdr.h)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "fit: device tree header needs %zu bytes, only %zu left",
		                    sizeof hdr.h, avail);
	memcpy(&hdr.h, p, sizeof hdr.h);
	int r = fdt_check_header(&hdr.h);
	if (r != 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0, "fit: bad device tree header: %s",
		                    fdt_strerror(r));
	v->total = fdt_totalsize(&hdr.h);
	if (v->total > avail)
		return it_error_set(err, IT_ERR_INPUT, NULL, 4,
		                    "fit: device tree size %zu exceeds the %zu bytes left",
		                    v->total, avail);
	/* dtc and mkimage write version 17; libfdt 1.6's fdt_check_full reads
	 * through a NULL name on older versions (found by fuzzing), so refuse them. */
	if (fdt_version(&hdr.h) < 17)
		return it_error_set(err, IT_ERR_INPUT, NULL, 20,
		                    "fit: device tree version %u, expected 17 or later",
		                    fdt_version(&hdr.h));
	/* Before copying anything: the structure block must open with a node (the
	 * root), so random bytes after a stray magic cost no more than this. */
	size_t st = fdt_off_dt_struct(&hdr.h);
	if (st > v->total - 4 || it_load_u32be(p + st) != FDT_BEGIN_NODE)
		return it_error_set(err, IT_ERR_INPUT, NULL, st,
		                    "fit: device tree structure block does not start with a node");
	v->fdt = p;
	if ((uintptr_t)p & 7) {
		v->copy = malloc(v->total);
		if (!v->copy)
			return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
		memcpy(v->copy, p, v->total);
		v->fdt = v->copy;
	}
	r = fdt_check_full(v->fdt, v->total);
	if (r != 0) {
		view_close(v);
		return it_error_set(err, IT_ERR_INPUT, NULL, 0, "fit: malformed device tree: %s",
		                    fdt_strerror(r));
	}
	return 0;
}

static int fit_probe(const uint8_t *p, size_t avail)
{
	struct fit_view v;
	if (view_open(p, avail, &v, NULL) < 0)
		return IT_PROBE_NO;
	/* A device tree without /images is a DTB: a file, not a container. */
	int r = fdt_path_offset(v.fdt, "/images") >= 0 ? IT_PROBE_STRONG : IT_PROBE_NO;
	view_close(&v);
	return r;
}

/* The node name as a chain label: printable, no chain separators, bounded. */
static int node_label(const void *fdt, int node, struct it_buf *out)
{
	int len = 0;
	const char *name = fdt_get_name(fdt, node, &len);
	it_buf_truncate(out, 0);
	if (!name || len <= 0)
		return it_buf_puts(out, "?");
	for (int i = 0; i < len && i < FIT_MAX_LABEL; i++) {
		char ch = name[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		         (ch >= '0' && ch <= '9') || strchr("-_.,+@", ch);
		if (it_buf_putc(out, ok && ch ? ch : '_') < 0)
			return -1;
	}
	return 0;
}

/* A 32-bit cell property; 0 found, 1 absent, -1 wrong size. */
static int prop_u32(const void *fdt, int node, const char *prop, uint32_t *v)
{
	int len = 0;
	const uint8_t *val = fdt_getprop(fdt, node, prop, &len);
	if (!val)
		return 1;
	if (len != 4)
		return -1;
	*v = it_load_u32be(val);
	return 0;
}

/*
 * Where an image's bytes are, relative to p. Returns 0 with *off and *size, 1
 * when the node has no data (reported as a diagnostic by the caller), -1
 * when a property is malformed or the data lies beyond the input.
 */
static int image_data(const struct fit_view *v, int node, const char *label, size_t avail,
                      uint64_t *off, uint64_t *size, struct it_error *err)
{
	int len = 0;
	const uint8_t *val = fdt_getprop(v->fdt, node, "data", &len);
	if (val && len >= 0) {
		*off = (uint64_t)(val - v->fdt);
		*size = (uint64_t)len;
		return 0;
	}
	uint32_t pos = 0, rel = 0, sz = 0;
	int has_pos = prop_u32(v->fdt, node, "data-position", &pos);
	int has_rel = prop_u32(v->fdt, node, "data-offset", &rel);
	int has_size = prop_u32(v->fdt, node, "data-size", &sz);
	if (has_pos < 0 || has_rel < 0 || has_size < 0)
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, 0,
		        "fit: image '%s': data-position, data-offset and data-size must "
		        "be 32-bit cells",
		        label);
	if (has_pos == 1 && has_rel == 1)
		return 1;
	if (has_size == 1)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "fit: image '%s' has external data but no data-size", label);
	/* As U-Boot does: data-position is absolute, data-offset counts from the
	 * end of the tree rounded up to 4 bytes. */
	*off = has_pos == 0 ? pos : ((v->total + 3) & ~(uint64_t)3) + rel;
	*size = sz;
	if (*off > avail || *size > avail - *off)
		return it_error_set(err, IT_ERR_INPUT, NULL, *off,
		                    "fit: image '%s' data (%llu bytes at 0x%llx) exceeds the %zu "
		                    "bytes available",
		                    label, (unsigned long long)*size, (unsigned long long)*off,
		                    avail);
	return 0;
}

static const EVP_MD *digest_by_name(const char *algo)
{
	if (strcmp(algo, "md5") == 0)
		return EVP_md5();
	if (strcmp(algo, "sha1") == 0)
		return EVP_sha1();
	if (strcmp(algo, "sha256") == 0)
		return EVP_sha256();
	if (strcmp(algo, "sha384") == 0)
		return EVP_sha384();
	if (strcmp(algo, "sha512") == 0)
		return EVP_sha512();
	return NULL;
}

/* Check the image's hash nodes; a mismatch is a diagnostic (the bytes are still
 * unpacked: a tampered image is worth inspecting). Unknown algorithms are
 * skipped. */
static void check_hashes(struct it_job *job, const struct fit_view *v, int node, const char *label,
                         const uint8_t *data, uint64_t off, uint64_t size)
{
	struct it_buf hlabel = IT_BUF_INIT;
	int sub;
	fdt_for_each_subnode(sub, v->fdt, node)
	{
		int nlen = 0, alen = 0, vlen = 0;
		const char *hname = fdt_get_name(v->fdt, sub, &nlen);
		if (!hname || nlen < 4 || strncmp(hname, "hash", 4) != 0)
			continue;
		const char *algo = fdt_getprop(v->fdt, sub, "algo", &alen);
		const uint8_t *want = fdt_getprop(v->fdt, sub, "value", &vlen);
		if (!algo || alen <= 0 || !memchr(algo, 0, (size_t)alen) || !want || vlen < 0)
			continue;
		uint8_t got[EVP_MAX_MD_SIZE];
		unsigned glen = 0;
		if (strcmp(algo, "crc32") == 0) {
			uLong crc = crc32(0, NULL, 0);
			for (uint64_t done = 0; done < size;) {
				uInt n =
				        size - done > (1u << 30) ? (1u << 30) : (uInt)(size - done);
				crc = crc32(crc, data + done, n);
				done += n;
			}
			got[0] = (uint8_t)(crc >> 24);
			got[1] = (uint8_t)(crc >> 16);
			got[2] = (uint8_t)(crc >> 8);
			got[3] = (uint8_t)crc;
			glen = 4;
		} else {
			const EVP_MD *md = digest_by_name(algo);
			if (!md || EVP_Digest(data, (size_t)size, got, &glen, md, NULL) != 1)
				continue;
		}
		if (((unsigned)vlen != glen || memcmp(got, want, glen) != 0) &&
		    node_label(v->fdt, sub, &hlabel) == 0)
			it_job_diag(job, IT_ERR_INPUT, off,
			            "fit: image '%s' does not match the %s value in its '%s' node",
			            label, algo, it_buf_str(&hlabel));
	}
	it_buf_free(&hlabel);
}

static int fit_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                      struct it_error *err)
{
	struct fit_view v;
	struct it_buf label = IT_BUF_INIT;
	uint64_t off, size, end;
	int node, r = -1;
	if (view_open(p, avail, &v, err) < 0)
		return -1;
	int images = fdt_path_offset(v.fdt, "/images");
	if (images < 0) {
		it_error_set(err, IT_ERR_INPUT, NULL, 0,
		             "fit: no /images node (a plain device tree, not a FIT image)");
		goto out;
	}
	/* First pass: every image's bytes must be in the input, so a truncated
	 * image yields an error and no partial output. */
	end = v.total;
	fdt_for_each_subnode(node, v.fdt, images)
	{
		if (node_label(v.fdt, node, &label) < 0) {
			it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
			goto out;
		}
		int d = image_data(&v, node, it_buf_str(&label), avail, &off, &size, err);
		if (d < 0)
			goto out;
		if (d == 0 && off + size > end)
			end = off + size;
	}
	if (node != -FDT_ERR_NOTFOUND) {
		it_error_set(err, IT_ERR_INPUT, NULL, 0, "fit: malformed /images node: %s",
		             fdt_strerror(node));
		goto out;
	}
	fdt_for_each_subnode(node, v.fdt, images)
	{
		if (node_label(v.fdt, node, &label) < 0) {
			it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
			goto out;
		}
		const char *name = it_buf_str(&label);
		int d = image_data(&v, node, name, avail, &off, &size, err);
		if (d < 0)
			goto out;
		if (d == 1) {
			it_job_diag(job, IT_ERR_INPUT, IT_NO_OFFSET,
			            "fit: image '%s' has no data, data-offset or data-position "
			            "property",
			            name);
			continue;
		}
		check_hashes(job, &v, node, name, p + off, off, size);
		if (size &&
		    it_job_blob(job, name, p + off, (size_t)size, off, IT_BLOB_CARVE, err) < 0)
			goto out;
	}
	*consumed = (size_t)end;
	r = 0;
out:
	it_buf_free(&label);
	view_close(&v);
	return r;
}

const struct it_format it_fmt_fit = {
        .name = "fit",
        .magic = {{"\xd0\x0d\xfe\xed", 4, 0}, {NULL, 0, 0}},
        .probe = fit_probe,
        .unpack = fit_unpack,
};

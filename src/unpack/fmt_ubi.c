/*
 * UBI images (ubinize output or NAND dumps): erase blocks (PEBs) that start with
 * an EC header ("UBI#") and, when mapped, a VID header ("UBI!") naming a volume
 * and logical block (LEB). The PEB size is the gcd of the offsets of the next
 * valid EC headers; the layout volume names the volumes; each is assembled in LEB
 * order (highest sqnum wins) and reported as a child blob labelled with its name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "crc.h"
#include "format.h"
#include "iotrust/cursor.h"

#define EC_HDR_SIZE        64
#define VID_HDR_SIZE       64
#define HDR_CRC_LEN        60 /* both headers: CRC over everything before hdr_crc */
#define UBI_VERSION        1
#define INTERNAL_VOL_START 0x7fffefffu /* and above: layout volume, fastmap */
#define LAYOUT_VOL_ID      INTERNAL_VOL_START
#define MAX_USER_VOLS      128u /* UBI_MAX_VOLUMES */
#define VTBL_REC_SIZE      172
#define VTBL_CRC_LEN       168
#define VOL_NAME_MAX       127
#define VOL_DYNAMIC        1
#define VOL_STATIC         2
#define PEB_ALIGN          512                /* PEB sizes are multiples of this in practice */
#define PEB_SCAN_MAX       ((size_t)64 << 20) /* how far to look for the next EC headers */
#define PEB_SIZE_MAX       ((size_t)16 << 20)
#define PEB_GCD_SAMPLES    4

/* What one PEB's VID header says. */
struct leb_ref {
	uint32_t vol_id, lnum;
	uint64_t sqnum;
	size_t peb;
	uint32_t data_size, used_ebs, data_pad, data_crc;
	uint8_t vol_type, copy_flag;
};

struct vol_rec {
	int present;
	uint32_t reserved_pebs, data_pad;
	uint8_t vol_type;
	char name[VOL_NAME_MAX + 1];
};

struct ubi {
	struct it_job *job;
	const uint8_t *p;
	size_t avail;
	size_t peb_size, npebs;
	uint32_t vid_off, data_off, image_seq;
	struct leb_ref *refs; /* sorted by vol_id, lnum, then preference */
	size_t nrefs;
	struct vol_rec vols[MAX_USER_VOLS];
	int have_vtbl;
	uint64_t out_total, in_total; /* cumulative, for it_job_check_output */
};

/* UBI's CRC-32: initial value 0xFFFFFFFF, no final xor (UBI_CRC32_INIT). */
struct ec_hdr {
	uint32_t vid_off, data_off, image_seq;
};

/* Parse and check an EC header at p (avail bytes). 0 when valid. */
static int ec_parse(const uint8_t *p, size_t avail, struct ec_hdr *h)
{
	struct it_cursor c = it_cursor_make(p, avail);
	const uint8_t *hdr;
	uint8_t version;
	uint32_t crc;
	if (it_take_bytes(&c, &hdr, EC_HDR_SIZE) < 0 || memcmp(hdr, "UBI#", 4) != 0)
		return -1;
	c = it_cursor_make(hdr, EC_HDR_SIZE);
	if (it_cursor_skip(&c, 4) < 0 || it_take_u8(&c, &version) < 0 || version != UBI_VERSION ||
	    it_cursor_skip(&c, 3 + 8) < 0 || it_take_u32be(&c, &h->vid_off) < 0 ||
	    it_take_u32be(&c, &h->data_off) < 0 || it_take_u32be(&c, &h->image_seq) < 0 ||
	    it_cursor_seek(&c, HDR_CRC_LEN) < 0 || it_take_u32be(&c, &crc) < 0)
		return -1;
	return it_crc32_noinv(hdr, HDR_CRC_LEN) == crc ? 0 : -1;
}

static int ubi_probe(const uint8_t *p, size_t avail)
{
	struct ec_hdr h;
	if (ec_parse(p, avail, &h) < 0)
		return IT_PROBE_NO;
	if (h.vid_off < EC_HDR_SIZE || h.data_off < (uint64_t)h.vid_off + VID_HDR_SIZE)
		return IT_PROBE_WEAK;
	return IT_PROBE_STRONG;
}

static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* The PEB size: the gcd of the offsets of the next few valid EC headers that
 * agree with the first one (a corrupt second PEB does not double the size). */
static int find_peb_size(struct ubi *u, struct it_error *err)
{
	size_t limit = u->avail < PEB_SCAN_MAX ? u->avail : PEB_SCAN_MAX;
	size_t start = ((size_t)u->data_off / PEB_ALIGN + 1) * PEB_ALIGN;
	size_t g = 0, found = 0;
	for (size_t off = start; off + EC_HDR_SIZE <= limit && found < PEB_GCD_SAMPLES;
	     off += PEB_ALIGN) {
		struct ec_hdr h;
		if (memcmp(u->p + off, "UBI#", 4) != 0 || ec_parse(u->p + off, u->avail - off, &h))
			continue;
		if (h.vid_off != u->vid_off || h.data_off != u->data_off ||
		    h.image_seq != u->image_seq)
			continue;
		size_t ng = gcd(g, off);
		if (ng <= u->data_off) /* inconsistent positions: keep what we had */
			continue;
		g = ng;
		found++;
	}
	if (!g)
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, limit,
		        "ubi: a second EC header (\"UBI#\") with the same offsets and "
		        "image sequence expected within 0x%zx bytes to give the PEB size",
		        limit);
	if (g > PEB_SIZE_MAX)
		return it_error_set(err, IT_ERR_INPUT, NULL, g,
		                    "ubi: PEB size 0x%zx above the supported 0x%zx", g,
		                    PEB_SIZE_MAX);
	u->peb_size = g;
	return 0;
}

static int is_erased(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0xff)
			return 0;
	return 1;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct leb_ref *x = a, *y = b;
	if (x->vol_id != y->vol_id)
		return x->vol_id < y->vol_id ? -1 : 1;
	if (x->lnum != y->lnum)
		return x->lnum < y->lnum ? -1 : 1;
	if (x->sqnum != y->sqnum) /* newest first */
		return x->sqnum > y->sqnum ? -1 : 1;
	return x->peb < y->peb ? -1 : (x->peb > y->peb);
}

static const uint8_t *leb_data(const struct ubi *u, const struct leb_ref *r)
{
	return u->p + r->peb * u->peb_size + u->data_off;
}

/* Read the VID header of every PEB. Bad headers are counted and skipped. */
static int scan_pebs(struct ubi *u, size_t *consumed, struct it_error *err)
{
	size_t bad = 0, first_bad = 0, trunc = 0;
	size_t n = 0;
	/* The image runs while PEBs start with an EC header or are erased. */
	while (n < u->avail / u->peb_size + 1) {
		size_t off = n * u->peb_size;
		if (off >= u->avail || u->avail - off < EC_HDR_SIZE)
			break;
		if (memcmp(u->p + off, "UBI#", 4) != 0 && !is_erased(u->p + off, EC_HDR_SIZE))
			break;
		n++;
	}
	u->npebs = n;
	u->refs = calloc(n ? n : 1, sizeof *u->refs);
	if (!u->refs)
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t off = i * u->peb_size;
		const uint8_t *peb = u->p + off;
		if (u->avail - off < u->peb_size) {
			if (!is_erased(peb, EC_HDR_SIZE))
				trunc = off;
			break;
		}
		if (is_erased(peb, EC_HDR_SIZE))
			continue;
		struct ec_hdr ec;
		if (ec_parse(peb, u->peb_size, &ec) < 0 || ec.vid_off != u->vid_off ||
		    ec.data_off != u->data_off) {
			if (!bad++)
				first_bad = off;
			continue;
		}
		struct it_cursor c = it_cursor_make(peb + u->vid_off, VID_HDR_SIZE);
		if (is_erased(c.p, VID_HDR_SIZE))
			continue; /* a free PEB */
		struct leb_ref r = {.peb = i};
		uint8_t version, compat;
		uint32_t crc;
		if (!it_cursor_has(&c, "UBI!", 4) || it_cursor_skip(&c, 4) < 0 ||
		    it_take_u8(&c, &version) < 0 || it_take_u8(&c, &r.vol_type) < 0 ||
		    it_take_u8(&c, &r.copy_flag) < 0 || it_take_u8(&c, &compat) < 0 ||
		    it_take_u32be(&c, &r.vol_id) < 0 || it_take_u32be(&c, &r.lnum) < 0 ||
		    it_cursor_skip(&c, 4) < 0 || it_take_u32be(&c, &r.data_size) < 0 ||
		    it_take_u32be(&c, &r.used_ebs) < 0 || it_take_u32be(&c, &r.data_pad) < 0 ||
		    it_take_u32be(&c, &r.data_crc) < 0 || it_cursor_skip(&c, 4) < 0 ||
		    it_take_u64be(&c, &r.sqnum) < 0 || it_cursor_seek(&c, HDR_CRC_LEN) < 0 ||
		    it_take_u32be(&c, &crc) < 0 || crc != it_crc32_noinv(c.start, HDR_CRC_LEN) ||
		    version != UBI_VERSION ||
		    (r.vol_id >= MAX_USER_VOLS && r.vol_id < INTERNAL_VOL_START) ||
		    (r.vol_type != VOL_DYNAMIC && r.vol_type != VOL_STATIC) ||
		    r.data_pad >= u->peb_size - u->data_off ||
		    r.data_size > u->peb_size - u->data_off - r.data_pad) {
			if (!bad++)
				first_bad = off;
			continue;
		}
		(void)compat;
		u->refs[u->nrefs++] = r;
	}
	*consumed = trunc ? u->avail : n * u->peb_size;
	if (trunc)
		it_job_diag(u->job, IT_ERR_INPUT, trunc,
		            "ubi: PEB %zu at 0x%zx is truncated (0x%zx of 0x%zx bytes present); "
		            "its data is left out",
		            trunc / u->peb_size, trunc, u->avail - trunc, u->peb_size);
	if (bad)
		it_job_diag(u->job, IT_ERR_INPUT, first_bad,
		            "ubi: %zu PEB%s skipped for an invalid EC or VID header (bad magic, "
		            "CRC or field; first at 0x%zx)",
		            bad, bad == 1 ? "" : "s", first_bad);
	qsort(u->refs, u->nrefs, sizeof *u->refs, ref_cmp);
	return 0;
}

/* The copy of LEB (vol, lnum) to use: newest first, but a copy made by wear
 * levelling (copy_flag) whose data CRC fails loses to an older one. */
static const struct leb_ref *pick(const struct ubi *u, size_t first, size_t end)
{
	for (size_t i = first; i < end; i++) {
		const struct leb_ref *r = &u->refs[i];
		if (!r->copy_flag || it_crc32_noinv(leb_data(u, r), r->data_size) == r->data_crc)
			return r;
	}
	return &u->refs[first];
}

/* Parse one copy of the volume table; 0 when every record's CRC is good. */
static int parse_vtbl(struct ubi *u, const struct leb_ref *r, size_t *bad_rec)
{
	size_t leb_size = u->peb_size - u->data_off;
	size_t nrec = leb_size / VTBL_REC_SIZE;
	if (nrec > MAX_USER_VOLS)
		nrec = MAX_USER_VOLS;
	struct vol_rec vols[MAX_USER_VOLS];
	memset(vols, 0, sizeof vols);
	for (size_t i = 0; i < nrec; i++) {
		const uint8_t *rec = leb_data(u, r) + i * VTBL_REC_SIZE;
		struct it_cursor c = it_cursor_make(rec, VTBL_REC_SIZE);
		uint32_t alignment, crc;
		uint16_t name_len;
		uint8_t upd_marker;
		const uint8_t *name;
		struct vol_rec *v = &vols[i];
		if (it_take_u32be(&c, &v->reserved_pebs) < 0 || it_take_u32be(&c, &alignment) < 0 ||
		    it_take_u32be(&c, &v->data_pad) < 0 || it_take_u8(&c, &v->vol_type) < 0 ||
		    it_take_u8(&c, &upd_marker) < 0 || it_take_u16be(&c, &name_len) < 0 ||
		    it_take_bytes(&c, &name, VOL_NAME_MAX + 1) < 0 ||
		    it_cursor_seek(&c, VTBL_CRC_LEN) < 0 || it_take_u32be(&c, &crc) < 0)
			return -1;
		if (it_crc32_noinv(rec, VTBL_CRC_LEN) != crc) {
			*bad_rec = i;
			return -1;
		}
		if (v->reserved_pebs == 0)
			continue; /* an empty slot */
		if (name_len > VOL_NAME_MAX || v->data_pad >= leb_size ||
		    (v->vol_type != VOL_DYNAMIC && v->vol_type != VOL_STATIC)) {
			*bad_rec = i;
			return -1;
		}
		(void)alignment;
		(void)upd_marker;
		/* The name becomes part of a chain: keep it to safe characters. */
		size_t k = 0;
		for (size_t j = 0; j < name_len && name[j]; j++) {
			uint8_t ch = name[j];
			int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			         (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
			v->name[k++] = ok ? (char)ch : '_';
		}
		v->name[k] = 0;
		v->present = 1;
	}
	memcpy(u->vols, vols, sizeof vols);
	u->have_vtbl = 1;
	return 0;
}

/* The layout volume holds two copies of the volume table (LEB 0 and 1). */
static void read_layout(struct ubi *u)
{
	const struct leb_ref *copies[2] = {NULL, NULL};
	size_t i = 0;
	while (i < u->nrefs && u->refs[i].vol_id != LAYOUT_VOL_ID)
		i++;
	while (i < u->nrefs && u->refs[i].vol_id == LAYOUT_VOL_ID) {
		size_t j = i;
		while (j < u->nrefs && u->refs[j].vol_id == LAYOUT_VOL_ID &&
		       u->refs[j].lnum == u->refs[i].lnum)
			j++;
		if (u->refs[i].lnum < 2)
			copies[u->refs[i].lnum] = pick(u, i, j);
		i = j;
	}
	size_t bad_rec = 0;
	for (int k = 0; k < 2; k++)
		if (copies[k] && parse_vtbl(u, copies[k], &bad_rec) == 0) {
			if (k == 1 && copies[0])
				it_job_diag(u->job, IT_ERR_INPUT,
				            copies[0]->peb * u->peb_size + u->data_off,
				            "ubi: volume table copy 0 is corrupt (record %zu); "
				            "copy 1 used",
				            bad_rec);
			return;
		}
	if (copies[0] || copies[1])
		it_job_diag(u->job, IT_ERR_INPUT,
		            (copies[0] ? copies[0] : copies[1])->peb * u->peb_size + u->data_off,
		            "ubi: volume table corrupt (record %zu has a bad CRC or field); "
		            "volumes are named by id",
		            bad_rec);
	else
		it_job_diag(u->job, IT_ERR_INPUT, 0,
		            "ubi: no layout volume (vol_id 0x%x) found; volumes are named by id",
		            LAYOUT_VOL_ID);
}

/* Assemble volume vol_id from refs[first..end) and report it as a child blob. */
static int emit_volume(struct ubi *u, uint32_t vol_id, size_t first, size_t end,
                       struct it_error *err)
{
	const struct vol_rec *rec = u->have_vtbl ? &u->vols[vol_id] : NULL;
	if (rec && !rec->present) {
		it_job_diag(u->job, IT_ERR_INPUT, u->refs[first].peb * u->peb_size,
		            "ubi: PEBs of volume %u, which the volume table does not list, "
		            "left out",
		            vol_id);
		return 0;
	}
	const struct leb_ref *newest = &u->refs[first];
	uint32_t data_pad = rec ? rec->data_pad : newest->data_pad;
	uint8_t vol_type = rec ? rec->vol_type : newest->vol_type;
	size_t leb_size = u->peb_size - u->data_off - data_pad;
	/* LEB numbers are bounded by the reservation, or without a table by the PEBs. */
	uint64_t max_lebs = rec ? rec->reserved_pebs : u->npebs;
	size_t ignored = 0;
	uint64_t nlebs = 0, size;
	for (size_t i = first; i < end; i++) {
		if (u->refs[i].lnum >= max_lebs)
			ignored++;
		else if (u->refs[i].lnum + 1u > nlebs)
			nlebs = u->refs[i].lnum + 1u;
	}
	if (vol_type == VOL_STATIC) {
		for (size_t i = first; i < end; i++)
			if (u->refs[i].lnum < max_lebs)
				newest = u->refs[i].sqnum > newest->sqnum ? &u->refs[i] : newest;
		nlebs = newest->used_ebs < max_lebs ? newest->used_ebs : max_lebs;
	}
	if (ignored)
		it_job_diag(u->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "ubi: %zu LEB%s of volume %u beyond its %llu reserved blocks left out",
		            ignored, ignored == 1 ? "" : "s", vol_id, (unsigned long long)max_lebs);
	if (nlebs == 0)
		return 0;
	size = nlebs * leb_size;
	u->in_total += (uint64_t)(end - first) * u->peb_size;
	if (it_job_check_output(u->job, u->in_total, u->out_total + size, err) < 0)
		return -1;
	if (size > SIZE_MAX)
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
	uint8_t *buf = malloc((size_t)size ? (size_t)size : 1);
	if (!buf)
		return it_error_set(err, IT_ERR_NOMEM, NULL, 0, "out of memory");
	memset(buf, 0xff, (size_t)size);
	size_t missing = 0, crc_bad = 0;
	uint64_t len = size;
	size_t i = first;
	for (uint64_t lnum = 0; lnum < nlebs; lnum++) {
		while (i < end && u->refs[i].lnum < lnum)
			i++;
		size_t j = i;
		while (j < end && u->refs[j].lnum == lnum)
			j++;
		if (i == j) {
			missing++;
			continue;
		}
		const struct leb_ref *r = pick(u, i, j);
		size_t n = leb_size;
		if (vol_type == VOL_STATIC) {
			/* the table's data_pad may leave less room than the VID header's */
			n = r->data_size < leb_size ? r->data_size : leb_size;
			if (it_crc32_noinv(leb_data(u, r), r->data_size) != r->data_crc)
				crc_bad++;
			if (lnum + 1 == nlebs)
				len = lnum * leb_size + n;
		}
		memcpy(buf + lnum * leb_size, leb_data(u, r), n);
		i = j;
	}
	if (vol_type == VOL_STATIC && (missing || crc_bad))
		it_job_diag(u->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "ubi: static volume %u: %zu LEB%s missing, %zu with a bad data CRC",
		            vol_id, missing, missing == 1 ? "" : "s", crc_bad);
	u->out_total += len;
	char label[VOL_NAME_MAX + 16];
	if (rec && rec->name[0])
		memcpy(label, rec->name, sizeof rec->name);
	else
		snprintf(label, sizeof label, "vol%u", vol_id);
	int r = it_job_blob(u->job, label, buf, (size_t)len,
	                    (uint64_t)u->refs[first].peb * u->peb_size + u->data_off, IT_BLOB_CARVE,
	                    err);
	free(buf);
	return r;
}

static int ubi_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                      struct it_error *err)
{
	struct ubi u;
	struct ec_hdr ec;
	memset(&u, 0, sizeof u);
	u.job = job;
	u.p = p;
	u.avail = avail;
	if (ec_parse(p, avail, &ec) < 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "ubi: EC header (\"UBI#\", version 1, valid CRC) expected");
	if (ec.vid_off < EC_HDR_SIZE || ec.data_off < (uint64_t)ec.vid_off + VID_HDR_SIZE ||
	    ec.data_off >= PEB_SIZE_MAX)
		return it_error_set(err, IT_ERR_INPUT, NULL, 16,
		                    "ubi: VID header offset 0x%x and data offset 0x%x out of range "
		                    "(VID header after the EC header, data after the VID header)",
		                    ec.vid_off, ec.data_off);
	u.vid_off = ec.vid_off;
	u.data_off = ec.data_off;
	u.image_seq = ec.image_seq;
	if (find_peb_size(&u, err) < 0 || scan_pebs(&u, consumed, err) < 0) {
		free(u.refs);
		return -1;
	}
	read_layout(&u);
	int r = 0;
	for (size_t i = 0; i < u.nrefs && r == 0;) {
		size_t j = i;
		while (j < u.nrefs && u.refs[j].vol_id == u.refs[i].vol_id)
			j++;
		if (u.refs[i].vol_id < MAX_USER_VOLS)
			r = emit_volume(&u, u.refs[i].vol_id, i, j, err);
		i = j;
	}
	free(u.refs);
	return r;
}

const struct it_format it_fmt_ubi = {
        .name = "ubi",
        .magic = {{"UBI#", 4, 0}, {NULL, 0, 0}},
        .probe = ubi_probe,
        .unpack = ubi_unpack,
};

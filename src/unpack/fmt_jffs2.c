/*
 * JFFS2 file systems (Linux fs/jffs2), parsed by hand. The image is a log of
 * nodes, each with CRCs and a version: the reader scans every node, keeps the
 * newest directory entry per (parent, name) and applies data nodes in version
 * order, then walks the tree from the root inode 1. Both byte orders; data is
 * stored, zero, rtime, zlib, LZO or LZMA (OpenWrt); files are built on demand.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lzma.h>
#include <lzo/lzo1x.h>
#include <zlib.h>

#include "crc.h"
#include "format.h"
#include "iotrust/cursor.h"

#define J_MAGIC        0x1985
#define J_ACCURATE     0x2000
#define J_FEATURE_MASK 0xc000
#define J_INCOMPAT     0xc000
#define J_DIRENT       0xe001
#define J_INODE        0xe002
#define J_CLEANMARKER  0x2003
#define J_PADDING      0x2004
#define J_SUMMARY      0x2006
#define J_XATTR        0xe008
#define J_XREF         0xe009

#define HDR_LEN    12 /* magic, nodetype, totlen, hdr_crc */
#define DIRENT_LEN 40 /* struct jffs2_raw_dirent before the name */
#define INODE_LEN  68 /* struct jffs2_raw_inode before the data */

enum compr {
	COMPR_NONE = 0,
	COMPR_ZERO = 1,
	COMPR_RTIME = 2,
	COMPR_RUBINMIPS = 3,
	COMPR_COPY = 4,
	COMPR_DYNRUBIN = 5,
	COMPR_ZLIB = 6,
	COMPR_LZO = 7,
	COMPR_LZMA = 8,
};

#define MAX_NODE_DATA ((uint32_t)256 << 10) /* the largest page size Linux has */
#define MAX_NODES     ((size_t)1 << 22)     /* inode and dirent nodes in one image */
#define MAX_DEPTH     256                   /* directories inside directories */
#define MAX_GAP       ((size_t)256 << 10)   /* unrecognised bytes before the FS is over */
#define MAX_SHOWN     16                    /* node problems reported one by one */
#define LZMA_DICT     ((uint32_t)256 << 10)

/* An inode node: metadata and (optionally) a range of file data. */
struct jnode {
	size_t off;      /* of the node in the image */
	size_t data_off; /* of the compressed data */
	uint32_t totlen, ino, version, mode, isize, mtime, offset, csize, dsize;
	uint16_t uid, gid;
	uint8_t compr;
};

/* A directory entry node; ino 0 deletes the name. */
struct jdent {
	size_t off;
	const uint8_t *name;
	uint32_t pino, version, ino;
	uint8_t nsize, type;
};

/* Everything known about one inode number: its nodes in version order. */
struct jino {
	uint32_t ino;
	size_t first, count; /* range in jffs2.nodes; the last one is the newest */
	size_t link_path;    /* offset of its first path in jffs2.paths, or SIZE_MAX */
	uint32_t refs;       /* current directory entries naming it */
	uint8_t visited, superseded;
};

struct jffs2 {
	struct it_job *job;
	const uint8_t *p;
	size_t avail;
	int be;
	struct jnode *nodes;
	size_t nnodes, nodes_cap;
	struct jdent *dents;
	size_t ndents, dents_cap;
	struct jino *inos;
	size_t ninos;
	struct it_buf paths;   /* first paths of inodes with more than one name */
	struct it_buf path;    /* the path being built by the walk */
	struct it_buf scratch; /* one node's decompressed data */
	size_t cleanmarkers[2];
	size_t ncleanmarkers;
	size_t shown, hidden; /* node problems reported and held back */
	/* file data being read */
	const struct jino *cur;
	uint64_t cur_in;
	z_stream zs;
	int zs_ready;
};

/* ---- small helpers ---- */

/* Does a stored CRC match? Fuzzing builds (the libFuzzer convention) accept any,
 * so mutated inputs reach the parser behind the checks. */
static int crc_ok(uint32_t computed, uint32_t stored)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	(void)computed;
	(void)stored;
	return 1;
#else
	return computed == stored;
#endif
}

static uint16_t ld16(int be, const uint8_t *q)
{
	return be ? (uint16_t)((q[0] << 8) | q[1]) : (uint16_t)(q[0] | (q[1] << 8));
}

static int take16(struct it_cursor *c, int be, uint16_t *v)
{
	return be ? it_take_u16be(c, v) : it_take_u16le(c, v);
}

static int take32(struct it_cursor *c, int be, uint32_t *v)
{
	return be ? it_take_u32be(c, v) : it_take_u32le(c, v);
}

static size_t pad4(size_t n)
{
	return n + ((4 - (n & 3)) & 3);
}

/* Is the node header at q (HDR_LEN bytes) intact? The CRC covers the node type
 * with the "accurate" bit set: the kernel clears that bit to obsolete a node. */
static int header_ok(int be, const uint8_t *q)
{
	uint8_t h[8];
	memcpy(h, q, 8);
	uint16_t type = (uint16_t)(ld16(be, q + 2) | J_ACCURATE);
	h[2] = (uint8_t)(be ? type >> 8 : type);
	h[3] = (uint8_t)(be ? type : type >> 8);
	struct it_cursor c = it_cursor_make(q + 8, 4);
	uint32_t crc = 0;
	take32(&c, be, &crc);
	return crc_ok(it_crc32_seed0(h, 8), crc);
}

/* A node problem: the first MAX_SHOWN are reported one by one, the rest are
 * counted and summed up at the end (a damaged flash dump has thousands). */
static void problem(struct jffs2 *fs, size_t off, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void problem(struct jffs2 *fs, size_t off, const char *fmt, ...)
{
	if (fs->shown >= MAX_SHOWN) {
		fs->hidden++;
		return;
	}
	struct it_buf msg = IT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	it_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	it_job_diag(fs->job, IT_ERR_INPUT, off, "jffs2: %s", it_buf_str(&msg));
	it_buf_free(&msg);
	fs->shown++;
}

/* ---- scanning the nodes ---- */

static int parse_dirent(struct jffs2 *fs, size_t off, uint32_t totlen)
{
	struct it_cursor c = it_cursor_make(fs->p + off + HDR_LEN, totlen - HDR_LEN);
	struct jdent d = {.off = off};
	uint32_t mctime, node_crc, name_crc;
	uint8_t unused;
	if (totlen < DIRENT_LEN || take32(&c, fs->be, &d.pino) || take32(&c, fs->be, &d.version) ||
	    take32(&c, fs->be, &d.ino) || take32(&c, fs->be, &mctime) || it_take_u8(&c, &d.nsize) ||
	    it_take_u8(&c, &d.type) || it_take_u8(&c, &unused) || it_take_u8(&c, &unused) ||
	    take32(&c, fs->be, &node_crc) || take32(&c, fs->be, &name_crc)) {
		problem(fs, off,
		        "directory entry node at 0x%zx is %u bytes, shorter than its "
		        "%d-byte header (skipped)",
		        off, totlen, DIRENT_LEN);
		return 0;
	}
	if (!crc_ok(it_crc32_seed0(fs->p + off, DIRENT_LEN - 8), node_crc)) {
		problem(fs, off, "directory entry node at 0x%zx: node CRC mismatch (skipped)", off);
		return 0;
	}
	if (it_take_bytes(&c, &d.name, d.nsize) < 0) {
		problem(fs, off,
		        "directory entry node at 0x%zx: name of %u bytes beyond the node "
		        "end (skipped)",
		        off, d.nsize);
		return 0;
	}
	if (!crc_ok(it_crc32_seed0(d.name, d.nsize), name_crc)) {
		problem(fs, off, "directory entry node at 0x%zx: name CRC mismatch (skipped)", off);
		return 0;
	}
	if (d.pino == 0) {
		problem(fs, off, "directory entry node at 0x%zx has parent inode 0 (skipped)", off);
		return 0;
	}
	if (it_array_grow((void **)&fs->dents, &fs->dents_cap, fs->ndents, sizeof d) < 0)
		return -1;
	fs->dents[fs->ndents++] = d;
	return 0;
}

static int parse_inode(struct jffs2 *fs, size_t off, uint32_t totlen)
{
	struct it_cursor c = it_cursor_make(fs->p + off + HDR_LEN, totlen - HDR_LEN);
	struct jnode n = {.off = off, .totlen = totlen};
	uint32_t atime, ctime, data_crc, node_crc;
	uint16_t flags;
	uint8_t usercompr;
	if (totlen < INODE_LEN || take32(&c, fs->be, &n.ino) || take32(&c, fs->be, &n.version) ||
	    take32(&c, fs->be, &n.mode) || take16(&c, fs->be, &n.uid) ||
	    take16(&c, fs->be, &n.gid) || take32(&c, fs->be, &n.isize) ||
	    take32(&c, fs->be, &atime) || take32(&c, fs->be, &n.mtime) ||
	    take32(&c, fs->be, &ctime) || take32(&c, fs->be, &n.offset) ||
	    take32(&c, fs->be, &n.csize) || take32(&c, fs->be, &n.dsize) ||
	    it_take_u8(&c, &n.compr) || it_take_u8(&c, &usercompr) || take16(&c, fs->be, &flags) ||
	    take32(&c, fs->be, &data_crc) || take32(&c, fs->be, &node_crc)) {
		problem(fs, off,
		        "inode node at 0x%zx is %u bytes, shorter than its %d-byte header "
		        "(skipped)",
		        off, totlen, INODE_LEN);
		return 0;
	}
	if (!crc_ok(it_crc32_seed0(fs->p + off, INODE_LEN - 8), node_crc)) {
		problem(fs, off, "inode node at 0x%zx: node CRC mismatch (skipped)", off);
		return 0;
	}
	const uint8_t *data;
	if (it_take_bytes(&c, &data, n.csize) < 0) {
		problem(fs, off,
		        "inode node at 0x%zx: %u bytes of data beyond the node end "
		        "(0x%x bytes; skipped)",
		        off, n.csize, totlen);
		return 0;
	}
	if (!crc_ok(it_crc32_seed0(data, n.csize), data_crc)) {
		problem(fs, off, "inode node at 0x%zx (inode %u): data CRC mismatch (skipped)", off,
		        n.ino);
		return 0;
	}
	if (n.ino == 0 || n.dsize > MAX_NODE_DATA) {
		problem(fs, off,
		        "inode node at 0x%zx: inode %u with %u bytes of data (expected "
		        "inode > 0 and at most %u bytes; skipped)",
		        off, n.ino, n.dsize, MAX_NODE_DATA);
		return 0;
	}
	n.data_off = (size_t)(data - fs->p);
	if (it_array_grow((void **)&fs->nodes, &fs->nodes_cap, fs->nnodes, sizeof n) < 0)
		return -1;
	fs->nodes[fs->nnodes++] = n;
	return 0;
}

/* Skipped bytes before a good node: report why, now that they are known to lie
 * inside the file system (after its end they are simply someone else's data). */
static void flush_gap(struct jffs2 *fs, size_t start, size_t bad_crc, size_t first_bad, size_t at)
{
	if (bad_crc == 1)
		problem(fs, first_bad, "node header CRC mismatch at 0x%zx (node skipped)",
		        first_bad);
	else if (bad_crc > 1)
		problem(fs, first_bad,
		        "%zu node headers with CRC mismatches from 0x%zx to 0x%zx "
		        "(nodes skipped)",
		        bad_crc, first_bad, at);
	else
		problem(fs, start, "%zu bytes of unrecognised data at 0x%zx (skipped)", at - start,
		        start);
}

/* The erase block size, from the distance of the first two cleanmarkers (one
 * starts every block); 0 when unknown. */
static size_t erase_size(const struct jffs2 *fs)
{
	if (fs->ncleanmarkers < 2)
		return 0;
	size_t d = fs->cleanmarkers[1] - fs->cleanmarkers[0];
	return d >= (4 << 10) && d <= (1 << 20) && (d & (d - 1)) == 0 ? d : 0;
}

/* Walk the node log from p[0]; *end_out is the end of the last good node.
 * Returns -1 only when out of memory. */
static int scan(struct jffs2 *fs, size_t *end_out)
{
	const uint8_t *p = fs->p;
	size_t avail = fs->avail, pos = 0, end = 0;
	size_t gap = SIZE_MAX, bad_crc = 0, first_bad = 0;
	while (avail - pos >= 4) {
		if (memcmp(p + pos, "\xff\xff\xff\xff", 4) == 0) {
			pos += 4;
			continue;
		}
		if (gap != SIZE_MAX && pos - gap > MAX_GAP)
			break;
		if (avail - pos < HDR_LEN || ld16(fs->be, p + pos) != J_MAGIC ||
		    !header_ok(fs->be, p + pos)) {
			if (avail - pos >= HDR_LEN && ld16(fs->be, p + pos) == J_MAGIC) {
				if (bad_crc++ == 0)
					first_bad = pos;
			}
			if (gap == SIZE_MAX)
				gap = pos;
			pos += 4;
			continue;
		}
		struct it_cursor c = it_cursor_make(p + pos + 2, HDR_LEN - 2);
		uint16_t type;
		uint32_t totlen;
		take16(&c, fs->be, &type);
		take32(&c, fs->be, &totlen);
		if (totlen < HDR_LEN) {
			if (gap == SIZE_MAX)
				gap = pos;
			pos += 4;
			continue;
		}
		if (totlen > avail - pos) {
			if (gap == SIZE_MAX) /* always shown: the rest of the image is missing */
				it_job_diag(fs->job, IT_ERR_INPUT, pos,
				            "jffs2: node at 0x%zx claims 0x%x bytes, beyond the "
				            "image end (0x%zx): image truncated",
				            pos, totlen, avail);
			break;
		}
		if (gap != SIZE_MAX)
			flush_gap(fs, gap, bad_crc, first_bad, pos);
		gap = SIZE_MAX;
		bad_crc = 0;
		if (fs->nnodes + fs->ndents >= MAX_NODES) {
			problem(fs, pos,
			        "more than %zu nodes: the rest of the image from 0x%zx is "
			        "not read",
			        MAX_NODES, pos);
			break;
		}
		if (type & J_ACCURATE) {
			switch (type) {
			case J_DIRENT:
				if (parse_dirent(fs, pos, totlen) < 0)
					return -1;
				break;
			case J_INODE:
				if (parse_inode(fs, pos, totlen) < 0)
					return -1;
				break;
			case J_CLEANMARKER:
				if (fs->ncleanmarkers < 2)
					fs->cleanmarkers[fs->ncleanmarkers++] = pos;
				break;
			case J_PADDING:
			case J_SUMMARY:
			case J_XATTR:
			case J_XREF:
				break;
			default:
				if ((type & J_FEATURE_MASK) == J_INCOMPAT)
					problem(fs, pos,
					        "unknown node type 0x%04x at 0x%zx, marked "
					        "incompatible (skipped)",
					        type, pos);
				break;
			}
		}
		end = pos + totlen;
		pos = pad4(end) < avail ? pad4(end) : avail;
	}
	/* damaged headers in the last erase block, followed by nothing good: still
	 * inside the file system (further away they may be a neighbour's bytes) */
	size_t block = erase_size(fs) ? erase_size(fs) : (size_t)64 << 10;
	if (gap != SIZE_MAX && bad_crc && first_bad / block == (end - 1) / block)
		flush_gap(fs, gap, bad_crc, first_bad, pos);
	*end_out = end;
	return 0;
}

/* Where the file system ends: after the last node, plus the erased (0xff) rest
 * of its erase block when that fits in the input. */
static size_t fs_extent(const struct jffs2 *fs, size_t end)
{
	static const size_t sizes[] = {256 << 10, 128 << 10, 64 << 10, 32 << 10,
	                               16 << 10,  8 << 10,   4 << 10};
	size_t es = erase_size(fs);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t b = es ? es : sizes[i];
		size_t bnd = (end + b - 1) / b * b;
		if (bnd <= fs->avail) {
			size_t k = end;
			while (k < bnd && fs->p[k] == 0xff)
				k++;
			if (k == bnd)
				return bnd;
		}
		if (es)
			break;
	}
	return end;
}

/* ---- building the tree ---- */

static int cmp_node(const void *a, const void *b)
{
	const struct jnode *x = a, *y = b;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int cmp_dent(const void *a, const void *b)
{
	const struct jdent *x = a, *y = b;
	if (x->pino != y->pino)
		return x->pino < y->pino ? -1 : 1;
	size_t n = x->nsize < y->nsize ? x->nsize : y->nsize;
	int r = memcmp(x->name, y->name, n);
	if (r)
		return r;
	if (x->nsize != y->nsize)
		return x->nsize < y->nsize ? -1 : 1;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static struct jino *find_ino(struct jffs2 *fs, uint32_t ino)
{
	size_t lo = 0, hi = fs->ninos;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fs->inos[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < fs->ninos && fs->inos[lo].ino == ino ? &fs->inos[lo] : NULL;
}

/* The first directory entry with parent pino. */
static size_t first_dent(const struct jffs2 *fs, uint32_t pino)
{
	size_t lo = 0, hi = fs->ndents;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fs->dents[mid].pino < pino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int same_name(const struct jdent *a, const struct jdent *b)
{
	return a->pino == b->pino && a->nsize == b->nsize &&
	       memcmp(a->name, b->name, a->nsize) == 0;
}

/* Sort the nodes, group them by inode, keep the newest entry per name. */
static int build(struct jffs2 *fs)
{
	if (fs->nnodes)
		qsort(fs->nodes, fs->nnodes, sizeof *fs->nodes, cmp_node);
	if (fs->ndents)
		qsort(fs->dents, fs->ndents, sizeof *fs->dents, cmp_dent);
	size_t groups = 0;
	for (size_t i = 0; i < fs->nnodes; i++)
		groups += i == 0 || fs->nodes[i].ino != fs->nodes[i - 1].ino;
	fs->inos = calloc(groups ? groups : 1, sizeof *fs->inos);
	if (!fs->inos)
		return -1;
	for (size_t i = 0; i < fs->nnodes; i++) {
		if (i == 0 || fs->nodes[i].ino != fs->nodes[i - 1].ino) {
			struct jino *g = &fs->inos[fs->ninos++];
			g->ino = fs->nodes[i].ino;
			g->first = i;
			g->link_path = SIZE_MAX;
		}
		fs->inos[fs->ninos - 1].count++;
	}
	size_t kept = 0;
	for (size_t i = 0; i < fs->ndents; i++) {
		const struct jdent *d = &fs->dents[i];
		if (i + 1 < fs->ndents && same_name(d, &fs->dents[i + 1])) {
			/* an older version of this name: its inode was replaced or deleted */
			struct jino *g = find_ino(fs, d->ino);
			if (g)
				g->superseded = 1;
			continue;
		}
		if (d->ino == 0)
			continue;
		struct jino *g = find_ino(fs, d->ino);
		if (g && g->refs < UINT32_MAX)
			g->refs++;
		fs->dents[kept++] = *d;
	}
	fs->ndents = kept;
	return 0;
}

static const struct jnode *latest(const struct jffs2 *fs, const struct jino *g)
{
	return &fs->nodes[g->first + g->count - 1];
}

/* ---- file data ---- */

static int inflate_node(struct jffs2 *fs, const uint8_t *in, uint32_t csize, uint8_t *out,
                        uint32_t dsize)
{
	/* The kernel writes zlib streams; very old images have raw deflate. */
	int wbits = csize >= 2 && (in[0] & 0x0f) == Z_DEFLATED && ((in[0] << 8) + in[1]) % 31 == 0
	                    ? MAX_WBITS
	                    : -MAX_WBITS;
	if (!fs->zs_ready) {
		if (inflateInit2(&fs->zs, wbits) != Z_OK)
			return -1;
		fs->zs_ready = 1;
	} else if (inflateReset2(&fs->zs, wbits) != Z_OK) {
		return -1;
	}
	fs->zs.next_in = (Bytef *)(uintptr_t)in;
	fs->zs.avail_in = csize;
	fs->zs.next_out = out;
	fs->zs.avail_out = dsize;
	int zr = inflate(&fs->zs, Z_FINISH);
	/* a full page is enough: some writers leave bytes after the stream end */
	if (zr != Z_STREAM_END && zr != Z_OK && zr != Z_BUF_ERROR)
		return -1;
	return fs->zs.avail_out == 0 ? 0 : -1;
}

static int lzma_node(const uint8_t *in, uint32_t csize, uint8_t *out, uint32_t dsize)
{
	/* OpenWrt's JFFS2 LZMA: raw LZMA1, lc=0 lp=0 pb=0, no header, no size */
	lzma_options_lzma opt;
	if (lzma_lzma_preset(&opt, 0))
		return -1;
	opt.lc = 0;
	opt.lp = 0;
	opt.pb = 0;
	opt.dict_size = LZMA_DICT;
	lzma_filter filters[2] = {{LZMA_FILTER_LZMA1, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
	lzma_stream s = LZMA_STREAM_INIT;
	if (lzma_raw_decoder(&s, filters) != LZMA_OK)
		return -1;
	s.next_in = in;
	s.avail_in = csize;
	s.next_out = out;
	s.avail_out = dsize;
	lzma_ret r = LZMA_OK;
	while (r == LZMA_OK && s.avail_out > 0 && s.avail_in > 0)
		r = lzma_code(&s, LZMA_RUN);
	if (r == LZMA_OK && s.avail_out > 0)
		r = lzma_code(&s, LZMA_FINISH);
	size_t left = s.avail_out;
	lzma_end(&s);
	return left == 0 && (r == LZMA_OK || r == LZMA_STREAM_END) ? 0 : -1;
}

/* rtime (fs/jffs2/compr_rtime.c): pairs of (byte, run); a run repeats the bytes
 * that followed the previous occurrence of the same byte value. */
static int rtime_node(const uint8_t *in, uint32_t csize, uint8_t *out, uint32_t dsize)
{
	uint32_t last[256] = {0};
	uint32_t pos = 0, o = 0;
	while (o < dsize) {
		if (csize - pos < 2)
			return -1;
		uint8_t value = in[pos], run = in[pos + 1];
		pos += 2;
		out[o++] = value;
		uint32_t back = last[value];
		last[value] = o;
		if (run > dsize - o)
			return -1;
		for (uint8_t k = 0; k < run; k++)
			out[o++] = out[back++];
	}
	return 0;
}

/* Decompress one node into fs->scratch. NULL, or why it could not be done. */
static const char *decode_node(struct jffs2 *fs, const struct jnode *n)
{
	const uint8_t *in = fs->p + n->data_off;
	it_buf_truncate(&fs->scratch, 0);
	if (it_buf_reserve(&fs->scratch, n->dsize) < 0)
		return "out of memory";
	uint8_t *out = fs->scratch.data;
	memset(out, 0, n->dsize);
	fs->scratch.len = n->dsize;
	switch (n->compr) {
	case COMPR_NONE:
	case COMPR_COPY:
		if (n->csize < n->dsize)
			return "stored data shorter than the node's size";
		memcpy(out, in, n->dsize);
		return NULL;
	case COMPR_ZERO:
		return NULL;
	case COMPR_RTIME:
		return rtime_node(in, n->csize, out, n->dsize) ? "corrupt rtime data" : NULL;
	case COMPR_ZLIB:
		return inflate_node(fs, in, n->csize, out, n->dsize) ? "corrupt zlib data" : NULL;
	case COMPR_LZO: {
		lzo_uint dl = n->dsize;
		int r = lzo1x_decompress_safe(in, n->csize, out, &dl, NULL);
		return r != LZO_E_OK || dl != n->dsize ? "corrupt LZO data" : NULL;
	}
	case COMPR_LZMA:
		return lzma_node(in, n->csize, out, n->dsize) ? "corrupt LZMA data" : NULL;
	case COMPR_RUBINMIPS:
	case COMPR_DYNRUBIN:
		return "rubin compression is not supported";
	default:
		return "unknown compression";
	}
}

/* Extend out (the first out->len bytes of inode g) to min(want, isize) bytes:
 * zeros (holes), then every data node over that range in version order. */
static int fill(struct jffs2 *fs, const struct jino *g, const char *path, struct it_buf *out,
                uint64_t want, struct it_error *err)
{
	uint64_t isize = latest(fs, g)->isize;
	uint64_t from = out->len, to = want < isize ? want : isize;
	if (to <= from)
		return 0;
	/* account for the input first, so a lying size is refused before allocating */
	uint64_t in = fs->cur_in;
	for (size_t i = g->first; i < g->first + g->count; i++) {
		const struct jnode *n = &fs->nodes[i];
		if (n->dsize && n->offset < to && (uint64_t)n->offset + n->dsize > from)
			in += n->totlen;
	}
	if (it_job_check_entry_output(fs->job, in, to, err) < 0)
		return -1;
	fs->cur_in = in;
	if (it_buf_reserve(out, (size_t)(to - from)) < 0)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	memset(out->data + from, 0, (size_t)(to - from));
	for (size_t i = g->first; i < g->first + g->count; i++) {
		const struct jnode *n = &fs->nodes[i];
		uint64_t a = n->offset, b = (uint64_t)n->offset + n->dsize;
		if (!n->dsize || a >= to || b <= from)
			continue;
		const char *why = decode_node(fs, n);
		if (why) {
			problem(fs, n->off,
			        "'%s': data node at 0x%zx (bytes %u..%llu): %s (read as "
			        "zeros)",
			        path, n->off, n->offset, (unsigned long long)b, why);
			continue;
		}
		uint64_t lo = a > from ? a : from, hi = b < to ? b : to;
		memcpy(out->data + lo, fs->scratch.data + (lo - a), (size_t)(hi - lo));
	}
	out->len = (size_t)to;
	out->data[out->len] = 0;
	return 0;
}

static int load_file(void *ctx, const struct it_entry *e, struct it_buf *out, size_t want,
                     struct it_error *err)
{
	struct jffs2 *fs = ctx;
	return fill(fs, fs->cur, e->path, out, want, err);
}

/* ---- emitting the tree ---- */

static int type_of(uint32_t mode, uint8_t dtype, enum it_entry_type *t)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		*t = IT_ENTRY_FILE;
		return 0;
	case S_IFDIR:
		*t = IT_ENTRY_DIR;
		return 0;
	case S_IFLNK:
		*t = IT_ENTRY_SYMLINK;
		return 0;
	case S_IFCHR:
		*t = IT_ENTRY_CHAR;
		return 0;
	case S_IFBLK:
		*t = IT_ENTRY_BLOCK;
		return 0;
	case S_IFIFO:
		*t = IT_ENTRY_FIFO;
		return 0;
	case S_IFSOCK:
		*t = IT_ENTRY_SOCKET;
		return 0;
	}
	/* no usable mode: the directory entry's DT_* type */
	static const int8_t dt[16] = {-1,
	                              IT_ENTRY_FIFO,
	                              IT_ENTRY_CHAR,
	                              -1,
	                              IT_ENTRY_DIR,
	                              -1,
	                              IT_ENTRY_BLOCK,
	                              -1,
	                              IT_ENTRY_FILE,
	                              -1,
	                              IT_ENTRY_SYMLINK,
	                              -1,
	                              IT_ENTRY_SOCKET,
	                              -1,
	                              -1,
	                              -1};
	if (dtype < 16 && dt[dtype] >= 0) {
		*t = (enum it_entry_type)dt[dtype];
		return 0;
	}
	return -1;
}

/* Report one directory entry; *descend is set for a directory to walk into. */
static int emit(struct jffs2 *fs, const struct jdent *d, int *descend, struct it_error *err)
{
	const char *path = it_buf_str(&fs->path);
	const struct it_unpack_limits *l = it_job_limits(fs->job);
	struct jino *g = find_ino(fs, d->ino);
	*descend = 0;
	if (d->ino == 1) { /* the root has no inode node in images made by mkfs.jffs2 */
		problem(fs, d->off, "directory '%s' (inode 1) is reached twice: a loop (skipped)",
		        path);
		return 0;
	}
	if (!g) {
		problem(fs, d->off, "'%s' names inode %u, which has no inode node (skipped)", path,
		        d->ino);
		return 0;
	}
	const struct jnode *m = latest(fs, g);
	struct it_entry e;
	memset(&e, 0, sizeof e);
	if (type_of(m->mode, d->type, &e.type) < 0) {
		problem(fs, m->off, "'%s' (inode %u) has an unknown file type (mode 0%o; skipped)",
		        path, g->ino, m->mode);
		return 0;
	}
	if (g->visited && e.type == IT_ENTRY_DIR) {
		problem(fs, d->off, "directory '%s' (inode %u) is reached twice: a loop (skipped)",
		        path, g->ino);
		return 0;
	}
	e.path = path;
	e.mode = m->mode & 07777;
	e.uid = m->uid;
	e.gid = m->gid;
	e.mtime = m->mtime;
	fs->cur = g;
	fs->cur_in = m->totlen;
	struct it_buf target = IT_BUF_INIT;
	struct it_entry_reader reader = {load_file, fs};
	const struct it_entry_reader *rd = NULL;
	if (g->visited && g->link_path != SIZE_MAX) {
		e.type = IT_ENTRY_HARDLINK;
		e.link_target = (const char *)fs->paths.data + g->link_path;
	} else if (e.type == IT_ENTRY_SYMLINK) {
		if (m->isize > l->max_path) {
			problem(fs, m->off,
			        "symbolic link '%s' has a target of %u bytes, above the "
			        "limit of %zu (skipped)",
			        path, m->isize, l->max_path);
			return 0;
		}
		if (fill(fs, g, path, &target, m->isize, err) < 0) {
			it_buf_free(&target);
			return -1;
		}
		e.link_target = it_buf_str(&target);
	} else if (e.type == IT_ENTRY_FILE) {
		e.size = m->isize;
		rd = &reader;
	}
	if (!g->visited && g->refs > 1 && e.type != IT_ENTRY_DIR) {
		g->link_path = fs->paths.len;
		if (it_buf_append(&fs->paths, path, fs->path.len + 1) < 0) {
			it_buf_free(&target);
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		}
	}
	g->visited = 1;
	*descend = e.type == IT_ENTRY_DIR;
	int r = it_job_entry(fs->job, &e, NULL, rd, err);
	fs->cur = NULL;
	it_buf_free(&target);
	return r;
}

static int name_ok(const struct jdent *d)
{
	if (d->nsize == 0 || memchr(d->name, '/', d->nsize) || memchr(d->name, 0, d->nsize))
		return 0;
	if ((d->nsize == 1 && d->name[0] == '.') ||
	    (d->nsize == 2 && d->name[0] == '.' && d->name[1] == '.'))
		return 0;
	return 1;
}

struct frame {
	size_t next;     /* index in fs->dents */
	uint32_t pino;   /* the directory being listed */
	size_t path_len; /* of the directory's path */
};

/* Depth first from the root inode 1; entries of a directory in name order. */
static int walk(struct jffs2 *fs, struct it_error *err)
{
	struct frame stack[MAX_DEPTH];
	size_t depth = 1;
	int deep_reported = 0;
	struct jino *root = find_ino(fs, 1);
	if (root)
		root->visited = 1;
	stack[0] = (struct frame){first_dent(fs, 1), 1, 0};
	while (depth > 0) {
		struct frame *f = &stack[depth - 1];
		if (f->next >= fs->ndents || fs->dents[f->next].pino != f->pino) {
			depth--;
			continue;
		}
		const struct jdent *d = &fs->dents[f->next++];
		it_buf_truncate(&fs->path, f->path_len);
		if (!name_ok(d)) {
			problem(fs, d->off, "refused an entry named '%.*s' in directory inode %u",
			        (int)d->nsize, (const char *)d->name, d->pino);
			continue;
		}
		if ((f->path_len && it_buf_putc(&fs->path, '/') < 0) ||
		    it_buf_append(&fs->path, d->name, d->nsize) < 0)
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		int descend;
		if (emit(fs, d, &descend, err) < 0)
			return -1;
		if (!descend)
			continue;
		if (depth == MAX_DEPTH) {
			if (!deep_reported)
				problem(fs, d->off,
				        "directories nested more than %d deep: '%s' is "
				        "not listed",
				        MAX_DEPTH, it_buf_str(&fs->path));
			deep_reported = 1;
			continue;
		}
		stack[depth++] = (struct frame){first_dent(fs, d->ino), d->ino, fs->path.len};
	}
	size_t orphans = 0;
	for (size_t i = 0; i < fs->ninos; i++)
		orphans += !fs->inos[i].visited && !fs->inos[i].superseded;
	if (orphans)
		it_job_diag(fs->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "jffs2: %zu inode%s not reachable from the root directory (skipped)",
		            orphans, orphans == 1 ? " is" : "s are");
	return 0;
}

/* ---- the reader ---- */

static int detect(const uint8_t *p, size_t avail, int *be)
{
	if (avail < HDR_LEN)
		return -1;
	if (p[0] == 0x85 && p[1] == 0x19)
		*be = 0;
	else if (p[0] == 0x19 && p[1] == 0x85)
		*be = 1;
	else
		return -1;
	return header_ok(*be, p) ? 0 : -1;
}

static int jffs2_probe(const uint8_t *p, size_t avail)
{
	int be;
	if (detect(p, avail, &be) < 0)
		return IT_PROBE_NO;
	struct it_cursor c = it_cursor_make(p + 4, 4);
	uint32_t totlen = 0;
	take32(&c, be, &totlen);
	return totlen >= HDR_LEN ? IT_PROBE_STRONG : IT_PROBE_NO;
}

static void jffs2_free(struct jffs2 *fs)
{
	free(fs->nodes);
	free(fs->dents);
	free(fs->inos);
	it_buf_free(&fs->paths);
	it_buf_free(&fs->path);
	it_buf_free(&fs->scratch);
	if (fs->zs_ready)
		inflateEnd(&fs->zs);
}

static int jffs2_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                        struct it_error *err)
{
	struct jffs2 fs;
	memset(&fs, 0, sizeof fs);
	fs.job = job;
	fs.p = p;
	fs.avail = avail;
	if (detect(p, avail, &fs.be) < 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "jffs2: expected a node header (magic 0x1985, valid header "
		                    "CRC) at offset 0");
	struct it_cursor c = it_cursor_make(p + 4, 4);
	uint32_t totlen = 0;
	take32(&c, fs.be, &totlen);
	if (totlen < HDR_LEN || totlen > avail)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "jffs2: first node claims 0x%x bytes (expected 12 to 0x%zx, "
		                    "the image end): truncated",
		                    totlen, avail);
	size_t end = totlen;
	int r = 0;
	if (scan(&fs, &end) < 0 || build(&fs) < 0)
		r = it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	else
		r = walk(&fs, err);
	if (r == 0 && fs.hidden)
		it_job_diag(job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "jffs2: %zu more node problems (not listed one by one)", fs.hidden);
	*consumed = fs_extent(&fs, end);
	jffs2_free(&fs);
	return r;
}

const struct it_format it_fmt_jffs2 = {
        .name = "jffs2",
        .magic = {{"\x85\x19", 2, 0}, {"\x19\x85", 2, 0}, {NULL, 0, 0}},
        .probe = jffs2_probe,
        .unpack = jffs2_unpack,
};

/*
 * UBIFS images (mkfs.ubifs output or a UBI volume): the superblock, the newest
 * master node, then the index B-tree walked from its root (see walk_index for why
 * not a scan of all LEBs) with the journal replayed on top, as a mount does. The
 * tree is emitted from inode 1 with full paths; file data is decompressed block
 * by block on demand (none, LZO, zlib, zstd). Every count, level and loop is bounded.
 */
#include <lzo/lzo1x.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "crc.h"
#include "format.h"
#include "iotrust/cursor.h"

#define NODE_MAGIC   "\x31\x18\x10\x06"
#define CH_SZ        24
#define SB_NODE_SZ   4096
#define MST_NODE_SZ  512
#define INO_NODE_SZ  160
#define DENT_NODE_SZ 56
#define DATA_NODE_SZ 48
#define IDX_NODE_SZ  28
#define BRANCH_SZ    20 /* lnum, offs, len and an 8-byte key */
#define MAX_HASH_LEN 64 /* authenticated images append a hash to each branch */
#define BLOCK_SIZE   4096
#define MST_LNUM     1
#define LEB_SIZE_MIN 4096 /* the superblock node must fit (mkfs.ubifs needs 15 KiB) */
#define LEB_SIZE_MAX ((uint32_t)64 << 20)
#define MAX_LEVELS   64  /* index height; real trees are a handful of levels */
#define MAX_DEPTH    256 /* directories inside directories */

enum {
	INO_NODE = 0,
	DATA_NODE = 1,
	DENT_NODE = 2,
	XENT_NODE = 3,
	TRUN_NODE = 4,
	PAD_NODE = 5,
	SB_NODE = 6,
	MST_NODE = 7,
	REF_NODE = 8,
	IDX_NODE = 9,
	CS_NODE = 10
};
enum { COMPR_NONE = 0, COMPR_LZO = 1, COMPR_ZLIB = 2, COMPR_ZSTD = 3 };
#define KEY_TYPE(x)    ((x) >> 29)
#define KEY_VAL(x)     ((x)&0x1fffffffu)
#define FLG_ENCRYPTION 0x10
#define FLG_AUTH       0x20
#define MST_DIRTY      0x01
#define LOG_LNUM       3    /* the log follows the superblock and the two master LEBs */
#define PAD_NODE_SZ    28   /* a padding node: header and pad_len, then pad_len bytes */
#define PAD_BYTE       0xce /* fills gaps too small for a padding node */
#define TRUN_NODE_SZ   56
#define REF_NODE_SZ    64
#define CS_NODE_SZ     32
#define SIMPLE_KEY_FMT 0

/* A leaf of the index: a node with its key; `ok` once its CRC and fields passed. */
struct leaf {
	uint32_t inum; /* the key's inode number (the parent directory for dentries) */
	uint32_t val;  /* the key's name hash (dentries) or block number (data) */
	uint8_t type;  /* key type = node type: INO_NODE, DATA_NODE, DENT_NODE, XENT_NODE */
	uint8_t ok;
	uint16_t nlen; /* entries: the name, once checked */
	const uint8_t *name;
	uint32_t lnum, offs, len;
	size_t pos; /* image offset */
	uint64_t sqnum;
};

/* A truncation from the journal: blocks [min_blk, max_blk] of inum written
 * before sqnum are gone. */
struct trun {
	uint32_t inum;
	uint64_t min_blk, max_blk, sqnum;
};

struct ino_state {
	uint8_t seen;     /* a directory already entered */
	char *first_path; /* the first path of a file with several links */
};

struct ubifs {
	struct it_job *job;
	const uint8_t *p;
	size_t len;
	uint32_t leb_size, leb_cnt, flags;
	uint32_t log_lebs, main_first;
	uint64_t jhead_cnt;     /* the data heads the superblock counts, plus GC and base heads */
	size_t max_end;         /* end of the furthest node read, for *consumed */
	size_t max_nodes, refs; /* bound on nodes referenced by the index and the log */
	struct trun *truns;     /* sorted by inode number after the replay */
	size_t ntruns, truns_cap;
	struct leaf *leaves;
	size_t nleaves, cap;
	size_t ino_first, ino_end; /* the inode leaves after sorting */
	struct ino_state *state;
	struct it_buf why;  /* what was wrong with the last node read */
	struct it_buf path; /* the entry path being built */
	struct it_buf target;
	size_t bad; /* nodes left out, reported once */
	size_t first_bad;
	struct it_buf first_why;
	z_stream zs;
	int zs_ready;
	ZSTD_DCtx *zstd;
};

/* UBIFS's CRC-32: initial value 0xFFFFFFFF, no final xor, from byte 8 on. */
/* Common header at p (avail bytes): 0 when the magic, length and CRC are good. */
static int ch_check(const uint8_t *p, size_t avail, uint32_t *len, uint8_t *type, uint64_t *sqnum)
{
	struct it_cursor c = it_cursor_make(p, avail);
	uint32_t crc;
	if (!it_cursor_has(&c, NODE_MAGIC, 4) || it_cursor_skip(&c, 4) < 0 ||
	    it_take_u32le(&c, &crc) < 0 || it_take_u64le(&c, sqnum) < 0 ||
	    it_take_u32le(&c, len) < 0 || it_take_u8(&c, type) < 0)
		return -1;
	if (*len < CH_SZ || *len > avail)
		return -1;
	return it_crc32_noinv(p + 8, *len - 8) == crc ? 0 : -1;
}

static int ubifs_probe(const uint8_t *p, size_t avail)
{
	uint32_t len;
	uint8_t type;
	uint64_t sqnum;
	if (avail < SB_NODE_SZ || p[20] != SB_NODE)
		return IT_PROBE_NO;
	if (ch_check(p, avail, &len, &type, &sqnum) < 0 || len != SB_NODE_SZ)
		return IT_PROBE_NO;
	return IT_PROBE_STRONG;
}

static void note_bad(struct ubifs *fs, size_t pos)
{
	if (!fs->bad++) {
		fs->first_bad = pos;
		it_buf_truncate(&fs->first_why, 0);
		it_buf_puts(&fs->first_why, it_buf_str(&fs->why));
	}
}

/* Say what is wrong with the node being read (in fs->why); returns -1. */
static int set_why(struct ubifs *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int set_why(struct ubifs *fs, const char *fmt, ...)
{
	va_list ap;
	it_buf_truncate(&fs->why, 0);
	va_start(ap, fmt);
	it_buf_vprintf(&fs->why, fmt, ap);
	va_end(ap);
	return -1;
}

/* Check the node of `type` at (lnum, offs) that should be `len` bytes long. Returns
 * its image offset in *pos and 0, or -1 with fs->why saying what is wrong. */
static int node_at(struct ubifs *fs, uint32_t lnum, uint32_t offs, uint32_t len, uint8_t type,
                   size_t *pos)
{
	uint32_t nlen;
	uint8_t ntype;
	uint64_t sqnum;
	*pos = (size_t)lnum * fs->leb_size + offs;
	if (lnum >= fs->leb_cnt)
		return set_why(fs, "LEB %u beyond the %u LEBs of the file system", lnum,
		               fs->leb_cnt);
	if (len < CH_SZ || offs > fs->leb_size || len > fs->leb_size - offs)
		return set_why(fs, "node of 0x%x bytes at offset 0x%x does not fit LEB %u", len,
		               offs, lnum);
	if (*pos > fs->len || len > fs->len - *pos)
		return set_why(fs,
		               "node at LEB %u offset 0x%x (0x%zx) lies beyond the image end "
		               "(0x%zx)",
		               lnum, offs, *pos, fs->len);
	if (ch_check(fs->p + *pos, len, &nlen, &ntype, &sqnum) < 0 || nlen != len)
		return set_why(fs,
		               "no valid node (magic, length 0x%x, CRC) at LEB %u offset 0x%x "
		               "(0x%zx)",
		               len, lnum, offs, *pos);
	if (ntype != type)
		return set_why(fs, "node type %u at LEB %u offset 0x%x (0x%zx), expected %u", ntype,
		               lnum, offs, *pos, type);
	if (*pos + len > fs->max_end)
		fs->max_end = *pos + len;
	return 0;
}

/* The superblock: geometry and format. */
static int read_sb(struct ubifs *fs, struct it_error *err)
{
	uint32_t len, min_io, fmt_version, lpt_lebs, orph_lebs, data_heads;
	uint8_t type, key_fmt;
	uint64_t sqnum;
	if (ch_check(fs->p, fs->len, &len, &type, &sqnum) < 0 || type != SB_NODE ||
	    len != SB_NODE_SZ)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "ubifs: superblock node (magic 0x06101831, type 6, 4096 bytes, "
		                    "valid CRC) expected");
	struct it_cursor c = it_cursor_make(fs->p, SB_NODE_SZ);
	if (it_cursor_seek(&c, 27) < 0 || it_take_u8(&c, &key_fmt) < 0 ||
	    it_take_u32le(&c, &fs->flags) < 0 || it_take_u32le(&c, &min_io) < 0 ||
	    it_take_u32le(&c, &fs->leb_size) < 0 || it_take_u32le(&c, &fs->leb_cnt) < 0 ||
	    it_cursor_seek(&c, 56) < 0 || it_take_u32le(&c, &fs->log_lebs) < 0 ||
	    it_take_u32le(&c, &lpt_lebs) < 0 || it_take_u32le(&c, &orph_lebs) < 0 ||
	    it_take_u32le(&c, &data_heads) < 0 || it_cursor_seek(&c, 80) < 0 ||
	    it_take_u32le(&c, &fmt_version) < 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0, "ubifs: superblock too short");
	if (fs->leb_size < LEB_SIZE_MIN || fs->leb_size > LEB_SIZE_MAX || fs->leb_size % 8 ||
	    min_io == 0 || min_io > fs->leb_size)
		return it_error_set(err, IT_ERR_INPUT, NULL, 36,
		                    "ubifs: LEB size 0x%x (min. I/O 0x%x) out of range (0x%x to "
		                    "0x%x, a multiple of 8)",
		                    fs->leb_size, min_io, LEB_SIZE_MIN, LEB_SIZE_MAX);
	if (fs->leb_cnt < 3)
		return it_error_set(err, IT_ERR_INPUT, NULL, 40,
		                    "ubifs: LEB count %u too small (superblock and two master LEBs "
		                    "expected)",
		                    fs->leb_cnt);
	if (fmt_version < 1 || fmt_version > 5)
		return it_error_set(err, IT_ERR_INPUT, NULL, 80,
		                    "ubifs: format version %u unsupported (1 to 5 expected)",
		                    fmt_version);
	if (key_fmt != SIMPLE_KEY_FMT)
		return it_error_set(err, IT_ERR_INPUT, NULL, 27,
		                    "ubifs: key format %u unsupported (0, simple keys, expected)",
		                    key_fmt);
	/* The main area (buds) follows the log, LPT and orphan areas; 0 when these
	 * do not fit, so no journal is replayed. */
	uint64_t main_first = (uint64_t)LOG_LNUM + fs->log_lebs + lpt_lebs + orph_lebs;
	fs->main_first = fs->log_lebs && main_first < fs->leb_cnt ? (uint32_t)main_first : 0;
	fs->jhead_cnt = (uint64_t)data_heads + 2;
	if (fs->flags & FLG_ENCRYPTION)
		it_job_diag(fs->job, IT_ERR_INPUT, 28,
		            "ubifs: the file system holds encrypted files; their names and data "
		            "are listed as stored (encrypted)");
	fs->max_end = SB_NODE_SZ;
	return 0;
}

struct master {
	uint32_t flags, log_lnum, root_lnum, root_offs, root_len;
	uint64_t sqnum, cmt_no;
	size_t pos;
};

/* The newest valid master node of LEBs 1 and 2 (each holds a sequence). */
static int read_master(struct ubifs *fs, struct master *m, struct it_error *err)
{
	int found = 0;
	for (uint32_t lnum = MST_LNUM; lnum <= MST_LNUM + 1; lnum++) {
		size_t base = (size_t)lnum * fs->leb_size;
		for (size_t offs = 0; offs + MST_NODE_SZ <= fs->leb_size; offs += 8) {
			uint32_t len;
			uint8_t type;
			uint64_t sqnum;
			if (base + offs + MST_NODE_SZ > fs->len)
				break;
			const uint8_t *n = fs->p + base + offs;
			if (memcmp(n, NODE_MAGIC, 4) != 0 || n[20] != MST_NODE ||
			    ch_check(n, MST_NODE_SZ, &len, &type, &sqnum) < 0 || len != MST_NODE_SZ)
				continue;
			if (found && sqnum <= m->sqnum)
				continue;
			struct it_cursor c = it_cursor_make(n, MST_NODE_SZ);
			if (it_cursor_seek(&c, 32) < 0 || it_take_u64le(&c, &m->cmt_no) < 0 ||
			    it_take_u32le(&c, &m->flags) < 0 ||
			    it_take_u32le(&c, &m->log_lnum) < 0 ||
			    it_take_u32le(&c, &m->root_lnum) < 0 ||
			    it_take_u32le(&c, &m->root_offs) < 0 ||
			    it_take_u32le(&c, &m->root_len) < 0)
				continue;
			m->sqnum = sqnum;
			m->pos = base + offs;
			found = 1;
			if (base + offs + MST_NODE_SZ > fs->max_end)
				fs->max_end = base + offs + MST_NODE_SZ;
		}
	}
	if (!found)
		return it_error_set(err, IT_ERR_INPUT, NULL, fs->leb_size,
		                    "ubifs: master node (type 7, valid CRC) expected in LEB 1 or 2 "
		                    "(0x%zx..0x%zx)%s",
		                    (size_t)fs->leb_size, (size_t)fs->leb_size * 3,
		                    fs->len < (size_t)fs->leb_size * 2 ? ", beyond the image end"
		                                                       : "");
	return 0;
}

static int add_leaf(struct ubifs *fs, const struct leaf *l, struct it_error *err)
{
	if (fs->nleaves == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 256;
		struct leaf *n = realloc(fs->leaves, cap * sizeof *n);
		if (!n)
			return it_error_nomem(err);
		fs->leaves = n;
		fs->cap = cap;
	}
	fs->leaves[fs->nleaves++] = *l;
	return 0;
}

struct idx_ref {
	uint32_t lnum, offs, len;
	uint32_t level; /* the level the node must have; UINT32_MAX for the root */
};

/*
 * Walk the index from the root, collecting leaves (inode, entry, data nodes). The
 * index rather than a scan of all LEBs, because only it tells live nodes from the
 * obsolete ones left in dirty LEBs: a scan would resurrect deleted files. It cannot
 * loop, as each child must sit exactly one level lower, and the references it may
 * hold are bounded by the image size (a DAG cannot blow up). Only a bad root is
 * fatal; a bad subtree is counted and reported once.
 */
static int walk_index(struct ubifs *fs, const struct master *m, struct it_error *err)
{
	struct idx_ref *stack = malloc(sizeof *stack * 64);
	size_t depth = 1, cap = 64;
	int r = 0;
	if (!stack)
		return it_error_nomem(err);
	stack[0] = (struct idx_ref){m->root_lnum, m->root_offs, m->root_len, UINT32_MAX};
	while (depth > 0 && r == 0) {
		struct idx_ref ref = stack[--depth];
		size_t pos;
		uint16_t child_cnt = 0, level = 0;
		if (node_at(fs, ref.lnum, ref.offs, ref.len, IDX_NODE, &pos) < 0) {
			if (ref.level == UINT32_MAX) {
				r = it_error_set(
				        err, IT_ERR_INPUT, NULL, pos,
				        "ubifs: root index node (master node at 0x%zx): %s", m->pos,
				        it_buf_str(&fs->why));
				break;
			}
			note_bad(fs, pos);
			continue;
		}
		/* The branches fill the node exactly: their size follows from its
		 * length (authenticated images add a hash to each). */
		struct it_cursor c = it_cursor_make(fs->p + pos, ref.len);
		size_t bsz = 0;
		int ok = it_cursor_seek(&c, CH_SZ) == 0 && it_take_u16le(&c, &child_cnt) == 0 &&
		         it_take_u16le(&c, &level) == 0 && child_cnt > 0;
		if (ok) {
			bsz = it_cursor_left(&c) / child_cnt;
			ok = it_cursor_left(&c) % child_cnt == 0 && bsz >= BRANCH_SZ &&
			     (bsz == BRANCH_SZ || (fs->flags & FLG_AUTH)) &&
			     bsz <= BRANCH_SZ + MAX_HASH_LEN && level < MAX_LEVELS &&
			     (ref.level == UINT32_MAX || level == ref.level);
		}
		if (!ok) {
			set_why(fs,
			        "index node at 0x%zx: %u children of 0x%zx bytes, level %u "
			        "(expected %s%u)",
			        pos, child_cnt, bsz, level, ref.level == UINT32_MAX ? "below " : "",
			        ref.level == UINT32_MAX ? MAX_LEVELS : ref.level);
			if (ref.level == UINT32_MAX) {
				r = it_error_set(err, IT_ERR_INPUT, NULL, pos, "ubifs: root %s",
				                 it_buf_str(&fs->why));
				break;
			}
			note_bad(fs, pos);
			continue;
		}
		for (uint16_t i = 0; i < child_cnt && r == 0; i++) {
			const uint8_t *b = c.p + i * bsz; /* within the node, as checked */
			uint32_t k1 = it_load_u32le(b + 16);
			struct leaf l = {.inum = it_load_u32le(b + 12),
			                 .val = KEY_VAL(k1),
			                 .type = (uint8_t)KEY_TYPE(k1),
			                 .lnum = it_load_u32le(b),
			                 .offs = it_load_u32le(b + 4),
			                 .len = it_load_u32le(b + 8)};
			if (++fs->refs > fs->max_nodes) {
				r = it_error_set(err, IT_ERR_INPUT, NULL, pos,
				                 "ubifs: the index references more than %zu nodes, "
				                 "more than the image can hold (a loop?)",
				                 fs->max_nodes);
				break;
			}
			if (level > 0) {
				if (depth == cap) {
					struct idx_ref *n = realloc(stack, sizeof *n * cap * 2);
					if (!n) {
						r = it_error_nomem(err);
						break;
					}
					stack = n;
					cap *= 2;
				}
				stack[depth++] =
				        (struct idx_ref){l.lnum, l.offs, l.len, level - 1u};
			} else {
				r = add_leaf(fs, &l, err);
			}
		}
	}
	free(stack);
	return r;
}

/* The next node of LEB lnum at or after *offs, skipping padding. 1 with its
 * header checked (*offs moves past it), 0 at the erased end of the LEB, -1 at
 * bytes that are neither a node nor erased. */
static int next_node(struct ubifs *fs, uint32_t lnum, uint32_t *offs, size_t *pos, uint32_t *len,
                     uint8_t *type, uint64_t *sqnum)
{
	size_t base = (size_t)lnum * fs->leb_size;
	size_t end = base + fs->leb_size;
	if (lnum >= fs->leb_cnt || base >= fs->len)
		return 0;
	if (end > fs->len)
		end = fs->len;
	while (*offs < end - base) {
		size_t o = base + *offs;
		if (fs->p[o] == PAD_BYTE) {
			while (o < end && fs->p[o] == PAD_BYTE)
				o++;
			*offs = (uint32_t)((o - base + 7) & ~(size_t)7);
			continue;
		}
		if (end - o < CH_SZ || memcmp(fs->p + o, NODE_MAGIC, 4) != 0) {
			while (o < end && fs->p[o] == 0xff)
				o++;
			return o == end ? 0 : -1;
		}
		if (ch_check(fs->p + o, end - o, len, type, sqnum) < 0)
			return -1;
		uint64_t next = *offs + (uint64_t)*len;
		if (*type == PAD_NODE) {
			if (*len != PAD_NODE_SZ)
				return -1;
			next += it_load_u32le(fs->p + o + CH_SZ);
		}
		next = (next + 7) & ~(uint64_t)7;
		*offs = next < fs->leb_size ? (uint32_t)next : fs->leb_size;
		if (*type != PAD_NODE) {
			*pos = o;
			return 1;
		}
	}
	return 0;
}

/* A bud of the journal: LEB lnum from offs on. */
struct bud {
	uint32_t lnum, offs;
};

/* Add the nodes of one bud: entries, inodes and data as leaves (checked with the
 * index's), truncations to their list. */
static int replay_bud(struct ubifs *fs, const struct bud *b, int dirty, struct it_error *err)
{
	uint32_t offs = b->offs, len;
	uint8_t type;
	uint64_t sqnum;
	size_t pos;
	int r;
	while ((r = next_node(fs, b->lnum, &offs, &pos, &len, &type, &sqnum)) == 1) {
		if (++fs->refs > fs->max_nodes)
			return it_error_set(err, IT_ERR_INPUT, NULL, pos,
			                    "ubifs: the index and journal reference more than %zu "
			                    "nodes, more than the image can hold",
			                    fs->max_nodes);
		if (type == TRUN_NODE) {
			if (len < TRUN_NODE_SZ)
				break;
			uint64_t old_size = it_load_u64le(fs->p + pos + 40);
			uint64_t new_size = it_load_u64le(fs->p + pos + 48);
			if (old_size <= new_size)
				continue;
			if (fs->ntruns == fs->truns_cap) {
				size_t cap = fs->truns_cap ? fs->truns_cap * 2 : 16;
				struct trun *n = realloc(fs->truns, cap * sizeof *n);
				if (!n)
					return it_error_nomem(err);
				fs->truns = n;
				fs->truns_cap = cap;
			}
			fs->truns[fs->ntruns++] =
			        (struct trun){it_load_u32le(fs->p + pos + CH_SZ),
			                      new_size / BLOCK_SIZE + (new_size % BLOCK_SIZE != 0),
			                      (old_size - 1) / BLOCK_SIZE, sqnum};
			continue;
		}
		if (type > XENT_NODE || len < CH_SZ + 8)
			break; /* only leaves belong in buds */
		uint32_t k1 = it_load_u32le(fs->p + pos + 28);
		struct leaf l = {.inum = it_load_u32le(fs->p + pos + 24),
		                 .val = KEY_VAL(k1),
		                 .type = (uint8_t)KEY_TYPE(k1),
		                 .lnum = b->lnum,
		                 .offs = (uint32_t)(pos - (size_t)b->lnum * fs->leb_size),
		                 .len = len};
		if (add_leaf(fs, &l, err) < 0)
			return -1;
	}
	/* A torn tail is expected after a power cut; otherwise it is damage. */
	if (r < 0 && !dirty)
		it_job_diag(fs->job, IT_ERR_INPUT, (size_t)b->lnum * fs->leb_size + offs,
		            "ubifs: journal bud LEB %u: no valid node at offset 0x%x; the rest of "
		            "the LEB is left out",
		            b->lnum, offs);
	return 0;
}

/*
 * Replay the journal, as a mount does; even a clean unmount leaves changes there.
 * The log, from the master's log LEB, starts with the commit start node of the
 * master's commit and references the buds (LEBs written since). Their nodes join
 * the index's leaves and the newest of each key (of each name, for entries) wins:
 * deletion entries (inode 0) hide names, truncation nodes hide older blocks.
 */
static int replay_journal(struct ubifs *fs, const struct master *m, struct it_error *err)
{
	const char *why = NULL;
	struct bud *buds = NULL;
	uint8_t *referenced = NULL; /* by LEB number */
	size_t nbuds = 0, nlebs;
	uint64_t cs_sqnum = 0;
	uint32_t lnum = m->log_lnum;
	int r = 0;
	if (!fs->main_first || lnum < LOG_LNUM || lnum >= LOG_LNUM + fs->log_lebs) {
		why = "the log area or the master's log LEB is out of range";
		goto out;
	}
	/* Buds are distinct LEBs, and only those in the image can be read. */
	nlebs = fs->len / fs->leb_size + 1;
	if (nlebs > fs->leb_cnt)
		nlebs = fs->leb_cnt;
	buds = calloc(nlebs, sizeof *buds);
	referenced = calloc(nlebs, 1);
	if (!buds || !referenced) {
		free(buds);
		free(referenced);
		return it_error_nomem(err);
	}
	for (uint32_t k = 0; k < fs->log_lebs && !why; k++) {
		uint32_t offs = 0, len;
		uint8_t type;
		uint64_t sqnum;
		size_t pos;
		int first = 1, n;
		while ((n = next_node(fs, lnum, &offs, &pos, &len, &type, &sqnum)) == 1) {
			if (first && k == 0) {
				if (type != CS_NODE || len < CS_NODE_SZ ||
				    it_load_u64le(fs->p + pos + CH_SZ) != m->cmt_no) {
					why = "the log does not start with the commit start node "
					      "of the master's commit";
					break;
				}
				cs_sqnum = sqnum;
			}
			if (sqnum < cs_sqnum) /* older log contents: the log ends */
				goto done;
			first = 0;
			if (type == CS_NODE)
				continue;
			if (type != REF_NODE || len < REF_NODE_SZ) {
				why = "a log node that is not a reference";
				break;
			}
			struct bud b = {it_load_u32le(fs->p + pos + CH_SZ),
			                it_load_u32le(fs->p + pos + CH_SZ + 4)};
			uint32_t jhead = it_load_u32le(fs->p + pos + CH_SZ + 8);
			if (b.lnum < fs->main_first || b.lnum >= fs->leb_cnt ||
			    b.offs > fs->leb_size || jhead >= fs->jhead_cnt) {
				why = "a reference to a bud outside the main area";
				break;
			}
			/* a bud referenced again keeps its first start */
			if (b.lnum < nlebs && !referenced[b.lnum]) {
				referenced[b.lnum] = 1;
				buds[nbuds++] = b;
			}
		}
		if (first) {
			if (k == 0 && !why)
				why = "no commit start node in the log";
			break;
		}
		if (n < 0 && !why && !(m->flags & MST_DIRTY))
			why = "a damaged log LEB";
		lnum = lnum + 1 < LOG_LNUM + fs->log_lebs ? lnum + 1 : LOG_LNUM;
	}
done:
	for (size_t i = 0; i < nbuds && r == 0 && !why; i++)
		r = replay_bud(fs, &buds[i], m->flags & MST_DIRTY, err);
out:
	if (why && r == 0)
		it_job_diag(fs->job, IT_ERR_INPUT, (size_t)lnum * fs->leb_size,
		            "ubifs: journal not replayed (%s); only the last commit is read", why);
	free(buds);
	free(referenced);
	return r;
}

static int leaf_cmp(const void *a, const void *b)
{
	const struct leaf *x = a, *y = b;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->inum != y->inum)
		return x->inum < y->inum ? -1 : 1;
	if (x->val != y->val)
		return x->val < y->val ? -1 : 1;
	if (x->ok != y->ok) /* valid nodes first, then by name, then the newest */
		return x->ok ? -1 : 1;
	if (x->name && y->name) {
		int c = memcmp(x->name, y->name, x->nlen < y->nlen ? x->nlen : y->nlen);
		if (c || x->nlen != y->nlen)
			return c ? c : (x->nlen < y->nlen ? -1 : 1);
	}
	if (x->sqnum != y->sqnum)
		return x->sqnum > y->sqnum ? -1 : 1;
	return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

/* Check each leaf node: CRC, that it carries the key the index gave, its fields. */
static void check_leaves(struct ubifs *fs)
{
	for (size_t i = 0; i < fs->nleaves; i++) {
		struct leaf *l = &fs->leaves[i];
		size_t pos;
		l->ok = 0;
		if (l->type > XENT_NODE) {
			set_why(fs, "index key of unknown type %u (inode %u)", l->type, l->inum);
			note_bad(fs, (size_t)l->lnum * fs->leb_size + l->offs);
			continue;
		}
		if (node_at(fs, l->lnum, l->offs, l->len, l->type, &pos) < 0) {
			note_bad(fs, pos);
			continue;
		}
		const uint8_t *n = fs->p + pos;
		size_t min = l->type == INO_NODE    ? INO_NODE_SZ
		             : l->type == DATA_NODE ? DATA_NODE_SZ
		                                    : DENT_NODE_SZ;
		const char *bad = NULL;
		if (l->len < min)
			bad = "too short";
		else if (it_load_u32le(n + 24) != l->inum ||
		         it_load_u32le(n + 28) != ((uint32_t)l->type << 29 | l->val))
			bad = "its key differs from the index";
		else if (l->type == INO_NODE && it_load_u32le(n + 112) > l->len - INO_NODE_SZ)
			bad = "inode data longer than the node";
		else if (l->type == DATA_NODE && it_load_u32le(n + 40) > BLOCK_SIZE)
			bad = "data block larger than 4096 bytes";
		else if ((l->type == DENT_NODE || l->type == XENT_NODE) &&
		         (size_t)n[50] + ((size_t)n[51] << 8) >= l->len - DENT_NODE_SZ)
			bad = "name longer than the node";
		if (bad) {
			set_why(fs, "node at 0x%zx: %s", pos, bad);
			note_bad(fs, pos);
			continue;
		}
		l->sqnum = it_load_u64le(n + 8);
		l->pos = pos;
		l->ok = 1;
		if (l->type == DENT_NODE || l->type == XENT_NODE) {
			l->nlen = (uint16_t)(n[50] | (n[51] << 8));
			l->name = n + DENT_NODE_SZ;
		}
	}
}

/* The first leaf with (type, inum, val) or above. */
static size_t lower_bound(const struct ubifs *fs, uint8_t type, uint32_t inum, uint32_t val)
{
	size_t lo = 0, hi = fs->nleaves;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct leaf *l = &fs->leaves[mid];
		int less = l->type != type   ? l->type < type
		           : l->inum != inum ? l->inum < inum
		                             : l->val < val;
		if (less)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int leaf_is(const struct ubifs *fs, size_t i, uint8_t type, uint32_t inum)
{
	return i < fs->nleaves && fs->leaves[i].type == type && fs->leaves[i].inum == inum;
}

/* Decompress the data node of leaf i into dst (BLOCK_SIZE bytes). */
static int read_block(struct ubifs *fs, const struct leaf *l, uint8_t *dst, size_t *got,
                      const char **why)
{
	const uint8_t *n = fs->p + l->pos;
	uint32_t size = it_load_u32le(n + 40);
	uint16_t compr = (uint16_t)(n[44] | (n[45] << 8));
	const uint8_t *src = n + DATA_NODE_SZ;
	size_t srclen = l->len - DATA_NODE_SZ;
	*got = size;
	switch (compr) {
	case COMPR_NONE:
		if (srclen < size)
			return *why = "uncompressed data shorter than its size", -1;
		memcpy(dst, src, size);
		return 0;
	case COMPR_LZO: {
		lzo_uint dl = BLOCK_SIZE;
		int lr = lzo1x_decompress_safe(src, srclen, dst, &dl, NULL);
		if ((lr != LZO_E_OK && lr != LZO_E_INPUT_NOT_CONSUMED) || dl != size)
			return *why = "LZO data corrupt", -1;
		return 0;
	}
	case COMPR_ZLIB: {
		if (!fs->zs_ready) {
			if (inflateInit2(&fs->zs, -15) != Z_OK)
				return *why = "cannot initialise zlib", -1;
			fs->zs_ready = 1;
		} else {
			inflateReset(&fs->zs);
		}
		fs->zs.next_in = (Bytef *)(uintptr_t)src;
		fs->zs.avail_in = (uInt)srclen;
		fs->zs.next_out = dst;
		fs->zs.avail_out = BLOCK_SIZE;
		int zr = inflate(&fs->zs, Z_FINISH);
		if (zr != Z_STREAM_END || fs->zs.total_out != size)
			return *why = "deflate data corrupt", -1;
		return 0;
	}
	case COMPR_ZSTD: {
		if (!fs->zstd && !(fs->zstd = ZSTD_createDCtx()))
			return *why = "cannot initialise zstd", -1;
		size_t zr = ZSTD_decompressDCtx(fs->zstd, dst, BLOCK_SIZE, src, srclen);
		if (ZSTD_isError(zr) || zr != size)
			return *why = "zstd data corrupt", -1;
		return 0;
	}
	default:
		return *why = "unknown compression type", -1;
	}
}

static int trun_cmp(const void *a, const void *b)
{
	const struct trun *x = a, *y = b;
	return x->inum < y->inum ? -1 : x->inum > y->inum;
}

/* Was this data node cut off by a later truncation? */
static int truncated(const struct ubifs *fs, const struct leaf *l)
{
	size_t lo = 0, hi = fs->ntruns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fs->truns[mid].inum < l->inum)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < fs->ntruns && fs->truns[lo].inum == l->inum; lo++) {
		const struct trun *t = &fs->truns[lo];
		if (t->sqnum > l->sqnum && l->val >= t->min_blk && l->val <= t->max_blk)
			return 1;
	}
	return 0;
}

struct file_rd {
	struct ubifs *fs;
	uint32_t inum;
};

/* it_entry_reader: append whole 4 KiB blocks (holes read as zeros). */
static int file_load(void *ctx, const struct it_entry *e, struct it_buf *out, size_t want,
                     struct it_error *err)
{
	struct file_rd *f = ctx;
	struct ubifs *fs = f->fs;
	uint8_t block[BLOCK_SIZE];
	while (out->len < want && out->len < e->size) {
		uint64_t off = out->len;
		uint64_t bno = off / BLOCK_SIZE;
		size_t in_block = (size_t)(off % BLOCK_SIZE);
		memset(block, 0, sizeof block);
		if (bno <= KEY_VAL(UINT32_MAX)) {
			size_t i = lower_bound(fs, DATA_NODE, f->inum, (uint32_t)bno);
			if (leaf_is(fs, i, DATA_NODE, f->inum) && fs->leaves[i].val == bno &&
			    fs->leaves[i].ok && !truncated(fs, &fs->leaves[i])) {
				const char *why = NULL;
				size_t got;
				if (read_block(fs, &fs->leaves[i], block, &got, &why) < 0)
					return it_error_set(err, IT_ERR_INPUT, NULL,
					                    fs->leaves[i].pos,
					                    "ubifs: data node of inode %u block "
					                    "%llu: %s",
					                    f->inum, (unsigned long long)bno, why);
			}
		}
		size_t take = BLOCK_SIZE - in_block;
		if (take > e->size - off)
			take = (size_t)(e->size - off);
		if (it_buf_append(out, block + in_block, take) < 0)
			return it_error_nomem(err);
	}
	return 0;
}

/* The inode leaf for inum, or SIZE_MAX. */
static size_t find_ino(const struct ubifs *fs, uint64_t inum)
{
	if (inum > UINT32_MAX)
		return SIZE_MAX;
	size_t i = lower_bound(fs, INO_NODE, (uint32_t)inum, 0);
	if (!leaf_is(fs, i, INO_NODE, (uint32_t)inum) || !fs->leaves[i].ok)
		return SIZE_MAX;
	return i;
}

static int emit_dir(struct ubifs *fs, uint32_t dir, unsigned depth, struct it_error *err);

/* Emit the inode of leaf i at fs->path (and its subtree when a directory). */
static int emit_inode(struct ubifs *fs, size_t i, unsigned depth, struct it_error *err)
{
	const struct leaf *l = &fs->leaves[i];
	const uint8_t *n = fs->p + l->pos;
	struct ino_state *st = &fs->state[i - fs->ino_first];
	uint32_t mode = it_load_u32le(n + 104), nlink = it_load_u32le(n + 92);
	uint32_t data_len = it_load_u32le(n + 112);
	struct it_entry e;
	memset(&e, 0, sizeof e);
	e.path = it_buf_str(&fs->path);
	e.mode = mode & 07777;
	e.uid = it_load_u32le(n + 96);
	e.gid = it_load_u32le(n + 100);
	e.mtime = (int64_t)it_load_u64le(n + 72);
	struct file_rd rd = {fs, l->inum};
	struct it_entry_reader reader = {file_load, &rd};
	switch (mode & S_IFMT) {
	case S_IFDIR:
		e.type = IT_ENTRY_DIR;
		if (it_job_entry(fs->job, &e, NULL, NULL, err) < 0)
			return -1;
		if (st->seen) {
			it_job_diag(fs->job, IT_ERR_INPUT, l->pos,
			            "ubifs: directory inode %u reached again at '%s' (a loop); "
			            "not entered",
			            l->inum, it_buf_str(&fs->path));
			return 0;
		}
		st->seen = 1;
		if (depth >= MAX_DEPTH) {
			it_job_diag(fs->job, IT_ERR_INPUT, l->pos,
			            "ubifs: directories nested more than %u deep at '%s'; not "
			            "entered",
			            MAX_DEPTH, it_buf_str(&fs->path));
			return 0;
		}
		return emit_dir(fs, l->inum, depth + 1, err);
	case S_IFREG:
		if (nlink > 1 && st->first_path) {
			e.type = IT_ENTRY_HARDLINK;
			e.link_target = st->first_path;
			return it_job_entry(fs->job, &e, NULL, NULL, err);
		}
		if (nlink > 1 && !(st->first_path = strdup(it_buf_str(&fs->path))))
			return it_error_nomem(err);
		e.type = IT_ENTRY_FILE;
		e.size = it_load_u64le(n + 48);
		return it_job_entry(fs->job, &e, NULL, &reader, err);
	case S_IFLNK:
		e.type = IT_ENTRY_SYMLINK;
		it_buf_truncate(&fs->target, 0);
		if (it_buf_append(&fs->target, n + INO_NODE_SZ, data_len) < 0)
			return it_error_nomem(err);
		e.link_target = it_buf_str(&fs->target);
		return it_job_entry(fs->job, &e, NULL, NULL, err);
	case S_IFCHR:
		e.type = IT_ENTRY_CHAR;
		break;
	case S_IFBLK:
		e.type = IT_ENTRY_BLOCK;
		break;
	case S_IFIFO:
		e.type = IT_ENTRY_FIFO;
		break;
	case S_IFSOCK:
		e.type = IT_ENTRY_SOCKET;
		break;
	default:
		it_job_diag(fs->job, IT_ERR_INPUT, l->pos,
		            "ubifs: inode %u at '%s' has an unknown file type (mode 0%o)", l->inum,
		            it_buf_str(&fs->path), mode);
		return 0;
	}
	return it_job_entry(fs->job, &e, NULL, NULL, err);
}

static int emit_dir(struct ubifs *fs, uint32_t dir, unsigned depth, struct it_error *err)
{
	for (size_t i = lower_bound(fs, DENT_NODE, dir, 0); leaf_is(fs, i, DENT_NODE, dir); i++) {
		const struct leaf *l = &fs->leaves[i], *prev = i ? l - 1 : NULL;
		if (!l->ok)
			continue;
		/* an older version of the same name (newest first; deletions have inum 0) */
		if (prev && prev->ok && prev->type == DENT_NODE && prev->inum == dir &&
		    prev->val == l->val && prev->nlen == l->nlen &&
		    memcmp(prev->name, l->name, l->nlen) == 0)
			continue;
		const uint8_t *n = fs->p + l->pos;
		uint64_t inum = it_load_u64le(n + 40);
		size_t nlen = (size_t)n[50] | ((size_t)n[51] << 8);
		const uint8_t *name = n + DENT_NODE_SZ;
		if (inum == 0)
			continue; /* a deletion entry */
		if (nlen == 0 || memchr(name, '/', nlen) || memchr(name, 0, nlen) ||
		    (nlen == 1 && name[0] == '.') ||
		    (nlen == 2 && name[0] == '.' && name[1] == '.')) {
			it_job_diag(fs->job, IT_ERR_INPUT, l->pos,
			            "ubifs: invalid name in directory inode %u (empty, '.', '..', "
			            "or with '/' or NUL); left out",
			            dir);
			continue;
		}
		size_t ino = find_ino(fs, inum);
		if (ino == SIZE_MAX) {
			it_job_diag(fs->job, IT_ERR_INPUT, l->pos,
			            "ubifs: no valid inode node for '%.*s' (inode %llu) in "
			            "directory inode %u; left out",
			            (int)nlen, (const char *)name, (unsigned long long)inum, dir);
			continue;
		}
		size_t mark = fs->path.len;
		if ((mark && it_buf_putc(&fs->path, '/') < 0) ||
		    it_buf_append(&fs->path, name, nlen) < 0)
			return it_error_nomem(err);
		int r = emit_inode(fs, ino, depth, err);
		it_buf_truncate(&fs->path, mark);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Bytes the image occupies: up to the furthest node read, then any erased LEBs. */
static size_t image_extent(const struct ubifs *fs)
{
	size_t end = (fs->max_end + fs->leb_size - 1) / fs->leb_size * fs->leb_size;
	while (end < fs->len && end / fs->leb_size < fs->leb_cnt) {
		size_t n = fs->len - end < fs->leb_size ? fs->len - end : fs->leb_size;
		size_t k = 0;
		while (k < n && fs->p[end + k] == 0xff)
			k++;
		if (k < n)
			break;
		end += n;
	}
	return end < fs->len ? end : fs->len;
}

static void fs_free(struct ubifs *fs)
{
	if (fs->state)
		for (size_t i = 0; i < fs->ino_end - fs->ino_first; i++)
			free(fs->state[i].first_path);
	free(fs->state);
	free(fs->leaves);
	free(fs->truns);
	it_buf_free(&fs->why);
	it_buf_free(&fs->first_why);
	it_buf_free(&fs->path);
	it_buf_free(&fs->target);
	if (fs->zs_ready)
		inflateEnd(&fs->zs);
	ZSTD_freeDCtx(fs->zstd);
}

static int ubifs_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                        struct it_error *err)
{
	struct ubifs fs;
	struct master m;
	memset(&fs, 0, sizeof fs);
	memset(&m, 0, sizeof m);
	fs.job = job;
	fs.p = p;
	fs.len = avail;
	fs.max_nodes = avail / CH_SZ + 1;
	if (lzo_init() != LZO_E_OK)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "ubifs: cannot initialise LZO");
	int r = -1;
	if (read_sb(&fs, err) < 0 || read_master(&fs, &m, err) < 0 ||
	    walk_index(&fs, &m, err) < 0 || replay_journal(&fs, &m, err) < 0)
		goto out;
	check_leaves(&fs);
	if (fs.nleaves)
		qsort(fs.leaves, fs.nleaves, sizeof *fs.leaves, leaf_cmp);
	if (fs.ntruns)
		qsort(fs.truns, fs.ntruns, sizeof *fs.truns, trun_cmp);
	fs.ino_first = lower_bound(&fs, INO_NODE, 0, 0);
	fs.ino_end = lower_bound(&fs, DATA_NODE, 0, 0);
	fs.state = calloc(fs.ino_end - fs.ino_first + 1, sizeof *fs.state);
	if (!fs.state) {
		it_error_nomem(err);
		goto out;
	}
	if (fs.bad)
		it_job_diag(job, IT_ERR_INPUT, fs.first_bad,
		            "ubifs: %zu node%s referenced by the index unreadable and left out "
		            "(first: %s)",
		            fs.bad, fs.bad == 1 ? "" : "s", it_buf_str(&fs.first_why));
	size_t root = find_ino(&fs, 1);
	if (root == SIZE_MAX) {
		r = it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
		                 "ubifs: no valid inode node for the root directory (inode 1)");
		goto out;
	}
	fs.state[root - fs.ino_first].seen = 1;
	r = emit_dir(&fs, 1, 0, err);
	*consumed = image_extent(&fs);
out:
	fs_free(&fs);
	return r;
}

const struct it_format it_fmt_ubifs = {
        .name = "ubifs",
        .magic = {{NODE_MAGIC, 4, 0}, {NULL, 0, 0}},
        .probe = ubifs_probe,
        .unpack = ubifs_unpack,
};

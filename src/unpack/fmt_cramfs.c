/*
 * cramfs (Linux compressed ROM file system), both byte orders, parsed by hand:
 * a 76-byte superblock (optionally after 512 bytes of boot padding), 12-byte
 * inodes packed in bit fields, directories as runs of inodes, and file data as
 * zlib streams of at most 4096 bytes each behind a table of block pointers.
 * Every offset is checked against the image size before it is read.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "format.h"
#include "iotrust/cursor.h"

#define CRAM_MAGIC_LE  "\x45\x3d\xcd\x28"
#define CRAM_MAGIC_BE  "\x28\xcd\x3d\x45"
#define CRAM_SIGNATURE "Compressed ROMFS"
#define CRAM_SUPER     76  /* bytes of the superblock, root inode included */
#define CRAM_PAD       512 /* boot padding some images carry before the superblock */
#define CRAM_INODE     12
#define CRAM_BLOCK     4096 /* uncompressed bytes per data block */
#define CRAM_CRC_AT    32   /* offset of fsid.crc in the superblock */
#define CRAM_MAX_DEPTH 256
#define CRAM_MAX_BAD   1000
#define CRAM_MAX_LINK  4096

#define CRAM_FLAG_FSID_V2        0x00000001u
#define CRAM_FLAG_HOLES          0x00000100u
#define CRAM_FLAG_WRONG_SIG      0x00000200u
#define CRAM_FLAG_SHIFTED_ROOT   0x00000400u
#define CRAM_FLAG_EXT_BLOCK_PTRS 0x00000800u
#define CRAM_FLAGS_SUPPORTED                                                                       \
	(0xffu | CRAM_FLAG_HOLES | CRAM_FLAG_WRONG_SIG | CRAM_FLAG_SHIFTED_ROOT |                  \
	 CRAM_FLAG_EXT_BLOCK_PTRS)
#define CRAM_BLK_UNCOMPRESSED 0x80000000u
#define CRAM_BLK_DIRECT       0x40000000u
#define CRAM_BLK_FLAGS        (CRAM_BLK_UNCOMPRESSED | CRAM_BLK_DIRECT)

struct cram_inode {
	uint32_t mode, uid, size, gid;
	uint32_t name_bytes; /* namelen * 4 */
	uint32_t offset;     /* offset * 4: data, or the first entry of a directory */
};

/* The superblock as found at p + sb (sb is 0 or CRAM_PAD). */
struct cram_super {
	size_t sb;
	int be;
	uint32_t size, flags, crc, edition, blocks, files;
	struct cram_inode root;
};

struct cram {
	struct it_job *job;
	const uint8_t *p; /* image start (the padding, when there is some) */
	size_t size;      /* image bytes */
	struct cram_super s;
	z_stream zs;
	int zs_ready;
	unsigned bad;
	uint64_t records, max_records;
	struct it_buf path;
	uint32_t *seen; /* directory listing offsets walked (+1; 0 = empty slot) */
	size_t seen_cap, seen_n;
};

struct cram_frame {
	uint32_t pos, end;
	size_t path_len;
};

static uint32_t load32(const uint8_t *p, int be)
{
	return be ? it_load_u32be(p) : it_load_u32le(p);
}

static void inode_parse(const uint8_t *q, int be, struct cram_inode *ino)
{
	uint32_t w0 = load32(q, be), w1 = load32(q + 4, be), w2 = load32(q + 8, be);
	if (be) {
		/* big-endian bit fields fill each word from the top */
		ino->mode = w0 >> 16;
		ino->uid = w0 & 0xffff;
		ino->size = w1 >> 8;
		ino->gid = w1 & 0xff;
		ino->name_bytes = (w2 >> 26) * 4;
		ino->offset = (w2 & 0x3ffffff) * 4;
	} else {
		ino->mode = w0 & 0xffff;
		ino->uid = w0 >> 16;
		ino->size = w1 & 0xffffff;
		ino->gid = w1 >> 24;
		ino->name_bytes = (w2 & 0x3f) * 4;
		ino->offset = (w2 >> 6) * 4;
	}
}

/* Find the superblock: at p, or after 512 bytes of padding. 0 or -1. */
static int super_find(const uint8_t *p, size_t avail, struct cram_super *s)
{
	memset(s, 0, sizeof *s);
	if (avail >= CRAM_SUPER && (!memcmp(p, CRAM_MAGIC_LE, 4) || !memcmp(p, CRAM_MAGIC_BE, 4)))
		s->sb = 0;
	else if (avail >= CRAM_PAD + CRAM_SUPER && (!memcmp(p + CRAM_PAD, CRAM_MAGIC_LE, 4) ||
	                                            !memcmp(p + CRAM_PAD, CRAM_MAGIC_BE, 4)))
		s->sb = CRAM_PAD;
	else
		return -1;
	/* CRAM_SUPER bytes from p + sb are there (checked above) */
	const uint8_t *q = p + s->sb;
	s->be = q[0] == 0x28;
	s->size = load32(q + 4, s->be);
	s->flags = load32(q + 8, s->be);
	/* q + 16: the signature, checked by the callers */
	s->crc = load32(q + CRAM_CRC_AT, s->be);
	s->edition = load32(q + 36, s->be);
	s->blocks = load32(q + 40, s->be);
	s->files = load32(q + 44, s->be);
	/* q + 48: the volume name; q + 64: the root inode */
	inode_parse(q + 64, s->be, &s->root);
	return 0;
}

static int signature_ok(const uint8_t *p, const struct cram_super *s)
{
	return (s->flags & CRAM_FLAG_WRONG_SIG) || memcmp(p + s->sb + 16, CRAM_SIGNATURE, 16) == 0;
}

/* Where the root listing may start: right after the superblock. */
static int root_offset_ok(const struct cram_super *s)
{
	if (s->flags & CRAM_FLAG_SHIFTED_ROOT)
		return 1;
	return s->root.offset == 0 || s->root.offset == s->sb + CRAM_SUPER;
}

/* crc32 from the superblock to the image end with the crc field taken as
 * zero (mkcramfs's rule; boot padding is not covered). */
static uint32_t image_crc(const uint8_t *p, size_t size, size_t sb)
{
	static const uint8_t zero[4];
	uLong crc = crc32(0L, Z_NULL, 0);
	crc = crc32(crc, p + sb, CRAM_CRC_AT);
	crc = crc32(crc, zero, 4);
	/* zlib takes uInt lengths: feed large images in pieces */
	for (size_t off = sb + CRAM_CRC_AT + 4; off < size;) {
		size_t n = size - off > (1u << 30) ? (1u << 30) : size - off;
		crc = crc32(crc, p + off, (uInt)n);
		off += n;
	}
	return (uint32_t)crc;
}

static int cramfs_probe(const uint8_t *p, size_t avail)
{
	struct cram_super s;
	if (super_find(p, avail, &s) < 0 || !signature_ok(p, &s) || !root_offset_ok(&s))
		return IT_PROBE_NO;
	if ((s.root.mode & 0170000) != 0040000 || (s.flags & ~CRAM_FLAGS_SUPPORTED))
		return IT_PROBE_WEAK;
	if (!(s.flags & CRAM_FLAG_FSID_V2) || s.size < s.sb + CRAM_SUPER || s.size > avail)
		return IT_PROBE_WEAK + 10;
	if (image_crc(p, s.size, s.sb) != s.crc)
		return IT_PROBE_WEAK + 20;
	return IT_PROBE_STRONG + 5;
}

/* ---- data ---- */

static int inflate_block(struct cram *c, const uint8_t *in, size_t len, uint8_t *out,
                         size_t *outlen)
{
	if (!c->zs_ready) {
		if (inflateInit(&c->zs) != Z_OK)
			return -2;
		c->zs_ready = 1;
	} else if (inflateReset(&c->zs) != Z_OK) {
		return -1;
	}
	c->zs.next_in = (Bytef *)(uintptr_t)in;
	c->zs.avail_in = (uInt)len;
	c->zs.next_out = out;
	c->zs.avail_out = CRAM_BLOCK;
	int zr = inflate(&c->zs, Z_FINISH);
	*outlen = CRAM_BLOCK - c->zs.avail_out;
	return zr == Z_STREAM_END ? 0 : -1;
}

/* Where block i of a file starts and how long it is on disk. 0, or -1 with
 * *why set. ptrs is the block pointer table (nblocks entries, checked). */
static int block_extent(const struct cram *c, const struct cram_inode *ino, uint32_t nblocks,
                        uint32_t i, uint64_t *start, uint32_t *len, int *raw, const char **why)
{
	const uint8_t *ptrs = c->p + ino->offset;
	int be = c->s.be;
	uint32_t ptr = load32(ptrs + 4 * (size_t)i, be);
	*raw = 0;
	if (!(c->s.flags & CRAM_FLAG_EXT_BLOCK_PTRS)) {
		uint64_t from = i ? load32(ptrs + 4 * (size_t)(i - 1), be)
		                  : (uint64_t)ino->offset + 4 * (uint64_t)nblocks;
		if (ptr < from) {
			*why = "block pointer goes backwards";
			return -1;
		}
		*start = from;
		*len = (uint32_t)(ptr - from);
		return 0;
	}
	if (ptr & CRAM_BLK_DIRECT) {
		/* absolute start (shifted by 2); compressed blocks carry a u16 length */
		uint64_t at = (uint64_t)(ptr & ~CRAM_BLK_FLAGS) << 2;
		if (ptr & CRAM_BLK_UNCOMPRESSED) {
			*raw = 1;
			*start = at;
			*len = CRAM_BLOCK;
			uint64_t left = (uint64_t)ino->size - (uint64_t)i * CRAM_BLOCK;
			if (left < CRAM_BLOCK)
				*len = (uint32_t)left;
			return 0;
		}
		if (at + 2 > c->size) {
			*why = "direct block pointer beyond the image end";
			return -1;
		}
		*len = be ? (uint32_t)((c->p[at] << 8) | c->p[at + 1])
		          : (uint32_t)(c->p[at] | (c->p[at + 1] << 8));
		*start = at + 2;
		return 0;
	}
	uint64_t from = (uint64_t)ino->offset + 4 * (uint64_t)nblocks;
	if (i) {
		uint32_t prev = load32(ptrs + 4 * (size_t)(i - 1), be);
		from = prev & ~CRAM_BLK_FLAGS;
		if (prev & CRAM_BLK_DIRECT) {
			from <<= 2;
			if (prev & CRAM_BLK_UNCOMPRESSED) {
				from += CRAM_BLOCK;
			} else {
				if (from + 2 > c->size) {
					*why = "direct block pointer beyond the image end";
					return -1;
				}
				from += 2 + (be ? (uint32_t)((c->p[from] << 8) | c->p[from + 1])
				                : (uint32_t)(c->p[from] | (c->p[from + 1] << 8)));
			}
		}
	}
	*raw = (ptr & CRAM_BLK_UNCOMPRESSED) != 0;
	ptr &= ~CRAM_BLK_FLAGS;
	if (ptr < from) {
		*why = "block pointer goes backwards";
		return -1;
	}
	*start = from;
	*len = (uint32_t)(ptr - from);
	return 0;
}

/* Append block i of the file to out (exactly its expected bytes). */
static int read_block(struct cram *c, const struct cram_inode *ino, uint32_t i, struct it_buf *out,
                      const char *path, struct it_error *err)
{
	uint32_t nblocks = (ino->size + CRAM_BLOCK - 1) / CRAM_BLOCK;
	uint32_t expect = ino->size - i * CRAM_BLOCK;
	if (expect > CRAM_BLOCK)
		expect = CRAM_BLOCK;
	if ((uint64_t)ino->offset + 4 * (uint64_t)nblocks > c->size)
		return it_error_set(err, IT_ERR_INPUT, NULL, ino->offset,
		                    "cramfs: block pointers of '%s' (%u at 0x%x) beyond the image "
		                    "end (0x%zx)",
		                    path, nblocks, ino->offset, c->size);
	uint64_t start;
	uint32_t len;
	int raw;
	const char *why = NULL;
	if (block_extent(c, ino, nblocks, i, &start, &len, &raw, &why) < 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, ino->offset + 4 * (uint64_t)i,
		                    "cramfs: block %u of '%s': %s", i, path, why);
	if (start > c->size || len > c->size - start)
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, start,
		        "cramfs: block %u of '%s' (%u bytes at 0x%llx) beyond the image "
		        "end (0x%zx)",
		        i, path, len, (unsigned long long)start, c->size);
	if (it_buf_reserve(out, CRAM_BLOCK) < 0)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	uint8_t *dst = out->data + out->len;
	size_t got;
	if (len == 0) { /* a hole */
		memset(dst, 0, expect);
		got = expect;
	} else if (raw) {
		if (len > CRAM_BLOCK)
			return it_error_set(err, IT_ERR_INPUT, NULL, start,
			                    "cramfs: uncompressed block %u of '%s' is %u bytes, "
			                    "expected at most 4096",
			                    i, path, len);
		memcpy(dst, c->p + start, len);
		got = len;
	} else {
		if (len > 2 * CRAM_BLOCK)
			return it_error_set(err, IT_ERR_INPUT, NULL, start,
			                    "cramfs: compressed block %u of '%s' is %u bytes, "
			                    "expected at most 8192",
			                    i, path, len);
		int zr = inflate_block(c, c->p + start, len, dst, &got);
		if (zr == -2)
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET,
			                    "zlib: cannot initialise");
		if (zr < 0)
			return it_error_set(
			        err, IT_ERR_INPUT, NULL, start,
			        "cramfs: block %u of '%s' at 0x%llx is not a zlib stream "
			        "of at most 4096 bytes (%s)",
			        i, path, (unsigned long long)start,
			        c->zs.msg ? c->zs.msg : "does not end");
	}
	if (got != expect)
		return it_error_set(err, IT_ERR_INPUT, NULL, start,
		                    "cramfs: block %u of '%s' holds %zu bytes, expected %u", i,
		                    path, got, expect);
	out->len += got;
	out->data[out->len] = 0;
	return 0;
}

struct file_ctx {
	struct cram *c;
	const struct cram_inode *ino;
};

/* it_entry_reader.load: whole blocks from the cached length up to `want`. */
static int file_load(void *ctx, const struct it_entry *e, struct it_buf *out, size_t want,
                     struct it_error *err)
{
	struct file_ctx *f = ctx;
	while (out->len < want && out->len < f->ino->size) {
		if (out->len % CRAM_BLOCK)
			return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
			                    "cramfs: cache of '%s' ends inside a block", e->path);
		if (read_block(f->c, f->ino, (uint32_t)(out->len / CRAM_BLOCK), out, e->path, err) <
		    0)
			return -1;
	}
	return 0;
}

/* ---- tree ---- */

static int seen_add(struct cram *c, uint32_t off)
{
	uint32_t key = off + 1; /* offsets are below 2^28 */
	if (c->seen_n * 2 >= c->seen_cap) {
		size_t cap = c->seen_cap ? c->seen_cap * 2 : 64;
		uint32_t *n = calloc(cap, sizeof *n);
		if (!n)
			return -1;
		for (size_t i = 0; i < c->seen_cap; i++) {
			if (!c->seen[i])
				continue;
			size_t j = (size_t)(c->seen[i] * 2654435761u) & (cap - 1);
			while (n[j])
				j = (j + 1) & (cap - 1);
			n[j] = c->seen[i];
		}
		free(c->seen);
		c->seen = n;
		c->seen_cap = cap;
	}
	size_t j = (size_t)(key * 2654435761u) & (c->seen_cap - 1);
	while (c->seen[j]) {
		if (c->seen[j] == key)
			return 1;
		j = (j + 1) & (c->seen_cap - 1);
	}
	c->seen[j] = key;
	c->seen_n++;
	return 0;
}

static int refuse(struct cram *c, struct it_error *err)
{
	if (++c->bad <= CRAM_MAX_BAD)
		return 0;
	return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
	                    "cramfs: more than %u invalid or unreadable entries, giving up",
	                    CRAM_MAX_BAD);
}

static enum it_entry_type mode_type(uint32_t mode, int *ok)
{
	*ok = 1;
	switch (mode & 0170000) {
	case 0040000:
		return IT_ENTRY_DIR;
	case 0100000:
		return IT_ENTRY_FILE;
	case 0120000:
		return IT_ENTRY_SYMLINK;
	case 0020000:
		return IT_ENTRY_CHAR;
	case 0060000:
		return IT_ENTRY_BLOCK;
	case 0010000:
		return IT_ENTRY_FIFO;
	case 0140000:
		return IT_ENTRY_SOCKET;
	default:
		*ok = 0;
		return IT_ENTRY_FILE;
	}
}

/* Deliver the entry at c->path. Returns -1 to stop, 0 when done, 1 when it is
 * a directory to walk. `at` is the inode's offset (for messages). */
static int emit(struct cram *c, const struct cram_inode *ino, uint32_t at, size_t depth,
                struct it_error *err)
{
	const char *path = it_buf_str(&c->path);
	struct it_entry e;
	int ok;
	memset(&e, 0, sizeof e);
	e.path = path;
	e.type = mode_type(ino->mode, &ok);
	e.mode = ino->mode & 07777;
	e.uid = ino->uid;
	e.gid = ino->gid;
	if (!ok) {
		it_job_diag(c->job, IT_ERR_INPUT, at, "cramfs: refused '%s': unknown file type 0%o",
		            path, ino->mode & 0170000);
		return refuse(c, err);
	}
	struct it_buf target = IT_BUF_INIT;
	int walk = 0;
	if (e.type == IT_ENTRY_SYMLINK) {
		struct it_error lerr = IT_ERROR_INIT;
		int r = 0;
		if (ino->size > CRAM_MAX_LINK)
			r = it_error_set(
			        &lerr, IT_ERR_INPUT, NULL, at,
			        "cramfs: symlink target of %u bytes, expected at most 4096",
			        ino->size);
		else if (ino->size && read_block(c, ino, 0, &target, path, &lerr) < 0)
			r = -1;
		else if (memchr(it_buf_str(&target), 0, target.len))
			r = it_error_set(&lerr, IT_ERR_INPUT, NULL, at,
			                 "cramfs: symlink target contains a NUL byte");
		if (r < 0) {
			it_buf_free(&target);
			if (lerr.code == IT_ERR_NOMEM) {
				it_error_move(err, &lerr);
				return -1;
			}
			it_job_diag(c->job, IT_ERR_INPUT, at, "refused '%s': %s", path,
			            lerr.message ? lerr.message : "unreadable symlink");
			it_error_clear(&lerr);
			return refuse(c, err);
		}
		e.link_target = it_buf_str(&target);
	} else if (e.type == IT_ENTRY_FILE) {
		e.size = ino->size;
	} else if (e.type == IT_ENTRY_DIR && ino->size) {
		int seen = seen_add(c, ino->offset);
		if (seen < 0)
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		if (seen) {
			it_job_diag(c->job, IT_ERR_INPUT, at,
			            "cramfs: directory loop at '%s' (listing at 0x%x already "
			            "walked)",
			            path, ino->offset);
			return refuse(c, err);
		}
		if ((uint64_t)ino->offset + ino->size > c->size ||
		    ino->offset < c->s.sb + CRAM_SUPER) {
			it_job_diag(c->job, IT_ERR_INPUT, at,
			            "cramfs: directory '%s' lists %u bytes at 0x%x, outside the "
			            "image (0x%x..0x%zx); its contents are skipped",
			            path, ino->size, ino->offset, (unsigned)(c->s.sb + CRAM_SUPER),
			            c->size);
			if (refuse(c, err) < 0)
				return -1;
		} else if (depth >= CRAM_MAX_DEPTH) {
			it_job_diag(c->job, IT_ERR_INPUT, at,
			            "cramfs: '%s' is nested deeper than %u directories; its "
			            "contents are skipped",
			            path, CRAM_MAX_DEPTH);
			if (refuse(c, err) < 0)
				return -1;
		} else {
			walk = 1;
		}
	}
	struct file_ctx fc = {c, ino};
	struct it_entry_reader rd = {file_load, &fc};
	int r = it_job_entry(c->job, &e, NULL, e.type == IT_ENTRY_FILE ? &rd : NULL, err);
	it_buf_free(&target);
	return r < 0 ? -1 : walk;
}

/* The name of the entry at q (name_bytes of NUL-padded text), or a reason. */
static const char *name_problem(const uint8_t *q, uint32_t n, size_t *len)
{
	const uint8_t *nul = memchr(q, 0, n);
	*len = nul ? (size_t)(nul - q) : n;
	if (*len == 0)
		return "is empty";
	for (size_t i = *len; i < n; i++)
		if (q[i])
			return "contains a NUL byte";
	if (memchr(q, '/', *len))
		return "contains '/'";
	if ((*len == 1 && q[0] == '.') || (*len == 2 && q[0] == '.' && q[1] == '.'))
		return "is '.' or '..'";
	return NULL;
}

static int walk_tree(struct cram *c, struct it_error *err)
{
	struct cram_frame *stack = calloc(CRAM_MAX_DEPTH + 1, sizeof *stack);
	if (!stack)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	const struct cram_inode *root = &c->s.root;
	size_t n = 0;
	int r = 0;
	if (root->size) {
		if (seen_add(c, root->offset) < 0) {
			free(stack);
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		}
		stack[0].pos = root->offset;
		stack[0].end = root->offset + root->size;
		n = 1;
	}
	while (n > 0 && r == 0) {
		struct cram_frame *f = &stack[n - 1];
		it_buf_truncate(&c->path, f->path_len);
		if (f->pos >= f->end) {
			n--;
			continue;
		}
		uint32_t at = f->pos;
		struct cram_inode ino;
		if (f->end - at < CRAM_INODE) {
			it_job_diag(c->job, IT_ERR_INPUT, at,
			            "cramfs: directory '%s' ends inside an inode (%u bytes left)",
			            it_buf_str(&c->path), f->end - at);
			n--;
			r = refuse(c, err);
			continue;
		}
		inode_parse(c->p + at, c->s.be, &ino);
		if (ino.name_bytes == 0 || f->end - at - CRAM_INODE < ino.name_bytes) {
			it_job_diag(c->job, IT_ERR_INPUT, at,
			            "cramfs: entry in directory '%s' has a name of %u bytes, "
			            "expected 4..%u",
			            it_buf_str(&c->path), ino.name_bytes, f->end - at - CRAM_INODE);
			n--;
			r = refuse(c, err);
			continue;
		}
		f->pos = at + CRAM_INODE + ino.name_bytes;
		if (++c->records > c->max_records) {
			r = it_error_set(err, IT_ERR_INPUT, NULL, at,
			                 "cramfs: directories list more than the %llu inodes the "
			                 "image can hold (overlapping listings)",
			                 (unsigned long long)c->max_records);
			break;
		}
		const uint8_t *name = c->p + at + CRAM_INODE;
		size_t len;
		const char *bad = name_problem(name, ino.name_bytes, &len);
		if (bad) {
			it_job_diag(c->job, IT_ERR_INPUT, at,
			            "cramfs: refused entry '%.*s' in directory '%s': the name %s",
			            (int)len, (const char *)name, it_buf_str(&c->path), bad);
			r = refuse(c, err);
			continue;
		}
		if (it_buf_append(&c->path, name, len) < 0) {
			r = it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
			break;
		}
		int e = emit(c, &ino, at, n, err);
		if (e < 0) {
			r = -1;
		} else if (e == 1) {
			if (it_buf_putc(&c->path, '/') < 0) {
				r = it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET,
				                 "out of memory");
				break;
			}
			stack[n].pos = ino.offset;
			stack[n].end = ino.offset + ino.size;
			stack[n].path_len = c->path.len;
			n++;
		}
	}
	free(stack);
	return r;
}

static int cramfs_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                         struct it_error *err)
{
	struct cram c;
	memset(&c, 0, sizeof c);
	c.job = job;
	c.p = p;
	if (super_find(p, avail, &c.s) < 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "cramfs: expected magic 0x28cd3d45 and a %d-byte superblock "
		                    "(%zu bytes available)",
		                    CRAM_SUPER, avail);
	const struct cram_super *s = &c.s;
	if (!signature_ok(p, s))
		return it_error_set(err, IT_ERR_INPUT, NULL, s->sb + 16,
		                    "cramfs: expected signature \"" CRAM_SIGNATURE "\"");
	if (s->flags & ~CRAM_FLAGS_SUPPORTED)
		return it_error_set(err, IT_ERR_INPUT, NULL, s->sb + 8,
		                    "cramfs: unsupported flags 0x%x",
		                    s->flags & ~CRAM_FLAGS_SUPPORTED);
	if (s->flags & CRAM_FLAG_FSID_V2) {
		if (s->size < s->sb + CRAM_SUPER)
			return it_error_set(err, IT_ERR_INPUT, NULL, s->sb + 4,
			                    "cramfs: image size %u is smaller than the superblock",
			                    s->size);
		if (s->size > avail)
			return it_error_set(err, IT_ERR_INPUT, NULL, s->sb + 4,
			                    "cramfs: truncated image: size 0x%x beyond the end of "
			                    "the data (0x%zx)",
			                    s->size, avail);
		c.size = s->size;
	} else {
		/* version 1 images carry no reliable size: use what is there */
		c.size = s->size >= s->sb + CRAM_SUPER && s->size <= avail ? s->size : avail;
	}
	if ((s->root.mode & 0170000) != 0040000)
		return it_error_set(err, IT_ERR_INPUT, NULL, s->sb + 64,
		                    "cramfs: root inode mode 0%o is not a directory", s->root.mode);
	if (!root_offset_ok(s) || (uint64_t)s->root.offset + s->root.size > c.size)
		return it_error_set(err, IT_ERR_INPUT, NULL, s->sb + 64,
		                    "cramfs: root directory (%u bytes at 0x%x) not right after the "
		                    "superblock or beyond the image end (0x%zx)",
		                    s->root.size, s->root.offset, c.size);
	if (s->flags & CRAM_FLAG_FSID_V2) {
		uint32_t crc = image_crc(p, c.size, s->sb);
		if (crc != s->crc)
			it_job_diag(job, IT_ERR_INPUT, s->sb + CRAM_CRC_AT,
			            "cramfs: CRC mismatch: stored 0x%08x, computed 0x%08x (the "
			            "image was modified or damaged)",
			            s->crc, crc);
	}
	c.max_records = c.size / CRAM_INODE + 1;
	int r = walk_tree(&c, err);
	if (c.zs_ready)
		inflateEnd(&c.zs);
	it_buf_free(&c.path);
	free(c.seen);
	if (r < 0)
		return -1;
	*consumed = c.size;
	return 0;
}

const struct it_format it_fmt_cramfs = {
        .name = "cramfs",
        /* The table holds three magics: a big-endian image behind boot padding
         * is only read when named explicitly (super_find handles it). */
        .magic = {{CRAM_MAGIC_LE, 4, 0},
                  {CRAM_MAGIC_BE, 4, 0},
                  {CRAM_MAGIC_LE, 4, CRAM_PAD},
                  {NULL, 0, 0}},
        .probe = cramfs_probe,
        .unpack = cramfs_unpack,
};

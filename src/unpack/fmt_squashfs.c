/*
 * SquashFS 4.0 (little-endian "hsqs") file systems, read with libsquashfs from
 * squashfs-tools-ng over the image in memory (LZO through liblzo2, which the
 * library leaves out). The superblock and every size that makes libsquashfs
 * allocate (tables, block lists, symlink targets, directory indexes) are checked
 * here first; the tree is walked depth-first with one readdir state per level,
 * so entries stream out as found and memory stays O(depth).
 */
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <zlib.h>
#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir.h>
#include <sqfs/error.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_reader.h>
#include <sqfs/super.h>

#include "format.h"
#include "iotrust/cursor.h"

#define SQ_SUPER_SIZE 96
#define SQ_NO_TABLE   UINT64_MAX
#define SQ_META_SIZE  8192                 /* uncompressed bytes in one metadata block */
#define SQ_MAX_TABLE  ((uint64_t)64 << 20) /* fragment table, block list of one file */
#define SQ_MAX_LINK   4096                 /* bytes in a symlink target */
#define SQ_MAX_NAME   256                  /* bytes in a directory index name */
#define SQ_MAX_DEPTH  256                  /* directory levels */
#define SQ_MAX_BAD    1000                 /* refused entries before giving up */
#define SQ_READ_CHUNK ((size_t)1 << 20)    /* bytes per sqfs_data_reader_read call */
#define SQ_ALIGN      4096                 /* mksquashfs pads images to this */

/* The superblock fields the reader checks, in host order. */
struct sq_super {
	uint32_t inodes, block_size, frag_count;
	uint16_t comp, block_log, flags, id_count, major, minor;
	uint64_t root_ref, bytes_used, id_start, xattr_start, inode_start, dir_start, frag_start,
	        export_start;
};

/* An sqfs_file_t over the image bytes (read only). */
struct mem_file {
	sqfs_file_t base;
	const uint8_t *p;
	uint64_t size;
};

/* Everything one unpack() needs; freed by sq_close(). */
struct sq {
	struct it_job *job;
	struct sq_super sb;
	sqfs_super_t super;
	struct mem_file *file;
	sqfs_compressor_t *cmp;
	sqfs_compressor_t *mcache; /* cmp behind a metadata block cache */
	sqfs_id_table_t *ids;
	sqfs_data_reader_t *data;
	sqfs_meta_reader_t *minode, *mdir;
	uint64_t max_blocklist; /* bytes a file's block list may take */
	unsigned bad;           /* entries refused so far */
	struct it_buf path;
	/* directory inode refs already walked (stored +1, 0 = empty slot) */
	uint64_t *seen;
	size_t seen_cap, seen_n;
};

struct sq_frame {
	sqfs_readdir_state_t st;
	size_t path_len; /* bytes of the path prefix ("a/b/") of this directory */
};

/* ---- libsquashfs glue ---- */

static const char *sq_strerror(int e)
{
	switch (e) {
	case SQFS_ERROR_ALLOC:
		return "SQFS_ERROR_ALLOC (out of memory or an absurd size)";
	case SQFS_ERROR_IO:
		return "SQFS_ERROR_IO (read error)";
	case SQFS_ERROR_COMPRESSOR:
		return "SQFS_ERROR_COMPRESSOR (corrupt compressed block)";
	case SQFS_ERROR_INTERNAL:
		return "SQFS_ERROR_INTERNAL (internal library error)";
	case SQFS_ERROR_CORRUPTED:
		return "SQFS_ERROR_CORRUPTED (corrupted metadata)";
	case SQFS_ERROR_UNSUPPORTED:
		return "SQFS_ERROR_UNSUPPORTED (unsupported feature)";
	case SQFS_ERROR_OVERFLOW:
		return "SQFS_ERROR_OVERFLOW (size overflow)";
	case SQFS_ERROR_OUT_OF_BOUNDS:
		return "SQFS_ERROR_OUT_OF_BOUNDS (offset outside the image or its table)";
	case SFQS_ERROR_SUPER_MAGIC:
		return "SQFS_ERROR_SUPER_MAGIC (bad superblock magic)";
	case SFQS_ERROR_SUPER_VERSION:
		return "SQFS_ERROR_SUPER_VERSION (unsupported version)";
	case SQFS_ERROR_SUPER_BLOCK_SIZE:
		return "SQFS_ERROR_SUPER_BLOCK_SIZE (bad block size)";
	case SQFS_ERROR_NOT_DIR:
		return "SQFS_ERROR_NOT_DIR (not a directory)";
	case SQFS_ERROR_NO_ENTRY:
		return "SQFS_ERROR_NO_ENTRY (no such entry)";
	case SQFS_ERROR_LINK_LOOP:
		return "SQFS_ERROR_LINK_LOOP (link loop)";
	case SQFS_ERROR_NOT_FILE:
		return "SQFS_ERROR_NOT_FILE (not a file)";
	case SQFS_ERROR_ARG_INVALID:
		return "SQFS_ERROR_ARG_INVALID (invalid argument)";
	case SQFS_ERROR_SEQUENCE:
		return "SQFS_ERROR_SEQUENCE (calls out of sequence)";
	default:
		return "unknown libsquashfs error";
	}
}

static int mem_read_at(sqfs_file_t *file, sqfs_u64 offset, void *buffer, size_t size)
{
	const struct mem_file *f = (const struct mem_file *)file;
	if (offset > f->size || size > f->size - offset)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	if (size)
		memcpy(buffer, f->p + offset, size);
	return 0;
}

static int mem_write_at(sqfs_file_t *file, sqfs_u64 offset, const void *buffer, size_t size)
{
	(void)file;
	(void)offset;
	(void)buffer;
	(void)size;
	return SQFS_ERROR_UNSUPPORTED;
}

static sqfs_u64 mem_get_size(const sqfs_file_t *file)
{
	return ((const struct mem_file *)file)->size;
}

static int mem_truncate(sqfs_file_t *file, sqfs_u64 size)
{
	(void)file;
	(void)size;
	return SQFS_ERROR_UNSUPPORTED;
}

static void mem_destroy(sqfs_object_t *obj)
{
	free(obj);
}

static struct mem_file *mem_file_new(const uint8_t *p, uint64_t size)
{
	struct mem_file *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->base.base.destroy = mem_destroy;
	f->base.read_at = mem_read_at;
	f->base.write_at = mem_write_at;
	f->base.get_size = mem_get_size;
	f->base.truncate = mem_truncate;
	f->p = p;
	f->size = size;
	return f;
}

/* libsquashfs leaves LZO out (licence), so LZO blocks are inflated here with
 * liblzo2 behind the same sqfs_compressor_t interface. Decompression only. */
static void lzo_destroy(sqfs_object_t *obj)
{
	free(obj);
}

static void lzo_get_configuration(const sqfs_compressor_t *cmp, sqfs_compressor_config_t *cfg)
{
	(void)cmp;
	memset(cfg, 0, sizeof *cfg);
	cfg->id = SQFS_COMP_LZO;
	cfg->flags = SQFS_COMP_FLAG_UNCOMPRESS;
}

static int lzo_write_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
	(void)cmp;
	(void)file;
	return SQFS_ERROR_UNSUPPORTED;
}

static int lzo_read_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
	/* The options (algorithm, level) only matter when compressing. */
	(void)cmp;
	(void)file;
	return 0;
}

static sqfs_s32 lzo_do_block(sqfs_compressor_t *cmp, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
                             sqfs_u32 outsize)
{
	(void)cmp;
	lzo_uint n = outsize;
	if (lzo1x_decompress_safe(in, size, out, &n, NULL) != LZO_E_OK || n > outsize ||
	    n > INT32_MAX)
		return SQFS_ERROR_COMPRESSOR;
	return (sqfs_s32)n;
}

static sqfs_compressor_t *lzo_compressor_new(void)
{
	if (lzo_init() != LZO_E_OK)
		return NULL;
	sqfs_compressor_t *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->base.destroy = lzo_destroy;
	c->get_configuration = lzo_get_configuration;
	c->write_options = lzo_write_options;
	c->read_options = lzo_read_options;
	c->do_block = lzo_do_block;
	return c;
}

/* The inode and directory meta readers keep only their last block, so a walk
 * decompresses the same metadata block once per inode it holds. This wrapper
 * remembers every decompressed metadata block (found again by CRC32 of its
 * compressed bytes, confirmed with memcmp), as unsquashfs does by loading the
 * whole tables: listing then decompresses each block once. Bounded by
 * META_CACHE_MAX bytes; past that it simply stops remembering. */
#define META_CACHE_BUCKETS 1024
#define META_CACHE_MAX     ((size_t)64 << 20)

struct meta_block {
	uint32_t crc, in_len, out_len;
	int32_t next;
	uint8_t *in, *out;
};

struct meta_cache {
	sqfs_compressor_t cmp; /* first: libsquashfs sees this */
	sqfs_compressor_t *inner;
	struct meta_block *blocks;
	size_t count, cap, bytes;
	int32_t bucket[META_CACHE_BUCKETS];
};

static void meta_cache_destroy(sqfs_object_t *obj)
{
	struct meta_cache *mc = (struct meta_cache *)obj;
	for (size_t i = 0; i < mc->count; i++) {
		free(mc->blocks[i].in);
		free(mc->blocks[i].out);
	}
	free(mc->blocks);
	free(mc);
}

static void meta_cache_get_configuration(const sqfs_compressor_t *cmp,
                                         sqfs_compressor_config_t *cfg)
{
	const struct meta_cache *mc = (const struct meta_cache *)cmp;
	mc->inner->get_configuration(mc->inner, cfg);
}

static int meta_cache_write_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
	(void)cmp;
	(void)file;
	return SQFS_ERROR_UNSUPPORTED;
}

static int meta_cache_read_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
	(void)cmp;
	(void)file;
	return 0; /* the inner compressor has read them */
}

static void meta_cache_remember(struct meta_cache *mc, uint32_t crc, const sqfs_u8 *in,
                                sqfs_u32 size, const sqfs_u8 *out, sqfs_u32 n)
{
	if (mc->bytes + size + n > META_CACHE_MAX)
		return;
	if (mc->count == mc->cap) {
		size_t cap = mc->cap ? mc->cap * 2 : 64;
		struct meta_block *b = realloc(mc->blocks, cap * sizeof *b);
		if (!b)
			return;
		mc->blocks = b;
		mc->cap = cap;
	}
	struct meta_block *b = &mc->blocks[mc->count];
	b->in = malloc(size ? size : 1);
	b->out = malloc(n ? n : 1);
	if (!b->in || !b->out) {
		free(b->in);
		free(b->out);
		return;
	}
	memcpy(b->in, in, size);
	memcpy(b->out, out, n);
	b->crc = crc;
	b->in_len = size;
	b->out_len = n;
	b->next = mc->bucket[crc % META_CACHE_BUCKETS];
	mc->bucket[crc % META_CACHE_BUCKETS] = (int32_t)mc->count++;
	mc->bytes += size + n;
}

static sqfs_s32 meta_cache_do_block(sqfs_compressor_t *cmp, const sqfs_u8 *in, sqfs_u32 size,
                                    sqfs_u8 *out, sqfs_u32 outsize)
{
	struct meta_cache *mc = (struct meta_cache *)cmp;
	uint32_t crc = (uint32_t)crc32(0, in, size);
	for (int32_t i = mc->bucket[crc % META_CACHE_BUCKETS]; i >= 0; i = mc->blocks[i].next) {
		const struct meta_block *b = &mc->blocks[i];
		if (b->crc == crc && b->in_len == size && b->out_len <= outsize &&
		    memcmp(b->in, in, size) == 0) {
			memcpy(out, b->out, b->out_len);
			return (sqfs_s32)b->out_len;
		}
	}
	sqfs_s32 n = mc->inner->do_block(mc->inner, in, size, out, outsize);
	if (n > 0)
		meta_cache_remember(mc, crc, in, size, out, (sqfs_u32)n);
	return n;
}

/* A caching view of inner (which stays owned by the caller and must outlive it). */
static sqfs_compressor_t *meta_cache_new(sqfs_compressor_t *inner)
{
	struct meta_cache *mc = calloc(1, sizeof *mc);
	if (!mc)
		return NULL;
	mc->inner = inner;
	for (size_t i = 0; i < META_CACHE_BUCKETS; i++)
		mc->bucket[i] = -1;
	mc->cmp.base.destroy = meta_cache_destroy;
	mc->cmp.get_configuration = meta_cache_get_configuration;
	mc->cmp.write_options = meta_cache_write_options;
	mc->cmp.read_options = meta_cache_read_options;
	mc->cmp.do_block = meta_cache_do_block;
	return &mc->cmp;
}

/* ---- superblock ---- */

static void super_parse(const uint8_t *p, struct sq_super *s)
{
	struct it_cursor c = it_cursor_make(p, SQ_SUPER_SIZE);
	uint32_t magic, mtime;
	memset(s, 0, sizeof *s);
	/* The caller checked that SQ_SUPER_SIZE bytes are there. */
	it_take_u32le(&c, &magic);
	it_take_u32le(&c, &s->inodes);
	it_take_u32le(&c, &mtime);
	it_take_u32le(&c, &s->block_size);
	it_take_u32le(&c, &s->frag_count);
	it_take_u16le(&c, &s->comp);
	it_take_u16le(&c, &s->block_log);
	it_take_u16le(&c, &s->flags);
	it_take_u16le(&c, &s->id_count);
	it_take_u16le(&c, &s->major);
	it_take_u16le(&c, &s->minor);
	it_take_u64le(&c, &s->root_ref);
	it_take_u64le(&c, &s->bytes_used);
	it_take_u64le(&c, &s->id_start);
	it_take_u64le(&c, &s->xattr_start);
	it_take_u64le(&c, &s->inode_start);
	it_take_u64le(&c, &s->dir_start);
	it_take_u64le(&c, &s->frag_start);
	it_take_u64le(&c, &s->export_start);
}

static int is_sqfs_magic(const uint8_t *p, size_t avail)
{
	return avail >= SQ_SUPER_SIZE && memcmp(p, "hsqs", 4) == 0;
}

/* Bytes of the location list of a table of `bytes` bytes (one u64 per block). */
static uint64_t table_index_bytes(uint64_t bytes)
{
	return (bytes + SQ_META_SIZE - 1) / SQ_META_SIZE * 8;
}

/* Check every field libsquashfs relies on. Returns 0, or -1 with err set
 * (offsets are those of the offending field). */
static int super_check(const struct sq_super *s, size_t avail, struct it_error *err)
{
	if (s->major != 4 || s->minor != 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, 28,
		                    "squashfs: version %u.%u, expected 4.0", s->major, s->minor);
	if (s->block_size < SQFS_MIN_BLOCK_SIZE || s->block_size > SQFS_MAX_BLOCK_SIZE ||
	    (s->block_size & (s->block_size - 1)))
		return it_error_set(err, IT_ERR_INPUT, NULL, 12,
		                    "squashfs: block size %u, expected a power of two from 4096 "
		                    "to 1048576",
		                    s->block_size);
	if (s->block_log >= 32 || ((uint32_t)1 << s->block_log) != s->block_size)
		return it_error_set(err, IT_ERR_INPUT, NULL, 22,
		                    "squashfs: block_log %u does not match block size %u",
		                    s->block_log, s->block_size);
	if (s->comp < SQFS_COMP_MIN || s->comp > SQFS_COMP_MAX)
		return it_error_set(err, IT_ERR_INPUT, NULL, 20,
		                    "squashfs: compressor id %u, expected 1 (gzip) to 6 (zstd)",
		                    s->comp);
	if (s->bytes_used < SQ_SUPER_SIZE)
		return it_error_set(err, IT_ERR_INPUT, NULL, 40,
		                    "squashfs: bytes_used 0x%llx is smaller than the superblock",
		                    (unsigned long long)s->bytes_used);
	if (s->bytes_used > avail)
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, 40,
		        "squashfs: truncated image: bytes_used 0x%llx beyond the end of "
		        "the data (0x%zx)",
		        (unsigned long long)s->bytes_used, avail);
	const struct {
		uint64_t v;
		const char *name;
		size_t off;
		int optional;
	} t[] = {
	        {s->id_start, "id table", 48, 0},         {s->xattr_start, "xattr table", 56, 1},
	        {s->inode_start, "inode table", 64, 0},   {s->dir_start, "directory table", 72, 0},
	        {s->frag_start, "fragment table", 80, 1}, {s->export_start, "export table", 88, 1},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (t[i].optional && t[i].v == SQ_NO_TABLE)
			continue;
		if (t[i].v >= s->bytes_used || t[i].v < SQ_SUPER_SIZE)
			return it_error_set(err, IT_ERR_INPUT, NULL, t[i].off,
			                    "squashfs: %s offset 0x%llx outside the image "
			                    "(0x%x..0x%llx)",
			                    t[i].name, (unsigned long long)t[i].v, SQ_SUPER_SIZE,
			                    (unsigned long long)s->bytes_used);
	}
	if (s->inode_start >= s->dir_start)
		return it_error_set(err, IT_ERR_INPUT, NULL, 64,
		                    "squashfs: inode table offset 0x%llx not before the directory "
		                    "table (0x%llx)",
		                    (unsigned long long)s->inode_start,
		                    (unsigned long long)s->dir_start);
	if (s->dir_start > s->id_start)
		return it_error_set(err, IT_ERR_INPUT, NULL, 72,
		                    "squashfs: directory table offset 0x%llx after the id table "
		                    "(0x%llx)",
		                    (unsigned long long)s->dir_start,
		                    (unsigned long long)s->id_start);
	if (s->id_count == 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, 26,
		                    "squashfs: id count 0, expected at least one uid/gid");
	if (table_index_bytes((uint64_t)s->id_count * 4) > s->bytes_used - s->id_start)
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, 48,
		        "squashfs: id table of %u entries does not fit before the image "
		        "end (0x%llx)",
		        s->id_count, (unsigned long long)s->bytes_used);
	if (!(s->flags & SQFS_FLAG_NO_FRAGMENTS) && s->frag_count && s->frag_start != SQ_NO_TABLE) {
		uint64_t bytes = (uint64_t)s->frag_count * 16;
		if (s->frag_start < s->dir_start || bytes > SQ_MAX_TABLE ||
		    table_index_bytes(bytes) > s->bytes_used - s->frag_start)
			return it_error_set(err, IT_ERR_INPUT, NULL, 16,
			                    "squashfs: fragment table of %u entries at 0x%llx does "
			                    "not fit in the image (0x%llx bytes)",
			                    s->frag_count, (unsigned long long)s->frag_start,
			                    (unsigned long long)s->bytes_used);
	}
	if ((s->root_ref >> 16) >= s->dir_start - s->inode_start ||
	    (s->root_ref & 0xffff) >= SQ_META_SIZE)
		return it_error_set(err, IT_ERR_INPUT, NULL, 32,
		                    "squashfs: root inode reference 0x%llx outside the inode table",
		                    (unsigned long long)s->root_ref);
	return 0;
}

/* Magic and version only: weak. All fields consistent: strong, also when the
 * image is cut short (bytes_used beyond avail), so that a truncated file
 * system is reported rather than silently skipped. */
static int sqfs_probe(const uint8_t *p, size_t avail)
{
	if (!is_sqfs_magic(p, avail))
		return IT_PROBE_NO;
	struct sq_super s;
	super_parse(p, &s);
	if (s.major != 4 || s.minor != 0)
		return IT_PROBE_NO;
	struct it_error err = IT_ERROR_INIT;
	int ok = super_check(&s, SIZE_MAX, &err) == 0;
	it_error_clear(&err);
	if (!ok)
		return IT_PROBE_WEAK;
	return s.bytes_used <= avail ? IT_PROBE_STRONG + 10 : IT_PROBE_STRONG;
}

/* ---- set-up and tear-down ---- */

static void sq_close(struct sq *s)
{
	sqfs_destroy(s->mdir);
	sqfs_destroy(s->minode);
	sqfs_destroy(s->data);
	sqfs_destroy(s->ids);
	sqfs_destroy(s->mcache);
	sqfs_destroy(s->cmp);
	sqfs_destroy(s->file);
	it_buf_free(&s->path);
	free(s->seen);
}

static int lib_fail(struct it_error *err, uint64_t off, const char *what, int code)
{
	return it_error_set(err, IT_ERR_INPUT, NULL, off, "squashfs: %s: %s", what,
	                    sq_strerror(code));
}

static int sq_open(struct sq *s, const uint8_t *p, struct it_error *err)
{
	const struct sq_super *sb = &s->sb;
	int r;
	s->file = mem_file_new(p, sb->bytes_used);
	if (!s->file)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	r = sqfs_super_read(&s->super, &s->file->base);
	if (r)
		return lib_fail(err, 0, "reading the superblock", r);
	if (sb->comp == SQFS_COMP_LZO) {
		s->cmp = lzo_compressor_new();
		if (!s->cmp)
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	} else {
		sqfs_compressor_config_t cfg;
		r = sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)sb->comp, sb->block_size,
		                                SQFS_COMP_FLAG_UNCOMPRESS);
		if (!r)
			r = sqfs_compressor_create(&cfg, &s->cmp);
		if (r)
			return it_error_set(err, IT_ERR_INPUT, NULL, 20,
			                    "squashfs: cannot use compressor %u (%s): %s", sb->comp,
			                    sqfs_compressor_name_from_id((SQFS_COMPRESSOR)sb->comp),
			                    sq_strerror(r));
	}
	if (sb->flags & SQFS_FLAG_COMPRESSOR_OPTIONS) {
		r = s->cmp->read_options(s->cmp, &s->file->base);
		if (r)
			return lib_fail(err, SQ_SUPER_SIZE, "reading the compressor options", r);
	}
	s->ids = sqfs_id_table_create(0);
	if (!s->ids)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	r = sqfs_id_table_read(s->ids, &s->file->base, &s->super, s->cmp);
	if (r)
		return lib_fail(err, sb->id_start, "reading the id table", r);
	s->data = sqfs_data_reader_create(&s->file->base, sb->block_size, s->cmp, 0);
	if (!s->data)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	if (!(sb->flags & SQFS_FLAG_NO_FRAGMENTS) && sb->frag_count &&
	    sb->frag_start != SQ_NO_TABLE) {
		r = sqfs_data_reader_load_fragment_table(s->data, &s->super);
		if (r)
			return lib_fail(err, sb->frag_start, "reading the fragment table", r);
	}
	/* The directory table ends where the first table after it starts. */
	uint64_t dir_end = sb->id_start;
	const uint64_t after[] = {sb->frag_start, sb->export_start, sb->xattr_start};
	for (size_t i = 0; i < sizeof after / sizeof after[0]; i++)
		if (after[i] != SQ_NO_TABLE && after[i] > sb->dir_start && after[i] < dir_end)
			dir_end = after[i];
	s->mcache = meta_cache_new(s->cmp);
	if (!s->mcache)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	s->minode =
	        sqfs_meta_reader_create(&s->file->base, s->mcache, sb->inode_start, sb->dir_start);
	s->mdir = sqfs_meta_reader_create(&s->file->base, s->mcache, sb->dir_start, dir_end);
	if (!s->minode || !s->mdir)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	/* A metadata block takes at least 3 bytes on disk for its 8 KiB, so a block
	 * list can never be longer than this; libsquashfs allocates it up front. */
	uint64_t span = sb->dir_start - sb->inode_start;
	s->max_blocklist = (span / 3 + 1) * SQ_META_SIZE;
	if (s->max_blocklist > SQ_MAX_TABLE)
		s->max_blocklist = SQ_MAX_TABLE;
	return 0;
}

/* ---- the set of walked directories ---- */

static int seen_add(struct sq *s, uint64_t ref)
{
	uint64_t key = ref + 1;
	if (s->seen_n * 2 >= s->seen_cap) {
		size_t cap = s->seen_cap ? s->seen_cap * 2 : 64;
		uint64_t *n = calloc(cap, sizeof *n);
		if (!n)
			return -1;
		for (size_t i = 0; i < s->seen_cap; i++) {
			if (!s->seen[i])
				continue;
			size_t j = (size_t)(s->seen[i] * 0x9E3779B97F4A7C15ull) & (cap - 1);
			while (n[j])
				j = (j + 1) & (cap - 1);
			n[j] = s->seen[i];
		}
		free(s->seen);
		s->seen = n;
		s->seen_cap = cap;
	}
	size_t j = (size_t)(key * 0x9E3779B97F4A7C15ull) & (s->seen_cap - 1);
	while (s->seen[j]) {
		if (s->seen[j] == key)
			return 1;
		j = (j + 1) & (s->seen_cap - 1);
	}
	s->seen[j] = key;
	s->seen_n++;
	return 0;
}

/* ---- entries ---- */

/* Count a refused entry; after SQ_MAX_BAD the image is given up. */
static int refuse(struct sq *s, struct it_error *err)
{
	if (++s->bad <= SQ_MAX_BAD)
		return 0;
	return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
	                    "squashfs: more than %u invalid or unreadable entries, giving up",
	                    SQ_MAX_BAD);
}

/* An extended directory inode carries a name index that libsquashfs grows by
 * doubling to fit each name's 32-bit length: names must be at most 256 bytes. */
static int dir_index_precheck(struct sq *s, const char **what)
{
	uint8_t b[SQ_MAX_NAME];
	int r = sqfs_meta_reader_read(s->minode, b, 24);
	if (r)
		return r;
	uint32_t size = it_load_u32le(b + 4);
	uint16_t count = (uint16_t)(b[16] | (b[17] << 8));
	for (unsigned i = 0; size && i < count; i++) {
		r = sqfs_meta_reader_read(s->minode, b, 12);
		if (r)
			return r;
		uint32_t len = it_load_u32le(b + 8);
		if (len >= SQ_MAX_NAME) { /* the field holds the length - 1 */
			*what = "directory index name longer than 256 bytes";
			return 1;
		}
		r = sqfs_meta_reader_read(s->minode, b, len + 1);
		if (r)
			return r;
	}
	return 0;
}

/* Read the fixed part of the inode at ref and check the sizes libsquashfs
 * will allocate from. Returns 0, or a SQFS_ERROR code, or 1 when a size is
 * out of range (*what says which). */
static int inode_precheck(struct sq *s, uint64_t ref, const char **what)
{
	uint8_t b[40];
	int r = sqfs_meta_reader_seek(s->minode, s->sb.inode_start + (ref >> 16), ref & 0xffff);
	if (!r)
		r = sqfs_meta_reader_read(s->minode, b, 16);
	if (r)
		return r;
	uint16_t type = (uint16_t)(b[0] | (b[1] << 8));
	uint64_t size;
	switch (type) {
	case SQFS_INODE_FILE:
		r = sqfs_meta_reader_read(s->minode, b, 16);
		size = r ? 0 : it_load_u32le(b + 12);
		break;
	case SQFS_INODE_EXT_FILE:
		r = sqfs_meta_reader_read(s->minode, b, 40);
		size = r ? 0 : it_load_u64le(b + 8);
		break;
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK:
		r = sqfs_meta_reader_read(s->minode, b, 8);
		if (r)
			return r;
		if (it_load_u32le(b + 4) > SQ_MAX_LINK) {
			*what = "symlink target longer than 4096 bytes";
			return 1;
		}
		return 0;
	case SQFS_INODE_EXT_DIR:
		return dir_index_precheck(s, what);
	default:
		return 0;
	}
	if (r)
		return r;
	uint64_t blocks = size / s->sb.block_size + (size % s->sb.block_size != 0);
	if (blocks * 4 > s->max_blocklist) {
		*what = "file size implies a block list longer than the inode table";
		return 1;
	}
	return 0;
}

static enum it_entry_type entry_type(uint16_t t)
{
	switch (t) {
	case SQFS_INODE_DIR:
	case SQFS_INODE_EXT_DIR:
		return IT_ENTRY_DIR;
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK:
		return IT_ENTRY_SYMLINK;
	case SQFS_INODE_BDEV:
	case SQFS_INODE_EXT_BDEV:
		return IT_ENTRY_BLOCK;
	case SQFS_INODE_CDEV:
	case SQFS_INODE_EXT_CDEV:
		return IT_ENTRY_CHAR;
	case SQFS_INODE_FIFO:
	case SQFS_INODE_EXT_FIFO:
		return IT_ENTRY_FIFO;
	case SQFS_INODE_SOCKET:
	case SQFS_INODE_EXT_SOCKET:
		return IT_ENTRY_SOCKET;
	default:
		return IT_ENTRY_FILE;
	}
}

struct file_ctx {
	struct sq *s;
	const sqfs_inode_generic_t *inode;
};

/* it_entry_reader.load: decompress from the cached length up to `want`. */
static int file_load(void *ctx, const struct it_entry *e, struct it_buf *out, size_t want,
                     struct it_error *err)
{
	struct file_ctx *f = ctx;
	while (out->len < want && out->len < e->size) {
		size_t n = want - out->len;
		if (n > e->size - out->len)
			n = (size_t)(e->size - out->len);
		if (n > SQ_READ_CHUNK)
			n = SQ_READ_CHUNK;
		if (it_buf_reserve(out, n) < 0)
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		sqfs_s32 r = sqfs_data_reader_read(f->s->data, f->inode, out->len,
		                                   out->data + out->len, (sqfs_u32)n);
		if (r <= 0)
			return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
			                    "squashfs: reading '%s' at byte %zu of %llu: %s",
			                    e->path, out->len, (unsigned long long)e->size,
			                    r < 0 ? sq_strerror(r) : "data ends early");
		out->len += (size_t)r;
		out->data[out->len] = 0;
	}
	return 0;
}

/* Deliver the entry at s->path whose inode is at ref. Returns -1 to stop,
 * 0 when done, 1 when it is a directory to walk (then *st is set). */
static int emit(struct sq *s, uint64_t ref, size_t depth, sqfs_readdir_state_t *st,
                struct it_error *err)
{
	const char *path = it_buf_str(&s->path);
	const char *what = NULL;
	sqfs_inode_generic_t *inode = NULL;
	int r = inode_precheck(s, ref, &what);
	if (r == 0)
		r = sqfs_meta_reader_read_inode(s->minode, &s->super, ref >> 16, ref & 0xffff,
		                                &inode);
	if (r) {
		it_job_diag(s->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "squashfs: refused '%s': inode 0x%llx: %s", path,
		            (unsigned long long)ref, what ? what : sq_strerror(r));
		return refuse(s, err);
	}
	struct it_entry e;
	memset(&e, 0, sizeof e);
	e.path = path;
	e.type = entry_type(inode->base.type);
	e.mode = inode->base.mode & 07777;
	e.mtime = inode->base.mod_time;
	r = sqfs_id_table_index_to_id(s->ids, inode->base.uid_idx, &e.uid);
	if (!r)
		r = sqfs_id_table_index_to_id(s->ids, inode->base.gid_idx, &e.gid);
	if (r) {
		it_job_diag(s->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "squashfs: refused '%s': uid/gid index %u/%u beyond the id table "
		            "(%u entries)",
		            path, inode->base.uid_idx, inode->base.gid_idx, s->sb.id_count);
		sqfs_free(inode);
		return refuse(s, err);
	}
	int walk = 0;
	if (e.type == IT_ENTRY_DIR) {
		int seen = seen_add(s, ref);
		if (seen < 0) {
			sqfs_free(inode);
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		}
		if (seen) {
			it_job_diag(
			        s->job, IT_ERR_INPUT, IT_NO_OFFSET,
			        "squashfs: directory loop at '%s' (inode 0x%llx already walked)",
			        path, (unsigned long long)ref);
			sqfs_free(inode);
			return refuse(s, err);
		}
		if (depth >= SQ_MAX_DEPTH) {
			it_job_diag(s->job, IT_ERR_INPUT, IT_NO_OFFSET,
			            "squashfs: '%s' is nested deeper than %u directories; its "
			            "contents are skipped",
			            path, SQ_MAX_DEPTH);
			if (refuse(s, err) < 0) {
				sqfs_free(inode);
				return -1;
			}
		} else {
			/* Cannot fail: the inode is a directory. */
			walk = sqfs_readdir_state_init(st, &s->super, inode) == 0;
		}
	}
	struct file_ctx fc = {s, inode};
	struct it_entry_reader rd = {file_load, &fc};
	if (e.type == IT_ENTRY_SYMLINK)
		e.link_target = (const char *)inode->extra;
	if (e.type == IT_ENTRY_FILE) {
		sqfs_u64 size = 0;
		sqfs_inode_get_file_size(inode, &size);
		e.size = size;
	}
	r = it_job_entry(s->job, &e, NULL, e.type == IT_ENTRY_FILE ? &rd : NULL, err);
	sqfs_free(inode);
	if (r < 0)
		return -1;
	return walk;
}

/* Is this directory entry name usable as one path component? */
static const char *name_problem(const sqfs_dir_entry_t *de)
{
	const char *n = (const char *)de->name;
	size_t len = strlen(n);
	if (len != (size_t)de->size + 1)
		return "contains a NUL byte";
	if (strchr(n, '/'))
		return "contains '/'";
	if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return "is '.' or '..'";
	return NULL;
}

static int walk_tree(struct sq *s, struct it_error *err)
{
	struct sq_frame *stack = calloc(SQ_MAX_DEPTH + 1, sizeof *stack);
	size_t n = 0;
	int r = 0;
	sqfs_inode_generic_t *root = NULL;
	if (!stack)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	const char *what = NULL;
	r = inode_precheck(s, s->sb.root_ref, &what);
	if (!r)
		r = sqfs_meta_reader_read_inode(s->minode, &s->super, s->sb.root_ref >> 16,
		                                s->sb.root_ref & 0xffff, &root);
	if (!r)
		r = sqfs_readdir_state_init(&stack[0].st, &s->super, root);
	sqfs_free(root);
	if (r) {
		free(stack);
		if (what)
			return it_error_set(err, IT_ERR_INPUT, NULL,
			                    s->sb.inode_start + (s->sb.root_ref >> 16),
			                    "squashfs: root directory inode: %s", what);
		return lib_fail(err, s->sb.inode_start + (s->sb.root_ref >> 16),
		                "reading the root directory inode", r);
	}
	if (seen_add(s, s->sb.root_ref) < 0) {
		free(stack);
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	}
	n = 1;
	r = 0;
	while (n > 0 && r == 0) {
		struct sq_frame *f = &stack[n - 1];
		sqfs_dir_entry_t *de = NULL;
		sqfs_u64 ref = 0;
		it_buf_truncate(&s->path, f->path_len);
		int rd = sqfs_meta_reader_readdir(s->mdir, &f->st, &de, NULL, &ref);
		if (rd > 0) {
			n--;
			continue;
		}
		if (rd < 0) {
			it_job_diag(
			        s->job, IT_ERR_INPUT, IT_NO_OFFSET,
			        "squashfs: reading directory '%s': %s; the rest of it is skipped",
			        it_buf_str(&s->path), sq_strerror(rd));
			n--;
			r = refuse(s, err);
			continue;
		}
		const char *bad = name_problem(de);
		if (bad) {
			it_job_diag(s->job, IT_ERR_INPUT, IT_NO_OFFSET,
			            "squashfs: refused entry '%s' in directory '%s': the name %s",
			            (const char *)de->name, it_buf_str(&s->path), bad);
			sqfs_free(de);
			r = refuse(s, err);
			continue;
		}
		int ok = it_buf_puts(&s->path, (const char *)de->name);
		sqfs_free(de);
		if (ok < 0) {
			r = it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
			break;
		}
		int e = emit(s, ref, n, &stack[n].st, err);
		if (e < 0) {
			r = -1;
		} else if (e == 1) {
			if (it_buf_putc(&s->path, '/') < 0) {
				r = it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET,
				                 "out of memory");
				break;
			}
			stack[n].path_len = s->path.len;
			n++;
		}
	}
	free(stack);
	return r;
}

static int sqfs_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                       struct it_error *err)
{
	struct sq s;
	memset(&s, 0, sizeof s);
	s.job = job;
	if (avail < SQ_SUPER_SIZE)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "squashfs: superblock needs %d bytes, only %zu available",
		                    SQ_SUPER_SIZE, avail);
	if (!is_sqfs_magic(p, avail))
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "squashfs: expected magic \"hsqs\" (little-endian 4.0)");
	super_parse(p, &s.sb);
	if (super_check(&s.sb, avail, err) < 0)
		return -1;
	int r = sq_open(&s, p, err);
	if (r == 0)
		r = walk_tree(&s, err);
	sq_close(&s);
	if (r < 0)
		return -1;
	uint64_t used = s.sb.bytes_used;
	uint64_t padded = (used + SQ_ALIGN - 1) / SQ_ALIGN * SQ_ALIGN;
	*consumed = (size_t)(padded <= avail ? padded : used);
	return 0;
}

const struct it_format it_fmt_squashfs = {
        .name = "squashfs",
        .magic = {{"hsqs", 4, 0}, {NULL, 0, 0}},
        .probe = sqfs_probe,
        .unpack = sqfs_unpack,
};

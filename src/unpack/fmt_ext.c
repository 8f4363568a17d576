/*
 * ext2, ext3 and ext4 file systems, read with libext2fs straight from memory: a
 * small read-only io_manager serves blocks from the image (its address travels
 * in the device name, as libext2fs opens channels by name). The tree is walked
 * iteratively from the root; a directory inode met twice is a loop and stops
 * the walk. Checksum mismatches are reported, then the data is read anyway.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ext2fs/ext2fs.h>

#include "format.h"
#include "iotrust/cursor.h"

#define SB_OFFSET     1024
#define SB_MAGIC      0xef53
#define MAX_LOG_BLOCK 6   /* 64 KiB blocks, the largest libext2fs reads */
#define MAX_DEPTH     256 /* directories inside directories */
#define MAX_LINK      4096
#define READ_CHUNK    65536
#define NAME_PREFIX   "it-mem:"

/* ---- the image as an io channel ---- */

struct mem_image {
	const uint8_t *p;
	size_t len;
};

static errcode_t mem_close(io_channel io)
{
	if (--io->refcount > 0)
		return 0;
	free(io->name);
	free(io);
	return 0;
}

static errcode_t mem_set_blksize(io_channel io, int blksize)
{
	if (blksize <= 0 || blksize > (1 << (10 + MAX_LOG_BLOCK)))
		return EXT2_ET_INVALID_ARGUMENT;
	io->block_size = blksize;
	return 0;
}

/* count > 0 is a number of blocks, count < 0 a number of bytes (io manager rule). */
static errcode_t mem_read_blk64(io_channel io, unsigned long long block, int count, void *data)
{
	const struct mem_image *img = io->private_data;
	uint64_t bs = (uint64_t)io->block_size;
	uint64_t bytes = count < 0 ? (uint64_t)(-(int64_t)count) : (uint64_t)count * bs;
	if (bytes == 0)
		return 0;
	if (block > UINT64_MAX / bs) {
		memset(data, 0, (size_t)bytes);
		return EXT2_ET_SHORT_READ;
	}
	uint64_t off = block * bs;
	uint64_t have = off < img->len ? img->len - off : 0;
	uint64_t n = have < bytes ? have : bytes;
	if (n)
		memcpy(data, img->p + off, (size_t)n);
	if (n < bytes) {
		memset((uint8_t *)data + n, 0, (size_t)(bytes - n));
		return EXT2_ET_SHORT_READ;
	}
	return 0;
}

static errcode_t mem_read_blk(io_channel io, unsigned long block, int count, void *data)
{
	return mem_read_blk64(io, block, count, data);
}

static errcode_t mem_write_blk64(io_channel io, unsigned long long block, int count,
                                 const void *data)
{
	(void)io, (void)block, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t mem_write_blk(io_channel io, unsigned long block, int count, const void *data)
{
	return mem_write_blk64(io, block, count, data);
}

static errcode_t mem_write_byte(io_channel io, unsigned long offset, int count, const void *data)
{
	(void)io, (void)offset, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t mem_flush(io_channel io)
{
	(void)io;
	return 0;
}

static errcode_t mem_set_option(io_channel io, const char *option, const char *arg)
{
	(void)io, (void)option, (void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static errcode_t mem_open(const char *name, int flags, io_channel *channel);

static const struct struct_io_manager mem_manager = {
        .magic = EXT2_ET_MAGIC_IO_MANAGER,
        .name = "iotrust memory I/O manager",
        .open = mem_open,
        .close = mem_close,
        .set_blksize = mem_set_blksize,
        .read_blk = mem_read_blk,
        .write_blk = mem_write_blk,
        .flush = mem_flush,
        .write_byte = mem_write_byte,
        .set_option = mem_set_option,
        .read_blk64 = mem_read_blk64,
        .write_blk64 = mem_write_blk64,
};

/* The name is NAME_PREFIX and the address of a struct mem_image. */
static errcode_t mem_open(const char *name, int flags, io_channel *channel)
{
	uintptr_t addr = 0;
	size_t plen = strlen(NAME_PREFIX);
	if ((flags & IO_FLAG_RW) || strncmp(name, NAME_PREFIX, plen) != 0 ||
	    sscanf(name + plen, "%" SCNxPTR, &addr) != 1 || !addr)
		return EXT2_ET_BAD_DEVICE_NAME;
	io_channel io = calloc(1, sizeof *io);
	if (!io)
		return EXT2_ET_NO_MEMORY;
	io->name = strdup(name);
	if (!io->name) {
		free(io);
		return EXT2_ET_NO_MEMORY;
	}
	io->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	io->manager = (io_manager)&mem_manager;
	io->block_size = 1024;
	io->refcount = 1;
	io->private_data = (void *)addr;
	*channel = io;
	return 0;
}

/* error_message() knows libext2fs codes only once their table is registered,
 * which is global state; read the library's table directly instead. */
static const char *ext_strerror(errcode_t code)
{
	const struct error_table *t = &et_ext2_error_table;
	if (code >= t->base && code < t->base + t->n_msgs)
		return t->msgs[code - t->base];
	return error_message(code);
}

static int is_csum_error(errcode_t code)
{
	switch (code) {
	case EXT2_ET_SB_CSUM_INVALID:
	case EXT2_ET_UNKNOWN_CSUM:
	case EXT2_ET_INODE_CSUM_INVALID:
	case EXT2_ET_EXTENT_CSUM_INVALID:
	case EXT2_ET_DIR_CSUM_INVALID:
	case EXT2_ET_EXT_ATTR_CSUM_INVALID:
	case EXT2_ET_INODE_BITMAP_CSUM_INVALID:
	case EXT2_ET_BLOCK_BITMAP_CSUM_INVALID:
		return 1;
	default:
		return 0;
	}
}

/* ---- the superblock ---- */

struct sb_info {
	uint32_t block_size;
	uint64_t blocks;
	uint32_t inodes;
	uint32_t rev;
};

/* The fields that say "this is an ext file system" and how long it is. */
static int sb_read(const uint8_t *p, size_t avail, struct sb_info *sb)
{
	if (avail < SB_OFFSET + 1024)
		return -1;
	const uint8_t *s = p + SB_OFFSET;
	if ((s[56] | (s[57] << 8)) != SB_MAGIC)
		return -1;
	uint32_t log_bs = it_load_u32le(s + 24);
	sb->inodes = it_load_u32le(s + 0);
	sb->rev = it_load_u32le(s + 76);
	sb->blocks = it_load_u32le(s + 4);
	if (it_load_u32le(s + 0x60) & EXT4_FEATURE_INCOMPAT_64BIT)
		sb->blocks |= (uint64_t)it_load_u32le(s + 0x150) << 32;
	if (log_bs > MAX_LOG_BLOCK || sb->rev > 1 || sb->inodes == 0 || sb->blocks == 0)
		return -1;
	sb->block_size = 1024u << log_bs;
	return 0;
}

static int ext_probe(const uint8_t *p, size_t avail)
{
	struct sb_info sb;
	return sb_read(p, avail, &sb) == 0 ? IT_PROBE_STRONG : IT_PROBE_NO;
}

/* ---- inode number sets ---- */

/* Open addressing from inode number to the first path seen (or NULL). */
struct ino_map {
	uint32_t *keys; /* 0 is empty: inode 0 does not exist */
	char **paths;
	size_t cap, used;
};

static size_t ino_slot(const struct ino_map *m, uint32_t ino)
{
	size_t i = (size_t)(ino * 2654435761u) & (m->cap - 1);
	while (m->keys[i] && m->keys[i] != ino)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static char *const *ino_find(const struct ino_map *m, uint32_t ino)
{
	if (!m->cap)
		return NULL;
	size_t i = ino_slot(m, ino);
	return m->keys[i] ? &m->paths[i] : NULL;
}

/* Add ino (not present yet); path may be NULL and is copied. 0 or -1 (memory). */
static int ino_add(struct ino_map *m, uint32_t ino, const char *path)
{
	if ((m->used + 1) * 2 > m->cap) {
		struct ino_map n = {NULL, NULL, m->cap ? m->cap * 2 : 64, 0};
		n.keys = calloc(n.cap, sizeof *n.keys);
		n.paths = calloc(n.cap, sizeof *n.paths);
		if (!n.keys || !n.paths) {
			free(n.keys);
			free(n.paths);
			return -1;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = ino_slot(&n, m->keys[i]);
			n.keys[j] = m->keys[i];
			n.paths[j] = m->paths[i];
		}
		n.used = m->used;
		free(m->keys);
		free(m->paths);
		*m = n;
	}
	char *copy = NULL;
	if (path && !(copy = strdup(path)))
		return -1;
	size_t i = ino_slot(m, ino);
	m->keys[i] = ino;
	m->paths[i] = copy;
	m->used++;
	return 0;
}

static void ino_free(struct ino_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->paths[i]);
	free(m->keys);
	free(m->paths);
}

/* ---- the walk ---- */

struct pending { /* a directory whose entries are still to be listed */
	uint32_t ino;
	unsigned depth;
	char *path;
};

struct child { /* one entry of the directory being listed */
	uint32_t ino;
	size_t name_off;
	unsigned name_len;
};

struct walk {
	struct it_job *job;
	ext2_filsys fs;
	struct ino_map dirs;  /* directory inodes already reached */
	struct ino_map links; /* inodes with several links -> the first path listed */
	struct pending *stack;
	size_t nstack, capstack;
	struct child *kids;
	size_t nkids, capkids;
	struct it_buf names; /* the names of kids, back to back */
	struct it_buf path;
	struct it_buf link;
	int nomem;
	uint64_t max_kids;
};

static const char *shown(const char *path)
{
	return path[0] ? path : "/";
}

static int walk_nomem(struct it_error *err)
{
	return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
}

/* Report a checksum mismatch and have the caller try once more ignoring
 * checksums (it clears the flag afterwards). Returns 1 when it should retry. */
static int csum_retry(struct walk *w, errcode_t rc, const char *what, const char *path)
{
	if (!is_csum_error(rc) || (w->fs->flags & EXT2_FLAG_IGNORE_CSUM_ERRORS))
		return 0;
	it_job_diag(w->job, IT_ERR_INPUT, IT_NO_OFFSET, "ext: %s '%s': %s (read anyway)", what,
	            shown(path), ext_strerror(rc));
	w->fs->flags |= EXT2_FLAG_IGNORE_CSUM_ERRORS;
	return 1;
}

static void csum_restore(struct walk *w)
{
	w->fs->flags &= ~EXT2_FLAG_IGNORE_CSUM_ERRORS;
}

static int push_dir(struct walk *w, uint32_t ino, unsigned depth, const char *path)
{
	if (w->nstack == w->capstack) {
		size_t cap = w->capstack ? w->capstack * 2 : 16;
		struct pending *s = realloc(w->stack, cap * sizeof *s);
		if (!s)
			return -1;
		w->stack = s;
		w->capstack = cap;
	}
	char *copy = strdup(path);
	if (!copy)
		return -1;
	w->stack[w->nstack++] = (struct pending){ino, depth, copy};
	return 0;
}

static int collect_kid(ext2_ino_t dir, int entry, struct ext2_dir_entry *dirent, int offset,
                       int blocksize, char *buf, void *priv)
{
	struct walk *w = priv;
	(void)dir, (void)entry, (void)offset, (void)blocksize, (void)buf;
	if (w->nkids >= w->max_kids)
		return DIRENT_ABORT;
	if (w->nkids == w->capkids) {
		size_t cap = w->capkids ? w->capkids * 2 : 64;
		struct child *k = realloc(w->kids, cap * sizeof *k);
		if (!k) {
			w->nomem = 1;
			return DIRENT_ABORT;
		}
		w->kids = k;
		w->capkids = cap;
	}
	/* libext2fs checked that name_len fits in the entry's record */
	unsigned len = (unsigned)ext2fs_dirent_name_len(dirent);
	w->kids[w->nkids] = (struct child){dirent->inode, w->names.len, len};
	if (it_buf_append(&w->names, dirent->name, len) < 0) {
		w->nomem = 1;
		return DIRENT_ABORT;
	}
	w->nkids++;
	return 0;
}

/* Collect the entries of directory ino into w->kids. Returns 0, 1 when it could
 * not be read completely (reported; the entries read are kept), 2 when it has
 * more entries than the entry limit (the first ones are kept), or -1. */
static int list_dir(struct walk *w, const struct pending *d, struct it_error *err)
{
	errcode_t rc;
	w->nkids = 0;
	it_buf_truncate(&w->names, 0);
	rc = ext2fs_dir_iterate2(w->fs, d->ino, 0, NULL, collect_kid, w);
	if (csum_retry(w, rc, "checksum mismatch in directory", d->path)) {
		w->nkids = 0;
		it_buf_truncate(&w->names, 0);
		rc = ext2fs_dir_iterate2(w->fs, d->ino, 0, NULL, collect_kid, w);
		csum_restore(w);
	}
	if (w->nomem)
		return walk_nomem(err);
	if (w->nkids >= w->max_kids)
		return 2; /* more entries than may be listed: the engine stops at its limit */
	if (rc) {
		it_job_diag(w->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "ext: cannot read directory '%s' (inode %" PRIu32 "): %s",
		            shown(d->path), d->ino, ext_strerror(rc));
		return 1;
	}
	return 0;
}

/* Read inode ino in full (for the extra timestamp bits). 0, or 1 (reported). */
static int read_inode(struct walk *w, uint32_t ino, const char *path,
                      struct ext2_inode_large *inode)
{
	memset(inode, 0, sizeof *inode);
	errcode_t rc =
	        ext2fs_read_inode_full(w->fs, ino, (struct ext2_inode *)inode, (int)sizeof *inode);
	if (csum_retry(w, rc, "checksum mismatch in the inode of", path)) {
		memset(inode, 0, sizeof *inode);
		rc = ext2fs_read_inode_full(w->fs, ino, (struct ext2_inode *)inode,
		                            (int)sizeof *inode);
		csum_restore(w);
	}
	if (rc) {
		it_job_diag(w->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "ext: cannot read inode %" PRIu32 " of '%s': %s", ino, shown(path),
		            ext_strerror(rc));
		return 1;
	}
	return 0;
}

static int64_t inode_mtime(const struct walk *w, const struct ext2_inode_large *inode)
{
	int64_t t = (int32_t)inode->i_mtime;
	unsigned isize = EXT2_INODE_SIZE(w->fs->super);
	/* mtime_extra ends 12 bytes into the extra fields; its low 2 bits extend the epoch */
	if (isize > EXT2_GOOD_OLD_INODE_SIZE && inode->i_extra_isize >= 12 &&
	    inode->i_extra_isize <= isize - EXT2_GOOD_OLD_INODE_SIZE)
		t += (int64_t)(inode->i_mtime_extra & EXT4_EPOCH_MASK) << 32;
	return t;
}

/* Read up to `want` bytes of the file from offset out->len on. */
static errcode_t file_read_into(ext2_file_t f, struct it_buf *out, uint64_t want)
{
	errcode_t rc = ext2fs_file_llseek(f, out->len, EXT2_SEEK_SET, NULL);
	while (!rc && out->len < want) {
		uint64_t left = want - out->len;
		unsigned chunk = left < READ_CHUNK ? (unsigned)left : READ_CHUNK;
		unsigned got = 0;
		if (it_buf_reserve(out, chunk) < 0)
			return EXT2_ET_NO_MEMORY;
		rc = ext2fs_file_read(f, out->data + out->len, chunk, &got);
		if (got > chunk)
			got = chunk;
		out->len += got;
		out->data[out->len] = 0;
		if (got == 0)
			break;
	}
	return rc;
}

/* Read the whole contents of inode ino (a symlink) into out, at most max bytes. */
static errcode_t inode_contents(struct walk *w, uint32_t ino, struct ext2_inode_large *inode,
                                struct it_buf *out, uint64_t max)
{
	ext2_file_t f;
	it_buf_truncate(out, 0);
	errcode_t rc = ext2fs_file_open2(w->fs, ino, (struct ext2_inode *)inode, 0, &f);
	if (rc)
		return rc;
	rc = file_read_into(f, out, max);
	ext2fs_file_close(f);
	return rc;
}

/* The symlink target into w->link. 0, or 1 (reported: skip the entry). */
static int read_link(struct walk *w, uint32_t ino, const char *path, struct ext2_inode_large *inode)
{
	struct ext2_inode *in = (struct ext2_inode *)inode;
	uint64_t size = EXT2_I_SIZE(in);
	errcode_t rc = 0;
	if (size == 0 || size > MAX_LINK) {
		it_job_diag(w->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "ext: symlink '%s' has a target of %llu bytes (expected 1 to %d)", path,
		            (unsigned long long)size, MAX_LINK);
		return 1;
	}
	it_buf_truncate(&w->link, 0);
	if (!(in->i_flags & EXT4_INLINE_DATA_FL) && ext2fs_is_fast_symlink(in)) {
		/* the target is kept in the block pointers themselves */
		if (it_buf_append(&w->link, in->i_block, (size_t)size) < 0)
			rc = EXT2_ET_NO_MEMORY;
	} else {
		rc = inode_contents(w, ino, inode, &w->link, size);
		if (csum_retry(w, rc, "checksum mismatch in the blocks of", path)) {
			rc = inode_contents(w, ino, inode, &w->link, size);
			csum_restore(w);
		}
	}
	if (rc == EXT2_ET_NO_MEMORY)
		return -1;
	if (!rc && (w->link.len != size || memchr(w->link.data, 0, w->link.len))) {
		it_job_diag(w->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "ext: symlink '%s': expected a %llu-byte target without NUL bytes",
		            path, (unsigned long long)size);
		return 1;
	}
	if (rc) {
		it_job_diag(w->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "ext: cannot read the target of symlink '%s': %s", path,
		            ext_strerror(rc));
		return 1;
	}
	return 0;
}

/* File data on demand: the engine's cache holds bytes 0..out->len. */
struct file_src {
	struct walk *w;
	uint32_t ino;
	struct ext2_inode_large inode;
	ext2_file_t file;
};

static int file_load(void *ctx, const struct it_entry *e, struct it_buf *out, size_t want,
                     struct it_error *err)
{
	struct file_src *s = ctx;
	struct walk *w = s->w;
	uint64_t goal = want < e->size ? want : e->size;
	errcode_t rc = 0;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!s->file)
			rc = ext2fs_file_open2(w->fs, s->ino, (struct ext2_inode *)&s->inode, 0,
			                       &s->file);
		if (!rc)
			rc = file_read_into(s->file, out, goal);
		if (attempt == 0 &&
		    csum_retry(w, rc, "checksum mismatch in the blocks of", e->path)) {
			continue;
		}
		break;
	}
	csum_restore(w);
	if (rc == EXT2_ET_NO_MEMORY)
		return walk_nomem(err);
	if (rc)
		return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
		                    "ext: cannot read '%s' (inode %" PRIu32 ") at byte %zu: %s",
		                    e->path, s->ino, out->len, ext_strerror(rc));
	return 0;
}

static int entry_type(uint16_t mode, enum it_entry_type *t)
{
	if (LINUX_S_ISREG(mode))
		*t = IT_ENTRY_FILE;
	else if (LINUX_S_ISDIR(mode))
		*t = IT_ENTRY_DIR;
	else if (LINUX_S_ISLNK(mode))
		*t = IT_ENTRY_SYMLINK;
	else if (LINUX_S_ISCHR(mode))
		*t = IT_ENTRY_CHAR;
	else if (LINUX_S_ISBLK(mode))
		*t = IT_ENTRY_BLOCK;
	else if (LINUX_S_ISFIFO(mode))
		*t = IT_ENTRY_FIFO;
	else if (LINUX_S_ISSOCK(mode))
		*t = IT_ENTRY_SOCKET;
	else
		return -1;
	return 0;
}

/* Emit one directory entry (w->path holds its path) and queue directories. */
static int emit_child(struct walk *w, const struct pending *parent, uint32_t ino,
                      struct it_error *err)
{
	const char *path = it_buf_str(&w->path);
	struct file_src src = {w, ino, {0}, NULL};
	struct ext2_inode *in = (struct ext2_inode *)&src.inode;
	struct it_entry e;
	enum it_entry_type type;

	if (read_inode(w, ino, path, &src.inode))
		return 0;
	if (entry_type(in->i_mode, &type) < 0) {
		it_job_diag(w->job, IT_ERR_INPUT, IT_NO_OFFSET,
		            "ext: '%s' (inode %" PRIu32 ") has unknown file type 0%o", path, ino,
		            (unsigned)(in->i_mode & LINUX_S_IFMT));
		return 0;
	}
	memset(&e, 0, sizeof e);
	e.path = path;
	e.type = type;
	e.mode = in->i_mode & 07777;
	e.uid = in->i_uid;
	e.gid = in->i_gid;
	if (w->fs->super->s_creator_os != EXT2_OS_HURD) {
		e.uid = inode_uid(*in);
		e.gid = inode_gid(*in);
	}
	e.mtime = inode_mtime(w, &src.inode);

	if (type == IT_ENTRY_DIR) {
		if (ino_find(&w->dirs, ino))
			return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
			                    "ext: directory '%s' (inode %" PRIu32
			                    ") is reached twice: the directory tree has a loop",
			                    path, ino);
		if (ino_add(&w->dirs, ino, NULL) < 0)
			return walk_nomem(err);
		if (it_job_entry(w->job, &e, NULL, NULL, err) < 0)
			return -1;
		if (parent->depth + 1 >= MAX_DEPTH) {
			it_job_diag(w->job, IT_ERR_LIMIT, IT_NO_OFFSET,
			            "ext: directories nested more than %d deep; '%s' not listed",
			            MAX_DEPTH, path);
			return 0;
		}
		if (w->path.len > it_job_limits(w->job)->max_path)
			return 0; /* refused by the engine, so are its entries */
		return push_dir(w, ino, parent->depth + 1, path) < 0 ? walk_nomem(err) : 0;
	}

	char *const *first = NULL;
	if (in->i_links_count > 1 && (first = ino_find(&w->links, ino)) != NULL) {
		e.type = IT_ENTRY_HARDLINK;
		e.link_target = *first;
		return it_job_entry(w->job, &e, NULL, NULL, err);
	}
	if (type == IT_ENTRY_SYMLINK) {
		int r = read_link(w, ino, path, &src.inode);
		if (r)
			return r < 0 ? walk_nomem(err) : 0;
		e.link_target = it_buf_str(&w->link);
	}
	struct it_entry_reader reader = {file_load, &src};
	if (type == IT_ENTRY_FILE)
		e.size = EXT2_I_SIZE(in);
	int r = it_job_entry(w->job, &e, NULL, type == IT_ENTRY_FILE ? &reader : NULL, err);
	if (src.file)
		ext2fs_file_close(src.file);
	if (r == 0 && in->i_links_count > 1 && ino_add(&w->links, ino, path) < 0)
		return walk_nomem(err);
	return r;
}

/* List the entries of one directory. */
static int walk_dir(struct walk *w, const struct pending *d, struct it_error *err)
{
	int r = list_dir(w, d, err);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < w->nkids; i++) {
		const struct child *k = &w->kids[i];
		const char *name = (const char *)w->names.data + k->name_off;
		if ((k->name_len == 1 && name[0] == '.') ||
		    (k->name_len == 2 && name[0] == '.' && name[1] == '.'))
			continue;
		if (k->name_len == 0 || memchr(name, '/', k->name_len) ||
		    memchr(name, 0, k->name_len)) {
			it_job_diag(w->job,
			            k->name_len && memchr(name, '/', k->name_len) ? IT_ERR_UNSAFE
			                                                          : IT_ERR_INPUT,
			            IT_NO_OFFSET,
			            "ext: refused an entry of '%s' (inode %" PRIu32
			            "): its name is empty or holds '/' or NUL",
			            shown(d->path), k->ino);
			continue;
		}
		it_buf_truncate(&w->path, 0);
		if ((d->path[0] && it_buf_printf(&w->path, "%s/", d->path) < 0) ||
		    it_buf_append(&w->path, name, k->name_len) < 0)
			return walk_nomem(err);
		if (emit_child(w, d, k->ino, err) < 0)
			return -1;
	}
	if (r == 2) /* only when names were refused before the engine's limit was met */
		return it_error_set(
		        err, IT_ERR_LIMIT, NULL, IT_NO_OFFSET,
		        "ext: directory '%s' has more than %llu entries (--max-entries)",
		        shown(d->path), (unsigned long long)w->max_kids);
	return 0;
}

static int walk_tree(struct walk *w, struct it_error *err)
{
	if (ino_add(&w->dirs, EXT2_ROOT_INO, NULL) < 0 || push_dir(w, EXT2_ROOT_INO, 0, "") < 0)
		return walk_nomem(err);
	while (w->nstack) {
		struct pending d = w->stack[--w->nstack];
		int r = walk_dir(w, &d, err);
		free(d.path);
		if (r < 0)
			return -1;
	}
	return 0;
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->nstack; i++)
		free(w->stack[i].path);
	free(w->stack);
	free(w->kids);
	ino_free(&w->dirs);
	ino_free(&w->links);
	it_buf_free(&w->names);
	it_buf_free(&w->path);
	it_buf_free(&w->link);
}

static int ext_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                      struct it_error *err)
{
	struct sb_info sb;
	if (sb_read(p, avail, &sb) < 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, SB_OFFSET,
		                    "ext: expected a superblock at 0x400 with magic 0xef53, "
		                    "revision 0 or 1, block size 1 to 64 KiB and non-zero counts");
	if (sb.blocks > avail / sb.block_size)
		return it_error_set(err, IT_ERR_INPUT, NULL, avail,
		                    "ext: image truncated: the superblock gives %llu blocks of %u "
		                    "bytes (0x%llx bytes), only 0x%zx bytes remain",
		                    (unsigned long long)sb.blocks, sb.block_size,
		                    (unsigned long long)sb.blocks * sb.block_size, avail);
	struct mem_image img = {p, (size_t)sb.blocks * sb.block_size};
	char name[64];
	snprintf(name, sizeof name, NAME_PREFIX "%" PRIxPTR, (uintptr_t)&img);

	ext2_filsys fs = NULL;
	int flags = EXT2_FLAG_64BITS;
	io_manager mgr = (io_manager)&mem_manager; /* libext2fs only reads the table */
	errcode_t rc = ext2fs_open2(name, NULL, flags, 0, 0, mgr, &fs);
	if (is_csum_error(rc)) {
		it_job_diag(job, IT_ERR_INPUT, SB_OFFSET, "ext: %s; reading the file system anyway",
		            ext_strerror(rc));
		rc = ext2fs_open2(name, NULL, flags | EXT2_FLAG_IGNORE_CSUM_ERRORS, 0, 0, mgr, &fs);
	}
	if (rc)
		return it_error_set(err, IT_ERR_INPUT, NULL, SB_OFFSET,
		                    "ext: cannot open the file system: %s", ext_strerror(rc));
	fs->flags &= ~EXT2_FLAG_IGNORE_CSUM_ERRORS;
	if (ext2fs_has_feature_journal_needs_recovery(fs->super))
		it_job_diag(job, IT_ERR_INPUT, SB_OFFSET,
		            "ext: the journal holds unrecovered changes; the listing shows the "
		            "file system without them");

	struct walk w;
	memset(&w, 0, sizeof w);
	w.job = job;
	w.fs = fs;
	/* "." and ".." and one more than the limit, so the engine's limit is met first */
	w.max_kids = it_job_limits(job)->max_entries;
	w.max_kids = w.max_kids > UINT64_MAX - 3 ? UINT64_MAX : w.max_kids + 3;
	int r = walk_tree(&w, err);
	walk_free(&w);
	ext2fs_free(fs); /* read-only: nothing to flush */
	if (r == 0)
		*consumed = img.len;
	return r;
}

const struct it_format it_fmt_ext = {
        .name = "ext",
        .magic = {{"\x53\xef", 2, SB_OFFSET + 56}, {NULL, 0, 0}},
        .probe = ext_probe,
        .unpack = ext_unpack,
};

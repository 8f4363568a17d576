/*
 * tar, cpio and zip archives, read from memory with libarchive. One
 * implementation serves three reader tables; each enables only its own format
 * and no decompression filter (a .tar.gz is our gzip reader, then this one:
 * the engine nests them). Entries are reported as stored; their bytes are read
 * on demand and in order, as libarchive reads sequentially.
 */
#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "format.h"
#include "iotrust/cursor.h"

enum arc_kind { ARC_TAR, ARC_CPIO, ARC_ZIP };

#define TAR_BLOCK        512
#define TAR_RECORD       10240 /* tar(1)'s default record: archives are padded to it */
#define CPIO_BLOCK       512   /* cpio(1) pads archives to this */
#define CPIO_MAX_NAME    65536 /* a sane name size for the probe (the engine has max_path) */
#define ZIP_LOCAL_MIN    30    /* fixed part of a local file header */
#define ZIP_EOCD_MIN     22    /* fixed part of the end of central directory record */
#define ZIP_CDIR_MIN     46    /* fixed part of a central directory entry */
#define ZIP64_EOCD_SIZE  56
#define ZIP64_LOCATOR_SZ 20

/* One archive being read, and the entry being delivered. */
struct arc {
	struct it_job *job;
	enum arc_kind kind;
	const char *fmt; /* "tar", "cpio" or "zip", for messages */
	struct archive *a;
	const uint8_t *base; /* the bytes given to libarchive */
	size_t len;
	/* the current entry's data */
	const void *blk; /* unread rest of the last block from libarchive */
	size_t blk_len;
	uint64_t blk_off;    /* entry offset of blk[0]: everything before it was handed out */
	uint64_t produced;   /* bytes libarchive produced for the entry (zip ratio) */
	uint64_t data_start; /* input position where the entry's data starts */
	int data_end;
	int sparse;
	/* an error met while reading data that ends the archive (truncation, a limit) */
	struct it_error fatal;
	int cpio_kind; /* the kind of the first cpio header */
};

/* ---- probes ---- */

static int is_octal(uint8_t c)
{
	return c >= '0' && c <= '7';
}

static int is_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static uint64_t parse_digits(const uint8_t *f, size_t n, unsigned base)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = f[i] <= '9' ? f[i] - '0' : (f[i] | 0x20) - 'a' + 10;
		v = v * base + d;
	}
	return v;
}

/* A tar numeric field: optional leading spaces, octal digits, then NUL or
 * space or the field's end. Returns 0 and the value, or -1. */
static int tar_octal(const uint8_t *f, size_t n, uint64_t *v)
{
	size_t i = 0, start;
	while (i < n && f[i] == ' ')
		i++;
	start = i;
	while (i < n && is_octal(f[i]))
		i++;
	if (i == start || i - start > 21 || (i < n && f[i] != 0 && f[i] != ' '))
		return -1;
	*v = parse_digits(f + start, i - start, 8);
	return 0;
}

/* ustar/GNU/pax: "ustar" at 257 and a valid header checksum (the sum of the
 * block's bytes with the checksum field read as spaces; old writers summed
 * signed chars, which libarchive accepts too). */
static int tar_probe(const uint8_t *p, size_t avail)
{
	uint64_t stored, sum = 0;
	int64_t ssum = 0;
	if (avail < TAR_BLOCK || memcmp(p + 257, "ustar", 5) != 0 ||
	    tar_octal(p + 148, 8, &stored) < 0)
		return IT_PROBE_NO;
	for (size_t i = 0; i < TAR_BLOCK; i++) {
		uint8_t b = (i >= 148 && i < 156) ? ' ' : p[i];
		sum += b;
		ssum += (int8_t)b;
	}
	if (stored != sum && (ssum < 0 || stored != (uint64_t)ssum))
		return IT_PROBE_NO;
	return IT_PROBE_STRONG;
}

static int cpio_type_ok(uint64_t mode)
{
	switch (mode & 0170000) {
	case 0100000: /* regular */
	case 0040000: /* directory */
	case 0120000: /* symlink */
	case 0020000: /* char device */
	case 0060000: /* block device */
	case 0010000: /* fifo */
	case 0140000: /* socket */
		return 1;
	default:
		return 0;
	}
}

/* The fields of one cpio header that size what follows it. */
struct cpio_hdr {
	int kind;     /* CPIO_NEWC (also crc), CPIO_ODC, CPIO_BIN_LE or CPIO_BIN_BE */
	size_t len;   /* fixed header bytes */
	size_t align; /* header + name and data are padded to this */
	uint64_t mode;
	uint64_t namesize; /* including the NUL */
	uint64_t filesize;
};

enum { CPIO_NEWC = 1, CPIO_ODC, CPIO_BIN_LE, CPIO_BIN_BE };

static int all_digits(const uint8_t *p, size_t from, size_t to, int (*ok)(uint8_t))
{
	for (size_t i = from; i < to; i++)
		if (!ok(p[i]))
			return 0;
	return 1;
}

/* Parse the header at p: newc/crc ("070701"/"070702": 13 hex fields of 8
 * digits), odc ("070707": octal fields) or binary (0x71c7 in either byte
 * order; the file size is two 16-bit words, high word first). 0 or -1. */
static int cpio_parse(const uint8_t *p, size_t avail, struct cpio_hdr *h)
{
	memset(h, 0, sizeof *h);
	if (avail >= 110 && (memcmp(p, "070701", 6) == 0 || memcmp(p, "070702", 6) == 0)) {
		if (!all_digits(p, 6, 110, is_hex))
			return -1;
		*h = (struct cpio_hdr){.kind = CPIO_NEWC,
		                       .len = 110,
		                       .align = 4,
		                       .mode = parse_digits(p + 14, 8, 16),
		                       .namesize = parse_digits(p + 94, 8, 16),
		                       .filesize = parse_digits(p + 54, 8, 16)};
		return 0;
	}
	if (avail >= 76 && memcmp(p, "070707", 6) == 0) {
		if (!all_digits(p, 6, 76, is_octal))
			return -1;
		*h = (struct cpio_hdr){.kind = CPIO_ODC,
		                       .len = 76,
		                       .align = 1,
		                       .mode = parse_digits(p + 18, 6, 8),
		                       .namesize = parse_digits(p + 59, 6, 8),
		                       .filesize = parse_digits(p + 65, 11, 8)};
		return 0;
	}
	if (avail >= 26 && ((p[0] == 0xc7 && p[1] == 0x71) || (p[0] == 0x71 && p[1] == 0xc7))) {
		int le = p[0] == 0xc7;
		uint16_t v[4];
		struct it_cursor c = it_cursor_make(p + 20, 6);
		struct it_cursor m = it_cursor_make(p + 6, 2);
		for (int i = 0; i < 3; i++)
			if ((le ? it_take_u16le(&c, &v[i]) : it_take_u16be(&c, &v[i])) < 0)
				return -1;
		if ((le ? it_take_u16le(&m, &v[3]) : it_take_u16be(&m, &v[3])) < 0)
			return -1;
		*h = (struct cpio_hdr){.kind = le ? CPIO_BIN_LE : CPIO_BIN_BE,
		                       .len = 26,
		                       .align = 2,
		                       .mode = v[3],
		                       .namesize = v[0],
		                       .filesize = (uint64_t)v[1] << 16 | v[2]};
		return 0;
	}
	return -1;
}

static uint64_t align_up(uint64_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static int cpio_probe(const uint8_t *p, size_t avail)
{
	struct cpio_hdr h;
	if (cpio_parse(p, avail, &h) < 0 || !cpio_type_ok(h.mode) || h.namesize < 2 ||
	    h.namesize > CPIO_MAX_NAME || h.len + h.namesize > avail ||
	    p[h.len + h.namesize - 1] != 0 || p[h.len] == 0)
		return IT_PROBE_NO;
	/* a two-byte magic: only a weak claim even with sane fields */
	return h.kind == CPIO_BIN_LE || h.kind == CPIO_BIN_BE ? IT_PROBE_WEAK + 10
	                                                      : IT_PROBE_STRONG;
}

/*
 * libarchive reads a cpio entry's name, and a symlink's target, in one piece,
 * allocating what the header claims before it finds the input short (up to
 * 4 GiB); and where a header should be, it skips anything up to the next one
 * of its kind. So the header at p is checked first: it must be of the same
 * kind as the archive's first (`kind`, 0 for the first itself), and its name
 * and symlink target must fit in the `left` bytes. Returns NULL when it does,
 * else what is wrong.
 */
static const char *cpio_header_fits(const uint8_t *p, size_t left, int *kind)
{
	struct cpio_hdr h;
	if (cpio_parse(p, left, &h) < 0 || (*kind && h.kind != *kind))
		return "no cpio header of the archive's kind there";
	*kind = h.kind;
	if (h.namesize > left - h.len)
		return "its name runs past the end of the archive";
	if ((h.mode & 0170000) == 0120000 &&
	    h.filesize > left - align_up(h.len + h.namesize, h.align))
		return "its symlink target runs past the end of the archive";
	return NULL;
}

static int zip_method_ok(uint16_t m)
{
	static const uint16_t known[] = {0,  1,  2,  3,  4,  5,  6,  8,  9,  10, 12,
	                                 14, 18, 19, 20, 93, 94, 95, 96, 97, 98, 99};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (known[i] == m)
			return 1;
	return 0;
}

/* A local file header with a plausible version, flags, method and name. */
static int zip_probe(const uint8_t *p, size_t avail)
{
	struct it_cursor c = it_cursor_make(p, avail);
	uint16_t version, flags, method, namelen, extralen;
	if (!it_cursor_has(&c, "PK\x03\x04", 4) || it_cursor_skip(&c, 4) < 0 ||
	    it_take_u16le(&c, &version) < 0 || it_take_u16le(&c, &flags) < 0 ||
	    it_take_u16le(&c, &method) < 0 || it_cursor_skip(&c, 16) < 0 ||
	    it_take_u16le(&c, &namelen) < 0 || it_take_u16le(&c, &extralen) < 0)
		return IT_PROBE_NO;
	/* version needed <= 6.3; flag bits 7-10, 12, 14 and 15 are unused/reserved */
	if ((version & 0xff) > 63 || (flags & 0xd780) || !zip_method_ok(method) || namelen == 0 ||
	    it_cursor_skip(&c, (size_t)namelen + extralen) < 0)
		return IT_PROBE_NO;
	return IT_PROBE_WEAK + 10;
}

/* ---- zip: where does the archive end? ---- */

/*
 * The length of the zip that starts at p: the first end of central directory
 * record in p[0..avail) whose directory sits right before it and whose first
 * entry names the local header at p. Offsets in the record may count from a
 * point before p (self-extracting archives); libarchive corrects them the same
 * way. Returns 0 when there is no such record (a truncated or damaged zip).
 */
static size_t zip_find_end(const uint8_t *p, size_t avail)
{
	size_t from = ZIP_LOCAL_MIN;
	while (from < avail && avail - from >= ZIP_EOCD_MIN) {
		const uint8_t *hit = memmem(p + from, avail - from, "PK\x05\x06", 4);
		if (!hit)
			return 0;
		size_t eocd = (size_t)(hit - p);
		from = eocd + 1;
		struct it_cursor c = it_cursor_make(p + eocd, avail - eocd);
		uint16_t entries, comment;
		uint32_t size32, off32;
		if (it_cursor_skip(&c, 10) < 0 || it_take_u16le(&c, &entries) < 0 ||
		    it_take_u32le(&c, &size32) < 0 || it_take_u32le(&c, &off32) < 0 ||
		    it_take_u16le(&c, &comment) < 0)
			return 0;
		if (it_cursor_skip(&c, comment) < 0)
			continue; /* the comment runs past the end: not this one */
		uint64_t size = size32, off = off32;
		size_t dir_end = eocd;
		if (size32 == UINT32_MAX || off32 == UINT32_MAX || entries == UINT16_MAX) {
			/* zip64: a locator right before, the zip64 record before that */
			size_t rec = eocd - ZIP64_LOCATOR_SZ - ZIP64_EOCD_SIZE;
			if (eocd < ZIP64_LOCATOR_SZ + ZIP64_EOCD_SIZE ||
			    memcmp(p + eocd - ZIP64_LOCATOR_SZ, "PK\x06\x07", 4) != 0 ||
			    memcmp(p + rec, "PK\x06\x06", 4) != 0)
				continue;
			size = it_load_u64le(p + rec + 40);
			off = it_load_u64le(p + rec + 48);
			dir_end = rec;
		}
		if (size > dir_end || dir_end - size < ZIP_LOCAL_MIN)
			continue;
		size_t dir = dir_end - (size_t)size;
		if (size < ZIP_CDIR_MIN || memcmp(p + dir, "PK\x01\x02", 4) != 0 || off < dir)
			continue;
		/* stored offsets count from (off - dir) bytes before p */
		uint32_t first = it_load_u32le(p + dir + 42);
		if (first != UINT32_MAX && first != off - dir)
			continue;
		return eocd + ZIP_EOCD_MIN + comment;
	}
	return 0;
}

/* ---- entry data ---- */

static const char *arc_message(struct arc *s)
{
	const char *m = archive_error_string(s->a);
	return m ? m : "truncated or malformed data";
}

static uint64_t arc_pos(struct arc *s)
{
	la_int64_t pos = archive_filter_bytes(s->a, -1);
	return pos > 0 ? (uint64_t)pos : 0;
}

/* Fetch the next block of the current entry's data from libarchive. */
static int next_block(struct arc *s, const struct it_entry *e, struct it_error *err)
{
	const void *b;
	size_t n;
	la_int64_t off;
	int r = archive_read_data_block(s->a, &b, &n, &off);
	if (r == ARCHIVE_EOF) {
		s->data_end = 1;
		return 0;
	}
	if (r != ARCHIVE_OK) {
		it_error_set(err, IT_ERR_INPUT, NULL, arc_pos(s), "%s: data of '%s': %s", s->fmt,
		             e->path, arc_message(s));
		/* after a fatal error libarchive can read nothing more */
		if (r == ARCHIVE_FATAL)
			it_error_set(&s->fatal, IT_ERR_INPUT, NULL, err->offset, "%s",
			             err->message);
		return -1;
	}
	if (off < 0 || (uint64_t)off < s->blk_off || (uint64_t)off > UINT64_MAX - n) {
		it_error_set(&s->fatal, IT_ERR_INPUT, NULL, arc_pos(s),
		             "%s: data blocks of '%s' overlap (sparse map out of order)", s->fmt,
		             e->path);
		return it_error_set(err, IT_ERR_INPUT, NULL, arc_pos(s), "%s", s->fatal.message);
	}
	s->blk = b;
	s->blk_len = n;
	s->blk_off = (uint64_t)off;
	if ((uint64_t)off + n > s->produced)
		s->produced = (uint64_t)off + n;
	if (s->kind == ARC_ZIP) {
		/* deflated members are decompressed here: count them like a stream */
		uint64_t pos = arc_pos(s);
		uint64_t in = pos > s->data_start ? pos - s->data_start : 1;
		if (it_job_check_entry_output(s->job, in, s->produced, err) < 0) {
			it_error_move(&s->fatal, err);
			it_error_set(err, s->fatal.code, s->fatal.where, s->fatal.offset, "%s",
			             s->fatal.message);
			return -1;
		}
	}
	return 0;
}

static int append_zeros(struct it_buf *out, size_t n, struct it_error *err)
{
	if (it_buf_reserve(out, n) < 0)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	memset(out->data + out->len, 0, n);
	out->len += n;
	out->data[out->len] = 0;
	return 0;
}

/* it_entry_reader.load: append the entry's next bytes until out holds want. */
static int arc_load(void *ctx, const struct it_entry *e, struct it_buf *out, size_t want,
                    struct it_error *err)
{
	struct arc *s = ctx;
	if (s->fatal.code != IT_OK)
		return it_error_set(err, s->fatal.code, s->fatal.where, s->fatal.offset, "%s",
		                    s->fatal.message);
	while (out->len < want) {
		if (s->blk_len == 0) {
			if (s->data_end)
				break;
			if (next_block(s, e, err) < 0)
				return -1;
			continue;
		}
		if (s->blk_off > out->len) { /* a hole in a sparse file reads as zeros */
			uint64_t gap = s->blk_off - out->len;
			if (append_zeros(out, gap < want - out->len ? (size_t)gap : want - out->len,
			                 err) < 0)
				return -1;
			continue;
		}
		size_t take = s->blk_len < want - out->len ? s->blk_len : want - out->len;
		if (it_buf_append(out, s->blk, take) < 0)
			return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		s->blk = (const uint8_t *)s->blk + take;
		s->blk_len -= take;
		s->blk_off += take;
	}
	/* a sparse file may end in a hole */
	if (s->data_end && s->sparse && out->len < want && out->len < e->size) {
		uint64_t end = e->size < want ? e->size : want;
		if (append_zeros(out, (size_t)(end - out->len), err) < 0)
			return -1;
	}
	/* The whole entry is out: let libarchive reach its end, which is where
	 * it checks a zip member's CRC and size. */
	while (want >= e->size && out->len >= e->size && !s->data_end) {
		if (s->blk_len == 0 && next_block(s, e, err) < 0)
			return -1;
		if (s->blk_len)
			return it_error_set(err, IT_ERR_INPUT, NULL, arc_pos(s),
			                    "%s: '%s' holds more than its stated %llu bytes",
			                    s->fmt, e->path, (unsigned long long)e->size);
	}
	return 0;
}

/* ---- entries ---- */

static uint32_t clamp_id(la_int64_t v)
{
	return v < 0 ? 0 : v > (la_int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static const char *or_utf8(const char *mbs, const char *utf8)
{
	return mbs ? mbs : utf8;
}

/* Report one entry; its data (if any) is the current libarchive entry's. */
static int arc_entry(struct arc *s, struct archive_entry *ae, uint64_t at, struct it_error *err)
{
	struct it_entry e;
	memset(&e, 0, sizeof e);
	e.path = or_utf8(archive_entry_pathname(ae), archive_entry_pathname_utf8(ae));
	if (!e.path) {
		it_job_diag(s->job, IT_ERR_INPUT, at, "%s: entry without a readable name", s->fmt);
		return 0;
	}
	const char *hardlink = or_utf8(archive_entry_hardlink(ae), archive_entry_hardlink_utf8(ae));
	if (hardlink) {
		e.type = IT_ENTRY_HARDLINK;
		e.link_target = hardlink;
	} else {
		switch (archive_entry_filetype(ae)) {
		case AE_IFDIR:
			e.type = IT_ENTRY_DIR;
			break;
		case AE_IFLNK:
			e.type = IT_ENTRY_SYMLINK;
			e.link_target =
			        or_utf8(archive_entry_symlink(ae), archive_entry_symlink_utf8(ae));
			if (!e.link_target) {
				it_job_diag(s->job, IT_ERR_INPUT, at,
				            "%s: symlink '%s' without a readable target", s->fmt,
				            e.path);
				return 0;
			}
			break;
		case AE_IFCHR:
			e.type = IT_ENTRY_CHAR;
			break;
		case AE_IFBLK:
			e.type = IT_ENTRY_BLOCK;
			break;
		case AE_IFIFO:
			e.type = IT_ENTRY_FIFO;
			break;
		case AE_IFSOCK:
			e.type = IT_ENTRY_SOCKET;
			break;
		default: /* regular, and unknown types that libarchive reads as files */
			e.type = IT_ENTRY_FILE;
			break;
		}
	}
	e.mode = (uint32_t)archive_entry_mode(ae) & 07777;
	e.uid = clamp_id(archive_entry_uid(ae));
	e.gid = clamp_id(archive_entry_gid(ae));
	e.mtime = archive_entry_mtime_is_set(ae) ? (int64_t)archive_entry_mtime(ae) : 0;

	/* Regular files carry data; so may hard links (cpio stores a linked
	 * file's data with its last link, odc with every link). */
	int has_data = e.type == IT_ENTRY_FILE || e.type == IT_ENTRY_HARDLINK;
	la_int64_t size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : -1;
	s->blk = NULL;
	s->blk_len = 0;
	s->blk_off = 0;
	s->produced = 0;
	s->data_end = 0;
	s->data_start = arc_pos(s);
	s->sparse = archive_entry_sparse_count(ae) > 0;
	struct it_entry_reader reader = {arc_load, s};
	struct it_buf whole = IT_BUF_INIT;
	const uint8_t *data = NULL;
	int r;
	if (has_data && size < 0) {
		/* size unknown until the data ends (a streamed zip member): read it
		 * all now, bounded by the output limits */
		const struct it_unpack_limits *l = it_job_limits(s->job);
		size_t cap =
		        l->max_file_bytes < SIZE_MAX ? (size_t)l->max_file_bytes + 1 : SIZE_MAX;
		if (arc_load(s, &e, &whole, cap, err) < 0) {
			it_buf_free(&whole);
			if (err->code != IT_ERR_INPUT)
				return -1;
			/* unreadable data: the archive goes on unless s->fatal says
			 * it cannot */
			if (s->fatal.code == IT_OK)
				it_job_diag(s->job, IT_ERR_INPUT, err->offset, "%s", err->message);
			it_error_clear(err);
			return 0;
		}
		size = (la_int64_t)whole.len;
		data = whole.data ? whole.data : (const uint8_t *)"";
	}
	e.size = has_data && size > 0 ? (uint64_t)size : 0;
	if (e.size == 0) {
		data = (const uint8_t *)"";
	} else if (!data && s->kind != ARC_ZIP && !s->sparse) {
		/* tar and cpio data is stored as is: when libarchive hands it out
		 * as one block of our input, give the bytes in place */
		if (next_block(s, &e, err) == 0 && s->blk_off == 0 && s->blk_len == e.size &&
		    (const uint8_t *)s->blk >= s->base &&
		    (size_t)((const uint8_t *)s->blk - s->base) <= s->len - s->blk_len)
			data = s->blk;
		it_error_clear(err); /* a failure stays in s->fatal for the reader */
	}
	r = it_job_entry(s->job, &e, data, data ? NULL : &reader, err);
	it_buf_free(&whole);
	return r;
}

/* ---- the archive ---- */

/*
 * The archive is damaged at `off` (msg names the format and what was
 * expected). Before any header was read that is a failure: -1. After, the
 * entries so far were delivered, so the problem is reported and the archive
 * ends there: 1. (Failing then would make the engine carve again from the next
 * header and deliver the same entries twice.)
 */
static int arc_damaged(struct arc *s, uint64_t headers, uint64_t off, size_t *consumed,
                       const char *msg, struct it_error *err)
{
	if (headers == 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, off, "%s", msg);
	it_job_diag(s->job, IT_ERR_INPUT, off, "%s", msg);
	uint64_t end = arc_pos(s) > off ? arc_pos(s) : off;
	*consumed = end == 0 ? 1 : end > s->len ? s->len : (size_t)end;
	return 1;
}

/* Extend the end over zero padding up to the next multiple of `unit`. */
static size_t skip_padding(const uint8_t *p, size_t len, size_t end, size_t unit)
{
	size_t limit = end % unit ? end + (unit - end % unit) : end;
	if (limit > len)
		limit = len;
	size_t e = end;
	while (e < limit && p[e] == 0)
		e++;
	/* tar pads whole blocks: only take complete zero blocks */
	if (unit == TAR_RECORD)
		e = end + (e - end) / TAR_BLOCK * TAR_BLOCK;
	return e;
}

/* Read every header. Returns 0 at the archive's end, 1 when it ended damaged
 * (reported), -1 on failure. */
static int arc_read(struct arc *s, size_t *consumed, struct it_error *err)
{
	const struct it_unpack_limits *l = it_job_limits(s->job);
	uint64_t headers = 0, after_data = 0;
	struct archive_entry *ae;
	for (;;) {
		uint64_t at = arc_pos(s);
		const char *bad = NULL;
		if (s->kind == ARC_CPIO)
			bad = at < s->len ? cpio_header_fits(s->base + at, s->len - (size_t)at,
			                                     &s->cpio_kind)
			                  : "the archive ends before its TRAILER!!! entry";
		if (bad) {
			struct it_buf m = IT_BUF_INIT;
			it_buf_printf(&m, "cpio: header expected at offset 0x%llx: %s",
			              (unsigned long long)at, bad);
			int r = arc_damaged(s, headers, at, consumed, it_buf_str(&m), err);
			it_buf_free(&m);
			return r;
		}
		int r = archive_read_next_header(s->a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN) {
			/* Names are used as stored bytes, so libarchive failing to
			 * convert one to the locale's charset is no problem here. */
			if (!strstr(arc_message(s), "can't be converted"))
				it_job_diag(s->job, IT_ERR_INPUT, at, "%s: %s", s->fmt,
				            arc_message(s));
		} else if (r != ARCHIVE_OK) {
			struct it_buf m = IT_BUF_INIT;
			it_buf_printf(&m, "%s: header expected at offset 0x%llx: %s", s->fmt,
			              (unsigned long long)at, arc_message(s));
			r = arc_damaged(s, headers, at, consumed, it_buf_str(&m), err);
			it_buf_free(&m);
			return r;
		}
		/* refused entries are not counted by the engine: bound them here */
		if (++headers > l->max_entries)
			return it_error_set(err, IT_ERR_LIMIT, NULL, at,
			                    "%s: more than %llu entries (--max-entries)", s->fmt,
			                    (unsigned long long)l->max_entries);
		if (arc_entry(s, ae, at, err) < 0)
			return -1;
		if (s->fatal.code == IT_ERR_INPUT)
			return arc_damaged(s, headers, s->fatal.offset, consumed, s->fatal.message,
			                   err);
		if (s->fatal.code != IT_OK) {
			it_error_move(err, &s->fatal);
			return -1;
		}
		if (archive_read_data_skip(s->a) != ARCHIVE_OK) {
			struct it_buf m = IT_BUF_INIT;
			it_buf_printf(&m, "%s: data of '%s' expected: %s", s->fmt,
			              archive_entry_pathname(ae) ? archive_entry_pathname(ae) : "?",
			              arc_message(s));
			r = arc_damaged(s, headers, arc_pos(s), consumed, it_buf_str(&m), err);
			it_buf_free(&m);
			return r;
		}
		after_data = arc_pos(s);
	}
	uint64_t end = arc_pos(s);
	if (s->kind == ARC_TAR && end == after_data) {
		struct it_buf m = IT_BUF_INIT;
		it_buf_printf(&m,
		              "tar: archive ends at offset 0x%llx without its two zero "
		              "end-of-archive blocks (truncated?)",
		              (unsigned long long)end);
		int r = arc_damaged(s, headers, end, consumed, it_buf_str(&m), err);
		it_buf_free(&m);
		return r;
	}
	size_t e = end > s->len ? s->len : (size_t)end;
	if (s->kind == ARC_TAR)
		e = skip_padding(s->base, s->len, e, TAR_RECORD);
	else if (s->kind == ARC_CPIO)
		e = skip_padding(s->base, s->len, e, CPIO_BLOCK);
	*consumed = e ? e : 1;
	return 0;
}

static int arc_unpack(enum arc_kind kind, struct it_job *job, const uint8_t *p, size_t avail,
                      size_t *consumed, struct it_error *err)
{
	static const char *const names[] = {
	        [ARC_TAR] = "tar", [ARC_CPIO] = "cpio", [ARC_ZIP] = "zip"};
	struct arc s = {.job = job, .kind = kind, .fmt = names[kind], .base = p, .len = avail};
	s.fatal = (struct it_error)IT_ERROR_INIT;
	size_t zip_end = 0;
	s.a = archive_read_new();
	if (!s.a)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	archive_read_support_filter_none(s.a);
	switch (kind) {
	case ARC_TAR:
		archive_read_support_format_tar(s.a);
		break;
	case ARC_CPIO:
		archive_read_support_format_cpio(s.a);
		break;
	case ARC_ZIP:
		/* the central directory (at the end) is the archive's real index:
		 * read it when the end record is there, else walk the local headers */
		zip_end = zip_find_end(p, avail);
		if (zip_end) {
			s.len = zip_end;
			archive_read_support_format_zip_seekable(s.a);
		} else {
			archive_read_support_format_zip_streamable(s.a);
		}
		break;
	}
	int r;
	if (archive_read_open_memory(s.a, p, s.len) != ARCHIVE_OK) {
		r = it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                 "%s: header expected at offset 0x0: %s", s.fmt, arc_message(&s));
	} else {
		r = arc_read(&s, consumed, err);
		if (r >= 0 && zip_end)
			*consumed = zip_end;
		else if (r == 0 && kind == ARC_ZIP)
			it_job_diag(job, IT_ERR_INPUT, *consumed,
			            "zip: end of central directory record expected after the "
			            "entries (truncated or damaged archive)");
		if (r > 0)
			r = 0;
	}
	archive_read_free(s.a);
	it_error_clear(&s.fatal);
	return r;
}

static int tar_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                      struct it_error *err)
{
	return arc_unpack(ARC_TAR, job, p, avail, consumed, err);
}

static int cpio_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                       struct it_error *err)
{
	return arc_unpack(ARC_CPIO, job, p, avail, consumed, err);
}

static int zip_unpack(struct it_job *job, const uint8_t *p, size_t avail, size_t *consumed,
                      struct it_error *err)
{
	return arc_unpack(ARC_ZIP, job, p, avail, consumed, err);
}

const struct it_format it_fmt_tar = {
        .name = "tar",
        .magic = {{"ustar", 5, 257}, {NULL, 0, 0}},
        .probe = tar_probe,
        .unpack = tar_unpack,
};

const struct it_format it_fmt_cpio = {
        .name = "cpio",
        .magic = {{"07070", 5, 0}, {"\xc7\x71", 2, 0}, {"\x71\xc7", 2, 0}, {NULL, 0, 0}},
        .probe = cpio_probe,
        .unpack = cpio_unpack,
};

const struct it_format it_fmt_zip = {
        .name = "zip",
        .magic = {{"PK\x03\x04", 4, 0}, {NULL, 0, 0}},
        .probe = zip_probe,
        .unpack = zip_unpack,
};

/*
 * The unpack engine: carving, recursion, limits and entry delivery. A run walks
 * one image; each container found opens a job (chain, depth) and its reader
 * reports child blobs and entries back here. All state lives in the run and
 * the jobs on the stack; readers only ever see their own job.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "iotrust/mapfile.h"

#define HEAD_BYTES       4096 /* bytes of a file read to look for a nested container */
#define PROGRESS_BYTES   ((uint64_t)4 << 20)
#define PROGRESS_ENTRIES 1000
#define MIN_NESTED_SIZE  16

struct run {
	const struct it_unpack_options *opt;
	struct it_unpack_stats *stats;
	uint64_t top_len;
	uint64_t top_pos;
	uint64_t last_progress_bytes;
	uint64_t last_progress_entries;
	/* magic lookup: for each byte value, the (format, magic) pairs whose magic
	 * starts with it */
	struct cand {
		const struct it_format *fmt;
		const struct it_magic *magic;
	} * cands;
	uint16_t first[257]; /* cands[first[b] .. first[b+1]) start with byte b */
};

struct it_job {
	struct run *run;
	const struct it_format *fmt;
	struct it_buf chain;
	unsigned depth;
	uint64_t stream_out; /* output reported by it_job_check_output so far */
	struct it_buf path;  /* scratch for entry paths */
};

struct it_entry_src {
	const uint8_t *mem;
	const struct it_entry_reader *reader;
	struct it_buf cache;
	int complete;
	struct run *run;
};

static int blob_unpack(struct run *run, const char *chain, unsigned depth, const uint8_t *data,
                       size_t len, enum it_blob_search search, int is_top, struct it_error *err);

void it_unpack_limits_default(struct it_unpack_limits *l)
{
	l->max_total_bytes = IT_DEFAULT_MAX_TOTAL_BYTES;
	l->max_file_bytes = IT_DEFAULT_MAX_FILE_BYTES;
	l->max_entries = IT_DEFAULT_MAX_ENTRIES;
	l->max_depth = IT_DEFAULT_MAX_DEPTH;
	l->max_ratio = IT_DEFAULT_MAX_RATIO;
	l->max_path = IT_DEFAULT_MAX_PATH;
}

void it_unpack_options_default(struct it_unpack_options *o)
{
	memset(o, 0, sizeof *o);
	it_unpack_limits_default(&o->limits);
}

size_t it_unpack_format_count(void)
{
	size_t n = 0;
	while (it_formats[n])
		n++;
	return n;
}

const char *it_unpack_format_name(size_t i)
{
	return i < it_unpack_format_count() ? it_formats[i]->name : NULL;
}

const char *it_entry_type_name(enum it_entry_type t)
{
	static const char *const names[] = {
	        [IT_ENTRY_FILE] = "file",    [IT_ENTRY_DIR] = "dir",
	        [IT_ENTRY_SYMLINK] = "link", [IT_ENTRY_HARDLINK] = "hard",
	        [IT_ENTRY_CHAR] = "chr",     [IT_ENTRY_BLOCK] = "blk",
	        [IT_ENTRY_FIFO] = "fifo",    [IT_ENTRY_SOCKET] = "sock",
	        [IT_ENTRY_PAYLOAD] = "data",
	};
	if ((unsigned)t < sizeof names / sizeof names[0])
		return names[t];
	return "?";
}

/* Errors that end the whole run rather than one container. */
static int is_fatal(enum it_errcode code)
{
	return code == IT_ERR_LIMIT || code == IT_ERR_NOMEM || code == IT_ERR_CANCELLED ||
	       code == IT_ERR_IO || code == IT_ERR_INTERNAL;
}

static void set_where(struct it_error *err, const char *chain)
{
	if (!err->where && chain)
		err->where = strdup(chain);
}

static void report(struct run *run, struct it_error *diag)
{
	run->stats->problems++;
	if (run->opt->on_diag)
		run->opt->on_diag(run->opt->user, diag);
}

static void progress(struct run *run, int force)
{
	struct it_unpack_stats *s = run->stats;
	if (!run->opt->on_progress)
		return;
	if (!force && s->bytes_out - run->last_progress_bytes < PROGRESS_BYTES &&
	    s->entries - run->last_progress_entries < PROGRESS_ENTRIES)
		return;
	run->last_progress_bytes = s->bytes_out;
	run->last_progress_entries = s->entries;
	run->opt->on_progress(run->opt->user, run->top_pos, run->top_len, s->entries);
}

const struct it_unpack_limits *it_job_limits(const struct it_job *job)
{
	return &job->run->opt->limits;
}

const char *it_job_chain(const struct it_job *job)
{
	return it_buf_str(&job->chain);
}

void it_job_diag(struct it_job *job, enum it_errcode code, uint64_t offset, const char *fmt, ...)
{
	struct it_error diag = IT_ERROR_INIT;
	struct it_buf msg = IT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	it_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	it_error_set(&diag, code, it_job_chain(job), offset, "%s", it_buf_str(&msg));
	it_buf_free(&msg);
	report(job->run, &diag);
	it_error_clear(&diag);
}

static int add_output(struct run *run, const char *chain, uint64_t delta, struct it_error *err)
{
	const struct it_unpack_limits *l = &run->opt->limits;
	run->stats->bytes_out += delta;
	if (run->stats->bytes_out > l->max_total_bytes)
		return it_error_set(err, IT_ERR_LIMIT, chain, IT_NO_OFFSET,
		                    "total output exceeds the limit of %llu bytes (--max-total)",
		                    (unsigned long long)l->max_total_bytes);
	progress(run, 0);
	return 0;
}

int it_job_check_entry_output(struct it_job *job, uint64_t in_bytes, uint64_t out_bytes,
                              struct it_error *err)
{
	const struct it_unpack_limits *l = it_job_limits(job);
	const char *chain = it_job_chain(job);
	if (out_bytes > l->max_file_bytes)
		return it_error_set(
		        err, IT_ERR_LIMIT, chain, IT_NO_OFFSET,
		        "decompressed stream exceeds the limit of %llu bytes (--max-file)",
		        (unsigned long long)l->max_file_bytes);
	/* Small outputs are allowed any ratio: a few zero blocks compress well. */
	if (out_bytes > ((uint64_t)1 << 20) && in_bytes && out_bytes / in_bytes >= l->max_ratio)
		return it_error_set(err, IT_ERR_LIMIT, chain, IT_NO_OFFSET,
		                    "compression ratio above %u:1 (%llu bytes from %llu; a "
		                    "decompression bomb?) (--max-ratio)",
		                    l->max_ratio, (unsigned long long)out_bytes,
		                    (unsigned long long)in_bytes);
	return 0;
}

int it_job_check_output(struct it_job *job, uint64_t in_bytes, uint64_t out_bytes,
                        struct it_error *err)
{
	if (it_job_check_entry_output(job, in_bytes, out_bytes, err) < 0)
		return -1;
	if (out_bytes > job->stream_out) {
		uint64_t delta = out_bytes - job->stream_out;
		job->stream_out = out_bytes;
		return add_output(job->run, it_job_chain(job), delta, err);
	}
	return 0;
}

/* ---- entries ---- */

static int src_load(const struct it_entry *e, size_t want, struct it_error *err)
{
	struct it_entry_src *s = e->src_;
	if (s->mem || s->complete || s->cache.len >= want)
		return 0;
	size_t before = s->cache.len;
	if (!s->reader || s->reader->load(s->reader->ctx, e, &s->cache, want, err) < 0)
		return s->reader ? -1 : it_error_set(err, IT_ERR_INTERNAL, NULL, 0, "no data");
	if (s->cache.len < want || s->cache.len >= e->size)
		s->complete = 1;
	return add_output(s->run, e->chain, s->cache.len - before, err);
}

int it_entry_bytes(const struct it_entry *e, const uint8_t **data, size_t *len,
                   struct it_error *err)
{
	struct it_entry_src *s = e->src_;
	if (!s)
		return it_error_set(err, IT_ERR_INTERNAL, e->chain, IT_NO_OFFSET,
		                    "entry has no data");
	if (s->mem) {
		*data = s->mem;
		*len = (size_t)e->size;
		return 0;
	}
	if (e->size > s->run->opt->limits.max_file_bytes)
		return it_error_set(err, IT_ERR_LIMIT, e->chain, IT_NO_OFFSET,
		                    "'%s' is %llu bytes, above the limit of %llu (--max-file)",
		                    e->path, (unsigned long long)e->size,
		                    (unsigned long long)s->run->opt->limits.max_file_bytes);
	if (src_load(e, (size_t)e->size, err) < 0)
		return -1;
	*data = s->cache.data ? s->cache.data : (const uint8_t *)"";
	*len = s->cache.len;
	return 0;
}

/* Does any format claim the bytes at p? Returns the best confidence. */
static int probe_any(const uint8_t *p, size_t avail)
{
	int best = IT_PROBE_NO;
	for (size_t i = 0; it_formats[i]; i++) {
		const struct it_format *f = it_formats[i];
		for (const struct it_magic *m = f->magic; m->bytes; m++) {
			if (m->offset + m->len <= avail &&
			    memcmp(p + m->offset, m->bytes, m->len) == 0) {
				int c = f->probe(p, avail);
				if (c > best)
					best = c;
				break;
			}
		}
	}
	return best;
}

static int entry_nested(struct it_job *job, const struct it_entry *e, struct it_error *err)
{
	struct run *run = job->run;
	struct it_entry_src *s = e->src_;
	/* cpio stores a hard-linked file's bytes with one of its links */
	int has_data = e->type == IT_ENTRY_FILE || (e->type == IT_ENTRY_HARDLINK && e->size > 0);
	if (run->opt->no_nested || !has_data || e->size < MIN_NESTED_SIZE)
		return 0;
	size_t head = e->size < HEAD_BYTES ? (size_t)e->size : HEAD_BYTES;
	if (src_load(e, head, err) < 0)
		goto unreadable;
	const uint8_t *p = s->mem ? s->mem : s->cache.data;
	size_t n = s->mem ? (size_t)e->size : s->cache.len;
	if (!p || probe_any(p, n) < IT_PROBE_WEAK)
		return 0;
	const uint8_t *data;
	size_t len;
	if (it_entry_bytes(e, &data, &len, err) < 0)
		goto unreadable;
	struct it_buf chain = IT_BUF_INIT;
	if (it_buf_printf(&chain, "%s!/%s", e->chain, e->path) < 0)
		return it_error_nomem(err);
	int r = blob_unpack(run, it_buf_str(&chain), job->depth, data, len, IT_BLOB_HEAD, 0, err);
	it_buf_free(&chain);
	return r;
unreadable:
	if (is_fatal(err->code))
		return -1;
	set_where(err, e->chain);
	it_error_prefix(err, "reading '%s'", e->path);
	report(run, err);
	it_error_clear(err);
	return 0;
}

int it_job_entry(struct it_job *job, struct it_entry *e, const uint8_t *data,
                 const struct it_entry_reader *reader, struct it_error *err)
{
	struct run *run = job->run;
	const struct it_unpack_limits *l = &run->opt->limits;
	const char *chain = it_job_chain(job);
	struct it_buf target = IT_BUF_INIT;
	int absolute = 0, r = 0;

	if (run->stats->entries >= l->max_entries)
		return it_error_set(err, IT_ERR_LIMIT, chain, IT_NO_OFFSET,
		                    "more than %llu entries (--max-entries)",
		                    (unsigned long long)l->max_entries);
	if (it_path_normalise(e->path, l->max_path, &job->path, &absolute, err) < 0 || absolute) {
		if (absolute)
			it_error_set(err, IT_ERR_UNSAFE, NULL, IT_NO_OFFSET,
			             "refused entry '%s': absolute path", e->path);
		goto refuse;
	}
	if (e->type == IT_ENTRY_HARDLINK && e->link_target) {
		if (it_path_normalise(e->link_target, l->max_path, &target, &absolute, err) < 0 ||
		    absolute) {
			if (absolute)
				it_error_set(err, IT_ERR_UNSAFE, NULL, IT_NO_OFFSET,
				             "refused hard link '%s': absolute target '%s'",
				             e->path, e->link_target);
			goto refuse;
		}
		e->link_target = it_buf_str(&target);
	}
	if (job->path.len == 0 && e->type != IT_ENTRY_DIR) {
		it_error_set(err, IT_ERR_UNSAFE, NULL, IT_NO_OFFSET,
		             "refused entry with empty path");
		goto refuse;
	}
	if (job->path.len == 0) /* the container's root directory itself */
		goto out;

	struct it_entry_src src = {data, reader, IT_BUF_INIT, 0, run};
	e->path = it_buf_str(&job->path);
	e->chain = chain;
	e->depth = job->depth;
	e->src_ = &src;
	run->stats->entries++;
	if (run->opt->on_entry && run->opt->on_entry(run->opt->user, e) != 0) {
		r = it_error_set(err, IT_ERR_CANCELLED, chain, IT_NO_OFFSET, "cancelled");
	} else {
		r = entry_nested(job, e, err);
		progress(run, 0);
	}
	it_buf_free(&src.cache);
	e->src_ = NULL;
	goto out;
refuse:
	if (is_fatal(err->code)) {
		set_where(err, chain);
		r = -1;
		goto out;
	}
	set_where(err, chain);
	report(run, err);
	it_error_clear(err);
out:
	it_buf_free(&target);
	return r;
}

/* ---- blobs and carving ---- */

static int open_container(struct run *run, const struct it_format *f, const char *parent,
                          unsigned depth, uint64_t off, const uint8_t *p, size_t avail,
                          size_t *consumed, struct it_error *err)
{
	const struct it_unpack_limits *l = &run->opt->limits;
	struct it_job job = {run, f, IT_BUF_INIT, depth + 1, 0, IT_BUF_INIT};
	int r;
	if (off)
		r = it_buf_printf(&job.chain, "%s@0x%llx:%s", parent, (unsigned long long)off,
		                  f->name);
	else
		r = it_buf_printf(&job.chain, "%s:%s", parent, f->name);
	if (r < 0)
		return it_error_nomem(err);
	if (job.depth > l->max_depth) {
		r = it_error_set(err, IT_ERR_LIMIT, it_job_chain(&job), IT_NO_OFFSET,
		                 "containers nested more than %u deep (--max-depth)", l->max_depth);
	} else {
		run->stats->containers++;
		*consumed = 0;
		r = f->unpack(&job, p, avail, consumed, err);
		if (r == 0 && *consumed == 0)
			*consumed = 1;
		if (r < 0)
			set_where(err, it_job_chain(&job));
	}
	it_buf_free(&job.chain);
	it_buf_free(&job.path);
	return r;
}

/* The best format claiming position pos, with its confidence. */
static const struct it_format *best_at(const uint8_t *data, size_t len, size_t pos, int *conf)
{
	const struct it_format *best = NULL;
	*conf = IT_PROBE_NO;
	for (size_t i = 0; it_formats[i]; i++) {
		const struct it_format *f = it_formats[i];
		for (const struct it_magic *m = f->magic; m->bytes; m++) {
			if (pos + m->offset + m->len > len ||
			    memcmp(data + pos + m->offset, m->bytes, m->len) != 0)
				continue;
			int c = f->probe(data + pos, len - pos);
			if (c > *conf) {
				*conf = c;
				best = f;
			}
			break;
		}
	}
	return best;
}

/* Try a container at pos. Returns 1 when one was unpacked (and sets *next),
 * 0 when nothing usable is there, -1 on a fatal error. */
static int try_at(struct run *run, const char *chain, unsigned depth, const uint8_t *data,
                  size_t len, size_t pos, int is_top, size_t *next, struct it_error *err)
{
	int conf;
	const struct it_format *f = best_at(data, len, pos, &conf);
	if (!f || conf < IT_PROBE_WEAK)
		return 0;
	size_t consumed = 0;
	uint64_t before = run->stats->entries;
	if (open_container(run, f, chain, depth, pos, data + pos, len - pos, &consumed, err) == 0) {
		*next = pos + (consumed > len - pos ? len - pos : consumed);
		return 1;
	}
	if (is_fatal(err->code))
		return -1;
	/* A weak candidate that fails was usually no container at all, unless it
	 * is the very start of the user's image (a truncated .gz, say). */
	if (conf >= IT_PROBE_STRONG || (is_top && pos == 0))
		report(run, err);
	it_error_clear(err);
	/* A container that failed part way still explained these bytes: do not
	 * also deliver the whole blob as a payload; carving goes on at pos + 1. */
	if (run->stats->entries != before) {
		*next = pos + 1;
		return 1;
	}
	return 0;
}

static void build_candidates(struct run *run)
{
	size_t n = 0;
	for (size_t i = 0; it_formats[i]; i++)
		for (const struct it_magic *m = it_formats[i]->magic; m->bytes; m++)
			n++;
	run->cands = calloc(n ? n : 1, sizeof *run->cands);
	size_t k = 0;
	for (unsigned b = 0; b < 256; b++) {
		run->first[b] = (uint16_t)k;
		for (size_t i = 0; it_formats[i]; i++)
			for (const struct it_magic *m = it_formats[i]->magic; m->bytes; m++)
				if (run->cands && (uint8_t)m->bytes[0] == b)
					run->cands[k++] = (struct cand){it_formats[i], m};
	}
	run->first[256] = (uint16_t)k;
}

static int carve(struct run *run, const char *chain, unsigned depth, const uint8_t *data,
                 size_t len, int is_top, int *found, size_t *first, struct it_error *err)
{
	size_t h = 0;
	while (h < len) {
		uint8_t b = data[h];
		size_t next = 0;
		int hit = 0;
		for (uint16_t k = run->first[b]; k < run->first[b + 1] && !hit; k++) {
			const struct it_magic *m = run->cands[k].magic;
			if (h < m->offset || len - h < m->len || memcmp(data + h, m->bytes, m->len))
				continue;
			size_t pos = h - m->offset;
			hit = try_at(run, chain, depth, data, len, pos, is_top, &next, err);
			if (hit < 0)
				return -1;
		}
		if (hit) {
			if (!*found)
				*first = h;
			*found = 1;
			h = next > h ? next : h + 1;
			if (is_top) {
				run->top_pos = h;
				progress(run, 0);
			}
		} else {
			h++;
		}
	}
	return 0;
}

static int emit_payload(struct run *run, const char *chain, unsigned depth, const uint8_t *data,
                        size_t len, struct it_error *err)
{
	struct it_job job = {run, NULL, IT_BUF_INIT, depth, 0, IT_BUF_INIT};
	struct it_entry e;
	memset(&e, 0, sizeof e);
	if (it_buf_puts(&job.chain, chain) < 0)
		return it_error_nomem(err);
	struct it_entry_src src = {data, NULL, IT_BUF_INIT, 1, run};
	e.path = "";
	e.chain = it_job_chain(&job);
	e.type = IT_ENTRY_PAYLOAD;
	e.mode = 0644;
	e.size = len;
	e.depth = depth;
	e.src_ = &src;
	int r = 0;
	if (run->stats->entries >= run->opt->limits.max_entries)
		r = it_error_set(err, IT_ERR_LIMIT, chain, IT_NO_OFFSET,
		                 "more than %llu entries (--max-entries)",
		                 (unsigned long long)run->opt->limits.max_entries);
	else {
		run->stats->entries++;
		if (run->opt->on_entry && run->opt->on_entry(run->opt->user, &e) != 0)
			r = it_error_set(err, IT_ERR_CANCELLED, chain, IT_NO_OFFSET, "cancelled");
	}
	it_buf_free(&job.chain);
	return r;
}

static int blob_unpack(struct run *run, const char *chain, unsigned depth, const uint8_t *data,
                       size_t len, enum it_blob_search search, int is_top, struct it_error *err)
{
	int found = 0;
	size_t first = 0;
	if (search == IT_BLOB_CARVE) {
		if (carve(run, chain, depth, data, len, is_top, &found, &first, err) < 0)
			return -1;
		/* A blob is delivered itself when nothing explains it, or when it has
		 * bytes of its own before the first container (a kernel with an
		 * initramfs inside); the top-level image is the user's own file. */
		if (!found || (!is_top && first > 0))
			return emit_payload(run, chain, depth, data, len, err);
		return 0;
	}
	size_t next;
	return try_at(run, chain, depth, data, len, 0, 0, &next, err) < 0 ? -1 : 0;
}

int it_job_blob(struct it_job *job, const char *label, const uint8_t *data, size_t len,
                uint64_t offset, enum it_blob_search search, struct it_error *err)
{
	struct it_buf chain = IT_BUF_INIT;
	(void)offset;
	if (it_buf_puts(&chain, it_job_chain(job)) < 0 ||
	    (label && it_buf_printf(&chain, "/%s", label) < 0))
		return it_error_nomem(err);
	int r = blob_unpack(job->run, it_buf_str(&chain), job->depth, data, len, search, 0, err);
	it_buf_free(&chain);
	return r;
}

/* ---- entry points ---- */

static int run_init(struct run *run, const struct it_unpack_options *opt,
                    struct it_unpack_stats *stats, uint64_t len, struct it_error *err)
{
	memset(run, 0, sizeof *run);
	memset(stats, 0, sizeof *stats);
	run->opt = opt;
	run->stats = stats;
	run->top_len = len;
	build_candidates(run);
	if (!run->cands)
		return it_error_nomem(err);
	return 0;
}

static int run_finish(struct run *run, int r, const char *name, struct it_error *err)
{
	progress(run, 1);
	free(run->cands);
	if (r == 0 && run->stats->problems)
		return it_error_set(err, IT_ERR_INPUT, name, IT_NO_OFFSET,
		                    "%llu problem%s found while unpacking (see above)",
		                    (unsigned long long)run->stats->problems,
		                    run->stats->problems == 1 ? "" : "s");
	return r;
}

int it_unpack_memory(const uint8_t *data, size_t len, const char *name,
                     const struct it_unpack_options *opt, struct it_unpack_stats *stats,
                     struct it_error *err)
{
	struct run run;
	if (run_init(&run, opt, stats, len, err) < 0)
		return -1;
	int r = blob_unpack(&run, name, 0, data, len, IT_BLOB_CARVE, 1, err);
	run.top_pos = len;
	return run_finish(&run, r, name, err);
}

int it_unpack_memory_as(const char *format, const uint8_t *data, size_t len, const char *name,
                        const struct it_unpack_options *opt, struct it_unpack_stats *stats,
                        struct it_error *err)
{
	const struct it_format *f = NULL;
	for (size_t i = 0; it_formats[i]; i++)
		if (strcmp(it_formats[i]->name, format) == 0)
			f = it_formats[i];
	if (!f)
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET, "unknown format '%s'",
		                    format);
	struct run run;
	if (run_init(&run, opt, stats, len, err) < 0)
		return -1;
	size_t consumed = 0;
	int r = open_container(&run, f, name, 0, 0, data, len, &consumed, err);
	return run_finish(&run, r, name, err);
}

int it_unpack_file(const char *path, const char *name, const struct it_unpack_options *opt,
                   struct it_unpack_stats *stats, struct it_error *err)
{
	struct it_mapfile m;
	if (it_mapfile_open(&m, path, err) < 0)
		return -1;
	int r = it_unpack_memory(m.data, m.len, name ? name : path, opt, stats, err);
	it_mapfile_close(&m);
	return r;
}

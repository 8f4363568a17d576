/*
 * The import driver: walks files and directories, inflates gzip and opens the zips
 * OSV distributes, tells each JSON document's format from its content, runs the
 * importer for it, and writes the records to the store in transactions of a batch
 * of records, so a failure never leaves half a batch behind. Counts everything.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "iotrust/mapfile.h"
#include "iotrust/vulndb.h"
#include "vulndb/importer.h"
#include "vulndb/pipe.h"

#define MAX_DOC_BYTES   ((size_t)4 << 30) /* an inflated document */
#define MAX_DEPTH       16                /* directory recursion */
#define DEFAULT_BATCH   1000
#define MAX_ZIP_MEMBERS 2000000
#define STREAM_MIN      ((size_t)256 << 10) /* documents this large are streamed if they can */

/* One import. The importers run on the caller's thread and hand their records to
 * `reader`, which checks them as the store will, counts them and passes them on through a
 * writer thread (`pipe`, pipe.c) to `to_store`, the sink that writes: reading the next
 * documents and writing the last ones then run on two cores. Only the writer thread
 * touches the store, the batch and the counts of what was written (records, inserted,
 * ...); only the caller's thread the rest (files, malformed, skipped, read). */
struct run {
	struct it_store *store;
	const struct it_import_options *o;
	struct it_import_stats *st;
	const char *file; /* the document being imported, for messages */
	size_t in_batch;
	int open; /* a transaction is open */
	uint64_t files_total;
	uint64_t read; /* records handed over by the importers */
	struct it_import_sink to_store, reader;
	const struct it_import_sink *next; /* the pipe's sink, or to_store without a thread */
	struct it_pipe *pipe;
	int next_failed; /* writing failed: the import stops */
};

void it_import_options_default(struct it_import_options *o)
{
	memset(o, 0, sizeof(*o));
	o->batch = DEFAULT_BATCH;
}

const char *it_import_sniff(json_t *doc)
{
	if (!json_is_object(doc))
		return NULL;
	if (json_object_get(doc, "catalogVersion") && json_object_get(doc, "vulnerabilities"))
		return "kev";
	json_t *d = json_object_get(doc, "document");
	if (json_is_object(d) && json_object_get(d, "csaf_version"))
		return "csaf";
	json_t *v = json_object_get(doc, "vulnerabilities");
	if (json_is_array(v) || json_object_get(doc, "cve") ||
	    (json_object_get(doc, "id") && json_object_get(doc, "sourceIdentifier")))
		return "nvd";
	if (json_object_get(doc, "id") && json_object_get(doc, "modified"))
		return "osv";
	return NULL;
}

/* --- the sink: records into the store, batch by batch ----------------------------- */

static int batch_open(struct run *r, struct it_error *err)
{
	if (r->open)
		return 0;
	if (it_store_begin(r->store, err) < 0)
		return -1;
	r->open = 1;
	r->in_batch = 0;
	return 0;
}

/* Count a record written; commit when the batch is full. */
static int batch_count(struct run *r, struct it_error *err)
{
	if (++r->in_batch < (r->o->batch ? r->o->batch : DEFAULT_BATCH))
		return 0;
	r->open = 0;
	return it_store_commit(r->store, err);
}

static int sink_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	struct run *r = user;
	enum it_put res;
	if (batch_open(r, err) < 0)
		return -1;
	if (it_store_put_vuln(r->store, v, &res, err) < 0)
		return -1;
	r->st->records++;
	switch (res) {
	case IT_PUT_INSERTED:
		r->st->inserted++;
		break;
	case IT_PUT_UPDATED:
		r->st->updated++;
		break;
	case IT_PUT_UNCHANGED:
		r->st->unchanged++;
		break;
	case IT_PUT_OLDER:
		r->st->older++;
		break;
	case IT_PUT_REMOVED:
		r->st->removed++;
		break;
	}
	return batch_count(r, err);
}

static int sink_kev(void *user, const struct it_store_kev *k, struct it_error *err)
{
	struct run *r = user;
	if (batch_open(r, err) < 0)
		return -1;
	if (it_store_put_kev(r->store, k, err) < 0)
		return -1;
	r->st->kev++;
	return batch_count(r, err);
}

static void report_malformed(struct run *r, const char *where, const char *msg)
{
	r->st->malformed++;
	if (r->o->on_malformed)
		r->o->on_malformed(r->o->user, r->file, where, msg);
}

static void sink_malformed(void *user, const char *where, const char *msg)
{
	report_malformed(user, where, msg);
}

static void sink_skipped(void *user, const char *id, const char *why)
{
	struct run *r = user;
	(void)id;
	(void)why;
	r->st->skipped++;
}

/* The importers' sink, on the caller's thread: a record or KEV entry the store would
 * refuse is malformed (reported, skipped) here, so the writer only meets real failures
 * (I/O, a full disk), which stop the import; progress is reported as records are read. */
static int refused(struct run *r, int check, struct it_error *cerr)
{
	if (check == 0)
		return 0;
	report_malformed(r, "$", cerr->message ? cerr->message : "refused by the store");
	it_error_clear(cerr);
	return 1;
}

/* What the sink after the reader's said: a failure there stops the import. */
static int passed_on(struct run *r, int rc)
{
	if (rc < 0)
		r->next_failed = 1;
	return rc < 0 ? -1 : 0;
}

static int read_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	struct run *r = user;
	struct it_error cerr = IT_ERROR_INIT;
	if (refused(r, it_store_check_vuln(r->store, v, &cerr), &cerr))
		return 0;
	if (r->o->on_progress && ++r->read % 1000 == 0)
		r->o->on_progress(r->o->user, r->st->files, r->files_total, r->read);
	return passed_on(r, r->next->vuln(r->next->user, v, err));
}

static int read_kev(void *user, const struct it_store_kev *k, struct it_error *err)
{
	struct run *r = user;
	struct it_error cerr = IT_ERROR_INIT;
	if (refused(r, it_store_check_kev(r->store, k, &cerr), &cerr))
		return 0;
	return passed_on(r, r->next->kev(r->next->user, k, err));
}

/* Start an import: the writer thread, or without one (it cannot start) the records are
 * written on this thread. */
static void run_begin(struct run *r)
{
	struct it_error perr = IT_ERROR_INIT;
	r->to_store = (struct it_import_sink){sink_vuln, sink_kev, sink_malformed, sink_skipped, r};
	r->pipe = it_pipe_start(&r->to_store, &perr);
	it_error_clear(&perr);
	r->next = r->pipe ? it_pipe_sink(r->pipe) : &r->to_store;
	r->reader = (struct it_import_sink){read_vuln, read_kev, sink_malformed, sink_skipped, r};
}

/* --- one document ------------------------------------------------------------------- */

/* 1 when data was a large NVD page and has been imported record by record straight from
 * its text (it_nvd_stream), 0 when it is something else (parse it whole), -1 when the
 * sink failed. A syntax error after the first item is reported (the records before it
 * are kept) and ends the document. */
static int import_streamed(struct run *r, const uint8_t *data, size_t n, struct it_error *err)
{
	if (n < STREAM_MIN)
		return 0;
	struct it_json_where w = {0};
	int rc = it_nvd_stream((const char *)data, n, r->file, &r->reader, &w, err);
	if (rc == -1) {
		char where[96];
		snprintf(where, sizeof(where), "line %zu column %zu (byte %zu)", w.line, w.column,
		         w.offset);
		report_malformed(r, where, w.msg);
		return 1;
	}
	return rc == -2 ? -1 : rc;
}

static int import_json(struct run *r, const uint8_t *data, size_t n, struct it_error *err)
{
	int streamed = import_streamed(r, data, n, err);
	if (streamed != 0)
		return streamed < 0 ? -1 : 0;
	json_error_t je;
	json_t *doc = json_loadb((const char *)data, n, 0, &je);
	if (!doc) {
		char where[64];
		snprintf(where, sizeof(where), "line %d column %d (byte %d)", je.line, je.column,
		         je.position);
		report_malformed(r, where, je.text);
		return 0;
	}
	const char *kind = it_import_sniff(doc);
	const struct it_import_sink *sink = &r->reader;
	int rc = 0;
	struct it_error derr = IT_ERROR_INIT;
	if (!kind)
		report_malformed(r, "$", "expected an NVD 2.0, OSV, CSAF 2.0 or CISA KEV document");
	else if (strcmp(kind, "nvd") == 0)
		rc = it_import_nvd(doc, r->file, sink, &derr);
	else if (strcmp(kind, "osv") == 0)
		rc = it_import_osv(doc, r->file, sink, &derr);
	else if (strcmp(kind, "csaf") == 0)
		rc = it_import_csaf(doc, r->file, sink, &derr);
	else
		rc = it_import_kev(doc, r->file, sink, &derr);
	json_decref(doc);
	if (rc < 0 && derr.code == IT_ERR_INPUT && !r->next_failed) {
		/* the document's shape is wrong: that document is malformed, not the run */
		report_malformed(r, "$", derr.message ? derr.message : "malformed document");
		rc = 0;
	} else if (rc < 0) {
		it_error_move(err, &derr);
	}
	it_error_clear(&derr);
	return rc;
}

static int is_gzip(const uint8_t *p, size_t n)
{
	return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static int is_zip(const uint8_t *p, size_t n)
{
	return n >= 4 && memcmp(p, "PK\3\4", 4) == 0;
}

/* Inflate a gzip file (all members) into out, bounded by MAX_DOC_BYTES. */
static int gunzip(const uint8_t *p, size_t n, struct it_buf *out, const char *name,
                  struct it_error *err)
{
	z_stream z = {0};
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return it_error_nomem(err);
	z.next_in = (Bytef *)p;
	int rc = 0;
	while (rc == 0) {
		size_t chunk = n > UINT32_MAX ? UINT32_MAX : n;
		if (!z.avail_in && (size_t)(z.next_in - p) < n) {
			size_t left = n - (size_t)(z.next_in - p);
			z.avail_in = (uInt)(left < chunk ? left : chunk);
		}
		if (it_buf_reserve(out, 1 << 16) < 0) {
			rc = it_error_nomem(err);
			break;
		}
		z.next_out = out->data + out->len;
		z.avail_out = (uInt)(out->cap - out->len - 1);
		int zr = inflate(&z, Z_NO_FLUSH);
		out->len = (size_t)(z.next_out - out->data);
		if (out->len > MAX_DOC_BYTES)
			rc = it_error_set(err, IT_ERR_LIMIT, name, IT_NO_OFFSET,
			                  "inflates to more than %zu bytes", MAX_DOC_BYTES);
		else if (zr == Z_STREAM_END) {
			size_t used = (size_t)(z.next_in - p);
			if (used >= n || !is_gzip(p + used, n - used))
				break;
			inflateReset(&z); /* another member */
		} else if (zr != Z_OK)
			rc = it_error_set(err, IT_ERR_INPUT, name, (uint64_t)(z.next_in - p),
			                  "gzip: %s", z.msg ? z.msg : "corrupt data");
		else if (!z.avail_in && (size_t)(z.next_in - p) >= n)
			rc = it_error_set(err, IT_ERR_INPUT, name, n,
			                  "gzip: the stream ends before its end marker");
	}
	inflateEnd(&z);
	if (out->data)
		out->data[out->len] = 0;
	return rc;
}

static int import_zip(struct run *r, const uint8_t *p, size_t n, struct it_error *err)
{
	struct archive *a = archive_read_new();
	if (!a)
		return it_error_nomem(err);
	archive_read_support_format_zip(a);
	int rc = 0;
	const char *zipname = r->file;
	struct it_buf member = IT_BUF_INIT, name = IT_BUF_INIT;
	if (archive_read_open_memory(a, p, n) != ARCHIVE_OK)
		rc = it_error_set(err, IT_ERR_INPUT, zipname, IT_NO_OFFSET, "zip: %s",
		                  archive_error_string(a));
	struct archive_entry *e;
	uint64_t members = 0;
	while (rc == 0 && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(e);
		if (++members > MAX_ZIP_MEMBERS) {
			rc = it_error_set(err, IT_ERR_LIMIT, zipname, IT_NO_OFFSET,
			                  "zip: more than %d members", MAX_ZIP_MEMBERS);
			break;
		}
		size_t len = path ? strlen(path) : 0;
		if (archive_entry_filetype(e) != AE_IFREG || len < 5 ||
		    strcmp(path + len - 5, ".json") != 0)
			continue;
		it_buf_truncate(&member, 0);
		la_ssize_t got;
		char chunk[1 << 16];
		while ((got = archive_read_data(a, chunk, sizeof(chunk))) > 0)
			if (member.len + (size_t)got > MAX_DOC_BYTES ||
			    it_buf_append(&member, chunk, (size_t)got) < 0) {
				rc = it_error_set(err, IT_ERR_LIMIT, zipname, IT_NO_OFFSET,
				                  "zip: member %s too large", path);
				break;
			}
		if (rc == 0 && got < 0)
			rc = it_error_set(err, IT_ERR_INPUT, zipname, IT_NO_OFFSET, "zip: %s: %s",
			                  path, archive_error_string(a));
		it_buf_truncate(&name, 0);
		if (rc == 0 && it_buf_printf(&name, "%s!/%s", zipname, path) < 0)
			rc = it_error_nomem(err);
		if (rc == 0) {
			r->file = it_buf_str(&name);
			rc = import_json(r, member.data, member.len, err);
			r->file = zipname;
		}
	}
	archive_read_free(a);
	it_buf_free(&member);
	it_buf_free(&name);
	return rc;
}

static int import_bytes(struct run *r, const uint8_t *p, size_t n, struct it_error *err)
{
	if (is_zip(p, n))
		return import_zip(r, p, n, err);
	if (!is_gzip(p, n))
		return import_json(r, p, n, err);
	struct it_buf b = IT_BUF_INIT;
	int rc = gunzip(p, n, &b, r->file, err);
	if (rc == 0)
		rc = is_zip(b.data, b.len) ? import_zip(r, b.data, b.len, err)
		                           : import_json(r, b.data, b.len, err);
	it_buf_free(&b);
	return rc;
}

static int import_file(struct run *r, const char *path, struct it_error *err)
{
	struct it_mapfile m;
	if (it_mapfile_open(&m, path, err) < 0)
		return -1;
	r->file = path;
	int rc = import_bytes(r, m.data, m.len, err);
	it_mapfile_close(&m);
	r->st->files++;
	if (r->o->on_progress)
		r->o->on_progress(r->o->user, r->st->files, r->files_total, r->read);
	return rc;
}

/* --- walking paths --------------------------------------------------------------------- */

static int wanted(const char *name)
{
	size_t n = strlen(name);
	static const char *const ext[] = {".json", ".json.gz", ".zip", ".gz"};
	for (size_t i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		size_t e = strlen(ext[i]);
		if (n > e && strcmp(name + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every importable file below path (sorted, so imports are reproducible), into list. */
static int collect(const char *path, int depth, struct it_buf *list, size_t *count,
                   struct it_error *err)
{
	struct stat sb;
	if (stat(path, &sb) < 0)
		return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "cannot read: %m");
	if (!S_ISDIR(sb.st_mode)) {
		(*count)++;
		return it_buf_append(list, path, strlen(path) + 1) < 0 ? it_error_nomem(err) : 0;
	}
	if (depth >= MAX_DEPTH)
		return it_error_set(err, IT_ERR_LIMIT, path, IT_NO_OFFSET,
		                    "directories nested deeper than %d", MAX_DEPTH);
	DIR *d = opendir(path);
	if (!d)
		return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "cannot open: %m");
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *full = NULL;
		if (asprintf(&full, "%s/%s", path, de->d_name) < 0 ||
		    it_array_grow(&names, &cap, n, sizeof(*names)) < 0) {
			free(full);
			rc = it_error_nomem(err);
			break;
		}
		names[n++] = full;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		struct stat cs;
		if (rc == 0 && stat(names[i], &cs) == 0 &&
		    (S_ISDIR(cs.st_mode) || (S_ISREG(cs.st_mode) && wanted(names[i]))))
			rc = collect(names[i], depth + 1, list, count, err);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* End an import: wait for the writer (its error, if any, is the import's), then commit
 * the last batch, or roll it back after an error. */
static int finish(struct run *r, int rc, struct it_error *err)
{
	struct it_error werr = IT_ERROR_INIT;
	if (it_pipe_finish(r->pipe, &werr) < 0 && rc == 0) {
		it_error_move(err, &werr);
		rc = -1;
	}
	it_error_clear(&werr);
	r->pipe = NULL;
	if (r->open) {
		r->open = 0;
		if (rc == 0)
			return it_store_commit(r->store, err);
		it_store_rollback(r->store);
	}
	return rc;
}

int it_import_paths(struct it_store *s, const char *const *paths, size_t n,
                    const struct it_import_options *o, struct it_import_stats *stats,
                    struct it_error *err)
{
	struct it_import_options def;
	if (!o) {
		it_import_options_default(&def);
		o = &def;
	}
	struct run r = {.store = s, .o = o, .st = stats};
	run_begin(&r);
	struct it_buf list = IT_BUF_INIT;
	size_t count = 0;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = collect(paths[i], 0, &list, &count, err);
	r.files_total = count;
	for (size_t off = 0; rc == 0 && off < list.len; off += strlen((char *)list.data + off) + 1)
		rc = import_file(&r, (const char *)list.data + off, err);
	it_buf_free(&list);
	return finish(&r, rc, err);
}

int it_import_memory(struct it_store *s, const char *name, const uint8_t *data, size_t n,
                     const struct it_import_options *o, struct it_import_stats *stats,
                     struct it_error *err)
{
	struct it_import_options def;
	if (!o) {
		it_import_options_default(&def);
		o = &def;
	}
	struct run r = {.store = s, .o = o, .st = stats, .file = name, .files_total = 1};
	run_begin(&r);
	int rc = import_bytes(&r, data, n, err);
	stats->files++;
	return finish(&r, rc, err);
}

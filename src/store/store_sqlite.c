/*
 * The SQLite back end of it_store (docs/vulndb.md "Store schema"): one connection in WAL
 * mode with foreign keys on, every statement prepared once at open and kept until close,
 * and the schema version in PRAGMA user_version, raised one entry of `migrations` at a
 * time. Affected rows carry their record's id, so a product query reads one index and the
 * rows, nothing else.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "store/backend.h"

#define BUSY_TIMEOUT_MS 10000
#define APPLICATION_ID  0x696f7472 /* "iotr": marks the file as an iotrust store */

/* What a match reports of a record (it_store_get_brief), cut out of its JSON j by SQLite's
 * own JSON functions when the record is put: a few hundred bytes where the record may be
 * 100 KB (a kernel CVE's configurations). */
#define BRIEF_OF(j)                                                                                \
	"json_object('source', json_extract(" j ", '$.source'), 'aliases', json_extract(" j        \
	", '$.aliases'), 'summary', json_extract(" j ", '$.summary'), 'severity', json_extract(" j \
	", '$.severity'), 'score', json_extract(" j ", '$.score'), 'metrics', json_extract(" j     \
	", '$.metrics'))"

/* The schema, one entry per version: entry i takes user_version i to i + 1. Never edit an
 * entry that has shipped; append one. */
static const char *const migrations[] = {
        /* 1: everything. */
        "CREATE TABLE vuln ("
        " vid INTEGER PRIMARY KEY,"
        " id TEXT NOT NULL UNIQUE,"
        " source TEXT NOT NULL,"
        " modified TEXT NOT NULL,"
        " published TEXT,"
        " withdrawn INTEGER NOT NULL DEFAULT 0,"
        " severity TEXT,"
        " score REAL);"
        "CREATE TABLE vuln_json ("
        " vid INTEGER PRIMARY KEY REFERENCES vuln(vid) ON DELETE CASCADE,"
        " json TEXT NOT NULL);"
        "CREATE TABLE alias ("
        " vid INTEGER NOT NULL REFERENCES vuln(vid) ON DELETE CASCADE,"
        " alias TEXT NOT NULL,"
        " PRIMARY KEY (vid, alias)) WITHOUT ROWID;"
        "CREATE INDEX alias_alias ON alias(alias);"
        /* vuln_id is copied in so that a query needs no join. */
        "CREATE TABLE affected ("
        " vid INTEGER NOT NULL REFERENCES vuln(vid) ON DELETE CASCADE,"
        " vuln_id TEXT NOT NULL,"
        " kind TEXT NOT NULL,"
        " ns TEXT NOT NULL COLLATE NOCASE,"
        " name TEXT NOT NULL COLLATE NOCASE,"
        " cpe TEXT, purl TEXT,"
        " scheme TEXT NOT NULL,"
        " version TEXT,"
        " start TEXT, start_incl INTEGER NOT NULL,"
        " \"end\" TEXT, end_incl INTEGER NOT NULL,"
        " status TEXT NOT NULL,"
        " fixed TEXT, platform TEXT,"
        " negate INTEGER NOT NULL);"
        "CREATE INDEX affected_name ON affected(kind, name, ns);"
        "CREATE INDEX affected_vid ON affected(vid);"
        "CREATE TABLE kev ("
        " cve TEXT PRIMARY KEY,"
        " vendor TEXT, product TEXT, name TEXT, date_added TEXT, due_date TEXT,"
        " action TEXT, ransomware TEXT, notes TEXT);"
        "CREATE TABLE feed ("
        " url TEXT PRIMARY KEY,"
        " etag TEXT, last_modified TEXT,"
        " fetched_at TEXT NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE meta ("
        " key TEXT PRIMARY KEY,"
        " value TEXT NOT NULL) WITHOUT ROWID;",
        /* 2: each record's brief, for matching without parsing the whole record. */
        "ALTER TABLE vuln_json ADD COLUMN brief TEXT;"
        "UPDATE vuln_json SET brief = " BRIEF_OF("json") ";",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

#define ROW_COLUMNS                                                                                \
	"vuln_id, kind, ns, name, cpe, purl, scheme, version, start, start_incl, \"end\", "        \
	"end_incl, status, fixed, platform, negate"

/* Every statement the store runs, prepared at open. */
enum stmt {
	ST_BEGIN,
	ST_BEGIN_READ,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_VULN_FIND,
	ST_VULN_INSERT,
	ST_VULN_UPDATE,
	ST_JSON_PUT,
	ST_ALIAS_DELETE,
	ST_ALIAS_INSERT,
	ST_ROWS_DELETE,
	ST_ROW_INSERT,
	ST_KEV_PUT,
	ST_ROWS_ANY_NS,
	ST_ROWS_IN_NS,
	ST_GET_BY_ID,
	ST_GET_BY_ALIAS,
	ST_BRIEF_BY_ID,
	ST_BRIEF_BY_ALIAS,
	ST_GET_KEV,
	ST_IDS_WITH_ALIAS,
	ST_FEED_GET,
	ST_FEED_PUT,
	ST_META_GET,
	ST_META_PUT,
	ST_STATS_VULN,
	ST_STATS_COUNTS,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
        [ST_BEGIN] = "BEGIN IMMEDIATE",
        [ST_BEGIN_READ] = "BEGIN DEFERRED",
        [ST_COMMIT] = "COMMIT",
        [ST_ROLLBACK] = "ROLLBACK",
        [ST_VULN_FIND] = "SELECT vid, modified FROM vuln WHERE id = ?1",
        [ST_VULN_INSERT] = "INSERT INTO vuln(id, source, modified, published, withdrawn, "
                           "severity, score) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        [ST_VULN_UPDATE] = "UPDATE vuln SET source = ?2, modified = ?3, published = ?4, "
                           "withdrawn = ?5, severity = ?6, score = ?7 WHERE vid = ?1",
        /* coalesce() evaluates its arguments only as far as needed */
        [ST_JSON_PUT] = "INSERT OR REPLACE INTO vuln_json(vid, json, brief) VALUES (?1, ?2, "
                        "coalesce(?3, " BRIEF_OF("?2") "))",
        [ST_ALIAS_DELETE] = "DELETE FROM alias WHERE vid = ?1",
        [ST_ALIAS_INSERT] = "INSERT OR IGNORE INTO alias(vid, alias) VALUES (?1, ?2)",
        [ST_ROWS_DELETE] = "DELETE FROM affected WHERE vid = ?1",
        [ST_ROW_INSERT] = "INSERT INTO affected(vid, kind, ns, name, cpe, purl, scheme, version, "
                          "start, start_incl, \"end\", end_incl, status, fixed, platform, negate, "
                          "vuln_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                          "?13, ?14, ?15, ?16, ?17)",
        [ST_KEV_PUT] = "INSERT OR REPLACE INTO kev(cve, vendor, product, name, date_added, "
                       "due_date, action, ransomware, notes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                       "?8, ?9)",
        [ST_ROWS_ANY_NS] = "SELECT " ROW_COLUMNS " FROM affected WHERE kind = ?1 AND name = ?2",
        [ST_ROWS_IN_NS] = "SELECT " ROW_COLUMNS " FROM affected "
                          "WHERE kind = ?1 AND name = ?2 AND ns = ?3",
        [ST_GET_BY_ID] = "SELECT j.json FROM vuln v JOIN vuln_json j ON j.vid = v.vid "
                         "WHERE v.id = ?1",
        /* An alias may name several records: a live one first, NVD's first among those. */
        [ST_GET_BY_ALIAS] = "SELECT json FROM vuln_json WHERE vid = (SELECT v.vid FROM alias a "
                            "JOIN vuln v ON v.vid = a.vid WHERE a.alias = ?1 ORDER BY "
                            "v.withdrawn <> 0, v.source <> 'nvd', v.id LIMIT 1)",
        [ST_BRIEF_BY_ID] = "SELECT j.brief FROM vuln v JOIN vuln_json j ON j.vid = v.vid "
                           "WHERE v.id = ?1",
        [ST_BRIEF_BY_ALIAS] = "SELECT brief FROM vuln_json WHERE vid = (SELECT v.vid FROM "
                              "alias a JOIN vuln v ON v.vid = a.vid WHERE a.alias = ?1 ORDER "
                              "BY v.withdrawn <> 0, v.source <> 'nvd', v.id LIMIT 1)",
        [ST_GET_KEV] = "SELECT cve, vendor, product, name, date_added, due_date, action, "
                       "ransomware, notes FROM kev WHERE cve = ?1",
        [ST_IDS_WITH_ALIAS] = "SELECT v.id FROM alias a JOIN vuln v ON v.vid = a.vid "
                              "WHERE a.alias = ?1 ORDER BY v.id",
        [ST_FEED_GET] = "SELECT etag, last_modified FROM feed WHERE url = ?1",
        [ST_FEED_PUT] = "INSERT INTO feed(url, etag, last_modified, fetched_at) "
                        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(url) DO UPDATE SET "
                        "etag = excluded.etag, last_modified = excluded.last_modified, "
                        "fetched_at = excluded.fetched_at",
        [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
        [ST_META_PUT] = "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) "
                        "DO UPDATE SET value = excluded.value",
        [ST_STATS_VULN] = "SELECT source, count(*), sum(withdrawn <> 0) FROM vuln "
                          "GROUP BY source",
        [ST_STATS_COUNTS] = "SELECT (SELECT count(*) FROM affected), "
                            "(SELECT count(*) FROM alias), (SELECT count(*) FROM kev)",
};

struct db {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	int version; /* user_version after migrations */
};

static struct db *db_of(struct it_store *s)
{
	return s->impl;
}

/* Fill err from the connection's last error; what says what was being done. */
static int db_fail(struct it_store *s, sqlite3 *db, const char *what, struct it_error *err)
{
	int rc = sqlite3_errcode(db);
	enum it_errcode code = IT_ERR_INTERNAL;
	switch (rc) {
	case SQLITE_NOMEM:
		return it_error_nomem(err);
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = IT_ERR_IO;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		code = IT_ERR_INPUT;
		break;
	default:
		break;
	}
	return it_error_set(err, code, s->location, IT_NO_OFFSET, "%s: %s", what,
	                    sqlite3_errmsg(db));
}

/* The cached statement, or a private copy when the cached one is still being stepped by
 * a caller up the stack (a query callback that queries again). */
static sqlite3_stmt *stmt_take(struct it_store *s, enum stmt id, struct it_error *err)
{
	struct db *d = db_of(s);
	sqlite3_stmt *st = d->st[id];
	if (!sqlite3_stmt_busy(st))
		return st;
	if (sqlite3_prepare_v2(d->db, stmt_sql[id], -1, &st, NULL) != SQLITE_OK) {
		db_fail(s, d->db, "prepare", err);
		return NULL;
	}
	return st;
}

static void stmt_give(struct it_store *s, enum stmt id, sqlite3_stmt *st)
{
	if (st == db_of(s)->st[id])
		sqlite3_reset(st);
	else
		sqlite3_finalize(st);
}

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* Run a statement that returns no rows (its parameters already bound), then reset it. */
static int run(struct it_store *s, sqlite3_stmt *st, const char *what, struct it_error *err)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_fail(s, db_of(s)->db, what, err);
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

static int run_id(struct it_store *s, enum stmt id, const char *what, struct it_error *err)
{
	return run(s, db_of(s)->st[id], what, err);
}

/* Append column i (NULL appends nothing). */
static int put_column(sqlite3_stmt *st, int i, struct it_buf *out, struct it_error *err)
{
	const void *p = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);
	if (p && n > 0 && it_buf_append(out, p, (size_t)n) < 0)
		return it_error_nomem(err);
	if (!out->data && it_buf_reserve(out, 0) < 0) /* "" rather than NULL */
		return it_error_nomem(err);
	return 0;
}

/* --- opening and migrations ---------------------------------------------------------- */

/* One integer from a single-row query such as "PRAGMA user_version". */
static int query_int(struct it_store *s, sqlite3 *db, const char *sql, int *out,
                     struct it_error *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, db, "cannot read the database", err);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	if (rc != SQLITE_ROW)
		db_fail(s, db, "cannot read the database", err);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int exec(struct it_store *s, sqlite3 *db, const char *sql, const char *what,
                struct it_error *err)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(s, db, what, err);
}

/* Refuse files that are not iotrust stores, and stores newer than this code. */
static int check_identity(struct it_store *s, sqlite3 *db, struct it_error *err)
{
	int app, version, objects;
	if (query_int(s, db, "PRAGMA application_id", &app, err) < 0 ||
	    query_int(s, db, "PRAGMA user_version", &version, err) < 0 ||
	    query_int(s, db, "SELECT count(*) FROM sqlite_master", &objects, err) < 0)
		return -1;
	if (app != 0 && app != APPLICATION_ID)
		return it_error_set(err, IT_ERR_INPUT, s->location, IT_NO_OFFSET,
		                    "not an iotrust database (SQLite application_id %#x)",
		                    (unsigned)app);
	if (app == 0 && objects > 0)
		return it_error_set(err, IT_ERR_INPUT, s->location, IT_NO_OFFSET,
		                    "not an iotrust database (an SQLite database with other "
		                    "tables)");
	if (version > SCHEMA_VERSION)
		return it_error_set(err, IT_ERR_INPUT, s->location, IT_NO_OFFSET,
		                    "the database has schema version %d, newer than this iotrust "
		                    "knows (%d): use a newer iotrust or another database",
		                    version, SCHEMA_VERSION);
	if (version < 0)
		return it_error_set(err, IT_ERR_INPUT, s->location, IT_NO_OFFSET,
		                    "bad schema version %d", version);
	return 0;
}

/* Raise the schema to SCHEMA_VERSION, one migration per transaction. The version is read
 * again under the write lock: another process may have migrated meanwhile. */
static int migrate(struct it_store *s, sqlite3 *db, int *created, struct it_error *err)
{
	for (;;) {
		int version;
		char pragma[96];
		if (exec(s, db, "BEGIN IMMEDIATE", "cannot lock the database", err) < 0)
			return -1;
		if (query_int(s, db, "PRAGMA user_version", &version, err) < 0)
			goto fail;
		if (version >= SCHEMA_VERSION) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return version == SCHEMA_VERSION ? 0 : check_identity(s, db, err);
		}
		snprintf(pragma, sizeof(pragma),
		         "PRAGMA user_version = %d; PRAGMA application_id = %d", version + 1,
		         APPLICATION_ID);
		if (exec(s, db, migrations[version], "cannot create the schema", err) < 0 ||
		    exec(s, db, pragma, "cannot set the schema version", err) < 0 ||
		    exec(s, db, "COMMIT", "cannot commit the schema", err) < 0)
			goto fail;
		if (version == 0)
			*created = 1;
	}
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* WAL lets readers work while one writer writes; NORMAL sync is safe with WAL (a power
 * cut may lose the last commits, never corrupt). An in-memory database reports "memory".
 * A new database gets 32 KB pages: a record's JSON (4 KB on average, 100 KB for a kernel
 * CVE) then mostly fits its page instead of a chain of overflow pages, which makes an
 * import's writing about a quarter cheaper (docs/performance.md "Import speed"). An
 * existing database keeps its page size. */
static int configure(struct it_store *s, sqlite3 *db, struct it_error *err)
{
	sqlite3_stmt *st;
	if (exec(s, db, "PRAGMA page_size = 32768", "cannot set the page size", err) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
		return db_fail(s, db, "cannot set the journal mode", err);
	int rc = sqlite3_step(st);
	const char *mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	int ok = mode && (strcmp(mode, "wal") == 0 || strcmp(mode, "memory") == 0);
	if (!ok) {
		if (mode)
			it_error_set(err, IT_ERR_IO, s->location, IT_NO_OFFSET,
			             "cannot use WAL journaling (journal mode stays \"%s\")", mode);
		else
			db_fail(s, db, "cannot set the journal mode", err);
	}
	sqlite3_finalize(st);
	if (!ok)
		return -1;
	return exec(s, db,
	            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
	            "PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824; "
	            "PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 1000; "
	            "PRAGMA journal_size_limit = 67108864",
	            "cannot configure the database", err);
}

static void sqlite_close(struct it_store *s)
{
	struct db *d = db_of(s);
	if (!d)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(d->st[i]);
	sqlite3_close(d->db);
	free(d);
	s->impl = NULL;
}

static const struct it_store_ops sqlite_ops;

int it_store_sqlite_open(struct it_store *s, const char *target, int *created, struct it_error *err)
{
	struct db *d = calloc(1, sizeof(*d));
	if (!d)
		return it_error_nomem(err);
	s->impl = d;
	*created = 0;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(target, &d->db, flags, NULL) != SQLITE_OK) {
		if (!d->db)
			it_error_nomem(err);
		else
			db_fail(s, d->db, "cannot open the database", err);
		goto fail;
	}
	sqlite3_busy_timeout(d->db, BUSY_TIMEOUT_MS);
	if (check_identity(s, d->db, err) < 0 || configure(s, d->db, err) < 0 ||
	    migrate(s, d->db, created, err) < 0 ||
	    query_int(s, d->db, "PRAGMA user_version", &d->version, err) < 0)
		goto fail;
	for (int i = 0; i < ST_COUNT; i++)
		if (sqlite3_prepare_v3(d->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i],
		                       NULL) != SQLITE_OK) {
			db_fail(s, d->db, "cannot prepare a statement", err);
			goto fail;
		}
	s->ops = &sqlite_ops;
	return 0;
fail:
	sqlite_close(s);
	return -1;
}

/* --- transactions ------------------------------------------------------------------------ */

static int sqlite_begin(struct it_store *s, struct it_error *err)
{
	if (!sqlite3_get_autocommit(db_of(s)->db))
		return it_error_set(err, IT_ERR_INTERNAL, s->location, IT_NO_OFFSET,
		                    "a transaction is already open");
	return run_id(s, ST_BEGIN, "cannot begin a transaction", err);
}

static int sqlite_begin_read(struct it_store *s, struct it_error *err)
{
	if (!sqlite3_get_autocommit(db_of(s)->db))
		return it_error_set(err, IT_ERR_INTERNAL, s->location, IT_NO_OFFSET,
		                    "a transaction is already open");
	return run_id(s, ST_BEGIN_READ, "cannot begin a read transaction", err);
}

static int sqlite_commit(struct it_store *s, struct it_error *err)
{
	if (sqlite3_get_autocommit(db_of(s)->db))
		return it_error_set(err, IT_ERR_INTERNAL, s->location, IT_NO_OFFSET,
		                    "commit without a transaction");
	return run_id(s, ST_COMMIT, "cannot commit", err);
}

static void sqlite_rollback(struct it_store *s)
{
	if (!sqlite3_get_autocommit(db_of(s)->db))
		run_id(s, ST_ROLLBACK, "rollback", NULL);
}

/* Outside a transaction a put is its own transaction, so it lands whole or not at all.
 * Inside one it adds no savepoint (each would copy every page it touches, ~15% of import
 * time): arguments are validated before anything is written, so only an SQLite failure
 * (I/O, disk full) can stop a put midway, and the caller then rolls the batch back. */
static int atomic_begin(struct it_store *s, int *own_tx, struct it_error *err)
{
	*own_tx = sqlite3_get_autocommit(db_of(s)->db);
	return *own_tx ? run_id(s, ST_BEGIN, "cannot begin a write", err) : 0;
}

static int atomic_end(struct it_store *s, int own_tx, int ok, struct it_error *err)
{
	if (!own_tx)
		return ok ? 0 : -1;
	if (ok)
		return run_id(s, ST_COMMIT, "cannot commit", err);
	run_id(s, ST_ROLLBACK, "rollback", NULL);
	return -1;
}

/* --- records --------------------------------------------------------------------------- */

/* Look id up: 1 with *vid and the modified time copied to modified, 0 absent, -1 error. */
static int vuln_find(struct it_store *s, const char *id, sqlite3_int64 *vid, char *modified,
                     size_t size, struct it_error *err)
{
	sqlite3_stmt *st = db_of(s)->st[ST_VULN_FIND];
	bind_text(st, 1, id);
	int rc = sqlite3_step(st), found = rc == SQLITE_ROW;
	if (found) {
		const char *m = (const char *)sqlite3_column_text(st, 1);
		*vid = sqlite3_column_int64(st, 0);
		snprintf(modified, size, "%s", m ? m : "");
	} else if (rc != SQLITE_DONE) {
		db_fail(s, db_of(s)->db, "cannot look a record up", err);
		found = -1;
	}
	sqlite3_reset(st);
	return found;
}

static void bind_vuln(sqlite3_stmt *st, const struct it_store_vuln *v)
{
	bind_text(st, 2, v->source);
	bind_text(st, 3, v->modified);
	bind_text(st, 4, v->published);
	sqlite3_bind_int(st, 5, v->withdrawn ? 1 : 0);
	bind_text(st, 6, v->severity);
	if (v->score >= 0)
		sqlite3_bind_double(st, 7, v->score);
	else
		sqlite3_bind_null(st, 7);
}

static int row_insert(struct it_store *s, sqlite3_int64 vid, const char *vuln_id,
                      const struct it_store_row *r, struct it_error *err)
{
	sqlite3_stmt *st = db_of(s)->st[ST_ROW_INSERT];
	sqlite3_bind_int64(st, 1, vid);
	bind_text(st, 2, r->kind);
	bind_text(st, 3, r->ns);
	bind_text(st, 4, r->name);
	bind_text(st, 5, r->cpe);
	bind_text(st, 6, r->purl);
	bind_text(st, 7, r->scheme);
	bind_text(st, 8, r->version);
	bind_text(st, 9, r->start);
	sqlite3_bind_int(st, 10, r->start_incl ? 1 : 0);
	bind_text(st, 11, r->end);
	sqlite3_bind_int(st, 12, r->end_incl ? 1 : 0);
	bind_text(st, 13, r->status);
	bind_text(st, 14, r->fixed);
	bind_text(st, 15, r->platform);
	sqlite3_bind_int(st, 16, r->negate ? 1 : 0);
	bind_text(st, 17, vuln_id);
	return run(s, st, "cannot store an affected row", err);
}

/* Write v as decided: the record row, its JSON, aliases and (unless withdrawn) rows. */
static int vuln_write(struct it_store *s, const struct it_store_vuln *v, int stored,
                      sqlite3_int64 vid, struct it_error *err)
{
	struct db *d = db_of(s);
	sqlite3_stmt *st = d->st[stored ? ST_VULN_UPDATE : ST_VULN_INSERT];
	if (stored)
		sqlite3_bind_int64(st, 1, vid);
	else
		bind_text(st, 1, v->id);
	bind_vuln(st, v);
	if (run(s, st, "cannot store a record", err) < 0)
		return -1;
	if (!stored)
		vid = sqlite3_last_insert_rowid(d->db);
	st = d->st[ST_JSON_PUT];
	sqlite3_bind_int64(st, 1, vid);
	bind_text(st, 2, v->json);
	bind_text(st, 3, v->brief);
	if (run(s, st, "cannot store a record's JSON", err) < 0)
		return -1;
	if (stored) {
		sqlite3_bind_int64(d->st[ST_ALIAS_DELETE], 1, vid);
		sqlite3_bind_int64(d->st[ST_ROWS_DELETE], 1, vid);
		if (run_id(s, ST_ALIAS_DELETE, "cannot replace aliases", err) < 0 ||
		    run_id(s, ST_ROWS_DELETE, "cannot replace affected rows", err) < 0)
			return -1;
	}
	st = d->st[ST_ALIAS_INSERT];
	for (size_t i = 0; i < v->n_aliases; i++) {
		sqlite3_bind_int64(st, 1, vid);
		bind_text(st, 2, v->aliases[i]);
		if (run(s, st, "cannot store an alias", err) < 0)
			return -1;
	}
	for (size_t i = 0; !v->withdrawn && i < v->n_rows; i++)
		if (row_insert(s, vid, v->id, &v->rows[i], err) < 0)
			return -1;
	return 0;
}

static int sqlite_put_vuln(struct it_store *s, const struct it_store_vuln *v, enum it_put *res,
                           struct it_error *err)
{
	char modified[80];
	sqlite3_int64 vid = 0;
	int own_tx;
	if (atomic_begin(s, &own_tx, err) < 0)
		return -1;
	int stored = vuln_find(s, v->id, &vid, modified, sizeof(modified), err);
	if (stored < 0)
		return atomic_end(s, own_tx, 0, err);
	*res = it_store_put_decide(stored, modified, v);
	int ok = *res == IT_PUT_OLDER || *res == IT_PUT_UNCHANGED ||
	         vuln_write(s, v, stored, vid, err) == 0;
	if (!ok)
		it_error_prefix(err, "%s", v->id);
	return atomic_end(s, own_tx, ok, err);
}

static int sqlite_put_kev(struct it_store *s, const struct it_store_kev *k, struct it_error *err)
{
	sqlite3_stmt *st = db_of(s)->st[ST_KEV_PUT];
	const char *const v[] = {k->cve,      k->vendor, k->product,    k->name, k->date_added,
	                         k->due_date, k->action, k->ransomware, k->notes};
	for (int i = 0; i < 9; i++)
		bind_text(st, i + 1, v[i]);
	return run(s, st, "cannot store a KEV entry", err);
}

/* --- queries ------------------------------------------------------------------------------ */

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int sqlite_rows(struct it_store *s, const char *kind, const char *ns, const char *name,
                       it_store_row_fn fn, void *user, struct it_error *err)
{
	enum stmt id = ns ? ST_ROWS_IN_NS : ST_ROWS_ANY_NS;
	sqlite3_stmt *st = stmt_take(s, id, err);
	if (!st)
		return -1;
	bind_text(st, 1, kind);
	bind_text(st, 2, name);
	if (ns)
		bind_text(st, 3, ns);
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct it_store_row r = {
		        .kind = col(st, 1),
		        .ns = col(st, 2),
		        .name = col(st, 3),
		        .cpe = col(st, 4),
		        .purl = col(st, 5),
		        .scheme = col(st, 6),
		        .version = col(st, 7),
		        .start = col(st, 8),
		        .start_incl = sqlite3_column_int(st, 9),
		        .end = col(st, 10),
		        .end_incl = sqlite3_column_int(st, 11),
		        .status = col(st, 12),
		        .fixed = col(st, 13),
		        .platform = col(st, 14),
		        .negate = sqlite3_column_int(st, 15),
		};
		const char *vuln_id = col(st, 0);
		if ((ret = fn(user, vuln_id, &r)) != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(s, db_of(s)->db, "cannot query affected rows", err);
	stmt_give(s, id, st);
	return ret;
}

/* First column of the first row of statement id with ?1 = key, appended to out:
 * 1 found, 0 not, -1 error. */
static int get_text(struct it_store *s, enum stmt id, const char *key, struct it_buf *out,
                    struct it_error *err)
{
	sqlite3_stmt *st = stmt_take(s, id, err);
	if (!st)
		return -1;
	bind_text(st, 1, key);
	int rc = sqlite3_step(st), ret = 0;
	if (rc == SQLITE_ROW)
		ret = put_column(st, 0, out, err) < 0 ? -1 : 1;
	else if (rc != SQLITE_DONE)
		ret = db_fail(s, db_of(s)->db, "cannot read", err);
	stmt_give(s, id, st);
	return ret;
}

static int sqlite_get_vuln(struct it_store *s, const char *id, struct it_buf *out,
                           struct it_error *err)
{
	int rc = get_text(s, ST_GET_BY_ID, id, out, err);
	return rc == 0 ? get_text(s, ST_GET_BY_ALIAS, id, out, err) : rc;
}

static int sqlite_get_brief(struct it_store *s, const char *id, struct it_buf *out,
                            struct it_error *err)
{
	int rc = get_text(s, ST_BRIEF_BY_ID, id, out, err);
	return rc == 0 ? get_text(s, ST_BRIEF_BY_ALIAS, id, out, err) : rc;
}

/* The KEV row st points at as a JSON object (NULL columns left out). */
static int kev_json(sqlite3_stmt *st, struct it_buf *out, struct it_error *err)
{
	json_t *o = json_object();
	int rc = o ? 0 : it_error_nomem(err);
	for (int i = 0; rc == 0 && i < sqlite3_column_count(st); i++) {
		const char *v = col(st, i);
		if (!v)
			continue;
		json_t *str = json_string(v);
		if (!str)
			rc = it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
			                  "KEV entry %s: %s is not UTF-8", col(st, 0),
			                  sqlite3_column_name(st, i));
		else if (json_object_set_new(o, sqlite3_column_name(st, i), str) < 0)
			rc = it_error_nomem(err);
	}
	char *text = rc == 0 ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (rc == 0 && (!text || it_buf_puts(out, text) < 0))
		rc = it_error_nomem(err);
	free(text);
	json_decref(o);
	return rc;
}

static int sqlite_get_kev(struct it_store *s, const char *cve, struct it_buf *out,
                          struct it_error *err)
{
	sqlite3_stmt *st = stmt_take(s, ST_GET_KEV, err);
	if (!st)
		return -1;
	bind_text(st, 1, cve);
	int rc = sqlite3_step(st), ret = 0;
	if (rc == SQLITE_ROW)
		ret = kev_json(st, out, err) < 0 ? -1 : 1;
	else if (rc != SQLITE_DONE)
		ret = db_fail(s, db_of(s)->db, "cannot read a KEV entry", err);
	stmt_give(s, ST_GET_KEV, st);
	return ret;
}

static int sqlite_ids_with_alias(struct it_store *s, const char *alias,
                                 int (*fn)(void *user, const char *id), void *user,
                                 struct it_error *err)
{
	sqlite3_stmt *st = stmt_take(s, ST_IDS_WITH_ALIAS, err);
	if (!st)
		return -1;
	bind_text(st, 1, alias);
	int rc, ret = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ret = fn(user, col(st, 0))) != 0)
			break;
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(s, db_of(s)->db, "cannot query aliases", err);
	stmt_give(s, ST_IDS_WITH_ALIAS, st);
	return ret;
}

/* --- feed state, meta, stats ------------------------------------------------------------ */

static int sqlite_feed_get(struct it_store *s, const char *url, struct it_buf *etag,
                           struct it_buf *last_modified, struct it_error *err)
{
	sqlite3_stmt *st = stmt_take(s, ST_FEED_GET, err);
	if (!st)
		return -1;
	bind_text(st, 1, url);
	int rc = sqlite3_step(st), ret = 0;
	if (rc == SQLITE_ROW) {
		if (put_column(st, 0, etag, err) < 0 || put_column(st, 1, last_modified, err) < 0)
			ret = -1;
	} else if (rc != SQLITE_DONE) {
		ret = db_fail(s, db_of(s)->db, "cannot read feed state", err);
	}
	stmt_give(s, ST_FEED_GET, st);
	if (ret == 0 && ((!etag->data && it_buf_reserve(etag, 0) < 0) ||
	                 (!last_modified->data && it_buf_reserve(last_modified, 0) < 0)))
		ret = it_error_nomem(err);
	return ret;
}

static int sqlite_feed_put(struct it_store *s, const char *url, const char *etag,
                           const char *last_modified, struct it_error *err)
{
	char now[21];
	it_store_time_now(now);
	sqlite3_stmt *st = db_of(s)->st[ST_FEED_PUT];
	bind_text(st, 1, url);
	bind_text(st, 2, etag && *etag ? etag : NULL);
	bind_text(st, 3, last_modified && *last_modified ? last_modified : NULL);
	bind_text(st, 4, now);
	return run(s, st, "cannot store feed state", err);
}

static int sqlite_meta_get(struct it_store *s, const char *key, struct it_buf *out,
                           struct it_error *err)
{
	return get_text(s, ST_META_GET, key, out, err);
}

static int sqlite_meta_put(struct it_store *s, const char *key, const char *value,
                           struct it_error *err)
{
	sqlite3_stmt *st = db_of(s)->st[ST_META_PUT];
	bind_text(st, 1, key);
	bind_text(st, 2, value);
	return run(s, st, "cannot store metadata", err);
}

static int sqlite_stats(struct it_store *s, struct it_store_stats *out, struct it_error *err)
{
	static const char *const sources[3] = {"nvd", "osv", "csaf"};
	sqlite3_stmt *st = stmt_take(s, ST_STATS_VULN, err);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *source = col(st, 0);
		uint64_t n = (uint64_t)sqlite3_column_int64(st, 1);
		out->vulns += n;
		out->withdrawn += (uint64_t)sqlite3_column_int64(st, 2);
		for (int i = 0; i < 3; i++)
			if (source && strcmp(source, sources[i]) == 0)
				out->by_source[i] = n;
	}
	if (rc != SQLITE_DONE)
		db_fail(s, db_of(s)->db, "cannot count records", err);
	stmt_give(s, ST_STATS_VULN, st);
	if (rc != SQLITE_DONE)
		return -1;
	if (!(st = stmt_take(s, ST_STATS_COUNTS, err)))
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->rows = (uint64_t)sqlite3_column_int64(st, 0);
		out->aliases = (uint64_t)sqlite3_column_int64(st, 1);
		out->kev = (uint64_t)sqlite3_column_int64(st, 2);
	}
	if (rc != SQLITE_ROW)
		db_fail(s, db_of(s)->db, "cannot count rows", err);
	stmt_give(s, ST_STATS_COUNTS, st);
	if (rc != SQLITE_ROW)
		return -1;
	out->schema_version = db_of(s)->version;
	return 0;
}

static const struct it_store_ops sqlite_ops = {
        .name = "sqlite",
        .close = sqlite_close,
        .begin = sqlite_begin,
        .begin_read = sqlite_begin_read,
        .commit = sqlite_commit,
        .rollback = sqlite_rollback,
        .put_vuln = sqlite_put_vuln,
        .put_kev = sqlite_put_kev,
        .rows = sqlite_rows,
        .get_vuln = sqlite_get_vuln,
        .get_brief = sqlite_get_brief,
        .get_kev = sqlite_get_kev,
        .ids_with_alias = sqlite_ids_with_alias,
        .feed_get = sqlite_feed_get,
        .feed_put = sqlite_feed_put,
        .meta_get = sqlite_meta_get,
        .meta_put = sqlite_meta_put,
        .stats = sqlite_stats,
};

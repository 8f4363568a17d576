/*
 * The vulnerability store (include/iotrust/store.h, SQLite back end): opening and the
 * default location, schema version and migrations, the put rules, row queries, aliases,
 * KEV, feed state, meta, stats, transactions and rollback, and WAL readers. Records are
 * normalised JSON (as importers build them) turned into puts by it_record_emit.
 */
#include <jansson.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "iotrust/store.h"
#include "store/backend.h"
#include "testutil.h"
#include "vulndb/importer.h"

/* --- helpers ------------------------------------------------------------------------ */

struct fixture {
	struct test_dir dir;
	char path[128];
	struct it_store *s;
};

static void fixture_open(struct fixture *f, const char *tag)
{
	struct it_error err = IT_ERROR_INIT;
	int created = -1;
	assert_int_equal(test_dir_open(&f->dir, tag), 0);
	snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir.dir);
	if (it_store_open(&f->s, f->path, &created, &err) < 0)
		fail_msg("open: %s", err.message);
	assert_int_equal(created, 1);
}

static void fixture_close(struct fixture *f)
{
	it_store_close(f->s);
	test_dir_close(&f->dir);
}

struct put_ctx {
	struct it_store *s;
	enum it_put res;
	int called;
};

static int sink_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	struct put_ctx *c = user;
	c->called = 1;
	return it_store_put_vuln(c->s, v, &c->res, err);
}

static void sink_malformed(void *user, const char *where, const char *msg)
{
	(void)user;
	fail_msg("malformed test record at %s: %s", where, msg);
}

/* Put one normalised record given as JSON text: 0 with *res, or -1 with err. */
static int put_json(struct it_store *s, const char *text, enum it_put *res, struct it_error *err)
{
	json_error_t jerr;
	json_t *rec = json_loads(text, 0, &jerr);
	if (!rec)
		fail_msg("bad test JSON: %s: %s", jerr.text, text);
	struct put_ctx c = {s, IT_PUT_INSERTED, 0};
	struct it_import_sink sink = {sink_vuln, NULL, sink_malformed, NULL, &c};
	int rc = it_record_emit(rec, "test", &sink, err);
	json_decref(rec);
	assert_true(c.called);
	*res = c.res;
	return rc;
}

/* A real NVD record's identity (CVE-2023-38408, openssh) with its two CPE rows; modified
 * and extra fields vary per test. */
static char *openssh_record(const char *modified, int withdrawn, const char *aliases,
                            const char *end)
{
	struct it_buf b = IT_BUF_INIT;
	it_buf_printf(
	        &b,
	        "{\"id\":\"CVE-2023-38408\",\"source\":\"nvd\",\"modified\":\"%s\","
	        "\"published\":\"2023-07-20T03:15:10.170\",\"withdrawn\":%s,"
	        "\"severity\":\"critical\",\"score\":9.8,\"aliases\":[%s],"
	        "\"summary\":\"The PKCS#11 feature in ssh-agent in OpenSSH before 9.3p2\","
	        "\"affected\":["
	        "{\"kind\":\"cpe\",\"ns\":\"openbsd\",\"name\":\"openssh\","
	        "\"cpe\":\"cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*\",\"scheme\":\"generic\","
	        "\"end\":\"%s\",\"end_incl\":false,\"status\":\"affected\"},"
	        "{\"kind\":\"cpe\",\"ns\":\"openbsd\",\"name\":\"openssh\","
	        "\"cpe\":\"cpe:2.3:a:openbsd:openssh:9.3:-:*:*:*:*:*:*\",\"scheme\":\"generic\","
	        "\"version\":\"9.3\",\"status\":\"affected\"}]}",
	        modified, withdrawn ? "true" : "false", aliases, end);
	return it_buf_detach(&b);
}

static enum it_put put_openssh(struct it_store *s, const char *modified, int withdrawn,
                               const char *aliases, const char *end)
{
	struct it_error err = IT_ERROR_INIT;
	enum it_put res;
	char *text = openssh_record(modified, withdrawn, aliases, end);
	if (put_json(s, text, &res, &err) < 0)
		fail_msg("put: %s", err.message);
	free(text);
	return res;
}

/* A pkg record (OSV style) with one row in ecosystem ns. */
static char *pkg_record(const char *id, const char *source, const char *ns, const char *name,
                        const char *aliases)
{
	struct it_buf b = IT_BUF_INIT;
	it_buf_printf(&b,
	              "{\"id\":\"%s\",\"source\":\"%s\",\"modified\":\"2024-01-10T00:00:00Z\","
	              "\"aliases\":[%s],\"affected\":[{\"kind\":\"pkg\",\"ns\":\"%s\","
	              "\"name\":\"%s\",\"purl\":\"pkg:deb/debian/%s\",\"scheme\":\"deb\","
	              "\"start\":\"0\",\"start_incl\":true,\"end\":\"1:9.2p1-2+deb12u1\","
	              "\"fixed\":\"1:9.2p1-2+deb12u1\",\"status\":\"affected\"}]}",
	              id, source, aliases, ns, name, name);
	return it_buf_detach(&b);
}

static void put_pkg(struct it_store *s, const char *id, const char *source, const char *ns,
                    const char *name, const char *aliases)
{
	struct it_error err = IT_ERROR_INIT;
	enum it_put res;
	char *text = pkg_record(id, source, ns, name, aliases);
	if (put_json(s, text, &res, &err) < 0)
		fail_msg("put %s: %s", id, err.message);
	free(text);
}

/* Rows of a query collected as "vuln_id kind ns name version|start|end status" lines. */
struct rows {
	struct it_buf lines;
	size_t n;
	int stop_after; /* return 7 after this many rows (0: never) */
};

static int collect_row(void *user, const char *vuln_id, const struct it_store_row *r)
{
	struct rows *c = user;
	c->n++;
	it_buf_printf(&c->lines, "%s %s %s %s %s|%s|%s %s\n", vuln_id, r->kind, r->ns, r->name,
	              r->version ? r->version : "-", r->start ? r->start : "-",
	              r->end ? r->end : "-", r->status);
	return c->stop_after && c->n >= (size_t)c->stop_after ? 7 : 0;
}

static size_t count_rows(struct it_store *s, const char *kind, const char *ns, const char *name)
{
	struct it_error err = IT_ERROR_INIT;
	struct rows c = {IT_BUF_INIT, 0, 0};
	if (it_store_rows(s, kind, ns, name, collect_row, &c, &err) < 0)
		fail_msg("rows: %s", err.message);
	it_buf_free(&c.lines);
	return c.n;
}

static struct it_store_stats stats_of(struct it_store *s)
{
	struct it_error err = IT_ERROR_INIT;
	struct it_store_stats st;
	if (it_store_stats(s, &st, &err) < 0)
		fail_msg("stats: %s", err.message);
	return st;
}

/* The record's JSON as an object (NULL when absent). */
static json_t *get_json(struct it_store *s, const char *id)
{
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	int rc = it_store_get_vuln(s, id, &b, &err);
	if (rc < 0)
		fail_msg("get: %s", err.message);
	json_t *o = rc ? json_loads(it_buf_str(&b), 0, NULL) : NULL;
	if (rc)
		assert_non_null(o);
	it_buf_free(&b);
	return o;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Every table of the database file as text, rows sorted (read by a second connection). */
static char *dump_db(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *tables, *st;
	struct it_buf out = IT_BUF_INIT;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT name FROM sqlite_master WHERE type = 'table' "
	                                    "ORDER BY name",
	                                    -1, &tables, NULL),
	                 SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		char sql[256];
		const char *t = (const char *)sqlite3_column_text(tables, 0);
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1, 2", t);
		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		it_buf_printf(&out, "[%s]\n", t);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(st); i++) {
				const char *v = (const char *)sqlite3_column_text(st, i);
				it_buf_printf(&out, "%s|", v ? v : "NULL");
			}
			it_buf_putc(&out, '\n');
		}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	return it_buf_detach(&out);
}

static int sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v = -1;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void sql_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* --- RFC 3339 times ------------------------------------------------------------------- */

static void test_time_parse(void **state)
{
	(void)state;
	struct it_store_time a, b;
	/* One instant in the forms feeds write it. */
	const char *same[] = {"2024-01-02T03:04:05Z",      "2024-01-02T03:04:05",
	                      "2024-01-02T03:04:05.000Z",  "2024-01-02t03:04:05z",
	                      "2024-01-02 03:04:05+00:00", "2024-01-02T05:34:05+02:30",
	                      "2024-01-01T23:04:05-04:00", "2024-01-02T03:04:05.000000000"};
	assert_int_equal(it_store_time_parse(same[0], &a), 0);
	for (size_t i = 1; i < sizeof(same) / sizeof(same[0]); i++) {
		assert_int_equal(it_store_time_parse(same[i], &b), 0);
		assert_int_equal(it_store_time_cmp(&a, &b), 0);
	}
	/* Known epoch values, leap years included. */
	assert_int_equal(it_store_time_parse("1970-01-01T00:00:00Z", &a), 0);
	assert_int_equal(a.sec, 0);
	assert_int_equal(it_store_time_parse("2000-03-01", &a), 0);
	assert_int_equal(a.sec, 951868800);
	assert_int_equal(it_store_time_parse("2024-02-29T12:00:00Z", &a), 0);
	assert_int_equal(a.sec, 1709208000);
	assert_int_equal(it_store_time_parse("1969-12-31T23:59:59Z", &a), 0);
	assert_int_equal(a.sec, -1);
	/* Fractions order, including where raw strings would not ('.' < 'Z'). */
	assert_int_equal(it_store_time_parse("2024-01-02T03:04:05.5Z", &a), 0);
	assert_int_equal(it_store_time_parse("2024-01-02T03:04:05Z", &b), 0);
	assert_true(it_store_time_cmp(&a, &b) > 0);
	assert_int_equal(a.nsec, 500000000);
	assert_int_equal(it_store_time_parse("2024-01-02T03:04:05.123456789123Z", &a), 0);
	assert_int_equal(a.nsec, 123456789);
	const char *bad[] = {"",
	                     "2024",
	                     "2024-1-02T03:04:05Z",
	                     "2024-13-01T00:00:00Z",
	                     "2023-02-29T00:00:00Z",
	                     "2024-04-31T00:00:00Z",
	                     "2024-01-00",
	                     "2024-01-02T24:00:00Z",
	                     "2024-01-02T03:60:00Z",
	                     "2024-01-02T03:04:61Z",
	                     "2024-01-02T03:04Z",
	                     "2024-01-02T03:04:05.Z",
	                     "2024-01-02T03:04:05+24:00",
	                     "2024-01-02T03:04:05+0200",
	                     "2024-01-02T03:04:05Zjunk",
	                     "2024-01-02X03:04:05Z",
	                     "0000-01-01",
	                     "+2024-01-02T03:04:05Z",
	                     "2024-01-02T03:04:05.1234567890123456789012345678901234567890123456Z",
	                     NULL};
	for (size_t i = 0; bad[i]; i++)
		if (it_store_time_parse(bad[i], &a) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(it_store_time_parse(NULL, &a), -1);
}

/* --- opening ------------------------------------------------------------------------------ */

static void test_reopen_keeps_data(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	int created = -1;
	fixture_open(&f, "store");
	assert_string_equal(it_store_location(f.s), f.path);
	assert_int_equal(put_openssh(f.s, "2024-04-04T06:15:08.430", 0, "", "9.3"),
	                 IT_PUT_INSERTED);
	it_store_close(f.s);
	assert_int_equal(it_store_open(&f.s, f.path, &created, &err), 0);
	assert_int_equal(created, 0);
	json_t *o = get_json(f.s, "CVE-2023-38408");
	assert_non_null(o);
	assert_string_equal(jstr(o, "modified"), "2024-04-04T06:15:08.430");
	json_decref(o);
	assert_int_equal(count_rows(f.s, "cpe", "openbsd", "openssh"), 2);
	it_store_close(f.s);
	/* "sqlite:PATH" names the same store. */
	char loc[160];
	snprintf(loc, sizeof(loc), "sqlite:%s", f.path);
	assert_int_equal(it_store_open(&f.s, loc, &created, &err), 0);
	assert_int_equal(created, 0);
	assert_string_equal(it_store_location(f.s), f.path);
	assert_int_equal(stats_of(f.s).vulns, 1);
	fixture_close(&f);
}

static void test_schema_version(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f, "store");
	assert_int_equal(stats_of(f.s).schema_version, 2);
	it_store_close(f.s);
	f.s = NULL;
	assert_int_equal(sql_int(f.path, "PRAGMA user_version"), 2);
	assert_int_equal(sql_int(f.path, "PRAGMA application_id"), 0x696f7472);
	assert_int_equal(sql_int(f.path, "SELECT count(*) FROM sqlite_master WHERE name IN "
	                                 "('vuln', 'vuln_json', 'alias', 'affected', 'kev', "
	                                 "'feed', 'meta', 'affected_name', 'alias_alias')"),
	                 9);
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(f.path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);
	test_dir_close(&f.dir);
}

/* The brief a match reads: what it needs of a record, by id and by alias. */
static void test_brief(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	fixture_open(&f, "store");
	put_openssh(f.s, "2024-01-01T00:00:00.000Z", 0, "\"GHSA-test-0001\"", "9.3p2");
	assert_int_equal(it_store_get_brief(f.s, "GHSA-test-0001", &b, &err), 1);
	json_t *brief = json_loadb((const char *)b.data, b.len, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(brief, "source")), "nvd");
	assert_string_equal(json_string_value(json_object_get(brief, "severity")), "critical");
	assert_true(json_number_value(json_object_get(brief, "score")) == 9.8);
	assert_non_null(strstr(json_string_value(json_object_get(brief, "summary")), "PKCS#11"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(brief, "aliases"), 0)),
	                    "GHSA-test-0001");
	assert_null(json_object_get(brief, "affected")); /* the rows stay out */
	json_decref(brief);
	it_buf_truncate(&b, 0);
	assert_int_equal(it_store_get_brief(f.s, "CVE-2000-0001", &b, &err), 0);
	it_buf_free(&b);
	fixture_close(&f);
}

/* A store of schema 1 (no briefs) is migrated at open and its briefs filled in. */
static void test_migration_to_briefs(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	fixture_open(&f, "store");
	put_openssh(f.s, "2024-01-01T00:00:00.000Z", 0, "", "9.3p2");
	it_store_close(f.s);
	sql_exec(f.path, "ALTER TABLE vuln_json DROP COLUMN brief; PRAGMA user_version = 1");
	assert_int_equal(it_store_open(&f.s, f.path, NULL, &err), 0);
	assert_int_equal(stats_of(f.s).schema_version, 2);
	assert_int_equal(it_store_get_brief(f.s, "CVE-2023-38408", &b, &err), 1);
	assert_non_null(strstr(it_buf_str(&b), "\"summary\":\"The PKCS#11"));
	it_buf_free(&b);
	fixture_close(&f);
}

static void test_newer_schema_refused(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	fixture_open(&f, "store");
	it_store_close(f.s);
	sql_exec(f.path, "PRAGMA user_version = 3");
	f.s = (struct it_store *)&f; /* must be reset to NULL on failure */
	assert_int_equal(it_store_open(&f.s, f.path, NULL, &err), -1);
	assert_null(f.s);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_non_null(strstr(err.message, "schema version 3, newer than this iotrust knows (2)"));
	assert_string_equal(err.where, f.path);
	it_error_clear(&err);
	/* Nothing was changed by the refusal. */
	assert_int_equal(sql_int(f.path, "PRAGMA user_version"), 3);
	test_dir_close(&f.dir);
}

static void test_foreign_files_refused(void **state)
{
	(void)state;
	struct test_dir d;
	struct it_error err = IT_ERROR_INIT;
	struct it_store *s;
	char path[160];
	assert_int_equal(test_dir_open(&d, "store"), 0);
	/* Another program's SQLite database: not touched. */
	snprintf(path, sizeof(path), "%s/other.db", d.dir);
	sql_exec(path, "CREATE TABLE vuln(x); INSERT INTO vuln VALUES (1)");
	assert_int_equal(it_store_open(&s, path, NULL, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_non_null(strstr(err.message, "not an iotrust database"));
	assert_int_equal(sql_int(path, "PRAGMA user_version"), 0);
	/* Another application id. */
	snprintf(path, sizeof(path), "%s/app.db", d.dir);
	sql_exec(path, "PRAGMA application_id = 42");
	assert_int_equal(it_store_open(&s, path, NULL, &err), -1);
	assert_non_null(strstr(err.message, "application_id 0x2a"));
	/* Not SQLite at all. */
	snprintf(path, sizeof(path), "%s/text.db", d.dir);
	FILE *fp = fopen(path, "w");
	for (int i = 0; i < 64; i++)
		fputs("this is a text file, not a database\n", fp);
	fclose(fp);
	assert_int_equal(it_store_open(&s, path, NULL, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_non_null(strstr(err.message, "not a database"));
	/* A directory that does not exist is not created for an explicit path. */
	snprintf(path, sizeof(path), "%s/missing/dir/x.db", d.dir);
	assert_int_equal(it_store_open(&s, path, NULL, &err), -1);
	assert_int_equal(err.code, IT_ERR_IO);
	it_error_clear(&err);
	test_dir_close(&d);
}

static void test_locations(void **state)
{
	(void)state;
	struct it_error err = IT_ERROR_INIT;
	struct it_store *s;
	int created = -1;
	const char *pg[] = {"postgresql://iotrust@db.example/iotrust", "postgres://x/y"};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(it_store_open(&s, pg[i], NULL, &err), -1);
		assert_int_equal(err.code, IT_ERR_USAGE);
		assert_string_equal(err.message, "not built with PostgreSQL support yet");
	}
	assert_int_equal(it_store_open(&s, "mysql://x/y", NULL, &err), -1);
	assert_int_equal(err.code, IT_ERR_USAGE);
	assert_int_equal(it_store_open(&s, "sqlite:", NULL, &err), -1);
	assert_int_equal(err.code, IT_ERR_USAGE);
	it_error_clear(&err);
	/* An in-memory store works (journal mode "memory"). */
	assert_int_equal(it_store_open(&s, "sqlite::memory:", &created, &err), 0);
	assert_int_equal(created, 1);
	assert_int_equal(put_openssh(s, "2024-04-04T06:15:08.430", 0, "", "9.3"), IT_PUT_INSERTED);
	it_store_close(s);
}

/* Set an environment variable to v (NULL: unset). */
static void set_env(const char *name, const char *v)
{
	if (v)
		setenv(name, v, 1);
	else
		unsetenv(name);
}

static void test_default_location(void **state)
{
	(void)state;
	struct test_dir d;
	struct it_error err = IT_ERROR_INIT;
	struct it_store *s;
	struct stat st;
	char xdg[160], want[200], home[160];
	int created = -1;
	char *old_xdg = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	assert_int_equal(test_dir_open(&d, "store"), 0);
	/* XDG_DATA_HOME, with missing directories made 0700. */
	snprintf(xdg, sizeof(xdg), "%s/xdg/data", d.dir);
	snprintf(want, sizeof(want), "%s/iotrust/iotrust.db", xdg);
	setenv("XDG_DATA_HOME", xdg, 1);
	if (it_store_open(&s, NULL, &created, &err) < 0)
		fail_msg("open: %s", err.message);
	assert_int_equal(created, 1);
	assert_string_equal(it_store_location(s), want);
	it_store_close(s);
	assert_int_equal(stat(want, &st), 0);
	snprintf(want, sizeof(want), "%s/iotrust", xdg);
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(want, sizeof(want), "%s/xdg", d.dir);
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Second open: the same file, not new. */
	assert_int_equal(it_store_open(&s, NULL, &created, &err), 0);
	assert_int_equal(created, 0);
	it_store_close(s);
	/* A relative XDG_DATA_HOME is ignored (XDG spec): HOME's .local/share is used. */
	snprintf(home, sizeof(home), "%s/home", d.dir);
	assert_int_equal(mkdir(home, 0755), 0);
	setenv("XDG_DATA_HOME", "relative/dir", 1);
	setenv("HOME", home, 1);
	assert_int_equal(it_store_open(&s, NULL, &created, &err), 0);
	snprintf(want, sizeof(want), "%s/.local/share/iotrust/iotrust.db", home);
	assert_string_equal(it_store_location(s), want);
	assert_int_equal(created, 1);
	it_store_close(s);
	/* Neither: a usage error rather than a guess. */
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	assert_int_equal(it_store_open(&s, NULL, &created, &err), -1);
	assert_int_equal(err.code, IT_ERR_USAGE);
	it_error_clear(&err);
	set_env("XDG_DATA_HOME", old_xdg);
	set_env("HOME", old_home);
	free(old_xdg);
	free(old_home);
	test_dir_close(&d);
}

/* --- the put rules ---------------------------------------------------------------------- */

static void test_put_inserted_unchanged_older(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f, "store");
	assert_int_equal(put_openssh(f.s, "2024-04-04T06:15:08.430", 0, "", "9.3"),
	                 IT_PUT_INSERTED);
	char *before = dump_db(f.path);
	/* The same instant written three ways: nothing written. */
	assert_int_equal(put_openssh(f.s, "2024-04-04T06:15:08.430", 0, "", "9.9"),
	                 IT_PUT_UNCHANGED);
	assert_int_equal(put_openssh(f.s, "2024-04-04T06:15:08.43Z", 0, "", "9.9"),
	                 IT_PUT_UNCHANGED);
	assert_int_equal(put_openssh(f.s, "2024-04-04T08:15:08.430+02:00", 0, "", "9.9"),
	                 IT_PUT_UNCHANGED);
	/* Older (also a withdrawal that is older): ignored. */
	assert_int_equal(put_openssh(f.s, "2023-12-22T13:15:08.413", 0, "", "9.9"), IT_PUT_OLDER);
	assert_int_equal(put_openssh(f.s, "2024-04-04T06:15:08.429Z", 1, "", "9.9"), IT_PUT_OLDER);
	char *after = dump_db(f.path);
	assert_string_equal(before, after);
	free(before);
	free(after);
	fixture_close(&f);
}

static void test_put_updated(void **state)
{
	(void)state;
	struct fixture f;
	struct rows c = {IT_BUF_INIT, 0, 0};
	struct it_error err = IT_ERROR_INIT;
	fixture_open(&f, "store");
	assert_int_equal(put_openssh(f.s, "2024-04-04T06:15:08Z", 0, "\"GHSA-old\"", "9.3"),
	                 IT_PUT_INSERTED);
	/* Newer by half a second, where raw string order says older ('.' < 'Z'). */
	assert_int_equal(put_openssh(f.s, "2024-04-04T06:15:08.5Z", 0, "\"GHSA-new\"", "9.3p2"),
	                 IT_PUT_UPDATED);
	json_t *o = get_json(f.s, "CVE-2023-38408");
	assert_string_equal(jstr(o, "modified"), "2024-04-04T06:15:08.5Z");
	json_decref(o);
	/* Aliases and rows were replaced, not added to. */
	assert_null(get_json(f.s, "GHSA-old"));
	o = get_json(f.s, "GHSA-new");
	assert_non_null(o);
	json_decref(o);
	assert_int_equal(it_store_rows(f.s, "cpe", "openbsd", "openssh", collect_row, &c, &err), 0);
	assert_int_equal(c.n, 2);
	assert_non_null(strstr(it_buf_str(&c.lines), "|9.3p2 affected"));
	assert_null(strstr(it_buf_str(&c.lines), "-|-|9.3 affected"));
	it_buf_free(&c.lines);
	struct it_store_stats st = stats_of(f.s);
	assert_int_equal(st.vulns, 1);
	assert_int_equal(st.rows, 2);
	assert_int_equal(st.aliases, 1);
	/* The record's columns follow the record (score -1 is stored as NULL). */
	assert_int_equal(sql_int(f.path, "SELECT score * 10 FROM vuln"), 98);
	assert_int_equal(sql_int(f.path, "SELECT severity = 'critical' AND source = 'nvd' AND "
	                                 "published = '2023-07-20T03:15:10.170' FROM vuln"),
	                 1);
	put_pkg(f.s, "OSV-1", "osv", "npm", "x", "");
	assert_int_equal(sql_int(f.path, "SELECT score IS NULL AND severity IS NULL FROM vuln "
	                                 "WHERE id = 'OSV-1'"),
	                 1);
	fixture_close(&f);
}

static void test_put_removed(void **state)
{
	(void)state;
	struct fixture f;
	fixture_open(&f, "store");
	assert_int_equal(put_openssh(f.s, "2024-04-04T06:15:08Z", 0, "\"GHSA-x\"", "9.3"),
	                 IT_PUT_INSERTED);
	assert_int_equal(count_rows(f.s, "cpe", NULL, "openssh"), 2);
	/* Withdrawn and newer: kept as a record, gone from matching. */
	assert_int_equal(put_openssh(f.s, "2024-05-01T00:00:00Z", 1, "\"GHSA-x\"", "9.3"),
	                 IT_PUT_REMOVED);
	assert_int_equal(count_rows(f.s, "cpe", NULL, "openssh"), 0);
	json_t *o = get_json(f.s, "CVE-2023-38408");
	assert_non_null(o);
	assert_true(json_is_true(json_object_get(o, "withdrawn")));
	json_decref(o);
	struct it_store_stats st = stats_of(f.s);
	assert_int_equal(st.vulns, 1);
	assert_int_equal(st.withdrawn, 1);
	assert_int_equal(st.rows, 0);
	/* The same withdrawal again: unchanged. */
	assert_int_equal(put_openssh(f.s, "2024-05-01T00:00:00Z", 1, "", "9.3"), IT_PUT_UNCHANGED);
	/* Reinstated by a newer record: rows back. */
	assert_int_equal(put_openssh(f.s, "2024-06-01T00:00:00Z", 0, "", "9.3"), IT_PUT_UPDATED);
	assert_int_equal(count_rows(f.s, "cpe", NULL, "openssh"), 2);
	assert_int_equal(stats_of(f.s).withdrawn, 0);
	/* A withdrawn record never seen before: stored as withdrawn, no rows. */
	struct it_error err = IT_ERROR_INIT;
	enum it_put res;
	const char *osv = "{\"id\":\"OSV-2021-1\",\"source\":\"osv\",\"withdrawn\":true,"
	                  "\"modified\":\"2021-06-01T00:00:00Z\",\"affected\":[{\"kind\":\"pkg\","
	                  "\"ns\":\"OSS-Fuzz\",\"name\":\"busybox\",\"scheme\":\"git\","
	                  "\"version\":\"abc\"}]}";
	assert_int_equal(put_json(f.s, osv, &res, &err), 0);
	assert_int_equal(res, IT_PUT_REMOVED);
	assert_int_equal(count_rows(f.s, "pkg", NULL, "busybox"), 0);
	o = get_json(f.s, "OSV-2021-1");
	assert_non_null(o);
	json_decref(o);
	st = stats_of(f.s);
	assert_int_equal(st.vulns, 2);
	assert_int_equal(st.withdrawn, 1);
	fixture_close(&f);
}

static void test_put_refuses_bad_records(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	enum it_put res;
	fixture_open(&f, "store");
	struct it_store_row row = {.kind = "cpe",
	                           .ns = "openbsd",
	                           .name = "openssh",
	                           .scheme = "generic",
	                           .status = "affected"};
	struct it_store_vuln v = {.id = "CVE-2023-38408",
	                          .source = "nvd",
	                          .modified = "2024-04-04T06:15:08.430",
	                          .score = 9.8,
	                          .json = "{}",
	                          .rows = &row,
	                          .n_rows = 1};
	const char *alias_bad[] = {"GHSA-ok", "bad\nalias"};
	/* Each mutation of the good record is refused naming what is wrong; nothing is
	 * written. */
	struct it_store_vuln b;
	struct it_store_row r;
#define REFUSED(mutate, needle)                                                                    \
	do {                                                                                       \
		b = v;                                                                             \
		r = row;                                                                           \
		b.rows = &r;                                                                       \
		mutate;                                                                            \
		assert_int_equal(it_store_put_vuln(f.s, &b, &res, &err), -1);                      \
		assert_int_equal(err.code, IT_ERR_INPUT);                                          \
		if (!strstr(err.message, needle))                                                  \
			fail_msg("\"%s\" lacks \"%s\"", err.message, needle);                      \
	} while (0)
	REFUSED(b.modified = "2024-04-04 junk", "CVE-2023-38408: \"modified\" is not an RFC 3339");
	REFUSED(b.modified = "04/04/2024", "\"modified\"");
	REFUSED(b.modified = NULL, "\"modified\"");
	REFUSED(b.id = "", "id is empty");
	REFUSED(b.id = NULL, "id is missing");
	REFUSED(b.id = "CVE-1\t2", "control character");
	REFUSED(b.id = " CVE-1", "space");
	REFUSED(b.source = NULL, "\"source\" is missing");
	REFUSED(b.severity = "extreme", "\"severity\"");
	REFUSED(b.score = 11, "\"score\"");
	REFUSED(b.score = -0.5, "\"score\"");
	REFUSED(b.json = NULL, "JSON");
	REFUSED((b.aliases = alias_bad, b.n_aliases = 2), "an alias holds a control character");
	REFUSED(r.kind = "rpm", "affected[0].kind must be");
	REFUSED(r.kind = NULL, "affected[0].kind is missing");
	REFUSED(r.ns = NULL, "affected[0].ns is missing");
	REFUSED(r.name = "", "affected[0].name is empty");
	REFUSED(r.scheme = NULL, "affected[0].scheme");
	REFUSED(r.status = "maybe", "affected[0].status must be");
	REFUSED(r.end = "1.0\n2.0", "affected[0].end holds a control character");
	REFUSED((b.n_rows = 300000), "too many rows");
	/* a control character anywhere in a long JSON text (checked eight bytes at a time),
	 * while tab, CR and LF are allowed there; DEL (0x7f) is refused, UTF-8 is not */
	char json[64];
	for (size_t at = 0; at < 40; at++) {
		const unsigned char bad[] = {0x01, 0x1f, 0x7f, 0x00 + 0x1b};
		for (size_t k = 0; k < sizeof bad; k++) {
			memset(json, 'a', 40);
			json[40] = '\0';
			json[at] = (char)bad[k];
			REFUSED(b.json = json, "JSON text holds a control character");
		}
	}
	memset(json, 'a', 40);
	memcpy(json + 5, "\t\r\n\xc3\xa9\xe2\x82\xac", 8);
	json[40] = '\0';
	b = v;
	b.json = json;
	b.id = "CVE-2000-0001";
	assert_int_equal(it_store_check_vuln(f.s, &b, &err), 0);
#undef REFUSED
	it_error_clear(&err);
	assert_int_equal(stats_of(f.s).vulns, 0);
	/* The good record itself goes in. */
	assert_int_equal(it_store_put_vuln(f.s, &v, &res, &err), 0);
	assert_int_equal(res, IT_PUT_INSERTED);
	fixture_close(&f);
}

/* --- queries ---------------------------------------------------------------------------- */

static int check_fields(void *user, const char *vuln_id, const struct it_store_row *r)
{
	int *seen = user;
	(*seen)++;
	assert_string_equal(vuln_id, "DSA-5555-1");
	assert_string_equal(r->kind, "pkg");
	assert_string_equal(r->ns, "Debian:12");
	assert_string_equal(r->name, "OpenSSH");
	assert_null(r->cpe);
	assert_string_equal(r->purl, "pkg:deb/debian/OpenSSH");
	assert_string_equal(r->scheme, "deb");
	assert_null(r->version);
	assert_string_equal(r->start, "0");
	assert_int_equal(r->start_incl, 1);
	assert_string_equal(r->end, "1:9.2p1-2+deb12u1");
	assert_int_equal(r->end_incl, 0);
	assert_string_equal(r->status, "affected");
	assert_string_equal(r->fixed, "1:9.2p1-2+deb12u1");
	assert_null(r->platform);
	assert_int_equal(r->negate, 0);
	return 0;
}

/* A row with every field set the other way from check_fields. */
static const char *const rich_record =
        "{\"id\":\"CVE-2022-27255\",\"source\":\"nvd\",\"modified\":\"2024-11-21T07:00:00Z\","
        "\"affected\":[{\"kind\":\"cpe\",\"ns\":\"realtek\",\"name\":\"rtl819x_jungle_sdk\","
        "\"cpe\":\"cpe:2.3:o:realtek:rtl819x_jungle_sdk:*:*:*:*:*:*:*:*\",\"scheme\":\"generic\","
        "\"start\":\"2.0\",\"start_incl\":false,\"end\":\"3.4.14b\",\"end_incl\":true,"
        "\"status\":\"under_investigation\",\"platform\":\"cpe:2.3:h:realtek:rtl8196c:-:*:*:*:*:*:*"
        ":* "
        "cpe:2.3:h:realtek:rtl8197f:-:*:*:*:*:*:*:*\",\"negate\":true}]}";

static int check_rich(void *user, const char *vuln_id, const struct it_store_row *r)
{
	int *seen = user;
	(*seen)++;
	assert_string_equal(vuln_id, "CVE-2022-27255");
	assert_string_equal(r->kind, "cpe");
	assert_string_equal(r->ns, "realtek");
	assert_string_equal(r->cpe, "cpe:2.3:o:realtek:rtl819x_jungle_sdk:*:*:*:*:*:*:*:*");
	assert_null(r->purl);
	assert_string_equal(r->scheme, "generic");
	assert_null(r->version);
	assert_string_equal(r->start, "2.0");
	assert_int_equal(r->start_incl, 0);
	assert_string_equal(r->end, "3.4.14b");
	assert_int_equal(r->end_incl, 1);
	assert_string_equal(r->status, "under_investigation");
	assert_null(r->fixed);
	assert_string_equal(r->platform, "cpe:2.3:h:realtek:rtl8196c:-:*:*:*:*:*:*:* "
	                                 "cpe:2.3:h:realtek:rtl8197f:-:*:*:*:*:*:*:*");
	assert_int_equal(r->negate, 1);
	return 0;
}

struct nested {
	struct it_store *s;
	size_t outer, inner;
};

static int nested_row(void *user, const char *vuln_id, const struct it_store_row *r)
{
	struct nested *n = user;
	struct it_error err = IT_ERROR_INIT;
	(void)vuln_id;
	n->outer++;
	/* The same query from inside its own callback, and a record lookup. */
	n->inner += count_rows(n->s, r->kind, NULL, r->name);
	json_t *o = get_json(n->s, vuln_id);
	assert_non_null(o);
	json_decref(o);
	assert_int_equal(it_store_meta_put(n->s, "k", "v", &err), 0);
	return 0;
}

static void test_rows_query(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	int seen = 0;
	fixture_open(&f, "store");
	put_openssh(f.s, "2024-04-04T06:15:08Z", 0, "", "9.3");
	put_pkg(f.s, "DSA-5555-1", "osv", "Debian:12", "OpenSSH", "\"CVE-2023-38408\"");
	put_pkg(f.s, "ALPINE-1", "osv", "Alpine:v3.18", "openssh", "");
	put_pkg(f.s, "DSA-9-1", "osv", "Debian:12", "openssl", "");
	/* Names are case-insensitive; kinds and namespaces filter. */
	assert_int_equal(count_rows(f.s, "cpe", NULL, "OpenSSH"), 2);
	assert_int_equal(count_rows(f.s, "cpe", "openbsd", "openssh"), 2);
	assert_int_equal(count_rows(f.s, "cpe", "OpenBSD", "OPENSSH"), 2);
	assert_int_equal(count_rows(f.s, "cpe", "openssh", "openssh"), 0); /* vendor collision */
	assert_int_equal(count_rows(f.s, "pkg", NULL, "openssh"), 2);
	assert_int_equal(count_rows(f.s, "pkg", "Debian:12", "openssh"), 1);
	assert_int_equal(count_rows(f.s, "pkg", "Debian:11", "openssh"), 0);
	assert_int_equal(count_rows(f.s, "pkg", NULL, "opens"), 0);   /* no prefix match */
	assert_int_equal(count_rows(f.s, "pkg", NULL, "openss%"), 0); /* no LIKE patterns */
	assert_int_equal(count_rows(f.s, "pkg", NULL, "openssh "), 0);
	assert_int_equal(count_rows(f.s, "CPE", NULL, "openssh"), 0);
	/* Every field comes back as stored. */
	assert_int_equal(
	        it_store_rows(f.s, "pkg", "Debian:12", "openssh", check_fields, &seen, &err), 0);
	assert_int_equal(seen, 1);
	enum it_put res;
	assert_int_equal(put_json(f.s, rich_record, &res, &err), 0);
	seen = 0;
	assert_int_equal(
	        it_store_rows(f.s, "cpe", "realtek", "RTL819x_Jungle_SDK", check_rich, &seen, &err),
	        0);
	assert_int_equal(seen, 1);
	/* A nonzero callback result stops the query and is returned. */
	struct rows c = {IT_BUF_INIT, 0, 1};
	assert_int_equal(it_store_rows(f.s, "cpe", NULL, "openssh", collect_row, &c, &err), 7);
	assert_int_equal(c.n, 1);
	it_buf_free(&c.lines);
	/* Callbacks may query the store again (and write). */
	struct nested n = {f.s, 0, 0};
	assert_int_equal(it_store_rows(f.s, "pkg", NULL, "openssh", nested_row, &n, &err), 0);
	assert_int_equal(n.outer, 2);
	assert_int_equal(n.inner, 4);
	fixture_close(&f);
}

static int collect_id(void *user, const char *id)
{
	struct it_buf *b = user;
	it_buf_printf(b, "%s ", id);
	return 0;
}

static int stop_id(void *user, const char *id)
{
	(void)user;
	(void)id;
	return 5;
}

static void test_alias_lookup(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	fixture_open(&f, "store");
	/* Two records alias GHSA-aaaa; the OSV one is stored first and its id sorts first. */
	put_pkg(f.s, "ALSA-2023-7", "osv", "AlmaLinux:9", "openssh",
	        "\"GHSA-aaaa\", \"CVE-2023-38408\"");
	put_pkg(f.s, "DSA-5555-1", "csaf", "Debian:12", "openssh", "\"CVE-2023-38408\"");
	put_openssh(f.s, "2024-04-04T06:15:08Z", 0, "\"GHSA-aaaa\"", "9.3");
	/* By id first. */
	json_t *o = get_json(f.s, "CVE-2023-38408");
	assert_string_equal(jstr(o, "source"), "nvd");
	json_decref(o);
	o = get_json(f.s, "ALSA-2023-7");
	assert_string_equal(jstr(o, "id"), "ALSA-2023-7");
	json_decref(o);
	/* By alias: NVD's record is preferred. */
	o = get_json(f.s, "GHSA-aaaa");
	assert_string_equal(jstr(o, "id"), "CVE-2023-38408");
	json_decref(o);
	/* A live record is preferred over a withdrawn one. */
	put_openssh(f.s, "2024-09-01T00:00:00Z", 1, "\"GHSA-aaaa\"", "9.3");
	o = get_json(f.s, "GHSA-aaaa");
	assert_string_equal(jstr(o, "id"), "ALSA-2023-7");
	json_decref(o);
	/* Ids are exact. */
	assert_null(get_json(f.s, "cve-2023-38408"));
	assert_null(get_json(f.s, "GHSA-aaa"));
	/* Not found leaves the buffer alone. */
	it_buf_puts(&b, "keep");
	assert_int_equal(it_store_get_vuln(f.s, "CVE-1999-0001", &b, &err), 0);
	assert_string_equal(it_buf_str(&b), "keep");
	it_buf_truncate(&b, 0);
	/* Every record with an alias, in id order. */
	assert_int_equal(it_store_ids_with_alias(f.s, "CVE-2023-38408", collect_id, &b, &err), 0);
	assert_string_equal(it_buf_str(&b), "ALSA-2023-7 DSA-5555-1 ");
	it_buf_truncate(&b, 0);
	assert_int_equal(it_store_ids_with_alias(f.s, "CVE-2000-1", collect_id, &b, &err), 0);
	assert_string_equal(it_buf_str(&b), "");
	assert_int_equal(it_store_ids_with_alias(f.s, "GHSA-aaaa", stop_id, NULL, &err), 5);
	assert_int_equal(stats_of(f.s).aliases, 4);
	it_buf_free(&b);
	fixture_close(&f);
}

/* --- KEV, feed state, meta, stats --------------------------------------------------- */

/* The KEV excerpt (tests/data/vulndb/store/kev-excerpt.json) as entries. */
static json_t *load_kev(void)
{
	json_error_t jerr;
	json_t *doc = json_load_file(test_data("vulndb/store/kev-excerpt.json"), 0, &jerr);
	if (!doc)
		fail_msg("kev excerpt: %s", jerr.text);
	return doc;
}

static struct it_store_kev kev_of(json_t *e)
{
	struct it_store_kev k = {jstr(e, "cveID"),          jstr(e, "vendorProject"),
	                         jstr(e, "product"),        jstr(e, "vulnerabilityName"),
	                         jstr(e, "dateAdded"),      jstr(e, "dueDate"),
	                         jstr(e, "requiredAction"), jstr(e, "knownRansomwareCampaignUse"),
	                         jstr(e, "notes")};
	return k;
}

static void test_kev(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	fixture_open(&f, "store");
	json_t *doc = load_kev(), *list = json_object_get(doc, "vulnerabilities");
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
	{
		struct it_store_kev k = kev_of(e);
		assert_int_equal(it_store_put_kev(f.s, &k, &err), 0);
	}
	assert_int_equal(stats_of(f.s).kev, json_array_size(list));
	assert_int_equal(it_store_get_kev(f.s, "CVE-2020-25078", &b, &err), 1);
	json_t *o = json_loads(it_buf_str(&b), 0, NULL);
	assert_non_null(o);
	assert_string_equal(jstr(o, "cve"), "CVE-2020-25078");
	assert_string_equal(jstr(o, "vendor"), "D-Link");
	assert_string_equal(jstr(o, "date_added"), "2025-08-05");
	assert_string_equal(jstr(o, "due_date"), "2025-08-26");
	assert_string_equal(jstr(o, "ransomware"), "Unknown");
	assert_non_null(strstr(jstr(o, "notes"), "SAP10180"));
	assert_non_null(strstr(jstr(o, "action"), "BOD 22-01"));
	json_decref(o);
	/* Replaced by CVE; absent fields are left out of the JSON. */
	struct it_store_kev k = {
	        .cve = "CVE-2020-25078", .action = "Discontinue use.", .date_added = "2025-08-05"};
	assert_int_equal(it_store_put_kev(f.s, &k, &err), 0);
	it_buf_truncate(&b, 0);
	assert_int_equal(it_store_get_kev(f.s, "CVE-2020-25078", &b, &err), 1);
	assert_string_equal(it_buf_str(&b), "{\"cve\":\"CVE-2020-25078\",\"date_added\":"
	                                    "\"2025-08-05\",\"action\":\"Discontinue use.\"}");
	assert_int_equal(stats_of(f.s).kev, json_array_size(list));
	it_buf_truncate(&b, 0);
	assert_int_equal(it_store_get_kev(f.s, "CVE-2023-38408", &b, &err), 0);
	assert_int_equal(b.len, 0);
	/* An entry without a CVE id is refused. */
	struct it_store_kev bad = {.cve = "", .vendor = "x"};
	assert_int_equal(it_store_put_kev(f.s, &bad, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	it_error_clear(&err);
	json_decref(doc);
	it_buf_free(&b);
	fixture_close(&f);
}

static void test_feed(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf etag = IT_BUF_INIT, lm = IT_BUF_INIT;
	const char *url = "https://services.nvd.nist.gov/rest/json/cves/2.0?startIndex=0";
	fixture_open(&f, "store");
	/* Unknown: both empty. */
	assert_int_equal(it_store_feed_get(f.s, url, &etag, &lm, &err), 0);
	assert_string_equal(it_buf_str(&etag), "");
	assert_string_equal(it_buf_str(&lm), "");
	assert_non_null(etag.data);
	assert_int_equal(
	        it_store_feed_put(f.s, url, "\"5f0c-61b\"", "Mon, 25 Aug 2025 14:00:00 GMT", &err),
	        0);
	assert_int_equal(it_store_feed_get(f.s, url, &etag, &lm, &err), 0);
	assert_string_equal(it_buf_str(&etag), "\"5f0c-61b\"");
	assert_string_equal(it_buf_str(&lm), "Mon, 25 Aug 2025 14:00:00 GMT");
	/* Replaced; a NULL validator is forgotten. */
	assert_int_equal(it_store_feed_put(f.s, url, "W/\"77\"", NULL, &err), 0);
	it_buf_truncate(&etag, 0);
	it_buf_truncate(&lm, 0);
	assert_int_equal(it_store_feed_get(f.s, url, &etag, &lm, &err), 0);
	assert_string_equal(it_buf_str(&etag), "W/\"77\"");
	assert_string_equal(it_buf_str(&lm), "");
	/* Other URLs are separate. */
	it_buf_truncate(&etag, 0);
	assert_int_equal(it_store_feed_get(f.s, "https://example.org/feed", &etag, &lm, &err), 0);
	assert_string_equal(it_buf_str(&etag), "");
	/* Validators become request headers: no line breaks. */
	assert_int_equal(it_store_feed_put(f.s, url, "\"a\"\r\nX-Injected: 1", NULL, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	it_error_clear(&err);
	it_store_close(f.s);
	f.s = NULL;
	assert_int_equal(sql_int(f.path, "SELECT count(*) FROM feed WHERE fetched_at LIKE '20%Z'"),
	                 1);
	it_buf_free(&etag);
	it_buf_free(&lm);
	test_dir_close(&f.dir);
}

static void test_meta(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	fixture_open(&f, "store");
	assert_int_equal(it_store_meta_get(f.s, "snapshot", &b, &err), 0);
	assert_int_equal(it_store_meta_put(f.s, "snapshot", "2025-08-25", &err), 0);
	assert_int_equal(it_store_meta_get(f.s, "snapshot", &b, &err), 1);
	assert_string_equal(it_buf_str(&b), "2025-08-25");
	assert_int_equal(it_store_meta_put(f.s, "snapshot", "", &err), 0);
	it_buf_truncate(&b, 0);
	assert_int_equal(it_store_meta_get(f.s, "snapshot", &b, &err), 1);
	assert_string_equal(it_buf_str(&b), "");
	assert_int_equal(it_store_meta_put(f.s, "", "x", &err), -1);
	assert_int_equal(it_store_meta_put(f.s, "k", NULL, &err), -1);
	it_error_clear(&err);
	it_buf_free(&b);
	fixture_close(&f);
}

static void test_stats(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	fixture_open(&f, "store");
	struct it_store_stats st = stats_of(f.s);
	assert_int_equal(st.vulns + st.rows + st.aliases + st.kev + st.withdrawn, 0);
	put_openssh(f.s, "2024-04-04T06:15:08Z", 0, "\"GHSA-1\"", "9.3");
	put_pkg(f.s, "OSV-1", "osv", "OSS-Fuzz", "busybox", "\"CVE-1\", \"CVE-2\"");
	put_pkg(f.s, "OSV-2", "osv", "OSS-Fuzz", "busybox", "");
	put_pkg(f.s, "RHSA-1:CVE-1", "csaf", "redhat", "busybox", "\"CVE-1\"");
	put_pkg(f.s, "X-1", "ghsa", "npm", "left-pad", "");
	struct it_store_kev k = {.cve = "CVE-2023-38408"};
	assert_int_equal(it_store_put_kev(f.s, &k, &err), 0);
	st = stats_of(f.s);
	assert_int_equal(st.vulns, 5);
	assert_int_equal(st.withdrawn, 0);
	assert_int_equal(st.by_source[0], 1);
	assert_int_equal(st.by_source[1], 2);
	assert_int_equal(st.by_source[2], 1);
	assert_int_equal(st.rows, 6);
	assert_int_equal(st.aliases, 4);
	assert_int_equal(st.kev, 1);
	assert_int_equal(st.schema_version, 2);
	fixture_close(&f);
}

/* --- transactions ---------------------------------------------------------------------- */

static void test_transactions(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	fixture_open(&f, "store");
	assert_int_equal(it_store_commit(f.s, &err), -1);
	assert_int_equal(it_store_begin(f.s, &err), 0);
	assert_int_equal(it_store_begin(f.s, &err), -1);
	assert_non_null(strstr(err.message, "already open"));
	put_openssh(f.s, "2024-04-04T06:15:08Z", 0, "", "9.3");
	assert_int_equal(it_store_commit(f.s, &err), 0);
	it_store_rollback(f.s); /* no transaction: nothing happens */
	assert_int_equal(stats_of(f.s).vulns, 1);
	it_error_clear(&err);
	fixture_close(&f);
}

static void test_rollback_restores(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf b = IT_BUF_INIT;
	enum it_put res;
	char id[32];
	fixture_open(&f, "store");
	/* A committed first batch. */
	assert_int_equal(it_store_begin(f.s, &err), 0);
	put_openssh(f.s, "2024-04-04T06:15:08Z", 0, "\"GHSA-1\"", "9.3");
	for (int i = 0; i < 50; i++) {
		snprintf(id, sizeof(id), "DSA-%d-1", 5000 + i);
		put_pkg(f.s, id, "osv", "Debian:12", "openssh", "\"CVE-2023-38408\"");
	}
	assert_int_equal(it_store_meta_put(f.s, "snapshot", "1", &err), 0);
	assert_int_equal(it_store_commit(f.s, &err), 0);
	char *before = dump_db(f.path);
	struct it_store_stats st0 = stats_of(f.s);
	/* A second batch touching every table, then a failure and a rollback. */
	assert_int_equal(it_store_begin(f.s, &err), 0);
	for (int i = 0; i < 50; i++) {
		snprintf(id, sizeof(id), "DSA-%d-1", 6000 + i);
		put_pkg(f.s, id, "osv", "Debian:12", "openssh", "\"CVE-2023-0001\"");
	}
	assert_int_equal(put_openssh(f.s, "2024-05-01T00:00:00Z", 0, "\"GHSA-2\"", "9.9"),
	                 IT_PUT_UPDATED);
	assert_int_equal(put_openssh(f.s, "2024-06-01T00:00:00Z", 1, "", "9.9"), IT_PUT_REMOVED);
	struct it_store_kev k = {.cve = "CVE-2023-38408", .vendor = "OpenBSD"};
	assert_int_equal(it_store_put_kev(f.s, &k, &err), 0);
	assert_int_equal(it_store_feed_put(f.s, "https://x/feed", "\"e\"", NULL, &err), 0);
	assert_int_equal(it_store_meta_put(f.s, "snapshot", "2", &err), 0);
	assert_int_equal(stats_of(f.s).vulns, st0.vulns + 50); /* visible inside */
	assert_int_equal(put_json(f.s, "{\"id\":\"CVE-1\",\"source\":\"nvd\",\"modified\":\"bad\"}",
	                          &res, &err),
	                 -1);
	it_error_clear(&err);
	it_store_rollback(f.s);
	/* Exactly as before, seen by this connection and by another. */
	struct it_store_stats st1 = stats_of(f.s);
	assert_memory_equal(&st0, &st1, sizeof(st0));
	assert_int_equal(it_store_meta_get(f.s, "snapshot", &b, &err), 1);
	assert_string_equal(it_buf_str(&b), "1");
	assert_int_equal(count_rows(f.s, "cpe", NULL, "openssh"), 2);
	assert_int_equal(it_store_begin(f.s, &err), 0); /* the transaction is over */
	assert_int_equal(it_store_commit(f.s, &err), 0);
	char *after = dump_db(f.path);
	assert_string_equal(before, after);
	free(before);
	free(after);
	it_buf_free(&b);
	fixture_close(&f);
}

/* A SQLite failure in the middle of one record (here a trigger refusing its second row):
 * outside a transaction the record is undone alone; inside a batch, rolling the batch back
 * restores the database. */
static void test_put_failure_midway(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	enum it_put res;
	fixture_open(&f, "store");
	put_pkg(f.s, "OSV-1", "osv", "npm", "fine", "");
	sql_exec(f.path, "CREATE TRIGGER boom BEFORE INSERT ON affected WHEN NEW.name = 'boom' "
	                 "BEGIN SELECT RAISE(ABORT, 'boom refused'); END");
	const char *two =
	        "{\"id\":\"OSV-9\",\"source\":\"osv\",\"modified\":\"2024-01-01T00:00:00Z\","
	        "\"aliases\":[\"CVE-9\"],\"affected\":["
	        "{\"kind\":\"pkg\",\"ns\":\"npm\",\"name\":\"fine\",\"version\":\"1\"},"
	        "{\"kind\":\"pkg\",\"ns\":\"npm\",\"name\":\"boom\",\"version\":\"1\"}]}";
	char *before = dump_db(f.path);
	assert_int_equal(put_json(f.s, two, &res, &err), -1);
	assert_non_null(strstr(err.message, "OSV-9"));
	assert_non_null(strstr(err.message, "boom refused"));
	char *after = dump_db(f.path);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(it_store_begin(f.s, &err), 0); /* no transaction was left open */
	put_pkg(f.s, "OSV-2", "osv", "npm", "fine", "");
	assert_int_equal(put_json(f.s, two, &res, &err), -1);
	it_store_rollback(f.s);
	after = dump_db(f.path);
	assert_string_equal(before, after);
	free(after);
	struct it_store_stats st = stats_of(f.s);
	assert_int_equal(st.vulns, 1);
	assert_int_equal(st.rows, 1);
	assert_int_equal(st.aliases, 0);
	assert_null(get_json(f.s, "OSV-9"));
	it_error_clear(&err);
	free(before);
	fixture_close(&f);
}

/* --- concurrency (WAL) ------------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_wal_reader_while_writing(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	struct it_store *reader;
	char id[32];
	fixture_open(&f, "store");
	put_openssh(f.s, "2024-04-04T06:15:08Z", 0, "", "9.3");
	assert_int_equal(it_store_open(&reader, f.path, NULL, &err), 0);
	/* The writer holds an open write transaction with new records... */
	assert_int_equal(it_store_begin(f.s, &err), 0);
	for (int i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "DSA-%d-1", 7000 + i);
		put_pkg(f.s, id, "osv", "Debian:12", "openssh", "");
	}
	/* ...and the reader reads the last committed state at once, without waiting. */
	double t0 = now_s();
	assert_int_equal(stats_of(reader).vulns, 1);
	assert_int_equal(count_rows(reader, "pkg", NULL, "openssh"), 0);
	json_t *o = get_json(reader, "CVE-2023-38408");
	assert_non_null(o);
	json_decref(o);
	assert_null(get_json(reader, "DSA-7000-1"));
	assert_true(now_s() - t0 < 1.0);
	assert_int_equal(it_store_commit(f.s, &err), 0);
	assert_int_equal(stats_of(reader).vulns, 201);
	assert_int_equal(count_rows(reader, "pkg", "debian:12", "OPENSSH"), 200);
	/* And the other way round: a reader mid-query does not block a writer's commit. */
	struct rows c = {IT_BUF_INIT, 0, 0};
	assert_int_equal(it_store_rows(reader, "pkg", NULL, "openssh", collect_row, &c, &err), 0);
	assert_int_equal(it_store_begin(f.s, &err), 0);
	put_pkg(f.s, "DSA-1-1", "osv", "Debian:12", "openssh", "");
	assert_int_equal(it_store_commit(f.s, &err), 0);
	it_buf_free(&c.lines);
	it_store_close(reader);
	fixture_close(&f);
}

/* A read transaction sees one snapshot and refuses writes until it ends. */
static void test_read_transaction(void **state)
{
	(void)state;
	struct fixture f;
	struct it_error err = IT_ERROR_INIT;
	struct it_store *writer;
	enum it_put res;
	fixture_open(&f, "store");
	put_pkg(f.s, "OSV-1", "osv", "npm", "left-pad", "");
	assert_int_equal(it_store_open(&writer, f.path, NULL, &err), 0);
	assert_int_equal(it_store_begin_read(f.s, &err), 0);
	assert_int_equal(count_rows(f.s, "pkg", "npm", "left-pad"), 1);
	put_pkg(writer, "OSV-2", "osv", "npm", "left-pad", ""); /* committed meanwhile */
	assert_int_equal(count_rows(f.s, "pkg", "npm", "left-pad"), 1);
	assert_null(get_json(f.s, "OSV-2"));
	char *text = pkg_record("OSV-3", "osv", "npm", "left-pad", "");
	assert_int_equal(put_json(f.s, text, &res, &err), -1);
	assert_non_null(strstr(err.message, "read transaction"));
	free(text);
	assert_int_equal(it_store_meta_put(f.s, "k", "v", &err), -1);
	assert_int_equal(it_store_begin(f.s, &err), -1);
	assert_int_equal(it_store_commit(f.s, &err), 0);
	/* Over: the new record is visible and writes work again. */
	assert_int_equal(count_rows(f.s, "pkg", "npm", "left-pad"), 2);
	assert_int_equal(it_store_meta_put(f.s, "k", "v", &err), 0);
	/* Rollback ends one too. */
	assert_int_equal(it_store_begin_read(f.s, &err), 0);
	it_store_rollback(f.s);
	assert_int_equal(it_store_meta_put(f.s, "k", "w", &err), 0);
	it_error_clear(&err);
	it_store_close(writer);
	fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_time_parse),
	        cmocka_unit_test(test_reopen_keeps_data),
	        cmocka_unit_test(test_schema_version),
	        cmocka_unit_test(test_newer_schema_refused),
	        cmocka_unit_test(test_brief),
	        cmocka_unit_test(test_migration_to_briefs),
	        cmocka_unit_test(test_foreign_files_refused),
	        cmocka_unit_test(test_locations),
	        cmocka_unit_test(test_default_location),
	        cmocka_unit_test(test_put_inserted_unchanged_older),
	        cmocka_unit_test(test_put_updated),
	        cmocka_unit_test(test_put_removed),
	        cmocka_unit_test(test_put_refuses_bad_records),
	        cmocka_unit_test(test_rows_query),
	        cmocka_unit_test(test_alias_lookup),
	        cmocka_unit_test(test_kev),
	        cmocka_unit_test(test_feed),
	        cmocka_unit_test(test_meta),
	        cmocka_unit_test(test_stats),
	        cmocka_unit_test(test_transactions),
	        cmocka_unit_test(test_rollback_restores),
	        cmocka_unit_test(test_put_failure_midway),
	        cmocka_unit_test(test_read_transaction),
	        cmocka_unit_test(test_wal_reader_while_writing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

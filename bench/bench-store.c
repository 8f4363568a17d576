/*
 * Store speed (src/store, SQLite back end): puts 200,000 synthetic records of 3 affected
 * rows and ~2 KB of JSON each in batches of 1,000, re-puts 20,000 unchanged ones, then
 * runs 10,000 name queries (half with a namespace, a tenth missing) on a fresh open, again
 * inside one read transaction, and 10,000 queries of names not stored. Prints records/s,
 * queries/s, rows returned and the database size per 1,000 records.
 *   cc -O2 -std=c17 -D_GNU_SOURCE -Iinclude -Isrc bench/bench-store.c src/store/store.c \
 *      src/store/store_sqlite.c src/util/buf.c src/util/error.c -lsqlite3 -ljansson \
 *      -o /tmp/bench-store
 *   /tmp/bench-store [DIR [n_records [batch]]]   (defaults: /tmp, 200000, 1000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iotrust/store.h"

#define ROWS     3
#define QUERIES  10000
#define PRODUCTS 20000
#define VENDORS  5000

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall and CPU time: on a shared machine CPU time is the steadier figure. */
struct stopwatch {
	double wall, cpu;
};

static struct stopwatch start(void)
{
	return (struct stopwatch){clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID)};
}

static struct stopwatch stop(struct stopwatch t0)
{
	return (struct stopwatch){clock_s(CLOCK_MONOTONIC) - t0.wall,
	                          clock_s(CLOCK_PROCESS_CPUTIME_ID) - t0.cpu};
}

/* A small deterministic generator (xorshift), so runs compare. */
static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void die(const char *what, const struct it_error *err)
{
	fprintf(stderr, "bench-store: %s: %s\n", what, err->message ? err->message : "?");
	exit(1);
}

/* JSON shaped like a normalised NVD record, ~2 KB. */
static void record_json(char *out, size_t size, const char *id, const char *vendor,
                        const char *product)
{
	snprintf(
	        out, size,
	        "{\"id\":\"%s\",\"source\":\"nvd\",\"modified\":\"2024-04-04T06:15:08.430\","
	        "\"published\":\"2023-07-20T03:15:10.170\",\"withdrawn\":false,"
	        "\"summary\":\"A buffer overflow in %s %s before 9.3 allows remote attackers to "
	        "execute arbitrary code via a crafted request to the management interface, "
	        "because a length field is not checked against the size of the destination "
	        "buffer. This is a synthetic record of realistic size for benchmarking.\","
	        "\"aliases\":[],\"severity\":\"critical\",\"score\":9.8,\"metrics\":[{\"type\":"
	        "\"cvss_v3.1\",\"vector\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\","
	        "\"score\":9.8,\"severity\":\"critical\",\"source\":\"nvd@nist.gov\","
	        "\"primary\":true},{\"type\":\"cvss_v2\",\"vector\":\"AV:N/AC:L/Au:N/C:P/I:P/A:P\","
	        "\"score\":7.5,\"severity\":\"high\",\"source\":\"nvd@nist.gov\",\"primary\":true}]"
	        ","
	        "\"cwes\":[\"CWE-787\",\"CWE-120\"],\"references\":["
	        "{\"url\":\"https://www.openwall.com/lists/oss-security/2023/07/19/9\",\"tags\":"
	        "[\"Mailing List\",\"Third Party Advisory\"]},{\"url\":\"https://github.com/"
	        "example/project/commit/0123456789abcdef0123456789abcdef01234567\",\"tags\":"
	        "[\"Patch\"]},{\"url\":\"https://security.example.org/advisories/%s\",\"tags\":"
	        "[\"Vendor Advisory\"]},{\"url\":\"https://lists.debian.org/debian-lts-announce/"
	        "2023/07/msg00030.html\",\"tags\":[\"Mailing List\"]}],\"affected\":["
	        "{\"kind\":\"cpe\",\"ns\":\"%s\",\"name\":\"%s\",\"cpe\":\"cpe:2.3:a:%s:%s:*:*:*:*:"
	        "*:*:*:*\",\"scheme\":\"generic\",\"end\":\"9.3\",\"end_incl\":false,\"status\":"
	        "\"affected\"}],\"origin\":{\"file\":\"nvdcve-2.0-2023.json.gz\"}}",
	        id, vendor, product, id, vendor, product, vendor, product);
}

struct counter {
	uint64_t rows;
};

static int count_row(void *user, const char *vuln_id, const struct it_store_row *r)
{
	struct counter *c = user;
	(void)vuln_id;
	(void)r;
	c->rows++;
	return 0;
}

int main(int argc, char **argv)
{
	char path[512], vendor[ROWS][32], product[ROWS][32], cpe[ROWS][128], id[32], json[4096];
	struct it_error err = IT_ERROR_INIT;
	struct it_store *s;
	struct it_store_row rows[ROWS];
	uint64_t x = 88172645463325252ULL;
	int n_records = argc > 2 ? atoi(argv[2]) : 200000, batch = argc > 3 ? atoi(argv[3]) : 1000;
	if (n_records < 20000 || batch < 1) {
		fprintf(stderr, "bench-store: at least 20000 records and batches of 1\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/bench-store-%d.db", argc > 1 ? argv[1] : "/tmp",
	         (int)getpid());
	if (it_store_open(&s, path, NULL, &err) < 0)
		die("open", &err);

	struct stopwatch t0 = start();
	for (int i = 0; i < n_records; i++) {
		if (i % batch == 0 && it_store_begin(s, &err) < 0)
			die("begin", &err);
		snprintf(id, sizeof(id), "CVE-%d-%05d", 2000 + i / 10000, i % 10000);
		for (int r = 0; r < ROWS; r++) {
			uint64_t p = next(&x) % PRODUCTS;
			snprintf(vendor[r], sizeof(vendor[r]), "vendor%llu",
			         (unsigned long long)(p % VENDORS));
			snprintf(product[r], sizeof(product[r]), "product%llu",
			         (unsigned long long)p);
			snprintf(cpe[r], sizeof(cpe[r]), "cpe:2.3:a:%s:%s:*:*:*:*:*:*:*:*",
			         vendor[r], product[r]);
			rows[r] = (struct it_store_row){.kind = "cpe",
			                                .ns = vendor[r],
			                                .name = product[r],
			                                .cpe = cpe[r],
			                                .scheme = "generic",
			                                .start = r == 1 ? "1.0" : NULL,
			                                .start_incl = 1,
			                                .end = "9.3",
			                                .status = "affected",
			                                .fixed = "9.3"};
		}
		record_json(json, sizeof(json), id, vendor[0], product[0]);
		struct it_store_vuln v = {.id = id,
		                          .source = "nvd",
		                          .modified = "2024-04-04T06:15:08.430",
		                          .published = "2023-07-20T03:15:10.170",
		                          .severity = "critical",
		                          .score = 9.8,
		                          .json = json,
		                          .rows = rows,
		                          .n_rows = ROWS};
		enum it_put res;
		if (it_store_put_vuln(s, &v, &res, &err) < 0)
			die("put", &err);
		if (res != IT_PUT_INSERTED)
			die("put: not inserted", &err);
		if (((i + 1) % batch == 0 || i + 1 == n_records) && it_store_commit(s, &err) < 0)
			die("commit", &err);
	}
	struct stopwatch t_put = stop(t0);

	/* Unchanged re-puts (an incremental import of the same feed). */
	t0 = start();
	struct it_store_row row = {
	        .kind = "cpe", .ns = "v", .name = "p", .scheme = "generic", .status = "affected"};
	for (int i = 0; i < 20000; i++) {
		if (i % 1000 == 0 && it_store_begin(s, &err) < 0)
			die("begin", &err);
		snprintf(id, sizeof(id), "CVE-%d-%05d", 2000 + i / 10000, i % 10000);
		struct it_store_vuln v = {.id = id,
		                          .source = "nvd",
		                          .modified = "2024-04-04T06:15:08.430Z",
		                          .score = -1,
		                          .json = "{}",
		                          .rows = &row,
		                          .n_rows = 1};
		enum it_put res;
		if (it_store_put_vuln(s, &v, &res, &err) < 0 || res != IT_PUT_UNCHANGED)
			die("re-put", &err);
		if ((i + 1) % 1000 == 0 && it_store_commit(s, &err) < 0)
			die("commit", &err);
	}
	struct stopwatch t_reput = stop(t0);
	it_store_close(s);

	t0 = start();
	if (it_store_open(&s, path, NULL, &err) < 0)
		die("reopen", &err);
	struct stopwatch t_open = stop(t0);
	struct counter c = {0};
	t0 = start();
	for (int q = 0; q < QUERIES; q++) {
		uint64_t p = next(&x) % (PRODUCTS + PRODUCTS / 9); /* ~10% are not stored */
		char name[32], ns[32];
		snprintf(name, sizeof(name), "Product%llu", (unsigned long long)p);
		snprintf(ns, sizeof(ns), "vendor%llu", (unsigned long long)(p % VENDORS));
		if (it_store_rows(s, "cpe", q % 2 ? ns : NULL, name, count_row, &c, &err) < 0)
			die("rows", &err);
	}
	struct stopwatch t_query = stop(t0);
	/* The same number of queries inside one read transaction (one lock for them all). */
	struct counter c2 = {0};
	if (it_store_begin_read(s, &err) < 0)
		die("begin", &err);
	t0 = start();
	for (int q = 0; q < QUERIES; q++) {
		uint64_t p = next(&x) % (PRODUCTS + PRODUCTS / 9);
		char name[32];
		snprintf(name, sizeof(name), "product%llu", (unsigned long long)p);
		if (it_store_rows(s, "cpe", NULL, name, count_row, &c2, &err) < 0)
			die("rows", &err);
	}
	struct stopwatch t_query_tx = stop(t0);
	/* Names that are not stored (most components of an image have no records). */
	t0 = start();
	for (int q = 0; q < QUERIES; q++) {
		char name[32];
		snprintf(name, sizeof(name), "component%d", q);
		if (it_store_rows(s, "cpe", NULL, name, count_row, &c2, &err) < 0)
			die("rows", &err);
	}
	struct stopwatch t_miss_tx = stop(t0);
	if (it_store_commit(s, &err) < 0)
		die("commit", &err);
	struct it_store_stats st;
	if (it_store_stats(s, &st, &err) < 0)
		die("stats", &err);
	it_store_close(s);

	struct stat sb;
	char wal[600];
	off_t size = stat(path, &sb) == 0 ? sb.st_size : 0;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	printf("records: %d x %d rows, batches of %d\n", n_records, ROWS, batch);
	printf("put:       %.2f s (cpu %.2f s), %.0f records/s (cpu: %.0f)\n", t_put.wall,
	       t_put.cpu, n_records / t_put.wall, n_records / t_put.cpu);
	printf("re-put:    %.2f s (cpu %.2f s), %.0f unchanged records/s\n", t_reput.wall,
	       t_reput.cpu, 20000 / t_reput.wall);
	printf("open:      %.2f ms\n", t_open.wall * 1e3);
	printf("queries:   %d in %.3f s (cpu %.3f s), %.0f queries/s, %.1f us each (cpu %.1f), "
	       "%llu rows returned\n",
	       QUERIES, t_query.wall, t_query.cpu, QUERIES / t_query.wall,
	       t_query.wall / QUERIES * 1e6, t_query.cpu / QUERIES * 1e6,
	       (unsigned long long)c.rows);
	printf("queries:   %d in one read transaction: %.3f s (cpu %.3f s), %.1f us each (cpu "
	       "%.1f), "
	       "%llu rows\n",
	       QUERIES, t_query_tx.wall, t_query_tx.cpu, t_query_tx.wall / QUERIES * 1e6,
	       t_query_tx.cpu / QUERIES * 1e6, (unsigned long long)c2.rows);
	printf("misses:    %d in one read transaction: %.1f us each (cpu %.1f)\n", QUERIES,
	       t_miss_tx.wall / QUERIES * 1e6, t_miss_tx.cpu / QUERIES * 1e6);
	printf("stats:     %llu records, %llu rows\n", (unsigned long long)st.vulns,
	       (unsigned long long)st.rows);
	printf("size:      %.1f MB, %.0f KB per 1,000 records\n", (double)size / 1e6,
	       (double)size / 1024 / (n_records / 1000.0));
	unlink(path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
	return 0;
}

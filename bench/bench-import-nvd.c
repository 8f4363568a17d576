/*
 * Records per second of the NVD 2.0 reader: a feed file read into memory once, then
 * (a) read from its text (it_nvd_stream, yajl events: what `db import` does with a page of
 * 256 KiB or more), (b) parsed with jansson and imported (the path of small documents) and
 * (c) imported from the parsed document, N times in this process; the sink only counts (no
 * store). Build and run:
 *   cc -O2 -std=c17 -D_GNU_SOURCE -I include -I src bench/bench-import-nvd.c \
 *      build/libiotrust.a $(pkg-config --libs jansson yajl) -lm -o /tmp/bench-import-nvd
 *   /tmp/bench-import-nvd [/work/shared/data/nvd/all-records.json [50]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "iotrust/buf.h"
#include "vulndb/importer.h"

struct counts {
	unsigned long records, rows, skipped, malformed;
};

static int on_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	(void)err;
	struct counts *c = user;
	c->records++;
	c->rows += v->n_rows;
	return 0;
}

static void on_malformed(void *user, const char *where, const char *msg)
{
	(void)where;
	(void)msg;
	((struct counts *)user)->malformed++;
}

static void on_skipped(void *user, const char *id, const char *why)
{
	(void)id;
	(void)why;
	((struct counts *)user)->skipped++;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time, and the process's CPU time (less disturbed by other load on the machine). */
static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static double cpu(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static int read_all(const char *path, struct it_buf *b)
{
	FILE *f = fopen(path, "rb");
	char tmp[65536];
	size_t n;
	if (!f)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		if (it_buf_append(b, tmp, n) < 0)
			break;
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/work/shared/data/nvd/all-records.json";
	int rounds = argc > 2 ? atoi(argv[2]) : 50;
	struct it_buf text = IT_BUF_INIT;
	if (read_all(path, &text) < 0 || !text.len || rounds < 1) {
		fprintf(stderr, "usage: bench-import-nvd [FEED.json [ROUNDS]]\n");
		return 2;
	}
	struct counts c = {0};
	struct it_import_sink sink = {on_vuln, NULL, on_malformed, on_skipped, &c};
	struct it_error err = IT_ERROR_INIT;

	double t0 = now(), c0 = cpu(), parse = 0;
	for (int i = 0; i < rounds; i++) {
		struct it_json_where w;
		if (it_nvd_stream((const char *)text.data, text.len, path, &sink, &w, &err) != 1) {
			fprintf(stderr, "bench-import-nvd: %s is no NVD page or failed\n", path);
			return 1;
		}
	}
	double total = now() - t0, total_cpu = cpu() - c0;
	unsigned long seen = c.records + c.skipped + c.malformed;
	printf("from text:    %d x %s: %lu records (%lu emitted, %lu rows, %lu skipped, %lu "
	       "malformed) in %.3f s = %.0f records/s, %.0f records per CPU second\n",
	       rounds, path, seen, c.records, c.rows, c.skipped, c.malformed, total,
	       (double)seen / total, (double)seen / total_cpu);
	printf("projection:   300,000 NVD records in %.1f s at that rate (%.1f CPU s)\n",
	       300000.0 * total / (double)seen, 300000.0 * total_cpu / (double)seen);

	c = (struct counts){0};
	t0 = now();
	c0 = cpu();
	for (int i = 0; i < rounds; i++) {
		double p0 = now();
		json_t *doc = json_loadb((const char *)text.data, text.len, 0, NULL);
		parse += now() - p0;
		if (!doc || it_import_nvd(doc, path, &sink, &err) < 0) {
			fprintf(stderr, "bench-import-nvd: %s failed\n", path);
			return 1;
		}
		json_decref(doc);
	}
	total = now() - t0;
	total_cpu = cpu() - c0;
	seen = c.records + c.skipped + c.malformed;
	double rate = (double)seen / total;
	printf("parse+import: %d x %s: %lu records (%lu emitted, %lu rows, %lu skipped, %lu "
	       "malformed) in %.3f s = %.0f records/s, %.0f records per CPU second (jansson "
	       "parse %.0f%% of the time)\n",
	       rounds, path, seen, c.records, c.rows, c.skipped, c.malformed, total, rate,
	       (double)seen / total_cpu, 100 * parse / total);
	printf("projection:   300,000 NVD records in %.1f s at that rate (%.1f CPU s)\n",
	       300000.0 / rate, 300000.0 * total_cpu / (double)seen);

	json_t *doc = json_loadb((const char *)text.data, text.len, 0, NULL);
	c = (struct counts){0};
	t0 = now();
	c0 = cpu();
	for (int i = 0; i < rounds; i++)
		if (it_import_nvd(doc, path, &sink, &err) < 0)
			return 1;
	total = now() - t0;
	total_cpu = cpu() - c0;
	seen = c.records + c.skipped + c.malformed;
	printf("import only:  %lu records from the parsed document in %.3f s = %.0f records/s, "
	       "%.0f records per CPU second\n",
	       seen, total, (double)seen / total, (double)seen / total_cpu);
	json_decref(doc);
	it_buf_free(&text);
	it_error_clear(&err);
	return 0;
}

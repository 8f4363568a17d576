/*
 * `iotrust db`: the local vulnerability store. import (NVD 2.0, OSV, CSAF 2.0,
 * CISA KEV files and directories), match (a CPE or PURL against the store),
 * show (one record), stats. The store and its rules are in src/store and
 * docs/vulndb.md.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "cli/cli.h"
#include "iotrust/store.h"
#include "iotrust/vulndb.h"
#include "vulndb/fetch.h"
#include "vulndb/match.h"

static const char db_help[] =
        "Usage: iotrust db <command> [--db PATH] [options]\n"
        "\n"
        "The local vulnerability store (SQLite; default "
        "$XDG_DATA_HOME/iotrust/iotrust.db).\n"
        "\n"
        "Commands:\n"
        "  import FILE|DIR...      import NVD 2.0 pages/feeds (.json, .json.gz), "
        "OSV records\n"
        "                          (files, directories, all.zip), CSAF 2.0 "
        "documents and the\n"
        "                          CISA KEV catalogue; the format is told from the "
        "content.\n"
        "                          Idempotent: a newer record replaces, the same "
        "is a no-op.\n"
        "  match --cpe CPE | --purl PURL [--version V] [--all] [--json]\n"
        "                          the vulnerabilities the store knows for that "
        "component\n"
        "  match --sbom BOM.json [--all] [--json] [--timing]\n"
        "                          every component of a CycloneDX SBOM (by its purl "
        "and cpe);\n"
        "                          --timing prints the matching time (after the "
        "store is open)\n"
        "  show ID                 one record (CVE, OSV, CSAF id, or an alias) as "
        "JSON\n"
        "  stats                   counts by source, KEV entries, schema version\n"
        "  update --url URL...     fetch feeds (any format import reads) over "
        "HTTP(S) with\n"
        "                          conditional GET (ETag / Last-Modified "
        "remembered per\n"
        "                          URL) and import what changed\n"
        "\n"
        "Options:\n"
        "      --db PATH           the store to use (also $IOTRUST_DB)\n"
        "  -q, --quiet             no progress on the terminal\n"
        "\n"
        "Exit codes: 0 ok; 1 match found affected records; 2 usage; 3 malformed "
        "input\n"
        "(records skipped and counted, the rest imported); 4 internal error.\n";

struct db_args {
	const char *db, *cpe, *purl, *version, *sbom;
	const char *urls[64];
	size_t n_urls;
	int quiet, json, all, timing;
};

static int parse(int argc, char **argv, struct db_args *a)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},       {"db", required_argument, NULL, 'd'},
	        {"quiet", no_argument, NULL, 'q'},      {"cpe", required_argument, NULL, 'c'},
	        {"purl", required_argument, NULL, 'p'}, {"version", required_argument, NULL, 'v'},
	        {"json", no_argument, NULL, 'j'},       {"all", no_argument, NULL, 'a'},
	        {"url", required_argument, NULL, 'u'},  {"sbom", required_argument, NULL, 's'},
	        {"timing", no_argument, NULL, 't'},     {NULL, 0, NULL, 0},
	};
	int c;
	a->db = getenv("IOTRUST_DB");
	while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(db_help, stdout);
			return 1;
		case 'd':
			a->db = optarg;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'c':
			a->cpe = optarg;
			break;
		case 'p':
			a->purl = optarg;
			break;
		case 'v':
			a->version = optarg;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'a':
			a->all = 1;
			break;
		case 's':
			a->sbom = optarg;
			break;
		case 't':
			a->timing = 1;
			break;
		case 'u':
			if (a->n_urls == sizeof(a->urls) / sizeof(*a->urls))
				return -1;
			a->urls[a->n_urls++] = optarg;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

struct import_ui {
	struct cli_progress pr;
	unsigned shown;
};

static void on_malformed(void *user, const char *file, const char *where, const char *msg)
{
	struct import_ui *ui = user;
	if (ui->shown++ < 50)
		fprintf(stderr, "iotrust: %s: %s: %s (record skipped)\n", file, where, msg);
	else if (ui->shown == 51)
		fprintf(stderr, "iotrust: more malformed records; only the count follows\n");
}

static void on_progress(void *user, uint64_t done, uint64_t total, uint64_t records)
{
	struct import_ui *ui = user;
	cli_progress_update(&ui->pr, done, total, records);
}

static void print_import_stats(const struct it_import_stats *st)
{
	printf("%llu files, %llu records: %llu new, %llu updated, %llu unchanged, "
	       "%llu older, "
	       "%llu withdrawn; %llu without usable products; %llu KEV entries; %llu "
	       "malformed\n",
	       (unsigned long long)st->files, (unsigned long long)st->records,
	       (unsigned long long)st->inserted, (unsigned long long)st->updated,
	       (unsigned long long)st->unchanged, (unsigned long long)st->older,
	       (unsigned long long)st->removed, (unsigned long long)st->skipped,
	       (unsigned long long)st->kev, (unsigned long long)st->malformed);
}

static int run_import(struct it_store *s, int argc, char **argv, const struct db_args *a)
{
	if (argc < 1)
		return cli_usage_error("db", "import needs at least one FILE or DIR");
	struct import_ui ui = {0};
	cli_progress_init(&ui.pr, a->quiet);
	struct it_import_options o;
	it_import_options_default(&o);
	o.on_malformed = on_malformed;
	o.on_progress = on_progress;
	o.user = &ui;
	struct it_import_stats st = {0};
	struct it_error err = IT_ERROR_INIT;
	int rc = it_import_paths(s, (const char *const *)argv, (size_t)argc, &o, &st, &err);
	cli_progress_end(&ui.pr);
	print_import_stats(&st);
	if (rc < 0)
		return cli_fail(&err);
	return st.malformed ? 3 : 0;
}

static const char *jstr(json_t *o, const char *k, const char *dflt)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : dflt;
}

static void print_match(json_t *m)
{
	char score[16] = "-";
	json_t *sc = json_object_get(m, "score");
	if (json_is_number(sc))
		snprintf(score, sizeof(score), "%.1f", json_number_value(sc));
	json_t *matched = json_object_get(m, "matched");
	printf("%-18s %-8s %4s %-14s %s%s (decided by %s)\n", jstr(m, "id", "?"),
	       jstr(m, "severity", "-"), score, jstr(m, "status", "?"),
	       json_object_get(m, "kev") ? "[KEV] " : "", jstr(matched, "range", ""),
	       jstr(m, "decided_by", "?"));
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static size_t count_affected(const json_t *arr)
{
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *st =
		        json_string_value(json_object_get(json_array_get(arr, i), "status"));
		n += st && strcmp(st, "affected") == 0;
	}
	return n;
}

/* Every component of a CycloneDX SBOM, through one matcher in one read transaction. */
static int run_match_sbom(struct it_store *s, const struct db_args *a)
{
	json_error_t je;
	struct it_error err = IT_ERROR_INIT;
	json_t *bom = json_load_file(a->sbom, 0, &je);
	if (!bom) {
		if (je.line > 0)
			it_error_set_line(&err, IT_ERR_INPUT, a->sbom, (unsigned long)je.line,
			                  (unsigned long)je.column, "not readable JSON: %s",
			                  je.text);
		else
			it_error_set(&err, IT_ERR_INPUT, a->sbom, IT_NO_OFFSET, "%s", je.text);
		return cli_fail(&err);
	}
	struct it_matcher *m = NULL;
	json_t *out = json_array();
	size_t n = 0, affected = 0, vulns = 0;
	double t0 = now_ms(), t1 = t0;
	int rc = out ? it_matcher_new(&m, s, &err) : it_error_nomem(&err);
	if (rc == 0 && (rc = it_store_begin_read(s, &err)) == 0) {
		rc = it_match_cyclonedx(m, bom, a->all, out, &n, &err);
		t1 = now_ms();
		if (rc == 0)
			rc = it_store_commit(s, &err);
		else
			it_store_rollback(s);
	}
	it_matcher_free(m);
	json_decref(bom);
	if (rc < 0) {
		json_decref(out);
		if (err.code == IT_ERR_INPUT && !err.where)
			err.where = strdup(a->sbom);
		return cli_fail(&err);
	}
	for (size_t i = 0; i < json_array_size(out); i++) {
		json_t *v = json_object_get(json_array_get(out, i), "vulnerabilities");
		affected += count_affected(v);
		vulns += json_array_size(v);
	}
	if (a->json) {
		char *t = json_dumps(out, JSON_INDENT(2));
		puts(t ? t : "[]");
		free(t);
	} else {
		for (size_t i = 0; i < json_array_size(out); i++) {
			json_t *c = json_array_get(out, i),
			       *v = json_object_get(c, "vulnerabilities");
			printf("%s %s:\n", jstr(c, "name", "(unnamed)"), jstr(c, "version", ""));
			for (size_t k = 0; k < json_array_size(v); k++)
				print_match(json_array_get(v, k));
		}
		printf("%zu components, %zu with matches: %zu matched, %zu affected\n", n,
		       json_array_size(out), vulns, affected);
	}
	if (a->timing)
		fprintf(stderr, "matched %zu components in %.3f ms (%.3f ms per 1,000)\n", n,
		        t1 - t0, n ? (t1 - t0) * 1000.0 / (double)n : 0.0);
	json_decref(out);
	return affected ? 1 : 0;
}

static int run_match(struct it_store *s, const struct db_args *a)
{
	if (a->sbom) {
		if (a->cpe || a->purl || a->version)
			return cli_usage_error("db", "match --sbom takes no --cpe, --purl or "
			                             "--version");
		return run_match_sbom(s, a);
	}
	if (!a->cpe == !a->purl)
		return cli_usage_error("db", "match needs exactly one of --cpe and --purl "
		                             "(or --sbom)");
	struct it_match_query q = {.cpe = a->cpe, .purl = a->purl, .version = a->version};
	json_t *arr = json_array();
	struct it_error err = IT_ERROR_INIT;
	if (it_match(s, &q, a->all, arr, &err) < 0) {
		json_decref(arr);
		return cli_fail(&err);
	}
	size_t affected = count_affected(arr);
	if (a->json) {
		char *t = json_dumps(arr, JSON_INDENT(2));
		puts(t ? t : "[]");
		free(t);
	} else {
		for (size_t i = 0; i < json_array_size(arr); i++)
			print_match(json_array_get(arr, i));
		printf("%zu matched, %zu affected\n", json_array_size(arr), affected);
	}
	json_decref(arr);
	return affected ? 1 : 0;
}

static int run_show(struct it_store *s, int argc, char **argv)
{
	if (argc != 1)
		return cli_usage_error("db", "show needs one ID");
	struct it_buf b = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	int found = it_store_get_vuln(s, argv[0], &b, &err);
	if (found == 0 && strncasecmp(argv[0], "cve-", 4) == 0) {
		for (char *p = argv[0]; *p; p++) /* "cve-2023-1234" is CVE-2023-1234 */
			*p = (char)toupper((unsigned char)*p);
		found = it_store_get_vuln(s, argv[0], &b, &err);
	}
	if (found < 0) {
		it_buf_free(&b);
		return cli_fail(&err);
	}
	if (!found) {
		it_buf_free(&b);
		fprintf(stderr, "iotrust: %s: not in the store %s\n", argv[0],
		        it_store_location(s));
		return 1;
	}
	json_t *j = json_loadb((const char *)b.data, b.len, 0, NULL);
	struct it_buf k = IT_BUF_INIT;
	if (j && it_store_get_kev(s, argv[0], &k, &err) > 0)
		json_object_set_new(j, "kev", json_loadb((const char *)k.data, k.len, 0, NULL));
	char *t = j ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	puts(t ? t : it_buf_str(&b));
	free(t);
	json_decref(j);
	it_buf_free(&k);
	it_buf_free(&b);
	it_error_clear(&err);
	return 0;
}

/* One feed: conditional GET, import when changed, remember the validators. */
static int update_one(struct it_store *s, const char *url, const struct it_import_options *o,
                      struct it_import_stats *st, struct it_error *err)
{
	struct it_buf etag = IT_BUF_INIT, lm = IT_BUF_INIT;
	struct it_fetch_result r = {0};
	int rc = it_store_feed_get(s, url, &etag, &lm, err);
	if (rc == 0)
		rc = it_fetch(url, it_buf_str(&etag), it_buf_str(&lm), &r, err);
	if (rc == 0 && r.status == 304) {
		printf("%s: not modified\n", url);
	} else if (rc == 0) {
		uint64_t before = st->malformed;
		printf("%s: %zu bytes\n", url, r.body.len);
		rc = it_import_memory(s, url, r.body.data, r.body.len, o, st, err);
		/* remember the validators only when the whole feed imported cleanly, so a
		 * malformed feed is fetched again next time */
		if (rc == 0 && st->malformed == before)
			rc = it_store_feed_put(s, url, r.etag ? r.etag : "",
			                       r.last_modified ? r.last_modified : "", err);
	}
	it_fetch_result_free(&r);
	it_buf_free(&etag);
	it_buf_free(&lm);
	return rc;
}

static int run_update(struct it_store *s, const struct db_args *a)
{
	if (!a->n_urls)
		return cli_usage_error("db", "update needs at least one --url URL");
	struct import_ui ui = {0};
	cli_progress_init(&ui.pr, a->quiet);
	struct it_import_options o;
	it_import_options_default(&o);
	o.on_malformed = on_malformed;
	o.user = &ui;
	struct it_import_stats st = {0};
	struct it_error err = IT_ERROR_INIT;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < a->n_urls; i++)
		rc = update_one(s, a->urls[i], &o, &st, &err);
	cli_progress_end(&ui.pr);
	print_import_stats(&st);
	if (rc < 0)
		return cli_fail(&err);
	return st.malformed ? 3 : 0;
}

static int run_stats(struct it_store *s)
{
	struct it_store_stats st;
	struct it_error err = IT_ERROR_INIT;
	if (it_store_stats(s, &st, &err) < 0)
		return cli_fail(&err);
	printf("store:     %s (schema %d)\n", it_store_location(s), st.schema_version);
	printf("records:   %llu (nvd %llu, osv %llu, csaf %llu), %llu withdrawn\n",
	       (unsigned long long)st.vulns, (unsigned long long)st.by_source[0],
	       (unsigned long long)st.by_source[1], (unsigned long long)st.by_source[2],
	       (unsigned long long)st.withdrawn);
	printf("rows:      %llu affected products/ranges, %llu aliases\n",
	       (unsigned long long)st.rows, (unsigned long long)st.aliases);
	printf("KEV:       %llu known exploited CVEs\n", (unsigned long long)st.kev);
	return 0;
}

int cmd_db(int argc, char **argv)
{
	struct db_args a = {0};
	optind = 1;
	int pr = parse(argc, argv, &a);
	if (pr > 0)
		return 0;
	if (pr < 0)
		return cli_usage_error("db", "invalid option");
	if (optind >= argc)
		return cli_usage_error("db", "a command is needed: import, match, show, stats or "
		                             "update");
	const char *cmd = argv[optind++];
	if (strcmp(cmd, "import") && strcmp(cmd, "match") && strcmp(cmd, "show") &&
	    strcmp(cmd, "stats") && strcmp(cmd, "update"))
		return cli_usage_error("db", "unknown command '%s'", cmd);
	struct it_store *s = NULL;
	struct it_error err = IT_ERROR_INIT;
	if (it_store_open(&s, a.db, NULL, &err) < 0)
		return cli_fail(&err);
	int rc;
	if (strcmp(cmd, "import") == 0)
		rc = run_import(s, argc - optind, argv + optind, &a);
	else if (strcmp(cmd, "match") == 0)
		rc = run_match(s, &a);
	else if (strcmp(cmd, "show") == 0)
		rc = run_show(s, argc - optind, argv + optind);
	else if (strcmp(cmd, "update") == 0)
		rc = run_update(s, &a);
	else
		rc = run_stats(s);
	it_store_close(s);
	return rc;
}

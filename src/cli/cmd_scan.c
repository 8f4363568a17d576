/*
 * `iotrust scan IMAGE`: unpack a firmware image as a stream of entries,
 * inventory its components and run the checks (it_scan), then write a report
 * (--format) or list the entries (--list); --extract writes them below a
 * directory. Diagnostics go to stderr; any problem makes the exit code 3.
 */
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "iotrust/outfile.h"
#include "iotrust/report.h"
#include "iotrust/scan.h"
#include "iotrust/vulndb.h"

struct scan_ctx {
	FILE *list;
	int json;
	int quiet;
	struct it_extractor *extract;
	struct cli_progress progress;
	uint64_t refused; /* entries the extractor refused to write */
	struct it_buf line;
};

static const char scan_help[] =
        "Usage: iotrust scan IMAGE [options]\n"
        "\n"
        "Unpack a firmware image safely, in memory (every known container is found at\n"
        "any offset and unpacked again when nested), inventory its software components\n"
        "(SBOM) and run the security-by-default checks on every file. Nothing is\n"
        "written to disk unless --extract or --output is given.\n"
        "\n"
        "Output:\n"
        "  -f, --format FMT       report format: text (default), json (the canonical\n"
        "                         result), sarif, cyclonedx, spdx\n"
        "  -o, --output FILE      write the report (or the list) to FILE, atomically\n"
        "      --fail-on SEV      exit 1 when a finding is at or above SEV\n"
        "                         (info, low, medium, high, critical)\n"
        "  -l, --list             list the entries instead (type, mode, uid/gid, size,\n"
        "                         path); no inventory, no checks\n"
        "      --json             with --list: one JSON object per line\n"
        "  -x, --extract DIR      also write the entries below DIR (never outside it)\n"
        "      --no-nested        do not look for containers inside files of file systems\n"
        "      --data-dir DIR     read checks, signatures and lists from DIR where it has\n"
        "                         them (default: the built-in copies of data/;\n"
        "                         also $IOTRUST_DATA_DIR)\n"
        "      --crack-time MS    time for trying default passwords (default 2000)\n"
        "      --db PATH          the vulnerability store to match components against\n"
        "                         (default $IOTRUST_DB, else $XDG_DATA_HOME/iotrust/iotrust.db,\n"
        "                         seeded on first use from the built-in snapshot)\n"
        "      --no-vulns         do not match known vulnerabilities\n"
        "      --vex FILE         apply the maker's VEX (CycloneDX or CSAF 2.0) to the matches\n"
        "  -q, --quiet            no progress and no warnings, only errors\n"
        "\n"
        "Limits (a limit reached stops the scan with exit code 3):\n"
        "      --max-total SIZE   bytes produced in all (default 8G)\n"
        "      --max-file SIZE    bytes of one file or decompressed stream (default 1G)\n"
        "      --max-entries N    entries in all (default 1000000)\n"
        "      --max-depth N      containers nested in containers (default 16)\n"
        "      --max-ratio N      decompressed:compressed ratio of one stream (default 1000)\n"
        "      --max-path N       bytes in one entry path (default 4096)\n"
        "SIZE takes K, M, G suffixes (powers of 1024).\n"
        "\n"
        "Paths read IMAGE@0xOFFSET:format:format!/path/in/container; see docs/cli.md.\n"
        "Checks and their ids: docs/checks.md. Exit codes: 0 ok, 1 a finding at or above\n"
        "--fail-on, 2 usage error, 3 unreadable or malformed input or a limit reached,\n"
        "4 internal or output error.\n";

/* Paths come from untrusted images: escape bytes that would break a line. */
static void put_escaped(struct it_buf *b, const char *s, int json)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\' || (json && *p == '"'))
			it_buf_printf(b, json ? "\\u%04x" : "\\x%02x", *p);
		else
			it_buf_putc(b, (char)*p);
	}
}

static void format_entry(struct it_buf *b, const struct it_entry *e, int json)
{
	it_buf_truncate(b, 0);
	if (json) {
		it_buf_printf(b,
		              "{\"type\":\"%s\",\"mode\":\"%04o\",\"uid\":%u,\"gid\":%u,"
		              "\"size\":%" PRIu64 ",\"container\":\"",
		              it_entry_type_name(e->type), e->mode, e->uid, e->gid, e->size);
		put_escaped(b, e->chain, 1);
		it_buf_puts(b, "\",\"path\":\"");
		put_escaped(b, e->path, 1);
		it_buf_puts(b, "\"");
		if (e->link_target) {
			it_buf_puts(b, ",\"target\":\"");
			put_escaped(b, e->link_target, 1);
			it_buf_puts(b, "\"");
		}
		it_buf_puts(b, "}\n");
		return;
	}
	it_buf_printf(b, "%-4s %04o %5u/%-5u %10" PRIu64 " ", it_entry_type_name(e->type), e->mode,
	              e->uid, e->gid, e->size);
	put_escaped(b, e->chain, 0);
	if (e->type != IT_ENTRY_PAYLOAD) {
		it_buf_puts(b, "!/");
		put_escaped(b, e->path, 0);
	}
	if (e->link_target) {
		it_buf_puts(b, e->type == IT_ENTRY_HARDLINK ? " => " : " -> ");
		put_escaped(b, e->link_target, 0);
	}
	it_buf_putc(b, '\n');
}

static int on_entry(void *user, const struct it_entry *e)
{
	struct scan_ctx *s = user;
	if (s->list) {
		format_entry(&s->line, e, s->json);
		fwrite(s->line.data, 1, s->line.len, s->list);
	}
	if (s->extract) {
		struct it_error err = IT_ERROR_INIT;
		if (it_extractor_put(s->extract, e, &err) < 0) {
			if (err.code != IT_ERR_UNSAFE) {
				cli_progress_end(&s->progress);
				cli_fail(&err);
				return 1;
			}
			s->refused++;
			cli_progress_end(&s->progress);
			char *m = it_error_format(&err);
			fprintf(stderr, "iotrust: %s\n", m);
			free(m);
			it_error_clear(&err);
		}
	}
	return 0;
}

static void on_diag(void *user, const struct it_error *diag)
{
	struct scan_ctx *s = user;
	if (s->quiet)
		return;
	cli_progress_end(&s->progress);
	char *m = it_error_format(diag);
	fprintf(stderr, "iotrust: warning: %s\n", m);
	free(m);
}

static void on_progress(void *user, uint64_t done, uint64_t total, uint64_t entries)
{
	struct scan_ctx *s = user;
	cli_progress_update(&s->progress, done, total, entries);
}

enum {
	OPT_JSON = 256,
	OPT_FAIL_ON,
	OPT_DATA_DIR,
	OPT_DB,
	OPT_NO_VULNS,
	OPT_VEX,
	OPT_CRACK_TIME,
	OPT_NO_NESTED,
	OPT_MAX_TOTAL,
	OPT_MAX_FILE,
	OPT_MAX_ENTRIES,
	OPT_MAX_DEPTH,
	OPT_MAX_RATIO,
	OPT_MAX_PATH,
};

static int parse_limit(int opt, const char *arg, struct it_unpack_limits *l)
{
	uint64_t v;
	if (cli_parse_size(arg, &v) < 0 || v == 0)
		return -1;
	switch (opt) {
	case OPT_MAX_TOTAL:
		l->max_total_bytes = v;
		break;
	case OPT_MAX_FILE:
		l->max_file_bytes = v;
		break;
	case OPT_MAX_ENTRIES:
		l->max_entries = v;
		break;
	case OPT_MAX_DEPTH:
		if (v > 1000)
			return -1;
		l->max_depth = (unsigned)v;
		break;
	case OPT_MAX_RATIO:
		if (v > UINT32_MAX)
			return -1;
		l->max_ratio = (unsigned)v;
		break;
	case OPT_MAX_PATH:
		l->max_path = (size_t)v;
		break;
	default:
		return -1;
	}
	return 0;
}

struct scan_args {
	const char *image, *extract_dir, *output, *format, *data_dir, *db;
	int list, fail_on; /* fail_on: a severity, or -1 */
	int no_vulns;
	struct it_scan_options opt;
};

static int parse_args(int argc, char **argv, struct scan_args *a, struct scan_ctx *s)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {"list", no_argument, NULL, 'l'},
	        {"json", no_argument, NULL, OPT_JSON},
	        {"format", required_argument, NULL, 'f'},
	        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
	        {"data-dir", required_argument, NULL, OPT_DATA_DIR},
	        {"crack-time", required_argument, NULL, OPT_CRACK_TIME},
	        {"db", required_argument, NULL, OPT_DB},
	        {"no-vulns", no_argument, NULL, OPT_NO_VULNS},
	        {"vex", required_argument, NULL, OPT_VEX},
	        {"extract", required_argument, NULL, 'x'},
	        {"output", required_argument, NULL, 'o'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"no-nested", no_argument, NULL, OPT_NO_NESTED},
	        {"max-total", required_argument, NULL, OPT_MAX_TOTAL},
	        {"max-file", required_argument, NULL, OPT_MAX_FILE},
	        {"max-entries", required_argument, NULL, OPT_MAX_ENTRIES},
	        {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
	        {"max-ratio", required_argument, NULL, OPT_MAX_RATIO},
	        {"max-path", required_argument, NULL, OPT_MAX_PATH},
	        {NULL, 0, NULL, 0},
	};
	int c;
	enum it_severity sev;
	uint64_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hlf:x:o:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(scan_help, stdout);
			return 1;
		case 'l':
			a->list = 1;
			break;
		case OPT_JSON:
			s->json = 1;
			break;
		case 'f':
			a->format = optarg;
			break;
		case OPT_FAIL_ON:
			if (it_severity_parse(optarg, &sev) < 0)
				return cli_usage_error("scan",
				                       "--fail-on takes info, low, medium, "
				                       "high or critical, not '%s'",
				                       optarg);
			a->fail_on = (int)sev;
			break;
		case OPT_DATA_DIR:
			a->data_dir = optarg;
			break;
		case OPT_DB:
			a->db = optarg;
			break;
		case OPT_NO_VULNS:
			a->no_vulns = 1;
			break;
		case OPT_VEX:
			a->opt.vex = optarg;
			break;
		case OPT_CRACK_TIME:
			if (cli_parse_size(optarg, &v) < 0)
				return cli_usage_error("scan", "invalid --crack-time '%s'", optarg);
			a->opt.crack_budget_ms = v;
			break;
		case 'x':
			a->extract_dir = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'q':
			s->quiet = 1;
			break;
		case OPT_NO_NESTED:
			a->opt.no_nested = 1;
			break;
		case '?':
			return cli_usage_error("scan", "invalid option");
		default:
			if (parse_limit(c, optarg, &a->opt.limits) < 0)
				return cli_usage_error("scan", "invalid value '%s' for a limit",
				                       optarg);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("scan", optind >= argc ? "missing IMAGE"
		                                              : "more than one IMAGE given");
	a->image = argv[optind];
	if (s->json && !a->list)
		return cli_usage_error("scan", "--json goes with --list (use --format json)");
	if (a->opt.vex && a->no_vulns)
		return cli_usage_error("scan",
		                       "--vex needs the vulnerability match (no --no-vulns)");
	if (a->list && (a->format || a->fail_on >= 0))
		return cli_usage_error("scan", "--list lists entries; --format and --fail-on "
		                               "go with a report");
	if (!a->format)
		a->format = "text";
	for (size_t i = 0; i < it_report_format_count(); i++)
		if (strcmp(a->format, it_report_format_name(i)) == 0)
			return 0;
	return cli_usage_error("scan",
	                       "unknown --format '%s' (text, json, sarif, cyclonedx, "
	                       "spdx)",
	                       a->format);
}

/* Write the report of r in the chosen format to out. */
static int write_report(const struct it_scan_result *r, const char *format, FILE *out,
                        struct it_error *err)
{
	json_t *doc = it_scan_result_json(r, err);
	if (!doc)
		return -1;
	struct it_buf b = IT_BUF_INIT;
	int rc = it_report_write(doc, format, &b, err);
	json_decref(doc);
	if (rc == 0 && b.len && fwrite(b.data, 1, b.len, out) != b.len)
		rc = it_error_set(err, IT_ERR_IO, NULL, IT_NO_OFFSET, "cannot write the report");
	it_buf_free(&b);
	return rc;
}

int cmd_scan(int argc, char **argv)
{
	struct scan_args a = {.fail_on = -1};
	struct scan_ctx s;
	memset(&s, 0, sizeof s);
	it_scan_options_default(&a.opt);
	int r = parse_args(argc, argv, &a, &s);
	if (r)
		return r == 1 ? 0 : r;
	if (!a.data_dir)
		a.data_dir = getenv("IOTRUST_DATA_DIR");

	struct it_error err = IT_ERROR_INIT;
	struct it_data *data = NULL;
	struct it_outfile out = {0};
	struct it_scan_result *res = NULL;
	int rc = 0;
	if (!a.list && it_data_open(&data, a.data_dir, &err) < 0)
		return cli_fail(&err);
	if (!a.db)
		a.db = getenv("IOTRUST_DB");
	if (!a.list && !a.no_vulns && it_vulndb_open(&a.opt.store, a.db, data, &err) < 0) {
		it_data_close(data);
		return cli_fail(&err);
	}
	if ((a.list || a.output) && it_outfile_open(&out, a.output, &err) < 0)
		goto fail;
	s.list = a.list ? out.f : NULL;
	if (a.extract_dir && it_extractor_open(&s.extract, a.extract_dir, &err) < 0)
		goto fail;
	cli_progress_init(&s.progress, s.quiet);
	a.opt.inspect = !a.list;
	a.opt.data = data;
	a.opt.on_entry = on_entry;
	a.opt.on_diag = on_diag;
	a.opt.on_progress = on_progress;
	a.opt.user = &s;

	r = it_scan(a.image, &a.opt, &res, &err);
	cli_progress_end(&s.progress);
	if (s.extract)
		it_extractor_close(s.extract);
	s.extract = NULL;
	if (!res)
		goto fail; /* the run stopped: keep no partial output */
	if (!a.list) {
		struct it_error werr = IT_ERROR_INIT;
		if (write_report(res, a.format, a.output ? out.f : stdout, &werr) < 0) {
			it_error_clear(&err);
			it_error_move(&err, &werr);
			goto fail;
		}
	}
	if ((a.list || a.output) && it_outfile_commit(&out, &err) < 0)
		goto fail;
	if (r == 0 && s.refused)
		it_error_set(&err, IT_ERR_UNSAFE, a.image, IT_NO_OFFSET,
		             "%" PRIu64 " unsafe entr%s refused (see above)", s.refused,
		             s.refused == 1 ? "y" : "ies");
	if (r < 0 || s.refused)
		rc = cli_fail(&err); /* problems reported: the output is complete but flagged */
	else if (a.fail_on >= 0 && it_scan_count_at_least(res, (enum it_severity)a.fail_on))
		rc = 1;
	if (a.list && !s.quiet && a.output)
		fprintf(stderr, "%s: %" PRIu64 " containers, %" PRIu64 " entries listed to %s\n",
		        a.image, res->unpack.containers, res->unpack.entries, a.output);
	it_scan_result_free(res);
	it_data_close(data);
	it_store_close(a.opt.store);
	it_buf_free(&s.line);
	return rc;
fail:
	if (s.extract)
		it_extractor_close(s.extract);
	it_outfile_abort(&out);
	it_scan_result_free(res);
	it_data_close(data);
	it_store_close(a.opt.store);
	it_buf_free(&s.line);
	return err.code ? cli_fail(&err) : 4;
}

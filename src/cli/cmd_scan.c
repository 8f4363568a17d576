/*
 * `iotrust scan IMAGE`: unpack a firmware image as a stream of entries and
 * list them (--list), write them below a directory (--extract DIR), or print a
 * summary. Diagnostics go to stderr; any problem makes the exit code 3.
 */
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "iotrust/outfile.h"
#include "iotrust/unpack.h"

struct scan_ctx {
	FILE *list;
	int json;
	int quiet;
	struct it_extractor *extract;
	struct cli_progress progress;
	struct it_error fatal; /* an error in a callback that stops the run */
	uint64_t refused;      /* entries the extractor refused to write */
	struct it_buf line;
};

static const char scan_help[] =
        "Usage: iotrust scan IMAGE [options]\n"
        "\n"
        "Unpack a firmware image safely, in memory: every known container (compressed\n"
        "streams, firmware headers, file systems, archives) is found at any offset and\n"
        "unpacked again when nested. Nothing is written unless --extract is given.\n"
        "\n"
        "Output:\n"
        "  -l, --list             print one line per entry: type, mode, uid/gid, size, path\n"
        "      --json             with --list: one JSON object per line instead\n"
        "  -x, --extract DIR      write the entries below DIR (never outside it)\n"
        "  -o, --output FILE      write the list to FILE instead of standard output\n"
        "      --no-nested        do not look for containers inside files of file systems\n"
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
        "Exit codes: 0 ok, 2 usage error, 3 unreadable or malformed input or a limit\n"
        "reached, 4 internal or output error.\n";

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
				it_error_move(&s->fatal, &err);
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

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {"list", no_argument, NULL, 'l'},
	        {"json", no_argument, NULL, OPT_JSON},
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
	struct it_unpack_options opt;
	struct scan_ctx s;
	const char *extract_dir = NULL, *output = NULL;
	int list = 0, c;

	it_unpack_options_default(&opt);
	memset(&s, 0, sizeof s);
	s.fatal = (struct it_error)IT_ERROR_INIT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hlx:o:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(scan_help, stdout);
			return 0;
		case 'l':
			list = 1;
			break;
		case OPT_JSON:
			s.json = 1;
			break;
		case 'x':
			extract_dir = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			s.quiet = 1;
			break;
		case OPT_NO_NESTED:
			opt.no_nested = 1;
			break;
		case '?':
			return cli_usage_error("scan", "invalid option");
		default:
			if (parse_limit(c, optarg, &opt.limits) < 0)
				return cli_usage_error("scan", "invalid value '%s' for a limit",
				                       optarg);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("scan", optind >= argc ? "missing IMAGE"
		                                              : "more than one IMAGE given");
	if ((s.json || output) && !list)
		return cli_usage_error("scan", "--json and --output go with --list");
	const char *image = argv[optind];

	struct it_error err = IT_ERROR_INIT;
	struct it_outfile out = {0};
	if (list && it_outfile_open(&out, output, &err) < 0)
		return cli_fail(&err);
	s.list = list ? out.f : NULL;
	if (extract_dir && it_extractor_open(&s.extract, extract_dir, &err) < 0) {
		it_outfile_abort(&out);
		return cli_fail(&err);
	}
	cli_progress_init(&s.progress, s.quiet);
	opt.on_entry = on_entry;
	opt.on_diag = on_diag;
	opt.on_progress = on_progress;
	opt.user = &s;

	char *name_copy = strdup(image);
	struct it_unpack_stats stats = {0};
	int r = it_unpack_file(image, name_copy ? basename(name_copy) : image, &opt, &stats, &err);
	cli_progress_end(&s.progress);
	free(name_copy);
	if (r < 0 && err.code == IT_ERR_CANCELLED && s.fatal.code != IT_OK)
		it_error_move(&err, &s.fatal);
	if (s.extract)
		it_extractor_close(s.extract);
	it_buf_free(&s.line);
	it_error_clear(&s.fatal);

	int rc = 0;
	int problems_only = r < 0 && err.code == IT_ERR_INPUT && stats.problems > 0;
	if (r < 0 && !problems_only) {
		/* the run stopped: keep no partial list */
		it_outfile_abort(&out);
		return cli_fail(&err);
	}
	if (list && it_outfile_commit(&out, &err) < 0)
		return cli_fail(&err);
	if (r == 0 && s.refused)
		it_error_set(&err, IT_ERR_UNSAFE, image, IT_NO_OFFSET,
		             "%" PRIu64 " unsafe entr%s refused (see above)", s.refused,
		             s.refused == 1 ? "y" : "ies");
	if (r < 0 || s.refused)
		rc = cli_fail(&err); /* problems reported: the output is complete but flagged */
	if (!list && !s.quiet)
		printf("%s: %" PRIu64 " containers, %" PRIu64 " entries, %" PRIu64
		       " bytes unpacked%s%s\n",
		       image, stats.containers, stats.entries, stats.bytes_out,
		       extract_dir ? ", extracted to " : "", extract_dir ? extract_dir : "");
	return rc;
}

/*
 * Helpers shared by the subcommands: error printing with the exit-code
 * mapping, size arguments, and a one-line progress display on a terminal.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int cli_fail(struct it_error *err)
{
	char *msg = it_error_format(err);
	fprintf(stderr, "iotrust: %s\n", msg ? msg : "error");
	free(msg);
	int code = it_error_exit_code(err->code);
	it_error_clear(err);
	return code;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "iotrust %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'iotrust %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	case 't':
	case 'T':
		shift = 40;
		end++;
		break;
	default:
		break;
	}
	if (*end == 'i' || *end == 'B')
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

void cli_progress_init(struct cli_progress *p, int quiet)
{
	p->enabled = !quiet && isatty(STDERR_FILENO);
	p->shown = 0;
}

void cli_progress_update(struct cli_progress *p, uint64_t done, uint64_t total, uint64_t entries)
{
	if (!p->enabled)
		return;
	double mib = 1024.0 * 1024.0;
	fprintf(stderr, "\r\033[K  %.1f / %.1f MiB, %" PRIu64 " entries", (double)done / mib,
	        (double)total / mib, entries);
	p->shown = 1;
}

void cli_progress_end(struct cli_progress *p)
{
	if (p->enabled && p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = 0;
}

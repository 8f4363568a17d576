/*
 * Shared pieces of the iotrust command line: one entry point per subcommand
 * (src/cli/cmd_<name>.c), option helpers, and terminal progress. The CLI holds
 * no logic a library user would need; it parses, calls libiotrust, prints.
 */
#ifndef IOTRUST_CLI_H
#define IOTRUST_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "iotrust/error.h"

#define EXIT_USAGE 2

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int cmd_scan(int argc, char **argv);
int cmd_checks(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_catalogue(int argc, char **argv);
int cmd_provision(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_assess(int argc, char **argv);
int cmd_profile(int argc, char **argv);

/* Print "iotrust: <formatted error>" to stderr, clear err, return its exit code. */
int cli_fail(struct it_error *err);
/* Print a usage error with a hint to --help and return 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse "123", "64K", "1M", "2G" (powers of 1024). 0 or -1. */
int cli_parse_size(const char *s, uint64_t *out);

/* Progress on stderr when it is a terminal and not --quiet. */
struct cli_progress {
	int enabled;
	int shown;
};
void cli_progress_init(struct cli_progress *p, int quiet);
void cli_progress_update(struct cli_progress *p, uint64_t done, uint64_t total, uint64_t entries);
void cli_progress_end(struct cli_progress *p);

#endif

/*
 * `iotrust checks`: print the check catalogue that `scan` runs (id, severity,
 * ETSI EN 303 645 provisions, title), or one check in full, from the built-in
 * data or --data-dir. The catalogue itself is the JSON under data/checks.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "iotrust/inspect.h"

static const char checks_help[] =
        "Usage: iotrust checks [ID] [--data-dir DIR]\n"
        "\n"
        "List the checks `iotrust scan` runs: id, severity, the ETSI EN 303 645\n"
        "provisions a finding is evidence for, and a title. With ID, print that check\n"
        "in full (description, remediation, CWE).\n"
        "\n"
        "      --data-dir DIR     read the catalogue files from DIR/checks where present\n"
        "                         (default: built in; also $IOTRUST_DATA_DIR)\n";

static void put_provisions(const struct it_check *c)
{
	for (const char *const *p = c->provisions; p && *p; p++)
		printf("%s%s", p == c->provisions ? "" : ",", *p);
}

static int show_one(const struct it_check *c)
{
	printf("%s (%s)\n  %s\n\n  %s\n\n  Remediation: %s\n  Provisions: ", c->id,
	       it_severity_name(c->severity), c->title, c->description, c->remediation);
	put_provisions(c);
	printf("\n%s%s%s", c->cwe ? "  CWE: " : "", c->cwe ? c->cwe : "", c->cwe ? "\n" : "");
	return 0;
}

int cmd_checks(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {"data-dir", required_argument, NULL, 'd'},
	        {NULL, 0, NULL, 0},
	};
	const char *data_dir = getenv("IOTRUST_DATA_DIR");
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(checks_help, stdout);
			return 0;
		}
		if (c != 'd')
			return cli_usage_error("checks", "invalid option");
		data_dir = optarg;
	}
	if (argc - optind > 1)
		return cli_usage_error("checks", "at most one check ID");

	struct it_error err = IT_ERROR_INIT;
	struct it_data *d = NULL;
	struct it_inspect *in = NULL;
	struct it_inspect_options o;
	it_inspect_options_default(&o);
	if (it_data_open(&d, data_dir, &err) < 0)
		return cli_fail(&err);
	o.data = d;
	if (it_inspect_new(&in, &o, &err) < 0) {
		it_data_close(d);
		return cli_fail(&err);
	}
	int rc = 0;
	if (optind < argc) {
		const struct it_check *one = it_inspect_check_find(in, argv[optind]);
		if (one)
			show_one(one);
		else
			rc = cli_usage_error("checks", "no check '%s'", argv[optind]);
	} else {
		for (size_t i = 0; i < it_inspect_check_count(in); i++) {
			const struct it_check *k = it_inspect_check(in, i);
			printf("%-32s %-8s ", k->id, it_severity_name(k->severity));
			put_provisions(k);
			printf("  %s\n", k->title);
		}
	}
	it_inspect_free(in);
	it_data_close(d);
	return rc;
}

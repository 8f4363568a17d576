/*
 * iotrust: the command-line front end. Dispatches `iotrust <command>` to one
 * function per subcommand (src/cli/cmd_*.c); all real work is in libiotrust.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct cli_command commands[] = {
        {"scan", "unpack a firmware image, inventory it (SBOM) and run the checks", cmd_scan},
        {"checks", "list the checks scan runs and the provisions they give evidence for",
         cmd_checks},
        {"db", "the local vulnerability store: import feeds, match, show, stats", cmd_db},
        {"catalogue", "browse the provisions of the standards, their checks and mappings",
         cmd_catalogue},
        {"provision", "per-device passwords, keys and certificates for a production line",
         cmd_provision},
        {"label", "signed security labels: keys, sign, verify (JWS, QR), revoke", cmd_label},
        {"assess", "verdicts per provision, risk tier and gaps for a product (profile + firmware)",
         cmd_assess},
        {"profile", "check a product profile and its declarations (YAML)", cmd_profile},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: iotrust <command> [options]\n\n"
	           "Secure-by-default assurance for connected products.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'iotrust <command> --help' for a command's options.\n"
	           "Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage error,\n"
	           "3 input error (unreadable or malformed input, a limit reached), 4 internal "
	           "error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("iotrust %s\n", IOTRUST_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "iotrust: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

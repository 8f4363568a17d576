/*
 * `iotrust provision`: per-device credentials for a production line (a batch directory of
 * keys, certificates and shadow lines, manifests, and a sticker sheet of passwords), and
 * `iotrust provision ca-init`, a manufacturer CA for testing. The work is in src/label
 * (include/iotrust/provision.h); this file parses options, shows progress and prints.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "iotrust/provision.h"

static const char provision_help[] =
        "Usage: iotrust provision --model M --count N --ca CA.key --ca-cert CA.crt\n"
        "                         -o BATCH_DIR --sticker-sheet FILE [options]\n"
        "       iotrust provision ca-init -o DIR [--subject /CN=.../O=...] [--days N]\n"
        "                         [--key-type ed25519|p256]\n"
        "\n"
        "Creates unique credentials for each device of a production batch: a serial, a\n"
        "random 16-character sticker password (92.9 bits; alphabet without 0 O o 1 l I),\n"
        "its crypt hash for /etc/shadow, a device key and an X.509 certificate signed by\n"
        "the manufacturer CA. BATCH_DIR gets devices/<serial>/{device.key,device.crt,\n"
        "shadow.line}, manifest.csv, manifest.jsonl and batch.json. Plain passwords go\n"
        "only to the sticker sheet (CSV serial,password, mode 0600).\n"
        "\n"
        "The batch is resumable: --count is the total wanted, and running the same\n"
        "command again (after a crash, or with a larger --count) continues after the last\n"
        "complete device. Serials are never reused.\n"
        "\n"
        "Options:\n"
        "      --model M            product model (A-Z a-z 0-9 . _ -)\n"
        "      --count N            devices wanted in the batch, in total\n"
        "      --ca FILE            the CA private key (PEM, unencrypted)\n"
        "      --ca-cert FILE       the CA certificate (PEM)\n"
        "  -o, --output DIR         the batch directory (created if missing)\n"
        "      --sticker-sheet FILE where the plain passwords go (required; appended)\n"
        "      --key-type T         ed25519 (default) or p256\n"
        "      --hash H             yescrypt (default, \"$y$\") or sha512crypt (\"$6$\")\n"
        "      --serial-prefix P    serials are P00000001, P00000002, ...; default\n"
        "                           \"<model>-<random batch id>-\"\n"
        "      --days N             certificate validity (default 7300, capped at the CA's)\n"
        "      --user NAME          account in shadow.line (default root)\n"
        "  -q, --quiet              no progress on the terminal\n"
        "\n"
        "ca-init options:\n"
        "  -o, --output DIR         writes DIR/ca.key (0600) and DIR/ca.crt; never overwrites\n"
        "      --subject S          default \"/CN=iotrust test manufacturer CA/O=iotrust test\"\n"
        "      --days N             default 3650\n"
        "      --key-type T         ed25519 (default) or p256\n"
        "\n"
        "Examples:\n"
        "  iotrust provision ca-init -o ca\n"
        "  iotrust provision --model CAM-100 --count 500 --ca ca/ca.key --ca-cert ca/ca.crt \\\n"
        "      -o batch-2026-11 --sticker-sheet /secure/stickers-2026-11.csv\n"
        "  openssl verify -CAfile ca/ca.crt batch-2026-11/devices/*/device.crt\n"
        "\n"
        "Exit codes: 0 ok; 2 usage (also: no --sticker-sheet); 3 bad input (CA files,\n"
        "a batch started with another model, CA, prefix, key type or hash, a damaged\n"
        "batch, or a batch locked by another run); 4 internal or I/O error; 130 interrupted\n"
        "(the batch is consistent: rerun to continue).\n";

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct prov_ui {
	struct cli_progress pr;
	uint32_t count, start_done;
	struct timespec t0;
};

static double elapsed(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int on_step(void *user, enum it_prov_step s, const char *serial, uint32_t done)
{
	struct prov_ui *ui = user;
	if (s != IT_PROV_STEP_DONE)
		return 0;
	if (ui->pr.enabled) {
		double t = elapsed(&ui->t0);
		double rate = t > 0 ? (double)(done - ui->start_done) / t : 0;
		fprintf(stderr, "\r\033[K  %u / %u devices (%s), %.1f/s", (unsigned)done,
		        (unsigned)ui->count, serial, rate);
		ui->pr.shown = 1;
	}
	return interrupted; /* stop only between devices */
}

static int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < 1 || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int run_ca_init(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {"output", required_argument, NULL, 'o'},
	        {"subject", required_argument, NULL, 's'},
	        {"days", required_argument, NULL, 'd'},
	        {"key-type", required_argument, NULL, 'k'},
	        {NULL, 0, NULL, 0},
	};
	const char *dir = NULL, *subject = NULL;
	uint32_t days = 3650;
	enum it_prov_keytype kt = IT_PROV_KEY_ED25519;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(provision_help, stdout);
			return 0;
		case 'o':
			dir = optarg;
			break;
		case 's':
			subject = optarg;
			break;
		case 'd':
			if (parse_u32(optarg, 36500, &days) < 0)
				return cli_usage_error("provision", "--days must be 1..36500");
			break;
		case 'k':
			if (it_prov_keytype_parse(optarg, &kt) < 0)
				return cli_usage_error("provision",
				                       "--key-type must be ed25519 or p256");
			break;
		default:
			return cli_usage_error("provision", "invalid option");
		}
	}
	if (!dir || optind != argc)
		return cli_usage_error("provision", "ca-init needs -o DIR and no other arguments");
	struct it_error err = IT_ERROR_INIT;
	if (it_prov_ca_create(dir, kt, subject, days, &err) < 0)
		return cli_fail(&err);
	printf("wrote %s/ca.key (keep it secret) and %s/ca.crt\n", dir, dir);
	return 0;
}

struct prov_args {
	struct it_prov_options o;
	int quiet, have_count;
};

static int parse(int argc, char **argv, struct prov_args *a)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {"model", required_argument, NULL, 'm'},
	        {"count", required_argument, NULL, 'n'},
	        {"ca", required_argument, NULL, 'K'},
	        {"ca-cert", required_argument, NULL, 'C'},
	        {"output", required_argument, NULL, 'o'},
	        {"sticker-sheet", required_argument, NULL, 's'},
	        {"key-type", required_argument, NULL, 'k'},
	        {"hash", required_argument, NULL, 'H'},
	        {"serial-prefix", required_argument, NULL, 'p'},
	        {"days", required_argument, NULL, 'd'},
	        {"user", required_argument, NULL, 'u'},
	        {"quiet", no_argument, NULL, 'q'},
	        {NULL, 0, NULL, 0},
	};
	int c;
	uint32_t v;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(provision_help, stdout);
			return -1;
		case 'm':
			a->o.model = optarg;
			break;
		case 'n':
			if (parse_u32(optarg, IT_PROV_MAX_COUNT, &a->o.count) < 0)
				return cli_usage_error("provision", "--count must be 1..%u",
				                       IT_PROV_MAX_COUNT);
			a->have_count = 1;
			break;
		case 'K':
			a->o.ca_key = optarg;
			break;
		case 'C':
			a->o.ca_cert = optarg;
			break;
		case 'o':
			a->o.batch_dir = optarg;
			break;
		case 's':
			a->o.sticker_sheet = optarg;
			break;
		case 'k':
			if (it_prov_keytype_parse(optarg, &a->o.key_type) < 0)
				return cli_usage_error("provision",
				                       "--key-type must be ed25519 or p256");
			break;
		case 'H':
			if (it_prov_hash_parse(optarg, &a->o.hash) < 0)
				return cli_usage_error("provision",
				                       "--hash must be yescrypt or sha512crypt");
			break;
		case 'p':
			a->o.serial_prefix = optarg;
			break;
		case 'd':
			if (parse_u32(optarg, 36500, &v) < 0)
				return cli_usage_error("provision", "--days must be 1..36500");
			a->o.days = v;
			break;
		case 'u':
			a->o.user = optarg;
			break;
		case 'q':
			a->quiet = 1;
			break;
		default:
			return cli_usage_error("provision", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("provision", "unexpected argument '%s'", argv[optind]);
	if (!a->o.model || !a->have_count || !a->o.ca_key || !a->o.ca_cert || !a->o.batch_dir)
		return cli_usage_error("provision",
		                       "--model, --count, --ca, --ca-cert and -o are required");
	if (!a->o.sticker_sheet)
		return cli_usage_error("provision",
		                       "--sticker-sheet FILE is required: it is the only place the "
		                       "device passwords are written, so without it they would be "
		                       "lost");
	return 0;
}

int cmd_provision(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "ca-init"))
		return run_ca_init(argc - 1, argv + 1);
	struct prov_args a = {0};
	int pr = parse(argc, argv, &a);
	if (pr)
		return pr < 0 ? 0 : pr; /* -1: --help was shown */
	struct prov_ui ui = {.count = a.o.count};
	cli_progress_init(&ui.pr, a.quiet);
	a.o.on_step = on_step;
	a.o.user_data = &ui;
	struct it_prov_batch *b = NULL;
	struct it_error err = IT_ERROR_INIT;
	if (it_prov_batch_open(&b, &a.o, &err) < 0)
		return cli_fail(&err);
	uint32_t before = it_prov_batch_done(b);
	if (it_prov_batch_discarded(b))
		fprintf(stderr,
		        "iotrust: discarded %u incomplete device(s) from an interrupted run; "
		        "their serials are not reused\n",
		        (unsigned)it_prov_batch_discarded(b));
	ui.start_done = before;
	clock_gettime(CLOCK_MONOTONIC, &ui.t0);
	struct sigaction sa = {0}, old_int, old_term;
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	int rc = it_prov_batch_run(b, &err);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	cli_progress_end(&ui.pr);
	uint32_t done = it_prov_batch_done(b);
	double t = elapsed(&ui.t0);
	const struct it_prov_state *st = it_prov_batch_state(b);
	printf("%s: %u of %u devices complete (%u new in %.1f s), serial prefix '%s', "
	       "passwords in %s\n",
	       a.o.batch_dir, (unsigned)done, (unsigned)a.o.count, (unsigned)(done - before), t,
	       st->serial_prefix, a.o.sticker_sheet);
	it_prov_batch_close(b);
	if (rc < 0 && err.code == IT_ERR_CANCELLED && interrupted) {
		it_error_clear(&err);
		fprintf(stderr, "iotrust: interrupted; run the same command again to continue\n");
		return 130;
	}
	return rc < 0 ? cli_fail(&err) : 0;
}

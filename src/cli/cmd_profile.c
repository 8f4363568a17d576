/*
 * `iotrust profile`: check a product profile (and optionally its declarations) and print a
 * short summary or the canonical JSON; print the built-in example profiles (data/profiles/)
 * for a maker to start from. Validation itself is src/assess/profile.c.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "iotrust/data.h"
#include "iotrust/profile.h"

static const char profile_help[] =
        "Usage: iotrust profile check FILE [--declarations D.yaml] [--json]\n"
        "       iotrust profile example [NAME]\n"
        "\n"
        "A profile (YAML) describes the product: identity, vertical, the data it processes,\n"
        "remote actuation and its safety impact, network exposure, third parties, support\n"
        "period, updates, vulnerability disclosure and markets. Declarations (YAML) answer\n"
        "provisions of the catalogue the scan cannot decide. docs/profile.md has every key.\n"
        "\n"
        "Commands:\n"
        "  check FILE        validate the profile; print a summary (or --json)\n"
        "  example [NAME]    list the built-in examples, or print one (e.g. smart-lock,\n"
        "                    smart-lock-declarations)\n"
        "\n"
        "Options:\n"
        "  -d, --declarations D  also validate declarations D against the catalogue\n"
        "      --json            print {\"profile\": ..., \"declarations\": ...} as canonical "
        "JSON\n"
        "      --data-dir DIR    read catalogue/ and profiles/ files from DIR where present\n"
        "                        (default: built in; also $IOTRUST_DATA_DIR)\n"
        "\n"
        "Examples:\n"
        "  iotrust profile example smart-lock > lock.yaml\n"
        "  iotrust profile check lock.yaml\n"
        "  iotrust profile check lock.yaml --declarations lock-declarations.yaml --json\n"
        "\n"
        "Exit codes: 0 valid; 2 usage; 3 the profile or declarations are invalid (the message\n"
        "names file:line:column, the key and what was expected); 4 internal.\n";

struct profile_args {
	const char *declarations, *data_dir;
	int json;
};

enum { OPT_JSON = 256, OPT_DATA_DIR };

static int parse_args(int argc, char **argv, struct profile_args *a)
{
	static const struct option longopts[] = {
	        {"declarations", required_argument, NULL, 'd'},
	        {"json", no_argument, NULL, OPT_JSON},
	        {"data-dir", required_argument, NULL, OPT_DATA_DIR},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->declarations = optarg;
			break;
		case OPT_JSON:
			a->json = 1;
			break;
		case OPT_DATA_DIR:
			a->data_dir = optarg;
			break;
		case 'h':
			fputs(profile_help, stdout);
			return 1;
		default:
			fputs("Try 'iotrust profile --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

static void print_list(const char *label, json_t *a)
{
	printf("  %s: ", label);
	for (size_t i = 0; i < json_array_size(a); i++)
		printf("%s%s", i ? ", " : "", json_string_value(json_array_get(a, i)));
	printf("%s\n", json_array_size(a) ? "" : "none");
}

static void summarise_profile(const char *file, json_t *p)
{
	json_t *id = json_object_get(p, "identity"), *data = json_object_get(p, "data");
	json_t *net = json_object_get(p, "network"), *act = json_object_get(p, "remote_actuation");
	json_t *upd = json_object_get(p, "updates"), *sup = json_object_get(p, "support");
	printf("%s: valid profile\n", file);
	printf("  product: %s %s (model %s), firmware %s\n", str(id, "vendor"), str(id, "product"),
	       str(id, "model"), str(id, "firmware_version"));
	printf("  vertical: %s (%s)\n", str(p, "vertical"), str(p, "category"));
	print_list("markets", json_object_get(p, "markets"));
	printf("  data processed:");
	const char *key;
	json_t *v;
	int any = 0;
	json_object_foreach(data, key, v)
	{
		if (json_is_true(json_object_get(v, "processed"))) {
			printf(" %s", key);
			any = 1;
		}
	}
	printf("%s\n", any ? "" : " none");
	static const char *const impacts[] = {"none", "low", "medium", "high"};
	int worst = -1;
	for (size_t i = 0; i < json_array_size(act); i++)
		for (int k = 0; k < 4; k++)
			if (!strcmp(str(json_array_get(act, i), "safety_impact"), impacts[k]) &&
			    k > worst)
				worst = k;
	printf("  remote actuation: %zu function(s)%s%s\n", json_array_size(act),
	       worst >= 0 ? ", highest safety impact " : "", worst >= 0 ? impacts[worst] : "");
	json_t *svc = json_object_get(net, "services");
	size_t facing = 0;
	for (size_t i = 0; i < json_array_size(svc); i++)
		facing += json_is_true(json_object_get(json_array_get(svc, i), "internet_facing"));
	printf("  network: %s, remote access %s, %zu service(s) declared (%zu internet-facing)\n",
	       str(net, "exposure"),
	       json_is_true(json_object_get(net, "remote_access")) ? "yes" : "no",
	       json_array_size(svc), facing);
	printf("  third parties: %zu\n", json_array_size(json_object_get(p, "third_parties")));
	printf("  security updates until %s; updates %s, %s\n", str(sup, "end_date"),
	       str(upd, "mechanism"),
	       json_is_true(json_object_get(upd, "signed")) ? "signed" : "not signed");
}

static void summarise_declarations(const char *file, json_t *d)
{
	json_t *answers = json_object_get(d, "answers");
	size_t n[3] = {0, 0, 0};
	static const char *const st[] = {"implemented", "not-implemented", "not-applicable"};
	const char *key;
	json_t *v;
	json_object_foreach(answers, key, v)
	{
		for (int k = 0; k < 3; k++)
			n[k] += !strcmp(str(v, "status"), st[k]);
	}
	printf("%s: valid declarations by %s on %s: %zu answers (%zu implemented, %zu "
	       "not-implemented, %zu not-applicable)\n",
	       file, str(json_object_get(d, "declared_by"), "name"), str(d, "declared_on"),
	       json_object_size(answers), n[0], n[1], n[2]);
}

static int do_check(const struct profile_args *a, const char *file)
{
	struct it_error err = IT_ERROR_INIT;
	json_t *profile = NULL, *decl = NULL;
	if (it_profile_load(file, &profile, &err) < 0)
		return cli_fail(&err);
	if (a->declarations) {
		struct it_data *d = NULL;
		struct it_catalogue *cat = NULL;
		int rc = it_data_open(&d, a->data_dir, &err);
		if (rc == 0)
			rc = it_catalogue_load(&cat, d, &err);
		if (rc == 0)
			rc = it_declarations_load(a->declarations, cat, &decl, &err);
		it_catalogue_free(cat);
		it_data_close(d);
		if (rc < 0) {
			json_decref(profile);
			return cli_fail(&err);
		}
	}
	if (a->json) {
		json_t *o = json_pack("{s:o}", "profile", profile);
		if (o && decl)
			json_object_set_new(o, "declarations", decl);
		char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		json_decref(o);
		if (!s) {
			fputs("iotrust: out of memory\n", stderr);
			return 4;
		}
		puts(s);
		free(s);
		return 0;
	}
	summarise_profile(file, profile);
	if (decl)
		summarise_declarations(a->declarations, decl);
	json_decref(profile);
	json_decref(decl);
	return 0;
}

static int list_example(void *user, const char *name)
{
	(void)user;
	const char *base = name + strlen("profiles/");
	size_t n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".yaml"))
		printf("%.*s\n", (int)(n - 5), base);
	return 0;
}

static int do_example(const struct profile_args *a, const char *name)
{
	struct it_error err = IT_ERROR_INIT;
	struct it_data *d = NULL;
	if (it_data_open(&d, a->data_dir, &err) < 0)
		return cli_fail(&err);
	int rc = 0;
	if (!name) {
		if (it_data_each(d, "profiles/", list_example, NULL, &err) < 0)
			rc = cli_fail(&err);
		it_data_close(d);
		return rc;
	}
	if (strchr(name, '/') || !*name) {
		it_data_close(d);
		return cli_usage_error("profile", "example: '%s' is not an example name", name);
	}
	struct it_buf path = IT_BUF_INIT, text = IT_BUF_INIT;
	if (it_buf_printf(&path, "profiles/%s.yaml", name) < 0)
		rc = 4;
	else if (it_data_read(d, it_buf_str(&path), &text, &err) < 0) {
		it_error_clear(&err);
		rc = cli_usage_error("profile",
		                     "example: no example named '%s' (run 'iotrust "
		                     "profile example' for the list)",
		                     name);
	} else
		fwrite(text.data, 1, text.len, stdout);
	it_buf_free(&path);
	it_buf_free(&text);
	it_data_close(d);
	return rc;
}

int cmd_profile(int argc, char **argv)
{
	struct profile_args a = {NULL, getenv("IOTRUST_DATA_DIR"), 0};
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (optind >= argc)
		return cli_usage_error("profile", "expected a command: check, example");
	const char *cmd = argv[optind];
	int nargs = argc - optind - 1;
	if (!strcmp(cmd, "check")) {
		if (nargs != 1)
			return cli_usage_error("profile", "check: expected one FILE");
		return do_check(&a, argv[optind + 1]);
	}
	if (!strcmp(cmd, "example")) {
		if (nargs > 1)
			return cli_usage_error("profile", "example: expected at most one NAME");
		if (a.declarations || a.json)
			return cli_usage_error("profile",
			                       "--declarations and --json go with 'check'");
		return do_example(&a, nargs ? argv[optind + 1] : NULL);
	}
	return cli_usage_error("profile", "unknown command '%s'", cmd);
}

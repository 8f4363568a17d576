/*
 * `iotrust assess`: scan an image (or read a saved scan result), read the product profile
 * and the maker's declarations, and write the assessment (docs/assess.md): a verdict per
 * provision of every standard, the risk tier and why, gaps in the order to fix them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "iotrust/assess.h"
#include "iotrust/assess_report.h"
#include "iotrust/catalogue.h"
#include "iotrust/data.h"
#include "iotrust/digest.h"
#include "iotrust/outfile.h"
#include "iotrust/profile.h"
#include "iotrust/report.h"
#include "iotrust/scan.h"
#include "iotrust/vulndb.h"

static const char assess_help[] =
        "Usage: iotrust assess (--image IMAGE | --scan RESULT.json) --profile PROFILE.yaml\n"
        "                      [--declarations DECL.yaml] [-f FORMAT] [-o FILE]\n"
        "                      [--fail-on mandatory|open] [--db PATH] [--no-vulns]\n"
        "                      [--vex FILE] [--data-dir DIR] [-q]\n"
        "\n"
        "Assesses a product against the provisions of ETSI EN 303 645, UK PSTI, the EU CRA,\n"
        "NIST IR 8425, the OWASP IoT Top 10 and the DCMS code of practice: the firmware's\n"
        "evidence (a scan of IMAGE, or a saved `iotrust scan --format json` result), the\n"
        "product profile and the maker's declarations give a verdict per provision (PASS,\n"
        "FAIL, NOT-APPLICABLE, DECLARED, INCONCLUSIVE), a risk tier (basic, substantial,\n"
        "high; rules in data/risk/tiers.yaml) and the gaps to close, in order.\n"
        "\n"
        "Options:\n"
        "      --image IMAGE        scan this firmware image first\n"
        "      --scan RESULT.json   use a saved scan result instead\n"
        "      --profile FILE       the product profile (YAML, docs/profile.md)\n"
        "      --declarations FILE  the maker's answers per provision (YAML)\n"
        "  -f, --format FMT         text (default); json (the canonical assessment); html\n"
        "                           (one self-contained page); sarif (the scan's findings\n"
        "                           and the provisions not met); csaf (CSAF 2.0 VEX of the\n"
        "                           product's vulnerabilities, published by the maker);\n"
        "                           oscal (OSCAL 1.1.2 assessment-results)\n"
        "  -o, --output FILE        write there (atomically) instead of stdout\n"
        "      --fail-on WHAT       exit 1 when a required provision fails (mandatory), or\n"
        "                           fails or has no answer (open)\n"
        "      --db PATH, --no-vulns, --vex FILE   as for `iotrust scan` (with --image)\n"
        "      --data-dir DIR       read catalogue, checks and rules from DIR\n"
        "  -q, --quiet              no progress\n"
        "      --timing             print the time of each step on stderr\n"
        "\n"
        "Examples:\n"
        "  iotrust assess --image fw.bin --profile product.yaml --declarations ics.yaml\n"
        "  iotrust scan fw.bin -f json -o scan.json\n"
        "  iotrust assess --scan scan.json --profile product.yaml -f json -o assessment.json\n"
        "\n"
        "Exit codes: 0 done; 1 --fail-on condition met; 2 usage; 3 malformed input (profile,\n"
        "declarations, scan result, image); 4 internal or output error.\n";

struct assess_args {
	const char *image, *scan, *profile, *decls, *format, *output, *fail_on;
	const char *db, *vex, *data_dir;
	int no_vulns, quiet, timing;
};

static int parse(int argc, char **argv, struct assess_args *a)
{
	static const struct option opts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {"image", required_argument, NULL, 'i'},
	        {"scan", required_argument, NULL, 's'},
	        {"profile", required_argument, NULL, 'p'},
	        {"declarations", required_argument, NULL, 'D'},
	        {"format", required_argument, NULL, 'f'},
	        {"output", required_argument, NULL, 'o'},
	        {"fail-on", required_argument, NULL, 'F'},
	        {"db", required_argument, NULL, 'd'},
	        {"no-vulns", no_argument, NULL, 'n'},
	        {"vex", required_argument, NULL, 'v'},
	        {"data-dir", required_argument, NULL, 'r'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"timing", no_argument, NULL, 'T'},
	        {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hf:o:q", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(assess_help, stdout);
			return 1;
		case 'i':
			a->image = optarg;
			break;
		case 's':
			a->scan = optarg;
			break;
		case 'p':
			a->profile = optarg;
			break;
		case 'D':
			a->decls = optarg;
			break;
		case 'f':
			a->format = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'F':
			a->fail_on = optarg;
			break;
		case 'd':
			a->db = optarg;
			break;
		case 'n':
			a->no_vulns = 1;
			break;
		case 'v':
			a->vex = optarg;
			break;
		case 'r':
			a->data_dir = optarg;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'T':
			a->timing = 1;
			break;
		default:
			return cli_usage_error("assess", "invalid option");
		}
	}
	if (optind != argc)
		return cli_usage_error("assess", "unexpected argument '%s'", argv[optind]);
	if (!a->image == !a->scan)
		return cli_usage_error("assess", "give exactly one of --image and --scan");
	if (!a->profile)
		return cli_usage_error("assess", "--profile is required");
	if (!a->format)
		a->format = "text";
	static const char *const formats[] = {"text", "json", "html", "sarif", "csaf", "oscal"};
	size_t f = 0;
	while (f < sizeof(formats) / sizeof(formats[0]) && strcmp(a->format, formats[f]) != 0)
		f++;
	if (f == sizeof(formats) / sizeof(formats[0]))
		return cli_usage_error(
		        "assess", "unknown --format '%s' (text, json, html, sarif, csaf, oscal)",
		        a->format);
	if (a->fail_on && strcmp(a->fail_on, "mandatory") && strcmp(a->fail_on, "open"))
		return cli_usage_error("assess", "--fail-on takes mandatory or open");
	if (a->scan && (a->db || a->no_vulns || a->vex))
		return cli_usage_error("assess", "--db, --no-vulns and --vex go with --image");
	return 0;
}

/* The scan result: scanned now, or read from a saved result. */
static json_t *scan_of(const struct assess_args *a, struct it_data *data, struct it_error *err)
{
	if (a->scan) {
		json_error_t je;
		json_t *doc = json_load_file(a->scan, 0, &je);
		if (!doc && je.line > 0)
			it_error_set_line(err, IT_ERR_INPUT, a->scan, (unsigned long)je.line,
			                  (unsigned long)je.column, "not readable JSON: %s",
			                  je.text);
		else if (!doc)
			it_error_set(err, IT_ERR_INPUT, a->scan, IT_NO_OFFSET, "%s", je.text);
		else if (!json_is_array(json_object_get(doc, "components")) ||
		         !json_is_array(json_object_get(doc, "findings")) ||
		         !json_is_object(json_object_get(doc, "image"))) {
			json_decref(doc);
			doc = NULL;
			it_error_set(err, IT_ERR_INPUT, a->scan, IT_NO_OFFSET,
			             "not an iotrust scan result (expected image, components[] and "
			             "findings[]: `iotrust scan IMAGE --format json`)");
		}
		return doc;
	}
	struct it_scan_options o;
	struct it_scan_result *res = NULL;
	it_scan_options_default(&o);
	o.inspect = 1;
	o.data = data;
	o.vex = a->vex;
	const char *db = a->db ? a->db : getenv("IOTRUST_DB");
	if (!a->no_vulns && it_vulndb_open(&o.store, db, data, err) < 0)
		return NULL;
	json_t *doc = NULL;
	if (it_scan(a->image, &o, &res, err) == 0 && res)
		doc = it_scan_result_json(res, err);
	it_scan_result_free(res);
	it_store_close(o.store);
	return doc;
}

/* What vulnerabilities and the SBOM are evidence for (data/assess/evidence.json). */
static int load_evidence(struct it_data *data, const struct it_catalogue *cat, json_t **out,
                         struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	int rc = it_data_read(data, "assess/evidence.json", &b, err);
	if (rc == 0)
		rc = it_assess_evidence_load("assess/evidence.json", (const char *)b.data, b.len,
		                             cat, out, err);
	it_buf_free(&b);
	return rc;
}

static int load_rules(struct it_data *data, const struct it_catalogue *cat, json_t **rules,
                      struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	int rc = it_data_read(data, "risk/tiers.yaml", &b, err);
	if (rc == 0)
		rc = it_risk_load("risk/tiers.yaml", (const char *)b.data, b.len, cat, rules, err);
	it_buf_free(&b);
	return rc;
}

/* SHA-256 of the scan's CycloneDX SBOM, as `iotrust scan --format cyclonedx` writes it. */
static int sbom_digest(const json_t *scan, char hex[65], struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	int rc = it_report_write(scan, "cyclonedx", &b, err);
	if (rc == 0)
		it_sha256_hex(b.data, b.len, hex);
	it_buf_free(&b);
	return rc;
}

/* The assessment in the chosen format; SARIF and CSAF also carry the scan's own output. */
static int write_format(const json_t *doc, const json_t *scan, const char *format,
                        struct it_buf *out, struct it_error *err)
{
	if (strcmp(format, "sarif") == 0)
		return it_assess_sarif(doc, scan, out, err);
	if (strcmp(format, "oscal") == 0)
		return it_assess_oscal(doc, out, err);
	if (strcmp(format, "csaf") == 0) {
		/* the scan's CSAF VEX, published by the maker for the named product */
		json_t *copy = json_copy((json_t *)scan);
		int rc = !copy ||
		                         json_object_set(copy, "product",
		                                         json_object_get(doc, "product")) ||
		                         json_object_set(copy, "disclosure",
		                                         json_object_get(doc, "disclosure"))
		                 ? it_error_nomem(err)
		                 : it_report_write(copy, "csaf", out, err);
		json_decref(copy);
		return rc;
	}
	return it_assess_report_write(doc, format, out, err);
}

static double ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int cmd_assess(int argc, char **argv)
{
	struct assess_args a = {0};
	int r = parse(argc, argv, &a);
	if (r)
		return r == 1 ? 0 : r;
	if (!a.data_dir)
		a.data_dir = getenv("IOTRUST_DATA_DIR");
	struct it_error err = IT_ERROR_INIT;
	struct it_data *data = NULL;
	struct it_catalogue *cat = NULL;
	json_t *scan = NULL, *profile = NULL, *decls = NULL, *rules = NULL, *evidence = NULL;
	json_t *doc = NULL;
	struct it_outfile out = {0};
	struct it_buf text = IT_BUF_INIT;
	char sbom[65], now[32];
	int rc = 4;
	double t0 = ms_now(), t1, t2, t3;
	time_t t = time(NULL);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	if (it_data_open(&data, a.data_dir, &err) < 0 || it_catalogue_load(&cat, data, &err) < 0 ||
	    load_rules(data, cat, &rules, &err) < 0 ||
	    load_evidence(data, cat, &evidence, &err) < 0 ||
	    it_profile_load(a.profile, &profile, &err) < 0 ||
	    (a.decls && it_declarations_load(a.decls, cat, &decls, &err) < 0) ||
	    !(scan = scan_of(&a, data, &err)) || sbom_digest(scan, sbom, &err) < 0)
		goto fail;
	t1 = ms_now();
	struct it_assessment_input in = {.cat = cat,
	                                 .scan = scan,
	                                 .profile = profile,
	                                 .declarations = decls,
	                                 .rules = rules,
	                                 .evidence = evidence,
	                                 .sbom_sha256 = sbom,
	                                 .assessed_at = now,
	                                 .tool_version = IOTRUST_VERSION};
	if (it_assess(&in, &doc, &err) < 0)
		goto fail;
	t2 = ms_now();
	if (write_format(doc, scan, a.format, &text, &err) < 0)
		goto fail;
	t3 = ms_now();
	if (a.timing)
		fprintf(stderr,
		        "inputs (data, catalogue, rules, profile, declarations, scan, SBOM digest) "
		        "%.1f ms; assessment %.1f ms; %s report %.1f ms\n",
		        t1 - t0, t2 - t1, a.format, t3 - t2);
	if (a.output) {
		if (it_outfile_open(&out, a.output, &err) < 0)
			goto fail;
		if (fwrite(text.data, 1, text.len, out.f) != text.len) {
			it_outfile_abort(&out);
			it_error_set(&err, IT_ERR_IO, a.output, IT_NO_OFFSET, "cannot write");
			goto fail;
		}
		if (it_outfile_commit(&out, &err) < 0)
			goto fail;
	} else if (fwrite(text.data, 1, text.len, stdout) != text.len) {
		it_error_set(&err, IT_ERR_IO, NULL, IT_NO_OFFSET, "cannot write the report");
		goto fail;
	}
	const json_t *sum = json_object_get(doc, "summary");
	json_int_t failed = json_integer_value(json_object_get(sum, "mandatory_failed"));
	json_int_t open = json_integer_value(json_object_get(sum, "mandatory_inconclusive"));
	rc = 0;
	if (a.fail_on && (failed > 0 || (strcmp(a.fail_on, "open") == 0 && open > 0)))
		rc = 1;
	goto done;
fail:
	rc = cli_fail(&err);
done:
	it_buf_free(&text);
	json_decref(doc);
	json_decref(scan);
	json_decref(profile);
	json_decref(decls);
	json_decref(rules);
	json_decref(evidence);
	it_catalogue_free(cat);
	it_data_close(data);
	return rc;
}

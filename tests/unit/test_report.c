/*
 * Report writers on the canonical result fixture (tests/data/report/): exact
 * values of each format's mapping, and every output checked by the format
 * owner's validator (node tests/validate/validate.mjs, npm packages pinned
 * there). The validators must also reject broken documents, so that a
 * validation can never pass by accident.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "iotrust/report.h"
#include "testutil.h"

#define IMAGE_SHA    "dbcb505016d41ee550bca7d5b1a1ba8378642e58d8ca932fefcdc968c02c9a7e"
#define ROOTFS       "demo-firmware.bin@0x70000:squashfs"
#define N_COMPONENTS 11
#define N_FINDINGS   14
#define N_CHECKS     14

/* ---- helpers ---- */

/* The source tree: IOTRUST_TEST_DATA is <src>/tests/data under CTest. */
static const char *source_dir(void)
{
	static char dir[4096];
	const char *data = getenv("IOTRUST_TEST_DATA");
	if (!data)
		return ".";
	snprintf(dir, sizeof dir, "%s/../..", data);
	return dir;
}

static json_t *load_fixture(void)
{
	json_error_t je;
	json_t *r = json_load_file(test_data("report/scan-result.json"), 0, &je);
	if (!r)
		fail_msg("cannot load %s: %s (line %d)", test_data("report/scan-result.json"),
		         je.text, je.line);
	return r;
}

/* Write the result in format; the output as a string (caller frees). */
static char *render(const json_t *result, const char *format)
{
	struct it_buf out = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	if (it_report_write(result, format, &out, &err) < 0)
		fail_msg("%s writer failed: %s", format, err.message ? err.message : "?");
	return it_buf_detach(&out);
}

static json_t *render_json(const json_t *result, const char *format, char **text)
{
	json_error_t je;
	char *s = render(result, format);
	json_t *doc = json_loads(s, 0, &je);
	if (!doc)
		fail_msg("%s output is not JSON: %s at line %d", format, je.text, je.line);
	if (text)
		*text = s;
	else
		free(s);
	return doc;
}

/* Fail loudly (never skip) when node or the validators are missing. */
static void require_validators(void)
{
	struct it_buf out = IT_BUF_INIT, dir = IT_BUF_INIT;
	struct stat st;
	it_buf_printf(&dir, "%s/tests/validate/node_modules/@cyclonedx/cyclonedx-library",
	              source_dir());
	if (stat(it_buf_str(&dir), &st) != 0)
		fail_msg("the output validators are not installed (%s is missing): run "
		         "`npm ci --prefix tests/validate` in the source tree",
		         it_buf_str(&dir));
	if (run_filter("node --version", NULL, 0, &out) != 0)
		fail_msg("node is not installed: the output validators need Node.js "
		         "(apt-get install nodejs npm; then npm ci --prefix tests/validate)");
	it_buf_free(&out);
	it_buf_free(&dir);
}

/* Run validate.mjs KIND on text; 0 when valid. The validator's output goes
 * to *report (or to stderr on failure when report is NULL). */
static int validate(const char *kind, const char *text, struct it_buf *report)
{
	require_validators();
	char path[] = "/tmp/iotrust-report-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	struct it_buf cmd = IT_BUF_INIT, out = IT_BUF_INIT;
	it_buf_printf(&cmd, "node '%s/tests/validate/validate.mjs' %s '%s' 2>&1", source_dir(),
	              kind, path);
	int rc = run_filter(it_buf_str(&cmd), NULL, 0, &out);
	unlink(path);
	if (report)
		it_buf_puts(report, it_buf_str(&out));
	else if (rc != 0)
		fprintf(stderr, "validate.mjs %s:\n%s", kind, it_buf_str(&out));
	it_buf_free(&cmd);
	it_buf_free(&out);
	return rc;
}

static void assert_valid(const char *kind, const char *text)
{
	if (validate(kind, text, NULL) != 0)
		fail_msg("the %s output does not pass the official validator (see above)", kind);
}

/* The validator rejects text, for the reason given (not a crash). */
static void assert_rejected(const char *kind, const char *text, const char *why)
{
	struct it_buf report = IT_BUF_INIT;
	int rc = validate(kind, text, &report);
	if (rc == 0 || !strstr(it_buf_str(&report), "INVALID") ||
	    (why && !strstr(it_buf_str(&report), why)))
		fail_msg("validate.mjs %s accepted a broken document or failed for another reason "
		         "(wanted \"%s\"):\n%s",
		         kind, why ? why : "INVALID", it_buf_str(&report));
	it_buf_free(&report);
}

static char *dump(const json_t *doc)
{
	return json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

static const char *str_at(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The element of arr whose key equals value. */
static json_t *find_by(const json_t *arr, const char *key, const char *value)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (str_at(v, key) && strcmp(str_at(v, key), value) == 0)
			return v;
	}
	fail_msg("no element with %s = %s", key, value);
	return NULL;
}

static int has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_string_value(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	}
	return 0;
}

static const char *component_ref(const json_t *result, const char *name)
{
	return str_at(find_by(json_object_get(result, "components"), "name", name), "bom_ref");
}

/* ---- the fixture and the canonical writer ---- */

static void test_fixture_is_canonical(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	char *fixture = dump(r);
	assert_valid("result", fixture);
	/* the json writer writes the tree unchanged */
	json_t *again = render_json(r, "json", NULL);
	assert_true(json_equal(r, again));
	assert_int_equal(json_array_size(json_object_get(r, "components")), N_COMPONENTS);
	assert_int_equal(json_array_size(json_object_get(r, "findings")), N_FINDINGS);
	assert_int_equal(json_array_size(json_object_get(r, "checks")), N_CHECKS);
	free(fixture);
	json_decref(again);
	json_decref(r);
}

static void test_format_table(void **state)
{
	(void)state;
	const char *want[] = {"json", "text", "sarif", "cyclonedx", "spdx", "csaf"};
	assert_int_equal(it_report_format_count(), 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(it_report_format_name(i), want[i]);
		assert_true(strlen(it_report_format_help(i)) > 10);
	}
	assert_null(it_report_format_name(6));
	struct it_buf out = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	json_t *r = json_object();
	assert_int_equal(it_report_write(r, "xml", &out, &err), -1);
	assert_int_equal(err.code, IT_ERR_USAGE);
	it_error_clear(&err);
	it_buf_free(&out);
	json_decref(r);
}

/* ---- CycloneDX ---- */

static void test_cyclonedx_document(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	char *text;
	json_t *bom = render_json(r, "cyclonedx", &text);
	assert_string_equal(str_at(bom, "bomFormat"), "CycloneDX");
	assert_string_equal(str_at(bom, "specVersion"), "1.6");
	assert_int_equal(json_integer_value(json_object_get(bom, "version")), 1);
	/* RFC 9562 version 8 (SHA-256 name-based) from the image digest */
	assert_string_equal(str_at(bom, "serialNumber"),
	                    "urn:uuid:7b36e0aa-287c-88bb-b19b-fbb96994532b");
	/* findings stay out; the three known vulnerabilities are in (test_cyclonedx_vex) */
	assert_int_equal(json_array_size(json_object_get(bom, "vulnerabilities")), 3);

	json_t *meta = json_object_get(bom, "metadata");
	assert_string_equal(str_at(meta, "timestamp"), "2024-01-01T00:00:00Z");
	json_t *tool =
	        json_array_get(json_object_get(json_object_get(meta, "tools"), "components"), 0);
	assert_string_equal(str_at(tool, "name"), "iotrust");
	assert_string_equal(str_at(tool, "version"), "0.1.0");
	json_t *fw = json_object_get(meta, "component");
	assert_string_equal(str_at(fw, "type"), "firmware");
	assert_string_equal(str_at(fw, "name"), "demo-firmware.bin");
	assert_string_equal(str_at(fw, "bom-ref"), "iotrust:image:" IMAGE_SHA);
	json_t *h = json_array_get(json_object_get(fw, "hashes"), 0);
	assert_string_equal(str_at(h, "alg"), "SHA-256");
	assert_string_equal(str_at(h, "content"), IMAGE_SHA);

	/* another image, another serial; the same image, the same serial */
	json_object_set_new(json_object_get(r, "image"), "sha256", json_string(IMAGE_SHA));
	json_t *same = render_json(r, "cyclonedx", NULL);
	assert_string_equal(str_at(same, "serialNumber"), str_at(bom, "serialNumber"));
	json_object_set_new(json_object_get(r, "image"), "sha256",
	                    json_string("0000000000000000000000000000000000000000000000000000000000"
	                                "000000"));
	json_t *other = render_json(r, "cyclonedx", NULL);
	assert_string_not_equal(str_at(other, "serialNumber"), str_at(bom, "serialNumber"));

	assert_valid("cyclonedx", text);
	free(text);
	json_decref(same);
	json_decref(other);
	json_decref(bom);
	json_decref(r);
}

static void test_cyclonedx_components(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	json_t *bom = render_json(r, "cyclonedx", NULL);
	json_t *comps = json_object_get(bom, "components");
	assert_int_equal(json_array_size(comps), N_COMPONENTS);

	json_t *busybox = find_by(comps, "name", "busybox-static");
	assert_string_equal(str_at(busybox, "bom-ref"), component_ref(r, "busybox-static"));
	assert_string_equal(str_at(busybox, "version"), "1:1.35.0-4+deb12u1+b1");
	assert_string_equal(str_at(json_object_get(busybox, "supplier"), "name"), "Debian");
	assert_string_equal(str_at(busybox, "cpe"),
	                    "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*");
	assert_null(json_object_get(busybox, "hashes")); /* the status file is not busybox */
	json_t *ev = json_object_get(busybox, "evidence");
	json_t *id = json_array_get(json_object_get(ev, "identity"), 0);
	assert_string_equal(str_at(id, "field"), "purl");
	assert_true(json_real_value(json_object_get(id, "confidence")) > 0.949 &&
	            json_real_value(json_object_get(id, "confidence")) < 0.951);
	json_t *method = json_array_get(json_object_get(id, "methods"), 0);
	assert_string_equal(str_at(method, "technique"), "manifest-analysis");
	assert_string_equal(
	        str_at(json_array_get(json_object_get(ev, "occurrences"), 0), "location"),
	        ROOTFS "!/var/lib/dpkg/status");
	json_t *props = json_object_get(busybox, "properties");
	assert_string_equal(str_at(find_by(props, "name", "iotrust:found_by"), "value"),
	                    "package-db");
	assert_string_equal(str_at(find_by(props, "name", "iotrust:arch"), "value"), "amd64");
	assert_string_equal(str_at(find_by(props, "name", "iotrust:upstream_version"), "value"),
	                    "1.35.0");

	/* one file, one component: the file's digest is the component's */
	json_t *mbed = find_by(comps, "name", "mbedtls");
	assert_string_equal(str_at(json_array_get(json_object_get(mbed, "hashes"), 0), "content"),
	                    "5f0c9a1d3e7b24c8a6f1e0d2b9c7a4e3f1d8b6a2c4e9f7d1b3a5c8e0f2d4b6a8");
	id = json_array_get(json_object_get(json_object_get(mbed, "evidence"), "identity"), 0);
	assert_string_equal(str_at(json_array_get(json_object_get(id, "methods"), 0), "technique"),
	                    "binary-analysis");
	/* two components linked into one binary: neither gets the binary's digest */
	assert_null(json_object_get(find_by(comps, "name", "openssl"), "hashes"));
	assert_null(json_object_get(find_by(comps, "name", "zlib"), "hashes"));
	/* the kernel: a payload, located by its chain alone */
	json_t *kernel = find_by(comps, "name", "linux");
	assert_string_equal(str_at(kernel, "type"), "operating-system");
	assert_non_null(json_object_get(kernel, "hashes"));
	json_t *occ = json_object_get(json_object_get(kernel, "evidence"), "occurrences");
	assert_string_equal(str_at(json_array_get(occ, 0), "location"),
	                    "demo-firmware.bin@0x40:uimage:gzip");
	/* no purl, no cpe: the identity rests on the name, found from a file name */
	json_t *ota = find_by(comps, "name", "acme-ota");
	id = json_array_get(json_object_get(json_object_get(ota, "evidence"), "identity"), 0);
	assert_string_equal(str_at(id, "field"), "name");
	assert_string_equal(str_at(json_array_get(json_object_get(id, "methods"), 0), "technique"),
	                    "filename");
	assert_string_equal(str_at(json_object_get(ota, "supplier"), "name"),
	                    "Acme Connected S\xc3\xa0rl");
	json_decref(bom);
	json_decref(r);
}

static json_t *depends_of(const json_t *deps, const char *ref)
{
	return json_object_get(find_by(deps, "ref", ref), "dependsOn");
}

static void test_cyclonedx_dependencies(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	json_t *bom = render_json(r, "cyclonedx", NULL);
	json_t *deps = json_object_get(bom, "dependencies");
	assert_int_equal(json_array_size(deps),
	                 N_COMPONENTS + 1); /* every component and the root */

	json_t *top = depends_of(deps, "iotrust:image:" IMAGE_SHA);
	/* not depended upon by anything: busybox, dropbear, 3 signatures, kernel, acme-ota */
	assert_int_equal(json_array_size(top), 7);
	assert_true(has_string(top, component_ref(r, "dropbear-bin")));
	assert_false(has_string(top, component_ref(r, "libc6")));

	json_t *dropbear = depends_of(deps, component_ref(r, "dropbear-bin"));
	assert_int_equal(json_array_size(dropbear), 3);
	assert_true(has_string(dropbear, component_ref(r, "libc6")));
	assert_true(has_string(dropbear, component_ref(r, "libcrypt1")));
	assert_true(has_string(dropbear, component_ref(r, "zlib1g")));
	/* the libc6 <-> libgcc-s1 cycle of Debian is kept as it is */
	assert_true(has_string(depends_of(deps, component_ref(r, "libc6")),
	                       component_ref(r, "libgcc-s1")));
	assert_int_equal(json_array_size(depends_of(deps, component_ref(r, "busybox-static"))), 0);
	/* components not from a package database have unknown dependencies */
	json_t *comp = json_array_get(json_object_get(bom, "compositions"), 0);
	assert_string_equal(str_at(comp, "aggregate"), "unknown");
	assert_int_equal(json_array_size(json_object_get(comp, "dependencies")), 5);
	json_decref(bom);
	json_decref(r);
}

/* ---- SPDX ---- */

static int count_relationships(const json_t *rels, const char *type)
{
	int n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(rels, i, v)
	{
		n += strcmp(str_at(v, "relationshipType"), type) == 0;
	}
	return n;
}

static int is_idstring(const char *id)
{
	if (strncmp(id, "SPDXRef-", 8) != 0 || !id[8])
		return 0;
	return strspn(id + 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-") ==
	       strlen(id + 8);
}

static void test_spdx_document(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	char *text;
	json_t *doc = render_json(r, "spdx", &text);
	assert_string_equal(str_at(doc, "spdxVersion"), "SPDX-2.3");
	assert_string_equal(str_at(doc, "dataLicense"), "CC0-1.0");
	assert_string_equal(str_at(doc, "SPDXID"), "SPDXRef-DOCUMENT");
	assert_string_equal(str_at(doc, "name"), "demo-firmware.bin");
	assert_string_equal(str_at(doc, "documentNamespace"),
	                    "https://iotrust.dev/spdxdocs/demo-firmware.bin-" IMAGE_SHA);
	json_t *ci = json_object_get(doc, "creationInfo");
	assert_string_equal(str_at(ci, "created"), "2024-01-01T00:00:00Z");
	assert_string_equal(json_string_value(json_array_get(json_object_get(ci, "creators"), 0)),
	                    "Tool: iotrust-0.1.0");

	json_t *pkgs = json_object_get(doc, "packages");
	assert_int_equal(json_array_size(pkgs), N_COMPONENTS + 1);
	json_t *fw = find_by(pkgs, "SPDXID", "SPDXRef-Firmware");
	assert_string_equal(str_at(fw, "primaryPackagePurpose"), "FIRMWARE");
	assert_string_equal(
	        str_at(json_array_get(json_object_get(fw, "checksums"), 0), "checksumValue"),
	        IMAGE_SHA);
	size_t i;
	json_t *p;
	json_array_foreach(pkgs, i, p)
	{
		assert_true(is_idstring(str_at(p, "SPDXID")));
		assert_string_equal(str_at(p, "downloadLocation"), "NOASSERTION");
		assert_true(json_is_false(json_object_get(p, "filesAnalyzed")));
	}
	json_t *busybox = find_by(pkgs, "name", "busybox-static");
	assert_string_equal(
	        str_at(busybox, "SPDXID"),
	        "SPDXRef-Package-pkg-deb-debian-busybox-static-1-1.35.0-4-2Bdeb12u1-2Bb1-"
	        "arch-amd64-distro-debian-12");
	assert_string_equal(str_at(busybox, "versionInfo"), "1:1.35.0-4+deb12u1+b1");
	assert_string_equal(str_at(busybox, "supplier"), "Organization: Debian");
	assert_string_equal(str_at(busybox, "licenseConcluded"), "NOASSERTION");
	assert_null(json_object_get(busybox, "checksums"));
	json_t *refs = json_object_get(busybox, "externalRefs");
	assert_string_equal(
	        str_at(find_by(refs, "referenceType", "cpe23Type"), "referenceCategory"),
	        "SECURITY");
	json_t *purl = find_by(refs, "referenceType", "purl");
	assert_string_equal(str_at(purl, "referenceCategory"), "PACKAGE-MANAGER");
	assert_string_equal(str_at(purl, "referenceLocator"), component_ref(r, "busybox-static"));
	assert_string_equal(str_at(find_by(pkgs, "name", "zlib"), "supplier"), "NOASSERTION");
	assert_string_equal(str_at(find_by(pkgs, "name", "libc6"), "primaryPackagePurpose"),
	                    "LIBRARY");
	assert_non_null(json_object_get(find_by(pkgs, "name", "mbedtls"), "checksums"));
	assert_null(json_object_get(find_by(pkgs, "name", "openssl"), "checksums"));
	assert_null(json_object_get(find_by(pkgs, "name", "acme-ota"), "externalRefs"));

	json_t *rels = json_object_get(doc, "relationships");
	assert_int_equal(count_relationships(rels, "DESCRIBES"), 1);
	assert_int_equal(count_relationships(rels, "CONTAINS"), N_COMPONENTS);
	/* dropbear 3, libc6 1, libgcc-s1 1, libcrypt1 1, zlib1g 1 */
	assert_int_equal(count_relationships(rels, "DEPENDS_ON"), 7);
	json_t *first = json_array_get(rels, 0);
	assert_string_equal(str_at(first, "spdxElementId"), "SPDXRef-DOCUMENT");
	assert_string_equal(str_at(first, "relatedSpdxElement"), "SPDXRef-Firmware");

	assert_valid("spdx", text);
	free(text);
	json_decref(doc);
	json_decref(r);
}

/* ---- SARIF ---- */

static void assert_level(const char *severity, const char *level)
{
	if (!strcmp(severity, "critical") || !strcmp(severity, "high"))
		assert_string_equal(level, "error");
	else if (!strcmp(severity, "medium"))
		assert_string_equal(level, "warning");
	else
		assert_string_equal(level, "note");
}

static void test_sarif_rules_and_results(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	char *text;
	json_t *doc = render_json(r, "sarif", &text);
	assert_string_equal(str_at(doc, "version"), "2.1.0");
	assert_int_equal(json_array_size(json_object_get(doc, "runs")), 1);
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
	assert_string_equal(str_at(driver, "name"), "iotrust");
	assert_string_equal(str_at(driver, "version"), "0.1.0");

	json_t *rules = json_object_get(driver, "rules");
	json_t *checks = json_object_get(r, "checks");
	assert_int_equal(json_array_size(rules), N_CHECKS);
	for (size_t i = 0; i < N_CHECKS; i++)
		assert_string_equal(str_at(json_array_get(rules, i), "id"),
		                    str_at(json_array_get(checks, i), "id"));
	json_t *rule = find_by(rules, "id", "cred.hardcoded");
	assert_string_equal(str_at(json_object_get(rule, "shortDescription"), "text"),
	                    "Hard-coded credentials");
	assert_string_equal(str_at(json_object_get(rule, "defaultConfiguration"), "level"),
	                    "error");
	json_t *props = json_object_get(rule, "properties");
	assert_string_equal(str_at(props, "security-severity"), "8.0");
	assert_string_equal(str_at(props, "cwe"), "CWE-798");
	assert_true(has_string(json_object_get(props, "tags"), "external/cwe/cwe-798"));
	assert_true(has_string(json_object_get(props, "tags"), "5.4-3"));
	json_t *info = json_object_get(find_by(rules, "id", "update.client-present"), "properties");
	assert_string_equal(str_at(info, "security-severity"), "0.0");

	json_t *results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), N_FINDINGS);
	size_t i;
	json_t *res;
	json_array_foreach(results, i, res)
	{
		json_t *f = json_array_get(json_object_get(r, "findings"), i);
		json_int_t idx = json_integer_value(json_object_get(res, "ruleIndex"));
		assert_string_equal(str_at(res, "ruleId"), str_at(f, "check"));
		assert_string_equal(str_at(json_array_get(rules, (size_t)idx), "id"),
		                    str_at(f, "check"));
		assert_level(str_at(f, "severity"), str_at(res, "level"));
		json_t *phys = json_object_get(json_array_get(json_object_get(res, "locations"), 0),
		                               "physicalLocation");
		assert_int_equal(json_object_get(phys, "region") != NULL,
		                 json_object_get(f, "line") != NULL);
	}
	assert_valid("sarif", text);
	free(text);
	json_decref(doc);
	json_decref(r);
}

static void test_sarif_locations(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	json_t *doc = render_json(r, "sarif", NULL);
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_t *res = json_array_get(json_object_get(run, "results"), 7);
	json_t *loc = json_array_get(json_object_get(res, "locations"), 0);
	json_t *phys = json_object_get(loc, "physicalLocation");

	/* the CGI with a space and a '#': percent-encoded below the --extract directory */
	json_t *art = json_object_get(phys, "artifactLocation");
	assert_string_equal(str_at(art, "uri"), "demo-firmware.bin@0x70000%3Asquashfs/www/cgi-bin/"
	                                        "Admin%20Panel%20%231.cgi");
	assert_string_equal(str_at(art, "uriBaseId"), "IMAGE");
	assert_non_null(json_object_get(json_object_get(run, "originalUriBaseIds"), "IMAGE"));
	assert_int_equal(
	        json_integer_value(json_object_get(json_object_get(phys, "region"), "startLine")),
	        12);
	assert_string_equal(str_at(json_array_get(json_object_get(loc, "logicalLocations"), 0),
	                           "fullyQualifiedName"),
	                    ROOTFS "!/www/cgi-bin/Admin Panel #1.cgi");
	json_t *props = json_object_get(res, "properties");
	assert_string_equal(str_at(props, "evidence"), "ADMIN_PASSWORD=\"***\"");
	assert_true(has_string(json_object_get(props, "provisions"), "5.4-3"));

	/* the image itself is the analysis target, with its digest */
	json_t *target = json_array_get(json_object_get(run, "artifacts"), 0);
	assert_string_equal(str_at(json_object_get(target, "hashes"), "sha-256"), IMAGE_SHA);
	/* unpack diagnostics are the invocation's notifications */
	json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
	assert_true(json_is_true(json_object_get(inv, "executionSuccessful")));
	assert_int_equal(json_array_size(json_object_get(inv, "toolExecutionNotifications")), 1);
	json_decref(doc);
	json_decref(r);
}

static const char *fingerprint_of(const json_t *doc, size_t i)
{
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_t *res = json_array_get(json_object_get(run, "results"), i);
	return str_at(json_object_get(res, "partialFingerprints"), "iotrustFindingHash/v1");
}

static void test_sarif_fingerprints(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	json_t *a = render_json(r, "sarif", NULL);
	/* distinct findings, distinct fingerprints */
	for (size_t i = 0; i < N_FINDINGS; i++) {
		assert_int_equal(strlen(fingerprint_of(a, i)), 64);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(fingerprint_of(a, i), fingerprint_of(a, j));
	}
	/* the next firmware build moves the root filesystem: same fingerprints */
	json_t *f0 = json_array_get(json_object_get(r, "findings"), 0);
	json_object_set_new(f0, "chain", json_string("demo-firmware.bin@0x90000:squashfs"));
	json_object_set_new(f0, "message", json_string("reworded"));
	json_t *b = render_json(r, "sarif", NULL);
	assert_string_equal(fingerprint_of(a, 0), fingerprint_of(b, 0));
	/* ... but another line is another finding */
	json_object_set_new(f0, "line", json_integer(2));
	json_t *c = render_json(r, "sarif", NULL);
	assert_string_not_equal(fingerprint_of(a, 0), fingerprint_of(c, 0));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(r);
}

/* ---- text ---- */

static void assert_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p != '\n' && (*p < 0x20 || *p > 0x7e))
			fail_msg("byte 0x%02x at offset %zu of the text report", *p,
			         (size_t)(p - (const unsigned char *)s));
}

static void test_text_summary(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	char *t = render(r, "text");
	assert_printable(t);
	assert_non_null(strstr(t, "Image:       demo-firmware.bin\n"));
	assert_non_null(strstr(t, "Size:        7667712 bytes\n"));
	assert_non_null(strstr(t, "SHA-256:     " IMAGE_SHA "\n"));
	assert_non_null(strstr(t, "Findings: 14 (critical 3, high 5, medium 3, low 2, info 1)\n"));
	/* most severe first: the first finding line is a critical one */
	const char *top = strstr(t, "Top findings");
	assert_non_null(top);
	assert_non_null(
	        strstr(top, "\n  CRITICAL  cred.default-password    " ROOTFS "!/etc/shadow:1\n"));
	assert_true(strstr(top, "CRITICAL  svc.shell-without-login") < strstr(top, "HIGH      "));
	assert_true(strstr(top, "LOW       ") < strstr(top, "INFO      "));
	/* hostile bytes from the image are escaped, not sent to the terminal */
	assert_non_null(strstr(t, "MQTT_PASSWORD=\"***\"\\x0a\\x1b[2J\\x1b]0;pwned\\x07 #"));
	assert_non_null(strstr(t, "Components: 11\n"));
	assert_non_null(strstr(t, "  busybox-static  1:1.35.0-4+deb12u1+b1  package-db\n"));
	assert_non_null(strstr(t, "  linux           5.10.176               banner\n"));
	assert_non_null(strstr(t, "entries 256, files 94, containers 3"));
	assert_non_null(strstr(t, "Diagnostics: 1\n"));
	assert_null(strstr(t, "more ("));
	free(t);
	json_decref(r);
}

/* Known vulnerabilities: CycloneDX's vulnerabilities section (VEX) and the text list. */
static void test_cyclonedx_vex(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	char *text;
	json_t *bom = render_json(r, "cyclonedx", &text);
	json_t *v = json_object_get(bom, "vulnerabilities");
	json_t *kernel = json_array_get(v, 0), *zlib = json_array_get(v, 2);
	assert_string_equal(str_at(kernel, "id"), "CVE-2024-1086");
	assert_string_equal(str_at(json_object_get(kernel, "source"), "url"),
	                    "https://nvd.nist.gov/vuln/detail/CVE-2024-1086");
	json_t *rating = json_array_get(json_object_get(kernel, "ratings"), 0);
	assert_true(json_number_value(json_object_get(rating, "score")) == 7.8);
	assert_string_equal(str_at(rating, "severity"), "high");
	assert_string_equal(str_at(json_array_get(json_object_get(kernel, "affects"), 0), "ref"),
	                    "pkg:generic/linux@5.10.176");
	assert_null(json_object_get(kernel, "analysis")); /* a match is not a verdict */
	assert_string_equal(
	        str_at(json_array_get(json_object_get(kernel, "properties"), 0), "name"),
	        "iotrust:cisa_kev");
	/* the maker's VEX statement: not affected, with its justification */
	json_t *an = json_object_get(zlib, "analysis");
	assert_string_equal(str_at(zlib, "id"), "CVE-2023-45853");
	assert_string_equal(str_at(an, "state"), "not_affected");
	assert_string_equal(str_at(an, "justification"), "code_not_reachable");
	assert_valid("cyclonedx", text);

	char *t = render(r, "text");
	assert_non_null(strstr(t, "Known vulnerabilities: 3 (1 known exploited"));
	const char *k = strstr(t, "  CVE-2024-1086 "), *b = strstr(t, "  CVE-2022-30065 ");
	assert_true(k && b && k < b); /* known exploited first */
	assert_non_null(strstr(k, "KEV linux 5.10.176 (>= 3.15, < 5.15.149; affected)"));
	assert_non_null(strstr(t, "not_affected)"));
	free(t);
	free(text);
	json_decref(bom);
	json_decref(r);
}

/* ---- CSAF VEX ---- */

/* The product id the CSAF document gives the component called name. */
static const char *csaf_pid(const json_t *doc, const char *name)
{
	const json_t *rels = json_object_get(json_object_get(doc, "product_tree"), "relationships");
	const json_t *r;
	size_t i;
	json_array_foreach(rels, i, r)
	{
		const json_t *full = json_object_get(r, "full_product_name");
		if (strncmp(str_at(full, "name"), name, strlen(name)) == 0 &&
		    str_at(full, "name")[strlen(name)] == ' ')
			return str_at(full, "product_id");
	}
	fail_msg("no relationship product for %s", name);
	return NULL;
}

static void test_csaf_vex(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	char *text;
	json_t *doc = render_json(r, "csaf", &text);
	json_t *d = json_object_get(doc, "document"), *tree = json_object_get(doc, "product_tree");
	assert_string_equal(str_at(d, "category"), "csaf_vex");
	assert_string_equal(str_at(d, "csaf_version"), "2.0");
	assert_string_equal(str_at(json_object_get(d, "tracking"), "current_release_date"),
	                    str_at(json_object_get(r, "image"), "scanned_at"));
	/* the firmware and the three components with matches, each part of the firmware */
	assert_int_equal(json_array_size(json_object_get(tree, "full_product_names")), 4);
	assert_int_equal(json_array_size(json_object_get(tree, "relationships")), 3);
	const char *kernel_id = csaf_pid(doc, "linux"), *zlib_id = csaf_pid(doc, "zlib1g");
	json_t *v = json_object_get(doc, "vulnerabilities");
	assert_int_equal(json_array_size(v), 3);
	json_t *kernel = json_array_get(v, 0), *zlib = json_array_get(v, 2);
	assert_string_equal(str_at(kernel, "cve"), "CVE-2024-1086");
	assert_true(has_string(
	        json_object_get(json_object_get(kernel, "product_status"), "known_affected"),
	        kernel_id));
	json_t *fix = json_array_get(json_object_get(kernel, "remediations"), 0);
	assert_string_equal(str_at(fix, "category"), "vendor_fix");
	assert_non_null(strstr(str_at(fix, "details"), "to version 5.15.149"));
	json_t *threat = json_array_get(json_object_get(kernel, "threats"), 0);
	assert_string_equal(str_at(threat, "category"), "exploit_status");
	assert_string_equal(str_at(threat, "date"), "2024-05-30T00:00:00Z");
	json_t *score = json_array_get(json_object_get(kernel, "scores"), 0);
	assert_string_equal(str_at(json_object_get(score, "cvss_v3"), "baseSeverity"), "HIGH");
	assert_string_equal(str_at(json_object_get(score, "cvss_v2"), "version"), "2.0");
	/* the maker's VEX: not affected, with a flag and the impact statement; no score */
	assert_string_equal(str_at(zlib, "cve"), "CVE-2023-45853");
	assert_true(has_string(
	        json_object_get(json_object_get(zlib, "product_status"), "known_not_affected"),
	        zlib_id));
	assert_string_equal(str_at(json_array_get(json_object_get(zlib, "flags"), 0), "label"),
	                    "vulnerable_code_not_in_execute_path");
	assert_string_equal(str_at(json_array_get(json_object_get(zlib, "threats"), 0), "details"),
	                    "minizip is not built into the firmware");
	assert_null(json_object_get(zlib, "scores"));
	assert_valid("csaf", text);
	free(text);

	/* the validator can fail: an affected product without its action statement */
	json_object_del(kernel, "remediations");
	text = dump(doc);
	assert_rejected("csaf", text, "mandatoryTest_6_1_27_10");
	free(text);
	json_decref(doc);

	/* nothing matched: no CSAF VEX document can say that */
	json_object_set_new(r, "vulnerabilities", json_array());
	struct it_buf out = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_report_write(r, "csaf", &out, &err), -1);
	assert_int_equal(err.code, IT_ERR_USAGE);
	assert_non_null(strstr(err.message, "needs at least one"));
	it_error_clear(&err);
	it_buf_free(&out);
	json_decref(r);
}

static void test_text_many_findings(void **state)
{
	(void)state;
	json_t *r = load_fixture();
	json_t *findings = json_object_get(r, "findings");
	json_t *critical = json_array_get(findings, 0);
	for (int i = 0; i < 11; i++)
		json_array_append(findings, critical);
	char *t = render(r, "text");
	assert_non_null(strstr(t, "  ... and 5 more (all of them: --format json or sarif)\n"));
	/* the 20 shown are the most severe: 14 critical, 5 high, 1 medium */
	assert_non_null(strstr(t, "\n  MEDIUM "));
	assert_null(strstr(t, "\n  LOW "));
	assert_null(strstr(t, "\n  INFO "));
	free(t);
	json_decref(r);
}

/* ---- hostile and awkward results ---- */

/* Components whose bom_refs collide once made SPDX idstrings, control bytes in
 * names, a dependency cycle that nothing outside it depends on, a scan time
 * with a fraction and an offset, and UTF-8 in a message. */
static json_t *awkward_result(void)
{
	json_t *r = load_fixture();
	json_t *comps = json_object_get(r, "components");
	json_array_append_new(comps,
	                      json_pack("{ss ss ss ss ss si ss s[] s[s]}", "bom_ref", "a+b@1",
	                                "name", "a+b\x1b[31m", "version", "1\n2", "type", "library",
	                                "found_by", "signature", "confidence", 50, "source",
	                                "signature:x", "evidence", "depends", "a b@1"));
	json_array_append_new(comps, json_pack("{ss ss ss ss si ss s[] s[s]}", "bom_ref", "a b@1",
	                                       "name", "a b", "type", "library", "found_by",
	                                       "package-db", "confidence", 95, "source", "dpkg:x",
	                                       "evidence", "depends", "a+b@1"));
	json_object_set_new(json_object_get(r, "image"), "scanned_at",
	                    json_string("2024-01-01T01:30:00.25+01:30"));
	json_object_set_new(json_array_get(json_object_get(r, "findings"), 0), "message",
	                    json_string("root:$1\xe2\x80\xa6(34 chars redacted) caf\xc3\xa9"));
	return r;
}

static void test_awkward_inputs(void **state)
{
	(void)state;
	json_t *r = awkward_result();
	char *text;
	json_t *bom = render_json(r, "cyclonedx", &text);
	json_t *top = depends_of(json_object_get(bom, "dependencies"), "iotrust:image:" IMAGE_SHA);
	/* the cycle hangs from the firmware by its first member */
	assert_true(has_string(top, "a+b@1"));
	assert_false(has_string(top, "a b@1"));
	assert_valid("cyclonedx", text);
	free(text);
	json_decref(bom);

	json_t *doc = render_json(r, "spdx", &text);
	json_t *pkgs = json_object_get(doc, "packages");
	assert_string_equal(str_at(find_by(pkgs, "name", "a+b\x1b[31m"), "SPDXID"),
	                    "SPDXRef-Package-a-b-1");
	assert_string_equal(str_at(find_by(pkgs, "name", "a b"), "SPDXID"),
	                    "SPDXRef-Package-a-b-1-2");
	assert_string_equal(str_at(json_object_get(doc, "creationInfo"), "created"),
	                    "2024-01-01T00:00:00Z");
	assert_valid("spdx", text);
	free(text);
	json_decref(doc);

	char *t = render(r, "text");
	assert_printable(t);
	assert_non_null(strstr(t, "a+b\\x1b[31m"));
	/* typographic punctuation has an ASCII look-alike; other UTF-8 is escaped */
	assert_non_null(strstr(t, "root:$1...(34 chars redacted) caf\\xc3\\xa9\n"));
	free(t);
	json_decref(r);
}

/* Writers do not crash on a tree that breaks the schema; the SBOM writers say so. */
static void test_malformed_result(void **state)
{
	(void)state;
	const char *bad[] = {"{}", "{\"image\": 5, \"components\": {}, \"findings\": [1, \"x\"]}",
	                     "{\"findings\": [{}], \"checks\": [{}], \"stats\": []}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *r = json_loads(bad[i], 0, NULL);
		assert_non_null(r);
		for (size_t k = 0; k < it_report_format_count(); k++) {
			struct it_buf out = IT_BUF_INIT;
			struct it_error err = IT_ERROR_INIT;
			const char *fmt = it_report_format_name(k);
			int rc = it_report_write(r, fmt, &out, &err);
			if (!strcmp(fmt, "cyclonedx") || !strcmp(fmt, "spdx")) {
				assert_int_equal(rc, -1);
				assert_int_equal(err.code, IT_ERR_INTERNAL);
			}
			it_error_clear(&err);
			it_buf_free(&out);
		}
		json_decref(r);
	}
}

/* ---- the validators reject what they must ---- */

static void reject_after(const char *format, const char *kind, const char *why,
                         void (*breakit)(json_t *doc))
{
	json_t *r = load_fixture();
	json_t *doc = render_json(r, format, NULL);
	breakit(doc);
	char *s = dump(doc);
	assert_rejected(kind, s, why);
	free(s);
	json_decref(doc);
	json_decref(r);
}

static void cdx_bad_hash(json_t *bom)
{
	json_t *mbed = find_by(json_object_get(bom, "components"), "name", "mbedtls");
	json_object_set_new(json_array_get(json_object_get(mbed, "hashes"), 0), "content",
	                    json_string("not-hex"));
}

static void cdx_no_name(json_t *bom)
{
	json_object_del(json_array_get(json_object_get(bom, "components"), 0), "name");
}

static void cdx_dangling_dependency(json_t *bom)
{
	json_t *dep = json_array_get(json_object_get(bom, "dependencies"), 1);
	json_array_append_new(json_object_get(dep, "dependsOn"),
	                      json_string("pkg:deb/debian/not-in-this-bom@1"));
}

static void spdx_no_license(json_t *doc)
{
	json_object_del(doc, "dataLicense");
}

static void spdx_bad_relationship(json_t *doc)
{
	json_object_set_new(json_array_get(json_object_get(doc, "relationships"), 1),
	                    "relationshipType", json_string("HAS_A"));
}

static void sarif_bad_level(json_t *doc)
{
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_object_set_new(json_array_get(json_object_get(run, "results"), 0), "level",
	                    json_string("fatal"));
}

static void sarif_wrong_rule_index(json_t *doc)
{
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_object_set_new(json_array_get(json_object_get(run, "results"), 0), "ruleIndex",
	                    json_integer(3));
}

static void result_bad_severity(json_t *doc)
{
	json_object_set_new(json_array_get(json_object_get(doc, "findings"), 0), "severity",
	                    json_string("severe"));
}

static void test_validators_reject_broken_documents(void **state)
{
	(void)state;
	reject_after("cyclonedx", "cyclonedx", "JsonStrictValidator", cdx_bad_hash);
	reject_after("cyclonedx", "cyclonedx", "bom-1.6.schema.json", cdx_no_name);
	reject_after("cyclonedx", "cyclonedx", "names no component", cdx_dangling_dependency);
	reject_after("spdx", "spdx", "dataLicense", spdx_no_license);
	reject_after("spdx", "spdx", "relationshipType", spdx_bad_relationship);
	reject_after("sarif", "sarif", "sarif-schema-2.1.0.json", sarif_bad_level);
	reject_after("sarif", "sarif", "does not name rule", sarif_wrong_rule_index);
	reject_after("json", "result", "scan-result.schema.json", result_bad_severity);
	/* a document of another kind, and one that is not JSON */
	json_t *r = load_fixture();
	char *sarif = render(r, "sarif");
	assert_rejected("cyclonedx", sarif, "bomFormat");
	assert_rejected("spdx", "{\"spdxVersion\": \"SPDX-2.3\",", "not readable JSON");
	free(sarif);
	json_decref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fixture_is_canonical),
	        cmocka_unit_test(test_format_table),
	        cmocka_unit_test(test_cyclonedx_document),
	        cmocka_unit_test(test_cyclonedx_components),
	        cmocka_unit_test(test_cyclonedx_dependencies),
	        cmocka_unit_test(test_spdx_document),
	        cmocka_unit_test(test_sarif_rules_and_results),
	        cmocka_unit_test(test_sarif_locations),
	        cmocka_unit_test(test_sarif_fingerprints),
	        cmocka_unit_test(test_text_summary),
	        cmocka_unit_test(test_cyclonedx_vex),
	        cmocka_unit_test(test_csaf_vex),
	        cmocka_unit_test(test_text_many_findings),
	        cmocka_unit_test(test_awkward_inputs),
	        cmocka_unit_test(test_malformed_result),
	        cmocka_unit_test(test_validators_reject_broken_documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

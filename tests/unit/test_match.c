/*
 * The matcher's decisions (src/vulndb/match.c) on a real SQLite store filled through
 * the real importers: a distribution record decides over NVD ranges for its package,
 * platform-bound and negated configurations never match silently, unparsed ranges
 * never read as "every version", wildcard queries match nothing, and VEX statements
 * change a match's status. The OSV and CSAF documents here are small hand-written
 * test records in the formats' real shapes (their CVE and versions are invented).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "iotrust/store.h"
#include "iotrust/vulndb.h"
#include "testutil.h"
#include "vulndb/importer.h"
#include "vulndb/match.h"
#include "vulndb/vex.h"

/* NVD: openssh < 9.3p2 (CVE-2099-0001); a firmware+hardware AND (CVE-2099-0002);
 * a negated branch (CVE-2099-0003). */
static const char nvd_doc[] =
        "{\"resultsPerPage\":3,\"startIndex\":0,\"totalResults\":3,\"format\":\"NVD_CVE\","
        "\"version\":\"2.0\",\"timestamp\":\"2026-01-01T00:00:00.000\",\"vulnerabilities\":["
        "{\"cve\":{\"id\":\"CVE-2099-0001\",\"published\":\"2099-01-01T00:00:00.000\","
        "\"lastModified\":\"2099-01-02T00:00:00.000\",\"vulnStatus\":\"Analyzed\","
        "\"descriptions\":[{\"lang\":\"en\",\"value\":\"test record\"}],"
        "\"metrics\":{\"cvssMetricV31\":[{\"source\":\"nvd@nist.gov\",\"type\":\"Primary\","
        "\"cvssData\":{\"version\":\"3.1\",\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/"
        "S:U/C:H/I:H/A:H\",\"baseScore\":9.8,\"baseSeverity\":\"CRITICAL\"}}]},"
        "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{"
        "\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*\","
        "\"versionEndExcluding\":\"9.3p2\",\"matchCriteriaId\":\"A\"}]}]}]}},"
        "{\"cve\":{\"id\":\"CVE-2099-0002\",\"published\":\"2099-01-01T00:00:00.000\","
        "\"lastModified\":\"2099-01-02T00:00:00.000\",\"vulnStatus\":\"Analyzed\","
        "\"descriptions\":[{\"lang\":\"en\",\"value\":\"test record\"}],"
        "\"configurations\":[{\"operator\":\"AND\",\"nodes\":[{\"operator\":\"OR\","
        "\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":"
        "\"cpe:2.3:o:acme:cam_firmware:1.0:*:*:*:*:*:*:*\",\"matchCriteriaId\":\"B\"}]},"
        "{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":false,"
        "\"criteria\":\"cpe:2.3:h:acme:cam:-:*:*:*:*:*:*:*\",\"matchCriteriaId\":\"C\"}]}]}]}},"
        "{\"cve\":{\"id\":\"CVE-2099-0003\",\"published\":\"2099-01-01T00:00:00.000\","
        "\"lastModified\":\"2099-01-02T00:00:00.000\",\"vulnStatus\":\"Analyzed\","
        "\"descriptions\":[{\"lang\":\"en\",\"value\":\"test record\"}],"
        "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\",\"negate\":true,\"cpeMatch\":[{"
        "\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:acme:tool:*:*:*:*:*:*:*:*\","
        "\"versionEndExcluding\":\"2.0\",\"matchCriteriaId\":\"D\"}]}]}]}}]}";

/* Debian fixed CVE-2099-0001 in 1:9.2p1-2+deb12u3 (an OSV record in Debian's shape). */
static const char osv_doc[] =
        "{\"schema_version\":\"1.6.0\",\"id\":\"DSA-9999-1\",\"modified\":\"2099-01-03T00:00:00Z\","
        "\"published\":\"2099-01-03T00:00:00Z\",\"aliases\":[\"CVE-2099-0001\"],"
        "\"summary\":\"openssh - security update\",\"affected\":[{\"package\":{"
        "\"ecosystem\":\"Debian:12\",\"name\":\"openssh\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
        "\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1:9.2p1-2+deb12u3\"}]}]}]}";

struct fix {
	struct it_store *s;
	char path[64];
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct it_error err = IT_ERROR_INIT;
	snprintf(f->path, sizeof(f->path), "/tmp/iotrust-match-%d.db", (int)getpid());
	unlink(f->path);
	assert_int_equal(it_store_open(&f->s, f->path, NULL, &err), 0);
	struct it_import_stats st = {0};
	assert_int_equal(it_import_memory(f->s, "nvd.json", (const uint8_t *)nvd_doc,
	                                  strlen(nvd_doc), NULL, &st, &err),
	                 0);
	assert_int_equal(it_import_memory(f->s, "dsa.json", (const uint8_t *)osv_doc,
	                                  strlen(osv_doc), NULL, &st, &err),
	                 0);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.inserted, 4);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	it_store_close(f->s);
	unlink(f->path);
	char wal[80];
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", f->path);
	unlink(wal);
	free(f);
	return 0;
}

static json_t *match(struct fix *f, const char *cpe, const char *purl, const char *version, int all)
{
	struct it_match_query q = {cpe, purl, version};
	struct it_error err = IT_ERROR_INIT;
	json_t *arr = json_array();
	assert_int_equal(it_match(f->s, &q, all, arr, &err), 0);
	return arr;
}

static json_t *entry(json_t *arr, const char *id)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(arr, i), "id")), id) ==
		    0)
			return json_array_get(arr, i);
	return NULL;
}

static const char *s_at(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

#define OPENSSH_CPE "cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*"

static void test_nvd_range(void **state)
{
	struct fix *f = *state;
	json_t *a = match(f, OPENSSH_CPE, NULL, "9.2p1", 0);
	json_t *e = entry(a, "CVE-2099-0001");
	assert_non_null(e);
	assert_string_equal(s_at(e, "status"), "affected");
	assert_string_equal(s_at(e, "decided_by"), "nvd");
	assert_string_equal(s_at(json_object_get(e, "matched"), "range"), "< 9.3p2");
	assert_string_equal(s_at(e, "severity"), "critical");
	json_decref(a);
	a = match(f, OPENSSH_CPE, NULL, "9.3p2", 0);
	assert_null(entry(a, "CVE-2099-0001"));
	json_decref(a);
}

/* The Debian-patched package: Debian's record decides "fixed" although the upstream
 * version 9.2p1 is inside NVD's range; an older Debian revision stays affected. */
static void test_distribution_decides(void **state)
{
	struct fix *f = *state;
	json_t *a = match(f, OPENSSH_CPE,
	                  "pkg:deb/debian/openssh-server@1:9.2p1-2%2Bdeb12u10?arch=armel&"
	                  "distro=debian-12&upstream=openssh",
	                  "9.2p1", 1);
	json_t *e = entry(a, "CVE-2099-0001");
	assert_non_null(e);
	assert_string_equal(s_at(e, "status"), "fixed");
	assert_string_equal(s_at(e, "decided_by"), "DSA-9999-1");
	assert_string_equal(s_at(json_object_get(e, "matched"), "by"), "package");
	json_decref(a);
	a = match(f, OPENSSH_CPE,
	          "pkg:deb/debian/openssh-server@1:9.2p1-2%2Bdeb12u10?"
	          "distro=debian-12&upstream=openssh",
	          "9.2p1", 0);
	assert_null(entry(a, "CVE-2099-0001")); /* fixed entries are left out by default */
	json_decref(a);
	a = match(f, OPENSSH_CPE,
	          "pkg:deb/debian/openssh-server@1:9.2p1-2%2Bdeb12u1?distro=debian-12&"
	          "upstream=openssh",
	          "9.2p1", 0);
	e = entry(a, "CVE-2099-0001");
	assert_non_null(e);
	assert_string_equal(s_at(e, "status"), "affected");
	assert_string_equal(s_at(e, "decided_by"), "DSA-9999-1");
	json_decref(a);
	/* another distribution release: Debian 12's record does not speak for it */
	a = match(f, OPENSSH_CPE, "pkg:deb/debian/openssh-server@1:9.2p1-2?distro=debian-13",
	          "9.2p1", 0);
	assert_string_equal(s_at(entry(a, "CVE-2099-0001"), "decided_by"), "nvd");
	json_decref(a);
}

static void test_no_silent_matches(void **state)
{
	struct fix *f = *state;
	/* firmware CPE of an AND configuration: needs the hardware too */
	json_t *a = match(f, "cpe:2.3:o:acme:cam_firmware:1.0:*:*:*:*:*:*:*", NULL, NULL, 0);
	assert_string_equal(s_at(entry(a, "CVE-2099-0002"), "status"), "needs_platform");
	json_decref(a);
	/* a negated branch never matches by itself */
	a = match(f, "cpe:2.3:a:acme:tool:1.0:*:*:*:*:*:*:*", NULL, NULL, 1);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
	/* wildcard vendor or product, another vendor, no version: nothing */
	const char *none[] = {"cpe:2.3:a:*:openssh:9.2:p1:*:*:*:*:*:*",
	                      "cpe:2.3:a:openbsd:*:9.2:p1:*:*:*:*:*:*",
	                      "cpe:2.3:a:openbs?:openssh:9.2:p1:*:*:*:*:*:*",
	                      "cpe:2.3:a:other:openssh:9.2:p1:*:*:*:*:*:*",
	                      "cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*"};
	for (size_t i = 0; i < sizeof(none) / sizeof(*none); i++) {
		a = match(f, none[i], NULL, NULL, 1);
		if (json_array_size(a))
			fail_msg("%s matched %zu", none[i], json_array_size(a));
		json_decref(a);
	}
}

static int put_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	enum it_put res;
	return it_store_put_vuln(user, v, &res, err);
}

/* A range the importer could not parse (CSAF product_version_range text) is kept in the
 * record but never read as "every version". */
static void test_unparsed_range(void **state)
{
	struct fix *f = *state;
	json_t *rec =
	        json_pack("{ss ss ss s[s] s[{ss ss ss ss ss ss}]}", "id", "TEST-CSAF:CVE-2099-0009",
	                  "source", "csaf", "modified", "2099-01-01T00:00:00.000Z", "aliases",
	                  "CVE-2099-0009", "affected", "kind", "pkg", "ns", "deb", "name", "curl",
	                  "purl", "pkg:deb/debian/curl", "status", "affected", "range_text",
	                  "all before the spring release");
	struct it_import_sink sink = {put_vuln, NULL, NULL, NULL, f->s};
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_record_emit(rec, "test", &sink, &err), 0);
	json_decref(rec);
	json_t *a = match(f, NULL, "pkg:deb/debian/curl@7.88.1-10", NULL, 1);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
}

/* A CSAF VEX statement and a CycloneDX one turn the match into not_affected / fixed. */
static void test_vex(void **state)
{
	struct fix *f = *state;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/iotrust-vex-%d.json", (int)getpid());
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"vulnerabilities\":[{"
	      "\"id\":\"CVE-2099-0001\",\"analysis\":{\"state\":\"not_affected\",\"justification\":"
	      "\"code_not_present\",\"detail\":\"built without the agent\"},\"affects\":[{\"ref\":"
	      "\"pkg:generic/openssh\"}]}]}",
	      fp);
	fclose(fp);
	json_t *st = NULL;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_vex_load(path, &st, &err), 0);
	json_t *a = match(f, OPENSSH_CPE, NULL, "9.2p1", 0);
	json_t *e = entry(a, "CVE-2099-0001");
	struct it_component c = {.name = "openssh",
	                         .version = "9.2p1",
	                         .purl = "pkg:generic/openssh@9.2p1",
	                         .cpe = OPENSSH_CPE};
	assert_int_equal(it_vex_apply(st, e, &c, NULL, path), 1);
	assert_string_equal(s_at(e, "status"), "not_affected");
	assert_string_equal(s_at(json_object_get(e, "vex"), "justification"), "code_not_present");
	/* a statement about another component does not apply */
	struct it_component other = {.name = "dropbear", .purl = "pkg:generic/dropbear@2022.83"};
	json_t *e2 = json_deep_copy(entry(a, "CVE-2099-0001"));
	json_object_set_new(e2, "status", json_string("affected"));
	assert_int_equal(it_vex_apply(st, e2, &other, NULL, path), 0);
	assert_string_equal(s_at(e2, "status"), "affected");
	json_decref(e2);
	json_decref(a);
	json_decref(st);
	/* a real CSAF VEX (CISA's VEX use case 3): products named without PURL or CPE */
	char csaf[512];
	snprintf(csaf, sizeof(csaf), "%s/vulndb/csaf/2022-evd-uc-03-ms-001.json",
	         getenv("IOTRUST_TEST_DATA") ? getenv("IOTRUST_TEST_DATA") : "tests/data");
	assert_int_equal(it_vex_load(csaf, &st, &err), 0);
	struct it_component ghi = {.name = "GHI", .version = "17.4"};
	json_t *m = json_pack("{ss ss}", "id", "CVE-2020-11897", "status", "affected");
	assert_int_equal(it_vex_apply(st, m, &ghi, NULL, csaf), 1);
	assert_string_equal(s_at(m, "status"), "not_affected");
	json_object_set_new(m, "id", json_string("CVE-2020-11901"));
	assert_int_equal(it_vex_apply(st, m, &ghi, NULL, csaf), 1);
	assert_string_equal(s_at(m, "status"), "fixed");
	struct it_component ghi_old = {.name = "GHI", .version = "17.3"};
	json_object_set_new(m, "status", json_string("affected"));
	assert_int_equal(it_vex_apply(st, m, &ghi_old, NULL, csaf), 0); /* another version */
	json_decref(m);
	json_decref(st);

	/* malformed VEX: an error naming the file */
	fp = fopen(path, "w");
	fputs("{\"bomFormat\":\"CycloneDX\",\"vulnerabilities\":[{\"id\":\"x\"}]}", fp);
	fclose(fp);
	assert_int_equal(it_vex_load(path, &st, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_non_null(strstr(err.where, "iotrust-vex-"));
	it_error_clear(&err);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_nvd_range),
	        cmocka_unit_test(test_distribution_decides),
	        cmocka_unit_test(test_no_silent_matches),
	        cmocka_unit_test(test_unparsed_range),
	        cmocka_unit_test(test_vex),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

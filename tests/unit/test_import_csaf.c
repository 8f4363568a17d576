/*
 * The CSAF 2.0 importer on real advisories and VEX documents (tests/data/vulndb/csaf,
 * origins in SOURCES.md): CPE helpers and vendor_fix, vers: ranges, flags and impact
 * statements, relationships, Cisco's service packs, the OASIS validator's failing
 * documents, and variants of real documents for PURL helpers, wildcard CPEs and vers
 * parsing, each with the exact rows or the exact JSON path expected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iotrust/vulndb.h"
#include "testutil.h"
#include "testvulndb.h"
#include "vulndb/importer.h"

/* --- a collecting sink ----------------------------------------------------------------- */

static int on_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	struct tv_got *g = user;
	(void)err;
	json_t *j = json_loads(v->json, 0, NULL);
	assert_non_null(j);
	assert_string_equal(v->id, json_string_value(json_object_get(j, "id")));
	assert_string_equal(v->source, "csaf");
	assert_false(v->withdrawn);
	assert_int_equal(v->n_rows, json_array_size(json_object_get(j, "affected")));
	json_array_append_new(g->recs, j);
	return 0;
}

static json_t *load(const char *name)
{
	return tv_load("vulndb/csaf", name);
}

static void import_doc(json_t *doc, struct tv_got *g)
{
	tv_got_init(g);
	struct it_import_sink sink = {on_vuln, NULL, tv_on_malformed, tv_on_skipped, g};
	g->rc = it_import_csaf(doc, "test.json", &sink, &g->err);
}

/* Import a file that must import cleanly (no malformed record, no document error). */
static void import_file(const char *name, struct tv_got *g)
{
	json_t *doc = load(name);
	import_doc(doc, g);
	json_decref(doc);
	if (g->rc != 0 || g->bad.len)
		fail_msg("%s: rc %d, %s%s", name, g->rc, g->err.message ? g->err.message : "",
		         it_buf_str(&g->bad));
}

/* --- advisories --------------------------------------------------------------------------- */

/* BSI: CPE 2.2 helpers become cpe rows; the vendor_fix remediation plus the fixed product
 * of the same CPE vendor/product give each affected row its fixed version. */
static void test_bsi_cpe_and_vendor_fix(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("bsi-2022-0001.json", &g);
	assert_int_equal(json_array_size(g.recs), 1);
	json_t *r = tv_rec(&g, 0);
	assert_string_equal(tv_s(r, "id"), "BSI-2022-0001:CVE-2022-27193");
	assert_string_equal(tv_s(r, "modified"), "2022-03-17T13:03:42.105Z");
	assert_string_equal(tv_s(r, "published"), "2022-03-17T13:03:42.105Z");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)),
	                    "CVE-2022-27193");
	assert_string_equal(tv_s(r, "severity"), "medium");
	assert_true(json_real_value(json_object_get(r, "score")) == 6.1);
	assert_string_equal(tv_s(json_array_get(json_object_get(r, "metrics"), 0), "type"),
	                    "cvss_v3.1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "cwes"), 0)),
	                    "CWE-611");
	assert_int_equal(tv_n_rows(r), 6);
	const char *affected[] = {"1.0.0-alpha", "1.0.0-dev1", "1.0.0-dev2", "1.0.0-dev3",
	                          "1.0.0-rc1"};
	char want[256];
	for (size_t i = 0; i < 5; i++) {
		snprintf(want, sizeof(want),
		         "cpe csaf-tools cvrf-csaf-converter generic =%s affected fixed=1.0.0-rc2",
		         affected[i]);
		tv_assert_row(r, i, want);
	}
	tv_assert_row(r, 5, "cpe csaf-tools cvrf-csaf-converter generic =1.0.0-rc2 fixed fixed=-");
	assert_string_equal(tv_s(tv_row(r, 0), "cpe"),
	                    "cpe:2.3:a:csaf-tools:cvrf-csaf-converter:1.0.0-alpha:*:*:*:*:*:*:*");
	assert_string_equal(tv_s(tv_row(r, 0), "product_id"), "CSAFPID-0001");
	assert_string_equal(tv_s(tv_row(r, 0), "product"),
	                    "CSAF Tools CVRF-CSAF-Converter 1.0.0-alpha");
	/* remediations are kept with the products' names */
	json_t *rem = json_array_get(json_object_get(r, "remediations"), 0);
	assert_string_equal(tv_s(rem, "category"), "vendor_fix");
	assert_int_equal(json_array_size(json_object_get(rem, "products")), 5);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rem, "products"), 4)),
	                    "CSAF Tools CVRF-CSAF-Converter 1.0.0-rc1");
	assert_string_equal(tv_s(json_object_get(r, "origin"), "document"), "BSI-2022-0001");
	tv_got_free(&g);
}

/* VEX use case 7: exact versions, vers: ranges, not_affected with impact statements, and a
 * fixed version only where the tree lists one for the same product. */
static void test_vex_ranges_and_statements(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("2022-evd-uc-07-001.json", &g);
	json_t *r = tv_rec(&g, 0);
	assert_string_equal(tv_s(r, "id"), "2022-EVD-UC-07-001:CVE-2021-44228");
	assert_string_equal(tv_s(r, "severity"), "critical");
	/* rows come in status-list order (known_affected, ..., fixed, ..., not_affected) */
	const char *want[] = {
	        /* known_affected: ABC has no fixed product in the tree (4.2 is not_affected) */
	        "pkg csaf:example company abc generic =2.4 affected fixed=-",
	        "pkg csaf:example company abc generic =2.6 affected fixed=-",
	        "pkg csaf:example company abc generic [2.9,4.1] affected fixed=-",
	        "pkg csaf:example company jkl generic [4.5,5.0] affected fixed=5.1",
	        /* fixed */
	        "pkg csaf:example company jkl generic =5.1 fixed fixed=-",
	        /* known_not_affected */
	        "pkg csaf:example company abc generic =4.2 not_affected fixed=-",
	        "pkg csaf:example company abc generic [1.0,2.3] not_affected fixed=-",
	        "pkg csaf:example company abc generic =2.5 not_affected fixed=-",
	        "pkg csaf:example company abc generic [2.7,2.8] not_affected fixed=-",
	        "pkg csaf:example company jkl generic [1.0,4.4] not_affected fixed=-",
	};
	assert_int_equal(tv_n_rows(r), 10);
	for (size_t i = 0; i < 10; i++)
		tv_assert_row(r, i, want[i]);
	json_t *na = tv_row(r, 5);
	assert_string_equal(tv_s(na, "justification"),
	                    "Class with vulnerable code was removed before shipping.");
	assert_string_equal(tv_s(tv_row(r, 9), "impact"),
	                    "Log4j was not included in those versions at all.");
	assert_null(json_object_get(tv_row(r, 0), "justification")); /* not on affected rows */
	assert_string_equal(tv_s(tv_row(r, 2), "vers"), "vers:generic/>=2.9|<=4.1");
	assert_string_equal(tv_s(tv_row(r, 3), "vers"), "vers:generic/>=4.5|<=5.0");
	tv_got_free(&g);
}

/* VEX use case 8: two fixed versions of JKL; each affected row gets the lowest fixed
 * version above it, and only where a vendor_fix remediation covers it. */
static void test_fixed_version_choice(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("2022-evd-uc-08-001.json", &g);
	assert_int_equal(json_array_size(g.recs), 2);
	json_t *r = tv_rec(&g, 0); /* CVE-2021-44228: JKL 5.1 and 5.2 fixed */
	tv_assert_row(r, 3, "pkg csaf:example company jkl generic [4.5,5.0] affected fixed=5.1");
	tv_assert_row(r, 4, "pkg csaf:example company jkl generic =5.1 fixed fixed=-");
	tv_assert_row(r, 5, "pkg csaf:example company jkl generic =5.2 fixed fixed=-");
	/* "recommended" 5.2 is also in "fixed": one row, not two */
	assert_int_equal(tv_n_rows(r), 11);
	r = tv_rec(&g, 1); /* CVE-2021-45105: 5.1 is affected now, 5.2 fixes it */
	tv_assert_row(r, 3, "pkg csaf:example company jkl generic =5.1 affected fixed=5.2");
	/* JKL 4.5..5.0 is not listed for this CVE; ABC rows have no fixed product */
	tv_assert_row(r, 0, "pkg csaf:example company abc generic =2.4 affected fixed=-");
	tv_got_free(&g);
}

static void test_vers_all(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("2022-evd-uc-05-001.json", &g);
	json_t *r = tv_rec(&g, 0);
	assert_int_equal(tv_n_rows(r), 1);
	tv_assert_row(
	        r, 0,
	        "pkg csaf:example company xyz generic (-inf,+inf) under_investigation fixed=-");
	assert_string_equal(tv_s(tv_row(r, 0), "vers"), "vers:all/*");
	assert_null(json_object_get(tv_row(r, 0), "range_text"));
	tv_got_free(&g);
}

/* Secvisogram's VEX: a flag label is the justification; "<=1.14.0" is not a vers. */
static void test_flags_and_unparseable_range(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("sec-vex-2022-0001.json", &g);
	assert_int_equal(json_array_size(g.recs), 3);
	const char *cves[] = {"CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105"};
	for (size_t i = 0; i < 3; i++) {
		json_t *r = tv_rec(&g, i);
		char id[64];
		snprintf(id, sizeof(id), "SEC-VEX-2022-0001:%s", cves[i]);
		assert_string_equal(tv_s(r, "id"), id);
		assert_int_equal(tv_n_rows(r), 1);
		tv_assert_row(r, 0,
		              "pkg csaf:secvisogram secvisogram generic (-inf,+inf) not_affected "
		              "fixed=-");
		json_t *w = tv_row(r, 0);
		assert_string_equal(tv_s(w, "range_text"), "<=1.14.0");
		assert_string_equal(tv_s(w, "justification"), "component_not_present");
		assert_string_equal(tv_s(w, "impact"),
		                    "Secvisogram is written in JavaScript. No Java is included.");
		assert_null(json_object_get(r, "severity"));
	}
	tv_got_free(&g);
}

/* Red Hat: relationships combine a component with its platform; the platform's CPE is the
 * row's platform; the threat's "Important" is the severity. */
static void test_relationships(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("rhsa-2022_0011.json", &g);
	json_t *r = tv_rec(&g, 0);
	assert_string_equal(tv_s(r, "id"), "RHSA-2022:0011:CVE-2020-10188");
	assert_string_equal(tv_s(r, "severity"), "high");
	assert_int_equal(tv_n_rows(r), 15);
	json_t *w = tv_row(r, 0);
	tv_assert_row(
	        r, 0,
	        "pkg csaf:red hat telnet-1:0.17-65.el7_6.src generic =telnet-1:0.17-65.el7_6.src "
	        "fixed fixed=-");
	assert_string_equal(tv_s(w, "platform"),
	                    "cpe:2.3:o:redhat:rhel_aus:7.6:*:server:*:*:*:*:*");
	assert_string_equal(tv_s(w, "product_id"), "7Server-7.6.AUS:telnet-1:0.17-65.el7_6.src");
	json_t *rel = json_object_get(w, "relationship");
	assert_string_equal(tv_s(rel, "category"), "default_component_of");
	assert_string_equal(tv_s(rel, "product"), "Red Hat Enterprise Linux Server AUS (v. 7.6)");
	for (size_t i = 0; i < 15; i++)
		assert_non_null(strstr(tv_s(tv_row(r, i), "platform"), "cpe:2.3:o:redhat:rhel_"));
	assert_string_equal(tv_s(tv_row(r, 14), "platform"),
	                    "cpe:2.3:o:redhat:rhel_tus:7.6:*:server:*:*:*:*:*");
	tv_got_free(&g);
}

/* known_not_affected with no flag or impact statement: no justification key. */
static void test_not_affected_without_statement(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("rhsa-2021_5186.json", &g);
	assert_int_equal(json_array_size(g.recs), 2);
	json_t *r = tv_rec(&g, 0);
	assert_string_equal(tv_s(r, "id"), "RHSA-2021:5186:CVE-2021-4104");
	assert_string_equal(tv_s(r, "severity"), "medium");               /* threat "Moderate" */
	assert_string_equal(tv_s(tv_rec(&g, 1), "severity"), "critical"); /* threat "Critical" */
	assert_int_equal(tv_n_rows(r), 3);
	assert_string_equal(tv_s(tv_row(r, 0), "status"), "fixed");
	assert_string_equal(tv_s(tv_row(r, 1), "status"), "not_affected");
	assert_null(json_object_get(tv_row(r, 1), "justification"));
	assert_string_equal(tv_s(tv_row(r, 0), "platform"),
	                    "cpe:2.3:a:redhat:openshift:4.6:*:el8:*:*:*:*:*");
	tv_got_free(&g);
}

/* Cisco lists IOS releases as service packs below a product_version train. */
static void test_cisco_service_packs(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("cisco-sa-20180328-smi2.json", &g);
	json_t *r = tv_rec(&g, 0);
	assert_string_equal(tv_s(r, "id"), "cisco-sa-20180328-smi2:CVE-2018-0171");
	assert_string_equal(tv_s(r, "severity"), "critical");
	assert_int_equal(tv_n_rows(r), 259);
	size_t ios = 0, xe = 0;
	for (size_t i = 0; i < tv_n_rows(r); i++) {
		json_t *w = tv_row(r, i);
		assert_string_equal(tv_s(w, "ns"), "csaf:cisco");
		assert_string_equal(tv_s(w, "status"), "affected");
		ios += strcmp(tv_s(w, "name"), "ios") == 0;
		xe += strcmp(tv_s(w, "name"), "cisco ios xe software") == 0;
		/* never the train: a scan of IOS 12.2(55)SE9 must not meet "12.2SE" */
		assert_string_not_equal(tv_s(w, "version"), "12.2SE");
		if (strcmp(tv_s(w, "product_id"), "CVRFPID-103763") == 0)
			assert_string_equal(tv_s(w, "version"), "12.2(55)SE");
	}
	assert_int_equal(ios, 180);
	assert_int_equal(xe, 79);
	tv_got_free(&g);
}

static void test_product_family(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("2022-evd-uc-09-001.json", &g);
	assert_int_equal(json_array_size(g.recs), 2);
	json_t *r = tv_rec(&g, 0);
	assert_int_equal(tv_n_rows(r), 2);
	/* a product with no version at all: every version */
	tv_assert_row(r, 0,
	              "pkg csaf:example company prod_beta generic (-inf,+inf) affected fixed=-");
	tv_assert_row(
	        r, 1,
	        "pkg csaf:example company prod_alpha generic (-inf,+inf) not_affected fixed=-");
	assert_string_equal(tv_s(tv_row(r, 1), "justification"),
	                    "These products do not use Java at all.");
	tv_got_free(&g);
}

static void test_multi_status(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("2022-evd-uc-03-ms-001.json", &g);
	assert_int_equal(json_array_size(g.recs), 19);
	const char *status[] = {"under_investigation", "not_affected",        "affected",
	                        "not_affected",        "under_investigation", "fixed"};
	char want[128];
	for (size_t i = 0; i < 6; i++) {
		snprintf(want, sizeof(want),
		         "pkg csaf:example company ghi generic =17.4 %s fixed=-", status[i]);
		assert_int_equal(tv_n_rows(tv_rec(&g, i)), 1);
		tv_assert_row(tv_rec(&g, i), 0, want);
	}
	assert_string_equal(tv_s(tv_row(tv_rec(&g, 1), 0), "justification"),
	                    "IPv6 is not supported and code is not present.");
	json_t *rem = json_array_get(json_object_get(tv_rec(&g, 2), "remediations"), 0);
	assert_string_equal(tv_s(rem, "category"), "none_available");
	tv_got_free(&g);
}

/* An informational advisory with no vulnerabilities has nothing to store. */
static void test_no_vulnerabilities(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("rhsa-2019_1862.json", &g);
	assert_int_equal(json_array_size(g.recs), 0);
	assert_string_equal(it_buf_str(&g.skipped), "RHSA-2019:1862: no vulnerabilities\n");
	tv_got_free(&g);
	/* a product tree with a vers:npm range but no vulnerability: parsed, nothing stored */
	import_file("validator/oasis_csaf_tc-csaf_2_0-2021-6-3-10-01.json", &g);
	assert_int_equal(json_array_size(g.recs), 0);
	assert_string_equal(it_buf_str(&g.skipped),
	                    "OASIS_CSAF_TC-CSAF_2.0-2021-6-3-10-01: no vulnerabilities\n");
	tv_got_free(&g);
}

/* --- the OASIS validator's failing documents ------------------------------------------------ */

static void expect_doc_error(const char *file, const char *want)
{
	struct tv_got g;
	json_t *doc = load(file);
	import_doc(doc, &g);
	json_decref(doc);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.err.code, IT_ERR_INPUT);
	if (!g.err.message || strcmp(g.err.message, want) != 0)
		fail_msg("%s:\n  got  %s\n  want %s", file, g.err.message, want);
	assert_int_equal(json_array_size(g.recs), 0);
	tv_got_free(&g);
}

static void expect_malformed(json_t *doc, const char *want, size_t n_recs)
{
	struct tv_got g;
	import_doc(doc, &g);
	assert_int_equal(g.rc, 0);
	if (strcmp(it_buf_str(&g.bad), want) != 0)
		fail_msg("\n  got  %s\n  want %s", it_buf_str(&g.bad), want);
	assert_int_equal(json_array_size(g.recs), n_recs);
	tv_got_free(&g);
}

static void test_validator_failures(void **state)
{
	(void)state;
	/* 6.1.1 a product group naming an undefined product: the tree is unusable */
	expect_doc_error("validator/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json",
	                 "product_tree.product_groups[0]: expected product ids defined in the tree "
	                 "(CSAF 6.1.1)");
	/* 6.1.2 a product id defined twice */
	expect_doc_error(
	        "validator/oasis_csaf_tc-csaf_2_0-2021-6-1-02-01.json",
	        "product_tree.full_product_names[1]: expected each product_id defined once "
	        "(CSAF 6.1.2)");
	/* 6.1.3 a relationship that refers to itself */
	expect_doc_error(
	        "validator/oasis_csaf_tc-csaf_2_0-2021-6-1-03-01.json",
	        "product_tree.relationships: expected relationships nested at most 8 deep, "
	        "without loops");
	/* 6.1.1 in a vulnerability: that vulnerability is malformed, the others import */
	json_t *doc = load("validator/oasis_csaf_tc-csaf_2_0-2021-6-1-01-02.json");
	expect_malformed(doc,
	                 "vulnerabilities[0].flags[0].product_ids[1]: a product id defined in "
	                 "product_tree (CSAF 6.1.1)\n"
	                 "vulnerabilities[1].flags[0].product_ids[0]: a product id defined in "
	                 "product_tree (CSAF 6.1.1)\n",
	                 0);
	json_decref(doc);
	/* 6.1.4 an undefined group id, even in a threat that is not kept */
	doc = load("validator/oasis_csaf_tc-csaf_2_0-2021-6-1-04-01.json");
	expect_malformed(doc,
	                 "vulnerabilities[0].threats[0].group_ids[0]: a group id defined in "
	                 "product_tree (CSAF 6.1.4)\n",
	                 0);
	json_decref(doc);
	/* 6.1.6 a product both affected and not affected says nothing reliable */
	doc = load("validator/oasis_csaf_tc-csaf_2_0-2021-6-1-06-01.json");
	expect_malformed(doc,
	                 "vulnerabilities[0].product_status.known_not_affected[0]: each product in "
	                 "one status group (CSAF 6.1.6)\n",
	                 0);
	json_decref(doc);
}

/* --- variants of a real VEX document -------------------------------------------------------- */

/* 2022-EVD-UC-01-UI-001 ("Example Company" / "GHI" / product_version "17.4",
 * under_investigation for CVE-2021-44228) with its version branch and helper replaced. */
static json_t *ghi(const char *category, const char *name, const char *helper)
{
	json_t *doc = load("2022-evd-uc-01-ui-001.json");
	json_t *vendor = json_array_get(
	        json_object_get(json_object_get(doc, "product_tree"), "branches"), 0);
	json_t *pname = json_array_get(json_object_get(vendor, "branches"), 0);
	json_t *ver = json_array_get(json_object_get(pname, "branches"), 0);
	if (category)
		json_object_set_new(ver, "category", json_string(category));
	if (name)
		json_object_set_new(ver, "name", json_string(name));
	if (helper)
		json_object_set_new(json_object_get(ver, "product"),
		                    "product_identification_helper", json_loads(helper, 0, NULL));
	return doc;
}

static json_t *import_one(json_t *doc, struct tv_got *g)
{
	import_doc(doc, g);
	json_decref(doc);
	if (g->rc != 0 || g->bad.len)
		fail_msg("rc %d, %s%s", g->rc, g->err.message ? g->err.message : "",
		         it_buf_str(&g->bad));
	return tv_rec(g, 0);
}

static void test_purl_helper(void **state)
{
	(void)state;
	struct tv_got g;
	/* a purl names the package: ns = its type, name = its name, purl without version;
	 * the tree's product_version is the version */
	json_t *r =
	        import_one(ghi(NULL, NULL,
	                       "{\"purl\":\"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64\"}"),
	                   &g);
	tv_assert_row(r, 0, "pkg deb openssl deb =17.4 under_investigation fixed=-");
	assert_string_equal(tv_s(tv_row(r, 0), "purl"), "pkg:deb/debian/openssl?arch=amd64");
	tv_got_free(&g);

	/* with no version in the tree, the purl's own version is the version */
	json_t *doc = ghi(NULL, NULL, "{\"purl\":\"pkg:deb/debian/openssl@3.0.11-1~deb12u2\"}");
	json_t *tree = json_object_get(doc, "product_tree");
	json_t *fpn = json_pack("[{s:s,s:s,s:{s:s}}]", "name", "OpenSSL", "product_id", "P-2",
	                        "product_identification_helper", "purl",
	                        "pkg:deb/debian/openssl@3.0.11-1~deb12u2");
	json_object_set_new(tree, "full_product_names", fpn);
	json_t *ps = json_object_get(json_array_get(json_object_get(doc, "vulnerabilities"), 0),
	                             "product_status");
	json_object_set_new(ps, "known_affected", json_pack("[s]", "P-2"));
	r = import_one(doc, &g);
	assert_int_equal(tv_n_rows(r), 2);
	tv_assert_row(r, 0, "pkg deb openssl deb =3.0.11-1~deb12u2 affected fixed=-");
	tv_got_free(&g);
}

static void test_cpe_helpers(void **state)
{
	(void)state;
	struct tv_got g;
	json_t *r = import_one(
	        ghi(NULL, NULL, "{\"cpe\":\"cpe:2.3:a:example:ghi:17.4:*:*:*:*:*:*:*\"}"), &g);
	tv_assert_row(r, 0, "cpe example ghi generic =17.4 under_investigation fixed=-");
	assert_string_equal(tv_s(tv_row(r, 0), "cpe"), "cpe:2.3:a:example:ghi:17.4:*:*:*:*:*:*:*");
	tv_got_free(&g);

	/* precision: a CPE whose vendor or product is ANY never becomes a cpe row; the
	 * product falls back to its vendor/product names from the tree */
	const char *wild[] = {"{\"cpe\":\"cpe:2.3:a:*:ghi:17.4:*:*:*:*:*:*:*\"}",
	                      "{\"cpe\":\"cpe:2.3:a:example:*:*:*:*:*:*:*:*:*\"}",
	                      "{\"cpe\":\"cpe:/a::ghi:17.4\"}", "{\"cpe\":\"not a cpe\"}"};
	for (size_t i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
		r = import_one(ghi(NULL, NULL, wild[i]), &g);
		assert_int_equal(tv_n_rows(r), 1);
		tv_assert_row(
		        r, 0,
		        "pkg csaf:example company ghi generic =17.4 under_investigation fixed=-");
		assert_null(tv_s(tv_row(r, 0), "cpe"));
		assert_non_null(tv_s(tv_row(r, 0), "note"));
		tv_got_free(&g);
	}
}

/* product_version_range: vers: intervals in the vers scheme, other text kept. */
static void test_vers_parsing(void **state)
{
	(void)state;
	static const struct {
		const char *range;
		const char *rows[3];
	} cases[] = {
	        {"vers:generic/>=1.0|<2.0|>=3.0",
	         {"pkg csaf:example company ghi generic [1.0,2.0) under_investigation fixed=-",
	          "pkg csaf:example company ghi generic [3.0,+inf) under_investigation fixed=-"}},
	        /* constraints are sorted before pairing */
	        {"vers:generic/<2.0|>1.0",
	         {"pkg csaf:example company ghi generic (1.0,2.0) under_investigation fixed=-"}},
	        {"vers:deb/<=1:2.0-1",
	         {"pkg csaf:example company ghi deb (-inf,1:2.0-1] under_investigation fixed=-"}},
	        {"vers:npm/>=2.2.0|<2.3.0",
	         {"pkg csaf:example company ghi semver [2.2.0,2.3.0) under_investigation fixed=-"}},
	        {"vers:generic/=1.2|=1.5",
	         {"pkg csaf:example company ghi generic =1.2 under_investigation fixed=-",
	          "pkg csaf:example company ghi generic =1.5 under_investigation fixed=-"}},
	        /* percent-encoded characters and whitespace */
	        {"vers:generic/ >= 1.0%2B1 | < 2.0 ",
	         {"pkg csaf:example company ghi generic [1.0+1,2.0) under_investigation fixed=-"}},
	        /* != is ignored (the row says so) */
	        {"vers:generic/>=1.0|!=1.5|<2.0",
	         {"pkg csaf:example company ghi generic [1.0,2.0) under_investigation fixed=-"}},
	        /* not a vers: one row naming no version, the text kept */
	        {"vers:generic/>=1.0|",
	         {"pkg csaf:example company ghi generic (-inf,+inf) under_investigation fixed=-"}},
	        {"all versions before 2.0",
	         {"pkg csaf:example company ghi generic (-inf,+inf) under_investigation fixed=-"}},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct tv_got g;
		json_t *r = import_one(ghi("product_version_range", cases[c].range, NULL), &g);
		size_t n = 0;
		while (n < 3 && cases[c].rows[n])
			n++;
		if (tv_n_rows(r) != n)
			fail_msg("%s: %zu rows, want %zu", cases[c].range, tv_n_rows(r), n);
		for (size_t i = 0; i < n; i++)
			tv_assert_row(r, i, cases[c].rows[i]);
		int vers = strncmp(cases[c].range, "vers:", 5) == 0 && c != 7;
		assert_int_equal(json_object_get(tv_row(r, 0), "vers") != NULL, vers);
		assert_int_equal(json_object_get(tv_row(r, 0), "range_text") != NULL, !vers);
		assert_int_equal(json_object_get(tv_row(r, 0), "vers_note") != NULL, c == 6);
		tv_got_free(&g);
	}
}

/* --- malformed variants --------------------------------------------------------------------- */

static json_t *vuln0(json_t *doc)
{
	return json_array_get(json_object_get(doc, "vulnerabilities"), 0);
}

static void test_malformed_variants(void **state)
{
	(void)state;
	json_t *doc = ghi(NULL, NULL, NULL);
	json_object_set_new(json_object_get(vuln0(doc), "product_status"), "known_affected",
	                    json_pack("[s]", "CSAFPID-9999"));
	expect_malformed(
	        doc,
	        "vulnerabilities[0].product_status.known_affected[0]: a product id defined "
	        "in product_tree (CSAF 6.1.1)\n",
	        0);
	json_decref(doc);

	doc = ghi(NULL, NULL, NULL);
	json_object_set_new(vuln0(doc), "product_status", json_string("affected"));
	expect_malformed(doc, "vulnerabilities[0].product_status: an object\n", 0);
	json_decref(doc);

	doc = load("2022-evd-uc-07-001.json");
	json_object_set_new(
	        json_object_get(json_array_get(json_object_get(vuln0(doc), "scores"), 1),
	                        "cvss_v3"),
	        "baseScore", json_string("10"));
	expect_malformed(doc,
	                 "vulnerabilities[0].scores[1].cvss_v3: a CVSS object with version, "
	                 "vectorString and baseScore 0..10\n",
	                 0);
	json_decref(doc);

	doc = load("2022-evd-uc-07-001.json");
	json_object_set_new(vuln0(doc), "cve", json_integer(44228));
	expect_malformed(doc, "vulnerabilities[0].cve: a non-empty string\n", 0);
	json_decref(doc);

	/* one bad vulnerability does not stop the others */
	doc = load("2022-evd-uc-03-ms-001.json");
	json_object_set_new(json_array_get(json_object_get(doc, "vulnerabilities"), 4), "notes",
	                    json_pack("[{s:s}]", "category", "description"));
	expect_malformed(
	        doc, "vulnerabilities[4].notes[0]: a note with \"category\" and \"text\"\n", 18);
	json_decref(doc);

	/* document-level shape errors: the whole document is malformed */
	static const struct {
		const char *pointer, *value, *want;
	} docs[] = {
	        {"tracking.id", NULL, "document.tracking.id: expected a non-empty string"},
	        {"tracking.current_release_date", "\"last week\"",
	         "document.tracking.current_release_date: expected an RFC 3339 date-time"},
	        {"csaf_version", "\"1.2\"", "document.csaf_version: expected \"2.0\" (or \"2.1\")"},
	        {"tracking", "[]", "document.tracking: expected an object"},
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct tv_got g;
		doc = ghi(NULL, NULL, NULL);
		json_t *d = json_object_get(doc, "document");
		const char *key = docs[i].pointer;
		if (strncmp(key, "tracking.", 9) == 0) {
			d = json_object_get(d, "tracking");
			key += 9;
		}
		if (docs[i].value)
			json_object_set_new(d, key,
			                    json_loads(docs[i].value, JSON_DECODE_ANY, NULL));
		else
			json_object_del(d, key);
		import_doc(doc, &g);
		assert_int_equal(g.rc, -1);
		assert_int_equal(g.err.code, IT_ERR_INPUT);
		assert_string_equal(g.err.message, docs[i].want);
		tv_got_free(&g);
		json_decref(doc);
	}

	/* relationships built on relationships: at most 8 deep */
	for (int depth = 8; depth <= 9; depth++) {
		doc = ghi(NULL, NULL, NULL);
		json_t *tree = json_object_get(doc, "product_tree");
		json_t *fpn = json_array(), *rels = json_array();
		char id[16], prev[16] = "CSAFPID-0001", name[16];
		for (int i = 0; i < depth; i++) {
			snprintf(id, sizeof(id), "P%d", i);
			json_array_append_new(fpn,
			                      json_pack("{s:s,s:s}", "name", id, "product_id", id));
			snprintf(name, sizeof(name), "R%d", i);
			json_array_append_new(rels,
			                      json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}", "category",
			                                "installed_on", "product_reference", prev,
			                                "relates_to_product_reference", id,
			                                "full_product_name", "name", name,
			                                "product_id", name));
			memcpy(prev, name, sizeof(name));
		}
		json_object_set_new(tree, "full_product_names", fpn);
		json_object_set_new(tree, "relationships", rels);
		json_object_set_new(json_object_get(vuln0(doc), "product_status"),
		                    "under_investigation", json_pack("[s]", prev));
		struct tv_got gd;
		import_doc(doc, &gd);
		if (depth == 8) {
			assert_int_equal(gd.rc, 0);
			/* the component at the bottom, every platform on the way */
			tv_assert_row(
			        tv_rec(&gd, 0), 0,
			        "pkg csaf:example company ghi generic =17.4 under_investigation "
			        "fixed=-");
			assert_string_equal(tv_s(tv_row(tv_rec(&gd, 0), 0), "product_id"), "R7");
		} else {
			assert_int_equal(gd.rc, -1);
			assert_string_equal(
			        gd.err.message,
			        "product_tree.relationships: expected relationships nested "
			        "at most 8 deep, without loops");
		}
		tv_got_free(&gd);
		json_decref(doc);
	}

	/* a branch without a name */
	struct tv_got g;
	doc = ghi(NULL, NULL, NULL);
	json_t *vendor = json_array_get(
	        json_object_get(json_object_get(doc, "product_tree"), "branches"), 0);
	json_object_del(json_array_get(json_object_get(vendor, "branches"), 0), "name");
	import_doc(doc, &g);
	assert_int_equal(g.rc, -1);
	assert_string_equal(g.err.message, "product_tree.branches[0].branches[0]: expected a "
	                                   "branch with non-empty \"category\" and \"name\"");
	tv_got_free(&g);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bsi_cpe_and_vendor_fix),
	        cmocka_unit_test(test_vex_ranges_and_statements),
	        cmocka_unit_test(test_fixed_version_choice),
	        cmocka_unit_test(test_vers_all),
	        cmocka_unit_test(test_flags_and_unparseable_range),
	        cmocka_unit_test(test_relationships),
	        cmocka_unit_test(test_not_affected_without_statement),
	        cmocka_unit_test(test_cisco_service_packs),
	        cmocka_unit_test(test_product_family),
	        cmocka_unit_test(test_multi_status),
	        cmocka_unit_test(test_no_vulnerabilities),
	        cmocka_unit_test(test_validator_failures),
	        cmocka_unit_test(test_purl_helper),
	        cmocka_unit_test(test_cpe_helpers),
	        cmocka_unit_test(test_vers_parsing),
	        cmocka_unit_test(test_malformed_variants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

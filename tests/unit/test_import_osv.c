/*
 * The OSV importer on real records (tests/data/vulndb/osv, origins in SOURCES.md):
 * OSS-Fuzz GIT ranges, AlmaLinux / Debian / Alpine / Ubuntu ECOSYSTEM ranges, Go SEMVER,
 * a withdrawn record, the osv-schema linter's invalid examples, and malformed variants
 * of real records with the exact JSON path each must be reported at.
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
	/* The struct and the JSON it came from agree (record.c did its job). */
	assert_string_equal(v->id, json_string_value(json_object_get(j, "id")));
	assert_string_equal(v->source, "osv");
	assert_int_equal(v->n_rows, json_array_size(json_object_get(j, "affected")));
	assert_int_equal(v->n_aliases, json_array_size(json_object_get(j, "aliases")));
	json_array_append_new(g->recs, j);
	return 0;
}

static json_t *load(const char *name)
{
	return tv_load("vulndb/osv", name);
}

/* Import doc (not consumed) into g; returns it_import_osv's result. */
static int import_doc(json_t *doc, struct tv_got *g)
{
	struct it_import_sink sink = {on_vuln, NULL, tv_on_malformed, tv_on_skipped, g};
	struct it_error err = IT_ERROR_INIT;
	int rc = it_import_osv(doc, "test.json", &sink, &err);
	it_error_clear(&err);
	return rc;
}

static void import_file(const char *name, struct tv_got *g)
{
	json_t *doc = load(name);
	tv_got_init(g);
	assert_int_equal(import_doc(doc, g), 0);
	json_decref(doc);
}

static const char *eco_scheme(const char *ecosystem)
{
	return it_vscheme_name(it_vscheme_for_ecosystem(ecosystem));
}

/* --- OSS-Fuzz: GIT ranges ----------------------------------------------------------------- */

static void test_oss_fuzz_git(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("OSV-2021-1756.json", &g);
	assert_int_equal(json_array_size(g.recs), 1);
	json_t *r = tv_rec(&g, 0);
	assert_string_equal(tv_s(r, "id"), "OSV-2021-1756");
	assert_string_equal(tv_s(r, "modified"), "2022-04-13T03:04:42.912Z");
	assert_string_equal(tv_s(r, "published"), "2021-12-25T00:01:47.005Z");
	assert_false(json_is_true(json_object_get(r, "withdrawn")));
	assert_string_equal(tv_s(r, "summary"), "Heap-buffer-overflow in Curl_sasl_decode_mech");
	/* ecosystem_specific.severity "MEDIUM" is the only severity OSS-Fuzz gives */
	assert_string_equal(tv_s(r, "severity"), "medium");
	assert_null(json_object_get(r, "score"));
	assert_int_equal(tv_n_rows(r), 1);
	tv_assert_row(r, 0,
	              "pkg OSS-Fuzz curl git [1b9f1f60559979a644cc9cf26f851c4416f20248,"
	              "193053e2edf302d176e4c7592e9d6aac60442c5c) affected "
	              "fixed=193053e2edf302d176e4c7592e9d6aac60442c5c");
	json_t *row = json_array_get(json_object_get(r, "affected"), 0);
	assert_string_equal(tv_s(row, "repo"), "https://github.com/curl/curl.git");
	/* ecosystem_specific / database_specific stay in the record, not in rows */
	json_t *pkg = json_array_get(json_object_get(r, "packages"), 0);
	assert_string_equal(tv_s(json_object_get(pkg, "database_specific"), "introduced_range"),
	                    "ef4dc1b5be8c092550617ea0f1b9844a9cdc6ae8:"
	                    "2c1dbc1af0a774ae5dce08150131a01e862c13b5");
	assert_null(json_object_get(row, "database_specific"));
	assert_string_equal(tv_s(json_object_get(r, "origin"), "document"), "OSS-Fuzz");
	assert_int_equal(g.bad.len, 0);
	tv_got_free(&g);
}

/* GIT events are grouped as written: "iff" pairs the introduced with both fixes (two
 * branches), "iif" both introduced with the fix, "ifi" leaves the second open. The
 * versions[] entries are exact rows in the ecosystem's scheme, never git. */
static void test_git_groups_and_versions(void **state)
{
	(void)state;
	struct tv_got g;
	const char *gen = eco_scheme("OSS-Fuzz");
	char want[256];

	import_file("OSV-2021-925.json", &g);
	json_t *r = tv_rec(&g, 0);
	assert_int_equal(tv_n_rows(r), 2 + 3);
	tv_assert_row(r, 0,
	              "pkg OSS-Fuzz dnsmasq git [96f6444958c29a670f4254722d787f328153605c,"
	              "a42ee397f3d48b5df837689c2c55aeaba5feaa01) affected "
	              "fixed=a42ee397f3d48b5df837689c2c55aeaba5feaa01");
	tv_assert_row(r, 1,
	              "pkg OSS-Fuzz dnsmasq git [96f6444958c29a670f4254722d787f328153605c,"
	              "ed4e7defd7d231e2e424aed0b160603f6e627aba) affected "
	              "fixed=ed4e7defd7d231e2e424aed0b160603f6e627aba");
	snprintf(want, sizeof(want), "pkg OSS-Fuzz dnsmasq %s =v2.86test5 affected fixed=-", gen);
	tv_assert_row(r, 2, want);
	snprintf(want, sizeof(want), "pkg OSS-Fuzz dnsmasq %s =v2.86test7 affected fixed=-", gen);
	tv_assert_row(r, 4, want);
	tv_got_free(&g);

	import_file("OSV-2022-572.json", &g);
	r = tv_rec(&g, 0);
	json_t *rows = json_object_get(r, "affected");
	assert_int_equal(tv_n_rows(r), 2 + 49);
	assert_string_equal(tv_s(json_array_get(rows, 0), "end"),
	                    tv_s(json_array_get(rows, 1), "end"));
	assert_string_not_equal(tv_s(json_array_get(rows, 0), "start"),
	                        tv_s(json_array_get(rows, 1), "start"));
	for (size_t i = 2; i < tv_n_rows(r); i++)
		assert_string_equal(tv_s(json_array_get(rows, i), "scheme"), gen);
	tv_got_free(&g);

	import_file("OSV-2026-565.json", &g);
	r = tv_rec(&g, 0);
	rows = json_object_get(r, "affected");
	assert_int_equal(tv_n_rows(r), 2 + 1);
	assert_non_null(tv_s(json_array_get(rows, 0), "end"));
	assert_null(tv_s(json_array_get(rows, 1), "end")); /* re-introduced, never fixed */
	assert_non_null(tv_s(json_array_get(rows, 1), "start"));
	tv_got_free(&g);
}

static void test_no_ranges_is_skipped(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("OSV-2022-840.json", &g);
	assert_int_equal(json_array_size(g.recs), 0);
	assert_string_equal(it_buf_str(&g.skipped),
	                    "OSV-2022-840: no affected ranges or versions\n");
	assert_int_equal(g.bad.len, 0);
	tv_got_free(&g);
}

/* --- distributions: ECOSYSTEM ranges ------------------------------------------------------- */

static void test_almalinux(void **state)
{
	(void)state;
	struct tv_got g;
	char want[256];
	import_file("ALSA-2022_7314.json", &g);
	json_t *r = tv_rec(&g, 0);
	assert_string_equal(tv_s(r, "id"), "ALSA-2022:7314");
	assert_string_equal(tv_s(r, "summary"), "Moderate: zlib security update");
	assert_int_equal(tv_n_rows(r), 3);
	const char *names[] = {"zlib", "zlib-devel", "zlib-static"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(want, sizeof(want),
		         "pkg AlmaLinux:9 %s %s (-inf,1.2.11-32.el9_0) affected "
		         "fixed=1.2.11-32.el9_0",
		         names[i], eco_scheme("AlmaLinux:9"));
		tv_assert_row(r, i, want);
	}
	/* related is kept, and is not an alias (precision: related != same vulnerability) */
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "related"), 0)),
	                    "CVE-2022-37434");
	tv_got_free(&g);
}

static void test_debian_dsa_dla(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("DSA-3029-1.json", &g);
	json_t *r = tv_rec(&g, 0);
	assert_string_equal(tv_s(r, "id"), "DSA-3029-1");
	assert_string_equal(eco_scheme("Debian:7"), "deb");
	assert_int_equal(tv_n_rows(r), 1);
	/* ns is the ecosystem exactly as given: "Debian:7", not "Debian" */
	tv_assert_row(
	        r, 0,
	        "pkg Debian:7 nginx deb (-inf,1.2.1-2.2+wheezy3) affected fixed=1.2.1-2.2+wheezy3");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)),
	                    "CVE-2014-3616");
	assert_string_equal(tv_s(r, "summary"), "nginx - security update");
	assert_non_null(strstr(tv_s(r, "details"), "1.2.1-2.2+wheezy3"));
	tv_got_free(&g);

	/* DLA / USN records with "affected": [] have nothing to match on. */
	import_file("DLA-3623-1.json", &g);
	assert_int_equal(json_array_size(g.recs), 0);
	assert_string_equal(it_buf_str(&g.skipped), "DLA-3623-1: no affected packages\n");
	tv_got_free(&g);
	import_file("USN-6332-1.json", &g);
	assert_int_equal(json_array_size(g.recs), 0);
	assert_string_equal(it_buf_str(&g.skipped), "USN-6332-1: no affected packages\n");
	assert_int_equal(g.bad.len, 0);
	tv_got_free(&g);
}

static void test_alpine(void **state)
{
	(void)state;
	struct tv_got g;
	assert_string_equal(eco_scheme("Alpine:v3.10"), "apk");
	/* osv.dev's fixture writes "versions": null; null is read as absent */
	import_file("CVE-2012-2812.json", &g);
	json_t *r = tv_rec(&g, 0);
	assert_int_equal(tv_n_rows(r), 5);
	tv_assert_row(r, 0,
	              "pkg Alpine:v3.10 libexif apk (-inf,0.6.21-r0) affected fixed=0.6.21-r0");
	tv_assert_row(r, 4,
	              "pkg Alpine:v3.9 libexif apk (-inf,0.6.21-r0) affected fixed=0.6.21-r0");
	assert_non_null(tv_s(json_array_get(json_object_get(r, "affected"), 0), "purl"));
	assert_non_null(
	        strstr(tv_s(json_array_get(json_object_get(r, "affected"), 0), "purl"), "libexif"));
	tv_got_free(&g);

	import_file("CVE-2022-27449.json", &g);
	r = tv_rec(&g, 0);
	assert_int_equal(tv_n_rows(r), 5);
	tv_assert_row(r, 0,
	              "pkg Alpine:v3.12 mariadb apk (-inf,10.4.25-r0) affected fixed=10.4.25-r0");
	tv_assert_row(r, 4,
	              "pkg Alpine:v3.16 mariadb apk (-inf,10.6.8-r0) affected fixed=10.6.8-r0");
	tv_got_free(&g);
}

static void test_ubuntu(void **state)
{
	(void)state;
	struct tv_got g;
	char want[256];
	import_file("UBUNTU-CVE-2025-38094.json", &g);
	json_t *r = tv_rec(&g, 0);
	const char *eco = "Ubuntu:Pro:14.04:LTS";
	/* the "Ubuntu" severity type is a priority word */
	assert_string_equal(tv_s(r, "severity"), "medium");
	/* upstream ids are aliases (the record is that CVE as Ubuntu ships it) */
	json_t *al = json_object_get(r, "aliases");
	assert_int_equal(json_array_size(al), 1);
	assert_string_equal(json_string_value(json_array_get(al, 0)), "CVE-2025-38094");
	/* one open range (introduced "0", nothing fixed) and every listed version */
	json_t *doc = load("UBUNTU-CVE-2025-38094.json");
	json_t *versions =
	        json_object_get(json_array_get(json_object_get(doc, "affected"), 0), "versions");
	assert_int_equal(tv_n_rows(r), 1 + json_array_size(versions));
	snprintf(want, sizeof(want), "pkg %s linux %s (-inf,+inf) affected fixed=-", eco,
	         eco_scheme(eco));
	tv_assert_row(r, 0, want);
	snprintf(want, sizeof(want), "pkg %s linux %s =3.11.0-12.19 affected fixed=-", eco,
	         eco_scheme(eco));
	tv_assert_row(r, 1, want);
	/* the purl names the package, not one release: its version is dropped */
	const char *purl = tv_s(json_array_get(json_object_get(r, "affected"), 0), "purl");
	assert_non_null(purl);
	assert_null(strchr(purl, '@'));
	assert_non_null(strstr(purl, "pkg:deb/ubuntu/linux"));
	json_decref(doc);
	tv_got_free(&g);
}

/* --- withdrawn ---------------------------------------------------------------------------- */

static void test_withdrawn(void **state)
{
	(void)state;
	struct tv_got g;
	/* no affected at all, but withdrawn: emitted so the store removes the old record */
	import_file("RHSA-2022_0216-withdrawn.json", &g);
	assert_int_equal(json_array_size(g.recs), 1);
	assert_int_equal(g.skipped.len, 0);
	json_t *r = tv_rec(&g, 0);
	assert_true(json_is_true(json_object_get(r, "withdrawn")));
	assert_string_equal(tv_s(r, "withdrawn_at"), "2024-09-05T17:42:35.000Z");
	assert_int_equal(tv_n_rows(r), 0);
	/* a CVSS vector with no score given: kept, no score computed */
	json_t *m = json_array_get(json_object_get(r, "metrics"), 0);
	assert_string_equal(tv_s(m, "type"), "cvss_v3.1");
	assert_string_equal(tv_s(m, "vector"), "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_true(json_is_null(json_object_get(m, "score")));
	assert_null(json_object_get(r, "score"));
	tv_got_free(&g);

	/* the same record without "withdrawn" is an ordinary record with nothing affected */
	json_t *doc = load("RHSA-2022_0216-withdrawn.json");
	json_object_del(doc, "withdrawn");
	tv_got_init(&g);
	assert_int_equal(import_doc(doc, &g), 0);
	assert_int_equal(json_array_size(g.recs), 0);
	assert_string_equal(it_buf_str(&g.skipped), "RHSA-2022:0216: no affected packages\n");
	json_decref(doc);
	tv_got_free(&g);
}

/* --- the osv-schema linter's examples ------------------------------------------------------- */

static void test_linter_invalid(void **state)
{
	(void)state;
	struct tv_got g;
	import_file("linter-invalid/nointroduced-CVE-2023-41045.json", &g);
	assert_int_equal(json_array_size(g.recs), 0);
	assert_string_equal(it_buf_str(&g.bad),
	                    "affected[0].ranges[0].events: at least one \"introduced\" event\n");
	tv_got_free(&g);

	import_file("linter-invalid/nondistinct-CVE-2018-5407.json", &g);
	assert_int_equal(json_array_size(g.recs), 0);
	assert_string_equal(it_buf_str(&g.bad),
	                    "affected[6].ranges[1].events[1]: events with distinct versions\n");
	tv_got_free(&g);

	/* "Gradi0" is not a PyPI package: only a registry can tell, so it imports. */
	import_file("linter-invalid/nopackage-GHSA-9v2f-6vcg-3hgv.json", &g);
	assert_int_equal(json_array_size(g.recs), 1);
	assert_int_equal(g.bad.len, 0);
	char want[128];
	snprintf(want, sizeof(want), "pkg PyPI Gradi0 %s =4.36.1 affected fixed=-",
	         eco_scheme("PyPI"));
	tv_assert_row(tv_rec(&g, 0), 0, want);
	tv_got_free(&g);
}

static void test_linter_valid(void **state)
{
	(void)state;
	struct tv_got g;
	/* the valid twins of the invalid examples import without a complaint */
	import_file("linter-valid/CVE-2023-41045.json", &g);
	json_t *r = tv_rec(&g, 0);
	assert_int_equal(g.bad.len, 0);
	/* a GIT range with no package: ns "GIT", the repository is the name */
	assert_int_equal(tv_n_rows(r), 2);
	tv_assert_row(r, 0,
	              "pkg GIT https://github.com/graylog2/graylog2-server git (-inf,"
	              "466af814523cffae9fbc7e77bab7472988f03c3e) affected "
	              "fixed=466af814523cffae9fbc7e77bab7472988f03c3e");
	tv_got_free(&g);

	import_file("linter-valid/CVE-2018-5407.json", &g);
	assert_int_equal(g.bad.len, 0);
	assert_int_equal(tv_n_rows(tv_rec(&g, 0)), 7);
	tv_got_free(&g);

	/* Go: SEMVER ranges, two intervals */
	import_file("linter-valid/GO-2024-2963.json", &g);
	r = tv_rec(&g, 0);
	assert_int_equal(tv_n_rows(r), 2);
	tv_assert_row(r, 0, "pkg Go stdlib semver (-inf,1.21.12) affected fixed=1.21.12");
	tv_assert_row(r, 1, "pkg Go stdlib semver [1.22.0-0,1.22.5) affected fixed=1.22.5");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)),
	                    "CVE-2024-24791");
	tv_got_free(&g);

	/* GHSA: database_specific.severity and cwe_ids */
	import_file("linter-valid/GHSA-9v2f-6vcg-3hgv.json", &g);
	r = tv_rec(&g, 0);
	assert_int_equal(g.bad.len, 0);
	assert_non_null(tv_s(r, "severity"));
	assert_int_equal(tv_n_rows(r), 2);
	tv_got_free(&g);

	/* PyPI: a GIT and an ECOSYSTEM range plus 66 versions */
	import_file("linter-valid/PYSEC-2023-74.json", &g);
	assert_int_equal(g.bad.len, 0);
	assert_true(tv_n_rows(tv_rec(&g, 0)) > 66);
	tv_got_free(&g);
}

/* --- event ordering (derived from the real DSA-3029-1) -------------------------------------- */

static void set_events(json_t *doc, const char *events)
{
	json_t *ev = json_loads(events, 0, NULL);
	assert_non_null(ev);
	json_t *range = json_array_get(
	        json_object_get(json_array_get(json_object_get(doc, "affected"), 0), "ranges"), 0);
	json_object_set_new(range, "events", ev);
}

static json_t *import_events(const char *events, struct tv_got *g)
{
	json_t *doc = load("DSA-3029-1.json");
	set_events(doc, events);
	tv_got_init(g);
	assert_int_equal(import_doc(doc, g), 0);
	json_decref(doc);
	return json_array_get(g->recs, 0);
}

static void test_event_order(void **state)
{
	(void)state;
	struct tv_got g;
	/* events out of order are sorted by version first ("0" lowest) */
	json_t *r = import_events("[{\"fixed\":\"1.2.1-2.2+wheezy3\"},{\"introduced\":\"0\"}]", &g);
	assert_non_null(r);
	tv_assert_row(
	        r, 0,
	        "pkg Debian:7 nginx deb (-inf,1.2.1-2.2+wheezy3) affected fixed=1.2.1-2.2+wheezy3");
	tv_got_free(&g);

	/* two intervals given shuffled; 1:0.9 (epoch 1) sorts after 1.6.2-1 in dpkg order */
	r = import_events("[{\"fixed\":\"1:0.9\"},{\"introduced\":\"1.5\"},{\"introduced\":\"0\"},"
	                  "{\"fixed\":\"1.2.1-2.2+wheezy3\"}]",
	                  &g);
	assert_int_equal(tv_n_rows(r), 2);
	tv_assert_row(
	        r, 0,
	        "pkg Debian:7 nginx deb (-inf,1.2.1-2.2+wheezy3) affected fixed=1.2.1-2.2+wheezy3");
	tv_assert_row(r, 1, "pkg Debian:7 nginx deb [1.5,1:0.9) affected fixed=1:0.9");
	tv_got_free(&g);

	/* last_affected is inclusive and names no fix; limit is exclusive and names no fix */
	r = import_events("[{\"introduced\":\"1.0\"},{\"last_affected\":\"1.2\"}]", &g);
	tv_assert_row(r, 0, "pkg Debian:7 nginx deb [1.0,1.2] affected fixed=-");
	tv_got_free(&g);
	r = import_events("[{\"introduced\":\"1.0\"},{\"limit\":\"2.0\"}]", &g);
	tv_assert_row(r, 0, "pkg Debian:7 nginx deb [1.0,2.0) affected fixed=-");
	tv_got_free(&g);

	/* introduced X + last_affected X is the one version X; introduced twice changes nothing */
	r = import_events("[{\"introduced\":\"1.0\"},{\"last_affected\":\"1.0\"}]", &g);
	tv_assert_row(r, 0, "pkg Debian:7 nginx deb [1.0,1.0] affected fixed=-");
	tv_got_free(&g);
	r = import_events("[{\"introduced\":\"1.0\"},{\"introduced\":\"1.1\"},{\"fixed\":\"1.3\"}]",
	                  &g);
	assert_int_equal(tv_n_rows(r), 1);
	tv_assert_row(r, 0, "pkg Debian:7 nginx deb [1.0,1.3) affected fixed=1.3");
	tv_got_free(&g);

	/* a fix before anything is introduced describes no version */
	r = import_events("[{\"fixed\":\"0.5\"},{\"introduced\":\"1.0\"}]", &g);
	assert_int_equal(tv_n_rows(r), 1);
	tv_assert_row(r, 0, "pkg Debian:7 nginx deb [1.0,+inf) affected fixed=-");
	tv_got_free(&g);
}

/* --- malformed variants of real records ------------------------------------------------------ */

/* Apply edit (a JSON object merged into the record, or a patch function) and expect one
 * malformed report with exactly want. */
static void expect_bad(const char *file, void (*edit)(json_t *), const char *want)
{
	struct tv_got g;
	json_t *doc = load(file);
	edit(doc);
	tv_got_init(&g);
	assert_int_equal(import_doc(doc, &g), 0);
	if (strcmp(it_buf_str(&g.bad), want) != 0)
		fail_msg("%s:\n  got  %s\n  want %s", file, it_buf_str(&g.bad), want);
	assert_int_equal(json_array_size(g.recs), 0);
	json_decref(doc);
	tv_got_free(&g);
}

static json_t *range0(json_t *doc)
{
	return json_array_get(
	        json_object_get(json_array_get(json_object_get(doc, "affected"), 0), "ranges"), 0);
}

static void no_id(json_t *d)
{
	json_object_del(d, "id");
}
static void no_modified(json_t *d)
{
	json_object_del(d, "modified");
}
static void bad_modified(json_t *d)
{
	json_object_set_new(d, "modified", json_string("yesterday"));
}
static void affected_object(json_t *d)
{
	json_object_set_new(d, "affected", json_object());
}
static void unknown_range_type(json_t *d)
{
	json_object_set_new(range0(d), "type", json_string("RPM"));
}
static void both_in_one_event(json_t *d)
{
	set_events(d, "[{\"introduced\":\"0\",\"fixed\":\"1.0\"}]");
}
static void fixed_and_last(json_t *d)
{
	set_events(d, "[{\"introduced\":\"0\"},{\"fixed\":\"1.0\"},{\"last_affected\":\"2.0\"}]");
}
static void event_number(json_t *d)
{
	set_events(d, "[{\"introduced\":0}]");
}
static void empty_events(json_t *d)
{
	set_events(d, "[]");
}
static void version_number(json_t *d)
{
	json_object_set_new(json_array_get(json_object_get(d, "affected"), 0), "versions",
	                    json_pack("[s,i]", "1.0", 2));
}
static void git_without_repo(json_t *d)
{
	json_object_del(range0(d), "repo");
}
static void name_number(json_t *d)
{
	json_object_set_new(
	        json_object_get(json_array_get(json_object_get(d, "affected"), 0), "package"),
	        "name", json_integer(7));
}
static void aliases_string(json_t *d)
{
	json_object_set_new(d, "aliases", json_string("CVE-2014-3616"));
}
static void severity_unknown(json_t *d)
{
	json_object_set_new(d, "severity",
	                    json_pack("[{s:s,s:s}]", "type", "CVSS_V9", "score", "x"));
}
static void versions_without_package(json_t *d)
{
	json_t *a = json_array_get(json_object_get(d, "affected"), 0);
	json_object_del(a, "package");
	json_object_set_new(a, "versions", json_pack("[s]", "1.0"));
}
static void ecosystem_range_without_package(json_t *d)
{
	json_object_del(json_array_get(json_object_get(d, "affected"), 0), "package");
}
static void id_array(json_t *d)
{
	json_object_set_new(d, "id", json_array());
}

static void test_malformed_variants(void **state)
{
	(void)state;
	expect_bad("DSA-3029-1.json", no_id, "id: a non-empty string\n");
	expect_bad("DSA-3029-1.json", id_array, "id: a non-empty string\n");
	expect_bad("DSA-3029-1.json", no_modified, "modified: an RFC 3339 date-time string\n");
	expect_bad("DSA-3029-1.json", bad_modified, "modified: an RFC 3339 date-time string\n");
	expect_bad("DSA-3029-1.json", affected_object, "affected: an array\n");
	expect_bad("DSA-3029-1.json", unknown_range_type,
	           "affected[0].ranges[0].type: one of GIT, SEMVER, ECOSYSTEM\n");
	expect_bad("DSA-3029-1.json", both_in_one_event,
	           "affected[0].ranges[0].events[0]: an object with exactly one of introduced, "
	           "fixed, last_affected, limit (a non-empty string)\n");
	expect_bad("DSA-3029-1.json", event_number,
	           "affected[0].ranges[0].events[0]: an object with exactly one of introduced, "
	           "fixed, last_affected, limit (a non-empty string)\n");
	expect_bad("DSA-3029-1.json", empty_events,
	           "affected[0].ranges[0].events: an array of 1 to 4096 events\n");
	expect_bad("DSA-3029-1.json", fixed_and_last,
	           "affected[0].ranges[0].events: \"fixed\" and \"last_affected\" not both in one "
	           "range\n");
	expect_bad("DSA-3029-1.json", version_number,
	           "affected[0].versions[1]: a non-empty string\n");
	expect_bad("DSA-3029-1.json", name_number,
	           "affected[0].package.name: a non-empty string\n");
	expect_bad("DSA-3029-1.json", aliases_string, "aliases: an array of strings\n");
	expect_bad("DSA-3029-1.json", severity_unknown,
	           "severity[0].type: one of CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu\n");
	expect_bad("DSA-3029-1.json", versions_without_package,
	           "affected[0].package: a package for a versions list\n");
	expect_bad("DSA-3029-1.json", ecosystem_range_without_package,
	           "affected[0].ranges[0]: a package for an ECOSYSTEM or SEMVER range\n");
	expect_bad("OSV-2021-1756.json", git_without_repo,
	           "affected[0].ranges[0].repo: a repository URL for a GIT range\n");
}

/* A document that is an array of records: each is imported or reported on its own. */
static void test_array_of_records(void **state)
{
	(void)state;
	struct tv_got g;
	json_t *good = load("DSA-3029-1.json"), *bad = load("DSA-3029-1.json");
	json_object_del(bad, "modified");
	json_t *doc = json_pack("[o,o,i]", good, bad, 3);
	tv_got_init(&g);
	assert_int_equal(import_doc(doc, &g), 0);
	assert_int_equal(json_array_size(g.recs), 1);
	assert_string_equal(it_buf_str(&g.bad), "[1].modified: an RFC 3339 date-time string\n"
	                                        "[2]: an OSV record (a JSON object)\n");
	json_decref(doc);
	tv_got_free(&g);

	/* a document that is no object at all */
	doc = json_string("OSV");
	tv_got_init(&g);
	assert_int_equal(import_doc(doc, &g), 0);
	assert_string_equal(it_buf_str(&g.bad), "$: an OSV record (a JSON object)\n");
	json_decref(doc);
	tv_got_free(&g);
}

/* Times are normalised to UTC with milliseconds, like the NVD importer's. */
static void test_times(void **state)
{
	(void)state;
	struct it_buf t = IT_BUF_INIT;
	assert_int_equal(it_time_utc("2022-03-14T13:10:55.000+01:00", &t), 0);
	assert_string_equal(it_buf_str(&t), "2022-03-14T12:10:55.000Z");
	assert_int_equal(it_time_utc("2021-12-31t23:30:00-01:00", &t), 0);
	assert_string_equal(it_buf_str(&t), "2022-01-01T00:30:00.000Z");
	assert_int_equal(it_time_utc("2022-04-13T03:04:42.912178Z", &t), 0);
	assert_string_equal(it_buf_str(&t), "2022-04-13T03:04:42.912Z");
	assert_int_equal(it_time_utc("2023-10-11T11:15:11.197", &t), 0);
	assert_string_equal(it_buf_str(&t), "2023-10-11T11:15:11.197Z");
	assert_int_equal(it_time_utc("2014-09-20", &t), 0);
	assert_string_equal(it_buf_str(&t), "2014-09-20T00:00:00.000Z");
	const char *bad[] = {"",
	                     "yesterday",
	                     "2022-02-30T00:00:00Z",
	                     "2022-13-01T00:00:00Z",
	                     "2022-01-01T24:00:00Z",
	                     "2022-01-01T00:00:00.Z",
	                     "2022-01-01T00:00:00Zjunk",
	                     "2022-01-01T00:00:00+0100",
	                     "2022-01-01T00:00:00.1234567890Z"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (it_time_utc(bad[i], &t) == 0)
			fail_msg("\"%s\" accepted as %s", bad[i], it_buf_str(&t));
	it_buf_free(&t);
	assert_string_equal(it_severity_word("Important"), "high");
	assert_string_equal(it_severity_word("MODERATE"), "medium");
	assert_string_equal(it_severity_word("negligible"), "low");
	assert_null(it_severity_word("urgent"));
	assert_null(it_severity_word(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_oss_fuzz_git),
	        cmocka_unit_test(test_git_groups_and_versions),
	        cmocka_unit_test(test_no_ranges_is_skipped),
	        cmocka_unit_test(test_almalinux),
	        cmocka_unit_test(test_debian_dsa_dla),
	        cmocka_unit_test(test_alpine),
	        cmocka_unit_test(test_ubuntu),
	        cmocka_unit_test(test_withdrawn),
	        cmocka_unit_test(test_linter_invalid),
	        cmocka_unit_test(test_linter_valid),
	        cmocka_unit_test(test_event_order),
	        cmocka_unit_test(test_malformed_variants),
	        cmocka_unit_test(test_array_of_records),
	        cmocka_unit_test(test_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

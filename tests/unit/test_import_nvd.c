/*
 * The NVD CVE API 2.0 importer on real records (tests/data/vulndb/nvd): the exact rows of
 * every edge case (firmware+hardware ANDs, several ranges, kernel rc versions, single-node
 * ANDs, vendor-style versions), counts on by-product pages, record fields and score choice,
 * withdrawn and skipped records, hand-made malformed variants with their exact JSON paths,
 * and documents of the wrong shape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "testvulndb.h"
#include "vulndb/importer.h"

/* --- a collecting sink ------------------------------------------------------------- */

struct log {
	json_t *records;       /* every emitted record, parsed back from its JSON text */
	struct it_buf rows;    /* "# <id>" then one line per row, from struct it_store_row */
	struct it_buf bad;     /* "<where>: <msg>" per malformed record */
	struct it_buf skipped; /* "<id>: <why>" per skipped record */
	size_t n_rows, n_bad, n_skipped, stop_after;
	int withdrawn; /* withdrawn records seen */
	struct it_error err;
	int rc;
};

static void row_line(struct it_buf *b, const struct it_store_row *r)
{
	it_buf_printf(b, "%s:%s ", r->ns, r->name);
	if (r->version)
		it_buf_printf(b, "=%s", r->version);
	else
		it_buf_printf(b, "%s%s,%s%s", r->start && r->start_incl ? "[" : "(",
		              r->start ? r->start : "*", r->end ? r->end : "*",
		              r->end && r->end_incl ? "]" : ")");
	if (r->platform)
		it_buf_printf(b, " platform=%s", r->platform);
	if (r->negate)
		it_buf_puts(b, " negate");
	it_buf_putc(b, '\n');
}

static int on_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	struct log *l = user;
	if (l->stop_after && json_array_size(l->records) >= l->stop_after)
		return it_error_set(err, IT_ERR_CANCELLED, NULL, IT_NO_OFFSET, "stop");
	json_t *rec = json_loads(v->json, 0, NULL);
	assert_non_null(rec);
	/* the struct agrees with the JSON text */
	assert_string_equal(v->id, json_string_value(json_object_get(rec, "id")));
	assert_string_equal(v->source, "nvd");
	assert_int_equal(v->n_rows, json_array_size(json_object_get(rec, "affected")));
	json_array_append_new(l->records, rec);
	l->withdrawn += v->withdrawn;
	it_buf_printf(&l->rows, "# %s\n", v->id);
	for (size_t i = 0; i < v->n_rows; i++)
		row_line(&l->rows, &v->rows[i]);
	l->n_rows += v->n_rows;
	return 0;
}

static void on_bad(void *user, const char *where, const char *msg)
{
	struct log *l = user;
	it_buf_printf(&l->bad, "%s: %s\n", where, msg);
	l->n_bad++;
}

static void on_skipped(void *user, const char *id, const char *why)
{
	struct log *l = user;
	it_buf_printf(&l->skipped, "%s: %s\n", id, why);
	l->n_skipped++;
}

static void log_init(struct log *l)
{
	memset(l, 0, sizeof(*l));
	l->records = json_array();
	l->err = (struct it_error)IT_ERROR_INIT;
}

static void log_free(struct log *l)
{
	json_decref(l->records);
	it_buf_free(&l->rows);
	it_buf_free(&l->bad);
	it_buf_free(&l->skipped);
	it_error_clear(&l->err);
}

static void run(struct log *l, json_t *doc, const char *file)
{
	struct it_import_sink sink = {on_vuln, NULL, on_bad, on_skipped, l};
	l->rc = it_import_nvd(doc, file, &sink, &l->err);
}

/* Import tests/data/vulndb/nvd/<rel> into l. */
static void run_file(struct log *l, const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "vulndb/nvd/%s", rel);
	json_t *doc = tv_load(NULL, path);
	log_init(l);
	run(l, doc, path);
	json_decref(doc);
}

static json_t *record(struct log *l, const char *id)
{
	size_t i;
	json_t *r;
	json_array_foreach(l->records, i, r) if (strcmp(json_string_value(json_object_get(r, "id")),
	                                                id) == 0) return r;
	fail_msg("no record %s", id);
	return NULL;
}

static void expect_rows(const char *rel, const char *expected)
{
	struct log l;
	run_file(&l, rel);
	assert_int_equal(l.rc, 0);
	assert_int_equal(l.n_bad, 0);
	assert_string_equal(it_buf_str(&l.rows), expected);
	log_free(&l);
}

/* --- the edge cases: exact rows -------------------------------------------------------- */

#define HW(v, p) " platform=cpe:2.3:h:" v ":" p ":-:*:*:*:*:*:*:*"

/* AND(firmware vulnerable, hardware not): the firmware row needs the hardware. Hardware is
 * the first node in CVE-2021-41617 and CVE-2022-27255, the second in CVE-2022-30065. */
static void test_firmware_and_hardware(void **state)
{
	(void)state;
	expect_rows("edge-cases/CVE-2022-27255.json",
	            "# CVE-2022-27255\n"
	            "realtek:ecos_rsdk_firmware =1.5.7p1" HW(
	                    "realtek", "ecos_rsdk") "\n"
	                                            "realtek:ecos_msdk_firmware =4.9.4p1" HW(
	                                                    "realtek", "ecos_msdk") "\n");
	expect_rows(
	        "edge-cases/CVE-2022-30065.json",
	        "# CVE-2022-30065\n"
	        "busybox:busybox =1.35.0\n"
	        "siemens:scalance_sc622-2c_firmware (*,3.0)" HW(
	                "siemens",
	                "scalance_sc622-2c") "\n"
	                                     "siemens:scalance_sc626-2c_firmware (*,3.0)" HW(
	                                             "siemens",
	                                             "scalance_sc626-2c") "\n"
	                                                                  "siemens:scalance_sc632-"
	                                                                  "2c_firmware (*,3.0)" HW(
	                                                                          "siemens",
	                                                                          "scalance_sc632-"
	                                                                          "2c") "\n"
	                                                                                "siemens:"
	                                                                                "scalance_"
	                                                                                "sc636-2c_"
	                                                                                "firmware "
	                                                                                "(*,3."
	                                                                                "0)" HW("si"
	                                                                                        "em"
	                                                                                        "en"
	                                                                                        "s",
	                                                                                        "sc"
	                                                                                        "al"
	                                                                                        "an"
	                                                                                        "ce"
	                                                                                        "_s"
	                                                                                        "c6"
	                                                                                        "36"
	                                                                                        "-2"
	                                                                                        "c") "\n"
	                                                                                             "siemens:scalance_sc642-2c_firmware (*,3.0)" HW(
	                                                                                                     "siemens",
	                                                                                                     "scalance_sc642-2c") "\n"
	                                                                                                                          "siemens:scalance_sc646-2c_firmware (*,3.0)" HW(
	                                                                                                                                  "siemens",
	                                                                                                                                  "scalance_sc646-2c") "\n");
	expect_rows(
	        "edge-cases/CVE-2021-41617.json",
	        "# CVE-2021-41617\n"
	        "openbsd:openssh [6.2,8.8)\n"
	        "fedoraproject:fedora =33\n"
	        "fedoraproject:fedora =34\n"
	        "fedoraproject:fedora =35\n"
	        "netapp:active_iq_unified_manager (*,*)\n"
	        "netapp:clustered_data_ontap (*,*)\n"
	        "netapp:hci_management_node (*,*)\n"
	        "netapp:ontap_select_deploy_administration_utility (*,*)\n"
	        "netapp:solidfire (*,*)\n"
	        "netapp:aff_a250_firmware (*,*)" HW(
	                "netapp",
	                "aff_a250") "\n"
	                            "netapp:aff_500f_firmware (*,*)" HW(
	                                    "netapp",
	                                    "aff_500f") "\n"
	                                                "oracle:http_server =12.2.1.2.0\n"
	                                                "oracle:http_server =12.2.1.3.0\n"
	                                                "oracle:http_server =12.2.1.4.0\n"
	                                                "oracle:zfs_storage_appliance_kit =8.8\n"
	                                                "starwindsoftware:starwind_virtual_san "
	                                                "=v8r13-14398\n");
}

/* An application that needs an operating system (AND with a non-vulnerable OS). */
static void test_application_on_os(void **state)
{
	(void)state;
	expect_rows("edge-cases/CVE-2023-0001.json",
	            "# CVE-2023-0001\n"
	            "paloaltonetworks:cortex_xdr_agent [7.5,7.5.101) "
	            "platform=cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*\n");
}

/* Several ranges of one product, vendor-style versions (6.2.1-23824-4, 4.21.14m). */
static void test_multiple_ranges(void **state)
{
	(void)state;
	expect_rows("edge-cases/CVE-2020-25684.json", "# CVE-2020-25684\n"
	                                              "thekelleys:dnsmasq (*,2.83)\n"
	                                              "fedoraproject:fedora =32\n"
	                                              "fedoraproject:fedora =33\n"
	                                              "debian:debian_linux =9.0\n"
	                                              "debian:debian_linux =10.0\n"
	                                              "arista:eos [4.21,4.21.14m)\n"
	                                              "arista:eos [4.22,4.22.9m)\n"
	                                              "arista:eos [4.23,4.23.7m)\n"
	                                              "arista:eos [4.24,4.24.5m)\n"
	                                              "arista:eos [4.25,4.25.2f)\n");
	expect_rows("edge-cases/CVE-2018-1160.json",
	            "# CVE-2018-1160\n"
	            "netatalk:netatalk (*,3.1.12)\n"
	            "synology:router_manager [1.2,1.2-7742-5)\n"
	            "synology:skynas (*,*)\n"
	            "synology:diskstation_manager [5.2,5.2-5967-9)\n"
	            "synology:diskstation_manager [6.1,6.1.7-15284-3)\n"
	            "synology:diskstation_manager [6.2,6.2.1-23824-4)\n"
	            "synology:vs960hd_firmware (*,*)" HW("synology",
	                                                 "vs960hd") "\n"
	                                                            "debian:debian_linux =9.0\n");
}

/* Kernel ranges and an rc release: "6.8" + update "rc1" is the version 6.8-rc1, never the
 * release 6.8 (which is fixed). */
static void test_kernel_rc(void **state)
{
	(void)state;
	expect_rows(
	        "edge-cases/CVE-2024-1086.json",
	        "# CVE-2024-1086\n"
	        "linux:linux_kernel [3.15,5.15.149)\n"
	        "linux:linux_kernel [6.1,6.1.76)\n"
	        "linux:linux_kernel [6.2,6.6.15)\n"
	        "linux:linux_kernel [6.7,6.7.3)\n"
	        "linux:linux_kernel =6.8-rc1\n"
	        "fedoraproject:fedora =39\n"
	        "redhat:enterprise_linux_desktop =7.0\n"
	        "redhat:enterprise_linux_for_ibm_z_systems =7.0_s390x\n"
	        "redhat:enterprise_linux_for_power_big_endian =7.0_ppc64\n"
	        "redhat:enterprise_linux_for_power_little_endian =7.0_ppc64le\n"
	        "redhat:enterprise_linux_server =7.0\n"
	        "redhat:enterprise_linux_workstation =7.0\n"
	        "debian:debian_linux =10.0\n"
	        "netapp:a250_firmware (*,*)" HW(
	                "netapp", "a250") "\n"
	                                  "netapp:500f_firmware (*,*)" HW(
	                                          "netapp", "500f") "\n"
	                                                            "netapp:c250_firmware (*,*)" HW(
	                                                                    "netapp", "c250") "\n");
}

/* "operator": "AND" around a single node requires nothing else: no platform. */
static void test_single_node_and(void **state)
{
	(void)state;
	expect_rows(
	        "edge-cases/CVE-2022-32221.json",
	        "# CVE-2022-32221\n"
	        "haxx:curl (*,7.86.0)\n"
	        "netapp:clustered_data_ontap (*,*)\n"
	        "netapp:h300s_firmware (*,*)" HW(
	                "netapp",
	                "h300s") "\n"
	                         "netapp:h500s_firmware (*,*)" HW(
	                                 "netapp",
	                                 "h500s") "\n"
	                                          "netapp:h700s_firmware (*,*)" HW(
	                                                  "netapp",
	                                                  "h700s") "\n"
	                                                           "netapp:h410s_firmware (*,*)" HW(
	                                                                   "netapp",
	                                                                   "h410s") "\n"
	                                                                            "debian:debian_"
	                                                                            "linux =10.0\n"
	                                                                            "debian:debian_"
	                                                                            "linux =11.0\n"
	                                                                            "apple:macos "
	                                                                            "(*,12.6.3)\n");
	expect_rows("edge-cases/CVE-2022-29503.json",
	            "# CVE-2022-29503\n"
	            "uclibc:uclibc =0.9.33.2\n"
	            "uclibc-ng_project:uclibc-ng =1.0.40\n"
	            "anker:eufy_homebase_2_firmware =2.1.8.8h" HW("anker", "eufy_homebase_2") "\n");
}

/* versionEndIncluding "7.881" (NVD's typo for 7.88.1) is a well-formed string: kept. */
static void test_odd_bound_kept(void **state)
{
	(void)state;
	expect_rows("edge-cases/CVE-2023-27533.json", "# CVE-2023-27533\n"
	                                              "haxx:curl [7.0.0,7.881]\n");
}

/* Every edge case imports with no malformed report and one record each. */
static void test_every_edge_case(void **state)
{
	(void)state;
	static const char *const ids[] = {"CVE-2018-1160",  "CVE-2020-25684", "CVE-2021-41617",
	                                  "CVE-2022-27255", "CVE-2022-29503", "CVE-2022-30065",
	                                  "CVE-2022-32221", "CVE-2023-0001",  "CVE-2023-27533",
	                                  "CVE-2024-1086"};
	static const size_t rows[] = {8, 10, 16, 2, 3, 7, 9, 1, 1, 16};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char rel[128];
		struct log l;
		snprintf(rel, sizeof(rel), "edge-cases/%s.json", ids[i]);
		run_file(&l, rel);
		assert_int_equal(l.rc, 0);
		assert_int_equal(json_array_size(l.records), 1);
		assert_int_equal(l.n_bad + l.n_skipped, 0);
		assert_int_equal(l.n_rows, rows[i]);
		json_t *o = json_object_get(record(&l, ids[i]), "origin");
		snprintf(rel, sizeof(rel), "%s.json", ids[i]);
		assert_string_equal(json_string_value(json_object_get(o, "file")), rel);
		log_free(&l);
	}
}

/* --- record fields ------------------------------------------------------------------- */

static const char *str_of(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	assert_non_null(s);
	return s;
}

static void test_record_fields(void **state)
{
	(void)state;
	struct log l;
	run_file(&l, "edge-cases/CVE-2024-1086.json");
	json_t *r = record(&l, "CVE-2024-1086");
	assert_string_equal(str_of(r, "source"), "nvd");
	assert_string_equal(str_of(r, "modified"), "2025-10-21T23:16:19.677Z");
	assert_string_equal(str_of(r, "published"), "2024-01-31T13:15:10.827Z");
	assert_true(json_is_false(json_object_get(r, "withdrawn")));
	assert_true(strncmp(str_of(r, "summary"), "A use-after-free vulnerability in the Linux",
	                    42) == 0);
	/* two v3.1 entries (the CNA's Secondary first): NVD's Primary decides */
	json_t *m = json_object_get(r, "metrics");
	assert_int_equal(json_array_size(m), 2);
	assert_string_equal(str_of(json_array_get(m, 0), "type"), "cvss_v3.1");
	assert_string_equal(str_of(json_array_get(m, 0), "source"), "cve-coordination@google.com");
	assert_true(json_is_false(json_object_get(json_array_get(m, 0), "primary")));
	assert_true(json_is_true(json_object_get(json_array_get(m, 1), "primary")));
	assert_string_equal(str_of(json_array_get(m, 1), "vector"),
	                    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H");
	assert_true(json_real_value(json_object_get(r, "score")) == 7.8);
	assert_string_equal(str_of(r, "severity"), "high");
	/* CWE-416 from both sources, once */
	json_t *cwes = json_object_get(r, "cwes");
	assert_int_equal(json_array_size(cwes), 1);
	assert_string_equal(json_string_value(json_array_get(cwes, 0)), "CWE-416");
	json_t *refs = json_object_get(r, "references");
	assert_int_equal(json_array_size(refs), 29);
	assert_non_null(json_object_get(json_array_get(refs, 0), "url"));
	json_t *hint = json_object_get(r, "kev_hint");
	assert_string_equal(str_of(hint, "date_added"), "2024-05-30");
	assert_string_equal(str_of(hint, "due_date"), "2024-06-20");
	assert_string_equal(str_of(hint, "name"), "Linux Kernel Use-After-Free Vulnerability");
	assert_true(strncmp(str_of(hint, "action"), "Apply mitigations", 17) == 0);
	/* a row in full */
	json_t *row = json_array_get(json_object_get(r, "affected"), 0);
	assert_string_equal(str_of(row, "kind"), "cpe");
	assert_string_equal(str_of(row, "cpe"), "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*");
	assert_string_equal(str_of(row, "scheme"), "generic");
	assert_string_equal(str_of(row, "status"), "affected");
	assert_string_equal(str_of(row, "fixed"), "5.15.149");
	assert_string_equal(str_of(row, "match_id"), "9E23B69A-DC79-4ABD-A29D-0CFDFA41F671");
	assert_true(json_is_null(json_object_get(row, "version")));
	assert_true(json_is_null(json_object_get(row, "platform")));
	assert_true(json_is_false(json_object_get(row, "negate")));
	/* no kev_hint without cisa* members */
	log_free(&l);
	run_file(&l, "edge-cases/CVE-2023-27533.json");
	assert_null(json_object_get(record(&l, "CVE-2023-27533"), "kev_hint"));
	log_free(&l);
}

/* CVE-2018-1160: v3.1 (the CNA's, 9.8) beats v3.0 and v2 (NVD's, 10.0). */
static void test_score_versions(void **state)
{
	(void)state;
	struct log l;
	run_file(&l, "edge-cases/CVE-2018-1160.json");
	json_t *r = record(&l, "CVE-2018-1160");
	assert_true(json_real_value(json_object_get(r, "score")) == 9.8);
	assert_string_equal(str_of(r, "severity"), "critical");
	/* the ssvcV203 entry is not a CVSS metric */
	assert_int_equal(json_array_size(json_object_get(r, "metrics")), 3);
	json_t *v2 = json_array_get(json_object_get(r, "metrics"), 2);
	assert_string_equal(str_of(v2, "type"), "cvss_v2");
	assert_string_equal(str_of(v2, "severity"), "high"); /* v2's baseSeverity is outside */
	log_free(&l);
	/* CVE-2023-0001: NVD's Primary v3.1 (6.7) first, the CNA's Secondary (6.0) after */
	run_file(&l, "edge-cases/CVE-2023-0001.json");
	r = record(&l, "CVE-2023-0001");
	assert_true(json_real_value(json_object_get(r, "score")) == 6.7);
	assert_string_equal(str_of(r, "severity"), "medium");
	log_free(&l);
}

/* Hand-made metric sets on a real record: v3.1 > v3.0 > v4.0 > v2, Primary first. */
static json_t *metric(const char *version, const char *type, double score, const char *sev)
{
	json_t *data = json_pack("{s:s, s:s, s:f}", "version", version, "vectorString", "CVSS:x",
	                         "baseScore", score);
	if (sev && strcmp(version, "2.0") != 0)
		json_object_set_new(data, "baseSeverity", json_string(sev));
	json_t *m = json_pack("{s:s, s:s, s:o}", "source", "x@example.org", "type", type,
	                      "cvssData", data);
	if (sev && strcmp(version, "2.0") == 0)
		json_object_set_new(m, "baseSeverity", json_string(sev));
	return m;
}

static double score_with(json_t *metrics, const char **severity)
{
	json_t *doc = tv_load(NULL, "vulndb/nvd/edge-cases/CVE-2023-27533.json");
	json_object_set_new(doc, "metrics", metrics);
	struct log l;
	log_init(&l);
	run(&l, doc, "hand-made");
	assert_int_equal(l.n_bad, 0);
	json_t *r = record(&l, "CVE-2023-27533");
	json_t *score = json_object_get(r, "score");
	double s = score ? json_real_value(score) : -1;
	static char sev[16];
	const char *word = json_string_value(json_object_get(r, "severity"));
	snprintf(sev, sizeof(sev), "%s", word ? word : "-");
	*severity = sev;
	log_free(&l);
	json_decref(doc);
	return s;
}

static void test_score_preference(void **state)
{
	(void)state;
	const char *sev;
	json_t *all = json_pack("{s:[o], s:[o], s:[o, o], s:[o]}", "cvssMetricV2",
	                        metric("2.0", "Primary", 10, "HIGH"), "cvssMetricV40",
	                        metric("4.0", "Secondary", 9.3, "CRITICAL"), "cvssMetricV31",
	                        metric("3.1", "Secondary", 5.0, "MEDIUM"),
	                        metric("3.1", "Primary", 7.5, "HIGH"), "cvssMetricV30",
	                        metric("3.0", "Primary", 6.1, "MEDIUM"));
	assert_true(score_with(all, &sev) == 7.5);
	assert_string_equal(sev, "high");
	json_t *no31 = json_pack("{s:[o], s:[o], s:[o]}", "cvssMetricV2",
	                         metric("2.0", "Primary", 10, "HIGH"), "cvssMetricV40",
	                         metric("4.0", "Secondary", 9.3, "CRITICAL"), "cvssMetricV30",
	                         metric("3.0", "Secondary", 6.1, "MEDIUM"));
	assert_true(score_with(no31, &sev) == 6.1);
	json_t *v4v2 =
	        json_pack("{s:[o], s:[o]}", "cvssMetricV2", metric("2.0", "Primary", 10, "HIGH"),
	                  "cvssMetricV40", metric("4.0", "Secondary", 9.3, "CRITICAL"));
	assert_true(score_with(v4v2, &sev) == 9.3);
	assert_string_equal(sev, "critical");
	/* v2 alone: its own word ("HIGH" for 10.0; v2 has no "critical") */
	assert_true(score_with(json_pack("{s:[o]}", "cvssMetricV2",
	                                 metric("2.0", "Primary", 10, "HIGH")),
	                       &sev) == 10);
	assert_string_equal(sev, "high");
	/* no baseSeverity: the word of the score */
	assert_true(score_with(json_pack("{s:[o]}", "cvssMetricV31",
	                                 metric("3.1", "Primary", 9.1, NULL)),
	                       &sev) == 9.1);
	assert_string_equal(sev, "critical");
	/* no CVSS at all: neither score nor severity */
	assert_true(score_with(json_object(), &sev) == -1);
	assert_string_equal(sev, "-");
}

/* --- pages -------------------------------------------------------------------------- */

struct counts {
	const char *rel;
	size_t records, rows, skipped;
};

static void test_page_counts(void **state)
{
	(void)state;
	/* rows = distinct vulnerable cpeMatch entries per record (jq), skipped = records
	 * without configurations */
	static const struct counts pages[] = {
	        {"by-product/busybox.json", 8, 49, 1},
	        {"by-product/openssh.json", 5, 33, 0},
	        {"by-product/openssl.json", 1, 9, 4},
	        {"by-product/dnsmasq.json", 6, 23, 0},
	        {"by-product/linux_kernel.json", 10, 107, 2},
	        {"api-pages/vunnel-full-page.json", 25, 34, 13},
	        {"api-pages/vunnel-single-entry.json", 1, 1, 0},
	        {"api-pages/osv-dev-CVE-2018-1000500.json", 1, 1, 0},
	};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct log l;
		run_file(&l, pages[i].rel);
		assert_int_equal(l.rc, 0);
		assert_int_equal(l.n_bad, 0);
		if (json_array_size(l.records) != pages[i].records || l.n_rows != pages[i].rows ||
		    l.n_skipped != pages[i].skipped)
			fail_msg("%s: %zu records, %zu rows, %zu skipped", pages[i].rel,
			         json_array_size(l.records), l.n_rows, l.n_skipped);
		log_free(&l);
	}
}

/* Records with no configurations yet are skipped, with the reason, not emitted. */
static void test_awaiting_analysis_skipped(void **state)
{
	(void)state;
	struct log l;
	run_file(&l, "by-product/openssl.json");
	assert_string_equal(
	        it_buf_str(&l.skipped),
	        "CVE-2023-5678: no configurations (vulnStatus \"Awaiting Analysis\")\n"
	        "CVE-2024-0727: no configurations (vulnStatus \"Awaiting Analysis\")\n"
	        "CVE-2024-6119: no configurations (vulnStatus \"Awaiting Analysis\")\n"
	        "CVE-2024-9143: no configurations (vulnStatus \"Awaiting Analysis\")\n");
	assert_int_equal(json_array_size(l.records), 1);
	log_free(&l);
}

static void test_osv_dev_single(void **state)
{
	(void)state;
	expect_rows("api-pages/osv-dev-CVE-2018-1000500.json", "# CVE-2018-1000500\n"
	                                                       "busybox:busybox (*,1.32.0)\n");
}

/* OpenSSH's portable releases: update "p1" joins without a separator, "-" adds nothing. */
static void test_update_attribute(void **state)
{
	(void)state;
	struct log l;
	run_file(&l, "by-product/openssh.json");
	assert_non_null(strstr(it_buf_str(&l.rows), "# CVE-2023-38408\n"
	                                            "openbsd:openssh (*,9.3)\n"
	                                            "openbsd:openssh =9.3\n"
	                                            "openbsd:openssh =9.3p1\n"));
	assert_non_null(strstr(it_buf_str(&l.rows), "openbsd:openssh [6.9,9.8]\n"
	                                            "openbsd:openssh =6.8p1\n"
	                                            "openbsd:openssh =9.9\n"
	                                            "openbsd:openssh =9.9p1\n"));
	log_free(&l);
}

/* Drop the CPE parser's own words after "expected a CPE 2.3 formatted string" (cpe.c's
 * messages are its own contract). */
static void cut_cpe_detail(struct it_buf *b)
{
	static const char key[] = "expected a CPE 2.3 formatted string";
	struct it_buf out = IT_BUF_INIT;
	const char *s = it_buf_str(b), *hit;
	while ((hit = strstr(s, key))) {
		it_buf_append(&out, s, (size_t)(hit - s) + sizeof(key) - 1);
		it_buf_puts(&out, "...");
		s = strchr(hit, '\n');
		assert_non_null(s);
	}
	it_buf_puts(&out, s);
	it_buf_free(b);
	*b = out;
}

/* --- hand-made variants of real records --------------------------------------------- */

static json_t *edge(const char *id)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "vulndb/nvd/edge-cases/%s.json", id);
	return tv_load(NULL, rel);
}

/* Import one cve object (as a page of one item) and return the log. */
static void run_one(struct log *l, json_t *cve)
{
	json_t *page = json_pack("{s:[{s:o}]}", "vulnerabilities", "cve", cve);
	log_init(l);
	run(l, page, "hand-made.json");
	json_decref(page);
}

/* vulnStatus "Rejected": emitted (so the store drops its rows) as withdrawn. */
static void test_rejected_withdrawn(void **state)
{
	(void)state;
	json_t *cve = edge("CVE-2023-27533");
	json_object_set_new(cve, "vulnStatus", json_string("Rejected"));
	json_object_del(cve, "configurations");
	json_object_set_new(cve, "descriptions",
	                    json_pack("[{s:s, s:s}]", "lang", "en", "value",
	                              "Rejected reason: This CVE ID has been rejected or withdrawn "
	                              "by its CVE Numbering Authority."));
	struct log l;
	run_one(&l, cve);
	assert_int_equal(json_array_size(l.records), 1);
	assert_int_equal(l.withdrawn, 1);
	assert_int_equal(l.n_rows + l.n_skipped + l.n_bad, 0);
	assert_true(json_is_true(json_object_get(json_array_get(l.records, 0), "withdrawn")));
	log_free(&l);
	/* any other status is not withdrawn */
	cve = edge("CVE-2023-27533");
	run_one(&l, cve);
	assert_int_equal(l.withdrawn, 0);
	log_free(&l);
}

static json_t *match_at(json_t *cve, size_t conf, size_t node, size_t m)
{
	json_t *nodes = json_object_get(
	        json_array_get(json_object_get(cve, "configurations"), conf), "nodes");
	json_t *match = json_array_get(json_object_get(json_array_get(nodes, node), "cpeMatch"), m);
	assert_non_null(match);
	return match;
}

/* A quoted '&' in the product (vunnel's single entry) and a quoted ',' (NetApp, by-product
 * page): unescaped in the row, verbatim in "cpe". */
static void test_escaped_criteria(void **state)
{
	(void)state;
	struct log l;
	run_file(&l, "api-pages/vunnel-single-entry.json");
	assert_int_equal(l.n_rows, 1);
	json_t *r = json_array_get(l.records, 0);
	json_t *row = json_array_get(json_object_get(r, "affected"), 0);
	assert_string_equal(str_of(row, "ns"), "themeisle");
	assert_string_equal(str_of(row, "name"), "wp_maintenance_mode_&_coming_soon");
	assert_string_equal(str_of(row, "cpe"),
	                    "cpe:2.3:a:themeisle:wp_maintenance_mode_\\&_coming_"
	                    "soon:*:*:*:*:*:wordpress:*:*");
	log_free(&l);
	json_t *cve = edge("CVE-2023-27533");
	json_object_set_new(
	        match_at(cve, 0, 0, 0), "criteria",
	        json_string("cpe:2.3:a:netapp:solidfire\\,_enterprise_sds_\\&_hci_storage_"
	                    "node:-:*:*:*:*:*:*:*"));
	run_one(&l, cve);
	assert_string_equal(it_buf_str(&l.rows),
	                    "# CVE-2023-27533\n"
	                    "netapp:solidfire,_enterprise_sds_&_hci_storage_node [7.0.0,7.881]\n");
	log_free(&l);
}

/* An ANY, NA or wildcard vendor or product never makes a row; nor does a wildcard version. */
static void test_wildcards_make_no_row(void **state)
{
	(void)state;
	static const char *const criteria[] = {
	        "cpe:2.3:a:*:busybox:1.35.0:*:*:*:*:*:*:*",
	        "cpe:2.3:a:busybox:*:1.35.0:*:*:*:*:*:*:*",
	        "cpe:2.3:a:-:busybox:1.35.0:*:*:*:*:*:*:*",
	        "cpe:2.3:a:busy*:busybox:1.35.0:*:*:*:*:*:*:*",
	        "cpe:2.3:a:busybox:busybo?:1.35.0:*:*:*:*:*:*:*",
	        "cpe:2.3:a:busybox:busybox:1.35.*:*:*:*:*:*:*:*",
	        "cpe:2.3:a:busybox:busybox:1.35.0:rc*:*:*:*:*:*:*",
	};
	for (size_t i = 0; i < sizeof(criteria) / sizeof(criteria[0]); i++) {
		json_t *cve = edge("CVE-2022-30065");
		json_object_set_new(match_at(cve, 0, 0, 0), "criteria", json_string(criteria[i]));
		struct log l;
		run_one(&l, cve);
		assert_int_equal(l.n_bad, 0);
		assert_int_equal(l.n_rows, 6); /* the six siemens firmware rows only */
		assert_null(strstr(it_buf_str(&l.rows), "busy"));
		log_free(&l);
	}
	/* a wildcard inside a value is no CPE 2.3 at all: the record is malformed */
	json_t *mid = edge("CVE-2022-30065");
	json_object_set_new(match_at(mid, 0, 0, 0), "criteria",
	                    json_string("cpe:2.3:a:busybox:busy?ox:1.35.0:*:*:*:*:*:*:*"));
	struct log m;
	run_one(&m, mid);
	assert_int_equal(json_array_size(m.records), 0);
	cut_cpe_detail(&m.bad);
	assert_string_equal(
	        it_buf_str(&m.bad),
	        "vulnerabilities[0].cve.configurations[0].nodes[0].cpeMatch[0].criteria: "
	        "expected a CPE 2.3 formatted string...\n");
	log_free(&m);
	/* a quoted '*' is a literal character, not a wildcard */
	json_t *cve = edge("CVE-2022-30065");
	json_object_set_new(match_at(cve, 0, 0, 0), "criteria",
	                    json_string("cpe:2.3:a:busy\\*:busybox:1.35.0:*:*:*:*:*:*:*"));
	struct log l;
	run_one(&l, cve);
	assert_non_null(strstr(it_buf_str(&l.rows), "busy*:busybox =1.35.0\n"));
	log_free(&l);
	/* a record whose only vulnerable CPE has an ANY vendor is skipped, with why */
	cve = edge("CVE-2023-27533");
	json_object_set_new(match_at(cve, 0, 0, 0), "criteria",
	                    json_string("cpe:2.3:a:*:curl:*:*:*:*:*:*:*:*"));
	run_one(&l, cve);
	assert_int_equal(json_array_size(l.records), 0);
	assert_string_equal(it_buf_str(&l.skipped),
	                    "CVE-2023-27533: no usable CPE: 1 vulnerable CPEs with an ANY/NA or "
	                    "wildcard vendor or product, or a wildcard version\n");
	log_free(&l);
}

/* The four range bounds: versionStartExcluding (absent from the real data) gives an open
 * start; both ends open or closed. */
static void test_range_bounds(void **state)
{
	(void)state;
	json_t *cve = edge("CVE-2023-27533");
	json_t *m = match_at(cve, 0, 0, 0);
	json_object_set_new(m, "versionStartExcluding", json_string("7.0.0"));
	json_object_del(m, "versionStartIncluding");
	json_object_set_new(m, "versionEndExcluding", json_string("7.88.1"));
	json_object_del(m, "versionEndIncluding");
	struct log l;
	run_one(&l, cve);
	assert_string_equal(it_buf_str(&l.rows), "# CVE-2023-27533\nhaxx:curl (7.0.0,7.88.1)\n");
	json_t *row = json_array_get(json_object_get(json_array_get(l.records, 0), "affected"), 0);
	assert_true(json_is_false(json_object_get(row, "start_incl")));
	assert_string_equal(str_of(row, "fixed"), "7.88.1");
	log_free(&l);
	/* an inclusive end states no fix */
	cve = edge("CVE-2023-27533");
	run_one(&l, cve);
	row = json_array_get(json_object_get(json_array_get(l.records, 0), "affected"), 0);
	assert_true(json_is_null(json_object_get(row, "fixed")));
	assert_true(json_is_true(json_object_get(row, "start_incl")));
	assert_true(json_is_true(json_object_get(row, "end_incl")));
	log_free(&l);
}

/* Upper-case vendor and product are stored lower case; the criteria is kept verbatim. */
static void test_lower_case(void **state)
{
	(void)state;
	json_t *cve = edge("CVE-2023-27533");
	json_object_set_new(match_at(cve, 0, 0, 0), "criteria",
	                    json_string("cpe:2.3:a:Haxx:cURL:*:*:*:*:*:*:*:*"));
	struct log l;
	run_one(&l, cve);
	assert_string_equal(it_buf_str(&l.rows), "# CVE-2023-27533\nhaxx:curl [7.0.0,7.881]\n");
	json_t *row = json_array_get(json_object_get(json_array_get(l.records, 0), "affected"), 0);
	assert_string_equal(str_of(row, "cpe"), "cpe:2.3:a:Haxx:cURL:*:*:*:*:*:*:*:*");
	log_free(&l);
}

/* The same vulnerable cpeMatch twice in a record gives one row. */
static void test_duplicate_rows(void **state)
{
	(void)state;
	json_t *cve = edge("CVE-2023-27533");
	json_t *confs = json_object_get(cve, "configurations");
	json_array_append_new(confs, json_deep_copy(json_array_get(confs, 0)));
	struct log l;
	run_one(&l, cve);
	assert_int_equal(l.n_rows, 1);
	log_free(&l);
}

/* negate on a node: its rows are negated; an AND sibling under NOT is "!"-marked in the
 * platform; negations along nested (legacy "children") nodes combine. */
static void test_negate_and_children(void **state)
{
	(void)state;
	json_t *cve = edge("CVE-2023-0001");
	json_t *nodes =
	        json_object_get(json_array_get(json_object_get(cve, "configurations"), 0), "nodes");
	/* NOT windows: the agent on anything but Windows */
	json_object_set_new(json_array_get(nodes, 1), "negate", json_true());
	struct log l;
	run_one(&l, cve);
	assert_string_equal(it_buf_str(&l.rows),
	                    "# CVE-2023-0001\n"
	                    "paloaltonetworks:cortex_xdr_agent [7.5,7.5.101) "
	                    "platform=!cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*\n");
	log_free(&l);
	/* the vulnerable node itself negated */
	cve = edge("CVE-2023-0001");
	nodes = json_object_get(json_array_get(json_object_get(cve, "configurations"), 0), "nodes");
	json_object_set_new(json_array_get(nodes, 0), "negate", json_true());
	run_one(&l, cve);
	assert_string_equal(it_buf_str(&l.rows),
	                    "# CVE-2023-0001\n"
	                    "paloaltonetworks:cortex_xdr_agent [7.5,7.5.101) "
	                    "platform=cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:* negate\n");
	log_free(&l);
	/* legacy nesting: AND(windows, OR(NOT(agent node))) below the configuration */
	cve = edge("CVE-2023-0001");
	json_t *conf = json_array_get(json_object_get(cve, "configurations"), 0);
	nodes = json_object_get(conf, "nodes");
	json_t *agent = json_deep_copy(json_array_get(nodes, 0));
	json_object_set_new(agent, "negate", json_true());
	json_t *wrap =
	        json_pack("{s:s, s:b, s:[o]}", "operator", "OR", "negate", 1, "children", agent);
	json_t *outer =
	        json_pack("{s:s, s:[O], s:[o]}", "operator", "AND", "cpeMatch",
	                  json_array_get(json_object_get(json_array_get(nodes, 1), "cpeMatch"), 0),
	                  "children", wrap);
	json_object_set_new(conf, "nodes", json_pack("[o]", outer));
	json_object_del(conf, "operator");
	run_one(&l, cve);
	assert_int_equal(l.n_bad, 0);
	/* NOT(NOT agent) = agent; windows is an operand of the same AND: the platform */
	assert_string_equal(it_buf_str(&l.rows),
	                    "# CVE-2023-0001\n"
	                    "paloaltonetworks:cortex_xdr_agent [7.5,7.5.101) "
	                    "platform=cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*\n");
	log_free(&l);
}

/* An AND of two vulnerable nodes: each row needs the other; operands of an AND node
 * inside one cpeMatch list need each other too. */
static void test_and_of_vulnerable(void **state)
{
	(void)state;
	json_t *cve = edge("CVE-2023-0001");
	json_object_set_new(match_at(cve, 0, 1, 0), "vulnerable", json_true());
	struct log l;
	run_one(&l, cve);
	assert_string_equal(
	        it_buf_str(&l.rows),
	        "# CVE-2023-0001\n"
	        "paloaltonetworks:cortex_xdr_agent [7.5,7.5.101) "
	        "platform=cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*\n"
	        "microsoft:windows (*,*) platform=cpe:2.3:a:paloaltonetworks:cortex_xdr_"
	        "agent:*:*:*:*:critical_environment:*:*:*\n");
	log_free(&l);
	/* one node, operator AND, both cpeMatches in it */
	cve = edge("CVE-2023-0001");
	json_t *conf = json_array_get(json_object_get(cve, "configurations"), 0);
	json_t *nodes = json_object_get(conf, "nodes");
	json_t *node = json_array_get(nodes, 0);
	json_object_set_new(node, "operator", json_string("AND"));
	json_array_append(json_object_get(node, "cpeMatch"), match_at(cve, 0, 1, 0));
	json_array_remove(nodes, 1);
	run_one(&l, cve);
	assert_string_equal(it_buf_str(&l.rows),
	                    "# CVE-2023-0001\n"
	                    "paloaltonetworks:cortex_xdr_agent [7.5,7.5.101) "
	                    "platform=cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*\n");
	log_free(&l);
}

/* A platform of more than 256 CPEs is cut there and flagged. */
static void test_platform_limit(void **state)
{
	(void)state;
	json_t *cve = edge("CVE-2023-0001");
	json_t *os = json_object_get(
	        json_array_get(
	                json_object_get(json_array_get(json_object_get(cve, "configurations"), 0),
	                                "nodes"),
	                1),
	        "cpeMatch");
	for (int i = 0; i < 300; i++) {
		char c[96];
		snprintf(c, sizeof(c), "cpe:2.3:h:acme:board%d:-:*:*:*:*:*:*:*", i);
		json_array_append_new(os, json_pack("{s:b, s:s, s:s}", "vulnerable", 0, "criteria",
		                                    c, "matchCriteriaId", "x"));
	}
	struct log l;
	run_one(&l, cve);
	json_t *row = json_array_get(json_object_get(json_array_get(l.records, 0), "affected"), 0);
	const char *p = str_of(row, "platform");
	size_t spaces = 0;
	for (; *p; p++)
		spaces += *p == ' ';
	assert_int_equal(spaces, 255);
	assert_true(json_is_true(json_object_get(row, "platform_truncated")));
	log_free(&l);
}

/* --- malformed records: exact paths ------------------------------------------------- */

static void set_path(json_t *cve, const char *key, json_t *v)
{
	json_object_set_new(cve, key, v);
}

/* A page of 14 items: good ones around hand-made bad ones; each bad one is reported with its
 * exact path and skipped, every good one imports. */
static void test_malformed_paths(void **state)
{
	(void)state;
	json_t *items = json_array();
	json_t *cve;
	for (int i = 0; i < 14; i++) {
		cve = edge(i % 2 || i == 12 ? "CVE-2024-1086" : "CVE-2022-27255");
		switch (i) {
		case 0:
			json_object_del(cve, "id");
			break;
		case 1:
			set_path(cve, "id", json_integer(12));
			break;
		case 2:
			json_object_del(cve, "lastModified");
			break;
		case 3:
			set_path(cve, "lastModified", json_string("2023-02-29T10:00:00.000"));
			break;
		case 4:
			set_path(cve, "configurations", json_object());
			break;
		case 5:
			json_object_set_new(match_at(cve, 0, 0, 2), "versionStartIncluding",
			                    json_real(6.2));
			break;
		case 6:
			json_object_set_new(match_at(cve, 1, 1, 0), "criteria",
			                    json_string("cpe:2.3:o:realtek"));
			break;
		case 7:
			json_object_set_new(match_at(cve, 2, 0, 0), "vulnerable",
			                    json_string("yes"));
			break;
		case 8:
			json_object_set_new(
			        json_array_get(json_object_get(cve, "configurations"), 1),
			        "operator", json_string("XOR"));
			break;
		case 9:
			json_object_set_new(
			        json_object_get(
			                json_array_get(
			                        json_object_get(json_object_get(cve, "metrics"),
			                                        "cvssMetricV31"),
			                        1),
			                "cvssData"),
			        "baseScore", json_string("7.8"));
			break;
		case 10:
			json_decref(cve);
			cve = NULL; /* the item is not an object */
			break;
		case 12: {
			/* the brief's example path: nodes[1].cpeMatch[3].versionEndIncluding */
			json_t *nodes = json_object_get(
			        json_array_get(json_object_get(cve, "configurations"), 0), "nodes");
			json_array_append_new(nodes, json_deep_copy(json_array_get(nodes, 0)));
			json_object_set_new(match_at(cve, 0, 1, 3), "versionEndIncluding",
			                    json_integer(7));
			break;
		}
		default:
			break;
		}
		json_array_append_new(items,
		                      cve ? json_pack("{s:o}", "cve", cve) : json_integer(42));
	}
	json_t *page = json_pack("{s:s, s:o}", "format", "NVD_CVE", "vulnerabilities", items);
	struct log l;
	log_init(&l);
	run(&l, page, "hand-made.json");
	assert_int_equal(l.rc, 0);
	cut_cpe_detail(&l.bad);
	assert_string_equal(
	        it_buf_str(&l.bad),
	        "vulnerabilities[0].cve.id: a string is required\n"
	        "vulnerabilities[1].cve.id: expected a string\n"
	        "vulnerabilities[2].cve.lastModified: a string is required\n"
	        "vulnerabilities[3].cve.lastModified: expected a date-time "
	        "(YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm])\n"
	        "vulnerabilities[4].cve.configurations: expected an array\n"
	        "vulnerabilities[5].cve.configurations[0].nodes[0].cpeMatch[2]."
	        "versionStartIncluding: "
	        "expected a string\n"
	        "vulnerabilities[6].cve.configurations[1].nodes[1].cpeMatch[0].criteria: expected "
	        "a CPE 2.3 formatted string...\n"
	        "vulnerabilities[7].cve.configurations[2].nodes[0].cpeMatch[0].vulnerable: "
	        "expected a "
	        "boolean\n"
	        "vulnerabilities[8].cve.configurations[1].operator: expected \"AND\" or \"OR\"\n"
	        "vulnerabilities[9].cve.metrics.cvssMetricV31[1].cvssData.baseScore: expected a "
	        "number from 0 to 10\n"
	        "vulnerabilities[10]: expected an item {\"cve\": {...}}\n"
	        "vulnerabilities[12].cve.configurations[0].nodes[1].cpeMatch[3]."
	        "versionEndIncluding: "
	        "expected a string\n");
	/* items 11 and 13 (CVE-2024-1086) import */
	assert_int_equal(json_array_size(l.records), 2);
	assert_int_equal(l.n_rows, 32);
	log_free(&l);
	json_decref(page);
}

/* More malformed members, one record each. */
static void test_malformed_members(void **state)
{
	(void)state;
	static const struct {
		const char *key, *json, *where;
	} cases[] = {
	        {"published", "\"2023-13-01T00:00:00\"", "published"},
	        {"vulnStatus", "7", "vulnStatus"},
	        {"descriptions", "{}", "descriptions"},
	        {"descriptions", "[{\"lang\":\"en\"}]", "descriptions[0].value"},
	        {"weaknesses", "[{\"description\":[{\"value\":7}]}]",
	         "weaknesses[0].description[0].value"},
	        {"references", "[{\"url\":\"https://x\",\"tags\":[1]}]", "references[0].tags[0]"},
	        {"references", "[{\"tags\":[]}]", "references[0].url"},
	        {"metrics", "[]", "metrics"},
	        {"metrics",
	         "{\"cvssMetricV2\":[{\"cvssData\":{\"vectorString\":\"AV:N\","
	         "\"baseScore\":11}}]}",
	         "metrics.cvssMetricV2[0].cvssData.baseScore"},
	        {"cisaExploitAdd", "20240530", "cisaExploitAdd"},
	        {"configurations", "[{\"operator\":\"AND\"}]", "configurations[0].nodes"},
	        {"configurations", "[{\"nodes\":[{\"operator\":\"OR\"}]}]",
	         "configurations[0].nodes[0].cpeMatch"},
	        {"configurations",
	         "[{\"nodes\":[{\"operator\":\"OR\",\"negate\":\"no\","
	         "\"cpeMatch\":[]}]}]",
	         "configurations[0].nodes[0].negate"},
	        {"configurations",
	         "[{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":"
	         "true,\"criteria\":\"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*\","
	         "\"versionStartIncluding\":\"1\",\"versionStartExcluding\":\"2\"}]}]}]",
	         "configurations[0].nodes[0].cpeMatch[0].versionStartExcluding"},
	        {"configurations",
	         "[{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":"
	         "true,\"criteria\":\"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*\","
	         "\"versionEndExcluding\":\"\"}]}]}]",
	         "configurations[0].nodes[0].cpeMatch[0].versionEndExcluding"},
	        {"configurations",
	         "[{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":"
	         "true,\"criteria\":\"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:* \"}]}]}]",
	         "configurations[0].nodes[0].cpeMatch[0].criteria"},
	        {"configurations",
	         "[{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":"
	         "true,\"criteria\":\"cpe:2.3:x:haxx:curl:*:*:*:*:*:*:*:*\"}]}]}]",
	         "configurations[0].nodes[0].cpeMatch[0].criteria"},
	        {"configurations",
	         "[{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":"
	         "true,\"criteria\":\"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*:*\"}]}]}]",
	         "configurations[0].nodes[0].cpeMatch[0].criteria"},
	        {"configurations",
	         "[{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":[{\"vulnerable\":"
	         "true,\"criteria\":\"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*\\\\\"}]}]}]",
	         "configurations[0].nodes[0].cpeMatch[0].criteria"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *cve = edge("CVE-2023-27533");
		json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		assert_non_null(v);
		json_object_set_new(cve, cases[i].key, v);
		struct log l;
		run_one(&l, cve);
		const char *bad = it_buf_str(&l.bad);
		char prefix[256];
		snprintf(prefix, sizeof(prefix), "vulnerabilities[0].cve.%s: ", cases[i].where);
		if (l.n_bad != 1 || strncmp(bad, prefix, strlen(prefix)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, bad, prefix);
		assert_int_equal(json_array_size(l.records), 0);
		log_free(&l);
	}
}

/* Nesting beyond 8 levels of children is malformed, not a deep recursion. */
static void test_nesting_limit(void **state)
{
	(void)state;
	json_t *cve = edge("CVE-2023-27533");
	json_t *conf = json_array_get(json_object_get(cve, "configurations"), 0);
	json_t *node = json_incref(json_array_get(json_object_get(conf, "nodes"), 0));
	for (int i = 0; i < 9; i++)
		node = json_pack("{s:s, s:[o]}", "operator", "OR", "children", node);
	json_object_set_new(conf, "nodes", json_pack("[o]", node));
	struct log l;
	run_one(&l, cve);
	assert_string_equal(
	        it_buf_str(&l.bad),
	        "vulnerabilities[0].cve.configurations[0].nodes[0].children[0].children[0]."
	        "children[0].children[0].children[0].children[0].children[0].children: "
	        "nodes nested too deep (limit 8)\n");
	log_free(&l);
}

/* Times: NVD's zone-less UTC, Z, offsets across days and years, fractions. */
static void test_times(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	        {"2023-10-11T11:15:11.197", "2023-10-11T11:15:11.197Z"},
	        {"2023-10-11T11:15:11Z", "2023-10-11T11:15:11.000Z"},
	        {"2023-10-11t11:15:11.1z", "2023-10-11T11:15:11.100Z"},
	        {"2023-10-11T11:15:11.123456789", "2023-10-11T11:15:11.123Z"},
	        {"2023-12-31T23:30:00-01:00", "2024-01-01T00:30:00.000Z"},
	        {"2024-03-01T00:10:00+00:20", "2024-02-29T23:50:00.000Z"},
	        {"2024-03-01T00:10:00+0020", "2024-02-29T23:50:00.000Z"},
	        {"2023-10-11", "2023-10-11T00:00:00.000Z"},
	        {"2023-02-29T00:00:00", NULL},
	        {"2023-10-11T24:00:00", NULL},
	        {"2023-10-11T11:15", NULL},
	        {"2023-10-11T11:15:11.", NULL},
	        {"2023-10-11T11:15:11+01:", NULL},
	        {"2023-10-11T11:15:11 ", NULL},
	        {"0001-01-01T00:00:00+00:01", NULL},
	        {"yesterday", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *cve = edge("CVE-2023-27533");
		json_object_set_new(cve, "lastModified", json_string(cases[i][0]));
		struct log l;
		run_one(&l, cve);
		if (cases[i][1]) {
			assert_int_equal(l.n_bad, 0);
			assert_string_equal(str_of(json_array_get(l.records, 0), "modified"),
			                    cases[i][1]);
		} else if (l.n_bad != 1) {
			fail_msg("%s accepted", cases[i][0]);
		}
		log_free(&l);
	}
}

/* --- document forms and wrong documents ----------------------------------------------- */

/* The bare cve object (the edge-case files), {"cve": ..} and a page give the same record;
 * paths are relative to the document. */
static void test_document_forms(void **state)
{
	(void)state;
	struct log bare, item, page;
	run_file(&bare, "edge-cases/CVE-2022-27255.json");
	json_t *cve = edge("CVE-2022-27255");
	json_t *one = json_pack("{s:O}", "cve", cve);
	log_init(&item);
	run(&item, one, "CVE-2022-27255.json");
	log_init(&page);
	json_t *p = json_pack("{s:[{s:O}]}", "vulnerabilities", "cve", cve);
	run(&page, p, "CVE-2022-27255.json");
	assert_true(json_equal(bare.records, item.records));
	assert_true(json_equal(bare.records, page.records));
	log_free(&bare);
	log_free(&item);
	log_free(&page);
	json_decref(one);
	json_decref(p);

	json_object_set_new(cve, "lastModified", json_integer(0));
	log_init(&bare);
	run(&bare, cve, "bare.json");
	assert_string_equal(it_buf_str(&bare.bad), "lastModified: expected a string\n");
	log_free(&bare);
	one = json_pack("{s:O}", "cve", cve);
	log_init(&item);
	run(&item, one, "item.json");
	assert_string_equal(it_buf_str(&item.bad), "cve.lastModified: expected a string\n");
	log_free(&item);
	json_decref(one);
	json_decref(cve);
}

static void test_wrong_documents(void **state)
{
	(void)state;
	static const char *const docs[] = {
	        "[]",
	        "\"vulnerabilities\"",
	        "{}",
	        "{\"resultsPerPage\": 0}",
	        "{\"vulnerabilities\": {}}",
	        "{\"vulnerabilities\": [{\"id\": \"CVE-2023-1\"}]}",
	        "{\"cve\": 3}",
	        "{\"CVE_Items\": [], \"CVE_data_type\": \"CVE\"}",
	        "{\"catalogVersion\": \"1\", \"vulnerabilities\": [{\"cveID\": \"CVE-2023-1\"}]}",
	        "{\"document\": {\"csaf_version\": \"2.0\"}, \"vulnerabilities\": [{\"cve\": "
	        "\"CVE-2023-1\"}]}",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_t *doc = json_loads(docs[i], JSON_DECODE_ANY, NULL);
		assert_non_null(doc);
		struct log l;
		log_init(&l);
		run(&l, doc, "dir/wrong.json");
		if (l.rc != -1)
			fail_msg("document %zu accepted", i);
		assert_int_equal(l.err.code, IT_ERR_INPUT);
		assert_string_equal(l.err.where, "dir/wrong.json");
		assert_int_equal(l.n_bad + json_array_size(l.records), 0);
		log_free(&l);
		json_decref(doc);
	}
	/* an empty page is fine; a page with one NVD item has bad items, not a bad shape */
	json_t *doc = json_pack("{s:[]}", "vulnerabilities");
	struct log l;
	log_init(&l);
	run(&l, doc, "empty.json");
	assert_int_equal(l.rc, 0);
	log_free(&l);
	json_decref(doc);
	doc = json_loads(
	        "{\"vulnerabilities\": [{\"cve\": {\"id\": \"CVE-2023-1\"}}, {\"cve\": 1}, "
	        "[]]}",
	        0, NULL);
	log_init(&l);
	run(&l, doc, "page.json");
	assert_int_equal(l.rc, 0);
	assert_string_equal(it_buf_str(&l.bad),
	                    "vulnerabilities[0].cve.lastModified: a string is required\n"
	                    "vulnerabilities[1].cve: an NVD cve object is required\n"
	                    "vulnerabilities[2]: expected an item {\"cve\": {...}}\n");
	log_free(&l);
	json_decref(doc);
}

/* A sink that fails stops the import; its error is kept. */
static void test_sink_stops(void **state)
{
	(void)state;
	json_t *doc = tv_load(NULL, "vulndb/nvd/by-product/busybox.json");
	struct log l;
	log_init(&l);
	l.stop_after = 2;
	run(&l, doc, "busybox.json");
	assert_int_equal(l.rc, -1);
	assert_int_equal(l.err.code, IT_ERR_CANCELLED);
	assert_int_equal(json_array_size(l.records), 2);
	log_free(&l);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_firmware_and_hardware),
	        cmocka_unit_test(test_application_on_os),
	        cmocka_unit_test(test_multiple_ranges),
	        cmocka_unit_test(test_kernel_rc),
	        cmocka_unit_test(test_single_node_and),
	        cmocka_unit_test(test_odd_bound_kept),
	        cmocka_unit_test(test_every_edge_case),
	        cmocka_unit_test(test_record_fields),
	        cmocka_unit_test(test_score_versions),
	        cmocka_unit_test(test_score_preference),
	        cmocka_unit_test(test_page_counts),
	        cmocka_unit_test(test_awaiting_analysis_skipped),
	        cmocka_unit_test(test_osv_dev_single),
	        cmocka_unit_test(test_update_attribute),
	        cmocka_unit_test(test_escaped_criteria),
	        cmocka_unit_test(test_rejected_withdrawn),
	        cmocka_unit_test(test_wildcards_make_no_row),
	        cmocka_unit_test(test_range_bounds),
	        cmocka_unit_test(test_lower_case),
	        cmocka_unit_test(test_duplicate_rows),
	        cmocka_unit_test(test_negate_and_children),
	        cmocka_unit_test(test_and_of_vulnerable),
	        cmocka_unit_test(test_platform_limit),
	        cmocka_unit_test(test_malformed_paths),
	        cmocka_unit_test(test_malformed_members),
	        cmocka_unit_test(test_nesting_limit),
	        cmocka_unit_test(test_times),
	        cmocka_unit_test(test_document_forms),
	        cmocka_unit_test(test_wrong_documents),
	        cmocka_unit_test(test_sink_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

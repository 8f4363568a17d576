/*
 * Tests of the HTML report of an assessment (src/report/assess_html.c): hostile strings
 * from firmware and profiles come out escaped everywhere they are shown (text, attributes,
 * SVG labels, the title); control bytes and bidi overrides are made visible; a minimal
 * document (no gaps, no safety, no vulnerabilities) renders; long lists are capped; the
 * real demo assessment (tests/data/assess/demo-assessment.json) renders every section.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iotrust/assess_report.h"
#include "testutil.h"

#define EVIL "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>&amp;"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* A document with the keys the writer reads and nothing in them. */
static json_t *minimal(void)
{
	json_t *a = json_pack(
	        "{ss si ss s{ss ss} s{} s{ss} s{} s{ss s[] ss ss s[]} s[] s{si si si s{}} s[] s[] "
	        "s[] s{s[] s[]} s[]}",
	        "format", "iotrust-assessment", "format_version", 1, "assessed_at",
	        "2026-01-01T00:00:00Z", "tool", "name", "iotrust", "version", "0.1.0", "product",
	        "image", "name", "fw.bin", "profile", "tier", "level", "basic", "reasons",
	        "cra_class", "default", "fail_at", "high", "required", "consistency", "summary",
	        "provisions", 0, "mandatory_failed", 0, "mandatory_inconclusive", 0, "counts",
	        "standards", "gaps", "safety", "privacy", "flows", "protection", "provisions");
	assert_non_null(a);
	return a;
}

static char *render(const json_t *a)
{
	struct it_buf b = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	if (it_assess_html(a, &b, &err) < 0)
		fail_msg("it_assess_html: %s", err.message);
	assert_true(b.len > 0);
	return it_buf_detach(&b);
}

/* No byte of the page is a control character other than tab and newline. */
static void assert_no_controls(const char *html)
{
	for (const unsigned char *p = (const unsigned char *)html; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			fail_msg("control byte 0x%02x at offset %zu", *p,
			         (size_t)(p - (const unsigned char *)html));
}

static void test_minimal_renders(void **state)
{
	(void)state;
	json_t *a = minimal();
	char *html = render(a);
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "</html>\n"));
	assert_non_null(strstr(html, "id=\"tier\">basic</div>"));
	assert_non_null(strstr(html, "Nothing to fix"));
	assert_non_null(strstr(html, "declares no remote actuation"));
	assert_non_null(strstr(html, "No known vulnerabilities."));
	assert_non_null(strstr(html, "No findings."));
	assert_int_equal(count(html, "<svg "), 3);
	assert_int_equal(count(html, "<title id="), 3);
	assert_int_equal(count(html, "<desc id="), 3);
	assert_int_equal(count(html, "<script"), 0);
	/* nothing that could load: no src, no external href, a CSP that forbids loads */
	assert_int_equal(count(html, " src="), 0);
	assert_int_equal(count(html, "href=\"http"), 0);
	assert_non_null(strstr(html, "default-src 'none'"));
	assert_no_controls(html);
	free(html);
	json_decref(a);
}

/* Every place a string of the document is shown, fed the same hostile string. */
static json_t *hostile(void)
{
	json_t *a = minimal();
	json_t *finding = json_pack("{ss ss ss ss sb}", "check", EVIL, "severity", "high", "path",
	                            EVIL, "message", "line1\x01\x1b[31m\x7f" EVIL, "fails", 1);
	json_t *vuln = json_pack("{ss ss ss sb sb}", "id", EVIL, "component",
	                         "pkg:generic/" EVIL "@1%3Cx%3E", "severity", "critical", "kev", 1,
	                         "fails", 1);
	assert_non_null(finding);
	assert_non_null(vuln);
	json_t *fields = json_pack(
	        "{s{ss ss ss} s{ss s[{ss ss}] ss ss ss s[]} ss s{ss}"
	        " s[{ss ss sb ss s{si si si si si} si si}]"
	        " s[{ss ss ss ss ss si sb s[s] si}, {ss ss ss sb s[s] si}]"
	        " s[{ss ss ss ss s[{ss ss ss}]}]"
	        " s[{ss ss s[O]}]"
	        " s{s{s{sb s[{ss ss}]}} s[{ss s[s] ss ss ss}] s[{ss ss ss}]}"
	        " s[{ss ss ss ss sb sb ss s[s] s[O] s[O] s{ss ss ss} ss}] s{ss ss}}",
	        "product", "vendor", EVIL, "product",
	        EVIL "\xe2\x80\xae"
	             "gpj.exe",
	        "firmware_version", EVIL, "tier", "level", EVIL, "reasons", "tier", EVIL, "because",
	        EVIL, "cra_class", EVIL, "cra_because", EVIL, "fail_at", EVIL, "required",
	        "support_until", EVIL, "disclosure", "contact", EVIL, "standards", "id", EVIL,
	        "title", EVIL, "met", 0, "level_met", EVIL, "counts", "PASS", 1, "FAIL", 1,
	        "DECLARED", 0, "NOT-APPLICABLE", 0, "INCONCLUSIVE", 0, "required_failed", 1,
	        "required_inconclusive", 0, "gaps", "kind", "finding", "id", EVIL, "title", EVIL,
	        "remediation", EVIL, "severity", EVIL, "findings", 3, "kev", 0, "provisions",
	        EVIL ":1", "rank", 1, "kind", "provision", "id", EVIL, "question", EVIL, "kev", 0,
	        "provisions", EVIL, "rank", 2, "consistency", "id", EVIL, "profile", EVIL,
	        "firmware", EVIL, "x", "", "findings", "check", EVIL, "path", EVIL, "message", EVIL,
	        "safety", "function", EVIL, "consequence", EVIL, "threats", finding, "privacy",
	        "processed", EVIL, "processed", 1, "uses", "what", EVIL, "purpose", EVIL, "flows",
	        "recipient", EVIL, "data", EVIL, "purpose", EVIL, "storage_country", EVIL,
	        "storage_location", EVIL, "protection", "id", EVIL ":1", "title", EVIL, "verdict",
	        EVIL, "provisions", "id", EVIL ":1", "standard", EVIL, "title", EVIL, "level", EVIL,
	        "applies", 1, "required", 1, "verdict", "FAIL", "reasons", EVIL, "findings",
	        finding, "vulnerabilities", vuln, "declaration", "status", EVIL, "justification",
	        EVIL, "evidence", EVIL, "question", EVIL, "image", "name", EVIL, "sha256", EVIL);
	assert_non_null(fields);
	assert_int_equal(json_object_update(a, fields), 0);
	json_decref(fields);
	json_decref(finding);
	json_decref(vuln);
	return a;
}

static void test_hostile_strings_escaped(void **state)
{
	(void)state;
	json_t *a = hostile();
	char *html = render(a);
	/* nothing of the payload survives as markup ... */
	assert_int_equal(count(html, "<script"), 0);
	assert_int_equal(count(html, "<img"), 0);
	assert_int_equal(count(html, "'>"), 0);
	assert_int_equal(count(html, "\"'"), 0);
	/* ... and it is all shown, escaped: & < > " ' */
	assert_true(count(html, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img "
	                        "src=x onerror=alert(2)&gt;&amp;amp;") >= 20);
	/* an attribute carrying document text (the image digest's tooltip) */
	assert_non_null(strstr(html, "title=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"));
	/* control bytes and the right-to-left override are shown, not obeyed */
	assert_non_null(strstr(html, "line1\\x01\\x1b[31m\\x7f&lt;script"));
	assert_non_null(strstr(html, "\\u202egpj.exe"));
	assert_no_controls(html);
	assert_null(strstr(html, "\xe2\x80\xae"));
	/* untrusted words never pick a CSS class: unknown verdicts and levels are "unknown" */
	assert_non_null(strstr(html, "class=\"badge unknown\">&lt;script"));
	assert_non_null(strstr(html, "class=\"card tier-unknown\""));
	/* links to provisions are by index, never by the (hostile) id */
	assert_non_null(strstr(html, "href=\"#p0\""));
	assert_int_equal(count(html, "href=\"#p"), count(html, "href=\"#p0\""));
	/* a percent-escape in a PURL is decoded for the chart label, then escaped */
	assert_null(strstr(html, "<x>"));
	assert_non_null(strstr(html, "&gt;&amp;amp;@1&lt;x&gt;"));
	free(html);
	json_decref(a);
}

static void test_long_lists_capped(void **state)
{
	(void)state;
	json_t *a = minimal(), *findings = json_array(), *gaps = json_array();
	for (int i = 0; i < 3000; i++) {
		char path[32];
		snprintf(path, sizeof path, "bin/tool%d", i);
		json_array_append_new(findings,
		                      json_pack("{ss ss ss ss sb}", "check", "elf.no-pie",
		                                "severity", "medium", "path", path, "message",
		                                "built without PIE (position-independent code)",
		                                "fails", 1));
		json_array_append_new(gaps,
		                      json_pack("{ss ss ss ss sb s[s] si}", "kind", "finding", "id",
		                                path, "title", "t", "severity", "low", "kev", 0,
		                                "provisions", "x:1", "rank", i + 1));
	}
	json_object_set_new(a, "gaps", gaps);
	json_object_set_new(a, "provisions",
	                    json_pack("[{ss ss ss ss sb sb ss s[s] s[] s[] so}]", "id", "x:1",
	                              "standard", "x", "title", "t", "level", "M", "applies", 1,
	                              "required", 1, "verdict", "FAIL", "reasons", "r", "checks",
	                              "vulnerabilities", "findings", findings));
	char *html = render(a);
	assert_non_null(strstr(html, "&hellip; and 2975 more</li>"));
	assert_non_null(strstr(html, "&hellip; and 2500 more (--format json)"));
	/* the chart still counts every distinct finding */
	assert_non_null(strstr(html, "medium: 3000"));
	assert_true(strlen(html) < 1024 * 1024);
	free(html);
	json_decref(a);
}

/* The real demo assessment: every section, the tier, the KEV gap first, under 1 MB. */
static void test_demo_document(void **state)
{
	(void)state;
	char path[4096];
	const char *dir = getenv("IOTRUST_TEST_DATA");
	snprintf(path, sizeof path, "%s/assess/demo-assessment.json", dir ? dir : "tests/data");
	json_t *a = json_load_file(path, 0, NULL);
	assert_non_null(a);
	char *html = render(a);
	assert_non_null(strstr(html, "<title>Security assessment: Acme Connected AC-CAM-100 "
	                             "1.4.2</title>"));
	assert_non_null(strstr(html, "id=\"tier\">substantial</div>"));
	assert_non_null(strstr(html, "important-I"));
	const char *fix = strstr(html, "id=\"h-fix\""),
	           *kev = fix ? strstr(fix, "badge kev") : NULL;
	assert_non_null(kev);
	assert_true(kev < strstr(strstr(fix, "<tbody>"), "</tr>")); /* the first gap is a KEV */
	assert_non_null(strstr(html, "linux-kernel@5.10.176"));
	assert_non_null(strstr(html, "The profile says <strong>no remote access"));
	assert_non_null(strstr(html, "siren"));
	assert_non_null(strstr(html, "Acme Connected cloud (operated by Acme)"));
	assert_int_equal(count(html, "<tr id=\"p"),
	                 json_array_size(json_object_get(a, "provisions")));
	assert_int_equal(count(html, "<details class=\"std\">"), 6);
	assert_true(strlen(html) < 1024 * 1024);
	assert_no_controls(html);
	free(html);
	json_decref(a);
}

static void test_not_an_object(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	json_t *arr = json_array();
	assert_int_equal(it_assess_html(arr, &b, &err), -1);
	assert_int_equal(err.code, IT_ERR_INPUT);
	assert_int_equal(b.len, 0);
	/* and through the format table */
	it_error_clear(&err);
	json_t *a = minimal();
	assert_int_equal(it_assess_report_write(a, "html", &b, &err), 0);
	assert_non_null(strstr(it_buf_str(&b), "</html>"));
	it_buf_free(&b);
	json_decref(a);
	json_decref(arr);
	it_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_minimal_renders),
	        cmocka_unit_test(test_hostile_strings_escaped),
	        cmocka_unit_test(test_long_lists_capped),
	        cmocka_unit_test(test_demo_document),
	        cmocka_unit_test(test_not_an_object),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

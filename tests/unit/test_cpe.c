/*
 * CPE names (src/vulndb/cpe.c): the examples of NISTIR 7695 (formatted string and URI
 * bindings, escapes, errors) and 7696 (attribute relations, wildcard matching), and the
 * 542 real CPE names of the NVD, CSAF, OSV and SBOM data, which must parse and format back.
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

/* --- helpers ------------------------------------------------------------------ */

static void parse_ok(struct it_cpe *c, const char *s)
{
	struct it_error err = IT_ERROR_INIT;
	if (it_cpe_parse(c, s, &err) < 0) {
		char *m = it_error_format(&err);
		fail_msg("%s: %s", s, m);
	}
}

/* The formatted string of s ("" when it does not parse). */
static char *formatted(const char *s)
{
	struct it_cpe c;
	struct it_buf b = IT_BUF_INIT;
	parse_ok(&c, s);
	assert_int_equal(it_cpe_format(&c, &b), 0);
	it_cpe_free(&c);
	char *out = strdup(it_buf_str(&b));
	it_buf_free(&b);
	return out;
}

static void expect_format(const char *in, const char *want)
{
	char *got = formatted(in);
	if (strcmp(got, want) != 0)
		fail_msg("%s formats as\n  %s, expected\n  %s", in, got, want);
	char *again = formatted(got);
	assert_string_equal(again, got);
	free(again);
	free(got);
}

/* Parsing fails with IT_ERR_INPUT at byte `offset`, the message naming `what`. */
static void expect_error(const char *s, const char *what, long offset)
{
	struct it_cpe c;
	struct it_error err = IT_ERROR_INIT;
	if (it_cpe_parse(&c, s, &err) == 0)
		fail_msg("%s should not parse", s);
	assert_int_equal(err.code, IT_ERR_INPUT);
	if (!err.message || !strstr(err.message, what))
		fail_msg("%s: message \"%s\" does not name %s", s, err.message, what);
	if (offset >= 0 && err.offset != (uint64_t)offset)
		fail_msg("%s: error at %llu, expected %ld (%s)", s, (unsigned long long)err.offset,
		         offset, err.message);
	for (int i = 0; i < IT_CPE_N; i++)
		assert_null(c.attr[i]); /* nothing left allocated */
	it_error_clear(&err);
}

static int matches(const char *source, const char *target)
{
	struct it_cpe s, t;
	parse_ok(&s, source);
	parse_ok(&t, target);
	int r = it_cpe_matches(&s, &t);
	it_cpe_free(&s);
	it_cpe_free(&t);
	return r;
}

static long at(const char *s, const char *needle)
{
	return (long)(strstr(s, needle) - s);
}

/* --- parsing ------------------------------------------------------------------ */

/* NISTIR 7695 6.2: formatted string examples, unbound to their attribute values. */
static void test_fs_examples(void **state)
{
	(void)state;
	struct it_cpe c;
	parse_ok(&c, "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*");
	assert_string_equal(c.attr[IT_CPE_PART], "a");
	assert_string_equal(c.attr[IT_CPE_VENDOR], "microsoft");
	assert_string_equal(c.attr[IT_CPE_PRODUCT], "internet_explorer");
	assert_string_equal(c.attr[IT_CPE_VERSION], "8.0.6001");
	assert_string_equal(c.attr[IT_CPE_UPDATE], "beta");
	for (int i = IT_CPE_EDITION; i < IT_CPE_N; i++)
		assert_true(c.any[i] && !c.na[i] && !c.wild[i] && !*c.attr[i]);
	it_cpe_free(&c);

	parse_ok(&c, "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*");
	assert_string_equal(c.attr[IT_CPE_VERSION], "8.*");
	assert_true(c.wild[IT_CPE_VERSION] && c.wild[IT_CPE_UPDATE]);
	assert_string_equal(c.attr[IT_CPE_UPDATE], "sp?");
	it_cpe_free(&c);

	parse_ok(&c, "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*");
	assert_true(c.na[IT_CPE_UPDATE] && !c.any[IT_CPE_UPDATE]);
	assert_string_equal(c.attr[IT_CPE_SW_EDITION], "online");
	assert_string_equal(c.attr[IT_CPE_TARGET_SW], "win2003");
	assert_string_equal(c.attr[IT_CPE_TARGET_HW], "x64");
	it_cpe_free(&c);

	/* quoted characters lose their backslash; a quoted '*' is a literal, not a wildcard */
	parse_ok(&c, "cpe:2.3:a:foo\\\\bar:big\\$money_2010:*:*:*:*:special:ipod_touch:80gb:*");
	assert_string_equal(c.attr[IT_CPE_VENDOR], "foo\\bar");
	assert_string_equal(c.attr[IT_CPE_PRODUCT], "big$money_2010");
	assert_false(c.wild[IT_CPE_VENDOR]);
	it_cpe_free(&c);
	parse_ok(&c, "cpe:2.3:a:micr\\?osoft:internet_explorer:8\\.0\\.6001:*:*:*:*:*:*:*");
	assert_string_equal(c.attr[IT_CPE_VENDOR], "micr?osoft");
	assert_false(c.wild[IT_CPE_VENDOR]);
	assert_string_equal(c.attr[IT_CPE_VERSION], "8.0.6001");
	it_cpe_free(&c);
	/* a wildcarded value keeps literal specials quoted */
	parse_ok(&c, "cpe:2.3:a:vendor:product:1\\*2*:*:*:*:*:*:*:*");
	assert_true(c.wild[IT_CPE_VERSION]);
	assert_string_equal(c.attr[IT_CPE_VERSION], "1\\*2*");
	it_cpe_free(&c);
	/* a quoted hyphen alone is the value "-", not NA */
	parse_ok(&c, "cpe:2.3:a:vendor:product:\\-:*:*:*:*:*:*:*");
	assert_false(c.na[IT_CPE_VERSION]);
	assert_string_equal(c.attr[IT_CPE_VERSION], "-");
	it_cpe_free(&c);
	/* upper case is kept (matching ignores case) */
	parse_ok(&c, "CPE:2.3:A:Vendor:Product:1.0:*:*:*:*:*:*:*");
	assert_string_equal(c.attr[IT_CPE_VENDOR], "Vendor");
	it_cpe_free(&c);
}

/* NISTIR 7695 6.1: the 2.2 URI binding, percent-decoding and the packed edition. */
static void test_uri_examples(void **state)
{
	(void)state;
	struct it_cpe c;
	parse_ok(&c, "cpe:/a:microsoft:internet_explorer%01%01%01%01:?:beta");
	assert_true(c.wild[IT_CPE_PRODUCT]);
	assert_string_equal(c.attr[IT_CPE_PRODUCT], "internet_explorer????");
	assert_true(c.wild[IT_CPE_VERSION]);
	assert_string_equal(c.attr[IT_CPE_VERSION], "?");
	assert_string_equal(c.attr[IT_CPE_UPDATE], "beta");
	it_cpe_free(&c);
	/* URI values are lower-cased, as 7695's decode() does */
	parse_ok(&c, "cpe:/a::Reader:9.3.2:-:-");
	assert_true(c.any[IT_CPE_VENDOR]);
	assert_string_equal(c.attr[IT_CPE_PRODUCT], "reader");
	assert_true(c.na[IT_CPE_UPDATE] && c.na[IT_CPE_EDITION]);
	it_cpe_free(&c);

	parse_ok(&c, "cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f");
	assert_false(c.wild[IT_CPE_VERSION]);
	assert_string_equal(c.attr[IT_CPE_VERSION], "8.*");
	assert_string_equal(c.attr[IT_CPE_UPDATE], "sp?");
	for (int i = IT_CPE_EDITION; i < IT_CPE_N; i++)
		assert_true(c.any[i]);
	it_cpe_free(&c);

	parse_ok(&c, "cpe:/a:microsoft:internet_explorer:8.%02:sp%01");
	assert_true(c.wild[IT_CPE_VERSION] && c.wild[IT_CPE_UPDATE]);
	assert_string_equal(c.attr[IT_CPE_VERSION], "8.*");
	assert_string_equal(c.attr[IT_CPE_UPDATE], "sp?");
	it_cpe_free(&c);

	parse_ok(&c, "cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~");
	assert_true(c.any[IT_CPE_UPDATE] && c.any[IT_CPE_EDITION] && c.any[IT_CPE_OTHER]);
	assert_string_equal(c.attr[IT_CPE_SW_EDITION], "online");
	assert_string_equal(c.attr[IT_CPE_TARGET_SW], "win2003");
	assert_string_equal(c.attr[IT_CPE_TARGET_HW], "x64");
	it_cpe_free(&c);

	parse_ok(&c, "cpe:/a:hp:openview_network_manager:7.51:-:~~~linux~~");
	assert_true(c.na[IT_CPE_UPDATE]);
	assert_string_equal(c.attr[IT_CPE_TARGET_SW], "linux");
	it_cpe_free(&c);

	parse_ok(&c, "cpe:/a:foo%5cbar:big%24money_2010");
	assert_string_equal(c.attr[IT_CPE_VENDOR], "foo\\bar");
	assert_string_equal(c.attr[IT_CPE_PRODUCT], "big$money_2010");
	it_cpe_free(&c);

	parse_ok(&c, "cpe:/");
	for (int i = 0; i < IT_CPE_N; i++)
		assert_true(c.any[i]);
	it_cpe_free(&c);
}

static void test_format_round_trip(void **state)
{
	(void)state;
	const char *canonical[] = {
	        "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
	        "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*",
	        "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
	        "cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*",
	        "cpe:2.3:a:foo\\\\bar:big\\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*",
	        "cpe:2.3:a:vendor:product:\\-:*:*:*:*:*:*:*",
	        "cpe:2.3:a:vendor:product:1\\*2*:?x??:*:*:*:*:*:*",
	        "cpe:2.3:o:linux:linux_kernel:5.10:rc3:*:*:*:*:*:*",
	        "cpe:2.3:a:openbsd:openssh:9.3:p1:*:*:*:*:*:*",
	        "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",
	        "cpe:2.3:h:tp-link:archer_c7:3.0:*:*:*:*:*:*:*",
	        "cpe:2.3:a:vendor:pro\\:duct\\/x:1.0\\(1\\):*:*:*:*:*:*:*",
	};
	for (size_t i = 0; i < sizeof(canonical) / sizeof(canonical[0]); i++)
		expect_format(canonical[i], canonical[i]);
	/* non-canonical input: quoting of "._-" is dropped; URIs become formatted strings */
	expect_format("cpe:2.3:a:microsoft:internet_explorer:8\\.0\\.6001:beta:*:*:*:*:*:*",
	              "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*");
	expect_format("cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f",
	              "cpe:2.3:a:microsoft:internet_explorer:8.\\*:sp\\?:*:*:*:*:*:*");
	expect_format("cpe:/a:microsoft:internet_explorer:8.%02:sp%01",
	              "cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*");
	expect_format("cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~",
	              "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:*:*:*:online:win2003:x64:*");
	expect_format("cpe:/o:redhat:enterprise_linux:8::server",
	              "cpe:2.3:o:redhat:enterprise_linux:8:*:server:*:*:*:*:*");
	expect_format("cpe:/a:foo~bar:big%7emoney_2010",
	              "cpe:2.3:a:foo\\~bar:big\\~money_2010:*:*:*:*:*:*:*:*");
	expect_format("cpe:/a:%02:%01x", "cpe:2.3:a:*:?x:*:*:*:*:*:*:*:*");
}

static void test_errors(void **state)
{
	(void)state;
	const char *s;
	expect_error("cpe:2.3:a:vendor:product", "13", 24);
	expect_error("cpe:2.3:a:v:p:1:*:*:*:*:*:*:*:extra", "more than 13", 29);
	s = "cpe:2.3:a:v:p:1.*.2:*:*:*:*:*:*:*";
	expect_error(s, "version", at(s, "1.*"));
	expect_error("cpe:2.3:a:v:p::*:*:*:*:*:*:*", "version", 14);
	s = "cpe:2.3:a:v:pro!duct:1:*:*:*:*:*:*:*";
	expect_error(s, "product", at(s, "!"));
	s = "cpe:2.3:a:v\\x:p:1:*:*:*:*:*:*:*";
	expect_error(s, "vendor", at(s, "\\"));
	expect_error("cpe:2.3:a:v:p:1:*:*:*:*:*:*:x\\", "other", 29);
	expect_error("cpe:2.3:x:v:p:1:*:*:*:*:*:*:*", "part", -1);
	expect_error("cpe:2.3:-:v:p:1:*:*:*:*:*:*:*", "part", -1);
	expect_error("cpe:2.3:a:v:p:**:*:*:*:*:*:*:*", "version", -1);
	expect_error("cpe:2.3:a:v:p:1*?:*:*:*:*:*:*:*", "version", -1);
	s = "cpe:2.3:a:v:p:1 0:*:*:*:*:*:*:*";
	expect_error(s, "version", at(s, " "));
	expect_error("cpe:2.3:a:v:p:1\xc3\xa9:*:*:*:*:*:*:*", "version", 15);
	expect_error("openssl 1.1.1", "cpe:2.3:", 0);
	expect_error("", "cpe:2.3:", 0);
	s = "cpe:/a:foo%5cbar:big%24money_2010%07:::~~special~ipod_touch~80gb~";
	expect_error(s, "product", at(s, "%07"));
	s = "cpe:/a:foo:bar:12.%02.1234";
	expect_error(s, "version", -1);
	s = "cpe:/a:foo:bar:1.%2";
	expect_error(s, "version", at(s, "%2"));
	expect_error("cpe:/a:foo:bar:1:2:~a~b~c~d~:en:x", "7 components", -1);
	expect_error("cpe:/a:foo:bar:1:2:~a~b~c:en", "edition", -1);
	expect_error("cpe:/a:foo:bar:1:2:~a~b~c~d~e~f:en", "edition", -1);
	expect_error("cpe:/a:fo/o:bar", "vendor", 9);
	expect_error("cpe:/q:foo:bar", "part", -1);
	struct it_cpe c;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_cpe_parse(&c, NULL, &err), -1);
	it_error_clear(&err);
	char *big = malloc(10000);
	memset(big, 'a', 9999);
	big[9999] = '\0';
	memcpy(big, "cpe:2.3:a:", 10);
	expect_error(big, "longer", -1);
	free(big);
}

/* --- matching ------------------------------------------------------------------ */

/* NISTIR 7696 table 6-2, one attribute at a time (the version): the name matches when
 * every attribute is SUPERSET or EQUAL. */
static void test_attribute_relations(void **state)
{
	(void)state;
	static const struct {
		const char *source, *target;
		int match; /* relation in the comment */
	} rel[] = {
	        {"*", "*", 1},       /* ANY, ANY: EQUAL */
	        {"*", "-", 1},       /* ANY, NA: SUPERSET */
	        {"*", "1.0", 1},     /* ANY, i: SUPERSET */
	        {"-", "*", 0},       /* NA, ANY: SUBSET */
	        {"-", "-", 1},       /* NA, NA: EQUAL */
	        {"-", "1.0", 0},     /* NA, i: DISJOINT */
	        {"1.0", "*", 0},     /* i, ANY: SUBSET */
	        {"1.0", "-", 0},     /* i, NA: DISJOINT */
	        {"1.0", "1.0", 1},   /* i, i: EQUAL */
	        {"1.0", "1.1", 0},   /* i, k: DISJOINT */
	        {"1.*", "1.0", 1},   /* m + wild cards, i: SUPERSET */
	        {"2.*", "1.0", 0},   /* m + wild cards, i: DISJOINT */
	        {"1.0", "1.*", 0},   /* i, m + wild cards: UNDEFINED */
	        {"1.*", "1.*", 0},   /* m + wild cards, m + wild cards: UNDEFINED */
	        {"1.0", "1.0.0", 0}, /* names compare as strings, not as versions */
	        {"\\-", "-", 0},     /* the value "-" is not NA */
	};
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char s[128], t[128];
		snprintf(s, sizeof s, "cpe:2.3:a:busybox:busybox:%s:*:*:*:*:*:*:*", rel[i].source);
		snprintf(t, sizeof t, "cpe:2.3:a:busybox:busybox:%s:*:*:*:*:*:*:*", rel[i].target);
		if (matches(s, t) != rel[i].match)
			fail_msg("source %s, target %s: expected %s", rel[i].source, rel[i].target,
			         rel[i].match ? "a match" : "no match");
	}
}

static void test_wildcards(void **state)
{
	(void)state;
#define WILD_FMT "cpe:2.3:a:%s:product:*:*:*:*:*:*:*:*"
	static const struct {
		const char *pattern, *value;
		int match;
	} w[] = {
	        {"micro*", "microsoft", 1},
	        {"*soft", "microsoft", 1},
	        {"*cros*", "microsoft", 1},
	        {"micro*", "macrosoft", 0},
	        {"microsof?", "microsoft", 1},
	        {"microsof?", "microsof", 1}, /* up to one */
	        {"microsoft?", "microsoft", 1},
	        {"micros?", "microsoft", 0},
	        {"??soft", "crosoft", 0},
	        {"??soft", "rosoft", 1},
	        {"??soft", "soft", 1},
	        {"?", "x", 1},
	        {"?", "xy", 0},
	        {"micro\\*", "micro*", 1},
	        {"micro\\*", "microsoft", 0},
	        {"MICRO*", "Microsoft", 1},
	        {"a\\?b*", "a?bc", 1},
	        {"a\\?b*", "axbc", 0},
	};
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		char s[128], t[128], lit[64] = "";
		snprintf(s, sizeof s, WILD_FMT, w[i].pattern);
		/* the target value, quoted for the formatted string */
		for (const char *p = w[i].value; *p; p++) {
			size_t n = strlen(lit);
			if (*p == '*' || *p == '?')
				lit[n++] = '\\';
			lit[n++] = *p;
			lit[n] = '\0';
		}
		snprintf(t, sizeof t, WILD_FMT, lit);
		if (matches(s, t) != w[i].match)
			fail_msg("pattern %s, value %s: expected %s", w[i].pattern, w[i].value,
			         w[i].match ? "a match" : "no match");
	}
}

static void test_name_matching(void **state)
{
	(void)state;
	/* 7696's worked example: the ANY-laden name is a superset of the specific one */
	const char *ie = "cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:sp2:*:*:*:*";
	const char *any = "cpe:2.3:a:microsoft:internet_explorer:*:*:*:*:*:*:*:*";
	assert_true(matches(any, ie));
	assert_false(matches(ie, any));
	assert_true(matches(ie, ie));
	/* disjoint: an edition against NA, a vendor against ANY */
	assert_false(
	        matches("cpe:2.3:a:adobe:*:9.*:*:PalmOS:*:*:*:*:*", "cpe:/a::Reader:9.3.2:-:-"));
	/* the NVD shape: criteria with ANY update match a concrete component name */
	const char *crit = "cpe:2.3:a:openbsd:openssh:9.3:*:*:*:*:*:*:*";
	assert_true(matches(crit, "cpe:2.3:a:openbsd:openssh:9.3:p1:*:*:*:*:*:*"));
	assert_false(matches(crit, "cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*"));
	assert_false(matches(crit, "cpe:2.3:o:openbsd:openssh:9.3:p1:*:*:*:*:*:*"));
	assert_false(matches(crit, "cpe:2.3:a:openssh:openssh:9.3:p1:*:*:*:*:*:*"));
	/* precision: a criteria naming a hardware target does not match a name without it */
	assert_false(matches("cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:arm:*",
	                     "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"));
	assert_true(matches("cpe:2.3:a:Busybox:BusyBox:1.36.1:*:*:*:*:*:*:*",
	                    "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"));
	/* URIs and formatted strings match each other */
	assert_true(matches("cpe:/o:redhat:enterprise_linux:8",
	                    "cpe:2.3:o:redhat:enterprise_linux:8:*:*:*:*:*:*:*"));
}

/* Every CPE name in the shared NVD, CSAF, OSV and SBOM data parses; formatted strings
 * come back byte for byte; every name matches itself. */
static void test_real_names(void **state)
{
	(void)state;
	struct it_buf text = IT_BUF_INIT;
	assert_int_equal(read_file(test_data("vulndb/cpe/real-cpes.txt"), &text), 0);
	size_t n = 0, uris = 0;
	char *save = NULL;
	for (char *s = strtok_r((char *)text.data, "\n", &save); s;
	     s = strtok_r(NULL, "\n", &save)) {
		if (*s == '#')
			continue;
		char *f = formatted(s);
		if (strncmp(s, "cpe:2.3:", 8) == 0)
			assert_string_equal(f, s);
		else
			uris++;
		struct it_cpe a, b;
		parse_ok(&a, s);
		parse_ok(&b, f);
		int wild = 0;
		for (int i = 0; i < IT_CPE_N; i++)
			wild |= b.wild[i];
		if (!wild && !it_cpe_matches(&a, &b))
			fail_msg("%s does not match itself", s);
		it_cpe_free(&a);
		it_cpe_free(&b);
		free(f);
		n++;
	}
	assert_true(n >= 500);
	assert_true(uris >= 10);
	it_buf_free(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fs_examples),         cmocka_unit_test(test_uri_examples),
	        cmocka_unit_test(test_format_round_trip),   cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_attribute_relations), cmocka_unit_test(test_wildcards),
	        cmocka_unit_test(test_name_matching),       cmocka_unit_test(test_real_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Version comparison (src/vulndb/version.c): the deb scheme against the real dpkg on pairs
 * of real Debian versions, apk against apk-tools' own test list, semver's precedence
 * rules, the generic scheme on the versions NVD uses (a total, stable order) and the
 * upstream orders that matter (OpenSSL, OpenSSH, kernel, BusyBox, dropbear, dnsmasq).
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

static int sgn(int v)
{
	return (v > 0) - (v < 0);
}

/* The lines of tests/data/<name> that are not empty and not comments. */
struct lines {
	struct it_buf text;
	char **v;
	size_t n, cap;
};

static void lines_load(struct lines *l, const char *name)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(read_file(test_data(name), &l->text), 0);
	char *save = NULL;
	for (char *s = strtok_r((char *)l->text.data, "\n", &save); s;
	     s = strtok_r(NULL, "\n", &save)) {
		if (*s == '#' || !*s)
			continue;
		assert_int_equal(it_array_grow(&l->v, &l->cap, l->n, sizeof(*l->v)), 0);
		l->v[l->n++] = s;
	}
	assert_true(l->n > 0);
}

static void lines_free(struct lines *l)
{
	it_buf_free(&l->text);
	free(l->v);
}

/* Expect a op b under scheme s (op: '<', '=', '>'), and the mirror image. */
static void expect(enum it_vscheme s, const char *a, char op, const char *b)
{
	int want = op == '<' ? -1 : op == '>' ? 1 : 0;
	int got = sgn(it_vers_cmp(s, a, b)), back = sgn(it_vers_cmp(s, b, a));
	if (got != want || back != -want)
		fail_msg("%s: \"%s\" %c \"%s\" expected; cmp gave %d, reversed %d",
		         it_vscheme_name(s), a, op, b, got, back);
}

/* Check a chain that is strictly increasing, pair by pair and all pairs. */
static void expect_chain(enum it_vscheme s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			expect(s, v[i], i < j ? '<' : i > j ? '>' : '=', v[j]);
}

/* --- schemes -------------------------------------------------------------------- */

static void test_scheme_names(void **state)
{
	(void)state;
	assert_int_equal(it_vscheme_parse("deb"), IT_VS_DEB);
	assert_int_equal(it_vscheme_parse("apk"), IT_VS_APK);
	assert_int_equal(it_vscheme_parse("semver"), IT_VS_SEMVER);
	assert_int_equal(it_vscheme_parse("git"), IT_VS_GIT);
	assert_int_equal(it_vscheme_parse("generic"), IT_VS_GENERIC);
	assert_int_equal(it_vscheme_parse("rpm"), -1);
	assert_int_equal(it_vscheme_parse(""), -1);
	assert_int_equal(it_vscheme_parse(NULL), -1);
	for (int s = IT_VS_GENERIC; s <= IT_VS_GIT; s++)
		assert_int_equal(it_vscheme_parse(it_vscheme_name((enum it_vscheme)s)), s);
	assert_int_equal(it_vscheme_for_ecosystem("Debian:12"), IT_VS_DEB);
	assert_int_equal(it_vscheme_for_ecosystem("Debian"), IT_VS_DEB);
	assert_int_equal(it_vscheme_for_ecosystem("Ubuntu:22.04:LTS"), IT_VS_DEB);
	assert_int_equal(it_vscheme_for_ecosystem("Alpine:v3.18"), IT_VS_APK);
	assert_int_equal(it_vscheme_for_ecosystem("npm"), IT_VS_SEMVER);
	assert_int_equal(it_vscheme_for_ecosystem("Go"), IT_VS_SEMVER);
	assert_int_equal(it_vscheme_for_ecosystem("crates.io"), IT_VS_SEMVER);
	assert_int_equal(it_vscheme_for_ecosystem("OSS-Fuzz"), IT_VS_GENERIC);
	assert_int_equal(it_vscheme_for_ecosystem("AlmaLinux:9"), IT_VS_GENERIC);
	/* a prefix is not a name: "Debianish" and "Gopher" are not Debian and Go */
	assert_int_equal(it_vscheme_for_ecosystem("Debianish"), IT_VS_GENERIC);
	assert_int_equal(it_vscheme_for_ecosystem("Gopher"), IT_VS_GENERIC);
	assert_int_equal(it_vscheme_for_ecosystem(NULL), IT_VS_GENERIC);
}

/* --- deb ------------------------------------------------------------------------ */

/* The corners of the dpkg algorithm (expected results as dpkg gives them). */
static const struct {
	const char *a, op, *b;
} deb_cases[] = {
        {"1.0", '=', "1.0-0"},
        {"1.0", '=', "0:1.0"},
        {"1.0", '<', "1:0.1"},
        {"2:1.0", '>', "1:9.9"},
        {"1.0~rc1", '<', "1.0"},
        {"1.0~~", '<', "1.0~"},
        {"1.0~~a", '<', "1.0~"},
        {"1.0~", '<', "1.0"},
        {"1.0", '<', "1.0+b1"},
        {"1.0", '<', "1.0a"},
        {"1.0a", '<', "1.0+"},
        {"1.0", '<', "1.0.1"},
        {"1.0.1", '>', "1.0+dfsg"},
        {"1.0-1", '<', "1.0-1+deb12u1"},
        {"1.0-1~bpo11+1", '<', "1.0-1"},
        {"1.0-10", '>', "1.0-9"},
        {"1.01", '=', "1.1"},
        {"1.001", '=', "1.1"},
        {"1.0-a", '>', "1.0-9"},
        {"9.2p1-2", '<', "9.2p1-2+deb12u3"},
        {"1:9.2p1-2+deb12u3", '>', "1:9.2p1-2"},
        {"1:9.2p1-2+deb12u3", '<', "1:9.3p1-1"},
        {"0.0~git20200101.abcdef-1", '<', "0.0.1-1"},
        {"2.36.1-8+deb11u1", '<', "2.36.1-8+deb11u2"},
        {"1.2-3-4", '>', "1.2-3"},
        {"a", '>', "1"},
        {"1.0", '<', "1.0-1"},
        {"1.0-0", '<', "1.0-1"},
};

static void test_deb_tricky(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(deb_cases) / sizeof(deb_cases[0]); i++)
		expect(IT_VS_DEB, deb_cases[i].a, deb_cases[i].op, deb_cases[i].b);
}

/* Run dpkg --compare-versions on every "op a b" line of checks (one dpkg per line, in two
 * shell loops side by side); every line must hold. The number checked; -1 without dpkg. */
static long dpkg_confirms(const struct it_buf *checks)
{
	if (test_sh("command -v dpkg >/dev/null") != 0)
		return -1;
	struct it_buf out = IT_BUF_INIT;
	assert_int_equal(
	        run_filter("f=$(mktemp) && cat >\"$f\" && h=$(( ($(wc -l <\"$f\") + 1) / 2 )); "
	                   "check() { while read -r op a b; do "
	                   "if dpkg --compare-versions \"$a\" \"$op\" \"$b\" 2>/dev/null; "
	                   "then echo ok; else echo \"NO $a $op $b\"; fi; done; }; "
	                   "head -n \"$h\" \"$f\" | check >\"$f.1\" & "
	                   "tail -n +\"$((h + 1))\" \"$f\" | check >\"$f.2\"; wait; "
	                   "cat \"$f.1\" \"$f.2\"; rm -f \"$f\" \"$f.1\" \"$f.2\"",
	                   checks->data, checks->len, &out),
	        0);
	long n = 0;
	char *save = NULL;
	for (char *s = strtok_r((char *)out.data, "\n", &save); s;
	     s = strtok_r(NULL, "\n", &save), n++)
		if (strcmp(s, "ok") != 0)
			fail_msg("dpkg disagrees: it_vers_cmp said %s", s + 3);
	it_buf_free(&out);
	return n;
}

static void add_check(struct it_buf *b, const char *a, const char *v)
{
	int c = sgn(it_vers_cmp(IT_VS_DEB, a, v));
	it_buf_printf(b, "%s %s %s\n", c < 0 ? "lt" : c > 0 ? "gt" : "eq", a, v);
}

/* Pairs of real versions (every other pair of neighbours in C-locale order, which differ
 * in small ways, and pairs a fixed pseudo-random stride apart) with the relation
 * it_vers_cmp finds; dpkg must agree on each. */
static void test_deb_matches_dpkg(void **state)
{
	(void)state;
	struct lines l;
	struct it_buf checks = IT_BUF_INIT;
	lines_load(&l, "vulndb/versions/deb-versions.txt");
	assert_true(l.n >= 3000);
	size_t pairs = 0;
	for (size_t i = 0; i + 1 < l.n; i += 2, pairs++)
		add_check(&checks, l.v[i], l.v[i + 1]);
	for (size_t i = 0; i < l.n / 4; i++, pairs++)
		add_check(&checks, l.v[(i * 7919 + 17) % l.n], l.v[(i * 104729 + 3) % l.n]);
	for (size_t i = 0; i < sizeof(deb_cases) / sizeof(deb_cases[0]); i++, pairs++)
		add_check(&checks, deb_cases[i].a, deb_cases[i].b);
	long n = dpkg_confirms(&checks);
	if (n < 0) {
		print_message("dpkg is not installed: %zu pairs NOT checked against dpkg\n", pairs);
		skip();
	}
	assert_int_equal((size_t)n, pairs);
	assert_true(pairs >= 3000);
	it_buf_free(&checks);
	lines_free(&l);
}

static void test_deb_valid(void **state)
{
	(void)state;
	const char *good[] = {"1.0",
	                      "1:2.3-4",
	                      "0.0~git20200101.abc-1",
	                      "2.36.1-8+deb11u1",
	                      "1.0-1~bpo11+1",
	                      "1:9.2p1-2+deb12u3",
	                      "7",
	                      "1:2.3:4-5"};
	const char *bad[] = {
	        "",      "a1.0",    ":1.0",    "1:",      "x:1.0",           "1.0-", "1.0 beta",
	        "1.0_1", "1.2:3-4", "1.0-1:2", "1.0-a_b", "99999999999:1.0", "-1"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!it_vers_valid(IT_VS_DEB, good[i]))
			fail_msg("\"%s\" should be a valid deb version", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (it_vers_valid(IT_VS_DEB, bad[i]))
			fail_msg("\"%s\" should not be a valid deb version", bad[i]);
}

/* --- apk ------------------------------------------------------------------------ */

/* apk-tools' test/version.data: "a op b" lines, '#' comments. */
static void test_apk_tools_list(void **state)
{
	(void)state;
	struct lines l;
	lines_load(&l, "vulndb/versions/apk-version.data");
	size_t n = 0;
	for (size_t i = 0; i < l.n; i++) {
		char a[128], op[4], b[128];
		if (sscanf(l.v[i], "%127s %3s %127s", a, op, b) != 3)
			continue;
		assert_true(strchr("<=>", op[0]) && op[1] == '\0');
		expect(IT_VS_APK, a, op[0], b);
		n++;
	}
	assert_true(n >= 700);
	lines_free(&l);
}

static void test_apk_orders(void **state)
{
	(void)state;
	const char *chain[] = {"1.0_alpha1", "1.0_alpha2", "1.0_beta1", "1.0_pre1", "1.0_rc1",
	                       "1.0",        "1.0-r1",     "1.0-r10",   "1.0_cvs1", "1.0_svn1",
	                       "1.0_git1",   "1.0_hg1",    "1.0_p1",    "1.0_p2",   "1.0a",
	                       "1.0b",       "1.0.1",      "1.1"};
	expect_chain(IT_VS_APK, chain, sizeof(chain) / sizeof(chain[0]));
	expect(IT_VS_APK, "1.1", '<', "1.1-r0"); /* as apk-tools: the end before -r0 */
	expect(IT_VS_APK, "1.1-r0", '<', "1.1-r1");
	expect(IT_VS_APK, "3.0.13-r0", '<', "3.0.15-r0");
	expect(IT_VS_APK, "1.36.1-r5", '<', "1.36.1-r7");
	expect(IT_VS_APK, "1.05", '<', "1.5"); /* leading zeros: a fraction, as apk-tools */
	assert_true(it_vers_valid(IT_VS_APK, "1.2.3_rc1-r0"));
	assert_true(it_vers_valid(IT_VS_APK, "2.12.9-r3"));
	assert_true(it_vers_valid(IT_VS_APK, "1.0_p1_git20200101-r2"));
	assert_false(it_vers_valid(IT_VS_APK, "1.0_foo"));
	assert_false(it_vers_valid(IT_VS_APK, "1.0-1"));
	assert_false(it_vers_valid(IT_VS_APK, "a1.0"));
	assert_false(it_vers_valid(IT_VS_APK, "1.0a.1"));
	assert_false(it_vers_valid(IT_VS_APK, "1.0_rc1.2"));
	assert_false(it_vers_valid(IT_VS_APK, ""));
}

/* --- semver ------------------------------------------------------------------------ */

static void test_semver_precedence(void **state)
{
	(void)state;
	/* semver.org, item 11 */
	const char *chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
	                       "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
	                       "1.0.0-rc.1",  "1.0.0",         "1.0.1",
	                       "1.1.0",       "2.0.0",         "2.1.0",
	                       "2.1.1",       "10.0.0"};
	expect_chain(IT_VS_SEMVER, chain, sizeof(chain) / sizeof(chain[0]));
	expect(IT_VS_SEMVER, "1.0.0+build.1", '=', "1.0.0+build.2");
	expect(IT_VS_SEMVER, "1.0.0-rc.1+x", '=', "1.0.0-rc.1");
	expect(IT_VS_SEMVER, "v1.2.3", '=', "1.2.3");
	expect(IT_VS_SEMVER, "0", '=', "0.0.0"); /* OSV's "introduced": "0" */
	expect(IT_VS_SEMVER, "0", '<', "0.0.1-alpha");
	expect(IT_VS_SEMVER, "1.0.0-2", '<', "1.0.0-10");
	expect(IT_VS_SEMVER, "1.0.0-10", '<', "1.0.0-1a");
	expect(IT_VS_SEMVER, "1.0.0-x-y", '>', "1.0.0-x");
	expect(IT_VS_SEMVER, "1.10.0", '>', "1.9.0");
	assert_true(it_vers_valid(IT_VS_SEMVER, "1.0.0-alpha.1+001"));
	assert_true(it_vers_valid(IT_VS_SEMVER, "v0.9.12"));
	assert_false(it_vers_valid(IT_VS_SEMVER, "1.0"));
	assert_false(it_vers_valid(IT_VS_SEMVER, "01.0.0"));
	assert_false(it_vers_valid(IT_VS_SEMVER, "1.0.0-01"));
	assert_false(it_vers_valid(IT_VS_SEMVER, "1.0.0-"));
	assert_false(it_vers_valid(IT_VS_SEMVER, "1.0.0+"));
	assert_false(it_vers_valid(IT_VS_SEMVER, "1.0.0-a..b"));
	assert_false(it_vers_valid(IT_VS_SEMVER, "1.0.0.0"));
}

/* --- generic ------------------------------------------------------------------------ */

static void test_generic_named_rules(void **state)
{
	(void)state;
	const char *openssl[] = {"1.0.2",       "1.0.2a", "1.0.2z", "1.0.2za",
	                         "1.0.2zh",     "1.1.0",  "1.1.1",  "1.1.1a",
	                         "1.1.1b",      "1.1.1t", "1.1.1w", "3.0.0-alpha1",
	                         "3.0.0-beta2", "3.0.0",  "3.0.1",  "3.0.13"};
	const char *openssh[] = {"8.9p1", "9.0",   "9.0p1", "9.2",   "9.2p1",
	                         "9.3",   "9.3p1", "9.3p2", "9.8p1", "10.0p1"};
	const char *kernel[] = {"4.9.337", "5.10-rc1", "5.10-rc3", "5.10",     "5.10.1",
	                        "5.10.99", "5.10.100", "6.1",      "6.12-rc6", "6.12"};
	const char *busybox[] = {"1.9.2", "1.30.1", "1.35.0", "1.36.0", "1.36.1", "1.37.0"};
	const char *dropbear[] = {"2019.78", "2020.81", "2022.82", "2022.83", "2024.84", "2024.86"};
	const char *dnsmasq[] = {"2.8", "2.78", "2.86", "2.89", "2.90", "2.91", "2.100"};
	const char *pre[] = {"2.0dev1", "2.0alpha", "2.0a1",  "2.0a2",  "2.0beta1",
	                     "2.0b2",   "2.0pre1",  "2.0rc1", "2.0rc2", "2.0",
	                     "2.0a",    "2.0p1",    "2.0.1"};
	expect_chain(IT_VS_GENERIC, openssl, sizeof(openssl) / sizeof(openssl[0]));
	expect_chain(IT_VS_GENERIC, openssh, sizeof(openssh) / sizeof(openssh[0]));
	expect_chain(IT_VS_GENERIC, kernel, sizeof(kernel) / sizeof(kernel[0]));
	expect_chain(IT_VS_GENERIC, busybox, sizeof(busybox) / sizeof(busybox[0]));
	expect_chain(IT_VS_GENERIC, dropbear, sizeof(dropbear) / sizeof(dropbear[0]));
	expect_chain(IT_VS_GENERIC, dnsmasq, sizeof(dnsmasq) / sizeof(dnsmasq[0]));
	expect_chain(IT_VS_GENERIC, pre, sizeof(pre) / sizeof(pre[0]));
	/* missing components are 0; separators are equivalent; case does not matter */
	expect(IT_VS_GENERIC, "1.2", '=', "1.2.0");
	expect(IT_VS_GENERIC, "1.2", '=', "1.2.0.0");
	expect(IT_VS_GENERIC, "5.10-rc3", '=', "5.10.0-rc3");
	expect(IT_VS_GENERIC, "5.10-rc3", '=', "5.10rc3");
	expect(IT_VS_GENERIC, "5.10-RC3", '=', "5.10_rc3");
	expect(IT_VS_GENERIC, "1.1.1W", '=', "1.1.1w");
	expect(IT_VS_GENERIC, "v2.4.1", '=', "2.4.1");
	expect(IT_VS_GENERIC, "2023.04", '=', "2023.4");
	expect(IT_VS_GENERIC, "2023.04", '<', "2023.10");
	expect(IT_VS_GENERIC, "1.0.0", '=', "1");
	expect(IT_VS_GENERIC, "0", '=', "0.0");
	/* precision: these are different versions */
	expect(IT_VS_GENERIC, "1.1.1", '<', "1.1.1a");
	expect(IT_VS_GENERIC, "1.1.1w", '<', "1.1.2");
	expect(IT_VS_GENERIC, "1.1.1a", '<', "1.1.1.1");
	expect(IT_VS_GENERIC, "9.2p1", '<', "9.2.1");
	expect(IT_VS_GENERIC, "2.0beta1", '<', "2.0");
	expect(IT_VS_GENERIC, "1.2.0", '<', "1.2.0.1");
	expect(IT_VS_GENERIC, "1.02", '<', "1.10");
	expect(IT_VS_GENERIC, "10", '>', "9.99");
	expect(IT_VS_GENERIC, "1.0-ubuntu1", '>', "1.0");
	expect(IT_VS_GENERIC, "1.0-ubuntu1", '<', "1.0.1");
	expect(IT_VS_GENERIC, "5.0patch11", '>', "5.0patch9");
	expect(IT_VS_GENERIC, "99999999999999999999999.1", '>', "99999999999999999999998.9");
	/* a lone 'b' after a number is OpenSSL's patch letter, "b" + digits a beta */
	expect(IT_VS_GENERIC, "0.9.8b", '>', "0.9.8");
	expect(IT_VS_GENERIC, "0.9.8b1", '<', "0.9.8");
	assert_true(it_vers_valid(IT_VS_GENERIC, "1.35.0"));
	assert_true(it_vers_valid(IT_VS_GENERIC, "9.2p1"));
	assert_true(it_vers_valid(IT_VS_GENERIC, "5.10-rc3"));
	assert_false(it_vers_valid(IT_VS_GENERIC, "*"));
	assert_false(it_vers_valid(IT_VS_GENERIC, "-"));
	assert_false(it_vers_valid(IT_VS_GENERIC, "beta"));
	assert_false(it_vers_valid(IT_VS_GENERIC, "1.0 beta"));
	assert_false(it_vers_valid(IT_VS_GENERIC, ".1"));
}

/* Sort with it_vers_cmp as the comparator (qsort needs a total order to be stable). */
static enum it_vscheme sort_scheme;

static int cmp_for_sort(const void *a, const void *b)
{
	return it_vers_cmp(sort_scheme, *(char *const *)a, *(char *const *)b);
}

/* Antisymmetric and reflexive on every pair; a sort is consistent (every earlier element
 * <= every later one, which with antisymmetry means transitive on the list); sorting a
 * reversed and a shuffled copy gives the same order up to equal elements. */
static void check_total_order(enum it_vscheme s, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (it_vers_cmp(s, v[i], v[i]) != 0)
			fail_msg("%s: \"%s\" != itself", it_vscheme_name(s), v[i]);
		for (size_t j = i + 1; j < n; j++)
			if (sgn(it_vers_cmp(s, v[i], v[j])) != -sgn(it_vers_cmp(s, v[j], v[i])))
				fail_msg("%s: not antisymmetric on \"%s\", \"%s\"",
				         it_vscheme_name(s), v[i], v[j]);
	}
	char **a = malloc(n * sizeof(*a)), **b = malloc(n * sizeof(*b));
	assert_non_null(a);
	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		a[i] = v[n - 1 - i];
		b[i] = v[(i * 7919) % n];
	}
	sort_scheme = s;
	qsort(a, n, sizeof(*a), cmp_for_sort);
	qsort(b, n, sizeof(*b), cmp_for_sort);
	for (size_t i = 0; i < n; i++) {
		if (it_vers_cmp(s, a[i], b[i]) != 0)
			fail_msg("%s: two sorts differ at %zu: \"%s\" / \"%s\"", it_vscheme_name(s),
			         i, a[i], b[i]);
		for (size_t j = i + 1; j < n; j++)
			if (it_vers_cmp(s, a[i], a[j]) > 0)
				fail_msg("%s: not transitive: \"%s\" sorted before \"%s\"",
				         it_vscheme_name(s), a[i], a[j]);
	}
	free(a);
	free(b);
}

static void test_generic_nvd_versions(void **state)
{
	(void)state;
	struct lines l;
	lines_load(&l, "vulndb/versions/nvd-versions.txt");
	assert_true(l.n >= 300);
	check_total_order(IT_VS_GENERIC, l.v, l.n);
	/* a few NVD facts that need the rules */
	expect(IT_VS_GENERIC, "4.2.8", '<', "4.2.8p15");
	expect(IT_VS_GENERIC, "2022.07rc3", '<', "2022.07");
	expect(IT_VS_GENERIC, "1.0.2zg", '<', "1.1.1");
	lines_free(&l);
}

/* Every scheme is a total order on the real lists and on garbage. */
static void test_total_order_all_schemes(void **state)
{
	(void)state;
	struct lines deb, nvd;
	lines_load(&deb, "vulndb/versions/deb-versions.txt");
	lines_load(&nvd, "vulndb/versions/nvd-versions.txt");
	enum { N_GARBAGE = 400 };
	static char garbage[N_GARBAGE][12];
	char *mixed[N_GARBAGE + 400];
	const char alphabet[] = "0123456789.-_+~:rcpabzZ~r\\*% \x01\xff";
	uint32_t x = 12345;
	for (size_t i = 0; i < N_GARBAGE; i++) {
		size_t len = i % 11;
		for (size_t k = 0; k < len; k++) {
			x = x * 1103515245u + 12345u;
			garbage[i][k] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
		}
		garbage[i][len] = '\0';
		mixed[i] = garbage[i];
	}
	for (size_t i = 0; i < 200; i++) {
		mixed[N_GARBAGE + i] = deb.v[(i * 37) % deb.n];
		mixed[N_GARBAGE + 200 + i] = nvd.v[(i * 13) % nvd.n];
	}
	for (int s = IT_VS_GENERIC; s <= IT_VS_GIT; s++)
		check_total_order((enum it_vscheme)s, mixed, sizeof(mixed) / sizeof(mixed[0]));
	check_total_order(IT_VS_DEB, deb.v, deb.n > 1500 ? 1500 : deb.n);
	lines_free(&deb);
	lines_free(&nvd);
}

static void test_git_equality_only(void **state)
{
	(void)state;
	const char *a = "5a5b2d3c1f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c";
	assert_int_equal(it_vers_cmp(IT_VS_GIT, a, a), 0);
	assert_int_not_equal(it_vers_cmp(IT_VS_GIT, a, "5a5b2d3"), 0);
	assert_true(it_vers_valid(IT_VS_GIT, a));
	assert_true(it_vers_valid(IT_VS_GIT, "0"));
	assert_false(it_vers_valid(IT_VS_GIT, "v1.2.3"));
	assert_false(it_vers_valid(IT_VS_GIT, "abc"));
	assert_int_equal(it_vers_cmp(IT_VS_GENERIC, NULL, NULL), 0);
	assert_true(it_vers_cmp(IT_VS_GENERIC, NULL, "1") < 0);
	assert_false(it_vers_valid(IT_VS_GENERIC, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_scheme_names),
	        cmocka_unit_test(test_deb_tricky),
	        cmocka_unit_test(test_deb_matches_dpkg),
	        cmocka_unit_test(test_deb_valid),
	        cmocka_unit_test(test_apk_tools_list),
	        cmocka_unit_test(test_apk_orders),
	        cmocka_unit_test(test_semver_precedence),
	        cmocka_unit_test(test_generic_named_rules),
	        cmocka_unit_test(test_generic_nvd_versions),
	        cmocka_unit_test(test_total_order_all_schemes),
	        cmocka_unit_test(test_git_equality_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

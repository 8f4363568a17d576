/*
 * libFuzzer harness for the identifier parsers of vulndb: CPE names, PURLs and version
 * comparison. The input is split at '\n' into up to three strings; each is parsed as a
 * CPE and a PURL whose canonical form must format, re-parse and format to the same
 * string, and every scheme's it_vers_cmp must be antisymmetric and transitive on them.
 * A violated property calls abort(), so libFuzzer keeps the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/vulndb.h"

#define PARTS 3

static int sgn(int v)
{
	return (v > 0) - (v < 0);
}

/* parse -> format -> parse -> format is stable; a name without wildcards matches itself. */
static void check_cpe(const char *s, const char *other)
{
	struct it_cpe a, b, o;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf f1 = IT_BUF_INIT, f2 = IT_BUF_INIT;
	if (it_cpe_parse(&a, s, &err) < 0) {
		it_error_clear(&err);
		return;
	}
	if (it_cpe_format(&a, &f1) < 0 || it_cpe_parse(&b, it_buf_str(&f1), &err) < 0)
		abort();
	if (it_cpe_format(&b, &f2) < 0 || strcmp(it_buf_str(&f1), it_buf_str(&f2)) != 0)
		abort();
	int wild = 0;
	for (int i = 0; i < IT_CPE_N; i++)
		wild |= a.wild[i];
	if (!wild && (!it_cpe_matches(&a, &b) || !it_cpe_matches(&b, &a)))
		abort();
	if (it_cpe_parse(&o, other, &err) == 0) {
		(void)it_cpe_matches(&a, &o);
		(void)it_cpe_matches(&o, &a);
		it_cpe_free(&o);
	}
	it_error_clear(&err);
	it_cpe_free(&a);
	it_cpe_free(&b);
	it_buf_free(&f1);
	it_buf_free(&f2);
}

static void check_purl(const char *s)
{
	struct it_purl a, b;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf f1 = IT_BUF_INIT, f2 = IT_BUF_INIT;
	if (it_purl_parse(&a, s, &err) < 0) {
		it_error_clear(&err);
		return;
	}
	if (it_purl_format(&a, &f1) < 0 || it_purl_parse(&b, it_buf_str(&f1), &err) < 0)
		abort();
	if (it_purl_format(&b, &f2) < 0 || strcmp(it_buf_str(&f1), it_buf_str(&f2)) != 0)
		abort();
	for (size_t i = 0; i < a.n_q; i++)
		if (it_purl_qualifier(&b, a.q[i].key) == NULL)
			abort();
	it_purl_free(&a);
	it_purl_free(&b);
	it_buf_free(&f1);
	it_buf_free(&f2);
}

static void check_versions(char *const *v)
{
	for (int s = IT_VS_GENERIC; s <= IT_VS_GIT; s++) {
		enum it_vscheme sc = (enum it_vscheme)s;
		int c[PARTS][PARTS];
		for (int i = 0; i < PARTS; i++) {
			(void)it_vers_valid(sc, v[i]);
			for (int j = 0; j < PARTS; j++)
				c[i][j] = sgn(it_vers_cmp(sc, v[i], v[j]));
		}
		for (int i = 0; i < PARTS; i++) {
			if (c[i][i] != 0)
				abort();
			for (int j = 0; j < PARTS; j++) {
				if (c[i][j] != -c[j][i])
					abort();
				for (int k = 0; k < PARTS; k++)
					if (c[i][j] <= 0 && c[j][k] <= 0 && c[i][k] > 0)
						abort(); /* not transitive */
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *part[PARTS];
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	char *p = copy;
	for (int i = 0; i < PARTS; i++) {
		part[i] = p;
		char *nl = strchr(p, '\n');
		if (nl) {
			*nl = '\0';
			p = nl + 1;
		} else {
			p += strlen(p);
		}
	}
	for (int i = 0; i < PARTS; i++) {
		check_cpe(part[i], part[(i + 1) % PARTS]);
		check_purl(part[i]);
	}
	check_versions(part);
	free(copy);
	return 0;
}

/*
 * Package URLs (docs/vulndb.md "PURL"): parsed per the purl specification's "how to
 * parse" steps into percent-decoded components, normalised as PURL-TYPES says for the
 * types that lower-case names, and formatted back in the canonical form, so two PURLs
 * for the same package compare equal as strings once formatted.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iotrust/vulndb.h"

#define PURL_MAX 65536 /* bytes in one PURL */

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void lower(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* Percent-decode s[0..n) (at byte off of the PURL) into a new string. */
static int decode(const char *s, size_t n, size_t off, const char *what, char **out,
                  struct it_error *err)
{
	char *d = malloc(n + 1);
	size_t k = 0;
	if (!d)
		return it_error_nomem(err);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			d[k++] = s[i];
			continue;
		}
		int hi = i + 2 < n ? hex_value((unsigned char)s[i + 1]) : -1;
		int lo = hi >= 0 ? hex_value((unsigned char)s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || hi * 16 + lo == 0) {
			free(d);
			return it_error_set(
			        err, IT_ERR_INPUT, NULL, off + i,
			        "PURL %s: '%%' must start a %%XX escape of a non-zero byte", what);
		}
		d[k++] = (char)(hi * 16 + lo);
		i += 2;
	}
	d[k] = '\0';
	*out = d;
	return 0;
}

/* '/'-separated segments of s[0..n), each decoded, empty ones (and with dots, "." and
 * "..") dropped, joined with '/'; *out is NULL when none is left. */
static int segments(const char *s, size_t n, size_t off, int dots, const char *what, char **out,
                    struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	size_t i = 0;
	*out = NULL;
	while (i < n) {
		const char *slash = memchr(s + i, '/', n - i);
		size_t end = slash ? (size_t)(slash - s) : n;
		char *seg = NULL;
		if (decode(s + i, end - i, off + i, what, &seg, err) < 0) {
			it_buf_free(&b);
			return -1;
		}
		int skip = !*seg || (dots && (!strcmp(seg, ".") || !strcmp(seg, "..")));
		int bad = strchr(seg, '/') != NULL;
		int rc = skip || bad
		                 ? 0
		                 : (b.len && it_buf_putc(&b, '/') < 0) || it_buf_puts(&b, seg) < 0;
		free(seg);
		if (bad || rc) {
			it_buf_free(&b);
			return bad ? it_error_set(err, IT_ERR_INPUT, NULL, off + i,
			                          "PURL %s: a segment must not contain '/' (%%2F)",
			                          what)
			           : it_error_nomem(err);
		}
		i = end + 1;
	}
	if (b.len && !(*out = it_buf_detach(&b)))
		return it_error_nomem(err);
	it_buf_free(&b);
	return 0;
}

/* --- qualifiers ------------------------------------------------------------------------ */

static int key_ok(const char *k)
{
	if (!*k || is_digit((unsigned char)*k))
		return 0;
	for (; *k; k++)
		if (!is_alnum((unsigned char)*k) && !strchr("._-", *k))
			return 0;
	return 1;
}

static int cmp_qualifier(const void *a, const void *b)
{
	return strcmp(((const struct it_purl_qualifier *)a)->key,
	              ((const struct it_purl_qualifier *)b)->key);
}

/* "k=v&k=v": keys lower-cased and checked, values decoded, empty values dropped, sorted. */
static int qualifiers(struct it_purl *p, const char *s, size_t n, size_t off, struct it_error *err)
{
	size_t i = 0, cap = 0;
	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t end = amp ? (size_t)(amp - s) : n;
		const char *eq = memchr(s + i, '=', end - i);
		if (end == i) {
			i = end + 1;
			continue;
		}
		if (!eq)
			return it_error_set(err, IT_ERR_INPUT, NULL, off + i,
			                    "PURL qualifiers: a pair without '='");
		size_t nk = (size_t)(eq - s) - i;
		char *key = strndup(s + i, nk), *value = NULL;
		if (!key)
			return it_error_nomem(err);
		lower(key);
		if (!key_ok(key)) {
			free(key);
			return it_error_set(
			        err, IT_ERR_INPUT, NULL, off + i,
			        "PURL qualifiers: a key is letters, digits and \"._-\", "
			        "not starting with a digit");
		}
		size_t vo = (size_t)(eq - s) + 1;
		if (decode(s + vo, end - vo, off + vo, "qualifier value", &value, err) < 0) {
			free(key);
			return -1;
		}
		if (!*value) {
			free(key);
			free(value);
			i = end + 1;
			continue;
		}
		for (size_t k = 0; k < p->n_q; k++) {
			if (strcmp(p->q[k].key, key) == 0) {
				free(key);
				free(value);
				return it_error_set(err, IT_ERR_INPUT, NULL, off + i,
				                    "PURL qualifiers: the key \"%s\" appears twice",
				                    p->q[k].key);
			}
		}
		if (it_array_grow(&p->q, &cap, p->n_q, sizeof(*p->q)) < 0) {
			free(key);
			free(value);
			return it_error_nomem(err);
		}
		p->q[p->n_q].key = key;
		p->q[p->n_q].value = value;
		p->n_q++;
		i = end + 1;
	}
	if (p->n_q > 1)
		qsort(p->q, p->n_q, sizeof(*p->q), cmp_qualifier);
	return 0;
}

/* --- per type (PURL-TYPES) ------------------------------------------------------------- */

static int type_in(const char *type, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(type, *list) == 0)
			return 1;
	return 0;
}

static int type_rules(struct it_purl *p, struct it_error *err)
{
	static const char *const lower_ns[] = {"alpm",   "apk", "bitbucket", "composer", "deb",
	                                       "github", "hex", "qpkg",      "rpm",      NULL};
	static const char *const lower_name[] = {"alpm",     "apk", "bitbucket", "bitnami",
	                                         "composer", "deb", "github",    "hex",
	                                         "oci",      "pub", "pypi",      NULL};
	if (type_in(p->type, lower_ns))
		lower(p->namespace);
	if (type_in(p->type, lower_name))
		lower(p->name);
	if (strcmp(p->type, "pypi") == 0)
		for (char *c = p->name; *c; c++)
			if (*c == '_')
				*c = '-';
	if (strcmp(p->type, "huggingface") == 0)
		lower(p->version);
	const char *t = p->type;
	if (strcmp(t, "conan") == 0 && !p->namespace != !it_purl_qualifier(p, "channel"))
		return it_error_set(
		        err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
		        "PURL conan: a namespace and the channel qualifier go together");
	if ((strcmp(t, "cran") == 0 || strcmp(t, "swift") == 0) && !p->version)
		return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
		                    "PURL %s: a version is required", t);
	if (strcmp(t, "swift") == 0 && !p->namespace)
		return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
		                    "PURL swift: a namespace (source host and owner) is required");
	return 0;
}

/* --- parse ------------------------------------------------------------------------------ */

static int parse(struct it_purl *p, const char *s, struct it_error *err)
{
	size_t n = strlen(s);
	if (n > PURL_MAX)
		return it_error_set(err, IT_ERR_INPUT, NULL, PURL_MAX, "PURL: longer than %d bytes",
		                    PURL_MAX);
	if (strncasecmp(s, "pkg:", 4) != 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                    "PURL: expected \"pkg:\" at the start");
	size_t start = 4, end = n;
	const char *hash = memchr(s + start, '#', end - start);
	if (hash) {
		size_t h = (size_t)(hash - s);
		if (segments(s + h + 1, end - h - 1, h + 1, 1, "subpath", &p->subpath, err) < 0)
			return -1;
		end = h;
	}
	const char *query = memchr(s + start, '?', end - start);
	if (query) {
		size_t q = (size_t)(query - s);
		if (qualifiers(p, s + q + 1, end - q - 1, q + 1, err) < 0)
			return -1;
		end = q;
	}
	while (start < end && s[start] == '/')
		start++;
	const char *slash = memchr(s + start, '/', end - start);
	if (!slash)
		return it_error_set(err, IT_ERR_INPUT, NULL, start,
		                    "PURL: a type and a name separated by '/' are required");
	size_t nt = (size_t)(slash - s) - start;
	if (nt == 0 || !(p->type = strndup(s + start, nt)))
		return nt ? it_error_nomem(err)
		          : it_error_set(err, IT_ERR_INPUT, NULL, start, "PURL type: empty");
	lower(p->type);
	for (size_t i = 0; i < nt; i++)
		if ((!is_alnum((unsigned char)p->type[i]) && !strchr(".+-", p->type[i])) ||
		    (i == 0 && is_digit((unsigned char)p->type[i])))
			return it_error_set(
			        err, IT_ERR_INPUT, NULL, start + i,
			        "PURL type: letters, digits and \".+-\", not starting with "
			        "a digit");
	start += nt + 1;
	while (end > start && s[end - 1] == '/')
		end--;
	const char *last = memrchr(s + start, '/', end - start);
	size_t name_at = last ? (size_t)(last - s) + 1 : start;
	const char *at = memrchr(s + name_at, '@', end - name_at);
	if (at) {
		size_t v = (size_t)(at - s) + 1;
		if (v == end)
			return it_error_set(err, IT_ERR_INPUT, NULL, v,
			                    "PURL version: empty after '@'");
		if (decode(s + v, end - v, v, "version", &p->version, err) < 0)
			return -1;
	}
	size_t name_end = at ? (size_t)(at - s) : end;
	if (decode(s + name_at, name_end - name_at, name_at, "name", &p->name, err) < 0)
		return -1;
	if (!*p->name)
		return it_error_set(err, IT_ERR_INPUT, NULL, name_at, "PURL name: required");
	if (last && segments(s + start, (size_t)(last - s) - start, start, 0, "namespace",
	                     &p->namespace, err) < 0)
		return -1;
	return type_rules(p, err);
}

int it_purl_parse(struct it_purl *out, const char *s, struct it_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = s ? parse(out, s, err)
	           : it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET, "PURL: none given");
	if (rc < 0)
		it_purl_free(out);
	return rc;
}

void it_purl_free(struct it_purl *p)
{
	if (!p)
		return;
	free(p->type);
	free(p->namespace);
	free(p->name);
	free(p->version);
	free(p->subpath);
	for (size_t i = 0; i < p->n_q; i++) {
		free(p->q[i].key);
		free(p->q[i].value);
	}
	free(p->q);
	memset(p, 0, sizeof(*p));
}

const char *it_purl_qualifier(const struct it_purl *p, const char *key)
{
	for (size_t i = 0; p && key && i < p->n_q; i++)
		if (strcmp(p->q[i].key, key) == 0)
			return p->q[i].value;
	return NULL;
}

/* --- format ----------------------------------------------------------------------------- */

/* Percent-encode: letters, digits, ".-_~" and ':' stay (and '/' where `slash`). */
static int put_encoded(struct it_buf *b, const char *s, int slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int keep = is_alnum(c) || strchr(".-_~:", c) || (slash && c == '/');
		if (keep ? it_buf_putc(b, (char)c) < 0
		         : it_buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]) < 0)
			return -1;
	}
	return 0;
}

/* Segments joined by '/', each encoded. */
static int put_segments(struct it_buf *b, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "/");
		char *seg = strndup(s, n);
		int rc = !seg || put_encoded(b, seg, 0) < 0 ? -1 : 0;
		free(seg);
		if (rc < 0)
			return -1;
		s += n;
		if (*s == '/') {
			s++;
			if (*s && it_buf_putc(b, '/') < 0)
				return -1;
		}
	}
	return 0;
}

int it_purl_format(const struct it_purl *p, struct it_buf *out)
{
	if (!p->type || !p->name)
		return -1;
	if (it_buf_printf(out, "pkg:%s/", p->type) < 0)
		return -1;
	if (p->namespace && *p->namespace &&
	    (put_segments(out, p->namespace) < 0 || it_buf_putc(out, '/') < 0))
		return -1;
	if (put_encoded(out, p->name, 0) < 0)
		return -1;
	if (p->version && (it_buf_putc(out, '@') < 0 || put_encoded(out, p->version, 0) < 0))
		return -1;
	for (size_t i = 0; i < p->n_q; i++)
		if (it_buf_printf(out, "%c%s=", i ? '&' : '?', p->q[i].key) < 0 ||
		    put_encoded(out, p->q[i].value, 1) < 0)
			return -1;
	if (p->subpath && *p->subpath &&
	    (it_buf_putc(out, '#') < 0 || put_segments(out, p->subpath) < 0))
		return -1;
	return 0;
}

/*
 * CPE names (docs/vulndb.md "CPE"): the 2.3 formatted string binding and the 2.2 URI
 * binding of NISTIR 7695 parsed into one it_cpe, formatted back as a 2.3 string, and
 * NISTIR 7696 name matching. An attribute without wildcards is kept unescaped; one with
 * unquoted '*'/'?' (wild) is kept as a pattern in which a literal '\', '*', '?' is
 * written "\\", "\*", "\?" and every other character is itself.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iotrust/vulndb.h"

#define CPE_MAX 8192 /* bytes in one name: NVD's longest are a few hundred */

static const char *const attr_names[IT_CPE_N] = {
        "part",     "vendor",     "product",   "version",   "update", "edition",
        "language", "sw_edition", "target_sw", "target_hw", "other",
};

static int is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = to_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One attribute value as items: a literal character, or an unquoted wildcard. */
struct value {
	struct it_buf pattern;           /* literals with '\', '*', '?' escaped, wildcards bare */
	struct it_buf plain;             /* literals only */
	size_t items, lead, trail, wild; /* lead: wildcards before the first literal */
	int lead_done;
	char first_wild, last_wild;
	int mixed_lead, mixed_trail; /* a wildcard run mixing '*' and '?' or repeating '*' */
};

static void value_free(struct value *v)
{
	it_buf_free(&v->pattern);
	it_buf_free(&v->plain);
}

static int value_literal(struct value *v, char c)
{
	if ((c == '\\' || c == '*' || c == '?') && it_buf_putc(&v->pattern, '\\') < 0)
		return -1;
	if (it_buf_putc(&v->pattern, c) < 0 || it_buf_putc(&v->plain, c) < 0)
		return -1;
	v->lead_done = 1;
	v->items++;
	v->trail = 0;
	return 0;
}

static int value_wild(struct value *v, char c)
{
	if (it_buf_putc(&v->pattern, c) < 0)
		return -1;
	if (!v->lead_done) {
		v->lead++;
		if (v->lead > 1 && (c != v->first_wild || c == '*'))
			v->mixed_lead = 1;
		if (v->lead == 1)
			v->first_wild = c;
	} else {
		if (v->trail > 0 && (c != v->last_wild || c == '*'))
			v->mixed_trail = 1;
		v->trail++;
	}
	v->last_wild = c;
	v->items++;
	v->wild++;
	return 0;
}

static int set_logical(struct it_cpe *c, int i, int na, struct it_error *err)
{
	char *s = strdup("");
	if (!s)
		return it_error_nomem(err);
	free(c->attr[i]);
	c->attr[i] = s;
	c->any[i] = (uint8_t)!na;
	c->na[i] = (uint8_t)na;
	c->wild[i] = 0;
	return 0;
}

/* Store the value in attribute i of c (ANY and NA are handled by the caller). Wildcards
 * only as one run at the start and one at the end, each a single '*' or '?'s. */
static int value_store(struct it_cpe *c, int i, struct value *v, size_t where, struct it_error *err)
{
	size_t lead = v->lead;
	if (v->items == 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, where, "CPE %s: empty value",
		                    attr_names[i]);
	if (v->wild > lead + v->trail)
		return it_error_set(err, IT_ERR_INPUT, NULL, where,
		                    "CPE %s: an unquoted '*' or '?' is only allowed at the start "
		                    "or the end of the value",
		                    attr_names[i]);
	if (v->mixed_lead || v->mixed_trail)
		return it_error_set(err, IT_ERR_INPUT, NULL, where,
		                    "CPE %s: a wildcard run must be one '*' or only '?'s",
		                    attr_names[i]);
	if (v->wild == 1 && v->items == 1 && v->first_wild == '*')
		return set_logical(c, i, 0, err); /* a lone %02 in a URI */
	struct it_buf *b = v->wild ? &v->pattern : &v->plain;
	char *s = it_buf_detach(b);
	if (!s)
		return it_error_nomem(err);
	free(c->attr[i]);
	c->attr[i] = s;
	c->wild[i] = v->wild > 0;
	c->any[i] = c->na[i] = 0;
	return 0;
}

/* The part must be a, o or h (or ANY). */
static int check_part(const struct it_cpe *c, size_t where, struct it_error *err)
{
	const char *p = c->attr[IT_CPE_PART];
	if (c->any[IT_CPE_PART])
		return 0;
	if (c->na[IT_CPE_PART] || c->wild[IT_CPE_PART] || strlen(p) != 1 ||
	    !strchr("aoh", to_lower((unsigned char)p[0])))
		return it_error_set(err, IT_ERR_INPUT, NULL, where,
		                    "CPE part: expected a, o or h, or * for ANY");
	return 0;
}

/* --- 2.3 formatted string ------------------------------------------------------------- */

/* One character (or escape) of a value at s[*k] of s[0..n); moves *k past all but its
 * last byte. `i` names the attribute, `off` is the value's offset in the name. */
typedef int (*value_step)(struct value *v, const char *s, size_t n, size_t *k, size_t off, int i,
                          struct it_error *err);

static int add_literal(struct value *v, int ch, struct it_error *err)
{
	return value_literal(v, (char)ch) < 0 ? it_error_nomem(err) : 0;
}

static int add_wild(struct value *v, int ch, struct it_error *err)
{
	return value_wild(v, (char)ch) < 0 ? it_error_nomem(err) : 0;
}

/* Read the value s[0..n) at byte offset off of the name into attribute i. */
static int read_value(struct it_cpe *c, int i, const char *s, size_t n, size_t off, value_step step,
                      struct it_error *err)
{
	struct value v;
	int rc = 0;
	memset(&v, 0, sizeof(v)); /* empty buffers */
	for (size_t k = 0; k < n && rc == 0; k++)
		rc = step(&v, s, n, &k, off, i, err);
	if (rc == 0)
		rc = value_store(c, i, &v, off, err);
	value_free(&v);
	return rc;
}

/* The formatted string: '\' quotes punctuation, '*' and '?' are wildcards, letters,
 * digits and "_-." stand for themselves. */
static int fs_step(struct value *v, const char *s, size_t n, size_t *k, size_t off, int i,
                   struct it_error *err)
{
	unsigned char ch = (unsigned char)s[*k];
	if (ch == '\\') {
		unsigned char q = *k + 1 < n ? (unsigned char)s[*k + 1] : 0;
		if (q < 0x21 || q > 0x7e || is_alnum(q))
			return it_error_set(
			        err, IT_ERR_INPUT, NULL, off + *k,
			        "CPE %s: a backslash must quote a punctuation character",
			        attr_names[i]);
		++*k;
		return add_literal(v, q, err);
	}
	if (ch == '*' || ch == '?')
		return add_wild(v, ch, err);
	if (is_alnum(ch) || ch == '_' || ch == '-' || ch == '.')
		return add_literal(v, ch, err);
	if (ch < 0x21 || ch > 0x7e)
		return it_error_set(err, IT_ERR_INPUT, NULL, off + *k,
		                    "CPE %s: byte 0x%02x is not allowed", attr_names[i], ch);
	return it_error_set(err, IT_ERR_INPUT, NULL, off + *k,
	                    "CPE %s: '%c' must be quoted with a backslash", attr_names[i], ch);
}

static int fs_value(struct it_cpe *c, int i, const char *s, size_t n, size_t off,
                    struct it_error *err)
{
	if (n == 1 && (s[0] == '*' || s[0] == '-'))
		return set_logical(c, i, s[0] == '-', err);
	return read_value(c, i, s, n, off, fs_step, err);
}

static int parse_fs(struct it_cpe *c, const char *s, struct it_error *err)
{
	size_t pos = 8, n = strlen(s);
	for (int i = 0; i < IT_CPE_N; i++) {
		size_t end = pos;
		while (end < n && s[end] != ':')
			end += s[end] == '\\' && end + 1 < n ? 2 : 1;
		if (end > n)
			end = n;
		if (i < IT_CPE_N - 1 && end == n)
			return it_error_set(err, IT_ERR_INPUT, NULL, n,
			                    "CPE: %d components where 13 are expected (%s missing)",
			                    i + 3, attr_names[i + 1]);
		if (i == IT_CPE_N - 1 && end < n)
			return it_error_set(err, IT_ERR_INPUT, NULL, end,
			                    "CPE: more than 13 components");
		if (end == pos)
			return it_error_set(err, IT_ERR_INPUT, NULL, pos,
			                    "CPE %s: empty (ANY is written *)", attr_names[i]);
		if (fs_value(c, i, s + pos, end - pos, pos, err) < 0)
			return -1;
		pos = end + 1;
	}
	return check_part(c, 8, err);
}

/* --- 2.2 URI ------------------------------------------------------------------------------- */

/* The URI: lower-cased and percent-decoded as 7695's decode() does; %01 and a bare '?' are
 * the '?' wildcard, %02 and a bare '*' the '*'. */
static int uri_step(struct value *v, const char *s, size_t n, size_t *k, size_t off, int i,
                    struct it_error *err)
{
	unsigned char ch = (unsigned char)s[*k];
	if (ch == '%') {
		int hi = *k + 2 < n ? hex_value((unsigned char)s[*k + 1]) : -1;
		int lo = hi >= 0 ? hex_value((unsigned char)s[*k + 2]) : -1;
		int dec = hi * 16 + lo;
		if (hi < 0 || lo < 0)
			return it_error_set(err, IT_ERR_INPUT, NULL, off + *k,
			                    "CPE %s: '%%' must start a %%XX escape", attr_names[i]);
		if (dec != 1 && dec != 2 && (dec < 0x21 || dec > 0x7e || is_alnum(dec)))
			return it_error_set(err, IT_ERR_INPUT, NULL, off + *k,
			                    "CPE %s: %%%02X is not a punctuation character",
			                    attr_names[i], (unsigned)dec);
		*k += 2;
		return dec == 1 || dec == 2 ? add_wild(v, dec == 1 ? '?' : '*', err)
		                            : add_literal(v, to_lower(dec), err);
	}
	if (ch == '*' || ch == '?')
		return add_wild(v, ch, err);
	if (is_alnum(ch) || ch == '_' || ch == '-' || ch == '.' || ch == '~')
		return add_literal(v, to_lower(ch), err);
	return it_error_set(err, IT_ERR_INPUT, NULL, off + *k,
	                    "CPE %s: byte 0x%02x must be percent-encoded in a URI", attr_names[i],
	                    ch);
}

static int uri_value(struct it_cpe *c, int i, const char *s, size_t n, size_t off,
                     struct it_error *err)
{
	if (n == 0)
		return set_logical(c, i, 0, err);
	if (n == 1 && s[0] == '-')
		return set_logical(c, i, 1, err);
	return read_value(c, i, s, n, off, uri_step, err);
}

/* "~edition~sw_edition~target_sw~target_hw~other" */
static int uri_packed(struct it_cpe *c, const char *s, size_t n, size_t off, struct it_error *err)
{
	static const int attrs[] = {IT_CPE_EDITION, IT_CPE_SW_EDITION, IT_CPE_TARGET_SW,
	                            IT_CPE_TARGET_HW, IT_CPE_OTHER};
	size_t pos = 1;
	for (int k = 0; k < 5; k++) {
		const char *t = memchr(s + pos, '~', n - pos);
		size_t end = t ? (size_t)(t - s) : n;
		if ((k < 4 && !t) || (k == 4 && t))
			return it_error_set(err, IT_ERR_INPUT, NULL, off + (t ? end : n),
			                    "CPE edition: a packed edition has exactly five '~'");
		if (uri_value(c, attrs[k], s + pos, end - pos, off + pos, err) < 0)
			return -1;
		pos = end + 1;
	}
	return 0;
}

static int parse_uri(struct it_cpe *c, const char *s, struct it_error *err)
{
	size_t pos = 5, n = strlen(s);
	for (int i = 0; i < IT_CPE_N; i++)
		if (set_logical(c, i, 0, err) < 0)
			return -1;
	for (int i = 0; i <= IT_CPE_LANGUAGE && pos <= n; i++) {
		const char *colon = memchr(s + pos, ':', n - pos);
		size_t end = colon ? (size_t)(colon - s) : n;
		if (colon && i == IT_CPE_LANGUAGE)
			return it_error_set(err, IT_ERR_INPUT, NULL, end,
			                    "CPE: a 2.2 URI has at most 7 components");
		int rc = i == IT_CPE_EDITION && end > pos && s[pos] == '~'
		                 ? uri_packed(c, s + pos, end - pos, pos, err)
		                 : uri_value(c, i, s + pos, end - pos, pos, err);
		if (rc < 0)
			return -1;
		pos = end + 1;
	}
	return check_part(c, 5, err);
}

/* --- the public face ---------------------------------------------------------------------- */

int it_cpe_parse(struct it_cpe *out, const char *s, struct it_error *err)
{
	memset(out, 0, sizeof(*out));
	int rc;
	if (!s)
		rc = it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET, "CPE: no name");
	else if (strlen(s) > CPE_MAX)
		rc = it_error_set(err, IT_ERR_INPUT, NULL, CPE_MAX, "CPE: longer than %d bytes",
		                  CPE_MAX);
	else if (strncasecmp(s, "cpe:2.3:", 8) == 0)
		rc = parse_fs(out, s, err);
	else if (strncasecmp(s, "cpe:/", 5) == 0)
		rc = parse_uri(out, s, err);
	else
		rc = it_error_set(err, IT_ERR_INPUT, NULL, 0,
		                  "CPE: expected \"cpe:2.3:\" or \"cpe:/\" at the start");
	if (rc < 0)
		it_cpe_free(out);
	return rc;
}

void it_cpe_free(struct it_cpe *c)
{
	if (!c)
		return;
	for (int i = 0; i < IT_CPE_N; i++)
		free(c->attr[i]);
	memset(c, 0, sizeof(*c));
}

/* One literal character in the formatted string: quoted unless it is a letter, a digit or
 * one of "_-."; a value of just "-" is quoted too, so it does not read as NA. */
static int put_literal(struct it_buf *out, unsigned char ch, int alone)
{
	if (ch < 0x21 || ch > 0x7e)
		return -1;
	if (!(is_alnum(ch) || ch == '_' || ch == '.' || (ch == '-' && !alone)) &&
	    it_buf_putc(out, '\\') < 0)
		return -1;
	return it_buf_putc(out, (char)ch);
}

int it_cpe_format(const struct it_cpe *c, struct it_buf *out)
{
	if (it_buf_puts(out, "cpe:2.3") < 0)
		return -1;
	for (int i = 0; i < IT_CPE_N; i++) {
		const char *v = c->attr[i] ? c->attr[i] : "";
		if (it_buf_putc(out, ':') < 0)
			return -1;
		if (c->any[i] || c->na[i]) {
			if (it_buf_putc(out, c->any[i] ? '*' : '-') < 0)
				return -1;
			continue;
		}
		if (!*v)
			return -1; /* an empty value has no formatted string */
		int alone = strcmp(v, "-") == 0;
		for (const char *p = v; *p; p++) {
			int rc;
			if (c->wild[i] && *p == '\\' && p[1])
				rc = put_literal(out, (unsigned char)*++p, 0);
			else if (c->wild[i] && (*p == '*' || *p == '?'))
				rc = it_buf_putc(out, *p);
			else
				rc = put_literal(out, (unsigned char)*p, alone);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

/* --- matching (NISTIR 7696) ------------------------------------------------------------------- */

enum relation { REL_DISJOINT, REL_SUBSET, REL_SUPERSET, REL_EQUAL, REL_UNDEFINED };

/* A pattern: a leading run (lead_any '*', or lead_q '?'s), a literal core, a trailing
 * run. As in 7696's compare_strings, k '?' at one end match up to k characters. */
struct pattern {
	int lead_any, trail_any;
	size_t lead_q, trail_q;
	char *core; /* unescaped */
	size_t n;
};

static int pattern_read(struct pattern *pt, const char *p)
{
	memset(pt, 0, sizeof(*pt));
	pt->core = malloc(strlen(p) + 1);
	if (!pt->core)
		return -1;
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			pt->core[pt->n++] = *++p;
		} else if (*p == '*' || *p == '?') {
			int *any = pt->n ? &pt->trail_any : &pt->lead_any;
			size_t *q = pt->n ? &pt->trail_q : &pt->lead_q;
			if (*p == '*')
				*any = 1;
			else
				(*q)++;
		} else {
			pt->core[pt->n++] = *p;
		}
	}
	pt->core[pt->n] = '\0';
	return 0;
}

static int eq_nocase(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (to_lower((unsigned char)a[i]) != to_lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static enum relation pattern_match(const char *pat, const char *target)
{
	struct pattern pt;
	enum relation r = REL_DISJOINT;
	if (pattern_read(&pt, pat) < 0)
		return REL_UNDEFINED;
	size_t m = strlen(target);
	for (size_t at = 0; pt.n <= m && at <= m - pt.n; at++) {
		if (!pt.lead_any && at > pt.lead_q)
			break; /* the prefix before the core is already too long */
		if (!eq_nocase(target + at, pt.core, pt.n))
			continue;
		size_t rest = m - at - pt.n;
		if (pt.trail_any || rest <= pt.trail_q) {
			r = REL_SUPERSET;
			break;
		}
	}
	free(pt.core);
	return r;
}

static enum relation compare_attr(const struct it_cpe *s, const struct it_cpe *t, int i)
{
	if (t->wild[i])
		return REL_UNDEFINED;
	if (s->any[i])
		return t->any[i] ? REL_EQUAL : REL_SUPERSET;
	if (t->any[i])
		return REL_SUBSET;
	if (s->na[i] || t->na[i])
		return s->na[i] && t->na[i] ? REL_EQUAL : REL_DISJOINT;
	if (s->wild[i])
		return pattern_match(s->attr[i], t->attr[i]);
	size_t n = strlen(s->attr[i]);
	return strlen(t->attr[i]) == n && eq_nocase(s->attr[i], t->attr[i], n) ? REL_EQUAL
	                                                                       : REL_DISJOINT;
}

int it_cpe_matches(const struct it_cpe *source, const struct it_cpe *target)
{
	for (int i = 0; i < IT_CPE_N; i++) {
		if (!source->attr[i] || !target->attr[i])
			return 0;
		enum relation r = compare_attr(source, target, i);
		if (r != REL_SUPERSET && r != REL_EQUAL)
			return 0;
	}
	return 1;
}

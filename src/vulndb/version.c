/*
 * Version comparison per scheme (docs/vulndb.md "Versions"): dpkg, apk, semver 2.0.0, the
 * generic scheme for upstream versions as NVD writes them, and git commit ids. Each
 * comparator reads both strings as a sequence of tokens with a total order and compares
 * the sequences lexicographically, so any two byte strings compare, garbage included.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "iotrust/vulndb.h"

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int is_alpha(int c)
{
	return is_lower(c) || (c >= 'A' && c <= 'Z');
}

static int is_xdigit(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int to_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int sign(long long v)
{
	return (v > 0) - (v < 0);
}

/* Two runs of decimal digits compared as numbers of any size (empty is 0). */
static int cmp_digits(const char *a, size_t na, const char *b, size_t nb)
{
	while (na > 0 && *a == '0')
		a++, na--;
	while (nb > 0 && *b == '0')
		b++, nb--;
	if (na != nb)
		return na < nb ? -1 : 1;
	return sign(na ? memcmp(a, b, na) : 0);
}

/* Two byte runs compared like memcmp, the shorter first on a common prefix. */
static int cmp_bytes(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);
	if (c)
		return sign(c);
	return na == nb ? 0 : na < nb ? -1 : 1;
}

static size_t span_digits(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	return i;
}

/* --- deb: dpkg's algorithm (Debian Policy 5.6.12) ------------------------------------ */

/* The weight of one character of a non-digit run: '~' before the end of the run, the end
 * before letters, letters before everything else (c < 0 is the end). */
static int deb_weight(int c)
{
	if (c < 0 || is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	return c + 256;
}

/* Compare an upstream version or revision: alternately a non-digit run (by deb_weight,
 * character by character) and a digit run (numerically). */
static int deb_part_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		while ((i < na && !is_digit((unsigned char)a[i])) ||
		       (j < nb && !is_digit((unsigned char)b[j]))) {
			int wa = deb_weight(i < na ? (unsigned char)a[i] : -1);
			int wb = deb_weight(j < nb ? (unsigned char)b[j] : -1);
			if (wa != wb)
				return wa < wb ? -1 : 1;
			i++, j++;
		}
		size_t da = span_digits(a + i, na - i), db = span_digits(b + j, nb - j);
		int c = cmp_digits(a + i, da, b + j, db);
		if (c)
			return c;
		i += da, j += db;
	}
	return 0;
}

struct deb_version {
	const char *epoch, *upstream, *revision;
	size_t n_epoch, n_upstream, n_revision;
};

/* Epoch: the digits before the first ':' (none: 0). Revision: after the last '-' (none:
 * empty, which equals "0"). A non-numeric "epoch" stays part of the upstream version. */
static void deb_split(const char *v, struct deb_version *d)
{
	size_t n = strlen(v);
	const char *colon = memchr(v, ':', n);
	d->epoch = v;
	d->n_epoch = 0;
	if (colon && colon > v && span_digits(v, (size_t)(colon - v)) == (size_t)(colon - v)) {
		d->n_epoch = (size_t)(colon - v);
		n -= d->n_epoch + 1;
		v = colon + 1;
	}
	const char *hyphen = memrchr(v, '-', n);
	d->upstream = v;
	d->n_upstream = hyphen ? (size_t)(hyphen - v) : n;
	d->revision = hyphen ? hyphen + 1 : v + n;
	d->n_revision = hyphen ? n - d->n_upstream - 1 : 0;
}

static int deb_cmp(const char *a, const char *b)
{
	struct deb_version x, y;
	deb_split(a, &x);
	deb_split(b, &y);
	int c = cmp_digits(x.epoch, x.n_epoch, y.epoch, y.n_epoch);
	if (!c)
		c = deb_part_cmp(x.upstream, x.n_upstream, y.upstream, y.n_upstream);
	if (!c)
		c = deb_part_cmp(x.revision, x.n_revision, y.revision, y.n_revision);
	return c;
}

static int deb_chars_ok(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_digit(c) && !is_alpha(c) && !strchr(extra, c))
			return 0;
	}
	return 1;
}

/* dpkg's parseversion() rules, its warnings included. */
static int deb_valid(const char *v)
{
	size_t n = strlen(v);
	const char *colon = memchr(v, ':', n);
	if (n == 0)
		return 0;
	if (colon) {
		size_t ne = (size_t)(colon - v);
		if (ne == 0 || span_digits(v, ne) != ne || cmp_digits(v, ne, "2147483647", 10) > 0)
			return 0;
		if (colon[1] == '\0')
			return 0;
	}
	struct deb_version d;
	deb_split(v, &d);
	if (d.n_upstream == 0 || !is_digit((unsigned char)d.upstream[0]))
		return 0;
	if (d.revision != d.upstream + d.n_upstream && d.n_revision == 0)
		return 0; /* a '-' with nothing after it */
	return deb_chars_ok(d.upstream, d.n_upstream, ".-+~:") &&
	       deb_chars_ok(d.revision, d.n_revision, ".+~");
}

/* --- apk: apk-tools' ordering ---------------------------------------------------------- */

/* Token kinds in apk-tools' order; where two versions first differ in the kind of token,
 * the one whose kind comes later in this list is the lesser (so an ended version is
 * less than one that goes on), except that a pre-release suffix is less than anything. */
enum apk_kind {
	APK_INVALID,
	APK_DOT_DIGIT, /* digits after '.' */
	APK_DIGIT,
	APK_LETTER,
	APK_SUFFIX,    /* _alpha ... _p */
	APK_SUFFIX_NO, /* the number after a suffix */
	APK_REVISION,  /* -r<digits> */
	APK_END
};

struct apk_token {
	enum apk_kind kind;
	const char *s; /* digits, the letter, or the invalid rest */
	size_t n;
	long zeros; /* APK_DOT_DIGIT: leading zeros (then digits follow as APK_DIGIT) */
	int suffix; /* APK_SUFFIX: -4..-1 pre-release, 0..4 post-release */
};

struct apk_lexer {
	const char *p, *end;
	enum apk_kind next; /* the kind of the token at p */
};

static const char *const apk_pre[] = {"alpha", "beta", "pre", "rc"};
static const char *const apk_post[] = {"cvs", "svn", "git", "hg", "p"};

/* The suffix name at p (longest list entry first as apk-tools does: "pre" before "p"). */
static int apk_suffix(const char *p, const char *end, size_t *len)
{
	size_t n = (size_t)(end - p);
	for (int i = 0; i < 4; i++) {
		size_t k = strlen(apk_pre[i]);
		if (k <= n && memcmp(p, apk_pre[i], k) == 0)
			return *len = k, i - 4;
	}
	for (int i = 0; i < 5; i++) {
		size_t k = strlen(apk_post[i]);
		if (k <= n && memcmp(p, apk_post[i], k) == 0)
			return *len = k, i;
	}
	return *len = 0, 99;
}

/* Decide the kind of the token after one of kind `prev`, consuming its separator. */
static enum apk_kind apk_next_kind(struct apk_lexer *lx, enum apk_kind prev)
{
	const char *p = lx->p;
	enum apk_kind k = APK_INVALID;
	if (p == lx->end)
		return APK_END;
	unsigned char c = (unsigned char)*p;
	if ((prev == APK_DIGIT || prev == APK_DOT_DIGIT) && is_lower(c))
		k = APK_LETTER;
	else if (prev == APK_LETTER && is_digit(c))
		k = APK_DIGIT;
	else if (prev == APK_SUFFIX && is_digit(c))
		k = APK_SUFFIX_NO;
	else if (c == '.')
		k = APK_DOT_DIGIT, p++;
	else if (c == '_')
		k = APK_SUFFIX, p++;
	else if (c == '-' && p + 1 < lx->end && p[1] == 'r')
		k = APK_REVISION, p += 2;
	/* components only go forward, except these three steps back */
	if (k < prev && !(k == APK_DOT_DIGIT && prev == APK_DIGIT) &&
	    !(k == APK_SUFFIX && prev == APK_SUFFIX_NO) && !(k == APK_DIGIT && prev == APK_LETTER))
		k = APK_INVALID;
	if (k != APK_INVALID)
		lx->p = p;
	return k;
}

static void apk_read(struct apk_lexer *lx, struct apk_token *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = lx->next;
	t->s = lx->p;
	size_t len = 0;
	switch (t->kind) {
	case APK_END:
		return;
	case APK_DOT_DIGIT:
		while (lx->p + t->zeros < lx->end && lx->p[t->zeros] == '0')
			t->zeros++;
		if (t->zeros) {
			lx->p += t->zeros;
			/* apk-tools reads the digits after leading zeros as a number of their
			 * own, an empty one if none follow; that puts "1.0_rc1" after "1.0",
			 * so before a pre-release suffix the empty number is left out */
			size_t k = 0;
			if (lx->p + 1 < lx->end && *lx->p == '_' &&
			    apk_suffix(lx->p + 1, lx->end, &k) < 0)
				lx->next = apk_next_kind(lx, APK_DIGIT);
			else
				lx->next = lx->p == lx->end ? APK_END : APK_DIGIT;
			return;
		}
		/* fall through */
	case APK_DIGIT:
	case APK_SUFFIX_NO:
	case APK_REVISION:
		len = span_digits(lx->p, (size_t)(lx->end - lx->p));
		break;
	case APK_LETTER:
		len = 1;
		break;
	case APK_SUFFIX:
		t->suffix = apk_suffix(lx->p, lx->end, &len);
		if (t->suffix == 99)
			t->kind = APK_INVALID;
		break;
	case APK_INVALID:
		break;
	}
	if (t->kind == APK_INVALID) {
		t->n = (size_t)(lx->end - t->s);
		lx->p = lx->end;
		lx->next = APK_END;
		t->kind = APK_INVALID;
		return;
	}
	t->n = len;
	lx->p += len;
	lx->next = apk_next_kind(lx, t->kind); /* APK_INVALID: the next read takes the rest */
}

/* Where the kinds differ: a pre-release suffix first, then from APK_END back to
 * APK_INVALID. */
static int apk_rank(const struct apk_token *t)
{
	if (t->kind == APK_SUFFIX && t->suffix < 0)
		return -1;
	return APK_END - (int)t->kind;
}

static int apk_token_cmp(const struct apk_token *a, const struct apk_token *b)
{
	int ra = apk_rank(a), rb = apk_rank(b);
	if (a->kind != b->kind)
		return ra < rb ? -1 : 1;
	switch (a->kind) {
	case APK_DOT_DIGIT:
		/* leading zeros first, more of them first ("1.005" < "1.05" < "1.5") */
		if (a->zeros != b->zeros) {
			if (!a->zeros || !b->zeros)
				return a->zeros ? -1 : 1;
			return a->zeros > b->zeros ? -1 : 1;
		}
		return a->zeros ? 0 : cmp_digits(a->s, a->n, b->s, b->n);
	case APK_DIGIT:
	case APK_SUFFIX_NO:
	case APK_REVISION:
		return cmp_digits(a->s, a->n, b->s, b->n);
	case APK_SUFFIX:
		return sign(a->suffix - b->suffix);
	case APK_LETTER:
	case APK_INVALID:
		return cmp_bytes(a->s, a->n, b->s, b->n);
	case APK_END:
		break;
	}
	return 0;
}

static void apk_start(struct apk_lexer *lx, const char *v)
{
	lx->p = v;
	lx->end = v + strlen(v);
	lx->next = lx->p == lx->end ? APK_END : APK_DIGIT;
}

static int apk_cmp(const char *a, const char *b)
{
	struct apk_lexer la, lb;
	struct apk_token ta, tb;
	apk_start(&la, a);
	apk_start(&lb, b);
	for (;;) {
		apk_read(&la, &ta);
		apk_read(&lb, &tb);
		int c = apk_token_cmp(&ta, &tb);
		if (c || ta.kind == APK_END || ta.kind == APK_INVALID)
			return c;
	}
}

static int apk_valid(const char *v)
{
	struct apk_lexer lx;
	struct apk_token t;
	if (!is_digit((unsigned char)v[0]))
		return 0;
	apk_start(&lx, v);
	do
		apk_read(&lx, &t);
	while (t.kind != APK_END && t.kind != APK_INVALID);
	return t.kind == APK_END;
}

/* --- semver 2.0.0 ----------------------------------------------------------------------- */

struct semver {
	const char *core, *pre; /* pre: NULL when there is no pre-release */
	size_t n_core, n_pre;
};

/* An optional leading 'v', build metadata (from the first '+') dropped, the pre-release
 * from the first '-' of what remains. */
static void semver_split(const char *v, struct semver *s)
{
	if (*v == 'v' || *v == 'V')
		v++;
	size_t n = strcspn(v, "+");
	const char *dash = memchr(v, '-', n);
	s->core = v;
	s->n_core = dash ? (size_t)(dash - v) : n;
	s->pre = dash ? dash + 1 : NULL;
	s->n_pre = dash ? n - s->n_core - 1 : 0;
}

/* One dot-separated identifier: numbers numerically and before anything else, which
 * compares bytewise. */
static int semver_ident_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	int da = na > 0 && span_digits(a, na) == na, db = nb > 0 && span_digits(b, nb) == nb;
	if (da && db)
		return cmp_digits(a, na, b, nb);
	if (da != db)
		return da ? -1 : 1;
	return cmp_bytes(a, na, b, nb);
}

/* Dot-separated lists; a missing core component is "0", a missing pre-release identifier
 * makes the shorter list the lesser. */
static int semver_list_cmp(const char *a, size_t na, const char *b, size_t nb, int pad_zero)
{
	size_t i = 0, j = 0;
	int more_a = 1, more_b = 1;
	while (more_a || more_b) {
		const char *ea = more_a ? memchr(a + i, '.', na - i) : NULL;
		const char *eb = more_b ? memchr(b + j, '.', nb - j) : NULL;
		size_t la = more_a ? (ea ? (size_t)(ea - a) - i : na - i) : 0;
		size_t lb = more_b ? (eb ? (size_t)(eb - b) - j : nb - j) : 0;
		if (!pad_zero && (!more_a || !more_b))
			return more_a ? 1 : -1;
		int c = semver_ident_cmp(more_a ? a + i : "0", more_a ? la : 1,
		                         more_b ? b + j : "0", more_b ? lb : 1);
		if (c)
			return c;
		if (more_a) {
			more_a = ea != NULL;
			i += la + 1;
		}
		if (more_b) {
			more_b = eb != NULL;
			j += lb + 1;
		}
	}
	return 0;
}

static int semver_cmp(const char *a, const char *b)
{
	struct semver x, y;
	semver_split(a, &x);
	semver_split(b, &y);
	int c = semver_list_cmp(x.core, x.n_core, y.core, y.n_core, 1);
	if (c)
		return c;
	if (!x.pre || !y.pre)
		return x.pre == y.pre ? 0 : x.pre ? -1 : 1;
	return semver_list_cmp(x.pre, x.n_pre, y.pre, y.n_pre, 0);
}

/* Dot-separated identifiers of [0-9A-Za-z-], none empty; numeric ones without leading
 * zeros when no_zeros. At most `max` of them (0: any). */
static int semver_idents_ok(const char *s, size_t n, int no_zeros, size_t max)
{
	size_t count = 0, i = 0;
	for (;;) {
		size_t len = 0;
		while (i + len < n && s[i + len] != '.')
			len++;
		if (len == 0)
			return 0;
		for (size_t k = 0; k < len; k++) {
			unsigned char c = (unsigned char)s[i + k];
			if (!is_digit(c) && !is_alpha(c) && c != '-')
				return 0;
		}
		if (no_zeros && len > 1 && s[i] == '0' && span_digits(s + i, len) == len)
			return 0;
		count++;
		i += len;
		if (i == n)
			break;
		i++; /* the dot */
	}
	return max == 0 || count == max;
}

static int semver_valid(const char *v)
{
	const char *w = v + (*v == 'v' || *v == 'V');
	size_t n = strlen(w), nb = strcspn(w, "+");
	struct semver s;
	semver_split(v, &s);
	for (size_t i = 0; i < s.n_core; i++)
		if (!is_digit((unsigned char)s.core[i]) && s.core[i] != '.')
			return 0;
	if (!semver_idents_ok(s.core, s.n_core, 1, 3))
		return 0;
	if (s.pre && !semver_idents_ok(s.pre, s.n_pre, 1, 0))
		return 0;
	return nb == n || semver_idents_ok(w + nb + 1, n - nb - 1, 0, 0);
}

/* --- generic: upstream versions ----------------------------------------------------------- */

/* A token's class; where two versions first differ in class, the lower class is the lesser
 * version: a pre-release word, then the end, then a word (patch letter), then a number. */
enum gen_class { GEN_PRE, GEN_END, GEN_WORD, GEN_NUM };

struct gen_token {
	enum gen_class cls;
	const char *s; /* GEN_NUM: significant digits; GEN_WORD: the letters */
	size_t n;
	int pre; /* GEN_PRE: dev < alpha = a < beta = b < pre < rc */
};

struct gen_lexer {
	const char *p, *end;
	const char *keep_until; /* zero numbers before this are followed by a non-zero one */
};

static int gen_is_sep(const char *p, const char *end)
{
	return p < end && !is_digit((unsigned char)*p) && !is_alpha((unsigned char)*p);
}

/* Is the alphabetic run s[0..n) a pre-release word? Single 'a'/'b' only when a digit
 * follows ("2.0b1"); alone they are patch letters ("1.1.1b"). */
static int gen_pre_word(const char *s, size_t n, const char *end)
{
	static const struct {
		const char *w;
		int rank;
	} words[] = {{"dev", 0}, {"alpha", 1}, {"beta", 2}, {"pre", 3}, {"rc", 4}};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].w) == n && strncasecmp(s, words[i].w, n) == 0)
			return words[i].rank;
	if (n == 1 && (to_lower((unsigned char)*s) == 'a' || to_lower((unsigned char)*s) == 'b') &&
	    s + 1 < end && is_digit((unsigned char)s[1]))
		return to_lower((unsigned char)*s) == 'a' ? 1 : 2;
	return -1;
}

/* After a zero at p: does a non-zero number follow the run of zeros it starts? If so,
 * remember where that number starts so the zeros before it are not scanned again; if not,
 * *stop is where the run ends (a word or the end), so each byte is scanned at most twice. */
static int gen_zero_kept(struct gen_lexer *lx, const char *p, const char **stop)
{
	if (p < lx->keep_until)
		return 1;
	while (p < lx->end) {
		if (gen_is_sep(p, lx->end)) {
			p++;
			continue;
		}
		if (!is_digit((unsigned char)*p))
			break;
		const char *q = p;
		while (q < lx->end && *q == '0')
			q++;
		if (q < lx->end && is_digit((unsigned char)*q)) {
			lx->keep_until = p;
			return 1;
		}
		p = q;
	}
	*stop = p;
	return 0;
}

static void gen_read(struct gen_lexer *lx, struct gen_token *t)
{
	for (;;) {
		while (gen_is_sep(lx->p, lx->end))
			lx->p++;
		memset(t, 0, sizeof(*t));
		if (lx->p == lx->end) {
			t->cls = GEN_END;
			return;
		}
		const char *s = lx->p;
		if (is_digit((unsigned char)*s)) {
			size_t n = span_digits(s, (size_t)(lx->end - s)), z = 0;
			while (z < n && s[z] == '0')
				z++;
			lx->p = s + n;
			/* missing components are 0: zeros before the end or a word are dropped */
			if (z == n && !gen_zero_kept(lx, s, &lx->p))
				continue;
			t->cls = GEN_NUM;
			t->s = s + z;
			t->n = n - z;
			return;
		}
		size_t n = 0;
		while (s + n < lx->end && is_alpha((unsigned char)s[n]))
			n++;
		lx->p = s + n;
		t->pre = gen_pre_word(s, n, lx->end);
		t->cls = t->pre >= 0 ? GEN_PRE : GEN_WORD;
		t->s = s;
		t->n = n;
		return;
	}
}

static int gen_word_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	for (size_t i = 0; i < na && i < nb; i++) {
		int x = to_lower((unsigned char)a[i]), y = to_lower((unsigned char)b[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return na == nb ? 0 : na < nb ? -1 : 1;
}

static int gen_token_cmp(const struct gen_token *a, const struct gen_token *b)
{
	if (a->cls != b->cls)
		return a->cls < b->cls ? -1 : 1;
	switch (a->cls) {
	case GEN_PRE:
		return sign(a->pre - b->pre);
	case GEN_NUM:
		return cmp_digits(a->s, a->n, b->s, b->n);
	case GEN_WORD:
		return gen_word_cmp(a->s, a->n, b->s, b->n);
	case GEN_END:
		break;
	}
	return 0;
}

static void gen_start(struct gen_lexer *lx, const char *v)
{
	if ((*v == 'v' || *v == 'V') && is_digit((unsigned char)v[1]))
		v++;
	lx->p = v;
	lx->end = v + strlen(v);
	lx->keep_until = v;
}

static int gen_cmp(const char *a, const char *b)
{
	struct gen_lexer la, lb;
	struct gen_token ta, tb;
	gen_start(&la, a);
	gen_start(&lb, b);
	for (;;) {
		gen_read(&la, &ta);
		gen_read(&lb, &tb);
		int c = gen_token_cmp(&ta, &tb);
		if (c || ta.cls == GEN_END)
			return c;
	}
}

/* Letters, digits and . - _ + ~ :, at least one digit, starting with a letter or digit. */
static int gen_valid(const char *v)
{
	int digit = 0;
	if (!is_digit((unsigned char)*v) && !is_alpha((unsigned char)*v))
		return 0;
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		digit |= is_digit(c);
		if (!is_digit(c) && !is_alpha(c) && !strchr(".-_+~:", c))
			return 0;
	}
	return digit;
}

/* --- git ------------------------------------------------------------------------------------ */

/* A commit id (4 to 64 hex digits), or "0" as OSV writes for "since the first commit". */
static int git_valid(const char *v)
{
	size_t n = strlen(v);
	if (strcmp(v, "0") == 0)
		return 1;
	if (n < 4 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_xdigit((unsigned char)v[i]))
			return 0;
	return 1;
}

/* --- the public face ------------------------------------------------------------------------ */

static const char *const scheme_names[] = {"generic", "deb", "apk", "semver", "git"};

int it_vscheme_parse(const char *name)
{
	for (size_t i = 0; name && i < sizeof(scheme_names) / sizeof(scheme_names[0]); i++)
		if (strcasecmp(name, scheme_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *it_vscheme_name(enum it_vscheme s)
{
	return (unsigned)s < sizeof(scheme_names) / sizeof(scheme_names[0]) ? scheme_names[s]
	                                                                    : "generic";
}

enum it_vscheme it_vscheme_for_ecosystem(const char *ecosystem)
{
	static const struct {
		const char *name;
		enum it_vscheme s;
	} map[] = {
	        {"Debian", IT_VS_DEB}, {"Ubuntu", IT_VS_DEB},       {"Alpine", IT_VS_APK},
	        {"Wolfi", IT_VS_APK},  {"Chainguard", IT_VS_APK},   {"npm", IT_VS_SEMVER},
	        {"Go", IT_VS_SEMVER},  {"crates.io", IT_VS_SEMVER}, {"Hex", IT_VS_SEMVER},
	        {"Pub", IT_VS_SEMVER}, {"SwiftURL", IT_VS_SEMVER},
	};
	if (!ecosystem)
		return IT_VS_GENERIC;
	/* "Debian:12", "Alpine:v3.18": the part before the ':' names the ecosystem */
	size_t n = strcspn(ecosystem, ":");
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].name) == n && strncasecmp(ecosystem, map[i].name, n) == 0)
			return map[i].s;
	return IT_VS_GENERIC;
}

int it_vers_cmp(enum it_vscheme s, const char *a, const char *b)
{
	if (!a || !b)
		return a == b ? 0 : a ? 1 : -1;
	switch (s) {
	case IT_VS_DEB:
		return deb_cmp(a, b);
	case IT_VS_APK:
		return apk_cmp(a, b);
	case IT_VS_SEMVER:
		return semver_cmp(a, b);
	case IT_VS_GIT:
		return sign(strcmp(a, b));
	case IT_VS_GENERIC:
		break;
	}
	return gen_cmp(a, b);
}

int it_vers_valid(enum it_vscheme s, const char *v)
{
	if (!v || !*v)
		return 0;
	switch (s) {
	case IT_VS_DEB:
		return deb_valid(v);
	case IT_VS_APK:
		return apk_valid(v);
	case IT_VS_SEMVER:
		return semver_valid(v);
	case IT_VS_GIT:
		return git_valid(v);
	case IT_VS_GENERIC:
		break;
	}
	return gen_valid(v);
}

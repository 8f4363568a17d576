/*
 * it_store front end: picks the back end from the location ("sqlite:PATH", a plain path,
 * the XDG default, "postgresql://" reserved), validates every argument against named
 * bounds before any back end sees it, and holds the rules every back end shares (RFC 3339
 * times, what a put does). Back ends trust what reaches them through these wrappers.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "store/backend.h"

/* Bounds on what a caller (ultimately an untrusted feed) may store. */
#define MAX_ID       512                /* record id, alias, CVE id, meta key */
#define MAX_WORD     64                 /* source, scheme, kind, status, severity */
#define MAX_FIELD    ((size_t)64 << 10) /* any other string of a row or KEV entry */
#define MAX_JSON     ((size_t)64 << 20) /* a record's JSON text */
#define MAX_META     ((size_t)16 << 20) /* a meta value */
#define MAX_URL      8192
#define MAX_ALIASES  4096
#define MAX_ROWS     200000
#define MAX_TIME_LEN 64

/* --- RFC 3339 times ------------------------------------------------------------------ */

/* n decimal digits at *p into *out, advancing *p. */
static int take_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int take_char(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 0001-01-01 to the first day of year y (y >= 1), proleptic Gregorian. */
static int64_t days_before_year(int64_t y)
{
	y -= 1;
	return y * 365 + y / 4 - y / 100 + y / 400;
}

/* Days since 1970-01-01 of a valid date. */
static int64_t epoch_days(int y, int m, int d)
{
	static const int before_month[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	int64_t days = days_before_year(y) - days_before_year(1970);
	days += before_month[m - 1] + (m > 2 && is_leap(y)) + d - 1;
	return days;
}

static int month_days(int y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return len[m - 1] + (m == 2 && is_leap(y));
}

/* "[.frac][Z|z|(+|-)hh:mm]" after the seconds: nanoseconds and the zone's offset in s. */
static int parse_frac_zone(const char *p, int32_t *nsec, int *offset)
{
	*nsec = 0;
	*offset = 0;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		int32_t scale = 100000000;
		for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
			*nsec += (int32_t)(*p - '0') * scale; /* digits past the 9th add 0 */
	}
	if (*p == 'Z' || *p == 'z')
		return p[1] == '\0' ? 0 : -1;
	if (*p == '\0')
		return 0; /* no zone: UTC (NVD) */
	if (*p != '+' && *p != '-')
		return -1;
	int sign = *p == '-' ? -1 : 1, oh, om;
	p++;
	if (take_digits(&p, 2, &oh) < 0 || take_char(&p, ':') < 0 || take_digits(&p, 2, &om) < 0 ||
	    *p != '\0' || oh > 23 || om > 59)
		return -1;
	*offset = sign * (oh * 3600 + om * 60);
	return 0;
}

int it_store_time_parse(const char *s, struct it_store_time *t)
{
	if (!s || strnlen(s, MAX_TIME_LEN + 1) > MAX_TIME_LEN)
		return -1;
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, offset = 0;
	int32_t nsec = 0;
	if (take_digits(&p, 4, &y) < 0 || take_char(&p, '-') < 0 || take_digits(&p, 2, &mo) < 0 ||
	    take_char(&p, '-') < 0 || take_digits(&p, 2, &d) < 0)
		return -1;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return -1;
	if (*p != '\0') {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if (take_digits(&p, 2, &h) < 0 || take_char(&p, ':') < 0 ||
		    take_digits(&p, 2, &mi) < 0 || take_char(&p, ':') < 0 ||
		    take_digits(&p, 2, &sec) < 0)
			return -1;
		if (h > 23 || mi > 59 || sec > 60) /* 60: a leap second */
			return -1;
		if (parse_frac_zone(p, &nsec, &offset) < 0)
			return -1;
	}
	t->sec = epoch_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	t->nsec = nsec;
	return 0;
}

int it_store_time_cmp(const struct it_store_time *a, const struct it_store_time *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->nsec != b->nsec)
		return a->nsec < b->nsec ? -1 : 1;
	return 0;
}

void it_store_time_now(char out[static 21])
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(out, "1970-01-01T00:00:00Z");
}

enum it_put it_store_put_decide(int stored, const char *stored_modified,
                                const struct it_store_vuln *v)
{
	if (stored) {
		struct it_store_time mine, theirs;
		if (it_store_time_parse(v->modified, &mine) == 0 &&
		    it_store_time_parse(stored_modified, &theirs) == 0) {
			int c = it_store_time_cmp(&mine, &theirs);
			if (c < 0)
				return IT_PUT_OLDER;
			if (c == 0)
				return IT_PUT_UNCHANGED;
		}
		return v->withdrawn ? IT_PUT_REMOVED : IT_PUT_UPDATED;
	}
	return v->withdrawn ? IT_PUT_REMOVED : IT_PUT_INSERTED;
}

/* --- argument checks ------------------------------------------------------------------- */

enum { TEXT_EMPTY_OK = 1, TEXT_LINES_OK = 2 };

/* NULL when s is a string of 1..max bytes (0 with TEXT_EMPTY_OK) without control
 * characters (tab, CR and LF allowed with TEXT_LINES_OK), else why not. */
static const char *bad_text(const char *s, size_t max, int flags)
{
	if (!s)
		return "is missing";
	size_t n = strnlen(s, max + 1);
	if (n > max)
		return "is too long";
	if (n == 0 && !(flags & TEXT_EMPTY_OK))
		return "is empty";
	/* eight bytes at a time while none is below 0x20 or is 0x7f (a record's JSON is
	 * checked on every put: this is most of a put's checking) */
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;
	while (i < n) {
		if (i + 8 <= n) {
			uint64_t x, y;
			memcpy(&x, s + i, 8);
			y = x ^ (0x7f * ones);
			if (!(((x - 0x20 * ones) & ~x & highs) | ((y - ones) & ~y & highs))) {
				i += 8;
				continue;
			}
		}
		for (size_t end = i + 8 < n ? i + 8 : n; i < end; i++) {
			unsigned char c = (unsigned char)s[i];
			if ((c < 0x20 || c == 0x7f) &&
			    !((flags & TEXT_LINES_OK) && (c == '\t' || c == '\n' || c == '\r')))
				return "holds a control character";
		}
	}
	return NULL;
}

/* Identifiers (ids, aliases, keys): no control characters and no white space at either
 * end (CSAF tracking ids may hold spaces inside). */
static const char *bad_id(const char *s)
{
	const char *why = bad_text(s, MAX_ID, 0);
	if (why)
		return why;
	if (s[0] == ' ' || s[strlen(s) - 1] == ' ')
		return "starts or ends with a space";
	return NULL;
}

static const char *bad_optional(const char *s, size_t max)
{
	return s ? bad_text(s, max, TEXT_EMPTY_OK | TEXT_LINES_OK) : NULL;
}

static int is_one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

static const char *const severities[] = {"critical", "high", "medium", "low", "none", NULL};
static const char *const statuses[] = {"affected", "fixed", "not_affected", "under_investigation",
                                       NULL};
static const char *const kinds[] = {"cpe", "pkg", NULL};

/* Why row r is unusable (its field named in *field), or NULL. */
static const char *bad_row(const struct it_store_row *r, const char **field)
{
	const char *why;
	const struct {
		const char *name, *value;
		size_t max;
		int required;
	} f[] = {
	        {"kind", r->kind, MAX_WORD, 1},        {"ns", r->ns, MAX_FIELD, 1},
	        {"name", r->name, MAX_FIELD, 1},       {"cpe", r->cpe, MAX_FIELD, 0},
	        {"purl", r->purl, MAX_FIELD, 0},       {"scheme", r->scheme, MAX_WORD, 1},
	        {"version", r->version, MAX_FIELD, 0}, {"start", r->start, MAX_FIELD, 0},
	        {"end", r->end, MAX_FIELD, 0},         {"status", r->status, MAX_WORD, 1},
	        {"fixed", r->fixed, MAX_FIELD, 0},     {"platform", r->platform, MAX_FIELD, 0},
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		*field = f[i].name;
		if (!f[i].required && !f[i].value)
			continue;
		if ((why = bad_text(f[i].value, f[i].max, f[i].required ? 0 : TEXT_EMPTY_OK)))
			return why;
	}
	*field = "kind";
	if (!is_one_of(r->kind, kinds))
		return "must be \"cpe\" or \"pkg\"";
	*field = "status";
	if (!is_one_of(r->status, statuses))
		return "must be affected, fixed, not_affected or under_investigation";
	return NULL;
}

static int refuse(struct it_store *s, const char *id, const char *what, const char *why,
                  struct it_error *err)
{
	return it_error_set(err, IT_ERR_INPUT, s->location, IT_NO_OFFSET, "%s%s%s %s", id ? id : "",
	                    id ? ": " : "", what, why);
}

static int check_vuln(struct it_store *s, const struct it_store_vuln *v, struct it_error *err)
{
	const char *why, *field;
	struct it_store_time t;
	if ((why = bad_id(v->id)))
		return refuse(s, NULL, "a record's id", why, err);
	if ((why = bad_text(v->source, MAX_WORD, 0)))
		return refuse(s, v->id, "\"source\"", why, err);
	if (it_store_time_parse(v->modified, &t) < 0)
		return refuse(s, v->id, "\"modified\"", "is not an RFC 3339 time", err);
	if ((why = bad_optional(v->published, MAX_TIME_LEN)))
		return refuse(s, v->id, "\"published\"", why, err);
	if (v->severity && !is_one_of(v->severity, severities))
		return refuse(s, v->id, "\"severity\"",
		              "must be critical, high, medium, low or none", err);
	if (!(v->score == -1 || (v->score >= 0 && v->score <= 10)))
		return refuse(s, v->id, "\"score\"", "must be -1 or 0 to 10", err);
	if ((why = bad_text(v->json, MAX_JSON, TEXT_LINES_OK)))
		return refuse(s, v->id, "its JSON text", why, err);
	if (v->brief && (why = bad_text(v->brief, MAX_JSON, TEXT_LINES_OK)))
		return refuse(s, v->id, "its brief", why, err);
	if (v->n_aliases > MAX_ALIASES || (v->n_aliases && !v->aliases))
		return refuse(s, v->id, "\"aliases\"", "are too many", err);
	for (size_t i = 0; i < v->n_aliases; i++)
		if ((why = bad_id(v->aliases[i])))
			return refuse(s, v->id, "an alias", why, err);
	if (v->n_rows > MAX_ROWS || (v->n_rows && !v->rows))
		return refuse(s, v->id, "\"affected\"", "has too many rows", err);
	for (size_t i = 0; i < v->n_rows; i++)
		if ((why = bad_row(&v->rows[i], &field))) {
			it_error_set(err, IT_ERR_INPUT, s->location, IT_NO_OFFSET,
			             "%s: affected[%zu].%s %s", v->id, i, field, why);
			return -1;
		}
	return 0;
}

/* Is s valid UTF-8 (shortest forms, no surrogates, at most U+10FFFF)? */
static int is_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p, n = c < 0x80                 ? 0
		                     : c >= 0xc2 && c <= 0xdf ? 1
		                     : c >= 0xe0 && c <= 0xef ? 2
		                     : c >= 0xf0 && c <= 0xf4 ? 3
		                                              : 4;
		if (n == 4)
			return 0;
		unsigned cp = n ? c & (0x3fu >> n) : c;
		for (unsigned i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += n + 1;
	}
	return 1;
}

static int check_kev(struct it_store *s, const struct it_store_kev *k, struct it_error *err)
{
	const char *why;
	if ((why = bad_id(k->cve)))
		return refuse(s, NULL, "a KEV entry's cve", why, err);
	/* Read back as JSON (it_store_get_kev): UTF-8 only. */
	const char *const fields[] = {k->cve,      k->vendor, k->product,    k->name, k->date_added,
	                              k->due_date, k->action, k->ransomware, k->notes};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if ((why = bad_optional(fields[i], MAX_FIELD)))
			return refuse(s, k->cve, "a KEV field", why, err);
		if (fields[i] && !is_utf8(fields[i]))
			return refuse(s, k->cve, "a KEV field", "is not UTF-8", err);
	}
	return 0;
}

static int misuse(struct it_error *err, const char *what)
{
	return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET, "it_store: %s", what);
}

/* --- opening ---------------------------------------------------------------------------- */

/* Create dir and every missing parent with mode 0700 (existing ones are left alone). */
static int make_dirs(const char *dir, struct it_error *err)
{
	char *p = strdup(dir);
	if (!p)
		return it_error_nomem(err);
	int rc = 0;
	for (char *slash = p + 1;; slash++) {
		if (*slash != '/' && *slash != '\0')
			continue;
		char c = *slash;
		*slash = '\0';
		struct stat st;
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			rc = it_error_set(err, IT_ERR_IO, p, IT_NO_OFFSET,
			                  "cannot create directory: %s", strerror(errno));
		else if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			rc = it_error_set(err, IT_ERR_IO, p, IT_NO_OFFSET, "not a directory");
		*slash = c;
		if (rc < 0 || c == '\0')
			break;
	}
	free(p);
	return rc;
}

/* $XDG_DATA_HOME/iotrust/iotrust.db, else $HOME/.local/share/iotrust/iotrust.db, with its
 * directory created. The XDG base directory spec ignores relative values. */
static int default_path(struct it_buf *path, struct it_error *err)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int rc;
	if (xdg && xdg[0] == '/')
		rc = it_buf_printf(path, "%s/iotrust", xdg);
	else if (home && home[0] == '/')
		rc = it_buf_printf(path, "%s/.local/share/iotrust", home);
	else
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                    "no default database location: neither XDG_DATA_HOME nor "
		                    "HOME is an absolute path; pass a database path");
	if (rc < 0)
		return it_error_nomem(err);
	if (make_dirs(it_buf_str(path), err) < 0)
		return -1;
	return it_buf_puts(path, "/iotrust.db") < 0 ? it_error_nomem(err) : 0;
}

/* Location prefixes, tried in order; anything else without "://" is a SQLite path. A
 * NULL opener is a back end this build lacks. */
static const struct {
	const char *prefix;
	int strip; /* remove the prefix before handing the target over */
	it_store_open_fn open;
} backends[] = {
        {"sqlite:", 1, it_store_sqlite_open},
        {"postgresql://", 0, NULL},
        {"postgres://", 0, NULL},
};

int it_store_open(struct it_store **out, const char *location, int *created, struct it_error *err)
{
	struct it_buf path = IT_BUF_INIT;
	it_store_open_fn open = it_store_sqlite_open;
	const char *target = location;
	int new_db = 0;
	*out = NULL;
	if (created)
		*created = 0;
	for (size_t i = 0; location && i < sizeof(backends) / sizeof(backends[0]); i++) {
		size_t n = strlen(backends[i].prefix);
		if (strncmp(location, backends[i].prefix, n) != 0)
			continue;
		if (!backends[i].open)
			return it_error_set(err, IT_ERR_USAGE, location, IT_NO_OFFSET,
			                    "not built with PostgreSQL support yet");
		open = backends[i].open;
		target = backends[i].strip ? location + n : location;
		break;
	}
	if (location && target == location && strstr(location, "://"))
		return it_error_set(err, IT_ERR_USAGE, location, IT_NO_OFFSET,
		                    "unknown database URL scheme (use a path, sqlite:PATH or "
		                    "postgresql://...)");
	if (!location) {
		if (default_path(&path, err) < 0) {
			it_buf_free(&path);
			return -1;
		}
		target = it_buf_str(&path);
	}
	if (!*target) {
		it_buf_free(&path);
		return it_error_set(err, IT_ERR_USAGE, location, IT_NO_OFFSET,
		                    "empty database path");
	}
	struct it_store *s = calloc(1, sizeof(*s));
	if (!s || !(s->location = strdup(target))) {
		free(s);
		it_buf_free(&path);
		return it_error_nomem(err);
	}
	it_buf_free(&path);
	if (open(s, s->location, &new_db, err) < 0) {
		free(s->location);
		free(s);
		return -1;
	}
	if (created)
		*created = new_db;
	*out = s;
	return 0;
}

void it_store_close(struct it_store *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s->location);
	free(s);
}

const char *it_store_location(const struct it_store *s)
{
	return s ? s->location : "";
}

/* --- the thin wrappers ------------------------------------------------------------------ */

int it_store_begin(struct it_store *s, struct it_error *err)
{
	return s ? s->ops->begin(s, err) : misuse(err, "no store");
}

int it_store_begin_read(struct it_store *s, struct it_error *err)
{
	if (!s)
		return misuse(err, "no store");
	if (s->ops->begin_read(s, err) < 0)
		return -1;
	s->reading = 1;
	return 0;
}

int it_store_commit(struct it_store *s, struct it_error *err)
{
	if (!s)
		return misuse(err, "no store");
	if (s->ops->commit(s, err) < 0)
		return -1;
	s->reading = 0;
	return 0;
}

void it_store_rollback(struct it_store *s)
{
	if (!s)
		return;
	s->ops->rollback(s);
	s->reading = 0;
}

/* Writes inside a read transaction would have to upgrade its lock, which can fail at
 * any point: refused up front. */
static int check_writable(struct it_store *s, struct it_error *err)
{
	if (!s->reading)
		return 0;
	return it_error_set(err, IT_ERR_INTERNAL, s->location, IT_NO_OFFSET,
	                    "cannot write inside a read transaction");
}

int it_store_put_vuln(struct it_store *s, const struct it_store_vuln *v, enum it_put *res,
                      struct it_error *err)
{
	enum it_put ignored;
	if (!s || !v)
		return misuse(err, "put_vuln without a store or a record");
	if (check_writable(s, err) < 0 || check_vuln(s, v, err) < 0)
		return -1;
	return s->ops->put_vuln(s, v, res ? res : &ignored, err);
}

int it_store_check_vuln(const struct it_store *s, const struct it_store_vuln *v,
                        struct it_error *err)
{
	if (!s || !v)
		return misuse(err, "check_vuln without a store or a record");
	return check_vuln((struct it_store *)s, v, err);
}

int it_store_check_kev(const struct it_store *s, const struct it_store_kev *k, struct it_error *err)
{
	if (!s || !k)
		return misuse(err, "check_kev without a store or an entry");
	return check_kev((struct it_store *)s, k, err);
}

int it_store_put_kev(struct it_store *s, const struct it_store_kev *k, struct it_error *err)
{
	if (!s || !k)
		return misuse(err, "put_kev without a store or an entry");
	if (check_writable(s, err) < 0 || check_kev(s, k, err) < 0)
		return -1;
	return s->ops->put_kev(s, k, err);
}

int it_store_rows(struct it_store *s, const char *kind, const char *ns, const char *name,
                  it_store_row_fn fn, void *user, struct it_error *err)
{
	if (!s || !kind || !name || !fn)
		return misuse(err, "rows needs a store, a kind, a name and a callback");
	if (strnlen(name, MAX_FIELD + 1) > MAX_FIELD ||
	    (ns && strnlen(ns, MAX_FIELD + 1) > MAX_FIELD))
		return 0; /* longer than anything stored: no rows */
	return s->ops->rows(s, kind, ns, name, fn, user, err);
}

int it_store_get_vuln(struct it_store *s, const char *id, struct it_buf *out, struct it_error *err)
{
	if (!s || !id || !out)
		return misuse(err, "get_vuln needs a store, an id and a buffer");
	return s->ops->get_vuln(s, id, out, err);
}

int it_store_get_brief(struct it_store *s, const char *id, struct it_buf *out, struct it_error *err)
{
	if (!s || !id || !out)
		return misuse(err, "get_brief needs a store, an id and a buffer");
	return s->ops->get_brief(s, id, out, err);
}

int it_store_get_kev(struct it_store *s, const char *cve, struct it_buf *out, struct it_error *err)
{
	if (!s || !cve || !out)
		return misuse(err, "get_kev needs a store, a CVE id and a buffer");
	return s->ops->get_kev(s, cve, out, err);
}

int it_store_ids_with_alias(struct it_store *s, const char *alias,
                            int (*fn)(void *user, const char *id), void *user, struct it_error *err)
{
	if (!s || !alias || !fn)
		return misuse(err, "ids_with_alias needs a store, an alias and a callback");
	return s->ops->ids_with_alias(s, alias, fn, user, err);
}

int it_store_feed_get(struct it_store *s, const char *url, struct it_buf *etag,
                      struct it_buf *last_modified, struct it_error *err)
{
	if (!s || !url || !etag || !last_modified)
		return misuse(err, "feed_get needs a store, a URL and two buffers");
	return s->ops->feed_get(s, url, etag, last_modified, err);
}

int it_store_feed_put(struct it_store *s, const char *url, const char *etag,
                      const char *last_modified, struct it_error *err)
{
	const char *why;
	if (!s)
		return misuse(err, "no store");
	if (check_writable(s, err) < 0)
		return -1;
	/* These become request headers: one line each. */
	if ((why = bad_text(url, MAX_URL, 0)) ||
	    (etag && (why = bad_text(etag, MAX_ID * 4, TEXT_EMPTY_OK))) ||
	    (last_modified && (why = bad_text(last_modified, MAX_TIME_LEN, TEXT_EMPTY_OK))))
		return refuse(s, url && strlen(url) <= MAX_URL ? url : NULL, "feed state", why,
		              err);
	return s->ops->feed_put(s, url, etag, last_modified, err);
}

int it_store_meta_get(struct it_store *s, const char *key, struct it_buf *out, struct it_error *err)
{
	if (!s || !key || !out)
		return misuse(err, "meta_get needs a store, a key and a buffer");
	return s->ops->meta_get(s, key, out, err);
}

int it_store_meta_put(struct it_store *s, const char *key, const char *value, struct it_error *err)
{
	const char *why;
	if (!s)
		return misuse(err, "no store");
	if (check_writable(s, err) < 0)
		return -1;
	if ((why = bad_id(key)))
		return refuse(s, NULL, "a meta key", why, err);
	if (!value || strnlen(value, MAX_META + 1) > MAX_META)
		return refuse(s, key, "meta value", value ? "is too long" : "is missing", err);
	return s->ops->meta_put(s, key, value, err);
}

int it_store_stats(struct it_store *s, struct it_store_stats *st, struct it_error *err)
{
	if (!s || !st)
		return misuse(err, "stats needs a store and a result");
	memset(st, 0, sizeof(*st));
	return s->ops->stats(s, st, err);
}

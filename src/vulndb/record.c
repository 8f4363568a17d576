/*
 * Normalised vulnerability records (docs/vulndb.md "Record"): the one conversion from
 * the JSON object every importer builds to the it_store_vuln the store keeps, so the
 * importers agree on what a row, an alias and a severity are.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "vulndb/importer.h"

static json_t *opt_type(json_t *o, const char *key, json_type want, int *ok)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (json_typeof(v) != want) {
		*ok = 0;
		return NULL;
	}
	return v;
}

json_t *it_json_opt_array(json_t *o, const char *key, int *ok)
{
	return opt_type(o, key, JSON_ARRAY, ok);
}

json_t *it_json_opt_object(json_t *o, const char *key, int *ok)
{
	return opt_type(o, key, JSON_OBJECT, ok);
}

const char *it_cvss_severity(double score)
{
	if (score >= 9.0)
		return "critical";
	if (score >= 7.0)
		return "high";
	if (score >= 4.0)
		return "medium";
	if (score > 0.0)
		return "low";
	return "none";
}

const char *it_severity_word(const char *word)
{
	static const char *const words[][2] = {
	        {"critical", "critical"}, {"high", "high"},       {"important", "high"},
	        {"medium", "medium"},     {"moderate", "medium"}, {"low", "low"},
	        {"negligible", "low"},    {"none", "none"},
	};
	for (size_t i = 0; word && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(word, words[i][0]) == 0)
			return words[i][1];
	return NULL;
}

/* n decimal digits at s into *v; 0 or -1. */
static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return days[m - 1] + (m == 2 && leap);
}

/* The time of day after the date at s: *p moves past it; seconds east of UTC in *off. */
static int time_of_day(const char **p, int *h, int *mi, int *sec, int *ms, int *off)
{
	const char *s = *p;
	int oh, om;
	if ((*s != 'T' && *s != 't' && *s != ' ') || digits(s + 1, 2, h) || s[3] != ':' ||
	    digits(s + 4, 2, mi) || s[6] != ':' || digits(s + 7, 2, sec) || *h > 23 || *mi > 59 ||
	    *sec > 60)
		return -1;
	s += 9;
	if (*s == '.') {
		int n = 0;
		for (s++; *s >= '0' && *s <= '9'; s++, n++)
			if (n < 3)
				*ms = *ms * 10 + (*s - '0');
		if (n == 0 || n > 9)
			return -1;
		for (; n < 3; n++)
			*ms *= 10;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		if (digits(s + 1, 2, &oh) || s[3] != ':' || digits(s + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		*off = (*s == '+' ? 1 : -1) * (oh * 3600 + om * 60);
		s += 6;
	}
	*p = s;
	return 0;
}

int it_time_utc(const char *s, struct it_buf *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, off = 0;
	it_buf_truncate(out, 0);
	if (!s || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || y < 1 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return -1;
	const char *p = s + 10;
	if (*p && time_of_day(&p, &h, &mi, &sec, &ms, &off) < 0)
		return -1;
	if (*p)
		return -1;
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi,
	                .tm_sec = sec};
	time_t t = timegm(&tm) - off;
	struct tm u;
	if (!gmtime_r(&t, &u) || u.tm_year + 1900 < 1 || u.tm_year + 1900 > 9999)
		return -1;
	if (it_buf_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", u.tm_year + 1900,
	                  u.tm_mon + 1, u.tm_mday, u.tm_hour, u.tm_min, u.tm_sec, ms) < 0) {
		it_buf_truncate(out, 0);
		return -1;
	}
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int flag(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* Fill row from its JSON object; NULL when a required member is missing. */
static const char *row_of(json_t *o, struct it_store_row *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = str(o, "kind");
	r->ns = str(o, "ns");
	r->name = str(o, "name");
	if (!r->kind || (strcmp(r->kind, "cpe") != 0 && strcmp(r->kind, "pkg") != 0))
		return "\"kind\" must be \"cpe\" or \"pkg\"";
	if (!r->ns || !r->name || !*r->name)
		return "\"ns\" and \"name\" are required";
	r->cpe = str(o, "cpe");
	r->purl = str(o, "purl");
	r->scheme = str(o, "scheme");
	if (!r->scheme)
		r->scheme = "generic";
	r->version = str(o, "version");
	/* a range the importer could not parse (CSAF product_version_range text) must not
	 * read as "every version": no scheme can compare it, so it never matches */
	if (str(o, "range_text") && !r->version && !str(o, "start") && !str(o, "end"))
		r->scheme = "unparsed";
	r->start = str(o, "start");
	r->start_incl = flag(o, "start_incl");
	r->end = str(o, "end");
	r->end_incl = flag(o, "end_incl");
	r->status = str(o, "status");
	if (!r->status)
		r->status = "affected";
	r->fixed = str(o, "fixed");
	r->platform = str(o, "platform");
	r->negate = flag(o, "negate");
	return NULL;
}

/* Scores in their shortest form ("9.8", not "9.8000000000000007"), as the NVD reader
 * writes them. */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* What a match reports of rec (store.h, it_store_get_brief): these members, null when
 * absent. NULL when out of memory. */
static char *brief_of(json_t *rec)
{
	static const char *const keys[] = {"source",   "aliases", "summary",
	                                   "severity", "score",   "metrics"};
	json_t *b = json_object();
	char *text = NULL;
	for (size_t i = 0; b && i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(rec, keys[i]);
		if (json_object_set(b, keys[i], v ? v : json_null()) < 0)
			goto out;
	}
	text = b ? json_dumps(b, DUMP_FLAGS) : NULL;
out:
	json_decref(b);
	return text;
}

int it_record_emit(json_t *rec, const char *where, const struct it_import_sink *sink,
                   struct it_error *err)
{
	struct it_store_vuln v = {0};
	const char *bad = NULL;
	v.id = str(rec, "id");
	v.source = str(rec, "source");
	v.modified = str(rec, "modified");
	v.published = str(rec, "published");
	v.withdrawn = flag(rec, "withdrawn");
	v.severity = str(rec, "severity");
	json_t *score = json_object_get(rec, "score");
	v.score = json_is_number(score) ? json_number_value(score) : -1;
	if (!v.id || !*v.id)
		bad = "a record needs an \"id\"";
	else if (!v.source)
		bad = "a record needs a \"source\"";
	else if (!v.modified)
		bad = "a record needs a \"modified\" time";
	if (bad) {
		if (sink->malformed)
			sink->malformed(sink->user, where, bad);
		return 0;
	}

	json_t *aliases = json_object_get(rec, "aliases");
	json_t *affected = json_object_get(rec, "affected");
	size_t na = json_array_size(aliases), nr = json_array_size(affected);
	const char **al = calloc(na ? na : 1, sizeof(*al));
	struct it_store_row *rows = calloc(nr ? nr : 1, sizeof(*rows));
	char *text = json_dumps(rec, DUMP_FLAGS); /* insertion order: deterministic */
	char *brief = brief_of(rec);
	int rc = 0;
	if (!al || !rows || !text || !brief) {
		rc = it_error_nomem(err);
		goto out;
	}
	for (size_t i = 0; i < na; i++)
		if ((al[v.n_aliases] = json_string_value(json_array_get(aliases, i))))
			v.n_aliases++;
	for (size_t i = 0; i < nr && !bad; i++)
		bad = row_of(json_array_get(affected, i), &rows[i]);
	if (bad) {
		if (sink->malformed)
			sink->malformed(sink->user, where, bad);
		goto out;
	}
	v.aliases = al;
	v.rows = rows;
	v.n_rows = nr;
	v.json = text;
	v.brief = brief;
	rc = sink->vuln(sink->user, &v, err);
out:
	free(al);
	free(rows);
	free(text);
	free(brief);
	return rc;
}

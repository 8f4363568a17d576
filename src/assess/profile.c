/*
 * Product profiles and declarations: strict validation of the YAML tree (assess/yaml.h)
 * against field tables, producing canonical JSON in table order. A field table says each
 * key's type, whether it is required and its closed list; a handful of custom handlers cover
 * what a table cannot (data categories, declaration answers, cross-field rules). Every error
 * names file:line:column, the key path and what was expected.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess/yaml.h"
#include "iotrust/buf.h"
#include "iotrust/profile.h"

#define MAX_TEXT 4000 /* characters of any one string value */

struct vctx {
	const char *file;
	struct it_error *err;
	const struct it_catalogue *cat;
	struct it_buf path; /* key path of the node being checked: "network.services[2].port" */
};

enum ftype {
	F_STR,     /* non-empty text */
	F_BOOL,    /* true or false */
	F_INT,     /* decimal integer in [min, max] */
	F_ENUM,    /* one of values */
	F_DATE,    /* YYYY-MM-DD */
	F_URL,     /* http(s)://... */
	F_CONTACT, /* e-mail address, mailto: or http(s) URL */
	F_COUNTRY, /* ISO 3166-1 alpha-2 code */
	F_STRS,    /* list of text */
	F_ENUMS,   /* list of distinct values */
	F_MAP,     /* mapping with fields sub */
	F_MAPS,    /* list of mappings with fields sub */
	F_CUSTOM   /* fn */
};

enum freq {
	OPTIONAL,
	REQUIRED,
	DEFAULT_FALSE /* F_BOOL only: absent means false, always present in the output */
};

struct field;
typedef int (*custom_fn)(struct vctx *v, const struct it_ynode *n, json_t **out);

struct field {
	const char *key;
	enum ftype type;
	enum freq req;
	const char *const *values; /* F_ENUM, F_ENUMS: NULL-terminated */
	const struct field *sub;   /* F_MAP, F_MAPS: terminated by a NULL key */
	custom_fn fn;              /* F_CUSTOM; F_MAP, F_MAPS: extra check after the fields */
	long min, max;             /* F_INT; F_STRS, F_ENUMS, F_MAPS: min = minimum length */
};

/* --- closed lists ---------------------------------------------------------------------- */

static const char *const verticals[] = {"smart-home-security",
                                        "toys-children",
                                        "health-wearable",
                                        "energy-ev-charging",
                                        "e-mobility",
                                        "appliance",
                                        "industrial",
                                        "smart-city",
                                        "geospatial-data",
                                        "other",
                                        NULL};
static const char *const impacts[] = {"none", "low", "medium", "high", NULL};
static const char *const exposures[] = {"lan-only", "cloud-connected", "internet-facing", NULL};
static const char *const protocols[] = {"tcp", "udp", NULL};
static const char *const flow_data[] = {"personal",    "location",  "audio-video", "health",
                                        "children",    "telemetry", "account",     "payment",
                                        "diagnostics", "other",     NULL};
static const char *const mechanisms[] = {"automatic", "user-confirmed", "manual", "none", NULL};
static const char *const markets[] = {"UK", "EU", "US", NULL};
static const char *const statuses[] = {"implemented", "not-implemented", "not-applicable", NULL};

size_t it_profile_vertical_count(void)
{
	return sizeof verticals / sizeof verticals[0] - 1;
}

const char *it_profile_vertical(size_t i)
{
	return i < it_profile_vertical_count() ? verticals[i] : NULL;
}

/* --- errors and paths ------------------------------------------------------------------ */

static const char *path_str(const struct vctx *v)
{
	return v->path.len ? it_buf_str(&v->path) : "(top level)";
}

/* "<path>: <message>", at n's position. */
static int fail(struct vctx *v, const struct it_ynode *n, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int fail(struct vctx *v, const struct it_ynode *n, const char *fmt, ...)
{
	struct it_buf msg = IT_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int bad = it_buf_printf(&msg, "%s: ", path_str(v)) < 0 || it_buf_vprintf(&msg, fmt, ap) < 0;
	va_end(ap);
	if (bad) {
		it_buf_free(&msg);
		return it_error_nomem(v->err);
	}
	it_error_set_line(v->err, IT_ERR_INPUT, v->file, n ? n->line : 0, n ? n->column : 0, "%s",
	                  it_buf_str(&msg));
	it_buf_free(&msg);
	return -1;
}

/* "<path>: expected <what>, got <description of n>". */
static int expected(struct vctx *v, const struct it_ynode *n, const char *what)
{
	char *got = it_ynode_describe(n);
	if (!got)
		return it_error_nomem(v->err);
	struct it_buf e = IT_BUF_INIT;
	int rc = it_buf_printf(&e, "expected %s, got ", what) < 0 || it_buf_puts(&e, got) < 0
	                 ? it_error_nomem(v->err)
	                 : fail(v, n, "%s", it_buf_str(&e));
	free(got);
	it_buf_free(&e);
	return rc;
}

static int expected_one_of(struct vctx *v, const struct it_ynode *n, const char *const *values)
{
	struct it_buf e = IT_BUF_INIT;
	int bad = it_buf_puts(&e, "one of ");
	for (size_t i = 0; values[i] && bad == 0; i++)
		bad = it_buf_printf(&e, "%s%s", i ? ", " : "", values[i]);
	int rc = bad < 0 ? it_error_nomem(v->err) : expected(v, n, it_buf_str(&e));
	it_buf_free(&e);
	return rc;
}

/* Append ".key" or "[i]" to the path; returns the length to truncate back to, or -1. */
static long path_key(struct vctx *v, const char *key)
{
	size_t mark = v->path.len;
	if ((mark && it_buf_putc(&v->path, '.') < 0) || it_buf_puts(&v->path, key) < 0)
		return it_error_nomem(v->err);
	return (long)mark;
}

static long path_index(struct vctx *v, size_t i)
{
	size_t mark = v->path.len;
	if (it_buf_printf(&v->path, "[%zu]", i) < 0)
		return it_error_nomem(v->err);
	return (long)mark;
}

static void path_pop(struct vctx *v, long mark)
{
	it_buf_truncate(&v->path, (size_t)mark);
}

/* --- scalar types ---------------------------------------------------------------------- */

static int is_scalar(const struct it_ynode *n)
{
	return n && n->kind == IT_YNODE_SCALAR && !it_ynode_is_null(n);
}

static int blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

static int conv_str(struct vctx *v, const struct it_ynode *n, json_t **out)
{
	if (!is_scalar(n) || blank(n->text) || strlen(n->text) != n->len)
		return expected(v, n, "a non-empty string");
	if (n->len > MAX_TEXT)
		return fail(v, n, "text longer than %d characters", MAX_TEXT);
	*out = json_stringn(n->text, n->len);
	if (!*out)
		return expected(v, n, "a string in UTF-8");
	return 0;
}

static int conv_bool(struct vctx *v, const struct it_ynode *n, json_t **out)
{
	static const char *const t[] = {"true", "True", "TRUE"}, *const f[] = {"false", "False",
	                                                                       "FALSE"};
	if (is_scalar(n) && n->plain)
		for (size_t i = 0; i < 3; i++) {
			if (!strcmp(n->text, t[i]))
				return (*out = json_true()) ? 0 : it_error_nomem(v->err);
			if (!strcmp(n->text, f[i]))
				return (*out = json_false()) ? 0 : it_error_nomem(v->err);
		}
	return expected(v, n, "true or false");
}

static int conv_int(struct vctx *v, const struct it_ynode *n, long min, long max, json_t **out)
{
	struct it_buf e = IT_BUF_INIT;
	if (it_buf_printf(&e, "an integer from %ld to %ld", min, max) < 0)
		return it_error_nomem(v->err);
	int ok = is_scalar(n) && n->plain && n->len > 0 && n->len < 12;
	for (size_t i = 0; ok && i < n->len; i++)
		ok = isdigit((unsigned char)n->text[i]) || (i == 0 && n->text[i] == '-');
	long val = ok ? strtol(n->text, NULL, 10) : 0;
	int rc = ok && val >= min && val <= max ? 0 : expected(v, n, it_buf_str(&e));
	it_buf_free(&e);
	if (rc == 0 && !(*out = json_integer(val)))
		return it_error_nomem(v->err);
	return rc;
}

static int conv_enum(struct vctx *v, const struct it_ynode *n, const char *const *values,
                     json_t **out)
{
	if (is_scalar(n))
		for (size_t i = 0; values[i]; i++)
			if (!strcmp(n->text, values[i]))
				return (*out = json_string(values[i])) ? 0 : it_error_nomem(v->err);
	return expected_one_of(v, n, values);
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int conv_date(struct vctx *v, const struct it_ynode *n, json_t **out)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int ok = is_scalar(n) && n->len == 10 && n->text[4] == '-' && n->text[7] == '-';
	for (size_t i = 0; ok && i < 10; i++)
		ok = i == 4 || i == 7 || isdigit((unsigned char)n->text[i]);
	if (ok) {
		int y = atoi(n->text), m = atoi(n->text + 5), d = atoi(n->text + 8);
		ok = y >= 1970 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 &&
		     d <= mdays[m - 1] + (m == 2 && leap(y));
	}
	if (!ok)
		return expected(v, n, "a date YYYY-MM-DD");
	return (*out = json_stringn(n->text, n->len)) ? 0 : it_error_nomem(v->err);
}

static int no_space(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
			return 0;
	return 1;
}

static int url_ok(const char *s)
{
	size_t skip = !strncmp(s, "https://", 8) ? 8 : !strncmp(s, "http://", 7) ? 7 : 0;
	return skip && s[skip] && s[skip] != '/' && no_space(s);
}

static int email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	return at && at > s && strchr(at + 1, '.') && !strchr(at + 1, '@') &&
	       at[strlen(at) - 1] != '.' && no_space(s);
}

static int conv_url(struct vctx *v, const struct it_ynode *n, json_t **out)
{
	if (!is_scalar(n) || n->len > MAX_TEXT || strlen(n->text) != n->len || !url_ok(n->text))
		return expected(v, n, "an http:// or https:// URL");
	return (*out = json_stringn(n->text, n->len)) ? 0 : expected(v, n, "UTF-8");
}

static int conv_contact(struct vctx *v, const struct it_ynode *n, json_t **out)
{
	int ok = is_scalar(n) && n->len <= MAX_TEXT && strlen(n->text) == n->len &&
	         (url_ok(n->text) || email_ok(n->text) ||
	          (!strncmp(n->text, "mailto:", 7) && email_ok(n->text + 7)));
	if (!ok)
		return expected(v, n, "an e-mail address or an http(s) URL");
	return (*out = json_stringn(n->text, n->len)) ? 0 : expected(v, n, "UTF-8");
}

static int conv_country(struct vctx *v, const struct it_ynode *n, json_t **out)
{
	if (!is_scalar(n) || n->len != 2 || !isupper((unsigned char)n->text[0]) ||
	    !isupper((unsigned char)n->text[1]) || (n->text[0] & 0x80) || (n->text[1] & 0x80))
		return expected(v, n, "an ISO 3166-1 alpha-2 country code such as GB, DE or US");
	return (*out = json_string(n->text)) ? 0 : it_error_nomem(v->err);
}

/* --- containers ------------------------------------------------------------------------ */

static int conv_field(struct vctx *v, const struct field *f, const struct it_ynode *n,
                      json_t **out);

static int want_map(struct vctx *v, const struct it_ynode *n)
{
	return n && n->kind == IT_YNODE_MAP ? 0 : expected(v, n, "a mapping of keys to values");
}

/* Each key of map must be one of fields; required ones must be present. Output in table order. */
static int conv_map(struct vctx *v, const struct it_ynode *n, const struct field *fields,
                    json_t **out)
{
	if (want_map(v, n) < 0)
		return -1;
	for (size_t i = 0; i < n->n; i += 2) {
		const struct field *f = fields;
		while (f->key && strcmp(f->key, n->kids[i]->text) != 0)
			f++;
		if (f->key)
			continue;
		struct it_buf known = IT_BUF_INIT;
		int bad = 0;
		for (f = fields; f->key && bad == 0; f++)
			bad = it_buf_printf(&known, "%s%s", f == fields ? "" : ", ", f->key);
		char *key = it_ynode_describe(n->kids[i]);
		struct it_buf msg = IT_BUF_INIT;
		if (bad < 0 || !key ||
		    it_buf_printf(&msg, "unknown key %s (expected one of: %s)", key,
		                  it_buf_str(&known)) < 0)
			it_error_nomem(v->err);
		else
			fail(v, n->kids[i], "%s", it_buf_str(&msg));
		free(key);
		it_buf_free(&known);
		it_buf_free(&msg);
		return -1;
	}
	json_t *o = json_object();
	if (!o)
		return it_error_nomem(v->err);
	for (const struct field *f = fields; f->key; f++) {
		const struct it_ynode *val = it_ynode_get(n, f->key);
		json_t *j = NULL;
		if (!val && f->req == REQUIRED) {
			json_decref(o);
			return fail(v, n, "missing required key \"%s\"", f->key);
		}
		if (!val && f->req == DEFAULT_FALSE)
			j = json_false();
		else if (val) {
			long mark = path_key(v, f->key);
			int rc = mark < 0 ? -1 : conv_field(v, f, val, &j);
			if (mark >= 0)
				path_pop(v, mark);
			if (rc < 0) {
				json_decref(o);
				return -1;
			}
		}
		if (j && json_object_set_new(o, f->key, j) < 0) {
			json_decref(o);
			return it_error_nomem(v->err);
		}
	}
	*out = o;
	return 0;
}

/* A list of at least min items, each converted by conv(v, item, f, &json). */
static int conv_list(struct vctx *v, const struct it_ynode *n, const struct field *f,
                     const char *what, json_t **out)
{
	if (!n || n->kind != IT_YNODE_SEQ || n->n < (size_t)f->min) {
		struct it_buf e = IT_BUF_INIT;
		int rc = it_buf_printf(&e, f->min ? "a non-empty list of %s" : "a list of %s",
		                       what) < 0
		                 ? it_error_nomem(v->err)
		                 : expected(v, n, it_buf_str(&e));
		it_buf_free(&e);
		return rc;
	}
	json_t *a = json_array();
	if (!a)
		return it_error_nomem(v->err);
	for (size_t i = 0; i < n->n; i++) {
		long mark = path_index(v, i);
		json_t *j = NULL;
		int rc = -1;
		if (mark >= 0) {
			const struct it_ynode *it = n->kids[i];
			if (f->type == F_STRS)
				rc = conv_str(v, it, &j);
			else if (f->type == F_ENUMS)
				rc = conv_enum(v, it, f->values, &j);
			else
				rc = conv_map(v, it, f->sub, &j);
			if (rc == 0 && f->type == F_MAPS && f->fn)
				rc = f->fn(v, it, &j);
			for (size_t k = 0; rc == 0 && f->type == F_ENUMS && k < json_array_size(a);
			     k++)
				if (json_equal(json_array_get(a, k), j))
					rc = fail(v, it, "%s is listed twice",
					          json_string_value(j));
			if (rc == 0 && json_array_append_new(a, j) < 0)
				rc = it_error_nomem(v->err);
			else if (rc < 0)
				json_decref(j);
			path_pop(v, mark);
		}
		if (rc < 0) {
			json_decref(a);
			return -1;
		}
	}
	*out = a;
	return 0;
}

static int conv_field(struct vctx *v, const struct field *f, const struct it_ynode *n, json_t **out)
{
	switch (f->type) {
	case F_STR:
		return conv_str(v, n, out);
	case F_BOOL:
		return conv_bool(v, n, out);
	case F_INT:
		return conv_int(v, n, f->min, f->max, out);
	case F_ENUM:
		return conv_enum(v, n, f->values, out);
	case F_DATE:
		return conv_date(v, n, out);
	case F_URL:
		return conv_url(v, n, out);
	case F_CONTACT:
		return conv_contact(v, n, out);
	case F_COUNTRY:
		return conv_country(v, n, out);
	case F_STRS:
		return conv_list(v, n, f, "strings", out);
	case F_ENUMS:
		return conv_list(v, n, f, "values", out);
	case F_MAPS:
		return conv_list(v, n, f, "mappings", out);
	case F_MAP:
		if (conv_map(v, n, f->sub, out) < 0)
			return -1;
		return f->fn ? f->fn(v, n, out) : 0;
	case F_CUSTOM:
		return f->fn(v, n, out);
	}
	return it_error_set(v->err, IT_ERR_INTERNAL, v->file, IT_NO_OFFSET, "bad field type");
}

/* --- the profile ----------------------------------------------------------------------- */

static const struct field identity_fields[] = {{"vendor", F_STR, REQUIRED, 0, 0, 0, 0, 0},
                                               {"product", F_STR, REQUIRED, 0, 0, 0, 0, 0},
                                               {"model", F_STR, REQUIRED, 0, 0, 0, 0, 0},
                                               {"firmware_version", F_STR, REQUIRED, 0, 0, 0, 0, 0},
                                               {"hardware_version", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
                                               {NULL, 0, 0, 0, 0, 0, 0, 0}};

static const struct field data_use_fields[] = {{"what", F_STR, REQUIRED, 0, 0, 0, 0, 0},
                                               {"purpose", F_STR, REQUIRED, 0, 0, 0, 0, 0},
                                               {NULL, 0, 0, 0, 0, 0, 0, 0}};

/* true | false | [ {what, purpose}, ... ]  ->  {"processed": bool, "uses": [...]} */
static int conv_data_category(struct vctx *v, const struct it_ynode *n, json_t **out)
{
	json_t *uses = NULL, *processed = NULL;
	if (n && n->kind == IT_YNODE_SEQ) {
		static const struct field list = {"", F_MAPS, REQUIRED, 0, data_use_fields,
		                                  0,  1,      0};
		if (conv_list(v, n, &list, "mappings", &uses) < 0)
			return -1;
		processed = json_true();
	} else {
		struct it_error quiet = IT_ERROR_INIT;
		struct vctx probe = {.file = v->file, .err = &quiet, .path = IT_BUF_INIT};
		int rc = conv_bool(&probe, n, &processed);
		it_error_clear(&quiet);
		if (rc < 0)
			return expected(v, n, "true, false or a list of {what, purpose}");
		uses = json_array();
	}
	*out = json_pack("{s:o, s:o}", "processed", processed, "uses", uses);
	return *out ? 0 : it_error_nomem(v->err);
}

static const struct field data_fields[] = {
        {"personal", F_CUSTOM, REQUIRED, 0, 0, conv_data_category, 0, 0},
        {"location", F_CUSTOM, REQUIRED, 0, 0, conv_data_category, 0, 0},
        {"audio_video", F_CUSTOM, REQUIRED, 0, 0, conv_data_category, 0, 0},
        {"health", F_CUSTOM, REQUIRED, 0, 0, conv_data_category, 0, 0},
        {"children", F_CUSTOM, REQUIRED, 0, 0, conv_data_category, 0, 0},
        {NULL, 0, 0, 0, 0, 0, 0, 0}};

/* An actuation with a safety impact above none must say what could happen. */
static int check_actuation(struct vctx *v, const struct it_ynode *n, json_t **out)
{
	const char *impact = json_string_value(json_object_get(*out, "safety_impact"));
	if (impact && strcmp(impact, "none") != 0 && !json_object_get(*out, "consequence")) {
		fail(v, n, "missing required key \"consequence\" (safety_impact is %s)", impact);
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static const struct field actuation_fields[] = {
        {"name", F_STR, REQUIRED, 0, 0, 0, 0, 0},
        {"description", F_STR, REQUIRED, 0, 0, 0, 0, 0},
        {"safety_impact", F_ENUM, REQUIRED, impacts, 0, 0, 0, 0},
        {"consequence", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
        {NULL, 0, 0, 0, 0, 0, 0, 0}};

static const struct field service_fields[] = {
        {"name", F_STR, REQUIRED, 0, 0, 0, 0, 0},
        {"port", F_INT, REQUIRED, 0, 0, 0, 1, 65535},
        {"protocol", F_ENUM, REQUIRED, protocols, 0, 0, 0, 0},
        {"application", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
        {"internet_facing", F_BOOL, DEFAULT_FALSE, 0, 0, 0, 0, 0},
        {NULL, 0, 0, 0, 0, 0, 0, 0}};

/* A product that is LAN-only cannot have an internet-facing service. */
static int check_network(struct vctx *v, const struct it_ynode *n, json_t **out)
{
	const char *exposure = json_string_value(json_object_get(*out, "exposure"));
	json_t *services = json_object_get(*out, "services");
	const struct it_ynode *sn = it_ynode_get(n, "services");
	for (size_t i = 0;
	     exposure && !strcmp(exposure, "lan-only") && sn && i < json_array_size(services);
	     i++) {
		if (json_is_true(json_object_get(json_array_get(services, i), "internet_facing"))) {
			long mark = path_key(v, "services");
			long m2 = mark < 0 ? -1 : path_index(v, i);
			json_decref(*out);
			*out = NULL;
			if (m2 < 0)
				return -1;
			return fail(v, sn->kids[i], "internet_facing is true but exposure is %s",
			            "lan-only");
		}
	}
	return 0;
}

static const struct field network_fields[] = {
        {"exposure", F_ENUM, REQUIRED, exposures, 0, 0, 0, 0},
        {"remote_access", F_BOOL, REQUIRED, 0, 0, 0, 0, 0},
        {"services", F_MAPS, OPTIONAL, 0, service_fields, 0, 0, 0},
        {NULL, 0, 0, 0, 0, 0, 0, 0}};

static const struct field third_party_fields[] = {
        {"recipient", F_STR, REQUIRED, 0, 0, 0, 0, 0},
        {"data", F_ENUMS, REQUIRED, flow_data, 0, 0, 1, 0},
        {"purpose", F_STR, REQUIRED, 0, 0, 0, 0, 0},
        {"storage_country", F_COUNTRY, REQUIRED, 0, 0, 0, 0, 0},
        {"storage_location", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
        {NULL, 0, 0, 0, 0, 0, 0, 0}};

static const struct field eol_fields[] = {{"works_offline", F_STRS, REQUIRED, 0, 0, 0, 0, 0},
                                          {"switched_off", F_STRS, REQUIRED, 0, 0, 0, 0, 0},
                                          {"notice", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
                                          {NULL, 0, 0, 0, 0, 0, 0, 0}};

static const struct field support_fields[] = {
        {"end_date", F_DATE, REQUIRED, 0, 0, 0, 0, 0},
        {"published_at", F_URL, OPTIONAL, 0, 0, 0, 0, 0},
        {"end_of_life", F_MAP, REQUIRED, 0, eol_fields, 0, 0, 0},
        {NULL, 0, 0, 0, 0, 0, 0, 0}};

static const struct field update_fields[] = {
        {"mechanism", F_ENUM, REQUIRED, mechanisms, 0, 0, 0, 0},
        {"signed", F_BOOL, REQUIRED, 0, 0, 0, 0, 0},
        {"delivery", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
        {"security_update_policy", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
        {"critical_fix_days", F_INT, OPTIONAL, 0, 0, 0, 1, 3650},
        {NULL, 0, 0, 0, 0, 0, 0, 0}};

static const struct field disclosure_fields[] = {{"contact", F_CONTACT, REQUIRED, 0, 0, 0, 0, 0},
                                                 {"policy_url", F_URL, OPTIONAL, 0, 0, 0, 0, 0},
                                                 {NULL, 0, 0, 0, 0, 0, 0, 0}};

static const struct field profile_fields[] = {
        {"profile_version", F_INT, REQUIRED, 0, 0, 0, IT_PROFILE_VERSION, IT_PROFILE_VERSION},
        {"identity", F_MAP, REQUIRED, 0, identity_fields, 0, 0, 0},
        {"category", F_STR, REQUIRED, 0, 0, 0, 0, 0},
        {"vertical", F_ENUM, REQUIRED, verticals, 0, 0, 0, 0},
        {"markets", F_ENUMS, REQUIRED, markets, 0, 0, 1, 0},
        {"data", F_MAP, REQUIRED, 0, data_fields, 0, 0, 0},
        {"remote_actuation", F_MAPS, REQUIRED, 0, actuation_fields, check_actuation, 0, 0},
        {"network", F_MAP, REQUIRED, 0, network_fields, check_network, 0, 0},
        {"third_parties", F_MAPS, REQUIRED, 0, third_party_fields, 0, 0, 0},
        {"support", F_MAP, REQUIRED, 0, support_fields, 0, 0, 0},
        {"updates", F_MAP, REQUIRED, 0, update_fields, 0, 0, 0},
        {"vulnerability_disclosure", F_MAP, REQUIRED, 0, disclosure_fields, 0, 0, 0},
        {NULL, 0, 0, 0, 0, 0, 0, 0}};

/* A third party receiving a data category the profile says is not processed contradicts it. */
static int check_flows(struct vctx *v, const struct it_ynode *root, json_t *profile)
{
	static const char *const cat_key[][2] = {{"personal", "personal"},
	                                         {"location", "location"},
	                                         {"audio-video", "audio_video"},
	                                         {"health", "health"},
	                                         {"children", "children"}};
	json_t *data = json_object_get(profile, "data");
	json_t *tps = json_object_get(profile, "third_parties");
	const struct it_ynode *tpn = it_ynode_get(root, "third_parties");
	for (size_t i = 0; i < json_array_size(tps); i++) {
		json_t *flows = json_object_get(json_array_get(tps, i), "data");
		for (size_t k = 0; k < json_array_size(flows); k++) {
			const char *d = json_string_value(json_array_get(flows, k));
			for (size_t c = 0; c < sizeof cat_key / sizeof cat_key[0]; c++) {
				json_t *cat = json_object_get(data, cat_key[c][1]);
				if (strcmp(d, cat_key[c][0]) != 0 ||
				    json_is_true(json_object_get(cat, "processed")))
					continue;
				const struct it_ynode *dn = it_ynode_get(tpn->kids[i], "data");
				if (path_key(v, "third_parties") < 0 || path_index(v, i) < 0 ||
				    path_key(v, "data") < 0 || path_index(v, k) < 0)
					return -1;
				return fail(v, dn->kids[k],
				            "%s data is sent to a third party but "
				            "data says it is not processed",
				            d);
			}
		}
	}
	return 0;
}

static int read_file(const char *path, struct it_buf *out, struct it_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "cannot open: %s",
		                    strerror(errno));
	int rc = 0;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (out->len + n > IT_YAML_MAX_SIZE) {
			rc = it_error_set(err, IT_ERR_LIMIT, path, IT_NO_OFFSET,
			                  "larger than the limit of %zu bytes",
			                  (size_t)IT_YAML_MAX_SIZE);
			break;
		}
		if (it_buf_append(out, chunk, n) < 0) {
			rc = it_error_nomem(err);
			break;
		}
	}
	if (rc == 0 && ferror(f))
		rc = it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "cannot read: %s",
		                  strerror(errno));
	fclose(f);
	return rc;
}

/* Parse one document whose top level must be a mapping. */
static int parse_top(const char *name, const char *buf, size_t len, struct it_ynode **root,
                     struct it_error *err)
{
	if (it_yaml_parse(name, buf, len, NULL, root, err) < 0)
		return -1;
	if (!*root || (*root)->kind != IT_YNODE_MAP) {
		unsigned long line = *root ? (*root)->line : 1, col = *root ? (*root)->column : 1;
		it_ynode_free(*root);
		*root = NULL;
		return it_error_set_line(err, IT_ERR_INPUT, name, line, col,
		                         "expected a YAML mapping at the top level");
	}
	return 0;
}

int it_profile_load_mem(const char *name, const char *buf, size_t len, json_t **out,
                        struct it_error *err)
{
	*out = NULL;
	struct it_ynode *root = NULL;
	if (parse_top(name, buf, len, &root, err) < 0)
		return -1;
	struct vctx v = {.file = name, .err = err, .path = IT_BUF_INIT};
	json_t *p = NULL;
	int rc = conv_map(&v, root, profile_fields, &p);
	if (rc == 0) {
		it_buf_truncate(&v.path, 0);
		rc = check_flows(&v, root, p);
	}
	it_buf_free(&v.path);
	it_ynode_free(root);
	if (rc < 0) {
		json_decref(p);
		return -1;
	}
	*out = p;
	return 0;
}

int it_profile_load(const char *path, json_t **out, struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	*out = NULL;
	int rc = read_file(path, &b, err);
	if (rc == 0)
		rc = it_profile_load_mem(path, b.len ? (const char *)b.data : "", b.len, out, err);
	it_buf_free(&b);
	return rc;
}

/* --- declarations ---------------------------------------------------------------------- */

static const struct field answer_fields[] = {{"status", F_ENUM, REQUIRED, statuses, 0, 0, 0, 0},
                                             {"justification", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
                                             {"evidence", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
                                             {NULL, 0, 0, 0, 0, 0, 0, 0}};

/* Resolve a written id to a catalogue item: global ids as they are, bare ids as ETSI's. */
static const struct it_cat_item *resolve_id(const struct it_catalogue *cat, const char *id)
{
	if (strchr(id, ':'))
		return it_catalogue_find(cat, id);
	struct it_buf g = IT_BUF_INIT;
	const struct it_cat_item *it = NULL;
	if (it_buf_printf(&g, "%s:%s", IT_CATALOGUE_CHECK_STANDARD, id) == 0)
		it = it_catalogue_find(cat, it_buf_str(&g));
	it_buf_free(&g);
	return it;
}

/* answers: {id: {status, justification, evidence}} -> {global id: {...}} */
static int conv_answers(struct vctx *v, const struct it_ynode *n, json_t **out)
{
	if (!n || n->kind != IT_YNODE_MAP || n->n == 0)
		return expected(v, n, "a non-empty mapping of provision ids to answers");
	json_t *o = json_object();
	if (!o)
		return it_error_nomem(v->err);
	for (size_t i = 0; i < n->n; i += 2) {
		const struct it_ynode *k = n->kids[i], *val = n->kids[i + 1];
		const struct it_cat_item *it = resolve_id(v->cat, k->text);
		int rc = 0;
		if (!it)
			rc = fail(v, k,
			          "\"%s\" is not a provision of the catalogue (see `iotrust "
			          "catalogue list`)",
			          k->text);
		else if (json_object_get(o, it->gid))
			rc = fail(v, k, "%s is answered twice", it->gid);
		long mark = rc < 0 ? -1 : path_key(v, k->text);
		json_t *a = NULL;
		if (mark >= 0) {
			rc = conv_map(v, val, answer_fields, &a);
			const char *st =
			        rc == 0 ? json_string_value(json_object_get(a, "status")) : NULL;
			if (st && strcmp(st, "implemented") != 0 &&
			    !json_object_get(a, "justification"))
				rc = fail(v, val,
				          "missing required key \"justification\" (status is %s)",
				          st);
			if (rc == 0 && json_object_set_new(o, it->gid, a) < 0)
				rc = it_error_nomem(v->err);
			else if (rc < 0)
				json_decref(a);
			path_pop(v, mark);
		} else {
			rc = -1;
		}
		if (rc < 0) {
			json_decref(o);
			return -1;
		}
	}
	*out = o;
	return 0;
}

static const struct field declarer_fields[] = {{"name", F_STR, REQUIRED, 0, 0, 0, 0, 0},
                                               {"role", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
                                               {"organisation", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
                                               {"contact", F_CONTACT, OPTIONAL, 0, 0, 0, 0, 0},
                                               {NULL, 0, 0, 0, 0, 0, 0, 0}};

static const struct field declarations_fields[] = {
        {"declarations_version", F_INT, REQUIRED, 0, 0, 0, IT_DECLARATIONS_VERSION,
         IT_DECLARATIONS_VERSION},
        {"product", F_STR, OPTIONAL, 0, 0, 0, 0, 0},
        {"declared_by", F_MAP, REQUIRED, 0, declarer_fields, 0, 0, 0},
        {"declared_on", F_DATE, REQUIRED, 0, 0, 0, 0, 0},
        {"answers", F_CUSTOM, REQUIRED, 0, 0, conv_answers, 0, 0},
        {NULL, 0, 0, 0, 0, 0, 0, 0}};

int it_declarations_load_mem(const char *name, const char *buf, size_t len,
                             const struct it_catalogue *cat, json_t **out, struct it_error *err)
{
	*out = NULL;
	struct it_ynode *root = NULL;
	if (parse_top(name, buf, len, &root, err) < 0)
		return -1;
	struct vctx v = {.file = name, .err = err, .cat = cat, .path = IT_BUF_INIT};
	int rc = conv_map(&v, root, declarations_fields, out);
	it_buf_free(&v.path);
	it_ynode_free(root);
	return rc;
}

int it_declarations_load(const char *path, const struct it_catalogue *cat, json_t **out,
                         struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	*out = NULL;
	int rc = read_file(path, &b, err);
	if (rc == 0)
		rc = it_declarations_load_mem(path, b.len ? (const char *)b.data : "", b.len, cat,
		                              out, err);
	it_buf_free(&b);
	return rc;
}

/*
 * The CISA Known Exploited Vulnerabilities catalogue importer: each entry of
 * {"catalogVersion", "vulnerabilities": [{"cveID", ...}]} becomes an it_store_kev handed to
 * sink->kev. An entry is checked against the catalogue's schema (required members, CVE id
 * and date formats) before it is handed on; a bad one is reported with its path and skipped.
 */
#include <stdint.h>
#include <string.h>

#include "vulndb/importer.h"

#define MAX_TEXT (64 * 1024) /* bytes of one member */
#define MAX_CWES 1000

struct kev_member {
	const char *key;
	int required;
	int (*valid)(const char *s); /* NULL: any non-empty string */
};

static int is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* "CVE-YYYY-NNNN" with 4 to 19 digits, as the catalogue's schema says. */
static int valid_cve(const char *s)
{
	size_t n = strlen(s);
	return n >= 13 && n <= 28 && strncmp(s, "CVE-", 4) == 0 && is_digits(s + 4, 4) &&
	       s[8] == '-' && is_digits(s + 9, n - 9);
}

/* "YYYY-MM-DD", a real calendar date. */
static int valid_date(const char *s)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || !is_digits(s, 4) || s[4] != '-' || !is_digits(s + 5, 2) ||
	    s[7] != '-' || !is_digits(s + 8, 2))
		return 0;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] && (m != 2 || d <= 28 + leap);
}

/* The members read, in the order of struct it_store_kev's fields after them. */
enum {
	K_CVE,
	K_VENDOR,
	K_PRODUCT,
	K_NAME,
	K_ADDED,
	K_DUE,
	K_ACTION,
	K_RANSOM,
	K_NOTES,
	K_DESC,
	K_N
};

static const struct kev_member members[K_N] = {
        [K_CVE] = {"cveID", 1, valid_cve},
        [K_VENDOR] = {"vendorProject", 1, NULL},
        [K_PRODUCT] = {"product", 1, NULL},
        [K_NAME] = {"vulnerabilityName", 1, NULL},
        [K_ADDED] = {"dateAdded", 1, valid_date},
        [K_DUE] = {"dueDate", 1, valid_date},
        [K_ACTION] = {"requiredAction", 1, NULL},
        [K_RANSOM] = {"knownRansomwareCampaignUse", 0, NULL},
        [K_NOTES] = {"notes", 0, NULL},
        [K_DESC] = {"shortDescription", 1, NULL},
};

static const char *member_problem(const struct kev_member *m, json_t *v)
{
	if (!v)
		return m->required ? "a string is required" : NULL;
	if (!json_is_string(v))
		return "expected a string";
	size_t len = json_string_length(v);
	const char *s = json_string_value(v);
	if (len > MAX_TEXT)
		return "string too long";
	if (strlen(s) != len)
		return "expected a string without NUL characters";
	if (m->valid && !m->valid(s))
		return m->valid == valid_cve ? "expected a CVE id (CVE-YYYY-NNNN)"
		                             : "expected a date (YYYY-MM-DD)";
	if (len == 0 && m->required)
		return "expected a non-empty string";
	return NULL;
}

/* "cwes": optional, an array of "CWE-<digits>" strings. Returns the bad item or -1. */
static const char *cwes_problem(json_t *cwes, size_t *bad_index)
{
	*bad_index = SIZE_MAX;
	if (!cwes)
		return NULL;
	if (!json_is_array(cwes) || json_array_size(cwes) > MAX_CWES)
		return "expected an array of CWE ids";
	for (size_t i = 0; i < json_array_size(cwes); i++) {
		const char *s = json_string_value(json_array_get(cwes, i));
		size_t n = s ? strlen(s) : 0;
		if (!s || n < 5 || n > 64 || strncmp(s, "CWE-", 4) != 0 ||
		    !is_digits(s + 4, n - 4)) {
			*bad_index = i;
			return "expected a CWE id (CWE-NNN)";
		}
	}
	return NULL;
}

static void report(const struct it_import_sink *sink, struct it_buf *where, size_t i,
                   const char *key, size_t sub, const char *msg)
{
	it_buf_truncate(where, 0);
	it_buf_printf(where, "vulnerabilities[%zu]", i);
	if (key)
		it_buf_printf(where, ".%s", key);
	if (sub != SIZE_MAX)
		it_buf_printf(where, "[%zu]", sub);
	if (sink->malformed)
		sink->malformed(sink->user, where->len ? it_buf_str(where) : "vulnerabilities",
		                msg);
}

/* Check entry i and hand it to the sink: 0 (also when reported malformed) or -1. */
static int read_entry(json_t *e, size_t i, const struct it_import_sink *sink, struct it_buf *where,
                      struct it_error *err)
{
	const char *v[K_N];
	size_t sub;
	if (!json_is_object(e)) {
		report(sink, where, i, NULL, SIZE_MAX, "expected a KEV entry object");
		return 0;
	}
	for (int k = 0; k < K_N; k++) {
		json_t *m = json_object_get(e, members[k].key);
		const char *problem = member_problem(&members[k], m);
		if (problem) {
			report(sink, where, i, members[k].key, SIZE_MAX, problem);
			return 0;
		}
		v[k] = json_string_value(m);
	}
	const char *problem = cwes_problem(json_object_get(e, "cwes"), &sub);
	if (problem) {
		report(sink, where, i, "cwes", sub, problem);
		return 0;
	}
	struct it_store_kev k = {
	        .cve = v[K_CVE],
	        .vendor = v[K_VENDOR],
	        .product = v[K_PRODUCT],
	        .name = v[K_NAME],
	        .date_added = v[K_ADDED],
	        .due_date = v[K_DUE],
	        .action = v[K_ACTION],
	        .ransomware = v[K_RANSOM],
	        .notes = v[K_NOTES],
	};
	return sink->kev(sink->user, &k, err);
}

int it_import_kev(json_t *doc, const char *file, const struct it_import_sink *sink,
                  struct it_error *err)
{
	const char *name = file ? file : "(memory)";
	if (!sink || !sink->kev)
		return it_error_set(err, IT_ERR_INTERNAL, name, IT_NO_OFFSET,
		                    "KEV import without a sink");
	json_t *version = json_object_get(doc, "catalogVersion");
	json_t *vulns = json_object_get(doc, "vulnerabilities");
	if (!json_is_object(doc))
		return it_error_set(err, IT_ERR_INPUT, name, IT_NO_OFFSET,
		                    "not a CISA KEV catalogue: expected a JSON object");
	if (!json_is_string(version))
		return it_error_set(
		        err, IT_ERR_INPUT, name, IT_NO_OFFSET,
		        "not a CISA KEV catalogue: \"catalogVersion\" must be a string");
	if (!json_is_array(vulns))
		return it_error_set(
		        err, IT_ERR_INPUT, name, IT_NO_OFFSET,
		        "not a CISA KEV catalogue: \"vulnerabilities\" must be an array");
	struct it_buf where = IT_BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < json_array_size(vulns) && rc == 0; i++)
		rc = read_entry(json_array_get(vulns, i), i, sink, &where, err);
	it_buf_free(&where);
	return rc;
}

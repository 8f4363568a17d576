/*
 * Plain-text summary for people: the image, counts by severity, the most
 * severe findings, the known vulnerabilities (known exploited first), the
 * components with versions, then the statistics. Every
 * string from the image is escaped so that the output is printable ASCII: a
 * hostile file name cannot move the cursor or recolour a terminal.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/writer.h"

#define TOP_FINDINGS 20
#define TOP_VULNS    15
#define MAX_COLUMN   32  /* widest name or version column */
#define MAX_FIELD    200 /* longest message, path or evidence shown */

static const char *const severity_names[] = {"critical", "high", "medium", "low", "info"};
#define N_SEVERITIES (sizeof severity_names / sizeof severity_names[0])

/* Output with a sticky failure flag: check once at the end, not after every append. */
struct text_out {
	struct it_buf *b;
	int failed;
};

static const char *get_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void put(struct text_out *o, const char *s)
{
	if (it_buf_puts(o->b, s) < 0)
		o->failed = 1;
}

static void __attribute__((format(printf, 2, 3))) put_fmt(struct text_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (it_buf_vprintf(o->b, fmt, ap) < 0)
		o->failed = 1;
	va_end(ap);
}

static void pad(struct text_out *o, size_t n)
{
	while (n--)
		put(o, " ");
}

/* Typographic characters the checks use in messages, and their ASCII. */
static const char *const ascii_look_alikes[][2] = {
        {"\xe2\x80\xa6", "..."}, {"\xe2\x80\x93", "-"}, {"\xe2\x80\x94", "-"},
        {"\xe2\x80\x98", "'"},   {"\xe2\x80\x99", "'"}, {"\xe2\x80\x9c", "\""},
        {"\xe2\x80\x9d", "\""},  {"\xc2\xa0", " "},
};

/* The next unit of p as printable ASCII in unit: a printable character
 * itself, "\\" for a backslash, an ASCII look-alike, else "\xNN" for one byte.
 * Returns the unit's length; *used is the number of input bytes it stands for. */
static size_t escape_unit(const unsigned char *p, char unit[8], size_t *used)
{
	*used = 1;
	if (*p == '\\')
		return (size_t)snprintf(unit, 8, "\\\\");
	if (*p >= 0x20 && *p < 0x7f) {
		unit[0] = (char)*p;
		unit[1] = 0;
		return 1;
	}
	for (size_t i = 0; i < sizeof ascii_look_alikes / sizeof ascii_look_alikes[0]; i++) {
		size_t n = strlen(ascii_look_alikes[i][0]);
		if (strncmp((const char *)p, ascii_look_alikes[i][0], n) == 0) {
			*used = n;
			return (size_t)snprintf(unit, 8, "%s", ascii_look_alikes[i][1]);
		}
	}
	return (size_t)snprintf(unit, 8, "\\x%02x", *p);
}

static size_t escaped_len(const char *s)
{
	char unit[8];
	size_t n = 0, used;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p += used)
		n += escape_unit(p, unit, &used);
	return n;
}

/* Append s escaped, in at most max columns (a longer string ends in "...");
 * returns the columns written. NULL prints as "-". */
static size_t put_escaped(struct text_out *o, const char *s, size_t max)
{
	char unit[8];
	size_t cols = 0, used, full = escaped_len(s);
	size_t limit = full > max ? max - 3 : SIZE_MAX;
	if (!s) {
		put(o, "-");
		return 1;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p += used) {
		size_t n = escape_unit(p, unit, &used);
		if (cols + n > limit)
			break;
		put(o, unit);
		cols += n;
	}
	if (limit != SIZE_MAX) {
		put(o, "...");
		cols += 3;
	}
	return cols;
}

static size_t severity_rank(const char *sev)
{
	for (size_t i = 0; sev && i < N_SEVERITIES; i++)
		if (strcmp(sev, severity_names[i]) == 0)
			return i;
	return N_SEVERITIES;
}

static void header(struct text_out *o, const json_t *result)
{
	const json_t *image = json_object_get(result, "image");
	put(o, "iotrust ");
	put_escaped(o, get_str(json_object_get(result, "tool"), "version"), MAX_COLUMN);
	put(o, " scan report\n\nImage:       ");
	put_escaped(o, get_str(image, "name"), MAX_FIELD);
	put_fmt(o, "\nSize:        %" JSON_INTEGER_FORMAT " bytes\nSHA-256:     ",
	        json_integer_value(json_object_get(image, "size")));
	put_escaped(o, get_str(image, "sha256"), MAX_FIELD);
	put(o, "\nScanned at:  ");
	put_escaped(o, get_str(image, "scanned_at"), MAX_FIELD);
	put(o, "\n\n");
}

static void severity_counts(struct text_out *o, const json_t *result)
{
	const json_t *by =
	        json_object_get(json_object_get(result, "stats"), "findings_by_severity");
	json_int_t total = 0;
	for (size_t i = 0; i < N_SEVERITIES; i++)
		total += json_integer_value(json_object_get(by, severity_names[i]));
	put_fmt(o, "Findings: %" JSON_INTEGER_FORMAT, total);
	for (size_t i = 0; i < N_SEVERITIES; i++)
		put_fmt(o, "%s%s %" JSON_INTEGER_FORMAT, i ? ", " : " (", severity_names[i],
		        json_integer_value(json_object_get(by, severity_names[i])));
	put(o, ")\n");
}

/* "chain!/path:line", escaped. */
static void put_location(struct text_out *o, const json_t *f)
{
	const char *chain = get_str(f, "chain"), *path = get_str(f, "path");
	json_int_t line = json_integer_value(json_object_get(f, "line"));
	if (chain && *chain) {
		put_escaped(o, chain, MAX_FIELD);
		if (path && *path)
			put(o, "!/");
	}
	if (path && *path)
		put_escaped(o, path, MAX_FIELD);
	if (line > 0)
		put_fmt(o, ":%" JSON_INTEGER_FORMAT, line);
}

static void finding_line(struct text_out *o, const json_t *f, size_t check_width)
{
	char sev[16];
	const char *s = get_str(f, "severity");
	size_t i = 0;
	for (; s && s[i] && i < sizeof sev - 1; i++)
		sev[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : '?';
	sev[i] = 0;
	put_fmt(o, "  %-9s ", sev);
	pad(o, check_width - put_escaped(o, get_str(f, "check"), check_width) + 2);
	put_location(o, f);
	put(o, "\n            ");
	put_escaped(o, get_str(f, "message"), MAX_FIELD);
	put(o, "\n");
	if (get_str(f, "evidence")) {
		put(o, "            evidence: ");
		put_escaped(o, get_str(f, "evidence"), MAX_FIELD);
		put(o, "\n");
	}
}

/* The width of a column: the longest escaped value of key, within [min, MAX_COLUMN]. */
static size_t column_width(const json_t *items, const char *key, size_t min)
{
	size_t w = min, i;
	const json_t *c;
	json_array_foreach(items, i, c)
	{
		size_t n = escaped_len(get_str(c, key));
		if (n > w)
			w = n;
	}
	return w > MAX_COLUMN ? MAX_COLUMN : w;
}

/* Most severe first, in result order within a severity (a stable sort). */
static int by_severity(const void *a, const void *b)
{
	const size_t *x = a, *y = b; /* {rank, index} pairs */
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

static void top_findings(struct text_out *o, const json_t *findings)
{
	size_t n = json_array_size(findings), i;
	if (n == 0) {
		put(o, "\nNo findings.\n");
		return;
	}
	size_t *order = calloc(n, 2 * sizeof(size_t));
	if (!order) {
		o->failed = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		order[2 * i] = severity_rank(get_str(json_array_get(findings, i), "severity"));
		order[2 * i + 1] = i;
	}
	qsort(order, n, 2 * sizeof(size_t), by_severity);
	size_t wc = column_width(findings, "check", 5);
	put(o, "\nTop findings (most severe first):\n");
	for (i = 0; i < n && i < TOP_FINDINGS; i++)
		finding_line(o, json_array_get(findings, order[2 * i + 1]), wc);
	if (n > TOP_FINDINGS)
		put_fmt(o, "  ... and %zu more (all of them: --format json or sarif)\n",
		        n - TOP_FINDINGS);
	free(order);
}

/* Known exploited first, then by score (highest first), then in result order. */
static int by_urgency(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	int kx = json_object_get(x, "kev") != NULL, ky = json_object_get(y, "kev") != NULL;
	if (kx != ky)
		return ky - kx;
	double sx = json_number_value(json_object_get(x, "score")),
	       sy = json_number_value(json_object_get(y, "score"));
	if (sx != sy)
		return sx < sy ? 1 : -1;
	return strcmp(get_str(x, "id") ? get_str(x, "id") : "",
	              get_str(y, "id") ? get_str(y, "id") : "");
}

static const json_t *component_by_ref(const json_t *comps, const char *ref)
{
	size_t i;
	const json_t *c;
	json_array_foreach(comps, i, c)
	{
		const char *r = get_str(c, "bom_ref");
		if (r && ref && strcmp(r, ref) == 0)
			return c;
	}
	return NULL;
}

static void vulnerabilities(struct text_out *o, const json_t *result)
{
	const json_t *vulns = json_object_get(result, "vulnerabilities");
	const json_t *comps = json_object_get(result, "components");
	if (!vulns)
		return; /* the scan did not match (--no-vulns) */
	size_t n = json_array_size(vulns), kev = 0, platform = 0, i;
	const json_t *v;
	json_array_foreach(vulns, i, v)
	{
		kev += json_object_get(v, "kev") != NULL;
		platform +=
		        get_str(v, "status") && strcmp(get_str(v, "status"), "needs_platform") == 0;
	}
	if (n == 0) {
		put(o, "\nNo known vulnerabilities in the store for these components.\n");
		return;
	}
	const json_t **order = calloc(n, sizeof(*order));
	if (!order) {
		o->failed = 1;
		return;
	}
	json_array_foreach(vulns, i, v) order[i] = v;
	qsort(order, n, sizeof(*order), by_urgency);
	put_fmt(o,
	        "\nKnown vulnerabilities: %zu (%zu known exploited, %zu only on a platform "
	        "not seen)\n",
	        n, kev, platform);
	for (i = 0; i < n && i < TOP_VULNS; i++) {
		const json_t *c = component_by_ref(comps, get_str(order[i], "component"));
		const json_t *sc = json_object_get(order[i], "score");
		char score[16] = "-";
		if (json_is_number(sc))
			snprintf(score, sizeof score, "%.1f", json_number_value(sc));
		put(o, "  ");
		pad(o, 17 - put_escaped(o, get_str(order[i], "id"), 17));
		put_fmt(o, " %-8s %4s %s",
		        get_str(order[i], "severity") ? get_str(order[i], "severity") : "-", score,
		        json_object_get(order[i], "kev") ? "KEV " : "");
		put_escaped(o, c ? get_str(c, "name") : get_str(order[i], "component"), MAX_COLUMN);
		put(o, " ");
		put_escaped(o, c ? get_str(c, "version") : NULL, MAX_COLUMN);
		const json_t *m = json_object_get(order[i], "matched");
		put(o, " (");
		put_escaped(o, get_str(m, "range") ? get_str(m, "range") : "matched", MAX_COLUMN);
		put(o, "; ");
		put_escaped(o, get_str(order[i], "status"), MAX_COLUMN);
		put(o, ")\n");
	}
	if (n > TOP_VULNS)
		put_fmt(o, "  ... and %zu more (all of them: --format json or cyclonedx)\n",
		        n - TOP_VULNS);
	free(order);
}

static void components(struct text_out *o, const json_t *comps)
{
	size_t n = json_array_size(comps), i;
	const json_t *c;
	if (n == 0) {
		put(o, "\nNo components identified.\n");
		return;
	}
	size_t wn = column_width(comps, "name", 4), wv = column_width(comps, "version", 7);
	put_fmt(o, "\nComponents: %zu\n  %-*s  %-*s  FOUND BY\n", n, (int)wn, "NAME", (int)wv,
	        "VERSION");
	json_array_foreach(comps, i, c)
	{
		put(o, "  ");
		pad(o, wn - put_escaped(o, get_str(c, "name"), wn) + 2);
		pad(o, wv - put_escaped(o, get_str(c, "version"), wv) + 2);
		put_escaped(o, get_str(c, "found_by"), MAX_COLUMN);
		put(o, "\n");
	}
}

static void statistics(struct text_out *o, const json_t *result)
{
	static const char *const keys[][2] = {
	        {"entries", "entries"},       {"files", "files"},
	        {"containers", "containers"}, {"bytes_unpacked", "bytes unpacked"},
	        {"elf_files", "ELF files"},   {"skipped_files", "skipped files"},
	        {"problems", "problems"},     {"duration_ms", "duration (ms)"},
	};
	const json_t *stats = json_object_get(result, "stats"), *d;
	size_t i;
	put(o, "\nStatistics:\n ");
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_is_integer(json_object_get(stats, keys[i][0])))
			put_fmt(o, "%s %s %" JSON_INTEGER_FORMAT, i ? "," : "", keys[i][1],
			        json_integer_value(json_object_get(stats, keys[i][0])));
	put(o, "\n");
	const json_t *diags = json_object_get(result, "diagnostics");
	if (json_array_size(diags) == 0)
		return;
	put_fmt(o, "\nDiagnostics: %zu\n", json_array_size(diags));
	json_array_foreach(diags, i, d)
	{
		put(o, "  ");
		put_escaped(o, json_string_value(d), MAX_FIELD);
		put(o, "\n");
	}
}

static int write_text(const json_t *result, struct it_buf *out, struct it_error *err)
{
	struct text_out o = {out, 0};
	header(&o, result);
	severity_counts(&o, result);
	top_findings(&o, json_object_get(result, "findings"));
	vulnerabilities(&o, result);
	components(&o, json_object_get(result, "components"));
	statistics(&o, result);
	if (o.failed)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	return 0;
}

const struct it_report_writer it_write_text = {
        "text", "a summary for people: counts by severity, top findings, components", write_text};

/*
 * Normalised vulnerability records (docs/vulndb.md "Record"): the one conversion from
 * the JSON object every importer builds to the it_store_vuln the store keeps, so the
 * importers agree on what a row, an alias and a severity are.
 */
#include <stdlib.h>
#include <string.h>

#include "vulndb/importer.h"

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
	char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = 0;
	if (!al || !rows || !text) {
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
	rc = sink->vuln(sink->user, &v, err);
out:
	free(al);
	free(rows);
	free(text);
	return rc;
}

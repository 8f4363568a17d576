/*
 * The maker's own VEX decisions (CycloneDX VEX or CSAF 2.0 VEX, `scan --vex FILE`):
 * loaded into a list of statements {id, products (PURLs, CPEs, bom-refs or product
 * names "name:NAME[@VERSION]" when a CSAF product has no PURL or CPE), status,
 * justification, detail} and applied to a scan's matches, so a vulnerability the maker
 * has analysed shows their verdict (not_affected with its justification, fixed).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iotrust/mapfile.h"
#include "vulndb/importer.h"
#include "vulndb/vex.h"

/* CycloneDX analysis.state -> iotrust status. */
static const char *status_of_state(const char *state)
{
	static const char *const map[][2] = {
	        {"not_affected", "not_affected"},
	        {"false_positive", "not_affected"},
	        {"resolved", "fixed"},
	        {"resolved_with_pedigree", "fixed"},
	        {"exploitable", "affected"},
	        {"in_triage", "under_investigation"},
	};
	for (size_t i = 0; state && i < sizeof(map) / sizeof(*map); i++)
		if (strcmp(state, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

static int put_statement(json_t *out, const char *id, json_t *products, const char *status,
                         const char *justification, const char *detail)
{
	json_t *s = json_pack("{ss so ss}", "id", id, "products", products, "status", status);
	if (!s)
		return -1;
	if (justification)
		json_object_set_new(s, "justification", json_string(justification));
	if (detail)
		json_object_set_new(s, "detail", json_string(detail));
	return json_array_append_new(out, s);
}

static int load_cyclonedx(json_t *doc, const char *file, json_t *out, struct it_error *err)
{
	json_t *vulns = json_object_get(doc, "vulnerabilities");
	if (!json_is_array(vulns))
		return it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
		                    "CycloneDX VEX: expected a \"vulnerabilities\" array");
	for (size_t i = 0; i < json_array_size(vulns); i++) {
		json_t *v = json_array_get(vulns, i), *an = json_object_get(v, "analysis");
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *st = status_of_state(json_string_value(json_object_get(an, "state")));
		json_t *affects = json_object_get(v, "affects"), *products;
		if (!id || !st || !json_is_array(affects))
			return it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
			                    "CycloneDX VEX: vulnerabilities[%zu] needs \"id\", "
			                    "\"analysis\".\"state\" and \"affects\"",
			                    i);
		if (!(products = json_array()))
			return it_error_nomem(err);
		for (size_t k = 0; k < json_array_size(affects); k++) {
			const char *ref = json_string_value(
			        json_object_get(json_array_get(affects, k), "ref"));
			if (ref)
				json_array_append_new(products, json_string(ref));
		}
		if (put_statement(out, id, products, st,
		                  json_string_value(json_object_get(an, "justification")),
		                  json_string_value(json_object_get(an, "detail"))) < 0)
			return it_error_nomem(err);
	}
	return 0;
}

/* CSAF VEX: the importer's rows, product by product. */
struct csaf_collect {
	json_t *out;
	int failed;
	char *where; /* the first malformed record's path */
};

static int csaf_vuln(void *user, const struct it_store_vuln *v, struct it_error *err)
{
	struct csaf_collect *c = user;
	json_t *rec = json_loads(v->json, 0, NULL);
	json_t *rows = json_object_get(rec, "affected");
	const char *cve = v->n_aliases ? v->aliases[0] : v->id;
	for (size_t i = 0; i < v->n_rows; i++) {
		const struct it_store_row *r = &v->rows[i];
		if (strcmp(r->status, "affected") == 0)
			continue;
		/* a product with no PURL or CPE helper is named by its product name (and
		 * version): "name:ghi@17.4" */
		json_t *p = r->purl || r->cpe
		                    ? json_pack("[s]", r->purl ? r->purl : r->cpe)
		                    : json_pack("[s+++]", "name:", r->name, r->version ? "@" : "",
		                                r->version ? r->version : "");
		const char *just = json_string_value(
		        json_object_get(json_array_get(rows, i), "justification"));
		if (put_statement(c->out, cve, p, r->status, just, NULL) < 0) {
			json_decref(rec);
			return it_error_nomem(err);
		}
	}
	json_decref(rec);
	return 0;
}

static void csaf_malformed(void *user, const char *where, const char *msg)
{
	struct csaf_collect *c = user;
	(void)msg;
	c->failed = 1;
	if (!c->where)
		c->where = strdup(where);
}

int it_vex_load(const char *path, json_t **out, struct it_error *err)
{
	struct it_mapfile m;
	*out = NULL;
	if (it_mapfile_open(&m, path, err) < 0)
		return -1;
	json_error_t je;
	json_t *doc = json_loadb((const char *)m.data, m.len, 0, &je);
	it_mapfile_close(&m);
	if (!doc)
		return it_error_set_line(err, IT_ERR_INPUT, path, (unsigned long)je.line,
		                         (unsigned long)je.column, "%s", je.text);
	json_t *list = json_array();
	int rc;
	const char *kind = it_import_sniff(doc);
	if (kind && strcmp(kind, "csaf") == 0) {
		struct csaf_collect c = {list, 0, NULL};
		struct it_import_sink sink = {csaf_vuln, NULL, csaf_malformed, NULL, &c};
		rc = it_import_csaf(doc, path, &sink, err);
		if (rc == 0 && c.failed)
			rc = it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET,
			                  "CSAF VEX: malformed at %s", c.where ? c.where : "?");
		free(c.where);
	} else if (json_object_get(doc, "bomFormat") || json_object_get(doc, "vulnerabilities")) {
		rc = load_cyclonedx(doc, path, list, err);
	} else {
		rc = it_error_set(
		        err, IT_ERR_INPUT, path, IT_NO_OFFSET,
		        "expected a CycloneDX VEX (\"vulnerabilities\") or a CSAF 2.0 VEX "
		        "document");
	}
	json_decref(doc);
	if (rc < 0) {
		json_decref(list);
		return -1;
	}
	*out = list;
	return 0;
}

/* Does a statement's product name this component? A bom-ref, the PURL with or without
 * its qualifiers, or the CPE. */
/* "name:NAME[@VERSION]" against the component's name and version (case-insensitive
 * name; the version equals the component's version or upstream version). */
static int names_by_name(const char *product, const struct it_component *c)
{
	const char *name = product + 5, *at = strrchr(name, '@');
	size_t n = at ? (size_t)(at - name) : strlen(name);
	if (!c->name || strlen(c->name) != n || strncasecmp(c->name, name, n) != 0)
		return 0;
	return !at || (c->version && strcmp(c->version, at + 1) == 0) ||
	       (c->upstream && strcmp(c->upstream, at + 1) == 0);
}

static int names_component(const char *product, const struct it_component *c, const char *bom_ref)
{
	if (strncmp(product, "name:", 5) == 0)
		return names_by_name(product, c);
	if (bom_ref && strcmp(product, bom_ref) == 0)
		return 1;
	if (c->cpe && strcmp(product, c->cpe) == 0)
		return 1;
	if (!c->purl)
		return 0;
	size_t n = strcspn(c->purl, "?#");
	size_t pn = strcspn(product, "?#");
	if (strcmp(product, c->purl) == 0 || (pn == n && strncmp(product, c->purl, n) == 0))
		return 1;
	/* a versionless PURL names every version of the package */
	size_t at = strcspn(c->purl, "@");
	return at < n && pn == at && strncmp(product, c->purl, at) == 0;
}

static int same_vuln(const json_t *match, const char *id)
{
	const char *mid = json_string_value(json_object_get(match, "id"));
	if (mid && strcmp(mid, id) == 0)
		return 1;
	json_t *al = json_object_get(match, "aliases");
	for (size_t i = 0; i < json_array_size(al); i++)
		if (strcmp(json_string_value(json_array_get(al, i)), id) == 0)
			return 1;
	return 0;
}

size_t it_vex_apply(const json_t *statements, json_t *m, const struct it_component *c,
                    const char *bom_ref, const char *vex_file)
{
	size_t applied = 0;
	for (size_t i = 0; i < json_array_size(statements); i++) {
		json_t *s = json_array_get(statements, i);
		if (!same_vuln(m, json_string_value(json_object_get(s, "id"))))
			continue;
		json_t *products = json_object_get(s, "products");
		for (size_t k = 0; k < json_array_size(products); k++) {
			if (!names_component(json_string_value(json_array_get(products, k)), c,
			                     bom_ref))
				continue;
			json_object_set(m, "status", json_object_get(s, "status"));
			json_t *v = json_pack("{ss}", "file", vex_file);
			json_object_set(v, "status", json_object_get(s, "status"));
			if (json_object_get(s, "justification"))
				json_object_set(v, "justification",
				                json_object_get(s, "justification"));
			if (json_object_get(s, "detail"))
				json_object_set(v, "detail", json_object_get(s, "detail"));
			json_object_set_new(m, "vex", v);
			applied++;
			break;
		}
	}
	return applied;
}

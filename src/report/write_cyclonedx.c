/*
 * CycloneDX 1.6 JSON SBOM writer. The firmware image is metadata.component,
 * every inventory component maps to one CycloneDX component (same bom-ref),
 * and package-database depends become the dependency graph. Findings are not
 * vulnerabilities and stay out. Mapping documented in docs/report-formats.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/digest.h"
#include "report/writer.h"

#define SPEC_SCHEMA     "http://cyclonedx.org/schema/bom-1.6.schema.json"
#define ROOT_REF_PREFIX "iotrust:image:"
#define TOOL_URL        "https://iotrust.dev"

/* urn:uuid from SHA-256("iotrust:cyclonedx:" image-sha256): the same image
 * always gets the same serial (RFC 9562 version 8, name-based with SHA-256). */
static void serial_number(const char *image_sha256, char out[46])
{
	struct it_buf name = IT_BUF_INIT;
	char hex[65];
	unsigned char b[16];
	if (it_buf_printf(&name, "iotrust:cyclonedx:%s", image_sha256 ? image_sha256 : "") < 0)
		it_buf_truncate(&name, 0);
	it_sha256_hex(name.data, name.len, hex);
	it_buf_free(&name);
	for (size_t i = 0; i < 16; i++) {
		unsigned v = 0;
		sscanf(hex + 2 * i, "%2x", &v);
		b[i] = (unsigned char)v;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x80); /* version 8 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 9562 variant */
	snprintf(out, 46,
	         "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
}

/* "chain!/path", the chain alone for a payload, the path alone without a chain. */
static json_t *location_json(const json_t *ev)
{
	const char *chain = it_report_str(ev, "chain"), *path = it_report_str(ev, "path");
	if (!chain || !*chain)
		return json_string(path ? path : "");
	if (!path || !*path)
		return json_string(chain);
	return json_sprintf("%s!/%s", chain, path);
}

static const char *technique(const char *found_by)
{
	if (!found_by)
		return "other";
	if (strcmp(found_by, "package-db") == 0)
		return "manifest-analysis";
	if (strcmp(found_by, "filename") == 0)
		return "filename";
	return "binary-analysis"; /* banner, signature */
}

/* One identity object per identifier the component has (purl, cpe), or its
 * name when it has neither; all concluded by the same method. */
static json_t *identity_json(const json_t *c)
{
	static const char *const fields[] = {"purl", "cpe"};
	double conf = (double)json_integer_value(json_object_get(c, "confidence")) / 100.0;
	const json_t *ev0 = json_array_get(json_object_get(c, "evidence"), 0);
	const char *value = ev0 ? it_report_str(ev0, "excerpt") : NULL;
	json_t *ids = json_array();
	for (size_t i = 0; ids && i <= 2; i++) {
		const char *field = i < 2 ? fields[i] : "name";
		const char *concluded = it_report_str(c, field);
		if (!concluded || (i == 2 && json_array_size(ids)))
			continue;
		json_t *id = json_pack("{ss sf ss s[{ss sf ss*}]}", "field", field, "confidence",
		                       conf, "concludedValue", concluded, "methods", "technique",
		                       technique(it_report_str(c, "found_by")), "confidence", conf,
		                       "value", value ? value : it_report_str(c, "source"));
		if (json_array_append_new(ids, id) < 0) {
			json_decref(ids);
			return NULL;
		}
	}
	return ids;
}

static json_t *evidence_json(const json_t *c)
{
	json_t *occ = json_array();
	size_t i;
	const json_t *ev;
	json_array_foreach(json_object_get(c, "evidence"), i, ev)
	{
		json_t *o = json_pack("{so ss*}", "location", location_json(ev),
		                      "additionalContext", it_report_str(ev, "excerpt"));
		if (json_array_append_new(occ, o) < 0) {
			json_decref(occ);
			return NULL;
		}
	}
	return json_pack("{so so}", "identity", identity_json(c), "occurrences", occ);
}

/* Append {name, value} to props when value is set. */
static int add_property(json_t *props, const char *name, const char *value)
{
	return value ? json_array_append_new(props,
	                                     json_pack("{ss ss}", "name", name, "value", value))
	             : 0;
}

static json_t *properties_json(const json_t *c)
{
	json_t *p = json_array();
	if (!p || add_property(p, "iotrust:found_by", it_report_str(c, "found_by")) ||
	    add_property(p, "iotrust:source", it_report_str(c, "source")) ||
	    add_property(p, "iotrust:upstream_version", it_report_str(c, "upstream_version")) ||
	    add_property(p, "iotrust:arch", it_report_str(c, "arch"))) {
		json_decref(p);
		return NULL;
	}
	return p;
}

/* Set key to a copy of c's string field, when present. */
static int copy_str(json_t *o, const char *key, const json_t *c, const char *field)
{
	const char *v = it_report_str(c, field);
	return v ? json_object_set_new(o, key, json_string(v)) : 0;
}

static json_t *component_json(const json_t *c, const json_t *file_uses)
{
	const char *supplier = it_report_str(c, "supplier"),
	           *sha = it_report_single_file_sha256(c, file_uses);
	const char *type = it_report_str(c, "type");
	json_t *o = json_pack("{ss ss}", "type", type ? type : "application", "bom-ref",
	                      it_report_str(c, "bom_ref"));
	if (!o ||
	    (supplier && json_object_set_new(o, "supplier", json_pack("{ss}", "name", supplier))) ||
	    copy_str(o, "name", c, "name") || copy_str(o, "version", c, "version") ||
	    (sha &&
	     json_object_set_new(o, "hashes",
	                         json_pack("[{ss ss}]", "alg", "SHA-256", "content", sha))) ||
	    copy_str(o, "cpe", c, "cpe") || copy_str(o, "purl", c, "purl") ||
	    json_object_set_new(o, "evidence", evidence_json(c)) ||
	    json_object_set_new(o, "properties", properties_json(c))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The index of the component a depends entry names, or -1. */
static json_int_t ref_index(const json_t *known, const json_t *ref)
{
	const json_t *idx =
	        json_string_value(ref) ? json_object_get(known, json_string_value(ref)) : NULL;
	return idx ? json_integer_value(idx) : -1;
}

/* The direct dependencies of one component that name a component in the BOM,
 * each once (dependsOn items are unique). */
static json_t *depends_on(const json_t *c, const json_t *known)
{
	json_t *arr = json_array(), *once = json_object();
	size_t i;
	const json_t *d;
	if (!arr || !once)
		goto fail;
	json_array_foreach(json_object_get(c, "depends"), i, d)
	{
		if (ref_index(known, d) < 0 || json_object_get(once, json_string_value(d)))
			continue;
		if (json_object_set_new(once, json_string_value(d), json_true()) ||
		    json_array_append_new(arr, json_string(json_string_value(d))))
			goto fail;
	}
	json_decref(once);
	return arr;
fail:
	json_decref(once);
	json_decref(arr);
	return NULL;
}

/* Mark every component reachable from index from (depends edges) in seen,
 * iteratively: a hostile package database can make the chain long. stack has
 * room for n indices (each is pushed at most once). */
static void mark_reachable(const json_t *components, const json_t *known, size_t from, char *seen,
                           size_t *stack)
{
	size_t top = 0, k;
	const json_t *d;
	if (seen[from])
		return;
	seen[from] = 1;
	stack[top++] = from;
	while (top) {
		size_t i = stack[--top];
		json_array_foreach(json_object_get(json_array_get(components, i), "depends"), k, d)
		{
			json_int_t j = ref_index(known, d);
			if (j >= 0 && !seen[j]) {
				seen[j] = 1;
				stack[top++] = (size_t)j;
			}
		}
	}
}

/* The firmware depends on every component no other component depends on,
 * and on one member of each dependency cycle not reachable from those. */
static json_t *root_depends_on(const json_t *components, const json_t *known)
{
	size_t n = json_array_size(components), i, k;
	char *needed = calloc(n + 1, 1), *seen = calloc(n + 1, 1);
	size_t *stack = calloc(n + 1, sizeof(size_t));
	json_t *arr = json_array();
	const json_t *c, *d;
	if (!needed || !seen || !stack || !arr)
		goto fail;
	json_array_foreach(components, i, c)
	{
		json_array_foreach(json_object_get(c, "depends"), k, d)
		{
			json_int_t j = ref_index(known, d);
			if (j >= 0 && (size_t)j != i)
				needed[j] = 1;
		}
	}
	for (int pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			if (pass == 0 ? needed[i] : seen[i])
				continue;
			mark_reachable(components, known, i, seen, stack);
			c = json_array_get(components, i);
			if (json_array_append_new(arr, json_string(it_report_str(c, "bom_ref"))) <
			    0)
				goto fail;
		}
	free(needed);
	free(seen);
	free(stack);
	return arr;
fail:
	free(needed);
	free(seen);
	free(stack);
	json_decref(arr);
	return NULL;
}

/* bom_ref -> index of every component (the first, should a ref repeat). */
static json_t *index_refs(const json_t *components)
{
	json_t *known = json_object();
	size_t i;
	const json_t *c;
	json_array_foreach(components, i, c)
	{
		const char *ref = it_report_str(c, "bom_ref");
		if (known && !json_object_get(known, ref) &&
		    json_object_set_new(known, ref, json_integer((json_int_t)i)) < 0) {
			json_decref(known);
			return NULL;
		}
	}
	return known;
}

static json_t *dependencies_json(const json_t *components, const char *root_ref)
{
	json_t *known = index_refs(components), *deps = json_array();
	size_t i;
	const json_t *c;
	if (!known || !deps ||
	    json_array_append_new(deps, json_pack("{ss so}", "ref", root_ref, "dependsOn",
	                                          root_depends_on(components, known))) < 0)
		goto fail;
	json_array_foreach(components, i, c)
	{
		if (json_array_append_new(deps,
		                          json_pack("{ss so}", "ref", it_report_str(c, "bom_ref"),
		                                    "dependsOn", depends_on(c, known))) < 0)
			goto fail;
	}
	json_decref(known);
	return deps;
fail:
	json_decref(known);
	json_decref(deps);
	return NULL;
}

/* Components whose dependencies are unknown: those not from a package database. */
static json_t *compositions_json(const json_t *components)
{
	json_t *unknown = json_array();
	size_t i;
	const json_t *c;
	json_array_foreach(components, i, c)
	{
		const char *fb = it_report_str(c, "found_by");
		if ((!fb || strcmp(fb, "package-db") != 0) &&
		    json_array_append_new(unknown, json_string(it_report_str(c, "bom_ref"))) < 0) {
			json_decref(unknown);
			return NULL;
		}
	}
	if (unknown && json_array_size(unknown) == 0) {
		json_decref(unknown);
		return json_array();
	}
	return json_pack("[{ss so}]", "aggregate", "unknown", "dependencies", unknown);
}

static json_t *metadata_json(const json_t *result, const char *root_ref)
{
	const json_t *image = json_object_get(result, "image"),
	             *tool = json_object_get(result, "tool");
	char size[24];
	snprintf(size, sizeof size, "%" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(image, "size")));
	return json_pack(
	        "{ss s[{ss}] s{s[{ss ss ss* s[{ss ss}]}]} s{ss ss ss s[{ss ss}] s[{ss ss}]}}",
	        "timestamp", it_report_str(image, "scanned_at"), "lifecycles", "phase",
	        "post-build", "tools", "components", "type", "application", "name", "iotrust",
	        "version", it_report_str(tool, "version"), "externalReferences", "type", "website",
	        "url", TOOL_URL, "component", "type", "firmware", "bom-ref", root_ref, "name",
	        it_report_str(image, "name"), "hashes", "alg", "SHA-256", "content",
	        it_report_str(image, "sha256"), "properties", "name", "iotrust:image_size", "value",
	        size);
}

static json_t *components_json(const json_t *components)
{
	json_t *uses = it_report_file_uses(components), *comps = json_array();
	size_t i;
	const json_t *c;
	if (!uses || !comps)
		goto fail;
	json_array_foreach(components, i, c)
	{
		if (json_array_append_new(comps, component_json(c, uses)) < 0)
			goto fail;
	}
	json_decref(uses);
	return comps;
fail:
	json_decref(uses);
	json_decref(comps);
	return NULL;
}

/* CycloneDX's analysis state for a match status (NULL: say nothing, the scanner's match
 * is not an exploitability judgement). */
static const char *analysis_state(const char *status)
{
	if (!status)
		return NULL;
	if (strcmp(status, "fixed") == 0)
		return "resolved";
	if (strcmp(status, "not_affected") == 0)
		return "not_affected";
	if (strcmp(status, "needs_platform") == 0 || strcmp(status, "under_investigation") == 0)
		return "in_triage";
	return NULL;
}

static json_t *vuln_entry(const json_t *m)
{
	const char *id = it_report_str(m, "id"), *src = it_report_str(m, "source");
	json_t *v = json_pack("{ss}", "id", id);
	if (!v)
		return NULL;
	if (strncmp(id, "CVE-", 4) == 0)
		json_object_set_new(v, "source",
		                    json_pack("{ss ss+}", "name", "NVD", "url",
		                              "https://nvd.nist.gov/vuln/detail/", id));
	else if (src)
		json_object_set_new(v, "source", json_pack("{ss}", "name", src));
	json_t *rating = json_object();
	const json_t *score = json_object_get(m, "score");
	if (json_is_number(score))
		json_object_set_new(rating, "score", json_real(json_number_value(score)));
	if (it_report_str(m, "severity"))
		json_object_set_new(rating, "severity", json_string(it_report_str(m, "severity")));
	if (json_object_size(rating))
		json_object_set_new(v, "ratings", json_pack("[o]", rating));
	else
		json_decref(rating);
	if (it_report_str(m, "summary"))
		json_object_set_new(v, "description", json_string(it_report_str(m, "summary")));
	const json_t *kev = json_object_get(m, "kev");
	if (kev && it_report_str(kev, "action"))
		json_object_set_new(v, "recommendation", json_string(it_report_str(kev, "action")));
	json_object_set_new(v, "affects", json_array());
	const char *state = analysis_state(it_report_str(m, "status"));
	const json_t *vex = json_object_get(m, "vex");
	if (state) {
		json_t *an = json_pack("{ss}", "state", state);
		if (vex && it_report_str(vex, "justification"))
			json_object_set_new(an, "justification",
			                    json_string(it_report_str(vex, "justification")));
		if (vex && it_report_str(vex, "detail"))
			json_object_set_new(an, "detail",
			                    json_string(it_report_str(vex, "detail")));
		json_object_set_new(v, "analysis", an);
	}
	if (kev)
		json_object_set_new(
		        v, "properties",
		        json_pack("[{ss ss}]", "name", "iotrust:cisa_kev", "value", "true"));
	return v;
}

/* One entry per vulnerability id, affecting every component it was matched on. */
static json_t *vulnerabilities_json(const json_t *matches)
{
	json_t *out = json_array(), *by_id = json_object();
	size_t i;
	const json_t *m;
	json_array_foreach(matches, i, m)
	{
		const char *id = it_report_str(m, "id"), *ref = it_report_str(m, "component");
		if (!id || !ref)
			continue;
		json_t *v = json_object_get(by_id, id);
		if (!v) {
			if (!(v = vuln_entry(m)) || json_array_append_new(out, v) ||
			    json_object_set(by_id, id, v))
				goto fail;
		}
		if (json_array_append_new(json_object_get(v, "affects"),
		                          json_pack("{ss}", "ref", ref)))
			goto fail;
	}
	json_decref(by_id);
	return out;
fail:
	json_decref(by_id);
	json_decref(out);
	return NULL;
}

static json_t *bom_json(const json_t *result)
{
	const json_t *components = json_object_get(result, "components");
	const char *sha = it_report_str(json_object_get(result, "image"), "sha256");
	char serial[46];
	serial_number(sha, serial);
	json_t *root_ref = json_sprintf(ROOT_REF_PREFIX "%s", sha);
	if (!root_ref)
		return NULL;
	const char *rr = json_string_value(root_ref);
	json_t *bom = json_pack("{ss ss ss ss si so so so so}", "$schema", SPEC_SCHEMA, "bomFormat",
	                        "CycloneDX", "specVersion", "1.6", "serialNumber", serial,
	                        "version", 1, "metadata", metadata_json(result, rr), "components",
	                        components_json(components), "dependencies",
	                        dependencies_json(components, rr), "compositions",
	                        compositions_json(components));
	json_decref(root_ref);
	const json_t *matches = json_object_get(result, "vulnerabilities");
	if (bom && json_array_size(matches) &&
	    json_object_set_new(bom, "vulnerabilities", vulnerabilities_json(matches))) {
		json_decref(bom);
		return NULL;
	}
	return bom;
}

static int write_cyclonedx(const json_t *result, struct it_buf *out, struct it_error *err)
{
	const char *why = it_report_malformed(result);
	if (why)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "cyclonedx: malformed scan result: %s", why);
	json_t *bom = bom_json(result);
	int rc = it_report_dump(bom, JSON_REAL_PRECISION(4), out, err);
	json_decref(bom);
	return rc;
}

const struct it_report_writer it_write_cyclonedx = {
        "cyclonedx",
        "CycloneDX 1.6 JSON SBOM (components, hashes, evidence, dependencies) with its "
        "vulnerabilities (VEX)",
        write_cyclonedx};

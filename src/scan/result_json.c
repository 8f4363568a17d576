/*
 * The canonical scan result as a jansson tree (docs/schema/scan-result.schema.json).
 * Every report format is written from this tree. Components get bom_refs here:
 * the PURL when it is unique, else name@version, made unique with a suffix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/scan.h"

#ifndef IOTRUST_VERSION
#define IOTRUST_VERSION "0.0.0"
#endif

/* A JSON string from bytes that came from firmware: jansson accepts only
 * UTF-8, so other bytes are replaced with '?' rather than losing the value. */
static json_t *str_json(const char *s)
{
	json_t *v = json_string(s);
	if (v)
		return v;
	char *copy = strdup(s);
	if (!copy)
		return NULL;
	for (unsigned char *p = (unsigned char *)copy; *p; p++)
		if (*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

/* Set key to a string unless s is NULL. */
static int set_str(json_t *o, const char *key, const char *s)
{
	return s ? json_object_set_new(o, key, str_json(s)) : 0;
}

static char *make_ref(const struct it_component *c)
{
	char *s = NULL;
	if (c->purl)
		return strdup(c->purl);
	if (asprintf(&s, "%s@%s", c->name, c->version ? c->version : "unknown") < 0)
		return NULL;
	return s;
}

/* Unique bom_refs, index-aligned with the components. */
static char **make_refs(const struct it_inspect *in, size_t n)
{
	char **refs = calloc(n ? n : 1, sizeof(char *));
	if (!refs)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char *r = make_ref(it_inspect_component(in, i));
		if (!r)
			goto fail;
		unsigned dup = 0;
		for (size_t j = 0; j < i; j++)
			if (strncmp(refs[j], r, strlen(r)) == 0 &&
			    (refs[j][strlen(r)] == 0 || refs[j][strlen(r)] == '#'))
				dup++;
		if (dup) {
			char *u = NULL;
			if (asprintf(&u, "%s#%u", r, dup + 1) < 0) {
				free(r);
				goto fail;
			}
			free(r);
			r = u;
		}
		refs[i] = r;
	}
	return refs;
fail:
	for (size_t i = 0; i < n; i++)
		free(refs[i]);
	free(refs);
	return NULL;
}

static json_t *evidence_json(const struct it_evidence *ev)
{
	json_t *o = json_object();
	if (!o || set_str(o, "chain", ev->chain) || set_str(o, "path", ev->path) ||
	    set_str(o, "excerpt", ev->excerpt) ||
	    (ev->sha256[0] && set_str(o, "sha256", ev->sha256))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The bom_ref of the component named `name` (a package name from a depends
 * field), preferring one from a package database; NULL when absent. */
static const char *ref_by_name(const struct it_inspect *in, char **refs, size_t n, const char *name)
{
	const char *best = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct it_component *c = it_inspect_component(in, i);
		if (strcmp(c->name, name) != 0)
			continue;
		if (c->found_by == IT_FOUND_PKGDB)
			return refs[i];
		if (!best)
			best = refs[i];
	}
	return best;
}

static json_t *component_json(const struct it_inspect *in, char **refs, size_t n, size_t i)
{
	const struct it_component *c = it_inspect_component(in, i);
	json_t *o = json_object(), *ev = json_array(), *dep = json_array();
	if (!o || !ev || !dep)
		goto fail;
	if (set_str(o, "bom_ref", refs[i]) || set_str(o, "name", c->name) ||
	    set_str(o, "version", c->version) ||
	    (c->upstream && set_str(o, "upstream_version", c->upstream)) ||
	    set_str(o, "type", c->type ? c->type : "application") ||
	    set_str(o, "supplier", c->supplier) || set_str(o, "cpe", c->cpe) ||
	    set_str(o, "purl", c->purl) || set_str(o, "arch", c->arch) ||
	    set_str(o, "found_by", it_found_by_name(c->found_by)) ||
	    json_object_set_new(o, "confidence", json_integer(c->confidence)) ||
	    set_str(o, "source", c->source ? c->source : ""))
		goto fail;
	for (size_t k = 0; k < c->n_evidence; k++)
		if (json_array_append_new(ev, evidence_json(&c->evidence[k])) < 0)
			goto fail;
	for (size_t k = 0; k < c->n_depends; k++) {
		const char *r = ref_by_name(in, refs, n, c->depends[k]);
		if (r && strcmp(r, refs[i]) != 0 && json_array_append_new(dep, str_json(r)) < 0)
			goto fail;
	}
	json_object_set_new(o, "evidence", ev);
	if (json_array_size(dep))
		json_object_set_new(o, "depends", dep);
	else
		json_decref(dep);
	return o;
fail:
	json_decref(o);
	json_decref(ev);
	json_decref(dep);
	return NULL;
}

static json_t *provisions_json(const struct it_check *c)
{
	json_t *a = json_array();
	for (const char *const *p = c->provisions; a && p && *p; p++)
		if (json_array_append_new(a, str_json(*p)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *finding_json(const struct it_finding *f)
{
	json_t *o = json_object();
	if (!o || set_str(o, "check", f->check->id) ||
	    set_str(o, "severity", it_severity_name(f->severity)) ||
	    set_str(o, "title", f->check->title) ||
	    json_object_set_new(o, "provisions", provisions_json(f->check)) ||
	    set_str(o, "chain", f->chain) || set_str(o, "path", f->path) ||
	    (f->line && json_object_set_new(o, "line", json_integer(f->line))) ||
	    set_str(o, "message", f->message) || set_str(o, "evidence", f->evidence)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *check_json(const struct it_check *c)
{
	json_t *o = json_object();
	if (!o || set_str(o, "id", c->id) ||
	    set_str(o, "severity", it_severity_name(c->severity)) ||
	    set_str(o, "title", c->title) || set_str(o, "description", c->description) ||
	    set_str(o, "remediation", c->remediation) || set_str(o, "cwe", c->cwe) ||
	    json_object_set_new(o, "provisions", provisions_json(c))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *stats_json(const struct it_scan_result *r)
{
	const struct it_inspect_stats *is = r->inspect ? it_inspect_stats(r->inspect) : NULL;
	json_t *sev = json_object();
	for (int s = IT_SEV_CRITICAL; sev && s >= IT_SEV_INFO; s--) {
		size_t n = 0;
		for (size_t i = 0; r->inspect && i < it_inspect_finding_count(r->inspect); i++)
			if (it_inspect_finding(r->inspect, i)->severity == (enum it_severity)s)
				n++;
		json_object_set_new(sev, it_severity_name((enum it_severity)s),
		                    json_integer((json_int_t)n));
	}
	return json_pack("{sI sI sI sI sI sI sI sI so}", "entries", (json_int_t)r->unpack.entries,
	                 "files", (json_int_t)(is ? is->files : 0), "containers",
	                 (json_int_t)r->unpack.containers, "bytes_unpacked",
	                 (json_int_t)r->unpack.bytes_out, "elf_files",
	                 (json_int_t)(is ? is->elf_files : 0), "skipped_files",
	                 (json_int_t)(is ? is->skipped_files : 0), "problems",
	                 (json_int_t)r->unpack.problems, "duration_ms", (json_int_t)r->duration_ms,
	                 "findings_by_severity", sev);
}

/* "vulnerabilities": the matches with the component's bom_ref instead of its index. */
static int vulns_json(json_t *root, json_t *matches, char **refs, size_t n)
{
	json_t *arr = json_array();
	if (json_object_set_new(root, "vulnerabilities", arr))
		return -1;
	for (size_t i = 0; i < json_array_size(matches); i++) {
		json_t *m = json_deep_copy(json_array_get(matches, i));
		json_int_t idx = json_integer_value(json_object_get(m, "component_index"));
		if (!m || idx < 0 || (size_t)idx >= n || json_object_del(m, "component_index") ||
		    json_object_set_new(m, "component", json_string(refs[idx])) ||
		    json_array_append_new(arr, m))
			return -1;
	}
	return 0;
}

static int fill(json_t *root, const struct it_scan_result *r)
{
	char when[32];
	struct tm tm;
	gmtime_r(&r->scanned_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *image = json_object();
	if (!image || json_object_set_new(root, "image", image) ||
	    set_str(image, "name", r->image_name) ||
	    json_object_set_new(image, "size", json_integer((json_int_t)r->image_size)) ||
	    set_str(image, "sha256", r->image_sha256) || set_str(image, "scanned_at", when))
		return -1;

	const struct it_inspect *in = r->inspect;
	size_t n = in ? it_inspect_component_count(in) : 0;
	json_t *comps = json_array(), *finds = json_array(), *checks = json_array();
	if (json_object_set_new(root, "components", comps) ||
	    json_object_set_new(root, "findings", finds) ||
	    json_object_set_new(root, "checks", checks))
		return -1;
	char **refs = make_refs(in, n);
	if (!refs)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = json_array_append_new(comps, component_json(in, refs, n, i));
	if (rc == 0 && r->vulnerabilities)
		rc = vulns_json(root, r->vulnerabilities, refs, n);
	for (size_t i = 0; i < n; i++)
		free(refs[i]);
	free(refs);
	for (size_t i = 0; rc == 0 && in && i < it_inspect_finding_count(in); i++)
		rc = json_array_append_new(finds, finding_json(it_inspect_finding(in, i)));
	for (size_t i = 0; rc == 0 && in && i < it_inspect_check_count(in); i++)
		rc = json_array_append_new(checks, check_json(it_inspect_check(in, i)));
	if (rc || json_object_set_new(root, "stats", stats_json(r)))
		return -1;
	if (r->n_diagnostics) {
		json_t *d = json_array();
		if (json_object_set_new(root, "diagnostics", d))
			return -1;
		for (size_t i = 0; i < r->n_diagnostics; i++)
			if (json_array_append_new(d, str_json(r->diagnostics[i])))
				return -1;
	}
	return 0;
}

json_t *it_scan_result_json(const struct it_scan_result *r, struct it_error *err)
{
	json_t *root = json_pack("{si s{ss ss}}", "schema_version", 1, "tool", "name", "iotrust",
	                         "version", IOTRUST_VERSION);
	if (!root || fill(root, r) < 0) {
		json_decref(root);
		it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
		return NULL;
	}
	return root;
}

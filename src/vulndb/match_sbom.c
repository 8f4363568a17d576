/*
 * Matching every component of a CycloneDX SBOM (`iotrust db match --sbom`): a maker's
 * SBOM from any tool, read with jansson, each component (nested ones too) queried by its
 * PURL and CPE through one matcher and one read transaction.
 */
#include <string.h>

#include "vulndb/match.h"

#define MAX_DEPTH      32
#define MAX_COMPONENTS 1000000

struct walk {
	struct it_matcher *m;
	int all;
	json_t *out;
	size_t n;
	struct it_buf path;
	struct it_error *err;
};

static int bad(struct walk *w, const char *what)
{
	return it_error_set(w->err, IT_ERR_INPUT, NULL, IT_NO_OFFSET, "CycloneDX SBOM: %s %s",
	                    it_buf_str(&w->path), what);
}

static const char *opt_str(const json_t *c, const char *key, int *ok)
{
	const json_t *v = json_object_get(c, key);
	if (v && !json_is_string(v))
		*ok = 0;
	return json_string_value(v);
}

static int components(struct walk *w, const json_t *list, int depth);

static int component(struct walk *w, const json_t *c, int depth)
{
	int ok = 1;
	if (!json_is_object(c))
		return bad(w, "must be an object");
	const char *purl = opt_str(c, "purl", &ok), *cpe = opt_str(c, "cpe", &ok);
	const char *ref = opt_str(c, "bom-ref", &ok), *name = opt_str(c, "name", &ok);
	const char *version = opt_str(c, "version", &ok);
	if (!ok)
		return bad(w, "has a purl, cpe, bom-ref, name or version that is not a string");
	if (++w->n > MAX_COMPONENTS)
		return bad(w, "is past the limit of 1,000,000 components");
	if (purl || cpe) {
		struct it_match_query q = {.cpe = cpe, .purl = purl};
		json_t *found = json_array();
		if (!found)
			return it_error_nomem(w->err);
		if (it_matcher_match(w->m, &q, w->all, found, w->err) < 0) {
			json_decref(found);
			if (w->err->code != IT_ERR_INPUT)
				return -1;
			/* a malformed PURL or CPE: say which component */
			struct it_buf msg = IT_BUF_INIT;
			it_buf_printf(&msg, "has an identifier iotrust cannot read: %s",
			              w->err->message ? w->err->message : "");
			int rc = bad(w, it_buf_str(&msg));
			it_buf_free(&msg);
			return rc;
		}
		if (json_array_size(found) &&
		    json_array_append_new(w->out, json_pack("{s:s?, s:s?, s:s?, s:o}", "bom-ref",
		                                            ref, "name", name, "version", version,
		                                            "vulnerabilities", found)) < 0)
			return it_error_nomem(w->err);
		if (!json_array_size(found))
			json_decref(found);
	}
	const json_t *sub = json_object_get(c, "components");
	return sub ? components(w, sub, depth + 1) : 0;
}

static int components(struct walk *w, const json_t *list, int depth)
{
	size_t base = w->path.len, i;
	const json_t *c;
	if (!json_is_array(list))
		return bad(w, "components must be an array");
	if (depth > MAX_DEPTH)
		return bad(w, "nests components more than 32 deep");
	json_array_foreach(list, i, c)
	{
		it_buf_truncate(&w->path, base);
		if (it_buf_printf(&w->path, "%scomponents[%zu]", base ? "." : "", i) < 0)
			return it_error_nomem(w->err);
		if (component(w, c, depth) < 0)
			return -1;
	}
	it_buf_truncate(&w->path, base);
	return 0;
}

int it_match_cyclonedx(struct it_matcher *m, const json_t *bom, int all, json_t *out,
                       size_t *n_components, struct it_error *err)
{
	struct walk w = {.m = m, .all = all, .out = out, .err = err};
	const char *format = json_string_value(json_object_get(bom, "bomFormat"));
	if (!format || strcmp(format, "CycloneDX") != 0)
		return it_error_set(err, IT_ERR_INPUT, NULL, IT_NO_OFFSET,
		                    "not a CycloneDX SBOM: expected \"bomFormat\": \"CycloneDX\"");
	const json_t *meta = json_object_get(json_object_get(bom, "metadata"), "component");
	int rc = 0;
	if (meta) {
		it_buf_puts(&w.path, "metadata.component");
		rc = component(&w, meta, 0);
		it_buf_truncate(&w.path, 0);
	}
	if (rc == 0 && json_object_get(bom, "components"))
		rc = components(&w, json_object_get(bom, "components"), 0);
	it_buf_free(&w.path);
	if (n_components)
		*n_components = w.n;
	return rc;
}

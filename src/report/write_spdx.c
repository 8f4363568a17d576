/*
 * SPDX 2.3 JSON SBOM writer. The firmware image is one package that the
 * document DESCRIBES and that CONTAINS one package per inventory component;
 * package-database depends become DEPENDS_ON. SPDXIDs are the bom_refs with
 * every character outside [A-Za-z0-9.-] replaced, made unique with a suffix.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "report/writer.h"

#define FIRMWARE_ID    "SPDXRef-Firmware"
#define NAMESPACE_BASE "https://iotrust.dev/spdxdocs/"

/* Append s to b with every character outside [A-Za-z0-9.-] as '-' (an SPDX idstring). */
static int put_idstring(struct it_buf *b, const char *s)
{
	for (; *s; s++) {
		char c = *s;
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		         (c >= '0' && c <= '9') || c == '.' || c == '-';
		if (it_buf_putc(b, ok ? c : '-') < 0)
			return -1;
	}
	return 0;
}

/* A unique SPDXID for a component's bom_ref; used records the ones handed out. */
static json_t *package_id(const char *bom_ref, json_t *used)
{
	struct it_buf b = IT_BUF_INIT;
	json_t *id = NULL;
	if (it_buf_puts(&b, "SPDXRef-Package-") < 0 || put_idstring(&b, bom_ref) < 0)
		goto out;
	size_t base = b.len;
	for (unsigned n = 2; json_object_get(used, it_buf_str(&b)); n++) {
		it_buf_truncate(&b, base);
		if (it_buf_printf(&b, "-%u", n) < 0)
			goto out;
	}
	id = json_string(it_buf_str(&b));
	if (id && json_object_set_new(used, it_buf_str(&b), json_true()) < 0) {
		json_decref(id);
		id = NULL;
	}
out:
	it_buf_free(&b);
	return id;
}

/* SPDX wants YYYY-MM-DDThh:mm:ssZ; the result has an RFC 3339 date-time that
 * may carry fractions or an offset. Unparseable input is passed through. */
static json_t *spdx_time(const char *when)
{
	struct tm tm = {0};
	int n = 0, oh = 0, om = 0;
	char sign = 0;
	if (sscanf(when, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	           &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return json_string(when);
	const char *p = when + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == '+' || *p == '-') {
		if (sscanf(p, "%c%2d:%2d", &sign, &oh, &om) != 3)
			return json_string(when);
	} else if (*p != 'Z' && *p != 'z') {
		return json_string(when);
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm) - (sign == '+' ? 1 : sign == '-' ? -1 : 0) * (oh * 3600 + om * 60);
	char out[32];
	if (!gmtime_r(&t, &tm) || !strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_string(when);
	return json_string(out);
}

static const char *purpose(const char *type)
{
	static const char *const map[][2] = {{"application", "APPLICATION"},
	                                     {"library", "LIBRARY"},
	                                     {"operating-system", "OPERATING_SYSTEM"},
	                                     {"firmware", "FIRMWARE"}};
	for (size_t i = 0; type && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(type, map[i][0]) == 0)
			return map[i][1];
	return "OTHER";
}

static json_t *external_refs(const json_t *c)
{
	json_t *refs = json_array();
	const char *cpe = it_report_str(c, "cpe"), *purl = it_report_str(c, "purl");
	if (refs && cpe &&
	    json_array_append_new(refs, json_pack("{ss ss ss}", "referenceCategory", "SECURITY",
	                                          "referenceType", "cpe23Type", "referenceLocator",
	                                          cpe)) < 0)
		goto fail;
	if (refs && purl &&
	    json_array_append_new(refs,
	                          json_pack("{ss ss ss}", "referenceCategory", "PACKAGE-MANAGER",
	                                    "referenceType", "purl", "referenceLocator", purl)) < 0)
		goto fail;
	return refs;
fail:
	json_decref(refs);
	return NULL;
}

/* How iotrust found the component, for people: "found by signature
 * (signature:busybox), confidence 80, upstream version 1.35.0". */
static json_t *comment_json(const json_t *c)
{
	const char *up = it_report_str(c, "upstream_version");
	return json_sprintf("iotrust: found by %s (%s), confidence %" JSON_INTEGER_FORMAT "%s%s",
	                    it_report_str(c, "found_by") ? it_report_str(c, "found_by") : "?",
	                    it_report_str(c, "source") ? it_report_str(c, "source") : "",
	                    json_integer_value(json_object_get(c, "confidence")),
	                    up ? ", upstream version " : "", up ? up : "");
}

/* Set key to value when value is set, and to NOASSERTION when it is not. */
static int set_or_noassertion(json_t *o, const char *key, json_t *value)
{
	return json_object_set_new(o, key, value ? value : json_string("NOASSERTION"));
}

/* Set key to arr unless it is empty (NULL arr: out of memory). */
static int set_nonempty(json_t *o, const char *key, json_t *arr)
{
	if (arr && json_array_size(arr) == 0) {
		json_decref(arr);
		return 0;
	}
	return json_object_set_new(o, key, arr);
}

static json_t *component_package(const json_t *c, json_t *id, const json_t *file_uses)
{
	const char *supplier = it_report_str(c, "supplier"),
	           *sha = it_report_single_file_sha256(c, file_uses);
	json_t *p = json_pack("{so ss}", "SPDXID", id, "name", it_report_str(c, "name"));
	if (!p ||
	    (it_report_str(c, "version") &&
	     json_object_set_new(p, "versionInfo", json_string(it_report_str(c, "version")))) ||
	    set_or_noassertion(p, "supplier",
	                       supplier ? json_sprintf("Organization: %s", supplier) : NULL) ||
	    json_object_set_new(p, "downloadLocation", json_string("NOASSERTION")) ||
	    json_object_set_new(p, "filesAnalyzed", json_false()) ||
	    (sha && json_object_set_new(
	                    p, "checksums",
	                    json_pack("[{ss ss}]", "algorithm", "SHA256", "checksumValue", sha))) ||
	    json_object_set_new(p, "licenseConcluded", json_string("NOASSERTION")) ||
	    json_object_set_new(p, "licenseDeclared", json_string("NOASSERTION")) ||
	    json_object_set_new(p, "copyrightText", json_string("NOASSERTION")) ||
	    set_nonempty(p, "externalRefs", external_refs(c)) ||
	    json_object_set_new(p, "primaryPackagePurpose",
	                        json_string(purpose(it_report_str(c, "type")))) ||
	    json_object_set_new(p, "comment", comment_json(c))) {
		json_decref(p);
		return NULL;
	}
	return p;
}

static json_t *firmware_package(const json_t *image)
{
	return json_pack(
	        "{ss ss ss ss ss sb s[{ss ss}] ss ss ss ss so}", "SPDXID", FIRMWARE_ID, "name",
	        it_report_str(image, "name"), "packageFileName", it_report_str(image, "name"),
	        "supplier", "NOASSERTION", "downloadLocation", "NOASSERTION", "filesAnalyzed", 0,
	        "checksums", "algorithm", "SHA256", "checksumValue", it_report_str(image, "sha256"),
	        "licenseConcluded", "NOASSERTION", "licenseDeclared", "NOASSERTION",
	        "copyrightText", "NOASSERTION", "primaryPackagePurpose", "FIRMWARE", "comment",
	        json_sprintf("the firmware image scanned by iotrust (%" JSON_INTEGER_FORMAT
	                     " bytes)",
	                     json_integer_value(json_object_get(image, "size"))));
}

static int add_relationship(json_t *rels, const char *from, const char *type, const char *to)
{
	return json_array_append_new(rels,
	                             json_pack("{ss ss ss}", "spdxElementId", from,
	                                       "relationshipType", type, "relatedSpdxElement", to));
}

/* X DEPENDS_ON Y for each distinct dependency of component c that is in the document. */
static int add_depends(json_t *rels, const json_t *c, const json_t *ids)
{
	const char *from = json_string_value(json_object_get(ids, it_report_str(c, "bom_ref")));
	json_t *once = json_object();
	size_t i;
	const json_t *d;
	int rc = once ? 0 : -1;
	json_array_foreach(json_object_get(c, "depends"), i, d)
	{
		const char *ref = json_string_value(d);
		const char *to = ref ? json_string_value(json_object_get(ids, ref)) : NULL;
		if (rc || !to || strcmp(to, from) == 0 || json_object_get(once, to))
			continue;
		rc = json_object_set_new(once, to, json_true()) ||
		     add_relationship(rels, from, "DEPENDS_ON", to);
	}
	json_decref(once);
	return rc ? -1 : 0;
}

struct spdx_doc {
	json_t *packages, *relationships;
	json_t *ids;  /* bom_ref -> SPDXID */
	json_t *used; /* SPDXIDs handed out */
};

static int add_components(struct spdx_doc *d, const json_t *components)
{
	json_t *uses = it_report_file_uses(components);
	size_t i;
	const json_t *c;
	int rc = uses ? 0 : -1;
	json_array_foreach(components, i, c)
	{
		const char *ref = it_report_str(c, "bom_ref");
		json_t *id = rc ? NULL : package_id(ref, d->used);
		if (!id) {
			rc = -1;
			break;
		}
		if (json_object_set(d->ids, ref, id) ||
		    add_relationship(d->relationships, FIRMWARE_ID, "CONTAINS",
		                     json_string_value(id))) {
			json_decref(id);
			rc = -1;
			break;
		}
		/* component_package takes id over, also when it fails */
		if (json_array_append_new(d->packages, component_package(c, id, uses))) {
			rc = -1;
			break;
		}
	}
	json_array_foreach(components, i, c)
	{
		if (rc == 0 && add_depends(d->relationships, c, d->ids) < 0)
			rc = -1;
	}
	json_decref(uses);
	return rc;
}

static json_t *document_json(const json_t *result)
{
	const json_t *image = json_object_get(result, "image");
	const char *version = it_report_str(json_object_get(result, "tool"), "version");
	struct spdx_doc d = {json_array(), json_array(), json_object(), json_object()};
	struct it_buf ns = IT_BUF_INIT;
	json_t *doc = NULL;
	if (!d.packages || !d.relationships || !d.ids || !d.used ||
	    json_array_append_new(d.packages, firmware_package(image)) ||
	    add_relationship(d.relationships, "SPDXRef-DOCUMENT", "DESCRIBES", FIRMWARE_ID) ||
	    add_components(&d, json_object_get(result, "components")) < 0)
		goto out;
	if (it_buf_puts(&ns, NAMESPACE_BASE) < 0 ||
	    put_idstring(&ns, it_report_str(image, "name")) < 0 ||
	    it_buf_printf(&ns, "-%s", it_report_str(image, "sha256")) < 0)
		goto out;
	doc = json_pack("{ss ss ss ss ss s{so s[s+]} sO sO}", "spdxVersion", "SPDX-2.3",
	                "dataLicense", "CC0-1.0", "SPDXID", "SPDXRef-DOCUMENT", "name",
	                it_report_str(image, "name"), "documentNamespace", it_buf_str(&ns),
	                "creationInfo", "created", spdx_time(it_report_str(image, "scanned_at")),
	                "creators", "Tool: iotrust-", version ? version : "unknown", "packages",
	                d.packages, "relationships", d.relationships);
out:
	it_buf_free(&ns);
	json_decref(d.packages);
	json_decref(d.relationships);
	json_decref(d.ids);
	json_decref(d.used);
	return doc;
}

static int write_spdx(const json_t *result, struct it_buf *out, struct it_error *err)
{
	const char *why = it_report_malformed(result);
	if (why)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "spdx: malformed scan result: %s", why);
	json_t *doc = document_json(result);
	int rc = it_report_dump(doc, 0, out, err);
	json_decref(doc);
	return rc;
}

const struct it_report_writer it_write_spdx = {
        "spdx", "SPDX 2.3 JSON SBOM (packages, checksums, CPE/PURL references, relationships)",
        write_spdx};

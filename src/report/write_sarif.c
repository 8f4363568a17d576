/*
 * SARIF 2.1.0 writer: one run; one rule per entry of checks[] and one result
 * per finding. Artifact URIs are relative to the --extract directory (uriBaseId
 * IMAGE): the container's directory named after its chain, then the path, so a
 * SARIF viewer opens the extracted file. Mapping documented in docs/report-formats.md.
 */
#include <stdio.h>
#include <string.h>

#include "iotrust/digest.h"
#include "report/writer.h"

#define SARIF_SCHEMA                                                                               \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"                      \
	"sarif-schema-2.1.0.json"
#define TOOL_URL        "https://iotrust.dev"
#define FINGERPRINT_KEY "iotrustFindingHash/v1"

static const char *str_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = it_report_str(o, key);
	return s ? s : dflt;
}

struct severity_map {
	const char *severity, *level, *security_severity;
};

/* SARIF level and a CVSS-like score (GitHub's security-severity) per severity. */
static const struct severity_map severities[] = {
        {"critical", "error", "9.5"}, {"high", "error", "8.0"}, {"medium", "warning", "5.5"},
        {"low", "note", "3.0"},       {"info", "note", "0.0"},
};

static const struct severity_map *severity(const char *name)
{
	for (size_t i = 0; name && i < sizeof severities / sizeof severities[0]; i++)
		if (strcmp(name, severities[i].severity) == 0)
			return &severities[i];
	return &severities[2];
}

/* Percent-encode s for a URI path: unreserved characters and '@' stay, and
 * '/' too when keep_slash (path separators). */
static int put_uri_part(struct it_buf *b, const char *s, int keep_slash)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		            (*p >= '0' && *p <= '9') || strchr("-._~@", *p) ||
		            (keep_slash && *p == '/');
		if ((plain ? it_buf_putc(b, (char)*p) : it_buf_printf(b, "%%%02X", *p)) < 0)
			return -1;
	}
	return 0;
}

/* The relative URI of a finding's file below the --extract directory: the
 * container directory (its chain with '%' and '/' escaped, as the extractor
 * names it), then the path; a payload is a file named after its chain. */
static json_t *artifact_uri(const char *image, const char *chain, const char *path)
{
	struct it_buf dir = IT_BUF_INIT, uri = IT_BUF_INIT;
	json_t *v = NULL;
	for (const char *c = chain; *c; c++)
		if (((*c == '/' || *c == '%') ? it_buf_printf(&dir, "%%%02X", (unsigned char)*c)
		                              : it_buf_putc(&dir, *c)) < 0)
			goto out;
	if (put_uri_part(&uri, *chain ? it_buf_str(&dir) : (*path ? "" : image), 0) < 0 ||
	    (*chain && *path && it_buf_putc(&uri, '/') < 0) || put_uri_part(&uri, path, 1) < 0)
		goto out;
	v = json_string(it_buf_str(&uri));
out:
	it_buf_free(&dir);
	it_buf_free(&uri);
	return v;
}

/* "chain!/path" as the rest of iotrust writes locations. */
static json_t *location_name(const char *chain, const char *path)
{
	if (!*chain)
		return json_string(path);
	return *path ? json_sprintf("%s!/%s", chain, path) : json_string(chain);
}

/* Append chain with the byte offsets of carved containers ("@0x70000") left
 * out: they move whenever an earlier partition changes size. */
static int put_chain_without_offsets(struct it_buf *b, const char *chain)
{
	const char *c = chain;
	while (*c) {
		if (c[0] == '@' && c[1] == '0' && c[2] == 'x') {
			c += 3 + strspn(c + 3, "0123456789abcdefABCDEF");
			continue;
		}
		if (it_buf_putc(b, *c++) < 0)
			return -1;
	}
	return 0;
}

/* SHA-256 of check, chain (without offsets), path and line: the same finding
 * keeps its fingerprint from one firmware build to the next. */
static json_t *fingerprint(const json_t *f)
{
	struct it_buf b = IT_BUF_INIT;
	char hex[65];
	json_t *v = NULL;
	if (it_buf_printf(&b, "%s", str_or(f, "check", "")) < 0 || it_buf_putc(&b, '\0') < 0 ||
	    put_chain_without_offsets(&b, str_or(f, "chain", "")) < 0 ||
	    it_buf_putc(&b, '\0') < 0 || it_buf_printf(&b, "%s", str_or(f, "path", "")) < 0 ||
	    it_buf_putc(&b, '\0') < 0 ||
	    it_buf_printf(&b, "%" JSON_INTEGER_FORMAT,
	                  json_integer_value(json_object_get(f, "line"))) < 0)
		goto out;
	it_sha256_hex(b.data, b.len, hex);
	v = json_pack("{ss}", FINGERPRINT_KEY, hex);
out:
	it_buf_free(&b);
	return v;
}

/* Tags: "security", the CWE in GitHub's form, then the provisions. */
static json_t *rule_tags(const json_t *check)
{
	const char *cwe = it_report_str(check, "cwe");
	json_t *tags = json_pack("[s]", "security");
	if (tags && cwe && strncmp(cwe, "CWE-", 4) == 0 &&
	    json_array_append_new(tags, json_sprintf("external/cwe/cwe-%s", cwe + 4)) < 0)
		goto fail;
	size_t i;
	const json_t *p;
	json_array_foreach(json_object_get(check, "provisions"), i, p)
	{
		if (tags && json_is_string(p) &&
		    json_array_append_new(tags, json_string(json_string_value(p))) < 0)
			goto fail;
	}
	return tags;
fail:
	json_decref(tags);
	return NULL;
}

static json_t *rule_json(const json_t *check)
{
	const struct severity_map *sev = severity(it_report_str(check, "severity"));
	json_t *props = json_pack("{so ss ss}", "tags", rule_tags(check), "security-severity",
	                          sev->security_severity, "severity", sev->severity);
	if (props && it_report_str(check, "cwe") &&
	    json_object_set_new(props, "cwe", json_string(it_report_str(check, "cwe"))) < 0)
		goto fail;
	if (props && json_object_get(check, "provisions") &&
	    json_object_set_new(props, "provisions",
	                        json_deep_copy(json_object_get(check, "provisions"))) < 0)
		goto fail;
	return json_pack("{ss s{ss} s{ss} s{ss} s{ss} so}", "id", str_or(check, "id", ""),
	                 "shortDescription", "text", str_or(check, "title", ""), "fullDescription",
	                 "text", str_or(check, "description", ""), "help", "text",
	                 str_or(check, "remediation", ""), "defaultConfiguration", "level",
	                 sev->level, "properties", props);
fail:
	json_decref(props);
	return NULL;
}

static json_t *physical_location(const json_t *result, const json_t *f)
{
	const char *chain = str_or(f, "chain", ""), *path = str_or(f, "path", "");
	const char *image = it_report_str(json_object_get(result, "image"), "name");
	json_int_t line = json_integer_value(json_object_get(f, "line"));
	json_t *loc =
	        json_pack("{s{so ss}}", "artifactLocation", "uri",
	                  artifact_uri(image ? image : "", chain, path), "uriBaseId", "IMAGE");
	if (loc && line > 0 &&
	    json_object_set_new(loc, "region", json_pack("{sI}", "startLine", line)) < 0) {
		json_decref(loc);
		return NULL;
	}
	return loc;
}

static json_t *result_properties(const json_t *f)
{
	json_t *props = json_pack("{ss}", "severity", str_or(f, "severity", "medium"));
	const json_t *prov = json_object_get(f, "provisions");
	if (props && prov && json_object_set_new(props, "provisions", json_deep_copy(prov)) < 0)
		goto fail;
	if (props && it_report_str(f, "evidence") &&
	    json_object_set_new(props, "evidence", json_string(it_report_str(f, "evidence"))) < 0)
		goto fail;
	return props;
fail:
	json_decref(props);
	return NULL;
}

static json_t *result_json(const json_t *result, const json_t *f, const json_t *rule_index)
{
	const char *check = str_or(f, "check", "");
	json_t *idx = json_object_get(rule_index, check);
	json_t *r = json_pack("{ss}", "ruleId", check);
	if (!r || (idx && json_object_set(r, "ruleIndex", idx) < 0) ||
	    json_object_set_new(r, "level",
	                        json_string(severity(it_report_str(f, "severity"))->level)) ||
	    json_object_set_new(
	            r, "message",
	            json_pack("{ss}", "text", str_or(f, "message", str_or(f, "title", check)))) ||
	    json_object_set_new(
	            r, "locations",
	            json_pack("[{so s[{so ss}]}]", "physicalLocation", physical_location(result, f),
	                      "logicalLocations", "fullyQualifiedName",
	                      location_name(str_or(f, "chain", ""), str_or(f, "path", "")), "kind",
	                      "resource")) ||
	    json_object_set_new(r, "partialFingerprints", fingerprint(f)) ||
	    json_object_set_new(r, "properties", result_properties(f))) {
		json_decref(r);
		return NULL;
	}
	return r;
}

/* The rules (one per check) and check id -> rule index. */
static json_t *rules_json(const json_t *checks, json_t *rule_index)
{
	json_t *rules = json_array();
	size_t i;
	const json_t *c;
	json_array_foreach(checks, i, c)
	{
		const char *id = it_report_str(c, "id");
		if (!rules || json_array_append_new(rules, rule_json(c)) < 0 ||
		    (id && !json_object_get(rule_index, id) &&
		     json_object_set_new(rule_index, id, json_integer((json_int_t)i)) < 0)) {
			json_decref(rules);
			return NULL;
		}
	}
	return rules;
}

static json_t *results_json(const json_t *result, const json_t *rule_index)
{
	json_t *results = json_array();
	size_t i;
	const json_t *f;
	json_array_foreach(json_object_get(result, "findings"), i, f)
	{
		if (!results ||
		    json_array_append_new(results, result_json(result, f, rule_index)) < 0) {
			json_decref(results);
			return NULL;
		}
	}
	return results;
}

/* One invocation; unpack diagnostics become its warnings. */
static json_t *invocation_json(const json_t *result)
{
	json_t *notes = json_array();
	size_t i;
	const json_t *d;
	json_array_foreach(json_object_get(result, "diagnostics"), i, d)
	{
		if (notes && json_is_string(d) &&
		    json_array_append_new(notes,
		                          json_pack("{ss s{ss}}", "level", "warning", "message",
		                                    "text", json_string_value(d))) < 0) {
			json_decref(notes);
			return NULL;
		}
	}
	return json_pack("[{sb ss* so}]", "executionSuccessful", 1, "startTimeUtc",
	                 it_report_str(json_object_get(result, "image"), "scanned_at"),
	                 "toolExecutionNotifications", notes);
}

/* The scanned image as the run's analysis target, with its digest. */
static json_t *artifacts_json(const json_t *image)
{
	json_t *a = json_pack("{s{so} sI s[s]}", "location", "uri",
	                      artifact_uri(str_or(image, "name", ""), "", ""), "length",
	                      json_integer_value(json_object_get(image, "size")), "roles",
	                      "analysisTarget");
	const char *sha = it_report_str(image, "sha256");
	if (a && sha && json_object_set_new(a, "hashes", json_pack("{ss}", "sha-256", sha)) < 0) {
		json_decref(a);
		return NULL;
	}
	return a ? json_pack("[o]", a) : NULL;
}

static json_t *sarif_json(const json_t *result)
{
	const json_t *tool = json_object_get(result, "tool");
	json_t *rule_index = json_object();
	if (!rule_index)
		return NULL;
	json_t *rules = rules_json(json_object_get(result, "checks"), rule_index);
	json_t *run = json_pack(
	        "{s{s{ss ss* ss so}} so s{s{s{ss}}} so so}", "tool", "driver", "name", "iotrust",
	        "version", it_report_str(tool, "version"), "informationUri", TOOL_URL, "rules",
	        rules, "invocations", invocation_json(result), "originalUriBaseIds", "IMAGE",
	        "description", "text",
	        "The directory given to `iotrust scan --extract DIR`: one directory per container, "
	        "named after its chain.",
	        "artifacts", artifacts_json(json_object_get(result, "image")), "results",
	        results_json(result, rule_index));
	json_decref(rule_index);
	return run ? json_pack("{ss ss s[o]}", "$schema", SARIF_SCHEMA, "version", "2.1.0", "runs",
	                       run)
	           : NULL;
}

static int write_sarif(const json_t *result, struct it_buf *out, struct it_error *err)
{
	json_t *doc = sarif_json(result);
	int rc = it_report_dump(doc, 0, out, err);
	json_decref(doc);
	return rc;
}

const struct it_report_writer it_write_sarif = {
        "sarif", "SARIF 2.1.0 for code-scanning tools (one rule per check, one result per finding)",
        write_sarif};

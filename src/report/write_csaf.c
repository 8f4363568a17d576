/*
 * CSAF 2.0 VEX writer (profile "csaf_vex"). The firmware image is one product, each
 * component with a matched vulnerability another, and their "default_component_of"
 * relationship is the product every status names: known_affected (a version match),
 * fixed or known_not_affected (the maker's VEX decisions, with impact statements), or
 * under_investigation (a match that needs a platform the scan cannot see). Mapping
 * documented in docs/report-formats.md.
 */
#include <stdio.h>
#include <string.h>

#include "report/writer.h"

#define TOOL_URL "https://iotrust.dev"
#define FW_ID    "IOTRUST-FW"

/* The CSAF product status list of a match status. */
static const char *status_list(const char *status)
{
	if (!status || strcmp(status, "affected") == 0)
		return "known_affected";
	if (strcmp(status, "fixed") == 0)
		return "fixed";
	if (strcmp(status, "not_affected") == 0)
		return "known_not_affected";
	return "under_investigation"; /* under_investigation, needs_platform */
}

/* The CSAF flag label of a VEX justification (CycloneDX's words or CSAF's own), or NULL. */
static const char *flag_label(const char *justification)
{
	static const char *const map[][2] = {
	        {"code_not_present", "vulnerable_code_not_present"},
	        {"code_not_reachable", "vulnerable_code_not_in_execute_path"},
	        {"requires_configuration", "vulnerable_code_cannot_be_controlled_by_adversary"},
	        {"requires_environment", "vulnerable_code_cannot_be_controlled_by_adversary"},
	        {"requires_dependency", "component_not_present"},
	        {"protected_by_compiler", "inline_mitigations_already_exist"},
	        {"protected_at_runtime", "inline_mitigations_already_exist"},
	        {"protected_at_perimeter", "inline_mitigations_already_exist"},
	        {"protected_by_mitigating_control", "inline_mitigations_already_exist"},
	        {"component_not_present", "component_not_present"},
	        {"vulnerable_code_not_present", "vulnerable_code_not_present"},
	        {"vulnerable_code_not_in_execute_path", "vulnerable_code_not_in_execute_path"},
	        {"vulnerable_code_cannot_be_controlled_by_adversary",
	         "vulnerable_code_cannot_be_controlled_by_adversary"},
	        {"inline_mitigations_already_exist", "inline_mitigations_already_exist"},
	};
	for (size_t i = 0; justification && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(justification, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

static const char *cvss_severity(double score)
{
	if (score <= 0.0)
		return "NONE";
	if (score < 4.0)
		return "LOW";
	if (score < 7.0)
		return "MEDIUM";
	return score < 9.0 ? "HIGH" : "CRITICAL";
}

static int is_cve(const char *id)
{
	size_t n = strlen(id);
	return n >= 13 && strncmp(id, "CVE-", 4) == 0 && strspn(id + 4, "0123456789") == 4 &&
	       id[8] == '-' && strspn(id + 9, "0123456789") == n - 9;
}

/* "name version", or the name alone. */
static json_t *product_name(const json_t *c)
{
	const char *v = it_report_str(c, "version");
	return v ? json_sprintf("%s %s", it_report_str(c, "name"), v)
	         : json_string(it_report_str(c, "name"));
}

/* The file name of a piece of evidence: the path's last part, or for a payload (no path)
 * its container chain. */
static const char *file_name(const json_t *ev)
{
	const char *path = it_report_str(ev, "path"), *base = path ? strrchr(path, '/') : NULL;
	if (base && base[1])
		return base + 1;
	if (path && *path)
		return path;
	path = it_report_str(ev, "chain");
	return path && *path ? path : "unknown";
}

/* CPE, PURL and, for a component that is one file, its SHA-256: what lets a reader find
 * the product in its own inventory. NULL when the component has none. */
static json_t *helper_json(const json_t *c, const json_t *file_uses)
{
	json_t *h = json_object();
	const char *cpe = it_report_str(c, "cpe"), *purl = it_report_str(c, "purl");
	const char *sha = it_report_single_file_sha256(c, file_uses);
	if (cpe)
		json_object_set_new(h, "cpe", json_string(cpe));
	if (purl)
		json_object_set_new(h, "purl", json_string(purl));
	if (sha) {
		const json_t *ev = json_array_get(json_object_get(c, "evidence"), 0);
		json_object_set_new(h, "hashes",
		                    json_pack("[{s[{ssss}]ss}]", "file_hashes", "algorithm",
		                              "sha256", "value", sha, "filename", file_name(ev)));
	}
	if (json_object_size(h))
		return h;
	json_decref(h);
	return NULL;
}

/* The component's own product and its relationship to the firmware, appended. */
static int add_component(const json_t *c, size_t n, const json_t *uses, json_t *names, json_t *rels,
                         json_t *pids)
{
	char id[32], fw_id[48];
	snprintf(id, sizeof id, "IOTRUST-C%zu", n);
	snprintf(fw_id, sizeof fw_id, FW_ID ":C%zu", n);
	json_t *name = product_name(c), *helper = helper_json(c, uses);
	json_t *p = json_pack("{sO ss}", "name", name, "product_id", id);
	json_t *full = json_pack("{s:s+, s:s}", "name", json_string_value(name),
	                         " (component of the firmware)", "product_id", fw_id);
	int rc = -1;
	if (p && full && helper)
		rc = json_object_set(p, "product_identification_helper", helper) |
		     json_object_set(full, "product_identification_helper", helper);
	else if (p && full)
		rc = 0;
	if (rc == 0 &&
	    (json_array_append(names, p) < 0 ||
	     json_object_set_new(pids, it_report_str(c, "bom_ref"), json_string(fw_id)) < 0 ||
	     json_array_append_new(rels, json_pack("{ss ss ss sO}", "category",
	                                           "default_component_of", "product_reference", id,
	                                           "relates_to_product_reference", FW_ID,
	                                           "full_product_name", full)) < 0))
		rc = -1;
	json_decref(name);
	json_decref(helper);
	json_decref(p);
	json_decref(full);
	return rc;
}

/* The product tree: the firmware, the components that have matches (product ids
 * "IOTRUST-C<n>", n their place in components[]), and one relationship each whose product
 * "IOTRUST-FW:C<n>" is what the vulnerabilities name. pids maps bom_ref -> that id. */
static json_t *product_tree(const json_t *result, const json_t *used, json_t *pids)
{
	const json_t *image = json_object_get(result, "image"), *c;
	const json_t *components = json_object_get(result, "components");
	json_t *uses = it_report_file_uses(components);
	json_t *names =
	        json_pack("[{ss ss s{s[{s[{ssss}]ss}]}}]", "name", it_report_str(image, "name"),
	                  "product_id", FW_ID, "product_identification_helper", "hashes",
	                  "file_hashes", "algorithm", "sha256", "value",
	                  it_report_str(image, "sha256"), "filename", it_report_str(image, "name"));
	json_t *rels = json_array();
	size_t i;
	if (!uses || !names || !rels)
		goto fail;
	json_array_foreach(components, i, c)
	{
		if (json_object_get(used, it_report_str(c, "bom_ref")) &&
		    add_component(c, i + 1, uses, names, rels, pids) < 0)
			goto fail;
	}
	json_decref(uses);
	return json_pack("{so so}", "full_product_names", names, "relationships", rels);
fail:
	json_decref(uses);
	json_decref(names);
	json_decref(rels);
	return NULL;
}

/* --- vulnerabilities ------------------------------------------------------------------- */

/* What one vulnerability collects, list by list, while its matches are read. */
struct vuln {
	json_t *status;   /* list name -> [product ids] */
	json_t *remedies; /* remediations */
	json_t *flags, *threats, *why;
	json_t *scored; /* the products a score applies to: affected or maybe (CSAF 6.2.19) */
};

static void vuln_free(struct vuln *v)
{
	json_decref(v->status);
	json_decref(v->remedies);
	json_decref(v->flags);
	json_decref(v->threats);
	json_decref(v->scored);
	json_decref(v->why);
}

static const json_t *component_of(const json_t *result, const char *ref)
{
	const json_t *c;
	size_t i;
	json_array_foreach(json_object_get(result, "components"), i, c)
	{
		if (strcmp(it_report_str(c, "bom_ref"), ref) == 0)
			return c;
	}
	return NULL;
}

/* The remediation a product that is (or may be) affected needs (CSAF 6.1.27.10, 6.2.2). */
static json_t *remedy(const json_t *m, const char *list, const char *name, const char *pid)
{
	const char *fixed = it_report_str(m, "fixed");
	if (strcmp(list, "under_investigation") == 0)
		return json_pack("{ss s:s++ s[s]}", "category", "none_available", "details",
		                 "The match depends on a hardware platform the scan cannot see (",
		                 name,
		                 "): confirm whether the device has it and record the decision in "
		                 "your VEX.",
		                 "product_ids", pid);
	if (fixed)
		return json_pack("{ss s:s+++ s[s]}", "category", "vendor_fix", "details", "Update ",
		                 name, " to version ", fixed, "product_ids", pid);
	return json_pack("{ss s:s++ s[s]}", "category", "none_available", "details",
	                 "The vulnerability store records no fixed version for ", name,
	                 "; see the references for a patch or mitigation.", "product_ids", pid);
}

/* Why the product is not affected: a flag when the justification has a CSAF label, and
 * always an impact statement (CSAF 6.1.27.9). */
static int not_affected(struct vuln *v, const json_t *m, const char *pid)
{
	const json_t *vex = json_object_get(m, "vex");
	const char *just = it_report_str(vex, "justification"),
	           *detail = it_report_str(vex, "detail");
	const char *label = flag_label(just);
	if (label && json_array_append_new(v->flags, json_pack("{ss s[s]}", "label", label,
	                                                       "product_ids", pid)) < 0)
		return -1;
	json_t *t = json_pack("{ss s:s++ s[s]}", "category", "impact", "details",
	                      detail ? detail
	                             : "The maker's VEX states that the product is not "
	                               "affected",
	                      just && !detail ? ": " : "", just && !detail ? just : "",
	                      "product_ids", pid);
	return json_array_append_new(v->threats, t);
}

static int add_match(struct vuln *v, const json_t *result, const json_t *m, const char *pid)
{
	const json_t *c = component_of(result, it_report_str(m, "component"));
	json_t *name = c ? product_name(c) : json_string(it_report_str(m, "component"));
	const char *list = status_list(it_report_str(m, "status"));
	const json_t *how = json_object_get(m, "matched");
	json_t *ids = json_object_get(v->status, list);
	int rc = name ? 0 : -1;
	if (rc == 0 && !ids)
		rc = json_object_set_new(v->status, list, ids = json_array());
	if (rc == 0)
		rc = json_array_append_new(ids, json_string(pid));
	if (rc == 0 &&
	    (strcmp(list, "known_affected") == 0 || strcmp(list, "under_investigation") == 0))
		rc = json_array_append_new(v->remedies,
		                           remedy(m, list, json_string_value(name), pid)) |
		     json_array_append_new(v->scored, json_string(pid));
	if (rc == 0 && strcmp(list, "known_not_affected") == 0)
		rc = not_affected(v, m, pid);
	if (rc == 0)
		rc = json_array_append_new(
		        v->why,
		        json_sprintf("%s: %s %s, version %s in %s; decided by %s.",
		                     json_string_value(name),
		                     strcmp(it_report_str(how, "by"), "package") == 0 ? "package"
		                                                                      : "CPE",
		                     it_report_str(how, "criteria") ? it_report_str(how, "criteria")
		                                                    : "(no criteria)",
		                     it_report_str(how, "version") ? it_report_str(how, "version")
		                                                   : "(unknown)",
		                     it_report_str(how, "range") ? it_report_str(how, "range")
		                                                 : "the affected range",
		                     it_report_str(m, "decided_by")));
	json_decref(name);
	return rc;
}

/* Scores: the record's CVSS v3.x and v2 vectors, for every product of the vulnerability. */
static json_t *scores_json(const json_t *first, const json_t *products)
{
	json_t *score = json_pack("{sO}", "products", products);
	const json_t *cv;
	size_t i;
	json_array_foreach(json_object_get(first, "cvss"), i, cv)
	{
		const char *ver = it_report_str(cv, "version");
		double base = json_number_value(json_object_get(cv, "score"));
		int v2 = ver && strcmp(ver, "2.0") == 0;
		json_t *o = json_pack("{ss ss sf}", "version", ver, "vectorString",
		                      it_report_str(cv, "vector"), "baseScore", base);
		if (o && !v2)
			json_object_set_new(o, "baseSeverity", json_string(cvss_severity(base)));
		json_object_set_new(score, v2 ? "cvss_v2" : "cvss_v3", o);
	}
	return json_pack("[o]", score);
}

static json_t *kev_threat(const json_t *kev)
{
	const char *added = it_report_str(kev, "date_added"),
	           *action = it_report_str(kev, "action");
	json_t *t = json_pack("{ss s:s+++}", "category", "exploit_status", "details",
	                      "Known to be exploited in the wild: listed in the CISA KEV catalogue",
	                      added ? " since " : "", added ? added : "",
	                      action ? ". Required action: " : ".");
	if (t && action)
		json_object_set_new(t, "details",
		                    json_sprintf("%s%s", it_report_str(t, "details"), action));
	if (t && added && strlen(added) == 10)
		json_object_set_new(t, "date", json_sprintf("%sT00:00:00Z", added));
	return t;
}

/* One CSAF vulnerability from the matches of one id (all naming products in pids). */
static json_t *vulnerability_json(const json_t *result, const json_t *matches, const json_t *pids)
{
	const json_t *first = json_array_get(matches, 0), *m;
	const char *id = it_report_str(first, "id"), *summary = it_report_str(first, "summary");
	struct vuln v = {.status = json_object(),
	                 .remedies = json_array(),
	                 .flags = json_array(),
	                 .threats = json_array(),
	                 .why = json_array(),
	                 .scored = json_array()};
	json_t *out = NULL;
	size_t i;
	if (!v.status || !v.remedies || !v.flags || !v.threats || !v.why || !v.scored)
		goto done;
	json_array_foreach(matches, i, m)
	{
		if (add_match(&v, result, m, it_report_str(pids, it_report_str(m, "component"))) <
		    0)
			goto done;
	}
	out = is_cve(id) ? json_pack("{ss}", "cve", id)
	                 : json_pack("{s[{ss ss}]}", "ids", "system_name",
	                             it_report_str(first, "source") ? it_report_str(first, "source")
	                                                            : "iotrust",
	                             "text", id);
	struct it_buf why = IT_BUF_INIT;
	int bad = !out;
	for (i = 0; i < json_array_size(v.why); i++)
		bad |= it_buf_printf(&why, "%s%s", i ? "\n" : "",
		                     json_string_value(json_array_get(v.why, i))) < 0;
	json_t *notes = json_array();
	if (summary)
		bad |= json_array_append_new(notes,
		                             json_pack("{ss ss ss}", "category", "description",
		                                       "title", "Summary", "text", summary)) < 0;
	bad |= json_array_append_new(notes, json_pack("{ss ss ss}", "category", "details", "title",
	                                              "Why iotrust matched it", "text",
	                                              bad ? "" : it_buf_str(&why))) < 0;
	it_buf_free(&why);
	bad |= json_object_set_new(out, "notes", notes) < 0;
	bad |= json_object_set(out, "product_status", v.status) < 0;
	if (json_array_size(v.remedies))
		bad |= json_object_set(out, "remediations", v.remedies) < 0;
	if (json_array_size(v.flags))
		bad |= json_object_set(out, "flags", v.flags) < 0;
	const json_t *kev = json_object_get(first, "kev");
	if (kev)
		bad |= json_array_append_new(v.threats, kev_threat(kev)) < 0;
	if (json_array_size(v.threats))
		bad |= json_object_set(out, "threats", v.threats) < 0;
	if (json_array_size(json_object_get(first, "cvss")) && json_array_size(v.scored))
		bad |= json_object_set_new(out, "scores", scores_json(first, v.scored)) < 0;
	bad |= json_object_set_new(out, "references",
	                           is_cve(id)
	                                   ? json_pack("[{ss ss s:s+}]", "category", "external",
	                                               "summary", "NVD entry", "url",
	                                               "https://nvd.nist.gov/vuln/detail/", id)
	                                   : json_pack("[{ss ss s:s+}]", "category", "external",
	                                               "summary", "OSV entry", "url",
	                                               "https://osv.dev/vulnerability/", id)) < 0;
	if (bad) {
		json_decref(out);
		out = NULL;
	}
done:
	vuln_free(&v);
	return out;
}

/* Matches grouped by id, in the order the ids first occur, for components that exist;
 * used collects the components' bom_refs. */
static json_t *group_matches(const json_t *result, json_t *used)
{
	json_t *by_id = json_object(), *order = json_array();
	const json_t *m;
	size_t i;
	json_array_foreach(json_object_get(result, "vulnerabilities"), i, m)
	{
		const char *id = it_report_str(m, "id"), *ref = it_report_str(m, "component");
		if (!id || !ref || !component_of(result, ref))
			continue;
		json_t *list = json_object_get(by_id, id);
		if (!list && (json_object_set_new(by_id, id, list = json_array()) < 0 ||
		              json_array_append_new(order, json_string(id)) < 0))
			goto fail;
		if (json_array_append(list, (json_t *)m) < 0 ||
		    json_object_set_new(used, ref, json_true()) < 0)
			goto fail;
	}
	json_t *groups = json_array();
	json_array_foreach(order, i, m)
	{
		if (json_array_append(groups, json_object_get(by_id, json_string_value(m))) < 0) {
			json_decref(groups);
			goto fail;
		}
	}
	json_decref(by_id);
	json_decref(order);
	return groups;
fail:
	json_decref(by_id);
	json_decref(order);
	return NULL;
}

static json_t *document_json(const json_t *result, size_t n_vulns)
{
	const json_t *image = json_object_get(result, "image"),
	             *tool = json_object_get(result, "tool");
	const char *name = it_report_str(image, "name"), *sha = it_report_str(image, "sha256");
	const char *at = it_report_str(image, "scanned_at"),
	           *version = it_report_str(tool, "version");
	char id[40];
	snprintf(id, sizeof id, "iotrust-vex-%.16s", sha);
	struct it_buf note = IT_BUF_INIT;
	if (it_buf_printf(&note,
	                  "Generated by iotrust %s from a scan of the firmware image %s (SHA-256 "
	                  "%s). known_affected means a component's version lies in a record's "
	                  "affected range; fixed and known_not_affected come from the maker's "
	                  "own VEX decisions; under_investigation marks a match that depends on "
	                  "a hardware platform the scan cannot see. %zu vulnerabilities.",
	                  version, name, sha, n_vulns) < 0)
		return NULL;
	json_t *doc = json_pack(
	        "{s{ss ss ss s{ss s{ss}} s[{ss ss ss}] s{ss ss ss} s:s+ "
	        "s{ss ss ss ss s[{ss ss ss}] ss s{ss s{ss ss}}}}}",
	        "document", "category", "csaf_vex", "csaf_version", "2.0", "lang", "en",
	        "distribution", "text",
	        "Output of an automated scan: review it before you share it.", "tlp", "label",
	        "AMBER", "notes", "category", "general", "title", "How this document was made",
	        "text", it_buf_str(&note), "publisher", "category", "other", "name",
	        "iotrust (automated firmware scan)", "namespace", TOOL_URL, "title",
	        "Vulnerabilities of the firmware image ", name, "tracking", "id", id, "status",
	        "interim", "version", "1", "initial_release_date", at, "revision_history", "number",
	        "1", "date", at, "summary", "Generated from an automated scan.",
	        "current_release_date", at, "generator", "date", at, "engine", "name", "iotrust",
	        "version", version);
	it_buf_free(&note);
	return doc;
}

/* An assessment names the product (`iotrust assess --format csaf`): the maker publishes,
 * and the firmware is its product, with its model and version. */
static void apply_product(json_t *doc, const json_t *result)
{
	const json_t *p = json_object_get(result, "product");
	const char *vendor = it_report_str(p, "vendor");
	if (!vendor)
		return;
	const char *url = it_report_str(json_object_get(result, "disclosure"), "policy_url");
	int web = url && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0);
	json_t *d = json_object_get(doc, "document");
	json_t *name = json_sprintf("%s %s%s%s firmware %s", vendor,
	                            it_report_str(p, "product") ? it_report_str(p, "product") : "",
	                            it_report_str(p, "model") ? " " : "",
	                            it_report_str(p, "model") ? it_report_str(p, "model") : "",
	                            it_report_str(p, "firmware_version")
	                                    ? it_report_str(p, "firmware_version")
	                                    : "(version not stated)");
	json_object_set_new(d, "publisher",
	                    json_pack("{ss ss ss}", "category", "vendor", "name", vendor,
	                              "namespace", web ? url : TOOL_URL));
	json_object_set_new(d, "title",
	                    json_sprintf("Vulnerabilities of %s", json_string_value(name)));
	json_t *fw = json_array_get(
	        json_object_get(json_object_get(doc, "product_tree"), "full_product_names"), 0);
	json_object_set(fw, "name", name);
	json_decref(name);
}

static int write_csaf(const json_t *result, struct it_buf *out, struct it_error *err)
{
	const char *why = it_report_malformed(result);
	if (why)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "csaf: malformed scan result: %s", why);
	json_t *used = json_object(), *pids = json_object(), *groups = NULL, *doc = NULL;
	json_t *vulns = json_array();
	const json_t *g;
	size_t i;
	int rc = -1;
	if (!used || !pids || !vulns || !(groups = group_matches(result, used)))
		goto done;
	if (json_array_size(groups) == 0) {
		rc = it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
		                  "csaf: the scan matched no known vulnerabilities, and a CSAF VEX "
		                  "document needs at least one (use --format cyclonedx for an SBOM "
		                  "without)");
		goto free;
	}
	if (!(doc = document_json(result, json_array_size(groups))) ||
	    json_object_set_new(doc, "product_tree", product_tree(result, used, pids)) < 0)
		goto done;
	json_array_foreach(groups, i, g)
	{
		if (json_array_append_new(vulns, vulnerability_json(result, g, pids)) < 0)
			goto done;
	}
	if (json_object_set(doc, "vulnerabilities", vulns) == 0) {
		apply_product(doc, result);
		rc = 0;
	}
done:
	/* sorted keys: CSAF 6.2.13 */
	rc = rc == 0 ? it_report_dump(doc, JSON_REAL_PRECISION(4) | JSON_SORT_KEYS, out, err)
	             : it_error_nomem(err);
free:
	json_decref(doc);
	json_decref(vulns);
	json_decref(groups);
	json_decref(pids);
	json_decref(used);
	return rc;
}

const struct it_report_writer it_write_csaf = {
        "csaf",
        "CSAF 2.0 VEX (profile csaf_vex) of the known vulnerabilities: product status per "
        "firmware component, remediations, the maker's VEX decisions",
        write_csaf};

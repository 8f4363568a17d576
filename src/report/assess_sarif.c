/*
 * SARIF 2.1.0 of an assessment, for CI code-scanning UIs: the scan's own run (one result
 * per finding, as `iotrust scan --format sarif` writes it) and a second run, "iotrust
 * assess", with one rule per provision that is not met and one result each: error for a
 * required provision that fails, warning for a recommended one, note for a required
 * provision still open. Mapping in docs/assess.md.
 */
#include <string.h>

#include "iotrust/assess.h"
#include "iotrust/assess_report.h"
#include "iotrust/report.h"
#include "report/writer.h"

#define TOOL_URL "https://iotrust.dev"

static const char *level_of(const json_t *v)
{
	const char *vd = it_report_str(v, "verdict");
	int required = json_is_true(json_object_get(v, "required"));
	if (strcmp(vd, IT_VERDICT_FAIL) == 0)
		return required ? "error" : "warning";
	if (strcmp(vd, IT_VERDICT_INCONCLUSIVE) == 0 && required)
		return "note";
	return NULL;
}

/* "reason; reason; ..." */
static json_t *message_of(const json_t *v)
{
	struct it_buf b = IT_BUF_INIT;
	const json_t *r;
	size_t i;
	it_buf_printf(&b, "%s (%s): %s: ", it_report_str(v, "id"), it_report_str(v, "title"),
	              it_report_str(v, "verdict"));
	json_array_foreach(json_object_get(v, "reasons"), i, r)
	{
		it_buf_printf(&b, "%s%s", i ? "; " : "", json_string_value(r));
	}
	json_t *s = json_string(it_buf_str(&b));
	it_buf_free(&b);
	return s;
}

static json_t *rule_of(const json_t *v)
{
	json_t *tags = json_pack("[s s]", "compliance", it_report_str(v, "standard"));
	json_t *r = json_pack(
	        "{ss s{ss} s{so} so}", "id", it_report_str(v, "id"), "shortDescription", "text",
	        it_report_str(v, "title"), "fullDescription", "text",
	        json_sprintf("%s: a provision of %s (level %s)", it_report_str(v, "title"),
	                     it_report_str(v, "standard"), it_report_str(v, "level")),
	        "properties",
	        json_pack("{so ss ss}", "tags", tags, "standard", it_report_str(v, "standard"),
	                  "level", it_report_str(v, "level")));
	if (r && it_report_str(v, "question"))
		json_object_set_new(r, "help",
		                    json_pack("{ss}", "text", it_report_str(v, "question")));
	return r;
}

/* The assessment's run: rules and results for the provisions not met. */
static json_t *provisions_run(const json_t *a)
{
	json_t *rules = json_array(), *results = json_array();
	const json_t *v;
	size_t i;
	json_array_foreach(json_object_get(a, "provisions"), i, v)
	{
		const char *level = level_of(v);
		if (!level)
			continue;
		json_int_t idx = (json_int_t)json_array_size(rules);
		json_array_append_new(rules, rule_of(v));
		json_array_append_new(results, json_pack("{ss sI ss s{so} s{ss ss sO}}", "ruleId",
		                                         it_report_str(v, "id"), "ruleIndex", idx,
		                                         "level", level, "message", "text",
		                                         message_of(v), "properties", "verdict",
		                                         it_report_str(v, "verdict"), "standard",
		                                         it_report_str(v, "standard"), "checks",
		                                         json_object_get(v, "checks")));
	}
	const json_t *tool = json_object_get(a, "tool");
	return json_pack("{s{s{ss ss* ss so}} so s[{sb ss*}]}", "tool", "driver", "name",
	                 "iotrust assess", "version", it_report_str(tool, "version"),
	                 "informationUri", TOOL_URL, "rules", rules, "results", results,
	                 "invocations", "executionSuccessful", 1, "startTimeUtc",
	                 it_report_str(a, "assessed_at"));
}

int it_assess_sarif(const json_t *assessment, const json_t *scan, struct it_buf *out,
                    struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	json_t *doc = NULL;
	int rc = scan ? it_report_write(scan, "sarif", &b, err) : 0;
	if (rc == 0 && scan)
		doc = json_loadb((const char *)b.data, b.len, 0, NULL);
	else if (rc == 0)
		doc = json_pack(
		        "{ss ss s[]}", "$schema",
		        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
		        "sarif-schema-2.1.0.json",
		        "version", "2.1.0", "runs");
	it_buf_free(&b);
	if (rc < 0)
		return -1;
	json_t *run = provisions_run(assessment);
	if (!doc || !run || json_array_append_new(json_object_get(doc, "runs"), run) < 0) {
		json_decref(doc);
		return it_error_nomem(err);
	}
	rc = it_report_dump(doc, 0, out, err);
	json_decref(doc);
	return rc;
}

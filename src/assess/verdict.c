/*
 * Verdicts per provision (include/iotrust/assess.h, docs/assess.md): applicability from
 * the product's facts, automated evidence from the scan (findings of the checks the
 * catalogue names for the item, known vulnerabilities, the SBOM), the maker's declaration
 * where no automated evidence decides; and the per-standard summary.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/assess.h"

static int sev_rank(const char *s)
{
	static const char *const order[] = {"info", "low", "medium", "high", "critical"};
	for (int i = 0; s && i < 5; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return -1;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int in_list(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	}
	return 0;
}

/* Does the item's condition hold? 1 yes, 0 no, -1 not known; why says which key. */
static int condition_holds(const struct it_cat_condition *c, const json_t *facts, const char **why)
{
	int known = 1;
	for (size_t i = 0; i <= c->n_all_of; i++) {
		const char *key = i == 0 ? c->id : c->all_of[i - 1];
		const json_t *f = json_object_get(facts, key);
		if (json_is_false(f)) {
			*why = key;
			return 0;
		}
		if (!json_is_true(f) && known) {
			known = 0;
			*why = key;
		}
	}
	return known ? 1 : -1;
}

struct item_eval {
	json_t *o, *reasons, *checks, *findings, *vulns;
	int failing, evidence; /* failing automated evidence; automated evidence at all */
};

static int reason(struct item_eval *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reason(struct item_eval *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *s = json_vsprintf(fmt, ap);
	va_end(ap);
	return json_array_append_new(e->reasons, s);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Findings of the item's evidence checks. */
static int add_findings(struct item_eval *e, const struct it_assess_input *in,
                        const struct it_cat_item *item, struct it_error *err)
{
	const struct it_cat_check **checks = NULL;
	size_t n = 0, i;
	if (it_catalogue_evidence(in->cat, item, &checks, &n, err) < 0)
		return -1;
	int fail_at = sev_rank(in->fail_at) < 1 ? 1 : sev_rank(in->fail_at), rc = 0;
	const json_t *f;
	for (size_t k = 0; rc == 0 && k < n; k++)
		rc = json_array_append_new(e->checks, json_string(checks[k]->id));
	json_array_foreach(json_object_get(in->scan, "findings"), i, f)
	{
		const char *check = str(f, "check");
		if (rc < 0 || !check || !in_list(e->checks, check))
			continue;
		int failing = sev_rank(str(f, "severity")) >= fail_at;
		e->failing |= failing;
		rc = json_array_append_new(
		        e->findings, json_pack("{ss ss* ss* ss* sb}", "check", check, "severity",
		                               str(f, "severity"), "path", str(f, "path"),
		                               "message", str(f, "message"), "fails", failing));
	}
	e->evidence |= n > 0;
	free(checks);
	return rc < 0 ? it_error_nomem(err) : 0;
}

/* Known vulnerabilities, for the items evidence.json names: an affected component with a
 * known-exploited or at-least-fail_at vulnerability fails the item. */
static int add_vulns(struct item_eval *e, const struct it_assess_input *in, const char *gid,
                     struct it_error *err)
{
	const json_t *ev = json_object_get(in->evidence, "known_vulnerabilities"), *v;
	size_t i;
	if (!in_list(json_object_get(ev, "provisions"), gid))
		return 0;
	int fail_at = sev_rank(in->fail_at) < 1 ? 1 : sev_rank(in->fail_at), rc = 0;
	e->evidence = 1;
	json_array_foreach(json_object_get(in->scan, "vulnerabilities"), i, v)
	{
		const char *st = str(v, "status");
		if (!st || strcmp(st, "affected") != 0)
			continue;
		int kev = json_object_get(v, "kev") != NULL;
		int failing = kev || sev_rank(str(v, "severity")) >= fail_at;
		e->failing |= failing;
		rc |= json_array_append_new(
		        e->vulns, json_pack("{ss ss* ss* sb sb}", "id", str(v, "id"), "component",
		                            str(v, "component"), "severity", str(v, "severity"),
		                            "kev", kev, "fails", failing));
	}
	return rc < 0 ? it_error_nomem(err) : 0;
}

/* The SBOM: for the items evidence.json names, an inventory with components is evidence. */
static int add_sbom(struct item_eval *e, const struct it_assess_input *in, const char *gid)
{
	const json_t *ev = json_object_get(in->evidence, "sbom");
	if (!in_list(json_object_get(ev, "provisions"), gid))
		return 0;
	size_t n = json_array_size(json_object_get(in->scan, "components"));
	e->evidence |= n > 0;
	return n ? reason(e, "the scan inventoried the firmware's %zu components (SBOM)", n) : 0;
}

static const char *decide(struct item_eval *e, const struct it_cat_item *item, int applies,
                          const json_t *decl)
{
	const char *st = str(decl, "status");
	int implemented = st && strcmp(st, "implemented") == 0;
	if (!applies)
		return IT_VERDICT_NOT_APPLICABLE;
	if (e->failing) {
		reason(e, "automated evidence fails it (%s)",
		       json_array_size(e->findings) ? "findings" : "known vulnerabilities");
		if (implemented)
			reason(e, "the maker declares it implemented, but an automated FAIL "
			          "outranks a declaration");
		return IT_VERDICT_FAIL;
	}
	if (st && strcmp(st, "not-implemented") == 0) {
		reason(e, "the maker declares it not implemented: %s",
		       or_empty(str(decl, "justification")));
		return IT_VERDICT_FAIL;
	}
	if (st && strcmp(st, "not-applicable") == 0) {
		reason(e, "the maker declares it not applicable: %s",
		       or_empty(str(decl, "justification")));
		return IT_VERDICT_NOT_APPLICABLE;
	}
	if (e->evidence) {
		if (json_array_size(e->checks))
			reason(e, "no failing finding of the %zu checks that give evidence for it",
			       json_array_size(e->checks));
		if (implemented)
			reason(e, "and the maker declares it implemented");
		return IT_VERDICT_PASS;
	}
	if (implemented) {
		reason(e, "met by declaration only: %s", or_empty(str(decl, "justification")));
		return IT_VERDICT_DECLARED;
	}
	reason(e, "no check decides it and nothing is declared; ask: %s", or_empty(item->question));
	return IT_VERDICT_INCONCLUSIVE;
}

/* An item of another standard with no answer of its own takes the maker's answers for the
 * ETSI provisions it maps to directly (the catalogue's evidence rule): "not-implemented"
 * when any of them says so, else "implemented" when one does; "via" names the provision.
 * NULL when none of them is answered. */
static json_t *linked_declaration(const struct it_assess_input *in, const struct it_cat_item *item)
{
	const json_t *pick = NULL;
	const char *pick_id = NULL;
	if (strcmp(item->standard, IT_CATALOGUE_CHECK_STANDARD) == 0)
		return NULL;
	for (size_t i = 0; i < item->n_links; i++) {
		const struct it_cat_item *l = item->links[i];
		const json_t *d = json_object_get(in->declarations, l->gid);
		const char *st = str(d, "status");
		if (strcmp(l->standard, IT_CATALOGUE_CHECK_STANDARD) != 0 || !st)
			continue;
		if (strcmp(st, "not-implemented") == 0 ||
		    (!pick && strcmp(st, "implemented") == 0)) {
			pick = d;
			pick_id = l->gid;
			if (strcmp(st, "not-implemented") == 0)
				break;
		}
	}
	if (!pick)
		return NULL;
	json_t *copy = json_deep_copy(pick);
	if (copy)
		json_object_set_new(copy, "via", json_string(pick_id));
	return copy;
}

static json_t *item_verdict(const struct it_assess_input *in, const struct it_cat_item *item,
                            struct it_error *err)
{
	struct item_eval e = {.reasons = json_array(),
	                      .checks = json_array(),
	                      .findings = json_array(),
	                      .vulns = json_array()};
	int applies = 1;
	json_t *via = NULL;
	if (!e.reasons || !e.checks || !e.findings || !e.vulns)
		goto oom;
	if (item->condition) {
		const char *key = NULL;
		int holds = condition_holds(item->condition, in->facts, &key);
		applies = holds != 0;
		if (holds == 0)
			reason(&e, "its condition does not hold for this product (%s): %s", key,
			       or_empty(item->condition->text));
		else if (holds < 0)
			reason(&e,
			       "its condition is not known from the profile (%s): assumed to hold",
			       key);
	}
	if (add_findings(&e, in, item, err) < 0 || add_vulns(&e, in, item->gid, err) < 0 ||
	    add_sbom(&e, in, item->gid) < 0)
		goto fail;
	const json_t *decl = json_object_get(in->declarations, item->gid);
	if (!decl && !e.evidence && (decl = via = linked_declaration(in, item)) != NULL)
		reason(&e, "the maker's answer for %s counts for it: %s", or_empty(str(via, "via")),
		       or_empty(str(via, "status")));
	int required = applies &&
	               (it_cat_level_is_mandatory(item->level) || in_list(in->required, item->gid));
	const char *verdict = decide(&e, item, applies, decl);
	e.o = json_pack("{ss ss ss ss sb sb ss sO sO sO sO}", "id", item->gid, "standard",
	                item->standard, "title", item->title, "level",
	                it_cat_level_name(item->level), "applies", applies, "required", required,
	                "verdict", verdict, "reasons", e.reasons, "checks", e.checks, "findings",
	                e.findings, "vulnerabilities", e.vulns);
	if (!e.o)
		goto oom;
	if (decl && json_object_set(e.o, "declaration", (json_t *)decl) < 0)
		goto oom;
	json_decref(via);
	via = NULL;
	if (item->question && json_object_set_new(e.o, "question", json_string(item->question)) < 0)
		goto oom;
	json_decref(e.reasons);
	json_decref(e.checks);
	json_decref(e.findings);
	json_decref(e.vulns);
	return e.o;
oom:
	it_error_nomem(err);
fail:
	json_decref(via);
	json_decref(e.o);
	json_decref(e.reasons);
	json_decref(e.checks);
	json_decref(e.findings);
	json_decref(e.vulns);
	return NULL;
}

int it_assess_verdicts(const struct it_assess_input *in, json_t **out, struct it_error *err)
{
	json_t *arr = json_array();
	*out = NULL;
	if (!arr)
		return it_error_nomem(err);
	for (size_t i = 0; i < it_catalogue_count(in->cat); i++) {
		json_t *v = item_verdict(in, it_catalogue_item(in->cat, i), err);
		if (!v || json_array_append_new(arr, v) < 0) {
			json_decref(arr);
			return v ? it_error_nomem(err) : -1;
		}
	}
	*out = arr;
	return 0;
}

int it_assess_standards(const struct it_catalogue *cat, const json_t *verdicts, json_t **out,
                        struct it_error *err)
{
	static const char *const names[] = {IT_VERDICT_PASS, IT_VERDICT_FAIL,
	                                    IT_VERDICT_NOT_APPLICABLE, IT_VERDICT_DECLARED,
	                                    IT_VERDICT_INCONCLUSIVE};
	json_t *arr = json_array();
	*out = NULL;
	for (size_t s = 0; arr && s < it_catalogue_standard_count(cat); s++) {
		const struct it_cat_standard *std = it_catalogue_standard(cat, s);
		size_t counts[5] = {0}, req_fail = 0, req_inc = 0, opt_open = 0, i;
		const json_t *v;
		json_array_foreach(verdicts, i, v)
		{
			const char *sid = str(v, "standard"), *vd = str(v, "verdict");
			if (!sid || !vd || strcmp(sid, std->id) != 0)
				continue;
			int required = json_is_true(json_object_get(v, "required"));
			for (size_t k = 0; k < 5; k++)
				counts[k] += strcmp(vd, names[k]) == 0;
			int bad = strcmp(vd, IT_VERDICT_FAIL) == 0,
			    open = strcmp(vd, IT_VERDICT_INCONCLUSIVE) == 0;
			req_fail += required && bad;
			req_inc += required && open;
			opt_open += !required && (bad || open);
		}
		int met = req_fail == 0 && req_inc == 0;
		json_t *c = json_object();
		for (size_t k = 0; c && k < 5; k++)
			json_object_set_new(c, names[k], json_integer((json_int_t)counts[k]));
		json_t *o = json_pack("{ss ss sb ss so sI sI}", "id", std->id, "title", std->title,
		                      "met", met, "level_met",
		                      !met       ? "none"
		                      : opt_open ? "mandatory"
		                                 : "mandatory+recommended",
		                      "counts", c, "required_failed", (json_int_t)req_fail,
		                      "required_inconclusive", (json_int_t)req_inc);
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return it_error_nomem(err);
		}
	}
	if (!arr)
		return it_error_nomem(err);
	*out = arr;
	return 0;
}

int it_assess_evidence_load(const char *file, const char *text, size_t len,
                            const struct it_catalogue *cat, json_t **out, struct it_error *err)
{
	static const char *const lists[] = {"known_vulnerabilities", "sbom"};
	json_error_t je;
	json_t *doc = json_loadb(text, len, 0, &je);
	*out = NULL;
	if (!doc)
		return it_error_set_line(err, IT_ERR_INPUT, file, (unsigned long)je.line,
		                         (unsigned long)je.column, "%s", je.text);
	for (size_t l = 0; l < 2; l++) {
		const json_t *ids = json_object_get(json_object_get(doc, lists[l]), "provisions"),
		             *id;
		size_t i;
		if (!json_is_array(ids)) {
			json_decref(doc);
			return it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
			                    "%s.provisions: expected a list of provision ids",
			                    lists[l]);
		}
		json_array_foreach(ids, i, id)
		{
			if (!json_is_string(id) || !it_catalogue_find(cat, json_string_value(id))) {
				json_decref(doc);
				return it_error_set(err, IT_ERR_INPUT, file, IT_NO_OFFSET,
				                    "%s.provisions[%zu]: %s is no catalogue item",
				                    lists[l], i,
				                    json_is_string(id) ? json_string_value(id)
				                                       : "(not a string)");
			}
		}
	}
	*out = doc;
	return 0;
}

/*
 * Risk tiering as data (data/risk/tiers.yaml, docs/assess.md "Risk tier"): the rules file is
 * read with the strict YAML reader and checked (every value where it should be, provision ids
 * that exist, errors at file:line:column), then applied to a product's facts: the tier and
 * why, its failing threshold and promoted provisions, and the EU CRA class.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "assess/yaml.h"
#include "iotrust/assess.h"

static const char *const tiers[] = {"basic", "substantial", "high"};
static const char *const classes[] = {"default", "important-I", "important-II", "critical"};
static const char *const severities[] = {"low", "medium", "high", "critical"};

static int one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return (int)i;
	return -1;
}

struct rctx {
	const char *file;
	const struct it_catalogue *cat;
	struct it_error *err;
};

static int bad(struct rctx *c, const struct it_ynode *n, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int bad(struct rctx *c, const struct it_ynode *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return it_error_set_line(c->err, IT_ERR_INPUT, c->file, n ? n->line : 0, n ? n->column : 0,
	                         "%s", msg);
}

static const char *scalar(const struct it_ynode *n)
{
	return n && n->kind == IT_YNODE_SCALAR ? n->text : NULL;
}

/* A fact's expected value: a plain true/false is a boolean, anything else a string. */
static json_t *fact_value(const struct it_ynode *n)
{
	if (n->plain && (strcmp(n->text, "true") == 0 || strcmp(n->text, "false") == 0))
		return json_boolean(strcmp(n->text, "true") == 0);
	return json_string(n->text);
}

/* "when": a mapping of fact -> value or list of values. */
static json_t *when_of(struct rctx *c, const struct it_ynode *w, const char *where)
{
	if (!w || w->kind != IT_YNODE_MAP || w->n == 0) {
		bad(c, w, "%s.when: expected a mapping of fact: value", where);
		return NULL;
	}
	json_t *o = json_object();
	for (size_t i = 0; o && i + 1 < w->n; i += 2) {
		const struct it_ynode *k = w->kids[i], *v = w->kids[i + 1];
		json_t *val = NULL;
		if (v->kind == IT_YNODE_SCALAR) {
			val = fact_value(v);
		} else if (v->kind == IT_YNODE_SEQ && v->n > 0) {
			val = json_array();
			for (size_t j = 0; val && j < v->n; j++) {
				if (v->kids[j]->kind != IT_YNODE_SCALAR) {
					json_decref(val);
					json_decref(o);
					bad(c, v->kids[j], "%s.when.%s: expected a list of values",
					    where, k->text);
					return NULL;
				}
				json_array_append_new(val, fact_value(v->kids[j]));
			}
		} else {
			json_decref(o);
			bad(c, v, "%s.when.%s: expected a value or a non-empty list of values",
			    where, k->text);
			return NULL;
		}
		json_object_set_new(o, k->text, val);
	}
	return o;
}

static int load_tiers(struct rctx *c, const struct it_ynode *t, json_t *out)
{
	if (!t || t->kind != IT_YNODE_MAP)
		return bad(c, t, "tiers: expected a mapping of basic, substantial and high");
	for (size_t i = 0; i < 3; i++) {
		const struct it_ynode *tier = it_ynode_get(t, tiers[i]);
		if (!tier || tier->kind != IT_YNODE_MAP)
			return bad(c, tier ? tier : t, "tiers.%s: expected a mapping", tiers[i]);
		const char *fail_at = scalar(it_ynode_get(tier, "fail_at"));
		if (one_of(fail_at, severities, 4) < 0)
			return bad(c, tier,
			           "tiers.%s.fail_at: expected low, medium, high or critical",
			           tiers[i]);
		const struct it_ynode *req = it_ynode_get(tier, "required");
		json_t *ids = json_array();
		for (size_t j = 0; req && req->kind == IT_YNODE_SEQ && j < req->n; j++) {
			const char *id = scalar(req->kids[j]);
			if (!id || !it_catalogue_find(c->cat, id)) {
				json_decref(ids);
				return bad(c, req->kids[j],
				           "tiers.%s.required[%zu]: \"%s\" is no catalogue item",
				           tiers[i], j, id ? id : "(not a scalar)");
			}
			json_array_append_new(ids, json_string(id));
		}
		if (req && req->kind != IT_YNODE_SEQ && !it_ynode_is_null(req)) {
			json_decref(ids);
			return bad(c, req, "tiers.%s.required: expected a list of provision ids",
			           tiers[i]);
		}
		json_object_set_new(out, tiers[i],
		                    json_pack("{ss so}", "fail_at", fail_at, "required", ids));
	}
	return 0;
}

static int load_rules(struct rctx *c, const struct it_ynode *list, const char *key,
                      const char *const *set, size_t n_set, json_t *out)
{
	if (!list)
		return 0;
	if (list->kind != IT_YNODE_SEQ)
		return bad(c, list, "%s: expected a list of rules", key);
	for (size_t i = 0; i < list->n; i++) {
		const struct it_ynode *r = list->kids[i];
		char where[64];
		snprintf(where, sizeof(where), "%s[%zu]", key, i);
		const char *what = scalar(it_ynode_get(r, set == tiers ? "tier" : "class"));
		const char *because = scalar(it_ynode_get(r, "because"));
		if (r->kind != IT_YNODE_MAP || one_of(what, set, n_set) < 0)
			return bad(c, r, "%s.%s: expected one of %s", where,
			           set == tiers ? "tier" : "class",
			           set == tiers ? "basic, substantial, high"
			                        : "default, important-I, important-II, critical");
		if (!because || !*because)
			return bad(c, r, "%s.because: a reason is required", where);
		json_t *when = when_of(c, it_ynode_get(r, "when"), where);
		if (!when)
			return -1;
		json_array_append_new(out, json_pack("{ss so ss}", set == tiers ? "tier" : "class",
		                                     what, "when", when, "because", because));
	}
	return 0;
}

int it_risk_load(const char *file, const char *text, size_t len, const struct it_catalogue *cat,
                 json_t **out, struct it_error *err)
{
	struct it_ynode *root = NULL;
	struct rctx c = {file, cat, err};
	*out = NULL;
	if (it_yaml_parse(file, text, len, NULL, &root, err) < 0)
		return -1;
	json_t *rules = json_pack("{s{} s[] s[]}", "tiers", "rules", "cra_class");
	int rc = rules ? 0 : it_error_nomem(err);
	if (rc == 0 && (!root || root->kind != IT_YNODE_MAP))
		rc = bad(&c, root, "expected a mapping with tiers, rules and cra_class");
	for (size_t i = 0; rc == 0 && i + 1 < root->n; i += 2) {
		const char *k = root->kids[i]->text;
		if (strcmp(k, "tiers") && strcmp(k, "rules") && strcmp(k, "cra_class"))
			rc = bad(&c, root->kids[i], "unknown key \"%s\" (tiers, rules, cra_class)",
			         k);
	}
	if (rc == 0)
		rc = load_tiers(&c, it_ynode_get(root, "tiers"), json_object_get(rules, "tiers"));
	if (rc == 0)
		rc = load_rules(&c, it_ynode_get(root, "rules"), "rules", tiers, 3,
		                json_object_get(rules, "rules"));
	if (rc == 0)
		rc = load_rules(&c, it_ynode_get(root, "cra_class"), "cra_class", classes, 4,
		                json_object_get(rules, "cra_class"));
	it_ynode_free(root);
	if (rc < 0) {
		json_decref(rules);
		return -1;
	}
	*out = rules;
	return 0;
}

/* Does the fact have the value (or one of the values) the rule asks for? */
static int fact_matches(const json_t *fact, const json_t *want)
{
	if (!fact)
		return 0;
	if (json_is_array(want)) {
		size_t i;
		const json_t *w;
		json_array_foreach(want, i, w)
		{
			if (json_equal(fact, w))
				return 1;
		}
		return 0;
	}
	return json_equal(fact, want);
}

static int rule_holds(const json_t *rule, const json_t *facts)
{
	const char *k;
	const json_t *want;
	json_object_foreach((json_t *)json_object_get(rule, "when"), k, want)
	{
		if (!fact_matches(json_object_get(facts, k), want))
			return 0;
	}
	return 1;
}

int it_risk_tier(const json_t *rules, const json_t *facts, json_t **out, struct it_error *err)
{
	int level = 0;
	json_t *reasons = json_array();
	const char *cra = "default", *cra_why = NULL;
	size_t i;
	const json_t *r;
	*out = NULL;
	if (!reasons)
		return it_error_nomem(err);
	json_array_foreach(json_object_get(rules, "rules"), i, r)
	{
		if (!rule_holds(r, facts))
			continue;
		int t = one_of(json_string_value(json_object_get(r, "tier")), tiers, 3);
		level = t > level ? t : level;
		json_array_append_new(reasons,
		                      json_pack("{sO sO}", "tier", json_object_get(r, "tier"),
		                                "because", json_object_get(r, "because")));
	}
	const json_t *markets = json_object_get(facts, "markets-eu");
	json_array_foreach(json_object_get(rules, "cra_class"), i, r)
	{
		if (!json_is_false(markets) && rule_holds(r, facts)) {
			cra = json_string_value(json_object_get(r, "class"));
			cra_why = json_string_value(json_object_get(r, "because"));
			break;
		}
	}
	const json_t *tier = json_object_get(json_object_get(rules, "tiers"), tiers[level]);
	*out = json_pack("{ss so ss ss* sO sO}", "level", tiers[level], "reasons", reasons,
	                 "cra_class", cra, "cra_because", cra_why, "fail_at",
	                 json_object_get(tier, "fail_at"), "required",
	                 json_object_get(tier, "required"));
	return *out ? 0 : it_error_nomem(err);
}

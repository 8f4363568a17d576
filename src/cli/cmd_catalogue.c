/*
 * `iotrust catalogue`: browse the provisions catalogue (data/catalogue/<standard>.json): the
 * standards, their items by standard and level, one item in full, and everything an item maps to
 * across standards with the checks that give evidence. The catalogue itself is src/catalogue.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "iotrust/catalogue.h"

static const char catalogue_help[] =
        "Usage: iotrust catalogue standards [--json]\n"
        "       iotrust catalogue list [--standard S] [--level M|R|C] [--json]\n"
        "       iotrust catalogue show ID [--json]\n"
        "       iotrust catalogue map ID [--depth N] [--json]\n"
        "\n"
        "Browse the provisions catalogue: ETSI EN 303 645 (V2.1.1 and V3.1.x), UK PSTI,\n"
        "EU CRA Annex I, NIST IR 8425, OWASP IoT Top 10 (2018) and the DCMS table of\n"
        "principles and recommendations. Requirements are paraphrases, not the standards' text.\n"
        "\n"
        "ID is a global id \"<standard>:<item>\" (etsi-en-303-645:5.1-1, uk-psti:1,\n"
        "eu-cra:I.2.b) or a bare item id when only one standard has it (5.1-1, I1).\n"
        "\n"
        "Commands:\n"
        "  standards          each standard with its edition and item counts\n"
        "  list               items: global id, level, title\n"
        "  show ID            one item: requirement, level, condition, checks, question,\n"
        "                     mappings (both directions)\n"
        "  map ID             every item reachable through mappings, with its depth and the\n"
        "                     item it was reached from, then the checks that give evidence\n"
        "\n"
        "Options:\n"
        "      --standard S   list only standard S (e.g. uk-psti)\n"
        "      --level L      M: mandatory (M, M C); R: recommended (R, R C);\n"
        "                     C: conditional (M C, R C)\n"
        "      --depth N      map: follow mappings N steps (default 2: through one shared\n"
        "                     item, e.g. uk-psti:1 -> 5.1-1 -> eu-cra:I.2.b); 0: no limit\n"
        "      --json         machine-readable output\n"
        "      --data-dir DIR read checks/ and catalogue/ files from DIR where present\n"
        "                     (default: built in; also $IOTRUST_DATA_DIR)\n"
        "\n"
        "Examples:\n"
        "  iotrust catalogue list --standard etsi-en-303-645 --level M\n"
        "  iotrust catalogue show 5.1-1\n"
        "  iotrust catalogue map uk-psti:1 --json\n"
        "\n"
        "Exit codes: 0 ok; 2 usage (unknown command, option, standard or id); 3 a catalogue\n"
        "or check file is malformed or names something that does not exist; 4 internal.\n";

struct cat_args {
	const char *standard, *data_dir;
	int level; /* -1 any, else 'M', 'R', 'C' */
	unsigned depth;
	int json;
};

static int level_matches(int want, enum it_cat_level l)
{
	switch (want) {
	case 'M':
		return it_cat_level_is_mandatory(l);
	case 'R':
		return !it_cat_level_is_mandatory(l);
	case 'C':
		return it_cat_level_is_conditional(l);
	default:
		return 1;
	}
}

static int print_json(json_t *j)
{
	if (!j) {
		fputs("iotrust: out of memory\n", stderr);
		return 4;
	}
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s) {
		fputs("iotrust: out of memory\n", stderr);
		return 4;
	}
	puts(s);
	free(s);
	return 0;
}

static json_t *strs_json(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *condition_json(const struct it_cat_condition *c)
{
	json_t *o = json_pack("{s:s, s:s}", "id", c->id, "text", c->text);
	if (o && c->ref)
		json_object_set_new(o, "ref", json_string(c->ref));
	if (o && c->n_all_of)
		json_object_set_new(o, "all_of", strs_json(c->all_of, c->n_all_of));
	return o;
}

static json_t *item_brief_json(const struct it_cat_item *it)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "id", it->gid, "standard", it->standard, "level",
	                 it_cat_level_name(it->level), "title", it->title);
}

static json_t *item_json(const struct it_catalogue *cat, const struct it_cat_item *it)
{
	json_t *o = item_brief_json(it);
	if (!o)
		return NULL;
	if (it->condition)
		json_object_set_new(o, "condition", condition_json(it->condition));
	json_object_set_new(o, "requirement", json_string(it->requirement));
	json_object_set_new(o, "question", json_string(it->question));
	json_t *checks = json_array();
	for (size_t i = 0; checks && i < it->n_checks; i++) {
		const struct it_cat_check *c = it_catalogue_check(cat, it->checks[i]);
		json_array_append_new(checks,
		                      json_pack("{s:s, s:s}", "id", c->id, "title", c->title));
	}
	json_object_set_new(o, "checks", checks);
	json_object_set_new(o, "maps_to", strs_json(it->maps_to, it->n_maps_to));
	json_t *links = json_array();
	for (size_t i = 0; links && i < it->n_links; i++)
		json_array_append_new(links, json_string(it->links[i]->gid));
	json_object_set_new(o, "links", links);
	if (it->n_versions)
		json_object_set_new(o, "versions", strs_json(it->versions, it->n_versions));
	if (it->has_v3) {
		json_t *v3 = json_pack("{s:s}", "level", it_cat_level_name(it->v3_level));
		if (v3 && it->v3_condition)
			json_object_set_new(v3, "condition", condition_json(it->v3_condition));
		json_object_set_new(o, "v3", v3);
	}
	if (it->n_derived_from)
		json_object_set_new(o, "derived_from",
		                    strs_json(it->derived_from, it->n_derived_from));
	if (it->kind)
		json_object_set_new(o, "kind", json_string(it->kind));
	if (it->parent)
		json_object_set_new(o, "parent", json_string(it->parent));
	if (it->note)
		json_object_set_new(o, "note", json_string(it->note));
	return o;
}

static void print_condition(const char *label, const struct it_cat_condition *c)
{
	printf("  %-13s%s%s%s%s: %s\n", label, c->id, c->ref ? " [" : "", c->ref ? c->ref : "",
	       c->ref ? "]" : "", c->text);
	for (size_t i = 0; i < c->n_all_of; i++)
		printf("  %-13sand %s\n", "", c->all_of[i]);
}

static void print_list(const char *label, const char *const *v, size_t n)
{
	printf("  %-13s", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", v[i]);
	putchar('\n');
}

static int do_standards(const struct it_catalogue *cat, const struct cat_args *a)
{
	json_t *arr = a->json ? json_array() : NULL;
	if (!a->json)
		printf("%-24s %5s %4s %4s %4s  %s\n", "STANDARD", "ITEMS", "M", "R", "COND",
		       "TITLE");
	for (size_t i = 0; i < it_catalogue_standard_count(cat); i++) {
		const struct it_cat_standard *s = it_catalogue_standard(cat, i);
		size_t m = 0, cond = 0;
		for (size_t k = s->first; k < s->first + s->n; k++) {
			const struct it_cat_item *it = it_catalogue_item(cat, k);
			m += it_cat_level_is_mandatory(it->level) ? 1 : 0;
			cond += it_cat_level_is_conditional(it->level) ? 1 : 0;
		}
		if (!a->json) {
			printf("%-24s %5zu %4zu %4zu %4zu  %s\n", s->id, s->n, m, s->n - m, cond,
			       s->title);
			continue;
		}
		json_t *o =
		        json_pack("{s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:I}", "id", s->id, "title",
		                  s->title, "edition", s->edition, "file", s->file, "items",
		                  (json_int_t)s->n, "mandatory", (json_int_t)m, "recommended",
		                  (json_int_t)(s->n - m), "conditional", (json_int_t)cond);
		json_array_append_new(arr, o);
	}
	return a->json ? print_json(arr) : 0;
}

static int do_list(const struct it_catalogue *cat, const struct cat_args *a)
{
	if (a->standard && !it_catalogue_standard_find(cat, a->standard))
		return cli_usage_error("catalogue",
		                       "no standard '%s' (see 'iotrust catalogue "
		                       "standards')",
		                       a->standard);
	json_t *arr = a->json ? json_array() : NULL;
	for (size_t i = 0; i < it_catalogue_count(cat); i++) {
		const struct it_cat_item *it = it_catalogue_item(cat, i);
		if ((a->standard && strcmp(it->standard, a->standard) != 0) ||
		    !level_matches(a->level, it->level))
			continue;
		if (a->json)
			json_array_append_new(arr, item_brief_json(it));
		else
			printf("%-38s %-4s %s\n", it->gid, it_cat_level_name(it->level), it->title);
	}
	return a->json ? print_json(arr) : 0;
}

static int find_item(const struct it_catalogue *cat, const char *id, const struct it_cat_item **out)
{
	size_t n = it_catalogue_lookup(cat, id, out);
	if (n == 1)
		return 0;
	if (n == 0)
		return cli_usage_error("catalogue", "no item '%s' (see 'iotrust catalogue list')",
		                       id);
	fprintf(stderr, "iotrust catalogue: '%s' is ambiguous; use a global id:\n", id);
	for (size_t i = 0; i < it_catalogue_count(cat); i++)
		if (strcmp(it_catalogue_item(cat, i)->id, id) == 0)
			fprintf(stderr, "  %s\n", it_catalogue_item(cat, i)->gid);
	return EXIT_USAGE;
}

static int do_show(const struct it_catalogue *cat, const struct cat_args *a, const char *id)
{
	const struct it_cat_item *it;
	int rc = find_item(cat, id, &it);
	if (rc)
		return rc;
	if (a->json)
		return print_json(item_json(cat, it));
	const struct it_cat_standard *s = it_catalogue_standard_find(cat, it->standard);
	printf("%s  %s\n", it->gid, it->title);
	printf("  %-13s%s\n", "Standard:", s->title);
	printf("  %-13s%s (%s%s)\n", "Level:", it_cat_level_name(it->level),
	       it_cat_level_is_mandatory(it->level) ? "mandatory" : "recommended",
	       it_cat_level_is_conditional(it->level) ? " when the condition holds" : "");
	if (it->condition)
		print_condition("Condition:", it->condition);
	if (it->kind)
		printf("  %-13s%s%s%s\n", "Kind:", it->kind, it->parent ? ", under " : "",
		       it->parent ? it->parent : "");
	if (it->n_versions)
		print_list("Editions:", it->versions, it->n_versions);
	if (it->has_v3) {
		printf("  %-13s%s (EN 303 645 V3.1.x)\n",
		       "V3 level:", it_cat_level_name(it->v3_level));
		if (it->v3_condition)
			print_condition("V3 cond.:", it->v3_condition);
	}
	if (it->n_derived_from)
		print_list("Derived from:", it->derived_from, it->n_derived_from);
	printf("  %-13s%s\n", "Requirement:", it->requirement);
	printf("  %-13s%s\n", "Question:", it->question);
	printf("  %s\n", it->n_checks
	                         ? "Checks:"
	                         : "Checks:      (none: a declaration or the mappings decide)");
	for (size_t i = 0; i < it->n_checks; i++) {
		const struct it_cat_check *c = it_catalogue_check(cat, it->checks[i]);
		printf("    %-32s %s\n", c->id, c->title);
	}
	printf("  %s\n", it->n_links ? "Mappings:" : "Mappings:    (none)");
	for (size_t i = 0; i < it->n_links; i++)
		printf("    %-38s %s\n", it->links[i]->gid, it->links[i]->title);
	if (it->note)
		printf("  %-13s%s\n", "Note:", it->note);
	return 0;
}

static int do_map(const struct it_catalogue *cat, const struct cat_args *a, const char *id)
{
	const struct it_cat_item *it;
	struct it_cat_link *links = NULL;
	const struct it_cat_check **ev = NULL;
	size_t n = 0, n_ev = 0;
	struct it_error err = IT_ERROR_INIT;
	int rc = find_item(cat, id, &it);
	if (rc)
		return rc;
	if (it_catalogue_resolve(cat, it, a->depth, &links, &n, &err) < 0 ||
	    it_catalogue_evidence(cat, it, &ev, &n_ev, &err) < 0) {
		free(links);
		return cli_fail(&err);
	}
	if (a->json) {
		json_t *o = item_brief_json(it), *m = json_array(), *e = json_array();
		for (size_t i = 0; m && i < n; i++)
			json_array_append_new(
			        m, json_pack("{s:s, s:s, s:s, s:i, s:s}", "id", links[i].item->gid,
			                     "standard", links[i].item->standard, "title",
			                     links[i].item->title, "depth", (int)links[i].depth,
			                     "via", links[i].via->gid));
		for (size_t i = 0; e && i < n_ev; i++)
			json_array_append_new(
			        e, json_pack("{s:s, s:s}", "id", ev[i]->id, "title", ev[i]->title));
		if (o) {
			json_object_set_new(o, "depth", json_integer(a->depth));
			json_object_set_new(o, "maps_to", m);
			json_object_set_new(o, "evidence_checks", e);
		}
		rc = print_json(o);
	} else {
		printf("%s  %s\n", it->gid, it->title);
		if (a->depth)
			printf("Maps to (%zu item%s, depth <= %u):\n", n, n == 1 ? "" : "s",
			       a->depth);
		else
			printf("Maps to (%zu item%s, any depth):\n", n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++) {
			printf("  %u %-38s %s", links[i].depth, links[i].item->gid,
			       links[i].item->title);
			if (links[i].depth > 1)
				printf("  (via %s)", links[i].via->gid);
			putchar('\n');
		}
		printf("Checks giving evidence (%zu):\n", n_ev);
		for (size_t i = 0; i < n_ev; i++)
			printf("  %-32s %s\n", ev[i]->id, ev[i]->title);
	}
	free(links);
	free(ev);
	return rc;
}

static int parse_args(int argc, char **argv, struct cat_args *a)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {"json", no_argument, NULL, 'j'},
	        {"standard", required_argument, NULL, 's'},
	        {"level", required_argument, NULL, 'l'},
	        {"depth", required_argument, NULL, 'D'},
	        {"data-dir", required_argument, NULL, 'd'},
	        {NULL, 0, NULL, 0},
	};
	int c;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(catalogue_help, stdout);
			return 1;
		case 'j':
			a->json = 1;
			break;
		case 's':
			a->standard = optarg;
			break;
		case 'd':
			a->data_dir = optarg;
			break;
		case 'l':
			if (strlen(optarg) != 1 || !strchr("MRC", optarg[0]))
				return cli_usage_error("catalogue", "--level: expected M, R or C");
			a->level = optarg[0];
			break;
		case 'D': {
			unsigned long v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || v > 1000)
				return cli_usage_error("catalogue",
				                       "--depth: expected a number from 0 to 1000");
			a->depth = (unsigned)v;
			break;
		}
		default:
			return cli_usage_error("catalogue", "invalid option");
		}
	}
	return 0;
}

int cmd_catalogue(int argc, char **argv)
{
	struct cat_args a = {NULL, getenv("IOTRUST_DATA_DIR"), -1, 2, 0};
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (optind >= argc)
		return cli_usage_error("catalogue",
		                       "expected a command: standards, list, show, map");
	const char *cmd = argv[optind];
	int nargs = argc - optind - 1;
	int wants_id = !strcmp(cmd, "show") || !strcmp(cmd, "map");
	if (!wants_id && strcmp(cmd, "list") != 0 && strcmp(cmd, "standards") != 0)
		return cli_usage_error("catalogue", "unknown command '%s'", cmd);
	if (nargs != (wants_id ? 1 : 0))
		return cli_usage_error("catalogue",
		                       wants_id ? "%s: expected one ID" : "%s: takes no arguments",
		                       cmd);
	if ((a.standard || a.level != -1) && strcmp(cmd, "list") != 0)
		return cli_usage_error("catalogue", "--standard and --level go with 'list'");

	struct it_error err = IT_ERROR_INIT;
	struct it_data *d = NULL;
	struct it_catalogue *cat = NULL;
	if (it_data_open(&d, a.data_dir, &err) < 0)
		return cli_fail(&err);
	if (it_catalogue_load(&cat, d, &err) < 0) {
		it_data_close(d);
		return cli_fail(&err);
	}
	if (!strcmp(cmd, "standards"))
		rc = do_standards(cat, &a);
	else if (!strcmp(cmd, "list"))
		rc = do_list(cat, &a);
	else if (!strcmp(cmd, "show"))
		rc = do_show(cat, &a, argv[optind + 1]);
	else
		rc = do_map(cat, &a, argv[optind + 1]);
	it_catalogue_free(cat);
	it_data_close(d);
	return rc;
}

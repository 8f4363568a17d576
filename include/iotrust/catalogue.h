/*
 * The provisions catalogue: the items of every standard iotrust assesses against (ETSI EN 303
 * 645, UK PSTI, EU CRA, NIST IR 8425, OWASP IoT Top 10, the DCMS table), loaded from the data
 * files catalogue/<name>.json and validated, indexed by global id ("<standard>:<item>"), with the
 * checks that give evidence and mappings resolved both ways. A catalogue owns every pointer it
 * hands out; they live until it_catalogue_free(). docs/catalogue.md describes the format.
 */
#ifndef IOTRUST_CATALOGUE_H
#define IOTRUST_CATALOGUE_H
#include <stddef.h>

#include "iotrust/data.h"
#include "iotrust/error.h"

/* The standard whose provision ids the checks of data/checks name ("5.1-1"). */
#define IT_CATALOGUE_CHECK_STANDARD "etsi-en-303-645"

enum it_cat_level {
	IT_LEVEL_M,  /* mandatory */
	IT_LEVEL_R,  /* recommended */
	IT_LEVEL_MC, /* mandatory when the condition holds */
	IT_LEVEL_RC  /* recommended when the condition holds */
};
const char *it_cat_level_name(enum it_cat_level l);            /* "M", "R", "M C", "R C" */
int it_cat_level_parse(const char *s, enum it_cat_level *out); /* 0 or -1 */
int it_cat_level_is_conditional(enum it_cat_level l);
int it_cat_level_is_mandatory(enum it_cat_level l);

struct it_cat_condition {
	const char *id;            /* machine key: "uses-passwords" */
	const char *text;          /* paraphrase */
	const char *ref;           /* the standard's notation, "C(1)", or NULL */
	const char *const *all_of; /* further keys that must hold too */
	size_t n_all_of;
};

struct it_cat_item {
	const char *gid;      /* "etsi-en-303-645:5.1-1" */
	const char *id;       /* "5.1-1" */
	const char *standard; /* "etsi-en-303-645" */
	const char *title, *requirement, *question;
	enum it_cat_level level;
	const struct it_cat_condition *condition; /* NULL unless conditional */
	const char *kind, *parent, *note;         /* NULL when absent */
	const char *const *checks;                /* check ids, as in the file */
	size_t n_checks;
	const char *const *maps_to; /* global ids, as in the file */
	size_t n_maps_to;
	const char *const *versions; /* editions containing the id ("2.1.1"), may be empty */
	size_t n_versions;
	const char *const *derived_from; /* local ids of the same standard */
	size_t n_derived_from;
	int has_v3; /* EN 303 645 V3.1.x status differs: */
	enum it_cat_level v3_level;
	const struct it_cat_condition *v3_condition;
	const char *const *categories, *const *tiers;
	size_t n_categories, n_tiers;
	/* Direct links, symmetric: maps_to and derived_from of this item and of every item
	 * naming this one, each once, in catalogue order. */
	const struct it_cat_item *const *links;
	size_t n_links;
};

struct it_cat_standard {
	const char *id, *title, *edition, *source, *note;
	const char *file; /* data file name: "catalogue/uk-psti.json" */
	size_t first, n;  /* its items: it_catalogue_item(first .. first + n - 1) */
};

/* A check of data/checks as the catalogue sees it. */
struct it_cat_check {
	const char *id, *title;
	const char *const *provisions; /* ids in IT_CATALOGUE_CHECK_STANDARD, as the check says */
	size_t n_provisions;
	const struct it_cat_item *const *items; /* every item listing this check */
	size_t n_items;
};

struct it_catalogue;

/* Load checks/<name>.json and catalogue/<name>.json from the data set, validate and index
 * them. A malformed file or a reference that names nothing is IT_ERR_INPUT naming the file
 * and the JSON path ("items[3].maps_to[1]"). */
int it_catalogue_load(struct it_catalogue **out, const struct it_data *data, struct it_error *err);

/* The same in steps, for tests and fuzzing: add check files and catalogue files from memory
 * (name is used in messages), then finish (cross references, links, indexes). Lookups are
 * valid only after a successful finish. */
int it_catalogue_new(struct it_catalogue **out, struct it_error *err);
int it_catalogue_add_checks(struct it_catalogue *cat, const char *name, const char *json,
                            size_t len, struct it_error *err);
int it_catalogue_add_file(struct it_catalogue *cat, const char *name, const char *json, size_t len,
                          struct it_error *err);
int it_catalogue_finish(struct it_catalogue *cat, struct it_error *err);
void it_catalogue_free(struct it_catalogue *cat);

/* Items in catalogue order (files by name, items as written). */
size_t it_catalogue_count(const struct it_catalogue *cat);
const struct it_cat_item *it_catalogue_item(const struct it_catalogue *cat, size_t i);
size_t it_catalogue_standard_count(const struct it_catalogue *cat);
const struct it_cat_standard *it_catalogue_standard(const struct it_catalogue *cat, size_t i);
const struct it_cat_standard *it_catalogue_standard_find(const struct it_catalogue *cat,
                                                         const char *id);

/* An item by global id, or NULL. */
const struct it_cat_item *it_catalogue_find(const struct it_catalogue *cat, const char *gid);
/* An item by global id or by bare id ("5.1-1", "I1"): returns how many items match (0, 1 or
 * more) and sets *out to the first of them in catalogue order (NULL when none). */
size_t it_catalogue_lookup(const struct it_catalogue *cat, const char *id,
                           const struct it_cat_item **out);

/* A check by id (NULL when no checks/ file defines it). */
const struct it_cat_check *it_catalogue_check(const struct it_catalogue *cat, const char *id);
size_t it_catalogue_check_count(const struct it_catalogue *cat);
const struct it_cat_check *it_catalogue_check_at(const struct it_catalogue *cat, size_t i);

/* One item reached from another through the links. */
struct it_cat_link {
	const struct it_cat_item *item;
	unsigned depth;                /* 1 for a direct link */
	const struct it_cat_item *via; /* the item it was reached from (the start for depth 1) */
};
/* Every item reachable from `from` through links, breadth first (by depth, then catalogue
 * order), each once, `from` itself excluded; max_depth 0 means no limit. *out is malloc'd. */
int it_catalogue_resolve(const struct it_catalogue *cat, const struct it_cat_item *from,
                         unsigned max_depth, struct it_cat_link **out, size_t *n,
                         struct it_error *err);

/* The checks that give evidence for an item: its own "checks" and those of the items of
 * IT_CATALOGUE_CHECK_STANDARD it links to directly, each once, sorted by id; *out is malloc'd
 * (NULL when there are none). Wider mappings say which items are related, not which evidence
 * applies: a CRA item covering passwords and services does not make a service check evidence
 * for the password provision it also maps to. */
int it_catalogue_evidence(const struct it_catalogue *cat, const struct it_cat_item *item,
                          const struct it_cat_check ***out, size_t *n, struct it_error *err);

/* Do the catalogue's "checks" lists agree with the checks' own "provisions"? For the items of
 * IT_CATALOGUE_CHECK_STANDARD: a check is listed under a provision exactly when it names it.
 * For every other item: each listed check names a provision the item links to directly.
 * -1 with IT_ERR_INPUT describing the first disagreement. */
int it_catalogue_verify_checks(const struct it_catalogue *cat, struct it_error *err);

#endif

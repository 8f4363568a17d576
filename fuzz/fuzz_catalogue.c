/*
 * libFuzzer harness for the provisions catalogue loader (src/catalogue): a user's --data-dir
 * can hold any catalogue/<name>.json, so its bytes are untrusted. The input is one or two
 * catalogue files (split at the first NUL byte), added after a small fixed set of checks and
 * a base ETSI file; when the catalogue finishes, every query runs and links must be symmetric
 * and resolution must visit each item once, else abort() keeps the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/catalogue.h"

static const char checks[] =
        "{\"checks\": [{\"id\": \"cred.empty-password\", \"title\": \"Empty\", \"provisions\": "
        "[\"5.1-1\"]}, {\"id\": \"cred.default-password\", \"title\": \"Default\", "
        "\"provisions\": [\"5.1-1\", \"5.1-2\"]}, {\"id\": \"elf.no-nx\", \"title\": \"NX\", "
        "\"provisions\": []}]}";

/* The items the checks above name, plus the targets of uk-psti.json's mappings (a seed). */
static const char base[] =
        "{\"standard\": \"etsi-en-303-645\", \"title\": \"base\", \"items\": ["
        "{\"id\": \"5.1-1\", \"standard\": \"etsi-en-303-645\", \"title\": \"t\", "
        "\"level\": \"M C\", \"condition\": {\"id\": \"uses-passwords\", \"text\": \"p\"}, "
        "\"requirement\": \"r\", \"question\": \"q\", "
        "\"checks\": [\"cred.empty-password\", \"cred.default-password\"], \"maps_to\": []},"
        "{\"id\": \"5.1-2\", \"standard\": \"etsi-en-303-645\", \"title\": \"t\", "
        "\"level\": \"M\", \"requirement\": \"r\", \"question\": \"q\", "
        "\"checks\": [\"cred.default-password\"], \"maps_to\": []},"
        "{\"id\": \"5.2-1\", \"standard\": \"etsi-en-303-645\", \"title\": \"t\", "
        "\"level\": \"M\", \"requirement\": \"r\", \"question\": \"q\", \"checks\": [], "
        "\"maps_to\": []},"
        "{\"id\": \"5.3-13\", \"standard\": \"etsi-en-303-645\", \"title\": \"t\", "
        "\"level\": \"M\", \"requirement\": \"r\", \"question\": \"q\", \"checks\": [], "
        "\"maps_to\": [], \"derived_from\": [\"5.2-1\"]}]}";

static int linked(const struct it_cat_item *a, const struct it_cat_item *b)
{
	for (size_t i = 0; i < a->n_links; i++)
		if (a->links[i] == b)
			return 1;
	return 0;
}

static void exercise(const struct it_catalogue *cat)
{
	struct it_error err = IT_ERROR_INIT;
	(void)it_catalogue_verify_checks(cat, &err);
	it_error_clear(&err);
	for (size_t i = 0; i < it_catalogue_count(cat); i++) {
		const struct it_cat_item *it = it_catalogue_item(cat, i), *found;
		if (it_catalogue_find(cat, it->gid) != it ||
		    it_catalogue_lookup(cat, it->id, &found) < 1)
			abort();
		for (size_t j = 0; j < it->n_links; j++)
			if (!linked(it->links[j], it))
				abort(); /* not symmetric */
		for (unsigned depth = 0; depth < 3; depth += 2) {
			struct it_cat_link *v;
			size_t n;
			if (it_catalogue_resolve(cat, it, depth, &v, &n, &err) < 0)
				abort();
			for (size_t a = 0; a < n; a++)
				if (v[a].item == it || !linked(v[a].via, v[a].item) ||
				    (depth && v[a].depth > depth))
					abort();
			free(v);
		}
		const struct it_cat_check **ev;
		size_t n_ev;
		if (it_catalogue_evidence(cat, it, &ev, &n_ev, &err) < 0)
			abort();
		free(ev);
	}
	for (size_t i = 0; i < it_catalogue_check_count(cat); i++)
		if (it_catalogue_check(cat, it_catalogue_check_at(cat, i)->id) !=
		    it_catalogue_check_at(cat, i))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct it_error err = IT_ERROR_INIT;
	struct it_catalogue *cat;
	const char *text = (const char *)data;
	const char *nul = memchr(data, '\0', size);
	size_t len1 = nul ? (size_t)(nul - text) : size;
	if (it_catalogue_new(&cat, &err) < 0)
		abort();
	int rc = it_catalogue_add_checks(cat, "checks/fuzz.json", checks, strlen(checks), &err);
	if (rc == 0)
		rc = it_catalogue_add_file(cat, "catalogue/base.json", base, strlen(base), &err);
	if (rc < 0)
		abort(); /* the fixed part is valid */
	rc = it_catalogue_add_file(cat, "catalogue/fuzz1.json", text, len1, &err);
	if (rc == 0 && nul)
		rc = it_catalogue_add_file(cat, "catalogue/fuzz2.json", nul + 1, size - len1 - 1,
		                           &err);
	if (rc == 0)
		rc = it_catalogue_finish(cat, &err);
	if (rc == 0)
		exercise(cat);
	else if (err.code != IT_ERR_INPUT || !err.where || !err.message)
		abort(); /* a bad catalogue is an input error naming the file */
	it_error_clear(&err);
	it_catalogue_free(cat);
	return 0;
}

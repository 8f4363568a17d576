/*
 * libFuzzer harness for product profiles and declarations (src/assess/profile.c, yaml.c): a
 * maker's YAML is untrusted. Every input is loaded both as a profile and as declarations
 * (against the bundled catalogue, loaded once); an accepted document must dump as JSON with
 * the version it was checked for, and a refused one must carry an input or limit error with
 * a message, else abort() keeps the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/catalogue.h"
#include "iotrust/data.h"
#include "iotrust/profile.h"

/* The harness's one catalogue, built on first use and kept for the whole run. */
static struct it_catalogue *fuzz_catalogue(void)
{
	static struct it_catalogue *cat;
	if (!cat) {
		struct it_error err = IT_ERROR_INIT;
		struct it_data *d = NULL;
		if (it_data_open(&d, NULL, &err) < 0 || it_catalogue_load(&cat, d, &err) < 0)
			abort();
		it_data_close(d);
	}
	return cat;
}

static void check(int rc, json_t *out, struct it_error *err, const char *version_key)
{
	if (rc == 0) {
		char *s = json_dumps(out, JSON_COMPACT);
		if (!s || json_integer_value(json_object_get(out, version_key)) != 1)
			abort();
		free(s);
		json_decref(out);
		return;
	}
	if (out || !err->message || (err->code != IT_ERR_INPUT && err->code != IT_ERR_LIMIT))
		abort();
	it_error_clear(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct it_error err = IT_ERROR_INIT;
	json_t *out = NULL;
	int rc = it_profile_load_mem("fuzz.yaml", (const char *)data, size, &out, &err);
	check(rc, out, &err, "profile_version");
	out = NULL;
	rc = it_declarations_load_mem("fuzz.yaml", (const char *)data, size, fuzz_catalogue(), &out,
	                              &err);
	check(rc, out, &err, "declarations_version");
	return 0;
}

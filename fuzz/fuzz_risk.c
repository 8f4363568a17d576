/*
 * libFuzzer harness for the risk tiering rules reader (src/assess/risk.c): a rules file can
 * come from --data-dir, so it is untrusted. The input is read as rules against the bundled
 * catalogue; rules that load are applied to two sets of facts, and the tier must be one of
 * the three levels with a failing threshold, or abort() keeps the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/assess.h"
#include "iotrust/data.h"

static const struct it_catalogue *catalogue(void)
{
	static struct it_data *d;
	static struct it_catalogue *cat;
	struct it_error err = IT_ERROR_INIT;
	if (!cat && (it_data_open(&d, NULL, &err) < 0 || it_catalogue_load(&cat, d, &err) < 0))
		abort();
	return cat;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct it_catalogue *cat = catalogue();
	struct it_error err = IT_ERROR_INIT;
	json_t *rules = NULL;
	if (it_risk_load("fuzz.yaml", (const char *)data, size, cat, &rules, &err) == 0) {
		json_t *facts[2] = {json_pack("{ss sb ss}", "vertical", "smart-home-security",
		                              "personal-data", 1, "actuation-safety", "high"),
		                    json_object()};
		for (int i = 0; i < 2; i++) {
			json_t *tier = NULL;
			if (it_risk_tier(rules, facts[i], &tier, &err) < 0)
				abort();
			const char *level = json_string_value(json_object_get(tier, "level"));
			if (!level ||
			    (strcmp(level, "basic") && strcmp(level, "substantial") &&
			     strcmp(level, "high")) ||
			    !json_string_value(json_object_get(tier, "fail_at")))
				abort();
			json_decref(tier);
			json_decref(facts[i]);
		}
	}
	it_error_clear(&err);
	json_decref(rules);
	return 0;
}

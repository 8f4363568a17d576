/*
 * libFuzzer harness for `iotrust db match --sbom`: the input is parsed as JSON and every
 * component of it (if it is a CycloneDX SBOM) matched against a small in-memory store of
 * real-shaped NVD and Debian OSV records, through one matcher. A result entry without
 * its id, status or matched criteria calls abort(), so libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/vulndb.h"
#include "vulndb/match.h"

static const char nvd[] =
        "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2099-0001\",\"published\":"
        "\"2099-01-01T00:00:00.000\",\"lastModified\":\"2099-01-02T00:00:00.000\","
        "\"vulnStatus\":\"Analyzed\",\"descriptions\":[{\"lang\":\"en\",\"value\":\"t\"}],"
        "\"configurations\":[{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{"
        "\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*\","
        "\"versionEndExcluding\":\"9.3p2\",\"matchCriteriaId\":\"A\"},{\"vulnerable\":true,"
        "\"criteria\":\"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*\",\"matchCriteriaId\":"
        "\"B\"}]}]}]}}]}";
static const char osv[] =
        "{\"schema_version\":\"1.6.0\",\"id\":\"DSA-9999-1\",\"modified\":\"2099-01-03T00:00:00Z\","
        "\"aliases\":[\"CVE-2099-0001\"],\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\","
        "\"name\":\"openssh\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":"
        "\"0\"},{\"fixed\":\"1:9.2p1-2+deb12u3\"}]}]}]}";

static struct it_store *store(void)
{
	static struct it_store *s;
	struct it_error err = IT_ERROR_INIT;
	struct it_import_stats st = {0};
	if (s)
		return s;
	if (it_store_open(&s, "sqlite::memory:", NULL, &err) < 0 ||
	    it_import_memory(s, "nvd.json", (const uint8_t *)nvd, strlen(nvd), NULL, &st, &err) <
	            0 ||
	    it_import_memory(s, "osv.json", (const uint8_t *)osv, strlen(osv), NULL, &st, &err) < 0)
		abort();
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct it_store *s = store();
	json_t *bom = json_loadb((const char *)data, size, 0, NULL), *out = json_array();
	struct it_matcher *m = NULL;
	struct it_error err = IT_ERROR_INIT;
	size_t n = 0, i, k;
	json_t *c, *v;
	if (bom && out && it_matcher_new(&m, s, &err) == 0 &&
	    it_match_cyclonedx(m, bom, 1, out, &n, &err) == 0) {
		json_array_foreach(out, i, c)
		{
			json_array_foreach(json_object_get(c, "vulnerabilities"), k, v)
			{
				if (!json_string_value(json_object_get(v, "id")) ||
				    !json_string_value(json_object_get(v, "status")) ||
				    !json_object_get(v, "matched"))
					abort();
			}
		}
	}
	it_error_clear(&err);
	it_matcher_free(m);
	json_decref(out);
	json_decref(bom);
	return 0;
}

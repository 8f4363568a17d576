/*
 * The table of report writers and the canonical JSON writer itself (the
 * result tree serialised with sorted-insertion order kept, two-space indent).
 */
#include <stdlib.h>
#include <string.h>

#include "report/writer.h"

static int dump_cb(const char *buf, size_t size, void *data)
{
	return it_buf_append(data, buf, size);
}

int it_report_dump(const json_t *doc, size_t flags, struct it_buf *out, struct it_error *err)
{
	if (!doc ||
	    json_dump_callback(doc, dump_cb, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | flags) <
	            0 ||
	    it_buf_putc(out, '\n') < 0)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	return 0;
}

const char *it_report_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The file digest that stands for the component itself: only when the
 * component was found in exactly one file (not a package database) and no
 * other component was found in that same file (a static link of several).
 * file_uses counts the components citing each digest. */
const char *it_report_single_file_sha256(const json_t *c, const json_t *file_uses)
{
	const json_t *ev = json_object_get(c, "evidence");
	const char *found_by = it_report_str(c, "found_by"), *sha;
	if (json_array_size(ev) != 1 || !found_by || strcmp(found_by, "package-db") == 0 ||
	    !(sha = it_report_str(json_array_get(ev, 0), "sha256")))
		return NULL;
	return json_integer_value(json_object_get(file_uses, sha)) == 1 ? sha : NULL;
}

/* digest -> number of components with evidence in that file. */
json_t *it_report_file_uses(const json_t *components)
{
	json_t *uses = json_object(), *seen = NULL;
	size_t i, k;
	const json_t *c, *ev;
	json_array_foreach(components, i, c)
	{
		json_decref(seen);
		if (!(seen = json_object()))
			goto fail;
		json_array_foreach(json_object_get(c, "evidence"), k, ev)
		{
			const char *sha = it_report_str(ev, "sha256");
			if (!sha || json_object_get(seen, sha))
				continue;
			json_int_t n = json_integer_value(json_object_get(uses, sha));
			if (json_object_set_new(seen, sha, json_true()) ||
			    json_object_set_new(uses, sha, json_integer(n + 1)))
				goto fail;
		}
	}
	json_decref(seen);
	return uses;
fail:
	json_decref(seen);
	json_decref(uses);
	return NULL;
}

/* What a well-formed result always has (the schema's required keys that the
 * mapping relies on); NULL when present. */
const char *it_report_malformed(const json_t *result)
{
	const json_t *image = json_object_get(result, "image"), *c;
	size_t i;
	if (!it_report_str(image, "name") || !it_report_str(image, "sha256") ||
	    !it_report_str(image, "scanned_at"))
		return "image.name, image.sha256 and image.scanned_at are required";
	if (!json_is_array(json_object_get(result, "components")))
		return "components[] is required";
	json_array_foreach(json_object_get(result, "components"), i, c)
	{
		if (!it_report_str(c, "bom_ref") || !it_report_str(c, "name"))
			return "every component needs bom_ref and name";
	}
	return NULL;
}

static int write_json(const json_t *result, struct it_buf *out, struct it_error *err)
{
	return it_report_dump(result, 0, out, err);
}

const struct it_report_writer it_write_json = {
        "json", "the canonical result (docs/schema/scan-result.schema.json)", write_json};

static const struct it_report_writer *const writers[] = {
        &it_write_json,      &it_write_text, &it_write_sarif,
        &it_write_cyclonedx, &it_write_spdx, &it_write_csaf,
};
#define N_WRITERS (sizeof(writers) / sizeof(writers[0]))

int it_report_write(const json_t *result, const char *format, struct it_buf *out,
                    struct it_error *err)
{
	for (size_t i = 0; i < N_WRITERS; i++)
		if (strcmp(writers[i]->name, format) == 0)
			return writers[i]->write(result, out, err);
	return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
	                    "unknown format \"%s\" (json, text, sarif, cyclonedx, spdx, csaf)",
	                    format);
}

size_t it_report_format_count(void)
{
	return N_WRITERS;
}

const char *it_report_format_name(size_t i)
{
	return i < N_WRITERS ? writers[i]->name : NULL;
}

const char *it_report_format_help(size_t i)
{
	return i < N_WRITERS ? writers[i]->help : NULL;
}

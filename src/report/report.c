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

static int write_json(const json_t *result, struct it_buf *out, struct it_error *err)
{
	if (json_dump_callback(result, dump_cb, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ||
	    it_buf_putc(out, '\n') < 0)
		return it_error_set(err, IT_ERR_NOMEM, NULL, IT_NO_OFFSET, "out of memory");
	return 0;
}

const struct it_report_writer it_write_json = {
        "json", "the canonical result (docs/schema/scan-result.schema.json)", write_json};

static const struct it_report_writer *const writers[] = {
        &it_write_json, &it_write_text, &it_write_sarif, &it_write_cyclonedx, &it_write_spdx,
};
#define N_WRITERS (sizeof(writers) / sizeof(writers[0]))

int it_report_write(const json_t *result, const char *format, struct it_buf *out,
                    struct it_error *err)
{
	for (size_t i = 0; i < N_WRITERS; i++)
		if (strcmp(writers[i]->name, format) == 0)
			return writers[i]->write(result, out, err);
	return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET,
	                    "unknown format \"%s\" (json, text, sarif, cyclonedx, spdx)", format);
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

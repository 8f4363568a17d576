/*
 * libFuzzer harness for what `iotrust provision` reads back from a batch directory:
 * batch.json (it_prov_state_parse) and a manifest.jsonl record (prov_record_check). A state
 * that parses must format and re-parse to the same state, and a record that passes the
 * check must give a CSV line of exactly seven fields; a violation calls abort().
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/provision.h"
#include "label/provision_impl.h"

static void check_state(const char *text, size_t len)
{
	struct it_prov_state a, b;
	struct it_error err = IT_ERROR_INIT;
	if (it_prov_state_parse(text, len, "batch.json", &a, &err) < 0) {
		if (err.code != IT_ERR_INPUT || !err.message)
			abort();
		it_error_clear(&err);
		return;
	}
	struct it_buf out = IT_BUF_INIT;
	if (it_prov_state_format(&a, &out) < 0 ||
	    it_prov_state_parse((const char *)out.data, out.len, "again", &b, &err) < 0 ||
	    memcmp(&a, &b, sizeof a) != 0)
		abort();
	it_buf_free(&out);
}

static void check_record(const char *text, size_t len)
{
	struct it_prov_state st = {.model = "CAM-100",
	                           .serial_prefix = "CAM100-",
	                           .next_serial = 1000,
	                           .created_at = "2026-11-24T10:00:00Z"};
	json_t *rec = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	struct it_error err = IT_ERROR_INIT;
	uint32_t num = 0;
	if (!rec)
		return;
	if (prov_record_check(rec, &st, "manifest.jsonl", 1, &num, &err) == 0) {
		struct it_buf line = IT_BUF_INIT;
		if (num == 0 || num >= st.next_serial || prov_record_csv(rec, &line) < 0)
			abort();
		size_t commas = 0;
		for (size_t i = 0; i < line.len; i++)
			commas += line.data[i] == ',';
		if (commas != 6 || line.data[line.len - 1] != '\n' ||
		    memchr(line.data, '\n', line.len) != line.data + line.len - 1)
			abort();
		it_buf_free(&line);
	}
	it_error_clear(&err);
	json_decref(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_state((const char *)data, size);
	check_record((const char *)data, size);
	return 0;
}

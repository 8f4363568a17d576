/*
 * batch.json, the state of a provisioning batch: which model, CA, serial prefix, key type and
 * hash it uses and the next serial number to hand out. It is read back on every run, so it
 * is treated as untrusted input: exact keys, types, ranges and character sets.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/provision.h"
#include "label/provision_impl.h"

#define STATE_FORMAT  "iotrust-provision-batch"
#define STATE_VERSION 1
#define STATE_MAX     (64 * 1024)

static const char *const state_keys[] = {"format",        "version",     "model",
                                         "serial_prefix", "ca_sha256",   "key_type",
                                         "hash",          "next_serial", "created_at"};

int prov_is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* YYYY-MM-DDTHH:MM:SSZ, digits where digits belong. */
int prov_is_rfc3339_utc(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (strlen(s) != sizeof shape - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return 0;
	return 1;
}

static const char *get_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Copy a validated string field into a fixed array (lengths were checked). */
static void copy_field(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int check_fields(json_t *o, const char *where, struct it_prov_state *st,
                        struct it_error *err)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		size_t i = 0;
		while (i < sizeof state_keys / sizeof *state_keys && strcmp(k, state_keys[i]))
			i++;
		if (i == sizeof state_keys / sizeof *state_keys)
			return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
			                    "unknown key '%.64s'", k);
	}
	for (size_t i = 0; i < sizeof state_keys / sizeof *state_keys; i++) {
		json_t *f = json_object_get(o, state_keys[i]);
		int want_int =
		        !strcmp(state_keys[i], "version") || !strcmp(state_keys[i], "next_serial");
		if (!f || (want_int ? !json_is_integer(f) : !json_is_string(f)))
			return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
			                    "'%s' is missing or not %s", state_keys[i],
			                    want_int ? "an integer" : "a string");
		if (!want_int && strlen(json_string_value(f)) != json_string_length(f))
			return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
			                    "'%s' contains a NUL character", state_keys[i]);
	}
	if (strcmp(get_str(o, "format"), STATE_FORMAT) != 0 ||
	    json_integer_value(json_object_get(o, "version")) != STATE_VERSION)
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "not an iotrust batch state (format '%s' version %d expected)",
		                    STATE_FORMAT, STATE_VERSION);
	const char *model = get_str(o, "model"), *prefix = get_str(o, "serial_prefix");
	if (!it_prov_name_valid(model, 0))
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "'model' must be 1-%d characters of A-Z a-z 0-9 . _ -",
		                    IT_PROV_NAME_MAX);
	if (!it_prov_name_valid(prefix, 1))
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "'serial_prefix' must be 0-%d characters of A-Z a-z 0-9 . _ -",
		                    IT_PROV_NAME_MAX);
	if (!prov_is_hex(get_str(o, "ca_sha256"), 64))
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "'ca_sha256' must be 64 lower-case hex digits");
	if (it_prov_keytype_parse(get_str(o, "key_type"), &st->key_type) < 0)
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "'key_type' must be \"ed25519\" or \"p256\"");
	if (it_prov_hash_parse(get_str(o, "hash"), &st->hash) < 0)
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "'hash' must be \"yescrypt\" or \"sha512crypt\"");
	json_int_t next = json_integer_value(json_object_get(o, "next_serial"));
	/* 100000000: every 8-digit serial has been handed out */
	if (next < 1 || next > 100000000)
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "'next_serial' must be 1..100000000");
	if (!prov_is_rfc3339_utc(get_str(o, "created_at")))
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
		                    "'created_at' must be YYYY-MM-DDTHH:MM:SSZ");
	copy_field(st->model, sizeof st->model, model);
	copy_field(st->serial_prefix, sizeof st->serial_prefix, prefix);
	copy_field(st->ca_sha256, sizeof st->ca_sha256, get_str(o, "ca_sha256"));
	copy_field(st->created_at, sizeof st->created_at, get_str(o, "created_at"));
	st->next_serial = (uint32_t)next;
	return 0;
}

int it_prov_state_parse(const char *text, size_t len, const char *where, struct it_prov_state *st,
                        struct it_error *err)
{
	memset(st, 0, sizeof *st);
	if (len > STATE_MAX)
		return it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET, "larger than %d bytes",
		                    STATE_MAX);
	json_error_t jerr;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o)
		return it_error_set_line(err, IT_ERR_INPUT, where, (unsigned long)jerr.line,
		                         (unsigned long)jerr.column, "invalid JSON: %s", jerr.text);
	int rc = json_is_object(o) ? check_fields(o, where, st, err)
	                           : it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET,
	                                          "expected a JSON object");
	json_decref(o);
	if (rc < 0)
		memset(st, 0, sizeof *st);
	return rc;
}

int it_prov_state_format(const struct it_prov_state *st, struct it_buf *out)
{
	json_t *o =
	        json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "format", STATE_FORMAT,
	                  "version", STATE_VERSION, "model", st->model, "serial_prefix",
	                  st->serial_prefix, "ca_sha256", st->ca_sha256, "key_type",
	                  it_prov_keytype_name(st->key_type), "hash", it_prov_hash_name(st->hash),
	                  "next_serial", (json_int_t)st->next_serial, "created_at", st->created_at);
	char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!s)
		return -1;
	int rc = it_buf_puts(out, s) < 0 || it_buf_putc(out, '\n') < 0 ? -1 : 0;
	free(s);
	return rc;
}

int prov_serial_number(const char *serial, const char *prefix, uint32_t *num)
{
	size_t pl = strlen(prefix);
	if (strncmp(serial, prefix, pl) != 0 || strlen(serial + pl) != IT_PROV_SERIAL_DIGITS)
		return -1;
	uint32_t n = 0;
	for (const char *p = serial + pl; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (uint32_t)(*p - '0');
	}
	*num = n;
	return 0;
}

static const char *const record_cols[] = {"serial",      "model",      "key_type",  "pubkey_sha256",
                                          "cert_serial", "crypt_hash", "created_at"};

/* crypt(3) output: "$id$" then the crypt alphabet and '$' only (safe in CSV). */
static int is_crypt_hash(const char *s)
{
	if (s[0] != '$' || strlen(s) > 512)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '.' || *p == '/' || *p == '$'))
			return 0;
	return 1;
}

int prov_record_check(json_t *rec, const struct it_prov_state *st, const char *where,
                      unsigned long line, uint32_t *num, struct it_error *err)
{
	if (!json_is_object(rec) ||
	    json_object_size(rec) != sizeof record_cols / sizeof *record_cols)
		return it_error_set_line(err, IT_ERR_INPUT, where, line, 0,
		                         "expected an object with the %zu manifest columns",
		                         sizeof record_cols / sizeof *record_cols);
	for (size_t i = 0; i < sizeof record_cols / sizeof *record_cols; i++) {
		json_t *v = json_object_get(rec, record_cols[i]);
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
			return it_error_set_line(err, IT_ERR_INPUT, where, line, 0,
			                         "'%s' is missing or not a string", record_cols[i]);
	}
	const char *serial = get_str(rec, "serial");
	enum it_prov_keytype kt;
	if (prov_serial_number(serial, st->serial_prefix, num) < 0 || *num == 0 ||
	    *num >= st->next_serial)
		return it_error_set_line(err, IT_ERR_INPUT, where, line, 0,
		                         "serial '%.80s' is not one this batch handed out "
		                         "(prefix '%s', below %u)",
		                         serial, st->serial_prefix, (unsigned)st->next_serial);
	if (strcmp(get_str(rec, "model"), st->model) != 0 ||
	    it_prov_keytype_parse(get_str(rec, "key_type"), &kt) < 0 ||
	    !prov_is_hex(get_str(rec, "pubkey_sha256"), 64) ||
	    !prov_is_hex(get_str(rec, "cert_serial"), 32) ||
	    !is_crypt_hash(get_str(rec, "crypt_hash")) ||
	    !prov_is_rfc3339_utc(get_str(rec, "created_at")))
		return it_error_set_line(err, IT_ERR_INPUT, where, line, 0,
		                         "malformed manifest record for %s", serial);
	return 0;
}

int prov_record_csv(json_t *rec, struct it_buf *out)
{
	for (size_t i = 0; i < sizeof record_cols / sizeof *record_cols; i++)
		if (it_buf_printf(out, "%s%s", i ? "," : "", get_str(rec, record_cols[i])) < 0)
			return -1;
	return it_buf_putc(out, '\n');
}

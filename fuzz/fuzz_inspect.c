/*
 * libFuzzer harness for the inspectors (every parser of file contents: passwd,
 * shadow, package databases, configs, ELF, keys and certificates, signatures).
 * The input is up to 8 files, each "path\n" + bytes, separated by the line
 * "\n--iotrust-file--\n"; they are packed into a ustar archive in memory and
 * scanned as the CLI scans, so cross-file checks (passwd + shadow) run too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/inspect.h"

#define SEP       "\n--iotrust-file--\n"
#define MAX_FILES 8

static void octal(char *dst, size_t width, uint64_t v)
{
	snprintf(dst, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

/* Append one ustar member (regular file, or a symlink when the content starts
 * with "->"), mode 0644 (0755 for files whose path has "bin/"). */
static size_t put_member(uint8_t *out, const char *path, size_t plen, const uint8_t *p, size_t n)
{
	uint8_t *h = out;
	memset(h, 0, 512);
	memcpy(h, path, plen < 99 ? plen : 99);
	int is_link = n >= 2 && p[0] == '-' && p[1] == '>';
	octal((char *)h + 100, 8, memmem(path, plen, "bin/", 4) ? 04755 : 0644);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	octal((char *)h + 124, 12, is_link ? 0 : n);
	octal((char *)h + 136, 12, 1700000000);
	h[156] = is_link ? '2' : '0';
	if (is_link)
		memcpy(h + 157, p + 2, n - 2 < 99 ? n - 2 : 99);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	if (is_link)
		return 512;
	memcpy(out + 512, p, n);
	size_t padded = (n + 511) / 512 * 512;
	memset(out + 512 + n, 0, padded - n);
	return 512 + padded;
}

static size_t build_tar(const uint8_t *data, size_t size, uint8_t *out)
{
	size_t o = 0, files = 0;
	const uint8_t *p = data, *end = data + size;
	while (p < end && files < MAX_FILES) {
		const uint8_t *next = memmem(p, (size_t)(end - p), SEP, strlen(SEP));
		const uint8_t *stop = next ? next : end;
		const uint8_t *nl = memchr(p, '\n', (size_t)(stop - p));
		if (nl && nl > p)
			o += put_member(out + o, (const char *)p, (size_t)(nl - p), nl + 1,
			                (size_t)(stop - nl - 1));
		files++;
		p = next ? next + strlen(SEP) : end;
	}
	memset(out + o, 0, 1024);
	return o + 1024;
}

static int feed(void *user, const struct it_entry *e)
{
	struct it_error err = IT_ERROR_INIT;
	int rc = it_inspect_entry(user, e, &err) < 0;
	it_error_clear(&err);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	uint8_t *tar = malloc(size + (MAX_FILES + 1) * 1024 + 1024);
	struct it_data *d = NULL;
	struct it_inspect *in = NULL;
	struct it_error err = IT_ERROR_INIT;
	struct it_inspect_options io;
	it_inspect_options_default(&io);
	io.crack_budget_ms = 50;
	if (!tar || it_data_open(&d, NULL, &err) < 0)
		goto out;
	io.data = d;
	if (it_inspect_new(&in, &io, &err) < 0)
		abort(); /* the built-in catalogue must always load */
	size_t n = build_tar(data, size, tar);
	struct it_unpack_options o;
	struct it_unpack_stats st;
	it_unpack_options_default(&o);
	o.limits.max_total_bytes = 64u << 20;
	o.limits.max_file_bytes = 16u << 20;
	o.limits.max_depth = 4;
	o.on_entry = feed;
	o.user = in;
	it_unpack_memory_as("tar", tar, n, "fuzz", &o, &st, &err);
	it_error_clear(&err);
	it_inspect_finish(in, &err);
out:
	it_error_clear(&err);
	it_inspect_free(in);
	it_data_close(d);
	free(tar);
	return 0;
}

/*
 * libFuzzer harness for one format reader, chosen at build time with
 * -DFUZZ_FORMAT="name" (CMake builds fuzz_<name> for every reader). The input
 * is unpacked as that format with small limits, every entry's bytes are read,
 * so the reader's whole path runs under ASan and UBSan.
 */
#include <stddef.h>
#include <stdint.h>

#include "iotrust/unpack.h"

static int touch(void *user, const struct it_entry *e)
{
	(void)user;
	const uint8_t *d;
	size_t n;
	struct it_error err = IT_ERROR_INIT;
	if ((e->type == IT_ENTRY_FILE || e->type == IT_ENTRY_PAYLOAD) &&
	    it_entry_bytes(e, &d, &n, &err) == 0 && n)
		(void)*(volatile const uint8_t *)&d[n - 1];
	it_error_clear(&err);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct it_unpack_options o;
	struct it_unpack_stats st;
	struct it_error err = IT_ERROR_INIT;
	it_unpack_options_default(&o);
	o.limits.max_total_bytes = 64u << 20;
	o.limits.max_file_bytes = 16u << 20;
	o.limits.max_entries = 10000;
	o.limits.max_depth = 4;
	o.on_entry = touch;
	it_unpack_memory_as(FUZZ_FORMAT, data, size, "fuzz", &o, &st, &err);
	it_error_clear(&err);
	return 0;
}

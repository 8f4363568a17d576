/*
 * The data/ files built into the library (generated builtin_data.c), sorted
 * by name. Each is followed by a NUL byte that len does not count.
 */
#ifndef IOTRUST_BUILTIN_DATA_H
#define IOTRUST_BUILTIN_DATA_H
#include <stddef.h>

struct it_builtin_file {
	const char *name; /* relative to data/: "checks/credentials.json" */
	const unsigned char *data;
	size_t len;
};
extern const struct it_builtin_file it_builtin_data[];
extern const size_t it_builtin_data_count;

#endif

/*
 * The registry of format readers: the one list of what iotrust can unpack.
 * Order matters only for ties in probe confidence (earlier wins). To add a
 * format, write src/unpack/fmt_<name>.c and add its table here.
 */
#include "format.h"

extern const struct it_format it_fmt_gzip;

const struct it_format *const it_formats[] = {
	&it_fmt_gzip,
	NULL,
};

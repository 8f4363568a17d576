/*
 * Read-only mapping of a whole input file (firmware images are read in place,
 * never copied). The mapping is private and read-only; unmap when done.
 */
#ifndef IOTRUST_MAPFILE_H
#define IOTRUST_MAPFILE_H
#include <stddef.h>
#include <stdint.h>

#include "iotrust/error.h"

struct it_mapfile {
	const uint8_t *data;
	size_t len;
};

/* Map a regular, non-empty file. Errors (IT_ERR_INPUT) name the path. */
int it_mapfile_open(struct it_mapfile *m, const char *path, struct it_error *err);
void it_mapfile_close(struct it_mapfile *m);

#endif

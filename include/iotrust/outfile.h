/*
 * it_outfile: output files that are either complete or absent. Data goes to a
 * temporary file beside the target, which replaces the target only on commit,
 * so a failed run never leaves a half-written report in place of a good one.
 * A path of NULL or "-" writes to standard output instead.
 */
#ifndef IOTRUST_OUTFILE_H
#define IOTRUST_OUTFILE_H

#include <stdio.h>

#include "iotrust/error.h"

struct it_outfile {
	FILE *f; /* write here */
	char *path;
	char *tmp;
};

int it_outfile_open(struct it_outfile *o, const char *path, struct it_error *err);
int it_outfile_commit(struct it_outfile *o, struct it_error *err);
void it_outfile_abort(struct it_outfile *o);

#endif

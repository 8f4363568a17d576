/*
 * A writer thread between an importer and the store (pipe.c): it_pipe_sink() is a sink
 * whose records and KEV entries are copied and written, in order, by a thread of their own
 * through the target sink, while the caller goes on reading. Only the caller's thread calls
 * the pipe; the target's vuln() and kev() run on the writer thread (so nothing else may
 * use the store until it_pipe_finish), malformed() and skipped() on the caller's.
 */
#ifndef IOTRUST_VULNDB_PIPE_H
#define IOTRUST_VULNDB_PIPE_H

#include "vulndb/importer.h"

struct it_pipe;

/* NULL (err set) when the thread cannot start. */
struct it_pipe *it_pipe_start(const struct it_import_sink *target, struct it_error *err);
const struct it_import_sink *it_pipe_sink(struct it_pipe *p);
/* Wait until every record is written and the thread has ended, then free the pipe (NULL:
 * nothing to do).
 * 0, or -1 with the writer's first error in err (unless the sink already returned it). */
int it_pipe_finish(struct it_pipe *p, struct it_error *err);

#endif

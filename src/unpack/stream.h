/*
 * Shared constants for the compression readers (fmt_gzip.c, fmt_xz.c, ...):
 * each decompresses a whole stream into an it_buf in chunks of this size,
 * calling it_job_check_output after every chunk so limits stop bombs early.
 */
#ifndef IOTRUST_UNPACK_STREAM_H
#define IOTRUST_UNPACK_STREAM_H

#define IT_STREAM_CHUNK ((size_t)256 << 10)

#endif

/*
 * Private helpers of the provisioning code: durable writes (temp file, fsync, rename or
 * link so nothing is ever half-written or overwritten by accident), fsync'd appends, and
 * directory fsync (provision_fs.c); the manifest record shape (provision_state.c). Each
 * returns 0 or -1 with an it_error naming the path.
 */
#ifndef IOTRUST_LABEL_PROVISION_IMPL_H
#define IOTRUST_LABEL_PROVISION_IMPL_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"
#include "iotrust/provision.h"

/* Write path with mode through a temp file beside it. no_replace: fail (IT_ERR_USAGE)
 * instead of replacing an existing file. */
int prov_write_file(const char *path, const void *p, size_t n, mode_t mode, int no_replace,
                    struct it_error *err);
/* Append text to an open descriptor and fsync it. */
int prov_append_fd(int fd, const char *path, const char *text, size_t n, struct it_error *err);
int prov_fsync_dir(const char *dir, struct it_error *err);
/* Read a whole regular file of at most max bytes (NUL-terminated). 0, or -1 (IT_ERR_INPUT
 * when it is too large or not a regular file, IT_ERR_IO when unreadable). */
int prov_read_file(const char *path, size_t max, char **out, size_t *len, struct it_error *err);

/* The manifest columns, in CSV order (also the keys of a manifest.jsonl record). */
#define PROV_MANIFEST_HEADER "serial,model,key_type,pubkey_sha256,cert_serial,crypt_hash,created_at"
/* Is serial exactly prefix + IT_PROV_SERIAL_DIGITS digits? 0 with *num, or -1. */
int prov_serial_number(const char *serial, const char *prefix, uint32_t *num);
/* Check one manifest.jsonl record read back from disk against the batch: every column a
 * string of its shape, the batch's model, a serial of the batch below next_serial.
 * 0 with *num, or -1 (IT_ERR_INPUT at where:line). */
int prov_record_check(json_t *rec, const struct it_prov_state *st, const char *where,
                      unsigned long line, uint32_t *num, struct it_error *err);
/* The CSV line (ending in a newline) of a checked record. */
int prov_record_csv(json_t *rec, struct it_buf *out);
/* Is s 'n' characters of lower-case hex? */
int prov_is_hex(const char *s, size_t n);
int prov_is_rfc3339_utc(const char *s);

#endif

/*
 * Feed download for `iotrust db update` (internal): one HTTP(S) GET with libcurl,
 * conditional on the ETag / Last-Modified the store remembered, following at most 5
 * redirects, verifying TLS, decoding Content-Encoding, and bounding size and time. The
 * result owns its body and the response's validators for the next conditional GET.
 */
#ifndef IOTRUST_VULNDB_FETCH_H
#define IOTRUST_VULNDB_FETCH_H

#include <stdint.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"

#define IT_FETCH_MAX_SIZE      ((uint64_t)2 << 30) /* body bytes after decoding: 2 GiB */
#define IT_FETCH_MAX_REDIRECTS 5
/* Validators longer than these are neither sent nor returned (the store's bounds). */
#define IT_FETCH_MAX_ETAG          2048
#define IT_FETCH_MAX_LAST_MODIFIED 64

struct it_fetch_options {
	uint64_t max_size;    /* 0: IT_FETCH_MAX_SIZE */
	long connect_timeout; /* seconds to connect; 0: 30 */
	long stall_timeout;   /* seconds below 100 bytes/s before giving up; 0: 60 */
	long total_timeout;   /* seconds for the whole transfer; 0: 3600 */
};

struct it_fetch_result {
	long status;         /* 200 (body filled) or 304 (not modified, body empty) */
	struct it_buf body;  /* the body, decoded when the server compressed it */
	char *etag;          /* the response's ETag (quotes kept), or NULL */
	char *last_modified; /* the response's Last-Modified, or NULL */
	char *effective_url; /* where the body came from after redirects */
};

/* GET url; etag / last_modified (NULL or "" when unknown) become If-None-Match /
 * If-Modified-Since. Returns 0 with out filled (status 200 or 304), or -1 with err naming
 * the URL (without any password) and the HTTP status or the curl error: IT_ERR_USAGE for
 * a malformed URL or a scheme other than http/https, IT_ERR_LIMIT over the size limit,
 * IT_ERR_INPUT for network failures and other statuses. out is always safe to free. */
int it_fetch(const char *url, const char *etag, const char *last_modified,
             struct it_fetch_result *out, struct it_error *err);
/* The same with explicit options (NULL: defaults). */
int it_fetch_with(const char *url, const char *etag, const char *last_modified,
                  const struct it_fetch_options *o, struct it_fetch_result *out,
                  struct it_error *err);
void it_fetch_result_free(struct it_fetch_result *r);

#endif

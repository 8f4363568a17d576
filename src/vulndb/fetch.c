/*
 * it_fetch: one conditional HTTP(S) GET of a feed with libcurl (fetch.h). The only global
 * state is libcurl's own, initialised once through pthread_once; each call owns its easy
 * handle. The size limit counts decoded bytes, so a small compressed body that inflates
 * past the limit is refused too.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "vulndb/fetch.h"

#ifndef IOTRUST_VERSION
#define IOTRUST_VERSION "0"
#endif

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Where the body goes: only a 200's bytes are kept, up to max. */
struct body_sink {
	CURL *curl;
	struct it_buf *body;
	uint64_t max;
	int over, nomem;
};

static size_t on_body(char *p, size_t size, size_t n, void *user)
{
	struct body_sink *k = user;
	size_t len = size * n;
	long status = 0;
	curl_easy_getinfo(k->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		return len; /* an error page or a redirect's body: not kept */
	if (len > k->max - k->body->len) {
		k->over = 1;
		return 0; /* anything but len stops the transfer */
	}
	if (it_buf_append(k->body, p, len) < 0) {
		k->nomem = 1;
		return 0;
	}
	return len;
}

/* A validator fit to send or keep: 1..max bytes of printable ASCII or UTF-8. */
static int usable_validator(const char *v, size_t max)
{
	if (!v || !*v || strnlen(v, max + 1) > max)
		return 0;
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

static int add_header(struct curl_slist **list, const char *name, const char *value)
{
	struct it_buf h = IT_BUF_INIT;
	struct curl_slist *l = NULL;
	if (it_buf_printf(&h, "%s: %s", name, value) == 0)
		l = curl_slist_append(*list, it_buf_str(&h));
	it_buf_free(&h);
	if (!l)
		return -1;
	*list = l;
	return 0;
}

/* The response header name of the last request (after redirects), copied, or NULL. */
static char *response_header(CURL *curl, const char *name, size_t max)
{
	struct curl_header *h;
	if (curl_easy_header(curl, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return usable_validator(h->value, max) ? strdup(h->value) : NULL;
}

/* url with any password removed, for messages (caller frees); a copy of url when it does
 * not parse. */
static char *url_for_messages(const char *url)
{
	CURLU *u = curl_url();
	char *out = NULL, *clean = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &clean, 0) == CURLUE_OK)
		out = strdup(clean);
	curl_free(clean);
	curl_url_cleanup(u);
	return out ? out : strdup(url);
}

static enum it_errcode code_of(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return IT_ERR_USAGE;
	case CURLE_FILESIZE_EXCEEDED:
		return IT_ERR_LIMIT;
	case CURLE_OUT_OF_MEMORY:
		return IT_ERR_NOMEM;
	default:
		return IT_ERR_INPUT;
	}
}

/* Fill err for a failed transfer. */
static int transfer_error(const char *url, CURLcode rc, const char *detail,
                          const struct body_sink *k, uint64_t max, struct it_error *err)
{
	char *where = url_for_messages(url);
	if (k->nomem)
		it_error_nomem(err);
	else if (k->over || rc == CURLE_FILESIZE_EXCEEDED)
		it_error_set(err, IT_ERR_LIMIT, where, IT_NO_OFFSET,
		             "cannot fetch: the response is larger than the limit of %llu bytes",
		             (unsigned long long)max);
	else
		it_error_set(err, code_of(rc), where, IT_NO_OFFSET, "cannot fetch: %s%s%s%s",
		             curl_easy_strerror(rc), *detail ? " (" : "", detail,
		             *detail ? ")" : "");
	free(where);
	return -1;
}

static int status_error(const char *url, long status, struct it_error *err)
{
	char *where = url_for_messages(url);
	it_error_set(err, IT_ERR_INPUT, where, IT_NO_OFFSET, "cannot fetch: HTTP status %ld",
	             status);
	free(where);
	return -1;
}

static long or_default(long v, long def)
{
	return v > 0 ? v : def;
}

/* Set every option of the transfer; nonzero when one failed. */
static CURLcode configure(CURL *curl, const char *url, const struct it_fetch_options *o,
                          struct curl_slist *headers, struct body_sink *k, char *errbuf)
{
	CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                              \
	if (rc == CURLE_OK)                                                                        \
	rc = curl_easy_setopt(curl, opt, val)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, (long)IT_FETCH_MAX_REDIRECTS);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_ACCEPT_ENCODING, ""); /* every encoding this libcurl decodes */
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT, or_default(o->connect_timeout, 30));
	SET(CURLOPT_LOW_SPEED_LIMIT, 100L);
	SET(CURLOPT_LOW_SPEED_TIME, or_default(o->stall_timeout, 60));
	SET(CURLOPT_TIMEOUT, or_default(o->total_timeout, 3600));
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)k->max);
	SET(CURLOPT_USERAGENT, "iotrust/" IOTRUST_VERSION);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, k);
#undef SET
	return rc;
}

int it_fetch_with(const char *url, const char *etag, const char *last_modified,
                  const struct it_fetch_options *o, struct it_fetch_result *out,
                  struct it_error *err)
{
	static const struct it_fetch_options defaults = {0};
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	int ret = -1;
	memset(out, 0, sizeof(*out));
	if (!o)
		o = &defaults;
	if (!url || !*url)
		return it_error_set(err, IT_ERR_USAGE, NULL, IT_NO_OFFSET, "no URL to fetch");
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "cannot initialise libcurl: %s",
		                    curl_easy_strerror(curl_init_rc));
	CURL *curl = curl_easy_init();
	if (!curl)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET,
		                    "cannot initialise a libcurl transfer");
	struct body_sink k = {curl, &out->body, o->max_size ? o->max_size : IT_FETCH_MAX_SIZE, 0,
	                      0};
	if ((usable_validator(etag, IT_FETCH_MAX_ETAG) &&
	     add_header(&headers, "If-None-Match", etag) < 0) ||
	    (usable_validator(last_modified, IT_FETCH_MAX_LAST_MODIFIED) &&
	     add_header(&headers, "If-Modified-Since", last_modified) < 0)) {
		ret = it_error_nomem(err);
		goto out;
	}
	CURLcode rc = configure(curl, url, o, headers, &k, errbuf);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(curl);
	const char *effective = NULL;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
	/* An error page announced larger than the limit is still an error status. */
	if (rc == CURLE_FILESIZE_EXCEEDED && out->status >= 400) {
		status_error(url, out->status, err);
		goto out;
	}
	if (rc != CURLE_OK || k.over || k.nomem) {
		transfer_error(url, rc, errbuf, &k, k.max, err);
		goto out;
	}
	if (out->status != 200 && out->status != 304) {
		status_error(url, out->status, err);
		goto out;
	}
	out->etag = response_header(curl, "ETag", IT_FETCH_MAX_ETAG);
	out->last_modified = response_header(curl, "Last-Modified", IT_FETCH_MAX_LAST_MODIFIED);
	out->effective_url = strdup(effective ? effective : url);
	if (!out->effective_url || (!out->body.data && it_buf_reserve(&out->body, 0) < 0)) {
		ret = it_error_nomem(err);
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (ret < 0)
		it_fetch_result_free(out);
	return ret;
}

int it_fetch(const char *url, const char *etag, const char *last_modified,
             struct it_fetch_result *out, struct it_error *err)
{
	return it_fetch_with(url, etag, last_modified, NULL, out, err);
}

void it_fetch_result_free(struct it_fetch_result *r)
{
	if (!r)
		return;
	it_buf_free(&r->body);
	free(r->etag);
	free(r->last_modified);
	free(r->effective_url);
	memset(r, 0, sizeof(*r));
}

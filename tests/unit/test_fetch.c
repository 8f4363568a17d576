/*
 * Feed download (src/vulndb/fetch.c) against real HTTP servers on 127.0.0.1 that the test
 * starts itself: python3's http.server (Last-Modified / If-Modified-Since) and
 * tests/tools/etag_server.py (ETag / If-None-Match, redirects, gzip, statuses, delays).
 * Covers 200, both kinds of 304, error statuses, refused connections and the limits.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"
#include "vulndb/fetch.h"

/* A server process this test started, and the port it listens on. */
struct server {
	pid_t pid;
	int port;
	FILE *out; /* its stdout, kept open so it never writes to a closed pipe */
};

struct env {
	struct test_dir dir;
	struct server etag, plain;
	size_t feed_len;
};

/* Start argv with stdout piped back; the first line naming "port N" gives the port. */
static int server_start(struct server *sv, char *const argv[])
{
	int fd[2];
	char line[256];
	if (pipe(fd) < 0)
		return -1;
	sv->pid = fork();
	if (sv->pid < 0)
		return -1;
	if (sv->pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(fd[1], 1);
		dup2(devnull, 2);
		close(fd[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	sv->out = fdopen(fd[0], "r");
	sv->port = 0;
	while (sv->out && !sv->port && fgets(line, sizeof(line), sv->out)) {
		const char *p = strstr(line, "port ");
		if (p)
			sv->port = atoi(p + 5);
	}
	return sv->port > 0 ? 0 : -1;
}

static void server_stop(struct server *sv)
{
	if (sv->pid > 0) {
		kill(sv->pid, SIGTERM);
		waitpid(sv->pid, NULL, 0);
	}
	if (sv->out)
		fclose(sv->out);
	sv->pid = 0;
	sv->out = NULL;
}

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct it_buf feed = IT_BUF_INIT;
	char port0[] = "0";
	/* Talk to 127.0.0.1 directly whatever proxy the environment names. */
	setenv("NO_PROXY", "*", 1);
	setenv("no_proxy", "*", 1);
	if (!e || test_dir_open(&e->dir, "fetch") < 0)
		return -1;
	/* The feed: the KEV excerpt from tests/data (real data), and 10 MiB of zeros that
	 * gzip to ~10 KiB (a decompression bomb for the size limit). */
	if (read_file(test_data("vulndb/store/kev-excerpt.json"), &feed) < 0)
		return -1;
	write_file(e->dir.dir, "feed.json", feed.data, feed.len);
	e->feed_len = feed.len;
	it_buf_free(&feed);
	char *zeros = calloc(1, 10 << 20);
	write_file(e->dir.dir, "zeros.bin", zeros, 10 << 20);
	free(zeros);
	char script[512];
	snprintf(script, sizeof(script), "%s", test_data("../tools/etag_server.py"));
	char *etag_argv[] = {"python3", "-u", script, e->dir.dir, port0, NULL};
	char *plain_argv[] = {"python3",   "-u",          "-m",       "http.server", "--bind",
	                      "127.0.0.1", "--directory", e->dir.dir, port0,         NULL};
	if (server_start(&e->etag, etag_argv) < 0 || server_start(&e->plain, plain_argv) < 0) {
		fprintf(stderr, "cannot start the test HTTP servers\n");
		return -1;
	}
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	server_stop(&e->etag);
	server_stop(&e->plain);
	test_dir_close(&e->dir);
	free(e);
	return 0;
}

static char *url_of(const struct server *sv, const char *path)
{
	static char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", sv->port, path);
	return url;
}

/* Fetch and expect success with status. */
static void fetch_ok(const char *url, const char *etag, const char *lm,
                     const struct it_fetch_options *o, long status, struct it_fetch_result *r)
{
	struct it_error err = IT_ERROR_INIT;
	if (it_fetch_with(url, etag, lm, o, r, &err) < 0)
		fail_msg("%s: %s", url, err.message);
	assert_int_equal(r->status, status);
}

/* Fetch and expect failure with code and a message containing needle; where names url
 * (without a password). */
static void fetch_fails(const char *url, const struct it_fetch_options *o, enum it_errcode code,
                        const char *needle, const char *where)
{
	struct it_error err = IT_ERROR_INIT;
	struct it_fetch_result r;
	assert_int_equal(it_fetch_with(url, NULL, NULL, o, &r, &err), -1);
	if (err.code != code || !strstr(err.message, needle))
		fail_msg("%s: got %s \"%s\", wanted %s \"%s\"", url, it_errcode_name(err.code),
		         err.message, it_errcode_name(code), needle);
	assert_string_equal(err.where, where ? where : url);
	assert_null(r.body.data);
	assert_null(r.etag);
	it_error_clear(&err);
}

static void test_200(void **state)
{
	struct env *e = *state;
	struct it_fetch_result r;
	struct it_buf want = IT_BUF_INIT;
	assert_int_equal(read_file(test_data("vulndb/store/kev-excerpt.json"), &want), 0);
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_fetch(url_of(&e->etag, "/feed.json"), NULL, NULL, &r, &err), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, want.len);
	assert_memory_equal(r.body.data, want.data, want.len);
	assert_non_null(r.etag);
	assert_int_equal(strlen(r.etag), 34); /* "<32 hex digits>" */
	assert_null(r.last_modified);         /* this server sends none */
	assert_string_equal(r.effective_url, url_of(&e->etag, "/feed.json"));
	it_fetch_result_free(&r);
	it_buf_free(&want);
}

static void test_304_by_etag(void **state)
{
	struct env *e = *state;
	struct it_fetch_result r1, r2, r3;
	const char *url = url_of(&e->etag, "/feed.json");
	fetch_ok(url, NULL, NULL, NULL, 200, &r1);
	fetch_ok(url, r1.etag, NULL, NULL, 304, &r2);
	assert_int_equal(r2.body.len, 0);
	assert_string_equal(it_buf_str(&r2.body), "");
	assert_string_equal(r2.etag, r1.etag);
	/* Another ETag (the content changed since): the whole body again. */
	fetch_ok(url, "\"0123456789abcdef0123456789abcdef\"", NULL, NULL, 200, &r3);
	assert_int_equal(r3.body.len, e->feed_len);
	it_fetch_result_free(&r3);
	/* A validator with a line break is not sent (no header injection): a plain GET. */
	fetch_ok(url, "\"x\"\r\nIf-None-Match: *", NULL, NULL, 200, &r3);
	assert_int_equal(r3.body.len, e->feed_len);
	it_fetch_result_free(&r1);
	it_fetch_result_free(&r2);
	it_fetch_result_free(&r3);
}

static void test_304_by_last_modified(void **state)
{
	struct env *e = *state;
	struct it_fetch_result r1, r2, r3;
	const char *url = url_of(&e->plain, "/feed.json");
	fetch_ok(url, NULL, NULL, NULL, 200, &r1);
	assert_int_equal(r1.body.len, e->feed_len);
	assert_non_null(r1.last_modified);
	assert_non_null(strstr(r1.last_modified, " GMT"));
	fetch_ok(url, NULL, r1.last_modified, NULL, 304, &r2);
	assert_int_equal(r2.body.len, 0);
	/* Modified since an older date: 200. */
	fetch_ok(url, NULL, "Mon, 01 Jan 2001 00:00:00 GMT", NULL, 200, &r3);
	assert_int_equal(r3.body.len, e->feed_len);
	it_fetch_result_free(&r1);
	it_fetch_result_free(&r2);
	it_fetch_result_free(&r3);
}

static void test_error_statuses(void **state)
{
	struct env *e = *state;
	fetch_fails(url_of(&e->etag, "/missing.json"), NULL, IT_ERR_INPUT, "HTTP status 404", NULL);
	fetch_fails(url_of(&e->plain, "/missing.json"), NULL, IT_ERR_INPUT, "HTTP status 404",
	            NULL);
	fetch_fails(url_of(&e->etag, "/status/500"), NULL, IT_ERR_INPUT, "HTTP status 500", NULL);
	fetch_fails(url_of(&e->etag, "/status/204"), NULL, IT_ERR_INPUT, "HTTP status 204", NULL);
	fetch_fails(url_of(&e->etag, "/status/403"), NULL, IT_ERR_INPUT, "HTTP status 403", NULL);
	/* An error page is not the body: it does not count against the size limit. */
	struct it_fetch_options o = {.max_size = 16};
	fetch_fails(url_of(&e->plain, "/missing.json"), &o, IT_ERR_INPUT, "HTTP status 404", NULL);
	fetch_fails(url_of(&e->etag, "/status/404?body=5000"), &o, IT_ERR_INPUT, "HTTP status 404",
	            NULL);
	/* The same without a Content-Length, for a 200: the limit holds while reading. */
	fetch_fails(url_of(&e->etag, "/status/200?body=5000"), &o, IT_ERR_LIMIT,
	            "limit of 16 bytes", NULL);
}

static void test_connection_refused(void **state)
{
	(void)state;
	/* A port bound but not listening refuses connections for as long as it is held. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/feed.json", ntohs(a.sin_port));
	fetch_fails(url, NULL, IT_ERR_INPUT, "connect", NULL);
	close(fd);
}

static void test_size_limit(void **state)
{
	struct env *e = *state;
	struct it_fetch_options o = {.max_size = e->feed_len - 1};
	struct it_fetch_result r;
	const char *url = url_of(&e->etag, "/feed.json");
	/* One byte over (the Content-Length tells). */
	fetch_fails(url, &o, IT_ERR_LIMIT, "larger than the limit of", NULL);
	/* Exactly at the limit is fine. */
	o.max_size = e->feed_len;
	fetch_ok(url, NULL, NULL, &o, 200, &r);
	assert_int_equal(r.body.len, e->feed_len);
	it_fetch_result_free(&r);
	/* 10 MiB that travel as ~10 KiB of gzip: the decoded size counts. */
	o.max_size = 1 << 20;
	fetch_fails(url_of(&e->etag, "/zeros.bin?gzip"), &o, IT_ERR_LIMIT, "1048576 bytes", NULL);
	o.max_size = 10 << 20;
	fetch_ok(url_of(&e->etag, "/zeros.bin?gzip"), NULL, NULL, &o, 200, &r);
	assert_int_equal(r.body.len, 10 << 20);
	it_fetch_result_free(&r);
}

static void test_gzip_transparent(void **state)
{
	struct env *e = *state;
	struct it_fetch_result plain, gz;
	/* The request offers gzip (so the bomb above really travelled compressed). */
	fetch_ok(url_of(&e->etag, "/headers"), NULL, NULL, NULL, 200, &plain);
	assert_non_null(strstr(it_buf_str(&plain.body), "Accept-Encoding: "));
	assert_non_null(strstr(it_buf_str(&plain.body), "gzip"));
	assert_non_null(strstr(it_buf_str(&plain.body), "User-Agent: iotrust/"));
	it_fetch_result_free(&plain);
	fetch_ok(url_of(&e->etag, "/feed.json"), NULL, NULL, NULL, 200, &plain);
	fetch_ok(url_of(&e->etag, "/feed.json?gzip"), NULL, NULL, NULL, 200, &gz);
	assert_int_equal(gz.body.len, plain.body.len);
	assert_memory_equal(gz.body.data, plain.body.data, plain.body.len);
	it_fetch_result_free(&plain);
	it_fetch_result_free(&gz);
}

static void test_redirects(void **state)
{
	struct env *e = *state;
	struct it_fetch_result r;
	fetch_ok(url_of(&e->etag, "/redirect/4/feed.json"), NULL, NULL, NULL, 200, &r);
	assert_int_equal(r.body.len, e->feed_len);
	assert_string_equal(r.effective_url, url_of(&e->etag, "/feed.json"));
	it_fetch_result_free(&r);
	/* /redirect/N makes N + 1 redirects: 5 are followed (above), 6 are not. */
	fetch_fails(url_of(&e->etag, "/redirect/5/feed.json"), NULL, IT_ERR_INPUT, "redirects",
	            NULL);
	/* A redirect may not leave http/https. */
	fetch_fails(url_of(&e->etag, "/to?file:///etc/passwd"), NULL, IT_ERR_USAGE, "not supported",
	            NULL);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_timeout(void **state)
{
	struct env *e = *state;
	struct it_fetch_options o = {.total_timeout = 1};
	double t0 = now_s();
	fetch_fails(url_of(&e->etag, "/slow/20/feed.json"), &o, IT_ERR_INPUT, "imeout", NULL);
	assert_true(now_s() - t0 < 5);
}

static void test_bad_urls(void **state)
{
	struct env *e = *state;
	fetch_fails("file:///etc/passwd", NULL, IT_ERR_USAGE, "not supported", NULL);
	fetch_fails("ftp://127.0.0.1/feed.json", NULL, IT_ERR_USAGE, "not supported", NULL);
	fetch_fails("http://[::1", NULL, IT_ERR_USAGE, "URL", NULL);
	/* Messages never carry a password. */
	char url[128], where[128];
	snprintf(url, sizeof(url), "http://feeds:s3cret@127.0.0.1:%d/missing.json", e->etag.port);
	snprintf(where, sizeof(where), "http://feeds@127.0.0.1:%d/missing.json", e->etag.port);
	fetch_fails(url, NULL, IT_ERR_INPUT, "HTTP status 404", where);
	struct it_error err = IT_ERROR_INIT;
	struct it_fetch_result r;
	assert_int_equal(it_fetch(NULL, NULL, NULL, &r, &err), -1);
	assert_int_equal(err.code, IT_ERR_USAGE);
	it_error_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_200),
	        cmocka_unit_test(test_304_by_etag),
	        cmocka_unit_test(test_304_by_last_modified),
	        cmocka_unit_test(test_error_statuses),
	        cmocka_unit_test(test_connection_refused),
	        cmocka_unit_test(test_size_limit),
	        cmocka_unit_test(test_gzip_transparent),
	        cmocka_unit_test(test_redirects),
	        cmocka_unit_test(test_timeout),
	        cmocka_unit_test(test_bad_urls),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

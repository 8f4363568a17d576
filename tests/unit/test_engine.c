/*
 * Unit tests for the unpack engine and its shared rules: path normalisation,
 * nesting depth, entry and total-size limits, cancellation, the extractor's
 * refusal to write through symlinks, and the util buffer/error types.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

static void norm_ok(const char *in, const char *want, int want_abs)
{
	struct it_buf out = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	int abs = -1;
	assert_int_equal(it_path_normalise(in, 4096, &out, &abs, &err), 0);
	assert_string_equal(it_buf_str(&out), want);
	assert_int_equal(abs, want_abs);
	it_buf_free(&out);
}

static void norm_refused(const char *in, enum it_errcode code)
{
	struct it_buf out = IT_BUF_INIT;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_path_normalise(in, 64, &out, NULL, &err), -1);
	assert_int_equal(err.code, code);
	it_error_clear(&err);
	it_buf_free(&out);
}

static void test_path_rules(void **state)
{
	(void)state;
	norm_ok("./bin/busybox", "bin/busybox", 0);
	norm_ok("bin//sh", "bin/sh", 0);
	norm_ok("a/./b/", "a/b", 0);
	norm_ok("/etc/passwd", "etc/passwd", 1);
	norm_ok(".", "", 0);
	norm_ok("..foo/bar..", "..foo/bar..", 0);
	norm_refused("../evil", IT_ERR_UNSAFE);
	norm_refused("a/../../evil", IT_ERR_UNSAFE);
	norm_refused("a/..", IT_ERR_UNSAFE);
	norm_refused("0123456789012345678901234567890123456789012345678901234567890123456789",
	             IT_ERR_LIMIT);
}

/* gzip applied n times to a short text */
static void nested_gzip(int n, struct it_buf *out)
{
	struct it_buf cmd = IT_BUF_INIT;
	it_buf_puts(&cmd, "echo nested");
	for (int i = 0; i < n; i++)
		it_buf_puts(&cmd, " | gzip -n");
	assert_int_equal(run_filter(it_buf_str(&cmd), NULL, 0, out), 0);
	it_buf_free(&cmd);
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct it_buf gz = IT_BUF_INIT;
	nested_gzip(64, &gz);
	struct collected c;
	collect_unpack(&c, NULL, gz.data, gz.len, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_LIMIT);
	assert_non_null(strstr(c.err.message, "nested more than 16 deep"));
	assert_int_equal(c.entries, 0);
	collected_free(&c);

	/* within the limit every layer is unpacked and the text comes out */
	it_buf_truncate(&gz, 0);
	nested_gzip(16, &gz);
	collect_unpack(&c, NULL, gz.data, gz.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.entries, 1);
	assert_memory_equal(c.data.data, "nested\n", 7);
	collected_free(&c);
	it_buf_free(&gz);
}

static void test_entry_and_total_limits(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	for (int i = 0; i < 5; i++) {
		it_buf_puts(&img, "pad");
		assert_int_equal(run_filter("seq 1 400000 | head -c 2M | gzip -n", NULL, 0, &img),
		                 0);
	}
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_entries = 3;
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, &l);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_LIMIT);
	assert_int_equal(c.entries, 3);
	collected_free(&c);

	it_unpack_limits_default(&l);
	l.max_total_bytes = 5u << 20;
	collect_unpack(&c, NULL, img.data, img.len, &l);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_LIMIT);
	assert_non_null(strstr(c.err.message, "--max-total"));
	collected_free(&c);

	it_unpack_limits_default(&l);
	l.max_file_bytes = 1u << 20;
	collect_unpack(&c, NULL, img.data, img.len, &l);
	assert_int_equal(c.err.code, IT_ERR_LIMIT);
	assert_non_null(strstr(c.err.message, "--max-file"));
	collected_free(&c);
	it_buf_free(&img);
}

static int stop_at_first(void *user, const struct it_entry *e)
{
	(void)e;
	(*(int *)user)++;
	return 1;
}

static void test_cancel(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	assert_int_equal(
	        run_filter("(echo a | gzip -n; echo b | gzip -n; echo c | gzip -n)", NULL, 0, &img),
	        0);
	struct it_unpack_options o;
	struct it_unpack_stats st;
	struct it_error err = IT_ERROR_INIT;
	int seen = 0;
	it_unpack_options_default(&o);
	o.on_entry = stop_at_first;
	o.user = &seen;
	/* concatenated members are one gzip stream: one payload, then stop */
	assert_int_equal(it_unpack_memory(img.data, img.len, "t", &o, &st, &err), -1);
	assert_int_equal(err.code, IT_ERR_CANCELLED);
	assert_int_equal(seen, 1);
	it_error_clear(&err);
	it_buf_free(&img);
}

static void test_no_container_is_one_payload(void **state)
{
	(void)state;
	const char text[] = "just some bytes, no container here";
	struct collected c;
	collect_unpack(&c, NULL, (const uint8_t *)text, sizeof text - 1, NULL);
	assert_int_equal(c.rc, 0);
	assert_string_equal(it_buf_str(&c.listing), "data 0644 34 t\n");
	collected_free(&c);
}

static int extract_all(void *user, const struct it_entry *e)
{
	struct it_error err = IT_ERROR_INIT;
	int r = it_extractor_put(user, e, &err);
	it_error_clear(&err);
	return r < 0;
}

static void test_extractor_symlink_escape(void **state)
{
	(void)state;
	char dir[] = "/tmp/iotrust-x-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct it_extractor *x;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_extractor_open(&x, dir, &err), 0);

	/* a payload entry, written via the engine */
	struct it_buf gz = IT_BUF_INIT;
	assert_int_equal(run_filter("echo payload | gzip -n", NULL, 0, &gz), 0);
	struct it_unpack_options o;
	struct it_unpack_stats st;
	it_unpack_options_default(&o);
	o.on_entry = extract_all;
	o.user = x;
	assert_int_equal(it_unpack_memory(gz.data, gz.len, "img/1", &o, &st, &err), 0);
	struct it_buf p = IT_BUF_INIT;
	it_buf_printf(&p, "%s/img%%2F1:gzip", dir);
	struct stat sb;
	assert_int_equal(stat(it_buf_str(&p), &sb), 0);
	assert_int_equal(sb.st_size, 8);

	/* a symlink to /tmp, then a directory "through" it: refused */
	struct it_entry e;
	memset(&e, 0, sizeof e);
	e.chain = "t:tar";
	e.path = "link";
	e.type = IT_ENTRY_SYMLINK;
	e.link_target = "/tmp";
	e.mode = 0777;
	assert_int_equal(it_extractor_put(x, &e, &err), 0);
	e.path = "link/iotrust-escaped-dir";
	e.type = IT_ENTRY_DIR;
	e.link_target = NULL;
	assert_int_equal(it_extractor_put(x, &e, &err), -1);
	assert_int_equal(err.code, IT_ERR_UNSAFE);
	it_error_clear(&err);
	assert_int_not_equal(access("/tmp/iotrust-escaped-dir", F_OK), 0);
	/* the link itself is kept, target unchanged */
	char target[64] = {0};
	it_buf_truncate(&p, 0);
	it_buf_printf(&p, "%s/t:tar/link", dir);
	assert_int_equal(readlink(it_buf_str(&p), target, sizeof target - 1), 4);
	assert_string_equal(target, "/tmp");
	/* ".." slipping past the engine is refused by the extractor too */
	e.path = "a/../../x";
	assert_int_equal(it_extractor_put(x, &e, &err), -1);
	assert_int_equal(err.code, IT_ERR_UNSAFE);
	it_error_clear(&err);

	it_extractor_close(x);
	it_buf_truncate(&p, 0);
	it_buf_printf(&p, "rm -rf '%s'", dir);
	assert_int_equal(system(it_buf_str(&p)), 0);
	it_buf_free(&p);
	it_buf_free(&gz);
}

static void test_buf_and_error(void **state)
{
	(void)state;
	struct it_buf b = IT_BUF_INIT;
	assert_string_equal(it_buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(it_buf_printf(&b, "%d,", i), 0);
	assert_int_equal(b.data[b.len], 0);
	assert_int_equal(strncmp(it_buf_str(&b), "0,1,2,", 6), 0);
	it_buf_truncate(&b, 2);
	assert_string_equal(it_buf_str(&b), "0,");
	char *s = it_buf_detach(&b);
	assert_string_equal(s, "0,");
	free(s);
	assert_null(b.data);

	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_error_set(&err, IT_ERR_INPUT, "fw.bin:squashfs", 0x40, "bad %s", "x"),
	                 -1);
	it_error_prefix(&err, "reading '%s'", "etc/passwd");
	char *m = it_error_format(&err);
	assert_string_equal(m, "fw.bin:squashfs: offset 0x40 (64): reading 'etc/passwd': bad x");
	free(m);
	assert_int_equal(it_error_exit_code(err.code), 3);
	it_error_set_line(&err, IT_ERR_INPUT, "p.yaml", 3, 7, "unknown key");
	m = it_error_format(&err);
	assert_string_equal(m, "p.yaml:3:7: unknown key");
	free(m);
	it_error_clear(&err);
	assert_int_equal(it_error_exit_code(IT_ERR_USAGE), 2);
	assert_int_equal(it_error_exit_code(IT_ERR_LIMIT), 3);
	assert_int_equal(it_error_exit_code(IT_ERR_IO), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_path_rules),
	        cmocka_unit_test(test_depth_limit),
	        cmocka_unit_test(test_entry_and_total_limits),
	        cmocka_unit_test(test_cancel),
	        cmocka_unit_test(test_no_container_is_one_payload),
	        cmocka_unit_test(test_extractor_symlink_escape),
	        cmocka_unit_test(test_buf_and_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the gzip reader: round trip through gzip(1), concatenated
 * members, truncation, a bomb stopped by the ratio limit, carving at an offset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

static void gzip_of(const char *text, struct it_buf *out)
{
	assert_int_equal(run_filter("gzip -9n", (const uint8_t *)text, strlen(text), out), 0);
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct it_buf gz = IT_BUF_INIT;
	gzip_of("hello firmware\n", &gz);
	struct collected c;
	collect_unpack(&c, "gzip", gz.data, gz.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "data 0644 15 t:gzip\n"));
	assert_memory_equal(c.data.data, "hello firmware\n", 15);
	collected_free(&c);
	it_buf_free(&gz);
}

static void test_concatenated_members(void **state)
{
	(void)state;
	struct it_buf gz = IT_BUF_INIT;
	gzip_of("part one;", &gz);
	gzip_of("part two", &gz);
	struct collected c;
	collect_unpack(&c, "gzip", gz.data, gz.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_int_equal(c.data.len, 17);
	assert_memory_equal(c.data.data, "part one;part two", 17);
	collected_free(&c);
	it_buf_free(&gz);
}

static void test_truncated_is_input_error(void **state)
{
	(void)state;
	struct it_buf gz = IT_BUF_INIT;
	char text[4000];
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (char)('a' + (i * 7919) % 26);
	text[sizeof text - 1] = 0;
	gzip_of(text, &gz);
	struct collected c;
	collect_unpack(&c, "gzip", gz.data, gz.len / 2, NULL);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_INPUT);
	assert_non_null(strstr(c.err.message, "truncated"));
	assert_string_equal(c.err.where, "t:gzip");
	collected_free(&c);
	it_buf_free(&gz);
}

static void test_bomb_stopped_by_ratio(void **state)
{
	(void)state;
	struct it_buf gz = IT_BUF_INIT;
	assert_int_equal(run_filter("head -c 64M /dev/zero | gzip -1n", NULL, 0, &gz), 0);
	struct it_unpack_limits l;
	it_unpack_limits_default(&l);
	l.max_ratio = 100;
	struct collected c;
	collect_unpack(&c, NULL, gz.data, gz.len, &l);
	assert_int_equal(c.rc, -1);
	assert_int_equal(c.err.code, IT_ERR_LIMIT);
	assert_non_null(strstr(c.err.message, "ratio"));
	assert_int_equal(c.entries, 0);
	collected_free(&c);
	it_buf_free(&gz);
}

static void test_carved_at_offset(void **state)
{
	(void)state;
	struct it_buf img = IT_BUF_INIT;
	it_buf_append(&img, "VENDORHEADER-0123456789abcdef", 29);
	gzip_of("kernel bytes", &img);
	struct collected c;
	collect_unpack(&c, NULL, img.data, img.len, NULL);
	assert_int_equal(c.rc, 0);
	assert_true(listing_has(&c, "data 0644 12 t@0x1d:gzip\n"));
	collected_free(&c);
	it_buf_free(&img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_roundtrip),
	        cmocka_unit_test(test_concatenated_members),
	        cmocka_unit_test(test_truncated_is_input_error),
	        cmocka_unit_test(test_bomb_stopped_by_ratio),
	        cmocka_unit_test(test_carved_at_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The filesystem inspector over trees packed by the real tar with real modes and, via
 * GNU tar's --owner-map, real owners: world-writable entries (sticky and temporary
 * directories excepted), setuid/setgid programs, system files of non-root owners, the
 * per-check cap, and an image packed entirely by one build user.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "testinspect.h"
#include "testutil.h"

static void put(const struct test_dir *d, const char *rel, unsigned mode)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", d->dir, rel);
	assert_int_equal(test_sh("mkdir -p \"$(dirname '%s')\" && echo x > '%s'", path, path), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void dir(const struct test_dir *d, const char *rel, unsigned mode)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", d->dir, rel);
	assert_int_equal(test_sh("mkdir -p '%s'", path), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static const struct it_finding *expect_one(const struct test_inspect *t, const char *id,
                                           const char *path, int sev)
{
	if (test_findings(t, id, path) != 1)
		test_inspect_dump(t);
	assert_int_equal(test_findings(t, id, path), 1);
	const struct it_finding *f = test_finding(t, id, path);
	assert_int_equal((int)f->severity, sev);
	return f;
}

static void test_modes(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "fs-modes"), 0);
	dir(&d, "tmp", 01777);            /* sticky: fine */
	put(&d, "tmp/scratch", 0666);     /* inside tmp: fine */
	put(&d, "var/run/app.pid", 0666); /* inside var/run: fine */
	dir(&d, "www/upload", 0777);      /* no sticky bit */
	dir(&d, "var/spool", 0777);
	put(&d, "etc/config/network", 0666);
	put(&d, "usr/bin/tool", 0777);
	put(&d, "var/log/app.log", 0666);
	put(&d, "bin/busybox", 04755);
	put(&d, "usr/bin/su", 04755);
	put(&d, "usr/bin/wall", 02755);
	put(&d, "usr/bin/plain", 0755);
	dir(&d, "var/mail", 02775); /* setgid directory: not a program */
	assert_int_equal(
	        test_sh("ln -s busybox '%s/bin/sh' && ln -s /tmp '%s/var/tmp'", d.dir, d.dir), 0);
	assert_int_equal(test_sh("ln '%s/usr/bin/su' '%s/usr/bin/su2'", d.dir, d.dir), 0);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	const struct it_finding *f =
	        expect_one(&t, "fs.world-writable", "www/upload", IT_SEV_MEDIUM);
	assert_string_equal(f->message,
	                    "www/upload is a world-writable directory without the sticky bit "
	                    "(mode 0777)");
	expect_one(&t, "fs.world-writable", "var/spool", IT_SEV_MEDIUM);
	expect_one(&t, "fs.world-writable", "etc/config/network", IT_SEV_HIGH);
	expect_one(&t, "fs.world-writable", "usr/bin/tool", IT_SEV_HIGH);
	expect_one(&t, "fs.world-writable", "var/log/app.log", IT_SEV_MEDIUM);
	assert_int_equal(test_findings(&t, "fs.world-writable", NULL), 5);
	f = expect_one(&t, "fs.setuid", "bin/busybox", IT_SEV_HIGH);
	assert_non_null(strstr(f->message, "every BusyBox applet"));
	f = expect_one(&t, "fs.setuid", "usr/bin/su", IT_SEV_MEDIUM);
	assert_string_equal(f->message, "usr/bin/su is setuid root (mode 4755)");
	expect_one(&t, "fs.setuid", "usr/bin/wall", IT_SEV_LOW);
	/* the hard link su2 is the same file as su: reported once, under su */
	assert_int_equal(test_findings(&t, "fs.setuid", NULL), 3);
	assert_int_equal(test_findings(&t, "fs.non-root-owned-system-file", NULL), 0);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* 60 world-writable files: 50 findings, then one summary counting the other 10. */
static void test_cap(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "fs-cap"), 0);
	assert_int_equal(test_sh("mkdir -p '%s/data' && cd '%s/data' && for i in $(seq 1 60); do "
	                         "echo x > f$i; chmod 0666 f$i; done",
	                         d.dir, d.dir),
	                 0);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(test_findings(&t, "fs.world-writable", NULL), 51);
	const struct it_finding *f = NULL;
	for (size_t i = 0; i < it_inspect_finding_count(t.in); i++) {
		const struct it_finding *x = it_inspect_finding(t.in, i);
		if (strcmp(x->check->id, "fs.world-writable") == 0 && !x->path[0])
			f = x;
	}
	assert_non_null(f);
	assert_non_null(strstr(f->message, "and 10 more world-writable entries"));
	test_inspect_free(&t);
	test_dir_close(&d);
}

static void owners_tree(const struct test_dir *d)
{
	const char *files[] = {"bin/sh",         "bin/ls",
	                       "sbin/init",      "lib/libc.so.6",
	                       "usr/bin/app",    "usr/lib/libx.so",
	                       "etc/passwd",     "etc/hosts",
	                       "etc/init.d/rcS", "usr/share/app/data",
	                       "home/user/notes"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		put(d, files[i], 0755);
}

static void test_owners(void **state)
{
	(void)state;
	struct test_dir d;
	char map[600];
	/* mostly root; two system files and a home file of uid 1000 */
	assert_int_equal(test_dir_open(&d, "fs-own"), 0);
	owners_tree(&d);
	assert_int_equal(
	        test_sh("cd '%s' && chown 1000:1000 usr/bin/app etc/hosts home/user/notes && "
	                "printf '+1000 +1000\\n' > %s.map",
	                d.dir, d.dir),
	        0);
	snprintf(map, sizeof(map), "--owner-map=%s.map", d.dir);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, map);
	const struct it_finding *f =
	        expect_one(&t, "fs.non-root-owned-system-file", "usr/bin/app", IT_SEV_MEDIUM);
	assert_string_equal(f->message, "usr/bin/app is owned by uid 1000, not root");
	expect_one(&t, "fs.non-root-owned-system-file", "etc/hosts", IT_SEV_MEDIUM);
	assert_int_equal(test_findings(&t, "fs.non-root-owned-system-file", NULL), 2);
	test_inspect_free(&t);
	test_sh("rm -f %s.map", d.dir);
	test_dir_close(&d);

	/* everything owned by the build user: one finding for the whole file system */
	assert_int_equal(test_dir_open(&d, "fs-own2"), 0);
	owners_tree(&d);
	assert_int_equal(test_sh("printf '+0 +1000\\n' > %s.map", d.dir), 0);
	snprintf(map, sizeof(map), "--owner-map=%s.map", d.dir);
	test_inspect_tree(&t, d.dir, map);
	assert_int_equal(test_findings(&t, "fs.non-root-owned-system-file", NULL), 1);
	f = test_finding(&t, "fs.non-root-owned-system-file", NULL);
	assert_string_equal(f->path, "");
	assert_non_null(strstr(f->message, "owned by uid 1000"));
	assert_non_null(strstr(f->message, "packed by a non-root build user"));
	test_inspect_free(&t);
	test_sh("rm -f %s.map", d.dir);
	test_dir_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_modes),
	        cmocka_unit_test(test_cap),
	        cmocka_unit_test(test_owners),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

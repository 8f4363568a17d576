/*
 * Output files (src/util/outfile.c): a committed file is complete, an aborted one leaves
 * the previous file untouched and no temporary behind, and a target that is not a
 * regular file (a FIFO here, standing in for /dev/null) is written in place and stays
 * what it was (renaming over /dev/null once turned it into a file for the whole machine).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "iotrust/outfile.h"

struct dir {
	char path[64];
	char file[96];
};

static void dir_make(struct dir *d)
{
	strcpy(d->path, "/tmp/iotrust-outfile-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->file, sizeof d->file, "%s/out", d->path);
}

/* Entries of the directory (temporary files left behind show up here). */
static int entries(const struct dir *d)
{
	DIR *dp = opendir(d->path);
	assert_non_null(dp);
	int n = 0;
	for (struct dirent *e; (e = readdir(dp));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(dp);
	return n;
}

static void dir_remove(struct dir *d)
{
	unlink(d->file);
	assert_int_equal(rmdir(d->path), 0);
}

static void slurp(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t got = fread(out, 1, n - 1, f);
	out[got] = 0;
	fclose(f);
}

static void test_commit_replaces(void **state)
{
	(void)state;
	struct dir d;
	dir_make(&d);
	struct it_outfile o;
	struct it_error err = IT_ERROR_INIT;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(it_outfile_open(&o, d.file, &err), 0);
		fprintf(o.f, "round %d\n", round);
		assert_int_equal(it_outfile_commit(&o, &err), 0);
	}
	char buf[64];
	slurp(d.file, buf, sizeof buf);
	assert_string_equal(buf, "round 1\n");
	assert_int_equal(entries(&d), 1);
	dir_remove(&d);
}

static void test_abort_keeps_previous(void **state)
{
	(void)state;
	struct dir d;
	dir_make(&d);
	struct it_outfile o;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_outfile_open(&o, d.file, &err), 0);
	fputs("good\n", o.f);
	assert_int_equal(it_outfile_commit(&o, &err), 0);
	assert_int_equal(it_outfile_open(&o, d.file, &err), 0);
	fputs("half of a bad", o.f);
	it_outfile_abort(&o);
	char buf[64];
	slurp(d.file, buf, sizeof buf);
	assert_string_equal(buf, "good\n");
	assert_int_equal(entries(&d), 1);
	dir_remove(&d);
}

static void test_fifo_written_in_place(void **state)
{
	(void)state;
	struct dir d;
	dir_make(&d);
	assert_int_equal(mkfifo(d.file, 0600), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) { /* the reader: exit 0 when it got exactly the text */
		char buf[64];
		slurp(d.file, buf, sizeof buf);
		_exit(strcmp(buf, "through the pipe\n") == 0 ? 0 : 1);
	}
	struct it_outfile o;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_outfile_open(&o, d.file, &err), 0);
	fputs("through the pipe\n", o.f);
	assert_int_equal(it_outfile_commit(&o, &err), 0);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	struct stat st;
	assert_int_equal(stat(d.file, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(entries(&d), 1);
	dir_remove(&d);
}

static void test_directory_refused(void **state)
{
	(void)state;
	struct dir d;
	dir_make(&d);
	struct it_outfile o;
	struct it_error err = IT_ERROR_INIT;
	assert_int_equal(it_outfile_open(&o, d.path, &err), -1);
	assert_int_equal(err.code, IT_ERR_USAGE);
	assert_non_null(strstr(err.message, "is a directory"));
	it_error_clear(&err);
	assert_int_equal(entries(&d), 0);
	assert_int_equal(rmdir(d.path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_commit_replaces),
	        cmocka_unit_test(test_abort_keeps_previous),
	        cmocka_unit_test(test_fifo_written_in_place),
	        cmocka_unit_test(test_directory_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

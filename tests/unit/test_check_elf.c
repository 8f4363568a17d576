/*
 * ELF hardening inspector (check_elf.c): small real programs built with gcc, and with
 * clang + ld.lld for MIPS, ARM, AArch64, x86, PowerPC and RISC-V in both byte orders,
 * packed with a C library into a tar and scanned; and the armel ELFs of Debian's DNS-320
 * netboot image. Every elf.* check must fire exactly where checksec 2.6.0 says so (the
 * expectations were checked against it), and nowhere else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testinspect.h"
#include "testutil.h"

#define sh(...)   assert_int_equal(test_sh(__VA_ARGS__), 0)
#define HOST_LIBC "/lib/x86_64-linux-gnu/libc.so.6"

static const char *const elf_ids[] = {
        "elf.no-nx",      "elf.no-pie", "elf.no-relro",     "elf.partial-relro",    "elf.no-canary",
        "elf.no-fortify", "elf.rpath",  "elf.not-stripped", "elf.dangerous-import", NULL};

/* The elf.* checks at path (a suffix) are exactly those of want (NULL-terminated). */
static void expect_exactly(const struct test_inspect *t, const char *path, const char *const *want)
{
	int bad = 0;
	for (size_t i = 0; elf_ids[i]; i++) {
		size_t exp = 0;
		for (size_t j = 0; want[j]; j++)
			if (strcmp(want[j], elf_ids[i]) == 0)
				exp = 1;
		size_t got = test_findings(t, elf_ids[i], path);
		if (got != exp) {
			fprintf(stderr, "%s: %zu %s finding(s), expected %zu\n", path, got,
			        elf_ids[i], exp);
			bad = 1;
		}
	}
	if (bad) {
		test_inspect_dump(t);
		fail();
	}
}

#define EXPECT(t, path, ...)                                                                       \
	do {                                                                                       \
		const char *const want_[] = {__VA_ARGS__, NULL};                                   \
		expect_exactly((t), (path), want_);                                                \
	} while (0)
#define EXPECT_NONE(t, path)                                                                       \
	do {                                                                                       \
		const char *const want_[] = {NULL};                                                \
		expect_exactly((t), (path), want_);                                                \
	} while (0)

static size_t count_prefix(const struct test_inspect *t, const char *prefix)
{
	size_t n = 0;
	for (size_t i = 0; i < it_inspect_finding_count(t->in); i++)
		if (strncmp(it_inspect_finding(t->in, i)->check->id, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* ELF files as firmware has them, patched in place: without the section header table (what
 * sstrip does; the loader never reads it), without PT_GNU_STACK (turned into PT_NULL: what
 * old toolchains, MIPS ones above all, produced), or bound immediately by DF_1_NOW alone
 * (DT_FLAGS turned into an ignored tag, as some linkers emit it). */
enum patch { DROP_SECTIONS, DROP_GNU_STACK, DROP_DT_FLAGS };

static uint64_t get_n(const uint8_t *p, int n, int big)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

static void patch_elf(const char *path, enum patch what)
{
	struct it_buf b = IT_BUF_INIT;
	assert_int_equal(read_file(path, &b), 0);
	uint8_t *d = b.data;
	assert_true(b.len > 64 && memcmp(d, "\177ELF", 4) == 0);
	int is64 = d[4] == 2, big = d[5] == 2;
	if (what == DROP_SECTIONS) {
		memset(d + (is64 ? 0x28 : 0x20), 0, is64 ? 8 : 4); /* e_shoff */
		memset(d + (is64 ? 0x3c : 0x30), 0, 4);            /* e_shnum, e_shstrndx */
	} else {
		uint64_t phoff = get_n(d + (is64 ? 0x20 : 0x1c), is64 ? 8 : 4, big);
		uint64_t phent = get_n(d + (is64 ? 0x36 : 0x2a), 2, big);
		uint64_t phnum = get_n(d + (is64 ? 0x38 : 0x2c), 2, big);
		int found = 0;
		for (uint64_t i = 0; i < phnum; i++) {
			assert_true(phoff + (i + 1) * phent <= b.len);
			uint8_t *ph = d + phoff + i * phent;
			uint64_t type = get_n(ph, 4, big);
			if (what == DROP_GNU_STACK && type == 0x6474e551) {
				memset(ph, 0, 4);
				found = 1;
			} else if (what == DROP_DT_FLAGS && type == 2 /* PT_DYNAMIC */) {
				int w = is64 ? 8 : 4;
				uint64_t off = get_n(ph + (is64 ? 8 : 4), w, big);
				uint64_t sz = get_n(ph + (is64 ? 32 : 16), w, big);
				assert_true(off + sz <= b.len);
				for (uint64_t o = off; o + 2 * w <= off + sz; o += 2 * w)
					if (get_n(d + o, w, big) == 30 /* DT_FLAGS */) {
						/* DT_GNU_PRELINKED: a tag the loader ignores */
						uint64_t tag = 0x6ffffdf5;
						for (int k = 0; k < w; k++)
							d[o + (big ? k : w - 1 - k)] =
							        (uint8_t)(tag >> (8 * (w - 1 - k)));
						found = 1;
					}
			}
		}
		assert_true(found);
	}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	assert_int_equal(fclose(f), 0);
	it_buf_free(&b);
}

static const char weak_c[] =
        "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
        "char *gets(char *);\n"
        "int main(int argc, char **argv)\n{\n\tchar buf[64];\n"
        "\tif (argc > 1) {\n\t\tstrcpy(buf, argv[1]);\n"
        "\t\tsprintf(buf + 32, \"%d %s\", argc, argv[0]);\n\t}\n"
        "\tif (argc > 2)\n\t\tgets(buf);\n\tprintf(\"%s\\n\", buf);\n\treturn system(buf);\n}\n";

static const char hard_c[] =
        "#include <stdio.h>\n#include <string.h>\n"
        "int main(int argc, char **argv)\n{\n\tchar buf[16];\n"
        "\tif (argc > 1) {\n\t\tstrcpy(buf, argv[1]);\n\t\tprintf(\"%s\\n\", buf);\n\t}\n"
        "\treturn 0;\n}\n";

static const char lib_c[] = "#include <stdio.h>\n#include <string.h>\n"
                            "int lib_fmt(const char *s, int n)\n{\n\tchar buf[32];\n"
                            "\tstrcpy(buf, s);\n\tsprintf(buf + 16, \"%d\", n);\n"
                            "\treturn printf(\"%s\\n\", buf);\n}\n";

#define HARDEN "-O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong"

/* Host programs with every weakness and with none, libraries, and things that look like
 * ELF but are not programs; the image has the host's glibc as its C library. */
static void build_host_tree(const char *d, int with_libc)
{
	put(d, "weak.c", weak_c);
	put(d, "hard.c", hard_c);
	put(d, "lib.c", lib_c);
	sh("mkdir -p %s/root/bin %s/root/lib/firmware %s/root/lib/modules %s/root/usr/lib", d, d, d,
	   d);
	if (with_libc)
		sh("cp " HOST_LIBC " %s/root/lib/libc.so.6", d);
	sh("cd %s && gcc -O0 -fno-stack-protector -U_FORTIFY_SOURCE -z execstack -no-pie "
	   "-Wl,-z,norelro -Wl,-rpath,/tmp -o root/bin/weak weak.c",
	   d);
	if (!with_libc)
		return;
	sh("cd %s && cp root/bin/weak root/bin/weak-sstrip && strip root/bin/weak-sstrip", d);
	sh("cd %s && gcc " HARDEN " -fPIE -pie -Wl,-z,relro -Wl,-z,now -s -o root/bin/hard hard.c",
	   d);
	sh("cd %s && cp root/bin/hard root/bin/hard-sstrip", d);
	sh("cd %s && gcc " HARDEN " -Wl,-z,relro -Wl,-z,lazy -s -o root/bin/lazy hard.c", d);
	sh("cd %s && cp root/bin/hard root/bin/now1", d);
	sh("cd %s && gcc -g " HARDEN " -Wl,-z,relro -Wl,-z,now -o root/bin/debugged hard.c", d);
	sh("cd %s && gcc -shared -fPIC -O0 -fno-stack-protector -U_FORTIFY_SOURCE -z execstack "
	   "-Wl,-z,norelro -s -o root/usr/lib/libweak.so lib.c",
	   d);
	sh("cd %s && gcc -shared -fPIC " HARDEN
	   " -Wl,-z,relro,-z,now -s -o root/usr/lib/libhard.so "
	   "lib.c",
	   d);
	sh("cd %s && gcc -shared -fPIC " HARDEN " -Wl,-z,relro,-z,now -Wl,-rpath,'$ORIGIN/../lib' "
	   "-s -o root/usr/lib/liborigin.so lib.c",
	   d);
	sh("cd %s && gcc -c -O2 -o root/lib/modules/mod.ko lib.c", d);
	sh("cd %s && cp root/bin/weak root/lib/firmware/wifi.elf", d);
	sh("cd %s && mkdir -p root/usr/lib/debug/bin && "
	   "objcopy --only-keep-debug root/bin/debugged root/usr/lib/debug/bin/debugged.debug",
	   d);
	sh("cd %s && head -c 1000 root/bin/weak > root/bin/truncated", d);
	put(d, "root/bin/junk",
	    "\177ELF-this is a text file that starts like an ELF file but is junk\n"
	    "\177ELF\001\002\001 and more junk after it, long enough for a header...\n");
	char p[256];
	snprintf(p, sizeof p, "%s/root/bin/weak-sstrip", d);
	patch_elf(p, DROP_SECTIONS);
	snprintf(p, sizeof p, "%s/root/bin/hard-sstrip", d);
	patch_elf(p, DROP_SECTIONS);
	snprintf(p, sizeof p, "%s/root/bin/now1", d);
	patch_elf(p, DROP_DT_FLAGS);
}

static int have_host_libc(void)
{
	FILE *f = fopen(HOST_LIBC, "rb");
	if (f)
		fclose(f);
	return f != NULL;
}

static void test_host_programs(void **state)
{
	(void)state;
	if (!have_host_libc())
		skip();
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "elf"), 0);
	build_host_tree(d.dir, 1);
	char root[128];
	snprintf(root, sizeof root, "%s/root", d.dir);
	struct test_inspect t;
	test_inspect_tree(&t, root, "");

	EXPECT(&t, "bin/weak", "elf.no-nx", "elf.no-pie", "elf.no-relro", "elf.no-canary",
	       "elf.no-fortify", "elf.rpath", "elf.not-stripped", "elf.dangerous-import");
	const struct it_finding *f = test_finding(&t, "elf.no-nx", "bin/weak");
	assert_string_equal(f->evidence, "PT_GNU_STACK RWE");
	assert_int_equal(f->severity, IT_SEV_HIGH);
	f = test_finding(&t, "elf.rpath", "bin/weak");
	assert_string_equal(f->evidence, "RUNPATH=/tmp");
	assert_int_equal(f->severity, IT_SEV_HIGH); /* /tmp is writable by anyone */
	f = test_finding(&t, "elf.dangerous-import", "bin/weak");
	assert_int_equal(f->severity, IT_SEV_HIGH); /* gets */
	assert_non_null(strstr(f->evidence, "gets"));
	assert_non_null(strstr(f->evidence, "strcpy"));
	assert_non_null(strstr(f->evidence, "sprintf"));
	assert_non_null(strstr(f->evidence, "system"));
	f = test_finding(&t, "elf.no-fortify", "bin/weak");
	assert_non_null(strstr(f->evidence, "strcpy"));
	assert_non_null(strstr(f->evidence, "lib/libc.so.6"));
	assert_string_equal(test_finding(&t, "elf.no-pie", "bin/weak")->evidence,
	                    "ET_EXEC, dynamically linked");
	assert_int_equal(test_finding(&t, "elf.not-stripped", "bin/weak")->severity, IT_SEV_INFO);

	/* section headers gone: the loader's view (DT_SYMTAB, DT_GNU_HASH) still shows it all */
	EXPECT(&t, "bin/weak-sstrip", "elf.no-nx", "elf.no-pie", "elf.no-relro", "elf.no-canary",
	       "elf.no-fortify", "elf.rpath", "elf.dangerous-import");
	EXPECT_NONE(&t, "bin/hard");
	EXPECT_NONE(&t, "bin/hard-sstrip"); /* checksec: no canary, no fortify (it is blind) */
	EXPECT(&t, "bin/lazy", "elf.partial-relro");
	EXPECT_NONE(&t, "bin/now1"); /* DF_1_NOW binds now; checksec: "Partial RELRO" */
	EXPECT(&t, "bin/debugged", "elf.not-stripped");
	f = test_finding(&t, "elf.not-stripped", "bin/debugged");
	assert_int_equal(f->severity, IT_SEV_LOW);
	assert_non_null(strstr(f->evidence, ".debug_"));

	/* shared libraries: never elf.no-pie (checksec says "DSO") */
	EXPECT(&t, "usr/lib/libweak.so", "elf.no-nx", "elf.no-relro", "elf.no-canary",
	       "elf.no-fortify", "elf.dangerous-import");
	EXPECT_NONE(&t, "usr/lib/libhard.so");
	EXPECT(&t, "usr/lib/liborigin.so", "elf.rpath");
	f = test_finding(&t, "elf.rpath", "usr/lib/liborigin.so");
	assert_string_equal(f->evidence, "RUNPATH=$ORIGIN/../lib");
	assert_int_equal(f->severity, IT_SEV_LOW);

	/* the C library itself, an object file, device firmware, damaged files */
	EXPECT(&t, "lib/libc.so.6", "elf.partial-relro"); /* Debian's glibc: no BIND_NOW */
	EXPECT_NONE(&t, "lib/modules/mod.ko");
	EXPECT_NONE(&t, "lib/firmware/wifi.elf");
	EXPECT_NONE(&t, "usr/lib/debug/bin/debugged.debug");
	EXPECT_NONE(&t, "bin/truncated");
	EXPECT_NONE(&t, "bin/junk");
	assert_int_equal(count_prefix(&t, "elf."), 8 + 7 + 1 + 1 + 5 + 1 + 1);
	/* ELF objects read: libc, weak, weak-sstrip, hard, hard-sstrip, now1, lazy, debugged,
	 * three libraries, mod.ko, wifi.elf, debugged.debug, truncated (read, not judged);
	 * junk is no ELF. */
	assert_int_equal(it_inspect_stats(t.in)->elf_files, 15);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* Without a C library in the image there is nothing to judge FORTIFY by. */
static void test_no_libc_no_fortify(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "elf"), 0);
	build_host_tree(d.dir, 0);
	char root[128];
	snprintf(root, sizeof root, "%s/root", d.dir);
	struct test_inspect t;
	test_inspect_tree(&t, root, "");
	EXPECT(&t, "bin/weak", "elf.no-nx", "elf.no-pie", "elf.no-relro", "elf.no-canary",
	       "elf.rpath", "elf.not-stripped", "elf.dangerous-import");
	assert_int_equal(test_findings(&t, "elf.no-fortify", NULL), 0);
	assert_int_equal(it_inspect_stats(t.in)->elf_files, 1);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* ELF identifications with every class and byte order, then zeros or 0xff: nothing is
 * reported, nothing crashes. */
static void test_junk_headers(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "elf"), 0);
	sh("mkdir -p %s/root/bin", d.dir);
	for (int i = 0; i < 8; i++) {
		char name[128];
		uint8_t b[200];
		memset(b, i & 1 ? 0xff : 0, sizeof b);
		memcpy(b, "\177ELF", 4);
		b[4] = (uint8_t)(i & 3);        /* class: none, 32, 64, bad */
		b[5] = (uint8_t)(1 + (i >> 2)); /* LSB, MSB */
		b[6] = 1;
		snprintf(name, sizeof name, "%s/root/bin/junk%d", d.dir, i);
		FILE *f = fopen(name, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(b, 1, sizeof b, f), sizeof b);
		assert_int_equal(fclose(f), 0);
	}
	char root[128];
	snprintf(root, sizeof root, "%s/root", d.dir);
	struct test_inspect t;
	test_inspect_tree(&t, root, "");
	assert_int_equal(count_prefix(&t, "elf."), 0);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* --- other architectures, built with clang and ld.lld ------------------------------- */

static const char cross_libc_c[] =
        "typedef unsigned long size_t;\n"
        "char *strcpy(char *d, const char *s)\n{\n\tchar *r = d;\n"
        "\twhile ((*d++ = *s++) != 0)\n\t\tcontinue;\n\treturn r;\n}\n"
        "char *__strcpy_chk(char *d, const char *s, size_t n)\n{\n\t(void)n;\n"
        "\treturn strcpy(d, s);\n}\n"
        "int system(const char *c)\n{\n\treturn c != 0;\n}\n"
        "void __stack_chk_fail(void)\n{\n\tfor (;;)\n\t\tcontinue;\n}\n"
        "unsigned long __stack_chk_guard = 0x12345678;\n"
        "void __stack_smash_handler(const char *f, int d)\n{\n\t(void)f;\n\t(void)d;\n}\n";
static const char cross_weak_c[] =
        "char *strcpy(char *, const char *);\nint system(const char *);\n"
        "int main(int argc, char **argv)\n{\n\tchar b[32];\n\tstrcpy(b, argv[0]);\n"
        "\treturn system(b) + argc;\n}\n";
static const char cross_hard_c[] =
        "typedef unsigned long size_t;\nchar *__strcpy_chk(char *, const char *, size_t);\n"
        "int main(int argc, char **argv)\n{\n\tchar b[32];\n"
        "\t__strcpy_chk(b, argv[0], sizeof b);\n\treturn b[1] + argc;\n}\n";
/* uClibc's old ProPolice guard instead of __stack_chk_fail */
static const char cross_smash_c[] = "void __stack_smash_handler(const char *, int);\n"
                                    "int main(int argc, char **argv)\n{\n\tif (!argv[0])\n"
                                    "\t\t__stack_smash_handler(\"main\", argc);\n\treturn 0;\n}\n";

static const struct cross {
	const char *target;
	int mips;       /* lld: no RELRO and no .gnu.hash on MIPS */
	int nx_default; /* 64-bit x86/AArch64: a missing PT_GNU_STACK is medium */
} crosses[] = {
        {"mips-linux-gnu", 1, 0},        {"mipsel-linux-gnu", 1, 0},
        {"mips64-linux-gnuabi64", 1, 0}, {"arm-linux-gnueabi", 0, 0},
        {"aarch64-linux-gnu", 0, 1},     {"i386-linux-gnu", 0, 0},
        {"x86_64-linux-gnu", 0, 1},      {"powerpc-linux-gnu", 0, 0},
        {"powerpc64-linux-gnu", 0, 0},   {"powerpc64le-linux-gnu", 0, 0},
        {"riscv32-linux-gnu", 0, 0},     {"riscv64-linux-gnu", 0, 0},
};
#define N_CROSS (sizeof crosses / sizeof crosses[0])

static void build_cross(const char *d, const struct cross *c)
{
	const char *t = c->target, *hash = c->mips ? "sysv" : "gnu";
	sh("cd %s && mkdir -p %s/lib %s/bin && "
	   "clang --target=%s -O1 -fPIC -ffreestanding -fno-stack-protector -c libc.c -o %s/libc.o "
	   "&& ld.lld -shared -soname libc.so.6 %s/libc.o -o %s/lib/libc.so.6",
	   d, t, t, t, t, t, t);
	sh("cd %s && clang --target=%s -O1 -fPIE -ffreestanding -fstack-protector-all -c hard.c "
	   "-o %s/hard.o && ld.lld -pie -z relro -z now -z noexecstack --hash-style=%s "
	   "--dynamic-linker /lib/ld.so.1 -e main %s/hard.o %s/lib/libc.so.6 -o %s/bin/hard && "
	   "llvm-objcopy --strip-all %s/bin/hard && cp %s/bin/hard %s/bin/hard-sstrip && "
	   "cp %s/bin/hard %s/bin/hard-nostack",
	   d, t, t, hash, t, t, t, t, t, t, t, t);
	sh("cd %s && clang --target=%s -O1 -fno-pic -ffreestanding -fno-stack-protector -c weak.c "
	   "-o %s/weak.o && ld.lld -z execstack -z norelro --hash-style=sysv "
	   "--dynamic-linker /lib/ld.so.1 -e main %s/weak.o %s/lib/libc.so.6 -o %s/bin/weak && "
	   "cp %s/bin/weak %s/bin/weak-sstrip",
	   d, t, t, t, t, t, t, t);
	sh("cd %s && clang --target=%s -O1 -fPIE -ffreestanding -fno-stack-protector -c smash.c "
	   "-o %s/smash.o && ld.lld -pie -z relro -z now -z noexecstack --hash-style=%s "
	   "--dynamic-linker /lib/ld.so.1 -e main %s/smash.o %s/lib/libc.so.6 -o %s/bin/smash && "
	   "llvm-objcopy --strip-all %s/bin/smash && rm %s/*.o",
	   d, t, t, hash, t, t, t, t, t);
	char p[512];
	snprintf(p, sizeof p, "%s/%s/bin/hard-sstrip", d, t);
	patch_elf(p, DROP_SECTIONS);
	snprintf(p, sizeof p, "%s/%s/bin/weak-sstrip", d, t);
	patch_elf(p, DROP_SECTIONS);
	snprintf(p, sizeof p, "%s/%s/bin/hard-nostack", d, t);
	patch_elf(p, DROP_GNU_STACK);
}

static const char *at(char *p, size_t n, const struct cross *c, const char *name)
{
	snprintf(p, n, "%s/bin/%s", c->target, name);
	return p;
}

static void check_cross(const struct test_inspect *t, const struct cross *c)
{
	char p[128];
	const char *relro = c->mips ? "elf.no-relro" : NULL; /* lld gives MIPS no PT_GNU_RELRO */
	EXPECT(t, at(p, sizeof p, c, "weak"), "elf.no-nx", "elf.no-pie", "elf.no-relro",
	       "elf.no-canary", "elf.no-fortify", "elf.not-stripped", "elf.dangerous-import");
	EXPECT(t, at(p, sizeof p, c, "weak-sstrip"), "elf.no-nx", "elf.no-pie", "elf.no-relro",
	       "elf.no-canary", "elf.no-fortify", "elf.dangerous-import");
	EXPECT(t, at(p, sizeof p, c, "hard"), relro);
	EXPECT(t, at(p, sizeof p, c, "hard-sstrip"), relro);
	EXPECT(t, at(p, sizeof p, c, "smash"), relro);
	EXPECT(t, at(p, sizeof p, c, "hard-nostack"), "elf.no-nx", relro);
	const struct it_finding *f =
	        test_finding(t, "elf.no-nx", at(p, sizeof p, c, "hard-nostack"));
	assert_int_equal(f->severity, c->nx_default ? IT_SEV_MEDIUM : IT_SEV_HIGH);
	assert_non_null(strstr(f->evidence, "no PT_GNU_STACK"));
	f = test_finding(t, "elf.dangerous-import", at(p, sizeof p, c, "weak-sstrip"));
	assert_string_equal(f->evidence, "imports strcpy, system");
}

static void test_cross_architectures(void **state)
{
	(void)state;
	if (system("command -v clang >/dev/null && command -v ld.lld >/dev/null && "
	           "command -v llvm-objcopy >/dev/null") != 0) {
		fprintf(stderr, "clang, ld.lld or llvm-objcopy missing: cross-architecture test "
		                "skipped\n");
		skip();
	}
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "elfx"), 0);
	put(d.dir, "libc.c", cross_libc_c);
	put(d.dir, "weak.c", cross_weak_c);
	put(d.dir, "hard.c", cross_hard_c);
	put(d.dir, "smash.c", cross_smash_c);
	for (size_t i = 0; i < N_CROSS; i++)
		build_cross(d.dir, &crosses[i]);
	sh("cd %s && rm *.c", d.dir);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	for (size_t i = 0; i < N_CROSS; i++)
		check_cross(&t, &crosses[i]);
	assert_int_equal(it_inspect_stats(t.in)->elf_files, 7 * N_CROSS);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* --- real firmware: Debian's D-Link DNS-320 netboot image (armel) ----------------- */

static int netboot_path(char *out, size_t n)
{
	const char *cache = getenv("IOTRUST_CACHE"), *home = getenv("HOME");
	char base[256];
	if (cache)
		snprintf(base, sizeof base, "%s", cache);
	else
		snprintf(base, sizeof base, "%s/.cache/iotrust", home ? home : "/nonexistent");
	snprintf(out, n,
	         "%s/netboot/usr/lib/debian-installer/images/12/armel/kirkwood/network-console/"
	         "d-link/dns-320/netboot.img",
	         base);
	FILE *f = fopen(out, "rb");
	if (f)
		fclose(f);
	return f ? 0 : -1;
}

/* Counts and cases as checksec 2.6.0 reports them for the same files (FORTIFY judged
 * against the ramdisk's own libc.so.6); tests/e2e/t_checksec.sh compares file by file. */
static void test_netboot_armel(void **state)
{
	(void)state;
	char img[512];
	if (netboot_path(img, sizeof img) < 0) {
		fprintf(stderr, "DNS-320 netboot.img not cached (tests/e2e/t_netboot.sh fetches "
		                "it): skipped\n");
		skip();
	}
	struct test_inspect t;
	test_inspect_file(&t, img);
	assert_int_equal(it_inspect_stats(t.in)->elf_files, 238);
	assert_int_equal(test_findings(&t, "elf.no-nx", NULL), 0);
	assert_int_equal(test_findings(&t, "elf.no-relro", NULL), 0);
	assert_int_equal(test_findings(&t, "elf.not-stripped", NULL), 0);
	assert_int_equal(test_findings(&t, "elf.no-pie", NULL), 2);
	assert_int_equal(test_findings(&t, "elf.partial-relro", NULL), 52);
	assert_int_equal(test_findings(&t, "elf.no-canary", NULL), 21);
	assert_int_equal(test_findings(&t, "elf.no-fortify", NULL), 16);
	assert_int_equal(test_findings(&t, "elf.rpath", NULL), 4);
	/* the static blkid and the non-PIE kmod */
	EXPECT(&t, "sbin/blkid", "elf.no-pie", "elf.partial-relro", "elf.no-canary");
	EXPECT(&t, "bin/kmod", "elf.no-pie", "elf.partial-relro", "elf.no-canary", "elf.no-fortify",
	       "elf.dangerous-import");
	EXPECT(&t, "usr/lib/cdebconf/debconf", "elf.partial-relro", "elf.rpath",
	       "elf.dangerous-import");
	assert_string_equal(test_finding(&t, "elf.rpath", "usr/lib/cdebconf/debconf")->evidence,
	                    "RUNPATH=/usr/lib/cdebconf");
	EXPECT(&t, "bin/busybox", "elf.dangerous-import");
	EXPECT(&t, "lib/arm-linux-gnueabi/libc.so.6", "elf.partial-relro");
	EXPECT(&t, "usr/lib/libcrypt.so.1.1.0", "elf.no-canary", "elf.no-fortify");
	/* 150 kernel modules (ET_REL): read, never judged */
	for (size_t i = 0; i < it_inspect_finding_count(t.in); i++) {
		const struct it_finding *f = it_inspect_finding(t.in, i);
		size_t n = strlen(f->path);
		assert_false(strncmp(f->check->id, "elf.", 4) == 0 && n > 3 &&
		             strcmp(f->path + n - 3, ".ko") == 0);
	}
	test_inspect_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_host_programs), cmocka_unit_test(test_no_libc_no_fortify),
	        cmocka_unit_test(test_junk_headers),  cmocka_unit_test(test_cross_architectures),
	        cmocka_unit_test(test_netboot_armel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

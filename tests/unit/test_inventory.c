/*
 * The inventory: package databases (dpkg, opkg, apk), version signatures on real binaries
 * (this machine's libz, libcrypto, libexpat, ...; Debian's busybox-static), the known traps
 * (applet symlinks, versions quoted in copyright or requirement text, static linking), the
 * kernel (banner, lib/modules, vermagic), the merge rules, and the two real images.
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

/* --- helpers ------------------------------------------------------------------ */

/* Write rel (parents made) below dir with mode. */
static void put(const char *dir, const char *rel, const void *p, size_t n, mode_t mode)
{
	assert_int_equal(test_put(dir, rel, p, n, mode), 0);
}

static void put_str(const char *dir, const char *rel, const char *s)
{
	put(dir, rel, s, strlen(s), 0644);
}

/* A small "binary": an ELF magic, then NUL-separated strings (mode 0755). */
static void put_binary(const char *dir, const char *rel, const char *const *strs)
{
	struct it_buf b = IT_BUF_INIT;
	it_buf_append(&b, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0", 16);
	for (; *strs; strs++) {
		it_buf_puts(&b, *strs);
		it_buf_append(&b, "\0\0\0", 3);
	}
	put(dir, rel, b.data, b.len, 0755);
	it_buf_free(&b);
}

/* The first line printed by a shell command ("" when none). */
static char *sh_line(const char *cmd)
{
	struct it_buf out = IT_BUF_INIT;
	if (run_filter(cmd, NULL, 0, &out) < 0)
		it_buf_truncate(&out, 0);
	char *s = strdup(it_buf_str(&out));
	it_buf_free(&out);
	s[strcspn(s, "\n")] = '\0';
	return s;
}

static const struct it_evidence *evidence(const struct it_component *c, const char *suffix)
{
	size_t m = strlen(suffix);
	for (size_t i = 0; c && i < c->n_evidence; i++) {
		size_t n = strlen(c->evidence[i].path);
		if (n >= m && strcmp(c->evidence[i].path + n - m, suffix) == 0)
			return &c->evidence[i];
	}
	return NULL;
}

static int depends_on(const struct it_component *c, const char *name)
{
	for (size_t i = 0; i < c->n_depends; i++)
		if (strcmp(c->depends[i], name) == 0)
			return 1;
	return 0;
}

static size_t count(const struct test_inspect *t)
{
	return it_inspect_component_count(t->in);
}

/* The component named name (any version), which must exist. */
static const struct it_component *must(const struct test_inspect *t, const char *name,
                                       const char *version)
{
	const struct it_component *c = test_component(t, name, version);
	if (!c) {
		test_inspect_dump(t);
		fprintf(stderr, "no component %s %s\n", name, version ? version : "");
	}
	assert_non_null(c);
	return c;
}

/* No two components share name+version+source (bom-refs are derived from them). */
static void assert_unique(const struct test_inspect *t)
{
	for (size_t i = 0; i < count(t); i++)
		for (size_t j = i + 1; j < count(t); j++) {
			const struct it_component *a = it_inspect_component(t->in, i);
			const struct it_component *b = it_inspect_component(t->in, j);
			int same = strcmp(a->name, b->name) == 0 &&
			           strcmp(a->version ? a->version : "",
			                  b->version ? b->version : "") == 0 &&
			           strcmp(a->source, b->source) == 0;
			assert_false(same);
		}
}

/* A host library's real file (symlinks resolved) copied to dir/rel; 0 when missing. */
static int copy_host(const char *dir, const char *host, const char *rel)
{
	if (access(host, R_OK) != 0)
		return 0;
	assert_int_equal(test_sh("mkdir -p \"$(dirname '%s/%s')\" && cp -L '%s' '%s/%s'", dir, rel,
	                         host, dir, rel),
	                 0);
	return 1;
}

/* The upstream version of an installed Debian package, as Debian's tools say it. */
static char *host_upstream(const char *pkg, const char *sed)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
	         "dpkg-query -W -f='${Version}' '%s' 2>/dev/null | sed -e 's/^[0-9]*://' %s", pkg,
	         sed);
	return sh_line(cmd);
}

/* The .deb cache of the demo build: ${IOTRUST_CACHE:-$HOME/.cache/iotrust}/debs */
static void deb_cache(char *out, size_t n)
{
	const char *cache = getenv("IOTRUST_CACHE"), *home = getenv("HOME");
	if (cache)
		snprintf(out, n, "%s/debs", cache);
	else
		snprintf(out, n, "%s/.cache/iotrust/debs", home ? home : "/tmp");
}

/* --- dpkg ------------------------------------------------------------------------ */

/*
 * Real stanzas from this project's Debian 12 machine (/var/lib/dpkg/status, 2026), cut to
 * the fields dpkg keeps, plus hand-written ones (marked) for what that machine lacks:
 * packages not installed, a folded Depends with alternatives and ":any".
 */
static const char dpkg_status[] =
        "Package: curl\n"
        "Status: install ok installed\n"
        "Priority: optional\n"
        "Section: web\n"
        "Installed-Size: 489\n"
        "Maintainer: Alessandro Ghedini <ghedo@debian.org>\n"
        "Architecture: amd64\n"
        "Multi-Arch: foreign\n"
        "Version: 7.88.1-10+deb12u14\n"
        "Depends: libc6 (>= 2.34), libcurl4 (= 7.88.1-10+deb12u14), zlib1g (>= 1:1.1.4)\n"
        "Description: command line tool for transferring data with URL syntax\n"
        " curl is a command line tool for transferring data with URL syntax, supporting\n"
        " .\n"
        " busload of other useful tricks.\n"
        "Homepage: https://curl.se/\n"
        "\n"
        "Package: libcurl4\n"
        "Status: install ok installed\n"
        "Maintainer: Alessandro Ghedini <ghedo@debian.org>\n"
        "Architecture: amd64\n"
        "Multi-Arch: same\n"
        "Source: curl\n"
        "Version: 7.88.1-10+deb12u14\n"
        "Replaces: libcurl3\n"
        "Depends: libbrotli1 (>= 0.6.0), libc6 (>= 2.34), libgssapi-krb5-2 (>= 1.17), "
        "libidn2-0 (>= 0.6), libssl3 (>= 3.0.0), libzstd1 (>= 1.5.2), zlib1g (>= 1:1.1.4)\n"
        "Recommends: ca-certificates\n"
        "Description: easy-to-use client-side URL transfer library (OpenSSL flavour)\n"
        "\n"
        "Package: libc6\n"
        "Status: install ok installed\n"
        "Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\n"
        "Architecture: amd64\n"
        "Multi-Arch: same\n"
        "Source: glibc\n"
        "Version: 2.36-9+deb12u14\n"
        "Depends: libgcc-s1\n"
        "Suggests: glibc-doc, debconf | debconf-2.0, libc-l10n, locales\n"
        "Conffiles:\n"
        " /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab\n"
        "Description: GNU C Library: Shared libraries\n"
        "\n"
        "Package: libgcc-s1\n"
        "Protected: yes\n"
        "Status: install ok installed\n"
        "Maintainer: Debian GCC Maintainers <debian-gcc@lists.debian.org>\n"
        "Architecture: amd64\n"
        "Multi-Arch: same\n"
        "Source: gcc-12\n"
        "Version: 12.2.0-14+deb12u1\n"
        "Provides: libgcc1 (= 1:12.2.0-14+deb12u1)\n"
        "Depends: gcc-12-base (= 12.2.0-14+deb12u1), libc6 (>= 2.35)\n"
        "Description: GCC support library\n"
        "\n"
        "Package: gcc-12-base\n"
        "Status: install ok installed\n"
        "Maintainer: Debian GCC Maintainers <debian-gcc@lists.debian.org>\n"
        "Architecture: amd64\n"
        "Multi-Arch: same\n"
        "Source: gcc-12\n"
        "Version: 12.2.0-14+deb12u1\n"
        "Description: GCC, the GNU Compiler Collection (base package)\n"
        "\n"
        "Package: libssl3\n"
        "Status: install ok installed\n"
        "Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>\n"
        "Architecture: amd64\n"
        "Multi-Arch: same\n"
        "Source: openssl\n"
        "Version: 3.0.22-1~deb12u2\n"
        "Depends: libc6 (>= 2.34)\n"
        "Description: Secure Sockets Layer toolkit - shared libraries\n"
        "\n"
        "Package: zlib1g\n"
        "Status: install ok installed\n"
        "Maintainer: Mark Brown <broonie@debian.org>\n"
        "Architecture: amd64\n"
        "Multi-Arch: same\n"
        "Source: zlib\n"
        "Version: 1:1.2.13.dfsg-1\n"
        "Provides: libz1\n"
        "Depends: libc6 (>= 2.14)\n"
        "Description: compression library - runtime\n"
        "\n"
        /* hand-written: removed, only its configuration files are left */
        "Package: telnetd\n"
        "Status: deinstall ok config-files\n"
        "Architecture: amd64\n"
        "Version: 0.17+2.4-2+deb12u1\n"
        "\n"
        /* hand-written: half-installed (files not all there) */
        "Package: nano\n"
        "Status: install reinstreq half-installed\n"
        "Architecture: amd64\n"
        "Version: 7.2-1+deb12u1\n"
        "\n"
        /* hand-written: a vendor package with a folded Depends, alternatives and :any */
        "Package: acme-agent\n"
        "Status: install ok installed\n"
        "Maintainer: Acme Firmware Team <fw@acme.example>\n"
        "Architecture: amd64\n"
        "Version: 2.3.1-4\n"
        "Pre-Depends: libc6 (>= 2.34)\n"
        "Depends: gawk | mawk | libgcc1,\n"
        " zlib1g:any (>= 1:1.2.0), curl\n"
        "Description: Acme cloud agent\n"
        "\n"
        /* hand-written: the same package for a second architecture (Multi-Arch: same) */
        "Package: zlib1g\n"
        "Status: install ok installed\n"
        "Maintainer: Mark Brown <broonie@debian.org>\n"
        "Architecture: i386\n"
        "Multi-Arch: same\n"
        "Source: zlib\n"
        "Version: 1:1.2.13.dfsg-1\n"
        "Depends: libc6 (>= 2.14)\n";

static void test_dpkg(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-dpkg"), 0);
	put_str(d.dir, "var/lib/dpkg/status", dpkg_status);
	put_str(d.dir, "etc/os-release",
	        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
	        "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	/* 7 installed + acme-agent + zlib1g:i386; telnetd and nano are not installed */
	assert_int_equal(count(&t), 9);
	assert_null(test_component(&t, "telnetd", NULL));
	assert_null(test_component(&t, "nano", NULL));
	assert_unique(&t);

	const struct it_component *c = must(&t, "curl", "7.88.1-10+deb12u14");
	assert_string_equal(c->upstream, "7.88.1");
	assert_string_equal(c->type, "application");
	assert_string_equal(c->supplier, "Debian");
	assert_string_equal(c->cpe, "cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*");
	assert_string_equal(c->purl,
	                    "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u14?arch=amd64&distro=debian-12");
	assert_string_equal(c->source, "dpkg:var/lib/dpkg/status");
	assert_int_equal(c->found_by, IT_FOUND_PKGDB);
	assert_int_equal(c->confidence, 100);
	assert_string_equal(c->evidence[0].path, "var/lib/dpkg/status");
	assert_string_equal(c->evidence[0].excerpt, "Package: curl / Version: 7.88.1-10+deb12u14");
	assert_int_equal(c->n_depends, 3);
	assert_true(depends_on(c, "libc6") && depends_on(c, "libcurl4") && depends_on(c, "zlib1g"));

	/* libcurl4: only installed dependencies; CPE through its name (also its source) */
	c = must(&t, "libcurl4", NULL);
	assert_string_equal(c->type, "library");
	assert_int_equal(c->n_depends, 3);
	assert_true(depends_on(c, "libc6") && depends_on(c, "libssl3") && depends_on(c, "zlib1g"));
	assert_string_equal(c->cpe, "cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*");

	/* epoch and .dfsg go; ':' stays in the PURL, '+' is %2B; the source package is the
	 * upstream qualifier when its name differs */
	c = must(&t, "zlib1g", "1:1.2.13.dfsg-1");
	assert_string_equal(c->upstream, "1.2.13");
	assert_string_equal(c->cpe, "cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*");
	assert_string_equal(c->purl,
	                    "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&"
	                    "upstream=zlib");
	assert_string_equal(c->type, "library");
	c = must(&t, "zlib1g:i386", NULL);
	assert_string_equal(c->arch, "i386");
	assert_string_equal(
	        c->purl,
	        "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=i386&distro=debian-12&upstream=zlib");

	/* CPE through the source package (glibc); ~deb12u2 is a Debian revision */
	c = must(&t, "libc6", NULL);
	assert_string_equal(c->cpe, "cpe:2.3:a:gnu:glibc:2.36:*:*:*:*:*:*:*");
	assert_true(depends_on(c, "libgcc-s1"));
	c = must(&t, "libssl3", "3.0.22-1~deb12u2");
	assert_string_equal(c->upstream, "3.0.22");
	assert_string_equal(c->cpe, "cpe:2.3:a:openssl:openssl:3.0.22:*:*:*:*:*:*:*");
	assert_string_equal(c->supplier, "Debian");
	/* no CPE mapping: no CPE (never a guessed one) */
	c = must(&t, "gcc-12-base", NULL);
	assert_null(c->cpe);

	/* Pre-Depends; "gawk | mawk | libgcc1" -> libgcc-s1 (Provides: libgcc1); :any dropped;
	 * a package not built by Debian keeps its maintainer as supplier */
	c = must(&t, "acme-agent", "2.3.1-4");
	assert_string_equal(c->supplier, "Acme Firmware Team");
	assert_int_equal(c->n_depends, 4);
	assert_true(depends_on(c, "libc6") && depends_on(c, "libgcc-s1") &&
	            depends_on(c, "zlib1g") && depends_on(c, "curl"));
	assert_null(c->cpe);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* dpkg upstream rules on versions seen in Debian 12 (demo image and netboot.img). */
static void test_dpkg_upstream(void **state)
{
	(void)state;
	static const char *const cases[][3] = {
	        {"busybox-static", "1:1.35.0-4+deb12u1+b1", "1.35.0"},
	        {"libgmp10", "2:6.2.1+dfsg1-1.1", "6.2.1"},
	        {"libzstd1", "1.5.4+dfsg2-5", "1.5.4"},
	        {"openssh-server", "1:9.2p1-2+deb12u10", "9.2p1"},
	        {"ca-certificates", "20230311+deb12u1", "20230311"},
	        {"libiw30", "30~pre9-14", "30-pre9"},
	        {"libsystemd0", "252.39-1~deb12u2", "252.39"},
	        {"foo", "2.1+really1.9-3", "1.9"},
	        {"bar", "4.0~rc2+ds-1~bpo12+1", "4.0-rc2"},
	};
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-up"), 0);
	struct it_buf st = IT_BUF_INIT;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		it_buf_printf(&st, "Package: %s\nStatus: install ok installed\nVersion: %s\n\n",
		              cases[i][0], cases[i][1]);
	put_str(d.dir, "var/lib/dpkg/status", it_buf_str(&st));
	it_buf_free(&st);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(count(&t), sizeof(cases) / sizeof(cases[0]));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(must(&t, cases[i][0], cases[i][1])->upstream, cases[i][2]);
	/* openssh: the CPE splits 9.2p1 into version 9.2 and update p1, as NVD does */
	assert_string_equal(must(&t, "openssh-server", NULL)->cpe,
	                    "cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*");
	/* no os-release and no Debian marker in the version: still pkg:deb/debian, no distro */
	assert_string_equal(must(&t, "foo", NULL)->purl, "pkg:deb/debian/foo@2.1%2Breally1.9-3");
	assert_null(must(&t, "foo", NULL)->supplier);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* info/<pkg>.list names the package's files: evidence where they are in the image. */
static void test_dpkg_list_evidence(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-list"), 0);
	put_str(d.dir, "var/lib/dpkg/status",
	        "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\n"
	        "Multi-Arch: same\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n");
	/* as dpkg writes it: directories first, a file that this image does not ship */
	put_str(d.dir, "var/lib/dpkg/info/zlib1g:amd64.list",
	        "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libz.so.1.2.13\n/usr\n"
	        "/usr/share/doc/zlib1g/copyright\n/lib/x86_64-linux-gnu/libz.so.1\n");
	assert_true(copy_host(d.dir, "/lib/x86_64-linux-gnu/libz.so.1",
	                      "lib/x86_64-linux-gnu/libz.so.1.2.13"));
	char link[600];
	snprintf(link, sizeof(link), "%s/lib/x86_64-linux-gnu/libz.so.1", d.dir);
	assert_int_equal(symlink("libz.so.1.2.13", link), 0);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	/* the zlib signature of libz.so.1.2.13 was merged into the package: one component */
	assert_int_equal(count(&t), 1);
	const struct it_component *c = must(&t, "zlib1g", NULL);
	assert_int_equal(c->n_evidence, 3);
	const struct it_evidence *e = evidence(c, "lib/x86_64-linux-gnu/libz.so.1.2.13");
	assert_non_null(e);
	/* the signature's excerpt and digest were kept on the listed file */
	assert_non_null(e->excerpt);
	assert_non_null(strstr(e->excerpt, "deflate 1.2.13 Copyright"));
	assert_int_equal(strlen(e->sha256), 64);
	assert_non_null(evidence(c, "lib/x86_64-linux-gnu/libz.so.1"));
	assert_null(evidence(c, "copyright"));
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* --- opkg (OpenWrt) -------------------------------------------------------------- */

/* Hand-written after OpenWrt 23.05's usr/lib/opkg/status and info/<pkg>.control (the
 * fields opkg writes; mipsel_24kc is a ramips target's architecture). */
static const char opkg_status[] =
        "Package: busybox\n"
        "Version: 1.36.1-1\n"
        "Depends: libc, jsonfilter\n"
        "Conffiles:\n"
        " /etc/syslog.conf 0bd8a5fbaa72bae7f2d1c5a64d9c3cf2f9a7e0ba5d9d1c4a6f3b2e1d0c9b8a7f\n"
        "Status: install user installed\n"
        "Architecture: mipsel_24kc\n"
        "Installed-Time: 1697744520\n"
        "\n"
        "Package: dropbear\n"
        "Version: 2022.82-6\n"
        "Depends: libc\n"
        "Status: install user installed\n"
        "Architecture: mipsel_24kc\n"
        "Installed-Time: 1697744520\n"
        "\n"
        "Package: libc\n"
        "Version: 1.2.4-4\n"
        "Depends: libgcc1\n"
        "Status: install user installed\n"
        "Architecture: mipsel_24kc\n"
        "\n"
        "Package: libgcc1\n"
        "Version: 12.3.0-4\n"
        "Status: install user installed\n"
        "Architecture: mipsel_24kc\n"
        "\n"
        "Package: jsonfilter\n"
        "Version: 2018-02-04-c7e938d6-1\n"
        "Depends: libc, libubox20230523, libjson-c5\n"
        "Status: install user installed\n"
        "Architecture: mipsel_24kc\n"
        "\n"
        "Package: kernel\n"
        "Version: 5.15.134-1-2f6c4a5e4d0c3b1a9e8f7d6c5b4a3928\n"
        "Status: install user installed\n"
        "Architecture: mipsel_24kc\n"
        "\n"
        "Package: uhttpd\n"
        "Version: 2023-06-25-34a8a74d-2\n"
        "Depends: libc, libubox20230523, libblobmsg-json20230523, libjson-script20230523\n"
        "Status: install user not-installed\n"
        "Architecture: mipsel_24kc\n";

static void test_opkg(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-opkg"), 0);
	put_str(d.dir, "usr/lib/opkg/status", opkg_status);
	put_str(d.dir, "usr/lib/opkg/info/dropbear.control",
	        "Package: dropbear\nVersion: 2022.82-6\nDepends: libc\nLicense: MIT\n"
	        "Section: utils\nSourceName: dropbear\nMaintainer: Felix Fietkau <nbd@nbd.name>\n"
	        "Architecture: mipsel_24kc\nInstalled-Size: 106035\n"
	        "Description:  A small SSH2 server/client designed for small memory "
	        "environments.\n");
	put_str(d.dir, "usr/lib/opkg/info/dropbear.list",
	        "/usr/sbin/dropbear\n/etc/init.d/dropbear\n");
	put_str(d.dir, "usr/sbin/dropbear", "#!/bin/sh\n");
	put_str(d.dir, "etc/openwrt_release",
	        "DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='23.05.0'\nDISTRIB_REVISION='r23497-"
	        "6637af95aa'\n"
	        "DISTRIB_TARGET='ramips/mt7621'\nDISTRIB_ARCH='mipsel_24kc'\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(count(&t), 6); /* uhttpd is not installed */
	assert_null(test_component(&t, "uhttpd", NULL));
	const struct it_component *c = must(&t, "busybox", "1.36.1-1");
	assert_string_equal(c->upstream, "1.36.1");
	assert_string_equal(c->supplier, "OpenWrt");
	assert_string_equal(c->source, "opkg:usr/lib/opkg/status");
	assert_string_equal(c->cpe, "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*");
	assert_string_equal(
	        c->purl,
	        "pkg:opkg/openwrt/busybox@1.36.1-1?arch=mipsel_24kc&distro=openwrt-23.05.0");
	assert_true(depends_on(c, "libc") && depends_on(c, "jsonfilter"));
	assert_int_equal(c->n_depends, 2);
	c = must(&t, "dropbear", NULL);
	assert_string_equal(c->cpe,
	                    "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.82:*:*:*:*:*:*:*");
	assert_non_null(evidence(c, "usr/sbin/dropbear"));
	assert_null(evidence(c, "etc/init.d/dropbear")); /* listed, not in this image */
	/* the kernel package: release and build hash are not the upstream version */
	c = must(&t, "kernel", NULL);
	assert_string_equal(c->upstream, "5.15.134");
	assert_string_equal(c->type, "operating-system");
	assert_string_equal(c->cpe, "cpe:2.3:o:linux:linux_kernel:5.15.134:*:*:*:*:*:*:*");
	/* a date-hash version keeps its date and hash */
	assert_string_equal(must(&t, "jsonfilter", NULL)->upstream, "2018-02-04-c7e938d6");
	assert_string_equal(must(&t, "libc", NULL)->type, "library");
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* No status file (some images strip it): every info/<pkg>.control is a package. */
static void test_opkg_controls_only(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-ctl"), 0);
	put_str(d.dir, "usr/lib/opkg/info/dnsmasq.control",
	        "Package: dnsmasq\nVersion: 2.89-4\nDepends: libc, libubus20230605\n"
	        "SourceName: dnsmasq\nMaintainer: Kevin Darbyshire-Bryant "
	        "<ldir@darbyshire-bryant.me.uk>\n"
	        "Architecture: aarch64_cortex-a53\n");
	put_str(d.dir, "usr/lib/opkg/info/libc.control",
	        "Package: libc\nVersion: 1.2.4-4\nArchitecture: aarch64_cortex-a53\n");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(count(&t), 2);
	const struct it_component *c = must(&t, "dnsmasq", "2.89-4");
	assert_string_equal(c->cpe, "cpe:2.3:a:thekelleys:dnsmasq:2.89:*:*:*:*:*:*:*");
	assert_string_equal(c->source, "opkg:usr/lib/opkg/info/");
	assert_string_equal(c->purl, "pkg:opkg/openwrt/dnsmasq@2.89-4?arch=aarch64_cortex-a53");
	assert_true(depends_on(c, "libc"));
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* --- apk (Alpine) ------------------------------------------------------------------ */

/* Hand-written after Alpine 3.18's lib/apk/db/installed (C: checksums shortened). */
static const char apk_installed[] =
        "C:Q1zE5TYMiTA/6Ag1YLsmzuxD2TZ5o=\n"
        "P:musl\n"
        "V:1.2.4-r2\n"
        "A:x86_64\n"
        "S:383192\n"
        "I:622592\n"
        "T:the musl c library (libc) implementation\n"
        "U:https://musl.libc.org/\n"
        "L:MIT\n"
        "o:musl\n"
        "m:Timo Teräs <timo.teras@iki.fi>\n"
        "t:1693829917\n"
        "c:f93af038c3de7146121c2ea8124ba5ce29b4b058\n"
        "p:so:libc.musl-x86_64.so.1=1\n"
        "F:lib\n"
        "R:ld-musl-x86_64.so.1\n"
        "a:0:0:755\n"
        "Z:Q1Z3bQ1XV3NeLlJjUA2jJt9pb9tMc=\n"
        "R:libc.musl-x86_64.so.1\n"
        "a:0:0:777\n"
        "\n"
        "C:Q1JZnpgW4yGdmVqHNr3Qc0sh9+P2I=\n"
        "P:busybox\n"
        "V:1.36.1-r2\n"
        "A:x86_64\n"
        "L:GPL-2.0-only\n"
        "o:busybox\n"
        "m:Sören Tempel <soeren+alpine@soeren-tempel.net>\n"
        "D:so:libc.musl-x86_64.so.1\n"
        "p:cmd:busybox=1.36.1-r2\n"
        "F:bin\n"
        "R:busybox\n"
        "\n"
        "C:Q1Yjzq5DnL2n4G5BS0pV8gBfu6zjk=\n"
        "P:libcrypto3\n"
        "V:3.1.4-r0\n"
        "A:x86_64\n"
        "o:openssl\n"
        "m:Ariadne Conill <ariadne@dereferenced.org>\n"
        "D:so:libc.musl-x86_64.so.1\n"
        "p:so:libcrypto.so.3=3\n"
        "\n"
        "C:Q1d1k/M2Qb3jYVYnYbXfuXqZPVvDI=\n"
        "P:ssl_client\n"
        "V:1.36.1-r2\n"
        "A:x86_64\n"
        "o:busybox\n"
        "D:so:libc.musl-x86_64.so.1 so:libcrypto.so.3 !busybox-extras\n";

static void test_apk(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-apk"), 0);
	put_str(d.dir, "lib/apk/db/installed", apk_installed);
	put_str(d.dir, "etc/os-release",
	        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\n"
	        "PRETTY_NAME=\"Alpine Linux v3.18\"\n");
	put_str(d.dir, "lib/ld-musl-x86_64.so.1", "x");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(count(&t), 4);
	const struct it_component *c = must(&t, "musl", "1.2.4-r2");
	assert_string_equal(c->upstream, "1.2.4");
	assert_string_equal(c->type, "library");
	assert_string_equal(c->supplier, "Alpine Linux");
	assert_string_equal(c->source, "apk:lib/apk/db/installed");
	assert_string_equal(c->cpe, "cpe:2.3:a:musl-libc:musl:1.2.4:*:*:*:*:*:*:*");
	assert_string_equal(c->purl,
	                    "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4");
	assert_string_equal(c->evidence[0].excerpt, "P:musl / V:1.2.4-r2");
	assert_non_null(evidence(c, "lib/ld-musl-x86_64.so.1"));
	/* so: dependencies resolve through p: (provides); !conflicts are no dependency */
	c = must(&t, "ssl_client", NULL);
	assert_int_equal(c->n_depends, 2);
	assert_true(depends_on(c, "musl") && depends_on(c, "libcrypto3"));
	/* CPE through the origin (source) package */
	assert_string_equal(must(&t, "libcrypto3", NULL)->cpe,
	                    "cpe:2.3:a:openssl:openssl:3.1.4:*:*:*:*:*:*:*");
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* --- signatures on real binaries ------------------------------------------------- */

static void test_real_libraries(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-libs"), 0);
	/* zlib and libcrypto are build dependencies: always there */
	assert_true(copy_host(d.dir, "/lib/x86_64-linux-gnu/libz.so.1", "lib/libz.so.1"));
	assert_true(copy_host(d.dir, "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
	                      "usr/lib/libcrypto.so.3"));
	int expat =
	        copy_host(d.dir, "/lib/x86_64-linux-gnu/libexpat.so.1", "usr/lib/libexpat.so.1");
	int sqlite = copy_host(d.dir, "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0",
	                       "usr/lib/libsqlite3.so.0");
	int curl =
	        copy_host(d.dir, "/usr/lib/x86_64-linux-gnu/libcurl.so.4", "usr/lib/libcurl.so.4");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	char *zv = host_upstream("zlib1g", "-e 's/[.+~]dfsg.*//' -e 's/-[^-]*$//'");
	char *ov = host_upstream("libssl3", "-e 's/-[^-]*$//'");
	const struct it_component *c = must(&t, "zlib", zv);
	assert_int_equal(c->found_by, IT_FOUND_SIGNATURE);
	assert_string_equal(c->source, "signature:zlib");
	assert_string_equal(c->type, "library");
	assert_int_equal(c->n_evidence, 1);
	assert_string_equal(c->evidence[0].path, "lib/libz.so.1");
	assert_int_equal(strlen(c->evidence[0].sha256), 64);
	char want[256];
	snprintf(want, sizeof(want), "cpe:2.3:a:zlib:zlib:%s:*:*:*:*:*:*:*", zv);
	assert_string_equal(c->cpe, want);
	snprintf(want, sizeof(want), "pkg:generic/zlib@%s", zv);
	assert_string_equal(c->purl, want);
	c = must(&t, "openssl", ov);
	assert_string_equal(c->evidence[0].path, "usr/lib/libcrypto.so.3");
	assert_non_null(strstr(c->evidence[0].excerpt, "OpenSSL "));
	size_t want_n = 2;
	if (expat) {
		char *v = host_upstream("libexpat1", "-e 's/-[^-]*$//'");
		must(&t, "expat", v);
		free(v);
		want_n++;
	}
	if (sqlite) {
		char *v = host_upstream("libsqlite3-0", "-e 's/-[^-]*$//'");
		must(&t, "sqlite", v);
		free(v);
		want_n++;
	}
	if (curl) {
		char *v = host_upstream("libcurl4", "-e 's/-[^-]*$//'");
		must(&t, "libcurl", v);
		free(v);
		want_n++;
	}
	if (count(&t) != want_n)
		test_inspect_dump(&t);
	assert_int_equal(count(&t), want_n);
	assert_unique(&t);
	free(zv);
	free(ov);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* Debian's busybox-static .deb (cached by the demo build, or downloaded) unpacked into dir;
 * 0 when it cannot be had (offline). */
static int busybox_static(const char *dir)
{
	char debs[512];
	deb_cache(debs, sizeof(debs));
	if (test_sh("ls '%s'/busybox-static_*.deb >/dev/null 2>&1 || (mkdir -p '%s' && cd '%s' && "
	            "apt-get download -o APT::Sandbox::User=root busybox-static >/dev/null 2>&1)",
	            debs, debs, debs) != 0)
		return 0;
	return test_sh("mkdir -p '%s/bin' && dpkg-deb --fsys-tarfile \"$(ls "
	               "'%s'/busybox-static_*.deb "
	               "| tail -1)\" | tar -xO ./bin/busybox >'%s/bin/busybox' && chmod 755 "
	               "'%s/bin/busybox'",
	               dir, debs, dir, dir) == 0;
}

/*
 * Real Debian 12 packages (downloaded once into the .deb cache; skipped offline): the file
 * of each that carries the version, and the product the signature must name, with the
 * upstream version Debian's own Version field gives. nginx, hostapd and wpa_supplicant also
 * hold OpenSSL's header text (OPENSSL_VERSION_TEXT) but link libssl dynamically: no openssl.
 */
static const char *const debian_samples[][3] = {
        {"busybox", "bin/busybox", "busybox"},
        {"dropbear-bin", "usr/sbin/dropbear", "dropbear"},
        {"openssh-client", "usr/bin/ssh", "openssh"},
        {"dnsmasq-base", "usr/sbin/dnsmasq", "dnsmasq"},
        {"lighttpd", "usr/sbin/lighttpd", "lighttpd"},
        {"nginx", "usr/sbin/nginx", "nginx"},
        {"curl", "usr/bin/curl", "curl"},
        {"libwolfssl35", "usr/lib/x86_64-linux-gnu/libwolfssl.so.35.3.0", "wolfssl"},
        {"libmbedcrypto7", "usr/lib/x86_64-linux-gnu/libmbedcrypto.so.2.28.3", "mbedtls"},
        {"hostapd", "usr/sbin/hostapd", "hostapd"},
        {"wpasupplicant", "sbin/wpa_supplicant", "wpa_supplicant"},
        {"miniupnpd-nftables", "usr/sbin/miniupnpd", "miniupnpd"},
        {"libupnp13", "usr/lib/x86_64-linux-gnu/libupnp.so.13.0.0", "libupnp"},
        {"mosquitto", "usr/sbin/mosquitto", "mosquitto"},
        {"libmosquitto1", "usr/lib/x86_64-linux-gnu/libmosquitto.so.2.0.11", "libmosquitto"},
        {"musl", "lib/x86_64-linux-musl/libc.so", "musl"},
        {"libtomcrypt1", "usr/lib/x86_64-linux-gnu/libtomcrypt.so.1.0.1", "libtomcrypt"},
        {"u-boot-qemu", "usr/lib/u-boot/qemu_arm/u-boot.bin", "u-boot"},
};

static void test_debian_packages(void **state)
{
	(void)state;
	char debs[512];
	deb_cache(debs, sizeof(debs));
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-debs"), 0);
	size_t n = sizeof(debian_samples) / sizeof(debian_samples[0]);
	for (size_t i = 0; i < n; i++) {
		const char *pkg = debian_samples[i][0], *file = debian_samples[i][1];
		if (test_sh("ls '%s/%s'_*.deb >/dev/null 2>&1 || (mkdir -p '%s' && cd '%s' && "
		            "apt-get download -o APT::Sandbox::User=root '%s' >/dev/null 2>&1)",
		            debs, pkg, debs, debs, pkg) != 0) {
			test_dir_close(&d);
			skip(); /* offline */
		}
		assert_int_equal(test_sh("mkdir -p '%s/%s' && dpkg-deb --fsys-tarfile \"$(ls "
		                         "'%s/%s'_*.deb | tail -1)\" | tar -x -C '%s/%s' './%s'",
		                         d.dir, pkg, debs, pkg, d.dir, pkg, file),
		                 0);
	}
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	for (size_t i = 0; i < n; i++) {
		char cmd[1024];
		snprintf(cmd, sizeof(cmd),
		         "dpkg-deb -f \"$(ls '%s/%s'_*.deb | tail -1)\" Version | sed -e "
		         "'s/^[0-9]*://' -e 's/-[^-]*$//' -e 's/[+~.]dfsg.*//'",
		         debs, debian_samples[i][0]);
		char *up = sh_line(cmd);
		const struct it_component *c = NULL;
		for (size_t k = 0; k < count(&t); k++) {
			const struct it_component *x = it_inspect_component(t.in, k);
			if (!strcmp(x->name, debian_samples[i][2]) && x->upstream &&
			    !strcmp(x->upstream, up))
				c = x;
		}
		if (!c) {
			test_inspect_dump(&t);
			fprintf(stderr, "%s: no %s %s\n", debian_samples[i][0],
			        debian_samples[i][2], up);
		}
		assert_non_null(c);
		assert_non_null(evidence(c, debian_samples[i][1]));
		free(up);
	}
	assert_int_equal(count(&t), n);
	assert_null(test_component(&t, "openssl", NULL));
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* Trap 1: applet links (bin/gzip -> busybox) are not components; and busybox-static's
 * static glibc keeps no version string, so it adds nothing either. */
static void test_busybox_applets(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-bb"), 0);
	if (!busybox_static(d.dir)) {
		test_dir_close(&d);
		skip();
	}
	assert_int_equal(
	        test_sh("cd '%s' && mkdir -p sbin usr/bin && for a in sh gzip gunzip tar "
	                "wget; do ln -s busybox bin/$a; done && ln -s ../bin/busybox "
	                "sbin/init && ln -s ../../bin/busybox usr/bin/unzip && ln bin/busybox "
	                "bin/ash",
	                d.dir),
	        0);
	char debs[512], cmd[1024];
	deb_cache(debs, sizeof(debs));
	snprintf(cmd, sizeof(cmd),
	         "dpkg-deb -f \"$(ls '%s'/busybox-static_*.deb | tail -1)\" Version | sed -e "
	         "'s/^[0-9]*://' -e 's/-.*//'",
	         debs);
	char *v = sh_line(cmd);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	if (count(&t) != 1)
		test_inspect_dump(&t);
	assert_int_equal(count(&t), 1);
	const struct it_component *c = must(&t, "busybox", v);
	/* bin/ash and bin/busybox are one file (a hard link): tar stores the first name */
	assert_int_equal(c->n_evidence, 1);
	assert_string_equal(c->evidence[0].path, "bin/ash");
	assert_null(test_component(&t, "gzip", NULL));
	assert_null(test_component(&t, "glibc", NULL));
	free(v);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* Trap 2: a version quoted in a copyright line, a help text or a requirement is not the
 * file's version; the real banner beside it is. */
static void test_quoted_versions(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-quote"), 0);
	static const char *const strs[] = {
	        "Copyright (C) 2003 OpenSSL 0.9.7 31 Dec 2002 by the OpenSSL Project",
	        "This program requires zlib 1.2.0 or later",
	        "Usage: tool [-v] (compatible with BusyBox v1.20.0 applets)",
	        "built against libcurl/7.50.0 or newer",
	        "Copyright (c) 2009 nginx/0.7.65 authors",
	        "OpenSSL 1.1.1w  11 Sep 2023",
	        NULL};
	put_binary(d.dir, "usr/bin/tool", strs);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	if (count(&t) != 1)
		test_inspect_dump(&t);
	assert_int_equal(count(&t), 1);
	const struct it_component *c = must(&t, "openssl", "1.1.1w");
	assert_string_equal(c->evidence[0].excerpt, "OpenSSL 1.1.1w  11 Sep 2023");
	assert_null(test_component(&t, "busybox", NULL));
	assert_null(test_component(&t, "libcurl", NULL));
	assert_null(test_component(&t, "nginx", NULL));
	assert_null(test_component(&t, "zlib", NULL));
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* OpenSSH's compatibility patterns ("OpenSSH_2.*,OpenSSH_3.0*") are no versions, and
 * "OpenSSH_9.2" beside "OpenSSH_9.2p1" is one version, the longer. */
static void test_openssh_compat(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-ssh"), 0);
	static const char *const strs[] = {"OpenSSH_2.*,OpenSSH_3.0*,OpenSSH_3.1*",
	                                   "OpenSSH_6.6.1*",
	                                   "OpenSSH_7.0*,OpenSSH_7.1*",
	                                   "OpenSSH_9.2",
	                                   "OpenSSH_9.2p1 Debian-2+deb12u10",
	                                   NULL};
	put_binary(d.dir, "usr/sbin/sshd", strs);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	assert_int_equal(count(&t), 1);
	const struct it_component *c = must(&t, "openssh", "9.2p1");
	assert_string_equal(c->cpe, "cpe:2.3:a:openbsd:openssh:9.2:p1:*:*:*:*:*:*");
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* Trap 3: one binary that links libz.a and libcrypto.a statically is both components. */
static void test_static_link(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-static"), 0);
	put_str(d.dir, "src/s.c",
	        "#include <stdio.h>\n#include <zlib.h>\n#include <openssl/crypto.h>\n"
	        "int main(void) { z_stream z = {0}; deflateInit(&z, 6); inflateInit(&z);\n"
	        "  puts(zlibVersion()); puts(OpenSSL_version(OPENSSL_VERSION)); return 0; }\n");
	if (test_sh("cd '%s' && mkdir -p root/usr/bin && cc -O2 src/s.c -o root/usr/bin/fwtool "
	            "-Wl,-Bstatic -lcrypto -lz -Wl,-Bdynamic -lpthread -ldl 2>/dev/null",
	            d.dir) != 0) {
		test_dir_close(&d);
		skip(); /* no compiler or static libraries */
	}
	char root[600];
	snprintf(root, sizeof(root), "%s/root", d.dir);
	char *zv = host_upstream("zlib1g", "-e 's/[.+~]dfsg.*//' -e 's/-[^-]*$//'");
	char *ov = host_upstream("libssl3", "-e 's/-[^-]*$//'");
	struct test_inspect t;
	test_inspect_tree(&t, root, "");
	assert_int_equal(count(&t), 2);
	assert_non_null(evidence(must(&t, "zlib", zv), "usr/bin/fwtool"));
	assert_non_null(evidence(must(&t, "openssl", ov), "usr/bin/fwtool"));
	free(zv);
	free(ov);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* Signatures look at binaries: a README or a script quoting a banner is no component;
 * mkimage's "U-Boot mkimage %s" is not a boot loader. */
static void test_text_is_not_binary(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-text"), 0);
	put_str(d.dir, "usr/share/doc/README",
	        "Built with BusyBox v1.2.3 and OpenSSL 1.0.2k  26 Jan 2017\n");
	put(d.dir, "usr/bin/setup.sh", "#!/bin/sh\necho 'BusyBox v1.2.3'\n", 32, 0755);
	/* a binary without the executable bit and with a data name is not read either */
	static const char *const strs[] = {"BusyBox v1.2.3 (2020-01-01)", NULL};
	put_binary(d.dir, "www/logo.png", strs);
	char png[700];
	snprintf(png, sizeof(png), "%s/www/logo.png", d.dir);
	assert_int_equal(chmod(png, 0644), 0);
	/* Debian's mkimage (u-boot-tools) when installed: "U-Boot mkimage %s", no boot loader */
	copy_host(d.dir, "/usr/bin/mkimage", "usr/bin/mkimage");
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	if (count(&t))
		test_inspect_dump(&t);
	assert_int_equal(count(&t), 0);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* Products without a Debian binary to check: uClibc(-ng) by file name, Boa and GoAhead by
 * the literals of their sources, uhttpd by presence only (it keeps no version string). */
static void test_source_only_signatures(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-src"), 0);
	static const char *const so[] = {"uClibc", NULL};
	put_binary(d.dir, "lib/libuClibc-1.0.39.so", so);
	put_binary(d.dir, "lib/ld-uClibc-1.0.39.so", so);
	put_binary(d.dir, "opt/old/lib/libuClibc-0.9.33.2.so", so);
	static const char *const boa[] = {"Boa/0.94.14rc21", "boa.conf", NULL};
	put_binary(d.dir, "usr/sbin/boa", boa);
	static const char *const goahead[] = {"Server: %s/%s\r\n", "GoAhead-Webs", "2.1.8", NULL};
	put_binary(d.dir, "bin/webs", goahead);
	static const char *const uhttpd[] = {"Usage: %s -p [addr:]port -h docroot",
	                                     "uhttpd: invalid encoding", NULL};
	put_binary(d.dir, "usr/sbin/uhttpd", uhttpd);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	if (count(&t) != 5)
		test_inspect_dump(&t);
	assert_int_equal(count(&t), 5);
	const struct it_component *c = must(&t, "uclibc-ng", "1.0.39");
	assert_int_equal(c->found_by, IT_FOUND_FILENAME);
	assert_int_equal(c->n_evidence, 2);
	assert_string_equal(c->cpe, "cpe:2.3:a:uclibc-ng_project:uclibc-ng:1.0.39:*:*:*:*:*:*:*");
	must(&t, "uclibc", "0.9.33.2");
	assert_string_equal(must(&t, "boa", "0.94.14rc21")->cpe,
	                    "cpe:2.3:a:boa:boa:0.94.14rc21:*:*:*:*:*:*:*");
	must(&t, "goahead", "2.1.8");
	c = must(&t, "uhttpd", NULL);
	assert_null(c->version);
	assert_null(c->cpe); /* no version, no CPE */
	assert_string_equal(c->purl, "pkg:generic/uhttpd");
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* --- the kernel --------------------------------------------------------------------- */

/* Pseudo-random bytes (a fixed LCG) with text at an offset. */
static void blob_with(struct it_buf *b, size_t n, size_t at, const char *text)
{
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		if (i == at) {
			it_buf_append(b, text, strlen(text) + 1);
			i += strlen(text);
			continue;
		}
		x = x * 1103515245u + 12345u;
		uint8_t c = (uint8_t)(x >> 16);
		it_buf_append(b, &c, 1);
	}
}

static void test_kernel_banner_payload(void **state)
{
	(void)state;
	/* a gzip'd kernel as the demo image has it: the unpacker gives a payload entry */
	struct it_buf raw = IT_BUF_INIT, gz = IT_BUF_INIT;
	blob_with(&raw, 256 * 1024, 160 * 1024,
	          "Linux version 6.1.0-50-marvell (debian-kernel@lists.debian.org) (gcc-12 (Debian "
	          "12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) # Debian "
	          "6.1.176-1 (2026-07-02)\n");
	assert_int_equal(run_filter("gzip -9n", raw.data, raw.len, &gz), 0);
	struct test_inspect t;
	test_inspect_memory(&t, gz.data, gz.len);
	assert_int_equal(count(&t), 1);
	const struct it_component *c = must(&t, "linux-kernel", "6.1.0-50-marvell");
	assert_int_equal(c->found_by, IT_FOUND_BANNER);
	assert_string_equal(c->upstream, "6.1.176"); /* Debian's ABI 6.1.0-50 is 6.1.176 */
	assert_string_equal(c->type, "operating-system");
	assert_string_equal(c->cpe, "cpe:2.3:o:linux:linux_kernel:6.1.176:*:*:*:*:*:*:*");
	assert_string_equal(c->evidence[0].path, ""); /* a payload */
	assert_non_null(strstr(c->evidence[0].excerpt, "Linux version 6.1.0-50-marvell"));
	test_inspect_free(&t);
	it_buf_free(&raw);
	it_buf_free(&gz);
}

static void test_kernel_modules(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-kmod"), 0);
	put_str(d.dir, "lib/modules/5.10.176/modules.dep", "kernel/drivers/net/tun.ko:\n");
	static const char *const modinfo[] = {
	        "license=GPL", "alias=devname:net/tun",
	        "vermagic=5.10.176 SMP preempt mod_unload ARMv7 p2v8 ", NULL};
	put_binary(d.dir, "lib/modules/5.10.176/kernel/drivers/net/tun.ko", modinfo);
	put_binary(d.dir, "lib/modules/5.10.176/kernel/fs/fuse.ko", modinfo);
	/* a second release beside it (a leftover) stays a separate component */
	put_str(d.dir, "lib/modules/4.14.0-ledge/modules.dep", "\n");
	/* and "Linux version" in a help text without the banner's shape is nothing */
	static const char *const help[] = {"prints the Linux version of the running kernel", NULL};
	put_binary(d.dir, "usr/bin/uname", help);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	if (count(&t) != 2)
		test_inspect_dump(&t);
	assert_int_equal(count(&t), 2);
	const struct it_component *c = must(&t, "linux-kernel", "5.10.176");
	/* the module's vermagic (a signature) is more certain than a directory name */
	assert_int_equal(c->found_by, IT_FOUND_SIGNATURE);
	assert_string_equal(c->source, "signature:linux-vermagic");
	assert_int_equal(c->n_evidence, 2); /* the directory and one module (max_evidence 1) */
	assert_non_null(evidence(c, "lib/modules/5.10.176"));
	c = must(&t, "linux-kernel", "4.14.0-ledge");
	assert_int_equal(c->found_by, IT_FOUND_FILENAME);
	assert_string_equal(c->upstream, "4.14.0");
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* --- merging ------------------------------------------------------------------------- */

static void test_merge_rules(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-merge"), 0);
	/* the package database names zlib 1.2.11, the image's library is the host's */
	put_str(d.dir, "var/lib/dpkg/status",
	        "Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\n"
	        "Version: 1:1.2.11.dfsg-2+deb11u2\n\n"
	        "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\n"
	        "Source: openssl\nVersion: 3.0.22-1~deb12u2\n");
	assert_true(copy_host(d.dir, "/lib/x86_64-linux-gnu/libz.so.1", "lib/libz.so.1"));
	/* two copies of libcrypto: one component (the package's), two evidence files */
	assert_true(copy_host(d.dir, "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
	                      "usr/lib/libcrypto.so.3"));
	assert_true(copy_host(d.dir, "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
	                      "opt/app/libcrypto.so.3"));
	/* a recovery file system inside the image: another chain, no package database */
	assert_true(copy_host(d.dir, "/lib/x86_64-linux-gnu/libz.so.1", "rec/lib/libz.so.1"));
	assert_int_equal(test_sh("cd '%s' && tar -C rec -cf recovery.tar lib && rm -r rec", d.dir),
	                 0);
	/* two BusyBox versions in two binaries stay two components */
	static const char *const b1[] = {"BusyBox v1.30.1 (2019-11-12 10:00:00 UTC)", NULL};
	static const char *const b2[] = {"BusyBox v1.36.1 (2023-06-01 10:00:00 UTC)", NULL};
	put_binary(d.dir, "bin/busybox", b1);
	put_binary(d.dir, "opt/tools/busybox", b2);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	char *zv = host_upstream("zlib1g", "-e 's/[.+~]dfsg.*//' -e 's/-[^-]*$//'");
	char *ov = host_upstream("libssl3", "-e 's/-[^-]*$//'");
	assert_unique(&t);
	/* different version: the package and the signature component both stay; the zlib
	 * of the same version in recovery.tar joins the signature component */
	const struct it_component *pkg = must(&t, "zlib1g", NULL);
	assert_null(evidence(pkg, "lib/libz.so.1"));
	const struct it_component *z = must(&t, "zlib", zv);
	assert_int_equal(z->n_evidence, 2);
	assert_true(strstr(z->evidence[0].chain, ":tar") && strstr(z->evidence[1].chain, ":tar"));
	assert_string_not_equal(z->evidence[0].chain, z->evidence[1].chain);
	/* same version as the package (if the host's libssl3 is 3.0.22): absorbed */
	if (strcmp(ov, "3.0.22") == 0) {
		const struct it_component *ssl = must(&t, "libssl3", NULL);
		assert_null(test_component(&t, "openssl", NULL));
		assert_non_null(evidence(ssl, "usr/lib/libcrypto.so.3"));
		assert_non_null(evidence(ssl, "opt/app/libcrypto.so.3"));
	} else {
		assert_int_equal(must(&t, "openssl", ov)->n_evidence, 2);
	}
	must(&t, "busybox", "1.30.1");
	must(&t, "busybox", "1.36.1");
	assert_int_equal(count(&t), 5);
	free(zv);
	free(ov);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* --- the two real images ---------------------------------------------------------------- */

/* Compare the components with "name version" lines of the image's own status file (awk). */
static void assert_packages(const struct test_inspect *t, const char *status, size_t *n)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "awk '/^Package:/{p=$2} /^Version:/{print p\" \"$2}' '%s'",
	         status);
	struct it_buf out = IT_BUF_INIT;
	assert_int_equal(run_filter(cmd, NULL, 0, &out), 0);
	*n = 0;
	for (char *l = strtok((char *)out.data, "\n"); l; l = strtok(NULL, "\n")) {
		char *sp = strchr(l, ' ');
		assert_non_null(sp);
		*sp = '\0';
		const struct it_component *c = must(t, l, sp + 1);
		assert_int_equal(c->found_by, IT_FOUND_PKGDB);
		(*n)++;
	}
	it_buf_free(&out);
}

static void test_demo_image(void **state)
{
	(void)state;
	/* built once into the cache (the image is reproducible), again when the script changes */
	char src[1024], demo[600], path[1200];
	snprintf(src, sizeof(src), "%s/../../tests/fixtures/build-demo-firmware.sh", test_data(""));
	deb_cache(demo, sizeof(demo));
	strcat(demo, "/../test-demo");
	if (test_sh("test '%s/demo-firmware.bin' -nt '%s' || '%s' '%s' >/dev/null 2>&1", demo, src,
	            src, demo) != 0)
		skip(); /* the Debian packages cannot be downloaded here */
	snprintf(path, sizeof(path), "%s/demo-firmware.bin", demo);
	struct test_inspect t;
	test_inspect_file(&t, path);
	snprintf(path, sizeof(path), "%s/work/rootfs/var/lib/dpkg/status", demo);
	size_t n;
	assert_packages(&t, path, &n);
	/* every package of the status file, plus the kernel of the payload; the signature
	 * components of busybox, dropbear, dnsmasq, OpenSSL, glibc, zlib, libtomcrypt were all
	 * merged into their packages */
	assert_int_equal(n, 29);
	assert_int_equal(count(&t), n + 1);
	const struct it_component *k = must(&t, "linux-kernel", "5.10.176");
	assert_int_equal(k->found_by, IT_FOUND_BANNER);
	const struct it_component *bb = must(&t, "busybox-static", NULL);
	assert_non_null(evidence(bb, "usr/bin/diag")); /* the setuid copy of busybox */
	assert_non_null(evidence(bb, "bin/busybox"));
	assert_string_equal(bb->cpe, "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*");
	assert_non_null(evidence(must(&t, "dropbear-bin", NULL), "usr/sbin/dropbear"));
	assert_non_null(evidence(must(&t, "dnsmasq-base", NULL), "usr/sbin/dnsmasq"));
	assert_non_null(
	        evidence(must(&t, "libssl3", NULL), "usr/lib/x86_64-linux-gnu/libcrypto.so.3"));
	assert_non_null(evidence(must(&t, "libc6", NULL), "lib/x86_64-linux-gnu/libc.so.6"));
	assert_unique(&t);
	test_inspect_free(&t);
}

static void test_netboot_image(void **state)
{
	(void)state;
	const char *cache = getenv("IOTRUST_CACHE");
	char img[1024];
	snprintf(img, sizeof(img),
	         "%s%s/netboot/usr/lib/debian-installer/images/12/armel/kirkwood/network-console/"
	         "d-link/dns-320/netboot.img",
	         cache ? cache : getenv("HOME"), cache ? "" : "/.cache/iotrust");
	if (access(img, R_OK) != 0)
		skip(); /* tests/e2e/t_netboot.sh fetches it */
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-nb"), 0);
	/* the reference: the ramdisk's own files, with gzip and cpio (as t_netboot.sh does) */
	assert_int_equal(test_sh("cd '%s' && tail -c +$((0x28890f + 64 + 1)) '%s' | "
	                         "zcat 2>/dev/null | cpio -id --quiet 'var/lib/dpkg/status' "
	                         "'lib/modules/*' 2>/dev/null; test -s var/lib/dpkg/status",
	                         d.dir, img),
	                 0);
	struct test_inspect t;
	test_inspect_file(&t, img);
	char status[700];
	snprintf(status, sizeof(status), "%s/var/lib/dpkg/status", d.dir);
	size_t n;
	assert_packages(&t, status, &n);
	assert_true(n > 90);
	/* the packages and the kernel (banner of the xz kernel inside the zImage) */
	assert_int_equal(count(&t), n + 1);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "ls '%s/lib/modules'", d.dir);
	char *rel = sh_line(cmd);
	const struct it_component *k = must(&t, "linux-kernel", rel);
	assert_int_equal(k->found_by, IT_FOUND_BANNER);
	/* its upstream version is the kernel-image package's, without the Debian revision */
	snprintf(cmd, sizeof(cmd),
	         "sed -n '/^Package: kernel-image/,/^$/s/^Version: \\(.*\\)-[^-]*$/\\1/p' '%s'",
	         status);
	char *up = sh_line(cmd);
	assert_string_equal(k->upstream, up);
	/* busybox, OpenSSL, OpenSSH, zlib, glibc, wpa_supplicant: merged into the udebs */
	assert_non_null(evidence(must(&t, "busybox-udeb", NULL), "bin/busybox"));
	assert_non_null(evidence(must(&t, "libcrypto3-udeb", NULL), "usr/lib/libcrypto.so.3"));
	assert_non_null(evidence(must(&t, "openssh-server-udeb", NULL), "usr/sbin/sshd"));
	assert_non_null(evidence(must(&t, "zlib1g-udeb", NULL), "usr/lib/libz.so.1.2.13"));
	assert_non_null(evidence(must(&t, "libc6-udeb", NULL), "lib/arm-linux-gnueabi/libc.so.6"));
	assert_non_null(evidence(must(&t, "wpasupplicant-udeb", NULL), "sbin/wpa_supplicant"));
	/* the modules directory and vermagic are the kernel package's evidence */
	const struct it_component *kp = NULL;
	for (size_t i = 0; i < count(&t); i++)
		if (!strncmp(it_inspect_component(t.in, i)->name, "kernel-image-", 13))
			kp = it_inspect_component(t.in, i);
	assert_non_null(kp);
	char dir[600];
	snprintf(dir, sizeof(dir), "lib/modules/%s", rel);
	assert_non_null(evidence(kp, dir));
	assert_string_equal(must(&t, "busybox-udeb", NULL)->supplier, "Debian");
	assert_non_null(strstr(must(&t, "busybox-udeb", NULL)->purl, "?distro=debian-12"));
	assert_unique(&t);
	free(rel);
	free(up);
	test_inspect_free(&t);
	test_dir_close(&d);
}

/* --- hostile input ------------------------------------------------------------------------ */

/* Truncated, binary-junk and enormous-line databases: no crash, what parses is kept. */
static void test_hostile_databases(void **state)
{
	(void)state;
	struct test_dir d;
	assert_int_equal(test_dir_open(&d, "inv-junk"), 0);
	struct it_buf b = IT_BUF_INIT;
	it_buf_puts(&b, "Package: ok\nStatus: install ok installed\nVersion: 1.0-1\n\n");
	it_buf_puts(&b, "Package: no-status\nVersion: 1.0-1\n\nStatus: install ok installed\n\n");
	it_buf_puts(&b, "Package: ");
	for (int i = 0; i < 100000; i++)
		it_buf_puts(&b, "x");
	it_buf_puts(&b, "\nStatus: install ok installed\nVersion: 1\nDepends: ");
	for (int i = 0; i < 5000; i++)
		it_buf_puts(&b, "a | ");
	static const char tail[] = "\n\n\0\377\376Package: \0\nVersion\n:\n\nPackage: last\n"
	                           "Status: install ok installed\nVersion: 2";
	it_buf_append(&b, tail, sizeof(tail) - 1); /* no newline at the end */
	put(d.dir, "var/lib/dpkg/status", b.data, b.len, 0644);
	put(d.dir, "lib/apk/db/installed", "P:\nV:\n\nP:x\nV", 12, 0644);
	put(d.dir, "etc/os-release", "ID=\"\nVERSION_ID", 15, 0644);
	it_buf_free(&b);
	struct test_inspect t;
	test_inspect_tree(&t, d.dir, "");
	must(&t, "ok", "1.0-1");
	must(&t, "last", "2");
	assert_int_equal(count(&t), 3); /* the long name too, its evidence excerpt cut short */
	for (size_t i = 0; i < count(&t); i++)
		assert_true(strlen(it_inspect_component(t.in, i)->evidence[0].excerpt) <= 200);
	test_inspect_free(&t);
	test_dir_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_dpkg),
	        cmocka_unit_test(test_dpkg_upstream),
	        cmocka_unit_test(test_dpkg_list_evidence),
	        cmocka_unit_test(test_opkg),
	        cmocka_unit_test(test_opkg_controls_only),
	        cmocka_unit_test(test_apk),
	        cmocka_unit_test(test_real_libraries),
	        cmocka_unit_test(test_debian_packages),
	        cmocka_unit_test(test_busybox_applets),
	        cmocka_unit_test(test_quoted_versions),
	        cmocka_unit_test(test_openssh_compat),
	        cmocka_unit_test(test_static_link),
	        cmocka_unit_test(test_text_is_not_binary),
	        cmocka_unit_test(test_source_only_signatures),
	        cmocka_unit_test(test_kernel_banner_payload),
	        cmocka_unit_test(test_kernel_modules),
	        cmocka_unit_test(test_merge_rules),
	        cmocka_unit_test(test_hostile_databases),
	        cmocka_unit_test(test_demo_image),
	        cmocka_unit_test(test_netboot_image),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

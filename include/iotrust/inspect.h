/*
 * Inspection: every file entry of an image passes once through a registry of
 * inspectors, which build an inventory of software components and a list of
 * findings. Checks (id, severity, provisions) are data (data/checks.json); an
 * inspector may only report ids the catalogue defines. The context owns every
 * string it hands out; pointers live until it_inspect_free().
 */
#ifndef IOTRUST_INSPECT_H
#define IOTRUST_INSPECT_H
#include <stddef.h>
#include <stdint.h>

#include "iotrust/data.h"
#include "iotrust/error.h"
#include "iotrust/unpack.h"

enum it_severity { IT_SEV_INFO, IT_SEV_LOW, IT_SEV_MEDIUM, IT_SEV_HIGH, IT_SEV_CRITICAL };
#define IT_SEV_COUNT 5
const char *it_severity_name(enum it_severity s);            /* "info" ... "critical" */
int it_severity_parse(const char *s, enum it_severity *out); /* 0 or -1 */

/* One check of the catalogue (data/checks.json). */
struct it_check {
	const char *id; /* stable, dotted: "cred.empty-password" */
	enum it_severity severity;
	const char *title;             /* one line */
	const char *description;       /* what it looks for and why it matters */
	const char *remediation;       /* what the maker should do */
	const char *cwe;               /* "CWE-521" or NULL */
	const char *const *provisions; /* ETSI EN 303 645 ids ("5.1-1"), NULL-terminated */
};

/* One finding: a check that fired at a place in the image. */
struct it_finding {
	const struct it_check *check;
	enum it_severity severity; /* the check's, unless the inspector raised or lowered it */
	const char *chain;         /* container chain, "" for the image itself */
	const char *path;          /* path inside the container, "" for a payload */
	unsigned line;             /* 1-based line in the file, 0 when not a text line */
	const char *message;       /* one sentence about this instance */
	const char *evidence;      /* excerpt with secrets redacted, or NULL */
};

/* How a component was found, from most to least certain. */
enum it_found_by {
	IT_FOUND_PKGDB,     /* a package database (dpkg, opkg, apk) */
	IT_FOUND_BANNER,    /* a version banner the component prints (kernel, U-Boot) */
	IT_FOUND_SIGNATURE, /* a version signature over the strings of a binary */
	IT_FOUND_FILENAME   /* a file or directory name (lib/modules/<ver>, libfoo.so.1.2.3) */
};
const char *it_found_by_name(enum it_found_by f); /* "package-db", "banner", ... */

struct it_evidence {
	const char *chain, *path; /* where */
	const char *excerpt;      /* the matched string or database field, or NULL */
	char sha256[65];          /* hex digest of the file, "" when not hashed */
};

struct it_component {
	const char *name;     /* package or product name: "busybox" */
	const char *version;  /* as found: "1:1.35.0-4+b3" for a package, "1.35.0" */
	const char *upstream; /* upstream version for CPE/NVD: "1.35.0"; may equal version */
	const char *type;     /* CycloneDX type: application, library, operating-system, firmware */
	const char *supplier; /* "Debian", "OpenWrt", vendor, or NULL */
	const char *cpe;      /* CPE 2.3 formatted string, or NULL */
	const char *purl;     /* package URL, or NULL */
	const char *arch;     /* package architecture, or NULL */
	const char *source;   /* what found it: "dpkg:var/lib/dpkg/status", "signature:busybox" */
	enum it_found_by found_by;
	unsigned confidence; /* 0..100 */
	const struct it_evidence *evidence;
	size_t n_evidence;
	const char *const *depends; /* names of components it depends on (package db) */
	size_t n_depends;
};

struct it_inspect;

struct it_inspect_options {
	const struct it_data *data; /* required: catalogue, signatures, password list */
	uint64_t crack_budget_ms;   /* time for default-password cracking, all hashes */
	int no_elf;                 /* skip ELF hardening checks */
};
#define IT_DEFAULT_CRACK_BUDGET_MS 2000u
void it_inspect_options_default(struct it_inspect_options *o);

int it_inspect_new(struct it_inspect **out, const struct it_inspect_options *o,
                   struct it_error *err);
/* Feed one entry (from an it_unpack on_entry callback). -1 only for errors that
 * must stop the scan (out of memory, limits); a file an inspector cannot parse is
 * simply not evidence. */
int it_inspect_entry(struct it_inspect *in, const struct it_entry *e, struct it_error *err);
/* After the last entry: cross-file checks, inventory merge, sorting. */
int it_inspect_finish(struct it_inspect *in, struct it_error *err);
void it_inspect_free(struct it_inspect *in);

size_t it_inspect_check_count(const struct it_inspect *in);
const struct it_check *it_inspect_check(const struct it_inspect *in, size_t i);
const struct it_check *it_inspect_check_find(const struct it_inspect *in, const char *id);
size_t it_inspect_finding_count(const struct it_inspect *in);
const struct it_finding *it_inspect_finding(const struct it_inspect *in, size_t i);
size_t it_inspect_component_count(const struct it_inspect *in);
const struct it_component *it_inspect_component(const struct it_inspect *in, size_t i);

struct it_inspect_stats {
	uint64_t entries, files, dirs, symlinks;
	uint64_t elf_files;     /* ELF objects examined */
	uint64_t bytes_read;    /* file bytes inspectors asked for */
	uint64_t skipped_files; /* files an inspector could not read (over a limit) */
};
const struct it_inspect_stats *it_inspect_stats(const struct it_inspect *in);

#endif

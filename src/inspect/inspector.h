/*
 * The contract between the inspection core (inspect.c) and one family of
 * inspectors (check_<family>.c, inventory_<kind>.c): a table of callbacks registered in
 * registry.c, and the calls an inspector uses to report findings and
 * components. An inspector keeps its own state; the core owns every result.
 */
#ifndef IOTRUST_INSPECTOR_H
#define IOTRUST_INSPECTOR_H
#include <jansson.h>
#include <stdarg.h>
#include <string.h>

#include "iotrust/buf.h"
#include "iotrust/digest.h"
#include "iotrust/inspect.h"

struct it_inspector {
	const char *name;
	/* The check ids this inspector may report (NULL-terminated); the core
	 * verifies at start that the catalogue defines each one. */
	const char *const *checks;
	/* Allocate private state (may be NULL when the inspector has none).
	 * Return 0, or -1 with err. */
	int (*create)(struct it_inspect *in, void **state, struct it_error *err);
	/* Every entry, in unpack order. Decide cheaply by path, type and size
	 * before asking for bytes (it_inspect_bytes). */
	int (*entry)(struct it_inspect *in, void *state, const struct it_entry *e,
	             struct it_error *err);
	/* After the last entry: checks that need several files. */
	int (*finish)(struct it_inspect *in, void *state, struct it_error *err);
	void (*destroy)(void *state);
};

/* The registry (registry.c), in the order inspectors run. */
extern const struct it_inspector *const it_inspectors[];
extern const size_t it_inspector_count;

/* The options the context was made with (data, crack budget). */
const struct it_inspect_options *it_inspect_opts(const struct it_inspect *in);

/* A file's bytes, through the unpacker's cache. Returns 0 and sets data and len,
 * or -1: with err set when the scan must stop, or with err clear when the file
 * could not be read (over --max-file: counted in stats.skipped_files, and the
 * inspector should just go on). */
int it_inspect_bytes(struct it_inspect *in, const struct it_entry *e, const uint8_t **data,
                     size_t *len, struct it_error *err);

/* Report a finding of check_id at chain/path (copied). line 0 = not a line.
 * evidence may be NULL and must already be redacted. severity < 0 uses the
 * check's severity. An id the catalogue lacks is IT_ERR_INTERNAL. */
struct it_finding_loc {
	const char *chain, *path;
	unsigned line;
};
int it_inspect_report(struct it_inspect *in, const char *check_id, int severity,
                      const struct it_finding_loc *loc, const char *evidence, struct it_error *err,
                      const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* The location of an entry itself. */
static inline struct it_finding_loc it_loc(const struct it_entry *e, unsigned line)
{
	struct it_finding_loc l = {e->chain, e->path, line};
	return l;
}

/* A new, zeroed component owned by the context; set its fields with
 * it_inspect_strdup()'d strings (or string literals) and add evidence. */
struct it_component *it_inspect_component_new(struct it_inspect *in, struct it_error *err);
int it_component_add_evidence(struct it_inspect *in, struct it_component *c, const char *chain,
                              const char *path, const char *excerpt, const uint8_t *bytes,
                              size_t len, struct it_error *err);
int it_component_add_depend(struct it_inspect *in, struct it_component *c, const char *name,
                            struct it_error *err);
/* Remove the component at index i (used when merging the inventory). */
void it_inspect_component_remove(struct it_inspect *in, size_t i);
struct it_component *it_inspect_component_mut(struct it_inspect *in, size_t i);

/* Strings that live as long as the context. NULL on out of memory (err set). */
char *it_inspect_strdup(struct it_inspect *in, const char *s, struct it_error *err);
char *it_inspect_strndup(struct it_inspect *in, const char *s, size_t n, struct it_error *err);
char *it_inspect_printf(struct it_inspect *in, struct it_error *err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Redact a secret for evidence: keeps at most 2 leading characters and says how
 * long it was ("ad…(8 chars)"). Appends to out. */
int it_redact(struct it_buf *out, const char *secret, size_t n);

/* Count an ELF object in the stats (the ELF inspector calls this). */
void it_inspect_count_elf(struct it_inspect *in);

/* --- helpers the inspectors share ------------------------------------------ */

/* Per-container-chain state: find the element named name in *arrp (*n elements of elem
 * bytes, each struct starting with a `char *name` member it owns), or append a zeroed
 * one holding a copy of name (*created = 1). *last caches the index of the previous
 * hit. NULL on out of memory. These helpers are defined in shared.c. */
void *it_chain_slot(void *arrp, size_t *n, size_t *last, size_t elem, const char *name,
                    int *created);

/* Parse the JSON data file name (data/<name>) into *root: a parse error names the file,
 * line and column (IT_ERR_INPUT). */
int it_data_load_json(const struct it_data *d, const char *name, json_t **root,
                      struct it_error *err);

/* A malloc'd copy of the string member key of o, or NULL (absent, another type, no
 * memory). */
char *it_json_strdup(json_t *o, const char *key);

/* A vector of owned strings: zero-initialise, it_strv_free when done. push and add
 * (push unless present) return 0 or -1 out of memory; find returns an index or -1;
 * load appends the strings of a JSON array (other members are skipped). */
struct it_strv {
	char **v;
	size_t n, cap;
};
int it_strv_push(struct it_strv *s, const char *p);
int it_strv_add(struct it_strv *s, const char *p);
long it_strv_find(const struct it_strv *s, const char *p);
int it_strv_load(json_t *arr, struct it_strv *out);
void it_strv_free(struct it_strv *s);

/* Text has no NUL byte in its first KiB. */
int it_text_looks(const uint8_t *d, size_t n);
/* The next logical line of [*p, end) (backslash-newline joined, cut at 4 KiB) into out;
 * *no counts physical lines, *first gets the logical line's first (1-based). Returns 1,
 * 0 at the end of the text, -1 out of memory. */
int it_text_next_line(const char **p, const char *end, unsigned *no, struct it_buf *out,
                      unsigned *first);
/* A one-line excerpt of a line (trimmed, at most 160 bytes, non-printables as '?');
 * malloc'd, NULL on out of memory. */
char *it_text_excerpt(const char *line);

static inline const char *it_path_base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static inline int it_has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static inline int it_has_suffix(const char *s, const char *x)
{
	size_t n = strlen(s), m = strlen(x);
	return n >= m && strcmp(s + n - m, x) == 0;
}

/* The CPE 2.3 formatted string for a "[part:]vendor:product" spec, a version and an
 * update (may be NULL), owned by the context: NULL with err clear for a malformed spec,
 * with err set on out of memory. And PURL percent-encoding of s appended to b. Both in
 * inventory.c. */
const char *it_inventory_cpe(struct it_inspect *in, const char *spec, const char *version,
                             const char *update, struct it_error *err);
int it_inventory_purl_put(struct it_buf *b, const char *s);

/* Called by it_inspect_finish after every inspector's finish: merges the
 * inventory (package databases win over signatures), defined in inventory.c. */
int it_inventory_finalise(struct it_inspect *in, struct it_error *err);

#endif

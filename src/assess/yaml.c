/*
 * The strict YAML reader of yaml.h: libfyaml's event parser drives a small stack of open
 * containers, so every node gets its position, duplicate keys are caught where the second one
 * is written, and alias expansion ("billion laughs") cannot happen because aliases are refused.
 * libfyaml's own diagnostics are collected, not printed, and become one it_error.
 */
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "assess/yaml.h"

struct ybuild {
	const char *name;
	const struct it_yaml_limits *lim;
	struct it_ynode *root;
	struct it_ynode **stack;
	size_t depth, nodes, docs;
	struct it_error *err;
};

void it_ynode_free(struct it_ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		it_ynode_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

const struct it_ynode *it_ynode_get(const struct it_ynode *map, const char *key)
{
	if (!map || map->kind != IT_YNODE_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (!strcmp(map->kids[i]->text, key))
			return map->kids[i + 1];
	return NULL;
}

int it_ynode_is_null(const struct it_ynode *n)
{
	if (!n || n->kind != IT_YNODE_SCALAR || !n->plain)
		return 0;
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (!strcmp(n->text, nulls[i]))
			return 1;
	return 0;
}

char *it_ynode_describe(const struct it_ynode *n)
{
	if (!n)
		return strdup("nothing");
	if (n->kind == IT_YNODE_MAP)
		return strdup("a mapping");
	if (n->kind == IT_YNODE_SEQ)
		return strdup("a list");
	if (it_ynode_is_null(n))
		return strdup("nothing (null)");
	/* Quote and shorten, escaping what would garble a terminal. */
	size_t max = 60, n_out = n->len < max ? n->len : max;
	char *s = malloc(n_out * 4 + 8);
	if (!s)
		return NULL;
	char *p = s;
	*p++ = '"';
	for (size_t i = 0; i < n_out; i++) {
		unsigned char c = (unsigned char)n->text[i];
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			*p++ = '\\';
			*p++ = 'x';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	if (n_out < n->len) {
		memcpy(p, "...", 3);
		p += 3;
	}
	*p = '\0';
	return s;
}

static void mark_pos(struct fy_event *fye, unsigned long *line, unsigned long *col)
{
	const struct fy_mark *m = fy_event_start_mark(fye);
	*line = m ? (unsigned long)m->line + 1 : 0;
	*col = m ? (unsigned long)m->column + 1 : 0;
}

static int fail_at(struct ybuild *b, struct fy_event *fye, enum it_errcode code, const char *what,
                   size_t limit)
{
	unsigned long line, col;
	mark_pos(fye, &line, &col);
	if (limit)
		return it_error_set_line(b->err, code, b->name, line, col, "%s (limit %zu)", what,
		                         limit);
	return it_error_set_line(b->err, code, b->name, line, col, "%s", what);
}

static int push_kid(struct ybuild *b, struct it_ynode *parent, struct it_ynode *kid)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 8;
		struct it_ynode **k = realloc(parent->kids, cap * sizeof *k);
		if (!k)
			return it_error_nomem(b->err);
		parent->kids = k;
		parent->cap = cap;
	}
	parent->kids[parent->n++] = kid;
	return 0;
}

/* Put a new node where the open container expects it; takes ownership of n. */
static int attach(struct ybuild *b, struct it_ynode *n)
{
	if (b->depth == 0) {
		if (b->root) {
			it_ynode_free(n);
			return it_error_set_line(b->err, IT_ERR_INPUT, b->name, n->line, n->column,
			                         "more than one top-level value");
		}
		b->root = n;
		return 0;
	}
	struct it_ynode *parent = b->stack[b->depth - 1];
	if (n->line == 0 && parent->n > 0) {
		/* An empty value has no mark of its own: place it at its key. */
		n->line = parent->kids[parent->n - 1]->line;
		n->column = parent->kids[parent->n - 1]->column;
	}
	if (parent->kind == IT_YNODE_MAP && parent->n % 2 == 0) {
		unsigned long line = n->line, col = n->column;
		if (n->kind != IT_YNODE_SCALAR) {
			it_ynode_free(n);
			return it_error_set_line(b->err, IT_ERR_INPUT, b->name, line, col,
			                         "a mapping key must be a string");
		}
		if (strlen(n->text) != n->len) {
			it_ynode_free(n);
			return it_error_set_line(b->err, IT_ERR_INPUT, b->name, line, col,
			                         "a mapping key must not contain NUL");
		}
		for (size_t i = 0; i < parent->n; i += 2) {
			const struct it_ynode *k = parent->kids[i];
			if (!strcmp(k->text, n->text)) {
				int rc = it_error_set_line(
				        b->err, IT_ERR_INPUT, b->name, line, col,
				        "duplicate key \"%.80s\" (first at line %lu)", n->text,
				        k->line);
				it_ynode_free(n);
				return rc;
			}
		}
	}
	if (push_kid(b, parent, n) < 0) {
		it_ynode_free(n);
		return -1;
	}
	return 0;
}

static struct it_ynode *new_node(struct ybuild *b, struct fy_event *fye, enum it_ynode_kind kind)
{
	if (++b->nodes > b->lim->max_nodes) {
		fail_at(b, fye, IT_ERR_LIMIT, "too many nodes", b->lim->max_nodes);
		return NULL;
	}
	struct it_ynode *n = calloc(1, sizeof *n);
	if (!n) {
		it_error_nomem(b->err);
		return NULL;
	}
	n->kind = kind;
	mark_pos(fye, &n->line, &n->column);
	return n;
}

/* Anchors and tags are refused at their own position. */
static int refuse_decorations(struct ybuild *b, struct fy_event *fye, struct fy_token *anchor,
                              struct fy_token *tag)
{
	struct fy_token *t = anchor ? anchor : tag;
	if (!t)
		return 0;
	const struct fy_mark *m = fy_token_start_mark(t);
	if (!m)
		return fail_at(
		        b, fye, IT_ERR_INPUT,
		        anchor ? "anchors and aliases are not allowed" : "tags are not allowed", 0);
	return it_error_set_line(b->err, IT_ERR_INPUT, b->name, (unsigned long)m->line + 1,
	                         (unsigned long)m->column + 1, "%s",
	                         anchor ? "anchors and aliases are not allowed"
	                                : "tags are not allowed");
}

static int on_scalar(struct ybuild *b, struct fy_event *fye)
{
	if (refuse_decorations(b, fye, fye->scalar.anchor, fye->scalar.tag) < 0)
		return -1;
	struct it_ynode *n = new_node(b, fye, IT_YNODE_SCALAR);
	if (!n)
		return -1;
	size_t len = 0;
	const char *t = fye->scalar.value ? fy_token_get_text(fye->scalar.value, &len) : "";
	if (!t) {
		it_ynode_free(n);
		return it_error_nomem(b->err);
	}
	n->text = malloc(len + 1);
	if (!n->text) {
		it_ynode_free(n);
		return it_error_nomem(b->err);
	}
	memcpy(n->text, t, len);
	n->text[len] = '\0';
	n->len = len;
	n->plain = !fye->scalar.value || fy_token_scalar_style(fye->scalar.value) == FYSS_PLAIN;
	return attach(b, n);
}

static int on_open(struct ybuild *b, struct fy_event *fye, enum it_ynode_kind kind,
                   struct fy_token *anchor, struct fy_token *tag)
{
	if (refuse_decorations(b, fye, anchor, tag) < 0)
		return -1;
	if (b->depth >= b->lim->max_depth) {
		return fail_at(b, fye, IT_ERR_LIMIT, "nested too deeply", b->lim->max_depth);
	}
	struct it_ynode *n = new_node(b, fye, kind);
	if (!n)
		return -1;
	if (attach(b, n) < 0)
		return -1;
	b->stack[b->depth++] = n;
	return 0;
}

static int on_event(struct ybuild *b, struct fy_event *fye)
{
	switch (fye->type) {
	case FYET_DOCUMENT_START:
		if (++b->docs > 1)
			return fail_at(b, fye, IT_ERR_INPUT,
			               "more than one YAML document (expected exactly one)", 0);
		return 0;
	case FYET_ALIAS:
		return fail_at(b, fye, IT_ERR_INPUT, "anchors and aliases are not allowed", 0);
	case FYET_SCALAR:
		return on_scalar(b, fye);
	case FYET_SEQUENCE_START:
		return on_open(b, fye, IT_YNODE_SEQ, fye->sequence_start.anchor,
		               fye->sequence_start.tag);
	case FYET_MAPPING_START:
		return on_open(b, fye, IT_YNODE_MAP, fye->mapping_start.anchor,
		               fye->mapping_start.tag);
	case FYET_SEQUENCE_END:
	case FYET_MAPPING_END:
		if (b->depth > 0)
			b->depth--;
		return 0;
	default:
		return 0;
	}
}

/* libfyaml's diagnostics are collected, never printed. */
static void discard_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

/* libfyaml collected a syntax error: report its first one with its position (libfyaml's
 * collected errors are 1-based already, unlike its marks). */
static int syntax_error(struct ybuild *b, struct fy_diag *diag)
{
	void *iter = NULL;
	struct fy_diag_error *de = fy_diag_errors_iterate(diag, &iter);
	if (!de)
		return it_error_set(b->err, IT_ERR_INPUT, b->name, IT_NO_OFFSET,
		                    "YAML syntax error");
	return it_error_set_line(b->err, IT_ERR_INPUT, b->name,
	                         (unsigned long)(de->line < 0 ? 0 : de->line),
	                         (unsigned long)(de->column < 0 ? 0 : de->column),
	                         "YAML syntax error: %s", de->msg ? de->msg : "invalid");
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 when it is not valid UTF-8
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len = c < 0x80                 ? 1
	             : c >= 0xc2 && c <= 0xdf ? 2
	             : c >= 0xe0 && c <= 0xef ? 3
	             : c >= 0xf0 && c <= 0xf4 ? 4
	                                      : 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
	    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return len;
}

/* Before libfyaml sees the bytes: they must be UTF-8, no line may start with '%' (a
 * directive: never needed here, and libfyaml 0.7.12 can loop forever scanning a malformed
 * one), and no four single quotes may follow each other: libfyaml 0.7.12 (Debian 12)
 * decodes two escaped quotes in a row ('a''''b') wrongly and leaks memory doing it. */
static int prescan(const char *name, const char *buf, size_t len, struct it_error *err)
{
	const unsigned char *p = (const unsigned char *)buf;
	unsigned long line = 1, col = 1, quotes = 0;
	for (size_t i = 0; i < len;) {
		if (col == 1 && p[i] == '%')
			return it_error_set_line(err, IT_ERR_INPUT, name, line, col,
			                         "YAML directives (lines starting with %%) are not "
			                         "allowed");
		quotes = p[i] == '\'' ? quotes + 1 : 0;
		if (quotes == 4)
			return it_error_set_line(err, IT_ERR_INPUT, name, line, col - 3,
			                         "four single quotes in a row are not allowed (the "
			                         "YAML library misreads escaped quotes that follow "
			                         "each other); write the text in double quotes");
		size_t n = utf8_len(p + i, len - i);
		if (n == 0)
			return it_error_set_line(err, IT_ERR_INPUT, name, line, col,
			                         "not valid UTF-8 (byte 0x%02x)", p[i]);
		if (p[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += n;
	}
	return 0;
}

int it_yaml_parse(const char *name, const char *buf, size_t len,
                  const struct it_yaml_limits *limits, struct it_ynode **out, struct it_error *err)
{
	static const struct it_yaml_limits defaults = {IT_YAML_MAX_SIZE, IT_YAML_MAX_DEPTH,
	                                               IT_YAML_MAX_NODES};
	*out = NULL;
	struct ybuild b = {.name = name, .lim = limits ? limits : &defaults, .err = err};
	if (len > b.lim->max_size)
		return it_error_set(err, IT_ERR_LIMIT, name, IT_NO_OFFSET,
		                    "document of %zu bytes is larger than the limit of %zu bytes",
		                    len, b.lim->max_size);
	if (prescan(name, buf, len, err) < 0)
		return -1;
	b.stack = calloc(b.lim->max_depth + 1, sizeof *b.stack);
	if (!b.stack)
		return it_error_nomem(err);
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = discard_output;
	dcfg.level = FYET_ERROR;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	struct fy_parse_cfg cfg = {
	        .flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_DEFAULT_VERSION_1_2 |
	                 FYPCF_JSON_NONE | FYPCF_DISABLE_MMAP_OPT,
	        .diag = diag,
	};
	struct fy_parser *fyp = diag ? fy_parser_create(&cfg) : NULL;
	if (diag)
		fy_diag_set_collect_errors(diag, true);
	if (!fyp || fy_parser_set_string(fyp, len ? buf : "", len) != 0) {
		if (fyp)
			fy_parser_destroy(fyp);
		if (diag)
			fy_diag_destroy(diag);
		free(b.stack);
		return it_error_nomem(err);
	}
	int rc = 0;
	struct fy_event *fye;
	while (rc == 0 && (fye = fy_parser_parse(fyp)) != NULL) {
		rc = on_event(&b, fye);
		fy_parser_event_free(fyp, fye);
	}
	if (rc == 0 && fy_parser_get_stream_error(fyp))
		rc = syntax_error(&b, diag);
	fy_parser_destroy(fyp);
	/* destroy, not unref: only destroy frees the collected errors */
	fy_diag_destroy(diag);
	free(b.stack);
	if (rc < 0) {
		it_ynode_free(b.root);
		return -1;
	}
	*out = b.root;
	return 0;
}

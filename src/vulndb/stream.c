/*
 * Element-by-element reading of the one large JSON shape the importers meet: an object
 * whose member (e.g. "vulnerabilities" of an NVD API 2.0 page or feed file) is a long
 * array. jansson parses every value; this file only steps over the object's top level
 * and the array's commas, so each element is parsed, imported and freed alone: memory
 * stays flat and the allocator is not fighting a gigabyte of nodes.
 */
#include <stdio.h>
#include <string.h>

#include "vulndb/stream.h"

#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK)

struct cur {
	const char *p;
	size_t n, pos;
};

static void skip_ws(struct cur *c)
{
	while (c->pos < c->n && (c->p[c->pos] == ' ' || c->p[c->pos] == '\n' ||
	                         c->p[c->pos] == '\r' || c->p[c->pos] == '\t'))
		c->pos++;
}

/* The next character after white space, or -1 at the end. */
static int peek(struct cur *c)
{
	skip_ws(c);
	return c->pos < c->n ? (unsigned char)c->p[c->pos] : -1;
}

/* One JSON value at the cursor, parsed by jansson; the cursor moves past it. */
static json_t *value(struct cur *c, json_error_t *e)
{
	skip_ws(c);
	json_t *v = json_loadb(c->p + c->pos, c->n - c->pos, LOAD_FLAGS, e);
	if (v)
		c->pos += (size_t)e->position;
	return v;
}

/* Where offset lies as a 1-based line and column, for messages. */
static void locate(const char *p, size_t offset, struct it_json_where *w)
{
	w->offset = offset;
	w->line = 1;
	size_t line_start = 0;
	for (size_t i = 0; i < offset; i++)
		if (p[i] == '\n') {
			w->line++;
			line_start = i + 1;
		}
	w->column = offset - line_start + 1;
}

static int syntax(struct cur *c, const json_error_t *e, const char *what, struct it_json_where *w)
{
	size_t at = c->pos + (e ? (size_t)(e->position > 0 ? e->position : 0) : 0);
	locate(c->p, at < c->n ? at : c->n, w);
	snprintf(w->msg, sizeof(w->msg), "%s", e ? e->text : what);
	return -1;
}

/* Steps over the members after the array to the end of the document. */
static int rest(struct cur *c, struct it_json_where *w)
{
	json_error_t e;
	for (;;) {
		int ch = peek(c);
		if (ch == '}') {
			c->pos++;
			return peek(c) == -1 ? 0
			                     : syntax(c, NULL,
			                              "end of input expected after the object", w);
		}
		if (ch != ',')
			return syntax(c, NULL, "',' or '}' expected", w);
		c->pos++;
		json_t *k = value(c, &e);
		if (!json_is_string(k)) {
			json_decref(k);
			return syntax(c, k ? NULL : &e, "a member name (string) expected", w);
		}
		json_decref(k);
		if (peek(c) != ':')
			return syntax(c, NULL, "':' expected", w);
		c->pos++;
		json_t *v = value(c, &e);
		if (!v)
			return syntax(c, &e, NULL, w);
		json_decref(v);
	}
}

/* The array's elements from the second on, then the rest of the document. */
static int elements(struct cur *c, it_json_item_fn each, void *user, struct it_json_where *w)
{
	json_error_t e;
	for (size_t i = 1;; i++) {
		int ch = peek(c);
		if (ch == ']') {
			c->pos++;
			return rest(c, w);
		}
		if (ch != ',')
			return syntax(c, NULL, "',' or ']' expected in the array", w);
		c->pos++;
		size_t at = c->pos;
		json_t *item = value(c, &e);
		if (!item)
			return syntax(c, &e, NULL, w);
		int rc = each(user, item, i, at);
		json_decref(item);
		if (rc < 0)
			return -2;
	}
}

int it_json_stream_array(const char *text, size_t n, const char *key, it_json_accept_fn accept,
                         it_json_item_fn each, void *user, struct it_json_where *w)
{
	struct cur c = {text, n, 0};
	json_error_t e;
	if (peek(&c) != '{')
		return 0;
	c.pos++;
	for (int first = 1;; first = 0) {
		int ch = peek(&c);
		if (ch == '}' || (!first && ch != ',') || (first && ch == ','))
			return 0;
		if (!first)
			c.pos++;
		json_t *k = value(&c, &e);
		int match = json_is_string(k) && strcmp(json_string_value(k), key) == 0;
		if (!json_is_string(k) || peek(&c) != ':') {
			json_decref(k);
			return 0; /* the whole-document parser reports it */
		}
		json_decref(k);
		c.pos++;
		if (!match) {
			json_t *v = value(&c, &e);
			if (!v)
				return 0;
			json_decref(v);
			continue;
		}
		if (peek(&c) != '[')
			return 0;
		c.pos++;
		if (peek(&c) == ']')
			return 0;
		size_t at = c.pos;
		json_t *item = value(&c, &e);
		if (!item || !accept(item)) {
			json_decref(item);
			return 0;
		}
		int rc = each(user, item, 0, at);
		json_decref(item);
		if (rc < 0)
			return -2;
		rc = elements(&c, each, user, w);
		return rc == 0 ? 1 : rc;
	}
}

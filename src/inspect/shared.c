/*
 * Helpers the inspectors share: per-container-chain state slots, loading JSON data
 * files, and reading text files as logical lines (continuations joined) with short
 * printable excerpts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iotrust/data.h"
#include "inspect/inspector.h"

#define TEXT_MAX_LINE    4096 /* a logical line (continuations joined) is cut */
#define TEXT_MAX_EXCERPT 160

void *it_chain_slot(void *arrp, size_t *n, size_t *last, size_t elem, const char *name,
                    int *created)
{
	char **arr = arrp; /* each element starts with its char *name */
	*created = 0;
	if (*last < *n && strcmp(*(char **)(*arr + *last * elem), name) == 0)
		return *arr + *last * elem;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(*(char **)(*arr + i * elem), name) == 0) {
			*last = i;
			return *arr + i * elem;
		}
	char *copy = strdup(name);
	char *v = copy ? realloc(*arr, (*n + 1) * elem) : NULL;
	if (!v) {
		free(copy);
		return NULL;
	}
	*arr = v;
	char *slot = v + *n * elem;
	memset(slot, 0, elem);
	memcpy(slot, &copy, sizeof(copy));
	*last = (*n)++;
	*created = 1;
	return slot;
}

int it_data_load_json(const struct it_data *d, const char *name, json_t **root,
                      struct it_error *err)
{
	struct it_buf b = IT_BUF_INIT;
	*root = NULL;
	if (it_data_read(d, name, &b, err) < 0)
		return -1;
	json_error_t je;
	*root = json_loadb((const char *)b.data, b.len, JSON_ALLOW_NUL, &je);
	it_buf_free(&b);
	if (!*root)
		return it_error_set_line(err, IT_ERR_INPUT, name, (unsigned long)je.line,
		                         (unsigned long)je.column, "%s", je.text);
	return 0;
}

char *it_json_strdup(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

int it_strv_push(struct it_strv *s, const char *p)
{
	char *copy = strdup(p);
	if (!copy || it_array_grow(&s->v, &s->cap, s->n, sizeof(*s->v)) < 0) {
		free(copy);
		return -1;
	}
	s->v[s->n++] = copy;
	return 0;
}

long it_strv_find(const struct it_strv *s, const char *p)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], p) == 0)
			return (long)i;
	return -1;
}

int it_strv_add(struct it_strv *s, const char *p)
{
	return it_strv_find(s, p) >= 0 ? 0 : it_strv_push(s, p);
}

int it_strv_load(json_t *arr, struct it_strv *out)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *v = json_string_value(json_array_get(arr, i));
		if (v && it_strv_push(out, v) < 0)
			return -1;
	}
	return 0;
}

void it_strv_free(struct it_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Text has no NUL byte in its first KiB. */
int it_text_looks(const uint8_t *d, size_t n)
{
	return memchr(d, 0, n < 1024 ? n : 1024) == NULL;
}

/* The next logical line of [*p, end) (backslash-newline joined, cut at TEXT_MAX_LINE) into
 * out; *no counts physical lines, *first is the logical line's first (1-based).
 * Returns 1, 0 at the end of the text, -1 out of memory. */
int it_text_next_line(const char **p, const char *end, unsigned *no, struct it_buf *out,
                      unsigned *first)
{
	if (*p >= end)
		return 0;
	it_buf_truncate(out, 0);
	*first = *no + 1;
	for (;;) {
		const char *nl = memchr(*p, '\n', (size_t)(end - *p));
		const char *e = nl ? nl : end;
		size_t n = (size_t)(e - *p);
		if (n && (*p)[n - 1] == '\r')
			n--;
		int cont = n && (*p)[n - 1] == '\\' && nl;
		if (cont)
			n--;
		if (out->len < TEXT_MAX_LINE) {
			size_t room = TEXT_MAX_LINE - out->len;
			if (it_buf_append(out, *p, n < room ? n : room) < 0)
				return -1;
		}
		(*no)++;
		*p = nl ? nl + 1 : end;
		if (!cont)
			break;
	}
	return it_buf_append(out, "", 0) < 0 ? -1 : 1;
}

/* A short one-line excerpt of a line (trimmed, non-printables as '?'); malloc'd. */
char *it_text_excerpt(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	int cut = n > TEXT_MAX_EXCERPT;
	if (cut)
		n = TEXT_MAX_EXCERPT;
	char *x = malloc(n + 4);
	if (!x)
		return NULL;
	for (size_t i = 0; i < n; i++)
		x[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (cut) {
		memcpy(x + n, "...", 3);
		n += 3;
	}
	x[n] = '\0';
	return x;
}

/*
 * Element-by-element reading of a JSON object's one long array member (stream.c), so
 * the import driver can hand an NVD page of 300,000 records to the importer one record
 * at a time.
 */
#ifndef IOTRUST_VULNDB_STREAM_H
#define IOTRUST_VULNDB_STREAM_H

#include <jansson.h>
#include <stddef.h>

/* Where a syntax error lies in the whole text. */
struct it_json_where {
	size_t offset, line, column; /* byte offset; 1-based line and column */
	char msg[160];
};

/* Whether the array's first element is of the kind the caller streams. */
typedef int (*it_json_accept_fn)(const json_t *item);
/* One element (borrowed: freed after the call), its index and its byte offset. 0, or
 * -1 to stop. */
typedef int (*it_json_item_fn)(void *user, json_t *item, size_t index, size_t offset);

/* If text is a JSON object with a member key whose value is an array whose first element
 * accept() takes, call each() for every element in order and step over the rest of the
 * document. Returns 1 when streamed to the end; 0 when text is not that shape (each() was
 * never called: parse the whole document instead, which also reports its syntax errors);
 * -1 on a syntax error after the first element (w says where; the elements before it
 * were handed over); -2 when each() stopped. */
int it_json_stream_array(const char *text, size_t n, const char *key, it_json_accept_fn accept,
                         it_json_item_fn each, void *user, struct it_json_where *w);

#endif

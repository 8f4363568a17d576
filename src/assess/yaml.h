/*
 * A small, strict YAML reader on top of libfyaml's event parser: one document becomes a tree
 * of it_ynode (scalars keep their text and whether they were plain; every node keeps its
 * 1-based line and column) so validators can name the exact position of a bad value. Anchors,
 * aliases, tags, duplicate keys and non-scalar keys are refused; size, depth and node count
 * are bounded by it_yaml_limits.
 */
#ifndef IOTRUST_ASSESS_YAML_H
#define IOTRUST_ASSESS_YAML_H
#include <stddef.h>

#include "iotrust/error.h"

enum it_ynode_kind { IT_YNODE_SCALAR, IT_YNODE_SEQ, IT_YNODE_MAP };

struct it_ynode {
	enum it_ynode_kind kind;
	unsigned long line, column; /* 1-based */
	char *text;                 /* scalar: NUL-terminated copy (may hold NULs inside) */
	size_t len;                 /* scalar: length of text */
	int plain;                  /* scalar: written without quotes or block style */
	/* seq: the items; map: key, value, key, value ... (keys are scalars, unique) */
	struct it_ynode **kids;
	size_t n, cap;
};

struct it_yaml_limits {
	size_t max_size;  /* bytes of input */
	size_t max_depth; /* nesting of sequences and mappings */
	size_t max_nodes; /* scalars, sequences and mappings together */
};
#define IT_YAML_MAX_SIZE  ((size_t)1 << 20)
#define IT_YAML_MAX_DEPTH 16
#define IT_YAML_MAX_NODES 20000

/* Parse exactly one YAML document from buf (name is used in messages). limits NULL means the
 * defaults above. An empty stream gives *out = NULL and 0. Errors are IT_ERR_INPUT (syntax,
 * refused feature: "name:line:column: message") or IT_ERR_LIMIT. */
int it_yaml_parse(const char *name, const char *buf, size_t len,
                  const struct it_yaml_limits *limits, struct it_ynode **out, struct it_error *err);
void it_ynode_free(struct it_ynode *n);

/* A mapping's value for key, or NULL. */
const struct it_ynode *it_ynode_get(const struct it_ynode *map, const char *key);
/* Is this a plain null scalar ("", "~", "null", "Null", "NULL")? */
int it_ynode_is_null(const struct it_ynode *n);
/* "mapping", "sequence", or the scalar quoted for messages ("\"yes please\""); caller frees. */
char *it_ynode_describe(const struct it_ynode *n);

#endif

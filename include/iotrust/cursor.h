/*
 * it_cursor: bounds-checked reading of untrusted bytes (STYLE.md section 5).
 * Every take_* checks what remains before reading and fails without moving
 * the cursor, so parsers never index raw input directly.
 */
#ifndef IOTRUST_CURSOR_H
#define IOTRUST_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct it_cursor {
	const uint8_t *start;
	const uint8_t *p;
	const uint8_t *end;
};

static inline struct it_cursor it_cursor_make(const uint8_t *p, size_t len)
{
	struct it_cursor c = {p, p, p + len};
	return c;
}

static inline size_t it_cursor_left(const struct it_cursor *c)
{
	return (size_t)(c->end - c->p);
}

static inline size_t it_cursor_offset(const struct it_cursor *c)
{
	return (size_t)(c->p - c->start);
}

static inline int it_cursor_seek(struct it_cursor *c, size_t off)
{
	if (off > (size_t)(c->end - c->start))
		return -1;
	c->p = c->start + off;
	return 0;
}

static inline int it_cursor_skip(struct it_cursor *c, size_t n)
{
	if (n > it_cursor_left(c))
		return -1;
	c->p += n;
	return 0;
}

static inline int it_take_bytes(struct it_cursor *c, const uint8_t **out, size_t n)
{
	if (n > it_cursor_left(c))
		return -1;
	*out = c->p;
	c->p += n;
	return 0;
}

static inline int it_take_u8(struct it_cursor *c, uint8_t *v)
{
	if (it_cursor_left(c) < 1)
		return -1;
	*v = *c->p++;
	return 0;
}

static inline int it_take_u16le(struct it_cursor *c, uint16_t *v)
{
	if (it_cursor_left(c) < 2)
		return -1;
	*v = (uint16_t)(c->p[0] | (c->p[1] << 8));
	c->p += 2;
	return 0;
}

static inline int it_take_u16be(struct it_cursor *c, uint16_t *v)
{
	if (it_cursor_left(c) < 2)
		return -1;
	*v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	return 0;
}

static inline uint32_t it_load_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint32_t it_load_u32be(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
	       (uint32_t)p[3];
}

static inline uint64_t it_load_u64le(const uint8_t *p)
{
	return (uint64_t)it_load_u32le(p) | ((uint64_t)it_load_u32le(p + 4) << 32);
}

static inline uint64_t it_load_u64be(const uint8_t *p)
{
	return ((uint64_t)it_load_u32be(p) << 32) | (uint64_t)it_load_u32be(p + 4);
}

static inline int it_take_u32le(struct it_cursor *c, uint32_t *v)
{
	if (it_cursor_left(c) < 4)
		return -1;
	*v = it_load_u32le(c->p);
	c->p += 4;
	return 0;
}

static inline int it_take_u32be(struct it_cursor *c, uint32_t *v)
{
	if (it_cursor_left(c) < 4)
		return -1;
	*v = it_load_u32be(c->p);
	c->p += 4;
	return 0;
}

static inline int it_take_u64le(struct it_cursor *c, uint64_t *v)
{
	if (it_cursor_left(c) < 8)
		return -1;
	*v = it_load_u64le(c->p);
	c->p += 8;
	return 0;
}

static inline int it_take_u64be(struct it_cursor *c, uint64_t *v)
{
	if (it_cursor_left(c) < 8)
		return -1;
	*v = it_load_u64be(c->p);
	c->p += 8;
	return 0;
}

/* Does the input at the cursor start with these bytes? Does not move. */
static inline int it_cursor_has(const struct it_cursor *c, const void *magic, size_t n)
{
	return it_cursor_left(c) >= n && memcmp(c->p, magic, n) == 0;
}

#endif

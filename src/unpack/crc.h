/*
 * The two CRC-32 variants of Linux's flash formats, from zlib's crc32_z (which
 * inverts before and after): crc32_le(~0, ...) without the final inversion
 * (UBI, UBIFS, TRX) and the kernel's crc32(0, ...) (JFFS2). One place, so no
 * reader re-derives which inversion its format skips.
 */
#ifndef IOTRUST_UNPACK_CRC_H
#define IOTRUST_UNPACK_CRC_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

/* Seed 0xffffffff, no final inversion: UBI, UBIFS, Broadcom TRX. */
static inline uint32_t it_crc32_noinv(const uint8_t *p, size_t n)
{
	return ~(uint32_t)crc32_z(0, p, n);
}

/* Seed 0, no inversion at all: JFFS2 (the kernel's crc32(0, ...)). */
static inline uint32_t it_crc32_seed0(const uint8_t *p, size_t n)
{
	return (uint32_t)(crc32_z(0xffffffffUL, p, n) ^ 0xffffffffUL);
}

#endif

/*
 * Digests of image and file bytes, as lower-case hex (OpenSSL libcrypto).
 */
#ifndef IOTRUST_DIGEST_H
#define IOTRUST_DIGEST_H
#include <stddef.h>
#include <stdint.h>

/* Hex SHA-256 of p[0..n) into out (64 digits and a NUL); "" if the digest failed. */
void it_sha256_hex(const uint8_t *p, size_t n, char out[65]);

#endif

/*
 * Hex digests through OpenSSL's one-shot EVP_Digest.
 */
#include "iotrust/digest.h"

#include <openssl/evp.h>

void it_sha256_hex(const uint8_t *p, size_t n, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	out[0] = 0;
	if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) || len != 32)
		return;
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = 0;
}

/*
 * Signed security labels (issue 7, docs/label.md): Ed25519 issuer keys and their JWKS, RFC 8785
 * canonical JSON, compact JWS (RFC 7515, alg EdDSA per RFC 8037), the label built from an
 * assessment, its QR code (PNG, SVG), verification and the signed revocation list. Secrets
 * live in struct it_label_key only and are wiped by it_label_key_wipe.
 */
#ifndef IOTRUST_LABEL_H
#define IOTRUST_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"

#define IT_LABEL_KID_LEN     43 /* base64url of a SHA-256, no padding */
#define IT_LABEL_DIGEST_LEN  43
#define IT_LABEL_TYP         "iotrust-label+jws"
#define IT_LABEL_REVOKED_TYP "iotrust-revocations+jws"
#define IT_LABEL_URL_BASE    "https://labels.iotrust.dev"
#define IT_LABEL_MAX_INPUT   (1u << 20) /* assessment, label, JWKS, list: 1 MiB at most */

/* --- encodings (label_codec.c) ------------------------------------------------------------ */

/* base64url without padding (RFC 7515 section 2). Decoding is strict: only the URL alphabet,
 * no padding, no whitespace, unused bits zero. 0 or -1. */
int it_b64url_encode(const uint8_t *p, size_t n, struct it_buf *out);
int it_b64url_decode(const char *s, size_t n, struct it_buf *out);
/* "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ" to seconds since 1970. 0 or -1. */
int it_label_time_parse(const char *s, int64_t *out);
/* The end of the day of a "YYYY-MM-DD" date (23:59:59Z). 0 or -1. */
int it_label_date_end(const char *s, int64_t *out);
/* "YYYY-MM-DDTHH:MM:SSZ" into out (21 bytes). */
void it_label_time_format(int64_t t, char out[21]);

/* --- RFC 8785 canonical JSON (label_canon.c) ---------------------------------------------- */

/* Object members sorted by their UTF-16 code units, no whitespace, strings escaped as
 * ECMAScript's JSON.stringify, numbers formatted as ECMAScript's Number.prototype.toString
 * (integers beyond 2^53 are first rounded to a double, as a JavaScript reader would). */
int it_json_canonical(const json_t *v, struct it_buf *out, struct it_error *err);
/* RFC 7638 JWK thumbprint (SHA-256 of the canonical required members, base64url) of an
 * RSA, EC or OKP key. 0 or -1 (IT_ERR_INPUT when a required member is missing). */
int it_jwk_thumbprint(const json_t *jwk, char out[IT_LABEL_KID_LEN + 1], struct it_error *err);

/* --- keys (label_key.c) ------------------------------------------------------------------- */

struct it_label_key {
	uint8_t seed[32]; /* the Ed25519 private key (RFC 8032 "secret key") */
	uint8_t pk[32];
	uint8_t sk[64]; /* libsodium's expanded form: seed || pk */
	char kid[IT_LABEL_KID_LEN + 1];
};

struct it_label_pubkey {
	uint8_t pk[32];
	char kid[IT_LABEL_KID_LEN + 1];
};

struct it_label_jwks {
	struct it_label_pubkey *keys;
	size_t n;
};

/* Argon2id cost of a passphrase-protected key file (libsodium's "interactive" level). */
#define IT_LABEL_KDF_OPSLIMIT 2u
#define IT_LABEL_KDF_MEMLIMIT (64u << 20)

int it_label_keygen(struct it_label_key *k, struct it_error *err);
int it_label_key_from_seed(struct it_label_key *k, const uint8_t seed[32], struct it_error *err);
void it_label_key_wipe(struct it_label_key *k);
/* The key file: PEM PKCS#8 without a passphrase, the armored Argon2id + secretbox format of
 * docs/label.md with one (pass may contain any bytes). */
int it_label_key_format(const struct it_label_key *k, const char *pass, size_t passlen,
                        struct it_buf *out, struct it_error *err);
/* Read either form. A wrong passphrase, or a passphrase missing for an encrypted key, is
 * IT_ERR_INPUT with a message that says so. */
int it_label_key_parse(const char *text, size_t len, const char *where, const char *pass,
                       size_t passlen, struct it_label_key *k, struct it_error *err);
/* {"keys":[{kty,crv,x,kid,alg,use}]} with the public key. */
int it_label_jwks_format(const struct it_label_key *k, struct it_buf *out, struct it_error *err);
/* Every OKP/Ed25519 key of a JWKS (others are skipped); a key's kid is its "kid" member or,
 * without one, its thumbprint. At least one usable key or IT_ERR_INPUT. */
int it_label_jwks_parse(const char *text, size_t len, const char *where, struct it_label_jwks *out,
                        struct it_error *err);
/* The JWKS of one key pair (for checking a list one signed oneself). */
int it_label_jwks_of_key(const struct it_label_key *k, struct it_label_jwks *out,
                         struct it_error *err);
void it_label_jwks_free(struct it_label_jwks *j);

/* --- compact JWS (label_jws.c) ------------------------------------------------------------ */

struct it_jws {
	char *kid;             /* from the protected header */
	char *typ;             /* may be NULL */
	struct it_buf payload; /* decoded */
	uint8_t sig[64];       /* decoded */
	struct it_buf signing; /* ASCII(BASE64URL(header) || '.' || BASE64URL(payload)) */
	char digest[IT_LABEL_DIGEST_LEN + 1]; /* base64url SHA-256 of the whole compact JWS */
};

/* Sign payload: header {"alg":"EdDSA","kid":k->kid,"typ":typ}. With detached != 0 the
 * payload part is left empty (RFC 7515 appendix F). */
int it_jws_sign(const struct it_label_key *k, const char *typ, const uint8_t *payload, size_t n,
                int detached, struct it_buf *out, struct it_error *err);
/* Split and decode a compact JWS (surrounding whitespace allowed). The header must be a JSON
 * object with alg "EdDSA", a string kid and no "crit". With detached_payload the payload part
 * must be empty and the given bytes are used. Malformed: -1, IT_ERR_INPUT. */
int it_jws_parse(const char *s, size_t n, const char *where, const uint8_t *detached_payload,
                 size_t detached_len, struct it_jws *out, struct it_error *err);
/* 0 valid; 1 no key of that kid; 2 bad signature. */
int it_jws_verify(const struct it_jws *j, const struct it_label_jwks *keys);
void it_jws_free(struct it_jws *j);
/* base64url SHA-256 of bytes: the label digest of a compact JWS. */
void it_label_digest(const uint8_t *p, size_t n, char out[IT_LABEL_DIGEST_LEN + 1]);

/* --- the label (label_doc.c) -------------------------------------------------------------- */

struct it_label_sign_opts {
	int64_t issued_at;
	int64_t expires_at; /* 0: the end of the support_until day */
	int allow_fail;
};

/* Validate an assessment (format iotrust-assessment 1) and build the label payload. Errors
 * name the JSON path ("$.product.vendor: ..."). Returns 0 with *payload, -1 on error, and 1
 * when summary.mandatory_failed > 0 and !allow_fail (err says how many; nothing built). */
int it_label_build(const char *assessment, size_t len, const char *where,
                   const struct it_label_key *k, const struct it_label_sign_opts *o,
                   json_t **payload, struct it_error *err);
/* Check a label payload's fields (the same rules verify applies). 0 or -1 IT_ERR_INPUT. */
int it_label_payload_check(const json_t *label, const char *where, struct it_error *err);

/* Everything `label sign` writes. */
struct it_label_out {
	struct it_buf jws, json, svg, png;
	char digest[IT_LABEL_DIGEST_LEN + 1];
	char *qr_text; /* what the QR code holds */
};

/* Sign the payload and render. url_base NULL means IT_LABEL_URL_BASE. With qr_embed the QR
 * holds the compact JWS (IT_ERR_LIMIT when it does not fit a QR code). */
int it_label_sign(const json_t *payload, const struct it_label_key *k, const char *url_base,
                  int qr_embed, struct it_label_out *out, struct it_error *err);
void it_label_out_free(struct it_label_out *o);

/* --- QR, SVG, PNG (label_render.c) -------------------------------------------------------- */

/* A QR symbol: size x size modules, modules[y * size + x] != 0 is dark. */
struct it_label_qr {
	int size;
	uint8_t *modules;
};

int it_label_qr_encode(const char *text, struct it_label_qr *qr, struct it_error *err);
void it_label_qr_free(struct it_label_qr *qr);
/* The QR as a grayscale PNG (scale pixels a module, 4-module quiet zone). */
int it_label_qr_png(const struct it_label_qr *qr, int scale, struct it_buf *out,
                    struct it_error *err);
/* The printable label (fields from the payload, the QR drawn as rects). */
int it_label_svg(const json_t *label, const struct it_label_qr *qr, struct it_buf *out,
                 struct it_error *err);
/* Decode the first QR code of a PNG image (zbar). 0 with *text (caller frees), or -1. */
int it_label_png_qr_text(const uint8_t *png, size_t n, const char *where, char **text,
                         struct it_error *err);

/* --- revocation list (label_revoke.c) ----------------------------------------------------- */

struct it_label_revocation {
	char digest[IT_LABEL_DIGEST_LEN + 1];
	char revoked_at[21];
	char *reason;
};

struct it_label_revocations {
	char kid[IT_LABEL_KID_LEN + 1];
	char issued_at[21];
	struct it_label_revocation *e;
	size_t n, cap;
};

/* Parse {"list":{...},"jws":"<detached compact JWS>"} and check the signature with keys.
 * Malformed or not signed by a key of keys: -1 IT_ERR_INPUT. */
int it_label_revocations_parse(const char *text, size_t len, const char *where,
                               const struct it_label_jwks *keys, struct it_label_revocations *out,
                               struct it_error *err);
/* Append an entry; 1 (and nothing changed) when the digest is already listed. */
int it_label_revocations_add(struct it_label_revocations *l, const char *digest, const char *reason,
                             int64_t at, struct it_error *err);
/* Sign (issued_at = at) and format the whole file. */
int it_label_revocations_format(struct it_label_revocations *l, const struct it_label_key *k,
                                int64_t at, struct it_buf *out, struct it_error *err);
const struct it_label_revocation *it_label_revocations_find(const struct it_label_revocations *l,
                                                            const char *digest);
void it_label_revocations_free(struct it_label_revocations *l);

/* --- verification (label_doc.c) ----------------------------------------------------------- */

enum {
	IT_LABEL_BAD_SIGNATURE = 1 << 0,
	IT_LABEL_UNKNOWN_KEY = 1 << 1,
	IT_LABEL_NOT_YET_VALID = 1 << 2,
	IT_LABEL_EXPIRED = 1 << 3,
	IT_LABEL_SUPPORT_OVER = 1 << 4,
	IT_LABEL_REVOKED = 1 << 5,
};

struct it_label_verdict {
	unsigned problems; /* IT_LABEL_* bits; 0 = valid */
	json_t *label;     /* the payload, once the signature verified; else NULL */
	char digest[IT_LABEL_DIGEST_LEN + 1];
	const struct it_label_revocation *revocation; /* into the list given, when revoked */
};

/* Verify a compact JWS label at time `at`. -1 when malformed (IT_ERR_INPUT), else 0 with the
 * verdict. revoked may be NULL. */
int it_label_verify(const char *jws, size_t n, const char *where, const struct it_label_jwks *keys,
                    const struct it_label_revocations *revoked, int64_t at,
                    struct it_label_verdict *v, struct it_error *err);
void it_label_verdict_free(struct it_label_verdict *v);
/* "bad signature", "unknown key", ... for one IT_LABEL_* bit. */
const char *it_label_problem_name(unsigned bit);

#endif

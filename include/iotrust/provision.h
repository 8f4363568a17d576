/*
 * Per-device credentials for a production line (issue 7, docs/provision.md): random sticker
 * passwords and their crypt hashes, device keys and certificates signed by a manufacturer
 * CA, and a resumable, append-only batch directory. A device counts as done only once its
 * manifest line is on disk; a reserved serial is never handed out again, even after a crash.
 */
#ifndef IOTRUST_PROVISION_H
#define IOTRUST_PROVISION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "iotrust/buf.h"
#include "iotrust/error.h"

/* Sticker alphabet: no 0/O/o, 1/l/I. 56 symbols, log2(56) = 5.807 bits per character. */
#define IT_PROV_ALPHABET     "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
#define IT_PROV_ALPHABET_LEN 56
/* 16 characters: 16 * 5.807 = 92.9 bits of entropy (>= 80 asked). */
#define IT_PROV_PASSWORD_LEN  16
#define IT_PROV_SERIAL_DIGITS 8
#define IT_PROV_NAME_MAX      48 /* model and serial prefix */
#define IT_PROV_SERIAL_MAX    (IT_PROV_NAME_MAX + IT_PROV_SERIAL_DIGITS + 1)
#define IT_PROV_MAX_COUNT     10000000u
#define IT_PROV_DEFAULT_DAYS  7300u /* device certificate validity (20 years) */

enum it_prov_keytype { IT_PROV_KEY_ED25519, IT_PROV_KEY_P256 };
enum it_prov_hash { IT_PROV_HASH_YESCRYPT, IT_PROV_HASH_SHA512CRYPT };

const char *it_prov_keytype_name(enum it_prov_keytype k); /* "ed25519", "p256" */
const char *it_prov_hash_name(enum it_prov_hash h);       /* "yescrypt", "sha512crypt" */
/* 0 and *out, or -1 for an unknown name. */
int it_prov_keytype_parse(const char *s, enum it_prov_keytype *out);
int it_prov_hash_parse(const char *s, enum it_prov_hash *out);

/* --- credentials (provision_cred.c) ----------------------------------------------------- */

/* Rejection sampling: turn random bytes into uniform indexes in [0, k) (1 <= k <= 256).
 * A byte b is used only when b < 256 - 256 % k, so there is no modulo bias. Writes up to
 * `want` indexes to out and returns how many it produced from the n bytes. */
size_t it_prov_sample(const uint8_t *rnd, size_t n, unsigned k, uint8_t *out, size_t want);
/* A password of len characters of IT_PROV_ALPHABET from OpenSSL RAND_bytes; out holds
 * len + 1 bytes. 0 or -1 (the random generator failed). */
int it_prov_password(char *out, size_t len, struct it_error *err);
/* The crypt(3) hash of pw (libcrypt crypt_gensalt_ra + crypt_r, "$y$" or "$6$", default
 * cost, salt from the OS). *out is malloc'd. 0 or -1. */
int it_prov_hash_password(enum it_prov_hash h, const char *pw, char **out, struct it_error *err);
/* Does pw match the crypt hash? 1 yes, 0 no. */
int it_prov_hash_check(const char *pw, const char *hash);
/* "<prefix><n as IT_PROV_SERIAL_DIGITS digits>" into out (IT_PROV_SERIAL_MAX bytes). 0 or -1
 * when n does not fit or the prefix is too long. */
int it_prov_serial_format(const char *prefix, uint32_t n, char *out);
/* Is s a valid model / serial prefix: [A-Za-z0-9._-], at most IT_PROV_NAME_MAX, not starting
 * with '.' or '-' (a model must be non-empty; a prefix may be empty)? 1 or 0. */
int it_prov_name_valid(const char *s, int allow_empty);

/* --- keys and certificates (provision_x509.c) ------------------------------------------- */

struct it_prov_ca; /* the manufacturer CA: private key and certificate */

/* Load and check a CA: PEM key and certificate that belong together, a v3 CA certificate
 * allowed to sign certificates, valid now. Errors are IT_ERR_INPUT naming the file. */
int it_prov_ca_load(struct it_prov_ca **ca, const char *key_path, const char *cert_path,
                    struct it_error *err);
void it_prov_ca_free(struct it_prov_ca *ca);
/* SHA-256 of the CA certificate (DER), lower-case hex. */
const char *it_prov_ca_fingerprint(const struct it_prov_ca *ca);
/* A test manufacturer CA: dir/ca.key (mode 0600, never overwritten) and dir/ca.crt,
 * self-signed with basicConstraints CA:TRUE and keyUsage keyCertSign, cRLSign. subject is
 * "/CN=.../O=..." (NULL: a default). */
int it_prov_ca_create(const char *dir, enum it_prov_keytype kt, const char *subject, unsigned days,
                      struct it_error *err);

struct it_prov_device {
	char serial[IT_PROV_SERIAL_MAX];
	char password[IT_PROV_PASSWORD_LEN + 1];
	enum it_prov_keytype key_type;
	char *crypt_hash;       /* owned */
	char *key_pem;          /* owned: PKCS#8 private key */
	char *cert_pem;         /* owned */
	char pubkey_sha256[65]; /* SHA-256 of the DER SubjectPublicKeyInfo */
	char cert_serial[41];   /* hex */
	void *pkey;             /* EVP_PKEY, owned */
};

/* A fresh key pair of type kt: fills key_pem, pubkey_sha256 and pkey. 0 or -1. */
int it_prov_device_keygen(struct it_prov_device *d, enum it_prov_keytype kt, struct it_error *err);
/* An X.509 v3 certificate for d's key and serial, signed by ca: subject CN and serialNumber
 * = the device serial (O copied from the CA), random 128-bit certificate serial, valid from
 * now - 1 h for `days` days (never past the CA's notAfter), keyUsage digitalSignature, EKU
 * clientAuth, SKI/AKI. Fills cert_pem and cert_serial. 0 or -1. */
int it_prov_device_certify(struct it_prov_device *d, const struct it_prov_ca *ca, unsigned days,
                           time_t now, struct it_error *err);
/* Wipe the password and the private key and free everything d owns. */
void it_prov_device_clear(struct it_prov_device *d);

/* --- batch state (provision_state.c): batch.json, read back as untrusted input ---------- */

struct it_prov_state {
	char model[IT_PROV_NAME_MAX + 1];
	char serial_prefix[IT_PROV_NAME_MAX + 1];
	char ca_sha256[65];
	enum it_prov_keytype key_type;
	enum it_prov_hash hash;
	uint32_t next_serial; /* the number the next device gets; 1 for a new batch */
	char created_at[32];  /* RFC 3339 UTC */
};

/* Parse batch.json text; every field is checked (types, ranges, character sets), unknown
 * keys are refused. `where` names the file in errors. 0 or -1 (IT_ERR_INPUT). */
int it_prov_state_parse(const char *text, size_t len, const char *where, struct it_prov_state *st,
                        struct it_error *err);
int it_prov_state_format(const struct it_prov_state *st, struct it_buf *out);

/* --- the batch directory (provision.c) -------------------------------------------------- */

/* Durable steps of one device, in order. A crash (or a cancel from on_step) after any of
 * them leaves a batch that the next run repairs and continues. */
enum it_prov_step {
	IT_PROV_STEP_RESERVED, /* next_serial advanced in batch.json */
	IT_PROV_STEP_FILES,    /* key, certificate and shadow line in the device's temp dir */
	IT_PROV_STEP_STICKER,  /* the password line is in the sticker sheet */
	IT_PROV_STEP_RENAMED,  /* devices/<serial> is in place */
	IT_PROV_STEP_JSONL,    /* manifest.jsonl line written */
	IT_PROV_STEP_DONE      /* manifest.csv line written: the device is complete */
};

struct it_prov_options {
	const char *batch_dir;
	const char *model;
	const char *serial_prefix; /* NULL: the batch's, or "<model>-<random batch id>-" */
	const char *ca_key, *ca_cert;
	const char *sticker_sheet; /* required: the only place plain passwords go */
	const char *user;          /* account in shadow.line; NULL: "root" */
	enum it_prov_keytype key_type;
	enum it_prov_hash hash;
	unsigned days;  /* certificate validity; 0: IT_PROV_DEFAULT_DAYS */
	uint32_t count; /* total devices wanted in the batch */
	/* Called after each step of each device; nonzero stops the run at that point
	 * (it_prov_batch_run returns -1 with IT_ERR_CANCELLED), exactly as a crash would. */
	int (*on_step)(void *user, enum it_prov_step step, const char *serial, uint32_t done);
	void *user_data;
};

struct it_prov_batch;

/* Open or create the batch: take the lock, check the CA, create or read batch.json (a
 * different model, CA, prefix, key type or hash is refused with IT_ERR_INPUT), truncate a
 * torn last manifest line, complete manifest.csv from manifest.jsonl, and discard device
 * directories that have no manifest line (their serials stay used). */
int it_prov_batch_open(struct it_prov_batch **b, const struct it_prov_options *o,
                       struct it_error *err);
uint32_t it_prov_batch_done(const struct it_prov_batch *b);      /* complete devices */
uint32_t it_prov_batch_discarded(const struct it_prov_batch *b); /* dropped at open */
const struct it_prov_state *it_prov_batch_state(const struct it_prov_batch *b);
/* Provision devices until `count` are complete. 0 or -1. */
int it_prov_batch_run(struct it_prov_batch *b, struct it_error *err);
void it_prov_batch_close(struct it_prov_batch *b);

#endif

/*
 * Secret checks: private keys (PEM of every kind, DER by file name, OpenSSH and Dropbear
 * formats), SSH host keys baked into the image, and X.509 certificates (self-signed,
 * expired, weak key or signature). Every file gets one memmem pass for "-----BEGIN ";
 * only then is anything parsed (OpenSSL; OpenSSH and Dropbear keys with a bounded cursor).
 * Certificates are judged in finish(), when it is known whether their private key is in
 * the image too. Key material never reaches a message: only type, size, fingerprint.
 */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "inspect/inspector.h"
#include "iotrust/cursor.h"

#define PEM_BEGIN      "-----BEGIN "
#define MAX_LABEL      40u         /* bytes of a PEM label */
#define MAX_PEM_BLOCK  (32u << 10) /* bytes from BEGIN to END */
#define MAX_BLOCKS     4096u       /* "-----BEGIN " looked at per file */
#define MAX_DER_FILE   (64u << 10) /* DER key/certificate files tried by name */
#define MAX_KEY_FILE   (64u << 10) /* SSH host key files */
#define MAX_SSH_STRING 16384u      /* one string of an SSH key blob */
#define MAX_CERT_BYTES (64u << 20) /* certificates kept for finish(), over the whole scan */

struct keyrec {
	char *chain, *path;
	unsigned char spki[32]; /* SHA-256 of the DER SubjectPublicKeyInfo */
};

/* A certificate as seen in entry(): only what decides whether it is reported (a cheap
 * DER walk); the full OpenSSL parse happens in finish() for the few that are. */
struct certrec {
	char *chain, *path;
	unsigned line;
	uint8_t *der; /* the certificate */
	size_t der_len;
	int self_issued; /* issuer and subject are the same name */
	int is_ca;       /* as OpenSSL's X509_check_ca: CA:TRUE, a v1 root, or certSign */
	int ku_ca;       /* keyUsage present and includes keyCertSign */
	int in_store;    /* in a bundle or a trust-store place (see trust_store_path) */
	int64_t not_after;
	unsigned char spki[32]; /* SHA-256 of the DER SubjectPublicKeyInfo */
};

struct sec_state {
	struct keyrec *keys;
	size_t n_keys, cap_keys;
	struct certrec *certs;
	size_t n_certs, cap_certs;
	size_t cert_bytes; /* DER bytes kept, bounded by MAX_CERT_BYTES */
	time_t now;
};

static const char *const sec_checks[] = {
        "key.private-in-image", "key.ssh-host-key-baked", "cert.self-signed",
        "cert.expired",         "cert.weak-key",          NULL,
};

static void cert_free(struct certrec *c)
{
	free(c->chain);
	free(c->path);
	free(c->der);
}

static void sec_destroy(void *vp)
{
	struct sec_state *st = vp;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_keys; i++) {
		free(st->keys[i].chain);
		free(st->keys[i].path);
	}
	free(st->keys);
	for (size_t i = 0; i < st->n_certs; i++)
		cert_free(&st->certs[i]);
	free(st->certs);
	free(st);
}

static int sec_create(struct it_inspect *in, void **state, struct it_error *err)
{
	(void)in;
	struct sec_state *st = calloc(1, sizeof(*st));
	if (!st)
		return it_error_nomem(err);
	/* Certificates expire against the time of the scan. */
	st->now = time(NULL);
	*state = st;
	return 0;
}

/* --- names ---------------------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* OpenSSH ssh_host_*_key or Dropbear dropbear_*_host_key (not the .pub halves). */
static int host_key_name(const char *b)
{
	if (it_has_prefix(b, "ssh_host_") && ends_with(b, "_key"))
		return 1;
	return it_has_prefix(b, "dropbear_") && ends_with(b, "_host_key");
}

static int der_name(const char *b)
{
	static const char *const ext[] = {".key", ".der", ".pem",  ".p8", ".pk8",
	                                  ".crt", ".cer", ".cert", NULL};
	for (size_t i = 0; ext[i]; i++)
		if (ends_with(b, ext[i]))
			return 1;
	return 0;
}

static int skip_name(const char *b)
{
	static const char *const ext[] = {".png", ".jpg", ".jpeg", ".gif",   ".ico", ".mp3",
	                                  ".wav", ".ttf", ".woff", ".woff2", ".otf", NULL};
	for (size_t i = 0; ext[i]; i++)
		if (ends_with(b, ext[i]))
			return 1;
	return 0;
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return n > 0;
}

/* Is the file a CA trust store (where self-signed roots belong)? */
static int trust_store_path(const char *path)
{
	static const char *const dirs[] = {"usr/share/ca-certificates/",
	                                   "usr/local/share/ca-certificates/",
	                                   "etc/ca-certificates/",
	                                   "etc/pki/ca-trust/",
	                                   "usr/share/pki/",
	                                   "etc/pki/tls/certs/",
	                                   NULL};
	for (size_t i = 0; dirs[i]; i++) {
		const char *p = strstr(path, dirs[i]);
		if (p && (p == path || p[-1] == '/'))
			return 1;
	}
	const char *b = it_path_base(path);
	/* OpenSSL's hashed directory links: 1a2b3c4d.0 */
	const char *dot = strchr(b, '.');
	if (dot && dot - b == 8 && is_hex(b, 8) && dot[1] >= '0' && dot[1] <= '9')
		return 1;
	char stem[128];
	size_t n = strlen(b);
	if (n >= sizeof(stem))
		return 0;
	for (size_t i = 0; i <= n; i++)
		stem[i] = (char)(b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i]);
	char *ext = strrchr(stem, '.');
	if (ext && ext != stem)
		*ext = 0;
	if (strcmp(stem, "ca") == 0 || it_has_prefix(stem, "ca-") || it_has_prefix(stem, "ca_") ||
	    it_has_prefix(stem, "cacert") || it_has_prefix(stem, "root") ||
	    ends_with(stem, "-ca") || ends_with(stem, "_ca") || ends_with(stem, "rootca") ||
	    ends_with(stem, "-root") || ends_with(stem, "_root") || strstr(stem, "ca-bundle") ||
	    strstr(stem, "ca-certificates") || strstr(stem, "trust"))
		return 1;
	return 0;
}

/* --- small helpers -------------------------------------------------------- */

static int looks_text(const uint8_t *p, size_t n)
{
	return memchr(p, 0, n < 4096 ? n : 4096) == NULL;
}

/* The line of a position, counted on from the last one asked (positions only grow). */
struct line_pos {
	size_t off;
	unsigned line;
};

static unsigned line_at(struct line_pos *lp, const uint8_t *p, size_t to)
{
	if (to < lp->off)
		*lp = (struct line_pos){0, 1};
	const uint8_t *q = p + lp->off, *end = p + to;
	while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
		lp->line++;
		q++;
	}
	lp->off = to;
	return lp->line;
}

static void sha256(const void *p, size_t n, unsigned char out[32])
{
	unsigned int ol = 0;
	if (!EVP_Digest(p, n, out, &ol, EVP_sha256(), NULL))
		memset(out, 0, 32);
}

/* "SHA256:<base64 without padding>" as ssh-keygen -l prints it. */
static void ssh_fingerprint(const uint8_t *blob, size_t n, char out[64])
{
	unsigned char dg[32];
	unsigned char b64[48];
	sha256(blob, n, dg);
	int k = EVP_EncodeBlock(b64, dg, 32);
	while (k > 0 && b64[k - 1] == '=')
		k--;
	snprintf(out, 64, "SHA256:%.*s", k, (const char *)b64);
}

static int spki_digest(EVP_PKEY *pk, unsigned char out[32])
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pk, &der);
	if (n <= 0)
		return -1;
	sha256(der, (size_t)n, out);
	OPENSSL_free(der);
	return 0;
}

static int no_passphrase(char *buf, int size, int rw, void *u)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)u;
	return -1;
}

/* "RSA 2048 bits" from an OpenSSL key. */
static void pkey_desc(EVP_PKEY *pk, char *out, size_t n)
{
	const char *t = EVP_PKEY_get0_type_name(pk);
	snprintf(out, n, "%s %d bits", t ? t : "unknown", EVP_PKEY_get_bits(pk));
}

static int remember_key(struct sec_state *st, const struct it_entry *e, EVP_PKEY *pk,
                        struct it_error *err)
{
	unsigned char d[32];
	if (spki_digest(pk, d) < 0)
		return 0;
	if (it_array_grow(&st->keys, &st->cap_keys, st->n_keys, sizeof(*st->keys)) < 0)
		return it_error_nomem(err);
	struct keyrec *k = &st->keys[st->n_keys];
	if (!(k->chain = strdup(e->chain)) || !(k->path = strdup(e->path))) {
		free(k->chain);
		return it_error_nomem(err);
	}
	memcpy(k->spki, d, 32);
	st->n_keys++;
	return 0;
}

/* --- base64 ---------------------------------------------------------------- */

static int b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode the base64 body of a PEM block (between its header lines and END), skipping
 * whitespace and "Name: value" header lines. Returns the byte count or -1 on anything
 * that is not base64. out must hold len*3/4+3 bytes. */
static long pem_body_decode(const uint8_t *p, size_t len, uint8_t *out)
{
	unsigned acc = 0;
	int bits = 0, pad = 0;
	long n = 0;
	size_t i = 0;
	while (i < len) {
		/* a header line ("Proc-Type: ...") ends with a newline and has a colon */
		const uint8_t *nl = memchr(p + i, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - (p + i)) : len - i;
		if (memchr(p + i, ':', ll)) {
			i += ll + 1;
			continue;
		}
		for (size_t k = 0; k < ll; k++) {
			uint8_t c = p[i + k];
			if (c == ' ' || c == '\t' || c == '\r')
				continue;
			if (c == '=') {
				pad++;
				continue;
			}
			int v = b64_value(c);
			if (v < 0 || pad)
				return -1;
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				out[n++] = (uint8_t)(acc >> bits);
			}
		}
		i += ll + 1;
	}
	return n;
}

/* --- SSH key blobs (OpenSSH and Dropbear) ---------------------------------- */

static int take_string(struct it_cursor *c, const uint8_t **s, uint32_t *n)
{
	if (it_take_u32be(c, n) < 0 || *n > MAX_SSH_STRING || it_take_bytes(c, s, *n) < 0)
		return -1;
	return 0;
}

/* Bits of an SSH mpint (big-endian, leading zero bytes allowed). */
static unsigned mpint_bits(const uint8_t *p, uint32_t n)
{
	while (n && *p == 0) {
		p++;
		n--;
	}
	if (!n)
		return 0;
	unsigned bits = (n - 1) * 8;
	for (uint8_t b = *p; b; b >>= 1)
		bits++;
	return bits;
}

static int printable_type(const uint8_t *s, uint32_t n)
{
	if (n == 0 || n > 64)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

struct sshkey {
	char type[65];
	unsigned bits;
	char fp[64]; /* fingerprint, "" when unknown */
	int encrypted;
	const char *format;
};

static unsigned curve_bits(const char *type)
{
	if (strstr(type, "nistp256"))
		return 256;
	if (strstr(type, "nistp384"))
		return 384;
	if (strstr(type, "nistp521"))
		return 521;
	return 0;
}

/* The fields after the type string of a public key blob: fills bits. */
static int ssh_pub_fields(struct it_cursor *c, struct sshkey *k)
{
	const uint8_t *a;
	uint32_t an;
	if (strcmp(k->type, "ssh-rsa") == 0) {
		if (take_string(c, &a, &an) < 0 || take_string(c, &a, &an) < 0)
			return -1;
		k->bits = mpint_bits(a, an);
	} else if (strcmp(k->type, "ssh-dss") == 0) {
		if (take_string(c, &a, &an) < 0)
			return -1;
		k->bits = mpint_bits(a, an);
	} else if (strcmp(k->type, "ssh-ed25519") == 0) {
		k->bits = 256;
	} else {
		k->bits = curve_bits(k->type);
	}
	return 0;
}

/* openssh-key-v1 (the body of an OPENSSH PRIVATE KEY block, decoded). */
static int parse_openssh(const uint8_t *p, size_t n, struct sshkey *k)
{
	static const char magic[] = "openssh-key-v1";
	struct it_cursor c = it_cursor_make(p, n);
	const uint8_t *cipher, *kdf, *opts, *pub, *t;
	uint32_t cn, kn, on, pn, tn, nkeys;
	if (!it_cursor_has(&c, magic, sizeof(magic)) || it_cursor_skip(&c, sizeof(magic)) < 0 ||
	    take_string(&c, &cipher, &cn) < 0 || take_string(&c, &kdf, &kn) < 0 ||
	    take_string(&c, &opts, &on) < 0 || it_take_u32be(&c, &nkeys) < 0 || nkeys < 1 ||
	    nkeys > 16 || take_string(&c, &pub, &pn) < 0)
		return -1;
	memset(k, 0, sizeof(*k));
	k->format = "OpenSSH";
	k->encrypted = !(cn == 4 && memcmp(cipher, "none", 4) == 0);
	struct it_cursor pc = it_cursor_make(pub, pn);
	if (take_string(&pc, &t, &tn) < 0 || !printable_type(t, tn))
		return -1;
	memcpy(k->type, t, tn);
	k->type[tn] = 0;
	if (ssh_pub_fields(&pc, k) < 0)
		return -1;
	ssh_fingerprint(pub, pn, k->fp);
	return 0;
}

/* Dropbear's own key file: the public blob's fields followed by the private ones. */
static int parse_dropbear(const uint8_t *p, size_t n, struct sshkey *k)
{
	struct it_cursor c = it_cursor_make(p, n);
	const uint8_t *t, *a;
	uint32_t tn, an;
	if (take_string(&c, &t, &tn) < 0 || !printable_type(t, tn) ||
	    !(it_has_prefix((const char *)t, "ssh-") || it_has_prefix((const char *)t, "ecdsa-")))
		return -1;
	memset(k, 0, sizeof(*k));
	k->format = "Dropbear";
	memcpy(k->type, t, tn);
	k->type[tn] = 0;
	if (strcmp(k->type, "ssh-ed25519") == 0) {
		/* string(secret 32 || public 32): the public blob is type + public half */
		if (take_string(&c, &a, &an) < 0 || an != 64)
			return -1;
		uint8_t blob[4 + 64 + 4 + 32];
		size_t bn = 0;
		blob[bn++] = 0, blob[bn++] = 0, blob[bn++] = 0, blob[bn++] = (uint8_t)tn;
		memcpy(blob + bn, t, tn);
		bn += tn;
		blob[bn++] = 0, blob[bn++] = 0, blob[bn++] = 0, blob[bn++] = 32;
		memcpy(blob + bn, a + 32, 32);
		bn += 32;
		k->bits = 256;
		ssh_fingerprint(blob, bn, k->fp);
		return 0;
	}
	if (strcmp(k->type, "ssh-rsa") == 0) {
		if (ssh_pub_fields(&c, k) < 0)
			return -1;
		ssh_fingerprint(p, it_cursor_offset(&c), k->fp);
		/* the private exponent must follow, or it is only a public key */
		return take_string(&c, &a, &an) < 0 ? -1 : 0;
	}
	if (strcmp(k->type, "ssh-dss") == 0) {
		const uint8_t *pp;
		uint32_t pn;
		if (take_string(&c, &pp, &pn) < 0 || take_string(&c, &a, &an) < 0 ||
		    take_string(&c, &a, &an) < 0 || take_string(&c, &a, &an) < 0)
			return -1;
		k->bits = mpint_bits(pp, pn);
		ssh_fingerprint(p, it_cursor_offset(&c), k->fp);
		return take_string(&c, &a, &an) < 0 ? -1 : 0;
	}
	if (it_has_prefix(k->type, "ecdsa-sha2-")) {
		/* string curve, string Q, mpint d */
		if (take_string(&c, &a, &an) < 0 || take_string(&c, &a, &an) < 0)
			return -1;
		k->bits = curve_bits(k->type);
		ssh_fingerprint(p, it_cursor_offset(&c), k->fp);
		return take_string(&c, &a, &an) < 0 ? -1 : 0;
	}
	return -1;
}

/* --- PEM blocks ------------------------------------------------------------- */

enum pem_kind { PEM_OTHER, PEM_PRIVATE, PEM_CERT };

struct pem_block {
	size_t off, len; /* the whole block in the file, BEGIN through END line */
	unsigned line;   /* of the BEGIN line in a text file, 0 in a binary */
	char label[MAX_LABEL + 1];
	enum pem_kind kind;
};

static enum pem_kind label_kind(const char *l)
{
	if (strcmp(l, "CERTIFICATE") == 0 || strcmp(l, "X509 CERTIFICATE") == 0 ||
	    strcmp(l, "TRUSTED CERTIFICATE") == 0)
		return PEM_CERT;
	if (ends_with(l, "PRIVATE KEY") || strcmp(l, "PGP PRIVATE KEY BLOCK") == 0)
		return PEM_PRIVATE;
	return PEM_OTHER;
}

/* Find the next complete PEM block at or after *pos. 0 found, -1 none left. *left
 * bounds the BEGIN markers looked at (each costs a bounded search for its END). */
static int next_pem(const uint8_t *p, size_t len, size_t *pos, struct pem_block *b, unsigned *left)
{
	while (*pos<len && * left> 0) {
		const uint8_t *q = memmem(p + *pos, len - *pos, PEM_BEGIN, 11);
		if (!q)
			return -1;
		(*left)--;
		size_t lo = (size_t)(q - p) + 11, i = lo;
		while (i < len && i - lo <= MAX_LABEL &&
		       ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
		        p[i] == ' '))
			i++;
		*pos = lo;
		if (i == lo || i - lo > MAX_LABEL || len - i < 5 || memcmp(p + i, "-----", 5) != 0)
			continue;
		memcpy(b->label, p + lo, i - lo);
		b->label[i - lo] = 0;
		b->kind = label_kind(b->label);
		if (b->kind == PEM_OTHER) {
			*pos = i;
			continue;
		}
		char end[MAX_LABEL + 16];
		int en = snprintf(end, sizeof(end), "-----END %s-----", b->label);
		size_t window = len - i < MAX_PEM_BLOCK ? len - i : MAX_PEM_BLOCK;
		const uint8_t *e = memmem(p + i, window, end, (size_t)en);
		if (!e)
			continue;
		b->off = (size_t)(q - p);
		b->len = (size_t)(e - q) + (size_t)en;
		*pos = b->off + b->len;
		return 0;
	}
	return -1;
}

/* The base64 body of a block (after the BEGIN line, before END), decoded. */
static long block_body(const uint8_t *p, const struct pem_block *b, uint8_t **out)
{
	const uint8_t *s = p + b->off;
	const uint8_t *nl = memchr(s, '\n', b->len);
	const uint8_t *end = memmem(s, b->len, "-----END ", 9);
	if (!nl || !end || end < nl)
		return -1;
	size_t n = (size_t)(end - (nl + 1));
	if (!(*out = malloc(n / 4 * 3 + 4)))
		return -2;
	long r = pem_body_decode(nl + 1, n, *out);
	if (r < 0) {
		free(*out);
		*out = NULL;
	}
	return r;
}

/* The key format a PEM label stands for (evidence names the format, not the armour). */
static const char *pem_format(const char *label)
{
	static const struct {
		const char *label, *format;
	} formats[] = {
	        {"PRIVATE KEY", "PKCS#8"},
	        {"ENCRYPTED PRIVATE KEY", "encrypted PKCS#8"},
	        {"RSA PRIVATE KEY", "PKCS#1 RSA"},
	        {"EC PRIVATE KEY", "SEC1 EC"},
	        {"DSA PRIVATE KEY", "DSA"},
	        {"OPENSSH PRIVATE KEY", "OpenSSH"},
	        {"PGP PRIVATE KEY BLOCK", "OpenPGP"},
	};
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(label, formats[i].label) == 0)
			return formats[i].format;
	return "private key";
}

/* A key's place for messages: "in a text file" is the line, otherwise an offset. */
static const char *where_str(struct it_inspect *in, int text, size_t off, struct it_error *err)
{
	if (text)
		return "";
	return it_inspect_printf(in, err, " embedded in a binary at offset 0x%zx", off);
}

static int report_private(struct it_inspect *in, const struct it_entry *e, int text,
                          const struct pem_block *b, const char *desc, const char *fp,
                          int encrypted, struct it_error *err)
{
	const char *where = where_str(in, text, b->off, err);
	if (!where)
		return -1;
	struct it_finding_loc loc = it_loc(e, b->line);
	char ev[200];
	snprintf(ev, sizeof(ev), "PEM %s (%s%s%s%s)", pem_format(b->label), desc, fp ? ", " : "",
	         fp ? fp : "", encrypted ? ", encrypted" : "");
	return it_inspect_report(in, "key.private-in-image", encrypted ? IT_SEV_MEDIUM : -1, &loc,
	                         ev, err, "%s private key (%s)%s%s",
	                         encrypted ? "encrypted" : "unencrypted", desc, where,
	                         encrypted ? "" : "; every device has the same key");
}

static int handle_private_block(struct it_inspect *in, struct sec_state *st,
                                const struct it_entry *e, const uint8_t *p, int text,
                                const struct pem_block *b, struct it_error *err)
{
	char desc[96];
	if (strcmp(b->label, "OPENSSH PRIVATE KEY") == 0) {
		uint8_t *raw = NULL;
		long n = block_body(p, b, &raw);
		if (n == -2)
			return it_error_nomem(err);
		struct sshkey k;
		int ok = n > 0 && parse_openssh(raw, (size_t)n, &k) == 0;
		free(raw);
		if (!ok)
			return 0;
		snprintf(desc, sizeof(desc), "OpenSSH %s %u bits", k.type, k.bits);
		return report_private(in, e, text, b, desc, k.fp, k.encrypted, err);
	}
	if (strcmp(b->label, "PGP PRIVATE KEY BLOCK") == 0) {
		uint8_t *raw = NULL;
		long n = block_body(p, b, &raw);
		free(raw);
		if (n == -2)
			return it_error_nomem(err);
		if (n < 32)
			return 0;
		return report_private(in, e, text, b, "OpenPGP secret key", NULL, 0, err);
	}
	int encrypted = strcmp(b->label, "ENCRYPTED PRIVATE KEY") == 0 ||
	                memmem(p + b->off, b->len, "Proc-Type: 4,ENCRYPTED", 22) != NULL;
	if (encrypted) {
		uint8_t *raw = NULL;
		long n = block_body(p, b, &raw);
		free(raw);
		if (n == -2)
			return it_error_nomem(err);
		if (n < 32)
			return 0;
		snprintf(desc, sizeof(desc), "%s", pem_format(b->label));
		return report_private(in, e, text, b, desc, NULL, 1, err);
	}
	BIO *bio = BIO_new_mem_buf(p + b->off, (int)b->len);
	if (!bio)
		return it_error_nomem(err);
	EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!pk)
		return 0; /* not a key OpenSSL can read: a format string, a truncated block */
	pkey_desc(pk, desc, sizeof(desc));
	int rc = remember_key(st, e, pk, err);
	EVP_PKEY_free(pk);
	if (rc < 0)
		return -1;
	return report_private(in, e, text, b, desc, NULL, 0, err);
}

/* --- certificates ------------------------------------------------------------ */

static char *name_str(const X509_NAME *nm)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return NULL;
	X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	char *data;
	long n = BIO_get_mem_data(b, &data);
	if (n > 120)
		n = 120;
	char *s = malloc((size_t)n + 1);
	if (s) {
		for (long i = 0; i < n; i++) {
			unsigned char c = (unsigned char)data[i];
			s[i] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
		}
		s[n] = 0;
	}
	BIO_free(b);
	return s;
}

static char *time_str(const ASN1_TIME *t)
{
	struct tm tm;
	char buf[32];
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return strdup("?");
	strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
	return strdup(buf);
}

/* What is weak about a certificate's key or signature: NULL when nothing. */
static char *cert_weakness(X509 *x, EVP_PKEY *pk, int *sev)
{
	char buf[160] = "";
	size_t n = 0;
	*sev = IT_SEV_MEDIUM;
	int bits = pk ? EVP_PKEY_get_bits(pk) : 0;
	int id = pk ? EVP_PKEY_get_base_id(pk) : 0;
	if (id == EVP_PKEY_RSA && bits < 2048) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "RSA key of %d bits", bits);
		if (bits < 1024)
			*sev = IT_SEV_HIGH;
	} else if (id == EVP_PKEY_DSA) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "DSA key of %d bits", bits);
	} else if (id == EVP_PKEY_EC && bits < 256) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "EC key of %d bits", bits);
	}
	int md = NID_undef, pkn = NID_undef;
	if (OBJ_find_sigid_algs(X509_get_signature_nid(x), &md, &pkn) &&
	    (md == NID_md5 || md == NID_md4 || md == NID_md2 || md == NID_sha1)) {
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s signature", n ? " and " : "",
		                      OBJ_nid2sn(md));
		if (md != NID_sha1)
			*sev = IT_SEV_HIGH;
	}
	return n ? strdup(buf) : NULL;
}

/* --- a minimal DER walk over a certificate ---------------------------------- */

/* One DER element with a one-byte tag; val gets its contents. */
static int der_take(struct it_cursor *c, uint8_t *tag, struct it_cursor *val)
{
	uint8_t t, l0;
	if (it_take_u8(c, &t) < 0 || (t & 0x1f) == 0x1f || it_take_u8(c, &l0) < 0)
		return -1;
	size_t n = l0;
	if (l0 & 0x80) {
		unsigned k = l0 & 0x7fu;
		if (k == 0 || k > 4)
			return -1;
		n = 0;
		for (unsigned i = 0; i < k; i++) {
			uint8_t b;
			if (it_take_u8(c, &b) < 0)
				return -1;
			n = (n << 8) | b;
		}
	}
	const uint8_t *v;
	if (it_take_bytes(c, &v, n) < 0)
		return -1;
	*tag = t;
	*val = it_cursor_make(v, n);
	return 0;
}

/* Take an element that must have this tag; *whole gets the element with its header. */
static int der_expect(struct it_cursor *c, uint8_t tag, struct it_cursor *val,
                      struct it_cursor *whole)
{
	const uint8_t *start = c->p;
	uint8_t t;
	if (der_take(c, &t, val) < 0 || t != tag)
		return -1;
	if (whole)
		*whole = it_cursor_make(start, (size_t)(c->p - start));
	return 0;
}

static int two_digits(const uint8_t *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ, in seconds. */
static int der_time(uint8_t tag, const struct it_cursor *v, int64_t *out)
{
	size_t n = it_cursor_left(v);
	const uint8_t *p = v->p;
	int year;
	if (tag == 0x17 && n == 13) {
		year = two_digits(p);
		year += year < 50 ? 2000 : 1900;
		p += 2;
	} else if (tag == 0x18 && n == 15) {
		int hi = two_digits(p), lo = two_digits(p + 2);
		if (hi < 0 || lo < 0)
			return -1;
		year = hi * 100 + lo;
		p += 4;
	} else {
		return -1;
	}
	int f[5];
	for (int i = 0; i < 5; i++)
		if ((f[i] = two_digits(p + 2 * i)) < 0)
			return -1;
	if (year < 0 || p[10] != 'Z')
		return -1;
	struct tm tm = {.tm_year = year - 1900,
	                .tm_mon = f[0] - 1,
	                .tm_mday = f[1],
	                .tm_hour = f[2],
	                .tm_min = f[3],
	                .tm_sec = f[4]};
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* basicConstraints and keyUsage from the extensions ([3] of the TBSCertificate). */
static void der_extensions(struct it_cursor ext, int *bc, int *bc_ca, int *ku, uint8_t *ku_bits)
{
	static const uint8_t oid_bc[] = {0x55, 0x1d, 0x13}, oid_ku[] = {0x55, 0x1d, 0x0f};
	struct it_cursor seq, e, oid, val, in;
	uint8_t t;
	if (der_expect(&ext, 0x30, &seq, NULL) < 0)
		return;
	while (it_cursor_left(&seq) && der_expect(&seq, 0x30, &e, NULL) == 0) {
		if (der_expect(&e, 0x06, &oid, NULL) < 0)
			continue;
		if (it_cursor_has(&e, "\x01", 1) && der_take(&e, &t, &val) < 0)
			continue; /* critical flag */
		if (der_expect(&e, 0x04, &val, NULL) < 0 || it_cursor_left(&oid) != 3)
			continue;
		if (memcmp(oid.p, oid_bc, 3) == 0 && der_expect(&val, 0x30, &in, NULL) == 0) {
			*bc = 1;
			struct it_cursor b;
			*bc_ca = it_cursor_has(&in, "\x01\x01", 2) && der_take(&in, &t, &b) == 0 &&
			         b.p[0] != 0;
		} else if (memcmp(oid.p, oid_ku, 3) == 0 &&
		           der_expect(&val, 0x03, &in, NULL) == 0 && it_cursor_left(&in) >= 2) {
			*ku = 1;
			*ku_bits = in.p[1];
		}
	}
}

/* Walk Certificate/TBSCertificate far enough to fill c's classification. */
static int der_cert_scan(const uint8_t *p, size_t n, struct certrec *c)
{
	struct it_cursor all = it_cursor_make(p, n), cert, tbs, v, skip, issuer, subject, spki,
	                 validity, t0, t1;
	uint8_t tag, tb, ta;
	int version = 1;
	if (der_expect(&all, 0x30, &cert, NULL) < 0 || der_expect(&cert, 0x30, &tbs, NULL) < 0)
		return -1;
	if (it_cursor_has(&tbs, "\xa0", 1)) {
		struct it_cursor vi;
		if (der_take(&tbs, &tag, &v) < 0 || der_expect(&v, 0x02, &vi, NULL) < 0 ||
		    it_cursor_left(&vi) != 1)
			return -1;
		version = vi.p[0] + 1;
	}
	if (der_expect(&tbs, 0x02, &skip, NULL) < 0 || der_expect(&tbs, 0x30, &skip, NULL) < 0 ||
	    der_expect(&tbs, 0x30, &skip, &issuer) < 0 ||
	    der_expect(&tbs, 0x30, &validity, NULL) < 0 || der_take(&validity, &tb, &t0) < 0 ||
	    der_take(&validity, &ta, &t1) < 0 || der_time(ta, &t1, &c->not_after) < 0 ||
	    der_expect(&tbs, 0x30, &skip, &subject) < 0 || der_expect(&tbs, 0x30, &skip, &spki) < 0)
		return -1;
	int bc = 0, bc_ca = 0, ku = 0;
	uint8_t ku_bits = 0;
	while (it_cursor_left(&tbs) && der_take(&tbs, &tag, &v) == 0)
		if (tag == 0xa3)
			der_extensions(v, &bc, &bc_ca, &ku, &ku_bits);
	c->self_issued = it_cursor_left(&issuer) == it_cursor_left(&subject) &&
	                 memcmp(issuer.p, subject.p, it_cursor_left(&issuer)) == 0;
	c->ku_ca = ku && (ku_bits & 0x04);
	if (ku && !c->ku_ca)
		c->is_ca = 0;
	else if (bc)
		c->is_ca = bc_ca;
	else
		c->is_ca = (version == 1 && c->self_issued) || ku;
	sha256(spki.p, it_cursor_left(&spki), c->spki);
	return 0;
}

/* Keep a certificate (DER, owned by the caller until it is taken) for finish(). */
static int add_cert(struct sec_state *st, const struct it_entry *e, uint8_t **der, size_t n,
                    unsigned line, struct it_error *err)
{
	struct certrec c = {.line = line};
	if (der_cert_scan(*der, n, &c) < 0 || st->cert_bytes + n > MAX_CERT_BYTES)
		return 0; /* not a certificate we can read, or too many kept */
	if (it_array_grow(&st->certs, &st->cap_certs, st->n_certs, sizeof(*st->certs)) < 0 ||
	    !(c.chain = strdup(e->chain)) || !(c.path = strdup(e->path))) {
		free(c.chain);
		return it_error_nomem(err);
	}
	c.der = *der;
	c.der_len = n;
	*der = NULL;
	st->cert_bytes += n;
	st->certs[st->n_certs++] = c;
	return 0;
}

/* Certificates of one file: a file with several is a bundle, and a file in a trust-store
 * place is part of a store (see is_anchor). */
static int handle_certs(struct sec_state *st, const struct it_entry *e, size_t first,
                        struct it_error *err)
{
	(void)err;
	int store = trust_store_path(e->path) || st->n_certs - first >= 2;
	for (size_t i = first; i < st->n_certs; i++)
		st->certs[i].in_store = store;
	return 0;
}

static int cert_block(struct sec_state *st, const struct it_entry *e, const uint8_t *p,
                      const struct pem_block *b, struct it_error *err)
{
	uint8_t *der = NULL;
	long n = block_body(p, b, &der);
	if (n == -2)
		return it_error_nomem(err);
	int rc = n > 0 ? add_cert(st, e, &der, (size_t)n, b->line, err) : 0;
	free(der);
	return rc;
}

/* Every PEM block of a file (one memmem pass). */
static int scan_pem(struct it_inspect *in, struct sec_state *st, const struct it_entry *e,
                    const uint8_t *p, size_t len, struct it_error *err)
{
	int text = looks_text(p, len);
	size_t pos = 0, first_cert = st->n_certs;
	struct pem_block b;
	struct line_pos lp = {0, 1};
	unsigned left = MAX_BLOCKS;
	while (next_pem(p, len, &pos, &b, &left) == 0) {
		b.line = text ? line_at(&lp, p, b.off) : 0;
		int rc = b.kind == PEM_PRIVATE ? handle_private_block(in, st, e, p, text, &b, err)
		                               : cert_block(st, e, p, &b, err);
		if (rc < 0)
			return -1;
	}
	return handle_certs(st, e, first_cert, err);
}

/* A DER key or certificate, tried only for files named like one. */
static int scan_der(struct it_inspect *in, struct sec_state *st, const struct it_entry *e,
                    const uint8_t *p, size_t len, struct it_error *err)
{
	if (len < 16 || len > MAX_DER_FILE || p[0] != 0x30)
		return 0;
	const unsigned char *q = p;
	EVP_PKEY *pk = d2i_AutoPrivateKey(NULL, &q, (long)len);
	ERR_clear_error();
	if (pk) {
		char desc[96];
		pkey_desc(pk, desc, sizeof(desc));
		int rc = remember_key(st, e, pk, err);
		EVP_PKEY_free(pk);
		if (rc < 0)
			return -1;
		struct it_finding_loc loc = it_loc(e, 0);
		char ev[128];
		snprintf(ev, sizeof(ev), "DER private key (%s)", desc);
		return it_inspect_report(in, "key.private-in-image", -1, &loc, ev, err,
		                         "unencrypted private key (%s, DER); every device has the "
		                         "same key",
		                         desc);
	}
	uint8_t *der = malloc(len);
	if (!der)
		return it_error_nomem(err);
	memcpy(der, p, len);
	size_t first = st->n_certs;
	int rc = add_cert(st, e, &der, len, 0, err);
	free(der);
	return rc < 0 ? -1 : handle_certs(st, e, first, err);
}

/* --- SSH host keys ----------------------------------------------------------- */

static int host_key(struct it_inspect *in, const struct it_entry *e, const uint8_t *p, size_t len,
                    struct it_error *err)
{
	struct sshkey k;
	char desc[256];
	int found = 0;
	size_t pos = 0;
	struct pem_block b;
	if (len > MAX_KEY_FILE)
		return 0;
	unsigned left = 16;
	if (next_pem(p, len, &pos, &b, &left) == 0 && b.kind == PEM_PRIVATE) {
		if (strcmp(b.label, "OPENSSH PRIVATE KEY") == 0) {
			uint8_t *raw = NULL;
			long n = block_body(p, &b, &raw);
			if (n == -2)
				return it_error_nomem(err);
			found = n > 0 && parse_openssh(raw, (size_t)n, &k) == 0;
			free(raw);
			if (found)
				snprintf(desc, sizeof(desc), "OpenSSH format, %s %u bits, %s",
				         k.type, k.bits, k.fp);
		} else {
			BIO *bio = BIO_new_mem_buf(p + b.off, (int)b.len);
			if (!bio)
				return it_error_nomem(err);
			EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
			BIO_free(bio);
			ERR_clear_error();
			if (pk) {
				char kd[64];
				pkey_desc(pk, kd, sizeof(kd));
				snprintf(desc, sizeof(desc), "PEM format, %s", kd);
				EVP_PKEY_free(pk);
				found = 1;
			}
		}
	} else if (parse_dropbear(p, len, &k) == 0) {
		snprintf(desc, sizeof(desc), "Dropbear format, %s %u bits, %s", k.type, k.bits,
		         k.fp);
		found = 1;
	}
	if (!found)
		return 0; /* empty placeholder or not a key: generated on the device */
	struct it_finding_loc loc = it_loc(e, 0);
	return it_inspect_report(in, "key.ssh-host-key-baked", -1, &loc, desc, err,
	                         "SSH host key baked into the image (%s); every device has the "
	                         "same host key",
	                         desc);
}

static int sec_entry(struct it_inspect *in, void *vp, const struct it_entry *e,
                     struct it_error *err)
{
	struct sec_state *st = vp;
	if ((e->type != IT_ENTRY_FILE && e->type != IT_ENTRY_PAYLOAD) || e->size == 0)
		return 0;
	const char *b = it_path_base(e->path);
	if (skip_name(b))
		return 0;
	const uint8_t *p;
	size_t len;
	if (it_inspect_bytes(in, e, &p, &len, err) < 0)
		return err->code ? -1 : 0;
	if (len == 0)
		return 0;
	if (e->type == IT_ENTRY_FILE && host_key_name(b))
		return host_key(in, e, p, len, err);
	if (memmem(p, len, PEM_BEGIN, 11))
		return scan_pem(in, st, e, p, len, err);
	if (e->type == IT_ENTRY_FILE && der_name(b))
		return scan_der(in, st, e, p, len, err);
	return 0;
}

/* --- finish: certificates ------------------------------------------------------ */

static const char *key_in_image(const struct sec_state *st, const struct certrec *c)
{
	for (size_t i = 0; i < st->n_keys; i++)
		if (strcmp(st->keys[i].chain, c->chain) == 0 &&
		    memcmp(st->keys[i].spki, c->spki, 32) == 0)
			return st->keys[i].path;
	return NULL;
}

static size_t dir_len(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? (size_t)(s - path) : 0;
}

/* Do at least 3 files of c's directory hold CA certificates? (a directory of roots,
 * such as a Debian or OpenWrt etc/ssl/certs, even without hash links) */
static int ca_directory(const struct sec_state *st, const struct certrec *c)
{
	size_t dl = dir_len(c->path), files = 0;
	const char *last = NULL;
	for (size_t i = 0; i < st->n_certs && files < 3; i++) {
		const struct certrec *o = &st->certs[i];
		if (!o->is_ca || dir_len(o->path) != dl || strncmp(o->path, c->path, dl) != 0 ||
		    strcmp(o->chain, c->chain) != 0 || (last && strcmp(last, o->path) == 0))
			continue;
		last = o->path; /* certificates of one file are consecutive */
		files++;
	}
	return files >= 3;
}

/* A trust anchor is a CA certificate that a store or its own key usage marks as a root;
 * it is not reported (the caller also checks that its private key is not shipped). */
static int is_anchor(const struct sec_state *st, const struct certrec *c)
{
	return c->is_ca && (c->in_store || c->ku_ca || ca_directory(st, c));
}

/* What a report says about a certificate: parsed in full by OpenSSL. */
struct certview {
	char *subject, *not_after, *weak, evidence[200], key_desc[64];
	int weak_sev;
};

static void certview_free(struct certview *v)
{
	free(v->subject);
	free(v->not_after);
	free(v->weak);
}

static int certview_make(X509 *x, struct certview *v)
{
	memset(v, 0, sizeof(*v));
	EVP_PKEY *pk = X509_get0_pubkey(x);
	snprintf(v->key_desc, sizeof(v->key_desc), "unknown key");
	if (pk)
		pkey_desc(pk, v->key_desc, sizeof(v->key_desc));
	v->weak = cert_weakness(x, pk, &v->weak_sev);
	char *issuer = name_str(X509_get_issuer_name(x));
	v->subject = name_str(X509_get_subject_name(x));
	v->not_after = time_str(X509_get0_notAfter(x));
	int sn = X509_get_signature_nid(x);
	if (issuer && v->subject && v->not_after)
		snprintf(v->evidence, sizeof(v->evidence),
		         "subject=%s; issuer=%s; notAfter=%s; key=%s; sig=%s", v->subject, issuer,
		         v->not_after, v->key_desc, sn != NID_undef ? OBJ_nid2ln(sn) : "?");
	free(issuer);
	ERR_clear_error();
	return issuer && v->subject && v->not_after ? 0 : -1;
}

static int report_cert(struct it_inspect *in, const struct sec_state *st, const struct certrec *c,
                       struct it_error *err)
{
	const char *key = key_in_image(st, c);
	if (!key && is_anchor(st, c))
		return 0;
	int expired = c->not_after < (int64_t)st->now;
	const unsigned char *q = c->der;
	X509 *x = d2i_X509(NULL, &q, (long)c->der_len);
	ERR_clear_error();
	if (!x)
		return 0; /* the walk accepted what OpenSSL refuses: not evidence */
	/* issuer = subject and matching key identifiers; the self-signature is not
	 * verified (costly, and a forged one changes nothing for the device) */
	int self_signed = c->self_issued && X509_self_signed(x, 0) == 1;
	struct certview v;
	int rc = certview_make(x, &v);
	X509_free(x);
	if (rc < 0) {
		certview_free(&v);
		return it_error_nomem(err);
	}
	struct it_finding_loc loc = {c->chain, c->path, c->line};
	rc = -1;
	if (self_signed) {
		const char *also =
		        key ? it_inspect_printf(in, err,
		                                "; its private key is in the image too (%s)", key)
		            : "";
		if (!also ||
		    it_inspect_report(in, "cert.self-signed", -1, &loc, v.evidence, err,
		                      "self-signed certificate '%s' (%s, valid until %s)%s",
		                      v.subject, v.key_desc, v.not_after, also) < 0)
			goto out;
	}
	if (expired &&
	    it_inspect_report(in, "cert.expired", -1, &loc, v.evidence, err,
	                      "certificate '%s' expired on %s", v.subject, v.not_after) < 0)
		goto out;
	if (v.weak && it_inspect_report(in, "cert.weak-key", v.weak_sev, &loc, v.evidence, err,
	                                "certificate '%s' has a %s", v.subject, v.weak) < 0)
		goto out;
	rc = 0;
out:
	certview_free(&v);
	return rc;
}

static int sec_finish(struct it_inspect *in, void *vp, struct it_error *err)
{
	struct sec_state *st = vp;
	for (size_t i = 0; i < st->n_certs; i++)
		if (report_cert(in, st, &st->certs[i], err) < 0)
			return -1;
	return 0;
}

const struct it_inspector it_insp_secrets = {
        .name = "secrets",
        .checks = sec_checks,
        .create = sec_create,
        .entry = sec_entry,
        .finish = sec_finish,
        .destroy = sec_destroy,
};

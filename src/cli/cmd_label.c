/*
 * `iotrust label`: keygen (Ed25519 issuer key and JWKS), sign (an assessment becomes
 * label.jws, label.json, label.svg, label.png), verify (a JWS or the QR of a PNG against a
 * JWKS, the clock and a revocation list) and revoke (append to a signed revocation list).
 * The work is in src/label (include/iotrust/label.h); this file parses, reads files, prints.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "iotrust/label.h"
#include "iotrust/outfile.h"

#define EXIT_INVALID 1

static const char label_help[] =
        "Usage: iotrust label keygen -o PREFIX [--passphrase-file F]\n"
        "       iotrust label sign --assessment RESULT.json --key ISSUER.key -o DIR\n"
        "                          [--passphrase-file F] [--expires DATE] [--url-base URL]\n"
        "                          [--qr-embed] [--allow-fail]\n"
        "       iotrust label verify LABEL.jws|QR.png --jwks FILE [--revoked FILE]\n"
        "                          [--at DATE] [--label LABEL.jws] [--json]\n"
        "       iotrust label revoke DIGEST --key ISSUER.key --list REVOKED.json\n"
        "                          [--passphrase-file F] [--reason TEXT]\n"
        "\n"
        "Signed security labels (docs/label.md). keygen writes PREFIX.key (Ed25519, mode\n"
        "0600; PEM PKCS#8, or Argon2id + secretbox encrypted with a passphrase) and\n"
        "PREFIX.jwks (the public key; its kid is the RFC 7638 thumbprint). sign turns an\n"
        "assessment (iotrust assess) into DIR/label.jws (compact JWS, EdDSA), label.json,\n"
        "label.svg (printable) and label.png (the QR code: URL-BASE/l/<label digest>, or\n"
        "with --qr-embed the whole JWS). verify checks the signature, the validity period,\n"
        "the support period and the revocation list. revoke appends a label digest to a\n"
        "signed revocation list (created if missing).\n"
        "\n"
        "Options:\n"
        "  -o, --output P            keygen: file prefix; sign: directory (created)\n"
        "      --passphrase-file F   the key's passphrase: the first line of F\n"
        "      --assessment FILE     the assessment result (JSON)\n"
        "      --key FILE            the issuer's private key\n"
        "      --expires DATE        YYYY-MM-DD[THH:MM:SSZ]; default: end of support_until\n"
        "      --url-base URL        default " IT_LABEL_URL_BASE "\n"
        "      --qr-embed            put the whole JWS in the QR code (offline checks)\n"
        "      --allow-fail          sign even when mandatory provisions failed; the label\n"
        "                            then carries mandatory_failed\n"
        "      --issued-at DATE      instead of now (reproducible labels, tests)\n"
        "      --jwks FILE           the issuer's public keys\n"
        "      --revoked FILE        a revocation list signed by a key of the JWKS\n"
        "      --at DATE             verify as of DATE instead of now\n"
        "      --label FILE          the label a URL QR code points to (checks the digest)\n"
        "      --json                verify: print a JSON verdict\n"
        "      --list FILE           revoke: the revocation list\n"
        "      --reason TEXT         revoke: why (printed by verify)\n"
        "\n"
        "Examples:\n"
        "  iotrust label keygen -o issuer\n"
        "  iotrust label sign --assessment result.json --key issuer.key -o label/\n"
        "  iotrust label verify label/label.jws --jwks issuer.jwks\n"
        "  iotrust label verify label/label.png --jwks issuer.jwks --label label/label.jws\n"
        "  iotrust label revoke <digest> --key issuer.key --list revoked.json --reason recall\n"
        "\n"
        "Exit codes: 0 ok (verify: valid); 1 verify: invalid (bad signature, unknown key,\n"
        "not yet valid, expired, support period over, revoked), sign: refused because\n"
        "mandatory provisions failed; 2 usage; 3 bad input (malformed assessment, label,\n"
        "JWKS, key, or wrong passphrase; a revocation list that does not verify); 4\n"
        "internal or I/O error.\n";

struct label_args {
	const char *out, *pass_file, *assessment, *key, *expires, *url_base, *issued_at;
	const char *jwks, *revoked, *at, *label, *list, *reason;
	int qr_embed, allow_fail, json;
	unsigned long repeat;
};

static int read_all(const char *path, size_t max, struct it_buf *b, struct it_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "cannot open: %s",
		                    strerror(errno));
	char tmp[65536];
	size_t n;
	int rc = 0;
	while (rc == 0 && (n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		if (b->len + n > max)
			rc = it_error_set(err, IT_ERR_LIMIT, path, IT_NO_OFFSET,
			                  "larger than %zu bytes", max);
		else if (it_buf_append(b, tmp, n) < 0)
			rc = it_error_nomem(err);
	}
	if (rc == 0 && ferror(f))
		rc = it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET, "cannot read: %s",
		                  strerror(errno));
	fclose(f);
	if (rc == 0 && !b->data)
		it_buf_puts(b, "");
	return rc;
}

/* The passphrase: the first line of the file, without its line end. */
static int read_pass(const char *path, struct it_buf *pass, struct it_error *err)
{
	if (read_all(path, 4096, pass, err) < 0)
		return -1;
	char *nl = memchr(pass->data, '\n', pass->len);
	if (nl)
		it_buf_truncate(pass, (size_t)(nl - (char *)pass->data));
	if (pass->len && pass->data[pass->len - 1] == '\r')
		it_buf_truncate(pass, pass->len - 1);
	if (pass->len == 0)
		return it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET,
		                    "the passphrase is empty");
	return 0;
}

static int write_file(const char *path, const struct it_buf *b, unsigned mode, struct it_error *err)
{
	struct it_outfile o;
	if (it_outfile_open(&o, path, err) < 0)
		return -1;
	if (fchmod(fileno(o.f), mode) != 0 || fwrite(b->data, 1, b->len, o.f) != b->len) {
		it_outfile_abort(&o);
		return it_error_set(err, IT_ERR_IO, path, IT_NO_OFFSET, "cannot write: %s",
		                    strerror(errno));
	}
	return it_outfile_commit(&o, err);
}

static int load_key(const struct label_args *a, struct it_label_key *k, struct it_error *err)
{
	struct it_buf text = IT_BUF_INIT, pass = IT_BUF_INIT;
	int rc = read_all(a->key, 65536, &text, err);
	if (rc == 0 && a->pass_file)
		rc = read_pass(a->pass_file, &pass, err);
	if (rc == 0)
		rc = it_label_key_parse((const char *)text.data, text.len, a->key,
		                        a->pass_file ? (const char *)pass.data : NULL, pass.len, k,
		                        err);
	if (text.data)
		memset(text.data, 0, text.len);
	if (pass.data)
		memset(pass.data, 0, pass.len);
	it_buf_free(&text);
	it_buf_free(&pass);
	return rc;
}

static int parse_date_arg(const char *opt, const char *s, int64_t *t)
{
	if (it_label_time_parse(s, t) < 0)
		return cli_usage_error("label",
		                       "%s: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got "
		                       "'%s'",
		                       opt, s);
	return 0;
}

static double now_mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int run_keygen(const struct label_args *a)
{
	if (!a->out)
		return cli_usage_error("label", "keygen needs -o PREFIX");
	struct it_error err = IT_ERROR_INIT;
	struct it_buf kpath = IT_BUF_INIT, jpath = IT_BUF_INIT, key = IT_BUF_INIT,
	              jwks = IT_BUF_INIT, pass = IT_BUF_INIT;
	struct it_label_key k;
	int rc = 0;
	it_buf_printf(&kpath, "%s.key", a->out);
	it_buf_printf(&jpath, "%s.jwks", a->out);
	if (access(it_buf_str(&kpath), F_OK) == 0)
		rc = it_error_set(&err, IT_ERR_INPUT, it_buf_str(&kpath), IT_NO_OFFSET,
		                  "exists; keygen never overwrites a key");
	if (rc == 0 && a->pass_file)
		rc = read_pass(a->pass_file, &pass, &err);
	if (rc == 0)
		rc = it_label_keygen(&k, &err);
	if (rc == 0)
		rc = it_label_key_format(&k, a->pass_file ? (const char *)pass.data : NULL,
		                         pass.len, &key, &err);
	if (rc == 0)
		rc = it_label_jwks_format(&k, &jwks, &err);
	if (rc == 0)
		rc = write_file(it_buf_str(&kpath), &key, 0600, &err);
	if (rc == 0)
		rc = write_file(it_buf_str(&jpath), &jwks, 0644, &err);
	if (rc == 0)
		printf("key %s\n  private: %s (%s)\n  public:  %s\n", k.kid, it_buf_str(&kpath),
		       a->pass_file ? "encrypted" : "PEM PKCS#8, unencrypted", it_buf_str(&jpath));
	it_label_key_wipe(&k);
	if (key.data)
		memset(key.data, 0, key.len);
	if (pass.data)
		memset(pass.data, 0, pass.len);
	it_buf_free(&kpath);
	it_buf_free(&jpath);
	it_buf_free(&key);
	it_buf_free(&jwks);
	it_buf_free(&pass);
	return rc < 0 ? cli_fail(&err) : 0;
}

static int write_outputs(const char *dir, const struct it_label_out *o, struct it_error *err)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return it_error_set(err, IT_ERR_IO, dir, IT_NO_OFFSET, "cannot create: %s",
		                    strerror(errno));
	const struct {
		const char *name;
		const struct it_buf *b;
	} files[] = {{"label.jws", &o->jws},
	             {"label.json", &o->json},
	             {"label.svg", &o->svg},
	             {"label.png", &o->png}};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		struct it_buf p = IT_BUF_INIT;
		if (it_buf_printf(&p, "%s/%s", dir, files[i].name) < 0)
			return it_error_nomem(err);
		int rc = write_file(it_buf_str(&p), files[i].b, 0644, err);
		it_buf_free(&p);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int run_sign(const struct label_args *a)
{
	if (!a->assessment || !a->key || !a->out)
		return cli_usage_error("label", "sign needs --assessment, --key and -o DIR");
	struct it_label_sign_opts so = {.issued_at = (int64_t)time(NULL),
	                                .allow_fail = a->allow_fail};
	if (a->expires && parse_date_arg("--expires", a->expires, &so.expires_at))
		return EXIT_USAGE;
	if (a->issued_at && parse_date_arg("--issued-at", a->issued_at, &so.issued_at))
		return EXIT_USAGE;
	if (a->expires && strlen(a->expires) == 10)
		it_label_date_end(a->expires, &so.expires_at);
	struct it_error err = IT_ERROR_INIT;
	struct it_label_key k;
	struct it_buf in = IT_BUF_INIT;
	struct it_label_out out = {0};
	json_t *payload = NULL;
	int rc = load_key(a, &k, &err);
	if (rc == 0)
		rc = read_all(a->assessment, IT_LABEL_MAX_INPUT, &in, &err);
	if (rc == 0)
		rc = it_label_build((const char *)in.data, in.len, a->assessment, &k, &so, &payload,
		                    &err);
	if (rc == 1) {
		char *m = it_error_format(&err);
		fprintf(stderr, "iotrust label: %s\n", m ? m : "refused");
		free(m);
		it_error_clear(&err);
		it_label_key_wipe(&k);
		it_buf_free(&in);
		return EXIT_INVALID;
	}
	if (rc == 0 && a->repeat) {
		/* hidden --repeat N (bench): N labels built and signed in this process */
		double t0 = now_mono();
		for (unsigned long i = 0; rc == 0 && i < a->repeat; i++) {
			json_t *p = NULL;
			struct it_buf c = IT_BUF_INIT, jws = IT_BUF_INIT;
			rc = it_label_build((const char *)in.data, in.len, a->assessment, &k, &so,
			                    &p, &err);
			if (rc == 0)
				rc = it_json_canonical(p, &c, &err);
			if (rc == 0)
				rc = it_jws_sign(&k, IT_LABEL_TYP, c.data, c.len, 0, &jws, &err);
			json_decref(p);
			it_buf_free(&c);
			it_buf_free(&jws);
		}
		double t = now_mono() - t0;
		fprintf(stderr, "%lu labels built and signed in %.3f s: %.0f/s\n", a->repeat, t,
		        t > 0 ? (double)a->repeat / t : 0);
	}
	if (rc == 0)
		rc = it_label_sign(payload, &k, a->url_base, a->qr_embed, &out, &err);
	if (rc == 0)
		rc = write_outputs(a->out, &out, &err);
	if (rc == 0) {
		printf("label %s\n  signed by %s\n", out.digest, k.kid);
		if (a->qr_embed)
			printf("  QR: the whole JWS (%zu bytes)\n", strlen(out.qr_text));
		else
			printf("  QR: %s\n", out.qr_text);
		printf("  wrote %s/label.jws, label.json, label.svg, label.png\n", a->out);
		json_t *mf = json_object_get(payload, "mandatory_failed");
		if (json_integer_value(mf) > 0)
			printf("  warning: the label says %lld mandatory provisions failed\n",
			       (long long)json_integer_value(mf));
	}
	json_decref(payload);
	it_label_out_free(&out);
	it_label_key_wipe(&k);
	it_buf_free(&in);
	return rc < 0 ? cli_fail(&err) : 0;
}

static int is_png(const struct it_buf *b)
{
	return b->len >= 8 && !memcmp(b->data, "\x89PNG\r\n\x1a\n", 8);
}

static void print_verdict(const struct label_args *a, const struct it_label_verdict *v)
{
	static const unsigned bits[] = {IT_LABEL_BAD_SIGNATURE, IT_LABEL_UNKNOWN_KEY,
	                                IT_LABEL_NOT_YET_VALID, IT_LABEL_EXPIRED,
	                                IT_LABEL_SUPPORT_OVER,  IT_LABEL_REVOKED};
	if (a->json) {
		json_t *probs = json_array();
		for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
			if (v->problems & bits[i])
				json_array_append_new(probs,
				                      json_string(it_label_problem_name(bits[i])));
		json_t *o = json_pack("{s:b, s:o, s:s}", "valid", v->problems == 0, "problems",
		                      probs, "digest", v->digest);
		if (o && v->label)
			json_object_set(o, "label", v->label);
		if (o && v->revocation)
			json_object_set_new(o, "revocation",
			                    json_pack("{s:s, s:s?}", "revoked_at",
			                              v->revocation->revoked_at, "reason",
			                              v->revocation->reason));
		char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(o);
		return;
	}
	if (v->problems == 0) {
		printf("VALID label %s\n", v->digest);
	} else {
		printf("INVALID label %s:", v->digest);
		const char *sep = " ";
		for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
			if (v->problems & bits[i]) {
				printf("%s%s", sep, it_label_problem_name(bits[i]));
				sep = ", ";
			}
		printf("\n");
	}
	if (v->revocation)
		printf("  revoked at %s%s%s\n", v->revocation->revoked_at,
		       v->revocation->reason ? ": " : "",
		       v->revocation->reason ? v->revocation->reason : "");
	if (!v->label)
		return;
	const char *k;
	json_t *val;
	json_object_foreach(v->label, k, val)
	{
		if (json_is_string(val)) {
			printf("  %-22s %s\n", k, json_string_value(val));
		} else if (json_is_integer(val)) {
			printf("  %-22s %lld\n", k, (long long)json_integer_value(val));
		} else if (json_is_array(val)) {
			for (size_t i = 0; i < json_array_size(val); i++) {
				json_t *s = json_array_get(val, i);
				printf("  %-22s %s (%s)\n", i ? "" : k,
				       json_string_value(json_object_get(s, "id")),
				       json_string_value(json_object_get(s, "level")));
			}
		}
	}
}

/* The JWS to verify: the file itself, the QR of a PNG, or --label when the QR holds a URL. */
static int label_text(const struct label_args *a, const char *path, struct it_buf *jws,
                      struct it_error *err)
{
	struct it_buf in = IT_BUF_INIT;
	if (read_all(path, IT_LABEL_MAX_INPUT * 16, &in, err) < 0)
		return -1;
	if (!is_png(&in)) {
		*jws = in;
		return 0;
	}
	char *text = NULL;
	int rc = it_label_png_qr_text(in.data, in.len, path, &text, err);
	it_buf_free(&in);
	if (rc < 0)
		return -1;
	const char *l = strstr(text, "/l/");
	if (strchr(text, '.') && !strstr(text, "://")) {
		rc = it_buf_puts(jws, text) < 0 ? it_error_nomem(err) : 0;
	} else if (!l || strlen(l + 3) != IT_LABEL_DIGEST_LEN) {
		rc = it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET,
		                  "the QR code holds neither a label nor a label URL: %.80s", text);
	} else if (!a->label) {
		rc = it_error_set(err, IT_ERR_INPUT, path, IT_NO_OFFSET,
		                  "the QR code holds the URL %s; give the label it points to with "
		                  "--label LABEL.jws",
		                  text);
	} else if ((rc = read_all(a->label, IT_LABEL_MAX_INPUT, jws, err)) == 0) {
		size_t n = jws->len;
		while (n && (jws->data[n - 1] == '\n' || jws->data[n - 1] == '\r'))
			n--;
		char d[IT_LABEL_DIGEST_LEN + 1];
		it_label_digest(jws->data, n, d);
		if (strcmp(d, l + 3))
			rc = it_error_set(err, IT_ERR_INPUT, a->label, IT_NO_OFFSET,
			                  "this label's digest is %s, the QR code's URL names %s",
			                  d, l + 3);
	}
	free(text);
	return rc;
}

static int run_verify(const struct label_args *a, const char *path)
{
	if (!path || !a->jwks)
		return cli_usage_error("label", "verify needs LABEL.jws|QR.png and --jwks");
	int64_t at = (int64_t)time(NULL);
	if (a->at && parse_date_arg("--at", a->at, &at))
		return EXIT_USAGE;
	struct it_error err = IT_ERROR_INIT;
	struct it_buf jwks_text = IT_BUF_INIT, rev_text = IT_BUF_INIT, jws = IT_BUF_INIT;
	struct it_label_jwks keys = {0};
	struct it_label_revocations rev = {0};
	struct it_label_verdict v = {0};
	int rc = read_all(a->jwks, IT_LABEL_MAX_INPUT, &jwks_text, &err);
	if (rc == 0)
		rc = it_label_jwks_parse((const char *)jwks_text.data, jwks_text.len, a->jwks,
		                         &keys, &err);
	if (rc == 0 && a->revoked &&
	    (rc = read_all(a->revoked, 64 * IT_LABEL_MAX_INPUT, &rev_text, &err)) == 0)
		rc = it_label_revocations_parse((const char *)rev_text.data, rev_text.len,
		                                a->revoked, &keys, &rev, &err);
	if (rc == 0)
		rc = label_text(a, path, &jws, &err);
	if (rc == 0 && a->repeat) {
		double t0 = now_mono();
		for (unsigned long i = 0; rc == 0 && i < a->repeat; i++) {
			rc = it_label_verify((const char *)jws.data, jws.len, path, &keys,
			                     a->revoked ? &rev : NULL, at, &v, &err);
			it_label_verdict_free(&v);
		}
		double t = now_mono() - t0;
		fprintf(stderr, "%lu labels verified in %.3f s: %.0f/s\n", a->repeat, t,
		        t > 0 ? (double)a->repeat / t : 0);
	}
	if (rc == 0)
		rc = it_label_verify((const char *)jws.data, jws.len, path, &keys,
		                     a->revoked ? &rev : NULL, at, &v, &err);
	int code = 0;
	if (rc == 0) {
		print_verdict(a, &v);
		code = v.problems ? EXIT_INVALID : 0;
	} else {
		code = cli_fail(&err);
	}
	it_label_verdict_free(&v);
	it_label_revocations_free(&rev);
	it_label_jwks_free(&keys);
	it_buf_free(&jwks_text);
	it_buf_free(&rev_text);
	it_buf_free(&jws);
	return code;
}

static int run_revoke(const struct label_args *a, const char *digest)
{
	if (!digest || !a->key || !a->list)
		return cli_usage_error("label", "revoke needs DIGEST, --key and --list");
	struct it_error err = IT_ERROR_INIT;
	struct it_label_key k;
	struct it_label_jwks mine = {0};
	struct it_label_revocations rev = {0};
	struct it_buf text = IT_BUF_INIT, out = IT_BUF_INIT;
	int64_t now = (int64_t)time(NULL);
	int rc = load_key(a, &k, &err);
	if (rc == 0)
		rc = it_label_jwks_of_key(&k, &mine, &err);
	if (rc == 0 && access(a->list, F_OK) == 0 &&
	    (rc = read_all(a->list, 64 * IT_LABEL_MAX_INPUT, &text, &err)) == 0)
		rc = it_label_revocations_parse((const char *)text.data, text.len, a->list, &mine,
		                                &rev, &err);
	if (rc == 0)
		rc = it_label_revocations_add(&rev, digest, a->reason, now, &err);
	if (rc == 1) {
		printf("%s is already revoked in %s (nothing changed)\n", digest, a->list);
		rc = 2;
	}
	if (rc == 0)
		rc = it_label_revocations_format(&rev, &k, now, &out, &err);
	if (rc == 0)
		rc = write_file(a->list, &out, 0644, &err);
	if (rc == 0)
		printf("revoked %s\n  %s: %zu entr%s, signed by %s\n", digest, a->list, rev.n,
		       rev.n == 1 ? "y" : "ies", k.kid);
	it_label_key_wipe(&k);
	it_label_jwks_free(&mine);
	it_label_revocations_free(&rev);
	it_buf_free(&text);
	it_buf_free(&out);
	return rc < 0 ? cli_fail(&err) : 0;
}

int cmd_label(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {"output", required_argument, NULL, 'o'},
	        {"passphrase-file", required_argument, NULL, 'P'},
	        {"assessment", required_argument, NULL, 'a'},
	        {"key", required_argument, NULL, 'k'},
	        {"expires", required_argument, NULL, 'e'},
	        {"url-base", required_argument, NULL, 'u'},
	        {"qr-embed", no_argument, NULL, 'Q'},
	        {"allow-fail", no_argument, NULL, 'F'},
	        {"issued-at", required_argument, NULL, 'I'},
	        {"jwks", required_argument, NULL, 'j'},
	        {"revoked", required_argument, NULL, 'r'},
	        {"at", required_argument, NULL, 't'},
	        {"label", required_argument, NULL, 'l'},
	        {"json", no_argument, NULL, 'J'},
	        {"list", required_argument, NULL, 'L'},
	        {"reason", required_argument, NULL, 'R'},
	        {"repeat", required_argument, NULL, 'N'}, /* hidden: bench/bench-label.sh */
	        {NULL, 0, NULL, 0},
	};
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(label_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	const char *sub = argv[1];
	struct label_args a = {0};
	const char *early = NULL;
	int c;
	optind = 1;
	argc--;
	argv++;
	/* a digest may start with '-': taken as DIGEST when it comes right after "revoke" */
	if (argc > 1 && strlen(argv[1]) == IT_LABEL_DIGEST_LEN && argv[1][0] == '-' &&
	    argv[1][1] != '-') {
		early = argv[1];
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(label_help, stdout);
			return 0;
		case 'o':
			a.out = optarg;
			break;
		case 'P':
			a.pass_file = optarg;
			break;
		case 'a':
			a.assessment = optarg;
			break;
		case 'k':
			a.key = optarg;
			break;
		case 'e':
			a.expires = optarg;
			break;
		case 'u':
			a.url_base = optarg;
			break;
		case 'Q':
			a.qr_embed = 1;
			break;
		case 'F':
			a.allow_fail = 1;
			break;
		case 'I':
			a.issued_at = optarg;
			break;
		case 'j':
			a.jwks = optarg;
			break;
		case 'r':
			a.revoked = optarg;
			break;
		case 't':
			a.at = optarg;
			break;
		case 'l':
			a.label = optarg;
			break;
		case 'J':
			a.json = 1;
			break;
		case 'L':
			a.list = optarg;
			break;
		case 'R':
			a.reason = optarg;
			break;
		case 'N': {
			char *end;
			errno = 0;
			a.repeat = strtoul(optarg, &end, 10);
			if (errno || *end || optarg[0] == '-' || a.repeat == 0 ||
			    a.repeat > 100000000)
				return cli_usage_error("label",
				                       "--repeat: expected 1 to 100000000");
			break;
		}
		default:
			return cli_usage_error("label", "unknown option");
		}
	}
	const char *pos = optind < argc ? argv[optind] : NULL;
	if (optind + 1 < argc || (early && pos))
		return cli_usage_error("label", "unexpected argument '%s'",
		                       early && pos ? pos : argv[optind + 1]);
	if (early)
		pos = early;
	if (!strcmp(sub, "keygen") && !pos)
		return run_keygen(&a);
	if (!strcmp(sub, "sign") && !pos)
		return run_sign(&a);
	if (!strcmp(sub, "verify"))
		return run_verify(&a, pos);
	if (!strcmp(sub, "revoke"))
		return run_revoke(&a, pos);
	if (pos)
		return cli_usage_error("label", "unexpected argument '%s'", pos);
	return cli_usage_error("label", "unknown subcommand '%s' (keygen, sign, verify, revoke)",
	                       sub);
}

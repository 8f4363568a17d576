/*
 * Version-signature matchers compared on the same binary files (bench-signatures.sh runs
 * it): each finds the anchors of data/signatures/ and runs the signature's PCRE2 pattern
 * around each hit. per-sig-pcre2 (a pass per signature), memmem (a pass per anchor),
 * pcre2-alt (one alternation), hash4 (inventory_signatures.c's filter), wu-manber2, and
 * hyperscan with -DHAVE_HS. Prints time and pattern matches (which must agree).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#ifdef HAVE_HS
#include <hs/hs.h>
#endif

#define MAX_FILE ((size_t)64 << 20)

struct sig {
	pcre2_code *re;
	size_t before, after;
};

struct anchor {
	uint32_t key;
	char *lit;
	size_t len, sig;
};

struct file {
	const uint8_t *p;
	size_t len;
};

static struct sig *sigs;
static size_t n_sigs;
static struct anchor *anchors;
static size_t n_anchors;
static struct file *files;
static size_t n_files, total_bytes;
static pcre2_match_data *md;
static uint64_t filter[1024];

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void load_sigs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d) {
		perror(dir);
		exit(1);
	}
	while ((de = readdir(d))) {
		char path[4096];
		if (!strstr(de->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		json_t *root = json_load_file(path, JSON_ALLOW_NUL, NULL);
		json_t *arr = json_object_get(root, "signatures");
		for (size_t i = 0; i < json_array_size(arr); i++) {
			json_t *s = json_array_get(arr, i);
			const char *pat = json_string_value(json_object_get(s, "pattern"));
			if (!pat)
				continue; /* filename signatures read no bytes */
			int ec;
			PCRE2_SIZE off;
			sigs = realloc(sigs, (n_sigs + 1) * sizeof(*sigs));
			sigs[n_sigs].re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0,
			                                &ec, &off, NULL);
			pcre2_jit_compile(sigs[n_sigs].re, PCRE2_JIT_COMPLETE);
			sigs[n_sigs].before = 64;
			sigs[n_sigs].after = 192;
			json_t *a = json_object_get(s, "anchor");
			json_t *list = json_is_array(a) ? a : json_pack("[O]", a);
			for (size_t k = 0; k < json_array_size(list); k++) {
				json_t *x = json_array_get(list, k);
				anchors = realloc(anchors, (n_anchors + 1) * sizeof(*anchors));
				struct anchor *an = &anchors[n_anchors++];
				an->len = json_string_length(x);
				an->lit = malloc(an->len);
				memcpy(an->lit, json_string_value(x), an->len);
				memcpy(&an->key, an->lit, 4);
				an->sig = n_sigs;
			}
			if (list != a)
				json_decref(list);
			n_sigs++;
		}
		json_decref(root);
	}
	closedir(d);
}

/* Binary files only (ELF, or a NUL in the first 4 KiB), as the inspector does. */
static void add_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			add_tree(path);
			continue;
		}
		if (!S_ISREG(st.st_mode) || st.st_size < 4 || (size_t)st.st_size > MAX_FILE)
			continue;
		int fd = open(path, O_RDONLY);
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
		               0);
		close(fd);
		if (p == MAP_FAILED)
			continue;
		size_t len = (size_t)st.st_size;
		if (memcmp(p, "\177ELF", 4) != 0 && !memchr(p, 0, len < 4096 ? len : 4096)) {
			munmap(p, len);
			continue;
		}
		files = realloc(files, (n_files + 1) * sizeof(*files));
		files[n_files].p = p;
		files[n_files++].len = len;
		total_bytes += len;
	}
	closedir(d);
}

/* The pattern of signature s around an anchor hit at pos; 1 when it matches there. */
static int verify(size_t s, const uint8_t *p, size_t len, size_t pos, size_t alen)
{
	size_t ws = pos > sigs[s].before ? pos - sigs[s].before : 0;
	size_t we = len - pos - alen > sigs[s].after ? pos + alen + sigs[s].after : len;
	return pcre2_match(sigs[s].re, p + ws, we - ws, 0, 0, md, NULL) > 0;
}

static size_t run_per_sig(void)
{
	size_t hits = 0;
	for (size_t f = 0; f < n_files; f++)
		for (size_t s = 0; s < n_sigs; s++)
			for (PCRE2_SIZE at = 0; at < files[f].len;) {
				if (pcre2_match(sigs[s].re, files[f].p, files[f].len, at, 0, md,
				                NULL) <= 0)
					break;
				hits++;
				PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
				at = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
			}
	return hits;
}

static size_t run_memmem(void)
{
	size_t hits = 0;
	for (size_t f = 0; f < n_files; f++)
		for (size_t a = 0; a < n_anchors; a++) {
			const uint8_t *p = files[f].p, *q = p;
			size_t len = files[f].len;
			while ((q = memmem(q, len - (size_t)(q - p), anchors[a].lit,
			                   anchors[a].len))) {
				hits += verify(anchors[a].sig, p, len, (size_t)(q - p),
				               anchors[a].len);
				q++;
			}
		}
	return hits;
}

static size_t run_pcre2_alt(void)
{
	/* literals quoted with \Q...\E; the anchor that matched is found by comparing (a
	 * (*MARK:n) per alternative was 3x slower still: it defeats PCRE2's start optimisation) */
	size_t cap = 64;
	char *re = malloc(cap);
	size_t n = 0;
	for (size_t a = 0; a < n_anchors; a++) {
		size_t need = n + anchors[a].len + 64;
		if (need > cap)
			re = realloc(re, cap = need * 2);
		n += (size_t)sprintf(re + n, "%s\\Q", a ? "|" : "");
		memcpy(re + n, anchors[a].lit, anchors[a].len);
		n += anchors[a].len;
		n += (size_t)sprintf(re + n, "\\E");
	}
	int ec;
	PCRE2_SIZE off;
	pcre2_code *alt = pcre2_compile((PCRE2_SPTR)re, n, 0, &ec, &off, NULL);
	pcre2_jit_compile(alt, PCRE2_JIT_COMPLETE);
	pcre2_match_data *amd = pcre2_match_data_create(1, NULL);
	size_t hits = 0;
	double t0 = now();
	for (size_t f = 0; f < n_files; f++)
		for (PCRE2_SIZE at = 0; at < files[f].len;) {
			if (pcre2_match(alt, files[f].p, files[f].len, at, 0, amd, NULL) <= 0)
				break;
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(amd);
			for (size_t a = 0; a < n_anchors; a++)
				if (anchors[a].len <= files[f].len - ov[0] &&
				    !memcmp(files[f].p + ov[0], anchors[a].lit, anchors[a].len))
					hits += verify(anchors[a].sig, files[f].p, files[f].len,
					               ov[0], anchors[a].len);
			at = ov[0] + 1;
		}
	(void)t0;
	pcre2_match_data_free(amd);
	pcre2_code_free(alt);
	free(re);
	return hits;
}

static uint32_t fhash(uint32_t k)
{
	return (k * 2654435761u) >> 16;
}

static int cmp_anchor(const void *a, const void *b)
{
	const struct anchor *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

static size_t run_hash4(void)
{
	size_t hits = 0;
	for (size_t f = 0; f < n_files; f++) {
		const uint8_t *p = files[f].p;
		size_t len = files[f].len, end = len - 3;
		for (size_t i = 0; i < end; i++) {
			uint32_t k;
			memcpy(&k, p + i, 4);
			uint32_t h = fhash(k);
			if (!((filter[h >> 6] >> (h & 63)) & 1))
				continue;
			size_t lo = 0, hi = n_anchors;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (anchors[mid].key < k)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < n_anchors && anchors[lo].key == k; lo++)
				if (anchors[lo].len <= len - i &&
				    !memcmp(p + i, anchors[lo].lit, anchors[lo].len))
					hits += verify(anchors[lo].sig, p, len, i, anchors[lo].len);
		}
	}
	return hits;
}

/* Anchors that start at p+i (a 4-byte key hit): compare and verify. */
static size_t at_key(const uint8_t *p, size_t len, size_t i, uint32_t k)
{
	size_t hits = 0, lo = 0, hi = n_anchors;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (anchors[mid].key < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n_anchors && anchors[lo].key == k; lo++)
		if (anchors[lo].len <= len - i && !memcmp(p + i, anchors[lo].lit, anchors[lo].len))
			hits += verify(anchors[lo].sig, p, len, i, anchors[lo].len);
	return hits;
}

/* Wu-Manber with 2-byte blocks over the anchors' first 4 bytes: the block at i+2 tells how
 * far no anchor can start (0..3); at 0 the 4-byte key is checked through the hash filter. */
static uint8_t shift2[65536];

static void build_shift(void)
{
	memset(shift2, 3, sizeof(shift2));
	for (size_t a = 0; a < n_anchors; a++)
		for (unsigned j = 0; j < 3; j++) {
			uint16_t b;
			memcpy(&b, anchors[a].lit + j, 2);
			if (shift2[b] > 2 - j)
				shift2[b] = (uint8_t)(2 - j);
		}
}

static size_t run_wm2(void)
{
	size_t hits = 0;
	for (size_t f = 0; f < n_files; f++) {
		const uint8_t *p = files[f].p;
		size_t len = files[f].len, end = len - 3;
		for (size_t i = 0; i < end;) {
			uint16_t b;
			memcpy(&b, p + i + 2, 2);
			unsigned s = shift2[b];
			if (s) {
				i += s;
				continue;
			}
			uint32_t k;
			memcpy(&k, p + i, 4);
			uint32_t h = fhash(k);
			if ((filter[h >> 6] >> (h & 63)) & 1)
				hits += at_key(p, len, i, k);
			i++;
		}
	}
	return hits;
}

#ifdef HAVE_HS
struct hs_ctx {
	size_t f, hits;
};

static int on_hs(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                 void *u)
{
	struct hs_ctx *c = u;
	(void)from;
	(void)flags;
	size_t pos = (size_t)to - anchors[id].len;
	c->hits += verify(anchors[id].sig, files[c->f].p, files[c->f].len, pos, anchors[id].len);
	return 0;
}

static size_t run_hyperscan(void)
{
	const char **lits = calloc(n_anchors, sizeof(char *));
	size_t *lens = calloc(n_anchors, sizeof(size_t));
	unsigned *ids = calloc(n_anchors, sizeof(unsigned)),
	         *fl = calloc(n_anchors, sizeof(unsigned));
	for (size_t a = 0; a < n_anchors; a++) {
		lits[a] = anchors[a].lit;
		lens[a] = anchors[a].len;
		ids[a] = (unsigned)a;
	}
	hs_database_t *db;
	hs_compile_error_t *ce;
	if (hs_compile_lit_multi(lits, fl, ids, lens, (unsigned)n_anchors, HS_MODE_BLOCK, NULL, &db,
	                         &ce) != HS_SUCCESS) {
		fprintf(stderr, "hyperscan: %s\n", ce->message);
		return 0;
	}
	hs_scratch_t *scratch = NULL;
	hs_alloc_scratch(db, &scratch);
	struct hs_ctx c = {0, 0};
	for (c.f = 0; c.f < n_files; c.f++)
		hs_scan(db, (const char *)files[c.f].p, (unsigned)files[c.f].len, 0, scratch, on_hs,
		        &c);
	hs_free_scratch(scratch);
	hs_free_database(db);
	free(lits);
	free(lens);
	free(ids);
	free(fl);
	return c.hits;
}
#endif

static void bench(const char *name, size_t (*fn)(void), int runs)
{
	double best = 1e9;
	size_t hits = 0;
	for (int r = 0; r < runs; r++) {
		double t0 = now();
		hits = fn();
		double t = now() - t0;
		if (t < best)
			best = t;
	}
	printf("  %-14s %9.2f ms  %8.0f MB/s  %6zu pattern matches\n", name, best * 1e3,
	       (double)total_bytes / best / 1e6, hits);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s SIGNATURE-DIR TREE...\n", argv[0]);
		return 2;
	}
	load_sigs(argv[1]);
	for (int i = 2; i < argc; i++)
		add_tree(argv[i]);
	md = pcre2_match_data_create(16, NULL);
	qsort(anchors, n_anchors, sizeof(*anchors), cmp_anchor);
	for (size_t a = 0; a < n_anchors; a++) {
		uint32_t h = fhash(anchors[a].key);
		filter[h >> 6] |= (uint64_t)1 << (h & 63);
	}
	int runs = getenv("RUNS") ? atoi(getenv("RUNS")) : 5;
	printf("%zu signatures (%zu anchors) over %zu binary files, %.1f MiB; best of %d runs\n",
	       n_sigs, n_anchors, n_files, (double)total_bytes / 1048576.0, runs);
	bench("per-sig-pcre2", run_per_sig, runs > 2 ? 2 : runs);
	bench("memmem", run_memmem, runs);
	bench("pcre2-alt", run_pcre2_alt, runs);
	bench("hash4", run_hash4, runs);
	build_shift();
	bench("wu-manber2", run_wm2, runs);
#ifdef HAVE_HS
	bench("hyperscan", run_hyperscan, runs);
#endif
	return 0;
}

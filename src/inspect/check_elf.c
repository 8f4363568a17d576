/*
 * ELF hardening checks (elf.*) with libelf: executable stack, PIE, RELRO, stack canary,
 * RPATH/RUNPATH, symbols and dangerous imports per object, decided like Debian's
 * checksec 2.6.0 (docs/checks.md lists where and why iotrust differs). FORTIFY needs the
 * firmware's own C library, which may come after the programs in unpack order: the
 * imports of every unfortified object are kept, interned per file system (entry->chain),
 * and judged in finish() against the __*_chk functions the chain's libraries export.
 */
#include <gelf.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/inspector.h"

#define DANGER_FILE       "elf-dangerous-imports.json"
#define MIN_ELF_SIZE      52u        /* an ELF32 header */
#define MAX_SYMS          (1u << 22) /* dynamic symbols read from one object */
#define MAX_EVIDENCE      200u       /* bytes of one evidence excerpt */
#define MAX_NAMES_EV      6u         /* function names spelled out in evidence */
#define DT_MIPS_SYMTABNO_ 0x70000011

#ifndef STT_GNU_IFUNC
#define STT_GNU_IFUNC 10
#endif
#ifndef DF_1_PIE
#define DF_1_PIE 0x08000000
#endif

static const char *const elf_checks[] = {
        "elf.no-nx",      "elf.no-pie", "elf.no-relro",     "elf.partial-relro",    "elf.no-canary",
        "elf.no-fortify", "elf.rpath",  "elf.not-stripped", "elf.dangerous-import", NULL};

/* --- interned names of one file system ------------------------------------ */

struct name_rec {
	size_t off; /* in names.pool */
	uint32_t len;
	uint32_t chk; /* a library of this chain exports __<name>_chk */
};

struct names {
	struct it_buf pool;
	struct name_rec *rec;
	size_t n, cap;
	uint32_t *slot; /* index + 1 into rec, 0 = free; nslot is a power of two */
	size_t nslot;
};

static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static int names_grow(struct names *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 256;
	uint32_t *slot = calloc(ns, sizeof(*slot));
	if (!slot)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct name_rec *r = &t->rec[i];
		size_t j = hash_name((const char *)t->pool.data + r->off, r->len) & (ns - 1);
		while (slot[j])
			j = (j + 1) & (ns - 1);
		slot[j] = (uint32_t)(i + 1);
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = ns;
	return 0;
}

/* The index of name s[0..n) (added when new), or -1 on out of memory. */
static long names_intern(struct names *t, const char *s, size_t n)
{
	if ((t->n + 1) * 2 > t->nslot && names_grow(t) < 0)
		return -1;
	size_t j = hash_name(s, n) & (t->nslot - 1);
	for (; t->slot[j]; j = (j + 1) & (t->nslot - 1)) {
		const struct name_rec *r = &t->rec[t->slot[j] - 1];
		if (r->len == n && memcmp(t->pool.data + r->off, s, n) == 0)
			return (long)t->slot[j] - 1;
	}
	if (t->n == t->cap) {
		size_t c = t->cap ? t->cap * 2 : 256;
		struct name_rec *v = realloc(t->rec, c * sizeof(*v));
		if (!v)
			return -1;
		t->rec = v;
		t->cap = c;
	}
	struct name_rec r = {t->pool.len, (uint32_t)n, 0};
	if (it_buf_append(&t->pool, s, n) < 0 || it_buf_putc(&t->pool, '\0') < 0)
		return -1;
	t->rec[t->n] = r;
	t->slot[j] = (uint32_t)++t->n;
	return (long)t->n - 1;
}

static void names_free(struct names *t)
{
	it_buf_free(&t->pool);
	free(t->rec);
	free(t->slot);
}

/* --- state ---------------------------------------------------------------- */

struct pending {         /* an object waiting for the FORTIFY judgement */
	size_t path;     /* offset in chain.paths */
	size_t first, n; /* its imports: chain.ids[first .. first + n) */
};

struct chain {
	char *name;
	struct names names;
	char *libc;    /* path of the library offering __*_chk functions, or NULL */
	int libc_rank; /* how much its name looks like the C library (higher wins) */
	struct pending *pend;
	size_t n_pend, cap_pend;
	uint32_t *ids;
	size_t n_ids, cap_ids;
	struct it_buf paths;
};

struct danger {
	char *name;
	enum it_severity sev;
};

struct import { /* an undefined dynamic symbol, pointing into the file's bytes */
	const char *s;
	size_t n;
};

struct elf_state {
	struct danger *danger;
	size_t n_danger;
	struct chain **chains;
	size_t n_chains, cap_chains;
	struct import *imp; /* scratch for one object, reused */
	size_t n_imp, cap_imp;
	struct it_buf ev; /* scratch evidence */
};

/* What one object tells about itself. */
struct facts {
	const struct it_entry *e;
	const uint8_t *data;
	size_t len;
	GElf_Ehdr eh;
	size_t phnum;
	int big;       /* big-endian file */
	int gnu_stack; /* PT_GNU_STACK present */
	GElf_Word stack_flags;
	int relro, dynamic;
	int bind_now, dt_debug, pie_flag;
	GElf_Off dyn_off, dyn_size;
	GElf_Addr strtab_va, symtab_va, hash_va, gnu_hash_va;
	GElf_Xword strsz, mips_symtabno;
	int has_strtab_va, has_symtab_va, has_hash, has_gnu_hash;
	GElf_Addr rel_va[3]; /* DT_REL, DT_RELA, DT_JMPREL */
	GElf_Xword rel_sz[3];
	int pltrel_rela; /* DT_PLTREL is DT_RELA */
	GElf_Xword rpath_val, runpath_val;
	int has_rpath, has_runpath;
	int symtab; /* a .symtab section */
	size_t symtab_n;
	const char *debug; /* name of a debug section, or NULL */
	int dynsym;        /* a dynamic symbol table was read */
	int canary;
	int imports_chk; /* imports a __*_chk function */
	int provider;    /* exports __*_chk functions */
	const char *danger_names[MAX_NAMES_EV];
	size_t n_danger;
	int danger_sev;
};

static int cmp_danger(const void *a, const void *b)
{
	return strcmp(((const struct danger *)a)->name, ((const struct danger *)b)->name);
}

static int load_danger(struct elf_state *st, const struct it_data *data, struct it_error *err)
{
	json_t *root;
	if (it_data_load_json(data, DANGER_FILE, &root, err) < 0)
		return -1;
	json_t *arr = json_object_get(root, "functions");
	size_t n = json_array_size(arr);
	int rc = 0;
	if (!json_is_array(arr))
		rc = it_error_set(err, IT_ERR_INPUT, DANGER_FILE, IT_NO_OFFSET,
		                  "expected an object with a \"functions\" array");
	else if (n && !(st->danger = calloc(n, sizeof(*st->danger))))
		rc = it_error_nomem(err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *o = json_array_get(arr, i);
		const char *name = json_string_value(json_object_get(o, "name"));
		const char *sev = json_string_value(json_object_get(o, "severity"));
		enum it_severity s;
		if (!name || !*name || !sev || it_severity_parse(sev, &s) < 0) {
			rc = it_error_set(err, IT_ERR_INPUT, DANGER_FILE, IT_NO_OFFSET,
			                  "functions[%zu]: expected \"name\" and \"severity\" "
			                  "(info, low, medium, high or critical)",
			                  i);
			break;
		}
		if (!(st->danger[i].name = strdup(name))) {
			rc = it_error_nomem(err);
			break;
		}
		st->danger[i].sev = s;
		st->n_danger++;
	}
	json_decref(root);
	if (rc == 0)
		qsort(st->danger, st->n_danger, sizeof(*st->danger), cmp_danger);
	return rc;
}

static void chain_free(struct chain *c)
{
	if (!c)
		return;
	free(c->name);
	names_free(&c->names);
	free(c->libc);
	free(c->pend);
	free(c->ids);
	it_buf_free(&c->paths);
	free(c);
}

static void elf_destroy(void *state)
{
	struct elf_state *st = state;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_danger; i++)
		free(st->danger[i].name);
	free(st->danger);
	for (size_t i = 0; i < st->n_chains; i++)
		chain_free(st->chains[i]);
	free(st->chains);
	free(st->imp);
	it_buf_free(&st->ev);
	free(st);
}

static int elf_create(struct it_inspect *in, void **state, struct it_error *err)
{
	struct elf_state *st = calloc(1, sizeof(*st));
	if (!st)
		return it_error_nomem(err);
	*state = st;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return it_error_set(err, IT_ERR_INTERNAL, NULL, IT_NO_OFFSET, "libelf: %s",
		                    elf_errmsg(-1));
	return load_danger(st, it_inspect_opts(in)->data, err);
}

/* The chain record for name (created when new), or NULL on out of memory. The last one
 * used is tried first: entries of one file system come one after another. */
static struct chain *chain_get(struct elf_state *st, const char *name)
{
	for (size_t i = st->n_chains; i-- > 0;)
		if (strcmp(st->chains[i]->name, name) == 0)
			return st->chains[i];
	if (st->n_chains == st->cap_chains) {
		size_t c = st->cap_chains ? st->cap_chains * 2 : 8;
		struct chain **v = realloc(st->chains, c * sizeof(*v));
		if (!v)
			return NULL;
		st->chains = v;
		st->cap_chains = c;
	}
	struct chain *ch = calloc(1, sizeof(*ch));
	if (!ch || !(ch->name = strdup(name))) {
		free(ch);
		return NULL;
	}
	st->chains[st->n_chains++] = ch;
	return ch;
}

/* --- reading the object ---------------------------------------------------- */

static int has_prefix(const char *s, size_t n, const char *p)
{
	size_t m = strlen(p);
	return n >= m && memcmp(s, p, m) == 0;
}

static int has_suffix(const char *s, size_t n, const char *p)
{
	size_t m = strlen(p);
	return n >= m && memcmp(s + n - m, p, m) == 0;
}

/* The NUL-terminated string at off in tab[0..n), its length in *len; NULL when it runs
 * past the table. */
static const char *str_at(const char *tab, size_t n, GElf_Xword off, size_t *len)
{
	if (!tab || off >= n)
		return NULL;
	const char *s = tab + off;
	const char *z = memchr(s, '\0', n - off);
	if (!z)
		return NULL;
	*len = (size_t)(z - s);
	return s;
}

/* File offset of virtual address va through the PT_LOAD segments, or -1. */
static int va_to_off(Elf *elf, const struct facts *f, GElf_Addr va, GElf_Off *off)
{
	for (size_t i = 0; i < f->phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (va >= ph.p_vaddr && va - ph.p_vaddr < ph.p_filesz) {
			GElf_Off o = ph.p_offset + (va - ph.p_vaddr);
			if (o < ph.p_offset || o >= f->len)
				return -1;
			*off = o;
			return 0;
		}
	}
	return -1;
}

static uint32_t rd32(const struct facts *f, size_t off)
{
	const uint8_t *p = f->data + off;
	return f->big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
	              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The program headers; -1 when they or a segment the loader reads lie outside the file (a
 * truncated or damaged object, which is not judged). */
static int read_phdrs(Elf *elf, struct facts *f)
{
	for (size_t i = 0; i < f->phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph))
			return -1;
		if ((ph.p_type == PT_LOAD || ph.p_type == PT_DYNAMIC || ph.p_type == PT_INTERP) &&
		    (ph.p_offset > f->len || ph.p_filesz > f->len - ph.p_offset))
			return -1;
		switch (ph.p_type) {
		case PT_GNU_STACK:
			f->gnu_stack = 1;
			f->stack_flags = ph.p_flags;
			break;
		case PT_GNU_RELRO:
			f->relro = 1;
			break;
		case PT_DYNAMIC:
			if (!f->dynamic && ph.p_filesz > 0) {
				f->dynamic = 1;
				f->dyn_off = ph.p_offset;
				f->dyn_size = ph.p_filesz;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

/* The dynamic section as the loader sees it (PT_DYNAMIC). */
static void read_dynamic(Elf *elf, struct facts *f)
{
	if (!f->dynamic)
		return;
	size_t dsz = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
	size_t n = dsz ? (size_t)(f->dyn_size / dsz) : 0;
	Elf_Data *d = n ? elf_getdata_rawchunk(elf, (int64_t)f->dyn_off, n * dsz, ELF_T_DYN) : NULL;
	if (!d)
		return;
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn dy;
		if (!gelf_getdyn(d, (int)i, &dy) || dy.d_tag == DT_NULL)
			break;
		switch (dy.d_tag) {
		case DT_BIND_NOW:
			f->bind_now = 1;
			break;
		case DT_FLAGS:
			if (dy.d_un.d_val & DF_BIND_NOW)
				f->bind_now = 1;
			break;
		case DT_FLAGS_1:
			if (dy.d_un.d_val & DF_1_NOW)
				f->bind_now = 1;
			if (dy.d_un.d_val & DF_1_PIE)
				f->pie_flag = 1;
			break;
		case DT_DEBUG:
			f->dt_debug = 1;
			break;
		case DT_RPATH:
			f->has_rpath = 1;
			f->rpath_val = dy.d_un.d_val;
			break;
		case DT_RUNPATH:
			f->has_runpath = 1;
			f->runpath_val = dy.d_un.d_val;
			break;
		case DT_STRTAB:
			f->has_strtab_va = 1;
			f->strtab_va = dy.d_un.d_ptr;
			break;
		case DT_STRSZ:
			f->strsz = dy.d_un.d_val;
			break;
		case DT_SYMTAB:
			f->has_symtab_va = 1;
			f->symtab_va = dy.d_un.d_ptr;
			break;
		case DT_HASH:
			f->has_hash = 1;
			f->hash_va = dy.d_un.d_ptr;
			break;
		case DT_GNU_HASH:
			f->has_gnu_hash = 1;
			f->gnu_hash_va = dy.d_un.d_ptr;
			break;
		case DT_REL:
			f->rel_va[0] = dy.d_un.d_ptr;
			break;
		case DT_RELSZ:
			f->rel_sz[0] = dy.d_un.d_val;
			break;
		case DT_RELA:
			f->rel_va[1] = dy.d_un.d_ptr;
			break;
		case DT_RELASZ:
			f->rel_sz[1] = dy.d_un.d_val;
			break;
		case DT_JMPREL:
			f->rel_va[2] = dy.d_un.d_ptr;
			break;
		case DT_PLTRELSZ:
			f->rel_sz[2] = dy.d_un.d_val;
			break;
		case DT_PLTREL:
			f->pltrel_rela = dy.d_un.d_val == DT_RELA;
			break;
		case DT_MIPS_SYMTABNO_:
			if (f->eh.e_machine == EM_MIPS)
				f->mips_symtabno = dy.d_un.d_val;
			break;
		default:
			break;
		}
	}
}

/* The dynamic string table through DT_STRTAB/DT_STRSZ, as the loader finds it. */
static const char *dynstr_by_dt(Elf *elf, const struct facts *f, size_t *n)
{
	GElf_Off off;
	if (!f->has_strtab_va || va_to_off(elf, f, f->strtab_va, &off) < 0)
		return NULL;
	size_t avail = f->len - off;
	*n = f->strsz && f->strsz < avail ? (size_t)f->strsz : avail;
	return (const char *)f->data + off;
}

/* 1 + the highest symbol index the dynamic relocations use: every imported function has
 * a relocation (JUMP_SLOT, GLOB_DAT), while DT_GNU_HASH only covers exported symbols. */
static size_t count_by_relocs(Elf *elf, const struct facts *f)
{
	size_t max = 0;
	for (int t = 0; t < 3; t++) {
		GElf_Off off;
		int rela = t == 1 || (t == 2 && f->pltrel_rela);
		Elf_Type type = rela ? ELF_T_RELA : ELF_T_REL;
		size_t esz = gelf_fsize(elf, type, 1, EV_CURRENT);
		if (!f->rel_va[t] || !f->rel_sz[t] || !esz ||
		    va_to_off(elf, f, f->rel_va[t], &off) < 0)
			continue;
		size_t n =
		        (size_t)(f->rel_sz[t] < f->len - off ? f->rel_sz[t] : f->len - off) / esz;
		Elf_Data *d = n ? elf_getdata_rawchunk(elf, (int64_t)off, n * esz, type) : NULL;
		for (size_t i = 0; d && i < n; i++) {
			size_t sym = 0;
			if (rela) {
				GElf_Rela r;
				if (gelf_getrela(d, (int)i, &r))
					sym = GELF_R_SYM(r.r_info);
			} else {
				GElf_Rel r;
				if (gelf_getrel(d, (int)i, &r))
					sym = GELF_R_SYM(r.r_info);
			}
			if (sym + 1 > max)
				max = sym + 1;
		}
	}
	return max;
}

/* Symbols DT_GNU_HASH covers: up to the end of the chain of the highest bucket. It says
 * nothing of the symbols before symoffset (the imports), so this is a lower bound. */
static size_t count_gnu_hash(Elf *elf, const struct facts *f)
{
	GElf_Off off;
	if (!f->has_gnu_hash || va_to_off(elf, f, f->gnu_hash_va, &off) < 0 || f->len - off < 16)
		return 0;
	uint32_t nbuckets = rd32(f, off), symoffset = rd32(f, off + 4);
	uint64_t bloom =
	        (uint64_t)rd32(f, off + 8) * (f->eh.e_ident[EI_CLASS] == ELFCLASS64 ? 8 : 4);
	uint64_t buckets = off + 16 + bloom;
	if (buckets > f->len || (f->len - buckets) / 4 < nbuckets)
		return 0;
	uint32_t max = 0;
	for (uint32_t i = 0; i < nbuckets; i++) {
		uint32_t b = rd32(f, (size_t)(buckets + 4ull * i));
		if (b > max)
			max = b;
	}
	if (max < symoffset)
		return symoffset;
	uint64_t chain = buckets + 4ull * nbuckets;
	for (uint64_t i = max; i < MAX_SYMS; i++) {
		uint64_t at = chain + 4 * (i - symoffset);
		if (at + 4 > f->len)
			return 0;
		if (rd32(f, (size_t)at) & 1)
			return (size_t)i + 1;
	}
	return 0;
}

/* Number of dynamic symbols for objects without sections: DT_HASH's nchain or MIPS's
 * DT_MIPS_SYMTABNO (exact), else the larger of what DT_GNU_HASH and the relocations show. */
static size_t count_dynsyms(Elf *elf, const struct facts *f)
{
	GElf_Off off;
	if (f->has_hash && va_to_off(elf, f, f->hash_va, &off) == 0 && f->len - off >= 8)
		return rd32(f, off + 4);
	if (f->mips_symtabno)
		return (size_t)f->mips_symtabno;
	size_t n = count_gnu_hash(elf, f);
	/* MIPS64 packs r_info differently; MIPS always has one of the two above anyway */
	size_t r = f->eh.e_machine == EM_MIPS ? 0 : count_by_relocs(elf, f);
	return r > n ? r : n;
}

static int is_canary_name(const char *s, size_t n)
{
	/* checksec greps readelf -s for these as substrings; __stack_smash_handler is the
	 * guard of the old ProPolice patches still found in uClibc firmware. */
	return (n >= 16 &&
	        (memmem(s, n, "__stack_chk_fail", 16) || memmem(s, n, "__stack_chk_guard", 17) ||
	         memmem(s, n, "__stack_smash_handler", 21))) ||
	       (n >= 23 && memmem(s, n, "__intel_security_cookie", 23));
}

static const struct danger *find_danger(const struct elf_state *st, const char *s, size_t n)
{
	size_t lo = 0, hi = st->n_danger;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *d = st->danger[mid].name;
		int c = strncmp(d, s, n);
		if (c == 0)
			c = d[n] ? 1 : 0;
		if (c == 0)
			return &st->danger[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int push_import(struct elf_state *st, const char *s, size_t n)
{
	if (st->n_imp == st->cap_imp) {
		size_t c = st->cap_imp ? st->cap_imp * 2 : 512;
		struct import *v = realloc(st->imp, c * sizeof(*v));
		if (!v)
			return -1;
		st->imp = v;
		st->cap_imp = c;
	}
	st->imp[st->n_imp].s = s;
	st->imp[st->n_imp++].n = n;
	return 0;
}

/* One symbol of the dynamic symbol table: imports, exported __*_chk, canary. */
static int dynsym_one(struct elf_state *st, struct chain *ch, struct facts *f, const GElf_Sym *sym,
                      const char *name, size_t n)
{
	int bind = GELF_ST_BIND(sym->st_info), type = GELF_ST_TYPE(sym->st_info);
	if (!f->canary && is_canary_name(name, n))
		f->canary = 1;
	if (bind != STB_GLOBAL && bind != STB_WEAK)
		return 0;
	int chk = n > 6 && has_prefix(name, n, "__") && has_suffix(name, n, "_chk");
	if (sym->st_shndx == SHN_UNDEF) {
		if (chk)
			f->imports_chk = 1;
		const struct danger *d = find_danger(st, name, n);
		if (d) {
			if (f->n_danger < MAX_NAMES_EV)
				f->danger_names[f->n_danger] = d->name;
			f->n_danger++;
			if ((int)d->sev > f->danger_sev)
				f->danger_sev = (int)d->sev;
		}
		return push_import(st, name, n);
	}
	if (chk && (type == STT_FUNC || type == STT_GNU_IFUNC) && f->eh.e_type == ET_DYN) {
		long id = names_intern(&ch->names, name + 2, n - 6);
		if (id < 0)
			return -1;
		ch->names.rec[id].chk = 1;
		f->provider = 1;
	}
	return 0;
}

/* Walk a symbol table; dyn selects the dynamic-table rules, else only the canary. */
static int walk_syms(struct elf_state *st, struct chain *ch, struct facts *f, Elf_Data *d,
                     size_t count, const char *strtab, size_t strsz, int dyn)
{
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		size_t n;
		const char *name;
		if (!gelf_getsym(d, (int)i, &sym))
			break;
		if (!(name = str_at(strtab, strsz, sym.st_name, &n)) || n == 0)
			continue;
		if (dyn) {
			if (dynsym_one(st, ch, f, &sym, name, n) < 0)
				return -1;
		} else if (is_canary_name(name, n)) {
			f->canary = 1;
			break;
		}
	}
	return 0;
}

/* The bytes of section index idx when it is a string table inside the file. */
static const char *strtab_section(Elf *elf, const struct facts *f, size_t idx, size_t *n)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(elf, idx);
	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_STRTAB || sh.sh_offset >= f->len)
		return NULL;
	*n = sh.sh_size < f->len - sh.sh_offset ? (size_t)sh.sh_size : f->len - sh.sh_offset;
	return (const char *)f->data + sh.sh_offset;
}

/* Section headers: .symtab, debug sections, and the symbol tables' contents. */
static int read_sections(struct elf_state *st, struct chain *ch, Elf *elf, struct facts *f)
{
	size_t shstrndx = 0;
	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		shstrndx = 0;
	Elf_Scn *dynsym = NULL, *symtab = NULL;
	GElf_Shdr dyn_sh = {0}, sym_sh = {0};
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNSYM && !dynsym) {
			dynsym = scn;
			dyn_sh = sh;
		} else if (sh.sh_type == SHT_SYMTAB && !symtab) {
			symtab = scn;
			sym_sh = sh;
		} else if (sh.sh_type == SHT_PROGBITS && !(sh.sh_flags & SHF_ALLOC) && !f->debug &&
		           shstrndx) {
			const char *nm = elf_strptr(elf, shstrndx, sh.sh_name);
			if (nm &&
			    (strncmp(nm, ".debug_", 7) == 0 || strncmp(nm, ".zdebug_", 8) == 0))
				f->debug = nm;
		}
	}
	size_t symsz = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	if (dynsym && symsz && dyn_sh.sh_type != SHT_NOBITS) {
		Elf_Data *d = elf_getdata(dynsym, NULL);
		size_t sn = 0;
		const char *s = strtab_section(elf, f, dyn_sh.sh_link, &sn);
		if (!s)
			s = dynstr_by_dt(elf, f, &sn);
		if (d && s) {
			f->dynsym = 1;
			if (walk_syms(st, ch, f, d, d->d_size / symsz, s, sn, 1) < 0)
				return -1;
		}
	}
	if (symtab) {
		f->symtab = 1;
		f->symtab_n = symsz ? (size_t)(sym_sh.sh_size / symsz) : 0;
		if (!f->canary && symsz && sym_sh.sh_type != SHT_NOBITS) {
			Elf_Data *d = elf_getdata(symtab, NULL);
			size_t sn = 0;
			const char *s = strtab_section(elf, f, sym_sh.sh_link, &sn);
			if (d && s)
				walk_syms(st, ch, f, d, d->d_size / symsz, s, sn, 0);
		}
	}
	return 0;
}

/* Objects whose section headers were removed (sstrip): the dynamic symbols through
 * DT_SYMTAB and the hash table, as the loader reads them. */
static int read_dynsym_by_dt(struct elf_state *st, struct chain *ch, Elf *elf, struct facts *f)
{
	size_t symsz = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT), sn = 0;
	GElf_Off off;
	const char *s = dynstr_by_dt(elf, f, &sn);
	if (!f->has_symtab_va || !s || !symsz || va_to_off(elf, f, f->symtab_va, &off) < 0)
		return 0;
	size_t count = count_dynsyms(elf, f);
	size_t room = (f->len - off) / symsz;
	if (count > room)
		count = room;
	if (count > MAX_SYMS)
		count = MAX_SYMS;
	if (count < 2)
		return 0;
	Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)off, count * symsz, ELF_T_SYM);
	if (!d)
		return 0;
	f->dynsym = 1;
	return walk_syms(st, ch, f, d, count, s, sn, 1);
}

/* --- evidence --------------------------------------------------------------- */

/* Append s[0..n) to b, printable ASCII only, within MAX_EVIDENCE bytes in all. */
static void ev_put(struct it_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n && b->len < MAX_EVIDENCE - 3; i++) {
		unsigned char c = (unsigned char)s[i];
		it_buf_putc(b, c >= 0x20 && c < 0x7f ? (char)c : '?');
	}
	if (b->len >= MAX_EVIDENCE - 3 && n)
		it_buf_puts(b, "...");
}

static const char *machine_name(unsigned m)
{
	switch (m) {
	case EM_ARM:
		return "ARM";
	case EM_AARCH64:
		return "AArch64";
	case EM_MIPS:
		return "MIPS";
	case EM_386:
		return "x86";
	case EM_X86_64:
		return "x86-64";
	case EM_PPC:
		return "PowerPC";
	case EM_PPC64:
		return "PowerPC64";
	case EM_RISCV:
		return "RISC-V";
	default:
		return NULL;
	}
}

/* Kernels that keep the stack non-executable when PT_GNU_STACK is missing: x86-64 since
 * Linux 5.8 and native AArch64 (see docs/checks.md). */
static int stack_nx_by_default(const struct facts *f)
{
	return f->eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	       (f->eh.e_machine == EM_X86_64 || f->eh.e_machine == EM_AARCH64);
}

static const char *kind(const struct facts *f)
{
	if (f->eh.e_type == ET_EXEC)
		return "executable";
	return f->dt_debug || f->pie_flag ? "PIE executable" : "shared library";
}

/* Is a search path element one an attacker may control? */
static int insecure_path(const char *s, size_t n)
{
	static const char *const dirs[] = {"/tmp",   "/var/tmp", "/dev/shm", "/mnt",
	                                   "/media", "/home",    NULL};
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		while (j < n && s[j] != ':' && s[j] != ';')
			j++;
		const char *p = s + i;
		size_t m = j - i;
		if (m == 0)
			return 1; /* empty element: the current directory */
		if (p[0] != '/' && !has_prefix(p, m, "$ORIGIN") && !has_prefix(p, m, "${ORIGIN}"))
			return 1;
		for (size_t k = 0; dirs[k]; k++) {
			size_t dl = strlen(dirs[k]);
			if (m >= dl && memcmp(p, dirs[k], dl) == 0 && (m == dl || p[dl] == '/'))
				return 1;
		}
		i = j + 1;
	}
	return 0;
}

static int report(struct it_inspect *in, const struct facts *f, const char *id, int sev,
                  const char *evidence, struct it_error *err, const char *msg)
{
	struct it_finding_loc loc = it_loc(f->e, 0);
	return it_inspect_report(in, id, sev, &loc, evidence, err, "%s %s", kind(f), msg);
}

static int report_stack(struct elf_state *st, struct it_inspect *in, const struct facts *f,
                        struct it_error *err)
{
	struct it_buf *b = &st->ev;
	it_buf_truncate(b, 0);
	int sev = -1;
	if (f->gnu_stack) {
		if (!(f->stack_flags & PF_X))
			return 0;
		it_buf_printf(b, "PT_GNU_STACK %c%c%c", f->stack_flags & PF_R ? 'R' : ' ',
		              f->stack_flags & PF_W ? 'W' : ' ', 'E');
		return report(in, f, "elf.no-nx", sev, it_buf_str(b), err,
		              "has an executable stack (PT_GNU_STACK asks for execute permission)");
	}
	const char *m = machine_name(f->eh.e_machine);
	if (stack_nx_by_default(f)) {
		sev = IT_SEV_MEDIUM;
		it_buf_printf(b,
		              "no PT_GNU_STACK (Linux >= 5.8 keeps the stack non-executable "
		              "on %s; older kernels and checksec treat it as executable)",
		              m);
	} else {
		it_buf_printf(b, "no PT_GNU_STACK (the kernel's default%s%s: executable stack)",
		              m ? " on " : "", m ? m : "");
	}
	return report(in, f, "elf.no-nx", sev, it_buf_str(b), err,
	              "has no PT_GNU_STACK header, so it runs with an executable stack");
}

static int report_relro(struct it_inspect *in, const struct facts *f, struct it_error *err)
{
	if (!f->relro)
		return report(in, f, "elf.no-relro", -1, "no PT_GNU_RELRO", err,
		              "has no RELRO (GOT and loader data stay writable)");
	if (f->bind_now)
		return 0;
	return report(in, f, "elf.partial-relro", -1,
	              f->dynamic ? "PT_GNU_RELRO without BIND_NOW (lazy binding)"
	                         : "PT_GNU_RELRO, static: no BIND_NOW",
	              err, "has partial RELRO only (the lazily bound GOT stays writable)");
}

static int report_rpath(struct elf_state *st, struct it_inspect *in, Elf *elf,
                        const struct facts *f, struct it_error *err)
{
	if (!f->has_rpath && !f->has_runpath)
		return 0;
	size_t sn = 0;
	const char *tab = dynstr_by_dt(elf, f, &sn);
	struct it_buf *b = &st->ev;
	it_buf_truncate(b, 0);
	int insecure = 0;
	const struct {
		int has;
		GElf_Xword val;
		const char *tag;
	} p[2] = {{f->has_rpath, f->rpath_val, "RPATH"},
	          {f->has_runpath, f->runpath_val, "RUNPATH"}};
	for (int i = 0; i < 2; i++) {
		if (!p[i].has)
			continue;
		size_t n = 0;
		const char *s = str_at(tab, sn, p[i].val, &n);
		if (b->len)
			it_buf_puts(b, " ");
		it_buf_printf(b, "%s=", p[i].tag);
		if (s) {
			ev_put(b, s, n);
			insecure |= insecure_path(s, n);
		} else {
			it_buf_puts(b, "?");
		}
	}
	return report(in, f, "elf.rpath", insecure ? IT_SEV_HIGH : -1, it_buf_str(b), err,
	              insecure ? "has a library search path an attacker can write to "
	                         "(RPATH/RUNPATH)"
	                       : "has a built-in library search path (RPATH/RUNPATH)");
}

static int report_symbols(struct elf_state *st, struct it_inspect *in, const struct facts *f,
                          struct it_error *err)
{
	if (!f->symtab && !f->debug)
		return 0;
	struct it_buf *b = &st->ev;
	it_buf_truncate(b, 0);
	if (f->symtab)
		it_buf_printf(b, ".symtab with %zu symbols", f->symtab_n);
	if (f->debug) {
		it_buf_puts(b, f->symtab ? ", debug sections (" : "debug sections (");
		ev_put(b, f->debug, strnlen(f->debug, 64));
		it_buf_puts(b, ")");
	}
	return report(in, f, "elf.not-stripped", f->debug ? IT_SEV_LOW : -1, it_buf_str(b), err,
	              f->debug ? "is not stripped (symbols and debug information)"
	                       : "is not stripped (full symbol table)");
}

static int report_danger(struct elf_state *st, struct it_inspect *in, const struct facts *f,
                         struct it_error *err)
{
	if (!f->n_danger)
		return 0;
	struct it_buf *b = &st->ev;
	it_buf_truncate(b, 0);
	it_buf_puts(b, "imports ");
	size_t shown = f->n_danger < MAX_NAMES_EV ? f->n_danger : MAX_NAMES_EV;
	for (size_t i = 0; i < shown; i++)
		it_buf_printf(b, "%s%s", i ? ", " : "", f->danger_names[i]);
	if (f->n_danger > shown)
		it_buf_printf(b, " (+%zu more)", f->n_danger - shown);
	struct it_finding_loc loc = it_loc(f->e, 0);
	return it_inspect_report(in, "elf.dangerous-import", f->danger_sev, &loc, it_buf_str(b),
	                         err, "%s imports %zu dangerous C library function%s", kind(f),
	                         f->n_danger, f->n_danger == 1 ? "" : "s");
}

/* How much a provider's file name looks like the C library itself (for the message). */
static int libc_rank(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	if (strncmp(b, "libc.so", 7) == 0 || strncmp(b, "libc-", 5) == 0 ||
	    strncmp(b, "libuClibc", 9) == 0 || strncmp(b, "ld-musl", 7) == 0)
		return 2;
	return strncmp(b, "ld-uClibc", 9) == 0 || strncmp(b, "libssp", 6) == 0 ? 1 : 0;
}

/* Remember what finish() needs: the provider, or the imports of an unfortified object. */
static int keep_for_fortify(struct elf_state *st, struct chain *ch, const struct facts *f)
{
	if (f->provider) {
		int r = libc_rank(f->e->path);
		if (!ch->libc || r > ch->libc_rank) {
			char *p = strdup(f->e->path);
			if (!p)
				return -1;
			free(ch->libc);
			ch->libc = p;
			ch->libc_rank = r;
		}
		return 0;
	}
	if (f->imports_chk || !st->n_imp)
		return 0;
	if (ch->n_pend == ch->cap_pend) {
		size_t c = ch->cap_pend ? ch->cap_pend * 2 : 64;
		struct pending *v = realloc(ch->pend, c * sizeof(*v));
		if (!v)
			return -1;
		ch->pend = v;
		ch->cap_pend = c;
	}
	if (ch->n_ids + st->n_imp > ch->cap_ids) {
		size_t c = ch->cap_ids ? ch->cap_ids : 1024;
		while (c < ch->n_ids + st->n_imp)
			c *= 2;
		uint32_t *v = realloc(ch->ids, c * sizeof(*v));
		if (!v)
			return -1;
		ch->ids = v;
		ch->cap_ids = c;
	}
	struct pending p = {ch->paths.len, ch->n_ids, st->n_imp};
	if (it_buf_puts(&ch->paths, f->e->path) < 0 || it_buf_putc(&ch->paths, '\0') < 0)
		return -1;
	for (size_t i = 0; i < st->n_imp; i++) {
		long id = names_intern(&ch->names, st->imp[i].s, st->imp[i].n);
		if (id < 0)
			return -1;
		ch->ids[ch->n_ids++] = (uint32_t)id;
	}
	ch->pend[ch->n_pend++] = p;
	return 0;
}

/* Is dir ("lib/firmware/") at the start of path or after a '/'? */
static int in_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (strncmp(path, dir, n) == 0)
		return 1;
	for (const char *p = strstr(path, dir); p; p = strstr(p + 1, dir))
		if (p[-1] == '/')
			return 1;
	return 0;
}

/* Not a Linux program or library to judge: device firmware blobs (lib/firmware), separate
 * debug information (usr/lib/debug), stand-alone images, objects without segments. */
static int out_of_scope(const struct facts *f)
{
	const char *p = f->e->path;
	return f->eh.e_ident[EI_OSABI] == ELFOSABI_STANDALONE || f->phnum == 0 ||
	       in_dir(p, "lib/firmware/") || in_dir(p, "usr/lib/debug/");
}

static int check_object(struct elf_state *st, struct it_inspect *in, Elf *elf, struct facts *f,
                        struct it_error *err)
{
	struct chain *ch = chain_get(st, f->e->chain);
	if (!ch)
		return it_error_nomem(err);
	f->big = f->eh.e_ident[EI_DATA] == ELFDATA2MSB;
	if (read_phdrs(elf, f) < 0)
		return 0;
	read_dynamic(elf, f);
	st->n_imp = 0;
	if (read_sections(st, ch, elf, f) < 0)
		return it_error_nomem(err);
	if (!f->dynsym && read_dynsym_by_dt(st, ch, elf, f) < 0)
		return it_error_nomem(err);
	if (report_stack(st, in, f, err) < 0)
		return -1;
	if (f->eh.e_type == ET_EXEC &&
	    report(in, f, "elf.no-pie", -1,
	           f->dynamic ? "ET_EXEC, dynamically linked" : "ET_EXEC, statically linked", err,
	           "is not position-independent (loaded at a fixed address)") < 0)
		return -1;
	if (report_relro(in, f, err) < 0)
		return -1;
	if (!f->canary &&
	    report(in, f, "elf.no-canary", -1,
	           !f->dynamic && !f->symtab
	                   ? "no __stack_chk_fail/__stack_chk_guard symbol (static and "
	                     "stripped: a canary cannot be seen)"
	                   : "no __stack_chk_fail/__stack_chk_guard symbol",
	           err, "was built without stack protector (no canary)") < 0)
		return -1;
	if (report_rpath(st, in, elf, f, err) < 0 || report_symbols(st, in, f, err) < 0 ||
	    report_danger(st, in, f, err) < 0)
		return -1;
	if (keep_for_fortify(st, ch, f) < 0)
		return it_error_nomem(err);
	return 0;
}

static int elf_entry(struct it_inspect *in, void *state, const struct it_entry *e,
                     struct it_error *err)
{
	struct elf_state *st = state;
	if (e->type != IT_ENTRY_FILE || e->size < MIN_ELF_SIZE || it_inspect_opts(in)->no_elf)
		return 0;
	const uint8_t *data;
	size_t len;
	if (it_inspect_bytes(in, e, &data, &len, err) < 0)
		return err->code ? -1 : 0;
	if (len < MIN_ELF_SIZE || memcmp(data, ELFMAG, SELFMAG) != 0)
		return 0;
	/* libelf only reads the image (ELF_C_READ_MMAP_PRIVATE never writes to it). */
	Elf *elf = elf_memory((char *)(uintptr_t)data, len);
	if (!elf)
		return 0;
	struct facts f = {.e = e, .data = data, .len = len};
	int rc = 0;
	if (elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &f.eh) &&
	    elf_getphdrnum(elf, &f.phnum) == 0) {
		it_inspect_count_elf(in);
		if ((f.eh.e_type == ET_EXEC || f.eh.e_type == ET_DYN) && !out_of_scope(&f))
			rc = check_object(st, in, elf, &f, err);
	}
	elf_end(elf);
	return rc;
}

/* --- FORTIFY, once every library is known ------------------------------------ */

static int judge_fortify(struct elf_state *st, struct it_inspect *in, struct chain *ch,
                         const struct pending *p, struct it_error *err)
{
	struct it_buf *b = &st->ev;
	it_buf_truncate(b, 0);
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct name_rec *r = &ch->names.rec[ch->ids[p->first + i]];
		if (!r->chk)
			continue;
		if (n < MAX_NAMES_EV) {
			it_buf_puts(b, n ? ", " : "imports ");
			ev_put(b, (const char *)ch->names.pool.data + r->off, r->len);
		}
		n++;
	}
	if (!n)
		return 0;
	if (n > MAX_NAMES_EV)
		it_buf_printf(b, " (+%zu more)", n - MAX_NAMES_EV);
	it_buf_puts(b, "; no __*_chk; libc: ");
	ev_put(b, ch->libc, strlen(ch->libc));
	struct it_finding_loc loc = {ch->name, (const char *)ch->paths.data + p->path, 0};
	return it_inspect_report(in, "elf.no-fortify", -1, &loc, it_buf_str(b), err,
	                         "built without FORTIFY_SOURCE: imports %zu function%s the "
	                         "firmware's C library has checked variants of, and none of "
	                         "those",
	                         n, n == 1 ? "" : "s");
}

static int elf_finish(struct it_inspect *in, void *state, struct it_error *err)
{
	struct elf_state *st = state;
	for (size_t c = 0; c < st->n_chains; c++) {
		struct chain *ch = st->chains[c];
		if (!ch->libc)
			continue; /* no C library with checked functions: nothing to judge by */
		for (size_t i = 0; i < ch->n_pend; i++)
			if (judge_fortify(st, in, ch, &ch->pend[i], err) < 0)
				return -1;
	}
	return 0;
}

const struct it_inspector it_insp_elf = {
        .name = "elf",
        .checks = elf_checks,
        .create = elf_create,
        .entry = elf_entry,
        .finish = elf_finish,
        .destroy = elf_destroy,
};

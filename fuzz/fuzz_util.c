/*
 * fuzz_util.c - the byte reader, the configurations and the grammar of
 * operations the harnesses share (fuzz_util.h says why a grammar).
 */
#include "fuzz_util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void fz_die(const char *fmt, ...)
{
	va_list ap;

	fputs("FUZZ FINDING: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* --- the reader ------------------------------------------------------------- */

uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

uint32_t fz_u32(struct fz *f)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | fz_u8(f);
	return v;
}

uint64_t fz_u64(struct fz *f)
{
	return (uint64_t)fz_u32(f) << 32 | fz_u32(f);
}

size_t fz_below(struct fz *f, size_t n)
{
	return n > 256 ? (size_t)(fz_u32(f) % n) : (size_t)(fz_u8(f) % n);
}

bool fz_bool(struct fz *f)
{
	return fz_u8(f) & 1;
}

bool fz_rare(struct fz *f, size_t n)
{
	return fz_below(f, n) == n - 1;
}

size_t fz_str(struct fz *f, char *out, size_t max)
{
	size_t len = fz_below(f, max), i;

	for (i = 0; i < len && f->n; i++)
		out[i] = (char)fz_u8(f);
	out[i] = '\0';
	return i;
}

/* --- the pool of answered values ------------------------------------------ */

static void pool_add(struct fz_pool *p, enum fz_kind k, uint64_t v)
{
	p->v[k][p->n[k]++ % FZ_POOL] = v;
}

static bool number_of(const json_t *v, uint64_t *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return true;
	}
	if (json_is_string(v) && !strncmp(json_string_value(v), "0x", 2)) {
		*out = strtoull(json_string_value(v), NULL, 16);
		return true;
	}
	return false;
}

static const struct {
	const char *key;
	enum fz_kind kind;
} learn_keys[] = {
	{ "addr", FZ_ADDR }, { "virt", FZ_ADDR }, { "start", FZ_ADDR },
	{ "vaddr", FZ_ADDR }, { "object", FZ_ADDR }, { "end", FZ_ADDR },
	{ "phys", FZ_PHYS }, { "phys_addr", FZ_PHYS },
	{ "pfn", FZ_PFN }, { "head", FZ_PFN },
	{ "pid", FZ_PID }, { "child", FZ_PID },
};

/* Walks a few levels only: answers such as pagemap are large. */
static void learn(struct fz_pool *p, const json_t *j, int depth)
{
	const char *key;
	json_t *v;
	size_t i;
	uint64_t n;

	if (depth > 3)
		return;
	if (json_is_array(j)) {
		for (i = 0; i < json_array_size(j) && i < 8; i++)
			learn(p, json_array_get(j, i), depth + 1);
		return;
	}
	json_object_foreach((json_t *)j, key, v) {
		for (i = 0; i < ARRAY_LEN(learn_keys); i++)
			if (!strcmp(key, learn_keys[i].key) && number_of(v, &n))
				pool_add(p, learn_keys[i].kind, n);
		if ((!strcmp(key, "cache") || !strcmp(key, "name")) &&
		    json_is_string(v))
			snprintf(p->caches[p->ncaches++ % FZ_POOL],
				 sizeof(p->caches[0]), "%s",
				 json_string_value(v));
		if (json_is_object(v) || json_is_array(v))
			learn(p, v, depth + 1);
	}
}

void fz_pool_learn(struct fz_pool *p, const json_t *result)
{
	if (result)
		learn(p, result, 0);
}

/* --- machines ---------------------------------------------------------------- */

/* Small machines boot fast and run out of memory soon, which is where
 * the interesting refusals are; one each of PAE, highmem, a command line
 * that moves the vmalloc area, several CPUs and a hand-made e820. */
/* booted by default; 0 and 4 bare, as every machine was before boot
 * states (the regression inputs of that time pick them) */
const char *const fz_configs[] = {
	"{\"ram\": \"64M\", \"boot\": \"bare\"}",
	"{\"ram\": \"128M\", \"cmdline\": \"vmalloc=32M\"}",
	"{\"ram\": \"1G\", \"cpus\": 2, \"initrd\": \"1M\"}",
	"{\"ram\": \"2G\", \"pae\": true, \"cpus\": 2}",
	"{\"ram\": \"96M\", \"vmsplit\": \"2G\", \"cpus\": 4, "
	"\"cmdline\": \"mem=80M\", \"boot\": \"bare\"}",
	"{\"ram\": \"1G\", \"cmdline\": \"highmem=256M vmalloc=192M\"}",
	"{\"e820\": [{\"start\": \"0x0\", \"size\": \"639K\", \"type\": "
	"\"usable\"}, {\"start\": \"0x100000\", \"size\": \"127M\", \"type\": "
	"\"usable\"}, {\"start\": \"0xfec00000\", \"size\": \"4K\", \"type\": "
	"\"reserved\"}]}",
	"{\"ram\": \"5G\", \"pae\": true, \"seed\": 7}",
};
const size_t fz_nconfigs = ARRAY_LEN(fz_configs);

struct machine *fz_boot(size_t i)
{
	json_t *c = json_loads(fz_configs[i % fz_nconfigs], 0, NULL);
	struct mm_error err = { 0 };
	struct machine *m = NULL;

	if (!c || api_machine_boot(c, &m, &err))
		fz_die("config %zu does not boot: %s", i, err.detail);
	json_decref(c);
	return m;
}

/* --- values ------------------------------------------------------------------ */

static const uint64_t edge_numbers[] = {
	0, 1, 2, 7, 8, 63, 64, 4095, 4096, 4097, 8192, 65536, 0x100000,
	0x7fffffff, 0x80000000, 0xfffff000, 0xffffffff, 1ull << 32,
	(1ull << 32) + 4096, (1ull << 36) - 4096, (1ull << 36) - 1, 1ull << 36,
	(1ull << 36) + 1, 1ull << 52, 1ull << 63, UINT64_MAX - 4095,
	UINT64_MAX - 1, UINT64_MAX,
};

static const uint64_t kernel_addrs[] = {
	0xc0000000, 0xc0001000, 0xc0100000, 0xc1000000, 0xc8000000,
	0xf7ffe000, 0xf8000000, 0xff800000, 0xffbfe000, 0xfffff000,
	0x00400000, 0x08048000, 0xbf000000, 0xbffff000, 0xb7000000,
	0x40000000, 0x80000000, 0xa0000000,
};

static uint64_t pooled(struct fz *f, struct fz_pool *p, enum fz_kind k,
		       uint64_t fallback)
{
	unsigned n = p->n[k] < FZ_POOL ? p->n[k] : FZ_POOL;

	return n ? p->v[k][fz_below(f, n)] : fallback;
}

/* A number near an interesting one: itself, a page either side, +-1. */
static uint64_t nudge(struct fz *f, uint64_t v)
{
	switch (fz_below(f, 8)) {
	case 0: return v + 1;
	case 1: return v - 1;
	case 2: return v + 4096;
	case 3: return v - 4096;
	case 4: return v + fz_below(f, 4096);
	default: return v;
	}
}

/* As JSON: an integer, "0x..", a decimal string, a K/M/G suffix, or
 * (rarely) a shape no argument takes. */
static json_t *number_json(struct fz *f, uint64_t v)
{
	static const char suffix[] = "KMGTPE";
	char buf[48];
	unsigned s;

	switch (fz_below(f, 16)) {
	case 0: case 1: case 2: case 3:
		if (v <= INT64_MAX)
			return json_integer((json_int_t)v);
		/* fall through */
	case 4: case 5: case 6: case 7: case 8:
		snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
		return json_string(buf);
	case 9:
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
		return json_string(buf);
	case 10: case 11:
		s = (unsigned)fz_below(f, 6);
		snprintf(buf, sizeof(buf), "%" PRIu64 "%c", v >> (10 * (s + 1))
			 ? v >> (10 * (s + 1)) : 1, suffix[s]);
		return json_string(buf);
	case 12:
		return json_real((double)v);
	case 13:
		return json_integer(-(json_int_t)(v & 0xffff) - 1);
	case 14:
		return fz_bool(f) ? json_null() : json_true();
	default:
		snprintf(buf, sizeof(buf), "%" PRIx64, v);	/* no 0x */
		return json_string(buf);
	}
}

static uint64_t any_number(struct fz *f)
{
	switch (fz_below(f, 4)) {
	case 0: return edge_numbers[fz_below(f, ARRAY_LEN(edge_numbers))];
	case 1: return fz_u8(f);
	case 2: return fz_u32(f);
	default: return fz_u64(f);
	}
}

/* Just below 2^32, 2^36 or 2^64 (where a + len wraps): the edges a
 * range check must get right. */
static uint64_t below_edge(struct fz *f)
{
	static const unsigned edges[] = { 32, 36, 64 };
	unsigned e = edges[fz_below(f, 3)];
	uint64_t top = e == 64 ? 0 : 1ull << e;

	return top - 1 - fz_below(f, 8192);
}

static uint64_t addr_value(struct fz *f, struct fz_pool *p)
{
	switch (fz_below(f, 7)) {
	case 6:
		return below_edge(f);
	case 0: case 1: case 2:
		return nudge(f, pooled(f, p, FZ_ADDR, 0xc0000000));
	case 3:
		return nudge(f, kernel_addrs[fz_below(f, ARRAY_LEN(kernel_addrs))]);
	default:
		return any_number(f);
	}
}

static uint64_t phys_value(struct fz *f, struct fz_pool *p)
{
	switch (fz_below(f, 6)) {
	case 0: case 1:
		return nudge(f, pooled(f, p, FZ_PHYS, 0x100000));
	case 2:
		return nudge(f, pooled(f, p, FZ_PFN, 0x100) << 12);
	case 3:
		return below_edge(f);
	default:
		return nudge(f, any_number(f));
	}
}

/* Sizes relative to what the machine has left: an allocation that
 * succeeds only part way is where a refusal can leave state behind. */
static uint64_t relative_size(struct fz *f, const struct machine *m)
{
	uint64_t free_b = (uint64_t)machine_free_pages(m) * 4096;
	uint64_t total = (uint64_t)machine_totalram_pages(m) * 4096;

	switch (fz_below(f, 6)) {
	case 0: return free_b / 4;
	case 1: return free_b / 2;
	case 2: return free_b - free_b / 8;
	case 3: return free_b;
	case 4: return free_b + free_b / 8;
	default: return (free_b + total) / 2;
	}
}

static uint64_t size_value(struct fz *f, const struct machine *m)
{
	if (!fz_below(f, 4))
		return relative_size(f, m) & ~4095ull;
	static const uint64_t sizes[] = {
		0, 1, 8, 16, 100, 192, 1000, 4095, 4096, 4097, 8192, 12288,
		65536, 1 << 20, 4 << 20, 16 << 20, 32 << 20, 64 << 20,
		100 << 20, 120 << 20, 128 << 20, 256 << 20, 1 << 30,
		0xffffffff, 1ull << 32, UINT64_MAX,
	};

	return !fz_rare(f, 4) ? sizes[fz_below(f, ARRAY_LEN(sizes))]
			      : any_number(f);
}

static const char *const gfp_names[] = {
	"GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_NOIO", "GFP_NOFS",
	"GFP_USER", "GFP_DMA", "GFP_HIGHUSER", "GFP_HIGHUSER_MOVABLE",
	"GFP_KERNEL_ACCOUNT", "GFP_TRANSHUGE", "GFP_TRANSHUGE_LIGHT",
	"__GFP_ZERO", "__GFP_HIGHMEM", "__GFP_DMA", "__GFP_MOVABLE",
	"__GFP_RECLAIMABLE", "__GFP_HIGH", "__GFP_IO", "__GFP_FS",
	"__GFP_NOWARN", "__GFP_RETRY_MAYFAIL", "__GFP_NOFAIL",
	"__GFP_NORETRY", "__GFP_MEMALLOC", "__GFP_COMP", "__GFP_NOMEMALLOC",
	"__GFP_HARDWALL", "__GFP_THISNODE", "__GFP_ACCOUNT", "__GFP_ATOMIC",
	"__GFP_DIRECT_RECLAIM", "__GFP_KSWAPD_RECLAIM", "__GFP_RECLAIM",
	"__GFP_WRITE", "0", "",
};

static const char *const prot_names[] = {
	"PROT_NONE", "PROT_READ", "PROT_WRITE", "PROT_EXEC",
};

static const char *const map_names[] = {
	"MAP_PRIVATE", "MAP_ANONYMOUS", "MAP_SHARED", "MAP_FIXED", "MAP_ANON",
	"MAP_FIXED_NOREPLACE",
};

static const char *const slab_names[] = {
	"SLAB_HWCACHE_ALIGN", "SLAB_CACHE_DMA", "SLAB_RECLAIM_ACCOUNT",
};

/* "A | B | C" from a table, or its number. */
static json_t *flags_json(struct fz *f, const char *const *names, size_t n,
			  const char *sep)
{
	char buf[256] = "";
	size_t k = 1 + fz_below(f, 3), len = 0;

	if (fz_rare(f, 8))
		return json_integer(fz_u32(f) & 0xffff);
	for (size_t i = 0; i < k; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? sep : "", names[fz_below(f, n)]);
	return json_string(buf);
}

static json_t *hex_json(struct fz *f)
{
	static const char digits[] = "0123456789abcdefABCDEFg ";
	char buf[130];
	size_t n = !fz_rare(f, 4) ? 2 * fz_below(f, 33) : fz_below(f, 129), i;

	for (i = 0; i < n; i++)
		buf[i] = digits[fz_below(f, !fz_rare(f, 16) ? 16
					       : sizeof(digits) - 1)];
	buf[i] = '\0';
	return json_string(buf);
}

static json_t *text_json(struct fz *f)
{
	char buf[80];

	if (!fz_rare(f, 8)) {
		snprintf(buf, sizeof(buf), "%.*s", (int)fz_below(f, 40),
			 "hello, world! The quick brown fox jumps over.");
		return json_string(buf);
	}
	fz_str(f, buf, sizeof(buf));
	return json_string(buf);	/* NULL (left out) when not UTF-8 */
}

static json_t *pfns_json(struct fz *f, struct fz_pool *p)
{
	json_t *a = json_array();
	size_t n = fz_below(f, 6);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, number_json(f, fz_below(f, 3)
			? nudge(f, pooled(f, p, FZ_PFN, 0x1000) + i)
			: any_number(f)));
	return a;
}

static json_t *cache_json(struct fz *f, struct fz_pool *p)
{
	static const char *const names[] = {
		"kmalloc-8", "kmalloc-64", "kmalloc-192", "kmalloc-4k",
		"kmalloc-8k", "fz", "fz_cache", "dentry", "",
		"a-name-that-is-much-longer-than-thirty-one-bytes",
	};
	unsigned n = p->ncaches < FZ_POOL ? p->ncaches : FZ_POOL;

	if (n && !fz_rare(f, 3))
		return json_string(p->caches[fz_below(f, n)]);
	return json_string(names[fz_below(f, ARRAY_LEN(names))]);
}

static json_t *pid_json(struct fz *f, struct fz_pool *p)
{
	static const json_int_t odd[] = { 0, 1, 2, -1, 32768, 0x7fffffff,
					  0x80000000ll };

	if (!fz_rare(f, 6))
		return json_integer((json_int_t)pooled(f, p, FZ_PID, 1));
	if (fz_bool(f))
		return json_string("1");
	return json_integer(odd[fz_below(f, ARRAY_LEN(odd))]);
}

/* One argument's value, shaped by its name (and op, where names repeat). */
static json_t *arg_value(struct fz *f, struct fz_pool *p,
			 const struct machine *m, const char *op,
			 const char *arg)
{
	static const char *const access[] = { "read", "write", "exec", "x" };
	static const char *const modes[] = { "kernel", "user", "" };

	if (!strcmp(arg, "addr") || !strcmp(arg, "uaddr") ||
	    !strcmp(arg, "kaddr"))
		return number_json(f, addr_value(f, p));
	if (!strcmp(arg, "phys"))
		return number_json(f, phys_value(f, p));
	if (!strcmp(arg, "pfn"))
		return number_json(f, !fz_rare(f, 3) ? nudge(f, pooled(f, p,
					FZ_PFN, 0x100)) : any_number(f));
	if (!strcmp(arg, "start"))
		return number_json(f, !fz_rare(f, 2) ? pooled(f, p, FZ_PFN, 0)
						     : any_number(f));
	if (!strcmp(arg, "order"))
		return number_json(f, !fz_rare(f, 8) ? fz_below(f, 12)
						     : any_number(f));
	if (!strcmp(arg, "gfp"))
		return flags_json(f, gfp_names, ARRAY_LEN(gfp_names),
				  fz_bool(f) ? " | " : "|");
	if (!strcmp(arg, "pid"))
		return pid_json(f, p);
	if (!strcmp(arg, "cpu"))
		return number_json(f, !fz_rare(f, 6) ? fz_below(f, 4)
						     : fz_below(f, 40));
	if (!strcmp(arg, "hex"))
		return hex_json(f);
	if (!strcmp(arg, "text"))
		return text_json(f);
	if (!strcmp(arg, "pfns"))
		return pfns_json(f, p);
	if (!strcmp(arg, "prot"))
		return flags_json(f, prot_names, ARRAY_LEN(prot_names), "|");
	if (!strcmp(arg, "flags") && !strcmp(op, "kmem_cache_create")) {
		json_t *a = json_array();

		for (size_t i = fz_below(f, 3); i; i--)
			json_array_append_new(a, json_string(
				slab_names[fz_below(f, ARRAY_LEN(slab_names))]));
		return a;
	}
	if (!strcmp(arg, "flags"))
		return flags_json(f, map_names, ARRAY_LEN(map_names), "|");
	if (!strcmp(arg, "access"))
		return json_string(access[fz_below(f, ARRAY_LEN(access))]);
	if (!strcmp(arg, "mode"))
		return json_string(modes[fz_below(f, ARRAY_LEN(modes))]);
	if (!strcmp(arg, "name") || !strcmp(arg, "cache"))
		return cache_json(f, p);
	if (!strcmp(arg, "value"))
		return json_integer((json_int_t)fz_below(f, 2203) - 1101);
	if (!strcmp(arg, "align"))
		return number_json(f, !fz_rare(f, 4) ? 1u << fz_below(f, 13)
						     : any_number(f));
	if (!strcmp(arg, "max_map_count") || !strcmp(arg, "max_processes"))
		return number_json(f, !fz_rare(f, 4) ? fz_below(f, 70)
						     : any_number(f));
	/* len, size, count and whatever a later op adds */
	return number_json(f, size_value(f, m));
}

/* --- operations ----------------------------------------------------------------- */

size_t fz_nops(void)
{
	size_t n = 0;

	while (api_op_name(n))
		n++;
	return n;
}

static size_t nreports(void)
{
	size_t n = 0;

	while (api_report_names[n])
		n++;
	return n;
}

void fz_gen_op(struct fz *f, struct fz_pool *p, const struct machine *m,
	       const char **op, json_t **args)
{
	static char report[64];
	size_t nops = fz_nops(), pick = fz_below(f, nops + 4);
	const char *const *names;

	*args = NULL;
	if (pick >= nops) {
		snprintf(report, sizeof(report), "report:%s%s",
			 fz_bool(f) ? "text:" : "",
			 api_report_names[fz_below(f, nreports())]);
		*op = report;
		return;
	}
	*op = api_op_name(pick);
	names = api_op_args(*op);
	*args = json_object();
	for (; *names; names++) {
		/* mostly present: absent arguments are defaults, tested less */
		if (!fz_rare(f, 5))
			json_object_set_new(*args, *names,
					    arg_value(f, p, m, *op, *names));
	}
	/* "phys" is the other way to name what "addr" or "pfn" names, and
	 * an op takes one of them: mostly keep only one */
	if (json_object_get(*args, "phys") && !fz_rare(f, 8)) {
		if (fz_bool(f)) {
			json_object_del(*args, "addr");
			json_object_del(*args, "pfn");
		} else {
			json_object_del(*args, "phys");
		}
	}
	/* "hex" and "text" too: one of them */
	if (json_object_get(*args, "hex") && json_object_get(*args, "text") &&
	    !fz_rare(f, 8))
		json_object_del(*args, fz_bool(f) ? "hex" : "text");
	/* now and then a key no op takes, or no object at all (never when
	 * the bytes have run out, which reads as zeros) */
	if (fz_rare(f, 64))
		json_object_set_new(*args, "bogus", json_integer(1));
	if (fz_rare(f, 64)) {
		json_decref(*args);
		*args = fz_bool(f) ? NULL : json_array();
	}
}

/* --- running and checking --------------------------------------------------------- */

static void check_json(const json_t *j, const char *what, const char *op)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!s)
		fz_die("%s of %s does not serialise", what, op);
	free(s);
}

static int run_report(struct machine *m, const char *spec,
		      struct mm_error *err)
{
	bool text = !strncmp(spec, "text:", 5);
	const char *name = text ? spec + 5 : spec;
	json_t *j = NULL;
	char *t = NULL;
	int rc = api_report(m, name, text, &j, &t, err);
	bool known = false;

	for (size_t i = 0; api_report_names[i]; i++)
		known |= !strcmp(api_report_names[i], name);
	if (rc && known)
		fz_die("report %s refused: %s", name, err->detail);
	if (rc)
		return rc;
	if (text ? !t || j : !j || t)
		fz_die("report %s gave the wrong output", name);
	if (j)
		check_json(j, "report", name);
	json_decref(j);
	free(t);
	return 0;
}

static int fz_run_checked(struct machine *m, const char *op,
			  const json_t *args, json_t **result,
			  struct mm_error *err)
{
	int rc;

	memset(err, 0, sizeof(*err));
	*result = NULL;
	if (!strncmp(op, "report:", 7))
		return run_report(m, op + 7, err);
	rc = api_op(m, op, args, result, err);
	if (rc == MM_OK) {
		if (!*result)
			fz_die("%s succeeded without a result", op);
		check_json(*result, "result", op);
		return rc;
	}
	if (*result)
		fz_die("%s refused but left a result", op);
	if (rc != (int)err->kind || err->kind == MM_OK || !err->type[0] ||
	    !err->detail[0])
		fz_die("%s refused without a proper error (rc %d kind %d "
		       "type '%s')", op, rc, err->kind, err->type);
	{
		json_t *pb = api_problem(err);
		int st = api_http_status(err);

		if (!pb || st < 400 || st > 499)
			fz_die("%s: problem %p status %d", op, (void *)pb, st);
		check_json(pb, "problem", op);
		json_decref(pb);
	}
	return rc;
}

/* MMLAB_FUZZ_TRACE=1: every op as a batch item on stderr, and its
 * answer's status, to turn a grammar input into a readable one. */
static void trace(const char *op, const json_t *args, int rc,
		  const struct mm_error *err)
{
	static int on = -1;
	char *a;

	if (on < 0)
		on = getenv("MMLAB_FUZZ_TRACE") != NULL;
	if (!on)
		return;
	a = args ? json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	fprintf(stderr, "{\"op\": \"%s\", \"args\": %s},  -> %s%s\n", op,
		a ? a : "null", rc ? err->type : "ok",
		rc && err->changed ? " (changed)" : "");
	free(a);
}

int fz_run_one(struct machine *m, const char *op, const json_t *args,
	       json_t **result, struct mm_error *err)
{
	int rc = fz_run_checked(m, op, args, result, err);

	trace(op, args, rc, err);
	return rc;
}

json_t *fz_raw_ops(const uint8_t *data, size_t size, size_t *config)
{
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY |
			       JSON_ALLOW_NUL, NULL), *ops;
	uint64_t c = 0;

	*config = 0;
	if (!j)
		return NULL;
	if (json_is_array(j))
		return j;
	ops = json_incref(json_object_get(j, "ops"));
	if (api_get_u64(json_object_get(j, "config"), &c) == 0)
		*config = (size_t)(c % fz_nconfigs);
	json_decref(j);
	if (!json_is_array(ops)) {
		json_decref(ops);
		return NULL;
	}
	return ops;
}

bool fz_item(const json_t *item, const char **op, const json_t **args)
{
	*op = json_string_value(json_object_get(item, "op"));
	*args = json_object_get(item, "args");
	return *op != NULL && (!*args || json_is_object(*args));
}

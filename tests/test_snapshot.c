/*
 * test_snapshot.c - machine_snapshot() and machine_restore(): after a
 * pseudo-random run of operations on several configurations, the restored
 * machine answers every report byte for byte as the original does, keeps
 * doing so through the same further operations, and snapshots to the same
 * bytes; damaged, cut or foreign snapshots are refused cleanly (run under
 * ASan and UBSan, so a read out of bounds or a leak fails the test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "snapshot.h"
#include "snapshot_io.h"
#include "helpers.h"

/* --- a deterministic generator -------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

static bool chance(struct rng *r, unsigned percent)
{
	return below(r, 100) < percent;
}

/* What the generator knows of the machine, learned from the results. */
struct ent {
	uint64_t a, b, c;
};

struct vec {
	struct ent *v;
	size_t n, cap;
};

static void push(struct vec *v, uint64_t a, uint64_t b, uint64_t c)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->v = realloc(v->v, v->cap * sizeof(*v->v));
		assert_non_null(v->v);
	}
	v->v[v->n++] = (struct ent){ a, b, c };
}

/* A random entry taken out (false when there is none). */
static bool take(struct rng *r, struct vec *v, struct ent *e)
{
	size_t i;

	if (!v->n)
		return false;
	i = below(r, (uint32_t)v->n);
	*e = v->v[i];
	v->v[i] = v->v[--v->n];
	return true;
}

static struct ent *pick(struct rng *r, struct vec *v)
{
	return v->n ? &v->v[below(r, (uint32_t)v->n)] : NULL;
}

#define NR_TRACK_CPUS 4

struct gen {
	struct rng rng;
	const struct machine *m;	/* for the layout's constants only */
	struct vec blocks;		/* pfn, order */
	struct vec kmallocs;		/* addr */
	struct vec caches;		/* cache number */
	struct vec objs;		/* addr, cache number */
	struct vec vareas;		/* addr, 0 vmalloc, 1 vmap, 2 io */
	struct vec kmaps;		/* pfn */
	struct vec klocal[NR_TRACK_CPUS];	/* addr, atomic */
	struct vec pids;		/* pid, brk */
	struct vec maps;		/* pid, addr, len */
	uint32_t next_cache;
};

static void gen_free(struct gen *g)
{
	struct vec *all[] = { &g->blocks, &g->kmallocs, &g->caches, &g->objs,
			      &g->vareas, &g->kmaps, &g->pids, &g->maps };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		free(all[i]->v);
	for (int c = 0; c < NR_TRACK_CPUS; c++)
		free(g->klocal[c].v);
	memset(g, 0, sizeof(*g));
}

static json_t *hexj(uint64_t v)
{
	return api_hex(v);
}

static uint64_t hex_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? strtoull(s, NULL, 16) : 0;
}

static const char *const gfps[] = {
	"GFP_KERNEL", "GFP_HIGHUSER", "GFP_HIGHUSER_MOVABLE", "GFP_ATOMIC",
	"GFP_DMA", "GFP_USER", "GFP_KERNEL | __GFP_RECLAIMABLE",
	"GFP_NOWAIT", "GFP_KERNEL | __GFP_ZERO",
};
static const char *const slab_gfps[] = {
	"GFP_KERNEL", "GFP_ATOMIC", "GFP_KERNEL_ACCOUNT", "GFP_DMA",
	"GFP_KERNEL | __GFP_RECLAIMABLE", "GFP_KERNEL | __GFP_ZERO",
};

static const char *any_of(struct rng *r, const char *const *v, size_t n)
{
	return v[below(r, (uint32_t)n)];
}
#define ANY(r, v) any_of(r, v, sizeof(v) / sizeof(v[0]))

static unsigned cpus_of(const struct gen *g)
{
	return MIN(g->m->config.cpus, (unsigned)NR_TRACK_CPUS);
}

/* A frame for kmap: a HighMem block of ours, or any HighMem frame. */
static pfn_t highmem_pfn(struct gen *g)
{
	const struct layout *l = &g->m->layout;
	struct ent *e = pick(&g->rng, &g->blocks);

	if (e && e->a >= l->max_low_pfn && chance(&g->rng, 70))
		return (pfn_t)e->a;
	if (l->max_pfn > l->max_low_pfn && chance(&g->rng, 90))
		return l->max_low_pfn + below(&g->rng, l->max_pfn -
						      l->max_low_pfn);
	return below(&g->rng, l->max_pfn + 16);
}

/* An address in a process: one of its mappings, its bss, heap or stack. */
static uint64_t user_addr(struct gen *g, uint32_t pid, uint64_t brk)
{
	for (int tries = 0; tries < 4 && g->maps.n; tries++) {
		struct ent *e = pick(&g->rng, &g->maps);

		if (e->a == pid)
			return e->b + below(&g->rng, (uint32_t)e->c);
	}
	switch (below(&g->rng, 4)) {
	case 0:
		return 0x0804a000u + below(&g->rng, 4096);
	case 1:
		return brk ? brk - 1 - below(&g->rng, 8192) : 0x08049000u;
	case 2:
		return g->m->layout.page_offset - 1 - below(&g->rng, 200000);
	default:
		return 0x08048000u + below(&g->rng, 8192);
	}
}

/* --- operations ----------------------------------------------------------- */

static json_t *gen_pages(struct gen *g, const char **op)
{
	struct ent e;

	if (chance(&g->rng, 55) || !take(&g->rng, &g->blocks, &e)) {
		unsigned order = chance(&g->rng, 10) ? below(&g->rng, 11)
						     : below(&g->rng, 4);

		*op = "alloc_pages";
		return json_pack("{s:i, s:s}", "order", (int)order, "gfp",
				 ANY(&g->rng, gfps));
	}
	*op = "free_pages";
	return json_pack("{s:o, s:i}", "pfn", hexj(e.a), "order", (int)e.b);
}

static json_t *gen_kmalloc(struct gen *g, const char **op)
{
	struct ent e;
	uint32_t size = chance(&g->rng, 8) ? 8192 + below(&g->rng, 60000)
					   : 1 + below(&g->rng, 3000);

	switch (below(&g->rng, 6)) {
	case 0:
	case 1:
		*op = chance(&g->rng, 30) ? "kzalloc" : "kmalloc";
		return json_pack("{s:i, s:s, s:i}", "size", (int)size, "gfp",
				 ANY(&g->rng, slab_gfps), "cpu",
				 (int)below(&g->rng, cpus_of(g)));
	case 2:
		if (take(&g->rng, &g->kmallocs, &e)) {
			*op = "krealloc";
			return json_pack("{s:o, s:i}", "addr", hexj(e.a),
					 "size", (int)size);
		}
		/* fall through */
	default:
		*op = "kfree";
		if (!take(&g->rng, &g->kmallocs, &e))
			e.a = 0xc0000000u + below(&g->rng, 1u << 28);
		return json_pack("{s:o}", "addr", hexj(e.a));
	}
}

static json_t *gen_cache(struct gen *g, const char **op)
{
	static const char *const flags[] = {
		"SLAB_HWCACHE_ALIGN", "SLAB_CACHE_DMA", "SLAB_RECLAIM_ACCOUNT",
	};
	char name[32];
	struct ent e, *c;

	if (!g->caches.n || chance(&g->rng, 8)) {
		snprintf(name, sizeof(name), "snapcache%u", g->next_cache++);
		*op = "kmem_cache_create";
		return json_pack("{s:s, s:i, s:i, s:[s]}", "name", name, "size",
				 (int)(1 + below(&g->rng, 5000)), "align",
				 (int)(chance(&g->rng, 50) ? 0 :
				       1u << below(&g->rng, 8)), "flags",
				 ANY(&g->rng, flags));
	}
	c = pick(&g->rng, &g->caches);
	snprintf(name, sizeof(name), "snapcache%u", (unsigned)c->a);
	if (chance(&g->rng, 3)) {
		*op = "kmem_cache_destroy";
		return json_pack("{s:s}", "cache", name);
	}
	if (chance(&g->rng, 60) || !take(&g->rng, &g->objs, &e)) {
		*op = "kmem_cache_alloc";
		return json_pack("{s:s, s:s, s:i}", "cache", name, "gfp",
				 ANY(&g->rng, slab_gfps), "cpu",
				 (int)below(&g->rng, cpus_of(g)));
	}
	snprintf(name, sizeof(name), "snapcache%u", (unsigned)e.b);
	*op = "kmem_cache_free";
	return json_pack("{s:s, s:o}", "cache", name, "addr", hexj(e.a));
}

static json_t *gen_vmalloc(struct gen *g, const char **op)
{
	static const char *const unmap[] = { "vfree", "vunmap", "iounmap" };
	struct ent e, *b;
	uint32_t size = chance(&g->rng, 5) ? (5u << 20) : 1 + below(&g->rng,
								     70000);

	switch (below(&g->rng, 5)) {
	case 0:
		*op = chance(&g->rng, 30) ? "vzalloc" : "vmalloc";
		return json_pack("{s:i}", "size", (int)size);
	case 1:
		*op = "ioremap";
		return json_pack("{s:o, s:i}", "phys", hexj(0xfed00000u +
				 below(&g->rng, 0x10000)), "size",
				 (int)(1 + below(&g->rng, 40000)));
	case 2:
		if ((b = pick(&g->rng, &g->blocks))) {
			*op = "vmap";
			return json_pack("{s:[o, o]}", "pfns", hexj(b->a),
					 hexj(b->a + (b->b ? 1 : 0)));
		}
		/* fall through */
	default:
		if (!take(&g->rng, &g->vareas, &e)) {
			*op = "vfree";
			return json_pack("{s:o}", "addr", hexj(0));
		}
		*op = unmap[e.b];
		return json_pack("{s:o}", "addr", hexj(e.a));
	}
}

static json_t *gen_kmap(struct gen *g, const char **op)
{
	unsigned cpu = below(&g->rng, cpus_of(g));
	struct vec *st = &g->klocal[cpu];
	struct ent e;

	switch (below(&g->rng, 4)) {
	case 0:
		*op = "kmap";
		return json_pack("{s:o}", "pfn", hexj(highmem_pfn(g)));
	case 1:
		if (take(&g->rng, &g->kmaps, &e)) {
			*op = "kunmap";
			return json_pack("{s:o}", "pfn", hexj(e.a));
		}
		/* fall through */
	case 2:
		*op = chance(&g->rng, 30) ? "kmap_atomic" : "kmap_local_page";
		return json_pack("{s:o, s:i}", "pfn", hexj(highmem_pfn(g)),
				 "cpu", (int)cpu);
	default:
		if (!st->n) {
			*op = "kunmap_local";
			return json_pack("{s:o, s:i}", "addr",
					 hexj(g->m->layout.fixaddr_top -
					      0x50000), "cpu", (int)cpu);
		}
		e = st->v[st->n - 1];
		if (!chance(&g->rng, 10))
			st->n--;
		*op = e.b ? "kunmap_atomic" : "kunmap_local";
		return json_pack("{s:o, s:i}", "addr", hexj(e.a), "cpu",
				 (int)cpu);
	}
}

/* Bytes through the linear map, vmalloc, or a physical address. */
static json_t *gen_bytes(struct gen *g, const char **op)
{
	struct ent *e = NULL;
	json_t *a;
	char text[48];

	snprintf(text, sizeof(text), "snap%llu",
		 (unsigned long long)rnd(&g->rng));
	switch (below(&g->rng, 3)) {
	case 0:
		e = pick(&g->rng, &g->kmallocs);
		a = json_pack("{s:o}", "addr", hexj(e ? e->a : 0xc2000000u));
		break;
	case 1:
		e = pick(&g->rng, &g->vareas);
		a = json_pack("{s:o}", "addr", hexj(e ? e->a : 0xf8000000u));
		break;
	default:
		e = pick(&g->rng, &g->blocks);
		a = json_pack("{s:o}", "phys", hexj(((e ? e->a : 0x3000) <<
						    PAGE_SHIFT) +
						   below(&g->rng, 4000)));
	}
	if (chance(&g->rng, 70)) {
		*op = "write";
		json_object_set_new(a, "text", json_string(text));
	} else {
		*op = "read";
		json_object_set_new(a, "len", json_integer(1 + below(&g->rng,
								     64)));
	}
	return a;
}

static json_t *gen_mm(struct gen *g, const char **op, struct ent *p)
{
	static const char *const prots[] = {
		"PROT_READ|PROT_WRITE", "PROT_READ", "PROT_NONE",
		"PROT_READ|PROT_EXEC",
	};
	static const char *const flags[] = {
		"MAP_PRIVATE|MAP_ANONYMOUS", "MAP_SHARED|MAP_ANONYMOUS",
	};
	struct ent e;

	switch (below(&g->rng, 4)) {
	case 0:
		*op = "mmap";
		return json_pack("{s:i, s:i, s:s, s:s}", "pid", (int)p->a,
				 "len", (int)(1 + below(&g->rng, 1u << 20)),
				 "prot", ANY(&g->rng, prots), "flags",
				 ANY(&g->rng, flags));
	case 1:
		if (take(&g->rng, &g->maps, &e)) {
			*op = "munmap";
			return json_pack("{s:i, s:o, s:i}", "pid", (int)e.a,
					 "addr", hexj(e.b), "len", (int)e.c);
		}
		/* fall through */
	case 2:
		*op = "mprotect";
		return json_pack("{s:i, s:o, s:i, s:s}", "pid", (int)p->a,
				 "addr", hexj(user_addr(g, (uint32_t)p->a,
							 p->b) & ~0xfffull),
				 "len", 4096, "prot",
				 ANY(&g->rng, prots));
	default:
		*op = "brk";
		return json_pack("{s:i, s:o}", "pid", (int)p->a, "addr",
				 hexj(p->b + below(&g->rng, 300000) - 100000));
	}
}

static json_t *gen_proc(struct gen *g, const char **op)
{
	static const char *const acc[] = { "read", "write", "exec" };
	struct ent *p = pick(&g->rng, &g->pids), e;
	char text[32];

	if (!p || chance(&g->rng, 6)) {
		*op = "process_create";
		return json_object();
	}
	switch (below(&g->rng, 9)) {
	case 0:
		*op = "fork";
		return json_pack("{s:i}", "pid", (int)p->a);
	case 1:
		if (chance(&g->rng, 50) && take(&g->rng, &g->pids, &e)) {
			*op = "exit";
			return json_pack("{s:i}", "pid", (int)e.a);
		}
		/* fall through */
	case 2:
		return gen_mm(g, op, p);
	case 3:
		*op = "uwrite";
		snprintf(text, sizeof(text), "u%llu",
			 (unsigned long long)rnd(&g->rng));
		return json_pack("{s:i, s:o, s:s}", "pid", (int)p->a, "addr",
				 hexj(user_addr(g, (uint32_t)p->a, p->b)),
				 "text", text);
	case 4:
		*op = chance(&g->rng, 80) ? "uread" : "oom_score_adj";
		if (!strcmp(*op, "oom_score_adj"))
			return json_pack("{s:i, s:i}", "pid", (int)p->a,
					 "value", (int)below(&g->rng, 2001) -
					 1000);
		return json_pack("{s:i, s:o, s:i}", "pid", (int)p->a, "addr",
				 hexj(user_addr(g, (uint32_t)p->a, p->b)),
				 "len", (int)(1 + below(&g->rng, 100)));
	default:
		*op = "access";
		return json_pack("{s:i, s:o, s:s}", "pid", (int)p->a, "addr",
				 hexj(user_addr(g, (uint32_t)p->a, p->b)),
				 "access", ANY(&g->rng, acc));
	}
}

/* A burst that takes most of what is free, so later faults meet the
 * OOM killer and allocations their failures. */
static json_t *gen_hog(struct gen *g, const char **op)
{
	(void)g;
	*op = "alloc_pages";
	return json_pack("{s:i, s:s}", "order", 10, "gfp",
			 "GFP_HIGHUSER_MOVABLE");
}

static json_t *gen_op(struct gen *g, const char **op)
{
	uint32_t w = below(&g->rng, 100);

	if (w < 14)
		return gen_pages(g, op);
	if (w < 28)
		return gen_kmalloc(g, op);
	if (w < 40)
		return gen_cache(g, op);
	if (w < 50)
		return gen_vmalloc(g, op);
	if (w < 60)
		return gen_kmap(g, op);
	if (w < 68)
		return gen_bytes(g, op);
	if (w < 98)
		return gen_proc(g, op);
	return gen_hog(g, op);
}

/* Learn what an operation made from its (original's) result. */
static void learn(struct gen *g, const char *op, const json_t *args,
		  const json_t *res)
{
	const json_t *ok = json_object_get(res, "ok");
	uint64_t addr = hex_of(res, "addr");

	if (!res || (ok && json_is_false(ok)))
		return;
	if (!strcmp(op, "alloc_pages"))
		push(&g->blocks, hex_of(res, "pfn"),
		     json_integer_value(json_object_get(args, "order")), 0);
	else if (!strcmp(op, "kmalloc") || !strcmp(op, "kzalloc") ||
		 !strcmp(op, "krealloc"))
		push(&g->kmallocs, addr, 0, 0);
	else if (!strcmp(op, "kmem_cache_create"))
		push(&g->caches, g->next_cache - 1, 0, 0);
	else if (!strcmp(op, "kmem_cache_alloc"))
		push(&g->objs, addr, strtoul(json_string_value(json_object_get(
		     args, "cache")) + 9, NULL, 10), 0);
	else if (!strcmp(op, "vmalloc") || !strcmp(op, "vzalloc"))
		push(&g->vareas, addr, 0, 0);
	else if (!strcmp(op, "vmap"))
		push(&g->vareas, addr, 1, 0);
	else if (!strcmp(op, "ioremap"))
		push(&g->vareas, addr, 2, 0);
	else if (!strcmp(op, "kmap"))
		push(&g->kmaps, hex_of(args, "pfn"), 0, 0);
	else if ((!strcmp(op, "kmap_local_page") ||
		  !strcmp(op, "kmap_atomic")) &&
		 !json_is_true(json_object_get(res, "lowmem")))
		push(&g->klocal[json_integer_value(json_object_get(args,
		     "cpu"))], addr, !strcmp(op, "kmap_atomic"), 0);
	else if (!strcmp(op, "process_create"))
		push(&g->pids, json_integer_value(json_object_get(res, "pid")),
		     hex_of(res, "brk"), 0);
	else if (!strcmp(op, "fork"))
		push(&g->pids, json_integer_value(json_object_get(
		     json_object_get(res, "child"), "pid")),
		     hex_of(json_object_get(res, "child"), "brk"), 0);
	else if (!strcmp(op, "mmap"))
		push(&g->maps, json_integer_value(json_object_get(args, "pid")),
		     addr, json_integer_value(json_object_get(args, "len")));
}

/* One operation; the result (or NULL) and the error in *err. */
static json_t *run(struct machine *m, const char *op, const json_t *args,
		   struct mm_error *err)
{
	json_t *res = NULL;

	memset(err, 0, sizeof(*err));
	if (api_op(m, op, args, &res, err) != MM_OK)
		assert_null(res);
	return res;
}

static void random_ops(struct gen *g, struct machine *m, int n)
{
	for (int i = 0; i < n; i++) {
		struct mm_error err;
		const char *op;
		json_t *args = gen_op(g, &op), *res = run(m, op, args, &err);

		learn(g, op, args, res);
		json_decref(res);
		json_decref(args);
	}
}

/* --- comparing machines --------------------------------------------------- */

static void same_json(const json_t *a, const json_t *b, const char *what)
{
	if ((!a && !b) || json_equal(a, b))
		return;
	{
		char *x = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
		char *y = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);

		fail_msg("%s differs:\n%.1500s\n--- restored ---\n%.1500s",
			 what, x ? x : "(null)", y ? y : "(null)");
	}
}

/* op on both machines: the same error or the same result (returned,
 * the original's). */
static json_t *same_op_res(struct machine *a, struct machine *b,
			   const char *op, const json_t *args)
{
	struct mm_error ea, eb;
	json_t *ra = run(a, op, args, &ea), *rb = run(b, op, args, &eb);

	if (ea.kind != eb.kind || strcmp(ea.type, eb.type) ||
	    strcmp(ea.detail, eb.detail)) {
		char *x = args ? json_dumps(args, JSON_COMPACT) : NULL;

		fail_msg("%s %s: original %d %s (%s), restored %d %s (%s)", op,
			 x ? x : "{}", ea.kind, ea.type, ea.detail, eb.kind,
			 eb.type, eb.detail);
	}
	same_json(ra, rb, op);
	json_decref(rb);
	return ra;
}

static void same_op(struct machine *a, struct machine *b, const char *op,
		    const json_t *args)
{
	json_decref(same_op_res(a, b, op, args));
}

/* Every frame's state, in runs, from pfn 0 on. */
static void same_frames(struct machine *a, struct machine *b)
{
	uint64_t start = 0;

	for (int guard = 0; guard < 64; guard++) {
		struct mm_error err;
		json_t *args = json_pack("{s:o}", "start", hexj(start));
		json_t *r = run(a, "frames", args, &err);
		const json_t *next;

		assert_non_null(r);
		same_op(a, b, "frames", args);
		next = json_object_get(r, "next");
		start = json_is_string(next) ? hex_of(r, "next") : 0;
		json_decref(r);
		json_decref(args);
		if (!start)
			return;
	}
	fail_msg("frames never ended");
}

static void same_reports(struct machine *a, struct machine *b)
{
	static const char *const per_pid[] = {
		"maps", "status", "pagemap", "process_pagetables",
	};

	for (size_t i = 0; api_report_names[i]; i++) {
		struct mm_error err;
		json_t *ja, *jb;
		char *ta, *tb;

		assert_int_equal(api_report(a, api_report_names[i], true, NULL,
					    &ta, &err), MM_OK);
		assert_int_equal(api_report(b, api_report_names[i], true, NULL,
					    &tb, &err), MM_OK);
		if (strcmp(ta, tb))
			fail_msg("report %s differs", api_report_names[i]);
		free(ta);
		free(tb);
		assert_int_equal(api_report(a, api_report_names[i], false, &ja,
					    NULL, &err), MM_OK);
		assert_int_equal(api_report(b, api_report_names[i], false, &jb,
					    NULL, &err), MM_OK);
		same_json(ja, jb, api_report_names[i]);
		json_decref(ja);
		json_decref(jb);
	}
	same_op(a, b, "processes", NULL);
	same_op(a, b, "pkmap", NULL);
	same_frames(a, b);
	for (uint32_t i = 0; i < a->procs.nr; i++) {
		json_t *args = json_pack("{s:i}", "pid",
					 (int)a->procs.procs[i].pid);

		for (size_t k = 0; k < ARRAY_SIZE(per_pid); k++)
			same_op(a, b, per_pid[k], args);
		json_decref(args);
	}
}

static void same_snapshot(const struct machine *a, const struct machine *b)
{
	uint8_t *x, *y;
	size_t nx, ny;

	machine_snapshot(a, &x, &nx);
	machine_snapshot(b, &y, &ny);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	free(x);
	free(y);
}

static struct machine *restore_ok(const struct machine *m)
{
	struct machine *r = NULL;
	struct mm_error err = { 0 };
	uint8_t *buf;
	size_t len;

	machine_snapshot(m, &buf, &len);
	if (machine_restore(&m->config, buf, len, &r, &err) != MM_OK)
		fail_msg("restore failed: %s: %s", err.type, err.detail);
	free(buf);
	return r;
}

/* --- round trips ---------------------------------------------------------- */

struct cfg {
	uint64_t ram;
	bool pae;
	unsigned cpus;
	const char *cmdline;
	uint64_t seed;
};

static struct machine *boot(const struct cfg *k)
{
	struct machine_config c;

	machine_config_default(&c);
	c.ram = k->ram;
	c.pae = k->pae;
	c.cpus = k->cpus ? k->cpus : 1;
	c.seed = k->seed;
	if (k->cmdline)
		snprintf(c.cmdline, sizeof(c.cmdline), "%s", k->cmdline);
	return must_boot(&c);
}

/* Fill memory, then let processes fault: the OOM killer writes the log. */
static void oom_scenario(struct machine *m)
{
	struct mm_error err;
	json_t *r;

	for (int i = 0; i < 3; i++)
		json_decref(run(m, "process_create", NULL, &err));
	for (int i = 0; i < 400; i++) {
		json_t *a = json_pack("{s:i, s:s}", "order", 10, "gfp",
				      "GFP_HIGHUSER_MOVABLE");

		r = run(m, "alloc_pages", a, &err);
		json_decref(a);
		if (!json_is_true(json_object_get(r, "ok"))) {
			json_decref(r);
			break;
		}
		json_decref(r);
	}
	/* until the killer has run: how much is left after the order-10
	 * blocks depends on what the boot took (a booted machine's caches,
	 * hash tables, per-CPU lists) */
	for (uint32_t i = 0; i < 8000 && m->procs.nr &&
	     !strstr(m->log.buf, "Out of memory: Killed process"); i++) {
		json_t *a = json_pack("{s:i, s:o, s:s}", "pid",
				      (int)m->procs.procs[0].pid, "addr",
				      hexj(m->procs.procs[0].mmap_base -
					   (i + 1) * PAGE_SIZE), "access",
				      "write");
		json_t *mm = json_pack("{s:i, s:i}", "pid",
				       (int)m->procs.procs[0].pid, "len",
				       8 << 20);

		if (i % 256 == 0)
			json_decref(run(m, "mmap", mm, &err));
		json_decref(mm);
		json_decref(run(m, "access", a, &err));
		json_decref(a);
	}
	assert_non_null(strstr(m->log.buf, "Out of memory: Killed process"));
}

static void roundtrip(const struct cfg *k, int before, int after, bool oom)
{
	struct machine *a = boot(k), *b;
	struct gen g = { .rng = { k->seed * 7919 + k->ram }, .m = a };
	size_t ha, hb;

	if (oom)
		oom_scenario(a);
	random_ops(&g, a, before);
	b = restore_ok(a);
	same_reports(a, b);
	same_snapshot(a, b);
	ha = machine_host_bytes(a);
	hb = machine_host_bytes(b);
	assert_true(hb <= 2 * ha + 65536 && ha <= 2 * hb + 65536);

	/* the same further operations on both */
	for (int i = 0; i < after; i++) {
		const char *op;
		json_t *args = gen_op(&g, &op);
		json_t *res = same_op_res(a, b, op, args);

		same_snapshot(a, b);
		learn(&g, op, args, res);
		json_decref(res);
		json_decref(args);
	}
	same_reports(a, b);
	same_snapshot(a, b);
	{
		char why[256];

		assert_int_equal(slab_check(b, why, sizeof(why)), 0);
	}
	gen_free(&g);
	machine_free(a);
	machine_free(b);
}

static void test_roundtrip_2g(void **state)
{
	const struct cfg k = { 2ull << 30, false, 1, NULL, 1 };

	(void)state;
	roundtrip(&k, 400, 300, false);
}

static void test_roundtrip_4g(void **state)
{
	const struct cfg k = { 4ull << 30, false, 1, NULL, 2 };

	(void)state;
	roundtrip(&k, 400, 300, false);
}

static void test_roundtrip_4g_pae(void **state)
{
	const struct cfg k = { 4ull << 30, true, 1, NULL, 3 };

	(void)state;
	roundtrip(&k, 400, 300, false);
}

static void test_roundtrip_512m_oom(void **state)
{
	const struct cfg k = { 512ull << 20, false, 1, NULL, 4 };

	(void)state;
	roundtrip(&k, 300, 300, true);
}

static void test_roundtrip_vmalloc256m(void **state)
{
	const struct cfg k = { 2ull << 30, false, 1, "vmalloc=256M", 5 };

	(void)state;
	roundtrip(&k, 400, 300, false);
}

static void test_roundtrip_smp_pae(void **state)
{
	const struct cfg k = { 1ull << 30, true, 4, "norandmaps", 6 };

	(void)state;
	roundtrip(&k, 400, 300, false);
}

/* The lists of every zone and CPU, in list order, with each page's
 * migratetype, as text: two machines agree on the lists iff these do. */
static char *pcp_text(const struct machine *m)
{
	struct strbuf sb = STRBUF_INIT;

	sb_printf(&sb, "ready %d\n", m->pgdat.pcp_ready);
	for (int j = 0; j < MAX_NR_ZONES; j++)
		for (unsigned cpu = 0; cpu < m->config.cpus; cpu++) {
			const struct per_cpu_pages *pcp =
				&m->pgdat.node_zones[j].pcp[cpu];

			sb_printf(&sb, "%d/%u count %u ff %u:", j, cpu,
				  pcp->count, pcp->free_factor);
			for (unsigned i = 0; i < NR_PCP_LISTS; i++)
				for (pfn_t p = pcp->head[i]; p != PFN_NONE;) {
					const struct pfn_rec *r = pfnmap_get(
						&m->pgdat.pcp_pages, p);

					sb_printf(&sb, " %u:%x/%u", i, p, r->mt);
					p = r->next;
				}
			sb_puts(&sb, "\n");
		}
	return sb_detach(&sb);
}

static pfn_t must_alloc(struct machine *m, gfp_t gfp, unsigned order)
{
	struct page_alloc_result *r = calloc(1, sizeof(*r));
	struct mm_error err;
	pfn_t pfn;

	assert_non_null(r);
	assert_int_equal(alloc_pages(&m->pgdat, gfp, order, OWNER_NONE, 0, r,
				     &err), MM_OK);
	assert_true(r->ok);
	pfn = r->pfn;
	free(r);
	return pfn;
}

/* Per-CPU lists of every kind survive a snapshot: order 0-3 lists of the
 * three types, the THP list (order 10 two-level, 9 PAE), a drained
 * free_factor, on one and on two CPUs; restore == live, and the same
 * allocations afterwards give the same pages on both. */
static void test_pcp_roundtrip(void **state)
{
	static const gfp_t pcp_gfps[] = {
		GFP_KERNEL, GFP_HIGHUSER_MOVABLE,
		GFP_KERNEL | __GFP_RECLAIMABLE, GFP_USER | __GFP_MOVABLE,
	};
	const struct cfg ks[] = {
		{ 2ull << 30, false, 1, NULL, 1 },
		{ 4ull << 30, true, 2, NULL, 3 },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(ks) / sizeof(ks[0]); k++) {
		struct machine *a = boot(&ks[k]), *b;
		unsigned thp = a->pgdat.pageblock_order;
		struct mm_error err;
		pfn_t got[64];
		unsigned n = 0;
		char *ta, *tb;

		for (size_t g = 0; g < sizeof(pcp_gfps) / sizeof(pcp_gfps[0]); g++)
			for (unsigned o = 0; o <= 3; o++)
				for (int i = 0; i < 3; i++)
					got[n++] = must_alloc(a, pcp_gfps[g], o) |
						   (o << 28);
		got[n++] = must_alloc(a, GFP_HIGHUSER_MOVABLE, thp) |
			   (thp << 28);
		/* every other block back, so each list mixes refill order
		 * and LIFO frees */
		for (unsigned i = 0; i < n; i += 2)
			assert_int_equal(free_pages(&a->pgdat,
						    got[i] & 0x0fffffff,
						    got[i] >> 28, &err), MM_OK);
		assert_true(a->pgdat.node_zones[ZONE_HIGHMEM].pcp[0].head[
			    NR_LOWORDER_PCP_LISTS] != PFN_NONE);
		b = restore_ok(a);
		ta = pcp_text(a);
		tb = pcp_text(b);
		assert_string_equal(ta, tb);
		free(ta);
		free(tb);
		same_reports(a, b);
		same_snapshot(a, b);
		/* the same allocations take the same pages from the lists */
		for (size_t g = 0; g < sizeof(pcp_gfps) / sizeof(pcp_gfps[0]); g++)
			for (unsigned o = 0; o <= 3; o++)
				assert_int_equal(must_alloc(a, pcp_gfps[g], o),
						 must_alloc(b, pcp_gfps[g], o));
		assert_int_equal(must_alloc(a, GFP_HIGHUSER_MOVABLE, thp),
				 must_alloc(b, GFP_HIGHUSER_MOVABLE, thp));
		same_snapshot(a, b);
		machine_free(a);
		machine_free(b);
	}
}

/* A fresh machine and the snapshot of a snapshot. */
static void test_fresh(void **state)
{
	const struct cfg ks[] = {
		{ 2ull << 30, false, 1, NULL, 1 },
		{ 64ull << 30, true, 2, NULL, 1 },
		{ 512ull << 20, false, 32, "vmalloc=256M", 9 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		struct machine *a = boot(&ks[i]), *b = restore_ok(a);
		struct machine *c = restore_ok(b);

		same_reports(a, c);
		same_snapshot(a, c);
		machine_free(a);
		machine_free(b);
		machine_free(c);
	}
}

/* --- damage --------------------------------------------------------------- */

/* A machine in a busy state, its snapshot. */
static struct machine *busy(uint8_t **buf, size_t *len)
{
	const struct cfg k = { 512ull << 20, false, 2, NULL, 11 };
	struct machine *m = boot(&k);
	struct gen g = { .rng = { 77 }, .m = m };

	random_ops(&g, m, 300);
	gen_free(&g);
	machine_snapshot(m, buf, len);
	return m;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Make the header agree with the bytes again: what a careless tool or a
 * fuzzer would do, so the checks behind the checksum get exercised. */
static void reseal(uint8_t *b, size_t len)
{
	if (len < SNAP_HEADER_SIZE)
		return;
	put_le(b + 16, len, 8);
	put_le(b + SNAP_CSUM_OFFSET, snap_checksum(b, len), 8);
}

/* Restore must refuse with MM_EINVAL "bad-snapshot" (or, resealed
 * damage that happens to be a valid state, succeed with a sound
 * machine). */
static void expect_refused(const struct machine_config *c, const uint8_t *b,
			   size_t len)
{
	struct machine *m = (struct machine *)1;
	struct mm_error err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(machine_restore(c, b, len, &m, &err), MM_EINVAL);
	assert_null(m);
	assert_string_equal(err.type, "bad-snapshot");
}

static void test_truncated(void **state)
{
	uint8_t *buf, *cut;
	size_t len;
	struct machine *m = busy(&buf, &len);

	(void)state;
	expect_refused(&m->config, NULL, 0);
	for (size_t n = 0; n < len; n++)
		expect_refused(&m->config, buf, n);
	/* cut short with the header fixed up: the sections must notice */
	cut = malloc(len);
	assert_non_null(cut);
	for (size_t n = SNAP_HEADER_SIZE; n < len;
	     n += n < 4096 ? 1 + n % 7 : 97 + n % 4093) {
		memcpy(cut, buf, n);
		reseal(cut, n);
		expect_refused(&m->config, cut, n);
	}
	free(cut);
	free(buf);
	machine_free(m);
}

/* Each section loses bytes at its end, its length and the header fixed
 * up: every field is counted, so no cut can go unnoticed. */
static void test_section_cuts(void **state)
{
	static const size_t cuts[] = { 1, 2, 3, 4, 5, 7, 8, 9, 16, 64, 4096 };
	uint8_t *buf, *b;
	size_t len, off = SNAP_HEADER_SIZE;
	struct machine *m = busy(&buf, &len);
	unsigned sections = 0;

	(void)state;
	b = malloc(len);
	assert_non_null(b);
	while (off + SNAP_SECTION_HEADER <= len) {
		uint64_t plen = get_le(buf + off + 8, 8);
		size_t body = off + SNAP_SECTION_HEADER;

		for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			size_t k = cuts[i], n = len - k;

			if (k > plen)
				continue;
			memcpy(b, buf, body + plen - k);
			memcpy(b + body + plen - k, buf + body + plen,
			       len - body - plen);
			put_le(b + off + 8, plen - k, 8);
			reseal(b, n);
			expect_refused(&m->config, b, n);
		}
		off = body + plen;
		sections++;
	}
	assert_int_equal(off, len);
	assert_int_equal(sections, SNAP_NR_SECTIONS);
	free(b);
	free(buf);
	machine_free(m);
}

static void test_flips(void **state)
{
	struct rng r = { 12345 };
	uint8_t *buf;
	size_t len;
	struct machine *m = busy(&buf, &len);

	(void)state;
	for (int i = 0; i < 3000; i++) {
		size_t at = below(&r, (uint32_t)len);
		uint8_t old = buf[at];

		buf[at] ^= (uint8_t)(1 + below(&r, 255));
		expect_refused(&m->config, buf, len);
		buf[at] = old;
	}
	free(buf);
	machine_free(m);
}

/* A restored machine that passed every check must be sound: it reports,
 * answers operations and goes away without a leak. */
static void exercise(struct machine *m)
{
	struct gen g = { .rng = { 5 }, .m = m };
	char why[256];

	assert_int_equal(slab_check(m, why, sizeof(why)), 0);
	for (size_t i = 0; api_report_names[i]; i++) {
		struct mm_error err;
		char *t;

		assert_int_equal(api_report(m, api_report_names[i], true, NULL,
					    &t, &err), MM_OK);
		free(t);
	}
	random_ops(&g, m, 60);
	gen_free(&g);
}

/* Where each section's payload lies in a snapshot. */
struct section_at {
	size_t off, len;
};

static unsigned sections_of(const uint8_t *buf, size_t len,
			    struct section_at *at)
{
	size_t off = SNAP_HEADER_SIZE;
	unsigned n = 0;

	while (off + SNAP_SECTION_HEADER <= len && n < SNAP_NR_SECTIONS) {
		at[n].off = off + SNAP_SECTION_HEADER;
		at[n].len = (size_t)get_le(buf + off + 8, 8);
		off = at[n].off + at[n].len;
		n++;
	}
	return n;
}

/* Damage one field: a random byte, a flipped bit, or a u32 made 0, -1,
 * one more or one less. */
static void damage(struct rng *r, uint8_t *b, size_t at, size_t end)
{
	uint64_t v;

	switch (below(r, 4)) {
	case 0:
		b[at] = (uint8_t)rnd(r);
		break;
	case 1:
		b[at] ^= (uint8_t)(1u << below(r, 8));
		break;
	default:
		if (at + 4 > end)
			at = end - 4;
		v = get_le(b + at, 4);
		v = chance(r, 25) ? 0 : chance(r, 33) ? 0xffffffffu :
		    chance(r, 50) ? v + 1 : v - 1;
		put_le(b + at, v, 4);
	}
}

/* Damage behind a valid checksum, spread evenly over the sections:
 * refused, or a state the checks find sound.  Never a crash or a leak. */
static void test_flips_resealed(void **state)
{
	struct rng r = { 999 };
	struct section_at at[SNAP_NR_SECTIONS];
	uint8_t *buf, *b;
	size_t len;
	struct machine *m = busy(&buf, &len);
	unsigned accepted[SNAP_NR_SECTIONS] = { 0 }, tries = 1800;

	(void)state;
	assert_int_equal(sections_of(buf, len, at), SNAP_NR_SECTIONS);
	b = malloc(len);
	assert_non_null(b);
	for (unsigned i = 0; i < tries; i++) {
		unsigned s = i % SNAP_NR_SECTIONS;
		struct machine *out = NULL;
		struct mm_error err;

		memcpy(b, buf, len);
		for (int f = 1 + (int)below(&r, 2); f > 0; f--)
			damage(&r, b, at[s].off +
			       below(&r, (uint32_t)at[s].len),
			       at[s].off + at[s].len);
		reseal(b, len);
		if (machine_restore(&m->config, b, len, &out, &err) == MM_OK) {
			accepted[s]++;
			exercise(out);
			machine_free(out);
		} else {
			assert_null(out);
			assert_string_equal(err.type, "bad-snapshot");
		}
	}
	print_message("damaged snapshots still valid, by section (of %u "
		      "each):", tries / SNAP_NR_SECTIONS);
	for (unsigned s = 0; s < SNAP_NR_SECTIONS; s++)
		print_message(" %u", accepted[s]);
	print_message("\n");
	free(b);
	free(buf);
	machine_free(m);
}

static void test_header(void **state)
{
	uint8_t *buf;
	size_t len;
	struct machine *m = busy(&buf, &len);
	struct machine *out;
	struct mm_error err;

	(void)state;
	buf[0] = 'X';
	reseal(buf, len);
	assert_int_equal(machine_restore(&m->config, buf, len, &out, &err),
			 MM_EINVAL);
	assert_non_null(strstr(err.detail, "magic"));
	buf[0] = 'M';
	put_le(buf + 6, SNAPSHOT_VERSION + 1, 2);
	reseal(buf, len);
	assert_int_equal(machine_restore(&m->config, buf, len, &out, &err),
			 MM_EINVAL);
	assert_non_null(strstr(err.detail, "version"));
	put_le(buf + 6, SNAPSHOT_VERSION, 2);
	reseal(buf, len);
	assert_int_equal(machine_restore(&m->config, buf, len, &out, &err),
			 MM_OK);
	machine_free(out);
	free(buf);
	machine_free(m);
}

/* A snapshot belongs to its configuration. */
static void test_other_config(void **state)
{
	uint8_t *buf;
	size_t len;
	struct machine *m = busy(&buf, &len), *out;
	struct machine_config c;
	struct mm_error err;

	(void)state;
	for (int i = 0; i < 6; i++) {
		c = m->config;
		switch (i) {
		case 0: c.ram = 1ull << 30; break;
		case 1: c.pae = true; break;
		case 2: c.seed++; break;
		case 3: snprintf(c.cmdline, sizeof(c.cmdline), "norandmaps");
			break;
		case 4: c.cpus = 1; break;
		default: c.initrd = 1 << 20; break;
		}
		out = (struct machine *)1;
		assert_int_equal(machine_restore(&c, buf, len, &out, &err),
				 MM_EINVAL);
		assert_null(out);
		assert_string_equal(err.type, "bad-snapshot");
		assert_non_null(strstr(err.detail, "another configuration"));
	}
	/* a configuration that cannot boot is its own error */
	c = m->config;
	c.cpus = 0;
	assert_int_not_equal(machine_restore(&c, buf, len, &out, &err), MM_OK);
	assert_string_not_equal(err.type, "bad-snapshot");
	free(buf);
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_2g),
		cmocka_unit_test(test_roundtrip_4g),
		cmocka_unit_test(test_roundtrip_4g_pae),
		cmocka_unit_test(test_roundtrip_512m_oom),
		cmocka_unit_test(test_roundtrip_vmalloc256m),
		cmocka_unit_test(test_roundtrip_smp_pae),
		cmocka_unit_test(test_pcp_roundtrip),
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_section_cuts),
		cmocka_unit_test(test_flips),
		cmocka_unit_test(test_flips_resealed),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_other_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

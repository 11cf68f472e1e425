/*
 * test_refusals.c - a refused operation either leaves the machine
 * bit-identical or says it moved state (err.changed), and then replaying
 * it lands on the same machine.
 *
 * Each scenario runs operations on a machine the way the server does and
 * keeps the journal the server would keep: every successful operation
 * that changes the machine, and every refusal with changed set.  Around
 * every probed operation the snapshot bytes are compared: a refusal
 * without changed, or any read-only operation, must leave them as they
 * were; after a refusal with changed, the journal replayed on a freshly
 * booted machine must give the live machine's bytes.  The probes cover
 * every operation with bad, missing and mistyped arguments on several
 * configurations and states, then each state conflict and each way of
 * running out (vmalloc that steals pageblocks and then fails, pkmap and
 * kmap_local full, kmalloc and alloc_pages out of memory, process
 * limits, mmap failures, faults with no memory left for page tables).
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
#include "helpers.h"
#include "snapshot.h"

struct run {
	struct machine *m;
	json_t *config;
	json_t *journal;	/* [{op, args}] as the server keeps it */
	struct mm_error err;	/* of the last operation */
	unsigned probes, refusals, changed;
};

/* Every refusal slug seen, over all scenarios, for the summary. */
static char seen[128][40];
static unsigned nr_seen;

static void note_type(const char *type)
{
	for (unsigned i = 0; i < nr_seen; i++)
		if (!strcmp(seen[i], type))
			return;
	if (nr_seen < 128)
		snprintf(seen[nr_seen++], sizeof(seen[0]), "%s", type);
}

static json_t *jsf(const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return js(buf);
}

static struct machine *boot(const json_t *config)
{
	struct machine *m = NULL;
	struct mm_error err = { 0 };

	if (api_machine_boot(config, &m, &err) != MM_OK)
		fail_msg("boot: %s: %s", err.type, err.detail);
	return m;
}

static void start(struct run *r, const char *config)
{
	memset(r, 0, sizeof(*r));
	r->config = js(config);
	r->m = boot(r->config);
	r->journal = json_array();
}

/* The journal replayed on a fresh machine gives the live machine's bytes. */
static void check_replay(struct run *r, const char *what)
{
	struct machine *fresh = boot(r->config);
	uint8_t *x, *y;
	size_t nx, ny, i;
	json_t *it;

	json_array_foreach(r->journal, i, it) {
		struct mm_error err = { 0 };
		json_t *res = NULL;

		api_op(fresh, json_string_value(json_object_get(it, "op")),
		       json_object_get(it, "args"), &res, &err);
		json_decref(res);
	}
	machine_snapshot(r->m, &x, &nx);
	machine_snapshot(fresh, &y, &ny);
	if (nx != ny || memcmp(x, y, nx))
		fail_msg("after %s, replaying the %zu journalled operations "
			 "gives another machine", what,
			 json_array_size(r->journal));
	free(x);
	free(y);
	machine_free(fresh);
}

static void finish(struct run *r)
{
	check_replay(r, "the scenario");
	machine_free(r->m);
	json_decref(r->config);
	json_decref(r->journal);
}

static void journal(struct run *r, const char *op, json_t *args)
{
	json_array_append_new(r->journal, json_pack("{s:s, s:O}", "op", op,
						    "args", args));
}

/*
 * Run op with args (stolen) as the server would; with probe, compare the
 * snapshot bytes around it.  Returns the result (the caller's) or NULL.
 */
static json_t *run_op(struct run *r, bool probe, const char *op, json_t *args)
{
	uint8_t *x = NULL, *y;
	size_t nx = 0, ny;
	json_t *res = NULL;
	char what[256];
	int rc;

	if (probe)
		machine_snapshot(r->m, &x, &nx);
	/* zeroed, as a caller might: the model must set changed itself */
	memset(&r->err, 0, sizeof(r->err));
	rc = api_op(r->m, op, args, &res, &r->err);
	{
		char *a = json_dumps(args, JSON_COMPACT);

		snprintf(what, sizeof(what), "%s %.200s", op, a);
		free(a);
	}
	if (rc == MM_OK ? api_op_mutates(op) : r->err.changed)
		journal(r, op, args);
	if (rc != MM_OK) {
		note_type(r->err.type);
		r->refusals++;
	}
	if (probe) {
		r->probes++;
		machine_snapshot(r->m, &y, &ny);
		if ((rc != MM_OK && !r->err.changed) ||
		    (rc == MM_OK && !api_op_mutates(op))) {
			if (nx != ny || memcmp(x, y, nx))
				fail_msg("%s: %s (%s) changed the machine "
					 "without saying so", what,
					 rc ? "refused" : "read-only",
					 rc ? r->err.type : "ok");
		}
		free(x);
		free(y);
	}
	if (rc != MM_OK && r->err.changed) {
		r->changed++;
		check_replay(r, what);
	}
	json_decref(args);
	return res;
}

/* run_op with the arguments as printf-style JSON text */
static json_t *run_fmt(struct run *r, bool probe, const char *op,
		       const char *fmt, va_list ap)
{
	return run_op(r, probe, op, jsf(fmt, ap));
}

static json_t *probe(struct run *r, const char *op, const char *fmt, ...)
{
	va_list ap;
	json_t *res;

	va_start(ap, fmt);
	res = run_fmt(r, true, op, fmt, ap);
	va_end(ap);
	return res;
}

/* A probe whose result is not needed. */
static void probe_drop(struct run *r, const char *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	json_decref(run_fmt(r, true, op, fmt, ap));
	va_end(ap);
}

/* A probe that must be refused with type. */
static void refuse(struct run *r, const char *type, const char *op,
		   const char *fmt, ...)
{
	va_list ap;
	json_t *res;

	va_start(ap, fmt);
	res = run_fmt(r, true, op, fmt, ap);
	va_end(ap);
	if (res)
		fail_msg("%s was accepted; expected %s", op, type);
	assert_string_equal(r->err.type, type);
}

/* Setting a state up: must succeed; no snapshot comparison. */
static json_t *setup(struct run *r, const char *op, const char *fmt, ...)
{
	va_list ap;
	json_t *res;

	va_start(ap, fmt);
	res = run_fmt(r, false, op, fmt, ap);
	va_end(ap);
	if (!res)
		fail_msg("setting up, %s was refused: %s: %s", op,
			 r->err.type, r->err.detail);
	return res;
}

static void setup_drop(struct run *r, const char *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	json_decref(run_fmt(r, false, op, fmt, ap));
	va_end(ap);
}

static const char *str_of(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	if (!s)
		fail_msg("no string %s in the result", k);
	return s;
}

/* An alloc_pages while setting up: the block, or NULL when it ran out of
 * memory (a 422 out-of-memory, the only refusal allowed here). */
static json_t *alloc_or_oom(struct run *r, const char *fmt, ...)
{
	va_list ap;
	json_t *res;

	va_start(ap, fmt);
	res = run_fmt(r, false, "alloc_pages", fmt, ap);
	va_end(ap);
	if (!res && strcmp(r->err.type, "out-of-memory"))
		fail_msg("setting up, alloc_pages was refused: %s: %s",
			 r->err.type, r->err.detail);
	return res;
}

/* The last order-0 pages exhaust() took, to give a few back. */
static char spare[64][16];
static unsigned nr_spare;

/* Take every page the allocator gives for gfp, biggest blocks first. */
static void exhaust(struct run *r, const char *gfp)
{
	for (int order = 10; order >= 0; order--) {
		for (;;) {
			json_t *res = alloc_or_oom(r, "{\"order\": %d, "
						   "\"gfp\": \"%s\"}", order,
						   gfp);

			if (!res)
				break;
			if (order == 0)
				snprintf(spare[nr_spare++ % 64], sizeof(spare[0]),
					 "%s", str_of(res, "pfn"));
			json_decref(res);
		}
	}
}

/* Give n of the spare pages back. */
static void give_back(struct run *r, unsigned n)
{
	while (n-- && nr_spare)
		json_decref(setup(r, "free_pages", "{\"pfn\": \"%s\"}",
				  spare[--nr_spare % 64]));
}

/* A machine with process 1 and an anonymous mapping of len in it, not yet
 * touched: the faults in it need memory. */
static void start_mapped(struct run *r, const char *config, const char *len)
{
	start(r, config);
	setup_drop(r, "process_create", "{}");
	setup_drop(r, "mmap", "{\"pid\": 1, \"len\": \"%s\", \"prot\": 3, "
		   "\"flags\": \"MAP_PRIVATE|MAP_ANONYMOUS\"}", len);
}

/* --- every operation, every argument, every wrong value ---------------------------- */

static const char *const bad_values[] = {
	"true", "null", "[]", "{}", "-1", "1.5", "\"junk\"", "\"\"",
	"\"0xffffffffffffffff\"", "\"0xfffffffffffff000\"", "1e300",
	"4294967296", "0", "\"0x1000\"", "\"4G\"", "[\"0x1\", -2]",
};

static void every_argument(struct run *r)
{
	const char *op;

	for (size_t i = 0; (op = api_op_name(i)); i++) {
		const char *const *args = api_op_args(op);

		/* not an object; an unknown field; nothing at all */
		probe_drop(r, op, "[1]");
		probe_drop(r, op, "{\"no_such_field\": 1}");
		probe_drop(r, op, "{}");
		for (; *args; args++)
			for (size_t v = 0; v < ARRAY_SIZE(bad_values); v++) {
				probe_drop(r, op, "{\"%s\": %s}",
					   *args, bad_values[v]);
				/* past a valid pid, where the op has one */
				if (strcmp(*args, "pid"))
					probe_drop(r, op, "{\"pid\": 1,"
					 " \"%s\": %s}", *args,
					 bad_values[v]);
			}
	}
	/* an unknown operation */
	refuse(r, "unknown-operation", "no_such_op", "{}");
}

static void busy(struct run *r)
{
	json_t *p;

	setup_drop(r, "process_create", "{}");
	setup_drop(r, "mmap", "{\"pid\": 1, \"len\": \"64K\", \"prot\": 3, "
		   "\"flags\": \"MAP_PRIVATE|MAP_ANONYMOUS\"}");
	setup_drop(r, "fork", "{\"pid\": 1}");
	setup_drop(r, "kmalloc", "{\"size\": 100}");
	setup_drop(r, "vmalloc", "{\"size\": \"64K\"}");
	p = setup(r, "alloc_pages", "{\"order\": 0, \"gfp\": "
		  "\"GFP_HIGHUSER\"}");
	setup_drop(r, "kmap", "{\"pfn\": \"%s\"}", str_of(p, "pfn"));
	json_decref(p);
}

static void test_every_argument(void **state)
{
	static const char *const configs[] = {
		"{\"ram\": \"64M\"}",
		"{\"ram\": \"2G\", \"pae\": true, \"cpus\": 2}",
		"{\"ram\": \"1G\", \"vmsplit\": \"2G\"}",
	};

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(configs); c++) {
		struct run r;

		start(&r, configs[c]);
		every_argument(&r);
		busy(&r);
		every_argument(&r);
		print_message("%s: %u probes, %u refusals, %u changed\n",
			      configs[c], r.probes, r.refusals, r.changed);
		finish(&r);
	}
}

/* --- running out --------------------------------------------------------------------- */

/*
 * The known case: a vmalloc bigger than what is free takes pages (stealing
 * movable pageblocks for its unmovable ones) and then fails; it gives the
 * pages back, but the stolen pageblocks keep their new migratetype.
 */
static void test_vmalloc_steals_then_fails(void **state)
{
	struct run r;

	(void)state;
	start(&r, "{\"ram\": \"128M\", \"cmdline\": \"vmalloc=256M\"}");
	refuse(&r, "out-of-memory", "vmalloc", "{\"size\": \"110M\"}");
	assert_true(r.err.changed);
	refuse(&r, "out-of-memory", "vzalloc", "{\"size\": \"110M\"}");
	/* and after it, what was acknowledged stays acknowledged */
	json_decref(setup(&r, "alloc_pages", "{\"order\": 3}"));
	finish(&r);
}

/*
 * A vmalloc whose pages[] array kmalloc finds its CPU slab full, no
 * partial slab and no page for a new one: the full CPU slab has already
 * left the CPU when the allocation fails, and that stays.
 */
static void test_slab_retired_then_fails(void **state)
{
	struct run r;
	bool fresh = false;

	(void)state;
	start(&r, "{\"ram\": \"64M\"}");
	/* a new kmalloc-64 slab, then fill it: no partial slab is left */
	for (;;) {
		json_t *res = setup(&r, "kmalloc", "{\"size\": 64}");
		const json_t *slab = json_object_get(res, "slab");
		bool full = json_integer_value(json_object_get(slab, "inuse")) ==
			    json_integer_value(json_object_get(slab, "objects"));

		fresh |= !strcmp(str_of(res, "from"), "new-slab");
		json_decref(res);
		if (fresh && full)
			break;
	}
	exhaust(&r, "GFP_KERNEL");
	refuse(&r, "out-of-memory", "vmalloc", "{\"size\": \"64K\"}");
	finish(&r);
}

static void test_vmalloc_space(void **state)
{
	struct run r;

	(void)state;
	start(&r, "{\"ram\": \"2G\", \"cmdline\": \"vmalloc=64M\"}");
	static const char *const sizes[] = { "8M", "1M", "64K", "4K" };

	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		for (int i = 0; i < 64; i++) {
			json_t *res = probe(&r, "vmalloc", "{\"size\": "
					    "\"%s\"}", sizes[k]);

			if (!res)
				break;
			json_decref(res);
		}
		assert_string_equal(r.err.type, "vmalloc-space-exhausted");
	}
	refuse(&r, "vmalloc-space-exhausted", "ioremap",
	       "{\"phys\": \"0xf0000000\", \"size\": \"64M\"}");
	refuse(&r, "vmalloc-space-exhausted", "vmap",
	       "{\"pfns\": [1, 2, 3, 4]}");
	finish(&r);
}

static void test_pkmap_full(void **state)
{
	static const char *const configs[] = {
		"{\"ram\": \"2G\", \"cpus\": 2}",
		"{\"ram\": \"2G\", \"pae\": true, \"cpus\": 2}",
	};

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(configs); c++) {
		struct run r;
		unsigned long pfn = 0x40000;	/* highmem on both */
		json_t *res;

		start(&r, configs[c]);
		for (;; pfn++) {
			res = run_op(&r, false, "kmap", json_pack("{s:I}",
				     "pfn", (json_int_t)pfn));
			if (!res)
				break;
			json_decref(res);
		}
		assert_string_equal(r.err.type, "pkmap-full");
		refuse(&r, "pkmap-full", "kmap", "{\"pfn\": %lu}", pfn + 1);
		/* kunmap one and the next kmap flushes */
		json_decref(setup(&r, "kunmap", "{\"pfn\": %lu}", pfn - 1));
		probe_drop(&r, "kmap", "{\"pfn\": %lu}", pfn + 1);
		refuse(&r, "pkmap-full", "kmap", "{\"pfn\": %lu}", pfn + 2);
		refuse(&r, "not-kmapped", "kunmap", "{\"pfn\": %lu}", pfn + 9);
		for (int i = 0; i < 16; i++)
			json_decref(setup(&r, "kmap_local_page",
					  "{\"pfn\": %d}", 0x60000 + i));
		refuse(&r, "kmap-local-full", "kmap_local_page",
		       "{\"pfn\": %d}", 0x60010);
		refuse(&r, "kmap-local-full", "kmap_atomic", "{\"pfn\": %d}",
		       0x60011);
		probe_drop(&r, "kmap_local_page", "{\"pfn\": %d, "
			   "\"cpu\": 1}", 0x60011);
		refuse(&r, "kunmap-local-order", "kunmap_local",
		       "{\"addr\": \"%s\"}", "0xfff00000");
		res = setup(&r, "kmap_atomic", "{\"pfn\": %d, \"cpu\": 1}",
			    0x60020);
		refuse(&r, "kunmap-kind", "kunmap_local", "{\"addr\": \"%s\", "
		       "\"cpu\": 1}", str_of(res, "addr"));
		json_decref(res);
		finish(&r);
	}
}

static void test_memory_exhausted(void **state)
{
	static const char *const configs[] = {
		"{\"ram\": \"64M\"}", "{\"ram\": \"1G\", \"pae\": true}",
	};

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(configs); c++) {
		struct run r;

		start_mapped(&r, configs[c], "16M");
		exhaust(&r, "GFP_HIGHUSER_MOVABLE");
		exhaust(&r, "GFP_KERNEL");
		/* every allocator, out of memory, at every order */
		for (int o = 0; o <= 10; o++)
			probe_drop(&r, "alloc_pages", "{\"order\": %d, "
				   "\"gfp\": \"GFP_ATOMIC\"}", o);
		probe_drop(&r, "alloc_pages", "{\"order\": 0, \"gfp\": "
			   "\"GFP_KERNEL | __GFP_HIGH\"}");
		/* out of memory is a refusal, 422 out-of-memory, never a
		 * result (docs/daemon.md, "Refusals") */
		refuse(&r, "out-of-memory", "kmalloc", "{\"size\": 8192}");
		refuse(&r, "out-of-memory", "kmalloc", "{\"size\": 64}");
		refuse(&r, "out-of-memory", "kzalloc", "{\"size\": \"1M\"}");
		probe_drop(&r, "kmem_cache_create", "{\"name\": "
			   "\"t\", \"size\": 200}");
		probe_drop(&r, "kmem_cache_alloc", "{\"cache\": "
			   "\"t\"}");
		probe_drop(&r, "vmalloc", "{\"size\": \"1M\"}");
		probe_drop(&r, "vzalloc", "{\"size\": 4096}");
		probe_drop(&r, "vmap", "{\"pfns\": [256, 257]}");
		probe_drop(&r, "ioremap", "{\"phys\": \"0xfed00000\", "
			   "\"size\": \"0x400\"}");
		probe_drop(&r, "process_create", "{}");
		probe_drop(&r, "fork", "{\"pid\": 1}");
		/* faults that need pages and page tables: the OOM killer */
		for (int i = 0; i < 8; i++)
			probe_drop(&r, "access", "{\"pid\": 1, \"addr\": "
				   "\"%s\", \"access\": \"write\"}",
				   i & 1 ? "0xb7000000" : "0x40000000");
		probe_drop(&r, "uwrite", "{\"pid\": 1, \"addr\": "
			   "\"0x40000000\", \"hex\": \"01\"}");
		probe_drop(&r, "copy_to_user", "{\"pid\": 1, \"uaddr\": "
			   "\"0x40001000\", \"kaddr\": \"0xc0100000\", "
			   "\"len\": 4}");
		probe_drop(&r, "brk", "{\"pid\": 1, \"addr\": "
			   "\"0x10000000\"}");
		probe_drop(&r, "mmap", "{\"pid\": 1, \"len\": \"4K\", "
			   "\"prot\": 3, \"flags\": "
			   "\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE\"}");
		probe_drop(&r, "write", "{\"addr\": \"0xf8000000\", "
			   "\"text\": \"x\"}");
		print_message("%s exhausted: %u probes, %u refusals, %u "
			      "changed\n", configs[c], r.probes, r.refusals,
			      r.changed);
		finish(&r);
	}
}

/*
 * Nearly out: a few pages free, so an operation that needs more gets some
 * of them (page tables, a pgd, a slab, the first pages of an area) before
 * it fails.
 */
static void test_nearly_out(void **state)
{
	static const char *const configs[] = {
		"{\"ram\": \"64M\"}", "{\"ram\": \"1G\", \"pae\": true}",
	};

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(configs); c++) {
		struct run r;

		start_mapped(&r, configs[c], "64M");
		nr_spare = 0;
		exhaust(&r, "GFP_KERNEL");
		for (unsigned k = 0; k < 12; k++) {
			give_back(&r, 1 + k % 3);
			probe_drop(&r, "vmalloc", "{\"size\": \"64K\"}");
			probe_drop(&r, "fork", "{\"pid\": 1}");
			probe_drop(&r, "process_create", "{}");
			probe_drop(&r, "kmalloc", "{\"size\": 2048}");
			probe_drop(&r, "kmem_cache_create", "{\"name\": "
				   "\"c%u\", \"size\": 3000}", k);
			probe_drop(&r, "kmem_cache_alloc", "{\"cache\": "
				   "\"c%u\"}", k);
			probe_drop(&r, "vmap", "{\"pfns\": [\"%s\"]}",
				   spare[0]);
			probe_drop(&r, "mmap", "{\"pid\": 1, \"len\": "
				   "\"1M\", \"prot\": 3, \"flags\": "
				   "\"MAP_PRIVATE|MAP_ANONYMOUS|"
				   "MAP_POPULATE\"}");
			probe_drop(&r, "uwrite", "{\"pid\": 1, \"addr\": "
				   "\"0x%x\", \"hex\": \"0102\"}",
				   0x40000000 + k * 0x400000 - 1);
			probe_drop(&r, "access", "{\"pid\": 1, \"addr\": "
				   "\"0x%x\", \"access\": \"write\"}",
				   0x41000000 + k * 0x400000);
		}
		print_message("%s nearly out: %u probes, %u refusals, %u "
			      "changed\n", configs[c], r.probes, r.refusals,
			      r.changed);
		finish(&r);
	}
}

/* --- state conflicts ------------------------------------------------------------------- */

static void test_conflicts(void **state)
{
	struct run r;
	json_t *p, *k, *v;
	char pfn[32], addr[32], vaddr[32];

	(void)state;
	start(&r, "{\"ram\": \"512M\"}");
	p = setup(&r, "alloc_pages", "{\"order\": 2}");
	snprintf(pfn, sizeof(pfn), "%s", str_of(p, "pfn"));
	json_decref(p);
	refuse(&r, "wrong-order", "free_pages", "{\"pfn\": \"%s\", "
	       "\"order\": 1}", pfn);
	refuse(&r, "not-block-head", "free_pages", "{\"pfn\": %llu, "
	       "\"order\": 0}", strtoull(pfn, NULL, 16) + 1);
	probe_drop(&r, "free_pages", "{\"pfn\": 0}");
	probe_drop(&r, "free_pages", "{\"pfn\": \"0x1000\"}");
	probe_drop(&r, "free_pages", "{\"pfn\": \"0x9f\"}");
	probe_drop(&r, "free_pages", "{\"pfn\": \"0xfffff\"}");
	probe_drop(&r, "alloc_pages", "{\"gfp\": "
		   "\"__GFP_DMA | __GFP_HIGHMEM\"}");
	probe_drop(&r, "alloc_pages", "{\"gfp\": "
		   "\"__GFP_MOVABLE | __GFP_RECLAIMABLE\"}");
	probe_drop(&r, "alloc_pages", "{\"gfp\": \"0x80000000\"}");
	probe_drop(&r, "kmalloc", "{\"size\": 64, \"gfp\": "
		   "\"GFP_KERNEL | __GFP_HIGHMEM\"}");
	probe_drop(&r, "kmalloc", "{\"size\": \"64M\"}");
	probe_drop(&r, "vmap", "{\"pfns\": [\"0x7fff0\"]}");
	refuse(&r, "frame-free", "vmap", "{\"pfns\": [\"0x10000\"]}");
	refuse(&r, "ioremap-ram", "ioremap", "{\"phys\": \"0x10000000\", "
	       "\"size\": 4096}");
	probe_drop(&r, "vmap", "{\"pfns\": [\"0xa0\"]}");
	probe_drop(&r, "ioremap", "{\"phys\": \"0x1000000\", "
		   "\"size\": 4096}");
	probe_drop(&r, "kmem_cache_destroy", "{\"cache\": "
		   "\"kmalloc-64\"}");
	json_decref(setup(&r, "free_pages", "{\"pfn\": \"%s\", \"order\": 2}",
			  pfn));
	refuse(&r, "double-free", "free_pages", "{\"pfn\": \"%s\", "
	       "\"order\": 2}", pfn);
	k = setup(&r, "kmalloc", "{\"size\": 64}");
	snprintf(addr, sizeof(addr), "%s", str_of(k, "addr"));
	json_decref(k);
	json_decref(setup(&r, "kfree", "{\"addr\": \"%s\"}", addr));
	refuse(&r, "double-free", "kfree", "{\"addr\": \"%s\"}", addr);
	k = setup(&r, "kmalloc", "{\"size\": 64}");
	probe_drop(&r, "kfree", "{\"addr\": \"0x%llx\"}",
		   strtoull(str_of(k, "addr"), NULL, 16) + 4);
	{
		/* a slab's page is not alloc_pages's to free */
		json_t *f = probe(&r, "frame", "{\"phys\": \"0x%llx\"}",
				  strtoull(str_of(k, "addr"), NULL, 16) -
				  0xc0000000ull);

		probe_drop(&r, "free_pages", "{\"pfn\": \"%s\"}",
			   str_of(f, "head"));
		json_decref(f);
	}
	json_decref(k);
	probe_drop(&r, "kfree", "{\"addr\": \"0xc0000001\"}");
	probe_drop(&r, "kfree", "{\"addr\": \"0x1000\"}");
	probe_drop(&r, "krealloc", "{\"addr\": \"%s\", \"size\": 99}",
		   addr);
	probe_drop(&r, "ksize", "{\"addr\": \"%s\"}", addr);
	json_decref(setup(&r, "kmem_cache_create", "{\"name\": \"c1\", "
			  "\"size\": 96}"));
	refuse(&r, "duplicate-cache", "kmem_cache_create", "{\"name\": "
	       "\"c1\", \"size\": 96}");
	k = setup(&r, "kmem_cache_alloc", "{\"cache\": \"c1\"}");
	snprintf(addr, sizeof(addr), "%s", str_of(k, "addr"));
	json_decref(k);
	refuse(&r, "cache-in-use", "kmem_cache_destroy", "{\"cache\": "
	       "\"c1\"}");
	probe_drop(&r, "kmem_cache_free", "{\"cache\": \"kmalloc-64\", "
		   "\"addr\": \"%s\"}", addr);
	refuse(&r, "no-such-cache", "kmem_cache_alloc", "{\"cache\": "
	       "\"nope\"}");
	v = setup(&r, "vmalloc", "{\"size\": \"16K\"}");
	snprintf(vaddr, sizeof(vaddr), "%s", str_of(v, "addr"));
	json_decref(v);
	probe_drop(&r, "vunmap", "{\"addr\": \"%s\"}", vaddr);
	v = probe(&r, "translate", "{\"addr\": \"%s\"}", vaddr);
	refuse(&r, "not-alloc-pages", "free_pages", "{\"phys\": \"%s\"}",
	       str_of(v, "phys"));
	json_decref(v);
	probe_drop(&r, "read", "{\"addr\": \"%s\", \"len\": 8}",
		   vaddr);
	probe_drop(&r, "iounmap", "{\"addr\": \"%s\"}", vaddr);
	json_decref(setup(&r, "vfree", "{\"addr\": \"%s\"}", vaddr));
	probe_drop(&r, "vfree", "{\"addr\": \"%s\"}", vaddr);
	probe_drop(&r, "ioremap", "{\"phys\": \"0x1000000\", "
		   "\"size\": 4096}");
	refuse(&r, "no-such-process", "fork", "{\"pid\": 9}");
	json_decref(setup(&r, "process_create", "{}"));
	json_decref(setup(&r, "proc_limits", "{\"max_processes\": 2, "
			  "\"max_map_count\": 8}"));
	/* the first limit is fine, the second is refused: neither is set */
	refuse(&r, "bad-argument", "proc_limits", "{\"max_map_count\": 13, "
	       "\"max_processes\": 0}");
	json_decref(setup(&r, "fork", "{\"pid\": 1}"));
	probe_drop(&r, "fork", "{\"pid\": 1}");
	probe_drop(&r, "process_create", "{}");
	for (int i = 0; i < 12; i++)
		probe_drop(&r, "mmap", "{\"pid\": 1, \"addr\": "
			   "\"0x%x\", \"len\": 4096, \"prot\": %d, "
			   "\"flags\": \"MAP_PRIVATE|MAP_ANONYMOUS|"
			   "MAP_FIXED\"}", 0x20000000 + i * 0x2000,
			   1 + (i & 1));
	probe_drop(&r, "mprotect", "{\"pid\": 1, \"addr\": "
		   "\"0x20000000\", \"len\": \"0x10000\", \"prot\": 3}");
	probe_drop(&r, "munmap", "{\"pid\": 1, \"addr\": "
		   "\"0x20001000\", \"len\": \"0x2000\"}");
	probe_drop(&r, "mmap", "{\"pid\": 1, \"addr\": \"0x20000000\", "
		   "\"len\": 4096, \"prot\": 3, \"flags\": "
		   "\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE\"}");
	probe_drop(&r, "mmap", "{\"pid\": 1, \"addr\": \"0x1000\", "
		   "\"len\": 4096, \"prot\": 3, \"flags\": "
		   "\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED\"}");
	probe_drop(&r, "mmap", "{\"pid\": 1, \"len\": \"3G\", "
		   "\"prot\": 3, \"flags\": \"MAP_PRIVATE|MAP_ANONYMOUS\"}");
	probe_drop(&r, "access", "{\"pid\": 1, \"addr\": \"0x10\"}");
	probe_drop(&r, "access", "{\"pid\": 1, \"addr\": "
		   "\"0x20000000\", \"access\": \"write\"}");
	probe_drop(&r, "uwrite", "{\"pid\": 1, \"addr\": \"0x10\", "
		   "\"hex\": \"01\"}");
	probe_drop(&r, "uread", "{\"pid\": 1, \"addr\": \"0x10\", "
		   "\"len\": 1}");
	probe_drop(&r, "copy_from_user", "{\"pid\": 1, \"uaddr\": "
		   "\"0x10\", \"kaddr\": \"0xc0100000\", \"len\": 4}");
	probe_drop(&r, "copy_to_user", "{\"pid\": 1, \"uaddr\": "
		   "\"0x20000000\", \"kaddr\": \"0x10\", \"len\": 4}");
	probe_drop(&r, "brk", "{\"pid\": 1, \"addr\": \"0xbf000000\"}");
	probe_drop(&r, "mmap", "{\"pid\": 1, \"len\": 4096, "
		   "\"prot\": 3, \"flags\": \"MAP_PRIVATE\"}");
	probe_drop(&r, "mmap", "{\"pid\": 1, \"len\": 4096, "
		   "\"prot\": 3, \"flags\": \"MAP_ANONYMOUS\"}");
	probe_drop(&r, "exit", "{\"pid\": 1}");
	probe_drop(&r, "exit", "{\"pid\": 1}");
	probe_drop(&r, "write", "{\"addr\": \"0x10\", \"text\": "
		   "\"x\"}");
	probe_drop(&r, "read", "{\"addr\": \"0xffffe000\", "
		   "\"len\": 8}");
	probe_drop(&r, "kunmap_atomic", "{\"addr\": \"0xc0000000\"}");
	k = setup(&r, "kmap_atomic", "{\"pfn\": \"0x1f000\"}");
	probe_drop(&r, "kunmap_local", "{\"addr\": \"%s\"}",
		   str_of(k, "addr"));
	probe_drop(&r, "kunmap_atomic", "{\"addr\": \"%s\", "
		   "\"cpu\": 1}", str_of(k, "addr"));
	json_decref(k);
	probe_drop(&r, "kmap", "{\"pfn\": \"0xa0\"}");
	finish(&r);
}

/*
 * Page-table entries written by hand (write takes any physical address,
 * a page table's too): entries that point past RAM, past 4 GiB, past the
 * 36-bit space, at PFN_NONE.  Whatever walks them afterwards refuses or
 * answers, and nothing reads or writes a frame that is not there (ASan
 * runs this).
 */
static void crafted(struct run *r, bool pae)
{
	static const char *const junk[] = {
		"ffffffff", "67f0ffff", "e7ffffff", "67000000",
		"67f0ffffff0f0000", "e7ffffffffffff7f", "6700000000000000",
	};
	json_t *t;
	char entry[8][32];
	unsigned n = 0;
	size_t i;
	json_t *st;

	t = probe(r, "translate", "{\"pid\": 1, \"addr\": \"0x40000000\"}");
	json_array_foreach(json_object_get(t, "steps"), i, st)
		if (n < 8)
			snprintf(entry[n++], 32, "%s",
				 str_of(st, "entry_addr"));
	json_decref(t);
	t = probe(r, "translate", "{\"addr\": \"0xf8000000\"}");
	json_array_foreach(json_object_get(t, "steps"), i, st)
		if (n < 8)
			snprintf(entry[n++], 32, "%s",
				 str_of(st, "entry_addr"));
	json_decref(t);
	for (unsigned e = 0; e < n; e++)
		for (size_t j = 0; j < ARRAY_SIZE(junk); j++) {
			if (!pae && strlen(junk[j]) > 8)
				continue;
			json_decref(setup(r, "write", "{\"phys\": \"%s\", "
					  "\"hex\": \"%s\"}", entry[e], junk[j]));
			probe_drop(r, "access", "{\"pid\": 1, \"addr\": "
				   "\"0x40000000\", \"access\": \"write\"}");
			probe_drop(r, "uwrite", "{\"pid\": 1, \"addr\": "
				   "\"0x40000ffe\", \"hex\": \"0102\"}");
			probe_drop(r, "uread", "{\"pid\": 1, \"addr\": "
				   "\"0x40000000\", \"len\": 16}");
			probe_drop(r, "pagemap", "{\"pid\": 1}");
			probe_drop(r, "process_pagetables", "{\"pid\": 1}");
			probe_drop(r, "translate", "{\"pid\": 1, \"addr\": "
				   "\"0x40000000\"}");
			probe_drop(r, "read", "{\"addr\": \"0xf8000000\", "
				   "\"len\": 16}");
			probe_drop(r, "write", "{\"addr\": \"0xf8000ffe\", "
				   "\"hex\": \"0102\"}");
			probe_drop(r, "vmalloc", "{\"size\": \"64K\"}");
			probe_drop(r, "kmap", "{\"pfn\": \"0x1f000\"}");
		}
	probe_drop(r, "fork", "{\"pid\": 1}");
	probe_drop(r, "munmap", "{\"pid\": 1, \"addr\": \"0x40000000\", "
		   "\"len\": \"1M\"}");
	probe_drop(r, "exit", "{\"pid\": 2}");
	probe_drop(r, "exit", "{\"pid\": 1}");
}

static void test_crafted_tables(void **state)
{
	static const struct { const char *config; bool pae; } cases[] = {
		{ "{\"ram\": \"512M\"}", false },
		{ "{\"ram\": \"2G\", \"pae\": true}", true },
	};

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct run r;

		start(&r, cases[c].config);
		setup_drop(&r, "process_create", "{}");
		setup_drop(&r, "mmap", "{\"pid\": 1, \"addr\": \"0x40000000\", "
			   "\"len\": \"1M\", \"prot\": 3, \"flags\": "
			   "\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED\"}");
		setup_drop(&r, "access", "{\"pid\": 1, \"addr\": \"0x40000000\", "
			   "\"access\": \"write\"}");
		setup_drop(&r, "vmalloc", "{\"size\": \"64K\"}");
		crafted(&r, cases[c].pae);
		finish(&r);
	}
}

/* --- random walks ------------------------------------------------------------------- */

/*
 * Operations drawn at random, with arguments from what earlier answers
 * gave (addresses, pfns, pids, cache names) or from a pool of plausible
 * and wrong values, every one probed: the invariant holds whatever order
 * the operations come in.  Fixed seeds, so a failure repeats.
 */
struct pools {
	char addr[64][24], pfn[64][24], cache[16][24];
	unsigned nr_addr, nr_pfn, nr_cache;
	uint64_t rnd;
};

static uint32_t rnd(struct pools *p, uint32_t n)
{
	p->rnd = p->rnd * 6364136223846793005ull + 1442695040888963407ull;
	return n ? (uint32_t)(p->rnd >> 33) % n : 0;
}

static void learn(struct pools *p, const json_t *res)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)res, key, v) {
		const char *sv = json_string_value(v);

		if (json_is_object(v)) {
			learn(p, v);
			continue;
		}
		if (!sv)
			continue;
		if (!strcmp(key, "addr") || !strcmp(key, "va"))
			snprintf(p->addr[p->nr_addr++ % 64], 24, "%s", sv);
		else if (!strcmp(key, "pfn") || !strcmp(key, "head"))
			snprintf(p->pfn[p->nr_pfn++ % 64], 24, "%s", sv);
		else if (!strcmp(key, "cache") && strncmp(sv, "kmalloc", 7))
			snprintf(p->cache[p->nr_cache++ % 16], 24, "%s", sv);
	}
}

static const char *pick(struct pools *p, char (*pool)[24], unsigned n,
			unsigned cap, const char *const *other, unsigned nother)
{
	if (n && rnd(p, 4))
		return pool[rnd(p, MIN(n, cap))];
	return other[rnd(p, nother)];
}

/* One value for argument name, as JSON text. */
static void value(struct pools *p, const char *name, char *out, size_t len)
{
	static const char *const nums[] = {
		"0", "1", "2", "3", "7", "64", "100", "4096", "\"4K\"",
		"\"64K\"", "\"1M\"", "\"8M\"", "-1", "true", "\"junk\"",
		"\"0xffffffffffffffff\"",
	};
	static const char *const addrs[] = {
		"\"0xc0000000\"", "\"0xc2001000\"", "\"0xf7000000\"",
		"\"0xfff00000\"", "\"0x08048000\"", "\"0x40000000\"",
		"\"0xb7000000\"", "\"0xbfff0000\"", "\"0x10\"", "0",
	};
	static const char *const pfns[] = {
		"0", "1", "\"0x100\"", "\"0x1000\"", "\"0x2000\"",
		"\"0x38000\"", "\"0x40000\"", "\"0x60000\"", "\"0xffffff\"",
	};
	static const char *const gfps[] = {
		"\"GFP_KERNEL\"", "\"GFP_ATOMIC\"", "\"GFP_HIGHUSER_MOVABLE\"",
		"\"GFP_KERNEL | __GFP_ZERO\"", "\"GFP_NOWAIT\"",
		"\"GFP_DMA\"", "\"GFP_KERNEL | __GFP_HIGHMEM\"",
		"\"GFP_USER\"", "\"__GFP_DMA | __GFP_HIGHMEM\"",
	};
	static const char *const flags[] = {
		"\"MAP_PRIVATE|MAP_ANONYMOUS\"", "\"MAP_SHARED|MAP_ANONYMOUS\"",
		"\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED\"",
		"\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE\"",
		"\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE\"",
		"\"MAP_PRIVATE\"",
	};
	static const char *const caches[] = {
		"\"kmalloc-64\"", "\"kmalloc-192\"", "\"nope\"",
	};
	char q[32];

	if (!strcmp(name, "addr") || !strcmp(name, "uaddr") ||
	    !strcmp(name, "kaddr")) {
		const char *a = pick(p, p->addr, p->nr_addr, 64, addrs,
				     ARRAY_SIZE(addrs));

		if (a[0] == '"' || a[0] == '0')
			snprintf(out, len, "%s", a);
		else
			snprintf(out, len, "\"%s\"", a);
		if (p->nr_addr && !rnd(p, 8))	/* just past one */
			snprintf(out, len, "%llu", strtoull(p->addr[rnd(p,
				 MIN(p->nr_addr, 64))], NULL, 16) + 4096);
	} else if (!strcmp(name, "pfn") || !strcmp(name, "phys")) {
		const char *f = pick(p, p->pfn, p->nr_pfn, 64, pfns,
				     ARRAY_SIZE(pfns));

		if (f[0] == '"' || (f[0] >= '0' && f[0] <= '9' && f[1] != 'x'))
			snprintf(out, len, "%s", f);
		else
			snprintf(out, len, "\"%s\"", f);
		if (!strcmp(name, "phys"))
			snprintf(out, len, "%llu", (unsigned long long)strtoull(
				 out[0] == '"' ? out + 1 : out, NULL, 0) << 12);
	} else if (!strcmp(name, "pfns")) {
		snprintf(q, sizeof(q), "%s", p->nr_pfn ? p->pfn[rnd(p,
			 MIN(p->nr_pfn, 64))] : "0x100");
		snprintf(out, len, "[\"%s\", \"0x%x\"]", q, 0x100 + rnd(p, 64));
	} else if (!strcmp(name, "gfp")) {
		snprintf(out, len, "%s", gfps[rnd(p, ARRAY_SIZE(gfps))]);
	} else if (!strcmp(name, "flags")) {
		snprintf(out, len, "%s", flags[rnd(p, ARRAY_SIZE(flags))]);
	} else if (!strcmp(name, "pid")) {
		snprintf(out, len, "%u", 1 + rnd(p, 4));
	} else if (!strcmp(name, "cpu")) {
		snprintf(out, len, "%u", rnd(p, 3));
	} else if (!strcmp(name, "order")) {
		snprintf(out, len, "%u", rnd(p, 12));
	} else if (!strcmp(name, "prot")) {
		snprintf(out, len, "%u", rnd(p, 8));
	} else if (!strcmp(name, "access")) {
		snprintf(out, len, "\"%s\"", rnd(p, 2) ? "write" : "read");
	} else if (!strcmp(name, "mode")) {
		snprintf(out, len, "\"%s\"", rnd(p, 2) ? "user" : "kernel");
	} else if (!strcmp(name, "cache")) {
		if (p->nr_cache && rnd(p, 3))
			snprintf(out, len, "\"%s\"", p->cache[rnd(p,
				 MIN(p->nr_cache, 16))]);
		else
			snprintf(out, len, "%s", caches[rnd(p,
				 ARRAY_SIZE(caches))]);
	} else if (!strcmp(name, "name")) {
		snprintf(out, len, "\"c%u\"", rnd(p, 6));
	} else if (!strcmp(name, "hex")) {
		snprintf(out, len, "\"%s\"", rnd(p, 2) ? "0102" : "ff");
	} else if (!strcmp(name, "text")) {
		snprintf(out, len, "\"hello\"");
	} else if (!strcmp(name, "count") || !strcmp(name, "start")) {
		snprintf(out, len, "%u", rnd(p, 64));
	} else if (!strcmp(name, "value")) {
		snprintf(out, len, "%d", (int)rnd(p, 2001) - 1000);
	} else if (!strcmp(name, "max_processes") ||
		   !strcmp(name, "max_map_count")) {
		snprintf(out, len, "%u", 2 + rnd(p, 30));
	} else {
		snprintf(out, len, "%s", nums[rnd(p, ARRAY_SIZE(nums))]);
	}
}

/* Reads that build big answers add nothing here: every_argument has them. */
static bool walk_skips(const char *op)
{
	return !strcmp(op, "frames") || !strcmp(op, "pagemap") ||
	       !strcmp(op, "process_pagetables");
}

/* tight: memory runs out first, and a few pages come back every 40
 * steps, so operations often fail half way. */
static void walk(const char *config, uint64_t seed, unsigned steps,
		 bool tight)
{
	struct pools p = { .rnd = seed };
	struct run r;
	size_t nops = 0;

	while (api_op_name(nops))
		nops++;
	start(&r, config);
	if (tight) {
		nr_spare = 0;
		setup_drop(&r, "process_create", "{}");
		exhaust(&r, "GFP_KERNEL");
	}
	for (unsigned i = 0; i < steps; i++) {
		if (tight && i % 40 == 0)
			give_back(&r, 3);
		const char *op = api_op_name(rnd(&p, (uint32_t)nops));
		const char *const *args = api_op_args(op);
		json_t *a, *res;

		if (walk_skips(op))
			continue;
		a = json_object();
		/* the heavy operations come in bursts, to run memory out */
		if (!strcmp(op, "alloc_pages") && !rnd(&p, 3)) {
			for (int k = 0; k < 8; k++)
				json_decref(run_op(&r, false, "alloc_pages",
					json_pack("{s:i}", "order", 9)));
		}
		for (; *args; args++) {
			char v[128];
			json_t *jv;

			if (rnd(&p, 5) == 0)
				continue;	/* left out: its default */
			value(&p, *args, v, sizeof(v));
			jv = json_loads(v, JSON_DECODE_ANY, NULL);
			if (jv)
				json_object_set_new(a, *args, jv);
		}
		res = run_op(&r, true, op, a);
		if (res)
			learn(&p, res);
		json_decref(res);
	}
	print_message("%s walk %llu: %u probes, %u refusals, %u changed\n",
		      config, (unsigned long long)seed, r.probes, r.refusals,
		      r.changed);
	finish(&r);
}

/* MMLAB_WALKS=N runs N seeds of each (1 in make test), for a longer hunt. */
static void test_random_walks(void **state)
{
	static const char *const configs[] = {
		"{\"ram\": \"64M\", \"cpus\": 2}",
		"{\"ram\": \"2G\", \"pae\": true, \"cpus\": 2}",
		"{\"ram\": \"1G\"}",
		"{\"ram\": \"128M\", \"cmdline\": \"vmalloc=256M\"}",
	};
	const char *env = getenv("MMLAB_WALKS");
	unsigned n = env ? (unsigned)strtoul(env, NULL, 10) : 1;

	(void)state;
	for (unsigned seed = 1; seed <= n; seed++) {
		for (size_t c = 0; c < ARRAY_SIZE(configs); c++)
			walk(configs[c], seed * 16 + c, 1000, false);
		walk(configs[0], seed * 16 + 8, 800, true);
		walk(configs[1], seed * 16 + 9, 800, true);
	}
}

/* Every slug an operation can answer with (api/openapi.json lists them). */
static const char *const expected[] = {
	"bad-argument", "unknown-operation", "out-of-memory", "bad-gfp",
	"not-ram", "not-slab", "not-kmapped", "invalid-object-pointer",
	"page-fault", "double-free", "wrong-order", "wrong-cache",
	"vmalloc-space-exhausted", "too-large", "reserved-frame",
	"pkmap-full", "object-free", "not-kmap-local", "not-block-head",
	"no-such-process", "no-such-cache", "kunmap-local-order",
	"kunmap-kind", "kmap-local-full", "kmalloc-cache", "ioremap-ram",
	"frame-free", "duplicate-cache", "cache-in-use", "slab-page",
	"not-alloc-pages", "not-a-vmalloc-area", "not-a-vmap-area",
	"not-an-ioremap-area", "ENOMEM", "EINVAL", "EFAULT", "EBADF",
	"EAGAIN", "EEXIST", "EPERM",
};

static void test_summary(void **state)
{
	char line[4096] = "";
	size_t n = 0, missing = 0;

	(void)state;
	for (unsigned i = 0; i < nr_seen && n < sizeof(line) - 48; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s",
				      i ? " " : "", seen[i]);
	print_message("%u refusal types provoked: %s\n", nr_seen, line);
	for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
		bool found = false;

		for (unsigned j = 0; j < nr_seen; j++)
			found |= !strcmp(seen[j], expected[i]);
		if (!found)
			print_message("not provoked: %s\n", expected[i]);
		missing += !found;
	}
	assert_int_equal(missing, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmalloc_steals_then_fails),
		cmocka_unit_test(test_slab_retired_then_fails),
		cmocka_unit_test(test_vmalloc_space),
		cmocka_unit_test(test_pkmap_full),
		cmocka_unit_test(test_memory_exhausted),
		cmocka_unit_test(test_nearly_out),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_crafted_tables),
		cmocka_unit_test(test_every_argument),
		cmocka_unit_test(test_random_walks),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_slab.c - kmalloc and SLUB (model/slab.h has the rules): the
 * kmalloc caches' geometry against the real kernel's slabinfo and against
 * hand-computed calculate_order() results for other CPU counts, the
 * size-to-cache lookup, exact object addresses on fresh 2 GiB machines,
 * slab growth, LIFO reuse, the min_partial rule, kmalloc_large, the gfp
 * refusals, DMA, every error (each leaving the machine as it was), named
 * caches, the reports, and a seeded random workload.
 *
 * Where the first slabs come from (fresh 2 GiB two-level machine).  Boot
 * leaves ZONE_NORMAL's Unmovable lists empty except for one pageblock: the
 * page table mark_rodata_ro() takes to split a large page (GFP_KERNEL,
 * order 0, kernel_pagetable_late) finds CPU 0's order-0 Unmovable pcp list
 * empty, and its refill (a batch of 63) finds no Unmovable block, so
 * __rmqueue_fallback steals the largest Movable block, the head of the
 * order-10 list.  Boot freed lowmem in address order to the tails, so that
 * head is the lowest order-10 block, [0x2000, 0x2400) (the kernel image
 * and bss end below 0x1ef6).  The refill splits it from the bottom and
 * takes 0x2000 ... 0x203e to the list's tail in that order; the page
 * table keeps the head, 0x2000.  The pcp list then holds 0x2001-0x203e,
 * and the buddy's Unmovable lists what the splits left: 0x203f (order 0),
 * 0x2040 (6), 0x2080 (7), 0x2100 (8), 0x2200 (9).  So a fresh machine's
 * first GFP_KERNEL block of order 0 is 0x2001, from the pcp list
 * (page_frame_info shows it: see test_fresh).
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
#include "capture.h"
#include "machine.h"
#include "page_alloc.h"
#include "procfs.h"
#include "slab.h"
#include "snapshot.h"
#include "helpers.h"

#define PO		0xc0000000u	/* PAGE_OFFSET, VMSPLIT_3G */

/* --- helpers ------------------------------------------------------------------ */

static struct machine *boot_with(uint64_t ram, unsigned cpus, bool pae)
{
	struct machine_config c;

	machine_config_default(&c);
	c.boot = BOOT_BARE;
	c.ram = ram;
	c.cpus = cpus;
	c.pae = pae;
	return must_boot(&c);
}

static struct machine *boot(void)
{
	return boot_with(2ull << 30, 1, false);
}

typedef void (*text_fn)(const struct machine *m, struct strbuf *out);

static char *text(const struct machine *m, text_fn fn)
{
	struct strbuf sb = STRBUF_INIT;

	fn(m, &sb);
	return sb_detach(&sb);
}

static void check(const struct machine *m)
{
	char why[256];

	if (slab_check(m, why, sizeof(why)))
		fail_msg("slab_check: %s", why);
}

static void must_ok(int rc, const struct mm_error *err)
{
	if (rc != MM_OK)
		fail_msg("%s: %s", err->type, err->detail);
}

static void assert_err(int rc, const struct mm_error *err, int kind,
		       const char *type, const char *in_detail)
{
	assert_int_equal(rc, kind);
	assert_int_equal(err->kind, kind);
	assert_string_equal(err->type, type);
	if (in_detail && !strstr(err->detail, in_detail))
		fail_msg("detail '%s' lacks '%s'", err->detail, in_detail);
}

/* kmalloc that must succeed; the result in *r (if given). */
static vaddr_t must_kmalloc(struct machine *m, uint64_t size, gfp_t gfp,
			    unsigned cpu, struct slab_alloc_result *r)
{
	struct slab_alloc_result local;
	struct mm_error err;

	if (!r)
		r = &local;
	memset(&err, 0, sizeof(err));
	if (kmalloc(m, size, gfp, cpu, r, &err))
		fail_msg("kmalloc(%llu): %s: %s", (unsigned long long)size,
			 err.type, err.detail);
	if (!r->ok)
		fail_msg("kmalloc(%llu): out of memory: %s",
			 (unsigned long long)size, r->reason);
	return r->addr;
}

static void must_kfree(struct machine *m, vaddr_t va,
		       struct slab_free_result *r)
{
	struct mm_error err;

	memset(&err, 0, sizeof(err));
	if (kfree(m, va, r, &err))
		fail_msg("kfree(0x%08x): %s: %s", va, err.type, err.detail);
}

static struct kmem_cache *cache(const struct machine *m, const char *name)
{
	struct kmem_cache *s = kmem_cache_find(&m->slab, name);

	if (!s)
		fail_msg("no cache %s", name);
	return s;
}

/* The slabinfo line of a cache, without its newline (static buffer). */
static const char *slabinfo_line(const struct machine *m, const char *name)
{
	static char line[256];
	char *t = text(m, proc_slabinfo), *p = t;
	size_t n = strlen(name);

	line[0] = '\0';
	while (p && *p) {
		char *nl = strchr(p, '\n');

		if (!strncmp(p, name, n) && p[n] == ' ') {
			size_t len = nl ? (size_t)(nl - p) : strlen(p);

			snprintf(line, sizeof(line), "%.*s", (int)len, p);
			break;
		}
		p = nl ? nl + 1 : NULL;
	}
	free(t);
	if (!line[0])
		fail_msg("slabinfo has no %s", name);
	return line;
}

static void assert_line(const struct machine *m, const char *name,
			const char *want)
{
	assert_string_equal(slabinfo_line(m, name), want);
}

/* meminfo's "Label:   N kB" value. */
static long long meminfo_kb(const struct machine *m, const char *label)
{
	char *t = text(m, proc_meminfo);
	long long v = text_value(t, label);

	free(t);
	return v;
}

/* Everything a refusal must leave as it was. */
struct snapshot {
	char *slab, *buddy, *mem, *zone;
	uint32_t free_pages;
};

static void snap(const struct machine *m, struct snapshot *s)
{
	s->slab = text(m, proc_slabinfo);
	s->buddy = text(m, proc_buddyinfo);
	s->mem = text(m, proc_meminfo);
	s->zone = text(m, proc_zoneinfo);
	s->free_pages = machine_free_pages(m);
}

static void snap_free(struct snapshot *s)
{
	free(s->slab);
	free(s->buddy);
	free(s->mem);
	free(s->zone);
}

static void assert_same(const struct machine *m, struct snapshot *s)
{
	struct snapshot now;

	snap(m, &now);
	assert_string_equal(now.slab, s->slab);
	assert_string_equal(now.buddy, s->buddy);
	assert_string_equal(now.mem, s->mem);
	assert_string_equal(now.zone, s->zone);
	assert_int_equal(now.free_pages, s->free_pages);
	snap_free(&now);
	check(m);
}

static void assert_frame(const struct machine *m, pfn_t pfn,
			 enum frame_state state)
{
	struct frame_info fi;

	page_frame_info(&m->pgdat, pfn, &fi);
	assert_int_equal(fi.state, state);
}

/* Take every block gfp can get, largest order first. */
static void drain(struct machine *m, gfp_t gfp)
{
	struct page_alloc_result *r = calloc(1, sizeof(*r));
	struct mm_error err;

	assert_non_null(r);
	for (int order = MAX_ORDER - 1; order >= 0; order--) {
		for (;;) {
			must_ok(alloc_pages(&m->pgdat, gfp, (unsigned)order,
					    OWNER_NONE, 0, r, &err), &err);
			if (!r->ok)
				break;
		}
	}
	free(r);
}

/* --- boot ------------------------------------------------------------------------- */

static void test_fresh(void **state)
{
	struct machine *m = boot();
	static const char header[] = "slabinfo - version: 2.1\n# name      "
		"      <active_objs> <num_objs> <objsize> <objperslab> "
		"<pagesperslab> : tunables <limit> <batchcount> <sharedfactor>"
		" : slabdata <active_slabs> <num_slabs> <sharedavail>\n";
	static const char last[] = "\nkmalloc-8              0      0      8"
		"  512    1 : tunables    0    0    0 : slabdata      0      0"
		"      0\n";
	char *t = text(m, proc_slabinfo);
	unsigned lines = 0;
	struct frame_info fi;

	(void)state;
	/* the header, then 52 empty kmalloc caches, newest first:
	 * dma-kmalloc-8k first, kmalloc-8 last */
	assert_int_equal(strncmp(t, header, strlen(header)), 0);
	for (const char *p = t; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 2 + 52);
	assert_int_equal(strncmp(t + strlen(header), "dma-kmalloc-8k ", 15), 0);
	assert_string_equal(t + strlen(t) - strlen(last), last);
	free(t);
	assert_int_equal(m->slab.nr_caches, 52);
	for (uint32_t i = 0; i < 52; i++) {
		assert_int_equal(m->slab.caches[i]->id, i + 1);
		assert_int_equal(m->slab.caches[i]->nr_slabs, 0);
	}
	/* boot allocates no object: no slab page */
	assert_int_equal(meminfo_kb(m, "Slab:"), 0);
	assert_int_equal(meminfo_kb(m, "SReclaimable:"), 0);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), 0);
	assert_int_equal(meminfo_kb(m, "KReclaimable:"), 0);
	/* the stolen pageblock the file's comment describes: the page table,
	 * CPU 0's pcp pages, then the buddy's blocks */
	page_frame_info(&m->pgdat, 0x2000, &fi);
	assert_int_equal(fi.state, FRAME_ALLOCATED);
	assert_int_equal(fi.owner, OWNER_PGTABLE);
	for (pfn_t pfn = 0x2001; pfn <= 0x203e; pfn++) {
		page_frame_info(&m->pgdat, pfn, &fi);
		assert_int_equal(fi.state, FRAME_FREE);
		assert_int_equal(fi.pcp_cpu, 0);
		assert_int_equal(fi.head, pfn);
		assert_int_equal(fi.order, 0);
		assert_int_equal(fi.migratetype, MIGRATE_UNMOVABLE);
	}
	for (unsigned o = 6; o < 10; o++) {
		pfn_t pfn = 0x2000 + (1u << o);

		page_frame_info(&m->pgdat, pfn, &fi);
		assert_int_equal(fi.state, FRAME_FREE);
		assert_int_equal(fi.pcp_cpu, -1);
		assert_int_equal(fi.head, pfn);
		assert_int_equal(fi.order, o);
		assert_int_equal(fi.migratetype, MIGRATE_UNMOVABLE);
	}
	page_frame_info(&m->pgdat, 0x203f, &fi);
	assert_int_equal(fi.state, FRAME_FREE);
	assert_int_equal(fi.pcp_cpu, -1);
	assert_int_equal(fi.order, 0);
	check(m);
	machine_free(m);
}

/* --- geometry -------------------------------------------------------------------- */

static bool is_kmalloc_name(const char *name)
{
	return !strncmp(name, "kmalloc-", 8) || !strncmp(name, "dma-kmalloc-", 12);
}

/* Every kmalloc row of the real 1-CPU kernel's slabinfo, and every row's
 * geometry from its objsize. */
static void test_geometry_capture(void **state)
{
	struct machine *m = boot();
	char *cap = capture_load("686-m2G.txt");
	char *sec = capture_section(cap, "/proc/slabinfo");
	char *model = text(m, proc_slabinfo);
	const char *p, *mp;
	unsigned kmalloc_rows = 0, rows = 0;

	(void)state;
	assert_non_null(sec);
	/* the two header lines, byte for byte */
	p = strchr(strchr(sec, '\n') + 1, '\n') + 1;
	assert_int_equal(strncmp(sec, model, (size_t)(p - sec)), 0);
	mp = model + (p - sec);
	for (; *p; p = strchr(p, '\n') + 1) {
		char name[64];
		unsigned active, num, objsize, perslab, pages, order;
		uint32_t objects;

		assert_int_equal(sscanf(p, "%63s %u %u %u %u %u", name, &active,
					&num, &objsize, &perslab, &pages), 6);
		rows++;
		/* calculate_order() for 1 CPU gives every cache's geometry
		 * from its object size */
		assert_int_equal(slub_calculate_order(objsize, 1, &order,
						      &objects), 0);
		if (objects != perslab || (1u << order) != pages)
			fail_msg("%s: objsize %u: model %u objects, %u pages; "
				 "kernel %u, %u", name, objsize, objects,
				 1u << order, perslab, pages);
		if (!is_kmalloc_name(name))
			continue;
		kmalloc_rows++;
		{
			const struct kmem_cache *s = cache(m, name);
			char mname[64];

			assert_int_equal(s->size, objsize);
			assert_int_equal(s->objects, perslab);
			assert_int_equal(1u << s->order, pages);
			/* and in the same order as the kernel lists them */
			assert_int_equal(sscanf(mp, "%63s", mname), 1);
			assert_string_equal(mname, name);
			mp = strchr(mp, '\n') + 1;
		}
	}
	assert_int_equal(kmalloc_rows, 52);
	assert_true(rows > 140);
	assert_string_equal(mp, "");
	free(model);
	free(sec);
	free(cap);
	machine_free(m);
}

/*
 * calculate_order() by hand.  min_objects = 4 * (fls(cpus) + 1): 8 for 1
 * CPU, 12 for 2, 16 for 4, 20 for 8, 28 for 32; capped at what an order-3
 * slab holds (32768 / size: 8 for 4k, 4 for 8k, 16 for 2k, 32 for 1k).
 * Powers of two leave no waste, so the order is get_order(min_objects *
 * size).  96 and 192 leave 64 bytes of a page (42 and 21 objects), well
 * under 1/16.  So:
 *   2 CPUs: 512 * 12 = 6144 -> order 1; 1k: 12288 -> 2; 2k: 24576 -> 3;
 *   4 CPUs: 256 * 16 = 4096 -> order 0; 512 -> 1; 1k -> 2; 2k -> 3;
 *   8 CPUs: 192 * 20 = 3840 -> 0; 256 * 20 = 5120 -> 1; 512 -> 2
 *           (10240); 1k -> 3 (20480); 2k: min_objects 16 -> 3;
 *  32 CPUs: 128 * 28 = 3584 -> 0; 192 * 28 = 5376 -> order 1, 8192 % 192
 *           = 128 <= 8192 / 16: 42 objects; 256 -> 1; 512 -> 2 (14336);
 *           1k: 28 * 1024 = 28672 -> 3.
 */
static const uint32_t kmalloc_sizes[13] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};

static const struct {
	unsigned cpus;
	uint32_t objects[13];
	uint32_t pages[13];
} by_cpus[] = {
	{ 1, { 512, 256, 128, 64, 42, 32, 21, 16, 8, 8, 8, 8, 4 },
	     { 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 8, 8 } },
	{ 2, { 512, 256, 128, 64, 42, 32, 21, 16, 16, 16, 16, 8, 4 },
	     { 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 8, 8, 8 } },
	{ 4, { 512, 256, 128, 64, 42, 32, 21, 16, 16, 16, 16, 8, 4 },
	     { 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 8, 8, 8 } },
	{ 8, { 512, 256, 128, 64, 42, 32, 21, 32, 32, 32, 16, 8, 4 },
	     { 1, 1, 1, 1, 1, 1, 1, 2, 4, 8, 8, 8, 8 } },
	{ 32, { 512, 256, 128, 64, 42, 32, 42, 32, 32, 32, 16, 8, 4 },
	      { 1, 1, 1, 1, 1, 1, 2, 2, 4, 8, 8, 8, 8 } },
};

static void test_geometry_cpus(void **state)
{
	static const char *const prefix[4] = {
		"kmalloc-", "kmalloc-cg-", "kmalloc-rcl-", "dma-kmalloc-",
	};

	(void)state;
	assert_int_equal(slub_min_objects(1), 8);
	assert_int_equal(slub_min_objects(2), 12);
	assert_int_equal(slub_min_objects(3), 12);
	assert_int_equal(slub_min_objects(4), 16);
	assert_int_equal(slub_min_objects(8), 20);
	assert_int_equal(slub_min_objects(32), 28);
	for (size_t c = 0; c < ARRAY_SIZE(by_cpus); c++) {
		struct machine *m = boot_with(512ull << 20, by_cpus[c].cpus,
					      false);

		for (unsigned t = 0; t < 4; t++) {
			for (unsigned i = 0; i < 13; i++) {
				char name[32];
				const struct kmem_cache *s;
				uint32_t sz = kmalloc_sizes[i];

				if (sz >= 1024)
					snprintf(name, sizeof(name), "%s%uk",
						 prefix[t], sz / 1024);
				else
					snprintf(name, sizeof(name), "%s%u",
						 prefix[t], sz);
				s = cache(m, name);
				if (s->objects != by_cpus[c].objects[i] ||
				    (1u << s->order) != by_cpus[c].pages[i])
					fail_msg("%u CPUs: %s has %u objects "
						 "in %u pages, not %u in %u",
						 by_cpus[c].cpus, name,
						 s->objects, 1u << s->order,
						 by_cpus[c].objects[i],
						 by_cpus[c].pages[i]);
				assert_int_equal(s->size, sz);
			}
		}
		machine_free(m);
	}
	/* named-cache sizes from the capture, worked by hand: TCPv6 1888:
	 * 8 * 1888 = 15104 -> order 2 wastes 1280 > 16384 / 16; order 3
	 * wastes 672 <= 2048: 17 objects; request_queue_srcu 760: order 1
	 * wastes 592 > 512, order 2 wastes 424 <= 1024: 21 in 4 pages */
	{
		unsigned order;
		uint32_t objects;

		assert_int_equal(slub_calculate_order(1888, 1, &order,
						      &objects), 0);
		assert_int_equal(order, 3);
		assert_int_equal(objects, 17);
		assert_int_equal(slub_calculate_order(760, 1, &order,
						      &objects), 0);
		assert_int_equal(order, 2);
		assert_int_equal(objects, 21);
		/* one object: 3 MiB needs order 10; above 4 MiB, none */
		assert_int_equal(slub_calculate_order(3u << 20, 1, &order,
						      &objects), 0);
		assert_int_equal(order, 10);
		assert_int_equal(objects, 1);
		assert_int_equal(slub_calculate_order((4u << 20) + 8, 1,
						      &order, &objects), -1);
	}
}

/* --- size to cache ---------------------------------------------------------------- */

static uint32_t expected_cache_size(uint32_t size)
{
	static const uint32_t steps[] = { 8, 16, 32, 64, 96, 128, 192 };
	uint32_t p = 256;

	for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
		if (size <= steps[i])
			return steps[i];
	while (p < size)
		p *= 2;
	return p;
}

static void test_size_to_cache(void **state)
{
	struct machine *m = boot();
	static const gfp_t gfps[4] = {
		GFP_KERNEL, GFP_KERNEL_ACCOUNT, GFP_KERNEL | __GFP_RECLAIMABLE,
		GFP_KERNEL | GFP_DMA,
	};
	static const enum kmalloc_cache_type types[4] = {
		KMALLOC_NORMAL, KMALLOC_CGROUP, KMALLOC_RECLAIM, KMALLOC_DMA,
	};

	(void)state;
	for (unsigned t = 0; t < 4; t++) {
		assert_int_equal(kmalloc_type(gfps[t]), types[t]);
		for (uint32_t size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
			const struct kmem_cache *s = kmalloc_slab(&m->slab, size,
								  gfps[t]);

			assert_non_null(s);
			if (s->size != expected_cache_size(size))
				fail_msg("size %u -> %s", size, s->name);
			assert_ptr_equal(s, m->slab.kmalloc_caches[types[t]]
					 [kmalloc_index(size)]);
		}
	}
	/* the priorities: DMA over RECLAIMABLE over ACCOUNT */
	assert_int_equal(kmalloc_type(GFP_DMA | __GFP_RECLAIMABLE |
				      __GFP_ACCOUNT), KMALLOC_DMA);
	assert_int_equal(kmalloc_type(__GFP_RECLAIMABLE | __GFP_ACCOUNT),
			 KMALLOC_RECLAIM);
	assert_int_equal(kmalloc_type(GFP_ATOMIC), KMALLOC_NORMAL);
	/* the edges */
	assert_null(kmalloc_slab(&m->slab, 0, GFP_KERNEL));
	assert_null(kmalloc_slab(&m->slab, 8193, GFP_KERNEL));
	assert_string_equal(kmalloc_slab(&m->slab, 65, GFP_KERNEL)->name,
			    "kmalloc-96");
	assert_string_equal(kmalloc_slab(&m->slab, 97, GFP_KERNEL)->name,
			    "kmalloc-128");
	assert_string_equal(kmalloc_slab(&m->slab, 129, GFP_KERNEL)->name,
			    "kmalloc-192");
	assert_string_equal(kmalloc_slab(&m->slab, 193, GFP_KERNEL)->name,
			    "kmalloc-256");
	assert_string_equal(kmalloc_slab(&m->slab, 1025, GFP_DMA)->name,
			    "dma-kmalloc-2k");
	assert_int_equal(kmalloc_index(0), 0);
	assert_int_equal(kmalloc_index(8192), 13);
	assert_int_equal(kmalloc_index(8193), -1);
	machine_free(m);
}

/* --- where objects are ---------------------------------------------------------------- */

/*
 * One fresh machine per type, one object of each size in creation order.
 * Each cache's first slab is a new block of its order, from CPU 0's pcp
 * list of that (migratetype, order), which an empty list refills with a
 * batch of blocks from the buddy lists in the order __rmqueue gives them
 * (63 >> order, at least 2, for Normal's batch of 63):
 *   NORMAL and CGROUP (both MIGRATE_UNMOVABLE, GFP_KERNEL): the order-0
 *   Unmovable list holds 0x2001-0x203e (file comment), so the nine
 *   order-0 caches (-8 to -512) take 0x2001 ... 0x2009 from its head.
 *   -1k (order 1) refills the order-1 list with 31 blocks from the
 *   smallest Unmovable block of order >= 1, 0x2040 (order 6): 0x2040,
 *   0x2042, ... 0x207c, and takes 0x2040.  -2k (order 2): 15 blocks from
 *   0x2080 (order 7), takes 0x2080.  -4k (order 3): 7 blocks from the
 *   order-6 0x20c0 that split left, takes 0x20c0; -8k (order 3) takes
 *   the list's next, 0x20c8.
 *   RECLAIM (__GFP_RECLAIMABLE): no Reclaimable block at all; the order-0
 *   refill's fallback steals the next order-10 Movable head, 0x2400,
 *   whole pageblock, and lists 0x2400-0x243e: the same walk from 0x2400,
 *   except that kmalloc-rcl-8 takes the block's head itself, so the
 *   order-0 caches sit one step earlier: 0x2400 ... 0x2408, then 0x2440,
 *   0x2480, 0x24c0, 0x24c8.
 *   DMA (dma-kmalloc, GFP_DMA): ZONE_DMA's batch is 1 (it manages under
 *   4096 pages), so each refill takes the one block the buddy allocator
 *   would give.  ZONE_DMA's only Unmovable blocks are 0x100 (order 8) and
 *   0x200 (order 9) (the first MiB is reserved); dma-kmalloc-8 splits
 *   0x100 down to order 0, leaving 0x101 (0), 0x102 (1), 0x104 (2), 0x108
 *   (3), 0x110 (4) ...: -16 0x101; -32 splits 0x102 (leaving 0x103),
 *   -64 0x103; -96 splits 0x104 ... -1k (order 1) 0xa; -2k 0xc; -4k
 *   splits 0x110 (leaving 0x118); -8k 0x118.
 */
static const pfn_t first_normal[13] = {
	0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
	0x2009, 0x2040, 0x2080, 0x20c0, 0x20c8,
};
static const pfn_t first_reclaim[13] = {
	0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x40, 0x80, 0xc0, 0xc8,
};
static const pfn_t first_dma[13] = {
	0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0xa, 0xc, 0x10, 0x18,
};

static void check_first_objects(gfp_t gfp, const char *prefix, pfn_t base,
				const pfn_t *pfns, int zone)
{
	struct machine *m = boot();

	for (unsigned i = 0; i < 13; i++) {
		struct slab_alloc_result r;
		pfn_t want = base + pfns[i];
		char name[32];

		if (kmalloc_sizes[i] >= 1024)
			snprintf(name, sizeof(name), "%s%uk", prefix,
				 kmalloc_sizes[i] / 1024);
		else
			snprintf(name, sizeof(name), "%s%u", prefix,
				 kmalloc_sizes[i]);
		must_kmalloc(m, kmalloc_sizes[i], gfp, 0, &r);
		assert_string_equal(r.cache->name, name);
		if (r.pfn != want)
			fail_msg("%s: first slab 0x%x, not 0x%x", name, r.pfn,
				 want);
		assert_int_equal(r.addr, PO + PFN_PHYS(want));
		assert_int_equal(r.phys, PFN_PHYS(want));
		assert_int_equal(r.index, 0);
		assert_int_equal(r.inuse, 1);
		assert_int_equal(r.zone, zone);
		assert_int_equal(r.from, SLAB_SRC_NEW);
		assert_int_equal(r.order, r.cache->order);
		assert_int_equal(r.ksize, kmalloc_sizes[i]);
	}
	check(m);
	machine_free(m);
}

static void test_first_objects(void **state)
{
	(void)state;
	check_first_objects(GFP_KERNEL, "kmalloc-", 0, first_normal,
			    ZONE_NORMAL);
	check_first_objects(GFP_KERNEL_ACCOUNT, "kmalloc-cg-", 0, first_normal,
			    ZONE_NORMAL);
	check_first_objects(GFP_KERNEL | __GFP_RECLAIMABLE, "kmalloc-rcl-",
			    0x2400, first_reclaim, ZONE_NORMAL);
	check_first_objects(GFP_DMA, "dma-kmalloc-", 0x100, first_dma,
			    ZONE_DMA);
}

static void test_pages_of_a_slab(void **state)
{
	struct machine *m = boot();
	struct slab_alloc_result r;
	struct frame_info fi;

	(void)state;
	/* the slab page: OWNER_SLAB, the cache's id, the kernel's gfp for
	 * allocate_slab (caller's reclaim bits, + __GFP_NOWARN and
	 * __GFP_NORETRY) */
	must_kmalloc(m, 96, GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT, 0, &r);
	assert_string_equal(r.cache->name, "kmalloc-cg-96");
	page_frame_info(&m->pgdat, 0x2001, &fi);
	assert_int_equal(fi.owner, OWNER_SLAB);
	assert_int_equal(fi.owner_id, r.cache->id);
	assert_int_equal(fi.gfp, GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
	assert_int_equal(r.page_gfp, fi.gfp);
	/* an order-3 cache whose caller may sleep: the first try drops
	 * __GFP_RECLAIM and adds __GFP_NOMEMALLOC; __GFP_COMP comes from
	 * the cache's allocflags */
	must_kmalloc(m, 4096, GFP_KERNEL, 0, &r);
	assert_int_equal(r.order, 3);
	page_frame_info(&m->pgdat, r.pfn, &fi);
	assert_int_equal(fi.order, 3);
	assert_int_equal(fi.gfp, (GFP_KERNEL | __GFP_COMP | __GFP_NOWARN |
				  __GFP_NORETRY | __GFP_NOMEMALLOC) &
				 ~__GFP_RECLAIM);
	/* a reclaimable cache's pages are __GFP_RECLAIMABLE */
	must_kmalloc(m, 10, GFP_NOFS | __GFP_RECLAIMABLE, 0, &r);
	page_frame_info(&m->pgdat, r.pfn, &fi);
	assert_int_equal(fi.gfp, GFP_NOFS | __GFP_RECLAIMABLE | __GFP_NOWARN |
				 __GFP_NORETRY);
	assert_int_equal(fi.migratetype, MIGRATE_RECLAIMABLE);
	check(m);
	machine_free(m);
}

static void test_pae(void **state)
{
	struct machine *m = boot_with(2ull << 30, 1, true);
	struct slab_alloc_result r;
	vaddr_t va;

	(void)state;
	/* the same rules on the PAE kernel: lowmem, linear map */
	va = must_kmalloc(m, 150, GFP_KERNEL, 0, &r);
	assert_int_equal(va, PO + r.phys);
	assert_true(r.pfn < m->layout.max_low_pfn);
	assert_int_equal(r.zone, ZONE_NORMAL);
	assert_int_equal(r.cache->objects, 21);
	must_kfree(m, va, NULL);
	check(m);
	machine_free(m);
}

/* --- growth, LIFO, the partial list ------------------------------------------------ */

static void test_slab_growth(void **state)
{
	struct machine *m = boot();
	struct slab_alloc_result r;

	(void)state;
	/* kmalloc-96: 42 objects in the order-0 slab at 0x2001, in address
	 * order, 96 bytes apart */
	for (unsigned i = 0; i < 42; i++) {
		must_kmalloc(m, 96, GFP_KERNEL, 0, &r);
		assert_int_equal(r.addr, 0xc2001000u + i * 96);
		assert_int_equal(r.index, i);
		assert_int_equal(r.inuse, i + 1);
		assert_int_equal(r.from, i ? SLAB_SRC_CPU : SLAB_SRC_NEW);
	}
	assert_line(m, "kmalloc-96", "kmalloc-96            42     42     96 "
		    "  42    1 : tunables    0    0    0 : slabdata      1  "
		    "    1      0");
	/* the 43rd starts a new slab: the next order-0 GFP_KERNEL block is
	 * 0x2002 (split from the order-1 block, 0x2003 left); the full
	 * slab leaves the CPU */
	must_kmalloc(m, 96, GFP_KERNEL, 0, &r);
	assert_int_equal(r.addr, 0xc2002000u);
	assert_int_equal(r.index, 0);
	assert_int_equal(r.from, SLAB_SRC_NEW);
	assert_int_equal(r.retired, 0x2001);
	assert_int_equal(cache(m, "kmalloc-96")->nr_full, 1);
	assert_line(m, "kmalloc-96", "kmalloc-96            43     84     96 "
		    "  42    1 : tunables    0    0    0 : slabdata      2  "
		    "    2      0");
	/* 42 * 96 = 4032: the last 64 bytes of each page hold nothing */
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), 8);
	check(m);
	machine_free(m);
}

static void test_lifo(void **state)
{
	struct machine *m = boot();
	vaddr_t a, b, c;

	(void)state;
	a = must_kmalloc(m, 64, GFP_KERNEL, 0, NULL);
	b = must_kmalloc(m, 64, GFP_KERNEL, 0, NULL);
	c = must_kmalloc(m, 64, GFP_KERNEL, 0, NULL);
	assert_int_equal(a, 0xc2001000u);
	assert_int_equal(b, 0xc2001040u);
	assert_int_equal(c, 0xc2001080u);
	/* a freed object is the next one handed out */
	must_kfree(m, b, NULL);
	assert_int_equal(must_kmalloc(m, 64, GFP_KERNEL, 0, NULL), b);
	must_kfree(m, a, NULL);
	must_kfree(m, c, NULL);
	assert_int_equal(must_kmalloc(m, 64, GFP_KERNEL, 0, NULL), c);
	assert_int_equal(must_kmalloc(m, 64, GFP_KERNEL, 0, NULL), a);
	/* then the untouched rest of the slab, in address order */
	assert_int_equal(must_kmalloc(m, 64, GFP_KERNEL, 0, NULL),
			 0xc20010c0u);
	check(m);
	machine_free(m);
}

/*
 * kmalloc-96: min_partial = clamp(ilog2(96) / 2 = 3, 5, 10) = 5.  Seven
 * full slabs S1..S7 (42 objects each) at 0x2001, 0x2002, 0x2003, 0x2004,
 * 0x2005, 0x2006, 0x2007 (the walk of test_first_objects); S7 is the CPU
 * slab.  Freeing one object of each of S1..S6 puts them on the partial
 * list's tail in that order (6 slabs).  Emptying S1: the list holds 6 >=
 * 5 (S1 itself counted): S1's page goes back.  S2: 5 >= 5: back.  S3: 4 <
 * 5: kept, empty, and so are S4, S5, S6 (4 on the list all along).  S7
 * is the CPU slab: never discarded, even emptied while the partial list
 * is long.
 */
static void test_min_partial(void **state)
{
	struct machine *m = boot();
	static vaddr_t obj[7][42];
	struct slab_free_result fr;
	struct kmem_cache *s = cache(m, "kmalloc-96");
	uint32_t free0 = machine_free_pages(m);
	char *buddy0, *buddy;

	(void)state;
	assert_int_equal(s->min_partial, 5);
	for (unsigned k = 0; k < 7; k++)
		for (unsigned i = 0; i < 42; i++) {
			obj[k][i] = must_kmalloc(m, 96, GFP_KERNEL, 0, NULL);
			assert_int_equal(obj[k][i], PO + PFN_PHYS(0x2001 + k) +
					 i * 96);
		}
	/* seven pages off CPU 0's pcp list, which boot left holding 62:
	 * no refill, so the buddy allocator's free pages do not move */
	assert_int_equal(machine_free_pages(m), free0);
	assert_int_equal(s->nr_full, 6);
	assert_int_equal(s->nr_partial, 0);
	for (unsigned k = 0; k < 6; k++) {
		must_kfree(m, obj[k][0], &fr);
		assert_true(fr.to_partial);
		assert_false(fr.discarded);
		assert_int_equal(fr.inuse, 41);
	}
	assert_int_equal(s->nr_partial, 6);
	assert_int_equal(s->partial_head->pfn, 0x2001);
	assert_int_equal(s->partial_tail->pfn, 0x2006);
	/* the CPU slab, emptied while 6 >= 5 slabs are on the partial list,
	 * stays: it is frozen */
	for (unsigned i = 0; i < 42; i++) {
		must_kfree(m, obj[6][i], &fr);
		assert_false(fr.discarded);
		assert_false(fr.to_partial);
	}
	assert_int_equal(fr.inuse, 0);
	assert_int_equal(s->nr_slabs, 7);
	assert_frame(m, 0x2007, FRAME_ALLOCATED);
	buddy0 = text(m, proc_buddyinfo);
	for (unsigned k = 0; k < 6; k++) {
		for (unsigned i = 1; i < 42; i++) {
			must_kfree(m, obj[k][i], &fr);
			assert_false(fr.to_partial);
			if (i < 41) {
				assert_false(fr.discarded);
				assert_false(fr.kept_empty);
			}
		}
		/* the last free of each slab */
		assert_int_equal(fr.inuse, 0);
		assert_int_equal(fr.discarded, k < 2);
		assert_int_equal(fr.kept_empty, k >= 2);
		assert_frame(m, 0x2001 + k, k < 2 ? FRAME_FREE
						  : FRAME_ALLOCATED);
		check(m);
	}
	assert_int_equal(s->nr_partial, 4);
	assert_int_equal(s->nr_slabs, 5);
	assert_int_equal(machine_free_pages(m), free0);
	/* the two discarded slabs' pages went to the head of CPU 0's pcp
	 * list (count 298 - 7 + 2 is far below high): the buddy lists and
	 * their free pages are as they were, and the pages are on the list */
	buddy = text(m, proc_buddyinfo);
	assert_string_equal(buddy, buddy0);
	{
		struct frame_info fi;

		page_frame_info(&m->pgdat, 0x2001, &fi);
		assert_int_equal(fi.pcp_cpu, 0);
		page_frame_info(&m->pgdat, 0x2002, &fi);
		assert_int_equal(fi.pcp_cpu, 0);
		assert_int_equal(m->pgdat.node_zones[ZONE_NORMAL].pcp[0].count,
				 298 - 7 + 2);
	}
	free(buddy0);
	free(buddy);
	assert_int_equal(s->nr_slabs, 5);
	assert_int_equal(s->inuse, 0);
	assert_line(m, "kmalloc-96", "kmalloc-96             0    210     96 "
		    "  42    1 : tunables    0    0    0 : slabdata      5  "
		    "    5      0");
	/* the next object comes from the CPU slab: the last one freed */
	assert_int_equal(must_kmalloc(m, 96, GFP_KERNEL, 0, NULL),
			 obj[6][41]);
	check(m);
	machine_free(m);
}

/* When the CPU slab is used up, the first partial slab is next. */
static void test_partial_refill(void **state)
{
	struct machine *m = boot();
	static vaddr_t obj[3][42];
	struct slab_alloc_result r;

	(void)state;
	for (unsigned k = 0; k < 3; k++)
		for (unsigned i = 0; i < 42; i++)
			obj[k][i] = must_kmalloc(m, 96, GFP_KERNEL, 0, NULL);
	/* S1 (0x2001) and S2 (0x2002) full, S3 (0x2003) the CPU's */
	must_kfree(m, obj[1][5], NULL);		/* S2 to the partial list */
	must_kfree(m, obj[0][7], NULL);		/* then S1, at the tail */
	must_kmalloc(m, 96, GFP_KERNEL, 0, &r);	/* S3 is full: S2 */
	assert_int_equal(r.from, SLAB_SRC_PARTIAL);
	assert_int_equal(r.retired, 0x2003);
	assert_int_equal(r.addr, obj[1][5]);
	must_kmalloc(m, 96, GFP_KERNEL, 0, &r);	/* S2 is full: S1 */
	assert_int_equal(r.from, SLAB_SRC_PARTIAL);
	assert_int_equal(r.addr, obj[0][7]);
	must_kmalloc(m, 96, GFP_KERNEL, 0, &r);	/* nothing left: new */
	assert_int_equal(r.from, SLAB_SRC_NEW);
	assert_int_equal(r.pfn, 0x2004);
	check(m);
	machine_free(m);
}

static void test_cpus(void **state)
{
	struct machine *m = boot_with(2ull << 30, 2, false);
	struct slab_alloc_result r;
	struct slab_free_result fr;
	struct mm_error err;
	vaddr_t a, b;

	(void)state;
	/* each CPU has its own slab: CPU 1 cannot use CPU 0's */
	a = must_kmalloc(m, 64, GFP_KERNEL, 0, &r);
	assert_int_equal(r.pfn, 0x2001);
	b = must_kmalloc(m, 64, GFP_KERNEL, 1, &r);
	assert_int_equal(r.pfn, 0x2002);
	assert_int_equal(r.from, SLAB_SRC_NEW);
	assert_int_equal(cache(m, "kmalloc-64")->nr_slabs, 2);
	/* CPU slabs are frozen: emptied, they stay */
	must_kfree(m, a, &fr);
	assert_false(fr.discarded);
	must_kfree(m, b, &fr);
	assert_false(fr.discarded);
	assert_int_equal(cache(m, "kmalloc-64")->nr_slabs, 2);
	assert_err(kmalloc(m, 64, GFP_KERNEL, 2, &r, &err), &err, MM_EINVAL,
		   "bad-argument", "cpu 2 does not exist: the machine has 2 "
		   "CPUs (0 to 1)");
	assert_string_equal(err.field, "cpu");
	check(m);
	machine_free(m);
}

/* --- kmalloc_large ------------------------------------------------------------------ */

static void test_kmalloc_large(void **state)
{
	struct machine *m = boot();
	char *buddy0 = text(m, proc_buddyinfo);
	uint32_t free0 = machine_free_pages(m), size = 0;
	struct slab_alloc_result r;
	struct slab_free_result fr;
	struct frame_info fi;
	struct snapshot s;
	struct mm_error err;
	char *t;

	(void)state;
	/* 8193 bytes: alloc_pages(GFP_KERNEL | __GFP_COMP, 2): CPU 0's
	 * order-2 Unmovable pcp list is empty, so its refill takes 63 >> 2 =
	 * 15 blocks from the smallest Unmovable block of order >= 2, 0x2040
	 * (order 6, file comment), and the request the first */
	must_kmalloc(m, 8193, GFP_KERNEL, 0, &r);
	assert_true(r.large);
	assert_null(r.cache);
	assert_int_equal(r.order, 2);
	assert_int_equal(r.pfn, 0x2040);
	assert_int_equal(r.addr, 0xc2040000u);
	assert_int_equal(r.ksize, 16384);
	assert_int_equal(r.from, SLAB_SRC_PAGES);
	page_frame_info(&m->pgdat, 0x2040, &fi);
	assert_int_equal(fi.owner, OWNER_SLAB);
	assert_int_equal(fi.owner_id, 0);
	assert_int_equal(fi.order, 2);
	assert_int_equal(fi.gfp, GFP_KERNEL | __GFP_COMP);
	/* the buddy allocator gave the whole batch: 15 * 4 pages */
	assert_int_equal(machine_free_pages(m), free0 - 60);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), 16);
	assert_int_equal(meminfo_kb(m, "Slab:"), 16);
	must_ok(ksize(m, r.addr, &size, &err), &err);
	assert_int_equal(size, 16384);
	t = text(m, proc_zoneinfo);
	assert_non_null(strstr(t, "nr_slab_unreclaimable 4\n"));
	free(t);
	/* the middle of the block is no object */
	snap(m, &s);
	assert_err(kfree(m, r.addr + 0x1000, NULL, &err), &err, MM_EINVAL,
		   "invalid-object-pointer", "Invalid object pointer "
		   "0xc2041000: it is 0x1000 bytes into the order-2 "
		   "kmalloc_large block at 0xc2040000");
	assert_same(m, &s);
	snap_free(&s);
	must_kfree(m, r.addr, &fr);
	assert_true(fr.large);
	assert_int_equal(fr.order, 2);
	/* the block goes to the head of CPU 0's order-2 list, not to the
	 * buddy: the free pages stay down by the batch, and buddyinfo shows
	 * the refill; the next order-2 request gets the block back */
	assert_int_equal(machine_free_pages(m), free0 - 60);
	assert_int_equal(meminfo_kb(m, "Slab:"), 0);
	t = text(m, proc_buddyinfo);
	assert_string_not_equal(t, buddy0);
	free(t);
	must_kmalloc(m, 8193, GFP_KERNEL, 0, &r);
	assert_int_equal(r.pfn, 0x2040);
	must_kfree(m, r.addr, NULL);

	/* KMALLOC_MAX_SIZE: 4 MiB is an order-10 block (GFP_KERNEL steals
	 * the Movable order-10 head 0x2400); one byte more is refused */
	must_kmalloc(m, 4u << 20, GFP_KERNEL, 0, &r);
	assert_int_equal(r.order, 10);
	assert_int_equal(r.addr, 0xc2400000u);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), 4096);
	must_kfree(m, r.addr, NULL);
	snap(m, &s);
	assert_err(kmalloc(m, (4u << 20) + 1, GFP_KERNEL, 0, &r, &err), &err,
		   MM_EINVAL, "too-large", "kmalloc(4194305): more than "
		   "KMALLOC_MAX_SIZE (4194304 bytes, an order-10 block)");
	assert_string_equal(err.field, "size");
	assert_same(m, &s);
	snap_free(&s);

	/* reclaimable or not, kmalloc_large is NR_SLAB_UNRECLAIMABLE_B */
	must_kmalloc(m, 20000, GFP_KERNEL | __GFP_RECLAIMABLE, 0, &r);
	assert_int_equal(r.order, 3);
	assert_int_equal(meminfo_kb(m, "SReclaimable:"), 0);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), 32);
	must_kfree(m, r.addr, NULL);
	/* GFP_DMA: from ZONE_DMA (the order-8 block at 0x100 splits) */
	must_kmalloc(m, 10000, GFP_KERNEL | GFP_DMA, 0, &r);
	assert_int_equal(r.zone, ZONE_DMA);
	assert_int_equal(r.addr, 0xc0100000u);
	must_kfree(m, r.addr, NULL);
	check(m);
	free(buddy0);
	machine_free(m);
}

/* --- gfp ----------------------------------------------------------------------------- */

static void test_highmem_refused(void **state)
{
	struct machine *m = boot();
	struct slab_alloc_result r;
	struct snapshot s;
	struct mm_error err;

	(void)state;
	snap(m, &s);
	assert_err(kmalloc(m, 64, GFP_KERNEL | __GFP_HIGHMEM, 0, &r, &err),
		   &err, MM_EINVAL, "bad-gfp", NULL);
	assert_string_equal(err.detail, "Unexpected gfp: 0x2 (__GFP_HIGHMEM). "
		"Fixing up to gfp: 0xcc0 (GFP_KERNEL). Fix your code! "
		"kmalloc: slab memory must be lowmem, because the kernel "
		"reaches it through the linear map (PAGE_OFFSET + phys) and "
		"HighMem has no permanent kernel address");
	assert_string_equal(err.field, "gfp");
	/* whatever the size, and __GFP_DMA32 too */
	assert_err(kmalloc(m, 100000, GFP_HIGHUSER, 0, &r, &err), &err,
		   MM_EINVAL, "bad-gfp", "Unexpected gfp: 0x2 (__GFP_HIGHMEM)."
		   " Fixing up to gfp: 0x100cc0 (GFP_USER).");
	assert_err(kzalloc(m, 8, GFP_KERNEL | __GFP_DMA32, 0, &r, &err), &err,
		   MM_EINVAL, "bad-gfp", "Unexpected gfp: 0x4 (GFP_DMA32)");
	assert_err(kmalloc(m, 8, 0x1000000, 0, &r, &err), &err, MM_EINVAL,
		   "bad-gfp", "bits 0x1000000 that 6.1 does not define");
	assert_err(kmem_cache_alloc(m, cache(m, "kmalloc-8"), GFP_HIGHUSER, 0,
				    &r, &err), &err, MM_EINVAL, "bad-gfp",
		   "kmem_cache_alloc: slab memory must be lowmem");
	assert_same(m, &s);
	snap_free(&s);
	machine_free(m);
}

static void test_dma(void **state)
{
	struct machine *m = boot();
	struct slab_alloc_result r;
	struct frame_info fi;
	struct kmem_cache *s;
	struct mm_error err;

	(void)state;
	/* dma-kmalloc-128 from ZONE_DMA, its slab allocated with GFP_DMA */
	must_kmalloc(m, 100, GFP_KERNEL | GFP_DMA, 0, &r);
	assert_string_equal(r.cache->name, "dma-kmalloc-128");
	assert_int_equal(r.zone, ZONE_DMA);
	assert_true(r.phys < SZ_16M);
	assert_int_equal(r.addr, 0xc0100000u);
	page_frame_info(&m->pgdat, r.pfn, &fi);
	assert_int_equal(fi.gfp, GFP_KERNEL | GFP_DMA | __GFP_NOWARN |
				 __GFP_NORETRY);
	/* a named SLAB_CACHE_DMA cache is the same */
	must_ok(kmem_cache_create(m, "dma_pool", 300, 0, SLAB_CACHE_DMA, &s,
				  &err), &err);
	assert_int_equal(s->allocflags, GFP_DMA);
	must_ok(kmem_cache_alloc(m, s, GFP_KERNEL, 0, &r, &err), &err);
	assert_true(r.ok);
	assert_int_equal(r.zone, ZONE_DMA);
	check(m);
	machine_free(m);
}

/* --- running out ----------------------------------------------------------------------- */

static void test_out_of_memory(void **state)
{
	struct machine *m = boot();
	struct slab_alloc_result r;
	struct snapshot s;
	struct mm_error err;
	vaddr_t keep;

	(void)state;
	/* kmalloc-32 gets a slab first; then lowmem runs dry for
	 * GFP_KERNEL (down to the min watermark) */
	keep = must_kmalloc(m, 32, GFP_KERNEL, 0, NULL);
	drain(m, GFP_KERNEL);
	snap(m, &s);
	/* a new slab is out of the question: out of memory is an answer */
	must_ok(kmalloc(m, 64, GFP_KERNEL, 0, &r, &err), &err);
	assert_false(r.ok);
	assert_non_null(strstr(r.reason, "kmalloc-64: no new slab (order-0 "
			       "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY "
			       "allocation failed: "));
	must_ok(kmalloc(m, 20000, GFP_KERNEL, 0, &r, &err), &err);
	assert_false(r.ok);
	assert_non_null(strstr(r.reason, "kmalloc_large: order-3"));
	assert_same(m, &s);
	snap_free(&s);
	/* a cache with room in its CPU slab needs no page */
	assert_int_equal(must_kmalloc(m, 32, GFP_KERNEL, 0, NULL), keep + 32);
	/* GFP_ATOMIC may dip below the min watermark: the page allocator
	 * lets __GFP_HIGH | __GFP_ATOMIC through */
	must_kmalloc(m, 64, GFP_ATOMIC, 0, &r);
	assert_int_equal(r.from, SLAB_SRC_NEW);
	check(m);
	machine_free(m);
}

/*
 * The order fallback.  On a 64 MiB machine take all of lowmem as order-1
 * blocks (__GFP_MEMALLOC ignores the watermarks), then give back every
 * block at a pfn that is a multiple of 4: its buddy (pfn + 2) stays
 * taken, so lowmem has thousands of free order-1 blocks and no larger
 * one.  kmalloc-8k's order-3 slab cannot be had; allocate_slab retries
 * with s->min, get_order(8192) = 1: a slab of one object.
 */
static void test_order_fallback(void **state)
{
	struct machine *m = boot_with(64ull << 20, 1, false);
	struct page_alloc_result *pr = calloc(1, sizeof(*pr));
	struct slab_alloc_result r;
	struct slab_free_result fr;
	struct kmem_cache *s = cache(m, "kmalloc-8k");
	struct mm_error err;
	pfn_t *blocks = NULL;
	size_t n = 0, cap = 0;
	vaddr_t a, b;

	(void)state;
	assert_non_null(pr);
	/* every order-1 block there is; a refill leaves blocks on CPU 0's
	 * order-1 list that would merge with the frees below once drained,
	 * so drain the lists and go on until they hold nothing */
	for (;;) {
		uint32_t on_pcp = 0;

		must_ok(alloc_pages(&m->pgdat, GFP_KERNEL | __GFP_MEMALLOC, 1,
				    OWNER_NONE, 0, pr, &err), &err);
		if (pr->ok) {
			if (n == cap) {
				cap = cap ? 2 * cap : 1024;
				blocks = realloc(blocks,
						 cap * sizeof(*blocks));
				assert_non_null(blocks);
			}
			blocks[n++] = pr->pfn;
			continue;
		}
		for (int j = 0; j < MAX_NR_ZONES; j++)
			on_pcp += zone_pcp_pages(&m->pgdat, j);
		if (!on_pcp)
			break;
		drain_all_pages(&m->pgdat);
	}
	assert_true(n > 5000);
	for (size_t i = 0; i < n; i++)
		if (blocks[i] % 4 == 0)
			must_ok(free_pages(&m->pgdat, blocks[i], 1, &err), &err);
	assert_int_equal(s->min_order, 1);
	assert_int_equal(s->min_objects, 1);
	a = must_kmalloc(m, 8192, GFP_KERNEL, 0, &r);
	assert_true(r.order_fallback);
	assert_int_equal(r.order, 1);
	assert_int_equal(r.objects, 1);
	assert_int_equal(r.page_gfp, GFP_KERNEL | __GFP_COMP);
	assert_int_equal(r.pfn % 4, 0);
	/* slabinfo keeps the cache's geometry; the counts are real */
	assert_line(m, "kmalloc-8k", "kmalloc-8k             1      1   8192 "
		    "   4    8 : tunables    0    0    0 : slabdata      1  "
		    "    1      0");
	b = must_kmalloc(m, 8192, GFP_KERNEL, 0, &r);
	assert_true(r.order_fallback);
	assert_int_equal(r.retired, PFN_DOWN(a - PO));
	/* a one-object slab empties from full: with nothing on the partial
	 * list (0 < min_partial 6) it is kept there */
	assert_int_equal(s->min_partial, 6);
	must_kfree(m, a, &fr);
	assert_true(fr.to_partial);
	assert_true(fr.kept_empty);
	must_kfree(m, b, &fr);
	assert_false(fr.discarded);
	assert_int_equal(s->nr_slabs, 2);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), 16);
	check(m);
	free(blocks);
	free(pr);
	machine_free(m);
}

/* --- errors ----------------------------------------------------------------------------- */

static void test_errors(void **state)
{
	struct machine *m = boot();
	struct slab_alloc_result r;
	struct page_alloc_result pr;
	struct slab_free_result fr;
	struct kmem_cache *foo;
	struct snapshot s;
	struct mm_error err;
	vaddr_t a, b, c96, large, f, page;
	uint32_t size;

	(void)state;
	a = must_kmalloc(m, 64, GFP_KERNEL, 0, NULL);		/* 0x2001 */
	b = must_kmalloc(m, 64, GFP_KERNEL, 0, NULL);
	c96 = must_kmalloc(m, 96, GFP_KERNEL, 0, NULL);		/* 0x2002 */
	large = must_kmalloc(m, 20000, GFP_KERNEL, 0, NULL);	/* 0x2040 */
	must_ok(kmem_cache_create(m, "foo", 64, 0, 0, &foo, &err), &err);
	must_ok(kmem_cache_alloc(m, foo, GFP_KERNEL, 0, &r, &err), &err);
	f = r.addr;
	must_ok(alloc_pages(&m->pgdat, GFP_KERNEL, 0, OWNER_NONE, 0, &pr,
			    &err), &err);
	page = PO + PFN_PHYS(pr.pfn);
	must_kfree(m, b, NULL);
	assert_int_equal(a, 0xc2001000u);
	assert_int_equal(c96, 0xc2002000u);
	assert_int_equal(large, 0xc2040000u);

	snap(m, &s);
	/* inside an object */
	assert_err(kfree(m, a + 8, NULL, &err), &err, MM_EINVAL,
		   "invalid-object-pointer", NULL);
	assert_string_equal(err.detail, "BUG kmalloc-64: Invalid object "
		"pointer 0xc2001008: it is 8 bytes into object 0 (at "
		"0xc2001000) of the slab at pfn 0x2001; kfree takes the "
		"address the allocation returned");
	assert_string_equal(err.field, "addr");
	/* past the last object: 42 * 96 = 4032 */
	assert_err(kfree(m, c96 + 4032, NULL, &err), &err, MM_EINVAL,
		   "invalid-object-pointer", "BUG kmalloc-96: Invalid object "
		   "pointer 0xc2002fc0: it is in the unused tail of the slab "
		   "at pfn 0x2002");
	/* twice */
	assert_err(kfree(m, b, NULL, &err), &err, MM_ESTATE, "double-free",
		   "BUG kmalloc-64: Object already free: 0xc2001040 (object 1 "
		   "of the slab at pfn 0x2001)");
	/* never handed out is free too */
	assert_err(kfree(m, a + 0x100, NULL, &err), &err, MM_ESTATE,
		   "double-free", "Object already free");
	/* the wrong cache, both ways */
	assert_err(kmem_cache_free(m, foo, a, NULL, &err), &err, MM_EINVAL,
		   "wrong-cache", NULL);
	assert_string_equal(err.detail, "kmem_cache_free: Wrong slab cache. "
			    "foo but object is from kmalloc-64");
	assert_string_equal(err.field, "cache");
	assert_err(kmem_cache_free(m, cache(m, "kmalloc-64"), f, NULL, &err),
		   &err, MM_EINVAL, "wrong-cache", "Wrong slab cache. "
		   "kmalloc-64 but object is from foo");
	/* not slab memory */
	assert_err(kfree(m, 0x08048000u, NULL, &err), &err, MM_EINVAL,
		   "not-slab", "kfree(0x08048000): not slab memory: 0x08048000 "
		   "is a user-space address");
	assert_err(kfree(m, 0xf73fe000u, NULL, &err), &err, MM_EINVAL,
		   "not-slab", "is in the vmalloc area");
	assert_err(kfree(m, 0xc2400000u, NULL, &err), &err, MM_EINVAL,
		   "not-slab", "pfn 0x2400 is free in the buddy allocator");
	assert_err(kfree(m, 0xc1000000u, NULL, &err), &err, MM_EINVAL,
		   "not-slab", "pfn 0x1000 is reserved");
	assert_err(kfree(m, 0xc2000000u, NULL, &err), &err, MM_EINVAL,
		   "not-slab", "pfn 0x2000 is a page table");
	assert_err(kfree(m, page, NULL, &err), &err, MM_EINVAL, "not-slab",
		   "that alloc_pages gave (free_pages frees it)");
	assert_err(kmem_cache_free(m, foo, page, NULL, &err), &err, MM_EINVAL,
		   "not-slab", "kmem_cache_free: Object is not a Slab page! ");
	assert_err(kmem_cache_free(m, foo, large, NULL, &err), &err,
		   MM_EINVAL, "not-slab", "kmalloc_large block at 0xc2040000, "
		   "which kfree frees");
	assert_err(kmem_cache_free(m, foo, 0, NULL, &err), &err, MM_EINVAL,
		   "not-slab", "Object is not a Slab page!");
	/* ksize and krealloc check the same */
	assert_err(ksize(m, a + 1, &size, &err), &err, MM_EINVAL,
		   "invalid-object-pointer", NULL);
	assert_err(ksize(m, b, &size, &err), &err, MM_ESTATE, "object-free",
		   NULL);
	assert_err(krealloc(m, a + 8, 200, GFP_KERNEL, 0, &r, &err), &err,
		   MM_EINVAL, "invalid-object-pointer", NULL);
	assert_err(krealloc(m, b, 200, GFP_KERNEL, 0, &r, &err), &err,
		   MM_ESTATE, "double-free", NULL);
	assert_err(krealloc(m, a, 5u << 20, GFP_KERNEL, 0, &r, &err), &err,
		   MM_EINVAL, "too-large", NULL);
	/* caches */
	assert_err(kmem_cache_destroy(m, cache(m, "kmalloc-64"), &size, &err),
		   &err, MM_EIMPOSSIBLE, "kmalloc-cache", NULL);
	assert_err(kmem_cache_destroy(m, foo, &size, &err), &err, MM_ESTATE,
		   "cache-in-use", NULL);
	assert_string_equal(err.detail, "kmem_cache_destroy foo: Slab cache "
			    "still has objects: 1 in use in 1 slab; "
			    "kmem_cache_free them first");
	assert_err(kmem_cache_create(m, "foo", 32, 0, 0, &foo, &err), &err,
		   MM_ESTATE, "duplicate-cache", "there is a cache named foo");
	assert_err(kmem_cache_create(m, "kmalloc-64", 32, 0, 0, &foo, &err),
		   &err, MM_ESTATE, "duplicate-cache", NULL);
	foo = cache(m, "foo");
	assert_err(kmem_cache_create(m, "a b", 32, 0, 0, &foo, &err), &err,
		   MM_EINVAL, "bad-argument", "printable characters");
	assert_err(kmem_cache_create(m, "", 32, 0, 0, &foo, &err), &err,
		   MM_EINVAL, "bad-argument", NULL);
	assert_string_equal(err.field, "name");
	assert_err(kmem_cache_create(m, "x", 0, 0, 0, &foo, &err), &err,
		   MM_EINVAL, "bad-argument", "size must be 1 to 4194304");
	assert_err(kmem_cache_create(m, "x", (4u << 20) + 1, 0, 0, &foo,
				     &err), &err, MM_EINVAL, "bad-argument",
		   NULL);
	assert_err(kmem_cache_create(m, "x", 32, 24, 0, &foo, &err), &err,
		   MM_EINVAL, "bad-argument", "power of two");
	assert_string_equal(err.field, "align");
	assert_err(kmem_cache_create(m, "x", 32, 0, 0x100, &foo, &err), &err,
		   MM_EINVAL, "bad-argument", NULL);
	assert_string_equal(err.field, "flags");
	foo = cache(m, "foo");
	/* kfree(NULL) and kfree(ZERO_SIZE_PTR) do nothing */
	must_kfree(m, 0, &fr);
	assert_true(fr.noop);
	must_kfree(m, ZERO_SIZE_PTR, &fr);
	assert_true(fr.noop);
	must_ok(ksize(m, ZERO_SIZE_PTR, &size, &err), &err);
	assert_int_equal(size, 0);
	assert_same(m, &s);
	snap_free(&s);

	/* and the frees that are right still work */
	must_ok(kmem_cache_free(m, foo, f, &fr, &err), &err);
	assert_string_equal(fr.cache, "foo");
	must_kfree(m, a, NULL);
	must_kfree(m, large, NULL);
	/* kfree takes any slab object, a named cache's too */
	must_ok(kmem_cache_alloc(m, foo, GFP_KERNEL, 0, &r, &err), &err);
	must_kfree(m, r.addr, &fr);
	assert_string_equal(fr.cache, "foo");
	check(m);
	machine_free(m);
}

/* --- named caches ----------------------------------------------------------------------- */

static void test_kmem_cache(void **state)
{
	struct machine *m = boot();
	uint32_t free0 = machine_free_pages(m), pages;
	struct slab_alloc_result r;
	struct kmem_cache *s;
	struct mm_error err;
	vaddr_t objs[200];
	char *t;

	(void)state;
	/* 20 bytes: ARCH_SLAB_MINALIGN 8 -> 24, 170 in a page */
	must_ok(kmem_cache_create(m, "plain", 20, 0, 0, &s, &err), &err);
	assert_int_equal(s->align, 8);
	assert_int_equal(s->size, 24);
	assert_int_equal(s->objects, 170);
	assert_int_equal(s->order, 0);
	assert_int_equal(s->id, 53);
	/* SLAB_HWCACHE_ALIGN: the 32-byte line (20 > 16, no halving) */
	must_ok(kmem_cache_create(m, "hw", 20, 0, SLAB_HWCACHE_ALIGN, &s,
				  &err), &err);
	assert_int_equal(s->align, 32);
	assert_int_equal(s->size, 32);
	assert_int_equal(s->objects, 128);
	/* ... halved while the object fits in half: 12 <= 16 -> 16 */
	must_ok(kmem_cache_create(m, "hw_small", 12, 0, SLAB_HWCACHE_ALIGN,
				  &s, &err), &err);
	assert_int_equal(s->align, 16);
	assert_int_equal(s->size, 16);
	/* ... and 3 <= 8 -> 8 (the minimum anyway) */
	assert_int_equal(slab_calculate_alignment(SLAB_HWCACHE_ALIGN, 0, 3), 8);
	/* an explicit alignment wins when larger */
	must_ok(kmem_cache_create(m, "aligned", 24, 64, SLAB_HWCACHE_ALIGN,
				  &s, &err), &err);
	assert_int_equal(s->size, 64);
	/* a TCPv6-sized cache: 17 objects in 8 pages, min_partial 5 */
	must_ok(kmem_cache_create(m, "tcp6", 1888, 0, SLAB_HWCACHE_ALIGN, &s,
				  &err), &err);
	assert_int_equal(s->size, 1888);
	assert_int_equal(s->objects, 17);
	assert_int_equal(s->order, 3);
	assert_int_equal(s->min_partial, 5);
	/* reclaimable: SReclaimable and KReclaimable, and MemAvailable
	 * counts it back.  2000 bytes: 8 * 2000 = 16000 -> order 2, which
	 * wastes 384 <= 16384 / 16: 8 objects in 4 pages */
	must_ok(kmem_cache_create(m, "recl", 2000, 0, SLAB_RECLAIM_ACCOUNT,
				  &s, &err), &err);
	assert_int_equal(s->order, 2);
	assert_int_equal(s->objects, 8);
	assert_int_equal(s->allocflags, __GFP_COMP | __GFP_RECLAIMABLE);

	/* newest first, above the kmalloc caches */
	t = text(m, proc_slabinfo);
	assert_non_null(strstr(t, "<sharedavail>\nrecl                   0 "
			       "     0   2000    8    4 : tunables    0    0 "
			       "   0 : slabdata      0      0      0\ntcp6   "));
	assert_non_null(strstr(t, "\nplain                  0      0     24 "
			       " 170    1 : tunables    0    0    0 : slabdata"
			       "      0      0      0\ndma-kmalloc-8k "));
	free(t);

	/* objects, then the in-use refusal, then destroy */
	s = cache(m, "plain");
	for (unsigned i = 0; i < 200; i++) {
		must_ok(kmem_cache_alloc(m, s, GFP_KERNEL, 0, &r, &err), &err);
		assert_true(r.ok);
		objs[i] = r.addr;
	}
	assert_int_equal(objs[1] - objs[0], 24);
	assert_int_equal(s->nr_slabs, 2);
	assert_line(m, "plain", "plain                200    340     24  170"
		    "    1 : tunables    0    0    0 : slabdata      2      2"
		    "      0");
	assert_err(kmem_cache_destroy(m, s, &pages, &err), &err, MM_ESTATE,
		   "cache-in-use", "kmem_cache_destroy plain: Slab cache still "
		   "has objects: 200 in use in 2 slabs");
	for (unsigned i = 0; i < 200; i++)
		must_ok(kmem_cache_free(m, s, objs[i], NULL, &err), &err);
	/* the two slab pages came off CPU 0's order-0 pcp list, which boot
	 * left holding pages, and destroy puts them back on its head: the
	 * buddy allocator's free pages never move */
	assert_int_equal(machine_free_pages(m), free0);
	must_ok(kmem_cache_destroy(m, s, &pages, &err), &err);
	assert_int_equal(pages, 2);
	assert_int_equal(machine_free_pages(m), free0);
	assert_null(kmem_cache_find(&m->slab, "plain"));
	t = text(m, proc_slabinfo);
	assert_null(strstr(t, "\nplain "));
	free(t);
	/* the name is free again; the id is not reused */
	must_ok(kmem_cache_create(m, "plain", 20, 0, 0, &s, &err), &err);
	assert_int_equal(s->id, 59);

	/* the reclaimable cache's pages */
	must_ok(kmem_cache_alloc(m, cache(m, "recl"), GFP_KERNEL, 0, &r,
				 &err), &err);
	assert_int_equal(meminfo_kb(m, "SReclaimable:"), 16);
	assert_int_equal(meminfo_kb(m, "KReclaimable:"), 16);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), 0);
	assert_int_equal(meminfo_kb(m, "Slab:"), 16);
	{
		/* si_mem_available(): free - totalreserve + reclaimable -
		 * min(reclaimable / 2, the low watermarks) = + 4 - 2 pages */
		long long avail = meminfo_kb(m, "MemAvailable:");
		long long memfree = meminfo_kb(m, "MemFree:");

		assert_int_equal(avail, memfree -
				 4ll * m->pgdat.totalreserve_pages + 8);
	}
	t = text(m, proc_zoneinfo);
	assert_non_null(strstr(t, "nr_slab_reclaimable 4\n"));
	assert_non_null(strstr(t, "nr_slab_unreclaimable 0\n"));
	free(t);
	check(m);
	machine_free(m);
}

/* --- krealloc, kzalloc ------------------------------------------------------------------- */

static void test_krealloc(void **state)
{
	struct machine *m = boot();
	struct slab_alloc_result r;
	struct mm_error err;
	char buf[8];
	vaddr_t p, q;

	(void)state;
	p = must_kmalloc(m, 50, GFP_KERNEL, 0, &r);	/* kmalloc-64 */
	physmem_write(&m->mem, r.phys, "hello", 6);
	/* still fits: the same object */
	must_ok(krealloc(m, p, 64, GFP_KERNEL, 0, &r, &err), &err);
	assert_true(r.ok);
	assert_false(r.moved);
	assert_int_equal(r.addr, p);
	assert_string_equal(r.cache->name, "kmalloc-64");
	/* grows: a kmalloc-128 object gets ksize(p) = 64 bytes, p goes */
	must_ok(krealloc(m, p, 100, GFP_KERNEL, 0, &r, &err), &err);
	assert_true(r.moved);
	assert_int_equal(r.old_addr, p);
	assert_int_equal(r.copied, 64);
	assert_string_equal(r.cache->name, "kmalloc-128");
	q = r.addr;
	assert_int_equal(q, 0xc2002000u);
	physmem_read(&m->mem, r.phys, buf, 6);
	assert_string_equal(buf, "hello");
	assert_int_equal(cache(m, "kmalloc-64")->inuse, 0);
	/* into kmalloc_large */
	must_ok(krealloc(m, q, 10000, GFP_KERNEL, 0, &r, &err), &err);
	assert_true(r.large);
	assert_int_equal(r.copied, 128);
	physmem_read(&m->mem, r.phys, buf, 6);
	assert_string_equal(buf, "hello");
	q = r.addr;
	/* to 0: freed, ZERO_SIZE_PTR */
	must_ok(krealloc(m, q, 0, GFP_KERNEL, 0, &r, &err), &err);
	assert_true(r.zero_size);
	assert_int_equal(r.addr, ZERO_SIZE_PTR);
	assert_int_equal(m->slab.nr_large, 0);
	/* from NULL: kmalloc */
	must_ok(krealloc(m, 0, 10, GFP_KERNEL, 0, &r, &err), &err);
	assert_false(r.moved);
	assert_string_equal(r.cache->name, "kmalloc-16");
	check(m);
	machine_free(m);
}

static void test_kzalloc(void **state)
{
	struct machine *m = boot();
	struct slab_alloc_result r;
	struct mm_error err;
	uint8_t junk[65], got[65];
	vaddr_t p;

	(void)state;
	memset(junk, 0xa5, sizeof(junk));
	p = must_kmalloc(m, 64, GFP_KERNEL, 0, &r);
	/* junk over the object and one byte of the next */
	physmem_write(&m->mem, r.phys, junk, 65);
	must_kfree(m, p, NULL);
	/* kmalloc gets the same object back (LIFO), stale */
	assert_int_equal(must_kmalloc(m, 64, GFP_KERNEL, 0, &r), p);
	physmem_read(&m->mem, r.phys, got, 65);
	assert_memory_equal(got, junk, 65);
	must_kfree(m, p, NULL);
	/* kzalloc clears its 64 bytes and nothing else */
	must_ok(kzalloc(m, 64, GFP_KERNEL, 0, &r, &err), &err);
	assert_int_equal(r.addr, p);
	physmem_read(&m->mem, r.phys, got, 65);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(got[i], 0);
	assert_int_equal(got[64], 0xa5);
	/* kmalloc(0) */
	must_ok(kmalloc(m, 0, GFP_KERNEL, 0, &r, &err), &err);
	assert_true(r.ok);
	assert_true(r.zero_size);
	assert_int_equal(r.addr, ZERO_SIZE_PTR);
	must_kfree(m, r.addr, NULL);
	check(m);
	machine_free(m);
}

/* --- reports ----------------------------------------------------------------------------- */

static void test_reports(void **state)
{
	struct machine *m = boot();
	struct mm_error err;
	struct kmem_cache *s;
	char *t;
	json_t *j, *c;

	(void)state;
	for (unsigned i = 0; i < 3; i++)
		must_kmalloc(m, 100, GFP_KERNEL_ACCOUNT, 0, NULL);
	must_kmalloc(m, 5000, GFP_KERNEL | __GFP_RECLAIMABLE, 0, NULL);
	must_ok(kmem_cache_create(m, "mine", 100, 0, SLAB_HWCACHE_ALIGN, &s,
				  &err), &err);
	assert_line(m, "kmalloc-cg-128", "kmalloc-cg-128         3     32    "
		    "128   32    1 : tunables    0    0    0 : slabdata      1"
		    "      1      0");
	assert_line(m, "kmalloc-rcl-8k", "kmalloc-rcl-8k         1      4   "
		    "8192    4    8 : tunables    0    0    0 : slabdata      1"
		    "      1      0");
	assert_int_equal(meminfo_kb(m, "KReclaimable:"), 32);
	assert_int_equal(meminfo_kb(m, "Slab:"), 36);
	assert_int_equal(meminfo_kb(m, "SReclaimable:"), 32);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), 4);
	t = text(m, proc_meminfo);
	assert_non_null(strstr(t, "\nShmem:                 0 kB\n"
			       "KReclaimable:         32 kB\n"
			       "Slab:                 36 kB\n"
			       "SReclaimable:         32 kB\n"
			       "SUnreclaim:            4 kB\n"
			       "KernelStack:           0 kB\n"));
	free(t);
	t = text(m, proc_zoneinfo);
	assert_non_null(strstr(t, "      nr_slab_reclaimable 8\n"
			       "      nr_slab_unreclaimable 1\n"));
	free(t);

	/* the JSON: newest first, the line's figures and the slabs */
	assert_int_equal(api_report(m, "slabinfo", false, &j, NULL, &err),
			 MM_OK);
	assert_int_equal(json_array_size(j), 53);
	c = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(c, "name")),
			    "mine");
	/* 100 bytes, SLAB_HWCACHE_ALIGN: the 32-byte line, 128 */
	assert_int_equal(json_integer_value(json_object_get(c, "objsize")),
			 128);
	assert_int_equal(json_integer_value(json_object_get(c, "align")), 32);
	for (size_t i = 0; i < json_array_size(j); i++) {
		c = json_array_get(j, i);
		if (strcmp(json_string_value(json_object_get(c, "name")),
			   "kmalloc-cg-128"))
			continue;
		assert_int_equal(json_integer_value(json_object_get(c,
				 "active_objs")), 3);
		assert_int_equal(json_integer_value(json_object_get(c,
				 "num_objs")), 32);
		/* the kernel counts the CPU slab's free objects as active */
		assert_int_equal(json_integer_value(json_object_get(c,
				 "kernel_active_objs")), 32);
		assert_string_equal(json_string_value(json_object_get(
			json_array_get(json_object_get(c, "cpu_slabs"), 0),
			"pfn")), "0x00002001");
		assert_int_equal(json_array_size(json_object_get(c,
				 "partial")), 0);
		assert_int_equal(json_array_size(json_object_get(c, "full")),
				 0);
	}
	json_decref(j);
	assert_int_equal(api_report(m, "slabinfo", true, NULL, &t, &err),
			 MM_OK);
	assert_true(!strncmp(t, "slabinfo - version: 2.1\n", 24));
	free(t);
	machine_free(m);
}

/* --- the api ----------------------------------------------------------------------------- */

static json_t *run(struct machine *m, const char *op, const char *args,
		   struct mm_error *err)
{
	json_error_t je;
	json_t *a = args ? json_loads(args, 0, &je) : NULL, *r = NULL;

	if (args && !a)
		fail_msg("bad test JSON %s", args);
	memset(err, 0, sizeof(*err));
	if (api_op(m, op, a, &r, err) != MM_OK)
		assert_null(r);
	json_decref(a);
	return r;
}

static const char *str(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	if (!json_is_string(v))
		fail_msg("%s is not a string", k);
	return json_string_value(v);
}

static json_int_t num(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", k);
	return json_integer_value(v);
}

static void assert_bad(struct machine *m, const char *op, const char *args,
		       const char *type, const char *field)
{
	struct mm_error err;

	assert_null(run(m, op, args, &err));
	assert_string_equal(err.type, type);
	assert_string_equal(err.field, field);
}

static void test_ops(void **state)
{
	struct machine *m = boot();
	struct mm_error err;
	json_t *r, *slab;

	(void)state;
	r = run(m, "kmalloc", "{\"size\": 96}", &err);
	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_string_equal(str(r, "addr"), "0xc2001000");
	assert_string_equal(str(r, "phys"), "0x02001000");
	assert_string_equal(str(r, "cache"), "kmalloc-96");
	assert_int_equal(num(r, "size"), 96);
	assert_int_equal(num(r, "ksize"), 96);
	assert_string_equal(str(r, "gfp"), "GFP_KERNEL");
	assert_string_equal(str(r, "from"), "new-slab");
	assert_true(json_is_false(json_object_get(r, "large")));
	slab = json_object_get(r, "slab");
	assert_string_equal(str(slab, "pfn"), "0x00002001");
	assert_int_equal(num(slab, "index"), 0);
	assert_int_equal(num(slab, "objects"), 42);
	assert_int_equal(num(slab, "inuse"), 1);
	assert_string_equal(str(slab, "zone"), "Normal");
	assert_string_equal(str(json_object_get(r, "new_slab"), "gfp"),
			    "GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY");
	json_decref(r);

	r = run(m, "kzalloc", "{\"size\": \"90\", \"gfp\": \"GFP_ATOMIC\", "
		"\"cpu\": 0}", &err);
	assert_string_equal(str(r, "addr"), "0xc2001060");
	assert_string_equal(str(r, "from"), "cpu-slab");
	assert_int_equal(num(json_object_get(r, "slab"), "index"), 1);
	json_decref(r);

	r = run(m, "ksize", "{\"addr\": \"0xc2001060\"}", &err);
	assert_int_equal(num(r, "ksize"), 96);
	assert_string_equal(str(r, "cache"), "kmalloc-96");
	json_decref(r);
	assert_false(api_op_mutates("ksize"));
	assert_true(api_op_mutates("kmalloc"));

	r = run(m, "krealloc", "{\"addr\": \"0xc2001060\", \"size\": 200}",
		&err);
	assert_true(json_is_true(json_object_get(r, "moved")));
	assert_string_equal(str(r, "cache"), "kmalloc-256");
	assert_string_equal(str(r, "old_addr"), "0xc2001060");
	json_decref(r);

	r = run(m, "kfree", "{\"addr\": \"0xc2001000\"}", &err);
	assert_string_equal(str(r, "cache"), "kmalloc-96");
	assert_int_equal(num(json_object_get(r, "slab"), "inuse"), 0);
	assert_true(json_is_false(json_object_get(r, "slab_freed")));
	json_decref(r);
	r = run(m, "kfree", "{\"addr\": 0}", &err);
	assert_non_null(json_object_get(r, "note"));
	json_decref(r);

	r = run(m, "kmalloc", "{\"size\": \"64K\"}", &err);
	assert_true(json_is_true(json_object_get(r, "large")));
	assert_int_equal(num(json_object_get(r, "block"), "order"), 4);
	assert_true(json_is_null(json_object_get(r, "slab")));
	json_decref(r);

	r = run(m, "kmem_cache_create", "{\"name\": \"my_cache\", \"size\": 20,"
		" \"flags\": [\"SLAB_HWCACHE_ALIGN\", "
		"\"SLAB_RECLAIM_ACCOUNT\"]}", &err);
	assert_non_null(r);
	assert_int_equal(num(r, "objsize"), 32);
	assert_int_equal(num(r, "objperslab"), 128);
	assert_int_equal(json_array_size(json_object_get(r, "flags")), 2);
	json_decref(r);
	r = run(m, "kmem_cache_alloc", "{\"cache\": \"my_cache\"}", &err);
	assert_string_equal(str(r, "cache"), "my_cache");
	assert_string_equal(str(r, "addr"), "0xc2400000");
	json_decref(r);
	assert_bad(m, "kmem_cache_free", "{\"cache\": \"kmalloc-8\", \"addr\": "
		   "\"0xc2400000\"}", "wrong-cache", "cache");
	assert_bad(m, "kmem_cache_destroy", "{\"cache\": \"my_cache\"}",
		   "cache-in-use", "cache");
	r = run(m, "kmem_cache_free", "{\"cache\": \"my_cache\", \"addr\": "
		"\"0xc2400000\"}", &err);
	assert_string_equal(str(r, "cache"), "my_cache");
	json_decref(r);
	r = run(m, "kmem_cache_destroy", "{\"cache\": \"my_cache\"}", &err);
	assert_int_equal(num(r, "pages_freed"), 1);
	json_decref(r);

	/* the refusals come through with their field */
	assert_bad(m, "kmalloc", "{}", "bad-argument", "size");
	assert_bad(m, "kmalloc", "{\"size\": 8, \"cpu\": 1}", "bad-argument",
		   "cpu");
	assert_bad(m, "kmalloc", "{\"size\": 8, \"cpu\": 99}", "bad-argument",
		   "cpu");
	assert_bad(m, "kmalloc", "{\"size\": 8, \"gfp\": \"GFP_BOGUS\"}",
		   "bad-argument", "gfp");
	assert_bad(m, "kmalloc", "{\"size\": 8, \"gfp\": \"GFP_HIGHUSER\"}",
		   "bad-gfp", "gfp");
	assert_bad(m, "kmalloc", "{\"size\": \"5M\"}", "too-large", "size");
	assert_bad(m, "kmalloc", "{\"sz\": 8}", "bad-argument", "sz");
	assert_bad(m, "kfree", "{}", "bad-argument", "addr");
	assert_bad(m, "kfree", "{\"addr\": \"0xc2001000\"}", "double-free",
		   "addr");
	assert_bad(m, "kfree", "{\"addr\": \"0x100000000\"}", "bad-argument",
		   "addr");
	assert_bad(m, "kmem_cache_alloc", "{\"cache\": \"nope\"}",
		   "no-such-cache", "cache");
	assert_bad(m, "kmem_cache_alloc", "{}", "bad-argument", "cache");
	assert_bad(m, "kmem_cache_create", "{\"name\": \"x\", \"size\": 8, "
		   "\"flags\": [\"SLAB_PANIC\"]}", "bad-argument", "flags");
	assert_bad(m, "kmem_cache_create", "{\"size\": 8}", "bad-argument",
		   "name");
	/* the slab allocator's pages are not free_pages' to give back */
	assert_bad(m, "free_pages", "{\"pfn\": \"0x2001\"}", "slab-page", "pfn");
	{
		struct mm_error e;

		assert_null(run(m, "kmem_cache_alloc", "{\"cache\": \"nope\"}",
				&e));
		assert_int_equal(api_http_status(&e), 404);
	}
	check(m);
	machine_free(m);
}

/* --- a random workload ---------------------------------------------------------------------- */

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Free pages wherever they wait: the buddy lists and the per-CPU lists. */
static uint32_t free_or_pcp(const struct machine *m)
{
	uint32_t n = machine_free_pages(m);

	for (int j = 0; j < MAX_NR_ZONES; j++)
		n += zone_pcp_pages(&m->pgdat, j);
	return n;
}

/*
 * Thousands of kmalloc and kfree of random sizes (1 byte .. 16 KiB, so
 * kmalloc_large too) with random gfp on two CPUs, then everything freed
 * in random order.  All along the structures agree (slab_check); at the
 * end no object is in use and, by slab.h's rules, each cache holds only
 * its CPU slabs (at most one per CPU) and at most min_partial - 1 empty
 * partial slabs (no slab here holds a single object: no order fallback
 * happens on 2 GiB), every slab page is accounted for, and dropping those
 * slabs (and draining the per-CPU lists) gives the buddy allocator
 * exactly the free lists a drained fresh machine has.
 */
static void test_random(void **state)
{
	static const gfp_t gfps[5] = {
		GFP_KERNEL, GFP_ATOMIC, GFP_DMA,
		GFP_KERNEL | __GFP_RECLAIMABLE, GFP_KERNEL_ACCOUNT,
	};
	struct machine *m = boot_with(2ull << 30, 2, false);
	uint32_t free0 = free_or_pcp(m), slab_pages = 0, recl = 0;
	char *buddy0, *buddy;
	static vaddr_t live[4096];
	unsigned nlive = 0, allocs = 0, frees = 0, large = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	struct slab_alloc_result r;
	struct mm_error err;

	(void)state;
	{
		/* the boot state with every per-CPU list given back */
		struct machine *b = boot_with(2ull << 30, 2, false);

		drain_all_pages(&b->pgdat);
		buddy0 = text(b, proc_buddyinfo);
		machine_free(b);
	}
	for (unsigned step = 0; step < 12000; step++) {
		uint64_t x = xorshift64(&seed);
		bool alloc = nlive == 0 ||
			     (nlive < ARRAY_SIZE(live) && x % 100 < 55);

		if (alloc) {
			uint32_t size = 1 + (uint32_t)(xorshift64(&seed) %
						       16384);
			gfp_t gfp = gfps[xorshift64(&seed) % 5];
			unsigned cpu = (unsigned)(xorshift64(&seed) % 2);

			must_ok(kmalloc(m, size, gfp, cpu, &r, &err), &err);
			if (!r.ok)
				fail_msg("step %u: kmalloc(%u, 0x%x): %s",
					 step, size, gfp, r.reason);
			assert_false(r.order_fallback);
			assert_int_equal(r.addr, PO + r.phys);
			assert_true(r.ksize >= size);
			if (gfp & __GFP_DMA)
				assert_int_equal(r.zone, ZONE_DMA);
			large += r.large;
			live[nlive++] = r.addr;
			allocs++;
		} else {
			unsigned i = (unsigned)(xorshift64(&seed) % nlive);

			must_kfree(m, live[i], NULL);
			live[i] = live[--nlive];
			frees++;
		}
		if (step % 500 == 0)
			check(m);
	}
	assert_true(allocs > 6000 && frees > 5000 && large > 500);
	check(m);
	while (nlive) {
		unsigned i = (unsigned)(xorshift64(&seed) % nlive);

		must_kfree(m, live[i], NULL);
		live[i] = live[--nlive];
	}
	check(m);

	assert_int_equal(m->slab.nr_large, 0);
	assert_int_equal(m->slab.large_pages, 0);
	for (uint32_t c = 0; c < m->slab.nr_caches; c++) {
		struct kmem_cache *s = m->slab.caches[c];
		unsigned cpus = (s->cpu_slab[0] != NULL) +
				(s->cpu_slab[1] != NULL);

		assert_int_equal(s->inuse, 0);
		assert_int_equal(s->nr_full, 0);
		assert_true(s->nr_partial <= s->min_partial - 1);
		assert_int_equal(s->nr_slabs, s->nr_partial + cpus);
		for (const struct slab *p = s->partial_head; p; p = p->next)
			assert_int_equal(p->inuse, 0);
		slab_pages += s->nr_pages;
		if (s->flags & SLAB_RECLAIM_ACCOUNT)
			recl += s->nr_pages;
	}
	assert_true(slab_pages > 0);
	/* slab pages + free pages (the buddy's and the per-CPU lists') =
	 * what boot left free */
	assert_int_equal(free_or_pcp(m) + slab_pages, free0);
	assert_int_equal(m->slab.reclaimable_pages, recl);
	assert_int_equal(m->slab.unreclaimable_pages, slab_pages - recl);
	assert_int_equal(meminfo_kb(m, "Slab:"), 4ll * slab_pages);
	/* the kept slabs are all that stands between the buddy allocator
	 * and its boot state */
	for (uint32_t c = 0; c < m->slab.nr_caches; c++)
		slub_shutdown(m, m->slab.caches[c]);
	check(m);
	assert_int_equal(free_or_pcp(m), free0);
	/* drained, the buddy lists are boot's drained ones exactly */
	drain_all_pages(&m->pgdat);
	assert_int_equal(machine_free_pages(m), free0);
	buddy = text(m, proc_buddyinfo);
	assert_string_equal(buddy, buddy0);
	free(buddy);
	free(buddy0);
	machine_free(m);
}

/* --- the booted state ------------------------------------------------------------ */

static struct machine *boot_booted(uint64_t ram, unsigned cpus, bool pae)
{
	struct machine_config c;

	machine_config_default(&c);
	c.ram = ram;
	c.cpus = cpus;
	c.pae = pae;
	return must_boot(&c);
}

static uint32_t owner_blocks(const struct machine *m, enum page_owner owner,
			     unsigned order)
{
	const struct pfnmap *map = &m->pgdat.alloc_blocks;
	uint32_t n = 0;

	for (uint32_t i = 0; i < map->cap; i++)
		n += map->slot[i].pfn != PFN_NONE &&
		     map->slot[i].owner == owner &&
		     map->slot[i].order == order;
	return n;
}

/* calculate_sizes(): the free pointer goes after the object for a cache
 * with a constructor or SLAB_TYPESAFE_BY_RCU (bio-96's objsize is 128). */
static void test_free_pointer_outside(void **state)
{
	(void)state;
	assert_int_equal(slab_calculate_size(96, 32, 0, false), 96);
	assert_int_equal(slab_calculate_size(96, 32, SLAB_TYPESAFE_BY_RCU,
					     false), 128);
	assert_int_equal(slab_calculate_size(412, 8, 0, true), 416);
	assert_int_equal(slab_calculate_size(412, 8, 0, false), 416);
	assert_int_equal(slab_calculate_size(52, 8, 0, true), 56);
	assert_int_equal(slab_calculate_size(50, 8, 0, false), 56);
	assert_int_equal(slab_calculate_size(16, 8, 0, true), 24);
}

/* A booted 2 GiB machine: the named caches with their boot objects, the
 * kernel stacks, and kmem_cache_alloc from dentry over the API. */
static void test_booted(void **state)
{
	struct machine *m = boot_booted(2ull << 30, 1, false);
	const struct kmem_cache *d = kmem_cache_find(&m->slab, "dentry");
	const struct kmem_cache *t = kmem_cache_find(&m->slab, "task_struct");
	uint32_t recl = m->slab.reclaimable_pages;
	struct mm_error err;
	char addr[64];
	json_t *r;

	(void)state;
	check(m);
	assert_non_null(d);
	assert_int_equal(d->size, 128);
	assert_int_equal(d->objects, 32);
	assert_int_equal(d->order, 0);
	assert_int_equal(d->inuse, 10816);
	assert_int_equal(d->nr_slabs, 338);
	assert_true(d->flags & SLAB_RECLAIM_ACCOUNT);
	/* 45 boot tasks: a task_struct and an order-1 stack each */
	assert_int_equal(t->inuse, 45);
	assert_int_equal(t->nr_slabs, 5);
	assert_int_equal(owner_blocks(m, OWNER_KSTACK, 1), 45);
	assert_int_equal(m->kernel_stack_pages, 90);
	assert_int_equal(meminfo_kb(m, "KernelStack:"), 360);
	/* kmem_cache holds one struct kmem_cache per cache */
	assert_int_equal(kmem_cache_find(&m->slab, "kmem_cache")->inuse,
			 m->slab.nr_caches);
	/* highmem: the bounce pool's biosets */
	assert_int_equal(kmem_cache_find(&m->slab, "bio-96")->inuse, 4);
	assert_int_equal(kmem_cache_find(&m->slab, "biovec-max")->inuse, 42);
	/* every dentry slab is full: the next object needs a new slab, which
	 * counts in SReclaimable */
	r = run(m, "kmem_cache_alloc", "{\"cache\": \"dentry\"}", &err);
	assert_non_null(r);
	assert_string_equal(str(r, "cache"), "dentry");
	assert_string_equal(str(r, "from"), "new-slab");
	snprintf(addr, sizeof(addr), "%s", str(r, "addr"));
	json_decref(r);
	assert_int_equal(d->inuse, 10817);
	assert_int_equal(m->slab.reclaimable_pages, recl + 1);
	check(m);
	/* a booted cache with objects cannot go */
	assert_null(run(m, "kmem_cache_destroy", "{\"cache\": \"dentry\"}",
			&err));
	assert_string_equal(err.type, "cache-in-use");
	{
		char args[128];

		snprintf(args, sizeof(args), "{\"cache\": \"dentry\", "
			 "\"addr\": \"%s\"}", addr);
		r = run(m, "kmem_cache_free", args, &err);
		assert_non_null(r);
		json_decref(r);
	}
	assert_int_equal(d->inuse, 10816);
	check(m);
	machine_free(m);
}

/* A kernel stack is no alloc_pages block: free_pages refuses it. */
static void test_kernel_stack_refused(void **state)
{
	struct machine *m = boot_booted(2ull << 30, 1, false);
	const struct pfnmap *map = &m->pgdat.alloc_blocks;
	struct mm_error err;
	char args[96];
	pfn_t pfn = PFN_NONE;

	(void)state;
	for (uint32_t i = 0; i < map->cap && pfn == PFN_NONE; i++)
		if (map->slot[i].pfn != PFN_NONE &&
		    map->slot[i].owner == OWNER_KSTACK)
			pfn = map->slot[i].pfn;
	assert_int_not_equal(pfn, PFN_NONE);
	snprintf(args, sizeof(args), "{\"pfn\": \"0x%x\", \"order\": 1}", pfn);
	assert_null(run(m, "free_pages", args, &err));
	assert_string_equal(err.type, "not-alloc-pages");
	assert_int_equal(m->kernel_stack_pages, 90);
	machine_free(m);
}

/* The rules that follow the configuration: per-CPU tasks, the bounce
 * pool only with highmem, PAE's own set of caches; and a bare machine
 * has none of it. */
static void test_booted_rules(void **state)
{
	struct machine *m;

	(void)state;
	m = boot_booted(2ull << 30, 4, false);
	assert_int_equal(kmem_cache_find(&m->slab, "task_struct")->inuse,
			 45 + 3 * 6);
	assert_int_equal(m->kernel_stack_pages, 2 * (45 + 3 * 6));
	check(m);
	machine_free(m);
	m = boot_booted(512ull << 20, 1, false);
	assert_null(kmem_cache_find(&m->slab, "bio-96"));
	assert_int_equal(kmem_cache_find(&m->slab, "biovec-max")->inuse, 40);
	assert_int_equal(kmem_cache_find(&m->slab, "biovec-max")->nr_slabs, 4);
	machine_free(m);
	m = boot_booted(2ull << 30, 1, true);
	assert_null(kmem_cache_find(&m->slab, "sgpool-16"));
	assert_null(kmem_cache_find(&m->slab, "pid_namespace"));
	assert_int_equal(kmem_cache_find(&m->slab, "seq_file")->size, 72);
	assert_int_equal(kmem_cache_find(&m->slab, "task_struct")->size, 3008);
	assert_int_equal(kmem_cache_find(&m->slab, "task_struct")->objects,
			 10);
	check(m);
	machine_free(m);
	m = boot_with(2ull << 30, 1, false);
	assert_int_equal(m->slab.nr_caches, 52);
	assert_null(kmem_cache_find(&m->slab, "kmem_cache"));
	assert_int_equal(m->kernel_stack_pages, 0);
	assert_int_equal(m->slab.reclaimable_pages +
			 m->slab.unreclaimable_pages, 0);
	machine_free(m);
}

/* The same configuration boots to the same bytes. */
static void test_booted_deterministic(void **state)
{
	struct machine *a = boot_booted(2ull << 30, 2, false);
	struct machine *b = boot_booted(2ull << 30, 2, false);
	uint8_t *x, *y;
	size_t nx, ny;

	(void)state;
	machine_snapshot(a, &x, &nx);
	machine_snapshot(b, &y, &ny);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	free(x);
	free(y);
	machine_free(a);
	machine_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_free_pointer_outside),
		cmocka_unit_test(test_booted),
		cmocka_unit_test(test_kernel_stack_refused),
		cmocka_unit_test(test_booted_rules),
		cmocka_unit_test(test_booted_deterministic),
		cmocka_unit_test(test_geometry_capture),
		cmocka_unit_test(test_geometry_cpus),
		cmocka_unit_test(test_size_to_cache),
		cmocka_unit_test(test_first_objects),
		cmocka_unit_test(test_pages_of_a_slab),
		cmocka_unit_test(test_pae),
		cmocka_unit_test(test_slab_growth),
		cmocka_unit_test(test_lifo),
		cmocka_unit_test(test_min_partial),
		cmocka_unit_test(test_partial_refill),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_kmalloc_large),
		cmocka_unit_test(test_highmem_refused),
		cmocka_unit_test(test_dma),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_order_fallback),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_kmem_cache),
		cmocka_unit_test(test_krealloc),
		cmocka_unit_test(test_kzalloc),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

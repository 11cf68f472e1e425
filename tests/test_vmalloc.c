/*
 * test_vmalloc.c - vmalloc, vzalloc, vfree, vmap, vunmap, ioremap, iounmap,
 * /proc/vmallocinfo and VmallocUsed on fresh 2 GiB machines
 * (machine_config_default), against results derived by hand from the
 * rules in model/vmalloc.h.
 *
 * The window.  Two-level: VMALLOC_START 0xf73fe000 (high_memory 0xf6bfe000
 * + 8 MiB; test_golden proves it against the capture), VMALLOC_END
 * 0xfebfe000 (PKMAP_BASE 0xfec00000 - 2 pages): 120 MiB, 30720 pages.
 * PAE: high_memory 0xf6ffe000, so VMALLOC_START 0xf77fe000 and VMALLOC_END
 * 0xfeffe000 (PKMAP_BASE 0xff000000 - 2 pages).  A fresh machine has no
 * areas, so the first area starts at VMALLOC_START.
 *
 * The frames.  vmalloc asks alloc_pages for GFP_KERNEL | __GFP_HIGHMEM,
 * order 0: HighMem first, MIGRATE_UNMOVABLE.  Two-level HighMem spans
 * [0x36bfe, 0x7ffe0) (max_low_pfn to max_pfn) and pageblocks are 1024
 * pages.  The pageblock [0x36800, 0x36c00) starts in Normal, so HighMem's
 * share of it, the 2 pages [0x36bfe, 0x36c00), is never marked Movable:
 * an order-1 block on HighMem's Unmovable list.  Every other HighMem
 * pageblock is Movable, and each order-10 block completes on its last
 * page's free and goes to the list head: the Movable order-10 list runs
 * downwards from the highest whole block, 0x7f800 ([0x7fc00, 0x7ffe0) is
 * not whole).  So on a fresh machine:
 *   frame 1: the Unmovable order-1 block splits: 0x36bfe (the first HighMem
 *            frame), 0x36bff goes to the order-0 list;
 *   frame 2: 0x36bff;
 *   frame 3: no Unmovable block is left: __rmqueue_fallback steals the
 *            largest Movable block, the order-10 head 0x7f800, turns its
 *            pageblock Unmovable and splits it from the bottom, so frames
 *            3..1026 are 0x7f800, 0x7f801, ... 0x7fbff in order;
 *   frame 1027: the next steal, the next head, 0x7f400.
 * PAE (pageblocks of 512): HighMem starts at 0x36ffe and [0x36ffe, 0x37000)
 * is the same Unmovable order-1 block, so frame 1 is 0x36ffe.
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
#include "machine.h"
#include "page_alloc.h"
#include "pgtable.h"
#include "procfs.h"
#include "slab.h"
#include "vmalloc.h"
#include "helpers.h"

#define VSTART		0xf73fe000u
#define VEND		0xfebfe000u
#define PAE_VSTART	0xf77fe000u
#define FIRST_HIGH	0x36bfeu
#define VMALLOC_GFP	(GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN)

/* --- helpers ------------------------------------------------------------------ */

static struct machine *boot(bool pae)
{
	struct machine_config c;

	machine_config_default(&c);
	c.boot = BOOT_BARE;
	c.pae = pae;
	return must_boot(&c);
}

typedef void (*text_fn)(const struct machine *m, struct strbuf *out);

static char *text(const struct machine *m, text_fn fn)
{
	struct strbuf sb = STRBUF_INIT;

	fn(m, &sb);
	return sb_detach(&sb);
}

static void assert_text(const struct machine *m, text_fn fn,
			const char *want)
{
	char *t = text(m, fn);

	assert_string_equal(t, want);
	free(t);
}

/* meminfo's VmallocUsed line: "%-16s%8llu kB" */
static void assert_vmalloc_used_kb(const struct machine *m, unsigned kb)
{
	char *t = text(m, proc_meminfo), want[64];

	snprintf(want, sizeof(want), "\nVmallocUsed:    %8u kB\n", kb);
	if (!strstr(t, want))
		fail_msg("meminfo has no '%s'", want + 1);
	free(t);
	assert_int_equal(vmalloc_nr_pages(&m->vmalloc), kb / 4);
}

static vaddr_t must_vmalloc(struct machine *m, uint64_t size, bool zero,
			    struct vm_result *r)
{
	struct mm_error err;
	struct vm_result local;

	if (!r)
		r = &local;
	memset(&err, 0, sizeof(err));
	if ((zero ? vzalloc(m, size, r, &err) : vmalloc(m, size, r, &err)))
		fail_msg("vmalloc(%llu): %s: %s", (unsigned long long)size,
			 err.type, err.detail);
	return r->addr;
}

static vaddr_t must_ioremap(struct machine *m, phys_addr_t phys,
			    uint64_t size)
{
	struct mm_error err;
	struct vm_result r;

	memset(&err, 0, sizeof(err));
	if (ioremap(m, phys, size, &r, &err))
		fail_msg("ioremap(0x%llx, 0x%llx): %s: %s",
			 (unsigned long long)phys, (unsigned long long)size,
			 err.type, err.detail);
	return r.addr;
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

/* The MMU's translation of a kernel address (it must map). */
static phys_addr_t xlate(const struct machine *m, vaddr_t va)
{
	struct pt_walk w;

	pt_walk(m, m->swapper_pg_dir, va, ACCESS_READ, false, &w);
	if (!w.ok)
		fail_msg("0x%08x does not map: %s", va, w.reason);
	assert_int_equal(w.page_shift, 12);
	return w.pa;
}

static void assert_unmapped(const struct machine *m, vaddr_t va)
{
	struct pt_walk w;

	pt_walk(m, m->swapper_pg_dir, va, ACCESS_READ, false, &w);
	assert_false(w.ok);
}

/* The walk reaches a page table for va (its PDE/PMD entry is present). */
static bool has_pte_table(const struct machine *m, vaddr_t va)
{
	struct pt_walk w;

	pt_walk(m, m->swapper_pg_dir, va, ACCESS_READ, false, &w);
	return w.nsteps > 0 && !strcmp(w.step[w.nsteps - 1].level, "pte");
}

static void assert_frame(const struct machine *m, pfn_t pfn,
			 enum frame_state state, int zone, uint32_t owner_id)
{
	struct frame_info fi;

	page_frame_info(&m->pgdat, pfn, &fi);
	assert_int_equal(fi.state, state);
	assert_int_equal(fi.zone, zone);
	if (state == FRAME_ALLOCATED) {
		assert_int_equal(fi.owner, OWNER_VMALLOC);
		assert_int_equal(fi.owner_id, owner_id);
		assert_int_equal(fi.order, 0);
	}
}

/* Everything a refusal must leave as it was. */
struct snapshot {
	char *buddy, *mem, *vm;
	uint32_t next_id, free_pages;
};

static void snap(const struct machine *m, struct snapshot *s)
{
	s->buddy = text(m, proc_buddyinfo);
	s->mem = text(m, proc_meminfo);
	s->vm = text(m, proc_vmallocinfo);
	s->next_id = m->vmalloc.next_id;
	s->free_pages = machine_free_pages(m);
}

static void assert_same(const struct machine *m, struct snapshot *s)
{
	struct snapshot now;

	snap(m, &now);
	assert_string_equal(now.buddy, s->buddy);
	assert_string_equal(now.mem, s->mem);
	assert_string_equal(now.vm, s->vm);
	assert_int_equal(now.next_id, s->next_id);
	assert_int_equal(now.free_pages, s->free_pages);
	free(now.buddy);
	free(now.mem);
	free(now.vm);
}

static void snap_free(struct snapshot *s)
{
	free(s->buddy);
	free(s->mem);
	free(s->vm);
}

/* Take every block gfp can get, largest first; the last order-10 block
 * taken goes in *last10 (if any). */
static void drain(struct machine *m, gfp_t gfp, pfn_t *last10)
{
	struct page_alloc_result *r = calloc(1, sizeof(*r));
	struct mm_error err;

	assert_non_null(r);
	/* a refill can leave pages on a per-CPU list that the watermark
	 * check then keeps the next request from: give them back and go
	 * again until no list holds any */
	for (;;) {
		uint32_t on_pcp = 0;

		for (int order = MAX_ORDER - 1; order >= 0; order--) {
			for (;;) {
				must_ok(alloc_pages(&m->pgdat, gfp,
						    (unsigned)order, OWNER_NONE,
						    0, r, &err), &err);
				if (!r->ok)
					break;
				if (order == MAX_ORDER - 1 && last10)
					*last10 = r->pfn;
			}
		}
		for (int j = 0; j < MAX_NR_ZONES; j++)
			on_pcp += zone_pcp_pages(&m->pgdat, j);
		if (!on_pcp)
			break;
		drain_all_pages(&m->pgdat);
	}
	free(r);
}

/* --- a fresh machine ----------------------------------------------------------- */

static void test_fresh(void **state)
{
	struct machine *m = boot(false);

	(void)state;
	assert_int_equal(m->layout.vmalloc_start, VSTART);
	assert_int_equal(m->layout.vmalloc_end, VEND);
	assert_int_equal(m->layout.max_low_pfn, FIRST_HIGH);
	assert_int_equal(vmalloc_largest_gap(m), 120u << 20);
	/* no boot-time areas: the window is empty */
	assert_text(m, proc_vmallocinfo, "");
	assert_vmalloc_used_kb(m, 0);
	/* no page table covers the window yet: lowmem's linear map ends in
	 * PDE 0x3da (high_memory 0xf6bfe000); VMALLOC_START is in 0x3dc */
	assert_false(has_pte_table(m, VSTART));
	machine_free(m);
}

/* --- vmalloc --------------------------------------------------------------------- */

static void test_first_vmallocs(void **state)
{
	struct machine *m = boot(false);
	uint32_t free_before = machine_free_pages(m);
	struct vm_result r;
	uint64_t pte;

	(void)state;
	/* the first area starts at VMALLOC_START: 1 page + 1 guard page */
	assert_int_equal(must_vmalloc(m, 4096, false, &r), VSTART);
	assert_int_equal(r.id, 1);
	/* its PDE (0x3dc) had no page table: one was made */
	assert_int_equal(r.new_page_tables, 1);
	assert_true(has_pte_table(m, VSTART));
	/* the frame: the first HighMem frame, the Unmovable order-1 block's
	 * lower half (see the top of the file) */
	assert_int_equal(m->vmalloc.areas[0].pages[0], FIRST_HIGH);
	assert_frame(m, FIRST_HIGH, FRAME_ALLOCATED, ZONE_HIGHMEM, 1);
	{
		struct frame_info fi;

		page_frame_info(&m->pgdat, FIRST_HIGH, &fi);
		assert_int_equal(fi.gfp, VMALLOC_GFP);
	}
	/* the kernel's page tables alias it at the vmalloc address with
	 * PAGE_KERNEL; the guard page maps nothing */
	assert_int_equal(xlate(m, VSTART + 0x123), PFN_PHYS(FIRST_HIGH) + 0x123);
	pte = kernel_leaf_entry(m, VSTART, NULL);
	assert_int_equal(pte & 0xfff, kernel_prot(m, PROT_KERNEL, false));
	assert_unmapped(m, VSTART + 0x1000);
	/* one frame, one page table, and the slab that holds its pages[]
	 * array: 1 page * 4 bytes comes from kmalloc-8, whose first slab
	 * (order 0, lowmem) is a new page; the array is object 0 of it.
	 * The free pages drop by HighMem's pcp refill, a batch of 63 (the
	 * frame and 62 that wait on CPU 0's list); the page table and the
	 * slab page come from Normal's list, which boot left holding pages,
	 * so they take nothing more from the buddy allocator */
	assert_int_equal(machine_free_pages(m), free_before - 63);
	{
		const struct kmem_cache *k8 = kmem_cache_find(&m->slab,
							      "kmalloc-8");
		struct slab_object o;

		assert_true(slab_object_at(m, m->vmalloc.areas[0].pages_kmalloc,
					   &o));
		assert_ptr_equal(o.cache, k8);
		assert_int_equal(o.index, 0);
		assert_int_equal(k8->inuse, 1);
		assert_int_equal(k8->nr_slabs, 1);
	}

	/* the next area starts one guard page after the first's end:
	 * 0xf73ff000 + 0x1000 = 0xf7400000, the start of PDE 0x3dd */
	assert_int_equal(must_vmalloc(m, 4096, false, &r), 0xf7400000u);
	assert_int_equal(r.id, 2);
	assert_int_equal(r.new_page_tables, 1);
	assert_frame(m, FIRST_HIGH + 1, FRAME_ALLOCATED, ZONE_HIGHMEM, 2);
	assert_int_equal(xlate(m, 0xf7400000u), PFN_PHYS(FIRST_HIGH + 1));

	/* 1 byte is a page; the frame is the stolen order-10 head 0x7f800 */
	assert_int_equal(must_vmalloc(m, 1, false, &r), 0xf7402000u);
	assert_int_equal(r.new_page_tables, 0);
	assert_int_equal(m->vmalloc.areas[2].pages[0], 0x7f800);
	assert_frame(m, 0x7f800, FRAME_ALLOCATED, ZONE_HIGHMEM, 3);

	assert_text(m, proc_vmallocinfo,
		"0xf73fe000-0xf7400000    8192 vmalloc pages=1 vmalloc\n"
		"0xf7400000-0xf7402000    8192 vmalloc pages=1 vmalloc\n"
		"0xf7402000-0xf7404000    8192 vmalloc pages=1 vmalloc\n");
	assert_vmalloc_used_kb(m, 12);
	machine_free(m);
}

static void test_lowest_gap_reuse(void **state)
{
	struct machine *m = boot(false);
	struct mm_error err;

	(void)state;
	assert_int_equal(must_vmalloc(m, 4096, false, NULL), 0xf73fe000u);
	assert_int_equal(must_vmalloc(m, 4096, false, NULL), 0xf7400000u);
	assert_int_equal(must_vmalloc(m, 4096, false, NULL), 0xf7402000u);
	/* freeing the middle one purges its range at once: an 8 KiB gap
	 * [0xf7400000, 0xf7402000) */
	must_ok(vfree(m, 0xf7400000u, &err), &err);
	assert_int_equal(vmalloc_largest_gap(m), VEND - 0xf7404000u);
	/* 8 KiB + guard = 12 KiB does not fit the gap: after the last area */
	assert_int_equal(must_vmalloc(m, 8192, false, NULL), 0xf7404000u);
	/* 4 KiB + guard fits it exactly: the lowest fit wins */
	assert_int_equal(must_vmalloc(m, 4096, false, NULL), 0xf7400000u);
	/* and the next goes after everything */
	assert_int_equal(must_vmalloc(m, 4096, false, NULL), 0xf7407000u);
	assert_text(m, proc_vmallocinfo,
		"0xf73fe000-0xf7400000    8192 vmalloc pages=1 vmalloc\n"
		"0xf7400000-0xf7402000    8192 vmalloc pages=1 vmalloc\n"
		"0xf7402000-0xf7404000    8192 vmalloc pages=1 vmalloc\n"
		"0xf7404000-0xf7407000   12288 vmalloc pages=2 vmalloc\n"
		"0xf7407000-0xf7409000    8192 vmalloc pages=1 vmalloc\n");
	assert_vmalloc_used_kb(m, 24);
	machine_free(m);
}

static void test_vfree_gives_back(void **state)
{
	struct machine *m = boot(false);
	uint32_t free0 = machine_free_pages(m);
	struct snapshot s;
	struct mm_error err;
	struct vm_result r;

	(void)state;
	/* the first vmalloc and vfree leave two pages behind: the page table
	 * the mapping created, which the kernel never frees, and the
	 * kmalloc-8 slab its pages[] array came from, which stays as CPU 0's
	 * slab (empty: the kfree leaves a CPU slab alone, see slab.h).  The
	 * free pages show more: HighMem's pcp refill took a batch of 63 off
	 * the buddy lists, and the vfree'd frame went back to the head of
	 * CPU 0's list, not to the buddy allocator; the two pages came from
	 * Normal's list */
	must_vmalloc(m, 4096, false, NULL);
	must_ok(vfree(m, VSTART, &err), &err);
	assert_int_equal(machine_free_pages(m), free0 - 63);
	assert_int_equal(kmem_cache_find(&m->slab, "kmalloc-8")->inuse, 0);
	assert_int_equal(kmem_cache_find(&m->slab, "kmalloc-8")->nr_slabs, 1);
	assert_true(has_pte_table(m, VSTART));
	assert_unmapped(m, VSTART);
	assert_frame(m, FIRST_HIGH, FRAME_FREE, ZONE_HIGHMEM, 0);
	assert_text(m, proc_vmallocinfo, "");
	assert_vmalloc_used_kb(m, 0);

	/* from there, vmalloc + vfree gives everything back: the buddy
	 * lists merge back to the same counts (the array is the same
	 * kmalloc-8 object again: LIFO) */
	snap(m, &s);
	/* 2 pages stay in PDE 0x3dc (a third, 0xf7400000, would need a new
	 * page table for PDE 0x3dd) */
	assert_int_equal(must_vmalloc(m, 2 * 4096, false, &r), VSTART);
	assert_int_equal(r.new_page_tables, 0);
	assert_vmalloc_used_kb(m, 8);
	must_ok(vfree(m, VSTART, &err), &err);
	for (vaddr_t va = VSTART; va < VSTART + 3 * 4096; va += 4096)
		assert_unmapped(m, va);
	/* the ids go on: a vfree does not give an id back */
	s.next_id += 1;
	assert_same(m, &s);
	snap_free(&s);

	/* vfree(NULL) does nothing */
	must_ok(vfree(m, 0, &err), &err);
	machine_free(m);
}

static void test_stale_and_zeroed(void **state)
{
	struct machine *m = boot(false);
	const char stale[] = "left by the previous owner";
	char buf[sizeof(stale)];
	struct mm_error err;
	vaddr_t va;

	(void)state;
	/* bytes in the free frame vmalloc will take first */
	physmem_write(&m->mem, PFN_PHYS(FIRST_HIGH) + 0x100, stale,
		      sizeof(stale));
	va = must_vmalloc(m, 4096, false, NULL);
	/* vmalloc does not clear: the stale bytes show through the
	 * vmalloc address */
	physmem_read(&m->mem, xlate(m, va + 0x100), buf, sizeof(buf));
	assert_memory_equal(buf, stale, sizeof(stale));
	must_ok(vfree(m, va, &err), &err);

	/* the frame merges back with 0x36bff into the order-1 block and is
	 * taken again first; vzalloc clears it */
	va = must_vmalloc(m, 4096, true, NULL);
	assert_int_equal(xlate(m, va), PFN_PHYS(FIRST_HIGH));
	physmem_read(&m->mem, PFN_PHYS(FIRST_HIGH) + 0x100, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	{
		struct frame_info fi;

		page_frame_info(&m->pgdat, FIRST_HIGH, &fi);
		assert_int_equal(fi.gfp, VMALLOC_GFP | __GFP_ZERO);
	}
	must_ok(vfree(m, va, &err), &err);

	/* bytes written across a page boundary of a 2-page vmalloc land in
	 * two frames that are not neighbours: 0x36bfe and 0x36bff would be,
	 * so take a 3-page one: frames 0x36bfe, 0x36bff, 0x7f800 */
	va = must_vmalloc(m, 3 * 4096, false, NULL);
	assert_int_equal(xlate(m, va + 0x2000), PFN_PHYS(0x7f800));
	physmem_write(&m->mem, xlate(m, va + 0x1ffe), "ab", 2);
	physmem_write(&m->mem, xlate(m, va + 0x2000), "cd", 2);
	physmem_read(&m->mem, PFN_PHYS(FIRST_HIGH + 1) + 0xffe, buf, 2);
	assert_memory_equal(buf, "ab", 2);
	physmem_read(&m->mem, PFN_PHYS(0x7f800), buf, 2);
	assert_memory_equal(buf, "cd", 2);
	machine_free(m);
}

/* More than 1024 pages: the pages[] array (4 bytes a page) is more than a
 * page and is vmalloc'ed itself. */
static void test_vpages(void **state)
{
	struct machine *m = boot(false);
	const struct vm_area *outer, *nested;
	struct mm_error err;
	struct vm_result r;

	(void)state;
	/*
	 * 5 MiB = 1280 pages: array 5120 bytes -> a nested vmalloc of 2 pages.
	 * The outer area is reserved first: [0xf73fe000, 0xf78ff000) (5 MiB
	 * + guard), id 1; then the nested one right after it, [0xf78ff000,
	 * 0xf7902000), id 2, whose 2 frames are taken first (0x36bfe,
	 * 0x36bff); then the outer's 1280 frames: 0x7f800..0x7fbff, then
	 * 0x7f400.. (the next steal).  Page tables: PDEs 0x3dc, 0x3dd, 0x3de.
	 */
	assert_int_equal(must_vmalloc(m, 5u << 20, false, &r), VSTART);
	assert_int_equal(r.id, 1);
	assert_int_equal(r.new_page_tables, 3);
	outer = vm_area_by_id(&m->vmalloc, 1);
	nested = vm_area_by_id(&m->vmalloc, 2);
	assert_non_null(outer);
	assert_non_null(nested);
	assert_int_equal(outer->vpages_id, 2);
	assert_int_equal(nested->nested_in, 1);
	assert_int_equal(nested->start, 0xf78ff000u);
	assert_int_equal(nested->pages[0], FIRST_HIGH);
	assert_int_equal(nested->pages[1], FIRST_HIGH + 1);
	assert_int_equal(outer->pages[0], 0x7f800);
	assert_int_equal(outer->pages[1023], 0x7fbff);
	assert_int_equal(outer->pages[1024], 0x7f400);
	assert_int_equal(outer->pages[1279], 0x7f4ff);
	assert_frame(m, FIRST_HIGH, FRAME_ALLOCATED, ZONE_HIGHMEM, 2);
	assert_frame(m, 0x7f4ff, FRAME_ALLOCATED, ZONE_HIGHMEM, 1);
	assert_int_equal(xlate(m, VSTART + 1279 * 4096), PFN_PHYS(0x7f4ff));
	assert_int_equal(xlate(m, 0xf78ff000u), PFN_PHYS(FIRST_HIGH));
	assert_text(m, proc_vmallocinfo,
		"0xf73fe000-0xf78ff000 5246976 vmalloc pages=1280 vmalloc vpages\n"
		"0xf78ff000-0xf7902000   12288 vmalloc pages=2 vmalloc\n");
	/* both areas are vmalloc pages: 1282 pages */
	assert_vmalloc_used_kb(m, 1282 * 4);

	/* the array is its owner's to free */
	assert_err(vfree(m, 0xf78ff000u, &err), &err, MM_ESTATE,
		   "not-a-vmalloc-area", "pages[] array of the vmalloc area "
		   "at 0xf73fe000");
	/* vfree of the owner frees both */
	must_ok(vfree(m, VSTART, &err), &err);
	assert_text(m, proc_vmallocinfo, "");
	assert_vmalloc_used_kb(m, 0);
	assert_frame(m, FIRST_HIGH, FRAME_FREE, ZONE_HIGHMEM, 0);
	assert_frame(m, 0x7f4ff, FRAME_FREE, ZONE_HIGHMEM, 0);

	/* the boundary: 4 MiB = 1024 pages is an array of exactly 4096
	 * bytes, which kmalloc gives; one page more needs 4100 bytes, a
	 * 2-page nested area */
	must_vmalloc(m, 4u << 20, false, &r);
	assert_int_equal(vm_area_by_id(&m->vmalloc, r.id)->vpages_id, 0);
	must_ok(vfree(m, r.addr, &err), &err);
	must_vmalloc(m, (4u << 20) + 1, false, &r);
	nested = vm_area_by_id(&m->vmalloc,
			       vm_area_by_id(&m->vmalloc, r.id)->vpages_id);
	assert_non_null(nested);
	assert_int_equal(nested->nr_pages, 2);
	assert_vmalloc_used_kb(m, (1025 + 2) * 4);
	machine_free(m);
}

/* --- running out ----------------------------------------------------------------- */

static void test_space_exhausted(void **state)
{
	struct machine *m = boot(false);
	struct snapshot s;
	struct mm_error err;
	struct vm_result r;

	(void)state;
	/* larger than the whole window: 120 MiB + guard > 120 MiB */
	snap(m, &s);
	assert_err(vmalloc(m, 120u << 20, &r, &err), &err, MM_EIMPOSSIBLE,
		   "vmalloc-space-exhausted", NULL);
	assert_string_equal(err.detail,
		"vmap allocation for size 125833216 failed: use vmalloc=<size> "
		"to increase size; the whole vmalloc area is only 120 MiB, "
		"0xf73fe000-0xfebfe000");
	assert_string_equal(err.field, "size");
	assert_same(m, &s);

	/* 30719 pages: the area (30719 + guard) fills the window exactly,
	 * then its pages[] array (122876 bytes, 30 pages + guard = 126976)
	 * finds no room; the area is released, no frame was taken */
	assert_err(vmalloc(m, 30719u * 4096, &r, &err), &err, MM_EIMPOSSIBLE,
		   "vmalloc-space-exhausted", NULL);
	assert_string_equal(err.detail,
		"vmap allocation for size 126976 failed: use vmalloc=<size> "
		"to increase size; the vmalloc area is 120 MiB, "
		"0xf73fe000-0xfebfe000, and its largest free gap is 0 bytes "
		"(while vmalloc'ing the pages[] array of a 125825024-byte "
		"vmalloc: 122876 bytes of page pointers)");
	assert_same(m, &s);
	snap_free(&s);

	/*
	 * 119 MiB = 30464 pages (+ guard), then its array: 121856 bytes, 30
	 * pages (+ guard).  Used: 30465 + 31 = 30496 of 30720 pages; left: one
	 * gap of 224 pages = 896 KiB at the top.
	 */
	assert_int_equal(must_vmalloc(m, 119u << 20, false, &r), VSTART);
	assert_int_equal(vmalloc_largest_gap(m), 896u << 10);
	assert_vmalloc_used_kb(m, (30464 + 30) * 4);

	/* 1 MiB + guard = 257 pages do not fit: the kernel's message */
	snap(m, &s);
	assert_err(vmalloc(m, 1u << 20, &r, &err), &err, MM_EIMPOSSIBLE,
		   "vmalloc-space-exhausted", NULL);
	assert_string_equal(err.detail,
		"vmap allocation for size 1052672 failed: use vmalloc=<size> "
		"to increase size; the vmalloc area is 120 MiB, "
		"0xf73fe000-0xfebfe000, and its largest free gap is 896 KiB");
	assert_same(m, &s);
	/* vmap and ioremap come from the same window */
	{
		pfn_t pfns[224];

		for (unsigned i = 0; i < 224; i++)
			pfns[i] = 0x1000;	/* the kernel image: reserved RAM */
		assert_err(vmap(m, pfns, 224, &r, &err), &err, MM_EIMPOSSIBLE,
			   "vmalloc-space-exhausted", "size 921600 failed");
		assert_string_equal(err.field, "pfns");
		/* 896 KiB needs a 1 MiB alignment, capped at 512 KiB */
		assert_err(ioremap(m, 0xfe000000, 896u << 10, &r, &err), &err,
			   MM_EIMPOSSIBLE, "vmalloc-space-exhausted",
			   "must start at a multiple of 0x80000");
	}
	assert_same(m, &s);
	snap_free(&s);

	/* 892 KiB + guard = 896 KiB fits exactly; then nothing is left */
	assert_int_equal(must_vmalloc(m, 892u << 10, false, NULL),
			 VEND - (896u << 10));
	assert_int_equal(vmalloc_largest_gap(m), 0);
	assert_err(vmalloc(m, 1, &r, &err), &err, MM_EIMPOSSIBLE,
		   "vmalloc-space-exhausted", "largest free gap is 0 bytes");
	machine_free(m);
}

static void test_out_of_frames(void **state)
{
	struct machine *m = boot(false);
	pfn_t last10 = 0;
	struct snapshot s;
	struct mm_error err;
	struct vm_result r;
	vaddr_t va;

	(void)state;
	/* make the page tables an 8 MiB vmalloc and its pages[] array use
	 * (PDEs 0x3dc..0x3de), so the failure below has nothing to keep */
	va = must_vmalloc(m, 8u << 20, false, NULL);
	must_ok(vfree(m, va, &err), &err);

	/* nothing left for vmalloc's own flags, then one order-10 block
	 * back: 1024 pages (less the watermark's share) for 2048 asked */
	drain(m, VMALLOC_GFP, &last10);
	assert_true(last10 != 0);
	must_ok(free_pages(&m->pgdat, last10, 10, &err), &err);
	/* order 10 is the THP order of a two-level kernel (pageblock_order):
	 * the free went to CPU 0's THP pcp list, where order-0 requests never
	 * look; drain_all_pages gives it (and every list) to the buddy */
	drain_all_pages(&m->pgdat);
	snap(m, &s);
	assert_err(vmalloc(m, 8u << 20, &r, &err), &err, MM_EIMPOSSIBLE,
		   "out-of-memory", "vmalloc error: size 8388608, page order "
		   "0, failed to allocate pages: page ");
	assert_string_equal(err.field, "size");
	/* every frame given back (the nested array's too), the areas gone:
	 * to CPU 0's lists, where the pcp refills keep them (the kernel's
	 * too: the problem says changed); drained, the buddy is as it was */
	drain_all_pages(&m->pgdat);
	assert_same(m, &s);
	snap_free(&s);

	/* and with nothing at all: the first page fails */
	drain(m, VMALLOC_GFP, NULL);
	snap(m, &s);
	assert_err(vmalloc(m, 4096, &r, &err), &err, MM_EIMPOSSIBLE,
		   "out-of-memory", "page 1 of 1 could not be had");
	assert_same(m, &s);
	snap_free(&s);
	machine_free(m);
}

static void test_page_table_fails(void **state)
{
	struct machine *m = boot(false);
	struct snapshot s;
	struct mm_error err;
	struct vm_result r;

	(void)state;
	/* lowmem exhausted, HighMem untouched: the frame comes, the page
	 * table (GFP_KERNEL, lowmem) for PDE 0x3dc does not.  The pages[]
	 * array (4 bytes, kmalloc-8) is kmalloc'ed first: give kmalloc-8 its
	 * slab before draining, so the array finds room and the failure is
	 * the page table's */
	{
		struct slab_alloc_result k;
		struct mm_error e;

		must_ok(kmalloc(m, 8, GFP_KERNEL, 0, &k, &e), &e);
		assert_true(k.ok);
		must_ok(kfree(m, k.addr, NULL, &e), &e);
	}
	drain(m, GFP_KERNEL, NULL);
	/* fill HighMem's Unmovable pcp list first (its refill is a batch
	 * the failed vmalloc would keep moved): the frame then comes from
	 * the list's head and goes back to it */
	{
		struct page_alloc_result a;
		struct mm_error e;

		must_ok(alloc_pages(&m->pgdat, VMALLOC_GFP, 0, OWNER_NONE, 0,
				    &a, &e), &e);
		assert_int_equal(a.pfn, FIRST_HIGH);
		must_ok(free_pages(&m->pgdat, a.pfn, 0, &e), &e);
	}
	snap(m, &s);
	assert_err(vmalloc(m, 4096, &r, &err), &err, MM_EIMPOSSIBLE,
		   "out-of-memory", "vmalloc error: size 4096, failed to map "
		   "pages: ");
	assert_same(m, &s);
	assert_frame(m, FIRST_HIGH, FRAME_FREE, ZONE_HIGHMEM, 0);
	assert_false(has_pte_table(m, VSTART));
	snap_free(&s);
	machine_free(m);
}

static void test_page_array_fails(void **state)
{
	struct machine *m = boot(false);
	struct snapshot s;
	struct mm_error err;
	struct vm_result r;

	(void)state;
	/* lowmem exhausted before kmalloc-8 has a slab: the pages[] array
	 * (kmalloc(4, GFP_KERNEL | __GFP_ZERO)) is the first thing to fail,
	 * in the kernel's words; no frame was taken, the area is gone */
	drain(m, GFP_KERNEL, NULL);
	snap(m, &s);
	assert_err(vmalloc(m, 4096, &r, &err), &err, MM_EIMPOSSIBLE,
		   "out-of-memory", "vmalloc error: size 4096, failed to "
		   "allocated page array size 4: kmalloc-8: no new slab");
	assert_string_equal(err.field, "size");
	assert_same(m, &s);
	assert_frame(m, FIRST_HIGH, FRAME_FREE, ZONE_HIGHMEM, 0);
	assert_int_equal(kmem_cache_find(&m->slab, "kmalloc-8")->nr_slabs, 0);
	snap_free(&s);
	machine_free(m);
}

static void test_vmalloc_refusals(void **state)
{
	struct machine *m = boot(false);
	struct mm_error err;
	struct vm_result r;

	(void)state;
	assert_err(vmalloc(m, 0, &r, &err), &err, MM_EINVAL, "bad-argument",
		   "vmalloc(0)");
	assert_err(vzalloc(m, 0, &r, &err), &err, MM_EINVAL, "bad-argument",
		   "vzalloc(0)");
	assert_err(vmalloc(m, 0xfffff001ull, &r, &err), &err, MM_EINVAL,
		   "bad-argument", "unsigned long");
	/* more pages than the machine has: 3 GiB on a 2 GiB machine */
	assert_err(vmalloc(m, 3ull << 30, &r, &err), &err, MM_EIMPOSSIBLE,
		   "out-of-memory", "vmalloc error: size 3221225472, exceeds "
		   "total pages");
	assert_text(m, proc_vmallocinfo, "");
	assert_int_equal(m->vmalloc.next_id, 1);
	machine_free(m);
}

/* --- freeing the wrong thing ------------------------------------------------------- */

static void test_unmap_refusals(void **state)
{
	struct machine *m = boot(false);
	pfn_t kernel_pfn = 0x1000;
	struct mm_error err;
	struct vm_result r;
	char *before;

	(void)state;
	/* a: vmalloc [0xf73fe000, 0xf7401000); v: vmap [0xf7401000,
	 * 0xf7403000); i: ioremap [0xf7403000, 0xf7405000) */
	assert_int_equal(must_vmalloc(m, 8192, false, NULL), 0xf73fe000u);
	must_ok(vmap(m, &kernel_pfn, 1, &r, &err), &err);
	assert_int_equal(r.addr, 0xf7401000u);
	assert_int_equal(must_ioremap(m, 0xfed00000, 0x400), 0xf7403000u);
	before = text(m, proc_vmallocinfo);

	assert_err(vfree(m, 0xf73ff000u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmalloc-area", "0x1000 bytes into the vmalloc area "
		   "0xf73fe000-0xf7401000 (it starts at 0xf73fe000)");
	assert_string_equal(err.field, "addr");
	assert_err(vfree(m, 0xf7400000u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmalloc-area", "the guard page of the vmalloc area");
	assert_err(vfree(m, 0xf73fe010u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmalloc-area", "Trying to vfree() bad address "
		   "(0xf73fe010)");
	assert_err(vfree(m, 0xf8000000u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmalloc-area", "free space of the vmalloc area");
	assert_err(vfree(m, 0xc1000000u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmalloc-area", "lowmem's linear map");
	assert_err(vfree(m, 0x08048000u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmalloc-area", "user space");
	assert_err(vfree(m, 0xf7000000u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmalloc-area", "VMALLOC_OFFSET gap");
	assert_err(vfree(m, 0xfec01000u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmalloc-area", "the pkmap area");
	assert_err(vfree(m, 0xfffbb000u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmalloc-area", "the fixmap");

	/* the wrong kind: each names the right call */
	assert_err(vfree(m, 0xf7401000u, &err), &err, MM_ESTATE,
		   "not-a-vmalloc-area", "the start of the vmap area "
		   "0xf7401000-0xf7403000; undo it with vunmap()");
	assert_err(vfree(m, 0xf7403000u, &err), &err, MM_ESTATE,
		   "not-a-vmalloc-area", "undo it with iounmap()");
	assert_err(vunmap(m, 0xf73fe000u, &err), &err, MM_ESTATE,
		   "not-a-vmap-area", "undo it with vfree()");
	assert_err(iounmap(m, 0xf73fe000u, &err), &err, MM_ESTATE,
		   "not-an-ioremap-area", "undo it with vfree()");
	assert_err(iounmap(m, 0xf7404000u, &err), &err, MM_ENOTFOUND,
		   "not-an-ioremap-area", "the guard page of the ioremap area");
	assert_err(vunmap(m, 0xf7402000u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmap-area", "the guard page of the vmap area");
	assert_text(m, proc_vmallocinfo, before);
	free(before);

	/* the right calls; NULL is a no-op for each */
	must_ok(vfree(m, 0, &err), &err);
	must_ok(vunmap(m, 0, &err), &err);
	must_ok(iounmap(m, 0, &err), &err);
	must_ok(vfree(m, 0xf73fe000u, &err), &err);
	must_ok(vunmap(m, 0xf7401000u, &err), &err);
	must_ok(iounmap(m, 0xf7403000u, &err), &err);
	assert_text(m, proc_vmallocinfo, "");
	/* a second vfree finds nothing */
	assert_err(vfree(m, 0xf73fe000u, &err), &err, MM_ENOTFOUND,
		   "not-a-vmalloc-area", "free space of the vmalloc area");
	machine_free(m);
}

/* --- vmap ------------------------------------------------------------------------------ */

static void test_vmap(void **state)
{
	struct machine *m = boot(false);
	struct page_alloc_result a;
	struct frame_info fi;
	struct mm_error err;
	struct vm_result r;
	pfn_t p, q, pfns[3];
	char buf[4];

	(void)state;
	must_ok(alloc_pages(&m->pgdat, GFP_KERNEL, 0, OWNER_NONE, 0, &a, &err),
		&err);
	p = a.pfn;
	must_ok(alloc_pages(&m->pgdat, GFP_KERNEL, 0, OWNER_NONE, 0, &a, &err),
		&err);
	q = a.pfn;
	/* p twice: two aliases of one frame, 3 pages + guard */
	pfns[0] = p;
	pfns[1] = q;
	pfns[2] = p;
	must_ok(vmap(m, pfns, 3, &r, &err), &err);
	assert_int_equal(r.addr, VSTART);
	assert_int_equal(xlate(m, VSTART), PFN_PHYS(p));
	assert_int_equal(xlate(m, VSTART + 0x1000), PFN_PHYS(q));
	assert_int_equal(xlate(m, VSTART + 0x2000), PFN_PHYS(p));
	assert_unmapped(m, VSTART + 0x3000);
	/* a write through one alias reads back through the other and
	 * through the linear map (p is lowmem) */
	physmem_write(&m->mem, xlate(m, VSTART + 8), "vmap", 4);
	physmem_read(&m->mem, xlate(m, VSTART + 0x2008), buf, 4);
	assert_memory_equal(buf, "vmap", 4);
	{
		struct pt_walk w;

		pt_walk(m, m->swapper_pg_dir, m->layout.page_offset +
			(vaddr_t)PFN_PHYS(p) + 8, ACCESS_READ, false, &w);
		assert_true(w.ok);
		assert_int_equal(w.pa, PFN_PHYS(p) + 8);
	}
	/* no pages= for vmap (6.1 keeps nr_pages 0), and no VmallocUsed */
	assert_text(m, proc_vmallocinfo,
		    "0xf73fe000-0xf7402000   16384 vmap vmap\n");
	assert_vmalloc_used_kb(m, 0);
	/* the frames stay the caller's */
	page_frame_info(&m->pgdat, p, &fi);
	assert_int_equal(fi.owner, OWNER_NONE);

	must_ok(vunmap(m, VSTART, &err), &err);
	assert_unmapped(m, VSTART);
	page_frame_info(&m->pgdat, p, &fi);
	assert_int_equal(fi.state, FRAME_ALLOCATED);

	/* refusals: a hole (the VGA hole, pfn 0xa0), a free frame, none */
	pfns[0] = p;
	pfns[1] = 0xa0;
	assert_err(vmap(m, pfns, 2, &r, &err), &err, MM_EINVAL, "not-ram",
		   "pfn 0xa0 is not RAM");
	assert_string_equal(err.field, "pfns[1]");
	pfns[1] = FIRST_HIGH;
	assert_err(vmap(m, pfns, 2, &r, &err), &err, MM_ESTATE, "frame-free",
		   "pfn 0x36bfe is free in the buddy allocator");
	assert_err(vmap(m, pfns, 0, &r, &err), &err, MM_EINVAL,
		   "bad-argument", "at least one page");
	assert_text(m, proc_vmallocinfo, "");
	/* ids are not spent by refusals or freed by vunmap */
	assert_int_equal(m->vmalloc.next_id, 2);
	machine_free(m);
}

/* --- ioremap ------------------------------------------------------------------------------ */

static void test_ioremap(void **state)
{
	struct machine *m = boot(false);
	struct mm_error err;
	uint64_t pte;

	(void)state;
	/* one page of HPET: alignment 4 KiB, the first area */
	assert_int_equal(must_ioremap(m, 0xfed00000, 0x400), 0xf73fe000u);
	assert_int_equal(xlate(m, 0xf73fe000u), 0xfed00000);
	/* PAGE_KERNEL_NOCACHE: PCD (UC-) */
	pte = kernel_leaf_entry(m, 0xf73fe000u, NULL);
	assert_int_equal(pte & 0xfff, kernel_prot(m, PROT_KERNEL_NOCACHE,
						  false));
	assert_true(pte & _PAGE_PCD);
	assert_false(pte & _PAGE_PWT);
	/* the offset in the page is kept: 0xfec00010 -> area + 0x10 */
	assert_int_equal(must_ioremap(m, 0xfec00010, 0x20), 0xf7400010u);
	/* 12 KiB: aligned to 16 KiB, so not 0xf7402000 but 0xf7404000 */
	assert_int_equal(must_ioremap(m, 0xfebf0000, 0x3000), 0xf7404000u);
	/* the 8 KiB left below it takes a one-page vmalloc */
	assert_int_equal(must_vmalloc(m, 4096, false, NULL), 0xf7402000u);
	/* 1 MiB: the alignment is capped at 512 KiB (IOREMAP_MAX_ORDER):
	 * the first 512 KiB boundary at or after 0xf7408000 */
	assert_int_equal(must_ioremap(m, 0xfe000000, 1u << 20), 0xf7480000u);
	assert_int_equal(xlate(m, 0xf7480000u + 0xff000), 0xfe0ff000);
	/* phys 0 (page 0: reserved, not RAM in the map): vmallocinfo prints
	 * no phys= for a zero phys_addr, as s_show does */
	assert_int_equal(must_ioremap(m, 0x10, 0x10), 0xf7408010u);
	assert_text(m, proc_vmallocinfo,
		"0xf73fe000-0xf7400000    8192 ioremap phys=0xfed00000 ioremap\n"
		"0xf7400000-0xf7402000    8192 ioremap phys=0xfec00000 ioremap\n"
		"0xf7402000-0xf7404000    8192 vmalloc pages=1 vmalloc\n"
		"0xf7404000-0xf7408000   16384 ioremap phys=0xfebf0000 ioremap\n"
		"0xf7408000-0xf740a000    8192 ioremap ioremap\n"
		"0xf7480000-0xf7581000 1052672 ioremap phys=0xfe000000 ioremap\n");
	/* ioremap areas are not VmallocUsed */
	assert_vmalloc_used_kb(m, 4);

	/* iounmap takes the address ioremap returned, offset and all, or any
	 * address in the first page; not the second page */
	must_ok(iounmap(m, 0xf7400010u, &err), &err);
	assert_err(iounmap(m, 0xf7405000u, &err), &err, MM_ENOTFOUND,
		   "not-an-ioremap-area", "0x1000 bytes into the ioremap area");
	must_ok(iounmap(m, 0xf7404abcu, &err), &err);
	assert_unmapped(m, 0xf7404000u);
	/* the freed 8 KiB at 0xf7400000 is reused at once */
	assert_int_equal(must_ioremap(m, 0xfed00000, 0x1000), 0xf7400000u);
	machine_free(m);
}

static void test_ioremap_ram(void **state)
{
	struct machine *m = boot(false);
	struct page_alloc_result a;
	struct snapshot s;
	struct mm_error err;
	struct vm_result r;

	(void)state;
	snap(m, &s);
	/* free RAM the buddy allocator owns */
	assert_err(ioremap(m, 0x30000000, 0x1000, &r, &err), &err,
		   MM_EIMPOSSIBLE, "ioremap-ram",
		   "ioremap on RAM at 0x30000000 - 0x30000fff: pfn 0x30000 is "
		   "RAM the buddy allocator owns (free)");
	assert_string_equal(err.field, "phys");
	/* allocated RAM: no better */
	must_ok(alloc_pages(&m->pgdat, GFP_KERNEL, 0, OWNER_NONE, 0, &a, &err),
		&err);
	assert_err(ioremap(m, PFN_PHYS(a.pfn), 0x1000, &r, &err), &err,
		   MM_EIMPOSSIBLE, "ioremap-ram", "(allocated)");
	must_ok(free_pages(&m->pgdat, a.pfn, 0, &err), &err);
	/* a range that reaches into RAM at its end: 0x7ffdf000 is the last
	 * RAM page below the ACPI tables at 0x7ffe0000 */
	assert_err(ioremap(m, 0x7ffdf000, 0x2000, &r, &err), &err,
		   MM_EIMPOSSIBLE, "ioremap-ram", "pfn 0x7ffdf");
	/* malformed */
	assert_err(ioremap(m, 0xfed00000, 0, &r, &err), &err, MM_EINVAL,
		   "bad-argument", "0 bytes");
	assert_err(ioremap(m, 0xfffff000, 0x2000, &r, &err), &err, MM_EINVAL,
		   "bad-argument", "phys_addr_t is 32 bits");
	assert_same(m, &s);
	snap_free(&s);

	/* allowed: reserved RAM (the kernel image at 16 MiB), the e820
	 * reserved ACPI tables (the capture's acpi_os_map_iomem), the BIOS
	 * (the capture's memremap of 0xf5000), and a piece of a RAM page too
	 * small to hold a whole page: __ioremap_check_ram only looks at
	 * pages the request covers whole */
	assert_int_equal(must_ioremap(m, 0x1000000, 0x1000), VSTART);
	assert_int_equal(must_ioremap(m, 0x7ffe0000, 0x2000), 0xf7400000u);
	assert_int_equal(must_ioremap(m, 0xf5000, 0x1000), 0xf7403000u);
	assert_int_equal(must_ioremap(m, 0x30000100, 0x10), 0xf7405100u);
	assert_int_equal(xlate(m, 0xf7405100u), 0x30000100);
	machine_free(m);
}

/* --- PAE ---------------------------------------------------------------------------- */

static void test_pae(void **state)
{
	struct machine *m = boot(true);
	struct vm_result r;
	uint64_t pte;

	(void)state;
	assert_int_equal(m->layout.vmalloc_start, PAE_VSTART);
	assert_int_equal(m->layout.vmalloc_end, 0xfeffe000u);
	assert_int_equal(must_vmalloc(m, 4096, false, &r), PAE_VSTART);
	assert_int_equal(r.new_page_tables, 1);
	assert_int_equal(xlate(m, PAE_VSTART), PFN_PHYS(0x36ffe));
	assert_frame(m, 0x36ffe, FRAME_ALLOCATED, ZONE_HIGHMEM, 1);
	/* PAGE_KERNEL with PAE: NX set, no GLOBAL (PTI) */
	pte = kernel_leaf_entry(m, PAE_VSTART, NULL);
	assert_int_equal(pte & (0xfffull | _PAGE_NX),
			 kernel_prot(m, PROT_KERNEL, false));
	assert_true(pte & _PAGE_NX);
	/* %pa prints all 16 digits of a 64-bit phys_addr_t */
	assert_int_equal(must_ioremap(m, 0xfed00000, 0x400), 0xf7800000u);
	assert_text(m, proc_vmallocinfo,
		"0xf77fe000-0xf7800000    8192 vmalloc pages=1 vmalloc\n"
		"0xf7800000-0xf7802000    8192 ioremap phys=0x00000000fed00000 "
		"ioremap\n");
	/* above 4 GiB is device space a PAE kernel can reach */
	assert_int_equal(must_ioremap(m, 0x100000000ull, 0x1000),
			 0xf7802000u);
	assert_int_equal(xlate(m, 0xf7802000u), 0x100000000ull);
	machine_free(m);
}

/* --- the api ------------------------------------------------------------------------ */

static json_t *run(struct machine *m, const char *name, const char *args,
		   struct mm_error *err)
{
	json_error_t je;
	json_t *a = args ? json_loads(args, 0, &je) : NULL, *r = NULL;

	if (args && !a)
		fail_msg("bad test JSON '%s': %s", args, je.text);
	memset(err, 0, sizeof(*err));
	if (api_op(m, name, a, &r, err) != MM_OK)
		assert_null(r);
	json_decref(a);
	return r;
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("%s is not a string", key);
	return json_string_value(v);
}

static json_int_t num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", key);
	return json_integer_value(v);
}

static void assert_bad(struct machine *m, const char *op, const char *args,
		       const char *type, const char *field)
{
	struct mm_error err;
	json_t *r = run(m, op, args, &err);

	if (r)
		fail_msg("%s %s succeeded", op, args ? args : "");
	assert_string_equal(err.type, type);
	assert_string_equal(err.field, field);
}

static void test_ops(void **state)
{
	static const char *const ops[] = { "vmalloc", "vzalloc", "vfree",
		"vmap", "vunmap", "ioremap", "iounmap" };
	struct machine *m = boot(false);
	struct mm_error err;
	json_t *r, *pages, *p, *arr, *j;
	char *t;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		assert_true(api_op_known(ops[i]));
		assert_true(api_op_mutates(ops[i]));
	}

	r = run(m, "vmalloc", "{\"size\": \"8K\"}", &err);
	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_string_equal(str(r, "addr"), "0xf73fe000");
	assert_int_equal(num(r, "size"), 8192);
	assert_string_equal(str(r, "guard"), "0xf7400000");
	assert_string_equal(str(json_object_get(r, "area"), "start"),
			    "0xf73fe000");
	assert_string_equal(str(json_object_get(r, "area"), "end"),
			    "0xf7401000");
	assert_int_equal(num(json_object_get(r, "area"), "size"), 12288);
	assert_string_equal(str(r, "caller"), "vmalloc");
	assert_string_equal(str(r, "gfp"), "GFP_KERNEL|__GFP_HIGHMEM|"
			    "__GFP_NOWARN");
	assert_int_equal(num(r, "new_page_tables"), 1);
	pages = json_object_get(r, "pages");
	assert_int_equal(json_array_size(pages), 2);
	p = json_array_get(pages, 0);
	assert_string_equal(str(p, "va"), "0xf73fe000");
	assert_string_equal(str(p, "pfn"), "0x00036bfe");
	assert_string_equal(str(p, "phys"), "0x36bfe000");
	assert_string_equal(str(p, "zone"), "HighMem");
	assert_string_equal(str(json_array_get(pages, 1), "va"), "0xf73ff000");
	arr = json_object_get(r, "pages_array");
	assert_int_equal(num(arr, "bytes"), 8);
	assert_string_equal(str(arr, "in"), "kmalloc");
	assert_true(json_is_null(json_object_get(arr, "area")));
	/* 8 bytes: kmalloc-8's first object on a fresh machine, in the
	 * first free GFP_KERNEL page, 0x2001 (see test_slab.c) */
	assert_string_equal(str(arr, "addr"), "0xc2001000");
	assert_string_equal(str(arr, "cache"), "kmalloc-8");
	json_decref(r);

	r = run(m, "vzalloc", "{\"size\": 4096}", &err);
	assert_string_equal(str(r, "addr"), "0xf7401000");
	assert_string_equal(str(r, "caller"), "vzalloc");
	assert_non_null(strstr(str(r, "gfp"), "__GFP_ZERO"));
	json_decref(r);

	/* vmap of two kernel-image frames (reserved RAM, lowmem) */
	r = run(m, "vmap", "{\"pfns\": [\"0x1000\", 4097]}", &err);
	assert_non_null(r);
	assert_string_equal(str(r, "addr"), "0xf7403000");
	pages = json_object_get(r, "pages");
	assert_string_equal(str(json_array_get(pages, 1), "phys"),
			    "0x01001000");
	assert_string_equal(str(json_array_get(pages, 1), "zone"), "Normal");
	assert_null(json_object_get(r, "pages_array"));
	json_decref(r);

	r = run(m, "ioremap", "{\"phys\": \"0xfed00010\", \"size\": 16}", &err);
	assert_non_null(r);
	assert_string_equal(str(r, "addr"), "0xf7406010");
	assert_int_equal(num(r, "offset"), 16);
	assert_string_equal(str(r, "area_phys"), "0xfed00000");
	assert_string_equal(str(r, "guard"), "0xf7407000");
	assert_true(json_is_null(json_object_get(json_array_get(
		json_object_get(r, "pages"), 0), "zone")));
	json_decref(r);

	/* the report, text and JSON from the same records */
	assert_int_equal(api_report(m, "vmallocinfo", true, NULL, &t, &err),
			 MM_OK);
	assert_string_equal(t,
		"0xf73fe000-0xf7401000   12288 vmalloc pages=2 vmalloc\n"
		"0xf7401000-0xf7403000    8192 vzalloc pages=1 vmalloc\n"
		"0xf7403000-0xf7406000   12288 vmap vmap\n"
		"0xf7406000-0xf7408000    8192 ioremap phys=0xfed00000 ioremap\n");
	free(t);
	assert_int_equal(api_report(m, "vmallocinfo", false, &j, NULL, &err),
			 MM_OK);
	assert_int_equal(json_array_size(j), 4);
	p = json_array_get(j, 3);
	assert_string_equal(str(p, "start"), "0xf7406000");
	assert_string_equal(str(p, "end"), "0xf7408000");
	assert_int_equal(num(p, "size"), 8192);
	assert_string_equal(str(p, "phys"), "0xfed00000");
	assert_true(json_is_null(json_object_get(p, "pages")));
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(p, "flags"), 0)), "ioremap");
	assert_int_equal(num(json_array_get(j, 0), "pages"), 2);
	json_decref(j);

	r = run(m, "vfree", "{\"addr\": \"0xf73fe000\"}", &err);
	assert_non_null(r);
	assert_int_equal(num(r, "pages"), 2);
	assert_string_equal(str(json_object_get(r, "area"), "end"),
			    "0xf7401000");
	json_decref(r);
	r = run(m, "vunmap", "{\"addr\": 4148178944}", &err);	/* 0xf7403000 */
	assert_non_null(r);
	json_decref(r);
	r = run(m, "iounmap", "{\"addr\": \"0xf7406010\"}", &err);
	assert_non_null(r);
	json_decref(r);
	r = run(m, "vfree", "{\"addr\": 0}", &err);
	assert_non_null(r);
	assert_non_null(json_object_get(r, "note"));
	json_decref(r);

	/* the model's refusals come through with their field */
	assert_bad(m, "vfree", "{\"addr\": \"0xf73fe000\"}",
		   "not-a-vmalloc-area", "addr");
	assert_bad(m, "ioremap", "{\"phys\": \"0x30000000\", \"size\": 4096}",
		   "ioremap-ram", "phys");
	assert_bad(m, "vmalloc", "{\"size\": \"121M\"}",
		   "vmalloc-space-exhausted", "size");
	/* argument checking */
	assert_bad(m, "vmalloc", NULL, "bad-argument", "size");
	assert_bad(m, "vmalloc", "{\"size\": 0}", "bad-argument", "size");
	assert_bad(m, "vzalloc", "{\"size\": -1}", "bad-argument", "size");
	assert_bad(m, "vmalloc", "{\"sz\": 1}", "bad-argument", "sz");
	assert_bad(m, "vfree", "{}", "bad-argument", "addr");
	assert_bad(m, "vfree", "{\"addr\": \"0x100000000\"}", "bad-argument",
		   "addr");
	assert_bad(m, "vmap", "{\"pfns\": []}", "bad-argument", "pfns");
	assert_bad(m, "vmap", "{\"pfns\": \"0x1000\"}", "bad-argument", "pfns");
	assert_bad(m, "vmap", "{\"pfns\": [1, \"zz\"]}", "bad-argument",
		   "pfns");
	assert_bad(m, "vmap", "{\"pfns\": [\"0x1000000\"]}", "bad-argument",
		   "pfns");
	assert_bad(m, "vmap", "{\"pfns\": [160]}", "not-ram", "pfns[0]");
	assert_bad(m, "ioremap", "{\"phys\": \"0xfed00000\"}", "bad-argument",
		   "size");
	assert_bad(m, "ioremap", "{\"size\": 1}", "bad-argument", "phys");
	assert_bad(m, "iounmap", "{\"addr\": \"0xf73fe000\"}",
		   "not-an-ioremap-area", "addr");
	assert_text(m, proc_vmallocinfo,
		    "0xf7401000-0xf7403000    8192 vzalloc pages=1 vmalloc\n");
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_first_vmallocs),
		cmocka_unit_test(test_lowest_gap_reuse),
		cmocka_unit_test(test_vfree_gives_back),
		cmocka_unit_test(test_stale_and_zeroed),
		cmocka_unit_test(test_vpages),
		cmocka_unit_test(test_space_exhausted),
		cmocka_unit_test(test_out_of_frames),
		cmocka_unit_test(test_page_table_fails),
		cmocka_unit_test(test_page_array_fails),
		cmocka_unit_test(test_vmalloc_refusals),
		cmocka_unit_test(test_unmap_refusals),
		cmocka_unit_test(test_vmap),
		cmocka_unit_test(test_ioremap),
		cmocka_unit_test(test_ioremap_ram),
		cmocka_unit_test(test_pae),
		cmocka_unit_test(test_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

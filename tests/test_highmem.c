/*
 * test_highmem.c - kmap, kunmap, kmap_local_page, kmap_atomic and
 * page_address on fresh 2 GiB machines (machine_config_default), two-level
 * and PAE, against addresses derived by hand:
 *
 *   two-level: PKMAP_BASE 0xfec00000, LAST_PKMAP 1024, max_low_pfn 0x36bfe
 *   PAE:       PKMAP_BASE 0xff000000, LAST_PKMAP 512,  max_low_pfn 0x36ffe
 *   both:      FIXADDR_TOP 0xfffff000, FIX_KMAP_BEGIN 68
 *
 * kmap: last_pkmap_nr starts at 0 and map_new_virtual() increments it
 * before looking, so the first kmap of a HighMem frame takes slot 1:
 * PKMAP_BASE + 0x1000 (0xfec01000, PAE 0xff001000).  Slot 0 is reached only
 * when the index wraps, which is also when slots with count 1 are flushed.
 *
 * kmap_local: slot = idx + 16 * cpu, address FIXADDR_TOP - (68 + slot) *
 * 0x1000: CPU 0 idx 0 is 0xfffff000 - 0x44000 = 0xfffbb000, idx 1
 * 0xfffba000, idx 15 0xfffac000; CPU 1 idx 0 is slot 16, fixmap index
 * 84, 0xfffff000 - 0x54000 = 0xfffab000.
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
#include "highmem.h"
#include "machine.h"
#include "memory.h"
#include "pgtable.h"
#include "helpers.h"

/* --- helpers ------------------------------------------------------------------ */

static struct machine *boot(bool pae, unsigned cpus)
{
	struct machine_config c;

	machine_config_default(&c);
	c.pae = pae;
	c.cpus = cpus;
	return must_boot(&c);
}

/* The i-th HighMem frame of the machine (all RAM on a 2 GiB PC). */
static pfn_t high(const struct machine *m, unsigned i)
{
	pfn_t pfn = m->layout.max_low_pfn + i;

	assert_true(pfn < m->layout.max_pfn);
	return pfn;
}

static vaddr_t do_kmap(struct machine *m, pfn_t pfn, struct kmap_result *r)
{
	struct mm_error err;

	memset(&err, 0, sizeof(err));
	if (kmap(m, pfn, r, &err) != MM_OK)
		fail_msg("kmap(0x%x): %s: %s", pfn, err.type, err.detail);
	return r->addr;
}

/* The walk of the kernel page tables from swapper_pg_dir reaches pa. */
static void assert_maps(const struct machine *m, vaddr_t va, phys_addr_t pa)
{
	struct pt_walk w;
	uint64_t entry;

	pt_walk(m, m->swapper_pg_dir, va, ACCESS_READ, false, &w);
	if (!w.ok)
		fail_msg("0x%08x does not map: %s", va, w.reason);
	assert_int_equal(w.pa, pa);
	assert_int_equal(w.page_shift, 12);
	/* PAGE_KERNEL, as kmap_prot is */
	entry = kernel_leaf_entry(m, va, NULL);
	assert_int_equal(entry & (0xfffull | _PAGE_NX),
			 kernel_prot(m, PROT_KERNEL, false));
	assert_int_equal(entry & ~(0xfffull | _PAGE_NX),
			 pa & ~(phys_addr_t)0xfff);
}

static void assert_unmapped(const struct machine *m, vaddr_t va)
{
	struct pt_walk w;

	pt_walk(m, m->swapper_pg_dir, va, ACCESS_READ, false, &w);
	assert_false(w.ok);
	assert_int_equal(kernel_leaf_entry(m, va, NULL), 0);
}

/* --- permanent kmaps --------------------------------------------------------- */

static void first_kmaps(bool pae, vaddr_t pkmap_base, unsigned last)
{
	struct machine *m = boot(pae, 1);
	uint32_t free_before = machine_free_pages(m);
	pfn_t h0 = high(m, 0), h1 = high(m, 1);
	struct kmap_result r;

	assert_int_equal(m->layout.pkmap_base, pkmap_base);
	assert_int_equal(m->layout.last_pkmap, last);
	assert_int_equal(m->kmap.last_pkmap_nr, 0);

	/* slot 1: last_pkmap_nr goes 0 -> 1 before the first look */
	assert_int_equal(do_kmap(m, h0, &r), pkmap_base + 0x1000);
	assert_false(r.lowmem);
	assert_int_equal(r.slot, 1);
	assert_int_equal(r.users, 1);
	assert_int_equal(r.nr_flushed, 0);
	assert_int_equal(m->kmap.pkmap_count[1], 2);
	assert_int_equal(m->kmap.last_pkmap_nr, 1);
	assert_int_equal(page_address(m, h0), pkmap_base + 0x1000);
	assert_maps(m, pkmap_base + 0x1000, PFN_PHYS(h0));

	/* the same frame again shares the slot */
	assert_int_equal(do_kmap(m, h0, &r), pkmap_base + 0x1000);
	assert_int_equal(r.slot, 1);
	assert_int_equal(r.users, 2);
	assert_int_equal(m->kmap.pkmap_count[1], 3);
	assert_int_equal(m->kmap.last_pkmap_nr, 1);

	/* another frame takes the next slot */
	assert_int_equal(do_kmap(m, h1, &r), pkmap_base + 0x2000);
	assert_int_equal(r.slot, 2);
	assert_int_equal(r.users, 1);
	assert_maps(m, pkmap_base + 0x2000, PFN_PHYS(h1));
	assert_int_equal(pkmap_slot_of(m, h1), 2);

	/* the pkmap page table exists from boot: nothing was allocated */
	assert_int_equal(machine_free_pages(m), free_before);
	machine_free(m);
}

static void test_first_kmap_two_level(void **state)
{
	(void)state;
	first_kmaps(false, 0xfec00000u, 1024);
}

static void test_first_kmap_pae(void **state)
{
	(void)state;
	first_kmaps(true, 0xff000000u, 512);
}

static void test_lowmem_kmap(void **state)
{
	struct machine *m = boot(false, 1);
	struct kunmap_result u;
	struct kmap_result r;
	struct mm_error err;
	pfn_t last_low = m->layout.max_low_pfn - 1;

	(void)state;
	/* 16 MiB: the kernel image, reserved but still a struct page */
	assert_int_equal(do_kmap(m, 0x1000, &r), 0xc1000000u);
	assert_true(r.lowmem);
	assert_int_equal(r.slot, -1);
	assert_int_equal(r.nr_flushed, 0);
	assert_int_equal(do_kmap(m, last_low, &r), 0xc0000000u +
			 (last_low << 12));
	assert_true(r.lowmem);
	assert_int_equal(page_address(m, 0x1000), 0xc1000000u);
	/* no slot was touched */
	assert_int_equal(m->kmap.last_pkmap_nr, 0);
	for (unsigned n = 0; n < m->layout.last_pkmap; n++)
		assert_int_equal(m->kmap.pkmap_count[n], 0);
	/* kunmap of lowmem does nothing, as often as asked */
	assert_int_equal(kunmap(m, 0x1000, &u, &err), MM_OK);
	assert_true(u.lowmem);
	assert_int_equal(kunmap(m, 0x1000, &u, &err), MM_OK);
	/* the first HighMem frame is not lowmem */
	assert_int_equal(do_kmap(m, m->layout.max_low_pfn, &r),
			 0xfec01000u);
	machine_free(m);
}

static void test_not_ram(void **state)
{
	struct machine *m = boot(false, 1);
	struct kmap_local_result l;
	struct kunmap_result u;
	struct kmap_result r;
	struct mm_error err;

	(void)state;
	/* 0xa0000: the legacy VGA hole; 0x80000: above max_pfn (2 GiB) */
	assert_int_equal(kmap(m, 0xa0, &r, &err), MM_EINVAL);
	assert_string_equal(err.type, "not-ram");
	assert_int_equal(kmap(m, 0x80000, &r, &err), MM_EINVAL);
	assert_string_equal(err.type, "not-ram");
	assert_int_equal(kunmap(m, 0xa0, &u, &err), MM_EINVAL);
	assert_string_equal(err.type, "not-ram");
	assert_int_equal(kmap_local(m, 0x80000, 0, false, &l, &err),
			 MM_EINVAL);
	assert_string_equal(err.type, "not-ram");
	assert_int_equal(m->kmap.last_pkmap_nr, 0);
	assert_int_equal(m->kmap.ctrl[0].idx, 0);
	machine_free(m);
}

static void test_kunmap_keeps_mapping_until_wrap(void **state)
{
	struct machine *m = boot(false, 1);
	vaddr_t base = m->layout.pkmap_base, va1 = base + 0x1000;
	pfn_t h = high(m, 0);
	struct kunmap_result u;
	struct kmap_result r;
	struct mm_error err;

	(void)state;
	do_kmap(m, h, &r);
	assert_int_equal(kunmap(m, h, &u, &err), MM_OK);
	assert_int_equal(u.users, 0);
	assert_int_equal(u.slot, 1);
	/* count 1: no users, but mapped and found until the next flush */
	assert_int_equal(m->kmap.pkmap_count[1], 1);
	assert_int_equal(page_address(m, h), va1);
	assert_maps(m, va1, PFN_PHYS(h));

	/* one kunmap too many would take the count to 0: a kernel BUG */
	assert_int_equal(kunmap(m, h, &u, &err), MM_ESTATE);
	assert_string_equal(err.type, "not-kmapped");
	assert_int_equal(m->kmap.pkmap_count[1], 1);

	/* kmap again before the flush: the same slot, count 1 -> 2 */
	assert_int_equal(do_kmap(m, h, &r), va1);
	assert_int_equal(r.users, 1);
	assert_int_equal(m->kmap.last_pkmap_nr, 1);
	assert_int_equal(kunmap(m, h, &u, &err), MM_OK);

	/* fill slots 2..1023: the scan never reaches 0, nothing flushes */
	for (unsigned i = 1; i <= 1022; i++) {
		assert_int_equal(do_kmap(m, high(m, i), &r), base + (i + 1) *
				 0x1000);
		assert_int_equal(r.nr_flushed, 0);
	}
	assert_int_equal(page_address(m, h), va1);
	assert_int_equal(m->kmap.last_pkmap_nr, 1023);

	/* the next one wraps to 0: slot 1 (count 1) is flushed, slot 0 taken */
	assert_int_equal(do_kmap(m, high(m, 1023), &r), base);
	assert_int_equal(r.slot, 0);
	assert_int_equal(r.nr_flushed, 1);
	assert_int_equal(r.flushed[0], 1);
	assert_int_equal(m->kmap.pkmap_count[1], 0);
	assert_int_equal(page_address(m, h), 0);
	assert_unmapped(m, va1);

	/* and slot 1 is the next one given out */
	assert_int_equal(do_kmap(m, high(m, 2000), &r), va1);
	assert_int_equal(r.nr_flushed, 0);
	assert_maps(m, va1, PFN_PHYS(high(m, 2000)));
	machine_free(m);
}

static void exhaust(bool pae)
{
	struct machine *m = boot(pae, 1);
	unsigned last = m->layout.last_pkmap;
	vaddr_t base = m->layout.pkmap_base;
	struct kmap_state *saved = malloc(sizeof(*saved));
	pfn_t victim = high(m, 499);	/* slot 500 */
	struct kunmap_result u;
	struct kmap_result r;
	struct mm_error err;
	char n[16];

	/* slots 1 .. last-1, then the wrap gives slot 0 */
	for (unsigned i = 0; i < last; i++)
		assert_int_equal(do_kmap(m, high(m, i), &r),
				 base + ((i + 1) % last) * 0x1000);
	assert_int_equal(m->kmap.last_pkmap_nr, 0);

	/* every slot has a user: the kernel would sleep */
	memcpy(saved, &m->kmap, sizeof(*saved));
	assert_int_equal(kmap(m, high(m, last), &r, &err), MM_ESTATE);
	assert_string_equal(err.type, "pkmap-full");
	snprintf(n, sizeof(n), "all %u", last);
	assert_non_null(strstr(err.detail, n));
	assert_non_null(strstr(err.detail, "kunmap"));
	assert_memory_equal(saved, &m->kmap, sizeof(*saved));
	assert_int_equal(page_address(m, high(m, last)), 0);
	/* a frame already mapped still gets its slot */
	assert_int_equal(do_kmap(m, high(m, 3), &r), base + 4 * 0x1000);
	assert_int_equal(kunmap(m, high(m, 3), &u, &err), MM_OK);

	/* free one slot (count 1): the scan wraps, flushes it, takes it */
	assert_int_equal(kunmap(m, victim, &u, &err), MM_OK);
	assert_int_equal(u.slot, 500);
	assert_int_equal(do_kmap(m, high(m, last), &r), base + 500 * 0x1000);
	assert_int_equal(r.slot, 500);
	assert_int_equal(r.nr_flushed, 1);
	assert_int_equal(r.flushed[0], 500);
	assert_int_equal(page_address(m, victim), 0);
	assert_int_equal(page_address(m, high(m, last)), base + 500 * 0x1000);
	assert_maps(m, base + 500 * 0x1000, PFN_PHYS(high(m, last)));
	assert_int_equal(m->kmap.last_pkmap_nr, 500);
	free(saved);
	machine_free(m);
}

static void test_exhaustion_two_level(void **state)
{
	(void)state;
	exhaust(false);
}

static void test_exhaustion_pae(void **state)
{
	(void)state;
	exhaust(true);
}

static void test_page_address_rules(void **state)
{
	struct machine *m = boot(true, 1);
	struct kmap_local_result l;
	struct kunmap_result u;
	struct kmap_result r;
	struct mm_error err;
	pfn_t h = high(m, 7);

	(void)state;
	assert_int_equal(page_address(m, 0x100), 0xc0100000u);
	assert_int_equal(page_address(m, h), 0);
	/* kmap_local does not record its address there */
	assert_int_equal(kmap_local(m, h, 0, false, &l, &err), MM_OK);
	assert_int_equal(page_address(m, h), 0);
	do_kmap(m, h, &r);
	assert_int_equal(page_address(m, h), 0xff001000u);
	/* both mappings alias the frame */
	assert_maps(m, l.addr, PFN_PHYS(h));
	assert_maps(m, r.addr, PFN_PHYS(h));
	assert_int_equal(kunmap(m, h, &u, &err), MM_OK);
	assert_int_equal(page_address(m, h), 0xff001000u);
	assert_int_equal(kunmap_local(m, l.addr, 0, false, &l, &err), MM_OK);
	assert_int_equal(page_address(m, h), 0xff001000u);
	machine_free(m);
}

/* --- kmap_local and kmap_atomic ------------------------------------------------ */

static void test_kmap_local_nesting(void **state)
{
	struct machine *m = boot(false, 2);
	struct kmap_local_result l, l2;
	struct mm_error err;
	pfn_t h1 = high(m, 1), h2 = high(m, 2);

	(void)state;
	assert_int_equal(kmap_local(m, h1, 0, false, &l, &err), MM_OK);
	assert_int_equal(l.addr, 0xfffbb000u);
	assert_int_equal(l.idx, 0);
	assert_int_equal(l.fixmap_index, 68);
	assert_int_equal(l.depth, 1);
	assert_maps(m, 0xfffbb000u, PFN_PHYS(h1));
	assert_int_equal(kmap_local(m, h2, 0, false, &l2, &err), MM_OK);
	assert_int_equal(l2.addr, 0xfffba000u);
	assert_int_equal(l2.idx, 1);
	assert_int_equal(l2.fixmap_index, 69);
	assert_maps(m, 0xfffba000u, PFN_PHYS(h2));

	/* CPU 1's stack starts at slot 16 */
	assert_int_equal(kmap_local(m, h1, 1, false, &l, &err), MM_OK);
	assert_int_equal(l.addr, 0xfffab000u);
	assert_int_equal(l.idx, 0);
	assert_int_equal(l.fixmap_index, 84);
	assert_maps(m, 0xfffab000u, PFN_PHYS(h1));
	assert_int_equal(kmap_local(m, h1, 2, false, &l, &err), MM_EINVAL);
	assert_string_equal(err.type, "bad-cpu");

	/* LIFO: the older mapping cannot go first */
	assert_int_equal(kunmap_local(m, 0xfffbb000u, 0, false, &l, &err),
			 MM_ESTATE);
	assert_string_equal(err.type, "kunmap-local-order");
	assert_non_null(strstr(err.detail, "0xfffba000"));
	assert_int_equal(m->kmap.ctrl[0].idx, 2);
	assert_maps(m, 0xfffbb000u, PFN_PHYS(h1));
	/* CPU 1's mapping is not CPU 0's to undo */
	assert_int_equal(kunmap_local(m, 0xfffab000u, 0, false, &l, &err),
			 MM_ESTATE);
	assert_string_equal(err.type, "kunmap-local-order");

	/* any address inside the page will do, as the kernel masks it */
	assert_int_equal(kunmap_local(m, 0xfffba123u, 0, false, &l, &err),
			 MM_OK);
	assert_int_equal(l.addr, 0xfffba000u);
	assert_int_equal(l.pfn, h2);
	assert_int_equal(l.depth, 1);
	assert_unmapped(m, 0xfffba000u);
	assert_int_equal(kunmap_local(m, 0xfffbb000u, 0, false, &l, &err),
			 MM_OK);
	assert_unmapped(m, 0xfffbb000u);
	assert_int_equal(kunmap_local(m, 0xfffbb000u, 0, false, &l, &err),
			 MM_ESTATE);
	assert_string_equal(err.type, "not-kmapped");
	/* a pkmap address is not a kmap_local one */
	assert_int_equal(kunmap_local(m, 0xfec01000u, 0, false, &l, &err),
			 MM_EINVAL);
	assert_string_equal(err.type, "not-kmap-local");

	/* the slot is reused by the next push */
	assert_int_equal(kmap_local(m, h2, 0, false, &l, &err), MM_OK);
	assert_int_equal(l.addr, 0xfffbb000u);
	assert_maps(m, 0xfffbb000u, PFN_PHYS(h2));
	machine_free(m);
}

static void test_kmap_local_limit(void **state)
{
	struct machine *m = boot(true, 1);
	struct kmap_local_result l;
	struct kmap_state *saved = malloc(sizeof(*saved));
	struct mm_error err;

	(void)state;
	for (unsigned i = 0; i < 16; i++) {
		assert_int_equal(kmap_local(m, high(m, i), 0, i & 1, &l, &err),
				 MM_OK);
		assert_int_equal(l.addr, 0xfffbb000u - i * 0x1000);
	}
	assert_int_equal(l.addr, 0xfffac000u);
	memcpy(saved, &m->kmap, sizeof(*saved));
	assert_int_equal(kmap_local(m, high(m, 16), 0, false, &l, &err),
			 MM_ESTATE);
	assert_string_equal(err.type, "kmap-local-full");
	assert_non_null(strstr(err.detail, "0xfffac000"));
	assert_memory_equal(saved, &m->kmap, sizeof(*saved));
	assert_unmapped(m, 0xfffab000u);
	/* lowmem needs no slot, so it still works */
	assert_int_equal(kmap_local(m, 0x1000, 0, false, &l, &err), MM_OK);
	assert_true(l.lowmem);
	assert_int_equal(l.addr, 0xc1000000u);
	assert_int_equal(kunmap_local(m, 0xc1000000u, 0, false, &l, &err),
			 MM_OK);
	assert_true(l.lowmem);
	assert_int_equal(m->kmap.ctrl[0].idx, 16);

	/* idx 15 was made by kmap_atomic: kunmap_local is the wrong pair */
	assert_int_equal(kunmap_local(m, 0xfffac000u, 0, false, &l, &err),
			 MM_ESTATE);
	assert_string_equal(err.type, "kunmap-kind");
	assert_int_equal(kunmap_local(m, 0xfffac000u, 0, true, &l, &err),
			 MM_OK);
	assert_int_equal(kunmap_local(m, 0xfffad000u, 0, false, &l, &err),
			 MM_OK);
	assert_int_equal(m->kmap.ctrl[0].idx, 14);
	free(saved);
	machine_free(m);
}

/* --- aliasing: the bytes behind each mapping are the frame's ------------------ */

static void aliasing(bool pae)
{
	struct machine *m = boot(pae, 1);
	static const char msg[] = "written at the frame's physical address";
	pfn_t h = high(m, 0x1234);
	phys_addr_t pa = PFN_PHYS(h);
	struct kmap_local_result l;
	struct kmap_result r;
	struct mm_error err;
	struct pt_walk w;
	char buf[sizeof(msg)];

	physmem_write(&m->mem, pa + 0x10, msg, sizeof(msg));
	do_kmap(m, h, &r);
	assert_int_equal(kmap_local(m, h, 0, true, &l, &err), MM_OK);
	assert_true(r.addr != l.addr);
	for (int i = 0; i < 2; i++) {
		vaddr_t va = (i ? l.addr : r.addr) + 0x10;

		pt_walk(m, m->swapper_pg_dir, va, ACCESS_READ, false, &w);
		assert_true(w.ok);
		assert_int_equal(w.pa, pa + 0x10);
		physmem_read(&m->mem, w.pa, buf, sizeof(buf));
		assert_memory_equal(buf, msg, sizeof(msg));
		/* and writable (PAGE_KERNEL) in kernel mode */
		pt_walk(m, m->swapper_pg_dir, va, ACCESS_WRITE, false, &w);
		assert_true(w.ok);
		/* but never from user mode */
		pt_walk(m, m->swapper_pg_dir, va, ACCESS_READ, true, &w);
		assert_false(w.ok);
	}
	machine_free(m);
}

static void test_aliasing_two_level(void **state)
{
	(void)state;
	aliasing(false);
}

static void test_aliasing_pae(void **state)
{
	(void)state;
	aliasing(true);
}

/* --- the operations ------------------------------------------------------------ */

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

static void test_ops(void **state)
{
	struct machine *m = boot(false, 2);
	struct mm_error err;
	json_t *r, *slots;

	(void)state;
	assert_true(api_op_mutates("kmap"));
	assert_true(api_op_mutates("kunmap_atomic"));
	assert_false(api_op_mutates("page_address"));
	assert_false(api_op_mutates("pkmap"));

	/* phys 0x40000000 is pfn 0x40000, HighMem */
	r = run(m, "kmap", "{\"phys\": \"0x40000000\"}", &err);
	assert_non_null(r);
	assert_string_equal(str(r, "addr"), "0xfec01000");
	assert_int_equal(json_integer_value(json_object_get(r, "slot")), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "count")), 1);
	assert_true(json_is_false(json_object_get(r, "lowmem")));
	assert_int_equal(json_array_size(json_object_get(r, "flushed")), 0);
	json_decref(r);

	r = run(m, "kmap", "{\"pfn\": 4096}", &err);
	assert_string_equal(str(r, "addr"), "0xc1000000");
	assert_true(json_is_null(json_object_get(r, "slot")));
	assert_true(json_is_true(json_object_get(r, "lowmem")));
	json_decref(r);

	r = run(m, "page_address", "{\"pfn\": \"0x40000\"}", &err);
	assert_string_equal(str(r, "addr"), "0xfec01000");
	json_decref(r);
	r = run(m, "page_address", "{\"pfn\": \"0x40001\"}", &err);
	assert_true(json_is_null(json_object_get(r, "addr")));
	json_decref(r);

	r = run(m, "kmap_local_page", "{\"pfn\": \"0x40001\", \"cpu\": 1}",
		&err);
	assert_string_equal(str(r, "addr"), "0xfffab000");
	assert_int_equal(json_integer_value(json_object_get(r, "idx")), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "fixmap_index")),
			 84);
	json_decref(r);

	r = run(m, "pkmap", NULL, &err);
	slots = json_object_get(r, "slots");
	assert_int_equal(json_array_size(slots), 1);
	assert_string_equal(str(json_array_get(slots, 0), "pfn"), "0x00040000");
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(slots, 0), "count")), 2);
	assert_int_equal(json_array_size(json_object_get(r, "kmap_local")), 1);
	json_decref(r);

	/* the errors name the argument given */
	assert_null(run(m, "kunmap", "{\"phys\": \"0x40001000\"}", &err));
	assert_string_equal(err.type, "not-kmapped");
	assert_string_equal(err.field, "phys");
	assert_null(run(m, "kmap", "{\"phys\": \"0xa0000\"}", &err));
	assert_string_equal(err.type, "not-ram");
	assert_string_equal(err.field, "phys");
	assert_null(run(m, "kmap", "{\"pfn\": 1, \"phys\": 4096}", &err));
	assert_string_equal(err.type, "bad-argument");
	assert_null(run(m, "kmap", "{\"pfn\": 1, \"cpu\": 0}", &err));
	assert_string_equal(err.type, "bad-argument");
	assert_null(run(m, "kunmap_local", "{\"addr\": \"0xfffab000\"}", &err));
	assert_string_equal(err.type, "not-kmapped");
	assert_null(run(m, "kunmap_local", "{}", &err));
	assert_string_equal(err.field, "addr");

	r = run(m, "kunmap_local", "{\"addr\": \"0xfffab000\", \"cpu\": 1}",
		&err);
	assert_non_null(r);
	json_decref(r);
	r = run(m, "kunmap", "{\"pfn\": \"0x40000\"}", &err);
	assert_int_equal(json_integer_value(json_object_get(r, "count")), 0);
	json_decref(r);
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_kmap_two_level),
		cmocka_unit_test(test_first_kmap_pae),
		cmocka_unit_test(test_lowmem_kmap),
		cmocka_unit_test(test_not_ram),
		cmocka_unit_test(test_kunmap_keeps_mapping_until_wrap),
		cmocka_unit_test(test_exhaustion_two_level),
		cmocka_unit_test(test_exhaustion_pae),
		cmocka_unit_test(test_page_address_rules),
		cmocka_unit_test(test_kmap_local_nesting),
		cmocka_unit_test(test_kmap_local_limit),
		cmocka_unit_test(test_aliasing_two_level),
		cmocka_unit_test(test_aliasing_pae),
		cmocka_unit_test(test_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

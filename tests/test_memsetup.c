/*
 * test_memsetup.c - four mechanisms of the 6.1 memory set-up that the
 * captures do not exercise, checked on configurations beyond them with
 * figures worked out from the kernel's rules (see the comments):
 *
 *   - the software IO TLB of a PAE machine whose RAM reaches past 4 GiB;
 *   - mem_map sized to the zones, not to memblock (highmem=), and the
 *     unavailable-range line of the tail;
 *   - holes in memblock's RAM (memmap=nn$ss) left out of the linear map;
 *   - (the PAE fixmap page tables are held to the PAE capture in
 *     test_golden.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "machine.h"
#include "pgtable.h"
#include "procfs.h"
#include "helpers.h"

static struct machine *boot(uint64_t ram, bool pae, const char *cmdline)
{
	struct machine_config c;

	machine_config_default(&c);
	c.ram = ram;
	c.pae = pae;
	snprintf(c.cmdline, sizeof(c.cmdline), "%s", cmdline);
	return must_boot(&c);
}

static const struct memblock_region *reserved_named(const struct machine *m,
						    const char *name)
{
	for (uint32_t i = 0; i < m->memblock.reserved.cnt; i++)
		if (!strcmp(m->memblock.reserved.regions[i].name, name))
			return &m->memblock.reserved.regions[i];
	return NULL;
}

static long long meminfo_kb(const struct machine *m, const char *label)
{
	struct strbuf sb = STRBUF_INIT;
	long long v;

	proc_meminfo(m, &sb);
	v = text_value(sb.buf, label);
	sb_free(&sb);
	return v;
}

/* --- SWIOTLB ------------------------------------------------------------------ */

/*
 * Two PAE machines of 8 GiB with the same zones: mem=4G cuts RAM at the
 * PCI hole (last RAM byte below 3 GiB), so max_possible_pfn stays under
 * 4 GiB and there is no bounce buffer; highmem= cuts max_pfn to the same
 * place but leaves max_possible_pfn at 9 GiB (QEMU puts 5 GiB above
 * 4 GiB), so pci_swiotlb_detect() turns the IO TLB on.  Everything else
 * being equal, the second has exactly the TLB less: 64 MiB of buffer
 * (16384 pages), 32768 slots of 16 bytes (128 pages) and one page for the
 * 12-byte area array, which shares its page with no other reservation.
 */
static void test_swiotlb_pae_8g(void **state)
{
	struct machine *a, *b;
	const struct memblock_region *tlb, *slots, *areas;
	char cmdline[64], line[128];
	const uint32_t tlb_pages = 16384 + 128 + 1;

	(void)state;
	a = boot(8ull << 30, true, "mem=4G");
	assert_null(strstr(a->log.buf, "software IO TLB"));
	assert_null(reserved_named(a, "swiotlb bounce buffer"));
	snprintf(cmdline, sizeof(cmdline), "highmem=%#llx",
		 (unsigned long long)(a->layout.max_pfn - a->layout.max_low_pfn)
		 << PAGE_SHIFT);
	b = boot(8ull << 30, true, cmdline);
	assert_int_equal(b->layout.max_pfn, a->layout.max_pfn);
	assert_int_equal(b->layout.max_pfn, 0xbffe0);
	assert_int_equal(b->layout.max_possible_pfn, 0x240000);

	tlb = reserved_named(b, "swiotlb bounce buffer");
	slots = reserved_named(b, "swiotlb slots");
	areas = reserved_named(b, "swiotlb areas");
	assert_non_null(tlb);
	assert_non_null(slots);
	assert_non_null(areas);
	assert_int_equal(tlb->size, 64u << 20);
	assert_int_equal(slots->size, 32768 * 16);
	assert_int_equal(areas->size, 12);
	/* memblock_alloc_low: in lowmem, top-down, slots right below */
	assert_true(tlb->base + tlb->size <= PFN_PHYS(b->layout.max_low_pfn));
	assert_int_equal(slots->base + slots->size, tlb->base);
	assert_int_equal(areas->base, slots->base - 64);

	assert_non_null(strstr(b->log.buf, "software IO TLB: area num 1.\n"));
	assert_non_null(strstr(b->log.buf, "PCI-DMA: Using software bounce "
			       "buffering for IO (SWIOTLB)\n"));
	snprintf(line, sizeof(line), "software IO TLB: mapped [mem "
		 "0x%016llx-0x%016llx] (64MB)\n",
		 (unsigned long long)tlb->base,
		 (unsigned long long)(tlb->base + tlb->size));
	assert_non_null(strstr(b->log.buf, line));
	/* area num before the Memory: line (mem_init), mapped after it */
	assert_true(strstr(b->log.buf, "area num") <
		    strstr(b->log.buf, "Memory: "));
	assert_true(strstr(b->log.buf, "mapped [mem") >
		    strstr(b->log.buf, "Memory: "));

	/* the exact difference, lowmem only */
	for (int j = 0; j < MAX_NR_ZONES; j++)
		assert_int_equal(a->pgdat.node_zones[j].present_pages,
				 b->pgdat.node_zones[j].present_pages);
	assert_int_equal(a->pgdat.node_zones[ZONE_NORMAL].managed_pages -
			 b->pgdat.node_zones[ZONE_NORMAL].managed_pages,
			 tlb_pages);
	assert_int_equal(a->pgdat.node_zones[ZONE_HIGHMEM].managed_pages,
			 b->pgdat.node_zones[ZONE_HIGHMEM].managed_pages);
	assert_int_equal(machine_totalram_pages(a) - machine_totalram_pages(b),
			 tlb_pages);
	assert_int_equal(meminfo_kb(a, "MemTotal:") - meminfo_kb(b, "MemTotal:"),
			 tlb_pages * 4);
	assert_int_equal(meminfo_kb(a, "LowTotal:") - meminfo_kb(b, "LowTotal:"),
			 tlb_pages * 4);
	machine_free(a);
	machine_free(b);

	/* no RAM above 4 GiB, or a two-level kernel that cannot reach it
	 * (MAX_ARCH_PFN stops at 4 GiB): no TLB */
	a = boot(3ull << 30, true, "");
	b = boot(8ull << 30, false, "");
	assert_null(strstr(a->log.buf, "IO TLB"));
	assert_null(strstr(b->log.buf, "IO TLB"));
	assert_null(strstr(b->log.buf, "PCI-DMA"));
	assert_null(reserved_named(b, "swiotlb bounce buffer"));
	machine_free(a);
	machine_free(b);
}

/* One area per possible CPU, rounded to a power of two. */
static void test_swiotlb_areas(void **state)
{
	struct machine_config c;
	struct machine *m = NULL;
	struct mm_error err = { 0 };

	(void)state;
	machine_config_default(&c);
	c.ram = 4ull << 30;	/* QEMU: 1 GiB of it above 4 GiB */
	c.pae = true;
	c.cpus = 3;
	assert_int_equal(machine_boot(&c, &m, &err), MM_OK);
	assert_non_null(strstr(m->log.buf, "software IO TLB: area num 4.\n"));
	assert_int_equal(reserved_named(m, "swiotlb areas")->size, 4 * 12);
	machine_free(m);
}

/* --- mem_map and the tail of the zones ------------------------------------------- */

/*
 * 2 GiB two-level, highmem=512M: max_pfn = max_low_pfn (0x36bfe, 875 MiB
 * of lowmem) + 0x20000 = 0x56bfe.  alloc_node_mem_map() covers the zones'
 * span, pfn 0 to 0x56bfe rounded up to MAX_ORDER_NR_PAGES (1024):
 * 0x56c00 struct pages of 40 bytes = 0xd8e000 bytes.  memblock's RAM goes
 * on to 0x7ffe0; memmap_init()'s tail counts 0x56bfe..0x56c00, the rest of
 * the pageblock max_mapnr ends in: 2 pages, charged to HighMem.
 */
static void test_mem_map_highmem_param(void **state)
{
	struct machine *m;
	const struct memblock_region *map;

	(void)state;
	m = boot(2ull << 30, false, "highmem=512M");
	assert_int_equal(m->layout.max_pfn, 0x56bfe);
	map = reserved_named(m, "mem_map (struct page array)");
	assert_non_null(map);
	assert_int_equal(map->size, 0x56c00 * 40);
	assert_int_equal(map->size, 0xd8e000);
	assert_non_null(strstr(m->log.buf, "On node 0, zone HighMem: 2 pages "
			       "in unavailable ranges\n"));
	machine_free(m);

	/* without highmem=: to 0x7ffe0 rounded up, 0x80000 pages; no tail */
	m = boot(2ull << 30, false, "");
	map = reserved_named(m, "mem_map (struct page array)");
	assert_int_equal(map->size, 0x80000 * 40);
	assert_null(strstr(m->log.buf, "zone HighMem: "));
	machine_free(m);
}

/* PAE, 2 GiB, highmem=256M: max_pfn 0x36ffe + 0x10000 = 0x46ffe; the map
 * to 0x47000 (a multiple of MAX_ORDER_NR_PAGES, 1024); the tail is
 * 0x46ffe..0x47000, the end of a 512-page pageblock. */
static void test_mem_map_highmem_param_pae(void **state)
{
	struct machine *m;

	(void)state;
	m = boot(2ull << 30, true, "highmem=256M");
	assert_int_equal(m->layout.max_pfn, 0x46ffe);
	assert_int_equal(reserved_named(m, "mem_map (struct page array)")->size,
			 0x47000 * 40);
	assert_non_null(strstr(m->log.buf, "On node 0, zone HighMem: 2 pages "
			       "in unavailable ranges\n"));
	machine_free(m);
}

/* --- holes in the linear map ------------------------------------------------------ */

/*
 * memmap=64M$0x10000000 turns [256 MiB, 320 MiB) reserved: memblock's RAM
 * has a hole there and init_range_memory_mapping() maps around it.  Both
 * ends are PMD aligned, so the hole is 16 (two-level) or 32 (PAE) missing
 * large pages and the 4 KiB count does not move.
 */
static void test_memmap_hole_unmapped(void **state)
{
	for (int pae = 0; pae <= 1; pae++) {
		struct machine *plain, *m;
		struct pt_walk w;
		const char *large = pae ? "DirectMap2M:" : "DirectMap4M:";
		vaddr_t hole = 0xc0000000u + 0x10000000u;

		(void)state;
		plain = boot(2ull << 30, pae, "");
		m = boot(2ull << 30, pae, "memmap=64M$0x10000000");
		assert_int_equal(meminfo_kb(plain, large) - meminfo_kb(m, large),
				 64 * 1024);
		assert_int_equal(meminfo_kb(plain, "DirectMap4k:"),
				 meminfo_kb(m, "DirectMap4k:"));

		pt_walk(m, m->swapper_pg_dir, hole + 0x1234, ACCESS_READ, false,
			&w);
		assert_false(w.ok);
		assert_int_equal(w.error_code, 0);	/* not present */
		assert_int_equal(w.fault_step, pae ? 1 : 0);
		pt_walk(m, m->swapper_pg_dir, hole + (64u << 20) - 4096,
			ACCESS_READ, false, &w);
		assert_false(w.ok);
		pt_walk(m, m->swapper_pg_dir, hole - 4096, ACCESS_READ, false,
			&w);
		assert_true(w.ok);
		assert_int_equal(w.pa, 0x10000000 - 4096);
		pt_walk(m, m->swapper_pg_dir, hole + (64u << 20), ACCESS_READ,
			false, &w);
		assert_true(w.ok);
		assert_int_equal(w.pa, 0x14000000);
		/* and the same hole in the walk of the whole kernel map */
		{
			struct strbuf sb = STRBUF_INIT;

			ptdump_kernel(m, &sb);
			assert_non_null(strstr(sb.buf, pae ?
				"\n0xd0000000-0xd4000000       64M"
				"                                      pmd\n" :
				"\n0xd0000000-0xd4000000       64M"
				"                                      pde\n"));
			sb_free(&sb);
		}
		machine_free(plain);
		machine_free(m);
	}
}

/*
 * A hole that does not fall on PMD boundaries, memmap=1M$0x10080000 on
 * two-level: the PMD at 0x10000000 keeps 4 KiB pages for 512 KiB of RAM
 * below the hole and 2.5 MiB above it, in a page table from pgt_buf; one
 * 4 MiB page less, 3 MiB more of 4 KiB pages.
 */
static void test_memmap_unaligned_hole(void **state)
{
	struct machine *plain, *m;
	struct pt_walk w;

	(void)state;
	plain = boot(2ull << 30, false, "");
	m = boot(2ull << 30, false, "memmap=1M$0x10080000");
	assert_int_equal(meminfo_kb(plain, "DirectMap4M:") -
			 meminfo_kb(m, "DirectMap4M:"), 4096);
	assert_int_equal(meminfo_kb(m, "DirectMap4k:") -
			 meminfo_kb(plain, "DirectMap4k:"), 3072);
	pt_walk(m, m->swapper_pg_dir, 0xd007f000u, ACCESS_READ, false, &w);
	assert_true(w.ok);
	assert_int_equal(w.page_shift, 12);
	pt_walk(m, m->swapper_pg_dir, 0xd0080000u, ACCESS_READ, false, &w);
	assert_false(w.ok);
	assert_int_equal(w.fault_step, 1);
	pt_walk(m, m->swapper_pg_dir, 0xd0180000u, ACCESS_READ, false, &w);
	assert_true(w.ok);
	assert_int_equal(w.pa, 0x10180000);
	machine_free(plain);
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swiotlb_pae_8g),
		cmocka_unit_test(test_swiotlb_areas),
		cmocka_unit_test(test_mem_map_highmem_param),
		cmocka_unit_test(test_mem_map_highmem_param_pae),
		cmocka_unit_test(test_memmap_hole_unmapped),
		cmocka_unit_test(test_memmap_unaligned_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * layout.h - the kernel's virtual address map and the lowmem/highmem split
 * for one configuration (arch/x86/include/asm/pgtable_32_areas.h,
 * fixmap.h, cpu_entry_area.h, arch/x86/mm/init_32.c, pgtable_32.c).
 */
#ifndef MM_LAYOUT_H
#define MM_LAYOUT_H

#include "types.h"

enum vmsplit { VMSPLIT_3G, VMSPLIT_3G_OPT, VMSPLIT_2G, VMSPLIT_2G_OPT,
	       VMSPLIT_1G, NR_VMSPLITS };

/* The compile-time constants of Debian's 6.1 686 and 686-pae builds. */
#define VMALLOC_OFFSET		(8u << 20)
#define VMALLOC_RESERVE_DEFAULT	(128u << 20)
#define KM_MAX_IDX		16	/* kmap_local slots per CPU */
#define FIX_APIC_BASE		3
#define FIX_IO_APIC_BASE_0	4
#define FIX_KMAP_BEGIN		68
/* FIX_HOLE .. FIX_APEI_GHES_NMI without the kmap slots: 583 - 16 * 32 */
#define FIX_PERMANENT_BASE	71
#define NR_FIX_BTMAPS_TOTAL	512	/* 64 slots x 8 */
/* sizeof(struct cpu_entry_area) in pages on 32-bit: GDT, guard, entry
 * stack, guard, #DF stack, TSS (5 pages with its I/O bitmaps), the
 * debug store and its 32 pages of BTS/PEBS buffers. */
#define CEA_PAGES_PER_CPU	43

struct layout {
	bool pae;
	enum vmsplit vmsplit;
	vaddr_t page_offset;		/* also TASK_SIZE */
	uint32_t pmd_size;		/* 4 MiB two-level, 2 MiB PAE */
	uint32_t ptrs_per_pte;		/* 1024 or 512 */

	vaddr_t fixaddr_top;
	vaddr_t fixaddr_start;		/* permanent fixmap */
	vaddr_t fixaddr_tot_start;	/* including boot-time slots */
	uint32_t fix_permanent;		/* __end_of_permanent_fixed_addresses */
	uint32_t fix_total;		/* __end_of_fixed_addresses */
	vaddr_t fix_kmap_begin;		/* virtual address of FIX_KMAP_BEGIN */
	vaddr_t cpu_entry_area_base;
	uint32_t cpu_entry_area_pages;	/* NR_CPUS x CEA_PAGES_PER_CPU */
	vaddr_t ldt_base, ldt_end;
	vaddr_t pkmap_base;
	uint32_t last_pkmap;
	vaddr_t vmalloc_start, vmalloc_end;
	uint64_t vmalloc_reserve;	/* __VMALLOC_RESERVE */
	uint64_t maxmem;		/* MAXMEM: the most lowmem can be */

	pfn_t max_arch_pfn;
	pfn_t max_possible_pfn;		/* e820's end of RAM, before highmem= */
	pfn_t max_pfn, max_low_pfn;
	pfn_t highstart_pfn, highend_pfn;
	vaddr_t high_memory;
};

vaddr_t vmsplit_page_offset(enum vmsplit s);
const char *vmsplit_name(enum vmsplit s);
int vmsplit_parse(const char *s, enum vmsplit *out);

/*
 * The part of the map fixed before RAM is known: everything from
 * FIXADDR_TOP down to VMALLOC_END, and MAXMEM.  fixaddr_top is 0xfffff000
 * unless reservetop= lowered it.
 */
void layout_top(struct layout *l, bool pae, enum vmsplit s,
		vaddr_t fixaddr_top, uint64_t vmalloc_reserve);

/* __pa / __va of the linear map. */
static inline phys_addr_t layout_pa(const struct layout *l, vaddr_t v)
{
	return (phys_addr_t)(v - l->page_offset);
}

static inline vaddr_t layout_va(const struct layout *l, phys_addr_t p)
{
	return (vaddr_t)(p + l->page_offset);
}

#endif

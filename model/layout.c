/*
 * layout.c - the top of the kernel's address space, computed the way the
 * 6.1 headers compute it, from the fixmap down:
 *
 *   FIXADDR_TOP             0xfffff000 (the last page is never mapped)
 *   fixmap                  permanent slots, then 512 early_ioremap slots
 *   CPU entry area          PMD-aligned below the whole fixmap
 *   LDT remap               one PMD below the CPU entry area
 *   pkmap                   one PTE table (LAST_PKMAP pages) below that
 *   vmalloc                 from high_memory + 8 MiB to 2 pages below pkmap
 *   lowmem                  PAGE_OFFSET .. high_memory, at most MAXMEM
 */
#include "layout.h"

#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	vaddr_t page_offset;
} vmsplits[NR_VMSPLITS] = {
	[VMSPLIT_3G] = { "3G", 0xc0000000u },
	[VMSPLIT_3G_OPT] = { "3G_OPT", 0xb0000000u },
	[VMSPLIT_2G] = { "2G", 0x80000000u },
	[VMSPLIT_2G_OPT] = { "2G_OPT", 0x78000000u },
	[VMSPLIT_1G] = { "1G", 0x40000000u },
};

vaddr_t vmsplit_page_offset(enum vmsplit s)
{
	return vmsplits[s].page_offset;
}

const char *vmsplit_name(enum vmsplit s)
{
	return vmsplits[s].name;
}

int vmsplit_parse(const char *s, enum vmsplit *out)
{
	/* accept the Kconfig spelling too: VMSPLIT_3G_OPT */
	if (!strncasecmp(s, "VMSPLIT_", 8))
		s += 8;
	for (int i = 0; i < NR_VMSPLITS; i++) {
		if (!strcasecmp(s, vmsplits[i].name)) {
			*out = (enum vmsplit)i;
			return 0;
		}
	}
	return -1;
}

/*
 * FIX_BTMAP_END: the 512 boot-time slots must not straddle a PTE table,
 * so when they would, the kernel rounds their start up to the next
 * multiple of 512 slots.
 */
static uint32_t fix_btmap_end(uint32_t permanent, uint32_t ptrs_per_pte)
{
	uint32_t last = permanent + NR_FIX_BTMAPS_TOTAL - 1;

	if ((permanent ^ last) & ~(ptrs_per_pte - 1))
		return permanent + NR_FIX_BTMAPS_TOTAL -
		       (permanent & (NR_FIX_BTMAPS_TOTAL - 1));
	return permanent;
}

void layout_top(struct layout *l, bool pae, enum vmsplit s,
		vaddr_t fixaddr_top, uint64_t vmalloc_reserve)
{
	uint32_t pmd_mask;

	memset(l, 0, sizeof(*l));
	l->pae = pae;
	l->vmsplit = s;
	l->page_offset = vmsplit_page_offset(s);
	l->pmd_size = pae ? (2u << 20) : (4u << 20);
	l->ptrs_per_pte = pae ? 512 : 1024;
	pmd_mask = ~(l->pmd_size - 1);

	l->fixaddr_top = fixaddr_top;
	l->fix_permanent = FIX_PERMANENT_BASE + KM_MAX_IDX * NR_CPUS;
	/* FIX_BTMAP_BEGIN = END + 511, then FIX_WP_TEST, then the end */
	l->fix_total = fix_btmap_end(l->fix_permanent, l->ptrs_per_pte) +
		       NR_FIX_BTMAPS_TOTAL + 1;
	l->fixaddr_start = fixaddr_top - l->fix_permanent * PAGE_SIZE;
	l->fixaddr_tot_start = fixaddr_top - l->fix_total * PAGE_SIZE;
	/* FIX_KMAP_BEGIN follows HOLE, DBGP, EARLYCON, APIC and 64 IO-APIC
	 * slots (index 68); fixmap index i lives at FIXADDR_TOP - i pages.
	 * The captures confirm it: APIC (3) and IO-APIC 0 (4) are the two
	 * uncached pages at 0xffffb000-0xffffd000. */
	l->fix_kmap_begin = fixaddr_top - FIX_KMAP_BEGIN * PAGE_SIZE;

	/* one extra page below the per-CPU areas: the read-only IDT */
	l->cpu_entry_area_pages = NR_CPUS * CEA_PAGES_PER_CPU;
	l->cpu_entry_area_base = (l->fixaddr_tot_start -
		PAGE_SIZE * (l->cpu_entry_area_pages + 1)) & pmd_mask;
	l->ldt_base = (l->cpu_entry_area_base - PAGE_SIZE) & pmd_mask;
	l->ldt_end = l->ldt_base + l->pmd_size;
	l->last_pkmap = pae ? 512 : 1024;
	l->pkmap_base = (l->ldt_base - PAGE_SIZE) & pmd_mask;
	l->vmalloc_end = l->pkmap_base - 2 * PAGE_SIZE;

	l->vmalloc_reserve = vmalloc_reserve;
	l->maxmem = (uint64_t)(l->vmalloc_end - l->page_offset) >= vmalloc_reserve
		? (uint64_t)(l->vmalloc_end - l->page_offset) - vmalloc_reserve
		: 0;
	/* MAX_ARCH_PFN: 4 GiB two-level, 64 GiB (36 bits) with PAE */
	l->max_arch_pfn = pae ? (1u << 24) : (1u << 20);
}

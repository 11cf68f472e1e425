/*
 * machine.c - boot a machine in the kernel's order, and the totals every
 * report needs.
 */
#include "machine.h"

#include <stdlib.h>
#include <string.h>

#include "page_alloc.h"
#include "pgtable.h"
#include "setup.h"

static int boot_steps(struct machine *m, struct mm_error *err)
{
	uint64_t reserve = VMALLOC_RESERVE_DEFAULT;
	vaddr_t fixaddr_top = 0xfffff000u;
	int rc;

	/* early parameters that move the top of the map */
	if (m->bp.has_vmalloc)
		reserve = m->bp.vmalloc + VMALLOC_OFFSET;
	if (m->bp.has_reservetop) {
		/* reserve_top_address(): round -N down to a PMD, minus a page */
		uint64_t pmd = m->config.pae ? (2u << 20) : (4u << 20);
		uint64_t top = (SZ_4G - m->bp.reservetop) & ~(pmd - 1);

		fixaddr_top = (vaddr_t)(top - PAGE_SIZE);
	}
	layout_top(&m->layout, m->config.pae, m->config.vmsplit, fixaddr_top,
		   reserve);

	setup_e820(m);
	if ((rc = setup_layout(m, err)) || (rc = setup_memblock(m, err)))
		return rc;
	kernel_pagetable_early(m);
	setup_log_buf(m);
	reserve_initrd(m);
	initmem_init(m);
	kernel_pagetable_pkmap(m);
	if ((rc = free_area_init(m, err)))
		return rc;
	e820_reserve_resources(m);	/* setup_arch()'s last e820 lines */
	setup_per_cpu_areas(m);
	build_all_zonelists(m);
	vfs_caches_init_early(m);
	kernel_pagetable_cea(m);
	report_meminit(m);	/* mm_init(), before mem_init() */
	mem_init(m);
	kmem_cache_init(m);	/* mm_core_init(): right after mem_init */
	vmalloc_init(&m->vmalloc);
	/* start_kernel(): the per-CPU lists take their sizes before
	 * rest_init() runs the initcalls */
	setup_per_cpu_pageset(&m->pgdat);
	if ((rc = late_initcalls(m, err)))
		return rc;
	return kernel_pagetable_late(m, err);
}

int machine_boot(const struct machine_config *c, struct machine **out,
		 struct mm_error *err)
{
	struct machine *m;
	int rc;

	*out = NULL;
	if ((rc = machine_config_validate(c, err)))
		return rc;
	m = xcalloc(1, sizeof(*m));
	m->config = *c;
	bootparams_parse(c->cmdline, &m->bp, NULL);
	m->image = kernel_image_for(c->pae);
	memblock_init(&m->memblock);
	physmem_init(&m->mem);
	kmap_state_init(&m->kmap);
	slab_state_init(&m->slab);
	mm_state_init(&m->procs);
	if ((rc = boot_steps(m, err))) {
		machine_free(m);
		return rc;
	}
	*out = m;
	return MM_OK;
}

void machine_free(struct machine *m)
{
	if (!m)
		return;
	mm_state_free(&m->procs);
	vmalloc_state_free(&m->vmalloc);
	slab_state_free(&m->slab);
	pglist_free(&m->pgdat);
	physmem_free(&m->mem);
	memblock_free_tables(&m->memblock);
	sb_free(&m->log);
	free(m);
}

/* Sum managed or free pages over all zones, or over the highmem ones. */
static uint32_t zone_sum(const struct machine *m, bool managed, bool high)
{
	uint32_t n = 0;

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		const struct zone *z = &m->pgdat.node_zones[j];

		if (high && !zone_is_highmem(&m->pgdat, j))
			continue;
		n += managed ? z->managed_pages : z->nr_free_pages;
	}
	return n;
}

uint32_t machine_totalram_pages(const struct machine *m)
{
	return zone_sum(m, true, false);
}

uint32_t machine_totalhigh_pages(const struct machine *m)
{
	return zone_sum(m, true, true);
}

uint32_t machine_free_pages(const struct machine *m)
{
	return zone_sum(m, false, false);
}

uint32_t machine_freehigh_pages(const struct machine *m)
{
	return zone_sum(m, false, true);
}

uint64_t machine_changes(const struct machine *m)
{
	return m->pgdat.changes + m->mem.changes + m->slab.changes;
}

size_t machine_host_bytes(const struct machine *m)
{
	size_t n = sizeof(*m) + m->log.cap + physmem_bytes(&m->mem) +
		   vmalloc_host_bytes(&m->vmalloc) +
		   slab_host_bytes(&m->slab) + mm_host_bytes(&m->procs);

	n += pfnmap_bytes(&m->pgdat.free_blocks);
	n += pfnmap_bytes(&m->pgdat.alloc_blocks);
	n += pfnmap_bytes(&m->pgdat.pcp_pages);
	n += m->pgdat.nr_ranges * sizeof(*m->pgdat.ranges);
	n += (m->memblock.memory.max + m->memblock.reserved.max) *
	     sizeof(struct memblock_region);
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		const struct zone *z = &m->pgdat.node_zones[j];
		pfn_t base = ALIGN_DOWN(z->zone_start_pfn,
					1u << m->pgdat.pageblock_order);

		if (z->spanned_pages)
			n += ((z->zone_start_pfn + z->spanned_pages - base) >>
			      m->pgdat.pageblock_order) + 1;
	}
	return n;
}

/*
 * procfs.c - the reports, byte for byte in 6.1's formats (fs/proc/
 * meminfo.c, mm/vmstat.c, kernel/resource.c).  Counters the model does
 * not simulate yet (page cache, stacks...) print as 0.
 */
#include "procfs.h"

#include <string.h>

#include "page_alloc.h"
#include "pgtable.h"

void proc_dmesg(const struct machine *m, struct strbuf *out)
{
	const char *p = m->log.buf ? m->log.buf : "";

	/* no clock in the model: every line is stamped at boot time 0 */
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		sb_printf(out, "[    0.000000] %.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
}

void proc_cmdline(const struct machine *m, struct strbuf *out)
{
	sb_printf(out, "%s\n", m->config.cmdline);
}

/* --- meminfo ------------------------------------------------------------------ */

void si_meminfo(const struct machine *m, struct meminfo *mi)
{
	int64_t avail;

	memset(mi, 0, sizeof(*mi));
	mi->totalram = machine_totalram_pages(m);
	mi->freeram = machine_free_pages(m);
	mi->totalhigh = machine_totalhigh_pages(m);
	mi->freehigh = machine_freehigh_pages(m);
	mi->slab_reclaimable = m->slab.reclaimable_pages;
	mi->slab_unreclaimable = m->slab.unreclaimable_pages;
	/* si_mem_available(): free minus the reserves, plus the part of
	 * reclaimable slab above half of it or the low watermarks, whichever
	 * is smaller; no page cache yet */
	avail = (int64_t)mi->freeram - m->pgdat.totalreserve_pages;
	{
		uint32_t wmark_low = 0, recl = mi->slab_reclaimable;

		for (int j = 0; j < MAX_NR_ZONES; j++)
			wmark_low += m->pgdat.node_zones[j].watermark[WMARK_LOW];
		avail += recl - MIN(recl / 2, wmark_low);
	}
	mi->available = avail > 0 ? (uint32_t)avail : 0;
	/* vm_commit_limit(): overcommit_ratio 50, no swap, no hugetlb */
	mi->commit_limit = mi->totalram * 50 / 100;
	mi->vmalloc_total_kb = (m->layout.vmalloc_end -
				m->layout.vmalloc_start) >> 10;
	mi->percpu_pages = m->percpu_pages;
	mi->hugepagesize_kb = m->config.pae ? 2048 : 4096;
}

static void kb(struct strbuf *out, const char *label, uint64_t pages)
{
	sb_printf(out, "%-16s%8llu kB\n", label,
		  (unsigned long long)(pages * 4));
}

void proc_meminfo(const struct machine *m, struct strbuf *out)
{
	static const char *const zero_block1[] = {
		"SwapCached:", "Active:", "Inactive:",
		"Active(anon):", "Inactive(anon):", "Active(file):",
		"Inactive(file):", "Unevictable:", "Mlocked:",
	};
	static const char *const zero_block2[] = {
		"SwapTotal:", "SwapFree:", "Zswap:", "Zswapped:", "Dirty:",
		"Writeback:",
	};
	static const char *const zero_block2b[] = {
		"SecPageTables:",
		"NFS_Unstable:", "Bounce:", "WritebackTmp:",
	};
	static const char *const zero_block3[] = {
		"HardwareCorrupted:", "AnonHugePages:", "ShmemHugePages:",
		"ShmemPmdMapped:", "FileHugePages:", "FilePmdMapped:",
	};
	struct meminfo mi;
	uint32_t small, large;

	si_meminfo(m, &mi);
	kb(out, "MemTotal:", mi.totalram);
	kb(out, "MemFree:", mi.freeram);
	kb(out, "MemAvailable:", mi.available);
	kb(out, "Buffers:", 0);
	/* Cached: NR_FILE_PAGES, which counts every shmem page (rootfs's
	 * and processes' shared anonymous ones); no other page cache here */
	kb(out, "Cached:", m->procs.nr_shmem_pages + m->rootfs_pages);
	for (size_t i = 0; i < ARRAY_SIZE(zero_block1); i++)
		kb(out, zero_block1[i], 0);
	kb(out, "HighTotal:", mi.totalhigh);
	kb(out, "HighFree:", mi.freehigh);
	kb(out, "LowTotal:", mi.totalram - mi.totalhigh);
	kb(out, "LowFree:", mi.freeram - mi.freehigh);
	for (size_t i = 0; i < ARRAY_SIZE(zero_block2); i++)
		kb(out, zero_block2[i], 0);
	kb(out, "AnonPages:", m->procs.nr_anon_pages);
	kb(out, "Mapped:", 0);
	kb(out, "Shmem:", m->procs.nr_shmem_pages + m->rootfs_pages);
	/* KReclaimable adds NR_KERNEL_MISC_RECLAIMABLE, 0 here */
	kb(out, "KReclaimable:", mi.slab_reclaimable);
	kb(out, "Slab:", mi.slab_reclaimable + mi.slab_unreclaimable);
	kb(out, "SReclaimable:", mi.slab_reclaimable);
	kb(out, "SUnreclaim:", mi.slab_unreclaimable);
	kb(out, "KernelStack:", m->kernel_stack_pages);
	kb(out, "PageTables:", m->procs.nr_pgtable_pages);
	for (size_t i = 0; i < ARRAY_SIZE(zero_block2b); i++)
		kb(out, zero_block2b[i], 0);
	kb(out, "CommitLimit:", mi.commit_limit);
	kb(out, "Committed_AS:", 0);
	sb_printf(out, "%-16s%8u kB\n", "VmallocTotal:", mi.vmalloc_total_kb);
	/* vmalloc_nr_pages(): pages of vmalloc areas, not vmap/ioremap */
	kb(out, "VmallocUsed:", vmalloc_nr_pages(&m->vmalloc));
	kb(out, "VmallocChunk:", 0);
	kb(out, "Percpu:", mi.percpu_pages);
	for (size_t i = 0; i < ARRAY_SIZE(zero_block3); i++)
		sb_printf(out, "%s%*s kB\n", zero_block3[i],
			  (int)(24 - strlen(zero_block3[i])), "0");
	sb_puts(out, "HugePages_Total:       0\n"
		     "HugePages_Free:        0\n"
		     "HugePages_Rsvd:        0\n"
		     "HugePages_Surp:        0\n");
	sb_printf(out, "Hugepagesize:   %8u kB\n", mi.hugepagesize_kb);
	sb_puts(out, "Hugetlb:               0 kB\n");
	direct_map_counts(m, &small, &large);
	kb(out, "DirectMap4k:", small);
	kb(out, m->config.pae ? "DirectMap2M:" : "DirectMap4M:",
	   (uint64_t)large * (m->layout.pmd_size / PAGE_SIZE));
}

/* --- zoneinfo -------------------------------------------------------------- */

static const char *const node_stat_names[] = {
	"nr_inactive_anon", "nr_active_anon", "nr_inactive_file",
	"nr_active_file", "nr_unevictable", "nr_slab_reclaimable",
	"nr_slab_unreclaimable", "nr_isolated_anon", "nr_isolated_file",
	"workingset_nodes", "workingset_refault_anon",
	"workingset_refault_file", "workingset_activate_anon",
	"workingset_activate_file", "workingset_restore_anon",
	"workingset_restore_file", "workingset_nodereclaim", "nr_anon_pages",
	"nr_mapped", "nr_file_pages", "nr_dirty", "nr_writeback",
	"nr_writeback_temp", "nr_shmem", "nr_shmem_hugepages",
	"nr_shmem_pmdmapped", "nr_file_hugepages", "nr_file_pmdmapped",
	"nr_anon_transparent_hugepages", "nr_vmscan_write",
	"nr_vmscan_immediate_reclaim", "nr_dirtied", "nr_written",
	"nr_throttled_written", "nr_kernel_misc_reclaimable",
	"nr_foll_pin_acquired", "nr_foll_pin_released", "nr_kernel_stack",
	"nr_page_table_pages", "nr_sec_page_table_pages", "nr_swapcached",
};

static const char *const zone_stat_names[] = {
	"nr_zone_inactive_anon", "nr_zone_active_anon",
	"nr_zone_inactive_file", "nr_zone_active_file",
	"nr_zone_unevictable", "nr_zone_write_pending", "nr_mlock",
	"nr_bounce", "nr_zspages", "nr_free_cma",
};

/* calculate_normal_threshold(): the per-cpu vmstat drift allowance */
static int stat_threshold(const struct zone *z, unsigned cpus)
{
	uint32_t mem = z->managed_pages >> (27 - PAGE_SHIFT);
	int fls_cpus = 0, fls_mem = 0, t;

	while (cpus >> fls_cpus)
		fls_cpus++;
	while (mem >> fls_mem)
		fls_mem++;
	t = 2 * fls_cpus * (1 + fls_mem);
	return t > 125 ? 125 : t;
}

static void zoneinfo_zone(const struct machine *m, int j, bool first,
			  struct strbuf *out)
{
	const struct zone *z = &m->pgdat.node_zones[j];

	sb_printf(out, "Node 0, zone %8s", zone_name(j));
	if (first) {
		sb_puts(out, "\n  per-node stats");
		for (size_t i = 0; i < ARRAY_SIZE(node_stat_names); i++) {
			const char *name = node_stat_names[i];
			uint32_t v = 0;

			/* NR_SLAB_*_B print in pages */
			if (!strcmp(name, "nr_slab_reclaimable"))
				v = m->slab.reclaimable_pages;
			else if (!strcmp(name, "nr_slab_unreclaimable"))
				v = m->slab.unreclaimable_pages;
			else if (!strcmp(name, "nr_kernel_stack"))	/* kB */
				v = m->kernel_stack_pages * (PAGE_SIZE / 1024);
			sb_printf(out, "\n      %-12s %u", name, v);
		}
	}
	sb_printf(out, "\n  pages free     %u\n        boost    0"
		  "\n        min      %u\n        low      %u"
		  "\n        high     %u\n        spanned  %u"
		  "\n        present  %u\n        managed  %u"
		  "\n        cma      0\n        protection: (%u",
		  z->nr_free_pages, z->watermark[WMARK_MIN],
		  z->watermark[WMARK_LOW], z->watermark[WMARK_HIGH],
		  z->spanned_pages, z->present_pages, z->managed_pages,
		  z->lowmem_reserve[0]);
	for (int i = 1; i < MAX_NR_ZONES; i++)
		sb_printf(out, ", %u", z->lowmem_reserve[i]);
	sb_puts(out, ")");
	if (!populated_zone(z)) {
		sb_puts(out, "\n");
		return;
	}
	sb_printf(out, "\n      %-12s %u", "nr_free_pages", z->nr_free_pages);
	for (size_t i = 0; i < ARRAY_SIZE(zone_stat_names); i++)
		sb_printf(out, "\n      %-12s %u", zone_stat_names[i], 0u);
	sb_puts(out, "\n  pagesets");
	for (unsigned cpu = 0; cpu < m->config.cpus; cpu++)
		sb_printf(out, "\n    cpu: %u\n              count: %u"
			  "\n              high:  %u\n              batch: %u"
			  "\n  vm stats threshold: %d", cpu, z->pcp[cpu].count,
			  z->pcp_high, z->pcp_batch,
			  stat_threshold(z, m->config.cpus));
	sb_printf(out, "\n  node_unreclaimable:  0\n  start_pfn:           %u\n",
		  z->zone_start_pfn);
}

void proc_zoneinfo(const struct machine *m, struct strbuf *out)
{
	bool first = true;

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		/* the node's counters ride with its first populated zone */
		bool print_node = first && populated_zone(&m->pgdat.node_zones[j]);

		zoneinfo_zone(m, j, print_node, out);
		if (print_node)
			first = false;
	}
}

/* --- buddyinfo and pagetypeinfo ----------------------------------------------- */

uint32_t zone_free_count(const struct zone *z, unsigned order, int mt)
{
	return z->free_area[order].nr[mt];
}

void proc_buddyinfo(const struct machine *m, struct strbuf *out)
{
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		const struct zone *z = &m->pgdat.node_zones[j];

		if (!populated_zone(z))
			continue;
		sb_printf(out, "Node 0, zone %8s ", zone_name(j));
		for (unsigned o = 0; o < MAX_ORDER; o++)
			sb_printf(out, "%6u ", z->free_area[o].nr_free);
		sb_puts(out, "\n");
	}
}

void zone_pageblock_counts(const struct pglist_data *pgdat, int zone,
			   uint32_t counts[MIGRATE_TYPES])
{
	const struct zone *z = &pgdat->node_zones[zone];
	uint32_t step = 1u << pgdat->pageblock_order;
	pfn_t base = ALIGN_DOWN(z->zone_start_pfn, step);

	memset(counts, 0, sizeof(uint32_t) * MIGRATE_TYPES);
	/* like the kernel, step from the zone's first pfn, aligned or not */
	for (pfn_t pfn = z->zone_start_pfn;
	     pfn < z->zone_start_pfn + z->spanned_pages; pfn += step)
		counts[z->pageblock_mt[(pfn - base) >> pgdat->pageblock_order]]++;
}

void proc_pagetypeinfo(const struct machine *m, struct strbuf *out)
{
	const struct pglist_data *pgdat = &m->pgdat;

	sb_printf(out, "Page block order: %u\nPages per block:  %u\n\n",
		  pgdat->pageblock_order, 1u << pgdat->pageblock_order);
	sb_printf(out, "%-43s ", "Free pages count per migrate type at order");
	for (unsigned o = 0; o < MAX_ORDER; o++)
		sb_printf(out, "%6u ", o);
	sb_puts(out, "\n");
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		const struct zone *z = &pgdat->node_zones[j];

		if (!populated_zone(z))
			continue;
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			sb_printf(out, "Node %4d, zone %8s, type %12s ", 0,
				  zone_name(j), migratetype_name(mt));
			for (unsigned o = 0; o < MAX_ORDER; o++) {
				uint32_t n = zone_free_count(z, o, mt);

				/* the kernel stops counting a list at 100000 */
				if (n >= 100000)
					sb_puts(out, ">100000 ");
				else
					sb_printf(out, "%6u ", n);
			}
			sb_puts(out, "\n");
		}
	}
	sb_printf(out, "\n%-23s", "Number of blocks type ");
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		sb_printf(out, "%12s ", migratetype_name(mt));
	sb_puts(out, "\n");
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		uint32_t counts[MIGRATE_TYPES];

		if (!populated_zone(&pgdat->node_zones[j]))
			continue;
		zone_pageblock_counts(pgdat, j, counts);
		sb_printf(out, "Node 0, zone %8s ", zone_name(j));
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			sb_printf(out, "%12u ", counts[mt]);
		sb_puts(out, "\n");
	}
}

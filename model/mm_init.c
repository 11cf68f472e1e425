/*
 * mm_init.c - from zones to a running buddy allocator, as 6.1 boots:
 * free_area_init(), the per-cpu first chunk, the zonelists, the early
 * hash tables, mem_init() and the initcalls that set the watermarks and
 * free the kernel's init sections.
 */
#include "boot_hash.h"
#include "page_alloc.h"
#include "setup.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DMA_PFN		(SZ_16M >> PAGE_SHIFT)
#define SIZEOF_STRUCT_PAGE	40	/* Debian's i386 build, both flavours */
#define SMP_CACHE_BYTES		64
#define PCPU_PAGES		33	/* "Embedded 33 pages/cpu" */
#define PCPU_META_PAGES		2	/* chunk maps and group tables */

static void log_zone_ranges(struct machine *m, const pfn_t lo[], const pfn_t hi[])
{
	sb_puts(&m->log, "Zone ranges:\n");
	for (int i = 0; i < ZONE_MOVABLE; i++) {
		sb_printf(&m->log, "  %-8s ", zone_name(i));
		if (lo[i] == hi[i])
			sb_puts(&m->log, "empty\n");
		else
			sb_printf(&m->log, "[mem 0x%016llx-0x%016llx]\n",
				  (unsigned long long)PFN_PHYS(lo[i]),
				  (unsigned long long)PFN_PHYS(hi[i]) - 1);
	}
	sb_puts(&m->log, "Movable zone start for each node\n");
	sb_puts(&m->log, "Early memory node ranges\n");
	for (uint32_t r = 0; r < m->pgdat.nr_ranges; r++)
		sb_printf(&m->log, "  node   0: [mem 0x%016llx-0x%016llx]\n",
			  (unsigned long long)PFN_PHYS(m->pgdat.ranges[r].start),
			  (unsigned long long)PFN_PHYS(m->pgdat.ranges[r].end) - 1);
	sb_printf(&m->log, "Initmem setup node 0 [mem 0x%016llx-0x%016llx]\n",
		  (unsigned long long)PFN_PHYS(m->pgdat.node_start_pfn),
		  (unsigned long long)PFN_PHYS(m->pgdat.node_end_pfn) - 1);
}

static void copy_ram_ranges(struct machine *m)
{
	const struct memblock_type *mem = &m->memblock.memory;
	struct pglist_data *pgdat = &m->pgdat;

	pgdat->ranges = xcalloc(mem->cnt, sizeof(*pgdat->ranges));
	for (uint32_t i = 0; i < mem->cnt; i++) {
		pgdat->ranges[i].start = PFN_UP(mem->regions[i].base);
		pgdat->ranges[i].end = PFN_DOWN(mem->regions[i].base +
						 mem->regions[i].size);
	}
	pgdat->nr_ranges = mem->cnt;
	pgdat->node_start_pfn = pgdat->ranges[0].start;
	pgdat->node_end_pfn = pgdat->ranges[mem->cnt - 1].end;
}

static uint32_t ram_pages_in(const struct pglist_data *pgdat, pfn_t s, pfn_t e)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < pgdat->nr_ranges; i++) {
		pfn_t a = MAX(s, pgdat->ranges[i].start);
		pfn_t b = MIN(e, pgdat->ranges[i].end);

		if (a < b)
			n += b - a;
	}
	return n;
}

/* free_area_init_core(): what each zone's memmap costs, and the first
 * estimate of managed pages that the zonelists and hash tables use. */
static void zone_estimates(struct machine *m)
{
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = &m->pgdat.node_zones[j];
		uint32_t memmap = (uint32_t)(ALIGN_UP((uint64_t)z->spanned_pages *
			SIZEOF_STRUCT_PAGE, PAGE_SIZE) >> PAGE_SHIFT);
		uint32_t freesize = z->present_pages;

		if (!is_highmem_idx(j)) {
			if (freesize >= memmap)
				freesize -= memmap;
			m->nr_kernel_pages += freesize;
		} else if (m->nr_kernel_pages > memmap * 2) {
			/* charge highmem's memmap to lowmem */
			m->nr_kernel_pages -= memmap;
		}
		m->nr_all_pages += freesize;
		z->managed_pages = freesize;
	}
}

static void log_unavailable_pages(struct machine *m, int zone, uint32_t n)
{
	if (n)
		sb_printf(&m->log, "On node 0, zone %s: %u pages in unavailable "
			  "ranges\n", zone_name(zone), n);
}

/*
 * memmap_init(): report the holes below and between RAM ranges, zone by
 * zone, the way init_unavailable_range() does; then the tail from the
 * last zone's end to the end of memblock's RAM (highmem= leaves RAM past
 * max_pfn), charged to the highest populated zone.  A pfn there counts
 * while its pageblock starts below max_mapnr (pfn_valid of FLATMEM), so
 * the rest of a pageblock the zones end inside.
 */
static void log_unavailable(struct machine *m)
{
	const struct pglist_data *pgdat = &m->pgdat;
	pfn_t hole = 0, end = pgdat->ranges[pgdat->nr_ranges - 1].end;
	pfn_t pageblock = 1u << (m->layout.pae ? 9 : 10);
	pfn_t valid_end = ALIGN_UP(m->layout.max_pfn, pageblock);
	int last = 0;

	for (uint32_t r = 0; r < pgdat->nr_ranges; r++) {
		for (int j = 0; j < MAX_NR_ZONES; j++) {
			const struct zone *z = &pgdat->node_zones[j];
			pfn_t zs = z->zone_start_pfn;
			pfn_t ze = zs + z->spanned_pages;
			pfn_t s = MIN(MAX(pgdat->ranges[r].start, zs), ze);
			pfn_t e = MIN(MAX(pgdat->ranges[r].end, zs), ze);

			if (!z->present_pages)
				continue;
			last = j;
			if (s >= e)
				continue;
			if (hole < s)
				log_unavailable_pages(m, j, s - hole);
			hole = e;
		}
	}
	if (hole < MIN(end, valid_end))
		log_unavailable_pages(m, last, MIN(end, valid_end) - hole);
}

static void size_zones(struct machine *m, const pfn_t lo[], const pfn_t hi[])
{
	struct pglist_data *pgdat = &m->pgdat;

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = &pgdat->node_zones[j];
		pfn_t s = MIN(MAX(pgdat->node_start_pfn, lo[j]), hi[j]);
		pfn_t e = MIN(MAX(pgdat->node_end_pfn, lo[j]), hi[j]);

		z->idx = (enum zone_type)j;
		z->spanned_pages = e - s;
		z->zone_start_pfn = e > s ? s : 0;
		z->present_pages = ram_pages_in(pgdat, s, e);
	}
}

int free_area_init(struct machine *m, struct mm_error *err)
{
	struct layout *l = &m->layout;
	struct pglist_data *pgdat = &m->pgdat;
	pfn_t max_zone[MAX_NR_ZONES] = {
		MIN(MAX_DMA_PFN, l->max_low_pfn), l->max_low_pfn, l->max_pfn, 0
	};
	pfn_t lo[MAX_NR_ZONES] = { 0 }, hi[MAX_NR_ZONES] = { 0 }, start;
	uint64_t map_size, spanned = 0;

	copy_ram_ranges(m);
	start = pgdat->node_start_pfn;
	for (int i = 0; i < ZONE_MOVABLE; i++) {
		pfn_t end = MAX(max_zone[i], start);

		lo[i] = start;
		hi[i] = end;
		start = end;
	}
	log_zone_ranges(m, lo, hi);
	size_zones(m, lo, hi);

	/* alloc_node_mem_map(), FLATMEM: one struct page per frame the
	 * zones span (to max_pfn, not to memblock's end when highmem= cut
	 * the zones short), in 4 MiB steps, from the top of lowmem */
	for (int j = 0; j < MAX_NR_ZONES; j++)
		spanned += pgdat->node_zones[j].spanned_pages;
	map_size = (uint64_t)(ALIGN_UP(pgdat->node_start_pfn + spanned,
				       MAX_ORDER_NR_PAGES) -
		ALIGN_DOWN(pgdat->node_start_pfn, MAX_ORDER_NR_PAGES)) *
		SIZEOF_STRUCT_PAGE;
	if (!memblock_alloc_range(&m->memblock, map_size, SMP_CACHE_BYTES, 0,
				  ~0ull, "mem_map (struct page array)"))
		return mm_fail(err, MM_EIMPOSSIBLE, "unbootable", "ram",
			"no room in lowmem for mem_map (%llu KiB of struct "
			"page): give the machine more lowmem",
			(unsigned long long)(map_size >> 10));
	log_unavailable(m);
	zone_estimates(m);

	pgdat->pageblock_order = l->pae ? 9 : 10;
	pgdat->nr_cpus = m->config.cpus;
	/* ZONE_MOVABLE would borrow from the highest populated zone */
	pgdat->movable_zone = pgdat->node_zones[ZONE_HIGHMEM].present_pages
		? ZONE_HIGHMEM : ZONE_NORMAL;
	pglist_init(pgdat);
	return MM_OK;
}

/*
 * pcpu_dump_alloc_info(): the first chunk's geometry, then each CPU's
 * unit as "[group] cpu", so many to a line that a line stays under 60
 * columns (a power of two of them).  i386 allocates in pages (atom_size
 * PAGE_SIZE) and a unit is a whole number of pages, so every allocation
 * holds one unit, and all CPUs are in group 0 (no NUMA).
 */
static void pcpu_dump_alloc_info(struct machine *m)
{
	const struct kernel_image *k = m->image;
	unsigned n = m->config.cpus, cpu_width = 1, width, apl = 1;

	for (unsigned v = n; v /= 10;)
		cpu_width++;
	width = 1 * (cpu_width + 1) + 1 + 3;	/* one unit, group width 1 */
	while (apl * 2 <= MAX(60 / width, 1u))
		apl *= 2;
	sb_printf(&m->log, "pcpu-alloc: s%u r%u d%u u%u alloc=%u*%u",
		  k->pcpu_static, k->pcpu_reserved, k->pcpu_dynamic,
		  k->pcpu_unit, k->pcpu_unit / PAGE_SIZE, PAGE_SIZE);
	for (unsigned cpu = 0; cpu < n; cpu++) {
		if (!(cpu % apl))
			sb_puts(&m->log, "\npcpu-alloc: ");
		sb_printf(&m->log, "[0] %0*u ", (int)cpu_width, cpu);
	}
	sb_puts(&m->log, "\n");
}

void setup_per_cpu_areas(struct machine *m)
{
	const struct kernel_image *k = m->image;
	unsigned n = m->config.cpus;

	sb_printf(&m->log, "setup_percpu: NR_CPUS:%d nr_cpumask_bits:%u "
		  "nr_cpu_ids:%u nr_node_ids:1\n", NR_CPUS, n, n);
	m->percpu_base = memblock_alloc_range(&m->memblock,
			(phys_addr_t)PCPU_PAGES * n * PAGE_SIZE, PAGE_SIZE,
			SZ_16M, ~0ull, "percpu first chunk");
	memblock_alloc_range(&m->memblock, PCPU_META_PAGES * PAGE_SIZE,
			     SMP_CACHE_BYTES, 0, ~0ull, "percpu chunk maps");
	m->percpu_pages = PCPU_PAGES * n;
	sb_printf(&m->log, "percpu: Embedded %d pages/cpu s%u r%u d%u u%u\n",
		  PCPU_PAGES, k->pcpu_static, k->pcpu_reserved,
		  k->pcpu_dynamic, k->pcpu_unit);
	pcpu_dump_alloc_info(m);
}

void build_all_zonelists(struct machine *m)
{
	uint32_t total = 0;

	/* watermarks are still 0: every managed page counts */
	for (int j = 0; j < MAX_NR_ZONES; j++)
		total += m->pgdat.node_zones[j].managed_pages;
	m->vm_total_pages = total;
	m->mobility_grouping =
		total >= (1u << m->pgdat.pageblock_order) * MIGRATE_TYPES;
	sb_printf(&m->log, "Built 1 zonelists, mobility grouping %s.  Total "
		  "pages: %u\n", m->mobility_grouping ? "on" : "off", total);
	sb_printf(&m->log, "Kernel command line: %s\n", m->config.cmdline);
}

/* alloc_large_system_hash() with HASH_EARLY: boot_hash.c's sizing (one
 * bucket per 2^scale bytes of lowmem, a power of two, at most 1/16 of
 * memory; param= on the command line, read with simple_strtoul(), gives
 * the count instead), the table from memblock. */
static uint32_t large_system_hash(struct machine *m, const char *name,
				  const char *param, unsigned scale)
{
	struct hash_args a = { name, 4, 0, scale, true, 0, 0 };
	uint64_t n, size;
	unsigned log2 = 0;

	cmdline_ulong(m->config.cmdline, param, false, &a.numentries);
	n = boot_hash_entries(m, &a);
	size = n * a.bucketsize;
	while (size >> (log2 + 1))
		log2++;
	memblock_alloc_range(&m->memblock, size, SMP_CACHE_BYTES, 0, ~0ull,
			     name);
	sb_printf(&m->log, "%s hash table entries: %llu (order: %d, %llu "
		  "bytes, linear)\n", name, (unsigned long long)n,
		  (int)log2 - PAGE_SHIFT, (unsigned long long)size);
	return (uint32_t)n;
}

void vfs_caches_init_early(struct machine *m)
{
	m->dentry_hash_entries = large_system_hash(m, "Dentry cache",
						   "dhash_entries", 13);
	m->inode_hash_entries = large_system_hash(m, "Inode-cache",
						  "ihash_entries", 14);
}

/* --- handing memory to the buddy allocator -------------------------------- */

struct free_ctx {
	struct pglist_data *pgdat;
	pfn_t lo, hi;		/* only pfns inside [lo, hi) */
	bool highmem;		/* page by page, not memblock_free_all() */
};

/* Largest aligned blocks, in address order. */
static void free_pfn_range(const struct free_ctx *f, pfn_t s, pfn_t e)
{
	while (s < e) {
		unsigned order = MAX_ORDER - 1;

		while (order && ((s & ((1u << order) - 1)) ||
				 s + (1u << order) > e))
			order--;
		if (f->highmem)
			free_reserved_pages(f->pgdat, s, order);
		else
			__free_pages_core(f->pgdat, s, order);
		s += 1u << order;
	}
}

static void free_range_cb(void *ctx, phys_addr_t start, phys_addr_t end)
{
	struct free_ctx *f = ctx;
	pfn_t s = MAX(PFN_UP(start), f->lo);
	pfn_t e = MIN(PFN_DOWN(end), f->hi);

	if (s < e)
		free_pfn_range(f, s, e);
}

/*
 * set_highmem_pages_init() then memblock_free_all().  The kernel frees
 * highmem one page at a time (free_highmem_page(): ordinary frees, so a
 * completed 4 MiB block goes to the head of its list) and lowmem in the
 * largest aligned blocks queued at the tail.  So a fresh machine hands out
 * its lowest lowmem block first and its highest highmem block first.  The
 * model frees highmem block by block with the page-by-page placement rules,
 * which leaves exactly the lists the page-by-page walk leaves.
 */
void mem_init(struct machine *m)
{
	struct pglist_data *pgdat = &m->pgdat;
	struct free_ctx f = { pgdat, 0, 0, true };
	const struct kernel_image *k = m->image;
	uint32_t physpages = 0, freepages, high;

	pci_iommu_alloc(m);
	for (int j = 0; j < MAX_NR_ZONES; j++)
		pgdat->node_zones[j].managed_pages = 0;
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = &pgdat->node_zones[j];

		if (!zone_is_highmem(pgdat, j))
			continue;
		sb_printf(&m->log, "Initializing %s for node 0 (%08x:%08x)\n",
			  zone_name(j), z->zone_start_pfn,
			  z->zone_start_pfn + z->spanned_pages);
		f.lo = z->zone_start_pfn;
		f.hi = z->zone_start_pfn + z->spanned_pages;
		memblock_for_each_free(&m->memblock, free_range_cb, &f);
	}
	f.lo = 0;
	f.hi = m->layout.max_low_pfn;
	f.highmem = false;
	memblock_for_each_free(&m->memblock, free_range_cb, &f);

	sb_puts(&m->log, "Checking if this processor honours the WP bit even "
		"in supervisor mode...Ok.\n");
	for (int j = 0; j < MAX_NR_ZONES; j++)
		physpages += pgdat->node_zones[j].present_pages;
	freepages = machine_free_pages(m);
	high = machine_totalhigh_pages(m);
	sb_printf(&m->log, "Memory: %uK/%uK available (%lluK kernel code, "
		  "%lluK rwdata, %lluK rodata, %lluK init, %lluK bss, %uK "
		  "reserved, 0K cma-reserved, %uK highmem)\n",
		  freepages * 4, physpages * 4,
		  (unsigned long long)((k->etext - k->text) >> 10),
		  (unsigned long long)((k->edata - k->sdata) >> 10),
		  (unsigned long long)((k->end_rodata - k->start_rodata) >> 10),
		  (unsigned long long)((k->init_end - k->init_begin) >> 10),
		  (unsigned long long)((k->bss_stop - k->bss_start) >> 10),
		  (physpages - machine_totalram_pages(m)) * 4, high * 4);
}

/* free_init_pages(): a reserved kernel range goes back page by page. */
static void free_kernel_range(struct machine *m, phys_addr_t s, phys_addr_t e,
			      const char *what)
{
	for (pfn_t pfn = PFN_UP(s); pfn < PFN_DOWN(e); pfn++)
		free_reserved_page(&m->pgdat, pfn);
	sb_printf(&m->log, "Freeing %s memory: %lluK\n", what,
		  (unsigned long long)((PFN_DOWN(e) - PFN_UP(s)) * 4));
}

int late_initcalls(struct machine *m, struct mm_error *err)
{
	int rc;
	const struct kernel_image *k = m->image;
	struct pglist_data *pgdat = &m->pgdat;
	const char *huge = m->config.pae ? "2.00" : "4.00";

	sb_printf(&m->log, "SLUB: HWalign=32, Order=0-3, MinObjects=0, "
		  "CPUs=%u, Nodes=1\n", m->config.cpus);
	pti_init(m);	/* the end of mm_init() */
	if ((rc = ftrace_init(m, err)))	/* booted: the mcount records */
		return rc;
	/* alternatives patched: the lock-prefix table goes */
	free_kernel_range(m, k->smp_locks, k->smp_locks_end, "SMP alternatives");

	/* postcore: init_per_zone_wmark_min() */
	calculate_min_free_kbytes(pgdat);
	setup_per_zone_wmarks(pgdat);
	setup_per_zone_lowmem_reserve(pgdat);
	/* booted: vfs_caches_init()'s mount hashes and futex_init(), whose
	 * lines come before the subsys initcalls' */
	if ((rc = boot_hash_early(m, err)))
		return rc;

	/* subsys: hugetlb_init() and hugepage_init(); THP turns itself off
	 * below 512 MiB of RAM, else khugepaged raises min_free_kbytes */
	sb_printf(&m->log, "HugeTLB: registered %s MiB page size, "
		  "pre-allocated 0 pages\n", huge);
	sb_printf(&m->log, "HugeTLB: 0 KiB vmemmap can be freed for a %s MiB "
		  "page\n", huge);
	m->thp_enabled = machine_totalram_pages(m) >= (512u << 20) / PAGE_SIZE;
	if (m->thp_enabled)
		set_recommended_min_free_kbytes(pgdat);
	setup_zone_pagesets(pgdat);

	/* a booted machine: what the other initcalls leave (initcalls.c) */
	if ((rc = do_initcalls(m, err)))
		return rc;

	/* rootfs_initcall: populate_rootfs() unpacks and frees the initrd */
	if ((rc = populate_rootfs(m, err)))
		return rc;
	pci_iommu_init(m);
	workingset_init(m);	/* device_initcalls while the initrd unpacks */
	if (m->initrd_start) {
		free_kernel_range(m, m->initrd_start,
				  ALIGN_UP(m->initrd_end, (phys_addr_t)PAGE_SIZE),
				  "initrd");
		memblock_unreserve(&m->memblock, m->initrd_start);
	}
	if ((rc = init_emergency_pool(m, err)))	/* booted, with highmem */
		return rc;

	/* kernel_init(): the init sections go last */
	free_kernel_range(m, k->init_begin, k->init_end,
			  "unused kernel image (initmem)");
	memblock_unreserve(&m->memblock, k->text);
	memblock_reserve(&m->memblock, k->text, k->init_begin - k->text,
			 "kernel text, rodata, data");
	memblock_reserve(&m->memblock, k->bss_start, k->bss_stop - k->bss_start,
			 "kernel bss");
	return MM_OK;
}

/*
 * mmzone.h - the physical memory of one node: zones, their free areas,
 * watermarks and lowmem reserves (include/linux/mmzone.h, mm/page_alloc.c).
 *
 * The simulated PC has one node, as a real non-NUMA i386 box does.
 */
#ifndef MM_MMZONE_H
#define MM_MMZONE_H

#include "gfp.h"
#include "pfnmap.h"
#include "types.h"

enum zone_type {
	ZONE_DMA,
	ZONE_NORMAL,
	ZONE_HIGHMEM,
	ZONE_MOVABLE,
	MAX_NR_ZONES
};

/* Debian's 686 kernels have no CMA; MIGRATE_ISOLATE exists. */
enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_HIGHATOMIC,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};
#define MIGRATE_PCPTYPES 3

/*
 * Per-CPU page lists (struct per_cpu_pages, 6.1): one list per pcp
 * migratetype for each order up to PAGE_ALLOC_COSTLY_ORDER, plus one list
 * for the THP order (pageblock_order) that Debian's CONFIG_TRANSPARENT_HUGEPAGE
 * kernels have: 3 * 4 + 1 = 13.
 */
#define PAGE_ALLOC_COSTLY_ORDER	3
#define NR_LOWORDER_PCP_LISTS	(MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define NR_PCP_LISTS		(NR_LOWORDER_PCP_LISTS + 1)

struct per_cpu_pages {
	uint32_t count;			/* pages on all the lists */
	uint32_t free_factor;		/* frees since the last allocation */
	pfn_t head[NR_PCP_LISTS];	/* PFN_NONE when the list is empty */
	pfn_t tail[NR_PCP_LISTS];
};

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO, NR_WMARK };

/* What an allocated block is for; drives the web page's colours. */
enum page_owner {
	OWNER_NONE,		/* alloc_pages by the user of the model */
	OWNER_KERNEL,		/* boot-time kernel data */
	OWNER_PGTABLE,
	OWNER_SLAB,
	OWNER_VMALLOC,
	OWNER_USER,
	OWNER_PKMAP,
	OWNER_SHMEM,		/* rootfs (tmpfs) pages: the initramfs */
	OWNER_KSTACK,		/* a task's kernel stack (THREAD_SIZE) */
	NR_OWNERS
};

struct free_area {
	pfn_t head[MIGRATE_TYPES];	/* PFN_NONE when the list is empty */
	pfn_t tail[MIGRATE_TYPES];
	uint32_t nr[MIGRATE_TYPES];	/* blocks on each list */
	uint32_t nr_free;		/* blocks on all lists */
};

struct zone {
	enum zone_type idx;
	pfn_t zone_start_pfn;
	uint32_t spanned_pages;
	uint32_t present_pages;
	uint32_t managed_pages;
	uint32_t nr_free_pages;
	uint32_t watermark[NR_WMARK];
	uint32_t lowmem_reserve[MAX_NR_ZONES];
	/* per-cpu pageset sizing (zone_highsize/zone_batchsize), the same
	 * for every CPU; in force once pgdat->pcp_ready */
	uint32_t pcp_high;
	uint32_t pcp_batch;
	struct per_cpu_pages *pcp;	/* one per CPU (pgdat->nr_cpus) */
	struct free_area free_area[MAX_ORDER];
	uint8_t *pageblock_mt;		/* one migratetype per pageblock */
	/* pages in pageblocks set aside as MIGRATE_HIGHATOMIC for
	 * high-order atomic allocations (reserve_highatomic_pageblock) */
	uint32_t nr_reserved_highatomic;
};

struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	pfn_t node_start_pfn;
	pfn_t node_end_pfn;		/* exclusive */
	unsigned pageblock_order;	/* 10 two-level, 9 PAE */
	unsigned nr_cpus;		/* online CPUs: pcp sizing */
	int movable_zone;		/* the zone ZONE_MOVABLE would borrow from */
	struct pfnmap free_blocks;	/* head pfn -> free block */
	struct pfnmap alloc_blocks;	/* head pfn -> allocated block */
	/* pfn -> page (block) on a per-CPU list: order, zone, mt (the
	 * migratetype it goes back to the buddy with), owner (the CPU),
	 * owner_id (the list's index), prev/next (the list's links) */
	struct pfnmap pcp_pages;
	/* setup_per_cpu_pageset() has run: before it every zone uses the
	 * boot pageset (high 0, batch 1), which never keeps a page */
	bool pcp_ready;
	/* pfn ranges of RAM (memblock.memory), sorted: holes are not RAM */
	uint32_t nr_ranges;
	struct pfn_range { pfn_t start, end; } *ranges;
	uint32_t min_free_kbytes;
	uint32_t totalreserve_pages;
	/* bumped by every change to the lists, records and pageblocks: not
	 * state (no snapshot holds it), only how the api tells whether a
	 * refused operation moved anything (machine_changes()) */
	uint64_t changes;
};

static inline bool is_highmem_idx(int idx)
{
	return idx == ZONE_HIGHMEM;
}

/* HighMem, and Movable when it would borrow from HighMem (is_highmem()). */
bool zone_is_highmem(const struct pglist_data *pgdat, int idx);
const char *zone_name(int idx);
const char *migratetype_name(int mt);
bool populated_zone(const struct zone *z);

#endif

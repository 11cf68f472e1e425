/*
 * page_alloc.h - the buddy allocator of mm/page_alloc.c, 6.1.
 */
#ifndef MM_PAGE_ALLOC_H
#define MM_PAGE_ALLOC_H

#include "error.h"
#include "mmzone.h"

/* Boot: hand a naturally aligned block to the buddy allocator the way
 * memblock_free_all() does (__free_pages_core with FPI_TO_TAIL): merge
 * with free buddies, then queue at the tail of its free list. */
void __free_pages_core(struct pglist_data *pgdat, pfn_t pfn, unsigned order);
/* free_reserved_page(): a page the kernel kept since boot (an init
 * section) goes back like any freed page (__free_page: through this CPU's
 * per-CPU list once setup_per_cpu_pageset() ran, else the boot pageset
 * passes it straight on to the buddy lists, head or tail by
 * buddy_merge_likely, not FPI_TO_TAIL), and the zone manages one more
 * page.  x86-32's free_highmem_page() is the same, and
 * set_highmem_pages_init() frees all of highmem this way, one page at a
 * time, before memblock_free_all(). */
void free_reserved_page(struct pglist_data *pgdat, pfn_t pfn);
/* The same for a whole aligned block: what freeing its pages one by one
 * in ascending order leaves behind (each completed block lands where
 * buddy_merge_likely() puts it, which for order 10 is the head).  Only
 * before setup_per_cpu_pageset(), when the boot pageset keeps nothing. */
void free_reserved_pages(struct pglist_data *pgdat, pfn_t pfn,
			 unsigned order);

/* The zone a pfn lies in (by span), or -1. */
int pfn_to_zone(const struct pglist_data *pgdat, pfn_t pfn);
/* Whether pfn is RAM (inside one of pgdat->ranges). */
bool pfn_is_ram(const struct pglist_data *pgdat, pfn_t pfn);
/* get_pageblock_migratetype(): the type of the pageblock holding pfn, read
 * from pfn's zone's own pageblock array (FLATMEM keeps one per zone); -1
 * outside every zone. */
int get_pfnblock_migratetype(const struct pglist_data *pgdat, pfn_t pfn);
/* Entries of a spanned zone's pageblock_mt[] (from its first pageblock
 * boundary at or below zone_start_pfn to the zone's end). */
uint32_t zone_nr_pageblocks(const struct pglist_data *pgdat,
			    const struct zone *z);

/* Watermarks and reserves, in the order and with the formulas of 6.1. */
unsigned long nr_free_buffer_pages(const struct pglist_data *pgdat);
void calculate_min_free_kbytes(struct pglist_data *pgdat);
void setup_per_zone_wmarks(struct pglist_data *pgdat);
void setup_per_zone_lowmem_reserve(struct pglist_data *pgdat);
void calculate_totalreserve_pages(struct pglist_data *pgdat);
/* khugepaged's set_recommended_min_free_kbytes(), then the wmarks again. */
void set_recommended_min_free_kbytes(struct pglist_data *pgdat);
/* zone_batchsize()/zone_highsize() for every zone. */
void setup_zone_pagesets(struct pglist_data *pgdat);

/*
 * The stories are sized to hold their longest case whole, so none is cut
 * mid-word: a zone's verdict is at most five 10-digit numbers in about 60
 * bytes of words; the failure story is the mask's name (GFP_NAME_MAX),
 * one verdict per zone and a fixed tail.
 */
#define ALLOC_WHY_MAX		160
#define ALLOC_REASON_MAX	(GFP_NAME_MAX + MAX_NR_ZONES * \
				 (ALLOC_WHY_MAX + 16) + 384)

/*
 * What the per-CPU lists did for one alloc_pages or free_pages: the model
 * runs every operation on CPU 0 (it has no scheduler), so cpu is 0 when
 * the block went through the lists and -1 when it bypassed them (an
 * order pcp does not serve, or an isolated pageblock).
 */
struct pcp_event {
	int cpu;
	int list_mt;		/* the list's migratetype */
	uint32_t refilled;	/* blocks rmqueue_bulk took from the buddy */
	int stolen_from;	/* -1, or the type a refill fell back to */
	uint32_t drained;	/* pages free_pcppages_bulk gave back */
	bool kept;		/* a freed block is still on the list after */
	uint32_t count;		/* the CPU's pages on all lists, after */
	uint32_t high, batch;	/* the pageset's sizes at the time */
};

/* setup_per_cpu_pageset(): every zone's per-CPU lists take their sizes
 * (until then the boot pageset, high 0 and batch 1, keeps nothing). */
void setup_per_cpu_pageset(struct pglist_data *pgdat);
/* Per-CPU lists for pgdat->nr_cpus CPUs, empty, the boot pageset in
 * force (pglist_init); pcp_clear empties them again (a restore);
 * pcp_free gives their host memory back (pglist_free). */
void pcp_init(struct pglist_data *pgdat);
void pcp_clear(struct pglist_data *pgdat);
void pcp_free(struct pglist_data *pgdat);
/* drain_all_pages(): every CPU's lists back to the buddy allocator. */
void drain_all_pages(struct pglist_data *pgdat);
/* Pages on every CPU's lists of zone j (not in nr_free_pages). */
uint32_t zone_pcp_pages(const struct pglist_data *pgdat, int j);

/* One zone the allocator looked at, and what it found. */
struct alloc_attempt {
	int zone;
	int pass;		/* 0 fast path (low wmark), 1 slow path (min),
				 * 2 __GFP_MEMALLOC (ALLOC_NO_WATERMARKS) */
	int wmark;		/* enum zone_watermarks checked */
	uint32_t free_pages;
	uint32_t mark;		/* the watermark after ALLOC_HIGH/HARDER cuts */
	uint32_t reserve;	/* lowmem_reserve[highest zone of the request] */
	bool ok;		/* watermark passed and a block was taken */
	char why[ALLOC_WHY_MAX];	/* "free 812 <= min 1025 + reserve 0", "took 0x2001" */
};

struct page_alloc_result {
	bool ok;
	pfn_t pfn;
	unsigned order;
	int zone;
	int migratetype;	/* the list the block was asked for */
	int stolen_from;	/* -1, or the migratetype it fell back to */
	struct pcp_event pcp;	/* the per-CPU list of the zone it came from */
	unsigned nr_attempts;
	struct alloc_attempt attempts[3 * MAX_NR_ZONES];
	char reason[ALLOC_REASON_MAX];	/* on failure: the out-of-memory story */
};

/*
 * alloc_pages(gfp, order): MM_OK with res->ok true and the block, or MM_OK
 * with res->ok false when no zone can give it (out of memory is a result,
 * not an error).  MM_EINVAL for order > 10 or an impossible gfp mask.
 */
int alloc_pages(struct pglist_data *pgdat, gfp_t gfp, unsigned order,
		enum page_owner owner, uint32_t owner_id,
		struct page_alloc_result *res, struct mm_error *err);

/*
 * alloc_pages_quiet(): alloc_pages() that leaves the taking zone's why
 * empty (the refused zones' stories and the failure reason are written
 * as ever): for the model's own callers, which show only a failure.  The
 * story's printf was two fifths of a boot's time.
 */
int alloc_pages_quiet(struct pglist_data *pgdat, gfp_t gfp, unsigned order,
		      enum page_owner owner, uint32_t owner_id,
		      struct page_alloc_result *res, struct mm_error *err);

/* free_pages(pfn, order): every misuse is an error and changes nothing.
 * ev (may be NULL) says what the per-CPU lists did with the block. */
int free_pages(struct pglist_data *pgdat, pfn_t pfn, unsigned order,
	       struct mm_error *err);
int free_pages_ev(struct pglist_data *pgdat, pfn_t pfn, unsigned order,
		  struct pcp_event *ev, struct mm_error *err);

enum frame_state { FRAME_HOLE, FRAME_RESERVED, FRAME_FREE, FRAME_ALLOCATED };

struct frame_info {
	enum frame_state state;
	int zone;		/* -1 for a hole outside every zone */
	pfn_t head;		/* first pfn of the block holding it */
	unsigned order;
	int migratetype;	/* free: its list; else the pageblock's type */
	enum page_owner owner;
	uint32_t owner_id;
	gfp_t gfp;
	int pcp_cpu;		/* FRAME_FREE on a per-CPU list: its CPU; else -1 */
};

void page_frame_info(const struct pglist_data *pgdat, pfn_t pfn,
		     struct frame_info *fi);

/* Allocation and teardown of the node's host memory. */
void pglist_init(struct pglist_data *pgdat);
void pglist_free(struct pglist_data *pgdat);

#endif

/*
 * page_alloc.c - the buddy allocator of Linux 6.1 (mm/page_alloc.c).
 *
 * Free memory is kept as naturally aligned blocks of 2^order pages, one
 * list per (zone, order, migratetype).  The model follows the kernel's
 * rules wherever their result can be seen from outside: which pfn an
 * allocation gets, where a freed block lands on its list, when blocks
 * merge, when a zone is refused for its watermarks, when and how a
 * pageblock changes migratetype, and every watermark and reserve figure
 * /proc/zoneinfo prints.
 *
 * What the model leaves out, and why that is safe:
 * Per-CPU page lists (page_alloc_pcp.c): orders 0-3 and the THP order go
 * through them, in both directions; bigger blocks come from and go to
 * the buddy lists directly.
 *
 *  - Watermark boosting.  A fallback steal boosts the zone's watermarks
 *    and wakes kswapd, which clears the boost as soon as the zone is
 *    balanced; with nothing to reclaim that is at once, so boost is 0.
 *  - Reclaim and compaction.  Nothing in the model is reclaimable, so
 *    when both the fast path (low watermark) and the slow path (min
 *    watermark, with the GFP_ATOMIC cuts) fail, the allocation fails.
 *    The OOM killer is not called from here: only a process's page
 *    fault runs it (mm.c), and retries its allocation after the kill.  The highatomic reserve, which the kernel only gives back
 *    from the reclaim path, therefore stays reserved.
 *  - Page shuffling (off unless page_alloc.shuffle=1), CMA (not in
 *    Debian's 686 kernels), memory isolation (nothing isolates).
 *
 * Records: pgdat->free_blocks holds the head pfn of every free block
 * (order, list, zone, list links); pgdat->alloc_blocks holds the head of
 * every allocated block.  A record pointer is only valid until the next
 * pfnmap_put/pfnmap_del on the same map, so the code below looks records
 * up again after every insertion or removal.
 */
#include "page_alloc_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* alloc_flags (mm/internal.h): the low bits pick the watermark. */
#define ALLOC_WMARK_MASK	0x03u
#define ALLOC_NO_WATERMARKS	0x04u
#define ALLOC_HARDER		0x10u	/* __GFP_ATOMIC: dip further, highatomic */
#define ALLOC_HIGH		0x20u	/* __GFP_HIGH: dip below min by half */

/* --- small helpers ---------------------------------------------------- */

static pfn_t zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

static bool zone_spans_pfn(const struct zone *z, pfn_t pfn)
{
	return pfn >= z->zone_start_pfn && pfn < zone_end_pfn(z);
}

static uint32_t pageblock_nr_pages(const struct pglist_data *pgdat)
{
	return 1u << pgdat->pageblock_order;
}

/* Unmovable, Movable and Reclaimable blocks may merge with each other;
 * HighAtomic and Isolate blocks keep to themselves so their accounting
 * stays right. */
static bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

int pfn_to_zone(const struct pglist_data *pgdat, pfn_t pfn)
{
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		const struct zone *z = &pgdat->node_zones[j];

		if (z->spanned_pages && zone_spans_pfn(z, pfn))
			return j;
	}
	return -1;
}

bool pfn_is_ram(const struct pglist_data *pgdat, pfn_t pfn)
{
	uint32_t lo = 0, hi = pgdat->nr_ranges;

	/* ranges are sorted and disjoint: binary search */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct pfn_range *r = &pgdat->ranges[mid];

		if (pfn < r->start)
			hi = mid;
		else if (pfn >= r->end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* --- pageblock migratetypes ------------------------------------------- */

static pfn_t pageblock_base(const struct pglist_data *pgdat,
			    const struct zone *z)
{
	return ALIGN_DOWN(z->zone_start_pfn, pageblock_nr_pages(pgdat));
}

uint32_t zone_nr_pageblocks(const struct pglist_data *pgdat,
			    const struct zone *z)
{
	uint32_t pb = pageblock_nr_pages(pgdat);

	return (zone_end_pfn(z) - pageblock_base(pgdat, z) + pb - 1) /
	       pb;
}

/* pfn must lie in zone zi. */
static uint8_t *pageblock_slot(const struct pglist_data *pgdat, int zi,
			       pfn_t pfn)
{
	const struct zone *z = &pgdat->node_zones[zi];

	return &z->pageblock_mt[(pfn - pageblock_base(pgdat, z)) >>
				pgdat->pageblock_order];
}

static int pageblock_mt(const struct pglist_data *pgdat, int zi, pfn_t pfn)
{
	return *pageblock_slot(pgdat, zi, pfn);
}

int pageblock_mt_of(const struct pglist_data *pgdat, int zi, pfn_t pfn)
{
	return pageblock_mt(pgdat, zi, pfn);
}

static void set_pageblock_mt(struct pglist_data *pgdat, int zi, pfn_t pfn,
			     int mt)
{
	pgdat->changes++;
	*pageblock_slot(pgdat, zi, pfn) = (uint8_t)mt;
}

int get_pfnblock_migratetype(const struct pglist_data *pgdat, pfn_t pfn)
{
	int zi = pfn_to_zone(pgdat, pfn);

	return zi < 0 ? -1 : pageblock_mt(pgdat, zi, pfn);
}

/* --- free lists ------------------------------------------------------- */

/* Put an existing free-block record on list mt of its order. */
static void link_block(struct pglist_data *pgdat, int zi, pfn_t pfn, int mt,
		       bool tail)
{
	struct pfn_rec *r = pfnmap_get(&pgdat->free_blocks, pfn);
	struct free_area *a = &pgdat->node_zones[zi].free_area[r->order];

	pgdat->changes++;
	r->mt = (uint8_t)mt;
	if (tail) {
		r->prev = a->tail[mt];
		r->next = PFN_NONE;
		if (a->tail[mt] != PFN_NONE)
			pfnmap_get(&pgdat->free_blocks, a->tail[mt])->next = pfn;
		else
			a->head[mt] = pfn;
		a->tail[mt] = pfn;
	} else {
		r->prev = PFN_NONE;
		r->next = a->head[mt];
		if (a->head[mt] != PFN_NONE)
			pfnmap_get(&pgdat->free_blocks, a->head[mt])->prev = pfn;
		else
			a->tail[mt] = pfn;
		a->head[mt] = pfn;
	}
	a->nr[mt]++;
	a->nr_free++;
}

/* Take a free block off its list; the record stays. */
static void unlink_block(struct pglist_data *pgdat, int zi, pfn_t pfn)
{
	struct pfn_rec *r = pfnmap_get(&pgdat->free_blocks, pfn);
	struct free_area *a = &pgdat->node_zones[zi].free_area[r->order];
	int mt = r->mt;

	pgdat->changes++;
	if (r->prev != PFN_NONE)
		pfnmap_get(&pgdat->free_blocks, r->prev)->next = r->next;
	else
		a->head[mt] = r->next;
	if (r->next != PFN_NONE)
		pfnmap_get(&pgdat->free_blocks, r->next)->prev = r->prev;
	else
		a->tail[mt] = r->prev;
	r->prev = r->next = PFN_NONE;
	a->nr[mt]--;
	a->nr_free--;
}

static void add_free_block(struct pglist_data *pgdat, int zi, pfn_t pfn,
			   unsigned order, int mt, bool tail)
{
	struct pfn_rec *r = pfnmap_put(&pgdat->free_blocks, pfn);

	r->order = (uint8_t)order;
	r->zone = (uint8_t)zi;
	link_block(pgdat, zi, pfn, mt, tail);
}

static void del_free_block(struct pglist_data *pgdat, int zi, pfn_t pfn)
{
	unlink_block(pgdat, zi, pfn);
	pfnmap_del(&pgdat->free_blocks, pfn);
}

/* move_to_free_list(): 6.1 moves to the tail of the new list. */
static void move_free_block(struct pglist_data *pgdat, int zi, pfn_t pfn,
			    int mt)
{
	unlink_block(pgdat, zi, pfn);
	link_block(pgdat, zi, pfn, mt, true);
}

/* The record of the block in map that contains pfn, if any: a block of
 * order o containing pfn starts at pfn with its low o bits cleared. */
static const struct pfn_rec *find_block(const struct pfnmap *map, pfn_t pfn)
{
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		const struct pfn_rec *r = pfnmap_get(map, pfn & ~((1u << o) - 1));

		if (r && r->order >= o)
			return r;
	}
	return NULL;
}

/* --- freeing: __free_one_page ----------------------------------------- */

/* page_is_buddy(): a free block head of exactly this order, same zone. */
static bool page_is_buddy(const struct pglist_data *pgdat, int zi,
			  pfn_t buddy, unsigned order)
{
	const struct pfn_rec *r = pfnmap_get(&pgdat->free_blocks, buddy);

	return r && r->order == order && r->zone == zi;
}

/*
 * Whether the block just placed at (pfn, order) is likely to merge soon:
 * its buddy one order up is already free, so once the block's own buddy
 * comes back the pair can merge again.  Such a block goes to the tail, so
 * allocations take other blocks first and leave it to merge.  buddy_pfn is
 * the buddy the merge loop last looked at, as in the kernel.
 */
static bool buddy_merge_likely(const struct pglist_data *pgdat, pfn_t pfn,
			       pfn_t buddy_pfn, unsigned order)
{
	pfn_t higher;
	int hz;

	if (order >= MAX_ORDER - 2)
		return false;
	higher = buddy_pfn & pfn;
	hz = pfn_to_zone(pgdat, higher);
	return hz >= 0 && page_is_buddy(pgdat, hz, higher ^ (1u << (order + 1)),
					order + 1);
}

/*
 * Merge (pfn, order) with free buddies as far as it goes, then queue it on
 * list mt: the migratetype of the freed page's pageblock, even when the
 * merged block starts in another pageblock (6.1 does the same).
 */
void __free_one_page(struct pglist_data *pgdat, int zi, pfn_t pfn,
		     unsigned order, int mt, enum fpi_flags fpi)
{
	pfn_t buddy_pfn = pfn;
	bool tail;

	while (order < MAX_ORDER - 1) {
		buddy_pfn = pfn ^ (1u << order);
		if (!page_is_buddy(pgdat, zi, buddy_pfn, order))
			break;
		if (order >= pgdat->pageblock_order) {
			/* Whole pageblocks: a HighAtomic or Isolate block must
			 * not merge with a block of another type. */
			int bmt = pageblock_mt(pgdat, zi, buddy_pfn);

			if (mt != bmt && (!migratetype_is_mergeable(mt) ||
					  !migratetype_is_mergeable(bmt)))
				break;
		}
		del_free_block(pgdat, zi, buddy_pfn);
		pfn &= buddy_pfn;
		order++;
	}
	if (fpi & FPI_TO_TAIL)
		tail = true;
	else
		tail = buddy_merge_likely(pgdat, pfn, buddy_pfn, order);
	add_free_block(pgdat, zi, pfn, order, mt, tail);
}

void __free_pages_core(struct pglist_data *pgdat, pfn_t pfn, unsigned order)
{
	int zi = pfn_to_zone(pgdat, pfn);
	struct zone *z;

	if (zi < 0 || order >= MAX_ORDER)
		return;
	z = &pgdat->node_zones[zi];
	z->managed_pages += 1u << order;
	z->nr_free_pages += 1u << order;
	/* Boot memory goes to the tail: early allocations then take the
	 * blocks freed first (lowest addresses) and leave the rest whole. */
	__free_one_page(pgdat, zi, pfn, order, pageblock_mt(pgdat, zi, pfn),
			FPI_TO_TAIL);
}

void free_reserved_pages(struct pglist_data *pgdat, pfn_t pfn,
			 unsigned order)
{
	int zi = pfn_to_zone(pgdat, pfn);
	struct zone *z;

	if (zi < 0)
		return;
	z = &pgdat->node_zones[zi];
	z->managed_pages += 1u << order;
	z->nr_free_pages += 1u << order;
	__free_one_page(pgdat, zi, pfn, order, pageblock_mt(pgdat, zi, pfn),
			FPI_NONE);
}

/* __free_page(): through the per-CPU lists once they are set up. */
void free_reserved_page(struct pglist_data *pgdat, pfn_t pfn)
{
	int zi = pfn_to_zone(pgdat, pfn);
	struct pcp_event ev;

	if (zi < 0)
		return;
	pgdat->node_zones[zi].managed_pages++;
	free_unref_page(pgdat, zi, pfn, 0, &ev);
}

/* --- taking blocks: __rmqueue_smallest and expand --------------------- */

/* Split the block at pfn from order high down to low, giving back the
 * upper halves at the head of their lists; the caller keeps the bottom. */
static void expand(struct pglist_data *pgdat, int zi, pfn_t pfn,
		   unsigned low, unsigned high, int mt)
{
	while (high > low) {
		high--;
		add_free_block(pgdat, zi, pfn + (1u << high), high, mt, false);
	}
}

static pfn_t rmqueue_smallest(struct pglist_data *pgdat, int zi,
			      unsigned order, int mt)
{
	struct zone *z = &pgdat->node_zones[zi];

	for (unsigned o = order; o < MAX_ORDER; o++) {
		pfn_t pfn = z->free_area[o].head[mt];

		if (pfn == PFN_NONE)
			continue;
		del_free_block(pgdat, zi, pfn);
		expand(pgdat, zi, pfn, order, o, mt);
		return pfn;
	}
	return PFN_NONE;
}

/* --- migratetype fallback --------------------------------------------- */

/* Where each type looks when its own lists are empty (fallbacks[]). */
static const int fallbacks[MIGRATE_PCPTYPES][2] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

/* Whether a fallback at this order may claim the rest of the pageblock:
 * always for big blocks, and always for unmovable and reclaimable
 * requests, which would otherwise scatter across many pageblocks. */
static bool can_steal_fallback(const struct pglist_data *pgdat,
			       unsigned order, int start_mt)
{
	return order >= pgdat->pageblock_order ||
	       order >= pgdat->pageblock_order / 2 ||
	       start_mt == MIGRATE_RECLAIMABLE ||
	       start_mt == MIGRATE_UNMOVABLE;
}

static int find_suitable_fallback(const struct pglist_data *pgdat,
				  const struct free_area *area, unsigned order,
				  int start_mt, bool *can_steal)
{
	if (!area->nr_free)
		return -1;
	*can_steal = false;
	for (unsigned i = 0; i < ARRAY_SIZE(fallbacks[0]); i++) {
		int fmt = fallbacks[start_mt][i];

		if (area->head[fmt] == PFN_NONE)
			continue;
		*can_steal = can_steal_fallback(pgdat, order, start_mt);
		return fmt;
	}
	return -1;
}

/*
 * move_freepages_block(): move every free block in pfn's pageblock to list
 * mt and count the pages moved; *num_movable counts pages of allocated
 * blocks that were allocated movable (the kernel's PageLRU/__PageMovable
 * test).  A pageblock that runs past the zone's end moves nothing; one that
 * starts before the zone is walked from pfn.
 */
static uint32_t move_freepages_block(struct pglist_data *pgdat, int zi,
				     pfn_t pfn, int mt, uint32_t *num_movable)
{
	const struct zone *z = &pgdat->node_zones[zi];
	pfn_t start = ALIGN_DOWN(pfn, pageblock_nr_pages(pgdat));
	pfn_t end = start + pageblock_nr_pages(pgdat) - 1;
	uint32_t moved = 0, movable = 0;

	if (num_movable)
		*num_movable = 0;
	if (!zone_spans_pfn(z, start))
		start = pfn;
	if (!zone_spans_pfn(z, end))
		return 0;
	for (pfn_t p = start; p <= end;) {
		const struct pfn_rec *r = pfnmap_get(&pgdat->free_blocks, p);
		uint32_t n;

		if (r) {
			n = 1u << r->order;
			move_free_block(pgdat, zi, p, mt);
			moved += n;
			p += n;
			continue;
		}
		r = pfnmap_get(&pgdat->alloc_blocks, p);
		if (r) {
			n = 1u << r->order;
			if (r->mt == MIGRATE_MOVABLE)
				movable += MIN(n, end + 1 - p);
			p += n;
			continue;
		}
		p++;
	}
	if (num_movable)
		*num_movable = movable;
	return moved;
}

/* change_pageblock_range(): a block of pageblock order or more takes all
 * the pageblocks it covers. */
static void change_pageblock_range(struct pglist_data *pgdat, int zi,
				   pfn_t pfn, unsigned order, int mt)
{
	uint32_t n = 1u << (order - pgdat->pageblock_order);

	for (uint32_t i = 0; i < n; i++)
		set_pageblock_mt(pgdat, zi, pfn + i * pageblock_nr_pages(pgdat),
				 mt);
}

/*
 * Move the fallback block at pfn to start_mt's list, and when allowed take
 * its pageblock too: its other free blocks always move, and the pageblock
 * changes type when at least half of it is free or already of a kind that
 * suits start_mt.
 */
static void steal_suitable_fallback(struct pglist_data *pgdat, int zi,
				    pfn_t pfn, unsigned order, int start_mt,
				    bool whole_block)
{
	uint32_t pb = pageblock_nr_pages(pgdat);
	int old_mt = pageblock_mt(pgdat, zi, pfn);
	uint32_t free_pages, movable_pages, alike_pages;

	if (old_mt == MIGRATE_HIGHATOMIC)
		goto single_page;
	if (order >= pgdat->pageblock_order) {
		change_pageblock_range(pgdat, zi, pfn, order, start_mt);
		goto single_page;
	}
	if (!whole_block)
		goto single_page;

	free_pages = move_freepages_block(pgdat, zi, pfn, start_mt,
					  &movable_pages);
	if (start_mt == MIGRATE_MOVABLE)
		alike_pages = movable_pages;
	else if (old_mt == MIGRATE_MOVABLE)
		/* An unmovable or reclaimable request in a movable block:
		 * whatever is neither free nor movable is its own kind. */
		alike_pages = pb - (free_pages + movable_pages);
	else
		/* Unmovable and reclaimable pages look alike from here. */
		alike_pages = 0;
	if (!free_pages)
		goto single_page;
	if (free_pages + alike_pages >= pb / 2)
		set_pageblock_mt(pgdat, zi, pfn, start_mt);
	return;

single_page:
	move_free_block(pgdat, zi, pfn, start_mt);
}

/*
 * __rmqueue_fallback(): steal from another type's lists.  It looks for the
 * largest block first (the pageblock most likely to be mostly free), except
 * that a movable request that may not take the whole pageblock takes the
 * smallest block that fits, so it fragments as little as possible.
 */
static bool rmqueue_fallback(struct pglist_data *pgdat, int zi,
			     unsigned order, int start_mt, int *stolen_from)
{
	struct zone *z = &pgdat->node_zones[zi];
	int co, fmt = -1;
	bool can_steal = false;

	for (co = MAX_ORDER - 1; co >= (int)order; co--) {
		fmt = find_suitable_fallback(pgdat, &z->free_area[co],
					     (unsigned)co, start_mt, &can_steal);
		if (fmt == -1)
			continue;
		if (!can_steal && start_mt == MIGRATE_MOVABLE &&
		    co > (int)order)
			goto find_smallest;
		goto do_steal;
	}
	return false;

find_smallest:
	for (co = (int)order; co < MAX_ORDER; co++) {
		fmt = find_suitable_fallback(pgdat, &z->free_area[co],
					     (unsigned)co, start_mt, &can_steal);
		if (fmt != -1)
			break;
	}
	if (co >= MAX_ORDER)	/* cannot happen: the first loop found one */
		return false;
do_steal:
	steal_suitable_fallback(pgdat, zi, z->free_area[co].head[fmt],
				(unsigned)co, start_mt, can_steal);
	*stolen_from = fmt;
	return true;
}

pfn_t __rmqueue(struct pglist_data *pgdat, int zi, unsigned order, int mt,
		int *stolen_from)
{
	pfn_t pfn = PFN_NONE;

	while (pfn == PFN_NONE) {
		pfn = rmqueue_smallest(pgdat, zi, order, mt);
		if (pfn == PFN_NONE &&
		    !rmqueue_fallback(pgdat, zi, order, mt, stolen_from))
			break;
	}
	return pfn;
}

/* rmqueue_buddy(): high-order atomic requests try the highatomic reserve
 * first; then __rmqueue.  The zone's free pages drop by the block. */
static pfn_t rmqueue_buddy(struct pglist_data *pgdat, int zi, unsigned order,
			   int mt, unsigned alloc_flags, int *stolen_from)
{
	pfn_t pfn = PFN_NONE;

	if (order > 0 && (alloc_flags & ALLOC_HARDER))
		pfn = rmqueue_smallest(pgdat, zi, order, MIGRATE_HIGHATOMIC);
	if (pfn == PFN_NONE)
		pfn = __rmqueue(pgdat, zi, order, mt, stolen_from);
	if (pfn != PFN_NONE)
		pgdat->node_zones[zi].nr_free_pages -= 1u << order;
	return pfn;
}

/* rmqueue(): the orders pcp serves come from this CPU's list (refilled
 * from the buddy lists if empty); the rest, and a refill that found
 * nothing, from the buddy lists. */
static pfn_t rmqueue(struct pglist_data *pgdat, int zi, unsigned order,
		     int mt, unsigned alloc_flags, int *stolen_from,
		     struct pcp_event *ev)
{
	pfn_t pfn;

	*stolen_from = -1;
	ev->cpu = -1;
	if (pcp_allowed_order(pgdat, order)) {
		pfn = rmqueue_pcplist(pgdat, zi, order, mt, ev);
		*stolen_from = ev->stolen_from;
		if (pfn != PFN_NONE)
			return pfn;
		ev->cpu = -1;
	}
	return rmqueue_buddy(pgdat, zi, order, mt, alloc_flags, stolen_from);
}

/* reserve_highatomic_pageblock(): a successful high-order atomic
 * allocation sets its pageblock aside for more of the same, up to about
 * 1% of the zone plus one pageblock. */
static void reserve_highatomic_pageblock(struct pglist_data *pgdat, int zi,
					 pfn_t pfn)
{
	struct zone *z = &pgdat->node_zones[zi];
	uint32_t max = z->managed_pages / 100 + pageblock_nr_pages(pgdat);
	int mt;

	if (z->nr_reserved_highatomic >= max)
		return;
	mt = pageblock_mt(pgdat, zi, pfn);
	if (!migratetype_is_mergeable(mt))
		return;
	z->nr_reserved_highatomic += pageblock_nr_pages(pgdat);
	set_pageblock_mt(pgdat, zi, pfn, MIGRATE_HIGHATOMIC);
	move_freepages_block(pgdat, zi, pfn, MIGRATE_HIGHATOMIC, NULL);
}

/* --- watermarks ------------------------------------------------------- */

enum wmark_verdict { WM_OK, WM_LOW_FREE, WM_NO_BLOCK };

static const char *const wmark_names[NR_WMARK] = {
	"min", "low", "high", "promo"
};

/* Pages the caller may not count: the pages beyond the first of its own
 * block, and the highatomic reserve unless it is an atomic caller. */
static long watermark_unusable_free(const struct zone *z, unsigned order,
				    unsigned alloc_flags)
{
	long unusable = (1L << order) - 1;

	if (!(alloc_flags & ALLOC_HARDER))
		unusable += z->nr_reserved_highatomic;
	return unusable;
}

/* The mark after __GFP_HIGH and __GFP_ATOMIC have cut it. */
static long watermark_after_cuts(uint32_t mark, unsigned alloc_flags)
{
	long min = mark;

	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_flags & ALLOC_HARDER)
		min -= min / 4;
	return min;
}

static enum wmark_verdict zone_watermark_ok(const struct zone *z,
					    unsigned order, uint32_t mark,
					    int highest_zoneidx,
					    unsigned alloc_flags)
{
	long free = (long)z->nr_free_pages -
		    watermark_unusable_free(z, order, alloc_flags);
	long min = watermark_after_cuts(mark, alloc_flags);

	if (free <= min + (long)z->lowmem_reserve[highest_zoneidx])
		return WM_LOW_FREE;
	if (!order)
		return WM_OK;
	/* Enough pages, but a high-order request also needs one block big
	 * enough on a list it may use. */
	for (unsigned o = order; o < MAX_ORDER; o++) {
		const struct free_area *a = &z->free_area[o];

		if (!a->nr_free)
			continue;
		for (int mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			if (a->head[mt] != PFN_NONE)
				return WM_OK;
		if ((alloc_flags & ALLOC_HARDER) &&
		    a->head[MIGRATE_HIGHATOMIC] != PFN_NONE)
			return WM_OK;
	}
	return WM_NO_BLOCK;
}

/* --- the allocator's zone walk ---------------------------------------- */

struct alloc_context {
	gfp_t gfp;
	unsigned order;
	int highest_zoneidx;
	int migratetype;
	enum page_owner owner;
	uint32_t owner_id;
	bool story;		/* write the taking zone's why */
};

static void describe_refusal(struct alloc_attempt *at, const struct zone *z,
			     const struct alloc_context *ac,
			     unsigned alloc_flags, enum wmark_verdict v)
{
	long unusable = watermark_unusable_free(z, ac->order, alloc_flags);
	uint32_t raw = z->watermark[at->wmark];
	char minus[32] = "", cut[32] = "";

	if (v == WM_NO_BLOCK) {
		snprintf(at->why, sizeof(at->why),
			 "no free block of order >= %u on a usable list",
			 ac->order);
		return;
	}
	/* Say which pages did not count and how far the mark was cut, so
	 * the inequality can be checked by hand against zoneinfo. */
	if (unusable)
		snprintf(minus, sizeof(minus), " - %ld unusable", unusable);
	if (at->mark != raw)
		snprintf(cut, sizeof(cut), " (cut from %u)", raw);
	snprintf(at->why, sizeof(at->why), "free %u%s <= %s %u%s + reserve %u",
		 at->free_pages, minus, wmark_names[at->wmark], at->mark, cut,
		 at->reserve);
}

/* "took 0x2001 from CPU 0's pcp list, refilled with 63 blocks from the
 * buddy lists, stolen from the Movable lists" */
static void describe_pcp_take(struct alloc_attempt *at, pfn_t pfn,
			      const struct pcp_event *ev)
{
	char stolen[48] = "";

	if (ev->stolen_from >= 0)
		snprintf(stolen, sizeof(stolen), ", stolen from the %s lists",
			 migratetype_name(ev->stolen_from));
	if (ev->refilled)
		snprintf(at->why, sizeof(at->why), "took 0x%x from CPU %d's "
			 "pcp list, refilled with %u blocks from the buddy "
			 "lists%s", pfn, ev->cpu, ev->refilled, stolen);
	else
		snprintf(at->why, sizeof(at->why), "took 0x%x from CPU %d's "
			 "pcp list (%u page%s left on its lists)", pfn, ev->cpu,
			 ev->count, ev->count == 1 ? "" : "s");
}

/* The block at pfn is the caller's now. */
static void commit_alloc(struct pglist_data *pgdat, int zi, pfn_t pfn,
			 const struct alloc_context *ac, unsigned alloc_flags)
{
	struct pfn_rec *r = pfnmap_put(&pgdat->alloc_blocks, pfn);

	pgdat->changes++;
	r->order = (uint8_t)ac->order;
	r->owner = (uint8_t)ac->owner;
	r->owner_id = ac->owner_id;
	r->gfp = ac->gfp;
	r->zone = (uint8_t)zi;
	r->mt = (uint8_t)ac->migratetype;
	if (ac->order && (alloc_flags & ALLOC_HARDER))
		reserve_highatomic_pageblock(pgdat, zi, pfn);
}

/* "took 0x%x" without printf: every allocation writes it. */
static void took_why(char *why, pfn_t pfn)
{
	static const char hex[] = "0123456789abcdef";
	char digits[8];
	int n = 0;

	memcpy(why, "took 0x", 7);
	why += 7;
	do {
		digits[n++] = hex[pfn & 0xf];
		pfn >>= 4;
	} while (pfn);
	while (n)
		*why++ = digits[--n];
	*why = '\0';
}

/* The taking zone's why: where the block at pfn came from. */
static void describe_take(struct alloc_attempt *at, enum wmark_verdict v,
			  pfn_t pfn, int stolen, const struct pcp_event *pcp)
{
	if (v != WM_OK)
		snprintf(at->why, sizeof(at->why),
			 "watermark ignored (__GFP_MEMALLOC): took 0x%x", pfn);
	else if (pcp->cpu >= 0)
		describe_pcp_take(at, pfn, pcp);
	else if (stolen >= 0)
		snprintf(at->why, sizeof(at->why),
			 "took 0x%x, stolen from the %s lists", pfn,
			 migratetype_name(stolen));
	else
		took_why(at->why, pfn);
}

/*
 * get_page_from_freelist(): walk the zonelist (populated zones from the
 * request's highest zone down: HighMem, Normal, DMA) and take a block from
 * the first zone whose watermark check passes.  Each zone looked at is
 * recorded in res->attempts.
 */
static bool get_page_from_freelist(struct pglist_data *pgdat,
				   const struct alloc_context *ac,
				   unsigned alloc_flags, int pass,
				   struct page_alloc_result *res)
{
	for (int zi = ac->highest_zoneidx; zi >= 0; zi--) {
		struct zone *z = &pgdat->node_zones[zi];
		struct alloc_attempt *at;
		enum wmark_verdict v;
		int stolen;
		pfn_t pfn;

		if (!populated_zone(z) ||
		    res->nr_attempts >= ARRAY_SIZE(res->attempts))
			continue;
		at = &res->attempts[res->nr_attempts++];
		/* every field but the story set, and the story empty (a
		 * memset of it cost a tenth of an allocation) */
		at->why[0] = '\0';
		at->ok = false;
		at->zone = zi;
		at->pass = pass;
		at->wmark = (int)(alloc_flags & ALLOC_WMARK_MASK);
		at->free_pages = z->nr_free_pages;
		at->mark = (uint32_t)watermark_after_cuts(z->watermark[at->wmark],
							  alloc_flags);
		at->reserve = z->lowmem_reserve[ac->highest_zoneidx];
		v = zone_watermark_ok(z, ac->order, z->watermark[at->wmark],
				      ac->highest_zoneidx, alloc_flags);
		if (v != WM_OK) {
			describe_refusal(at, z, ac, alloc_flags, v);
			if (!(alloc_flags & ALLOC_NO_WATERMARKS))
				continue;
		}
		pfn = rmqueue(pgdat, zi, ac->order, ac->migratetype,
			      alloc_flags, &stolen, &res->pcp);
		if (pfn == PFN_NONE) {
			snprintf(at->why, sizeof(at->why),
				 "no free block of order >= %u for %s, even "
				 "by fallback", ac->order,
				 migratetype_name(ac->migratetype));
			continue;
		}
		commit_alloc(pgdat, zi, pfn, ac, alloc_flags);
		at->ok = true;
		if (ac->story)
			describe_take(at, v, pfn, stolen, &res->pcp);
		res->ok = true;
		res->pfn = pfn;
		res->zone = zi;
		res->stolen_from = stolen;
		return true;
	}
	return false;
}

/* gfp_to_alloc_flags(): the slow path's rights. */
static unsigned gfp_to_alloc_flags(gfp_t gfp)
{
	unsigned flags = WMARK_MIN;

	if (gfp & __GFP_HIGH)
		flags |= ALLOC_HIGH;
	/* __GFP_NOMEMALLOC callers would rather fail than dig in. */
	if ((gfp & __GFP_ATOMIC) && !(gfp & __GFP_NOMEMALLOC))
		flags |= ALLOC_HARDER;
	return flags;
}

/* Append the zones one pass refused, "Normal free 812 <= min 10257 +
 * reserve 0", to the failure story. */
static void describe_pass(struct strbuf *sb, const struct page_alloc_result *res,
			  int pass)
{
	bool first = true;

	for (unsigned i = 0; i < res->nr_attempts; i++) {
		const struct alloc_attempt *at = &res->attempts[i];

		if (at->pass != pass)
			continue;
		sb_printf(sb, "%s%s %s", first ? "" : "; ", zone_name(at->zone),
			  at->why);
		first = false;
	}
}

static void explain_failure(const struct alloc_context *ac, int last_pass,
			    struct page_alloc_result *res)
{
	/* the OOM killer runs for a process's page fault (mm.c), which can
	 * free a victim's pages; a request made here has nobody to kill */
	static const char tail[] = "; nothing is reclaimable (the model has "
		"no page cache to reclaim and no compaction, and it runs the "
		"OOM killer only for a process's page fault, not for this "
		"allocation)";
	struct strbuf sb = STRBUF_INIT;
	char gfpname[GFP_NAME_MAX];

	gfp_format(ac->gfp, gfpname, sizeof(gfpname));
	sb_printf(&sb, "order-%u %s allocation failed: ", ac->order, gfpname);
	if (!res->nr_attempts) {
		sb_printf(&sb, "no populated zone at or below %s",
			  zone_name(ac->highest_zoneidx));
	} else {
		/* The last pass is the one with the most rights, so it is
		 * the one that explains the failure. */
		describe_pass(&sb, res, last_pass);
		if (last_pass > 0)
			sb_puts(&sb, " (the fast path at the low watermark "
				"failed first)");
	}
	/* ALLOC_REASON_MAX holds the longest story whole */
	snprintf(res->reason, sizeof(res->reason), "%s%s", sb.buf, tail);
	sb_free(&sb);
}

static int check_alloc_request(gfp_t gfp, unsigned order,
			       struct mm_error *err)
{
	char name[GFP_NAME_MAX];

	if (order >= MAX_ORDER)
		return mm_fail(err, MM_EINVAL, "bad-order", "order",
			"order %u is too large: the buddy allocator has "
			"orders 0 to %d (1 page to 4 MiB)", order,
			MAX_ORDER - 1);
	if (gfp & ~__GFP_ALL_BITS)
		return mm_fail(err, MM_EINVAL, "bad-gfp", "gfp",
			"gfp mask 0x%x has bits 0x%x that 6.1 does not "
			"define: build it from GFP_* and __GFP_* names", gfp,
			gfp & ~__GFP_ALL_BITS);
	if (gfp_zone(gfp) >= 0 && gfp_migratetype(gfp) >= 0)
		return MM_OK;
	gfp_format(gfp, name, sizeof(name));
	if (gfp_zone(gfp) < 0)
		return mm_fail(err, MM_EINVAL, "bad-gfp", "gfp",
			"gfp mask %s names two zones (__GFP_DMA, __GFP_DMA32 "
			"and __GFP_HIGHMEM exclude each other): keep one",
			name);
	if (gfp_migratetype(gfp) < 0)
		return mm_fail(err, MM_EINVAL, "bad-gfp", "gfp",
			"gfp mask %s is both __GFP_MOVABLE and "
			"__GFP_RECLAIMABLE: a page can only be one", name);
	return MM_OK;
}

static int alloc_pages_story(struct pglist_data *pgdat, gfp_t gfp,
			     unsigned order, enum page_owner owner,
			     uint32_t owner_id, bool story,
			     struct page_alloc_result *res,
			     struct mm_error *err)
{
	struct alloc_context ac;
	gfp_t slow_gfp = gfp;
	unsigned alloc_flags;
	int rc = check_alloc_request(gfp, order, err);

	if (rc != MM_OK)
		return rc;
	/* the attempts are filled as they are made (a whole memset of the
	 * stories costs more than the allocation) */
	memset(res, 0, offsetof(struct page_alloc_result, attempts));
	res->reason[0] = '\0';
	res->pfn = PFN_NONE;
	res->order = order;
	res->zone = -1;
	res->stolen_from = -1;
	res->pcp.cpu = -1;
	ac.gfp = gfp;
	ac.order = order;
	ac.highest_zoneidx = gfp_zone(gfp);
	ac.migratetype = gfp_migratetype(gfp);
	ac.owner = owner;
	ac.owner_id = owner_id;
	ac.story = story;
	res->migratetype = ac.migratetype;

	/* Fast path: the low watermark, no special rights. */
	if (get_page_from_freelist(pgdat, &ac, WMARK_LOW, 0, res))
		return MM_OK;

	/* Slow path.  A caller that may sleep has no business in the atomic
	 * reserves: 6.1 warns and drops __GFP_ATOMIC. */
	if ((slow_gfp & (__GFP_ATOMIC | __GFP_DIRECT_RECLAIM)) ==
	    (__GFP_ATOMIC | __GFP_DIRECT_RECLAIM))
		slow_gfp &= ~__GFP_ATOMIC;
	alloc_flags = gfp_to_alloc_flags(slow_gfp);
	if (get_page_from_freelist(pgdat, &ac, alloc_flags, 1, res))
		return MM_OK;

	/* __GFP_MEMALLOC (and not __GFP_NOMEMALLOC): ignore watermarks. */
	if ((gfp & __GFP_MEMALLOC) && !(gfp & __GFP_NOMEMALLOC)) {
		if (get_page_from_freelist(pgdat, &ac, ALLOC_NO_WATERMARKS, 2,
					   res))
			return MM_OK;
		explain_failure(&ac, 2, res);
		return MM_OK;
	}
	explain_failure(&ac, 1, res);
	return MM_OK;
}

int alloc_pages(struct pglist_data *pgdat, gfp_t gfp, unsigned order,
		enum page_owner owner, uint32_t owner_id,
		struct page_alloc_result *res, struct mm_error *err)
{
	return alloc_pages_story(pgdat, gfp, order, owner, owner_id, true,
				 res, err);
}

int alloc_pages_quiet(struct pglist_data *pgdat, gfp_t gfp, unsigned order,
		      enum page_owner owner, uint32_t owner_id,
		      struct page_alloc_result *res, struct mm_error *err)
{
	return alloc_pages_story(pgdat, gfp, order, owner, owner_id, false,
				 res, err);
}

/* --- free_pages ------------------------------------------------------- */

static int check_free_request(const struct pglist_data *pgdat, pfn_t pfn,
			      unsigned order, struct mm_error *err)
{
	struct frame_info fi;

	if (order >= MAX_ORDER)
		return mm_fail(err, MM_EINVAL, "bad-order", "order",
			"order %u is too large: blocks have orders 0 to %d; "
			"free with the order alloc_pages was given", order,
			MAX_ORDER - 1);
	page_frame_info(pgdat, pfn, &fi);
	switch (fi.state) {
	case FRAME_HOLE:
		return mm_fail(err, MM_EINVAL, "not-ram", "pfn",
			"pfn 0x%x is not RAM but a hole in the physical map: "
			"free only pfns that alloc_pages returned", pfn);
	case FRAME_FREE:
		if (fi.pcp_cpu >= 0)
			return mm_fail(err, MM_ESTATE, "double-free", "pfn",
				"pfn 0x%x is already free (the order-%u block "
				"at 0x%x waits on CPU %d's per-CPU list): it "
				"was freed before or never allocated; free "
				"each block once", pfn, fi.order, fi.head,
				fi.pcp_cpu);
		return mm_fail(err, MM_ESTATE, "double-free", "pfn",
			"pfn 0x%x is already free (in the free order-%u block "
			"at 0x%x): it was freed before or never allocated; "
			"free each block once", pfn, fi.order, fi.head);
	case FRAME_RESERVED:
		return mm_fail(err, MM_ESTATE, "reserved-frame", "pfn",
			"pfn 0x%x is reserved (memblock kept it at boot for "
			"the kernel or firmware) and never came from "
			"alloc_pages: it cannot be freed", pfn);
	case FRAME_ALLOCATED:
		break;
	}
	if (fi.head != pfn)
		return mm_fail(err, MM_ESTATE, "not-block-head", "pfn",
			"pfn 0x%x is inside the order-%u block allocated at "
			"0x%x: free the whole block with pfn 0x%x and order %u",
			pfn, fi.order, fi.head, fi.head, fi.order);
	if (fi.order != order)
		return mm_fail(err, MM_ESTATE, "wrong-order", "order",
			"pfn 0x%x was allocated with order %u, not %u: free it "
			"with order %u", pfn, fi.order, order, fi.order);
	return MM_OK;
}

/*
 * free_pages(): free_the_page() sends the orders pcp serves to this CPU's
 * list (free_unref_page) and bigger blocks straight to __free_one_page,
 * on the list of the block's pageblock type.
 */
int free_pages_ev(struct pglist_data *pgdat, pfn_t pfn, unsigned order,
		  struct pcp_event *ev, struct mm_error *err)
{
	int rc = check_free_request(pgdat, pfn, order, err);
	struct pcp_event local;
	int zi;

	if (rc != MM_OK)
		return rc;
	if (!ev)
		ev = &local;
	zi = pfnmap_get(&pgdat->alloc_blocks, pfn)->zone;
	pgdat->changes++;
	pfnmap_del(&pgdat->alloc_blocks, pfn);
	if (pcp_allowed_order(pgdat, order)) {
		free_unref_page(pgdat, zi, pfn, order, ev);
		return MM_OK;
	}
	memset(ev, 0, sizeof(*ev));
	ev->cpu = -1;
	ev->stolen_from = -1;
	pgdat->node_zones[zi].nr_free_pages += 1u << order;
	__free_one_page(pgdat, zi, pfn, order, pageblock_mt(pgdat, zi, pfn),
			FPI_NONE);
	return MM_OK;
}

int free_pages(struct pglist_data *pgdat, pfn_t pfn, unsigned order,
	       struct mm_error *err)
{
	return free_pages_ev(pgdat, pfn, order, NULL, err);
}

/* --- frame state ------------------------------------------------------ */

void page_frame_info(const struct pglist_data *pgdat, pfn_t pfn,
		     struct frame_info *fi)
{
	const struct pfn_rec *r;

	memset(fi, 0, sizeof(*fi));
	fi->zone = pfn_to_zone(pgdat, pfn);
	fi->head = pfn;
	fi->owner = OWNER_NONE;
	fi->pcp_cpu = -1;
	fi->migratetype = fi->zone < 0 ? -1 : pageblock_mt(pgdat, fi->zone, pfn);
	if (!pfn_is_ram(pgdat, pfn)) {
		fi->state = FRAME_HOLE;
		return;
	}
	r = find_block(&pgdat->free_blocks, pfn);
	if (r) {
		fi->state = FRAME_FREE;
		fi->head = r->pfn;
		fi->order = r->order;
		fi->migratetype = r->mt;
		return;
	}
	r = find_block(&pgdat->pcp_pages, pfn);
	if (r) {
		/* free, but on a per-CPU list: no buddy list holds it */
		fi->state = FRAME_FREE;
		fi->head = r->pfn;
		fi->order = r->order;
		fi->migratetype = r->mt;
		fi->pcp_cpu = r->owner;
		return;
	}
	r = find_block(&pgdat->alloc_blocks, pfn);
	if (r) {
		fi->state = FRAME_ALLOCATED;
		fi->head = r->pfn;
		fi->order = r->order;
		fi->owner = (enum page_owner)r->owner;
		fi->owner_id = r->owner_id;
		fi->gfp = r->gfp;
		return;
	}
	fi->state = FRAME_RESERVED;
}

/* --- watermarks, reserves and pageset sizes --------------------------- */

/* Floor of the square root, exactly (int_sqrt). */
static uint64_t int_sqrt64(uint64_t x)
{
	uint64_t r = 0, bit = 1ull << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* Managed lowmem (the zones GFP_USER may use) above the high watermark. */
unsigned long nr_free_buffer_pages(const struct pglist_data *pgdat)
{
	unsigned long sum = 0;

	for (int j = 0; j <= ZONE_NORMAL; j++) {
		const struct zone *z = &pgdat->node_zones[j];

		if (z->managed_pages > z->watermark[WMARK_HIGH])
			sum += z->managed_pages - z->watermark[WMARK_HIGH];
	}
	return sum;
}

/*
 * 4 * sqrt(lowmem in KiB), clamped to [128 KiB, 256 MiB].  Only sets
 * min_free_kbytes: the kernel's init_per_zone_wmark_min() follows it with
 * setup_per_zone_wmarks() and setup_per_zone_lowmem_reserve(), and boot
 * calls those itself.
 */
void calculate_min_free_kbytes(struct pglist_data *pgdat)
{
	uint64_t lowmem_kbytes = (uint64_t)nr_free_buffer_pages(pgdat) *
				 (PAGE_SIZE >> 10);
	uint64_t v = int_sqrt64(lowmem_kbytes * 16);

	pgdat->min_free_kbytes = (uint32_t)MIN(MAX(v, 128u), 262144u);
}

/* What stays out of reach of ordinary allocations: per zone its largest
 * lowmem reserve plus its high watermark, at most all it manages. */
void calculate_totalreserve_pages(struct pglist_data *pgdat)
{
	uint32_t total = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &pgdat->node_zones[i];
		uint64_t max = 0;

		for (int j = i; j < MAX_NR_ZONES; j++)
			max = MAX(max, (uint64_t)z->lowmem_reserve[j]);
		max += z->watermark[WMARK_HIGH];
		total += (uint32_t)MIN(max, (uint64_t)z->managed_pages);
	}
	pgdat->totalreserve_pages = total;
}

/* __setup_per_zone_wmarks(): min_free_kbytes is shared among the lowmem
 * zones by size; highmem gets a small fixed min, because lowmem-only
 * allocations are the ones that must never run dry. */
static void setup_zone_wmarks(struct pglist_data *pgdat)
{
	uint64_t pages_min = pgdat->min_free_kbytes >> (PAGE_SHIFT - 10);
	uint64_t lowmem_pages = 0;

	for (int j = 0; j < MAX_NR_ZONES; j++)
		if (!zone_is_highmem(pgdat, j))
			lowmem_pages += pgdat->node_zones[j].managed_pages;

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = &pgdat->node_zones[j];
		uint64_t managed = z->managed_pages;
		uint64_t tmp = lowmem_pages ? pages_min * managed / lowmem_pages
					    : 0;
		uint64_t delta;

		if (zone_is_highmem(pgdat, j))
			z->watermark[WMARK_MIN] =
				(uint32_t)MIN(MAX(managed / 1024, 32u), 128u);
		else
			z->watermark[WMARK_MIN] = (uint32_t)tmp;
		/* watermark_scale_factor 10: the gaps are at least 0.1% of
		 * the zone */
		delta = MAX(tmp >> 2, managed * 10 / 10000);
		z->watermark[WMARK_LOW] = z->watermark[WMARK_MIN] +
					  (uint32_t)delta;
		z->watermark[WMARK_HIGH] = z->watermark[WMARK_LOW] +
					   (uint32_t)delta;
		z->watermark[WMARK_PROMO] = z->watermark[WMARK_HIGH] +
					    (uint32_t)delta;
	}
}

/*
 * setup_per_zone_wmarks(): the watermarks, then totalreserve_pages, then
 * the pageset sizes (6.1 runs zone_pcp_update() after every watermark
 * change, because pcp->high follows the low watermark).
 */
void setup_per_zone_wmarks(struct pglist_data *pgdat)
{
	setup_zone_wmarks(pgdat);
	calculate_totalreserve_pages(pgdat);
	setup_zone_pagesets(pgdat);
}

/*
 * lowmem_reserve[j] of zone i: pages zone i keeps back from requests that
 * could have used zone j, the managed pages of zones i+1..j divided by
 * zone i's ratio (DMA 256, Normal 32).  A GFP_HIGHUSER request can then
 * not drain lowmem that only lowmem requests can use.
 */
void setup_per_zone_lowmem_reserve(struct pglist_data *pgdat)
{
	static const uint32_t ratio[MAX_NR_ZONES] = { 256, 32, 0, 0 };

	for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
		struct zone *z = &pgdat->node_zones[i];
		bool clear = !ratio[i] || !z->managed_pages;
		uint64_t sum = 0;

		for (int j = i + 1; j < MAX_NR_ZONES; j++) {
			sum += pgdat->node_zones[j].managed_pages;
			z->lowmem_reserve[j] = clear ? 0 :
					       (uint32_t)(sum / ratio[i]);
		}
	}
	calculate_totalreserve_pages(pgdat);
}

/*
 * khugepaged's set_recommended_min_free_kbytes(): keep about eleven
 * pageblocks free per lowmem zone so huge pages can still be assembled,
 * but never more than 5% of lowmem.  Raises min_free_kbytes only, then
 * redoes the watermarks (not the lowmem reserves, as in the kernel).
 */
void set_recommended_min_free_kbytes(struct pglist_data *pgdat)
{
	uint64_t pb = pageblock_nr_pages(pgdat);
	uint64_t nr_zones = 0, recommended;

	for (int j = 0; j <= ZONE_NORMAL; j++)
		if (populated_zone(&pgdat->node_zones[j]))
			nr_zones++;
	/* two pageblocks, plus one per pair of the three mobility types */
	recommended = pb * nr_zones * 2 +
		      pb * nr_zones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
	recommended = MIN(recommended,
			  (uint64_t)nr_free_buffer_pages(pgdat) / 20);
	recommended <<= PAGE_SHIFT - 10;
	if (recommended > pgdat->min_free_kbytes)
		pgdat->min_free_kbytes = (uint32_t)recommended;
	setup_per_zone_wmarks(pgdat);
}

static uint32_t rounddown_pow_of_two(uint32_t x)
{
	uint32_t r = 1;

	while (r <= x / 2)
		r <<= 1;
	return r;
}

/*
 * zone_batchsize() and zone_highsize(): batch about 1/4000 of the zone, at
 * most 63, as 2^n - 1 (a power of two had bad cache colouring); high is the
 * low watermark shared among the online CPUs, at least four batches.
 */
void setup_zone_pagesets(struct pglist_data *pgdat)
{
	unsigned cpus = pgdat->nr_cpus ? pgdat->nr_cpus : 1;

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = &pgdat->node_zones[j];
		uint32_t batch = MIN(z->managed_pages >> 10,
				     (uint32_t)(SZ_1M / PAGE_SIZE));
		uint32_t high;

		batch /= 4;
		if (batch < 1)
			batch = 1;
		batch = rounddown_pow_of_two(batch + batch / 2) - 1;
		batch = MAX(batch, 1u);
		high = z->watermark[WMARK_LOW] / cpus;
		z->pcp_batch = batch;
		z->pcp_high = MAX(high, batch * 4);
	}
}

/* --- node setup and teardown ------------------------------------------ */

/*
 * memmap_init(): boot marks a pageblock movable through its first page,
 * and only pages inside both the zone and a RAM range are initialised.
 * So a pageblock whose first pfn is a hole (pfn 0 on a PC) or lies in the
 * zone below stays 0, MIGRATE_UNMOVABLE: the real DMA zone shows one
 * Unmovable pageblock and HighMem's partial first one is Unmovable too.
 */
static void init_pageblocks(struct pglist_data *pgdat, int zi)
{
	struct zone *z = &pgdat->node_zones[zi];
	uint32_t n = zone_nr_pageblocks(pgdat, z);
	pfn_t base = pageblock_base(pgdat, z);

	z->pageblock_mt = xcalloc(n, 1);
	if (!populated_zone(z))
		return;
	for (uint32_t b = 0; b < n; b++) {
		pfn_t p = base + b * pageblock_nr_pages(pgdat);

		if (zone_spans_pfn(z, p) && pfn_is_ram(pgdat, p))
			z->pageblock_mt[b] = MIGRATE_MOVABLE;
	}
}

void pglist_init(struct pglist_data *pgdat)
{
	pfnmap_init(&pgdat->free_blocks);
	pfnmap_init(&pgdat->alloc_blocks);
	pcp_init(pgdat);
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = &pgdat->node_zones[j];

		for (unsigned o = 0; o < MAX_ORDER; o++) {
			struct free_area *a = &z->free_area[o];

			for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
				a->head[mt] = a->tail[mt] = PFN_NONE;
				a->nr[mt] = 0;
			}
			a->nr_free = 0;
		}
		z->nr_reserved_highatomic = 0;
		z->pageblock_mt = NULL;
		if (z->spanned_pages)
			init_pageblocks(pgdat, j);
	}
}

void pglist_free(struct pglist_data *pgdat)
{
	pfnmap_free(&pgdat->free_blocks);
	pfnmap_free(&pgdat->alloc_blocks);
	pcp_free(pgdat);
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		free(pgdat->node_zones[j].pageblock_mt);
		pgdat->node_zones[j].pageblock_mt = NULL;
	}
	free(pgdat->ranges);
	pgdat->ranges = NULL;
	pgdat->nr_ranges = 0;
}

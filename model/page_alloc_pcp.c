/*
 * page_alloc_pcp.c - the per-CPU page lists of Linux 6.1's page allocator
 * (struct per_cpu_pages: rmqueue_pcplist, rmqueue_bulk, free_unref_page,
 * free_pcppages_bulk, nr_pcp_free, nr_pcp_high in mm/page_alloc.c).
 *
 * Blocks of order 0 to PAGE_ALLOC_COSTLY_ORDER, and of the THP order
 * (pageblock_order), are allocated from and freed to a per-CPU list of
 * their (migratetype, order).  An empty list is refilled with a batch of
 * blocks from the buddy lists (each taken as __rmqueue would, steals and
 * all, and added at the list's tail, so the list runs in the order the
 * buddy allocator gave them); an allocation takes the head; a free goes to
 * the head, so the page freed last is the one handed out next.  When the
 * CPU's lists hold high pages or more, free_pcppages_bulk gives a batch
 * back, taking the oldest (tail) blocks of the lists round-robin from the
 * list just freed to.  Pages on the lists are in no buddy list and not in
 * NR_FREE_PAGES: MemFree, buddyinfo and the watermark checks leave them
 * out, as the kernel's do.
 *
 * What the model leaves out, and why that is safe:
 *  - Which CPU runs an operation.  The model has no scheduler, so every
 *    allocation and free runs on CPU 0 (the boot CPU); the other CPUs'
 *    lists exist and zoneinfo prints them, but stay empty.
 *  - ZONE_RECLAIM_ACTIVE (nr_pcp_high cuts high to 4 batches while kswapd
 *    balances the zone): the model's kswapd never runs (nothing is
 *    reclaimable), so the flag is never set.
 *  - The vmstat worker's drain of remote pages: NUMA only, and i386 has
 *    one node.
 *  - drain_all_pages at the kernel's call sites: direct reclaim drains only
 *    after it made progress, which the model's reclaim never does; memory
 *    offline, compaction and alloc_contig_range are not modelled.  The
 *    function is here for the tests, which drain to compare buddy states.
 *  - Isolated pageblocks (free_pcppages_bulk re-reading the pageblock's
 *    type): nothing in the model isolates a pageblock.
 *  - CMA (the movable list's CMA check): Debian's 686 kernels have no CMA.
 *    That check is the only gfp or alloc_flags test 6.1 makes before using
 *    the lists (pcp_allowed_order() looks at the order alone: __GFP_COMP
 *    and ALLOC_HARDER go through them too), so nothing else bypasses them.
 *
 * Records: pgdat->pcp_pages holds every page (block head) on a list, with
 * owner the CPU, owner_id the list index, mt the migratetype the page goes
 * back to the buddy allocator with (get_pcppage_migratetype), prev/next
 * the list links.
 */
#include "page_alloc_internal.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* The model's one running CPU (see above). */
#define THIS_CPU 0

bool pcp_allowed_order(const struct pglist_data *pgdat, unsigned order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER ||
	       order == pgdat->pageblock_order;
}

/* Lists 0-11: three per order 0-3 (migratetype + 3 * order); 12: THP. */
static unsigned order_to_pindex(int mt, unsigned order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS;
	return MIGRATE_PCPTYPES * order + (unsigned)mt;
}

static unsigned pindex_to_order(const struct pglist_data *pgdat,
				unsigned pindex)
{
	if (pindex == NR_LOWORDER_PCP_LISTS)
		return pgdat->pageblock_order;
	return pindex / MIGRATE_PCPTYPES;
}

/* The boot pageset (high 0, batch 1) until setup_per_cpu_pageset(). */
static uint32_t pcp_high(const struct pglist_data *pgdat, const struct zone *z)
{
	return pgdat->pcp_ready ? z->pcp_high : 0;
}

static uint32_t pcp_batch(const struct pglist_data *pgdat,
			  const struct zone *z)
{
	return pgdat->pcp_ready ? z->pcp_batch : 1;
}

/* --- the lists -------------------------------------------------------- */

static void pcp_add(struct pglist_data *pgdat, int zi, unsigned cpu,
		    pfn_t pfn, unsigned order, int mt, unsigned pindex,
		    bool tail)
{
	struct per_cpu_pages *pcp = &pgdat->node_zones[zi].pcp[cpu];
	struct pfn_rec *r = pfnmap_put(&pgdat->pcp_pages, pfn);

	pgdat->changes++;
	r->order = (uint8_t)order;
	r->zone = (uint8_t)zi;
	r->mt = (uint8_t)mt;
	r->owner = (uint8_t)cpu;
	r->owner_id = pindex;
	if (tail) {
		r->prev = pcp->tail[pindex];
		r->next = PFN_NONE;
		if (pcp->tail[pindex] != PFN_NONE)
			pfnmap_get(&pgdat->pcp_pages, pcp->tail[pindex])->next =
				pfn;
		else
			pcp->head[pindex] = pfn;
		pcp->tail[pindex] = pfn;
	} else {
		r->prev = PFN_NONE;
		r->next = pcp->head[pindex];
		if (pcp->head[pindex] != PFN_NONE)
			pfnmap_get(&pgdat->pcp_pages, pcp->head[pindex])->prev =
				pfn;
		else
			pcp->tail[pindex] = pfn;
		pcp->head[pindex] = pfn;
	}
	pcp->count += 1u << order;
}

/* Take pfn off its list and forget it; returns its migratetype. */
static int pcp_del(struct pglist_data *pgdat, pfn_t pfn)
{
	struct pfn_rec *r = pfnmap_get(&pgdat->pcp_pages, pfn);
	struct per_cpu_pages *pcp = &pgdat->node_zones[r->zone].pcp[r->owner];
	unsigned pindex = r->owner_id;
	int mt = r->mt;

	pgdat->changes++;
	if (r->prev != PFN_NONE)
		pfnmap_get(&pgdat->pcp_pages, r->prev)->next = r->next;
	else
		pcp->head[pindex] = r->next;
	if (r->next != PFN_NONE)
		pfnmap_get(&pgdat->pcp_pages, r->next)->prev = r->prev;
	else
		pcp->tail[pindex] = r->prev;
	pcp->count -= 1u << r->order;
	pfnmap_del(&pgdat->pcp_pages, pfn);
	return mt;
}

static void fill_event(const struct pglist_data *pgdat, int zi, unsigned cpu,
		       int list_mt, struct pcp_event *ev)
{
	const struct zone *z = &pgdat->node_zones[zi];

	ev->cpu = (int)cpu;
	ev->list_mt = list_mt;
	ev->count = z->pcp[cpu].count;
	ev->high = pcp_high(pgdat, z);
	ev->batch = pcp_batch(pgdat, z);
}

/* --- allocation ------------------------------------------------------- */

/*
 * rmqueue_bulk(): count blocks from the buddy lists to the list's tail, in
 * the order __rmqueue gives them; the zone's free pages drop by all of
 * them at once.  Returns the number taken.
 */
static uint32_t rmqueue_bulk(struct pglist_data *pgdat, int zi, unsigned cpu,
			     unsigned order, uint32_t count, unsigned pindex,
			     int mt, int *stolen_from)
{
	uint32_t i;

	for (i = 0; i < count; i++) {
		pfn_t pfn = __rmqueue(pgdat, zi, order, mt, stolen_from);

		if (pfn == PFN_NONE)
			break;
		/* set_pcppage_migratetype(): the type it was asked for */
		pcp_add(pgdat, zi, cpu, pfn, order, mt, pindex, true);
	}
	pgdat->node_zones[zi].nr_free_pages -= i << order;
	return i;
}

pfn_t rmqueue_pcplist(struct pglist_data *pgdat, int zi, unsigned order,
		      int mt, struct pcp_event *ev)
{
	struct zone *z = &pgdat->node_zones[zi];
	struct per_cpu_pages *pcp = &z->pcp[THIS_CPU];
	unsigned pindex = order_to_pindex(mt, order);
	pfn_t pfn;

	memset(ev, 0, sizeof(*ev));
	ev->stolen_from = -1;
	/* an allocation halves how hard the next frees drain */
	pcp->free_factor >>= 1;
	if (pcp->head[pindex] == PFN_NONE) {
		uint32_t batch = pcp_batch(pgdat, z);

		/* a real pageset scales its batch down for bigger blocks */
		if (batch > 1)
			batch = MAX(batch >> order, 2u);
		ev->refilled = rmqueue_bulk(pgdat, zi, THIS_CPU, order, batch,
					    pindex, mt, &ev->stolen_from);
	}
	pfn = pcp->head[pindex];
	if (pfn != PFN_NONE)
		pcp_del(pgdat, pfn);
	fill_event(pgdat, zi, THIS_CPU, mt, ev);
	return pfn;
}

/* --- freeing ---------------------------------------------------------- */

/*
 * free_pcppages_bulk(): give count pages back, starting with the list
 * after the one before pindex (so pindex itself first), taking blocks
 * from each list's tail and moving round-robin to the next non-empty
 * list whenever one runs dry.
 */
static uint32_t free_pcppages_bulk(struct pglist_data *pgdat, int zi,
				   unsigned cpu, uint32_t count, int pindex)
{
	struct zone *z = &pgdat->node_zones[zi];
	struct per_cpu_pages *pcp = &z->pcp[cpu];
	int min_pindex = 0, max_pindex = NR_PCP_LISTS - 1;
	long left = MIN(count, pcp->count);
	uint32_t freed = 0;

	pindex--;
	while (left > 0) {
		unsigned order;

		for (;;) {
			if (++pindex > max_pindex)
				pindex = min_pindex;
			if (pcp->head[pindex] != PFN_NONE)
				break;
			if (pindex == max_pindex)
				max_pindex--;
			if (pindex == min_pindex)
				min_pindex++;
		}
		order = pindex_to_order(pgdat, (unsigned)pindex);
		do {
			pfn_t pfn = pcp->tail[pindex];
			int mt = pcp_del(pgdat, pfn);

			left -= 1L << order;
			freed += 1u << order;
			z->nr_free_pages += 1u << order;
			__free_one_page(pgdat, zi, pfn, order, mt, FPI_NONE);
		} while (left > 0 && pcp->head[pindex] != PFN_NONE);
	}
	return freed;
}

/*
 * nr_pcp_free(): how many pages a free over high gives back.  Freeing
 * high-order pages with no allocation in between gives back everything;
 * otherwise a batch, doubled for each free since the last allocation,
 * between one batch and high minus one batch.  The boot pageset gives
 * back the one page just freed.
 */
static uint32_t nr_pcp_free(struct per_cpu_pages *pcp, uint32_t high,
			    uint32_t batch, bool free_high)
{
	uint32_t min_nr_free, max_nr_free;
	uint64_t b;

	if (free_high)
		return pcp->count;
	if (high < batch)
		return 1;
	min_nr_free = batch;
	max_nr_free = high - batch;
	b = (uint64_t)batch << MIN(pcp->free_factor, 31u);
	if (b < max_nr_free)
		pcp->free_factor++;
	return (uint32_t)MIN(MAX(b, (uint64_t)min_nr_free),
			     (uint64_t)max_nr_free);
}

void free_unref_page(struct pglist_data *pgdat, int zi, pfn_t pfn,
		     unsigned order, struct pcp_event *ev)
{
	struct zone *z = &pgdat->node_zones[zi];
	struct per_cpu_pages *pcp = &z->pcp[THIS_CPU];
	int mt = pageblock_mt_of(pgdat, zi, pfn), list_mt = mt;
	uint32_t high;
	unsigned pindex;
	bool free_high;

	memset(ev, 0, sizeof(*ev));
	ev->stolen_from = -1;
	if (mt >= MIGRATE_PCPTYPES) {
		if (mt == MIGRATE_ISOLATE) {
			ev->cpu = -1;
			z->nr_free_pages += 1u << order;
			__free_one_page(pgdat, zi, pfn, order, mt, FPI_NONE);
			return;
		}
		/* a highatomic page waits on the movable list, but goes
		 * back to the highatomic one */
		list_mt = MIGRATE_MOVABLE;
	}
	pindex = order_to_pindex(list_mt, order);
	pcp_add(pgdat, zi, THIS_CPU, pfn, order, mt, pindex, false);

	/* nr_pcp_high(): high-order frees with no allocation since the
	 * last drain do not stay (high 0) */
	free_high = pcp->free_factor && order && order <= PAGE_ALLOC_COSTLY_ORDER;
	high = free_high ? 0 : pcp_high(pgdat, z);
	if (pcp->count >= high) {
		uint32_t n = nr_pcp_free(pcp, high, pcp_batch(pgdat, z),
					 free_high);

		ev->drained = free_pcppages_bulk(pgdat, zi, THIS_CPU, n,
						 (int)pindex);
	}
	ev->kept = pfnmap_get(&pgdat->pcp_pages, pfn) != NULL;
	fill_event(pgdat, zi, THIS_CPU, list_mt, ev);
}

/* --- set-up and drains ------------------------------------------------ */

static unsigned nr_pcp_cpus(const struct pglist_data *pgdat)
{
	return pgdat->nr_cpus ? pgdat->nr_cpus : 1;
}

void pcp_clear(struct pglist_data *pgdat)
{
	pfnmap_free(&pgdat->pcp_pages);
	pfnmap_init(&pgdat->pcp_pages);
	pgdat->pcp_ready = false;
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = &pgdat->node_zones[j];

		for (unsigned cpu = 0; cpu < nr_pcp_cpus(pgdat); cpu++) {
			struct per_cpu_pages *pcp = &z->pcp[cpu];

			pcp->count = pcp->free_factor = 0;
			for (unsigned i = 0; i < NR_PCP_LISTS; i++)
				pcp->head[i] = pcp->tail[i] = PFN_NONE;
		}
	}
}

void pcp_init(struct pglist_data *pgdat)
{
	pfnmap_init(&pgdat->pcp_pages);
	for (int j = 0; j < MAX_NR_ZONES; j++)
		pgdat->node_zones[j].pcp = xcalloc(nr_pcp_cpus(pgdat),
						   sizeof(struct per_cpu_pages));
	pcp_clear(pgdat);
}

void pcp_free(struct pglist_data *pgdat)
{
	pfnmap_free(&pgdat->pcp_pages);
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		free(pgdat->node_zones[j].pcp);
		pgdat->node_zones[j].pcp = NULL;
	}
}

void setup_per_cpu_pageset(struct pglist_data *pgdat)
{
	setup_zone_pagesets(pgdat);
	pgdat->pcp_ready = true;
}

void drain_all_pages(struct pglist_data *pgdat)
{
	for (int j = 0; j < MAX_NR_ZONES; j++)
		for (unsigned cpu = 0; cpu < nr_pcp_cpus(pgdat); cpu++)
			if (pgdat->node_zones[j].pcp[cpu].count)
				free_pcppages_bulk(pgdat, j, cpu,
					pgdat->node_zones[j].pcp[cpu].count, 0);
}

uint32_t zone_pcp_pages(const struct pglist_data *pgdat, int j)
{
	uint32_t n = 0;

	for (unsigned cpu = 0; cpu < nr_pcp_cpus(pgdat); cpu++)
		n += pgdat->node_zones[j].pcp[cpu].count;
	return n;
}

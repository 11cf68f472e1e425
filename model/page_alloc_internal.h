/*
 * page_alloc_internal.h - what page_alloc.c and page_alloc_pcp.c share:
 * the buddy lists' own operations, which nothing outside the page
 * allocator may call (mm/internal.h plays this part in the kernel).
 */
#ifndef MM_PAGE_ALLOC_INTERNAL_H
#define MM_PAGE_ALLOC_INTERNAL_H

#include "page_alloc.h"

enum fpi_flags { FPI_NONE = 0, FPI_TO_TAIL = 1 };

/* Merge (pfn, order) with its free buddies and queue it on list mt; the
 * caller counts the pages into nr_free_pages. */
void __free_one_page(struct pglist_data *pgdat, int zi, pfn_t pfn,
		     unsigned order, int mt, enum fpi_flags fpi);
/* __rmqueue(): the smallest block of mt's lists, else a fallback steal
 * and a second try (no highatomic reserve, no nr_free_pages change).
 * *stolen_from is the migratetype stolen from, or left alone. */
pfn_t __rmqueue(struct pglist_data *pgdat, int zi, unsigned order, int mt,
		int *stolen_from);
/* The migratetype of the pageblock holding pfn (pfn in zone zi). */
int pageblock_mt_of(const struct pglist_data *pgdat, int zi, pfn_t pfn);

/* page_alloc_pcp.c */
bool pcp_allowed_order(const struct pglist_data *pgdat, unsigned order);
/* rmqueue_pcplist(): a block from this CPU's list, refilled from the
 * buddy lists when empty; PFN_NONE when the refill found nothing. */
pfn_t rmqueue_pcplist(struct pglist_data *pgdat, int zi, unsigned order,
		      int mt, struct pcp_event *ev);
/* free_unref_page(): the block goes to the head of this CPU's list, and
 * a batch back to the buddy lists when the list is over high. */
void free_unref_page(struct pglist_data *pgdat, int zi, pfn_t pfn,
		     unsigned order, struct pcp_event *ev);

#endif

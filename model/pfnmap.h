/*
 * pfnmap.h - a hash map from a block's first pfn to what the model knows
 * about that block.
 *
 * The kernel keeps a struct page for every frame (40 bytes each on Debian's
 * i386 build, 20 MiB for 2 GiB of RAM).  The model keeps a record only for
 * the head of each free block and each allocated block: the buddy system
 * only ever asks about naturally aligned blocks, so "is the block of order
 * o that contains pfn p free?" is a look-up of p & ~((1 << o) - 1).  A fresh
 * 4 GiB machine holds about a thousand free blocks, a few tens of KiB.
 *
 * Open addressing with linear probing and backward-shift deletion: no
 * tombstones, so a long-lived machine never degrades.
 */
#ifndef MM_PFNMAP_H
#define MM_PFNMAP_H

#include "types.h"

#define PFN_NONE UINT32_MAX

struct pfn_rec {
	pfn_t pfn;		/* key; PFN_NONE marks an empty slot */
	uint8_t order;
	uint8_t mt;		/* migratetype of a free block */
	uint8_t owner;		/* enum page_owner of an allocated block */
	uint8_t zone;		/* enum zone_type */
	/* a block is free (on a list) or allocated, never both: 20 bytes a
	 * record, not 24 (the block maps are most of a machine's memory) */
	union {
		struct {
			pfn_t prev, next;	/* free-list links (free
						 * blocks only) */
		};
		struct {
			/* an allocated block: 1 + its index in its
			 * owner's own table (a slab's slot in
			 * slab_state.slab), 0 for none */
			uint32_t owner_index;
			uint32_t gfp;	/* its gfp mask */
		};
	};
	uint32_t owner_id;	/* owner's own id (cache, process, area) */
};

struct pfnmap {
	struct pfn_rec *slot;
	uint32_t cap;		/* slots (any number: see pfn_home) */
	uint32_t count;
};

void pfnmap_init(struct pfnmap *m);
void pfnmap_free(struct pfnmap *m);
void pfnmap_copy(struct pfnmap *dst, const struct pfnmap *src);
/*
 * PFN_NONE is never a key: get finds nothing, put refuses it (NULL, the
 * map unchanged), del finds nothing to remove.
 */
struct pfn_rec *pfnmap_get(const struct pfnmap *m, pfn_t pfn);
/* Insert a record for pfn (which must be absent); returns it zeroed. */
struct pfn_rec *pfnmap_put(struct pfnmap *m, pfn_t pfn);
/*
 * Grow now to the capacity the puts would reach holding n records (a
 * no-op if it already has it): one rehash, not one at each step.  Host
 * bytes stay what they would have been as long as the map does come to
 * hold n records.
 */
void pfnmap_reserve(struct pfnmap *m, uint32_t n);
/* Remove pfn's record; returns false if it was absent. */
bool pfnmap_del(struct pfnmap *m, pfn_t pfn);
/* Host bytes the map holds. */
size_t pfnmap_bytes(const struct pfnmap *m);

/* Iterate: for (i = 0; i < m->cap; i++) if (m->slot[i].pfn != PFN_NONE) */

#endif

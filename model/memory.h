/*
 * memory.h - the bytes of simulated RAM.  Only pages that were ever
 * written take host memory; every other page reads as zeros.
 */
#ifndef MM_MEMORY_H
#define MM_MEMORY_H

#include "pfnmap.h"
#include "types.h"

struct physmem {
	struct pfnmap index;	/* pfn -> slot (in pfn_rec.owner_id) */
	uint8_t **pages;	/* slot -> 4 KiB of contents */
	uint32_t nr, cap;
	uint32_t *free_slots;	/* slots of dropped pages, for reuse */
	uint32_t nr_free;
	uint64_t changes;	/* bumped by every write; not state (pgdat's) */
};

void physmem_init(struct physmem *pm);
void physmem_free(struct physmem *pm);
/* Frames at or past the 36-bit physical limit (PFN_NONE among them)
 * hold nothing: peek gives NULL, touch NULL, zero does nothing. */
/* The page's bytes, or NULL when it has never been written (zeros). */
const uint8_t *physmem_peek(const struct physmem *pm, pfn_t pfn);
/* The page's bytes for writing, created zeroed on first touch. */
uint8_t *physmem_touch(struct physmem *pm, pfn_t pfn);
/* Forget a page's contents: it reads as zeros again (clear_page). */
void physmem_zero(struct physmem *pm, pfn_t pfn);
size_t physmem_bytes(const struct physmem *pm);

/*
 * Byte access across page boundaries.  A range that does not lie inside
 * the 36-bit physical space is refused whole (false: nothing written,
 * zeros read); callers check ranges first, this is the last line.
 */
bool physmem_read(const struct physmem *pm, phys_addr_t pa, void *buf,
		  size_t len);
bool physmem_write(struct physmem *pm, phys_addr_t pa, const void *buf,
		   size_t len);

#endif

/*
 * memblock.h - the boot-time memory allocator (mm/memblock.c): the RAM the
 * firmware reported, the ranges the kernel keeps for itself, and top-down
 * allocation from what is left, before the buddy allocator exists.
 */
#ifndef MM_MEMBLOCK_H
#define MM_MEMBLOCK_H

#include "types.h"

struct memblock_region {
	phys_addr_t base;
	phys_addr_t size;
	const char *name;	/* what the kernel keeps there (static text) */
};

struct memblock_type {
	uint32_t cnt;
	uint32_t max;
	struct memblock_region *regions;	/* sorted by base */
};

struct memblock {
	struct memblock_type memory;	/* merged, page-trimmed RAM */
	struct memblock_type reserved;	/* named, may touch or overlap */
	phys_addr_t current_limit;	/* allocations stay below this */
};

void memblock_init(struct memblock *mb);
void memblock_free_tables(struct memblock *mb);
void memblock_add(struct memblock *mb, phys_addr_t base, phys_addr_t size);
void memblock_reserve(struct memblock *mb, phys_addr_t base,
		      phys_addr_t size, const char *name);
/* Forget a reservation that starts at base (free_reserved_area). */
void memblock_unreserve(struct memblock *mb, phys_addr_t base);
/* Throw away partial pages of RAM (memblock_trim_memory). */
void memblock_trim_memory(struct memblock *mb, phys_addr_t align);
/*
 * memblock_alloc_range: the highest free, aligned range of size bytes
 * inside [min_addr, max_addr) and below current_limit; reserved under
 * name.  Returns 0 when nothing fits (address 0 is never free: the first
 * MiB is reserved before anything is allocated).
 */
phys_addr_t memblock_alloc_range(struct memblock *mb, phys_addr_t size,
				 phys_addr_t align, phys_addr_t min_addr,
				 phys_addr_t max_addr, const char *name);
bool memblock_is_reserved(const struct memblock *mb, phys_addr_t addr);
/* Whether [base, base + size) lies inside one region of RAM. */
bool memblock_is_region_memory(const struct memblock *mb, phys_addr_t base,
			       phys_addr_t size);

/* Call fn for every free range [start, end) of RAM, in address order. */
void memblock_for_each_free(const struct memblock *mb,
			    void (*fn)(void *ctx, phys_addr_t start,
				       phys_addr_t end),
			    void *ctx);

#endif

/* memory.c - sparse contents of simulated RAM. */
#include "memory.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "strbuf.h"

/* Frames the 36-bit physical space holds: pfns from here on (PFN_NONE
 * among them) name no frame and are never looked up. */
#define PHYSMEM_PFN_LIMIT ((pfn_t)(PHYS_LIMIT >> PAGE_SHIFT))

void physmem_init(struct physmem *pm)
{
	memset(pm, 0, sizeof(*pm));
	pfnmap_init(&pm->index);
}

void physmem_free(struct physmem *pm)
{
	for (uint32_t i = 0; i < pm->nr; i++)
		free(pm->pages[i]);
	free(pm->pages);
	free(pm->free_slots);
	pfnmap_free(&pm->index);
	memset(pm, 0, sizeof(*pm));
}

const uint8_t *physmem_peek(const struct physmem *pm, pfn_t pfn)
{
	const struct pfn_rec *r = pfn < PHYSMEM_PFN_LIMIT ?
				  pfnmap_get(&pm->index, pfn) : NULL;

	return r ? pm->pages[r->owner_id] : NULL;
}

uint8_t *physmem_touch(struct physmem *pm, pfn_t pfn)
{
	struct pfn_rec *r;
	uint32_t slot;

	if (pfn >= PHYSMEM_PFN_LIMIT)
		return NULL;
	r = pfnmap_get(&pm->index, pfn);
	/* a caller takes the page to write it */
	pm->changes++;
	if (r)
		return pm->pages[r->owner_id];
	if (pm->nr_free) {
		slot = pm->free_slots[--pm->nr_free];
	} else {
		if (pm->nr == pm->cap) {
			pm->cap = pm->cap ? pm->cap * 2 : 16;
			pm->pages = xrealloc(pm->pages,
					     pm->cap * sizeof(*pm->pages));
			pm->free_slots = xrealloc(pm->free_slots,
					pm->cap * sizeof(*pm->free_slots));
		}
		slot = pm->nr++;
		pm->pages[slot] = xmalloc(PAGE_SIZE);
	}
	memset(pm->pages[slot], 0, PAGE_SIZE);
	pfnmap_put(&pm->index, pfn)->owner_id = slot;
	return pm->pages[slot];
}

void physmem_zero(struct physmem *pm, pfn_t pfn)
{
	struct pfn_rec *r = pfn < PHYSMEM_PFN_LIMIT ?
			    pfnmap_get(&pm->index, pfn) : NULL;

	if (!r)
		return;
	pm->changes++;
	pm->free_slots[pm->nr_free++] = r->owner_id;
	pfnmap_del(&pm->index, pfn);
}

size_t physmem_bytes(const struct physmem *pm)
{
	return pfnmap_bytes(&pm->index) + (size_t)pm->cap * (sizeof(void *) +
		sizeof(uint32_t)) + (size_t)pm->nr * PAGE_SIZE;
}

bool physmem_read(const struct physmem *pm, phys_addr_t pa, void *buf,
		  size_t len)
{
	uint8_t *out = buf;

	if (!range_fits(pa, len, PHYS_LIMIT)) {
		memset(buf, 0, len);
		return false;
	}
	while (len) {
		size_t off = pa & (PAGE_SIZE - 1);
		size_t n = MIN(len, PAGE_SIZE - off);
		const uint8_t *page = physmem_peek(pm, PFN_DOWN(pa));

		if (page)
			memcpy(out, page + off, n);
		else
			memset(out, 0, n);
		out += n;
		pa += n;
		len -= n;
	}
	return true;
}

bool physmem_write(struct physmem *pm, phys_addr_t pa, const void *buf,
		   size_t len)
{
	const uint8_t *in = buf;

	if (!range_fits(pa, len, PHYS_LIMIT))
		return false;
	while (len) {
		size_t off = pa & (PAGE_SIZE - 1);
		size_t n = MIN(len, PAGE_SIZE - off);

		memcpy(physmem_touch(pm, PFN_DOWN(pa)) + off, in, n);
		in += n;
		pa += n;
		len -= n;
	}
	return true;
}

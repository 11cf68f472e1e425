/*
 * memblock.c - boot memory: RAM regions, named reservations, top-down
 * allocation.  Regions are few (tens), so plain sorted arrays do.
 */
#include "memblock.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void memblock_init(struct memblock *mb)
{
	memset(mb, 0, sizeof(*mb));
	mb->current_limit = ~(phys_addr_t)0;
}

void memblock_free_tables(struct memblock *mb)
{
	free(mb->memory.regions);
	free(mb->reserved.regions);
	memset(mb, 0, sizeof(*mb));
}

static void type_insert(struct memblock_type *t, phys_addr_t base,
			phys_addr_t size, const char *name)
{
	uint32_t i;

	if (t->cnt == t->max) {
		t->max = t->max ? t->max * 2 : 16;
		t->regions = xrealloc(t->regions, t->max * sizeof(*t->regions));
	}
	for (i = t->cnt; i > 0 && t->regions[i - 1].base > base; i--)
		t->regions[i] = t->regions[i - 1];
	t->regions[i] = (struct memblock_region){ base, size, name };
	t->cnt++;
}

static void type_remove(struct memblock_type *t, uint32_t i)
{
	memmove(&t->regions[i], &t->regions[i + 1],
		(t->cnt - i - 1) * sizeof(*t->regions));
	t->cnt--;
}

/* RAM regions are merged when they touch, as memblock_add() does. */
void memblock_add(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	struct memblock_type *t = &mb->memory;
	uint32_t i = 0;

	if (!size)
		return;
	type_insert(t, base, size, "System RAM");
	while (i + 1 < t->cnt) {
		struct memblock_region *a = &t->regions[i], *b = a + 1;

		if (a->base + a->size >= b->base) {
			phys_addr_t end = MAX(a->base + a->size,
					      b->base + b->size);
			a->size = end - a->base;
			type_remove(t, i + 1);
		} else {
			i++;
		}
	}
}

void memblock_reserve(struct memblock *mb, phys_addr_t base,
		      phys_addr_t size, const char *name)
{
	if (size)
		type_insert(&mb->reserved, base, size, name);
}

void memblock_unreserve(struct memblock *mb, phys_addr_t base)
{
	for (uint32_t i = 0; i < mb->reserved.cnt; i++) {
		if (mb->reserved.regions[i].base == base) {
			type_remove(&mb->reserved, i);
			return;
		}
	}
}

void memblock_trim_memory(struct memblock *mb, phys_addr_t align)
{
	struct memblock_type *t = &mb->memory;

	for (uint32_t i = 0; i < t->cnt;) {
		struct memblock_region *r = &t->regions[i];
		phys_addr_t start = ALIGN_UP(r->base, align);
		phys_addr_t end = ALIGN_DOWN(r->base + r->size, align);

		if (start >= end) {
			type_remove(t, i);
			continue;
		}
		r->base = start;
		r->size = end - start;
		i++;
	}
}

bool memblock_is_reserved(const struct memblock *mb, phys_addr_t addr)
{
	for (uint32_t i = 0; i < mb->reserved.cnt; i++) {
		const struct memblock_region *r = &mb->reserved.regions[i];

		if (addr >= r->base && addr < r->base + r->size)
			return true;
	}
	return false;
}

bool memblock_is_region_memory(const struct memblock *mb, phys_addr_t base,
			       phys_addr_t size)
{
	for (uint32_t i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];

		if (r->base <= base && base + size <= r->base + r->size)
			return true;
	}
	return false;
}

/*
 * Walk the free ranges: RAM minus every reservation.  Reservations are
 * sorted by base and may overlap, so track the furthest end seen.
 */
void memblock_for_each_free(const struct memblock *mb,
			    void (*fn)(void *ctx, phys_addr_t start,
				       phys_addr_t end),
			    void *ctx)
{
	for (uint32_t m = 0; m < mb->memory.cnt; m++) {
		phys_addr_t pos = mb->memory.regions[m].base;
		phys_addr_t end = pos + mb->memory.regions[m].size;

		for (uint32_t r = 0; r < mb->reserved.cnt && pos < end; r++) {
			const struct memblock_region *rr =
				&mb->reserved.regions[r];
			phys_addr_t rend = rr->base + rr->size;

			if (rend <= pos)
				continue;
			if (rr->base >= end)
				break;
			if (rr->base > pos)
				fn(ctx, pos, rr->base);
			pos = MAX(pos, rend);
		}
		if (pos < end)
			fn(ctx, pos, end);
	}
}

struct fit {
	phys_addr_t size, align, lo, hi;
	phys_addr_t found;
};

/* Keep the highest aligned start that fits: the walk is in address
 * order, so the last fit wins. */
static void fit_range(void *ctx, phys_addr_t start, phys_addr_t end)
{
	struct fit *f = ctx;
	phys_addr_t cand;

	start = MAX(start, f->lo);
	end = MIN(end, f->hi);
	if (end <= start || end - start < f->size)
		return;
	cand = ALIGN_DOWN(end - f->size, f->align);
	if (cand >= start)
		f->found = cand;
}

phys_addr_t memblock_alloc_range(struct memblock *mb, phys_addr_t size,
				 phys_addr_t align, phys_addr_t min_addr,
				 phys_addr_t max_addr, const char *name)
{
	struct fit f = { size, align ? align : 1, MAX(min_addr, 1),
			 MIN(max_addr, mb->current_limit), 0 };

	if (!size)
		return 0;
	memblock_for_each_free(mb, fit_range, &f);
	if (f.found)
		memblock_reserve(mb, f.found, size, name);
	return f.found;
}

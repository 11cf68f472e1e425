/* pfnmap.c - open-addressing hash map keyed by pfn. */
#include "pfnmap.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define PFNMAP_MIN 64

/* pfn's home slot in a table of cap slots.  Fibonacci hashing (block
 * heads are multiples of 1 << order, so the low bits alone would pile
 * them into a few slots), scaled to cap by a multiply rather than a mask,
 * so cap need not be a power of two. */
static uint32_t pfn_home(pfn_t pfn, uint32_t cap)
{
	return (uint32_t)(((uint64_t)(pfn * 2654435769u) * cap) >> 32);
}

static uint32_t next_slot(const struct pfnmap *m, uint32_t i)
{
	return i + 1 == m->cap ? 0 : i + 1;
}

static void pfnmap_alloc(struct pfnmap *m, uint32_t cap)
{
	m->slot = xmalloc(sizeof(*m->slot) * cap);
	for (uint32_t i = 0; i < cap; i++)
		m->slot[i].pfn = PFN_NONE;
	m->cap = cap;
	m->count = 0;
}

void pfnmap_init(struct pfnmap *m)
{
	pfnmap_alloc(m, PFNMAP_MIN);
}

void pfnmap_free(struct pfnmap *m)
{
	free(m->slot);
	m->slot = NULL;
	m->cap = 0;
	m->count = 0;
}

void pfnmap_copy(struct pfnmap *dst, const struct pfnmap *src)
{
	size_t n = src->cap;

	dst->slot = xmalloc(sizeof(*dst->slot) * n);
	memcpy(dst->slot, src->slot, sizeof(*dst->slot) * n);
	dst->cap = src->cap;
	dst->count = src->count;
}

struct pfn_rec *pfnmap_get(const struct pfnmap *m, pfn_t pfn)
{
	uint32_t i;

	/* PFN_NONE is what an empty slot holds: asked for, it would match
	 * the first empty slot of its probe run and hand out a record that
	 * is not there */
	if (pfn == PFN_NONE)
		return NULL;
	for (i = pfn_home(pfn, m->cap);; i = next_slot(m, i)) {
		if (m->slot[i].pfn == pfn)
			return &m->slot[i];
		if (m->slot[i].pfn == PFN_NONE)
			return NULL;
	}
}

static struct pfn_rec *pfnmap_insert(struct pfnmap *m, pfn_t pfn)
{
	uint32_t i = pfn_home(pfn, m->cap);

	while (m->slot[i].pfn != PFN_NONE)
		i = next_slot(m, i);
	memset(&m->slot[i], 0, sizeof(m->slot[i]));
	m->slot[i].pfn = pfn;
	m->count++;
	return &m->slot[i];
}

static void pfnmap_rehash(struct pfnmap *m, uint32_t cap)
{
	struct pfnmap old = *m;

	pfnmap_alloc(m, cap);
	for (uint32_t i = 0; i < old.cap; i++)
		if (old.slot[i].pfn != PFN_NONE)
			*pfnmap_insert(m, old.slot[i].pfn) = old.slot[i];
	free(old.slot);
}

/* by half again, not double: a booted machine's maps sit just past a
 * power of two's half, and doubling left them a quarter full */
static uint32_t grown_cap(uint32_t cap)
{
	return cap + cap / 2;
}

static bool pfnmap_full(uint32_t count, uint32_t cap)
{
	/* Keep the load at most 5/8 so probe runs stay short (a miss looks
	 * at 4 slots on average); with growth by half, a map is 5/12 to 5/8
	 * full. */
	return (uint64_t)count * 8 > (uint64_t)cap * 5;
}

void pfnmap_reserve(struct pfnmap *m, uint32_t n)
{
	uint32_t cap = m->cap;

	/* the capacity the puts would have grown to, in one step */
	while (pfnmap_full(n, cap))
		cap = grown_cap(cap);
	if (cap != m->cap)
		pfnmap_rehash(m, cap);
}

struct pfn_rec *pfnmap_put(struct pfnmap *m, pfn_t pfn)
{
	/* a record keyed PFN_NONE would read as an empty slot and break the
	 * probe runs through it */
	if (pfn == PFN_NONE)
		return NULL;
	if (pfnmap_full(m->count + 1, m->cap))
		pfnmap_rehash(m, grown_cap(m->cap));
	return pfnmap_insert(m, pfn);
}

bool pfnmap_del(struct pfnmap *m, pfn_t pfn)
{
	struct pfn_rec *r = pfnmap_get(m, pfn);
	uint32_t i, j;

	if (!r)
		return false;
	i = (uint32_t)(r - m->slot);
	/* Backward-shift: pull later members of the probe run into the hole
	 * when their home slot does not lie cyclically in (i, j]. */
	for (j = next_slot(m, i); m->slot[j].pfn != PFN_NONE;
	     j = next_slot(m, j)) {
		uint32_t home = pfn_home(m->slot[j].pfn, m->cap);
		bool stays = (i <= j) ? (i < home && home <= j)
				      : (i < home || home <= j);
		if (stays)
			continue;
		m->slot[i] = m->slot[j];
		i = j;
	}
	m->slot[i].pfn = PFN_NONE;
	m->count--;
	return true;
}

size_t pfnmap_bytes(const struct pfnmap *m)
{
	return sizeof(*m->slot) * (size_t)m->cap;
}

/*
 * slub.c - the slabs of SLUB (mm/slub.c, 6.1): a cache's geometry
 * (calculate_sizes, calculate_order), new slabs from the buddy allocator
 * (allocate_slab), the CPU slab and the node partial list (___slab_alloc,
 * __slab_free), and discarding empty slabs.  slab.h has the rules.
 */
#include "slab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "page_alloc.h"

/* mm/internal.h, 6.1 (__GFP_NOLOCKDEP only exists with lockdep) */
#define GFP_RECLAIM_MASK	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | \
				 __GFP_FS | __GFP_NOWARN | \
				 __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | \
				 __GFP_NORETRY | __GFP_MEMALLOC | \
				 __GFP_NOMEMALLOC | __GFP_ATOMIC)
#define GFP_CONSTRAINT_MASK	(__GFP_HARDWALL | __GFP_THISNODE)

/* --- sizing ------------------------------------------------------------------- */

static unsigned fls32(uint32_t x)
{
	unsigned n = 0;

	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

/* get_order(): the smallest order whose block holds size bytes */
static unsigned get_order(uint64_t size)
{
	unsigned o = 0;

	while (((uint64_t)PAGE_SIZE << o) < size)
		o++;
	return o;
}

unsigned slub_min_objects(unsigned nr_cpus)
{
	/* num_present_cpus(), or nr_cpu_ids when that says 1: the model's
	 * CPUs are all possible, present and online, so both are nr_cpus */
	return 4 * (fls32(nr_cpus) + 1);
}

static uint32_t order_objects(unsigned order, uint32_t size)
{
	return (uint32_t)(((uint64_t)PAGE_SIZE << order) / size);
}

static unsigned calc_slab_order(uint32_t size, uint32_t min_objects,
				unsigned max_order, unsigned fract_leftover)
{
	unsigned min_order = SLUB_MIN_ORDER, order;

	if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE)
		return get_order((uint64_t)size * MAX_OBJS_PER_PAGE) - 1;
	order = get_order((uint64_t)min_objects * size);
	for (order = MAX(min_order, order); order <= max_order; order++) {
		uint64_t slab_size = (uint64_t)PAGE_SIZE << order;

		if (slab_size % size <= slab_size / fract_leftover)
			break;
	}
	return order;
}

int slub_calculate_order(uint32_t size, unsigned nr_cpus, unsigned *order,
			 uint32_t *objects)
{
	uint32_t min_objects, max_objects;
	unsigned o;

	if (!size)
		return -1;
	min_objects = slub_min_objects(nr_cpus);
	max_objects = order_objects(SLUB_MAX_ORDER, size);
	min_objects = MIN(min_objects, max_objects);
	while (min_objects > 1) {
		for (unsigned fraction = 16; fraction >= 4; fraction /= 2) {
			o = calc_slab_order(size, min_objects, SLUB_MAX_ORDER,
					    fraction);
			if (o <= SLUB_MAX_ORDER)
				goto found;
		}
		min_objects--;
	}
	/* one object, any leftover: first within slub_max_order ... */
	o = calc_slab_order(size, 1, SLUB_MAX_ORDER, 1);
	if (o <= SLUB_MAX_ORDER)
		goto found;
	/* ... then anything the buddy allocator has */
	o = calc_slab_order(size, 1, MAX_ORDER, 1);
	if (o < MAX_ORDER)
		goto found;
	return -1;
found:
	*order = o;
	*objects = order_objects(o, size);
	return 0;
}

static unsigned ilog2_32(uint32_t x)
{
	return x ? fls32(x) - 1 : 0;
}

struct kmem_cache *slub_cache_new(struct slab_state *ss, const char *name,
				  uint32_t object_size, uint32_t size,
				  uint32_t align, uint32_t flags)
{
	struct kmem_cache *s = xcalloc(1, sizeof(*s));
	uint32_t min_partial;

	ss->changes++;
	s->id = ss->next_id++;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->object_size = object_size;
	s->size = size;
	s->align = align;
	s->flags = flags;
	s->nr_cpus = ss->nr_cpus;
	s->cpu_slab = xcalloc(ss->nr_cpus, sizeof(*s->cpu_slab));
	/* the caller checked that some order holds one object */
	(void)slub_calculate_order(size, ss->nr_cpus, &s->order, &s->objects);
	s->min_order = get_order(size);
	s->min_objects = order_objects(s->min_order, size);
	if (s->order)
		s->allocflags |= __GFP_COMP;
	if (flags & SLAB_CACHE_DMA)
		s->allocflags |= GFP_DMA;
	if (flags & SLAB_RECLAIM_ACCOUNT)
		s->allocflags |= __GFP_RECLAIMABLE;
	/* set_min_partial(s, ilog2(s->size) / 2) */
	min_partial = ilog2_32(size) / 2;
	s->min_partial = MAX(MIN_PARTIAL, MIN(MAX_PARTIAL, min_partial));

	if (ss->nr_caches == ss->caches_cap) {
		ss->caches_cap = ss->caches_cap ? 2 * ss->caches_cap : 64;
		ss->caches = xrealloc(ss->caches,
				      ss->caches_cap * sizeof(*ss->caches));
	}
	ss->caches[ss->nr_caches++] = s;
	return s;
}

/* --- slab slots and lists ------------------------------------------------------ */

struct slab *slab_at(const struct slab_state *ss, uint32_t slot)
{
	struct slab *slab;

	if (slot >= ss->nr_slots)
		return NULL;
	slab = &ss->chunk[slot / SLAB_CHUNK][slot % SLAB_CHUNK];
	return slab->cache ? slab : NULL;
}

/* A zeroed record in a free slot (a new chunk when none is free). */
static struct slab *slot_get(struct slab_state *ss)
{
	uint32_t slot = ss->free_slot;
	struct slab *slab;

	if (slot != SLAB_NONE) {
		slab = &ss->chunk[slot / SLAB_CHUNK][slot % SLAB_CHUNK];
		ss->free_slot = slab->pfn;
	} else {
		slot = ss->nr_slots++;
		if (slot / SLAB_CHUNK == ss->nr_chunks) {
			ss->chunk = xrealloc(ss->chunk, (ss->nr_chunks + 1) *
					     sizeof(*ss->chunk));
			ss->chunk[ss->nr_chunks++] =
				xcalloc(SLAB_CHUNK, sizeof(struct slab));
		}
		slab = &ss->chunk[slot / SLAB_CHUNK][slot % SLAB_CHUNK];
	}
	memset(slab, 0, sizeof(*slab));
	slab->slot = slot;
	return slab;
}

static void slot_put(struct slab_state *ss, struct slab *slab)
{
	uint32_t slot = slab->slot;

	memset(slab, 0, sizeof(*slab));
	slab->slot = slot;
	slab->pfn = ss->free_slot;
	ss->free_slot = slot;
}

void slub_partial_add(struct kmem_cache *s, struct slab *slab, bool tail)
{
	slab->list = SLAB_PARTIAL;
	if (tail) {
		slab->prev = s->partial_tail;
		slab->next = NULL;
		if (s->partial_tail)
			s->partial_tail->next = slab;
		else
			s->partial_head = slab;
		s->partial_tail = slab;
	} else {
		slab->prev = NULL;
		slab->next = s->partial_head;
		if (s->partial_head)
			s->partial_head->prev = slab;
		else
			s->partial_tail = slab;
		s->partial_head = slab;
	}
	s->nr_partial++;
}

static void partial_del(struct kmem_cache *s, struct slab *slab)
{
	if (slab->prev)
		slab->prev->next = slab->next;
	else
		s->partial_head = slab->next;
	if (slab->next)
		slab->next->prev = slab->prev;
	else
		s->partial_tail = slab->prev;
	slab->prev = slab->next = NULL;
	s->nr_partial--;
}

/* Node counters: NR_SLAB_RECLAIMABLE_B or NR_SLAB_UNRECLAIMABLE_B. */
static void account_slab(struct slab_state *ss, const struct kmem_cache *s,
			 unsigned order, bool add)
{
	uint32_t *ctr = (s->flags & SLAB_RECLAIM_ACCOUNT)
			? &ss->reclaimable_pages : &ss->unreclaimable_pages;

	if (add)
		*ctr += 1u << order;
	else
		*ctr -= 1u << order;
}

/* --- new slabs ----------------------------------------------------------------- */

/*
 * new_slab() / allocate_slab(): the cache's order with the cut-down flags
 * and __GFP_NORETRY, then (if that order is above s->min) s->min with the
 * plain flags.  NULL with res->reason when neither can be had.
 */
static struct slab *new_slab(struct machine *m, struct kmem_cache *s,
			     gfp_t gfp, struct slab_alloc_result *res)
{
	/* on the stack: a heap copy per slab cost the boot a tenth of
	 * its time */
	struct page_alloc_result pr, *r = &pr;
	gfp_t flags = (gfp & (GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK)) |
		      s->allocflags;
	gfp_t alloc_gfp = (flags | __GFP_NOWARN | __GFP_NORETRY) &
			  ~__GFP_NOFAIL;
	unsigned order = s->order;
	uint32_t objects = s->objects;
	struct mm_error e;
	struct slab *slab;
	char first[160] = "";
	int rc;

	if ((alloc_gfp & __GFP_DIRECT_RECLAIM) && order > s->min_order)
		alloc_gfp = (alloc_gfp | __GFP_NOMEMALLOC) &
			    ~(__GFP_RECLAIM | __GFP_NOFAIL);
	rc = alloc_pages_quiet(&m->pgdat, alloc_gfp, order, OWNER_SLAB, s->id, r, &e);
	if (rc == MM_OK && !r->ok && order > s->min_order) {
		/* "Allocation may have failed due to fragmentation. Try a
		 * lower order alloc if possible" */
		snprintf(first, sizeof(first), "order %u failed, then ", order);
		order = s->min_order;
		objects = s->min_objects;
		alloc_gfp = flags;
		res->order_fallback = true;
		rc = alloc_pages_quiet(&m->pgdat, alloc_gfp, order, OWNER_SLAB, s->id,
				 r, &e);
	}
	res->page_gfp = alloc_gfp;
	if (rc != MM_OK || !r->ok) {
		/* a story cut short at the buffer's end is still the story */
		if (snprintf(res->reason, sizeof(res->reason), "%s: no new "
			     "slab (%s%s)", s->name, first, rc != MM_OK
			     ? e.detail : r->reason) >= (int)sizeof(res->reason))
			res->reason[sizeof(res->reason) - 2] = ')';
		res->ok = false;
		return NULL;
	}

	slab = slub_slab_attach(m, s, r->pfn, order, objects);
	return slab;
}

struct slab *slub_slab_attach(struct machine *m, struct kmem_cache *s,
			      pfn_t pfn, unsigned order, uint32_t objects)
{
	struct slab_state *ss = &m->slab;
	struct slab *slab = slot_get(ss);

	slab->pfn = pfn;
	slab->cache = s;
	slab->order = (uint8_t)order;
	slab->objects = (uint16_t)objects;
	/* the free list in address order (no CONFIG_SLAB_FREELIST_RANDOM
	 * shuffle in the model): all of it from bump 0 */
	slab->freelist = SLAB_FREE_END;
	slab->bump = 0;

	pfnmap_get(&m->pgdat.alloc_blocks, slab->pfn)->owner_index =
		slab->slot + 1;
	ss->nr_slabs++;
	slab->all_prev = s->all_tail;
	if (s->all_tail)
		s->all_tail->all_next = slab;
	else
		s->all_head = slab;
	s->all_tail = slab;
	s->nr_slabs++;
	s->nr_pages += 1u << order;
	s->total_objects += objects;
	account_slab(ss, s, order, true);
	return slab;
}

/* --- boot runs ------------------------------------------------------------------ */

/* A full slab at the head of the cache's records that a view would show
 * exactly as it is: the boot's, on CPU 0, never freed from. */
static bool run_joins(const struct kmem_cache *s, const struct slab *c)
{
	return c == s->all_head && c->list == SLAB_FULL && c->cpu == 0 &&
	       c->order == s->order && c->objects == s->objects &&
	       c->inuse == c->objects && c->bump == c->objects &&
	       c->freelist == SLAB_FREE_END && !c->next_free;
}

/* The slab leaves its record for the end of the run (the counters
 * already count it). */
static void run_add(struct machine *m, struct kmem_cache *s, struct slab *c)
{
	if (s->nr_run == s->run_cap) {
		s->run_cap = s->run_cap ? 2 * s->run_cap : 8;
		s->run = xrealloc(s->run, s->run_cap * sizeof(*s->run));
	}
	s->run[s->nr_run++] = c->pfn;
	pfnmap_get(&m->pgdat.alloc_blocks, c->pfn)->owner_index =
		SLAB_RUN_INDEX;
	s->all_head = c->all_next;
	if (s->all_head)
		s->all_head->all_prev = NULL;
	else
		s->all_tail = NULL;
	slot_put(&m->slab, c);
}

/* The run slab at pfn as its record would read. */
static void run_view(const struct kmem_cache *s, pfn_t pfn, struct slab *v)
{
	memset(v, 0, sizeof(*v));
	v->pfn = pfn;
	v->slot = SLAB_NONE;
	/* a view is only read: the cast lends it the record's type */
	v->cache = (struct kmem_cache *)s;
	v->order = (uint8_t)s->order;
	v->list = SLAB_FULL;
	v->objects = (uint16_t)s->objects;
	v->inuse = v->objects;
	v->freelist = SLAB_FREE_END;
	v->bump = v->objects;
}

/* The run becomes records again, in creation order ahead of the others
 * (so the last run slab is put back first). */
static void run_expand(struct machine *m, struct kmem_cache *s)
{
	while (s->nr_run) {
		struct slab *slab = slot_get(&m->slab);
		uint32_t slot = slab->slot;

		run_view(s, s->run[--s->nr_run], slab);
		slab->slot = slot;
		pfnmap_get(&m->pgdat.alloc_blocks, slab->pfn)->owner_index =
			slot + 1;
		slab->all_next = s->all_head;
		if (s->all_head)
			s->all_head->all_prev = slab;
		else
			s->all_tail = slab;
		s->all_head = slab;
	}
	free(s->run);
	s->run = NULL;
	s->run_cap = 0;
}

/* The view of the run slab at pfn of the cache with that id. */
static const struct slab *run_slab_view(const struct machine *m, uint32_t id,
					pfn_t pfn, struct slab *view)
{
	for (uint32_t i = 0; i < m->slab.nr_caches; i++) {
		if (m->slab.caches[i]->id == id) {
			run_view(m->slab.caches[i], pfn, view);
			return view;
		}
	}
	return NULL;
}

struct slab *slub_slab_mut(struct machine *m, const struct slab *slab)
{
	const struct pfn_rec *r;

	if (slab->slot != SLAB_NONE)
		return slab_at(&m->slab, slab->slot);
	run_expand(m, slab->cache);
	r = pfnmap_get(&m->pgdat.alloc_blocks, slab->pfn);
	return slab_at(&m->slab, r->owner_index - 1);
}

const struct slab *slab_iter_first(struct slab_iter *it,
				   const struct kmem_cache *s)
{
	it->s = s;
	it->i = 0;
	it->p = NULL;
	return slab_iter_next(it);
}

const struct slab *slab_iter_next(struct slab_iter *it)
{
	if (it->i < it->s->nr_run) {
		run_view(it->s, it->s->run[it->i++], &it->view);
		return &it->view;
	}
	if (it->i++ == it->s->nr_run)
		it->p = it->s->all_head;
	else if (it->p)
		it->p = it->p->all_next;
	return it->p;
}

/* discard_slab(): the pages go back to the buddy allocator. */
static void discard_slab(struct machine *m, struct slab *slab)
{
	struct slab_state *ss = &m->slab;
	struct kmem_cache *s = slab->cache;
	struct mm_error e;

	free_pages(&m->pgdat, slab->pfn, slab->order, &e);
	if (slab->all_prev)
		slab->all_prev->all_next = slab->all_next;
	else
		s->all_head = slab->all_next;
	if (slab->all_next)
		slab->all_next->all_prev = slab->all_prev;
	else
		s->all_tail = slab->all_prev;
	s->nr_slabs--;
	s->nr_pages -= 1u << slab->order;
	s->total_objects -= slab->objects;
	account_slab(ss, s, slab->order, false);
	ss->nr_slabs--;
	free(slab->next_free);
	free(slab->allocated);
	slot_put(ss, slab);
}

/* --- the free list ------------------------------------------------------------------ */

bool slab_obj_inuse(const struct slab *slab, uint32_t i)
{
	if (i >= slab->bump)
		return false;
	return slab->allocated ? slab->allocated[i] : true;
}

static uint16_t tail_first(const struct slab *slab)
{
	return slab->bump < slab->objects ? slab->bump : SLAB_FREE_END;
}

uint16_t slab_free_first(const struct slab *slab)
{
	return slab->freelist != SLAB_FREE_END ? slab->freelist
					       : tail_first(slab);
}

uint16_t slab_free_next(const struct slab *slab, uint16_t i)
{
	if (i >= slab->bump)	/* in the tail */
		return i + 1 < slab->objects ? (uint16_t)(i + 1)
					     : SLAB_FREE_END;
	return slab->next_free[i] != SLAB_FREE_END ? slab->next_free[i]
						   : tail_first(slab);
}

static bool slab_has_free(const struct slab *slab)
{
	return slab->freelist != SLAB_FREE_END || slab->bump < slab->objects;
}

/* The stack's arrays, made when the first object goes on it: every
 * object below bump is then in use. */
static void stack_arrays(struct slab *slab)
{
	if (slab->allocated)
		return;
	slab->allocated = xcalloc(slab->objects, 1);
	memset(slab->allocated, 1, slab->bump);
	slab->next_free = xmalloc(slab->objects * sizeof(*slab->next_free));
}

static void stack_arrays_drop(struct slab *slab)
{
	free(slab->allocated);
	free(slab->next_free);
	slab->allocated = NULL;
	slab->next_free = NULL;
}

/* Take the first object of the free list (there is one). */
static uint16_t slab_pop(struct slab *slab)
{
	uint16_t idx = slab->freelist;

	if (idx == SLAB_FREE_END)
		return slab->bump++;
	slab->freelist = slab->next_free[idx];
	slab->allocated[idx] = 1;
	/* an empty stack: every object below bump is in use again */
	if (slab->freelist == SLAB_FREE_END)
		stack_arrays_drop(slab);
	return idx;
}

static void slab_push(struct slab *slab, uint32_t index)
{
	stack_arrays(slab);
	slab->allocated[index] = 0;
	slab->next_free[index] = slab->freelist;
	slab->freelist = (uint16_t)index;
}

bool slub_slab_set_free(struct slab *slab, const uint16_t *idx, uint32_t n)
{
	uint32_t objects = slab->objects, tail = objects - n;
	bool plain = n <= objects;
	uint8_t *seen;

	if (n > objects)
		return false;
	/* the never-used tail in address order needs no arrays */
	for (uint32_t j = 0; plain && j < n; j++)
		plain = idx[j] == tail + j;
	if (plain) {
		slab->bump = (uint16_t)tail;
		slab->freelist = SLAB_FREE_END;
		slab->inuse = (uint16_t)tail;
		return true;
	}
	seen = xcalloc(objects, 1);
	for (uint32_t j = 0; j < n; j++) {
		if (idx[j] >= objects || seen[idx[j]]) {
			free(seen);
			return false;
		}
		seen[idx[j]] = 1;
	}
	free(seen);
	slab->bump = (uint16_t)objects;
	slab->freelist = SLAB_FREE_END;
	stack_arrays(slab);
	for (uint32_t j = n; j-- > 0;)
		slab_push(slab, idx[j]);
	slab->inuse = (uint16_t)(objects - n);
	return true;
}

/* --- allocation and free --------------------------------------------------------- */

void slub_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp,
		unsigned cpu, struct slab_alloc_result *res)
{
	struct slab *c = s->cpu_slab[cpu];
	uint16_t idx;

	/* even one that fails may have retired the CPU slab first */
	m->slab.changes++;
	res->retired = PFN_NONE;
	res->cache = s;
	if (c && slab_has_free(c)) {
		res->from = SLAB_SRC_CPU;
	} else {
		/* ___slab_alloc(): the CPU slab is used up; it leaves the
		 * CPU as a full slab (on no list, as without debugging) */
		if (c) {
			c->list = SLAB_FULL;
			s->nr_full++;
			s->cpu_slab[cpu] = NULL;
			res->retired = c->pfn;
			if (m->slab.boot_runs && run_joins(s, c))
				run_add(m, s, c);
		}
		if (s->partial_head) {
			/* get_partial_node(): the first partial slab */
			c = s->partial_head;
			partial_del(s, c);
			res->from = SLAB_SRC_PARTIAL;
		} else {
			c = new_slab(m, s, gfp, res);
			if (!c)
				return;
			res->from = SLAB_SRC_NEW;
		}
		c->list = SLAB_CPU;
		c->cpu = (uint8_t)cpu;
		s->cpu_slab[cpu] = c;
	}
	idx = slab_pop(c);
	c->inuse++;
	s->inuse++;

	res->ok = true;
	res->pfn = c->pfn;
	res->order = c->order;
	res->zone = pfn_to_zone(&m->pgdat, c->pfn);
	res->index = idx;
	res->objects = c->objects;
	res->inuse = c->inuse;
	res->phys = PFN_PHYS(c->pfn) + (phys_addr_t)idx * s->size;
	res->addr = layout_va(&m->layout, res->phys);
	res->ksize = s->size;
}

void slub_alloc_bulk(struct machine *m, struct kmem_cache *s, gfp_t gfp,
		     unsigned cpu, uint32_t n, struct slab_alloc_result *res)
{
	res->ok = true;
	while (n) {
		struct slab *c = s->cpu_slab[cpu];

		if (c && c->freelist == SLAB_FREE_END &&
		    c->bump < c->objects) {
			/* k pops of the never-used tail at once */
			uint32_t k = MIN(n, (uint32_t)(c->objects - c->bump));

			m->slab.changes++;
			c->bump = (uint16_t)(c->bump + k);
			c->inuse = (uint16_t)(c->inuse + k);
			s->inuse += k;
			n -= k;
			continue;
		}
		slub_alloc(m, s, gfp, cpu, res);
		if (!res->ok)
			return;
		n--;
	}
}

const struct slab *slub_slab_of(const struct machine *m, pfn_t pfn,
				struct slab *view)
{
	const struct pfn_rec *r;
	struct frame_info fi;

	page_frame_info(&m->pgdat, pfn, &fi);
	if (fi.state != FRAME_ALLOCATED || fi.owner != OWNER_SLAB ||
	    !fi.owner_id)
		return NULL;
	r = pfnmap_get(&m->pgdat.alloc_blocks, fi.head);
	if (r && r->owner_index == SLAB_RUN_INDEX)
		return run_slab_view(m, fi.owner_id, fi.head, view);
	return r && r->owner_index ? slab_at(&m->slab, r->owner_index - 1)
				   : NULL;
}

void slub_free(struct machine *m, struct slab *slab, uint32_t index,
	       struct slab_free_result *res)
{
	struct kmem_cache *s = slab->cache;

	m->slab.changes++;
	slab_push(slab, index);
	slab->inuse--;
	s->inuse--;

	snprintf(res->cache, sizeof(res->cache), "%s", s->name);
	res->pfn = slab->pfn;
	res->order = slab->order;
	res->index = index;
	res->objects = slab->objects;
	res->inuse = slab->inuse;
	res->ksize = s->size;

	/* a CPU slab is frozen: no list changes while a CPU owns it */
	if (slab->list == SLAB_CPU)
		return;
	/* __slab_free(): n->nr_partial counts the slab itself if it is on
	 * the partial list */
	if (!slab->inuse && s->nr_partial >= s->min_partial) {
		if (slab->list == SLAB_PARTIAL)
			partial_del(s, slab);
		else
			s->nr_full--;
		discard_slab(m, slab);
		res->discarded = true;
		return;
	}
	if (slab->list == SLAB_FULL) {
		s->nr_full--;
		slub_partial_add(s, slab, true);
		res->to_partial = true;
	}
	res->kept_empty = !slab->inuse;
}

uint32_t slub_shutdown(struct machine *m, struct kmem_cache *s)
{
	uint32_t pages = s->nr_pages;

	m->slab.changes++;
	for (unsigned cpu = 0; cpu < s->nr_cpus; cpu++)
		s->cpu_slab[cpu] = NULL;
	while (s->partial_head)
		partial_del(s, s->partial_head);
	s->nr_full = 0;
	run_expand(m, s);
	while (s->all_head)
		discard_slab(m, s->all_head);
	return pages;
}

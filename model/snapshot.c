/*
 * snapshot.c - write a machine's mutable state as a snapshot (snapshot.h
 * has the format; snapshot_restore.c reads it back).
 *
 * Every section is written in a canonical order that does not depend on
 * the host's bookkeeping: hash maps by pfn, lists in list order, arrays in
 * the order the model keeps them.  Two machines in the same state give the
 * same bytes.
 */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "page_alloc.h"
#include "snapshot_io.h"

/*
 * The structures a snapshot covers, by size on the x86-64 hosts the model
 * is built on.  A new field changes a size: put the field in the snapshot
 * (snapshot.c and snapshot_restore.c; bump SNAPSHOT_VERSION), then the
 * figure here.  A field the model only derives at boot needs no more than
 * the new figure.
 */
#if defined(__x86_64__) && defined(__LP64__)
#define SNAP_SIZE(type, n) \
	_Static_assert(sizeof(type) == (n), #type " changed: keep " \
		       "model/snapshot.c in step (see the comment above)")
SNAP_SIZE(struct machine, 27360);	/* kernel_stack_pages: from the blocks */
SNAP_SIZE(struct machine_config, 5176);
SNAP_SIZE(struct pglist_data, 3272);
SNAP_SIZE(struct zone, 792);
SNAP_SIZE(struct pfn_rec, 20);
SNAP_SIZE(struct physmem, 56);
SNAP_SIZE(struct kmap_state, 10884);
SNAP_SIZE(struct vm_area, 96);
SNAP_SIZE(struct vmalloc_state, 24);
SNAP_SIZE(struct kmem_cache, 176);	/* run: written as slabs */
SNAP_SIZE(struct slab, 80);
SNAP_SIZE(struct slab_state, 536);	/* boot_runs: not state */
SNAP_SIZE(struct process, 184);
SNAP_SIZE(struct vma, 20);
SNAP_SIZE(struct uframe, 12);
SNAP_SIZE(struct mm_state, 80);
#endif

/* --- pfn maps in pfn order ------------------------------------------------ */

static int rec_cmp(const void *a, const void *b)
{
	pfn_t x = (*(const struct pfn_rec *const *)a)->pfn;
	pfn_t y = (*(const struct pfn_rec *const *)b)->pfn;

	return (x > y) - (x < y);
}

/* The records of map sorted by pfn (malloc'd, map->count of them). */
static const struct pfn_rec **sorted_recs(const struct pfnmap *map)
{
	const struct pfn_rec **v = xmalloc(map->count * sizeof(*v));
	uint32_t n = 0;

	for (uint32_t i = 0; i < map->cap && n < map->count; i++)
		if (map->slot[i].pfn != PFN_NONE)
			v[n++] = &map->slot[i];
	qsort(v, n, sizeof(*v), rec_cmp);
	return v;
}

/* --- the buddy allocator -------------------------------------------------- */

static uint32_t list_len(const struct pglist_data *pgdat, pfn_t pfn)
{
	uint32_t n = 0;

	for (; pfn != PFN_NONE; n++)
		pfn = pfnmap_get(&pgdat->free_blocks, pfn)->next;
	return n;
}

/* One zone: counters, pageblock types, then each (order, migratetype)
 * free list from head to tail. */
static void put_zone(struct snap_writer *w, const struct pglist_data *pgdat,
		     const struct zone *z)
{
	uint32_t npb = z->pageblock_mt ? zone_nr_pageblocks(pgdat, z) : 0;

	sw_u32(w, z->nr_free_pages);
	sw_u32(w, z->nr_reserved_highatomic);
	sw_u32(w, npb);
	sw_bytes(w, z->pageblock_mt, npb);
	for (unsigned o = 0; o < MAX_ORDER; o++) {
		for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
			pfn_t pfn = z->free_area[o].head[mt];

			sw_u32(w, list_len(pgdat, pfn));
			for (; pfn != PFN_NONE;
			     pfn = pfnmap_get(&pgdat->free_blocks, pfn)->next)
				sw_u32(w, pfn);
		}
	}
}

/* One CPU's per-CPU lists of a zone: free_factor, then each list head to
 * tail, every page with the migratetype it goes back with. */
static void put_pcp(struct snap_writer *w, const struct pglist_data *pgdat,
		    const struct per_cpu_pages *pcp)
{
	sw_u32(w, pcp->free_factor);
	for (unsigned i = 0; i < NR_PCP_LISTS; i++) {
		uint32_t n = 0;

		for (pfn_t p = pcp->head[i]; p != PFN_NONE;
		     p = pfnmap_get(&pgdat->pcp_pages, p)->next)
			n++;
		sw_u32(w, n);
		for (pfn_t p = pcp->head[i]; p != PFN_NONE;
		     p = pfnmap_get(&pgdat->pcp_pages, p)->next) {
			sw_u32(w, p);
			sw_u8(w, pfnmap_get(&pgdat->pcp_pages, p)->mt);
		}
	}
}

static void put_zones(struct snap_writer *w, const struct pglist_data *pgdat)
{
	size_t at = sw_section_begin(w, SNAP_ZONE);

	sw_u32(w, MAX_NR_ZONES);
	for (int j = 0; j < MAX_NR_ZONES; j++)
		put_zone(w, pgdat, &pgdat->node_zones[j]);
	/* the per-CPU lists of the online CPUs (the others stay empty) */
	sw_u8(w, pgdat->pcp_ready);
	sw_u32(w, pgdat->nr_cpus);
	for (int j = 0; j < MAX_NR_ZONES; j++)
		for (unsigned cpu = 0; cpu < pgdat->nr_cpus; cpu++)
			put_pcp(w, pgdat, &pgdat->node_zones[j].pcp[cpu]);
	sw_section_end(w, at);
}

/* Allocated blocks by pfn; free-list links mean nothing for them. */
static void put_blocks(struct snap_writer *w, const struct pglist_data *pgdat)
{
	size_t at = sw_section_begin(w, SNAP_ABLK);
	const struct pfn_rec **v = sorted_recs(&pgdat->alloc_blocks);

	sw_u32(w, pgdat->alloc_blocks.count);
	for (uint32_t i = 0; i < pgdat->alloc_blocks.count; i++) {
		sw_u32(w, v[i]->pfn);
		sw_u8(w, v[i]->order);
		sw_u8(w, v[i]->mt);
		sw_u8(w, v[i]->owner);
		sw_u8(w, v[i]->zone);
		sw_u32(w, v[i]->gfp);
		sw_u32(w, v[i]->owner_id);
	}
	free(v);
	sw_section_end(w, at);
}

/* --- simulated RAM -------------------------------------------------------- */

/* The bitmap of a page's non-zero words; false for a page of zeros. */
static bool page_word_map(const uint8_t *page, uint8_t map[SNAP_PAGE_MAP])
{
	static const uint8_t zero[8];
	bool any = false;

	memset(map, 0, SNAP_PAGE_MAP);
	for (unsigned i = 0; i < SNAP_PAGE_WORDS; i++) {
		if (!memcmp(page + 8 * i, zero, 8))
			continue;
		map[i / 8] |= (uint8_t)(1u << (i % 8));
		any = true;
	}
	return any;
}

/* Pages by pfn; a page written back to zeros is left out (it reads as
 * zeros either way). */
static void put_physmem(struct snap_writer *w, const struct physmem *pm)
{
	size_t at = sw_section_begin(w, SNAP_PMEM), count_at = w->len;
	const struct pfn_rec **v = sorted_recs(&pm->index);
	uint8_t map[SNAP_PAGE_MAP];
	uint32_t n = 0;

	sw_u32(w, 0);
	for (uint32_t i = 0; i < pm->index.count; i++) {
		const uint8_t *page = pm->pages[v[i]->owner_id];

		if (!page_word_map(page, map))
			continue;
		sw_u32(w, v[i]->pfn);
		sw_bytes(w, map, sizeof(map));
		for (unsigned k = 0; k < SNAP_PAGE_WORDS; k++)
			if (map[k / 8] & (1u << (k % 8)))
				sw_bytes(w, page + 8 * k, 8);
		n++;
	}
	sw_patch_u32(w, count_at, n);
	free(v);
	sw_section_end(w, at);
}

static void put_log(struct snap_writer *w, const struct strbuf *log)
{
	size_t at = sw_section_begin(w, SNAP_LOG);

	sw_u64(w, log->len);
	sw_bytes(w, log->buf, log->len);
	sw_section_end(w, at);
}

/* --- kmap ----------------------------------------------------------------- */

/* The pkmap slots in use (a free slot's page is stale), then each CPU's
 * kmap_local stack up to its depth. */
static void put_kmap(struct snap_writer *w, const struct machine *m)
{
	const struct kmap_state *k = &m->kmap;
	size_t at = sw_section_begin(w, SNAP_KMAP);
	uint32_t used = 0;

	sw_u32(w, k->last_pkmap_nr);
	for (unsigned n = 0; n < LAST_PKMAP_MAX; n++)
		used += k->pkmap_count[n] != 0;
	sw_u32(w, used);
	for (unsigned n = 0; n < LAST_PKMAP_MAX; n++) {
		if (!k->pkmap_count[n])
			continue;
		sw_u32(w, n);
		sw_u32(w, k->pkmap_count[n]);
		sw_u32(w, k->pkmap_page[n]);
	}
	sw_u32(w, m->config.cpus);
	for (unsigned cpu = 0; cpu < m->config.cpus; cpu++) {
		const struct kmap_ctrl *c = &k->ctrl[cpu];

		sw_u32(w, c->idx);
		for (unsigned i = 0; i < c->idx; i++) {
			sw_u32(w, c->pfn[i]);
			sw_u8(w, c->atomic[i]);
		}
	}
	sw_section_end(w, at);
}

/* --- vmalloc -------------------------------------------------------------- */

static void put_vm_area(struct snap_writer *w, const struct vm_area *a)
{
	sw_u32(w, a->id);
	sw_u32(w, a->start);
	sw_u32(w, a->size);
	sw_u32(w, a->flags);
	sw_fixed_str(w, a->caller, sizeof(a->caller));
	sw_u64(w, a->phys_addr);
	sw_u32(w, a->vpages_id);
	sw_u32(w, a->pages_kmalloc);
	sw_u32(w, a->nested_in);
	sw_u32(w, a->nr_pages);
	for (uint32_t i = 0; i < a->nr_pages; i++)
		sw_u32(w, a->pages[i]);
}

static void put_vmalloc(struct snap_writer *w, const struct vmalloc_state *vs)
{
	size_t at = sw_section_begin(w, SNAP_VMAL);

	sw_u32(w, vs->next_id);
	sw_u32(w, vs->nr_vmalloc_pages);
	sw_u32(w, vs->nr);
	for (uint32_t i = 0; i < vs->nr; i++)
		put_vm_area(w, &vs->areas[i]);
	sw_section_end(w, at);
}

/* --- SLUB ----------------------------------------------------------------- */

/* A slab: where, which list, and its free objects in free-list order. */
static void put_slab_one(struct snap_writer *w, const struct slab *slab)
{
	uint16_t nfree = 0;

	sw_u32(w, slab->pfn);
	sw_u8(w, slab->order);
	sw_u8(w, slab->list);
	sw_u8(w, slab->cpu);
	for (uint16_t i = slab_free_first(slab); i != SLAB_FREE_END;
	     i = slab_free_next(slab, i))
		nfree++;
	sw_u16(w, nfree);
	for (uint16_t i = slab_free_first(slab); i != SLAB_FREE_END;
	     i = slab_free_next(slab, i))
		sw_u16(w, i);
}

/* A cache's identity and geometry inputs (restore derives the rest), its
 * slabs in creation order, then its partial list as indices into them.
 * index_of is scratch indexed by slab slot. */
static void put_cache(struct snap_writer *w, const struct kmem_cache *s,
		      uint32_t *index_of)
{
	struct slab_iter it;
	uint32_t n = 0;

	sw_u32(w, s->id);
	sw_u8(w, s->kmalloc);
	sw_fixed_str(w, s->name, sizeof(s->name));
	sw_u32(w, s->object_size);
	sw_u32(w, s->size);
	sw_u32(w, s->align);
	sw_u32(w, s->flags);
	sw_u32(w, s->nr_slabs);
	for (const struct slab *p = slab_iter_first(&it, s); p;
	     p = slab_iter_next(&it)) {
		/* a boot-run slab is on no partial list: no index needed */
		if (p->slot != SLAB_NONE)
			index_of[p->slot] = n;
		n++;
		put_slab_one(w, p);
	}
	sw_u32(w, s->nr_partial);
	for (const struct slab *p = s->partial_head; p; p = p->next)
		sw_u32(w, index_of[p->slot]);
}

static void put_slab(struct snap_writer *w, const struct slab_state *ss)
{
	size_t at = sw_section_begin(w, SNAP_SLAB);
	uint32_t *index_of = xcalloc(ss->nr_slots, sizeof(*index_of));

	sw_u32(w, ss->next_id);
	sw_u32(w, ss->nr_caches);
	for (uint32_t i = 0; i < ss->nr_caches; i++)
		put_cache(w, ss->caches[i], index_of);
	free(index_of);
	sw_section_end(w, at);
}

/* --- processes ------------------------------------------------------------ */

static void put_vma(struct snap_writer *w, const struct vma *v)
{
	sw_u32(w, v->start);
	sw_u32(w, v->end);
	sw_u32(w, v->flags);
	sw_u32(w, (uint32_t)v->kind);
	sw_u32(w, v->pgoff);
}

static void put_process(struct snap_writer *w, const struct process *p)
{
	const uint32_t layout[] = {
		p->start_code, p->end_code, p->start_data, p->end_data,
		p->start_brk, p->brk, p->mmap_base, p->start_stack,
		p->rss_anon, p->rss_file, p->rss_shmem, p->nr_ptes,
		p->nr_pmds, p->hiwater_rss, p->hiwater_vm,
	};

	sw_u32(w, p->pid);
	sw_u32(w, p->ppid);
	sw_u32(w, p->pgid);
	sw_u32(w, p->sid);
	sw_fixed_str(w, p->comm, sizeof(p->comm));
	sw_u64(w, p->pgd);
	for (unsigned i = 0; i < 4; i++)
		sw_u64(w, p->pmds[i]);
	for (unsigned i = 0; i < 4; i++)
		sw_u64(w, p->user_pmds[i]);
	for (size_t i = 0; i < ARRAY_SIZE(layout); i++)
		sw_u32(w, layout[i]);
	sw_u32(w, (uint32_t)p->oom_score_adj);
	sw_u32(w, p->nr_vmas);
	for (uint32_t i = 0; i < p->nr_vmas; i++)
		put_vma(w, &p->vmas[i]);
}

/* The limits and counters, the processes by pid, then the user frames in
 * the order the model keeps them. */
static void put_procs(struct snap_writer *w, const struct mm_state *s)
{
	size_t at = sw_section_begin(w, SNAP_PROC);

	sw_u32(w, s->next_pid);
	sw_u32(w, s->max_procs);
	sw_u32(w, s->max_map_count);
	sw_u32(w, s->nr_anon_pages);
	sw_u32(w, s->nr_shmem_pages);
	sw_u32(w, s->nr_pgtable_pages);
	sw_u32(w, s->nr);
	for (uint32_t i = 0; i < s->nr; i++)
		put_process(w, &s->procs[i]);
	sw_u32(w, s->nr_frames);
	for (uint32_t i = 0; i < s->nr_frames; i++) {
		const struct uframe *f = &s->frames[i];

		sw_u32(w, f->pfn);
		sw_u32(w, f->mapcount);
		sw_u8(w, (uint8_t)(f->file | f->shmem << 1));
	}
	sw_section_end(w, at);
}

/* --- the whole ------------------------------------------------------------ */

static void put_config(struct snap_writer *w, const struct machine_config *c)
{
	size_t at = sw_section_begin(w, SNAP_CONF);

	snap_put_config(w, c);
	sw_section_end(w, at);
}

/* Fill in the header once the length is known; the checksum last. */
static void put_header(struct snap_writer *w)
{
	struct snap_writer h = { 0 };
	uint64_t csum;

	sw_bytes(&h, SNAPSHOT_MAGIC, 6);
	sw_u16(&h, SNAPSHOT_VERSION);
	sw_u32(&h, SNAP_NR_SECTIONS);
	sw_u32(&h, 0);
	sw_u64(&h, w->len);
	sw_u64(&h, 0);
	memcpy(w->buf, h.buf, SNAP_HEADER_SIZE);
	free(h.buf);
	csum = snap_checksum(w->buf, w->len);
	for (unsigned i = 0; i < 8; i++)
		w->buf[SNAP_CSUM_OFFSET + i] = (uint8_t)(csum >> (8 * i));
}

void machine_snapshot(const struct machine *m, uint8_t **buf, size_t *len)
{
	struct snap_writer w = { 0 };
	uint8_t header[SNAP_HEADER_SIZE] = { 0 };

	sw_bytes(&w, header, sizeof(header));
	put_config(&w, &m->config);
	put_zones(&w, &m->pgdat);
	put_blocks(&w, &m->pgdat);
	put_physmem(&w, &m->mem);
	put_log(&w, &m->log);
	put_kmap(&w, m);
	put_vmalloc(&w, &m->vmalloc);
	put_slab(&w, &m->slab);
	put_procs(&w, &m->procs);
	put_header(&w);
	*buf = w.buf;
	*len = w.len;
}

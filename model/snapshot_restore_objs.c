/*
 * snapshot_restore_objs.c - the second half of machine_restore(): the
 * vmalloc areas, the SLUB caches and slabs, and the processes, each
 * checked against the allocated blocks snapshot_restore.c has already
 * rebuilt (snapshot.h has the format).
 */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "page_alloc.h"
#include "snapshot_io.h"

/* --- vmalloc -------------------------------------------------------------- */

static bool check_vm_range(struct snap_reader *r, const struct machine *m,
			   const struct vm_area *a)
{
	const struct layout *l = &m->layout;

	if (a->start % PAGE_SIZE || a->size % PAGE_SIZE ||
	    a->size < 2 * PAGE_SIZE || a->start < l->vmalloc_start ||
	    (uint64_t)a->start + a->size > l->vmalloc_end)
		return sr_fail(r, "area %u at 0x%08x of %u bytes is not pages "
			       "of the vmalloc window", a->id, a->start,
			       a->size);
	if (a->flags != VM_ALLOC && a->flags != VM_MAP &&
	    a->flags != VM_IOREMAP)
		return sr_fail(r, "area %u has flags 0x%x", a->id, a->flags);
	if (a->phys_addr % PAGE_SIZE || a->phys_addr >= PHYS_LIMIT)
		return sr_fail(r, "area %u: phys_addr 0x%llx", a->id,
			       (unsigned long long)a->phys_addr);
	return true;
}

/* One area; its pages[] is linked into the area at once (freed with the
 * state on failure). */
static bool read_vm_area(struct snap_reader *r, const struct machine *m,
			 struct vm_area *a)
{
	uint32_t n;

	a->id = sr_u32(r);
	a->start = sr_u32(r);
	a->size = sr_u32(r);
	a->flags = sr_u32(r);
	if (!sr_fixed_str(r, a->caller, sizeof(a->caller), "caller"))
		return false;
	a->phys_addr = sr_u64(r);
	a->vpages_id = sr_u32(r);
	a->pages_kmalloc = sr_u32(r);
	a->nested_in = sr_u32(r);
	if (!sr_count(r, &n, 4, "area pages") || !check_vm_range(r, m, a))
		return false;
	if (n > a->size / PAGE_SIZE - 1)
		return sr_fail(r, "area %u maps %u pages in %u bytes", a->id,
			       n, a->size);
	a->pages = n ? xmalloc(n * sizeof(*a->pages)) : NULL;
	a->nr_pages = n;
	for (uint32_t i = 0; i < n; i++) {
		a->pages[i] = sr_u32(r);
		if (sr_ok(r) && a->pages[i] >= SNAP_PFN_LIMIT)
			return sr_fail(r, "area %u maps pfn 0x%x", a->id,
				       a->pages[i]);
	}
	return sr_ok(r);
}

/* An area id and its index, for look-ups by id in O(log n). */
struct id_ix {
	uint32_t id, ix;
};

static int id_ix_cmp(const void *a, const void *b)
{
	return snap_u32_cmp(&((const struct id_ix *)a)->id,
			    &((const struct id_ix *)b)->id);
}

static const struct vm_area *area_with_id(const struct vmalloc_state *vs,
					  const struct id_ix *ids, uint32_t id)
{
	struct id_ix key = { id, 0 };
	const struct id_ix *p = bsearch(&key, ids, vs->nr, sizeof(*ids),
					id_ix_cmp);

	return p ? &vs->areas[p->ix] : NULL;
}

/* A nested pages[] area and its owner name each other; a vmalloc area's
 * frames are its own. */
static bool check_vm_links(struct snap_reader *r, const struct machine *m,
			   const struct vm_area *a, const struct id_ix *ids)
{
	const struct vmalloc_state *vs = &m->vmalloc;
	const struct vm_area *o;

	if (a->vpages_id && (a->pages_kmalloc || a->vpages_id == a->id ||
	    !(o = area_with_id(vs, ids, a->vpages_id)) ||
	    o->nested_in != a->id || o->flags != VM_ALLOC))
		return sr_fail(r, "area %u: bad nested pages[] area %u", a->id,
			       a->vpages_id);
	if (a->nested_in && (a->nested_in == a->id ||
	    !(o = area_with_id(vs, ids, a->nested_in)) ||
	    o->vpages_id != a->id || a->flags != VM_ALLOC))
		return sr_fail(r, "area %u: bad owner area %u", a->id,
			       a->nested_in);
	if (a->flags != VM_ALLOC)
		return true;
	for (uint32_t i = 0; i < a->nr_pages; i++) {
		const struct pfn_rec *rec =
			snap_owned_block(m, a->pages[i], OWNER_VMALLOC, 0);

		if (!rec || rec->owner_id != a->id)
			return sr_fail(r, "area %u: frame 0x%x is not a "
				       "vmalloc frame of it", a->id,
				       a->pages[i]);
	}
	return true;
}

/* Areas in address order without overlap, ids below next_id. */
static bool check_vm_order(struct snap_reader *r,
			   const struct vmalloc_state *vs, struct id_ix *ids,
			   uint64_t *pages)
{
	for (uint32_t i = 0; i < vs->nr; i++) {
		const struct vm_area *a = &vs->areas[i];

		ids[i] = (struct id_ix){ a->id, i };
		if (i && a->start < (uint64_t)vs->areas[i - 1].start +
				    vs->areas[i - 1].size)
			return sr_fail(r, "area %u overlaps the one before",
				       a->id);
		if (!a->id || a->id >= vs->next_id)
			return sr_fail(r, "area id %u, next id %u", a->id,
				       vs->next_id);
		if (a->flags == VM_ALLOC)
			*pages += a->nr_pages;
	}
	if (vs->nr)
		qsort(ids, vs->nr, sizeof(*ids), id_ix_cmp);
	for (uint32_t i = 1; i < vs->nr; i++)
		if (ids[i].id == ids[i - 1].id)
			return sr_fail(r, "two areas with id %u", ids[i].id);
	return true;
}

/* The areas, their links, and the counters against the frames. */
static bool check_vm_areas(struct snap_reader *r, const struct machine *m,
			   uint32_t nr_vmalloc_pages)
{
	const struct vmalloc_state *vs = &m->vmalloc;
	struct id_ix *ids = xmalloc(((size_t)vs->nr + 1) * sizeof(*ids));
	uint64_t pages = 0;
	uint32_t frames;
	bool ok = check_vm_order(r, vs, ids, &pages);

	for (uint32_t i = 0; ok && i < vs->nr; i++)
		ok = check_vm_links(r, m, &vs->areas[i], ids);
	free(ids);
	if (!ok)
		return false;
	frames = snap_owner_blocks(m, OWNER_VMALLOC);
	if (pages != nr_vmalloc_pages || pages != frames)
		return sr_fail(r, "vmalloc areas hold %llu pages, the counter "
			       "says %u, the frames %u",
			       (unsigned long long)pages, nr_vmalloc_pages,
			       frames);
	return true;
}

bool snap_read_vmalloc(struct snap_reader *outer, struct machine *m)
{
	struct vmalloc_state *vs = &m->vmalloc;
	struct snap_reader r;
	uint32_t n, nr_pages;

	if (!sr_section(outer, SNAP_VMAL, "vmalloc", &r))
		return false;
	vmalloc_state_free(vs);
	vmalloc_init(vs);
	vs->next_id = sr_u32(&r);
	nr_pages = sr_u32(&r);
	if (!sr_count(&r, &n, 80, "vmalloc areas") ||
	    !sr_at_most(&r, n, (m->layout.vmalloc_end -
				m->layout.vmalloc_start) / (2 * PAGE_SIZE),
			"vmalloc areas"))
		return false;
	vs->cap = snap_cap_for(n, 16);
	vs->areas = vs->cap ? xcalloc(vs->cap, sizeof(*vs->areas)) : NULL;
	for (uint32_t i = 0; i < n; i++) {
		vs->nr = i + 1;
		if (!read_vm_area(&r, m, &vs->areas[i]))
			return false;
	}
	vs->nr_vmalloc_pages = nr_pages;
	return check_vm_areas(&r, m, nr_pages) && sr_end(&r);
}

/* --- SLUB ----------------------------------------------------------------- */

/* Forget boot's slabs (it makes none today) and keep its caches. */
static void slab_reset(struct slab_state *ss)
{
	slab_free_slabs(ss);
	for (uint32_t i = 0; i < ss->nr_caches; i++) {
		struct kmem_cache *s = ss->caches[i];

		memset(s->cpu_slab, 0, s->nr_cpus * sizeof(*s->cpu_slab));
		s->partial_head = s->partial_tail = NULL;
		s->all_head = s->all_tail = NULL;
		s->nr_partial = s->nr_slabs = s->nr_full = 0;
		s->total_objects = s->inuse = s->nr_pages = 0;
	}
	ss->reclaimable_pages = ss->unreclaimable_pages = 0;
	ss->large_pages = ss->nr_large = 0;
}

/* What a cache record says: its identity and geometry inputs. */
struct cache_rec {
	uint32_t id;
	bool kmalloc;
	char name[SLAB_NAME_MAX];
	uint32_t object_size, size, align, flags;
};

static bool read_cache_rec(struct snap_reader *r, struct cache_rec *c)
{
	uint8_t kmalloc;

	c->id = sr_u32(r);
	kmalloc = sr_u8(r);
	if (!sr_fixed_str(r, c->name, sizeof(c->name), "cache name"))
		return false;
	c->object_size = sr_u32(r);
	c->size = sr_u32(r);
	c->align = sr_u32(r);
	c->flags = sr_u32(r);
	if (sr_ok(r) && kmalloc > 1)
		return sr_fail(r, "cache %s: kmalloc flag %u", c->name,
			       kmalloc);
	c->kmalloc = kmalloc;
	return sr_ok(r);
}

/* kmem_cache_create()'s rules: the geometry must be what it computes
 * from the object size, some allowed alignment and the flags. */
static bool named_cache_ok(const struct slab_state *ss,
			   const struct cache_rec *c)
{
	if (c->kmalloc || !slab_name_ok(c->name) ||
	    kmem_cache_find(ss, c->name) || !c->object_size ||
	    c->object_size > KMALLOC_MAX_SIZE ||
	    (c->flags & ~SLAB_CREATE_FLAGS))
		return false;
	for (uint32_t req = 0; req <= PAGE_SIZE; req = req ? 2 * req : 1) {
		uint32_t a = slab_calculate_alignment(c->flags, req,
						      c->object_size);

		if (a == c->align &&
		    c->size == ALIGN_UP(ALIGN_UP(c->object_size, 4u), a))
			return true;
	}
	return false;
}

static bool boot_cache_same(const struct kmem_cache *s,
			    const struct cache_rec *c)
{
	return s->id == c->id && s->kmalloc == c->kmalloc &&
	       !strcmp(s->name, c->name) &&
	       s->object_size == c->object_size && s->size == c->size &&
	       s->align == c->align && s->flags == c->flags;
}

/* The free objects in free-list order rebuild the list; the rest are in
 * use. */
static bool read_free_objects(struct snap_reader *r, struct kmem_cache *s,
			      struct slab *slab, uint16_t nfree)
{
	uint16_t *idx = xmalloc(((size_t)nfree + 1) * sizeof(*idx));
	bool ok = true;

	for (uint16_t i = 0; ok && i < nfree; i++) {
		idx[i] = sr_u16(r);
		ok = sr_ok(r);
	}
	if (ok && !slub_slab_set_free(slab, idx, nfree))
		ok = sr_fail(r, "%s: slab 0x%x: its %u free objects are not "
			     "%u distinct objects of the slab", s->name,
			     slab->pfn, nfree, nfree);
	free(idx);
	if (ok)
		s->inuse += slab->inuse;
	return ok;
}

/* A slab: an allocated block of its cache in lowmem, on a list that fits
 * how many objects are free. */
static bool slab_rec_ok(struct snap_reader *r, const struct machine *m,
			const struct kmem_cache *s, pfn_t pfn, unsigned order,
			uint8_t list, uint8_t cpu, uint32_t nfree,
			uint32_t objects)
{
	const struct pfn_rec *rec = snap_owned_block(m, pfn, OWNER_SLAB, order);

	if (!objects || !rec || rec->owner_id != s->id ||
	    (uint64_t)pfn + (1u << order) > m->layout.max_low_pfn ||
	    rec->owner_index)
		return sr_fail(r, "%s: slab 0x%x of order %u is not a lowmem "
			       "block of the cache", s->name, pfn, order);
	if (list > SLAB_FULL || cpu >= m->slab.nr_cpus || nfree > objects ||
	    (list == SLAB_CPU && s->cpu_slab[cpu]) ||
	    (list == SLAB_FULL && nfree) || (list == SLAB_PARTIAL && !nfree))
		return sr_fail(r, "%s: slab 0x%x: list %u, CPU %u, %u of %u "
			       "objects free", s->name, pfn, list, cpu, nfree,
			       objects);
	return true;
}

static struct slab *read_slab_one(struct snap_reader *r, struct machine *m,
				  struct kmem_cache *s)
{
	pfn_t pfn = sr_u32(r);
	uint8_t order = sr_u8(r), list = sr_u8(r), cpu = sr_u8(r);
	uint16_t nfree = sr_u16(r);
	uint32_t objects = order == s->order ? s->objects :
			   order == s->min_order ? s->min_objects : 0;
	struct slab *slab;

	if (!sr_ok(r) ||
	    !slab_rec_ok(r, m, s, pfn, order, list, cpu, nfree, objects))
		return NULL;
	slab = slub_slab_attach(m, s, pfn, order, objects);
	slab->list = list;
	slab->cpu = cpu;
	if (!read_free_objects(r, s, slab, nfree))
		return NULL;
	if (list == SLAB_CPU)
		s->cpu_slab[cpu] = slab;
	else if (list == SLAB_FULL)
		s->nr_full++;
	return slab;
}

/* The partial list: indices into the cache's slabs, each a partial slab
 * once, all of them. */
static bool read_partial(struct snap_reader *r, struct kmem_cache *s,
			 struct slab **v, uint32_t nr_slabs)
{
	uint8_t *seen = xcalloc(nr_slabs, 1);
	uint32_t n, want = 0;
	bool ok = sr_count(r, &n, 4, "partial slabs");

	for (uint32_t i = 0; ok && i < n; i++) {
		uint32_t idx = sr_u32(r);

		if (!(ok = sr_ok(r)))
			break;
		if (idx >= nr_slabs || seen[idx] ||
		    v[idx]->list != SLAB_PARTIAL) {
			ok = sr_fail(r, "%s: partial list entry %u", s->name,
				     idx);
			break;
		}
		seen[idx] = 1;
		slub_partial_add(s, v[idx], true);
	}
	for (uint32_t i = 0; i < nr_slabs; i++)
		want += v[i]->list == SLAB_PARTIAL;
	if (ok && n != want)
		ok = sr_fail(r, "%s: %u partial slabs, %u on the list",
			     s->name, want, n);
	free(seen);
	return ok;
}

static bool read_slabs(struct snap_reader *r, struct machine *m,
		       struct kmem_cache *s)
{
	struct slab **v;
	uint32_t n;
	bool ok;

	if (!sr_count(r, &n, 9, "slabs") ||
	    !sr_at_most(r, n, machine_totalram_pages(m), "slabs"))
		return false;
	v = xmalloc(((size_t)n + 1) * sizeof(*v));
	for (uint32_t i = 0; i < n; i++) {
		if (!(v[i] = read_slab_one(r, m, s))) {
			free(v);
			return false;
		}
	}
	ok = read_partial(r, s, v, n);
	free(v);
	return ok;
}

/* Cache i: boot's own, or a named cache made again as kmem_cache_create
 * made it, with its old id. */
static struct kmem_cache *read_cache(struct snap_reader *r,
				     struct slab_state *ss, uint32_t i,
				     uint32_t boot_nr, uint32_t next_id,
				     uint32_t *last_id)
{
	struct cache_rec c;

	if (!read_cache_rec(r, &c))
		return NULL;
	if (c.id <= *last_id || c.id >= next_id) {
		sr_fail(r, "cache %s has id %u (after %u, next %u)", c.name,
			c.id, *last_id, next_id);
		return NULL;
	}
	*last_id = c.id;
	if (i < boot_nr) {
		if (boot_cache_same(ss->caches[i], &c))
			return ss->caches[i];
		sr_fail(r, "cache %u is %s, boot made %s there", i, c.name,
			ss->caches[i]->name);
		return NULL;
	}
	if (!named_cache_ok(ss, &c)) {
		sr_fail(r, "cache %s: kmem_cache_create would not make it "
			"(size %u/%u, align %u, flags 0x%x)", c.name,
			c.object_size, c.size, c.align, c.flags);
		return NULL;
	}
	ss->next_id = c.id;
	return slub_cache_new(ss, c.name, c.object_size, c.size, c.align,
			      c.flags);
}

/* kmalloc_large blocks are the slab owner's blocks without a cache. */
static bool count_large(struct snap_reader *r, struct machine *m)
{
	const struct pfnmap *map = &m->pgdat.alloc_blocks;
	struct slab_state *ss = &m->slab;

	for (uint32_t i = 0; i < map->cap; i++) {
		const struct pfn_rec *rec = &map->slot[i];
		uint32_t pages;

		if (rec->pfn == PFN_NONE || rec->owner != OWNER_SLAB ||
		    rec->owner_id)
			continue;
		pages = 1u << rec->order;
		if ((uint64_t)rec->pfn + pages > m->layout.max_low_pfn)
			return sr_fail(r, "kmalloc_large block 0x%x is not "
				       "lowmem", rec->pfn);
		ss->large_pages += pages;
		ss->unreclaimable_pages += pages;
		ss->nr_large++;
	}
	return true;
}

bool snap_read_slab(struct snap_reader *outer, struct machine *m)
{
	struct slab_state *ss = &m->slab;
	uint32_t boot_nr = ss->nr_caches, next_id, n, last_id = 0;
	struct snap_reader r;
	char why[256];

	if (!sr_section(outer, SNAP_SLAB, "slab", &r))
		return false;
	slab_reset(ss);
	next_id = sr_u32(&r);
	if (!sr_count(&r, &n, 61, "caches"))
		return false;
	if (n < boot_nr)
		return sr_fail(&r, "%u caches; boot makes %u", n, boot_nr);
	for (uint32_t i = 0; i < n; i++) {
		struct kmem_cache *s = read_cache(&r, ss, i, boot_nr, next_id,
						  &last_id);

		if (!s || !read_slabs(&r, m, s))
			return false;
	}
	ss->next_id = next_id;
	if (!count_large(&r, m) || !sr_end(&r))
		return false;
	if (slab_check(m, why, sizeof(why)))
		return sr_fail(&r, "%s", why);
	return true;
}

/* --- processes ------------------------------------------------------------ */

static bool read_vmas(struct snap_reader *r, const struct machine *m,
		      struct process *p)
{
	uint32_t n;

	if (!sr_count(r, &n, 20, "VMAs") ||
	    !sr_at_most(r, n, m->layout.page_offset / PAGE_SIZE, "VMAs"))
		return false;
	p->cap_vmas = snap_cap_for(n, 16);
	p->vmas = p->cap_vmas ? xcalloc(p->cap_vmas, sizeof(*p->vmas)) : NULL;
	for (uint32_t i = 0; i < n; i++) {
		struct vma *v = &p->vmas[i];
		uint32_t kind;

		v->start = sr_u32(r);
		v->end = sr_u32(r);
		v->flags = sr_u32(r);
		kind = sr_u32(r);
		v->pgoff = sr_u32(r);
		if (!sr_ok(r))
			return false;
		if (v->start >= v->end || v->start % PAGE_SIZE ||
		    v->end % PAGE_SIZE || v->end > m->layout.page_offset ||
		    kind > VMA_STACK || (i && v->start < p->vmas[i - 1].end))
			return sr_fail(r, "process %u: VMA 0x%08x-0x%08x kind "
				       "%u", p->pid, v->start, v->end, kind);
		v->kind = (enum vma_kind)kind;
		p->nr_vmas = i + 1;
	}
	return true;
}

/* A page-table root: the pgd (order 1 with PAE's PTI), or a PMD page,
 * each an allocated page-table block. */
static bool pt_root_ok(const struct machine *m, phys_addr_t pa,
		       unsigned order, bool may_be_zero)
{
	if (!pa)
		return may_be_zero;
	return pa % PAGE_SIZE == 0 && pa < PHYS_LIMIT &&
	       snap_owned_block(m, PFN_DOWN(pa), OWNER_PGTABLE, order);
}

static bool read_pt_roots(struct snap_reader *r, const struct machine *m,
			  struct process *p)
{
	bool pae = m->config.pae, ok;

	p->pgd = sr_u64(r);
	for (unsigned i = 0; i < 4; i++)
		p->pmds[i] = sr_u64(r);
	for (unsigned i = 0; i < 4; i++)
		p->user_pmds[i] = sr_u64(r);
	if (!sr_ok(r))
		return false;
	ok = pt_root_ok(m, p->pgd, pae ? 1 : 0, false);
	for (unsigned i = 0; i < 4; i++)
		ok = ok && (pae ? pt_root_ok(m, p->pmds[i], 0, true) &&
				  pt_root_ok(m, p->user_pmds[i], 0, true)
				: !p->pmds[i] && !p->user_pmds[i]);
	return ok || sr_fail(r, "process %u: page-table roots are not its "
			     "page-table pages", p->pid);
}

static bool read_process(struct snap_reader *r, const struct machine *m,
			 struct process *p, uint32_t prev_pid)
{
	const struct mm_state *s = &m->procs;
	uint32_t *layout[] = {
		&p->start_code, &p->end_code, &p->start_data, &p->end_data,
		&p->start_brk, &p->brk, &p->mmap_base, &p->start_stack,
		&p->rss_anon, &p->rss_file, &p->rss_shmem, &p->nr_ptes,
		&p->nr_pmds, &p->hiwater_rss, &p->hiwater_vm,
	};
	uint32_t adj;

	p->pid = sr_u32(r);
	p->ppid = sr_u32(r);
	p->pgid = sr_u32(r);
	p->sid = sr_u32(r);
	if (!sr_fixed_str(r, p->comm, sizeof(p->comm), "comm") ||
	    !read_pt_roots(r, m, p))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(layout); i++)
		*layout[i] = sr_u32(r);
	adj = sr_u32(r);
	if (!sr_ok(r))
		return false;
	/* oom_score_adj is -1000 to 1000, written as a two's complement
	 * u32: read it back without an implementation-defined conversion */
	if (adj > 1000 && adj < 0u - 1000u)
		return sr_fail(r, "process %u: oom_score_adj 0x%x", p->pid,
			       adj);
	p->oom_score_adj = adj <= 1000 ? (int)adj : -(int)(0u - adj);
	if (p->pid <= prev_pid || p->pid >= s->next_pid ||
	    p->ppid >= s->next_pid || p->pgid >= s->next_pid ||
	    p->sid >= s->next_pid)
		return sr_fail(r, "process %u (ppid %u, pgid %u, sid %u, next "
			       "pid %u)", p->pid, p->ppid, p->pgid, p->sid,
			       s->next_pid);
	return read_vmas(r, m, p);
}

/* The user frames: each an allocated user block, once; the counters
 * agree with them. */
static bool read_uframes(struct snap_reader *r, struct machine *m)
{
	struct mm_state *s = &m->procs;
	uint32_t n, anon = 0, shmem = 0;

	if (!sr_count(r, &n, 9, "user frames") ||
	    !sr_at_most(r, n, machine_totalram_pages(m), "user frames"))
		return false;
	s->cap_frames = snap_cap_for(n, 64);
	s->frames = s->cap_frames ? xcalloc(s->cap_frames, sizeof(*s->frames))
				  : NULL;
	for (uint32_t i = 0; i < n; i++) {
		pfn_t pfn = sr_u32(r);
		uint32_t mapcount = sr_u32(r);
		uint8_t kind = sr_u8(r);

		if (!sr_ok(r))
			return false;
		if (!mapcount || kind > 2 ||
		    !snap_owned_block(m, pfn, OWNER_USER, 0) ||
		    pfnmap_get(&s->frame_index, pfn))
			return sr_fail(r, "user frame 0x%x: mapcount %u, kind "
				       "%u", pfn, mapcount, kind);
		pfnmap_put(&s->frame_index, pfn)->owner_id = i;
		s->frames[i] = (struct uframe){ pfn, mapcount, kind == 1,
						 kind == 2 };
		s->nr_frames = i + 1;
		anon += kind == 0;
		shmem += kind == 2;
	}
	if (anon != s->nr_anon_pages || shmem != s->nr_shmem_pages ||
	    n != snap_owner_blocks(m, OWNER_USER))
		return sr_fail(r, "%u anonymous and %u shmem frames, counted "
			       "%u and %u; %u user blocks", anon, shmem,
			       s->nr_anon_pages, s->nr_shmem_pages,
			       snap_owner_blocks(m, OWNER_USER));
	return true;
}

/* nr_pgtable_pages is not checked against the processes' nr_ptes and
 * nr_pmds: a kernel write through a stale alias into a page directory
 * makes entries that exit then frees and counts, as in the kernel. */
static bool read_proc_list(struct snap_reader *r, struct machine *m)
{
	struct mm_state *s = &m->procs;
	uint32_t n;

	if (!sr_count(r, &n, 172, "processes") ||
	    !sr_at_most(r, n, machine_totalram_pages(m), "processes"))
		return false;
	if (!s->max_procs || !s->max_map_count || n > s->max_procs)
		return sr_fail(r, "%u processes, max_processes %u, "
			       "max_map_count %u", n, s->max_procs,
			       s->max_map_count);
	s->cap = snap_cap_for(n, 8);
	s->procs = s->cap ? xcalloc(s->cap, sizeof(*s->procs)) : NULL;
	for (uint32_t i = 0; i < n; i++) {
		s->nr = i + 1;
		if (!read_process(r, m, &s->procs[i],
				  i ? s->procs[i - 1].pid : 0))
			return false;
	}
	return true;
}

bool snap_read_procs(struct snap_reader *outer, struct machine *m)
{
	struct mm_state *s = &m->procs;
	struct snap_reader r;

	if (!sr_section(outer, SNAP_PROC, "processes", &r))
		return false;
	mm_state_free(s);
	mm_state_init(s);
	s->next_pid = sr_u32(&r);
	s->max_procs = sr_u32(&r);
	s->max_map_count = sr_u32(&r);
	s->nr_anon_pages = sr_u32(&r);
	s->nr_shmem_pages = sr_u32(&r);
	s->nr_pgtable_pages = sr_u32(&r);
	return sr_ok(&r) && read_proc_list(&r, m) && read_uframes(&r, m) &&
	       sr_end(&r);
}

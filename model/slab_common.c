/*
 * slab_common.c - the kmalloc caches and their sizes, kmalloc, kzalloc,
 * krealloc, kfree, ksize, kmalloc_large, named caches, /proc/slabinfo
 * (mm/slab_common.c, include/linux/slab.h, 6.1).  slab.h has the rules;
 * slub.c has the slabs.
 */
#include "slab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "page_alloc.h"

const struct slab_flag_name slab_flag_names[] = {
	{ "SLAB_HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN },
	{ "SLAB_CACHE_DMA", SLAB_CACHE_DMA },
	{ "SLAB_RECLAIM_ACCOUNT", SLAB_RECLAIM_ACCOUNT },
	{ NULL, 0 },
};


/* --- state ------------------------------------------------------------------- */

void slab_state_init(struct slab_state *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->next_id = 1;
	ss->free_slot = SLAB_NONE;
}

void slab_free_slabs(struct slab_state *ss)
{
	for (uint32_t i = 0; i < ss->nr_slots; i++) {
		struct slab *slab = slab_at(ss, i);

		if (slab) {
			free(slab->next_free);
			free(slab->allocated);
		}
	}
	for (uint32_t c = 0; c < ss->nr_caches; c++) {
		free(ss->caches[c]->run);
		ss->caches[c]->run = NULL;
		ss->caches[c]->nr_run = ss->caches[c]->run_cap = 0;
	}
	for (uint32_t c = 0; c < ss->nr_chunks; c++)
		free(ss->chunk[c]);
	free(ss->chunk);
	ss->chunk = NULL;
	ss->nr_chunks = ss->nr_slots = 0;
	ss->free_slot = SLAB_NONE;
	ss->nr_slabs = 0;
}

void slab_state_free(struct slab_state *ss)
{
	slab_free_slabs(ss);
	for (uint32_t i = 0; i < ss->nr_caches; i++) {
		free(ss->caches[i]->cpu_slab);
		free(ss->caches[i]);
	}
	free(ss->caches);
	memset(ss, 0, sizeof(*ss));
}

static size_t slab_run_bytes(const struct slab_state *ss)
{
	size_t n = 0;

	for (uint32_t i = 0; i < ss->nr_caches; i++)
		n += ss->caches[i]->run_cap * sizeof(pfn_t);
	return n;
}

size_t slab_host_bytes(const struct slab_state *ss)
{
	size_t n = ss->caches_cap * sizeof(*ss->caches) +
		   slab_run_bytes(ss) +
		   ss->nr_caches * (sizeof(struct kmem_cache) +
				    ss->nr_cpus * sizeof(struct slab *)) +
		   ss->nr_chunks * (sizeof(*ss->chunk) +
				    SLAB_CHUNK * sizeof(struct slab));

	for (uint32_t i = 0; i < ss->nr_slots; i++) {
		const struct slab *slab = slab_at(ss, i);

		if (slab && slab->allocated)
			n += slab->objects * (sizeof(uint16_t) + 1);
	}
	return n;
}

/* --- kmalloc sizes ------------------------------------------------------------ */

/* size_index[(size - 1) / 8] for sizes 1..192 (mm/slab_common.c) */
static const uint8_t size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6,		/* 8 .. 64 */
	1, 1, 1, 1,			/* 72 .. 96 */
	7, 7, 7, 7,			/* 104 .. 128 */
	2, 2, 2, 2, 2, 2, 2, 2,		/* 136 .. 192 */
};

static unsigned fls64_(uint64_t x)
{
	unsigned n = 0;

	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

int kmalloc_index(uint64_t size)
{
	if (!size)
		return 0;
	if (size <= 192)
		return size_index[(size - 1) / 8];
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return -1;
	return (int)fls64_(size - 1);
}

uint32_t kmalloc_index_size(int index)
{
	if (index == 1)
		return 96;
	if (index == 2)
		return 192;
	return index >= KMALLOC_SHIFT_LOW && index <= KMALLOC_SHIFT_HIGH
	       ? 1u << index : 0;
}

enum kmalloc_cache_type kmalloc_type(gfp_t gfp)
{
	/* priorities: __GFP_DMA, __GFP_RECLAIMABLE, __GFP_ACCOUNT */
	if (gfp & __GFP_DMA)
		return KMALLOC_DMA;
	if (gfp & __GFP_RECLAIMABLE)
		return KMALLOC_RECLAIM;
	if (gfp & __GFP_ACCOUNT)
		return KMALLOC_CGROUP;
	return KMALLOC_NORMAL;
}

struct kmem_cache *kmalloc_slab(const struct slab_state *ss, uint64_t size,
				gfp_t gfp)
{
	int i = kmalloc_index(size);

	if (i <= 0)
		return NULL;
	return ss->kmalloc_caches[kmalloc_type(gfp)][i];
}

struct kmem_cache *kmem_cache_find(const struct slab_state *ss,
				   const char *name)
{
	for (uint32_t i = 0; name && i < ss->nr_caches; i++)
		if (!strcmp(ss->caches[i]->name, name))
			return ss->caches[i];
	return NULL;
}

uint32_t slab_calculate_alignment(uint32_t flags, uint32_t align,
				  uint32_t size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		uint32_t ralign = SLAB_CACHE_LINE;

		while (size <= ralign / 2)
			ralign /= 2;
		align = MAX(align, ralign);
	}
	align = MAX(align, ARCH_SLAB_MINALIGN);
	return ALIGN_UP(align, (uint32_t)sizeof(uint32_t));
}

/* kmalloc_info[].name for a type and index */
static void kmalloc_name(enum kmalloc_cache_type type, int index, char *buf,
			 size_t len)
{
	static const char *const prefix[NR_KMALLOC_TYPES] = {
		"kmalloc-", "kmalloc-cg-", "kmalloc-rcl-", "dma-kmalloc-",
	};
	uint32_t size = kmalloc_index_size(index);

	if (size >= 1024)
		snprintf(buf, len, "%s%uk", prefix[type], size / 1024);
	else
		snprintf(buf, len, "%s%u", prefix[type], size);
}

/* kmem_cache_init() first makes the two caches SLUB's own structures
 * come from: boot_kmem_cache_node and boot_kmem_cache, which bootstrap()
 * then puts on slab_caches kmem_cache first (so slabinfo ends "kmem_cache_node,
 * kmem_cache").  Object sizes: the captures' objsize (struct kmem_cache
 * with one node pointer, 160 on i386; struct kmem_cache_node, 32 with
 * SLUB_DEBUG's counters), SLAB_HWCACHE_ALIGN (create_boot_cache's
 * flags).  A bare machine has neither: it stays as it always was, the 52
 * kmalloc caches alone; boot_slab.c fills them for a booted one. */
static void kmem_cache_bootstrap(struct machine *m)
{
	kmem_cache_create_boot(m, "kmem_cache", 160, 0, SLAB_HWCACHE_ALIGN,
			       false);
	kmem_cache_create_boot(m, "kmem_cache_node", 32, 0,
			       SLAB_HWCACHE_ALIGN, false);
}

/* create_kmalloc_caches(): for each type, 8 .. 8k with 96 after 64 and
 * 192 after 128 (KMALLOC_MIN_SIZE is 8). */
void kmem_cache_init(struct machine *m)
{
	static const uint32_t type_flags[NR_KMALLOC_TYPES] = {
		0, SLAB_ACCOUNT, SLAB_RECLAIM_ACCOUNT, SLAB_CACHE_DMA,
	};
	struct slab_state *ss = &m->slab;

	ss->nr_cpus = m->config.cpus;
	if (m->config.boot == BOOT_BOOTED)
		kmem_cache_bootstrap(m);
	for (int type = 0; type < NR_KMALLOC_TYPES; type++) {
		for (int i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; i++) {
			int idx[3] = { i, i == 6 ? 1 : i == 7 ? 2 : 0, 0 };

			for (int k = 0; idx[k]; k++) {
				uint32_t size = kmalloc_index_size(idx[k]);
				/* create_boot_cache(): natural alignment for
				 * powers of two, else ARCH_KMALLOC_MINALIGN */
				uint32_t align = (size & (size - 1))
						 ? ARCH_KMALLOC_MINALIGN : size;
				char name[SLAB_NAME_MAX];
				struct kmem_cache *s;

				kmalloc_name(type, idx[k], name, sizeof(name));
				align = slab_calculate_alignment(
					type_flags[type], align, size);
				s = slub_cache_new(ss, name, size,
						   ALIGN_UP(size, align), align,
						   type_flags[type]);
				s->kmalloc = true;
				ss->kmalloc_caches[type][idx[k]] = s;
			}
		}
	}
}

/* --- bytes --------------------------------------------------------------------- */

/* Zero [pa, pa + len) without giving host memory to untouched pages. */
static void zero_phys(struct physmem *pm, phys_addr_t pa, uint64_t len)
{
	while (len) {
		pfn_t pfn = PFN_DOWN(pa);
		uint32_t off = (uint32_t)(pa & (PAGE_SIZE - 1));
		uint32_t n = (uint32_t)MIN(len, (uint64_t)(PAGE_SIZE - off));

		if (physmem_peek(pm, pfn)) {
			if (n == PAGE_SIZE)
				physmem_zero(pm, pfn);
			else
				memset(physmem_touch(pm, pfn) + off, 0, n);
		}
		pa += n;
		len -= n;
	}
}

/* memcpy between physical ranges, page by page. */
static void copy_phys(struct physmem *pm, phys_addr_t dst, phys_addr_t src,
		      uint64_t len)
{
	uint8_t buf[256];

	while (len) {
		uint32_t soff = (uint32_t)(src & (PAGE_SIZE - 1));
		uint32_t n = (uint32_t)MIN(len, (uint64_t)(PAGE_SIZE - soff));

		n = MIN(n, (uint32_t)sizeof(buf));
		if (physmem_peek(pm, PFN_DOWN(src))) {
			physmem_read(pm, src, buf, n);
			physmem_write(pm, dst, buf, n);
		} else {
			zero_phys(pm, dst, n);
		}
		dst += n;
		src += n;
		len -= n;
	}
}

/* --- what an address is --------------------------------------------------------- */

enum obj_kind { OBJ_NOT_SLAB, OBJ_LARGE, OBJ_SLAB };

struct obj_loc {
	enum obj_kind kind;
	struct frame_info fi;	/* of the frame va lies in (lowmem only) */
	bool lowmem;
	/* OBJ_LARGE: the block at fi.head of order fi.order */
	/* OBJ_SLAB: */
	const struct slab *slab;	/* the record, or view below */
	struct slab view;	/* a boot-run slab (slub_slab_of) */
	uint32_t index;		/* the object va lies in */
	uint32_t offset;	/* va's offset into it */
	bool past_end;		/* in the slab's tail, after the last object */
};

static void locate(const struct machine *m, vaddr_t va, struct obj_loc *l)
{
	const struct layout *lay = &m->layout;
	pfn_t pfn;

	memset(l, 0, sizeof(*l));
	l->kind = OBJ_NOT_SLAB;
	if (va < lay->page_offset || va >= lay->high_memory)
		return;
	l->lowmem = true;
	pfn = PFN_DOWN(layout_pa(lay, va));
	page_frame_info(&m->pgdat, pfn, &l->fi);
	if (l->fi.state != FRAME_ALLOCATED || l->fi.owner != OWNER_SLAB)
		return;
	if (!l->fi.owner_id) {
		l->kind = OBJ_LARGE;
		return;
	}
	l->slab = slub_slab_of(m, pfn, &l->view);
	if (!l->slab)
		return;
	l->kind = OBJ_SLAB;
	{
		uint32_t off = (uint32_t)(layout_pa(lay, va) -
					  PFN_PHYS(l->slab->pfn));
		uint32_t size = l->slab->cache->size;

		l->index = off / size;
		l->offset = off % size;
		l->past_end = l->index >= l->slab->objects;
	}
}

static vaddr_t slab_obj_va(const struct machine *m, const struct slab *slab,
			   uint32_t index)
{
	return layout_va(&m->layout, PFN_PHYS(slab->pfn) +
			 (phys_addr_t)index * slab->cache->size);
}

/* What lies at va when it is not slab memory. */
static void describe_not_slab(const struct machine *m, vaddr_t va,
			      const struct obj_loc *l, char *buf, size_t len)
{
	const struct layout *lay = &m->layout;
	pfn_t pfn;

	if (va < lay->page_offset) {
		snprintf(buf, len, "0x%08x is a user-space address (below "
			 "PAGE_OFFSET 0x%08x)", va, lay->page_offset);
		return;
	}
	if (!l->lowmem) {
		if (va >= lay->vmalloc_start && va < lay->vmalloc_end)
			snprintf(buf, len, "0x%08x is in the vmalloc area, "
				 "not lowmem's linear map where every slab "
				 "lives (vfree frees vmalloc memory)", va);
		else
			snprintf(buf, len, "0x%08x is above high_memory "
				 "0x%08x: not in lowmem's linear map, where "
				 "every slab lives", va, lay->high_memory);
		return;
	}
	pfn = PFN_DOWN(layout_pa(lay, va));
	switch (l->fi.state) {
	case FRAME_HOLE:
		snprintf(buf, len, "pfn 0x%x is a hole in the physical map, "
			 "not RAM", pfn);
		return;
	case FRAME_RESERVED:
		snprintf(buf, len, "pfn 0x%x is reserved (the kernel image, "
			 "firmware or boot-time memblock data), never slab "
			 "memory", pfn);
		return;
	case FRAME_FREE:
		if (l->fi.pcp_cpu >= 0)
			snprintf(buf, len, "pfn 0x%x is free, on CPU %d's "
				 "per-CPU page list", pfn, l->fi.pcp_cpu);
		else
			snprintf(buf, len, "pfn 0x%x is free in the buddy "
				 "allocator", pfn);
		return;
	case FRAME_ALLOCATED:
		break;
	}
	switch (l->fi.owner) {
	case OWNER_NONE:
		snprintf(buf, len, "pfn 0x%x is in the order-%u block at pfn "
			 "0x%x that alloc_pages gave (free_pages frees it)",
			 pfn, l->fi.order, l->fi.head);
		return;
	case OWNER_PGTABLE:
		snprintf(buf, len, "pfn 0x%x is a page table", pfn);
		return;
	case OWNER_VMALLOC:
		snprintf(buf, len, "pfn 0x%x is a frame of a vmalloc area "
			 "(vfree frees it)", pfn);
		return;
	default:
		snprintf(buf, len, "pfn 0x%x is allocated, not to the slab "
			 "allocator", pfn);
		return;
	}
}

static int fail_not_slab(const struct machine *m, const char *fn, vaddr_t va,
			 const struct obj_loc *l, struct mm_error *err)
{
	char what[200];

	describe_not_slab(m, va, l, what, sizeof(what));
	if (!strcmp(fn, "kmem_cache_free"))
		return mm_fail(err, MM_EINVAL, "not-slab", "addr",
			       "kmem_cache_free: Object is not a Slab page! "
			       "0x%08x: %s", va, what);
	return mm_fail(err, MM_EINVAL, "not-slab", "addr", "%s(0x%08x): not "
		       "slab memory: %s; %s takes what kmalloc returned", fn,
		       va, what, fn);
}

/* An address inside a kmalloc_large block, or inside (or past) a slab
 * object: SLUB's "Invalid object pointer". */
static int fail_invalid(const struct machine *m, const char *fn, vaddr_t va,
			const struct obj_loc *l, struct mm_error *err)
{
	if (l->kind == OBJ_LARGE) {
		vaddr_t head = layout_va(&m->layout, PFN_PHYS(l->fi.head));

		return mm_fail(err, MM_EINVAL, "invalid-object-pointer", "addr",
			       "%s: Invalid object pointer 0x%08x: it is 0x%x "
			       "bytes into the order-%u kmalloc_large block "
			       "at 0x%08x; pass the address kmalloc returned",
			       fn, va, va - head, l->fi.order, head);
	}
	if (l->past_end)
		return mm_fail(err, MM_EINVAL, "invalid-object-pointer", "addr",
			       "BUG %s: Invalid object pointer 0x%08x: it is in "
			       "the unused tail of the slab at pfn 0x%x, past "
			       "its last object (%u objects of %u bytes)",
			       l->slab->cache->name, va, l->slab->pfn,
			       l->slab->objects, l->slab->cache->size);
	return mm_fail(err, MM_EINVAL, "invalid-object-pointer", "addr",
		       "BUG %s: Invalid object pointer 0x%08x: it is %u bytes "
		       "into object %u (at 0x%08x) of the slab at pfn 0x%x; "
		       "%s takes the address the allocation returned",
		       l->slab->cache->name, va, l->offset, l->index,
		       slab_obj_va(m, l->slab, l->index), l->slab->pfn, fn);
}

static int fail_free_object(const struct machine *m, const char *fn,
			    vaddr_t va, const struct obj_loc *l,
			    struct mm_error *err)
{
	(void)m;
	if (!strcmp(fn, "ksize"))
		return mm_fail(err, MM_ESTATE, "object-free", "addr",
			       "ksize(0x%08x): object %u of the %s slab at "
			       "pfn 0x%x is free: it has no owner to ask "
			       "about", va, l->index, l->slab->cache->name,
			       l->slab->pfn);
	return mm_fail(err, MM_ESTATE, "double-free", "addr",
		       "BUG %s: Object already free: 0x%08x (object %u of the "
		       "slab at pfn 0x%x) is on the slab's free list: freed "
		       "before, or never handed out; %s each object once",
		       l->slab->cache->name, va, l->index, l->slab->pfn, fn);
}

/* va must start an object in use (or a kmalloc_large block). */
static int check_object(const struct machine *m, const char *fn, vaddr_t va,
			const struct obj_loc *l, struct mm_error *err)
{
	switch (l->kind) {
	case OBJ_NOT_SLAB:
		return fail_not_slab(m, fn, va, l, err);
	case OBJ_LARGE:
		if (PFN_DOWN(layout_pa(&m->layout, va)) != l->fi.head ||
		    va % PAGE_SIZE)
			return fail_invalid(m, fn, va, l, err);
		return MM_OK;
	case OBJ_SLAB:
		if (l->offset || l->past_end)
			return fail_invalid(m, fn, va, l, err);
		if (!slab_obj_inuse(l->slab, l->index))
			return fail_free_object(m, fn, va, l, err);
		return MM_OK;
	}
	return MM_OK;
}

bool slab_object_at(const struct machine *m, vaddr_t va,
		    struct slab_object *o)
{
	struct obj_loc l;

	memset(o, 0, sizeof(*o));
	locate(m, va, &l);
	if (check_object(m, "ksize", va, &l, NULL))
		return false;
	if (l.kind == OBJ_LARGE) {
		o->pfn = l.fi.head;
		o->order = l.fi.order;
		o->objects = o->inuse = 1;
		o->ksize = PAGE_SIZE << l.fi.order;
		return true;
	}
	o->cache = l.slab->cache;
	o->pfn = l.slab->pfn;
	o->order = l.slab->order;
	o->index = l.index;
	o->objects = l.slab->objects;
	o->inuse = l.slab->inuse;
	o->ksize = l.slab->cache->size;
	return true;
}

/* --- argument checks ------------------------------------------------------------- */

static int check_cpu(const struct machine *m, const char *fn, unsigned cpu,
		     struct mm_error *err)
{
	if (cpu >= m->config.cpus)
		return mm_fail(err, MM_EINVAL, "bad-argument", "cpu",
			       "%s: cpu %u does not exist: the machine has %u "
			       "CPU%s (0 to %u)", fn, cpu, m->config.cpus,
			       m->config.cpus == 1 ? "" : "s",
			       m->config.cpus - 1);
	return MM_OK;
}

/* GFP_SLAB_BUG_MASK: __GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK */
static int check_gfp(const char *fn, gfp_t gfp, struct mm_error *err)
{
	gfp_t invalid = gfp & (__GFP_DMA32 | __GFP_HIGHMEM);
	char bad[GFP_NAME_MAX], fixed[GFP_NAME_MAX];

	if (gfp & ~__GFP_ALL_BITS)
		return mm_fail(err, MM_EINVAL, "bad-gfp", "gfp",
			       "gfp mask 0x%x has bits 0x%x that 6.1 does not "
			       "define: build it from GFP_* and __GFP_* names",
			       gfp, gfp & ~__GFP_ALL_BITS);
	if (!invalid)
		return MM_OK;
	gfp_format(invalid, bad, sizeof(bad));
	gfp_format(gfp & ~invalid, fixed, sizeof(fixed));
	return mm_fail(err, MM_EINVAL, "bad-gfp", "gfp",
		       "Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). "
		       "Fix your code! %s: slab memory must be lowmem, because "
		       "the kernel reaches it through the linear map "
		       "(PAGE_OFFSET + phys) and HighMem has no permanent "
		       "kernel address", invalid, bad, gfp & ~invalid, fixed,
		       fn);
}

static int check_size(const char *fn, uint64_t size, struct mm_error *err)
{
	if (size > KMALLOC_MAX_SIZE)
		return mm_fail(err, MM_EINVAL, "too-large", "size",
			       "%s(%llu): more than KMALLOC_MAX_SIZE (%u bytes, "
			       "an order-%u block): the page allocator warns "
			       "and %s returns NULL; vmalloc is for big "
			       "buffers", fn, (unsigned long long)size,
			       KMALLOC_MAX_SIZE, KMALLOC_MAX_ORDER, fn);
	return MM_OK;
}

/* --- kmalloc --------------------------------------------------------------------- */

static void res_init(struct slab_alloc_result *res, uint64_t size, gfp_t gfp)
{
	memset(res, 0, sizeof(*res));
	res->size = (uint32_t)size;
	res->gfp = gfp;
	res->pfn = PFN_NONE;
	res->retired = PFN_NONE;
	res->zone = -1;
}

/* kmalloc_large(): straight from the page allocator. */
static int kmalloc_large(struct machine *m, uint64_t size, gfp_t gfp,
			 struct slab_alloc_result *res, struct mm_error *err)
{
	struct slab_state *ss = &m->slab;
	struct page_alloc_result *r = xmalloc(sizeof(*r));
	unsigned order = 0;
	int rc;

	while (((uint64_t)PAGE_SIZE << order) < size)
		order++;
	res->large = true;
	res->from = SLAB_SRC_PAGES;
	res->order = order;
	res->page_gfp = gfp | __GFP_COMP;
	rc = alloc_pages_quiet(&m->pgdat, res->page_gfp, order, OWNER_SLAB, 0, r,
			 err);
	if (rc != MM_OK) {
		free(r);
		return rc;
	}
	if (!r->ok) {
		snprintf(res->reason, sizeof(res->reason), "kmalloc_large: "
			 "%s", r->reason);
		free(r);
		return MM_OK;
	}
	res->ok = true;
	res->pfn = r->pfn;
	res->zone = r->zone;
	res->phys = PFN_PHYS(r->pfn);
	res->addr = layout_va(&m->layout, res->phys);
	res->ksize = PAGE_SIZE << order;
	res->objects = res->inuse = 1;
	free(r);
	/* NR_SLAB_UNRECLAIMABLE_B, whatever the gfp */
	ss->changes++;
	ss->unreclaimable_pages += 1u << order;
	ss->large_pages += 1u << order;
	ss->nr_large++;
	/* the page allocator's __GFP_ZERO clears the whole block */
	if (gfp & __GFP_ZERO)
		for (uint32_t i = 0; i < (1u << order); i++)
			physmem_zero(&m->mem, res->pfn + i);
	return MM_OK;
}

static int do_kmalloc(struct machine *m, const char *fn, uint64_t size,
		      gfp_t gfp, unsigned cpu, struct slab_alloc_result *res,
		      struct mm_error *err)
{
	struct kmem_cache *s;
	int rc;

	res_init(res, size, gfp);
	if ((rc = check_cpu(m, fn, cpu, err)) ||
	    (rc = check_gfp(fn, gfp, err)) ||
	    (rc = check_size(fn, size, err)))
		return rc;
	if (!size) {
		/* ZERO_SIZE_PTR: a pointer no one may use, not NULL */
		res->ok = true;
		res->zero_size = true;
		res->addr = ZERO_SIZE_PTR;
		return MM_OK;
	}
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large(m, size, gfp, res, err);
	s = kmalloc_slab(&m->slab, size, gfp);
	slub_alloc(m, s, gfp, cpu, res);
	if (res->ok && (gfp & __GFP_ZERO))
		zero_phys(&m->mem, res->phys, s->object_size);
	return MM_OK;
}

int kmalloc(struct machine *m, uint64_t size, gfp_t gfp, unsigned cpu,
	    struct slab_alloc_result *res, struct mm_error *err)
{
	return do_kmalloc(m, "kmalloc", size, gfp, cpu, res, err);
}

int kzalloc(struct machine *m, uint64_t size, gfp_t gfp, unsigned cpu,
	    struct slab_alloc_result *res, struct mm_error *err)
{
	return do_kmalloc(m, "kzalloc", size, gfp | __GFP_ZERO, cpu, res, err);
}

/* --- kfree ------------------------------------------------------------------------ */

static void free_large(struct machine *m, const struct obj_loc *l,
		       struct slab_free_result *res)
{
	struct slab_state *ss = &m->slab;
	struct mm_error e;
	uint32_t pages = 1u << l->fi.order;

	free_pages(&m->pgdat, l->fi.head, l->fi.order, &e);
	ss->changes++;
	ss->unreclaimable_pages -= pages;
	ss->large_pages -= pages;
	ss->nr_large--;
	res->large = true;
	res->pfn = l->fi.head;
	res->order = l->fi.order;
	res->objects = 1;
	res->ksize = PAGE_SIZE << l->fi.order;
	res->discarded = true;
}

static void free_res_init(struct slab_free_result *res)
{
	memset(res, 0, sizeof(*res));
	res->pfn = PFN_NONE;
}

int kfree(struct machine *m, vaddr_t p, struct slab_free_result *res,
	  struct mm_error *err)
{
	struct slab_free_result local;
	struct obj_loc l;
	int rc;

	if (!res)
		res = &local;
	free_res_init(res);
	if (p <= ZERO_SIZE_PTR) {
		res->noop = true;	/* ZERO_OR_NULL_PTR */
		return MM_OK;
	}
	locate(m, p, &l);
	if ((rc = check_object(m, "kfree", p, &l, err)))
		return rc;
	if (l.kind == OBJ_LARGE)
		free_large(m, &l, res);
	else
		slub_free(m, slub_slab_mut(m, l.slab), l.index, res);
	return MM_OK;
}

int ksize(const struct machine *m, vaddr_t p, uint32_t *size,
	  struct mm_error *err)
{
	struct obj_loc l;
	int rc;

	*size = 0;
	if (p <= ZERO_SIZE_PTR)
		return MM_OK;
	locate(m, p, &l);
	if ((rc = check_object(m, "ksize", p, &l, err)))
		return rc;
	*size = l.kind == OBJ_LARGE ? PAGE_SIZE << l.fi.order
				    : l.slab->cache->size;
	return MM_OK;
}

/* --- krealloc ---------------------------------------------------------------------- */

int krealloc(struct machine *m, vaddr_t p, uint64_t new_size, gfp_t gfp,
	     unsigned cpu, struct slab_alloc_result *res,
	     struct mm_error *err)
{
	struct slab_object o;
	struct obj_loc l;
	uint32_t ks = 0;
	phys_addr_t old_phys = 0;
	int rc;

	res_init(res, new_size, gfp);
	if ((rc = check_cpu(m, "krealloc", cpu, err)) ||
	    (rc = check_gfp("krealloc", gfp, err)) ||
	    (rc = check_size("krealloc", new_size, err)))
		return rc;
	if (p > ZERO_SIZE_PTR) {
		locate(m, p, &l);
		if ((rc = check_object(m, "krealloc", p, &l, err)))
			return rc;
		ks = l.kind == OBJ_LARGE ? PAGE_SIZE << l.fi.order
					 : l.slab->cache->size;
		old_phys = layout_pa(&m->layout, p);
	}
	res->old_addr = p;
	if (!new_size) {
		/* krealloc(p, 0) frees p and returns ZERO_SIZE_PTR */
		rc = kfree(m, p, NULL, err);
		res->ok = true;
		res->zero_size = true;
		res->addr = ZERO_SIZE_PTR;
		res->moved = p > ZERO_SIZE_PTR;
		return rc;
	}
	if (ks >= new_size) {
		/* it still fits: the same object */
		slab_object_at(m, p, &o);
		res->ok = true;
		res->addr = p;
		res->phys = old_phys;
		res->ksize = o.ksize;
		res->cache = o.cache;
		res->large = !o.cache;
		res->pfn = o.pfn;
		res->order = o.order;
		res->zone = pfn_to_zone(&m->pgdat, o.pfn);
		res->index = o.index;
		res->objects = o.objects;
		res->inuse = o.inuse;
		res->from = SLAB_SRC_NONE;
		return MM_OK;
	}
	if ((rc = do_kmalloc(m, "krealloc", new_size, gfp, cpu, res, err)))
		return rc;
	res->old_addr = p;
	if (!res->ok)
		return MM_OK;	/* out of memory: p is untouched */
	if (p > ZERO_SIZE_PTR) {
		struct slab_object now;

		copy_phys(&m->mem, res->phys, old_phys, ks);
		res->copied = ks;
		res->moved = true;
		kfree(m, p, NULL, NULL);
		/* the free may change the new object's slab counts */
		if (slab_object_at(m, res->addr, &now))
			res->inuse = now.inuse;
	}
	return MM_OK;
}

/* --- named caches --------------------------------------------------------------------- */

bool slab_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n >= SLAB_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] <= ' ' ||
		    (unsigned char)name[i] >= 0x7f)
			return false;
	return true;
}

int kmem_cache_create(struct machine *m, const char *name, uint64_t size,
		      uint64_t align, uint32_t flags, struct kmem_cache **out,
		      struct mm_error *err)
{
	struct slab_state *ss = &m->slab;
	uint32_t a, sz;

	*out = NULL;
	if (!slab_name_ok(name))
		return mm_fail(err, MM_EINVAL, "bad-argument", "name",
			       "kmem_cache_create: a cache name is 1 to %d "
			       "printable characters without blanks (slabinfo "
			       "separates its columns with blanks)",
			       SLAB_NAME_MAX - 1);
	if (kmem_cache_find(ss, name))
		return mm_fail(err, MM_ESTATE, "duplicate-cache", "name",
			       "kmem_cache_create: there is a cache named %s "
			       "already; pick another name (the model keeps "
			       "names unique so slabinfo lines can be told "
			       "apart)", name);
	if (!size || size > KMALLOC_MAX_SIZE)
		return mm_fail(err, MM_EINVAL, "bad-argument", "size",
			       "kmem_cache_create(%s): size must be 1 to %u "
			       "bytes (KMALLOC_MAX_SIZE: no order up to 10 "
			       "holds a bigger object)", name,
			       KMALLOC_MAX_SIZE);
	if (align > PAGE_SIZE || (align & (align - 1)))
		return mm_fail(err, MM_EINVAL, "bad-argument", "align",
			       "kmem_cache_create(%s): align must be 0 or a "
			       "power of two up to %u", name, PAGE_SIZE);
	if (flags & ~SLAB_CREATE_FLAGS)
		return mm_fail(err, MM_EINVAL, "bad-argument", "flags",
			       "kmem_cache_create(%s): flags 0x%x: the model "
			       "takes SLAB_HWCACHE_ALIGN, SLAB_CACHE_DMA and "
			       "SLAB_RECLAIM_ACCOUNT", name, flags);
	/* kmem_cache_create_usercopy -> calculate_alignment, then
	 * calculate_sizes (no constructor from the API) */
	a = slab_calculate_alignment(flags, (uint32_t)align, (uint32_t)size);
	sz = slab_calculate_size((uint32_t)size, a, flags, false);
	*out = slub_cache_new(ss, name, (uint32_t)size, sz, a, flags);
	return MM_OK;
}

uint32_t slab_calculate_size(uint32_t object_size, uint32_t align,
			     uint32_t flags, bool ctor)
{
	uint32_t size = ALIGN_UP(object_size, (uint32_t)sizeof(uint32_t));

	if (ctor || (flags & SLAB_TYPESAFE_BY_RCU))
		size += sizeof(uint32_t);	/* s->offset = size */
	return ALIGN_UP(size, align);
}

struct kmem_cache *kmem_cache_create_boot(struct machine *m, const char *name,
					  uint32_t size, uint32_t align,
					  uint32_t flags, bool ctor)
{
	uint32_t a = slab_calculate_alignment(flags, align, size);

	return slub_cache_new(&m->slab, name, size,
			      slab_calculate_size(size, a, flags, ctor), a,
			      flags);
}

int kmem_cache_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp,
		     unsigned cpu, struct slab_alloc_result *res,
		     struct mm_error *err)
{
	int rc;

	res_init(res, s->object_size, gfp);
	if ((rc = check_cpu(m, "kmem_cache_alloc", cpu, err)) ||
	    (rc = check_gfp("kmem_cache_alloc", gfp, err)))
		return rc;
	slub_alloc(m, s, gfp, cpu, res);
	if (res->ok && (gfp & __GFP_ZERO))
		zero_phys(&m->mem, res->phys, s->object_size);
	return MM_OK;
}

int kmem_cache_free(struct machine *m, struct kmem_cache *s, vaddr_t p,
		    struct slab_free_result *res, struct mm_error *err)
{
	struct slab_free_result local;
	struct obj_loc l;
	int rc;

	if (!res)
		res = &local;
	free_res_init(res);
	locate(m, p, &l);
	if (l.kind == OBJ_LARGE) {
		vaddr_t head = layout_va(&m->layout, PFN_PHYS(l.fi.head));

		return mm_fail(err, MM_EINVAL, "not-slab", "addr",
			       "kmem_cache_free: Object is not a Slab page! "
			       "0x%08x is in the order-%u kmalloc_large block "
			       "at 0x%08x, which kfree frees", p, l.fi.order,
			       head);
	}
	if (l.kind == OBJ_NOT_SLAB)
		return fail_not_slab(m, "kmem_cache_free", p, &l, err);
	/* cache_from_obj() comes before the debug checks */
	if (l.slab->cache != s)
		return mm_fail(err, MM_EINVAL, "wrong-cache", "cache",
			       "kmem_cache_free: Wrong slab cache. %s but "
			       "object is from %s", s->name,
			       l.slab->cache->name);
	if ((rc = check_object(m, "kmem_cache_free", p, &l, err)))
		return rc;
	slub_free(m, slub_slab_mut(m, l.slab), l.index, res);
	return MM_OK;
}

int kmem_cache_destroy(struct machine *m, struct kmem_cache *s,
		       uint32_t *pages, struct mm_error *err)
{
	struct slab_state *ss = &m->slab;

	*pages = 0;
	if (s->kmalloc)
		return mm_fail(err, MM_EIMPOSSIBLE, "kmalloc-cache", "cache",
			       "kmem_cache_destroy: %s is a kmalloc cache; the "
			       "kernel creates those at boot and never "
			       "destroys them", s->name);
	if (s->inuse)
		return mm_fail(err, MM_ESTATE, "cache-in-use", "cache",
			       "kmem_cache_destroy %s: Slab cache still has "
			       "objects: %u in use in %u slab%s; "
			       "kmem_cache_free them first", s->name, s->inuse,
			       s->nr_slabs, s->nr_slabs == 1 ? "" : "s");
	*pages = slub_shutdown(m, s);
	for (uint32_t i = 0; i < ss->nr_caches; i++) {
		if (ss->caches[i] != s)
			continue;
		ss->changes++;
		memmove(&ss->caches[i], &ss->caches[i + 1],
			(ss->nr_caches - i - 1) * sizeof(*ss->caches));
		ss->nr_caches--;
		break;
	}
	free(s->cpu_slab);
	free(s);
	return MM_OK;
}

/* --- reports ------------------------------------------------------------------------ */

uint32_t slab_kernel_active_objs(const struct kmem_cache *s)
{
	uint32_t nr_free = 0;

	for (const struct slab *p = s->partial_head; p; p = p->next)
		nr_free += p->objects - p->inuse;
	return s->total_objects - nr_free;
}

void proc_slabinfo(const struct machine *m, struct strbuf *out)
{
	const struct slab_state *ss = &m->slab;

	sb_puts(out, "slabinfo - version: 2.1\n"
		"# name            <active_objs> <num_objs> <objsize> "
		"<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
		"<sharedfactor> : slabdata <active_slabs> <num_slabs> "
		"<sharedavail>\n");
	/* slab_caches is a list_add() list: newest first */
	for (uint32_t i = ss->nr_caches; i-- > 0;) {
		const struct kmem_cache *s = ss->caches[i];

		sb_printf(out, "%-17s %6u %6u %6u %4u %4d : tunables %4u %4u "
			  "%4u : slabdata %6u %6u %6u\n", s->name, s->inuse,
			  s->total_objects, s->size, s->objects,
			  1 << s->order, 0u, 0u, 0u, s->nr_slabs, s->nr_slabs,
			  0u);
	}
}

/* --- self-check ---------------------------------------------------------------------- */

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		snprintf(why, len, __VA_ARGS__); \
		return -1; \
	} \
} while (0)

static int check_slab(const struct machine *m, const struct kmem_cache *s,
		      const struct slab *slab, char *why, size_t len)
{
	const struct slab_state *ss = &m->slab;
	const struct pfn_rec *r = pfnmap_get(&m->pgdat.alloc_blocks,
					     slab->pfn);
	struct frame_info fi;
	uint32_t used = 0, nfree = 0;

	CHECK(slab->cache == s, "%s: slab 0x%x names another cache", s->name,
	      slab->pfn);
	CHECK(r && (slab->slot == SLAB_NONE
		    ? r->owner_index == SLAB_RUN_INDEX
		    : r->owner_index && slab_at(ss, r->owner_index - 1) ==
		      slab), "%s: slab 0x%x: its block does not name its slot",
	      s->name, slab->pfn);
	page_frame_info(&m->pgdat, slab->pfn, &fi);
	CHECK(fi.state == FRAME_ALLOCATED && fi.owner == OWNER_SLAB &&
	      fi.owner_id == s->id && fi.head == slab->pfn &&
	      fi.order == slab->order, "%s: slab 0x%x: frame says state %d "
	      "owner %d id %u head 0x%x order %u", s->name, slab->pfn,
	      fi.state, fi.owner, fi.owner_id, fi.head, fi.order);
	CHECK(slab->pfn < m->layout.max_low_pfn, "%s: slab 0x%x not lowmem",
	      s->name, slab->pfn);
	CHECK((uint32_t)slab->objects * s->size <= (PAGE_SIZE << slab->order),
	      "%s: slab 0x%x overflows", s->name, slab->pfn);
	CHECK(slab->bump <= slab->objects && (slab->freelist == SLAB_FREE_END
	      ? !slab->allocated && !slab->next_free
	      : slab->allocated && slab->next_free), "%s: slab 0x%x: bump %u, "
	      "stack arrays and free list disagree", s->name, slab->pfn,
	      slab->bump);
	for (uint32_t i = 0; i < slab->objects; i++)
		used += slab_obj_inuse(slab, i);
	CHECK(used == slab->inuse, "%s: slab 0x%x inuse %u, %u marked",
	      s->name, slab->pfn, slab->inuse, used);
	for (uint16_t i = slab_free_first(slab); i != SLAB_FREE_END;
	     i = slab_free_next(slab, i)) {
		CHECK(i < slab->objects && !slab_obj_inuse(slab, i) &&
		      nfree < slab->objects, "%s: slab 0x%x: bad free list",
		      s->name, slab->pfn);
		nfree++;
	}
	CHECK(nfree + used == slab->objects, "%s: slab 0x%x: %u free listed, "
	      "%u used, %u objects", s->name, slab->pfn, nfree, used,
	      slab->objects);
	switch (slab->list) {
	case SLAB_CPU:
		CHECK(slab->cpu < ss->nr_cpus && s->cpu_slab[slab->cpu] == slab,
		      "%s: slab 0x%x says CPU %u", s->name, slab->pfn,
		      slab->cpu);
		break;
	case SLAB_FULL:
		CHECK(slab->inuse == slab->objects, "%s: full slab 0x%x has "
		      "free objects", s->name, slab->pfn);
		break;
	case SLAB_PARTIAL:
		CHECK(slab->inuse < slab->objects, "%s: partial slab 0x%x is "
		      "full", s->name, slab->pfn);
		break;
	default:
		CHECK(0, "%s: slab 0x%x on list %u", s->name, slab->pfn,
		      slab->list);
	}
	return 0;
}

int slab_check(const struct machine *m, char *why, size_t len)
{
	const struct slab_state *ss = &m->slab;
	uint32_t recl = 0, unrecl = 0, slabs = 0, large = 0, nlarge = 0;
	uint32_t slab_blocks = 0;

	for (uint32_t c = 0; c < ss->nr_caches; c++) {
		const struct kmem_cache *s = ss->caches[c];
		uint32_t n = 0, objs = 0, used = 0, pages = 0, full = 0;
		uint32_t partial = 0, cpus = 0;
		struct slab_iter it;

		for (const struct slab *p = slab_iter_first(&it, s); p;
		     p = slab_iter_next(&it)) {
			if (check_slab(m, s, p, why, len))
				return -1;
			n++;
			objs += p->objects;
			used += p->inuse;
			pages += 1u << p->order;
			full += p->list == SLAB_FULL;
			partial += p->list == SLAB_PARTIAL;
			cpus += p->list == SLAB_CPU;
		}
		for (const struct slab *p = s->partial_head; p; p = p->next) {
			CHECK(p->list == SLAB_PARTIAL && p->cache == s,
			      "%s: partial list holds slab 0x%x on list %u",
			      s->name, p->pfn, p->list);
			CHECK(p->next || p == s->partial_tail,
			      "%s: partial tail", s->name);
			partial--;
		}
		CHECK(partial == 0, "%s: partial list and slabs disagree",
		      s->name);
		CHECK(s->nr_cpus == ss->nr_cpus, "%s: %u CPUs", s->name,
		      s->nr_cpus);
		for (unsigned cpu = 0; cpu < s->nr_cpus; cpu++) {
			const struct slab *p = s->cpu_slab[cpu];

			CHECK(!p || (p->list == SLAB_CPU && p->cpu == cpu),
			      "%s: cpu %u slab", s->name, cpu);
			cpus -= p != NULL;
		}
		CHECK(cpus == 0, "%s: CPU slabs disagree", s->name);
		CHECK(n == s->nr_slabs && objs == s->total_objects &&
		      used == s->inuse && pages == s->nr_pages &&
		      full == s->nr_full, "%s: counters: slabs %u/%u objects "
		      "%u/%u inuse %u/%u pages %u/%u full %u/%u", s->name, n,
		      s->nr_slabs, objs, s->total_objects, used, s->inuse,
		      pages, s->nr_pages, full, s->nr_full);
		if (s->flags & SLAB_RECLAIM_ACCOUNT)
			recl += pages;
		else
			unrecl += pages;
		slabs += n;
	}
	/* every OWNER_SLAB block is a slab or a kmalloc_large block */
	for (uint32_t i = 0; i < m->pgdat.alloc_blocks.cap; i++) {
		const struct pfn_rec *r = &m->pgdat.alloc_blocks.slot[i];

		if (r->pfn == PFN_NONE || r->owner != OWNER_SLAB)
			continue;
		if (r->owner_id) {
			slab_blocks++;
		} else {
			large += 1u << r->order;
			nlarge++;
		}
	}
	CHECK(slab_blocks == slabs && slabs == ss->nr_slabs,
	      "%u slab blocks, %u slabs, %u counted", slab_blocks, slabs,
	      ss->nr_slabs);
	CHECK(large == ss->large_pages && nlarge == ss->nr_large,
	      "kmalloc_large: %u pages in %u blocks, counted %u in %u", large,
	      nlarge, ss->large_pages, ss->nr_large);
	CHECK(recl == ss->reclaimable_pages &&
	      unrecl + large == ss->unreclaimable_pages,
	      "node counters: reclaimable %u/%u unreclaimable %u/%u", recl,
	      ss->reclaimable_pages, unrecl + large, ss->unreclaimable_pages);
	return 0;
}

/*
 * vmalloc.c - the vmalloc area: areas in [VMALLOC_START, VMALLOC_END),
 * their frames and their kernel page-table entries (vmalloc.h has the
 * rules).
 */
#include "vmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "page_alloc.h"
#include "pgtable.h"
#include "slab.h"

#define PAGE_MASK_PHYS	(~(phys_addr_t)(PAGE_SIZE - 1))
/* sizeof(struct page *) on i386 */
#define PAGE_PTR_SIZE	4u

void vmalloc_init(struct vmalloc_state *vs)
{
	memset(vs, 0, sizeof(*vs));
	vs->next_id = 1;
}

void vmalloc_state_free(struct vmalloc_state *vs)
{
	for (uint32_t i = 0; i < vs->nr; i++)
		free(vs->areas[i].pages);
	free(vs->areas);
	memset(vs, 0, sizeof(*vs));
}

size_t vmalloc_host_bytes(const struct vmalloc_state *vs)
{
	size_t n = (size_t)vs->cap * sizeof(*vs->areas);

	for (uint32_t i = 0; i < vs->nr; i++)
		n += (size_t)vs->areas[i].nr_pages * sizeof(pfn_t);
	return n;
}

uint32_t vmalloc_nr_pages(const struct vmalloc_state *vs)
{
	return vs->nr_vmalloc_pages;
}

/* --- looking areas up -------------------------------------------------------- */

static int area_index_by_id(const struct vmalloc_state *vs, uint32_t id)
{
	for (uint32_t i = 0; i < vs->nr; i++)
		if (vs->areas[i].id == id)
			return (int)i;
	return -1;
}

const struct vm_area *vm_area_by_id(const struct vmalloc_state *vs,
				    uint32_t id)
{
	int i = area_index_by_id(vs, id);

	return i < 0 ? NULL : &vs->areas[i];
}

const struct vm_area *vm_area_containing(const struct vmalloc_state *vs,
					 vaddr_t addr)
{
	/* sorted by start: binary search for the last area starting <= addr */
	uint32_t lo = 0, hi = vs->nr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (vs->areas[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	{
		const struct vm_area *a = &vs->areas[lo - 1];

		return (uint64_t)addr < (uint64_t)a->start + a->size ? a : NULL;
	}
}

const struct vm_area *find_vm_area(const struct vmalloc_state *vs,
				   vaddr_t addr)
{
	const struct vm_area *a = vm_area_containing(vs, addr);

	return a && a->start == addr ? a : NULL;
}

/* --- the free space ------------------------------------------------------------ */

/*
 * find_vmap_lowest_match(): the lowest address in the window where size
 * bytes fit at align, and the index the new area takes in the sorted
 * array.  The gaps between busy areas are the kernel's free blocks.
 */
static bool lowest_match(const struct machine *m, uint64_t size,
			 uint64_t align, vaddr_t *start, uint32_t *pos)
{
	const struct vmalloc_state *vs = &m->vmalloc;
	uint64_t gap = m->layout.vmalloc_start, end = m->layout.vmalloc_end;

	for (uint32_t i = 0; i <= vs->nr; i++) {
		uint64_t gap_end = i < vs->nr ? vs->areas[i].start : end;
		uint64_t s = ALIGN_UP(gap, align);

		if (s + size <= gap_end) {
			*start = (vaddr_t)s;
			*pos = i;
			return true;
		}
		if (i < vs->nr)
			gap = (uint64_t)vs->areas[i].start + vs->areas[i].size;
	}
	return false;
}

uint32_t vmalloc_largest_gap(const struct machine *m)
{
	const struct vmalloc_state *vs = &m->vmalloc;
	uint64_t gap = m->layout.vmalloc_start, best = 0;

	for (uint32_t i = 0; i <= vs->nr; i++) {
		uint64_t gap_end = i < vs->nr ? vs->areas[i].start
					      : m->layout.vmalloc_end;

		if (gap_end - gap > best)
			best = gap_end - gap;
		if (i < vs->nr)
			gap = (uint64_t)vs->areas[i].start + vs->areas[i].size;
	}
	return (uint32_t)best;
}

/* "120 MiB", "1020 KiB" or "4097 bytes" */
static void size_str(uint64_t n, char *buf, size_t len)
{
	if (n && n % SZ_1M == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(n / SZ_1M));
	else if (n && n % SZ_1K == 0)
		snprintf(buf, len, "%llu KiB", (unsigned long long)(n / SZ_1K));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
}

/*
 * __get_vm_area_node(): reserve size (page aligned) plus the guard page at
 * the lowest fit.  On success *id is the new area's.
 */
static int get_vm_area(struct machine *m, uint64_t size, uint64_t align,
		       uint32_t flags, const char *caller, uint32_t *id,
		       struct mm_error *err)
{
	struct vmalloc_state *vs = &m->vmalloc;
	uint64_t total = size + PAGE_SIZE;
	struct vm_area *a;
	vaddr_t start;
	uint32_t pos;

	if (!lowest_match(m, total, align, &start, &pos)) {
		uint64_t window = (uint64_t)m->layout.vmalloc_end -
				  m->layout.vmalloc_start;
		char w[32], g[32], al[64] = "";

		size_str(window, w, sizeof(w));
		size_str(vmalloc_largest_gap(m), g, sizeof(g));
		if (align > PAGE_SIZE)
			snprintf(al, sizeof(al), " (this one must start at a "
				 "multiple of 0x%llx)",
				 (unsigned long long)align);
		if (total > window)
			return mm_fail(err, MM_EIMPOSSIBLE,
				       "vmalloc-space-exhausted", "size",
				       "vmap allocation for size %llu failed: "
				       "use vmalloc=<size> to increase size; "
				       "the whole vmalloc area is only %s, "
				       "0x%08x-0x%08x", (unsigned long long)total,
				       w, m->layout.vmalloc_start,
				       m->layout.vmalloc_end);
		return mm_fail(err, MM_EIMPOSSIBLE, "vmalloc-space-exhausted",
			       "size", "vmap allocation for size %llu failed: "
			       "use vmalloc=<size> to increase size; the "
			       "vmalloc area is %s, 0x%08x-0x%08x, and its "
			       "largest free gap is %s%s",
			       (unsigned long long)total, w,
			       m->layout.vmalloc_start, m->layout.vmalloc_end,
			       g, al);
	}
	if (vs->nr == vs->cap) {
		vs->cap = vs->cap ? 2 * vs->cap : 16;
		vs->areas = xrealloc(vs->areas, vs->cap * sizeof(*vs->areas));
	}
	memmove(&vs->areas[pos + 1], &vs->areas[pos],
		(vs->nr - pos) * sizeof(*vs->areas));
	vs->nr++;
	a = &vs->areas[pos];
	memset(a, 0, sizeof(*a));
	a->id = vs->next_id++;
	a->start = start;
	a->size = (uint32_t)total;
	a->flags = flags;
	snprintf(a->caller, sizeof(a->caller), "%s", caller);
	*id = a->id;
	return MM_OK;
}

/*
 * remove_vm_area() and what __vunmap does after it: clear the PTEs,
 * release the range (purged at once), then free the frames of a vmalloc
 * area in array order and its nested pages[] array.
 */
static void destroy_area(struct machine *m, uint32_t id)
{
	struct vmalloc_state *vs = &m->vmalloc;
	int i = area_index_by_id(vs, id);
	struct vm_area a;
	struct mm_error e;

	if (i < 0)
		return;
	a = vs->areas[i];
	/* a vmalloc area without frames (get_vm_area) has nothing mapped */
	for (uint32_t off = 0; off + PAGE_SIZE < a.size &&
	     (!(a.flags & VM_ALLOC) || a.nr_pages); off += PAGE_SIZE)
		kernel_unmap_page(m, a.start + off);
	memmove(&vs->areas[i], &vs->areas[i + 1],
		(vs->nr - (uint32_t)i - 1) * sizeof(*vs->areas));
	vs->nr--;
	if (a.flags & VM_ALLOC) {
		for (uint32_t k = 0; k < a.nr_pages; k++)
			free_pages(&m->pgdat, a.pages[k], 0, &e);
		vs->nr_vmalloc_pages -= a.nr_pages;
	}
	free(a.pages);
	if (a.vpages_id)
		destroy_area(m, a.vpages_id);
	else if (a.pages_kmalloc)
		kfree(m, a.pages_kmalloc, NULL, &e);
}

/* --- mapping -------------------------------------------------------------------- */

void arch_sync_kernel_mappings(struct machine *m, vaddr_t start, vaddr_t end)
{
	/* for each PMD-sized step of [start, end) copy swapper_pg_dir's
	 * entry into every page directory on pgd_list (vmalloc_sync_one) */
	mm_sync_kernel_mappings(m, start, end);
}

/* Whether swapper_pg_dir already has a page table (or a large page) for
 * va: a PDE/PMD entry the walk could follow. */
static bool has_page_table(const struct machine *m, vaddr_t va)
{
	struct pt_walk w;

	pt_walk(m, m->swapper_pg_dir, va, ACCESS_READ, false, &w);
	if (w.ok)
		return true;
	for (unsigned i = 0; i < w.nsteps; i++)
		if (!strcmp(w.step[i].level, "pte"))
			return true;
	return false;
}

/*
 * Map the pages of area id: page i at start + i * 4096 to phys_of(i).
 * Counts the page tables it creates; on failure *err tells why and the
 * pages mapped so far stay mapped (the caller's undo clears them).
 */
static int map_area(struct machine *m, uint32_t id, pgprot_t prot,
		    const pfn_t *pfns, phys_addr_t phys, uint32_t npages,
		    uint32_t *new_tables, struct mm_error *err)
{
	const struct vm_area *a = vm_area_by_id(&m->vmalloc, id);
	vaddr_t start = a->start;
	uint32_t created = 0;
	int rc;

	for (uint32_t i = 0; i < npages; i++) {
		vaddr_t va = start + i * PAGE_SIZE;
		phys_addr_t pa = pfns ? PFN_PHYS(pfns[i])
				      : phys + (phys_addr_t)i * PAGE_SIZE;
		bool check = i == 0 || va % m->layout.pmd_size == 0;
		bool had = check ? has_page_table(m, va) : true;

		if ((rc = kernel_map_page(m, va, pa, prot, err)))
			return rc;
		if (!had)
			created++;
	}
	if (created) {
		*new_tables += created;
		arch_sync_kernel_mappings(m, start, start + npages * PAGE_SIZE);
	}
	return MM_OK;
}

/* --- vmalloc and vfree ------------------------------------------------------------ */

static int vmalloc_node(struct machine *m, uint64_t size, bool zero,
			const char *caller, uint32_t *id_out,
			uint32_t *new_tables, struct mm_error *err);

/*
 * __vmalloc_area_node() for a reserved area: the pages[] array, the
 * frames, the mapping.  On failure everything it did is undone and the
 * area released.
 */
static int vmalloc_area(struct machine *m, uint32_t id, uint64_t size,
			bool zero, const char *caller, uint32_t *new_tables,
			struct mm_error *err)
{
	struct vmalloc_state *vs = &m->vmalloc;
	uint32_t nr = (uint32_t)(size >> PAGE_SHIFT), nested = 0, got;
	uint64_t array_size = (uint64_t)nr * PAGE_PTR_SIZE;
	gfp_t gfp = GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN |
		    (zero ? __GFP_ZERO : 0);
	struct page_alloc_result *r;
	struct vm_area *a;
	struct mm_error e;
	pfn_t *pages;
	int rc = MM_OK;

	if (array_size > PAGE_SIZE) {
		/* the array is vmalloc'ed itself, zeroed (nested_gfp) */
		rc = vmalloc_node(m, ALIGN_UP(array_size, PAGE_SIZE), true,
				  caller, &nested, new_tables, &e);
		if (rc) {
			destroy_area(m, id);
			return mm_fail(err, e.kind, e.type, e.field, "%s "
				       "(while vmalloc'ing the pages[] array "
				       "of a %llu-byte vmalloc: %llu bytes "
				       "of page pointers)", e.detail,
				       (unsigned long long)size,
				       (unsigned long long)array_size);
		}
		vs->areas[area_index_by_id(vs, nested)].nested_in = id;
		vs->areas[area_index_by_id(vs, id)].vpages_id = nested;
	} else {
		/* kmalloc_node(array_size, nested_gfp) */
		struct slab_alloc_result *k = xmalloc(sizeof(*k));

		rc = kmalloc(m, array_size, GFP_KERNEL | __GFP_ZERO, 0, k, &e);
		if (rc == MM_OK && !k->ok)
			rc = mm_fail(&e, MM_EIMPOSSIBLE, "out-of-memory",
				     "size", "vmalloc error: size %llu, failed "
				     "to allocated page array size %llu: "
				     "%s", (unsigned long long)size,
				     (unsigned long long)array_size,
				     k->reason);
		if (rc == MM_OK)
			vs->areas[area_index_by_id(vs, id)].pages_kmalloc =
				k->addr;
		free(k);
		if (rc) {
			destroy_area(m, id);
			return mm_fail(err, e.kind, e.type, e.field, "%s",
				       e.detail);
		}
	}

	pages = xmalloc(((size_t)nr ? nr : 1) * sizeof(*pages));
	r = xmalloc(sizeof(*r));
	for (got = 0; got < nr; got++) {
		if ((rc = alloc_pages_quiet(&m->pgdat, gfp, 0, OWNER_VMALLOC, id, r,
				      &e)))
			break;
		if (!r->ok) {
			rc = mm_fail(&e, MM_EIMPOSSIBLE, "out-of-memory", "size",
				     "vmalloc error: size %llu, page order 0, "
				     "failed to allocate pages: page %u of %u "
				     "could not be had (all given back): %s",
				     (unsigned long long)size, got + 1, nr,
				     r->reason);
			break;
		}
		pages[got] = r->pfn;
	}
	free(r);
	a = &vs->areas[area_index_by_id(vs, id)];
	a->pages = pages;
	a->nr_pages = got;
	vs->nr_vmalloc_pages += got;
	if (rc) {
		destroy_area(m, id);
		return mm_fail(err, e.kind, e.type, e.field, "%s", e.detail);
	}
	if (zero)
		for (uint32_t i = 0; i < nr; i++)
			physmem_zero(&m->mem, pages[i]);
	if ((rc = map_area(m, id, kernel_prot(m, PROT_KERNEL, false), pages,
			   0, nr, new_tables, &e))) {
		destroy_area(m, id);
		return mm_fail(err, e.kind, e.type, "size", "vmalloc error: "
			       "size %llu, failed to map pages: %s",
			       (unsigned long long)size, e.detail);
	}
	return MM_OK;
}

static int vmalloc_node(struct machine *m, uint64_t size, bool zero,
			const char *caller, uint32_t *id_out,
			uint32_t *new_tables, struct mm_error *err)
{
	uint32_t id;
	int rc;

	if ((rc = get_vm_area(m, size, PAGE_SIZE, VM_ALLOC, caller, &id,
			      err)))
		return rc;
	if ((rc = vmalloc_area(m, id, size, zero, caller, new_tables, err)))
		return rc;
	*id_out = id;
	return MM_OK;
}

static int do_vmalloc(struct machine *m, uint64_t size, bool zero,
		      const char *caller, struct vm_result *res,
		      struct mm_error *err)
{
	uint32_t next_id = m->vmalloc.next_id;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!size)
		return mm_fail(err, MM_EINVAL, "bad-argument", "size",
			       "%s(0): the kernel warns and returns NULL; ask "
			       "for at least one byte",
			       zero ? "vzalloc" : "vmalloc");
	if (size > 0xfffff000ull)
		return mm_fail(err, MM_EINVAL, "bad-argument", "size",
			       "a size is an unsigned long on i386: at most "
			       "0xfffff000 once rounded up to a page");
	size = ALIGN_UP(size, (uint64_t)PAGE_SIZE);
	if ((size >> PAGE_SHIFT) > machine_totalram_pages(m))
		return mm_fail(err, MM_EIMPOSSIBLE, "out-of-memory", "size",
			       "vmalloc error: size %llu, exceeds total pages "
			       "(the machine manages %u pages)",
			       (unsigned long long)size,
			       machine_totalram_pages(m));
	rc = vmalloc_node(m, size, zero, caller, &res->id,
			  &res->new_page_tables, err);
	if (rc) {
		/* a refusal leaves the ids as they were */
		m->vmalloc.next_id = next_id;
		memset(res, 0, sizeof(*res));
		return rc;
	}
	res->addr = vm_area_by_id(&m->vmalloc, res->id)->start;
	return MM_OK;
}

int vmalloc(struct machine *m, uint64_t size, struct vm_result *res,
	    struct mm_error *err)
{
	return do_vmalloc(m, size, false, "vmalloc", res, err);
}

int vzalloc(struct machine *m, uint64_t size, struct vm_result *res,
	    struct mm_error *err)
{
	return do_vmalloc(m, size, true, "vzalloc", res, err);
}

int __vmalloc_caller(struct machine *m, uint64_t size, bool zero,
		     const char *caller, struct vm_result *res,
		     struct mm_error *err)
{
	return do_vmalloc(m, size, zero, caller, res, err);
}

int get_vm_area_caller(struct machine *m, uint64_t size, const char *caller,
		       struct vm_result *res, struct mm_error *err)
{
	int rc;

	memset(res, 0, sizeof(*res));
	if (!size || size > 0xfffff000ull)
		return mm_fail(err, MM_EINVAL, "bad-argument", "size",
			       "get_vm_area of %llu bytes",
			       (unsigned long long)size);
	if ((rc = get_vm_area(m, ALIGN_UP(size, (uint64_t)PAGE_SIZE),
			      PAGE_SIZE, VM_ALLOC, caller, &res->id, err)))
		return rc;
	res->addr = vm_area_by_id(&m->vmalloc, res->id)->start;
	return MM_OK;
}

void free_vm_area(struct machine *m, uint32_t id)
{
	destroy_area(m, id);
}

int set_vm_area_ro(struct machine *m, vaddr_t addr, struct mm_error *err)
{
	const struct vm_area *a = find_vm_area(&m->vmalloc, addr);
	pgprot_t ro = kernel_prot(m, PROT_KERNEL_RO, false);
	int rc;

	if (!a || !(a->flags & VM_ALLOC))
		return mm_fail(err, MM_ENOTFOUND, "not-a-vmalloc-area", "addr",
			       "set_memory_ro: no vmalloc area starts at "
			       "0x%08x", addr);
	for (uint32_t i = 0; i < a->nr_pages; i++) {
		vaddr_t va = a->start + i * PAGE_SIZE;

		kernel_unmap_page(m, va);
		if ((rc = kernel_map_page(m, va, PFN_PHYS(a->pages[i]), ro,
					  err)))
			return rc;
	}
	return MM_OK;
}

/* --- what lies at an address, for the refusals ------------------------------------- */

static const char *area_kind(const struct vm_area *a)
{
	if (a->flags & VM_IOREMAP)
		return "ioremap";
	if (a->flags & VM_MAP)
		return "vmap";
	return a->nested_in ? "vmalloc (a pages[] array)" : "vmalloc";
}

static void describe_addr(const struct machine *m, vaddr_t va, char *buf,
			  size_t len)
{
	const struct layout *l = &m->layout;
	const struct vm_area *a = vm_area_containing(&m->vmalloc, va);

	if (a) {
		vaddr_t end = a->start + a->size;

		if (va == a->start)
			snprintf(buf, len, "the start of the %s area "
				 "0x%08x-0x%08x", area_kind(a), a->start, end);
		else if (va >= end - PAGE_SIZE)
			snprintf(buf, len, "the guard page of the %s area "
				 "0x%08x-0x%08x", area_kind(a), a->start, end);
		else
			snprintf(buf, len, "0x%x bytes into the %s area "
				 "0x%08x-0x%08x (it starts at 0x%08x)",
				 va - a->start, area_kind(a), a->start, end,
				 a->start);
	} else if (va >= l->vmalloc_start && va < l->vmalloc_end) {
		snprintf(buf, len, "free space of the vmalloc area: no area "
			 "holds it");
	} else if (va < l->page_offset) {
		snprintf(buf, len, "user space (below PAGE_OFFSET 0x%08x)",
			 l->page_offset);
	} else if (va < l->high_memory) {
		snprintf(buf, len, "lowmem's linear map (kmalloc and "
			 "alloc_pages memory, freed with kfree or free_pages)");
	} else if (va < l->vmalloc_start) {
		snprintf(buf, len, "the VMALLOC_OFFSET gap between high_memory "
			 "0x%08x and VMALLOC_START 0x%08x", l->high_memory,
			 l->vmalloc_start);
	} else if (va < l->pkmap_base) {
		snprintf(buf, len, "the guard gap between VMALLOC_END and "
			 "the pkmap area");
	} else if (va < l->pkmap_base + l->last_pkmap * PAGE_SIZE) {
		snprintf(buf, len, "the pkmap area (kmap; undo with kunmap)");
	} else if (va >= l->ldt_base && va < l->ldt_end) {
		snprintf(buf, len, "the LDT remap");
	} else if (va >= l->cpu_entry_area_base &&
		   va < l->fixaddr_tot_start) {
		snprintf(buf, len, "the CPU entry area");
	} else if (va >= l->fixaddr_tot_start && va < l->fixaddr_top) {
		snprintf(buf, len, "the fixmap (kmap_local and kmap_atomic "
			 "slots among others)");
	} else {
		snprintf(buf, len, "the top of the address space, above the "
			 "vmalloc area");
	}
}

/*
 * The area an unmapping names: it must start at addr and have the kind
 * asked for (a nested pages[] array is its owner's to free).
 */
static int area_to_unmap(const struct machine *m, vaddr_t addr,
			 uint32_t flag, const char *fn, const char *type,
			 uint32_t *id, struct mm_error *err)
{
	const struct vm_area *a = find_vm_area(&m->vmalloc, addr);
	char what[160];

	describe_addr(m, addr, what, sizeof(what));
	if (!a && addr % PAGE_SIZE && flag != VM_IOREMAP)
		return mm_fail(err, MM_ENOTFOUND, type, "addr", "Trying to "
			       "vfree() bad address (0x%08x): %s() takes the "
			       "page-aligned address the allocation returned; "
			       "0x%08x is %s", addr, fn, addr, what);
	if (!a)
		return mm_fail(err, MM_ENOTFOUND, type, "addr", "%s: no area "
			       "starts at 0x%08x; it is %s", fn, addr, what);
	if (!(a->flags & flag)) {
		const char *how = a->flags & VM_IOREMAP ? "iounmap"
				: a->flags & VM_MAP ? "vunmap" : "vfree";

		return mm_fail(err, MM_ESTATE, type, "addr", "%s: 0x%08x is "
			       "%s; undo it with %s()", fn, addr, what, how);
	}
	if (a->nested_in) {
		const struct vm_area *o = vm_area_by_id(&m->vmalloc,
							a->nested_in);
		vaddr_t owner = o ? o->start : 0;

		return mm_fail(err, MM_ESTATE, type, "addr", "%s: 0x%08x holds "
			       "the pages[] array of the vmalloc area at "
			       "0x%08x, and vfree(0x%08x) frees both", fn,
			       addr, owner, owner);
	}
	*id = a->id;
	return MM_OK;
}

int vfree(struct machine *m, vaddr_t addr, struct mm_error *err)
{
	uint32_t id;
	int rc;

	if (!addr)
		return MM_OK;	/* vfree(NULL) is a no-op */
	if ((rc = area_to_unmap(m, addr, VM_ALLOC, "vfree",
				"not-a-vmalloc-area", &id, err)))
		return rc;
	destroy_area(m, id);
	return MM_OK;
}

/* --- vmap and vunmap ----------------------------------------------------------------- */

int vmap(struct machine *m, const pfn_t *pfns, uint32_t count,
	 struct vm_result *res, struct mm_error *err)
{
	uint32_t next_id = m->vmalloc.next_id, id;
	struct vm_area *a;
	struct mm_error e;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!count)
		return mm_fail(err, MM_EINVAL, "bad-argument", "pfns",
			       "vmap needs at least one page");
	if (count > machine_totalram_pages(m))
		return mm_fail(err, MM_EIMPOSSIBLE, "out-of-memory", "pfns",
			       "vmap of %u pages: more than the %u pages the "
			       "machine manages (the kernel returns NULL)",
			       count, machine_totalram_pages(m));
	for (uint32_t i = 0; i < count; i++) {
		struct frame_info fi;
		char field[40];

		snprintf(field, sizeof(field), "pfns[%u]", i);
		page_frame_info(&m->pgdat, pfns[i], &fi);
		if (fi.state == FRAME_HOLE || !pfn_is_ram(&m->pgdat, pfns[i]))
			return mm_fail(err, MM_EINVAL, "not-ram", field,
				       "vmap: pfn 0x%x is not RAM the kernel "
				       "manages: it has no struct page to map",
				       pfns[i]);
		if (fi.state == FRAME_FREE)
			return mm_fail(err, MM_ESTATE, "frame-free", field,
				       "vmap: pfn 0x%x is free in the buddy "
				       "allocator, which could hand it to "
				       "someone else while it is mapped; "
				       "allocate it first", pfns[i]);
	}
	if ((rc = get_vm_area(m, (uint64_t)count * PAGE_SIZE, PAGE_SIZE,
			      VM_MAP, "vmap", &id, err))) {
		if (err)
			snprintf(err->field, sizeof(err->field), "pfns");
		return rc;
	}
	a = &m->vmalloc.areas[area_index_by_id(&m->vmalloc, id)];
	a->pages = xmalloc(count * sizeof(*pfns));
	memcpy(a->pages, pfns, count * sizeof(*pfns));
	a->nr_pages = count;
	if ((rc = map_area(m, id, kernel_prot(m, PROT_KERNEL, false), pfns, 0,
			   count, &res->new_page_tables, &e))) {
		destroy_area(m, id);
		m->vmalloc.next_id = next_id;
		memset(res, 0, sizeof(*res));
		return mm_fail(err, e.kind, e.type, "pfns", "vmap: failed to "
			       "map pages: %s", e.detail);
	}
	res->id = id;
	res->addr = vm_area_by_id(&m->vmalloc, id)->start;
	return MM_OK;
}

int vunmap(struct machine *m, vaddr_t addr, struct mm_error *err)
{
	uint32_t id;
	int rc;

	if (!addr)
		return MM_OK;	/* vunmap(NULL) is a no-op */
	if ((rc = area_to_unmap(m, addr, VM_MAP, "vunmap",
				"not-a-vmap-area", &id, err)))
		return rc;
	destroy_area(m, id);
	return MM_OK;
}

/* --- ioremap and iounmap --------------------------------------------------------------- */

/* %pa: 0x and every hex digit of a phys_addr_t (4 or 8 bytes) */
static int pa_width(const struct machine *m)
{
	return m->config.pae ? 16 : 8;
}

/* get_count_order_long(): ceil(log2(n)) */
static unsigned count_order(uint64_t n)
{
	unsigned o = 0;

	while ((1ull << o) < n)
		o++;
	return o;
}

static int do_ioremap(struct machine *m, phys_addr_t phys, uint64_t size,
		      enum kprot prot, const char *caller,
		      struct vm_result *res, struct mm_error *err)
{
	uint64_t limit = m->config.pae ? PHYS_LIMIT : SZ_4G;
	uint32_t next_id = m->vmalloc.next_id, id;
	phys_addr_t last, aligned;
	uint64_t mapsize, align;
	unsigned order;
	struct mm_error e;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!size)
		return mm_fail(err, MM_EINVAL, "bad-argument", "size",
			       "ioremap of 0 bytes: the kernel returns NULL");
	if (!range_fits(phys, size, limit))
		return mm_fail(err, MM_EINVAL, "bad-argument", "phys",
			       "ioremap: 0x%llx + 0x%llx goes past %s",
			       (unsigned long long)phys,
			       (unsigned long long)size, m->config.pae
			       ? "64 GiB, the 36 physical address bits of "
				 "the PAE machine"
			       : "4 GiB: phys_addr_t is 32 bits on the "
				 "two-level (686) kernel");
	last = phys + size - 1;
	/* __ioremap_check_ram(): whole pages of System RAM that are not
	 * PageReserved, i.e. that the buddy allocator owns */
	for (pfn_t pfn = PFN_UP(phys); pfn < PFN_DOWN(last + 1); pfn++) {
		struct frame_info fi;

		if (!pfn_is_ram(&m->pgdat, pfn))
			continue;
		page_frame_info(&m->pgdat, pfn, &fi);
		if (fi.state == FRAME_FREE || fi.state == FRAME_ALLOCATED)
			return mm_fail(err, MM_EIMPOSSIBLE, "ioremap-ram",
				       "phys", "ioremap on RAM at 0x%0*llx - "
				       "0x%0*llx: pfn 0x%x is RAM the buddy "
				       "allocator owns (%s); ioremap is for "
				       "device memory and reserved ranges",
				       pa_width(m), (unsigned long long)phys,
				       pa_width(m), (unsigned long long)last,
				       pfn, fi.state == FRAME_FREE ? "free"
				       : "allocated");
	}
	aligned = phys & PAGE_MASK_PHYS;
	mapsize = ALIGN_UP(last + 1, (uint64_t)PAGE_SIZE) - aligned;
	if (mapsize > 0xfffff000ull)
		return mm_fail(err, MM_EINVAL, "bad-argument", "size",
			       "a size is an unsigned long on i386: at most "
			       "0xfffff000 once rounded to pages");
	/* VM_IOREMAP: aligned to the size's power of two, 4 KiB..512 KiB */
	order = count_order(mapsize);
	order = order < PAGE_SHIFT ? PAGE_SHIFT : order;
	order = order > IOREMAP_MAX_ORDER ? IOREMAP_MAX_ORDER : order;
	align = 1ull << order;
	if ((rc = get_vm_area(m, mapsize, align, VM_IOREMAP, caller, &id,
			      err)))
		return rc;
	m->vmalloc.areas[area_index_by_id(&m->vmalloc, id)].phys_addr =
		aligned;
	if ((rc = map_area(m, id, kernel_prot(m, prot, false), NULL, aligned, (uint32_t)(mapsize >> PAGE_SHIFT),
			   &res->new_page_tables, &e))) {
		destroy_area(m, id);
		m->vmalloc.next_id = next_id;
		memset(res, 0, sizeof(*res));
		return mm_fail(err, e.kind, e.type, "size", "ioremap: failed "
			       "to map pages: %s", e.detail);
	}
	res->id = id;
	res->addr = vm_area_by_id(&m->vmalloc, id)->start +
		    (vaddr_t)(phys & (PAGE_SIZE - 1));
	return MM_OK;
}

int ioremap(struct machine *m, phys_addr_t phys, uint64_t size,
	    struct vm_result *res, struct mm_error *err)
{
	return do_ioremap(m, phys, size, PROT_KERNEL_NOCACHE, "ioremap", res,
			  err);
}

int ioremap_caller(struct machine *m, phys_addr_t phys, uint64_t size,
		   bool cached, const char *caller, struct vm_result *res,
		   struct mm_error *err)
{
	return do_ioremap(m, phys, size, cached ? PROT_KERNEL
			  : PROT_KERNEL_NOCACHE, caller, res, err);
}

int iounmap(struct machine *m, vaddr_t addr, struct mm_error *err)
{
	uint32_t id;
	int rc;

	if (!addr)
		return MM_OK;	/* iounmap(NULL) is a no-op */
	/* the kernel also returns silently for any other address at or
	 * below high_memory; the model names what is there instead */
	if ((rc = area_to_unmap(m, addr & ~(PAGE_SIZE - 1), VM_IOREMAP,
				"iounmap", "not-an-ioremap-area", &id, err)))
		return rc;
	destroy_area(m, id);
	return MM_OK;
}

/* --- /proc/vmallocinfo ------------------------------------------------------------------ */

unsigned vm_area_flag_words(const struct vm_area *a, const char *words[5])
{
	unsigned n = 0;

	if (a->flags & VM_IOREMAP)
		words[n++] = "ioremap";
	if (a->flags & VM_ALLOC)
		words[n++] = "vmalloc";
	if (a->flags & VM_MAP)
		words[n++] = "vmap";
	if (a->vpages_id)
		words[n++] = "vpages";
	words[n] = NULL;
	return n;
}

void proc_vmallocinfo(const struct machine *m, struct strbuf *out)
{
	const struct vmalloc_state *vs = &m->vmalloc;

	for (uint32_t i = 0; i < vs->nr; i++) {
		const struct vm_area *a = &vs->areas[i];
		const char *words[5];

		sb_printf(out, "0x%08x-0x%08x %7u %s", a->start,
			  a->start + a->size, a->size, a->caller);
		if ((a->flags & VM_ALLOC) && a->nr_pages)
			sb_printf(out, " pages=%u", a->nr_pages);
		if (a->phys_addr)
			sb_printf(out, " phys=0x%0*llx", pa_width(m),
				  (unsigned long long)a->phys_addr);
		vm_area_flag_words(a, words);
		for (unsigned k = 0; words[k]; k++)
			sb_printf(out, " %s", words[k]);
		sb_puts(out, "\n");
	}
}

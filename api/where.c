/*
 * where.c - where an address is, in one place, so every answer says it the
 * same way: the region of this machine's kernel layout a virtual address
 * falls in, and for a frame its zone and every virtual address that maps
 * it (the linear map, vmalloc/vmap/ioremap areas, pkmap slots, each
 * CPU's kmap_local stack, and processes' page tables).
 *
 * The regions are the layout report's ("regions" of GET .../layout), so a
 * name in an answer can be looked up there with its bounds and purpose.
 * The frame's kernel address ("virt") is page_address(): the linear map
 * for lowmem, the pkmap slot for a kmapped HighMem frame, else none, which
 * is what the kernel itself would answer.
 *
 * Cost: the vmalloc areas' page lists, the pkmap slots and the kmap_local
 * stacks are scanned whole (at most the 120 MiB window's 30720 pages);
 * processes are searched only for a frame some PTE maps (mm.c), a PTE
 * page at a time.  The shared zero page, mapped by 21 processes 8 times
 * each, costs about 0.6 ms per answer in a release build.
 */
#include "api.h"
#include "api_util.h"

#include <stdio.h>

#include "highmem.h"
#include "page_alloc.h"
#include "vmalloc.h"

/* --- regions ----------------------------------------------------------------- */

size_t api_regions(const struct machine *m, struct api_region *r)
{
	const struct layout *l = &m->layout;
	uint64_t pk_end = l->pkmap_base + (uint64_t)l->last_pkmap * PAGE_SIZE;
	uint64_t cea_end = l->cpu_entry_area_base +
			   (l->cpu_entry_area_pages + 1) * (uint64_t)PAGE_SIZE;
	size_t n = 0;

#define REGION(s, e, name, what) \
	do { if ((uint64_t)(s) < (uint64_t)(e)) \
		r[n++] = (struct api_region){ s, e, name, what }; } while (0)
	REGION(0, l->page_offset, "user",
	       "user space: each process's own mappings (TASK_SIZE)");
	REGION(l->page_offset, l->high_memory, "lowmem",
	       "the linear map: all of lowmem at PAGE_OFFSET + phys");
	REGION(l->high_memory, l->vmalloc_start, "hole",
	       "VMALLOC_OFFSET: an 8 MiB unmapped gap that catches overruns "
	       "off the end of lowmem");
	REGION(l->vmalloc_start, l->vmalloc_end, "vmalloc",
	       "vmalloc, vmap, ioremap and modules: pages mapped one by one, "
	       "from any zone");
	REGION(l->vmalloc_end, l->pkmap_base, "gap",
	       "two unmapped pages before pkmap");
	REGION(l->pkmap_base, pk_end, "pkmap",
	       "kmap(): LAST_PKMAP long-lived mappings of highmem pages");
	REGION(pk_end, l->ldt_base, "gap", "unused");
	REGION(l->ldt_base, l->ldt_end, "ldt",
	       "LDT remap for page-table isolation (one PMD)");
	REGION(l->ldt_end, l->cpu_entry_area_base, "gap", "unused");
	REGION(l->cpu_entry_area_base, cea_end, "cpu_entry_area",
	       "per-CPU GDT, TSS, entry and exception stacks, read-only IDT");
	REGION(cea_end, l->fixaddr_tot_start, "gap", "unused");
	REGION(l->fixaddr_tot_start, l->fixaddr_start, "fixmap_boot",
	       "early_ioremap()'s boot-time fixmap slots");
	REGION(l->fixaddr_start, l->fixaddr_top, "fixmap",
	       "compile-time fixed mappings: APIC, IO-APIC, kmap_local slots");
	REGION(l->fixaddr_top, SZ_4G, "top", "the last page, never mapped");
#undef REGION
	return n;
}

const struct api_region *api_region_of(const struct machine *m, vaddr_t va,
				       struct api_region *r)
{
	size_t n = api_regions(m, r);

	for (size_t i = 0; i < n; i++)
		if (va >= r[i].start && va < r[i].end)
			return &r[i];
	return NULL;	/* the regions cover 0 to 4 GiB: not reached */
}

json_t *api_region_json(const struct machine *m, vaddr_t va)
{
	struct api_region r[API_NR_REGIONS];
	const struct api_region *g = api_region_of(m, va, r);

	return g ? json_string(g->name) : json_null();
}

void api_region_write(struct strbuf *sb, const struct machine *m, vaddr_t va)
{
	struct api_region r[API_NR_REGIONS];
	const struct api_region *g = api_region_of(m, va, r);

	jt_str(sb, g ? g->name : NULL);
}

/* --- a frame's kernel address and mappings ------------------------------------- */

/* page_address(): 0 for a frame without a kernel address. */
static vaddr_t kernel_virt(const struct machine *m, pfn_t pfn)
{
	if (pfn_is_lowmem(m, pfn))
		return layout_va(&m->layout, PFN_PHYS(pfn));
	return kmap_frame_ok(m, pfn) ? page_address(m, pfn) : 0;
}

json_t *api_kernel_virt(const struct machine *m, pfn_t pfn)
{
	vaddr_t va = kernel_virt(m, pfn);

	return va ? api_hex(va) : json_null();
}

void api_set_virt(const struct machine *m, json_t *o, pfn_t pfn)
{
	vaddr_t va = kernel_virt(m, pfn);

	json_object_set_new(o, "region", va ? api_region_json(m, va)
					    : json_null());
	json_object_set_new(o, "virt", va ? api_hex(va) : json_null());
}

static void add_map(const struct machine *m, json_t *a, vaddr_t va,
		    const char *how, json_t *extra)
{
	json_t *o = json_pack("{s:o, s:o, s:s}", "addr", api_hex(va),
			      "region", api_region_json(m, va), "how", how);

	if (extra) {
		json_object_update(o, extra);
		json_decref(extra);
	}
	json_array_append_new(a, o);
}

static void vmalloc_maps(const struct machine *m, pfn_t pfn, json_t *a)
{
	const struct vmalloc_state *vs = &m->vmalloc;

	for (uint32_t i = 0; i < vs->nr; i++) {
		const struct vm_area *v = &vs->areas[i];
		uint32_t mapped = v->size - PAGE_SIZE;	/* the guard page */

		if (v->flags & VM_IOREMAP) {
			pfn_t first = (pfn_t)(v->phys_addr >> PAGE_SHIFT);

			if (pfn >= first && pfn - first < mapped / PAGE_SIZE)
				add_map(m, a, v->start + (pfn - first) *
					PAGE_SIZE, v->caller, json_pack(
					"{s:o}", "area", api_hex(v->start)));
			continue;
		}
		for (uint32_t k = 0; k < v->nr_pages; k++)
			if (v->pages[k] == pfn)
				add_map(m, a, v->start + k * PAGE_SIZE,
					v->caller, json_pack("{s:o}", "area",
					api_hex(v->start)));
	}
}

static void kmap_maps(const struct machine *m, pfn_t pfn, json_t *a)
{
	const struct kmap_state *k = &m->kmap;
	int slot = pkmap_slot_of(m, pfn);

	if (slot >= 0)
		add_map(m, a, pkmap_addr(m, (unsigned)slot), "kmap",
			json_pack("{s:i, s:i}", "slot", slot, "users",
				  (int)k->pkmap_count[slot] - 1));
	for (unsigned cpu = 0; cpu < m->config.cpus && cpu < NR_CPUS; cpu++)
		for (unsigned i = 0; i < k->ctrl[cpu].idx; i++)
			if (k->ctrl[cpu].pfn[i] == pfn)
				add_map(m, a, kmap_local_addr(m, cpu, i),
					k->ctrl[cpu].atomic[i] ? "kmap_atomic"
					: "kmap_local", json_pack("{s:i, s:i}",
					"cpu", (int)cpu, "idx", (int)i));
}

/* A frame mapped into every process (the zero page) is listed this far;
 * "mappings_more" counts the rest. */
#define USER_MAPS_MAX	64

json_t *api_frame_mappings(const struct machine *m, pfn_t pfn,
			   unsigned *more)
{
	struct user_va u[USER_MAPS_MAX];
	json_t *a = json_array();
	unsigned n;

	if (pfn_is_lowmem(m, pfn))
		add_map(m, a, layout_va(&m->layout, PFN_PHYS(pfn)),
			"linear map", NULL);
	vmalloc_maps(m, pfn, a);
	kmap_maps(m, pfn, a);
	n = mm_frame_user_vas(m, pfn, u, USER_MAPS_MAX);
	for (unsigned i = 0; i < n && i < USER_MAPS_MAX; i++)
		add_map(m, a, u[i].va, "process", json_pack("{s:i, s:b}",
			"pid", (int)u[i].pid, "writable", u[i].writable));
	*more = n > USER_MAPS_MAX ? n - USER_MAPS_MAX : 0;
	return a;
}

void api_set_mappings(const struct machine *m, json_t *o, pfn_t pfn)
{
	unsigned more;

	json_object_set_new(o, "mappings", api_frame_mappings(m, pfn, &more));
	if (more)
		json_object_set_new(o, "mappings_more", json_integer(more));
}

/*
 * why.c - the sentences answers carry for the decisions students ask
 * about: which zone a page came from (the gfp mask's highest zone, the
 * zonelist from there down, each zone's watermark), which slab cache a
 * kmalloc used, why a vmalloc area's frames are not contiguous, and why a
 * HighMem frame has no kernel address until kmap.  Each is built from this
 * machine's figures, in the kernel's words, and is never cut short (a
 * strbuf grows to fit).
 */
#include "api.h"
#include "api_util.h"

#include <stdio.h>
#include <string.h>

#include "highmem.h"
#include "page_alloc.h"
#include "slab.h"

static json_t *sb_json(struct strbuf *sb)
{
	json_t *j = api_string_lossy(sb->buf ? sb->buf : "");

	sb_free(sb);
	return j;
}

/* --- which zone -------------------------------------------------------------- */

static const char *zone_rule(int highest)
{
	switch (highest) {
	case ZONE_DMA:
		return "__GFP_DMA confines it to ZONE_DMA (the first 16 MiB)";
	case ZONE_HIGHMEM:
		return "__GFP_HIGHMEM lets it use every zone, HighMem first "
		       "(the caller will kmap what it gets)";
	default:
		return "without __GFP_HIGHMEM it must come from lowmem, which "
		       "has a kernel address: HighMem is left out";
	}
}

json_t *api_zone_why(const struct machine *m, gfp_t gfp,
		     const struct page_alloc_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	int highest = gfp_zone(gfp);
	char name[GFP_NAME_MAX];
	bool first = true;

	gfp_format(gfp, name, sizeof(name));
	sb_printf(&sb, "%s: %s, so the zonelist is", name, zone_rule(highest));
	for (int z = highest; z >= 0; z--) {
		if (!populated_zone(&m->pgdat.node_zones[z]))
			continue;
		sb_printf(&sb, "%s %s", first ? "" : ",", zone_name(z));
		first = false;
	}
	if (first)
		sb_puts(&sb, " empty (no populated zone)");
	sb_puts(&sb, ", each taken only while its free pages stay above the "
		"watermark plus lowmem_reserve: ");
	for (unsigned i = 0; i < r->nr_attempts && i < ARRAY_SIZE(r->attempts);
	     i++) {
		const struct alloc_attempt *t = &r->attempts[i];

		sb_printf(&sb, "%s%s (%s path) %s", i ? "; " : "",
			  zone_name(t->zone), t->pass ? "slow" : "fast",
			  t->why);
	}
	return sb_json(&sb);
}

/* --- the per-CPU lists ---------------------------------------------------------- */

json_t *api_pcp_json(const struct pcp_event *ev)
{
	if (ev->cpu < 0)
		return json_null();
	return json_pack("{s:i, s:s, s:i, s:i, s:i, s:i, s:i}",
			 "cpu", ev->cpu, "list", migratetype_name(ev->list_mt),
			 "refilled", (int)ev->refilled,
			 "drained", (int)ev->drained, "count", (int)ev->count,
			 "high", (int)ev->high, "batch", (int)ev->batch);
}

json_t *api_free_why(unsigned order, const struct pcp_event *ev)
{
	struct strbuf sb = STRBUF_INIT;

	if (ev->cpu < 0) {
		sb_printf(&sb, "order-%u free goes straight to the buddy "
			  "allocator (%s), merging with free buddies", order,
			  order > PAGE_ALLOC_COSTLY_ORDER ?
			  "per-CPU lists keep only orders 0-3 and the THP order"
			  : "its pageblock is isolated");
		return sb_json(&sb);
	}
	sb_printf(&sb, "order-%u free goes to the head of CPU %d's %s pcp "
		  "list (count %u of high %u, batch %u); it stays "
		  "allocated-looking to the buddy allocator (no merge, not in "
		  "MemFree or buddyinfo)", order, ev->cpu,
		  migratetype_name(ev->list_mt), ev->count + ev->drained,
		  ev->high, ev->batch);
	if (ev->drained)
		sb_printf(&sb, "; that reached high, so free_pcppages_bulk "
			  "gave %u pages (the lists' oldest first) back to the "
			  "buddy allocator, leaving %u", ev->drained,
			  ev->count);
	if (ev->kept)
		sb_printf(&sb, "; the next order-%u %s allocation on CPU %d "
			  "gets it back first", order,
			  migratetype_name(ev->list_mt), ev->cpu);
	else
		sb_puts(&sb, "; it went back with them");
	return sb_json(&sb);
}

/* --- a frame's kernel address ---------------------------------------------------- */

/* The first kmap_local mapping of pfn on any CPU's stack. */
static bool kmap_local_of(const struct machine *m, pfn_t pfn, unsigned *cpu,
			  unsigned *idx)
{
	for (unsigned c = 0; c < m->config.cpus && c < NR_CPUS; c++)
		for (unsigned i = 0; i < m->kmap.ctrl[c].idx; i++)
			if (m->kmap.ctrl[c].pfn[i] == pfn) {
				*cpu = c;
				*idx = i;
				return true;
			}
	return false;
}

json_t *api_virt_why(const struct machine *m, pfn_t pfn)
{
	const struct layout *l = &m->layout;
	struct strbuf sb = STRBUF_INIT;
	unsigned cpu, idx;
	int slot;

	if (!kmap_frame_ok(m, pfn)) {
		sb_puts(&sb, "not RAM the kernel manages (a hole, or above "
			"max_pfn): no struct page, so no kernel address");
	} else if (pfn_is_lowmem(m, pfn)) {
		sb_printf(&sb, "lowmem (below max_low_pfn 0x%x): the linear map "
			  "puts it at PAGE_OFFSET 0x%08x + phys 0x%llx, always "
			  "mapped", l->max_low_pfn, l->page_offset,
			  (unsigned long long)PFN_PHYS(pfn));
	} else if ((slot = pkmap_slot_of(m, pfn)) >= 0) {
		sb_printf(&sb, "HighMem, reached through pkmap slot %d "
			  "(kmap): page_address() finds it there until the "
			  "slot is flushed after its last kunmap", slot);
	} else if (kmap_local_of(m, pfn, &cpu, &idx)) {
		sb_printf(&sb, "HighMem, mapped by kmap_local on CPU %u at "
			  "0x%08x (stack index %u): that mapping belongs to the "
			  "CPU's stack and is not recorded where page_address() "
			  "looks, so page_address() is still NULL", cpu,
			  kmap_local_addr(m, cpu, idx), idx);
	} else {
		sb_printf(&sb, "HighMem (pfn >= max_low_pfn 0x%x): the linear "
			  "map stops at high_memory 0x%08x, so this frame has "
			  "no kernel address until kmap() (pkmap, from "
			  "0x%08x) or kmap_local_page() (a fixmap slot) maps "
			  "it", l->max_low_pfn, l->high_memory, l->pkmap_base);
	}
	return sb_json(&sb);
}

/* --- which slab cache ------------------------------------------------------------ */

static const char *cache_kind(const char *name)
{
	if (!strncmp(name, "dma-", 4))
		return " (__GFP_DMA picks the dma-kmalloc caches, whose slabs "
		       "come from ZONE_DMA)";
	if (strstr(name, "-rcl-"))
		return " (__GFP_RECLAIMABLE picks the kmalloc-rcl caches)";
	if (strstr(name, "-cg-"))
		return " (__GFP_ACCOUNT picks the kmalloc-cg caches)";
	return "";
}

json_t *api_kmalloc_why(const struct machine *m,
			const struct slab_alloc_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	int zone = r->zone;

	if (r->zero_size)
		return json_string("kmalloc(0) allocates nothing and returns "
				   "ZERO_SIZE_PTR");
	if (r->large) {
		sb_printf(&sb, "%u bytes is above KMALLOC_MAX_CACHE_SIZE (%u), "
			  "so no slab cache serves it: kmalloc_large takes an "
			  "order-%u block (%u bytes) straight from the buddy "
			  "allocator", r->size, KMALLOC_MAX_CACHE_SIZE,
			  r->order, (unsigned)PAGE_SIZE << r->order);
	} else if (r->cache) {
		sb_printf(&sb, "%u bytes rounds up to the smallest kmalloc "
			  "size that holds it, %u: cache %s%s", r->size,
			  r->ksize, r->cache->name, cache_kind(r->cache->name));
		if (r->ksize > r->size)
			sb_printf(&sb, ", %u bytes of the object unused",
				  r->ksize - r->size);
		sb_printf(&sb, "; the object is number %u of %u in an order-%u "
			  "slab", r->index, r->objects, r->order);
	} else {
		return json_null();
	}
	if (zone >= 0 && zone != ZONE_HIGHMEM)
		sb_printf(&sb, " from %s (GFP_KERNEL-style masks have no "
			  "__GFP_HIGHMEM), so it is lowmem and the address is "
			  "the linear map's: PAGE_OFFSET 0x%08x + phys 0x%llx",
			  zone_name(zone), m->layout.page_offset,
			  (unsigned long long)r->phys);
	return sb_json(&sb);
}

/* --- why vmalloc's frames are scattered ------------------------------------------ */

json_t *api_vmalloc_why(const struct machine *m, const pfn_t *pages,
			uint32_t n)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t breaks = 0, high = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (i && pages[i] != pages[i - 1] + 1)
			breaks++;
		if (!pfn_is_lowmem(m, pages[i]))
			high++;
	}
	sb_printf(&sb, "vmalloc takes its %u page%s one at a time with "
		  "alloc_pages(GFP_KERNEL | __GFP_HIGHMEM, 0), HighMem first, "
		  "and maps each at the next virtual page of the area, so the "
		  "area is contiguous only in virtual memory: each frame is "
		  "whichever free page the buddy allocator had", n,
		  n == 1 ? "" : "s");
	if (n > 1)
		sb_printf(&sb, "; here %u of the %u steps from one page to the "
			  "next jump to a frame that does not follow the last",
			  breaks, n - 1);
	if (n)
		sb_printf(&sb, "; %u of the frames are HighMem (no kernel "
			  "address but this one)", high);
	return sb_json(&sb);
}

/* --- kmap and kmap_local ------------------------------------------------------------ */

json_t *api_kmap_why(const struct machine *m, pfn_t pfn, int slot,
		     uint32_t users)
{
	struct strbuf sb = STRBUF_INIT;

	if (slot < 0) {
		sb_printf(&sb, "pfn 0x%x is lowmem: kmap() returns its "
			  "linear-map address, PAGE_OFFSET 0x%08x + phys, and "
			  "takes no pkmap slot", pfn, m->layout.page_offset);
		return sb_json(&sb);
	}
	sb_printf(&sb, "pfn 0x%x is HighMem, outside the linear map: kmap() "
		  "maps it at pkmap slot %d, PKMAP_BASE 0x%08x + %d * 4096, "
		  "with %u user%s; the slot stays mapped (page_address() finds "
		  "it) until its last kunmap and the next wrap of the slot scan "
		  "flushes it", pfn, slot, m->layout.pkmap_base, slot, users,
		  users == 1 ? "" : "s");
	return sb_json(&sb);
}

json_t *api_kmap_local_why(const struct machine *m, const char *op,
			   const struct kmap_local_result *r)
{
	struct strbuf sb = STRBUF_INIT;

	if (r->lowmem) {
		sb_printf(&sb, "pfn 0x%x is lowmem: %s() returns its "
			  "linear-map address and pushes nothing", r->pfn, op);
		return sb_json(&sb);
	}
	sb_printf(&sb, "pfn 0x%x is HighMem: %s() pushed CPU %u's "
		  "stack to depth %u and mapped fixmap slot FIX_KMAP_BEGIN %d + "
		  "idx %d + %d * cpu %u = %d, at FIXADDR_TOP 0x%08x - %d * "
		  "4096; only this CPU may use it, and the unmaps undo the "
		  "stack in reverse order", r->pfn, op, r->cpu, r->depth,
		  FIX_KMAP_BEGIN, r->idx, KM_MAX_IDX, r->cpu, r->fixmap_index,
		  m->layout.fixaddr_top, r->fixmap_index);
	return sb_json(&sb);
}

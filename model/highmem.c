/*
 * highmem.c - kmap, kunmap, kmap_local_page, kmap_atomic and page_address
 * of 6.1 (mm/highmem.c) on x86-32.  The rules are in highmem.h.
 */
#include "highmem.h"

#include <string.h>

#include "machine.h"
#include "page_alloc.h"
#include "pgtable.h"

void kmap_state_init(struct kmap_state *k)
{
	memset(k, 0, sizeof(*k));
}

static unsigned last_pkmap(const struct machine *m)
{
	return m->layout.last_pkmap;
}

vaddr_t pkmap_addr(const struct machine *m, unsigned nr)
{
	return m->layout.pkmap_base + nr * PAGE_SIZE;
}

/* __fix_to_virt(FIX_KMAP_BEGIN + idx + KM_MAX_IDX * cpu) */
vaddr_t kmap_local_addr(const struct machine *m, unsigned cpu, unsigned idx)
{
	unsigned slot = idx + KM_MAX_IDX * cpu;

	return m->layout.fixaddr_top - (FIX_KMAP_BEGIN + slot) * PAGE_SIZE;
}

bool kmap_frame_ok(const struct machine *m, pfn_t pfn)
{
	/* a struct page exists for RAM inside a zone (not above a max_pfn
	 * that highmem= or the two-level 4 GiB limit lowered) */
	return pfn_is_ram(&m->pgdat, pfn) && pfn_to_zone(&m->pgdat, pfn) >= 0;
}

bool pfn_is_lowmem(const struct machine *m, pfn_t pfn)
{
	return pfn < m->layout.max_low_pfn;
}

static vaddr_t lowmem_addr(const struct machine *m, pfn_t pfn)
{
	return layout_va(&m->layout, PFN_PHYS(pfn));
}

int pkmap_slot_of(const struct machine *m, pfn_t pfn)
{
	const struct kmap_state *k = &m->kmap;

	for (unsigned n = 0; n < last_pkmap(m); n++)
		if (k->pkmap_count[n] && k->pkmap_page[n] == pfn)
			return (int)n;
	return -1;
}

vaddr_t page_address(const struct machine *m, pfn_t pfn)
{
	int slot;

	if (pfn_is_lowmem(m, pfn))
		return lowmem_addr(m, pfn);
	slot = pkmap_slot_of(m, pfn);
	return slot < 0 ? 0 : pkmap_addr(m, (unsigned)slot);
}

static int not_ram(pfn_t pfn, struct mm_error *err)
{
	return mm_fail(err, MM_EINVAL, "not-ram", "pfn",
		       "pfn 0x%x is not RAM the kernel manages (a hole in the "
		       "physical map, or above max_pfn): it has no struct page "
		       "to map", pfn);
}

/* --- permanent kmaps --------------------------------------------------- */

/*
 * map_new_virtual()'s scan, without changing anything yet: the slot it
 * takes (last_pkmap_nr after it) and, in res, the slots the wrap flush
 * empties.  The caller has checked that some slot has count 0 or 1, so
 * the scan ends within one wrap.
 */
static unsigned pkmap_scan(const struct machine *m, struct kmap_result *res)
{
	const struct kmap_state *k = &m->kmap;
	unsigned mask = last_pkmap(m) - 1, nr = k->last_pkmap_nr;
	bool flushed = false;

	res->nr_flushed = 0;
	for (;;) {
		nr = (nr + 1) & mask;
		if (nr == 0 && !flushed) {
			/* flush_all_zero_pkmaps(): every slot with count 1 */
			for (unsigned i = 0; i < last_pkmap(m); i++)
				if (k->pkmap_count[i] == 1)
					res->flushed[res->nr_flushed++] =
						(uint16_t)i;
			flushed = true;
		}
		/* after the flush, the slots it emptied read as 0 */
		if (k->pkmap_count[nr] == 0 ||
		    (flushed && k->pkmap_count[nr] == 1))
			break;
	}
	return nr;
}

static int pkmap_full(const struct machine *m, pfn_t pfn,
		      struct mm_error *err)
{
	const struct kmap_state *k = &m->kmap;
	unsigned best = 0;

	/* name the slot with the fewest users as the one to kunmap */
	for (unsigned n = 1; n < last_pkmap(m); n++)
		if (k->pkmap_count[n] < k->pkmap_count[best])
			best = n;
	return mm_fail(err, MM_ESTATE, "pkmap-full", "pfn",
		"cannot kmap pfn 0x%x: all %u pkmap slots are in use (each has "
		"a user), so the kernel would sleep in map_new_virtual() until "
		"a kunmap; kunmap a frame first, e.g. pfn 0x%x in slot %u "
		"(0x%08x, %u user%s)", pfn, last_pkmap(m), k->pkmap_page[best],
		best, pkmap_addr(m, best), k->pkmap_count[best] - 1,
		k->pkmap_count[best] == 2 ? "" : "s");
}

int kmap(struct machine *m, pfn_t pfn, struct kmap_result *res,
	 struct mm_error *err)
{
	struct kmap_state *k = &m->kmap;
	unsigned nr;
	bool usable = false;
	int slot, rc;

	res->nr_flushed = 0;
	if (!kmap_frame_ok(m, pfn))
		return not_ram(pfn, err);
	if (pfn_is_lowmem(m, pfn)) {
		res->addr = lowmem_addr(m, pfn);
		res->lowmem = true;
		res->slot = -1;
		res->users = 0;
		return MM_OK;
	}
	res->lowmem = false;
	slot = pkmap_slot_of(m, pfn);
	if (slot >= 0) {
		/* kmap_high(): page_address() found it */
		nr = (unsigned)slot;
		k->pkmap_count[nr]++;
		goto done;
	}
	for (unsigned n = 0; n < last_pkmap(m) && !usable; n++)
		usable = k->pkmap_count[n] <= 1;
	if (!usable)
		return pkmap_full(m, pfn, err);

	nr = pkmap_scan(m, res);
	for (unsigned i = 0; i < res->nr_flushed; i++) {
		unsigned f = res->flushed[i];

		kernel_unmap_page(m, pkmap_addr(m, f));
		k->pkmap_count[f] = 0;
	}
	rc = kernel_map_page(m, pkmap_addr(m, nr), PFN_PHYS(pfn),
			     kernel_prot(m, PROT_KERNEL, false), err);
	if (rc != MM_OK) {
		/* the pkmap PTE table exists from boot, so this cannot
		 * happen; should it, put the flushed slots back */
		for (unsigned i = 0; i < res->nr_flushed; i++) {
			unsigned f = res->flushed[i];

			kernel_map_page(m, pkmap_addr(m, f),
					PFN_PHYS(k->pkmap_page[f]),
					kernel_prot(m, PROT_KERNEL, false),
					NULL);
			k->pkmap_count[f] = 1;
		}
		res->nr_flushed = 0;
		return rc;
	}
	k->last_pkmap_nr = nr;
	k->pkmap_page[nr] = pfn;
	k->pkmap_count[nr] = 2;		/* 1 for the mapping, 1 for us */
done:
	res->slot = (int)nr;
	res->addr = pkmap_addr(m, nr);
	res->users = k->pkmap_count[nr] - 1;
	return MM_OK;
}

int kunmap(struct machine *m, pfn_t pfn, struct kunmap_result *res,
	   struct mm_error *err)
{
	struct kmap_state *k = &m->kmap;
	int slot;

	if (!kmap_frame_ok(m, pfn))
		return not_ram(pfn, err);
	if (pfn_is_lowmem(m, pfn)) {
		res->lowmem = true;
		res->slot = -1;
		res->addr = lowmem_addr(m, pfn);
		res->users = 0;
		return MM_OK;
	}
	slot = pkmap_slot_of(m, pfn);
	if (slot < 0)
		return mm_fail(err, MM_ESTATE, "not-kmapped", "pfn",
			"pfn 0x%x is a HighMem frame that is not kmapped "
			"(page_address() is NULL): kunmap only what kmap "
			"mapped", pfn);
	if (k->pkmap_count[slot] == 1)
		return mm_fail(err, MM_ESTATE, "not-kmapped", "pfn",
			"pfn 0x%x has no kmap users left: its slot %d "
			"(0x%08x) is only waiting for the next flush; another "
			"kunmap would take pkmap_count to 0, a kernel BUG",
			pfn, slot, pkmap_addr(m, (unsigned)slot));
	k->pkmap_count[slot]--;
	res->lowmem = false;
	res->slot = slot;
	res->addr = pkmap_addr(m, (unsigned)slot);
	res->users = k->pkmap_count[slot] - 1;
	return MM_OK;
}

/* --- kmap_local and kmap_atomic ----------------------------------------- */

static int bad_cpu(const struct machine *m, unsigned cpu,
		   struct mm_error *err)
{
	return mm_fail(err, MM_EINVAL, "bad-cpu", "cpu",
		       "cpu %u does not exist: this machine has %u CPU%s "
		       "(0 to %u)", cpu, m->config.cpus,
		       m->config.cpus == 1 ? "" : "s", m->config.cpus - 1);
}

int kmap_local(struct machine *m, pfn_t pfn, unsigned cpu, bool atomic,
	       struct kmap_local_result *res, struct mm_error *err)
{
	const char *fn = atomic ? "kmap_atomic" : "kmap_local_page";
	struct kmap_ctrl *c;
	unsigned idx;
	vaddr_t va;
	int rc;

	if (cpu >= m->config.cpus)
		return bad_cpu(m, cpu, err);
	if (!kmap_frame_ok(m, pfn))
		return not_ram(pfn, err);
	c = &m->kmap.ctrl[cpu];
	res->cpu = cpu;
	res->pfn = pfn;
	if (pfn_is_lowmem(m, pfn)) {
		res->addr = lowmem_addr(m, pfn);
		res->lowmem = true;
		res->idx = -1;
		res->fixmap_index = -1;
		res->depth = c->idx;
		return MM_OK;
	}
	if (c->idx >= KM_MAX_IDX)
		return mm_fail(err, MM_ESTATE, "kmap-local-full", "cpu",
			"%s of pfn 0x%x: CPU %u already holds %d kmap_local "
			"mappings (KM_MAX_IDX), a kernel BUG; kunmap_local the "
			"most recent one, 0x%08x, first", fn, pfn, cpu,
			KM_MAX_IDX, kmap_local_addr(m, cpu, c->idx - 1));
	idx = c->idx;
	va = kmap_local_addr(m, cpu, idx);
	if ((rc = kernel_map_page(m, va, PFN_PHYS(pfn),
				  kernel_prot(m, PROT_KERNEL, false), err)))
		return rc;
	c->pfn[idx] = pfn;
	c->atomic[idx] = atomic;
	c->idx++;
	res->addr = va;
	res->lowmem = false;
	res->idx = (int)idx;
	res->fixmap_index = (int)(FIX_KMAP_BEGIN + idx + KM_MAX_IDX * cpu);
	res->depth = c->idx;
	return MM_OK;
}

int kunmap_local(struct machine *m, vaddr_t va, unsigned cpu, bool atomic,
		 struct kmap_local_result *res, struct mm_error *err)
{
	const char *fn = atomic ? "kunmap_atomic" : "kunmap_local";
	vaddr_t lo, hi, top;
	struct kmap_ctrl *c;
	unsigned idx;

	if (cpu >= m->config.cpus)
		return bad_cpu(m, cpu, err);
	va &= ~(vaddr_t)(PAGE_SIZE - 1);
	c = &m->kmap.ctrl[cpu];
	res->cpu = cpu;
	lo = m->layout.fixaddr_top - FIX_KMAP_END * PAGE_SIZE;
	hi = m->layout.fixaddr_top - FIX_KMAP_BEGIN * PAGE_SIZE;
	if (va < lo || va > hi) {
		/* what kmap_local_page() returns for a lowmem page: the
		 * kernel has nothing to undo */
		if (va >= m->layout.page_offset &&
		    va < m->layout.high_memory) {
			res->addr = va;
			res->lowmem = true;
			res->idx = -1;
			res->fixmap_index = -1;
			res->pfn = PFN_DOWN(layout_pa(&m->layout, va));
			res->depth = c->idx;
			return MM_OK;
		}
		return mm_fail(err, MM_EINVAL, "not-kmap-local", "addr",
			"%s: 0x%08x is neither a kmap_local slot (0x%08x to "
			"0x%08x) nor in the linear map, so kmap_local_page() "
			"never returned it (the kernel would ignore it)", fn,
			va, lo, hi + PAGE_SIZE - 1);
	}
	if (c->idx == 0)
		return mm_fail(err, MM_ESTATE, "not-kmapped", "addr",
			"%s: CPU %u holds no kmap_local mapping, so 0x%08x is "
			"not mapped there (slot of CPU %u)", fn, cpu, va,
			(unsigned)((hi - va) / PAGE_SIZE) / KM_MAX_IDX);
	idx = c->idx - 1;
	top = kmap_local_addr(m, cpu, idx);
	if (va != top)
		return mm_fail(err, MM_ESTATE, "kunmap-local-order", "addr",
			"%s: 0x%08x is not the most recent kmap_local mapping "
			"of CPU %u (slot of CPU %u); mappings are undone in "
			"reverse order, so unmap 0x%08x (pfn 0x%x) first", fn,
			va, cpu,
			(unsigned)((hi - va) / PAGE_SIZE) / KM_MAX_IDX, top,
			c->pfn[idx]);
	if (c->atomic[idx] != atomic)
		return mm_fail(err, MM_ESTATE, "kunmap-kind", "addr",
			"%s: 0x%08x was mapped by %s, which pairs with %s "
			"(kmap_atomic also disabled page faults and "
			"preemption)",
			fn, va, c->atomic[idx] ? "kmap_atomic" :
			"kmap_local_page", c->atomic[idx] ? "kunmap_atomic" :
			"kunmap_local");
	kernel_unmap_page(m, va);
	c->idx--;
	res->addr = va;
	res->lowmem = false;
	res->idx = (int)idx;
	res->fixmap_index = (int)(FIX_KMAP_BEGIN + idx + KM_MAX_IDX * cpu);
	res->pfn = c->pfn[idx];
	res->depth = c->idx;
	return MM_OK;
}

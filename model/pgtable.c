/*
 * pgtable.c - page-table entries in simulated RAM, the kernel's own
 * mappings in swapper_pg_dir, and the MMU's walk.
 *
 * Two-level paging: a 4 KiB page directory of 1024 4-byte PDEs (VA bits
 * 31-22), each pointing at a page table of 1024 PTEs (bits 21-12) or, with
 * PSE, mapping 4 MiB itself.  PAE: CR3 points at a 32-byte PDPT of four
 * 8-byte entries (bits 31-30), then a PMD page of 512 entries (bits 29-21,
 * 2 MiB large pages), then a PTE page of 512 (bits 20-12); bit 63 is NX.
 */
#include "pgtable.h"

#include <stdio.h>
#include <string.h>

#include "page_alloc.h"

/* bits 36..62 are reserved with 36 physical address bits */
#define PAE_RSVD_MASK	(((1ull << 63) - 1) & ~((1ull << 36) - 1))

unsigned pt_levels(const struct machine *m)
{
	return m->config.pae ? 3 : 2;
}

unsigned pt_entry_size(const struct machine *m)
{
	return m->config.pae ? 8 : 4;
}

/* Entries are little-endian in simulated RAM, whatever the host is. */
uint64_t pt_read_entry(const struct machine *m, phys_addr_t table,
		       unsigned index)
{
	unsigned size = pt_entry_size(m);
	uint8_t b[8] = { 0 };
	uint64_t v = 0;

	physmem_read(&m->mem, table + (phys_addr_t)index * size, b, size);
	for (unsigned i = size; i-- > 0;)
		v = v << 8 | b[i];
	return v;
}

void pt_write_entry(struct machine *m, phys_addr_t table, unsigned index,
		    uint64_t val)
{
	unsigned size = pt_entry_size(m);
	uint8_t b[8];

	for (unsigned i = 0; i < size; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	physmem_write(&m->mem, table + (phys_addr_t)index * size, b, size);
}

pgprot_t kernel_prot(const struct machine *m, enum kprot kind, bool large)
{
	pgprot_t p = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY |
		     _PAGE_GLOBAL;

	switch (kind) {
	case PROT_KERNEL: p |= _PAGE_RW | _PAGE_NX; break;
	case PROT_KERNEL_RO: p |= _PAGE_NX; break;
	case PROT_KERNEL_EXEC: p |= _PAGE_RW; break;
	case PROT_KERNEL_ROX: break;
	case PROT_KERNEL_NOCACHE: p |= _PAGE_RW | _PAGE_NX | _PAGE_PCD; break;
	case PROT_KERNEL_IO_NOCACHE:
		p |= _PAGE_RW | _PAGE_NX | _PAGE_PCD | _PAGE_PWT;
		break;
	}
	if (large)
		p |= _PAGE_PSE;
	/* __supported_pte_mask: no NX bit without PAE; the PAE kernel runs
	 * with page-table isolation, which turns global pages off (the boot
	 * code puts GLB back on kernel text, rodata and the entry area) */
	if (!m->config.pae)
		p &= ~_PAGE_NX;
	else
		p &= ~_PAGE_GLOBAL;
	return p;
}

static phys_addr_t entry_addr(const struct machine *m, uint64_t e)
{
	return m->config.pae ? (e & PAE_ADDR_MASK)
			     : (e & 0xfffff000ull);
}

/* --- kernel mappings ------------------------------------------------------- */

/*
 * The table that holds va's PTE, creating it if asked.  Returns 0 when
 * there is none (or a large page is in the way, *large set).
 */
static phys_addr_t kernel_pte_table(struct machine *m, vaddr_t va,
				    bool create, bool *large,
				    struct mm_error *err)
{
	phys_addr_t dir = m->swapper_pg_dir;
	unsigned idx = va >> 22;
	uint64_t e;

	*large = false;
	if (m->config.pae) {
		e = pt_read_entry(m, dir, va >> 30);
		if (!(e & _PAGE_PRESENT))
			return 0;	/* kernel PMDs exist from boot */
		dir = entry_addr(m, e);
		idx = (va >> 21) & 511;
	}
	e = pt_read_entry(m, dir, idx);
	if (e & _PAGE_PRESENT) {
		if (e & _PAGE_PSE) {
			*large = true;
			return 0;
		}
		return entry_addr(m, e);
	}
	if (!create)
		return 0;
	{
		struct page_alloc_result res;
		phys_addr_t table;

		/* pte_alloc_kernel(): a zeroed lowmem page */
		if (alloc_pages_quiet(&m->pgdat, GFP_KERNEL | __GFP_ZERO, 0,
				OWNER_PGTABLE, 0, &res, err))
			return 0;
		if (!res.ok) {
			mm_fail(err, MM_EIMPOSSIBLE, "out-of-memory", "",
				"no page for a kernel page table: %s",
				res.reason);
			return 0;
		}
		table = PFN_PHYS(res.pfn);
		physmem_zero(&m->mem, res.pfn);
		pt_write_entry(m, dir, idx, table | _KERNPG_TABLE);
		return table;
	}
}

int kernel_map_page(struct machine *m, vaddr_t va, phys_addr_t pa,
		    pgprot_t prot, struct mm_error *err)
{
	unsigned idx = m->config.pae ? (va >> 12) & 511 : (va >> 12) & 1023;
	bool large;
	phys_addr_t table;

	if (err)
		err->kind = MM_OK;	/* tells a failed allocation from none */
	table = kernel_pte_table(m, va, true, &large, err);
	if (large)
		return mm_fail(err, MM_ESTATE, "large-page", "addr",
			       "0x%08x lies in a large page of the kernel's "
			       "linear map; it cannot take a 4 KiB mapping", va);
	if (!table)
		return err && err->kind ? (int)err->kind :
		       mm_fail(err, MM_EIMPOSSIBLE, "no-page-table", "addr",
			       "no page table can map 0x%08x", va);
	if (pt_read_entry(m, table, idx) & _PAGE_PRESENT)
		return mm_fail(err, MM_ESTATE, "already-mapped", "addr",
			       "0x%08x is already mapped", va);
	pt_write_entry(m, table, idx, (pa & ~(phys_addr_t)0xfff) | prot);
	return MM_OK;
}

void kernel_unmap_page(struct machine *m, vaddr_t va)
{
	unsigned idx = m->config.pae ? (va >> 12) & 511 : (va >> 12) & 1023;
	bool large;
	phys_addr_t table = kernel_pte_table(m, va, false, &large, NULL);

	if (table)
		pt_write_entry(m, table, idx, 0);
}

uint64_t kernel_leaf_entry(const struct machine *m, vaddr_t va,
			   unsigned *page_shift)
{
	struct pt_walk w;

	pt_walk(m, m->swapper_pg_dir, va, ACCESS_READ, false, &w);
	if (page_shift)
		*page_shift = w.page_shift;
	return w.ok ? w.step[w.nsteps - 1].entry : 0;
}

/* --- the walk ----------------------------------------------------------------- */

static void walk_fail(struct pt_walk *w, uint32_t code, const char *fmt,
		      const char *what)
{
	w->ok = false;
	w->error_code |= code;
	w->fault_step = (int)w->nsteps - 1;
	snprintf(w->reason, sizeof(w->reason), fmt, what);
}

static void read_step(const struct machine *m, struct pt_walk *w,
		      const char *level, phys_addr_t table, unsigned index,
		      unsigned shift)
{
	struct pt_step *s = &w->step[w->nsteps++];

	s->level = level;
	s->table = table;
	s->index = index;
	s->shift = shift;
	s->entry_addr = table + (phys_addr_t)index * pt_entry_size(m);
	s->entry = pt_read_entry(m, table, index);
	s->present = s->entry & _PAGE_PRESENT;
	s->leaf = false;
}

/* Rights along the walk: RW and USER must be set at every level, NX at
 * any level forbids execution (PAE only; the PDPT carries none). */
static void check_rights(const struct machine *m, struct pt_walk *w,
			 enum pt_access acc, bool user)
{
	bool rw = true, us = true, nx = false;

	for (unsigned i = 0; i < w->nsteps; i++) {
		uint64_t e = w->step[i].entry;

		if (m->config.pae && i == 0)
			continue;
		rw &= !!(e & _PAGE_RW);
		us &= !!(e & _PAGE_USER);
		nx |= m->config.pae && (e & _PAGE_NX);
	}
	w->error_code = (acc == ACCESS_WRITE ? X86_PF_WRITE : 0) |
			(user ? X86_PF_USER : 0) |
			(acc == ACCESS_EXEC && m->config.pae ? X86_PF_INSTR : 0);
	if (user && !us)
		walk_fail(w, X86_PF_PROT, "%s access to a supervisor page",
			  "user-mode");
	else if (acc == ACCESS_WRITE && !rw)
		walk_fail(w, X86_PF_PROT, "write to a read-only page%s",
			  user ? "" : " (CR0.WP is set: the kernel too)");
	else if (acc == ACCESS_EXEC && nx)
		walk_fail(w, X86_PF_PROT, "instruction fetch from an NX page%s",
			  "");
	else
		w->ok = true;
}

/* The leaf step: a PTE, or a PDE/PMD with PSE.  False on a fault. */
static bool walk_leaf(const struct machine *m, struct pt_walk *w, vaddr_t va)
{
	bool pae = m->config.pae;
	struct pt_step *s = &w->step[w->nsteps - 1];

	if (!s->present) {
		walk_fail(w, 0, "the %s entry is not present",
			  w->nsteps == 1 ? "page-directory" : "PMD");
		return false;
	}
	if (pae && (s->entry & PAE_RSVD_MASK)) {
		walk_fail(w, X86_PF_RSVD | X86_PF_PROT,
			  "a reserved bit is set in the %s entry", "PMD");
		return false;
	}
	if (s->entry & _PAGE_PSE) {
		unsigned shift = pae ? 21 : 22;
		phys_addr_t mask = ((phys_addr_t)1 << shift) - 1;

		s->leaf = true;
		w->page_shift = shift;
		w->pa = (entry_addr(m, s->entry) & ~mask) | (va & mask);
		return true;
	}
	read_step(m, w, "pte", entry_addr(m, s->entry),
		  (va >> 12) & (pae ? 511 : 1023), 12);
	s = &w->step[w->nsteps - 1];
	if (!s->present) {
		walk_fail(w, 0, "the %s entry is not present", "page-table");
		return false;
	}
	if (pae && (s->entry & PAE_RSVD_MASK)) {
		walk_fail(w, X86_PF_RSVD | X86_PF_PROT,
			  "a reserved bit is set in the %s entry", "PTE");
		return false;
	}
	s->leaf = true;
	w->page_shift = 12;
	w->pa = entry_addr(m, s->entry) | (va & 0xfff);
	return true;
}

void pt_walk(const struct machine *m, phys_addr_t cr3, vaddr_t va,
	     enum pt_access acc, bool user, struct pt_walk *w)
{
	bool pae = m->config.pae;

	memset(w, 0, sizeof(*w));
	w->va = va;
	w->cr3 = cr3;
	w->fault_step = -1;
	w->error_code = (acc == ACCESS_WRITE ? X86_PF_WRITE : 0) |
			(user ? X86_PF_USER : 0) |
			(acc == ACCESS_EXEC && pae ? X86_PF_INSTR : 0);
	if (pae) {
		/* CR3 holds the 32-byte aligned PDPT */
		read_step(m, w, "pgd", cr3 & ~(phys_addr_t)0x1f, va >> 30, 30);
		if (!w->step[0].present) {
			walk_fail(w, 0, "the %s entry is not present", "PDPT");
			return;
		}
		read_step(m, w, "pmd", entry_addr(m, w->step[0].entry),
			  (va >> 21) & 511, 21);
	} else {
		read_step(m, w, "pgd", cr3 & ~(phys_addr_t)0xfff, va >> 22, 22);
	}
	if (!walk_leaf(m, w, va))
		return;
	w->prot = w->step[w->nsteps - 1].entry &
		  (pae ? (_PAGE_NX | 0xfffull) : 0xfffull);
	check_rights(m, w, acc, user);
}

void direct_map_counts(const struct machine *m, uint32_t *small,
		       uint32_t *large)
{
	const struct layout *l = &m->layout;
	phys_addr_t top = PFN_PHYS(l->max_low_pfn);

	*small = *large = 0;
	for (phys_addr_t pa = 0; pa < top; pa += l->pmd_size) {
		vaddr_t va = layout_va(l, pa);
		unsigned shift;

		if (kernel_leaf_entry(m, va, &shift) && shift > 12) {
			(*large)++;
			continue;
		}
		for (phys_addr_t p = pa; p < pa + l->pmd_size && p < top;
		     p += PAGE_SIZE)
			if (kernel_leaf_entry(m, layout_va(l, p), NULL))
				(*small)++;
	}
}

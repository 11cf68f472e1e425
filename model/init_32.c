/*
 * init_32.c - the kernel's page tables as a 6.1 i386 boot leaves them
 * (arch/x86/mm/init_32.c, init.c, cpu_entry_area.c, pti.c):
 *
 *   - swapper_pg_dir in .bss; with PAE, a PDPT whose kernel entries point
 *     at the PMD pages at the start of .bss (initial_pg_pmd);
 *   - the linear map of lowmem: 4 KiB pages in the first PMD (the head
 *     page table from head_32.S is reused) and in a partial last PMD, large
 *     pages everywhere else;
 *   - page tables for the fixmap (early_ioremap's bm_pte, and pgt_buf), the
 *     pkmap window and the CPU entry area, with the APIC and IO-APIC mapped
 *     uncached and each CPU's GDT, entry stack, #DF stack, TSS and debug
 *     store mapped in its entry area;
 *   - then, after the init sections are freed, mark_rodata_ro(): kernel
 *     text read-only and executable, rodata read-only, the IDT read-only,
 *     the real-mode trampoline's pages; a large page whose pages no longer
 *     share one protection is split into 4 KiB pages with a page table
 *     from the buddy allocator.
 *
 * Page-table pages come from where the kernel takes them at each point:
 * brk (pgt_buf, six pages), then memblock, and after boot the buddy
 * allocator.  With PAE the kernel runs with page-table isolation, so
 * pages are not global except kernel text, rodata and the entry area.
 */
#include "pgtable.h"

#include <string.h>

#include "page_alloc.h"
#include "setup.h"

#define PGT_BUF_PAGES	6

/* alloc_low_page() before the buddy allocator exists. */
static phys_addr_t boot_table_page(struct machine *m, const char *what)
{
	phys_addr_t pa;

	if (m->pgt_buf_used < PGT_BUF_PAGES) {
		pa = m->pgt_buf + (phys_addr_t)m->pgt_buf_used++ * PAGE_SIZE;
	} else {
		pa = memblock_alloc_range(&m->memblock, PAGE_SIZE, PAGE_SIZE, 0,
					  ~0ull, what);
	}
	physmem_zero(&m->mem, PFN_DOWN(pa));
	return pa;
}

/* The PMD-level table holding va's entry, and the entry's index. */
static phys_addr_t pmd_table(const struct machine *m, vaddr_t va,
			     unsigned *idx)
{
	if (!m->config.pae) {
		*idx = va >> 22;
		return m->swapper_pg_dir;
	}
	*idx = (va >> 21) & 511;
	return pt_read_entry(m, m->swapper_pg_dir, va >> 30) &
	       PAE_ADDR_MASK;
}

/* one_page_table_init(): the PTE page under va, made from a boot page
 * table when missing. */
static phys_addr_t boot_pte_table(struct machine *m, vaddr_t va,
				  const char *what)
{
	unsigned idx;
	phys_addr_t dir = pmd_table(m, va, &idx);
	uint64_t e = pt_read_entry(m, dir, idx);
	phys_addr_t table;

	if (e & _PAGE_PRESENT)
		return e & (m->config.pae ? PAE_ADDR_MASK : 0xfffff000ull);
	table = boot_table_page(m, what);
	pt_write_entry(m, dir, idx, table | _KERNPG_TABLE);
	return table;
}

static void set_pte(struct machine *m, phys_addr_t table, vaddr_t va,
		    phys_addr_t pa, pgprot_t prot)
{
	unsigned idx = (va >> 12) & (m->layout.ptrs_per_pte - 1);

	pt_write_entry(m, table, idx, (pa & ~(phys_addr_t)0xfff) | prot);
}

/* --- protections of the kernel image ------------------------------------------ */

/* What mark_rodata_ro() and friends leave on the page at pa. */
static pgprot_t final_prot(const struct machine *m, phys_addr_t pa, bool large)
{
	const struct kernel_image *k = m->image;
	pgprot_t p;
	bool glb = false;

	if (pa >= k->text && pa < ALIGN_UP(k->etext, (phys_addr_t)PAGE_SIZE)) {
		p = kernel_prot(m, PROT_KERNEL_ROX, large);
		glb = true;
	} else if (pa >= k->start_rodata && pa < k->end_rodata) {
		p = kernel_prot(m, PROT_KERNEL_RO, large);
		glb = true;
	} else if (pa == k->idt_table || pa == k->realmode_ro) {
		p = kernel_prot(m, PROT_KERNEL_RO, large);
	} else if (pa == k->realmode_text) {
		p = kernel_prot(m, PROT_KERNEL_ROX, large);
	} else {
		p = kernel_prot(m, PROT_KERNEL, large);
	}
	/* PTI keeps the kernel image's text and rodata global */
	if (glb && m->config.pae)
		p |= _PAGE_GLOBAL;
	return p;
}

/* Fill a 4 KiB page table for the linear map of [start, start + PMD). */
static void fill_linear_ptes(struct machine *m, phys_addr_t table,
			     phys_addr_t start)
{
	phys_addr_t top = PFN_PHYS(m->layout.max_low_pfn);

	for (phys_addr_t pa = start; pa < start + m->layout.pmd_size &&
	     pa < top; pa += PAGE_SIZE)
		set_pte(m, table, layout_va(&m->layout, pa), pa,
			final_prot(m, pa, false));
}

/* Whether [start, end) touches a page final_prot() treats specially. */
static bool touches_special(const struct machine *m, phys_addr_t start,
			    phys_addr_t end)
{
	const struct kernel_image *k = m->image;
	const phys_addr_t special[][2] = {
		{ k->text, k->end_rodata },
		{ k->idt_table, k->idt_table + PAGE_SIZE },
		{ k->realmode_ro, k->realmode_text + PAGE_SIZE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(special); i++)
		if (start < special[i][1] && special[i][0] < end)
			return true;
	return false;
}

static bool pmd_uniform(const struct machine *m, phys_addr_t start)
{
	pgprot_t p = final_prot(m, start, true);

	/* only the kernel image and a few pages differ from PAGE_KERNEL */
	if (!touches_special(m, start, start + m->layout.pmd_size))
		return true;
	for (phys_addr_t pa = start; pa < start + m->layout.pmd_size;
	     pa += PAGE_SIZE)
		if (final_prot(m, pa, true) != p)
			return false;
	return true;
}

/* --- boot ------------------------------------------------------------------------ */

static void setup_swapper(struct machine *m)
{
	const struct kernel_image *k = m->image;

	m->swapper_pg_dir = k->swapper_pg_dir;
	physmem_zero(&m->mem, PFN_DOWN(k->swapper_pg_dir));
	if (!m->config.pae)
		return;
	/* KPMDS kernel PMD pages, the first pages of .bss */
	for (unsigned i = m->layout.page_offset >> 30, n = 0; i < 4; i++, n++) {
		phys_addr_t pmd = k->bss_start + (phys_addr_t)n * PAGE_SIZE;

		physmem_zero(&m->mem, PFN_DOWN(pmd));
		pt_write_entry(m, m->swapper_pg_dir, i, pmd | _PAGE_PRESENT);
	}
}

/*
 * kernel_physical_mapping_init(): the first PMD in 4 KiB pages through
 * head_32.S's first page table, a partial last PMD through a pgt_buf
 * page, large pages between.  Protections are the final ones; the split
 * of large pages around the image waits for mark_rodata_ro().
 */
static void map_lowmem(struct machine *m)
{
	const struct layout *l = &m->layout;
	phys_addr_t top = PFN_PHYS(l->max_low_pfn);

	for (phys_addr_t pa = 0; pa < top; pa += l->pmd_size) {
		vaddr_t va = layout_va(l, pa);
		unsigned idx;
		phys_addr_t dir = pmd_table(m, va, &idx), table;

		if (pa == 0) {
			table = m->image->brk_base;	/* head_32.S's first */
			physmem_zero(&m->mem, PFN_DOWN(table));
		} else if (pa + l->pmd_size > top) {
			table = boot_table_page(m, "page table");
		} else {
			pt_write_entry(m, dir, idx, pa | kernel_prot(m,
					PROT_KERNEL_EXEC, true));
			continue;
		}
		pt_write_entry(m, dir, idx, table | _KERNPG_TABLE);
		fill_linear_ptes(m, table, pa);
	}
}

/* early_ioremap_page_table_range_init(): page tables for every PMD the
 * fixmap touches, bm_pte already covering the boot-time slots. */
static void map_fixmap(struct machine *m)
{
	const struct layout *l = &m->layout;
	vaddr_t start = (l->fixaddr_top - (l->fix_total - 1) * PAGE_SIZE) &
			~(l->pmd_size - 1);
	vaddr_t btmap = l->fixaddr_top - (l->fix_total - 2) * PAGE_SIZE;
	pgprot_t io = kernel_prot(m, PROT_KERNEL_IO_NOCACHE, false);
	unsigned idx;
	phys_addr_t dir = pmd_table(m, btmap, &idx);

	physmem_zero(&m->mem, PFN_DOWN(m->image->bm_pte));
	pt_write_entry(m, dir, idx, m->image->bm_pte | _KERNPG_TABLE);
	for (uint64_t va = start; va < SZ_4G; va += l->pmd_size)
		boot_pte_table(m, (vaddr_t)va, "fixmap page table");
	/* the local APIC and IO-APIC 0, uncached */
	set_pte(m, boot_pte_table(m, l->fixaddr_top - FIX_APIC_BASE * PAGE_SIZE,
				  NULL), l->fixaddr_top - FIX_APIC_BASE * PAGE_SIZE,
		0xfee00000ull, io);
	set_pte(m, boot_pte_table(m, l->fixaddr_top -
				  FIX_IO_APIC_BASE_0 * PAGE_SIZE, NULL),
		l->fixaddr_top - FIX_IO_APIC_BASE_0 * PAGE_SIZE,
		0xfec00000ull, io);
}

void kernel_pagetable_early(struct machine *m)
{
	const struct kernel_image *k = m->image;

	/* pgt_buf follows head_32.S's page tables in brk */
	m->pgt_buf = k->brk_base + PFN_PHYS(m->initial_mapped_end) /
		     m->layout.pmd_size * PAGE_SIZE;
	setup_swapper(m);
	map_lowmem(m);
	map_fixmap(m);
	/* permanent_kmaps_init(): one page table, no entries yet */
	boot_pte_table(m, m->layout.pkmap_base, "pkmap page table");
}

/*
 * setup_cpu_entry_areas(): page tables over the whole area, the read-only
 * IDT at its base, then per CPU its GDT, entry stack, #DF stack, TSS and
 * debug store (guard pages between stay unmapped).  The pages live in
 * each CPU's per-cpu unit; the model lays them out from the unit's start.
 */
void kernel_pagetable_cea(struct machine *m)
{
	const struct layout *l = &m->layout;
	vaddr_t base = l->cpu_entry_area_base;
	uint64_t end = base + (uint64_t)(l->cpu_entry_area_pages + 1) * PAGE_SIZE;
	pgprot_t ro = kernel_prot(m, PROT_KERNEL_RO, false) | _PAGE_GLOBAL;
	pgprot_t rw = kernel_prot(m, PROT_KERNEL, false) | _PAGE_GLOBAL;
	/* page offsets in the area mapped, and the unit page each maps */
	static const unsigned mapped[] = { 0, 2, 4, 5, 6, 7, 8, 9, 10 };

	for (uint64_t va = base; va < end; va += l->pmd_size)
		boot_pte_table(m, (vaddr_t)va, "cpu entry area page table");
	set_pte(m, boot_pte_table(m, base, NULL), base, m->image->idt_table, ro);
	for (unsigned cpu = 0; cpu < m->config.cpus; cpu++) {
		vaddr_t area = base + PAGE_SIZE * (1 + cpu * CEA_PAGES_PER_CPU);
		phys_addr_t unit = m->percpu_base +
				   (phys_addr_t)cpu * m->image->pcpu_unit;

		for (size_t i = 0; i < ARRAY_SIZE(mapped); i++) {
			vaddr_t va = area + mapped[i] * PAGE_SIZE;

			set_pte(m, boot_pte_table(m, va, NULL), va,
				unit + (phys_addr_t)i * PAGE_SIZE, rw);
		}
	}
}

/*
 * mark_rodata_ro()'s lines: the text and rodata made read-only (from the
 * page-aligned _text to __end_rodata); with NX (PAE) mark_nxdata_nx()'s
 * span from _etext up to the large page past __init_end, then
 * debug_checkwx() walking the kernel's tables for writable executable
 * pages, and PTI's user tables after it.  The model keeps no user-mode
 * copy of init_mm's tables (PTI's clones of the entry text and the CPU
 * entry area, never writable and executable), so that walk finds none.
 */
static void mark_rodata_ro_log(struct machine *m)
{
	const struct kernel_image *k = m->image;
	phys_addr_t start = ALIGN_UP(k->text, (phys_addr_t)PAGE_SIZE);
	phys_addr_t nx = ALIGN_UP(k->etext, (phys_addr_t)PAGE_SIZE);
	phys_addr_t hpage = m->layout.pmd_size;
	uint64_t wx;

	sb_printf(&m->log, "Write protecting kernel text and read-only data: "
		  "%lluk\n", (unsigned long long)((k->end_rodata - start) >> 10));
	if (!m->config.pae)
		return;		/* no NX: no NX span, no W+X check */
	sb_printf(&m->log, "NX-protecting the kernel data: %lluk\n",
		  (unsigned long long)((((k->init_end + hpage) & ~(hpage - 1)) -
					nx) >> 10));
	wx = ptdump_wx_pages(m, m->swapper_pg_dir);
	if (wx)
		sb_printf(&m->log, "x86/mm: Checked W+X mappings: FAILED, %llu "
			  "W+X pages found.\n", (unsigned long long)wx);
	else
		sb_puts(&m->log, "x86/mm: Checked W+X mappings: passed, no "
			"W+X pages found.\n");
	sb_puts(&m->log, "x86/mm: Checking user space page tables\n");
	sb_puts(&m->log, "x86/mm: Checked W+X mappings: passed, no W+X "
		"pages found.\n");
}

/* mark_rodata_ro() and set_memory_*(): split the large pages whose pages
 * now disagree, and give each large page its final protection. */
int kernel_pagetable_late(struct machine *m, struct mm_error *err)
{
	const struct layout *l = &m->layout;
	phys_addr_t top = PFN_PHYS(l->max_low_pfn);

	for (phys_addr_t pa = l->pmd_size; pa + l->pmd_size <= top;
	     pa += l->pmd_size) {
		vaddr_t va = layout_va(l, pa);
		unsigned idx;
		phys_addr_t dir = pmd_table(m, va, &idx);
		struct page_alloc_result res;

		if (pmd_uniform(m, pa)) {
			pt_write_entry(m, dir, idx, pa | final_prot(m, pa, true));
			continue;
		}
		/* split_large_page(): a page table from the buddy allocator */
		if (alloc_pages(&m->pgdat, GFP_KERNEL, 0, OWNER_PGTABLE, 0,
				&res, err))
			return err ? (int)err->kind : MM_EIMPOSSIBLE;
		if (!res.ok)
			return mm_fail(err, MM_EIMPOSSIBLE, "unbootable", "ram",
				       "no page to split the kernel's mapping");
		physmem_zero(&m->mem, res.pfn);
		pt_write_entry(m, dir, idx, PFN_PHYS(res.pfn) | _KERNPG_TABLE);
		fill_linear_ptes(m, PFN_PHYS(res.pfn), pa);
	}
	mark_rodata_ro_log(m);
	return MM_OK;
}

/*
 * init_32.c - the kernel's page tables as a 6.1 i386 boot leaves them
 * (arch/x86/mm/init_32.c, init.c, cpu_entry_area.c, pti.c):
 *
 *   - swapper_pg_dir in .bss; with PAE, a PDPT whose kernel entries point
 *     at the PMD pages at the start of .bss (initial_pg_pmd);
 *   - the linear map of lowmem, the ISA range and memblock's RAM only:
 *     large pages where a whole PMD is RAM, 4 KiB pages in the first PMD,
 *     a partial last PMD and the PMDs a hole cuts (head_32.S's page tables
 *     reused below the early mapping's end); a hole (memmap=nn$ss) is not
 *     mapped;
 *   - page tables for the fixmap (early_ioremap's bm_pte, head_32.S's
 *     initial_pg_fixmap, pgt_buf; PAE's kmap_local copies), the pkmap
 *     window and the CPU entry area, with the APIC and IO-APIC mapped
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
 *
 * Left out: head_32.S's identity entries.  Its page tables map all of the
 * early range (to _end plus the lowmem tables, some 36 MiB); a hole there
 * keeps those entries in the real kernel, where the model leaves it
 * unmapped like any other hole.  No default configuration has such a
 * hole (most of that range is the kernel image, which must be RAM), and
 * DirectMap, which the kernel counts from what it mapped itself, leaves
 * those entries out as the model does.
 */
#include "pgtable.h"

#include <string.h>

#include "page_alloc.h"
#include "setup.h"

#define PGT_BUF_PAGES	6

/*
 * alloc_low_pages() before the buddy allocator exists: n contiguous pages
 * from pgt_buf while it has n left, else from memblock.
 */
static phys_addr_t boot_table_pages_below(struct machine *m, unsigned n,
					   phys_addr_t max, const char *what)
{
	phys_addr_t pa;

	if (m->pgt_buf_used + n <= PGT_BUF_PAGES) {
		pa = m->pgt_buf + (phys_addr_t)m->pgt_buf_used * PAGE_SIZE;
		m->pgt_buf_used += n;
	} else {
		pa = memblock_alloc_range(&m->memblock, (phys_addr_t)n * PAGE_SIZE,
					  PAGE_SIZE, 0, max, what);
	}
	for (unsigned i = 0; i < n; i++)
		physmem_zero(&m->mem, PFN_DOWN(pa) + i);
	return pa;
}

static phys_addr_t boot_table_pages(struct machine *m, unsigned n,
				    const char *what)
{
	return boot_table_pages_below(m, n, ~0ull, what);
}

static phys_addr_t boot_table_page(struct machine *m, const char *what)
{
	return boot_table_pages(m, 1, what);
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

/* Store an entry of size bytes (4 or 8) little-endian: constant sizes,
 * so the compiler makes each one store. */
static void put_entry(uint8_t *p, uint64_t val, unsigned size)
{
	if (size == 8) {
		for (unsigned i = 0; i < 8; i++)
			p[i] = (uint8_t)(val >> (8 * i));
	} else {
		for (unsigned i = 0; i < 4; i++)
			p[i] = (uint8_t)(val >> (8 * i));
	}
}

static bool touches_special(const struct machine *m, phys_addr_t start,
			    phys_addr_t end);

/* Fill a 4 KiB page table's entries for the linear map of [start, end),
 * straight into the table's page: one look-up of the page, not one an
 * entry (these are most of the boot's page-table writes).  Away from
 * the kernel image's special pages every entry has the same protection,
 * worked out once. */
static void fill_linear_ptes(struct machine *m, phys_addr_t table,
			     phys_addr_t start, phys_addr_t end)
{
	uint8_t *page = physmem_touch(&m->mem, PFN_DOWN(table));
	unsigned size = pt_entry_size(m);
	bool uniform = !touches_special(m, start, end);
	pgprot_t prot = uniform ? final_prot(m, start, false) : 0;

	page += table & (PAGE_SIZE - 1);
	for (phys_addr_t pa = start; pa < end; pa += PAGE_SIZE) {
		vaddr_t va = layout_va(&m->layout, pa);
		unsigned idx = (va >> 12) & (m->layout.ptrs_per_pte - 1);
		uint64_t val = (pa & ~(phys_addr_t)0xfff) |
			       (uniform ? prot : final_prot(m, pa, false));

		put_entry(page + (size_t)idx * size, val, size);
	}
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

/*
 * head_32.S's initial_pg_fixmap: the .bss page after the kernel PMD pages
 * (PAE: KPMDS of them) or after initial_page_table, given to the top PMD
 * entry (the last entry of the last kernel PMD, or PDE 1023) before
 * anything else runs.
 */
static phys_addr_t initial_pg_fixmap(const struct machine *m)
{
	unsigned kpmds = m->config.pae ? 4 - (m->layout.page_offset >> 30) : 1;

	return m->image->bss_start + (phys_addr_t)kpmds * PAGE_SIZE;
}

static void setup_swapper(struct machine *m)
{
	const struct kernel_image *k = m->image;
	unsigned idx;
	phys_addr_t dir;

	m->swapper_pg_dir = k->swapper_pg_dir;
	physmem_zero(&m->mem, PFN_DOWN(k->swapper_pg_dir));
	/* KPMDS kernel PMD pages, the first pages of .bss */
	for (unsigned i = m->layout.page_offset >> 30, n = 0;
	     m->config.pae && i < 4; i++, n++) {
		phys_addr_t pmd = k->bss_start + (phys_addr_t)n * PAGE_SIZE;

		physmem_zero(&m->mem, PFN_DOWN(pmd));
		pt_write_entry(m, m->swapper_pg_dir, i, pmd | _PAGE_PRESENT);
	}
	dir = pmd_table(m, 0xfffff000u, &idx);
	physmem_zero(&m->mem, PFN_DOWN(initial_pg_fixmap(m)));
	pt_write_entry(m, dir, idx, initial_pg_fixmap(m) | _KERNPG_TABLE);
}

/* init_mem_mapping()'s pass over lowmem: its top, and how far it has
 * mapped (page tables past pgt_buf come from below that). */
struct linear_pass {
	phys_addr_t top;
	phys_addr_t mapped_end;
};

/*
 * kernel_physical_mapping_init() for [start, end): a PMD wholly inside
 * one region of memblock's RAM and below the top of lowmem becomes a
 * large page (split_mem_range(), with adjust_range_page_size_mask()
 * promoting 4 KiB heads and tails whose PMD is all RAM); any other PMD
 * gets 4 KiB pages for just [start, end), in head_32.S's page table below
 * the early mapping's end, else in a page from pgt_buf.  Protections are
 * the final ones; the split of large pages around the image waits for
 * mark_rodata_ro().
 */
static void map_linear_range(struct machine *m, const struct linear_pass *lp,
			     phys_addr_t start, phys_addr_t end)
{
	const struct layout *l = &m->layout;

	for (phys_addr_t pmd = ALIGN_DOWN(start, (phys_addr_t)l->pmd_size);
	     pmd < end; pmd += l->pmd_size) {
		unsigned idx;
		phys_addr_t dir = pmd_table(m, layout_va(l, pmd), &idx), table;
		uint64_t e = pt_read_entry(m, dir, idx);

		if (pmd + l->pmd_size <= lp->top &&
		    memblock_is_region_memory(&m->memblock, pmd, l->pmd_size)) {
			pt_write_entry(m, dir, idx, pmd | kernel_prot(m,
					PROT_KERNEL_EXEC, true));
			continue;
		}
		if (e & _PAGE_PRESENT) {
			table = e & (m->config.pae ? PAE_ADDR_MASK :
				     NONPAE_ADDR_MASK);
		} else if (pmd < PFN_PHYS(m->initial_mapped_end)) {
			table = m->image->brk_base + pmd / l->pmd_size * PAGE_SIZE;
			physmem_zero(&m->mem, PFN_DOWN(table));
		} else {
			table = boot_table_pages_below(m, 1, lp->mapped_end,
						       "page table");
		}
		pt_write_entry(m, dir, idx, table | _KERNPG_TABLE);
		fill_linear_ptes(m, table, MAX(start, pmd),
				 MIN(end, pmd + l->pmd_size));
	}
}

/* init_range_memory_mapping(): only memblock's RAM inside [start, end). */
static uint64_t map_ram_range(struct machine *m, const struct linear_pass *lp,
			      phys_addr_t start, phys_addr_t end)
{
	const struct memblock_type *t = &m->memblock.memory;
	uint64_t mapped = 0;

	for (uint32_t i = 0; i < t->cnt; i++) {
		phys_addr_t s = MAX(start, t->regions[i].base);
		phys_addr_t e = MIN(end, t->regions[i].base + t->regions[i].size);

		if (s >= e)
			continue;
		map_linear_range(m, lp, s, e);
		mapped += e - s;
	}
	return mapped;
}

/*
 * init_mem_mapping(): the ISA range whole, then memory_map_top_down() from
 * the highest free PMD block of lowmem down to 1 MiB in growing steps,
 * then what lies above that block.  Holes in memblock's RAM (memmap=nn$ss,
 * a reserved e820 range) stay out of the linear map.
 */
static void map_lowmem(struct machine *m)
{
	const struct layout *l = &m->layout;
	struct linear_pass lp = { PFN_PHYS(l->max_low_pfn), 0 };
	phys_addr_t map_start = SZ_1M, real_end, last, addr;
	uint64_t step = l->pmd_size, mapped = 0;

	map_linear_range(m, &lp, 0, MIN(SZ_1M, lp.top));
	addr = memblock_alloc_range(&m->memblock, l->pmd_size, l->pmd_size,
				    map_start, lp.top, "probe");
	if (addr)
		memblock_unreserve(&m->memblock, addr);
	real_end = addr + l->pmd_size;
	lp.mapped_end = real_end;
	for (last = real_end; last > map_start;) {
		phys_addr_t s = last > step ?
			MAX(ALIGN_DOWN(last - 1, step), map_start) : map_start;

		mapped += map_ram_range(m, &lp, s, last);
		last = s;
		if (mapped >= step)	/* get_new_step_size() */
			step <<= (m->config.pae ? 21 : 22) - PAGE_SHIFT - 1;
	}
	if (real_end < lp.top)
		map_ram_range(m, &lp, real_end, lp.top);
}

/* Whether va's PMD holds kmap_local slots, when those slots straddle two
 * PMDs (PAE: 512 slots from FIX_KMAP_BEGIN; two-level: never). */
static bool kmap_pmd(const struct machine *m, vaddr_t va)
{
	const struct layout *l = &m->layout;
	unsigned shift = m->config.pae ? 21 : 22;
	uint32_t lo = (l->fix_kmap_begin -
		       (KM_MAX_IDX * NR_CPUS - 1) * PAGE_SIZE) >> shift;
	uint32_t hi = l->fix_kmap_begin >> shift;

	return lo != hi && (va >> shift) >= lo && (va >> shift) <= hi;
}

/* Copy the entries of one page table into another (set_pte each). */
static void copy_pte_table(struct machine *m, phys_addr_t to, phys_addr_t from)
{
	for (unsigned i = 0; i < m->layout.ptrs_per_pte; i++) {
		uint64_t e = pt_read_entry(m, from, i);

		if (e)
			pt_write_entry(m, to, i, e);
	}
}

/*
 * page_table_range_init() over [start, end): a page table under every PMD
 * (one_page_table_init() allocates where none is), and the kmap_local PMDs
 * moved into pages taken together beforehand, so that their tables are
 * consecutive in memory (page_table_kmap_check()).  The page a moved PMD
 * had, allocated here or head_32.S's static one, is left behind unused.
 */
static void page_table_range_init(struct machine *m, uint64_t start,
				  uint64_t end, const char *what)
{
	const struct layout *l = &m->layout;
	unsigned count = 0;
	phys_addr_t adr = 0;

	for (uint64_t va = start; va < end; va += l->pmd_size)
		count += kmap_pmd(m, (vaddr_t)va);
	if (count)
		adr = boot_table_pages(m, count, "kmap_local page tables");
	for (uint64_t va = start; va < end; va += l->pmd_size) {
		phys_addr_t pte = boot_pte_table(m, (vaddr_t)va, what);
		unsigned idx;
		phys_addr_t dir = pmd_table(m, (vaddr_t)va, &idx);

		if (!kmap_pmd(m, (vaddr_t)va))
			continue;
		copy_pte_table(m, adr, pte);
		pt_write_entry(m, dir, idx, adr | _KERNPG_TABLE);
		adr += PAGE_SIZE;
	}
}

/* early_ioremap_page_table_range_init(): page tables for every PMD the
 * fixmap touches, bm_pte (early_ioremap_init()) already covering the
 * boot-time slots. */
static void map_fixmap(struct machine *m)
{
	const struct layout *l = &m->layout;
	vaddr_t start = (l->fixaddr_top - (l->fix_total - 1) * PAGE_SIZE) &
			~(l->pmd_size - 1);
	uint64_t end = ALIGN_UP((uint64_t)l->fixaddr_top, l->pmd_size);
	vaddr_t btmap = l->fixaddr_top - (l->fix_total - 2) * PAGE_SIZE;
	pgprot_t io = kernel_prot(m, PROT_KERNEL_IO_NOCACHE, false);
	unsigned idx;
	phys_addr_t dir = pmd_table(m, btmap, &idx);

	physmem_zero(&m->mem, PFN_DOWN(m->image->bm_pte));
	pt_write_entry(m, dir, idx, m->image->bm_pte | _KERNPG_TABLE);
	page_table_range_init(m, start, end, "fixmap page table");
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

	/* brk: head_32.S's page tables, the DMI tables dmi_setup() copied
	 * (under a page), then pgt_buf, page aligned */
	m->pgt_buf = k->brk_base + PFN_PHYS(m->initial_mapped_end) /
		     m->layout.pmd_size * PAGE_SIZE + PAGE_SIZE;
	setup_swapper(m);
	map_lowmem(m);
	map_fixmap(m);
}

void kernel_pagetable_pkmap(struct machine *m)
{
	/* permanent_kmaps_init(): one page table, no entries yet */
	page_table_range_init(m, m->layout.pkmap_base,
			      m->layout.pkmap_base + (uint64_t)m->layout.last_pkmap *
			      PAGE_SIZE, "pkmap page table");
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
		unsigned shift;

		/* only the large pages: 4 KiB tables already hold their
		 * final protections, and holes stay holes */
		if (!kernel_leaf_entry(m, va, &shift) || shift == 12)
			continue;
		if (pmd_uniform(m, pa)) {
			pt_write_entry(m, dir, idx, pa | final_prot(m, pa, true));
			continue;
		}
		/* split_large_page(): a page table from the buddy allocator */
		if (alloc_pages_quiet(&m->pgdat, GFP_KERNEL, 0, OWNER_PGTABLE, 0,
				&res, err))
			return err ? (int)err->kind : MM_EIMPOSSIBLE;
		if (!res.ok)
			return mm_fail(err, MM_EIMPOSSIBLE, "unbootable", "ram",
				       "no page to split the kernel's mapping");
		physmem_zero(&m->mem, res.pfn);
		pt_write_entry(m, dir, idx, PFN_PHYS(res.pfn) | _KERNPG_TABLE);
		fill_linear_ptes(m, PFN_PHYS(res.pfn), pa, pa + l->pmd_size);
	}
	mark_rodata_ro_log(m);
	return MM_OK;
}

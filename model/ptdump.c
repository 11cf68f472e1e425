/*
 * ptdump.c - the kernel page-table dump in the x86 ptdump text format
 * (arch/x86/mm/dump_pagetables.c): runs of entries with the same flags at
 * the same level become one line, and the section markers of 6.1's
 * address_markers[] head each part of the address space.
 */
#include "pgtable.h"

#include <stdio.h>
#include <string.h>

struct marker {
	uint64_t start;
	const char *name;
};

struct dump {
	const struct machine *m;
	struct strbuf *out;
	struct marker mk[9];
	unsigned next_mk;	/* the next marker to print */
	bool open;		/* a run is being collected */
	uint64_t start;
	uint64_t prot;		/* printed flags; 0 for not present */
	const char *level;
	uint64_t wx_pages;	/* out NULL: counting W+X pages instead */
};

#define SHOWN_FLAGS (_PAGE_PRESENT | _PAGE_USER | _PAGE_RW | _PAGE_PWT | \
		     _PAGE_PCD | _PAGE_PSE | _PAGE_GLOBAL | _PAGE_NX)

static void print_run(struct dump *d, uint64_t end)
{
	static const char units[] = "BKMGTPE";
	uint64_t delta = end - d->start, p = d->prot;
	const char *unit = units;
	char size[24];

	while (!(delta & 1023) && unit[1]) {
		delta >>= 10;
		unit++;
	}
	snprintf(size, sizeof(size), "%llu%c", (unsigned long long)delta, *unit);
	sb_printf(d->out, "0x%08x-0x%08x%10s", (uint32_t)d->start,
		  (uint32_t)end, size);
	/* the captures' layout: a present run's flags take 31 columns and a
	 * blank run's 37, then a space and the level */
	if (!(p & _PAGE_PRESENT))
		sb_printf(d->out, "%37s", "");
	else
		sb_printf(d->out, " %s    %s%s%s%s%s%s",
			  p & _PAGE_USER ? "USR " : "    ",
			  p & _PAGE_RW ? "RW " : "ro ",
			  p & _PAGE_PWT ? "PWT " : "    ",
			  p & _PAGE_PCD ? "PCD " : "    ",
			  p & _PAGE_PSE ? "PSE " : "    ",
			  p & _PAGE_GLOBAL ? "GLB " : "    ",
			  p & _PAGE_NX ? "NX " : "x  ");
	sb_printf(d->out, " %s\n", d->level);
}

/* The W+X check needs no runs: each present leaf that is writable and
 * not NX counts its pages.  True when counting (no output). */
static bool count_wx(struct dump *d, uint64_t prot, uint64_t bytes)
{
	if (d->out)
		return false;
	if ((prot & _PAGE_PRESENT) && (prot & _PAGE_RW) && !(prot & _PAGE_NX))
		d->wx_pages += bytes >> PAGE_SHIFT;
	return true;
}

/* note_page(): close the run when the flags, the level or a section
 * changes, and print the headers of the sections reached. */
static void note(struct dump *d, uint64_t addr, uint64_t prot,
		 const char *level)
{
	bool marker;

	if (!d->out)
		return;		/* counting W+X pages */
	marker = d->mk[d->next_mk].name && addr >= d->mk[d->next_mk].start;

	if (d->open && (prot != d->prot || strcmp(level, d->level) || marker))
		print_run(d, addr);
	if (!d->open || prot != d->prot || strcmp(level, d->level) || marker) {
		while (d->mk[d->next_mk].name && addr >= d->mk[d->next_mk].start)
			sb_printf(d->out, "---[ %s ]---\n",
				  d->mk[d->next_mk++].name);
		d->open = true;
		d->start = addr;
		d->prot = prot;
		d->level = level;
	}
}

/* Entry i of a page-table page (NULL: a page never written, all zero);
 * one look-up per table rather than one per entry. */
static uint64_t entry_of(const struct machine *m, const uint8_t *page,
			 unsigned i)
{
	unsigned size = pt_entry_size(m);
	uint64_t v = 0;

	if (!page)
		return 0;
	for (unsigned b = size; b-- > 0;)
		v = v << 8 | page[i * size + b];
	return v;
}

static void walk_ptes(struct dump *d, phys_addr_t table, uint64_t base)
{
	const struct machine *m = d->m;
	const uint8_t *page = physmem_peek(&m->mem, PFN_DOWN(table));

	for (unsigned i = 0; i < m->layout.ptrs_per_pte; i++) {
		uint64_t e = entry_of(m, page, i);
		uint64_t prot = (e & _PAGE_PRESENT) ?
			(e & SHOWN_FLAGS & ~_PAGE_PSE) : 0;

		if (!count_wx(d, prot, PAGE_SIZE))
			note(d, base + (uint64_t)i * PAGE_SIZE, prot, "pte");
	}
}

static void walk_pmds(struct dump *d, phys_addr_t dir, uint64_t from,
		      uint64_t to)
{
	const struct machine *m = d->m;
	const char *level = m->config.pae ? "pmd" : "pde";
	uint32_t size = m->layout.pmd_size;
	const uint8_t *page = physmem_peek(&m->mem, PFN_DOWN(dir));

	for (uint64_t va = from; va < to; va += size) {
		unsigned idx = m->config.pae ? (va >> 21) & 511 : va >> 22;
		uint64_t e = entry_of(m, page, idx);

		if (!(e & _PAGE_PRESENT))
			note(d, va, 0, level);
		else if (e & _PAGE_PSE) {
			if (!count_wx(d, e & SHOWN_FLAGS, size))
				note(d, va, e & SHOWN_FLAGS, level);
		} else
			walk_ptes(d, e & (m->config.pae ? PAE_ADDR_MASK
							: 0xfffff000ull), va);
	}
}

static uint64_t ptdump_from(const struct machine *m, phys_addr_t pgd,
			    uint64_t from, struct strbuf *out)
{
	const struct layout *l = &m->layout;
	struct dump d = {
		.m = m, .out = out,
		.mk = {
			{ 0, "User Space" },
			{ l->page_offset, "Kernel Mapping" },
			{ l->vmalloc_start, "vmalloc() Area" },
			{ l->vmalloc_end, "vmalloc() End" },
			{ l->pkmap_base, "Persistent kmap() Area" },
			{ l->ldt_base, "LDT remap" },
			{ l->cpu_entry_area_base, "CPU entry area" },
			{ l->fixaddr_start, "Fixmap area" },
			{ 0, NULL },
		},
	};

	/* from PAGE_OFFSET: user space has no kernel entries, only its
	 * header */
	if (from)
		sb_printf(out, "---[ %s ]---\n", d.mk[d.next_mk++].name);
	if (!m->config.pae) {
		walk_pmds(&d, pgd, from, SZ_4G);
	} else {
		for (uint64_t g = from; g < SZ_4G; g += SZ_1G) {
			uint64_t e = pt_read_entry(m, pgd, g >> 30);

			if (!(e & _PAGE_PRESENT))
				note(&d, g, 0, "pgd");
			else
				walk_pmds(&d, e & PAE_ADDR_MASK, g,
					  g + SZ_1G);
		}
	}
	if (d.open)
		print_run(&d, SZ_4G);
	return d.wx_pages;
}

void ptdump_kernel(const struct machine *m, struct strbuf *out)
{
	ptdump_from(m, m->swapper_pg_dir, m->layout.page_offset, out);
}

void ptdump_pgd(const struct machine *m, phys_addr_t pgd, struct strbuf *out)
{
	ptdump_from(m, pgd, 0, out);
}

uint64_t ptdump_wx_pages(const struct machine *m, phys_addr_t pgd)
{
	return ptdump_from(m, pgd, 0, NULL);
}

/*
 * ex_walk_pae.c - a PAE 2/9/9/12 walk: the three indexes, where the PTE
 * lives, the physical address, and whether the page is NX.
 *
 * The misconception: "PAE gives a process more than 4 GiB".  PAE widens
 * the entries to 64 bits (so frames above 4 GiB and the NX bit fit) and
 * adds a level, but the virtual address is still 32 bits: 2 + 9 + 9 +
 * 12.  The frame the walk ends at may well be above 4 GiB.
 */
#include "ex_walk.h"

#include <stdio.h>

static int make(struct ex_ctx *c)
{
	const json_t *pgd, *pmd, *pte, *layout;
	struct ex_walk w;
	char words[160];
	uint64_t pt;
	bool nx;

	if (ex_walk_draw(c, true, &w) ||
	    ex_reveal_report(c, "layout", &layout))
		return EX_REDRAW;
	pgd = ex_walk_step(&w, 0);
	pmd = ex_walk_step(&w, 1);
	pte = ex_walk_step(&w, 2);
	pt = ex_num(pte, "table");
	nx = ex_walk_flag(pte, "NX");
	ex_machine_words(w.ram, true, w.split, NULL, words, sizeof(words));
	ex_question(c, "On %s, vmalloc gave the area at 0x%08llx. Walk the "
		    "kernel's page tables (cr3 = 0x%08llx, the PDPT) for the "
		    "address 0x%08llx by hand: the PDPT index (pgd_index), the "
		    "page-directory index (pmd_index), the page-table index "
		    "(pte_index), the physical address of the PTE (pte_addr), "
		    "the physical address the walk ends at (phys), and whether "
		    "the page is no-execute (nx); and how much virtual address space one "
		    "process has on this machine (user_space). The machine's read operation "
		    "shows what an entry holds.", words,
		    (unsigned long long)w.area, (unsigned long long)w.cr3,
		    (unsigned long long)w.va);
	ex_key(c, "pgd_index", json_integer((json_int_t)ex_num(pgd, "index")),
	       "PAE's top level has 4 entries: the top 2 bits, 0x%08llx >> 30 "
	       "= %llu.", (unsigned long long)w.va,
	       (unsigned long long)ex_num(pgd, "index"));
	ex_key(c, "pmd_index", json_integer((json_int_t)ex_num(pmd, "index")),
	       "The next 9 bits: (0x%08llx >> 21) & 0x1ff = %llu.",
	       (unsigned long long)w.va,
	       (unsigned long long)ex_num(pmd, "index"));
	ex_key(c, "pte_index", json_integer((json_int_t)ex_num(pte, "index")),
	       "The next 9 bits: (0x%08llx >> 12) & 0x1ff = %llu.",
	       (unsigned long long)w.va,
	       (unsigned long long)ex_num(pte, "index"));
	ex_key(c, "pte_addr", json_integer((json_int_t)ex_num(pte, "entry_addr")),
	       "The PMD entry at 0x%08llx holds 0x%llx, so the page table is "
	       "at 0x%08llx; PAE entries are 8 bytes: 0x%08llx + 8 * %llu = "
	       "0x%08llx.", (unsigned long long)ex_num(pmd, "entry_addr"),
	       (unsigned long long)ex_num(pmd, "entry"),
	       (unsigned long long)pt, (unsigned long long)pt,
	       (unsigned long long)ex_num(pte, "index"),
	       (unsigned long long)ex_num(pte, "entry_addr"));
	ex_key(c, "phys", json_integer((json_int_t)w.phys),
	       "The PTE holds 0x%016llx: the frame at 0x%llx (bits 35-12), "
	       "plus the offset 0x%03llx, gives 0x%llx.",
	       (unsigned long long)ex_num(pte, "entry"),
	       (unsigned long long)(w.phys & ~0xfffull),
	       (unsigned long long)(w.va & 0xfff),
	       (unsigned long long)w.phys);
	ex_key(c, "nx", json_boolean(nx),
	       "Bit 63 of the PTE 0x%016llx is %s: %s.",
	       (unsigned long long)ex_num(pte, "entry"), nx ? "set" : "clear",
	       nx ? "vmalloc maps data no-execute, which only PAE's 64-bit "
		    "entries can say"
		  : "this page may be executed");
	ex_key(c, "user_space", json_integer((json_int_t)ex_num(layout,
							"PAGE_OFFSET")),
	       "PAE widens the entries, not the addresses: a virtual address "
	       "is still 32 bits, and VMSPLIT_%s gives user space everything "
	       "below PAGE_OFFSET 0x%08llx, whatever the RAM.", w.split,
	       (unsigned long long)ex_num(layout, "PAGE_OFFSET"));
	return 0;
}

const struct ex_type ex_type_walk_pae = {
	.name = "walk_pae",
	.title = "A PAE 2/9/9/12 page walk, with NX",
	.misconception = "PAE gives a process more than 4 GiB",
	.fields = {
		{ "pgd_index", EX_FMT_COUNT, NULL, 1,
		  "the PDPT index (0 to 3)" },
		{ "pmd_index", EX_FMT_COUNT, NULL, 1,
		  "the page-directory index (0 to 511)" },
		{ "pte_index", EX_FMT_COUNT, NULL, 1,
		  "the page-table index (0 to 511)" },
		{ "pte_addr", EX_FMT_ADDRESS, NULL, 1,
		  "the physical address of the PTE" },
		{ "phys", EX_FMT_ADDRESS, NULL, 1,
		  "the physical address the walk ends at" },
		{ "nx", EX_FMT_YESNO, NULL, 1,
		  "is the page no-execute (yes/no)" },
		{ "user_space", EX_FMT_SIZE, NULL, 1,
		  "the virtual address space of one process (3G)" },
	},
	.make = make,
};

/*
 * ex_walk2.c - a two-level 10/10/12 walk: each step's index, where its
 * entry lives, and the physical address at the end.
 *
 * The misconception: that the walk is a formula over the virtual address
 * alone.  Only the indexes are; each entry's address needs the table the
 * level above points to, which the student reads out of the machine's
 * RAM (the read operation) starting from cr3.
 */
#include "ex_walk.h"

#include <stdio.h>

static int make(struct ex_ctx *c)
{
	const json_t *pgd, *pte;
	struct ex_walk w;
	char words[160];
	uint64_t pt;

	if (ex_walk_draw(c, false, &w))
		return EX_REDRAW;
	pgd = ex_walk_step(&w, 0);
	pte = ex_walk_step(&w, 1);
	pt = ex_num(pte, "table");
	ex_machine_words(w.ram, false, w.split, NULL, words, sizeof(words));
	ex_question(c, "On %s, vmalloc gave the area at 0x%08llx. Walk the "
		    "kernel's page tables (cr3 = 0x%08llx) for the address "
		    "0x%08llx by hand: the page-directory index (pgd_index), "
		    "the physical address of that PDE (pde_addr), the "
		    "page-table index (pte_index), the physical address of "
		    "the PTE (pte_addr), and the physical address the walk "
		    "ends at (phys). The machine's read operation shows what "
		    "an entry holds.", words, (unsigned long long)w.area,
		    (unsigned long long)w.cr3, (unsigned long long)w.va);
	ex_key(c, "pgd_index", json_integer((json_int_t)ex_num(pgd, "index")),
	       "The top 10 bits: 0x%08llx >> 22 = %llu.",
	       (unsigned long long)w.va,
	       (unsigned long long)ex_num(pgd, "index"));
	ex_key(c, "pde_addr", json_integer((json_int_t)ex_num(pgd, "entry_addr")),
	       "A PDE is 4 bytes: cr3 0x%08llx + 4 * %llu = 0x%08llx.",
	       (unsigned long long)w.cr3,
	       (unsigned long long)ex_num(pgd, "index"),
	       (unsigned long long)ex_num(pgd, "entry_addr"));
	ex_key(c, "pte_index", json_integer((json_int_t)ex_num(pte, "index")),
	       "The middle 10 bits: (0x%08llx >> 12) & 0x3ff = %llu.",
	       (unsigned long long)w.va,
	       (unsigned long long)ex_num(pte, "index"));
	ex_key(c, "pte_addr", json_integer((json_int_t)ex_num(pte, "entry_addr")),
	       "The PDE holds 0x%08llx, so the page table is at 0x%08llx (bits "
	       "31-12); the PTE is at 0x%08llx + 4 * %llu = 0x%08llx.",
	       (unsigned long long)ex_num(pgd, "entry"),
	       (unsigned long long)pt, (unsigned long long)pt,
	       (unsigned long long)ex_num(pte, "index"),
	       (unsigned long long)ex_num(pte, "entry_addr"));
	ex_key(c, "phys", json_integer((json_int_t)w.phys),
	       "The PTE holds 0x%08llx: the frame at 0x%08llx, plus the low 12 "
	       "bits of the address, 0x%03llx, gives 0x%08llx.",
	       (unsigned long long)ex_num(pte, "entry"),
	       (unsigned long long)(w.phys & ~0xfffull),
	       (unsigned long long)(w.va & 0xfff),
	       (unsigned long long)w.phys);
	return 0;
}

const struct ex_type ex_type_walk2 = {
	.name = "walk2",
	.title = "A two-level 10/10/12 page walk",
	.misconception = "a virtual address's physical address follows from "
			 "the address alone",
	.fields = {
		{ "pgd_index", EX_FMT_COUNT, NULL, 1,
		  "the page-directory index (0 to 1023)" },
		{ "pde_addr", EX_FMT_ADDRESS, NULL, 1,
		  "the physical address of the PDE" },
		{ "pte_index", EX_FMT_COUNT, NULL, 1,
		  "the page-table index (0 to 1023)" },
		{ "pte_addr", EX_FMT_ADDRESS, NULL, 1,
		  "the physical address of the PTE" },
		{ "phys", EX_FMT_ADDRESS, NULL, 1,
		  "the physical address the walk ends at" },
	},
	.make = make,
};

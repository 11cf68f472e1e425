/*
 * ex_ptpages.c - how many page-table pages a mapping needs, two-level
 * against PAE.
 *
 * The misconception: "a page table maps a fixed amount whatever the
 * format" (and its cousin, "PAE costs nothing").  A two-level page table
 * holds 1024 four-byte entries and maps 4 MiB; a PAE one holds 512
 * eight-byte entries and maps 2 MiB, so the same mapping needs about
 * twice the tables, and a mapping that straddles a boundary needs one
 * more.  The draws vary the kernel, the address (so the mapping straddles
 * boundaries or not) and the length; the process touches one page in
 * every MiB and the last page, and the key is the machine's count of the
 * process's page-table pages, before and after.
 */
#include "ex_impl.h"

#include <stdio.h>

#define MiB (1ull << 20)

static int make(struct ex_ctx *c)
{
	bool pae = ex_rand(c) % 2;
	uint64_t len = ex_range(c, 1, 24) * MiB + ex_range(c, 0, 255) * 4096;
	uint64_t addr = 0x10000000ull + ex_range(c, 0, 0x5ffff) * 4096;
	uint64_t span = pae ? 2 * MiB : 4 * MiB, before, after;
	unsigned per = pae ? 512 : 1024;
	const json_t *mm, *st;
	char words[160], size[32];

	if (ex_boot(c, ex_config(2 * GiB, pae, "3G", NULL)) ||
	    ex_setup(c, "process_create", NULL, NULL) ||
	    ex_setup(c, "mmap", json_pack("{s:i, s:o, s:I, s:s}", "pid", 1,
			"addr", api_hex(addr), "len", (json_int_t)len, "flags",
			"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED"), &mm))
		return EX_REDRAW;
	before = ex_num(json_object_get(mm, "process"), "page_tables");
	for (uint64_t a = addr; a < addr + len; a += MiB)
		if (ex_reveal(c, "access", json_pack("{s:i, s:o, s:s}", "pid",
				1, "addr", api_hex(a), "access", "write"), NULL))
			return EX_REDRAW;
	if (ex_reveal(c, "access", json_pack("{s:i, s:o, s:s}", "pid", 1,
			"addr", api_hex(addr + len - 4096), "access", "write"),
			NULL) ||
	    ex_reveal(c, "processes", NULL, &st))
		return EX_REDRAW;
	after = ex_num(json_array_get(json_object_get(st, "processes"), 0),
		       "page_tables");
	if (after < before)
		return EX_REDRAW;

	ex_size_str(len, size, sizeof(size));
	ex_machine_words(2 * GiB, pae, "3G", NULL, words, sizeof(words));
	ex_question(c, "On %s, process 1 maps %s (0x%llx bytes) at 0x%08llx "
		    "with mmap(MAP_FIXED, anonymous) and then writes one byte "
		    "in every MiB of it, from its start, and in its last page. "
		    "How many page-table pages do those writes add (tables)? "
		    "How many entries does one page table (the level that "
		    "holds the PTEs) hold (entries), and how much virtual "
		    "memory does it map (coverage)?", words, size,
		    (unsigned long long)len, (unsigned long long)addr);
	ex_key(c, "tables", json_integer((json_int_t)(after - before)),
	       "One page table covers %s aligned to %s, so [0x%08llx, "
	       "0x%08llx) touches those from 0x%08llx to 0x%08llx: %llu "
	       "tables (the process's count went from %llu to %llu).",
	       pae ? "2 MiB" : "4 MiB", pae ? "2 MiB" : "4 MiB",
	       (unsigned long long)addr, (unsigned long long)(addr + len),
	       (unsigned long long)(addr & ~(span - 1)),
	       (unsigned long long)(((addr + len - 1) & ~(span - 1)) + span),
	       (unsigned long long)(after - before),
	       (unsigned long long)before, (unsigned long long)after);
	ex_key(c, "entries", json_integer(per),
	       "A page table is one 4 KiB page of %s-byte entries: 4096 / %s "
	       "= %u.", pae ? "8" : "4", pae ? "8" : "4", per);
	ex_key(c, "coverage", json_integer((json_int_t)span),
	       "%u entries, each mapping a 4 KiB page: %u * 4 KiB = %s.",
	       per, per, pae ? "2 MiB" : "4 MiB");
	return 0;
}

const struct ex_type ex_type_ptpages = {
	.name = "ptpages",
	.title = "Page-table pages for a mapping, two-level against PAE",
	.misconception = "a page table maps the same amount whatever the "
			 "format, so PAE costs nothing",
	.fields = {
		{ "tables", EX_FMT_COUNT, NULL, 1,
		  "page-table pages the writes add" },
		{ "entries", EX_FMT_COUNT, NULL, 1,
		  "entries in one page-table page" },
		{ "coverage", EX_FMT_SIZE, NULL, 1,
		  "virtual memory one page-table page maps (4M)" },
	},
	.make = make,
};

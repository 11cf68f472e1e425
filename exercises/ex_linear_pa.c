/*
 * ex_linear_pa.c - is this kernel address in the linear map, and what is
 * its physical address (__pa), or why it has none.
 *
 * The misconception: "lowmem and highmem are virtual ranges" (lowmem is
 * c0000000-f8000000 whatever the machine).  The linear map runs from
 * PAGE_OFFSET to high_memory, and high_memory depends on the RAM, the
 * split and vmalloc=.  The draws put the address inside lowmem, just
 * past high_memory (below where a fixed 896 MB would end), below
 * PAGE_OFFSET, or among vmalloc, pkmap and fixmap.
 */
#include "ex_impl.h"

#include <stdio.h>

#define MiB (1ull << 20)

static const uint64_t rams[] = {
	256 * MiB, 512 * MiB, 768 * MiB, 1 * GiB, 2 * GiB, 4 * GiB, 8 * GiB,
};

static uint64_t draw_addr(struct ex_ctx *c, const json_t *layout)
{
	uint64_t po = ex_num(layout, "PAGE_OFFSET");
	uint64_t hi = ex_num(layout, "high_memory");
	uint64_t a;

	switch (ex_rand(c) % 5) {
	case 0:
	case 1:	/* in lowmem */
		a = po + ex_range(c, 0, hi - po - 1);
		break;
	case 2:	/* just past the end of the linear map */
		a = hi + ex_range(c, 0, 192 * MiB);
		break;
	case 3:	/* user space, just below the split */
		a = po - ex_range(c, 1, 512 * MiB);
		break;
	default: /* vmalloc, pkmap, fixmap */
		a = ex_range(c, ex_num(layout, "VMALLOC_START"), 0xfffff000ull);
		break;
	}
	return a & 0xfffffffcull;
}

static int make(struct ex_ctx *c)
{
	static const char *const cmdlines[] = { "", "", "", "vmalloc=256M",
						"vmalloc=64M" };
	uint64_t ram = ex_draw_ram(c, rams, sizeof(rams) / sizeof(rams[0]));
	bool pae = ex_draw_pae(c, ram);
	const char *split = ex_draw_vmsplit(c), *cmd = EX_PICK(c, cmdlines);
	const json_t *layout, *t, *pa;
	json_t *peek = NULL;
	uint64_t addr, po, hi;
	char words[200], low[32];
	int rc;

	if (ex_boot(c, ex_config(ram, pae, split, cmd)) ||
	    ex_peek_report(c, "layout", &peek))
		return EX_REDRAW;
	addr = draw_addr(c, peek);
	json_decref(peek);
	if (addr >= (1ull << 32))
		return EX_REDRAW;
	rc = ex_reveal_report(c, "layout", &layout) ||
	     ex_reveal(c, "translate", json_pack("{s:o}", "addr",
						 api_hex(addr)), &t);
	if (rc)
		return EX_REDRAW;
	po = ex_num(layout, "PAGE_OFFSET");
	hi = ex_num(layout, "high_memory");
	pa = json_object_get(t, "linear_pa");
	ex_size_str(hi - po, low, sizeof(low));
	ex_machine_words(ram, pae, split, cmd, words, sizeof(words));
	ex_question(c, "On %s, is the virtual address 0x%08llx in the "
		    "kernel's linear map (linear: yes or no), and what is its physical "
		    "address by __pa() (phys, or \"none\" if __pa() does not "
		    "apply to it)?", words, (unsigned long long)addr);
	ex_key(c, "linear", json_boolean(pa != NULL),
	       "The linear map runs from PAGE_OFFSET 0x%08llx to high_memory "
	       "0x%08llx, as far as this machine's lowmem (%s) reaches, not "
	       "to a fixed 896 MB: 0x%08llx is %s it.",
	       (unsigned long long)po, (unsigned long long)hi, low,
	       (unsigned long long)addr, pa ? "inside" : "outside");
	if (pa)
		ex_key(c, "phys", json_integer((json_int_t)ex_num(t, "linear_pa")),
		       "__pa(0x%08llx) = 0x%08llx - PAGE_OFFSET 0x%08llx = "
		       "0x%08llx.", (unsigned long long)addr,
		       (unsigned long long)addr, (unsigned long long)po,
		       (unsigned long long)ex_num(t, "linear_pa"));
	else
		ex_key(c, "phys", json_null(),
		       "0x%08llx is outside [0x%08llx, 0x%08llx), so __pa() "
		       "does not apply: any frame behind it is found only by "
		       "walking the page tables (answer none).",
		       (unsigned long long)addr, (unsigned long long)po,
		       (unsigned long long)hi);
	return 0;
}

const struct ex_type ex_type_linear_pa = {
	.name = "linear_pa",
	.title = "Is an address in the linear map, and its __pa",
	.misconception = "lowmem and highmem are virtual ranges",
	.fields = {
		{ "linear", EX_FMT_YESNO, NULL, 1,
		  "is the address in the linear map (yes/no)" },
		{ "phys", EX_FMT_ADDRESS, NULL, 1,
		  "its physical address by __pa(), or none" },
	},
	.make = make,
};

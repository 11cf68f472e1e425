/*
 * ex_walk.c - the page walk both walk exercises ask about: a vmalloc
 * address (mapped with 4 KiB pages, unlike the linear map's large
 * pages), its index at each level, where each entry lives, and the
 * physical address it ends at.  ex_walk2.c asks it of the two-level
 * 10/10/12 format, ex_walk_pae.c of PAE's 2/9/9/12 with NX.
 *
 * The draws move the address: another vmalloc before it (so the area
 * starts elsewhere), pages taken before (so the page table and the
 * frames land elsewhere), and a page and an offset inside the area.
 */
#include "ex_walk.h"

#include <stdio.h>
#include <string.h>

#define MiB (1ull << 20)

static const uint64_t rams[] = {
	512 * MiB, 1 * GiB, 2 * GiB, 3 * GiB, 4 * GiB,
};

static const uint64_t pae_rams[] = {
	1 * GiB, 2 * GiB, 4 * GiB, 8 * GiB, 16 * GiB,
};

int ex_walk_draw(struct ex_ctx *c, bool pae, struct ex_walk *w)
{
	uint64_t ram = pae ? ex_draw_ram(c, pae_rams, 5)
			   : ex_draw_ram(c, rams, 5);
	const char *split = ex_draw_vmsplit(c);
	unsigned before = (unsigned)ex_range(c, 0, 64);
	unsigned pages = (unsigned)ex_range(c, 1, 16);
	unsigned taken = (unsigned)ex_range(c, 0, 3);
	const json_t *r, *t;

	if (ex_boot(c, ex_config(ram, pae, split, NULL)))
		return EX_REDRAW;
	for (unsigned i = 0; i < taken; i++)
		if (ex_setup(c, "alloc_pages", json_pack("{s:i, s:s}", "order",
				(int)ex_range(c, 0, 4), "gfp", "GFP_KERNEL"), NULL))
			return EX_REDRAW;
	if (before && ex_setup(c, "vmalloc", json_pack("{s:i}", "size",
				(int)before * 4096), NULL))
		return EX_REDRAW;
	if (ex_setup(c, "vmalloc", json_pack("{s:i}", "size",
					     (int)pages * 4096), &r))
		return EX_REDRAW;
	w->area = ex_num(r, "addr");
	w->va = w->area + ex_range(c, 0, pages - 1) * 4096 +
		(ex_range(c, 0, 4095) & ~3ull);
	if (ex_reveal(c, "translate", json_pack("{s:o}", "addr",
						api_hex(w->va)), &t))
		return EX_REDRAW;
	if (!json_is_true(json_object_get(t, "ok")) ||
	    ex_num(t, "page_size") != 4096 ||
	    json_array_size(json_object_get(t, "steps")) != (pae ? 3u : 2u))
		return EX_REDRAW;
	w->ram = ram;
	w->split = split;
	w->walk = t;
	w->cr3 = ex_num(t, "cr3");
	w->phys = ex_num(t, "phys");
	return 0;
}

const json_t *ex_walk_step(const struct ex_walk *w, unsigned i)
{
	return json_array_get(json_object_get(w->walk, "steps"), i);
}

bool ex_walk_flag(const json_t *step, const char *flag)
{
	const json_t *f = json_object_get(step, "flags");

	for (size_t i = 0; i < json_array_size(f); i++)
		if (!strcmp(json_string_value(json_array_get(f, i)), flag))
			return true;
	return false;
}

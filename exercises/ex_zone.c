/*
 * ex_zone.c - which zone serves alloc_pages() for a GFP mask, and whether
 * the block has a kernel virtual address.
 *
 * The misconception: "HighMem is the top 128 MB of kernel virtual space".
 * Zones are ranges of physical frames; whether a frame is in the linear
 * map follows from its zone, not the other way round.  The draws vary
 * the RAM (with and without a HighMem zone), the split, the kernel and
 * the mask, so the same mask lands in different zones on different
 * machines; on some draws a program has first filled a small HighMem,
 * so a mask that prefers HighMem falls back to Normal (and its page is
 * then in the linear map after all).
 */
#include "ex_impl.h"

#include <stdio.h>
#include <string.h>

#define MiB (1ull << 20)

static const char *const gfps[] = {
	"GFP_KERNEL", "GFP_DMA", "GFP_HIGHUSER", "GFP_HIGHUSER_MOVABLE",
	"GFP_USER", "GFP_ATOMIC", "GFP_NOFS", "GFP_KERNEL|__GFP_HIGHMEM",
	"GFP_USER|__GFP_DMA", "GFP_NOIO|__GFP_HIGHMEM",
};

/* the masks that prefer HighMem, for the draws that fill it first */
static const char *const high_gfps[] = {
	"GFP_HIGHUSER", "GFP_HIGHUSER_MOVABLE", "GFP_KERNEL|__GFP_HIGHMEM",
};

static const uint64_t rams[] = {
	128 * MiB, 256 * MiB, 512 * MiB, 768 * MiB, 1 * GiB, 1536 * MiB,
	2 * GiB, 3 * GiB, 4 * GiB, 6 * GiB, 8 * GiB, 12 * GiB,
};

/* Bounds the setup of a draw that fills HighMem: a HighMem of up to
 * 512 MiB fills in about 130 allocations (order 10, then 5, then 0). */
#define FILL_MAX_OPS 400
#define FILL_MAX_HIGHMEM (512 * MiB)

/*
 * Take blocks from HighMem until the allocator falls back to Normal,
 * with smaller and smaller blocks, so that even a single page comes
 * from a lower zone.  *n is how many allocations it took.
 */
static int fill_highmem(struct ex_ctx *c, unsigned *n)
{
	static const int orders[] = { 10, 5, 0 };

	*n = 0;
	for (unsigned k = 0; k < 3; k++)
		for (;;) {
			const json_t *r;

			if (++*n > FILL_MAX_OPS ||
			    ex_setup(c, "alloc_pages", json_pack("{s:i, s:s}",
					"order", orders[k], "gfp",
					"GFP_HIGHUSER_MOVABLE"), &r))
				return EX_REDRAW;
			if (!json_is_true(json_object_get(r, "ok")) ||
			    strcmp(ex_str(r, "zone"), "HighMem"))
				break;
		}
	return 0;
}

static int make(struct ex_ctx *c)
{
	uint64_t ram = ex_draw_ram(c, rams, sizeof(rams) / sizeof(rams[0]));
	bool pae = ex_draw_pae(c, ram);
	const char *split = ex_draw_vmsplit(c);
	bool fill = ex_rand(c) % 3 == 0, linear;
	const char *gfp = fill ? EX_PICK(c, high_gfps) : EX_PICK(c, gfps);
	unsigned order = (unsigned)ex_range(c, 0, 3);
	const json_t *layout, *r;
	uint64_t pfn, low_end, max_pfn;
	const char *zone, *first;
	char words[160], low[32], filled[96] = "";
	unsigned nfill = 0;
	json_t *peek = NULL;

	if (ex_boot(c, ex_config(ram, pae, split, NULL)))
		return EX_REDRAW;
	if (fill) {
		/* only where HighMem is small enough to fill in a setup */
		if (ex_peek_report(c, "layout", &peek))
			return EX_REDRAW;
		max_pfn = ex_num(peek, "max_pfn") - ex_num(peek, "max_low_pfn");
		json_decref(peek);
		if (max_pfn == 0 || (max_pfn << 12) > FILL_MAX_HIGHMEM ||
		    fill_highmem(c, &nfill))
			return EX_REDRAW;
		snprintf(filled, sizeof(filled), ", after a program has filled "
			 "HighMem (%u allocations of GFP_HIGHUSER_MOVABLE)", nfill);
	}
	if (ex_reveal_report(c, "layout", &layout) ||
	    ex_reveal(c, "alloc_pages", json_pack("{s:i, s:s}", "order",
			(int)order, "gfp", gfp), &r))
		return EX_REDRAW;
	if (!json_is_true(json_object_get(r, "ok")))
		return EX_REDRAW;
	ex_machine_words(ram, pae, split, NULL, words, sizeof(words));
	ex_question(c, "On %s%s, the kernel calls alloc_pages(%s, %u). From "
		    "which zone does the block come (zone), and does the "
		    "kernel have a permanent virtual address for it in its "
		    "linear map, without kmap (linear_map: yes or no)?",
		    words, filled, gfp, order);

	pfn = ex_num(r, "pfn");
	zone = ex_str(r, "zone");
	first = ex_str(json_array_get(json_object_get(r, "attempts"), 0),
		       "zone");
	low_end = ex_num(layout, "max_low_pfn");
	max_pfn = ex_num(layout, "max_pfn");
	linear = !json_is_null(json_object_get(r, "virt"));
	ex_size_str(low_end << 12, low, sizeof(low));
	if (fill && !strcmp(first, "HighMem") && !strcmp(zone, "HighMem"))
		return EX_REDRAW;	/* the fill did not do what it says */
	ex_key(c, "zone", json_string(zone),
	       "%s lets the allocator start at %s and fall back to lower "
	       "zones; this machine's lowmem is its first %s (up to pfn "
	       "0x%llx)%s, so the block came from %s (pfn 0x%llx).", gfp,
	       first, low, (unsigned long long)low_end,
	       fill && !strcmp(first, "HighMem")
	       ? " and its HighMem is full (below its watermark)"
	       : max_pfn > low_end ? " and the rest of RAM is HighMem"
				   : " and that is all its RAM: there is no HighMem",
	       zone, (unsigned long long)pfn);
	ex_key(c, "linear_map", json_boolean(linear),
	       "Zones are ranges of physical frames, not of virtual "
	       "addresses: pfn 0x%llx is %s lowmem's end (pfn 0x%llx), so "
	       "%s.", (unsigned long long)pfn, linear ? "below" : "above",
	       (unsigned long long)low_end,
	       linear ? "the linear map holds it at PAGE_OFFSET + its "
			"physical address"
		      : "it has no kernel address until it is kmapped");
	return 0;
}

const struct ex_type ex_type_zone = {
	.name = "zone",
	.title = "Which zone serves a GFP mask",
	.misconception = "HighMem is the top 128 MB of kernel virtual space",
	.fields = {
		{ "zone", EX_FMT_ZONE, NULL, 1,
		  "the zone the block comes from: DMA, Normal or HighMem" },
		{ "linear_map", EX_FMT_YESNO, NULL, 1,
		  "whether the block has a linear-map address (yes/no)" },
	},
	.make = make,
};

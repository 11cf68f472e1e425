/*
 * ex_kvmalloc.c - kmalloc against vmalloc: are the frames physically
 * contiguous, and which zones do they come from.
 *
 * The misconceptions: "vmalloc memory is always HighMem" and "vmalloc is
 * limited to the RAM between 896 MB and 1 GB".  kmalloc hands out part
 * of one block from the linear map (contiguous, lowmem); vmalloc takes
 * single pages from wherever the allocator finds them, HighMem first
 * when there is any, and maps them one by one into its virtual window.
 * The setup frees a few scattered pages first, as a running system
 * would have, so the vmalloc frames visibly scatter; a draw whose
 * frames happen to be consecutive is redrawn (it would teach the wrong
 * lesson).
 */
#include "ex_impl.h"

#include <stdio.h>
#include <string.h>

#define MiB (1ull << 20)

static const uint64_t rams[] = {
	256 * MiB, 512 * MiB, 768 * MiB, 1 * GiB, 2 * GiB, 3 * GiB, 4 * GiB,
	8 * GiB,
};

/* A few pages taken and every other one given back: holes in the free
 * lists that the next single-page allocations fill first. */
static int scatter(struct ex_ctx *c, unsigned n)
{
	uint64_t pfns[8];

	for (unsigned i = 0; i < n; i++) {
		const json_t *r;

		if (ex_setup(c, "alloc_pages", json_pack("{s:i, s:s}",
				"order", 0, "gfp", "GFP_HIGHUSER_MOVABLE"), &r))
			return EX_REDRAW;
		pfns[i] = ex_num(r, "pfn");
	}
	for (unsigned i = 0; i < n; i += 2)
		if (ex_setup(c, "free_pages", json_pack("{s:o, s:i}", "pfn",
				api_hex(pfns[i]), "order", 0), NULL))
			return EX_REDRAW;
	return 0;
}

/* kmalloc's object lies inside one block of the page allocator. */
static bool kmalloc_in_one_block(const json_t *r, const json_t **blk)
{
	uint64_t phys = ex_num(r, "phys"), size = ex_num(r, "size"), start;

	*blk = json_object_get(r, json_is_true(json_object_get(r, "large"))
			       ? "block" : "slab");
	start = ex_num(*blk, "phys");
	return phys >= start &&
	       phys + size <= start + ex_num(*blk, "pages") * 4096;
}

static int make(struct ex_ctx *c)
{
	uint64_t ram = ex_draw_ram(c, rams, sizeof(rams) / sizeof(rams[0]));
	bool pae = ex_draw_pae(c, ram);
	const char *split = ex_draw_vmsplit(c);
	unsigned ksize = (unsigned)ex_range(c, 4097, 32768);
	unsigned npages = (unsigned)ex_range(c, 3, 12);
	unsigned vsize = (npages - 1) * 4096 + (unsigned)ex_range(c, 1, 4096);
	const json_t *k, *vm, *blk, *pages;
	bool kcont, vcont = true;
	const char *vzone;
	char words[160];
	size_t n, brk = 0;

	if (ex_boot(c, ex_config(ram, pae, split, NULL)) ||
	    scatter(c, 2 * (unsigned)ex_range(c, 1, 4)) ||
	    ex_reveal(c, "kmalloc", json_pack("{s:i}", "size", (int)ksize), &k) ||
	    ex_reveal(c, "vmalloc", json_pack("{s:i}", "size", (int)vsize), &vm))
		return EX_REDRAW;
	pages = json_object_get(vm, "pages");
	n = json_array_size(pages);
	vzone = ex_str(json_array_get(pages, 0), "zone");
	for (size_t i = 1; i < n; i++) {
		const json_t *p = json_array_get(pages, i);

		if (strcmp(ex_str(p, "zone"), vzone))
			return EX_REDRAW;	/* mixed zones: no one answer */
		if (vcont && ex_num(p, "pfn") !=
			     ex_num(json_array_get(pages, i - 1), "pfn") + 1) {
			vcont = false;
			brk = i;	/* the first frame that breaks the run */
		}
	}
	if (vcont || n == 0)
		return EX_REDRAW;
	kcont = kmalloc_in_one_block(k, &blk);

	ex_machine_words(ram, pae, split, NULL, words, sizeof(words));
	ex_question(c, "On %s, after a few pages were allocated and every "
		    "other one freed, the kernel calls kmalloc(%u, GFP_KERNEL) "
		    "and then vmalloc(%u). Are the kmalloc buffer's frames "
		    "physically contiguous (kmalloc_contiguous), and from which "
		    "zone (kmalloc_zone)? Are the vmalloc area's frames "
		    "physically contiguous (vmalloc_contiguous), from which zone "
		    "(vmalloc_zone), and how many frames back it "
		    "(vmalloc_frames)?", words, ksize, vsize);
	ex_key(c, "kmalloc_contiguous", json_boolean(kcont),
	       "kmalloc's %u bytes at phys 0x%llx are one piece of %s, an "
	       "order-%llu block of %llu consecutive frames from pfn 0x%llx: "
	       "kmalloc memory is always physically contiguous.", ksize,
	       (unsigned long long)ex_num(k, "phys"),
	       json_is_true(json_object_get(k, "large"))
	       ? "a block straight from the page allocator" : "a slab",
	       (unsigned long long)ex_num(blk, "order"),
	       (unsigned long long)ex_num(blk, "pages"),
	       (unsigned long long)ex_num(blk, "pfn"));
	ex_key(c, "kmalloc_zone", json_string(ex_str(blk, "zone")),
	       "kmalloc returns a linear-map address (0x%llx), so its frames "
	       "must be lowmem: GFP_KERNEL never asks for HighMem, and this "
	       "block came from %s.", (unsigned long long)ex_num(k, "addr"),
	       ex_str(blk, "zone"));
	ex_key(c, "vmalloc_contiguous", json_false(),
	       "vmalloc asks the page allocator for %zu single pages and maps "
	       "each one into its virtual window: here page %zu is pfn "
	       "0x%llx but page %zu is pfn 0x%llx, so only the virtual range "
	       "is contiguous.", n, brk - 1,
	       (unsigned long long)ex_num(json_array_get(pages, brk - 1), "pfn"),
	       brk,
	       (unsigned long long)ex_num(json_array_get(pages, brk), "pfn"));
	ex_key(c, "vmalloc_zone", json_string(vzone),
	       "vmalloc's pages are allocated with __GFP_HIGHMEM, so they come "
	       "from the highest zone with free pages, %s on this machine%s.",
	       vzone, strcmp(vzone, "HighMem")
	       ? " (there is no HighMem here, so vmalloc uses lowmem)"
	       : " (they need no linear-map address: each is mapped on its "
		 "own into the vmalloc window)");
	ex_key(c, "vmalloc_frames", json_integer((json_int_t)n),
	       "vmalloc(%u) rounds up to whole pages: %zu frames (the guard "
	       "page after the area has no frame).", vsize, n);
	return 0;
}

const struct ex_type ex_type_kvmalloc = {
	.name = "kvmalloc",
	.title = "kmalloc against vmalloc: contiguity and zones",
	.misconception = "vmalloc memory is always HighMem, and vmalloc is "
			 "limited to the RAM between 896 MB and 1 GB",
	.fields = {
		{ "kmalloc_contiguous", EX_FMT_YESNO, NULL, 1,
		  "are the kmalloc buffer's frames physically contiguous" },
		{ "kmalloc_zone", EX_FMT_ZONE, NULL, 1,
		  "the zone of the kmalloc buffer's frames" },
		{ "vmalloc_contiguous", EX_FMT_YESNO, NULL, 1,
		  "are the vmalloc area's frames physically contiguous" },
		{ "vmalloc_zone", EX_FMT_ZONE, NULL, 1,
		  "the zone of the vmalloc area's frames" },
		{ "vmalloc_frames", EX_FMT_COUNT, NULL, 1,
		  "how many frames back the vmalloc area" },
	},
	.make = make,
};

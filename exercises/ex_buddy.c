/*
 * ex_buddy.c - which freed blocks merge in the buddy allocator.
 *
 * The misconception: "adjacent equal blocks always merge".  A free block
 * of order k at pfn P merges only with its buddy, the block at
 * P ^ 2^k, and only when that buddy is free as a whole block of the same
 * order; two adjacent blocks of the same order whose lower one sits at an
 * odd multiple of 2^k are not buddies and stay apart.  The setup takes a
 * run of blocks of order 4 to 6 (above the per-CPU lists' orders, so a
 * free goes straight to the buddy lists) and frees a drawn subset, two
 * adjacent ones among them; the question asks whether those two ended up
 * in one block, and what block holds the first.
 */
#include "ex_impl.h"

#include <stdio.h>
#include <string.h>

#define MiB (1ull << 20)
#define NBLOCKS_MAX 10

static const uint64_t rams[] = { 256 * MiB, 512 * MiB, 1 * GiB, 2 * GiB };

static int take_blocks(struct ex_ctx *c, const char *gfp, unsigned n,
		       unsigned order, uint64_t *pfns)
{
	for (unsigned i = 0; i < n; i++) {
		const json_t *r;

		if (ex_setup(c, "alloc_pages", json_pack("{s:i, s:s}", "order",
				(int)order, "gfp", gfp), &r) ||
		    !json_is_true(json_object_get(r, "ok")))
			return EX_REDRAW;
		pfns[i] = ex_num(r, "pfn");
	}
	return 0;
}

/* Two of the blocks, a then a + 2^order: the adjacent pair to ask about. */
static bool find_pair(const uint64_t *pfns, unsigned n, unsigned order,
		      unsigned start, unsigned *ia, unsigned *ib)
{
	for (unsigned k = 0; k < n; k++) {
		unsigned i = (start + k) % n;

		for (unsigned j = 0; j < n; j++)
			if (pfns[j] == pfns[i] + (1ull << order)) {
				*ia = i;
				*ib = j;
				return true;
			}
	}
	return false;
}

static int make(struct ex_ctx *c)
{
	uint64_t ram = ex_draw_ram(c, rams, sizeof(rams) / sizeof(rams[0]));
	static const char *const gfps[] = { "GFP_KERNEL", "GFP_KERNEL",
					    "GFP_HIGHUSER_MOVABLE" };
	const char *gfp = EX_PICK(c, gfps);
	unsigned order = (unsigned)ex_range(c, 4, 6);
	unsigned n = (unsigned)ex_range(c, 4, NBLOCKS_MAX);
	uint64_t pfns[NBLOCKS_MAX], a, b, buddy, head;
	unsigned ia, ib, nfreed = 0;
	const json_t *fa, *fb;
	char list[256] = "", words[160], why[200];
	bool freed[NBLOCKS_MAX] = { 0 }, together;

	if (ex_boot(c, ex_config(ram, false, "3G", NULL)) ||
	    take_blocks(c, gfp, n, order, pfns) ||
	    !find_pair(pfns, n, order, (unsigned)ex_range(c, 0, n - 1), &ia, &ib))
		return EX_REDRAW;
	freed[ia] = freed[ib] = true;
	for (unsigned i = 0; i < n; i++)
		if (ex_rand(c) % 3 == 0)
			freed[i] = true;
	for (unsigned i = 0; i < n; i++) {
		if (!freed[i])
			continue;
		if (ex_setup(c, "free_pages", json_pack("{s:o, s:i}", "pfn",
				api_hex(pfns[i]), "order", (int)order), NULL))
			return EX_REDRAW;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s0x%llx", nfreed++ ? ", " : "",
			 (unsigned long long)pfns[i]);
	}
	a = pfns[ia];
	b = pfns[ib];
	if (ex_reveal(c, "frame", json_pack("{s:o}", "pfn", api_hex(a)), &fa) ||
	    ex_reveal(c, "frame", json_pack("{s:o}", "pfn", api_hex(b)), &fb))
		return EX_REDRAW;
	if (strcmp(ex_str(fa, "state"), "free") ||
	    strcmp(ex_str(fb, "state"), "free"))
		return EX_REDRAW;
	head = ex_num(fa, "head");
	together = head == ex_num(fb, "head");
	buddy = a ^ (1ull << order);

	ex_machine_words(ram, false, "3G", NULL, words, sizeof(words));
	ex_question(c, "On %s, the kernel takes %u blocks of order %u with "
		    "alloc_pages(%s, %u), then frees the ones at pfn "
		    "%s. Are the adjacent blocks at pfn 0x%llx and 0x%llx now "
		    "part of one free block (merged: yes or no)? Which free "
		    "block holds pfn 0x%llx: its first pfn (head) and its "
		    "order (order)?", words, n, order, gfp, order, list,
		    (unsigned long long)a, (unsigned long long)b,
		    (unsigned long long)a);
	if (buddy == b)
		snprintf(why, sizeof(why), "which is the block above it, so "
			 "the two became one block");
	else
		snprintf(why, sizeof(why), "not the block above it at 0x%llx: "
			 "%s", (unsigned long long)b, together
			 ? "the merges each made with its own buddy joined "
			   "them into one larger block"
			 : "adjacent blocks of the same order that are not "
			   "buddies stay apart");
	ex_key(c, "merged", json_boolean(together),
	       "Only buddies merge: the order-%u buddy of pfn 0x%llx is "
	       "0x%llx ^ 0x%llx = 0x%llx, %s.", order, (unsigned long long)a,
	       (unsigned long long)a, 1ull << order,
	       (unsigned long long)buddy, why);
	ex_key(c, "head", json_integer((json_int_t)head),
	       "pfn 0x%llx lies in the free block at pfn 0x%llx: each merge "
	       "with a free buddy doubles the block, and its head is the "
	       "lower of the two.", (unsigned long long)a,
	       (unsigned long long)head);
	ex_key(c, "order", json_integer((json_int_t)ex_num(fa, "order")),
	       "The block started at order %u and merged %llu time%s with a "
	       "free buddy: order %llu.", order,
	       (unsigned long long)(ex_num(fa, "order") - order),
	       ex_num(fa, "order") - order == 1 ? "" : "s",
	       (unsigned long long)ex_num(fa, "order"));
	return 0;
}

const struct ex_type ex_type_buddy = {
	.name = "buddy",
	.title = "Which freed blocks merge in the buddy allocator",
	.misconception = "adjacent equal blocks always merge",
	.fields = {
		{ "merged", EX_FMT_YESNO, NULL, 1,
		  "are the two adjacent blocks now one free block (yes/no)" },
		{ "head", EX_FMT_PFN, NULL, 1,
		  "the first pfn of the free block holding the first one" },
		{ "order", EX_FMT_COUNT, NULL, 1,
		  "that free block's order" },
	},
	.make = make,
};

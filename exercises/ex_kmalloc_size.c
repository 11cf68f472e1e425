/*
 * ex_kmalloc_size.c - the kmalloc cache, the object size and the bytes
 * wasted for a request, and what happens above 8 KiB.
 *
 * The misconception: "kmalloc gives exactly what you ask".  A request is
 * rounded up to the smallest kmalloc cache that fits (the powers of two
 * and the 96 and 192 byte caches); above KMALLOC_MAX_CACHE_SIZE (two
 * pages) there is no cache and the request becomes a compound block
 * from the page allocator, rounded up to a power of two pages.  Sizes
 * that fit a cache exactly are redrawn: they teach nothing.
 */
#include "ex_impl.h"

#include <stdio.h>

static unsigned draw_size(struct ex_ctx *c)
{
	switch (ex_rand(c) % 4) {
	case 0:
		return (unsigned)ex_range(c, 1, 256);
	case 1:
		return (unsigned)ex_range(c, 257, 2048);
	case 2:
		return (unsigned)ex_range(c, 2049, 8192);
	default:
		return (unsigned)ex_range(c, 8193, 131072);
	}
}

static int make(struct ex_ctx *c)
{
	static const char *const gfps[] = { "GFP_KERNEL", "GFP_ATOMIC",
					    "GFP_NOFS" };
	unsigned size = draw_size(c);
	const char *gfp = EX_PICK(c, gfps);
	const json_t *r, *blk;
	uint64_t obj;
	bool large;

	if (ex_boot(c, ex_config(2ull << 30, false, "3G", NULL)) ||
	    ex_reveal(c, "kmalloc", json_pack("{s:i, s:s}", "size", (int)size,
					      "gfp", gfp), &r))
		return EX_REDRAW;
	obj = ex_num(r, "ksize");
	if (obj == size)
		return EX_REDRAW;
	large = json_is_true(json_object_get(r, "large"));
	blk = json_object_get(r, "block");
	ex_question(c, "The kernel calls kmalloc(%u, %s). Which kmalloc cache "
		    "serves it (cache, or \"none\" if no cache does), how big "
		    "is the object it really gets (object_size, what ksize() "
		    "returns), and how many bytes of that are wasted (wasted)?",
		    size, gfp);
	if (large) {
		ex_key(c, "cache", json_string("none"),
		       "%u bytes is above KMALLOC_MAX_CACHE_SIZE (8 KiB), so no "
		       "kmalloc cache serves it: kmalloc takes an order-%llu "
		       "block straight from the page allocator.", size,
		       (unsigned long long)ex_num(blk, "order"));
		ex_key(c, "object_size", json_integer((json_int_t)obj),
		       "An order-%llu block is %llu pages, %llu bytes: the "
		       "smallest power of two pages that holds %u bytes.",
		       (unsigned long long)ex_num(blk, "order"),
		       (unsigned long long)ex_num(blk, "pages"),
		       (unsigned long long)obj, size);
	} else {
		ex_key(c, "cache", json_string(ex_str(r, "cache")),
		       "kmalloc rounds %u bytes up to the smallest kmalloc "
		       "cache that holds it, %s.", size, ex_str(r, "cache"));
		ex_key(c, "object_size", json_integer((json_int_t)obj),
		       "Every object of %s is %llu bytes, whatever was asked: "
		       "ksize() says so.", ex_str(r, "cache"),
		       (unsigned long long)obj);
	}
	ex_key(c, "wasted", json_integer((json_int_t)(obj - size)),
	       "The object is %llu bytes for a request of %u: %llu - %u = "
	       "%llu bytes are wasted.", (unsigned long long)obj, size,
	       (unsigned long long)obj, size,
	       (unsigned long long)(obj - size));
	return 0;
}

const struct ex_type ex_type_kmalloc_size = {
	.name = "kmalloc_size",
	.title = "The kmalloc cache, object size and waste of a request",
	.misconception = "kmalloc gives exactly what you ask",
	.fields = {
		{ "cache", EX_FMT_CACHE, NULL, 1,
		  "the kmalloc cache (kmalloc-64), or none above 8 KiB" },
		{ "object_size", EX_FMT_SIZE, NULL, 1,
		  "the bytes the object really has (ksize)" },
		{ "wasted", EX_FMT_COUNT, NULL, 1,
		  "bytes of the object beyond the request" },
	},
	.make = make,
};

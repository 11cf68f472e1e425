/*
 * ex_alias.c - two virtual addresses, one frame: a process's page and
 * the kernel's kmap of the same frame.
 *
 * The misconception: "a virtual address is a place in memory".  A
 * process writes its page; the frame behind it (HighMem when there is
 * any: user pages are GFP_HIGHUSER) has no kernel address until kmap
 * gives it one, and the kernel's write through that address is what the
 * process reads back at its own.  The draws vary the machine, the
 * mapping, the page and offset written, and the pkmap slots already
 * taken.
 */
#include "ex_impl.h"

#include <stdio.h>
#include <string.h>


static const uint64_t rams[] = { 1 * GiB, 2 * GiB, 3 * GiB, 4 * GiB,
				 8 * GiB };

/* Text the bytes of which the reveal compares: short, seed-made. */
static void draw_text(struct ex_ctx *c, const char *prefix, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s-%04llx", prefix,
		 (unsigned long long)ex_range(c, 0, 0xffff));
}

static void to_hex(const char *s, char *hex, size_t len)
{
	hex[0] = '\0';
	for (size_t i = 0; s[i] && 2 * i + 2 < len; i++)
		snprintf(hex + 2 * i, len - 2 * i, "%02x", (unsigned char)s[i]);
}

static int other_kmaps(struct ex_ctx *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const json_t *r;

		if (ex_setup(c, "alloc_pages", json_pack("{s:i, s:s}", "order",
				0, "gfp", "GFP_HIGHUSER"), &r) ||
		    ex_setup(c, "kmap", json_pack("{s:O}", "pfn",
				json_object_get(r, "pfn")), NULL))
			return EX_REDRAW;
	}
	return 0;
}

static int make(struct ex_ctx *c)
{
	uint64_t ram = ex_draw_ram(c, rams, sizeof(rams) / sizeof(rams[0]));
	bool pae = ex_draw_pae(c, ram);
	const char *split = ex_rand(c) % 4 ? "3G" : "2G";
	unsigned pages = (unsigned)ex_range(c, 2, 8);
	unsigned page_i = (unsigned)ex_range(c, 0, pages - 1);
	unsigned off = (unsigned)ex_range(c, 0, 4000) & ~7u;
	unsigned kmaps = (unsigned)ex_range(c, 0, 3);
	const json_t *mm, *pm, *km, *rd, *layout, *pg;
	char t1[32], t2[32], hex[80], words[160];
	uint64_t area, ua, pfn, kaddr;
	bool same;

	draw_text(c, "user", t1, sizeof(t1));
	draw_text(c, "kern", t2, sizeof(t2));
	if (ex_boot(c, ex_config(ram, pae, split, NULL)) ||
	    other_kmaps(c, kmaps) ||
	    ex_setup(c, "process_create", NULL, NULL) ||
	    ex_setup(c, "mmap", json_pack("{s:i, s:i}", "pid", 1, "len",
					  (int)pages * 4096), &mm))
		return EX_REDRAW;
	area = ex_num(mm, "addr");
	ua = area + page_i * 4096ull + off;
	if (ex_setup(c, "uwrite", json_pack("{s:i, s:o, s:s}", "pid", 1,
				"addr", api_hex(ua), "text", t1), NULL) ||
	    ex_reveal_report(c, "layout", &layout) ||
	    ex_reveal(c, "pagemap", json_pack("{s:i, s:o, s:i}", "pid", 1,
			"addr", api_hex(ua & ~0xfffull), "len", 4096), &pm))
		return EX_REDRAW;
	pg = json_array_get(json_object_get(pm, "pages"), 0);
	if (!json_is_true(json_object_get(pg, "present")))
		return EX_REDRAW;
	pfn = ex_num(pg, "pfn");
	if (ex_reveal(c, "kmap", json_pack("{s:o}", "pfn", api_hex(pfn)), &km))
		return EX_REDRAW;
	kaddr = ex_num(km, "addr");
	if (ex_reveal(c, "write", json_pack("{s:o, s:s}", "addr",
				api_hex(kaddr + off), "text", t2), NULL) ||
	    ex_reveal(c, "uread", json_pack("{s:i, s:o, s:i}", "pid", 1,
			"addr", api_hex(ua), "len", (int)strlen(t2)), &rd))
		return EX_REDRAW;
	to_hex(t2, hex, sizeof(hex));
	same = !strcmp(ex_str(rd, "hex"), hex);

	ex_machine_words(ram, pae, split, NULL, words, sizeof(words));
	ex_question(c, "On %s, %u other page%s %s been kmapped. Process 1 maps %u "
		    "pages at 0x%08llx with mmap and writes \"%s\" at "
		    "0x%08llx. Which frame holds that page (pfn)? The kernel "
		    "then calls kmap() on that frame: at which kernel virtual "
		    "address does the page start (kaddr)? Has that frame a "
		    "permanent linear-map address (lowmem: yes or no)? If the "
		    "kernel writes \"%s\" at kaddr + 0x%x, does the process "
		    "read \"%s\" at 0x%08llx (same_data: yes or no)?", words,
		    kmaps, kmaps == 1 ? "" : "s", kmaps == 1 ? "has" : "have",
		    pages, (unsigned long long)area, t1,
		    (unsigned long long)ua, t2, off, t2,
		    (unsigned long long)ua);
	ex_key(c, "pfn", json_integer((json_int_t)pfn),
	       "The write faulted in a fresh frame for the page at 0x%08llx; "
	       "the process's page table (or /proc/1/pagemap) says it is pfn "
	       "0x%llx, in %s.", (unsigned long long)(ua & ~0xfffull),
	       (unsigned long long)pfn, ex_str(pg, "zone"));
	if (json_is_true(json_object_get(km, "lowmem")))
		ex_key(c, "kaddr", json_integer((json_int_t)kaddr),
		       "pfn 0x%llx is lowmem, so kmap just returns its "
		       "linear-map address, PAGE_OFFSET + 0x%llx = 0x%08llx.",
		       (unsigned long long)pfn, (unsigned long long)(pfn << 12),
		       (unsigned long long)kaddr);
	else
		ex_key(c, "kaddr", json_integer((json_int_t)kaddr),
		       "pfn 0x%llx is HighMem, so kmap maps it in the next free "
		       "pkmap slot, %llu (after the %u kmaps before): "
		       "PKMAP_BASE 0x%08llx + %llu * 4096 = 0x%08llx.",
		       (unsigned long long)pfn,
		       (unsigned long long)ex_num(km, "slot"), kmaps,
		       (unsigned long long)ex_num(layout, "PKMAP_BASE"),
		       (unsigned long long)ex_num(km, "slot"),
		       (unsigned long long)kaddr);
	ex_key(c, "lowmem", json_boolean(json_is_true(json_object_get(km,
							"lowmem"))),
	       "Lowmem ends at pfn 0x%llx (max_low_pfn) and the frame is pfn "
	       "0x%llx, %s.", (unsigned long long)ex_num(layout, "max_low_pfn"),
	       (unsigned long long)pfn, pfn < ex_num(layout, "max_low_pfn")
	       ? "below it: always in the linear map"
	       : "above it: HighMem, with no kernel address but a kmap");
	ex_key(c, "same_data", json_boolean(same),
	       "0x%08llx (the process's) and 0x%08llx (the kernel's) are two "
	       "virtual addresses of one frame, pfn 0x%llx: a write through "
	       "either is read through the other.", (unsigned long long)ua,
	       (unsigned long long)(kaddr + off), (unsigned long long)pfn);
	return 0;
}

const struct ex_type ex_type_alias = {
	.name = "kmap_alias",
	.title = "Two virtual addresses, one frame: a user page and its kmap",
	.misconception = "a virtual address is a place in memory",
	.fields = {
		{ "pfn", EX_FMT_PFN, NULL, 1,
		  "the frame behind the process's page" },
		{ "kaddr", EX_FMT_ADDRESS, NULL, 1,
		  "the kernel address kmap gives the page" },
		{ "lowmem", EX_FMT_YESNO, NULL, 1,
		  "has the frame a linear-map address (yes/no)" },
		{ "same_data", EX_FMT_YESNO, NULL, 1,
		  "does the process read the kernel's write (yes/no)" },
	},
	.make = make,
};

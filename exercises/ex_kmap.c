/*
 * ex_kmap.c - reaching a frame the kernel has no permanent address for:
 * which window (the pkmap area of kmap, a CPU's kmap_local fixmap
 * slots, or none because the frame is lowmem) and which virtual address.
 *
 * The misconception: "a HighMem page cannot be reached by the kernel" and
 * its cousin "kmap always maps".  The setup takes pkmap slots and nests
 * kmap_local mappings first, so the slot and the address depend on what
 * ran before; on some draws the target frame is lowmem (GFP_KERNEL, or
 * a machine without HighMem) and kmap just returns its linear address.
 */
#include "ex_impl.h"

#include <stdio.h>


static const uint64_t rams[] = { 2 * GiB, 3 * GiB, 4 * GiB, 8 * GiB };
static const char *const windows[] = { "linear", "pkmap", "fixmap", NULL };

static int take_page(struct ex_ctx *c, const char *gfp, uint64_t *pfn)
{
	const json_t *r;

	if (ex_setup(c, "alloc_pages", json_pack("{s:i, s:s}", "order", 0,
						 "gfp", gfp), &r) ||
	    !json_is_true(json_object_get(r, "ok")))
		return EX_REDRAW;
	*pfn = ex_num(r, "pfn");
	return 0;
}

/* Earlier users: kmaps holding pkmap slots, kmap_locals nested on cpu. */
static int earlier(struct ex_ctx *c, unsigned kmaps, unsigned locals,
		   unsigned cpu)
{
	uint64_t pfn;

	for (unsigned i = 0; i < kmaps + locals; i++) {
		if (take_page(c, "GFP_HIGHUSER", &pfn))
			return EX_REDRAW;
		if (i < kmaps ? ex_setup(c, "kmap", json_pack("{s:o}", "pfn",
							api_hex(pfn)), NULL)
			      : ex_setup(c, "kmap_local_page", json_pack(
					"{s:o, s:i}", "pfn", api_hex(pfn),
					"cpu", (int)cpu), NULL))
			return EX_REDRAW;
	}
	return 0;
}

static int which_window(const json_t *layout, uint64_t a)
{
	uint64_t pk = ex_num(layout, "PKMAP_BASE");

	if (a >= ex_num(layout, "PAGE_OFFSET") &&
	    a < ex_num(layout, "high_memory"))
		return 0;
	if (a >= pk && a < pk + ex_num(layout, "LAST_PKMAP") * 4096)
		return 1;
	if (a >= ex_num(layout, "FIXADDR_START") &&
	    a <= ex_num(layout, "FIXADDR_TOP"))
		return 2;
	return -1;
}

static void vaddr_key(struct ex_ctx *c, int win, bool local, unsigned kmaps,
		      uint64_t pfn, const json_t *layout, const json_t *r)
{
	uint64_t a = ex_num(r, "addr");

	if (win == 0)
		ex_key(c, "vaddr", json_integer((json_int_t)a),
		       "pfn 0x%llx is lowmem, so %s returns its linear-map "
		       "address: PAGE_OFFSET 0x%08llx + 0x%llx = 0x%08llx.",
		       (unsigned long long)pfn, local ? "kmap_local_page" : "kmap",
		       (unsigned long long)ex_num(layout, "PAGE_OFFSET"),
		       (unsigned long long)(pfn << 12), (unsigned long long)a);
	else if (win == 1)
		ex_key(c, "vaddr", json_integer((json_int_t)a),
		       "kmap hands out pkmap slots in turn from slot 1, and "
		       "the %u earlier kmaps still hold theirs, so this is "
		       "slot %llu: PKMAP_BASE 0x%08llx + %llu * 4096 = "
		       "0x%08llx.", kmaps,
		       (unsigned long long)ex_num(r, "slot"),
		       (unsigned long long)ex_num(layout, "PKMAP_BASE"),
		       (unsigned long long)ex_num(r, "slot"),
		       (unsigned long long)a);
	else
		ex_key(c, "vaddr", json_integer((json_int_t)a),
		       "kmap_local_page pushes onto CPU %llu's own stack of "
		       "slots: at depth %llu it takes slot %llu, fixmap index "
		       "%llu, and fixmap addresses count down from FIXADDR_TOP: "
		       "0x%08llx - %llu * 4096 = 0x%08llx.",
		       (unsigned long long)ex_num(r, "cpu"),
		       (unsigned long long)ex_num(r, "depth"),
		       (unsigned long long)ex_num(r, "idx"),
		       (unsigned long long)ex_num(r, "fixmap_index"),
		       (unsigned long long)ex_num(layout, "FIXADDR_TOP"),
		       (unsigned long long)ex_num(r, "fixmap_index"),
		       (unsigned long long)a);
}

static const char *const window_why[] = {
	"The frame is lowmem: it is always in the linear map, so no window "
	"is needed and kmap just hands back that address.",
	"kmap() of a HighMem frame maps it in the pkmap window (PKMAP_BASE, "
	"LAST_PKMAP slots shared by all CPUs), a mapping that may sleep and "
	"lasts until kunmap.",
	"kmap_local_page() of a HighMem frame uses the calling CPU's own "
	"fixmap slots: short-lived, nested like a stack, no shared lock.",
};

static int make(struct ex_ctx *c)
{
	uint64_t ram = ex_draw_ram(c, rams, sizeof(rams) / sizeof(rams[0]));
	bool pae = ex_draw_pae(c, ram);
	const char *split = ex_rand(c) % 4 ? "3G" : "2G";
	unsigned cpus = (unsigned)ex_range(c, 1, 4);
	unsigned cpu = (unsigned)ex_range(c, 0, cpus - 1);
	unsigned kmaps = (unsigned)ex_range(c, 0, 3);
	unsigned locals = (unsigned)ex_range(c, 0, 2);
	bool local = ex_rand(c) % 2;
	const char *gfp = ex_rand(c) % 5 ? "GFP_HIGHUSER" : "GFP_KERNEL";
	const json_t *layout, *r;
	json_t *cfg = ex_config(ram, pae, split, NULL);
	char words[160], call[64];
	uint64_t pfn;
	int win;

	json_object_set_new(cfg, "cpus", json_integer(cpus));
	if (ex_boot(c, cfg) || earlier(c, kmaps, locals, cpu) ||
	    take_page(c, gfp, &pfn) ||
	    ex_reveal_report(c, "layout", &layout))
		return EX_REDRAW;
	if (local ? ex_reveal(c, "kmap_local_page", json_pack("{s:o, s:i}",
				"pfn", api_hex(pfn), "cpu", (int)cpu), &r)
		  : ex_reveal(c, "kmap", json_pack("{s:o}", "pfn",
						   api_hex(pfn)), &r))
		return EX_REDRAW;
	win = which_window(layout, ex_num(r, "addr"));
	if (win < 0)
		return EX_REDRAW;
	if (local)
		snprintf(call, sizeof(call), "kmap_local_page() on CPU %u", cpu);
	else
		snprintf(call, sizeof(call), "kmap()");
	ex_machine_words(ram, pae, split, NULL, words, sizeof(words));
	ex_question(c, "On %s and %u CPU%s, %u page%s from "
		    "alloc_pages(GFP_HIGHUSER, 0) %s been kmapped and CPU %u holds %u kmap_local mapping%s. The kernel takes "
		    "a page with alloc_pages(%s, 0), pfn 0x%llx, and calls %s "
		    "on it. Through which window does it reach the frame "
		    "(window: linear, pkmap or fixmap), and at which virtual "
		    "address (vaddr)?", words, cpus, cpus > 1 ? "s" : "", kmaps,
		    kmaps == 1 ? "" : "s", kmaps == 1 ? "has" : "have", cpu,
		    locals, locals == 1 ? "" : "s", gfp,
		    (unsigned long long)pfn, call);
	ex_key(c, "window", json_string(windows[win]), "%s", window_why[win]);
	vaddr_key(c, win, local, kmaps, pfn, layout, r);
	return 0;
}

const struct ex_type ex_type_kmap = {
	.name = "kmap",
	.title = "Reaching a HighMem frame: pkmap or kmap_local",
	.misconception = "the kernel cannot reach a HighMem page, and kmap "
			 "always makes a new mapping",
	.fields = {
		{ "window", EX_FMT_ENUM, windows, 1,
		  "linear, pkmap or fixmap" },
		{ "vaddr", EX_FMT_ADDRESS, NULL, 1,
		  "the virtual address the kernel reaches the frame at" },
	},
	.make = make,
};

/*
 * ex_lowmem.c - how much lowmem this configuration has, how much
 * HighMem, and what sets the end of lowmem.
 *
 * The misconception: "lowmem is 896 MB".  896 MB is what is left of the
 * kernel's 1 GiB under VMSPLIT_3G after the default 128 MiB vmalloc
 * reserve; a 2G or 1G split, vmalloc=, or mem= move it, and on a small
 * machine all RAM is lowmem.  The key is the machine's max_low_pfn and
 * max_pfn; sizes are accepted within 1 MiB, since a student reading
 * /proc/meminfo or working from MAXMEM lands within a few pages.
 */
#include "ex_impl.h"

#include <stdio.h>

#define MiB (1ull << 20)

static const uint64_t rams[] = {
	512 * MiB, 768 * MiB, 1 * GiB, 1536 * MiB, 2 * GiB, 3 * GiB, 4 * GiB,
	6 * GiB, 8 * GiB, 16 * GiB,
};

static const char *const limits[] = { "ram", "address_space", NULL };

static void draw_cmdline(struct ex_ctx *c, uint64_t ram, char *buf, size_t len)
{
	switch (ex_rand(c) % 5) {
	case 0:
		snprintf(buf, len, "vmalloc=%lluM",
			 (unsigned long long)(32 << ex_range(c, 0, 4)));
		break;
	case 1:
		snprintf(buf, len, "mem=%lluM", (unsigned long long)
			 (ex_range(c, 256, ram / MiB - 1) & ~15ull));
		break;
	default:
		buf[0] = '\0';
	}
}

static int make(struct ex_ctx *c)
{
	uint64_t ram = ex_draw_ram(c, rams, sizeof(rams) / sizeof(rams[0]));
	bool pae = ex_draw_pae(c, ram);
	const char *split = ex_draw_vmsplit(c);
	uint64_t low, high, maxmem, po, reserve;
	char cmd[64], words[200], s_low[32], s_high[32], s_max[32], s_res[32];
	const json_t *layout;
	bool by_ram;

	draw_cmdline(c, ram, cmd, sizeof(cmd));
	if (ex_boot(c, ex_config(ram, pae, split, cmd)) ||
	    ex_reveal_report(c, "layout", &layout))
		return EX_REDRAW;
	low = ex_num(layout, "max_low_pfn") << 12;
	high = (ex_num(layout, "max_pfn") - ex_num(layout, "max_low_pfn")) << 12;
	maxmem = ex_num(layout, "MAXMEM");
	po = ex_num(layout, "PAGE_OFFSET");
	reserve = ex_num(layout, "__VMALLOC_RESERVE");
	by_ram = high == 0;
	ex_size_str(low, s_low, sizeof(s_low));
	ex_size_str(high, s_high, sizeof(s_high));
	ex_size_str(maxmem, s_max, sizeof(s_max));
	ex_size_str(reserve, s_res, sizeof(s_res));
	ex_machine_words(ram, pae, split, cmd, words, sizeof(words));
	ex_question(c, "On %s, how much of the RAM is lowmem (lowmem), how "
		    "much is HighMem (highmem), and what ends lowmem "
		    "(limited_by: ram if all the RAM the kernel uses fits in "
		    "its linear map, address_space if the kernel's virtual "
		    "space runs out first)? Sizes within 1 MiB are accepted.",
		    words);
	ex_key(c, "lowmem", json_integer((json_int_t)low),
	       "The linear map can hold at most MAXMEM = 4 GiB - PAGE_OFFSET "
	       "0x%08llx - the vmalloc reserve %s - the fixmap and pkmap at "
	       "the top = %s; %s, so lowmem is %s (max_low_pfn 0x%llx).",
	       (unsigned long long)po, s_res, s_max,
	       by_ram ? "the RAM the kernel uses is less than that"
		      : "the RAM is more than that",
	       s_low, (unsigned long long)(low >> 12));
	ex_tolerance(c, "lowmem", MiB);
	ex_key(c, "highmem", json_integer((json_int_t)high),
	       "HighMem is the RAM above lowmem's end, from pfn 0x%llx to "
	       "max_pfn 0x%llx: %s.", (unsigned long long)(low >> 12),
	       (unsigned long long)ex_num(layout, "max_pfn"),
	       by_ram ? "none here" : s_high);
	ex_tolerance(c, "highmem", MiB);
	ex_key(c, "limited_by", json_string(limits[by_ram ? 0 : 1]),
	       "%s", by_ram ? "All the RAM the kernel uses fits below MAXMEM, "
			      "so the RAM ends lowmem, not the 896 MB rule."
			    : "The RAM reaches past MAXMEM, so the kernel's "
			      "virtual space (split and vmalloc reserve) ends "
			      "lowmem.");
	return 0;
}

const struct ex_type ex_type_lowmem = {
	.name = "lowmem",
	.title = "Lowmem on this configuration, and why it is not 896 MB",
	.misconception = "lowmem is always 896 MB",
	.fields = {
		{ "lowmem", EX_FMT_SIZE, NULL, 1,
		  "the RAM in lowmem (896M, 0x38000000), within 1 MiB" },
		{ "highmem", EX_FMT_SIZE, NULL, 1,
		  "the RAM in HighMem, within 1 MiB" },
		{ "limited_by", EX_FMT_ENUM, limits, 1,
		  "ram or address_space" },
	},
	.make = make,
};

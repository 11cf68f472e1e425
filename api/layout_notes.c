/*
 * layout_notes.c - the configuration explained in its own numbers: how
 * much of the firmware's RAM this kernel can reach and why, and how that
 * RAM splits into lowmem and HighMem.  The layout report carries it (so
 * the machine's answer, which embeds the layout, does too).
 *
 * The case students meet first: "ram": "4G" on QEMU's pc machine is 3 GiB
 * below the 32-bit PCI hole (0xc0000000-0xffffffff stays for devices) and
 * 1 GiB from 0x100000000.  A two-level (non-PAE) kernel's PTEs hold 32-bit
 * frame addresses, MAX_ARCH_PFN is 4 GiB, and e820__end_of_ram_pfn() stops
 * there: that 1 GiB is out of reach.  PAE's 64-bit PTEs hold 36-bit
 * addresses, so the 686-pae kernel uses it as HighMem.
 */
#include "api.h"
#include "api_util.h"

#include "e820.h"

struct ram_figures {
	uint64_t usable;	/* usable bytes in the firmware's e820 */
	uint64_t above_4g;	/* of those, at or above 4 GiB */
	uint64_t unreachable;	/* at or above max_pfn: never used */
};

static void ram_figures(const struct machine *m, struct ram_figures *f)
{
	uint64_t end_used = PFN_PHYS(m->layout.max_pfn);

	*f = (struct ram_figures){ 0 };
	/* the firmware's map: mem= and memmap= trim the kernel's copy, and
	 * what they took is part of the story */
	for (uint32_t i = 0; i < m->e820_firmware.nr_entries; i++) {
		const struct e820_entry *e = &m->e820_firmware.entries[i];
		uint64_t end = e->addr + e->size;

		if (e->type != E820_TYPE_RAM)
			continue;
		f->usable += e->size;
		if (end > SZ_4G)
			f->above_4g += end - MAX(e->addr, SZ_4G);
		if (end > end_used)
			f->unreachable += end - MAX(e->addr, end_used);
	}
}

/* Usable firmware RAM in [lo, hi). */
static uint64_t usable_in(const struct machine *m, uint64_t lo, uint64_t hi)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < m->e820_firmware.nr_entries; i++) {
		const struct e820_entry *e = &m->e820_firmware.entries[i];
		uint64_t s = MAX(e->addr, lo), end = MIN(e->addr + e->size, hi);

		if (e->type == E820_TYPE_RAM && s < end)
			sum += end - s;
	}
	return sum;
}

static unsigned mib(uint64_t bytes)
{
	return (unsigned)(bytes >> 20);
}

static void reach_note(const struct machine *m, const struct ram_figures *f,
		       struct strbuf *sb)
{
	const struct layout *l = &m->layout;

	if (!f->unreachable) {
		if (l->pae && f->above_4g)
			sb_printf(sb, "%u MiB of the RAM lies above 4 GiB, where "
				  "QEMU puts what would overlap the 32-bit PCI "
				  "hole (0xc0000000-0xffffffff): this 686-pae "
				  "kernel's 64-bit page-table entries hold 36-bit "
				  "physical addresses (MAX_ARCH_PFN 0x%x), so it "
				  "uses that RAM too, as HighMem; a two-level "
				  "kernel would stop at 4 GiB.", mib(f->above_4g),
				  l->max_arch_pfn);
		return;
	}
	if (!l->pae && f->above_4g) {
		sb_printf(sb, "The firmware map has %u MiB of usable RAM, %u MiB "
			  "of it above 4 GiB: QEMU leaves 0xc0000000-0xffffffff "
			  "(the 32-bit PCI hole) to devices and puts the RAM "
			  "that would fall there above 4 GiB. This two-level "
			  "(non-PAE) kernel's page tables hold 32-bit physical "
			  "addresses (MAX_ARCH_PFN 0x%x), so it cannot reach "
			  "RAM above 4 GiB and uses %u MiB (max_pfn 0x%x). With "
			  "\"pae\": true the 686-pae kernel's 64-bit entries "
			  "reach 36-bit addresses (64 GiB, MAX_ARCH_PFN "
			  "0x1000000) and use all of it, the part above 4 GiB "
			  "as HighMem.", mib(f->usable), mib(f->above_4g),
			  l->max_arch_pfn, mib(f->usable - f->unreachable),
			  l->max_pfn);
		return;
	}
	sb_printf(sb, "The firmware map has %u MiB of usable RAM; %u MiB of it "
		  "lies at or above max_pfn 0x%x (mem=, memmap= or highmem= on "
		  "the command line, or MAX_ARCH_PFN 0x%x) and is never used.",
		  mib(f->usable), mib(f->unreachable), l->max_pfn,
		  l->max_arch_pfn);
}

static void split_note(const struct machine *m, struct strbuf *sb)
{
	const struct layout *l = &m->layout;
	uint64_t low = PFN_PHYS(l->max_low_pfn);
	uint64_t high = usable_in(m, PFN_PHYS(l->highstart_pfn),
				  PFN_PHYS(l->max_pfn));

	sb_printf(sb, "Lowmem is physical 0 to 0x%llx (%u MiB, max_low_pfn "
		  "0x%x), mapped for good at PAGE_OFFSET 0x%08x up to "
		  "high_memory 0x%08x; MAXMEM (%u MiB) is what the kernel's "
		  "%u MiB above PAGE_OFFSET leave after the %u MiB vmalloc "
		  "reserve and the pkmap/fixmap at the top.",
		  (unsigned long long)low, mib(low), l->max_low_pfn,
		  l->page_offset, l->high_memory, mib(l->maxmem),
		  mib(SZ_4G - l->page_offset), mib(l->vmalloc_reserve));
	if (l->max_pfn > l->max_low_pfn)
		sb_printf(sb, " The %u MiB of RAM above it, to max_pfn 0x%x, "
			  "are HighMem: they have no kernel address until kmap() "
			  "or kmap_local_page() maps a page.", mib(high),
			  l->max_pfn);
	else
		sb_puts(sb, " All RAM fits in lowmem: there is no HighMem.");
}

json_t *api_layout_notes(const struct machine *m, json_t **ram)
{
	struct ram_figures f;
	struct strbuf sb = STRBUF_INIT;
	json_t *notes = json_array();

	ram_figures(m, &f);
	reach_note(m, &f, &sb);
	if (sb.len)
		json_array_append_new(notes, json_string(sb.buf));
	sb_free(&sb);
	split_note(m, &sb);
	json_array_append_new(notes, json_string(sb.buf));
	sb_free(&sb);
	*ram = json_pack("{s:I, s:I, s:I, s:I}",
			 "usable", (json_int_t)f.usable,
			 "above_4g", (json_int_t)f.above_4g,
			 "used", (json_int_t)(f.usable - f.unreachable),
			 "unreachable", (json_int_t)f.unreachable);
	return notes;
}

/*
 * e820_late.c - what setup_arch() and the PCI initcall make of the final
 * e820 table (arch/x86/kernel/e820.c): the hibernation nosave ranges, the
 * gap below 4 GiB that PCI may assign, and the "RAM buffer" reservations
 * that round each RAM range's end up.
 *
 * The "RAM buffer" ranges also go into /proc/iomem on a booted machine
 * (iomem.c), in whatever part of them no other resource holds.  Left
 * out: the nosave list's memblock_alloc()s (16 bytes each inside pages
 * memblock already holds, so no figure moves) and pci_mem_start (no PCI
 * devices get addresses).
 */
#include "setup.h"

#define MAX_GAP_END	SZ_4G

/* register_nosave_region(): one line per range it is given. */
static void register_nosave(struct machine *m, pfn_t start, pfn_t end)
{
	if (start >= end)
		return;
	sb_printf(&m->log, "PM: hibernation: Registered nosave memory: "
		  "[mem 0x%08llx-0x%08llx]\n",
		  (unsigned long long)PFN_PHYS(start),
		  (unsigned long long)PFN_PHYS(end) - 1);
}

/* e820__register_nosave_regions(max_pfn), as 6.1's stable series has it:
 * the holes between RAM ranges, whole pages around them, then whatever
 * lies between the last RAM and max_pfn. */
static void register_nosave_regions(struct machine *m, pfn_t limit)
{
	uint64_t last = 0;

	for (uint32_t i = 0; i < m->e820.nr_entries; i++) {
		const struct e820_entry *e = &m->e820.entries[i];

		if (e->type != E820_TYPE_RAM)
			continue;
		if (last < e->addr)
			register_nosave(m, PFN_DOWN(last), PFN_UP(e->addr));
		last = e->addr + e->size;
	}
	register_nosave(m, PFN_DOWN(last), limit);
}

/* e820__setup_pci_gap(): the largest hole below 4 GiB of at least 4 MiB,
 * searched from the top (the first of equal holes wins); none: 256 MiB. */
static void setup_pci_gap(struct machine *m)
{
	uint64_t last = MAX_GAP_END, gapstart = 0x10000000, gapsize = 0x400000;

	for (uint32_t i = m->e820.nr_entries; i-- > 0;) {
		uint64_t start = m->e820.entries[i].addr;
		uint64_t end = start + m->e820.entries[i].size;

		if (last > end && last - end >= gapsize) {
			gapsize = last - end;
			gapstart = end;
		}
		if (start < last)
			last = start;
	}
	sb_printf(&m->log, "[mem 0x%08llx-0x%08llx] available for PCI devices\n",
		  (unsigned long long)gapstart,
		  (unsigned long long)(gapstart + gapsize - 1));
}

void e820_reserve_resources(struct machine *m)
{
	register_nosave_regions(m, m->layout.max_pfn);
	setup_pci_gap(m);
}

/* ram_alignment(): 64 KiB in the first MiB, 1 MiB below 16 MiB, else
 * 64 MiB. */
static uint64_t ram_alignment(uint64_t pos)
{
	uint64_t mb = pos >> 20;

	if (!mb)
		return SZ_64K;
	if (mb < 16)
		return SZ_1M;
	return 64 * SZ_1M;
}

bool e820_ram_buffer(const struct machine *m, uint32_t i, uint64_t *start,
		     uint64_t *end)
{
	/* resource_size_t is 32 bits without PAE */
	uint64_t max_resource = m->config.pae ? UINT64_MAX : 0xffffffffull;
	const struct e820_entry *e = &m->e820.entries[i];

	if (e->type != E820_TYPE_RAM)
		return false;
	*start = e->addr + e->size;
	*end = ALIGN_UP(*start, ram_alignment(*start)) - 1;
	if (*end > max_resource)
		*end = max_resource;
	return *start < *end;
}

void e820_reserve_resources_late(struct machine *m)
{
	for (uint32_t i = 0; i < m->e820.nr_entries; i++) {
		uint64_t start, end;

		if (e820_ram_buffer(m, i, &start, &end))
			sb_printf(&m->log, "e820: reserve RAM buffer [mem "
				  "0x%08llx-0x%08llx]\n",
				  (unsigned long long)start,
				  (unsigned long long)end);
	}
}

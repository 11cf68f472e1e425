/*
 * iomem.c - /proc/iomem: the e820 map as the kernel's resource tree, the
 * kernel image inside System RAM, and the devices QEMU's pc machine
 * brings (PCI windows, legacy video, IO-APIC, HPET, local APIC), and on
 * a booted machine the "RAM buffer" reservations past the ends of RAM.
 */
#include "procfs.h"
#include "setup.h"

#include <stdlib.h>
#include <string.h>

struct res {
	uint64_t start, end;	/* inclusive */
	const char *name;
	int parent;		/* index of the enclosing resource, or -1 */
};

struct res_list {
	/* the e820 entries, a RAM buffer or two after each, the devices */
	struct res r[3 * E820_MAX_ENTRIES + 32];
	int n;
};

static int add(struct res_list *l, uint64_t start, uint64_t end,
	       const char *name)
{
	l->r[l->n] = (struct res){ start, end, name, -1 };
	return l->n++;
}

/* Nest a child under the top-level resource that holds it. */
static void add_child(struct res_list *l, uint64_t start, uint64_t end,
		      const char *name)
{
	int top = -1;

	for (int i = 0; i < l->n; i++)
		if (l->r[i].parent < 0 && l->r[i].start <= start &&
		    l->r[i].end >= end)
			top = i;
	if (top < 0)
		return;
	l->r[add(l, start, end, name)].parent = top;
}

/* Where QEMU's PCI hole starts: the end of low RAM (below 4 GiB). */
static uint64_t pci_hole_start(const struct machine *m)
{
	uint64_t top = 0;

	for (uint32_t i = 0; i < m->e820_firmware.nr_entries; i++) {
		const struct e820_entry *e = &m->e820_firmware.entries[i];
		uint64_t end = e->addr + e->size;

		if (e->addr < 0xfec00000ull && end <= 0xfec00000ull)
			top = MAX(top, end);
	}
	return ALIGN_UP(top, SZ_1M);
}

/* QEMU's 64-bit PCI window: 2 GiB from the first GiB boundary at or above
 * the end of RAM above 4 GiB.  Only a PAE kernel can address it. */
static uint64_t pci_hole64_start(const struct machine *m)
{
	uint64_t top = SZ_4G;

	for (uint32_t i = 0; i < m->e820_firmware.nr_entries; i++) {
		const struct e820_entry *e = &m->e820_firmware.entries[i];

		if (e->addr >= SZ_4G)
			top = MAX(top, e->addr + e->size);
	}
	return ALIGN_UP(top, SZ_1G);
}

static const char *iomem_name(uint32_t type)
{
	switch (type) {
	case E820_TYPE_RAM: return "System RAM";
	case E820_TYPE_ACPI: return "ACPI Tables";
	case E820_TYPE_NVS: return "ACPI Non-volatile Storage";
	case E820_TYPE_UNUSABLE: return "Unusable memory";
	case E820_TYPE_PRAM: return "Persistent Memory (legacy)";
	default: return "Reserved";
	}
}

/*
 * reserve_region_with_split(): the parts of [start, end] no top-level
 * resource holds become resources of their own.  The kernel inserts them
 * at subsys_initcall time, after the e820, ROM and PCI window resources;
 * the APIC and HPET ones come later but sit far from any RAM's end.
 */
static void add_split(struct res_list *l, uint64_t start, uint64_t end,
		      const char *name)
{
	int top = l->n;

	while (start <= end && l->n < (int)ARRAY_SIZE(l->r)) {
		uint64_t gap_end = end;
		bool covered = false;

		for (int i = 0; i < top; i++) {
			const struct res *r = &l->r[i];

			if (r->start <= start && r->end >= start) {
				covered = true;
				if (r->end >= end)
					return;
				start = r->end + 1;
				break;
			}
			if (r->start > start && r->start - 1 < gap_end)
				gap_end = r->start - 1;
		}
		if (covered)
			continue;
		add(l, start, gap_end, name);
		if (gap_end == end)
			return;
		start = gap_end + 1;
	}
}

static int res_cmp(const void *a, const void *b)
{
	const struct res *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end > y->end ? -1 : x->end < y->end;
}

static void build(const struct machine *m, struct res_list *l)
{
	const struct kernel_image *k = m->image;
	uint64_t limit = m->config.pae ? PHYS_LIMIT : SZ_4G;
	uint64_t hole = pci_hole_start(m);

	for (uint32_t i = 0; i < m->e820.nr_entries; i++) {
		const struct e820_entry *e = &m->e820.entries[i];

		if (e->addr + e->size <= limit)
			add(l, e->addr, e->addr + e->size - 1,
			    iomem_name(e->type));
	}
	add(l, 0xa0000, 0xbffff, "PCI Bus 0000:00");
	add(l, 0xc0000, 0xc05ff, "Video ROM");
	if (hole < 0xfec00000ull)
		add(l, hole, 0xfebfffffull, "PCI Bus 0000:00");
	add(l, 0xfec00000ull, 0xfec003ffull, "IOAPIC 0");
	add(l, 0xfed00000ull, 0xfed003ffull, "HPET 0");
	add(l, 0xfee00000ull, 0xfee00fffull, "Local APIC");
	if (m->config.pae) {
		uint64_t s = pci_hole64_start(m);

		if (s + (2ull << 30) <= PHYS_LIMIT)
			add(l, s, s + (2ull << 30) - 1, "PCI Bus 0000:00");
	}
	for (uint32_t i = 0; m->config.boot == BOOT_BOOTED &&
	     i < m->e820.nr_entries; i++) {
		uint64_t s, e;

		if (e820_ram_buffer(m, i, &s, &e) && e < limit)
			add_split(l, s, e, "RAM buffer");
	}
	add_child(l, 0xa0000, 0xbffff, "Video RAM area");
	add_child(l, 0xf0000, 0xfffff, "System ROM");
	add_child(l, k->text, k->etext - 1, "Kernel code");
	add_child(l, k->start_rodata, k->end_rodata - 1, "Kernel rodata");
	add_child(l, k->sdata, k->edata - 1, "Kernel data");
	add_child(l, k->bss_start, k->bss_stop - 1, "Kernel bss");
	add_child(l, 0xfed00000ull, 0xfed003ffull, "PNP0103:00");
}

static void print_level(const struct res_list *l, int parent, int depth,
			struct strbuf *out)
{
	for (int i = 0; i < l->n; i++) {
		const struct res *r = &l->r[i];
		const int width = 8;	/* longer addresses just run on */

		if (r->parent != parent)
			continue;
		sb_printf(out, "%*s%0*llx-%0*llx : %s\n", depth * 2, "",
			  width, (unsigned long long)r->start, width,
			  (unsigned long long)r->end, r->name);
		print_level(l, i, depth + 1, out);
	}
}

void proc_iomem(const struct machine *m, struct strbuf *out)
{
	struct res_list *l = xcalloc(1, sizeof(*l));
	int top;

	build(m, l);
	/* sort the top level; children keep pointing at their parents */
	for (top = 0; top < l->n && l->r[top].parent < 0; top++)
		;
	qsort(l->r, (size_t)top, sizeof(l->r[0]), res_cmp);
	for (int i = top; i < l->n; i++) {
		/* re-find each child's parent after the sort */
		for (int p = 0; p < top; p++)
			if (l->r[p].start <= l->r[i].start &&
			    l->r[p].end >= l->r[i].end)
				l->r[i].parent = p;
	}
	qsort(l->r + top, (size_t)(l->n - top), sizeof(l->r[0]), res_cmp);
	print_level(l, -1, 0, out);
	free(l);
}

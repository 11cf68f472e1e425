/*
 * e820.c - the firmware's physical memory map, as x86 Linux reads and
 * edits it: QEMU's default map, range add/update/remove, and the
 * sanitiser that turns overlapping entries into a sorted, disjoint map.
 */
#include "e820.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * QEMU 7.2 "pc" (i440FX) puts at most 3 GiB of RAM below 4 GiB once the
 * guest has 3.5 GiB or more (gigabyte alignment), the rest from 4 GiB up.
 * SeaBIOS reports the EBDA at 639 KiB, the BIOS ROM below 1 MiB, 128 KiB
 * of ACPI tables at the top of low RAM (typed "reserved") and its flash
 * image below 4 GiB.
 */
void e820_qemu_default(struct e820_table *t, uint64_t ram)
{
	uint64_t below = ram >= 0xe0000000ull ? 0xc0000000ull : ram;
	uint64_t above = ram - below;

	t->nr_entries = 0;
	e820_range_add(t, 0, 0x9fc00, E820_TYPE_RAM);
	e820_range_add(t, 0x9fc00, 0x400, E820_TYPE_RESERVED);
	e820_range_add(t, 0xf0000, 0x10000, E820_TYPE_RESERVED);
	e820_range_add(t, SZ_1M, below - 0x20000 - SZ_1M, E820_TYPE_RAM);
	e820_range_add(t, below - 0x20000, 0x20000, E820_TYPE_RESERVED);
	e820_range_add(t, 0xfffc0000ull, 0x40000, E820_TYPE_RESERVED);
	if (above)
		e820_range_add(t, SZ_4G, above, E820_TYPE_RAM);
}

static const struct {
	uint32_t type;
	const char *name;
} e820_names[] = {
	{ E820_TYPE_RAM, "usable" },
	{ E820_TYPE_RESERVED, "reserved" },
	{ E820_TYPE_ACPI, "ACPI data" },
	{ E820_TYPE_NVS, "ACPI NVS" },
	{ E820_TYPE_UNUSABLE, "unusable" },
};

const char *e820_type_name(uint32_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(e820_names); i++)
		if (e820_names[i].type == type)
			return e820_names[i].name;
	return NULL;
}

int e820_type_parse(const char *s, uint32_t *type)
{
	static const struct { const char *word; uint32_t type; } words[] = {
		{ "usable", E820_TYPE_RAM }, { "ram", E820_TYPE_RAM },
		{ "reserved", E820_TYPE_RESERVED },
		{ "acpi", E820_TYPE_ACPI }, { "ACPI data", E820_TYPE_ACPI },
		{ "nvs", E820_TYPE_NVS }, { "ACPI NVS", E820_TYPE_NVS },
		{ "unusable", E820_TYPE_UNUSABLE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (!strcasecmp(s, words[i].word)) {
			*type = words[i].type;
			return 0;
		}
	}
	return -1;
}

/* The kernel's e820_print_type(): persistent memory gets its number. */
static void e820_log_type(struct strbuf *log, uint32_t type)
{
	const char *name = e820_type_name(type);

	if (name)
		sb_puts(log, name);
	else if (type == E820_TYPE_PMEM || type == E820_TYPE_PRAM)
		sb_printf(log, "persistent (type %u)", type);
	else
		sb_printf(log, "type %u", type);
}

void e820_range_add(struct e820_table *t, uint64_t start, uint64_t size,
		    uint32_t type)
{
	/* The kernel drops entries past the table's end with an error; the
	 * config validator keeps user maps far below that. */
	if (t->nr_entries >= E820_MAX_ENTRIES)
		return;
	t->entries[t->nr_entries].addr = start;
	t->entries[t->nr_entries].size = size;
	t->entries[t->nr_entries].type = type;
	t->nr_entries++;
}

static uint64_t clip_size(uint64_t start, uint64_t size)
{
	return size > UINT64_MAX - start ? UINT64_MAX - start : size;
}

/*
 * The loop __e820__range_update() and e820__range_remove() share: every
 * entry of old_type (any type if !check_type) that meets [start, end)
 * gives up the overlap, which becomes new_type, or vanishes when
 * new_type is 0.  Returns the bytes changed.
 */
static uint64_t e820_range_modify(struct e820_table *t, uint64_t start,
				  uint64_t end, uint32_t old_type,
				  bool check_type, uint32_t new_type)
{
	uint32_t n = t->nr_entries;
	uint64_t done = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct e820_entry *e = &t->entries[i];
		uint64_t e_end = e->addr + e->size, lo, hi;

		if (check_type && e->type != old_type)
			continue;
		if (e->addr >= start && e_end <= end) {	/* all of it */
			done += e->size;
			if (new_type)
				e->type = new_type;
			else
				memset(e, 0, sizeof(*e));	/* sanitiser drops it */
			continue;
		}
		if (e->addr < start && e_end > end) {	/* a middle slice */
			if (new_type)
				e820_range_add(t, start, end - start, new_type);
			e820_range_add(t, end, e_end - end, e->type);
			e->size = start - e->addr;
			done += end - start;
			continue;
		}
		lo = MAX(start, e->addr);
		hi = MIN(end, e_end);
		if (lo >= hi)
			continue;
		if (new_type)
			e820_range_add(t, lo, hi - lo, new_type);
		done += hi - lo;
		e->size -= hi - lo;		/* head or tail survives */
		if (e->addr >= lo)
			e->addr = hi;
	}
	return done;
}

uint64_t e820_range_update(struct e820_table *t, uint64_t start,
			   uint64_t size, uint32_t old_type, uint32_t new_type,
			   struct strbuf *log)
{
	uint64_t end;

	size = clip_size(start, size);
	end = start + size;
	sb_printf(log, "e820: update [mem 0x%08llx-0x%08llx] ",
		  (unsigned long long)start, (unsigned long long)(end - 1));
	e820_log_type(log, old_type);
	sb_puts(log, " ==> ");
	e820_log_type(log, new_type);
	sb_puts(log, "\n");
	return e820_range_modify(t, start, end, old_type, true, new_type);
}

uint64_t e820_range_remove(struct e820_table *t, uint64_t start,
			   uint64_t size, uint32_t old_type, bool check_type,
			   struct strbuf *log)
{
	uint64_t end;

	size = clip_size(start, size);
	end = start + size;
	sb_printf(log, "e820: remove [mem 0x%08llx-0x%08llx] ",
		  (unsigned long long)start, (unsigned long long)(end - 1));
	if (check_type)
		e820_log_type(log, old_type);
	sb_puts(log, "\n");
	return e820_range_modify(t, start, end, old_type, check_type, 0);
}

/*
 * The sanitiser walks the start and end points of every entry in address
 * order and, between two points, keeps the largest type of the entries
 * that overlap there: a reserved range laid over RAM wins, as in the
 * kernel.  Neighbours of one type come out as one entry.
 */
struct change_point {
	uint64_t addr;
	uint32_t entry;
	bool is_end;
};

static int cpcompare(const void *a, const void *b)
{
	const struct change_point *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* at one address, starts sort before ends, so that neighbours of
	 * one type overlap for an instant and merge */
	return (int)x->is_end - (int)y->is_end;
}

void e820_update_table(struct e820_table *t)
{
	struct change_point cp[2 * E820_MAX_ENTRIES];
	uint32_t overlap[E820_MAX_ENTRIES], nr_overlap = 0, ncp = 0;
	struct e820_table out = { 0 };
	uint32_t last_type = 0;
	uint64_t last_addr = 0;

	for (uint32_t i = 0; i < t->nr_entries; i++) {
		if (!t->entries[i].size)
			continue;
		cp[ncp++] = (struct change_point){ t->entries[i].addr, i, false };
		cp[ncp++] = (struct change_point){
			t->entries[i].addr + t->entries[i].size, i, true };
	}
	qsort(cp, ncp, sizeof(cp[0]), cpcompare);

	for (uint32_t c = 0; c < ncp; c++) {
		uint32_t cur = 0;

		if (cp[c].is_end) {
			for (uint32_t k = 0; k < nr_overlap; k++)
				if (overlap[k] == cp[c].entry)
					overlap[k] = overlap[--nr_overlap];
		} else {
			overlap[nr_overlap++] = cp[c].entry;
		}
		for (uint32_t k = 0; k < nr_overlap; k++)
			cur = MAX(cur, t->entries[overlap[k]].type);
		if (cur == last_type)
			continue;
		if (last_type && cp[c].addr > last_addr)
			e820_range_add(&out, last_addr, cp[c].addr - last_addr,
				       last_type);
		last_type = cur;
		last_addr = cp[c].addr;
	}
	*t = out;
}

void e820_print_table(const struct e820_table *t, const char *who,
		      struct strbuf *log)
{
	for (uint32_t i = 0; i < t->nr_entries; i++) {
		const struct e820_entry *e = &t->entries[i];

		sb_printf(log, "%s: [mem 0x%016llx-0x%016llx] ", who,
			  (unsigned long long)e->addr,
			  (unsigned long long)(e->addr + e->size - 1));
		e820_log_type(log, e->type);
		sb_puts(log, "\n");
	}
}

pfn_t e820_end_pfn(const struct e820_table *t, pfn_t limit)
{
	uint64_t last = 0;

	for (uint32_t i = 0; i < t->nr_entries; i++) {
		const struct e820_entry *e = &t->entries[i];
		uint64_t s = e->addr >> PAGE_SHIFT;
		uint64_t end = (e->addr + e->size) >> PAGE_SHIFT;

		if (e->type != E820_TYPE_RAM)
			continue;
		if (s >= limit)
			continue;
		if (end > limit) {
			last = limit;
			break;
		}
		last = MAX(last, end);
	}
	return (pfn_t)last;
}

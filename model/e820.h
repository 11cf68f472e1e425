/*
 * e820.h - the BIOS memory map and the kernel's edits to it
 * (arch/x86/kernel/e820.c).
 */
#ifndef MM_E820_H
#define MM_E820_H

#include "strbuf.h"
#include "types.h"

enum e820_type {
	E820_TYPE_RAM = 1,
	E820_TYPE_RESERVED = 2,
	E820_TYPE_ACPI = 3,
	E820_TYPE_NVS = 4,
	E820_TYPE_UNUSABLE = 5,
	E820_TYPE_PMEM = 7,
	E820_TYPE_PRAM = 12,
};

/* The kernel's table holds 128 entries (+3 per NUMA node). */
#define E820_MAX_ENTRIES 128

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct e820_table {
	uint32_t nr_entries;
	struct e820_entry entries[E820_MAX_ENTRIES];
};

/* The map QEMU's "pc" machine with SeaBIOS reports for ram bytes. */
void e820_qemu_default(struct e820_table *t, uint64_t ram);

const char *e820_type_name(uint32_t type);	/* "usable", "ACPI data"... */
/* Parse "usable", "reserved", "ACPI", "ACPI data", "NVS", "unusable"... */
int e820_type_parse(const char *s, uint32_t *type);

void e820_range_add(struct e820_table *t, uint64_t start, uint64_t size,
		    uint32_t type);
uint64_t e820_range_update(struct e820_table *t, uint64_t start,
			   uint64_t size, uint32_t old_type, uint32_t new_type,
			   struct strbuf *log);
uint64_t e820_range_remove(struct e820_table *t, uint64_t start,
			   uint64_t size, uint32_t old_type, bool check_type,
			   struct strbuf *log);
/* Sort, resolve overlaps (the larger type number wins) and merge. */
void e820_update_table(struct e820_table *t);
void e820_print_table(const struct e820_table *t, const char *who,
		      struct strbuf *log);
/* Highest RAM pfn below limit (e820__end_of_ram_pfn without printing). */
pfn_t e820_end_pfn(const struct e820_table *t, pfn_t limit);

#endif

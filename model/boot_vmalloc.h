/*
 * boot_vmalloc.h - the vmalloc and ioremap areas a booted machine's
 * initcalls leave (boot_vmalloc.c has what each is and where its figures
 * come from).
 */
#ifndef MM_BOOT_VMALLOC_H
#define MM_BOOT_VMALLOC_H

#include "error.h"
#include "types.h"

struct machine;

/* Make them, in the kernel's order from VMALLOC_START. */
int boot_vmalloc_areas(struct machine *m, struct mm_error *err);
/* Where the firmware put the ACPI tables (0: no such range). */
phys_addr_t boot_acpi_tables_base(const struct machine *m);

#endif

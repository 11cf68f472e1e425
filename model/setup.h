/* setup.h - boot steps shared by setup.c and mm_init.c (internal). */
#ifndef MM_SETUP_H
#define MM_SETUP_H

#include "machine.h"

void setup_e820(struct machine *m);
int setup_layout(struct machine *m, struct mm_error *err);
int setup_memblock(struct machine *m, struct mm_error *err);
void setup_log_buf(struct machine *m);
void reserve_initrd(struct machine *m);
void early_reserve_initrd(struct machine *m);
void initmem_init(struct machine *m);
int free_area_init(struct machine *m, struct mm_error *err);
/* e820_late.c: setup_arch()'s nosave ranges and PCI gap; the RAM
 * buffers pcibios_init() reserves (booted machines) */
void e820_reserve_resources(struct machine *m);
void e820_reserve_resources_late(struct machine *m);
/* The RAM buffer after e820 entry i, if it is RAM and its end is not on
 * ram_alignment()'s boundary: [*start, *end]. */
bool e820_ram_buffer(const struct machine *m, uint32_t i, uint64_t *start,
		     uint64_t *end);
void setup_per_cpu_areas(struct machine *m);
void build_all_zonelists(struct machine *m);
void vfs_caches_init_early(struct machine *m);
/* mm_report.c: report_meminit() and pti_init()'s lines */
void report_meminit(struct machine *m);
void pti_init(struct machine *m);
void mem_init(struct machine *m);
/* swiotlb.c: the bounce buffer mem_init() sets up, and its initcall */
void pci_iommu_alloc(struct machine *m);
void pci_iommu_init(struct machine *m);
int late_initcalls(struct machine *m, struct mm_error *err);
/* initcalls.c: a booted machine's initcalls (nothing on a bare one) */
int do_initcalls(struct machine *m, struct mm_error *err);
int populate_rootfs(struct machine *m, struct mm_error *err);
/* init_32.c: the kernel's page tables, in three steps of the boot */
void kernel_pagetable_early(struct machine *m);	/* init_mem_mapping() */
void kernel_pagetable_pkmap(struct machine *m);	/* paging_init() */
void kernel_pagetable_cea(struct machine *m);
int kernel_pagetable_late(struct machine *m, struct mm_error *err);

#endif

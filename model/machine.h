/*
 * machine.h - one simulated PC: its configuration, what boot made of it,
 * and the state every operation changes.
 *
 * machine_boot() runs the memory half of a 6.1 i386 boot in the kernel's
 * order (setup_arch, free_area_init, mem_init, the initcalls that touch
 * memory) and records the kernel's boot messages as it goes.  Everything
 * is a pure function of the configuration: no clock, no randomness but
 * the seed, no I/O.
 */
#ifndef MM_MACHINE_H
#define MM_MACHINE_H

#include "config.h"
#include "e820.h"
#include "highmem.h"
#include "kimage.h"
#include "layout.h"
#include "memory.h"
#include "memblock.h"
#include "mm.h"
#include "mmzone.h"
#include "slab.h"
#include "strbuf.h"
#include "vmalloc.h"

struct machine {
	struct machine_config config;
	struct bootparams bp;
	const struct kernel_image *image;
	struct layout layout;
	struct e820_table e820_firmware;	/* as the BIOS reported it */
	struct e820_table e820;			/* after the kernel's edits */
	struct memblock memblock;		/* boot-time record */
	struct pglist_data pgdat;
	struct physmem mem;			/* contents of written pages */
	phys_addr_t swapper_pg_dir;		/* init_mm's CR3 */
	struct kmap_state kmap;			/* pkmap and kmap_local slots */
	struct vmalloc_state vmalloc;		/* the vmalloc area's areas */
	struct slab_state slab;			/* kmalloc and SLUB caches */
	struct mm_state procs;			/* processes; the pgd_list */
	struct strbuf log;			/* the boot log, one line each */

	/* figures boot computes once and reports keep printing */
	pfn_t initial_mapped_end;		/* head_32.S's early mapping */
	phys_addr_t brk_end;
	phys_addr_t pgt_buf;			/* six boot page-table pages */
	unsigned pgt_buf_used;
	phys_addr_t percpu_base;		/* the first chunk */
	phys_addr_t initrd_start, initrd_end;	/* where it ended up */
	uint32_t log_buf_len;			/* 0: the static 128 KiB buffer */
	uint32_t nr_kernel_pages;		/* lowmem for hash sizing */
	uint32_t nr_all_pages;
	uint32_t vm_total_pages;		/* "Total pages:" */
	uint32_t dentry_hash_entries, inode_hash_entries;
	uint32_t percpu_pages;			/* first chunk, all CPUs */
	phys_addr_t swiotlb_start;		/* the bounce buffer, if any */
	uint32_t swiotlb_nslabs;		/* its 2 KiB slabs (0: none) */
	bool swiotlb_enabled;			/* RAM may lie above 4 GiB */
	uint32_t kernel_stack_pages;		/* NR_KERNEL_STACK_KB / 4 */
	bool mobility_grouping;
	bool thp_enabled;			/* RAM >= 512 MiB */
	uint32_t rootfs_pages;			/* the unpacked initramfs */
};

/*
 * Boot a machine.  On a bad configuration, or one the kernel could not
 * boot (no RAM where the image loads, too little lowmem), returns an
 * error and *out is NULL.
 */
int machine_boot(const struct machine_config *c, struct machine **out,
		 struct mm_error *err);
void machine_free(struct machine *m);

uint32_t machine_totalram_pages(const struct machine *m);
uint32_t machine_totalhigh_pages(const struct machine *m);
uint32_t machine_free_pages(const struct machine *m);
uint32_t machine_freehigh_pages(const struct machine *m);
/*
 * A count that moves with every change to the machine's state: the
 * primitives of the buddy allocator (lists, records, pageblocks), of RAM
 * (every page written or dropped) and of the slab allocator (caches,
 * slabs, objects) bump it.  Every other change goes with one of those: a
 * page table entry is bytes of RAM, an area, a kmap slot or a process
 * comes with its pages, and tests/test_refusals.c holds the model to it
 * by comparing snapshot bytes around every refusal it can provoke.  Not
 * state itself: equal counts before and after an operation mean it
 * changed nothing, which is how a refusal knows to say "changed" (more
 * count than change only journals a refusal that needed no journal).
 */
uint64_t machine_changes(const struct machine *m);
/* Host bytes this machine holds (for the benchmark and the limits). */
size_t machine_host_bytes(const struct machine *m);

#endif

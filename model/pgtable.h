/*
 * pgtable.h - x86 page tables kept in the machine's simulated RAM: the
 * entry formats of two-level (4-byte entries, 10/10/12) and PAE paging
 * (8-byte entries, 2/9/9/12, NX in bit 63), the kernel's page tables in
 * swapper_pg_dir, and the MMU's walk with every step it reads.
 * (arch/x86/include/asm/pgtable_types.h, pgtable-2level*.h,
 * pgtable-3level*.h, arch/x86/mm/init_32.c, dump_pagetables.c)
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include "machine.h"

typedef uint64_t pgprot_t;	/* entry flag bits, both formats */

#define _PAGE_PRESENT	0x001ull
#define _PAGE_RW	0x002ull
#define _PAGE_USER	0x004ull
#define _PAGE_PWT	0x008ull
#define _PAGE_PCD	0x010ull
#define _PAGE_ACCESSED	0x020ull
#define _PAGE_DIRTY	0x040ull
#define _PAGE_PSE	0x080ull	/* in a PDE/PMD: a large page */
#define _PAGE_PAT	0x080ull	/* in a 4K PTE */
#define _PAGE_GLOBAL	0x100ull
#define _PAGE_PAT_LARGE	0x1000ull
#define _PAGE_NX	(1ull << 63)

/*
 * The frame address in an entry: bits 12-31 two-level, 12-35 with PAE
 * (36 physical address bits; the CPU faults on bits 36-62, the kernel's
 * PTE_PFN_MASK keeps them out).  An entry written by hand with higher
 * bits still names a frame inside the 36-bit space, never one past it or
 * PFN_NONE.
 */
#define PAE_ADDR_MASK	0x0000000ffffff000ull
#define NONPAE_ADDR_MASK 0xfffff000ull

#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | \
			 _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | \
			 _PAGE_DIRTY)

/* The kernel's protections, before __supported_pte_mask drops what the
 * CPU or the build cannot have (NX without PAE; GLOBAL with PTI). */
enum kprot {
	PROT_KERNEL,		/* PAGE_KERNEL: RW, NX */
	PROT_KERNEL_RO,		/* PAGE_KERNEL_RO: NX */
	PROT_KERNEL_EXEC,	/* PAGE_KERNEL_EXEC: RW, executable */
	PROT_KERNEL_ROX,	/* PAGE_KERNEL_ROX: read-only text */
	PROT_KERNEL_NOCACHE,	/* PAGE_KERNEL_NOCACHE: PCD (ioremap) */
	PROT_KERNEL_IO_NOCACHE,	/* PWT|PCD: APIC and IO-APIC fixmaps */
};

/* The entry bits of a kernel mapping on this machine. */
pgprot_t kernel_prot(const struct machine *m, enum kprot kind, bool large);

/* Geometry of the machine's paging mode. */
unsigned pt_levels(const struct machine *m);	/* 2 or 3 */
unsigned pt_entry_size(const struct machine *m);	/* 4 or 8 */

/* Raw entries in simulated RAM. */
uint64_t pt_read_entry(const struct machine *m, phys_addr_t table,
		       unsigned index);
void pt_write_entry(struct machine *m, phys_addr_t table, unsigned index,
		    uint64_t val);

/*
 * The kernel's page tables.  kernel_map_page() maps one 4 KiB page at va
 * in swapper_pg_dir, taking a page-table page from the buddy allocator
 * (GFP_KERNEL | __GFP_ZERO, lowmem) when the PDE/PMD has none; it refuses
 * to map over a large page or an existing mapping.  kernel_unmap_page()
 * clears the PTE (page-table pages stay, as the kernel keeps them).
 */
int kernel_map_page(struct machine *m, vaddr_t va, phys_addr_t pa,
		    pgprot_t prot, struct mm_error *err);
void kernel_unmap_page(struct machine *m, vaddr_t va);
/* The leaf entry that maps va in swapper_pg_dir (0 if none). */
uint64_t kernel_leaf_entry(const struct machine *m, vaddr_t va,
			   unsigned *page_shift);

enum pt_access { ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC };

/* x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h) */
#define X86_PF_PROT	0x01u
#define X86_PF_WRITE	0x02u
#define X86_PF_USER	0x04u
#define X86_PF_RSVD	0x08u
#define X86_PF_INSTR	0x10u

struct pt_step {
	const char *level;	/* "pgd", "pmd", "pte" (PAE: "pdpt" first) */
	phys_addr_t table;	/* physical address of the table read */
	unsigned index;
	unsigned shift;		/* the VA bits this level indexes from */
	phys_addr_t entry_addr;
	uint64_t entry;		/* raw value read */
	bool present;
	bool leaf;		/* maps a page (large at pgd/pmd level) */
};

struct pt_walk {
	vaddr_t va;
	phys_addr_t cr3;
	unsigned nsteps;
	struct pt_step step[3];
	bool ok;
	phys_addr_t pa;		/* on success */
	unsigned page_shift;	/* 12, 21 or 22 */
	uint64_t prot;		/* the leaf's flags */
	/* on a fault */
	uint32_t error_code;
	int fault_step;		/* index into step[] where it stopped */
	char reason[128];
};

/* The MMU walking from cr3 for an access in user or kernel mode. */
void pt_walk(const struct machine *m, phys_addr_t cr3, vaddr_t va,
	     enum pt_access acc, bool user, struct pt_walk *w);

/* Build swapper_pg_dir at boot: linear map, fixmap, pkmap, CPU entry
 * area, and the kernel image's protections (init_32.c). */
int kernel_pagetable_init(struct machine *m, struct mm_error *err);

/* Pages of the linear map mapped 4 KiB at a time, and large pages
 * (meminfo's DirectMap4k and DirectMap4M/2M). */
void direct_map_counts(const struct machine *m, uint32_t *small,
		       uint32_t *large);

/* The kernel page-table dump in the x86 ptdump format with 6.1's
 * section markers, from PAGE_OFFSET up. */
void ptdump_kernel(const struct machine *m, struct strbuf *out);
/* The same dump of a process's page directory from address 0: its user
 * part, then its copy of the kernel's entries. */
void ptdump_pgd(const struct machine *m, phys_addr_t pgd, struct strbuf *out);
/* ptdump's W+X check (CONFIG_DEBUG_WX): the pages of the directory at
 * pgd, from address 0, mapped writable and executable. */
uint64_t ptdump_wx_pages(const struct machine *m, phys_addr_t pgd);

#endif

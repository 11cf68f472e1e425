/*
 * vmalloc.h - the vmalloc area of Linux 6.1 on i386: vmalloc, vzalloc,
 * vfree, vmap, vunmap, ioremap, iounmap, /proc/vmallocinfo and meminfo's
 * VmallocUsed (mm/vmalloc.c, arch/x86/mm/ioremap.c, include/linux/
 * vmalloc.h).
 *
 * Rules the model follows (the kernel's, unless said otherwise):
 *
 * The window.  Every area lies in [VMALLOC_START, VMALLOC_END)
 * (m->layout.vmalloc_start/end; 120 MiB by default).  A bare machine
 * (BOOT_BARE) has no areas, so the first area starts at VMALLOC_START; a
 * booted one starts with the ioremaps of ACPI tables, the HPET and the
 * MP table and the few vmallocs a real kernel's initcalls leave
 * (boot_vmalloc.c, made with the functions below).
 *
 * Reserving an area (__get_vm_area_node -> alloc_vmap_area).  The size is
 * page aligned, then one guard page is added (no caller here asks for
 * VM_NO_GUARD; ioremap areas have it too).  The area is the lowest-address
 * free gap of the window that holds size + guard at the alignment
 * (find_vmap_lowest_match): PAGE_SIZE for vmalloc and vmap; for ioremap
 * (VM_IOREMAP) the power of two >= the page-aligned size (before the guard
 * is added), at least PAGE_SIZE and at most 1 << IOREMAP_MAX_ORDER
 * (128 pages, 512 KiB).  The free space is kept as the sorted list of busy
 * areas; the gaps between them are the kernel's free_vmap_area tree.
 * When no gap fits: MM_EIMPOSSIBLE "vmalloc-space-exhausted" with the
 * kernel's "vmap allocation for size N failed: use vmalloc=<size> to
 * increase size" (N includes the guard page), the window and its largest
 * free gap.
 *
 * Freeing.  6.1 frees vmap areas lazily: the range stays busy ("unpurged
 * vm_area") until lazily freed pages pass a threshold and a purge runs.
 * The model purges at once on vfree, vunmap and iounmap: the virtual range
 * is reusable immediately, and vmallocinfo never shows unpurged areas.
 *
 * vmalloc(size) / vzalloc(size).  Size 0 is refused; a size of more pages
 * than totalram_pages() is refused as the kernel refuses it ("vmalloc
 * error: size N, exceeds total pages"); then the area is reserved
 * (VM_ALLOC), then its pages[] array is made: nr_pages * 4 bytes (struct
 * page pointers on i386); when that is more than a page (more than 1024
 * pages, a vmalloc of more than 4 MiB) the array is itself vmalloc'ed,
 * zeroed (GFP_KERNEL | __GFP_ZERO), in a nested area reserved after the
 * outer one and with its frames taken first; the outer area then shows
 * "vpages".  A smaller array (up to 1024 pages, a vmalloc of up to
 * 4 MiB) comes from kmalloc(nr_pages * 4, GFP_KERNEL | __GFP_ZERO) on CPU
 * 0: kmalloc-8 for one or two pages, ... kmalloc-4k for 513 to 1024 (see
 * slab.h); its failure is the kernel's "vmalloc error: size N, failed to
 * allocated page array size M".  Either array's bytes are zeroed but not
 * filled with struct page pointers.
 * Then the frames, one order-0 page at a time with alloc_pages(GFP_KERNEL
 * | __GFP_HIGHMEM | __GFP_NOWARN, 0) (vzalloc adds __GFP_ZERO), owner
 * OWNER_VMALLOC, owner_id the area's id: HighMem first, then Normal, then
 * DMA.  6.1 takes them with the bulk allocator through the per-cpu lists;
 * the model has no per-cpu lists, so one page at a time is what the
 * buddy lists give.  vzalloc zeroes every page (physmem_zero); a plain
 * vmalloc page keeps whatever bytes the frame held before (stale data, as
 * in the kernel).  Only when every frame is in hand are the pages mapped
 * (vmap_pages_range into swapper_pg_dir, PAGE_KERNEL), in address order.
 * Out of frames: every frame taken is freed again, in the order taken,
 * the area released, and MM_EIMPOSSIBLE "out-of-memory" tells how far it
 * got and the allocator's reason.  A page table that cannot be allocated
 * while mapping: the same undo ("failed to map pages"); page tables the
 * mapping already created stay, as the kernel never frees kernel page
 * tables.  Either way the areas, frames and ids are as before.
 *
 * vfree(addr).  vfree(NULL) does nothing.  addr must be the start of a
 * vmalloc area ("not-a-vmalloc-area" otherwise, naming what is at that
 * address); a vmap or ioremap area, or the nested pages[] array of
 * another area, is refused (use vunmap / iounmap / vfree the owner).  The
 * kernel's __vunmap order: unmap the PTEs, release the range, free the
 * frames in array order, then free the pages[] array (kfree, or a
 * nested area vfree'd the same way).  A kmalloc'ed array freed this way
 * (or on a failed vmalloc) leaves its slab behind when the slab is a CPU
 * slab or the cache keeps it as an empty partial slab (slab.h's rules), so
 * a vmalloc and vfree can leave a slab page taken.
 *
 * vmap(pfns, count).  Maps the given frames, in order, in a new area (flag
 * VM_MAP, PAGE_KERNEL) without taking them: the caller keeps owning them.
 * A frame may appear twice (two aliases).  Each frame must be an
 * allocated or reserved RAM frame; a hole ("not-ram") or a frame free in
 * the buddy allocator ("frame-free": it could be handed to someone else
 * while mapped) is refused.  count 0, and count > totalram_pages(), are
 * refused as the kernel refuses them.  6.1's vmap() keeps no page count
 * in the vm_struct (nr_pages stays 0 unless VM_MAP_PUT_PAGES), so
 * vmallocinfo prints no "pages=" for it.  vunmap(addr) takes the start of
 * a vmap area.
 *
 * ioremap(phys, size).  size 0 or a range that wraps is refused; so is a
 * range past 4 GiB on the two-level kernel (32-bit phys_addr_t) or past
 * 64 GiB with PAE.  RAM the buddy allocator owns is refused: every whole
 * page of the request that is RAM and not reserved (free or allocated in
 * the buddy allocator; the kernel's !PageReserved test in
 * __ioremap_check_ram, which skips pages the request covers only in part)
 * makes it MM_EIMPOSSIBLE "ioremap-ram" with the kernel's "ioremap on RAM
 * at %pa - %pa".  Reserved RAM (the kernel image, the first MiB), e820
 * reserved ranges, holes and device space (0xfec00000 IO-APIC, 0xfed00000
 * HPET) are allowed.  The range is page aligned (phys & PAGE_MASK up to
 * PAGE_ALIGN(phys + size)), the area reserved (VM_IOREMAP, alignment
 * above), each page mapped with PAGE_KERNEL_NOCACHE (PCD: 6.1's ioremap
 * is UC-), and the caller gets area start + (phys & ~PAGE_MASK).  The
 * model always maps ioremap with 4 KiB pages (PAE's huge ioremap of a
 * PMD-aligned 2 MiB range is not modelled) and keeps no PAT memtype
 * records.  iounmap(addr) takes any address in the first page of an
 * ioremap area (the kernel masks it with PAGE_MASK).
 *
 * Page-table sync.  A new page table for the vmalloc range is linked into
 * swapper_pg_dir only; on the two-level kernel (and PAE with PTI, whose
 * kernel PMDs are not shared) every process page directory needs a copy of
 * that PDE (arch_sync_kernel_mappings, and vmalloc_fault on i386 for the
 * race).  Processes do not exist yet: arch_sync_kernel_mappings() below is
 * called for every range whose mapping created a page table and does
 * nothing until they do (issue 5).
 *
 * /proc/vmallocinfo (6.1's s_show).  One line per area, by address:
 * "0x%08lx-0x%08lx %7ld" start, end and size, both including the guard
 * page (a one-page vmalloc prints 8192), then " caller", " pages=%d" for
 * vmalloc areas, " phys=%pa" for ioremap areas with a non-zero phys_addr
 * (0x and 8 hex digits two-level, 16 with PAE), then the flag words
 * " ioremap", " vmalloc", " vmap", " vpages".  The kernel prints the
 * caller as symbol+offset/size (__builtin_return_address); the model
 * prints the name of the operation that made the area: "vmalloc",
 * "vzalloc", "vmap" or "ioremap" (a nested pages[] area has its owner's
 * caller, as in the kernel).  The areas a booted machine's initcalls
 * made (boot_vmalloc.c) print the kernel's own symbol+offset/size, as
 * the captures show them.
 *
 * VmallocUsed (meminfo) is vmalloc_nr_pages(): the pages of VM_ALLOC areas
 * (nested pages[] areas included; vmap and ioremap areas not), in kB.
 */
#ifndef MM_VMALLOC_H
#define MM_VMALLOC_H

#include "error.h"
#include "types.h"

struct machine;
struct strbuf;

/* vm_struct flags (include/linux/vmalloc.h) */
#define VM_IOREMAP	0x00000001u
#define VM_ALLOC	0x00000002u
#define VM_MAP		0x00000004u

#define IOREMAP_MAX_ORDER	(7 + PAGE_SHIFT)	/* 128 pages */
#define VM_CALLER_LEN		40

/* One area of the window: the kernel's vmap_area and vm_struct in one. */
struct vm_area {
	uint32_t id;		/* owner_id of its frames; never reused */
	vaddr_t start;
	uint32_t size;		/* bytes, including the guard page */
	uint32_t flags;		/* VM_IOREMAP, VM_ALLOC or VM_MAP */
	/* "vmalloc", "vzalloc", "vmap", "ioremap", or a boot area's
	 * symbol+offset/size as the kernel prints it (boot_vmalloc.c) */
	char caller[VM_CALLER_LEN];
	uint32_t nr_pages;	/* entries of pages[] (vmalloc, vmap) */
	pfn_t *pages;		/* the frames it maps, in address order */
	phys_addr_t phys_addr;	/* ioremap: the page-aligned physical start */
	uint32_t vpages_id;	/* pages[] lives in this nested area, or 0 */
	vaddr_t pages_kmalloc;	/* or in this kmalloc object, or 0 */
	uint32_t nested_in;	/* holds the pages[] of this area, or 0 */
};

struct vmalloc_state {
	struct vm_area *areas;	/* sorted by start, never overlapping */
	uint32_t nr, cap;
	uint32_t next_id;	/* ids start at 1 */
	uint32_t nr_vmalloc_pages;	/* vmalloc_nr_pages() */
};

/* What an allocation made. */
struct vm_result {
	vaddr_t addr;		/* what the caller gets (ioremap: + offset) */
	uint32_t id;		/* the area's id */
	/* page tables its mapping created (nested area included): each is a
	 * new PDE (PMD entry with PAE) only swapper_pg_dir has */
	uint32_t new_page_tables;
};

void vmalloc_init(struct vmalloc_state *vs);
void vmalloc_state_free(struct vmalloc_state *vs);
size_t vmalloc_host_bytes(const struct vmalloc_state *vs);

int vmalloc(struct machine *m, uint64_t size, struct vm_result *res,
	    struct mm_error *err);
int vzalloc(struct machine *m, uint64_t size, struct vm_result *res,
	    struct mm_error *err);
int vfree(struct machine *m, vaddr_t addr, struct mm_error *err);
int vmap(struct machine *m, const pfn_t *pfns, uint32_t count,
	 struct vm_result *res, struct mm_error *err);
int vunmap(struct machine *m, vaddr_t addr, struct mm_error *err);
int ioremap(struct machine *m, phys_addr_t phys, uint64_t size,
	    struct vm_result *res, struct mm_error *err);
int iounmap(struct machine *m, vaddr_t addr, struct mm_error *err);

/*
 * The kernel-internal forms the booted machine's initcalls use
 * (boot_vmalloc.c).  caller is what vmallocinfo prints for the area.
 * __vmalloc_caller: vmalloc (zero: vzalloc) with the given caller.
 * ioremap_caller: ioremap; cached maps PAGE_KERNEL (ioremap_cache and
 * memremap(MEMREMAP_WB), which ACPI and the MP-table scan use) instead
 * of PAGE_KERNEL_NOCACHE.  get_vm_area_caller: reserve size bytes (plus
 * the guard page) at the lowest fit without pages or mappings (the
 * kernel's get_vm_area); free_vm_area(id) releases such an area.
 * set_vm_area_ro: set_memory_ro() over the pages of the vmalloc area
 * that starts at addr (bpf_prog_lock_ro).
 */
int __vmalloc_caller(struct machine *m, uint64_t size, bool zero,
		     const char *caller, struct vm_result *res,
		     struct mm_error *err);
int ioremap_caller(struct machine *m, phys_addr_t phys, uint64_t size,
		   bool cached, const char *caller, struct vm_result *res,
		   struct mm_error *err);
int get_vm_area_caller(struct machine *m, uint64_t size, const char *caller,
		       struct vm_result *res, struct mm_error *err);
void free_vm_area(struct machine *m, uint32_t id);
int set_vm_area_ro(struct machine *m, vaddr_t addr, struct mm_error *err);

/* The area that starts at addr / holds addr (its guard page included),
 * or NULL.  Valid until the next change to the areas. */
const struct vm_area *find_vm_area(const struct vmalloc_state *vs,
				   vaddr_t addr);
const struct vm_area *vm_area_containing(const struct vmalloc_state *vs,
					 vaddr_t addr);
const struct vm_area *vm_area_by_id(const struct vmalloc_state *vs,
				    uint32_t id);

/* vmalloc_nr_pages(): what meminfo prints as VmallocUsed, in pages. */
uint32_t vmalloc_nr_pages(const struct vmalloc_state *vs);
/* The largest free gap of the window, in bytes. */
uint32_t vmalloc_largest_gap(const struct machine *m);

/* /proc/vmallocinfo in 6.1's format. */
void proc_vmallocinfo(const struct machine *m, struct strbuf *out);
/* The flag words of an area as vmallocinfo prints them, in order,
 * NULL-terminated (for the JSON form). */
unsigned vm_area_flag_words(const struct vm_area *a, const char *words[5]);

/*
 * arch_sync_kernel_mappings(start, end): copy swapper_pg_dir's PDEs for
 * [start, end) into every process page directory (arch/x86/mm/fault.c).
 * Called after a mapping created a page table; a no-op until processes
 * exist (issue 5).
 */
void arch_sync_kernel_mappings(struct machine *m, vaddr_t start,
			       vaddr_t end);

#endif

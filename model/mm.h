/*
 * mm.h - processes: their address spaces (struct mm), page directories,
 * VMAs, the mmap/munmap/mprotect/brk system calls, the page-fault handler
 * and fork/exit, as a 6.1 i386 kernel does them.
 * (arch/x86/mm/pgtable.c, arch/x86/mm/mmap.c, arch/x86/mm/fault.c,
 * mm/mmap.c, mm/mprotect.c, mm/memory.c, kernel/fork.c, fs/binfmt_elf.c,
 * fs/proc/task_mmu.c)
 *
 * Rules the model picks (the kernel's choice depends on files, timing or
 * hardware the model does not have):
 *
 *   - Every process runs the same default non-PIE i386 ELF, "busybox" from
 *     the initramfs (as the captures' /proc/self/maps of cat): one text
 *     page r-x at 0x08048000, one data page rw- at 0x08049000 (file
 *     mappings of /bin/busybox, dev 00:02, inode 12), one bss page rw-
 *     anonymous at 0x0804a000.  File contents are not modelled: a fault in
 *     text or data takes a zeroed frame counted as RssFile (the page cache
 *     is not modelled, so the frame is freed when the last mapping goes).
 *   - pgd_alloc: two-level: one zeroed lowmem page (GFP_PGTABLE_USER),
 *     kernel PDEs copied from swapper_pg_dir, the pgd on pgd_list.  PAE:
 *     Debian's 686-pae runs with PTI, so SHARED_KERNEL_PMD is 0 and
 *     PGD_ALLOCATION_ORDER is 1: an order-1 pgd (kernel PDPT in the first
 *     page, PTI's user PDPT in the second), PREALLOCATED_PMDS = 4 (the user
 *     ones zeroed, the kernel ones memcpy'd from swapper's) and
 *     PREALLOCATED_USER_PMDS = KERNEL_PGD_PTRS pages for PTI's user-side
 *     kernel PMDs (zeroed: PTI's shadow of the entry text is not
 *     modelled).  Every PMD page counts as a page table (VmPTE,
 *     meminfo PageTables); the pgd does not (6.1 does not account it).
 *   - CONFIG_HIGHPTE=y in both flavours (MM_HIGHPTE): user PTE pages are
 *     GFP_PGTABLE_USER | __GFP_HIGHMEM, so they come from HighMem first.
 *     Debian sets it for every i386 kernel in debian/config/i386/config
 *     (6.1.0-0.deb11.7's packaging), and config.686-pae changes only the
 *     highmem choice (HIGHMEM64G, X86_PAE), not HIGHPTE.  In 6.1's
 *     arch/x86/Kconfig, HIGHPTE depends on HIGHMEM alone: nothing ties it
 *     to PAGE_TABLE_ISOLATION, so the PTI kernel (686-pae) has it too.
 *   - Parents: process_create starts a program the kernel spawned, as
 *     init is: PPid 0, its own process group and session.  fork's child
 *     has the parent's pid as PPid and inherits group and session.  When
 *     a parent exits, its children go to init (pid 1) while pid 1 lives,
 *     else PPid becomes 0.
 *   - The page-fault handler never sets Accessed/Dirty on a later hit (a
 *     new PTE gets A, and D when written).
 *   - VMA merging: an anonymous VMA merges with an adjacent anonymous
 *     neighbour of equal flags (anon_vma compatibility is not checked).
 *   - mprotect makes a private PTE writable only when its frame is mapped
 *     once (can_change_pte_writable for an exclusive anon page).
 *   - MAP_SHARED|MAP_ANONYMOUS is shmem: every fault takes a frame, fork
 *     shares it writable, it counts as RssShmem and meminfo Shmem.
 *   - mmap_min_addr is 65536 (Debian's CONFIG_DEFAULT_MMAP_MIN_ADDR).
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "page_alloc.h"
#include "pfnmap.h"
#include "types.h"

struct machine;
struct strbuf;
struct pt_walk;

#define MM_HIGHPTE		1	/* CONFIG_HIGHPTE=y: see above */
#define MM_MAX_PROCS_DEFAULT	64
#define MAX_MAP_COUNT_DEFAULT	65530
#define MMAP_MIN_ADDR		0x10000u
#define STACK_GUARD_GAP		(256u << PAGE_SHIFT)
#define STACK_RND_MASK		0x7ffu
#define MMAP_RND_BITS		8
#define ELF_TEXT_START		0x08048000u

/* vm_flags */
#define VM_READ		0x1u
#define VM_WRITE	0x2u
#define VM_EXEC		0x4u
#define VM_SHARED	0x8u
#define VM_GROWSDOWN	0x100u

/* mmap prot and flags (uapi) */
#define PROT_READ	0x1u
#define PROT_WRITE	0x2u
#define PROT_EXEC	0x4u
#define MAP_SHARED	0x01u
#define MAP_PRIVATE	0x02u
#define MAP_FIXED	0x10u
#define MAP_ANONYMOUS	0x20u
#define MAP_FIXED_NOREPLACE 0x100000u

/* si_code values as <signal.h> has them, for code that includes both */
#ifndef SEGV_MAPERR
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#endif

enum vma_kind { VMA_ANON, VMA_FILE, VMA_HEAP, VMA_STACK };

struct vma {
	vaddr_t start, end;
	uint32_t flags;		/* VM_* */
	enum vma_kind kind;
	uint32_t pgoff;		/* file pages: offset in pages */
};

struct process {
	uint32_t pid;
	uint32_t ppid;			/* 0: spawned by the kernel */
	uint32_t pgid, sid;		/* process group and session */
	char comm[16];
	phys_addr_t pgd;		/* CR3 */
	phys_addr_t pmds[4];		/* PAE: the PDPT's PMD pages */
	phys_addr_t user_pmds[4];	/* PAE PTI: user-side kernel PMDs */
	struct vma *vmas;		/* sorted, never overlapping */
	uint32_t nr_vmas, cap_vmas;
	vaddr_t start_code, end_code, start_data, end_data;
	vaddr_t start_brk, brk, mmap_base, start_stack;
	uint32_t rss_anon, rss_file, rss_shmem;	/* pages mapped */
	uint32_t nr_ptes, nr_pmds;	/* page-table pages (VmPTE) */
	uint32_t hiwater_rss, hiwater_vm;
	int oom_score_adj;
};

/* A user frame and how many PTEs map it (page_mapcount). */
struct uframe {
	pfn_t pfn;
	uint32_t mapcount;
	bool file, shmem;
};

struct mm_state {
	struct process *procs;		/* by pid order; also the pgd_list */
	uint32_t nr, cap;
	uint32_t next_pid;
	uint32_t max_procs;		/* default 64 */
	uint32_t max_map_count;		/* default 65530 */
	struct uframe *frames;
	uint32_t nr_frames, cap_frames;
	struct pfnmap frame_index;	/* pfn -> index in frames[] */
	/* meminfo */
	uint32_t nr_anon_pages, nr_shmem_pages, nr_pgtable_pages;
};

void mm_state_init(struct mm_state *s);
void mm_state_free(struct mm_state *s);
size_t mm_host_bytes(const struct mm_state *s);

struct process *mm_find(struct machine *m, uint32_t pid,
			struct mm_error *err);
const struct process *mm_find_const(const struct machine *m, uint32_t pid);

/* randomize_va_space: 2 unless the command line says norandmaps */
bool mm_randomize(const struct machine *m);

int process_create(struct machine *m, uint32_t *pid, struct mm_error *err);
int process_fork(struct machine *m, uint32_t parent, uint32_t *child,
		 struct mm_error *err);
int process_exit(struct machine *m, uint32_t pid, struct mm_error *err);

int sys_mmap(struct machine *m, uint32_t pid, vaddr_t addr, uint64_t len,
	     uint32_t prot, uint32_t flags, vaddr_t *out,
	     struct mm_error *err);
int sys_munmap(struct machine *m, uint32_t pid, vaddr_t addr, uint64_t len,
	       struct mm_error *err);
int sys_mprotect(struct machine *m, uint32_t pid, vaddr_t addr,
		 uint64_t len, uint32_t prot, struct mm_error *err);
/* brk(2): returns the new break, or the old one when refused. */
int sys_brk(struct machine *m, uint32_t pid, vaddr_t newbrk, vaddr_t *out,
	    struct mm_error *err);

enum fault_outcome {
	FAULT_NONE,		/* the walk succeeded: no fault */
	FAULT_HANDLED,		/* fault fixed, access retried and done */
	FAULT_SIGSEGV,		/* user mode: signal */
	FAULT_SIGBUS,
	FAULT_EFAULT,		/* kernel access to a bad user address:
				 * the exception table's fixup */
	FAULT_OOPS,		/* kernel access nothing can fix */
	FAULT_OOM,		/* no frame: VM_FAULT_OOM */
};

struct fault_result {
	enum fault_outcome outcome;
	uint32_t error_code;		/* of the first walk's fault */
	int si_code;			/* SEGV_MAPERR or SEGV_ACCERR */
	char reason[ALLOC_REASON_MAX + 64];	/* why the signal, or what was done */
	uint32_t frames_taken, tables_added, frames_freed;
	pfn_t new_pfn;			/* frame mapped by the handler */
	bool zero_page, cow_copy, cow_reuse, vmalloc_sync;
	bool stack_grew;		/* expand_stack() moved the stack down */
	uint32_t nr_oom_killed;		/* processes the OOM killer took */
	uint32_t oom_killed[4];		/* their pids (the first four) */
};

/*
 * One access by pid at va.  *first is the MMU's walk; on a fault the
 * handler runs (result in *fr) and *final is the walk of the retried
 * access.  Returns an error only for a bad pid.
 */
int mm_access(struct machine *m, uint32_t pid, vaddr_t va, int acc,
	      bool user, struct pt_walk *first, struct pt_walk *final,
	      struct fault_result *fr, struct mm_error *err);

/* The CR3 an access runs on: with PAE (PTI) user mode uses the user
 * half of the pgd, whose kernel part the model leaves empty (PTI's
 * entry-text mappings are not modelled). */
phys_addr_t mm_cr3(const struct machine *m, const struct process *p,
		   bool user);

/* Move bytes to or from pid's memory at va as user (or kernel) mode
 * accesses would, faulting pages in.  A fault that is not fixed is an
 * error naming the signal; nothing is written then. */
int mm_uaccess(struct machine *m, uint32_t pid, vaddr_t va, void *buf,
	       uint32_t len, bool write, bool user, struct mm_error *err);

/* handle_mm_fault() for va in v (shared by mm.c and memory_fault.c):
 * returns an enum fault_outcome. */
int mm_handle_mm_fault(struct machine *m, struct process *p, struct vma *v,
		       vaddr_t va, bool write, struct fault_result *fr);

/* expand_stack(): the VMA above va grows down to cover it when it is the
 * stack, stays within RLIMIT_STACK (8 MiB) and keeps stack_guard_gap
 * from the mapping below; NULL otherwise. */
struct vma *mm_expand_stack(struct machine *m, struct process *p, vaddr_t va);

/* Reports. */
void proc_pid_maps(const struct machine *m, const struct process *p,
		   struct strbuf *out);
void proc_pid_status(const struct machine *m, const struct process *p,
		     struct strbuf *out);
uint32_t mm_frame_mapcount(const struct machine *m, pfn_t pfn);
/* One user mapping of a frame. */
struct user_va {
	uint32_t pid;
	vaddr_t va;
	bool writable;
};

/* Every process address whose PTE holds pfn (present or PROT_NONE), in
 * pid and address order: the first max in out, the count returned. */
unsigned mm_frame_user_vas(const struct machine *m, pfn_t pfn,
			   struct user_va *out, unsigned max);
/* The leaf PTE for va in p (0 when none). */
uint64_t mm_user_pte(const struct machine *m, const struct process *p,
		     vaddr_t va);

/* arch_sync_kernel_mappings: copy swapper's PMD-level entries for
 * [start, end) into every process's page directory. */
void mm_sync_kernel_mappings(struct machine *m, vaddr_t start, vaddr_t end);

#endif

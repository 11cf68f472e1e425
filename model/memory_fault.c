/*
 * memory_fault.c - a process's memory access: the MMU's walk through its
 * page directory, then the x86 page-fault handler as 6.1 runs it
 * (arch/x86/mm/fault.c: do_kern_addr_fault with vmalloc_fault,
 * do_user_addr_fault with access_error; mm/memory.c: handle_mm_fault,
 * do_anonymous_page with the zero page, do_wp_page's copy or reuse),
 * and the reports of a process (fs/proc/task_mmu.c).
 */
#include "mm.h"

#include <stdio.h>
#include <string.h>

#include "machine.h"
#include "page_alloc.h"
#include "pgtable.h"

static struct vma *vma_at(struct process *p, vaddr_t va)
{
	for (uint32_t i = 0; i < p->nr_vmas; i++)
		if (va >= p->vmas[i].start && va < p->vmas[i].end)
			return &p->vmas[i];
	return NULL;
}

static void set_reason(struct fault_result *fr, const char *s)
{
	snprintf(fr->reason, sizeof(fr->reason), "%s", s);
}

/* vmalloc_fault(): copy swapper's PMD-level entry for va into p. */
static bool vmalloc_fault(struct machine *m, vaddr_t va)
{
	const struct layout *l = &m->layout;
	struct pt_walk w;

	if (va < l->vmalloc_start || va >= l->vmalloc_end)
		return false;
	pt_walk(m, m->swapper_pg_dir, va, ACCESS_READ, false, &w);
	if (!w.ok)
		return false;	/* nothing there in init_mm either */
	mm_sync_kernel_mappings(m, va, va + 1);
	return true;
}

/* One fault: do_kern_addr_fault or do_user_addr_fault. */
static int mm_handle_fault(struct machine *m, struct process *p, vaddr_t va,
		    uint32_t ec, bool user, struct fault_result *fr)
{
	bool write = ec & X86_PF_WRITE;
	struct vma *v;

	if (va >= m->layout.page_offset) {
		/* do_kern_addr_fault() */
		if (!(ec & (X86_PF_USER | X86_PF_RSVD | X86_PF_PROT)) &&
		    vmalloc_fault(m, va)) {
			fr->vmalloc_sync = true;
			set_reason(fr, "vmalloc_fault: copied swapper_pg_dir's "
				   "entry for the vmalloc address into the "
				   "process's page directory");
			return FAULT_HANDLED;
		}
		if (user) {
			fr->si_code = SEGV_MAPERR;
			set_reason(fr, "user-mode access to a kernel address: "
				   "bad_area_nosemaphore");
			return FAULT_SIGSEGV;
		}
		set_reason(fr, "BUG: unable to handle page fault for a "
			   "kernel address (oops)");
		return FAULT_OOPS;
	}
	v = vma_at(p, va);
	if (!v && (v = mm_expand_stack(m, p, va)))
		fr->stack_grew = true;
	if (!v) {
		if (user) {
			fr->si_code = SEGV_MAPERR;
			set_reason(fr, "no VMA covers the address: bad_area");
			return FAULT_SIGSEGV;
		}
		set_reason(fr, "no VMA covers the user address: the exception "
			   "table's fixup returns -EFAULT");
		return FAULT_EFAULT;
	}
	/* access_error() */
	if ((write && !(v->flags & VM_WRITE)) ||
	    (!write && (ec & X86_PF_PROT)) ||
	    (!write && !(v->flags & (VM_READ | VM_WRITE | VM_EXEC)))) {
		const char *why = write ? "write to a VMA without VM_WRITE" :
			(ec & X86_PF_INSTR) ? "instruction fetch from a VMA "
					      "without VM_EXEC (NX)" :
			(ec & X86_PF_PROT) ? "protection fault on a present page" :
					     "access to a PROT_NONE VMA";

		if (user) {
			fr->si_code = SEGV_ACCERR;
			snprintf(fr->reason, sizeof(fr->reason),
				 "access_error: %s: bad_area_access_error", why);
			return FAULT_SIGSEGV;
		}
		snprintf(fr->reason, sizeof(fr->reason), "access_error: %s: "
			 "the exception table's fixup returns -EFAULT", why);
		return FAULT_EFAULT;
	}
	return mm_handle_mm_fault(m, p, v, va, write, fr);
}

/* --- the access ----------------------------------------------------------------- */

phys_addr_t mm_cr3(const struct machine *m, const struct process *p,
		   bool user)
{
	/* PTI: user mode runs on the user half of the order-1 pgd
	 * (kernel_to_user_pgdp sets bit PAGE_SHIFT) */
	return m->config.pae && user ? p->pgd + PAGE_SIZE : p->pgd;
}

int mm_access(struct machine *m, uint32_t pid, vaddr_t va, int acc,
	      bool user, struct pt_walk *first, struct pt_walk *final,
	      struct fault_result *fr, struct mm_error *err)
{
	struct process *p = mm_find(m, pid, err);

	if (!p)
		return err->kind;
	memset(fr, 0, sizeof(*fr));
	pt_walk(m, mm_cr3(m, p, user), va, (enum pt_access)acc, user, first);
	*final = *first;
	if (first->ok) {
		fr->outcome = FAULT_NONE;
		return MM_OK;
	}
	fr->error_code = first->error_code;
	/* the access is retried after each fix, as the CPU would */
	for (int tries = 0; tries < 4; tries++) {
		int o = mm_handle_fault(m, p, va, final->error_code, user, fr);

		fr->outcome = (enum fault_outcome)o;
		/* the OOM killer may have run: the process array moved, or
		 * the faulting process itself was killed */
		p = (struct process *)mm_find_const(m, pid);
		if (o != FAULT_HANDLED || !p)
			return MM_OK;
		pt_walk(m, mm_cr3(m, p, user), va, (enum pt_access)acc, user,
			final);
		if (final->ok)
			return MM_OK;
		fr->error_code = final->error_code;
	}
	return MM_OK;
}

int mm_uaccess(struct machine *m, uint32_t pid, vaddr_t va, void *buf,
	       uint32_t len, bool write, bool user, struct mm_error *err)
{
	static const char *const outcome[] = {
		"", "", "SIGSEGV", "SIGBUS", "EFAULT", "oops", "out of memory",
	};
	uint8_t *b = buf;

	if ((uint64_t)va + len > SZ_4G)
		return mm_fail(err, MM_EINVAL, "bad-argument", "addr",
			       "the range leaves the 4 GiB address space");
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t off = 0; off < len;) {
			vaddr_t a = va + off;
			uint32_t n = PAGE_SIZE - (a & (PAGE_SIZE - 1));
			struct pt_walk w1, w2;
			struct fault_result fr;
			int rc;

			if (n > len - off)
				n = len - off;
			if ((rc = mm_access(m, pid, a, write ? ACCESS_WRITE :
					    ACCESS_READ, user, &w1, &w2, &fr,
					    err)))
				return rc;
			if (!w2.ok)
				return mm_fail(err, MM_EIMPOSSIBLE,
					fr.outcome == FAULT_SIGSEGV ? "SIGSEGV" :
					fr.outcome == FAULT_OOM ? "ENOMEM" :
					"EFAULT", "addr",
					"%s at 0x%08x (error code 0x%x): %s",
					outcome[fr.outcome], a, fr.error_code,
					fr.reason);
			if (pass && write)
				physmem_write(&m->mem, w2.pa, b + off, n);
			else if (pass)
				physmem_read(&m->mem, w2.pa, b + off, n);
			off += n;
		}
	}
	return MM_OK;
}

/* --- reports ---------------------------------------------------------------------- */

void proc_pid_maps(const struct machine *m, const struct process *p,
		   struct strbuf *out)
{
	(void)m;
	for (uint32_t i = 0; i < p->nr_vmas; i++) {
		const struct vma *v = &p->vmas[i];
		const char *name = NULL;
		bool file = v->kind == VMA_FILE;
		size_t before = out->len;

		sb_printf(out, "%08x-%08x %c%c%c%c %08x %02x:%02x %u ",
			  v->start, v->end, v->flags & VM_READ ? 'r' : '-',
			  v->flags & VM_WRITE ? 'w' : '-',
			  v->flags & VM_EXEC ? 'x' : '-',
			  v->flags & VM_SHARED ? 's' : 'p',
			  file ? v->pgoff << PAGE_SHIFT : 0, 0,
			  file ? 2 : 0, file ? 12u : 0u);
		if (file)
			name = "/bin/busybox";
		else if (v->start <= p->brk && v->end >= p->start_brk)
			name = "[heap]";
		else if (v->start <= p->start_stack &&
			 v->end >= p->start_stack)
			name = "[stack]";
		if (name) {
			/* seq_pad(): to 25 + sizeof(void *) * 6 - 1 columns */
			size_t used = out->len - before;

			if (used < 48)
				sb_printf(out, "%*s", (int)(48 - used), "");
			sb_printf(out, " %s", name);
		}
		sb_puts(out, "\n");
	}
}

/*
 * The lines of task_state() (fs/proc/array.c) a student compares: who the
 * process is and who its parent is.  The model's processes run as root
 * (the OOM killer's line says UID:0) with umask 022, no supplementary
 * groups, in the initial pid namespace, and are asleep whenever anyone
 * looks.  The model has no files: the three standard descriptors fit the
 * fdtable embedded in files_struct, NR_OPEN_DEFAULT = BITS_PER_LONG = 32
 * slots on i386.
 */
static void status_task(const struct process *p, struct strbuf *out)
{
	sb_printf(out, "Name:\t%s\n", p->comm);
	sb_printf(out, "Umask:\t0022\n");
	sb_printf(out, "State:\tS (sleeping)\n");
	sb_printf(out, "Tgid:\t%u\nNgid:\t0\nPid:\t%u\nPPid:\t%u\n",
		  p->pid, p->pid, p->ppid);
	sb_printf(out, "TracerPid:\t0\n");
	sb_printf(out, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
	sb_printf(out, "FDSize:\t32\n");
	/* the kernel ends the group list with a blank it regrets */
	sb_printf(out, "Groups:\t \n");
	sb_printf(out, "NStgid:\t%u\nNSpid:\t%u\nNSpgid:\t%u\nNSsid:\t%u\n",
		  p->pid, p->pid, p->pgid, p->sid);
}

/* A task_mem() line: the value right-aligned in 8 columns, then kB. */
static void vm_line(struct strbuf *out, const char *name, uint64_t kb)
{
	sb_printf(out, "%s:\t%8llu kB\n", name, (unsigned long long)kb);
}

/* task_mem() (fs/proc/task_mmu.c): sizes from the VMAs as the kernel
 * counts them (data_vm, stack_vm, exec_vm), rss from the counters. */
static void status_mem(const struct process *p, struct strbuf *out)
{
	uint32_t total = 0, data = 0, stack = 0, exec = 0, text, lib;
	uint32_t rss = p->rss_anon + p->rss_file + p->rss_shmem;

	for (uint32_t i = 0; i < p->nr_vmas; i++) {
		const struct vma *v = &p->vmas[i];
		uint32_t n = (v->end - v->start) >> PAGE_SHIFT;

		total += n;
		if (v->flags & VM_GROWSDOWN)
			stack += n;
		else if ((v->flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			data += n;
		else if ((v->flags & (VM_EXEC | VM_WRITE)) == VM_EXEC)
			exec += n;
	}
	/* the executable pages split between the program's text and the
	 * libraries */
	text = ((p->end_code + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)) -
	       (p->start_code & ~(PAGE_SIZE - 1));
	if (text > exec << PAGE_SHIFT)
		text = exec << PAGE_SHIFT;
	lib = (exec << PAGE_SHIFT) - text;
	vm_line(out, "VmPeak", (uint64_t)MAX(p->hiwater_vm, total) * 4);
	vm_line(out, "VmSize", (uint64_t)total * 4);
	vm_line(out, "VmLck", 0);
	vm_line(out, "VmPin", 0);
	vm_line(out, "VmHWM", (uint64_t)MAX(p->hiwater_rss, rss) * 4);
	vm_line(out, "VmRSS", (uint64_t)rss * 4);
	vm_line(out, "RssAnon", (uint64_t)p->rss_anon * 4);
	vm_line(out, "RssFile", (uint64_t)p->rss_file * 4);
	vm_line(out, "RssShmem", (uint64_t)p->rss_shmem * 4);
	vm_line(out, "VmData", (uint64_t)data * 4);
	vm_line(out, "VmStk", (uint64_t)stack * 4);
	vm_line(out, "VmExe", text >> 10);
	vm_line(out, "VmLib", lib >> 10);
	vm_line(out, "VmPTE", (uint64_t)(p->nr_ptes + p->nr_pmds) * 4);
	vm_line(out, "VmSwap", 0);
	/* hugetlb_report_usage(): Debian builds CONFIG_HUGETLB_PAGE */
	vm_line(out, "HugetlbPages", 0);
}

/*
 * /proc/PID/status as proc_pid_status() writes it in 6.1, up to the THP
 * line: task_state(), task_mem(), task_core_dumping() and
 * task_thp_status() (Debian builds CONFIG_TRANSPARENT_HUGEPAGE; nothing
 * sets MMF_DISABLE_THP).  The signal, capability, seccomp, cpuset and
 * context-switch lines that follow in the kernel's file describe what
 * the model does not have, so they are left out rather than made up.
 */
void proc_pid_status(const struct machine *m, const struct process *p,
		     struct strbuf *out)
{
	(void)m;
	status_task(p, out);
	status_mem(p, out);
	sb_printf(out, "CoreDumping:\t0\n");
	sb_printf(out, "THP_enabled:\t1\n");
}

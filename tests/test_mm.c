/*
 * test_mm.c - processes on fresh 2 GiB machines (machine_config_default,
 * VMSPLIT_3G: TASK_SIZE 0xc0000000), against addresses derived by hand
 * from the rules in model/mm.h.
 *
 * With "norandmaps" (randomize_va_space = 0) nothing is random:
 *   - mmap_base = PAGE_ALIGN(TASK_SIZE - gap - 0), gap = 8 MiB rlimit +
 *     1 MiB guard gap + 0x7ff000 stack randomisation = ~17 MiB, clamped
 *     up to 128 MiB: 0xc0000000 - 0x08000000 = 0xb8000000;
 *   - the stack ends at STACK_TOP = 0xc0000000 and is 132 KiB (one page
 *     of arguments + 128 KiB): [0xbffdf000, 0xc0000000);
 *   - the ELF: text 0x08048000, data 0x08049000, bss 0x0804a000, so
 *     start_brk = brk = 0x0804b000 (no arch_randomize_brk).
 * The first anonymous mmap of 8 KiB lands in the highest gap below
 * mmap_base: [0xb7ffe000, 0xb8000000).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "machine.h"
#include "mm.h"
#include "page_alloc.h"
#include "pgtable.h"
#include "procfs.h"
#include "vmalloc.h"
#include "helpers.h"

static struct machine *boot_cmd(bool pae, const char *cmdline, uint64_t seed)
{
	struct machine_config c;

	machine_config_default(&c);
	c.boot = BOOT_BARE;
	c.pae = pae;
	c.seed = seed;
	snprintf(c.cmdline, sizeof(c.cmdline), "%s", cmdline);
	return must_boot(&c);
}

static struct machine *boot(bool pae)
{
	return boot_cmd(pae, "norandmaps", 1);
}

typedef void (*text_fn)(const struct machine *m, struct strbuf *out);

static char *text(const struct machine *m, text_fn fn)
{
	struct strbuf sb = STRBUF_INIT;

	fn(m, &sb);
	return sb_detach(&sb);
}

static char *maps(const struct machine *m, uint32_t pid)
{
	struct strbuf sb = STRBUF_INIT;

	proc_pid_maps(m, mm_find_const(m, pid), &sb);
	return sb_detach(&sb);
}

static char *status(const struct machine *m, uint32_t pid)
{
	struct strbuf sb = STRBUF_INIT;

	proc_pid_status(m, mm_find_const(m, pid), &sb);
	return sb_detach(&sb);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

static uint32_t create(struct machine *m)
{
	struct mm_error err;
	uint32_t pid = 0;

	if (process_create(m, &pid, &err))
		fail_msg("process_create: %s", err.detail);
	return pid;
}

static struct fault_result touch(struct machine *m, uint32_t pid, vaddr_t va,
				 int acc, bool user)
{
	struct pt_walk w1, w2;
	struct fault_result fr;
	struct mm_error err;

	assert_int_equal(mm_access(m, pid, va, acc, user, &w1, &w2, &fr, &err),
			 MM_OK);
	return fr;
}

static vaddr_t do_mmap(struct machine *m, uint32_t pid, vaddr_t addr,
		       uint32_t len, uint32_t prot, uint32_t flags)
{
	struct mm_error err;
	vaddr_t out = 0;

	if (sys_mmap(m, pid, addr, len, prot, flags, &out, &err))
		fail_msg("mmap: %s", err.detail);
	return out;
}

/* Whether va's PTE page is a HighMem frame (CONFIG_HIGHPTE). */
static bool pte_table_pfn_is_high(const struct machine *m,
				  const struct process *p, vaddr_t va)
{
	uint64_t e = m->config.pae ?
		pt_read_entry(m, p->pmds[va >> 30], (va >> 21) & 511) :
		pt_read_entry(m, p->pgd, va >> 22);

	return PFN_DOWN(e & 0xffffff000ull) >= m->layout.max_low_pfn;
}

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

/* --- layout ------------------------------------------------------------------ */

static void test_layout_norandmaps(void **state)
{
	(void)state;
	for (int pae = 0; pae < 2; pae++) {
		struct machine *m = boot(pae);
		uint32_t pid = create(m);
		const struct process *p = mm_find_const(m, pid);
		char *t = maps(m, pid), *s;

		assert_int_equal(pid, 1);
		assert_int_equal(p->mmap_base, 0xb8000000u);
		assert_int_equal(p->start_brk, 0x0804b000u);
		/* show_map_vma names a VMA [heap] when vm_start <= brk and
		 * vm_end >= start_brk: without randomisation the empty heap
		 * starts at the end of the bss, so the bss is [heap].
		 * column widths as in the capture's /proc/self/maps: a named
		 * line pads to column 48 then a space; an anonymous one ends
		 * with a space after the inode */
		assert_string_equal(t,
			"08048000-08049000 r-xp 00000000 00:02 12         /bin/busybox\n"
			"08049000-0804a000 rw-p 00001000 00:02 12         /bin/busybox\n"
			"0804a000-0804b000 rw-p 00000000 00:00 0          [heap]\n"
			"bffdf000-c0000000 rw-p 00000000 00:00 0          [stack]\n");
		free(t);
		s = status(m, pid);
		assert_contains(s, "VmSize:\t     144 kB\n");
		assert_contains(s, "VmStk:\t     132 kB\n");
		assert_contains(s, "VmExe:\t       4 kB\n");
		assert_contains(s, "VmData:\t       8 kB\n");
		/* two-level: the pgd is not a page table for VmPTE; PAE: 4
		 * PMDs + PTI's user-side kernel PMD = 5 pages */
		assert_contains(s, pae ? "VmPTE:\t      20 kB\n" :
					 "VmPTE:\t       0 kB\n");
		free(s);
		if (!pae) {
			/* clone_pgd_range: PDEs 768..1023 are swapper's */
			for (unsigned i = 768; i < 1024; i++)
				assert_true(pt_read_entry(m, p->pgd, i) ==
					    pt_read_entry(m, m->swapper_pg_dir, i));
			assert_true(pt_read_entry(m, p->pgd, 0) == 0);
		} else {
			/* the kernel PMD is a copy of swapper's */
			phys_addr_t kp = pt_read_entry(m, m->swapper_pg_dir, 3) &
					 ~0xfffull;

			assert_true(p->pmds[3] != kp);
			for (unsigned i = 0; i < 512; i++)
				assert_true(pt_read_entry(m, p->pmds[3], i) ==
					    pt_read_entry(m, kp, i));
			assert_true(pt_read_entry(m, p->pgd, 0) ==
				    (p->pmds[0] | _PAGE_PRESENT));
			assert_int_equal(m->procs.nr_pgtable_pages, 5);
		}
		machine_free(m);
	}
}

static void test_layout_random(void **state)
{
	struct machine *a = boot_cmd(false, "", 7), *b = boot_cmd(false, "", 7);
	struct machine *c = boot_cmd(false, "", 8);
	const struct process *pa, *pb, *pc;

	(void)state;
	create(a);
	create(b);
	create(c);
	pa = mm_find_const(a, 1);
	pb = mm_find_const(b, 1);
	pc = mm_find_const(c, 1);
	/* deterministic in the seed */
	assert_int_equal(pa->mmap_base, pb->mmap_base);
	assert_int_equal(pa->start_brk, pb->start_brk);
	assert_int_equal(pa->vmas[3].end, pb->vmas[3].end);
	assert_true(pa->mmap_base != pc->mmap_base ||
		    pa->start_brk != pc->start_brk);
	/* 8 bits of mmap randomness below 0xb8000000 */
	assert_true(pa->mmap_base <= 0xb8000000u &&
		    pa->mmap_base >= 0xb8000000u - 0xff000u);
	assert_int_equal(pa->mmap_base & 0xfff, 0);
	/* brk within 32 MiB of the bss */
	assert_true(pa->start_brk >= 0x0804b000u &&
		    pa->start_brk < 0x0804b000u + 0x2000000u);
	/* the stack: 132 KiB ending at most 8 MiB + 8 KiB below TASK_SIZE */
	assert_int_equal(pa->vmas[3].end - pa->vmas[3].start, 0x21000);
	assert_true(pa->vmas[3].end <= 0xc0000000u &&
		    pa->vmas[3].end >= 0xc0000000u - 0x7ff000u - 0x2000u);
	machine_free(a);
	machine_free(b);
	machine_free(c);
}

/* --- faults ------------------------------------------------------------------ */

static void test_faults(void **state)
{
	(void)state;
	for (int pae = 0; pae < 2; pae++) {
		struct machine *m = boot(pae);
		uint32_t pid = create(m);
		struct fault_result fr;
		const struct process *p;
		uint64_t e;
		char *t;

		/* read of an untouched bss page: the zero page, read-only,
		 * and the PTE page it needed; error code USER (not present) */
		fr = touch(m, pid, 0x0804a000u, ACCESS_READ, true);
		assert_int_equal(fr.outcome, FAULT_HANDLED);
		assert_int_equal(fr.error_code, X86_PF_USER);
		assert_true(fr.zero_page);
		assert_int_equal(fr.tables_added, 1);
		assert_int_equal(fr.frames_taken, 0);
		p = mm_find_const(m, pid);
		e = mm_user_pte(m, p, 0x0804a000u);
		assert_true((e & ~0xfffull & ~_PAGE_NX) == m->image->empty_zero_page);
		assert_false(e & _PAGE_RW);
		/* CONFIG_HIGHPTE, which Debian sets for 686 and 686-pae
		 * alike: the PTE page came from HighMem */
		assert_true(pte_table_pfn_is_high(m, p, 0x0804a000u));
		/* a read again: no fault */
		fr = touch(m, pid, 0x0804a004u, ACCESS_READ, true);
		assert_int_equal(fr.outcome, FAULT_NONE);
		/* write: PROT|WRITE|USER; the zero page replaced by a frame
		 * from HighMem */
		fr = touch(m, pid, 0x0804a000u, ACCESS_WRITE, true);
		assert_int_equal(fr.outcome, FAULT_HANDLED);
		assert_int_equal(fr.error_code,
				 X86_PF_PROT | X86_PF_WRITE | X86_PF_USER);
		assert_int_equal(fr.frames_taken, 1);
		assert_true(fr.new_pfn >= m->layout.max_low_pfn);
		/* write to text: SIGSEGV SEGV_ACCERR */
		fr = touch(m, pid, 0x08048000u, ACCESS_WRITE, true);
		assert_int_equal(fr.outcome, FAULT_SIGSEGV);
		assert_int_equal(fr.si_code, SEGV_ACCERR);
		assert_int_equal(fr.error_code, X86_PF_WRITE | X86_PF_USER);
		/* below the stack: expand_stack() grows it to the page,
		 * within RLIMIT_STACK; 8 MiB below its top it is refused */
		fr = touch(m, pid, 0xbffde010u, ACCESS_WRITE, true);
		assert_int_equal(fr.outcome, FAULT_HANDLED);
		assert_true(fr.stack_grew);
		t = maps(m, pid);
		assert_contains(t, "bffde000-c0000000 rw-p 00000000 00:00 0          [stack]\n");
		free(t);
		fr = touch(m, pid, 0xbf7ff000u, ACCESS_READ, true);
		assert_int_equal(fr.outcome, FAULT_SIGSEGV);
		assert_int_equal(fr.si_code, SEGV_MAPERR);
		/* nothing mapped: SEGV_MAPERR */
		fr = touch(m, pid, 0x10000000u, ACCESS_READ, true);
		assert_int_equal(fr.outcome, FAULT_SIGSEGV);
		assert_int_equal(fr.si_code, SEGV_MAPERR);
		/* a kernel address from user mode: two-level: present but
		 * supervisor; PAE: PTI's user page tables do not map it */
		fr = touch(m, pid, 0xc1000000u, ACCESS_READ, true);
		assert_int_equal(fr.outcome, FAULT_SIGSEGV);
		assert_int_equal(fr.si_code, SEGV_MAPERR);
		assert_int_equal(fr.error_code, pae ? X86_PF_USER :
				 X86_PF_PROT | X86_PF_USER);
		/* kernel mode to an unmapped user address: -EFAULT fixup */
		fr = touch(m, pid, 0x10000000u, ACCESS_READ, false);
		assert_int_equal(fr.outcome, FAULT_EFAULT);
		/* exec from the (rw-) bss: PAE has NX, so the fetch faults
		 * PROT|INSTR|USER on the present page: SEGV_ACCERR; two-level
		 * paging cannot forbid it */
		fr = touch(m, pid, 0x0804a000u, ACCESS_EXEC, true);
		if (pae) {
			assert_int_equal(fr.outcome, FAULT_SIGSEGV);
			assert_int_equal(fr.si_code, SEGV_ACCERR);
			assert_int_equal(fr.error_code, X86_PF_PROT |
					 X86_PF_INSTR | X86_PF_USER);
		} else {
			assert_int_equal(fr.outcome, FAULT_NONE);
		}
		/* exec from text: a file page, then it runs */
		fr = touch(m, pid, 0x08048000u, ACCESS_EXEC, true);
		assert_int_equal(fr.outcome, FAULT_HANDLED);
		t = text(m, proc_meminfo);
		assert_contains(t, "\nAnonPages:             8 kB\n");
		free(t);
		t = status(m, pid);
		assert_contains(t, "RssAnon:\t       8 kB\n");
		assert_contains(t, "RssFile:\t       4 kB\n");
		free(t);
		machine_free(m);
	}
}

static void test_fork_cow(void **state)
{
	struct machine *m = boot(false);
	uint32_t pid = create(m), child = 0;
	struct mm_error err;
	struct fault_result fr;
	uint8_t b = 0x5a, r = 0;
	pfn_t shared;

	(void)state;
	assert_int_equal(mm_uaccess(m, pid, 0x0804a000u, &b, 1, true, true,
				    &err), MM_OK);
	shared = PFN_DOWN(mm_user_pte(m, mm_find_const(m, pid), 0x0804a000u));
	assert_int_equal(process_fork(m, pid, &child, &err), MM_OK);
	assert_int_equal(child, 2);
	/* both map the frame read-only, mapcount 2 */
	assert_int_equal(mm_frame_mapcount(m, shared), 2);
	assert_false(mm_user_pte(m, mm_find_const(m, pid), 0x0804a000u) &
		     _PAGE_RW);
	assert_true(PFN_DOWN(mm_user_pte(m, mm_find_const(m, child),
					 0x0804a000u)) == shared);
	/* the child reads the parent's byte */
	assert_int_equal(mm_uaccess(m, child, 0x0804a000u, &r, 1, false, true,
				    &err), MM_OK);
	assert_int_equal(r, 0x5a);
	/* the child writes: copy on write */
	fr = touch(m, child, 0x0804a000u, ACCESS_WRITE, true);
	assert_true(fr.cow_copy);
	assert_int_equal(fr.error_code, X86_PF_PROT | X86_PF_WRITE |
			 X86_PF_USER);
	assert_true(fr.new_pfn != shared);
	assert_int_equal(mm_frame_mapcount(m, shared), 1);
	assert_int_equal(mm_frame_mapcount(m, fr.new_pfn), 1);
	/* the copy has the contents */
	assert_int_equal(mm_uaccess(m, child, 0x0804a000u, &r, 1, false, true,
				    &err), MM_OK);
	assert_int_equal(r, 0x5a);
	/* the parent writes: mapped once now, reused */
	fr = touch(m, pid, 0x0804a000u, ACCESS_WRITE, true);
	assert_true(fr.cow_reuse);
	assert_int_equal(fr.new_pfn, shared);
	machine_free(m);
}

/* --- system calls --------------------------------------------------------------- */

static void test_mmap_munmap(void **state)
{
	struct machine *m = boot(false);
	uint32_t pid = create(m);
	struct mm_error err;
	vaddr_t a, out;
	char *t;

	(void)state;
	/* the highest gap below mmap_base */
	a = do_mmap(m, pid, 0, 0x2000, RW, ANON);
	assert_int_equal(a, 0xb7ffe000u);
	/* the next one below it, merged with it (same flags, anonymous) */
	a = do_mmap(m, pid, 0, 0x1000, RW, ANON);
	assert_int_equal(a, 0xb7ffd000u);
	t = maps(m, pid);
	assert_contains(t, "b7ffd000-b8000000 rw-p 00000000 00:00 0 \n");
	free(t);
	/* munmap the middle page: two VMAs */
	touch(m, pid, 0xb7ffe000u, ACCESS_WRITE, true);
	assert_int_equal(sys_munmap(m, pid, 0xb7ffe000u, 0x1000, &err), MM_OK);
	t = maps(m, pid);
	assert_contains(t, "b7ffd000-b7ffe000 rw-p 00000000 00:00 0 \n"
			   "b7fff000-b8000000 rw-p 00000000 00:00 0 \n");
	free(t);
	assert_int_equal(m->procs.nr_anon_pages, 0);
	/* a hint that is free is taken */
	a = do_mmap(m, pid, 0x40000000u, 0x1000, PROT_READ, ANON);
	assert_int_equal(a, 0x40000000u);
	/* errnos */
	assert_int_equal(sys_mmap(m, pid, 0, 0, RW, ANON, &out, &err),
			 MM_EINVAL);
	assert_string_equal(err.type, "EINVAL");
	assert_int_equal(sys_mmap(m, pid, 0, 4096, RW, MAP_ANONYMOUS, &out,
				  &err), MM_EINVAL);
	assert_int_equal(sys_mmap(m, pid, 0x40000800u, 4096, RW,
				  ANON | MAP_FIXED, &out, &err), MM_EINVAL);
	assert_int_equal(sys_mmap(m, pid, 0, 0xc0001000u, RW, ANON, &out,
				  &err), MM_EIMPOSSIBLE);
	assert_string_equal(err.type, "ENOMEM");
	assert_int_equal(sys_mmap(m, pid, 0xbffff000u, 0x2000, RW,
				  ANON | MAP_FIXED, &out, &err), MM_EIMPOSSIBLE);
	assert_string_equal(err.type, "ENOMEM");
	assert_int_equal(sys_mmap(m, pid, 0x40000000u, 0x1000, RW,
				  ANON | MAP_FIXED_NOREPLACE, &out, &err),
			 MM_EIMPOSSIBLE);
	assert_string_equal(err.type, "EEXIST");
	/* MAP_FIXED replaces */
	assert_int_equal(sys_mmap(m, pid, 0x40000000u, 0x1000, RW,
				  ANON | MAP_FIXED, &out, &err), MM_OK);
	/* max_map_count */
	/* do_mmap refuses when map_count > max_map_count: 7 VMAs (text,
	 * data, bss, 0x40000000, two at b7ff..., stack) pass a limit of 7,
	 * the 8th mapping is refused */
	m->procs.max_map_count = 7;
	assert_int_equal(sys_mmap(m, pid, 0x50000000u, 0x1000, PROT_EXEC,
				  ANON, &out, &err), MM_OK);
	assert_int_equal(sys_mmap(m, pid, 0x60000000u, 0x1000, PROT_EXEC,
				  ANON, &out, &err), MM_EIMPOSSIBLE);
	assert_string_equal(err.type, "ENOMEM");
	machine_free(m);
}

static void test_mprotect_brk(void **state)
{
	struct machine *m = boot(true);
	uint32_t pid = create(m);
	struct fault_result fr;
	struct mm_error err;
	vaddr_t a = do_mmap(m, pid, 0, 0x3000, RW, ANON), brk = 0;
	char *t;

	(void)state;
	touch(m, pid, a + 0x1000, ACCESS_WRITE, true);
	assert_int_equal(sys_mprotect(m, pid, a + 0x1000, 0x1000, PROT_READ,
				      &err), MM_OK);
	t = maps(m, pid);
	assert_contains(t, "b7ffd000-b7ffe000 rw-p 00000000 00:00 0 \n"
			   "b7ffe000-b7fff000 r--p 00000000 00:00 0 \n"
			   "b7fff000-b8000000 rw-p 00000000 00:00 0 \n");
	free(t);
	fr = touch(m, pid, a + 0x1000, ACCESS_WRITE, true);
	assert_int_equal(fr.outcome, FAULT_SIGSEGV);
	assert_int_equal(fr.si_code, SEGV_ACCERR);
	assert_int_equal(fr.error_code, X86_PF_PROT | X86_PF_WRITE |
			 X86_PF_USER);
	/* back to rw: merged again, the page writable again (mapped once) */
	assert_int_equal(sys_mprotect(m, pid, a + 0x1000, 0x1000, RW, &err),
			 MM_OK);
	t = maps(m, pid);
	assert_contains(t, "b7ffd000-b8000000 rw-p 00000000 00:00 0 \n");
	free(t);
	assert_int_equal(touch(m, pid, a + 0x1000, ACCESS_WRITE, true).outcome,
			 FAULT_NONE);
	/* PROT_NONE: the frame stays, the PTE loses its present bit; a read
	 * faults not-present and access_error refuses it: SEGV_ACCERR */
	assert_int_equal(sys_mprotect(m, pid, a, 0x1000, 0, &err), MM_OK);
	fr = touch(m, pid, a + 0x1000, ACCESS_READ, true);
	assert_int_equal(fr.outcome, FAULT_NONE);
	fr = touch(m, pid, a, ACCESS_READ, true);
	assert_int_equal(fr.outcome, FAULT_SIGSEGV);
	assert_int_equal(fr.si_code, SEGV_ACCERR);
	assert_int_equal(fr.error_code, X86_PF_USER);
	/* a kernel write (copy_to_user) to a read-only VMA: -EFAULT */
	assert_int_equal(mm_uaccess(m, pid, 0x08048000u, "x", 1, true, false,
				    &err), MM_EIMPOSSIBLE);
	assert_string_equal(err.type, "EFAULT");
	assert_int_equal(sys_mprotect(m, pid, a, 0x1000, RW, &err), MM_OK);
	/* a hole: ENOMEM */
	assert_int_equal(sys_mprotect(m, pid, 0x30000000u, 0x1000, RW, &err),
			 MM_EIMPOSSIBLE);
	assert_int_equal(sys_mprotect(m, pid, a + 1, 0x1000, RW, &err),
			 MM_EINVAL);

	/* brk: grows the bss VMA (norandmaps: the heap starts at its end) */
	assert_int_equal(sys_brk(m, pid, 0x0804d000u, &brk, &err), MM_OK);
	assert_int_equal(brk, 0x0804d000u);
	t = maps(m, pid);
	assert_contains(t, "0804a000-0804d000 rw-p 00000000 00:00 0          [heap]\n");
	free(t);
	touch(m, pid, 0x0804c000u, ACCESS_WRITE, true);
	assert_int_equal(m->procs.nr_anon_pages, 2);
	/* shrink frees the page */
	assert_int_equal(sys_brk(m, pid, 0x0804c000u, &brk, &err), MM_OK);
	assert_int_equal(brk, 0x0804c000u);
	assert_int_equal(m->procs.nr_anon_pages, 1);
	/* below start_brk: refused, the old break returned */
	assert_int_equal(sys_brk(m, pid, 0x08000000u, &brk, &err), MM_OK);
	assert_int_equal(brk, 0x0804c000u);
	machine_free(m);
}

/* --- exit restores the machine --------------------------------------------------- */

/* A process's life: mappings, faults of every kind, a fork with COW. */
static void workload(struct machine *m)
{
	uint32_t pid = create(m), child = 0;
	struct mm_error err;
	vaddr_t a = do_mmap(m, pid, 0, 0x400000, RW, ANON);
	vaddr_t sh = do_mmap(m, pid, 0, 0x2000, RW, MAP_SHARED | MAP_ANONYMOUS);
	vaddr_t brk;
	char *x;

	for (vaddr_t v = a; v < a + 0x400000; v += 0x20000)
		touch(m, pid, v, ACCESS_WRITE, true);
	touch(m, pid, sh, ACCESS_READ, true);
	touch(m, pid, 0x08048000u, ACCESS_EXEC, true);
	touch(m, pid, 0x0804a000u, ACCESS_READ, true);
	assert_int_equal(sys_brk(m, pid, mm_find_const(m, pid)->start_brk +
				 0x5000, &brk, &err), MM_OK);
	touch(m, pid, brk - 0x1000, ACCESS_WRITE, true);
	assert_int_equal(process_fork(m, pid, &child, &err), MM_OK);
	touch(m, child, a, ACCESS_WRITE, true);
	x = status(m, child);
	assert_contains(x, "RssShmem:\t       4 kB\n");
	free(x);
	assert_int_equal(process_exit(m, pid, &err), MM_OK);
	assert_int_equal(process_exit(m, child, &err), MM_OK);
	assert_int_equal(process_exit(m, child, &err), MM_ENOTFOUND);
	assert_int_equal(m->procs.nr_frames, 0);
}

/*
 * exit frees every frame and table: buddyinfo and meminfo are those of
 * the fresh machine.  pagetypeinfo too, except that a page-table or pgd
 * allocation may have stolen a pageblock for MIGRATE_UNMOVABLE, and the
 * kernel never gives a stolen pageblock its old type back; so the
 * second run of the same workload must leave pagetypeinfo exactly as the
 * first left it.
 */
static void test_exit_restores(void **state)
{
	(void)state;
	for (int pae = 0; pae < 2; pae++) {
		struct machine *m = boot_cmd(pae, "", 3);
		char *bi, *mi, *pt, *x;

		/* freed pages wait on the per-CPU lists, which buddyinfo and
		 * MemFree leave out: compare with every list drained */
		drain_all_pages(&m->pgdat);
		bi = text(m, proc_buddyinfo);
		mi = text(m, proc_meminfo);
		workload(m);
		drain_all_pages(&m->pgdat);
		x = text(m, proc_buddyinfo);
		assert_string_equal(x, bi);
		free(x);
		x = text(m, proc_meminfo);
		assert_string_equal(x, mi);
		free(x);
		pt = text(m, proc_pagetypeinfo);
		workload(m);
		drain_all_pages(&m->pgdat);
		x = text(m, proc_buddyinfo);
		assert_string_equal(x, bi);
		free(x);
		x = text(m, proc_meminfo);
		assert_string_equal(x, mi);
		free(x);
		x = text(m, proc_pagetypeinfo);
		assert_string_equal(x, pt);
		free(x);
		free(bi);
		free(mi);
		free(pt);
		machine_free(m);
	}
}

/* --- kernel side ---------------------------------------------------------------- */

static void test_vmalloc_sync(void **state)
{
	(void)state;
	for (int pae = 0; pae < 2; pae++) {
		struct machine *m = boot(pae);
		uint32_t pid = create(m);
		const struct process *p = mm_find_const(m, pid);
		struct vm_result r;
		struct mm_error err;
		struct fault_result fr;
		unsigned idx;
		phys_addr_t dir, sdir = m->swapper_pg_dir;

		/* 8 MiB of vmalloc needs new page tables: synced into the
		 * process's directory at once (arch_sync_kernel_mappings) */
		assert_int_equal(vmalloc(m, 8u << 20, &r, &err), MM_OK);
		assert_true(r.new_page_tables > 0);
		if (pae) {
			dir = p->pmds[3];
			sdir = pt_read_entry(m, sdir, 3) & ~0xfffull;
			idx = (r.addr >> 21) & 511;
		} else {
			dir = p->pgd;
			idx = r.addr >> 22;
		}
		assert_true(pt_read_entry(m, dir, idx) ==
			    pt_read_entry(m, sdir, idx));
		fr = touch(m, pid, r.addr, ACCESS_READ, false);
		assert_int_equal(fr.outcome, FAULT_NONE);
		/* without the sync: the lazy vmalloc_fault copies it */
		pt_write_entry(m, dir, idx, 0);
		fr = touch(m, pid, r.addr, ACCESS_READ, false);
		assert_int_equal(fr.outcome, FAULT_HANDLED);
		assert_true(fr.vmalloc_sync);
		assert_int_equal(fr.error_code, 0);
		assert_true(pt_read_entry(m, dir, idx) ==
			    pt_read_entry(m, sdir, idx));
		/* a kernel address with nothing behind it: oops */
		fr = touch(m, pid, m->layout.vmalloc_end - 0x1000, ACCESS_READ,
			   false);
		assert_int_equal(fr.outcome, FAULT_OOPS);
		machine_free(m);
	}
}

static void test_ops(void **state)
{
	struct machine *m = boot(false);
	json_t *res = NULL, *args;
	struct mm_error err;

	(void)state;
	assert_int_equal(api_op(m, "process_create", NULL, &res, &err), MM_OK);
	assert_int_equal(json_integer_value(json_object_get(res, "pid")), 1);
	json_decref(res);
	args = json_pack("{s:i, s:s, s:s}", "pid", 1, "addr", "0x0804a000",
			 "access", "write");
	assert_int_equal(api_op(m, "access", args, &res, &err), MM_OK);
	assert_string_equal(json_string_value(json_object_get(res, "outcome")),
			    "handled");
	json_decref(res);
	json_decref(args);
	args = json_pack("{s:i, s:s, s:s}", "pid", 1, "addr", "0x10000000",
			 "access", "read");
	assert_int_equal(api_op(m, "access", args, &res, &err), MM_OK);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(res, "signal"), "si_code")), "SEGV_MAPERR");
	json_decref(res);
	json_decref(args);
	args = json_pack("{s:i, s:i, s:s, s:s}", "pid", 1, "len", 4096,
			 "prot", "PROT_READ|PROT_WRITE",
			 "flags", "MAP_PRIVATE|MAP_ANONYMOUS");
	assert_int_equal(api_op(m, "mmap", args, &res, &err), MM_OK);
	assert_string_equal(json_string_value(json_object_get(res, "addr")),
			    "0xb7fff000");
	json_decref(res);
	json_decref(args);
	/* copy_to_user from the kernel's linear map, then read it back */
	args = json_pack("{s:i, s:s, s:s}", "pid", 1, "addr", "0xb7fff000",
			 "text", "hi");
	assert_int_equal(api_op(m, "uwrite", args, &res, &err), MM_OK);
	json_decref(res);
	json_decref(args);
	args = json_pack("{s:i, s:s, s:s, s:i}", "pid", 1, "uaddr",
			 "0xb7fff000", "kaddr", "0xc3000000", "len", 2);
	assert_int_equal(api_op(m, "copy_from_user", args, &res, &err), MM_OK);
	json_decref(res);
	json_decref(args);
	{
		uint8_t b[2];

		physmem_read(&m->mem, 0x3000000, b, 2);
		assert_memory_equal(b, "hi", 2);
	}
	args = json_pack("{s:i, s:s, s:s, s:i}", "pid", 1, "uaddr",
			 "0x10000000", "kaddr", "0xc3000000", "len", 2);
	assert_int_equal(api_op(m, "copy_to_user", args, &res, &err),
			 MM_EIMPOSSIBLE);
	assert_string_equal(err.type, "EFAULT");
	json_decref(args);
	args = json_pack("{s:i}", "pid", 1);
	assert_int_equal(api_op(m, "process_pagetables", args, &res, &err),
			 MM_OK);
	/* the user part first, then the kernel's entries */
	assert_contains(json_string_value(json_object_get(res, "text")),
			"---[ User Space ]---\n0x00000000-0x08000000      128M ");
	assert_contains(json_string_value(json_object_get(res, "text")),
			"0x0804a000-0x0804b000        4K USR     RW ");
	assert_contains(json_string_value(json_object_get(res, "text")),
			"---[ Kernel Mapping ]---\n");
	json_decref(res);
	assert_int_equal(api_op(m, "pagemap", args, &res, &err), MM_OK);
	assert_int_equal(json_array_size(json_object_get(res, "pages")), 2);
	json_decref(res);
	assert_int_equal(api_op(m, "exit", args, &res, &err), MM_OK);
	json_decref(res);
	/* the limits: one process at most, the second refused */
	{
		json_t *l = json_pack("{s:i}", "max_processes", 1);

		assert_int_equal(api_op(m, "proc_limits", l, &res, &err),
				 MM_OK);
		json_decref(res);
		json_decref(l);
		assert_int_equal(api_op(m, "process_create", NULL, &res, &err),
				 MM_OK);
		json_decref(res);
		assert_int_equal(api_op(m, "process_create", NULL, &res, &err),
				 MM_EIMPOSSIBLE);
		assert_string_equal(err.type, "EAGAIN");
	}
	assert_int_equal(api_op(m, "maps", args, &res, &err), MM_ENOTFOUND);
	json_decref(args);
	machine_free(m);
}

/* --- /proc/PID/status and the process list ------------------------------------ */

/*
 * The whole of /proc/PID/status as the model prints it: task_state()'s
 * lines, task_mem()'s with their 8-column values, then HugetlbPages,
 * CoreDumping and THP_enabled.  The parent wrote its bss and ran its
 * text, mapped 12 KiB and unmapped it again after the fork (VmPeak keeps
 * it); the child wrote the bss it shared: a copy that leaves its rss at
 * two pages (VmHWM must not count the copy and the original at once).
 */
static void test_status_text(void **state)
{
	(void)state;
	for (int pae = 0; pae < 2; pae++) {
		struct machine *m = boot(pae);
		uint32_t pid = create(m), child = 0;
		struct mm_error err;
		vaddr_t a;
		char *t, want[2048];
		static const char *const fmt =
			"Name:\tbusybox\n"
			"Umask:\t0022\n"
			"State:\tS (sleeping)\n"
			"Tgid:\t%u\n"
			"Ngid:\t0\n"
			"Pid:\t%u\n"
			"PPid:\t%u\n"
			"TracerPid:\t0\n"
			"Uid:\t0\t0\t0\t0\n"
			"Gid:\t0\t0\t0\t0\n"
			"FDSize:\t32\n"
			"Groups:\t \n"
			"NStgid:\t%u\n"
			"NSpid:\t%u\n"
			"NSpgid:\t1\n"
			"NSsid:\t1\n"
			"VmPeak:\t     156 kB\n"
			"VmSize:\t     %u kB\n"
			"VmLck:\t       0 kB\n"
			"VmPin:\t       0 kB\n"
			"VmHWM:\t       8 kB\n"
			"VmRSS:\t       8 kB\n"
			"RssAnon:\t       4 kB\n"
			"RssFile:\t       4 kB\n"
			"RssShmem:\t       0 kB\n"
			"VmData:\t      %2u kB\n"
			"VmStk:\t     132 kB\n"
			"VmExe:\t       4 kB\n"
			"VmLib:\t       0 kB\n"
			"VmPTE:\t      %2u kB\n"
			"VmSwap:\t       0 kB\n"
			"HugetlbPages:\t       0 kB\n"
			"CoreDumping:\t0\n"
			"THP_enabled:\t1\n";
		/* two-level: one PTE page; PAE: and the 5 PMD pages */
		unsigned pte = pae ? 24 : 4;

		touch(m, pid, 0x0804a000u, ACCESS_WRITE, true);
		touch(m, pid, 0x08048000u, ACCESS_EXEC, true);
		a = do_mmap(m, pid, 0, 0x3000, RW, ANON);
		assert_int_equal(a, 0xb7ffd000u);
		assert_int_equal(process_fork(m, pid, &child, &err), MM_OK);
		assert_true(touch(m, child, 0x0804a000u, ACCESS_WRITE,
				  true).cow_copy);
		assert_int_equal(sys_munmap(m, pid, a, 0x3000, &err), MM_OK);

		t = status(m, pid);
		snprintf(want, sizeof(want), fmt, 1, 1, 0, 1, 1, 144, 8, pte);
		assert_string_equal(t, want);
		free(t);
		/* the child still has the 12 KiB mapping: its peak is its
		 * size at the fork, not the parent's */
		t = status(m, child);
		snprintf(want, sizeof(want), fmt, 2, 2, 1, 2, 2, 156, 20, pte);
		assert_string_equal(t, want);
		free(t);
		machine_free(m);
	}
}

static char *processes_json(struct machine *m)
{
	json_t *r = NULL;
	struct mm_error err;
	char *t;

	assert_int_equal(api_op(m, "processes", NULL, &r, &err), MM_OK);
	t = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	return t;
}

/* The process list, and who is whose parent as processes come and go. */
static void test_processes_op(void **state)
{
	struct machine *m = boot(false);
	uint32_t pid = create(m), child = 0, grandchild = 0, other;
	struct mm_error err;
	char *t;

	(void)state;
	touch(m, pid, 0x0804a000u, ACCESS_WRITE, true);
	assert_int_equal(process_fork(m, pid, &child, &err), MM_OK);
	mm_find(m, pid, &err)->oom_score_adj = -500;
	t = processes_json(m);
	/* the parent's pgd is the first lowmem page GFP_KERNEL finds, the
	 * child's the next; each has the one PTE page of the bss */
	assert_string_equal(t, "{\"count\":2,\"max_processes\":64,"
		"\"processes\":["
		"{\"pid\":1,\"ppid\":0,\"comm\":\"busybox\",\"rss\":1,"
		"\"rss_anon\":1,\"rss_file\":0,\"rss_shmem\":0,\"vm_pages\":36,"
		"\"vmas\":4,\"pgd\":\"0x02001000\",\"page_tables\":1,"
		"\"oom_score_adj\":-500},"
		"{\"pid\":2,\"ppid\":1,\"comm\":\"busybox\",\"rss\":1,"
		"\"rss_anon\":1,\"rss_file\":0,\"rss_shmem\":0,\"vm_pages\":36,"
		"\"vmas\":4,\"pgd\":\"0x02002000\",\"page_tables\":1,"
		"\"oom_score_adj\":0}]}");
	free(t);

	/* a grandchild keeps the group and session of pid 1; when its
	 * parent goes, init (pid 1) adopts it; when init goes, nobody */
	assert_int_equal(process_fork(m, child, &grandchild, &err), MM_OK);
	assert_int_equal(mm_find_const(m, grandchild)->ppid, child);
	assert_int_equal(mm_find_const(m, grandchild)->pgid, 1);
	assert_int_equal(mm_find_const(m, grandchild)->sid, 1);
	assert_int_equal(process_exit(m, child, &err), MM_OK);
	assert_int_equal(mm_find_const(m, grandchild)->ppid, 1);
	other = create(m);
	assert_int_equal(mm_find_const(m, other)->ppid, 0);
	assert_int_equal(mm_find_const(m, other)->pgid, other);
	assert_int_equal(mm_find_const(m, other)->sid, other);
	assert_int_equal(process_exit(m, pid, &err), MM_OK);
	assert_int_equal(mm_find_const(m, grandchild)->ppid, 0);
	t = processes_json(m);
	assert_non_null(strstr(t, "\"count\":2,"));
	assert_non_null(strstr(t, "{\"pid\":3,\"ppid\":0,"));
	assert_non_null(strstr(t, "{\"pid\":4,\"ppid\":0,"));
	free(t);
	machine_free(m);
}

/* A user fault with no frame left: the OOM killer takes the process with
 * the largest rss + page tables, logs the kernel's line, and the fault
 * is retried. */
static void test_oom(void **state)
{
	struct machine_config c;
	struct machine *m = NULL;
	struct mm_error err;
	uint32_t a, b;
	vaddr_t va, vb;
	struct fault_result fr = { 0 };
	uint32_t n = 0;

	(void)state;
	machine_config_default(&c);
	c.boot = BOOT_BARE;
	c.ram = 64ull << 20;
	assert_int_equal(machine_boot(&c, &m, &err), MM_OK);
	a = create(m);
	b = create(m);
	va = do_mmap(m, a, 0, 24u << 20, RW, ANON);
	vb = do_mmap(m, b, 0, 48u << 20, RW, ANON);
	for (uint32_t off = 0; off < (24u << 20); off += PAGE_SIZE)
		assert_int_equal(touch(m, a, va + off, ACCESS_WRITE,
				       true).outcome, FAULT_HANDLED);
	for (uint32_t off = 0; off < (48u << 20); off += PAGE_SIZE, n++) {
		fr = touch(m, b, vb + off, ACCESS_WRITE, true);
		if (fr.nr_oom_killed)
			break;
		assert_int_equal(fr.outcome, FAULT_HANDLED);
	}
	/* a (6144 pages) is larger than b when memory runs out */
	assert_int_equal(fr.nr_oom_killed, 1);
	assert_int_equal(fr.oom_killed[0], a);
	assert_int_equal(fr.outcome, FAULT_HANDLED);
	assert_null(mm_find_const(m, a));
	assert_non_null(strstr(m->log.buf, "Out of memory: Killed process 1 "
			       "(busybox) total-vm:24720kB, anon-rss:24576kB, "
			       "file-rss:0kB, shmem-rss:0kB, UID:0 "));
	assert_true(n > 1000);
	assert_int_equal(process_exit(m, b, &err), MM_OK);
	assert_int_equal(m->procs.nr_frames, 0);
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_norandmaps),
		cmocka_unit_test(test_layout_random),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_fork_cow),
		cmocka_unit_test(test_mmap_munmap),
		cmocka_unit_test(test_mprotect_brk),
		cmocka_unit_test(test_exit_restores),
		cmocka_unit_test(test_vmalloc_sync),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_status_text),
		cmocka_unit_test(test_processes_op),
		cmocka_unit_test(test_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

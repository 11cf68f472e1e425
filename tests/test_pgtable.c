/*
 * test_pgtable.c - the kernel's page tables: the dump against the real
 * kernels' walks, exact MMU walks through every kind of region in both
 * paging modes, and bytes seen through two addresses of one frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "machine.h"
#include "memory.h"
#include "pgtable.h"
#include "procfs.h"
#include "vmalloc.h"
#include "helpers.h"

static struct machine *boot_cmdline(uint64_t ram, bool pae,
				    const char *cmdline)
{
	struct machine_config c;

	machine_config_default(&c);
	c.boot = BOOT_BARE;
	c.ram = ram;
	c.pae = pae;
	snprintf(c.cmdline, sizeof(c.cmdline), "%s", cmdline);
	return must_boot(&c);
}

static struct machine *boot(uint64_t ram, bool pae)
{
	return boot_cmdline(ram, pae, "");
}

/* --- the dump against the captures ------------------------------------------- */

#define NPAGES (1u << 18)	/* 4K pages in the kernel's 1 GiB from 0xc0000000 */

/* A dump expanded to one "flags level" text per 4 KiB page of the 3G/1G
 * kernel window, plus its section headers in order. */
struct expanded {
	char *what[NPAGES];	/* points into text (not owned) */
	char *text;		/* the dump, lines cut at column 31 */
	char headers[1024];
};

static struct expanded *expand(const char *dump)
{
	struct expanded *x = calloc(1, sizeof(*x));
	char *p;

	x->text = strdup(dump);
	for (p = x->text; *p;) {
		char *nl = strchr(p, '\n');
		unsigned long long s, e;

		if (nl)
			*nl = '\0';
		if (!strncmp(p, "---[", 4)) {
			strncat(x->headers, p, sizeof(x->headers) -
				strlen(x->headers) - 2);
			strcat(x->headers, "\n");
		} else if (sscanf(p, "0x%llx-0x%llx", &s, &e) == 2 &&
			   strlen(p) > 31) {
			if (!e)
				e = 1ull << 32;
			for (unsigned long long a = s; a < e; a += 4096)
				if (a >= 0xc0000000ull)
					x->what[(a - 0xc0000000ull) >> 12] = p + 31;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return x;
}

static void expanded_free(struct expanded *x)
{
	free(x->text);
	free(x);
}

struct window { uint32_t start, end; };

static void compare_dump(const char *file, uint64_t ram, bool pae,
			 const char *cmdline, const struct window *skip,
			 size_t nskip)
{
	char *cap = capture_load(file);
	char *walk = capture_section(cap,
		"page table walk (swapper_pg_dir via /proc/kcore)");
	struct machine *m = boot_cmdline(ram, pae, cmdline);
	struct strbuf sb = STRBUF_INIT;
	struct expanded *real, *mod;
	uint32_t hole = ALIGN_UP(m->layout.high_memory, m->layout.pmd_size);

	assert_non_null(walk);
	ptdump_kernel(m, &sb);
	real = expand(strstr(walk, "---[ User Space"));
	mod = expand(sb.buf);
	assert_string_equal(mod->headers, real->headers);
	for (unsigned i = 0; i < NPAGES; i++) {
		uint32_t va = 0xc0000000u + (i << 12);
		bool skipped = va >= hole && va < m->layout.vmalloc_end;

		for (size_t k = 0; k < nskip; k++)
			skipped |= va >= skip[k].start && va < skip[k].end;
		if (skipped)
			continue;
		if (!real->what[i] || !mod->what[i] ||
		    strcmp(real->what[i], mod->what[i]))
			fail_msg("%s: page 0x%08x: model \"%s\", real \"%s\"",
				 file, va, mod->what[i] ? mod->what[i] : "-",
				 real->what[i] ? real->what[i] : "-");
	}
	expanded_free(real);
	expanded_free(mod);
	sb_free(&sb);
	machine_free(m);
	free(walk);
	free(cap);
}

/* Everywhere but the vmalloc area, whose contents are the drivers' (ACPI,
 * HPET, BPF, crypto, tty) the model does not have, and the 8 MiB hole
 * before it whose page tables those drivers' areas brought in. */
static void test_dump_2g(void **state)
{
	(void)state;
	compare_dump("686-m2G.txt", 2ull << 30, false, "", NULL, 0);
}

static void test_dump_pae_2g(void **state)
{
	(void)state;
	compare_dump("686-pae-m2G.txt", 2ull << 30, true, "", NULL, 0);
}

static void test_dump_vmalloc256(void **state)
{
	(void)state;
	/* the capture booted with vmalloc=256M: lowmem ends 128 MiB lower */
	compare_dump("686-m2G-vmalloc256M.txt", 2ull << 30, false,
		     "vmalloc=256M", NULL, 0);
}

/* The 512M kernel had one more read-only page in the linear map, at
 * 0xc21ae000, which some driver set read-only at run time; that split the
 * 4 MiB page around it.  The model has no such driver. */
static void test_dump_512m(void **state)
{
	static const struct window skip[] = { { 0xc2000000u, 0xc2400000u } };

	(void)state;
	compare_dump("686-m512M.txt", 512ull << 20, false, "", skip, 1);
}

/* --- walks -------------------------------------------------------------------- */

static struct pt_walk walk(struct machine *m, uint32_t va, enum pt_access a,
			   bool user)
{
	struct pt_walk w;

	pt_walk(m, m->swapper_pg_dir, va, a, user, &w);
	return w;
}

static void test_walks_two_level(void **state)
{
	struct machine *m = boot(2ull << 30, false);
	struct pt_walk w;

	(void)state;
	/* kernel text: one 4 MiB read-only global page, PDE 772 */
	w = walk(m, 0xc1000000u, ACCESS_READ, false);
	assert_true(w.ok);
	assert_int_equal(w.nsteps, 1);
	assert_int_equal(w.step[0].table, 0x1e74000);	/* swapper_pg_dir */
	assert_int_equal(w.step[0].index, 772);
	assert_int_equal(w.step[0].entry_addr, 0x1e74000 + 772 * 4);
	/* P|A|D|PS|G = 0x1e1, no RW */
	assert_int_equal(w.step[0].entry, 0x010001e1);
	assert_int_equal(w.page_shift, 22);
	assert_int_equal(w.pa, 0x1000000);

	/* writing kernel text: a protection fault even for the kernel */
	w = walk(m, 0xc1000000u, ACCESS_WRITE, false);
	assert_false(w.ok);
	assert_int_equal(w.error_code, X86_PF_PROT | X86_PF_WRITE);

	/* the last lowmem page: 4 KiB, in the PTE page taken first from
	 * pgt_buf, after head_32.S's nine page tables and the DMI page in
	 * brk */
	w = walk(m, 0xf6bfd123u, ACCESS_WRITE, false);
	assert_true(w.ok);
	assert_int_equal(w.nsteps, 2);
	assert_int_equal(w.step[1].table, 0x1ee6000 + 10 * 4096);
	assert_int_equal(w.step[1].index, 1021);
	assert_int_equal(w.step[1].entry, 0x36bfd163);	/* P|RW|A|D|G */
	assert_int_equal(w.pa, 0x36bfd123);

	/* the 8 MiB hole after lowmem: no page table at all */
	w = walk(m, 0xf6c00000u, ACCESS_READ, false);
	assert_false(w.ok);
	assert_int_equal(w.fault_step, 0);
	assert_int_equal(w.error_code, 0);

	/* pkmap: the page table exists, no slot is mapped yet */
	w = walk(m, m->layout.pkmap_base, ACCESS_READ, false);
	assert_false(w.ok);
	assert_int_equal(w.fault_step, 1);
	assert_true(w.step[0].present);

	/* fixmap slot 3: the local APIC, uncached */
	w = walk(m, 0xfffff000u - 3 * 4096, ACCESS_READ, false);
	assert_true(w.ok);
	assert_int_equal(w.pa, 0xfee00000u);
	assert_true(w.prot & _PAGE_PCD);
	assert_true(w.prot & _PAGE_PWT);

	/* the CPU entry area's read-only IDT is the kernel's idt_table */
	w = walk(m, m->layout.cpu_entry_area_base, ACCESS_READ, false);
	assert_true(w.ok);
	assert_int_equal(w.pa, 0x1e76000);
	assert_false(w.prot & _PAGE_RW);

	/* user space: swapper_pg_dir maps nothing below PAGE_OFFSET */
	w = walk(m, 0x08048000u, ACCESS_READ, true);
	assert_false(w.ok);
	assert_int_equal(w.error_code, X86_PF_USER);

	/* a user-mode read of a kernel page */
	w = walk(m, 0xc2000000u, ACCESS_READ, true);
	assert_false(w.ok);
	assert_int_equal(w.error_code, X86_PF_PROT | X86_PF_USER);

	/* no NX without PAE: an exec of data is allowed, and reports no
	 * instruction-fetch bit */
	w = walk(m, 0xc2000000u, ACCESS_EXEC, false);
	assert_true(w.ok);
	machine_free(m);
}

static void test_walks_pae(void **state)
{
	struct machine *m = boot(2ull << 30, true);
	struct pt_walk w;

	(void)state;
	/* PDPT entry 3 -> the kernel PMD at the start of .bss (0x1e94000),
	 * which holds only P */
	w = walk(m, 0xc0001000u, ACCESS_READ, false);
	assert_true(w.ok);
	assert_int_equal(w.nsteps, 3);
	assert_int_equal(w.step[0].table, 0x1e98000);
	assert_int_equal(w.step[0].index, 3);
	assert_int_equal(w.step[0].entry, 0x1e94001);
	assert_int_equal(w.step[1].table, 0x1e94000);
	assert_int_equal(w.step[1].index, 0);
	assert_int_equal(w.step[2].index, 1);
	/* PAGE_KERNEL with NX, not global under PTI: P|RW|A|D = 0x63 */
	assert_int_equal(w.step[2].entry, 0x8000000000001063ull);
	assert_int_equal(w.pa, 0x1000);

	/* executing data: an instruction fetch from an NX page */
	w = walk(m, 0xc0001000u, ACCESS_EXEC, false);
	assert_false(w.ok);
	assert_int_equal(w.error_code, X86_PF_PROT | X86_PF_INSTR);

	/* kernel text in a 2 MiB page, global, executable */
	w = walk(m, 0xc1000000u, ACCESS_EXEC, false);
	assert_true(w.ok);
	assert_int_equal(w.nsteps, 2);
	assert_int_equal(w.page_shift, 21);
	assert_true(w.prot & _PAGE_GLOBAL);

	/* a user address: PDPT entry 0 is not present */
	w = walk(m, 0x08048000u, ACCESS_WRITE, true);
	assert_false(w.ok);
	assert_int_equal(w.fault_step, 0);
	assert_int_equal(w.error_code, X86_PF_WRITE | X86_PF_USER);
	machine_free(m);
}

/* One frame, two addresses: bytes written at the physical address are
 * there through the linear map, and the other way round. */
static void test_aliasing(void **state)
{
	struct machine *m = boot(2ull << 30, false);
	struct pt_walk w;
	char buf[8] = { 0 };

	(void)state;
	physmem_write(&m->mem, 0x3000000, "mmlab!", 6);
	w = walk(m, 0xc3000000u, ACCESS_READ, false);
	assert_true(w.ok);
	physmem_read(&m->mem, w.pa, buf, 6);
	assert_string_equal(buf, "mmlab!");
	/* an unwritten page reads as zeros */
	physmem_read(&m->mem, 0x3001000, buf, 6);
	assert_int_equal(buf[0], 0);
	machine_free(m);
}

static void test_direct_map(void **state)
{
	struct machine *m = boot(2ull << 30, false);
	uint32_t small, large;

	(void)state;
	/* the first 4 MiB, the 4 MiB holding the end of rodata, and the
	 * 1022 pages of the last partial 4 MiB are in 4 KiB pages: the
	 * real kernel's DirectMap4k is 12280 kB */
	direct_map_counts(m, &small, &large);
	assert_int_equal(small * 4, 12280);
	assert_int_equal(large * 4096, 884736);
	machine_free(m);
}

/* A reserved bit in a PAE PTE (bit 40: above the 36 physical address
 * bits) makes the walk fault with RSVD, whatever the access. */
static void test_reserved_bit(void **state)
{
	struct machine *m = boot(2ull << 30, true);
	struct pt_walk w = walk(m, 0xc0001000u, ACCESS_READ, false);
	uint64_t e = w.step[2].entry | (1ull << 40);

	(void)state;
	pt_write_entry(m, w.step[2].table, w.step[2].index, e);
	w = walk(m, 0xc0001000u, ACCESS_READ, false);
	assert_false(w.ok);
	assert_int_equal(w.fault_step, 2);
	assert_int_equal(w.error_code, X86_PF_RSVD | X86_PF_PROT);
	machine_free(m);
}

/* A vmalloc page: a PDE made for the area, a 4 KiB PTE to a HighMem
 * frame; the guard page after it is not present. */
static void test_vmalloc_walk_and_guard(void **state)
{
	struct machine *m = boot(2ull << 30, false);
	struct vm_result r;
	struct mm_error err;
	struct pt_walk w;

	(void)state;
	assert_int_equal(vmalloc(m, 4096, &r, &err), MM_OK);
	assert_int_equal(r.addr, m->layout.vmalloc_start);
	w = walk(m, r.addr, ACCESS_WRITE, false);
	assert_true(w.ok);
	assert_int_equal(w.nsteps, 2);
	assert_int_equal(w.page_shift, 12);
	assert_true(PFN_DOWN(w.pa) >= m->layout.max_low_pfn);	/* HighMem */
	w = walk(m, r.addr + 4096, ACCESS_READ, false);
	assert_false(w.ok);
	assert_int_equal(w.fault_step, 1);			/* the PTE */
	assert_int_equal(w.error_code, 0);
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_2g),
		cmocka_unit_test(test_dump_pae_2g),
		cmocka_unit_test(test_dump_512m),
		cmocka_unit_test(test_dump_vmalloc256),
		cmocka_unit_test(test_walks_two_level),
		cmocka_unit_test(test_walks_pae),
		cmocka_unit_test(test_aliasing),
		cmocka_unit_test(test_reserved_bit),
		cmocka_unit_test(test_vmalloc_walk_and_guard),
		cmocka_unit_test(test_direct_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

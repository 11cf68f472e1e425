/*
 * test_setup.c - e820 editing, the command line, and the layout formulas
 * for configurations the captures do not cover, each worked out by hand
 * from the 6.1 formulas (see the comments) rather than taken from the
 * model's own output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "e820.h"
#include "machine.h"
#include "procfs.h"
#include "helpers.h"

static struct machine *boot(uint64_t ram, bool pae, enum vmsplit s,
			    const char *cmdline)
{
	struct machine_config c;

	machine_config_default(&c);
	c.ram = ram;
	c.pae = pae;
	c.vmsplit = s;
	snprintf(c.cmdline, sizeof(c.cmdline), "%s", cmdline);
	return must_boot(&c);
}

static void assert_log_has(const struct machine *m, const char *line)
{
	if (!strstr(m->log.buf, line))
		fail_msg("boot log lacks \"%s\"\n%s", line, m->log.buf);
}

/* --- e820 -------------------------------------------------------------------- */

static void test_e820_qemu_4g(void **state)
{
	struct e820_table t;

	(void)state;
	/* >= 3.5 GiB: QEMU keeps 3 GiB below the PCI hole, the rest at 4G */
	e820_qemu_default(&t, 4ull << 30);
	e820_update_table(&t);
	assert_int_equal(t.nr_entries, 7);
	assert_int_equal(t.entries[3].addr, 0x100000);
	assert_int_equal(t.entries[3].addr + t.entries[3].size, 0xbffe0000ull);
	assert_int_equal(t.entries[4].type, E820_TYPE_RESERVED);
	assert_int_equal(t.entries[6].addr, 1ull << 32);
	assert_int_equal(t.entries[6].size, 1ull << 30);
	assert_int_equal(t.entries[6].type, E820_TYPE_RAM);
}

static void test_e820_sanitize(void **state)
{
	struct e820_table t = { 0 };

	(void)state;
	/* overlapping: reserved wins over RAM; touching RAM merges */
	e820_range_add(&t, 0x100000, 0x100000, E820_TYPE_RAM);
	e820_range_add(&t, 0x200000, 0x100000, E820_TYPE_RAM);
	e820_range_add(&t, 0x180000, 0x10000, E820_TYPE_RESERVED);
	e820_update_table(&t);
	assert_int_equal(t.nr_entries, 3);
	assert_int_equal(t.entries[0].addr, 0x100000);
	assert_int_equal(t.entries[0].size, 0x80000);
	assert_int_equal(t.entries[1].type, E820_TYPE_RESERVED);
	assert_int_equal(t.entries[2].addr, 0x190000);
	assert_int_equal(t.entries[2].size, 0x300000 - 0x190000);
}

static void test_e820_remove_logs(void **state)
{
	struct e820_table t = { 0 };
	struct strbuf log = STRBUF_INIT;

	(void)state;
	e820_range_add(&t, 0, 0x80000000ull, E820_TYPE_RAM);
	e820_range_remove(&t, 0x40000000ull, UINT64_MAX - 0x40000000ull,
			  E820_TYPE_RAM, true, &log);
	assert_string_equal(log.buf, "e820: remove [mem 0x40000000-"
			    "0xfffffffffffffffe] usable\n");
	assert_int_equal(t.entries[0].size, 0x40000000ull);
	sb_free(&log);
}

/* --- the command line ------------------------------------------------------- */

static void test_memparse(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(memparse("256M", &v), 4);
	assert_int_equal(v, 256ull << 20);
	assert_int_equal(memparse("0x1000k", &v), 7);
	assert_int_equal(v, 0x1000ull << 10);
	assert_int_equal(memparse("1G@", &v), 2);
	assert_int_equal(memparse("x", &v), 0);
	/* the kernel's command line reads C numbers: 0100 is octal there */
	assert_int_equal(memparse("0100M", &v), 5);
	assert_int_equal(v, 0100ull << 20);
}

static void test_bootparams(void **state)
{
	struct bootparams bp;
	struct mm_error err = { 0 };

	(void)state;
	assert_int_equal(bootparams_parse("quiet mem=1G memmap=64M$0x10000000,"
		"16M@0x50000000 vmalloc=256M highmem=\"512M\" -- mem=8M",
		&bp, &err), MM_OK);
	assert_int_equal(bp.nr_edits, 3);	/* "-- mem=8M" belongs to init */
	assert_int_equal(bp.edits[0].kind, 'm');
	assert_int_equal(bp.edits[1].kind, '$');
	assert_int_equal(bp.edits[1].start, 0x10000000);
	assert_int_equal(bp.edits[2].kind, '@');
	assert_int_equal(bp.vmalloc, 256ull << 20);
	assert_int_equal(bp.highmem, 512ull << 20);

	assert_int_equal(bootparams_parse("mem=lots", &bp, &err), MM_EINVAL);
	assert_string_equal(err.field, "cmdline");
	assert_non_null(strstr(err.detail, "mem=lots"));
	assert_int_equal(bootparams_parse("memmap=64M%0x1000", &bp, &err),
			 MM_EINVAL);
	assert_int_equal(bootparams_parse("vmalloc=", &bp, &err), MM_EINVAL);
	assert_int_equal(bootparams_parse("reservetop=2G", &bp, &err),
			 MM_EINVAL);
	assert_non_null(strstr(err.detail, "at most 1G"));
	assert_int_equal(bootparams_parse("mem=99999999999999999999", &bp,
					  &err), MM_EINVAL);
}

static void test_config_errors(void **state)
{
	struct machine_config c;
	struct mm_error err = { 0 };
	struct machine *m;

	(void)state;
	machine_config_default(&c);
	c.ram = 12 << 10;
	assert_int_equal(machine_boot(&c, &m, &err), MM_EINVAL);
	assert_null(m);
	assert_string_equal(err.field, "ram");
	assert_string_equal(err.type, "bad-config");

	machine_config_default(&c);
	c.pae = true;
	c.vmsplit = VMSPLIT_2G_OPT;
	assert_int_equal(machine_boot(&c, &m, &err), MM_EINVAL);
	assert_string_equal(err.field, "vmsplit");

	machine_config_default(&c);
	c.cpus = 33;
	assert_int_equal(machine_boot(&c, &m, &err), MM_EINVAL);
	assert_string_equal(err.field, "cpus");

	/* mem=24M cuts RAM below the end of the kernel image at 32 MiB */
	machine_config_default(&c);
	strcpy(c.cmdline, "mem=24M");
	assert_int_equal(machine_boot(&c, &m, &err), MM_EIMPOSSIBLE);
	assert_string_equal(err.type, "unbootable");

	/* vmalloc=1G leaves no lowmem in a 1G kernel window */
	machine_config_default(&c);
	strcpy(c.cmdline, "vmalloc=1G");
	assert_int_equal(machine_boot(&c, &m, &err), MM_EINVAL);
	assert_string_equal(err.field, "cmdline");
}

/* --- layouts the captures do not show ---------------------------------------- */

static void test_split_2g(void **state)
{
	struct machine *m = boot(2ull << 30, false, VMSPLIT_2G, "");

	(void)state;
	/* the top of the map does not depend on the split; MAXMEM does:
	 * 0xfebfe000 - 0x80000000 - 128M = 0x76bfe000, less than 2 GiB */
	assert_int_equal(m->layout.vmalloc_end, 0xfebfe000u);
	assert_int_equal(m->layout.max_low_pfn, 0x76bfe);
	assert_int_equal(m->layout.high_memory, 0xf6bfe000u);
	assert_log_has(m, "1899MB LOWMEM available.");
	machine_free(m);
}

static void test_split_1g_pae_4g(void **state)
{
	struct machine *m = boot(4ull << 30, true, VMSPLIT_1G, "");

	(void)state;
	/* QEMU: 3G below the hole, 1G at 4G; PAE reaches it: max_pfn
	 * 0x140000.  PAE's pkmap is one 2 MiB PMD: VMALLOC_END 0xfeffe000,
	 * MAXMEM = 0xfeffe000 - 0x40000000 - 128M = 0xb6ffe000 */
	assert_int_equal(m->layout.max_pfn, 0x140000);
	assert_int_equal(m->layout.max_low_pfn, 0xb6ffe);
	assert_int_equal(m->layout.high_memory, 0xf6ffe000u);
	assert_log_has(m, "last_pfn = 0x140000 max_arch_pfn = 0x1000000");
	machine_free(m);
}

static void test_nonpae_8g_ignores_high_ram(void **state)
{
	struct machine *m = boot(8ull << 30, false, VMSPLIT_3G, "");

	(void)state;
	/* the RAM at 4G starts at the 32-bit limit and is skipped */
	assert_int_equal(m->layout.max_pfn, 0xbffe0);
	assert_log_has(m, "last_pfn = 0xbffe0 max_arch_pfn = 0x100000");
	assert_log_has(m, "BIOS-e820: [mem 0x0000000100000000-"
		       "0x000000023fffffff] usable");
	assert_int_equal(m->pgdat.node_end_pfn, 0xbffe0);
	machine_free(m);
}

static void test_split_3g_opt(void **state)
{
	struct machine *m = boot(1ull << 30, false, VMSPLIT_3G_OPT, "");

	(void)state;
	/* 0xfebfe000 - 0xb0000000 - 128M = 1131 MiB: a full 1G is lowmem */
	assert_int_equal(m->layout.max_low_pfn, 0x3ffe0);
	assert_int_equal(m->layout.high_memory, 0xeffe0000u);
	assert_log_has(m, "0MB HIGHMEM available.");
	machine_free(m);
}

static void test_reservetop(void **state)
{
	struct machine *m = boot(2ull << 30, false, VMSPLIT_3G, "reservetop=16M");

	(void)state;
	/* round_down(-16M, 4M) - 4K = 0xfefff000; 583 permanent and 1537
	 * total fixmap slots; CPU entry area 1377 pages below, 4M aligned */
	assert_int_equal(m->layout.fixaddr_top, 0xfefff000u);
	assert_int_equal(m->layout.fixaddr_start, 0xfedb8000u);
	assert_int_equal(m->layout.cpu_entry_area_base, 0xfe400000u);
	assert_int_equal(m->layout.ldt_base, 0xfe000000u);
	assert_int_equal(m->layout.pkmap_base, 0xfdc00000u);
	assert_int_equal(m->layout.vmalloc_end, 0xfdbfe000u);
	assert_int_equal(m->layout.max_low_pfn, 0x35bfe);
	assert_log_has(m, "Reserving virtual address space above 0xff000000 "
		       "(rounded to 0xff000000)");
	machine_free(m);
}

static void test_vmalloc_512m(void **state)
{
	struct machine *m = boot(2ull << 30, false, VMSPLIT_3G, "vmalloc=512M");
	struct meminfo mi;

	(void)state;
	/* __VMALLOC_RESERVE = 512M + 8M: MAXMEM 0x1e3fe000 */
	assert_int_equal(m->layout.max_low_pfn, 0x1e3fe);
	assert_int_equal(m->layout.vmalloc_start, 0xdebfe000u);
	si_meminfo(m, &mi);
	assert_int_equal(mi.vmalloc_total_kb, 512 * 1024);
	machine_free(m);
}

static void test_highmem_param(void **state)
{
	struct machine *m;

	(void)state;
	/* all RAM fits lowmem, highmem=256M carves 65536 pages off */
	m = boot(512ull << 20, false, VMSPLIT_3G, "highmem=256M");
	assert_int_equal(m->layout.max_low_pfn, 0x1ffe0 - 0x10000);
	assert_log_has(m, "256MB HIGHMEM available.");
	assert_int_equal(m->pgdat.node_zones[ZONE_HIGHMEM].present_pages,
			 0x10000);
	machine_free(m);

	/* more RAM than lowmem, highmem=1G caps max_pfn at 0x36bfe + 1G */
	m = boot(2ull << 30, false, VMSPLIT_3G, "highmem=1G");
	assert_int_equal(m->layout.max_pfn, 0x36bfe + 0x40000);
	assert_log_has(m, "1024MB HIGHMEM available.");
	machine_free(m);

	/* too big for what there is: the kernel says so and ignores it */
	m = boot(512ull << 20, false, VMSPLIT_3G, "highmem=1G");
	assert_log_has(m, "highmem size (1024MB) is bigger than pages "
		       "available (511MB)!");
	assert_int_equal(m->layout.max_low_pfn, 0x1ffe0);
	machine_free(m);
}

static void test_mem_and_memmap(void **state)
{
	struct machine *m;

	(void)state;
	m = boot(2ull << 30, false, VMSPLIT_3G, "mem=1G");
	assert_log_has(m, "e820: remove [mem 0x40000000-0xfffffffffffffffe] "
		       "usable");
	assert_log_has(m, "user-defined physical RAM map:");
	assert_log_has(m, "user: [mem 0x0000000000100000-0x000000003fffffff] "
		       "usable");
	assert_int_equal(m->layout.max_pfn, 0x40000);
	assert_log_has(m, "148MB HIGHMEM available.");
	machine_free(m);

	/* 64M reserved in the middle of RAM: a hole in Normal's present */
	m = boot(2ull << 30, false, VMSPLIT_3G, "memmap=64M$0x10000000");
	assert_log_has(m, "user: [mem 0x0000000010000000-0x0000000013ffffff] "
		       "reserved");
	assert_int_equal(m->pgdat.node_zones[ZONE_NORMAL].spanned_pages -
			 m->pgdat.node_zones[ZONE_NORMAL].present_pages,
			 0x4000);
	machine_free(m);
}

static void test_many_cpus_log_buf(void **state)
{
	struct machine_config c;
	struct machine *m;
	struct mm_error err;

	(void)state;
	/* 31 extra CPUs x 4K > 64K: the log grows to roundup(124K+128K) */
	machine_config_default(&c);
	c.cpus = 32;
	assert_int_equal(machine_boot(&c, &m, &err), MM_OK);
	assert_log_has(m, "printk: log_buf_len: 262144 bytes");
	assert_log_has(m, "setup_percpu: NR_CPUS:32 nr_cpumask_bits:32 "
		       "nr_cpu_ids:32 nr_node_ids:1");
	assert_int_equal(m->percpu_pages, 33 * 32);
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e820_qemu_4g),
		cmocka_unit_test(test_e820_sanitize),
		cmocka_unit_test(test_e820_remove_logs),
		cmocka_unit_test(test_memparse),
		cmocka_unit_test(test_bootparams),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_split_2g),
		cmocka_unit_test(test_split_1g_pae_4g),
		cmocka_unit_test(test_nonpae_8g_ignores_high_ram),
		cmocka_unit_test(test_split_3g_opt),
		cmocka_unit_test(test_reservetop),
		cmocka_unit_test(test_vmalloc_512m),
		cmocka_unit_test(test_highmem_param),
		cmocka_unit_test(test_mem_and_memmap),
		cmocka_unit_test(test_many_cpus_log_buf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

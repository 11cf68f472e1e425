/*
 * test_boot_hash.c - the memory set-up's boot-log lines and a booted
 * machine's hash tables on configurations beyond the four captures
 * (test_golden.c holds them to the captures): the kernel's sizing
 * formulas on a 64 MiB two-level machine and an 8 GiB PAE one with 12
 * CPUs, the tables as real allocations with their names, the vmalloc
 * path and its halving, the W+X walk, and a bare machine that prints no
 * initcall's line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"
#include "boot_hash.h"
#include "machine.h"
#include "page_alloc.h"
#include "pgtable.h"
#include "procfs.h"
#include "vmalloc.h"
#include "helpers.h"

static struct machine *boot_with(uint64_t ram, bool pae, unsigned cpus,
				 enum boot_state boot)
{
	struct machine_config c;

	machine_config_default(&c);
	c.ram = ram;
	c.pae = pae;
	c.cpus = cpus;
	c.boot = boot;
	return must_boot(&c);
}

static char *dmesg(const struct machine *m)
{
	struct strbuf sb = STRBUF_INIT;

	proc_dmesg(m, &sb);
	return sb_detach(&sb);
}

/* The line in text that starts with prefix (after any timestamp), as a
 * string of its own ("" when there is none). */
static void line_of(const char *text, const char *prefix, char *out,
		    size_t len)
{
	const char *p = text;

	out[0] = '\0';
	while (*p) {
		const char *s = p, *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (*s == '[' && s[1] == ' ' && (s = strchr(s, ']')))
			s += 2;
		else
			s = p;
		if (!strncmp(s, prefix, strlen(prefix))) {
			n -= (size_t)(s - p);
			snprintf(out, len, "%.*s", (int)n, s);
			return;
		}
		p += n + (e ? 1 : 0);
	}
}

/* want is a whole line; the line compared is the one that starts like
 * it (up to " entries:", or its first half). */
static void assert_line(const char *text, const char *want)
{
	char got[256];
	const char *colon = strstr(want, " entries:");
	size_t n = colon ? (size_t)(colon - want) : strlen(want) / 2;
	char prefix[128];

	snprintf(prefix, sizeof(prefix), "%.*s", (int)n, want);
	line_of(text, prefix, got, sizeof(got));
	assert_string_equal(got, want);
}

/*
 * 64 MiB, two-level: QEMU's map gives DMA 3998 present pages and Normal
 * 12256 (0x1000-0x3fe0); their memmaps cost 40 and 120 pages, so
 * nr_kernel_pages = 3958 + 12136 = 16094, rounded up to a MiB (256
 * pages): 16128.  Each table: entries = 16128 pages >> (scale - 12), at
 * least a page of buckets, rounded up to a power of two, then the
 * caller's limits:
 *   Mount-cache  scale 19, 4 B: 16128 >> 7 = 126 -> 504 B < a page -> 1024
 *   IP idents    scale 16, 8 B: 1008 -> 1024, low limit 2048 -> 2048
 *   tcp_listen   scale 21, 8 B: 31 -> 248 B -> 4096 / 8 = 512
 *   TCP estab.   scale 17, 4 B: 504 -> 2016 B -> 1024
 *   TCP bind     the established count, 16 B: 1024 (16384 B, order 2)
 *   MPTCP token  scale 20, 16 B: 63 -> 1008 B -> 256
 *   UDP          scale 21, 32 B: 31 -> 992 B -> 128, low limit 256 -> 256
 * (the captures' 512 MiB and 2 GiB machines give none of these).
 */
static void test_two_level_64m(void **state)
{
	struct machine *m = boot_with(64ull << 20, false, 1, BOOT_BOOTED);
	char *d = dmesg(m);

	(void)state;
	assert_int_equal(m->nr_kernel_pages, 16094);
	assert_line(d, "Mount-cache hash table entries: 1024 (order: 0, 4096 "
		    "bytes, linear)");
	assert_line(d, "Mountpoint-cache hash table entries: 1024 (order: 0, "
		    "4096 bytes, linear)");
	assert_line(d, "IP idents hash table entries: 2048 (order: 2, 16384 "
		    "bytes, linear)");
	assert_line(d, "tcp_listen_portaddr_hash hash table entries: 512 "
		    "(order: 0, 4096 bytes, linear)");
	assert_line(d, "TCP established hash table entries: 1024 (order: 0, "
		    "4096 bytes, linear)");
	assert_line(d, "TCP bind hash table entries: 1024 (order: 2, 16384 "
		    "bytes, linear)");
	assert_line(d, "TCP: Hash tables configured (established 1024 bind "
		    "1024)");
	assert_line(d, "MPTCP token hash table entries: 256 (order: 0, 4096 "
		    "bytes, linear)");
	assert_line(d, "UDP hash table entries: 256 (order: 1, 8192 bytes, "
		    "linear)");
	assert_line(d, "UDP-Lite hash table entries: 256 (order: 1, 8192 "
		    "bytes, linear)");
	/* the gap above the 64 MiB: from 0x04000000 (the end of the
	 * reserved tail) to the BIOS ROM */
	assert_line(d, "[mem 0x04000000-0xfffbffff] available for PCI devices");
	assert_non_null(strstr(d, "e820: reserve RAM buffer [mem 0x03fe0000-"
		"0x03ffffff]\n"));
	/* no highmem: no bounce pool */
	assert_null(strstr(d, "bounce:"));
	free(d);
	machine_free(m);
}

/*
 * 8 GiB PAE with 12 CPUs.  Lowmem stops at 879 MB whatever the RAM, so
 * the tables that scale with nr_kernel_pages stay at the 2 GiB figures;
 * what grows:
 *   futex: 256 buckets per possible CPU, 3072 -> 4096 of 64 B = 256 KiB,
 *     order 6;
 *   workingset: totalram is about 2.07 M pages, so fls(totalram - 1) =
 *     21 bits, 21 - 14 timestamp bits = bucket_order 7;
 *   pcpu-alloc: 12 CPUs print two digits each ("[0] 07 "), a line holds
 *     rounddown_pow_of_two(60 / (1 * 3 + 1 + 3)) = 8 of them;
 *   the nosave range and RAM above 4 GiB leave the hole 0xbffe0000-4 GiB.
 */
static void test_pae_8g_12cpus(void **state)
{
	struct machine *m = boot_with(8ull << 30, true, 12, BOOT_BOOTED);
	char *d = dmesg(m);

	(void)state;
	assert_line(d, "futex hash table entries: 4096 (order: 6, 262144 "
		    "bytes, linear)");
	assert_line(d, "TCP established hash table entries: 8192 (order: 3, "
		    "32768 bytes, linear)");
	assert_line(d, "workingset: timestamp_bits=14 max_order=21 "
		    "bucket_order=7");
	assert_non_null(strstr(d, "pcpu-alloc: s104276 r0 d30892 u135168 "
		"alloc=33*4096\n"));
	assert_non_null(strstr(d, "pcpu-alloc: [0] 00 [0] 01 [0] 02 [0] 03 "
		"[0] 04 [0] 05 [0] 06 [0] 07 \n"));
	assert_non_null(strstr(d, "pcpu-alloc: [0] 08 [0] 09 [0] 10 [0] 11 "
		"\n"));
	assert_non_null(strstr(d, "PM: hibernation: Registered nosave memory: "
		"[mem 0xbffe0000-0xffffffff]\n"));
	assert_line(d, "[mem 0xc0000000-0xfffbffff] available for PCI devices");
	assert_line(d, "bounce: pool size: 64 pages");
	assert_line(d, "Kernel/User page tables isolation: enabled");
	assert_line(d, "x86/mm: Checked W+X mappings: passed, no W+X pages "
		    "found.");
	free(d);
	machine_free(m);
}

/* Pages of each boot table on lowmem, by owner_id. */
static void count_boot_pages(const struct machine *m, uint32_t *pages)
{
	memset(pages, 0, sizeof(uint32_t) * (BOOT_ALLOC_END -
					     BOOT_ALLOC_ID_BASE));
	for (pfn_t pfn = 0; pfn < m->layout.max_low_pfn;) {
		struct frame_info fi;

		page_frame_info(&m->pgdat, pfn, &fi);
		if (fi.state == FRAME_ALLOCATED && fi.head == pfn) {
			if (fi.owner == OWNER_KERNEL &&
			    boot_alloc_name(fi.owner_id))
				pages[fi.owner_id - BOOT_ALLOC_ID_BASE] +=
					1u << fi.order;
			pfn += 1u << fi.order;
		} else {
			pfn++;
		}
	}
}

/* On the 2 GiB capture's machine each table is as many owned pages as
 * its line says bytes; a bare machine has none and prints none. */
static void test_tables_are_allocations(void **state)
{
	static const uint32_t want[] = {
		2, 2, 4, 1, 32, 1, 64, 8, 32, 4, 4, 4, 64, 73,
	};
	struct machine *b = boot_with(2ull << 30, false, 1, BOOT_BOOTED);
	struct machine *n = boot_with(2ull << 30, false, 1, BOOT_BARE);
	uint32_t pages[BOOT_ALLOC_END - BOOT_ALLOC_ID_BASE];
	char *db = dmesg(b), *dn = dmesg(n);
	static const char *const initcall_lines[] = {
		"Mount-cache", "futex hash", "e820: reserve RAM buffer",
		"VFS: Dquot-cache", "IP idents", "TCP established",
		"UDP hash", "workingset:", "bounce:", "ftrace:", NULL,
	};

	(void)state;
	assert_int_equal(ARRAY_SIZE(want), BOOT_ALLOC_END - BOOT_ALLOC_ID_BASE);
	count_boot_pages(b, pages);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		if (pages[i] != want[i])
			fail_msg("%s: %u pages, want %u", boot_alloc_name(
				 BOOT_ALLOC_ID_BASE + (uint32_t)i), pages[i],
				 want[i]);
	count_boot_pages(n, pages);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_int_equal(pages[i], 0);
	for (int i = 0; initcall_lines[i]; i++) {
		assert_non_null(strstr(db, initcall_lines[i]));
		assert_null(strstr(dn, initcall_lines[i]));
	}
	/* the memory set-up's own lines are on both */
	assert_non_null(strstr(dn, "pcpu-alloc: [0] 0 \n"));
	assert_non_null(strstr(dn, "available for PCI devices"));
	assert_non_null(strstr(dn, "mem auto-init: stack:all(zero)"));
	assert_non_null(strstr(dn, "Write protecting kernel text"));
	free(db);
	free(dn);
	machine_free(b);
	machine_free(n);
}

/* The frame op names the table a kernel block belongs to. */
static void test_frame_names_the_table(void **state)
{
	struct machine *m = boot_with(2ull << 30, false, 1, BOOT_BOOTED);
	struct mm_error err = { 0 };
	json_t *r = NULL, *args;
	pfn_t at = PFN_NONE;

	(void)state;
	for (pfn_t pfn = 0; pfn < m->layout.max_low_pfn && at == PFN_NONE;
	     pfn++) {
		struct frame_info fi;

		page_frame_info(&m->pgdat, pfn, &fi);
		if (fi.state == FRAME_ALLOCATED &&
		    fi.owner_id == BOOT_ALLOC_TCP_ESTABLISHED)
			at = pfn;
	}
	assert_int_not_equal(at, PFN_NONE);
	args = json_pack("{s:I}", "pfn", (json_int_t)at + 1);
	assert_int_equal(api_op(m, "frame", args, &r, &err), MM_OK);
	assert_string_equal(json_string_value(json_object_get(r, "owner")),
			    "kernel");
	assert_string_equal(json_string_value(json_object_get(r, "what")),
			    "TCP established hash table");
	assert_int_equal(json_integer_value(json_object_get(r, "order")), 3);
	json_decref(args);
	json_decref(r);
	machine_free(m);
}

/* Order MAX_ORDER and up comes from vmalloc; the 1/16-of-memory cap
 * applies first, and a table that does not fit is halved until it does. */
static void test_vmalloc_tables(void **state)
{
	struct machine *m = boot_with(2ull << 30, false, 1, BOOT_BOOTED);
	struct mm_error err = { 0 };
	struct hash_args big = { "Test", 4, 1ull << 24, 0, true, 0, 0 };
	struct hash_args huge = { "Huge", 4, 1ull << 30, 0, false, 0, 0 };
	uint32_t before = vmalloc_nr_pages(&m->vmalloc);
	uint64_t n = 0;
	char *d;

	(void)state;
	/* 16 Mi buckets of 4 bytes: 64 MiB, order 14 */
	assert_int_equal(boot_hash_alloc(m, &big, 0, &n, &err), MM_OK);
	assert_int_equal(n, 1ull << 24);
	/* 16384 frames and, past 1024 pages, a vmalloc'ed pages[] array of
	 * 16384 pointers: 16 more */
	assert_int_equal(vmalloc_nr_pages(&m->vmalloc) - before, 16384 + 16);
	/* 2^30 asked: a sixteenth of nr_all_pages (about 521 k pages, so
	 * 33.4 M buckets of 4 bytes) rounds down to 2^24, 64 MiB; the
	 * vmalloc area has about 55 MiB left, so it halves to 32 MiB */
	assert_int_equal(boot_hash_entries(m, &huge), 1ull << 24);
	assert_int_equal(boot_hash_alloc(m, &huge, 0, &n, &err), MM_OK);
	assert_int_equal(n, 1ull << 23);
	d = dmesg(m);
	assert_line(d, "Test hash table entries: 16777216 (order: 14, "
		    "67108864 bytes, vmalloc)");
	assert_line(d, "Huge hash table entries: 8388608 (order: 13, "
		    "33554432 bytes, vmalloc)");
	free(d);
	machine_free(m);
}

/*
 * The command line's sizes: mhash_entries= 4 Mi buckets of 4 bytes is 16
 * MiB, order 12, so vmalloc; a given count skips the scaling and the
 * one-page minimum, so thash_entries=100 makes 128-entry tables smaller
 * than a page (the kernel prints ilog2(size) - PAGE_SHIFT: order -2 for
 * 1024 bytes) with TCP bind following the established count;
 * uhash_entries=10 is raised to UDP's minimum of 256.  dhash_entries= and
 * ihash_entries= size the early tables, which memblock holds at any size.
 */
static void test_cmdline_sizes(void **state)
{
	struct machine_config c;
	struct machine *m = NULL;
	struct mm_error err;
	char *d;

	(void)state;
	machine_config_default(&c);
	snprintf(c.cmdline, sizeof(c.cmdline), "mhash_entries=4194304 "
		 "thash_entries=100 uhash_entries=10 thash_entries=junk "
		 "dhash_entries=100 ihash_entries=4194304");
	assert_int_equal(machine_boot(&c, &m, &err), MM_OK);
	d = dmesg(m);
	assert_line(d, "Mount-cache hash table entries: 4194304 (order: 12, "
		    "16777216 bytes, vmalloc)");
	/* the early tables come from memblock whatever their size */
	assert_line(d, "Dentry cache hash table entries: 128 (order: -3, 512 "
		    "bytes, linear)");
	assert_line(d, "Inode-cache hash table entries: 4194304 (order: 12, "
		    "16777216 bytes, linear)");
	assert_line(d, "Mountpoint-cache hash table entries: 2048 (order: 1, "
		    "8192 bytes, linear)");
	assert_line(d, "tcp_listen_portaddr_hash hash table entries: 128 "
		    "(order: -2, 1024 bytes, linear)");
	assert_line(d, "TCP established hash table entries: 128 (order: -3, "
		    "512 bytes, linear)");
	assert_line(d, "TCP bind hash table entries: 128 (order: -1, 2048 "
		    "bytes, linear)");
	assert_line(d, "UDP hash table entries: 256 (order: 1, 8192 bytes, "
		    "linear)");
	free(d);
	machine_free(m);
}

static char *iomem(const struct machine *m)
{
	struct strbuf sb = STRBUF_INIT;

	proc_iomem(m, &sb);
	return sb_detach(&sb);
}

/*
 * e820__reserve_resources_late(): RAM that ends off a 64 MiB boundary
 * (above 16 MiB) gets a "RAM buffer" up to it, in iomem wherever nothing
 * else is.  mem=1000M ends RAM at 0x3e800000: a buffer to 0x3fffffff.
 * With a firmware map that ends RAM there and reserves a MiB at
 * 0x3f000000, the buffer stops at the reserved MiB, and past it QEMU's
 * PCI window (from the end of the map, there before the buffers) holds
 * the rest.  A bare machine has neither the line nor the resource.
 */
static void test_ram_buffers(void **state)
{
	struct machine_config c;
	struct machine *m = NULL, *b = NULL;
	struct mm_error err;
	char *d, *io;

	(void)state;
	machine_config_default(&c);
	snprintf(c.cmdline, sizeof(c.cmdline), "mem=1000M");
	assert_int_equal(machine_boot(&c, &m, &err), MM_OK);
	d = dmesg(m);
	io = iomem(m);
	assert_non_null(strstr(d, "e820: reserve RAM buffer [mem 0x3e800000-"
			       "0x3fffffff]\n"));
	assert_non_null(strstr(io, "\n3e800000-3fffffff : RAM buffer\n"));
	free(d);
	free(io);
	c.boot = BOOT_BARE;
	assert_int_equal(machine_boot(&c, &b, &err), MM_OK);
	io = iomem(b);
	assert_null(strstr(io, "RAM buffer"));
	free(io);
	machine_free(b);
	machine_free(m);

	machine_config_default(&c);
	c.has_e820 = true;
	c.e820.nr_entries = 4;
	c.e820.entries[0] = (struct e820_entry){ 0, 0x9fc00, E820_TYPE_RAM };
	c.e820.entries[1] = (struct e820_entry){ 0xf0000, 0x10000,
						 E820_TYPE_RESERVED };
	c.e820.entries[2] = (struct e820_entry){ 0x100000, 0x3e700000,
						 E820_TYPE_RAM };
	c.e820.entries[3] = (struct e820_entry){ 0x3f000000, 0x100000,
						 E820_TYPE_RESERVED };
	assert_int_equal(machine_boot(&c, &m, &err), MM_OK);
	io = iomem(m);
	assert_non_null(strstr(io, "\n0009fc00-0009ffff : RAM buffer\n"));
	assert_non_null(strstr(io, "\n3e800000-3effffff : RAM buffer\n"
			       "3f000000-3f0fffff : Reserved\n"
			       "3f100000-febfffff : PCI Bus 0000:00\n"));
	free(io);
	machine_free(m);
}

/* debug_checkwx() counts what is writable and executable. */
static void test_wx_walk(void **state)
{
	struct machine *m = boot_with(2ull << 30, true, 1, BOOT_BARE);
	struct mm_error err = { 0 };
	vaddr_t va = m->layout.vmalloc_start + (64u << 20);

	(void)state;
	assert_int_equal(ptdump_wx_pages(m, m->swapper_pg_dir), 0);
	assert_int_equal(kernel_map_page(m, va, 0x100000,
					 _PAGE_PRESENT | _PAGE_RW, &err), MM_OK);
	assert_int_equal(ptdump_wx_pages(m, m->swapper_pg_dir), 1);
	kernel_unmap_page(m, va);
	assert_int_equal(ptdump_wx_pages(m, m->swapper_pg_dir), 0);
	machine_free(m);
}

/* init_on_alloc= and init_on_free= change report_meminit()'s line. */
static void test_meminit_line(void **state)
{
	struct machine_config c;
	struct machine *m = NULL;
	struct mm_error err;
	char *d;

	(void)state;
	machine_config_default(&c);
	c.boot = BOOT_BARE;
	snprintf(c.cmdline, sizeof(c.cmdline), "init_on_alloc=0 "
		 "init_on_free=on");
	assert_int_equal(machine_boot(&c, &m, &err), MM_OK);
	d = dmesg(m);
	assert_line(d, "mem auto-init: stack:all(zero), heap alloc:off, heap "
		    "free:on");
	assert_line(d, "mem auto-init: clearing system memory may take some "
		    "time...");
	free(d);
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_level_64m),
		cmocka_unit_test(test_pae_8g_12cpus),
		cmocka_unit_test(test_tables_are_allocations),
		cmocka_unit_test(test_frame_names_the_table),
		cmocka_unit_test(test_vmalloc_tables),
		cmocka_unit_test(test_cmdline_sizes),
		cmocka_unit_test(test_ram_buffers),
		cmocka_unit_test(test_wx_walk),
		cmocka_unit_test(test_meminit_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

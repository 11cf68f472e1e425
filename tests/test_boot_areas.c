/*
 * test_boot_areas.c - what a booted machine's initcalls leave in the
 * vmalloc window (boot_vmalloc.c) and in rootfs (initramfs.c), against
 * the real-kernel captures: /proc/vmallocinfo line for line, VmallocUsed,
 * Shmem and Cached within 5% (they come out exact); a bare machine
 * without any of it; a boot area freed over the API; the same boot twice
 * giving the same snapshot bytes; snapshot restore == live.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api.h"
#include "boot_vmalloc.h"
#include "capture.h"
#include "helpers.h"
#include "initramfs.h"
#include "machine.h"
#include "page_alloc.h"
#include "pgtable.h"
#include "procfs.h"
#include "snapshot.h"
#include "strbuf.h"
#include "vmalloc.h"

struct golden {
	const char *file;
	bool pae;
	uint64_t ram;
	uint64_t initrd;	/* the busybox initramfs QEMU loaded */
};

/* as in test_golden.c: initrd sizes from each capture's "Move RAMDISK"
 * line */
static const struct golden goldens[] = {
	{ "686-m512M.txt", false, 512ull << 20, 0x104dc9 },
	{ "686-m2G.txt", false, 2ull << 30, 0x104dc9 },
	{ "686-pae-m2G.txt", true, 2ull << 30, 0x104dcd },
	{ "686-m2G-vmalloc256M.txt", false, 2ull << 30, 0x104dc9 },
};

static void golden_config(const struct golden *g, const char *cap,
			  struct machine_config *cfg)
{
	char *cmdline = capture_section(cap, "/proc/cmdline");

	assert_non_null(cmdline);
	cmdline[strcspn(cmdline, "\n")] = '\0';
	machine_config_default(cfg);
	cfg->ram = g->ram;
	cfg->pae = g->pae;
	cfg->initrd = g->initrd;
	snprintf(cfg->cmdline, sizeof(cfg->cmdline), "%s", cmdline);
	free(cmdline);
}

static struct machine *boot(const struct machine_config *cfg)
{
	struct machine *m = NULL;
	struct mm_error err = { 0 };

	if (machine_boot(cfg, &m, &err))
		fail_msg("boot failed: %s: %s", err.type, err.detail);
	return m;
}

static char *report(const struct machine *m,
		    void (*fn)(const struct machine *, struct strbuf *))
{
	struct strbuf sb = STRBUF_INIT;

	fn(m, &sb);
	return sb_detach(&sb);
}

/* "Label:   N kB" of a meminfo text */
static long meminfo_kb(const char *text, const char *label)
{
	const char *p = strstr(text, label);

	if (!p)
		fail_msg("no %s in meminfo", label);
	return strtol(p + strlen(label), NULL, 10);
}

static void assert_within_5pct(long got, long want, const char *what)
{
	long diff = got > want ? got - want : want - got;

	if (diff * 20 > want)
		fail_msg("%s: %ld kB, the capture %ld kB", what, got, want);
}

/* The walk's lines from the vmalloc() Area marker to the End marker. */
static char *vmalloc_walk(const char *walk)
{
	const char *b = strstr(walk, "---[ vmalloc() Area ]---\n");
	const char *e = b ? strstr(b, "---[ vmalloc() End ]---") : NULL;
	char *out;

	if (!e)
		fail_msg("no vmalloc() Area in the walk");
	out = malloc((size_t)(e - b) + 1);
	memcpy(out, b, (size_t)(e - b));
	out[e - b] = '\0';
	return out;
}

/* --- the captures ---------------------------------------------------------- */

static void test_captures(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(goldens); i++) {
		const struct golden *g = &goldens[i];
		char *cap = capture_load(g->file);
		char *want_vi = capture_section(cap, "/proc/vmallocinfo");
		char *want_mi = capture_section(cap, "/proc/meminfo");
		struct machine_config cfg;
		struct machine *m;
		char *vi, *mi;

		golden_config(g, cap, &cfg);
		m = boot(&cfg);
		vi = report(m, proc_vmallocinfo);
		mi = report(m, proc_meminfo);
		/* every line: the lowest-fit rule fixes the addresses, the
		 * configuration the ACPI tables' address */
		if (strcmp(vi, want_vi))
			fail_msg("%s: vmallocinfo\n%s\nwant\n%s", g->file, vi,
				 want_vi);
		assert_within_5pct(meminfo_kb(mi, "VmallocUsed:"),
				   meminfo_kb(want_mi, "VmallocUsed:"),
				   "VmallocUsed");
		assert_within_5pct(meminfo_kb(mi, "Shmem:"),
				   meminfo_kb(want_mi, "Shmem:"), "Shmem");
		assert_within_5pct(meminfo_kb(mi, "Cached:"),
				   meminfo_kb(want_mi, "Cached:"), "Cached");
		/* the page walk of the window, mapping for mapping: ACPI and
		 * the MP table cached, the HPET PCD, the BPF page read-only,
		 * the guard pages and the holes unmapped */
		{
			char *walk = capture_section(cap, "page table walk "
						     "(swapper_pg_dir via /proc/kcore)");
			char *mine = report(m, ptdump_kernel);
			char *w1 = vmalloc_walk(walk), *w2 = vmalloc_walk(mine);

			if (strcmp(w1, w2))
				fail_msg("%s: vmalloc walk\n%s\nwant\n%s",
					 g->file, w2, w1);
			free(walk);
			free(mine);
			free(w1);
			free(w2);
		}
		/* and they come out exact */
		assert_int_equal(meminfo_kb(mi, "VmallocUsed:"), 272);
		assert_int_equal(meminfo_kb(mi, "Shmem:"), 2032);
		assert_int_equal(meminfo_kb(mi, "Cached:"), 2032);
		free(vi);
		free(mi);
		free(want_vi);
		free(want_mi);
		free(cap);
		machine_free(m);
	}
}

/* The ACPI tables' address follows the e820 map; the walk shows each
 * mapping's caching and the BPF page read-only. */
static void test_acpi_base_and_protections(void **state)
{
	struct machine_config cfg;
	struct machine *m;
	uint64_t pte;
	unsigned shift;

	(void)state;
	machine_config_default(&cfg);
	cfg.ram = 3ull << 30;
	m = boot(&cfg);
	assert_int_equal(boot_acpi_tables_base(m), 0xbffe0000);
	pte = kernel_leaf_entry(m, m->layout.vmalloc_start, &shift);
	assert_int_equal(pte & ~0xfffull, 0xbffe1000);
	assert_int_equal(pte & _PAGE_PCD, 0);		/* ioremap_cache */
	/* the HPET: uncached, third area */
	pte = kernel_leaf_entry(m, m->layout.vmalloc_start + 0x5000, &shift);
	assert_int_equal(pte & ~0xfffull, 0xfed00000);
	assert_int_equal(pte & _PAGE_PCD, _PAGE_PCD);
	/* the BPF program: read-only */
	pte = kernel_leaf_entry(m, m->layout.vmalloc_start + 0x7000, &shift);
	assert_int_equal(pte & _PAGE_PRESENT, _PAGE_PRESENT);
	assert_int_equal(pte & _PAGE_RW, 0);
	machine_free(m);

	/* RAM from 1 MiB to 4 GiB: the firmware's ACPI tables are now RAM,
	 * which ACPI reads through the linear map, so no ACPI table areas;
	 * the HPET its tables name is still mapped, first */
	machine_config_default(&cfg);
	cfg.pae = true;
	snprintf(cfg.cmdline, sizeof(cfg.cmdline),
		 "memmap=exactmap memmap=4095M@1M");
	m = boot(&cfg);
	{
		char *vi = report(m, proc_vmallocinfo);
		char first[128];

		snprintf(first, sizeof(first), "0x%08x-0x%08x    8192 "
			 "hpet_enable+0xc7/0x3dc phys=0x00000000fed00000 "
			 "ioremap\n", m->layout.vmalloc_start,
			 m->layout.vmalloc_start + 0x2000);
		assert_memory_equal(vi, first, strlen(first));
		assert_null(strstr(vi, "phys=0x000000007ffe"));
		assert_non_null(strstr(vi, "acpi_os_map_iomem+0x215/0x240 "
				       "phys=0x00000000fed00000"));
		assert_non_null(strstr(vi, "memremap+0xc4/0x1a0"));
		free(vi);
	}
	machine_free(m);
}

/* Per-CPU scratch buffers: two per possible CPU. */
static void test_two_cpus(void **state)
{
	struct machine_config cfg;
	struct machine *m;
	char *mi;

	(void)state;
	machine_config_default(&cfg);
	cfg.cpus = 2;
	m = boot(&cfg);
	mi = report(m, proc_meminfo);
	assert_int_equal(meminfo_kb(mi, "VmallocUsed:"), (1 + 128 + 3) * 4);
	free(mi);
	machine_free(m);
}

static void test_initramfs_size(void **state)
{
	(void)state;
	assert_int_equal(initramfs_unpacked_pages(0), 0);
	assert_int_equal(initramfs_unpacked_pages(0x104dc9), 508);
	assert_int_equal(initramfs_unpacked_pages(0x104dcd), 508);
	assert_int_equal(initramfs_unpacked_pages(2 * 0x104dc9), 1016);
}

/* MemFree: the unpacked pages leave the free lists; no initrd, none. */
static void test_shmem_pages(void **state)
{
	struct machine_config cfg;
	struct machine *with, *without;
	char *a, *b;

	(void)state;
	machine_config_default(&cfg);
	cfg.initrd = 0x104dc9;
	with = boot(&cfg);
	cfg.initrd = 0;
	without = boot(&cfg);
	assert_int_equal(with->rootfs_pages, 508);
	assert_int_equal(without->rootfs_pages, 0);
	/* the freed initrd's pages sit on the per-CPU lists, outside
	 * MemFree: drained, both machines count every free page */
	drain_all_pages(&with->pgdat);
	drain_all_pages(&without->pgdat);
	a = report(with, proc_meminfo);
	b = report(without, proc_meminfo);
	assert_int_equal(meminfo_kb(b, "Shmem:"), 0);
	assert_int_equal(meminfo_kb(b, "Cached:"), 0);
	/* 508 pages unpacked; the initrd's own pages are free again in
	 * both (freed after unpacking, or never taken) */
	assert_int_equal(meminfo_kb(b, "MemFree:") - meminfo_kb(a, "MemFree:"),
			 508 * 4);
	free(a);
	free(b);
	machine_free(with);
	machine_free(without);
}

/* --- a bare machine -------------------------------------------------------- */

static void test_bare(void **state)
{
	struct machine_config cfg;
	struct machine *m;
	char *mi, *vi;

	(void)state;
	machine_config_default(&cfg);
	cfg.boot = BOOT_BARE;
	cfg.initrd = 0x104dc9;
	m = boot(&cfg);
	mi = report(m, proc_meminfo);
	vi = report(m, proc_vmallocinfo);
	assert_int_equal(meminfo_kb(mi, "VmallocUsed:"), 0);
	assert_int_equal(meminfo_kb(mi, "Shmem:"), 0);
	assert_int_equal(meminfo_kb(mi, "Cached:"), 0);
	assert_string_equal(vi, "");
	assert_int_equal(m->vmalloc.nr, 0);
	free(mi);
	free(vi);
	machine_free(m);
}

/* --- a student frees a boot area -------------------------------------------- */

static void test_vfree_bpf_page(void **state)
{
	struct machine_config cfg;
	struct machine *m;
	struct mm_error err = { 0 };
	json_t *args, *r = NULL;
	vaddr_t bpf;
	pfn_t frame;
	struct frame_info fi;
	struct vm_result res;
	uint32_t used;
	char a[64];

	(void)state;
	machine_config_default(&cfg);
	m = boot(&cfg);
	bpf = m->layout.vmalloc_start + 0x7000;
	assert_non_null(find_vm_area(&m->vmalloc, bpf));
	assert_string_equal(find_vm_area(&m->vmalloc, bpf)->caller,
			    "bpf_prog_alloc_no_stats+0x2b/0x1b0");
	frame = find_vm_area(&m->vmalloc, bpf)->pages[0];
	used = vmalloc_nr_pages(&m->vmalloc);

	snprintf(a, sizeof(a), "{\"addr\": \"0x%08x\"}", bpf);
	args = js(a);
	assert_int_equal(api_op(m, "vfree", args, &r, &err), MM_OK);
	json_decref(args);
	json_decref(r);
	assert_null(find_vm_area(&m->vmalloc, bpf));
	assert_int_equal(vmalloc_nr_pages(&m->vmalloc), used - 1);
	page_frame_info(&m->pgdat, frame, &fi);
	assert_int_equal(fi.state, FRAME_FREE);
	assert_int_equal(kernel_leaf_entry(m, bpf, &(unsigned){ 0 }), 0);

	/* the next one-page vmalloc takes the lowest gap: the BPF page's */
	assert_int_equal(vmalloc(m, 4096, &res, &err), MM_OK);
	assert_int_equal(res.addr, bpf);
	/* an ioremap area is refused by vfree */
	snprintf(a, sizeof(a), "{\"addr\": \"0x%08x\"}",
		 m->layout.vmalloc_start);
	args = js(a);
	r = NULL;
	assert_int_not_equal(api_op(m, "vfree", args, &r, &err), MM_OK);
	assert_string_equal(err.type, "not-a-vmalloc-area");
	json_decref(args);
	/* iounmap takes it */
	assert_int_equal(iounmap(m, m->layout.vmalloc_start, &err), MM_OK);
	machine_free(m);
}

/* --- determinism and snapshots ------------------------------------------------ */

static void snap(const struct machine *m, uint8_t **buf, size_t *len)
{
	machine_snapshot(m, buf, len);
	assert_non_null(*buf);
}

static void test_deterministic(void **state)
{
	struct machine_config cfg;
	struct machine *a, *b;
	uint8_t *sa, *sb;
	size_t la, lb;

	(void)state;
	machine_config_default(&cfg);
	cfg.initrd = 0x104dc9;
	a = boot(&cfg);
	b = boot(&cfg);
	snap(a, &sa, &la);
	snap(b, &sb, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(sa, sb, la);
	free(sa);
	free(sb);
	machine_free(a);
	machine_free(b);
}

static void assert_restore_equals_live(const struct machine_config *cfg,
				       const struct machine *live)
{
	struct machine *r = NULL;
	struct mm_error err = { 0 };
	uint8_t *s1, *s2;
	size_t l1, l2;
	char *v1, *v2, *m1, *m2;

	snap(live, &s1, &l1);
	if (machine_restore(cfg, s1, l1, &r, &err))
		fail_msg("restore: %s: %s", err.type, err.detail);
	snap(r, &s2, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(s1, s2, l1);
	v1 = report(live, proc_vmallocinfo);
	v2 = report(r, proc_vmallocinfo);
	m1 = report(live, proc_meminfo);
	m2 = report(r, proc_meminfo);
	assert_string_equal(v1, v2);
	assert_string_equal(m1, m2);
	assert_int_equal(r->rootfs_pages, live->rootfs_pages);
	free(v1);
	free(v2);
	free(m1);
	free(m2);
	free(s1);
	free(s2);
	machine_free(r);
}

static void test_snapshot_round_trip(void **state)
{
	struct machine_config cfg;
	struct machine *m;
	struct mm_error err = { 0 };

	(void)state;
	machine_config_default(&cfg);
	cfg.initrd = 0x104dc9;
	m = boot(&cfg);
	assert_restore_equals_live(&cfg, m);
	/* changed after boot: a boot area freed, another one made */
	assert_int_equal(vfree(m, m->layout.vmalloc_start + 0x7000, &err),
			 MM_OK);
	assert_int_equal(iounmap(m, m->layout.vmalloc_start, &err), MM_OK);
	assert_restore_equals_live(&cfg, m);
	machine_free(m);

	cfg.pae = true;
	m = boot(&cfg);
	assert_restore_equals_live(&cfg, m);
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_acpi_base_and_protections),
		cmocka_unit_test(test_two_cpus),
		cmocka_unit_test(test_initramfs_size),
		cmocka_unit_test(test_shmem_pages),
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_vfree_bpf_page),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_snapshot_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_golden.c - boot the configuration of each real-kernel capture and
 * hold the model to what the real Debian 6.1 kernel reported: the exact
 * boot-log lines, layout and zone figures, the figures that depend on
 * boot-time reservations (managed pages, watermarks, the Memory: line,
 * MemTotal, LowTotal, totalram), and where pkmap's page table landed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture.h"
#include "machine.h"
#include "pgtable.h"
#include "procfs.h"
#include "slab.h"

struct golden {
	const char *file;
	bool pae;
	uint64_t ram;
	uint64_t initrd;	/* the busybox initramfs QEMU loaded */
};

/* initrd sizes from each capture's "Move RAMDISK" line (end - start + 1) */
static const struct golden goldens[] = {
	{ "686-m512M.txt", false, 512ull << 20, 0x104dc9 },
	{ "686-m2G.txt", false, 2ull << 30, 0x104dc9 },
	{ "686-pae-m2G.txt", true, 2ull << 30, 0x104dcd },
	{ "686-m2G-vmalloc256M.txt", false, 2ull << 30, 0x104dc9 },
};

struct ctx {
	const struct golden *g;
	char *cap;
	char *dmesg_cap;
	char *walk;
	struct machine *m;
	char *dmesg, *meminfo, *zoneinfo, *iomem, *pagetypeinfo;
};

static char *report(struct machine *m, void (*fn)(const struct machine *,
						   struct strbuf *))
{
	struct strbuf sb = STRBUF_INIT;

	fn(m, &sb);
	return sb_detach(&sb);
}

static int setup(void **state, const struct golden *g)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct machine_config cfg;
	struct mm_error err = { 0 };
	char *cmdline;

	c->g = g;
	c->cap = capture_load(g->file);
	c->dmesg_cap = capture_section(c->cap, "dmesg");
	c->walk = capture_section(c->cap,
		"page table walk (swapper_pg_dir via /proc/kcore)");
	cmdline = capture_section(c->cap, "/proc/cmdline");
	assert_non_null(c->dmesg_cap);
	assert_non_null(c->walk);
	assert_non_null(cmdline);
	cmdline[strcspn(cmdline, "\n")] = '\0';

	machine_config_default(&cfg);
	cfg.ram = g->ram;
	cfg.pae = g->pae;
	cfg.initrd = g->initrd;
	snprintf(cfg.cmdline, sizeof(cfg.cmdline), "%s", cmdline);
	free(cmdline);
	if (machine_boot(&cfg, &c->m, &err)) {
		fprintf(stderr, "boot failed: %s: %s\n", err.type, err.detail);
		return -1;
	}
	c->dmesg = report(c->m, proc_dmesg);
	c->meminfo = report(c->m, proc_meminfo);
	c->zoneinfo = report(c->m, proc_zoneinfo);
	c->iomem = report(c->m, proc_iomem);
	c->pagetypeinfo = report(c->m, proc_pagetypeinfo);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	machine_free(c->m);
	free(c->cap);
	free(c->dmesg_cap);
	free(c->walk);
	free(c->dmesg);
	free(c->meminfo);
	free(c->zoneinfo);
	free(c->iomem);
	free(c->pagetypeinfo);
	free(c);
	return 0;
}

#define GOLDEN_SETUP(i) \
	static int setup_##i(void **state) { return setup(state, &goldens[i]); }
GOLDEN_SETUP(0)
GOLDEN_SETUP(1)
GOLDEN_SETUP(2)
GOLDEN_SETUP(3)

/* Compare two texts line by line and name the first line that differs. */
static void assert_same_lines(const char *got, const char *want)
{
	int line = 1;

	while (*got || *want) {
		size_t g = strcspn(got, "\n"), w = strcspn(want, "\n");

		if (g != w || strncmp(got, want, g))
			fail_msg("line %d differs:\n  model: %.*s\n  real:  %.*s",
				 line, (int)g, got, (int)w, want);
		got += g + (got[g] ? 1 : 0);
		want += w + (want[w] ? 1 : 0);
		line++;
	}
}

/* Boot-log lines the model must print exactly as the kernel did, in the
 * kernel's order. */
static const char *const exact_prefixes[] = {
	"BIOS-provided physical RAM map:", "BIOS-e820:", "NX (Execute",
	"Notice: NX", "e820: update", "e820: remove", "last_pfn =",
	"initial memory mapped", "printk: log_buf_len", "RAMDISK:",
	"Allocated new RAMDISK", "Move RAMDISK", "MB HIGHMEM available",
	"MB LOWMEM available", "  mapped low ram", "  low ram",
	"Zone ranges:", "  DMA ", "  Normal ", "  HighMem ",
	"Movable zone start", "Early memory node ranges", "  node   0:",
	"Initmem setup node", "On node 0, zone",
	"PM: hibernation: Registered nosave", "[mem 0x", "setup_percpu:",
	"percpu: Embedded", "pcpu-alloc:", "Built 1 zonelists",
	"Kernel command line:", "Dentry cache hash", "Inode-cache hash",
	"mem auto-init:", "Initializing HighMem",
	"Initializing Movable", "Checking if this processor honours",
	"SLUB:", "Kernel/User page tables isolation", "ftrace: alloca",
	"Freeing SMP alternatives", "Mount-cache hash",
	"Mountpoint-cache hash", "futex hash", "HugeTLB: registered",
	"HugeTLB: 0 KiB", "e820: reserve RAM buffer", "VFS: Disk quotas",
	"VFS: Dquot-cache hash", "NET: Registered PF_INET protocol",
	"IP idents hash", "tcp_listen_portaddr_hash hash", "Table-perturb hash",
	"TCP established hash", "TCP bind hash", "TCP: Hash tables",
	"MPTCP token hash", "UDP hash", "UDP-Lite hash", "workingset:",
	"Freeing initrd memory", "bounce:", "Freeing unused kernel image",
	"Write protecting kernel", "NX-protecting the kernel data",
	"x86/mm: Check", NULL,
};

static void test_boot_log_lines(void **state)
{
	struct ctx *c = *state;
	char *want = filter_lines(c->dmesg_cap, exact_prefixes);
	char *got = filter_lines(c->dmesg, exact_prefixes);

	assert_same_lines(got, want);
	free(want);
	free(got);
}

struct memory_line {
	unsigned long avail, total, code, rwdata, rodata, init, bss, reserved,
		      cma, highmem;
};

static void parse_memory_line(const char *dmesg, struct memory_line *ml)
{
	const char *p = strstr(dmesg, "Memory: ");

	assert_non_null(p);
	assert_int_equal(sscanf(p, "Memory: %luK/%luK available (%luK kernel "
		"code, %luK rwdata, %luK rodata, %luK init, %luK bss, %luK "
		"reserved, %luK cma-reserved, %luK highmem)", &ml->avail,
		&ml->total, &ml->code, &ml->rwdata, &ml->rodata, &ml->init,
		&ml->bss, &ml->reserved, &ml->cma, &ml->highmem), 10);
}

static void test_memory_line(void **state)
{
	struct ctx *c = *state;
	struct memory_line real, model;

	parse_memory_line(c->dmesg_cap, &real);
	parse_memory_line(c->dmesg, &model);
	assert_int_equal(model.total, real.total);
	assert_int_equal(model.code, real.code);
	assert_int_equal(model.rwdata, real.rwdata);
	assert_int_equal(model.rodata, real.rodata);
	assert_int_equal(model.init, real.init);
	assert_int_equal(model.bss, real.bss);
	assert_int_equal(model.highmem, real.highmem);
	assert_int_equal(model.avail, real.avail);
	assert_int_equal(model.reserved, real.reserved);
}

static void test_layout(void **state)
{
	struct ctx *c = *state;
	const struct layout *l = &c->m->layout;
	const char *w = c->walk;

	assert_int_equal(l->high_memory, capture_var(w, "high_memory"));
	assert_int_equal(l->max_low_pfn, capture_var(w, "max_low_pfn"));
	assert_int_equal(l->max_pfn, capture_var(w, "max_pfn"));
	assert_int_equal(l->highstart_pfn, capture_var(w, "highstart_pfn"));
	assert_int_equal(l->highend_pfn, capture_var(w, "highend_pfn"));
	assert_int_equal(l->fixaddr_top, capture_var(w, "__FIXADDR_TOP"));
	assert_int_equal(l->vmalloc_reserve,
			 capture_var(w, "__VMALLOC_RESERVE"));
	assert_int_equal(l->page_offset, capture_marker(w, "Kernel Mapping"));
	assert_int_equal(l->vmalloc_start, capture_marker(w, "vmalloc() Area"));
	assert_int_equal(l->vmalloc_end, capture_marker(w, "vmalloc() End"));
	assert_int_equal(l->pkmap_base,
			 capture_marker(w, "Persistent kmap() Area"));
	assert_int_equal(l->ldt_base, capture_marker(w, "LDT remap"));
	assert_int_equal(l->cpu_entry_area_base,
			 capture_marker(w, "CPU entry area"));
	assert_int_equal(l->fixaddr_start, capture_marker(w, "Fixmap area"));
}

/* pkmap_page_table: the page permanent_kmaps_init() took from pgt_buf
 * after the lowmem tail, the fixmap and (PAE) the kmap_local copies */
static void test_pkmap_page_table(void **state)
{
	struct ctx *c = *state;
	struct pt_walk w;

	pt_walk(c->m, c->m->swapper_pg_dir, c->m->layout.pkmap_base,
		ACCESS_READ, false, &w);
	assert_true(w.nsteps >= 2);
	assert_int_equal(layout_va(&c->m->layout, w.step[w.nsteps - 1].table),
			 capture_var(c->walk, "pkmap_page_table"));
}

static void test_meminfo(void **state)
{
	struct ctx *c = *state;
	char *real = capture_section(c->cap, "/proc/meminfo");
	const char *mod = c->meminfo;
	const char *direct = c->g->pae ? "DirectMap2M:" : "DirectMap4M:";

	assert_non_null(real);
	/* the model prints every field the kernel prints, in its order */
	for (const char *p = real; *p;) {
		const char *colon = strchr(p, ':');
		char label[64];

		assert_non_null(colon);
		snprintf(label, sizeof(label), "%.*s", (int)(colon - p + 1), p);
		if (text_value(mod, label) < 0)
			fail_msg("meminfo lacks %s", label);
		p = strchr(p, '\n') + 1;
	}
	assert_int_equal(text_value(mod, "HighTotal:"),
			 text_value(real, "HighTotal:"));
	assert_int_equal(text_value(mod, "VmallocTotal:"),
			 text_value(real, "VmallocTotal:"));
	assert_int_equal(text_value(mod, "Percpu:"), text_value(real, "Percpu:"));
	assert_int_equal(text_value(mod, "Hugepagesize:"),
			 text_value(real, "Hugepagesize:"));
	assert_int_equal(text_value(mod, "MemTotal:"),
			 text_value(real, "MemTotal:"));
	assert_int_equal(text_value(mod, "LowTotal:"),
			 text_value(real, "LowTotal:"));
	assert_int_equal(text_value(mod, "CommitLimit:"),
			 text_value(real, "CommitLimit:"));
	assert_true(text_value(mod, direct) >= 0);
	assert_int_equal(c->m->pgdat.node_zones[ZONE_HIGHMEM].managed_pages,
			 capture_var(c->walk, "_totalhigh_pages"));
	assert_int_equal(machine_totalram_pages(c->m),
			 capture_var(c->walk, "_totalram_pages"));
	free(real);
}

/* One zone's block of zoneinfo text, from "zone <name>" to the next. */
static const char *zone_block(const char *text, const char *name)
{
	char key[64];

	snprintf(key, sizeof(key), "zone %8s\n", name);
	return strstr(text, key);
}

static long long zone_value(const char *text, const char *zone,
			    const char *field)
{
	const char *b = zone_block(text, zone), *next;
	char key[64];
	const char *p;

	if (!b)
		return -1;
	next = strstr(b + 10, "Node 0, zone");
	snprintf(key, sizeof(key), "\n        %s ", field);
	p = strstr(b, key);
	if (!p) {
		snprintf(key, sizeof(key), "\n  %s", field);
		p = strstr(b, key);
	}
	if (!p || (next && p > next))
		return -1;
	p += strlen(key);
	while (*p == ' ' || *p == ':')
		p++;
	return strtoll(p, NULL, 10);
}

static void test_zoneinfo(void **state)
{
	struct ctx *c = *state;
	char *real = capture_section(c->cap, "/proc/zoneinfo");
	static const char *const zones[] = { "DMA", "Normal", "HighMem",
					     "Movable" };

	assert_non_null(real);
	for (size_t i = 0; i < 4; i++) {
		const char *z = zones[i];

		assert_int_equal(zone_value(c->zoneinfo, z, "spanned"),
				 zone_value(real, z, "spanned"));
		assert_int_equal(zone_value(c->zoneinfo, z, "present"),
				 zone_value(real, z, "present"));
		assert_int_equal(zone_value(c->zoneinfo, z, "start_pfn:"),
				 zone_value(real, z, "start_pfn:"));
		assert_int_equal(zone_value(c->zoneinfo, z, "managed"),
				 zone_value(real, z, "managed"));
		/* watermarks come from managed pages by 6.1's formulas */
		assert_int_equal(zone_value(c->zoneinfo, z, "min"),
				 zone_value(real, z, "min"));
		assert_int_equal(zone_value(c->zoneinfo, z, "low"),
				 zone_value(real, z, "low"));
		assert_int_equal(zone_value(c->zoneinfo, z, "high"),
				 zone_value(real, z, "high"));
	}
	free(real);
}

static void test_iomem(void **state)
{
	struct ctx *c = *state;
	char *real = capture_section(c->cap, "/proc/iomem");

	assert_same_lines(c->iomem, real);
	free(real);
}

static void test_pagetypeinfo_header(void **state)
{
	struct ctx *c = *state;
	char *real = capture_section(c->cap, "/proc/pagetypeinfo");
	static const char *const heads[] = { "Page block order:",
		"Pages per block:", "Free pages count per migrate type",
		"Number of blocks type", NULL };
	char *a = filter_lines(real, heads), *b = filter_lines(c->pagetypeinfo,
								heads);

	assert_same_lines(b, a);
	free(a);
	free(b);
	free(real);
}

/* The slab figures that depend on the boot's objects: within 5%. */
static void test_slab_meminfo(void **state)
{
	struct ctx *c = *state;
	char *real = capture_section(c->cap, "/proc/meminfo");
	const char *mod = c->meminfo;
	static const char *const fields[] = {
		"Slab:", "SReclaimable:", "SUnreclaim:", "KReclaimable:",
		"KernelStack:", "VmallocUsed:", "Shmem:", "Cached:",
	};

	assert_non_null(real);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		long long got = text_value(mod, fields[i]);
		long long want = text_value(real, fields[i]);

		if (got < want * 0.95 || got > want * 1.05)
			fail_msg("%s %lld kB, real kernel %lld kB (more than "
				 "5%% off)", fields[i], got, want);
	}
	/* what the boot left free, within 0.5%: a bare machine is 0.8%
	 * too high */
	for (size_t i = 0; i < 2; i++) {
		const char *f = i ? "MemAvailable:" : "MemFree:";
		long long got = text_value(mod, f), want = text_value(real, f);

		if (got < want * 0.995 || got > want * 1.005)
			fail_msg("%s %lld kB, real kernel %lld kB (more than "
				 "0.5%% off)", f, got, want);
	}
	free(real);
}

/* The named lines of a slabinfo text, each "name objsize objperslab
 * pagesperslab", newest first as slabinfo lists them. */
static char *slab_geometry(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = strchr(text, '\n');

	p = p ? strchr(p + 1, '\n') : NULL;	/* past the two headers */
	while (p && p[1]) {
		char name[64];
		unsigned long act, num, size, per, pages;

		p++;
		if (sscanf(p, "%63s %lu %lu %lu %lu %lu", name, &act, &num,
			   &size, &per, &pages) == 6)
			sb_printf(&sb, "%s %lu %lu %lu\n", name, size, per,
				  pages);
		p = strchr(p, '\n');
	}
	return sb_detach(&sb);
}

/* The same caches in the same order with the same geometry. */
static void test_slabinfo(void **state)
{
	struct ctx *c = *state;
	char *real = capture_section(c->cap, "/proc/slabinfo");
	char *mod = report(c->m, proc_slabinfo);
	char *a, *b;

	assert_non_null(real);
	a = slab_geometry(mod);
	b = slab_geometry(real);
	assert_same_lines(a, b);
	free(a);
	free(b);
	free(mod);
	free(real);
}

#define GOLDEN_TESTS(i) \
	cmocka_unit_test_setup_teardown(test_boot_log_lines, setup_##i, teardown), \
	cmocka_unit_test_setup_teardown(test_memory_line, setup_##i, teardown), \
	cmocka_unit_test_setup_teardown(test_layout, setup_##i, teardown), \
	cmocka_unit_test_setup_teardown(test_pkmap_page_table, setup_##i, teardown), \
	cmocka_unit_test_setup_teardown(test_meminfo, setup_##i, teardown), \
	cmocka_unit_test_setup_teardown(test_zoneinfo, setup_##i, teardown), \
	cmocka_unit_test_setup_teardown(test_iomem, setup_##i, teardown), \
	cmocka_unit_test_setup_teardown(test_pagetypeinfo_header, setup_##i, teardown), \
	cmocka_unit_test_setup_teardown(test_slabinfo, setup_##i, teardown), \
	cmocka_unit_test_setup_teardown(test_slab_meminfo, setup_##i, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		GOLDEN_TESTS(0), GOLDEN_TESTS(1), GOLDEN_TESTS(2), GOLDEN_TESTS(3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

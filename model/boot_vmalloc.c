/*
 * boot_vmalloc.c - the vmalloc and ioremap areas a booted kernel's
 * initcalls leave in the vmalloc window, made with the model's own
 * ioremap and vmalloc (vmalloc.c) in the kernel's order, so that they
 * land where the kernel's lowest-fit rule put them and a student can
 * vfree or iounmap them like any other area.
 *
 * Ground truth: /proc/vmallocinfo of the four i386 captures in
 * ../shared/reference/real-kernel/ (686-m512M, 686-m2G, 686-pae-m2G,
 * 686-m2G-vmalloc256M: QEMU 7.2 pc, SeaBIOS, one CPU, a busybox
 * initramfs).  All four show the same areas at the same offsets from
 * VMALLOC_START, with the same sizes; only the ACPI tables' physical
 * address and the callers' offsets (686 or 686-pae build) differ.
 *
 * What each area is, in the order the kernel makes them:
 *  - two ACPI tables ACPICA keeps mapped (acpi_os_map_iomem ->
 *    ioremap_cache, so no PCD in the page walk): one page at +0x1000 of
 *    the firmware's table area, then the two pages from its start.
 *    SeaBIOS puts QEMU's ACPI tables in the e820 reserved range that
 *    ends low RAM (the last 128 KiB below the top of RAM under 4 GiB);
 *    the model finds that range in the firmware's e820 map.  Assumed:
 *    the tables' layout inside it is QEMU 7.2's for the pc machine, as
 *    in every capture (it does not depend on -m).  A map without such a
 *    range has no ACPI tables, so no ACPI areas and no HPET.
 *  - the HPET (hpet_enable, ioremap: uncached) at 0xfed00000, the
 *    address QEMU's ACPI HPET table gives; 1 KiB, one page.
 *  - a BPF program, one page (bpf_prog_alloc_no_stats, __vmalloc with
 *    __GFP_ZERO): assumed to be the PTP classifier sock_init builds, as
 *    no user space has run yet; bpf_prog_lock_ro() makes it read-only,
 *    as the capture's page walk shows.
 *  - ACPI's own mapping of the HPET block (acpi_os_map_iomem of
 *    0xfed00000, cached) and the MP table SeaBIOS puts in the F segment
 *    (memremap of 0xf5000, write-back).
 *  - areas the boot made and freed again before init ran.  vmallocinfo
 *    no longer lists them; the capture shows only the holes they leave
 *    in front of the later areas (70 and 711 pages, guard pages
 *    included, in all four captures).  Their callers are unknown; the
 *    model reserves each hole's range with get_vm_area (no frames: the
 *    kernel gave its frames back) while the later areas are made, and
 *    releases it at the end, as the kernel's lazy purge eventually does.
 *  - the scompress scratch buffers: for each possible CPU a 128 KiB
 *    source and a 128 KiB destination buffer (SCOMP_SCRATCH_SIZE,
 *    vmalloc_node in crypto_scomp_init_tfm when the first synchronous
 *    compression transform is set up).
 *  - the console's line discipline data (n_tty_open, vzalloc of struct
 *    n_tty_data: two 4 KiB buffers, a 4096-bit bitmap and the rest, three
 *    pages), made when init's console is opened.
 * VmallocUsed is then 1 + 64 per CPU + 3 pages (272 kB on one CPU, the
 * captures' figure).
 *
 * An area the kernel could not make is left out, as its driver would do
 * without it: an ACPI table or the MP table in RAM (memmap= declared it
 * so; ACPI and memremap then use the linear map, not an ioremap), and
 * any area when the vmalloc window (vmalloc=) has no room for it.
 *
 * Left out: the frames the freed areas held (they went back to the
 * buddy allocator; only which frames later allocations get could show
 * it), and the callers' code offsets on builds other than Debian's 686
 * and 686-pae 6.1.0-50 (the model prints those two).
 */
#include "boot_vmalloc.h"

#include <string.h>

#include "machine.h"
#include "vmalloc.h"

enum boot_area_kind {
	BA_IOREMAP,		/* ioremap: PAGE_KERNEL_NOCACHE */
	BA_IOREMAP_CACHE,	/* ioremap_cache / memremap WB: PAGE_KERNEL */
	BA_VZALLOC,		/* __vmalloc(size, GFP_KERNEL | __GFP_ZERO) */
	BA_VZALLOC_RO,		/* the same, then set_memory_ro */
	BA_VMALLOC_PERCPU,	/* vmalloc_node, once per possible CPU */
	BA_HOLE,		/* made and freed during boot */
};

enum boot_phys {
	PHYS_NONE,
	PHYS_ACPI_TABLE,	/* offset into the firmware's ACPI area */
	PHYS_ACPI_DEVICE,	/* a device address an ACPI table gives */
	PHYS_BIOS,		/* a fixed BIOS address */
};

struct boot_area {
	enum boot_area_kind kind;
	enum boot_phys where;
	uint64_t phys;		/* the address, or the offset (ACPI_TABLE) */
	uint32_t size;		/* bytes asked for (the guard page is added) */
	const char *caller_686, *caller_pae;	/* as vmallocinfo prints */
};

/* SCOMP_SCRATCH_SIZE (crypto/scompress.c) */
#define SCOMP_SCRATCH_SIZE	131072u
/* sizeof(struct n_tty_data) on i386: read_buf and echo_buf (4 KiB each,
 * N_TTY_BUF_SIZE), the read_flags bitmap (512 bytes) and about 200
 * bytes of the rest; only its page count (3) shows in the captures */
#define N_TTY_DATA_SIZE		(2u * 4096u + 4096u / 8u + 200u)

/*
 * Sizes and addresses: the captures' /proc/vmallocinfo, whose sizes add
 * the guard page (8192 is one page); the PAE build's callers are
 * 686-pae-m2G's, the others' the three 686 captures'.
 */
static const struct boot_area boot_areas[] = {
	/* 8192 phys=<ACPI>+0x1000: one page of a table */
	{ BA_IOREMAP_CACHE, PHYS_ACPI_TABLE, 0x1000, 0x1000,
	  "acpi_os_map_iomem+0x211/0x240", "acpi_os_map_iomem+0x215/0x240" },
	/* 12288 phys=<ACPI>: the two pages from the area's start */
	{ BA_IOREMAP_CACHE, PHYS_ACPI_TABLE, 0, 0x2000,
	  "acpi_os_map_iomem+0x211/0x240", "acpi_os_map_iomem+0x215/0x240" },
	/* 8192 phys=0xfed00000: HPET_MMAP_SIZE (1 KiB) rounds to a page */
	{ BA_IOREMAP, PHYS_ACPI_DEVICE, 0xfed00000, 0x400,
	  "hpet_enable+0xc5/0x3da", "hpet_enable+0xc7/0x3dc" },
	/* 8192 pages=1: the program and its instructions fit a page */
	{ BA_VZALLOC_RO, PHYS_NONE, 0, 0x1000,
	  "bpf_prog_alloc_no_stats+0x2b/0x1b0",
	  "bpf_prog_alloc_no_stats+0x2b/0x1b0" },
	/* 8192 phys=0xfed00000 */
	{ BA_IOREMAP_CACHE, PHYS_ACPI_DEVICE, 0xfed00000, 0x400,
	  "acpi_os_map_iomem+0x211/0x240", "acpi_os_map_iomem+0x215/0x240" },
	/* 8192 phys=0x000f5000 */
	{ BA_IOREMAP_CACHE, PHYS_BIOS, 0xf5000, 0x1000,
	  "memremap+0xa9/0x170", "memremap+0xc4/0x1a0" },
	/* the hole VMALLOC_START + 0xd000 .. + 0x53000: 70 pages */
	{ BA_HOLE, PHYS_NONE, 0, 69 * 4096, "", "" },
	/* 135168 pages=32, twice per CPU */
	{ BA_VMALLOC_PERCPU, PHYS_NONE, 0, SCOMP_SCRATCH_SIZE,
	  "crypto_scomp_init_tfm+0x65/0xb0", "crypto_scomp_init_tfm+0x65/0xb0" },
	/* the hole + 0x95000 .. + 0x35c000 (one CPU): 711 pages */
	{ BA_HOLE, PHYS_NONE, 0, 710 * 4096, "", "" },
	/* 16384 pages=3 */
	{ BA_VZALLOC, PHYS_NONE, 0, N_TTY_DATA_SIZE,
	  "n_tty_open+0x16/0x90", "n_tty_open+0x16/0x90" },
};

/* the destination buffer's call site, next to the source's */
static const char *const scomp_dst = "crypto_scomp_init_tfm+0x78/0xb0";

#define MAX_HOLES	4

/*
 * Where SeaBIOS put QEMU's ACPI tables: the e820 reserved (or ACPI) range
 * that starts where the highest RAM below 4 GiB ends.  0 if there is none.
 */
phys_addr_t boot_acpi_tables_base(const struct machine *m)
{
	const struct e820_table *t = &m->e820_firmware;
	uint64_t top = 0;

	for (uint32_t i = 0; i < t->nr_entries; i++) {
		const struct e820_entry *e = &t->entries[i];

		if (e->type == E820_TYPE_RAM && e->addr + e->size <= SZ_4G)
			top = MAX(top, e->addr + e->size);
	}
	for (uint32_t i = 0; top && i < t->nr_entries; i++) {
		const struct e820_entry *e = &t->entries[i];

		if (e->addr == top && (e->type == E820_TYPE_RESERVED ||
				       e->type == E820_TYPE_ACPI))
			return (phys_addr_t)top;
	}
	return 0;
}

static int make_area(struct machine *m, const struct boot_area *b,
		     const char *caller, phys_addr_t acpi,
		     uint32_t *holes, unsigned *nholes, struct mm_error *err)
{
	struct vm_result res;
	phys_addr_t phys = b->where == PHYS_ACPI_TABLE ? acpi + b->phys
						      : b->phys;
	int rc;

	switch (b->kind) {
	case BA_IOREMAP:
	case BA_IOREMAP_CACHE:
		return ioremap_caller(m, phys, b->size,
				      b->kind == BA_IOREMAP_CACHE, caller,
				      &res, err);
	case BA_VZALLOC:
	case BA_VZALLOC_RO:
		if ((rc = __vmalloc_caller(m, b->size, true, caller, &res,
					   err)))
			return rc;
		return b->kind == BA_VZALLOC_RO
		       ? set_vm_area_ro(m, res.addr, err) : MM_OK;
	case BA_VMALLOC_PERCPU:
		for (unsigned cpu = 0; cpu < m->config.cpus; cpu++)
			if ((rc = __vmalloc_caller(m, b->size, false, caller,
						   &res, err)) ||
			    (rc = __vmalloc_caller(m, b->size, false,
						   scomp_dst, &res, err)))
				return rc;
		return MM_OK;
	case BA_HOLE:
		if ((rc = get_vm_area_caller(m, b->size, "freed at boot",
					     &res, err)))
			return rc;
		holes[(*nholes)++] = res.id;
		return MM_OK;
	}
	return MM_OK;
}

int boot_vmalloc_areas(struct machine *m, struct mm_error *err)
{
	phys_addr_t acpi = boot_acpi_tables_base(m);
	uint32_t holes[MAX_HOLES];
	unsigned nholes = 0;
	struct mm_error e;
	int rc = MM_OK;

	for (size_t i = 0; i < ARRAY_SIZE(boot_areas) && !rc; i++) {
		const struct boot_area *b = &boot_areas[i];
		const char *caller = m->config.pae ? b->caller_pae
						   : b->caller_686;

		/* no ACPI tables: no ACPI maps, and no HPET address */
		if ((b->where == PHYS_ACPI_TABLE ||
		     b->where == PHYS_ACPI_DEVICE) && !acpi)
			continue;
		rc = make_area(m, b, caller, acpi, holes, &nholes, &e);
		/* RAM there (memmap= made it so): ACPI and memremap use the
		 * linear map instead, and a driver that cannot map gives up;
		 * a window too small for an area: that driver fails too */
		if (rc && (!strcmp(e.type, "ioremap-ram") ||
			   !strcmp(e.type, "vmalloc-space-exhausted")))
			rc = MM_OK;
		else if (rc && err)
			*err = e;
	}
	for (unsigned i = 0; i < nholes; i++)
		free_vm_area(m, holes[i]);
	return rc;
}

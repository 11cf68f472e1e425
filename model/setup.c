/*
 * setup.c - the memory half of setup_arch() for 32-bit x86, 6.1:
 * read the firmware map, apply the command line, trim the BIOS areas,
 * find max_pfn and the lowmem/highmem split, then build memblock and
 * reserve what the kernel already uses.
 */
#include "setup.h"

#include <string.h>

#define ISA_START	0xa0000ull	/* BIOS_BEGIN */
#define ISA_END		0x100000ull	/* BIOS_END */
#define LOG_BUF_DEFAULT	(1u << 17)	/* Debian: CONFIG_LOG_BUF_SHIFT=17 */
#define LOG_CPU_MAX_BUF	(1u << 12)	/* CONFIG_LOG_CPU_MAX_BUF_SHIFT=12 */
#define PRB_AVGBITS	5		/* one record per 32 bytes of text */
#define SIZEOF_PRB_DESC	12		/* 32-bit sizes, from vmcoreinfo */
#define SIZEOF_PRINTK_INFO 88
#define INIT_PGT_BUF_PAGES 6		/* arch/x86/mm/init.c */

static unsigned long pages_to_mb(uint64_t pages)
{
	return (unsigned long)(pages >> (20 - PAGE_SHIFT));
}

/* --- e820 ------------------------------------------------------------------ */

static void apply_e820_edit(struct machine *m, const struct e820_edit *e)
{
	switch (e->kind) {
	case 'x':
		m->e820.nr_entries = 0;
		break;
	case 'm':	/* mem= and memmap=nn: RAM above nn is gone */
		e820_range_remove(&m->e820, e->size, UINT64_MAX - e->size,
				  E820_TYPE_RAM, true, &m->log);
		break;
	case '@':
		e820_range_add(&m->e820, e->start, e->size, E820_TYPE_RAM);
		break;
	case '#':
		e820_range_add(&m->e820, e->start, e->size, E820_TYPE_ACPI);
		break;
	case '$':
		e820_range_add(&m->e820, e->start, e->size,
			       E820_TYPE_RESERVED);
		break;
	case '!':
		e820_range_add(&m->e820, e->start, e->size, E820_TYPE_PRAM);
		break;
	}
}

/*
 * e820__memory_setup(), parse_early_param() for mem=/memmap=/reservetop=,
 * e820__finish_early_params(), the NX notice and trim_bios_range().
 */
void setup_e820(struct machine *m)
{
	if (m->config.has_e820)
		m->e820_firmware = m->config.e820;
	else
		e820_qemu_default(&m->e820_firmware, m->config.ram);
	e820_update_table(&m->e820_firmware);
	m->e820 = m->e820_firmware;
	sb_puts(&m->log, "BIOS-provided physical RAM map:\n");
	e820_print_table(&m->e820, "BIOS-e820", &m->log);

	if (m->bp.has_reservetop) {
		uint64_t top = (uint64_t)-(int64_t)m->bp.reservetop;

		sb_printf(&m->log, "Reserving virtual address space above "
			  "0x%08x (rounded to 0x%08x)\n", (uint32_t)top,
			  m->layout.fixaddr_top + PAGE_SIZE);
	}
	for (unsigned i = 0; i < m->bp.nr_edits; i++)
		apply_e820_edit(m, &m->bp.edits[i]);
	if (m->bp.nr_edits) {
		e820_update_table(&m->e820);
		sb_puts(&m->log, "user-defined physical RAM map:\n");
		e820_print_table(&m->e820, "user", &m->log);
	}
	if (m->config.pae)
		sb_puts(&m->log, "NX (Execute Disable) protection: active\n");
	else
		sb_puts(&m->log, "Notice: NX (Execute Disable) protection "
			"cannot be enabled: non-PAE kernel!\n");

	/* the BIOS owns page 0; the ISA hole is never RAM */
	e820_range_update(&m->e820, 0, PAGE_SIZE, E820_TYPE_RAM,
			  E820_TYPE_RESERVED, &m->log);
	e820_range_remove(&m->e820, ISA_START, ISA_END - ISA_START,
			  E820_TYPE_RAM, true, &m->log);
	e820_update_table(&m->e820);
}

/* --- the lowmem / highmem split ------------------------------------------- */

/* All of RAM fits in lowmem; highmem= may still carve some off the top. */
static void lowmem_pfn_init(struct machine *m, uint64_t highmem_pages)
{
	struct layout *l = &m->layout;

	l->max_low_pfn = l->max_pfn;
	if (highmem_pages >= l->max_pfn) {
		sb_printf(&m->log, "highmem size (%luMB) is bigger than pages "
			  "available (%luMB)!\n", pages_to_mb(highmem_pages),
			  pages_to_mb(l->max_pfn));
		highmem_pages = 0;
	}
	if (highmem_pages) {
		if (l->max_low_pfn - highmem_pages < (64u << 20) / PAGE_SIZE) {
			sb_printf(&m->log, "highmem size (%luMB) results in "
				  "<64MB lowmem, ignoring it!\n",
				  pages_to_mb(highmem_pages));
			highmem_pages = 0;
		}
		l->max_low_pfn -= (pfn_t)highmem_pages;
	}
}

/* More RAM than lowmem can hold: the rest becomes highmem. */
static void highmem_pfn_init(struct machine *m, uint64_t highmem_pages,
			     bool given)
{
	struct layout *l = &m->layout;
	pfn_t maxmem_pfn = PFN_DOWN(l->maxmem);

	l->max_low_pfn = maxmem_pfn;
	if (!given)
		highmem_pages = l->max_pfn - maxmem_pfn;
	if (highmem_pages + maxmem_pfn < l->max_pfn)
		l->max_pfn = maxmem_pfn + (pfn_t)highmem_pages;
	if (highmem_pages + maxmem_pfn > l->max_pfn) {
		sb_printf(&m->log, "only %luMB highmem pages available, "
			  "ignoring highmem size of %luMB!\n",
			  pages_to_mb(l->max_pfn - maxmem_pfn),
			  pages_to_mb(highmem_pages));
	}
	/* a HIGHMEM4G kernel cannot reach past 4 GiB */
	if (!l->pae && l->max_pfn > (1u << 20)) {
		l->max_pfn = 1u << 20;
		sb_puts(&m->log, "Warning: only 4GB will be used. Use a "
			"HIGHMEM64G enabled kernel!\n");
	}
}

int setup_layout(struct machine *m, struct mm_error *err)
{
	struct layout *l = &m->layout;
	uint64_t highmem_pages = m->bp.highmem >> PAGE_SHIFT;

	l->max_pfn = e820_end_pfn(&m->e820, l->max_arch_pfn);
	l->max_possible_pfn = l->max_pfn;
	sb_printf(&m->log, "last_pfn = 0x%x max_arch_pfn = 0x%x\n",
		  l->max_pfn, l->max_arch_pfn);
	if (l->maxmem < (64u << 20))
		return mm_fail(err, MM_EINVAL, "bad-config", "cmdline",
			"vmalloc=/reservetop= leave %llu MiB for lowmem "
			"(MAXMEM); the kernel needs at least 64 MiB there",
			(unsigned long long)(l->maxmem >> 20));
	if (l->max_pfn <= PFN_DOWN(l->maxmem))
		lowmem_pfn_init(m, m->bp.has_highmem ? highmem_pages : 0);
	else
		highmem_pfn_init(m, highmem_pages, m->bp.has_highmem);
	return MM_OK;
}

/* --- memblock -------------------------------------------------------------- */

static bool e820_is_ram(const struct e820_table *t, phys_addr_t s,
			phys_addr_t e)
{
	for (uint32_t i = 0; i < t->nr_entries; i++) {
		const struct e820_entry *x = &t->entries[i];

		if (x->type == E820_TYPE_RAM && x->addr <= s &&
		    x->addr + x->size >= e)
			return true;
	}
	return false;
}

/*
 * e820__memblock_setup(): RAM entries go to memblock.memory.  A two-level
 * kernel's phys_addr_t is 32 bits, so an entry that ends above 4 GiB
 * does not fit and is skipped, as the kernel skips it.
 */
static void e820_memblock_setup(struct machine *m)
{
	for (uint32_t i = 0; i < m->e820.nr_entries; i++) {
		const struct e820_entry *e = &m->e820.entries[i];
		uint64_t end = e->addr + e->size;

		if (!m->config.pae && end > SZ_4G)
			continue;
		if (e->type == E820_TYPE_RAM)
			memblock_add(&m->memblock, e->addr, e->size);
	}
	memblock_trim_memory(&m->memblock, PAGE_SIZE);
}

/*
 * head_32.S maps from 0 up to _end plus room for the page tables of all
 * of lowmem (MAPPING_BEYOND_END), one whole PTE page at a time, taking the
 * PTE pages from the brk area.
 */
static void early_page_tables(struct machine *m)
{
	const struct kernel_image *k = m->image;
	uint64_t lowmem_pages = (SZ_4G - m->layout.page_offset) >> PAGE_SHIFT;
	uint64_t beyond = m->config.pae
		? (1 + lowmem_pages / 512) * PAGE_SIZE	/* KPMDS + PTEs */
		: (lowmem_pages / 1024) * PAGE_SIZE;
	phys_addr_t limit = ALIGN_UP(k->end + beyond,
				     (phys_addr_t)m->layout.pmd_size);
	uint32_t pte_pages = (uint32_t)(limit / m->layout.pmd_size);

	m->initial_mapped_end = PFN_DOWN(limit);
	/* brk: the early PTE pages, INIT_PGT_BUF for init_mem_mapping(),
	 * and the copied DMI tables (rounded to a page by reserve_brk) */
	m->brk_end = k->brk_base +
		(phys_addr_t)(pte_pages + INIT_PGT_BUF_PAGES + 1) * PAGE_SIZE;
}

/* The bottom of RAM: BIOS data, EBDA, real-mode trampoline.  6.1 keeps
 * the whole first MiB (reserve_real_mode) out of the buddy allocator. */
static void reserve_low_memory(struct machine *m)
{
	memblock_reserve(&m->memblock, 0, SZ_64K, "BIOS data (first 64K)");
	memblock_reserve(&m->memblock, 0x9f000, ISA_END - 0x9f000,
			 "EBDA and BIOS ROM");
	memblock_reserve(&m->memblock, 0, SZ_1M, "first 1M (real mode)");
}

int setup_memblock(struct machine *m, struct mm_error *err)
{
	const struct kernel_image *k = m->image;
	phys_addr_t low_top = PFN_PHYS(m->layout.max_low_pfn);

	e820_memblock_setup(m);
	/* a two-level kernel skips every RAM entry that ends above 4 GiB
	 * (its end does not fit a 32-bit resource_size_t): one entry from
	 * 1M past 4G leaves it none, or none under its image */
	if (!m->config.pae && !memblock_is_region_memory(&m->memblock, k->text,
						      k->end - k->text))
		return mm_fail(err, MM_EIMPOSSIBLE, "unbootable", "ram",
			"the kernel image loads at %#llx-%#llx, in an e820 "
			"RAM entry that ends above 4 GiB: a two-level "
			"(non-PAE) kernel skips such an entry whole (check "
			"ram, e820 and mem=/memmap=, or use PAE)",
			(unsigned long long)k->text,
			(unsigned long long)(k->end - 1));
	if (!e820_is_ram(&m->e820, k->text, k->end) || k->end > low_top)
		return mm_fail(err, MM_EIMPOSSIBLE, "unbootable", "ram",
			"the kernel image loads at %#llx-%#llx: that range "
			"must be usable RAM inside lowmem (check ram, e820 "
			"and mem=/memmap=)", (unsigned long long)k->text,
			(unsigned long long)(k->end - 1));
	early_page_tables(m);
	memblock_reserve(&m->memblock, k->text, k->bss_stop - k->text,
			 "kernel image");
	memblock_reserve(&m->memblock, k->brk_base, m->brk_end - k->brk_base,
			 "brk (early page tables, DMI)");
	reserve_low_memory(m);
	early_reserve_initrd(m);
	m->memblock.current_limit = low_top;
	sb_printf(&m->log, "initial memory mapped: [mem 0x00000000-0x%08llx]\n",
		  (unsigned long long)(PFN_PHYS(m->initial_mapped_end) - 1));
	return MM_OK;
}

/* --- printk's buffer --------------------------------------------------------- */

static uint32_t roundup_pow_of_two(uint64_t x)
{
	uint64_t p = 1;

	while (p < x)
		p <<= 1;
	return (uint32_t)p;
}

/*
 * setup_log_buf(): a log_buf_len= larger than the static buffer, or many
 * CPUs (4 KiB each beyond the first, once that passes half the static
 * buffer), moves the log to memblock with its record descriptors: 12 and
 * 88 bytes per 32 bytes of text.  With log_buf_len=4M that is 16.5 MiB.
 */
void setup_log_buf(struct machine *m)
{
	uint64_t want = m->bp.log_buf_len ? roundup_pow_of_two(
		MIN(m->bp.log_buf_len, 1ull << 31)) : 0;
	uint64_t cpu_extra = (uint64_t)(m->config.cpus - 1) * LOG_CPU_MAX_BUF;
	phys_addr_t buf;
	uint32_t n;

	if (cpu_extra > LOG_BUF_DEFAULT / 2)
		want = MAX(want, roundup_pow_of_two(cpu_extra +
						    LOG_BUF_DEFAULT));
	if (want <= LOG_BUF_DEFAULT)
		return;
	buf = memblock_alloc_range(&m->memblock, want, 4, 0, ~0ull,
				   "printk log buffer");
	if (!buf) {
		sb_printf(&m->log, "log_buf_len: %llu bytes not available\n",
			  (unsigned long long)want);
		return;
	}
	n = (uint32_t)(want >> PRB_AVGBITS);
	memblock_alloc_range(&m->memblock, (phys_addr_t)n * SIZEOF_PRB_DESC,
			     4, 0, ~0ull, "printk descriptors");
	memblock_alloc_range(&m->memblock,
			     (phys_addr_t)n * SIZEOF_PRINTK_INFO, 4, 0, ~0ull,
			     "printk record infos");
	m->log_buf_len = (uint32_t)want;
	sb_printf(&m->log, "printk: log_buf_len: %u bytes\n", m->log_buf_len);
}

/* --- initmem_init ----------------------------------------------------------- */

void initmem_init(struct machine *m)
{
	struct layout *l = &m->layout;

	l->highstart_pfn = l->highend_pfn = l->max_pfn;
	if (l->max_pfn > l->max_low_pfn)
		l->highstart_pfn = l->max_low_pfn;
	sb_printf(&m->log, "%luMB HIGHMEM available.\n",
		  pages_to_mb(l->highend_pfn - l->highstart_pfn));
	/* __va(highstart * PAGE_SIZE - 1) + 1: fine even at the 4G wrap */
	l->high_memory = (vaddr_t)(l->page_offset +
		(uint32_t)(PFN_PHYS(l->highstart_pfn) - 1) + 1);
	l->vmalloc_start = l->high_memory + VMALLOC_OFFSET;
	sb_printf(&m->log, "%luMB LOWMEM available.\n",
		  pages_to_mb(l->max_low_pfn));
	sb_printf(&m->log, "  mapped low ram: 0 - %08llx\n",
		  (unsigned long long)PFN_PHYS(l->max_low_pfn));
	sb_printf(&m->log, "  low ram: 0 - %08llx\n",
		  (unsigned long long)PFN_PHYS(l->max_low_pfn));
}

/* --- the initramfs ------------------------------------------------------------ */

/*
 * QEMU loads the initrd as high as it may below both the kernel header's
 * initrd_addr_max (2 GiB for 6.1) and the ACPI tables at the top of low
 * RAM, page aligned.
 */
static phys_addr_t qemu_initrd_addr(const struct machine *m)
{
	phys_addr_t top = 0;

	for (uint32_t i = 0; i < m->e820_firmware.nr_entries; i++) {
		const struct e820_entry *e = &m->e820_firmware.entries[i];

		if (e->type == E820_TYPE_RAM && e->addr < 0x80000000ull)
			top = MAX(top, MIN(e->addr + e->size, 0x80000000ull));
	}
	return ALIGN_DOWN(top - m->config.initrd, (phys_addr_t)PAGE_SIZE);
}

void early_reserve_initrd(struct machine *m)
{
	if (!m->config.initrd)
		return;
	m->initrd_start = qemu_initrd_addr(m);
	m->initrd_end = m->initrd_start + m->config.initrd;
	memblock_reserve(&m->memblock, m->initrd_start,
			 ALIGN_UP(m->config.initrd, (uint64_t)PAGE_SIZE),
			 "initrd (as loaded)");
}

/* reserve_initrd(): an initrd above lowmem is copied down into it. */
void reserve_initrd(struct machine *m)
{
	uint64_t size = m->config.initrd, area = ALIGN_UP(size, (uint64_t)PAGE_SIZE);
	phys_addr_t old = m->initrd_start, new;

	if (!size)
		return;
	sb_printf(&m->log, "RAMDISK: [mem 0x%08llx-0x%08llx]\n",
		  (unsigned long long)old, (unsigned long long)(old + area - 1));
	if (old + area <= PFN_PHYS(m->layout.max_low_pfn))
		return;
	new = memblock_alloc_range(&m->memblock, area, PAGE_SIZE, 0, ~0ull,
				   "initrd");
	if (!new) {
		sb_puts(&m->log, "initrd: no space for the initrd in lowmem; "
			"disabling it\n");
		memblock_unreserve(&m->memblock, old);
		m->initrd_start = m->initrd_end = 0;
		return;
	}
	sb_printf(&m->log, "Allocated new RAMDISK: [mem 0x%08llx-0x%08llx]\n",
		  (unsigned long long)new, (unsigned long long)(new + size - 1));
	sb_printf(&m->log, "Move RAMDISK from [mem 0x%08llx-0x%08llx] to "
		  "[mem 0x%08llx-0x%08llx]\n", (unsigned long long)old,
		  (unsigned long long)(old + size - 1),
		  (unsigned long long)new, (unsigned long long)(new + size - 1));
	memblock_unreserve(&m->memblock, old);
	m->initrd_start = new;
	m->initrd_end = new + size;
}

/*
 * swiotlb.c - the software IO TLB a 6.1 PAE kernel sets up when RAM may
 * lie above 4 GiB (kernel/dma/swiotlb.c, arch/x86/kernel/pci-dma.c):
 * pci_iommu_alloc() at the start of mem_init() finds max_possible_pfn (the
 * e820 end of RAM, before highmem= trims max_pfn) past MAX_DMA32_PFN and
 * takes, from memblock before the buddy allocator gets anything, a 64 MiB
 * bounce buffer in lowmem (memblock_alloc_low), its slot array and its
 * areas; pci_iommu_init() (a rootfs initcall) prints where it went.
 *
 * Left out: bouncing itself (the model has no devices doing DMA), and the
 * command-line knobs (iommu=, swiotlb=), which Debian's default boot does
 * not use; a two-level kernel never has RAM above 4 GiB, so never a TLB.
 */
#include "setup.h"

#define MAX_DMA32_PFN		(1u << 20)	/* 4 GiB */
#define IO_TLB_SHIFT		11		/* 2 KiB slabs */
#define IO_TLB_DEFAULT_SIZE	(64u << 20)
#define IO_TLB_SEGSIZE		128
#define SIZEOF_IO_TLB_SLOT	16	/* phys_addr_t, size_t, two u16/u32 */
#define SIZEOF_IO_TLB_AREA	12	/* used, index, spinlock */
#define SMP_CACHE_BYTES		64

/* swiotlb_adjust_nareas(): one area per possible CPU, a power of two. */
static unsigned swiotlb_nareas(unsigned cpus)
{
	unsigned n = 1;

	while (n < cpus)
		n <<= 1;
	return n;
}

void pci_iommu_alloc(struct machine *m)
{
	uint32_t nslabs = IO_TLB_DEFAULT_SIZE >> IO_TLB_SHIFT;
	unsigned nareas = swiotlb_nareas(m->config.cpus);
	phys_addr_t tlb;

	/* pci_swiotlb_detect() */
	m->swiotlb_enabled = m->layout.max_possible_pfn > MAX_DMA32_PFN;
	if (!m->swiotlb_enabled)
		return;
	sb_printf(&m->log, "software IO TLB: area num %u.\n", nareas);
	if (nareas > nslabs / IO_TLB_SEGSIZE)
		nslabs = nareas * IO_TLB_SEGSIZE;
	tlb = memblock_alloc_range(&m->memblock,
				   ALIGN_UP((uint64_t)nslabs << IO_TLB_SHIFT,
					    (uint64_t)PAGE_SIZE),
				   PAGE_SIZE, 0, ~0ull, "swiotlb bounce buffer");
	if (!tlb) {
		sb_puts(&m->log, "swiotlb_init_remap: failed to allocate tlb "
			"structure\n");
		return;
	}
	memblock_alloc_range(&m->memblock,
			     ALIGN_UP((uint64_t)nslabs * SIZEOF_IO_TLB_SLOT,
				      (uint64_t)PAGE_SIZE),
			     PAGE_SIZE, 0, ~0ull, "swiotlb slots");
	memblock_alloc_range(&m->memblock,
			     (phys_addr_t)nareas * SIZEOF_IO_TLB_AREA,
			     SMP_CACHE_BYTES, 0, ~0ull, "swiotlb areas");
	m->swiotlb_start = tlb;
	m->swiotlb_nslabs = nslabs;
}

/* pci_iommu_init(): the bounce buffer stays, and says where it is. */
void pci_iommu_init(struct machine *m)
{
	uint64_t bytes = (uint64_t)m->swiotlb_nslabs << IO_TLB_SHIFT;

	if (!m->swiotlb_enabled)
		return;
	sb_puts(&m->log, "PCI-DMA: Using software bounce buffering for IO "
		"(SWIOTLB)\n");
	if (!m->swiotlb_nslabs) {
		sb_puts(&m->log, "software IO TLB: No low mem\n");
		return;
	}
	sb_printf(&m->log, "software IO TLB: mapped [mem 0x%016llx-0x%016llx] "
		  "(%lluMB)\n", (unsigned long long)m->swiotlb_start,
		  (unsigned long long)(m->swiotlb_start + bytes),
		  (unsigned long long)(bytes >> 20));
}

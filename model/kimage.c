/*
 * kimage.c - section addresses of Debian's 6.1.176-1 i386 kernels.
 *
 * Taken from the System.map of linux-image-6.1.0-50-686(-pae)-dbg as the
 * real-kernel captures print them (virtual minus 0xc0000000).  They fix
 * the "Memory:" banner's section sizes, /proc/iomem's Kernel lines and
 * the memblock reservation of the image.  idt_table and the real-mode
 * pages are where the captures' page-table walks show read-only pages.
 * bm_pte's place inside .bss is not in the captures and is a guess: the
 * page after idt_table (both are page-aligned .bss, arch/x86/kernel links
 * before arch/x86/mm).  The pages below swapper_pg_dir are head_32.S's
 * (initial_page_table or the PAE kernel PMDs, then initial_pg_fixmap).
 */
#include "kimage.h"

static const struct kernel_image image_686 = {
	.release = "6.1.0-50-686",
	.text = 0x1000000, .etext = 0x191bc80,
	.start_rodata = 0x191c000, .end_rodata = 0x1c39000,
	.sdata = 0x1c39000, .edata = 0x1d70bc0,
	.init_begin = 0x1d86000, .init_end = 0x1e6a000,
	.smp_locks = 0x1e6a000, .smp_locks_end = 0x1e72000,
	.bss_start = 0x1e72000, .bss_stop = 0x1ee6000,
	.brk_base = 0x1ee6000, .end = 0x200c000,
	.swapper_pg_dir = 0x1e74000, .empty_zero_page = 0x1e75000,
	.idt_table = 0x1e76000, .bm_pte = 0x1e77000,
	.realmode_ro = 0x9b000, .realmode_text = 0x9c000,
	.pcpu_static = 103316, .pcpu_reserved = 0,
	.pcpu_dynamic = 31852, .pcpu_unit = 135168,
};

static const struct kernel_image image_686_pae = {
	.release = "6.1.0-50-686-pae",
	.text = 0x1000000, .etext = 0x1933f00,
	.start_rodata = 0x1934000, .end_rodata = 0x1c51000,
	.sdata = 0x1c52000, .edata = 0x1d8e680,
	.init_begin = 0x1da4000, .init_end = 0x1e8c000,
	.smp_locks = 0x1e8c000, .smp_locks_end = 0x1e94000,
	.bss_start = 0x1e94000, .bss_stop = 0x1f0b000,
	.brk_base = 0x1f0b000, .end = 0x2135000,
	.swapper_pg_dir = 0x1e98000, .empty_zero_page = 0x1e9a000,
	.idt_table = 0x1e9b000, .bm_pte = 0x1e9c000,
	.realmode_ro = 0x9b000, .realmode_text = 0x9c000,
	.pcpu_static = 104276, .pcpu_reserved = 0,
	.pcpu_dynamic = 30892, .pcpu_unit = 135168,
};

const struct kernel_image *kernel_image_for(bool pae)
{
	return pae ? &image_686_pae : &image_686;
}

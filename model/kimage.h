/*
 * kimage.h - the kernel image the simulated machine boots: Debian's
 * linux-image-6.1.0-50-686 and -686-pae (6.1.176-1), section by section,
 * as their System.map places them at the 16 MiB load address.
 */
#ifndef MM_KIMAGE_H
#define MM_KIMAGE_H

#include "types.h"

struct kernel_image {
	const char *release;		/* uname -r */
	phys_addr_t text;		/* _text = _stext */
	phys_addr_t etext;
	phys_addr_t start_rodata, end_rodata;
	phys_addr_t sdata, edata;
	phys_addr_t init_begin, init_end;
	phys_addr_t smp_locks, smp_locks_end;	/* freed after patching */
	phys_addr_t bss_start, bss_stop;
	phys_addr_t brk_base, end;		/* _end closes the brk area */
	phys_addr_t swapper_pg_dir;
	phys_addr_t empty_zero_page;
	phys_addr_t idt_table;			/* read-only after boot */
	phys_addr_t bm_pte;			/* early_ioremap's PTE page */
	/* the real-mode trampoline below 1 MiB: its read-only data page and
	 * its 16/32-bit text page, as set_real_mode_permissions() leaves them */
	phys_addr_t realmode_ro, realmode_text;
	/* the percpu first chunk: static, reserved, dynamic, unit sizes */
	uint32_t pcpu_static, pcpu_reserved, pcpu_dynamic, pcpu_unit;
};

const struct kernel_image *kernel_image_for(bool pae);

#endif

/*
 * gfp.h - the allocation flags of Linux 6.1 (include/linux/gfp_types.h),
 * with the values the i386 kernel uses, and the zone they select.
 */
#ifndef MM_GFP_H
#define MM_GFP_H

#include <stdint.h>

typedef uint32_t gfp_t;

#define __GFP_DMA		0x01u
#define __GFP_HIGHMEM		0x02u
#define __GFP_DMA32		0x04u
#define __GFP_MOVABLE		0x08u
#define __GFP_RECLAIMABLE	0x10u
#define __GFP_HIGH		0x20u
#define __GFP_IO		0x40u
#define __GFP_FS		0x80u
#define __GFP_ZERO		0x100u
#define __GFP_ATOMIC		0x200u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_WRITE		0x1000u
#define __GFP_NOWARN		0x2000u
#define __GFP_RETRY_MAYFAIL	0x4000u
#define __GFP_NOFAIL		0x8000u
#define __GFP_NORETRY		0x10000u
#define __GFP_MEMALLOC		0x20000u
#define __GFP_COMP		0x40000u
#define __GFP_NOMEMALLOC	0x80000u
#define __GFP_HARDWALL		0x100000u
#define __GFP_THISNODE		0x200000u
#define __GFP_ACCOUNT		0x400000u

#define __GFP_RECLAIM	(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC	(__GFP_HIGH | __GFP_ATOMIC | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL	(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOWAIT	(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO	(__GFP_RECLAIM)
#define GFP_NOFS	(__GFP_RECLAIM | __GFP_IO)
#define GFP_USER	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA		__GFP_DMA
#define GFP_HIGHUSER	(GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_DMA32	__GFP_DMA32
#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_TRANSHUGE_LIGHT ((GFP_HIGHUSER_MOVABLE | __GFP_COMP | \
			      __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE	(GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

/* Every bit 6.1 defines; anything else in a mask is a caller's mistake. */
#define __GFP_ALL_BITS	0x7fffffu

/*
 * Parse a mask written the way the kernel source writes one:
 * "GFP_KERNEL | __GFP_ZERO", "GFP_HIGHUSER_MOVABLE", or a number ("0xcc0").
 * Returns 0 and sets *out, or -1 with the unknown word copied to bad.
 */
int gfp_parse(const char *s, gfp_t *out, char *bad, unsigned badlen);
/* Write a mask as "GFP_KERNEL|__GFP_ZERO" (largest composites first). */
/* Room for any mask's name: every flag's name once, with '|' between
 * (about 480 bytes), and a hex remainder; a buffer this long is never
 * cut short. */
#define GFP_NAME_MAX	512
void gfp_format(gfp_t gfp, char *buf, unsigned len);

/*
 * gfp_zone(): the highest zone (enum zone_type) the mask may allocate
 * from, from its low four bits as GFP_ZONE_TABLE maps them on i386 (no
 * ZONE_DMA32, so __GFP_DMA32 means Normal); -1 for GFP_ZONE_BAD, i.e. two
 * of __GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM together.
 */
int gfp_zone(gfp_t gfp);
/* gfp_migratetype(): enum migratetype from __GFP_MOVABLE/__GFP_RECLAIMABLE;
 * -1 when both are set (that would read as MIGRATE_HIGHATOMIC). */
int gfp_migratetype(gfp_t gfp);

#endif

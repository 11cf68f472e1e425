/*
 * types.h - the few types and constants every part of the model shares.
 *
 * The simulated machine is a 32-bit x86 PC running Debian's Linux 6.1
 * "686" (two-level paging) or "686-pae" (PAE) kernel.  Physical addresses
 * are 64-bit because PAE reaches 36 bits; virtual addresses are 32-bit.
 */
#ifndef MM_TYPES_H
#define MM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t phys_addr_t;
typedef uint32_t vaddr_t;
typedef uint32_t pfn_t;		/* 36-bit physical space / 4 KiB fits 24 bits */

#define PAGE_SHIFT	12
#define PAGE_SIZE	4096u
#define PFN_PHYS(pfn)	((phys_addr_t)(pfn) << PAGE_SHIFT)
#define PFN_DOWN(x)	((pfn_t)((x) >> PAGE_SHIFT))
#define PFN_UP(x)	((pfn_t)(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT))

#define SZ_1K	0x400ull
#define SZ_64K	0x10000ull
#define SZ_1M	0x100000ull
#define SZ_16M	0x1000000ull
#define SZ_1G	0x40000000ull
#define SZ_4G	0x100000000ull

/* mm/page_alloc.c: orders 0..10 in 6.1 (MAX_ORDER is exclusive there). */
#define MAX_ORDER	11
#define MAX_ORDER_NR_PAGES (1u << (MAX_ORDER - 1))

/* Debian's 6.1 i386 build: CONFIG_NR_CPUS=32 (setup_percpu line). */
#define NR_CPUS		32

#define ALIGN_UP(x, a)	 (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
/* <sys/param.h> (which libuv's header pulls in) has the same two */
#ifndef MIN
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#endif
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Whether [start, start + len) lies inside [0, limit), written so that
 * nothing can wrap: "start + len <= limit" is true for start near 2^64,
 * and a range that wraps turns into frames that are not there.  Every
 * address range taken from outside goes through this before it becomes
 * frames.
 */
static inline bool range_fits(uint64_t start, uint64_t len, uint64_t limit)
{
	return start <= limit && len <= limit - start;
}

#endif

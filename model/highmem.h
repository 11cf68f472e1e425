/*
 * highmem.h - how the kernel reaches a page frame that has no place in the
 * linear map: the permanent kmaps of the pkmap area, the per-CPU
 * kmap_local / kmap_atomic slots of the fixmap, and page_address()
 * (6.1 mm/highmem.c, include/linux/highmem-internal.h,
 * arch/x86/include/asm/highmem.h, fixmap.h).
 *
 * Every operation takes a frame that is RAM in one of the zones (allocated,
 * free or reserved alike: the kernel kmaps any struct page).  A lowmem
 * frame (pfn < max_low_pfn) is always mapped at PAGE_OFFSET + phys and
 * kmap/kmap_local hand that address back without touching anything.
 *
 * Rules the model follows (the kernel's, unless said otherwise):
 *
 * Permanent kmaps.  LAST_PKMAP slots (1024 two-level, 512 PAE, one PTE
 * table) at PKMAP_BASE + n * 4096.  pkmap_count[n] is 0 for a free,
 * flushed slot, 1 for a slot still mapped but without users (it waits for
 * the next flush and cannot be taken), and u + 1 for u users.
 * kmap() of a HighMem frame that already has a pkmap address (count >= 1,
 * including a slot waiting for its flush) adds a user.  Otherwise
 * map_new_virtual() scans: last_pkmap_nr = (last_pkmap_nr + 1) &
 * (LAST_PKMAP - 1); when that is 0, flush_all_zero_pkmaps() unmaps every
 * slot with count 1 (PTE cleared, count 0, page_address forgotten); the
 * first slot with count 0 is taken, its PTE written with PAGE_KERNEL, its
 * count set to 1 and raised to 2 for the caller.  last_pkmap_nr starts at
 * 0, so a fresh machine's first kmap takes slot 1 (PKMAP_BASE + 4096) and
 * slot 0 is used only after the first wrap.
 * Where the kernel would sleep (no slot with count 0 or 1 anywhere: the
 * scan wraps once, flushes nothing and gives up) the model refuses with
 * "pkmap-full" and changes nothing; the kernel would also have moved
 * last_pkmap_nr to LAST_PKMAP - 1, but after a kunmap the next kmap takes
 * the same slot either way (the lowest one freed by the wrap flush).
 * kunmap() removes a user; a slot left at count 1 stays mapped (and
 * page_address still finds it) until the next wrap.  kunmap() of a frame
 * without users is a kernel BUG; the model refuses with "not-kmapped".
 *
 * page_address().  Lowmem: PAGE_OFFSET + phys.  HighMem: the pkmap
 * address while the frame holds a pkmap slot (count >= 1; the
 * HASHED_PAGE_VIRTUAL table only kmap fills), else NULL (0 here).
 * kmap_local and kmap_atomic mappings are not recorded there.
 *
 * kmap_local_page() / kmap_atomic().  The model runs one task per CPU, so
 * the per-task kmap_ctrl stack is a per-CPU one.  A HighMem frame pushes
 * idx = kmap_ctrl.idx++ (KM_MAX_IDX = 16 deep; the 17th would be a kernel
 * BUG: "kmap-local-full"), slot = idx + KM_MAX_IDX * cpu, and maps
 * __fix_to_virt(FIX_KMAP_BEGIN + slot) = FIXADDR_TOP - (FIX_KMAP_BEGIN +
 * slot) * 4096 with PAGE_KERNEL: addresses fall as the stack grows.
 * kunmap_local() must name the most recent mapping of that CPU (any
 * address inside its page, as the kernel masks it); anything else is
 * refused ("kunmap-local-order", naming the address expected; the kernel
 * would WARN and clear the wrong PTE), and an address of the linear map
 * is the no-op it is in the kernel.  kmap_atomic() also disables page
 * faults and preemption until kunmap_atomic(); with nothing to schedule
 * the model only records which of the two made each mapping and refuses
 * to undo one with the other's unmap ("kunmap-kind").
 */
#ifndef MM_HIGHMEM_H
#define MM_HIGHMEM_H

#include "error.h"
#include "layout.h"
#include "types.h"

struct machine;

/* LAST_PKMAP of the two-level build; PAE uses the first 512 entries. */
#define LAST_PKMAP_MAX	1024

/*
 * FIX_KMAP_BEGIN (layout.h) is Debian 6.1's fixmap index 68: FIX_HOLE,
 * FIX_DBGP_BASE, FIX_EARLYCON_MEM_BASE, FIX_APIC_BASE and the 64 IO-APIC
 * slots (MAX_IO_APICS) come first: 3 + 1 + 64.  FIX_KMAP_END is
 * 68 + KM_MAX_IDX * NR_CPUS - 1 = 579.
 */
#define FIX_KMAP_END	(FIX_KMAP_BEGIN + KM_MAX_IDX * NR_CPUS - 1)

/* One CPU's kmap_local stack (task_struct.kmap_ctrl in the kernel). */
struct kmap_ctrl {
	unsigned idx;			/* mappings on the stack */
	pfn_t pfn[KM_MAX_IDX];
	bool atomic[KM_MAX_IDX];	/* made by kmap_atomic */
};

struct kmap_state {
	unsigned last_pkmap_nr;
	uint32_t pkmap_count[LAST_PKMAP_MAX];
	pfn_t pkmap_page[LAST_PKMAP_MAX];	/* valid while count >= 1 */
	struct kmap_ctrl ctrl[NR_CPUS];
};

void kmap_state_init(struct kmap_state *k);

/* The pkmap and fixmap addresses of a slot. */
vaddr_t pkmap_addr(const struct machine *m, unsigned nr);
vaddr_t kmap_local_addr(const struct machine *m, unsigned cpu,
			unsigned idx);

/* Whether the frame is RAM in a zone, and whether it is lowmem. */
bool kmap_frame_ok(const struct machine *m, pfn_t pfn);
bool pfn_is_lowmem(const struct machine *m, pfn_t pfn);

/* page_address(): 0 for a HighMem frame without a pkmap slot. */
vaddr_t page_address(const struct machine *m, pfn_t pfn);
/* The pkmap slot the frame holds (count >= 1), or -1. */
int pkmap_slot_of(const struct machine *m, pfn_t pfn);

struct kmap_result {
	vaddr_t addr;
	bool lowmem;
	int slot;			/* -1 for lowmem */
	uint32_t users;			/* pkmap_count - 1 */
	unsigned nr_flushed;		/* slots the wrap flush unmapped */
	uint16_t flushed[LAST_PKMAP_MAX];
};

/* kmap(): errors "not-ram", "pkmap-full"; a refusal changes nothing. */
int kmap(struct machine *m, pfn_t pfn, struct kmap_result *res,
	 struct mm_error *err);

struct kunmap_result {
	bool lowmem;
	int slot;			/* -1 for lowmem */
	vaddr_t addr;
	uint32_t users;			/* left after this kunmap */
};

/* kunmap(): errors "not-ram", "not-kmapped". */
int kunmap(struct machine *m, pfn_t pfn, struct kunmap_result *res,
	   struct mm_error *err);

struct kmap_local_result {
	vaddr_t addr;
	bool lowmem;			/* linear address, nothing pushed */
	unsigned cpu;
	int idx;			/* stack index, -1 for lowmem */
	int fixmap_index;		/* FIX_KMAP_BEGIN + slot, or -1 */
	pfn_t pfn;
	unsigned depth;			/* the CPU's stack depth after */
};

/*
 * kmap_local_page() (atomic false) and kmap_atomic() (true): errors
 * "bad-cpu", "not-ram", "kmap-local-full".
 */
int kmap_local(struct machine *m, pfn_t pfn, unsigned cpu, bool atomic,
	       struct kmap_local_result *res, struct mm_error *err);
/*
 * kunmap_local() / kunmap_atomic(): errors "bad-cpu", "not-kmap-local"
 * (neither a kmap_local slot nor the linear map), "not-kmapped" (the CPU
 * has nothing mapped), "kunmap-local-order", "kunmap-kind".
 */
int kunmap_local(struct machine *m, vaddr_t va, unsigned cpu, bool atomic,
		 struct kmap_local_result *res, struct mm_error *err);

#endif

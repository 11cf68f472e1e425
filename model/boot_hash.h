/*
 * boot_hash.h - the hash tables and pools a booted kernel allocates after
 * mm_init() (alloc_large_system_hash() on the buddy allocator, the quota
 * hash, the highmem bounce pool), and the boot-log lines they print.
 * Internal to the model; boot_hash.c says what it models.
 */
#ifndef MM_BOOT_HASH_H
#define MM_BOOT_HASH_H

#include "machine.h"

/* owner_id of an OWNER_KERNEL block that one of these allocations took;
 * ids start at BOOT_ALLOC_ID_BASE so they mean nothing else. */
#define BOOT_ALLOC_ID_BASE	0x100u
enum boot_alloc {
	BOOT_ALLOC_MOUNT = BOOT_ALLOC_ID_BASE,
	BOOT_ALLOC_MOUNTPOINT,
	BOOT_ALLOC_FUTEX,
	BOOT_ALLOC_DQUOT,
	BOOT_ALLOC_IP_IDENTS,
	BOOT_ALLOC_TCP_LISTEN,
	BOOT_ALLOC_TABLE_PERTURB,
	BOOT_ALLOC_TCP_ESTABLISHED,
	BOOT_ALLOC_TCP_BIND,
	BOOT_ALLOC_MPTCP_TOKEN,
	BOOT_ALLOC_UDP,
	BOOT_ALLOC_UDP_LITE,
	BOOT_ALLOC_BOUNCE,
	BOOT_ALLOC_FTRACE,
	BOOT_ALLOC_END
};

/*
 * The value of the last "name=value" on the command line whose value
 * parses as a number (C syntax: 0x hex, leading 0 octal): with strict,
 * only one that is a number throughout (kstrtoul()); without, whatever
 * number it starts with, 0 for none (simple_strtoul()).  False when no
 * such parameter is there.
 */
bool cmdline_ulong(const char *cmdline, const char *name, bool strict,
		   uint64_t *val);

/* The table's name for an owner_id ("Mount-cache hash table", "bounce
 * pool"), NULL when the id is none of these. */
const char *boot_alloc_name(uint32_t owner_id);

/* The caller's arguments to alloc_large_system_hash(). */
struct hash_args {
	const char *name;
	uint32_t bucketsize;
	uint64_t numentries;	/* 0: scale with lowmem */
	unsigned scale;		/* one bucket per 2^scale bytes */
	bool zero;		/* HASH_ZERO */
	uint64_t low_limit, high_limit;	/* 0: none */
};

/* The sizing alone: how many entries the kernel settles on for machine
 * m (nr_kernel_pages and nr_all_pages as free_area_init left them). */
uint64_t boot_hash_entries(const struct machine *m, const struct hash_args *a);

/*
 * alloc_large_system_hash() after mm_init(): alloc_pages_exact() when
 * the table is below MAX_ORDER, vmalloc (vzalloc for HASH_ZERO) when not,
 * halving on failure as the kernel does; logs its line.  *entries gets the
 * final count.  Refused only by an out-of-memory machine at one page.
 */
int boot_hash_alloc(struct machine *m, const struct hash_args *a,
		    uint32_t owner_id, uint64_t *entries, struct mm_error *err);

/* The steps of a booted kernel (nothing on a bare machine), each where
 * its lines fall in the kernel's boot log:
 * start_kernel's mnt_init() and the core_initcall futex_init();
 * the fs_initcalls (e820 RAM buffers at subsys level, dquot, inet);
 * workingset_init() before the initrd is freed, the bounce pool after. */
int boot_hash_early(struct machine *m, struct mm_error *err);
/* ftrace_init.c: start_kernel's ftrace_init(), right after mm_init(). */
int ftrace_init(struct machine *m, struct mm_error *err);
int boot_hash_initcalls(struct machine *m, struct mm_error *err);
void workingset_init(struct machine *m);
int init_emergency_pool(struct machine *m, struct mm_error *err);

#endif

/*
 * initcalls.c - what a booted machine's initcalls leave behind.
 *
 * By the time init runs and anyone can read /proc, the kernel has done
 * far more than set up memory: do_initcalls() has created its named slab
 * caches and filled them, mapped firmware tables and devices into the
 * vmalloc area, allocated the hash tables that scale with memory, given
 * each thread a kernel stack, and populate_rootfs() has unpacked the
 * initramfs into page-cache pages.  A machine in BOOT_BOOTED has all of
 * it, made by the model's own allocators in the kernel's order, so a
 * student can kmem_cache_alloc from dentry or vfree an area the boot made.
 * A BOOT_BARE machine skips this file: it stops where mm_init() ends.
 *
 * The kernel's order matters only where it shows: which vmalloc address
 * an area gets, which frames a cache's slabs take.  The steps run in the
 * order their creators run in 6.1's boot.
 */
#include "setup.h"

#include "boot_hash.h"
#include "boot_slab.h"
#include "boot_vmalloc.h"
#include "initramfs.h"

int do_initcalls(struct machine *m, struct mm_error *err)
{
	int rc;

	if (m->config.boot == BOOT_BARE)
		return MM_OK;
	/* the named caches and the boot's objects, kernel stacks */
	if ((rc = boot_slab_init(m, err)))
		return rc;
	if ((rc = boot_vmalloc_areas(m, err)))
		return rc;
	return boot_hash_initcalls(m, err);
}

int populate_rootfs(struct machine *m, struct mm_error *err)
{
	if (m->config.boot == BOOT_BARE)
		return MM_OK;
	return unpack_to_rootfs(m, err);
}

/*
 * initramfs.c - populate_rootfs(): the initramfs unpacked into rootfs.
 *
 * The kernel decompresses the initrd's cpio archive and writes each file
 * into rootfs, a tmpfs: every file's data lands in page-cache pages of
 * shmem (shmem_alloc_folio, GFP_HIGHUSER_MOVABLE, order 0, HighMem
 * first), which meminfo counts in Shmem and in Cached and which stay as
 * long as the files do.  Then the initrd itself is freed (mm_init.c).
 *
 * The model has no file system: the unpacked files are owned pages
 * (OWNER_SHMEM), taken one at a time with alloc_pages(GFP_HIGHUSER_MOVABLE,
 * 0) as tmpfs takes them, and counted in m->rootfs_pages.  How many: the
 * captures' busybox initramfs (a gzip'd cpio of 0x104dc9 = 1068489 bytes,
 * the "Move RAMDISK" line) leaves Shmem = Cached = 2032 kB = 508 pages
 * (every capture's meminfo; the PAE one's archive of 1068493 bytes too).
 * Assumed: any initrd unpacks in that ratio, rounded to the nearest page
 * (a different archive's contents would change it; only its size is in
 * the configuration).  An initrd of 0, or one setup_arch could not place
 * (m->initrd_start 0), unpacks nothing.  When the pages run out the
 * kernel stops with "Initramfs unpacking failed: write error" and keeps
 * what it wrote; so does the model.
 *
 * Left out: the dentries and inodes of the files (slab objects; the
 * named caches' business), the cpio's symlinks and directories (no
 * data pages on tmpfs), and the decompressor's buffers (freed before
 * init runs).
 */
#include "initramfs.h"

#include <stdlib.h>

#include "machine.h"
#include "page_alloc.h"

/* the captures' initramfs: archive bytes and the pages it unpacked to */
#define CAPTURE_INITRD_BYTES	1068489ull
#define CAPTURE_ROOTFS_PAGES	508ull

uint32_t initramfs_unpacked_pages(uint64_t initrd_bytes)
{
	return (uint32_t)((initrd_bytes * CAPTURE_ROOTFS_PAGES +
			   CAPTURE_INITRD_BYTES / 2) / CAPTURE_INITRD_BYTES);
}

int unpack_to_rootfs(struct machine *m, struct mm_error *err)
{
	uint32_t want;
	struct page_alloc_result *r;
	int rc = MM_OK;

	if (!m->initrd_start || !m->config.initrd)
		return MM_OK;
	sb_puts(&m->log, "Trying to unpack rootfs image as initramfs...\n");
	want = initramfs_unpacked_pages(m->config.initrd);
	r = xmalloc(sizeof(*r));
	for (uint32_t i = 0; i < want; i++) {
		if ((rc = alloc_pages_quiet(&m->pgdat, GFP_HIGHUSER_MOVABLE, 0,
				      OWNER_SHMEM, 0, r, err)))
			break;
		if (!r->ok) {
			sb_puts(&m->log, "Initramfs unpacking failed: write "
				"error\n");
			break;
		}
		m->rootfs_pages++;
	}
	free(r);
	return rc;
}

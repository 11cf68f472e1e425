/*
 * initramfs.h - the initramfs populate_rootfs() unpacks into rootfs
 * (initramfs.c has the rule and where its figures come from).
 */
#ifndef MM_INITRAMFS_H
#define MM_INITRAMFS_H

#include "error.h"
#include "types.h"

struct machine;

/* The page-cache pages an initrd of this many bytes unpacks to. */
uint32_t initramfs_unpacked_pages(uint64_t initrd_bytes);
/* Unpack the loaded initrd (none: nothing) into shmem pages. */
int unpack_to_rootfs(struct machine *m, struct mm_error *err);

#endif

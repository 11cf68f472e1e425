/*
 * boot_slab.h - a booted machine's named slab caches, their boot objects,
 * the boot's kmalloc objects and the boot tasks' kernel stacks
 * (boot_slab.c has the rules and where each figure comes from).
 */
#ifndef MM_BOOT_SLAB_H
#define MM_BOOT_SLAB_H

#include "error.h"

struct machine;

/* The boot tasks of a machine with cpus CPUs: one task_struct and one
 * THREAD_SIZE kernel stack each. */
unsigned boot_nr_tasks(unsigned cpus);
/* Create the named caches in the kernel's order and allocate the boot's
 * objects and kernel stacks; an error when the machine's RAM cannot hold
 * them. */
int boot_slab_init(struct machine *m, struct mm_error *err);

#endif

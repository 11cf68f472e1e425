/*
 * snapshot.h - a machine's whole mutable state as a versioned binary blob,
 * and the machine rebuilt from it.
 *
 * The daemon journals every operation and replays the journal on restart;
 * a snapshot bounds that replay: restore the latest snapshot, then replay
 * only what came after it.
 *
 * What is in it.  machine_boot() is a pure function of the configuration,
 * so everything boot derives (the e820 maps, memblock, the layout, the
 * zones' spans, managed pages and watermarks, the kernel image, the boot
 * figures) is not stored: machine_restore() boots a fresh machine from
 * the configuration and replaces what operations change:
 *   - the buddy allocator: every zone's free lists in list order (so the
 *     next allocation takes the same block), nr_free_pages, the
 *     pageblock migratetypes, the highatomic reserve; every allocated
 *     block with its order, zone, migratetype, gfp, owner and owner id;
 *   - simulated RAM: every page with a non-zero byte (page tables
 *     included), as a bitmap of its non-zero 8-byte words and those words;
 *   - the boot log (the OOM killer appends to it);
 *   - kmap: last_pkmap_nr, every pkmap slot in use (count, frame), each
 *     CPU's kmap_local stack;
 *   - vmalloc: every area (id, range, flags, caller, frames, ioremap
 *     phys, nested pages[] links) and the next area id;
 *   - SLUB: every cache in creation order (the kmalloc caches must be
 *     boot's own; a named cache is rebuilt from its name, sizes, alignment
 *     and flags), each cache's slabs in creation order with their CPU,
 *     partial or full list, their free objects in free-list order, the
 *     partial list's order, the next cache id;
 *   - processes: the limits, the next pid, each process (ids, comm, its
 *     page-table roots, ELF layout, brk, mmap_base, RSS and high-water
 *     counters, oom_score_adj, VMAs) and every user frame with its
 *     mapcount.
 * Nothing that only the host's bookkeeping shows is stored (hash-table
 * layouts, slot numbers, free slot stacks, array capacities, stale list
 * links); pointers are rebuilt.  So snapshot(restore(s)) == s, byte for
 * byte, and both machines answer every later operation alike.
 *
 * The format (version 1).  Integers are little-endian and fixed width.
 *   header, 32 bytes:
 *     "MMSNAP"  magic, 6 bytes
 *     u16       version (SNAPSHOT_VERSION)
 *     u32       number of sections (9)
 *     u32       flags, 0
 *     u64       total length in bytes, header included
 *     u64       checksum of every byte but these eight (snapshot_io.c)
 *   then the sections, each: u32 tag (four letters), u32 0, u64 payload
 *   length, payload.  In this order: CONF (the configuration in canonical
 *   form; restore refuses another configuration), ZONE, ABLK, PMEM, LOG ,
 *   KMAP, VMAL, SLAB, PROC.  snapshot.c writes each payload; every count
 *   in a payload precedes its records.
 *
 * Restore trusts nothing: besides the checksum, every count is bounded by
 * the bytes left, every index, pfn, address and list is checked against
 * the freshly booted machine (the free and allocated blocks must cover
 * exactly the frames boot gave the buddy allocator, each slab must be an
 * allocated block of its cache, each vmalloc frame one of its area, ...),
 * and slab_check() runs at the end.  Any failure is MM_EINVAL with type
 * "bad-snapshot" and a detail naming the section; nothing is leaked.
 */
#ifndef MM_SNAPSHOT_H
#define MM_SNAPSHOT_H

#include "machine.h"

#define SNAPSHOT_MAGIC		"MMSNAP"
#define SNAPSHOT_VERSION	1

/* Serialise the whole mutable state of m: *buf (malloc'd, the caller
 * frees it) holds *len bytes. */
void machine_snapshot(const struct machine *m, uint8_t **buf, size_t *len);

/*
 * Rebuild a machine from its configuration and a snapshot: MM_OK and
 * *out, or an error and *out NULL (a bad configuration: its own error;
 * anything wrong with the bytes, including a snapshot of another
 * configuration: MM_EINVAL "bad-snapshot").  Safe on any input bytes.
 */
int machine_restore(const struct machine_config *c, const void *buf,
		    size_t len, struct machine **out, struct mm_error *err);

#endif

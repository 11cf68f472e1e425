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
 *     counters, oom_score_adj, VMAs), every user frame with its
 *     mapcount, meminfo's AnonPages, Shmem and PageTables counters.
 * There is no random state: a process's randomisation derives from the
 * seed and its pid.  Nothing that only the host's bookkeeping shows is
 * stored (hash-table layouts, slot numbers, free slot stacks, array
 * capacities, stale list links); pointers are rebuilt.  So
 * snapshot(restore(s)) == s, byte for byte, and both machines answer
 * every later operation alike.
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
 *   length, payload; all nine, in this order, each read to its last byte:
 *     CONF  u64 ram, u8 has_e820, u32 n, n x (u64 addr, u64 size, u32
 *           type), u8 pae, u32 vmsplit, u32 len, len bytes of command line,
 *           u64 initrd, u32 cpus, u64 seed.  Restore writes its own
 *           configuration the same way and refuses any difference.
 *     ZONE  u32 4, then per zone: u32 nr_free_pages, u32 highatomic
 *           reserve, u32 n, n pageblock migratetypes (u8), then for each
 *           order 0..10 and migratetype 0..4: u32 n, n x u32 pfn (the
 *           list from head to tail).
 *     ABLK  u32 n, n x (u32 pfn, u8 order, u8 migratetype, u8 owner,
 *           u8 zone, u32 gfp, u32 owner id), by pfn.
 *     PMEM  u32 n, n x (u32 pfn, 64-byte bitmap of the page's non-zero
 *           8-byte words, those words), by pfn; pages of zeros left out.
 *     LOG   u64 len, len bytes of text.
 *     KMAP  u32 last_pkmap_nr, u32 n, n x (u32 slot, u32 count, u32 pfn)
 *           for the slots in use; u32 cpus, per CPU: u32 depth, depth x
 *           (u32 pfn, u8 atomic).
 *     VMAL  u32 next id, u32 vmalloc_nr_pages, u32 n, n x (u32 id, u32
 *           start, u32 size, u32 flags, 40-byte caller, u64 phys_addr,
 *           u32 vpages_id, u32 pages_kmalloc, u32 nested_in, u32 nr_pages,
 *           nr_pages x u32 pfn), by address.
 *     SLAB  u32 next id, u32 n, n caches in creation order: u32 id, u8
 *           kmalloc, 32-byte name, u32 object_size, u32 size, u32 align,
 *           u32 flags, u32 slabs, per slab (creation order): u32 pfn, u8
 *           order, u8 list, u8 cpu, u16 free, free x u16 object (free-list
 *           order); then u32 n, n x u32 index of a slab (the partial list).
 *     PROC  u32 next_pid, max_procs, max_map_count, nr_anon_pages,
 *           nr_shmem_pages, nr_pgtable_pages, u32 n, per process (by pid):
 *           u32 pid, ppid, pgid, sid, 16-byte comm, u64 pgd, 4 x u64 pmds,
 *           4 x u64 user_pmds, u32 start_code, end_code, start_data,
 *           end_data, start_brk, brk, mmap_base, start_stack, rss_anon,
 *           rss_file, rss_shmem, nr_ptes, nr_pmds, hiwater_rss,
 *           hiwater_vm, oom_score_adj, u32 n, n x (u32 start, end, flags,
 *           kind, pgoff); then u32 n user frames, n x (u32 pfn, u32
 *           mapcount, u8 0 anon / 1 file / 2 shmem), in the model's order.
 *   Strings sit in fixed fields, NUL-terminated and zero padded.
 *
 * Restore trusts nothing: besides the checksum, every count is bounded by
 * the bytes left, every index, pfn, address and list is checked against
 * the freshly booted machine (the free and allocated blocks must cover
 * exactly the frames boot gave the buddy allocator, each slab must be an
 * allocated block of its cache, each vmalloc frame one of its area, ...),
 * and slab_check() runs at the end.  Any failure is MM_EINVAL with type
 * "bad-snapshot" and a detail naming the section; nothing is leaked.
 *
 * Versions.  A snapshot holds state, not history, so it is only as good
 * as the model reading it.  The checks against a fresh boot refuse one
 * written by a model whose boot differs (other free frames, another boot
 * log); a model whose operations changed would read it and go on from
 * there.  A store that keeps snapshots across upgrades should keep the
 * journal too and replay it when the model's version changed.  A field
 * added to a structure the snapshot covers trips a _Static_assert in
 * snapshot.c until the snapshot covers it (bump SNAPSHOT_VERSION then).
 */
#ifndef MM_SNAPSHOT_H
#define MM_SNAPSHOT_H

#include "machine.h"

#define SNAPSHOT_MAGIC		"MMSNAP"
#define SNAPSHOT_VERSION	2	/* 2: boot states (issue 16) */

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

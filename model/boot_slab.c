/*
 * boot_slab.c - the named slab caches a booted 6.1 i386 kernel has made by
 * the time init runs, their boot-time objects, the kmalloc objects of the
 * boot, and each boot thread's kernel stack.
 *
 * What it models.  Every cache the captures' /proc/slabinfo lists besides
 * kmalloc's and SLUB's own two (slab_common.c makes those), created with
 * kmem_cache_create in the kernel's order, with the sizes, alignments and
 * flags their creators pass, so the model's SLUB computes the captures'
 * objsize, objperslab and pagesperslab itself; then each cache's boot
 * objects allocated for real (kmem_cache_alloc, CPU 0: the boot CPU), so
 * Slab, SReclaimable and SUnreclaim come out of the slabs.  Then one
 * kernel stack per boot task: THREAD_SIZE (8 KiB, order 1) from the buddy
 * allocator (alloc_thread_stack_node without CONFIG_VMAP_STACK, which
 * i386 lacks), THREADINFO_GFP, one per task_struct allocated.
 *
 * The order.  slab_caches is a list_add list, so slabinfo prints the
 * newest cache first: the table is the 686-m2G capture's slabinfo read
 * bottom-up, and it is the order of their creators in 6.1's boot:
 * vmalloc_init (vmap_area), mm_cache_init (mm_struct), sched_init
 * (task_group), radix_tree_init, maple_tree_init, trace_event_init,
 * perf_event_init, acpi_early_init (Acpi-State), pid_idr_init,
 * anon_vma_init, cred_init, fork_init (task_struct), proc_caches_init,
 * uts_ns_init, key_init, security_init (lsm_file_cache), integrity,
 * net_ns_init, vfs_caches_init (names_cache, dentry, inode_cache, filp,
 * mnt_cache, kernfs), then the initcalls (shmem, bdev, signals, proc,
 * taskstats, buffer_head, fsnotify, locks, sockets, bio, block, scsi,
 * epoll, quota, hugetlbfs, inet, unix, posix timers, userfaultfd, aio,
 * mqueue, the bounce biosets, ipv6, fscrypt, fsverity).
 *
 * What it leaves out, and why that is safe.  SLUB merges a new cache into
 * an older one of the same size and compatible flags (find_mergeable), and
 * a merged cache has no slabinfo line of its own.  The model does not
 * merge: the table lists the caches that stand alone, per paging mode.
 * PAE makes dma_addr_t and pte_t 64-bit, which changes which caches stand
 * alone: vm_area_struct grows to 80 bytes (so pid_namespace, 80, merges
 * into it, and seq_file, 72, no longer merges into vm_area_struct), each
 * scatterlist entry grows from 20 to 24 bytes (sgpool-16/32/64/128 become
 * 384, 768, 1536 and 3072 bytes and merge into task_group and the
 * biovec caches), and task_struct grows to 3008.  Objects' bytes are not
 * written (the kernel's would be); a boot object is an object in use that
 * nobody will free, except a student.  Boot objects of every cache are
 * allocated right after it is created, where the kernel allocates many of
 * them later (its slabs' frames interleave differently: no figure
 * depends on that).  Caches made after boot by the kernel (none the
 * captures show) are not made.
 *
 * The figures.  Object sizes: slabinfo's objsize is SLUB's s->size, which
 * is the object size rounded up to the alignment, plus the free pointer
 * SLUB keeps after the object for caches with a constructor or
 * SLAB_TYPESAFE_BY_RCU (calculate_sizes).  Where the exact sizeof() is not
 * known without the kernel's debug info, the table takes the largest size
 * that gives the capture's objsize (objsize, or objsize - 4 with the free
 * pointer outside); the bio-N caches are named after their object size,
 * and bio-96's objsize of 128 is the free pointer at work (96 + 4 rounded
 * to the cache line).  Flags: each creator's (the ones that change
 * geometry or accounting: SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT,
 * SLAB_TYPESAFE_BY_RCU; SLAB_PANIC, SLAB_ACCOUNT and SLAB_MEM_SPREAD are
 * kept for the record).  Object counts: what is created at boot depends
 * on timing (RCU-freed objects not yet freed, kworkers), on the
 * initramfs (dentry, inode_cache, shmem_inode_cache, lsm_file_cache hold
 * its files) and on sysfs's size (kernfs_node_cache): these are the
 * 686-m2G capture's num_objs, which fills exactly its number of slabs
 * (SLUB's active_objs counts a CPU slab's free objects as active, so the
 * true count in use is not printed).  The other captures differ by a slab
 * or two per cache, from timing.  The kernel's rules the model follows:
 * the bounce pool exists only when there is highmem (init_emergency_pool:
 * max_pfn > max_low_pfn), and its two biosets make bio-96 and preallocate
 * BIO_POOL_SIZE (2) bios each and 2 bvec arrays (biovec-max); the boot
 * tasks are the 45 of a one-CPU boot (KernelStack: 360 kB in every
 * capture) plus, per further CPU, its idle task, cpuhp, migration,
 * ksoftirqd and the two kworkers of its worker pools; a task_struct and
 * a stack each; kmem_cache and kmem_cache_node hold one object per cache
 * (one node).
 */
#include "boot_slab.h"

#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "page_alloc.h"
#include "slab.h"

/* fewer blocks than the boot's slabs take in any configuration (see
 * boot_slab_init); 1,025 is the least that skips the growth steps up
 * to 1,639 slots */
#define BOOT_SLAB_BLOCKS_MIN 1025u

#define HW	SLAB_HWCACHE_ALIGN
#define RCL	SLAB_RECLAIM_ACCOUNT
#define RCU	SLAB_TYPESAFE_BY_RCU
#define PANIC	SLAB_PANIC
#define ACCT	SLAB_ACCOUNT
#define SPREAD	SLAB_MEM_SPREAD

enum boot_count {
	N_FIXED,	/* the capture's figure */
	N_TASKS,	/* one per boot task */
	N_HIGHMEM,	/* the bounce pool's: only with highmem */
};

struct boot_cache {
	const char *name;
	uint16_t size;		/* two-level; 0: merged there */
	uint16_t size_pae;	/* PAE; 0: merged there */
	uint16_t align;
	bool ctor;
	uint32_t flags;
	uint32_t objects;	/* boot objects (N_FIXED: 686-m2G's num_objs) */
	uint8_t count;		/* enum boot_count */
	uint8_t bounce;		/* objects the bounce pool adds */
};

/* The 686-m2G capture's slabinfo bottom-up (686-pae-m2G for the PAE
 * sizes and seq_file); flags and constructors from each creator in 6.1. */
static const struct boot_cache boot_caches[] = {
	{ "vmap_area", 32, 32, 0, false, PANIC, 384, N_FIXED, 0 },
	{ "mm_struct", 576, 576, 0, false, HW | PANIC | ACCT, 14, N_FIXED, 0 },
	{ "task_group", 384, 384, 0, false, 0, 0, N_FIXED, 0 },
	{ "radix_tree_node", 300, 300, 0, true, PANIC | RCL, 234, N_FIXED, 0 },
	{ "maple_node", 256, 256, 256, false, PANIC, 48, N_FIXED, 0 },
	{ "ftrace_event_field", 40, 40, 0, false, PANIC, 3366, N_FIXED, 0 },
	{ "trace_event_file", 56, 56, 0, false, PANIC, 1460, N_FIXED, 0 },
	{ "perf_event", 848, 848, 0, false, PANIC, 19, N_FIXED, 0 },
	{ "Acpi-State", 48, 48, 0, false, 0, 425, N_FIXED, 0 },
	{ "pid", 64, 64, 0, false, HW | PANIC | ACCT, 64, N_FIXED, 0 },
	{ "anon_vma", 52, 52, 0, true, RCU | PANIC | ACCT, 73, N_FIXED, 0 },
	{ "anon_vma_chain", 32, 32, 0, false, PANIC | ACCT, 128, N_FIXED, 0 },
	{ "cred_jar", 128, 128, 0, false, HW | PANIC | ACCT, 64, N_FIXED, 0 },
	/* align L1_CACHE_BYTES (32 on 686) */
	{ "task_struct", 2944, 3008, 32, false, PANIC | ACCT, 0, N_TASKS, 0 },
	{ "sighand_cache", 1308, 1308, 0, true, HW | PANIC | RCU | ACCT, 60,
	  N_FIXED, 0 },
	{ "signal_cache", 736, 736, 0, false, HW | PANIC | ACCT, 55, N_FIXED,
	  0 },
	{ "files_cache", 256, 256, 0, false, HW | PANIC | ACCT, 16, N_FIXED,
	  0 },
	{ "vm_area_struct", 72, 80, 0, false, PANIC | ACCT, 56, N_FIXED, 0 },
	{ "nsproxy", 40, 40, 0, false, PANIC | ACCT, 102, N_FIXED, 0 },
	{ "uts_namespace", 416, 416, 0, false, PANIC | ACCT, 0, N_FIXED, 0 },
	{ "key_jar", 160, 160, 0, false, HW | PANIC, 25, N_FIXED, 0 },
	{ "lsm_file_cache", 16, 16, 0, false, PANIC, 11008, N_FIXED, 0 },
	{ "iint_cache", 76, 76, 0, true, PANIC, 0, N_FIXED, 0 },
	{ "net_namespace", 3264, 3264, 32, false, PANIC | ACCT, 0, N_FIXED,
	  0 },
	{ "names_cache", 4096, 4096, 0, false, HW | PANIC, 8, N_FIXED, 0 },
	{ "dentry", 128, 128, 0, false, RCL | PANIC | SPREAD | ACCT, 10816,
	  N_FIXED, 0 },
	{ "inode_cache", 412, 412, 0, true, RCL | PANIC | SPREAD | ACCT, 10412,
	  N_FIXED, 0 },
	{ "filp", 160, 160, 0, false, HW | PANIC | ACCT, 25, N_FIXED, 0 },
	{ "mnt_cache", 192, 192, 0, false, HW | PANIC, 42, N_FIXED, 0 },
	{ "kernfs_node_cache", 80, 80, 0, false, PANIC, 9843, N_FIXED, 0 },
	{ "kernfs_iattrs_cache", 64, 64, 0, false, PANIC, 0, N_FIXED, 0 },
	{ "shmem_inode_cache", 484, 484, 0, true, PANIC | ACCT, 384, N_FIXED,
	  0 },
	{ "bdev_cache", 988, 988, 0, true, HW | RCL | SPREAD | ACCT | PANIC, 8,
	  N_FIXED, 0 },
	{ "sigqueue", 48, 48, 0, false, PANIC | ACCT, 85, N_FIXED, 0 },
	/* PAE only: on two-level it merges into vm_area_struct (72) */
	{ "seq_file", 0, 72, 0, false, ACCT | PANIC, 56, N_FIXED, 0 },
	{ "proc_inode_cache", 452, 452, 0, true, RCL | SPREAD | ACCT | PANIC,
	  34, N_FIXED, 0 },
	{ "pde_opener", 24, 24, 0, false, ACCT | PANIC, 170, N_FIXED, 0 },
	{ "proc_dir_entry", 128, 128, 0, false, PANIC, 288, N_FIXED, 0 },
	{ "taskstats", 416, 416, 0, false, PANIC, 0, N_FIXED, 0 },
	{ "buffer_head", 64, 64, 0, false, RCL | PANIC | SPREAD, 0, N_FIXED,
	  0 },
	{ "fsnotify_mark_connector", 24, 24, 0, false, PANIC, 0, N_FIXED, 0 },
	{ "file_lock_cache", 128, 128, 0, false, PANIC, 32, N_FIXED, 0 },
	{ "skbuff_head_cache", 192, 192, 0, false, HW | PANIC, 21, N_FIXED,
	  0 },
	{ "sock_inode_cache", 604, 604, 0, true, HW | RCL | SPREAD | ACCT, 26,
	  N_FIXED, 0 },
	{ "uid_cache", 96, 96, 0, false, HW | PANIC, 0, N_FIXED, 0 },
	{ "user_namespace", 416, 416, 0, false, PANIC | ACCT, 0, N_FIXED, 0 },
	{ "biovec-16", 192, 192, 0, false, HW | PANIC, 0, N_FIXED, 0 },
	{ "biovec-64", 768, 768, 0, false, HW | PANIC, 0, N_FIXED, 0 },
	{ "biovec-128", 1536, 1536, 0, false, HW | PANIC, 0, N_FIXED, 0 },
	/* 686-m512M (no highmem) has 40 in 4 slabs, the others 50 in 5 */
	{ "biovec-max", 3072, 3072, 0, false, HW | PANIC, 40, N_FIXED, 2 },
	{ "bio-144", 144, 144, 8, false, HW | RCU, 25, N_FIXED, 0 },
	{ "request_queue", 552, 552, 0, false, PANIC, 0, N_FIXED, 0 },
	{ "request_queue_srcu", 760, 760, 0, false, PANIC, 0, N_FIXED, 0 },
	/* two-level only: on PAE they merge (24-byte scatterlist entries) */
	{ "sgpool-16", 320, 0, 0, false, HW, 12, N_FIXED, 0 },
	{ "sgpool-32", 640, 0, 0, false, HW, 12, N_FIXED, 0 },
	{ "sgpool-64", 1280, 0, 0, false, HW, 12, N_FIXED, 0 },
	{ "sgpool-128", 2560, 0, 0, false, HW, 12, N_FIXED, 0 },
	{ "ep_head", 8, 8, 0, false, PANIC | ACCT, 0, N_FIXED, 0 },
	{ "bio-188", 188, 188, 8, false, HW | RCU, 42, N_FIXED, 0 },
	{ "dquot", 160, 160, 0, false, HW | RCL | SPREAD | PANIC, 0, N_FIXED,
	  0 },
	{ "hugetlbfs_inode_cache", 420, 420, 0, true, ACCT, 19, N_FIXED, 0 },
	{ "TCP", 1788, 1788, 0, false, HW | RCU | ACCT, 0, N_FIXED, 0 },
	{ "request_sock_TCP", 236, 236, 0, false, RCU | ACCT, 0, N_FIXED, 0 },
	{ "tw_sock_TCP", 204, 204, 0, false, RCU | ACCT, 0, N_FIXED, 0 },
	{ "UDP", 892, 892, 0, false, HW | RCU | ACCT, 9, N_FIXED, 0 },
	{ "RAW", 768, 768, 0, false, HW | ACCT, 10, N_FIXED, 0 },
	{ "xfrm_state", 544, 544, 0, false, HW | PANIC, 0, N_FIXED, 0 },
	{ "xfrm_dst_cache", 224, 224, 0, false, HW | PANIC, 0, N_FIXED, 0 },
	{ "request_sock_subflow_v4", 292, 292, 0, false, RCU | ACCT, 0,
	  N_FIXED, 0 },
	{ "MPTCP", 1472, 1472, 0, false, HW | ACCT, 0, N_FIXED, 0 },
	{ "ip4-frags", 136, 136, 0, false, 0, 0, N_FIXED, 0 },
	{ "UNIX", 768, 768, 0, false, HW | ACCT, 0, N_FIXED, 0 },
	{ "posix_timers_cache", 168, 168, 0, false, PANIC, 0, N_FIXED, 0 },
	/* two-level only: on PAE it merges into vm_area_struct (80) */
	{ "pid_namespace", 80, 0, 0, false, PANIC | ACCT, 0, N_FIXED, 0 },
	{ "userfaultfd_ctx_cache", 92, 92, 0, true, HW | PANIC, 0, N_FIXED, 0 },
	{ "kioctx", 448, 448, 0, false, HW | PANIC, 0, N_FIXED, 0 },
	{ "mqueue_inode_cache", 636, 636, 0, true, HW | ACCT, 12, N_FIXED, 0 },
	{ "bio-208", 208, 208, 8, false, HW | RCU, 18, N_FIXED, 0 },
	/* init_bounce_bioset(): two biosets of BIO_POOL_SIZE bios */
	{ "bio-96", 96, 96, 8, false, HW | RCU, 0, N_HIGHMEM, 4 },
	{ "TCPv6", 1884, 1884, 0, false, HW | RCU | ACCT, 0, N_FIXED, 0 },
	{ "request_sock_TCPv6", 236, 236, 0, false, RCU | ACCT, 0, N_FIXED, 0 },
	{ "tw_sock_TCPv6", 204, 204, 0, false, RCU | ACCT, 0, N_FIXED, 0 },
	{ "UDPv6", 1020, 1020, 0, false, HW | RCU | ACCT, 0, N_FIXED, 0 },
	{ "RAWv6", 896, 896, 0, false, HW | ACCT, 9, N_FIXED, 0 },
	{ "request_sock_subflow_v6", 292, 292, 0, false, RCU | ACCT, 0,
	  N_FIXED, 0 },
	{ "MPTCPv6", 1568, 1568, 0, false, HW | ACCT, 0, N_FIXED, 0 },
	{ "fscrypt_info", 96, 96, 0, false, RCL, 0, N_FIXED, 0 },
	{ "fsverity_info", 240, 240, 0, false, RCL, 0, N_FIXED, 0 },
};

/* The kmalloc caches' boot objects: the 686-m2G capture's num_objs of each
 * kmalloc-N, kmalloc-cg-N and kmalloc-rcl-N with any (the kmalloc
 * callers of the boot are too many to model one by one, and how many of
 * their objects are still alive depends on timing). */
struct boot_kmalloc {
	uint16_t size;
	gfp_t gfp;
	uint16_t objects;
};

static const struct boot_kmalloc boot_kmallocs[] = {
	{ 8, 0, 1024 }, { 16, 0, 2304 }, { 32, 0, 1152 }, { 64, 0, 704 },
	{ 96, 0, 294 }, { 128, 0, 384 }, { 192, 0, 231 }, { 256, 0, 224 },
	{ 512, 0, 296 }, { 1024, 0, 136 }, { 2048, 0, 24 }, { 4096, 0, 8 },
	{ 8192, 0, 8 },
	{ 8, __GFP_ACCOUNT, 512 }, { 16, __GFP_ACCOUNT, 256 },
	{ 32, __GFP_ACCOUNT, 128 }, { 64, __GFP_ACCOUNT, 64 },
	{ 96, __GFP_ACCOUNT, 42 }, { 128, __GFP_ACCOUNT, 32 },
	{ 192, __GFP_ACCOUNT, 21 }, { 256, __GFP_ACCOUNT, 16 },
	{ 512, __GFP_ACCOUNT, 8 }, { 1024, __GFP_ACCOUNT, 16 },
	{ 2048, __GFP_ACCOUNT, 8 }, { 4096, __GFP_ACCOUNT, 8 },
	{ 64, __GFP_RECLAIMABLE, 64 },
};

/* kmalloc_large blocks alive after boot: the 686-m2G capture's SUnreclaim
 * (3096 kB) less its slabinfo's unreclaimable slabs (2968 kB): 128 kB,
 * taken as four 32 KiB blocks (who allocates them is not in the
 * capture). */
#define BOOT_LARGE_BLOCKS	4
#define BOOT_LARGE_SIZE		(32u << 10)

/* Boot tasks on one CPU, and what each further CPU adds. */
#define BOOT_TASKS_ONE_CPU	45
#define BOOT_TASKS_PER_CPU	6
#define THREAD_SIZE_ORDER	1
#define THREADINFO_GFP		(GFP_KERNEL_ACCOUNT | __GFP_ZERO)

unsigned boot_nr_tasks(unsigned cpus)
{
	return BOOT_TASKS_ONE_CPU + BOOT_TASKS_PER_CPU * (cpus - 1);
}

static int boot_oom(const char *what, struct mm_error *err)
{
	return mm_fail(err, MM_EIMPOSSIBLE, "boot-out-of-memory", "ram",
		       "the boot ran out of memory allocating %s: give the "
		       "machine more RAM, or boot it bare", what);
}

/* alloc_thread_stack_node(): 8 KiB of lowmem from the buddy allocator. */
static int alloc_thread_stack(struct machine *m, struct mm_error *err)
{
	struct page_alloc_result *res = xcalloc(1, sizeof(*res));
	int rc = alloc_pages_quiet(&m->pgdat, THREADINFO_GFP, THREAD_SIZE_ORDER,
			     OWNER_KSTACK, 0, res, err);

	if (!rc && !res->ok)
		rc = boot_oom("a kernel stack", err);
	if (!rc)
		m->kernel_stack_pages += 1u << THREAD_SIZE_ORDER;
	free(res);
	return rc;
}

/* n objects of s on the boot CPU; with stacks, each task_struct's stack
 * right after it, as dup_task_struct() allocates them. */
static int alloc_objects(struct machine *m, struct kmem_cache *s,
			 uint32_t n, bool stacks, struct slab_alloc_result *res,
			 struct mm_error *err)
{
	int rc = MM_OK;

	/* res is the caller's scratch, cleared as a fresh one would be */
	memset(res, 0, sizeof(*res));
	res->ok = true;
	if (!stacks) {
		slub_alloc_bulk(m, s, GFP_KERNEL, 0, n, res);
		n = 0;
	}
	for (uint32_t i = 0; i < n && !rc && res->ok; i++) {
		if (!(rc = kmem_cache_alloc(m, s, GFP_KERNEL, 0, res, err)) &&
		    res->ok)
			rc = alloc_thread_stack(m, err);
	}
	if (!rc && !res->ok)
		rc = boot_oom(s->name, err);
	return rc;
}

static uint32_t boot_objects(const struct machine *m,
			     const struct boot_cache *b, bool highmem)
{
	uint32_t n = b->count == N_TASKS ? boot_nr_tasks(m->config.cpus)
					 : b->objects;

	return n + (highmem ? b->bounce : 0);
}

static int named_caches(struct machine *m, bool highmem,
			struct slab_alloc_result *res, struct mm_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(boot_caches); i++) {
		const struct boot_cache *b = &boot_caches[i];
		uint16_t size = m->config.pae ? b->size_pae : b->size;
		struct kmem_cache *s;
		int rc;

		if (!size || (b->count == N_HIGHMEM && !highmem))
			continue;
		s = kmem_cache_create_boot(m, b->name, size, b->align, b->flags,
					   b->ctor);
		if ((rc = alloc_objects(m, s, boot_objects(m, b, highmem),
					b->count == N_TASKS, res, err)))
			return rc;
	}
	return MM_OK;
}

static int kmalloc_objects(struct machine *m, struct mm_error *err)
{
	struct slab_alloc_result *res = xcalloc(1, sizeof(*res));
	int rc = MM_OK;

	for (size_t i = 0; i < ARRAY_SIZE(boot_kmallocs); i++) {
		const struct boot_kmalloc *k = &boot_kmallocs[i];
		gfp_t gfp = GFP_KERNEL | k->gfp;

		slub_alloc_bulk(m, kmalloc_slab(&m->slab, k->size, gfp), gfp,
				0, k->objects, res);
		if (!res->ok) {
			free(res);
			return boot_oom("kmalloc objects", err);
		}
	}
	for (unsigned n = 0; n < BOOT_LARGE_BLOCKS && !rc; n++) {
		if (!(rc = kmalloc(m, BOOT_LARGE_SIZE, GFP_KERNEL, 0, res,
				   err)) && !res->ok)
			rc = boot_oom("kmalloc_large blocks", err);
	}
	free(res);
	return rc;
}

/* One struct kmem_cache (and, one node, one kmem_cache_node) per cache. */
static int bootstrap_objects(struct machine *m, struct slab_alloc_result *res,
			     struct mm_error *err)
{
	struct slab_state *ss = &m->slab;
	uint32_t n = ss->nr_caches;
	int rc;

	if ((rc = alloc_objects(m, kmem_cache_find(ss, "kmem_cache"), n, false,
				res, err)))
		return rc;
	return alloc_objects(m, kmem_cache_find(ss, "kmem_cache_node"), n,
			     false, res, err);
}

int boot_slab_init(struct machine *m, struct mm_error *err)
{
	bool highmem = m->layout.max_pfn > m->layout.max_low_pfn;
	struct slab_alloc_result *res;
	int rc;

	/* the slabs the boot fills need no records (slab.h's boot run) */
	m->slab.boot_runs = true;
	/* Host work only: they do need block records, well over
	 * BOOT_SLAB_BLOCKS_MIN of them in every configuration (1,195 to
	 * 1,531 measured, 64 MiB to 64 GiB, 1 to 32 CPUs), so size the
	 * allocated-block map for those once rather than rehash it at each
	 * growth step on the way; its final size is unchanged. */
	pfnmap_reserve(&m->pgdat.alloc_blocks,
		       m->pgdat.alloc_blocks.count + BOOT_SLAB_BLOCKS_MIN);
	/* one result for all the caches' allocations (host work: not one
	 * malloc'd a cache) */
	res = xmalloc(sizeof(*res));
	if (!(rc = kmalloc_objects(m, err)) &&
	    !(rc = named_caches(m, highmem, res, err)))
		rc = bootstrap_objects(m, res, err);
	free(res);
	m->slab.boot_runs = false;
	return rc;
}

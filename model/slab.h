/*
 * slab.h - kmalloc and the SLUB allocator of Linux 6.1 on i386: the
 * kmalloc caches, kmalloc/kzalloc/krealloc/kfree/ksize, kmalloc_large,
 * named caches (kmem_cache_create/alloc/free/destroy), /proc/slabinfo and
 * meminfo's Slab figures (include/linux/slab.h, mm/slab_common.c,
 * mm/slub.c).  slab_common.c has the sizing, the caches and the kmalloc
 * entry points; slub.c has the slabs.
 *
 * Rules the model follows (the kernel's, unless said otherwise):
 *
 * The kmalloc caches.  kmem_cache_init() runs at boot right after
 * mem_init(), as mm_core_init() does, and creates them in
 * create_kmalloc_caches()'s order: for each type NORMAL (kmalloc-N),
 * CGROUP (kmalloc-cg-N, SLAB_ACCOUNT), RECLAIM (kmalloc-rcl-N,
 * SLAB_RECLAIM_ACCOUNT) and DMA (dma-kmalloc-N, SLAB_CACHE_DMA), the
 * sizes 8, 16, 32, 64, 96, 128, 192, 256, 512, 1k, 2k, 4k, 8k (96 right
 * after 64, 192 right after 128): 52 caches.  A bare machine
 * (BOOT_BARE) stops there: cache ids 1 to 52, all empty, meminfo's Slab
 * 0.  A booted machine (the default) first has SLUB's bootstrap caches
 * kmem_cache and kmem_cache_node (ids 1 and 2, kmalloc's 3 to 54), and
 * its initcalls (boot_slab.c) then create the named caches the captures'
 * slabinfo lists (vmap_area, mm_struct, ..., dentry, inode_cache, ...) in
 * the kernel's order and allocate their boot objects, the kmalloc
 * caches' and each boot task's kernel stack.  SLUB's cache merging
 * (aliases) is not modelled: every cache
 * kmem_cache_create() makes has its own line in slabinfo, where the kernel
 * would often fold a new cache into an existing one of the same geometry.
 *
 * Size to cache (kmalloc_slab).  kmalloc(0) returns ZERO_SIZE_PTR (0x10)
 * and touches nothing; 1..192 bytes go by size_index[(size - 1) / 8]
 * (1-8 -> kmalloc-8, 9-16 -> 16, 17-32 -> 32, 33-64 -> 64, 65-96 -> 96,
 * 97-128 -> 128, 129-192 -> 192); above 192, the next power of two
 * (fls(size - 1)), up to 8192 (KMALLOC_MAX_CACHE_SIZE).  The type comes
 * from kmalloc_type(gfp): __GFP_DMA -> dma-kmalloc, else
 * __GFP_RECLAIMABLE -> kmalloc-rcl, else __GFP_ACCOUNT -> kmalloc-cg,
 * else kmalloc.
 *
 * kmalloc_large.  Above 8 KiB kmalloc goes to the page allocator:
 * alloc_pages(gfp | __GFP_COMP, get_order(size)), owner OWNER_SLAB with
 * owner_id 0, counted in nr_slab_unreclaimable (SUnreclaim) whatever the
 * gfp; the block starts at its first frame's linear-map address; ksize is
 * the whole block; kfree must name that address (an address inside the
 * block is refused: the kernel would free the whole block).  Above
 * KMALLOC_MAX_SIZE (4 MiB, order 10) the kernel's page allocator warns
 * and kmalloc returns NULL: the model refuses ("too-large").
 *
 * gfp.  __GFP_HIGHMEM and __GFP_DMA32 (GFP_SLAB_BUG_MASK) are refused
 * ("bad-gfp") with the kernel's "Unexpected gfp: 0x2 (__GFP_HIGHMEM).
 * Fixing up to gfp: ... Fix your code!": slab memory is used through the
 * linear map, so it must be lowmem.  (The kernel notices only when it
 * needs a new slab page or a kmalloc_large block, then warns and drops
 * the bits; the model refuses every such call, whatever the size.)
 *
 * Geometry (kmem_cache_open, calculate_sizes, calculate_order).  A named
 * cache's alignment is calculate_alignment(): SLAB_HWCACHE_ALIGN makes it
 * the cache line (32, "HWalign=32"), halved while the object is no larger
 * than half of it; then at least ARCH_SLAB_MINALIGN, which is
 * __alignof__(unsigned long long) = 8 on i386 (so every object size in the
 * captures' slabinfo is a multiple of 8), and a multiple of sizeof(void *)
 * = 4.  The object size is rounded up to sizeof(void *) and then to the
 * alignment; that is slabinfo's objsize.  The free pointer lives inside
 * the object, except in a cache with a constructor or
 * SLAB_TYPESAFE_BY_RCU, whose objects' bytes must outlive a free: there
 * SLUB puts it after the object (s->offset = size), one more word before
 * the alignment (bio-96's objsize is 128; only boot's caches have
 * constructors or SLAB_TYPESAFE_BY_RCU, kmem_cache_create takes neither).
 * kmalloc caches have the size's own alignment when it is a power of
 * two, 8 for 96 and 192.  No debug metadata (slub_debug is off).  The
 * slab order is calculate_order(): slub_min_order 0,
 * slub_max_order 3 (PAGE_ALLOC_COSTLY_ORDER), min_objects = 4 *
 * (fls(nr_cpus) + 1) (the machine's CPUs; 8 for one CPU) capped at the
 * objects an order-3 slab holds; then for min_objects down to 2 and for
 * waste fractions 16, 8, 4: the first order from get_order(min_objects *
 * size) to 3 whose leftover (slab bytes % size) is at most slab bytes /
 * fraction; failing that one object with any leftover within order 3,
 * then up to order 10.  objects per slab = (PAGE_SIZE << order) / size.
 * min_partial = clamp(ilog2(size) / 2, 5, 10).
 *
 * Slabs.  A new slab is alloc_pages() of the cache's order with the
 * caller's gfp cut to GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK (so
 * __GFP_ZERO, __GFP_ACCOUNT, __GFP_DMA and __GFP_RECLAIMABLE of the
 * caller go) plus the cache's allocflags (__GFP_COMP when the order is
 * above 0, __GFP_DMA for SLAB_CACHE_DMA, __GFP_RECLAIMABLE for
 * SLAB_RECLAIM_ACCOUNT), plus __GFP_NOWARN | __GFP_NORETRY; when the order
 * is above the minimum one that holds one object and the caller may
 * sleep, the first try also drops __GFP_RECLAIM and adds
 * __GFP_NOMEMALLOC (allocate_slab).  If that fails, the kernel tries
 * again with that minimum order and the plain flags, and so does the
 * model when the two orders differ (the slab then holds fewer objects;
 * the same order again would only fail again in a model without
 * reclaim).  Owner OWNER_SLAB, owner_id
 * the cache's id.  GFP_ATOMIC's right to dip below the min watermark is
 * the page allocator's, as in the kernel.  A slab's pages are counted in
 * nr_slab_reclaimable (SLAB_RECLAIM_ACCOUNT caches) or
 * nr_slab_unreclaimable, in pages.
 *
 * Objects.  Object i of a slab is at its first frame's physical address +
 * i * size, and at PAGE_OFFSET + that (slabs are always lowmem).  A new
 * slab's free list is in address order (object 0 first).  Debian's kernel
 * has CONFIG_SLAB_FREELIST_RANDOM and shuffles each new slab's free list
 * with a boot-time random sequence; the model does not, so addresses are
 * predictable.  Freeing pushes the object on its slab's free list and
 * allocating pops it (LIFO): an object freed into the CPU slab is the
 * next one handed out.  The free list is kept outside simulated RAM (the
 * kernel stores it, obfuscated by SLAB_FREELIST_HARDENED, inside the free
 * objects): a freed object's bytes stay as they were.  kzalloc and
 * __GFP_ZERO zero the object's object_size bytes; kmalloc leaves stale
 * bytes, as the kernel does.
 *
 * Lists.  Each cache has a CPU slab per CPU ("cpu" argument, default 0,
 * below the machine's CPU count) and one node partial list; there are no
 * per-CPU partial lists (CONFIG_SLUB_CPU_PARTIAL's, whose refills depend
 * on timing).  A slab is the CPU slab of one CPU (frozen), on the partial
 * list (some objects free), or full (every object in use; SLUB keeps no
 * full list without debugging, the model keeps the count).  An allocation
 * takes the first object of its CPU's slab.  When that slab has none
 * left, it is unfrozen as a full slab and the CPU takes the first slab of
 * the partial list, else a new slab.  A free into a full slab that is no
 * CPU's puts it at the tail of the partial list.  A free that leaves a
 * slab that is no CPU's with no object in use discards it (its pages go
 * back to the buddy allocator) when the partial list already holds
 * min_partial slabs, counting that slab itself when it is on the list
 * (__slab_free's n->nr_partial >= s->min_partial); otherwise it stays on
 * the partial list, empty.  A CPU slab is never discarded, even empty.
 * So once every object of a cache is freed, what the cache still holds
 * is its CPU slabs (at most one per CPU) and at most min_partial - 1
 * empty partial slabs (min_partial when a slab holds one object).
 *
 * Errors, in SLUB's debug-check words, each changing nothing.  kfree and
 * kmem_cache_free of: an address at or below ZERO_SIZE_PTR: nothing (kfree
 * only; the kernel's ZERO_OR_NULL_PTR); an address outside lowmem or on a
 * page that is not slab memory: "not-slab" (what the page is instead); an
 * address inside an object or past a slab's last object: "Invalid object
 * pointer 0x%08x" ("invalid-object-pointer"), also inside a
 * kmalloc_large block; a free object: "Object already free"
 * ("double-free"); kmem_cache_free with another cache than the object's:
 * "kmem_cache_free: Wrong slab cache. %s but object is from %s"
 * ("wrong-cache"), checked first as cache_from_obj() does.  ksize and
 * krealloc check their pointer the same way (ksize of a free object is
 * "object-free").  kmem_cache_create refuses a name in use; a cache is
 * destroyed only when no object is in use ("kmem_cache_destroy %s: Slab
 * cache still has objects", "cache-in-use"; the kmalloc caches never),
 * and destroying frees its (empty) slabs.
 *
 * slabinfo (6.1's format).  "slabinfo - version: 2.1", the "# name" line,
 * then per cache, newest first (slab_caches is a list_add list, so user
 * caches above dma-kmalloc-8k ... kmalloc-8): "%-17s %6lu %6lu %6u %4u
 * %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu" with active_objs,
 * num_objs (every object of every slab), objsize, objperslab,
 * pagesperslab (1 << order), tunables 0 0 0, slabdata active_slabs =
 * num_slabs = every slab, 0.  active_objs is the objects in use.  The
 * kernel's SLUB prints num_objs minus the free objects of the partial
 * slabs, counting the free objects of CPU slabs as active (hence the
 * captures' active_objs == num_objs on most lines); the JSON gives that
 * figure too, as "kernel_active_objs".
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include "error.h"
#include "gfp.h"
#include "page_alloc.h"
#include "pfnmap.h"
#include "types.h"

struct machine;
struct strbuf;

/* include/linux/slab.h with SLUB on i386 */
#define KMALLOC_SHIFT_LOW	3
#define KMALLOC_SHIFT_HIGH	(PAGE_SHIFT + 1)		/* kmalloc-8k */
#define KMALLOC_SHIFT_MAX	(MAX_ORDER + PAGE_SHIFT - 1)	/* 4 MiB */
#define KMALLOC_MAX_CACHE_SIZE	(1u << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_SIZE	(1u << KMALLOC_SHIFT_MAX)
#define KMALLOC_MAX_ORDER	(KMALLOC_SHIFT_MAX - PAGE_SHIFT)
#define ZERO_SIZE_PTR		0x10u
#define ARCH_KMALLOC_MINALIGN	8u	/* __alignof__(unsigned long long) */
#define ARCH_SLAB_MINALIGN	8u
#define SLAB_CACHE_LINE		32u	/* cache_line_size(): "HWalign=32" */
#define SLUB_MIN_ORDER		0u
#define SLUB_MAX_ORDER		3u	/* PAGE_ALLOC_COSTLY_ORDER */
#define MAX_OBJS_PER_PAGE	32767u
#define MIN_PARTIAL		5u
#define MAX_PARTIAL		10u

/* slab_flags_t bits (include/linux/slab.h, 6.1) */
#define SLAB_HWCACHE_ALIGN	0x00002000u
#define SLAB_CACHE_DMA		0x00004000u
#define SLAB_RECLAIM_ACCOUNT	0x00020000u
#define SLAB_PANIC		0x00040000u	/* boot caches: no effect here */
#define SLAB_TYPESAFE_BY_RCU	0x00080000u	/* free pointer after the object */
#define SLAB_MEM_SPREAD		0x00100000u	/* no effect on one node */
#define SLAB_ACCOUNT		0x04000000u

/* The flags kmem_cache_create() takes, and by name, NULL-terminated. */
#define SLAB_CREATE_FLAGS	(SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | \
				 SLAB_RECLAIM_ACCOUNT)
struct slab_flag_name {
	const char *name;
	uint32_t flag;
};
extern const struct slab_flag_name slab_flag_names[];

enum kmalloc_cache_type {
	KMALLOC_NORMAL,
	KMALLOC_CGROUP,
	KMALLOC_RECLAIM,
	KMALLOC_DMA,
	NR_KMALLOC_TYPES
};

/* kmalloc_caches[type][index]: index 1 is kmalloc-96, 2 kmalloc-192,
 * 3..13 kmalloc-8 .. kmalloc-8k. */
#define KMALLOC_NR_INDEX	(KMALLOC_SHIFT_HIGH + 1)

#define SLAB_NAME_MAX		32	/* bytes, with the NUL */
#define SLAB_NONE		UINT32_MAX

enum slab_list { SLAB_CPU, SLAB_PARTIAL, SLAB_FULL };

struct kmem_cache;

/* One slab: 1 << order frames holding objects of one cache. */
struct slab {
	pfn_t pfn;
	uint32_t slot;			/* index in slab_state.slab */
	struct kmem_cache *cache;
	uint8_t order;
	uint8_t list;			/* enum slab_list */
	uint8_t cpu;			/* SLAB_CPU: whose */
	uint16_t objects;
	uint16_t inuse;
	/* The free list is the freed objects, last freed first (a stack
	 * from freelist through next_free), then the objects from bump on,
	 * which were never handed out, in address order.  next_free and
	 * allocated exist only while the stack is not empty: a slab that
	 * was only ever filled (every boot slab) costs no per-object
	 * memory. */
	uint16_t freelist;		/* the stack's top, or SLAB_FREE_END */
	uint16_t bump;			/* first object never handed out */
	uint16_t *next_free;		/* per object: the next on the stack */
	uint8_t *allocated;		/* per object: 1 while in use */
	struct slab *prev, *next;	/* partial list links */
	struct slab *all_prev, *all_next;	/* every slab of the cache */
};
#define SLAB_FREE_END		0xffffu
/* owner_index of a block in its cache's boot run (no record, no slot) */
#define SLAB_RUN_INDEX		UINT32_MAX

struct kmem_cache {
	uint32_t id;			/* owner_id of its pages; never reused */
	char name[SLAB_NAME_MAX];
	uint32_t object_size;		/* what the creator asked for */
	uint32_t size;			/* s->size: slabinfo's objsize */
	uint32_t align;
	uint32_t flags;			/* SLAB_* */
	gfp_t allocflags;
	unsigned order;			/* s->oo */
	uint32_t objects;
	unsigned min_order;		/* s->min: one object */
	uint32_t min_objects;
	uint32_t min_partial;
	bool kmalloc;			/* one of the 52 kmalloc caches */
	/* the slabs */
	unsigned nr_cpus;
	struct slab **cpu_slab;		/* [nr_cpus]: each CPU's slab or NULL */
	struct slab *partial_head, *partial_tail;
	uint32_t nr_partial;
	/* The boot run: the cache's first nr_run slabs, each full since the
	 * boot filled it and never touched since, kept as their pfns alone
	 * (a record would be 80 bytes, and a booted machine has ~1,500 of
	 * them).  Their blocks' owner_index is SLAB_RUN_INDEX.  Walkers see
	 * them as views (slab_iter); slub_slab_mut() turns the run into
	 * records before anything changes one. */
	pfn_t *run;
	uint32_t nr_run, run_cap;
	struct slab *all_head, *all_tail;	/* in creation order, after
						 * the run */
	uint32_t nr_slabs;		/* every slab, CPU ones included */
	uint32_t nr_full;
	uint32_t total_objects;		/* objects of every slab */
	uint32_t inuse;			/* objects in use */
	uint32_t nr_pages;		/* frames of every slab */
};

struct slab_state {
	struct kmem_cache **caches;	/* creation order (oldest first) */
	uint32_t nr_caches, caches_cap;
	uint32_t next_id;		/* the next cache id */
	struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_NR_INDEX];
	unsigned nr_cpus;
	/* slab records, in chunks of SLAB_CHUNK that never move: slot i is
	 * chunk[i / SLAB_CHUNK][i % SLAB_CHUNK], a slab when its cache is
	 * set, else on the free-slot list (linked through pfn) */
	struct slab **chunk;
	uint32_t nr_chunks;
	uint32_t nr_slots;		/* slots ever handed out */
	uint32_t free_slot;		/* first free slot, or SLAB_NONE */
	/* a slab's first frame's block record (the buddy allocator's
	 * alloc_blocks) holds 1 + its slot as owner_index */
	uint32_t nr_slabs;		/* slabs of every cache */
	/* node counters, in pages (NR_SLAB_*_B / PAGE_SIZE) */
	uint32_t reclaimable_pages;
	uint32_t unreclaimable_pages;	/* kmalloc_large blocks included */
	uint32_t large_pages, nr_large;	/* kmalloc_large blocks */
	/* set while the boot fills the caches: a full slab retired at the
	 * head of its cache's records joins the boot run; not state */
	bool boot_runs;
	/* bumped by every change to caches, slabs and objects; not state
	 * (no snapshot holds it): see machine_changes() */
	uint64_t changes;
};

#define SLAB_CHUNK		64

/* The slab in slot i, or NULL for a free or unknown slot. */
struct slab *slab_at(const struct slab_state *ss, uint32_t slot);
void slab_state_init(struct slab_state *ss);
void slab_state_free(struct slab_state *ss);
/* Free every slab record and empty the slot table and the pfn index;
 * the caches stay (their lists still point at the freed slabs). */
void slab_free_slabs(struct slab_state *ss);
size_t slab_host_bytes(const struct slab_state *ss);
/* Boot: the kmalloc caches, for the machine's CPU count. */
void kmem_cache_init(struct machine *m);

/* --- sizing (pure) ------------------------------------------------------------ */

/* 4 * (fls(nr_cpus) + 1): slub_min_objects 0 means this. */
unsigned slub_min_objects(unsigned nr_cpus);
/* calculate_order() for s->size on nr_cpus CPUs: the order and the
 * objects a slab of it holds; -1 when no order up to 10 holds one. */
int slub_calculate_order(uint32_t size, unsigned nr_cpus, unsigned *order,
			 uint32_t *objects);
/* calculate_alignment(flags, align, size). */
uint32_t slab_calculate_alignment(uint32_t flags, uint32_t align,
				  uint32_t size);
/* __kmalloc_index(): 0 for size 0, 1 for 65..96, 2 for 129..192, else
 * the log2 of the power of two; sizes above 8 KiB have no index (-1). */
int kmalloc_index(uint64_t size);
/* kmalloc_type(gfp) */
enum kmalloc_cache_type kmalloc_type(gfp_t gfp);
/* The object size of kmalloc index i (8, 96, 192, ...). */
uint32_t kmalloc_index_size(int index);
/* kmalloc_slab(): the cache kmalloc(size, gfp) uses; NULL for size 0 or
 * above KMALLOC_MAX_CACHE_SIZE. */
struct kmem_cache *kmalloc_slab(const struct slab_state *ss, uint64_t size,
				gfp_t gfp);
struct kmem_cache *kmem_cache_find(const struct slab_state *ss,
				   const char *name);
/* A name kmem_cache_create() takes: 1 to SLAB_NAME_MAX - 1 printable
 * characters without blanks. */
bool slab_name_ok(const char *name);

/* --- operations ------------------------------------------------------------------ */

enum slab_source {
	SLAB_SRC_NONE,		/* ZERO_SIZE_PTR, or krealloc in place */
	SLAB_SRC_CPU,		/* the CPU slab had a free object */
	SLAB_SRC_PARTIAL,	/* the CPU took the first partial slab */
	SLAB_SRC_NEW,		/* the CPU took a new slab */
	SLAB_SRC_PAGES,		/* kmalloc_large: the page allocator */
};

/* What an allocation got. */
struct slab_alloc_result {
	bool ok;		/* false: out of memory, reason tells why */
	bool zero_size;		/* ZERO_SIZE_PTR: nothing allocated */
	bool large;		/* kmalloc_large */
	vaddr_t addr;
	phys_addr_t phys;
	uint32_t size;		/* asked for */
	uint32_t ksize;		/* usable: the cache's size or the block */
	gfp_t gfp;		/* as given */
	const struct kmem_cache *cache;	/* NULL when large or zero_size */
	pfn_t pfn;		/* the slab's (block's) first frame */
	unsigned order;
	int zone;
	uint32_t index, objects, inuse;	/* in the slab, after */
	enum slab_source from;
	/* a new slab or block: what alloc_pages was asked */
	gfp_t page_gfp;
	bool order_fallback;	/* the cache's order failed, s->min taken */
	pfn_t retired;		/* the full CPU slab unfrozen, or PFN_NONE */
	/* krealloc */
	bool moved;
	vaddr_t old_addr;
	uint32_t copied;
	char reason[ALLOC_REASON_MAX + 256];	/* the page story inside */
};

/* What a free did. */
struct slab_free_result {
	bool noop;		/* NULL or ZERO_SIZE_PTR */
	bool large;
	char cache[SLAB_NAME_MAX];	/* "" when large */
	pfn_t pfn;
	unsigned order;
	uint32_t index, objects, inuse;	/* inuse after the free */
	uint32_t ksize;
	bool to_partial;	/* a full slab went on the partial list */
	bool discarded;		/* the empty slab went back to the buddy
				 * allocator */
	bool kept_empty;	/* empty, kept on the partial list */
};

/* Every refusal leaves the machine as it was; out of memory is MM_OK with
 * res->ok false.  cpu must be below the machine's CPU count. */
int kmalloc(struct machine *m, uint64_t size, gfp_t gfp, unsigned cpu,
	    struct slab_alloc_result *res, struct mm_error *err);
int kzalloc(struct machine *m, uint64_t size, gfp_t gfp, unsigned cpu,
	    struct slab_alloc_result *res, struct mm_error *err);
/* krealloc(p, new_size): new_size 0 frees p and gives ZERO_SIZE_PTR; p
 * NULL is kmalloc; when ksize(p) >= new_size p is kept; else a new object
 * gets ksize(p) bytes copied and p is freed. */
int krealloc(struct machine *m, vaddr_t p, uint64_t new_size, gfp_t gfp,
	     unsigned cpu, struct slab_alloc_result *res,
	     struct mm_error *err);
int kfree(struct machine *m, vaddr_t p, struct slab_free_result *res,
	  struct mm_error *err);
/* ksize(p): 0 for NULL and ZERO_SIZE_PTR; p must be an object in use. */
int ksize(const struct machine *m, vaddr_t p, uint32_t *size,
	  struct mm_error *err);

/* calculate_sizes(): s->size for an object of object_size bytes with
 * alignment align: rounded up to sizeof(void *); a cache with a
 * constructor or SLAB_TYPESAFE_BY_RCU keeps its free pointer after the
 * object (its bytes must survive a free), which adds sizeof(void *); then
 * rounded up to align. */
uint32_t slab_calculate_size(uint32_t object_size, uint32_t align,
			     uint32_t flags, bool ctor);
/* The boot's own kmem_cache_create(): any slab_flags_t bits, a constructor
 * or not (its only effect here is on the size); the caller's arguments
 * are known good. */
struct kmem_cache *kmem_cache_create_boot(struct machine *m, const char *name,
					  uint32_t size, uint32_t align,
					  uint32_t flags, bool ctor);
/* kmem_cache_create(name, size, align, flags): size 1 .. 4 MiB, align 0
 * or a power of two up to PAGE_SIZE, flags from slab_flag_names. */
int kmem_cache_create(struct machine *m, const char *name, uint64_t size,
		      uint64_t align, uint32_t flags, struct kmem_cache **out,
		      struct mm_error *err);
int kmem_cache_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp,
		     unsigned cpu, struct slab_alloc_result *res,
		     struct mm_error *err);
int kmem_cache_free(struct machine *m, struct kmem_cache *s, vaddr_t p,
		    struct slab_free_result *res, struct mm_error *err);
/* On success *pages is what went back to the buddy allocator. */
int kmem_cache_destroy(struct machine *m, struct kmem_cache *s,
		       uint32_t *pages, struct mm_error *err);

/* An object in use, for the answers: its cache (NULL: kmalloc_large),
 * slab and index.  false when va is not the start of an object in use. */
struct slab_object {
	const struct kmem_cache *cache;
	pfn_t pfn;
	unsigned order;
	uint32_t index, objects, inuse, ksize;
};
bool slab_object_at(const struct machine *m, vaddr_t va,
		    struct slab_object *o);

/* --- reports ------------------------------------------------------------------- */

void proc_slabinfo(const struct machine *m, struct strbuf *out);
/* The kernel's active_objs: total minus the free objects of partial
 * slabs (see above). */
uint32_t slab_kernel_active_objs(const struct kmem_cache *s);
/* Every structure agrees with every other (counts, lists, frames): 0, or
 * -1 with the first disagreement in why (for the tests). */
int slab_check(const struct machine *m, char *why, size_t len);

/* --- between slab_common.c and slub.c -------------------------------------------- */

/* A cache with its geometry computed, not yet on the list. */
struct kmem_cache *slub_cache_new(struct slab_state *ss, const char *name,
				  uint32_t object_size, uint32_t size,
				  uint32_t align, uint32_t flags);
/* slab_alloc(): an object for cpu; res->ok false when no slab could be
 * had.  gfp has been checked. */
void slub_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp,
		unsigned cpu, struct slab_alloc_result *res);
/* Record a slab of 1 << order frames at pfn (already allocated to the
 * cache) holding objects objects, all free in address order; it joins the
 * cache's slabs and counters on no list (list and cpu are the caller's).
 * new_slab() uses it, and so does machine_restore(). */
struct slab *slub_slab_attach(struct machine *m, struct kmem_cache *s,
			      pfn_t pfn, unsigned order, uint32_t objects);
/* Object i of the slab is in use. */
bool slab_obj_inuse(const struct slab *slab, uint32_t i);
/* The slab's free list in order: the first free object and the one after
 * i (SLAB_FREE_END at the end). */
uint16_t slab_free_first(const struct slab *slab);
uint16_t slab_free_next(const struct slab *slab, uint16_t i);
/* Make a new slab's free list the n objects of idx in that order (the
 * rest in use): false, changing nothing, when an index is out of range or
 * repeated.  machine_restore() uses it. */
bool slub_slab_set_free(struct slab *slab, const uint16_t *idx, uint32_t n);
/* kmem_cache_alloc n times for the boot: the same slabs, lists and
 * counters as n calls; res tells of the first failure (res->ok false). */
void slub_alloc_bulk(struct machine *m, struct kmem_cache *s, gfp_t gfp,
		     unsigned cpu, uint32_t n, struct slab_alloc_result *res);
/* Put a slab on the cache's partial list, at the head or the tail. */
void slub_partial_add(struct kmem_cache *s, struct slab *slab, bool tail);
/* The slab holding the lowmem frame pfn, or NULL: a boot-run slab as a
 * view written into *view (slot SLAB_NONE), which only reads. */
const struct slab *slub_slab_of(const struct machine *m, pfn_t pfn,
				struct slab *view);
/* The record of slab (one slub_slab_of or slab_iter gave), turning its
 * cache's boot run into records first if slab is a view. */
struct slab *slub_slab_mut(struct machine *m, const struct slab *slab);
/* A cache's slabs in creation order, the boot run's as views:
 * for (p = slab_iter_first(&it, s); p; p = slab_iter_next(&it)) */
struct slab_iter {
	const struct kmem_cache *s;
	uint32_t i;		/* the next run slab */
	const struct slab *p;	/* the record last given, or NULL */
	struct slab view;
};
const struct slab *slab_iter_first(struct slab_iter *it,
				   const struct kmem_cache *s);
const struct slab *slab_iter_next(struct slab_iter *it);
/* slab_free() of object index of slab (in use: checked by the caller). */
void slub_free(struct machine *m, struct slab *slab, uint32_t index,
	       struct slab_free_result *res);
/* Drop every slab of a cache with no object in use (kmem_cache_destroy's
 * __kmem_cache_shutdown); returns the pages freed. */
uint32_t slub_shutdown(struct machine *m, struct kmem_cache *s);

#endif

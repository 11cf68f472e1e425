/*
 * boot_hash.c - the hash tables a booted Linux 6.1 sizes from its memory
 * after mm_init() (mm/page_alloc.c alloc_large_system_hash() and its
 * callers in fs/namespace.c, kernel/futex/core.c, fs/quota/dquot.c,
 * net/ipv4/route.c, tcp.c, inet_hashtables.c, udp.c, net/mptcp/token.c),
 * workingset_init()'s line and block/bounce.c's emergency pool.
 *
 * Sizing follows the kernel: one bucket per 2^scale bytes of lowmem
 * (nr_kernel_pages rounded up to a MiB), at least a page of buckets,
 * rounded up to a power of two, clamped to the caller's limits and to a
 * sixteenth of all memory.  Each table is a real allocation: an order-n
 * block of GFP_ATOMIC lowmem (OWNER_KERNEL, owner_id naming the table)
 * or, from MAX_ORDER up, a vmalloc area.  Bucket sizes are i386 6.1's
 * struct sizes (noted at each caller).
 *
 * Left out: alloc_pages_exact()'s split_page() and its freeing of the
 * pages past the table's end (every size here is a power of two of at
 * least a page, so there is no tail and nobody frees these pages one by
 * one); the kmalloc'd side arrays (ehash locks, the mempool's element
 * array, a few hundred bytes of slab); hashdist (NUMA only).  The
 * command line's mhash_entries=, mphash_entries=, thash_entries= and
 * uhash_entries= set a table's size as they do in the kernel.
 */
#include "boot_hash.h"

#include "gfp.h"
#include "page_alloc.h"
#include "setup.h"
#include "vmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L1_CACHE_BYTES	64	/* Debian's 686 builds: X86_L1_CACHE_SHIFT 6 */
#define POOL_SIZE	64	/* block/bounce.c */
#define DQUOT_ORDER	0	/* fs/quota/dquot.c: one page of hlist_heads */

static const char *const alloc_names[] = {
	"Mount-cache hash table", "Mountpoint-cache hash table",
	"futex hash table", "Dquot-cache hash table", "IP idents hash table",
	"tcp_listen_portaddr_hash hash table", "Table-perturb hash table",
	"TCP established hash table", "TCP bind hash table",
	"MPTCP token hash table", "UDP hash table", "UDP-Lite hash table",
	"bounce pool", "ftrace records",
};

const char *boot_alloc_name(uint32_t owner_id)
{
	if (owner_id < BOOT_ALLOC_ID_BASE || owner_id >= BOOT_ALLOC_END)
		return NULL;
	return alloc_names[owner_id - BOOT_ALLOC_ID_BASE];
}

bool cmdline_ulong(const char *cmdline, const char *name, bool strict,
		   uint64_t *val)
{
	size_t n = strlen(name);
	bool found = false;

	for (const char *p = cmdline; *p;) {
		size_t len = strcspn(p, " ");

		if (len > n && !strncmp(p, name, n) && p[n] == '=') {
			char buf[32], *end;
			unsigned long long v;

			snprintf(buf, sizeof(buf), "%.*s", (int)(len - n - 1),
				 p + n + 1);
			v = strtoull(buf, &end, 0);
			if (!strict || (end != buf && !*end && buf[0] != '-')) {
				*val = v;
				found = true;
			}
		}
		p += len;
		p += strspn(p, " ");
	}
	return found;
}

static unsigned ilog2_64(uint64_t x)
{
	unsigned r = 0;

	while (x >>= 1)
		r++;
	return r;
}

static uint64_t roundup_pow_of_two(uint64_t x)
{
	return x <= 1 ? 1 : 1ull << (ilog2_64(x - 1) + 1);
}

uint64_t boot_hash_entries(const struct machine *m, const struct hash_args *a)
{
	uint64_t n = a->numentries, max = a->high_limit;

	if (!n) {
		n = ALIGN_UP((uint64_t)m->nr_kernel_pages, SZ_1M / PAGE_SIZE);
		if (a->scale > PAGE_SHIFT)
			n >>= a->scale - PAGE_SHIFT;
		else
			n <<= PAGE_SHIFT - a->scale;
		if (n * a->bucketsize < PAGE_SIZE)
			n = PAGE_SIZE / a->bucketsize;
	}
	n = roundup_pow_of_two(n);
	if (!max)
		max = ((uint64_t)m->nr_all_pages << PAGE_SHIFT) / 16 /
		      a->bucketsize;
	max = MIN(max, 0x80000000ull);
	if (n < a->low_limit)
		n = a->low_limit;
	if (n > max)
		n = max;
	return 1ull << ilog2_64(n);
}

/* One try at size bytes: *ok when the table was had, not when memory ran
 * out; an error only for what cannot happen at boot. */
static int try_alloc(struct machine *m, const struct hash_args *a,
		     uint32_t owner_id, uint64_t size, bool *virt, bool *ok,
		     struct mm_error *err)
{
	unsigned order = 0;
	int rc;

	while (((uint64_t)PAGE_SIZE << order) < size)
		order++;
	*virt = order >= MAX_ORDER;
	if (*virt) {
		/* any refusal is a NULL table to the kernel: try smaller */
		struct vm_result vr;
		struct mm_error verr = { 0 };

		rc = a->zero ? vzalloc(m, size, &vr, &verr)
			     : vmalloc(m, size, &vr, &verr);
		*ok = rc == MM_OK;
		return MM_OK;
	} else {
		struct page_alloc_result res;
		gfp_t gfp = GFP_ATOMIC | (a->zero ? __GFP_ZERO : 0);

		rc = alloc_pages_quiet(&m->pgdat, gfp, order, OWNER_KERNEL, owner_id,
				 &res, err);
		*ok = rc == MM_OK && res.ok;
		return rc;
	}
}

int boot_hash_alloc(struct machine *m, const struct hash_args *a,
		    uint32_t owner_id, uint64_t *entries, struct mm_error *err)
{
	unsigned log2qty = ilog2_64(boot_hash_entries(m, a));
	uint64_t size;
	bool virt, ok;
	int rc;

	for (;;) {
		size = (uint64_t)a->bucketsize << log2qty;
		if ((rc = try_alloc(m, a, owner_id, size, &virt, &ok, err)))
			return rc;
		if (ok)
			break;
		if (size <= PAGE_SIZE || !--log2qty)
			return mm_fail(err, MM_EIMPOSSIBLE, "unbootable", "ram",
				       "no memory for the %s", a->name);
	}
	sb_printf(&m->log, "%s hash table entries: %llu (order: %d, %llu "
		  "bytes, %s)\n", a->name, 1ull << log2qty,
		  (int)ilog2_64(size) - PAGE_SHIFT, (unsigned long long)size,
		  virt ? "vmalloc" : "linear");
	if (entries)
		*entries = 1ull << log2qty;
	return MM_OK;
}

static int hash(struct machine *m, const struct hash_args *a, uint32_t id,
		uint64_t *entries, struct mm_error *err)
{
	return boot_hash_alloc(m, a, id, entries, err);
}

/* vfs_caches_init() -> mnt_init(): hlist_head buckets, one per 512 KiB;
 * then futex_init(): 256 buckets per possible CPU, each a cache-line
 * aligned futex_hash_bucket. */
int boot_hash_early(struct machine *m, struct mm_error *err)
{
	uint64_t futex = roundup_pow_of_two(256ull * m->config.cpus);
	struct hash_args mnt = { "Mount-cache", 4, 0, 19, true, 0, 0 };
	struct hash_args mp = { "Mountpoint-cache", 4, 0, 19, true, 0, 0 };
	const struct hash_args fx = { "futex", L1_CACHE_BYTES, futex, 0, false,
				      futex, futex };
	int rc;

	if (m->config.boot == BOOT_BARE)
		return MM_OK;
	/* __setup handlers with simple_strtoul() */
	cmdline_ulong(m->config.cmdline, "mhash_entries", false,
		      &mnt.numentries);
	cmdline_ulong(m->config.cmdline, "mphash_entries", false,
		      &mp.numentries);
	if ((rc = hash(m, &mnt, BOOT_ALLOC_MOUNT, NULL, err)) ||
	    (rc = hash(m, &mp, BOOT_ALLOC_MOUNTPOINT, NULL, err)))
		return rc;
	return hash(m, &fx, BOOT_ALLOC_FUTEX, NULL, err);
}

/* dquot_init(): one page of hlist_heads, whatever the memory. */
static int dquot_init(struct machine *m, struct mm_error *err)
{
	struct page_alloc_result res;
	int rc;

	sb_puts(&m->log, "VFS: Disk quotas dquot_6.6.0\n");
	rc = alloc_pages_quiet(&m->pgdat, GFP_KERNEL, DQUOT_ORDER, OWNER_KERNEL,
			 BOOT_ALLOC_DQUOT, &res, err);
	if (rc)
		return rc;
	if (!res.ok)
		return mm_fail(err, MM_EIMPOSSIBLE, "unbootable", "ram",
			       "no page for the quota hash table");
	sb_printf(&m->log, "VFS: Dquot-cache hash table entries: %u (order "
		  "%u, %u bytes)\n", (PAGE_SIZE << DQUOT_ORDER) / 4,
		  DQUOT_ORDER, PAGE_SIZE << DQUOT_ORDER);
	return MM_OK;
}

/*
 * inet_init(): ip_rt_init()'s idents (atomic_t + u32 timestamp per
 * bucket), tcp_init()'s listening hash (spinlock + nulls head), the
 * source-port perturbation table (65536 u32), the established hash (one
 * nulls head), the bind hash (two 8-byte inet_bind_hashbuckets: bhash and
 * bhash2 share it) sized by the established one, MPTCP's tokens (16-byte
 * token_bucket), then UDP and UDP-Lite (two 16-byte udp_hslots each).
 */
static int inet_init(struct machine *m, struct mm_error *err)
{
	const struct hash_args idents = { "IP idents", 8, 0, 16, true,
					  2048, 256 * 1024 };
	struct hash_args lhash2 = { "tcp_listen_portaddr_hash", 8, 0, 21,
				    false, 0, 64 * 1024 };
	const struct hash_args perturb = { "Table-perturb", 4, 65536, 0, false,
					   65536, 65536 };
	struct hash_args ehash = { "TCP established", 4, 0, 17, false,
				   0, 512 * 1024 };
	struct hash_args bhash = { "TCP bind", 16, 0, 17, false, 0, 64 * 1024 };
	const struct hash_args token = { "MPTCP token", 16, 0, 20, true,
					 0, 64 * 1024 };
	struct hash_args udp = { "UDP", 32, 0, 21, false, 256, 65536 };
	struct hash_args udplite = { "UDP-Lite", 32, 0, 21, false, 256, 65536 };
	uint64_t est, bind, thash = 0, uhash = 0;
	int rc;

	/* thash_entries= (kstrtoul) sizes the listening and established
	 * tables and lifts the established one's 512 Ki cap;
	 * uhash_entries= (kstrtoul) is raised to UDP's minimum of 256 */
	cmdline_ulong(m->config.cmdline, "thash_entries", true, &thash);
	lhash2.numentries = ehash.numentries = thash;
	if (thash)
		ehash.high_limit = 0;
	cmdline_ulong(m->config.cmdline, "uhash_entries", true, &uhash);
	if (uhash && uhash < 256)
		uhash = 256;
	udp.numentries = udplite.numentries = uhash;

	sb_puts(&m->log, "NET: Registered PF_INET protocol family\n");
	if ((rc = hash(m, &idents, BOOT_ALLOC_IP_IDENTS, NULL, err)) ||
	    (rc = hash(m, &lhash2, BOOT_ALLOC_TCP_LISTEN, NULL, err)) ||
	    (rc = hash(m, &perturb, BOOT_ALLOC_TABLE_PERTURB, NULL, err)) ||
	    (rc = hash(m, &ehash, BOOT_ALLOC_TCP_ESTABLISHED, &est, err)))
		return rc;
	bhash.numentries = est;
	if ((rc = hash(m, &bhash, BOOT_ALLOC_TCP_BIND, &bind, err)))
		return rc;
	sb_printf(&m->log, "TCP: Hash tables configured (established %llu "
		  "bind %llu)\n", (unsigned long long)est,
		  (unsigned long long)bind);
	if ((rc = hash(m, &token, BOOT_ALLOC_MPTCP_TOKEN, NULL, err)) ||
	    (rc = hash(m, &udp, BOOT_ALLOC_UDP, NULL, err)))
		return rc;
	return hash(m, &udplite, BOOT_ALLOC_UDP_LITE, NULL, err);
}

int boot_hash_initcalls(struct machine *m, struct mm_error *err)
{
	int rc;

	if (m->config.boot == BOOT_BARE)
		return MM_OK;
	/* subsys_initcall pcibios_init() -> pcibios_resource_survey() */
	e820_reserve_resources_late(m);
	if ((rc = dquot_init(m, err)))
		return rc;
	return inet_init(m, err);
}

/*
 * workingset_init(): shadow entries pack a timestamp into what an
 * unsigned long leaves after the xarray value bit, the workingset bit,
 * the node bits (none: no NUMA on 686) and the 16-bit memcg id: 32 - 18
 * = 14 bits; the oldest distance needs fls(totalram - 1) bits.
 */
void workingset_init(struct machine *m)
{
	const unsigned timestamp_bits = 32 - (1 + 1 + 0 + 16);
	uint32_t pages = machine_totalram_pages(m) - 1;
	unsigned max_order = 0;

	if (m->config.boot == BOOT_BARE)
		return;
	while (pages >> max_order)
		max_order++;
	sb_printf(&m->log, "workingset: timestamp_bits=%u max_order=%u "
		  "bucket_order=%u\n", timestamp_bits, max_order,
		  max_order > timestamp_bits ? max_order - timestamp_bits : 0);
}

/* init_emergency_pool(): with highmem, 64 lowmem pages to bounce through
 * (mempool_init_page_pool: alloc_pages(GFP_KERNEL, 0) each). */
int init_emergency_pool(struct machine *m, struct mm_error *err)
{
	if (m->config.boot == BOOT_BARE ||
	    m->layout.max_pfn <= m->layout.max_low_pfn)
		return MM_OK;
	for (int i = 0; i < POOL_SIZE; i++) {
		struct page_alloc_result res;
		int rc = alloc_pages_quiet(&m->pgdat, GFP_KERNEL, 0, OWNER_KERNEL,
				     BOOT_ALLOC_BOUNCE, &res, err);

		if (rc)
			return rc;
		if (!res.ok)
			return mm_fail(err, MM_EIMPOSSIBLE, "unbootable", "ram",
				       "no page for the bounce pool");
	}
	sb_printf(&m->log, "bounce: pool size: %d pages\n", POOL_SIZE);
	return MM_OK;
}

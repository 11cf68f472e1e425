/*
 * snapshot_restore.c - machine_restore(): boot a fresh machine from the
 * configuration, then replace what operations change with the snapshot's
 * state, section by section (snapshot.h has the format).
 *
 * Nothing read is trusted.  Counts are bounded by the bytes left before
 * anything is allocated for them; every pfn, index, address and list link
 * is checked against the booted machine before it is used; what the model
 * keeps twice (a counter and the records it counts) must agree.  A
 * failure leaves a half-built machine that machine_free() takes apart,
 * because every piece is linked into the machine as soon as it exists.
 */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "page_alloc.h"
#include "snapshot_io.h"

/* Capacity for n entries as the model's own arrays grow (0 for none). */
uint32_t snap_cap_for(uint32_t n, uint32_t min)
{
	uint32_t cap = min;

	if (!n)
		return 0;
	while (cap < n && cap <= UINT32_MAX / 2)
		cap *= 2;
	return MAX(cap, n);
}

int snap_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* --- header and configuration --------------------------------------------- */

static bool read_header(struct snap_reader *r, const uint8_t *buf, size_t len)
{
	const uint8_t *magic = sr_take(r, 6);
	uint32_t version, nsec, flags;
	uint64_t total, csum;

	if (!magic)
		return false;
	if (memcmp(magic, SNAPSHOT_MAGIC, 6))
		return sr_fail(r, "no \"MMSNAP\" magic: not a snapshot");
	version = sr_u16(r);
	nsec = sr_u32(r);
	flags = sr_u32(r);
	total = sr_u64(r);
	csum = sr_u64(r);
	if (!sr_ok(r))
		return false;
	if (version != SNAPSHOT_VERSION)
		return sr_fail(r, "format version %u; this build reads version "
			       "%u", version, SNAPSHOT_VERSION);
	if (nsec != SNAP_NR_SECTIONS || flags)
		return sr_fail(r, "%u sections and flags 0x%x (version %u has "
			       "%u sections and no flags)", nsec, flags,
			       SNAPSHOT_VERSION, SNAP_NR_SECTIONS);
	if (total != len)
		return sr_fail(r, "it says it is %llu bytes long, %zu were "
			       "given (cut short or run on)",
			       (unsigned long long)total, len);
	if (csum != snap_checksum(buf, len))
		return sr_fail(r, "checksum mismatch: the bytes were damaged");
	return true;
}

/* The CONF section must be byte for byte the canonical form of c. */
static bool check_config(struct snap_reader *outer,
			 const struct machine_config *c)
{
	struct snap_writer w = { 0 };
	struct snap_reader r;
	bool same;

	if (!sr_section(outer, SNAP_CONF, "configuration", &r))
		return false;
	snap_put_config(&w, c);
	same = w.len == r.left && !memcmp(w.buf, r.p, w.len);
	free(w.buf);
	if (!same)
		return sr_fail(&r, "the snapshot was taken on a machine of "
			       "another configuration (RAM, e820, PAE, "
			       "vmsplit, command line, initrd, CPUs or seed "
			       "differ)");
	return true;
}

/* --- spans of frames ------------------------------------------------------ */

/* [start, end) frame ranges: the blocks the buddy allocator holds. */
struct span {
	pfn_t start, end;
};

struct spans {
	struct span *v;
	uint32_t n, cap;
};

static void spans_add(struct spans *s, pfn_t pfn, unsigned order)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = (struct span){ pfn, pfn + (1u << order) };
}

static int span_cmp(const void *a, const void *b)
{
	return snap_u32_cmp(&((const struct span *)a)->start,
			    &((const struct span *)b)->start);
}

/* Sort, then merge touching spans into maximal ranges; false when two
 * overlap (the frame at *clash is in both). */
static bool spans_merge(struct spans *s, pfn_t *clash)
{
	uint32_t out = 0;

	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), span_cmp);
	for (uint32_t i = 0; i < s->n; i++) {
		if (out && s->v[i].start < s->v[out - 1].end) {
			*clash = s->v[i].start;
			return false;
		}
		if (out && s->v[i].start == s->v[out - 1].end)
			s->v[out - 1].end = s->v[i].end;
		else
			s->v[out++] = s->v[i];
	}
	s->n = out;
	return true;
}

static void spans_of_map(struct spans *s, const struct pfnmap *map)
{
	for (uint32_t i = 0; i < map->cap; i++)
		if (map->slot[i].pfn != PFN_NONE)
			spans_add(s, map->slot[i].pfn, map->slot[i].order);
}

/* --- the buddy allocator -------------------------------------------------- */

static void pgdat_reset(struct pglist_data *pgdat)
{
	pfnmap_free(&pgdat->free_blocks);
	pfnmap_free(&pgdat->alloc_blocks);
	pfnmap_init(&pgdat->free_blocks);
	pfnmap_init(&pgdat->alloc_blocks);
	pcp_clear(pgdat);
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = &pgdat->node_zones[j];

		for (unsigned o = 0; o < MAX_ORDER; o++) {
			for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
				z->free_area[o].head[mt] = PFN_NONE;
				z->free_area[o].tail[mt] = PFN_NONE;
				z->free_area[o].nr[mt] = 0;
			}
			z->free_area[o].nr_free = 0;
		}
		z->nr_free_pages = 0;
		z->nr_reserved_highatomic = 0;
	}
}

/* A naturally aligned block of order that lies inside zone zi. */
static bool block_in_zone(struct snap_reader *r,
			  const struct pglist_data *pgdat, int zi, pfn_t pfn,
			  unsigned order, const char *what)
{
	const struct zone *z = &pgdat->node_zones[zi];

	if (order >= MAX_ORDER)
		return sr_fail(r, "%s 0x%x has order %u", what, pfn, order);
	if (pfn & ((1u << order) - 1))
		return sr_fail(r, "%s 0x%x is not aligned to its order %u",
			       what, pfn, order);
	if (!z->spanned_pages || pfn < z->zone_start_pfn ||
	    (uint64_t)pfn + (1u << order) >
	    (uint64_t)z->zone_start_pfn + z->spanned_pages)
		return sr_fail(r, "%s 0x%x (order %u) is not inside zone %s",
			       what, pfn, order, zone_name(zi));
	return true;
}

/* One free list, head to tail: the records and their links. */
static bool read_free_list(struct snap_reader *r, struct pglist_data *pgdat,
			   int zi, unsigned order, int mt, struct spans *sp,
			   uint32_t *pages)
{
	struct free_area *a = &pgdat->node_zones[zi].free_area[order];
	pfn_t prev = PFN_NONE;
	uint32_t n;

	if (!sr_count(r, &n, 4, "free blocks"))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		pfn_t pfn = sr_u32(r);
		struct pfn_rec *rec;

		if (!sr_ok(r) ||
		    !block_in_zone(r, pgdat, zi, pfn, order, "free block"))
			return false;
		if (pfnmap_get(&pgdat->free_blocks, pfn))
			return sr_fail(r, "free block 0x%x is listed twice",
				       pfn);
		rec = pfnmap_put(&pgdat->free_blocks, pfn);
		rec->order = (uint8_t)order;
		rec->mt = (uint8_t)mt;
		rec->zone = (uint8_t)zi;
		rec->prev = prev;
		rec->next = PFN_NONE;
		if (prev != PFN_NONE)
			pfnmap_get(&pgdat->free_blocks, prev)->next = pfn;
		else
			a->head[mt] = pfn;
		a->tail[mt] = pfn;
		prev = pfn;
		spans_add(sp, pfn, order);
		*pages += 1u << order;
	}
	a->nr[mt] = n;
	a->nr_free += n;
	return true;
}

static bool read_pageblocks(struct snap_reader *r, struct pglist_data *pgdat,
			    struct zone *z, int zi)
{
	uint32_t want = z->pageblock_mt ? zone_nr_pageblocks(pgdat, z) : 0;
	uint32_t n = sr_u32(r);
	const uint8_t *pb;

	if (!sr_ok(r))
		return false;
	if (n != want)
		return sr_fail(r, "zone %s has %u pageblocks, not %u",
			       zone_name(zi), want, n);
	pb = sr_take(r, n);
	if (!sr_ok(r))
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (pb[i] >= MIGRATE_TYPES)
			return sr_fail(r, "zone %s: pageblock %u has "
				       "migratetype %u", zone_name(zi), i,
				       pb[i]);
	if (n)
		memcpy(z->pageblock_mt, pb, n);
	return true;
}

static bool read_zone(struct snap_reader *r, struct pglist_data *pgdat,
		      int zi, struct spans *sp)
{
	struct zone *z = &pgdat->node_zones[zi];
	uint32_t pb = 1u << pgdat->pageblock_order, pages = 0;
	uint32_t nr_free = sr_u32(r), highatomic = sr_u32(r);

	if (!read_pageblocks(r, pgdat, z, zi))
		return false;
	/* reserve_highatomic_pageblock() stops at 1% plus a pageblock */
	if (highatomic % pb || highatomic > z->managed_pages / 100 + 2 * pb)
		return sr_fail(r, "zone %s: highatomic reserve of %u pages",
			       zone_name(zi), highatomic);
	z->nr_reserved_highatomic = highatomic;
	for (unsigned o = 0; o < MAX_ORDER; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			if (!read_free_list(r, pgdat, zi, o, mt, sp, &pages))
				return false;
	if (pages != nr_free)
		return sr_fail(r, "zone %s: nr_free_pages is %u but its free "
			       "lists hold %u pages", zone_name(zi), nr_free,
			       pages);
	z->nr_free_pages = nr_free;
	return true;
}

/* One per-CPU list, head to tail; the blocks' order is the list's. */
static bool read_pcp_list(struct snap_reader *r, struct pglist_data *pgdat,
			  int zi, unsigned cpu, unsigned pindex,
			  struct spans *sp)
{
	struct per_cpu_pages *pcp = &pgdat->node_zones[zi].pcp[cpu];
	unsigned order = pindex == NR_LOWORDER_PCP_LISTS ?
			 pgdat->pageblock_order : pindex / MIGRATE_PCPTYPES;
	pfn_t prev = PFN_NONE;
	uint32_t n;

	if (!sr_count(r, &n, 5, "per-CPU pages"))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		pfn_t pfn = sr_u32(r);
		uint8_t mt = sr_u8(r);
		struct pfn_rec *rec;

		if (!sr_ok(r) ||
		    !block_in_zone(r, pgdat, zi, pfn, order, "per-CPU page"))
			return false;
		if (mt > MIGRATE_HIGHATOMIC)
			return sr_fail(r, "per-CPU page 0x%x has migratetype "
				       "%u", pfn, mt);
		if (pfnmap_get(&pgdat->pcp_pages, pfn) ||
		    pfnmap_get(&pgdat->free_blocks, pfn))
			return sr_fail(r, "per-CPU page 0x%x is listed twice",
				       pfn);
		rec = pfnmap_put(&pgdat->pcp_pages, pfn);
		rec->order = (uint8_t)order;
		rec->mt = mt;
		rec->zone = (uint8_t)zi;
		rec->owner = (uint8_t)cpu;
		rec->owner_id = pindex;
		rec->prev = prev;
		rec->next = PFN_NONE;
		if (prev != PFN_NONE)
			pfnmap_get(&pgdat->pcp_pages, prev)->next = pfn;
		else
			pcp->head[pindex] = pfn;
		pcp->tail[pindex] = pfn;
		prev = pfn;
		pcp->count += 1u << order;
		spans_add(sp, pfn, order);
	}
	return true;
}

static bool read_pcps(struct snap_reader *r, struct pglist_data *pgdat,
		      struct spans *sp)
{
	uint8_t ready = sr_u8(r);
	uint32_t cpus = sr_u32(r);

	if (!sr_ok(r))
		return false;
	if (ready > 1 || cpus != pgdat->nr_cpus)
		return sr_fail(r, "per-CPU lists for %u CPUs (ready %u), not "
			       "%u", cpus, ready, pgdat->nr_cpus);
	pgdat->pcp_ready = ready;
	for (int j = 0; j < MAX_NR_ZONES; j++)
		for (unsigned cpu = 0; cpu < cpus; cpu++) {
			pgdat->node_zones[j].pcp[cpu].free_factor = sr_u32(r);
			for (unsigned i = 0; i < NR_PCP_LISTS; i++)
				if (!read_pcp_list(r, pgdat, j, cpu, i, sp))
					return false;
		}
	return sr_ok(r);
}

static bool read_zones(struct snap_reader *outer, struct pglist_data *pgdat,
		       struct spans *sp)
{
	struct snap_reader r;

	if (!sr_section(outer, SNAP_ZONE, "zones", &r))
		return false;
	if (sr_u32(&r) != MAX_NR_ZONES)
		return sr_ok(&r) && sr_fail(&r, "not %d zones", MAX_NR_ZONES);
	for (int j = 0; j < MAX_NR_ZONES; j++)
		if (!read_zone(&r, pgdat, j, sp))
			return false;
	return read_pcps(&r, pgdat, sp) && sr_end(&r);
}

static bool read_alloc_block(struct snap_reader *r, struct pglist_data *pgdat,
			     pfn_t *last, struct spans *sp)
{
	pfn_t pfn = sr_u32(r);
	uint8_t order = sr_u8(r), mt = sr_u8(r), owner = sr_u8(r);
	uint8_t zone = sr_u8(r);
	uint32_t gfp = sr_u32(r), owner_id = sr_u32(r);
	struct pfn_rec *rec;

	if (!sr_ok(r))
		return false;
	if (*last != PFN_NONE && pfn <= *last)
		return sr_fail(r, "block 0x%x after 0x%x: not in pfn order",
			       pfn, *last);
	*last = pfn;
	if ((int)zone != pfn_to_zone(pgdat, pfn))
		return sr_fail(r, "block 0x%x is not in zone %u", pfn, zone);
	if (!block_in_zone(r, pgdat, zone, pfn, order, "allocated block"))
		return false;
	if (mt >= MIGRATE_TYPES || owner >= NR_OWNERS ||
	    (gfp & ~__GFP_ALL_BITS))
		return sr_fail(r, "block 0x%x: migratetype %u, owner %u, gfp "
			       "0x%x", pfn, mt, owner, gfp);
	if (pfnmap_get(&pgdat->free_blocks, pfn))
		return sr_fail(r, "block 0x%x is both free and allocated",
			       pfn);
	rec = pfnmap_put(&pgdat->alloc_blocks, pfn);
	rec->order = order;
	rec->mt = mt;
	rec->owner = owner;
	rec->zone = zone;
	rec->gfp = gfp;
	rec->owner_id = owner_id;
	spans_add(sp, pfn, order);
	return true;
}

static bool read_alloc_blocks(struct snap_reader *outer,
			      struct pglist_data *pgdat, struct spans *sp)
{
	struct snap_reader r;
	pfn_t last = PFN_NONE;
	uint32_t n;

	if (!sr_section(outer, SNAP_ABLK, "allocated blocks", &r) ||
	    !sr_count(&r, &n, 16, "allocated blocks"))
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (!read_alloc_block(&r, pgdat, &last, sp))
			return false;
	return sr_end(&r);
}

/*
 * Boot fixes which frames the buddy allocator manages (managed_pages
 * never changes after it), so the free and allocated blocks must not
 * overlap and must cover exactly the frames boot's blocks cover.
 */
static bool check_coverage(struct snap_reader *r, struct spans *boot,
			   struct spans *snap)
{
	pfn_t clash = 0;

	if (!spans_merge(snap, &clash))
		return sr_fail(r, "frame 0x%x is in two blocks", clash);
	for (uint32_t i = 0; i < boot->n || i < snap->n; i++) {
		if (i < boot->n && i < snap->n &&
		    boot->v[i].start == snap->v[i].start &&
		    boot->v[i].end == snap->v[i].end)
			continue;
		if (i >= snap->n)
			return sr_fail(r, "frames 0x%x-0x%x are in no block",
				       boot->v[i].start, boot->v[i].end - 1);
		return sr_fail(r, "the blocks from frame 0x%x on do not "
			       "cover the frames boot gave the buddy "
			       "allocator", snap->v[i].start);
	}
	return true;
}

static bool read_buddy(struct snap_reader *r, struct pglist_data *pgdat)
{
	struct spans boot = { 0 }, snap = { 0 };
	pfn_t clash;
	bool ok;

	spans_of_map(&boot, &pgdat->free_blocks);
	spans_of_map(&boot, &pgdat->alloc_blocks);
	spans_of_map(&boot, &pgdat->pcp_pages);
	spans_merge(&boot, &clash);
	pgdat_reset(pgdat);
	ok = read_zones(r, pgdat, &snap) &&
	     read_alloc_blocks(r, pgdat, &snap) &&
	     check_coverage(r, &boot, &snap);
	free(boot.v);
	free(snap.v);
	return ok;
}

/* The allocated block whose head is pfn, if it has this owner and order. */
const struct pfn_rec *snap_owned_block(const struct machine *m, pfn_t pfn,
				       enum page_owner owner, unsigned order)
{
	const struct pfn_rec *rec = pfnmap_get(&m->pgdat.alloc_blocks, pfn);

	return rec && rec->owner == owner && rec->order == order ? rec : NULL;
}

/* Allocated blocks of one owner. */
uint32_t snap_owner_blocks(const struct machine *m, enum page_owner owner)
{
	const struct pfnmap *map = &m->pgdat.alloc_blocks;
	uint32_t n = 0;

	for (uint32_t i = 0; i < map->cap; i++)
		n += map->slot[i].pfn != PFN_NONE &&
		     map->slot[i].owner == owner;
	return n;
}

/* --- contents and the log ------------------------------------------------- */

static bool read_page_words(struct snap_reader *r, pfn_t pfn,
			    const uint8_t *map, uint8_t *page)
{
	static const uint8_t zero[8];
	bool any = false;

	for (unsigned k = 0; k < SNAP_PAGE_WORDS; k++) {
		const uint8_t *w;

		if (!(map[k / 8] & (1u << (k % 8))))
			continue;
		if (!(w = sr_take(r, 8)))
			return false;
		if (!memcmp(w, zero, 8))
			return sr_fail(r, "page 0x%x: word %u is marked "
				       "non-zero and is zero", pfn, k);
		memcpy(page + 8 * k, w, 8);
		any = true;
	}
	return any || sr_fail(r, "page 0x%x is stored and all zeros", pfn);
}

/* Pages anywhere in the 36-bit physical space: RAM, and device memory
 * written through an ioremap. */
static bool read_physmem(struct snap_reader *outer, struct machine *m)
{
	struct physmem *pm = &m->mem;
	pfn_t limit = SNAP_PFN_LIMIT;
	struct snap_reader r;
	pfn_t last = PFN_NONE;
	uint32_t n;

	if (!sr_section(outer, SNAP_PMEM, "memory contents", &r) ||
	    !sr_count(&r, &n, 4 + SNAP_PAGE_MAP + 8, "pages"))
		return false;
	physmem_free(pm);
	physmem_init(pm);
	for (uint32_t i = 0; i < n; i++) {
		pfn_t pfn = sr_u32(&r);
		const uint8_t *map = sr_take(&r, SNAP_PAGE_MAP);

		if (!sr_ok(&r))
			return false;
		if (pfn >= limit || (last != PFN_NONE && pfn <= last))
			return sr_fail(&r, "page 0x%x after 0x%x: past pfn "
				       "0x%x or not in pfn order", pfn, last,
				       limit);
		last = pfn;
		if (!read_page_words(&r, pfn, map, physmem_touch(pm, pfn)))
			return false;
	}
	return sr_end(&r);
}

/* Operations only append to the log, so boot's log starts it. */
static bool read_log(struct snap_reader *outer, struct strbuf *log)
{
	struct snap_reader r;
	const uint8_t *text;
	uint64_t len;
	char *buf;

	if (!sr_section(outer, SNAP_LOG, "boot log", &r))
		return false;
	len = sr_u64(&r);
	if (!sr_ok(&r))
		return false;
	if (len > r.left)
		return sr_fail(&r, "%llu bytes of log, %zu left",
			       (unsigned long long)len, r.left);
	text = sr_take(&r, (size_t)len);
	if (!sr_end(&r))
		return false;
	if (len && memchr(text, 0, (size_t)len))
		return sr_fail(&r, "a NUL byte in the log");
	if (len < log->len || (log->len && memcmp(text, log->buf, log->len)))
		return sr_fail(&r, "the log does not begin with this "
			       "configuration's boot messages");
	buf = xmalloc((size_t)len + 1);
	if (len)
		memcpy(buf, text, (size_t)len);
	buf[len] = '\0';
	sb_free(log);
	*log = (struct strbuf){ buf, (size_t)len, (size_t)len + 1 };
	return true;
}

/* --- kmap ----------------------------------------------------------------- */

static bool highmem_frame(struct snap_reader *r, const struct machine *m,
			  pfn_t pfn, const char *what)
{
	if (!kmap_frame_ok(m, pfn) || pfn_is_lowmem(m, pfn))
		return sr_fail(r, "%s holds 0x%x, not a HighMem frame", what,
			       pfn);
	return true;
}

/* The pkmap slots in use: ascending, each a distinct HighMem frame. */
static bool read_pkmap(struct snap_reader *r, struct machine *m)
{
	struct kmap_state *k = &m->kmap;
	uint32_t last = m->layout.last_pkmap, n, prev = 0;
	pfn_t pfns[LAST_PKMAP_MAX];

	k->last_pkmap_nr = sr_u32(r);
	if (!sr_count(r, &n, 12, "pkmap slots"))
		return false;
	if (k->last_pkmap_nr >= last || n > last)
		return sr_fail(r, "last_pkmap_nr %u and %u slots in use, of %u",
			       k->last_pkmap_nr, n, last);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t slot = sr_u32(r), count = sr_u32(r);
		pfn_t pfn = sr_u32(r);

		if (!sr_ok(r))
			return false;
		if (slot >= last || (i && slot <= prev) || !count)
			return sr_fail(r, "slot %u with count %u", slot, count);
		if (!highmem_frame(r, m, pfn, "a pkmap slot"))
			return false;
		prev = slot;
		k->pkmap_count[slot] = count;
		k->pkmap_page[slot] = pfn;
		pfns[i] = pfn;
	}
	qsort(pfns, n, sizeof(pfns[0]), snap_u32_cmp);
	for (uint32_t i = 1; i < n; i++)
		if (pfns[i] == pfns[i - 1])
			return sr_fail(r, "frame 0x%x holds two pkmap slots",
				       pfns[i]);
	return true;
}

static bool read_kmap_local(struct snap_reader *r, struct machine *m)
{
	if (sr_u32(r) != m->config.cpus)
		return sr_ok(r) && sr_fail(r, "not %u CPUs", m->config.cpus);
	for (unsigned cpu = 0; cpu < m->config.cpus; cpu++) {
		struct kmap_ctrl *c = &m->kmap.ctrl[cpu];
		uint32_t depth = sr_u32(r);

		if (!sr_ok(r))
			return false;
		if (depth > KM_MAX_IDX)
			return sr_fail(r, "CPU %u: %u kmap_local mappings", cpu,
				       depth);
		for (c->idx = 0; c->idx < depth; c->idx++) {
			pfn_t pfn = sr_u32(r);
			uint8_t atomic = sr_u8(r);

			if (!sr_ok(r) ||
			    !highmem_frame(r, m, pfn, "a kmap_local slot"))
				return false;
			if (atomic > 1)
				return sr_fail(r, "atomic flag %u", atomic);
			c->pfn[c->idx] = pfn;
			c->atomic[c->idx] = atomic;
		}
	}
	return true;
}

static bool read_kmap(struct snap_reader *outer, struct machine *m)
{
	struct snap_reader r;

	if (!sr_section(outer, SNAP_KMAP, "kmap", &r))
		return false;
	kmap_state_init(&m->kmap);
	return read_pkmap(&r, m) && read_kmap_local(&r, m) && sr_end(&r);
}

/* --- the whole ------------------------------------------------------------ */

static bool read_state(struct snap_reader *r, struct machine *m)
{
	if (!read_buddy(r, &m->pgdat))
		return false;
	/* NR_KERNEL_STACK_KB: the kernel-stack blocks, order 1 each */
	m->kernel_stack_pages = 2 * snap_owner_blocks(m, OWNER_KSTACK);
	if (!read_physmem(r, m) ||
	    !read_log(r, &m->log) || !read_kmap(r, m) ||
	    !snap_read_vmalloc(r, m) || !snap_read_slab(r, m) ||
	    !snap_read_procs(r, m))
		return false;
	/* rootfs's pages are the shmem-owned blocks (all order 0) */
	m->rootfs_pages = snap_owner_blocks(m, OWNER_SHMEM);
	r->section = "the end";
	return sr_end(r);
}

int machine_restore(const struct machine_config *c, const void *buf,
		    size_t len, struct machine **out, struct mm_error *err)
{
	bool failed = false;
	struct snap_reader r = { buf, buf ? len : 0, "header", err, &failed };
	struct machine *m;
	int rc;

	*out = NULL;
	if ((rc = machine_config_validate(c, err)))
		return rc;
	if (!read_header(&r, buf, r.left) || !check_config(&r, c))
		return MM_EINVAL;
	if ((rc = machine_boot(c, &m, err)))
		return rc;
	if (!read_state(&r, m)) {
		machine_free(m);
		return MM_EINVAL;
	}
	*out = m;
	return MM_OK;
}

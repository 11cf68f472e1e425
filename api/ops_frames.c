/*
 * ops_frames.c - the physical memory map, compact enough to draw:
 *
 *   frames {start = 0, count = max_pfn - start (at most 1048576)}
 *     -> {start, count, max_pfn, next, runs: [{pfn, n, state, zone,
 *         order, migratetype (free), owner, owner_id, cache, pid}]}
 *
 * A run is one buddy block (free or allocated), so block boundaries show,
 * or a stretch of holes or of reserved frames in one zone (or outside
 * every zone: zone null).  The runs cover [start, start + count) exactly
 * (count is cut short, and next says where to go on, past 16384 runs);
 * a block cut by either edge is a run of the part inside, with the
 * block's order.  An allocated block says who owns it (api_owner_name);
 * a slab block names its cache, and a user frame or page table the
 * process it was taken for, while that process lives.
 *
 * The walk costs two hash look-ups per reserved frame and one or two per
 * block; holes are skipped a RAM range at a time.  A fresh 4 GiB machine's
 * whole map (1048576 frames) is about 800 runs, answered in under a
 * millisecond by a release build; the cost grows with the runs, not the
 * frames (300000 order-0 blocks: about 175 ms, most of it building JSON).
 */
#include "api.h"
#include "api_util.h"

#include <stdlib.h>

#include "boot_hash.h"
#include "page_alloc.h"
#include "slab.h"

#define PFN_LIMIT	(PHYS_LIMIT >> PAGE_SHIFT)
#define FRAMES_MAX	(1u << 20)	/* 4 GiB of frames per request */

/* --- arguments --------------------------------------------------------------- */

static int arg_window(const struct machine *m, const json_t *args,
		      pfn_t *start, uint32_t *count, struct mm_error *err)
{
	const json_t *vs = json_object_get(args, "start");
	const json_t *vc = json_object_get(args, "count");
	pfn_t max_pfn = m->layout.max_pfn;
	uint64_t s = 0, c;

	if (vs && (api_get_u64(vs, &s) || s >= PFN_LIMIT))
		return mm_fail(err, MM_EINVAL, "bad-argument", "start",
			       "frames: start must be a pfn below 0x1000000 "
			       "(36-bit physical addresses), such as "
			       "\"0x100\"");
	c = s < max_pfn ? MIN((uint64_t)max_pfn - s, (uint64_t)FRAMES_MAX) : 0;
	if (vc && (api_get_u64(vc, &c) || c > FRAMES_MAX))
		return mm_fail(err, MM_EINVAL, "bad-argument", "count",
			       "frames: count must be 0 to 1048576 frames "
			       "(4 GiB); ask for a larger map in pieces");
	if (!range_fits(s, c, PFN_LIMIT))
		return mm_fail(err, MM_EINVAL, "bad-argument", "count",
			       "frames: start + count passes pfn 0x1000000, "
			       "the end of the 36-bit physical space");
	*start = (pfn_t)s;
	*count = (uint32_t)c;
	return MM_OK;
}

/* --- where stretches end ---------------------------------------------------- */

/* Whether pfn is RAM, and where that stops being so (the end of its RAM
 * range, or the start of the next one). */
static pfn_t ram_extent(const struct pglist_data *pgdat, pfn_t pfn, bool *ram)
{
	uint32_t lo = 0, hi = pgdat->nr_ranges;

	/* the first range ending above pfn */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (pgdat->ranges[mid].end <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == pgdat->nr_ranges) {
		*ram = false;
		return (pfn_t)PFN_LIMIT;
	}
	*ram = pgdat->ranges[lo].start <= pfn;
	return *ram ? pgdat->ranges[lo].end : pgdat->ranges[lo].start;
}

/* The zone spanning pfn (-1 for none), and where that changes. */
static pfn_t zone_extent(const struct pglist_data *pgdat, pfn_t pfn, int *zone)
{
	pfn_t next = (pfn_t)PFN_LIMIT;

	*zone = pfn_to_zone(pgdat, pfn);
	if (*zone >= 0) {
		const struct zone *z = &pgdat->node_zones[*zone];

		return z->zone_start_pfn + z->spanned_pages;
	}
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		const struct zone *z = &pgdat->node_zones[j];

		if (z->spanned_pages && z->zone_start_pfn > pfn &&
		    z->zone_start_pfn < next)
			next = z->zone_start_pfn;
	}
	return next;
}

/* --- runs ---------------------------------------------------------------------- */

/* A hole or reserved stretch still growing: merged with the next one when
 * state and zone agree and nothing came between. */
struct pending {
	pfn_t pfn;
	uint32_t n;
	enum frame_state state;
	int zone;
};

static json_t *zone_json(int zone)
{
	return zone >= 0 ? json_string(zone_name(zone)) : json_null();
}

static void flush(json_t *runs, struct pending *p)
{
	if (!p->n)
		return;
	json_array_append_new(runs, json_pack("{s:o, s:i, s:s, s:o}",
		"pfn", api_hex(p->pfn), "n", (int)p->n,
		"state", api_frame_state_name(p->state),
		"zone", zone_json(p->zone)));
	p->n = 0;
}

static void add_stretch(json_t *runs, struct pending *p, pfn_t pfn,
			uint32_t n, enum frame_state state, int zone)
{
	if (p->n && p->state == state && p->zone == zone &&
	    p->pfn + p->n == pfn) {
		p->n += n;
		return;
	}
	flush(runs, p);
	*p = (struct pending){ pfn, n, state, zone };
}

/* What an allocated block is for, beyond its owner's name. */
static void owner_details(const struct machine *m, json_t *o,
			  enum page_owner owner, uint32_t id, pfn_t head)
{
	json_object_set_new(o, "owner", json_string(api_owner_name(owner)));
	json_object_set_new(o, "owner_id", json_integer(id));
	if (owner == OWNER_KERNEL && boot_alloc_name(id)) {
		/* a table or pool the boot allocated (boot_hash.h) */
		json_object_set_new(o, "what", json_string(boot_alloc_name(id)));
	} else if (owner == OWNER_SLAB) {
		/* a slab's first frame maps to its slot; kmalloc_large
		 * blocks have none */
		struct slab view;
		const struct slab *s = slub_slab_of(m, head, &view);

		if (s && s->cache)
			json_object_set_new(o, "cache",
					    json_string(s->cache->name));
	} else if ((owner == OWNER_USER || owner == OWNER_PGTABLE) &&
		   mm_find_const(m, id)) {
		/* the process the frame was taken for; kernel page tables
		 * carry id 0, which no process has */
		json_object_set_new(o, "pid", json_integer(id));
	}
}

/* One buddy block, or the part of it inside [from, to). */
static void add_block(const struct machine *m, json_t *runs, pfn_t from,
		      pfn_t to, const struct frame_info *fi)
{
	bool allocated = fi->state == FRAME_ALLOCATED;
	json_t *o = json_pack("{s:o, s:i, s:s, s:o, s:i}",
		"pfn", api_hex(from), "n", (int)(to - from),
		"state", api_frame_state_name(fi->state),
		"zone", zone_json(fi->zone), "order", (int)fi->order);

	if (allocated)
		owner_details(m, o, fi->owner, fi->owner_id, fi->head);
	else
		json_object_set_new(o, "migratetype", json_string(
				    migratetype_name(fi->migratetype)));
	if (fi->pcp_cpu >= 0)
		json_object_set_new(o, "pcp_cpu", json_integer(fi->pcp_cpu));
	json_array_append_new(runs, o);
}

/* The block whose head is pfn, if one is: a frame that does not lie in
 * the block before it can only be in a block that starts there. */
static bool block_at(const struct pglist_data *pgdat, pfn_t pfn,
		     struct frame_info *fi)
{
	const struct pfn_rec *r = pfnmap_get(&pgdat->free_blocks, pfn);
	const struct pfn_rec *pcp = r ? NULL : pfnmap_get(&pgdat->pcp_pages,
							  pfn);
	bool free = r != NULL || pcp != NULL;

	if (pcp)
		r = pcp;
	if (!r && !(r = pfnmap_get(&pgdat->alloc_blocks, pfn)))
		return false;
	*fi = (struct frame_info){
		.state = free ? FRAME_FREE : FRAME_ALLOCATED,
		.zone = pfn_to_zone(pgdat, pfn), .head = pfn,
		.order = r->order, .migratetype = r->mt,
		.owner = free ? OWNER_NONE : (enum page_owner)r->owner,
		.owner_id = free ? 0 : r->owner_id, .gfp = free ? 0 : r->gfp,
		.pcp_cpu = pcp ? pcp->owner : -1,
	};
	return true;
}

/* RAM frames from pfn that belong to no block (memblock kept them), up
 * to limit or the next block head. */
static pfn_t reserved_end(const struct pglist_data *pgdat, pfn_t pfn,
			  pfn_t limit)
{
	while (pfn < limit && !pfnmap_get(&pgdat->free_blocks, pfn) &&
	       !pfnmap_get(&pgdat->alloc_blocks, pfn) &&
	       !pfnmap_get(&pgdat->pcp_pages, pfn))
		pfn++;
	return pfn;
}

/*
 * A map where every other frame is allocated would be a million runs and
 * a hundred megabytes of JSON; past this many runs the answer stops and
 * says where to go on ("next"), so one request stays a few megabytes.
 */
#define FRAMES_MAX_RUNS 16384

static json_t *frame_runs(const struct machine *m, pfn_t start, pfn_t end,
			  pfn_t *stopped)
{
	const struct pglist_data *pgdat = &m->pgdat;
	struct pending p = { 0 };
	json_t *runs = json_array();
	struct frame_info fi;
	pfn_t pfn = start;

	/* only the first frame may sit inside a block that began earlier */
	if (pfn < end) {
		page_frame_info(pgdat, pfn, &fi);
		if (fi.state == FRAME_FREE || fi.state == FRAME_ALLOCATED) {
			pfn = MIN(fi.head + (1u << fi.order), end);
			add_block(m, runs, start, pfn, &fi);
		}
	}
	while (pfn < end && json_array_size(runs) < FRAMES_MAX_RUNS) {
		int zone;
		bool ram;
		pfn_t stop = MIN(MIN(ram_extent(pgdat, pfn, &ram),
				     zone_extent(pgdat, pfn, &zone)), end);

		if (!ram) {
			add_stretch(runs, &p, pfn, stop - pfn, FRAME_HOLE,
				    zone);
			pfn = stop;
		} else if (block_at(pgdat, pfn, &fi)) {
			flush(runs, &p);
			stop = MIN(pfn + (1u << fi.order), end);
			add_block(m, runs, pfn, stop, &fi);
			pfn = stop;
		} else {
			stop = reserved_end(pgdat, pfn, stop);
			add_stretch(runs, &p, pfn, stop - pfn, FRAME_RESERVED,
				    zone);
			pfn = stop;
		}
	}
	flush(runs, &p);
	*stopped = pfn;
	return runs;
}

static int op_frames(struct machine *m, const json_t *args, json_t **result,
		     struct mm_error *err)
{
	uint32_t count = 0;
	pfn_t start = 0, stopped;
	json_t *runs;
	int rc;

	if ((rc = arg_window(m, args, &start, &count, err)))
		return rc;
	runs = frame_runs(m, start, start + count, &stopped);
	*result = json_pack("{s:o, s:i, s:o, s:o, s:o}", "start", api_hex(start),
			    "count", (int)(stopped - start),
			    "max_pfn", api_hex(m->layout.max_pfn),
			    "next", stopped < start + count ? api_hex(stopped)
							    : json_null(),
			    "runs", runs);
	return MM_OK;
}

static const char *const frames_args[] = { "start", "count", NULL };

const struct api_op_def api_ops_frames[] = {
	{ "frames", false, frames_args, op_frames },
	{ NULL, false, NULL, NULL },
};

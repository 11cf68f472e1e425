/*
 * ops_highmem.c - the highmem operations: kmap, kunmap, kmap_local_page,
 * kunmap_local, kmap_atomic, kunmap_atomic, page_address, and the pkmap
 * report of every slot in use (model/highmem.h has the rules).
 *
 *   kmap {pfn | phys}          -> {addr, slot, count, lowmem, flushed}
 *   kunmap {pfn | phys}        -> {addr, slot, count, lowmem, mapped}
 *   kmap_local_page / kmap_atomic {pfn | phys, cpu = 0}
 *                              -> {addr, cpu, idx, fixmap_index, ...}
 *   kunmap_local / kunmap_atomic {addr, cpu = 0} -> {addr, ...}
 *   page_address {pfn | phys}  -> {addr: "0x..." | null}
 *   pkmap {}                   -> the pkmap slots in use and each CPU's
 *                                 kmap_local stack
 *
 * "count" is the number of users (pkmap_count - 1), as kmap's callers
 * count them; the pkmap report gives both.
 */
#include "api.h"
#include "api_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "highmem.h"
#include "page_alloc.h"

/* --- arguments --------------------------------------------------------------- */

/* The model's errors speak of pfns; name the argument actually given. */
static int frame_error(const json_t *args, int rc, struct mm_error *err)
{
	if (err && !strcmp(err->field, "pfn") && json_object_get(args, "phys"))
		strcpy(err->field, "phys");
	return rc;
}

/* --- kmap and kunmap --------------------------------------------------------- */

/*
 * What every mapping answer adds: the address's region, the frame's zone,
 * and a warning when the frame is on the free lists.  The kernel kmaps
 * any struct page without asking whose it is, so the model does too, but
 * a free frame is nobody's: the next allocation may hand it out while
 * this mapping still writes to it.
 */
static void where_json(const struct machine *m, json_t *o, vaddr_t va,
		       pfn_t pfn)
{
	struct frame_info fi;
	char w[400];

	page_frame_info(&m->pgdat, pfn, &fi);
	json_object_set_new(o, "region", api_region_json(m, va));
	json_object_set_new(o, "zone", fi.zone >= 0
			    ? json_string(zone_name(fi.zone)) : json_null());
	if (fi.state != FRAME_FREE)
		return;
	if (fi.pcp_cpu >= 0)
		snprintf(w, sizeof(w), "pfn 0x%x is free (an order-%u block "
			 "on CPU %d's per-CPU list, waiting for an "
			 "alloc_pages): nobody allocated it, so that "
			 "allocation may hand it out while this mapping still "
			 "reaches it; map a page you own (alloc_pages with "
			 "__GFP_HIGHMEM, e.g. GFP_HIGHUSER, first)", pfn,
			 fi.order, fi.pcp_cpu);
	else
		snprintf(w, sizeof(w), "pfn 0x%x is free (in an order-%u "
			 "block on the buddy allocator's free lists): nobody "
			 "allocated it, so the next alloc_pages may hand it "
			 "out while this mapping still reaches it; map a page "
			 "you own (alloc_pages with __GFP_HIGHMEM, e.g. "
			 "GFP_HIGHUSER, first)", pfn, fi.order);
	json_object_set_new(o, "warning", json_string(w));
}

static int op_kmap(struct machine *m, const json_t *args, json_t **result,
		   struct mm_error *err)
{
	struct kmap_result *r;
	json_t *flushed;
	pfn_t pfn = 0;
	int rc;

	if ((rc = api_arg_frame("kmap", args, false, &pfn, err)))
		return rc;
	r = xcalloc(1, sizeof(*r));
	if ((rc = kmap(m, pfn, r, err))) {
		free(r);
		return frame_error(args, rc, err);
	}
	flushed = json_array();
	for (unsigned i = 0; i < r->nr_flushed; i++)
		json_array_append_new(flushed, json_integer(r->flushed[i]));
	*result = json_object();
	json_object_set_new(*result, "addr", api_hex(r->addr));
	json_object_set_new(*result, "pfn", api_hex(pfn));
	json_object_set_new(*result, "phys", api_hex(PFN_PHYS(pfn)));
	json_object_set_new(*result, "slot", r->lowmem ? json_null()
			    : json_integer(r->slot));
	json_object_set_new(*result, "count", r->lowmem ? json_null()
			    : json_integer(r->users));
	json_object_set_new(*result, "lowmem", json_boolean(r->lowmem));
	json_object_set_new(*result, "flushed", flushed);
	where_json(m, *result, r->addr, pfn);
	json_object_set_new(*result, "why", api_kmap_why(m, pfn, r->lowmem ? -1
			    : r->slot, r->users));
	free(r);
	return MM_OK;
}

static int op_kunmap(struct machine *m, const json_t *args, json_t **result,
		     struct mm_error *err)
{
	struct kunmap_result r;
	pfn_t pfn = 0;
	int rc;

	if ((rc = api_arg_frame("kunmap", args, false, &pfn, err)))
		return rc;
	if ((rc = kunmap(m, pfn, &r, err)))
		return frame_error(args, rc, err);
	*result = json_object();
	json_object_set_new(*result, "addr", api_hex(r.addr));
	json_object_set_new(*result, "pfn", api_hex(pfn));
	json_object_set_new(*result, "slot", r.lowmem ? json_null()
			    : json_integer(r.slot));
	json_object_set_new(*result, "count", r.lowmem ? json_null()
			    : json_integer(r.users));
	json_object_set_new(*result, "lowmem", json_boolean(r.lowmem));
	/* a pkmap slot without users stays mapped until the next wrap */
	json_object_set_new(*result, "mapped", json_boolean(true));
	return MM_OK;
}

/* --- kmap_local and kmap_atomic ------------------------------------------------ */

static json_t *local_json(const struct kmap_local_result *r, bool atomic)
{
	json_t *o = json_object();

	json_object_set_new(o, "addr", api_hex(r->addr));
	json_object_set_new(o, "pfn", api_hex(r->pfn));
	json_object_set_new(o, "cpu", json_integer(r->cpu));
	json_object_set_new(o, "idx", r->lowmem ? json_null()
			    : json_integer(r->idx));
	json_object_set_new(o, "fixmap_index", r->lowmem ? json_null()
			    : json_integer(r->fixmap_index));
	json_object_set_new(o, "lowmem", json_boolean(r->lowmem));
	json_object_set_new(o, "depth", json_integer(r->depth));
	if (atomic)
		json_object_set_new(o, "note", json_string(
			"kmap_atomic also disables page faults and preemption "
			"until kunmap_atomic; the model has no scheduler, so "
			"only the mapping is simulated"));
	return o;
}

static int do_kmap_local(const char *op, bool atomic, struct machine *m,
			 const json_t *args, json_t **result,
			 struct mm_error *err)
{
	struct kmap_local_result r;
	unsigned cpu = 0;
	pfn_t pfn = 0;
	int rc;

	if ((rc = api_arg_frame(op, args, false, &pfn, err)) ||
	    (rc = api_arg_cpu(op, m, args, &cpu, err)))
		return rc;
	if ((rc = kmap_local(m, pfn, cpu, atomic, &r, err)))
		return frame_error(args, rc, err);
	*result = local_json(&r, atomic);
	where_json(m, *result, r.addr, pfn);
	json_object_set_new(*result, "why", api_kmap_local_why(m, op, &r));
	return MM_OK;
}

static int do_kunmap_local(const char *op, bool atomic, struct machine *m,
			   const json_t *args, json_t **result,
			   struct mm_error *err)
{
	struct kmap_local_result r;
	unsigned cpu = 0;
	vaddr_t va = 0;
	int rc;

	if ((rc = api_arg_vaddr(op, args, "addr", true, &va, err)) ||
	    (rc = api_arg_cpu(op, m, args, &cpu, err)))
		return rc;
	if ((rc = kunmap_local(m, va, cpu, atomic, &r, err)))
		return rc;
	*result = local_json(&r, atomic);
	return MM_OK;
}

static int op_kmap_local_page(struct machine *m, const json_t *args,
			      json_t **result, struct mm_error *err)
{
	return do_kmap_local("kmap_local_page", false, m, args, result, err);
}

static int op_kmap_atomic(struct machine *m, const json_t *args,
			  json_t **result, struct mm_error *err)
{
	return do_kmap_local("kmap_atomic", true, m, args, result, err);
}

static int op_kunmap_local(struct machine *m, const json_t *args,
			   json_t **result, struct mm_error *err)
{
	return do_kunmap_local("kunmap_local", false, m, args, result, err);
}

static int op_kunmap_atomic(struct machine *m, const json_t *args,
			    json_t **result, struct mm_error *err)
{
	return do_kunmap_local("kunmap_atomic", true, m, args, result, err);
}

/* --- page_address and the pkmap report ----------------------------------------- */

static int op_page_address(struct machine *m, const json_t *args,
			   json_t **result, struct mm_error *err)
{
	vaddr_t va = 0;
	pfn_t pfn = 0;
	int rc;

	if ((rc = api_arg_frame("page_address", args, false, &pfn, err)))
		return rc;
	if (!kmap_frame_ok(m, pfn))
		return mm_fail(err, MM_EINVAL, "not-ram",
			       json_object_get(args, "phys") ? "phys" : "pfn",
			       "pfn 0x%x is not RAM the kernel manages (a "
			       "hole in the physical map, or above max_pfn): "
			       "it has no struct page", pfn);
	va = page_address(m, pfn);
	*result = json_object();
	json_object_set_new(*result, "addr", va ? api_hex(va) : json_null());
	json_object_set_new(*result, "pfn", api_hex(pfn));
	json_object_set_new(*result, "lowmem",
			    json_boolean(pfn_is_lowmem(m, pfn)));
	json_object_set_new(*result, "region", va ? api_region_json(m, va)
						 : json_null());
	json_object_set_new(*result, "zone",
			    json_string(zone_name(pfn_to_zone(&m->pgdat, pfn))));
	json_object_set_new(*result, "why_virt", api_virt_why(m, pfn));
	api_set_mappings(m, *result, pfn);
	return MM_OK;
}

static int op_pkmap(struct machine *m, const json_t *args, json_t **result,
		    struct mm_error *err)
{
	const struct kmap_state *k = &m->kmap;
	json_t *slots = json_array(), *local = json_array();

	(void)args;
	(void)err;
	for (unsigned n = 0; n < m->layout.last_pkmap; n++) {
		json_t *o;

		if (!k->pkmap_count[n])
			continue;
		o = json_object();
		json_object_set_new(o, "slot", json_integer(n));
		json_object_set_new(o, "addr", api_hex(pkmap_addr(m, n)));
		json_object_set_new(o, "pfn", api_hex(k->pkmap_page[n]));
		json_object_set_new(o, "count",
				    json_integer(k->pkmap_count[n]));
		json_object_set_new(o, "users",
				    json_integer(k->pkmap_count[n] - 1));
		json_array_append_new(slots, o);
	}
	for (unsigned cpu = 0; cpu < m->config.cpus; cpu++) {
		const struct kmap_ctrl *c = &k->ctrl[cpu];
		json_t *maps, *o;

		if (!c->idx)
			continue;
		maps = json_array();
		for (unsigned i = 0; i < c->idx; i++)
			json_array_append_new(maps, json_pack(
				"{s:i, s:o, s:o, s:i, s:b}", "idx", (int)i,
				"addr", api_hex(kmap_local_addr(m, cpu, i)),
				"pfn", api_hex(c->pfn[i]), "fixmap_index",
				(int)(FIX_KMAP_BEGIN + i + KM_MAX_IDX * cpu),
				"atomic", c->atomic[i]));
		o = json_object();
		json_object_set_new(o, "cpu", json_integer(cpu));
		json_object_set_new(o, "depth", json_integer(c->idx));
		json_object_set_new(o, "maps", maps);
		json_array_append_new(local, o);
	}
	*result = json_object();
	json_object_set_new(*result, "pkmap_base",
			    api_hex(m->layout.pkmap_base));
	json_object_set_new(*result, "last_pkmap",
			    json_integer(m->layout.last_pkmap));
	json_object_set_new(*result, "last_pkmap_nr",
			    json_integer(k->last_pkmap_nr));
	json_object_set_new(*result, "used",
			    json_integer(json_array_size(slots)));
	json_object_set_new(*result, "slots", slots);
	json_object_set_new(*result, "kmap_local", local);
	return MM_OK;
}

/* --- the table ------------------------------------------------------------------- */

static const char *const frame_args[] = { "pfn", "phys", NULL };
static const char *const local_args[] = { "pfn", "phys", "cpu", NULL };
static const char *const unmap_local_args[] = { "addr", "cpu", NULL };
static const char *const no_args[] = { NULL };

const struct api_op_def api_ops_highmem[] = {
	{ "kmap", true, frame_args, op_kmap },
	{ "kunmap", true, frame_args, op_kunmap },
	{ "kmap_local_page", true, local_args, op_kmap_local_page },
	{ "kunmap_local", true, unmap_local_args, op_kunmap_local },
	{ "kmap_atomic", true, local_args, op_kmap_atomic },
	{ "kunmap_atomic", true, unmap_local_args, op_kunmap_atomic },
	{ "page_address", false, frame_args, op_page_address },
	{ "pkmap", false, no_args, op_pkmap },
	{ NULL, false, NULL, NULL },
};

/*
 * ops_slab.c - kmalloc and the SLUB caches (model/slab.h has the rules):
 *
 *   kmalloc {size, gfp = GFP_KERNEL, cpu = 0}, kzalloc {same}
 *        -> {ok, addr, phys, size, ksize, cache, large, gfp, from,
 *            slab: {pfn, phys, order, pages, zone, index, objects, inuse}
 *            (null when large), block: {pfn, phys, order, pages, zone}
 *            (kmalloc_large, else null), new_slab: {pfn, order, gfp,
 *            order_fallback} or null, retired_cpu_slab}
 *        out of memory: 422 out-of-memory, the problem carrying
 *            {size, gfp, cache, large, reason} (alloc_answer)
 *   krealloc {addr, size, gfp, cpu} -> the same plus moved, old_addr,
 *            copied
 *   kfree {addr} -> {ok, addr, cache, large, ksize, slab | block,
 *            to_partial, slab_freed, kept_empty}
 *   ksize {addr} -> {addr, ksize, cache, large, slab | block}
 *   kmem_cache_create {name, size, align = 0, flags = []} -> the cache
 *   kmem_cache_alloc {cache, gfp, cpu} -> as kmalloc
 *   kmem_cache_free {cache, addr} -> as kfree
 *   kmem_cache_destroy {cache} -> {ok, cache, pages_freed}
 *
 * Addresses are "0x%08x" strings; arguments may be numbers or strings.
 */
#include "api.h"
#include "api_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page_alloc.h"
#include "slab.h"

#define bad_arg(err, field, fmt, op) \
	mm_fail(err, MM_EINVAL, "bad-argument", field, fmt, op)

/* --- arguments --------------------------------------------------------------- */

static int arg_size(const char *op, const json_t *args, uint64_t *size,
		    struct mm_error *err)
{
	const json_t *v = json_object_get(args, "size");

	if (!v || api_get_u64(v, size))
		return bad_arg(err, "size", "%s needs size, a number of bytes "
			       "or a string such as \"96\" or \"8K\"", op);
	return MM_OK;
}

static int arg_cache(const char *op, const struct machine *m,
		     const json_t *args, struct kmem_cache **s,
		     struct mm_error *err)
{
	const json_t *v = json_object_get(args, "cache");
	const char *name;

	if (!json_is_string(v))
		return bad_arg(err, "cache", "%s needs cache, a cache name such "
			       "as \"kmalloc-96\"", op);
	name = json_string_value(v);
	*s = kmem_cache_find(&m->slab, name);
	if (!*s)
		return mm_fail(err, MM_ENOTFOUND, "no-such-cache", "cache",
			       "%s: there is no cache named '%.48s' (slabinfo "
			       "lists them)", op, name);
	return MM_OK;
}

/* "flags": an array of SLAB_* names (or one name as a string). */
static int arg_slab_flags(const json_t *args, uint32_t *flags,
			  struct mm_error *err)
{
	const json_t *v = json_object_get(args, "flags");
	size_t n = json_is_array(v) ? json_array_size(v) : 1;

	*flags = 0;
	if (!v)
		return MM_OK;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
		const char *name = json_string_value(e);
		bool found = false;

		for (size_t k = 0; name && slab_flag_names[k].name; k++) {
			if (strcmp(slab_flag_names[k].name, name))
				continue;
			*flags |= slab_flag_names[k].flag;
			found = true;
		}
		if (!found)
			return mm_fail(err, MM_EINVAL, "bad-argument", "flags",
				       "kmem_cache_create: flags is a list of "
				       "SLAB_HWCACHE_ALIGN, SLAB_CACHE_DMA and "
				       "SLAB_RECLAIM_ACCOUNT; '%.48s' is not "
				       "one of them", name ? name : "?");
	}
	return MM_OK;
}

/* --- results --------------------------------------------------------------------- */

static json_t *zone_json(int zone)
{
	return zone < 0 ? json_null() : json_string(zone_name(zone));
}

static json_t *slab_flags_json(uint32_t flags)
{
	json_t *a = json_array();

	for (size_t k = 0; slab_flag_names[k].name; k++)
		if (flags & slab_flag_names[k].flag)
			json_array_append_new(a, json_string(
					      slab_flag_names[k].name));
	if (flags & SLAB_PANIC)
		json_array_append_new(a, json_string("SLAB_PANIC"));
	if (flags & SLAB_TYPESAFE_BY_RCU)
		json_array_append_new(a, json_string("SLAB_TYPESAFE_BY_RCU"));
	if (flags & SLAB_MEM_SPREAD)
		json_array_append_new(a, json_string("SLAB_MEM_SPREAD"));
	if (flags & SLAB_ACCOUNT)
		json_array_append_new(a, json_string("SLAB_ACCOUNT"));
	return a;
}

static json_t *pfn_list(const struct kmem_cache *s, int list)
{
	json_t *a = json_array();
	struct slab_iter it;

	if (list == SLAB_PARTIAL) {
		for (const struct slab *p = s->partial_head; p; p = p->next)
			json_array_append_new(a, api_hex(p->pfn));
		return a;
	}
	for (const struct slab *p = slab_iter_first(&it, s); p;
	     p = slab_iter_next(&it))
		if (p->list == list)
			json_array_append_new(a, api_hex(p->pfn));
	return a;
}

json_t *api_slab_cache_json(const struct kmem_cache *s, bool slabs)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "id", json_integer(s->id));
	json_object_set_new(o, "kmalloc", json_boolean(s->kmalloc));
	json_object_set_new(o, "object_size", json_integer(s->object_size));
	json_object_set_new(o, "objsize", json_integer(s->size));
	json_object_set_new(o, "align", json_integer(s->align));
	json_object_set_new(o, "flags", slab_flags_json(s->flags));
	json_object_set_new(o, "order", json_integer(s->order));
	json_object_set_new(o, "objperslab", json_integer(s->objects));
	json_object_set_new(o, "pagesperslab", json_integer(1 << s->order));
	json_object_set_new(o, "min_order", json_integer(s->min_order));
	json_object_set_new(o, "min_partial", json_integer(s->min_partial));
	json_object_set_new(o, "reclaimable",
			    json_boolean(s->flags & SLAB_RECLAIM_ACCOUNT));
	json_object_set_new(o, "allocflags", api_gfp_json(s->allocflags));
	if (!slabs)
		return o;
	json_object_set_new(o, "active_objs", json_integer(s->inuse));
	json_object_set_new(o, "num_objs", json_integer(s->total_objects));
	json_object_set_new(o, "kernel_active_objs",
			    json_integer(slab_kernel_active_objs(s)));
	json_object_set_new(o, "active_slabs", json_integer(s->nr_slabs));
	json_object_set_new(o, "num_slabs", json_integer(s->nr_slabs));
	json_object_set_new(o, "pages", json_integer(s->nr_pages));
	{
		json_t *cpus = json_array();

		for (unsigned c = 0; c < s->nr_cpus; c++)
			if (s->cpu_slab[c])
				json_array_append_new(cpus, json_pack(
					"{s:i, s:o, s:i}", "cpu", (int)c,
					"pfn", api_hex(s->cpu_slab[c]->pfn),
					"inuse", (int)s->cpu_slab[c]->inuse));
		json_object_set_new(o, "cpu_slabs", cpus);
	}
	json_object_set_new(o, "partial", pfn_list(s, SLAB_PARTIAL));
	json_object_set_new(o, "full", pfn_list(s, SLAB_FULL));
	return o;
}

static const char *source_name(enum slab_source src)
{
	switch (src) {
	case SLAB_SRC_CPU: return "cpu-slab";
	case SLAB_SRC_PARTIAL: return "partial";
	case SLAB_SRC_NEW: return "new-slab";
	case SLAB_SRC_PAGES: return "page-allocator";
	case SLAB_SRC_NONE: break;
	}
	return NULL;
}

/* Field by field, not json_pack: every kmalloc and kfree answers with
 * one, and parsing the format cost more than building the object. */
static json_t *block_json(pfn_t pfn, unsigned order, int zone)
{
	json_t *o = json_object();

	json_object_set_new_nocheck(o, "pfn", api_hex(pfn));
	json_object_set_new_nocheck(o, "phys", api_hex(PFN_PHYS(pfn)));
	json_object_set_new_nocheck(o, "order", json_integer((int)order));
	json_object_set_new_nocheck(o, "pages", json_integer(1 << order));
	json_object_set_new_nocheck(o, "zone", zone_json(zone));
	return o;
}

static json_t *slab_json(pfn_t pfn, unsigned order, int zone, uint32_t index,
			 uint32_t objects, uint32_t inuse)
{
	json_t *o = block_json(pfn, order, zone);

	json_object_set_new(o, "index", json_integer(index));
	json_object_set_new(o, "objects", json_integer(objects));
	json_object_set_new(o, "inuse", json_integer(inuse));
	return o;
}

static json_t *alloc_json(const struct slab_alloc_result *r)
{
	const char *from = source_name(r->from);
	json_t *o = json_object();

	if (!r->ok) {
		/* the out-of-memory problem's members (alloc_answer) */
		json_object_set_new(o, "size", json_integer(r->size));
		json_object_set_new(o, "gfp", api_gfp_json(r->gfp));
		json_object_set_new(o, "cache", r->cache
				    ? json_string(r->cache->name) : json_null());
		json_object_set_new(o, "large", json_boolean(r->large));
		json_object_set_new(o, "reason", api_string_lossy(r->reason));
		return o;
	}
	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "addr", api_hex(r->addr));
	json_object_set_new(o, "phys", r->zero_size ? json_null()
						     : api_hex(r->phys));
	json_object_set_new(o, "size", json_integer(r->size));
	json_object_set_new(o, "ksize", json_integer(r->ksize));
	json_object_set_new(o, "cache", r->cache ? json_string(r->cache->name)
						 : json_null());
	json_object_set_new(o, "large", json_boolean(r->large));
	json_object_set_new(o, "gfp", api_gfp_json(r->gfp));
	json_object_set_new(o, "from", from ? json_string(from) : json_null());
	json_object_set_new(o, "slab", r->cache
			    ? slab_json(r->pfn, r->order, r->zone, r->index,
					r->objects, r->inuse) : json_null());
	json_object_set_new(o, "block", r->large
			    ? block_json(r->pfn, r->order, r->zone)
			    : json_null());
	if (r->from == SLAB_SRC_NEW || r->from == SLAB_SRC_PAGES)
		json_object_set_new(o, "new_slab", json_pack(
			"{s:o, s:i, s:o, s:b}", "pfn", api_hex(r->pfn),
			"order", (int)r->order, "gfp", api_gfp_json(r->page_gfp),
			"order_fallback", r->order_fallback));
	else
		json_object_set_new(o, "new_slab", json_null());
	json_object_set_new(o, "retired_cpu_slab", r->retired == PFN_NONE
			    ? json_null() : api_hex(r->retired));
	if (r->zero_size)
		json_object_set_new(o, "note", json_string(
			"ZERO_SIZE_PTR: a size of 0 gets a pointer that faults "
			"when used, and kfree of it does nothing"));
	return o;
}

static json_t *free_json(const struct machine *m, vaddr_t va,
			 const struct slab_free_result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "addr", api_hex(va));
	if (r->noop) {
		json_object_set_new(o, "note", json_string(
			"NULL or ZERO_SIZE_PTR: kfree does nothing"));
		return o;
	}
	json_object_set_new(o, "cache", r->large ? json_null()
						 : json_string(r->cache));
	json_object_set_new(o, "large", json_boolean(r->large));
	json_object_set_new(o, "ksize", json_integer(r->ksize));
	json_object_set_new(o, "slab", r->large ? json_null()
			    : slab_json(r->pfn, r->order,
					pfn_to_zone(&m->pgdat, r->pfn),
					r->index, r->objects, r->inuse));
	json_object_set_new(o, "block", r->large
			    ? block_json(r->pfn, r->order,
					 pfn_to_zone(&m->pgdat, r->pfn))
			    : json_null());
	json_object_set_new(o, "to_partial", json_boolean(r->to_partial));
	json_object_set_new(o, "slab_freed", json_boolean(r->discarded));
	json_object_set_new(o, "kept_empty", json_boolean(r->kept_empty));
	json_object_set_new(o, "pages_freed", json_integer(
			    r->discarded ? 1 << r->order : 0));
	return o;
}

/* Out of memory as the refusal it is: 422 out-of-memory, the detail the
 * allocator's story. */
static int oom(const char *op, const struct slab_alloc_result *r,
	       struct mm_error *err)
{
	char mask[GFP_NAME_MAX];

	gfp_format(r->gfp, mask, sizeof(mask));
	return mm_fail(err, MM_EIMPOSSIBLE, "out-of-memory", "size",
		       "%s(%llu, %s): %s", op, (unsigned long long)r->size,
		       mask, r->reason);
}

/*
 * The kmalloc and kfree answers as compact JSON text, written straight
 * from the result (api_op_write): field for field what the functions
 * above build, in their order, so the bytes are those jansson would
 * dump of them.
 */
static void zone_write(struct strbuf *sb, int zone)
{
	jt_str(sb, zone < 0 ? NULL : zone_name(zone));
}

static void gfp_write(struct strbuf *sb, gfp_t gfp)
{
	char buf[GFP_NAME_MAX];

	gfp_format(gfp, buf, sizeof(buf));
	jt_str(sb, buf);
}

/* block_json's fields, without the braces */
static void block_fields(struct strbuf *sb, pfn_t pfn, unsigned order,
			 int zone)
{
	jt_raw(sb, "\"pfn\":");
	jt_hex(sb, pfn);
	jt_raw(sb, ",\"phys\":");
	jt_hex(sb, PFN_PHYS(pfn));
	jt_raw(sb, ",\"order\":");
	jt_int(sb, (int)order);
	jt_raw(sb, ",\"pages\":");
	jt_int(sb, 1 << order);
	jt_raw(sb, ",\"zone\":");
	zone_write(sb, zone);
}

static void block_write(struct strbuf *sb, pfn_t pfn, unsigned order,
			int zone)
{
	jt_raw(sb, "{");
	block_fields(sb, pfn, order, zone);
	jt_raw(sb, "}");
}

static void slab_write(struct strbuf *sb, pfn_t pfn, unsigned order,
		       int zone, uint32_t index, uint32_t objects,
		       uint32_t inuse)
{
	jt_raw(sb, "{");
	block_fields(sb, pfn, order, zone);
	jt_raw(sb, ",\"index\":");
	jt_int(sb, index);
	jt_raw(sb, ",\"objects\":");
	jt_int(sb, objects);
	jt_raw(sb, ",\"inuse\":");
	jt_int(sb, inuse);
	jt_raw(sb, "}");
}

static void alloc_fail_write(struct strbuf *sb,
			     const struct slab_alloc_result *r)
{
	jt_raw(sb, "{\"size\":");
	jt_int(sb, (long long)r->size);
	jt_raw(sb, ",\"gfp\":");
	gfp_write(sb, r->gfp);
	jt_raw(sb, ",\"cache\":");
	jt_str(sb, r->cache ? r->cache->name : NULL);
	jt_raw(sb, ",\"large\":");
	jt_bool(sb, r->large);
	jt_raw(sb, ",\"reason\":");
	jt_str_lossy(sb, r->reason);
	jt_raw(sb, "}");
}

static void new_slab_write(struct strbuf *sb,
			   const struct slab_alloc_result *r)
{
	if (r->from != SLAB_SRC_NEW && r->from != SLAB_SRC_PAGES) {
		jt_raw(sb, "null");
		return;
	}
	jt_raw(sb, "{\"pfn\":");
	jt_hex(sb, r->pfn);
	jt_raw(sb, ",\"order\":");
	jt_int(sb, (int)r->order);
	jt_raw(sb, ",\"gfp\":");
	gfp_write(sb, r->page_gfp);
	jt_raw(sb, ",\"order_fallback\":");
	jt_bool(sb, r->order_fallback);
	jt_raw(sb, "}");
}

/* where_json's fields, in its order */
static void where_write(struct strbuf *sb, const struct machine *m,
			const struct slab_alloc_result *r)
{
	jt_raw(sb, ",\"region\":");
	if (r->zero_size)
		jt_raw(sb, "null");
	else
		api_region_write(sb, m, r->addr);
	jt_raw(sb, ",\"zone\":");
	zone_write(sb, r->zero_size ? -1 : r->zone);
	jt_raw(sb, ",\"why\":");
	jt_value(sb, api_kmalloc_why(m, r));
}

static void alloc_write(struct strbuf *sb, const struct machine *m,
			const struct slab_alloc_result *r)
{
	if (!r->ok) {
		alloc_fail_write(sb, r);
		return;
	}
	jt_raw(sb, "{\"ok\":true,\"addr\":");
	jt_hex(sb, r->addr);
	jt_raw(sb, ",\"phys\":");
	if (r->zero_size)
		jt_raw(sb, "null");
	else
		jt_hex(sb, r->phys);
	jt_raw(sb, ",\"size\":");
	jt_int(sb, (long long)r->size);
	jt_raw(sb, ",\"ksize\":");
	jt_int(sb, (long long)r->ksize);
	jt_raw(sb, ",\"cache\":");
	jt_str(sb, r->cache ? r->cache->name : NULL);
	jt_raw(sb, ",\"large\":");
	jt_bool(sb, r->large);
	jt_raw(sb, ",\"gfp\":");
	gfp_write(sb, r->gfp);
	jt_raw(sb, ",\"from\":");
	jt_str(sb, source_name(r->from));
	jt_raw(sb, ",\"slab\":");
	if (r->cache)
		slab_write(sb, r->pfn, r->order, r->zone, r->index, r->objects,
			   r->inuse);
	else
		jt_raw(sb, "null");
	jt_raw(sb, ",\"block\":");
	if (r->large)
		block_write(sb, r->pfn, r->order, r->zone);
	else
		jt_raw(sb, "null");
	jt_raw(sb, ",\"new_slab\":");
	new_slab_write(sb, r);
	jt_raw(sb, ",\"retired_cpu_slab\":");
	if (r->retired == PFN_NONE)
		jt_raw(sb, "null");
	else
		jt_hex(sb, r->retired);
	if (r->zero_size)
		jt_raw(sb, ",\"note\":\"ZERO_SIZE_PTR: a size of 0 gets a "
		       "pointer that faults when used, and kfree of it does "
		       "nothing\"");
	where_write(sb, m, r);
	jt_raw(sb, "}");
}

static void free_write(struct strbuf *sb, const struct machine *m,
		       vaddr_t va, const struct slab_free_result *r)
{
	int zone;

	jt_raw(sb, "{\"ok\":true,\"addr\":");
	jt_hex(sb, va);
	if (r->noop) {
		jt_raw(sb, ",\"note\":\"NULL or ZERO_SIZE_PTR: kfree does "
		       "nothing\"}");
		return;
	}
	zone = pfn_to_zone(&m->pgdat, r->pfn);
	jt_raw(sb, ",\"cache\":");
	jt_str(sb, r->large ? NULL : r->cache);
	jt_raw(sb, ",\"large\":");
	jt_bool(sb, r->large);
	jt_raw(sb, ",\"ksize\":");
	jt_int(sb, (long long)r->ksize);
	jt_raw(sb, ",\"slab\":");
	if (r->large)
		jt_raw(sb, "null");
	else
		slab_write(sb, r->pfn, r->order, zone, r->index, r->objects,
			   r->inuse);
	jt_raw(sb, ",\"block\":");
	if (r->large)
		block_write(sb, r->pfn, r->order, zone);
	else
		jt_raw(sb, "null");
	jt_raw(sb, ",\"to_partial\":");
	jt_bool(sb, r->to_partial);
	jt_raw(sb, ",\"slab_freed\":");
	jt_bool(sb, r->discarded);
	jt_raw(sb, ",\"kept_empty\":");
	jt_bool(sb, r->kept_empty);
	jt_raw(sb, ",\"pages_freed\":");
	jt_int(sb, r->discarded ? 1 << r->order : 0);
	jt_raw(sb, "}");
}

/* --- kmalloc, kzalloc, krealloc -------------------------------------------------- */

/* Where the object is: its region, its frame's zone, and (for kmalloc's
 * own choice of cache) why that cache. */
static void where_json(const struct machine *m, json_t *o,
		       const struct slab_alloc_result *r, bool why)
{
	json_object_set_new(o, "region", r->zero_size ? json_null()
			    : api_region_json(m, r->addr));
	json_object_set_new(o, "zone", r->zero_size || r->zone < 0
			    ? json_null() : json_string(zone_name(r->zone)));
	if (why)
		json_object_set_new(o, "why", api_kmalloc_why(m, r));
}

/*
 * The answer of an allocation that ran: the object, or, out of memory,
 * a 422 out-of-memory (one convention, docs/daemon.md "Refusals") whose
 * problem carries the story: alloc_json's members, in *result, which
 * api_op_story hands to the caller.
 */
static int alloc_answer(const char *op, const struct machine *m,
			const struct slab_alloc_result *r, bool cache_why,
			json_t **result, struct mm_error *err)
{
	*result = alloc_json(r);
	if (r->ok) {
		where_json(m, *result, r, cache_why);
		return MM_OK;
	}
	return oom(op, r, err);
}

typedef int (*kmalloc_fn)(struct machine *m, uint64_t size, gfp_t gfp,
			  unsigned cpu, struct slab_alloc_result *res,
			  struct mm_error *err);

/* The op's arguments checked and its allocation made, into *r. */
static int kmalloc_run(const char *op, kmalloc_fn fn, struct machine *m,
		       const json_t *args, struct slab_alloc_result *r,
		       struct mm_error *err)
{
	uint64_t size;
	unsigned cpu;
	gfp_t gfp;
	int rc;

	if ((rc = arg_size(op, args, &size, err)) ||
	    (rc = api_arg_gfp(op, args, &gfp, err)) ||
	    (rc = api_arg_cpu(op, m, args, &cpu, err)))
		return rc;
	return fn(m, size, gfp, cpu, r, err);
}

static int do_kmalloc(const char *op, kmalloc_fn fn, struct machine *m,
		      const json_t *args, json_t **result,
		      struct mm_error *err)
{
	/* the result carries the allocator's story: off the stack */
	struct slab_alloc_result *r = xmalloc(sizeof(*r));
	int rc;

	if ((rc = kmalloc_run(op, fn, m, args, r, err)) == MM_OK)
		rc = alloc_answer(op, m, r, true, result, err);
	free(r);
	return rc;
}

static int op_kmalloc(struct machine *m, const json_t *args,
		      json_t **result, struct mm_error *err)
{
	return do_kmalloc("kmalloc", kmalloc, m, args, result, err);
}

int api_write_kmalloc(struct machine *m, const json_t *args,
		      struct strbuf *out, struct mm_error *err)
{
	struct slab_alloc_result *r = xmalloc(sizeof(*r));
	int rc;

	/* out of memory: the story as text, and the refusal
	 * (api_op_write_story) */
	if ((rc = kmalloc_run("kmalloc", kmalloc, m, args, r, err)) == MM_OK) {
		alloc_write(out, m, r);
		if (!r->ok)
			rc = oom("kmalloc", r, err);
	}
	free(r);
	return rc;
}

static int op_kzalloc(struct machine *m, const json_t *args,
		      json_t **result, struct mm_error *err)
{
	return do_kmalloc("kzalloc", kzalloc, m, args, result, err);
}

static int op_krealloc(struct machine *m, const json_t *args,
		       json_t **result, struct mm_error *err)
{
	struct slab_alloc_result *r;
	uint64_t size;
	unsigned cpu;
	vaddr_t va;
	gfp_t gfp;
	int rc;

	if ((rc = api_arg_vaddr("krealloc", args, "addr", true, &va, err)) ||
	    (rc = arg_size("krealloc", args, &size, err)) ||
	    (rc = api_arg_gfp("krealloc", args, &gfp, err)) ||
	    (rc = api_arg_cpu("krealloc", m, args, &cpu, err)))
		return rc;
	r = xmalloc(sizeof(*r));
	if ((rc = krealloc(m, va, size, gfp, cpu, r, err)) == MM_OK) {
		/* on failure the old object stays, as krealloc's NULL
		 * leaves it: the story says which it was */
		rc = alloc_answer("krealloc", m, r, true, result, err);
		json_object_set_new(*result, "old_addr", api_hex(va));
		json_object_set_new(*result, "moved", json_boolean(r->moved));
		json_object_set_new(*result, "copied", json_integer(r->copied));
	}
	free(r);
	return rc;
}

/* --- kfree and ksize --------------------------------------------------------------- */

static int op_kfree(struct machine *m, const json_t *args, json_t **result,
		    struct mm_error *err)
{
	struct slab_free_result r;
	vaddr_t va;
	int rc;

	if ((rc = api_arg_vaddr("kfree", args, "addr", true, &va, err)) ||
	    (rc = kfree(m, va, &r, err)))
		return rc;
	*result = free_json(m, va, &r);
	return MM_OK;
}

int api_write_kfree(struct machine *m, const json_t *args,
		    struct strbuf *out, struct mm_error *err)
{
	struct slab_free_result r;
	vaddr_t va;
	int rc;

	if ((rc = api_arg_vaddr("kfree", args, "addr", true, &va, err)) ||
	    (rc = kfree(m, va, &r, err)))
		return rc;
	free_write(out, m, va, &r);
	return MM_OK;
}

static int op_ksize(struct machine *m, const json_t *args, json_t **result,
		    struct mm_error *err)
{
	struct slab_object o;
	uint32_t size;
	vaddr_t va;
	int rc;

	if ((rc = api_arg_vaddr("ksize", args, "addr", true, &va, err)) ||
	    (rc = ksize(m, va, &size, err)))
		return rc;
	*result = json_object();
	json_object_set_new(*result, "addr", api_hex(va));
	json_object_set_new(*result, "ksize", json_integer(size));
	if (!slab_object_at(m, va, &o)) {
		json_object_set_new(*result, "note", json_string(
			"NULL or ZERO_SIZE_PTR: ksize is 0"));
		return MM_OK;
	}
	json_object_set_new(*result, "cache", o.cache
			    ? json_string(o.cache->name) : json_null());
	json_object_set_new(*result, "large", json_boolean(!o.cache));
	json_object_set_new(*result, "slab", o.cache
			    ? slab_json(o.pfn, o.order,
					pfn_to_zone(&m->pgdat, o.pfn), o.index,
					o.objects, o.inuse) : json_null());
	json_object_set_new(*result, "block", o.cache ? json_null()
			    : block_json(o.pfn, o.order,
					 pfn_to_zone(&m->pgdat, o.pfn)));
	json_object_set_new(*result, "phys",
			    api_hex(layout_pa(&m->layout, va)));
	return MM_OK;
}

/* --- named caches ------------------------------------------------------------------- */

static int op_kmem_cache_create(struct machine *m, const json_t *args,
				json_t **result, struct mm_error *err)
{
	const json_t *vn = json_object_get(args, "name");
	const json_t *va = json_object_get(args, "align");
	struct kmem_cache *s;
	uint64_t size, align = 0;
	uint32_t flags;
	int rc;

	if (!json_is_string(vn))
		return bad_arg(err, "name", "%s needs name, a string such as "
			       "\"my_cache\"", "kmem_cache_create");
	if ((rc = arg_size("kmem_cache_create", args, &size, err)))
		return rc;
	if (va && api_get_u64(va, &align))
		return bad_arg(err, "align", "%s: align must be a number (0, "
			       "or a power of two)", "kmem_cache_create");
	if ((rc = arg_slab_flags(args, &flags, err)) ||
	    (rc = kmem_cache_create(m, json_string_value(vn), size, align,
				    flags, &s, err)))
		return rc;
	*result = api_slab_cache_json(s, false);
	json_object_set_new(*result, "ok", json_true());
	return MM_OK;
}

static int op_kmem_cache_alloc(struct machine *m, const json_t *args,
			       json_t **result, struct mm_error *err)
{
	struct slab_alloc_result *r;
	struct kmem_cache *s;
	unsigned cpu;
	gfp_t gfp;
	int rc;

	if ((rc = arg_cache("kmem_cache_alloc", m, args, &s, err)) ||
	    (rc = api_arg_gfp("kmem_cache_alloc", args, &gfp, err)) ||
	    (rc = api_arg_cpu("kmem_cache_alloc", m, args, &cpu, err)))
		return rc;
	r = xmalloc(sizeof(*r));
	if ((rc = kmem_cache_alloc(m, s, gfp, cpu, r, err)) == MM_OK)
		rc = alloc_answer("kmem_cache_alloc", m, r, false, result,
				  err);
	free(r);
	return rc;
}

static int op_kmem_cache_free(struct machine *m, const json_t *args,
			      json_t **result, struct mm_error *err)
{
	struct slab_free_result r;
	struct kmem_cache *s;
	vaddr_t va;
	int rc;

	if ((rc = arg_cache("kmem_cache_free", m, args, &s, err)) ||
	    (rc = api_arg_vaddr("kmem_cache_free", args, "addr", true, &va,
				      err)) ||
	    (rc = kmem_cache_free(m, s, va, &r, err)))
		return rc;
	*result = free_json(m, va, &r);
	return MM_OK;
}

static int op_kmem_cache_destroy(struct machine *m, const json_t *args,
				 json_t **result, struct mm_error *err)
{
	struct kmem_cache *s;
	char name[SLAB_NAME_MAX];
	uint32_t pages;
	int rc;

	if ((rc = arg_cache("kmem_cache_destroy", m, args, &s, err)))
		return rc;
	snprintf(name, sizeof(name), "%s", s->name);
	if ((rc = kmem_cache_destroy(m, s, &pages, err)))
		return rc;
	*result = json_pack("{s:b, s:s, s:i}", "ok", 1, "cache", name,
			    "pages_freed", (int)pages);
	return MM_OK;
}

/* --- the table -------------------------------------------------------------------- */

static const char *const kmalloc_args[] = { "size", "gfp", "cpu", NULL };
static const char *const krealloc_args[] = { "addr", "size", "gfp", "cpu",
					     NULL };
static const char *const addr_args[] = { "addr", NULL };
static const char *const create_args[] = { "name", "size", "align", "flags",
					   NULL };
static const char *const cache_alloc_args[] = { "cache", "gfp", "cpu", NULL };
static const char *const cache_free_args[] = { "cache", "addr", NULL };
static const char *const cache_args[] = { "cache", NULL };

const struct api_op_def api_ops_slab[] = {
	{ "kmalloc", true, kmalloc_args, op_kmalloc },
	{ "kzalloc", true, kmalloc_args, op_kzalloc },
	{ "krealloc", true, krealloc_args, op_krealloc },
	{ "kfree", true, addr_args, op_kfree },
	{ "ksize", false, addr_args, op_ksize },
	{ "kmem_cache_create", true, create_args, op_kmem_cache_create },
	{ "kmem_cache_alloc", true, cache_alloc_args, op_kmem_cache_alloc },
	{ "kmem_cache_free", true, cache_free_args, op_kmem_cache_free },
	{ "kmem_cache_destroy", true, cache_args, op_kmem_cache_destroy },
	{ NULL, false, NULL, NULL },
};

/*
 * ops.c - the operations on a machine: JSON arguments in, the model's
 * answer as JSON out.
 *
 * Argument checking happens here, before the model runs, so a refused
 * argument never changes the machine and always names the argument at
 * fault.  The model may still refuse half way (out of memory after
 * taking pages); api_op() then tells from machine_changes() whether
 * anything moved, and says so in err->changed.
 */
#include "api.h"
#include "api_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_hash.h"
#include "page_alloc.h"

/* a macro, so the compiler still checks each format against its op */
#define bad_arg(err, field, fmt, op) \
	mm_fail(err, MM_EINVAL, "bad-argument", field, fmt, op)

/* --- arguments --------------------------------------------------------------- */

static int arg_order(const char *op, const json_t *args, unsigned *order,
		     struct mm_error *err)
{
	const json_t *v = json_object_get(args, "order");
	uint64_t o;

	*order = 0;
	if (!v)
		return MM_OK;
	if (api_get_u64(v, &o) || o >= MAX_ORDER)
		return bad_arg(err, "order", "%s: order must be an integer "
			       "from 0 to 10 (a block of 1 to 1024 pages)", op);
	*order = (unsigned)o;
	return MM_OK;
}

/* --- alloc_pages ---------------------------------------------------------------- */

static const char *wmark_name(int w)
{
	static const char *const names[NR_WMARK] = { "min", "low", "high",
						     "promo" };

	return w >= 0 && w < NR_WMARK ? names[w] : "?";
}

static json_t *attempts_json(const struct page_alloc_result *r)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < r->nr_attempts && i < 2 * MAX_NR_ZONES; i++) {
		const struct alloc_attempt *t = &r->attempts[i];
		json_t *o = json_object();

		json_object_set_new(o, "zone", json_string(zone_name(t->zone)));
		json_object_set_new(o, "pass", json_string(t->pass ? "slow" : "fast"));
		json_object_set_new(o, "watermark", json_string(wmark_name(t->wmark)));
		json_object_set_new(o, "free", json_integer(t->free_pages));
		json_object_set_new(o, "mark", json_integer(t->mark));
		json_object_set_new(o, "reserve", json_integer(t->reserve));
		json_object_set_new(o, "ok", json_boolean(t->ok));
		json_object_set_new(o, "why", api_string_lossy(t->why));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *alloc_ok_json(const struct machine *m, gfp_t gfp,
			     const struct page_alloc_result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "pfn", api_hex(r->pfn));
	json_object_set_new(o, "phys", api_hex(PFN_PHYS(r->pfn)));
	json_object_set_new(o, "order", json_integer(r->order));
	json_object_set_new(o, "pages", json_integer(1 << r->order));
	json_object_set_new(o, "gfp", api_gfp_json(gfp));
	json_object_set_new(o, "zone", json_string(zone_name(r->zone)));
	json_object_set_new(o, "migratetype",
			    json_string(migratetype_name(r->migratetype)));
	json_object_set_new(o, "stolen_from", r->stolen_from < 0 ? json_null()
			    : json_string(migratetype_name(r->stolen_from)));
	json_object_set_new(o, "pcp", api_pcp_json(&r->pcp));
	api_set_virt(m, o, r->pfn);
	json_object_set_new(o, "attempts", attempts_json(r));
	json_object_set_new(o, "why", api_zone_why(m, gfp, r));
	json_object_set_new(o, "why_virt", api_virt_why(m, r->pfn));
	api_set_mappings(m, o, r->pfn);
	return o;
}

/* The members of the out-of-memory problem beside its type and detail:
 * the story of every zone the allocator tried. */
static json_t *alloc_fail_json(unsigned order, gfp_t gfp,
			       const struct page_alloc_result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "order", json_integer(order));
	json_object_set_new(o, "gfp", api_gfp_json(gfp));
	json_object_set_new(o, "reason", api_string_lossy(r->reason));
	json_object_set_new(o, "attempts", attempts_json(r));
	return o;
}

static int op_alloc_pages(struct machine *m, const json_t *args,
			  json_t **result, struct mm_error *err)
{
	struct page_alloc_result *r;
	unsigned order;
	gfp_t gfp;
	int rc;

	if ((rc = arg_order("alloc_pages", args, &order, err)) ||
	    (rc = api_arg_gfp("alloc_pages", args, &gfp, err)))
		return rc;
	/* the result carries the allocator's story: keep it off a server
	 * thread's stack */
	r = xcalloc(1, sizeof(*r));
	rc = alloc_pages(&m->pgdat, gfp, order, OWNER_NONE, 0, r, err);
	if (rc == MM_OK && r->ok)
		*result = alloc_ok_json(m, gfp, r);
	else if (rc == MM_OK) {
		/* out of memory is the model's result, and the API's
		 * refusal (one convention, docs/daemon.md "Refusals"): a
		 * 422 whose problem carries the story */
		*result = alloc_fail_json(order, gfp, r);
		rc = mm_fail(err, MM_EIMPOSSIBLE, "out-of-memory", "",
			     "alloc_pages: %s", r->reason);
	}
	free(r);
	return rc;
}

/* --- free_pages and frame --------------------------------------------------- */

/* The slab allocator's pages are kfree's and the slab's to give back: a
 * free_pages under it would leave it with objects on a free frame. */
/*
 * free_pages frees what alloc_pages gave out.  A block that another
 * allocator owns (slab pages, vmalloc frames, page tables, boot-time kernel
 * data) goes back through that allocator, or the kernel would be left
 * using freed memory.
 */
static int check_owner(const struct machine *m, pfn_t pfn,
		       struct mm_error *err)
{
	static const char *const how[NR_OWNERS] = {
		[OWNER_KERNEL] = "the kernel's own",
		[OWNER_PGTABLE] = "a page table; it is not freed by hand",
		[OWNER_SLAB] = "the slab allocator's; kfree or kmem_cache_free "
			       "its objects instead",
		[OWNER_VMALLOC] = "a vmalloc area's; vfree the area instead",
		[OWNER_USER] = "a process's page",
		[OWNER_PKMAP] = "a pkmap page table",
		[OWNER_SHMEM] = "a page of a file the initramfs unpacked "
				"into rootfs (shmem)",
		[OWNER_KSTACK] = "a kernel thread's stack",
	};
	struct frame_info fi;

	page_frame_info(&m->pgdat, pfn, &fi);
	if (fi.state != FRAME_ALLOCATED || fi.owner == OWNER_NONE)
		return MM_OK;
	return mm_fail(err, MM_ESTATE, fi.owner == OWNER_SLAB ? "slab-page" :
		       "not-alloc-pages", "pfn", "free_pages: pfn 0x%x is not "
		       "from alloc_pages: it is %s", pfn,
		       how[fi.owner] ? how[fi.owner] : "owned elsewhere");
}

static int op_free_pages(struct machine *m, const json_t *args,
			 json_t **result, struct mm_error *err)
{
	struct pcp_event ev;
	unsigned order;
	pfn_t pfn;
	int rc;

	if ((rc = api_arg_frame("free_pages", args, true, &pfn, err)) ||
	    (rc = arg_order("free_pages", args, &order, err)))
		return rc;
	/* the block must lie in the physical space before it becomes
	 * frames (a head near the top and a large order would pass it) */
	if (!range_fits(pfn, 1ull << order, PHYS_LIMIT >> PAGE_SHIFT))
		return bad_arg(err, json_object_get(args, "phys") ? "phys" :
			       "pfn", "%s: the block of 2^order pages from "
			       "there passes the end of the 36-bit physical "
			       "space", "free_pages");
	if ((rc = check_owner(m, pfn, err)))
		return rc;
	if ((rc = free_pages_ev(&m->pgdat, pfn, order, &ev, err))) {
		/* the model speaks of pfns; name the argument actually given */
		if (err && !strcmp(err->field, "pfn") &&
		    json_object_get(args, "phys"))
			snprintf(err->field, sizeof(err->field), "phys");
		return rc;
	}
	*result = json_pack("{s:b, s:o, s:o, s:i, s:o, s:o}", "ok", 1,
			    "pfn", api_hex(pfn), "phys", api_hex(PFN_PHYS(pfn)),
			    "order", (int)order, "pcp", api_pcp_json(&ev),
			    "why", api_free_why(order, &ev));
	return MM_OK;
}

static json_t *frame_json(const struct machine *m, pfn_t pfn,
			  const struct frame_info *fi)
{
	bool allocated = fi->state == FRAME_ALLOCATED;
	bool in_zone = fi->zone >= 0 && fi->zone < MAX_NR_ZONES;
	json_t *o = json_object();

	json_object_set_new(o, "pfn", api_hex(pfn));
	json_object_set_new(o, "phys", api_hex(PFN_PHYS(pfn)));
	json_object_set_new(o, "state",
			    json_string(api_frame_state_name(fi->state)));
	json_object_set_new(o, "zone", in_zone ? json_string(zone_name(fi->zone))
					       : json_null());
	json_object_set_new(o, "head", api_hex(fi->head));
	json_object_set_new(o, "order", json_integer(fi->order));
	json_object_set_new(o, "migratetype", in_zone
			    ? json_string(migratetype_name(fi->migratetype))
			    : json_null());
	/* a free page may wait on a CPU's per-CPU list, not the buddy's */
	json_object_set_new(o, "pcp_cpu", fi->pcp_cpu >= 0
			    ? json_integer(fi->pcp_cpu) : json_null());
	/* owner and gfp only mean something for an allocated block */
	json_object_set_new(o, "owner", allocated
			    ? json_string(api_owner_name(fi->owner))
			    : json_null());
	json_object_set_new(o, "owner_id", allocated
			    ? json_integer(fi->owner_id) : json_null());
	if (allocated && fi->owner == OWNER_KERNEL &&
	    boot_alloc_name(fi->owner_id))
		json_object_set_new(o, "what", json_string(
				    boot_alloc_name(fi->owner_id)));
	json_object_set_new(o, "gfp", allocated ? api_gfp_json(fi->gfp)
					       : json_null());
	/* page_address(): a kmapped HighMem frame has its pkmap address */
	api_set_virt(m, o, pfn);
	json_object_set_new(o, "why_virt", api_virt_why(m, pfn));
	api_set_mappings(m, o, pfn);
	return o;
}

static int op_frame(struct machine *m, const json_t *args, json_t **result,
		    struct mm_error *err)
{
	struct frame_info fi;
	pfn_t pfn;
	int rc;

	/* a question, not a free: any address inside the frame will do */
	if ((rc = api_arg_frame("frame", args, false, &pfn, err)))
		return rc;
	page_frame_info(&m->pgdat, pfn, &fi);
	*result = frame_json(m, pfn, &fi);
	return MM_OK;
}

/* --- the table ------------------------------------------------------------------- */

static const char *const alloc_args[] = { "order", "gfp", NULL };
static const char *const free_args[] = { "pfn", "phys", "order", NULL };
static const char *const frame_args[] = { "pfn", "phys", NULL };

const struct api_op_def api_ops_pages[] = {
	{ "alloc_pages", true, alloc_args, op_alloc_pages },
	{ "free_pages", true, free_args, op_free_pages },
	{ "frame", false, frame_args, op_frame },
	{ NULL, false, NULL, NULL },
};

/* Every family of operations; each table ends with a NULL name. */
static const struct api_op_def *const op_tables[] = {
	api_ops_pages, api_ops_frames, api_ops_kvm, api_ops_vmalloc,
	api_ops_highmem, api_ops_slab, api_ops_proc,
};

/*
 * One request looks its operation up five times or so (the route, the
 * budget, whether it mutates, api_op), each a scan of every name: the
 * thread's last find is tried first.  Per thread, as requests run on
 * several; it points into the constant tables, so it is never stale.
 */
static const struct api_op_def *find_op(const char *op)
{
	static _Thread_local const struct api_op_def *last;

	if (!op)
		return NULL;
	if (last && !strcmp(last->name, op))
		return last;
	for (size_t t = 0; t < ARRAY_SIZE(op_tables); t++)
		for (const struct api_op_def *d = op_tables[t]; d->name; d++)
			if (!strcmp(d->name, op))
				return last = d;
	return NULL;
}

const char *api_op_name(size_t i)
{
	for (size_t t = 0; t < ARRAY_SIZE(op_tables); t++)
		for (const struct api_op_def *d = op_tables[t]; d->name; d++)
			if (i-- == 0)
				return d->name;
	return NULL;
}

bool api_op_known(const char *op)
{
	return find_op(op) != NULL;
}

const char *const *api_op_args(const char *op)
{
	const struct api_op_def *d = find_op(op);

	return d ? d->args : NULL;
}

bool api_op_mutates(const char *op)
{
	const struct api_op_def *d = find_op(op);

	return d && d->mutates;
}

static void join_op_names(char *buf, size_t len)
{
	const char *names[64];
	size_t n = 0;

	while (n + 1 < ARRAY_SIZE(names) && (names[n] = api_op_name(n)))
		n++;
	names[n] = NULL;
	api_join_names(names, buf, len);
}

/*
 * The operations whose answer api_op_write writes as text without a
 * json_t: the ones a class sends over and over, whose building, dumping
 * and freeing as JSON trees cost more than the model's own work.
 */
static const struct {
	const char *name;
	api_write_fn write;
} writers[] = {
	{ "translate", api_write_translate },
	{ "kmalloc", api_write_kmalloc },
	{ "kfree", api_write_kfree },
};

static api_write_fn find_writer(const char *op)
{
	for (size_t i = 0; op && i < ARRAY_SIZE(writers); i++)
		if (!strcmp(writers[i].name, op))
			return writers[i].write;
	return NULL;
}

bool api_op_writes(const char *op)
{
	return find_writer(op) != NULL;
}

/* What api_op and api_op_write share: the checks before the operation
 * runs, and the note of a refusal that moved state.  With write, the
 * answer goes to *text as compact JSON, else to *result. */
static int op_call(struct machine *m, const char *op, const json_t *args,
		   json_t **result, api_write_fn write, struct strbuf *text,
		   struct mm_error *err)
{
	json_t *empty = NULL;
	char names[1024], what[48];
	const struct api_op_def *d = find_op(op);
	uint64_t before;
	int rc;

	if (!d) {
		join_op_names(names, sizeof(names));
		return mm_fail(err, MM_ENOTFOUND, "unknown-operation", "op",
			       "there is no operation '%.64s'; the operations "
			       "are %s", op ? op : "", names);
	}
	if (args && !json_is_object(args))
		return bad_arg(err, "", "the arguments of %s must be a JSON "
			       "object", d->name);
	/* the detail's words only for a refusal: every operation passes
	 * here, and printf was a visible part of a kmalloc's cost */
	if (args && !api_keys_known(args, d->args)) {
		snprintf(what, sizeof(what), "the arguments of %s", d->name);
		return api_check_keys(args, d->args, "bad-argument", what, "",
				      err);
	}
	/* no arguments at all means every default */
	if (!args)
		args = empty = json_object();
	before = machine_changes(m);
	rc = write ? write(m, args, text, err) : d->run(m, args, result, err);
	/* "0100" is refused by api_get_u64 like any bad number; here, in
	 * one place for every op, the detail says it was the zero */
	if (rc == MM_EINVAL && err) {
		snprintf(what, sizeof(what), "%s: ", d->name);
		api_explain_leading_zero(args, what, err);
	}
	json_decref(empty);
	/* a refusal that moved state says so, for the journal: the model's
	 * primitives count every change, so no refusal site is trusted to
	 * remember it */
	if (err)
		err->changed = rc != MM_OK && machine_changes(m) != before;
	return rc;
}

int api_op(struct machine *m, const char *op, const json_t *args,
	   json_t **result, struct mm_error *err)
{
	json_t *story = NULL;
	int rc = api_op_story(m, op, args, result, &story, err);

	json_decref(story);
	return rc;
}

int api_op_story(struct machine *m, const char *op, const json_t *args,
		 json_t **result, json_t **story, struct mm_error *err)
{
	int rc;

	*result = *story = NULL;
	rc = op_call(m, op, args, result, NULL, NULL, err);
	/* a refusal's *result, if the op left one, is its story */
	if (rc != MM_OK) {
		*story = *result;
		*result = NULL;
	}
	return rc;
}

/* json_dump_callback's sink: the strbuf, which aborts when out of
 * memory as it does for every report. */
static int put_text(const char *s, size_t n, void *data)
{
	sb_putn(data, s, n);
	return 0;
}

int api_op_write(struct machine *m, const char *op, const json_t *args,
		 struct strbuf *text, struct mm_error *err)
{
	api_write_fn write = find_writer(op);
	json_t *result = NULL;
	int rc;

	if (write) {
		sb_reserve(text, 1024);	/* every usual answer, at once */
		return op_call(m, op, args, NULL, write, text, err);
	}
	/* no writer: the same text by way of jansson, into the buffer (a
	 * refusal's story too, as a writer leaves it) */
	rc = op_call(m, op, args, &result, NULL, NULL, err);
	if (result)
		json_dump_callback(result, put_text, text, JSON_COMPACT);
	json_decref(result);
	return rc;
}

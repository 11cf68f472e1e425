/*
 * ops_vmalloc.c - the vmalloc-area operations (model/vmalloc.h has the
 * rules):
 *
 *   vmalloc {size}, vzalloc {size}
 *        -> {addr, size, guard, area: {start, end, size}, caller, flags,
 *            gfp, pages: [{va, pfn, phys, zone}], pages_array,
 *            new_page_tables}
 *   vmap {pfns: [..]}   -> the same without gfp and pages_array
 *   ioremap {phys, size} -> the same with phys, offset and prot; pages
 *                          lists each page and its (device) address
 *   vfree {addr}, vunmap {addr}, iounmap {addr}
 *        -> {addr, area: {start, end, size}, pages}
 *
 * Addresses are "0x%08x" strings; arguments may be numbers or strings
 * ("0x1000", "4K").  "size" is the page-aligned size without the guard
 * page; "area" is what /proc/vmallocinfo prints (guard included).
 */
#include "api.h"
#include "api_util.h"

#include <stdlib.h>
#include <string.h>

#include "page_alloc.h"
#include "pgtable.h"
#include "slab.h"
#include "vmalloc.h"

#define PFN_LIMIT (PHYS_LIMIT >> PAGE_SHIFT)
/* a vmap of more than 4 GiB of pages cannot fit any window */
#define VMAP_MAX_PFNS (1u << 20)

#define bad_arg(err, field, fmt, op) \
	mm_fail(err, MM_EINVAL, "bad-argument", field, fmt, op)

/* --- arguments --------------------------------------------------------------- */

static int arg_u64(const char *op, const json_t *args, const char *name,
		   const char *example, uint64_t *out, struct mm_error *err)
{
	const json_t *v = json_object_get(args, name);

	if (!v || api_get_u64(v, out))
		return mm_fail(err, MM_EINVAL, "bad-argument", name,
			       "%s needs %s, a number or a string such as "
			       "\"%s\"", op, name, example);
	return MM_OK;
}

/* "pfns": a non-empty array of frame numbers. */
static int arg_pfns(const json_t *args, pfn_t **pfns, uint32_t *count,
		    struct mm_error *err)
{
	const json_t *a = json_object_get(args, "pfns");
	size_t n = json_array_size(a);

	if (!json_is_array(a) || n == 0)
		return bad_arg(err, "pfns", "%s needs pfns, a non-empty array "
			       "of frame numbers such as [\"0x1000\", 4097]",
			       "vmap");
	if (n > VMAP_MAX_PFNS)
		return bad_arg(err, "pfns", "%s: at most 1048576 pfns (4 GiB "
			       "of pages)", "vmap");
	*pfns = xmalloc(n * sizeof(**pfns));
	for (size_t i = 0; i < n; i++) {
		uint64_t v;

		if (api_get_u64(json_array_get(a, i), &v) || v >= PFN_LIMIT) {
			free(*pfns);
			*pfns = NULL;
			return mm_fail(err, MM_EINVAL, "bad-argument", "pfns",
				       "vmap: pfns[%zu] must be a frame number "
				       "below 0x1000000 (36-bit physical "
				       "addresses)", i);
		}
		(*pfns)[i] = (pfn_t)v;
	}
	*count = (uint32_t)n;
	return MM_OK;
}

/* --- results ------------------------------------------------------------------- */

static json_t *area_json(const struct vm_area *a)
{
	return json_pack("{s:o, s:o, s:I}", "start", api_hex(a->start),
			 "end", api_hex((uint64_t)a->start + a->size),
			 "size", (json_int_t)a->size);
}

static json_t *zone_of(const struct machine *m, pfn_t pfn)
{
	int z = pfn_to_zone(&m->pgdat, pfn);

	return z < 0 ? json_null() : json_string(zone_name(z));
}

static json_t *page_json(const struct machine *m, vaddr_t va, pfn_t pfn)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "va", api_hex(va),
			 "pfn", api_hex(pfn), "phys", api_hex(PFN_PHYS(pfn)),
			 "zone", zone_of(m, pfn));
}

static json_t *flags_json(const struct vm_area *a)
{
	const char *words[5];
	json_t *f = json_array();

	vm_area_flag_words(a, words);
	for (unsigned k = 0; words[k]; k++)
		json_array_append_new(f, json_string(words[k]));
	return f;
}

/* What every allocation answers. */
static json_t *alloc_json(const struct machine *m, const struct vm_result *r)
{
	const struct vm_area *a = vm_area_by_id(&m->vmalloc, r->id);
	uint32_t usable = a->size - PAGE_SIZE;
	json_t *o = json_object(), *pages = json_array();

	for (uint32_t i = 0; i < usable / PAGE_SIZE; i++) {
		pfn_t pfn = a->pages ? a->pages[i]
				     : PFN_DOWN(a->phys_addr) + i;

		json_array_append_new(pages, page_json(m, a->start +
						       i * PAGE_SIZE, pfn));
	}
	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "addr", api_hex(r->addr));
	json_object_set_new(o, "region", api_region_json(m, r->addr));
	json_object_set_new(o, "size", json_integer(usable));
	json_object_set_new(o, "guard", api_hex(a->start + usable));
	json_object_set_new(o, "area", area_json(a));
	json_object_set_new(o, "caller", json_string(a->caller));
	json_object_set_new(o, "flags", flags_json(a));
	json_object_set_new(o, "pages", pages);
	json_object_set_new(o, "new_page_tables",
			    json_integer(r->new_page_tables));
	return o;
}

/* --- vmalloc, vzalloc and vfree -------------------------------------------------- */

static int do_vmalloc(const char *op, bool zero, struct machine *m,
		      const json_t *args, json_t **result,
		      struct mm_error *err)
{
	const struct vm_area *a, *nested;
	struct vm_result r;
	json_t *arr;
	uint64_t size;
	int rc;

	if ((rc = arg_u64(op, args, "size", "64K", &size, err)))
		return rc;
	if ((rc = zero ? vzalloc(m, size, &r, err) : vmalloc(m, size, &r, err)))
		return rc;
	*result = alloc_json(m, &r);
	a = vm_area_by_id(&m->vmalloc, r.id);
	json_object_set_new(*result, "gfp", api_gfp_json(GFP_KERNEL |
			    __GFP_HIGHMEM | __GFP_NOWARN |
			    (zero ? __GFP_ZERO : 0)));
	/* where the struct page pointer array lives */
	nested = a->vpages_id ? vm_area_by_id(&m->vmalloc, a->vpages_id) : NULL;
	arr = json_object();
	json_object_set_new(arr, "bytes", json_integer((json_int_t)a->nr_pages * 4));
	json_object_set_new(arr, "in", json_string(nested ? "vmalloc"
							  : "kmalloc"));
	json_object_set_new(arr, "area", nested ? area_json(nested)
						: json_null());
	json_object_set_new(arr, "addr", nested ? json_null()
			    : api_hex(a->pages_kmalloc));
	{
		struct slab_object o;

		json_object_set_new(arr, "cache", !nested &&
				    slab_object_at(m, a->pages_kmalloc, &o) &&
				    o.cache ? json_string(o.cache->name)
				    : json_null());
	}
	json_object_set_new(*result, "pages_array", arr);
	json_object_set_new(*result, "why", api_vmalloc_why(m, a->pages,
							    a->nr_pages));
	return MM_OK;
}

static int op_vmalloc(struct machine *m, const json_t *args,
		      json_t **result, struct mm_error *err)
{
	return do_vmalloc("vmalloc", false, m, args, result, err);
}

static int op_vzalloc(struct machine *m, const json_t *args,
		      json_t **result, struct mm_error *err)
{
	return do_vmalloc("vzalloc", true, m, args, result, err);
}

typedef int (*unmap_fn)(struct machine *m, vaddr_t addr,
			struct mm_error *err);

/* vfree, vunmap, iounmap: the area as it was, then gone. */
static int do_unmap(const char *op, unmap_fn fn, struct machine *m,
		    const json_t *args, json_t **result, struct mm_error *err)
{
	const struct vm_area *a;
	json_t *area = NULL;
	uint32_t pages = 0;
	vaddr_t va = 0;
	int rc;

	if ((rc = api_arg_vaddr(op, args, "addr", true, &va, err)))
		return rc;
	a = vm_area_containing(&m->vmalloc, va);
	if (a) {
		area = area_json(a);
		pages = (a->size - PAGE_SIZE) / PAGE_SIZE;
	}
	if ((rc = fn(m, va, err))) {
		json_decref(area);
		return rc;
	}
	*result = json_object();
	json_object_set_new(*result, "ok", json_true());
	json_object_set_new(*result, "addr", api_hex(va));
	if (!va) {
		json_decref(area);
		json_object_set_new(*result, "note", json_string(
			"a NULL address: the kernel does nothing"));
		return MM_OK;
	}
	json_object_set_new(*result, "area", area);
	json_object_set_new(*result, "pages", json_integer(pages));
	return MM_OK;
}

static int op_vfree(struct machine *m, const json_t *args, json_t **result,
		    struct mm_error *err)
{
	return do_unmap("vfree", vfree, m, args, result, err);
}

static int op_vunmap(struct machine *m, const json_t *args, json_t **result,
		     struct mm_error *err)
{
	return do_unmap("vunmap", vunmap, m, args, result, err);
}

static int op_iounmap(struct machine *m, const json_t *args,
		      json_t **result, struct mm_error *err)
{
	return do_unmap("iounmap", iounmap, m, args, result, err);
}

/* --- vmap and ioremap ------------------------------------------------------------ */

static int op_vmap(struct machine *m, const json_t *args, json_t **result,
		   struct mm_error *err)
{
	struct vm_result r;
	pfn_t *pfns = NULL;
	uint32_t count = 0;
	int rc;

	if ((rc = arg_pfns(args, &pfns, &count, err)))
		return rc;
	rc = vmap(m, pfns, count, &r, err);
	free(pfns);
	if (rc)
		return rc;
	*result = alloc_json(m, &r);
	return MM_OK;
}

static int op_ioremap(struct machine *m, const json_t *args,
		      json_t **result, struct mm_error *err)
{
	const struct vm_area *a;
	struct vm_result r;
	uint64_t phys, size;
	int rc;

	if ((rc = arg_u64("ioremap", args, "phys", "0xfed00000", &phys,
			  err)) ||
	    (rc = arg_u64("ioremap", args, "size", "0x400", &size, err)))
		return rc;
	if ((rc = ioremap(m, phys, size, &r, err)))
		return rc;
	*result = alloc_json(m, &r);
	a = vm_area_by_id(&m->vmalloc, r.id);
	json_object_set_new(*result, "phys", api_hex(phys));
	json_object_set_new(*result, "offset", json_integer(phys & (PAGE_SIZE - 1)));
	json_object_set_new(*result, "area_phys", api_hex(a->phys_addr));
	json_object_set_new(*result, "prot", json_string("PAGE_KERNEL_NOCACHE"));
	return MM_OK;
}

/* --- the table ------------------------------------------------------------------- */

static const char *const size_args[] = { "size", NULL };
static const char *const addr_args[] = { "addr", NULL };
static const char *const vmap_args[] = { "pfns", NULL };
static const char *const ioremap_args[] = { "phys", "size", NULL };

const struct api_op_def api_ops_vmalloc[] = {
	{ "vmalloc", true, size_args, op_vmalloc },
	{ "vzalloc", true, size_args, op_vzalloc },
	{ "vfree", true, addr_args, op_vfree },
	{ "vmap", true, vmap_args, op_vmap },
	{ "vunmap", true, addr_args, op_vunmap },
	{ "ioremap", true, ioremap_args, op_ioremap },
	{ "iounmap", true, addr_args, op_iounmap },
	{ NULL, false, NULL, NULL },
};

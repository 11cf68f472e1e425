/*
 * test_pcp.c - the per-CPU page lists on booted machines
 * (model/page_alloc_pcp.c): what /proc shows of them (zoneinfo's count,
 * MemFree and buddyinfo leaving them out), and what the API says about a
 * page that comes from or goes to one.
 *
 * A fresh 2 GiB two-level machine, one CPU.  Normal's pageset: batch 63
 * (zone_batchsize: 1 MiB worth of pages at most, as 2^n - 1) and high the
 * low watermark (zoneinfo's "low", one CPU).  Boot leaves 298 pages on CPU
 * 0's Normal lists: 62 on the order-0 Unmovable list, the rest of the
 * batch of 63 the refill for kernel_pagetable_late()'s page table (at
 * 0x2000) took, 0x2001-0x203e in address order; and 236 on the order-0
 * Movable list, the init memory freed page by page after the pagesets were
 * set up (32 KiB of SMP alternatives, 912 KiB of initmem: 8 + 228 pages),
 * the last freed at the head.  HighMem's and DMA's lists are empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "machine.h"
#include "page_alloc.h"
#include "procfs.h"
#include "helpers.h"

static struct machine *boot_cpus(unsigned cpus)
{
	struct machine_config c;

	machine_config_default(&c);
	c.boot = BOOT_BARE;	/* the lists as the memory set-up leaves them */
	c.cpus = cpus;
	return must_boot(&c);
}

typedef void (*text_fn)(const struct machine *m, struct strbuf *out);

static char *text(const struct machine *m, text_fn fn)
{
	struct strbuf sb = STRBUF_INIT;

	fn(m, &sb);
	return sb_detach(&sb);
}

static long long meminfo_kb(const struct machine *m, const char *key)
{
	char *t = text(m, proc_meminfo), *p = strstr(t, key);
	long long v;

	assert_non_null(p);
	v = strtoll(p + strlen(key), NULL, 10);
	free(t);
	return v;
}

/* Pages on one CPU's lists of zone j, counted by walking them. */
static uint32_t walk_count(const struct machine *m, int j, unsigned cpu)
{
	const struct per_cpu_pages *pcp = &m->pgdat.node_zones[j].pcp[cpu];
	uint32_t n = 0;

	for (unsigned i = 0; i < NR_PCP_LISTS; i++)
		for (pfn_t p = pcp->head[i]; p != PFN_NONE;) {
			const struct pfn_rec *r =
				pfnmap_get(&m->pgdat.pcp_pages, p);

			n += 1u << r->order;
			p = r->next;
		}
	return n;
}

/* zoneinfo's pageset block of zone j for one CPU, as 6.1 prints it. */
static void assert_pageset(const struct machine *m, int j, unsigned cpu,
			   uint32_t count)
{
	const struct zone *z = &m->pgdat.node_zones[j];
	char *t = text(m, proc_zoneinfo), want[160], head[64];
	const char *at;

	snprintf(head, sizeof(head), "zone %8s", zone_name(j));
	at = strstr(t, head);
	assert_non_null(at);
	snprintf(want, sizeof(want), "\n    cpu: %u\n              count: %u"
		 "\n              high:  %u\n              batch: %u\n", cpu,
		 count, z->pcp_high, z->pcp_batch);
	if (!strstr(at, want))
		fail_msg("zone %s lacks '%s'", zone_name(j), want);
	free(t);
}

static void test_zoneinfo_count(void **state)
{
	struct machine *m = boot_cpus(1);
	struct page_alloc_result r;
	struct mm_error err;

	(void)state;
	assert_int_equal(m->pgdat.node_zones[ZONE_NORMAL].pcp_batch, 63);
	assert_int_equal(m->pgdat.node_zones[ZONE_NORMAL].pcp_high,
			 m->pgdat.node_zones[ZONE_NORMAL].watermark[WMARK_LOW]);
	assert_int_equal(walk_count(m, ZONE_NORMAL, 0), 62 + 236);
	assert_pageset(m, ZONE_NORMAL, 0, 298);
	assert_pageset(m, ZONE_HIGHMEM, 0, 0);
	assert_pageset(m, ZONE_DMA, 0, 0);
	/* a GFP_KERNEL page comes off the list: 297 */
	assert_int_equal(alloc_pages(&m->pgdat, GFP_KERNEL, 0, OWNER_NONE, 0,
				     &r, &err), MM_OK);
	assert_int_equal(r.pfn, 0x2001);
	assert_pageset(m, ZONE_NORMAL, 0, 297);
	/* a GFP_HIGHUSER page refills HighMem's list: 63 - 1 */
	assert_int_equal(alloc_pages(&m->pgdat, GFP_HIGHUSER, 0, OWNER_NONE, 0,
				     &r, &err), MM_OK);
	assert_int_equal(r.zone, ZONE_HIGHMEM);
	assert_pageset(m, ZONE_HIGHMEM, 0, 62);
	assert_int_equal(walk_count(m, ZONE_HIGHMEM, 0), 62);
	machine_free(m);

	/* two CPUs: both print; the model runs everything on CPU 0 */
	m = boot_cpus(2);
	assert_pageset(m, ZONE_NORMAL, 0, 298);
	assert_pageset(m, ZONE_NORMAL, 1, 0);
	machine_free(m);
}

static void test_memfree_excludes_pcp(void **state)
{
	struct machine *m = boot_cpus(1);
	const struct zone *h = &m->pgdat.node_zones[ZONE_HIGHMEM];
	struct page_alloc_result r;
	struct mm_error err;
	long long memfree = meminfo_kb(m, "MemFree:");
	long long highfree = meminfo_kb(m, "HighFree:");
	uint32_t free0 = h->nr_free_pages;

	(void)state;
	/* MemFree is the buddy allocator's free pages: the 298 pages on
	 * Normal's lists are not in it */
	assert_int_equal(memfree, 4ll * machine_free_pages(m));
	/* one HighMem page: the refill takes a batch of 63 off the buddy
	 * lists, so MemFree drops by 63 pages, not 1 */
	assert_int_equal(alloc_pages(&m->pgdat, GFP_HIGHUSER, 0, OWNER_NONE, 0,
				     &r, &err), MM_OK);
	assert_int_equal(h->nr_free_pages, free0 - 63);
	assert_int_equal(meminfo_kb(m, "MemFree:"), memfree - 63 * 4);
	assert_int_equal(meminfo_kb(m, "HighFree:"), highfree - 63 * 4);
	/* freed, it goes to the list's head: MemFree does not move */
	assert_int_equal(free_pages(&m->pgdat, r.pfn, 0, &err), MM_OK);
	assert_int_equal(meminfo_kb(m, "MemFree:"), memfree - 63 * 4);
	/* drained, every page is the buddy's again */
	drain_all_pages(&m->pgdat);
	assert_int_equal(meminfo_kb(m, "MemFree:"), memfree + 298 * 4);
	assert_int_equal(h->nr_free_pages, free0);
	machine_free(m);
}

static json_t *op(struct machine *m, const char *name, const char *args)
{
	json_error_t jerr;
	json_t *a = args ? json_loads(args, 0, &jerr) : NULL, *r = NULL;
	struct mm_error err = { 0 };

	if (args && !a)
		fail_msg("bad json %s", args);
	if (api_op(m, name, a, &r, &err) != MM_OK)
		fail_msg("%s %s: %s", name, args ? args : "", err.detail);
	json_decref(a);
	return r;
}

static const char *str_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("no string %s", key);
	return json_string_value(v);
}

static void test_api_story(void **state)
{
	struct machine *m = boot_cpus(1);
	const struct zone *n = &m->pgdat.node_zones[ZONE_NORMAL];
	json_t *r, *p;
	char want[512];

	(void)state;
	r = op(m, "alloc_pages", "{\"order\": 0, \"gfp\": \"GFP_KERNEL\"}");
	p = json_object_get(r, "pcp");
	assert_int_equal(json_integer_value(json_object_get(p, "cpu")), 0);
	assert_string_equal(str_of(p, "list"), "Unmovable");
	assert_int_equal(json_integer_value(json_object_get(p, "refilled")), 0);
	assert_int_equal(json_integer_value(json_object_get(p, "count")), 297);
	assert_int_equal(json_integer_value(json_object_get(p, "high")),
			 n->pcp_high);
	assert_int_equal(json_integer_value(json_object_get(p, "batch")), 63);
	json_decref(r);

	r = op(m, "free_pages", "{\"pfn\": \"0x2001\", \"order\": 0}");
	snprintf(want, sizeof(want), "order-0 free goes to the head of CPU "
		 "0's Unmovable pcp list (count 298 of high %u, batch 63); it "
		 "stays allocated-looking to the buddy allocator (no merge, "
		 "not in MemFree or buddyinfo); the next order-0 Unmovable "
		 "allocation on CPU 0 gets it back first", n->pcp_high);
	assert_string_equal(str_of(r, "why"), want);
	json_decref(r);

	/* the frame shows where it waits */
	r = op(m, "frame", "{\"pfn\": \"0x2001\"}");
	assert_string_equal(str_of(r, "state"), "free");
	assert_int_equal(json_integer_value(json_object_get(r, "pcp_cpu")), 0);
	json_decref(r);
	r = op(m, "frame", "{\"pfn\": \"0x203f\"}");
	assert_true(json_is_null(json_object_get(r, "pcp_cpu")));
	json_decref(r);

	/* order 4 bypasses the lists */
	r = op(m, "alloc_pages", "{\"order\": 4, \"gfp\": \"GFP_KERNEL\"}");
	assert_true(json_is_null(json_object_get(r, "pcp")));
	{
		char args[64];

		snprintf(args, sizeof(args), "{\"pfn\": \"%s\", \"order\": 4}",
			 str_of(r, "pfn"));
		json_decref(r);
		r = op(m, "free_pages", args);
	}
	assert_string_equal(str_of(r, "why"), "order-4 free goes straight to "
		"the buddy allocator (per-CPU lists keep only orders 0-3 and "
		"the THP order), merging with free buddies");
	json_decref(r);
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zoneinfo_count),
		cmocka_unit_test(test_memfree_excludes_pcp),
		cmocka_unit_test(test_api_story),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

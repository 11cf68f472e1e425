/*
 * test_where.c - answers that say where an address is (api/where.c) and
 * why (api/why.c): the region of the layout every address falls in, a
 * frame's zone and every virtual address that maps it, the same kernel
 * address from frame and page_address, the warning for a kmap of a free
 * frame, and the "why" sentences with this machine's numbers.
 *
 * The machine is the 2 GiB default: max_low_pfn 0x36bfe, high_memory
 * 0xf6bfe000, vmalloc from 0xf73fe000, pkmap at 0xfec00000.
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
#include "api_util.h"
#include "helpers.h"

static struct machine *boot(const char *config)
{
	struct machine *m = NULL;
	struct mm_error err = { 0 };
	json_t *cfg = js(config);

	assert_int_equal(api_machine_boot(cfg, &m, &err), MM_OK);
	json_decref(cfg);
	return m;
}

static json_t *op(struct machine *m, const char *name, const char *args)
{
	json_t *a = args ? js(args) : NULL, *r = NULL;
	struct mm_error err = { 0 };

	if (api_op(m, name, a, &r, &err) != MM_OK)
		fail_msg("%s %s: %s", name, args ? args : "", err.detail);
	json_decref(a);
	return r;
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("%s is not a string", key);
	return json_string_value(v);
}

/* The mappings of a frame as one compact line, to compare exactly. */
static char *mappings_text(const json_t *o)
{
	const json_t *a = json_object_get(o, "mappings");

	if (!json_is_array(a))
		fail_msg("mappings is not an array");
	return json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

/* --- regions ------------------------------------------------------------------- */

/* translate names the region of every part of the layout it walks. */
static void test_translate_regions(void **state)
{
	static const struct { const char *addr, *region; } cases[] = {
		{ "0x08048000", "user" },
		{ "0xbfffffff", "user" },
		{ "0xc0000000", "lowmem" },
		{ "0xf6bfdfff", "lowmem" },
		{ "0xf6bfe000", "hole" },		/* high_memory */
		{ "0xf73fdfff", "hole" },		/* VMALLOC_OFFSET */
		{ "0xf73fe000", "vmalloc" },		/* VMALLOC_START */
		{ "0xfebfe000", "gap" },		/* VMALLOC_END */
		{ "0xfec00000", "pkmap" },		/* PKMAP_BASE */
		{ "0xff000000", "ldt" },
		{ "0xff400000", "cpu_entry_area" },
		{ "0xfffbb000", "fixmap" },		/* kmap_local idx 0 */
		{ "0xfffff000", "top" },
	};
	struct machine *m = *state;
	char args[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *r;

		snprintf(args, sizeof(args), "{\"addr\": \"%s\"}",
			 cases[i].addr);
		r = op(m, "translate", args);
		if (strcmp(str(r, "region"), cases[i].region))
			fail_msg("%s: region %s, expected %s", cases[i].addr,
				 str(r, "region"), cases[i].region);
		json_decref(r);
	}
}

/* --- one kernel address for a frame ---------------------------------------------- */

/* frame said virt null for a kmapped HighMem frame while page_address
 * named its pkmap address: both say page_address() now. */
static void test_frame_virt_of_kmapped_highmem(void **state)
{
	struct machine *m = *state;
	json_t *k = op(m, "kmap", "{\"pfn\": \"0x70000\"}");
	json_t *f = op(m, "frame", "{\"pfn\": \"0x70000\"}");
	json_t *p = op(m, "page_address", "{\"pfn\": \"0x70000\"}");
	char *maps = mappings_text(f);

	assert_string_equal(str(k, "addr"), "0xfec01000");
	assert_string_equal(str(k, "region"), "pkmap");
	assert_string_equal(str(k, "zone"), "HighMem");
	assert_string_equal(str(f, "virt"), "0xfec01000");
	assert_string_equal(str(f, "region"), "pkmap");
	assert_string_equal(str(p, "addr"), "0xfec01000");
	assert_string_equal(str(p, "region"), "pkmap");
	assert_string_equal(str(p, "zone"), "HighMem");
	assert_string_equal(maps, "[{\"addr\":\"0xfec01000\",\"region\":"
			    "\"pkmap\",\"how\":\"kmap\",\"slot\":1,\"users\":1}]");
	assert_string_equal(str(f, "why_virt"), "HighMem, reached through "
			    "pkmap slot 1 (kmap): page_address() finds it there "
			    "until the slot is flushed after its last kunmap");
	free(maps);
	json_decref(k);
	json_decref(f);
	json_decref(p);
}

/* A HighMem frame nobody mapped: no address, and the answer says why. */
static void test_frame_highmem_why(void **state)
{
	struct machine *m = *state;
	json_t *f = op(m, "frame", "{\"pfn\": \"0x70000\"}");
	json_t *l = op(m, "frame", "{\"pfn\": \"0x100\"}");
	char *maps = mappings_text(l);

	assert_true(json_is_null(json_object_get(f, "virt")));
	assert_true(json_is_null(json_object_get(f, "region")));
	assert_int_equal(json_array_size(json_object_get(f, "mappings")), 0);
	assert_string_equal(str(f, "why_virt"), "HighMem (pfn >= max_low_pfn "
			    "0x36bfe): the linear map stops at high_memory "
			    "0xf6bfe000, so this frame has no kernel address "
			    "until kmap() (pkmap, from 0xfec00000) or "
			    "kmap_local_page() (a fixmap slot) maps it");
	assert_string_equal(str(l, "virt"), "0xc0100000");
	assert_string_equal(str(l, "region"), "lowmem");
	assert_string_equal(maps, "[{\"addr\":\"0xc0100000\",\"region\":"
			    "\"lowmem\",\"how\":\"linear map\"}]");
	assert_string_equal(str(l, "why_virt"), "lowmem (below max_low_pfn "
			    "0x36bfe): the linear map puts it at PAGE_OFFSET "
			    "0xc0000000 + phys 0x100000, always mapped");
	free(maps);
	json_decref(f);
	json_decref(l);
}

/* Every virtual address of one frame: a vmalloc page, kmap_local'ed,
 * and a process page shared by fork. */
static void test_frame_every_mapping(void **state)
{
	struct machine *m = *state;
	json_t *v, *r, *f;
	char args[96], *maps;
	const char *pfn;

	v = op(m, "vmalloc", "{\"size\": 8192}");
	/* the first page is the last lowmem frame, the second HighMem */
	pfn = str(json_array_get(json_object_get(v, "pages"), 1), "pfn");
	snprintf(args, sizeof(args), "{\"pfn\": \"%s\"}", pfn);
	json_decref(op(m, "kmap_local_page", args));
	f = op(m, "frame", args);
	maps = mappings_text(f);
	assert_string_equal(maps, "[{\"addr\":\"0xf73ff000\",\"region\":"
		"\"vmalloc\",\"how\":\"vmalloc\",\"area\":\"0xf73fe000\"},"
		"{\"addr\":\"0xfffbb000\",\"region\":\"fixmap\",\"how\":"
		"\"kmap_local\",\"cpu\":0,\"idx\":0}]");
	assert_true(json_is_null(json_object_get(f, "virt")));
	assert_string_equal(str(f, "why_virt"), "HighMem, mapped by kmap_local "
			    "on CPU 0 at 0xfffbb000 (stack index 0): that "
			    "mapping belongs to the CPU's stack and is not "
			    "recorded where page_address() looks, so "
			    "page_address() is still NULL");
	free(maps);
	json_decref(f);
	json_decref(v);

	/* a user page, written so it has its own frame, then forked */
	json_decref(op(m, "process_create", NULL));
	r = op(m, "mmap", "{\"pid\": 1, \"len\": 4096, \"prot\": "
	       "\"PROT_READ|PROT_WRITE\", \"flags\": "
	       "\"MAP_PRIVATE|MAP_ANONYMOUS\"}");
	assert_string_equal(str(r, "addr"), "0xb7ff6000");
	json_decref(r);
	json_decref(op(m, "access", "{\"pid\": 1, \"addr\": \"0xb7ff6000\", "
		       "\"access\": \"write\"}"));
	json_decref(op(m, "fork", "{\"pid\": 1}"));
	r = op(m, "pagemap", "{\"pid\": 1, \"addr\": \"0xb7ff6000\", "
	       "\"len\": 4096}");
	pfn = str(json_array_get(json_object_get(r, "pages"), 0), "pfn");
	snprintf(args, sizeof(args), "{\"pfn\": \"%s\"}", pfn);
	f = op(m, "frame", args);
	maps = mappings_text(f);
	assert_string_equal(maps, "[{\"addr\":\"0xb7ff6000\",\"region\":"
		"\"user\",\"how\":\"process\",\"pid\":1,\"writable\":false},"
		"{\"addr\":\"0xb7ff6000\",\"region\":\"user\",\"how\":"
		"\"process\",\"pid\":2,\"writable\":false}]");
	free(maps);
	json_decref(f);
	json_decref(r);
}

/* The shared zero page on PAE (8-byte PTEs): 70 read faults map it 70
 * times; 64 are listed and mappings_more counts the rest. */
static void test_zero_page_mappings_pae(void **state)
{
	struct machine *m = boot("{\"ram\": \"1G\", \"pae\": true}");
	json_t *r, *f, *first;
	char args[128];
	const char *zero;

	(void)state;
	json_decref(op(m, "process_create", NULL));
	r = op(m, "mmap", "{\"pid\": 1, \"len\": 286720, \"prot\": "
	       "\"PROT_READ\", \"flags\": \"MAP_PRIVATE|MAP_ANONYMOUS\"}");
	assert_string_equal(str(r, "addr"), "0xb7fb1000");
	json_decref(r);
	for (unsigned i = 0; i < 70; i++) {
		snprintf(args, sizeof(args), "{\"pid\": 1, \"addr\": %u}",
			 0xb7fb1000u + i * 4096);
		json_decref(op(m, "access", args));
	}
	r = op(m, "pagemap", "{\"pid\": 1, \"addr\": \"0xb7fb1000\", "
	       "\"len\": 4096}");
	zero = str(json_array_get(json_object_get(r, "pages"), 0), "pfn");
	snprintf(args, sizeof(args), "{\"pfn\": \"%s\"}", zero);
	f = op(m, "frame", args);
	/* the zero page is lowmem: the linear map, then 64 of the 70 */
	assert_int_equal(json_array_size(json_object_get(f, "mappings")), 65);
	assert_int_equal(json_integer_value(json_object_get(f,
			 "mappings_more")), 6);
	first = json_array_get(json_object_get(f, "mappings"), 1);
	assert_string_equal(str(first, "addr"), "0xb7fb1000");
	assert_string_equal(str(first, "how"), "process");
	assert_true(json_is_false(json_object_get(first, "writable")));
	json_decref(f);
	json_decref(r);
	machine_free(m);
}

/* --- warnings -------------------------------------------------------------------- */

/* kmap of a frame nobody allocated is answered, with the mistake named. */
static void test_kmap_free_frame_warns(void **state)
{
	struct machine *m = *state;
	json_t *k = op(m, "kmap", "{\"pfn\": \"0x70000\"}");
	json_t *l = op(m, "kmap_local_page", "{\"pfn\": \"0x70001\"}");
	json_t *a = op(m, "alloc_pages", "{\"gfp\": \"GFP_HIGHUSER\"}");
	json_t *o;
	char args[64];

	assert_string_equal(str(k, "warning"), "pfn 0x70000 is free (in an "
		"order-10 block on the buddy allocator's free lists): nobody "
		"allocated it, so the next alloc_pages may hand it out while "
		"this mapping still reaches it; map a page you own "
		"(alloc_pages with __GFP_HIGHMEM, e.g. GFP_HIGHUSER, first)");
	assert_non_null(strstr(str(l, "warning"), "pfn 0x70001 is free"));
	assert_string_equal(str(k, "why"), "pfn 0x70000 is HighMem, outside "
		"the linear map: kmap() maps it at pkmap slot 1, PKMAP_BASE "
		"0xfec00000 + 1 * 4096, with 1 user; the slot stays mapped "
		"(page_address() finds it) until its last kunmap and the next "
		"wrap of the slot scan flushes it");
	assert_string_equal(str(l, "why"), "pfn 0x70001 is HighMem: "
		"kmap_local_page() pushed CPU 0's stack to depth 1 and mapped "
		"fixmap slot FIX_KMAP_BEGIN 68 + idx 0 + 16 * cpu 0 = 68, at "
		"FIXADDR_TOP 0xfffff000 - 68 * 4096; only this CPU may use it, "
		"and the unmaps undo the stack in reverse order");
	assert_string_equal(str(l, "region"), "fixmap");
	/* a page the caller owns: no warning */
	snprintf(args, sizeof(args), "{\"pfn\": \"%s\"}", str(a, "pfn"));
	o = op(m, "kmap", args);
	assert_null(json_object_get(o, "warning"));
	json_decref(o);
	json_decref(a);
	json_decref(l);
	json_decref(k);
}

/* --- why --------------------------------------------------------------------------- */

static void test_alloc_pages_why(void **state)
{
	struct machine *m = *state;
	json_t *k = op(m, "alloc_pages", NULL);
	json_t *h = op(m, "alloc_pages", "{\"gfp\": \"GFP_HIGHUSER\"}");
	json_t *d = op(m, "alloc_pages", "{\"gfp\": \"GFP_KERNEL | __GFP_DMA\"}");

	assert_string_equal(str(k, "why"), "GFP_KERNEL: without __GFP_HIGHMEM "
		"it must come from lowmem, which has a kernel address: HighMem "
		"is left out, so the zonelist is Normal, DMA, each taken only "
		"while its free pages stay above the watermark plus "
		"lowmem_reserve: Normal (fast path) took 0x2001 from CPU 0's "
		"pcp list (297 pages left on its lists)");
	assert_string_equal(str(k, "region"), "lowmem");
	assert_string_equal(str(h, "why"), "GFP_HIGHUSER: __GFP_HIGHMEM lets "
		"it use every zone, HighMem first (the caller will kmap what it "
		"gets), so the zonelist is HighMem, Normal, DMA, each taken "
		"only while its free pages stay above the watermark plus "
		"lowmem_reserve: HighMem (fast path) took 0x36bfe from CPU 0's "
		"pcp list, refilled with 63 blocks from the buddy lists, stolen "
		"from the Movable lists");
	assert_true(json_is_null(json_object_get(h, "region")));
	assert_non_null(strstr(str(d, "why"), "GFP_KERNEL|GFP_DMA: __GFP_DMA "
		"confines it to ZONE_DMA (the first 16 MiB), so the zonelist "
		"is DMA, "));
	json_decref(k);
	json_decref(h);
	json_decref(d);
}

static void test_kmalloc_why(void **state)
{
	struct machine *m = *state;
	json_t *s = op(m, "kmalloc", "{\"size\": 100}");
	json_t *l = op(m, "kmalloc", "{\"size\": 10000}");

	assert_string_equal(str(s, "region"), "lowmem");
	assert_string_equal(str(s, "zone"), "Normal");
	assert_string_equal(str(s, "why"), "100 bytes rounds up to the "
		"smallest kmalloc size that holds it, 128: cache kmalloc-128, "
		"28 bytes of the object unused; the object is number 0 of 32 "
		"in an order-0 slab from Normal (GFP_KERNEL-style masks have "
		"no __GFP_HIGHMEM), so it is lowmem and the address is the "
		"linear map's: PAGE_OFFSET 0xc0000000 + phys 0x2001000");
	assert_non_null(strstr(str(l, "why"), "10000 bytes is above "
		"KMALLOC_MAX_CACHE_SIZE (8192), so no slab cache serves it: "
		"kmalloc_large takes an order-2 block (16384 bytes) straight "
		"from the buddy allocator"));
	json_decref(s);
	json_decref(l);
	/* a named cache: where, but no kmalloc size story */
	s = op(m, "kmem_cache_alloc", "{\"cache\": \"kmalloc-64\"}");
	assert_string_equal(str(s, "region"), "lowmem");
	assert_string_equal(str(s, "zone"), "Normal");
	assert_null(json_object_get(s, "why"));
	json_decref(s);
	s = op(m, "ioremap", "{\"phys\": \"0xfebc0000\", \"size\": 4096}");
	assert_string_equal(str(s, "region"), "vmalloc");
	json_decref(s);
}

static void test_vmalloc_why(void **state)
{
	struct machine *m = *state;
	json_t *v = op(m, "vmalloc", "{\"size\": 12288}");

	assert_string_equal(str(v, "region"), "vmalloc");
	assert_string_equal(str(v, "why"), "vmalloc takes its 3 pages one at "
		"a time with alloc_pages(GFP_KERNEL | __GFP_HIGHMEM, 0), "
		"HighMem first, and maps each at the next virtual page of the "
		"area, so the area is contiguous only in virtual memory: each "
		"frame is whichever free page the buddy allocator had; here 1 "
		"of the 2 steps from one page to the next jump to a frame that "
		"does not follow the last; 3 of the frames are HighMem (no "
		"kernel address but this one)");
	json_decref(v);
}

/* --- stories told whole ------------------------------------------------------------ */

/* A failure with a long mask was cut (the mask's name at 96 bytes, the
 * story at 256 with "..."), and it said the model has no OOM killer. */
static void test_failure_reason_whole(void **state)
{
	static const char gfp[] = "{\"order\": 10, \"gfp\": \"GFP_ATOMIC | "
		"__GFP_DMA | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | __GFP_COMP | "
		"__GFP_ZERO | __GFP_ACCOUNT | __GFP_NORETRY | __GFP_THISNODE | "
		"__GFP_HARDWALL | __GFP_WRITE\"}";
	struct machine *m = boot("{\"ram\": \"64M\"}");
	struct mm_error err = { 0 };
	json_t *res = NULL, *r = NULL, *a = js(gfp);

	(void)state;
	/* DMA holds three order-10 blocks on 64 MiB; the fourth fails */
	for (int i = 0; i < 3; i++)
		json_decref(op(m, "alloc_pages", gfp));
	/* out of memory is a refusal whose story is the problem's */
	assert_int_equal(api_op_story(m, "alloc_pages", a, &res, &r, &err),
			 MM_EIMPOSSIBLE);
	assert_null(res);
	json_decref(a);
	assert_string_equal(err.type, "out-of-memory");
	assert_non_null(strstr(err.detail, str(r, "reason")));
	assert_string_equal(str(r, "reason"), "order-10 GFP_ATOMIC|GFP_DMA|"
		"__GFP_NOWARN|__GFP_RETRY_MAYFAIL|__GFP_NORETRY|__GFP_COMP|"
		"__GFP_ZERO|__GFP_HARDWALL|__GFP_THISNODE|__GFP_ACCOUNT|"
		"__GFP_WRITE allocation failed: DMA free 768 - 1023 unusable <= "
		"min 27 (cut from 69) + reserve 0 (the fast path at the low "
		"watermark failed first); nothing is reclaimable (the model has "
		"no page cache to reclaim and no compaction, and it runs the OOM "
		"killer only for a process's page fault, not for this "
		"allocation)");
	json_decref(r);
	machine_free(m);
}

/* The longest mask's name, whole, in a refusal. */
static void test_gfp_name_whole(void **state)
{
	struct machine *m = *state;
	json_t *a = js("{\"gfp\": \"0x7ffffe\"}");
	struct mm_error err = { 0 };
	json_t *r = NULL;

	assert_int_equal(api_op(m, "alloc_pages", a, &r, &err), MM_EINVAL);
	assert_string_equal(err.detail, "gfp mask GFP_TRANSHUGE|GFP_ATOMIC|"
		"GFP_DMA32|__GFP_RETRY_MAYFAIL|__GFP_NOFAIL|__GFP_NORETRY|"
		"__GFP_ZERO|__GFP_MEMALLOC|__GFP_THISNODE|__GFP_RECLAIMABLE|"
		"__GFP_ACCOUNT|__GFP_WRITE names two zones (__GFP_DMA, "
		"__GFP_DMA32 and __GFP_HIGHMEM exclude each other): keep one");
	json_decref(a);
}

/* --- the configuration explained ------------------------------------------------------ */

static json_t *layout_of(struct machine *m)
{
	struct mm_error err = { 0 };
	json_t *j = NULL;

	assert_int_equal(api_report(m, "layout", false, &j, NULL, &err), MM_OK);
	return j;
}

/* "4G" two-level: 3 GiB used, and the layout says why and what PAE
 * changes; the text form has the same notes. */
static void test_layout_explains_4g(void **state)
{
	struct machine *m = boot("{\"ram\": \"4G\"}");
	struct machine *p = boot("{\"ram\": \"4G\", \"pae\": true}");
	json_t *l = layout_of(m), *lp = layout_of(p), *ram;
	struct mm_error err = { 0 };
	char *text = NULL, *ramtext;

	(void)state;
	ram = json_object_get(l, "ram");
	if (!json_is_object(ram))
		fail_msg("the layout has no ram figures");
	ramtext = json_dumps(ram, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(ramtext, "{\"usable\":4294441984,\"above_4g\":"
		"1073741824,\"used\":3220700160,\"unreachable\":1073741824}");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(l, "notes"), 0)), "The firmware map has 4095 MiB "
		"of usable RAM, 1024 MiB of it above 4 GiB: QEMU leaves "
		"0xc0000000-0xffffffff (the 32-bit PCI hole) to devices and puts "
		"the RAM that would fall there above 4 GiB. This two-level "
		"(non-PAE) kernel's page tables hold 32-bit physical addresses "
		"(MAX_ARCH_PFN 0x100000), so it cannot reach RAM above 4 GiB and "
		"uses 3071 MiB (max_pfn 0xbffe0). With \"pae\": true the "
		"686-pae kernel's 64-bit entries reach 36-bit addresses (64 GiB, "
		"MAX_ARCH_PFN 0x1000000) and use all of it, the part above 4 GiB "
		"as HighMem.");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(l, "notes"), 1)), "Lowmem is physical 0 to "
		"0x36bfe000 (875 MiB, max_low_pfn 0x36bfe), mapped for good at "
		"PAGE_OFFSET 0xc0000000 up to high_memory 0xf6bfe000; MAXMEM "
		"(875 MiB) is what the kernel's 1024 MiB above PAGE_OFFSET leave "
		"after the 128 MiB vmalloc reserve and the pkmap/fixmap at the "
		"top. The 2195 MiB of RAM above it, to max_pfn 0xbffe0, are "
		"HighMem: they have no kernel address until kmap() or "
		"kmap_local_page() maps a page.");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
		lp, "ram"), "unreachable")), 0);
	assert_non_null(strstr(json_string_value(json_array_get(
		json_object_get(lp, "notes"), 0)), "1024 MiB of the RAM lies above "
		"4 GiB, where QEMU puts what would overlap the 32-bit PCI hole "
		"(0xc0000000-0xffffffff): this 686-pae kernel's 64-bit "
		"page-table entries hold 36-bit physical addresses"));
	assert_int_equal(api_report(m, "layout", true, NULL, &text, &err),
			 MM_OK);
	assert_non_null(strstr(text, "\nnotes:\n  The firmware map has 4095 "
			       "MiB of usable RAM, 1024 MiB of it above 4 GiB"));
	free(text);
	free(ramtext);
	json_decref(l);
	json_decref(lp);
	machine_free(m);
	machine_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, boot_2g, free_machine)
		T(test_translate_regions),
		T(test_frame_virt_of_kmapped_highmem),
		T(test_frame_highmem_why),
		T(test_frame_every_mapping),
		T(test_kmap_free_frame_warns),
		T(test_alloc_pages_why),
		T(test_kmalloc_why),
		T(test_vmalloc_why),
		T(test_gfp_name_whole),
#undef T
		cmocka_unit_test(test_failure_reason_whole),
		cmocka_unit_test(test_layout_explains_4g),
		cmocka_unit_test(test_zero_page_mappings_pae),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

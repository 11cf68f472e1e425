/*
 * test_page_alloc.c - the buddy allocator against hand-derived results and
 * against the watermarks of real 6.1 kernels.
 *
 * Most tests boot a small hand-built node, "machine A" (two-level paging,
 * pageblock_order 10):
 *
 *   RAM      [1, 159) and [256, 32768)     (128 MiB, the usual PC hole)
 *   zones    DMA [1, 4096)  Normal [4096, 20000)  HighMem [20000, 32768)
 *   reserved [1, 256) (first MiB), [4096, 4596) (a 500-page kernel image)
 *
 * and hands memory to the buddy allocator the way x86-32 does: highmem
 * first, one page at a time (set_highmem_pages_init -> free_highmem_page,
 * ordinary head/tail placement), then lowmem in the largest aligned blocks
 * (memblock_free_all -> __free_pages_core, queued at the tail).
 *
 * The resulting free lists, derived by hand:
 *   DMA     256 o8, 512 o9 (pageblock 0 is Unmovable: its first pfn, 0, is
 *           not RAM, so memmap_init never marked it), 1024/2048/3072 o10
 *           Movable.                                        3840 pages
 *   Normal  4596 o2, 4600 o3, 4608 o9, 5120..18432 o10 (14, ascending
 *           because lowmem goes to the tail), 19456 o9, 19968 o5; all
 *           Movable.                                       15404 pages
 *   HighMem 20000 o5, 20032 o6, 20096 o7, 20224 o8 (Unmovable: the
 *           pageblock at 19456 starts in Normal, so HighMem's copy of it is
 *           never marked), 20480..31744 o10 (12) Movable, in DESCENDING
 *           order: each completes when its last page is freed, and an
 *           order-10 block always goes to the head.         12768 pages
 *
 * Watermarks (min_free_kbytes = int_sqrt(19244 * 4 * 16) = 1109, pages_min
 * 277): DMA 55/68/81, Normal 221/276/331, HighMem 32/77/122; lowmem
 * reserve DMA (0, 60, 110, 110), Normal (0, 0, 399, 399).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "page_alloc.h"
#include "strbuf.h"

/* --- building a node by hand ------------------------------------------ */

struct spec {
	unsigned pageblock_order;
	pfn_t dma_end, normal_end, high_end;
	const struct pfn_range *ram;
	unsigned nr_ram;
	const struct pfn_range *reserved;
	unsigned nr_reserved;
};

static const struct pfn_range a_ram[] = { { 1, 159 }, { 256, 32768 } };
static const struct pfn_range a_reserved[] = { { 1, 256 }, { 4096, 4596 } };

static const struct spec machine_a = {
	10, 4096, 20000, 32768, a_ram, 2, a_reserved, 2,
};
static const struct spec machine_pae = {
	9, 4096, 20000, 32768, a_ram, 2, a_reserved, 2,
};

static bool spec_is_ram(const struct spec *s, pfn_t pfn)
{
	for (unsigned i = 0; i < s->nr_ram; i++)
		if (pfn >= s->ram[i].start && pfn < s->ram[i].end)
			return true;
	return false;
}

static bool spec_is_free(const struct spec *s, pfn_t pfn)
{
	if (!spec_is_ram(s, pfn))
		return false;
	for (unsigned i = 0; i < s->nr_reserved; i++)
		if (pfn >= s->reserved[i].start && pfn < s->reserved[i].end)
			return false;
	return true;
}

static void set_zone(struct pglist_data *p, const struct spec *s, int j,
		     pfn_t start, pfn_t end)
{
	struct zone *z = &p->node_zones[j];

	z->idx = (enum zone_type)j;
	z->zone_start_pfn = start;
	z->spanned_pages = end - start;
	for (pfn_t pfn = start; pfn < end; pfn++)
		z->present_pages += spec_is_ram(s, pfn);
}

/* memblock_free_all(): the largest naturally aligned blocks that fit. */
static void free_lowmem_range(struct pglist_data *p, pfn_t s, pfn_t e)
{
	while (s < e) {
		unsigned order = MAX_ORDER - 1;

		while (order && ((s & ((1u << order) - 1)) ||
				 s + (1u << order) > e))
			order--;
		__free_pages_core(p, s, order);
		s += 1u << order;
	}
}

static void build_node(struct pglist_data *p, const struct spec *s)
{
	pfn_t run = 0;
	bool in_run = false;

	memset(p, 0, sizeof(*p));
	set_zone(p, s, ZONE_DMA, s->ram[0].start, s->dma_end);
	set_zone(p, s, ZONE_NORMAL, s->dma_end, s->normal_end);
	set_zone(p, s, ZONE_HIGHMEM, s->normal_end, s->high_end);
	p->node_zones[ZONE_MOVABLE].idx = ZONE_MOVABLE;
	p->node_start_pfn = s->ram[0].start;
	p->node_end_pfn = s->high_end;
	p->pageblock_order = s->pageblock_order;
	p->nr_cpus = 1;
	p->movable_zone = ZONE_HIGHMEM;
	p->nr_ranges = s->nr_ram;
	p->ranges = xmalloc(sizeof(*p->ranges) * s->nr_ram);
	memcpy(p->ranges, s->ram, sizeof(*p->ranges) * s->nr_ram);
	pglist_init(p);

	/* set_highmem_pages_init(): page by page */
	for (pfn_t pfn = s->normal_end; pfn < s->high_end; pfn++)
		if (spec_is_free(s, pfn))
			free_reserved_page(p, pfn);
	/* memblock_free_all(): lowmem in aligned blocks, range by range */
	for (pfn_t pfn = 0; pfn <= s->normal_end; pfn++) {
		bool f = pfn < s->normal_end && spec_is_free(s, pfn);

		if (f && !in_run) {
			run = pfn;
			in_run = true;
		} else if (!f && in_run) {
			free_lowmem_range(p, run, pfn);
			in_run = false;
		}
	}
	/* init_per_zone_wmark_min() */
	calculate_min_free_kbytes(p);
	setup_per_zone_wmarks(p);
	setup_per_zone_lowmem_reserve(p);
}

/* --- looking at the state --------------------------------------------- */

static unsigned count_blocks(const struct pglist_data *p, int zone,
			     unsigned order, int mt)
{
	return p->node_zones[zone].free_area[order].nr[mt];
}

static pfn_t list_head(const struct pglist_data *p, int zone, unsigned order,
		       int mt)
{
	return p->node_zones[zone].free_area[order].head[mt];
}

static pfn_t list_tail(const struct pglist_data *p, int zone, unsigned order,
		       int mt)
{
	return p->node_zones[zone].free_area[order].tail[mt];
}

/* The pfns on one list, head to tail, into out[]; returns how many. */
static unsigned list_pfns(const struct pglist_data *p, int zone,
			  unsigned order, int mt, pfn_t *out, unsigned max)
{
	unsigned n = 0;

	for (pfn_t pfn = list_head(p, zone, order, mt); pfn != PFN_NONE;
	     pfn = pfnmap_get(&p->free_blocks, pfn)->next) {
		if (n < max)
			out[n] = pfn;
		n++;
	}
	return n;
}

/*
 * Everything observable, as text, checking the list structure on the
 * way: links both ways, counts, each record's order/zone/list, and that
 * every record in the map is on exactly one list.
 */
static char *dump_state(const struct pglist_data *p)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t blocks = 0;

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		const struct zone *z = &p->node_zones[j];
		uint32_t pages = 0;

		sb_printf(&sb, "zone %d free %u managed %u highatomic %u\n", j,
			  z->nr_free_pages, z->managed_pages,
			  z->nr_reserved_highatomic);
		for (unsigned o = 0; o < MAX_ORDER; o++) {
			const struct free_area *a = &z->free_area[o];
			uint32_t nr_free = 0;

			for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
				pfn_t prev = PFN_NONE;
				uint32_t n = 0;

				if (a->head[mt] == PFN_NONE)
					continue;
				sb_printf(&sb, " o%u %s:", o,
					  migratetype_name(mt));
				for (pfn_t pfn = a->head[mt]; pfn != PFN_NONE;) {
					const struct pfn_rec *r =
						pfnmap_get(&p->free_blocks, pfn);

					assert_non_null(r);
					assert_int_equal(r->prev, prev);
					assert_int_equal(r->order, o);
					assert_int_equal(r->mt, mt);
					assert_int_equal(r->zone, j);
					sb_printf(&sb, " %x", pfn);
					prev = pfn;
					pfn = r->next;
					n++;
				}
				assert_int_equal(a->tail[mt], prev);
				assert_int_equal(a->nr[mt], n);
				nr_free += n;
				pages += n << o;
				sb_puts(&sb, "\n");
			}
			assert_int_equal(a->nr_free, nr_free);
			blocks += nr_free;
		}
		assert_int_equal(z->nr_free_pages, pages);
		if (z->spanned_pages) {
			pfn_t base = ALIGN_DOWN(z->zone_start_pfn,
						1u << p->pageblock_order);
			uint32_t n = (z->zone_start_pfn + z->spanned_pages -
				      base + (1u << p->pageblock_order) - 1) >>
				     p->pageblock_order;

			sb_puts(&sb, " pageblocks:");
			for (uint32_t b = 0; b < n; b++)
				sb_printf(&sb, "%u", z->pageblock_mt[b]);
			sb_puts(&sb, "\n");
		}
	}
	assert_int_equal(p->free_blocks.count, blocks);
	sb_printf(&sb, "allocated blocks %u\n", p->alloc_blocks.count);
	return sb_detach(&sb);
}

static void check_consistent(const struct pglist_data *p)
{
	free(dump_state(p));
}

struct blk {
	pfn_t pfn;
	unsigned order;
};

static int blk_cmp(const void *a, const void *b)
{
	const struct blk *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/* Every block in a map, sorted by pfn. */
static struct blk *blocks_of(const struct pfnmap *m, unsigned *n)
{
	struct blk *v = xcalloc(m->count ? m->count : 1, sizeof(*v));
	unsigned k = 0;

	for (uint32_t i = 0; i < m->cap; i++)
		if (m->slot[i].pfn != PFN_NONE) {
			v[k].pfn = m->slot[i].pfn;
			v[k].order = m->slot[i].order;
			k++;
		}
	qsort(v, k, sizeof(*v), blk_cmp);
	*n = k;
	return v;
}

/* No two blocks, free or allocated, share a page, and none covers a hole
 * or a reserved page. */
static void check_no_overlap(const struct pglist_data *p, const struct spec *s)
{
	unsigned nf, na, n;
	struct blk *f = blocks_of(&p->free_blocks, &nf);
	struct blk *a = blocks_of(&p->alloc_blocks, &na);
	struct blk *all = xcalloc(nf + na + 1, sizeof(*all));

	memcpy(all, f, nf * sizeof(*f));
	memcpy(all + nf, a, na * sizeof(*a));
	n = nf + na;
	qsort(all, n, sizeof(*all), blk_cmp);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(all[i].pfn & ((1u << all[i].order) - 1), 0);
		assert_true(spec_is_free(s, all[i].pfn));
		assert_true(spec_is_free(s, all[i].pfn +
					 (1u << all[i].order) - 1));
		if (i)
			assert_true(all[i - 1].pfn +
				    (1u << all[i - 1].order) <= all[i].pfn);
	}
	free(f);
	free(a);
	free(all);
}

/* --- allocating -------------------------------------------------------- */

static struct page_alloc_result res;

static pfn_t alloc_ok(struct pglist_data *p, gfp_t gfp, unsigned order)
{
	struct mm_error err;

	assert_int_equal(alloc_pages(p, gfp, order, OWNER_NONE, 0, &res, &err),
			 MM_OK);
	if (!res.ok)
		fail_msg("allocation failed: %s", res.reason);
	assert_int_equal(res.order, order);
	return res.pfn;
}

static void free_ok(struct pglist_data *p, pfn_t pfn, unsigned order)
{
	struct mm_error err;

	assert_int_equal(free_pages(p, pfn, order, &err), MM_OK);
}

/* --- boot state -------------------------------------------------------- */

static void test_boot_free_lists(void **state)
{
	struct pglist_data p;
	pfn_t v[16];

	(void)state;
	build_node(&p, &machine_a);
	check_consistent(&p);
	check_no_overlap(&p, &machine_a);

	assert_int_equal(p.node_zones[ZONE_DMA].present_pages, 3998);
	assert_int_equal(p.node_zones[ZONE_DMA].managed_pages, 3840);
	assert_int_equal(p.node_zones[ZONE_NORMAL].managed_pages, 15404);
	assert_int_equal(p.node_zones[ZONE_HIGHMEM].managed_pages, 12768);
	assert_int_equal(p.node_zones[ZONE_DMA].nr_free_pages, 3840);
	assert_int_equal(p.node_zones[ZONE_NORMAL].nr_free_pages, 15404);
	assert_int_equal(p.node_zones[ZONE_HIGHMEM].nr_free_pages, 12768);

	/* DMA: same shape as the real 2 GiB machine's buddyinfo/pagetypeinfo */
	assert_int_equal(count_blocks(&p, ZONE_DMA, 8, MIGRATE_UNMOVABLE), 1);
	assert_int_equal(count_blocks(&p, ZONE_DMA, 9, MIGRATE_UNMOVABLE), 1);
	assert_int_equal(count_blocks(&p, ZONE_DMA, 10, MIGRATE_MOVABLE), 3);
	assert_int_equal(list_head(&p, ZONE_DMA, 8, MIGRATE_UNMOVABLE), 256);
	assert_int_equal(list_head(&p, ZONE_DMA, 9, MIGRATE_UNMOVABLE), 512);
	assert_int_equal(list_pfns(&p, ZONE_DMA, 10, MIGRATE_MOVABLE, v, 16), 3);
	assert_int_equal(v[0], 1024);
	assert_int_equal(v[1], 2048);
	assert_int_equal(v[2], 3072);
	assert_int_equal(p.node_zones[ZONE_DMA].pageblock_mt[0],
			 MIGRATE_UNMOVABLE);
	assert_int_equal(p.node_zones[ZONE_DMA].pageblock_mt[1],
			 MIGRATE_MOVABLE);

	/* Normal */
	assert_int_equal(list_head(&p, ZONE_NORMAL, 2, MIGRATE_MOVABLE), 4596);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 3, MIGRATE_MOVABLE), 4600);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 5, MIGRATE_MOVABLE), 19968);
	assert_int_equal(list_pfns(&p, ZONE_NORMAL, 9, MIGRATE_MOVABLE, v, 16),
			 2);
	assert_int_equal(v[0], 4608);
	assert_int_equal(v[1], 19456);
	assert_int_equal(list_pfns(&p, ZONE_NORMAL, 10, MIGRATE_MOVABLE, v, 16),
			 14);
	for (unsigned i = 0; i < 14; i++)
		assert_int_equal(v[i], 5120 + 1024 * i);
	assert_int_equal(list_tail(&p, ZONE_NORMAL, 10, MIGRATE_MOVABLE), 18432);
	for (unsigned o = 0; o < MAX_ORDER; o++)
		assert_int_equal(count_blocks(&p, ZONE_NORMAL, o,
					      MIGRATE_UNMOVABLE), 0);

	/* HighMem: the partial first pageblock, and order-10 blocks in
	 * descending order */
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 5, MIGRATE_UNMOVABLE),
			 20000);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 6, MIGRATE_UNMOVABLE),
			 20032);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 7, MIGRATE_UNMOVABLE),
			 20096);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 8, MIGRATE_UNMOVABLE),
			 20224);
	assert_int_equal(list_pfns(&p, ZONE_HIGHMEM, 10, MIGRATE_MOVABLE, v,
				   16), 12);
	for (unsigned i = 0; i < 12; i++)
		assert_int_equal(v[i], 31744 - 1024 * i);
	assert_int_equal(list_tail(&p, ZONE_HIGHMEM, 10, MIGRATE_MOVABLE),
			 20480);
	assert_int_equal(p.node_zones[ZONE_HIGHMEM].pageblock_mt[0],
			 MIGRATE_UNMOVABLE);

	pglist_free(&p);
}

static void test_boot_watermarks(void **state)
{
	struct pglist_data p;
	const struct zone *z = p.node_zones;

	(void)state;
	build_node(&p, &machine_a);
	assert_int_equal(p.min_free_kbytes, 1109);
	assert_int_equal(z[ZONE_DMA].watermark[WMARK_MIN], 55);
	assert_int_equal(z[ZONE_DMA].watermark[WMARK_LOW], 68);
	assert_int_equal(z[ZONE_DMA].watermark[WMARK_HIGH], 81);
	assert_int_equal(z[ZONE_NORMAL].watermark[WMARK_MIN], 221);
	assert_int_equal(z[ZONE_NORMAL].watermark[WMARK_LOW], 276);
	assert_int_equal(z[ZONE_NORMAL].watermark[WMARK_HIGH], 331);
	assert_int_equal(z[ZONE_HIGHMEM].watermark[WMARK_MIN], 32);
	assert_int_equal(z[ZONE_HIGHMEM].watermark[WMARK_LOW], 77);
	assert_int_equal(z[ZONE_HIGHMEM].watermark[WMARK_HIGH], 122);
	assert_int_equal(z[ZONE_DMA].lowmem_reserve[ZONE_NORMAL], 60);
	assert_int_equal(z[ZONE_DMA].lowmem_reserve[ZONE_HIGHMEM], 110);
	assert_int_equal(z[ZONE_DMA].lowmem_reserve[ZONE_MOVABLE], 110);
	assert_int_equal(z[ZONE_NORMAL].lowmem_reserve[ZONE_HIGHMEM], 399);
	assert_int_equal(z[ZONE_NORMAL].lowmem_reserve[ZONE_MOVABLE], 399);
	pglist_free(&p);
}

static void test_pae_boot(void **state)
{
	struct pglist_data p;

	(void)state;
	build_node(&p, &machine_pae);
	check_consistent(&p);
	/* pageblock 0 (pfns 0-511) is Unmovable, pageblock 1 Movable: the
	 * real PAE machine shows DMA Unmovable o8 and Movable o9 */
	assert_int_equal(list_head(&p, ZONE_DMA, 8, MIGRATE_UNMOVABLE), 256);
	assert_int_equal(list_head(&p, ZONE_DMA, 9, MIGRATE_MOVABLE), 512);
	assert_int_equal(count_blocks(&p, ZONE_DMA, 10, MIGRATE_MOVABLE), 3);
	/* order-10 blocks span two pageblocks of the same type and merge */
	assert_int_equal(count_blocks(&p, ZONE_HIGHMEM, 10, MIGRATE_MOVABLE),
			 12);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 10, MIGRATE_MOVABLE),
			 31744);
	pglist_free(&p);
}

/* --- allocation order, split and merge --------------------------------- */

static void test_alloc_sequence(void **state)
{
	struct pglist_data p;

	(void)state;
	build_node(&p, &machine_a);

	/*
	 * GFP_HIGHUSER_MOVABLE: highest zone Movable (empty), so HighMem
	 * first.  No Movable block below order 10; the order-10 head is
	 * 31744.  expand() keeps 31744 and puts 32256 o9, 32000 o8, ...,
	 * 31746 o1, 31745 o0 at the heads of the Movable lists.
	 */
	assert_int_equal(alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 0), 31744);
	assert_int_equal(res.zone, ZONE_HIGHMEM);
	assert_int_equal(res.migratetype, MIGRATE_MOVABLE);
	assert_int_equal(res.stolen_from, -1);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 9, MIGRATE_MOVABLE),
			 32256);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 0, MIGRATE_MOVABLE),
			 31745);
	/* the o0 left over, then the o1 */
	assert_int_equal(alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 0), 31745);
	assert_int_equal(alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 1), 31746);
	/* o0 and o1 empty: split o2 31748, keep 31748, give 31750 o1 and
	 * 31749 o0 */
	assert_int_equal(alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 0), 31748);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 0, MIGRATE_MOVABLE),
			 31749);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 1, MIGRATE_MOVABLE),
			 31750);

	/* GFP_HIGHUSER is unmovable: the smallest Unmovable block in HighMem
	 * is the o5 at 20000 in the partial first pageblock. */
	assert_int_equal(alloc_ok(&p, GFP_HIGHUSER, 0), 20000);
	assert_int_equal(res.migratetype, MIGRATE_UNMOVABLE);

	/* GFP_DMA: DMA only; smallest Unmovable block there is 256 o8. */
	assert_int_equal(alloc_ok(&p, GFP_DMA, 0), 256);
	assert_int_equal(res.zone, ZONE_DMA);
	assert_int_equal(alloc_ok(&p, GFP_DMA, 1), 258);

	/* __GFP_MOVABLE|__GFP_DMA: DMA's Movable o10 blocks, in order */
	assert_int_equal(alloc_ok(&p, GFP_DMA | __GFP_MOVABLE, 10), 1024);
	assert_int_equal(alloc_ok(&p, GFP_DMA | __GFP_MOVABLE, 10), 2048);

	check_consistent(&p);
	pglist_free(&p);
}

/*
 * Steps 1-10 (reasoning in each comment) show where a freed block goes:
 * head, unless buddy_merge_likely() finds the buddy one order up free.
 */
static void test_split_merge_head_tail(void **state)
{
	struct pglist_data p;
	char *before, *after;
	pfn_t v[4];
	pfn_t a, b, c, d, e;

	(void)state;
	build_node(&p, &machine_a);
	before = dump_state(&p);

	/* 1. 31744; o0 [31745] o1 [31746] o2 [31748] o3 [31752] ... */
	a = alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 0);
	/* 2. 31745; o0 [] */
	b = alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 0);
	/* 3. o1 31746; o1 [] */
	c = alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 1);
	/* 4. o0 from o2 31748: o1 [31750], o0 [31749] */
	d = alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(a, 31744);
	assert_int_equal(b, 31745);
	assert_int_equal(c, 31746);
	assert_int_equal(d, 31748);

	/* 5. free c (o1): its buddy 31744 is allocated; the o2 buddy of the
	 *    pair, 31748, is allocated: head.  o1 [31746, 31750] */
	free_ok(&p, c, 1);
	assert_int_equal(list_pfns(&p, ZONE_HIGHMEM, 1, MIGRATE_MOVABLE, v, 4),
			 2);
	assert_int_equal(v[0], 31746);
	assert_int_equal(v[1], 31750);

	/* 6. free a (o0): buddy 31745 allocated, but the o1 buddy of the pair
	 *    (31746) is a free o1 block: a merge is likely, so TAIL.
	 *    o0 [31749, 31744] */
	free_ok(&p, a, 0);
	assert_int_equal(list_pfns(&p, ZONE_HIGHMEM, 0, MIGRATE_MOVABLE, v, 4),
			 2);
	assert_int_equal(v[0], 31749);
	assert_int_equal(v[1], 31744);

	/* 7. so the next order-0 allocation takes 31749, not 31744 */
	e = alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 0);
	assert_int_equal(e, 31749);

	/* 8. free b: merges with 31744 (o0) and 31746 (o1) into o2 31744;
	 *    the o2 buddy 31748 is allocated; o3 buddy 31752 free: tail */
	free_ok(&p, b, 0);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 2, MIGRATE_MOVABLE), 31744);
	assert_int_equal(count_blocks(&p, ZONE_HIGHMEM, 0, MIGRATE_MOVABLE), 0);
	assert_int_equal(count_blocks(&p, ZONE_HIGHMEM, 1, MIGRATE_MOVABLE), 1);

	/* 9-10. free 31749 then 31748: everything merges back into the
	 *    order-10 block at 31744, at the head: the boot state again */
	free_ok(&p, e, 0);
	free_ok(&p, d, 0);
	after = dump_state(&p);
	assert_string_equal(before, after);
	free(before);
	free(after);
	pglist_free(&p);
}

static void test_no_merge_across_zones(void **state)
{
	struct pglist_data p;
	pfn_t pfn;

	(void)state;
	build_node(&p, &machine_a);
	/* 19968 o5 (Normal) and 20000 o5 (HighMem) are buddies by address
	 * but live in different zones: both stay order 5. */
	assert_int_equal(list_head(&p, ZONE_NORMAL, 5, MIGRATE_MOVABLE), 19968);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 5, MIGRATE_UNMOVABLE),
			 20000);
	pfn = alloc_ok(&p, GFP_HIGHUSER, 5);
	assert_int_equal(pfn, 20000);
	free_ok(&p, pfn, 5);
	assert_int_equal(list_head(&p, ZONE_HIGHMEM, 5, MIGRATE_UNMOVABLE),
			 20000);
	assert_int_equal(count_blocks(&p, ZONE_NORMAL, 6, MIGRATE_MOVABLE), 0);
	assert_int_equal(count_blocks(&p, ZONE_HIGHMEM, 6, MIGRATE_MOVABLE), 0);
	pglist_free(&p);
}

/* --- zones and watermarks ---------------------------------------------- */

static void test_highmem_falls_back_to_normal(void **state)
{
	struct pglist_data p;

	(void)state;
	build_node(&p, &machine_a);
	/* HighMem's 12 order-10 blocks: the 12th leaves 12768 - 11264 = 1504
	 * free, and 1504 - 1023 = 481 > low 77, so all 12 come from HighMem,
	 * descending. */
	for (unsigned i = 0; i < 12; i++) {
		assert_int_equal(alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 10),
				 31744 - 1024 * i);
		assert_int_equal(res.zone, ZONE_HIGHMEM);
	}
	/* 480 free, minus 1023: below the mark.  Normal: 15404 - 1023 >
	 * low 276 + lowmem_reserve[Movable] 399: its first order-10 block. */
	assert_int_equal(alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 10), 5120);
	assert_int_equal(res.zone, ZONE_NORMAL);
	assert_int_equal(res.nr_attempts, 2);
	assert_int_equal(res.attempts[0].zone, ZONE_HIGHMEM);
	assert_false(res.attempts[0].ok);
	assert_int_equal(res.attempts[0].free_pages, 480);
	assert_string_equal(res.attempts[0].why,
			    "free 480 - 1023 unusable <= low 77 + reserve 0");
	assert_int_equal(res.attempts[1].zone, ZONE_NORMAL);
	assert_true(res.attempts[1].ok);
	assert_int_equal(res.attempts[1].reserve, 399);
	check_consistent(&p);
	pglist_free(&p);
}

static void test_watermark_refusal(void **state)
{
	struct pglist_data p;
	unsigned n;

	(void)state;
	build_node(&p, &machine_a);

	/* Fast path, low mark: Normal serves while free > 276. */
	for (n = 0; n < 15128; n++) {
		alloc_ok(&p, GFP_KERNEL, 0);
		assert_int_equal(res.zone, ZONE_NORMAL);
	}
	assert_int_equal(p.node_zones[ZONE_NORMAL].nr_free_pages, 276);
	/* Then DMA, while free > low 68 + lowmem_reserve[Normal] 60. */
	for (n = 0; n < 3840 - 128; n++) {
		alloc_ok(&p, GFP_KERNEL, 0);
		assert_int_equal(res.zone, ZONE_DMA);
		assert_int_equal(res.attempts[0].zone, ZONE_NORMAL);
		assert_false(res.attempts[0].ok);
	}
	/* Slow path, min mark: Normal down to 221, then DMA to 55 + 60. */
	for (n = 0; n < 276 - 221; n++) {
		alloc_ok(&p, GFP_KERNEL, 0);
		assert_int_equal(res.zone, ZONE_NORMAL);
		assert_int_equal(res.nr_attempts, 3);
		assert_int_equal(res.attempts[2].pass, 1);
		assert_int_equal(res.attempts[2].wmark, WMARK_MIN);
	}
	for (n = 0; n < 128 - 115; n++) {
		alloc_ok(&p, GFP_KERNEL, 0);
		assert_int_equal(res.zone, ZONE_DMA);
	}
	/* Now GFP_KERNEL fails everywhere. */
	assert_int_equal(alloc_pages(&p, GFP_KERNEL, 0, OWNER_NONE, 0, &res,
				     NULL), MM_OK);
	assert_false(res.ok);
	assert_int_equal(res.nr_attempts, 4);
	assert_int_equal(res.attempts[0].wmark, WMARK_LOW);
	assert_int_equal(res.attempts[0].mark, 276);
	assert_int_equal(res.attempts[1].mark, 68);
	assert_int_equal(res.attempts[1].reserve, 60);
	assert_int_equal(res.attempts[2].mark, 221);
	assert_int_equal(res.attempts[3].mark, 55);
	assert_int_equal(res.attempts[3].free_pages, 115);
	assert_string_equal(res.reason,
		"order-0 GFP_KERNEL allocation failed: Normal free 221 <= "
		"min 221 + reserve 0; DMA free 115 <= min 55 + reserve 60 "
		"(the fast path at the low watermark failed first); nothing "
		"is reclaimable (the model has no page cache to reclaim and no "
		"compaction, and it runs the OOM killer only for a process's "
		"page fault, not for this allocation)");

	/* __GFP_ATOMIC with __GFP_DIRECT_RECLAIM is a caller bug: 6.1 warns
	 * and drops __GFP_ATOMIC, so no deeper dip (221 - 221/4 would pass) */
	alloc_pages(&p, GFP_KERNEL | __GFP_ATOMIC, 0, OWNER_NONE, 0, &res,
		    NULL);
	assert_false(res.ok);
	assert_int_equal(res.attempts[2].mark, 221);

	/* GFP_ATOMIC may go further: min - min/2 - (min - min/2)/4.
	 * Normal 221 -> 111 -> 84; DMA 55 -> 28 -> 21 (+ reserve 60). */
	for (n = 0; n < 221 - 84; n++) {
		alloc_ok(&p, GFP_ATOMIC, 0);
		assert_int_equal(res.zone, ZONE_NORMAL);
	}
	for (n = 0; n < 115 - 81; n++) {
		alloc_ok(&p, GFP_ATOMIC, 0);
		assert_int_equal(res.zone, ZONE_DMA);
	}
	alloc_pages(&p, GFP_ATOMIC, 0, OWNER_NONE, 0, &res, NULL);
	assert_false(res.ok);
	assert_int_equal(res.attempts[2].mark, 84);
	assert_int_equal(res.attempts[3].mark, 21);
	assert_string_equal(res.attempts[3].why,
			    "free 81 <= min 21 (cut from 55) + reserve 60");
	/* GFP_ATOMIC never took highatomic reserves for order 0 */
	assert_int_equal(p.node_zones[ZONE_NORMAL].nr_reserved_highatomic, 0);
	/* and HighMem was never touched */
	assert_int_equal(p.node_zones[ZONE_HIGHMEM].nr_free_pages, 12768);
	check_consistent(&p);
	pglist_free(&p);
}

static void set_all_wmarks(struct pglist_data *p, uint32_t min, uint32_t low)
{
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		struct zone *z = &p->node_zones[j];

		z->watermark[WMARK_MIN] = min;
		z->watermark[WMARK_LOW] = low;
		z->watermark[WMARK_HIGH] = low;
		memset(z->lowmem_reserve, 0, sizeof(z->lowmem_reserve));
	}
}

static void test_memalloc_ignores_watermarks(void **state)
{
	struct pglist_data p;

	(void)state;
	build_node(&p, &machine_a);
	set_all_wmarks(&p, 100000, 100000);
	alloc_pages(&p, GFP_KERNEL, 0, OWNER_NONE, 0, &res, NULL);
	assert_false(res.ok);
	alloc_pages(&p, GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOMEMALLOC, 0,
		    OWNER_NONE, 0, &res, NULL);
	assert_false(res.ok);
	/* pass 2 ignores the marks: the first zone (Normal) serves */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MEMALLOC, 0), 5120);
	assert_int_equal(res.nr_attempts, 5);
	assert_int_equal(res.attempts[4].pass, 2);
	assert_true(res.attempts[4].ok);
	pglist_free(&p);
}

/* --- migratetypes ------------------------------------------------------ */

static void test_steal_whole_pageblock(void **state)
{
	struct pglist_data p;
	const struct zone *n;

	(void)state;
	build_node(&p, &machine_a);
	n = &p.node_zones[ZONE_NORMAL];
	/*
	 * GFP_KERNEL: Unmovable, Normal has no Unmovable block.  Fallback
	 * looks from order 10 down: Reclaimable empty, Movable o10 has 5120.
	 * An order-10 block is a whole pageblock: it turns Unmovable, moves
	 * to the Unmovable list and is split from there.
	 */
	assert_int_equal(n->pageblock_mt[1], MIGRATE_MOVABLE);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5120);
	assert_int_equal(res.stolen_from, MIGRATE_MOVABLE);
	assert_int_equal(n->pageblock_mt[1], MIGRATE_UNMOVABLE);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 9, MIGRATE_UNMOVABLE), 5632);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5121);
	assert_int_equal(res.stolen_from, -1);
	/* Reclaimable: its fallbacks are Unmovable then Movable, largest
	 * order first; at order 10 only Movable has a block, so it takes the
	 * whole pageblock 6144 rather than the Unmovable order-9 piece. */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_RECLAIMABLE, 3), 6144);
	assert_int_equal(res.stolen_from, MIGRATE_MOVABLE);
	assert_int_equal(n->pageblock_mt[2], MIGRATE_RECLAIMABLE);
	check_consistent(&p);
	pglist_free(&p);
}

static void test_steal_partial_pageblock(void **state)
{
	struct pglist_data p;
	const struct zone *n;

	(void)state;
	build_node(&p, &machine_a);
	n = &p.node_zones[ZONE_NORMAL];
	/* Use up Normal's 14 Movable order-10 blocks (movable requests). */
	for (unsigned i = 0; i < 14; i++)
		assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 10),
				 5120 + 1024 * i);
	/*
	 * GFP_KERNEL now falls back to the largest Movable block, o9 4608
	 * (head of the o9 list, freed before 19456).  Order 9 < pageblock
	 * order, so move_freepages_block() walks pageblock 4096-5119: the
	 * 500 kernel-image pages are neither free nor movable, 4596 o2,
	 * 4600 o3 and 4608 o9 move (524 pages, to the tail of the Unmovable
	 * lists).  alike = 1024 - 524 - 0 = 500, and 524 + 500 >= 512: the
	 * pageblock turns Unmovable.  Then the smallest Unmovable block,
	 * 4596 o2, is split: 4596 is returned.
	 */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 4596);
	assert_int_equal(res.stolen_from, MIGRATE_MOVABLE);
	assert_int_equal(n->pageblock_mt[0], MIGRATE_UNMOVABLE);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 3, MIGRATE_UNMOVABLE), 4600);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 9, MIGRATE_UNMOVABLE), 4608);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 1, MIGRATE_UNMOVABLE), 4598);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 0, MIGRATE_UNMOVABLE), 4597);
	/* the other o9, 19456, is untouched in its Movable pageblock */
	assert_int_equal(list_head(&p, ZONE_NORMAL, 9, MIGRATE_MOVABLE), 19456);
	check_consistent(&p);
	pglist_free(&p);
}

static void test_movable_fallback_takes_smallest(void **state)
{
	struct pglist_data p;

	(void)state;
	build_node(&p, &machine_a);
	set_all_wmarks(&p, 0, 0);
	/* DMA: take the Movable order-10 blocks and most Unmovable ones,
	 * leaving Unmovable 257 o0, 258 o1, 260 o2, 264 o3, 272 o4. */
	for (unsigned i = 0; i < 3; i++)
		alloc_ok(&p, GFP_DMA | __GFP_MOVABLE, 10);
	assert_int_equal(alloc_ok(&p, GFP_DMA, 0), 256);
	assert_int_equal(alloc_ok(&p, GFP_DMA, 9), 512);
	assert_int_equal(alloc_ok(&p, GFP_DMA, 7), 384);
	assert_int_equal(alloc_ok(&p, GFP_DMA, 6), 320);
	assert_int_equal(alloc_ok(&p, GFP_DMA, 5), 288);
	/*
	 * A movable order-0 request: no Movable block.  Largest fallback is
	 * the Unmovable o4 at 272, but order 4 < pageblock_order/2 and the
	 * request is movable, so it may not claim the pageblock; it takes
	 * the SMALLEST fallback block instead, 257 o0, alone.
	 */
	assert_int_equal(alloc_ok(&p, GFP_DMA | __GFP_MOVABLE, 0), 257);
	assert_int_equal(res.stolen_from, MIGRATE_UNMOVABLE);
	assert_int_equal(p.node_zones[ZONE_DMA].pageblock_mt[0],
			 MIGRATE_UNMOVABLE);
	assert_int_equal(alloc_ok(&p, GFP_DMA | __GFP_MOVABLE, 1), 258);
	/* An Unmovable request would have taken 260 o2 first. */
	assert_int_equal(list_head(&p, ZONE_DMA, 4, MIGRATE_UNMOVABLE), 272);
	check_consistent(&p);
	pglist_free(&p);
}

static void test_movable_fallback_claims_big_block(void **state)
{
	struct pglist_data p;
	pfn_t v[4];

	(void)state;
	build_node(&p, &machine_a);
	set_all_wmarks(&p, 0, 0);
	for (unsigned i = 0; i < 3; i++)
		alloc_ok(&p, GFP_DMA | __GFP_MOVABLE, 10);
	/* Unmovable left: 512 o9, and 257 o0 ... 384 o7 from splitting 256 */
	assert_int_equal(alloc_ok(&p, GFP_DMA, 0), 256);
	/*
	 * A movable order-0 request: the largest fallback is 512 o9, and
	 * order 9 >= pageblock_order / 2, so it may claim the pageblock.
	 * move_freepages_block(): the pageblock 0-1023 starts before the
	 * zone (DMA starts at pfn 1), so the walk starts at 512 itself and
	 * the small blocks at 257-384 stay where they are.  512 free pages
	 * >= 1024 / 2: pageblock 0 becomes Movable.  Then 512 is split.
	 */
	assert_int_equal(alloc_ok(&p, GFP_DMA | __GFP_MOVABLE, 0), 512);
	assert_int_equal(res.stolen_from, MIGRATE_UNMOVABLE);
	assert_int_equal(p.node_zones[ZONE_DMA].pageblock_mt[0],
			 MIGRATE_MOVABLE);
	assert_int_equal(list_pfns(&p, ZONE_DMA, 0, MIGRATE_UNMOVABLE, v, 4), 1);
	assert_int_equal(v[0], 257);
	assert_int_equal(list_head(&p, ZONE_DMA, 7, MIGRATE_UNMOVABLE), 384);
	assert_int_equal(list_head(&p, ZONE_DMA, 0, MIGRATE_MOVABLE), 513);
	/* Freeing 256 merges it with the Unmovable pieces 257..384 (below
	 * pageblock order the lists do not matter for merging) into 256 o8,
	 * which goes on the list of the pageblock's type at free time:
	 * Movable. */
	free_ok(&p, 256, 0);
	assert_int_equal(list_head(&p, ZONE_DMA, 8, MIGRATE_MOVABLE), 256);
	for (unsigned o = 0; o < MAX_ORDER; o++)
		assert_int_equal(count_blocks(&p, ZONE_DMA, o,
					      MIGRATE_UNMOVABLE), 0);
	check_consistent(&p);
	pglist_free(&p);
}

static void test_steal_counts_alike_pages(void **state)
{
	struct pglist_data p;
	const struct zone *n;

	(void)state;
	build_node(&p, &machine_a);
	n = &p.node_zones[ZONE_NORMAL];
	set_all_wmarks(&p, 0, 0);	/* Normal runs low here */
	/* Leave pageblock 4096 (500 reserved pages) with 448 free pages and
	 * 76 pages allocated movable, and no other Movable block of order
	 * 8 or more in Normal. */
	for (unsigned i = 0; i < 14; i++)
		alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 10);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 9), 4608);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 9), 19456);
	free_ok(&p, 4608, 9);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 2), 4596);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 3), 4600);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 5), 19968);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 6), 4608);
	/*
	 * GFP_KERNEL falls back to 4864 o8.  The pageblock walk moves 448
	 * free pages and counts 76 movable ones; the 500 reserved pages are
	 * "alike" (1024 - 448 - 76).  448 alone is under half a pageblock,
	 * 448 + 500 is over: the pageblock turns Unmovable.  The smallest
	 * Unmovable block is then 4672 o6.
	 */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 4672);
	assert_int_equal(n->pageblock_mt[0], MIGRATE_UNMOVABLE);
	/*
	 * Now Normal has no Movable block at all.  A movable request falls
	 * back to the largest Unmovable block, 4864 o8 (order >= 5: it may
	 * claim).  The walk finds 447 free pages and 76 movable ones; for a
	 * movable request only the movable pages are alike: 447 + 76 >= 512,
	 * so the pageblock goes back to Movable.  The smallest Movable block
	 * is then 4673 o0 (moved in from the Unmovable list).
	 */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 0), 4673);
	assert_int_equal(res.stolen_from, MIGRATE_UNMOVABLE);
	assert_int_equal(n->pageblock_mt[0], MIGRATE_MOVABLE);
	check_consistent(&p);
	pglist_free(&p);
}

static void test_order9_free_goes_to_head(void **state)
{
	struct pglist_data p;
	pfn_t v[4];

	(void)state;
	build_node(&p, &machine_a);
	/* Movable o9 from Normal: the two free o9 blocks first, then 5120
	 * split in two, then 6144 split in two. */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 9), 4608);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 9), 19456);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 9), 5120);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 9), 5632);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 9), 6144);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 9), 6656);
	/* 6144's buddy 6656 is allocated, and the order-10 buddy of the pair
	 * (7168) is free; but buddy_merge_likely() never looks above order
	 * 9 (MAX_ORDER - 2), so an order-9 free always goes to the head. */
	free_ok(&p, 5120, 9);
	free_ok(&p, 6144, 9);
	assert_int_equal(list_pfns(&p, ZONE_NORMAL, 9, MIGRATE_MOVABLE, v, 4),
			 2);
	assert_int_equal(v[0], 6144);
	assert_int_equal(v[1], 5120);
	pglist_free(&p);
}

static void test_pae_highatomic_does_not_merge(void **state)
{
	struct pglist_data p;
	const struct zone *n;

	(void)state;
	build_node(&p, &machine_pae);
	n = &p.node_zones[ZONE_NORMAL];
	set_all_wmarks(&p, 0, 100000);
	/*
	 * PAE: pageblocks of 512 pages.  An order-1 atomic request steals
	 * the o10 block 5120 (both its pageblocks turn Unmovable), gets 5120
	 * and reserves pageblock 5120-5631 as HighAtomic; 5632 o9 stays
	 * Unmovable.
	 */
	assert_int_equal(alloc_ok(&p, GFP_ATOMIC, 1), 5120);
	assert_int_equal(n->pageblock_mt[2], MIGRATE_HIGHATOMIC);
	assert_int_equal(n->pageblock_mt[3], MIGRATE_UNMOVABLE);
	assert_int_equal(n->nr_reserved_highatomic, 512);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 9, MIGRATE_UNMOVABLE), 5632);
	/* Freeing 5120 merges up to 5120 o9, but not with 5632: a HighAtomic
	 * pageblock does not merge with a pageblock of another type. */
	free_ok(&p, 5120, 1);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 9, MIGRATE_HIGHATOMIC),
			 5120);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 9, MIGRATE_UNMOVABLE), 5632);
	assert_int_equal(count_blocks(&p, ZONE_NORMAL, 10, MIGRATE_UNMOVABLE),
			 0);
	assert_int_equal(count_blocks(&p, ZONE_NORMAL, 10, MIGRATE_HIGHATOMIC),
			 0);
	check_consistent(&p);
	pglist_free(&p);
}

static void test_pageblock_past_zone_end(void **state)
{
	struct pglist_data p;
	const struct zone *n;

	(void)state;
	build_node(&p, &machine_a);
	n = &p.node_zones[ZONE_NORMAL];
	for (unsigned i = 0; i < 14; i++)
		alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 10);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 9), 4608);
	/*
	 * The only big Movable block left is 19456 o9, in the pageblock
	 * 19456-20479 that runs past Normal's end (20000):
	 * move_freepages_block() refuses such a pageblock, so only the block
	 * itself moves and the pageblock stays Movable; 19968 o5 stays on
	 * the Movable list.
	 */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 19456);
	assert_int_equal(res.stolen_from, MIGRATE_MOVABLE);
	assert_int_equal(n->pageblock_mt[15], MIGRATE_MOVABLE);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 5, MIGRATE_MOVABLE), 19968);
	/* the split pieces are Unmovable-listed in a Movable pageblock;
	 * freeing 19456 brings them back together onto the Movable list */
	free_ok(&p, 19456, 0);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 9, MIGRATE_MOVABLE), 19456);
	check_consistent(&p);
	pglist_free(&p);
}

static void test_steal_moves_to_tail(void **state)
{
	struct pglist_data p;
	pfn_t v[4];

	(void)state;
	build_node(&p, &machine_a);
	/* 5120 becomes Unmovable and is split: Unmovable o0..o9 pieces */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5120);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 9), 5632);
	for (unsigned i = 1; i < 14; i++)
		assert_int_equal(alloc_ok(&p, GFP_KERNEL | __GFP_MOVABLE, 10),
				 5120 + 1024 * i);
	/*
	 * Another Unmovable o9: none left, so fall back to Movable o9 4608;
	 * its pageblock's free blocks move to the TAIL of the Unmovable
	 * lists, behind the pieces of 5120 already there.
	 */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 9), 4608);
	assert_int_equal(list_pfns(&p, ZONE_NORMAL, 2, MIGRATE_UNMOVABLE, v, 4),
			 2);
	assert_int_equal(v[0], 5124);
	assert_int_equal(v[1], 4596);
	assert_int_equal(list_pfns(&p, ZONE_NORMAL, 3, MIGRATE_UNMOVABLE, v, 4),
			 2);
	assert_int_equal(v[0], 5128);
	assert_int_equal(v[1], 4600);
	check_consistent(&p);
	pglist_free(&p);
}

static void test_highatomic_reserve(void **state)
{
	struct pglist_data p;
	const struct zone *n;

	(void)state;
	build_node(&p, &machine_a);
	n = &p.node_zones[ZONE_NORMAL];
	/* Fast path fails (low far up), slow path passes (min 0): only the
	 * slow path gives GFP_ATOMIC its ALLOC_HARDER rights. */
	set_all_wmarks(&p, 0, 100000);

	/* order-1 atomic: steals pageblock 5120 (Unmovable), gets 5120, and
	 * reserves the pageblock: its free blocks go to HighAtomic. */
	assert_int_equal(alloc_ok(&p, GFP_ATOMIC, 1), 5120);
	assert_int_equal(n->pageblock_mt[1], MIGRATE_HIGHATOMIC);
	assert_int_equal(n->nr_reserved_highatomic, 1024);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 1, MIGRATE_HIGHATOMIC), 5122);
	assert_int_equal(count_blocks(&p, ZONE_NORMAL, 9, MIGRATE_HIGHATOMIC), 1);
	assert_int_equal(count_blocks(&p, ZONE_NORMAL, 1, MIGRATE_UNMOVABLE), 0);
	/* an order pcp does not serve (4) goes to rmqueue_buddy, which
	 * tries the reserve first: the smallest HighAtomic block of order
	 * >= 4 is 5136.  (An order-1 request would go through the pcp list
	 * first, whose refill never looks at the reserve: 6.1's rmqueue.) */
	assert_int_equal(alloc_ok(&p, GFP_ATOMIC, 4), 5136);
	assert_int_equal(n->nr_reserved_highatomic, 1024);
	/* GFP_KERNEL may not touch it: it steals pageblock 6144 instead, and
	 * its watermark check counts the reserve as unusable */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 6144);
	assert_string_equal(res.attempts[0].why,
		"free 15386 - 1024 unusable <= low 100000 + reserve 0");
	/* order-0 atomic requests do not use the reserve either */
	assert_int_equal(alloc_ok(&p, GFP_ATOMIC, 0), 6145);
	/* a second pageblock may be reserved (limit 15404/100 + 1024) */
	assert_int_equal(alloc_ok(&p, GFP_ATOMIC, 10), 7168);
	assert_int_equal(n->nr_reserved_highatomic, 2048);
	assert_int_equal(n->pageblock_mt[3], MIGRATE_HIGHATOMIC);
	/* but not a third */
	assert_int_equal(alloc_ok(&p, GFP_ATOMIC, 10), 8192);
	assert_int_equal(n->nr_reserved_highatomic, 2048);
	assert_int_equal(n->pageblock_mt[4], MIGRATE_UNMOVABLE);
	/* __GFP_NOMEMALLOC takes ALLOC_HARDER away */
	assert_int_equal(alloc_ok(&p, GFP_ATOMIC | __GFP_NOMEMALLOC, 1), 6146);
	/* a free in a HighAtomic pageblock goes back to the HighAtomic list
	 * (through the boot pageset, which keeps the page's own type): 5120
	 * merges with 5122, 5124 and 5128 into an order-4 block (its buddy
	 * 5136 is allocated) */
	free_ok(&p, 5120, 1);
	assert_int_equal(list_head(&p, ZONE_NORMAL, 4, MIGRATE_HIGHATOMIC), 5120);
	check_consistent(&p);
	pglist_free(&p);
}

/* --- per-CPU page lists ------------------------------------------------ */

/*
 * machine_a with its watermarks and the real pagesets (setup_per_cpu_pageset,
 * one CPU): Normal manages 15404 pages, so zone_batchsize() is
 * (15404 >> 10) / 4 = 3, rounddown_pow_of_two(3 + 1) - 1 = 3, and
 * zone_highsize() is the low watermark over one CPU (at least 4 batches,
 * 12): calculate_min_free_kbytes() and setup_per_zone_wmarks() give
 * Normal a low watermark of 273, so high 273.
 */
static void build_pcp_node(struct pglist_data *p)
{
	build_node(p, &machine_a);
	calculate_min_free_kbytes(p);
	setup_per_zone_wmarks(p);
	setup_per_zone_lowmem_reserve(p);
	setup_per_cpu_pageset(p);
	assert_int_equal(p->node_zones[ZONE_NORMAL].pcp_batch, 3);
	assert_int_equal(p->node_zones[ZONE_NORMAL].watermark[WMARK_LOW], 273);
	assert_int_equal(p->node_zones[ZONE_NORMAL].pcp_high, 273);
}

/* The pfns on CPU 0's list pindex of zone j, head to tail. */
static unsigned pcp_pfns(const struct pglist_data *p, int j, unsigned pindex,
			 pfn_t *out, unsigned max)
{
	unsigned n = 0;

	for (pfn_t pfn = p->node_zones[j].pcp[0].head[pindex];
	     pfn != PFN_NONE; pfn = pfnmap_get(&p->pcp_pages, pfn)->next) {
		if (n < max)
			out[n] = pfn;
		n++;
	}
	return n;
}

static void test_pcp_refill_batch(void **state)
{
	const struct zone *n;
	struct pglist_data p;
	pfn_t v[8];

	(void)state;
	build_pcp_node(&p);
	n = &p.node_zones[ZONE_NORMAL];
	/* order 0 Unmovable: the empty list takes a batch of 3 from the
	 * buddy, each as __rmqueue gives it (the first steals pageblock
	 * 5120 and splits it from the bottom), to the list's tail; the
	 * request takes the head */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5120);
	assert_int_equal(res.pcp.cpu, 0);
	assert_int_equal(res.pcp.refilled, 3);
	assert_int_equal(res.pcp.count, 2);
	assert_int_equal(res.stolen_from, MIGRATE_MOVABLE);
	assert_string_equal(res.attempts[0].why, "took 0x1400 from CPU 0's "
		"pcp list, refilled with 3 blocks from the buddy lists, stolen "
		"from the Movable lists");
	assert_int_equal(n->nr_free_pages, 15404 - 3);
	assert_int_equal(n->pcp[0].count, 2);
	assert_int_equal(pcp_pfns(&p, ZONE_NORMAL, MIGRATE_UNMOVABLE, v, 8), 2);
	assert_int_equal(v[0], 5121);
	assert_int_equal(v[1], 5122);
	/* the next two come off the list without touching the buddy */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5121);
	assert_int_equal(res.pcp.refilled, 0);
	assert_string_equal(res.attempts[0].why, "took 0x1401 from CPU 0's "
		"pcp list (1 page left on its lists)");
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5122);
	assert_int_equal(n->nr_free_pages, 15404 - 3);
	/* then the next batch */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5123);
	assert_int_equal(res.pcp.refilled, 3);
	assert_int_equal(n->nr_free_pages, 15404 - 6);
	/* order 1 (list 3 + Unmovable): a batch of max(3 >> 1, 2) = 2 */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 1), 5126);
	assert_int_equal(res.pcp.refilled, 2);
	assert_int_equal(n->nr_free_pages, 15404 - 6 - 4);
	assert_int_equal(pcp_pfns(&p, ZONE_NORMAL, 3 + MIGRATE_UNMOVABLE, v, 8),
			 1);
	assert_int_equal(v[0], 5128);
	/* counted in pages: 2 order-0 pages and one order-1 block */
	assert_int_equal(n->pcp[0].count, 2 + 2);
	/* order 4 is no pcp order: straight from the buddy */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 4), 5136);
	assert_int_equal(res.pcp.cpu, -1);
	assert_int_equal(n->nr_free_pages, 15404 - 10 - 16);
	/* pages on the lists are in no buddy list: buddyinfo's order-0
	 * count for Normal does not see 5124 and 5125 */
	{
		struct frame_info fi;

		page_frame_info(&p, 5124, &fi);
		assert_int_equal(fi.state, FRAME_FREE);
		assert_int_equal(fi.pcp_cpu, 0);
		assert_null(pfnmap_get(&p.free_blocks, 5124));
	}
	check_consistent(&p);
	pglist_free(&p);
}

static void test_pcp_lifo(void **state)
{
	struct pglist_data p;
	struct frame_info fi;
	struct pcp_event ev;
	struct mm_error err;

	(void)state;
	build_pcp_node(&p);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5120);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5121);
	/* the free goes to the head of the list, not to the buddy (5120 does
	 * not merge with anything) */
	assert_int_equal(free_pages_ev(&p, 5120, 0, &ev, &err), MM_OK);
	assert_int_equal(ev.cpu, 0);
	assert_int_equal(ev.list_mt, MIGRATE_UNMOVABLE);
	assert_int_equal(ev.count, 2);
	assert_int_equal(ev.drained, 0);
	assert_true(ev.kept);
	assert_int_equal(p.node_zones[ZONE_NORMAL].nr_free_pages, 15404 - 3);
	page_frame_info(&p, 5120, &fi);
	assert_int_equal(fi.state, FRAME_FREE);
	assert_int_equal(fi.pcp_cpu, 0);
	/* freed again: a double free */
	assert_int_equal(free_pages(&p, 5120, 0, &err), MM_ESTATE);
	assert_string_equal(err.type, "double-free");
	assert_non_null(strstr(err.detail, "waits on CPU 0's per-CPU list"));
	/* the last freed is the first given: 5120 before 5122 */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5120);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5122);
	/* a Movable free waits on the Movable list: GFP_KERNEL never gets
	 * it, GFP_HIGHUSER_MOVABLE limited to lowmem does */
	assert_int_equal(alloc_ok(&p, GFP_USER | __GFP_MOVABLE, 0), 4596);
	free_ok(&p, 4596, 0);
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5123);
	assert_int_equal(alloc_ok(&p, GFP_USER | __GFP_MOVABLE, 0), 4596);
	check_consistent(&p);
	pglist_free(&p);
}

static void test_pcp_free_over_high(void **state)
{
	const struct zone *n;
	struct pglist_data p;
	struct frame_info fi;
	struct pcp_event ev;
	struct mm_error err;
	uint32_t free0;

	(void)state;
	build_pcp_node(&p);
	n = &p.node_zones[ZONE_NORMAL];
	/* 300 pages: 100 refills of 3, 5120 ... 5419 in order, the list
	 * empty again at the end */
	for (pfn_t i = 0; i < 300; i++)
		assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5120 + i);
	assert_int_equal(n->pcp[0].count, 0);
	free0 = n->nr_free_pages;
	/* frees 1 .. 272 stay on the list (count < high 273) */
	for (pfn_t i = 0; i < 272; i++) {
		assert_int_equal(free_pages_ev(&p, 5120 + i, 0, &ev, &err),
				 MM_OK);
		assert_int_equal(ev.drained, 0);
	}
	assert_int_equal(n->pcp[0].count, 272);
	assert_int_equal(n->nr_free_pages, free0);
	/* the 273rd reaches high: free_pcppages_bulk gives a batch (3 <<
	 * free_factor 0) back from the list's tail, the oldest frees: 5120
	 * and 5121 merge, 5122's buddy 5123 is still on the list */
	assert_int_equal(free_pages_ev(&p, 5120 + 272, 0, &ev, &err), MM_OK);
	assert_int_equal(ev.drained, 3);
	assert_int_equal(ev.count, 270);
	assert_true(ev.kept);
	assert_int_equal(n->nr_free_pages, free0 + 3);
	page_frame_info(&p, 5120, &fi);
	assert_int_equal(fi.pcp_cpu, -1);
	assert_int_equal(fi.order, 1);
	page_frame_info(&p, 5122, &fi);
	assert_int_equal(fi.pcp_cpu, -1);
	assert_int_equal(fi.order, 0);
	page_frame_info(&p, 5123, &fi);
	assert_int_equal(fi.pcp_cpu, 0);
	/* frees with no allocation between double the batch: three more
	 * frees reach high again and give back 6 (5123 ... 5128) */
	for (pfn_t i = 273; i < 275; i++)
		free_ok(&p, 5120 + i, 0);
	assert_int_equal(free_pages_ev(&p, 5120 + 275, 0, &ev, &err), MM_OK);
	assert_int_equal(ev.drained, 6);
	assert_int_equal(ev.count, 267);
	assert_int_equal(n->nr_free_pages, free0 + 9);
	page_frame_info(&p, 5128, &fi);
	assert_int_equal(fi.pcp_cpu, -1);
	page_frame_info(&p, 5129, &fi);
	assert_int_equal(fi.pcp_cpu, 0);
	/* an allocation halves free_factor (2 -> 1): the next drain is 6 */
	assert_int_equal(alloc_ok(&p, GFP_KERNEL, 0), 5120 + 275);
	assert_int_equal(n->pcp[0].free_factor, 1);
	/* drain_all_pages gives everything back: the 276 freed, less the
	 * one taken again */
	drain_all_pages(&p);
	assert_int_equal(n->pcp[0].count, 0);
	assert_int_equal(n->nr_free_pages, free0 + 276 - 1);
	check_consistent(&p);
	pglist_free(&p);
}

/* --- free_pages errors ------------------------------------------------- */

static void expect_free_error(struct pglist_data *p, pfn_t pfn,
			      unsigned order, int kind, const char *type,
			      const char *needle)
{
	struct mm_error err;
	char *before = dump_state(p), *after;

	memset(&err, 0, sizeof(err));
	assert_int_equal(free_pages(p, pfn, order, &err), kind);
	assert_int_equal(err.kind, kind);
	assert_string_equal(err.type, type);
	if (!strstr(err.detail, needle))
		fail_msg("detail \"%s\" lacks \"%s\"", err.detail, needle);
	after = dump_state(p);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_free_errors(void **state)
{
	struct pglist_data p;
	pfn_t blk;

	(void)state;
	build_node(&p, &machine_a);
	blk = alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 2);
	assert_int_equal(blk, 31744);

	expect_free_error(&p, blk, 11, MM_EINVAL, "bad-order", "order 11");
	expect_free_error(&p, 0xc8, 0, MM_EINVAL, "not-ram", "0xc8");
	expect_free_error(&p, 0xc8, 0, MM_EINVAL, "not-ram", "hole");
	expect_free_error(&p, 40000, 0, MM_EINVAL, "not-ram", "0x9c40");
	expect_free_error(&p, 0, 0, MM_EINVAL, "not-ram", "0x0");
	expect_free_error(&p, 300, 0, MM_ESTATE, "double-free", "0x12c");
	expect_free_error(&p, 31748, 2, MM_ESTATE, "double-free", "0x7c04");
	expect_free_error(&p, 100, 0, MM_ESTATE, "reserved-frame", "0x64");
	expect_free_error(&p, 4100, 0, MM_ESTATE, "reserved-frame", "0x1004");
	expect_free_error(&p, blk + 1, 0, MM_ESTATE, "not-block-head",
			  "order-2 block allocated at 0x7c00");
	expect_free_error(&p, blk + 3, 2, MM_ESTATE, "not-block-head",
			  "0x7c03");
	expect_free_error(&p, blk, 1, MM_ESTATE, "wrong-order",
			  "allocated with order 2");
	expect_free_error(&p, blk, 3, MM_ESTATE, "wrong-order", "0x7c00");

	free_ok(&p, blk, 2);
	expect_free_error(&p, blk, 2, MM_ESTATE, "double-free", "0x7c00");
	pglist_free(&p);
}

static void test_alloc_errors(void **state)
{
	struct pglist_data p;
	struct mm_error err;
	char *before;
	char *after;

	(void)state;
	build_node(&p, &machine_a);
	before = dump_state(&p);
	assert_int_equal(alloc_pages(&p, GFP_KERNEL, 11, OWNER_NONE, 0, &res,
				     &err), MM_EINVAL);
	assert_string_equal(err.type, "bad-order");
	assert_int_equal(alloc_pages(&p, GFP_KERNEL | __GFP_DMA | __GFP_HIGHMEM,
				     0, OWNER_NONE, 0, &res, &err), MM_EINVAL);
	assert_string_equal(err.type, "bad-gfp");
	assert_int_equal(alloc_pages(&p, __GFP_DMA32 | __GFP_DMA, 0,
				     OWNER_NONE, 0, &res, &err), MM_EINVAL);
	assert_string_equal(err.type, "bad-gfp");
	assert_int_equal(alloc_pages(&p, __GFP_MOVABLE | __GFP_RECLAIMABLE, 0,
				     OWNER_NONE, 0, &res, &err), MM_EINVAL);
	assert_string_equal(err.type, "bad-gfp");
	assert_int_equal(alloc_pages(&p, GFP_KERNEL | 0x1000000, 0,
				     OWNER_NONE, 0, &res, &err), MM_EINVAL);
	assert_string_equal(err.type, "bad-gfp");
	assert_string_equal(err.field, "gfp");
	after = dump_state(&p);
	assert_string_equal(before, after);
	free(before);
	free(after);
	pglist_free(&p);
}

/* --- frame info -------------------------------------------------------- */

static void test_frame_info(void **state)
{
	struct pglist_data p;
	struct frame_info fi;
	pfn_t blk;

	(void)state;
	build_node(&p, &machine_a);
	blk = alloc_ok(&p, GFP_HIGHUSER_MOVABLE, 3);
	assert_int_equal(alloc_pages(&p, GFP_KERNEL, 1, OWNER_SLAB, 77, &res,
				     NULL), MM_OK);

	page_frame_info(&p, 0, &fi);
	assert_int_equal(fi.state, FRAME_HOLE);
	assert_int_equal(fi.zone, -1);
	page_frame_info(&p, 200, &fi);
	assert_int_equal(fi.state, FRAME_HOLE);
	assert_int_equal(fi.zone, ZONE_DMA);
	page_frame_info(&p, 50000, &fi);
	assert_int_equal(fi.state, FRAME_HOLE);
	assert_int_equal(fi.zone, -1);

	page_frame_info(&p, 4200, &fi);
	assert_int_equal(fi.state, FRAME_RESERVED);
	assert_int_equal(fi.zone, ZONE_NORMAL);
	assert_int_equal(fi.migratetype, MIGRATE_MOVABLE);

	page_frame_info(&p, 3072 + 700, &fi);
	assert_int_equal(fi.state, FRAME_FREE);
	assert_int_equal(fi.head, 3072);
	assert_int_equal(fi.order, 10);
	assert_int_equal(fi.migratetype, MIGRATE_MOVABLE);
	page_frame_info(&p, 300, &fi);
	assert_int_equal(fi.state, FRAME_FREE);
	assert_int_equal(fi.head, 256);
	assert_int_equal(fi.order, 8);
	assert_int_equal(fi.migratetype, MIGRATE_UNMOVABLE);

	page_frame_info(&p, blk + 5, &fi);
	assert_int_equal(fi.state, FRAME_ALLOCATED);
	assert_int_equal(fi.head, blk);
	assert_int_equal(fi.order, 3);
	assert_int_equal(fi.zone, ZONE_HIGHMEM);
	assert_int_equal(fi.gfp, GFP_HIGHUSER_MOVABLE);
	assert_int_equal(fi.owner, OWNER_NONE);

	page_frame_info(&p, res.pfn + 1, &fi);
	assert_int_equal(fi.state, FRAME_ALLOCATED);
	assert_int_equal(fi.head, res.pfn);
	assert_int_equal(fi.owner, OWNER_SLAB);
	assert_int_equal(fi.owner_id, 77);
	assert_int_equal(fi.migratetype, MIGRATE_UNMOVABLE); /* stolen block */
	pglist_free(&p);
}

/* --- property: random traffic always returns to the boot state --------- */

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static void random_traffic(const struct spec *s, uint64_t seed,
			   const gfp_t *masks, unsigned nr_masks)
{
	struct pglist_data p;
	struct blk *boot, *end, *live;
	unsigned nboot, nend, nlive = 0, nok = 0, nfail = 0;
	uint32_t boot_free[MAX_NR_ZONES];

	build_node(&p, s);
	boot = blocks_of(&p.free_blocks, &nboot);
	for (int j = 0; j < MAX_NR_ZONES; j++)
		boot_free[j] = p.node_zones[j].nr_free_pages;
	live = xcalloc(40000, sizeof(*live));

	for (unsigned step = 0; step < 6000; step++) {
		uint64_t r = xorshift64(&seed);

		if (nlive == 0 || r % 5 < 3) {
			unsigned order = (r >> 8) % 8 == 0 ? (r >> 16) % 11
							   : (r >> 16) % 4;
			gfp_t gfp = masks[(r >> 24) % nr_masks];
			struct mm_error err;

			assert_int_equal(alloc_pages(&p, gfp, order,
						     OWNER_NONE, step, &res,
						     &err), MM_OK);
			if (res.ok) {
				live[nlive].pfn = res.pfn;
				live[nlive].order = order;
				nlive++;
				nok++;
			} else {
				nfail++;
			}
		} else {
			unsigned i = (unsigned)((r >> 8) % nlive);

			free_ok(&p, live[i].pfn, live[i].order);
			live[i] = live[--nlive];
		}
		if (step % 500 == 0) {
			check_consistent(&p);
			check_no_overlap(&p, s);
		}
	}
	assert_true(nok > 1000);
	assert_true(nfail > 0);	/* memory ran out at times */
	check_no_overlap(&p, s);
	while (nlive) {
		nlive--;
		free_ok(&p, live[nlive].pfn, live[nlive].order);
	}
	check_consistent(&p);
	end = blocks_of(&p.free_blocks, &nend);
	assert_int_equal(nend, nboot);
	for (unsigned i = 0; i < nboot; i++) {
		assert_int_equal(end[i].pfn, boot[i].pfn);
		assert_int_equal(end[i].order, boot[i].order);
	}
	for (int j = 0; j < MAX_NR_ZONES; j++)
		assert_int_equal(p.node_zones[j].nr_free_pages, boot_free[j]);
	assert_int_equal(p.alloc_blocks.count, 0);
	free(boot);
	free(end);
	free(live);
	pglist_free(&p);
}

static void test_random_traffic(void **state)
{
	static const gfp_t masks[] = {
		GFP_KERNEL, GFP_KERNEL, GFP_ATOMIC, GFP_HIGHUSER_MOVABLE,
		GFP_HIGHUSER_MOVABLE, GFP_HIGHUSER, GFP_DMA, GFP_NOWAIT,
		GFP_KERNEL | __GFP_RECLAIMABLE, GFP_KERNEL | __GFP_MOVABLE,
		GFP_DMA | __GFP_MOVABLE, GFP_ATOMIC | __GFP_MEMALLOC,
		GFP_USER | __GFP_ZERO,
	};

	(void)state;
	random_traffic(&machine_a, 0x9e3779b97f4a7c15ull, masks,
		       ARRAY_SIZE(masks));
	random_traffic(&machine_a, 12345, masks, ARRAY_SIZE(masks));
}

static void test_random_traffic_pae(void **state)
{
	/* No __GFP_ATOMIC: a HighAtomic pageblock never merges with its
	 * order-9 neighbour of another type, and the model never gives the
	 * reserve back, so with it the final blocks could legitimately
	 * differ. */
	static const gfp_t masks[] = {
		GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_HIGHUSER, GFP_DMA,
		GFP_KERNEL | __GFP_RECLAIMABLE, GFP_KERNEL | __GFP_MOVABLE,
		GFP_NOWAIT,
	};

	(void)state;
	random_traffic(&machine_pae, 777, masks, ARRAY_SIZE(masks));
}

/* --- real-kernel watermark vectors ------------------------------------- */

static void wmark_node(struct pglist_data *p, unsigned pb_order,
		       uint32_t dma, uint32_t normal, uint32_t high,
		       int movable_zone)
{
	memset(p, 0, sizeof(*p));
	p->pageblock_order = pb_order;
	p->nr_cpus = 1;
	p->movable_zone = movable_zone;
	p->node_zones[ZONE_DMA].managed_pages = dma;
	p->node_zones[ZONE_DMA].present_pages = dma ? 3998 : 0;
	p->node_zones[ZONE_NORMAL].managed_pages = normal;
	p->node_zones[ZONE_NORMAL].present_pages = normal;
	p->node_zones[ZONE_HIGHMEM].managed_pages = high;
	p->node_zones[ZONE_HIGHMEM].present_pages = high;
	for (int j = 0; j < MAX_NR_ZONES; j++)
		p->node_zones[j].idx = (enum zone_type)j;
}

static void expect_wmarks(const struct zone *z, uint32_t min, uint32_t low,
			  uint32_t high)
{
	assert_int_equal(z->watermark[WMARK_MIN], min);
	assert_int_equal(z->watermark[WMARK_LOW], low);
	assert_int_equal(z->watermark[WMARK_HIGH], high);
}

static void expect_reserve(const struct zone *z, uint32_t a, uint32_t b,
			   uint32_t c, uint32_t d)
{
	assert_int_equal(z->lowmem_reserve[0], a);
	assert_int_equal(z->lowmem_reserve[1], b);
	assert_int_equal(z->lowmem_reserve[2], c);
	assert_int_equal(z->lowmem_reserve[3], d);
}

/* 686, -m 2G: /proc/zoneinfo of the real 6.1 kernel */
static void test_wmarks_686_2g(void **state)
{
	struct pglist_data p;
	const struct zone *z = p.node_zones;

	(void)state;
	wmark_node(&p, 10, 3840, 206504, 300002, ZONE_HIGHMEM);
	calculate_min_free_kbytes(&p);
	assert_int_equal(p.min_free_kbytes, 3669);
	setup_per_zone_wmarks(&p);
	setup_per_zone_lowmem_reserve(&p);
	/* khugepaged: 11 pageblocks per lowmem zone = 22528 pages, capped
	 * at 5% of nr_free_buffer_pages() = 208970 / 20 = 10448 */
	assert_int_equal(nr_free_buffer_pages(&p), 208970);
	set_recommended_min_free_kbytes(&p);
	assert_int_equal(p.min_free_kbytes, 41792);
	setup_zone_pagesets(&p);

	expect_wmarks(&z[ZONE_DMA], 190, 237, 284);
	expect_wmarks(&z[ZONE_NORMAL], 10257, 12821, 15385);
	expect_wmarks(&z[ZONE_HIGHMEM], 128, 3853, 7578);
	expect_wmarks(&z[ZONE_MOVABLE], 32, 32, 32);
	expect_reserve(&z[ZONE_DMA], 0, 806, 1978, 1978);
	expect_reserve(&z[ZONE_NORMAL], 0, 0, 9375, 9375);
	expect_reserve(&z[ZONE_HIGHMEM], 0, 0, 0, 0);
	assert_int_equal(z[ZONE_DMA].pcp_batch, 1);
	assert_int_equal(z[ZONE_DMA].pcp_high, 237);
	assert_int_equal(z[ZONE_NORMAL].pcp_batch, 63);
	assert_int_equal(z[ZONE_NORMAL].pcp_high, 12821);
	assert_int_equal(z[ZONE_HIGHMEM].pcp_batch, 63);
	assert_int_equal(z[ZONE_HIGHMEM].pcp_high, 3853);

	/* freeing init memory later grows Normal; watermarks stay */
	p.node_zones[ZONE_NORMAL].managed_pages = 206993;
	calculate_totalreserve_pages(&p);
	assert_int_equal(p.totalreserve_pages, 34600);

	/* two CPUs split pcp->high */
	p.nr_cpus = 2;
	setup_zone_pagesets(&p);
	assert_int_equal(z[ZONE_NORMAL].pcp_high, 6410);
	assert_int_equal(z[ZONE_DMA].pcp_high, 118);
}

/* 686, -m 512M: no HighMem, Movable would borrow from Normal, no THP */
static void test_wmarks_686_512m(void **state)
{
	struct pglist_data p;
	const struct zone *z = p.node_zones;

	(void)state;
	wmark_node(&p, 10, 3840, 117226, 0, ZONE_NORMAL);
	calculate_min_free_kbytes(&p);
	setup_per_zone_wmarks(&p);
	setup_per_zone_lowmem_reserve(&p);
	setup_zone_pagesets(&p);
	assert_int_equal(p.min_free_kbytes, 2783);
	expect_wmarks(&z[ZONE_DMA], 22, 27, 32);
	expect_wmarks(&z[ZONE_NORMAL], 672, 840, 1008);
	expect_wmarks(&z[ZONE_HIGHMEM], 32, 32, 32);
	expect_wmarks(&z[ZONE_MOVABLE], 0, 0, 0);
	expect_reserve(&z[ZONE_DMA], 0, 457, 457, 457);
	expect_reserve(&z[ZONE_NORMAL], 0, 0, 0, 0);
	assert_int_equal(z[ZONE_NORMAL].pcp_batch, 31);
	assert_int_equal(z[ZONE_NORMAL].pcp_high, 840);
	assert_int_equal(z[ZONE_DMA].pcp_batch, 1);
}

/* 686-pae, -m 2G: pageblock_order 9 */
static void test_wmarks_pae_2g(void **state)
{
	struct pglist_data p;
	const struct zone *z = p.node_zones;

	(void)state;
	wmark_node(&p, 9, 3840, 207484, 298978, ZONE_HIGHMEM);
	calculate_min_free_kbytes(&p);
	assert_int_equal(p.min_free_kbytes, 3677);
	setup_per_zone_wmarks(&p);
	setup_per_zone_lowmem_reserve(&p);
	set_recommended_min_free_kbytes(&p);
	/* 11 * 512 * 2 = 11264 > 209948 / 20 = 10497 */
	assert_int_equal(p.min_free_kbytes, 10497 * 4);
	expect_wmarks(&z[ZONE_DMA], 190, 237, 284);
	expect_wmarks(&z[ZONE_NORMAL], 10306, 12882, 15458);
	expect_wmarks(&z[ZONE_HIGHMEM], 128, 3840, 7552);
	expect_wmarks(&z[ZONE_MOVABLE], 32, 32, 32);
	expect_reserve(&z[ZONE_DMA], 0, 810, 1978, 1978);
	expect_reserve(&z[ZONE_NORMAL], 0, 0, 9343, 9343);
	assert_int_equal(z[ZONE_NORMAL].pcp_batch, 63);
	assert_int_equal(z[ZONE_HIGHMEM].pcp_batch, 63);
}

static void test_min_free_kbytes_clamps(void **state)
{
	struct pglist_data p;

	(void)state;
	/* 1000 pages of lowmem: 4 * sqrt(4000) = 252 */
	wmark_node(&p, 10, 1000, 0, 0, ZONE_NORMAL);
	calculate_min_free_kbytes(&p);
	assert_int_equal(p.min_free_kbytes, 252);
	/* 100 pages: 80 -> clamped up to 128 */
	wmark_node(&p, 10, 100, 0, 0, ZONE_NORMAL);
	calculate_min_free_kbytes(&p);
	assert_int_equal(p.min_free_kbytes, 128);
}

static void test_names(void **state)
{
	struct pglist_data p;

	(void)state;
	assert_string_equal(zone_name(ZONE_DMA), "DMA");
	assert_string_equal(zone_name(ZONE_NORMAL), "Normal");
	assert_string_equal(zone_name(ZONE_HIGHMEM), "HighMem");
	assert_string_equal(zone_name(ZONE_MOVABLE), "Movable");
	assert_string_equal(migratetype_name(MIGRATE_UNMOVABLE), "Unmovable");
	assert_string_equal(migratetype_name(MIGRATE_MOVABLE), "Movable");
	assert_string_equal(migratetype_name(MIGRATE_RECLAIMABLE),
			    "Reclaimable");
	assert_string_equal(migratetype_name(MIGRATE_HIGHATOMIC), "HighAtomic");
	assert_string_equal(migratetype_name(MIGRATE_ISOLATE), "Isolate");
	memset(&p, 0, sizeof(p));
	p.movable_zone = ZONE_HIGHMEM;
	assert_true(zone_is_highmem(&p, ZONE_HIGHMEM));
	assert_true(zone_is_highmem(&p, ZONE_MOVABLE));
	assert_false(zone_is_highmem(&p, ZONE_NORMAL));
	p.movable_zone = ZONE_NORMAL;
	assert_false(zone_is_highmem(&p, ZONE_MOVABLE));
	assert_true(zone_is_highmem(&p, ZONE_HIGHMEM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_free_lists),
		cmocka_unit_test(test_boot_watermarks),
		cmocka_unit_test(test_pae_boot),
		cmocka_unit_test(test_alloc_sequence),
		cmocka_unit_test(test_split_merge_head_tail),
		cmocka_unit_test(test_no_merge_across_zones),
		cmocka_unit_test(test_highmem_falls_back_to_normal),
		cmocka_unit_test(test_watermark_refusal),
		cmocka_unit_test(test_memalloc_ignores_watermarks),
		cmocka_unit_test(test_steal_whole_pageblock),
		cmocka_unit_test(test_steal_partial_pageblock),
		cmocka_unit_test(test_movable_fallback_takes_smallest),
		cmocka_unit_test(test_movable_fallback_claims_big_block),
		cmocka_unit_test(test_steal_counts_alike_pages),
		cmocka_unit_test(test_pageblock_past_zone_end),
		cmocka_unit_test(test_order9_free_goes_to_head),
		cmocka_unit_test(test_pae_highatomic_does_not_merge),
		cmocka_unit_test(test_steal_moves_to_tail),
		cmocka_unit_test(test_highatomic_reserve),
		cmocka_unit_test(test_pcp_refill_batch),
		cmocka_unit_test(test_pcp_lifo),
		cmocka_unit_test(test_pcp_free_over_high),
		cmocka_unit_test(test_free_errors),
		cmocka_unit_test(test_alloc_errors),
		cmocka_unit_test(test_frame_info),
		cmocka_unit_test(test_random_traffic),
		cmocka_unit_test(test_random_traffic_pae),
		cmocka_unit_test(test_wmarks_686_2g),
		cmocka_unit_test(test_wmarks_686_512m),
		cmocka_unit_test(test_wmarks_pae_2g),
		cmocka_unit_test(test_min_free_kbytes_clamps),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

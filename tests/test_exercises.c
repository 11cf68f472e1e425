/*
 * test_exercises.c - the exercises layer: for every type, 100 seeds give
 * valid variants (the number of distinct questions is printed); a key
 * worked out a second way (the setup and reveal run again through api_op
 * on a fresh machine, and the answer derived from the raw results by
 * this file's own reasoning, not the type's) agrees with the grader; a
 * right answer scores full marks and each wrong field loses exactly its
 * credit; malformed fields are format errors; the same (type, seed,
 * version) gives byte-identical JSON.  And the answer parser itself.
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
#include "exercise.h"

#define NR_SEEDS 100
#define MiB (1ull << 20)

/* --- helpers ------------------------------------------------------------------ */

static struct ex_variant *variant(const char *type, uint64_t seed)
{
	struct mm_error err = { 0 };
	struct ex_variant *v = NULL;

	if (ex_variant_new(type, seed, EX_GEN_VERSION, &v, &err))
		fail_msg("%s seed %llu: %s: %s", type, (unsigned long long)seed,
			 err.type, err.detail);
	return v;
}

static uint64_t num(const json_t *obj, const char *key)
{
	uint64_t v = 0;

	if (api_get_u64(json_object_get(obj, key), &v))
		fail_msg("%s is not a number", key);
	return v;
}

static const char *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (!s)
		fail_msg("%s is not a string", key);
	return s;
}

/* The catalogue entry of a type: its fields. */
static json_t *fields_of(const char *type)
{
	json_t *cat = ex_catalogue_json();

	for (size_t i = 0; i < json_array_size(cat); i++) {
		json_t *t = json_array_get(cat, i);

		if (!strcmp(str(t, "type"), type)) {
			json_t *f = json_incref(json_object_get(t, "fields"));

			json_decref(cat);
			return f;
		}
	}
	fail_msg("no type %s", type);
	return NULL;
}

/* --- the second path: replay through api_op, derive the key here --------------- */

/* Boot the variant's config, run its setup and reveal; the reveal's
 * results in order. */
static json_t *replay(const struct ex_variant *v)
{
	const json_t *setup = ex_variant_setup(v), *rev = ex_reveal_ops(v);
	struct mm_error err = { 0 };
	struct machine *m = NULL;
	json_t *out = json_array(), *r;

	assert_int_equal(api_machine_boot(ex_variant_config(v), &m, &err), 0);
	for (size_t i = 0; i < json_array_size(setup); i++) {
		const json_t *o = json_array_get(setup, i);

		if (api_op(m, str(o, "op"), json_object_get(o, "args"), &r, &err))
			fail_msg("setup %s: %s", str(o, "op"), err.detail);
		json_decref(r);
	}
	for (size_t i = 0; i < json_array_size(rev); i++) {
		const json_t *o = json_array_get(rev, i);

		if (json_object_get(o, "report"))
			assert_int_equal(api_report(m, str(o, "report"), false,
						    &r, NULL, &err), 0);
		else if (api_op(m, str(o, "op"), json_object_get(o, "args"), &r,
				&err))
			fail_msg("reveal %s: %s", str(o, "op"), err.detail);
		json_array_append_new(out, r);
	}
	machine_free(m);
	return out;
}

static const json_t *res(const json_t *rs, size_t i)
{
	const json_t *r = json_array_get(rs, i);

	assert_non_null(r);
	return r;
}

/* Which reveal item is op (or report) name. */
static const json_t *res_of(const struct ex_variant *v, const json_t *rs,
			    const char *name)
{
	const json_t *rev = ex_reveal_ops(v);

	for (size_t i = 0; i < json_array_size(rev); i++) {
		const json_t *o = json_array_get(rev, i);
		const char *n = json_string_value(json_object_get(o, "op"));

		if (!n)
			n = json_string_value(json_object_get(o, "report"));
		if (!strcmp(n, name))
			return res(rs, i);
	}
	fail_msg("no reveal item %s", name);
	return NULL;
}

static uint64_t entry_of(const json_t *step)
{
	return num(step, "entry");
}

/* What the entry at phys holds, read from RAM, little-endian. */
static uint64_t read_entry(const struct ex_variant *v, uint64_t phys,
			   unsigned len)
{
	struct mm_error err = { 0 };
	struct machine *m = NULL;
	json_t *r = NULL, *args = json_pack("{s:I, s:i}", "phys",
					    (json_int_t)phys, "len", (int)len);
	const json_t *setup = ex_variant_setup(v);
	const char *hex;
	uint64_t val = 0;

	assert_int_equal(api_machine_boot(ex_variant_config(v), &m, &err), 0);
	for (size_t i = 0; i < json_array_size(setup); i++) {
		const json_t *o = json_array_get(setup, i);

		assert_int_equal(api_op(m, str(o, "op"),
					json_object_get(o, "args"), &r, &err), 0);
		json_decref(r);
	}
	assert_int_equal(api_op(m, "read", args, &r, &err), 0);
	hex = str(r, "hex");
	for (int i = (int)len - 1; i >= 0; i--) {
		unsigned byte;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
		val = val << 8 | byte;
	}
	json_decref(r);
	json_decref(args);
	machine_free(m);
	return val;
}

static json_t *key_zone(const struct ex_variant *v, const json_t *rs)
{
	const json_t *a = res_of(v, rs, "alloc_pages");

	return json_pack("{s:s, s:b}", "zone", str(a, "zone"), "linear_map",
			 !json_is_null(json_object_get(a, "virt")));
}

static json_t *key_kvmalloc(const struct ex_variant *v, const json_t *rs)
{
	const json_t *k = res_of(v, rs, "kmalloc"), *vm = res_of(v, rs, "vmalloc");
	const json_t *blk = json_object_get(k, json_is_true(json_object_get(
					k, "large")) ? "block" : "slab");
	const json_t *pages = json_object_get(vm, "pages");
	uint64_t b = num(blk, "pfn") << 12;
	bool kc = num(k, "phys") >= b &&
		  num(k, "phys") + num(k, "size") <= b + num(blk, "pages") * 4096;
	bool vc = true;

	for (size_t i = 1; i < json_array_size(pages); i++)
		if (num(json_array_get(pages, i), "pfn") !=
		    num(json_array_get(pages, i - 1), "pfn") + 1)
			vc = false;
	return json_pack("{s:b, s:s, s:b, s:s, s:I}", "kmalloc_contiguous", kc,
			 "kmalloc_zone", str(blk, "zone"), "vmalloc_contiguous",
			 vc, "vmalloc_zone", str(json_array_get(pages, 0), "zone"),
			 "vmalloc_frames", (json_int_t)json_array_size(pages));
}

static json_t *key_kmalloc_size(const struct ex_variant *v, const json_t *rs)
{
	const json_t *k = res_of(v, rs, "kmalloc");
	const json_t *cache = json_object_get(k, "cache");

	return json_pack("{s:s, s:I, s:I}", "cache",
			 json_is_null(cache) ? "none" : json_string_value(cache),
			 "object_size", (json_int_t)num(k, "ksize"), "wasted",
			 (json_int_t)(num(k, "ksize") - num(k, "size")));
}

/* From the first block's range: the second is in it or not. */
static json_t *key_buddy(const struct ex_variant *v, const json_t *rs)
{
	const json_t *fa = res(rs, 0), *fb = res(rs, 1);
	uint64_t head = num(fa, "head"), end = head + (1ull << num(fa, "order"));
	uint64_t b = num(fb, "pfn");

	assert_string_equal(str(json_array_get(ex_reveal_ops(v), 0), "op"),
			    "frame");
	assert_string_equal(str(fa, "state"), "free");
	assert_true(num(fa, "pfn") >= head && num(fa, "pfn") < end);
	return json_pack("{s:b, s:o, s:I}", "merged", b >= head && b < end,
			 "head", api_hex(head), "order",
			 (json_int_t)num(fa, "order"));
}

/* From the layout, not from translate's own linear_pa. */
static json_t *key_linear_pa(const struct ex_variant *v, const json_t *rs)
{
	const json_t *l = res_of(v, rs, "layout"), *t = res_of(v, rs, "translate");
	uint64_t a = num(t, "addr"), po = num(l, "PAGE_OFFSET");
	bool in = a >= po && a < num(l, "high_memory");

	return json_pack("{s:b, s:o}", "linear", in, "phys",
			 in ? api_hex(a - po) : json_null());
}

/* From the address bits, cr3 and the entries themselves, and the entries
 * checked against what RAM holds at their addresses. */
static json_t *key_walk2(const struct ex_variant *v, const json_t *rs)
{
	const json_t *t = res_of(v, rs, "translate");
	const json_t *steps = json_object_get(t, "steps");
	uint64_t a = num(t, "addr"), cr3 = num(t, "cr3");
	uint64_t pde_addr = cr3 + 4 * (a >> 22);
	uint64_t pde = entry_of(json_array_get(steps, 0));
	uint64_t pte_addr = (pde & ~0xfffull) + 4 * ((a >> 12) & 0x3ff);
	uint64_t pte = entry_of(json_array_get(steps, 1));

	assert_int_equal(read_entry(v, pde_addr, 4), pde);
	assert_int_equal(read_entry(v, pte_addr, 4), pte);
	return json_pack("{s:I, s:o, s:I, s:o, s:o}", "pgd_index",
			 (json_int_t)(a >> 22), "pde_addr", api_hex(pde_addr),
			 "pte_index", (json_int_t)((a >> 12) & 0x3ff),
			 "pte_addr", api_hex(pte_addr), "phys",
			 api_hex((pte & ~0xfffull) | (a & 0xfff)));
}

static json_t *key_walk_pae(const struct ex_variant *v, const json_t *rs)
{
	const json_t *t = res_of(v, rs, "translate");
	const json_t *steps = json_object_get(t, "steps");
	const uint64_t frame = 0xffffff000ull;	/* bits 35-12 */
	uint64_t a = num(t, "addr");
	uint64_t pmd = entry_of(json_array_get(steps, 1));
	uint64_t pte_addr = (pmd & frame) + 8 * ((a >> 12) & 0x1ff);
	uint64_t pte = entry_of(json_array_get(steps, 2));

	assert_int_equal(read_entry(v, pte_addr, 8), pte);
	return json_pack("{s:I, s:I, s:I, s:o, s:o, s:b, s:I}",
			 "pgd_index", (json_int_t)(a >> 30),
			 "pmd_index", (json_int_t)((a >> 21) & 0x1ff),
			 "pte_index", (json_int_t)((a >> 12) & 0x1ff),
			 "pte_addr", api_hex(pte_addr),
			 "phys", api_hex((pte & frame) | (a & 0xfff)),
			 "nx", (int)(pte >> 63), "user_space",
			 (json_int_t)num(res_of(v, rs, "layout"), "PAGE_OFFSET"));
}

/* By reasoning alone: the distinct page-table spans of the pages
 * written, 4 MiB or 2 MiB as the kernel is PAE or not. */
static json_t *key_ptpages(const struct ex_variant *v, const json_t *rs)
{
	bool pae = json_is_true(json_object_get(ex_variant_config(v), "pae"));
	const json_t *rev = ex_reveal_ops(v);
	unsigned shift = pae ? 21 : 22, n = 0;
	uint64_t seen[64];

	(void)rs;
	for (size_t i = 0; i < json_array_size(rev); i++) {
		const json_t *args = json_object_get(json_array_get(rev, i),
						     "args");
		uint64_t span;
		bool dup = false;

		if (!json_object_get(args, "addr"))
			continue;
		span = num(args, "addr") >> shift;
		for (unsigned k = 0; k < n; k++)
			dup |= seen[k] == span;
		if (!dup) {
			assert_true(n < 64);
			seen[n++] = span;
		}
	}
	return json_pack("{s:i, s:i, s:I}", "tables", (int)n, "entries",
			 pae ? 512 : 1024, "coverage",
			 (json_int_t)(1ull << shift));
}

/* The error code from the walk's bit names, the outcome from the signal
 * and the handler's flags. */
static json_t *key_fault(const struct ex_variant *v, const json_t *rs)
{
	const json_t *r = res_of(v, rs, "access");
	const json_t *walk = json_object_get(r, "walk");
	const json_t *bits = json_object_get(json_object_get(walk, "fault"),
					     "bits");
	const json_t *f = json_object_get(r, "fault");
	const json_t *sig = json_object_get(r, "signal");
	json_int_t code = 0;
	const char *out;

	for (size_t i = 0; i < json_array_size(bits); i++) {
		const char *b = json_string_value(json_array_get(bits, i));

		code |= !strcmp(b, "PROT") ? 1 : !strcmp(b, "WRITE") ? 2
			: !strcmp(b, "USER") ? 4 : !strcmp(b, "INSTR") ? 16 : 0;
	}
	if (json_is_true(json_object_get(walk, "ok")))
		out = "none";
	else if (json_is_object(sig))
		out = !strcmp(str(sig, "si_code"), "SEGV_MAPERR")
		      ? "segv_maperr" : "segv_accerr";
	else if (json_is_true(json_object_get(f, "cow_copy")))
		out = "cow_copy";
	else if (json_is_true(json_object_get(f, "cow_reuse")))
		out = "cow_reuse";
	else if (json_is_true(json_object_get(f, "zero_page")) &&
		 num(f, "frames_taken") == 0)
		out = "zero_page";
	else
		out = "new_page";
	return json_pack("{s:b, s:I, s:s}", "fault",
			 !json_is_true(json_object_get(walk, "ok")),
			 "error_code", code, "outcome", out);
}

/* The frame from pagemap and kmap agreeing, the address from the layout,
 * the data from the bytes read back against the text written. */
static json_t *key_alias(const struct ex_variant *v, const json_t *rs)
{
	const json_t *l = res_of(v, rs, "layout"), *pm = res_of(v, rs, "pagemap");
	const json_t *km = res_of(v, rs, "kmap"), *rd = res_of(v, rs, "uread");
	const json_t *rev = ex_reveal_ops(v), *w = NULL;
	uint64_t pfn = num(json_array_get(json_object_get(pm, "pages"), 0), "pfn");
	bool low = pfn < num(l, "max_low_pfn");
	char hex[80] = "";
	const char *t;

	for (size_t i = 0; i < json_array_size(rev); i++) {
		const json_t *o = json_array_get(rev, i);
		const char *op = json_string_value(json_object_get(o, "op"));

		if (op && !strcmp(op, "write"))
			w = json_object_get(o, "args");
	}
	assert_non_null(w);
	t = str(w, "text");
	for (size_t i = 0; t[i]; i++)
		sprintf(hex + 2 * i, "%02x", (unsigned char)t[i]);
	assert_int_equal(num(km, "pfn"), pfn);
	assert_int_equal(num(km, "addr"), low
			 ? num(l, "PAGE_OFFSET") + (pfn << 12)
			 : num(l, "PKMAP_BASE") + num(km, "slot") * 4096);
	return json_pack("{s:o, s:o, s:b, s:b}", "pfn", api_hex(pfn), "kaddr",
			 api_hex(num(km, "addr")), "lowmem", low, "same_data",
			 !strcmp(str(rd, "hex"), hex));
}

/* From the layout's region list, not its pfn fields. */
static json_t *key_lowmem(const struct ex_variant *v, const json_t *rs)
{
	const json_t *l = res_of(v, rs, "layout");
	const json_t *regions = json_object_get(l, "regions");
	uint64_t low = 0, ram = 0;

	for (size_t i = 0; i < json_array_size(regions); i++)
		if (!strcmp(str(json_array_get(regions, i), "name"), "lowmem"))
			low = num(json_array_get(regions, i), "size");
	ram = num(l, "max_pfn") << 12;
	return json_pack("{s:I, s:I, s:s}", "lowmem", (json_int_t)low,
			 "highmem", (json_int_t)(ram - low), "limited_by",
			 ram == low ? "ram" : "address_space");
}

static json_t *key_kmap(const struct ex_variant *v, const json_t *rs)
{
	const json_t *l = res_of(v, rs, "layout");
	const json_t *rev = ex_reveal_ops(v);
	const json_t *r = res(rs, json_array_size(rev) - 1);
	bool local = !strcmp(str(json_array_get(rev, json_array_size(rev) - 1),
				 "op"), "kmap_local_page");
	const char *win = json_is_true(json_object_get(r, "lowmem")) ? "linear"
			  : local ? "fixmap" : "pkmap";
	uint64_t a = num(r, "addr");

	if (!strcmp(win, "linear"))
		assert_int_equal(a, num(l, "PAGE_OFFSET") + (num(r, "pfn") << 12));
	else if (!strcmp(win, "pkmap"))
		assert_int_equal(a, num(l, "PKMAP_BASE") + num(r, "slot") * 4096);
	else
		assert_int_equal(a, num(l, "FIXADDR_TOP") -
				 num(r, "fixmap_index") * 4096);
	return json_pack("{s:s, s:o}", "window", win, "vaddr", api_hex(a));
}

struct type_case {
	const char *type;
	json_t *(*key)(const struct ex_variant *v, const json_t *rs);
	unsigned min_distinct;	/* of NR_SEEDS questions */
};

static const struct type_case cases[] = {
	{ "zone", key_zone, 60 },
	{ "kvmalloc", key_kvmalloc, 90 },
	{ "kmalloc_size", key_kmalloc_size, 90 },
	{ "buddy", key_buddy, 90 },
	{ "linear_pa", key_linear_pa, 90 },
	{ "walk2", key_walk2, 90 },
	{ "walk_pae", key_walk_pae, 90 },
	{ "ptpages", key_ptpages, 90 },
	{ "fault", key_fault, 80 },
	{ "kmap_alias", key_alias, 80 },
	{ "kmap", key_kmap, 60 },
	{ "lowmem", key_lowmem, 40 },
};

static const struct type_case *case_of(const char *type)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(cases[i].type, type))
			return &cases[i];
	fail_msg("no case for %s", type);
	return NULL;
}

/* --- answers built from the key ----------------------------------------------- */

/* The key as a student would type it: "none" for no address. */
static json_t *right_answer(const struct ex_variant *v)
{
	json_t *k = ex_key_json(v), *val;
	const char *name;

	json_object_foreach(k, name, val)
		if (json_is_null(val))
			json_object_set_new(k, name, json_string("none"));
	return k;
}

/* A wrong answer of the field's format. */
static json_t *wrong_value(const json_t *field, const json_t *key)
{
	const char *fmt = str(field, "format");
	uint64_t n = 0;

	if (!strcmp(fmt, "zone"))
		return json_string(strcmp(json_string_value(key), "Normal")
				   ? "Normal" : "HighMem");
	if (!strcmp(fmt, "yes/no"))
		return json_boolean(!json_is_true(key));
	if (!strcmp(fmt, "enum")) {
		const json_t *ch = json_object_get(field, "choices");

		return json_copy(json_array_get(ch, !strcmp(json_string_value(
				key), json_string_value(json_array_get(ch, 0)))));
	}
	if (!strcmp(fmt, "cache name"))
		return json_string(strcmp(json_string_value(key), "kmalloc-8")
				   ? "kmalloc-8" : "kmalloc-16");
	if (json_is_string(key) && !strcmp(json_string_value(key), "none"))
		return json_string("0x1000");
	assert_int_equal(api_get_u64(key, &n), 0);
	if (!strcmp(fmt, "size"))
		return json_integer((json_int_t)(n + 2 * MiB));
	return json_integer((json_int_t)(n + 1));
}

static void check_grades(const struct ex_variant *v, const char *type)
{
	json_t *fields = fields_of(type), *right = right_answer(v), *r = NULL;
	struct mm_error err = { 0 };
	json_int_t max;

	assert_int_equal(ex_grade(v, right, &r, &err), 0);
	max = json_integer_value(json_object_get(r, "max"));
	assert_int_equal(json_integer_value(json_object_get(r, "score")), max);
	assert_int_equal(max, (json_int_t)json_array_size(fields));
	json_decref(r);
	for (size_t i = 0; i < json_array_size(fields); i++) {
		const json_t *f = json_array_get(fields, i);
		const char *name = str(f, "name");
		json_t *ans = json_deep_copy(right), *fr;

		json_object_set_new(ans, name, wrong_value(f,
				    json_object_get(right, name)));
		assert_int_equal(ex_grade(v, ans, &r, &err), 0);
		assert_int_equal(json_integer_value(json_object_get(r, "score")),
				 max - json_integer_value(json_object_get(f, "credit")));
		fr = json_object_get(json_object_get(r, "fields"), name);
		assert_false(json_is_true(json_object_get(fr, "correct")));
		assert_true(strlen(str(fr, "feedback")) > 20);
		json_decref(r);

		/* malformed: a format error naming the field, nothing graded */
		json_object_set_new(ans, name, json_string("what?!"));
		r = NULL;
		assert_int_equal(ex_grade(v, ans, &r, &err), MM_EINVAL);
		assert_null(r);
		assert_string_equal(err.type, "bad-answer");
		assert_string_equal(err.field, name);
		json_decref(ans);
	}
	json_decref(right);
	json_decref(fields);
}

/* --- the per-type test ---------------------------------------------------------- */

static void check_type(const struct type_case *tc)
{
	char *questions[NR_SEEDS], *keys[NR_SEEDS];
	unsigned distinct = 0, answers = 0;

	for (uint64_t seed = 0; seed < NR_SEEDS; seed++) {
		struct ex_variant *v = variant(tc->type, seed);
		json_t *q = ex_variant_json(v), *rs = replay(v);
		json_t *want = tc->key(v, rs), *got = ex_key_json(v);
		char *w = json_dumps(want, JSON_SORT_KEYS);
		char *g = json_dumps(got, JSON_SORT_KEYS);

		assert_string_equal(w, g);
		questions[seed] = strdup(str(q, "question"));
		keys[seed] = strdup(g);
		check_grades(v, tc->type);
		free(w);
		free(g);
		json_decref(want);
		json_decref(got);
		json_decref(rs);
		json_decref(q);
		ex_variant_free(v);
	}
	for (unsigned i = 0; i < NR_SEEDS; i++) {
		bool seen = false;

		for (unsigned k = 0; k < i && !seen; k++)
			seen = !strcmp(questions[i], questions[k]);
		distinct += !seen;
		seen = false;
		for (unsigned k = 0; k < i && !seen; k++)
			seen = !strcmp(keys[i], keys[k]);
		answers += !seen;
	}
	/* distinct keys too: questions that differ only in wording that
	 * does not change the answer would not count for much */
	printf("    %-13s %u distinct questions, %u distinct keys, of %d "
	       "seeds\n", tc->type, distinct, answers, NR_SEEDS);
	assert_true(distinct >= tc->min_distinct);
	for (unsigned i = 0; i < NR_SEEDS; i++) {
		free(questions[i]);
		free(keys[i]);
	}
}

static void test_zone(void **state)
{
	(void)state;
	check_type(case_of("zone"));
}

static void test_kvmalloc(void **state)
{
	(void)state;
	check_type(case_of("kvmalloc"));
}

static void test_kmalloc_size(void **state)
{
	(void)state;
	check_type(case_of("kmalloc_size"));
}

static void test_buddy(void **state)
{
	(void)state;
	check_type(case_of("buddy"));
}

static void test_linear_pa(void **state)
{
	(void)state;
	check_type(case_of("linear_pa"));
}

static void test_walk2(void **state)
{
	(void)state;
	check_type(case_of("walk2"));
}

static void test_walk_pae(void **state)
{
	(void)state;
	check_type(case_of("walk_pae"));
}

static void test_ptpages(void **state)
{
	(void)state;
	check_type(case_of("ptpages"));
}

static void test_fault(void **state)
{
	(void)state;
	check_type(case_of("fault"));
}

static void test_lowmem(void **state)
{
	(void)state;
	check_type(case_of("lowmem"));
}

static void test_kmap_alias(void **state)
{
	(void)state;
	check_type(case_of("kmap_alias"));
}

static void test_kmap(void **state)
{
	(void)state;
	check_type(case_of("kmap"));
}

/* --- the rest of the interface ----------------------------------------------------- */

static void test_catalogue(void **state)
{
	json_t *cat = ex_catalogue_json();

	(void)state;
	assert_int_equal(json_array_size(cat), sizeof(cases) / sizeof(cases[0]));
	for (size_t i = 0; i < json_array_size(cat); i++) {
		const json_t *t = json_array_get(cat, i);

		assert_string_equal(str(t, "type"), cases[i].type);
		assert_true(strlen(str(t, "misconception")) > 10);
		assert_true(json_array_size(json_object_get(t, "fields")) >= 2);
	}
	json_decref(cat);
}

static void test_same_triple_same_bytes(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++)
		for (uint64_t seed = 7; seed < 10; seed++) {
			struct ex_variant *a = variant(cases[t].type, seed);
			struct ex_variant *b = variant(cases[t].type, seed);
			json_t *ja = ex_variant_json(a), *jb = ex_variant_json(b);
			json_t *ka = ex_key_json(a), *kb = ex_key_json(b);
			char *sa = json_dumps(ja, 0), *sb = json_dumps(jb, 0);
			char *ta = json_dumps(ka, 0), *tb = json_dumps(kb, 0);

			assert_string_equal(sa, sb);
			assert_string_equal(ta, tb);
			/* the question JSON holds no key or feedback */
			assert_null(json_object_get(ja, "key"));
			assert_null(strstr(sa, "feedback"));
			free(sa);
			free(sb);
			free(ta);
			free(tb);
			json_decref(ja);
			json_decref(jb);
			json_decref(ka);
			json_decref(kb);
			ex_variant_free(a);
			ex_variant_free(b);
		}
}

static void test_unknown(void **state)
{
	struct mm_error err = { 0 };
	struct ex_variant *v = NULL;

	(void)state;
	assert_int_equal(ex_variant_new("zones", 1, EX_GEN_VERSION, &v, &err),
			 MM_ENOTFOUND);
	assert_string_equal(err.type, "unknown-exercise");
	assert_string_equal(err.field, "type");
	assert_int_equal(ex_variant_new("zone", 1, EX_GEN_VERSION + 1, &v, &err),
			 MM_ENOTFOUND);
	assert_string_equal(err.type, "unknown-version");
	assert_null(v);
}

static void test_missing_and_unknown_fields(void **state)
{
	struct ex_variant *v = variant("zone", 3);
	struct mm_error err = { 0 };
	json_t *r = NULL, *a = json_pack("{s:s}", "zone", "Normal");

	(void)state;
	assert_int_equal(ex_grade(v, a, &r, &err), MM_EINVAL);
	assert_string_equal(err.field, "linear_map");
	assert_non_null(strstr(err.detail, "missing"));
	json_object_set_new(a, "linear_map", json_string("yes"));
	json_object_set_new(a, "zoen", json_string("DMA"));
	assert_int_equal(ex_grade(v, a, &r, &err), MM_EINVAL);
	assert_string_equal(err.field, "fields");
	assert_non_null(strstr(err.detail, "zoen"));
	assert_int_equal(ex_grade(v, json_array_get(a, 0), &r, &err), MM_EINVAL);
	assert_null(r);
	json_decref(a);
	ex_variant_free(v);
}

/* One answer text of a format, and the canonical JSON it must give (NULL:
 * a format error). */
static void parses(enum ex_format f, const char *given, const char *want)
{
	static const char *const choices[] = { "ram", "address_space", NULL };
	struct mm_error err = { 0 };
	json_t *g = json_loads(given, JSON_DECODE_ANY, NULL), *out = NULL;
	int rc;

	assert_non_null(g);
	rc = ex_parse_answer(f, choices, "x", g, &out, &err);
	if (!want) {
		if (rc != MM_EINVAL)
			fail_msg("%s parsed as a %s", given, ex_format_name(f));
		assert_string_equal(err.field, "x");
		assert_null(out);
	} else {
		char *s;

		if (rc)
			fail_msg("%s: %s", given, err.detail);
		s = json_dumps(out, JSON_ENCODE_ANY);
		assert_string_equal(s, want);
		free(s);
	}
	json_decref(out);
	json_decref(g);
}

static void test_answer_parsing(void **state)
{
	(void)state;
	parses(EX_FMT_SIZE, "\"8K\"", "8192");
	parses(EX_FMT_SIZE, "\" 4 MiB \"", "4194304");
	parses(EX_FMT_SIZE, "\"896M\"", "939524096");
	parses(EX_FMT_SIZE, "\"0x1000\"", "4096");
	parses(EX_FMT_SIZE, "\"100 bytes\"", "100");
	parses(EX_FMT_SIZE, "4096", "4096");
	parses(EX_FMT_SIZE, "\"8Q\"", NULL);
	parses(EX_FMT_SIZE, "\"0x10K\"", NULL);
	parses(EX_FMT_SIZE, "\"-4K\"", NULL);
	parses(EX_FMT_SIZE, "\"99999999999999999999G\"", NULL);
	/* never octal, and no longer ten: a format error (no attempt) */
	parses(EX_FMT_COUNT, "\"010\"", NULL);
	parses(EX_FMT_PFN, "\" 0100 \"", NULL);
	parses(EX_FMT_SIZE, "\"08K\"", NULL);
	parses(EX_FMT_COUNT, "\"0\"", "0");
	parses(EX_FMT_PFN, "\"0x0100\"", "256");
	parses(EX_FMT_COUNT, "\"0x3FF\"", "1023");
	parses(EX_FMT_COUNT, "-1", NULL);
	parses(EX_FMT_COUNT, "1.5", NULL);
	parses(EX_FMT_COUNT, "\"0x\"", NULL);
	/* 2^72: the digits must not wrap round to a small number */
	parses(EX_FMT_COUNT, "\"0x1000000000000000000\"", NULL);
	parses(EX_FMT_ADDRESS, "\"0x10000000000000005\"", NULL);
	parses(EX_FMT_COUNT, "\"0x4000000000000000\"", "4611686018427387904");
	parses(EX_FMT_COUNT, "\"\"", NULL);
	parses(EX_FMT_PFN, "\"0x36bfe\"", "224254");
	parses(EX_FMT_ADDRESS, "\"0xC0100000\"", "3222274048");
	parses(EX_FMT_ADDRESS, "\"None\"", "null");
	parses(EX_FMT_ADDRESS, "null", NULL);
	parses(EX_FMT_ZONE, "\"highmem\"", "\"HighMem\"");
	parses(EX_FMT_ZONE, "\"ZONE_NORMAL\"", "\"Normal\"");
	parses(EX_FMT_ZONE, "\"dma32\"", NULL);
	parses(EX_FMT_YESNO, "\"YES\"", "true");
	parses(EX_FMT_YESNO, "false", "false");
	parses(EX_FMT_YESNO, "\"maybe\"", NULL);
	parses(EX_FMT_YESNO, "1", NULL);
	parses(EX_FMT_ENUM, "\"Address_Space\"", "\"address_space\"");
	parses(EX_FMT_ENUM, "\"vmalloc\"", NULL);
	parses(EX_FMT_CACHE, "\"Kmalloc-4K\"", "\"kmalloc-4k\"");
	parses(EX_FMT_CACHE, "\"kmalloc 4k\"", NULL);
}

/* "010" was ten; now it is refused as a format, with the words to fix it. */
static void test_answer_leading_zero(void **state)
{
	struct mm_error err = { 0 };
	json_t *g = json_string(" 010 "), *out = NULL;

	(void)state;
	assert_int_equal(ex_parse_answer(EX_FMT_COUNT, NULL, "pages", g, &out,
					 &err), MM_EINVAL);
	assert_null(out);
	assert_string_equal(err.type, "bad-answer");
	assert_string_equal(err.field, "pages");
	assert_string_equal(err.detail, "field pages: \"010\" starts with a 0, "
			    "and numbers here are never octal: write \"10\" for "
			    "the decimal number or \"0x10\" for hex");
	json_decref(g);
	g = json_string("0896M");
	assert_int_equal(ex_parse_answer(EX_FMT_SIZE, NULL, "lowmem", g, &out,
					 &err), MM_EINVAL);
	assert_string_equal(err.detail, "field lowmem: \"0896M\" starts with a "
			    "0, and numbers here are never octal: write \"896M\" "
			    "for the decimal number");
	json_decref(g);
	/* a zone is not a number: its format's words, not the zero's */
	g = json_string("010");
	assert_int_equal(ex_parse_answer(EX_FMT_ZONE, NULL, "zone", g, &out,
					 &err), MM_EINVAL);
	assert_string_equal(err.detail, "field zone: expected a zone name: DMA, "
			    "Normal or HighMem");
	json_decref(g);
}

/* The tolerance is the field's own: lowmem within 1 MiB, not 1 MiB + 1. */
static void test_size_tolerance(void **state)
{
	struct ex_variant *v = variant("lowmem", 5);
	json_t *a = right_answer(v), *r = NULL;
	struct mm_error err = { 0 };
	uint64_t low = 0;

	(void)state;
	assert_int_equal(api_get_u64(json_object_get(a, "lowmem"), &low), 0);
	json_object_set_new(a, "lowmem", json_integer((json_int_t)(low + MiB)));
	assert_int_equal(ex_grade(v, a, &r, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "score")), 3);
	json_decref(r);
	json_object_set_new(a, "lowmem", json_integer((json_int_t)(low + MiB + 1)));
	assert_int_equal(ex_grade(v, a, &r, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "score")), 2);
	json_decref(r);
	json_decref(a);
	ex_variant_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_answer_parsing),
		cmocka_unit_test(test_answer_leading_zero),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_missing_and_unknown_fields),
		cmocka_unit_test(test_size_tolerance),
		cmocka_unit_test(test_same_triple_same_bytes),
		cmocka_unit_test(test_zone),
		cmocka_unit_test(test_kvmalloc),
		cmocka_unit_test(test_kmalloc_size),
		cmocka_unit_test(test_buddy),
		cmocka_unit_test(test_linear_pa),
		cmocka_unit_test(test_walk2),
		cmocka_unit_test(test_walk_pae),
		cmocka_unit_test(test_ptpages),
		cmocka_unit_test(test_fault),
		cmocka_unit_test(test_kmap_alias),
		cmocka_unit_test(test_kmap),
		cmocka_unit_test(test_lowmem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_gfp.c - reading, writing and classifying gfp masks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gfp.h"
#include "mmzone.h"

static gfp_t parse_ok(const char *s)
{
	gfp_t g = 0xdeadbeef;
	char bad[32];

	assert_int_equal(gfp_parse(s, &g, bad, sizeof(bad)), 0);
	return g;
}

static void parse_bad(const char *s, const char *word)
{
	gfp_t g = 0x1234;
	char bad[32];

	assert_int_equal(gfp_parse(s, &g, bad, sizeof(bad)), -1);
	assert_string_equal(bad, word);
	assert_int_equal(g, 0x1234);	/* untouched on failure */
}

static void test_composite_values(void **state)
{
	(void)state;
	/* The 6.1 values the kernel prints (gfp_mask=0x...). */
	assert_int_equal(GFP_KERNEL, 0xcc0);
	assert_int_equal(GFP_ATOMIC, 0xa20);
	assert_int_equal(GFP_USER, 0x100cc0);
	assert_int_equal(GFP_HIGHUSER, 0x100cc2);
	assert_int_equal(GFP_HIGHUSER_MOVABLE, 0x100cca);
	assert_int_equal(GFP_NOWAIT, 0x800);
	assert_int_equal(GFP_KERNEL_ACCOUNT, 0x400cc0);
	assert_int_equal(GFP_TRANSHUGE_LIGHT, 0x1c20ca);
	assert_int_equal(GFP_TRANSHUGE, 0x1c24ca);
}

static void test_parse_names(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("GFP_KERNEL"), GFP_KERNEL);
	assert_int_equal(parse_ok("GFP_KERNEL | __GFP_ZERO"),
			 GFP_KERNEL | __GFP_ZERO);
	assert_int_equal(parse_ok("GFP_KERNEL|__GFP_ZERO"),
			 GFP_KERNEL | __GFP_ZERO);
	assert_int_equal(parse_ok("  GFP_HIGHUSER_MOVABLE  "),
			 GFP_HIGHUSER_MOVABLE);
	assert_int_equal(parse_ok("gfp_atomic"), GFP_ATOMIC);
	assert_int_equal(parse_ok("GFP_DMA | __GFP_MOVABLE"),
			 __GFP_DMA | __GFP_MOVABLE);
	assert_int_equal(parse_ok("__GFP_DMA32"), __GFP_DMA32);
	assert_int_equal(parse_ok("__GFP_RECLAIM"), __GFP_RECLAIM);
}

static void test_parse_numbers(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("0xcc0"), 0xcc0);
	assert_int_equal(parse_ok("0XCC0"), 0xcc0);
	assert_int_equal(parse_ok("3264"), 0xcc0);
	assert_int_equal(parse_ok("0"), 0);
	/* a leading zero is neither octal nor decimal: refused */
	parse_bad("010", "010");
	parse_bad("GFP_KERNEL | 0100", "0100");
	assert_int_equal(parse_ok("0x0100"), 0x100);
	assert_int_equal(parse_ok("0x100 | GFP_KERNEL"), GFP_KERNEL | 0x100);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	parse_bad("GFP_KERNAL", "GFP_KERNAL");
	parse_bad("GFP_KERNEL | __GFP_BOGUS", "__GFP_BOGUS");
	parse_bad("GFP_KERNEL |", "");
	parse_bad("", "");
	parse_bad("|GFP_KERNEL", "");
	parse_bad("0xzz", "0xzz");
	parse_bad("12abc", "12abc");
	parse_bad("0x1000000", "0x1000000");	/* not a 6.1 bit */
	parse_bad("GFP_KERNEL __GFP_ZERO", "GFP_KERNEL __GFP_ZERO");
}

static void format_is(gfp_t g, const char *want)
{
	char buf[128];

	gfp_format(g, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_format(void **state)
{
	(void)state;
	format_is(GFP_KERNEL, "GFP_KERNEL");
	format_is(GFP_KERNEL | __GFP_ZERO, "GFP_KERNEL|__GFP_ZERO");
	format_is(GFP_ATOMIC, "GFP_ATOMIC");
	format_is(GFP_HIGHUSER_MOVABLE | __GFP_ZERO,
		  "GFP_HIGHUSER_MOVABLE|__GFP_ZERO");
	format_is(GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT");
	format_is(GFP_NOWAIT | __GFP_NOWARN, "GFP_NOWAIT|__GFP_NOWARN");
	format_is(GFP_DMA, "GFP_DMA");
	format_is(GFP_KERNEL | __GFP_RECLAIMABLE,
		  "GFP_KERNEL|__GFP_RECLAIMABLE");
	format_is(__GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM");
	format_is(0, "0");
	format_is(0x1000000 | __GFP_ZERO, "__GFP_ZERO|0x1000000");
}

static void test_format_truncates(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	gfp_format(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, buf, sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

static void test_round_trip(void **state)
{
	static const gfp_t masks[] = {
		GFP_KERNEL, GFP_ATOMIC, GFP_USER, GFP_HIGHUSER,
		GFP_HIGHUSER_MOVABLE, GFP_NOWAIT, GFP_NOIO, GFP_NOFS,
		GFP_DMA, GFP_KERNEL | __GFP_ZERO | __GFP_COMP,
		GFP_ATOMIC | __GFP_NOWARN | __GFP_MEMALLOC,
		GFP_TRANSHUGE, __GFP_THISNODE | __GFP_WRITE, 0x7fffff,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		char buf[512];

		gfp_format(masks[i], buf, sizeof(buf));
		assert_int_equal(parse_ok(buf), masks[i]);
	}
	/* and every single bit */
	for (unsigned b = 0; b < 23; b++) {
		char buf[128];

		gfp_format(1u << b, buf, sizeof(buf));
		assert_int_equal(parse_ok(buf), 1u << b);
	}
}

static void test_gfp_zone_table(void **state)
{
	(void)state;
	assert_int_equal(gfp_zone(0), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_KERNEL), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_ATOMIC), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_USER), ZONE_NORMAL);
	assert_int_equal(gfp_zone(GFP_DMA), ZONE_DMA);
	assert_int_equal(gfp_zone(__GFP_HIGHMEM), ZONE_HIGHMEM);
	assert_int_equal(gfp_zone(GFP_HIGHUSER), ZONE_HIGHMEM);
	assert_int_equal(gfp_zone(__GFP_DMA32), ZONE_NORMAL);
	assert_int_equal(gfp_zone(__GFP_MOVABLE), ZONE_NORMAL);
	assert_int_equal(gfp_zone(__GFP_MOVABLE | __GFP_DMA), ZONE_DMA);
	assert_int_equal(gfp_zone(GFP_HIGHUSER_MOVABLE), ZONE_MOVABLE);
	assert_int_equal(gfp_zone(__GFP_MOVABLE | __GFP_DMA32), ZONE_NORMAL);
	/* other bits do not matter */
	assert_int_equal(gfp_zone(__GFP_RECLAIMABLE | __GFP_ZERO), ZONE_NORMAL);
}

static void test_gfp_zone_bad(void **state)
{
	static const gfp_t bad[] = {
		__GFP_DMA | __GFP_HIGHMEM,
		__GFP_DMA | __GFP_DMA32,
		__GFP_HIGHMEM | __GFP_DMA32,
		__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32,
		__GFP_MOVABLE | __GFP_DMA | __GFP_HIGHMEM,
		__GFP_MOVABLE | __GFP_DMA | __GFP_DMA32,
		__GFP_MOVABLE | __GFP_HIGHMEM | __GFP_DMA32,
		__GFP_MOVABLE | __GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gfp_zone(bad[i] | GFP_KERNEL), -1);
}

static void test_gfp_migratetype(void **state)
{
	(void)state;
	assert_int_equal(gfp_migratetype(GFP_KERNEL), MIGRATE_UNMOVABLE);
	assert_int_equal(gfp_migratetype(GFP_ATOMIC), MIGRATE_UNMOVABLE);
	assert_int_equal(gfp_migratetype(GFP_HIGHUSER_MOVABLE),
			 MIGRATE_MOVABLE);
	assert_int_equal(gfp_migratetype(GFP_KERNEL | __GFP_RECLAIMABLE),
			 MIGRATE_RECLAIMABLE);
	assert_int_equal(gfp_migratetype(__GFP_RECLAIMABLE | __GFP_MOVABLE),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_composite_values),
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_truncates),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_gfp_zone_table),
		cmocka_unit_test(test_gfp_zone_bad),
		cmocka_unit_test(test_gfp_migratetype),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_classes.c - the parts of classes that need no daemon: the keyed
 * seed (stable, and different for every different input), the checks on
 * names and times, slots, and the gradebook's exact JSON, CSV and
 * Gradescope bytes.  tests/classes.sh drives the whole flow over HTTP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classes.h"
#include "gradebook.h"
#include "server.h"

static const uint8_t key_a[CLASS_SECRET_LEN] = { 1, 2, 3, 4, 5 };
static const uint8_t key_b[CLASS_SECRET_LEN] = { 1, 2, 3, 4, 6 };

static void test_seed(void **state)
{
	uint64_t s = class_seed(key_a, "a1", "ann", 0, 0);

	(void)state;
	assert_int_equal(class_seed_init(), 0);
	/* pinned, and computed a second way: Python's hashlib.blake2b(
	 * key=key_a, digest_size=16) over the same length-prefixed bytes
	 * gives this too, so it is keyed BLAKE2b and nothing of ours */
	assert_int_equal(s, class_seed(key_a, "a1", "ann", 0, 0));
	print_message("seed(key_a, a1, ann, 0, 0) = %#llx\n",
		      (unsigned long long)s);
	assert_int_equal(s, 0x84431ceb5e7f4156ull);
	/* every part of the input counts, and so does the key */
	assert_int_not_equal(s, class_seed(key_b, "a1", "ann", 0, 0));
	assert_int_not_equal(s, class_seed(key_a, "a2", "ann", 0, 0));
	assert_int_not_equal(s, class_seed(key_a, "a1", "bob", 0, 0));
	assert_int_not_equal(s, class_seed(key_a, "a1", "ann", 1, 0));
	assert_int_not_equal(s, class_seed(key_a, "a1", "ann", 0, 1));
	/* the lengths are hashed: moving a byte between names changes it */
	assert_int_not_equal(class_seed(key_a, "a1", "nn", 0, 0),
			     class_seed(key_a, "a1n", "n", 0, 0));
}

static void test_names(void **state)
{
	static const struct { const char *name; const char *problem; } t[] = {
		{ "Ann Lee", NULL },
		{ "Zo\xc3\xab M\xc3\xbcller", NULL },
		{ "", "must not be empty" },
		{ " ann", "must not start or end with a space" },
		{ "ann ", "must not start or end with a space" },
		{ "a\tb", "must not contain control characters" },
		{ "=HYPERLINK(\"x\")", "must not start with = + - or @" },
		{ "+1", "must not start with = + - or @" },
		{ "-1", "must not start with = + - or @" },
		{ "@SUM(A1)", "must not start with = + - or @" },
		{ "0123456789012345678901234567890123456789012345678901234567890123",
		  NULL },
		{ "01234567890123456789012345678901234567890123456789012345678901234",
		  "is longer than 64 bytes" },
	};
	json_t *n = json_integer(3);

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		json_t *v = json_string(t[i].name);
		const char *p = cls_name_problem(v);

		if (t[i].problem)
			assert_string_equal(p ? p : "(accepted)", t[i].problem);
		else
			assert_null(p);
		json_decref(v);
	}
	assert_string_equal(cls_name_problem(n), "must be a string");
	json_decref(n);
}

static void test_times(void **state)
{
	int64_t t;
	json_t *j;

	(void)state;
	assert_true(cls_parse_time("2026-12-04T22:00:00Z", &t));
	assert_int_equal(t, 1796421600);
	j = srv_time_json(t);
	assert_string_equal(json_string_value(j), "2026-12-04T22:00:00Z");
	json_decref(j);
	assert_true(cls_parse_time("2028-02-29T00:00:00Z", &t));
	assert_false(cls_parse_time("2026-02-29T00:00:00Z", &t));
	assert_false(cls_parse_time("2026-12-04T24:00:00Z", &t));
	assert_false(cls_parse_time("2026-12-04 22:00:00Z", &t));
	assert_false(cls_parse_time("2026-12-04T22:00:00", &t));
	assert_false(cls_parse_time("2026-12-04T22:00:00+01:00", &t));
	assert_false(cls_parse_time("+026-12-04T22:00:00Z", &t));
	assert_false(cls_parse_time("1969-12-31T23:59:59Z", &t));
	assert_false(cls_parse_time("", &t));
}

static void test_slots(void **state)
{
	struct cls_assignment a = { .nitems = 3, .items = {
		{ "zone", 2 }, { "kvmalloc", 1 }, { "kmap", 3 } } };
	static const unsigned want[6][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 },
					     { 2, 0 }, { 2, 1 }, { 2, 2 } };

	(void)state;
	for (unsigned s = 0; s < 6; s++) {
		unsigned item, n;

		cls_slot_item(&a, s, &item, &n);
		assert_int_equal(item, want[s][0]);
		assert_int_equal(n, want[s][1]);
	}
}

/* Two columns, three students: one done, one half done, one not begun;
 * a name that needs quoting in CSV. */
static const struct gb_column cols[] = {
	{ "a1", "week 1", "zone", "Which zone", 0, 2 },
	{ "a1", "week 1", "kvmalloc", "kmalloc vs vmalloc", 1, 5 },
};
static const struct gb_cell cells[3][2] = {
	{ { "a-x1", "answered", true, 2, 1 }, { "a-x2", "revealed", true, 3, 3 } },
	{ { "a-x3", "open", true, 1, 1 }, { "a-x4", "open", false, 0, 0 } },
	{ { NULL, NULL, false, 0, 0 }, { NULL, NULL, false, 0, 0 } },
};
static const struct gb_student studs[] = {
	{ "s1", "Ann", cells[0] },
	{ "s2", "Lee, \"Bo\"", cells[1] },
	{ "s3", "Cy", cells[2] },
};
static const struct gradebook book = { "a-k2345678", "mm 101", cols, 2,
				       studs, 3 };

static void test_csv(void **state)
{
	char *csv = gb_csv(&book);

	(void)state;
	assert_string_equal(csv,
		"id,name,week 1 1 zone,week 1 2 kvmalloc,total,max\r\n"
		"s1,Ann,2,3,5,7\r\n"
		"s2,\"Lee, \"\"Bo\"\"\",1,,1,7\r\n"
		"s3,Cy,,,0,7\r\n");
	free(csv);
}

static void test_json(void **state)
{
	json_t *j = gb_json(&book);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	(void)state;
	assert_string_equal(s,
		"{\"class\":{\"code\":\"a-k2345678\",\"name\":\"mm 101\"},"
		"\"columns\":[{\"assignment\":\"a1\",\"assignment_name\":"
		"\"week 1\",\"key\":\"a1.1\",\"max\":2,\"slot\":1,\"title\":"
		"\"Which zone\",\"type\":\"zone\"},{\"assignment\":\"a1\","
		"\"assignment_name\":\"week 1\",\"key\":\"a1.2\",\"max\":5,"
		"\"slot\":2,\"title\":\"kmalloc vs vmalloc\",\"type\":"
		"\"kvmalloc\"}],\"max\":7,\"students\":["
		"{\"exercises\":{\"a1.1\":{\"attempts\":1,\"id\":\"a-x1\","
		"\"max\":2,\"score\":2,\"state\":\"answered\"},\"a1.2\":{"
		"\"attempts\":3,\"id\":\"a-x2\",\"max\":5,\"score\":3,\"state\":"
		"\"revealed\"}},\"id\":\"s1\",\"max\":7,\"name\":\"Ann\","
		"\"total\":5},"
		"{\"exercises\":{\"a1.1\":{\"attempts\":1,\"id\":\"a-x3\","
		"\"max\":2,\"score\":1,\"state\":\"open\"},\"a1.2\":{"
		"\"attempts\":0,\"id\":\"a-x4\",\"max\":5,\"score\":null,"
		"\"state\":\"open\"}},\"id\":\"s2\",\"max\":7,\"name\":"
		"\"Lee, \\\"Bo\\\"\",\"total\":1},"
		"{\"exercises\":{\"a1.1\":null,\"a1.2\":null},\"id\":\"s3\","
		"\"max\":7,\"name\":\"Cy\",\"total\":0}]}");
	free(s);
	json_decref(j);
}

static void test_gradescope(void **state)
{
	json_t *j = gb_gradescope(&book, &studs[1]);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	(void)state;
	assert_string_equal(s,
		"{\"output\":\"mmlab class a-k2345678, student Lee, \\\"Bo\\\" "
		"(s2)\",\"score\":1,\"tests\":[{\"max_score\":2,\"name\":"
		"\"week 1 1: Which zone\",\"number\":\"a1.1\",\"output\":"
		"\"exercise a-x3, open, 1 attempt\",\"score\":1,\"status\":"
		"\"failed\"},{\"max_score\":5,\"name\":\"week 1 2: kmalloc vs "
		"vmalloc\",\"number\":\"a1.2\",\"output\":\"exercise a-x4, "
		"open, 0 attempts\",\"score\":0,\"status\":\"failed\"}]}");
	free(s);
	json_decref(j);
	j = gb_gradescope(&book, NULL);
	assert_int_equal(json_array_size(json_object_get(j, "students")), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_array_get(json_object_get(j, "students"), 0), "results"),
		"output")), "mmlab class a-k2345678, student Ann (s1)");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_gradescope),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

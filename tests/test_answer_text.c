/*
 * test_answer_text.c - api_op_write writes, byte for byte, what
 * json_dumps(JSON_COMPACT) makes of api_op's result.
 *
 * Two machines booted from one configuration are twins (the model is
 * deterministic); every step runs api_op on one and api_op_write on the
 * other, and the two must agree on the code, the error, whether a
 * refusal moved state, and the answer's bytes.  The steps walk every
 * kind of translate (mapped, unmapped, large pages, faults, a process's
 * view) and kmalloc and kfree through each of their paths (cpu slab,
 * partial, new slab, large blocks, ZERO_SIZE_PTR, refusals, a slab
 * freed back to the buddy allocator).
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

struct twins {
	struct machine *a, *b;	/* a answers by api_op, b by api_op_write */
	unsigned steps;
	unsigned stories;	/* refusals with out of memory's story */
};

static void twins_boot(struct twins *t, const char *config)
{
	json_t *cfg = js(config);
	struct mm_error err;

	assert_int_equal(api_machine_boot(cfg, &t->a, &err), MM_OK);
	assert_int_equal(api_machine_boot(cfg, &t->b, &err), MM_OK);
	json_decref(cfg);
	t->steps = 0;
	t->stories = 0;
}

static void twins_free(struct twins *t)
{
	machine_free(t->a);
	machine_free(t->b);
}

/* One step on both twins; the result of api_op (NULL on a refusal). */
static json_t *step(struct twins *t, const char *op, const char *args_text)
{
	json_t *args = js(args_text), *result = NULL, *story = NULL;
	struct mm_error ea = { 0 }, eb = { 0 };
	struct strbuf text = STRBUF_INIT;
	int ra = api_op_story(t->a, op, args, &result, &story, &ea);
	int rb = api_op_write(t->b, op, args, &text, &eb);

	t->steps++;
	if (ra != rb)
		fail_msg("%s %s: api_op %d, api_op_write %d", op, args_text,
			 ra, rb);
	if (ra == MM_OK) {
		char *want = json_dumps(result, JSON_COMPACT);

		if (strcmp(want, text.buf ? text.buf : ""))
			fail_msg("%s %s:\n api_op:       %s\n api_op_write: %s",
				 op, args_text, want, text.buf);
		free(want);
	} else {
		assert_string_equal(ea.type, eb.type);
		assert_string_equal(ea.detail, eb.detail);
		assert_int_equal(ea.changed, eb.changed);
		/* nothing, or out of memory's story: the same bytes */
		if (story) {
			char *want = json_dumps(story, JSON_COMPACT);

			if (strcmp(want, text.buf ? text.buf : ""))
				fail_msg("%s %s: the story:\n api_op_story: "
					 "%s\n api_op_write: %s", op, args_text,
					 want, text.buf);
			free(want);
			t->stories++;
		} else {
			assert_int_equal(text.len, 0);
		}
	}
	json_decref(story);
	sb_free(&text);
	json_decref(args);
	return result;
}

static void step_free(struct twins *t, const char *op, const char *args)
{
	json_decref(step(t, op, args));
}

/* translate across the whole 4 GiB in every access and mode */
static void translate_everywhere(struct twins *t, const char *pid)
{
	static const char *const how[] = {
		"", ",\"access\":\"write\"", ",\"access\":\"exec\"",
		",\"mode\":\"user\"", ",\"access\":\"write\",\"mode\":\"kernel\"",
	};
	char args[160];

	for (uint64_t va = 0; va < (1ull << 32); va += 0x00401008) {
		for (size_t i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
			snprintf(args, sizeof(args), "{\"addr\":\"0x%llx\"%s%s}",
				 (unsigned long long)va, pid, how[i]);
			step_free(t, "translate", args);
		}
	}
}

static void translates(struct twins *t)
{
	json_t *p;
	char pid[32], mmap[64];

	translate_everywhere(t, "");
	step_free(t, "translate", "{}");
	step_free(t, "translate", "{\"addr\":\"0x1\",\"access\":\"fly\"}");
	step_free(t, "translate", "{\"addr\":\"0x100000000\"}");
	step_free(t, "translate", "{\"addr\":\"0x1\",\"bogus\":1}");
	step_free(t, "translate", "{\"addr\":\"0x1\",\"pid\":4242}");
	p = step(t, "process_create", "{}");
	assert_non_null(p);
	snprintf(pid, sizeof(pid), ",\"pid\":%lld",
		 (long long)json_integer_value(json_object_get(p, "pid")));
	json_decref(p);
	snprintf(mmap, sizeof(mmap), "{\"len\":\"64K\"%s}", pid);
	step_free(t, "mmap", mmap);
	translate_everywhere(t, pid);
}

/* kmalloc of size; its address for a later kfree ("" when none) */
static void kmalloc_at(struct twins *t, const char *args, char *addr,
		       size_t len)
{
	json_t *r = step(t, "kmalloc", args);
	const char *a = json_string_value(json_object_get(r, "addr"));

	snprintf(addr, len, "%s", a ? a : "");
	json_decref(r);
}

static void kfree_at(struct twins *t, const char *addr)
{
	char args[64];

	snprintf(args, sizeof(args), "{\"addr\":\"%s\"}", addr);
	step_free(t, "kfree", args);
}

/* 4 MiB blocks until lowmem runs out: kmalloc's 422 out-of-memory, its
 * story the same bytes both ways */
static void out_of_memory(struct twins *t)
{
	static char held[400][24];
	unsigned n;

	for (n = 0; n < 400; n++) {
		kmalloc_at(t, "{\"size\":\"4M\",\"gfp\":\"GFP_NOWAIT\"}",
			   held[n], sizeof(held[n]));
		if (!held[n][0])
			break;
	}
	assert_true(n < 400);	/* it ran out */
	assert_true(t->stories > 0);
	while (n--)
		kfree_at(t, held[n]);
}

static void kmallocs(struct twins *t)
{
	static const char *const sizes[] = {
		"0", "1", "8", "64", "100", "192", "1000", "4096", "8192",
		"\"9K\"", "65536", "\"1M\"", "\"4M\"", "\"5M\"", "-1",
	};
	static const char *const gfps[] = {
		"", ",\"gfp\":\"GFP_ATOMIC\"", ",\"gfp\":\"GFP_DMA\"",
		",\"gfp\":\"GFP_KERNEL|__GFP_ACCOUNT\"", ",\"gfp\":\"bogus\"",
	};
	static char held[200][24];
	char args[96];
	unsigned n = 0;

	for (size_t g = 0; g < sizeof(gfps) / sizeof(gfps[0]); g++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			snprintf(args, sizeof(args), "{\"size\":%s%s}",
				 sizes[s], gfps[g]);
			kmalloc_at(t, args, held[n], sizeof(held[n]));
			kfree_at(t, held[n]);	/* freed at once: the slab empties */
		}
	/* a slab filled past its end, then emptied out of order: cpu slab,
	 * new slab, full to partial, an empty slab freed or kept */
	for (n = 0; n < 200; n++)
		kmalloc_at(t, "{\"size\":512}", held[n], sizeof(held[n]));
	for (n = 0; n < 200; n += 2)
		kfree_at(t, held[n]);
	for (n = 1; n < 200; n += 2)
		kfree_at(t, held[n]);
	out_of_memory(t);
	kfree_at(t, "0x0");
	kfree_at(t, "0x10");
	kfree_at(t, "0xc0000000");
	kfree_at(t, "0xfffff000");
	step_free(t, "kfree", "{}");
	step_free(t, "kmalloc", "{\"size\":64,\"cpu\":7}");
}

static void on_config(const char *config)
{
	struct twins t;

	twins_boot(&t, config);
	translates(&t);
	kmallocs(&t);
	assert_true(t.steps > 1000);
	twins_free(&t);
}

static void test_two_level(void **state)
{
	(void)state;
	on_config("{\"ram\":\"2G\"}");
}

static void test_small(void **state)
{
	(void)state;
	on_config("{\"ram\":\"512M\",\"cmdline\":\"vmalloc=256M\"}");
}

static void test_pae(void **state)
{
	(void)state;
	on_config("{\"ram\":\"8G\",\"pae\":true}");
}

/* A string the fast path must not write as it is goes through jansson. */
static void test_strings(void **state)
{
	static const char *const s[] = {
		"plain", "", "quote\"d", "back\\slash", "new\nline", "tab\t",
		"\x01", "caf\xc3\xa9", "bad \xff byte", "/slash", "\x7f",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		json_t *j = json_string(s[i]), *l = api_string_lossy(s[i]);
		char *want = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
		char *lossy = json_dumps(l, JSON_ENCODE_ANY);

		jt_str(&sb, s[i]);
		assert_string_equal(sb.buf, want ? want : "null");
		sb.len = 0;
		jt_str_lossy(&sb, s[i]);
		assert_string_equal(sb.buf, lossy);
		free(want);
		free(lossy);
		json_decref(j);
		json_decref(l);
		sb_free(&sb);
	}
}

/* Numbers as jansson writes them, at the edges. */
static void test_numbers(void **state)
{
	static const long long v[] = { 0, 1, -1, 9, 10, 4096, -4096,
				       2147483647, -2147483648LL,
				       9223372036854775807LL,
				       -9223372036854775807LL - 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		json_t *j = json_integer(v[i]);
		char *want = json_dumps(j, JSON_ENCODE_ANY);

		jt_int(&sb, v[i]);
		assert_string_equal(sb.buf, want);
		free(want);
		json_decref(j);
		sb_free(&sb);
	}
}

/* An operation without a writer comes out the same, by way of jansson. */
static void test_no_writer(void **state)
{
	struct twins t;

	(void)state;
	assert_true(api_op_writes("translate"));
	assert_true(api_op_writes("kmalloc"));
	assert_true(api_op_writes("kfree"));
	assert_false(api_op_writes("alloc_pages"));
	assert_false(api_op_writes(NULL));
	twins_boot(&t, "{\"ram\":\"1G\"}");
	step_free(&t, "alloc_pages", "{\"order\":3}");
	step_free(&t, "vmalloc", "{\"size\":\"64K\"}");
	step_free(&t, "no_such_op", "{}");
	twins_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_level),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_pae),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_no_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

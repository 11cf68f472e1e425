/*
 * test_ranges.c - address ranges taken from outside, and the "no frame"
 * value.  A range that wraps past 2^64 (phys 0xfffffffffffff000 and two
 * pages) once gave frame PFN_NONE, which matched an empty slot of the
 * frame map and wrote another frame.  Every range is checked before it
 * becomes frames, and PFN_NONE can never be looked up: each refusal is
 * exact (kind, type, field) and changes no byte of the machine.
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
#include "helpers.h"
#include "memory.h"
#include "pfnmap.h"
#include "snapshot.h"

/* --- helpers ------------------------------------------------------------------ */

static struct machine *boot(const char *config)
{
	struct machine *m = NULL;
	struct mm_error err = { 0 };
	json_t *cfg = js(config);

	if (api_machine_boot(cfg, &m, &err) != MM_OK)
		fail_msg("boot %s: %s: %s", config, err.type, err.detail);
	json_decref(cfg);
	return m;
}

static void snap(const struct machine *m, uint8_t **buf, size_t *len)
{
	machine_snapshot(m, buf, len);
}

/* op must be refused with kind, "bad-argument" (or type) and field, and
 * leave every byte of the machine as it was. */
static void refused(struct machine *m, const char *name, const char *args,
		    enum mm_errkind kind, const char *type, const char *field)
{
	struct mm_error err;
	json_t *a = js(args), *r = NULL;
	uint8_t *x, *y;
	size_t nx, ny;
	int rc;

	snap(m, &x, &nx);
	memset(&err, 0x5a, sizeof(err));	/* as an uninitialised one */
	rc = api_op(m, name, a, &r, &err);
	if (rc == MM_OK)
		fail_msg("%s %s was accepted", name, args);
	assert_null(r);
	assert_int_equal(rc, kind);
	assert_int_equal(err.kind, kind);
	assert_string_equal(err.type, type);
	assert_string_equal(err.field, field);
	assert_false(err.changed);
	snap(m, &y, &ny);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	free(x);
	free(y);
	json_decref(a);
}

/* refused as a bad argument (MM_EINVAL, "bad-argument") in field */
static void bad_arg(struct machine *m, const char *name, const char *args,
		    const char *field)
{
	refused(m, name, args, MM_EINVAL, "bad-argument", field);
}

static void ok_op(struct machine *m, const char *name, const char *args)
{
	struct mm_error err = { 0 };
	json_t *a = js(args), *r = NULL;

	if (api_op(m, name, a, &r, &err) != MM_OK)
		fail_msg("%s %s: %s: %s", name, args, err.type, err.detail);
	json_decref(r);
	json_decref(a);
}

static char *repeat(const char *unit, size_t n)
{
	size_t u = strlen(unit);
	char *s = malloc(u * n + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + i * u, unit, u);
	s[u * n] = '\0';
	return s;
}

/* --- the "no frame" value ------------------------------------------------------ */

static void test_pfnmap_none(void **state)
{
	struct pfnmap m;

	(void)state;
	pfnmap_init(&m);
	/* an empty map: every slot holds PFN_NONE */
	assert_null(pfnmap_get(&m, PFN_NONE));
	assert_false(pfnmap_del(&m, PFN_NONE));
	assert_null(pfnmap_put(&m, PFN_NONE));
	assert_int_equal(m.count, 0);
	for (pfn_t p = 0; p < 40; p++)
		pfnmap_put(&m, p * 1024)->order = 3;
	assert_null(pfnmap_get(&m, PFN_NONE));
	assert_false(pfnmap_del(&m, PFN_NONE));
	assert_null(pfnmap_put(&m, PFN_NONE));
	assert_int_equal(m.count, 40);
	for (pfn_t p = 0; p < 40; p++) {
		assert_non_null(pfnmap_get(&m, p * 1024));
		assert_int_equal(pfnmap_get(&m, p * 1024)->order, 3);
	}
	pfnmap_free(&m);
}

static void test_physmem_none(void **state)
{
	struct physmem pm;
	uint8_t buf[8192], zero[8192] = { 0 };

	(void)state;
	physmem_init(&pm);
	memset(buf, 0xab, sizeof(buf));
	assert_true(physmem_write(&pm, 0x5000, buf, 16));
	assert_int_equal(pm.index.count, 1);
	/* PFN_NONE and frames past the 36-bit space hold nothing */
	assert_null(physmem_peek(&pm, PFN_NONE));
	assert_null(physmem_touch(&pm, PFN_NONE));
	assert_null(physmem_touch(&pm, 1u << 24));
	physmem_zero(&pm, PFN_NONE);
	assert_int_equal(pm.index.count, 1);
	/* a range that wraps past 2^64, or passes 64 GiB, or aliases a
	 * low frame above 2^44, is refused whole */
	assert_false(physmem_write(&pm, 0xfffffffffffff000ull, buf, 0x2000));
	assert_false(physmem_write(&pm, (1ull << 44) + 0x5000, buf, 16));
	assert_false(physmem_write(&pm, (1ull << 36) - 8, buf, 16));
	assert_int_equal(pm.index.count, 1);
	assert_int_equal(pm.nr, 1);
	assert_false(physmem_read(&pm, 0xfffffffffffff000ull, buf, 0x2000));
	assert_memory_equal(buf, zero, 0x2000);
	assert_false(physmem_read(&pm, (1ull << 44) + 0x5000, buf, 16));
	assert_memory_equal(buf, zero, 16);
	assert_true(physmem_read(&pm, 0x5000, buf, 16));
	assert_int_equal(buf[0], 0xab);
	assert_true(physmem_write(&pm, (1ull << 36) - 16, buf, 16));
	physmem_free(&pm);
}

/* --- read and write ------------------------------------------------------------ */

static void test_rw_wrap(void **state)
{
	struct machine *m = boot("{\"ram\": \"2G\"}");
	char *hex1 = repeat("41", 4096), *args;
	size_t len = strlen(hex1) + 64;

	(void)state;
	/* the address of the report: 0xfffffffffffff000 + 0x2000 */
	bad_arg(m, "read", "{\"phys\": \"0xfffffffffffff000\", "
		"\"len\": \"0x2000\"}", "len");
	bad_arg(m, "read", "{\"phys\": \"0xfffffffffffff000\", "
		"\"len\": \"0x1000\"}", "phys");
	bad_arg(m, "read", "{\"phys\": \"0xffffffffffffff00\", "
		"\"len\": 512}", "phys");
	bad_arg(m, "read", "{\"phys\": \"0xfffffffff\", \"len\": 2}",
		"phys");
	args = malloc(len);
	snprintf(args, len, "{\"phys\": \"0xfffffffffffff000\", \"hex\": "
		 "\"%s\"}", hex1);
	bad_arg(m, "write", args, "phys");
	snprintf(args, len, "{\"phys\": \"0xfffffffffffff800\", \"hex\": "
		 "\"%s\"}", hex1);
	bad_arg(m, "write", args, "phys");
	bad_arg(m, "write", "{\"phys\": \"0xffffffffffffffff\", "
		"\"text\": \"ab\"}", "phys");
	bad_arg(m, "write", "{\"addr\": \"0xffffffff\", \"text\": \"ab\"}",
		"addr");
	/* the top of the physical space itself is fine */
	ok_op(m, "write", "{\"phys\": \"0xffffffffe\", \"text\": \"ab\"}");
	free(args);
	free(hex1);
	machine_free(m);
}

/* A hex or text that is not a string used to be ignored beside the other. */
static void test_write_types(void **state)
{
	struct machine *m = boot("{\"ram\": \"256M\"}");

	(void)state;
	bad_arg(m, "write", "{\"phys\": \"0x100000\", \"text\": \"ab\", "
		"\"hex\": 5}", "hex");
	bad_arg(m, "write", "{\"phys\": \"0x100000\", \"text\": \"ab\", "
		"\"hex\": null}", "hex");
	bad_arg(m, "write", "{\"phys\": \"0x100000\", \"hex\": \"abcd\", "
		"\"text\": [1]}", "text");
	bad_arg(m, "write", "{\"phys\": \"0x100000\", \"text\": {}}",
		"text");
	ok_op(m, "process_create", "{}");
	bad_arg(m, "uwrite", "{\"pid\": 1, \"addr\": \"0x8048000\", "
		"\"text\": \"ab\", \"hex\": 5}", "hex");
	bad_arg(m, "uwrite", "{\"pid\": 1, \"addr\": \"0x8048000\", "
		"\"hex\": \"ab\", \"text\": false}", "text");
	machine_free(m);
}

/* --- the other ranges ------------------------------------------------------------ */

static void test_other_ranges(void **state)
{
	struct machine *m = boot("{\"ram\": \"2G\", \"pae\": true}");

	(void)state;
	bad_arg(m, "ioremap", "{\"phys\": \"0xfffffffffffff000\", "
		"\"size\": \"0x2000\"}", "phys");
	bad_arg(m, "ioremap", "{\"phys\": \"0xffffff000\", "
		"\"size\": \"0x2000\"}", "phys");
	bad_arg(m, "frames", "{\"start\": \"0xfffff0\", \"count\": 32}",
		"count");
	bad_arg(m, "frames", "{\"start\": \"0xffffffffffffffff\", "
		"\"count\": 2}", "start");
	bad_arg(m, "frame", "{\"phys\": \"0xfffffffffffff000\"}",
		"phys");
	bad_arg(m, "frame", "{\"pfn\": \"0xffffffff\"}",
		"pfn");
	bad_arg(m, "free_pages", "{\"pfn\": \"0xffffff\", \"order\": 1}",
		"pfn");
	bad_arg(m, "free_pages", "{\"phys\": \"0xfffffffffffff000\"}",
		"phys");
	bad_arg(m, "kmap", "{\"pfn\": \"0xffffffff\"}",
		"pfn");
	bad_arg(m, "kmap", "{\"phys\": \"0xfffffffffffff000\"}",
		"phys");
	bad_arg(m, "vmalloc", "{\"size\": \"0xffffffffffffffff\"}",
		"size");
	bad_arg(m, "vmalloc", "{\"size\": \"0xfffff001\"}",
		"size");
	bad_arg(m, "vmap", "{\"pfns\": [\"0xffffffff\"]}",
		"pfns");
	machine_free(m);
}

static void test_process_ranges(void **state)
{
	struct machine *m = boot("{\"ram\": \"512M\"}");

	(void)state;
	ok_op(m, "process_create", "{}");
	bad_arg(m, "mmap", "{\"pid\": 1, \"len\": \"0xffffffffffffffff\", "
		"\"prot\": 3, \"flags\": \"MAP_PRIVATE|MAP_ANONYMOUS\"}",
		"len");
	refused(m, "mmap", "{\"pid\": 1, \"addr\": \"0xbffff000\", "
		"\"len\": \"0x2000\", \"prot\": 3, \"flags\": "
		"\"MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED\"}",
		MM_EIMPOSSIBLE, "ENOMEM", "addr");
	refused(m, "munmap", "{\"pid\": 1, \"addr\": \"0xfffff000\", "
		"\"len\": \"0x2000\"}", MM_EINVAL, "EINVAL", "len");
	refused(m, "mprotect", "{\"pid\": 1, \"addr\": \"0xfffff000\", "
		"\"len\": \"0x2000\", \"prot\": 1}",
		MM_EIMPOSSIBLE, "ENOMEM", "len");
	bad_arg(m, "uwrite", "{\"pid\": 1, \"addr\": \"0xffffffff\", "
		"\"hex\": \"0102\"}", "addr");
	bad_arg(m, "uread", "{\"pid\": 1, \"addr\": \"0xffffffff\", "
		"\"len\": 2}", "addr");
	refused(m, "copy_to_user", "{\"pid\": 1, \"uaddr\": \"0xbfffffff\", "
		"\"kaddr\": \"0xc0100000\", \"len\": 2}",
		MM_EIMPOSSIBLE, "EFAULT", "uaddr");
	machine_free(m);
}

/* --- the configuration ------------------------------------------------------------ */

static void config_refused(const char *config, const char *field)
{
	struct machine *m = NULL;
	struct mm_error err;
	json_t *cfg = js(config);

	memset(&err, 0x5a, sizeof(err));
	assert_int_not_equal(api_machine_boot(cfg, &m, &err), MM_OK);
	assert_null(m);
	assert_int_equal(err.kind, MM_EINVAL);
	assert_string_equal(err.type, "bad-config");
	assert_string_equal(err.field, field);
	json_decref(cfg);
}

static void test_config_ranges(void **state)
{
	(void)state;
	config_refused("{\"e820\": [{\"start\": 0, \"size\": \"640K\", "
		       "\"type\": \"usable\"}, {\"start\": "
		       "\"0xfffffffffffff000\", \"size\": \"0x2000\", "
		       "\"type\": \"usable\"}]}", "e820");
	config_refused("{\"cmdline\": \"memmap=8K@0xfffffffffffff000\"}",
		       "cmdline");
	config_refused("{\"cmdline\": \"memmap=8K$0xffffffffffffffff\"}",
		       "cmdline");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfnmap_none),
		cmocka_unit_test(test_physmem_none),
		cmocka_unit_test(test_rw_wrap),
		cmocka_unit_test(test_write_types),
		cmocka_unit_test(test_other_ranges),
		cmocka_unit_test(test_process_ranges),
		cmocka_unit_test(test_config_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

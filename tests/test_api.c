/*
 * test_api.c - the api layer: config JSON in both directions, every
 * refusal with its field, operations round trip on a booted 2 GiB
 * machine, report shapes (and that JSON and text agree), problem objects.
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
#include "api_util.h"
#include "page_alloc.h"
#include "pgtable.h"
#include "procfs.h"

/* --- helpers ------------------------------------------------------------------ */

static int config_from(const char *text, struct machine_config *c,
		       struct mm_error *err)
{
	json_t *j = js(text);
	int rc = api_config_from_json(j, c, err);

	json_decref(j);
	return rc;
}

static uint64_t hex_of(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("%s is not a hex string", key);
	return strtoull(json_string_value(v), NULL, 16);
}

static const char *str_of(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("%s is not a string", key);
	return json_string_value(v);
}

static json_int_t int_of(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", key);
	return json_integer_value(v);
}

/* Run an operation given as JSON text; the result, or NULL on error. */
static json_t *op(struct machine *m, const char *name, const char *args,
		  struct mm_error *err)
{
	json_t *a = args ? js(args) : NULL, *r = NULL;

	memset(err, 0, sizeof(*err));
	if (api_op(m, name, a, &r, err) != MM_OK)
		assert_null(r);
	json_decref(a);
	return r;
}

static json_t *report_json(const struct machine *m, const char *name)
{
	struct mm_error err = { 0 };
	json_t *j = NULL;

	assert_int_equal(api_report(m, name, false, &j, NULL, &err), MM_OK);
	assert_non_null(j);
	return j;
}

static char *report_text(const struct machine *m, const char *name)
{
	struct mm_error err = { 0 };
	char *t = NULL;

	assert_int_equal(api_report(m, name, true, NULL, &t, &err), MM_OK);
	assert_non_null(t);
	return t;
}

/* --- numbers ------------------------------------------------------------------- */

static void test_get_u64(void **state)
{
	static const struct { const char *json; int rc; uint64_t v; } cases[] = {
		{ "4096", 0, 4096 },
		{ "\"4096\"", 0, 4096 },
		{ "\"0x20000000\"", 0, 0x20000000 },
		{ "\"512M\"", 0, 512ull << 20 },
		{ "\"2G\"", 0, 2ull << 30 },
		{ "\"4k\"", 0, 4096 },
		{ "\"2GiB\"", 0, 2ull << 30 },
		{ "2147483648.0", 0, 2ull << 30 },
		{ "-1", -1, 0 },
		{ "1.5", -1, 0 },
		{ "\"\"", -1, 0 },
		/* one rule with the exercise answers: a blank before the
		 * unit is allowed, as are B, KiB and bytes */
		{ "\"12 M\"", 0, 12ull << 20 },
		{ "\"4 KiB\"", 0, 4096 },
		{ "\"100 bytes\"", 0, 100 },
		{ "\"0\"", 0, 0 },
		{ "\"0K\"", 0, 0 },
		{ "\"0x0100\"", 0, 0x100 },
		/* never octal: a leading zero is refused, not guessed */
		{ "\"0100\"", -1, 0 },
		{ "\"010\"", -1, 0 },
		{ "\"00\"", -1, 0 },
		{ "\"0100M\"", -1, 0 },
		/* hex takes no suffix: in 0x1b the b is a digit */
		{ "\"0x10K\"", -1, 0 },
		{ "\"0x\"", -1, 0 },
		{ "\"18446744073709551616\"", -1, 0 },
		{ "\"16E\"", -1, 0 },
		{ "\"15E\"", 0, 15ull << 60 },
		{ "\"lots\"", -1, 0 },
		{ "\"2G junk\"", -1, 0 },
		{ "true", -1, 0 },
		{ "null", -1, 0 },
		{ "[1]", -1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = js(cases[i].json);
		uint64_t v = 0;

		assert_int_equal(api_get_u64(j, &v), cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(v, cases[i].v);
		json_decref(j);
	}
}

/* "0100" is refused wherever a number goes, and the detail says what to
 * write instead: the op's own words are replaced by the zero's. */
static void test_leading_zero(void **state)
{
	struct machine *m = *state;
	struct machine_config c;
	struct mm_error err;

	assert_null(op(m, "alloc_pages", "{\"order\": \"010\"}", &err));
	assert_int_equal(api_http_status(&err), 400);
	assert_string_equal(err.type, "bad-argument");
	assert_string_equal(err.field, "order");
	assert_string_equal(err.detail, "alloc_pages: order \"010\" starts "
			    "with a 0, and numbers here are never octal: write "
			    "\"10\" for the decimal number or \"0x10\" for "
			    "hex");
	assert_null(op(m, "frame", "{\"pfn\": \"0100\"}", &err));
	assert_string_equal(err.field, "pfn");
	assert_non_null(strstr(err.detail, "frame: pfn \"0100\" starts"));
	/* a number inside a GFP mask too */
	assert_null(op(m, "alloc_pages", "{\"gfp\": \"GFP_KERNEL | 010\"}",
		       &err));
	assert_string_equal(err.field, "gfp");
	assert_string_equal(err.detail, "alloc_pages: the number in gfp \"010\" "
			    "starts with a 0, and numbers here are never "
			    "octal: write \"10\" for the decimal number or "
			    "\"0x10\" for hex");
	/* a list names the element */
	assert_null(op(m, "vmap", "{\"pfns\": [\"0x100\", \"0101\"]}",
		       &err));
	assert_string_equal(err.field, "pfns");
	assert_string_equal(err.detail, "vmap: pfns[1] \"0101\" starts with "
			    "a 0, and numbers here are never octal: write "
			    "\"101\" for the decimal number or \"0x101\" for "
			    "hex");
	/* a size keeps its suffix, and hex takes none */
	assert_int_equal(config_from("{\"ram\": \"0512M\"}", &c, &err),
			 MM_EINVAL);
	assert_string_equal(err.type, "bad-config");
	assert_string_equal(err.detail, "ram \"0512M\" starts with a 0, and "
			    "numbers here are never octal: write \"512M\" for "
			    "the decimal number");
	assert_int_equal(config_from("{\"e820\": [{\"start\": \"00\", "
				     "\"size\": \"1G\", \"type\": "
				     "\"usable\"}]}", &c, &err), MM_EINVAL);
	assert_string_equal(err.field, "e820[0].start");
	assert_non_null(strstr(err.detail, "e820[0].start \"00\" starts "
			       "with a 0"));
	/* the kernel's command line is the kernel's: mem=0100M is octal */
	assert_int_equal(config_from("{\"cmdline\": \"mem=0100M\"}", &c,
				     &err), MM_OK);
}

static void test_hex(void **state)
{
	json_t *a = api_hex(0x1000), *b = api_hex(0x100000000ull);

	(void)state;
	assert_string_equal(json_string_value(a), "0x00001000");
	assert_string_equal(json_string_value(b), "0x100000000");
	json_decref(a);
	json_decref(b);
}

/* api_hex writes its digits by hand: the same text as "0x%08llx" at
 * every width, from none to all 16 digits. */
static void test_hex_widths(void **state)
{
	(void)state;
	for (int bit = -1; bit < 64; bit++) {
		uint64_t vs[3] = { bit < 0 ? 0 : 1ull << bit,
				   bit < 0 ? 0 : (2ull << bit) - 1,
				   bit < 0 ? 0 : 0xa5a5a5a5a5a5a5a5ull >> (63 - bit) };

		for (int k = 0; k < 3; k++) {
			char want[24];
			json_t *j = api_hex(vs[k]);

			snprintf(want, sizeof(want), "0x%08llx",
				 (unsigned long long)vs[k]);
			assert_string_equal(json_string_value(j), want);
			assert_int_equal(json_string_length(j), strlen(want));
			json_decref(j);
		}
	}
}

/* --- config ------------------------------------------------------------------- */

static void test_config_defaults(void **state)
{
	struct machine_config c, d;
	struct mm_error err = { 0 };

	(void)state;
	machine_config_default(&d);
	assert_int_equal(api_config_from_json(NULL, &c, &err), MM_OK);
	assert_memory_equal(&c, &d, sizeof(c));
	assert_int_equal(config_from("{}", &c, &err), MM_OK);
	assert_memory_equal(&c, &d, sizeof(c));
	assert_int_equal(c.ram, 2ull << 30);
	assert_false(c.pae);
	assert_int_equal(c.vmsplit, VMSPLIT_3G);
}

static void test_config_every_field(void **state)
{
	struct machine_config c;
	struct mm_error err = { 0 };

	(void)state;
	assert_int_equal(config_from("{\"ram\": \"1G\", \"pae\": true, "
		"\"vmsplit\": \"2G\", \"cmdline\": \"vmalloc=256M\", "
		"\"cpus\": 4, \"seed\": 42}", &c, &err), MM_OK);
	assert_int_equal(c.ram, 1ull << 30);
	assert_true(c.pae);
	assert_int_equal(c.vmsplit, VMSPLIT_2G);
	assert_string_equal(c.cmdline, "vmalloc=256M");
	assert_int_equal(c.cpus, 4);
	assert_int_equal(c.seed, 42);
	assert_false(c.has_e820);

	assert_int_equal(config_from("{\"vmsplit\": \"VMSPLIT_3G_OPT\"}",
				     &c, &err), MM_OK);
	assert_int_equal(c.vmsplit, VMSPLIT_3G_OPT);
	assert_int_equal(config_from("{\"vmsplit\": \"1G\", \"pae\": false}",
				     &c, &err), MM_OK);
	assert_int_equal(c.vmsplit, VMSPLIT_1G);
	assert_int_equal(config_from("{\"seed\": \"0xffffffffffffffff\"}",
				     &c, &err), MM_OK);
	assert_int_equal(c.seed, UINT64_MAX);
}

static void test_config_sizes(void **state)
{
	static const struct { const char *json; uint64_t ram; } cases[] = {
		{ "{\"ram\": \"512M\"}", 512ull << 20 },
		{ "{\"ram\": \"0x20000000\"}", 0x20000000 },
		{ "{\"ram\": 1073741824}", 1ull << 30 },
		{ "{\"ram\": \"4G\"}", 4ull << 30 },
		{ "{\"ram\": \"64M\"}", 64ull << 20 },
		{ "{\"ram\": \"2GB\"}", 2ull << 30 },
	};
	struct machine_config c;
	struct mm_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(config_from(cases[i].json, &c, &err), MM_OK);
		assert_int_equal(c.ram, cases[i].ram);
	}
}

static void test_config_e820(void **state)
{
	struct machine_config c;
	struct mm_error err = { 0 };

	(void)state;
	assert_int_equal(config_from("{\"e820\": ["
		"{\"start\": 0, \"size\": \"639K\", \"type\": \"usable\"},"
		"{\"start\": \"0x9fc00\", \"size\": \"1K\", \"type\": \"reserved\"},"
		"{\"start\": \"1M\", \"size\": \"1023M\", \"type\": \"usable\"},"
		"{\"start\": \"0x40000000\", \"size\": \"64K\", \"type\": \"ACPI data\"},"
		"{\"start\": \"0x40010000\", \"size\": \"64K\", \"type\": \"ACPI NVS\"},"
		"{\"start\": \"0x40020000\", \"size\": 4096, \"type\": \"unusable\"}"
		"]}", &c, &err), MM_OK);
	assert_true(c.has_e820);
	assert_int_equal(c.e820.nr_entries, 6);
	assert_int_equal(c.e820.entries[0].size, 639 * 1024);
	assert_int_equal(c.e820.entries[1].addr, 0x9fc00);
	assert_int_equal(c.e820.entries[1].type, E820_TYPE_RESERVED);
	assert_int_equal(c.e820.entries[2].addr, 1ull << 20);
	assert_int_equal(c.e820.entries[3].type, E820_TYPE_ACPI);
	assert_int_equal(c.e820.entries[4].type, E820_TYPE_NVS);
	assert_int_equal(c.e820.entries[5].type, E820_TYPE_UNUSABLE);
	assert_int_equal(c.e820.entries[5].size, 4096);
}

static void test_config_errors(void **state)
{
	static const struct { const char *json, *field; } cases[] = {
		{ "[1]", "" },
		{ "\"2G\"", "" },
		{ "{\"bogus\": 1}", "bogus" },
		{ "{\"Ram\": \"2G\"}", "Ram" },
		{ "{\"ram\": \"lots\"}", "ram" },
		{ "{\"ram\": true}", "ram" },
		{ "{\"ram\": -1}", "ram" },
		{ "{\"ram\": \"12K\"}", "ram" },
		{ "{\"ram\": \"128G\"}", "ram" },
		{ "{\"ram\": 100000001}", "ram" },
		{ "{\"pae\": \"yes\"}", "pae" },
		{ "{\"pae\": 1}", "pae" },
		{ "{\"vmsplit\": \"4G\"}", "vmsplit" },
		{ "{\"vmsplit\": 3}", "vmsplit" },
		{ "{\"vmsplit\": \"3G_OPT\", \"pae\": true}", "vmsplit" },
		{ "{\"vmsplit\": \"2G_OPT\", \"pae\": true}", "vmsplit" },
		{ "{\"cmdline\": 5}", "cmdline" },
		{ "{\"cmdline\": \"memmap=junk\"}", "cmdline" },
		{ "{\"cmdline\": \"vmalloc=lots\"}", "cmdline" },
		{ "{\"cpus\": 0}", "cpus" },
		{ "{\"cpus\": 33}", "cpus" },
		{ "{\"cpus\": \"2\"}", "cpus" },
		{ "{\"cpus\": 1.5}", "cpus" },
		{ "{\"seed\": -3}", "seed" },
		{ "{\"seed\": \"x\"}", "seed" },
		{ "{\"seed\": false}", "seed" },
		{ "{\"ram\": \"1G\", \"e820\": [{\"start\": 0, \"size\": \"1G\", "
		  "\"type\": \"usable\"}]}", "e820" },
		{ "{\"e820\": []}", "e820" },
		{ "{\"e820\": {}}", "e820" },
		{ "{\"e820\": [5]}", "e820[0]" },
		{ "{\"e820\": [{\"start\": 0, \"size\": \"1G\", \"type\": \"usable\"},"
		  "{\"start\": \"x\", \"size\": 1, \"type\": \"usable\"}]}",
		  "e820[1].start" },
		{ "{\"e820\": [{\"start\": 0, \"size\": \"big\", \"type\": \"usable\"}]}",
		  "e820[0].size" },
		{ "{\"e820\": [{\"start\": 0, \"type\": \"usable\"}]}", "e820[0].size" },
		{ "{\"e820\": [{\"start\": 0, \"size\": \"1G\", \"type\": \"ram!\"}]}",
		  "e820[0].type" },
		{ "{\"e820\": [{\"start\": 0, \"size\": \"1G\"}]}", "e820[0].type" },
		{ "{\"e820\": [{\"start\": 0, \"size\": \"1G\", \"type\": 1}]}",
		  "e820[0].type" },
		{ "{\"e820\": [{\"start\": 0, \"size\": \"1G\", \"type\": \"usable\","
		  " \"flags\": 0}]}", "e820[0].flags" },
		{ "{\"e820\": [{\"start\": 0, \"size\": 0, \"type\": \"usable\"}]}",
		  "e820" },
		{ "{\"e820\": [{\"start\": 0, \"size\": \"1G\", \"type\": \"reserved\"}]}",
		  "e820" },
	};
	struct machine_config c;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mm_error err = { 0 };

		if (config_from(cases[i].json, &c, &err) != MM_EINVAL)
			fail_msg("%s was accepted", cases[i].json);
		assert_string_equal(err.type, "bad-config");
		if (strcmp(err.field, cases[i].field))
			fail_msg("%s: field '%s', want '%s' (%s)", cases[i].json,
				 err.field, cases[i].field, err.detail);
		assert_true(strlen(err.detail) > 10);
	}
}

static void test_config_error_details(void **state)
{
	struct machine_config c;
	struct mm_error err = { 0 };

	(void)state;
	/* the detail says what is allowed */
	config_from("{\"bogus\": 1}", &c, &err);
	assert_non_null(strstr(err.detail, "bogus"));
	assert_non_null(strstr(err.detail, "vmsplit"));
	config_from("{\"ram\": \"lots\"}", &c, &err);
	assert_non_null(strstr(err.detail, "512M"));
	config_from("{\"e820\": [{\"start\": 0, \"size\": \"1G\", "
		    "\"type\": \"ram!\"}]}", &c, &err);
	assert_non_null(strstr(err.detail, "ACPI NVS"));
	config_from("{\"ram\": \"1G\", \"e820\": []}", &c, &err);
	assert_non_null(strstr(err.detail, "not both"));
}

static void roundtrip(const char *text)
{
	struct machine_config a, b;
	struct mm_error err = { 0 };
	json_t *out;

	assert_int_equal(config_from(text, &a, &err), MM_OK);
	out = api_config_to_json(&a);
	assert_int_equal(api_config_from_json(out, &b, &err), MM_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	json_decref(out);
}

static void test_config_roundtrip(void **state)
{
	struct machine_config c;
	json_t *j;

	(void)state;
	roundtrip("{}");
	roundtrip("{\"ram\": \"3G\", \"pae\": true, \"vmsplit\": \"1G\", "
		  "\"cmdline\": \"mem=1G vmalloc=64M\", \"cpus\": 8, "
		  "\"seed\": \"0x8000000000000001\"}");
	roundtrip("{\"e820\": [{\"start\": 0, \"size\": \"639K\", "
		  "\"type\": \"usable\"}, {\"start\": \"1M\", \"size\": \"511M\", "
		  "\"type\": \"usable\"}, {\"start\": \"512M\", \"size\": \"1M\", "
		  "\"type\": \"ACPI NVS\"}]}");

	/* the shape: plain integers, vmsplit by name, e820 in hex */
	machine_config_default(&c);
	j = api_config_to_json(&c);
	assert_int_equal(int_of(j, "ram"), 2ll << 30);
	assert_int_equal(int_of(j, "cpus"), 1);
	assert_int_equal(int_of(j, "seed"), 1);
	assert_string_equal(str_of(j, "vmsplit"), "3G");
	assert_true(json_is_false(json_object_get(j, "pae")));
	assert_null(json_object_get(j, "e820"));
	assert_string_equal(str_of(j, "boot"), "booted");
	json_decref(j);
	roundtrip("{\"boot\": \"bare\"}");
}

/* boot: booted by default, bare on request, nothing else; a kept config
 * is pinned so a later default cannot change how it replays */
static void test_config_boot(void **state)
{
	struct machine_config c;
	struct mm_error err = { 0 };
	json_t *j;

	(void)state;
	assert_int_equal(config_from("{}", &c, &err), MM_OK);
	assert_int_equal(c.boot, BOOT_BOOTED);
	assert_int_equal(config_from("{\"boot\": \"bare\"}", &c, &err), MM_OK);
	assert_int_equal(c.boot, BOOT_BARE);
	assert_int_equal(config_from("{\"boot\": \"Bare\"}", &c, &err),
			 MM_EINVAL);
	assert_string_equal(err.type, "bad-config");
	assert_string_equal(err.field, "boot");
	assert_int_equal(config_from("{\"boot\": true}", &c, &err), MM_EINVAL);
	assert_string_equal(err.field, "boot");

	j = js("{\"ram\": \"1G\"}");
	api_config_pin_boot(j, BOOT_BARE);
	assert_string_equal(str_of(j, "boot"), "bare");
	api_config_pin_boot(j, BOOT_BOOTED);	/* kept: already pinned */
	assert_string_equal(str_of(j, "boot"), "bare");
	json_decref(j);
	c.boot = (enum boot_state)7;
	assert_int_equal(machine_config_validate(&c, &err), MM_EINVAL);
	assert_string_equal(err.field, "boot");
}

/* The model's fingerprint is a measurement: the same model, the same
 * number, every time (the store relies on it across restarts). */
static void test_model_fingerprint(void **state)
{
	uint64_t a = api_model_fingerprint();

	(void)state;
	assert_true(a != 0);
	assert_true(a == api_model_fingerprint());
}

static void test_boot_errors(void **state)
{
	struct machine *m = (struct machine *)1;
	struct mm_error err = { 0 };
	json_t *cfg = js("{\"ram\": \"64M\", \"cmdline\": \"mem=16M\"}");

	(void)state;
	assert_int_equal(api_machine_boot(cfg, &m, &err), MM_EIMPOSSIBLE);
	assert_null(m);
	assert_string_equal(err.type, "unbootable");
	assert_int_equal(api_http_status(&err), 422);
	json_decref(cfg);

	cfg = js("{\"ram\": \"12K\"}");
	assert_int_equal(api_machine_boot(cfg, &m, &err), MM_EINVAL);
	assert_null(m);
	assert_string_equal(err.field, "ram");
	json_decref(cfg);

	/* one RAM entry from 1M past 4 GiB: a two-level kernel skips it
	 * whole and is left with no RAM (this crashed the boot, found by
	 * fuzz_config); an entry that ends at 4 GiB is kept, and boots */
	cfg = js("{\"cmdline\": \"memmap=exactmap memmap=64370M@1M\"}");
	assert_int_equal(api_machine_boot(cfg, &m, &err), MM_EIMPOSSIBLE);
	assert_null(m);
	assert_string_equal(err.type, "unbootable");
	assert_non_null(strstr(err.detail, "a two-level (non-PAE) kernel "
			       "skips such an entry whole"));
	json_decref(cfg);
	cfg = js("{\"cmdline\": \"memmap=exactmap memmap=4095M@1M\"}");
	assert_int_equal(api_machine_boot(cfg, &m, &err), MM_OK);
	machine_free(m);
	json_decref(cfg);
}

/* --- operations ---------------------------------------------------------------- */

static uint32_t memfree_kb(const struct machine *m)
{
	json_t *mi = report_json(m, "meminfo");
	uint32_t v = (uint32_t)int_of(mi, "MemFree");

	json_decref(mi);
	return v;
}

static void test_alloc_free_roundtrip(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	uint32_t before = memfree_kb(m);
	json_t *r, *f, *pcp;
	uint64_t pfn;
	char args[96];

	r = op(m, "alloc_pages", "{\"order\": 3, \"gfp\": \"GFP_KERNEL\"}", &err);
	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "ok")));
	/* the first GFP_KERNEL block of a fresh 2G machine: boot took pfn
	 * 0x2000, the start of ZONE_NORMAL's first free 4 MiB block, for the
	 * page table that splits the kernel image's large page, stealing that
	 * pageblock for Unmovable, through CPU 0's pcp list, whose refill
	 * took 63 pages (0x2000-0x203e); this order-3 request refills its own
	 * list with 63 >> 3 = 7 blocks from 0x2040 and gets the first */
	assert_int_equal(hex_of(r, "pfn"), 0x2040);
	assert_int_equal(hex_of(r, "phys"), 0x2040000);
	pcp = json_object_get(r, "pcp");
	assert_int_equal(int_of(pcp, "cpu"), 0);
	assert_int_equal(int_of(pcp, "refilled"), 7);
	/* count is all of CPU 0's Normal lists: the 298 order-0 pages boot
	 * left there, and the six order-3 blocks */
	assert_int_equal(int_of(pcp, "count"), 298 + 6 * 8);
	assert_int_equal(int_of(r, "order"), 3);
	assert_int_equal(int_of(r, "pages"), 8);
	assert_string_equal(str_of(r, "zone"), "Normal");
	assert_string_equal(str_of(r, "migratetype"), "Unmovable");
	assert_true(json_is_null(json_object_get(r, "stolen_from")));
	assert_string_equal(str_of(r, "gfp"), "GFP_KERNEL");
	assert_int_equal(hex_of(r, "virt"), 0xc0000000ull + hex_of(r, "phys"));
	assert_true(json_array_size(json_object_get(r, "attempts")) >= 1);
	pfn = hex_of(r, "pfn");
	json_decref(r);
	/* MemFree drops by the whole refill: the six blocks on the pcp
	 * list are no longer the buddy allocator's free pages */
	assert_int_equal(memfree_kb(m), before - 7 * 8 * 4);

	/* every page of the block names the head; phys works as well */
	snprintf(args, sizeof(args), "{\"phys\": \"0x%llx\"}",
		 (unsigned long long)((pfn + 5) << 12) + 123);
	f = op(m, "frame", args, &err);
	assert_non_null(f);
	assert_string_equal(str_of(f, "state"), "allocated");
	assert_int_equal(hex_of(f, "pfn"), pfn + 5);
	assert_int_equal(hex_of(f, "head"), pfn);
	assert_int_equal(int_of(f, "order"), 3);
	assert_string_equal(str_of(f, "zone"), "Normal");
	assert_string_equal(str_of(f, "owner"), "alloc_pages");
	assert_string_equal(str_of(f, "gfp"), "GFP_KERNEL");
	assert_int_equal(hex_of(f, "virt"), 0xc0000000ull + ((pfn + 5) << 12));
	json_decref(f);

	/* freeing inside the block, or with the wrong order, is refused */
	snprintf(args, sizeof(args), "{\"pfn\": %llu, \"order\": 3}",
		 (unsigned long long)pfn + 1);
	assert_null(op(m, "free_pages", args, &err));
	assert_int_equal(err.kind, MM_ESTATE);
	snprintf(args, sizeof(args), "{\"pfn\": %llu, \"order\": 2}",
		 (unsigned long long)pfn);
	assert_null(op(m, "free_pages", args, &err));
	assert_int_equal(err.kind, MM_ESTATE);
	assert_string_equal(err.field, "order");

	snprintf(args, sizeof(args), "{\"phys\": \"0x%llx\", \"order\": 3}",
		 (unsigned long long)pfn << 12);
	r = op(m, "free_pages", args, &err);
	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_int_equal(hex_of(r, "pfn"), pfn);
	assert_int_equal(int_of(r, "order"), 3);
	/* the free goes to the pcp list's head, not to the buddy: MemFree
	 * stays down by all seven blocks */
	assert_string_equal(str_of(r, "why"), "order-3 free goes to the head "
		"of CPU 0's Unmovable pcp list (count 354 of high 13101, batch "
		"63); it stays allocated-looking to the buddy allocator (no "
		"merge, not in MemFree or buddyinfo); the next order-3 "
		"Unmovable allocation on CPU 0 gets it back first");
	json_decref(r);
	assert_int_equal(memfree_kb(m), before - 7 * 8 * 4);

	snprintf(args, sizeof(args), "{\"pfn\": \"0x%llx\"}",
		 (unsigned long long)pfn);
	f = op(m, "frame", args, &err);
	assert_string_equal(str_of(f, "state"), "free");
	assert_true(json_is_null(json_object_get(f, "owner")));
	assert_true(json_is_null(json_object_get(f, "gfp")));
	json_decref(f);

	/* a second free is a double free, named after the argument given */
	snprintf(args, sizeof(args), "{\"phys\": \"0x%llx\", \"order\": 3}",
		 (unsigned long long)pfn << 12);
	assert_null(op(m, "free_pages", args, &err));
	assert_int_equal(err.kind, MM_ESTATE);
	assert_string_equal(err.type, "double-free");
	assert_string_equal(err.field, "phys");
	assert_int_equal(api_http_status(&err), 409);
}

static void test_alloc_highmem(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *r = op(m, "alloc_pages",
		       "{\"gfp\": \"GFP_HIGHUSER_MOVABLE | __GFP_ZERO\"}", &err);
	json_t *f;
	char args[64];

	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_string_equal(str_of(r, "zone"), "HighMem");
	assert_string_equal(str_of(r, "migratetype"), "Movable");
	assert_true(json_is_null(json_object_get(r, "stolen_from")));
	/* no kernel address until kmap */
	assert_true(json_is_null(json_object_get(r, "virt")));
	assert_true(hex_of(r, "pfn") >= m->layout.highstart_pfn);
	snprintf(args, sizeof(args), "{\"pfn\": \"%s\"}", str_of(r, "pfn"));
	f = op(m, "frame", args, &err);
	assert_string_equal(str_of(f, "zone"), "HighMem");
	assert_true(json_is_null(json_object_get(f, "virt")));
	json_decref(f);
	json_decref(op(m, "free_pages", args, &err));
	assert_int_equal(err.kind, MM_OK);
	json_decref(r);
}

static void test_alloc_defaults_and_numeric_gfp(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *r;

	r = op(m, "alloc_pages", NULL, &err);
	assert_non_null(r);
	assert_int_equal(int_of(r, "order"), 0);
	assert_string_equal(str_of(r, "gfp"), "GFP_KERNEL");
	json_decref(r);
	r = op(m, "alloc_pages", "{\"gfp\": 3264}", &err);	/* 0xcc0 */
	assert_non_null(r);
	assert_string_equal(str_of(r, "gfp"), "GFP_KERNEL");
	json_decref(r);
	r = op(m, "alloc_pages", "{\"gfp\": \"0xcc0\", \"order\": \"2\"}", &err);
	assert_non_null(r);
	assert_int_equal(int_of(r, "order"), 2);
	json_decref(r);
}

/* Out of memory is a refusal like any other (docs/daemon.md, "Refusals"):
 * 422 out-of-memory, no result, and the allocator's story beside the
 * problem (api_op_story). */
static void test_alloc_out_of_memory(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *r = NULL, *story = NULL, *args = js("{\"order\": 10, "
						    "\"gfp\": \"GFP_DMA\"}");
	int tries, rc = MM_OK;

	/* ZONE_DMA holds a few order-10 blocks: take them until it says no */
	for (tries = 0; tries < 16; tries++) {
		json_decref(r);
		json_decref(story);
		memset(&err, 0, sizeof(err));
		rc = api_op_story(m, "alloc_pages", args, &r, &story, &err);
		if (rc)
			break;
		assert_null(story);
		assert_string_equal(str_of(r, "zone"), "DMA");
	}
	assert_true(tries > 0 && tries < 16);
	assert_int_equal(rc, MM_EIMPOSSIBLE);
	assert_int_equal(api_http_status(&err), 422);
	assert_string_equal(err.type, "out-of-memory");
	assert_false(err.changed);
	assert_null(r);
	assert_non_null(strstr(err.detail, "alloc_pages: order-10 GFP_DMA "
			       "allocation failed: DMA "));
	assert_non_null(story);
	assert_null(json_object_get(story, "ok"));
	assert_int_equal(int_of(story, "order"), 10);
	assert_string_equal(str_of(story, "gfp"), "GFP_DMA");
	assert_true(strlen(str_of(story, "reason")) > 0);
	assert_true(json_array_size(json_object_get(story, "attempts")) >= 1);
	{
		json_t *a = json_array_get(json_object_get(story, "attempts"), 0);

		assert_string_equal(str_of(a, "zone"), "DMA");
		assert_true(json_is_false(json_object_get(a, "ok")));
		assert_non_null(json_object_get(a, "free"));
		assert_non_null(json_object_get(a, "mark"));
		assert_non_null(json_object_get(a, "reserve"));
		assert_non_null(json_object_get(a, "watermark"));
		assert_non_null(json_object_get(a, "pass"));
		assert_true(strlen(str_of(a, "why")) > 0);
	}
	json_decref(story);
	/* api_op: the same refusal, the story dropped */
	assert_int_equal(api_op(m, "alloc_pages", args, &r, &err),
			 MM_EIMPOSSIBLE);
	assert_null(r);
	json_decref(args);
}

static void expect_bad_arg(struct machine *m, const char *name,
			   const char *args, const char *field)
{
	struct mm_error err;

	if (op(m, name, args, &err))
		fail_msg("%s %s was accepted", name, args);
	assert_int_equal(err.kind, MM_EINVAL);
	if (strcmp(err.field, field))
		fail_msg("%s %s: field '%s', want '%s' (%s)", name, args,
			 err.field, field, err.detail);
	assert_int_equal(api_http_status(&err), 400);
}

static void test_op_argument_errors(void **state)
{
	struct machine *m = *state;
	uint32_t before = memfree_kb(m);

	expect_bad_arg(m, "alloc_pages", "{\"order\": 11}", "order");
	expect_bad_arg(m, "alloc_pages", "{\"order\": -1}", "order");
	expect_bad_arg(m, "alloc_pages", "{\"order\": \"x\"}", "order");
	expect_bad_arg(m, "alloc_pages", "{\"gfp\": \"GFP_FOO\"}", "gfp");
	expect_bad_arg(m, "alloc_pages", "{\"gfp\": true}", "gfp");
	expect_bad_arg(m, "alloc_pages", "{\"gfp\": 4294967296}", "gfp");
	expect_bad_arg(m, "alloc_pages", "{\"orde\": 1}", "orde");
	expect_bad_arg(m, "alloc_pages", "[1]", "");
	expect_bad_arg(m, "free_pages", "{}", "pfn");
	expect_bad_arg(m, "free_pages", "{\"pfn\": 1, \"phys\": 4096}", "phys");
	expect_bad_arg(m, "free_pages", "{\"phys\": \"0x1001\"}", "phys");
	expect_bad_arg(m, "free_pages", "{\"pfn\": \"0x1000000\"}", "pfn");
	expect_bad_arg(m, "free_pages", "{\"pfn\": 4096, \"order\": 12}", "order");
	expect_bad_arg(m, "free_pages", "{\"pfn\": 4096, \"gfp\": 0}", "gfp");
	expect_bad_arg(m, "frame", "{}", "pfn");
	expect_bad_arg(m, "frame", "{\"phys\": \"64G\"}", "phys");
	expect_bad_arg(m, "frame", "{\"pfn\": 1, \"order\": 0}", "order");
	/* refusals change nothing */
	assert_int_equal(memfree_kb(m), before);
}

/* The argument helpers every family shares: one wording, naming the
 * operation and the argument. */
static void expect_detail(struct machine *m, const char *name,
			  const char *args, const char *field,
			  const char *detail)
{
	struct mm_error err;

	expect_bad_arg(m, name, args, field);
	assert_null(op(m, name, args, &err));
	assert_string_equal(err.type, "bad-argument");
	assert_string_equal(err.detail, detail);
}

static void test_shared_argument_errors(void **state)
{
	struct machine *m = *state;
	uint32_t before = memfree_kb(m);

	expect_detail(m, "alloc_pages", "{\"gfp\": \"GFP_KERNEL | GFP_FOO\"}",
		      "gfp", "alloc_pages: unknown GFP flag 'GFP_FOO'; write a "
		      "mask the way the kernel does: \"GFP_KERNEL | "
		      "__GFP_ZERO\", \"GFP_HIGHUSER_MOVABLE\" or a number");
	expect_detail(m, "kmalloc", "{\"size\": 8, \"gfp\": \"GFP_FOO\"}",
		      "gfp", "kmalloc: unknown GFP flag 'GFP_FOO'; write a "
		      "mask the way the kernel does: \"GFP_KERNEL | "
		      "__GFP_ZERO\", \"GFP_HIGHUSER_MOVABLE\" or a number");
	expect_detail(m, "kmem_cache_alloc", "{\"cache\": \"kmalloc-64\", "
		      "\"gfp\": -1}", "gfp", "kmem_cache_alloc: gfp must be a "
		      "string such as \"GFP_KERNEL | __GFP_ZERO\" or a 32-bit "
		      "number");
	/* the machine has one CPU */
	expect_detail(m, "kmalloc", "{\"size\": 8, \"cpu\": 1}", "cpu",
		      "kmalloc: cpu must be a CPU of this machine: it has 1 "
		      "CPU (0 to 0)");
	expect_detail(m, "kmap_local_page", "{\"pfn\": \"0x40000\", \"cpu\": "
		      "\"x\"}", "cpu", "kmap_local_page: cpu must be a CPU of "
		      "this machine: it has 1 CPU (0 to 0)");
	expect_detail(m, "kfree", "{}", "addr", "kfree needs addr, a 32-bit "
		      "virtual address: a number or a string such as "
		      "\"0x08048000\"");
	expect_detail(m, "vfree", "{\"addr\": \"0x100000000\"}", "addr",
		      "vfree: addr must be a 32-bit virtual address (below "
		      "0x100000000): a number or a string such as "
		      "\"0x08048000\"");
	expect_detail(m, "kunmap_local", "{\"addr\": true}", "addr",
		      "kunmap_local: addr must be a 32-bit virtual address "
		      "(below 0x100000000): a number or a string such as "
		      "\"0x08048000\"");
	expect_detail(m, "translate", "{}", "addr", "translate needs addr, a "
		      "32-bit virtual address: a number or a string such as "
		      "\"0x08048000\"");
	expect_detail(m, "copy_to_user", "{\"pid\": 1, \"uaddr\": 4096, "
		      "\"len\": 1}", "kaddr", "copy_to_user needs kaddr, a "
		      "32-bit virtual address: a number or a string such as "
		      "\"0x08048000\"");
	expect_detail(m, "access", "{\"addr\": 4096}", "pid", "access needs "
		      "pid, the number of a process (process_create gives one; "
		      "the processes operation lists them)");
	expect_detail(m, "translate", "{\"addr\": 4096, \"pid\": -2}", "pid",
		      "translate: pid must be the number of a process "
		      "(process_create gives one; the processes operation "
		      "lists them)");
	assert_int_equal(memfree_kb(m), before);
}

static void test_frame_states(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *f;

	/* the kernel image at 16 MiB is reserved; 0xa0000 is the ISA hole */
	f = op(m, "frame", "{\"phys\": \"0x1000000\"}", &err);
	assert_string_equal(str_of(f, "state"), "reserved");
	assert_string_equal(str_of(f, "zone"), "Normal");
	assert_int_equal(hex_of(f, "virt"), 0xc1000000);
	json_decref(f);
	f = op(m, "frame", "{\"pfn\": \"0xa0\"}", &err);
	assert_string_equal(str_of(f, "state"), "hole");
	json_decref(f);
	/* beyond the end of RAM: a hole outside every zone */
	f = op(m, "frame", "{\"pfn\": \"0xf0000\"}", &err);
	assert_string_equal(str_of(f, "state"), "hole");
	assert_true(json_is_null(json_object_get(f, "zone")));
	assert_true(json_is_null(json_object_get(f, "virt")));
	json_decref(f);
}

static void test_unknown_op(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *p;

	assert_null(op(m, "kmalloc_everything", "{}", &err));
	assert_int_equal(err.kind, MM_ENOTFOUND);
	assert_string_equal(err.type, "unknown-operation");
	assert_non_null(strstr(err.detail, "alloc_pages"));
	assert_non_null(strstr(err.detail, "free_pages"));
	assert_non_null(strstr(err.detail, "frame"));
	/* the whole list fits: the last name is there */
	assert_non_null(strstr(err.detail, ", frames, "));
	assert_non_null(strstr(err.detail, " and processes"));
	assert_int_equal(api_http_status(&err), 404);
	p = api_problem(&err);
	assert_int_equal(int_of(p, "status"), 404);
	assert_string_equal(str_of(p, "type"),
			    "https://mmlab.dev/problems/unknown-operation");
	json_decref(p);

	assert_true(api_op_mutates("alloc_pages"));
	assert_true(api_op_mutates("free_pages"));
	assert_false(api_op_mutates("frame"));
	assert_false(api_op_mutates("frames"));
	assert_false(api_op_mutates("processes"));
	assert_false(api_op_mutates("translate"));
	assert_true(api_op_known("frames"));
	assert_true(api_op_known("processes"));
	assert_false(api_op_mutates("nope"));
	assert_false(api_op_mutates(NULL));
	for (size_t i = 0; api_op_name(i); i++)
		assert_true(api_op_known(api_op_name(i)));
	assert_false(api_op_known("nope"));
}

/* --- reports -------------------------------------------------------------------- */

static void test_every_report(void **state)
{
	struct machine *m = *state;
	size_t n = 0;

	for (size_t i = 0; api_report_names[i]; i++, n++) {
		char *t = report_text(m, api_report_names[i]);
		json_t *j = report_json(m, api_report_names[i]);

		/* a fresh machine has no vmalloc areas (no boot-time
		 * ioremaps are modelled) */
		assert_true(strlen(t) > 0 ||
			    !strcmp(api_report_names[i], "cmdline") ||
			    !strcmp(api_report_names[i], "vmallocinfo"));
		assert_true(json_is_object(j) || json_is_array(j));
		free(t);
		json_decref(j);
	}
	assert_int_equal(n, 13);
}

static void test_unknown_report(void **state)
{
	struct machine *m = *state;
	struct mm_error err = { 0 };
	json_t *j = (json_t *)1;
	char *t = (char *)1;

	assert_int_equal(api_report(m, "slabinfo_x", false, &j, &t, &err),
			 MM_ENOTFOUND);
	assert_null(j);
	assert_null(t);
	assert_string_equal(err.type, "unknown-report");
	assert_non_null(strstr(err.detail, "meminfo"));
	assert_int_equal(api_http_status(&err), 404);
}

/* "Name:   value kB" lines of the text, compared with the JSON object. */
static void test_meminfo_json_matches_text(void **state)
{
	struct machine *m = *state;
	char *t = report_text(m, "meminfo");
	json_t *j = report_json(m, "meminfo");
	size_t lines = 0;
	struct meminfo mi;

	for (char *p = t; *p; lines++) {
		char name[64];
		unsigned long long v;

		assert_int_equal(sscanf(p, "%63[^:]: %llu", name, &v), 2);
		assert_int_equal(int_of(j, name), v);
		p = strchr(p, '\n') + 1;
	}
	assert_int_equal(json_object_size(j), lines);
	si_meminfo(m, &mi);
	assert_int_equal(int_of(j, "MemTotal"), (json_int_t)mi.totalram * 4);
	assert_int_equal(int_of(j, "HighTotal"), (json_int_t)mi.totalhigh * 4);
	assert_int_equal(int_of(j, "HugePages_Total"), 0);
	free(t);
	json_decref(j);
}

static void test_zone_reports(void **state)
{
	struct machine *m = *state;
	json_t *zi = report_json(m, "zoneinfo"), *bi = report_json(m, "buddyinfo");
	json_t *pt = report_json(m, "pagetypeinfo"), *mi = report_json(m, "meminfo");
	static const char *const names[] = { "DMA", "Normal", "HighMem", "Movable" };
	json_int_t total_free = 0;

	assert_int_equal(json_array_size(zi), MAX_NR_ZONES);
	for (size_t i = 0; i < MAX_NR_ZONES; i++) {
		json_t *z = json_array_get(zi, i);

		assert_string_equal(str_of(z, "name"), names[i]);
		assert_int_equal(json_array_size(json_object_get(z, "protection")),
				 MAX_NR_ZONES);
		assert_true(int_of(z, "min") <= int_of(z, "low"));
		assert_true(int_of(z, "low") <= int_of(z, "high"));
		total_free += int_of(z, "free");
	}
	assert_int_equal(total_free * 4, int_of(mi, "MemFree"));
	assert_int_equal(int_of(json_array_get(zi, 0), "start_pfn"), 1);
	assert_int_equal(int_of(json_array_get(zi, 1), "start_pfn"), 0x1000);

	/* buddyinfo: populated zones; its blocks add up to zoneinfo's free,
	 * and pagetypeinfo's lists add up to buddyinfo's counts */
	assert_int_equal(json_array_size(bi), 3);
	assert_int_equal(int_of(pt, "pageblock_order"), 10);
	assert_int_equal(int_of(pt, "pages_per_block"), 1024);
	for (size_t i = 0; i < json_array_size(bi); i++) {
		json_t *b = json_array_get(bi, i);
		json_t *ptz = json_array_get(json_object_get(pt, "zones"), i);
		json_t *counts = json_object_get(b, "free");
		json_int_t pages = 0;

		assert_string_equal(str_of(b, "zone"), names[i]);
		assert_string_equal(str_of(ptz, "zone"), names[i]);
		assert_int_equal(json_array_size(counts), 11);
		for (size_t o = 0; o < 11; o++) {
			json_int_t n = json_integer_value(json_array_get(counts, o));
			json_int_t by_type = 0;
			const char *mt;
			json_t *lists;

			pages += n << o;
			json_object_foreach(json_object_get(ptz, "free"), mt, lists)
				by_type += json_integer_value(json_array_get(lists, o));
			assert_int_equal(by_type, n);
		}
		assert_int_equal(pages, int_of(json_array_get(zi, i), "free"));
		assert_int_equal(json_object_size(json_object_get(ptz, "blocks")),
				 MIGRATE_TYPES);
	}
	json_decref(zi);
	json_decref(bi);
	json_decref(pt);
	json_decref(mi);
}

static void test_text_reports_json(void **state)
{
	struct machine *m = *state;
	json_t *io = report_json(m, "iomem"), *dm = report_json(m, "dmesg");
	json_t *cl = report_json(m, "cmdline");
	char *dmesg_text = report_text(m, "dmesg");
	bool kernel_code = false, lowmem = false;
	size_t i, nl = 0;
	json_t *v;

	json_array_foreach(io, i, v) {
		if (!strcmp(str_of(v, "name"), "Kernel code")) {
			kernel_code = true;
			assert_int_equal(int_of(v, "depth"), 1);
			assert_int_equal(hex_of(v, "start"), 0x1000000);
		}
	}
	assert_true(kernel_code);
	assert_int_equal(hex_of(json_array_get(io, 0), "start"), 0);

	json_array_foreach(json_object_get(dm, "lines"), i, v) {
		/* no "[    0.000000] " stamp (a line may start with
		 * "[mem", as the PCI gap's does) */
		assert_true(strncmp(json_string_value(v), "[ ", 2) != 0);
		lowmem |= strstr(json_string_value(v), "LOWMEM available") != NULL;
	}
	for (char *p = dmesg_text; *p; p++)
		nl += *p == '\n';
	assert_int_equal(json_array_size(json_object_get(dm, "lines")), nl);
	assert_true(lowmem);
	assert_string_equal(str_of(cl, "cmdline"), "");
	free(dmesg_text);
	json_decref(io);
	json_decref(dm);
	json_decref(cl);
}

static void test_layout_report(void **state)
{
	struct machine *m = *state;
	json_t *l = report_json(m, "layout");
	char *t = report_text(m, "layout");
	static const char *const keys[] = {
		"PAGE_OFFSET", "high_memory", "VMALLOC_START", "VMALLOC_END",
		"VmallocTotal_kB", "PKMAP_BASE", "LAST_PKMAP", "LDT_BASE_ADDR",
		"CPU_ENTRY_AREA_BASE", "FIXADDR_START", "FIXADDR_TOT_START",
		"FIXADDR_TOP", "max_pfn", "max_low_pfn", "highstart_pfn",
		"highend_pfn", "MAXMEM", "__VMALLOC_RESERVE", "pae", "vmsplit",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_get(l, keys[i]))
			fail_msg("layout lacks %s", keys[i]);
	assert_int_equal(hex_of(l, "PAGE_OFFSET"), 0xc0000000);
	assert_int_equal(hex_of(l, "high_memory"), m->layout.high_memory);
	assert_int_equal(hex_of(l, "VMALLOC_START"), m->layout.vmalloc_start);
	assert_int_equal(hex_of(l, "max_low_pfn"), m->layout.max_low_pfn);
	assert_int_equal(int_of(l, "LAST_PKMAP"), 1024);
	assert_int_equal(int_of(l, "VmallocTotal_kB"),
			 (m->layout.vmalloc_end - m->layout.vmalloc_start) >> 10);
	assert_string_equal(str_of(l, "vmsplit"), "3G");
	assert_true(json_is_false(json_object_get(l, "pae")));
	assert_non_null(strstr(t, "virtual kernel memory layout:\n"));
	assert_non_null(strstr(t, "    lowmem  : 0xc0000000 - "));
	assert_non_null(strstr(t, "    pkmap   : "));
	assert_non_null(strstr(t, "\nPAGE_OFFSET "));
	free(t);
	json_decref(l);
}

static void test_e820_memblock_reports(void **state)
{
	struct machine *m = *state;
	json_t *e = report_json(m, "e820"), *mb = report_json(m, "memblock");
	json_t *fw = json_object_get(e, "firmware"), *k = json_object_get(e, "kernel");
	char *et = report_text(m, "e820"), *mt = report_text(m, "memblock");
	bool kernel = false;
	size_t i;
	json_t *r;

	/* QEMU's map, and the kernel's copy with page 0 reserved */
	assert_int_equal(json_array_size(fw), 6);
	assert_int_equal(hex_of(json_array_get(fw, 0), "end"), 0x9fbff);
	assert_string_equal(str_of(json_array_get(fw, 0), "type"), "usable");
	assert_int_equal(hex_of(json_array_get(fw, 3), "end"), 0x7ffdffff);
	assert_string_equal(str_of(json_array_get(k, 0), "type"), "reserved");
	assert_int_equal(hex_of(json_array_get(k, 0), "size"), 0x1000);
	assert_non_null(strstr(et, "BIOS-e820: [mem 0x0000000000000000-"
				   "0x000000000009fbff] usable\n"));

	assert_true(json_array_size(json_object_get(mb, "memory")) >= 1);
	json_array_foreach(json_object_get(mb, "reserved"), i, r) {
		assert_true(hex_of(r, "end") >= hex_of(r, "start"));
		kernel |= strstr(str_of(r, "name"), "kernel") != NULL;
	}
	assert_true(kernel);
	assert_non_null(strstr(mt, " memory[0x0]\t[0x00001000-0x0009efff]"));
	assert_non_null(strstr(mt, " reserved[0x0]\t"));
	free(et);
	free(mt);
	json_decref(e);
	json_decref(mb);
}

static void test_pae_reports(void **state)
{
	struct machine *m = NULL;
	struct mm_error err = { 0 };
	json_t *cfg = js("{\"ram\": \"6G\", \"pae\": true, \"vmsplit\": \"2G\"}");
	json_t *l, *pt, *r;

	(void)state;
	assert_int_equal(api_machine_boot(cfg, &m, &err), MM_OK);
	l = report_json(m, "layout");
	assert_int_equal(hex_of(l, "PAGE_OFFSET"), 0x80000000);
	assert_true(json_is_true(json_object_get(l, "pae")));
	assert_int_equal(int_of(l, "LAST_PKMAP"), 512);
	pt = report_json(m, "pagetypeinfo");
	assert_int_equal(int_of(pt, "pageblock_order"), 9);
	/* above 4 GiB: pfns and addresses beyond 32 bits */
	r = op(m, "alloc_pages", "{\"gfp\": \"GFP_HIGHUSER\"}", &err);
	assert_non_null(r);
	assert_string_equal(str_of(r, "zone"), "HighMem");
	assert_true(json_is_null(json_object_get(r, "virt")));
	json_decref(r);
	r = op(m, "alloc_pages", "{\"gfp\": \"GFP_KERNEL\"}", &err);
	assert_int_equal(hex_of(r, "virt"), 0x80000000ull + hex_of(r, "phys"));
	json_decref(r);
	json_decref(l);
	json_decref(pt);
	json_decref(cfg);
	machine_free(m);
}

/* --- problems ------------------------------------------------------------------- */

static void test_problem(void **state)
{
	struct mm_error err = { 0 };
	json_t *p;

	(void)state;
	mm_fail(&err, MM_EINVAL, "bad-config", "ram", "ram must be %s", "big");
	p = api_problem(&err);
	assert_string_equal(str_of(p, "type"),
			    "https://mmlab.dev/problems/bad-config");
	assert_string_equal(str_of(p, "title"), "Invalid machine configuration");
	assert_int_equal(int_of(p, "status"), 400);
	assert_string_equal(str_of(p, "detail"), "ram must be big");
	assert_string_equal(str_of(p, "field"), "ram");
	assert_int_equal(json_object_size(p), 5);
	json_decref(p);

	/* no field: no "field" member; a slug the table lacks reads as words */
	mm_fail(&err, MM_EIMPOSSIBLE, "zone-exhausted", "", "no room");
	p = api_problem(&err);
	assert_null(json_object_get(p, "field"));
	assert_string_equal(str_of(p, "title"), "Zone exhausted");
	assert_int_equal(int_of(p, "status"), 422);
	json_decref(p);

	mm_fail(&err, MM_ESTATE, "double-free", "pfn", "again");
	assert_int_equal(api_http_status(&err), 409);
	mm_fail(&err, MM_ENOTFOUND, "unknown-report", "report", "x");
	assert_int_equal(api_http_status(&err), 404);

	/* a detail cut inside a UTF-8 sequence still makes a JSON string */
	mm_fail(&err, MM_EINVAL, "bad-argument", "gfp", "%s", "abc\xc3");
	p = api_problem(&err);
	assert_string_equal(str_of(p, "detail"), "abc?");
	json_decref(p);
}

/* The regions tile the 4 GiB map from 0 to the top without a gap. */
static void test_layout_regions(void **state)
{
	struct machine *m = *state;
	json_t *l = report_json(m, "layout");
	json_t *regions = json_object_get(l, "regions"), *r;
	uint64_t at = 0;
	size_t i;

	assert_true(json_array_size(regions) >= 8);
	json_array_foreach(regions, i, r) {
		assert_int_equal(hex_of(r, "start"), at);
		at = hex_of(r, "end");
		assert_true(at > hex_of(r, "start"));
	}
	assert_int_equal(at, 1ull << 32);
	r = json_array_get(regions, 1);
	assert_string_equal(json_string_value(json_object_get(r, "name")),
			    "lowmem");
	assert_int_equal(hex_of(r, "end"), 0xf6bfe000u);
	json_decref(l);
}

static void test_translate_op(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *r, *steps, *fault;

	r = op(m, "translate", "{\"addr\": \"0xf6bfd123\"}", &err);
	assert_non_null(r);
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_int_equal(hex_of(r, "phys"), 0x36bfd123);
	assert_int_equal(hex_of(r, "linear_pa"), 0x36bfd123);
	steps = json_object_get(r, "steps");
	assert_int_equal(json_array_size(steps), 2);
	assert_int_equal(hex_of(json_array_get(steps, 1), "entry"), 0x36bfd163);
	json_decref(r);

	r = op(m, "translate", "{\"addr\": \"0xc1000000\", \"access\": "
	       "\"write\"}", &err);
	assert_non_null(r);
	assert_true(json_is_false(json_object_get(r, "ok")));
	fault = json_object_get(r, "fault");
	assert_int_equal(hex_of(fault, "error_code"), 3);
	json_decref(r);

	/* a write through an unmapped address changes nothing */
	assert_null(op(m, "write", "{\"addr\": \"0xf7000000\", \"text\": "
		       "\"x\"}", &err));
	assert_string_equal(err.type, "page-fault");
	assert_null(op(m, "translate", "{\"addr\": 4294967296}", &err));
	assert_string_equal(err.type, "bad-argument");
}

/* --- frames: the physical map ---------------------------------------------------- */

/* A run as compact JSON text, to compare whole. */
static char *run_text(const json_t *runs, size_t i)
{
	return json_dumps(json_array_get(runs, i), JSON_COMPACT |
			  JSON_SORT_KEYS);
}

static void assert_run(const json_t *runs, size_t i, const char *want)
{
	char *t = run_text(runs, i);

	if (!t || strcmp(t, want))
		fail_msg("run %zu: %s, want %s", i, t ? t : "(none)", want);
	free(t);
}

static json_t *frames(struct machine *m, const char *args)
{
	struct mm_error err;
	json_t *r = op(m, "frames", args, &err);

	if (!r)
		fail_msg("frames %s: %s", args, err.detail);
	return r;
}

static void test_frames_op(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *r, *runs, *a;

	/* page 0 is not RAM (the kernel turns it reserved in e820) and lies
	 * before ZONE_DMA, which starts at pfn 1; the first MiB is
	 * memblock's */
	r = frames(m, "{\"count\": \"0x20\"}");
	assert_int_equal(hex_of(r, "start"), 0);
	assert_int_equal(int_of(r, "count"), 32);
	assert_int_equal(hex_of(r, "max_pfn"), 0x7ffe0);
	runs = json_object_get(r, "runs");
	assert_int_equal(json_array_size(runs), 2);
	assert_run(runs, 0, "{\"n\":1,\"pfn\":\"0x00000000\",\"state\":\"hole\","
		   "\"zone\":null}");
	assert_run(runs, 1, "{\"n\":31,\"pfn\":\"0x00000001\",\"state\":"
		   "\"reserved\",\"zone\":\"DMA\"}");
	json_decref(r);

	/* the end of conventional memory, the ISA hole, then DMA's free
	 * blocks: one run per buddy block */
	r = frames(m, "{\"start\": \"0x9e\", \"count\": 512}");
	runs = json_object_get(r, "runs");
	assert_int_equal(json_array_size(runs), 4);
	assert_run(runs, 0, "{\"n\":1,\"pfn\":\"0x0000009e\",\"state\":"
		   "\"reserved\",\"zone\":\"DMA\"}");
	assert_run(runs, 1, "{\"n\":97,\"pfn\":\"0x0000009f\",\"state\":"
		   "\"hole\",\"zone\":\"DMA\"}");
	assert_run(runs, 2, "{\"migratetype\":\"Unmovable\",\"n\":256,\"order\""
		   ":8,\"pfn\":\"0x00000100\",\"state\":\"free\",\"zone\":"
		   "\"DMA\"}");
	/* cut by the window's end: 158 frames of an order-9 block */
	assert_run(runs, 3, "{\"migratetype\":\"Unmovable\",\"n\":158,\"order\""
		   ":9,\"pfn\":\"0x00000200\",\"state\":\"free\",\"zone\":"
		   "\"DMA\"}");
	json_decref(r);

	/* the first GFP_KERNEL order-3 block: boot's page table took 0x2000
	 * through CPU 0's order-0 Unmovable pcp list, whose refill moved a
	 * batch of 63 pages, 0x2000-0x203e, there; this request refills the
	 * order-3 list with 63 >> 3 = 7 blocks from 0x2040 up and gets the
	 * first */
	a = op(m, "alloc_pages", "{\"order\": 3, \"gfp\": \"GFP_KERNEL\"}",
	       &err);
	assert_int_equal(hex_of(a, "pfn"), 0x2040);
	json_decref(a);
	r = frames(m, "{\"start\": \"0x203e\", \"count\": \"0x12\"}");
	runs = json_object_get(r, "runs");
	assert_int_equal(json_array_size(runs), 4);
	assert_run(runs, 0, "{\"migratetype\":\"Unmovable\",\"n\":1,\"order\":0,"
		   "\"pcp_cpu\":0,\"pfn\":\"0x0000203e\",\"state\":\"free\","
		   "\"zone\":\"Normal\"}");
	assert_run(runs, 1, "{\"migratetype\":\"Unmovable\",\"n\":1,\"order\":0,"
		   "\"pfn\":\"0x0000203f\",\"state\":\"free\",\"zone\":"
		   "\"Normal\"}");
	assert_run(runs, 2, "{\"n\":8,\"order\":3,\"owner\":\"alloc_pages\","
		   "\"owner_id\":0,\"pfn\":\"0x00002040\",\"state\":"
		   "\"allocated\",\"zone\":\"Normal\"}");
	assert_run(runs, 3, "{\"migratetype\":\"Unmovable\",\"n\":8,\"order\":3,"
		   "\"pcp_cpu\":0,\"pfn\":\"0x00002048\",\"state\":\"free\","
		   "\"zone\":\"Normal\"}");
	json_decref(r);
	/* a window starting inside the block: the part inside it */
	r = frames(m, "{\"start\": \"0x2041\", \"count\": 3}");
	runs = json_object_get(r, "runs");
	assert_int_equal(json_array_size(runs), 1);
	assert_run(runs, 0, "{\"n\":3,\"order\":3,\"owner\":\"alloc_pages\","
		   "\"owner_id\":0,\"pfn\":\"0x00002041\",\"state\":"
		   "\"allocated\",\"zone\":\"Normal\"}");
	json_decref(r);

	/* past max_pfn: by default nothing; asked for, one hole */
	r = frames(m, "{\"start\": \"0x7ffe0\"}");
	assert_int_equal(int_of(r, "count"), 0);
	assert_int_equal(json_array_size(json_object_get(r, "runs")), 0);
	json_decref(r);
	r = frames(m, "{\"start\": \"0x7ffe0\", \"count\": \"0x20\"}");
	runs = json_object_get(r, "runs");
	assert_int_equal(json_array_size(runs), 1);
	assert_run(runs, 0, "{\"n\":32,\"pfn\":\"0x0007ffe0\",\"state\":"
		   "\"hole\",\"zone\":null}");
	json_decref(r);

	expect_bad_arg(m, "frames", "{\"count\": 1048577}", "count");
	expect_bad_arg(m, "frames", "{\"start\": \"0x1000000\"}", "start");
	expect_bad_arg(m, "frames", "{\"start\": \"0xffffff\", \"count\": 2}",
		       "count");
	expect_bad_arg(m, "frames", "{\"pfn\": 0}", "pfn");
}

/* Who owns an allocated block: a slab's cache, a process's frames and
 * page tables. */
static void test_frames_owners(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *a, *r, *run;
	uint64_t table;
	char args[96];

	a = op(m, "kmalloc", "{\"size\": 96}", &err);
	snprintf(args, sizeof(args), "{\"start\": \"%s\", \"count\": 1}",
		 json_string_value(json_object_get(json_object_get(a, "slab"),
						   "pfn")));
	json_decref(a);
	r = frames(m, args);
	run = json_array_get(json_object_get(r, "runs"), 0);
	assert_string_equal(str_of(run, "owner"), "slab");
	assert_string_equal(str_of(run, "cache"), "kmalloc-96");
	assert_null(json_object_get(run, "pid"));
	json_decref(r);

	json_decref(op(m, "process_create", NULL, &err));
	a = op(m, "access", "{\"pid\": 1, \"addr\": \"0x08048000\", "
	       "\"access\": \"exec\"}", &err);
	snprintf(args, sizeof(args), "{\"start\": \"%s\", \"count\": 1}",
		 json_string_value(json_object_get(json_object_get(a, "fault"),
						   "pfn")));
	r = frames(m, args);
	run = json_array_get(json_object_get(r, "runs"), 0);
	assert_string_equal(str_of(run, "owner"), "user");
	assert_int_equal(int_of(run, "pid"), 1);
	assert_int_equal(int_of(run, "owner_id"), 1);
	assert_string_equal(str_of(run, "zone"), "HighMem");
	json_decref(r);
	/* the PTE page the fault added (HIGHPTE: from HighMem too) */
	table = hex_of(json_array_get(json_object_get(json_object_get(a,
			"final"), "steps"), 1), "table");
	snprintf(args, sizeof(args), "{\"start\": \"0x%llx\", \"count\": 1}",
		 (unsigned long long)table >> 12);
	json_decref(a);
	r = frames(m, args);
	run = json_array_get(json_object_get(r, "runs"), 0);
	assert_string_equal(str_of(run, "owner"), "pgtable");
	assert_int_equal(int_of(run, "pid"), 1);
	assert_string_equal(str_of(run, "zone"), "HighMem");
	json_decref(r);
	/* once the process is gone its frames are free again */
	json_decref(op(m, "exit", "{\"pid\": 1}", &err));
	r = frames(m, args);
	run = json_array_get(json_object_get(r, "runs"), 0);
	assert_string_equal(str_of(run, "state"), "free");
	json_decref(r);
}

/* A run agrees with page_frame_info() at pfn: state, zone, and for a
 * block its head and order. */
static void check_run_frame(const struct machine *m, const json_t *run,
			    pfn_t pfn)
{
	const json_t *z = json_object_get(run, "zone");
	struct frame_info fi;

	page_frame_info(&m->pgdat, pfn, &fi);
	assert_string_equal(str_of(run, "state"),
			    api_frame_state_name(fi.state));
	if (fi.zone < 0)
		assert_true(json_is_null(z));
	else
		assert_string_equal(json_string_value(z), zone_name(fi.zone));
	if (fi.state == FRAME_FREE || fi.state == FRAME_ALLOCATED) {
		assert_int_equal(fi.head, hex_of(run, "pfn"));
		assert_int_equal(int_of(run, "n"), 1u << fi.order);
		assert_int_equal(int_of(run, "order"), fi.order);
	}
}

/* The whole map: the runs tile [0, max_pfn), and each agrees with
 * page_frame_info() at its ends and at every 61st frame between. */
static void test_frames_match_frame_info(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *r, *runs;
	uint64_t next = 0;

	/* give the map some texture: kernel blocks, slabs, user frames */
	json_decref(op(m, "alloc_pages", "{\"order\": 5}", &err));
	json_decref(op(m, "vmalloc", "{\"size\": \"64K\"}", &err));
	json_decref(op(m, "kmalloc", "{\"size\": 40000}", &err));
	json_decref(op(m, "process_create", NULL, &err));
	json_decref(op(m, "uwrite", "{\"pid\": 1, \"addr\": \"0x0804a000\", "
		       "\"text\": \"x\"}", &err));
	r = frames(m, "{}");
	assert_int_equal(int_of(r, "count"), 0x7ffe0);
	runs = json_object_get(r, "runs");
	for (size_t i = 0; i < json_array_size(runs); i++) {
		const json_t *run = json_array_get(runs, i);
		uint64_t pfn = hex_of(run, "pfn"), n = int_of(run, "n");

		assert_int_equal(pfn, next);
		assert_true(n > 0);
		for (uint64_t k = 0; k < n; k += 61)
			check_run_frame(m, run, (pfn_t)(pfn + k));
		check_run_frame(m, run, (pfn_t)(pfn + n - 1));
		next = pfn + n;
	}
	assert_int_equal(next, 0x7ffe0);
	json_decref(r);
}

/* 20000 single pages, each its own block: the answer stops at 16384
 * runs and says where the next request should start. */
static void test_frames_run_cap(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *r, *runs, *last;
	uint64_t next;

	for (int i = 0; i < 20000; i++)
		json_decref(op(m, "alloc_pages", "{\"gfp\": \"GFP_HIGHUSER\"}",
			       &err));
	r = frames(m, "{}");
	runs = json_object_get(r, "runs");
	assert_int_equal(json_array_size(runs), 16384);
	last = json_array_get(runs, 16383);
	next = hex_of(r, "next");
	assert_int_equal(next, hex_of(last, "pfn") + int_of(last, "n"));
	assert_int_equal(int_of(r, "count"), next);
	json_decref(r);
	r = frames(m, "{\"start\": 0, \"count\": 4096}");
	assert_true(json_is_null(json_object_get(r, "next")));
	json_decref(r);
}

/* translate in a process's view: the walk access makes, without the
 * fault handler. */
static void test_translate_pid(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *a, *t, *final;
	uint32_t before;

	json_decref(op(m, "process_create", NULL, &err));
	before = memfree_kb(m);
	/* untouched: the walk ends at the empty page-directory entry with
	 * the fault a user read raises (USER, not present) */
	t = op(m, "translate", "{\"pid\": 1, \"addr\": \"0x0804a000\"}", &err);
	assert_non_null(t);
	assert_true(json_is_false(json_object_get(t, "ok")));
	assert_int_equal(int_of(t, "pid"), 1);
	assert_string_equal(str_of(t, "mode"), "user");
	assert_int_equal(json_array_size(json_object_get(t, "steps")), 1);
	assert_int_equal(hex_of(json_object_get(t, "fault"), "error_code"),
			 X86_PF_USER);
	assert_int_equal(hex_of(t, "cr3"), mm_find_const(m, 1)->pgd);
	json_decref(t);
	/* an inspection: nothing was mapped or allocated */
	assert_int_equal(memfree_kb(m), before);
	assert_int_equal(mm_user_pte(m, mm_find_const(m, 1), 0x0804a000u), 0);

	a = op(m, "access", "{\"pid\": 1, \"addr\": \"0x0804a123\", "
	       "\"access\": \"write\"}", &err);
	final = json_object_get(a, "final");
	t = op(m, "translate", "{\"pid\": 1, \"addr\": \"0x0804a123\", "
	       "\"access\": \"write\"}", &err);
	json_object_del(t, "pid");
	json_object_del(t, "mode");
	assert_true(json_equal(t, final));
	assert_int_equal(hex_of(t, "phys"),
			 (hex_of(json_object_get(a, "fault"), "pfn") << 12) |
			 0x123);
	json_decref(t);
	json_decref(a);
	/* text is read-only: a user write faults PROT|WRITE|USER once the
	 * page is in */
	json_decref(op(m, "access", "{\"pid\": 1, \"addr\": \"0x08048000\"}",
		       &err));
	t = op(m, "translate", "{\"pid\": 1, \"addr\": \"0x08048000\", "
	       "\"access\": \"write\"}", &err);
	assert_int_equal(hex_of(json_object_get(t, "fault"), "error_code"),
			 X86_PF_PROT | X86_PF_WRITE | X86_PF_USER);
	json_decref(t);
	/* the kernel's half through the process's page directory: the
	 * same linear map as swapper_pg_dir */
	t = op(m, "translate", "{\"pid\": 1, \"addr\": \"0xc1000000\", "
	       "\"mode\": \"kernel\"}", &err);
	assert_true(json_is_true(json_object_get(t, "ok")));
	assert_int_equal(hex_of(t, "phys"), 0x1000000);
	assert_string_equal(str_of(t, "mode"), "kernel");
	json_decref(t);

	assert_null(op(m, "translate", "{\"pid\": 9, \"addr\": 0}", &err));
	assert_int_equal(err.kind, MM_ENOTFOUND);
	assert_string_equal(err.type, "no-such-process");
	assert_string_equal(err.field, "pid");
}

/* PAE with PTI: user mode runs on the user half of the order-1 pgd,
 * which does not map the kernel; kernel mode on the kernel half. */
static void test_translate_pid_pae(void **state)
{
	struct machine *m = NULL;
	struct mm_error err = { 0 };
	json_t *cfg = js("{\"ram\": \"2G\", \"pae\": true}"), *a, *t;
	uint64_t pgd;

	(void)state;
	assert_int_equal(api_machine_boot(cfg, &m, &err), MM_OK);
	json_decref(cfg);
	json_decref(op(m, "process_create", NULL, &err));
	pgd = mm_find_const(m, 1)->pgd;
	a = op(m, "access", "{\"pid\": 1, \"addr\": \"0x0804a010\", "
	       "\"access\": \"write\"}", &err);
	t = op(m, "translate", "{\"pid\": 1, \"addr\": \"0x0804a010\", "
	       "\"access\": \"write\"}", &err);
	assert_int_equal(hex_of(t, "cr3"), pgd + 4096);
	json_object_del(t, "pid");
	json_object_del(t, "mode");
	assert_true(json_equal(t, json_object_get(a, "final")));
	json_decref(t);
	json_decref(a);
	/* the kernel text: not in the user half (the PMD is empty) */
	t = op(m, "translate", "{\"pid\": 1, \"addr\": \"0xc1000000\"}",
	       &err);
	assert_true(json_is_false(json_object_get(t, "ok")));
	assert_string_equal(str_of(json_object_get(t, "fault"), "level"),
			    "pmd");
	json_decref(t);
	t = op(m, "translate", "{\"pid\": 1, \"addr\": \"0xc1000000\", "
	       "\"mode\": \"kernel\"}", &err);
	assert_int_equal(hex_of(t, "cr3"), pgd);
	assert_int_equal(hex_of(t, "phys"), 0x1000000);
	json_decref(t);
	machine_free(m);
}

/* The student's round trip: write through a vmalloc address, read the
 * same bytes back through a kmap of the frame behind it. */
static void test_vmalloc_kmap_alias(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *v, *k, *r;
	char args[160];
	uint64_t va, pfn, kva;

	v = op(m, "vmalloc", "{\"size\": 8192}", &err);
	assert_non_null(v);
	va = hex_of(v, "addr");
	pfn = hex_of(json_array_get(json_object_get(v, "pages"), 1), "pfn");
	/* the second page: a HighMem frame, no linear address */
	assert_true(pfn >= 0x36bfe);
	snprintf(args, sizeof(args), "{\"addr\": %llu, \"text\": "
		 "\"through vmalloc\"}", (unsigned long long)va + 4096 + 100);
	r = op(m, "write", args, &err);
	assert_non_null(r);
	json_decref(r);

	snprintf(args, sizeof(args), "{\"pfn\": %llu}", (unsigned long long)pfn);
	k = op(m, "kmap", args, &err);
	assert_non_null(k);
	kva = hex_of(k, "addr");
	/* the first pkmap slot taken on a fresh machine is slot 1 */
	assert_int_equal(kva, 0xfec01000u);
	snprintf(args, sizeof(args), "{\"addr\": %llu, \"len\": 15}",
		 (unsigned long long)kva + 100);
	r = op(m, "read", args, &err);
	assert_non_null(r);
	/* "through vmalloc" in hex */
	assert_string_equal(json_string_value(json_object_get(r, "hex")),
			    "7468726f75676820766d616c6c6f63");
	json_decref(r);
	json_decref(k);
	json_decref(v);
}

/* free_pages frees only what alloc_pages gave out. */
static void test_free_pages_owner(void **state)
{
	struct machine *m = *state;
	struct mm_error err;
	json_t *v;
	char args[96];

	v = op(m, "vmalloc", "{\"size\": 4096}", &err);
	assert_non_null(v);
	snprintf(args, sizeof(args), "{\"pfn\": \"%s\", \"order\": 0}",
		 json_string_value(json_object_get(json_array_get(
			json_object_get(v, "pages"), 0), "pfn")));
	assert_null(op(m, "free_pages", args, &err));
	assert_string_equal(err.type, "not-alloc-pages");
	assert_non_null(strstr(err.detail, "vfree the area"));
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_u64),
		cmocka_unit_test_setup_teardown(test_leading_zero, boot_2g,
						free_machine),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_hex_widths),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_every_field),
		cmocka_unit_test(test_config_sizes),
		cmocka_unit_test(test_config_e820),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_error_details),
		cmocka_unit_test(test_config_roundtrip),
		cmocka_unit_test(test_config_boot),
		cmocka_unit_test(test_model_fingerprint),
		cmocka_unit_test(test_boot_errors),
		cmocka_unit_test_setup_teardown(test_alloc_free_roundtrip,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_alloc_highmem,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_alloc_defaults_and_numeric_gfp,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_alloc_out_of_memory,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_op_argument_errors,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_shared_argument_errors,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_frame_states,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_frames_op,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_frames_owners,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_frames_run_cap,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_frames_match_frame_info,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_translate_pid,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_unknown_op,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_every_report,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_unknown_report,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_meminfo_json_matches_text,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_zone_reports,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_text_reports_json,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_layout_report,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_layout_regions,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_translate_op,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_vmalloc_kmap_alias,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_free_pages_owner,
						boot_2g, free_machine),
		cmocka_unit_test_setup_teardown(test_e820_memblock_reports,
						boot_2g, free_machine),
		cmocka_unit_test(test_pae_reports),
		cmocka_unit_test(test_translate_pid_pae),
		cmocka_unit_test(test_problem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

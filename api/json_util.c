/*
 * json_util.c - numbers and addresses in JSON, key checks, and the small
 * conversions every answer uses.
 */
#include "api.h"
#include "api_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "e820.h"
#include "page_alloc.h"

/*
 * "0x%08llx" by hand: an answer holds a dozen addresses, and printf's
 * format parsing was the largest cost of rendering a translate (ahead
 * of the walk itself).  The digits are ASCII, so jansson need not check
 * them for UTF-8.
 */
size_t api_hex_digits(uint64_t v, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	int n = 8;

	/* at least 8 digits so 32-bit addresses line up; more when PAE
	 * physical addresses need them */
	while (n < 16 && (v >> (4 * n)))
		n++;
	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < n; i++)
		buf[2 + i] = digits[(v >> (4 * (n - 1 - i))) & 0xf];
	return (size_t)(2 + n);
}

json_t *api_hex(uint64_t v)
{
	char buf[2 + 16];

	return json_stringn_nocheck(buf, api_hex_digits(v, buf));
}

/* 2^53: beyond it a JSON real no longer holds every whole number. */
#define REAL_EXACT_MAX 9007199254740992.0

int api_get_u64(const json_t *v, uint64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0)
			return -1;
		*out = (uint64_t)i;
		return 0;
	}
	if (json_is_real(v)) {
		/* 2e9 is how some clients write a whole number */
		double d = json_real_value(v);

		if (!(d >= 0 && d <= REAL_EXACT_MAX) ||
		    (double)(uint64_t)d != d)
			return -1;
		*out = (uint64_t)d;
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		return api_parse_number(s, strlen(s), API_NUM_SIZE, out) ? -1
									 : 0;
	}
	return -1;
}

json_t *api_string_lossy(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	copy = xstrdup(s);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

void api_join_names(const char *const names[], char *buf, size_t len)
{
	size_t n = 0, used = 0;

	while (names[n])
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";
		int w = snprintf(buf + used, len - used, "%s%s", sep, names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static bool in_list(const char *const list[], const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

bool api_keys_known(const json_t *obj, const char *const allowed[])
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)obj, key, val)
		if (!in_list(allowed, key))
			return false;
	return true;
}

int api_check_keys(const json_t *obj, const char *const allowed[],
		   const char *type, const char *what, const char *prefix,
		   struct mm_error *err)
{
	const char *key;
	json_t *val;
	char names[256], field[40];

	json_object_foreach((json_t *)obj, key, val) {
		if (in_list(allowed, key))
			continue;
		api_join_names(allowed, names, sizeof(names));
		snprintf(field, sizeof(field), "%s%s", prefix, key);
		return mm_fail(err, MM_EINVAL, type, field,
			       "unknown field '%s' in %s; the fields are %s",
			       key, what, names);
	}
	return MM_OK;
}

json_t *api_text_lines(const char *text, bool strip_stamp)
{
	json_t *lines = json_array();
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *s = p;

		if (strip_stamp && *s == '[') {
			const char *close = memchr(s, ']', n);

			/* "[    0.000000] text": drop up to the blank */
			if (close && close + 1 < p + n && close[1] == ' ') {
				n -= (size_t)(close + 2 - s);
				s = close + 2;
			}
		}
		json_array_append_new(lines, json_stringn(s, n));
		p += (size_t)(s - p) + n + (nl ? 1 : 0);
	}
	return lines;
}

void api_e820_type_str(uint32_t type, char *buf, size_t len)
{
	const char *name = e820_type_name(type);

	/* the spelling e820_print_type() uses in dmesg */
	if (name)
		snprintf(buf, len, "%s", name);
	else if (type == E820_TYPE_PMEM || type == E820_TYPE_PRAM)
		snprintf(buf, len, "persistent (type %u)", type);
	else
		snprintf(buf, len, "type %u", type);
}

json_t *api_gfp_json(gfp_t gfp)
{
	char buf[GFP_NAME_MAX];

	gfp_format(gfp, buf, sizeof(buf));
	return json_string(buf);
}

const char *api_frame_state_name(int state)
{
	switch ((enum frame_state)state) {
	case FRAME_HOLE: return "hole";
	case FRAME_RESERVED: return "reserved";
	case FRAME_FREE: return "free";
	case FRAME_ALLOCATED: return "allocated";
	}
	return "?";
}

const char *api_owner_name(int owner)
{
	/* OWNER_NONE is a block the user took with alloc_pages */
	static const char *const names[NR_OWNERS] = {
		[OWNER_NONE] = "alloc_pages", [OWNER_KERNEL] = "kernel",
		[OWNER_PGTABLE] = "pgtable", [OWNER_SLAB] = "slab",
		[OWNER_VMALLOC] = "vmalloc", [OWNER_USER] = "user",
		[OWNER_PKMAP] = "pkmap", [OWNER_SHMEM] = "shmem",
		[OWNER_KSTACK] = "kernel-stack",
	};

	return owner >= 0 && owner < NR_OWNERS ? names[owner] : "?";
}

/* --- arguments every family of operations shares ----------------------------- */

#define PFN_LIMIT (PHYS_LIMIT >> PAGE_SHIFT)
/* a macro, so the compiler still checks each format against its op */
#define bad_arg(err, field, fmt, op) \
	mm_fail(err, MM_EINVAL, "bad-argument", field, fmt, op)

/* Exactly one of "pfn" and "phys"; aligned asks for a page boundary. */
int api_arg_frame(const char *op, const json_t *args, bool aligned,
		  pfn_t *pfn, struct mm_error *err)
{
	const json_t *vp = json_object_get(args, "pfn");
	const json_t *va = json_object_get(args, "phys");
	uint64_t n;

	if (!vp == !va)
		return bad_arg(err, vp ? "phys" : "pfn",
			       "%s needs exactly one of pfn and phys", op);
	if (vp) {
		if (api_get_u64(vp, &n) || n >= PFN_LIMIT)
			return bad_arg(err, "pfn", "%s: pfn must be a number "
				       "below 0x1000000 (36-bit physical "
				       "addresses)", op);
		*pfn = (pfn_t)n;
		return MM_OK;
	}
	if (api_get_u64(va, &n) || n >= PHYS_LIMIT)
		return bad_arg(err, "phys", "%s: phys must be an address below "
			       "64 GiB (36 bits), such as \"0x1000000\"", op);
	if (aligned && n % PAGE_SIZE)
		return bad_arg(err, "phys", "%s: phys must be page aligned "
			       "(a multiple of 0x1000)", op);
	*pfn = PFN_DOWN(n);
	return MM_OK;
}

int api_arg_bytes(const char *op, const json_t *args, uint8_t *buf,
		  size_t max, size_t *len, struct mm_error *err)
{
	const json_t *jh = json_object_get(args, "hex");
	const json_t *jt = json_object_get(args, "text");
	const char *hex = json_string_value(jh);
	const char *text = json_string_value(jt);
	size_t n;

	if (jh && !hex)
		return bad_arg(err, "hex", "%s: hex must be a string of hex "
			       "digits such as \"deadbeef\"", op);
	if (jt && !text)
		return bad_arg(err, "text", "%s: text must be a string", op);
	if (!hex == !text)
		return bad_arg(err, "hex", "%s: give the bytes as \"hex\" "
			       "(\"deadbeef\") or as \"text\", not both", op);
	if (text) {
		n = strlen(text);
		if (!n || n > max)
			return mm_fail(err, MM_EINVAL, "bad-argument", "text",
				       "%s: text must be 1 to %zu bytes", op,
				       max);
		memcpy(buf, text, n);
		*len = n;
		return MM_OK;
	}
	n = strlen(hex);
	if (!n || n % 2 || n / 2 > max ||
	    strspn(hex, "0123456789abcdefABCDEF") != n)
		return mm_fail(err, MM_EINVAL, "bad-argument", "hex",
			       "%s: hex must be an even number of hex digits, "
			       "at most %zu bytes", op, max);
	for (size_t i = 0; i < n / 2; i++) {
		char two[3] = { hex[2 * i], hex[2 * i + 1], 0 };

		buf[i] = (uint8_t)strtoul(two, NULL, 16);
	}
	*len = n / 2;
	return MM_OK;
}

int api_arg_gfp(const char *op, const json_t *args, gfp_t *gfp,
		struct mm_error *err)
{
	const json_t *v = json_object_get(args, "gfp");
	char word[48], what[64], why[256];
	uint64_t n;

	*gfp = GFP_KERNEL;
	if (!v)
		return MM_OK;
	if (json_is_string(v)) {
		if (!gfp_parse(json_string_value(v), gfp, word, sizeof(word)))
			return MM_OK;
		if (api_leading_zero(word)) {
			snprintf(what, sizeof(what), "%s: the number in gfp",
				 op);
			api_leading_zero_advice(what, word, why, sizeof(why));
			return mm_fail(err, MM_EINVAL, "bad-argument", "gfp",
				       "%s", why);
		}
		return mm_fail(err, MM_EINVAL, "bad-argument", "gfp",
				"%s: unknown GFP flag '%s'; write a mask the "
				"way the kernel does: \"GFP_KERNEL | "
				"__GFP_ZERO\", \"GFP_HIGHUSER_MOVABLE\" or a "
				"number", op, word);
	}
	if (api_get_u64(v, &n) || n > UINT32_MAX)
		return bad_arg(err, "gfp", "%s: gfp must be a string such as "
			       "\"GFP_KERNEL | __GFP_ZERO\" or a 32-bit number",
			       op);
	*gfp = (gfp_t)n;
	return MM_OK;
}

int api_arg_vaddr(const char *op, const json_t *args, const char *name,
		  bool required, vaddr_t *va, struct mm_error *err)
{
	const json_t *v = json_object_get(args, name);
	uint64_t n;

	*va = 0;
	if (!v && !required)
		return MM_OK;
	if (!v)
		return mm_fail(err, MM_EINVAL, "bad-argument", name,
			       "%s needs %s, a 32-bit virtual address: a "
			       "number or a string such as \"0x08048000\"",
			       op, name);
	if (api_get_u64(v, &n) || n > UINT32_MAX)
		return mm_fail(err, MM_EINVAL, "bad-argument", name,
			       "%s: %s must be a 32-bit virtual address (below "
			       "0x100000000): a number or a string such as "
			       "\"0x08048000\"", op, name);
	*va = (vaddr_t)n;
	return MM_OK;
}

int api_arg_cpu(const char *op, const struct machine *m, const json_t *args,
		unsigned *cpu, struct mm_error *err)
{
	const json_t *v = json_object_get(args, "cpu");
	unsigned ncpu = m->config.cpus;
	uint64_t n;

	*cpu = 0;
	if (!v)
		return MM_OK;
	/* checked here, before the model runs, so every family says it
	 * the same way */
	if (api_get_u64(v, &n) || n >= ncpu)
		return mm_fail(err, MM_EINVAL, "bad-argument", "cpu",
			       "%s: cpu must be a CPU of this machine: it has "
			       "%u CPU%s (0 to %u)", op, ncpu,
			       ncpu == 1 ? "" : "s", ncpu - 1);
	*cpu = (unsigned)n;
	return MM_OK;
}

int api_arg_pid(const char *op, const json_t *args, uint32_t *pid,
		struct mm_error *err)
{
	const json_t *v = json_object_get(args, "pid");
	uint64_t n;

	if (!v)
		return bad_arg(err, "pid", "%s needs pid, the number of a "
			       "process (process_create gives one; the "
			       "processes operation lists them)", op);
	if (api_get_u64(v, &n) || n > UINT32_MAX)
		return bad_arg(err, "pid", "%s: pid must be the number of a "
			       "process (process_create gives one; the "
			       "processes operation lists them)", op);
	*pid = (uint32_t)n;
	return MM_OK;
}

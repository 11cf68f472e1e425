/*
 * snapshot_io.c - little-endian bytes in and out of a snapshot, with
 * every read checked against what is left.
 */
#include "snapshot_io.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strbuf.h"

/* --- writing -------------------------------------------------------------- */

static void sw_reserve(struct snap_writer *w, size_t n)
{
	if (w->len + n <= w->cap)
		return;
	w->cap = w->cap ? w->cap : 4096;
	while (w->cap < w->len + n)
		w->cap *= 2;
	w->buf = xrealloc(w->buf, w->cap);
}

void sw_bytes(struct snap_writer *w, const void *p, size_t n)
{
	if (!n)
		return;
	sw_reserve(w, n);
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

/* Write v as n little-endian bytes whatever the host's byte order. */
static void sw_le(struct snap_writer *w, uint64_t v, unsigned n)
{
	sw_reserve(w, n);
	for (unsigned i = 0; i < n; i++)
		w->buf[w->len++] = (uint8_t)(v >> (8 * i));
}

void sw_u8(struct snap_writer *w, uint8_t v)
{
	sw_le(w, v, 1);
}

void sw_u16(struct snap_writer *w, uint16_t v)
{
	sw_le(w, v, 2);
}

void sw_u32(struct snap_writer *w, uint32_t v)
{
	sw_le(w, v, 4);
}

void sw_u64(struct snap_writer *w, uint64_t v)
{
	sw_le(w, v, 8);
}

void sw_fixed_str(struct snap_writer *w, const char *s, size_t n)
{
	size_t len = strnlen(s, n - 1);

	sw_bytes(w, s, len);
	for (; len < n; len++)
		sw_u8(w, 0);
}

size_t sw_section_begin(struct snap_writer *w, uint32_t tag)
{
	size_t at;

	sw_u32(w, tag);
	sw_u32(w, 0);
	at = w->len;
	sw_u64(w, 0);
	return at;
}

void sw_section_end(struct snap_writer *w, size_t at)
{
	uint64_t n = w->len - at - 8;

	for (unsigned i = 0; i < 8; i++)
		w->buf[at + i] = (uint8_t)(n >> (8 * i));
}

void sw_patch_u32(struct snap_writer *w, size_t at, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		w->buf[at + i] = (uint8_t)(v >> (8 * i));
}

void snap_put_config(struct snap_writer *w, const struct machine_config *c)
{
	uint32_t nr = c->has_e820 ? MIN(c->e820.nr_entries,
					(uint32_t)E820_MAX_ENTRIES) : 0;
	size_t cmdlen = strnlen(c->cmdline, sizeof(c->cmdline));

	sw_u64(w, c->ram);
	sw_u8(w, c->has_e820);
	sw_u32(w, nr);
	for (uint32_t i = 0; i < nr; i++) {
		sw_u64(w, c->e820.entries[i].addr);
		sw_u64(w, c->e820.entries[i].size);
		sw_u32(w, c->e820.entries[i].type);
	}
	sw_u8(w, c->pae);
	sw_u32(w, (uint32_t)c->vmsplit);
	sw_u32(w, (uint32_t)cmdlen);
	sw_bytes(w, c->cmdline, cmdlen);
	sw_u64(w, c->initrd);
	sw_u32(w, c->cpus);
	sw_u64(w, c->seed);
	sw_u32(w, (uint32_t)c->boot);
}

/* --- reading -------------------------------------------------------------- */

bool sr_fail(struct snap_reader *r, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	if (*r->failed)
		return false;
	*r->failed = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	mm_fail(r->err, MM_EINVAL, "bad-snapshot", "snapshot",
		"the snapshot cannot be restored: %s: %s (a snapshot is "
		"restored as machine_snapshot() wrote it, with the "
		"configuration it was taken with)", r->section, why);
	return false;
}

bool sr_ok(const struct snap_reader *r)
{
	return !*r->failed;
}

const uint8_t *sr_take(struct snap_reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (*r->failed)
		return NULL;
	if (n > r->left) {
		sr_fail(r, "truncated: %zu bytes needed, %zu left", n,
			r->left);
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static uint64_t sr_le(struct snap_reader *r, unsigned n)
{
	const uint8_t *p = sr_take(r, n);
	uint64_t v = 0;

	for (unsigned i = 0; p && i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint8_t sr_u8(struct snap_reader *r)
{
	return (uint8_t)sr_le(r, 1);
}

uint16_t sr_u16(struct snap_reader *r)
{
	return (uint16_t)sr_le(r, 2);
}

uint32_t sr_u32(struct snap_reader *r)
{
	return (uint32_t)sr_le(r, 4);
}

uint64_t sr_u64(struct snap_reader *r)
{
	return sr_le(r, 8);
}

bool sr_fixed_str(struct snap_reader *r, char *out, size_t n,
		  const char *what)
{
	const uint8_t *p = sr_take(r, n);
	size_t len;

	if (!p)
		return false;
	len = strnlen((const char *)p, n);
	if (len == n)
		return sr_fail(r, "%s is not NUL-terminated", what);
	for (size_t i = len; i < n; i++)
		if (p[i])
			return sr_fail(r, "%s has bytes after its NUL", what);
	memcpy(out, p, n);
	return true;
}

bool sr_count(struct snap_reader *r, uint32_t *n, size_t each,
	      const char *what)
{
	*n = sr_u32(r);
	if (!sr_ok(r))
		return false;
	if (each && *n > r->left / each)
		return sr_fail(r, "%u %s cannot fit in the %zu bytes left", *n,
			       what, r->left);
	return true;
}

bool sr_at_most(struct snap_reader *r, uint32_t n, uint64_t max,
		const char *what)
{
	if (n > max)
		return sr_fail(r, "%u %s, more than the machine could hold "
			       "(%llu)", n, what, (unsigned long long)max);
	return true;
}

bool sr_section(struct snap_reader *outer, uint32_t tag, const char *name,
		struct snap_reader *in)
{
	uint32_t got, pad;
	uint64_t len;

	outer->section = name;
	got = sr_u32(outer);
	pad = sr_u32(outer);
	len = sr_u64(outer);
	if (!sr_ok(outer))
		return false;
	if (got != tag)
		return sr_fail(outer, "section 0x%08x found where this one "
			       "belongs", got);
	if (pad)
		return sr_fail(outer, "reserved header word is 0x%x", pad);
	if (len > outer->left)
		return sr_fail(outer, "length %llu exceeds the %zu bytes left",
			       (unsigned long long)len, outer->left);
	*in = *outer;
	in->left = (size_t)len;
	outer->p += len;
	outer->left -= (size_t)len;
	return true;
}

bool sr_end(struct snap_reader *r)
{
	if (!sr_ok(r))
		return false;
	if (r->left)
		return sr_fail(r, "%zu bytes after its last field", r->left);
	return true;
}

/* --- the checksum --------------------------------------------------------- */

/*
 * Word by word: h = (h ^ w) * FNV prime, then h ^= h >> 29.  Each step is
 * a bijection of h for a given word, so a change confined to one word
 * always changes the result; anything else goes unnoticed with
 * probability about 2^-64.  Detection of damage, not of forgery.
 */
uint64_t snap_checksum(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i += 8) {
		size_t k = MIN((size_t)8, n - i);
		uint64_t w = 0;

		if (i != SNAP_CSUM_OFFSET)
			for (size_t j = 0; j < k; j++)
				w |= (uint64_t)p[i + j] << (8 * j);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	h ^= (uint64_t)n;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

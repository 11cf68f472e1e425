/*
 * gfp.c - reading and writing allocation masks, and the zone and
 * migratetype a mask asks for.
 */
#include "gfp.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mmzone.h"

struct gfp_name {
	const char *name;
	gfp_t mask;
};

/*
 * In the order the kernel's flag printer (trace events, the OOM report's
 * "gfp_mask=0xcc0(GFP_KERNEL)") tries them: composites from the widest
 * down, then single bits.  Formatting takes each entry whose bits are all
 * still set, so a mask prints exactly as a real kernel would print it.
 */
static const struct gfp_name gfp_names[] = {
	{ "GFP_TRANSHUGE", GFP_TRANSHUGE },
	{ "GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT },
	{ "GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE },
	{ "GFP_HIGHUSER", GFP_HIGHUSER },
	{ "GFP_USER", GFP_USER },
	{ "GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT },
	{ "GFP_KERNEL", GFP_KERNEL },
	{ "GFP_NOFS", GFP_NOFS },
	{ "GFP_ATOMIC", GFP_ATOMIC },
	{ "GFP_NOIO", GFP_NOIO },
	{ "GFP_NOWAIT", GFP_NOWAIT },
	{ "GFP_DMA", GFP_DMA },
	{ "__GFP_HIGHMEM", __GFP_HIGHMEM },
	{ "GFP_DMA32", GFP_DMA32 },
	{ "__GFP_HIGH", __GFP_HIGH },
	{ "__GFP_ATOMIC", __GFP_ATOMIC },
	{ "__GFP_IO", __GFP_IO },
	{ "__GFP_FS", __GFP_FS },
	{ "__GFP_NOWARN", __GFP_NOWARN },
	{ "__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL },
	{ "__GFP_NOFAIL", __GFP_NOFAIL },
	{ "__GFP_NORETRY", __GFP_NORETRY },
	{ "__GFP_COMP", __GFP_COMP },
	{ "__GFP_ZERO", __GFP_ZERO },
	{ "__GFP_NOMEMALLOC", __GFP_NOMEMALLOC },
	{ "__GFP_MEMALLOC", __GFP_MEMALLOC },
	{ "__GFP_HARDWALL", __GFP_HARDWALL },
	{ "__GFP_THISNODE", __GFP_THISNODE },
	{ "__GFP_RECLAIMABLE", __GFP_RECLAIMABLE },
	{ "__GFP_MOVABLE", __GFP_MOVABLE },
	{ "__GFP_ACCOUNT", __GFP_ACCOUNT },
	{ "__GFP_WRITE", __GFP_WRITE },
	{ "__GFP_RECLAIM", __GFP_RECLAIM },
	{ "__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM },
	{ "__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM },
	/* Names a student may write that the printer never produces. */
	{ "__GFP_DMA", __GFP_DMA },
	{ "__GFP_DMA32", __GFP_DMA32 },
};

/* Names are accepted in any case: "gfp_kernel" can only mean one thing. */
static bool lookup_name(const char *s, size_t n, gfp_t *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(gfp_names); i++) {
		const char *name = gfp_names[i].name;

		if (strlen(name) == n && strncasecmp(name, s, n) == 0) {
			*out = gfp_names[i].mask;
			return true;
		}
	}
	return false;
}

/* Decimal or 0x-hex, the API's rule for numbers (api/number.c): a
 * leading 0 is refused rather than read as octal or as decimal, since
 * students copy masks from the kernel's hex output and decimal from
 * tables and "010" could be either. */
static bool parse_number(const char *s, size_t n, gfp_t *out)
{
	char tmp[24];
	char *end;
	unsigned long long v;
	int base = 10;

	if (n == 0 || n >= sizeof(tmp) || !isdigit((unsigned char)s[0]))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (n > 2 && tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X'))
		base = 16;
	else if (n > 1 && tmp[0] == '0')
		return false;
	errno = 0;
	v = strtoull(tmp, &end, base);
	if (errno || *end != '\0' || (v & ~(unsigned long long)__GFP_ALL_BITS))
		return false;
	*out = (gfp_t)v;
	return true;
}

static void set_bad(char *bad, unsigned badlen, const char *s, size_t n)
{
	if (!bad || !badlen)
		return;
	if (n >= badlen)
		n = badlen - 1;
	memcpy(bad, s, n);
	bad[n] = '\0';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int gfp_parse(const char *s, gfp_t *out, char *bad, unsigned badlen)
{
	gfp_t acc = 0;
	const char *p = s;

	set_bad(bad, badlen, "", 0);
	if (!s)
		return -1;
	for (;;) {
		const char *tok, *end;
		size_t n;
		gfp_t v;

		while (is_blank(*p))
			p++;
		tok = p;
		while (*p && *p != '|')
			p++;
		end = p;
		while (end > tok && is_blank(end[-1]))
			end--;
		n = (size_t)(end - tok);
		/* An empty word ("", "GFP_KERNEL |") is a mistake, not 0. */
		if (n == 0 || !(lookup_name(tok, n, &v) ||
				parse_number(tok, n, &v))) {
			set_bad(bad, badlen, tok, n);
			return -1;
		}
		acc |= v;
		if (*p != '|')
			break;
		p++;
	}
	*out = acc;
	return 0;
}

void gfp_format(gfp_t gfp, char *buf, unsigned len)
{
	size_t used = 0;
	gfp_t left = gfp;

	if (!buf || !len)
		return;
	buf[0] = '\0';
	if (gfp == 0) {
		snprintf(buf, len, "0");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(gfp_names) && left; i++) {
		gfp_t m = gfp_names[i].mask;

		if (!m || (left & m) != m)
			continue;
		left &= ~m;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
						 used ? "|" : "",
						 gfp_names[i].name);
	}
	/* Bits no name covers are shown as a number, as the kernel does. */
	if (left && used < len)
		snprintf(buf + used, len - used, "%s%#x", used ? "|" : "",
			 left);
}

int gfp_zone(gfp_t gfp)
{
	/* GFP_ZONE_TABLE for CONFIG_HIGHMEM without CONFIG_ZONE_DMA32,
	 * indexed by DMA|HIGHMEM|DMA32|MOVABLE; -1 is GFP_ZONE_BAD. */
	static const signed char table[16] = {
		[0x0] = ZONE_NORMAL,
		[0x1] = ZONE_DMA,
		[0x2] = ZONE_HIGHMEM,
		[0x3] = -1,
		[0x4] = ZONE_NORMAL,	/* DMA32: no such zone on i386 */
		[0x5] = -1,
		[0x6] = -1,
		[0x7] = -1,
		[0x8] = ZONE_NORMAL,	/* movable lowmem is still Normal */
		[0x9] = ZONE_DMA,
		[0xa] = ZONE_MOVABLE,	/* only movable highmem may use it */
		[0xb] = -1,
		[0xc] = ZONE_NORMAL,
		[0xd] = -1,
		[0xe] = -1,
		[0xf] = -1,
	};

	return table[gfp & (__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 |
			    __GFP_MOVABLE)];
}

int gfp_migratetype(gfp_t gfp)
{
	gfp_t bits = gfp & (__GFP_RECLAIMABLE | __GFP_MOVABLE);

	/* The two bits sit at 0x08 and 0x10 so that shifting by 3 gives
	 * MIGRATE_MOVABLE (1) and MIGRATE_RECLAIMABLE (2). */
	if (bits == (__GFP_RECLAIMABLE | __GFP_MOVABLE))
		return -1;
	return (int)(bits >> 3);
}

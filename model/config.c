/*
 * config.c - machine configuration: defaults, validation, and the kernel
 * command line's memory parameters (mem=, memmap=, highmem=, vmalloc=,
 * reservetop=, log_buf_len=).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void machine_config_default(struct machine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->ram = 2ull << 30;
	c->vmsplit = VMSPLIT_3G;
	c->cpus = 1;
	c->seed = 1;
	c->boot = BOOT_BOOTED;
}

const char *boot_state_name(enum boot_state b)
{
	return b == BOOT_BARE ? "bare" : "booted";
}

size_t memparse(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return 0;	/* more than 64 bits: refused, not clamped */
	switch (*end) {
	case 'E': case 'e': shift += 10; /* fall through */
	case 'P': case 'p': shift += 10; /* fall through */
	case 'T': case 't': shift += 10; /* fall through */
	case 'G': case 'g': shift += 10; /* fall through */
	case 'M': case 'm': shift += 10; /* fall through */
	case 'K': case 'k': shift += 10; end++; break;
	default: break;
	}
	/* a size that does not fit 64 bits is refused, not wrapped */
	if (shift && v > (UINT64_MAX >> shift))
		return 0;
	*out = (uint64_t)v << shift;
	return (size_t)(end - s);
}

static int check_e820(const struct e820_table *t, struct mm_error *err)
{
	bool ram = false;

	if (t->nr_entries == 0 || t->nr_entries > 64)
		return mm_fail(err, MM_EINVAL, "bad-config", "e820",
			       "e820 must list 1 to 64 entries, not %u",
			       t->nr_entries);
	for (uint32_t i = 0; i < t->nr_entries; i++) {
		const struct e820_entry *e = &t->entries[i];

		if (e->size == 0 || !range_fits(e->addr, e->size, PHYS_LIMIT))
			return mm_fail(err, MM_EINVAL, "bad-config", "e820",
				"e820 entry %u (start %#llx, size %#llx) must "
				"have a non-zero size and end at or below "
				"64 GiB (36-bit physical addresses)", i,
				(unsigned long long)e->addr,
				(unsigned long long)e->size);
		if (!e820_type_name(e->type))
			return mm_fail(err, MM_EINVAL, "bad-config", "e820",
				"e820 entry %u has type %u; use usable, "
				"reserved, ACPI data, ACPI NVS or unusable",
				i, e->type);
		ram |= e->type == E820_TYPE_RAM;
	}
	if (!ram)
		return mm_fail(err, MM_EINVAL, "bad-config", "e820",
			       "the e820 map has no usable RAM");
	return MM_OK;
}

int machine_config_validate(const struct machine_config *c,
			    struct mm_error *err)
{
	struct bootparams bp;
	int rc;

	if (c->has_e820) {
		if ((rc = check_e820(&c->e820, err)))
			return rc;
	} else if (c->ram < RAM_MIN || c->ram > RAM_MAX ||
		   c->ram % PAGE_SIZE) {
		return mm_fail(err, MM_EINVAL, "bad-config", "ram",
			"ram must be a whole number of 4 KiB pages from 64M "
			"to 64G, not %llu bytes", (unsigned long long)c->ram);
	}
	if ((unsigned)c->vmsplit >= NR_VMSPLITS)
		return mm_fail(err, MM_EINVAL, "bad-config", "vmsplit",
			"vmsplit must be 3G, 3G_OPT, 2G, 2G_OPT or 1G");
	if (c->pae && (c->vmsplit == VMSPLIT_3G_OPT ||
		       c->vmsplit == VMSPLIT_2G_OPT))
		return mm_fail(err, MM_EINVAL, "bad-config", "vmsplit",
			"VMSPLIT_%s is not available with PAE: a PAE kernel's "
			"PAGE_OFFSET must sit on a 1 GiB boundary (use 3G, 2G "
			"or 1G)", vmsplit_name(c->vmsplit));
	if (c->initrd > INITRD_MAX)
		return mm_fail(err, MM_EINVAL, "bad-config", "initrd",
			"initrd must be 0 to 64M, not %llu bytes",
			(unsigned long long)c->initrd);
	if (c->cpus < 1 || c->cpus > NR_CPUS)
		return mm_fail(err, MM_EINVAL, "bad-config", "cpus",
			"cpus must be 1 to %d (Debian's NR_CPUS), not %u",
			NR_CPUS, c->cpus);
	if ((unsigned)c->boot >= NR_BOOT_STATES)
		return mm_fail(err, MM_EINVAL, "bad-config", "boot",
			"boot must be \"booted\" or \"bare\"");
	if (memchr(c->cmdline, '\0', sizeof(c->cmdline)) == NULL)
		return mm_fail(err, MM_EINVAL, "bad-config", "cmdline",
			"cmdline must be shorter than %d bytes",
			COMMAND_LINE_SIZE);
	return bootparams_parse(c->cmdline, &bp, err);
}

/* --- the command line ----------------------------------------------------- */

/*
 * One "param=value" word as parse_args() sees it: blanks separate words,
 * double quotes protect blanks, and a quote pair around the value is
 * dropped.  Returns the position after the word, or NULL at the end.
 */
static const char *next_arg(const char *p, char *param, size_t plen,
			    char *val, size_t vlen, bool *has_val)
{
	size_t np = 0, nv = 0;
	bool quoted = false, in_val = false;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return NULL;
	*has_val = false;
	for (; *p && (quoted || !isspace((unsigned char)*p)); p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (!in_val && *p == '=') {
			in_val = *has_val = true;
			continue;
		}
		if (in_val && nv + 1 < vlen)
			val[nv++] = *p;
		else if (!in_val && np + 1 < plen)
			param[np++] = *p;
	}
	param[np] = '\0';
	val[nv] = '\0';
	return p;
}

static int bad_param(struct mm_error *err, const char *param,
		     const char *val, const char *want)
{
	return mm_fail(err, MM_EINVAL, "bad-config", "cmdline",
		       "malformed early option '%s=%s': %s", param, val, want);
}

static int add_edit(struct bootparams *bp, char kind, uint64_t size,
		    uint64_t start, struct mm_error *err)
{
	if (bp->nr_edits >= MAX_E820_EDITS)
		return mm_fail(err, MM_EINVAL, "bad-config", "cmdline",
			       "at most %d mem=/memmap= edits are supported",
			       MAX_E820_EDITS);
	bp->edits[bp->nr_edits++] = (struct e820_edit){ kind, size, start };
	return MM_OK;
}

/* memmap=exactmap | nn[KMG] | nn[KMG]@ss | nn$ss | nn#ss | nn!ss */
static int parse_memmap_one(struct bootparams *bp, const char *s,
			    struct mm_error *err)
{
	uint64_t size, start;
	size_t n;
	char kind;

	if (!strcmp(s, "exactmap"))
		return add_edit(bp, 'x', 0, 0, err);
	n = memparse(s, &size);
	if (!n)
		return bad_param(err, "memmap", s,
				 "expected nn[KMG], nn@ss, nn$ss, nn#ss, "
				 "nn!ss or exactmap");
	kind = s[n];
	if (kind == '\0')
		return add_edit(bp, 'm', size, 0, err);
	if (!strchr("@$#!", kind))
		return bad_param(err, "memmap", s,
				 "after the size comes @ (RAM), $ (reserved),"
				 " # (ACPI data) or ! (persistent memory)");
	if (!memparse(s + n + 1, &start) ||
	    s[n + 1 + memparse(s + n + 1, &start)] != '\0')
		return bad_param(err, "memmap", s,
				 "expected a start address after the size");
	if (!size || !range_fits(start, size, PHYS_LIMIT))
		return bad_param(err, "memmap", s,
				 "the range must be non-empty and end at or "
				 "below 64 GiB");
	return add_edit(bp, kind, size, start, err);
}

static int parse_memmap(struct bootparams *bp, const char *val,
			struct mm_error *err)
{
	char buf[COMMAND_LINE_SIZE], *tok, *save = NULL;
	int rc;

	snprintf(buf, sizeof(buf), "%s", val);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if ((rc = parse_memmap_one(bp, tok, err)))
			return rc;
	return MM_OK;
}

static int parse_one_size(const char *param, const char *val, uint64_t *out,
			  struct mm_error *err)
{
	size_t n = memparse(val, out);

	if (!n || val[n])
		return bad_param(err, param, val,
				 "expected a size such as 256M or 0x10000000");
	return MM_OK;
}

static int handle_param(struct bootparams *bp, const char *param,
			const char *val, bool has_val, struct mm_error *err)
{
	if (!has_val) {
		/* norandmaps: randomize_va_space = 0; other flags do not
		 * concern the model */
		if (!strcmp(param, "norandmaps"))
			bp->norandmaps = true;
		return MM_OK;
	}
	if (!strcmp(param, "mem")) {
		uint64_t size;
		int rc;

		if (!strcmp(val, "nopentium")) {
			bp->nopentium = true;
			return MM_OK;
		}
		rc = parse_one_size(param, val, &size, err);
		if (rc)
			return rc;
		if (!size)
			return bad_param(err, param, val, "mem=0 is refused");
		return add_edit(bp, 'm', size, 0, err);
	}
	if (!strcmp(param, "memmap"))
		return parse_memmap(bp, val, err);
	if (!strcmp(param, "highmem")) {
		bp->has_highmem = true;
		return parse_one_size(param, val, &bp->highmem, err);
	}
	if (!strcmp(param, "vmalloc")) {
		bp->has_vmalloc = true;
		return parse_one_size(param, val, &bp->vmalloc, err);
	}
	if (!strcmp(param, "reservetop")) {
		int rc = parse_one_size(param, val, &bp->reservetop, err);

		bp->has_reservetop = true;
		if (!rc && bp->reservetop > SZ_1G)
			return bad_param(err, param, val, "the model lets "
					 "reservetop= take at most 1G of the "
					 "kernel's 4G address space");
		return rc;
	}
	if (!strcmp(param, "log_buf_len"))
		return parse_one_size(param, val, &bp->log_buf_len, err);
	return MM_OK;	/* the kernel would hand it to init */
}

int bootparams_parse(const char *cmdline, struct bootparams *bp,
		     struct mm_error *err)
{
	char param[128], val[COMMAND_LINE_SIZE];
	const char *p = cmdline;
	bool has_val;
	int rc;

	memset(bp, 0, sizeof(*bp));
	for (const char *c = cmdline; *c; c++)
		if (!isprint((unsigned char)*c) && !isspace((unsigned char)*c))
			return mm_fail(err, MM_EINVAL, "bad-config", "cmdline",
				"cmdline must be printable ASCII (byte %#x at "
				"offset %zu)", (unsigned char)*c,
				(size_t)(c - cmdline));
	while ((p = next_arg(p, param, sizeof(param), val, sizeof(val),
			     &has_val))) {
		if (!strcmp(param, "--") && !has_val)
			break;	/* the rest belongs to init */
		if ((rc = handle_param(bp, param, val, has_val, err)))
			return rc;
	}
	return MM_OK;
}

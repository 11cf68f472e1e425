/*
 * reports.c - every report by name, as Linux text or as JSON.
 *
 * Where the model writes a /proc file, the JSON is read back out of that
 * text (meminfo, iomem, dmesg) or built from the same figures the text
 * prints (zoneinfo, buddyinfo, pagetypeinfo), so the two forms cannot
 * disagree.
 */
#include "api.h"
#include "api_util.h"
#include "pgtable.h"

#include <stdlib.h>
#include <string.h>

#include "procfs.h"
#include "vmalloc.h"

typedef void (*report_text_fn)(const struct machine *m, struct strbuf *out);
typedef json_t *(*report_json_fn)(const struct machine *m);

/* The model's text of a report, as a malloc'd string. */
static char *text_of(const struct machine *m, report_text_fn fn)
{
	struct strbuf sb = STRBUF_INIT;

	fn(m, &sb);
	return sb_detach(&sb);
}

/* --- dmesg and cmdline ------------------------------------------------------- */

static json_t *dmesg_json(const struct machine *m)
{
	char *text = text_of(m, proc_dmesg);
	json_t *j = json_pack("{s:o}", "lines", api_text_lines(text, true));

	free(text);
	return j;
}

static json_t *cmdline_json(const struct machine *m)
{
	return json_pack("{s:s}", "cmdline", m->config.cmdline);
}

/* --- meminfo ------------------------------------------------------------------ */

/*
 * "MemTotal:        2043340 kB" -> "MemTotal": 2043340.  The figures stay
 * in the unit the line prints (kB, or a count for HugePages_*), under the
 * line's own name.
 */
static void meminfo_line(json_t *obj, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	char name[64], *end;
	unsigned long long v;

	if (!colon || (size_t)(colon - line) >= sizeof(name))
		return;
	memcpy(name, line, (size_t)(colon - line));
	name[colon - line] = '\0';
	v = strtoull(colon + 1, &end, 10);
	if (end == colon + 1)
		return;
	json_object_set_new(obj, name, json_integer((json_int_t)v));
}

static json_t *meminfo_json(const struct machine *m)
{
	char *text = text_of(m, proc_meminfo);
	json_t *obj = json_object();

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		meminfo_line(obj, p, n);
		p += n + (nl ? 1 : 0);
	}
	free(text);
	return obj;
}

/* --- zones ----------------------------------------------------------------------- */

static json_t *u32_array(const uint32_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *zoneinfo_json(const struct machine *m)
{
	json_t *zones = json_array();

	/* all zones, as zoneinfo prints them, populated or not */
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		const struct zone *z = &m->pgdat.node_zones[j];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(zone_name(j)));
		json_object_set_new(o, "start_pfn", json_integer(z->zone_start_pfn));
		json_object_set_new(o, "spanned", json_integer(z->spanned_pages));
		json_object_set_new(o, "present", json_integer(z->present_pages));
		json_object_set_new(o, "managed", json_integer(z->managed_pages));
		json_object_set_new(o, "free", json_integer(z->nr_free_pages));
		json_object_set_new(o, "min", json_integer(z->watermark[WMARK_MIN]));
		json_object_set_new(o, "low", json_integer(z->watermark[WMARK_LOW]));
		json_object_set_new(o, "high", json_integer(z->watermark[WMARK_HIGH]));
		json_object_set_new(o, "protection",
				    u32_array(z->lowmem_reserve, MAX_NR_ZONES));
		json_object_set_new(o, "pcp_high", json_integer(z->pcp_high));
		json_object_set_new(o, "pcp_batch", json_integer(z->pcp_batch));
		json_array_append_new(zones, o);
	}
	return zones;
}

static json_t *buddyinfo_json(const struct machine *m)
{
	json_t *zones = json_array();

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		const struct zone *z = &m->pgdat.node_zones[j];
		uint32_t counts[MAX_ORDER];

		if (!populated_zone(z))
			continue;
		for (unsigned o = 0; o < MAX_ORDER; o++)
			counts[o] = z->free_area[o].nr_free;
		json_array_append_new(zones, json_pack("{s:s, s:o}",
			"zone", zone_name(j), "free", u32_array(counts, MAX_ORDER)));
	}
	return zones;
}

static json_t *pagetype_zone(const struct machine *m, int j)
{
	const struct zone *z = &m->pgdat.node_zones[j];
	json_t *free_lists = json_object(), *blocks = json_object();
	uint32_t nblocks[MIGRATE_TYPES];

	zone_pageblock_counts(&m->pgdat, j, nblocks);
	for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
		uint32_t counts[MAX_ORDER];

		/* the real counts: the text's ">100000" cap is a /proc
		 * limit, not a fact about the zone */
		for (unsigned o = 0; o < MAX_ORDER; o++)
			counts[o] = zone_free_count(z, o, mt);
		json_object_set_new(free_lists, migratetype_name(mt),
				    u32_array(counts, MAX_ORDER));
		json_object_set_new(blocks, migratetype_name(mt),
				    json_integer(nblocks[mt]));
	}
	return json_pack("{s:s, s:o, s:o}", "zone", zone_name(j),
			 "free", free_lists, "blocks", blocks);
}

static json_t *pagetypeinfo_json(const struct machine *m)
{
	json_t *zones = json_array();

	for (int j = 0; j < MAX_NR_ZONES; j++)
		if (populated_zone(&m->pgdat.node_zones[j]))
			json_array_append_new(zones, pagetype_zone(m, j));
	return json_pack("{s:i, s:i, s:o}",
			 "pageblock_order", (int)m->pgdat.pageblock_order,
			 "pages_per_block", 1 << m->pgdat.pageblock_order,
			 "zones", zones);
}

/* --- iomem --------------------------------------------------------------------- */

/* "  00100000-0009ffff : Kernel code": two blanks per level of nesting */
static json_t *iomem_line(const char *line, size_t len)
{
	size_t sp = 0;
	char buf[160], *p, *end;
	unsigned long long start, last;

	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	while (buf[sp] == ' ')
		sp++;
	start = strtoull(buf + sp, &p, 16);
	if (*p != '-')
		return NULL;
	last = strtoull(p + 1, &end, 16);
	if (strncmp(end, " : ", 3))
		return NULL;
	return json_pack("{s:o, s:o, s:s, s:i}", "start", api_hex(start),
			 "end", api_hex(last), "name", end + 3,
			 "depth", (int)(sp / 2));
}

static json_t *iomem_json(const struct machine *m)
{
	char *text = text_of(m, proc_iomem);
	json_t *a = json_array();

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		json_t *r = iomem_line(p, n);

		if (r)
			json_array_append_new(a, r);
		p += n + (nl ? 1 : 0);
	}
	free(text);
	return a;
}

/* --- vmallocinfo ---------------------------------------------------------------- */

/* The areas vmallocinfo prints, one object per line, from the same
 * records. */
static json_t *vmallocinfo_json(const struct machine *m)
{
	const struct vmalloc_state *vs = &m->vmalloc;
	json_t *a = json_array();

	for (uint32_t i = 0; i < vs->nr; i++) {
		const struct vm_area *v = &vs->areas[i];
		const char *words[5];
		json_t *o = json_object(), *flags = json_array();

		vm_area_flag_words(v, words);
		for (unsigned k = 0; words[k]; k++)
			json_array_append_new(flags, json_string(words[k]));
		json_object_set_new(o, "start", api_hex(v->start));
		json_object_set_new(o, "end", api_hex((uint64_t)v->start +
						      v->size));
		json_object_set_new(o, "size", json_integer(v->size));
		json_object_set_new(o, "caller", json_string(v->caller));
		json_object_set_new(o, "pages", (v->flags & VM_ALLOC)
				    ? json_integer(v->nr_pages) : json_null());
		json_object_set_new(o, "phys", v->phys_addr
				    ? api_hex(v->phys_addr) : json_null());
		json_object_set_new(o, "flags", flags);
		json_array_append_new(a, o);
	}
	return a;
}

/* --- slabinfo ------------------------------------------------------------------ */

/* The caches in slabinfo's order (newest first), each with the figures
 * its line prints and its CPU, partial and full slabs. */
static json_t *slabinfo_json(const struct machine *m)
{
	const struct slab_state *ss = &m->slab;
	json_t *a = json_array();

	for (uint32_t i = ss->nr_caches; i-- > 0;)
		json_array_append_new(a, api_slab_cache_json(ss->caches[i],
							     true));
	return a;
}

/* --- the table ------------------------------------------------------------------ */

static const struct {
	const char *name;
	report_text_fn text;
	report_json_fn json;
} reports[] = {
	{ "dmesg", proc_dmesg, dmesg_json },
	{ "cmdline", proc_cmdline, cmdline_json },
	{ "meminfo", proc_meminfo, meminfo_json },
	{ "zoneinfo", proc_zoneinfo, zoneinfo_json },
	{ "buddyinfo", proc_buddyinfo, buddyinfo_json },
	{ "pagetypeinfo", proc_pagetypeinfo, pagetypeinfo_json },
	{ "iomem", proc_iomem, iomem_json },
	{ "layout", api_layout_text, api_layout_json },
	{ "e820", api_e820_text, api_e820_json },
	{ "memblock", api_memblock_text, api_memblock_json },
	{ "pagetables", ptdump_kernel, api_pagetables_json },
	{ "vmallocinfo", proc_vmallocinfo, vmallocinfo_json },
	{ "slabinfo", proc_slabinfo, slabinfo_json },
};

/* In the table's order; a test keeps the two in step. */
const char *const api_report_names[] = {
	"dmesg", "cmdline", "meminfo", "zoneinfo", "buddyinfo",
	"pagetypeinfo", "iomem", "layout", "e820", "memblock", "pagetables",
	"vmallocinfo", "slabinfo", NULL
};

int api_report(const struct machine *m, const char *name, bool as_text,
	       json_t **json, char **text, struct mm_error *err)
{
	char names[256];

	if (json)
		*json = NULL;
	if (text)
		*text = NULL;
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		if (strcmp(reports[i].name, name))
			continue;
		if (as_text)
			*text = text_of(m, reports[i].text);
		else
			*json = reports[i].json(m);
		return MM_OK;
	}
	api_join_names(api_report_names, names, sizeof(names));
	return mm_fail(err, MM_ENOTFOUND, "unknown-report", "report",
		       "there is no report '%.64s'; the reports are %s",
		       name, names);
}

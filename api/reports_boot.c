/*
 * reports_boot.c - what boot decided, as reports the kernel does not
 * print as such: the virtual layout, both e820 tables and memblock.
 */
#include "api.h"
#include "api_util.h"
#include "pgtable.h"

#include <stdio.h>
#include <string.h>

/* --- layout ------------------------------------------------------------------- */

enum row_kind { ROW_HEX, ROW_NUM, ROW_BOOL, ROW_STR };

struct layout_row {
	const char *name;	/* the kernel's name for it */
	enum row_kind kind;
	uint64_t v;
	const char *s;
};

#define NR_LAYOUT_ROWS 29

/* One table for both forms, so text and JSON list the same figures. */
static size_t layout_rows(const struct machine *m, struct layout_row *r)
{
	const struct layout *l = &m->layout;
	size_t n = 0;

#define HEX(name, v) r[n++] = (struct layout_row){ name, ROW_HEX, v, NULL }
#define NUM(name, v) r[n++] = (struct layout_row){ name, ROW_NUM, v, NULL }
	HEX("PAGE_OFFSET", l->page_offset);
	HEX("high_memory", l->high_memory);
	HEX("VMALLOC_START", l->vmalloc_start);
	HEX("VMALLOC_END", l->vmalloc_end);
	NUM("VmallocTotal_kB", (l->vmalloc_end - l->vmalloc_start) >> 10);
	HEX("PKMAP_BASE", l->pkmap_base);
	NUM("LAST_PKMAP", l->last_pkmap);
	HEX("LDT_BASE_ADDR", l->ldt_base);
	HEX("LDT_END_ADDR", l->ldt_end);
	HEX("CPU_ENTRY_AREA_BASE", l->cpu_entry_area_base);
	NUM("CPU_ENTRY_AREA_PAGES", l->cpu_entry_area_pages);
	HEX("FIXADDR_TOT_START", l->fixaddr_tot_start);
	HEX("FIXADDR_START", l->fixaddr_start);
	HEX("FIXADDR_TOP", l->fixaddr_top);
	HEX("FIX_KMAP_BEGIN", l->fix_kmap_begin);
	NUM("__end_of_permanent_fixed_addresses", l->fix_permanent);
	NUM("__end_of_fixed_addresses", l->fix_total);
	HEX("MAXMEM", l->maxmem);
	HEX("__VMALLOC_RESERVE", l->vmalloc_reserve);
	HEX("max_pfn", l->max_pfn);
	HEX("max_low_pfn", l->max_low_pfn);
	HEX("highstart_pfn", l->highstart_pfn);
	HEX("highend_pfn", l->highend_pfn);
	HEX("MAX_ARCH_PFN", l->max_arch_pfn);
	/* e820's end before highmem=: past 4 GiB, the IO TLB is set up */
	HEX("max_possible_pfn", l->max_possible_pfn);
	HEX("PMD_SIZE", l->pmd_size);
	NUM("PTRS_PER_PTE", l->ptrs_per_pte);
#undef HEX
#undef NUM
	r[n++] = (struct layout_row){ "pae", ROW_BOOL, l->pae, NULL };
	r[n++] = (struct layout_row){ "vmsplit", ROW_STR, 0,
				      vmsplit_name(l->vmsplit) };
	return n;
}

/* The 4 GiB virtual map, bottom to top, each region with its purpose
 * (where.c has the table, which answers name addresses by). */
static json_t *layout_regions(const struct machine *m)
{
	struct api_region r[API_NR_REGIONS];
	size_t n = api_regions(m, r);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:I, s:s, s:s}",
			"start", api_hex(r[i].start), "end", api_hex(r[i].end),
			"size", (json_int_t)(r[i].end - r[i].start),
			"name", r[i].name, "what", r[i].what));
	return a;
}

json_t *api_layout_json(const struct machine *m)
{
	struct layout_row rows[NR_LAYOUT_ROWS];
	size_t n = layout_rows(m, rows);
	json_t *o = json_object(), *ram;

	for (size_t i = 0; i < n; i++) {
		const struct layout_row *r = &rows[i];
		json_t *v = r->kind == ROW_HEX ? api_hex(r->v)
			: r->kind == ROW_NUM ? json_integer((json_int_t)r->v)
			: r->kind == ROW_BOOL ? json_boolean(r->v)
			: json_string(r->s);

		json_object_set_new(o, r->name, v);
	}
	json_object_set_new(o, "regions", layout_regions(m));
	json_object_set_new(o, "notes", api_layout_notes(m, &ram));
	json_object_set_new(o, "ram", ram);
	return o;
}

/* One line of the banner 2.6-5.6 printed in mem_init(). */
static void banner_line(struct strbuf *out, const char *name, uint64_t start,
			uint64_t end, bool mb)
{
	sb_printf(out, "%s: 0x%08llx - 0x%08llx   (%4llu %s)\n", name,
		  (unsigned long long)start, (unsigned long long)end,
		  (unsigned long long)((end - start) >> (mb ? 20 : 10)),
		  mb ? "MB" : "kB");
}

/*
 * 6.1 no longer prints the banner (it gave away addresses), but it is
 * still the clearest picture of the map; the kernel sections are the
 * image's own, seen through the linear map.
 */
static void layout_banner(const struct machine *m, struct strbuf *out)
{
	const struct layout *l = &m->layout;
	const struct kernel_image *k = m->image;
	uint64_t cea_size = (uint64_t)(l->cpu_entry_area_pages + 1) * PAGE_SIZE;

	sb_puts(out, "virtual kernel memory layout:\n");
	banner_line(out, "    fixmap  ", l->fixaddr_start, l->fixaddr_top, false);
	banner_line(out, "  cpu_entry ", l->cpu_entry_area_base,
		    l->cpu_entry_area_base + cea_size, false);
	banner_line(out, "    pkmap   ", l->pkmap_base,
		    l->pkmap_base + (uint64_t)l->last_pkmap * PAGE_SIZE, false);
	banner_line(out, "    vmalloc ", l->vmalloc_start, l->vmalloc_end, true);
	banner_line(out, "    lowmem  ", l->page_offset, l->high_memory, true);
	banner_line(out, "      .init ", layout_va(l, k->init_begin),
		    layout_va(l, k->init_end), false);
	banner_line(out, "      .data ", layout_va(l, k->etext),
		    layout_va(l, k->edata), false);
	banner_line(out, "      .text ", layout_va(l, k->text),
		    layout_va(l, k->etext), false);
}

/* The notes after the table, one paragraph each. */
static void notes_text(const struct machine *m, struct strbuf *out)
{
	json_t *ram, *notes = api_layout_notes(m, &ram);
	size_t i;
	json_t *v;

	sb_puts(out, "\nnotes:\n");
	json_array_foreach(notes, i, v)
		sb_printf(out, "  %s\n", json_string_value(v));
	json_decref(notes);
	json_decref(ram);
}

void api_layout_text(const struct machine *m, struct strbuf *out)
{
	struct layout_row rows[NR_LAYOUT_ROWS];
	size_t n = layout_rows(m, rows), width = 0;

	layout_banner(m, out);
	sb_puts(out, "\n");
	for (size_t i = 0; i < n; i++)
		width = MAX(width, strlen(rows[i].name));
	for (size_t i = 0; i < n; i++) {
		const struct layout_row *r = &rows[i];

		sb_printf(out, "%-*s  ", (int)width, r->name);
		if (r->kind == ROW_HEX)
			sb_printf(out, "0x%08llx\n", (unsigned long long)r->v);
		else if (r->kind == ROW_NUM)
			sb_printf(out, "%llu\n", (unsigned long long)r->v);
		else if (r->kind == ROW_BOOL)
			sb_puts(out, r->v ? "yes\n" : "no\n");
		else
			sb_printf(out, "%s\n", r->s);
	}
	notes_text(m, out);
}

/* --- e820 ---------------------------------------------------------------------- */

static json_t *e820_table_json(const struct e820_table *t)
{
	json_t *a = json_array();
	char type[32];

	for (uint32_t i = 0; i < t->nr_entries; i++) {
		const struct e820_entry *e = &t->entries[i];

		api_e820_type_str(e->type, type, sizeof(type));
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:s}",
			"start", api_hex(e->addr),
			"end", api_hex(e->addr + e->size - 1),
			"size", api_hex(e->size), "type", type));
	}
	return a;
}

json_t *api_e820_json(const struct machine *m)
{
	return json_pack("{s:o, s:o}",
			 "firmware", e820_table_json(&m->e820_firmware),
			 "kernel", e820_table_json(&m->e820));
}

void api_e820_text(const struct machine *m, struct strbuf *out)
{
	/* the headings e820__print_table() callers use in dmesg */
	sb_puts(out, "BIOS-provided physical RAM map:\n");
	e820_print_table(&m->e820_firmware, "BIOS-e820", out);
	sb_puts(out, "modified physical RAM map:\n");
	e820_print_table(&m->e820, "modified", out);
}

/* --- memblock ------------------------------------------------------------------ */

static json_t *memblock_type_json(const struct memblock_type *t)
{
	json_t *a = json_array();

	for (uint32_t i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];

		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:s}",
			"start", api_hex(r->base),
			"end", api_hex(r->base + r->size - 1),
			"size", api_hex(r->size),
			"name", r->name ? r->name : ""));
	}
	return a;
}

json_t *api_memblock_json(const struct machine *m)
{
	return json_pack("{s:o, s:o, s:o}",
			 "memory", memblock_type_json(&m->memblock.memory),
			 "reserved", memblock_type_json(&m->memblock.reserved),
			 "current_limit", api_hex(m->memblock.current_limit));
}

/* A size as a person reads it: "64 KiB", "13.5 MiB", "2 GiB". */
static void human_size(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB" };
	unsigned u = 0;

	while (u + 1 < ARRAY_SIZE(units) && v >= (1ull << (10 * (u + 1))))
		u++;
	if (v % (1ull << (10 * u)) == 0)
		snprintf(buf, len, "%llu %s",
			 (unsigned long long)(v >> (10 * u)), units[u]);
	else
		snprintf(buf, len, "%.1f %s",
			 (double)v / (double)(1ull << (10 * u)), units[u]);
}

/* memblock=debug's dump (memblock_dump()), with each region's name. */
static void memblock_type_text(const struct memblock_type *t,
			       const char *name, struct strbuf *out)
{
	char human[32];

	/* the kernel's %#x and %pa print 0 as 0x0, unlike C's */
	sb_printf(out, " %s.cnt  = 0x%x\n", name, t->cnt);
	for (uint32_t i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];

		human_size(r->size, human, sizeof(human));
		sb_printf(out, " %s[0x%x]\t[0x%08llx-0x%08llx], 0x%08llx bytes"
			  " (%s) %s\n", name, i, (unsigned long long)r->base,
			  (unsigned long long)(r->base + r->size - 1),
			  (unsigned long long)r->size, human,
			  r->name ? r->name : "");
	}
}

void api_memblock_text(const struct machine *m, struct strbuf *out)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < m->memblock.memory.cnt; i++)
		total += m->memblock.memory.regions[i].size;
	/* reservations may overlap here, so only RAM gets a total */
	sb_printf(out, "MEMBLOCK configuration:\n memory size = 0x%08llx "
		  "current_limit = 0x%08llx\n", (unsigned long long)total,
		  (unsigned long long)m->memblock.current_limit);
	memblock_type_text(&m->memblock.memory, "memory", out);
	memblock_type_text(&m->memblock.reserved, "reserved", out);
}

/* --- pagetables ------------------------------------------------------------------- */

/* One dump line: "0xSTART-0xEND  SIZE  flags...  level". */
static json_t *ptdump_line_json(const char *line)
{
	unsigned long long start, end;
	char size[16], words[8][8];
	json_t *flags = json_array();
	int n;

	n = sscanf(line, "0x%llx-0x%llx %15s %7s %7s %7s %7s %7s %7s %7s %7s",
		   &start, &end, size, words[0], words[1], words[2], words[3],
		   words[4], words[5], words[6], words[7]);
	if (n < 4) {
		json_decref(flags);
		return NULL;
	}
	/* the last word is the level; "x" marks an executable page */
	for (int i = 0; i < n - 4; i++)
		if (strcmp(words[i], "x"))
			json_array_append_new(flags, json_string(words[i]));
	return json_pack("{s:o, s:o, s:s, s:b, s:o, s:s}",
		"start", api_hex(start), "end", api_hex(end ? end : 1ull << 32),
		"size", size, "present", n > 4, "flags", flags,
		"level", words[n - 4]);
}

json_t *api_pagetables_json(const struct machine *m)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *markers = json_array(), *ranges = json_array();
	const char *p;

	ptdump_kernel(m, &sb);
	for (p = sb.buf; p && *p;) {
		const char *nl = strchr(p, '\n');
		char line[160];

		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		if (!strncmp(line, "---[ ", 5)) {
			line[strlen(line) - 5] = '\0';	/* " ]---" */
			json_array_append_new(markers, json_string(line + 5));
		} else {
			json_t *r = ptdump_line_json(line);

			if (r)
				json_array_append_new(ranges, r);
		}
		p = nl + 1;
	}
	sb_free(&sb);
	return json_pack("{s:o, s:o, s:o}", "cr3",
			 api_hex(m->swapper_pg_dir), "markers", markers,
			 "ranges", ranges);
}

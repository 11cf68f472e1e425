/*
 * procfs.h - the machine's reports in the exact text of Linux 6.1:
 * dmesg, /proc/meminfo, zoneinfo, buddyinfo, pagetypeinfo, iomem.
 */
#ifndef MM_PROCFS_H
#define MM_PROCFS_H

#include "machine.h"

void proc_dmesg(const struct machine *m, struct strbuf *out);
void proc_cmdline(const struct machine *m, struct strbuf *out);
void proc_meminfo(const struct machine *m, struct strbuf *out);
void proc_zoneinfo(const struct machine *m, struct strbuf *out);
void proc_buddyinfo(const struct machine *m, struct strbuf *out);
void proc_pagetypeinfo(const struct machine *m, struct strbuf *out);
void proc_iomem(const struct machine *m, struct strbuf *out);

/* The figures meminfo prints, in pages, for the JSON form too. */
struct meminfo {
	uint32_t totalram, freeram, available;
	uint32_t totalhigh, freehigh;
	uint32_t commit_limit;
	uint32_t vmalloc_total_kb;
	uint32_t percpu_pages;
	uint32_t hugepagesize_kb;
	uint32_t slab_reclaimable, slab_unreclaimable;	/* pages */
};

void si_meminfo(const struct machine *m, struct meminfo *mi);
/* Free blocks on one zone's list of one order and migratetype. */
uint32_t zone_free_count(const struct zone *z, unsigned order, int mt);
/* Pageblocks of each migratetype in a zone, as pagetypeinfo counts. */
void zone_pageblock_counts(const struct pglist_data *pgdat, int zone,
			   uint32_t counts[MIGRATE_TYPES]);

#endif

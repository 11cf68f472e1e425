/* mmzone.c - names and small predicates for zones and migratetypes. */
#include "mmzone.h"

bool zone_is_highmem(const struct pglist_data *pgdat, int idx)
{
	/* ZONE_MOVABLE takes its pages from the highest zone; when that is
	 * HighMem, its pages have no permanent kernel mapping either, and
	 * the kernel's is_highmem_idx() says so. */
	return idx == ZONE_HIGHMEM ||
	       (idx == ZONE_MOVABLE && pgdat->movable_zone == ZONE_HIGHMEM);
}

const char *zone_name(int idx)
{
	static const char *const names[MAX_NR_ZONES] = {
		[ZONE_DMA] = "DMA",
		[ZONE_NORMAL] = "Normal",
		[ZONE_HIGHMEM] = "HighMem",
		[ZONE_MOVABLE] = "Movable",
	};

	if (idx < 0 || idx >= MAX_NR_ZONES)
		return "?";
	return names[idx];
}

const char *migratetype_name(int mt)
{
	/* The spelling /proc/pagetypeinfo uses. */
	static const char *const names[MIGRATE_TYPES] = {
		[MIGRATE_UNMOVABLE] = "Unmovable",
		[MIGRATE_MOVABLE] = "Movable",
		[MIGRATE_RECLAIMABLE] = "Reclaimable",
		[MIGRATE_HIGHATOMIC] = "HighAtomic",
		[MIGRATE_ISOLATE] = "Isolate",
	};

	if (mt < 0 || mt >= MIGRATE_TYPES)
		return "?";
	return names[mt];
}

bool populated_zone(const struct zone *z)
{
	return z->present_pages != 0;
}

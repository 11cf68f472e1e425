/*
 * ftrace_init.c - the records of every mcount call site that
 * ftrace_init() (kernel/trace/ftrace.c) allocates right after mm_init()
 * on a booted machine.
 *
 * The count of call sites is a property of the kernel image: 36953 in
 * Debian's 6.1.0-50-686 and 37115 in -686-pae, as their boot logs say
 * ("ftrace: allocating N entries").  A record (struct dyn_ftrace: ip and
 * flags) is 8 bytes on i386, 512 to a page.  ftrace_allocate_pages()
 * takes the largest power of two of pages the remaining records fill
 * completely, then again for the rest: 73 pages as orders 6, 3 and 0.
 * Left out: the three small ftrace_page headers (kzalloc, 16 bytes each)
 * and the records' contents.
 */
#include "boot_hash.h"

#include "gfp.h"
#include "page_alloc.h"

#define DYN_FTRACE_SIZE		8
#define ENTRIES_PER_PAGE	(PAGE_SIZE / DYN_FTRACE_SIZE)

int ftrace_init(struct machine *m, struct mm_error *err)
{
	uint32_t count = m->config.pae ? 37115 : 36953, left, pages = 0;
	unsigned groups = 0;

	if (m->config.boot == BOOT_BARE)
		return MM_OK;
	sb_printf(&m->log, "ftrace: allocating %u entries in %u pages\n", count,
		  (count + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE);
	for (left = count; left;) {
		uint32_t need = (left + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE;
		uint32_t cnt;
		unsigned order = 0;
		struct page_alloc_result res;
		int rc;

		while (need >> (order + 1))
			order++;		/* fls(pages) - 1 */
		rc = alloc_pages_quiet(&m->pgdat, GFP_KERNEL | __GFP_ZERO, order,
				 OWNER_KERNEL, BOOT_ALLOC_FTRACE, &res, err);
		if (rc)
			return rc;
		if (!res.ok)
			return mm_fail(err, MM_EIMPOSSIBLE, "unbootable", "ram",
				       "no memory for ftrace's records");
		pages += 1u << order;
		groups++;
		cnt = (PAGE_SIZE << order) / DYN_FTRACE_SIZE;
		left -= cnt < left ? cnt : left;
	}
	sb_printf(&m->log, "ftrace: allocated %u pages with %u groups\n", pages,
		  groups);
	return MM_OK;
}

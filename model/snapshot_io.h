/*
 * snapshot_io.h - the bytes of a snapshot (internal to snapshot.c and
 * snapshot_restore.c): a growable little-endian writer, a reader that
 * never reads past its end, the section framing and the checksum.
 * snapshot.h describes the format.
 */
#ifndef MM_SNAPSHOT_IO_H
#define MM_SNAPSHOT_IO_H

#include "config.h"
#include "error.h"
#include "mmzone.h"
#include "types.h"

struct machine;

#define SNAP_HEADER_SIZE	32u
#define SNAP_CSUM_OFFSET	24u	/* the header's checksum field */
#define SNAP_SECTION_HEADER	16u

/* Section tags: four ASCII letters, read as a little-endian u32. */
#define SNAP_TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | \
			      (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define SNAP_CONF	SNAP_TAG('C', 'O', 'N', 'F')
#define SNAP_ZONE	SNAP_TAG('Z', 'O', 'N', 'E')
#define SNAP_ABLK	SNAP_TAG('A', 'B', 'L', 'K')
#define SNAP_PMEM	SNAP_TAG('P', 'M', 'E', 'M')
#define SNAP_LOG	SNAP_TAG('L', 'O', 'G', ' ')
#define SNAP_KMAP	SNAP_TAG('K', 'M', 'A', 'P')
#define SNAP_VMAL	SNAP_TAG('V', 'M', 'A', 'L')
#define SNAP_SLAB	SNAP_TAG('S', 'L', 'A', 'B')
#define SNAP_PROC	SNAP_TAG('P', 'R', 'O', 'C')
#define SNAP_NR_SECTIONS 9u

/* A page of contents: which of its 512 eight-byte words are not zero. */
#define SNAP_PAGE_WORDS	(PAGE_SIZE / 8)
#define SNAP_PAGE_MAP	(SNAP_PAGE_WORDS / 8)	/* bitmap bytes */

struct snap_writer {
	uint8_t *buf;
	size_t len, cap;
};

void sw_bytes(struct snap_writer *w, const void *p, size_t n);
void sw_u8(struct snap_writer *w, uint8_t v);
void sw_u16(struct snap_writer *w, uint16_t v);
void sw_u32(struct snap_writer *w, uint32_t v);
void sw_u64(struct snap_writer *w, uint64_t v);
/* A NUL-terminated string in a fixed field of n bytes, zero padded, so
 * whatever followed the NUL in memory never reaches the snapshot. */
void sw_fixed_str(struct snap_writer *w, const char *s, size_t n);
/* Open a section (tag, then a length sw_section_end() fills in). */
size_t sw_section_begin(struct snap_writer *w, uint32_t tag);
void sw_section_end(struct snap_writer *w, size_t at);
/* Overwrite the u32 written at offset at (a count known only later). */
void sw_patch_u32(struct snap_writer *w, size_t at, uint32_t v);

/* The configuration in canonical form: the CONF section's payload. */
void snap_put_config(struct snap_writer *w, const struct machine_config *c);

/*
 * A reader over [p, p + left).  The first refusal fills *err (the
 * section's name and what is wrong) and marks the reader and every
 * reader sharing its failed flag; reads after that return zeros.
 */
struct snap_reader {
	const uint8_t *p;
	size_t left;
	const char *section;
	struct mm_error *err;
	bool *failed;
};

/* Always false, for "return sr_fail(...)". */
bool sr_fail(struct snap_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool sr_ok(const struct snap_reader *r);
uint8_t sr_u8(struct snap_reader *r);
uint16_t sr_u16(struct snap_reader *r);
uint32_t sr_u32(struct snap_reader *r);
uint64_t sr_u64(struct snap_reader *r);
/* n bytes in place, or NULL (and the reader failed) when fewer are left. */
const uint8_t *sr_take(struct snap_reader *r, size_t n);
/* A fixed string field of n bytes: NUL-terminated, zero padded. */
bool sr_fixed_str(struct snap_reader *r, char *out, size_t n,
		  const char *what);
/* A u32 count of records of at least each bytes: refused when the bytes
 * left cannot hold them, so no count makes restore allocate more than
 * the snapshot's own size warrants. */
bool sr_count(struct snap_reader *r, uint32_t *n, size_t each,
	      const char *what);
/* n records when the machine could hold at most max of them. */
bool sr_at_most(struct snap_reader *r, uint32_t n, uint64_t max,
		const char *what);
/* The next section of outer, which must carry tag; *in reads its
 * payload. */
bool sr_section(struct snap_reader *outer, uint32_t tag, const char *name,
		struct snap_reader *in);
/* A section must be read to its last byte. */
bool sr_end(struct snap_reader *r);

/* The checksum: every byte of the snapshot but the checksum's own eight. */
uint64_t snap_checksum(const uint8_t *p, size_t n);

/* --- between snapshot_restore.c and snapshot_restore_objs.c --------------- */

/* Frames of the 36-bit physical space. */
#define SNAP_PFN_LIMIT	((pfn_t)(PHYS_LIMIT >> PAGE_SHIFT))

/* Capacity for n entries as the model's own arrays grow (0 for none). */
uint32_t snap_cap_for(uint32_t n, uint32_t min);
/* qsort/bsearch order of u32 keys. */
int snap_u32_cmp(const void *a, const void *b);
/* The allocated block whose head is pfn, if it has this owner and order. */
const struct pfn_rec *snap_owned_block(const struct machine *m, pfn_t pfn,
				       enum page_owner owner, unsigned order);
/* Allocated blocks of one owner. */
uint32_t snap_owner_blocks(const struct machine *m, enum page_owner owner);

/* The VMAL, SLAB and PROC sections, read into m. */
bool snap_read_vmalloc(struct snap_reader *outer, struct machine *m);
bool snap_read_slab(struct snap_reader *outer, struct machine *m);
bool snap_read_procs(struct snap_reader *outer, struct machine *m);

#endif

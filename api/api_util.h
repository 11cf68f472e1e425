/*
 * api_util.h - helpers the api files share (internal to api/).
 */
#ifndef MM_API_UTIL_H
#define MM_API_UTIL_H

#include <jansson.h>
#include <string.h>

#include "error.h"
#include "machine.h"
#include "strbuf.h"

/*
 * Refuse any key of obj that is not in allowed (NULL-terminated): a typo
 * must not be silently ignored.  type is the problem slug ("bad-config",
 * "bad-argument"); what names the object in the detail ("the config",
 * "alloc_pages"); prefix goes before the key in the field ("e820[2].").
 */
int api_check_keys(const json_t *obj, const char *const allowed[],
		   const char *type, const char *what, const char *prefix,
		   struct mm_error *err);
/* Whether every key of obj is in allowed: api_check_keys without the
 * error, for a caller that would format "what" only to refuse. */
bool api_keys_known(const json_t *obj, const char *const allowed[]);

/* A JSON string of text that may have been cut inside a UTF-8 sequence
 * (an error detail truncated to its buffer): bad bytes become '?'. */
json_t *api_string_lossy(const char *s);

/* api_hex's text, "0x" and 8 to 16 digits, into buf (18 bytes, no NUL):
 * its length. */
size_t api_hex_digits(uint64_t v, char *buf);

/*
 * Compact JSON written into sb as jansson's JSON_COMPACT writes the same
 * value (json_text.c), for the answers api_op_write builds without a
 * json_t: raw text, an integer, api_hex's string, a boolean, a string
 * (NULL is null) and api_string_lossy's string.
 */
/* inline, so the length of a literal is the compiler's to count */
static inline void jt_raw(struct strbuf *sb, const char *s)
{
	sb_putn(sb, s, strlen(s));
}
void jt_int(struct strbuf *sb, long long v);
void jt_hex(struct strbuf *sb, uint64_t v);
void jt_bool(struct strbuf *sb, bool v);
void jt_str(struct strbuf *sb, const char *s);
void jt_str_lossy(struct strbuf *sb, const char *s);
/* v as jansson writes it, compact (steals v; NULL writes null). */
void jt_value(struct strbuf *sb, json_t *v);

/* An operation's answer written as compact JSON text (api_op_write):
 * the arguments are not yet checked against the op's names. */
typedef int (*api_write_fn)(struct machine *m, const json_t *args,
			    struct strbuf *out, struct mm_error *err);
int api_write_translate(struct machine *m, const json_t *args,
			struct strbuf *out, struct mm_error *err);
int api_write_kmalloc(struct machine *m, const json_t *args,
		      struct strbuf *out, struct mm_error *err);
int api_write_kfree(struct machine *m, const json_t *args,
		    struct strbuf *out, struct mm_error *err);

/* "a, b, c or d" from a NULL-terminated list, for error details. */
void api_join_names(const char *const names[], char *buf, size_t len);

/* A report's text as a JSON array of its lines; strip_stamp drops the
 * "[    0.000000] " printk prefix. */
json_t *api_text_lines(const char *text, bool strip_stamp);

/*
 * Where an address is (where.c).  The regions of this machine's 4 GiB
 * virtual map, bottom to top, covering it ("user", "lowmem", "hole" (the
 * VMALLOC_OFFSET gap), "vmalloc", "gap", "pkmap", "ldt",
 * "cpu_entry_area", "fixmap_boot", "fixmap", "top"); the layout report
 * lists the same ones.
 */
#define API_NR_REGIONS	16
struct api_region {
	vaddr_t start;
	uint64_t end;
	const char *name;
	const char *what;
};
size_t api_regions(const struct machine *m, struct api_region *r);
/* va's region, pointing into r (API_NR_REGIONS long). */
const struct api_region *api_region_of(const struct machine *m, vaddr_t va,
				       struct api_region *r);
/* va's region name as a JSON string. */
json_t *api_region_json(const struct machine *m, vaddr_t va);
/* The same as compact JSON text, for api_op_write's answers. */
void api_region_write(struct strbuf *sb, const struct machine *m, vaddr_t va);
/* page_address() of pfn: the linear map for lowmem, the pkmap address
 * of a kmapped HighMem frame, else JSON null. */
json_t *api_kernel_virt(const struct machine *m, pfn_t pfn);
/* Set "virt" (api_kernel_virt) and "region" (its region, or null). */
void api_set_virt(const struct machine *m, json_t *o, pfn_t pfn);
/* Every virtual address that maps pfn: [{addr, region, how, ...}] with
 * how "linear map", "vmalloc"/"vzalloc"/"vmap"/"ioremap" (+ area),
 * "kmap" (+ slot, users), "kmap_local"/"kmap_atomic" (+ cpu, idx),
 * "process" (+ pid, writable); past 64 process mappings, *more counts
 * the rest. */
json_t *api_frame_mappings(const struct machine *m, pfn_t pfn,
			   unsigned *more);
/* Set "mappings" (and "mappings_more" when some were left out) on o. */
void api_set_mappings(const struct machine *m, json_t *o, pfn_t pfn);
/* Why alloc_pages took its block from the zone it did: the gfp mask's
 * highest zone, the zonelist from there down, each zone's watermark. */
struct page_alloc_result;
/* What the per-CPU lists did ({cpu, list, refilled, drained, count, high,
 * batch}, or null when the block bypassed them), and a free's story. */
json_t *api_pcp_json(const struct pcp_event *ev);
json_t *api_free_why(unsigned order, const struct pcp_event *ev);
json_t *api_zone_why(const struct machine *m, gfp_t gfp,
		     const struct page_alloc_result *r);
/* Why the frame has the kernel address it has, or none, in a sentence. */
json_t *api_virt_why(const struct machine *m, pfn_t pfn);
/* Why kmalloc used the cache (or the pages) it did, and where that is. */
struct slab_alloc_result;
json_t *api_kmalloc_why(const struct machine *m,
			const struct slab_alloc_result *r);
/* Why kmap / kmap_local_page answered the address they did (slot -1:
 * lowmem). */
json_t *api_kmap_why(const struct machine *m, pfn_t pfn, int slot,
		     uint32_t users);
struct kmap_local_result;
json_t *api_kmap_local_why(const struct machine *m, const char *op,
			   const struct kmap_local_result *r);
/* Why a vmalloc area's frames (pages[], n of them) are not contiguous. */
json_t *api_vmalloc_why(const struct machine *m, const pfn_t *pages,
			uint32_t n);

/* The e820 type as the kernel prints it ("usable", "type 9"). */
void api_e820_type_str(uint32_t type, char *buf, size_t len);

/* Reports whose text and JSON the api builds itself (reports_boot.c). */
void api_layout_text(const struct machine *m, struct strbuf *out);
json_t *api_layout_json(const struct machine *m);
void api_e820_text(const struct machine *m, struct strbuf *out);
json_t *api_e820_json(const struct machine *m);
void api_memblock_text(const struct machine *m, struct strbuf *out);
json_t *api_memblock_json(const struct machine *m);
/* The configuration explained (layout_notes.c): sentences on the RAM
 * this kernel reaches and its lowmem/HighMem split, and in *ram the
 * figures {usable, above_4g, used, unreachable} in bytes. */
json_t *api_layout_notes(const struct machine *m, json_t **ram);
/* The kernel page-table dump as {markers: [...], ranges: [...]}. */
json_t *api_pagetables_json(const struct machine *m);

/*
 * Arguments several families of operations take, checked before the
 * model runs so a refusal changes nothing; op names the caller in the
 * error's detail, and the field is the argument's name.
 *
 * api_arg_frame: exactly one of "pfn" and "phys"; with aligned, phys must
 * be a page boundary.
 * api_arg_gfp: "gfp", a mask as the kernel writes it ("GFP_KERNEL |
 * __GFP_ZERO") or a 32-bit number; GFP_KERNEL when absent.
 * api_arg_vaddr: the argument name, a 32-bit virtual address; 0 when
 * absent and not required.
 * api_arg_cpu: "cpu", one of the machine's CPUs; 0 when absent.
 * api_arg_pid: "pid", required (whether the process exists is the
 * model's to say: MM_ENOTFOUND "no-such-process").
 */
int api_arg_frame(const char *op, const json_t *args, bool aligned,
		  pfn_t *pfn, struct mm_error *err);
int api_arg_gfp(const char *op, const json_t *args, gfp_t *gfp,
		struct mm_error *err);
int api_arg_vaddr(const char *op, const json_t *args, const char *name,
		  bool required, vaddr_t *va, struct mm_error *err);
int api_arg_cpu(const char *op, const struct machine *m, const json_t *args,
		unsigned *cpu, struct mm_error *err);
int api_arg_pid(const char *op, const json_t *args, uint32_t *pid,
		struct mm_error *err);

/*
 * The bytes of a write (write, uwrite): exactly one of "hex" (an even
 * number of hex digits) and "text" (the string's bytes), each a JSON
 * string of 1 to max bytes; anything else beside them, a number or an
 * object, is refused rather than ignored.  buf holds max bytes.
 */
int api_arg_bytes(const char *op, const json_t *args, uint8_t *buf,
		  size_t max, size_t *len, struct mm_error *err);

/* A gfp mask as the kernel prints it ("GFP_KERNEL|__GFP_ZERO"). */
json_t *api_gfp_json(gfp_t gfp);
/* enum frame_state and enum page_owner as answers spell them ("free",
 * "alloc_pages" for a block alloc_pages gave the user, "slab"...). */
const char *api_frame_state_name(int state);
const char *api_owner_name(int owner);

/* One operation: its name, whether it changes the machine (journalled),
 * the argument names it takes, and the function that runs it. */
typedef int (*api_op_fn)(struct machine *m, const json_t *args,
			 json_t **result, struct mm_error *err);

struct api_op_def {
	const char *name;
	bool mutates;
	const char *const *args;	/* NULL-terminated */
	api_op_fn run;
};

/* The families of operations, each table ending with a NULL name:
 * ops.c (pages), ops_frames.c (the physical map), ops_kvm.c (translate,
 * read, write), ops_vmalloc.c, ops_highmem.c, ops_slab.c (kmalloc and
 * kmem_cache_*), ops_proc.c (processes). */
extern const struct api_op_def api_ops_pages[];
extern const struct api_op_def api_ops_frames[];
extern const struct api_op_def api_ops_kvm[];
extern const struct api_op_def api_ops_vmalloc[];
extern const struct api_op_def api_ops_highmem[];
extern const struct api_op_def api_ops_slab[];
extern const struct api_op_def api_ops_proc[];

/* A page walk as translate shows it: cr3, the index split, every step
 * with its entry and flags, and the result or the fault (ops_kvm.c). */
struct pt_walk;
json_t *api_walk_json(const struct machine *m, const struct pt_walk *w);

/* A cache's geometry, and with slabs its counts and slab lists (the
 * slabinfo JSON, ops_slab.c). */
json_t *api_slab_cache_json(const struct kmem_cache *s, bool slabs);

#endif

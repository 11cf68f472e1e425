/*
 * api.h - the one operation vocabulary of mmlab: JSON in, JSON (or the
 * Linux text of a report) out.  The command-line front end, the HTTP
 * server and the journal all speak it, so an operation means the same
 * thing everywhere and a journal can replay it.
 *
 * Nothing here knows about sockets or files.
 */
#ifndef MM_API_H
#define MM_API_H

#include <jansson.h>

#include "error.h"
#include "machine.h"

struct strbuf;

/*
 * The machine's configuration from JSON (every field optional):
 *   { "ram": "2G" | 2147483648, "e820": [ {"start": "0x0", "size": "640K",
 *     "type": "usable"}, ... ], "pae": false, "vmsplit": "3G",
 *   "cmdline": "vmalloc=256M", "cpus": 1, "seed": 1 }
 * Unknown fields are refused (a typo must not be silently ignored).
 * Numbers may be JSON integers or strings: "0x1000", "512M", "4G".
 */
int api_config_from_json(const json_t *j, struct machine_config *c,
			 struct mm_error *err);
json_t *api_config_to_json(const struct machine_config *c);

/* Parse the config and boot: the machine, or an error. */
int api_machine_boot(const json_t *config, struct machine **out,
		     struct mm_error *err);

/*
 * Run one operation on a machine.  args is the operation's JSON object
 * (may be NULL for none).  On success *result is a new JSON object.
 * Operations: alloc_pages {order, gfp}, free_pages {pfn | phys, order},
 * frame {pfn | phys}.  Out of memory is a successful result with
 * "ok": false and the allocator's story.
 *
 * A refusal leaves the machine bit-identical unless err->changed says
 * it moved state anyway (machine_changes() moved while the operation
 * ran); a caller that keeps a journal keeps such a refusal too, and its
 * replay is the same refusal on the same machine.  changed is false
 * after a success.
 */
int api_op(struct machine *m, const char *op, const json_t *args,
	   json_t **result, struct mm_error *err);
/*
 * api_op with the answer as compact JSON text appended to *text: the
 * bytes json_dumps(JSON_COMPACT) makes of api_op's result.  For the
 * operations a class repeats (translate, kmalloc, kfree: api_op_writes)
 * the text is written straight from the model's result, never built as
 * a json_t, dumped and freed, which cost more than the model's work;
 * any other operation goes by way of jansson.  Nothing is appended on a
 * refusal.
 */
int api_op_write(struct machine *m, const char *op, const json_t *args,
		 struct strbuf *text, struct mm_error *err);
bool api_op_writes(const char *op);
/* Whether op names an operation that changes the machine (journalled). */
bool api_op_mutates(const char *op);
/* Whether op names an operation at all, and every name, NULL-terminated. */
bool api_op_known(const char *op);
/* The i-th operation's name (all families), NULL past the last. */
const char *api_op_name(size_t i);
/* The argument names op takes, NULL-terminated; NULL for no such op. */
const char *const *api_op_args(const char *op);

/*
 * A report by name (api_report_names lists them).  as_text=true gives
 * the Linux text in *text (malloc'd; the model's own reports such as
 * layout and memblock have a text form too), else JSON in *json.  The output not asked for is set to NULL.
 */
int api_report(const struct machine *m, const char *name, bool as_text,
	       json_t **json, char **text, struct mm_error *err);
/* Every report name, NULL-terminated. */
extern const char *const api_report_names[];

/* RFC 9457 problem object for an error, and its HTTP status. */
json_t *api_problem(const struct mm_error *err);
int api_http_status(const struct mm_error *err);

/* "0x%08x"-style address strings, as every answer writes addresses. */
json_t *api_hex(uint64_t v);
/* A number from JSON: integer, or a string "0x..", "123", "512M". */
int api_get_u64(const json_t *v, uint64_t *out);

#endif

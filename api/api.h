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
/* A number that changes when the model behaves differently: the hash of
 * a few canonical machines' snapshots after a few operations (a few ms).
 * The daemon keeps it with its store (fingerprint.c says why). */
uint64_t api_model_fingerprint(void);

/*
 * Write the boot state into a configuration that is about to be kept
 * (a new machine's, an exercise's, one read back from the store) when it
 * has none: fallback's.  A new machine is pinned "booted", so a later
 * default cannot change how it replays; a configuration stored before
 * boot states existed is pinned "bare", which is how it booted then.
 */
void api_config_pin_boot(json_t *config, enum boot_state fallback);
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
 * frame {pfn | phys}.  Out of memory is a refusal like any other:
 * MM_EIMPOSSIBLE "out-of-memory" (422), never a result (docs/daemon.md,
 * "Refusals").
 *
 * A refusal leaves the machine bit-identical unless err->changed says
 * it moved state anyway (machine_changes() moved while the operation
 * ran); a caller that keeps a journal keeps such a refusal too, and its
 * replay is the same refusal on the same machine.  changed is false
 * after a success.
 */
int api_op(struct machine *m, const char *op, const json_t *args,
	   json_t **result, struct mm_error *err);
/* api_op, and on a refusal *story: the members its problem carries
 * beside type and detail (alloc_pages's order, gfp, reason and attempts,
 * the zones tried with their watermarks and why each refused), or NULL.
 * The caller owns it: json_object_update_missing() it into the problem. */
int api_op_story(struct machine *m, const char *op, const json_t *args,
		 json_t **result, json_t **story, struct mm_error *err);
/*
 * api_op with the answer as compact JSON text appended to *text: the
 * bytes json_dumps(JSON_COMPACT) makes of api_op's result.  For the
 * operations a class repeats (translate, kmalloc, kfree: api_op_writes)
 * the text is written straight from the model's result, never built as
 * a json_t, dumped and freed, which cost more than the model's work;
 * any other operation goes by way of jansson.  On a refusal nothing is
 * appended, except out of memory's story (api_op_story's *story, as
 * compact JSON text: a JSON object to merge into the problem).
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
/* A number from JSON: integer, or a string "0x..", "123", "512M" read by
 * api_parse_number() with sizes; -1 for anything else, "0100" too. */
int api_get_u64(const json_t *v, uint64_t *out);

/*
 * A number written as text, the one rule for the API's arguments and the
 * exercise answers (api/number.c): decimal, or hex after 0x; with
 * API_NUM_SIZE a decimal number may end in a size suffix ("4K", "4 KiB",
 * "896M", "2GB", "100 bytes").  A number that starts with 0 ("0100") is
 * API_NUM_LEADING_ZERO, never octal.  len bytes of s, nothing else.
 */
enum { API_NUM_OK = 0, API_NUM_BAD, API_NUM_LEADING_ZERO, API_NUM_TOO_BIG };
#define API_NUM_SIZE 1u
int api_parse_number(const char *s, size_t len, unsigned flags,
		     uint64_t *out);
/* Whether s is a number refused only for its leading zero. */
bool api_leading_zero(const char *s);
/*
 * args with every leading-zero number ("0100", "010K") replaced by the
 * integer a daemon before store format 4 read it as (C syntax: octal,
 * through memparse), or NULL when there is none.  For the replay of
 * such a daemon's journal only: an op it recorded must mean what it
 * meant then.
 */
json_t *api_legacy_numbers(const json_t *args);
/* 'what "0100" starts with a 0 ...: write "100" ... or "0x100" for hex',
 * the words every such refusal uses. */
void api_leading_zero_advice(const char *what, const char *s, char *buf,
			     size_t len);
/* If the argument err->field names in args (a key, "e820[2].start", or
 * an array of numbers) was refused for a leading zero, make err's detail
 * say so; prefix ("alloc_pages: ") goes before it. */
void api_explain_leading_zero(const json_t *args, const char *prefix,
			      struct mm_error *err);

#endif

/*
 * fuzz_util.h - what the libFuzzer harnesses share: a reader that turns
 * the fuzzer's bytes into choices, the few machine configurations they
 * boot, and the grammar of the API's operations and argument values.
 *
 * Why a grammar: a coverage-guided fuzzer that mutates JSON text seldom
 * builds an argument that is well-formed in every other respect and has
 * one extreme value (a phys address near 2^64, a size of 2^32, a pid a
 * process_create just gave), so it never gets past the argument checks
 * into the model's deep states.  Here every byte picks a choice among
 * the shapes that matter, and the values the machine answered with
 * (addresses, pfns, pids, cache names) are fed back as later arguments.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

/* The fuzzer's bytes, read front to back; zeros once they run out. */
struct fz {
	const uint8_t *p;
	size_t n;
};

uint8_t fz_u8(struct fz *f);
uint32_t fz_u32(struct fz *f);
uint64_t fz_u64(struct fz *f);
/* A choice below n (n > 0). */
size_t fz_below(struct fz *f, size_t n);
bool fz_bool(struct fz *f);
/* One time in n, and never once the bytes have run out: zeros (an
 * exhausted input) choose the common, well-formed branch. */
bool fz_rare(struct fz *f, size_t n);
/* At most max bytes, length first: a NUL-terminated copy in out. */
size_t fz_str(struct fz *f, char *out, size_t max);

/* Values the machine gave back, offered again as arguments. */
enum fz_kind { FZ_ADDR, FZ_PHYS, FZ_PFN, FZ_PID, FZ_NKINDS };
#define FZ_POOL 16

struct fz_pool {
	uint64_t v[FZ_NKINDS][FZ_POOL];
	unsigned n[FZ_NKINDS];
	char caches[FZ_POOL][40];
	unsigned ncaches;
};

void fz_pool_learn(struct fz_pool *p, const json_t *result);

/* The configurations the harnesses boot (JSON text), chosen by index. */
extern const char *const fz_configs[];
extern const size_t fz_nconfigs;
/* Boot fz_configs[i % fz_nconfigs]; aborts if it does not boot. */
struct machine *fz_boot(size_t i);

/* Every operation's name, and how many there are. */
size_t fz_nops(void);

/*
 * One operation from the grammar for machine m (sizes are chosen
 * relative to its free memory too): *op is its name (or "report:NAME"
 * for a report, which fz_run_one answers), *args new JSON or NULL.
 */
void fz_gen_op(struct fz *f, struct fz_pool *p, const struct machine *m,
	       const char **op, json_t **args);

/*
 * Run one operation (or report) on m the way the daemon does and check
 * what every answer must satisfy: a result on success, a problem with a
 * kind and a slug on refusal, JSON that serialises.  Aborts on a broken
 * rule; returns the api's rc, *result (may be NULL) for the caller.
 */
int fz_run_one(struct machine *m, const char *op, const json_t *args,
	       json_t **result, struct mm_error *err);

/*
 * The ops of a raw-JSON input: {"config": N, "ops": [{"op":..,"args":..}]}
 * or a bare array of items; NULL when it is not JSON.  *config is the
 * "config" index (0 if absent).  Malformed items are left for the caller
 * to skip (fz_item).
 */
json_t *fz_raw_ops(const uint8_t *data, size_t size, size_t *config);
/* An item's op name and args, false when it is not {"op": S[, "args": O]}. */
bool fz_item(const json_t *item, const char **op, const json_t **args);


/* Abort with a message (a finding): libFuzzer saves the input. */
void fz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
					       noreturn));

#endif

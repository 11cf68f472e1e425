/*
 * history.h - a machine's recent operations, with their results, and its
 * earlier states rebuilt from them.
 *
 * Every change to a machine is one generation (registry.h).  The history
 * holds the changes since its base: the state the store would restore
 * the machine from (its boot, a reset, the journal's latest snapshot),
 * or a snapshot kept here when HIST_MAX generations passed without one.
 * From the base and the entries any generation since can be built again,
 * because the model is deterministic; the results are kept as they were
 * answered (or, after a restart, as the replay produced them: the same).
 *
 * An undo is an entry too ("undo" {"to": G}): the state after it is the
 * state at G, so generations only ever grow and an ETag never names two
 * states.  Replay (journal.c) rebuilds it the same way.
 */
#ifndef SRV_HISTORY_H
#define SRV_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct mm_error;
struct srv;
struct srv_machine;

/* Generations kept past the base before the history takes a base of its
 * own (a snapshot in host memory): bounds the work of a rebuild. */
#define HIST_MAX	1000

struct srv_hist_entry {
	uint64_t seq;		/* the generation it produced */
	char *op;
	char *args;		/* compact JSON text */
	char *result;		/* compact JSON text: the result, or the
				   problem of a refusal that moved state */
	bool refused;
	uint64_t undo_to;	/* op "undo": the generation it went back to */
};

struct srv_hist {
	uint64_t base;		/* the generation of the base state */
	void *snap;		/* its snapshot, or NULL: boot the config */
	size_t snap_len;
	struct srv_hist_entry *v;	/* seq base+1, base+2, ... */
	size_t n, cap;
	size_t bytes;		/* what the entries hold, for the budget */
};

void hist_free(struct srv_hist *h);

/* Under sm->lock: the base is now sm's state at sm->generation: booted
 * from its config (snap NULL), or the snapshot given (copied). */
void hist_rebase(struct srv_machine *sm, const void *snap, size_t len);

/* Under sm->lock, after a change made generation sm->generation: its
 * entry.  result: the answer (refused: its problem); NULL for none. */
void hist_note(struct srv_machine *sm, const char *op, const json_t *args,
	       const json_t *result, bool refused);

/* The same for a refusal that moved state: its problem, as answered. */
void hist_note_refused(struct srv_machine *sm, const char *op,
		       const json_t *args, const struct mm_error *err);

/* Host memory the history holds. */
size_t hist_bytes(const struct srv_hist *h);

/*
 * Under sm->lock: a new machine in sm's state at generation g (base <= g
 * <= generation), built from the base and the entries: 0 and *out, or
 * an error in err.
 */
int hist_build(struct srv *s, struct srv_machine *sm, uint64_t g,
	       struct machine **out, struct mm_error *err);

/* The generation an "undo" entry's args go back to; false if they do
 * not say. */
bool hist_undo_target(const json_t *args, uint64_t *to);

/* What an undo answers, and its entry keeps: {"from": F, "to": T}. */
json_t *hist_undo_result(uint64_t from, uint64_t to);

#endif

/*
 * journal.h - every change to a machine reaches the store before its 2xx
 * answer leaves, and the writes of all waiting requests share one commit.
 *
 * A request that changed a machine holds a ticket: its records, appended
 * while it held the machine's lock (so the journal's order is the order
 * the changes were applied in).  The libuv loop hands all queued tickets
 * to the journal's own thread (not libuv's pool, where heavy reads would
 * hold it up), which commits them in one transaction; back on
 * the loop, each ticket's request is answered: its 2xx, or 503 if the
 * write failed.  A failed write puts the journal in a degraded state
 * (every change refused with 503, reads as usual), rolls the machines it
 * touched back to what the store holds, and a probe each second brings
 * it back when the cause (full disk, read-only directory, a lock held by
 * another process) has gone.
 */
#ifndef SRV_JOURNAL_H
#define SRV_JOURNAL_H

#include <stdbool.h>
#include <uv.h>

#include "registry.h"
#include "store.h"

struct journal;
struct journal_ticket;
struct srv;

/* A journal writing to st (owned from now on); read_only: it starts
 * degraded.  snapshot_every: ops between snapshots of a machine. */
struct journal *journal_new(struct srv *s, struct store *st, const char *dir,
			    bool read_only, uv_loop_t *loop,
			    unsigned snapshot_every);
/* Whether a commit or probe is under way on the journal's thread. */
bool journal_busy(const struct journal *j);
/* When not busy: write what is still queued, close the store and the
 * journal's handles (the loop frees it). */
void journal_close(struct journal *j);

/* Rebuild every machine of the store into the registry (at start). */
int journal_replay(struct journal *j, char *err, size_t len);

/* Whether changes are refused now, and why (for a 503). */
bool journal_degraded(struct journal *j, char *why, size_t len);

/*
 * Under sm->lock, after a change succeeded: the records go into *t (a
 * new ticket if *t is NULL).  The ticket is queued by journal_submit,
 * also under the lock.
 */
void journal_op(struct journal *j, struct journal_ticket **t,
		struct srv_machine *sm, const char *op, const json_t *args);
void journal_create(struct journal *j, struct journal_ticket **t,
		    struct srv_machine *sm);
void journal_reset(struct journal *j, struct journal_ticket **t,
		   struct srv_machine *sm);
void journal_delete(struct journal *j, struct journal_ticket **t,
		    struct srv_machine *sm);
void journal_submit(struct journal *j, struct journal_ticket *t);

/*
 * State that is not a machine (an exercise, a class) goes to the store
 * as rows (REC_EXERCISE, REC_ATTEMPT, REC_RECORD) in the same tickets,
 * with the same guarantee: a 2xx leaves only once its rows are
 * committed.  Its object embeds a journal_obj and outlives every ticket
 * that names it (such objects are never freed while the daemon runs).
 * After a failed write, rollback (the loop's thread) takes the object
 * back to what the store holds, and its epoch voids the rows queued
 * against the state that was undone.
 */
struct journal_obj {
	_Atomic uint64_t epoch;
	void (*rollback)(struct journal *j, struct journal_obj *o);
};

/* Under the object's own lock, after its change was made: a zeroed row
 * of that kind in *t (a new ticket if *t is NULL), for the caller to
 * fill (its ex, at or rec, malloc'd: the ticket frees them).  Submit
 * *t under the same lock, so rows reach the store in the order the
 * changes were made. */
struct store_rec *journal_row(struct journal *j, struct journal_ticket **t,
			      struct journal_obj *o, enum store_rec_kind kind);

/* Move every record of from (not yet submitted) to the end of *into
 * (from if *into is NULL): several changes made apart, one commit. */
void journal_merge(struct journal_ticket **into, struct journal_ticket *from);

/* A row that could not be written down (no memory for its JSON): the
 * ticket fails and its changes are rolled back, never stored half. */
void ticket_unrecordable(struct journal_ticket *t);

/* Read the rows that are not machines: at start (before requests), or
 * on the loop's thread in a rollback. */
int journal_load_exercises(struct journal *j, const char *id,
			   const struct store_rows_cb *cb, char *err,
			   size_t len);
int journal_load_records(struct journal *j, const char *kind,
			 const char *key, const struct store_rows_cb *cb,
			 char *err, size_t len);

/*
 * The request waits: done(arg) runs on the loop's thread once the ticket
 * is decided (at once if it already is).  Then ticket_failed tells
 * whether the write failed (and why), and ticket_free releases it.
 */
void ticket_on_done(struct journal_ticket *t, void (*done)(void *arg),
		    void *arg);
bool ticket_failed(const struct journal_ticket *t, char *why, size_t len);
void ticket_free(struct journal_ticket *t);

#endif

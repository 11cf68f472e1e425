/*
 * turn.h - a machine's requests take turns, in the order they came.
 *
 * A request that finds its machine in use does not sleep on a lock: it
 * joins the machine's queue and its thread goes back to other work.
 * When the request holding the machine is done, the turn passes to the
 * first one queued (its wake callback dispatches it again: to the
 * pool, or where it is cheap), so no thread ever waits for a machine
 * while other requests wait for a thread.  The turn comes before the
 * machine's mutex (sm->lock), which a turn's holder then takes at once
 * (it is held otherwise only briefly: by a create, an expiry, the
 * journal's rollback).
 */
#ifndef SRV_TURN_H
#define SRV_TURN_H

#include <stdbool.h>

struct srv_machine;
struct srv_registry;

struct srv_waiter {
	struct srv_waiter *next;	/* in the machine's queue */
	struct srv_machine *sm;		/* queued at (referenced), or NULL */
	bool queued;			/* under sm's turn_lock: in its queue */
	bool granted;			/* under sm's turn_lock: the turn
					   passed to it, not yet used */
	/* its turn came (on the thread that passed it): run it again */
	void (*wake)(struct srv_waiter *w);
};

/*
 * The turn at sm, or false with w queued (and sm referenced by it)
 * when another request has it or others wait before it; w woken later
 * then holds the turn, and its next turn_take(sm, w) uses it.  With no
 * waiter (a unit test, a harness) the caller's thread waits its turn.
 */
bool turn_take(struct srv_registry *r, struct srv_machine *sm,
	       struct srv_waiter *w);
/* The turn at sm only if nobody has it or waits for it. */
bool turn_try(struct srv_machine *sm);
/* Done with the turn: the next in the queue gets it. */
void turn_release(struct srv_machine *sm);
/* The request is done or gone: leave the queue, pass on a turn it was
 * given and did not use, drop its reference.  A no-op when not queued. */
void turn_forget(struct srv_registry *r, struct srv_waiter *w);

#endif

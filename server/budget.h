/*
 * budget.h - host memory as a limit like the others.
 *
 * --max-ram bounds the RAM a machine simulates, not what the daemon
 * spends on it: every written page costs 4 KiB of host memory, and so
 * do page tables, slabs and processes.  Each machine's model says what
 * it holds (machine_host_bytes); the registry keeps the sum.  A change
 * is refused before it runs when its machine, or the server as a whole,
 * is over budget, so one request overshoots by at most one operation's
 * growth (which the body limit bounds).  Operations that give memory
 * back are always let through: they are how a student gets under again.
 */
#ifndef SRV_BUDGET_H
#define SRV_BUDGET_H

#include <jansson.h>
#include <stdbool.h>

struct srv;
struct srv_call;
struct srv_machine;

/* Under sm->lock: count what sm holds now into the registry's sums. */
void budget_account(struct srv *s, struct srv_machine *sm);
/* The same after a request, when it changed the machine or its cache. */
void budget_note(struct srv *s, struct srv_machine *sm);

/*
 * Under sm->lock, before op runs: true with *problem (a 507
 * "host-memory" problem naming the budget and what to do) when op would
 * add to a machine or a server already over budget.
 */
bool budget_refuses(struct srv_call *c, struct srv_machine *sm,
		    const char *op, json_t **problem);

/* Under sm->lock, before an earlier generation of sm is built (a
 * report ?at=, an undo): true with *problem (507) when a second copy of
 * its model would pass the server's budget. */
bool budget_refuses_rebuild(struct srv_call *c, struct srv_machine *sm,
			    json_t **problem);

/* Before a machine is created: true (answered 507) when the server's
 * machines already hold the whole budget. */
bool budget_refuses_create(struct srv_call *c);

#endif

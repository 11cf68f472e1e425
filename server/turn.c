/*
 * turn.c - the queue of requests waiting for a machine (see turn.h).
 *
 * sm->turn_lock guards only the queue and who holds the turn, for a few
 * instructions; the model runs under the turn and sm->lock, never under
 * turn_lock.
 */
#include "turn.h"

#include <pthread.h>

#include "registry.h"

/* A caller without a waiter of its own: its thread sleeps until woken. */
struct blocked {
	struct srv_waiter w;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool go;
};

static void wake_blocked(struct srv_waiter *w)
{
	struct blocked *b = (struct blocked *)w;

	pthread_mutex_lock(&b->lock);
	b->go = true;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void enqueue(struct srv_machine *sm, struct srv_waiter *w)
{
	w->next = NULL;
	w->queued = true;
	w->granted = false;
	if (sm->turn_tail)
		sm->turn_tail->next = w;
	else
		sm->turn_head = w;
	sm->turn_tail = w;
}

static void wait_blocked(struct srv_machine *sm)
{
	struct blocked b = { .w = { .wake = wake_blocked } };

	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.cond, NULL);
	enqueue(sm, &b.w);
	pthread_mutex_unlock(&sm->turn_lock);
	pthread_mutex_lock(&b.lock);
	while (!b.go)
		pthread_cond_wait(&b.cond, &b.lock);
	pthread_mutex_unlock(&b.lock);
	pthread_cond_destroy(&b.cond);
	pthread_mutex_destroy(&b.lock);
}

bool turn_take(struct srv_registry *r, struct srv_machine *sm,
	       struct srv_waiter *w)
{
	pthread_mutex_lock(&sm->turn_lock);
	if (w && w->sm == sm && w->granted) {
		w->granted = false;	/* the caller's now; w keeps its ref */
		pthread_mutex_unlock(&sm->turn_lock);
		return true;
	}
	if (!sm->turn_held && !sm->turn_head) {
		sm->turn_held = true;
		pthread_mutex_unlock(&sm->turn_lock);
		return true;
	}
	if (w && w->queued) {
		/* asked again before its turn came: still in its place */
		pthread_mutex_unlock(&sm->turn_lock);
		return false;
	}
	if (!w) {
		wait_blocked(sm);	/* unlocks turn_lock */
		return true;
	}
	/* a waiter queued at another machine first cannot be: one request
	 * names one machine */
	reg_ref(r, sm);
	w->sm = sm;
	enqueue(sm, w);
	pthread_mutex_unlock(&sm->turn_lock);
	return false;
}

bool turn_try(struct srv_machine *sm)
{
	bool got;

	pthread_mutex_lock(&sm->turn_lock);
	got = !sm->turn_held && !sm->turn_head;
	if (got)
		sm->turn_held = true;
	pthread_mutex_unlock(&sm->turn_lock);
	return got;
}

void turn_release(struct srv_machine *sm)
{
	struct srv_waiter *w;

	pthread_mutex_lock(&sm->turn_lock);
	w = sm->turn_head;
	if (w) {
		/* the turn passes straight on: nobody can take it between */
		sm->turn_head = w->next;
		if (!sm->turn_head)
			sm->turn_tail = NULL;
		w->queued = false;
		w->granted = true;
	} else {
		sm->turn_held = false;
	}
	pthread_mutex_unlock(&sm->turn_lock);
	if (w)
		w->wake(w);
}

void turn_forget(struct srv_registry *r, struct srv_waiter *w)
{
	struct srv_machine *sm = w->sm;
	struct srv_waiter **p, *last = NULL;
	bool unused;

	if (!sm)
		return;
	pthread_mutex_lock(&sm->turn_lock);
	unused = w->granted;
	w->granted = false;
	if (w->queued) {
		for (p = &sm->turn_head; *p != w; p = &(*p)->next)
			last = *p;
		*p = w->next;
		if (sm->turn_tail == w)
			sm->turn_tail = last;
		w->queued = false;
	}
	pthread_mutex_unlock(&sm->turn_lock);
	if (unused)
		turn_release(sm);
	w->sm = NULL;
	reg_put(r, sm);
}

/*
 * server.c - the daemon's state, apart from the network: options,
 * machines, metrics and rate limits.
 */
#include "server.h"
#include "journal.h"	/* before the model: <signal.h> first */

#include "api.h"
#include "classes.h"
#include "exercises.h"
#include "machine.h"
#include "turn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void srv_resp_free(struct srv_resp *resp)
{
	free(resp->body);
	free(resp->file_path);
	resp->body = resp->file_path = NULL;
}

int srv_init(struct srv *s, const struct srv_options *opt)
{
	memset(s, 0, sizeof(*s));
	s->opt = *opt;
	reg_init(&s->reg);
	s->exercises = srv_ex_table_new();
	metrics_init(&s->metrics);
	rl_init(&s->rate, opt->rate, opt->rate_burst);
	/* the keyed seeds and the join codes are libsodium's */
	if (class_seed_init()) {
		fprintf(stderr, "mmlabd: libsodium cannot start\n");
		abort();
	}
	s->classes = xcalloc(1, sizeof(*s->classes));
	cls_init(s->classes);
	return 0;
}

void srv_destroy(struct srv *s)
{
	reg_destroy(&s->reg);
	srv_ex_table_free(s->exercises);
	s->exercises = NULL;
	rl_destroy(&s->rate);
	if (s->classes)
		cls_destroy(s->classes);
	free(s->classes);
}

int srv_apply_limits(struct srv *s, struct machine *m)
{
	json_t *lim = json_pack("{s:i, s:i}", "max_processes",
				(int)s->opt.max_processes, "max_map_count",
				(int)s->opt.max_map_count), *res = NULL;
	struct mm_error err = { 0 };
	int rc = api_op(m, "proc_limits", lim, &res, &err);

	json_decref(lim);
	json_decref(res);
	return rc;
}

int srv_boot(struct srv *s, const json_t *config, struct machine **out,
	     struct mm_error *err)
{
	int rc = api_machine_boot(config, out, err);

	if (rc)
		return rc;
	if (srv_apply_limits(s, *out))
		abort();	/* the limits were checked at start */
	return 0;
}

/* An expired machine goes from the store too; nobody waits for that.
 * The loop's thread never waits for a machine: one a request holds or
 * waits for is in use, not idle, and stays.  False then. */
static bool expire_one(struct srv *s, struct srv_machine *sm)
{
	struct journal_ticket *t = NULL;

	if (!turn_try(sm))
		return false;
	if (pthread_mutex_trylock(&sm->lock)) {
		turn_release(sm);
		return false;
	}
	if (s->journal) {
		journal_delete(s->journal, &t, sm);
		journal_submit(s->journal, t);
	}
	pthread_mutex_unlock(&sm->lock);
	/* removed before the turn passes: whoever queued meanwhile gets 404 */
	reg_remove(&s->reg, sm);
	turn_release(sm);
	if (t)
		ticket_on_done(t, (void (*)(void *))ticket_free, t);
	return true;
}

unsigned srv_expire_idle(struct srv *s, int64_t now_ms)
{
	int64_t before = now_ms - (int64_t)s->opt.idle_expiry * 1000;
	struct srv_machine **v;
	unsigned n = 0;
	size_t count;

	if (!s->opt.idle_expiry)
		return 0;
	v = reg_list(&s->reg, NULL, true, &count);
	for (size_t i = 0; i < count; i++)
		if (atomic_load(&v[i]->last_used_ms) < before &&
		    expire_one(s, v[i]))
			n++;
	reg_put_all(&s->reg, v, count);
	atomic_fetch_add(&s->metrics.machines_expired, n);
	return n;
}

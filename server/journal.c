/*
 * journal.c - group commit of machine changes, replay, and recovery from
 * a store that cannot be written.  See journal.h for the whole story.
 */
#include "journal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "budget.h"
#include "machine.h"
#include "server.h"
#include "snapshot.h"
#include "strbuf.h"

#define PROBE_MS 1000

struct journal_ticket {
	pthread_mutex_t lock;
	bool decided, failed;
	/* a record could not be written down (json_dumps ran out of
	 * memory): never stored half right, the change is undone */
	bool unrecordable;
	char why[256];
	void (*done)(void *arg);
	void *arg;
	struct store_rec *recs;
	struct srv_machine **sms;	/* referenced, one per record; NULL
					   for the row of an object */
	struct journal_obj **objs;	/* the object of a row, else NULL */
	uint64_t *epochs;		/* each machine's epoch when queued */
	size_t n, cap;
	/* where the arrays start: nearly every ticket is one change, and
	 * three allocations for it were a visible part of a durable op */
	struct store_rec rec1;
	struct srv_machine *sm1;
	struct journal_obj *obj1;
	uint64_t epoch1;
	struct srv_registry *reg;
	struct journal_ticket *next;
};

struct journal {
	struct srv *s;
	struct store *st;
	char dir[512];
	uv_loop_t *loop;
	uv_async_t wake;
	uv_timer_t probe;
	unsigned snapshot_every;

	/*
	 * The journal's own thread, for one job at a time (a commit or a
	 * probe): in libuv's pool a commit would queue behind heavy reads
	 * of other machines.  The loop hands it a job and hears of its end
	 * through job_done, where the job's after() runs.
	 */
	uv_thread_t thread;
	pthread_mutex_t job_lock;
	pthread_cond_t job_cond;
	void (*job)(struct journal *j);		/* under job_lock */
	bool quit;				/* under job_lock */
	void (*after)(struct journal *j);	/* the loop's thread */
	uv_async_t job_done;
	int open_handles;			/* freed when 0 */

	pthread_mutex_t qlock;		/* the queue, filled by any thread */
	struct journal_ticket *qhead, **qtail;
	/* under qlock: the loop will take the queue again without a wake
	 * (a commit is under way, or a wake is already on its way), so a
	 * change queued meanwhile sends none: a wake per change was a
	 * system call on the HTTP thread and a turn of the loop each */
	bool will_look;

	/* the loop's thread only */
	struct journal_ticket *batch;	/* being written by the thread */
	bool busy;			/* a commit or probe is under way */
	bool read_only;			/* the store was opened read-only */
	bool closing;			/* journal_close: no new cycles */
	uint64_t commits;		/* the journal's thread */
	int work_rc;
	char work_err[256];

	pthread_mutex_t why_lock;
	_Atomic bool degraded;
	char why[256];
};

/* --- tickets ---------------------------------------------------------------------- */

static struct journal_ticket *ticket_new(struct srv_registry *reg)
{
	struct journal_ticket *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	t->reg = reg;
	t->recs = &t->rec1;
	t->sms = &t->sm1;
	t->objs = &t->obj1;
	t->epochs = &t->epoch1;
	t->cap = 1;
	return t;
}

/* Room for one more record: the arrays leave the ticket past the first. */
static void ticket_grow(struct journal_ticket *t)
{
	size_t cap = 2 * t->cap;
	bool inline1 = t->recs == &t->rec1;

	t->recs = xrealloc(inline1 ? NULL : t->recs, cap * sizeof(*t->recs));
	t->sms = xrealloc(inline1 ? NULL : t->sms, cap * sizeof(*t->sms));
	t->objs = xrealloc(inline1 ? NULL : t->objs, cap * sizeof(*t->objs));
	t->epochs = xrealloc(inline1 ? NULL : t->epochs,
			     cap * sizeof(*t->epochs));
	if (inline1) {
		t->recs[0] = t->rec1;
		t->sms[0] = t->sm1;
		t->objs[0] = t->obj1;
		t->epochs[0] = t->epoch1;
	}
	t->cap = cap;
}

/* A new record in *tp, of machine sm or (sm NULL) of object o. */
static struct store_rec *ticket_slot(struct journal_ticket **tp,
				     struct srv_registry *reg,
				     struct srv_machine *sm,
				     struct journal_obj *o,
				     enum store_rec_kind kind)
{
	struct journal_ticket *t = *tp ? *tp : (*tp = ticket_new(reg));
	struct store_rec *r;

	if (t->n == t->cap)
		ticket_grow(t);
	if (sm)
		reg_ref(reg, sm);
	t->sms[t->n] = sm;
	t->objs[t->n] = o;
	t->epochs[t->n] = atomic_load(sm ? &sm->epoch : &o->epoch);
	r = &t->recs[t->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	return r;
}

static struct store_rec *ticket_add(struct journal_ticket **tp,
				    struct srv_registry *reg,
				    struct srv_machine *sm,
				    enum store_rec_kind kind)
{
	struct store_rec *r = ticket_slot(tp, reg, sm, NULL, kind);

	snprintf(r->id, sizeof(r->id), "%s", sm->id);
	r->seq = sm->generation;
	return r;
}

struct store_rec *journal_row(struct journal *j, struct journal_ticket **t,
			      struct journal_obj *o, enum store_rec_kind kind)
{
	return ticket_slot(t, &j->s->reg, NULL, o, kind);
}

void journal_merge(struct journal_ticket **into, struct journal_ticket *from)
{
	struct journal_ticket *t = *into;

	if (!from)
		return;
	if (!t) {
		*into = from;
		return;
	}
	for (size_t i = 0; i < from->n; i++) {
		/* the slot takes a reference of its own; the one from held
		 * goes with from */
		struct store_rec *r = ticket_slot(into, t->reg, from->sms[i],
						  from->objs[i],
						  from->recs[i].kind);

		*r = from->recs[i];
		t->epochs[t->n - 1] = from->epochs[i];
		memset(&from->recs[i], 0, sizeof(from->recs[i]));
	}
	t->unrecordable |= from->unrecordable;
	ticket_free(from);
}

void ticket_unrecordable(struct journal_ticket *t)
{
	t->unrecordable = true;
}

/* The epoch a record was queued under, of its machine or object. */
static _Atomic uint64_t *rec_epoch(const struct journal_ticket *t, size_t i)
{
	return t->sms[i] ? &t->sms[i]->epoch : &t->objs[i]->epoch;
}

void ticket_free(struct journal_ticket *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		store_rec_free(&t->recs[i]);
		reg_put(t->reg, t->sms[i]);
	}
	if (t->recs != &t->rec1) {
		free(t->recs);
		free(t->sms);
		free(t->objs);
		free(t->epochs);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* The ticket's fate is known: tell whoever waits (on the loop's thread). */
static void decide(struct journal_ticket *t, bool failed, const char *why)
{
	void (*done)(void *);
	void *arg;

	pthread_mutex_lock(&t->lock);
	t->decided = true;
	t->failed = failed;
	/* only a failure is explained: every change of a durable store
	 * passes here */
	if (failed)
		snprintf(t->why, sizeof(t->why), "%s", why ? why : "");
	done = t->done;
	arg = t->arg;
	pthread_mutex_unlock(&t->lock);
	if (done)
		done(arg);
}

void ticket_on_done(struct journal_ticket *t, void (*done)(void *arg),
		    void *arg)
{
	bool now;

	pthread_mutex_lock(&t->lock);
	now = t->decided;
	if (!now) {
		t->done = done;
		t->arg = arg;
	}
	pthread_mutex_unlock(&t->lock);
	if (now)
		done(arg);
}

bool ticket_failed(const struct journal_ticket *t, char *why, size_t len)
{
	if (t->failed)
		snprintf(why, len, "%s", t->why);
	else if (len)
		why[0] = '\0';
	return t->failed;
}

/* --- records ---------------------------------------------------------------------- */

static void *take_snapshot(const struct machine *m, size_t *len)
{
	uint8_t *buf;

	machine_snapshot(m, &buf, len);
	return buf;
}

/* The op's arguments as the journal keeps them, malloc'd; NULL when
 * they cannot be written (out of memory).  Through a buffer on the stack:
 * json_dumps grows its own from 16 bytes and copies it once more. */
static char *args_text(const json_t *args)
{
	size_t flags = JSON_COMPACT | JSON_SORT_KEYS, n;
	char buf[512], *s;

	if (!args)
		return xstrdup("{}");
	n = json_dumpb(args, buf, sizeof(buf), flags);
	if (!n || n >= sizeof(buf))
		return json_dumps(args, flags);
	if (!(s = malloc(n + 1)))
		return NULL;
	memcpy(s, buf, n);
	s[n] = '\0';
	return s;
}

void journal_op(struct journal *j, struct journal_ticket **t,
		struct srv_machine *sm, const char *op, const json_t *args)
{
	struct store_rec *r = ticket_add(t, &j->s->reg, sm, REC_OP);

	r->op = xstrdup(op);
	if (!(r->args = args_text(args)))
		(*t)->unrecordable = true;	/* "{}" would replay another op */
	/* a long-lived machine restarts from its latest snapshot */
	if (j->snapshot_every &&
	    sm->generation - sm->snap_seq >= j->snapshot_every) {
		sm->snap_seq = sm->generation;
		if (sm->hist.base == sm->generation && sm->hist.snap) {
			/* the history took one just now: the same bytes */
			r->snapshot = xmalloc(sm->hist.snap_len);
			memcpy(r->snapshot, sm->hist.snap, sm->hist.snap_len);
			r->snapshot_len = sm->hist.snap_len;
			return;
		}
		r->snapshot = take_snapshot(sm->m, &r->snapshot_len);
		/* the history starts where a restart would (history.h) */
		hist_rebase(sm, r->snapshot, r->snapshot_len);
	}
}

void journal_create(struct journal *j, struct journal_ticket **t,
		    struct srv_machine *sm)
{
	struct store_rec *r = ticket_add(t, &j->s->reg, sm, REC_CREATE);

	snprintf(r->token, sizeof(r->token), "%s", sm->token);
	snprintf(r->name, sizeof(r->name), "%s", sm->name);
	snprintf(r->origin, sizeof(r->origin), "%s", sm->origin);
	r->fresh = sm->fresh;
	r->config = json_dumps(sm->config, JSON_COMPACT | JSON_SORT_KEYS);
	if (!r->config)
		(*t)->unrecordable = true;
	r->created = sm->created;
}

void journal_reset(struct journal *j, struct journal_ticket **t,
		   struct srv_machine *sm)
{
	ticket_add(t, &j->s->reg, sm, REC_RESET);
	sm->snap_seq = sm->generation;
}

void journal_delete(struct journal *j, struct journal_ticket **t,
		    struct srv_machine *sm)
{
	ticket_add(t, &j->s->reg, sm, REC_DELETE);
}

void journal_submit(struct journal *j, struct journal_ticket *t)
{
	bool wake;

	pthread_mutex_lock(&j->qlock);
	t->next = NULL;
	*j->qtail = t;
	j->qtail = &t->next;
	wake = !j->will_look;
	j->will_look = true;
	pthread_mutex_unlock(&j->qlock);
	if (wake)
		uv_async_send(&j->wake);
}

/* --- state -------------------------------------------------------------------------- */

bool journal_degraded(struct journal *j, char *why, size_t len)
{
	if (!atomic_load(&j->degraded))
		return false;
	pthread_mutex_lock(&j->why_lock);
	snprintf(why, len, "%s", j->why);
	pthread_mutex_unlock(&j->why_lock);
	return true;
}

static void set_degraded(struct journal *j, const char *why)
{
	pthread_mutex_lock(&j->why_lock);
	snprintf(j->why, sizeof(j->why), "%s", why);
	pthread_mutex_unlock(&j->why_lock);
	if (!atomic_exchange(&j->degraded, true))
		fprintf(stderr, "mmlabd: changes refused until the store can "
			"be written: %s\n", why);
}

/* --- rebuilding machines from the store --------------------------------------------- */

struct replay {
	struct journal *j;
	struct srv_machine *target;	/* rebuild this one, or NULL: all */
	bool found;
	unsigned machines, ops, refused;
	char err[256];			/* why a machine stopped the replay */
};

static int replay_boot(struct replay *rp, const struct store_machine *sm,
		       json_t *config, struct machine **m)
{
	struct machine_config c;
	struct mm_error err = { 0 };

	if (!sm->snapshot)
		return srv_boot(rp->j->s, config, m, &err) ? -1 : 0;
	if (api_config_from_json(config, &c, &err) ||
	    machine_restore(&c, sm->snapshot, sm->snapshot_len, m, &err))
		return -1;
	return srv_apply_limits(rp->j->s, *m);
}

/*
 * A machine whose rows passed the store's checks and still cannot be
 * rebuilt (a snapshot of an older model, say): the start stops rather
 * than lose it quietly, unless the operator accepted damage.
 */
static int left_out(struct replay *rp, const char *id)
{
	if (!rp->target && !rp->j->s->opt.accept_store_damage) {
		snprintf(rp->err, sizeof(rp->err), "machine %s in the store "
			 "cannot be rebuilt; restore the store from a backup, or "
			 "start with --accept-store-damage to leave it out", id);
		return -1;
	}
	fprintf(stderr, "mmlabd: machine %s in the store cannot be rebuilt; "
		"it is left out\n", id);
	return 0;
}

/* A machine row: booted or restored, into the registry (or in place of
 * the target's model), at its snapshot's generation. */
static int on_machine(void *ctx, const struct store_machine *row)
{
	struct replay *rp = ctx;
	json_t *config = json_loads(row->config, 0, NULL);
	struct srv_machine *sm = rp->target;
	struct machine *m = NULL;

	api_config_pin_boot(config, BOOT_BARE);	/* stored before boot states */
	if (!config || replay_boot(rp, row, config, &m)) {
		json_decref(config);
		return left_out(rp, row->id);
	}
	rp->found = true;
	rp->machines++;
	if (sm) {
		machine_free(sm->m);
		sm->m = m;
	} else {
		sm = srv_machine_new(m, config, row->name, row->token, 0);
		snprintf(sm->id, sizeof(sm->id), "%s", row->id);
		snprintf(sm->origin, sizeof(sm->origin), "%s", row->origin);
		sm->fresh = row->fresh;
		sm->created = row->created;
		atomic_store(&sm->last_used_ms, (int64_t)(uv_hrtime() / 1000000));
		reg_insert(&rp->j->s->reg, sm, rp->j->s->opt.node, UINT32_MAX,
			   UINT32_MAX);
		reg_put(&rp->j->s->reg, sm);
	}
	sm->generation = sm->snap_seq = row->snap_seq;
	hist_rebase(sm, row->snapshot, row->snapshot_len);
	sm->need_from = 0;
	json_decref(config);
	return 0;
}

/* The history's entry of a replayed op, as its answer said then. */
static void replay_note(struct srv_machine *sm, const char *op,
			const json_t *args, const json_t *res,
			const struct mm_error *err)
{
	if (res)
		hist_note(sm, op, args, res, false);
	else
		hist_note_refused(sm, op, args, err);
}

/* An undo: the machine as it was at the generation it went back to. */
static void replay_undo(struct replay *rp, struct srv_machine *sm,
			uint64_t seq, const json_t *args)
{
	struct mm_error err = { 0 };
	struct machine *m = NULL;
	uint64_t to = 0;
	json_t *res;

	if (!hist_undo_target(args, &to) ||
	    hist_build(rp->j->s, sm, to, &m, &err)) {
		fprintf(stderr, "mmlabd: replaying %s op %llu (undo) failed: "
			"%s\n", sm->id, (unsigned long long)seq,
			err.detail[0] ? err.detail : "no generation to go to");
		rp->refused++;
	} else {
		machine_free(sm->m);
		sm->m = m;
	}
	res = hist_undo_result(seq - 1, to);
	sm->generation = seq;
	hist_note(sm, "undo", args, res, false);
	json_decref(res);
}

/*
 * An op refused for a leading-zero number ("0100") was recorded by a
 * daemon that read it as octal: today's parser refuses it before it can
 * change anything, so it can never be a record of ours.  Run it as it
 * ran then; false when that made it succeed (*a is then the args it ran
 * with).
 */
static bool replay_legacy(struct srv_machine *sm, const char *op, json_t **a,
			  json_t **res, struct mm_error *err)
{
	json_t *old;

	if (!strstr(err->detail, "never octal") ||
	    !(old = api_legacy_numbers(*a)))
		return true;
	json_decref(*a);
	*a = old;
	memset(err, 0, sizeof(*err));
	return api_op(sm->m, op, *a, res, err) && !err->changed;
}

static int on_op(void *ctx, const char *id, uint64_t seq, int64_t rowid,
		 const char *op, const char *args)
{
	struct replay *rp = ctx;
	struct srv_machine *sm = rp->target ? rp->target
					    : reg_get(&rp->j->s->reg, id, NULL, true);
	json_t *a, *res = NULL;
	struct mm_error err = { 0 };

	/* a machine left out, or an op its snapshot or reset made moot */
	if (!sm || !rp->found || seq <= sm->snap_seq)
		goto out;
	/* the start's check (store_check.c) refused any args that do not
	 * parse; an op run with defaults in their place would replay as
	 * something else, so never run one */
	if (!(a = json_loads(args, 0, NULL))) {
		fprintf(stderr, "mmlabd: %s op %llu (%s) has arguments that are "
			"not JSON; not replayed\n", id,
			(unsigned long long)seq, op);
		rp->refused++;
		goto out;
	}
	if (!strcmp(op, "undo")) {
		replay_undo(rp, sm, seq, a);
		goto next;
	}
	/* a refusal that moved state was journalled for that state: it is
	 * refused again here, the same way */
	if (api_op(sm->m, op, a, &res, &err) && !err.changed &&
	    replay_legacy(sm, op, &a, &res, &err)) {
		/* the model is deterministic: this is a bug, say so loudly */
		fprintf(stderr, "mmlabd: replaying %s op %llu (%s) was refused: "
			"%s\n", id, (unsigned long long)seq, op, err.detail);
		rp->refused++;
	}
	sm->generation = seq;
	replay_note(sm, op, a, res, &err);
	json_decref(res);
next:
	json_decref(a);
	if (!sm->need_from)
		sm->need_from = rowid;
	rp->ops++;
out:
	if (!rp->target)
		reg_put(&rp->j->s->reg, sm);
	return 0;
}

/* What the replayed machines hold, for the host-memory budget. */
static void account_all(struct srv *s)
{
	struct srv_machine **v;
	size_t n;

	v = reg_list(&s->reg, NULL, true, &n);
	for (size_t i = 0; i < n; i++) {
		pthread_mutex_lock(&v[i]->lock);
		budget_account(s, v[i]);
		pthread_mutex_unlock(&v[i]->lock);
	}
	reg_put_all(&s->reg, v, n);
}

int journal_replay(struct journal *j, char *err, size_t len)
{
	struct replay rp = { .j = j, .found = true };
	struct store_load_cb cb = { on_machine, on_op, &rp };
	uint64_t t0 = uv_hrtime();
	int rc = store_load(j->st, NULL, &cb, err, len);

	if (rc && rp.err[0])
		snprintf(err, len, "%s", rp.err);
	if (!rc)
		account_all(j->s);
	if (!rc)
		fprintf(stderr, "mmlabd: replayed %u machines and %u operations "
			"in %.1f ms%s\n", rp.machines, rp.ops,
			(double)(uv_hrtime() - t0) / 1e6,
			rp.refused ? " (some refused: see above)" : "");
	return rc;
}

/*
 * Take sm back to what the store holds.  Requests queued against the old
 * state are voided by the epoch.  A machine the store never got (its
 * create failed) leaves the registry.
 */
static void rollback(struct journal *j, struct srv_machine *sm)
{
	struct replay rp = { .j = j, .target = sm };
	struct store_load_cb cb = { on_machine, on_op, &rp };
	char err[256];

	pthread_mutex_lock(&sm->lock);
	atomic_fetch_add(&sm->epoch, 1);
	sm->broken = store_load(j->st, sm->id, &cb, err, sizeof(err)) != 0;
	pthread_mutex_unlock(&sm->lock);
	if (sm->broken)
		fprintf(stderr, "mmlabd: machine %s could not be rolled back "
			"yet (%s); it answers 503 until the store is back\n",
			sm->id, err);
	else if (!rp.found)
		reg_remove(&j->s->reg, sm);
}

int journal_load_exercises(struct journal *j, const char *id,
			   const struct store_rows_cb *cb, char *err,
			   size_t len)
{
	return store_load_exercises(j->st, id, cb, err, len);
}

int journal_load_records(struct journal *j, const char *kind,
			 const char *key, const struct store_rows_cb *cb,
			 char *err, size_t len)
{
	return store_load_records(j->st, kind, key, cb, err, len);
}

/* --- the commit cycle ------------------------------------------------------------- */

/* After a commit (the journal's thread): where each machine's needed ops
 * start in the log now. */
static void note_rows(const struct store_rec *recs, size_t n,
		      struct srv_machine *const *sms)
{
	for (size_t i = 0; i < n; i++) {
		struct srv_machine *sm = sms[i];

		if (!sm)
			continue;	/* an object's row: not in the log */
		if (recs[i].kind == REC_RESET || recs[i].snapshot)
			sm->need_from = 0;	/* boots, or restores, past it */
		else if (recs[i].kind == REC_OP && !sm->need_from)
			sm->need_from = recs[i].rowid;
	}
}

/*
 * Every COMPACT_EVERY commits, cut the front of the log that no machine
 * needs: everything before the oldest needed row of any live machine.
 * A machine without snapshots holds its whole history there, so the log
 * is as long as the oldest such history; replay skips moot rows quickly.
 */
#define COMPACT_EVERY 256

static void compact(struct journal *j, int64_t last_rowid)
{
	struct srv_machine **v;
	int64_t below = last_rowid + 1;
	size_t n;
	char err[256];

	v = reg_list(&j->s->reg, NULL, true, &n);
	for (size_t i = 0; i < n; i++)
		if (v[i]->need_from && v[i]->need_from < below)
			below = v[i]->need_from;
	reg_put_all(&j->s->reg, v, n);
	if (store_compact(j->st, below, err, sizeof(err)))
		fprintf(stderr, "mmlabd: %s (will try again)\n", err);
}

static void do_commit(struct journal *j)
{
	struct store_rec *recs = NULL;
	struct srv_machine **sms = NULL;
	size_t n = 0, cap = 0;
	int64_t last = 0;

	for (struct journal_ticket *t = j->batch; t; t = t->next) {
		for (size_t i = 0; i < t->n; i++)
			if (atomic_load(rec_epoch(t, i)) != t->epochs[i])
				t->failed = true;	/* rolled back meanwhile */
		if (!t->failed && t->unrecordable) {
			/* not written, and undone in after_commit: what was
			 * queued on top of it is void from here on */
			t->failed = true;
			for (size_t i = 0; i < t->n; i++)
				atomic_fetch_add(rec_epoch(t, i), 1);
		}
		if (t->failed)
			continue;
		if (n + t->n > cap) {
			cap = 2 * (n + t->n);
			recs = xrealloc(recs, cap * sizeof(*recs));
			sms = xrealloc(sms, cap * sizeof(*sms));
		}
		memcpy(recs + n, t->recs, t->n * sizeof(*recs));
		memcpy(sms + n, t->sms, t->n * sizeof(*sms));
		n += t->n;
	}
	j->work_rc = n ? store_commit(j->st, recs, n, j->work_err,
				      sizeof(j->work_err)) : 0;
	if (!j->work_rc && n) {
		note_rows(recs, n, sms);
		for (size_t i = 0; i < n; i++)
			if (recs[i].rowid > last)
				last = recs[i].rowid;
		if (last && ++j->commits % COMPACT_EVERY == 0)
			compact(j, last);
	}
	free(recs);
	free(sms);
}

static void start_cycle(struct journal *j);
static void start_probing(struct journal *j);

/* --- the journal's thread ------------------------------------------------------------ */

static void journal_thread(void *arg)
{
	struct journal *j = arg;
	void (*job)(struct journal *);

	pthread_mutex_lock(&j->job_lock);
	for (;;) {
		while (!j->job && !j->quit)
			pthread_cond_wait(&j->job_cond, &j->job_lock);
		if (!j->job)
			break;
		job = j->job;
		pthread_mutex_unlock(&j->job_lock);
		job(j);
		pthread_mutex_lock(&j->job_lock);
		j->job = NULL;
		uv_async_send(&j->job_done);
	}
	pthread_mutex_unlock(&j->job_lock);
}

/* The loop's thread, when not busy: job on the journal's thread, then
 * after back here. */
static void run_job(struct journal *j, void (*job)(struct journal *),
		    void (*after)(struct journal *))
{
	j->busy = true;
	j->after = after;
	pthread_mutex_lock(&j->job_lock);
	j->job = job;
	pthread_cond_signal(&j->job_cond);
	pthread_mutex_unlock(&j->job_lock);
}

static void on_job_done(uv_async_t *a)
{
	struct journal *j = a->data;
	void (*after)(struct journal *) = j->after;

	/* What the job wrote (work_rc, work_err, the rows' ids) is ours once
	 * the thread has let go of job_lock after it.  uv_async_send orders
	 * it too, but with atomics inside libuv that ThreadSanitizer cannot
	 * see; taking the lock says it in a way every tool understands. */
	pthread_mutex_lock(&j->job_lock);
	pthread_mutex_unlock(&j->job_lock);
	j->after = NULL;
	if (after)
		after(j);
}

/* Changes that could not be written down go back to what the store
 * holds, before the next group is written (see do_commit). */
/* A record's machine or object back to what the store holds. */
static void rollback_rec(struct journal *j, struct journal_ticket *t,
			 size_t i)
{
	struct journal_obj *o = t->objs[i];

	if (t->sms[i]) {
		rollback(j, t->sms[i]);
	} else {
		atomic_fetch_add(&o->epoch, 1);
		o->rollback(j, o);
	}
}

static void undo_unrecorded(struct journal *j, struct journal_ticket *t)
{
	for (; t; t = t->next)
		for (size_t i = 0; t->unrecordable && i < t->n; i++)
			rollback_rec(j, t, i);
}

static void after_commit(struct journal *j)
{
	struct journal_ticket *t = j->batch, *next;
	bool failed = j->work_rc != 0;

	j->batch = NULL;
	j->busy = false;
	if (!failed) {
		undo_unrecorded(j, t);
		/* the next group goes to the disk while this one is answered */
		start_cycle(j);
		for (; t; t = next) {
			next = t->next;
			decide(t, t->failed, t->unrecordable ? "there was no "
			       "memory to write it down" : "the machine was "
			       "rolled back to what the store holds after an "
			       "earlier write failed");
		}
		return;
	}
	set_degraded(j, j->work_err);
	for (; t; t = next) {
		next = t->next;
		for (size_t i = 0; i < t->n; i++) {
			/* a failed delete puts the machine back, as the store
			 * holds it: not at all if its create never got there */
			if (t->recs[i].kind == REC_DELETE)
				reg_insert(&j->s->reg, t->sms[i], j->s->opt.node,
					   UINT32_MAX, UINT32_MAX);
			rollback_rec(j, t, i);
		}
		decide(t, true, j->work_err);
	}
	start_probing(j);
	start_cycle(j);
}

/* Everything queued so far becomes the batch; false if nothing was,
 * and the next change queued wakes the loop. */
static bool take_queue(struct journal *j)
{
	pthread_mutex_lock(&j->qlock);
	j->batch = j->qhead;
	j->qhead = NULL;
	j->qtail = &j->qhead;
	j->will_look = j->batch != NULL;
	pthread_mutex_unlock(&j->qlock);
	return j->batch != NULL;
}

/* Every job's after() ends here, so what was queued during a job is
 * taken without a wake of its own (will_look). */
static void start_cycle(struct journal *j)
{
	if (j->busy || j->closing || !take_queue(j))
		return;
	run_job(j, do_commit, after_commit);
}

static void on_wake(uv_async_t *a)
{
	start_cycle(a->data);
}

/* --- recovery ------------------------------------------------------------------------ */

static void do_probe(struct journal *j)
{
	struct store *st;
	bool ro;

	if (!j->read_only) {
		j->work_rc = store_probe(j->st, j->work_err, sizeof(j->work_err));
		return;
	}
	/* opened read-only: the directory may be writable again */
	st = store_open(j->dir, &ro, j->work_err, sizeof(j->work_err));
	if (st && !ro) {
		store_close(j->st);
		j->st = st;
		j->read_only = false;
		j->work_rc = 0;
		return;
	}
	store_close(st);
	if (st)
		snprintf(j->work_err, sizeof(j->work_err), "the data directory "
			 "%.200s is read-only", j->dir);
	j->work_rc = -1;
}

static void after_probe(struct journal *j)
{
	struct srv_machine **v;
	size_t n;

	j->busy = false;
	if (j->work_rc) {
		set_degraded(j, j->work_err);
		start_cycle(j);
		return;
	}
	v = reg_list(&j->s->reg, NULL, true, &n);
	for (size_t i = 0; i < n; i++)
		if (v[i]->broken)
			rollback(j, v[i]);
	reg_put_all(&j->s->reg, v, n);
	uv_timer_stop(&j->probe);
	atomic_store(&j->degraded, false);
	fprintf(stderr, "mmlabd: the store can be written again; changes "
		"are accepted\n");
	start_cycle(j);
}

static void on_probe(uv_timer_t *t)
{
	struct journal *j = t->data;

	if (j->busy || j->closing)
		return;
	run_job(j, do_probe, after_probe);
}

static void start_probing(struct journal *j)
{
	if (!uv_is_active((uv_handle_t *)&j->probe))
		uv_timer_start(&j->probe, on_probe, PROBE_MS, PROBE_MS);
}

struct journal *journal_new(struct srv *s, struct store *st, const char *dir,
			    bool read_only, uv_loop_t *loop,
			    unsigned snapshot_every)
{
	struct journal *j = xcalloc(1, sizeof(*j));

	j->s = s;
	j->st = st;
	snprintf(j->dir, sizeof(j->dir), "%s", dir);
	j->loop = loop;
	j->snapshot_every = snapshot_every;
	j->read_only = read_only;
	j->qtail = &j->qhead;
	pthread_mutex_init(&j->qlock, NULL);
	pthread_mutex_init(&j->why_lock, NULL);
	pthread_mutex_init(&j->job_lock, NULL);
	pthread_cond_init(&j->job_cond, NULL);
	uv_async_init(loop, &j->wake, on_wake);
	uv_async_init(loop, &j->job_done, on_job_done);
	uv_timer_init(loop, &j->probe);
	j->wake.data = j->probe.data = j->job_done.data = j;
	j->open_handles = 3;
	if (uv_thread_create(&j->thread, journal_thread, j)) {
		fprintf(stderr, "mmlabd: cannot start the journal's thread\n");
		abort();
	}
	if (read_only) {
		set_degraded(j, "the data directory is read-only");
		start_probing(j);
	}
	return j;
}

bool journal_busy(const struct journal *j)
{
	return j->busy;
}

static void free_after_close(uv_handle_t *h)
{
	struct journal *j = h->data;

	if (--j->open_handles)
		return;
	store_close(j->st);
	pthread_mutex_destroy(&j->qlock);
	pthread_mutex_destroy(&j->why_lock);
	pthread_mutex_destroy(&j->job_lock);
	pthread_cond_destroy(&j->job_cond);
	free(j);
}

void journal_close(struct journal *j)
{
	j->closing = true;
	/* not busy (the caller waited): the thread is idle, so it ends */
	pthread_mutex_lock(&j->job_lock);
	j->quit = true;
	pthread_cond_signal(&j->job_cond);
	pthread_mutex_unlock(&j->job_lock);
	uv_thread_join(&j->thread);
	/* what is still queued (an expiry, say) is written here and now */
	while (take_queue(j)) {
		do_commit(j);
		after_commit(j);
	}
	uv_timer_stop(&j->probe);
	uv_close((uv_handle_t *)&j->probe, free_after_close);
	uv_close((uv_handle_t *)&j->wake, free_after_close);
	uv_close((uv_handle_t *)&j->job_done, free_after_close);
}

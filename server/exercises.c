/*
 * exercises.c - the daemon's exercises in memory, how one is made (its
 * variant, its machine, its rows), and how they come back from the store.
 *
 * The table is a plain array under one mutex: a class of a few hundred
 * students with a dozen exercises each is a few thousand entries, and a
 * lookup is a scan of ids that costs microseconds.  Each exercise has
 * its own lock for what changes (attempts, state, its machine's id).
 */
#include "exercises.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "budget.h"
#include "classes.h"
#include "exercise.h"
#include "machine.h"
#include "server.h"
#include "strbuf.h"

struct srv_exercises {
	pthread_mutex_t lock;
	struct srv_exercise **v;
	size_t n, cap;
};

struct srv_exercises *srv_ex_table_new(void)
{
	struct srv_exercises *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	return t;
}

static void ex_free(struct srv_exercise *ex)
{
	for (size_t i = 0; i < ex->nlog; i++)
		json_decref(ex->log[i].answer);
	free(ex->log);
	ex_variant_free(ex->v);
	json_decref(ex->reveal);
	pthread_mutex_destroy(&ex->lock);
	free(ex);
}

void srv_ex_table_free(struct srv_exercises *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		ex_free(t->v[i]);
	free(t->v);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static bool visible(const struct srv_exercise *ex, const char *token,
		    bool reads_all)
{
	return !ex->dead && (reads_all ||
			     (token && srv_token_equal(ex->token, token)));
}

static struct srv_exercise *find_locked(struct srv_exercises *t,
					const char *id)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i]->id, id))
			return t->v[i];
	return NULL;
}

struct srv_exercise *srv_ex_get(struct srv *s, const char *id,
				const char *token, bool reads_all)
{
	struct srv_exercises *t = s->exercises;
	struct srv_exercise *ex;

	pthread_mutex_lock(&t->lock);
	ex = find_locked(t, id);
	if (ex && !visible(ex, token, reads_all))
		ex = NULL;
	pthread_mutex_unlock(&t->lock);
	return ex;
}

static int by_id(const void *a, const void *b)
{
	return strcmp((*(struct srv_exercise *const *)a)->id,
		      (*(struct srv_exercise *const *)b)->id);
}

struct srv_exercise **srv_ex_list(struct srv *s, const char *token,
				  bool reads_all, size_t *n)
{
	struct srv_exercises *t = s->exercises;
	struct srv_exercise **v;

	*n = 0;
	pthread_mutex_lock(&t->lock);
	v = xcalloc(t->n + 1, sizeof(*v));
	for (size_t i = 0; i < t->n; i++)
		if (visible(t->v[i], token, reads_all))
			v[(*n)++] = t->v[i];
	pthread_mutex_unlock(&t->lock);
	qsort(v, *n, sizeof(*v), by_id);
	return v;
}

static unsigned count_locked(struct srv_exercises *t, const char *token)
{
	unsigned n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += visible(t->v[i], token, false);
	return n;
}

unsigned srv_ex_count_token(struct srv *s, const char *token)
{
	unsigned n;

	pthread_mutex_lock(&s->exercises->lock);
	n = count_locked(s->exercises, token);
	pthread_mutex_unlock(&s->exercises->lock);
	return n;
}

bool srv_ex_token_origin(struct srv *s, const char *token, char *out,
			 size_t len)
{
	struct srv_exercises *t = s->exercises;
	bool found = false;

	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n && !found; i++)
		if (visible(t->v[i], token, false)) {
			snprintf(out, len, "%s", t->v[i]->origin);
			found = true;
		}
	pthread_mutex_unlock(&t->lock);
	return found;
}

/* Whether a token is one this server gave out (it owns a machine or an
 * exercise), and the address that got it.  classes.c adds students. */
bool srv_token_origin(struct srv *s, const char *token, char *out,
		      size_t len)
{
	return reg_token_origin(&s->reg, token, out, len) ||
	       srv_ex_token_origin(s, token, out, len);
}

/* Into the table under a fresh id, unless the token has max already. */
static bool table_insert(struct srv *s, struct srv_exercise *ex,
			 unsigned max_per_token)
{
	struct srv_exercises *t = s->exercises;
	char hex[13];

	pthread_mutex_lock(&t->lock);
	if (max_per_token != UINT32_MAX &&
	    count_locked(t, ex->token) >= max_per_token) {
		pthread_mutex_unlock(&t->lock);
		return false;
	}
	/* "x" is no hex digit: an exercise id never reads as a machine's */
	while (!ex->id[0] || find_locked(t, ex->id)) {
		if (srv_random_hex(hex, 6))
			abort();	/* the OS has no randomness to give */
		snprintf(ex->id, sizeof(ex->id), "%s-x%s", s->opt.node, hex);
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n++] = ex;
	pthread_mutex_unlock(&t->lock);
	return true;
}

/* --- the state ---------------------------------------------------------------- */

const char *srv_ex_state_name(enum srv_ex_state st)
{
	switch (st) {
	case EX_ANSWERED: return "answered";
	case EX_REVEALED: return "revealed";
	default: return "open";
	}
}

static enum srv_ex_state state_of(const char *name)
{
	if (!strcmp(name, "answered"))
		return EX_ANSWERED;
	if (!strcmp(name, "revealed"))
		return EX_REVEALED;
	return EX_OPEN;
}

bool srv_ex_key_allowed(struct srv *s, const struct srv_exercise *ex,
			int64_t now_unix)
{
	if (!ex->tag.cls[0])
		return true;	/* self-study: the student's own business */
	/* the attempts used or full marks, or the assignment's due time
	 * passed (the classes' lock: taken under ex->lock, never the
	 * other way round) */
	return ex->state != EX_OPEN ||
	       cls_due_passed(s, ex->tag.cls, ex->tag.assignment, now_unix);
}

struct ex_variant *srv_ex_variant(struct srv_exercise *ex,
				  struct mm_error *err)
{
	if (!ex->v)
		ex_variant_new(ex->type, ex->seed, ex->version, &ex->v, err);
	return ex->v;
}

/* The sum of the fields' credits, from what the student is shown. */
static int max_of(const struct ex_variant *v)
{
	json_t *j = ex_variant_json(v), *f;
	size_t i;
	int max = 0;

	json_array_foreach(json_object_get(j, "fields"), i, f)
		max += (int)json_integer_value(json_object_get(f, "credit"));
	json_decref(j);
	return max;
}

void srv_ex_journal(struct srv *s, struct srv_exercise *ex,
		    struct journal_ticket **t)
{
	struct store_rec *r;
	struct store_exercise *e;

	if (!s->journal)
		return;
	r = journal_row(s->journal, t, &ex->jo, REC_EXERCISE);
	e = r->ex = xcalloc(1, sizeof(*e));
	snprintf(r->id, sizeof(r->id), "%s", ex->id);
	snprintf(e->id, sizeof(e->id), "%s", ex->id);
	snprintf(e->token, sizeof(e->token), "%s", ex->token);
	snprintf(e->origin, sizeof(e->origin), "%s", ex->origin);
	snprintf(e->type, sizeof(e->type), "%s", ex->type);
	snprintf(e->machine, sizeof(e->machine), "%s", ex->machine);
	e->seed = ex->seed;
	e->version = ex->version;
	e->allowed = ex->allowed;
	e->used = ex->used;
	snprintf(e->state, sizeof(e->state), "%s", srv_ex_state_name(ex->state));
	e->score = ex->score;
	e->max = ex->max;
	snprintf(e->cls, sizeof(e->cls), "%s", ex->tag.cls);
	snprintf(e->assignment, sizeof(e->assignment), "%s",
		 ex->tag.assignment);
	e->item = ex->tag.cls[0] ? ex->tag.item : -1;
	e->created = ex->created;
}

/* --- JSON ----------------------------------------------------------------------- */


static json_t *attempts_json(const struct srv_exercise *ex)
{
	return json_pack("{s:i, s:i, s:i}", "allowed", (int)ex->allowed,
			 "used", (int)ex->used, "left",
			 (int)(ex->allowed - ex->used));
}

static json_t *assignment_json(const struct srv_exercise *ex)
{
	if (!ex->tag.cls[0])
		return json_null();
	return json_pack("{s:s, s:s, s:i}", "class", ex->tag.cls,
			 "assignment", ex->tag.assignment, "item", ex->tag.item);
}

static json_t *score_json(const struct srv_exercise *ex)
{
	return ex->score < 0 ? json_null() : json_integer(ex->score);
}

json_t *srv_ex_brief_json(struct srv_exercise *ex)
{
	const struct ex_variant *v = NULL;
	json_t *o;

	pthread_mutex_lock(&ex->lock);
	v = ex->v;
	o = json_pack("{s:s, s:s, s:s, s:o, s:i, s:o, s:o, s:s+}",
		      "id", ex->id, "type", ex->type, "state",
		      srv_ex_state_name(ex->state), "score", score_json(ex),
		      "max", ex->max, "attempts", attempts_json(ex),
		      "assignment", assignment_json(ex), "url",
		      "/v1/exercises/", ex->id);
	if (v) {
		json_t *j = ex_variant_json(v);

		json_object_set(o, "title", json_object_get(j, "title"));
		json_decref(j);
	}
	pthread_mutex_unlock(&ex->lock);
	return o;
}

json_t *srv_ex_json(struct srv_exercise *ex, const struct ex_variant *v,
		    bool with_log)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:o, s:i, s:o, s:o, s:o}",
		"id", ex->id, "type", ex->type, "version", (int)ex->version,
		"state", srv_ex_state_name(ex->state), "attempts",
		attempts_json(ex), "max", ex->max, "score", score_json(ex),
		"assignment", assignment_json(ex), "created",
		srv_time_json(ex->created));
	json_t *m = json_pack("{s:s, s:s+}", "id", ex->machine, "url",
			      "/v1/machines/", ex->machine);

	json_object_set_new(o, "machine", m);
	json_object_set_new(o, "url", json_pack("s+", "/v1/exercises/", ex->id));
	if (v) {
		json_t *j = ex_variant_json(v);
		static const char *const shown[] = { "title", "question",
						     "fields", "setup" };

		for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
			json_object_set(o, shown[i], json_object_get(j, shown[i]));
		json_decref(j);
	}
	/* an assigned variant's seed would let it be made again as
	 * self-study, key and all */
	if (!ex->tag.cls[0])
		json_object_set_new(o, "seed", ex->seed <= INT64_MAX ?
				    json_integer((json_int_t)ex->seed) :
				    json_sprintf("%llu",
						 (unsigned long long)ex->seed));
	if (!with_log)
		return o;
	json_t *log = json_array();

	for (size_t i = 0; i < ex->nlog; i++) {
		const struct srv_ex_attempt *a = &ex->log[i];

		json_array_append_new(log, json_pack("{s:i, s:o, s:O, s:i, s:i}",
			"n", (int)a->n, "time", srv_time_json(a->time), "answer",
			a->answer, "score", a->score, "max", a->max));
	}
	json_object_set_new(o, "attempts_log", log);
	return o;
}

/* --- making one -------------------------------------------------------------- */

static json_t *problem_new(int *st, int status, const char *slug,
			   const char *detail)
{
	*st = status;
	return srv_problem(status, slug, "%s", detail);
}

/*
 * Run the variant's setup on sm's machine (locked), journalling each
 * change as it is made, as POST /ops would.  A refusal is a generator
 * bug (the variant ran the same operations on the same machine).
 */
int srv_ex_setup(struct srv *s, struct srv_machine *sm,
		 const struct ex_variant *v, struct journal_ticket **t,
		 struct mm_error *err)
{
	const json_t *setup = ex_variant_setup(v), *it;
	size_t i;

	json_array_foreach(setup, i, it) {
		const char *op = json_string_value(json_object_get(it, "op"));
		const json_t *args = json_object_get(it, "args");
		json_t *res = NULL;
		int rc = api_op(sm->m, op, args, &res, err);
		/* a setup may hold an allocation that ran out of memory (the
		 * draw saw the same refusal on the same machine and built
		 * the question on it, exercises/variant.c): part of it */
		bool oom = rc == MM_EIMPOSSIBLE &&
			   !strcmp(err->type, "out-of-memory");
		bool change = rc ? err->changed : api_op_mutates(op);

		if (rc && !err->changed && !oom) {
			json_decref(res);
			return rc;
		}
		if (change) {
			sm->generation++;
			if (rc)
				hist_note_refused(sm, op, args, err);
			else
				hist_note(sm, op, args, res, false);
		}
		json_decref(res);
		if (change && s->journal)
			journal_op(s->journal, t, sm, op, args);
		if (rc && !oom)
			return rc;
	}
	return 0;
}

/*
 * A machine for the variant, owned by token: booted, in the registry,
 * its setup run; locked, with its create and setup in *t.  Exercise
 * machines are not counted against --max-machines-per-token (the
 * exercise limit bounds them) nor --max-ram (the generator picks their
 * RAM, up to the 64 GiB a PAE question needs); the total and the
 * per-address limit still apply, and the host-memory budget.
 */
struct srv_machine *srv_ex_machine(struct srv *s, const struct ex_variant *v,
				   const char *token, const char *origin,
				   bool fresh, unsigned max_per_origin,
				   int64_t now_ms, int64_t now_unix,
				   struct journal_ticket **t, int *st,
				   json_t **problem)
{
	struct mm_error err = { 0 };
	struct srv_machine *sm;
	struct machine *m;
	json_t *config = json_deep_copy(ex_variant_config(v));
	json_t *j = ex_variant_json(v);
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "exercise %s",
		 json_string_value(json_object_get(j, "type")));
	json_decref(j);
	if (srv_boot(s, config, &m, &err)) {
		json_decref(config);
		*problem = problem_new(st, 500, "internal", "the exercise's "
				       "machine did not boot (a bug: report it)");
		return NULL;
	}
	sm = srv_machine_new(m, config, name, token, now_ms);
	json_decref(config);
	sm->created = now_unix;
	snprintf(sm->origin, sizeof(sm->origin), "%s", origin);
	sm->fresh = fresh;
	sm->host_bytes = machine_host_bytes(m);
	rc = reg_insert_from(&s->reg, sm, s->opt.node, s->opt.max_machines,
			     UINT32_MAX, max_per_origin);
	if (rc) {
		reg_put(&s->reg, sm);
		if (rc == -3)
			*problem = srv_problem(*st = 403, "machine-quota", "the "
				"tokens given to %s already own %u machines, the "
				"limit per client address; DELETE one you no "
				"longer need first", origin, max_per_origin);
		else
			*problem = srv_problem(*st = 503, "server-full", "the "
				"server already holds %u machines, its limit; "
				"try later", s->opt.max_machines);
		return NULL;
	}
	pthread_mutex_lock(&sm->lock);
	if (s->journal)
		journal_create(s->journal, t, sm);
	if (srv_ex_setup(s, sm, v, t, &err)) {
		pthread_mutex_unlock(&sm->lock);
		reg_remove(&s->reg, sm);
		reg_put(&s->reg, sm);
		*problem = srv_problem(*st = 500, "internal", "the exercise's "
				       "setup was refused: %s (a bug: report "
				       "it)", err.detail);
		return NULL;
	}
	return sm;
}

static struct srv_exercise *ex_new(const struct srv_ex_spec *sp,
				   int64_t now_unix)
{
	struct srv_exercise *ex = xcalloc(1, sizeof(*ex));

	pthread_mutex_init(&ex->lock, NULL);
	ex->jo.rollback = srv_ex_rollback;
	snprintf(ex->token, sizeof(ex->token), "%s", sp->token);
	snprintf(ex->origin, sizeof(ex->origin), "%s", sp->origin);
	snprintf(ex->type, sizeof(ex->type), "%s", sp->type);
	ex->seed = sp->seed;
	ex->version = sp->version;
	if (sp->tag)
		ex->tag = *sp->tag;
	ex->created = now_unix;
	ex->allowed = sp->attempts;
	ex->score = -1;
	return ex;
}

int srv_ex_create(struct srv *s, const struct srv_ex_spec *sp,
		  int64_t now_ms, int64_t now_unix, struct journal_ticket **t,
		  struct srv_exercise **out, json_t **problem)
{
	struct mm_error err = { 0 };
	struct journal_ticket *lt = NULL;
	struct ex_variant *v;
	struct srv_exercise *ex;
	struct srv_machine *sm;
	int st = 0;

	*out = NULL;
	*problem = NULL;
	if (sp->max_per_token != UINT32_MAX &&
	    srv_ex_count_token(s, sp->token) >= sp->max_per_token)
		goto quota;	/* before the model runs: refusals are cheap */
	if (ex_variant_new(sp->type, sp->seed, sp->version, &v, &err)) {
		if (err.kind == MM_ENOTFOUND && !strcmp(err.field, "type"))
			*problem = srv_problem(st = 404, "no-such-exercise-type",
				"there is no exercise type '%.40s'; GET "
				"/v1/exercises lists them", sp->type);
		else if (err.kind == MM_ENOTFOUND)
			*problem = srv_problem(st = 404, "no-such-exercise-type",
				"%s", err.detail);
		else
			*problem = srv_problem(st = 500, "internal", "%s",
					       err.detail);
		return st;
	}
	if (!(sm = srv_ex_machine(s, v, sp->token, sp->origin, sp->fresh,
				  sp->max_per_origin, now_ms, now_unix, &lt,
				  &st, problem))) {
		ticket_free(lt);
		ex_variant_free(v);
		return st;
	}
	ex = ex_new(sp, now_unix);
	ex->v = v;
	ex->max = max_of(v);
	snprintf(ex->machine, sizeof(ex->machine), "%s", sm->id);
	if (!table_insert(s, ex, sp->max_per_token)) {
		/* another create of the token's got in first */
		pthread_mutex_unlock(&sm->lock);
		reg_remove(&s->reg, sm);
		reg_put(&s->reg, sm);
		ticket_free(lt);
		ex_free(ex);
		goto quota;
	}
	pthread_mutex_lock(&ex->lock);
	srv_ex_journal(s, ex, &lt);
	pthread_mutex_unlock(&ex->lock);
	budget_note(s, sm);		/* what the setup made */
	pthread_mutex_unlock(&sm->lock);
	reg_put(&s->reg, sm);
	journal_merge(t, lt);
	*out = ex;
	return 0;
quota:
	*problem = srv_problem(403, "exercise-quota", "this token already has "
			       "%u exercises, the limit per token",
			       sp->max_per_token);
	return 403;
}

/* --- from the store ------------------------------------------------------------- */

static void log_append(struct srv_exercise *ex, unsigned n, int64_t time,
		       json_t *answer, int score, int max)
{
	if (ex->nlog == ex->caplog) {
		ex->caplog = ex->caplog ? 2 * ex->caplog : 4;
		ex->log = xrealloc(ex->log, ex->caplog * sizeof(*ex->log));
	}
	ex->log[ex->nlog++] = (struct srv_ex_attempt){ n, time, answer, score,
						       max };
}

void srv_ex_log(struct srv_exercise *ex, unsigned n, int64_t time,
		json_t *answer, int score, int max)
{
	log_append(ex, n, time, answer, score, max);
}

/* A row's state into ex (its lock held, or not yet shared). */
static void from_row(struct srv_exercise *ex, const struct store_exercise *e)
{
	snprintf(ex->machine, sizeof(ex->machine), "%s", e->machine);
	ex->allowed = e->allowed;
	ex->used = e->used;
	ex->state = state_of(e->state);
	ex->score = e->score;
	ex->max = e->max;
	for (size_t i = 0; i < ex->nlog; i++)
		json_decref(ex->log[i].answer);
	ex->nlog = 0;
}

struct ex_load {
	struct srv *s;
	struct srv_exercise *target;	/* a rollback's, or NULL: all */
	bool found;
	unsigned exercises, attempts;
};

static int on_exercise(void *ctx, const struct store_exercise *e)
{
	struct ex_load *l = ctx;
	struct srv_exercise *ex = l->target;
	struct srv_ex_spec sp = {
		.type = e->type, .seed = e->seed, .version = e->version,
		.attempts = e->allowed, .token = e->token, .origin = e->origin,
	};
	struct srv_ex_tag tag = { .item = e->item };

	l->found = true;
	l->exercises++;
	if (!ex) {
		snprintf(tag.cls, sizeof(tag.cls), "%s", e->cls);
		snprintf(tag.assignment, sizeof(tag.assignment), "%s",
			 e->assignment);
		sp.tag = &tag;
		ex = ex_new(&sp, e->created);
		snprintf(ex->id, sizeof(ex->id), "%s", e->id);
		table_insert(l->s, ex, UINT32_MAX);
	}
	from_row(ex, e);
	return 0;
}

static int on_attempt(void *ctx, const struct store_attempt *a)
{
	struct ex_load *l = ctx;
	struct srv_exercise *ex = l->target;
	json_t *answer = json_loads(a->answer, 0, NULL);

	if (!ex) {
		pthread_mutex_lock(&l->s->exercises->lock);
		ex = find_locked(l->s->exercises, a->exercise);
		pthread_mutex_unlock(&l->s->exercises->lock);
	}
	if (!ex) {
		json_decref(answer);
		return 0;	/* the start's check refused orphans */
	}
	log_append(ex, a->n, a->time, answer ? answer : json_object(),
		   a->score, a->max);
	l->attempts++;
	return 0;
}

int srv_ex_replay(struct srv *s, char *err, size_t len)
{
	struct ex_load l = { .s = s };
	struct store_rows_cb cb = { on_exercise, on_attempt, NULL, &l };

	if (!s->journal)
		return 0;
	if (journal_load_exercises(s->journal, NULL, &cb, err, len))
		return -1;
	fprintf(stderr, "mmlabd: replayed %u exercises and %u attempts\n",
		l.exercises, l.attempts);
	return 0;
}

void srv_ex_rollback(struct journal *j, struct journal_obj *o)
{
	struct srv_exercise *ex = (struct srv_exercise *)(void *)o;
	struct ex_load l = { .target = ex };
	struct store_rows_cb cb = { on_exercise, on_attempt, NULL, &l };
	char err[256];

	pthread_mutex_lock(&ex->lock);
	l.s = NULL;
	if (journal_load_exercises(j, ex->id, &cb, err, sizeof(err)))
		fprintf(stderr, "mmlabd: exercise %s could not be rolled back "
			"(%s); it keeps what it had\n", ex->id, err);
	else if (!l.found)
		ex->dead = true;	/* its create never got there */
	json_decref(ex->reveal);
	ex->reveal = NULL;
	pthread_mutex_unlock(&ex->lock);
}

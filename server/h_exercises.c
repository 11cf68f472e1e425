/*
 * h_exercises.c - exercises over HTTP: the catalogue, a self-study
 * exercise for the caller, answers graded by the server, the reveal on
 * the student's own machine, and the caller's list (GET /v1/me).
 *
 * An exercise is seen only under the token that made it and by the
 * instructor (who reads, and changes nothing); any other token gets the
 * 404 of an exercise that does not exist.  Every change (a create, a
 * graded attempt, a reveal) answers only once its rows are committed;
 * a refusal changes nothing and writes nothing, and a format error in an
 * answer costs no attempt.
 */
#include "handlers.h"
#include "journal.h"	/* before the model: <signal.h> first */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "budget.h"
#include "classes.h"
#include "exercise.h"
#include "exercises.h"
#include "machine.h"
#include "turn.h"

/* --- the caller ---------------------------------------------------------------- */

/* The exercise named by params[0], or NULL after answering 404 (or 403
 * when write is asked of the instructor on another's exercise). */
static struct srv_exercise *call_exercise(struct srv_call *c, bool write)
{
	struct srv_exercise *ex = srv_ex_get(c->s, c->params[0], c->token,
					     c->instructor);

	if (!ex) {
		resp_problem(c, 404, "no-such-exercise", "there is no exercise "
			     "'%.60s' for this token; check the id and send the "
			     "token it was created with (Authorization: Bearer "
			     "TOKEN)", c->params[0]);
		return NULL;
	}
	if (write && c->instructor && !srv_token_equal(ex->token, c->token)) {
		resp_problem(c, 403, "read-only-token", "the instructor token "
			     "reads every exercise but answers none; use the "
			     "exercise's own token");
		return NULL;
	}
	return ex;
}

/* The variant of a locked exercise, or NULL after answering 500. */
static struct ex_variant *variant(struct srv_call *c, struct srv_exercise *ex)
{
	struct mm_error err = { 0 };
	struct ex_variant *v = srv_ex_variant(ex, &err);

	if (!v)
		resp_problem(c, 500, "internal", "exercise %s cannot be made "
			     "again by this build: %s", ex->id, err.detail);
	return v;
}

/* A body that is an object of these members and no others. */
static bool body_only(struct srv_call *c, const char *const *names,
		      const char *what)
{
	const char *k;
	json_t *v;

	if (!json_is_object(c->body)) {
		resp_problem(c, 400, "bad-body", "the body must be a JSON "
			     "object: %s", what);
		return false;
	}
	json_object_foreach(c->body, k, v) {
		const char *const *n = names;

		while (*n && strcmp(*n, k))
			n++;
		if (!*n) {
			resp_problem(c, 400, "bad-body", "'%.40s' is not a "
				     "member of this body: %s", k, what);
			return false;
		}
	}
	return true;
}

/* --- the catalogue, and a new exercise -------------------------------------- */

void h_ex_catalogue(struct srv_call *c)
{
	resp_json(c, 200, json_pack("{s:o}", "exercises", ex_catalogue_json()));
}

/* seed: a JSON integer >= 0, or its decimal digits as a string (for
 * seeds past 2^63); absent: drawn at random, below 2^32 so that every
 * JSON reader keeps it exact. */
static bool take_seed(struct srv_call *c, uint64_t *seed)
{
	json_t *v = json_object_get(c->body, "seed");
	const char *s = json_string_value(v);
	char hex[9];

	if (!v) {
		if (srv_random_hex(hex, 4))
			abort();	/* the OS has no randomness to give */
		*seed = strtoull(hex, NULL, 16);
		return true;
	}
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*seed = (uint64_t)json_integer_value(v);
		return true;
	}
	if (s && api_leading_zero(s) && strspn(s, "0123456789") == strlen(s)) {
		resp_problem(c, 400, "bad-argument", "seed \"%.24s\" starts "
			     "with a 0, and numbers here are never octal: write "
			     "\"%.24s\"", s, s + strspn(s, "0") -
			     (strspn(s, "0") == strlen(s)));
		return false;
	}
	if (s && *s && strlen(s) <= 20 && strspn(s, "0123456789") == strlen(s)) {
		char *end;

		errno = 0;
		*seed = strtoull(s, &end, 10);
		if (!errno)
			return true;
	}
	resp_problem(c, 400, "bad-argument", "seed must be a whole number "
		     "from 0 to 18446744073709551615 (a JSON integer, or its "
		     "digits as a string); leave it out for a random one");
	return false;
}

void h_ex_create(struct srv_call *c)
{
	static const char *const names[] = { "type", "seed", NULL };
	const struct srv_options *o = &c->s->opt;
	char tok[SRV_TOKEN_HEX + 1], origin[64];
	struct srv_ex_spec sp = { .version = EX_GEN_VERSION,
				  .attempts = SRV_EX_ATTEMPTS };
	struct srv_exercise *ex;
	json_t *problem, *j;
	int st;

	if (!body_only(c, names, "{\"type\": TYPE, \"seed\": N} (seed may "
		       "be left out); GET /v1/exercises lists the types"))
		return;
	if (!(sp.type = json_string_value(json_object_get(c->body, "type")))) {
		resp_problem(c, 400, "bad-body", "type must be the name of an "
			     "exercise type (a string); GET /v1/exercises lists "
			     "them");
		return;
	}
	if (!take_seed(c, &sp.seed) || call_store_refuses(c) ||
	    budget_refuses_create(c) ||
	    !call_owner_token(c, tok, origin, sizeof(origin), "this token "
			      "owns no machine or exercise; leave it out to "
			      "get a new one"))
		return;
	sp.fresh = !c->token || c->instructor;
	sp.token = tok;
	sp.origin = origin;
	sp.max_per_token = o->max_exercises_per_token;
	/* a machine from before addresses were kept (origin "") counts
	 * against none, as in POST /v1/machines */
	sp.max_per_origin = c->instructor || !o->max_machines_per_ip ||
			    !origin[0] ? UINT32_MAX : o->max_machines_per_ip;
	st = srv_ex_create(c->s, &sp, c->req->now_ms, c->req->now_unix,
			   &c->resp->ticket, &ex, &problem);
	if (st) {
		resp_problem_obj(c, st, problem);
		return;
	}
	pthread_mutex_lock(&ex->lock);
	j = srv_ex_json(ex, ex->v, false);
	pthread_mutex_unlock(&ex->lock);
	/* the token only at birth, as a machine's */
	json_object_set_new(j, "token", json_string(tok));
	json_object_set_new(json_object_get(j, "machine"), "token",
			    json_string(tok));
	resp_header(c, "Location", "/v1/exercises/%s", ex->id);
	resp_json(c, 201, j);
	if (c->resp->ticket)
		journal_submit(c->s->journal, c->resp->ticket);
}

/* --- reading one ------------------------------------------------------------------ */

/* The reveal made again on a scratch machine (after a restart): the
 * same operations on the same machine give the same results. */
static json_t *reveal_scratch(struct srv *s, const struct ex_variant *v);

void h_ex_get(struct srv_call *c)
{
	struct srv_exercise *ex = call_exercise(c, false);
	struct ex_variant *v;
	json_t *j;

	if (!ex)
		return;
	pthread_mutex_lock(&ex->lock);
	if (!(v = variant(c, ex))) {
		pthread_mutex_unlock(&ex->lock);
		return;
	}
	j = srv_ex_json(ex, v, true);
	if (ex->state == EX_REVEALED) {
		if (!ex->reveal)
			ex->reveal = reveal_scratch(c->s, v);
		json_object_set_new(j, "key", ex_key_json(v));
		json_object_set_new(j, "explanation", ex_explanation_json(v));
		json_object_set(j, "reveal", ex->reveal);
	}
	pthread_mutex_unlock(&ex->lock);
	resp_json(c, 200, j);
}

/* --- answers ---------------------------------------------------------------------- */

/* A wrong field says only that it is wrong until the key may be seen. */
static void hide_feedback(json_t *fields)
{
	const char *k;
	json_t *f;

	json_object_foreach(fields, k, f)
		json_object_del(f, "feedback");
}

/* Under ex->lock: the attempt's rows (the attempt, the exercise). */
static void journal_attempt(struct srv_call *c, struct srv_exercise *ex,
			    const struct srv_ex_attempt *a)
{
	struct store_rec *r;

	if (!c->s->journal)
		return;
	r = journal_row(c->s->journal, &c->resp->ticket, &ex->jo, REC_ATTEMPT);
	r->at = xcalloc(1, sizeof(*r->at));
	snprintf(r->id, sizeof(r->id), "%s", ex->id);
	snprintf(r->at->exercise, sizeof(r->at->exercise), "%s", ex->id);
	r->at->n = a->n;
	r->at->time = a->time;
	r->at->answer = json_dumps(a->answer, JSON_COMPACT | JSON_SORT_KEYS);
	if (!r->at->answer)
		ticket_unrecordable(c->resp->ticket);
	r->at->score = a->score;
	r->at->max = a->max;
	srv_ex_journal(c->s, ex, &c->resp->ticket);
}

/* Under ex->lock: why no attempt may be taken now (answered), or false. */
static bool attempt_refused(struct srv_call *c, const struct srv_exercise *ex)
{
	if (ex->state == EX_REVEALED)
		resp_problem(c, 409, "revealed", "exercise %s was revealed: "
			     "its key is shown (GET it), and no further attempt "
			     "is graded", ex->id);
	else if (ex->used >= ex->allowed)
		resp_problem(c, 409, "no-attempts-left", "all %u attempts at "
			     "exercise %s are used; its best score is %d of %d",
			     ex->allowed, ex->id, ex->score, ex->max);
	else if (ex->tag.cls[0] && cls_due_passed(c->s, ex->tag.cls,
						  ex->tag.assignment,
						  c->req->now_unix))
		/* the key may be shown now: an attempt after it would be
		 * graded against what the student could read */
		resp_problem(c, 409, "past-due", "the due time of assignment "
			     "%s has passed: no further attempt at exercise %s "
			     "is graded; its best score is kept, and reveal "
			     "shows the key", ex->tag.assignment, ex->id);
	else
		return false;
	return true;
}

static void grade(struct srv_call *c, struct srv_exercise *ex,
		  const json_t *fields)
{
	struct mm_error err = { 0 };
	struct ex_variant *v;
	json_t *res;
	int score, max;

	if (call_store_refuses(c) || attempt_refused(c, ex) || !(v = variant(c, ex)))
		return;
	if (ex_grade(v, fields, &res, &err)) {
		resp_mm_error(c, &err);		/* a format error: no attempt */
		return;
	}
	score = (int)json_integer_value(json_object_get(res, "score"));
	max = (int)json_integer_value(json_object_get(res, "max"));
	ex->used++;
	if (score > ex->score)
		ex->score = score;
	if (score == max || ex->used == ex->allowed)
		ex->state = EX_ANSWERED;
	srv_ex_log(ex, ex->used, c->req->now_unix, json_deep_copy(fields),
		   score, max);
	journal_attempt(c, ex, &ex->log[ex->nlog - 1]);
	if (!srv_ex_key_allowed(c->s, ex, c->req->now_unix))
		hide_feedback(json_object_get(res, "fields"));
	json_object_set_new(res, "attempt", json_integer(ex->used));
	json_object_set_new(res, "attempts", json_pack("{s:i, s:i, s:i}",
		"allowed", (int)ex->allowed, "used", (int)ex->used, "left",
		(int)(ex->allowed - ex->used)));
	json_object_set_new(res, "state", json_string(srv_ex_state_name(ex->state)));
	json_object_set_new(res, "best", json_integer(ex->score));
	resp_json(c, 200, res);
	/* queued under the exercise's lock: its rows in the order made */
	if (c->resp->ticket)
		journal_submit(c->s->journal, c->resp->ticket);
}

void h_ex_answer(struct srv_call *c)
{
	static const char *const names[] = { "fields", NULL };
	struct srv_exercise *ex;
	const json_t *fields;

	if (!(ex = call_exercise(c, true)) ||
	    !body_only(c, names, "{\"fields\": {NAME: VALUE, ...}}, every "
		       "field of the exercise"))
		return;
	fields = json_object_get(c->body, "fields");
	if (!json_is_object(fields)) {
		resp_problem(c, 400, "bad-body", "fields must be an object "
			     "{NAME: VALUE, ...} with every field of the "
			     "exercise (GET /v1/exercises/%s lists them)", ex->id);
		return;
	}
	pthread_mutex_lock(&ex->lock);
	grade(c, ex, fields);
	pthread_mutex_unlock(&ex->lock);
}

/* --- the reveal -------------------------------------------------------------------- */

/*
 * The reveal's operations on m, in order: [{op, args, result}] or
 * [{report, result}] (a refusal: problem instead of result).  On the
 * student's machine (sm) each change is journalled as POST /ops would.
 */
static json_t *reveal_run(struct srv *s, struct machine *m,
			  struct srv_machine *sm, const struct ex_variant *v,
			  struct journal_ticket **t)
{
	json_t *out = json_array(), *it;
	size_t i;

	json_array_foreach(ex_reveal_ops(v), i, it) {
		const char *op = json_string_value(json_object_get(it, "op"));
		const char *rep = json_string_value(json_object_get(it, "report"));
		const json_t *args = json_object_get(it, "args");
		struct mm_error err = { 0 };
		json_t *res = NULL, *o;
		int rc;

		if (rep) {
			rc = api_report(m, rep, false, &res, NULL, &err);
			o = json_pack("{s:s}", "report", rep);
		} else {
			rc = api_op(m, op, args, &res, &err);
			o = json_pack("{s:s, s:O}", "op", op, "args",
				      args ? args : json_object());
			if (sm && ((rc && err.changed) ||
				   (!rc && api_op_mutates(op)))) {
				sm->generation++;
				if (rc)
					hist_note_refused(sm, op, args, &err);
				else
					hist_note(sm, op, args, res, false);
				if (s->journal)
					journal_op(s->journal, t, sm, op, args);
			}
		}
		json_object_set_new(o, rc ? "problem" : "result",
				    rc ? api_problem(&err) : res);
		json_array_append_new(out, o);
	}
	return out;
}

static json_t *reveal_scratch(struct srv *s, const struct ex_variant *v)
{
	struct mm_error err = { 0 };
	struct machine *m;
	const json_t *it;
	json_t *out;
	size_t i;

	if (srv_boot(s, ex_variant_config(v), &m, &err))
		return json_null();
	json_array_foreach(ex_variant_setup(v), i, it) {
		json_t *res = NULL;

		api_op(m, json_string_value(json_object_get(it, "op")),
		       json_object_get(it, "args"), &res, &err);
		json_decref(res);
	}
	out = reveal_run(s, m, NULL, v, NULL);
	machine_free(m);
	return out;
}

/* Under sm->lock: the machine back to its state after the setup, as a
 * POST /reset and the setup operations would take it (journalled so). */
static int back_to_setup(struct srv_call *c, struct srv_machine *sm,
			 const struct ex_variant *v, struct journal_ticket **t)
{
	struct mm_error err = { 0 };
	struct machine *m;

	if (srv_boot(c->s, sm->config, &m, &err)) {
		resp_mm_error(c, &err);
		return -1;
	}
	machine_free(sm->m);
	sm->m = m;
	sm->generation++;
	hist_rebase(sm, NULL, 0);
	if (c->s->journal)
		journal_reset(c->s->journal, t, sm);
	if (srv_ex_setup(c->s, sm, v, t, &err)) {
		resp_problem(c, 500, "internal", "the exercise's setup was "
			     "refused: %s (a bug: report it)", err.detail);
		return -1;
	}
	return 0;
}

/*
 * The exercise's machine, locked: its own if it is still there (its
 * turn taken: *turned), else a new one booted and set up (deleted or
 * expired meanwhile).  NULL when answered (or queued: resp->busy).
 */
static struct srv_machine *reveal_machine(struct srv_call *c,
					  struct srv_exercise *ex,
					  const struct ex_variant *v,
					  const char *mid,
					  struct journal_ticket **t,
					  bool *turned)
{
	struct srv_machine *sm = reg_get(&c->s->reg, mid, ex->token, false);
	json_t *problem;
	int st;

	*turned = false;
	if (sm && !turn_take(&c->s->reg, sm, c->req->waiter)) {
		c->resp->busy = true;	/* in use: runs again in its turn */
		reg_put(&c->s->reg, sm);
		return NULL;
	}
	if (sm) {
		pthread_mutex_lock(&sm->lock);
		atomic_store(&sm->last_used_ms, c->req->now_ms);
		if (!reg_is_dead(&c->s->reg, sm) && !sm->broken) {
			*turned = true;
			return sm;
		}
		pthread_mutex_unlock(&sm->lock);
		turn_release(sm);
		if (sm->broken) {
			reg_put(&c->s->reg, sm);
			resp_header(c, "Retry-After", "5");
			resp_problem(c, 503, "store-unavailable", "the "
				     "exercise's machine is being restored from "
				     "the store after a failed write; try again "
				     "in a few seconds");
			return NULL;
		}
		reg_put(&c->s->reg, sm);	/* deleted meanwhile */
	}
	sm = srv_ex_machine(c->s, v, ex->token, ex->origin, false, UINT32_MAX,
			    c->req->now_ms, c->req->now_unix, t, &st, &problem);
	if (!sm)
		resp_problem_obj(c, st, problem);
	return sm;
}

static void machine_done(struct srv_call *c, struct srv_machine *sm,
			 bool turned)
{
	budget_note(c->s, sm);
	pthread_mutex_unlock(&sm->lock);
	if (turned)
		turn_release(sm);
	reg_put(&c->s->reg, sm);
}

void h_ex_reveal(struct srv_call *c)
{
	struct srv_exercise *ex = call_exercise(c, true);
	struct journal_ticket *t = NULL;
	struct ex_variant *v;
	struct srv_machine *sm;
	char mid[SRV_ID_MAX];
	bool turned, allowed;
	json_t *ops, *j;

	if (!ex)
		return;
	if (!json_is_object(c->body) || json_object_size(c->body)) {
		resp_problem(c, 400, "bad-body", "reveal takes no arguments: "
			     "send no body, or {}");
		return;
	}
	pthread_mutex_lock(&ex->lock);
	allowed = srv_ex_key_allowed(c->s, ex, c->req->now_unix);
	snprintf(mid, sizeof(mid), "%s", ex->machine);
	v = allowed ? variant(c, ex) : NULL;
	pthread_mutex_unlock(&ex->lock);
	if (!allowed)
		resp_problem(c, 409, "reveal-not-yet", "exercise %s is graded "
			     "work: its key is shown once your attempts are used "
			     "(or full marks reached) or its due time has passed",
			     ex->id);
	if (!v || call_store_refuses(c) ||
	    !(sm = reveal_machine(c, ex, v, mid, &t, &turned)))
		return;
	if (turned && back_to_setup(c, sm, v, &t)) {
		/* a bug (answered 500): what was done to the machine is
		 * journalled all the same, so the store holds it as it is */
		if (t)
			journal_submit(c->s->journal, t);
		machine_done(c, sm, turned);
		c->resp->ticket = t;
		return;
	}
	ops = reveal_run(c->s, sm->m, sm, v, &t);
	pthread_mutex_lock(&ex->lock);
	ex->state = EX_REVEALED;
	snprintf(ex->machine, sizeof(ex->machine), "%s", sm->id);
	json_decref(ex->reveal);
	ex->reveal = json_incref(ops);
	srv_ex_journal(c->s, ex, &t);
	j = json_pack("{s:o, s:o, s:o, s:{s:s, s:s+}, s:s}", "ops", ops,
		      "key", ex_key_json(v), "explanation",
		      ex_explanation_json(v), "machine", "id", sm->id, "url",
		      "/v1/machines/", sm->id, "state", "revealed");
	/* under both locks: the machine's rows and the exercise's in order */
	if (t)
		journal_submit(c->s->journal, t);
	pthread_mutex_unlock(&ex->lock);
	machine_done(c, sm, turned);
	c->resp->ticket = t;
	resp_json(c, 200, j);
}

/* --- the caller's own ---------------------------------------------------------------- */

void h_me(struct srv_call *c)
{
	struct srv_exercise **v;
	json_t *arr, *cls, *o;
	size_t n;

	if (!c->token) {
		resp_header(c, "WWW-Authenticate", "Bearer");
		resp_problem(c, 401, "token-required", "/v1/me needs a token: "
			     "Authorization: Bearer TOKEN (the one POST "
			     "/v1/exercises gave you)");
		return;
	}
	/* a student's token: the class part first, since it draws the
	 * exercises of assignments made since the student last looked */
	cls = cls_me_json(c);
	arr = json_array();
	v = srv_ex_list(c->s, c->token, c->instructor, &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, srv_ex_brief_json(v[i]));
	free(v);
	o = json_pack("{s:s, s:o}", "token_kind", c->instructor ? "instructor"
		      : cls ? "student" : "self", "exercises", arr);
	if (cls)
		json_object_update(o, cls);
	else
		json_object_set_new(o, "assignments", json_array());
	json_decref(cls);
	resp_json(c, 200, o);
}

/*
 * h_history.c - a machine's history over HTTP: its changes in order with
 * their results (GET /history), and going back (POST /undo).  The
 * reports of an earlier generation (?at=) are h_reports.c's, built by
 * srv_machine_at.  See history.h for what is kept and for how long.
 */
#include "handlers.h"
#include "journal.h"	/* before the model: <signal.h> first */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "budget.h"
#include "machine.h"

#define HIST_PAGE	100	/* entries in a page unless ?limit= */
#define HIST_PAGE_MAX	1000

bool call_generation(const char *v, uint64_t *out)
{
	uint64_t g = 0;
	size_t n = strlen(v);

	/* decimal, as generations are shown: no sign, suffix or 0x, and no
	 * leading zero (which other tools read as octal) */
	if (!n || n > 18 || strspn(v, "0123456789") != n ||
	    (v[0] == '0' && n > 1))
		return false;
	for (; *v; v++)
		g = g * 10 + (uint64_t)(*v - '0');
	*out = g;
	return true;
}

/* A query number between lo and hi (def when absent); false after a 400. */
static bool query_num(struct srv_call *c, const char *name, uint64_t lo,
		      uint64_t hi, uint64_t def, uint64_t *out)
{
	const char *v = c->req->query(c->req->ctx, name);

	*out = def;
	if (!v)
		return true;
	if (call_generation(v, out) && *out >= lo && *out <= hi)
		return true;
	resp_problem(c, 400, "bad-argument", "?%s=%.32s: give a decimal "
		     "number from %llu to %llu", name, v,
		     (unsigned long long)lo, (unsigned long long)hi);
	return false;
}

/* Where the history starts, in words for an answer. */
static const char *base_kind(const struct srv_machine *sm)
{
	if (sm->hist.snap)
		return "snapshot";
	return sm->hist.base ? "reset" : "boot";
}

static json_t *entry_json(const struct srv_hist_entry *e)
{
	json_t *args = json_loads(e->args, JSON_DECODE_ANY, NULL);
	json_t *res = json_loads(e->result, JSON_DECODE_ANY, NULL);

	return json_pack("{s:I, s:s, s:o, s:o}", "generation",
			 (json_int_t)e->seq, "op", e->op, "args",
			 args ? args : json_object(),
			 e->refused ? "problem" : "result",
			 res ? res : json_null());
}

void h_history(struct srv_call *c)
{
	struct srv_machine *sm = call_machine(c, false);
	const struct srv_hist *h;
	uint64_t from, limit, end;
	json_t *v, *o;

	if (!sm)
		return;
	h = &sm->hist;
	if (!query_num(c, "from", 0, UINT64_C(999999999999999999), h->base + 1,
		       &from) ||
	    !query_num(c, "limit", 1, HIST_PAGE_MAX, HIST_PAGE, &limit) ||
	    not_modified(c, sm)) {
		call_machine_done(c, sm);
		return;
	}
	if (from <= h->base)
		from = h->base + 1;
	end = from + limit - 1 < sm->generation ? from + limit - 1
						: sm->generation;
	v = json_array();
	for (uint64_t g = from; g <= end && g - h->base <= h->n; g++)
		json_array_append_new(v, entry_json(&h->v[g - h->base - 1]));
	o = json_pack("{s:s, s:I, s:I, s:s, s:o}", "machine", sm->id,
		      "generation", (json_int_t)sm->generation, "oldest",
		      (json_int_t)h->base, "since", base_kind(sm), "entries", v);
	json_object_set_new(o, "next", end < sm->generation ?
			    json_integer((json_int_t)end + 1) : json_null());
	resp_json(c, 200, o);
	resp_over_answer(c, "ask for fewer entries at once (a smaller "
			 "?limit=)");
	call_machine_done(c, sm);
}

/* The problem of a generation outside what can be built: g later than
 * the machine's (404 for a read, 400 for an undo), or before the oldest
 * kept (404 for a read, 409 for an undo, which could go no further). */
static json_t *out_of_history(const struct srv_machine *sm, uint64_t g,
			      bool undo, int *status)
{
	unsigned long long cur = sm->generation, old = sm->hist.base;

	if (g > sm->generation || (undo && g == sm->generation))
		return srv_problem(*status = undo ? 400 : 404,
			"no-such-generation", "machine %s is at generation %llu; "
			"%s generation %llu to %llu (GET /v1/machines/%s/history "
			"lists them)", sm->id, cur, undo ? "undo goes back to an "
			"earlier one: a" : "ask for a", old,
			undo ? cur - (cur > old) : cur, sm->id);
	return srv_problem(*status = undo ? 409 : 404, "generation-not-kept",
		"generation %llu is before the oldest this server keeps for "
		"machine %s: %llu (its history starts at its %s; a snapshot is "
		"taken every %u changes at most); %s %llu to %llu",
		(unsigned long long)g, sm->id, old, base_kind(sm), HIST_MAX,
		undo ? "undo may go back to generation" : "ask for generation",
		old, undo ? cur - (cur > old) : cur);
}

int srv_machine_at(struct srv_call *c, struct srv_machine *sm, uint64_t g,
		   bool undo, struct machine **out)
{
	struct mm_error err = { 0 };
	json_t *p = NULL;
	int st;

	if (g > sm->generation || g < sm->hist.base ||
	    (undo && g == sm->generation)) {
		p = out_of_history(sm, g, undo, &st);
		resp_problem_obj(c, st, p);
		return -1;
	}
	if (budget_refuses_rebuild(c, sm, &p)) {
		resp_problem_obj(c, 507, p);
		return -1;
	}
	if (hist_build(c->s, sm, g, out, &err)) {
		resp_mm_error(c, &err);
		return -1;
	}
	return 0;
}

/* {"ops": N} or {"to": G}: the generation to go back to; false after
 * a 400. */
static bool undo_target(struct srv_call *c, struct srv_machine *sm,
			uint64_t *to)
{
	const json_t *ops = json_object_get(c->body, "ops");
	const json_t *gen = json_object_get(c->body, "to");
	json_int_t n;

	if (!json_is_object(c->body) || json_object_size(c->body) != 1 ||
	    (!ops && !gen)) {
		resp_problem(c, 400, "bad-body", "undo takes {\"ops\": N} (the "
			     "last N changes) or {\"to\": GENERATION}, and "
			     "nothing else");
		return false;
	}
	if (sm->generation == sm->hist.base) {
		resp_problem(c, 409, "history-too-short", "machine %s has no "
			     "change to undo since its %s (generation %llu)",
			     sm->id, base_kind(sm),
			     (unsigned long long)sm->hist.base);
		return false;
	}
	n = json_integer_value(ops ? ops : gen);
	if (!json_is_integer(ops ? ops : gen) || n < (ops ? 1 : 0)) {
		resp_problem(c, 400, "bad-argument", ops ? "ops is how many "
			     "changes to undo: a whole number, 1 or more" :
			     "to is a generation: a whole number, 0 or more");
		return false;
	}
	if (ops && (uint64_t)n > sm->generation - sm->hist.base) {
		resp_problem(c, 409, "history-too-short", "machine %s keeps "
			     "%llu changes (generations %llu to %llu), so it "
			     "cannot undo %lld; undo at most %llu, or reset it "
			     "(POST /v1/machines/%s/reset)", sm->id,
			     (unsigned long long)(sm->generation - sm->hist.base),
			     (unsigned long long)sm->hist.base,
			     (unsigned long long)sm->generation, (long long)n,
			     (unsigned long long)(sm->generation - sm->hist.base),
			     sm->id);
		return false;
	}
	*to = ops ? sm->generation - (uint64_t)n : (uint64_t)n;
	return true;
}

void h_undo(struct srv_call *c)
{
	struct srv_machine *sm = call_machine(c, true);
	struct machine *m;
	uint64_t to, from;
	json_t *args, *res, *o;

	if (!sm)
		return;
	if (!undo_target(c, sm, &to) || srv_machine_at(c, sm, to, true, &m)) {
		call_machine_done(c, sm);
		return;
	}
	machine_free(sm->m);
	sm->m = m;
	from = sm->generation++;
	args = json_pack("{s:I}", "to", (json_int_t)to);
	res = hist_undo_result(from, to);
	hist_note(sm, "undo", args, res, false);
	if (c->s->journal)
		journal_op(c->s->journal, &c->resp->ticket, sm, "undo", args);
	o = machine_json(sm, false);
	json_object_set_new(o, "undo", res);
	json_decref(args);
	resp_json(c, 200, o);
	call_machine_done(c, sm);
}

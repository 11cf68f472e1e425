/*
 * h_ops.c - model operations over HTTP: one at /{op}, several in order
 * at /ops, and the process operations under /processes/{pid}/.
 *
 * Each runs under the machine's lock, so the operations on one machine
 * apply one at a time in the order the requests took the lock, and a
 * batch applies as one uninterrupted sequence.
 */
#include "handlers.h"
#include "journal.h"	/* before the model: <signal.h> first */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "budget.h"
#include "machine.h"
#include "strbuf.h"

static bool is_op(const char *op)
{
	static const char at[] = "/v1/machines/{id}/";

	if (!api_op_known(op))
		return false;
	/* a fixed route POSTed at the same path comes first: POST
	 * /processes creates a process, so "processes" (the list) is
	 * GET /processes or a batch's */
	for (size_t i = 0; i < srv_nroutes; i++)
		if (!strcmp(srv_routes[i].method, "POST") &&
		    !strncmp(srv_routes[i].pattern, at, sizeof(at) - 1) &&
		    !strcmp(srv_routes[i].pattern + sizeof(at) - 1, op))
			return false;
	return true;
}

/* The router asks this of every request's last segment, for each route
 * that could take it: the thread's last answer is kept (a copy of the
 * name, so a request's path may go when it is done). */
bool srv_is_op(const char *op)
{
	static _Thread_local char last[64];
	static _Thread_local bool last_is;
	size_t n = strlen(op);

	if (n >= sizeof(last))
		return is_op(op);
	if (strcmp(last, op)) {
		last_is = is_op(op);
		memcpy(last, op, n + 1);
	}
	return last_is;
}

static bool takes_pid(const char *op)
{
	const char *const *args = api_op_args(op);

	for (; args && *args; args++)
		if (!strcmp(*args, "pid"))
			return true;
	return false;
}

/* What a process does to itself: fork, exit, mmap, access, ... */
bool srv_is_process_op(const char *op)
{
	return api_op_mutates(op) && takes_pid(op);
}

/* proc_limits may lower the server's limits on a machine, never raise them. */
static bool within_limits(struct srv_call *c, const char *op,
			  const json_t *args, char *why, size_t len)
{
	const struct srv_options *o = &c->s->opt;
	uint64_t procs = 0, maps = 0;

	if (strcmp(op, "proc_limits"))
		return true;
	/* read as the api reads them: 4096, 4096.0 and "4K" are all 4096;
	 * what does not parse is left for the api to refuse */
	if (api_get_u64(json_object_get(args, "max_processes"), &procs))
		procs = 0;
	if (api_get_u64(json_object_get(args, "max_map_count"), &maps))
		maps = 0;
	if (procs > o->max_processes)
		snprintf(why, len, "max_processes may be at most %u on this "
			 "server", o->max_processes);
	else if (maps > o->max_map_count)
		snprintf(why, len, "max_map_count may be at most %u on this "
			 "server", o->max_map_count);
	else
		return true;
	return false;
}

/* A change to the machine: a new generation (ETags, cached reports), an
 * entry in its history with what it answered, and a journal row. */
static void note_change(struct srv_call *c, struct srv_machine *sm,
			const char *op, const json_t *args,
			const json_t *answer, bool refused)
{
	sm->generation++;
	hist_note(sm, op, args, answer, refused);
	if (c->s->journal)
		journal_op(c->s->journal, &c->resp->ticket, sm, op, args);
}

/* api_op_write, and on a refusal the story it left in *text (out of
 * memory's: a rare answer, parsed back rather than kept twice), *text
 * then empty again. */
static int op_write_story(struct machine *m, const char *op,
			  const json_t *args, struct strbuf *text,
			  json_t **story, struct mm_error *err)
{
	int rc = api_op_write(m, op, args, text, err);

	*story = NULL;
	if (rc && text->len) {
		*story = json_loadb(text->buf, text->len, 0, NULL);
		text->len = 0;
	}
	return rc;
}

/*
 * Run op on the locked machine: 0 with *result (or, given text, with
 * api_op_write's text there and *result NULL), or the HTTP status of
 * the refusal with *problem.  A change bumps the generation.
 */
static int run_op(struct srv_call *c, struct srv_machine *sm, const char *op,
		  const json_t *args, json_t **result, struct strbuf *text,
		  json_t **problem)
{
	struct mm_error err = { 0 };
	json_t *story;
	char why[128];

	*result = *problem = NULL;
	if (!within_limits(c, op, args, why, sizeof(why))) {
		*problem = srv_problem(422, "over-limit", "%s", why);
		json_object_set_new(*problem, "operation", json_string(op));
		return 422;
	}
	if (budget_refuses(c, sm, op, problem))
		return 507;
	if (text ? op_write_story(sm->m, op, args, text, &story, &err)
		 : api_op_story(sm->m, op, args, result, &story, &err)) {
		/* refused, but state moved (a failed vmalloc's stolen
		 * pageblocks): journalled like a change, so replay refuses
		 * it the same way and lands on the same machine */
		*problem = api_problem(&err);
		json_object_set_new(*problem, "operation", json_string(op));
		/* the history keeps the problem as replay rebuilds it
		 * (hist_note_refused): before what only the answer has */
		if (err.changed) {
			note_change(c, sm, op, args, *problem, true);
			/* a client must not think the refusal was free */
			json_object_set_new(*problem, "changed", json_true());
		}
		/* out of memory's story (the zones tried, their
		 * watermarks): beside the problem's own members, never
		 * over them */
		if (story)
			json_object_update_missing(*problem, story);
		json_decref(story);
		return api_http_status(&err);
	}
	if (api_op_mutates(op))
		note_change(c, sm, op, args, *result, false);
	return 0;
}

/* 201 when the operation made something a client names next (a
 * process), wherever it runs; 200 for the rest. */
static int ok_status(const char *op)
{
	return strcmp(op, "process_create") ? 200 : 201;
}

static void answer_op(struct srv_call *c, struct srv_machine *sm,
		      const char *op, const json_t *args)
{
	struct strbuf text = STRBUF_INIT;
	/* the answers a class repeats are written without a json_t */
	bool as_text = api_op_writes(op) && resp_compact(c);
	json_t *result, *problem;
	int st = run_op(c, sm, op, args, &result, as_text ? &text : NULL,
			&problem);

	if (st)
		resp_problem_obj(c, st, problem);
	else if (as_text)
		resp_json_text(c, ok_status(op), &text);
	else
		resp_json(c, ok_status(op), result);
	sb_free(&text);
}

static bool body_object(struct srv_call *c, const char *op)
{
	if (json_is_object(c->body))
		return true;
	resp_problem(c, 400, "bad-body", "the body of %s must be a JSON object "
		     "of its arguments (see /openapi.json)", op);
	return false;
}

void h_op(struct srv_call *c)
{
	const char *op = c->params[1];
	struct srv_machine *sm;

	if (!body_object(c, op) ||
	    !(sm = call_machine(c, api_op_mutates(op))))
		return;
	answer_op(c, sm, op, c->body);
	/* a read's answer is bounded; a change's was made, and is small */
	if (!api_op_mutates(op))
		resp_over_answer(c, "ask for less at once (a smaller len or "
				 "count)");
	call_machine_done(c, sm);
}

void h_process_create(struct srv_call *c)
{
	struct srv_machine *sm;

	if (!body_object(c, "process_create") || !(sm = call_machine(c, true)))
		return;
	answer_op(c, sm, "process_create", c->body);
	call_machine_done(c, sm);
}

bool call_pid(struct srv_call *c, const char *s, bool query, json_int_t *pid)
{
	struct mm_error err = { .kind = MM_EINVAL };
	unsigned long long v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9' && v <= 0x7fffffff; p++)
		v = v * 10 + (unsigned)(*p - '0');
	/* "01" is refused as every number is (api/number.c): not a pid */
	if (p > s && !*p && v >= 1 && v <= 0x7fffffff && *s != '0') {
		*pid = (json_int_t)v;
		return true;
	}
	snprintf(err.type, sizeof(err.type), "bad-argument");
	snprintf(err.field, sizeof(err.field), "pid");
	if (p > s && !*p && *s == '0' && s[1]) {
		const char *d = s;

		while (d[0] == '0' && d[1])
			d++;
		snprintf(err.detail, sizeof(err.detail), "pid \"%.64s\" "
			 "starts with a 0, and numbers here are never octal: "
			 "a pid is plain decimal, so write \"%.64s\"", s, d);
		resp_problem_obj(c, 400, api_problem(&err));
		return false;
	}
	snprintf(err.detail, sizeof(err.detail), "%s%.64s%s is not a process "
		 "id; use the pid process_create or fork gave, in decimal "
		 "(1 to 2147483647)", query ? "?pid=" : "'", s,
		 query ? "" : "'");
	resp_problem_obj(c, 400, api_problem(&err));
	return false;
}

/* The {pid} of the path, which the body may repeat. */
static bool path_pid(struct srv_call *c, json_t *args)
{
	json_t *given = json_object_get(args, "pid");
	json_int_t pid;

	if (!call_pid(c, c->params[1], false, &pid))
		return false;
	if (given && (!json_is_integer(given) ||
		      json_integer_value(given) != pid)) {
		resp_problem(c, 400, "bad-argument", "the body's pid differs "
			     "from the path's %lld; leave it out",
			     (long long)pid);
		return false;
	}
	json_object_set_new(args, "pid", json_integer(pid));
	return true;
}

void h_process_op(struct srv_call *c)
{
	const char *op = c->params[2];
	struct srv_machine *sm;

	if (!body_object(c, op) || !path_pid(c, c->body) ||
	    !(sm = call_machine(c, true)))
		return;
	answer_op(c, sm, op, c->body);
	call_machine_done(c, sm);
}

/* --- batches ---------------------------------------------------------------- */

/* Every item is {"op": NAME, "args": {...}}; all are checked before any runs. */
static bool check_batch(struct srv_call *c, const json_t *ops, bool *writes)
{
	size_t i;
	json_t *it;

	*writes = false;
	if (json_array_size(ops) > c->s->opt.max_batch) {
		resp_problem(c, 413, "batch-too-large", "%zu operations in one "
			     "batch; this server runs at most %u, so split it",
			     json_array_size(ops), c->s->opt.max_batch);
		return false;
	}
	json_array_foreach(ops, i, it) {
		const json_t *op = json_object_get(it, "op");
		const json_t *args = json_object_get(it, "args");

		if (!json_is_object(it) || !json_is_string(op) ||
		    (args && !json_is_object(args)) ||
		    json_object_size(it) != 1u + (args != NULL)) {
			resp_problem(c, 400, "bad-body", "operation %zu of the "
				     "batch must be {\"op\": NAME, \"args\": "
				     "{...}} and nothing else", i);
			return false;
		}
		if (!api_op_known(json_string_value(op))) {
			resp_problem(c, 404, "unknown-operation", "operation %zu "
				     "of the batch, '%.64s', does not exist (see "
				     "/openapi.json)", i, json_string_value(op));
			return false;
		}
		*writes |= api_op_mutates(json_string_value(op));
	}
	return true;
}

/* json_dump_callback's sink: counts, and gives up past the limit. */
struct sizer {
	size_t n, limit;
};

static int count_bytes(const char *buf, size_t size, void *data)
{
	struct sizer *z = data;

	(void)buf;
	z->n += size;
	return z->n > z->limit ? -1 : 0;
}

/*
 * The answer of a batch is bounded as its body is: once the results so
 * far pass --max-answer (as compact JSON), the batch stops before its
 * next operation, as it stops at a refusal.  Counting costs one more
 * pass over each result but allocates nothing.
 */
static bool over_answer(struct srv_call *c, const json_t *result,
			size_t *total)
{
	struct sizer z = { .n = 40, .limit = c->s->opt.max_answer };

	if (*total < z.limit)
		z.limit -= *total;
	else
		z.limit = 0;
	if (json_dump_callback(result, count_bytes, &z,
			       JSON_COMPACT | JSON_ENCODE_ANY) ||
	    z.n > z.limit) {
		*total = c->s->opt.max_answer + 1;
		return true;
	}
	*total += z.n;
	return false;
}

/* Why the batch stops before operation i, other than a refusal: the
 * drain ran out, or its answer is full.  NULL: it goes on. */
static json_t *stop_before(struct srv_call *c, size_t i, size_t total,
			   int *st)
{
	if (atomic_load(&c->s->stopping))
		return srv_problem(*st = 503, "shutting-down", "the server is "
			"stopping: the %zu operations before this one ran, "
			"this one and the rest did not; send them again in a "
			"few seconds", i);
	if (total > c->s->opt.max_answer)
		return srv_problem(*st = 413, "answer-too-large", "the answers "
			"of the %zu operations before this one already pass "
			"this server's limit of %zu bytes (--max-answer), so "
			"this one and the rest did not run; split the batch: "
			"send operations like these at most %zu at a time", i,
			c->s->opt.max_answer, i > 1 ? i - 1 : 1);
	return NULL;
}

/* The refused operation's problem, its detail saying where the batch
 * stopped: the results before it are the answer's too. */
static void stopped_at(json_t *problem, size_t i, size_t done, size_t n)
{
	const char *d = json_string_value(json_object_get(problem, "detail"));
	const char *op = json_string_value(json_object_get(problem,
							   "operation"));
	struct strbuf words = STRBUF_INIT;
	json_t *j;

	/* a strbuf: a whole failure story is long, and never cut */
	sb_printf(&words, "the batch stopped at operation %zu (%s): the %zu "
		  "before it ran (their results are in results), ", i,
		  op ? op : "?", done);
	if (n - i > 1)
		sb_printf(&words, "the %zu after it did not run", n - i - 1);
	else
		sb_puts(&words, "it was the last");
	sb_printf(&words, ". %s", d ? d : "");
	if ((j = json_string(words.buf)))
		json_object_set_new(problem, "detail", j);
	sb_free(&words);
}

void h_batch(struct srv_call *c)
{
	json_t *ops = json_is_array(c->body) ? c->body
					     : json_object_get(c->body, "ops");
	json_t *results, *it, *problem = NULL;
	struct srv_machine *sm;
	size_t i, done = 0, total = 0;
	bool writes;
	int st = 0;

	/* {"ops": [...]} and nothing else: a stray field is a typo the
	 * caller must hear about (the OpenAPI's additionalProperties) */
	if (!json_is_array(ops) ||
	    (!json_is_array(c->body) && json_object_size(c->body) != 1)) {
		resp_problem(c, 400, "bad-body", "the body of /ops must be a JSON "
			     "array of {\"op\": NAME, \"args\": {...}}, or "
			     "{\"ops\": that array} with nothing beside ops");
		return;
	}
	if (!check_batch(c, ops, &writes) || !(sm = call_machine(c, writes)))
		return;
	results = json_array();
	json_array_foreach(ops, i, it) {
		const char *op = json_string_value(json_object_get(it, "op"));
		json_t *result;

		if ((problem = stop_before(c, i, total, &st)))
			break;
		st = run_op(c, sm, op, json_object_get(it, "args"), &result,
			    NULL, &problem);
		if (st) {
			/* the rest would run on a machine the caller did not
			 * expect: stop here, like a script under set -e */
			stopped_at(problem, i, done, json_array_size(ops));
			break;
		}
		over_answer(c, result, &total);
		json_array_append_new(results, json_pack("{s:s, s:i, s:o}", "op",
				      op, "status", 200, "result", result));
		done++;
	}
	call_machine_done(c, sm);
	if (st == 413 && !writes) {
		/* only reads: nothing changed, so the whole batch is refused */
		json_decref(results);
		resp_problem_obj(c, 413, problem);
		return;
	}
	if (st) {
		/* one convention (docs/daemon.md): a batch that stopped is
		 * the stop's own status and problem, with what ran before */
		json_object_set_new(problem, "index", json_integer((json_int_t)i));
		json_object_set_new(problem, "completed", json_integer((json_int_t)done));
		json_object_set_new(problem, "results", results);
		resp_problem_obj(c, st, problem);
		return;
	}
	resp_json(c, 200, json_pack("{s:b, s:i, s:o}", "ok", 1, "completed",
				    (int)done, "results", results));
}

/*
 * test_ex_store.c - the exercises' rows in the store: an exercise made
 * through srv_ex_create (its machine booted and set up, its row), its
 * attempts, and a keyed record of other server state all come back after
 * the store is closed and opened again; a failed create is undone.
 * tests/store.sh does the same with kill -9 over real HTTP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"	/* before the model: <signal.h> first */
#include "exercises.h"
#include "exercise.h"
#include "options.h"
#include "server.h"
#include "store.h"

static struct srv *server(void)
{
	struct srv *s = calloc(1, sizeof(*s));
	struct srv_options o;
	char *argv[] = { "mmlabd", NULL };

	assert_int_equal(srv_options_parse(&o, 1, argv, stdout, stderr), 0);
	srv_init(s, &o);
	return s;
}

static void set_flag(void *arg)
{
	*(bool *)arg = true;
}

/* Submit t and run the loop until it is decided: true when it failed. */
static bool settle(struct srv *s, uv_loop_t *loop, struct journal_ticket *t)
{
	bool decided = false, failed;
	char why[256];

	journal_submit(s->journal, t);
	ticket_on_done(t, set_flag, &decided);
	while (!decided)
		uv_run(loop, UV_RUN_ONCE);
	failed = ticket_failed(t, why, sizeof(why));
	ticket_free(t);
	return failed;
}

static struct srv *journalled(uv_loop_t *loop, const char *dir)
{
	struct srv *s = server();
	char err[256];
	bool ro;
	struct store *st = store_open(dir, &ro, err, sizeof(err));

	if (!st)
		fail_msg("%s", err);
	s->journal = journal_new(s, st, dir, ro, loop, 0);
	assert_int_equal(journal_replay(s->journal, err, sizeof(err)), 0);
	assert_int_equal(srv_ex_replay(s, err, sizeof(err)), 0);
	return s;
}

static void journalled_free(uv_loop_t *loop, struct srv *s)
{
	journal_close(s->journal);
	uv_run(loop, UV_RUN_DEFAULT);
	s->journal = NULL;
	srv_destroy(s);
	free(s);
}

static const char tok[] = "0123456789abcdef0123456789abcdef";

static struct srv_exercise *make(struct srv *s, uv_loop_t *loop,
				 const char *type, uint64_t seed,
				 const struct srv_ex_tag *tag)
{
	struct srv_ex_spec sp = {
		.type = type, .seed = seed, .version = EX_GEN_VERSION,
		.attempts = 2, .token = tok, .origin = "192.0.2.7",
		.tag = tag, .max_per_token = UINT32_MAX,
		.max_per_origin = UINT32_MAX,
	};
	struct journal_ticket *t = NULL;
	struct srv_exercise *ex;
	json_t *problem;

	assert_int_equal(srv_ex_create(s, &sp, 1000, 1700000000, &t, &ex,
				       &problem), 0);
	assert_non_null(t);
	assert_false(settle(s, loop, t));
	return ex;
}

/* What a record callback saw. */
static int on_record(void *ctx, const struct store_record *r)
{
	char *seen = ctx;
	int n = snprintf(seen, 128, "%.20s %.20s ", r->kind, r->key);

	snprintf(seen + n, (size_t)(128 - n), "%.60s", r->body);
	return 0;
}

static void test_rows_come_back(void **state)
{
	char dir[] = "/tmp/mmlab-exrows-XXXXXX", id[SRV_ID_MAX], mid[SRV_ID_MAX];
	char cmd[128], seen[128] = "";
	struct srv_ex_tag tag = { "a-k7q2m9", "a-asg1", 2 };
	struct store_rows_cb cb = { NULL, NULL, on_record, seen };
	struct journal_ticket *t = NULL;
	struct srv_exercise *ex;
	struct srv_machine *sm;
	struct store_rec *r;
	uv_loop_t loop;
	struct srv *s;
	uint64_t gen;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(uv_loop_init(&loop), 0);
	s = journalled(&loop, dir);
	ex = make(s, &loop, "kmap", 42, &tag);
	snprintf(id, sizeof(id), "%s", ex->id);
	snprintf(mid, sizeof(mid), "%s", ex->machine);
	/* "a-x" and 12 hex digits; its machine is an ordinary one, set up */
	assert_int_equal(strlen(id), 15);
	assert_memory_equal(id, "a-x", 3);
	sm = reg_get(&s->reg, mid, tok, false);
	assert_non_null(sm);
	gen = sm->generation;
	assert_true(gen > 0);
	reg_put(&s->reg, sm);
	/* an attempt, as the answer route writes it, and a record */
	pthread_mutex_lock(&ex->lock);
	ex->used = 1;
	ex->score = 1;
	srv_ex_log(ex, 1, 1700000100, json_pack("{s:s}", "window", "pkmap"),
		   1, ex->max);
	r = journal_row(s->journal, &t, &ex->jo, REC_ATTEMPT);
	r->at = calloc(1, sizeof(*r->at));
	snprintf(r->at->exercise, sizeof(r->at->exercise), "%s", id);
	r->at->n = 1;
	r->at->time = 1700000100;
	r->at->answer = strdup("{\"window\":\"pkmap\"}");
	r->at->score = 1;
	r->at->max = ex->max;
	srv_ex_journal(s, ex, &t);
	pthread_mutex_unlock(&ex->lock);
	r = journal_row(s->journal, &t, &ex->jo, REC_RECORD);
	r->rec = calloc(1, sizeof(*r->rec));
	snprintf(r->rec->kind, sizeof(r->rec->kind), "class");
	snprintf(r->rec->key, sizeof(r->rec->key), "a-k7q2m9");
	r->rec->body = strdup("{\"name\":\"OS 101\"}");
	assert_false(settle(s, &loop, t));
	journalled_free(&loop, s);

	/* everything back: the exercise, its attempt, its machine, the record */
	s = journalled(&loop, dir);
	ex = srv_ex_get(s, id, tok, false);
	assert_non_null(ex);
	assert_null(srv_ex_get(s, id, "ffffffffffffffffffffffffffffffff",
			       false));
	assert_non_null(srv_ex_get(s, id, NULL, true));
	assert_string_equal(ex->type, "kmap");
	assert_int_equal(ex->seed, 42);
	assert_string_equal(ex->machine, mid);
	assert_string_equal(ex->tag.cls, "a-k7q2m9");
	assert_string_equal(ex->tag.assignment, "a-asg1");
	assert_int_equal(ex->tag.item, 2);
	assert_int_equal(ex->allowed, 2);
	assert_int_equal(ex->used, 1);
	assert_int_equal(ex->score, 1);
	assert_int_equal(ex->state, EX_OPEN);
	assert_int_equal(ex->nlog, 1);
	assert_int_equal(ex->log[0].time, 1700000100);
	assert_string_equal(json_string_value(json_object_get(ex->log[0].answer,
							      "window")), "pkmap");
	assert_null(ex->v);		/* made again only when needed */
	sm = reg_get(&s->reg, mid, tok, false);
	assert_non_null(sm);
	assert_int_equal(sm->generation, gen);
	reg_put(&s->reg, sm);
	assert_int_equal(srv_ex_count_token(s, tok), 1);
	free(srv_ex_list(s, tok, false, &n));
	assert_int_equal(n, 1);
	assert_int_equal(journal_load_records(s->journal, "class", NULL, &cb,
					      cmd, sizeof(cmd)), 0);
	assert_string_equal(seen, "class a-k7q2m9 {\"name\":\"OS 101\"}");
	journalled_free(&loop, s);
	assert_int_equal(uv_loop_close(&loop), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Several creates and a record in one ticket (a class join's rows): one
 * commit, and all of it back after a restart. */
static void test_one_ticket(void **state)
{
	char dir[] = "/tmp/mmlab-exone-XXXXXX", ids[3][SRV_ID_MAX], cmd[128];
	char seen[128] = "";
	struct store_rows_cb cb = { NULL, NULL, on_record, seen };
	struct srv_ex_spec sp = {
		.version = EX_GEN_VERSION, .attempts = 1, .token = tok,
		.origin = "", .max_per_token = UINT32_MAX,
		.max_per_origin = UINT32_MAX,
	};
	static const char *const types[3] = { "lowmem", "walk2", "fault" };
	struct journal_ticket *t = NULL;
	struct srv_exercise *ex;
	struct srv_machine *sm;
	struct store_rec *r;
	json_t *problem;
	uv_loop_t loop;
	struct srv *s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(uv_loop_init(&loop), 0);
	s = journalled(&loop, dir);
	for (int i = 0; i < 3; i++) {
		sp.type = types[i];
		sp.seed = (uint64_t)i;
		assert_int_equal(srv_ex_create(s, &sp, 0, 1700000000, &t, &ex,
					       &problem), 0);
		snprintf(ids[i], sizeof(ids[i]), "%s", ex->id);
		if (i == 0) {	/* a record between them, on the same ticket */
			r = journal_row(s->journal, &t, &ex->jo, REC_RECORD);
			r->rec = calloc(1, sizeof(*r->rec));
			snprintf(r->rec->kind, sizeof(r->rec->kind), "student");
			snprintf(r->rec->key, sizeof(r->rec->key), "s1");
			r->rec->body = strdup("{\"name\":\"ada\"}");
		}
	}
	assert_false(settle(s, &loop, t));
	journalled_free(&loop, s);
	s = journalled(&loop, dir);
	for (int i = 0; i < 3; i++) {
		ex = srv_ex_get(s, ids[i], tok, false);
		assert_non_null(ex);
		assert_string_equal(ex->type, types[i]);
		sm = reg_get(&s->reg, ex->machine, tok, false);
		assert_non_null(sm);
		reg_put(&s->reg, sm);
	}
	assert_int_equal(journal_load_records(s->journal, "student", "s1", &cb,
					      cmd, sizeof(cmd)), 0);
	assert_string_equal(seen, "student s1 {\"name\":\"ada\"}");
	/* a record with no body deletes its row */
	t = NULL;
	r = journal_row(s->journal, &t, &ex->jo, REC_RECORD);
	r->rec = calloc(1, sizeof(*r->rec));
	snprintf(r->rec->kind, sizeof(r->rec->kind), "student");
	snprintf(r->rec->key, sizeof(r->rec->key), "s1");
	assert_false(settle(s, &loop, t));
	journalled_free(&loop, s);
	s = journalled(&loop, dir);
	seen[0] = '\0';
	assert_int_equal(journal_load_records(s->journal, "student", NULL, &cb,
					      cmd, sizeof(cmd)), 0);
	assert_string_equal(seen, "");
	journalled_free(&loop, s);
	assert_int_equal(uv_loop_close(&loop), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* An unknown type and the per-token limit: refused, nothing made. */
static void test_refusals(void **state)
{
	struct srv *s = server();
	struct srv_ex_spec sp = {
		.type = "nope", .version = EX_GEN_VERSION, .attempts = 3,
		.token = tok, .origin = "", .max_per_token = 1,
		.max_per_origin = UINT32_MAX,
	};
	struct journal_ticket *t = NULL;
	struct srv_exercise *ex;
	json_t *problem;

	(void)state;
	assert_int_equal(srv_ex_create(s, &sp, 0, 0, &t, &ex, &problem), 404);
	assert_string_equal(json_string_value(json_object_get(problem, "type")),
			    "https://mmlab.dev/problems/no-such-exercise-type");
	json_decref(problem);
	sp.type = "zone";
	assert_int_equal(srv_ex_create(s, &sp, 0, 0, &t, &ex, &problem), 0);
	assert_null(t);			/* in memory: nothing to journal */
	assert_int_equal(srv_ex_create(s, &sp, 0, 0, &t, &ex, &problem), 403);
	assert_string_equal(json_string_value(json_object_get(problem, "type")),
			    "https://mmlab.dev/problems/exercise-quota");
	json_decref(problem);
	assert_int_equal(reg_count(&s->reg), 1);
	srv_destroy(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_come_back),
		cmocka_unit_test(test_one_ticket),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * fuzz_diff.c - a differential harness: the daemon's promises about a
 * machine's state, checked after every operation of a random sequence
 * (the grammar of fuzz_util.c; the first byte picks the configuration,
 * the second when a twin is restored).
 *
 *   1. A refusal leaves the snapshot bytes unchanged, unless it says
 *      err->changed (then the server journals it like a change).
 *   2. An operation that does not mutate (api_op_mutates false) leaves
 *      them unchanged too: it is never journalled.
 *   3. Restore equals the live machine: snapshot(restore(snapshot(m)))
 *      is snapshot(m), byte for byte, after the last operation (and
 *      part way, through the twin of 4; a restore after every operation
 *      costs a boot each and made the harness three times slower).
 *   4. A twin restored from a snapshot part way answers every later
 *      operation exactly as the live machine does.
 *   5. Replay equals the live machine: the journal (every accepted
 *      mutation, and refusals with changed, as op name and args text the
 *      way journal.c writes them) run on a fresh boot gives the same
 *      answers and the same snapshot bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "machine.h"
#include "snapshot.h"

#define MAX_OPS 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct snap {
	uint8_t *buf;
	size_t len;
};

static struct snap snap_of(const struct machine *m)
{
	struct snap s;

	machine_snapshot(m, &s.buf, &s.len);
	return s;
}

static bool snap_eq(const struct snap *a, const struct snap *b)
{
	return a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

/*
 * Where two snapshots first differ after the header (whose length and
 * checksum follow any change), for the finding's message: the offset,
 * and in *sec the section it falls in (snapshot.h's framing).
 */
static size_t diff_at(const struct snap *a, const struct snap *b,
		      char sec[5])
{
	size_t i = 32, at = 32;

	while (i < a->len && i < b->len && a->buf[i] == b->buf[i])
		i++;
	snprintf(sec, 5, "?");
	while (at + 16 <= a->len) {
		uint64_t len = 0;

		for (int k = 7; k >= 0; k--)
			len = len << 8 | a->buf[at + 8 + (size_t)k];
		if (i < at + 16 + len) {
			memcpy(sec, a->buf + at, 4);
			sec[4] = '\0';
			break;
		}
		at += 16 + len;
	}
	return i;
}

/* "ZONE+1234" */
static const char *where(const struct snap *a, const struct snap *b)
{
	static char buf[48];
	char sec[5];
	size_t i = diff_at(a, b, sec);

	snprintf(buf, sizeof(buf), "byte %zu, section %s", i, sec);
	return buf;
}

struct journal_rec {
	const char *op;
	char *args;	/* as journal_op writes it, or NULL */
	int rc;
	char *answer;	/* the live machine's result, compact */
};

struct run {
	size_t config;
	struct machine *m, *twin;
	struct journal_rec recs[MAX_OPS];
	size_t nrecs;
};

static char *dump(const json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

static void check_restore(const struct machine *m, const struct snap *live,
			  const char *op)
{
	struct machine *r = NULL;
	struct mm_error err = { 0 };
	struct snap again;

	if (machine_restore(&m->config, live->buf, live->len, &r, &err))
		fz_die("after %s the live snapshot does not restore: %s", op,
		       err.detail);
	again = snap_of(r);
	if (!snap_eq(live, &again))
		fz_die("after %s restore differs from the live machine (%zu vs "
		       "%zu bytes, first difference at %s)", op, live->len,
		       again.len, where(live, &again));
	free(again.buf);
	machine_free(r);
}

/* The twin runs what the live machine ran and must answer alike. */
static void twin_step(struct run *r, const char *op, const json_t *args,
		      int rc, const json_t *res, const struct mm_error *err)
{
	json_t *tres;
	struct mm_error terr;
	int trc;

	if (!r->twin)
		return;
	trc = fz_run_one(r->twin, op, args, &tres, &terr);
	if (trc != rc || (res && !json_equal(res, tres)) ||
	    (rc && strcmp(err->detail, terr.detail)))
		fz_die("the restored twin answers %s differently: rc %d vs %d, "
		       "'%s' vs '%s'", op, rc, trc, err->detail, terr.detail);
	json_decref(tres);
}

/* Rule 1 and 2, and what goes into the journal. */
static bool check_op(struct run *r, const char *op, const json_t *args,
		     int rc, const json_t *res, const struct mm_error *err,
		     const struct snap *before, const struct snap *after)
{
	bool mutates = api_op_mutates(op), same = snap_eq(before, after);
	struct journal_rec *j;

	if (rc && !err->changed && !same)
		fz_die("refused %s (%s: %s) changed the machine without saying "
		       "err->changed (snapshot differs at %s)", op, err->type,
		       err->detail, where(before, after));
	if (!rc && !mutates && !same)
		fz_die("%s does not mutate, so it is not journalled, but it "
		       "changed the snapshot at %s", op, where(before, after));
	if (!rc && err->changed)
		fz_die("%s succeeded with err->changed set", op);
	if ((rc && !err->changed) || (!rc && !mutates))
		return true;
	if (rc && !mutates)
		fz_die("%s says changed but is not a journalled operation", op);
	j = &r->recs[r->nrecs++];
	j->op = op;
	j->args = dump(args);
	j->rc = rc;
	j->answer = dump(res);
	return true;
}

/* Rule 5: the journal on a fresh boot. */
static void check_replay(struct run *r, const struct snap *live)
{
	struct machine *m = fz_boot(r->config);
	struct snap s;

	for (size_t i = 0; i < r->nrecs; i++) {
		struct journal_rec *j = &r->recs[i];
		/* journal.c decodes args with json_loads(args, 0, NULL) */
		json_t *a = j->args ? json_loads(j->args, 0, NULL) : NULL, *res;
		struct mm_error err;
		int rc = fz_run_one(m, j->op, a, &res, &err);
		char *answer = dump(res);

		if (rc != j->rc || (answer && strcmp(answer, j->answer)))
			fz_die("replaying op %zu (%s %s) answers differently: rc "
			       "%d vs %d: %s", i, j->op, j->args ? j->args : "",
			       rc, j->rc, rc ? err.detail : answer);
		free(answer);
		json_decref(res);
		json_decref(a);
	}
	s = snap_of(m);
	if (!snap_eq(live, &s))
		fz_die("replay of %zu journalled ops differs from the live "
		       "machine (%zu vs %zu bytes, first difference at %s)",
		       r->nrecs, live->len, s.len, where(live, &s));
	free(s.buf);
	machine_free(m);
}

static void make_twin(struct run *r, const struct snap *s)
{
	struct mm_error err = { 0 };

	if (machine_restore(&r->m->config, s->buf, s->len, &r->twin, &err))
		fz_die("a snapshot does not restore: %s", err.detail);
}

/* The next operation: from the raw JSON items, or the grammar. */
struct source {
	struct fz f;
	struct fz_pool pool;
	json_t *items;		/* raw mode */
	size_t next;
};

static bool next_op(struct source *src, const struct machine *m,
		    const char **op, json_t **args)
{
	const json_t *a;

	if (!src->items) {
		if (!src->f.n)
			return false;
		fz_gen_op(&src->f, &src->pool, m, op, args);
		return true;
	}
	while (src->next < json_array_size(src->items)) {
		if (fz_item(json_array_get(src->items, src->next++), op, &a)) {
			*args = json_incref((json_t *)a);
			return true;
		}
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct source src = { { data, size }, { { { 0 } }, { 0 }, { { 0 } }, 0 },
			      NULL, 0 };
	struct run r = { 0 };
	struct snap before, after = { NULL, 0 };
	size_t twin_at = 1;
	bool go_on = true;
	const char *op;
	json_t *args;

	/* the same two shapes of input as fuzz_ops */
	if (size && (data[0] == '{' || data[0] == '[')) {
		if (!(src.items = fz_raw_ops(data, size, &r.config)))
			return 0;
	} else {
		r.config = fz_u8(&src.f) % fz_nconfigs;
		twin_at = fz_u8(&src.f) % 8;
	}
	r.m = fz_boot(r.config);
	before = snap_of(r.m);
	for (size_t i = 0; i < MAX_OPS && go_on && next_op(&src, r.m, &op, &args);
	     i++) {
		json_t *res;
		struct mm_error err;
		int rc;

		if (i == twin_at)
			make_twin(&r, &before);
		rc = fz_run_one(r.m, op, args, &res, &err);
		after = snap_of(r.m);
		go_on = check_op(&r, op, args, rc, res, &err, &before, &after);
		if (go_on)
			twin_step(&r, op, args, rc, res, &err);
		fz_pool_learn(&src.pool, res);
		json_decref(res);
		json_decref(args);
		free(before.buf);
		before = after;
		after.buf = NULL;
	}
	if (go_on) {
		check_restore(r.m, &before, "the last operation");
		check_replay(&r, &before);
	}
	if (go_on && r.twin) {
		after = snap_of(r.twin);
		if (!snap_eq(&before, &after))
			fz_die("the twin's snapshot differs from the live "
			       "machine's at %s", where(&before, &after));
		free(after.buf);
	}
	free(before.buf);
	for (size_t i = 0; i < r.nrecs; i++) {
		free(r.recs[i].args);
		free(r.recs[i].answer);
	}
	machine_free(r.twin);
	machine_free(r.m);
	json_decref(src.items);
	return 0;
}

/*
 * store_rows.c - the store's rows that are not machines: exercises, their
 * graded attempts, and keyed records of JSON for other server state
 * (classes, students, assignments).
 *
 * They go through the same commits as the machines' rows (store_commit,
 * on the journal's thread), so an answer acknowledged with a 2xx is on
 * disk with everything it changed.  An exercise's row is written whole
 * on every change (a handful of columns), its attempts are added one by
 * one, and a record is written whole under (kind, key).  The key of an
 * exercise is never stored: it is made again from (type, seed, version).
 * Every row carries a checksum like the machines' (store_check.c).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

const char store_rows_schema[] =
	"CREATE TABLE exercises(id TEXT PRIMARY KEY, token TEXT NOT NULL, "
	"  origin TEXT NOT NULL, type TEXT NOT NULL, seed INTEGER NOT NULL, "
	"  version INTEGER NOT NULL, machine TEXT NOT NULL, "
	"  allowed INTEGER NOT NULL, used INTEGER NOT NULL, "
	"  state TEXT NOT NULL, score INTEGER NOT NULL, max INTEGER NOT NULL, "
	"  class TEXT NOT NULL, assignment TEXT NOT NULL, item INTEGER NOT NULL, "
	"  created INTEGER NOT NULL, sum INTEGER NOT NULL);"
	"CREATE TABLE attempts(exercise TEXT NOT NULL, n INTEGER NOT NULL, "
	"  time INTEGER NOT NULL, answer TEXT NOT NULL, score INTEGER NOT NULL, "
	"  max INTEGER NOT NULL, sum INTEGER NOT NULL, "
	"  PRIMARY KEY(exercise, n));"
	"CREATE TABLE records(kind TEXT NOT NULL, key TEXT NOT NULL, "
	"  body TEXT NOT NULL, sum INTEGER NOT NULL, PRIMARY KEY(kind, key));";

/* The columns each checksum covers, in order (store_check.c repeats them). */
#define EX_COLS "id, token, origin, type, seed, version, machine, allowed, " \
		"used, state, score, max, class, assignment, item, created"

/* each in parentheses: one element, however many literals it is made of */
static const char *const row_sql[NROWSTMT] = {
	[R_EXERCISE] = ("INSERT OR REPLACE INTO exercises(" EX_COLS ", sum) "
			"VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
			"?13, ?14, ?15, ?16, mmlab_sum(?1, ?2, ?3, ?4, ?5, ?6, ?7, "
			"?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16))"),
	[R_ATTEMPT] = ("INSERT INTO attempts(exercise, n, time, answer, score, "
		       "max, sum) VALUES(?1, ?2, ?3, ?4, ?5, ?6, "
		       "mmlab_sum(?1, ?2, ?3, ?4, ?5, ?6))"),
	[R_RECORD] = ("INSERT OR REPLACE INTO records(kind, key, body, sum) "
		      "VALUES(?1, ?2, ?3, mmlab_sum(?1, ?2, ?3))"),
	[R_DEL_RECORD] = "DELETE FROM records WHERE kind = ?1 AND key = ?2",
};

int store_rows_prepare(struct store *st, char *err, size_t len)
{
	for (int i = 0; i < NROWSTMT; i++)
		if (sqlite3_prepare_v3(st->db, row_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &st->rows[i],
				       NULL) != SQLITE_OK) {
			store_why(st->db, SQLITE_ERROR, row_sql[i], err, len);
			return -1;
		}
	return 0;
}

void store_rows_finalize(struct store *st)
{
	for (int i = 0; i < NROWSTMT; i++) {
		sqlite3_finalize(st->rows[i]);
		st->rows[i] = NULL;
	}
}

void store_row_free(struct store_rec *r)
{
	if (r->at)
		free(r->at->answer);
	if (r->rec)
		free(r->rec->body);
	free(r->ex);
	free(r->at);
	free(r->rec);
	r->ex = NULL;
	r->at = NULL;
	r->rec = NULL;
}

static int step(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static int put_exercise(struct store *st, const struct store_exercise *e)
{
	sqlite3_stmt *s = st->rows[R_EXERCISE];

	text(s, 1, e->id);
	text(s, 2, e->token);
	text(s, 3, e->origin);
	text(s, 4, e->type);
	/* a u64 in SQLite's signed column: the same 64 bits come back */
	sqlite3_bind_int64(s, 5, (sqlite3_int64)e->seed);
	sqlite3_bind_int(s, 6, (int)e->version);
	text(s, 7, e->machine);
	sqlite3_bind_int(s, 8, (int)e->allowed);
	sqlite3_bind_int(s, 9, (int)e->used);
	text(s, 10, e->state);
	sqlite3_bind_int(s, 11, e->score);
	sqlite3_bind_int(s, 12, e->max);
	text(s, 13, e->cls);
	text(s, 14, e->assignment);
	sqlite3_bind_int(s, 15, e->item);
	sqlite3_bind_int64(s, 16, e->created);
	return step(s);
}

static int put_attempt(struct store *st, const struct store_attempt *a)
{
	sqlite3_stmt *s = st->rows[R_ATTEMPT];

	text(s, 1, a->exercise);
	sqlite3_bind_int(s, 2, (int)a->n);
	sqlite3_bind_int64(s, 3, a->time);
	text(s, 4, a->answer ? a->answer : "{}");
	sqlite3_bind_int(s, 5, a->score);
	sqlite3_bind_int(s, 6, a->max);
	return step(s);
}

static int put_record(struct store *st, const struct store_record *r)
{
	sqlite3_stmt *s = st->rows[r->body ? R_RECORD : R_DEL_RECORD];

	text(s, 1, r->kind);
	text(s, 2, r->key);
	if (r->body)
		text(s, 3, r->body);
	return step(s);
}

int store_put_row(struct store *st, struct store_rec *r)
{
	if (r->kind == REC_EXERCISE && r->ex)
		return put_exercise(st, r->ex);
	if (r->kind == REC_ATTEMPT && r->at)
		return put_attempt(st, r->at);
	if (r->kind == REC_RECORD && r->rec)
		return put_record(st, r->rec);
	return SQLITE_MISUSE;
}

/* --- reading -------------------------------------------------------------------- */

static void copy(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	const char *t = (const char *)sqlite3_column_text(s, col);

	snprintf(dst, len, "%s", t ? t : "");
}

static void exercise_row(sqlite3_stmt *s, struct store_exercise *e)
{
	memset(e, 0, sizeof(*e));
	copy(e->id, sizeof(e->id), s, 0);
	copy(e->token, sizeof(e->token), s, 1);
	copy(e->origin, sizeof(e->origin), s, 2);
	copy(e->type, sizeof(e->type), s, 3);
	e->seed = (uint64_t)sqlite3_column_int64(s, 4);
	e->version = (unsigned)sqlite3_column_int(s, 5);
	copy(e->machine, sizeof(e->machine), s, 6);
	e->allowed = (unsigned)sqlite3_column_int(s, 7);
	e->used = (unsigned)sqlite3_column_int(s, 8);
	copy(e->state, sizeof(e->state), s, 9);
	e->score = sqlite3_column_int(s, 10);
	e->max = sqlite3_column_int(s, 11);
	copy(e->cls, sizeof(e->cls), s, 12);
	copy(e->assignment, sizeof(e->assignment), s, 13);
	e->item = sqlite3_column_int(s, 14);
	e->created = sqlite3_column_int64(s, 15);
}

static int query(struct store *st, const char *sql, const char *a,
		 const char *b, sqlite3_stmt **s)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);

	if (rc == SQLITE_OK && a)
		sqlite3_bind_text(*s, 1, a, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK && b)
		sqlite3_bind_text(*s, 2, b, -1, SQLITE_TRANSIENT);
	return rc;
}

static int load_attempts(struct store *st, const char *id,
			 const struct store_rows_cb *cb)
{
	sqlite3_stmt *s;
	int rc = query(st, id ?
		"SELECT exercise, n, time, answer, score, max FROM attempts "
		"WHERE exercise = ?1 ORDER BY n" :
		"SELECT exercise, n, time, answer, score, max FROM attempts "
		"ORDER BY exercise, n", id, NULL, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_attempt a = { .n = 0 };

		copy(a.exercise, sizeof(a.exercise), s, 0);
		a.n = (unsigned)sqlite3_column_int(s, 1);
		a.time = sqlite3_column_int64(s, 2);
		a.answer = (char *)sqlite3_column_text(s, 3);
		a.score = sqlite3_column_int(s, 4);
		a.max = sqlite3_column_int(s, 5);
		rc = cb->attempt(cb->ctx, &a) ? SQLITE_ABORT : SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_load_exercises(struct store *st, const char *id,
			 const struct store_rows_cb *cb, char *err, size_t len)
{
	sqlite3_stmt *s;
	int rc = query(st, id ?
		"SELECT " EX_COLS " FROM exercises WHERE id = ?1" :
		"SELECT " EX_COLS " FROM exercises ORDER BY id", id, NULL, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_exercise e;

		exercise_row(s, &e);
		rc = !cb->exercise || !cb->exercise(cb->ctx, &e) ? SQLITE_OK
								 : SQLITE_ABORT;
	}
	sqlite3_finalize(s);
	if ((rc == SQLITE_DONE || rc == SQLITE_OK) && cb->attempt)
		rc = load_attempts(st, id, cb);
	if (rc == SQLITE_DONE || rc == SQLITE_OK)
		return 0;
	store_why(st->db, rc, "reading the exercises", err, len);
	return -1;
}

int store_load_records(struct store *st, const char *kind, const char *key,
		       const struct store_rows_cb *cb, char *err, size_t len)
{
	sqlite3_stmt *s;
	int rc = query(st, key ?
		"SELECT kind, key, body FROM records WHERE kind = ?1 AND "
		"key = ?2" :
		"SELECT kind, key, body FROM records WHERE kind = ?1 ORDER BY "
		"key", kind, key, &s);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_record r;

		copy(r.kind, sizeof(r.kind), s, 0);
		copy(r.key, sizeof(r.key), s, 1);
		r.body = (char *)sqlite3_column_text(s, 2);
		rc = cb->record(cb->ctx, &r) ? SQLITE_ABORT : SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE || rc == SQLITE_OK)
		return 0;
	store_why(st->db, rc, "reading the store's records", err, len);
	return -1;
}

/*
 * store_check.c - what the store holds against what it must hold.
 *
 * SQLite's quick_check sees its own structure, not the rows: a byte
 * changed inside a row (a disk, a copy, a hand with an editor) passes it,
 * and the machine it belonged to would be rebuilt wrong or left out
 * without a word.  So every row carries a checksum of its contents, and
 * at start every row is checked, with what the rows must say together:
 * each machine's operations after its snapshot numbered one by one from
 * it, no operation of a machine that has no row, as many machines as
 * meta counts.  Damage stops the start, named, unless the operator
 * accepts it: then each damaged machine is dropped, and the log says
 * which and why.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_impl.h"
#include "strbuf.h"

/* --- the checksum ----------------------------------------------------------------- */

#define FNV_OFFSET	1469598103934665603ull
#define FNV_PRIME	1099511628211ull

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* FNV-1a over each argument's type, length and bytes: a changed byte, a
 * value moved from one column to the next, a text turned blob all show. */
static void sum_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint64_t h = FNV_OFFSET;

	for (int i = 0; i < argc; i++) {
		int type = sqlite3_value_type(argv[i]);
		unsigned char t = (unsigned char)type;
		int64_t v;
		uint32_t n;

		h = fnv(h, &t, 1);
		switch (type) {
		case SQLITE_INTEGER:
			v = sqlite3_value_int64(argv[i]);
			h = fnv(h, &v, sizeof(v));
			break;
		case SQLITE_TEXT:
		case SQLITE_BLOB: {
			const void *p = type == SQLITE_TEXT ?
				(const void *)sqlite3_value_text(argv[i]) :
				sqlite3_value_blob(argv[i]);

			n = (uint32_t)sqlite3_value_bytes(argv[i]);
			h = fnv(h, &n, sizeof(n));
			h = fnv(h, p, n);
			break;
		}
		default:	/* NULL; no REAL is ever stored */
			break;
		}
	}
	sqlite3_result_int64(ctx, (sqlite3_int64)h);
}

int store_register_sum(sqlite3 *db)
{
	return sqlite3_create_function(db, "mmlab_sum", -1, SQLITE_UTF8 |
				       SQLITE_DETERMINISTIC, NULL, sum_fn,
				       NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* --- version 2 to 3 ---------------------------------------------------------------- */

static const char migrate_2[] =
	"BEGIN IMMEDIATE;"
	"ALTER TABLE machines ADD COLUMN origin TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE machines ADD COLUMN fresh INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE machines ADD COLUMN sum INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE machines ADD COLUMN snap_sum INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE ops ADD COLUMN sum INTEGER NOT NULL DEFAULT 0;"
	"UPDATE machines SET sum = mmlab_sum(id, token, name, config, created, "
	"  origin, fresh), snap_sum = mmlab_sum(snap_seq, snapshot);"
	"UPDATE ops SET sum = mmlab_sum(machine, seq, op, args);"
	"INSERT INTO meta VALUES('commit', 0), "
	"  ('machines', (SELECT count(*) FROM machines));"
	"PRAGMA user_version = 3;"
	"COMMIT;";

/* Format 4 adds the tables of exercises, attempts and records, empty. */
static int migrate_3(struct store *st, char *err, size_t len)
{
	if (store_exec(st, "BEGIN IMMEDIATE", err, len) ||
	    store_exec(st, store_rows_schema, err, len) ||
	    store_exec(st, "PRAGMA user_version = 4; COMMIT;", err, len)) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	fprintf(stderr, "mmlabd: %s converted from format 3 to 4 (the "
		"exercise tables)\n", st->path);
	return 0;
}

/* An older store gains its checksums as it is: quick_check passed, and
 * what it held before had nothing to check it against. */
int store_migrate(struct store *st, int from, char *err, size_t len)
{
	if ((from != 2 && from != 3) ||
	    sqlite3_db_readonly(st->db, "main") == 1) {
		snprintf(err, len, "%s is an mmlab store of format %d, which "
			 "this mmlabd converts to format 4 when it can write the "
			 "directory; it was not touched", st->path, from);
		return -1;
	}
	if (from == 3)
		return migrate_3(st, err, len);
	if (store_exec(st, migrate_2, err, len)) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	fprintf(stderr, "mmlabd: %s converted from format 2 to 3 (row "
		"checksums, the creating address of each machine)\n", st->path);
	return migrate_3(st, err, len);
}

/* --- the checks -------------------------------------------------------------------- */

/* One damaged thing: a machine (by id, or the rowid of its row when its
 * id is in doubt), or an operation row of no machine. */
struct damage {
	char id[64];
	int64_t machine_rowid;	/* 0: by id */
	int64_t op_rowid;	/* an orphan operation, else 0 */
	int row;		/* ROW_MACHINE, or the table of a row that
				   is not a machine's */
	int64_t rec_rowid;	/* ROW_RECORD: the record's rowid */
	char what[240];
};

enum { ROW_MACHINE, ROW_EXERCISE, ROW_RECORD };

/* Operation rows in (machine, log) order; the first of each machine
 * must follow its snapshot's generation, and each the one before. */
struct seq_walk {
	char id[64];
	int64_t next;
	bool broken;
};

struct check {
	struct store *st;
	struct damage *v;
	size_t n, cap;
	struct seq_walk walk;
};

static struct damage *add(struct check *c, const char *id, const char *fmt,
			  ...) __attribute__((format(printf, 3, 4)));

static struct damage *add(struct check *c, const char *id, const char *fmt,
			  ...)
{
	struct damage *d;
	va_list ap;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	d = &c->v[c->n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->id, sizeof(d->id), "%s", id ? id : "");
	va_start(ap, fmt);
	vsnprintf(d->what, sizeof(d->what), fmt, ap);
	va_end(ap);
	return d;
}

static const char *text(sqlite3_stmt *s, int col)
{
	const char *t = (const char *)sqlite3_column_text(s, col);

	return t ? t : "";
}

static bool parses_as_object(const char *s)
{
	json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
	bool ok = json_is_object(j);

	json_decref(j);
	return ok;
}

/* Each query's rows go to fn; -1 when SQLite itself failed. */
static int each(struct check *c, const char *sql,
		void (*fn)(struct check *c, sqlite3_stmt *s))
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(c->st->db, sql, -1, &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		fn(c, s);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_OK ? 0 : -1;
}

static void machine_rows(struct check *c, sqlite3_stmt *s)
{
	const char *id = text(s, 1);

	if (!sqlite3_column_int(s, 2))
		add(c, id, "machine %s: its row (id, token, name, config, "
		    "creation) does not match its checksum", id)
			->machine_rowid = sqlite3_column_int64(s, 0);
	else if (!sqlite3_column_int(s, 3))
		add(c, id, "machine %s: its snapshot (generation %lld, %d "
		    "bytes) does not match its checksum", id,
		    (long long)sqlite3_column_int64(s, 4),
		    sqlite3_column_bytes(s, 5));
	else if (!parses_as_object(text(s, 6)))
		add(c, id, "machine %s: its config is not a JSON object", id);
}

static void op_rows(struct check *c, sqlite3_stmt *s)
{
	const char *id = text(s, 1);
	long long rowid = (long long)sqlite3_column_int64(s, 0);

	if (!sqlite3_column_int(s, 3))
		add(c, id, "machine %s: operation %lld (row %lld of the log) "
		    "does not match its checksum", id,
		    (long long)sqlite3_column_int64(s, 2), rowid);
	else if (!parses_as_object(text(s, 4)))
		add(c, id, "machine %s: the arguments of operation %lld (row "
		    "%lld of the log) are not a JSON object", id,
		    (long long)sqlite3_column_int64(s, 2), rowid);
	else
		return;
	if (!sqlite3_column_int(s, 5))		/* of no machine we know */
		c->v[c->n - 1].op_rowid = rowid;
}

static void orphans(struct check *c, sqlite3_stmt *s)
{
	add(c, text(s, 0), "machine %s: %d operations in the log, but no row "
	    "of the machine: it was lost", text(s, 0), sqlite3_column_int(s, 1));
}

static void seq_rows(struct check *c, sqlite3_stmt *s)
{
	struct seq_walk *w = &c->walk;
	const char *id = text(s, 0);
	int64_t seq = sqlite3_column_int64(s, 1);

	if (strcmp(w->id, id)) {
		snprintf(w->id, sizeof(w->id), "%s", id);
		w->next = sqlite3_column_int64(s, 2) + 1;
		w->broken = false;
	}
	if (w->broken)
		return;
	if (seq != w->next) {
		add(c, id, "machine %s: operation %lld is missing from the log "
		    "(the next one there is %lld)", id, (long long)w->next,
		    (long long)seq);
		w->broken = true;
		return;
	}
	w->next++;
}

static void count_rows(struct check *c, sqlite3_stmt *s)
{
	if (sqlite3_column_type(s, 0) != SQLITE_INTEGER ||
	    sqlite3_column_int64(s, 0) != sqlite3_column_int64(s, 1))
		add(c, NULL, "the store counts %s machines but holds %lld: "
		    "machines were lost", text(s, 0),
		    (long long)sqlite3_column_int64(s, 1));
}

/* Exercises (with their attempts) and records, format 4's rows. */
static void exercise_rows(struct check *c, sqlite3_stmt *s)
{
	const char *id = text(s, 0);

	add(c, id, "exercise %s: its row does not match its checksum", id)
		->row = ROW_EXERCISE;
}

static void attempt_rows(struct check *c, sqlite3_stmt *s)
{
	const char *id = text(s, 0);

	if (!sqlite3_column_int(s, 2))
		add(c, id, "exercise %s: its attempt %d, of no exercise in the "
		    "store: it was lost", id, sqlite3_column_int(s, 1))
			->row = ROW_EXERCISE;
	else
		add(c, id, "exercise %s: its attempt %d does not match its "
		    "checksum", id, sqlite3_column_int(s, 1))->row = ROW_EXERCISE;
}

static void record_rows(struct check *c, sqlite3_stmt *s)
{
	struct damage *d = add(c, NULL, "the %s record '%s' does not match "
			       "its checksum", text(s, 1), text(s, 2));

	d->row = ROW_RECORD;
	d->rec_rowid = sqlite3_column_int64(s, 0);
}

static int check_rows(struct check *c)
{
	return each(c, "SELECT id FROM exercises WHERE sum != mmlab_sum(id, "
		    "token, origin, type, seed, version, machine, allowed, used, "
		    "state, score, max, class, assignment, item, created) "
		    "ORDER BY id", exercise_rows) ||
	       each(c, "SELECT a.exercise, a.n, e.id IS NOT NULL FROM attempts a "
		    "LEFT JOIN exercises e ON e.id = a.exercise WHERE e.id IS "
		    "NULL OR a.sum != mmlab_sum(a.exercise, a.n, a.time, a.answer, "
		    "a.score, a.max) ORDER BY a.exercise, a.n", attempt_rows) ||
	       each(c, "SELECT rowid, kind, key FROM records WHERE sum != "
		    "mmlab_sum(kind, key, body) ORDER BY kind, key", record_rows);
}

static int run_checks(struct check *c)
{
	if (check_rows(c))
		return -1;
	return each(c, "SELECT rowid, id, sum = mmlab_sum(id, token, name, "
		    "config, created, origin, fresh), snap_sum = mmlab_sum("
		    "snap_seq, snapshot), snap_seq, length(snapshot), config "
		    "FROM machines ORDER BY id", machine_rows) ||
	       each(c, "SELECT o.rowid, o.machine, o.seq, o.sum = mmlab_sum("
		    "o.machine, o.seq, o.op, o.args), o.args, m.id IS NOT NULL "
		    "FROM ops o LEFT JOIN machines m ON m.id = o.machine "
		    "ORDER BY o.rowid", op_rows) ||
	       each(c, "SELECT machine, count(*) FROM ops WHERE machine NOT IN "
		    "(SELECT id FROM machines) GROUP BY machine", orphans) ||
	       each(c, "SELECT o.machine, o.seq, m.snap_seq FROM ops o JOIN "
		    "machines m ON m.id = o.machine WHERE o.seq > m.snap_seq "
		    "ORDER BY o.machine, o.rowid", seq_rows) ||
	       each(c, "SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE "
		    "key = 'machines'), (SELECT count(*) FROM machines)",
		    count_rows);
}

/* Accepted: the damaged machines (and exercises, records) go, rows and
 * all, and the count is made true again, in one transaction. */
#define NDROP 7

static int drop_one(sqlite3_stmt *const *s, const struct damage *d)
{
	int rc;

	switch (d->row) {
	case ROW_EXERCISE:
		sqlite3_bind_text(s[4], 1, d->id, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(s[4])) != SQLITE_DONE)
			return rc;
		sqlite3_bind_text(s[5], 1, d->id, -1, SQLITE_STATIC);
		return sqlite3_step(s[5]);
	case ROW_RECORD:
		sqlite3_bind_int64(s[6], 1, d->rec_rowid);
		return sqlite3_step(s[6]);
	}
	if (d->op_rowid) {
		sqlite3_bind_int64(s[2], 1, d->op_rowid);
		return sqlite3_step(s[2]);
	}
	sqlite3_bind_text(s[0], 1, d->id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s[0])) != SQLITE_DONE)
		return rc;
	sqlite3_bind_text(s[1], 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s[1], 2, d->machine_rowid);
	return sqlite3_step(s[1]);
}

static int drop(struct check *c, char *err, size_t len)
{
	sqlite3 *db = c->st->db;
	sqlite3_stmt *s[NDROP] = { NULL };
	static const char *const sql[NDROP] = {
		"DELETE FROM ops WHERE machine = ?",
		"DELETE FROM machines WHERE id = ? OR rowid = ?",
		"DELETE FROM ops WHERE rowid = ?",
		("UPDATE meta SET value = (SELECT count(*) FROM machines) "
		 "WHERE key = 'machines'"),
		"DELETE FROM attempts WHERE exercise = ?",
		"DELETE FROM exercises WHERE id = ?",
		"DELETE FROM records WHERE rowid = ?",
	};
	int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	for (int i = 0; i < NDROP && rc == SQLITE_OK; i++)
		rc = sqlite3_prepare_v2(db, sql[i], -1, &s[i], NULL);
	for (size_t i = 0; i < c->n && rc == SQLITE_OK; i++) {
		rc = drop_one(s, &c->v[i]);
		for (int k = 0; k < NDROP; k++)
			if (k != 3)
				sqlite3_reset(s[k]);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc == SQLITE_OK && (rc = sqlite3_step(s[3])) == SQLITE_DONE)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	for (int i = 0; i < NDROP; i++)
		sqlite3_finalize(s[i]);
	if (rc == SQLITE_OK)
		return 0;
	store_why(db, rc, "dropping the damaged machines", err, len);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int store_check(struct store *st, bool accept, char *err, size_t len)
{
	struct check c = { .st = st };
	struct timespec t0, t1;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (run_checks(&c)) {
		store_why(st->db, sqlite3_errcode(st->db), "checking the store",
			  err, len);
		free(c.v);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "mmlabd: checked the store in %.1f ms: %s\n",
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
		c.n ? "damaged" : "sound");
	for (size_t i = 0; i < c.n; i++)
		fprintf(stderr, "mmlabd: store damage in %s: %s%s\n", st->path,
			c.v[i].what, accept ? (c.v[i].row == ROW_EXERCISE ?
			"; accepted: this exercise is dropped" : c.v[i].row ==
			ROW_RECORD ? "; accepted: this record is dropped" :
			c.v[i].id[0] ? "; accepted: this machine is dropped" :
			"; accepted") : "");
	if (c.n && !accept) {
		snprintf(err, len, "%s is damaged: %s%s; it was not touched — "
			 "restore it from a backup, or start with "
			 "--accept-store-damage to drop what is damaged (the log "
			 "names each machine lost)", st->path, c.v[0].what,
			 c.n > 1 ? " (and more: see above)" : "");
		rc = -1;
	} else if (c.n && sqlite3_db_readonly(st->db, "main") == 1) {
		snprintf(err, len, "%s is damaged and the directory is "
			 "read-only, so the damaged machines cannot be dropped",
			 st->path);
		rc = -1;
	} else if (c.n) {
		rc = drop(&c, err, len);
	}
	free(c.v);
	return rc;
}

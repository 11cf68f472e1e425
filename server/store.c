/*
 * store.c - the journal in SQLite.
 *
 * WAL mode with synchronous=FULL: a commit is on disk when it returns,
 * and a kill -9 at any moment leaves either the whole transaction or
 * none of it.  The daemon groups every waiting request into one commit,
 * so the fsync is shared.  Nothing reads the file after start, except to
 * rebuild a machine whose write failed.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_impl.h"
#include "strbuf.h"

/* "mmlb": what PRAGMA application_id says in a store of ours */
#define STORE_APP_ID	0x6d6d6c62
#define STORE_VERSION	4

/*
 * ops is an append-only log in commit order (its rowid): one commit of
 * many machines' operations writes one or two pages at its end, where a
 * table clustered by machine would touch a page per machine.  Rows a
 * snapshot or a reset made moot are skipped by replay and cut off the
 * front of the log by store_compact.
 */

/*
 * Every row carries a checksum of what it says (mmlab_sum, store_check.c),
 * so bytes changed inside the file are found at start even where SQLite's
 * own structure is intact.  meta counts the machines and numbers the
 * commits, in the same transactions as the rows they count.
 */
static const char *const stmt_sql[NSTMT] = {
	[S_OP] = "INSERT INTO ops(machine, seq, op, args, sum) "
		 "VALUES(?1, ?2, ?3, ?4, mmlab_sum(?1, ?2, ?3, ?4))",
	[S_CREATE] = "INSERT INTO machines(id, token, name, config, created, "
		     "origin, fresh, sum, snap_sum) VALUES(?1, ?2, ?3, ?4, ?5, "
		     "?6, ?7, mmlab_sum(?1, ?2, ?3, ?4, ?5, ?6, ?7), "
		     "mmlab_sum(0, NULL))",
	[S_DEL_OPS] = "DELETE FROM ops WHERE machine = ?",
	[S_DEL_MACHINE] = "DELETE FROM machines WHERE id = ?",
	[S_RESET] = "UPDATE machines SET snapshot = NULL, snap_seq = ?1, "
		    "snap_sum = mmlab_sum(?1, NULL) WHERE id = ?2",
	[S_SNAP] = "UPDATE machines SET snapshot = ?1, snap_seq = ?2, "
		   "snap_sum = mmlab_sum(?2, ?1) WHERE id = ?3",
	[S_TRIM] = "DELETE FROM ops WHERE rowid < ?",
	[S_PROBE] = "UPDATE meta SET value = value WHERE key = 'probe'",
	[S_COMMIT] = "UPDATE meta SET value = ? WHERE key = 'commit'",
	[S_COUNT] = "UPDATE meta SET value = value + ? WHERE key = 'machines'",
};

/* version 3's tables; format 4 adds store_rows_schema's, and
 * store_check.c migrates a version 2 or 3 store to it */
static const char schema[] =
	"CREATE TABLE machines(id TEXT PRIMARY KEY, token TEXT NOT NULL, "
	"  name TEXT NOT NULL, config TEXT NOT NULL, created INTEGER NOT NULL, "
	"  snap_seq INTEGER NOT NULL DEFAULT 0, snapshot BLOB, "
	"  origin TEXT NOT NULL DEFAULT '', fresh INTEGER NOT NULL DEFAULT 0, "
	"  sum INTEGER NOT NULL DEFAULT 0, snap_sum INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE ops(machine TEXT NOT NULL, seq INTEGER NOT NULL, "
	"  op TEXT NOT NULL, args TEXT NOT NULL, sum INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
	"INSERT INTO meta VALUES('probe', ''), ('commit', 0), ('machines', 0);";

void store_rec_free(struct store_rec *r)
{
	free(r->op);
	free(r->args);
	free(r->config);
	free(r->snapshot);
	r->op = r->args = r->config = NULL;
	r->snapshot = NULL;
	store_row_free(r);
}

/* What a failed write means, in words for the log and for a 503. */
void store_why(sqlite3 *db, int rc, const char *what, char *err, size_t len)
{
	const char *cause;

	switch (rc & 0xff) {
	case SQLITE_FULL: cause = "the disk is full"; break;
	case SQLITE_READONLY: cause = "the data directory is read-only"; break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: cause = "another process holds the store"; break;
	case SQLITE_IOERR: cause = "the disk reported an I/O error"; break;
	case SQLITE_CANTOPEN: cause = "the store cannot be opened"; break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB: cause = "the store is damaged"; break;
	default: cause = "the store failed"; break;
	}
	snprintf(err, len, "%s: %s (%s)", what, cause,
		 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

int store_exec(struct store *st, const char *sql, char *err, size_t len)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		store_why(st->db, rc, sql, err, len);
	return rc == SQLITE_OK ? 0 : -1;
}

int store_int(struct store *st, const char *sql, int *out)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

/* The first 16 bytes of every SQLite database. */
static int looks_like_sqlite(const char *path, char *err, size_t len)
{
	char head[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(err, len, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, head, sizeof(head));
	close(fd);
	if (n == 0)
		return 0;		/* empty: made but never written */
	if (n != sizeof(head) || memcmp(head, "SQLite format 3", 16)) {
		snprintf(err, len, "%s is not an mmlab store (not even an "
			 "SQLite file); move it away or point --data "
			 "elsewhere; it was not touched", path);
		return -1;
	}
	return 0;
}

/* The number mmlab.lock holds ("commit N"), if it holds one. */
static void read_lock_commit(struct store *st, int fd)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	unsigned long long v;

	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "commit %llu", &v) == 1) {
		st->lock_commit = v;
		st->lock_commit_known = true;
	}
}

static int take_lock(struct store *st, const char *dir, bool *read_only,
		     char *err, size_t len)
{
	char path[600];
	int fd;

	snprintf(path, sizeof(path), "%s/mmlab.lock", dir);
	st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (st->lock_fd < 0) {
		if (errno == EROFS || errno == EACCES || errno == EPERM) {
			*read_only = true;
			/* what it recorded still tells whether commits are lost */
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
				read_lock_commit(st, fd);
				close(fd);
			}
			return 0;
		}
		snprintf(err, len, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(st->lock_fd, LOCK_EX | LOCK_NB)) {
		snprintf(err, len, "another mmlabd is using %s (it holds %s); "
			 "stop it or give this one its own --data", dir, path);
		return -1;
	}
	read_lock_commit(st, st->lock_fd);
	return 0;
}

/* Check that an existing file is ours and sound; set up a new one. */
static int check_or_init(struct store *st, char *err, size_t len)
{
	int app = 0, ver = 0, tables = 0;
	char sql[128];

	if (store_int(st, "PRAGMA application_id", &app) != SQLITE_OK ||
	    store_int(st, "SELECT count(*) FROM sqlite_master", &tables)
	    != SQLITE_OK) {
		snprintf(err, len, "%s is damaged or not a database (%s); it was "
			 "not touched", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (app == 0 && tables == 0) {
		/* one transaction: a store is made whole or not at all */
		snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE; PRAGMA "
			 "application_id = %d; PRAGMA user_version = %d;",
			 STORE_APP_ID, STORE_VERSION);
		if (store_exec(st, "PRAGMA journal_mode = WAL", err, len) ||
		    store_exec(st, sql, err, len) ||
		    store_exec(st, schema, err, len) ||
		    store_exec(st, store_rows_schema, err, len) ||
		    store_exec(st, "COMMIT", err, len)) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		return 0;
	}
	if (app != STORE_APP_ID) {
		snprintf(err, len, "%s is an SQLite database of something else "
			 "(application_id %#x), not an mmlab store; it was not "
			 "touched", st->path, (unsigned)app);
		return -1;
	}
	store_int(st, "PRAGMA user_version", &ver);
	if (ver == 2 || ver == 3)
		return store_migrate(st, ver, err, len);
	if (ver == 0) {
		/* stores before format 3 were made in several transactions:
		 * the later ones went with a lost or damaged -wal */
		snprintf(err, len, "%s is damaged: it is an mmlab store whose "
			 "format was never recorded, so its first commits are "
			 "missing (its write-ahead log %s-wal was removed or "
			 "damaged); restore it from a backup; it was not touched",
			 st->path, st->path);
		return -1;
	}
	if (ver != STORE_VERSION) {
		snprintf(err, len, "%s is an mmlab store of format %d; this "
			 "mmlabd reads format %d", st->path, ver, STORE_VERSION);
		return -1;
	}
	return 0;
}

static int quick_check(struct store *st, char *err, size_t len)
{
	sqlite3_stmt *s;
	const char *res = NULL;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s, NULL);

	if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		res = (const char *)sqlite3_column_text(s, 0);
	if (!res || strcmp(res, "ok")) {
		snprintf(err, len, "%s is damaged (%s); it was not touched — "
			 "restore it from a backup or move it away", st->path,
			 res ? res : sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

static int open_db(struct store *st, bool exists, bool *read_only,
		   char *err, size_t len)
{
	char uri[700];
	int rc;

	if (!*read_only) {
		rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
				     (exists ? 0 : SQLITE_OPEN_CREATE), NULL);
		if (rc == SQLITE_OK)
			return 0;
		sqlite3_close(st->db);
		st->db = NULL;
		if ((rc & 0xff) != SQLITE_CANTOPEN &&
		    (rc & 0xff) != SQLITE_READONLY) {
			store_why(NULL, rc, st->path, err, len);
			return -1;
		}
		*read_only = true;
	}
	if (!exists) {
		snprintf(err, len, "cannot create %s: the directory is not "
			 "writable", st->path);
		return -1;
	}
	/* nothing may change the file while we cannot write: immutable */
	snprintf(uri, sizeof(uri), "file:%s?mode=ro&immutable=1", st->path);
	rc = sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY |
			     SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK) {
		store_why(st->db, rc, st->path, err, len);
		return -1;
	}
	return 0;
}

/* The meta row of the last commit; 0 in a store that has none yet. */
static uint64_t meta_commit(struct store *st)
{
	sqlite3_stmt *s;
	uint64_t v = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = "
			       "'commit'", -1, &s, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/*
 * A -wal file removed, cut short or damaged after a crash takes the last
 * commits with it, meta's count included, so the store alone cannot
 * tell.  mmlab.lock can: after each commit it records the commit's
 * number (a write to the page cache, no fsync: it only has to survive
 * the daemon, and the commit itself was synced first).
 */
static int lost_commits(struct store *st, bool accept, bool read_only,
			const char *dir, char *err, size_t len)
{
	uint64_t have = meta_commit(st);
	char lost[64];

	if (!st->lock_commit_known || st->lock_commit <= have)
		return 0;
	if (accept) {
		fprintf(stderr, "mmlabd: store damage accepted: %s holds commits "
			"up to %llu of the %llu acknowledged; the machines "
			"created, changed or deleted by the last %llu commits "
			"are as they were before them\n", st->path,
			(unsigned long long)have,
			(unsigned long long)st->lock_commit,
			(unsigned long long)(st->lock_commit - have));
		st->lock_commit = have;
		return 0;
	}
	if (read_only) {
		/* opened immutable: SQLite does not read the -wal at all */
		snprintf(err, len, "%s holds commits up to %llu, but %s/mmlab.lock "
			 "records that commit %llu was acknowledged: the later "
			 "ones are in %s-wal, which cannot be read while the data "
			 "directory is read-only; make it writable and start "
			 "again", st->path, (unsigned long long)have, dir,
			 (unsigned long long)st->lock_commit, st->path);
		return -1;
	}
	if (st->lock_commit - have > 1)
		snprintf(lost, sizeof(lost), "the last %llu commits are lost",
			 (unsigned long long)(st->lock_commit - have));
	else
		snprintf(lost, sizeof(lost), "the last commit is lost");
	snprintf(err, len, "%s holds commits up to %llu, but %s/mmlab.lock "
		 "records that commit %llu was acknowledged: %s (its "
		 "write-ahead log %s-wal was removed, cut short or damaged, or "
		 "the file is an older copy); restore mmlab.db and mmlab.db-wal "
		 "from a backup, or start with --accept-store-damage to go on "
		 "without them", st->path, (unsigned long long)have, dir,
		 (unsigned long long)st->lock_commit, lost, st->path);
	return -1;
}

static struct store *open_store(const char *dir, bool accept,
				const struct store_model *model,
				bool *read_only, char *err, size_t len)
{
	struct store *st = xcalloc(1, sizeof(*st));
	struct stat sb;
	bool exists, changed = true;

	*read_only = false;
	st->lock_fd = -1;
	if (mkdir(dir, 0750) && errno != EEXIST) {
		snprintf(err, len, "cannot create the data directory %s: %s",
			 dir, strerror(errno));
		goto fail;
	}
	snprintf(st->path, sizeof(st->path), "%s/mmlab.db", dir);
	exists = stat(st->path, &sb) == 0;
	if (take_lock(st, dir, read_only, err, len) ||
	    (exists && looks_like_sqlite(st->path, err, len)) ||
	    open_db(st, exists, read_only, err, len))
		goto fail;
	sqlite3_busy_timeout(st->db, 250);
	if (store_register_sum(st->db) ||
	    (exists && quick_check(st, err, len)) ||
	    lost_commits(st, accept, *read_only, dir, err, len) ||
	    /* before a conversion writes to another model's store */
	    (exists && model && store_model_check(st, model, &changed, err,
						  len)) ||
	    check_or_init(st, err, len) ||
	    (!*read_only && store_exec(st, "PRAGMA synchronous = FULL", err, len)))
		goto fail;
	for (int i = 0; i < NSTMT; i++)
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &st->st[i],
				       NULL) != SQLITE_OK) {
			store_why(st->db, SQLITE_ERROR, stmt_sql[i], err, len);
			goto fail;
		}
	if (store_rows_prepare(st, err, len))
		goto fail;
	st->commit = meta_commit(st);
	if (store_check(st, accept, err, len) ||
	    (model && changed && !*read_only &&
	     store_model_set(st, model, err, len)))
		goto fail;
	store_note_commit(st);
	return st;
fail:
	/* a refused store stays as it is: closing would checkpoint the
	 * -wal into it and remove the -wal, evidence and all */
	if (st->db)
		sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
				  NULL);
	store_close(st);
	return NULL;
}

struct store *store_open(const char *dir, bool *read_only, char *err,
			 size_t len)
{
	return open_store(dir, false, NULL, read_only, err, len);
}

struct store *store_open_checked(const char *dir, bool accept_damage,
				 const struct store_model *model,
				 bool *read_only, char *err, size_t len)
{
	return open_store(dir, accept_damage, model, read_only, err, len);
}

void store_note_commit(struct store *st)
{
	char buf[40];
	int n;

	if (st->lock_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "commit %020llu\n",
		     (unsigned long long)st->commit);
	/* a failure only makes a later check less sure: not worth a 503 */
	if (pwrite(st->lock_fd, buf, (size_t)n, 0) != n)
		return;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (int i = 0; i < NSTMT; i++)
		sqlite3_finalize(st->st[i]);
	store_rows_finalize(st);
	sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st);
}

/* --- writing -------------------------------------------------------------------- */

static int step(struct store *st, int which)
{
	sqlite3_stmt *s = st->st[which];
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int put_op(struct store *st, struct store_rec *r)
{
	sqlite3_stmt *s = st->st[S_OP];
	int rc;

	sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)r->seq);
	sqlite3_bind_text(s, 3, r->op, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->args ? r->args : "{}", -1, SQLITE_STATIC);
	if ((rc = step(st, S_OP)))
		return rc;
	r->rowid = sqlite3_last_insert_rowid(st->db);
	if (!r->snapshot)
		return SQLITE_OK;
	/* a snapshot at seq makes every op up to seq history */
	s = st->st[S_SNAP];
	sqlite3_bind_blob(s, 1, r->snapshot, (int)r->snapshot_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)r->seq);
	sqlite3_bind_text(s, 3, r->id, -1, SQLITE_STATIC);
	return step(st, S_SNAP);
}

static int put_create(struct store *st, const struct store_rec *r)
{
	sqlite3_stmt *s = st->st[S_CREATE];
	int rc;

	sqlite3_bind_text(s, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->token, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->config, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, r->created);
	sqlite3_bind_text(s, 6, r->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 7, r->fresh);
	if ((rc = step(st, S_CREATE)))
		return rc;
	sqlite3_bind_int(st->st[S_COUNT], 1, 1);
	return step(st, S_COUNT);
}

/* A reset boots from the configuration again: the ops before it are
 * moot (replay skips them).  A delete takes every row of the machine. */
static int put_drop(struct store *st, const struct store_rec *r, bool reset)
{
	int rc;

	if (reset) {
		sqlite3_bind_int64(st->st[S_RESET], 1, (sqlite3_int64)r->seq);
		sqlite3_bind_text(st->st[S_RESET], 2, r->id, -1, SQLITE_STATIC);
		return step(st, S_RESET);
	}
	sqlite3_bind_text(st->st[S_DEL_OPS], 1, r->id, -1, SQLITE_STATIC);
	if ((rc = step(st, S_DEL_OPS)))
		return rc;
	sqlite3_bind_text(st->st[S_DEL_MACHINE], 1, r->id, -1, SQLITE_STATIC);
	if ((rc = step(st, S_DEL_MACHINE)) || !sqlite3_changes(st->db))
		return rc;
	sqlite3_bind_int(st->st[S_COUNT], 1, -1);
	return step(st, S_COUNT);
}

static int put(struct store *st, struct store_rec *r)
{
	switch (r->kind) {
	case REC_CREATE: return put_create(st, r);
	case REC_OP: return put_op(st, r);
	case REC_RESET: return put_drop(st, r, true);
	case REC_DELETE: return put_drop(st, r, false);
	default: return store_put_row(st, r);
	}
}

/*
 * One write transaction: begin, what fn does, commit; any failure rolls
 * it all back and says why in err, what naming the work.
 */
static int transaction(struct store *st, int (*fn)(struct store *, void *),
		       void *arg, const char *what, char *err, size_t len)
{
	int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = fn(st, arg);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		return 0;
	store_why(st->db, rc, what, err, len);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

struct recs_arg {
	struct store_rec *recs;
	size_t n;
};

static int put_all(struct store *st, void *arg)
{
	struct recs_arg *a = arg;
	int rc = SQLITE_OK;

	for (size_t i = 0; rc == SQLITE_OK && i < a->n; i++)
		rc = put(st, &a->recs[i]);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st->st[S_COMMIT], 1, (sqlite3_int64)st->commit + 1);
	return step(st, S_COMMIT);
}

static int trim(struct store *st, void *arg)
{
	sqlite3_bind_int64(st->st[S_TRIM], 1, *(int64_t *)arg);
	return step(st, S_TRIM);
}

static int probe(struct store *st, void *arg)
{
	(void)arg;
	return step(st, S_PROBE);
}

int store_compact(struct store *st, int64_t below, char *err, size_t len)
{
	return transaction(st, trim, &below, "compacting the journal", err,
			   len);
}

int store_commit(struct store *st, struct store_rec *recs, size_t n,
		 char *err, size_t len)
{
	struct recs_arg a = { recs, n };

	if (transaction(st, put_all, &a, "writing the journal", err, len))
		return -1;
	st->commit++;
	store_note_commit(st);
	return 0;
}

int store_probe(struct store *st, char *err, size_t len)
{
	return transaction(st, probe, NULL, "writing the journal", err, len);
}

/* --- reading -------------------------------------------------------------------- */

/* Ops in log order: all of them, or one machine's. */
static int load_ops(struct store *st, const char *id,
		    const struct store_load_cb *cb)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, id ?
		"SELECT rowid, machine, seq, op, args FROM ops WHERE machine = ? "
		"ORDER BY rowid" :
		"SELECT rowid, machine, seq, op, args FROM ops ORDER BY rowid",
		-1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	if (id)
		sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb->op(cb->ctx, (const char *)sqlite3_column_text(s, 1),
			   (uint64_t)sqlite3_column_int64(s, 2),
			   sqlite3_column_int64(s, 0),
			   (const char *)sqlite3_column_text(s, 3),
			   (const char *)sqlite3_column_text(s, 4))) {
			rc = SQLITE_ABORT;
			break;
		}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void machine_row(sqlite3_stmt *s, struct store_machine *m)
{
	m->id = (const char *)sqlite3_column_text(s, 0);
	m->token = (const char *)sqlite3_column_text(s, 1);
	m->name = (const char *)sqlite3_column_text(s, 2);
	m->config = (const char *)sqlite3_column_text(s, 3);
	m->created = sqlite3_column_int64(s, 4);
	m->snap_seq = (uint64_t)sqlite3_column_int64(s, 5);
	m->snapshot = sqlite3_column_blob(s, 6);
	m->snapshot_len = (size_t)sqlite3_column_bytes(s, 6);
	m->origin = (const char *)sqlite3_column_text(s, 7);
	m->fresh = sqlite3_column_int(s, 8) != 0;
}

int store_load(struct store *st, const char *id,
	       const struct store_load_cb *cb, char *err, size_t len)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, id ?
		"SELECT id, token, name, config, created, snap_seq, snapshot, "
		"origin, fresh FROM machines WHERE id = ?" :
		"SELECT id, token, name, config, created, snap_seq, snapshot, "
		"origin, fresh FROM machines ORDER BY id", -1, &s, NULL);

	if (rc == SQLITE_OK && id)
		sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_machine m;

		machine_row(s, &m);
		rc = cb->machine(cb->ctx, &m) ? SQLITE_ABORT : SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE || rc == SQLITE_OK)
		rc = load_ops(st, id, cb);
	if (rc == SQLITE_DONE || rc == SQLITE_OK)
		return 0;
	store_why(st->db, rc, "reading the store", err, len);
	return -1;
}

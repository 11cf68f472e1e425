/*
 * store_impl.h - what store.c and store_check.c share (internal to the
 * store): the connection, its statements, and the lock file.
 */
#ifndef SRV_STORE_IMPL_H
#define SRV_STORE_IMPL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

enum { S_OP, S_CREATE, S_DEL_OPS, S_DEL_MACHINE, S_RESET, S_SNAP, S_TRIM,
       S_PROBE, S_COMMIT, S_COUNT, NSTMT };

/* store_rows.c's statements: exercises, attempts, records */
enum { R_EXERCISE, R_ATTEMPT, R_RECORD, R_DEL_RECORD, NROWSTMT };

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[NSTMT];
	sqlite3_stmt *rows[NROWSTMT];
	int lock_fd;
	char path[600];
	uint64_t commit;		/* meta's number of the last commit */
	uint64_t lock_commit;		/* what mmlab.lock recorded at open */
	bool lock_commit_known;
};

void store_why(sqlite3 *db, int rc, const char *what, char *err, size_t len);
int store_exec(struct store *st, const char *sql, char *err, size_t len);
/* store_model.c: refuse another model's machines (changed: fp is not
 * what meta records), and record fp once the store is open */
int store_model_check(struct store *st, const struct store_model *model,
		      bool *changed, char *err, size_t len);
int store_model_set(struct store *st, const struct store_model *model,
		    char *err, size_t len);
int store_int(struct store *st, const char *sql, int *out);

/* mmlab_sum(...) in SQL: a 64-bit checksum of its arguments' types and
 * bytes.  Registered on every connection the store opens. */
int store_register_sum(sqlite3 *db);

/* Record in mmlab.lock the number of the last commit (see store_check.c). */
void store_note_commit(struct store *st);

/* Bring a version 2 or 3 store to version 4 (2 -> 3: checksums,
 * counts, origins; 3 -> 4: the exercise tables). */
int store_migrate(struct store *st, int from, char *err, size_t len);

/* store_rows.c: the tables format 4 added (in a new store's schema and
 * in the migration from 3), their statements, writing a row record. */
extern const char store_rows_schema[];
int store_rows_prepare(struct store *st, char *err, size_t len);
void store_rows_finalize(struct store *st);
int store_put_row(struct store *st, struct store_rec *r);
void store_row_free(struct store_rec *r);

/* The checks of store_open_checked, on an open store. */
int store_check(struct store *st, bool accept, char *err, size_t len);

#endif

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

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[NSTMT];
	int lock_fd;
	char path[600];
	uint64_t commit;		/* meta's number of the last commit */
	uint64_t lock_commit;		/* what mmlab.lock recorded at open */
	bool lock_commit_known;
};

void store_why(sqlite3 *db, int rc, const char *what, char *err, size_t len);
int store_exec(struct store *st, const char *sql, char *err, size_t len);
int store_int(struct store *st, const char *sql, int *out);

/* mmlab_sum(...) in SQL: a 64-bit checksum of its arguments' types and
 * bytes.  Registered on every connection the store opens. */
int store_register_sum(sqlite3 *db);

/* Record in mmlab.lock the number of the last commit (see store_check.c). */
void store_note_commit(struct store *st);

/* Bring a version 2 store to version 3: checksums, counts, origins. */
int store_migrate(struct store *st, int from, char *err, size_t len);

/* The checks of store_open_checked, on an open store. */
int store_check(struct store *st, bool accept, char *err, size_t len);

#endif

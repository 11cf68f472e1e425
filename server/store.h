/*
 * store.h - the journal on disk: one SQLite file in WAL mode.
 *
 * A machine is its creation (id, token, name, config, the address that
 * got its token), an optional
 * snapshot of its model at some generation, and the operations after
 * that snapshot, each under the generation it produced, in a log of
 * every machine's operations in commit order.  Replaying them
 * in order on a machine booted (or restored) from the first two gives
 * back the same machine, bit for bit, because the model is deterministic.
 */
#ifndef SRV_STORE_H
#define SRV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_rec_kind {
	REC_CREATE,	/* token, name, config, created */
	REC_OP,		/* op, args (JSON text); snapshot if taken after it */
	REC_RESET,	/* the machine booted again: earlier ops are moot */
	REC_DELETE,	/* deleted or expired: every row goes */
	/* the rows of what is not a machine (store_rows.c) */
	REC_EXERCISE,	/* ex: an exercise's row, written whole */
	REC_ATTEMPT,	/* at: one graded attempt, added */
	REC_RECORD,	/* rec: a row of other server state (a class, a
			   student), written whole; body NULL deletes it */
};

/* An exercise as the store holds it (exercises.h has its meaning). */
struct store_exercise {
	char id[48], token[33], origin[64], type[32], machine[48];
	uint64_t seed;
	unsigned version, allowed, used;
	char state[12];			/* open, answered, revealed */
	int score;			/* the best so far; -1 before any */
	int max;
	char cls[48], assignment[48];	/* "": self-study */
	int item;			/* the assignment's item, -1 none */
	int64_t created;
};

/* One graded attempt (a format error is never one). */
struct store_attempt {
	char exercise[48];
	unsigned n;			/* 1, 2, ... */
	int64_t time;			/* Unix seconds */
	char *answer;			/* JSON text, malloc'd */
	int score, max;
};

/* A keyed row of JSON for state other code keeps (classes.c): kind
 * names what it is ("class", "student"), key which one. */
struct store_record {
	char kind[32];
	char key[96];
	char *body;			/* JSON text, malloc'd; NULL: delete */
};

struct store_rec {
	enum store_rec_kind kind;
	char id[48];
	uint64_t seq;			/* the machine's generation after it */
	char *op, *args;		/* REC_OP, malloc'd */
	char token[33], name[64];	/* REC_CREATE */
	char origin[64];		/* REC_CREATE: the address that got
					   the token */
	bool fresh;			/* REC_CREATE: made without a token */
	char *config;			/* REC_CREATE, JSON text, malloc'd */
	int64_t created;
	void *snapshot;			/* REC_OP: model state at seq, or NULL */
	size_t snapshot_len;
	int64_t rowid;			/* REC_OP: its place in the log, set by
					   store_commit */
	struct store_exercise *ex;	/* REC_EXERCISE, malloc'd */
	struct store_attempt *at;	/* REC_ATTEMPT, malloc'd */
	struct store_record *rec;	/* REC_RECORD, malloc'd */
};

void store_rec_free(struct store_rec *r);

/*
 * Open (creating if needed) DIR/mmlab.db, and take DIR/mmlab.lock so a
 * second daemon on the same directory stops at once.  A file that is not
 * an mmlab store, or is damaged, is refused and left untouched.
 * read_only is set when the directory cannot be written: the store still
 * loads, and every commit fails until it can.  NULL and a message in err.
 */
struct store *store_open(const char *dir, bool *read_only, char *err,
			 size_t len);

/*
 * The model that may open a store (store_model.c): fp, this daemon's
 * api_model_fingerprint() in hex; accept, --accept-model-change.  A store
 * holding machines another model wrote is refused (before any format
 * conversion touches it) unless accept; a store opened records fp.
 */
struct store_model {
	const char *fp;
	bool accept;
};

/*
 * store_open, and then what the store holds is checked against what it
 * must hold: every row's checksum (machine, snapshot, operation), every
 * config and operation parseable, each machine's operations after its
 * snapshot numbered without a gap, the count of machines, and the number
 * of the last commit against the one DIR/mmlab.lock recorded (a lost or
 * damaged -wal file loses the last commits, record and all).  Damage is
 * refused, naming it, unless accept_damage: then each damaged machine
 * is dropped and the log (stderr) says exactly what was lost.
 */
struct store *store_open_checked(const char *dir, bool accept_damage,
				 const struct store_model *model,
				 bool *read_only, char *err, size_t len);
void store_close(struct store *st);

/* Write every record in one transaction: 0, or -1 and why in err. */
int store_commit(struct store *st, struct store_rec *recs, size_t n,
		 char *err, size_t len);

/* Drop the log's rows before rowid below (no machine needs them). */
int store_compact(struct store *st, int64_t below, char *err, size_t len);

/* A small write that tells whether commits would work again. */
int store_probe(struct store *st, char *err, size_t len);

/* A machine as the store holds it (valid during the callback only). */
struct store_machine {
	const char *id, *token, *name, *config, *origin;
	bool fresh;
	int64_t created;
	uint64_t snap_seq;		/* 0 and no snapshot: boot from config */
	const void *snapshot;
	size_t snapshot_len;
};

struct store_load_cb {
	/* every machine, then every op in the order they were committed
	 * (ops a snapshot or reset made moot included: seq <= snap_seq);
	 * a nonzero return stops */
	int (*machine)(void *ctx, const struct store_machine *sm);
	int (*op)(void *ctx, const char *id, uint64_t seq, int64_t rowid,
		  const char *op, const char *args);
	void *ctx;
};

/* Every machine (in id order), or only the one with id if not NULL. */
int store_load(struct store *st, const char *id,
	       const struct store_load_cb *cb, char *err, size_t len);

/* The rows that are not machines (valid during the callback only). */
struct store_rows_cb {
	/* every exercise in id order, then every attempt by exercise and
	 * number; either may be NULL; a nonzero return stops */
	int (*exercise)(void *ctx, const struct store_exercise *ex);
	int (*attempt)(void *ctx, const struct store_attempt *at);
	/* every record of the kind asked for, in key order */
	int (*record)(void *ctx, const struct store_record *rec);
	void *ctx;
};

/* Exercises and their attempts: all, or the one with id if not NULL. */
int store_load_exercises(struct store *st, const char *id,
			 const struct store_rows_cb *cb, char *err, size_t len);
/* Records of one kind: all, or the one with key if not NULL. */
int store_load_records(struct store *st, const char *kind, const char *key,
		       const struct store_rows_cb *cb, char *err, size_t len);

#endif

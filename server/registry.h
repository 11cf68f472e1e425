/*
 * registry.h - the daemon's machines: who owns each, and the limits on
 * how many there may be.
 *
 * A machine is reached by its id and is only ever handed out with a
 * reference held, so a DELETE or an expiry while another request is
 * still working on it frees the machine only when that request is done.
 * Requests to one machine take turns (turn.h), so they apply one after
 * the other in the order they came; requests to different machines
 * never wait on each other beyond the registry's own short lock.
 */
#ifndef SRV_REGISTRY_H
#define SRV_REGISTRY_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "history.h"

struct machine;
struct srv_waiter;

#define SRV_ID_MAX	48
#define SRV_TOKEN_HEX	32	/* 128 random bits */

/* A rendered answer to a read, good while the machine's generation is. */
struct srv_cached {
	char key[200];			/* path, arguments, text or JSON */
	uint64_t generation;
	char *body;
	size_t len;
	const char *content_type;
};

#define SRV_CACHED_ANSWERS	4

struct srv_machine {
	char id[SRV_ID_MAX];
	char token[SRV_TOKEN_HEX + 1];
	char name[64];
	char origin[64];		/* the address whose token-less create
					   first gave out this token */
	bool fresh;			/* created without a token */
	json_t *config;			/* as created; reset boots it again */
	int64_t created;		/* Unix seconds */

	/* whose turn it is, and who waits for one (turn.c) */
	pthread_mutex_t turn_lock;
	bool turn_held;			/* under turn_lock */
	struct srv_waiter *turn_head, *turn_tail;	/* under turn_lock */
	pthread_mutex_t lock;		/* held while the model runs */
	struct machine *m;		/* under lock */
	_Atomic uint64_t generation;	/* changed under lock: +1 per change;
					   read without it by the list */
	uint64_t snap_seq;		/* under lock: generation of the last
					   snapshot in the store */
	struct srv_hist hist;		/* under lock: the changes since the
					   base, to list and rebuild */
	bool broken;			/* under lock: a failed write left it
					   to be rebuilt from the store */
	int64_t need_from;		/* the journal's thread: log row of its
					   first op after the snapshot, 0 none */
	_Atomic uint64_t epoch;		/* +1 when rebuilt: writes queued
					   before that are void */
	uint32_t frames;		/* max_pfn, for /metrics */
	struct srv_cached cache[SRV_CACHED_ANSWERS];	/* under lock */
	unsigned cache_next;
	uint64_t counted_gen;		/* under lock: the generation and */
	uint64_t counted_cache;		/* cached bytes host_bytes counted */

	_Atomic int64_t last_used_ms;	/* monotonic; for idle expiry */
	/* under the registry's lock */
	uint64_t host_bytes;		/* what the model holds, last counted */
	int refs;
	bool dead;			/* removed from the table */
	bool in_table;			/* counted in the registry's sums */
	struct srv_machine *next;	/* hash chain */
};

struct srv_registry {
	pthread_mutex_t lock;
	struct srv_machine **table;
	size_t nbuckets;
	unsigned count;
	uint64_t frames;		/* sum over live machines */
	uint64_t host_bytes;		/* sum over live machines */
};

void reg_init(struct srv_registry *r);
void reg_destroy(struct srv_registry *r);

/* The number of machines, and of machines owned by token. */
unsigned reg_count(struct srv_registry *r);
unsigned reg_count_token(struct srv_registry *r, const char *token);
uint64_t reg_frames(struct srv_registry *r);

/*
 * Insert a booted machine under a fresh id "<node>-<12 hex>" (or its own
 * id if it has one: a replay, or a delete that could not be written),
 * unless that would pass max_total or max_per_token (then -1 or -2).
 * On success the table holds a reference too.
 */
int reg_insert(struct srv_registry *r, struct srv_machine *sm,
	       const char *node, unsigned max_total, unsigned max_per_token);

/* As reg_insert; -3 when max_per_origin machines already have sm's
 * origin (the per-address limit on token-less creations). */
int reg_insert_from(struct srv_registry *r, struct srv_machine *sm,
		    const char *node, unsigned max_total,
		    unsigned max_per_token, unsigned max_per_origin);
/* How many machines have this origin. */
unsigned reg_count_origin(struct srv_registry *r, const char *origin);
/* The origin of a machine token owns, into out; false when it owns none. */
bool reg_token_origin(struct srv_registry *r, const char *token, char *out,
		      size_t len);

/* Host memory: record what sm's model holds now (no-op once it left the
 * table); the total over live machines, and how many hold more than
 * per_machine. */
void reg_account(struct srv_registry *r, struct srv_machine *sm,
		 uint64_t bytes);
uint64_t reg_host_bytes(struct srv_registry *r, unsigned *over,
			uint64_t per_machine);

/*
 * The machine with this id, referenced, if token owns it or reads_all is
 * set (the instructor); NULL otherwise, so a wrong token and a missing
 * machine look the same.
 */
struct srv_machine *reg_get(struct srv_registry *r, const char *id,
			    const char *token, bool reads_all);
void reg_put(struct srv_registry *r, struct srv_machine *sm);
/* One more reference to a machine the caller already holds. */
void reg_ref(struct srv_registry *r, struct srv_machine *sm);

/* Whether sm has left the table (deleted or expired). */
bool reg_is_dead(struct srv_registry *r, struct srv_machine *sm);

/* Take sm out of the table (its memory goes with the last reference). */
void reg_remove(struct srv_registry *r, struct srv_machine *sm);

/* Every machine token owns (all with reads_all), referenced, in id
 * order; *n is set.  Free the array with reg_put_all. */
struct srv_machine **reg_list(struct srv_registry *r, const char *token,
			      bool reads_all, size_t *n);
void reg_put_all(struct srv_registry *r, struct srv_machine **v, size_t n);

/* Remove every machine unused since before idle_before_ms; the ids go
 * to cb (may be NULL).  Returns how many. */
unsigned reg_expire(struct srv_registry *r, int64_t idle_before_ms,
		    void (*cb)(void *ctx, const char *id), void *ctx);

/* A new, unlinked machine holding m, with one reference (the caller's:
 * reg_put frees it if it never made it into the table). */
struct srv_machine *srv_machine_new(struct machine *m, json_t *config,
				    const char *name, const char *token,
				    int64_t now_ms);
/* Constant-time comparison of two token strings. */
bool srv_token_equal(const char *a, const char *b);
/* Random bytes from the OS as lower-case hex (2 * n characters + NUL). */
int srv_random_hex(char *out, size_t n);

#endif

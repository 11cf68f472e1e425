/*
 * exercises.h - the server's exercises: who owns each, its machine, its
 * attempts and score, and the rows that keep them in the store.
 *
 * An exercise is a variant of the teaching layer (exercises/exercise.h:
 * type, seed, generator version) given to one token, with its own
 * machine booted for the variant and owned by the same token.  The store
 * holds the triple, never the key: after a restart the variant is made
 * again from it (on first use), and the key with it.  A self-study
 * exercise has no assignment tag; one drawn for a class (classes.c) has
 * {class code, assignment id, item index}, and its key waits for the
 * teacher's rule (srv_ex_key_allowed).
 *
 * Exercises are never freed while the daemon runs (a journal_obj must
 * outlive the tickets naming it), so a pointer from a lookup stays good.
 */
#ifndef SRV_EXERCISES_H
#define SRV_EXERCISES_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "journal.h"
#include "registry.h"

struct ex_variant;
struct mm_error;
struct srv;
struct srv_call;

#define SRV_EX_ATTEMPTS	3	/* a self-study exercise's attempts */

enum srv_ex_state { EX_OPEN, EX_ANSWERED, EX_REVEALED };

/* Where an assigned exercise comes from; cls[0] == '\0': self-study. */
struct srv_ex_tag {
	char cls[48];			/* the class's join code */
	char assignment[48];		/* the assignment's id */
	int item;			/* index of its item (type, count) */
};

/* One graded attempt, as the exercise's log shows it. */
struct srv_ex_attempt {
	unsigned n;
	int64_t time;			/* Unix seconds */
	json_t *answer;			/* the fields as sent */
	int score, max;
};

struct srv_exercise {
	struct journal_obj jo;		/* first: the journal's handle */
	char id[SRV_ID_MAX];		/* "<node>-x<12 hex>" */
	char token[SRV_TOKEN_HEX + 1];
	char origin[64];		/* the address that got the token */
	char type[32];
	uint64_t seed;
	unsigned version;
	struct srv_ex_tag tag;
	int64_t created;		/* Unix seconds */
	int max;			/* the sum of the fields' credits */

	pthread_mutex_t lock;		/* what follows */
	char machine[SRV_ID_MAX];	/* its machine's id */
	unsigned allowed, used;		/* attempts */
	enum srv_ex_state state;
	int score;			/* the best attempt's, -1 before any */
	struct srv_ex_attempt *log;
	size_t nlog, caplog;
	struct ex_variant *v;		/* made on first use; NULL till then */
	json_t *reveal;			/* the last reveal's ops and results
					   (made again on a scratch machine
					   after a restart), or NULL */
	_Atomic bool dead;		/* its create never reached the store
					   (set under lock, read by lookups) */
};

/* The daemon's exercises (hangs off struct srv). */
struct srv_exercises;

struct srv_exercises *srv_ex_table_new(void);
void srv_ex_table_free(struct srv_exercises *t);

/* The exercise with this id if token owns it or reads_all (the
 * instructor), else NULL: a wrong token and no exercise look alike. */
struct srv_exercise *srv_ex_get(struct srv *s, const char *id,
				const char *token, bool reads_all);
/* The exercises token owns (all with reads_all), in id order; free the
 * array (not the exercises) with free(). */
struct srv_exercise **srv_ex_list(struct srv *s, const char *token,
				  bool reads_all, size_t *n);
unsigned srv_ex_count_token(struct srv *s, const char *token);
/* The origin of a token that owns an exercise; false when it owns none. */
bool srv_ex_token_origin(struct srv *s, const char *token, char *out,
			 size_t len);

/* Whether token is one this server gave out (it owns a machine or an
 * exercise; classes.c adds its students'), and the address that got
 * it: POST /v1/machines and /v1/exercises take only such tokens. */
bool srv_token_origin(struct srv *s, const char *token, char *out,
		      size_t len);

/* What an exercise is made from. */
struct srv_ex_spec {
	const char *type;
	uint64_t seed;
	unsigned version;		/* EX_GEN_VERSION for new ones */
	unsigned attempts;		/* allowed */
	const char *token, *origin;	/* the owner, and where its token
					   came from */
	bool fresh;			/* the token was made for this one */
	const struct srv_ex_tag *tag;	/* NULL: self-study */
	/* the limits to obey: exercises of the token (UINT32_MAX none)
	 * and machines of the origin (token-less creations) */
	unsigned max_per_token, max_per_origin;
};

/*
 * Make an exercise: the variant (the model runs: milliseconds), its
 * machine booted from the variant's config with the setup operations
 * run on it (owned by spec->token), and the exercise itself.  Their rows
 * (the machine's create and setup ops, the exercise's row) go into *t:
 * the caller submits it (journal_submit) and answers when it is decided
 * (c->resp->ticket).  Nobody else knows the new ids before that answer.
 * 0 and *out, or the HTTP status of a refusal with *problem
 * (application/problem+json, nothing made, nothing journalled).
 */
int srv_ex_create(struct srv *s, const struct srv_ex_spec *spec,
		  int64_t now_ms, int64_t now_unix, struct journal_ticket **t,
		  struct srv_exercise **out, json_t **problem);

/*
 * The parts of srv_ex_create a reveal needs again when the exercise's
 * machine was deleted or expired: a machine for the variant owned by
 * token, in the registry, booted, its setup run, its rows in *t, and
 * returned locked (sm->lock) with the caller's reference; NULL with the
 * HTTP status in *st and *problem.  Exercise machines count against the
 * total and the per-address limit and the host-memory budget, not
 * --max-machines-per-token (the exercise limit bounds them) nor
 * --max-ram (the generator picks their RAM, up to 64 GiB for PAE).
 */
struct srv_machine *srv_ex_machine(struct srv *s, const struct ex_variant *v,
				   const char *token, const char *origin,
				   bool fresh, unsigned max_per_origin,
				   int64_t now_ms, int64_t now_unix,
				   struct journal_ticket **t, int *st,
				   json_t **problem);
/* Under sm->lock: the variant's setup on sm's machine, each change
 * journalled as it is made (generation and all), as POST /ops would. */
int srv_ex_setup(struct srv *s, struct srv_machine *sm,
		 const struct ex_variant *v, struct journal_ticket **t,
		 struct mm_error *err);

/* Under ex->lock: one more graded attempt in its log (answer taken). */
void srv_ex_log(struct srv_exercise *ex, unsigned n, int64_t time,
		json_t *answer, int score, int max);

/* The journal's rollback of an exercise: back to what the store holds
 * (and gone, dead, if its create never reached it). */
void srv_ex_rollback(struct journal *j, struct journal_obj *o);

/* Under ex->lock: the variant, made again if needed (NULL and err when
 * its type or version is gone from this build). */
struct ex_variant *srv_ex_variant(struct srv_exercise *ex,
				  struct mm_error *err);

/*
 * Under ex->lock: whether the key, the feedback and the reveal may be
 * shown now.  Self-study: always.  Assigned: once the attempts are used
 * or full marks reached (state answered), or (classes.c) the due time
 * passed.  The one place this rule lives.
 */
bool srv_ex_key_allowed(struct srv *s, const struct srv_exercise *ex,
			int64_t now_unix);

/* Under ex->lock: its row for the store, into *t (journal_row). */
void srv_ex_journal(struct srv *s, struct srv_exercise *ex,
		    struct journal_ticket **t);

/* Under ex->lock: the exercise as GET shows it (no key, no feedback;
 * the seed only of a self-study one); with_log adds attempts_log. */
json_t *srv_ex_json(struct srv_exercise *ex, const struct ex_variant *v,
		    bool with_log);
/* The short form of lists (GET /v1/me). */
json_t *srv_ex_brief_json(struct srv_exercise *ex);
const char *srv_ex_state_name(enum srv_ex_state st);

/* Rebuild every exercise and attempt from the store (at start, after
 * the machines). */
int srv_ex_replay(struct srv *s, char *err, size_t len);

#endif

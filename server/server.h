/*
 * server.h - one request in, one response out, with no socket in sight.
 *
 * http.c turns libmicrohttpd's callbacks into a struct srv_req and sends
 * back the struct srv_resp that srv_handle() fills, so every route, every
 * limit and every error can be driven by a unit test without a network.
 */
#ifndef SRV_SERVER_H
#define SRV_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "options.h"
#include "ratelimit.h"
#include "registry.h"

struct cls_registry;
struct journal;
struct srv_exercises;
struct journal_ticket;
struct machine;
struct mm_error;

struct srv {
	struct srv_options opt;
	struct journal *journal;	/* NULL: in memory only (--in-memory) */
	struct srv_registry reg;
	struct srv_exercises *exercises;	/* exercises.h */
	struct srv_metrics metrics;
	struct srv_ratelimit rate;
	struct cls_registry *classes;	/* classes.h */
	_Atomic bool draining;		/* SIGTERM: finish, take nothing new */
	_Atomic bool stopping;		/* the drain ran out: a batch stops at
					   its next operation */
	_Atomic unsigned inflight;	/* requests being answered */
	_Atomic uint64_t answer_bytes;	/* bodies handed to libmicrohttpd
					   and not yet sent: host memory a
					   slow reader pins */
};

/* A request as the handlers see it. */
struct srv_req {
	const char *method;		/* "GET", "POST", ... */
	const char *path;		/* without the query string */
	const char *client;		/* the peer's address, for rate limits */
	const char *body;		/* NUL-terminated, may be empty */
	size_t body_len;
	bool body_too_large;		/* more than max_body arrived */
	int64_t now_ms;			/* monotonic clock */
	int64_t now_unix;		/* wall clock, seconds */
	/* a machine in use is not waited for: the request joins its queue
	 * with this waiter, the handler sets resp->busy, and the waiter's
	 * wake runs it again in its turn (turn.h); NULL: wait here */
	struct srv_waiter *waiter;
	bool admitted;			/* a retry: rate limited once already */
	bool under_way;			/* its head came before the drain began:
					   finished, not refused, while the
					   drain lasts */
	const char *bad_request;	/* a refusal http.c found (a NUL in
					   the URL, ambiguous framing, headers
					   too large): its detail */
	int bad_status;			/* and its status (0: 400) */
	const char *bad_type;		/* and type (NULL: bad-request) */
	/* headers ("Authorization", "Accept", ...) and query arguments */
	const char *(*header)(void *ctx, const char *name);
	const char *(*query)(void *ctx, const char *name);
	void *ctx;
};

#define SRV_MAX_HEADERS 6

struct srv_resp {
	int status;
	const char *content_type;
	char *body;			/* malloc'd, may be NULL for none */
	size_t len;
	char *file_path;		/* static file to send instead of body */
	struct { const char *name; char value[160]; } headers[SRV_MAX_HEADERS];
	unsigned nheaders;
	int route;			/* index of the route, for /metrics */
	/* the answer may leave only when these changes are on disk */
	struct journal_ticket *ticket;
	/* the machine was in use: nothing was done or answered, and the
	 * request waits in the machine's queue for req->waiter's wake */
	bool busy;
};

int srv_init(struct srv *s, const struct srv_options *opt);
void srv_destroy(struct srv *s);

/* Answer one request: fills *resp (free it with srv_resp_free). */
void srv_handle(struct srv *s, const struct srv_req *req,
		struct srv_resp *resp);
void srv_resp_free(struct srv_resp *resp);

/* A problem+json object of one of the server's own types (slug), with
 * that type's title, the status and the detail; the caller adds any
 * member of its own and sends it. */
json_t *srv_problem(int status, const char *slug, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A time of the server's clock (Unix seconds) as RFC 3339 UTC, the one
 * form every answer gives a time in: "2026-12-04T20:10:43Z". */
json_t *srv_time_json(int64_t t);

/* Boot a machine from config with the server's process and VMA limits. */
int srv_boot(struct srv *s, const json_t *config, struct machine **out,
	     struct mm_error *err);
int srv_apply_limits(struct srv *s, struct machine *m);

/* Remove machines idle longer than the limit; returns how many. */
unsigned srv_expire_idle(struct srv *s, int64_t now_ms);

#endif

/*
 * handlers.h - what the route handlers share (internal to server/).
 */
#ifndef SRV_HANDLERS_H
#define SRV_HANDLERS_H

#include "error.h"
#include "server.h"

#define SRV_MAX_PARAMS 4

/* One request on its way through a handler. */
struct srv_call {
	struct srv *s;
	const struct srv_req *req;
	struct srv_resp *resp;
	const char *params[SRV_MAX_PARAMS];	/* the pattern's {…} parts */
	unsigned nparams;
	const char *token;		/* the caller's, or NULL */
	bool instructor;		/* token is the instructor's */
	json_t *body;			/* parsed JSON body, or NULL */
};

typedef void (*srv_handler_fn)(struct srv_call *c);

struct srv_route {
	const char *method;
	const char *pattern;		/* "/v1/machines/{id}/proc/{report}" */
	srv_handler_fn fn;
	bool json_body;			/* parse the body before fn runs */
	const char *summary;		/* one line, for the OpenAPI check */
	/* The values the pattern's last {…} part may take (an operation's
	 * or a report's name, a file); NULL when any value matches.  A
	 * value it refuses is no match, so another route may take the
	 * path, or it ends as 405 (another method's route takes the
	 * name) or 404. */
	bool (*name_ok)(const char *name);
};

extern const struct srv_route srv_routes[];
extern const size_t srv_nroutes;

/* --- answers (respond.c) --- */
void resp_json(struct srv_call *c, int status, json_t *j);	/* steals j */
void resp_text(struct srv_call *c, int status, const char *ctype,
	       char *text);					/* steals text */
/* Whether the answer goes out as compact JSON (not ?pretty, not curl),
 * the form api_op_write writes. */
bool resp_compact(const struct srv_call *c);
/* The compact JSON text of api_op_write as the answer (takes its buffer). */
struct strbuf;
void resp_json_text(struct srv_call *c, int status, struct strbuf *text);
void resp_problem(struct srv_call *c, int status, const char *slug,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A problem object already built (steals p); sets status and instance. */
void resp_problem_obj(struct srv_call *c, int status, json_t *p);
/* A model or api error, with the api's status and problem object. */
void resp_mm_error(struct srv_call *c, const struct mm_error *err);
void resp_header(struct srv_call *c, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A 200 over --max-answer becomes 413 answer-too-large whose detail
 * ends with narrow (how to ask for less); true when it did. */
bool resp_over_answer(struct srv_call *c, const char *narrow);
/* Whether the client asked for the Linux text (Accept: text/plain). */
bool wants_text(const struct srv_call *c);

/* The pid in s (a path's {pid}, or ?pid= when query): decimal digits
 * only, 1 to 2147483647, no sign, no suffix; else false after answering
 * 400 bad-argument. */
bool call_pid(struct srv_call *c, const char *s, bool query, json_int_t *pid);

/* --- machines (h_machines.c) --- */
/* The machine named by params[0], referenced and locked, or NULL after
 * answering 404 (or 403 when write is asked of the instructor). */
struct srv_machine *call_machine(struct srv_call *c, bool write);
void call_machine_done(struct srv_call *c, struct srv_machine *sm);
/* The owner of something new into tok (SRV_TOKEN_HEX + 1) and the
 * address it counts against into origin: the caller's token when this
 * server gave it out, else a fresh one; false after answering 401 with
 * the detail unknown (or 500 without random bytes). */
bool call_owner_token(struct srv_call *c, char *tok, char *origin,
		      size_t len, const char *unknown);
/* Changes wait for the store: true after answering 503 store-unavailable
 * (with Retry-After) while the journal refuses them. */
bool call_store_refuses(struct srv_call *c);
/* Under sm->lock: send the ETag of sm's generation; true (and 304
 * answered) when the client's If-None-Match already has it. */
bool not_modified(struct srv_call *c, const struct srv_machine *sm);
json_t *machine_json(const struct srv_machine *sm, bool with_token);

void h_healthz(struct srv_call *c);
void h_metrics(struct srv_call *c);
void h_openapi(struct srv_call *c);
void h_static(struct srv_call *c);
void h_list(struct srv_call *c);
void h_create(struct srv_call *c);
void h_get(struct srv_call *c);
void h_delete(struct srv_call *c);
void h_reset(struct srv_call *c);

/* --- operations (h_ops.c) --- */
void h_op(struct srv_call *c);
void h_batch(struct srv_call *c);
void h_process_create(struct srv_call *c);
void h_process_op(struct srv_call *c);
/* Whether POST /v1/machines/{id}/{op} runs op: an api operation that
 * no fixed route of the same path takes first (not "processes"). */
bool srv_is_op(const char *op);
/* Whether POST /v1/machines/{id}/processes/{pid}/{op} runs op. */
bool srv_is_process_op(const char *op);

/* --- history (h_history.c) --- */
void h_history(struct srv_call *c);
void h_undo(struct srv_call *c);
/* A generation as a query gives it: decimal, no leading zero. */
bool call_generation(const char *v, uint64_t *out);
/* Under sm->lock: a new machine in sm's state at generation g, or -1
 * after answering (404 or, for an undo, 400/409 when g is outside the
 * history kept; 507 over the host-memory budget). */
int srv_machine_at(struct srv_call *c, struct srv_machine *sm, uint64_t g,
		   bool undo, struct machine **out);

/* --- reports (h_reports.c) --- */
void h_proc(struct srv_call *c);
void h_dmesg(struct srv_call *c);
void h_layout(struct srv_call *c);
void h_ptdump(struct srv_call *c);
void h_translate(struct srv_call *c);
void h_frames(struct srv_call *c);
void h_processes(struct srv_call *c);
void h_process_report(struct srv_call *c);
bool srv_is_report(const char *name);
bool srv_is_process_report(const char *name);

/* --- exercises (h_exercises.c) --- */
void h_ex_catalogue(struct srv_call *c);
void h_ex_create(struct srv_call *c);
void h_ex_get(struct srv_call *c);
void h_ex_answer(struct srv_call *c);
void h_ex_reveal(struct srv_call *c);
void h_me(struct srv_call *c);

/* --- classes (h_classes.c) --- */
void h_classes_list(struct srv_call *c);
void h_class_create(struct srv_call *c);
void h_class_get(struct srv_call *c);
void h_assignment_create(struct srv_call *c);
void h_grades(struct srv_call *c);
void h_class_student(struct srv_call *c);
void h_join(struct srv_call *c);
/* For GET /v1/me: {student: {id, name, class: {code, name}},
 * assignments: [...]} when the caller's token is a student's, drawing
 * the exercises of assignments made since (their rows queued on
 * c->resp->ticket, already submitted); NULL for any other token. */
json_t *cls_me_json(struct srv_call *c);

/* The route's name for /metrics (its pattern), NULL past the last. */
const char *srv_route_name(int i);

#endif

/*
 * h_reports.c - what a machine looks like, read without changing it:
 * /proc files and the other reports, a walk of the page tables, the
 * frames for drawing, processes.  JSON by default; the exact Linux text
 * for Accept: text/plain (or ?format=text).
 *
 * Every answer carries an ETag of the machine's generation, so a page
 * polling for changes costs a 304 and no report when nothing changed.
 */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "machine.h"
#include "strbuf.h"

bool srv_is_report(const char *name)
{
	for (const char *const *r = api_report_names; *r; r++)
		if (!strcmp(*r, name))
			return true;
	return false;
}

static const struct {
	const char *route;	/* /processes/{pid}/{route} */
	const char *op;		/* the api operation behind it */
} process_reports[] = {
	{ "maps", "maps" },
	{ "status", "status" },
	{ "pagemap", "pagemap" },
	{ "ptdump", "process_pagetables" },
};

#define NPREPORTS (sizeof(process_reports) / sizeof(process_reports[0]))

bool srv_is_process_report(const char *name)
{
	for (size_t i = 0; i < NPREPORTS; i++)
		if (!strcmp(process_reports[i].route, name))
			return true;
	return false;
}

/*
 * Answers to reads are kept per machine until it changes: a page polling
 * a report, or a class asking the same translate, costs a copy instead of
 * a walk and a JSON rendering.  The key is everything the answer depends
 * on besides the machine: path, arguments, text or JSON, and layout.
 */
#define CACHE_MAX_BODY (16 * 1024)

/* Append s to key[*n], false when it does not fit (the key is then not
 * used: an answer too odd to keep). */
static bool key_put(char *key, size_t len, size_t *n, const char *s)
{
	size_t l = strlen(s);

	if (*n + l >= len)
		return false;
	memcpy(key + *n, s, l + 1);
	*n += l;
	return true;
}

/* "PATH|jc|addr=V|pid=V...": built with memcpy, as it is twice for
 * every read (to look up, then to keep) and printf cost more than the
 * lookup. */
static bool cache_key(struct srv_call *c, char *key, size_t len)
{
	static const char *const args[] = { "addr", "pid", "access", "mode",
					     "start", "count", "len", "at",
					     NULL };
	const char *ua = c->req->header(c->req->ctx, "User-Agent");
	char form[] = { '|', wants_text(c) ? 't' : 'j',
			c->req->query(c->req->ctx, "pretty") ||
			(ua && !strncmp(ua, "curl/", 5)) ? 'p' : 'c', '\0' };
	size_t n = 0;

	if (!key_put(key, len, &n, c->req->path) ||
	    !key_put(key, len, &n, form))
		return false;
	for (int i = 0; args[i]; i++) {
		const char *v = c->req->query(c->req->ctx, args[i]);

		if (v && (!key_put(key, len, &n, "|") ||
			  !key_put(key, len, &n, args[i]) ||
			  !key_put(key, len, &n, "=") ||
			  !key_put(key, len, &n, v)))
			return false;
	}
	return true;
}

/* A read's cache key, built once for the lookup and the keeping; ""
 * when the read is too odd to keep. */
struct read_key {
	char s[sizeof(((struct srv_cached *)0)->key)];
};

static bool cache_answer(struct srv_call *c, struct srv_machine *sm,
			 struct read_key *key)
{
	if (!cache_key(c, key->s, sizeof(key->s))) {
		key->s[0] = '\0';
		return false;
	}
	for (int i = 0; i < SRV_CACHED_ANSWERS; i++) {
		struct srv_cached *e = &sm->cache[i];

		if (e->body && e->generation == sm->generation &&
		    !strcmp(e->key, key->s)) {
			char *body = xmalloc(e->len + 1);

			memcpy(body, e->body, e->len + 1);
			resp_text(c, 200, e->content_type, body);
			return true;
		}
	}
	return false;
}

/* Under sm->lock, after a 200: keep the answer for the next asker. */
static void cache_keep(struct srv_call *c, struct srv_machine *sm,
		       const struct read_key *key)
{
	struct srv_cached *e = &sm->cache[sm->cache_next];
	const struct srv_resp *r = c->resp;

	if (r->status != 200 || !r->body || r->len > CACHE_MAX_BODY ||
	    !key->s[0])
		return;
	memcpy(e->key, key->s, sizeof(e->key));
	free(e->body);
	e->body = xmalloc(r->len + 1);
	memcpy(e->body, r->body, r->len + 1);
	e->len = r->len;
	e->content_type = r->content_type;
	e->generation = sm->generation;
	sm->cache_next = (sm->cache_next + 1) % SRV_CACHED_ANSWERS;
}

/* How to ask for less of what c asked for (resp_over_answer). */
static const char *narrowing(const struct srv_call *c)
{
	const char *p = c->req->path;
	size_t n = strlen(p);

	if (n > 7 && !strcmp(p + n - 7, "/frames"))
		return "ask for the map in pieces: ?start=PFN&count=N frames";
	if (n > 8 && !strcmp(p + n - 8, "/pagemap"))
		return "ask for a shorter range: a smaller ?len=";
	if (n > 7 && !strcmp(p + n - 7, "/ptdump"))
		return wants_text(c) ? "ask for one process's tables (?pid=)"
		       : "ask for the text form (Accept: text/plain), which is "
			 "shorter, or one process's tables (?pid=)";
	return wants_text(c) ? "ask for a narrower report"
	       : "ask for the text form (Accept: text/plain), which is shorter";
}

/* As not_modified, for the state at generation g: a generation names one
 * state for good (an undo makes a new one), so its ETag is the same
 * whether it is the machine's current state or an earlier one. */
static bool not_modified_at(struct srv_call *c, const struct srv_machine *sm,
			    uint64_t g)
{
	const char *inm = c->req->header(c->req->ctx, "If-None-Match");
	char tag[80];

	snprintf(tag, sizeof(tag), "\"%s-%llu\"", sm->id,
		 (unsigned long long)g);
	resp_header(c, "ETag", "%s", tag);
	if (!inm || (strcmp(inm, "*") && !strstr(inm, tag)))
		return false;
	c->resp->status = 304;
	return true;
}

/*
 * The machine for a read, or NULL when answered (404, 304 unchanged, or
 * an answer kept from before), and in *m the model to read: the
 * machine's, or for ?at=GENERATION its state then, built from its
 * history (read_done frees it).  Such an answer is kept in the cache
 * like any other, until the machine changes.
 */
static struct srv_machine *read_machine(struct srv_call *c,
					struct machine **m,
					struct read_key *key)
{
	const char *at = c->req->query(c->req->ctx, "at");
	struct srv_machine *sm;
	uint64_t g = 0;

	if (at && !call_generation(at, &g)) {
		resp_problem(c, 400, "bad-argument", "?at=%.32s: give a "
			     "generation of the machine, in decimal (GET "
			     "/v1/machines/%s/history lists them)", at,
			     c->params[0]);
		return NULL;
	}
	if (!(sm = call_machine(c, false)))
		return NULL;
	if (!at)
		g = sm->generation;
	resp_header(c, "Vary", "Accept");
	if ((g <= sm->generation && not_modified_at(c, sm, g)) ||
	    cache_answer(c, sm, key)) {
		call_machine_done(c, sm);
		return NULL;
	}
	*m = sm->m;
	if (g != sm->generation && srv_machine_at(c, sm, g, false, m)) {
		call_machine_done(c, sm);
		return NULL;
	}
	return sm;
}

static void read_done(struct srv_call *c, struct srv_machine *sm,
		      struct machine *m)
{
	if (m != sm->m)
		machine_free(m);
	call_machine_done(c, sm);
}

static void report(struct srv_call *c, const char *name)
{
	struct machine *m = NULL;
	struct read_key key;
	struct srv_machine *sm = read_machine(c, &m, &key);
	struct mm_error err = { 0 };
	json_t *json;
	char *text;

	if (!sm)
		return;
	if (api_report(m, name, wants_text(c), &json, &text, &err))
		resp_mm_error(c, &err);
	else if (text)
		resp_text(c, 200, "text/plain; charset=utf-8", text);
	else
		resp_json(c, 200, json);
	if (!resp_over_answer(c, narrowing(c)))
		cache_keep(c, sm, &key);
	read_done(c, sm, m);
}

void h_proc(struct srv_call *c)
{
	report(c, c->params[1]);
}

void h_dmesg(struct srv_call *c)
{
	report(c, "dmesg");
}

void h_layout(struct srv_call *c)
{
	report(c, "layout");
}

/*
 * A query argument into the op's JSON arguments: digits become a number
 * (a count), anything else stays a string for the op to read
 * ("0xc0000000", "64K", "write").  "0100" stays a string too, so the
 * api refuses it as it does in a body (never octal, never a guess).  A
 * pid is query_pid's.
 */
static void query_arg(struct srv_call *c, json_t *args, const char *name)
{
	const char *v = c->req->query(c->req->ctx, name);

	if (!v)
		return;
	if (*v && strspn(v, "0123456789") == strlen(v) && strlen(v) < 16 &&
	    (v[0] != '0' || !v[1]))
		json_object_set_new(args, name,
				    json_integer(strtoll(v, NULL, 10)));
	else
		json_object_set_new(args, name, json_string(v));
}

/* ?pid= into args when given: plain decimal (call_pid), never "1K" or
 * "0x10", which the api would read as sizes; false after a 400. */
static bool query_pid(struct srv_call *c, json_t *args)
{
	const char *v = c->req->query(c->req->ctx, "pid");
	json_int_t pid;

	if (!v)
		return true;
	if (!call_pid(c, v, true, &pid)) {
		json_decref(args);
		return false;
	}
	json_object_set_new(args, "pid", json_integer(pid));
	return true;
}

static void op_refused(struct srv_call *c, const char *op,
		       const struct mm_error *err)
{
	json_t *p = api_problem(err);

	json_object_set_new(p, "operation", json_string(op));
	resp_problem_obj(c, api_http_status(err), p);
}

/* The answer as api_op_write's text, for the reads it writes without a
 * json_t: false when it has no writer for op or this client. */
static bool read_op_text(struct srv_call *c, struct machine *m,
			 const char *op, const json_t *args, bool text_ok)
{
	struct strbuf text = STRBUF_INIT;
	struct mm_error err = { 0 };

	if (!api_op_writes(op) || !resp_compact(c) ||
	    (text_ok && wants_text(c)))
		return false;
	if (api_op_write(m, op, args, &text, &err))
		op_refused(c, op, &err);
	else
		resp_json_text(c, 200, &text);
	sb_free(&text);
	return true;
}

/* The answer by way of a json_t: the result, or the "text" it made. */
static void read_op_json(struct srv_call *c, struct machine *m,
			 const char *op, const json_t *args, bool text_ok)
{
	struct mm_error err = { 0 };
	json_t *result;

	if (api_op(m, op, args, &result, &err)) {
		op_refused(c, op, &err);
	} else if (text_ok && wants_text(c) &&
		   json_is_string(json_object_get(result, "text"))) {
		resp_text(c, 200, "text/plain; charset=utf-8",
			  xstrdup(json_string_value(json_object_get(result,
								    "text"))));
		json_decref(result);
	} else {
		resp_json(c, 200, result);
	}
}

/* A read-only op on the machine (or its state ?at= a generation): its
 * result as JSON, or the "text" it made as text. */
static void read_op(struct srv_call *c, const char *op, json_t *args,
		    bool text_ok)
{
	struct machine *m = NULL;
	struct read_key key;
	struct srv_machine *sm = read_machine(c, &m, &key);

	if (!sm) {
		json_decref(args);
		return;
	}
	if (!read_op_text(c, m, op, args, text_ok))
		read_op_json(c, m, op, args, text_ok);
	if (!resp_over_answer(c, narrowing(c)))
		cache_keep(c, sm, &key);
	read_done(c, sm, m);
	json_decref(args);
}

void h_ptdump(struct srv_call *c)
{
	json_t *args;

	if (!c->req->query(c->req->ctx, "pid")) {
		report(c, "pagetables");
		return;
	}
	args = json_object();
	if (query_pid(c, args))
		read_op(c, "process_pagetables", args, true);
}

void h_translate(struct srv_call *c)
{
	json_t *args = json_object();

	if (!c->req->query(c->req->ctx, "addr")) {
		json_decref(args);
		resp_problem(c, 400, "bad-argument", "translate needs ?addr= "
			     "(a virtual address such as 0xc0100000), and "
			     "optionally &pid= for a process's view");
		return;
	}
	if (!query_pid(c, args))
		return;
	query_arg(c, args, "addr");
	query_arg(c, args, "access");
	query_arg(c, args, "mode");
	read_op(c, "translate", args, false);
}

void h_frames(struct srv_call *c)
{
	json_t *args = json_object();

	query_arg(c, args, "start");
	query_arg(c, args, "count");
	read_op(c, "frames", args, false);
}

void h_processes(struct srv_call *c)
{
	read_op(c, "processes", json_object(), false);
}

void h_process_report(struct srv_call *c)
{
	const char *name = c->params[2];
	json_int_t pid;
	json_t *args;

	if (!call_pid(c, c->params[1], false, &pid))
		return;
	args = json_pack("{s:I}", "pid", pid);
	if (!strcmp(name, "pagemap")) {
		query_arg(c, args, "addr");
		query_arg(c, args, "len");
	}
	for (size_t i = 0; i < NPREPORTS; i++)
		if (!strcmp(process_reports[i].route, name))
			read_op(c, process_reports[i].op, args, true);
}

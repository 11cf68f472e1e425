/*
 * respond.c - how the daemon answers: JSON, the Linux text of a report,
 * or an RFC 9457 problem.
 */
#include "handlers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "strbuf.h"

/* Titles of the problems only the server raises; the api names its own. */
static const struct {
	const char *slug;
	const char *title;
} titles[] = {
	{ "no-route", "No such route" },
	{ "no-such-machine", "No such machine" },
	{ "method-not-allowed", "Method not allowed" },
	{ "malformed-json", "Malformed JSON" },
	{ "bad-utf8", "Invalid UTF-8" },
	{ "bad-body", "Invalid request body" },
	{ "body-too-large", "Request body too large" },
	{ "bad-request", "Malformed request" },
	{ "uri-too-long", "URI too long" },
	{ "headers-too-large", "Request headers too large" },
	{ "answer-too-large", "The answer would be too large" },
	{ "batch-too-large", "Too many operations in one batch" },
	{ "token-required", "Token required" },
	{ "unknown-token", "Unknown token" },
	{ "read-only-token", "The instructor token only reads" },
	{ "machine-quota", "Too many machines for this token" },
	{ "server-full", "The server holds all the machines it may" },
	{ "over-limit", "Over the server's limit" },
	{ "rate-limited", "Too many requests" },
	{ "shutting-down", "The server is restarting" },
	{ "store-unavailable", "Changes cannot be saved now" },
	{ "host-memory", "Over the server's host memory budget" },
	{ "internal", "Internal error" },
};

void resp_header(struct srv_call *c, const char *name, const char *fmt, ...)
{
	struct srv_resp *r = c->resp;
	va_list ap;

	if (r->nheaders == SRV_MAX_HEADERS)
		return;
	r->headers[r->nheaders].name = name;
	va_start(ap, fmt);
	vsnprintf(r->headers[r->nheaders].value,
		  sizeof(r->headers[0].value), fmt, ap);
	va_end(ap);
	r->nheaders++;
}

static void set_body(struct srv_call *c, int status, const char *ctype,
		     char *body)
{
	free(c->resp->body);
	c->resp->status = status;
	c->resp->content_type = ctype;
	c->resp->body = body;
	c->resp->len = body ? strlen(body) : 0;
}

/*
 * Indented for a person at a terminal (curl, or ?pretty), compact for
 * programs and browsers: the indentation is a third of a translate
 * answer's bytes and of the time it takes to write them.
 */
static bool pretty(const struct srv_call *c)
{
	const char *ua = c->req->header(c->req->ctx, "User-Agent");

	return c->req->query(c->req->ctx, "pretty") ||
	       (ua && !strncmp(ua, "curl/", 5));
}

/*
 * Where json_dump_callback writes an answer: a buffer on the stack that
 * holds every usual answer, moved to the heap when one outgrows it.
 * json_dumps would grow its own buffer from 16 bytes by doubling, copy
 * it once more, and dump() would copy it again to add the newline: six
 * to ten allocations per answer, more than the rest of a request made.
 * The heap is jansson's allocator, as json_dumps's buffer was, so an
 * answer jansson could not have written is unbuildable() here too.
 */
#define DUMP_STACK 4096

struct dump_buf {
	char *p;		/* stack, or heap once it outgrew the stack */
	size_t len, cap;
	bool heap;
};

static int dump_put(const char *s, size_t n, void *data)
{
	struct dump_buf *b = data;

	if (b->len + n + 2 > b->cap) {	/* room for "\n\0" kept */
		size_t cap = b->cap;
		json_malloc_t jmalloc;
		json_free_t jfree;
		char *p;

		while (b->len + n + 2 > cap)
			cap *= 2;
		json_get_alloc_funcs(&jmalloc, &jfree);
		if (!(p = jmalloc(cap)))
			return -1;
		memcpy(p, b->p, b->len);
		if (b->heap)
			jfree(b->p);
		b->p = p;
		b->cap = cap;
		b->heap = true;
	}
	/* most pieces are one character (a quote, a colon, a comma) */
	if (n == 1)
		b->p[b->len] = *s;
	else
		memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

/* The answer's text and a newline, malloc'd; NULL when it cannot be
 * had (out of memory). */
static char *dump(const struct srv_call *c, const json_t *j)
{
	size_t flags = JSON_ENCODE_ANY | (pretty(c) ? JSON_INDENT(2)
						     : JSON_COMPACT);
	char stack[DUMP_STACK];
	struct dump_buf b = { .p = stack, .cap = sizeof(stack) };
	char *out = NULL;
	json_free_t jfree;

	json_get_alloc_funcs(NULL, &jfree);
	if (!json_dump_callback(j, dump_put, &b, flags) &&
	    (out = malloc(b.len + 2))) {
		memcpy(out, b.p, b.len);
		out[b.len] = '\n';
		out[b.len + 1] = '\0';
	}
	if (b.heap)
		jfree(b.p);
	return out;	/* NULL: out of memory, unbuildable() */
	return out;
}

/*
 * json_dumps gave up (out of memory): a fixed problem, never a 200 with
 * a body cut short.  The request's changes, if any, were made and go to
 * the journal as usual; the detail says so.
 */
static void unbuildable(struct srv_call *c)
{
	static const char text[] =
		"{\"type\": \"https://mmlab.dev/problems/answer-unavailable\", "
		"\"title\": \"The answer could not be built\", \"status\": 503, "
		"\"detail\": \"the server ran short of memory writing this "
		"answer; whatever the request changed was kept, so look at the "
		"machine before sending it again, and ask for less at once (a "
		"smaller batch, a narrower report)\"}\n";
	char *body = malloc(sizeof(text));

	if (body)
		memcpy(body, text, sizeof(text));
	set_body(c, 503, "application/problem+json", body);
	resp_header(c, "Retry-After", "5");
}

void resp_json(struct srv_call *c, int status, json_t *j)
{
	char *body = dump(c, j);

	json_decref(j);
	if (!body) {
		unbuildable(c);
		return;
	}
	set_body(c, status, "application/json", body);
}

bool resp_compact(const struct srv_call *c)
{
	return !pretty(c);
}

void resp_json_text(struct srv_call *c, int status, struct strbuf *text)
{
	sb_putn(text, "\n", 1);	/* as dump() ends every answer */
	set_body(c, status, "application/json", sb_detach(text));
}

void resp_text(struct srv_call *c, int status, const char *ctype, char *text)
{
	set_body(c, status, ctype, text);
}

/*
 * Every answer built from the model is bounded as a batch's is: a
 * report past --max-answer (a 64 GiB machine's frame map, the page
 * tables of many processes) leaves as a 413 that says how to ask for
 * less, not as megabytes a slow client pins.  It was built to be
 * measured; only reads and op results come here, never a change's
 * answer (the change was made).
 */
bool resp_over_answer(struct srv_call *c, const char *narrow)
{
	size_t len = c->resp->len, max = c->s->opt.max_answer;

	if (c->resp->status != 200 || len <= max)
		return false;
	resp_problem(c, 413, "answer-too-large", "this answer would be %zu "
		     "bytes, over this server's limit of %zu (--max-answer); "
		     "%s", len, max, narrow);
	return true;
}

void resp_problem_obj(struct srv_call *c, int status, json_t *p)
{
	char *body;

	json_object_set_new(p, "status", json_integer(status));
	json_object_set_new(p, "instance", json_string(c->req->path));
	body = dump(c, p);
	json_decref(p);
	if (!body) {
		unbuildable(c);
		return;
	}
	set_body(c, status, "application/problem+json", body);
}

static json_t *vproblem(int status, const char *slug, const char *fmt,
			va_list ap)
{
	struct mm_error e = { .kind = MM_EINVAL };
	json_t *p;

	snprintf(e.type, sizeof(e.type), "%s", slug);
	vsnprintf(e.detail, sizeof(e.detail), fmt, ap);
	p = api_problem(&e);
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (!strcmp(titles[i].slug, slug))
			json_object_set_new(p, "title",
					    json_string(titles[i].title));
	json_object_set_new(p, "status", json_integer(status));
	return p;
}

json_t *srv_time_json(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *srv_problem(int status, const char *slug, const char *fmt, ...)
{
	va_list ap;
	json_t *p;

	va_start(ap, fmt);
	p = vproblem(status, slug, fmt, ap);
	va_end(ap);
	return p;
}

void resp_problem(struct srv_call *c, int status, const char *slug,
		  const char *fmt, ...)
{
	va_list ap;
	json_t *p;

	va_start(ap, fmt);
	p = vproblem(status, slug, fmt, ap);
	va_end(ap);
	resp_problem_obj(c, status, p);
}

void resp_mm_error(struct srv_call *c, const struct mm_error *err)
{
	resp_problem_obj(c, api_http_status(err), api_problem(err));
}

bool wants_text(const struct srv_call *c)
{
	const char *a = c->req->header(c->req->ctx, "Accept");
	const char *f = c->req->query(c->req->ctx, "format");

	if (f)
		return !strcmp(f, "text");
	return a && strstr(a, "text/plain") && !strstr(a, "application/json");
}

/*
 * router.c - every route of the daemon, and the path from a request to
 * its handler: the rate limit, the body checks, the match, 404 and 405.
 *
 * The table below is the public contract; /openapi.json documents the
 * same routes and a test keeps the two in step.
 */
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {file}: anything but "v1", whose paths are the API's */
static bool file_ok(const char *name)
{
	return strcmp(name, "v1") != 0;
}

/*
 * A route's last {…} part takes only the names its name_ok allows, so
 * one pattern serves two methods with different names: GET
 * /processes/1/maps and POST /processes/1/fork; GET /processes/1/fork
 * is then 405 (Allow: POST), and a name neither takes 404.
 */
const struct srv_route srv_routes[] = {
	{ "GET", "/healthz", h_healthz, false, "Liveness", NULL },
	{ "GET", "/metrics", h_metrics, false, "Prometheus metrics", NULL },
	{ "GET", "/openapi.json", h_openapi, false, "This API as OpenAPI 3.1",
	  NULL },
	{ "GET", "/v1/machines", h_list, false, "The caller's machines", NULL },
	{ "POST", "/v1/machines", h_create, true, "Boot a new machine", NULL },
	{ "GET", "/v1/machines/{id}", h_get, false, "One machine", NULL },
	{ "DELETE", "/v1/machines/{id}", h_delete, false, "Remove a machine",
	  NULL },
	{ "POST", "/v1/machines/{id}/reset", h_reset, true,
	  "Reboot a machine from its configuration", NULL },
	{ "GET", "/v1/machines/{id}/history", h_history, false,
	  "The machine's changes in order, with their results", NULL },
	{ "POST", "/v1/machines/{id}/undo", h_undo, true,
	  "Take the machine back to an earlier generation", NULL },
	{ "POST", "/v1/machines/{id}/ops", h_batch, true,
	  "Run several operations in order", NULL },
	{ "GET", "/v1/machines/{id}/proc/{report}", h_proc, false,
	  "A /proc file or another report", srv_is_report },
	{ "GET", "/v1/machines/{id}/dmesg", h_dmesg, false, "The boot log",
	  NULL },
	{ "GET", "/v1/machines/{id}/layout", h_layout, false,
	  "The kernel's virtual memory layout", NULL },
	{ "GET", "/v1/machines/{id}/ptdump", h_ptdump, false,
	  "A page-table dump (the kernel's, or ?pid=)", NULL },
	{ "GET", "/v1/machines/{id}/translate", h_translate, false,
	  "Walk the page tables for ?addr= (and ?pid=)", NULL },
	{ "GET", "/v1/machines/{id}/frames", h_frames, false,
	  "Compact frame state for drawing", NULL },
	{ "GET", "/v1/machines/{id}/processes", h_processes, false,
	  "The machine's processes", NULL },
	{ "POST", "/v1/machines/{id}/processes", h_process_create, true,
	  "Start a process", NULL },
	{ "GET", "/v1/machines/{id}/processes/{pid}/{name}", h_process_report,
	  false, "A process's maps, status, pagemap, ptdump",
	  srv_is_process_report },
	{ "POST", "/v1/machines/{id}/processes/{pid}/{name}", h_process_op,
	  true, "An operation on a process", srv_is_process_op },
	{ "POST", "/v1/machines/{id}/{op}", h_op, true,
	  "One model operation, named as the kernel function", srv_is_op },
	{ "GET", "/v1/exercises", h_ex_catalogue, false,
	  "The exercise catalogue", NULL },
	{ "POST", "/v1/exercises", h_ex_create, true,
	  "A self-study exercise, with its own machine", NULL },
	{ "GET", "/v1/exercises/{id}", h_ex_get, false,
	  "One exercise and its attempts (its key once revealed)", NULL },
	{ "POST", "/v1/exercises/{id}/answers", h_ex_answer, true,
	  "Answer an exercise: each field graded", NULL },
	{ "POST", "/v1/exercises/{id}/reveal", h_ex_reveal, true,
	  "Run the proof on the exercise's machine, and show the key", NULL },
	{ "GET", "/v1/me", h_me, false,
	  "The caller's exercises (and assignments)", NULL },
	{ "GET", "/v1/classes", h_classes_list, false,
	  "The classes (instructor)", NULL },
	{ "POST", "/v1/classes", h_class_create, true,
	  "Create a class (instructor)", NULL },
	{ "GET", "/v1/classes/{code}", h_class_get, false,
	  "A class: its roster and assignments (instructor)", NULL },
	{ "POST", "/v1/classes/{code}/assignments", h_assignment_create, true,
	  "Add an assignment to a class (instructor)", NULL },
	{ "GET", "/v1/classes/{code}/grades", h_grades, false,
	  "The gradebook: JSON, CSV or Gradescope (instructor)", NULL },
	{ "GET", "/v1/classes/{code}/students/{student}", h_class_student,
	  false, "One student's exercises and attempts (instructor)", NULL },
	{ "POST", "/v1/classes/{code}/join", h_join, true,
	  "Join a class: a student's token", NULL },
	{ "GET", "/{file}", h_static, false, "The web page", file_ok },
};
const size_t srv_nroutes = sizeof(srv_routes) / sizeof(srv_routes[0]);

const char *srv_route_name(int i)
{
	return i >= 0 && (size_t)i < srv_nroutes ? srv_routes[i].pattern : NULL;
}

#define MAX_SEGS 8
#define SEG_MAX 128

struct split {
	char buf[MAX_SEGS][SEG_MAX];
	unsigned n;
};

/* "/a/b/c" into its segments; false when too deep or too long to route */
static bool split_path(const char *path, struct split *sp)
{
	const char *p = path;

	sp->n = 0;
	if (*p != '/')
		return false;
	while (*p == '/') {
		const char *e;
		size_t len;

		p++;
		e = strchr(p, '/');
		len = e ? (size_t)(e - p) : strlen(p);
		if (!len && !e)
			break;		/* a trailing slash */
		if (sp->n == MAX_SEGS || len >= SEG_MAX || !len)
			return false;
		memcpy(sp->buf[sp->n], p, len);
		sp->buf[sp->n++][len] = '\0';
		p += len;
	}
	return true;
}

static bool match(const struct srv_route *r, const struct split *sp,
		  struct srv_call *c)
{
	const char *p = r->pattern;
	unsigned i = 0;

	c->nparams = 0;
	while (*p == '/') {
		const char *e = strchr(p + 1, '/');
		size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);

		if (i >= sp->n)
			return false;
		if (p[1] == '{') {
			/* the last {…} is a name the route must take */
			if (c->nparams == SRV_MAX_PARAMS ||
			    (r->name_ok && !strchr(p + 1 + len, '{') &&
			     !r->name_ok(sp->buf[i])))
				return false;
			c->params[c->nparams++] = sp->buf[i];
		} else if (strlen(sp->buf[i]) != len ||
			   strncmp(sp->buf[i], p + 1, len)) {
			return false;
		}
		i++;
		p += len + 1;
	}
	return i == sp->n;
}

static bool method_is(const char *route, const char *method)
{
	/* HEAD is a GET without the body; libmicrohttpd drops the body */
	return !strcmp(route, method) ||
	       (!strcmp(method, "HEAD") && !strcmp(route, "GET"));
}

/* The route for the request, or -1 after answering 404 or 405. */
static int route_find(struct srv_call *c, struct split *sp)
{
	char allow[64] = "";

	if (!split_path(c->req->path, sp)) {
		resp_problem(c, 404, "no-route", "there is nothing at this "
			     "path; the API is under /v1/machines (see "
			     "/openapi.json)");
		return -1;
	}
	if (sp->n == 0) {		/* "/" is the web page */
		snprintf(sp->buf[0], SEG_MAX, "index.html");
		sp->n = 1;
	}
	/* the routes of the request's method first: matching a path costs
	 * more than comparing a method, and the others matter only for
	 * the Allow of a 405 (the first route that takes both still wins) */
	for (size_t i = 0; i < srv_nroutes; i++)
		if (method_is(srv_routes[i].method, c->req->method) &&
		    match(&srv_routes[i], sp, c))
			return (int)i;
	for (size_t i = 0; i < srv_nroutes; i++) {
		if (!match(&srv_routes[i], sp, c))
			continue;
		if (!strstr(allow, srv_routes[i].method))
			snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow),
				 "%s%s", allow[0] ? ", " : "", srv_routes[i].method);
	}
	if (allow[0]) {
		if (strstr(allow, "GET") && !strstr(allow, "HEAD"))
			strncat(allow, ", HEAD", sizeof(allow) - strlen(allow) - 1);
		resp_header(c, "Allow", "%s", allow);
		resp_problem(c, 405, "method-not-allowed", "%s is not allowed "
			     "on %s; use %s", c->req->method, c->req->path,
			     allow);
		return -1;
	}
	if (sp->n >= 3 && !strcmp(sp->buf[0], "v1") &&
	    !strcmp(sp->buf[1], "machines"))
		resp_problem(c, 404, "no-route", "there is no operation or "
			     "report '%s'; operations are POST "
			     "/v1/machines/{id}/{operation} named as the kernel "
			     "function (kmalloc, vmalloc, alloc_pages ...), "
			     "reports GET /v1/machines/{id}/proc/{name} (see "
			     "/openapi.json)", sp->buf[sp->n - 1]);
	else
		resp_problem(c, 404, "no-route", "there is nothing at %s; the "
			     "API is under /v1/machines (see /openapi.json)",
			     c->req->path);
	return -1;
}

static const char *bearer(const struct srv_req *req)
{
	const char *h = req->header(req->ctx, "Authorization");

	if (h && !strncasecmp(h, "Bearer ", 7)) {
		h += 7;
		while (*h == ' ')
			h++;
		return *h ? h : NULL;
	}
	return req->query(req->ctx, "token");
}

/* The body as JSON: absent or empty is {}, anything else must parse. */
static bool parse_body(struct srv_call *c)
{
	json_error_t je;

	if (!c->req->body_len) {
		c->body = json_object();
		return true;
	}
	c->body = json_loadb(c->req->body, c->req->body_len,
			     JSON_REJECT_DUPLICATES, &je);
	if (c->body)
		return true;
	if (json_error_code(&je) == json_error_invalid_utf8)
		resp_problem(c, 400, "bad-utf8", "the request body is not "
			     "valid UTF-8 (at byte %d); send JSON text in UTF-8",
			     je.position);
	else
		resp_problem(c, 400, "malformed-json", "the request body is "
			     "not valid JSON: %s (line %d, column %d)", je.text,
			     je.line, je.column);
	return false;
}

static bool admit(struct srv_call *c)
{
	unsigned retry;

	/* a retry (its machine was busy) was admitted before the signal;
	 * once the drain has run out it is refused like any other */
	if (c->req->admitted && !atomic_load(&c->s->stopping))
		return true;
	/* a request under way when the signal came is finished like the
	 * others; one that arrives after it is sent elsewhere */
	if (atomic_load(&c->s->draining) &&
	    (!c->req->under_way || atomic_load(&c->s->stopping))) {
		resp_header(c, "Retry-After", "5");
		resp_problem(c, 503, "shutting-down", "the server is "
			     "restarting; try again in a few seconds");
		return false;
	}
	if (!rl_take(&c->s->rate, c->req->client, c->req->now_ms, &retry)) {
		resp_header(c, "Retry-After", "%u", retry);
		resp_problem(c, 429, "rate-limited", "more than %u requests a "
			     "second from %s; wait %u s (Retry-After) and slow "
			     "down", c->s->opt.rate, c->req->client, retry);
		return false;
	}
	return true;
}

void srv_handle(struct srv *s, const struct srv_req *req,
		struct srv_resp *resp)
{
	struct srv_call c = { .s = s, .req = req, .resp = resp };
	struct split sp;
	int r;

	memset(resp, 0, sizeof(*resp));
	resp->route = -1;
	c.token = bearer(req);
	c.instructor = c.token && s->opt.instructor_token[0] &&
		       srv_token_equal(c.token, s->opt.instructor_token);
	/* health checks and scrapes are never rate limited */
	if (strcmp(req->path, "/healthz") && strcmp(req->path, "/metrics") &&
	    !admit(&c))
		return;
	if (req->bad_request) {
		resp_problem(&c, req->bad_status ? req->bad_status : 400,
			     req->bad_type ? req->bad_type : "bad-request", "%s",
			     req->bad_request);
		return;
	}
	if ((r = route_find(&c, &sp)) < 0)
		return;
	resp->route = r;
	if (req->body_too_large) {
		resp_problem(&c, 413, "body-too-large", "the request body is "
			     "over the limit of %zu bytes; send less (a batch "
			     "of fewer operations)", s->opt.max_body);
		return;
	}
	if (srv_routes[r].json_body && !parse_body(&c))
		return;
	srv_routes[r].fn(&c);
	json_decref(c.body);
}

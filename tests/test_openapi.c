/*
 * test_openapi.c - api/openapi.json and the router in step: every route
 * documented and nothing documented that the router would 404; for every
 * operation a path whose body takes exactly the operation's arguments;
 * the enums of operations and reports equal the api's lists; every $ref
 * resolves.  Each difference is printed, then the test fails.
 *
 * The router is asked directly: a concrete documented path such as
 * /v1/machines/{id}/kmalloc is sent through srv_handle() (with an id no
 * machine has, so no handler changes anything) and the route it picks is
 * compared with the document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "handlers.h"
#include "options.h"
#include "server.h"

#define DOC_FILE "api/openapi.json"
#define NO_MACHINE "nosuch-000000000000"
#define OP_ROUTE "/v1/machines/{id}/{op}"
/* one pattern, two methods: GET takes reports, POST operations */
#define PROC_ROUTE "/v1/machines/{id}/processes/{pid}/{name}"
#define BATCH_PATH "/v1/machines/{id}/ops"

extern const char srv_openapi_json[];

static const char *const methods[] = {
	"get", "put", "post", "delete", "options", "head", "patch", "trace",
	NULL
};

struct ctx {
	json_t *doc;
	struct srv *srv;
	unsigned bad;		/* differences found by the running test */
};

/* Print one difference; the test fails at its end (finish()). */
static void differ(struct ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void differ(struct ctx *x, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	print_error("openapi: %s\n", buf);
	x->bad++;
}

static void finish(struct ctx *x, const char *what)
{
	unsigned n = x->bad;

	x->bad = 0;
	if (n)
		fail_msg("%u difference%s between " DOC_FILE " and %s (listed "
			 "above)", n, n == 1 ? "" : "s", what);
}

/* --- the document ------------------------------------------------------------- */

/* A local reference "#/a/b~1c" in doc, or NULL. */
static json_t *pointer(json_t *doc, const char *ref)
{
	char tok[256];
	json_t *v = doc;
	const char *p;

	if (strncmp(ref, "#/", 2))
		return NULL;
	p = ref + 2;
	while (v && *p) {
		size_t n = 0;

		while (*p && *p != '/' && n + 1 < sizeof(tok)) {
			if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
				tok[n++] = p[1] == '0' ? '~' : '/';
				p += 2;
			} else {
				tok[n++] = *p++;
			}
		}
		tok[n] = '\0';
		if (*p == '/')
			p++;
		if (json_is_array(v)) {
			char *end;
			unsigned long i = strtoul(tok, &end, 10);

			v = *end ? NULL : json_array_get(v, i);
		} else {
			v = json_object_get(v, tok);
		}
	}
	return v;
}

/* v with its $ref followed (a chain of them); NULL when one dangles. */
static json_t *deref(json_t *doc, json_t *v)
{
	for (int i = 0; i < 16 && json_is_object(v); i++) {
		const char *ref = json_string_value(json_object_get(v, "$ref"));

		if (!ref)
			return v;
		v = pointer(doc, ref);
	}
	return json_is_object(v) ? v : NULL;
}

static const char *str_of(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v ? v : "";
}

static json_t *path_item(struct ctx *x, const char *path)
{
	return json_object_get(json_object_get(x->doc, "paths"), path);
}

static json_t *operation(struct ctx *x, const char *path, const char *method)
{
	return deref(x->doc, json_object_get(path_item(x, path), method));
}

/* The JSON schema of an operation's request body, or NULL. */
static json_t *body_schema(struct ctx *x, json_t *op)
{
	json_t *rb = deref(x->doc, json_object_get(op, "requestBody"));
	json_t *media = json_object_get(json_object_get(rb, "content"),
					"application/json");

	return deref(x->doc, json_object_get(media, "schema"));
}

/* The schema of the parameter called name, at the operation or its path. */
static json_t *param_schema(struct ctx *x, const char *path,
			    const char *method, const char *name)
{
	json_t *lists[2] = {
		json_object_get(operation(x, path, method), "parameters"),
		json_object_get(path_item(x, path), "parameters"),
	};

	for (int l = 0; l < 2; l++) {
		size_t i;
		json_t *p;

		json_array_foreach(lists[l], i, p) {
			p = deref(x->doc, p);
			if (p && !strcmp(str_of(p, "name"), name))
				return deref(x->doc, json_object_get(p, "schema"));
		}
	}
	return NULL;
}

static bool in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static bool in_json_array(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

/* "post" -> "POST" (up), "POST" -> "post" */
static void recase(const char *s, bool up, char *out, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		out[i] = (char)(up ? toupper((unsigned char)s[i])
				   : tolower((unsigned char)s[i]));
	out[i] = '\0';
}

/* --- the router --------------------------------------------------------------- */

static const char *no_value(void *c, const char *name)
{
	(void)c;
	(void)name;
	return NULL;
}

/* The route the router picks for method and path, -1 when it answers
 * 404 or 405 itself; *status is the answer. */
static int route_of(struct ctx *x, const char *method, const char *path,
		    int *status)
{
	struct srv_req req = {
		.method = method, .path = path, .client = "192.0.2.9",
		.body = "", .body_len = 0, .now_ms = 1000,
		.now_unix = 1700000000, .header = no_value, .query = no_value,
	};
	struct srv_resp resp;
	int route;

	srv_handle(x->srv, &req, &resp);
	route = resp.route;
	if (status)
		*status = resp.status;
	srv_resp_free(&resp);
	return route;
}

/* The documented path with its machine and process filled in: the
 * request a client would send. */
static bool concrete(const char *tmpl, char *out, size_t len)
{
	size_t n = 0;

	for (const char *p = tmpl; *p;) {
		const char *v = NULL;
		size_t skip = 0;

		if (!strncmp(p, "{id}", 4))
			v = NO_MACHINE, skip = 4;
		else if (!strncmp(p, "{pid}", 5))
			v = "1", skip = 5;
		else if (*p == '{')
			return false;
		if (v) {
			n += (size_t)snprintf(out + n, n < len ? len - n : 0,
					      "%s", v);
			p += skip;
		} else {
			if (n + 1 < len)
				out[n] = *p;
			n++;
			p++;
		}
	}
	if (n >= len)
		return false;
	out[n] = '\0';
	return true;
}

static unsigned split(const char *path, char segs[][64], unsigned max)
{
	unsigned n = 0;

	for (const char *p = path; *p == '/' && p[1] && n < max;) {
		const char *e = strchr(p + 1, '/');
		size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);

		snprintf(segs[n++], 64, "%.*s", (int)len, p + 1);
		p += len + 1;
	}
	return n;
}

/*
 * Whether the documented path is an instance of the route's pattern: the
 * same segments, {id} and {pid} where the pattern has them, and a name
 * where it has its last {…} and checks that part's names (name_ok: an
 * operation, a report).  *name is that name.
 */
static bool instance_of(const char *doc_path, const struct srv_route *r,
			const char **name, char *buf, size_t len)
{
	char a[8][64], b[8][64];
	unsigned na = split(doc_path, a, 8), nb = split(r->pattern, b, 8);
	unsigned last = nb;

	*name = NULL;
	if (na != nb)
		return false;
	for (unsigned i = 0; i < nb; i++)
		if (b[i][0] == '{')
			last = i;
	for (unsigned i = 0; i < na; i++) {
		if (!strcmp(a[i], b[i]))
			continue;
		if (a[i][0] == '{' || i != last || !r->name_ok ||
		    strlen(a[i]) >= len)
			return false;
		memcpy(buf, a[i], strlen(a[i]) + 1);
		*name = buf;
	}
	return true;
}

/* --- the header, and the document the daemon serves --------------------------- */

static void test_header(void **state)
{
	struct ctx *x = *state;
	const char *v = json_string_value(json_object_get(x->doc, "openapi"));
	json_t *info = json_object_get(x->doc, "info");
	json_t *served = json_loads(srv_openapi_json, 0, NULL);

	if (!v || strncmp(v, "3.1.", 4))
		differ(x, "\"openapi\" is %s; it must be 3.1.x",
		       v ? v : "missing");
	if (!json_string_length(json_object_get(info, "title")))
		differ(x, "info.title is missing or empty");
	if (!json_string_length(json_object_get(info, "version")))
		differ(x, "info.version is missing or empty");
	if (!json_is_object(json_object_get(x->doc, "paths")))
		differ(x, "there is no \"paths\" object");
	if (!json_equal(served, x->doc))
		differ(x, "the document compiled into the daemon "
		       "(srv_openapi_json) is not " DOC_FILE "; rebuild");
	json_decref(served);
	finish(x, "OpenAPI 3.1");
}

/* --- routes <-> paths --------------------------------------------------------- */

static void test_every_route_documented(void **state)
{
	struct ctx *x = *state;

	for (size_t i = 0; i < srv_nroutes; i++) {
		const struct srv_route *r = &srv_routes[i];
		char m[16];

		recase(r->method, false, m, sizeof(m));
		if (!path_item(x, r->pattern))
			differ(x, "route %s %s (%s) has no path in the document",
			       r->method, r->pattern, r->summary);
		else if (!operation(x, r->pattern, m))
			differ(x, "route %s %s (%s) is routed but path %s has no "
			       "\"%s\" operation", r->method, r->pattern,
			       r->summary, r->pattern, m);
	}
	if (!operation(x, "/", "get"))
		differ(x, "GET / (the web page) is not documented");
	finish(x, "the route table srv_routes[] (server/router.c)");
}

/* The {x} of a path template, each declared as a path parameter, and
 * nothing else declared in the path. */
static void check_path_params(struct ctx *x, const char *path,
			      const char *method)
{
	char M[16];
	char segs[8][64];
	unsigned n = split(path, segs, 8);
	json_t *lists[2] = {
		json_object_get(path_item(x, path), "parameters"),
		json_object_get(operation(x, path, method), "parameters"),
	};

	recase(method, true, M, sizeof(M));
	for (unsigned i = 0; i < n; i++) {
		char name[64];

		if (segs[i][0] != '{')
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)strlen(segs[i]) - 2,
			 segs[i] + 1);
		if (!param_schema(x, path, method, name))
			differ(x, "%s %s: path parameter {%s} is not declared "
			       "(with a schema)", M, path, name);
	}
	for (int l = 0; l < 2; l++) {
		size_t i;
		json_t *p;

		json_array_foreach(lists[l], i, p) {
			const char *name, *in;
			char want[80];

			p = deref(x->doc, p);
			name = json_string_value(json_object_get(p, "name"));
			in = json_string_value(json_object_get(p, "in"));
			if (!name || !in || strcmp(in, "path"))
				continue;
			snprintf(want, sizeof(want), "{%s}", name);
			if (!strstr(path, want))
				differ(x, "%s %s declares path parameter %s, which "
				       "the path does not have", M, path, name);
			if (!json_is_true(json_object_get(p, "required")))
				differ(x, "%s %s: path parameter %s must be "
				       "required: true", M, path, name);
		}
	}
}

/* A concrete instance of an operation's route is named after it. */
static void check_operation_id(struct ctx *x, const char *path,
			       const char *method, const char *pattern,
			       const char *name)
{
	const char *id = json_string_value(json_object_get(
		operation(x, path, method), "operationId"));
	char want[96], M[16];

	if (strcmp(method, "post"))
		return;
	if (!strcmp(pattern, OP_ROUTE))
		snprintf(want, sizeof(want), "%s", name);
	else if (!strcmp(pattern, PROC_ROUTE))
		snprintf(want, sizeof(want), "process_%s", name);
	else
		return;
	recase(method, true, M, sizeof(M));
	if (!id || strcmp(id, want))
		differ(x, "%s %s: operationId is %s; the operation's path "
		       "should say %s", M, path, id ? id : "missing", want);
}

static void check_documented(struct ctx *x, const char *path, const char *m)
{
	char M[16], sample[512], namebuf[64];
	const char *name;
	int r, status;

	recase(m, true, M, sizeof(M));
	for (size_t i = 0; i < srv_nroutes; i++) {
		const char *rm = srv_routes[i].method;

		/* a route's own pattern (and HEAD wherever GET is) */
		if (!strcmp(srv_routes[i].pattern, path) &&
		    (!strcmp(rm, M) || (!strcmp(M, "HEAD") && !strcmp(rm, "GET"))))
			return;
	}
	for (size_t i = 0; i < srv_nroutes; i++) {
		if (strcmp(srv_routes[i].pattern, path) || !strchr(path, '{') ||
		    concrete(path, sample, sizeof(sample)))
			continue;
		differ(x, "%s %s is documented, but the router takes pattern "
		       "%s with %s only (405 for %s)", M, path, path,
		       srv_routes[i].method, M);
		return;
	}
	if (!concrete(path, sample, sizeof(sample))) {
		differ(x, "%s %s is neither a route pattern nor a concrete "
		       "path (only {id} and {pid} may stay templated)", M, path);
		return;
	}
	r = route_of(x, M, sample, &status);
	if (r < 0) {
		differ(x, "%s %s is documented but the router answers %d "
		       "to %s %s", M, path, status, M, sample);
		return;
	}
	if (!strcmp(path, "/") && !strcmp(srv_routes[r].pattern, "/{file}"))
		return;
	if (!instance_of(path, &srv_routes[r], &name, namebuf,
			 sizeof(namebuf)) || !name) {
		differ(x, "%s %s is documented, but the router sends %s to "
		       "route %s %s, whose pattern it does not instantiate", M,
		       path, sample, srv_routes[r].method,
		       srv_routes[r].pattern);
		return;
	}
	check_operation_id(x, path, m, srv_routes[r].pattern, name);
}

static void test_nothing_documented_unrouted(void **state)
{
	struct ctx *x = *state;
	const char *path;
	json_t *item;

	json_object_foreach(json_object_get(x->doc, "paths"), path, item) {
		for (const char *const *m = methods; *m; m++) {
			if (!json_object_get(item, *m))
				continue;
			check_documented(x, path, *m);
			check_path_params(x, path, *m);
		}
	}
	finish(x, "what the router accepts");
}

/* --- operations --------------------------------------------------------------- */

/* The body schema of method path takes exactly args (less "pid" when
 * drop_pid), and nothing else. */
static void check_body(struct ctx *x, const char *path, const char *op,
		       const char *const *args, bool drop_pid)
{
	json_t *schema = body_schema(x, operation(x, path, "post"));
	json_t *props = deref(x->doc, json_object_get(schema, "properties"));
	const char *key;
	json_t *v;

	if (!schema) {
		differ(x, "POST %s has no application/json request body schema",
		       path);
		return;
	}
	if (!json_is_false(json_object_get(schema, "additionalProperties")))
		differ(x, "POST %s: the body schema needs "
		       "\"additionalProperties\": false (the api refuses "
		       "unknown arguments)", path);
	if (!json_is_object(props)) {
		differ(x, "POST %s: the body schema has no \"properties\"", path);
		return;
	}
	for (const char *const *a = args; a && *a; a++) {
		if (drop_pid && !strcmp(*a, "pid"))
			continue;
		if (!json_object_get(props, *a))
			differ(x, "POST %s: %s takes argument \"%s\", which the "
			       "body schema lacks", path, op, *a);
	}
	json_object_foreach(props, key, v) {
		if (!in_list(args, key) || (drop_pid && !strcmp(key, "pid")))
			differ(x, "POST %s: the body schema has \"%s\", which %s "
			       "does not take%s", path, key, op,
			       drop_pid && !strcmp(key, "pid")
			       ? " here (the path gives the pid)" : "");
		if (!deref(x->doc, v))
			differ(x, "POST %s: the schema of argument \"%s\" is a "
			       "dangling $ref", path, key);
	}
}

/* Whether POST /v1/machines/{id}/op reaches the {op} route; else the
 * route that takes it first. */
static bool reaches_op_route(struct ctx *x, const char *op, int *route)
{
	char sample[256];

	snprintf(sample, sizeof(sample), "/v1/machines/" NO_MACHINE "/%s", op);
	*route = route_of(x, "POST", sample, NULL);
	return *route >= 0 && !strcmp(srv_routes[*route].pattern, OP_ROUTE);
}

/* Whether method /v1/machines/{id}/processes/1/name reaches the process
 * route of that method (GET a report, POST an operation). */
static bool reaches_proc_route(struct ctx *x, const char *method,
			       const char *name)
{
	char sample[256];
	int r;

	snprintf(sample, sizeof(sample),
		 "/v1/machines/" NO_MACHINE "/processes/1/%s", name);
	r = route_of(x, method, sample, NULL);
	return r >= 0 && !strcmp(srv_routes[r].pattern, PROC_ROUTE) &&
	       !strcmp(srv_routes[r].method, method);
}

static void test_every_operation_has_its_path(void **state)
{
	struct ctx *x = *state;
	const char *op;

	for (size_t i = 0; (op = api_op_name(i)); i++) {
		const char *const *args = api_op_args(op);
		char path[256];
		int r;

		snprintf(path, sizeof(path), "/v1/machines/{id}/%s", op);
		if (reaches_op_route(x, op, &r) != srv_is_op(op))
			differ(x, "srv_is_op(\"%s\") says %s but the router "
			       "sends POST /v1/machines/{id}/%s to %s %s", op,
			       srv_is_op(op) ? "yes" : "no", op,
			       r >= 0 ? srv_routes[r].method : "-",
			       r >= 0 ? srv_routes[r].pattern : "(none)");
		if (!reaches_op_route(x, op, &r)) {
			/* the router gives this name to another route first */
			print_message("note: POST /v1/machines/{id}/%s goes to "
				      "route %s %s, not to operation %s; it is "
				      "reached in a batch\n", op,
				      r >= 0 ? srv_routes[r].method : "-",
				      r >= 0 ? srv_routes[r].pattern : "(none)",
				      op);
		} else if (!operation(x, path, "post")) {
			differ(x, "operation %s has no path POST %s", op, path);
		} else {
			check_body(x, path, op, args, false);
		}
		if (reaches_proc_route(x, "POST", op) != srv_is_process_op(op))
			differ(x, "srv_is_process_op(\"%s\") says %s but the "
			       "router %s POST " PROC_ROUTE " with it", op,
			       srv_is_process_op(op) ? "yes" : "no",
			       srv_is_process_op(op) ? "does not route"
						     : "routes");
		if (!reaches_proc_route(x, "POST", op))
			continue;
		snprintf(path, sizeof(path),
			 "/v1/machines/{id}/processes/{pid}/%s", op);
		if (!operation(x, path, "post"))
			differ(x, "process operation %s has no path POST %s",
			       op, path);
		else
			check_body(x, path, op, args, true);
	}
	finish(x, "the api's operations (api_op_name, api_op_args)");
}

/* --- enums -------------------------------------------------------------------- */

/* enum equals the names ok() accepts among candidates, exactly. */
static void check_enum(struct ctx *x, const char *where, const json_t *schema,
		       const char *const *want)
{
	const json_t *e = json_object_get(schema, "enum");
	size_t i;
	json_t *v;

	if (!json_is_array(e)) {
		differ(x, "%s: no enum", where);
		return;
	}
	for (const char *const *w = want; *w; w++)
		if (!in_json_array(e, *w))
			differ(x, "%s: the enum lacks \"%s\"", where, *w);
	json_array_foreach(e, i, v)
		if (!json_is_string(v) || !in_list(want, json_string_value(v)))
			differ(x, "%s: the enum has %s, which the server does "
			       "not take there", where,
			       json_is_string(v) ? json_string_value(v)
						 : "a non-string");
}

#define MAX_NAMES 128

/* A pattern whose methods take different names (GET a report, POST an
 * operation) declares its name parameter on each operation, with that
 * method's enum, and not on the path, where one enum would serve both. */
static void check_name_per_operation(struct ctx *x)
{
	for (size_t i = 0; i < srv_nroutes; i++) {
		const struct srv_route *r = &srv_routes[i];
		const char *last = strrchr(r->pattern, '{');
		char name[64];
		size_t k;
		json_t *p;

		if (!r->name_ok || !last)
			continue;
		for (k = 0; k < i; k++)		/* once per pattern */
			if (!strcmp(srv_routes[k].pattern, r->pattern))
				break;
		if (k < i)
			continue;
		for (k = i + 1; k < srv_nroutes; k++)
			if (!strcmp(srv_routes[k].pattern, r->pattern) &&
			    srv_routes[k].name_ok != r->name_ok)
				break;
		if (k == srv_nroutes)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(last + 1, "}"),
			 last + 1);
		json_array_foreach(json_object_get(path_item(x, r->pattern),
						   "parameters"), k, p) {
			p = deref(x->doc, p);
			if (p && !strcmp(str_of(p, "name"), name))
				differ(x, "path %s declares {%s} for all its "
				       "methods, but each takes its own names: "
				       "declare it on each operation", r->pattern,
				       name);
		}
	}
}

static void test_enums(void **state)
{
	struct ctx *x = *state;
	const char *ops[MAX_NAMES], *at_op[MAX_NAMES], *pops[MAX_NAMES];
	const char *preports[MAX_NAMES];
	size_t n = 0, nop = 0, npop = 0, npre = 0;
	static const char *const extra_candidates[] = {
		"maps", "status", "pagemap", "ptdump", "smaps", "stat", "statm",
		"pagetables", "environ", "cmdline", NULL
	};
	json_t *batch, *items = NULL;
	const char *op;
	int r;

	for (; (op = api_op_name(n)) && n + 1 < MAX_NAMES; n++) {
		ops[n] = op;
		if (reaches_op_route(x, op, &r))
			at_op[nop++] = op;
		if (reaches_proc_route(x, "POST", op))
			pops[npop++] = op;
	}
	ops[n] = at_op[nop] = pops[npop] = NULL;
	if (op)
		fail_msg("more than %d operations: raise MAX_NAMES", MAX_NAMES);
	/* GET {name}: the router keeps its list of process reports to
	 * itself (h_reports.c), so ask it about every likely name */
	preports[0] = NULL;
	for (int pass = 0; pass < 2; pass++) {
		const char *const *cand = pass ? extra_candidates : ops;

		for (size_t i = 0; cand[i] && npre + 1 < MAX_NAMES; i++) {
			if (!reaches_proc_route(x, "GET", cand[i]) ||
			    in_list(preports, cand[i]))
				continue;
			preports[npre++] = cand[i];
			preports[npre] = NULL;
		}
	}

	check_enum(x, "parameter {op} of POST " OP_ROUTE,
		   param_schema(x, OP_ROUTE, "post", "op"), at_op);
	check_enum(x, "parameter {name} of POST " PROC_ROUTE,
		   param_schema(x, PROC_ROUTE, "post", "name"), pops);
	check_enum(x, "parameter {report} of GET /v1/machines/{id}/proc/{report}",
		   param_schema(x, "/v1/machines/{id}/proc/{report}", "get",
				"report"), api_report_names);
	check_enum(x, "parameter {name} of GET " PROC_ROUTE,
		   param_schema(x, PROC_ROUTE, "get", "name"), preports);
	check_name_per_operation(x);

	/* a batch names any operation: [{op, args}] or {"ops": [...]} */
	batch = body_schema(x, operation(x, BATCH_PATH, "post"));
	if (json_is_array(json_object_get(batch, "oneOf"))) {
		size_t i;
		json_t *alt;

		json_array_foreach(json_object_get(batch, "oneOf"), i, alt) {
			alt = deref(x->doc, alt);
			if (!strcmp(str_of(alt, "type"), "array"))
				items = deref(x->doc,
					      json_object_get(alt, "items"));
		}
	} else {
		items = deref(x->doc, json_object_get(batch, "items"));
	}
	if (!items)
		differ(x, "POST " BATCH_PATH ": the body schema has no array of "
		       "items");
	else
		check_enum(x, "the \"op\" of a batch item (POST " BATCH_PATH ")",
			   deref(x->doc, json_object_get(json_object_get(items,
				 "properties"), "op")), ops);
	finish(x, "the names the router and the api take");
}

/* --- references, operation ids, problems -------------------------------------- */

static void walk_refs(struct ctx *x, json_t *v, char *where, size_t len)
{
	size_t at = strlen(where);

	if (json_is_object(v)) {
		const char *key;
		json_t *c;

		json_object_foreach(v, key, c) {
			if (!strcmp(key, "$ref") && json_is_string(c)) {
				const char *ref = json_string_value(c);

				if (strncmp(ref, "#/", 2))
					differ(x, "%s: $ref %s is not local "
					       "(\"#/...\")", where, ref);
				else if (!pointer(x->doc, ref))
					differ(x, "%s: $ref %s does not resolve",
					       where, ref);
				continue;
			}
			snprintf(where + at, len - at, "/%s", key);
			walk_refs(x, c, where, len);
			where[at] = '\0';
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *c;

		json_array_foreach(v, i, c) {
			snprintf(where + at, len - at, "/%zu", i);
			walk_refs(x, c, where, len);
			where[at] = '\0';
		}
	}
}

static void test_refs_resolve(void **state)
{
	struct ctx *x = *state;
	char where[1024] = "#";

	walk_refs(x, x->doc, where, sizeof(where));
	finish(x, "its own $refs");
}

static void test_operations_well_formed(void **state)
{
	struct ctx *x = *state;
	json_t *seen = json_object(), *item;
	const char *path;

	json_object_foreach(json_object_get(x->doc, "paths"), path, item) {
		for (const char *const *m = methods; *m; m++) {
			json_t *op = operation(x, path, *m), *resp, *r;
			const char *id, *code;
			bool ok2xx = false;
			char M[16], where[600];

			if (!json_object_get(item, *m))
				continue;
			recase(*m, true, M, sizeof(M));
			snprintf(where, sizeof(where), "%s %s", M, path);
			id = json_string_value(json_object_get(op, "operationId"));
			if (!id)
				differ(x, "%s has no operationId", where);
			else if (json_object_get(seen, id))
				differ(x, "operationId %s is used twice: %s and %s",
				       id, json_string_value(json_object_get(seen,
				       id)), where);
			else
				json_object_set_new(seen, id, json_string(where));
			resp = json_object_get(op, "responses");
			json_object_foreach(resp, code, r) {
				json_t *content;

				r = deref(x->doc, r);
				if (code[0] == '2')
					ok2xx = true;
				if (code[0] != '4' && code[0] != '5')
					continue;
				content = json_object_get(r, "content");
				if (!json_object_get(content,
						     "application/problem+json"))
					differ(x, "%s: response %s is not "
					       "application/problem+json", where,
					       code);
			}
			if (!ok2xx)
				differ(x, "%s documents no 2xx response", where);
		}
	}
	json_decref(seen);
	finish(x, "OpenAPI's rules for operations");
}

/* Every member a problem answer carries is in the Problem schema. */
static void test_problem_schema(void **state)
{
	struct ctx *x = *state;
	json_t *r = deref(x->doc, json_object_get(json_object_get(operation(x,
			"/v1/machines/{id}", "get"), "responses"), "404"));
	json_t *schema = deref(x->doc, json_object_get(json_object_get(
		json_object_get(r, "content"), "application/problem+json"),
		"schema"));
	json_t *props = json_object_get(schema, "properties"), *p, *v;
	struct mm_error e = { .kind = MM_ESTATE };
	const char *key;

	snprintf(e.type, sizeof(e.type), "double-free");
	snprintf(e.field, sizeof(e.field), "pfn");
	snprintf(e.detail, sizeof(e.detail), "a test");
	p = api_problem(&e);
	/* the server adds these two (respond.c, h_ops.c) */
	json_object_set_new(p, "instance", json_string("/v1/machines/x"));
	json_object_set_new(p, "operation", json_string("free_pages"));
	if (!json_is_object(props))
		differ(x, "GET /v1/machines/{id} 404 has no problem+json schema "
		       "with properties");
	else
		json_object_foreach(p, key, v)
			if (!json_object_get(props, key))
				differ(x, "the Problem schema lacks \"%s\", which "
				       "problem answers carry", key);
	json_decref(p);
	finish(x, "the problem objects (api/problem.c)");
}

/* --- setup -------------------------------------------------------------------- */

static int setup(void **state)
{
	struct ctx *x = calloc(1, sizeof(*x));
	char *argv[] = { "mmlabd", NULL };
	struct srv_options o;
	json_error_t je;

	x->doc = json_load_file(DOC_FILE, JSON_REJECT_DUPLICATES, &je);
	if (!x->doc) {
		print_error("openapi: cannot load %s (run the tests from the "
			    "repository root): %s at line %d, column %d\n",
			    DOC_FILE, je.text, je.line, je.column);
		free(x);
		return -1;
	}
	if (srv_options_parse(&o, 1, argv, stdout, stderr)) {
		json_decref(x->doc);
		free(x);
		return -1;
	}
	o.rate = 0;		/* no rate limit: every request is routed */
	x->srv = calloc(1, sizeof(*x->srv));
	srv_init(x->srv, &o);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *x = *state;

	srv_destroy(x->srv);
	free(x->srv);
	json_decref(x->doc);
	free(x);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_every_route_documented),
		cmocka_unit_test(test_nothing_documented_unrouted),
		cmocka_unit_test(test_every_operation_has_its_path),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_refs_resolve),
		cmocka_unit_test(test_operations_well_formed),
		cmocka_unit_test(test_problem_schema),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

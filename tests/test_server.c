/*
 * test_server.c - the daemon without its sockets: requests go straight
 * into srv_handle(), so routing, tokens, limits, rate limits, options and
 * metrics are checked exactly and fast.  tests/daemon.sh does the same
 * over real HTTP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"	/* before the model: <signal.h> first */
#include "handlers.h"
#include "store.h"
#include "store_impl.h"	/* store_exec: a record written as an older daemon did */
#include "options.h"
#include "ratelimit.h"
#include "server.h"
#include "turn.h"

/* --- a fake request ----------------------------------------------------------- */

struct fake {
	const char *headers[8][2];
	const char *query[8][2];
};

static const char *lookup(const char *(*kv)[2], const char *name)
{
	for (int i = 0; i < 8 && kv[i][0]; i++)
		if (!strcasecmp(kv[i][0], name))
			return kv[i][1];
	return NULL;
}

static const char *fake_header(void *ctx, const char *name)
{
	return lookup(((struct fake *)ctx)->headers, name);
}

static const char *fake_query(void *ctx, const char *name)
{
	return lookup(((struct fake *)ctx)->query, name);
}

static struct srv *server(void (*tune)(struct srv_options *))
{
	struct srv *s = calloc(1, sizeof(*s));
	struct srv_options o;
	char *argv[] = { "mmlabd", NULL };

	assert_int_equal(srv_options_parse(&o, 1, argv, stdout, stderr), 0);
	o.rate = 0;
	snprintf(o.instructor_token, sizeof(o.instructor_token),
		 "instructor-secret-token");
	if (tune)
		tune(&o);
	srv_init(s, &o);
	return s;
}

static void server_free(struct srv *s)
{
	srv_destroy(s);
	free(s);
}

struct answer {
	int status;
	json_t *json;
	char body[8192];
	struct srv_resp r;
};

/* What http.c sets beside the request: its waiter for a machine in use
 * (waiter), a retry (admitted), a malformed request it found
 * (bad_request). */
static struct srv_req http_flags;

/* Send one request; token may be NULL; body may be NULL.  A query in
 * path ("?a=1&b=2", no escapes) is split off as libmicrohttpd does. */
/* The address requests come from (req->client). */
static const char *fake_client = "192.0.2.1";

static void send_req(struct srv *s, const char *method, const char *path,
		     const char *token, const char *body, struct answer *a)
{
	struct fake f = { { { NULL, NULL } }, { { NULL, NULL } } };
	char auth[160], url[512], *q;
	struct srv_req req = {
		.method = method, .path = url, .client = fake_client,
		.body = body ? body : "", .body_len = body ? strlen(body) : 0,
		.now_ms = 1000, .now_unix = 1700000000,
		.header = fake_header, .query = fake_query, .ctx = &f,
		.waiter = http_flags.waiter, .admitted = http_flags.admitted,
		.under_way = http_flags.under_way,
		.bad_request = http_flags.bad_request,
	};

	snprintf(url, sizeof(url), "%s", path);
	if ((q = strchr(url, '?'))) {
		*q++ = '\0';
		for (int i = 0; q && *q && i < 8; i++) {
			char *amp = strchr(q, '&'), *eq;

			if (amp)
				*amp++ = '\0';
			eq = strchr(q, '=');
			if (eq)
				*eq++ = '\0';
			f.query[i][0] = q;
			f.query[i][1] = eq ? eq : "";
			q = amp;
		}
	}
	if (token) {
		snprintf(auth, sizeof(auth), "Bearer %s", token);
		f.headers[0][0] = "Authorization";
		f.headers[0][1] = auth;
	}
	srv_handle(s, &req, &a->r);
	a->status = a->r.status;
	snprintf(a->body, sizeof(a->body), "%.*s", (int)a->r.len,
		 a->r.body ? a->r.body : "");
	a->json = json_loads(a->body, JSON_DECODE_ANY, NULL);
	srv_resp_free(&a->r);
}

static void done(struct answer *a)
{
	json_decref(a->json);
	a->json = NULL;
}

static const char *jstr(const struct answer *a, const char *key)
{
	const char *v = json_string_value(json_object_get(a->json, key));

	if (!v)
		fail_msg("no string '%s' in %s", key, a->body);
	return v;
}

static const char *header_of(const struct srv_resp *r, const char *name)
{
	for (unsigned i = 0; i < r->nheaders; i++)
		if (!strcmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

/* Create a bare 2G machine; its id and token into the buffers. */
static void create(struct srv *s, const char *token, char *id, char *tok)
{
	struct answer a;

	send_req(s, "POST", "/v1/machines", token,
		 "{\"ram\":\"2G\",\"boot\":\"bare\"}", &a);
	assert_int_equal(a.status, 201);
	snprintf(id, SRV_ID_MAX, "%s", jstr(&a, "id"));
	snprintf(tok, SRV_TOKEN_HEX + 1, "%s", jstr(&a, "token"));
	done(&a);
}

static void assert_problem(const struct answer *a, int status,
			   const char *slug)
{
	char type[128];

	snprintf(type, sizeof(type), "https://mmlab.dev/problems/%s", slug);
	if (a->status != status)
		fail_msg("status %d, want %d: %s", a->status, status, a->body);
	assert_string_equal(a->r.content_type, "application/problem+json");
	assert_string_equal(jstr(a, "type"), type);
	assert_int_equal(json_integer_value(json_object_get(a->json, "status")),
			 status);
	assert_non_null(json_string_value(json_object_get(a->json, "detail")));
}

/* method path (with token and body) answers status */
static void expect_status(struct srv *s, const char *method, const char *path,
			  const char *token, const char *body, int status)
{
	struct answer a;

	send_req(s, method, path, token, body, &a);
	assert_int_equal(a.status, status);
	done(&a);
}

/* method path (with token and body) answers the problem slug */
static void expect_problem(struct srv *s, const char *method,
			   const char *path, const char *token,
			   const char *body, int status, const char *slug)
{
	struct answer a;

	send_req(s, method, path, token, body, &a);
	assert_problem(&a, status, slug);
	done(&a);
}

/* --- routing ---------------------------------------------------------------------- */

static void test_create_and_kmalloc(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128];
	struct answer a;

	(void)state;
	create(s, NULL, id, tok);
	assert_int_equal(strncmp(id, "a-", 2), 0);
	assert_int_equal(strlen(id), 14);	/* "a-" and 48 bits of hex */
	assert_int_equal(strlen(tok), 32);	/* 128 bits of hex */
	snprintf(path, sizeof(path), "/v1/machines/%s/kmalloc", id);
	send_req(s, "POST", path, tok, "{\"size\":100}", &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(jstr(&a, "addr"), "0xc2001000");
	assert_string_equal(jstr(&a, "cache"), "kmalloc-128");
	done(&a);
	server_free(s);
}

static void test_not_found_and_method(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128];
	struct answer a;

	(void)state;
	create(s, NULL, id, tok);
	snprintf(path, sizeof(path), "/v1/machines/%s/kmalloc", id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_problem(&a, 405, "method-not-allowed");
	assert_string_equal(header_of(&a.r, "Allow"), "POST");
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s", id);
	send_req(s, "PUT", path, tok, NULL, &a);
	assert_problem(&a, 405, "method-not-allowed");
	assert_string_equal(header_of(&a.r, "Allow"), "GET, DELETE, HEAD");
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s/kmallok", id);
	expect_problem(s, "POST", path, tok, "{}", 404, "no-route");
	expect_problem(s, "GET", "/v1/machines/a-000000000000/proc/meminfo",
		       tok, NULL, 404, "no-such-machine");
	snprintf(path, sizeof(path), "/v1/machines/%s/proc/memnifo", id);
	expect_problem(s, "GET", path, tok, NULL, 404, "no-route");
	server_free(s);
}

/* One pattern, /processes/{pid}/{name}, for GET reports and POST
 * operations: each method takes its own names, the other's get 405. */
static void test_process_routes(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[160];
	struct answer a;

	(void)state;
	create(s, NULL, id, tok);
	/* process_create is 201 at both of its paths */
	snprintf(path, sizeof(path), "/v1/machines/%s/processes", id);
	send_req(s, "POST", path, tok, NULL, &a);
	assert_int_equal(a.status, 201);
	assert_int_equal(json_integer_value(json_object_get(a.json, "pid")), 1);
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s/process_create", id);
	send_req(s, "POST", path, tok, "{}", &a);
	assert_int_equal(a.status, 201);
	assert_int_equal(json_integer_value(json_object_get(a.json, "pid")), 2);
	done(&a);
	/* GET /processes is the list; POST there creates, never lists */
	snprintf(path, sizeof(path), "/v1/machines/%s/processes", id);
	expect_status(s, "GET", path, tok, NULL, 200);
	assert_false(srv_is_op("processes"));
	assert_true(srv_is_op("process_create"));

	snprintf(path, sizeof(path), "/v1/machines/%s/processes/1/maps", id);
	expect_status(s, "GET", path, tok, NULL, 200);
	send_req(s, "POST", path, tok, "{}", &a);
	assert_problem(&a, 405, "method-not-allowed");
	assert_string_equal(header_of(&a.r, "Allow"), "GET, HEAD");
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s/processes/1/fork", id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_problem(&a, 405, "method-not-allowed");
	assert_string_equal(header_of(&a.r, "Allow"), "POST");
	done(&a);
	expect_problem(s, "HEAD", path, tok, NULL, 405, "method-not-allowed");
	expect_status(s, "POST", path, tok, NULL, 200);
	snprintf(path, sizeof(path), "/v1/machines/%s/processes/1/frob", id);
	expect_problem(s, "GET", path, tok, NULL, 404, "no-route");
	expect_problem(s, "POST", path, tok, "{}", 404, "no-route");
	server_free(s);
}

/* {pid} in a path and ?pid= are decimal 1..2^31-1, the same for GET and
 * POST; "1K" is not pid 1024. */
static void test_pid_parsing(void **state)
{
	static const char *const bad[] = {
		"0", "-1", "1K", "99999999999", "2147483648", "0x1", "+1",
		"1.0", "1%20", NULL
	};
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[192];
	char detail[512];
	struct answer a;

	(void)state;
	create(s, NULL, id, tok);
	snprintf(path, sizeof(path), "/v1/machines/%s/processes", id);
	expect_status(s, "POST", path, tok, NULL, 201);
	for (const char *const *b = bad; *b; b++) {
		snprintf(path, sizeof(path), "/v1/machines/%s/processes/%s/maps",
			 id, *b);
		send_req(s, "GET", path, tok, NULL, &a);
		assert_problem(&a, 400, "bad-argument");
		assert_string_equal(jstr(&a, "field"), "pid");
		snprintf(detail, sizeof(detail), "%s", jstr(&a, "detail"));
		assert_non_null(strstr(detail, *b));
		done(&a);
		snprintf(path, sizeof(path), "/v1/machines/%s/processes/%s/mmap",
			 id, *b);
		send_req(s, "POST", path, tok, "{\"len\":4096}", &a);
		assert_problem(&a, 400, "bad-argument");
		assert_string_equal(jstr(&a, "detail"), detail);
		done(&a);
		snprintf(path, sizeof(path), "/v1/machines/%s/ptdump?pid=%s",
			 id, *b);
		send_req(s, "GET", path, tok, NULL, &a);
		assert_problem(&a, 400, "bad-argument");
		assert_string_equal(jstr(&a, "field"), "pid");
		assert_non_null(strstr(jstr(&a, "detail"), "?pid="));
		done(&a);
		snprintf(path, sizeof(path),
			 "/v1/machines/%s/translate?addr=0x08048000&pid=%s",
			 id, *b);
		send_req(s, "GET", path, tok, NULL, &a);
		assert_problem(&a, 400, "bad-argument");
		assert_non_null(strstr(jstr(&a, "detail"), "?pid="));
		done(&a);
	}
	snprintf(path, sizeof(path), "/v1/machines/%s/ptdump?pid=", id);
	expect_problem(s, "GET", path, tok, NULL, 400, "bad-argument");

	/* well formed but no such process: 404 */
	snprintf(path, sizeof(path), "/v1/machines/%s/processes/99/maps", id);
	expect_problem(s, "GET", path, tok, NULL, 404, "no-such-process");
	snprintf(path, sizeof(path),
		 "/v1/machines/%s/processes/2147483647/mmap", id);
	expect_problem(s, "POST", path, tok, "{\"len\":4096}",
		       404, "no-such-process");
	snprintf(path, sizeof(path), "/v1/machines/%s/ptdump?pid=1024", id);
	expect_problem(s, "GET", path, tok, NULL, 404, "no-such-process");
	snprintf(path, sizeof(path),
		 "/v1/machines/%s/translate?addr=0x08048000&pid=99", id);
	expect_problem(s, "GET", path, tok, NULL, 404, "no-such-process");

	/* and the good ones */
	snprintf(path, sizeof(path), "/v1/machines/%s/processes/1/status", id);
	expect_status(s, "GET", path, tok, NULL, 200);
	snprintf(path, sizeof(path), "/v1/machines/%s/ptdump?pid=1", id);
	expect_status(s, "GET", path, tok, NULL, 200);
	snprintf(path, sizeof(path),
		 "/v1/machines/%s/translate?addr=0x08048000&pid=1", id);
	expect_status(s, "GET", path, tok, NULL, 200);
	snprintf(path, sizeof(path), "/v1/machines/%s/processes/1/mmap", id);
	expect_status(s, "POST", path, tok, "{\"len\":4096,\"pid\":1}", 200);
	server_free(s);
}

static void test_bad_bodies(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128];
	struct answer a;

	(void)state;
	create(s, NULL, id, tok);
	snprintf(path, sizeof(path), "/v1/machines/%s/kmalloc", id);
	expect_problem(s, "POST", path, tok, "{\"size\":",
		       400, "malformed-json");
	expect_problem(s, "POST", path, tok, "{\"size\":\"\xc3\x28\"}",
		       400, "bad-utf8");
	expect_problem(s, "POST", path, tok, "[1,2]", 400, "bad-body");
	send_req(s, "POST", path, tok, "{\"size\":1,\"size\":2}", &a);
	assert_problem(&a, 400, "malformed-json");	/* duplicate key */
	done(&a);
	send_req(s, "POST", path, tok, "{\"sise\":100}", &a);
	assert_problem(&a, 400, "bad-argument");
	assert_string_equal(jstr(&a, "field"), "sise");
	done(&a);
	expect_problem(s, "POST", path, tok, "{\"size\":-5}",
		       400, "bad-argument");
	expect_problem(s, "POST", path, tok, "{\"size\":\"huge\"}",
		       400, "bad-argument");
	expect_problem(s, "POST", "/v1/machines", NULL, "{\"ram\":true}",
		       400, "bad-config");
	server_free(s);
}

/* --- tokens ------------------------------------------------------------------------- */

static void test_tokens(void **state)
{
	struct srv *s = server(NULL);
	char id1[SRV_ID_MAX], tok1[SRV_TOKEN_HEX + 1];
	char id2[SRV_ID_MAX], tok2[SRV_TOKEN_HEX + 1];
	char id3[SRV_ID_MAX], tok3[SRV_TOKEN_HEX + 1], path[128];
	struct answer a;

	(void)state;
	create(s, NULL, id1, tok1);
	create(s, NULL, id2, tok2);
	assert_string_not_equal(tok1, tok2);
	create(s, tok1, id3, tok3);		/* a second machine, same owner */
	assert_string_equal(tok3, tok1);

	snprintf(path, sizeof(path), "/v1/machines/%s", id2);
	send_req(s, "GET", path, tok1, NULL, &a);	/* someone else's */
	assert_problem(&a, 404, "no-such-machine");
	done(&a);
	expect_problem(s, "GET", path, NULL, NULL, 404, "no-such-machine");
	send_req(s, "GET", path, tok2, NULL, &a);
	assert_int_equal(a.status, 200);
	assert_null(json_object_get(a.json, "token"));	/* only at creation */
	done(&a);

	send_req(s, "GET", "/v1/machines", tok1, NULL, &a);
	assert_int_equal(a.status, 200);
	assert_int_equal(json_array_size(json_object_get(a.json, "machines")), 2);
	done(&a);
	expect_problem(s, "GET", "/v1/machines", NULL, NULL,
		       401, "token-required");
	send_req(s, "GET", "/v1/machines", "instructor-secret-token", NULL, &a);
	assert_int_equal(json_array_size(json_object_get(a.json, "machines")), 3);
	done(&a);
	expect_problem(s, "POST", "/v1/machines",
		       "0123456789abcdef0123456789abcdef",
		       "{}", 401, "unknown-token");

	/* the instructor reads everything and runs no operation, but may
	 * reset any machine (a fresh start for a student) and delete any
	 * (to clear out abandoned ones) */
	expect_status(s, "GET", path, "instructor-secret-token", NULL, 200);
	snprintf(path, sizeof(path), "/v1/machines/%s/kmalloc", id2);
	expect_problem(s, "POST", path, "instructor-secret-token",
		       "{\"size\":8}",
		       403, "read-only-token");
	snprintf(path, sizeof(path), "/v1/machines/%s/reset", id2);
	expect_status(s, "POST", path, "instructor-secret-token", "{}", 200);
	snprintf(path, sizeof(path), "/v1/machines/%s", id2);
	expect_status(s, "DELETE", path, "instructor-secret-token", NULL, 204);
	expect_problem(s, "DELETE", path, tok2, NULL, 404, "no-such-machine");
	expect_problem(s, "GET", path, tok2, NULL, 404, "no-such-machine");
	server_free(s);
}

static void token_equal(void **state)
{
	(void)state;
	assert_true(srv_token_equal("abcd", "abcd"));
	assert_false(srv_token_equal("abcd", "abce"));
	assert_false(srv_token_equal("abcd", "abc"));
	assert_false(srv_token_equal("abc", "abcd"));
	assert_false(srv_token_equal("", ""));
}

/* --- limits ----------------------------------------------------------------------- */

static void small_limits(struct srv_options *o)
{
	o->max_machines = 3;
	o->max_machines_per_token = 2;
	o->max_ram = 1ull << 30;
	o->max_batch = 2;
	o->max_processes = 2;
}

static void test_limits(void **state)
{
	struct srv *s = server(small_limits);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128];
	char id2[SRV_ID_MAX], tok2[SRV_TOKEN_HEX + 1];
	struct answer a;

	(void)state;
	expect_problem(s, "POST", "/v1/machines", NULL, "{\"ram\":\"2G\"}",
		       422, "over-limit");
	send_req(s, "POST", "/v1/machines", NULL, "{\"ram\":\"512M\"}", &a);
	assert_int_equal(a.status, 201);
	snprintf(id, sizeof(id), "%s", jstr(&a, "id"));
	snprintf(tok, sizeof(tok), "%s", jstr(&a, "token"));
	done(&a);
	expect_status(s, "POST", "/v1/machines", tok, "{\"ram\":\"512M\"}",
		      201);
	expect_problem(s, "POST", "/v1/machines", tok, "{\"ram\":\"512M\"}",
		       403, "machine-quota");
	send_req(s, "POST", "/v1/machines", NULL, "{\"ram\":\"512M\"}", &a);
	assert_int_equal(a.status, 201);
	snprintf(id2, sizeof(id2), "%s", jstr(&a, "id"));
	snprintf(tok2, sizeof(tok2), "%s", jstr(&a, "token"));
	done(&a);
	send_req(s, "POST", "/v1/machines", NULL, "{\"ram\":\"512M\"}", &a);
	assert_problem(&a, 503, "server-full");
	assert_non_null(header_of(&a.r, "Retry-After"));
	done(&a);

	snprintf(path, sizeof(path), "/v1/machines/%s/ops", id);
	expect_problem(s, "POST", path, tok,
		       "[{\"op\":\"kmalloc\",\"args\":{\"size\":8}},"
		       "{\"op\":\"kmalloc\"},{\"op\":\"kmalloc\"}]",
		       413, "batch-too-large");
	snprintf(path, sizeof(path), "/v1/machines/%s/proc_limits", id);
	expect_problem(s, "POST", path, tok, "{\"max_processes\":3}",
		       422, "over-limit");
	snprintf(path, sizeof(path), "/v1/machines/%s/processes", id);
	expect_status(s, "POST", path, tok, "{}", 201);
	expect_status(s, "POST", path, tok, "{}", 201);
	send_req(s, "POST", path, tok, "{}", &a);
	assert_true(a.status >= 400 && a.status < 500);
	done(&a);
	server_free(s);
}

static void per_ip(struct srv_options *o)
{
	o->max_machines_per_ip = 2;
}

/* Token-less creations count against the address that made them, and so
 * do the machines made later with the tokens they gave out. */
static void test_machines_per_ip(void **state)
{
	struct srv *s = server(per_ip);
	char id1[SRV_ID_MAX], tok1[SRV_TOKEN_HEX + 1];
	char id2[SRV_ID_MAX], tok2[SRV_TOKEN_HEX + 1], path[128];
	const char *ins = "instructor-secret-token";
	json_t *list;
	struct answer a;

	(void)state;
	fake_client = "198.51.100.7";
	create(s, NULL, id1, tok1);
	create(s, NULL, id2, tok2);
	send_req(s, "POST", "/v1/machines", NULL, "{\"ram\":\"2G\"}", &a);
	assert_problem(&a, 403, "machine-quota");
	assert_string_equal(jstr(&a, "detail"), "the tokens given to "
			    "198.51.100.7 already own 2 machines, the limit per "
			    "client address; DELETE one you no longer need "
			    "first (or ask the instructor to)");
	done(&a);
	/* a token the address got counts there, wherever it is used from */
	fake_client = "203.0.113.9";
	expect_problem(s, "POST", "/v1/machines", tok1, "{\"ram\":\"2G\"}",
		       403, "machine-quota");
	send_req(s, "POST", "/v1/machines", NULL, "{\"ram\":\"2G\"}", &a);
	assert_int_equal(a.status, 201);	/* another address: its own */
	done(&a);

	/* the instructor sees who made what, and may remove it */
	send_req(s, "GET", "/v1/machines", ins, NULL, &a);
	list = json_object_get(a.json, "machines");
	assert_int_equal(json_array_size(list), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *m = json_array_get(list, i);
		const char *id = json_string_value(json_object_get(m, "id"));
		const char *want = !strcmp(id, id1) || !strcmp(id, id2)
				   ? "198.51.100.7" : "203.0.113.9";

		assert_string_equal(json_string_value(json_object_get(m,
				    "origin")), want);
		assert_true(json_is_true(json_object_get(m, "tokenless")));
	}
	done(&a);
	send_req(s, "GET", "/v1/machines", tok1, NULL, &a);	/* not shown */
	assert_null(json_object_get(json_array_get(json_object_get(a.json,
				    "machines"), 0), "origin"));
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s", id2);
	expect_status(s, "DELETE", path, ins, NULL, 204);
	fake_client = "198.51.100.7";
	expect_status(s, "POST", "/v1/machines", tok1, "{\"ram\":\"2G\"}", 201);
	send_req(s, "GET", "/v1/machines", ins, NULL, &a);
	list = json_object_get(a.json, "machines");
	assert_int_equal(json_array_size(list), 3);
	done(&a);
	assert_int_equal(reg_count_origin(&s->reg, "198.51.100.7"), 2);
	fake_client = "192.0.2.1";
	server_free(s);
}

/* --- host memory ------------------------------------------------------------------ */

static void host_1m(struct srv_options *o)
{
	o->max_host_machine = 1u << 20;
}

static void host_total_1m(struct srv_options *o)
{
	o->max_host_total = 1u << 20;
}

/*
 * 2-byte writes across a page boundary store two pages each; until the
 * machine holds its budget, then 507 before the next one runs, so it
 * overshoots by at most one operation's growth.  What gives back (a
 * reset here) gets it under again.  Returns how many writes went in.
 */
static unsigned fill_host(struct srv *s, const char *id, const char *tok,
			  const char *whose)
{
	char path[128], body[96];
	struct answer a;
	unsigned n;

	snprintf(path, sizeof(path), "/v1/machines/%s/write", id);
	for (n = 0; n < 1000; n++) {
		snprintf(body, sizeof(body), "{\"phys\":\"0x%x\",\"hex\":"
			 "\"abcd\"}", 0x1000000 + n * 0x2000 + 0xfff);
		send_req(s, "POST", path, tok, body, &a);
		if (a.status != 200)
			break;
		done(&a);
	}
	assert_problem(&a, 507, "host-memory");
	assert_non_null(strstr(jstr(&a, "detail"), whose));
	assert_string_equal(jstr(&a, "operation"), "write");
	assert_int_equal(json_integer_value(json_object_get(a.json, "limit")),
			 1u << 20);
	assert_true(json_integer_value(json_object_get(a.json, "used")) >
		    (1 << 20));
	assert_true(json_integer_value(json_object_get(a.json, "used")) <=
		    (1 << 20) + 2 * 8192);
	done(&a);
	return n;
}

static void test_host_memory(void **state)
{
	struct srv *s = server(host_1m);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128];
	struct strbuf sb = STRBUF_INIT;
	unsigned over;
	struct answer a;
	unsigned n;

	(void)state;
	create(s, NULL, id, tok);
	n = fill_host(s, id, tok, "this machine holds");
	assert_true(n > 100 && n < 128);
	/* reads still work, and so does what gives memory back */
	snprintf(path, sizeof(path), "/v1/machines/%s/read", id);
	expect_status(s, "POST", path, tok,
		      "{\"phys\":\"0x1000fff\",\"len\":2}",
		      200);
	snprintf(path, sizeof(path), "/v1/machines/%s/ops", id);
	send_req(s, "POST", path, tok, "[{\"op\":\"kmalloc\",\"args\":"
		 "{\"size\":8}}]", &a);
	/* a batch that stops answers the stop's own status */
	assert_problem(&a, 507, "host-memory");
	assert_int_equal(json_integer_value(json_object_get(a.json,
							    "completed")), 0);
	assert_int_equal(json_array_size(json_object_get(a.json, "results")), 0);
	done(&a);
	assert_int_equal(reg_host_bytes(&s->reg, &over, 1u << 20) >> 20, 1);
	assert_int_equal(over, 1);
	send_req(s, "GET", "/metrics", NULL, NULL, &a);
	assert_non_null(strstr(a.body, "mmlab_machines_over_host_memory 1\n"));
	assert_non_null(strstr(a.body, "mmlab_host_memory_machine_limit_bytes "
			       "1048576\n"));
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s/reset", id);
	expect_status(s, "POST", path, tok, "{}", 200);
	assert_true(reg_host_bytes(&s->reg, &over, 1u << 20) < (1u << 20));
	assert_int_equal(over, 0);
	assert_int_equal(fill_host(s, id, tok, "this machine holds"), n);
	sb_free(&sb);
	server_free(s);

	/* the server's total: changes and new machines are refused */
	s = server(host_total_1m);
	create(s, NULL, id, tok);
	fill_host(s, id, tok, "the machines of this server and the answers "
		  "it is sending hold");
	send_req(s, "POST", "/v1/machines", NULL, "{\"ram\":\"2G\"}", &a);
	assert_problem(&a, 507, "host-memory");
	assert_non_null(header_of(&a.r, "Retry-After"));
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s", id);
	expect_status(s, "DELETE", path, tok, NULL, 204);
	assert_int_equal(reg_host_bytes(&s->reg, NULL, 0), 0);
	create(s, NULL, id, tok);
	server_free(s);
}

static void test_batch(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128];
	struct answer a;
	json_t *r;

	(void)state;
	create(s, NULL, id, tok);
	snprintf(path, sizeof(path), "/v1/machines/%s/ops", id);
	send_req(s, "POST", path, tok,
		 "[{\"op\":\"kmalloc\",\"args\":{\"size\":100}},"
		 "{\"op\":\"kfree\",\"args\":{\"addr\":\"0xc2001000\"}},"
		 "{\"op\":\"kfree\",\"args\":{\"addr\":\"0xc2001000\"}},"
		 "{\"op\":\"kmalloc\",\"args\":{\"size\":100}}]", &a);
	/* stops at the refusal, and answers it: the refused op's own 409
	 * problem, which op it was, and the results before it */
	assert_problem(&a, 409, "double-free");
	assert_null(json_object_get(a.json, "ok"));
	assert_string_equal(jstr(&a, "operation"), "kfree");
	assert_int_equal(json_integer_value(json_object_get(a.json, "index")), 2);
	assert_int_equal(json_integer_value(json_object_get(a.json, "completed")), 2);
	assert_non_null(strstr(jstr(&a, "detail"), "the batch stopped at "
			       "operation 2 (kfree): the 2 before it ran (their "
			       "results are in results), the 1 after it did not "
			       "run. "));
	r = json_object_get(a.json, "results");
	assert_int_equal(json_array_size(r), 2);
	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(r, 1), "status")), 200);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(r, 1), "op")), "kfree");
	done(&a);
	expect_problem(s, "POST", path, tok,
		       "[{\"op\":\"kmalloc\"},{\"op\":\"nope\"}]",
		       404, "unknown-operation");
	server_free(s);
}

/* {"ops": [...]} takes nothing beside ops (additionalProperties false). */
static void test_batch_extra_field(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128];
	struct answer a;

	(void)state;
	create(s, NULL, id, tok);
	snprintf(path, sizeof(path), "/v1/machines/%s/ops", id);
	expect_problem(s, "POST", path, tok, "{\"ops\": [{\"op\": \"kmalloc\", "
		       "\"args\": {\"size\": 8}}], \"x\": 1}", 400, "bad-body");
	expect_problem(s, "POST", path, tok, "[{\"op\": \"kmalloc\", \"args\": "
		       "{\"size\": 8}, \"x\": 1}]", 400, "bad-body");
	send_req(s, "POST", path, tok, "{\"ops\": [{\"op\": \"kmalloc\", "
		 "\"args\": {\"size\": 8}}]}", &a);
	assert_int_equal(a.status, 200);
	assert_true(json_is_true(json_object_get(a.json, "ok")));
	done(&a);
	server_free(s);
}

static json_int_t generation(struct srv *s, const char *id, const char *tok)
{
	char path[128];
	struct answer a;
	json_int_t g;

	snprintf(path, sizeof(path), "/v1/machines/%s", id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_int_equal(a.status, 200);
	g = json_integer_value(json_object_get(a.json, "generation"));
	done(&a);
	return g;
}

/*
 * A refusal that moved state (a vmalloc that stole pageblocks before it
 * failed) is a change: a new generation, so the cached pagetypeinfo is
 * answered anew; a refusal that moved nothing keeps the generation.
 */
static void test_refusal_that_changed(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128], rep[128];
	char before[8192];
	struct answer a;
	json_int_t g;

	(void)state;
	send_req(s, "POST", "/v1/machines", NULL, "{\"ram\": \"128M\", "
		 "\"cmdline\": \"vmalloc=256M\"}", &a);
	assert_int_equal(a.status, 201);
	snprintf(id, sizeof(id), "%s", jstr(&a, "id"));
	snprintf(tok, sizeof(tok), "%s", jstr(&a, "token"));
	done(&a);
	snprintf(rep, sizeof(rep), "/v1/machines/%s/proc/pagetypeinfo", id);
	send_req(s, "GET", rep, tok, NULL, &a);
	assert_int_equal(a.status, 200);
	snprintf(before, sizeof(before), "%s", a.body);
	done(&a);
	g = generation(s, id, tok);
	snprintf(path, sizeof(path), "/v1/machines/%s/kfree", id);
	send_req(s, "POST", path, tok, "{\"addr\": \"0xc0000001\"}", &a);
	assert_int_equal(a.status / 100, 4);
	done(&a);
	assert_int_equal(generation(s, id, tok), g);
	snprintf(path, sizeof(path), "/v1/machines/%s/vmalloc", id);
	expect_problem(s, "POST", path, tok, "{\"size\": \"110M\"}",
		       422, "out-of-memory");
	assert_int_equal(generation(s, id, tok), g + 1);
	send_req(s, "GET", rep, tok, NULL, &a);
	assert_int_equal(a.status, 200);
	assert_string_not_equal(a.body, before);
	done(&a);
	/* and inside a batch, the same */
	snprintf(path, sizeof(path), "/v1/machines/%s/ops", id);
	send_req(s, "POST", path, tok, "[{\"op\": \"kmalloc\", \"args\": "
		 "{\"size\": 8}}, {\"op\": \"vzalloc\", \"args\": "
		 "{\"size\": \"110M\"}}]", &a);
	assert_problem(&a, 422, "out-of-memory");
	/* refused, and still a change: the answer says so */
	assert_true(json_is_true(json_object_get(a.json, "changed")));
	assert_int_equal(json_integer_value(json_object_get(a.json, "completed")), 1);
	done(&a);
	assert_int_equal(generation(s, id, tok), g + 3);
	server_free(s);
}

/* Answers kept for reads are the machine's answers at that generation:
 * the same bytes while nothing changes, new ones right after a change. */
static void test_read_cache(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[160], op[128];
	char first[8192];
	struct answer a;

	(void)state;
	create(s, NULL, id, tok);
	snprintf(path, sizeof(path), "/v1/machines/%s/translate?addr=0xf73fe000",
		 id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_int_equal(a.status, 200);
	assert_false(json_is_true(json_object_get(a.json, "ok")));
	snprintf(first, sizeof(first), "%s", a.body);
	done(&a);
	send_req(s, "GET", path, tok, NULL, &a);	/* from the cache */
	assert_string_equal(a.body, first);
	done(&a);
	snprintf(op, sizeof(op), "/v1/machines/%s/vmalloc", id);
	send_req(s, "POST", op, tok, "{\"size\": 4096}", &a);
	assert_string_equal(jstr(&a, "addr"), "0xf73fe000");
	done(&a);
	send_req(s, "GET", path, tok, NULL, &a);	/* mapped now */
	assert_true(json_is_true(json_object_get(a.json, "ok")));
	assert_string_not_equal(a.body, first);
	done(&a);
	/* another address of the same machine is another answer */
	snprintf(path, sizeof(path), "/v1/machines/%s/translate?addr=0xc0000000",
		 id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_string_equal(jstr(&a, "addr"), "0xc0000000");
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s/translate?addr=0xf73fe000"
		 "&format=text", id);
	send_req(s, "GET", path, tok, NULL, &a);	/* JSON either way */
	assert_true(json_is_true(json_object_get(a.json, "ok")));
	done(&a);
	server_free(s);
}

/* --- rate limit, options, metrics ------------------------------------------------------ */

static void test_ratelimit(void **state)
{
	struct srv_ratelimit rl;
	unsigned retry;

	(void)state;
	rl_init(&rl, 10, 3);
	for (int i = 0; i < 3; i++)
		assert_true(rl_take(&rl, "10.0.0.1", 0, &retry));
	assert_false(rl_take(&rl, "10.0.0.1", 0, &retry));
	assert_int_equal(retry, 1);
	assert_true(rl_take(&rl, "10.0.0.2", 0, &retry));	/* per client */
	assert_false(rl_take(&rl, "10.0.0.1", 50, &retry));	/* half a token */
	assert_true(rl_take(&rl, "10.0.0.1", 100, &retry));	/* 10/s: one per 100 ms */
	/* many clients: the table grows and forgets the idle ones */
	for (int i = 0; i < 5000; i++) {
		char key[32];

		snprintf(key, sizeof(key), "198.51.%d.%d", i / 256, i % 256);
		assert_true(rl_take(&rl, key, 1000 + i, &retry));
	}
	rl_destroy(&rl);
}

static void test_rate_limited_request(void **state)
{
	struct srv *s = server(NULL);
	struct answer a;

	(void)state;
	rl_destroy(&s->rate);
	rl_init(&s->rate, 1, 1);
	send_req(s, "GET", "/v1/machines", "x", NULL, &a);
	done(&a);
	send_req(s, "GET", "/v1/machines", "x", NULL, &a);
	assert_problem(&a, 429, "rate-limited");
	assert_string_equal(header_of(&a.r, "Retry-After"), "1");
	done(&a);
	send_req(s, "GET", "/healthz", NULL, NULL, &a);	/* never limited */
	assert_int_equal(a.status, 200);
	done(&a);
	server_free(s);
}

static void test_options(void **state)
{
	struct srv_options o;
	char *good[] = { "mmlabd", "--listen", "0.0.0.0:9000", "--max-ram=1G",
			 "--node", "b2", "--quiet", NULL };
	char *bad1[] = { "mmlabd", "--listen", "nowhere", NULL };
	char *bad2[] = { "mmlabd", "--max-machines", "-1", NULL };
	char *bad3[] = { "mmlabd", "--frobnicate", NULL };
	char *bad4[] = { "mmlabd", "--instructor-token", "short", NULL };
	FILE *null = fopen("/dev/null", "w");

	(void)state;
	assert_int_equal(srv_options_parse(&o, 7, good, null, null), 0);
	assert_string_equal(o.listen_host, "0.0.0.0");
	assert_int_equal(o.listen_port, 9000);
	assert_int_equal(o.max_ram, 1ull << 30);
	assert_string_equal(o.node, "b2");
	assert_true(o.quiet);
	assert_int_equal(srv_options_parse(&o, 3, bad1, null, null), -1);
	assert_int_equal(srv_options_parse(&o, 3, bad2, null, null), -1);
	assert_int_equal(srv_options_parse(&o, 2, bad3, null, null), -1);
	assert_int_equal(srv_options_parse(&o, 3, bad4, null, null), -1);
	setenv("MMLAB_MAX_BATCH", "7", 1);
	assert_int_equal(srv_options_parse(&o, 1, good, null, null), 0);
	assert_int_equal(o.max_batch, 7);
	unsetenv("MMLAB_MAX_BATCH");
	/* the host-memory budgets: 64 MiB a machine, the total at most
	 * max-machines of those */
	assert_int_equal(o.max_host_machine, 64ull << 20);
	assert_true(o.max_host_total <= 1000 * (64ull << 20));
	assert_true(o.max_host_total > 0);
	assert_int_equal(o.max_machines_per_ip, 64);
	setenv("MMLAB_MAX_HOST_MEMORY_TOTAL", "3M", 1);
	setenv("MMLAB_MAX_MACHINES_PER_IP", "5", 1);
	assert_int_equal(srv_options_parse(&o, 1, good, null, null), 0);
	assert_int_equal(o.max_host_total, 3u << 20);
	assert_int_equal(o.max_machines_per_ip, 5);
	unsetenv("MMLAB_MAX_HOST_MEMORY_TOTAL");
	unsetenv("MMLAB_MAX_MACHINES_PER_IP");
	fclose(null);
}

static void test_metrics_and_expiry(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1];
	struct srv_metrics *mt = &s->metrics;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	create(s, NULL, id, tok);
	metrics_record(mt, 0, 200, 70);
	metrics_record(mt, 0, 404, 3000);
	metrics_text(mt, srv_route_name, reg_count(&s->reg),
		     reg_frames(&s->reg), 0, &sb);
	assert_non_null(strstr(sb.buf, "mmlab_http_requests_total{route="
			       "\"/healthz\",status=\"200\"} 1\n"));
	assert_non_null(strstr(sb.buf, "status=\"404\"} 1\n"));
	assert_non_null(strstr(sb.buf, "mmlab_http_request_duration_seconds_"
			       "bucket{le=\"0.0001\"} 1\n"));
	assert_non_null(strstr(sb.buf, "mmlab_http_request_duration_seconds_"
			       "bucket{le=\"0.005\"} 2\n"));
	assert_non_null(strstr(sb.buf, "mmlab_machines 1\n"));
	/* QEMU's 2 GiB: node 0 spans pfn 1 (the kernel keeps page 0) to
	 * 0x7ffe0, below the BIOS's reserved top */
	assert_non_null(strstr(sb.buf, "mmlab_frames_simulated 524255\n"));
	sb_free(&sb);
	/* created at 1000 ms; idle 14 days later it goes */
	assert_int_equal(srv_expire_idle(s, 1000 + 1000ll * s->opt.idle_expiry), 0);
	assert_int_equal(reg_count_origin(&s->reg, "192.0.2.1"), 1);
	assert_true(reg_host_bytes(&s->reg, NULL, 0) > 0);
	assert_int_equal(srv_expire_idle(s, 1001 + 1000ll * s->opt.idle_expiry), 1);
	assert_int_equal(reg_count(&s->reg), 0);
	/* what the machine counted goes with it */
	assert_int_equal(reg_count_origin(&s->reg, "192.0.2.1"), 0);
	assert_int_equal(reg_host_bytes(&s->reg, NULL, 0), 0);
	server_free(s);
}

/* A waiter of the test's: counts the times its turn came. */
static int woken;

static void count_wake(struct srv_waiter *w)
{
	(void)w;
	woken++;
}

/*
 * A machine another request holds is not waited for: the answer is
 * "busy", with nothing done and nothing answered, and the request is in
 * the machine's queue; when the holder is done its waiter is woken, and
 * run again it holds the turn (even before one queued later).  The list
 * never waits for a machine; a retry skips the rate limit it passed
 * once, but not a drain that has run out.
 */
static void test_busy_and_http_refusals(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128];
	struct srv_waiter w1 = { .wake = count_wake }, w2 = w1;
	struct srv_machine *sm;
	struct answer a;

	(void)state;
	memset(&http_flags, 0, sizeof(http_flags));
	create(s, NULL, id, tok);
	sm = reg_get(&s->reg, id, NULL, true);
	woken = 0;
	assert_true(turn_take(&s->reg, sm, NULL));	/* the test holds it */
	http_flags.waiter = &w1;
	snprintf(path, sizeof(path), "/v1/machines/%s/kmalloc", id);
	send_req(s, "POST", path, tok, "{\"size\":100}", &a);
	assert_true(a.r.busy);
	assert_int_equal(a.status, 0);
	assert_string_equal(a.body, "");
	assert_null(a.r.ticket);
	done(&a);
	http_flags.waiter = &w2;
	send_req(s, "GET", "/v1/machines", tok, NULL, &a);
	assert_false(a.r.busy);
	assert_int_equal(a.status, 200);
	done(&a);
	send_req(s, "GET", "/healthz", NULL, NULL, &a);
	assert_false(a.r.busy);
	assert_int_equal(a.status, 200);
	done(&a);
	/* nor does the loop wait for it to expire it: in use, not idle */
	assert_int_equal(srv_expire_idle(s, 1001 + 1000ll * s->opt.idle_expiry), 0);
	/* a second request queues behind the first */
	send_req(s, "POST", path, tok, "{\"size\":100}", &a);
	assert_true(a.r.busy);
	done(&a);
	assert_int_equal(woken, 0);
	turn_release(sm);
	assert_int_equal(woken, 1);	/* the first, its turn given */
	assert_true(w1.granted);
	/* the second, run again too early, is still queued */
	send_req(s, "POST", path, tok, "{\"size\":100}", &a);
	assert_true(a.r.busy);
	done(&a);
	/* nothing ran while it was busy: the first object is still free */
	http_flags.waiter = &w1;
	send_req(s, "POST", path, tok, "{\"size\":100}", &a);
	assert_false(a.r.busy);
	assert_int_equal(a.status, 200);
	assert_string_equal(jstr(&a, "addr"), "0xc2001000");
	done(&a);
	assert_int_equal(woken, 2);	/* done: the second's turn came */
	turn_forget(&s->reg, &w1);	/* as http.c does after a run */
	assert_null(w1.sm);
	/* the second leaves without running: the turn passes on */
	turn_forget(&s->reg, &w2);
	assert_true(turn_try(sm));
	turn_release(sm);
	http_flags.waiter = NULL;

	atomic_store(&s->draining, true);
	http_flags.admitted = true;
	send_req(s, "POST", path, tok, "{\"size\":100}", &a);
	assert_int_equal(a.status, 200);	/* admitted before the signal */
	done(&a);
	atomic_store(&s->stopping, true);
	expect_problem(s, "POST", path, tok, "{\"size\":100}",
		       503, "shutting-down");
	http_flags.admitted = false;
	/* a head that came before the signal, its body after: finished */
	atomic_store(&s->stopping, false);
	http_flags.under_way = true;
	expect_status(s, "POST", path, tok, "{\"size\":100}", 200);
	/* ... unless the drain has run out */
	atomic_store(&s->stopping, true);
	expect_problem(s, "POST", path, tok, "{\"size\":100}",
		       503, "shutting-down");
	/* a request whose head came after the signal goes elsewhere */
	atomic_store(&s->stopping, false);
	http_flags.under_way = false;
	expect_problem(s, "POST", path, tok, "{\"size\":100}",
		       503, "shutting-down");
	atomic_store(&s->stopping, true);
	atomic_store(&s->draining, false);
	/* a batch under way when the drain runs out stops at its next op */
	snprintf(path, sizeof(path), "/v1/machines/%s/ops", id);
	send_req(s, "POST", path, tok, "[{\"op\":\"kmalloc\",\"args\":"
		 "{\"size\":8}}]", &a);
	assert_problem(&a, 503, "shutting-down");
	assert_int_equal(json_integer_value(json_object_get(a.json,
							    "completed")), 0);
	done(&a);
	atomic_store(&s->stopping, false);

	http_flags.bad_request = "the URL holds an escaped NUL";
	send_req(s, "GET", "/index.html", NULL, NULL, &a);
	assert_problem(&a, 400, "bad-request");
	assert_string_equal(jstr(&a, "detail"), "the URL holds an escaped NUL");
	assert_string_equal(jstr(&a, "title"), "Malformed request");
	done(&a);
	http_flags.bad_request = NULL;
	reg_put(&s->reg, sm);
	server_free(s);
}

/* The limits issue 13 added: their defaults, their flags, their bounds. */
static void test_answer_and_time_options(void **state)
{
	struct srv_options o;
	char *dflt[] = { "mmlabd", NULL };
	char *set[] = { "mmlabd", "--max-answer", "1M", "--header-timeout",
			"2", "--drain-timeout", "0", NULL };
	char *zero[] = { "mmlabd", "--header-timeout", "0", NULL };
	char *huge[] = { "mmlabd", "--max-answer", "2G", NULL };
	FILE *null = fopen("/dev/null", "w");

	(void)state;
	assert_int_equal(srv_options_parse(&o, 1, dflt, null, null), 0);
	assert_int_equal(o.max_answer, 8u << 20);
	assert_int_equal(o.header_timeout, 5);
	assert_int_equal(o.drain_timeout, 10);
	assert_int_equal(srv_options_parse(&o, 7, set, null, null), 0);
	assert_int_equal(o.max_answer, 1u << 20);
	assert_int_equal(o.header_timeout, 2);
	assert_int_equal(o.drain_timeout, 0);
	assert_int_equal(srv_options_parse(&o, 3, zero, null, null), -1);
	assert_int_equal(srv_options_parse(&o, 3, huge, null, null), -1);
	setenv("MMLAB_MAX_ANSWER", "64K", 1);
	assert_int_equal(srv_options_parse(&o, 1, dflt, null, null), 0);
	assert_int_equal(o.max_answer, 64u << 10);
	unsetenv("MMLAB_MAX_ANSWER");
	fclose(null);
}

/* jansson's allocator for the next test: nothing of 32 KiB or more. */
static void *small_malloc(size_t n)
{
	return n >= 32768 ? NULL : malloc(n);
}

/*
 * An answer json_dumps cannot write (out of memory) is a 503 problem,
 * never a 200 with what little was written: the batch's 200 kmallocs
 * ran (and would be journalled), their 80 kB answer could not be built.
 */
static void test_answer_out_of_memory(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128];
	struct strbuf body = STRBUF_INIT;
	struct answer a;

	(void)state;
	memset(&http_flags, 0, sizeof(http_flags));
	create(s, NULL, id, tok);
	sb_printf(&body, "[");
	for (int i = 0; i < 200; i++)
		sb_printf(&body, "%s{\"op\":\"kmalloc\",\"args\":{\"size\":8}}",
			  i ? "," : "");
	sb_printf(&body, "]");
	snprintf(path, sizeof(path), "/v1/machines/%s/ops", id);
	json_set_alloc_funcs(small_malloc, free);
	send_req(s, "POST", path, tok, body.buf, &a);
	json_set_alloc_funcs(malloc, free);
	assert_problem(&a, 503, "answer-unavailable");
	assert_non_null(strstr(jstr(&a, "detail"), "was kept"));
	assert_string_equal(header_of(&a.r, "Retry-After"), "5");
	done(&a);
	/* they ran: the next object is the 201st */
	snprintf(path, sizeof(path), "/v1/machines/%s/kmalloc", id);
	send_req(s, "POST", path, tok, "{\"size\":8}", &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(jstr(&a, "addr"), "0xc2001640");
	done(&a);
	sb_free(&body);
	server_free(s);
}

/*
 * A machine deleted while a request waits in its queue: the waiter's
 * reference keeps it, woken it finds the machine gone (404), and its
 * turn and reference go with it (ASan sees no use after free).
 */
static void test_queued_behind_delete(void **state)
{
	struct srv *s = server(NULL);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[128];
	struct srv_waiter w = { .wake = count_wake };
	struct srv_machine *sm;
	struct answer a;

	(void)state;
	memset(&http_flags, 0, sizeof(http_flags));
	create(s, NULL, id, tok);
	sm = reg_get(&s->reg, id, NULL, true);
	assert_true(turn_take(&s->reg, sm, NULL));
	woken = 0;
	http_flags.waiter = &w;
	snprintf(path, sizeof(path), "/v1/machines/%s", id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_true(a.r.busy);
	done(&a);
	/* the holder deletes it, and is done */
	reg_remove(&s->reg, sm);
	turn_release(sm);
	reg_put(&s->reg, sm);
	assert_int_equal(woken, 1);
	expect_problem(s, "GET", path, tok, NULL, 404, "no-such-machine");
	turn_forget(&s->reg, &w);	/* the last reference: freed */
	assert_null(w.sm);
	http_flags.waiter = NULL;
	assert_int_equal(reg_count(&s->reg), 0);
	server_free(s);
}

static void small_answers(struct srv_options *o)
{
	o->max_answer = 4096;
}

/*
 * Every answer built from the model is bounded by --max-answer, not a
 * batch's only: a report, the frame map, a read op's result past it is
 * 413 answer-too-large saying how to ask for less; under it, a 200.
 */
static void test_every_answer_bounded(void **state)
{
	struct srv *s = server(small_answers);
	char id[SRV_ID_MAX], tok[SRV_TOKEN_HEX + 1], path[160];
	struct answer a;

	(void)state;
	memset(&http_flags, 0, sizeof(http_flags));
	create(s, NULL, id, tok);
	snprintf(path, sizeof(path), "/v1/machines/%s/frames", id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_problem(&a, 413, "answer-too-large");
	assert_non_null(strstr(jstr(&a, "detail"), "limit of 4096 "
				"(--max-answer); ask for the map in pieces: "
				"?start=PFN&count=N frames"));
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s/frames?start=0&count=16",
		 id);
	expect_status(s, "GET", path, tok, NULL, 200);
	snprintf(path, sizeof(path), "/v1/machines/%s/proc/slabinfo", id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_problem(&a, 413, "answer-too-large");
	assert_non_null(strstr(jstr(&a, "detail"), "the text form"));
	done(&a);
	/* a read op's result, as a single POST */
	snprintf(path, sizeof(path), "/v1/machines/%s/read", id);
	send_req(s, "POST", path, tok, "{\"phys\":\"0x100000\",\"len\":4096}",
		 &a);
	assert_problem(&a, 413, "answer-too-large");
	assert_non_null(strstr(jstr(&a, "detail"), "ask for less at once"));
	done(&a);
	expect_status(s, "POST", path, tok,
		      "{\"phys\":\"0x100000\",\"len\":16}",
		      200);
	snprintf(path, sizeof(path), "/v1/machines/%s/proc/meminfo", id);
	expect_status(s, "GET", path, tok, NULL, 200);
	server_free(s);
}

/* jansson's allocator for the next test: nothing over 16 KiB. */
static void *mid_malloc(size_t n)
{
	return n > 16384 ? NULL : malloc(n);
}

static void set_flag(void *arg)
{
	*(bool *)arg = true;
}

/* The journal's verdict on the last answer's ticket: true when it failed. */
static bool settle(uv_loop_t *loop, struct answer *a, char *why, size_t len)
{
	struct journal_ticket *t = a->r.ticket;
	bool decided = false, failed;

	assert_non_null(t);
	ticket_on_done(t, set_flag, &decided);
	while (!decided)
		uv_run(loop, UV_RUN_ONCE);
	failed = ticket_failed(t, why, len);
	ticket_free(t);
	a->r.ticket = NULL;
	return failed;
}

/* A 2 GiB machine created and committed on a journalled daemon: its id
 * and token, and the create's answer left in *a. */
static void create_committed(uv_loop_t *loop, struct srv *s, char *id,
			     char *tok, struct answer *a)
{
	char why[256];

	send_req(s, "POST", "/v1/machines", NULL, "{\"ram\":\"2G\"}", a);
	assert_int_equal(a->status, 201);
	assert_false(settle(loop, a, why, sizeof(why)));
	snprintf(id, SRV_ID_MAX, "%s", jstr(a, "id"));
	snprintf(tok, SRV_TOKEN_HEX + 1, "%s", jstr(a, "token"));
}


/* A server journalling to dir on loop, its machines replayed. */
static struct srv *journalled(uv_loop_t *loop, const char *dir)
{
	struct srv *s = server(NULL);
	char err[256];
	bool ro;
	struct store *st = store_open(dir, &ro, err, sizeof(err));

	assert_non_null(st);
	s->journal = journal_new(s, st, dir, ro, loop, 0);
	assert_int_equal(journal_replay(s->journal, err, sizeof(err)), 0);
	return s;
}

static void journalled_free(uv_loop_t *loop, struct srv *s)
{
	journal_close(s->journal);
	uv_run(loop, UV_RUN_DEFAULT);	/* its handles close */
	s->journal = NULL;
	server_free(s);
}

/*
 * A change whose record cannot be written down (json_dumps of its
 * arguments runs out of memory) is refused as a failed write is: 503,
 * and the machine back to what the store holds; never stored as "{}"
 * (which would replay as another operation).  A write of 4096 bytes
 * in hex parses within 16 KiB, and its record needs a little more.
 */
static void test_unrecordable_change(void **state)
{
	char dir[] = "/tmp/mmlab-unrec-XXXXXX", id[SRV_ID_MAX], why[256];
	char tok[SRV_TOKEN_HEX + 1], path[128], *hex = malloc(8193), *dump;
	struct strbuf body = STRBUF_INIT;
	uv_loop_t loop;
	struct srv *s;
	struct answer a;
	json_t *args;

	(void)state;
	memset(&http_flags, 0, sizeof(http_flags));
	memset(hex, '6', 8192);
	hex[8192] = '\0';
	sb_printf(&body, "{\"phys\":\"0x10000000\",\"hex\":\"%s\"}", hex);
	/* the test's premise: the body parses, its record cannot be made */
	json_set_alloc_funcs(mid_malloc, free);
	args = json_loads(body.buf, 0, NULL);
	assert_non_null(args);
	dump = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
	json_set_alloc_funcs(malloc, free);
	assert_null(dump);
	json_decref(args);

	assert_non_null(mkdtemp(dir));
	assert_int_equal(uv_loop_init(&loop), 0);
	s = journalled(&loop, dir);
	create_committed(&loop, s, id, tok, &a);
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s/write", id);
	json_set_alloc_funcs(mid_malloc, free);
	send_req(s, "POST", path, tok, body.buf, &a);
	json_set_alloc_funcs(malloc, free);
	assert_int_equal(a.status, 200);	/* waiting for the journal */
	assert_true(settle(&loop, &a, why, sizeof(why)));
	assert_string_equal(why, "there was no memory to write it down");
	done(&a);
	/* undone: the bytes are not there, the generation did not move */
	snprintf(path, sizeof(path), "/v1/machines/%s/read", id);
	send_req(s, "POST", path, tok, "{\"phys\":\"0x10000000\",\"len\":4}", &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(jstr(&a, "hex"), "00000000");
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s", id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_int_equal(json_integer_value(json_object_get(a.json,
							    "generation")), 0);
	done(&a);
	/* the next change is written, and a restart has just it */
	snprintf(path, sizeof(path), "/v1/machines/%s/write", id);
	send_req(s, "POST", path, tok, "{\"phys\":\"0x10000000\",\"text\":\"ok\"}",
		 &a);
	assert_int_equal(a.status, 200);
	assert_false(settle(&loop, &a, why, sizeof(why)));
	done(&a);
	journalled_free(&loop, s);
	s = journalled(&loop, dir);
	snprintf(path, sizeof(path), "/v1/machines/%s", id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_int_equal(json_integer_value(json_object_get(a.json,
							    "generation")), 1);
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s/read", id);
	send_req(s, "POST", path, tok, "{\"phys\":\"0x10000000\",\"len\":4}", &a);
	assert_string_equal(jstr(&a, "hex"), "6f6b0000");
	done(&a);
	journalled_free(&loop, s);
	assert_int_equal(uv_loop_close(&loop), 0);
	free(hex);
	sb_free(&body);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/*
 * A journal of a daemon before store format 4, which read "0100" as
 * octal 64, replays as it ran then: today's parser refuses a leading
 * zero before it changes anything, so such a record is never one of
 * ours, and the op must not silently drop out of the machine's past
 * (its kfree would then be refused, and every state after it differ).
 */
/* A machine stored before boot states existed has no "boot" in its
 * configuration: it booted bare then and must replay bare, while a new
 * machine's configuration is pinned "booted" when it is kept. */
static void test_replay_pins_boot(void **state)
{
	char dir[] = "/tmp/mmlab-pin-XXXXXX", id[SRV_ID_MAX];
	char tok[SRV_TOKEN_HEX + 1], path[128], sql[512], err[256];
	uv_loop_t loop;
	struct srv *s;
	struct answer a;
	struct store *st;
	bool ro;

	(void)state;
	memset(&http_flags, 0, sizeof(http_flags));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(uv_loop_init(&loop), 0);
	s = journalled(&loop, dir);
	create_committed(&loop, s, id, tok, &a);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(a.json, "config"), "boot")), "booted");
	done(&a);
	journalled_free(&loop, s);

	/* kept pinned: a restart replays it booted */
	s = journalled(&loop, dir);
	snprintf(path, sizeof(path), "/v1/machines/%s", id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(a.json, "config"), "boot")), "booted");
	done(&a);
	journalled_free(&loop, s);

	st = store_open(dir, &ro, err, sizeof(err));
	assert_non_null(st);
	/* the row as a daemon before boot states wrote it */
	snprintf(sql, sizeof(sql), "UPDATE machines SET config = "
		 "'{\"ram\":\"2G\"}', sum = mmlab_sum(id, token, name, "
		 "'{\"ram\":\"2G\"}', created, origin, fresh)");
	assert_int_equal(store_exec(st, sql, err, sizeof(err)), 0);
	store_close(st);

	s = journalled(&loop, dir);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(a.json, "config"), "boot")), "bare");
	done(&a);
	journalled_free(&loop, s);
	assert_int_equal(uv_loop_close(&loop), 0);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static void test_replay_legacy_octal(void **state)
{
	char dir[] = "/tmp/mmlab-octal-XXXXXX", id[SRV_ID_MAX], why[256];
	char tok[SRV_TOKEN_HEX + 1], path[128], addr[32], sql[256], err[256];
	uv_loop_t loop;
	struct srv *s;
	struct answer a;
	struct store *st;
	bool ro;

	(void)state;
	memset(&http_flags, 0, sizeof(http_flags));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(uv_loop_init(&loop), 0);
	s = journalled(&loop, dir);
	create_committed(&loop, s, id, tok, &a);
	done(&a);
	snprintf(path, sizeof(path), "/v1/machines/%s/kmalloc", id);
	send_req(s, "POST", path, tok, "{\"size\":64}", &a);
	assert_int_equal(a.status, 200);
	assert_false(settle(&loop, &a, why, sizeof(why)));
	snprintf(addr, sizeof(addr), "%s", jstr(&a, "addr"));
	done(&a);
	/* today the same op is refused, with what to write */
	send_req(s, "POST", path, tok, "{\"size\":\"0100\"}", &a);
	assert_int_equal(a.status, 400);
	assert_non_null(strstr(jstr(&a, "detail"), "never octal"));
	done(&a);
	journalled_free(&loop, s);

	/* the record as the older daemon wrote it */
	st = store_open(dir, &ro, err, sizeof(err));
	assert_non_null(st);
	snprintf(sql, sizeof(sql), "UPDATE ops SET args = '{\"size\":\"0100\"}', "
		 "sum = mmlab_sum(machine, seq, op, '{\"size\":\"0100\"}') "
		 "WHERE op = 'kmalloc'");
	assert_int_equal(store_exec(st, sql, err, sizeof(err)), 0);
	store_close(st);

	s = journalled(&loop, dir);
	snprintf(path, sizeof(path), "/v1/machines/%s", id);
	send_req(s, "GET", path, tok, NULL, &a);
	assert_int_equal(json_integer_value(json_object_get(a.json,
							    "generation")), 1);
	done(&a);
	/* the object the 64-byte kmalloc made is there to free */
	snprintf(path, sizeof(path), "/v1/machines/%s/kfree", id);
	snprintf(sql, sizeof(sql), "{\"addr\":\"%s\"}", addr);
	send_req(s, "POST", path, tok, sql, &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(jstr(&a, "cache"), "kmalloc-64");
	assert_false(settle(&loop, &a, why, sizeof(why)));
	done(&a);
	journalled_free(&loop, s);
	assert_int_equal(uv_loop_close(&loop), 0);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_kmalloc),
		cmocka_unit_test(test_replay_legacy_octal),
		cmocka_unit_test(test_replay_pins_boot),
		cmocka_unit_test(test_not_found_and_method),
		cmocka_unit_test(test_process_routes),
		cmocka_unit_test(test_pid_parsing),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(token_equal),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_machines_per_ip),
		cmocka_unit_test(test_host_memory),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_batch_extra_field),
		cmocka_unit_test(test_refusal_that_changed),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_read_cache),
		cmocka_unit_test(test_rate_limited_request),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_metrics_and_expiry),
		cmocka_unit_test(test_busy_and_http_refusals),
		cmocka_unit_test(test_answer_and_time_options),
		cmocka_unit_test(test_answer_out_of_memory),
		cmocka_unit_test(test_unrecordable_change),
		cmocka_unit_test(test_every_answer_bounded),
		cmocka_unit_test(test_queued_behind_delete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

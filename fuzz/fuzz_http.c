/*
 * fuzz_http.c - the HTTP dispatcher, srv_handle(), with arbitrary
 * methods, paths, headers, query arguments and bodies, on an in-memory
 * server (no journal) that has two machines from the start (fz_configs[2],
 * the machine of the seeds make fuzz-seeds writes).
 *
 * The input is text, several requests separated by a line "===":
 *
 *   POST /v1/machines/$ID/ops?pretty=1
 *   Authorization: Bearer $TOK
 *
 *   [{"op": "kmalloc", "args": {"size": 64}}]
 *   ===
 *   GET /v1/machines/$ID/proc/meminfo
 *
 * The first line is the method and the URL; header lines follow up to an
 * empty line, then the body.  Path and query are %-decoded as
 * libmicrohttpd does (a %00 ends the string there).  In path, headers and
 * body: $ID and $TID are two machines of the token $TOK (the server
 * gave it when $ID was created), $NEW the last machine a request
 * created, $ITOK the instructor's token, $CLS the code of the last class
 * a request made and $STOK the token of the last student who joined one.  A request without an
 * Authorization header is sent with $TOK's; an empty "Authorization:"
 * line sends none.
 *
 * Checked on every answer: a status from 100 to 599, any error answer is
 * application/problem+json whose body is a JSON object with that status,
 * every JSON answer parses, and a static file is inside the web directory.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_util.h"
#include "server.h"

#define MAX_REQS 8
#define MAX_KV 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char instructor[] = "instructor-secret-token";

struct fake {
	char *kv[2][MAX_KV][2];		/* [0] headers, [1] query */
	unsigned n[2];
};

static const char *lookup(const struct fake *f, int which, const char *name)
{
	for (unsigned i = 0; i < f->n[which]; i++)
		if (!strcasecmp(f->kv[which][i][0], name))
			return f->kv[which][i][1];
	return NULL;
}

static const char *fake_header(void *ctx, const char *name)
{
	return lookup(ctx, 0, name);
}

static const char *fake_query(void *ctx, const char *name)
{
	/* libmicrohttpd's query lookup is case-sensitive */
	const struct fake *f = ctx;

	for (unsigned i = 0; i < f->n[1]; i++)
		if (!strcmp(f->kv[1][i][0], name))
			return f->kv[1][i][1];
	return NULL;
}

struct ids {
	char id[64], tid[64], new_id[64];
	char cls[64], stok[128];	/* the last class made, token joined */
	char tok[128];		/* the token the server gave $ID */
	char auth[160];		/* "Bearer " tok */
};

/* s with the $ names replaced: a new string. */
static char *expand(const char *s, size_t len, const struct ids *ids)
{
	static const char *const names[] = { "$ITOK", "$STOK", "$TID", "$TOK",
					     "$NEW", "$CLS", "$ID" };
	const char *vals[] = { instructor, ids->stok, ids->tid, ids->tok,
			       ids->new_id, ids->cls, ids->id };
	const size_t nnames = sizeof(names) / sizeof(names[0]);
	size_t cap = len * 2 + 64, n = 0;
	char *out = malloc(cap + 1);

	for (size_t i = 0; i < len;) {
		size_t k, vl;

		/* s is not NUL-terminated: the name must fit in what is left */
		for (k = 0; k < nnames; k++)
			if (len - i >= strlen(names[k]) &&
			    !memcmp(s + i, names[k], strlen(names[k])))
				break;
		if (k < nnames) {
			vl = strlen(vals[k]);
			i += strlen(names[k]);
		} else {
			vl = 1;
		}
		if (n + vl > cap) {
			cap = cap * 2 + vl;
			out = realloc(out, cap + 1);
		}
		if (k < nnames)
			memcpy(out + n, vals[k], vl);
		else
			out[n] = s[i++];
		n += vl;
	}
	out[n] = '\0';
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* In place, as libmicrohttpd unescapes a URL ('+' stays in the path). */
static void unescape(char *s, bool plus)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) << 4 | hexval(s[2]));
			s += 2;
		} else {
			*o++ = plus && *s == '+' ? ' ' : *s;
		}
	}
	*o = '\0';
}

static void parse_query(struct fake *f, char *q)
{
	while (q && *q && f->n[1] < MAX_KV) {
		char *amp = strchr(q, '&'), *eq;

		if (amp)
			*amp++ = '\0';
		eq = strchr(q, '=');
		if (eq)
			*eq++ = '\0';
		unescape(q, true);
		if (eq)
			unescape(eq, true);
		f->kv[1][f->n[1]][0] = q;
		f->kv[1][f->n[1]++][1] = eq ? eq : (char *)"";
		q = amp;
	}
}

static void check_answer(const struct srv *s, const struct srv_req *req,
			 const struct srv_resp *r)
{
	json_t *j = NULL;
	bool problem;

	if (r->status < 100 || r->status > 599)
		fz_die("%s %s: status %d", req->method, req->path, r->status);
	if (r->body && r->len != strlen(r->body))
		fz_die("%s %s: len %zu but body of %zu", req->method, req->path,
		       r->len, strlen(r->body));
	if (r->file_path) {
		size_t n = strlen(s->opt.web_dir);

		if (strncmp(r->file_path, s->opt.web_dir, n) ||
		    r->file_path[n] != '/' || strchr(r->file_path + n + 1, '/'))
			fz_die("static file %s is not in %s", r->file_path,
			       s->opt.web_dir);
		return;
	}
	problem = r->content_type &&
		  !strcmp(r->content_type, "application/problem+json");
	if (r->status >= 400 && !problem)
		fz_die("%s %s: %d as %s", req->method, req->path, r->status,
		       r->content_type ? r->content_type : "(none)");
	if (r->content_type && strstr(r->content_type, "json") && r->body) {
		j = json_loadb(r->body, r->len, JSON_DECODE_ANY, NULL);
		if (!j)
			fz_die("%s %s: %d answer is not JSON", req->method,
			       req->path, r->status);
	}
	if (problem && (!json_is_object(j) ||
			json_integer_value(json_object_get(j, "status")) !=
			r->status))
		fz_die("%s %s: problem without its status %d", req->method,
		       req->path, r->status);
	json_decref(j);
}

/* Remember the id of a machine the request created, the code of a class
 * and the token of a student who joined one. */
static void learn_id(const struct srv_resp *r, struct ids *ids)
{
	json_t *j;
	const char *id, *code, *tok;

	if (r->status != 201 || !r->body)
		return;
	j = json_loads(r->body, 0, NULL);
	id = json_string_value(json_object_get(j, "id"));
	code = json_string_value(json_object_get(j, "code"));
	tok = json_string_value(json_object_get(j, "token"));
	if (id)
		snprintf(ids->new_id, sizeof(ids->new_id), "%s", id);
	if (code)
		snprintf(ids->cls, sizeof(ids->cls), "%s", code);
	if (tok && json_object_get(j, "student"))
		snprintf(ids->stok, sizeof(ids->stok), "%s", tok);
	json_decref(j);
}

static void one_request(struct srv *s, struct ids *ids, const char *text,
			size_t len, int64_t now)
{
	char *req_text = expand(text, len, ids), *line, *rest, *sp, *q;
	struct fake f = { { { { NULL } } }, { 0, 0 } };
	struct srv_req req = { 0 };
	struct srv_resp resp = { 0 };

	/* the request line */
	line = req_text;
	rest = strchr(line, '\n');
	if (rest)
		*rest++ = '\0';
	sp = strchr(line, ' ');
	if (!sp)
		goto out;
	*sp++ = '\0';
	if ((q = strchr(sp, '?')))
		*q++ = '\0';
	unescape(sp, false);
	parse_query(&f, q);
	/* headers, up to an empty line */
	while (rest && *rest && *rest != '\n' && f.n[0] < MAX_KV) {
		char *nl = strchr(rest, '\n'), *colon;

		if (nl)
			*nl++ = '\0';
		if ((colon = strchr(rest, ':'))) {
			*colon++ = '\0';
			while (*colon == ' ')
				colon++;
			f.kv[0][f.n[0]][0] = rest;
			f.kv[0][f.n[0]++][1] = colon;
		}
		rest = nl;
	}
	if (rest && *rest == '\n')
		rest++;
	/* the machines' owner unless the request says otherwise (an empty
	 * "Authorization:" line sends none) */
	if (!lookup(&f, 0, "Authorization") && f.n[0] < MAX_KV) {
		f.kv[0][f.n[0]][0] = "Authorization";
		f.kv[0][f.n[0]++][1] = ids->auth;
	} else if (lookup(&f, 0, "Authorization") &&
		   !*lookup(&f, 0, "Authorization")) {
		for (unsigned i = 0; i < f.n[0]; i++)
			if (!strcasecmp(f.kv[0][i][0], "Authorization"))
				f.kv[0][i][0] = "X-No-Authorization";
	}
	req.method = line;
	req.path = sp;
	req.client = "192.0.2.1";
	req.body = rest ? rest : "";
	req.body_len = strlen(req.body);
	req.body_too_large = req.body_len > s->opt.max_body;
	req.now_ms = now;
	req.now_unix = 1700000000 + now / 1000;
	req.header = fake_header;
	req.query = fake_query;
	req.ctx = &f;
	srv_handle(s, &req, &resp);
	if (getenv("MMLAB_FUZZ_TRACE"))	/* as fuzz_util.c's trace */
		fprintf(stderr, "%s %s -> %d %.300s\n", req.method, req.path,
			resp.status, resp.body ? resp.body : "");
	check_answer(s, &req, &resp);
	learn_id(&resp, ids);
	srv_resp_free(&resp);
out:
	free(req_text);
}

/* A machine for the input to use: its id, and the token it was given
 * (with token NULL) into tok. */
static void create(struct srv *s, const char *token, char *id, size_t len,
		   char *tok, size_t toklen)
{
	struct fake f = { { { { NULL } } }, { 0, 0 } };
	char auth[64];
	struct srv_req req = {
		.method = "POST", .path = "/v1/machines", .client = "192.0.2.9",
		.body = fz_configs[2], .body_len = strlen(fz_configs[2]),
		.now_ms = 1, .now_unix = 1700000000, .header = fake_header,
		.query = fake_query, .ctx = &f,
	};
	struct srv_resp r = { 0 };
	json_t *j;

	if (token) {
		snprintf(auth, sizeof(auth), "Bearer %s", token);
		f.kv[0][0][0] = "Authorization";
		f.kv[0][0][1] = auth;
		f.n[0] = 1;
	}
	srv_handle(s, &req, &r);
	j = json_loads(r.body ? r.body : "", 0, NULL);
	if (r.status != 201 || !json_string_value(json_object_get(j, "id")))
		fz_die("cannot create the harness's machine: %d %s", r.status,
		       r.body ? r.body : "");
	snprintf(id, len, "%s", json_string_value(json_object_get(j, "id")));
	if (tok) {
		if (!json_string_value(json_object_get(j, "token")))
			fz_die("the harness's machine came without a token");
		snprintf(tok, toklen, "%s",
			 json_string_value(json_object_get(j, "token")));
	}
	json_decref(j);
	srv_resp_free(&r);
}

static struct srv_options base_opt;

static void init_options(void)
{
	char *argv[] = { "mmlabd", "--in-memory", "--quiet", NULL };
	FILE *null = fopen("/dev/null", "w");

	if (srv_options_parse(&base_opt, 3, argv, null, null))
		fz_die("the harness's options are refused");
	fclose(null);
	base_opt.rate = 0;
	base_opt.max_batch = 64;
	base_opt.max_body = 2048;	/* so that too large is in reach */
	snprintf(base_opt.instructor_token, sizeof(base_opt.instructor_token),
		 "%s", instructor);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool inited;
	struct srv s;
	struct ids ids;
	const char *p = (const char *)data, *end = p + size;
	int64_t now = 1000;

	if (!inited) {
		init_options();
		inited = true;
	}
	memset(&ids, 0, sizeof(ids));
	srv_init(&s, &base_opt);
	create(&s, NULL, ids.id, sizeof(ids.id), ids.tok, sizeof(ids.tok));
	snprintf(ids.auth, sizeof(ids.auth), "Bearer %s", ids.tok);
	create(&s, ids.tok, ids.tid, sizeof(ids.tid), NULL, 0);
	snprintf(ids.new_id, sizeof(ids.new_id), "%s", ids.id);
	for (int i = 0; i < MAX_REQS && p < end; i++) {
		const char *sep = memmem(p, (size_t)(end - p), "\n===\n", 5);
		size_t len = sep ? (size_t)(sep - p) : (size_t)(end - p);

		/* a NUL ends the request's text, as it would a C string */
		len = strnlen(p, len);
		one_request(&s, &ids, p, len, now);
		now += 250;
		p += sep ? (size_t)(sep - p) + 5 : (size_t)(end - p);
	}
	srv_destroy(&s);
	return 0;
}

/*
 * http.c - libmicrohttpd's callbacks turned into srv_handle() calls.
 *
 * libmicrohttpd calls the access handler several times per request: once
 * when the headers are in, once per piece of body, once at the end.  We
 * answer only on a later call, never the first: libmicrohttpd 0.9.75
 * marks a response queued on the first call "Connection: close" (it has
 * not read the body yet), and losing keep-alive costs about five times
 * the throughput.
 *
 * No thread waits: the HTTP thread not on work that can take
 * milliseconds (heavy(): it goes to libuv's pool), no thread on a
 * machine another request holds (the request joins that machine's queue
 * with its connection suspended, and when its turn comes it runs again:
 * in the pool if heavy, else on the HTTP thread; see turn.h), the HTTP
 * thread not on the journal (the connection is suspended until the
 * commit is decided).
 */
#include "http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "journal.h"
#include "strbuf.h"
#include "turn.h"

struct srv_http {
	struct srv *s;
	struct MHD_Daemon *d;
	uv_loop_t *loop;
	uv_poll_t poll;			/* external mode: MHD's epoll fd */
	uv_timer_t timer;		/* external mode: MHD's timeouts */
	bool external;
	bool kick;			/* external mode: MHD_run again soon */
	unsigned port;
	/* requests whose work can take milliseconds, for the loop to hand
	 * to its thread pool (heavy()) */
	uv_async_t heavy_wake;
	pthread_mutex_t heavy_lock;
	struct conn_req *heavy;
	_Atomic unsigned suspended;	/* connections MHD must not be
					   stopped with */
	/* every open connection, for the header deadline */
	pthread_mutex_t socks_lock;
	struct conn_sock *socks;
	uv_timer_t deadline;
	int open_handles;		/* http_stop frees h when 0 */
};

/*
 * One connection, from its opening to its close.  libmicrohttpd's own
 * timeout restarts at every byte, so a client trickling a byte every
 * few seconds would hold its connection forever: the loop's timer cuts
 * any connection that has not completed a request's headers within
 * --header-timeout of opening, or of its previous answer.
 */
struct conn_sock {
	MHD_socket fd;
	int64_t since_ns;		/* opened, or the last answer went */
	bool in_request;		/* its headers are in: no deadline */
	bool cut;			/* shut down by the deadline */
	bool nul_in_url;		/* a %00 decoded: refused with 400 */
	struct conn_sock *prev, *next;
};

/* What a refusal of the request's head says. */
struct head_refusal {
	int status;
	const char *type, *detail;
};

enum { RUN_GOING, RUN_PARKED, RUN_WOKEN };

/* One request's state between libmicrohttpd's calls. */
struct conn_req {
	char *body;
	size_t len, cap;
	bool too_large;
	int64_t start_ns;
	char client[64];
	/* an answer waiting for the journal, and the connection it is for */
	bool waiting;
	bool ready;			/* worked out in the pool: send saved */
	bool admitted;			/* taken by the rate limit already */
	bool under_way;			/* its head came before the drain */
	bool suspended;			/* counted in h->suspended */
	bool answered;			/* its response is queued */
	size_t answer_bytes;		/* of its body, in s->answer_bytes */
	/* waiting for its machine (turn.h): queued, and run again when
	 * its turn comes, once its current run has ended (park) */
	struct srv_waiter waiter;
	_Atomic int run;		/* RUN_GOING, RUN_PARKED, RUN_WOKEN */
	bool rerun;			/* its turn came: handle it again */
	uv_work_t work;
	struct conn_req *next_heavy;
	struct srv_resp saved;
	struct MHD_Connection *conn;
	const char *method, *url;
	struct srv_http *h;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const char *lookup_header(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, name);
}

static const char *lookup_query(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static void client_addr(struct MHD_Connection *conn, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, len, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			  buf, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  buf, (socklen_t)len);
}

/*
 * Behind a reverse proxy every request comes from the proxy's address,
 * and a whole class would share one rate limit.  From the proxy named by
 * --trusted-proxy, the client is the last address of X-Forwarded-For:
 * the one the proxy itself saw (anything before it the client could
 * have written).
 */
static void forwarded_client(struct srv_http *h, struct MHD_Connection *conn,
			     char *buf, size_t len)
{
	const char *xff, *last;
	size_t n;

	if (!h->s->opt.trusted_proxy[0] ||
	    strcmp(buf, h->s->opt.trusted_proxy))
		return;
	xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					  "X-Forwarded-For");
	if (!xff)
		return;
	last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	last += strspn(last, " \t");
	n = strspn(last, "0123456789abcdefABCDEF.:");
	if (n == 0 || n >= len || last[n + strspn(last + n, " \t")])
		return;
	memcpy(buf, last, n);
	buf[n] = '\0';
}

static bool body_append(struct conn_req *r, const char *data, size_t n,
			size_t max)
{
	if (r->too_large || r->len + n > max) {
		free(r->body);
		r->body = NULL;
		r->len = r->cap = 0;
		r->too_large = true;
		return false;
	}
	if (r->len + n + 1 > r->cap) {
		r->cap = (r->len + n + 1) * 2;
		if (r->cap > max + 1)
			r->cap = max + 1;
		r->body = xrealloc(r->body, r->cap);
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return true;
}

static struct MHD_Response *make_response(struct srv_resp *resp)
{
	struct MHD_Response *mr;
	struct stat st;
	int fd;

	if (resp->file_path) {
		fd = open(resp->file_path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && !fstat(fd, &st)) {
			mr = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
			if (mr)
				return mr;
		}
		if (fd >= 0)
			close(fd);
		resp->status = 500;
		return MHD_create_response_from_buffer(0, (void *)"",
						       MHD_RESPMEM_PERSISTENT);
	}
	if (!resp->body || resp->status == 204 || resp->status == 304)
		return MHD_create_response_from_buffer(0, (void *)"",
						       MHD_RESPMEM_PERSISTENT);
	mr = MHD_create_response_from_buffer(resp->len, resp->body,
					     MHD_RESPMEM_MUST_FREE);
	if (mr)
		resp->body = NULL;	/* libmicrohttpd frees it */
	return mr;
}

static void log_request(const struct srv_http *h, const struct conn_req *r,
			const char *method, const char *url, int status,
			int64_t ns)
{
	struct timespec now;
	struct tm tm;
	char ts[32];

	if (h->s->opt.quiet)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* the path only: a ?token= must never reach a log */
	fprintf(stderr, "%s %s %s %s %d %.3fms\n", ts, r->client, method, url,
		status, (double)ns / 1e6);
}

static enum MHD_Result send_resp(struct srv_http *h, struct MHD_Connection *conn,
				 struct conn_req *r, struct srv_resp *resp,
				 const char *url, const char *method)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	int64_t took;
	size_t len = resp->body ? resp->len : 0;

	if (!(mr = make_response(resp))) {
		srv_resp_free(resp);
		r->answered = true;
		return MHD_NO;
	}
	if (resp->content_type)
		MHD_add_response_header(mr, "Content-Type", resp->content_type);
	for (unsigned i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(mr, resp->headers[i].name,
					resp->headers[i].value);
	ret = MHD_queue_response(conn, (unsigned)resp->status, mr);
	r->answered = true;
	/* libmicrohttpd took the body: held until on_completed */
	if (ret == MHD_YES && len && !resp->body) {
		r->answer_bytes = len;
		atomic_fetch_add(&h->s->answer_bytes, len);
	}
	MHD_destroy_response(mr);
	took = mono_ns() - r->start_ns;
	metrics_record(&h->s->metrics, resp->route, resp->status,
		       (uint64_t)(took / 1000));
	log_request(h, r, method, url, resp->status, took);
	srv_resp_free(resp);
	return ret;
}

static void on_timer(uv_timer_t *t);

/*
 * libmicrohttpd aborts when stopped with a connection suspended, and a
 * resumed one counts as suspended until its thread has taken it back:
 * the count drops only once the answer is queued (or the connection
 * ends), never while its thread is still in on_access.
 */
static void suspend(struct srv_http *h, struct conn_req *r,
		    struct MHD_Connection *conn)
{
	/* a request run again after its turn came is still counted */
	if (!r->suspended)
		atomic_fetch_add(&h->suspended, 1);
	r->suspended = true;
	MHD_suspend_connection(conn);
}

static void taken_back(struct srv_http *h, struct conn_req *r)
{
	if (r->suspended) {
		r->suspended = false;
		atomic_fetch_sub(&h->suspended, 1);
	}
}

/* The journal decided (on the loop's thread): wake the connection. */
static void on_decided(void *arg)
{
	struct conn_req *r = arg;
	struct srv_http *h = r->h;	/* with threads, r may go at resume */

	MHD_resume_connection(r->conn);
	if (h->external) {
		/* nothing else runs MHD for a resumed connection: run it from
		 * the loop soon, never inside the MHD_run we may be in */
		h->kick = true;
		uv_timer_start(&h->timer, on_timer, 0, 0);
	}
}

/* After resume: the saved 2xx if the write held, else a 503 in its place. */
static enum MHD_Result send_saved(struct srv_http *h, struct conn_req *r,
				  const char *url, const char *method)
{
	struct srv_resp *resp = &r->saved;
	struct journal_ticket *t = resp->ticket;
	char why[256];

	resp->ticket = NULL;
	r->waiting = false;
	if (ticket_failed(t, why, sizeof(why))) {
		json_t *p;

		srv_resp_free(resp);
		p = srv_problem(503, "store-unavailable", "the change could "
				"not be saved (%s), so it was undone; try again "
				"in a few seconds", why);
		json_object_set_new(p, "instance", json_string(url));
		resp->status = 503;
		resp->content_type = "application/problem+json";
		resp->body = json_dumps(p, JSON_INDENT(2));
		resp->len = resp->body ? strlen(resp->body) : 0;
		/* as every other store-unavailable: when to try again */
		resp->headers[0].name = "Retry-After";
		snprintf(resp->headers[0].value, sizeof(resp->headers[0].value),
			 "5");
		resp->nheaders = 1;
		json_decref(p);
	}
	ticket_free(t);
	return send_resp(h, r->conn, r, resp, url, method);
}

/*
 * Work that can take milliseconds — booting a machine (a 64 GiB one
 * takes 3 ms), reset, a batch of operations, the frame map, a page-table
 * dump — runs in libuv's thread pool, not on an HTTP thread: a request
 * to another machine never waits behind it.  Everything else is a few
 * microseconds and runs where it arrived; a hand-off would cost more.
 */
static bool heavy(const char *method, const char *url)
{
	size_t n = strlen(url);

	/* an exercise's create and reveal boot and run the model; so may
	 * its first answer or read after a restart (its variant is made
	 * again then, up to 25 ms); a class's join and a student's /v1/me
	 * draw and boot the student's exercises, and the teacher's view of
	 * a student makes their variants: all rare next to machine requests */
	if (!strcmp(method, "POST"))
		return !strcmp(url, "/v1/machines") ||
		       !strncmp(url, "/v1/exercises", 13) ||
		       (n > 5 && !strcmp(url + n - 5, "/join")) ||
		       (n > 6 && !strcmp(url + n - 6, "/reset")) ||
		       (n > 4 && !strcmp(url + n - 4, "/ops"));
	return !strncmp(url, "/v1/exercises/", 14) || !strcmp(url, "/v1/me") ||
	       (!strncmp(url, "/v1/classes/", 12) && strstr(url, "/students/")) ||
	       (n > 7 && !strcmp(url + n - 7, "/frames")) ||
	       (n > 7 && !strcmp(url + n - 7, "/ptdump")) ||
	       (n > 11 && !strcmp(url + n - 11, "/pagetables"));
}

static void handle(struct srv_http *h, struct MHD_Connection *conn,
		   struct conn_req *r, const char *url, const char *method,
		   const struct head_refusal *bad, struct srv_resp *resp)
{
	struct srv_req req = {
		.method = method, .path = url, .client = r->client,
		.body = r->body ? r->body : "", .body_len = r->len,
		.body_too_large = r->too_large,
		.header = lookup_header, .query = lookup_query, .ctx = conn,
		.waiter = &r->waiter, .admitted = r->admitted,
		.under_way = r->under_way,
		.bad_request = bad ? bad->detail : NULL,
		.bad_status = bad ? bad->status : 0,
		.bad_type = bad ? bad->type : NULL,
	};

	req.now_ms = mono_ns() / 1000000;
	req.now_unix = (int64_t)time(NULL);
	atomic_store(&r->run, RUN_GOING);
	srv_handle(h->s, &req, resp);
	/* not queued: a turn given and not used passes on */
	if (!resp->busy)
		turn_forget(&h->s->reg, &r->waiter);
}

/* Run r again (any thread): the loop hands it to the pool or resumes it. */
static void dispatch(struct conn_req *r)
{
	struct srv_http *h = r->h;

	pthread_mutex_lock(&h->heavy_lock);
	r->rerun = true;
	r->next_heavy = h->heavy;
	h->heavy = r;
	pthread_mutex_unlock(&h->heavy_lock);
	uv_async_send(&h->heavy_wake);
}

/* Its turn came (on the thread that passed it on).  Its run that joined
 * the queue may not be over yet: then that run dispatches it (park). */
static void on_turn(struct srv_waiter *w)
{
	struct conn_req *r = (struct conn_req *)(void *)
		((char *)w - offsetof(struct conn_req, waiter));
	int going = RUN_GOING;

	if (!atomic_compare_exchange_strong(&r->run, &going, RUN_WOKEN))
		dispatch(r);
}

/* The run that queued r is over (its connection suspended, its pool
 * work finished): wait for on_turn, unless it came already. */
static void park(struct conn_req *r)
{
	int going = RUN_GOING;

	if (!atomic_compare_exchange_strong(&r->run, &going, RUN_PARKED))
		dispatch(r);
}

/* The pool's thread: the connection is suspended, its headers fixed. */
static void do_heavy(uv_work_t *w)
{
	struct conn_req *r = w->data;

	handle(r->h, r->conn, r, r->url, r->method, NULL, &r->saved);
}

static void after_heavy(uv_work_t *w, int status)
{
	struct conn_req *r = w->data;

	(void)status;
	if (r->saved.busy) {
		srv_resp_free(&r->saved);
		park(r);		/* queued at its machine */
		return;
	}
	if (r->saved.ticket) {
		r->waiting = true;	/* and on to the journal */
		ticket_on_done(r->saved.ticket, on_decided, r);
		return;
	}
	r->ready = true;
	on_decided(r);
}

static void on_heavy_wake(uv_async_t *a)
{
	struct srv_http *h = a->data;
	struct conn_req *r, *next;

	pthread_mutex_lock(&h->heavy_lock);
	r = h->heavy;
	h->heavy = NULL;
	pthread_mutex_unlock(&h->heavy_lock);
	for (; r; r = next) {
		next = r->next_heavy;
		if (r->rerun && !heavy(r->method, r->url)) {
			on_decided(r);	/* on_access runs it again */
			continue;
		}
		r->rerun = false;
		r->work.data = r;
		uv_queue_work(h->loop, &r->work, do_heavy, after_heavy);
	}
}

static enum MHD_Result offload(struct srv_http *h, struct MHD_Connection *conn,
			       struct conn_req *r, const char *url,
			       const char *method)
{
	r->conn = conn;
	r->url = url;
	r->method = method;
	suspend(h, r, conn);
	pthread_mutex_lock(&h->heavy_lock);
	r->next_heavy = h->heavy;
	h->heavy = r;
	pthread_mutex_unlock(&h->heavy_lock);
	uv_async_send(&h->heavy_wake);
	return MHD_YES;
}

static enum MHD_Result respond(struct srv_http *h, struct MHD_Connection *conn,
			       struct conn_req *r, const char *url,
			       const char *method,
			       const struct head_refusal *bad)
{
	struct srv_resp resp;

	if (!bad && !r->too_large && heavy(method, url))
		return offload(h, conn, r, url, method);
	handle(h, conn, r, url, method, bad, &resp);
	if (resp.busy) {
		/* its machine is working for another request: queued there,
		 * its connection waits (the rate limit has counted it once) */
		srv_resp_free(&resp);
		r->admitted = true;
		r->conn = conn;
		r->url = url;
		r->method = method;
		suspend(h, r, conn);
		park(r);
		return MHD_YES;
	}
	if (!resp.ticket)
		return send_resp(h, conn, r, &resp, url, method);
	/* a change: the answer leaves once the journal has it on disk */
	r->saved = resp;
	r->waiting = true;
	r->conn = conn;
	suspend(h, r, conn);
	ticket_on_done(resp.ticket, on_decided, r);
	return MHD_YES;
}

static struct conn_sock *conn_sock(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/*
 * libmicrohttpd answers a request line or headers past its per-connection
 * memory itself, with an HTML page; it gets room for far more than we
 * take, so a request over our limits reaches us and has a problem+json
 * (only one past SRV_MHD_MEMORY in all still gets the HTML 414 or 431).
 * No more than that: libmicrohttpd zeroes the pool for every request, and
 * at 64 KiB that memset was most of what a /healthz cost.
 */
#define SRV_MHD_MEMORY	(32 * 1024)
#define SRV_MAX_URI	(8 * 1024)
#define SRV_MAX_HEADERS_BYTES	(16 * 1024)

struct framing {
	unsigned lengths, encodings;
	size_t bytes;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind,
				     const char *key, const char *value)
{
	struct framing *f = cls;

	(void)kind;
	f->lengths += !strcasecmp(key, "Content-Length");
	f->encodings += !strcasecmp(key, "Transfer-Encoding");
	f->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/*
 * What libmicrohttpd lets through but must not be served: a URL whose
 * decoded form holds a NUL (every C string after it would stop short:
 * /index.html%00.js served index.html), a body whose length two headers
 * give (two Content-Lengths, or one beside Transfer-Encoding): a proxy
 * in front may read it the other way, which is how request smuggling
 * starts; and a head over our limits.  False when none applies.
 */
static bool refused(struct MHD_Connection *conn, const struct conn_sock *cs,
		    const char *url, struct head_refusal *why)
{
	struct framing f = { 0 }, args = { 0 };

	why->status = 400;
	why->type = NULL;
	if (cs && cs->nul_in_url) {
		why->detail = "the URL holds an escaped NUL (%00), which no path "
			      "or argument may contain; remove it";
		return true;
	}
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &f);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, count_framing,
				  &args);
	if (strlen(url) + args.bytes > SRV_MAX_URI) {
		why->status = 414;
		why->type = "uri-too-long";
		why->detail = "the URL is longer than this server takes (8 KiB "
			      "with its query); send less in it";
	} else if (f.bytes > SRV_MAX_HEADERS_BYTES) {
		why->status = 431;
		why->type = "headers-too-large";
		why->detail = "the request headers are larger than this server "
			      "takes (16 KiB); send fewer or shorter headers";
	} else if (f.lengths > 1) {
		why->detail = "the request has more than one Content-Length "
			      "header; send exactly one";
	} else if (f.lengths && f.encodings) {
		why->detail = "the request has both Content-Length and "
			      "Transfer-Encoding; send one of them, not both";
	} else {
		return false;
	}
	return true;
}

/* Headers in: the connection is out of the header deadline's reach. */
static struct conn_sock *request_begins(struct srv_http *h,
					struct MHD_Connection *conn)
{
	struct conn_sock *cs = conn_sock(conn);

	if (cs) {
		pthread_mutex_lock(&h->socks_lock);
		cs->in_request = true;
		pthread_mutex_unlock(&h->socks_lock);
	}
	return cs;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn,
				 const char *url, const char *method,
				 const char *version, const char *upload,
				 size_t *upload_size, void **con_cls)
{
	struct srv_http *h = cls;
	struct conn_req *r = *con_cls;
	struct head_refusal why;
	const char *cl;

	(void)version;
	if (!r) {
		/* headers only: answer on a later call (see the top) */
		struct conn_sock *cs = request_begins(h, conn);

		r = xcalloc(1, sizeof(*r));
		r->h = h;
		r->waiter.wake = on_turn;
		r->start_ns = mono_ns();
		/* the signal may come while its body is still arriving: the
		 * drain counts it as under way, and finishes it */
		r->under_way = !atomic_load(&h->s->draining);
		client_addr(conn, r->client, sizeof(r->client));
		forwarded_client(h, conn, r->client, sizeof(r->client));
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 "Content-Length");
		*con_cls = r;
		atomic_fetch_add(&h->s->inflight, 1);
		/* answered before the body, and the connection closed after:
		 * what follows cannot be trusted to be the next request */
		if (refused(conn, cs, url, &why))
			return respond(h, conn, r, url, method, &why);
		/* no point reading megabytes we will refuse: answer before
		 * the body (and lose keep-alive, which is right here) */
		if (cl && strtoull(cl, NULL, 10) > h->s->opt.max_body) {
			r->too_large = true;
			return respond(h, conn, r, url, method, NULL);
		}
		return MHD_YES;
	}
	if (r->answered)
		return MHD_NO;	/* never run a request twice */
	if (r->rerun) {
		enum MHD_Result ret;

		/* its turn at its machine came: run it now */
		r->rerun = false;
		ret = respond(h, conn, r, url, method, NULL);
		if (r->answered)
			taken_back(h, r);
		return ret;
	}
	if (r->waiting || r->ready) {
		enum MHD_Result ret = r->waiting ? send_saved(h, r, url, method)
				      : send_resp(h, conn, r, &r->saved, url,
						  method);

		r->ready = false;
		/* only now, its answer queued, may the daemon stop */
		taken_back(h, r);
		return ret;
	}
	if (*upload_size) {
		/* a chunked body has no length up front: past the limit the
		 * rest is read and dropped, and refused at the end */
		body_append(r, upload, *upload_size, h->s->opt.max_body);
		*upload_size = 0;
		return MHD_YES;
	}
	return respond(h, conn, r, url, method, NULL);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct srv_http *h = cls;
	struct conn_req *r = *con_cls;
	struct conn_sock *cs = conn_sock(conn);

	(void)toe;
	if (cs) {
		/* the next request's headers are due from now */
		pthread_mutex_lock(&h->socks_lock);
		cs->in_request = false;
		cs->nul_in_url = false;
		cs->since_ns = mono_ns();
		pthread_mutex_unlock(&h->socks_lock);
	}
	if (!r)
		return;
	taken_back(h, r);
	if (r->answer_bytes)
		atomic_fetch_sub(&h->s->answer_bytes, r->answer_bytes);
	/* gone while its turn was on the way: it passes on */
	turn_forget(&h->s->reg, &r->waiter);
	/* the client went away before its answer could be sent */
	if (r->waiting) {
		ticket_free(r->saved.ticket);
		r->saved.ticket = NULL;
	}
	if (r->waiting || r->ready)
		srv_resp_free(&r->saved);
	free(r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&h->s->inflight, 1);
}

/* --- connections: the header deadline, the URL's escapes ---------------------- */

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct srv_http *h = cls;
	struct conn_sock *cs = *socket_context;
	const union MHD_ConnectionInfo *ci;

	pthread_mutex_lock(&h->socks_lock);
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		cs = xcalloc(1, sizeof(*cs));
		cs->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
		cs->since_ns = mono_ns();
		cs->next = h->socks;
		if (h->socks)
			h->socks->prev = cs;
		h->socks = cs;
		*socket_context = cs;
	} else if (cs) {
		/* before libmicrohttpd closes the socket: the timer never
		 * shuts down a descriptor another connection may reuse */
		if (cs->prev)
			cs->prev->next = cs->next;
		else
			h->socks = cs->next;
		if (cs->next)
			cs->next->prev = cs->prev;
		free(cs);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&h->socks_lock);
}

/* The loop's thread: shut down whoever is too slow with its headers;
 * libmicrohttpd sees the end of the stream and closes the connection. */
static void on_deadline(uv_timer_t *t)
{
	struct srv_http *h = t->data;
	int64_t limit = (int64_t)h->s->opt.header_timeout * 1000000000;
	int64_t now = mono_ns();

	pthread_mutex_lock(&h->socks_lock);
	for (struct conn_sock *cs = h->socks; cs; cs = cs->next)
		if (!cs->in_request && !cs->cut && now - cs->since_ns > limit &&
		    cs->fd != MHD_INVALID_SOCKET) {
			shutdown(cs->fd, SHUT_RDWR);
			cs->cut = true;
		}
	pthread_mutex_unlock(&h->socks_lock);
}

/* libmicrohttpd's own decoding, and a note when a %00 made a NUL. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	struct srv_http *h = cls;
	size_t n = MHD_http_unescape(s);
	struct conn_sock *cs;

	if (memchr(s, '\0', n) && (cs = conn_sock(conn))) {
		pthread_mutex_lock(&h->socks_lock);
		cs->nul_in_url = true;
		pthread_mutex_unlock(&h->socks_lock);
	}
	return n;
}

/* --- external mode: libmicrohttpd driven by the libuv loop ----------------- */

static void external_run(struct srv_http *h);

static void on_poll(uv_poll_t *p, int status, int events)
{
	(void)status;
	(void)events;
	external_run(p->data);
}

static void on_timer(uv_timer_t *t)
{
	external_run(t->data);
}

static void external_run(struct srv_http *h)
{
	MHD_UNSIGNED_LONG_LONG to;

	h->kick = false;
	MHD_run(h->d);
	if (h->kick)
		uv_timer_start(&h->timer, on_timer, 0, 0);
	else if (MHD_get_timeout(h->d, &to) == MHD_YES)
		uv_timer_start(&h->timer, on_timer, to, 0);
	else
		uv_timer_stop(&h->timer);
}

/* --- start and stop ---------------------------------------------------------- */

static int resolve(const struct srv_options *o, struct sockaddr_storage *ss,
		   char *errbuf, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE }, *res;
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%u", o->listen_port);
	if ((rc = getaddrinfo(o->listen_host, port, &hints, &res))) {
		snprintf(errbuf, len, "cannot resolve %s: %s", o->listen_host,
			 gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

static void free_on_close(uv_handle_t *hd)
{
	struct srv_http *h = hd->data;

	/* the last of its handles closed: nothing refers to h */
	if (--h->open_handles == 0) {
		pthread_mutex_destroy(&h->heavy_lock);
		pthread_mutex_destroy(&h->socks_lock);
		free(h);
	}
}

struct srv_http *http_start(struct srv *s, uv_loop_t *loop, char *errbuf,
			    size_t len)
{
	const struct srv_options *o = &s->opt;
	struct srv_http *h = xcalloc(1, sizeof(*h));
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	const union MHD_DaemonInfo *di;

	h->s = s;
	h->loop = loop;
	h->external = o->http_threads == 0;
	if (resolve(o, &ss, errbuf, len)) {
		free(h);
		return NULL;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (!h->external)
		flags |= MHD_USE_INTERNAL_POLLING_THREAD;
	/* all the HTTP thread may touch, before it starts */
	pthread_mutex_init(&h->heavy_lock, NULL);
	pthread_mutex_init(&h->socks_lock, NULL);
	uv_async_init(loop, &h->heavy_wake, on_heavy_wake);
	uv_timer_init(loop, &h->deadline);
	h->heavy_wake.data = h->deadline.data = h;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_access, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape, h,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SRV_MHD_MEMORY,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->conn_timeout,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)o->max_connections_per_ip,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
		/* a pool only for more than one thread: MHD warns at 0 */
		o->http_threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
		(unsigned)o->http_threads,
		MHD_OPTION_END);
	h->open_handles = 2;
	if (!h->d) {
		snprintf(errbuf, len, "cannot listen on %s:%u (in use, or not "
			 "an address of this host?)", o->listen_host,
			 o->listen_port);
		uv_close((uv_handle_t *)&h->heavy_wake, free_on_close);
		uv_close((uv_handle_t *)&h->deadline, free_on_close);
		uv_run(loop, UV_RUN_NOWAIT);	/* their close: h freed */
		return NULL;
	}
	di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di ? di->port : o->listen_port;
	/* a quarter of the deadline late at most */
	uv_timer_start(&h->deadline, on_deadline, 250, 250);
	if (h->external) {
		h->open_handles += 2;
		di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
		uv_poll_init(loop, &h->poll, di->epoll_fd);
		uv_timer_init(loop, &h->timer);
		h->poll.data = h->timer.data = h;
		uv_poll_start(&h->poll, UV_READABLE, on_poll);
		external_run(h);
	}
	return h;
}

unsigned http_port(const struct srv_http *h)
{
	return h->port;
}

unsigned http_suspended(const struct srv_http *h)
{
	return atomic_load(&h->suspended);
}

void http_quiesce(struct srv_http *h)
{
	MHD_socket fd = MHD_quiesce_daemon(h->d);

	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	if (h->external)
		external_run(h);
}

void http_stop(struct srv_http *h)
{
	if (h->external)
		uv_poll_stop(&h->poll);	/* before its fd goes */
	MHD_stop_daemon(h->d);
	uv_close((uv_handle_t *)&h->heavy_wake, free_on_close);
	uv_timer_stop(&h->deadline);
	uv_close((uv_handle_t *)&h->deadline, free_on_close);
	if (!h->external)
		return;
	uv_timer_stop(&h->timer);
	uv_close((uv_handle_t *)&h->timer, free_on_close);
	uv_close((uv_handle_t *)&h->poll, free_on_close);
}

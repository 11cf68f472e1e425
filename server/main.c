/*
 * main.c - mmlabd: the libuv loop that holds the daemon together.
 *
 * The loop owns signals and timers: SIGINT or SIGTERM stop new
 * connections and let the requests under way finish for up to
 * --drain-timeout seconds.  Then every batch still running stops at
 * its next operation and is answered, and once no request waits for
 * the pool or the journal (libmicrohttpd aborts if stopped with one
 * suspended) the daemon closes.  A timer removes machines idle past
 * the limit.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uv.h>

#include "api.h"
#include "http.h"
#include "journal.h"
#include "cls_store.h"
#include "exercises.h"
#include "server.h"

#define DRAIN_POLL_MS	10

struct daemon {
	struct srv s;
	struct srv_http *http;
	uv_loop_t *loop;
	uv_signal_t sigint, sigterm;
	uv_timer_t expiry, drain;
	uint64_t drain_start;
	uint64_t answered_at;	/* since when no answer is being made */
};

static void close_all(struct daemon *d)
{
	if (d->s.journal) {
		journal_close(d->s.journal);
		d->s.journal = NULL;
	}
	if (d->http) {
		http_stop(d->http);
		d->http = NULL;
	}
	uv_close((uv_handle_t *)&d->sigint, NULL);
	uv_close((uv_handle_t *)&d->sigterm, NULL);
	uv_close((uv_handle_t *)&d->expiry, NULL);
	uv_close((uv_handle_t *)&d->drain, NULL);
}

static void on_drain(uv_timer_t *t)
{
	struct daemon *d = t->data;
	unsigned left = atomic_load(&d->s.inflight);
	uint64_t ms = (uint64_t)d->s.opt.drain_timeout * 1000;
	if (left && uv_now(d->loop) - d->drain_start < ms)
		return;
	if (left && !atomic_exchange(&d->s.stopping, true))
		fprintf(stderr, "mmlabd: %u requests still running after %llu "
			"ms; stopping their batches and closing\n", left,
			(unsigned long long)ms);
	if (http_suspended(d->http) ||
	    (d->s.journal && journal_busy(d->s.journal))) {
		/* an answer is being made (a batch stops at its next
		 * operation) or committed */
		d->answered_at = 0;
		return;
	}
	if (!d->answered_at)
		d->answered_at = uv_now(d->loop);
	if (left && uv_now(d->loop) - d->answered_at < ms)
		return;		/* answers still being sent: as long again */
	uv_timer_stop(t);
	close_all(d);
}

static void on_signal(uv_signal_t *sig, int signum)
{
	struct daemon *d = sig->data;

	if (atomic_load(&d->s.draining)) {
		/* answers may be cut short, but nothing acknowledged is lost:
		 * it is in the store already */
		fprintf(stderr, "mmlabd: second signal, stopping now\n");
		exit(1);
	}
	fprintf(stderr, "mmlabd: %s: finishing %u requests under way, then "
		"stopping\n", strsignal(signum), atomic_load(&d->s.inflight));
	atomic_store(&d->s.draining, true);
	http_quiesce(d->http);
	d->drain_start = uv_now(d->loop);
	uv_timer_start(&d->drain, on_drain, DRAIN_POLL_MS, DRAIN_POLL_MS);
}

static void on_expiry(uv_timer_t *t)
{
	struct daemon *d = t->data;
	unsigned n = srv_expire_idle(&d->s, (int64_t)uv_hrtime() / 1000000);

	if (n)
		fprintf(stderr, "mmlabd: removed %u machines idle for more "
			"than %u s\n", n, d->s.opt.idle_expiry);
}

/* Check idle machines a few times per expiry period, at most each minute. */
static uint64_t expiry_period_ms(const struct srv_options *o)
{
	uint64_t ms = (uint64_t)o->idle_expiry * 1000 / 4;

	if (ms > 60000)
		ms = 60000;
	return ms < 250 ? 250 : ms;
}

/* The store, and every machine in it back in the registry. */
static int open_store(struct daemon *d)
{
	const struct srv_options *o = &d->s.opt;
	struct store *st;
	bool ro;
	char err[768], fp[32];
	/* the store's machines mean what the model that wrote them answered */
	struct store_model model = { fp, o->accept_model_change };

	if (o->in_memory)
		return 0;
	snprintf(fp, sizeof(fp), "%016llx",
		 (unsigned long long)api_model_fingerprint());
	if (!(st = store_open_checked(o->data_dir, o->accept_store_damage,
				      &model, &ro, err, sizeof(err)))) {
		fprintf(stderr, "mmlabd: %s\n", err);
		return -1;
	}
	d->s.journal = journal_new(&d->s, st, o->data_dir, ro, d->loop,
				   o->snapshot_every);
	if (journal_replay(d->s.journal, err, sizeof(err)) ||
	    srv_ex_replay(&d->s, err, sizeof(err)) ||
	    cls_replay(&d->s, err, sizeof(err))) {
		fprintf(stderr, "mmlabd: %s\n", err);
		return -1;
	}
	return 0;
}

static int start(struct daemon *d)
{
	char err[256];

	d->loop = uv_default_loop();
	if (open_store(d))
		return -1;
	if (!(d->http = http_start(&d->s, d->loop, err, sizeof(err)))) {
		fprintf(stderr, "mmlabd: %s\n", err);
		return -1;
	}
	uv_signal_init(d->loop, &d->sigint);
	uv_signal_init(d->loop, &d->sigterm);
	uv_timer_init(d->loop, &d->expiry);
	uv_timer_init(d->loop, &d->drain);
	d->sigint.data = d->sigterm.data = d->expiry.data = d->drain.data = d;
	uv_signal_start(&d->sigint, on_signal, SIGINT);
	uv_signal_start(&d->sigterm, on_signal, SIGTERM);
	if (d->s.opt.idle_expiry) {
		uint64_t p = expiry_period_ms(&d->s.opt);

		uv_timer_start(&d->expiry, on_expiry, p, p);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct daemon d;
	struct srv_options opt;
	int rc = srv_options_parse(&opt, argc, argv, stdout, stderr);

	if (rc)
		return rc > 0 ? 0 : 2;
	signal(SIGPIPE, SIG_IGN);
	srv_init(&d.s, &opt);
	if (start(&d)) {
		srv_destroy(&d.s);
		return 1;
	}
	fprintf(stderr, "mmlabd: listening on http://%s:%u/ (node %s, %s, %s)\n",
		opt.listen_host, http_port(d.http), opt.node,
		opt.http_threads ? "libmicrohttpd threads" : "libuv loop",
		opt.in_memory ? "in memory only" : opt.data_dir);
	uv_run(d.loop, UV_RUN_DEFAULT);
	uv_loop_close(d.loop);
	srv_destroy(&d.s);
	fprintf(stderr, "mmlabd: stopped\n");
	return 0;
}

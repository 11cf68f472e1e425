/*
 * options.c - mmlabd's flags and environment variables.
 *
 * One table names every option once: its flag, its variable, its kind
 * and its help line, so --help, the environment and the parser can never
 * disagree about what exists.
 */
#include "options.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"

#ifndef MMLAB_DEFAULT_DATA
#define MMLAB_DEFAULT_DATA "/var/lib/mmlab"
#endif
#ifndef MMLAB_DEFAULT_WEB
#define MMLAB_DEFAULT_WEB "/usr/share/mmlab/web"
#endif

enum opt_kind { OPT_STR, OPT_UINT, OPT_SIZE, OPT_LISTEN, OPT_BOOL };

struct opt_def {
	const char *flag;	/* without the leading "--" */
	const char *env;
	enum opt_kind kind;
	size_t off;		/* into struct srv_options */
	size_t len;		/* OPT_STR: buffer size; OPT_UINT: max value */
	const char *help;
};

#define OFF(f) offsetof(struct srv_options, f)
#define STR(f) OPT_STR, OFF(f), sizeof(((struct srv_options *)0)->f)

static const struct opt_def opts[] = {
	{ "listen", "MMLAB_LISTEN", OPT_LISTEN, 0, 0,
	  "HOST:PORT to serve HTTP on (127.0.0.1:8080)" },
	{ "data", "MMLAB_DATA", STR(data_dir),
	  "directory of the machine store (" MMLAB_DEFAULT_DATA ")" },
	{ "web", "MMLAB_WEB", STR(web_dir),
	  "directory of the static web page served at / (" MMLAB_DEFAULT_WEB ")" },
	{ "instructor-token", "MMLAB_INSTRUCTOR_TOKEN", STR(instructor_token),
	  "token that lists and reads every machine (at least 16 characters; none)" },
	{ "trusted-proxy", "MMLAB_TRUSTED_PROXY", STR(trusted_proxy),
	  "address of a reverse proxy whose X-Forwarded-For names the client "
	  "for rate limits (none)" },
	{ "node", "MMLAB_NODE", STR(node),
	  "this daemon's name, the prefix of its machine ids (a)" },
	{ "max-machines", "MMLAB_MAX_MACHINES", OPT_UINT, OFF(max_machines), 1000000,
	  "machines in total (1000)" },
	{ "max-machines-per-token", "MMLAB_MAX_MACHINES_PER_TOKEN", OPT_UINT,
	  OFF(max_machines_per_token), 1000000, "machines under one token (16)" },
	{ "max-exercises-per-token", "MMLAB_MAX_EXERCISES_PER_TOKEN", OPT_UINT,
	  OFF(max_exercises_per_token), 100000, "exercises under one token, "
	  "each with its own machine, counted apart from the machines (64)" },
	{ "max-machines-per-ip", "MMLAB_MAX_MACHINES_PER_IP", OPT_UINT,
	  OFF(max_machines_per_ip), 1000000, "machines whose token a client "
	  "address got by creating without one (with the machines made with "
	  "those tokens), 0 for no limit (64)" },
	{ "max-host-memory", "MMLAB_MAX_HOST_MEMORY", OPT_SIZE,
	  OFF(max_host_machine), 0, "host memory one machine's model may hold "
	  "(written pages, page tables, its structures), bytes or 64M (64M)" },
	{ "max-host-memory-total", "MMLAB_MAX_HOST_MEMORY_TOTAL", OPT_SIZE,
	  OFF(max_host_total), 0, "host memory all machines together may hold "
	  "(the smaller of max-machines times max-host-memory and half the "
	  "host's RAM)" },
	{ "max-ram", "MMLAB_MAX_RAM", OPT_SIZE, OFF(max_ram), 0,
	  "simulated RAM per machine, bytes or 512M, 4G (4G)" },
	{ "max-processes", "MMLAB_MAX_PROCESSES", OPT_UINT, OFF(max_processes), 4096,
	  "processes per machine (64)" },
	{ "max-map-count", "MMLAB_MAX_MAP_COUNT", OPT_UINT, OFF(max_map_count), 65530,
	  "VMAs per process (1024)" },
	{ "max-batch", "MMLAB_MAX_BATCH", OPT_UINT, OFF(max_batch), 100000,
	  "operations in one /ops request (256)" },
	{ "max-body", "MMLAB_MAX_BODY", OPT_SIZE, OFF(max_body), 0,
	  "bytes of a request body (64K)" },
	{ "max-answer", "MMLAB_MAX_ANSWER", OPT_SIZE, OFF(max_answer), 0,
	  "bytes of a batch's answer (compact JSON); a batch stops at the "
	  "operation that would pass it (8M)" },
	{ "rate", "MMLAB_RATE", OPT_UINT, OFF(rate), 1000000,
	  "requests per second per client address, 0 for no limit (50)" },
	{ "rate-burst", "MMLAB_RATE_BURST", OPT_UINT, OFF(rate_burst), 1000000,
	  "requests a client may send at once above the rate (100)" },
	{ "idle-expiry", "MMLAB_IDLE_EXPIRY", OPT_UINT, OFF(idle_expiry), 1u << 30,
	  "seconds a machine may sit unused before it is removed, 0 never (1209600)" },
	{ "conn-timeout", "MMLAB_CONN_TIMEOUT", OPT_UINT, OFF(conn_timeout), 3600,
	  "seconds a stalled connection is kept (15)" },
	{ "header-timeout", "MMLAB_HEADER_TIMEOUT", OPT_UINT, OFF(header_timeout),
	  3600, "seconds a connection has to send a request's headers, from "
	  "its opening or its previous answer, however it trickles (5)" },
	{ "drain-timeout", "MMLAB_DRAIN_TIMEOUT", OPT_UINT, OFF(drain_timeout),
	  3600, "seconds SIGTERM lets requests under way finish; then batches "
	  "stop at their next operation (10)" },
	{ "max-connections", "MMLAB_MAX_CONNECTIONS", OPT_UINT, OFF(max_connections),
	  60000, "open connections in total (512)" },
	{ "max-connections-per-ip", "MMLAB_MAX_CONNECTIONS_PER_IP", OPT_UINT,
	  OFF(max_connections_per_ip), 60000,
	  "open connections from one address, 0 for no limit (128)" },
	{ "http-threads", "MMLAB_HTTP_THREADS", OPT_UINT, OFF(http_threads), 256,
	  "libmicrohttpd threads; 0 serves HTTP from the main libuv loop (1)" },
	{ "quiet", "MMLAB_QUIET", OPT_BOOL, OFF(quiet), 0,
	  "no log line per request" },
	{ "in-memory", "MMLAB_IN_MEMORY", OPT_BOOL, OFF(in_memory), 0,
	  "keep no store: every machine is lost when the daemon stops" },
	{ "snapshot-every", "MMLAB_SNAPSHOT_EVERY", OPT_UINT, OFF(snapshot_every),
	  100000000, "operations on a machine between snapshots in the store, "
	  "0 never (1000)" },
	{ "accept-store-damage", "MMLAB_ACCEPT_STORE_DAMAGE", OPT_BOOL,
	  OFF(accept_store_damage), 0, "start on a damaged store: drop the "
	  "damaged machines (the log names each) instead of refusing to start" },
	{ "accept-model-change", "MMLAB_ACCEPT_MODEL_CHANGE", OPT_BOOL,
	  OFF(accept_model_change), 0, "start on a store another version of "
	  "the model wrote: replay its machines with this one (their figures "
	  "may differ from what was answered) instead of refusing to start" },
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static void defaults(struct srv_options *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->listen_host, sizeof(o->listen_host), "127.0.0.1");
	o->listen_port = 8080;
	snprintf(o->data_dir, sizeof(o->data_dir), "%s", MMLAB_DEFAULT_DATA);
	snprintf(o->web_dir, sizeof(o->web_dir), "%s", MMLAB_DEFAULT_WEB);
	snprintf(o->node, sizeof(o->node), "a");
	o->max_machines = 1000;
	o->max_machines_per_token = 16;
	o->max_exercises_per_token = 64;
	o->max_machines_per_ip = 64;
	o->max_host_machine = 64ull << 20;
	o->max_ram = 4ull << 30;
	o->max_processes = 64;
	o->max_map_count = 1024;
	o->max_batch = 256;
	o->max_body = 64 * 1024;
	o->rate = 50;
	o->rate_burst = 100;
	o->idle_expiry = 14 * 24 * 3600;
	o->conn_timeout = 15;
	o->header_timeout = 5;
	o->drain_timeout = 10;
	o->max_answer = 8u << 20;
	o->max_connections = 512;
	o->max_connections_per_ip = 128;
	o->http_threads = 1;	/* chosen by bench/bench_http.sh: docs/daemon.md */
	o->snapshot_every = 1000;
}

static int set_listen(struct srv_options *o, const char *v)
{
	const char *colon = strrchr(v, ':');
	char *end;
	unsigned long port;
	size_t hl;

	if (!colon)
		return -1;
	hl = (size_t)(colon - v);
	if (hl == 0 || hl >= sizeof(o->listen_host))
		return -1;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port > 65535)
		return -1;
	memcpy(o->listen_host, v, hl);
	o->listen_host[hl] = '\0';
	o->listen_port = (unsigned)port;
	return 0;
}

static int set_uint(unsigned *dst, const char *v, size_t max)
{
	char *end;
	unsigned long long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n > max)
		return -1;
	*dst = (unsigned)n;
	return 0;
}

/* Sizes read like the model's: 65536, 64K, 512M, 4G, 0x1000. */
static int set_size(const struct opt_def *d, struct srv_options *o,
		    const char *v)
{
	json_t *j = json_string(v);
	uint64_t n;
	int bad = !j || api_get_u64(j, &n) || n == 0;

	json_decref(j);
	if (bad)
		return -1;
	if (d->off == OFF(max_body) || d->off == OFF(max_answer)) {
		if (n > (d->off == OFF(max_body) ? 64ull << 20 : 1ull << 30))
			return -1;
		*(size_t *)(void *)((char *)o + d->off) = (size_t)n;
	} else {
		*(uint64_t *)(void *)((char *)o + d->off) = n;
	}
	return 0;
}

static int set_one(const struct opt_def *d, struct srv_options *o,
		   const char *v)
{
	char *base = (char *)o;

	switch (d->kind) {
	case OPT_STR:
		if (strlen(v) >= d->len)
			return -1;
		snprintf(base + d->off, d->len, "%s", v);
		return 0;
	case OPT_UINT:
		return set_uint((unsigned *)(void *)(base + d->off), v, d->len);
	case OPT_SIZE:
		return set_size(d, o, v);
	case OPT_LISTEN:
		return set_listen(o, v);
	case OPT_BOOL:
		if (strcmp(v, "1") && strcmp(v, "0") && strcmp(v, "true") &&
		    strcmp(v, "false"))
			return -1;
		*(bool *)(void *)(base + d->off) = !strcmp(v, "1") ||
						    !strcmp(v, "true");
		return 0;
	}
	return -1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mmlabd [OPTION...]\n"
		"Serve simulated 32-bit x86 Linux machines over HTTP (REST/JSON).\n\n"
		"Each option may also be set by the environment variable shown;\n"
		"a flag wins over its variable.\n\n");
	for (size_t i = 0; i < NOPTS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s", opts[i].flag,
			 opts[i].kind == OPT_BOOL ? "" : " V");
		fprintf(out, "  %-30s %s\n  %-30s [%s]\n", left, opts[i].help,
			"", opts[i].env);
	}
	fprintf(out, "  %-30s %s\n", "--help", "print this help and exit");
}

static const struct opt_def *find_flag(const char *name, size_t len)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strlen(opts[i].flag) == len && !strncmp(opts[i].flag, name, len))
			return &opts[i];
	return NULL;
}

/* Enough for every machine at its budget, but never more than half of
 * what the host has: the kernel's OOM killer would take the daemon and
 * every student's machines with it. */
static uint64_t default_host_total(const struct srv_options *o)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	uint64_t all = (uint64_t)o->max_machines * o->max_host_machine;
	uint64_t half = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz / 2
					     : all;

	return all < half ? all : half;
}

static int check(struct srv_options *o, FILE *err)
{
	size_t tl = strlen(o->instructor_token);

	if (tl && tl < 16) {
		fprintf(err, "mmlabd: the instructor token must have at least "
			"16 characters\n");
		return -1;
	}
	if (!o->node[0] || strspn(o->node, "abcdefghijklmnopqrstuvwxyz0123456789")
			   != strlen(o->node)) {
		fprintf(err, "mmlabd: --node must be lower-case letters and "
			"digits (it starts every machine id)\n");
		return -1;
	}
	if (!o->max_machines || !o->max_machines_per_token || !o->max_batch ||
	    !o->max_exercises_per_token ||
	    !o->max_processes || !o->max_map_count || !o->header_timeout) {
		fprintf(err, "mmlabd: a machine, exercise, process, VMA, batch "
			"or header time limit of 0 would refuse everything\n");
		return -1;
	}
	if (!o->max_host_total)
		o->max_host_total = default_host_total(o);
	return 0;
}

int srv_options_parse(struct srv_options *o, int argc, char **argv,
		      FILE *out, FILE *err)
{
	defaults(o);
	for (size_t i = 0; i < NOPTS; i++) {
		const char *v = getenv(opts[i].env);

		if (v && *v && set_one(&opts[i], o, v)) {
			fprintf(err, "mmlabd: bad value '%s' in %s: %s\n", v,
				opts[i].env, opts[i].help);
			return -1;
		}
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *v;
		const struct opt_def *d;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(out);
			return 1;
		}
		if (strncmp(a, "--", 2)) {
			fprintf(err, "mmlabd: unexpected argument '%s' "
				"(try --help)\n", a);
			return -1;
		}
		a += 2;
		eq = strchr(a, '=');
		d = find_flag(a, eq ? (size_t)(eq - a) : strlen(a));
		if (!d) {
			fprintf(err, "mmlabd: unknown option '%s' (try --help)\n",
				argv[i]);
			return -1;
		}
		if (eq)
			v = eq + 1;
		else if (d->kind == OPT_BOOL)
			v = "1";
		else if (i + 1 < argc)
			v = argv[++i];
		else {
			fprintf(err, "mmlabd: --%s needs a value\n", d->flag);
			return -1;
		}
		if (set_one(d, o, v)) {
			fprintf(err, "mmlabd: bad value '%s' for --%s: %s\n", v,
				d->flag, d->help);
			return -1;
		}
	}
	return check(o, err);
}

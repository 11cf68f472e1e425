/*
 * options.h - everything mmlabd can be told at start, from flags or the
 * matching MMLAB_* environment variables (a flag wins over the variable).
 */
#ifndef SRV_OPTIONS_H
#define SRV_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct srv_options {
	char listen_host[64];
	unsigned listen_port;
	char data_dir[512];
	char web_dir[512];
	char instructor_token[128];	/* empty: no instructor */
	char node[32];			/* prefix of every machine id */
	char trusted_proxy[64];		/* its X-Forwarded-For names the client */

	/* limits */
	unsigned max_machines;		/* in total */
	unsigned max_machines_per_token;
	unsigned max_exercises_per_token;	/* each with its machine */
	unsigned max_machines_per_ip;	/* by the address that got the token
					   (token-less creates); 0 no limit */
	uint64_t max_host_machine;	/* host bytes one machine may hold */
	uint64_t max_host_total;	/* host bytes of all machines */
	uint64_t max_ram;		/* bytes of simulated RAM per machine */
	unsigned max_processes;		/* per machine */
	unsigned max_map_count;		/* VMAs per process */
	unsigned max_batch;		/* operations in one /ops request */
	size_t max_body;		/* bytes of a request body */
	size_t max_answer;		/* bytes of a batch's answer */
	unsigned rate;			/* requests per second per client, 0 off */
	unsigned rate_burst;
	unsigned idle_expiry;		/* seconds; 0: machines never expire */
	unsigned conn_timeout;		/* seconds a connection may stall */
	unsigned header_timeout;	/* seconds to send a request's headers */
	unsigned drain_timeout;		/* seconds SIGTERM waits for requests */
	unsigned max_connections;
	unsigned max_connections_per_ip;

	/* how HTTP is served: 0 runs libmicrohttpd from the libuv loop on
	 * the main thread; N > 0 is libmicrohttpd's own pool of N threads */
	unsigned http_threads;
	bool quiet;			/* no per-request log line */
	bool in_memory;			/* no store: machines die with us */
	unsigned snapshot_every;	/* ops between snapshots of a machine */
	bool accept_store_damage;	/* start on a damaged store, dropping
					   what is damaged (and saying what) */
	bool accept_model_change;	/* replay a store another model
					   wrote, with this one */
};

/*
 * Fill o from defaults, then the environment, then argv.  Returns 0 to
 * go on, 1 when --help was printed (exit 0), -1 after printing a usage
 * error to err (exit 2).
 */
int srv_options_parse(struct srv_options *o, int argc, char **argv,
		      FILE *out, FILE *err);

#endif

/*
 * metrics.h - what /metrics tells Prometheus: requests by route and
 * status, a latency histogram, and gauges the daemon reads at scrape
 * time.  Counters are atomics, so recording costs no lock.
 */
#ifndef SRV_METRICS_H
#define SRV_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "strbuf.h"

#define METRICS_ROUTES	40	/* at least the router's routes + 1 */
#define METRICS_BUCKETS	14

/* the statuses the daemon answers; anything else is counted as "other" */
#define METRICS_STATUSES 19

struct srv_metrics {
	_Atomic uint64_t requests[METRICS_ROUTES][METRICS_STATUSES];
	_Atomic uint64_t latency[METRICS_BUCKETS + 1];	/* last: +Inf */
	_Atomic uint64_t latency_sum_us;
	_Atomic uint64_t latency_count;
	_Atomic uint64_t machines_created, machines_expired;
};

void metrics_init(struct srv_metrics *mt);
/* One answered request: route index (-1 for none), status, time taken. */
void metrics_record(struct srv_metrics *mt, int route, int status,
		    uint64_t micros);
/*
 * The Prometheus text: route_name(i) names route i (NULL past the last);
 * the gauges are passed in as read.
 */
void metrics_text(struct srv_metrics *mt, const char *(*route_name)(int),
		  unsigned machines, uint64_t frames, unsigned inflight,
		  struct strbuf *out);

/* Host memory: what the machines hold, the budgets, and how many
 * machines are over theirs. */
void metrics_host_text(struct strbuf *out, uint64_t used, uint64_t total,
		       uint64_t per_machine, unsigned over);

#endif

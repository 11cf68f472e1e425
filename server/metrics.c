/*
 * metrics.c - Prometheus text exposition of the daemon's counters.
 */
#include "metrics.h"

#include <stdio.h>
#include <string.h>

static const int statuses[METRICS_STATUSES - 1] = {
	200, 201, 204, 304, 400, 401, 403, 404, 405, 409, 413, 415, 422,
	429, 500, 503, 507, 431,
};

/* upper bounds in seconds, as Prometheus' le labels print them */
static const char *const bucket_le[METRICS_BUCKETS] = {
	"0.00005", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005",
	"0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
};
static const uint64_t bucket_us[METRICS_BUCKETS] = {
	50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000,
};

void metrics_init(struct srv_metrics *mt)
{
	memset(mt, 0, sizeof(*mt));
}

static int status_index(int status)
{
	for (int i = 0; i < METRICS_STATUSES - 1; i++)
		if (statuses[i] == status)
			return i;
	return METRICS_STATUSES - 1;
}

void metrics_record(struct srv_metrics *mt, int route, int status,
		    uint64_t micros)
{
	int r = route < 0 || route >= METRICS_ROUTES - 1 ? METRICS_ROUTES - 1
							  : route;
	int b = 0;

	atomic_fetch_add_explicit(&mt->requests[r][status_index(status)], 1,
				  memory_order_relaxed);
	while (b < METRICS_BUCKETS && micros > bucket_us[b])
		b++;
	atomic_fetch_add_explicit(&mt->latency[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&mt->latency_sum_us, micros,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&mt->latency_count, 1, memory_order_relaxed);
}

static void requests_text(struct srv_metrics *mt, const char *(*route_name)(int),
			  struct strbuf *out)
{
	sb_puts(out, "# HELP mmlab_http_requests_total HTTP requests answered, "
		"by route and status.\n# TYPE mmlab_http_requests_total counter\n");
	for (int r = 0; r < METRICS_ROUTES; r++) {
		const char *name = r == METRICS_ROUTES - 1 ? "none" : route_name(r);

		if (!name)
			continue;
		for (int s = 0; s < METRICS_STATUSES; s++) {
			uint64_t n = atomic_load(&mt->requests[r][s]);
			char code[8];

			if (!n)
				continue;
			if (s == METRICS_STATUSES - 1)
				snprintf(code, sizeof(code), "other");
			else
				snprintf(code, sizeof(code), "%d", statuses[s]);
			sb_printf(out, "mmlab_http_requests_total{route=\"%s\","
				  "status=\"%s\"} %llu\n", name, code,
				  (unsigned long long)n);
		}
	}
}

static void latency_text(struct srv_metrics *mt, struct strbuf *out)
{
	uint64_t cum = 0;

	sb_puts(out, "# HELP mmlab_http_request_duration_seconds Time from "
		"a request's last byte to its answer.\n"
		"# TYPE mmlab_http_request_duration_seconds histogram\n");
	for (int b = 0; b <= METRICS_BUCKETS; b++) {
		cum += atomic_load(&mt->latency[b]);
		sb_printf(out, "mmlab_http_request_duration_seconds_bucket"
			  "{le=\"%s\"} %llu\n",
			  b < METRICS_BUCKETS ? bucket_le[b] : "+Inf",
			  (unsigned long long)cum);
	}
	sb_printf(out, "mmlab_http_request_duration_seconds_sum %.6f\n"
		  "mmlab_http_request_duration_seconds_count %llu\n",
		  (double)atomic_load(&mt->latency_sum_us) / 1e6,
		  (unsigned long long)atomic_load(&mt->latency_count));
}

void metrics_text(struct srv_metrics *mt, const char *(*route_name)(int),
		  unsigned machines, uint64_t frames, unsigned inflight,
		  struct strbuf *out)
{
	requests_text(mt, route_name, out);
	latency_text(mt, out);
	sb_printf(out,
		  "# HELP mmlab_machines Machines the daemon holds.\n"
		  "# TYPE mmlab_machines gauge\nmmlab_machines %u\n"
		  "# HELP mmlab_frames_simulated Page frames of all machines.\n"
		  "# TYPE mmlab_frames_simulated gauge\n"
		  "mmlab_frames_simulated %llu\n"
		  "# HELP mmlab_http_requests_in_flight Requests being answered.\n"
		  "# TYPE mmlab_http_requests_in_flight gauge\n"
		  "mmlab_http_requests_in_flight %u\n"
		  "# HELP mmlab_machines_created_total Machines created.\n"
		  "# TYPE mmlab_machines_created_total counter\n"
		  "mmlab_machines_created_total %llu\n"
		  "# HELP mmlab_machines_expired_total Machines removed when idle.\n"
		  "# TYPE mmlab_machines_expired_total counter\n"
		  "mmlab_machines_expired_total %llu\n",
		  machines, (unsigned long long)frames, inflight,
		  (unsigned long long)atomic_load(&mt->machines_created),
		  (unsigned long long)atomic_load(&mt->machines_expired));
}

void metrics_host_text(struct strbuf *out, uint64_t used, uint64_t total,
		       uint64_t per_machine, unsigned over)
{
	sb_printf(out,
		  "# HELP mmlab_host_memory_bytes Host memory the machines' "
		  "models hold.\n# TYPE mmlab_host_memory_bytes gauge\n"
		  "mmlab_host_memory_bytes %llu\n"
		  "# HELP mmlab_host_memory_limit_bytes Budget of all machines "
		  "together.\n# TYPE mmlab_host_memory_limit_bytes gauge\n"
		  "mmlab_host_memory_limit_bytes %llu\n"
		  "# HELP mmlab_host_memory_machine_limit_bytes Budget of one "
		  "machine.\n# TYPE mmlab_host_memory_machine_limit_bytes gauge\n"
		  "mmlab_host_memory_machine_limit_bytes %llu\n"
		  "# HELP mmlab_machines_over_host_memory Machines over their "
		  "budget (their changes are refused).\n"
		  "# TYPE mmlab_machines_over_host_memory gauge\n"
		  "mmlab_machines_over_host_memory %u\n",
		  (unsigned long long)used, (unsigned long long)total,
		  (unsigned long long)per_machine, over);
}

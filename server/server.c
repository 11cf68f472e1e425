/*
 * server.c - the daemon's state, apart from the network: options,
 * machines, metrics and rate limits.
 */
#include "server.h"

#include <stdlib.h>
#include <string.h>

void srv_resp_free(struct srv_resp *resp)
{
	free(resp->body);
	free(resp->file_path);
	resp->body = resp->file_path = NULL;
}

int srv_init(struct srv *s, const struct srv_options *opt)
{
	memset(s, 0, sizeof(*s));
	s->opt = *opt;
	reg_init(&s->reg);
	metrics_init(&s->metrics);
	rl_init(&s->rate, opt->rate, opt->rate_burst);
	return 0;
}

void srv_destroy(struct srv *s)
{
	reg_destroy(&s->reg);
	rl_destroy(&s->rate);
}

unsigned srv_expire_idle(struct srv *s, int64_t now_ms)
{
	unsigned n;

	if (!s->opt.idle_expiry)
		return 0;
	n = reg_expire(&s->reg, now_ms - (int64_t)s->opt.idle_expiry * 1000,
		       NULL, NULL);
	atomic_fetch_add(&s->metrics.machines_expired, n);
	return n;
}

/*
 * ratelimit.h - requests per second per client address, as token
 * buckets: a client may send `burst` requests at once, then `rate` a
 * second.  A refused request is told how long to wait (Retry-After).
 */
#ifndef SRV_RATELIMIT_H
#define SRV_RATELIMIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define RL_KEY_MAX 64

struct rl_bucket {
	char key[RL_KEY_MAX];
	double tokens;
	int64_t last_ms;
};

struct srv_ratelimit {
	pthread_mutex_t lock;
	unsigned rate, burst;		/* rate 0: no limit */
	struct rl_bucket *slots;	/* open addressing, nslots a power of 2 */
	unsigned nslots, used;
};

void rl_init(struct srv_ratelimit *rl, unsigned rate, unsigned burst);
void rl_destroy(struct srv_ratelimit *rl);

/* Take one request for key at now_ms: true if allowed, else false with
 * *retry_after set to whole seconds until one would be. */
bool rl_take(struct srv_ratelimit *rl, const char *key, int64_t now_ms,
	     unsigned *retry_after);

#endif

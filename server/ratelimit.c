/*
 * ratelimit.c - token buckets per client address.
 *
 * The table is open-addressed and never shrinks while in use; when it
 * fills, buckets that have refilled completely (clients idle long enough
 * to be back at the full burst) carry no information and are dropped, so
 * the table holds only clients seen in the last burst/rate seconds.
 */
#include "ratelimit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define RL_MIN_SLOTS 1024

static uint32_t hash_key(const char *k)
{
	uint32_t h = 2166136261u;

	for (; *k; k++) {
		h ^= (unsigned char)*k;
		h *= 16777619u;
	}
	return h;
}

void rl_init(struct srv_ratelimit *rl, unsigned rate, unsigned burst)
{
	memset(rl, 0, sizeof(*rl));
	pthread_mutex_init(&rl->lock, NULL);
	rl->rate = rate;
	rl->burst = burst ? burst : rate;
	rl->nslots = RL_MIN_SLOTS;
	rl->slots = xcalloc(rl->nslots, sizeof(*rl->slots));
}

void rl_destroy(struct srv_ratelimit *rl)
{
	free(rl->slots);
	pthread_mutex_destroy(&rl->lock);
}

static double refill(const struct srv_ratelimit *rl, const struct rl_bucket *b,
		     int64_t now_ms)
{
	double t = b->tokens + (double)(now_ms - b->last_ms) * rl->rate / 1000.0;

	return t > rl->burst ? rl->burst : t;
}

static struct rl_bucket *slot_for(struct srv_ratelimit *rl, const char *key)
{
	uint32_t mask = rl->nslots - 1, i = hash_key(key) & mask;

	while (rl->slots[i].key[0] && strcmp(rl->slots[i].key, key))
		i = (i + 1) & mask;
	return &rl->slots[i];
}

/* Rebuild into a table twice the live size: drops full buckets. */
static void rehash(struct srv_ratelimit *rl, int64_t now_ms)
{
	struct rl_bucket *old = rl->slots;
	unsigned oldn = rl->nslots, live = 0;

	for (unsigned i = 0; i < oldn; i++)
		if (old[i].key[0] && refill(rl, &old[i], now_ms) < rl->burst)
			live++;
	rl->nslots = RL_MIN_SLOTS;
	while (rl->nslots < 4 * (live + 1))
		rl->nslots *= 2;
	rl->slots = xcalloc(rl->nslots, sizeof(*rl->slots));
	rl->used = 0;
	for (unsigned i = 0; i < oldn; i++) {
		if (!old[i].key[0] || refill(rl, &old[i], now_ms) >= rl->burst)
			continue;
		*slot_for(rl, old[i].key) = old[i];
		rl->used++;
	}
	free(old);
}

bool rl_take(struct srv_ratelimit *rl, const char *key, int64_t now_ms,
	     unsigned *retry_after)
{
	struct rl_bucket *b;
	bool ok;

	*retry_after = 0;
	if (!rl->rate)
		return true;
	pthread_mutex_lock(&rl->lock);
	if (2 * (rl->used + 1) > rl->nslots)
		rehash(rl, now_ms);
	b = slot_for(rl, key);
	if (!b->key[0]) {
		snprintf(b->key, sizeof(b->key), "%s", key);
		b->tokens = rl->burst;
		b->last_ms = now_ms;
		rl->used++;
	}
	b->tokens = refill(rl, b, now_ms);
	b->last_ms = now_ms;
	ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else
		*retry_after = (unsigned)ceil((1.0 - b->tokens) / rl->rate);
	if (!ok && *retry_after == 0)
		*retry_after = 1;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

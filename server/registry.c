/*
 * registry.c - machines by id, with their owners' tokens.
 *
 * A chained hash table under one mutex.  The mutex is held only to find,
 * insert or unlink an entry and to move reference counts, never while a
 * model runs, so a slow operation on one machine does not hold up
 * requests to the others.
 */
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "machine.h"
#include "strbuf.h"

#define INITIAL_BUCKETS 256

/* FNV-1a: ids are random already, this only spreads them over buckets */
static size_t hash_id(const char *id, size_t nbuckets)
{
	uint64_t h = 1469598103934665603ull;

	for (; *id; id++) {
		h ^= (unsigned char)*id;
		h *= 1099511628211ull;
	}
	return (size_t)(h % nbuckets);
}

int srv_random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[64];
	size_t got = 0;

	if (n > sizeof(buf))
		return -1;
	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[buf[i] >> 4];
		out[2 * i + 1] = hex[buf[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}

/* Every byte is looked at whatever the first difference, so the time a
 * comparison takes does not tell an attacker how much of a guess was
 * right. */
bool srv_token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return diff == 0 && lb > 0;
}

void reg_init(struct srv_registry *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->nbuckets = INITIAL_BUCKETS;
	r->table = xcalloc(r->nbuckets, sizeof(*r->table));
}

static void machine_destroy(struct srv_machine *sm)
{
	machine_free(sm->m);
	hist_free(&sm->hist);
	json_decref(sm->config);
	for (int i = 0; i < SRV_CACHED_ANSWERS; i++)
		free(sm->cache[i].body);
	pthread_mutex_destroy(&sm->lock);
	pthread_mutex_destroy(&sm->turn_lock);
	free(sm);
}

void reg_destroy(struct srv_registry *r)
{
	for (size_t b = 0; b < r->nbuckets; b++) {
		struct srv_machine *sm = r->table[b], *next;

		for (; sm; sm = next) {
			next = sm->next;
			machine_destroy(sm);
		}
	}
	free(r->table);
	pthread_mutex_destroy(&r->lock);
}

struct srv_machine *srv_machine_new(struct machine *m, json_t *config,
				    const char *name, const char *token,
				    int64_t now_ms)
{
	struct srv_machine *sm = xcalloc(1, sizeof(*sm));

	sm->m = m;
	sm->config = json_incref(config);
	snprintf(sm->name, sizeof(sm->name), "%s", name ? name : "");
	snprintf(sm->token, sizeof(sm->token), "%s", token);
	sm->frames = m->pgdat.node_end_pfn - m->pgdat.node_start_pfn;
	atomic_store(&sm->last_used_ms, now_ms);
	pthread_mutex_init(&sm->lock, NULL);
	pthread_mutex_init(&sm->turn_lock, NULL);
	sm->refs = 1;			/* the creator's */
	return sm;
}

static struct srv_machine *find_locked(struct srv_registry *r, const char *id)
{
	struct srv_machine *sm = r->table[hash_id(id, r->nbuckets)];

	while (sm && strcmp(sm->id, id))
		sm = sm->next;
	return sm;
}

/* Keep chains short as a class grows: double when the load passes 1. */
static void grow_locked(struct srv_registry *r)
{
	size_t nb = r->nbuckets * 2;
	struct srv_machine **t = xcalloc(nb, sizeof(*t));

	for (size_t b = 0; b < r->nbuckets; b++) {
		struct srv_machine *sm = r->table[b], *next;

		for (; sm; sm = next) {
			size_t h = hash_id(sm->id, nb);

			next = sm->next;
			sm->next = t[h];
			t[h] = sm;
		}
	}
	free(r->table);
	r->table = t;
	r->nbuckets = nb;
}

/* The machines a count is of: those of one token, or of one origin. */
typedef bool (*sm_match_fn)(const struct srv_machine *sm, const char *key);

static bool token_is(const struct srv_machine *sm, const char *token)
{
	return srv_token_equal(sm->token, token);
}

static bool origin_is(const struct srv_machine *sm, const char *origin)
{
	return !strcmp(sm->origin, origin);
}

static unsigned count_locked(struct srv_registry *r, sm_match_fn match,
			     const char *key)
{
	unsigned n = 0;

	for (size_t b = 0; b < r->nbuckets; b++)
		for (struct srv_machine *sm = r->table[b]; sm; sm = sm->next)
			n += match(sm, key);
	return n;
}

/* count_locked, taking the registry's lock for it */
static unsigned count_matching(struct srv_registry *r, sm_match_fn match,
			       const char *key)
{
	unsigned n;

	pthread_mutex_lock(&r->lock);
	n = count_locked(r, match, key);
	pthread_mutex_unlock(&r->lock);
	return n;
}

int reg_insert(struct srv_registry *r, struct srv_machine *sm,
	       const char *node, unsigned max_total, unsigned max_per_token)
{
	return reg_insert_from(r, sm, node, max_total, max_per_token,
			       UINT32_MAX);
}

int reg_insert_from(struct srv_registry *r, struct srv_machine *sm,
		    const char *node, unsigned max_total,
		    unsigned max_per_token, unsigned max_per_origin)
{
	char hex[13];
	size_t h;

	pthread_mutex_lock(&r->lock);
	if (r->count >= max_total) {
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	if (max_per_token != UINT32_MAX &&
	    count_locked(r, token_is, sm->token) >= max_per_token) {
		pthread_mutex_unlock(&r->lock);
		return -2;
	}
	if (max_per_origin != UINT32_MAX &&
	    count_locked(r, origin_is, sm->origin) >= max_per_origin) {
		pthread_mutex_unlock(&r->lock);
		return -3;
	}
	/* 48 random bits: a collision is rare, and simply drawn again */
	while (!sm->id[0] || find_locked(r, sm->id)) {
		if (srv_random_hex(hex, 6))
			abort();	/* the OS has no randomness to give */
		snprintf(sm->id, sizeof(sm->id), "%s-%s", node, hex);
	}
	if (r->count + 1 > r->nbuckets)
		grow_locked(r);
	h = hash_id(sm->id, r->nbuckets);
	sm->dead = false;
	sm->in_table = true;
	sm->next = r->table[h];
	r->table[h] = sm;
	sm->refs++;			/* the table's */
	r->count++;
	r->frames += sm->frames;
	r->host_bytes += sm->host_bytes;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

unsigned reg_count_origin(struct srv_registry *r, const char *origin)
{
	return count_matching(r, origin_is, origin);
}

bool reg_token_origin(struct srv_registry *r, const char *token, char *out,
		      size_t len)
{
	bool found = false;

	pthread_mutex_lock(&r->lock);
	for (size_t b = 0; b < r->nbuckets && !found; b++)
		for (struct srv_machine *sm = r->table[b]; sm && !found;
		     sm = sm->next)
			if (srv_token_equal(sm->token, token)) {
				snprintf(out, len, "%s", sm->origin);
				found = true;
			}
	pthread_mutex_unlock(&r->lock);
	return found;
}

void reg_account(struct srv_registry *r, struct srv_machine *sm,
		 uint64_t bytes)
{
	pthread_mutex_lock(&r->lock);
	if (sm->in_table)
		r->host_bytes += bytes - sm->host_bytes;
	sm->host_bytes = bytes;
	pthread_mutex_unlock(&r->lock);
}

uint64_t reg_host_bytes(struct srv_registry *r, unsigned *over,
			uint64_t per_machine)
{
	uint64_t n;

	pthread_mutex_lock(&r->lock);
	n = r->host_bytes;
	if (over) {
		*over = 0;
		for (size_t b = 0; b < r->nbuckets; b++)
			for (struct srv_machine *sm = r->table[b]; sm;
			     sm = sm->next)
				*over += sm->host_bytes > per_machine;
	}
	pthread_mutex_unlock(&r->lock);
	return n;
}

struct srv_machine *reg_get(struct srv_registry *r, const char *id,
			    const char *token, bool reads_all)
{
	struct srv_machine *sm;

	pthread_mutex_lock(&r->lock);
	sm = find_locked(r, id);
	if (sm && (reads_all || (token && srv_token_equal(sm->token, token))))
		sm->refs++;
	else
		sm = NULL;
	pthread_mutex_unlock(&r->lock);
	return sm;
}

void reg_ref(struct srv_registry *r, struct srv_machine *sm)
{
	pthread_mutex_lock(&r->lock);
	sm->refs++;
	pthread_mutex_unlock(&r->lock);
}

void reg_put(struct srv_registry *r, struct srv_machine *sm)
{
	bool last;

	if (!sm)
		return;
	pthread_mutex_lock(&r->lock);
	last = --sm->refs == 0;
	pthread_mutex_unlock(&r->lock);
	if (last)
		machine_destroy(sm);
}

static void unlink_locked(struct srv_registry *r, struct srv_machine *sm)
{
	struct srv_machine **pp = &r->table[hash_id(sm->id, r->nbuckets)];

	while (*pp && *pp != sm)
		pp = &(*pp)->next;
	if (!*pp)
		return;
	*pp = sm->next;
	sm->next = NULL;
	sm->dead = true;
	sm->in_table = false;
	r->count--;
	r->frames -= sm->frames;
	r->host_bytes -= sm->host_bytes;
}

bool reg_is_dead(struct srv_registry *r, struct srv_machine *sm)
{
	bool dead;

	pthread_mutex_lock(&r->lock);
	dead = sm->dead;
	pthread_mutex_unlock(&r->lock);
	return dead;
}

void reg_remove(struct srv_registry *r, struct srv_machine *sm)
{
	bool last = false;

	pthread_mutex_lock(&r->lock);
	if (!sm->dead) {
		unlink_locked(r, sm);
		last = --sm->refs == 0;	/* the table's reference */
	}
	pthread_mutex_unlock(&r->lock);
	if (last)
		machine_destroy(sm);
}

unsigned reg_count(struct srv_registry *r)
{
	unsigned n;

	pthread_mutex_lock(&r->lock);
	n = r->count;
	pthread_mutex_unlock(&r->lock);
	return n;
}

unsigned reg_count_token(struct srv_registry *r, const char *token)
{
	return count_matching(r, token_is, token);
}

uint64_t reg_frames(struct srv_registry *r)
{
	uint64_t n;

	pthread_mutex_lock(&r->lock);
	n = r->frames;
	pthread_mutex_unlock(&r->lock);
	return n;
}

static int by_id(const void *a, const void *b)
{
	const struct srv_machine *x = *(struct srv_machine *const *)a;
	const struct srv_machine *y = *(struct srv_machine *const *)b;

	return strcmp(x->id, y->id);
}

struct srv_machine **reg_list(struct srv_registry *r, const char *token,
			      bool reads_all, size_t *n)
{
	struct srv_machine **v;

	*n = 0;
	pthread_mutex_lock(&r->lock);
	v = xcalloc(r->count + 1, sizeof(*v));
	for (size_t b = 0; b < r->nbuckets; b++)
		for (struct srv_machine *sm = r->table[b]; sm; sm = sm->next)
			if (reads_all || (token && srv_token_equal(sm->token, token))) {
				sm->refs++;
				v[(*n)++] = sm;
			}
	pthread_mutex_unlock(&r->lock);
	qsort(v, *n, sizeof(*v), by_id);
	return v;
}

void reg_put_all(struct srv_registry *r, struct srv_machine **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		reg_put(r, v[i]);
	free(v);
}

unsigned reg_expire(struct srv_registry *r, int64_t idle_before_ms,
		    void (*cb)(void *ctx, const char *id), void *ctx)
{
	struct srv_machine **v;
	size_t n, i;
	unsigned removed = 0;

	v = reg_list(r, NULL, true, &n);
	for (i = 0; i < n; i++) {
		if (atomic_load(&v[i]->last_used_ms) >= idle_before_ms)
			continue;
		if (cb)
			cb(ctx, v[i]->id);
		reg_remove(r, v[i]);
		removed++;
	}
	reg_put_all(r, v, n);
	return removed;
}

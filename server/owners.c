/*
 * owners.c - who owns each machine, for the instructor's list.
 *
 * The list holds at most --max-machines machines and the classes at
 * most CLS_MAX_CLASSES * CLS_MAX_STUDENTS students: comparing every pair
 * would be a hundred million compares, so the machines are sorted by
 * token once and each student's token is looked up in them.  The list
 * is the instructor's alone, so plain strcmp (not a constant-time
 * compare) is no leak to anyone who does not already see every machine.
 */
#include "owners.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "classes.h"
#include "registry.h"
#include "server.h"
#include "strbuf.h"

void owner_hash(const char *token, char out[OWNER_HASH_HEX + 1])
{
	/* BLAKE2b's shortest output is 16 bytes; the first 4 name an
	 * owner among a class's tokens well enough */
	unsigned char h[crypto_generichash_BYTES_MIN];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token,
			   strlen(token), NULL, 0);
	sodium_bin2hex(out, OWNER_HASH_HEX + 1, h, OWNER_HASH_HEX / 2);
}

/* A machine's token and its place in the list, sorted by token. */
struct by_token {
	const char *token;
	size_t i;
};

static int cmp_token(const void *a, const void *b)
{
	return strcmp(((const struct by_token *)a)->token,
		      ((const struct by_token *)b)->token);
}

/* The first entry of t (sorted) whose token is tok. */
static size_t first_of(const struct by_token *t, size_t n, const char *tok)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t[mid].token, tok) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void add_student(json_t *o, const struct cls_class *cl,
			const struct cls_student *st)
{
	json_object_set_new(o, "student", json_string(st->name));
	json_object_set_new(o, "student_id", json_string(st->id));
	json_object_set_new(o, "class", json_string(cl->code));
}

json_t **owners_json(struct srv *s, struct srv_machine *const *v, size_t n)
{
	json_t **out = xcalloc(n ? n : 1, sizeof(*out));
	struct by_token *t = xcalloc(n ? n : 1, sizeof(*t));
	struct cls_registry *r = s->classes;
	char hash[OWNER_HASH_HEX + 1];

	for (size_t i = 0; i < n; i++) {
		owner_hash(v[i]->token, hash);
		out[i] = json_pack("{s:s}", "token_hash", hash);
		t[i] = (struct by_token){ v[i]->token, i };
	}
	qsort(t, n, sizeof(*t), cmp_token);

	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->n; i++) {
		const struct cls_class *cl = r->v[i];

		for (size_t j = 0; !cl->dead && j < cl->nstudents; j++) {
			const struct cls_student *st = cl->students[j];

			for (size_t k = first_of(t, n, st->token);
			     k < n && !strcmp(t[k].token, st->token); k++)
				add_student(out[t[k].i], cl, st);
		}
	}
	pthread_mutex_unlock(&r->lock);
	free(t);
	return out;
}

static bool str_is(const json_t *o, const char *key, const char *want)
{
	const char *got = json_string_value(json_object_get(o, key));

	return got && !strcmp(got, want);
}

bool owner_matches(const json_t *owner, const struct srv_machine *sm,
		   const char *who)
{
	return str_is(owner, "token_hash", who) ||
	       str_is(owner, "student", who) ||
	       str_is(owner, "student_id", who) ||
	       srv_token_equal(sm->token, who);
}

/*
 * owners.h - who owns each machine, as the instructor's list shows it.
 *
 * A token is a secret, so the list never shows one: it names an owner
 * by a short hash of the token (the same hash for every machine of one
 * student, nothing an attacker can turn back into the token) and, where
 * the token is a class student's, by the roster's name and id and the
 * class's join code.
 */
#ifndef SRV_OWNERS_H
#define SRV_OWNERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct srv;
struct srv_machine;

#define OWNER_HASH_HEX	8	/* hex digits of the short hash */

/* The short hash of a token: OWNER_HASH_HEX digits and a NUL. */
void owner_hash(const char *token, char out[OWNER_HASH_HEX + 1]);

/*
 * The owner of each of the n machines, in their order: {"token_hash"}
 * and, for a student, "student", "student_id" and "class".  Takes the
 * classes' lock once; a roster of any size costs a sort of the machines
 * and a binary search per student.  The caller json_decref()s each and
 * free()s the array.
 */
json_t **owners_json(struct srv *s, struct srv_machine *const *v, size_t n);

/* Whether ?owner=WHO names this owner: its short hash, its roster name
 * or id, or the full token. */
bool owner_matches(const json_t *owner, const struct srv_machine *sm,
		   const char *who);

#endif

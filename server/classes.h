/*
 * classes.h - classes, their rosters and their assignments, in memory.
 *
 * A class is named by its join code ("<node>-k" and seven letters or
 * digits); it holds a secret (made at creation, never shown) from which
 * every assigned exercise's seed is derived (class_seed.h), a roster of
 * students (each with the token the join gave out) and a list of
 * assignments (lists of exercise types, how many variants of each, the
 * attempts, an optional due time).  Which exercise was drawn for which
 * student and slot is a link kept here; the exercise itself belongs to
 * the exercise layer.
 *
 * One lock guards everything: classes are few and small, and every
 * change is a short edit of this table (the machines an assignment boots
 * are made outside it, under the class's draw lock).  Classes are never freed
 * while the daemon runs (the journal's tickets name them).
 */
#ifndef SRV_CLASSES_H
#define SRV_CLASSES_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "class_seed.h"
#include "journal.h"
#include "registry.h"

#define CLS_NAME_MAX		64	/* bytes of a class, assignment or
					   student name */
#define CLS_CODE_MAX		48
#define CLS_ID_MAX		16	/* "s12", "a3" */
#define CLS_TYPE_MAX		32
#define CLS_MAX_CLASSES		256
#define CLS_MAX_STUDENTS	500	/* per class */
#define CLS_MAX_ASSIGNMENTS	64	/* per class */
#define CLS_MAX_ITEMS		12	/* types in one assignment */
#define CLS_MAX_COUNT		4	/* variants of one type */
#define CLS_MAX_SLOTS		12	/* exercises in one assignment */
#define CLS_MAX_ATTEMPTS	10
#define CLS_DEFAULT_ATTEMPTS	3

struct cls_item {
	char type[CLS_TYPE_MAX];
	unsigned count;
};

struct cls_assignment {
	char id[CLS_ID_MAX];		/* "a1", "a2" ... within the class */
	char name[CLS_NAME_MAX + 1];
	struct cls_item items[CLS_MAX_ITEMS];
	unsigned nitems;
	unsigned nslots;		/* the sum of the counts */
	unsigned attempts;
	int64_t due;			/* Unix seconds; 0: no due time */
	int64_t created;
};

/* Slot s of an assignment is variant n of item i (items in order, each
 * count times). */
void cls_slot_item(const struct cls_assignment *a, unsigned slot,
		   unsigned *item, unsigned *n);

/* The exercise drawn for one slot of one assignment. */
struct cls_link {
	unsigned assignment;		/* index in the class */
	unsigned slot;
	char exercise[SRV_ID_MAX];
};

struct cls_student {
	char id[CLS_ID_MAX];		/* "s1", "s2" ... within the class */
	char name[CLS_NAME_MAX + 1];
	char token[SRV_TOKEN_HEX + 1];
	int64_t joined;
	struct cls_link *links;
	size_t nlinks, cap;
};

struct srv;

struct cls_class {
	struct journal_obj jo;		/* the journal's handle: the class and
					   everything in it roll back as one */
	/* held while a student's exercises are drawn (machines booted), so
	 * two requests never draw the same slot and a rollback never frees
	 * a student being drawn for; taken before the registry's lock, and
	 * never by anyone holding an exercise's lock */
	pthread_mutex_t draw;
	bool dead;			/* its creation never reached the store */
	struct srv *srv;		/* for the rollback */
	char code[CLS_CODE_MAX];
	char name[CLS_NAME_MAX + 1];
	uint8_t secret[CLASS_SECRET_LEN];
	int64_t created;
	struct cls_student **students;	/* in the order they joined */
	size_t nstudents;
	struct cls_assignment **assignments;	/* in the order made */
	size_t nassignments;
};

struct cls_registry {
	pthread_mutex_t lock;
	struct cls_class **v;		/* in the order made */
	size_t n;
};

void cls_init(struct cls_registry *r);
void cls_destroy(struct cls_registry *r);

/* Everything below is called with r->lock held. */

struct cls_class *cls_find(struct cls_registry *r, const char *code);
/* The student whose token this is, and their class; NULL if none. */
struct cls_student *cls_by_token(struct cls_registry *r, const char *token,
				 struct cls_class **cls);
struct cls_student *cls_student_named(struct cls_class *c, const char *name);
struct cls_student *cls_student_id(struct cls_class *c, const char *id);
struct cls_assignment *cls_assignment_id(struct cls_class *c, const char *id,
					 unsigned *index);

/* A new class under a fresh code and secret (libsodium's randombytes:
 * class_seed_init first); NULL when there are CLS_MAX_CLASSES. */
struct cls_class *cls_add(struct cls_registry *r, const char *node,
			  const char *name, int64_t now);
/* Its students and assignments gone (before the store's are loaded
 * into it again). */
void cls_empty(struct cls_class *c);
/* Add a class as the store holds it (at start). */
bool cls_add_loaded(struct cls_registry *r, struct cls_class *c);
struct cls_student *cls_add_student(struct cls_class *c, const char *name,
				    const char *token, int64_t now);
/* A student made elsewhere (the store's), at the end of the roster. */
void cls_append_student(struct cls_class *c, struct cls_student *st);
/* Take a student off again (its join could not be saved). */
void cls_drop_student(struct cls_class *c, struct cls_student *st);
struct cls_assignment *cls_add_assignment(struct cls_class *c,
					  const struct cls_assignment *a);
void cls_drop_assignment(struct cls_class *c, struct cls_assignment *a);
/* The exercise of a student's slot, or NULL when not drawn yet. */
const char *cls_link_get(const struct cls_student *st, unsigned assignment,
			 unsigned slot);
void cls_link_set(struct cls_student *st, unsigned assignment, unsigned slot,
		  const char *exercise);
void cls_link_drop(struct cls_student *st, unsigned assignment,
		   unsigned slot);

/* The seed of a student's slot (class_seed over the class's secret). */
uint64_t cls_seed(const struct cls_class *c, const struct cls_assignment *a,
		  const struct cls_student *st, unsigned slot);

/*
 * Names a person types: 1 to CLS_NAME_MAX bytes of UTF-8 without control
 * characters, not starting or ending with a space, and (for a name that
 * lands in a spreadsheet) not starting with = + - @ (a formula).  NULL,
 * or what is wrong, for the problem's detail.
 */
const char *cls_name_problem(const json_t *v);

/* "2026-12-04T22:00:00Z" into Unix seconds; false if not that form. */
bool cls_parse_time(const char *s, int64_t *out);

/* Whether the due time of assignment (of class code) has passed: false
 * with no due time or no such assignment.  Takes the classes' lock. */
bool cls_due_passed(struct srv *s, const char *code, const char *assignment,
		    int64_t now);

/* What the API shows: the assignment; the class (for the instructor). */
json_t *cls_assignment_json(const struct cls_assignment *a);
json_t *cls_student_json(const struct cls_student *st);
json_t *cls_class_json(const struct cls_class *c);

#endif

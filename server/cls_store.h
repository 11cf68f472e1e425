/*
 * cls_store.h - classes, assignments and students as rows of the store
 * (the records of store_rows.c), and back at start or after a failed
 * write.  Every function is called with the classes' lock held, except
 * cls_replay, which takes it.
 */
#ifndef SRV_CLS_STORE_H
#define SRV_CLS_STORE_H

#include "classes.h"
#include "journal.h"

struct srv;

/* A new class (cls_add) that rolls back with the store. */
struct cls_class *cls_new(struct srv *s, const char *name, int64_t now);

/* The row of what changed, into *t (nothing without a store). */
void cls_journal_class(struct srv *s, struct cls_class *c,
		       struct journal_ticket **t);
void cls_journal_assignment(struct srv *s, struct cls_class *c,
			    const struct cls_assignment *a,
			    struct journal_ticket **t);
void cls_journal_student(struct srv *s, struct cls_class *c,
			 const struct cls_student *st,
			 struct journal_ticket **t);

/* Every class of the store into s->classes (at start). */
int cls_replay(struct srv *s, char *err, size_t len);

#endif

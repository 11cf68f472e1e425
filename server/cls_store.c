/*
 * cls_store.c - classes in the store: each class, assignment and student
 * is a keyed record of JSON (store_rows.c), written whole with the change
 * it records and before the change's 2xx leaves (journal.h).
 *
 *   kind "class"       key CODE        {name, secret, created}
 *   kind "assignment"  key CODE/a1     {name, items, attempts, due, created}
 *   kind "student"     key CODE/s1     {name, token, joined, links:
 *                                       [{assignment, slot, exercise}]}
 *
 * A student's record carries the links from their slots to the exercises
 * drawn for them, so it is written again whenever more are drawn.  The
 * secret is stored (the seeds of students not yet drawn depend on it) but
 * never shown by any route.
 */
#include "cls_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "strbuf.h"

/* --- writing ----------------------------------------------------------------- */

static void put(struct srv *s, struct cls_class *c, struct journal_ticket **t,
		const char *kind, const char *key, json_t *body)
{
	struct store_rec *r;

	if (!s->journal) {
		json_decref(body);
		return;
	}
	r = journal_row(s->journal, t, &c->jo, REC_RECORD);
	r->rec = xcalloc(1, sizeof(*r->rec));
	snprintf(r->rec->kind, sizeof(r->rec->kind), "%s", kind);
	snprintf(r->rec->key, sizeof(r->rec->key), "%s", key);
	r->rec->body = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	if (!r->rec->body)
		ticket_unrecordable(*t);
	json_decref(body);
}

void cls_journal_class(struct srv *s, struct cls_class *c,
		       struct journal_ticket **t)
{
	char hex[2 * CLASS_SECRET_LEN + 1];

	for (int i = 0; i < CLASS_SECRET_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", c->secret[i]);
	put(s, c, t, "class", c->code, json_pack("{s:s, s:s, s:I}", "name",
	    c->name, "secret", hex, "created", (json_int_t)c->created));
}

void cls_journal_assignment(struct srv *s, struct cls_class *c,
			    const struct cls_assignment *a,
			    struct journal_ticket **t)
{
	json_t *items = json_array();
	char key[96];

	for (unsigned i = 0; i < a->nitems; i++)
		json_array_append_new(items, json_pack("{s:s, s:i}", "type",
			a->items[i].type, "count", (int)a->items[i].count));
	snprintf(key, sizeof(key), "%s/%s", c->code, a->id);
	put(s, c, t, "assignment", key, json_pack("{s:s, s:o, s:i, s:I, s:I}",
	    "name", a->name, "items", items, "attempts", (int)a->attempts,
	    "due", (json_int_t)a->due, "created", (json_int_t)a->created));
}

void cls_journal_student(struct srv *s, struct cls_class *c,
			 const struct cls_student *st,
			 struct journal_ticket **t)
{
	json_t *links = json_array();
	char key[96];

	for (size_t i = 0; i < st->nlinks; i++) {
		const struct cls_link *l = &st->links[i];

		json_array_append_new(links, json_pack("{s:s, s:i, s:s}",
			"assignment", c->assignments[l->assignment]->id,
			"slot", (int)l->slot, "exercise", l->exercise));
	}
	snprintf(key, sizeof(key), "%s/%s", c->code, st->id);
	put(s, c, t, "student", key, json_pack("{s:s, s:s, s:I, s:o}", "name",
	    st->name, "token", st->token, "joined", (json_int_t)st->joined,
	    "links", links));
}

/* --- reading ----------------------------------------------------------------- */

struct load {
	struct srv *s;
	struct cls_class *only;		/* a rollback: this class alone */
	bool found;			/* only's own record was there */
	char err[256];
};

static int bad(struct load *ld, const struct store_record *rec)
{
	snprintf(ld->err, sizeof(ld->err), "the store's %s record %s cannot "
		 "be read; restore the store from a backup", rec->kind,
		 rec->key);
	return -1;
}

/* The class a "CODE/id" key belongs to, and the id; NULL to skip it. */
static struct cls_class *owner(struct load *ld, const char *key,
			       const char **id)
{
	const char *slash = strrchr(key, '/');
	char code[CLS_CODE_MAX];

	if (!slash || (size_t)(slash - key) >= sizeof(code))
		return NULL;
	memcpy(code, key, (size_t)(slash - key));
	code[slash - key] = '\0';
	*id = slash + 1;
	if (ld->only)
		return strcmp(ld->only->code, code) ? NULL : ld->only;
	return cls_find(ld->s->classes, code);
}

static void class_rollback(struct journal *j, struct journal_obj *o);

static int on_class(void *ctx, const struct store_record *rec)
{
	struct load *ld = ctx;
	struct cls_class *c = ld->only;
	json_t *b = json_loads(rec->body, 0, NULL);
	const char *name = NULL, *secret = NULL;
	json_int_t created = 0;

	if (!b || json_unpack(b, "{s:s, s:s, s:I}", "name", &name, "secret",
			      &secret, "created", &created) ||
	    strlen(secret) != 2 * CLASS_SECRET_LEN ||
	    strlen(rec->key) >= CLS_CODE_MAX) {
		json_decref(b);
		return bad(ld, rec);
	}
	if (!c) {
		c = xcalloc(1, sizeof(*c));
		c->jo.rollback = class_rollback;
		c->srv = ld->s;
		memcpy(c->code, rec->key, strlen(rec->key) + 1);
		cls_add_loaded(ld->s->classes, c);
	}
	ld->found = true;
	snprintf(c->name, sizeof(c->name), "%s", name);
	for (int i = 0; i < CLASS_SECRET_LEN; i++) {
		unsigned v;

		sscanf(secret + 2 * i, "%2x", &v);
		c->secret[i] = (uint8_t)v;
	}
	c->created = created;
	json_decref(b);
	return 0;
}

static bool items_from(json_t *items, struct cls_assignment *a)
{
	size_t i;
	json_t *it;

	if (!json_is_array(items) || json_array_size(items) > CLS_MAX_ITEMS)
		return false;
	json_array_foreach(items, i, it) {
		const char *type;
		int count;

		if (json_unpack(it, "{s:s, s:i}", "type", &type, "count", &count)
		    || count < 1)
			return false;
		snprintf(a->items[i].type, sizeof(a->items[i].type), "%s", type);
		a->items[i].count = (unsigned)count;
		a->nslots += (unsigned)count;
	}
	a->nitems = (unsigned)json_array_size(items);
	return true;
}

static int on_assignment(void *ctx, const struct store_record *rec)
{
	struct load *ld = ctx;
	const char *id, *name;
	struct cls_class *c = owner(ld, rec->key, &id);
	struct cls_assignment a = { 0 };
	json_t *b, *items;
	json_int_t due, created;
	int attempts;

	if (!c)
		return 0;
	b = json_loads(rec->body, 0, NULL);
	if (!b || json_unpack(b, "{s:s, s:o, s:i, s:I, s:I}", "name", &name,
			      "items", &items, "attempts", &attempts, "due",
			      &due, "created", &created) ||
	    !items_from(items, &a) || strlen(id) >= sizeof(a.id)) {
		json_decref(b);
		return bad(ld, rec);
	}
	snprintf(a.id, sizeof(a.id), "%s", id);
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.attempts = (unsigned)attempts;
	a.due = due;
	a.created = created;
	cls_add_assignment(c, &a);
	json_decref(b);
	return 0;
}

static bool links_from(struct cls_class *c, json_t *links,
		       struct cls_student *st)
{
	size_t i;
	json_t *l;

	if (!json_is_array(links))
		return false;
	json_array_foreach(links, i, l) {
		const char *asg, *ex;
		unsigned index;
		int slot;

		if (json_unpack(l, "{s:s, s:i, s:s}", "assignment", &asg, "slot",
				&slot, "exercise", &ex) || slot < 0)
			return false;
		/* an assignment whose own record was lost: the link goes */
		if (cls_assignment_id(c, asg, &index))
			cls_link_set(st, index, (unsigned)slot, ex);
	}
	return true;
}

static int on_student(void *ctx, const struct store_record *rec)
{
	struct load *ld = ctx;
	const char *id, *name, *token;
	struct cls_class *c = owner(ld, rec->key, &id);
	struct cls_student *st;
	json_t *b, *links;
	json_int_t joined;

	if (!c)
		return 0;
	b = json_loads(rec->body, 0, NULL);
	st = xcalloc(1, sizeof(*st));
	if (!b || json_unpack(b, "{s:s, s:s, s:I, s:o}", "name", &name,
			      "token", &token, "joined", &joined, "links",
			      &links) || strlen(id) >= sizeof(st->id) ||
	    !links_from(c, links, st)) {
		free(st->links);
		free(st);
		json_decref(b);
		return bad(ld, rec);
	}
	snprintf(st->id, sizeof(st->id), "%s", id);
	snprintf(st->name, sizeof(st->name), "%s", name);
	snprintf(st->token, sizeof(st->token), "%s", token);
	st->joined = joined;
	cls_append_student(c, st);
	json_decref(b);
	return 0;
}

/* The store gives keys in text order ("s10" before "s2"): by number. */
static int id_number(const char *id)
{
	return atoi(id + 1);
}

static int by_student(const void *a, const void *b)
{
	return id_number((*(struct cls_student *const *)a)->id) -
	       id_number((*(struct cls_student *const *)b)->id);
}

static int by_assignment(const void *a, const void *b)
{
	return id_number((*(struct cls_assignment *const *)a)->id) -
	       id_number((*(struct cls_assignment *const *)b)->id);
}

static void sort_class(struct cls_class *c)
{
	if (c->nstudents > 1)
		qsort(c->students, c->nstudents, sizeof(*c->students),
		      by_student);
	if (c->nassignments > 1)
		qsort(c->assignments, c->nassignments,
		      sizeof(*c->assignments), by_assignment);
}

/*
 * Students' links name assignments by id, so the assignments are read
 * first; and links are kept by the assignment's place in the class, so
 * the assignments are sorted before the students come.
 */
static int load(struct srv *s, struct load *ld, const char *key, char *err,
		size_t len)
{
	struct store_rows_cb cb = { .ctx = ld };
	struct journal *j = s->journal;
	int rc;

	cb.record = on_class;
	rc = journal_load_records(j, "class", key, &cb, err, len);
	cb.record = on_assignment;
	if (!rc)
		rc = journal_load_records(j, "assignment", NULL, &cb, err, len);
	for (size_t i = 0; !rc && i < s->classes->n; i++)
		if (!ld->only || s->classes->v[i] == ld->only)
			sort_class(s->classes->v[i]);
	cb.record = on_student;
	if (!rc)
		rc = journal_load_records(j, "student", NULL, &cb, err, len);
	for (size_t i = 0; !rc && i < s->classes->n; i++)
		if (!ld->only || s->classes->v[i] == ld->only)
			sort_class(s->classes->v[i]);
	if (rc && ld->err[0])
		snprintf(err, len, "%s", ld->err);
	return rc;
}

int cls_replay(struct srv *s, char *err, size_t len)
{
	struct load ld = { .s = s };
	int rc;

	if (!s->journal)
		return 0;
	pthread_mutex_lock(&s->classes->lock);
	rc = load(s, &ld, NULL, err, len);
	pthread_mutex_unlock(&s->classes->lock);
	if (!rc)
		fprintf(stderr, "mmlabd: replayed %zu classes\n", s->classes->n);
	return rc;
}

/*
 * A write failed (the loop's thread): the class goes back to what the
 * store holds, all of it, since its rows are few.  A class whose own
 * record never got there is dead: no lookup finds it, and its memory
 * stays for the tickets that still name it.
 */
static void class_rollback(struct journal *j, struct journal_obj *o)
{
	struct cls_class *c = (struct cls_class *)(void *)o;	/* jo first */
	struct srv *s = c->srv;
	struct load ld = { .s = s, .only = c };
	char err[256];

	(void)j;	/* s->journal is j */
	/* a join drawing for one of its students holds pointers to them */
	pthread_mutex_lock(&c->draw);
	pthread_mutex_lock(&s->classes->lock);
	cls_empty(c);
	if (load(s, &ld, c->code, err, sizeof(err)))
		fprintf(stderr, "mmlabd: class %s could not be read back from "
			"the store (%s); it is left empty\n", c->code, err);
	c->dead = !ld.found;
	pthread_mutex_unlock(&s->classes->lock);
	pthread_mutex_unlock(&c->draw);
}

struct cls_class *cls_new(struct srv *s, const char *name, int64_t now)
{
	struct cls_class *c = cls_add(s->classes, s->opt.node, name, now);

	if (c) {
		c->jo.rollback = class_rollback;
		c->srv = s;
	}
	return c;
}

/*
 * classes.c - the table of classes (see classes.h): lookups, additions,
 * the links from a student's slots to exercises, and the checks on what
 * a teacher or a student types.
 */
#include "classes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "server.h"	/* srv_time_json */
#include "strbuf.h"	/* xcalloc, xrealloc */

void cls_init(struct cls_registry *r)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
}

static void free_student(struct cls_student *st)
{
	free(st->links);
	free(st);
}

void cls_empty(struct cls_class *c)
{
	for (size_t i = 0; i < c->nstudents; i++)
		free_student(c->students[i]);
	for (size_t i = 0; i < c->nassignments; i++)
		free(c->assignments[i]);
	free(c->students);
	free(c->assignments);
	c->students = NULL;
	c->assignments = NULL;
	c->nstudents = c->nassignments = 0;
}

static void free_class(struct cls_class *c)
{
	cls_empty(c);
	pthread_mutex_destroy(&c->draw);
	free(c);
}

void cls_destroy(struct cls_registry *r)
{
	for (size_t i = 0; i < r->n; i++)
		free_class(r->v[i]);
	free(r->v);
	pthread_mutex_destroy(&r->lock);
	memset(r, 0, sizeof(*r));
}

void cls_slot_item(const struct cls_assignment *a, unsigned slot,
		   unsigned *item, unsigned *n)
{
	unsigned i = 0;

	while (i + 1 < a->nitems && slot >= a->items[i].count)
		slot -= a->items[i++].count;
	*item = i;
	*n = slot;
}

/* --- lookups ----------------------------------------------------------------- */

struct cls_class *cls_find(struct cls_registry *r, const char *code)
{
	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i]->dead && !strcmp(r->v[i]->code, code))
			return r->v[i];
	return NULL;
}

struct cls_student *cls_by_token(struct cls_registry *r, const char *token,
				 struct cls_class **cls)
{
	if (!token)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; !r->v[i]->dead && j < r->v[i]->nstudents; j++)
			if (srv_token_equal(r->v[i]->students[j]->token, token)) {
				if (cls)
					*cls = r->v[i];
				return r->v[i]->students[j];
			}
	return NULL;
}

struct cls_student *cls_student_named(struct cls_class *c, const char *name)
{
	for (size_t i = 0; i < c->nstudents; i++)
		if (!strcmp(c->students[i]->name, name))
			return c->students[i];
	return NULL;
}

struct cls_student *cls_student_id(struct cls_class *c, const char *id)
{
	for (size_t i = 0; i < c->nstudents; i++)
		if (!strcmp(c->students[i]->id, id))
			return c->students[i];
	return NULL;
}

struct cls_assignment *cls_assignment_id(struct cls_class *c, const char *id,
					 unsigned *index)
{
	for (size_t i = 0; i < c->nassignments; i++)
		if (!strcmp(c->assignments[i]->id, id)) {
			if (index)
				*index = (unsigned)i;
			return c->assignments[i];
		}
	return NULL;
}

/* --- additions ---------------------------------------------------------------- */

/*
 * Seven characters of an alphabet without 0/o, 1/l/i: read aloud or
 * copied off a projector without a mistake, and 31^7 (about 2^34)
 * codes, so a join rate-limited per client finds no class by guessing.
 * libsodium draws them (uniformly: no letter more likely than another).
 */
static const char code_alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";

static void new_code(struct cls_registry *r, const char *node, char *code,
		     size_t len)
{
	char tail[8];

	do {
		for (int i = 0; i < 7; i++)
			tail[i] = code_alphabet[randombytes_uniform(
				sizeof(code_alphabet) - 1)];
		tail[7] = '\0';
		snprintf(code, len, "%s-k%s", node, tail);
	} while (cls_find(r, code));
}

/*
 * Room for one more in an array of n: its capacity is 4 below 4 and the
 * next power of two above, so it grows (doubles) only when n is a power
 * of two; a removal leaves n at most the capacity.
 */
static void make_room(void **v, size_t n, size_t size)
{
	if (n >= 4 && (n & (n - 1)))
		return;
	*v = xrealloc(*v, (n < 4 ? 4 : 2 * n) * size);
}

bool cls_add_loaded(struct cls_registry *r, struct cls_class *c)
{
	pthread_mutex_init(&c->draw, NULL);
	/* the store's classes all come back, whatever the limit is now */
	make_room((void **)&r->v, r->n, sizeof(*r->v));
	r->v[r->n++] = c;
	return true;
}

struct cls_class *cls_add(struct cls_registry *r, const char *node,
			  const char *name, int64_t now)
{
	struct cls_class *c;

	if (r->n >= CLS_MAX_CLASSES)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	new_code(r, node, c->code, sizeof(c->code));
	randombytes_buf(c->secret, sizeof(c->secret));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->created = now;
	cls_add_loaded(r, c);
	return c;
}

struct cls_student *cls_add_student(struct cls_class *c, const char *name,
				    const char *token, int64_t now)
{
	struct cls_student *st = xcalloc(1, sizeof(*st));

	/* ids are never reused: the last one's number, plus one */
	unsigned last = 0;

	if (c->nstudents)
		last = (unsigned)strtoul(c->students[c->nstudents - 1]->id + 1,
					 NULL, 10);
	snprintf(st->id, sizeof(st->id), "s%u", last + 1);
	snprintf(st->name, sizeof(st->name), "%s", name);
	snprintf(st->token, sizeof(st->token), "%s", token);
	st->joined = now;
	cls_append_student(c, st);
	return st;
}

void cls_append_student(struct cls_class *c, struct cls_student *st)
{
	make_room((void **)&c->students, c->nstudents, sizeof(*c->students));
	c->students[c->nstudents++] = st;
}

void cls_drop_student(struct cls_class *c, struct cls_student *st)
{
	for (size_t i = 0; i < c->nstudents; i++)
		if (c->students[i] == st) {
			memmove(c->students + i, c->students + i + 1,
				(c->nstudents - i - 1) * sizeof(*c->students));
			c->nstudents--;
			free_student(st);
			return;
		}
}

struct cls_assignment *cls_add_assignment(struct cls_class *c,
					  const struct cls_assignment *a)
{
	struct cls_assignment *na = xcalloc(1, sizeof(*na));
	unsigned last = 0;

	*na = *a;
	if (!na->id[0]) {
		if (c->nassignments)
			last = (unsigned)strtoul(c->assignments[c->nassignments
						 - 1]->id + 1, NULL, 10);
		snprintf(na->id, sizeof(na->id), "a%u", last + 1);
	}
	make_room((void **)&c->assignments, c->nassignments, sizeof(*c->assignments));
	c->assignments[c->nassignments++] = na;
	return na;
}

void cls_drop_assignment(struct cls_class *c, struct cls_assignment *a)
{
	if (c->nassignments && c->assignments[c->nassignments - 1] == a) {
		c->nassignments--;
		free(a);
	}
}

/* --- links --------------------------------------------------------------------------- */

const char *cls_link_get(const struct cls_student *st, unsigned assignment,
			 unsigned slot)
{
	for (size_t i = 0; i < st->nlinks; i++)
		if (st->links[i].assignment == assignment &&
		    st->links[i].slot == slot)
			return st->links[i].exercise;
	return NULL;
}

void cls_link_set(struct cls_student *st, unsigned assignment, unsigned slot,
		  const char *exercise)
{
	struct cls_link *l;

	if (st->nlinks == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 8;
		st->links = xrealloc(st->links, st->cap * sizeof(*st->links));
	}
	l = &st->links[st->nlinks++];
	l->assignment = assignment;
	l->slot = slot;
	snprintf(l->exercise, sizeof(l->exercise), "%s", exercise);
}

void cls_link_drop(struct cls_student *st, unsigned assignment, unsigned slot)
{
	for (size_t i = 0; i < st->nlinks; i++)
		if (st->links[i].assignment == assignment &&
		    st->links[i].slot == slot) {
			st->links[i] = st->links[--st->nlinks];
			return;
		}
}

uint64_t cls_seed(const struct cls_class *c, const struct cls_assignment *a,
		  const struct cls_student *st, unsigned slot)
{
	unsigned item, n;

	cls_slot_item(a, slot, &item, &n);
	return class_seed(c->secret, a->id, st->name, item, n);
}

/* --- what people type ---------------------------------------------------------- */

const char *cls_name_problem(const json_t *v)
{
	const unsigned char *s;
	size_t len;

	if (!json_is_string(v))
		return "must be a string";
	s = (const unsigned char *)json_string_value(v);
	len = json_string_length(v);
	if (!len)
		return "must not be empty";
	if (len > CLS_NAME_MAX)
		return "is longer than 64 bytes";
	if (strlen((const char *)s) != len)
		return "must not contain a NUL";
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return "must not contain control characters";
	if (s[0] == ' ' || s[len - 1] == ' ')
		return "must not start or end with a space";
	/* a spreadsheet would run it as a formula (CSV injection) */
	if (strchr("=+-@", s[0]))
		return "must not start with = + - or @";
	return NULL;	/* jansson checked the UTF-8 */
}

bool cls_parse_time(const char *s, int64_t *out)
{
	struct tm tm = { 0 }, back;
	int y, mo, d, h, mi, sec;
	char z, end;
	time_t t;

	if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || strspn(s, "0123456789-T:Z") != 20 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &y, &mo, &d, &h, &mi, &sec,
		   &z, &end) != 7 || z != 'Z' || y < 1970 || y > 9999)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm normalises 02-30 to 03-02: a date that comes back other
	 * than it went in does not exist */
	if (!gmtime_r(&t, &back) || back.tm_year != y - 1900 ||
	    back.tm_mon != mo - 1 || back.tm_mday != d || back.tm_hour != h ||
	    back.tm_min != mi || back.tm_sec != sec)
		return false;
	*out = (int64_t)t;
	return true;
}


/* --- JSON ---------------------------------------------------------------------- */

json_t *cls_assignment_json(const struct cls_assignment *a)
{
	json_t *items = json_array();

	for (unsigned i = 0; i < a->nitems; i++)
		json_array_append_new(items, json_pack("{s:s, s:i}", "type",
			a->items[i].type, "count", (int)a->items[i].count));
	return json_pack("{s:s, s:s, s:o, s:i, s:o, s:s, s:o}", "id", a->id,
			 "name", a->name, "items", items, "attempts",
			 (int)a->attempts, "due", a->due ? srv_time_json(a->due)
			 : json_null(), "reveal_rule", a->due ?
			 "attempts_or_due" : "attempts", "created",
			 srv_time_json(a->created));
}

json_t *cls_student_json(const struct cls_student *st)
{
	return json_pack("{s:s, s:s, s:o}", "id", st->id, "name", st->name,
			 "joined", srv_time_json(st->joined));
}

json_t *cls_class_json(const struct cls_class *c)
{
	json_t *students = json_array(), *asg = json_array();

	for (size_t i = 0; i < c->nstudents; i++)
		json_array_append_new(students, cls_student_json(c->students[i]));
	for (size_t i = 0; i < c->nassignments; i++)
		json_array_append_new(asg, cls_assignment_json(c->assignments[i]));
	return json_pack("{s:s, s:s, s:o, s:o, s:o}", "code", c->code, "name",
			 c->name, "created", srv_time_json(c->created),
			 "students", students, "assignments", asg);
}

/*
 * h_classes.c - classes over HTTP: the teacher's routes (create a class
 * and its assignments, read the roster, the gradebook, one student's
 * attempts), the student's join, and drawing a student's exercises.
 *
 * Exercises are drawn per student, never for the whole class at once:
 * at the join for the assignments that exist then, and for an
 * assignment made later when the student next asks for their list (GET
 * /v1/me, or the join again with their token).  So a teacher's POST of
 * an assignment to a class of 200 boots nothing, and machines are made
 * for the students who come to work.
 *
 * Lock order: a class's draw lock, then an exercise's or a machine's locks
 * (inside srv_ex_create), then the classes' lock; never an exercise's
 * lock with the classes' lock held (srv_ex_key_allowed takes the
 * classes' lock under the exercise's).
 */
#include "handlers.h"
#include "journal.h"	/* before the model: <signal.h> first */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classes.h"
#include "cls_store.h"
#include "exercise.h"
#include "exercises.h"
#include "gradebook.h"
#include "strbuf.h"

/* --- problems -------------------------------------------------------------------- */

static void problem(struct srv_call *c, int status, const char *slug,
		    const char *title, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void problem(struct srv_call *c, int status, const char *slug,
		    const char *title, const char *fmt, ...)
{
	char detail[512];
	va_list ap;
	json_t *p;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	p = srv_problem(status, slug, "%s", detail);
	json_object_set_new(p, "title", json_string(title));
	resp_problem_obj(c, status, p);
}

/* The teacher's routes take the instructor token and nothing else; a
 * student's token is refused the same way whether the class exists. */
static bool instructor_only(struct srv_call *c)
{
	if (c->instructor)
		return true;
	if (!c->token) {
		resp_header(c, "WWW-Authenticate", "Bearer");
		problem(c, 401, "token-required", "Token required", "classes "
			"are run with the instructor token (Authorization: "
			"Bearer TOKEN, the server's --instructor-token)");
		return false;
	}
	problem(c, 403, "instructor-only", "Only the instructor", "only the "
		"instructor token reads or changes a class; a student sees "
		"their own assignments at GET /v1/me");
	return false;
}

static void no_class(struct srv_call *c, const char *code)
{
	problem(c, 404, "no-such-class", "No such class", "there is no class "
		"'%s'; check the join code your teacher gave", code);
}

static bool store_writable(struct srv *s)
{
	char why[8];

	return !s->journal || !journal_degraded(s->journal, why, sizeof(why));
}

/* A body of only these members (false, 400 answered, otherwise). */
static bool only_members(struct srv_call *c, const char *slug,
			 const char *title, const char *const *names)
{
	const char *k;
	json_t *v;

	if (!json_is_object(c->body)) {
		problem(c, 400, slug, title, "the body must be a JSON object");
		return false;
	}
	json_object_foreach(c->body, k, v) {
		size_t i = 0;

		while (names[i] && strcmp(names[i], k))
			i++;
		if (!names[i]) {
			struct strbuf sb = STRBUF_INIT;
			char *list;

			for (i = 0; names[i]; i++)
				sb_printf(&sb, "%s%s", i ? ", " : "", names[i]);
			list = sb_detach(&sb);
			problem(c, 400, slug, title, "unknown member '%s'; the "
				"body takes only %s", k, list);
			free(list);
			return false;
		}
	}
	return true;
}

/* --- the catalogue ------------------------------------------------------------ */

/* A type's title and full marks, from the catalogue cat (NULL: made
 * here); false: no such type. */
static bool type_info(json_t *cat, const char *type, char *title, size_t len,
		      double *max)
{
	json_t *own = cat ? NULL : (cat = ex_catalogue_json()), *e, *f;
	bool found = false;
	size_t i, k;

	json_array_foreach(cat, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "type")), type))
			continue;
		found = true;
		if (title)
			snprintf(title, len, "%s", json_string_value(
				 json_object_get(e, "title")));
		if (max) {
			*max = 0;
			json_array_foreach(json_object_get(e, "fields"), k, f)
				*max += json_number_value(json_object_get(f,
								"credit"));
		}
		break;
	}
	json_decref(own);
	return found;
}

static char *type_list(void)
{
	json_t *cat = ex_catalogue_json(), *e;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	json_array_foreach(cat, i, e)
		sb_printf(&sb, "%s%s", i ? ", " : "",
			  json_string_value(json_object_get(e, "type")));
	json_decref(cat);
	return sb_detach(&sb);
}

/* --- drawing a student's exercises --------------------------------------------- */

struct slot_todo {
	unsigned asg, slot;
	char asg_id[CLS_ID_MAX];
	char type[CLS_TYPE_MAX];
	unsigned attempts;
	uint64_t seed;
};

/* Under the classes' lock: the slots of st not drawn yet (malloc'd). */
static struct slot_todo *missing(struct cls_class *cl,
				 const struct cls_student *st, size_t *n)
{
	struct slot_todo *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (unsigned a = 0; a < cl->nassignments; a++) {
		const struct cls_assignment *as = cl->assignments[a];

		for (unsigned s = 0; s < as->nslots; s++) {
			unsigned item, k;

			if (cls_link_get(st, a, s))
				continue;
			if (*n == cap) {
				cap = cap ? 2 * cap : 8;
				v = xrealloc(v, cap * sizeof(*v));
			}
			cls_slot_item(as, s, &item, &k);
			v[*n] = (struct slot_todo){ .asg = a, .slot = s,
				.attempts = as->attempts,
				.seed = cls_seed(cl, as, st, s) };
			snprintf(v[*n].asg_id, sizeof(v[*n].asg_id), "%s", as->id);
			snprintf(v[*n].type, sizeof(v[*n].type), "%s",
				 as->items[item].type);
			(*n)++;
		}
	}
	return v;
}

/*
 * With cl's draw lock held (and not the classes'): make the exercises of
 * st's slots not drawn yet, their rows into *t, and link them.  Stops at
 * the first refusal (a limit: the rest would meet it too) and says why
 * in why; the slots left are drawn on the student's next list.  Whether
 * any link was added.
 */
static bool draw(struct srv_call *c, struct cls_class *cl,
		 struct cls_student *st, struct journal_ticket **t,
		 char *why, size_t len)
{
	struct srv *s = c->s;
	struct slot_todo *todo;
	bool added = false;
	size_t n;

	why[0] = '\0';
	pthread_mutex_lock(&s->classes->lock);
	todo = missing(cl, st, &n);
	pthread_mutex_unlock(&s->classes->lock);
	for (size_t i = 0; i < n; i++) {
		struct srv_ex_tag tag = { .item = (int)todo[i].slot };
		struct srv_ex_spec spec = {
			.type = todo[i].type, .seed = todo[i].seed,
			.version = EX_GEN_VERSION,
			.attempts = todo[i].attempts, .token = st->token,
			.origin = c->req->client ? c->req->client : "",
			.tag = &tag,
			.max_per_token = s->opt.max_exercises_per_token,
			/* the roster's size bounds a class's machines */
			.max_per_origin = UINT32_MAX,
		};
		struct srv_exercise *ex;
		json_t *p = NULL;

		snprintf(tag.cls, sizeof(tag.cls), "%s", cl->code);
		snprintf(tag.assignment, sizeof(tag.assignment), "%s",
			 todo[i].asg_id);
		if (srv_ex_create(s, &spec, c->req->now_ms, c->req->now_unix, t,
				  &ex, &p)) {
			snprintf(why, len, "%s", json_string_value(
				 json_object_get(p, "detail")));
			json_decref(p);
			break;
		}
		pthread_mutex_lock(&s->classes->lock);
		cls_link_set(st, todo[i].asg, todo[i].slot, ex->id);
		pthread_mutex_unlock(&s->classes->lock);
		added = true;
	}
	free(todo);
	return added;
}

/* Under the classes' lock: the rows are queued in the order made. */
static void submit(struct srv_call *c, struct journal_ticket *t)
{
	if (!t)
		return;
	c->resp->ticket = t;
	journal_submit(c->s->journal, t);
}

/*
 * A student's assignments as they see them: [{id, name, due, attempts,
 * reveal, exercises: [brief]}].  The skeleton is made under the classes'
 * lock with each exercise's id, then filled from the exercises with the
 * lock let go (lock order).
 */
static json_t *assignments_of(struct srv *s, struct cls_class *cl,
			      struct cls_student *st)
{
	json_t *out = json_array(), *a, *exs, *e;
	size_t i, k;

	pthread_mutex_lock(&s->classes->lock);
	for (unsigned ai = 0; ai < cl->nassignments; ai++) {
		const struct cls_assignment *as = cl->assignments[ai];

		exs = json_array();
		for (unsigned sl = 0; sl < as->nslots; sl++) {
			const char *id = cls_link_get(st, ai, sl);
			unsigned item, n;

			cls_slot_item(as, sl, &item, &n);
			json_array_append_new(exs, id ? json_string(id) :
				json_pack("{s:n, s:s, s:s}", "id", "type",
					  as->items[item].type, "state",
					  "not-drawn"));
		}
		json_array_append_new(out, json_pack("{s:s, s:s, s:o, s:i, s:s, "
			"s:o}", "id", as->id, "name", as->name, "due", as->due ?
			srv_time_json(as->due) : json_null(), "attempts",
			(int)as->attempts, "reveal", as->due ? "attempts_or_due"
			: "attempts", "exercises", exs));
	}
	pthread_mutex_unlock(&s->classes->lock);
	json_array_foreach(out, i, a) {
		exs = json_object_get(a, "exercises");
		json_array_foreach(exs, k, e) {
			struct srv_exercise *ex;

			if (!json_is_string(e))
				continue;
			struct mm_error err = { 0 };

			ex = srv_ex_get(s, json_string_value(e), NULL, true);
			if (!ex)
				continue;
			/* the title comes with the variant (made again after
			 * a restart on first use) */
			pthread_mutex_lock(&ex->lock);
			srv_ex_variant(ex, &err);
			pthread_mutex_unlock(&ex->lock);
			json_array_set_new(exs, k, srv_ex_brief_json(ex));
		}
	}
	return out;
}

/* --- the teacher's routes ------------------------------------------------------- */

void h_classes_list(struct srv_call *c)
{
	json_t *arr = json_array();

	if (!instructor_only(c)) {
		json_decref(arr);
		return;
	}
	pthread_mutex_lock(&c->s->classes->lock);
	for (size_t i = 0; i < c->s->classes->n; i++) {
		const struct cls_class *cl = c->s->classes->v[i];

		if (!cl->dead)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:o, "
				"s:i, s:i}", "code", cl->code, "name", cl->name,
				"created", srv_time_json(cl->created),
				"students", (int)cl->nstudents, "assignments",
				(int)cl->nassignments));
	}
	pthread_mutex_unlock(&c->s->classes->lock);
	resp_json(c, 200, json_pack("{s:o}", "classes", arr));
}

void h_class_create(struct srv_call *c)
{
	static const char *const members[] = { "name", NULL };
	json_t *name = json_object_get(c->body, "name");
	struct journal_ticket *t = NULL;
	const char *why;
	struct cls_class *cl;

	if (!instructor_only(c) ||
	    !only_members(c, "bad-class", "Invalid class", members))
		return;
	if ((why = cls_name_problem(name))) {
		problem(c, 400, "bad-class", "Invalid class", "name %s: give "
			"the class a name such as {\"name\": \"OS 2026\"}",
			name ? why : "is missing");
		return;
	}
	if (call_store_refuses(c))
		return;
	pthread_mutex_lock(&c->s->classes->lock);
	cl = cls_new(c->s, json_string_value(name), c->req->now_unix);
	if (!cl) {
		pthread_mutex_unlock(&c->s->classes->lock);
		resp_problem(c, 422, "over-limit", "this server holds %d "
			     "classes, its limit", CLS_MAX_CLASSES);
		return;
	}
	cls_journal_class(c->s, cl, &t);
	resp_header(c, "Location", "/v1/classes/%s", cl->code);
	resp_json(c, 201, cls_class_json(cl));
	submit(c, t);
	pthread_mutex_unlock(&c->s->classes->lock);
}

void h_class_get(struct srv_call *c)
{
	struct cls_class *cl;

	if (!instructor_only(c))
		return;
	pthread_mutex_lock(&c->s->classes->lock);
	if ((cl = cls_find(c->s->classes, c->params[0])))
		resp_json(c, 200, cls_class_json(cl));
	else
		no_class(c, c->params[0]);
	pthread_mutex_unlock(&c->s->classes->lock);
}

static void bad_assignment(struct srv_call *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void bad_assignment(struct srv_call *c, const char *fmt, ...)
{
	char detail[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	problem(c, 400, "bad-assignment", "Invalid assignment", "%s; an "
		"assignment is {\"name\": \"week 3\", \"items\": [{\"type\": "
		"\"zone\", \"count\": 1}, ...], \"attempts\": 3, \"due\": "
		"\"2026-12-11T23:59:00Z\"} (attempts and due optional)", detail);
}

/* One item {type, count?} into it; false after answering 400. */
static bool parse_item(struct srv_call *c, size_t i, json_t *v,
		       struct cls_item *it)
{
	json_t *type = json_object_get(v, "type"), *count;
	const char *k;
	json_t *m;
	char *types;

	if (!json_is_object(v)) {
		bad_assignment(c, "items[%zu] must be an object", i);
		return false;
	}
	json_object_foreach(v, k, m)
		if (strcmp(k, "type") && strcmp(k, "count")) {
			bad_assignment(c, "items[%zu] has an unknown member "
				       "'%s' (it takes type and count)", i, k);
			return false;
		}
	if (!json_is_string(type) || !type_info(NULL, json_string_value(type),
						NULL, 0, NULL)) {
		types = type_list();
		bad_assignment(c, "items[%zu].type must be one of the "
			       "catalogue's types (GET /v1/exercises): %s", i,
			       types);
		free(types);
		return false;
	}
	count = json_object_get(v, "count");
	if (count && (!json_is_integer(count) || json_integer_value(count) < 1
		      || json_integer_value(count) > CLS_MAX_COUNT)) {
		bad_assignment(c, "items[%zu].count must be an integer from 1 "
			       "to %d", i, CLS_MAX_COUNT);
		return false;
	}
	snprintf(it->type, sizeof(it->type), "%s", json_string_value(type));
	it->count = count ? (unsigned)json_integer_value(count) : 1;
	return true;
}

static bool parse_assignment(struct srv_call *c, struct cls_assignment *a)
{
	static const char *const members[] = { "name", "items", "attempts",
					       "due", NULL };
	json_t *name = json_object_get(c->body, "name");
	json_t *items = json_object_get(c->body, "items");
	json_t *att = json_object_get(c->body, "attempts");
	json_t *due = json_object_get(c->body, "due"), *v;
	const char *why;
	size_t i;

	if (!only_members(c, "bad-assignment", "Invalid assignment", members))
		return false;
	if ((why = cls_name_problem(name))) {
		bad_assignment(c, "name %s", name ? why : "is missing");
		return false;
	}
	if (!json_is_array(items) || !json_array_size(items) ||
	    json_array_size(items) > CLS_MAX_ITEMS) {
		bad_assignment(c, "items must be an array of 1 to %d items",
			       CLS_MAX_ITEMS);
		return false;
	}
	json_array_foreach(items, i, v) {
		if (!parse_item(c, i, v, &a->items[i]))
			return false;
		a->nslots += a->items[i].count;
	}
	a->nitems = (unsigned)json_array_size(items);
	if (a->nslots > CLS_MAX_SLOTS) {
		bad_assignment(c, "the items' counts add up to %u exercises; "
			       "an assignment holds at most %d", a->nslots,
			       CLS_MAX_SLOTS);
		return false;
	}
	if (att && (!json_is_integer(att) || json_integer_value(att) < 1 ||
		    json_integer_value(att) > CLS_MAX_ATTEMPTS)) {
		bad_assignment(c, "attempts must be an integer from 1 to %d",
			       CLS_MAX_ATTEMPTS);
		return false;
	}
	a->attempts = att ? (unsigned)json_integer_value(att)
			  : CLS_DEFAULT_ATTEMPTS;
	if (due && !json_is_null(due) && (!json_is_string(due) ||
	    !cls_parse_time(json_string_value(due), &a->due))) {
		bad_assignment(c, "due must be a UTC time such as "
			       "\"2026-12-11T23:59:00Z\", or null");
		return false;
	}
	snprintf(a->name, sizeof(a->name), "%s", json_string_value(name));
	a->created = c->req->now_unix;
	return true;
}

void h_assignment_create(struct srv_call *c)
{
	struct cls_assignment a = { 0 }, *na;
	struct journal_ticket *t = NULL;
	struct cls_class *cl;

	if (!instructor_only(c) || !parse_assignment(c, &a) ||
	    call_store_refuses(c))
		return;
	pthread_mutex_lock(&c->s->classes->lock);
	if (!(cl = cls_find(c->s->classes, c->params[0]))) {
		no_class(c, c->params[0]);
	} else if (cl->nassignments >= CLS_MAX_ASSIGNMENTS) {
		resp_problem(c, 422, "over-limit", "this class holds %d "
			     "assignments, the limit", CLS_MAX_ASSIGNMENTS);
	} else {
		/* nothing is drawn now: each student's exercises are drawn
		 * when they next list their assignments */
		na = cls_add_assignment(cl, &a);
		cls_journal_assignment(c->s, cl, na, &t);
		resp_header(c, "Location", "/v1/classes/%s/assignments/%s",
			    cl->code, na->id);
		resp_json(c, 201, cls_assignment_json(na));
		submit(c, t);
	}
	pthread_mutex_unlock(&c->s->classes->lock);
}

/* --- the gradebook ----------------------------------------------------------------- */

struct col_copy {
	char asg[CLS_ID_MAX], asg_name[CLS_NAME_MAX + 1];
	char type[CLS_TYPE_MAX], title[160];
};

struct stu_copy {
	char id[CLS_ID_MAX], name[CLS_NAME_MAX + 1];
};

struct book {
	struct gradebook g;
	char code[CLS_CODE_MAX], name[CLS_NAME_MAX + 1];
	struct gb_column *cols;
	struct col_copy *cc;
	struct gb_student *studs;
	struct stu_copy *sc;
	struct gb_cell *cells;
	char (*ids)[SRV_ID_MAX];	/* a cell's exercise */
	char (*states)[16];
};

static void book_free(struct book *b)
{
	free(b->cols);
	free(b->cc);
	free(b->studs);
	free(b->sc);
	free(b->cells);
	free(b->ids);
	free(b->states);
}

/* Under the classes' lock: the class's shape and its links. */
static void book_copy(struct book *b, const struct cls_class *cl)
{
	size_t ncols = 0, col = 0, ns = cl->nstudents;

	for (size_t a = 0; a < cl->nassignments; a++)
		ncols += cl->assignments[a]->nslots;
	snprintf(b->code, sizeof(b->code), "%s", cl->code);
	snprintf(b->name, sizeof(b->name), "%s", cl->name);
	b->cols = xcalloc(ncols + 1, sizeof(*b->cols));
	b->cc = xcalloc(ncols + 1, sizeof(*b->cc));
	b->studs = xcalloc(ns + 1, sizeof(*b->studs));
	b->sc = xcalloc(ns + 1, sizeof(*b->sc));
	b->cells = xcalloc(ns * ncols + 1, sizeof(*b->cells));
	b->ids = xcalloc(ns * ncols + 1, sizeof(*b->ids));
	b->states = xcalloc(ns * ncols + 1, sizeof(*b->states));
	for (unsigned a = 0; a < cl->nassignments; a++) {
		const struct cls_assignment *as = cl->assignments[a];

		for (unsigned sl = 0; sl < as->nslots; sl++, col++) {
			unsigned item, n;

			cls_slot_item(as, sl, &item, &n);
			snprintf(b->cc[col].asg, sizeof(b->cc[col].asg), "%s",
				 as->id);
			snprintf(b->cc[col].asg_name, sizeof(b->cc[col].asg_name),
				 "%s", as->name);
			snprintf(b->cc[col].type, sizeof(b->cc[col].type), "%s",
				 as->items[item].type);
			b->cols[col].slot = sl;
			for (size_t s = 0; s < ns; s++) {
				const char *id = cls_link_get(cl->students[s],
							      a, sl);

				if (id)
					snprintf(b->ids[s * ncols + col],
						 sizeof(b->ids[0]), "%s", id);
			}
		}
	}
	for (size_t s = 0; s < ns; s++) {
		snprintf(b->sc[s].id, sizeof(b->sc[s].id), "%s",
			 cl->students[s]->id);
		snprintf(b->sc[s].name, sizeof(b->sc[s].name), "%s",
			 cl->students[s]->name);
	}
	b->g.ncols = ncols;
	b->g.nstudents = ns;
}

/* With the lock let go: titles, full marks, and each exercise's state. */
static void book_fill(struct srv *s, struct book *b)
{
	json_t *cat = ex_catalogue_json();
	size_t nc = b->g.ncols;

	for (size_t i = 0; i < nc; i++) {
		b->cols[i].assignment = b->cc[i].asg;
		b->cols[i].assignment_name = b->cc[i].asg_name;
		b->cols[i].type = b->cc[i].type;
		type_info(cat, b->cc[i].type, b->cc[i].title,
			  sizeof(b->cc[i].title), &b->cols[i].max);
		b->cols[i].title = b->cc[i].title;
	}
	json_decref(cat);
	for (size_t st = 0; st < b->g.nstudents; st++) {
		b->studs[st].id = b->sc[st].id;
		b->studs[st].name = b->sc[st].name;
		b->studs[st].cells = b->cells + st * nc;
		for (size_t i = 0; i < nc; i++) {
			struct gb_cell *cell = &b->cells[st * nc + i];
			struct srv_exercise *ex;

			if (!b->ids[st * nc + i][0] ||
			    !(ex = srv_ex_get(s, b->ids[st * nc + i], NULL, true)))
				continue;
			pthread_mutex_lock(&ex->lock);
			snprintf(b->states[st * nc + i], sizeof(b->states[0]),
				 "%s", srv_ex_state_name(ex->state));
			cell->exercise = b->ids[st * nc + i];
			cell->state = b->states[st * nc + i];
			cell->scored = ex->score >= 0;
			cell->score = ex->score >= 0 ? ex->score : 0;
			cell->attempts = ex->used;
			pthread_mutex_unlock(&ex->lock);
		}
	}
	b->g.code = b->code;
	b->g.name = b->name;
	b->g.cols = b->cols;
	b->g.students = b->studs;
}

/* The class of params[0] copied into b; false after answering 404. */
static bool book_load(struct srv_call *c, struct book *b)
{
	struct cls_class *cl;

	memset(b, 0, sizeof(*b));
	pthread_mutex_lock(&c->s->classes->lock);
	cl = cls_find(c->s->classes, c->params[0]);
	if (cl)
		book_copy(b, cl);
	pthread_mutex_unlock(&c->s->classes->lock);
	if (!cl) {
		no_class(c, c->params[0]);
		return false;
	}
	book_fill(c->s, b);
	return true;
}

/* ?format=json|csv|gradescope, else Accept: text/csv; NULL: refused. */
static const char *grades_format(struct srv_call *c)
{
	const char *f = c->req->query(c->req->ctx, "format");
	const char *a = c->req->header(c->req->ctx, "Accept");

	if (!f)
		return a && strstr(a, "text/csv") ? "csv" : "json";
	if (!strcmp(f, "json") || !strcmp(f, "csv") || !strcmp(f, "gradescope"))
		return f;
	resp_problem(c, 400, "bad-argument", "format must be json, csv or "
		     "gradescope (Gradescope's autograder results.json; add "
		     "&student=ID for one student's)");
	return NULL;
}

void h_grades(struct srv_call *c)
{
	const char *fmt, *who = c->req->query(c->req->ctx, "student");
	const struct gb_student *only = NULL;
	struct book b;

	if (!instructor_only(c) || !(fmt = grades_format(c)))
		return;
	if (who && strcmp(fmt, "gradescope")) {
		resp_problem(c, 400, "bad-argument", "student= goes with "
			     "format=gradescope (one student's results.json); "
			     "one student's attempts are at "
			     "/v1/classes/%s/students/ID", c->params[0]);
		return;
	}
	if (!book_load(c, &b))
		return;
	for (size_t i = 0; who && i < b.g.nstudents; i++)
		if (!strcmp(b.studs[i].id, who) || !strcmp(b.studs[i].name, who))
			only = &b.studs[i];
	if (who && !only)
		problem(c, 404, "no-such-student", "No such student", "class "
			"%s has no student with the id or name '%s'", b.code,
			who);
	else if (!strcmp(fmt, "csv"))
		resp_text(c, 200, "text/csv; charset=utf-8", gb_csv(&b.g));
	else if (!strcmp(fmt, "gradescope"))
		resp_json(c, 200, gb_gradescope(&b.g, only));
	else
		resp_json(c, 200, gb_json(&b.g));
	book_free(&b);
}

/* One exercise as the teacher sees it: everything, with the attempts. */
static json_t *exercise_full(struct srv *s, const char *id)
{
	struct srv_exercise *ex = srv_ex_get(s, id, NULL, true);
	struct mm_error err = { 0 };
	struct ex_variant *v;
	json_t *j;

	if (!ex)
		return json_null();
	pthread_mutex_lock(&ex->lock);
	v = srv_ex_variant(ex, &err);
	j = v ? srv_ex_json(ex, v, true) : NULL;
	/* the teacher's answer key: this route is the instructor's alone */
	if (v)
		json_object_set_new(j, "key", ex_key_json(v));
	pthread_mutex_unlock(&ex->lock);
	return j ? j : srv_ex_brief_json(ex);
}

void h_class_student(struct srv_call *c)
{
	struct cls_class *cl;
	struct cls_student *st;
	json_t *out = NULL, *a, *e;
	size_t i, k;

	if (!instructor_only(c))
		return;
	pthread_mutex_lock(&c->s->classes->lock);
	cl = cls_find(c->s->classes, c->params[0]);
	/* by id, or by name when no id is that (ids win: a student named
	 * "s2" is reached by their own id) */
	st = cl ? cls_student_id(cl, c->params[1]) : NULL;
	if (cl && !st)
		st = cls_student_named(cl, c->params[1]);
	if (st)
		out = json_pack("{s:o, s:{s:s, s:s}}", "student",
				cls_student_json(st), "class", "code", cl->code,
				"name", cl->name);
	pthread_mutex_unlock(&c->s->classes->lock);
	if (!cl) {
		no_class(c, c->params[0]);
		return;
	}
	if (!st) {
		problem(c, 404, "no-such-student", "No such student", "class %s "
			"has no student '%s'; the roster (GET /v1/classes/%s) "
			"gives their ids", c->params[0], c->params[1],
			c->params[0]);
		return;
	}
	/* the same list the student sees, each exercise then in full */
	json_object_set_new(out, "assignments", assignments_of(c->s, cl, st));
	json_array_foreach(json_object_get(out, "assignments"), i, a)
		json_array_foreach(json_object_get(a, "exercises"), k, e) {
			const char *id = json_string_value(json_object_get(e,
								"id"));

			if (id)
				json_array_set_new(json_object_get(a, "exercises"),
						   k, exercise_full(c->s, id));
		}
	resp_json(c, 200, out);
}

/* --- the student's routes ---------------------------------------------------------- */

static json_t *join_answer(struct srv *s, struct cls_class *cl,
			   struct cls_student *st, const char *why)
{
	json_t *o;

	pthread_mutex_lock(&s->classes->lock);
	o = json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s}}", "token", st->token,
		      "student", "id", st->id, "name", st->name, "class",
		      "code", cl->code, "name", cl->name);
	pthread_mutex_unlock(&s->classes->lock);
	json_object_set_new(o, "assignments", assignments_of(s, cl, st));
	if (why[0])
		json_object_set_new(o, "not_drawn", json_string(why));
	return o;
}

/*
 * Under both locks: the roster entry the join is for, or NULL after
 * answering.  *again: the name is on the roster and the request carries
 * its token (the same student, 200).
 */
static struct cls_student *join_whom(struct srv_call *c, struct cls_class *cl,
				     const char *name, bool *again)
{
	struct cls_student *st = cls_student_named(cl, name), *mine;
	char tok[SRV_TOKEN_HEX + 1];

	*again = false;
	if (st && c->token && srv_token_equal(st->token, c->token)) {
		*again = true;
		return st;
	}
	if (st) {
		problem(c, 409, "name-taken", "Name taken", "'%s' is already on "
			"the roster of %s; pick another name, or send that "
			"student's own token (Authorization: Bearer TOKEN) to "
			"get back to their work", name, cl->code);
		return NULL;
	}
	mine = c->token ? cls_by_token(c->s->classes, c->token, NULL) : NULL;
	if (mine && cls_student_named(cl, mine->name) == mine) {
		problem(c, 409, "already-joined", "Already on the roster", "this "
			"token is on the roster of %s as '%s'; one token is one "
			"student", cl->code, mine->name);
		return NULL;
	}
	if (cl->nstudents >= CLS_MAX_STUDENTS) {
		resp_problem(c, 422, "over-limit", "class %s has %d students, "
			     "the limit", cl->code, CLS_MAX_STUDENTS);
		return NULL;
	}
	if (srv_random_hex(tok, SRV_TOKEN_HEX / 2)) {
		resp_problem(c, 500, "internal", "the system gave no random "
			     "bytes for a token; try again");
		return NULL;
	}
	return cls_add_student(cl, name, tok, c->req->now_unix);
}

void h_join(struct srv_call *c)
{
	static const char *const members[] = { "name", NULL };
	json_t *name = json_object_get(c->body, "name");
	struct journal_ticket *t = NULL;
	struct cls_class *cl;
	struct cls_student *st = NULL;
	const char *why;
	char not_drawn[512];
	bool again;

	if (c->instructor) {
		problem(c, 403, "instructor-cannot-join", "The instructor cannot "
			"join", "the instructor token reads every class and is "
			"on no roster; a student joins without a token");
		return;
	}
	if (!only_members(c, "bad-name", "Invalid name", members))
		return;
	if ((why = cls_name_problem(name))) {
		problem(c, 400, "bad-name", "Invalid name", "name %s: join with "
			"the name your teacher will know you by, such as "
			"{\"name\": \"Ada Lovelace\"}", name ? why : "is missing");
		return;
	}
	if (call_store_refuses(c))
		return;
	pthread_mutex_lock(&c->s->classes->lock);
	cl = cls_find(c->s->classes, c->params[0]);
	pthread_mutex_unlock(&c->s->classes->lock);
	if (!cl) {
		no_class(c, c->params[0]);
		return;
	}
	/* classes are never freed: cl stays good while its draw lock is
	 * taken; the roster is looked at again under both */
	pthread_mutex_lock(&cl->draw);
	pthread_mutex_lock(&c->s->classes->lock);
	if (cl->dead)
		no_class(c, c->params[0]);
	else
		st = join_whom(c, cl, json_string_value(name), &again);
	pthread_mutex_unlock(&c->s->classes->lock);
	if (st) {
		bool drawn = draw(c, cl, st, &t, not_drawn, sizeof(not_drawn));

		resp_json(c, again ? 200 : 201, join_answer(c->s, cl, st,
							    not_drawn));
		pthread_mutex_lock(&c->s->classes->lock);
		if (!again || drawn)
			cls_journal_student(c->s, cl, st, &t);
		submit(c, t);
		pthread_mutex_unlock(&c->s->classes->lock);
	}
	pthread_mutex_unlock(&cl->draw);
}

json_t *cls_me_json(struct srv_call *c)
{
	struct journal_ticket *t = NULL;
	struct cls_class *cl = NULL, *locked;
	struct cls_student *st;
	char not_drawn[512] = "";
	json_t *o;

	if (!c->token || c->instructor)
		return NULL;
	pthread_mutex_lock(&c->s->classes->lock);
	st = cls_by_token(c->s->classes, c->token, &cl);
	pthread_mutex_unlock(&c->s->classes->lock);
	if (!st)
		return NULL;
	/* again under the class's draw lock: a rollback may have come */
	locked = cl;
	pthread_mutex_lock(&locked->draw);
	pthread_mutex_lock(&c->s->classes->lock);
	st = cls_by_token(c->s->classes, c->token, &cl);
	pthread_mutex_unlock(&c->s->classes->lock);
	if (!st || cl != locked) {
		pthread_mutex_unlock(&locked->draw);
		return NULL;
	}
	/* assignments made since the last list are drawn now; a store
	 * that cannot be written leaves them for later */
	if (store_writable(c->s) && draw(c, cl, st, &t, not_drawn,
				      sizeof(not_drawn))) {
		pthread_mutex_lock(&c->s->classes->lock);
		cls_journal_student(c->s, cl, st, &t);
		submit(c, t);
		pthread_mutex_unlock(&c->s->classes->lock);
	} else if (t) {
		pthread_mutex_lock(&c->s->classes->lock);
		submit(c, t);
		pthread_mutex_unlock(&c->s->classes->lock);
	}
	pthread_mutex_lock(&c->s->classes->lock);
	o = json_pack("{s:{s:s, s:s, s:{s:s, s:s}}}", "student", "id", st->id,
		      "name", st->name, "class", "code", cl->code, "name",
		      cl->name);
	pthread_mutex_unlock(&c->s->classes->lock);
	json_object_set_new(o, "assignments", assignments_of(c->s, cl, st));
	if (not_drawn[0])
		json_object_set_new(o, "not_drawn", json_string(not_drawn));
	pthread_mutex_unlock(&locked->draw);
	return o;
}

bool cls_due_passed(struct srv *s, const char *code, const char *assignment,
		    int64_t now)
{
	struct cls_assignment *a;
	struct cls_class *cl;
	bool passed = false;

	pthread_mutex_lock(&s->classes->lock);
	cl = cls_find(s->classes, code);
	a = cl ? cls_assignment_id(cl, assignment, NULL) : NULL;
	if (a && a->due && now >= a->due)
		passed = true;
	pthread_mutex_unlock(&s->classes->lock);
	return passed;
}

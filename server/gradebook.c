/*
 * gradebook.c - the builders of gradebook.h.
 *
 * Gradescope rather than PrairieLearn for the course-site export: its
 * autograder contract (a container runs a script that writes
 * /autograder/results/results.json) is the one documented place a course
 * site takes scores made elsewhere, per student, with partial credit per
 * test, so the teacher's autograder script only has to fetch one
 * student's results.json from here.  PrairieLearn grades its own
 * questions and imports scores as CSV, which the CSV answer already is.
 */
#include "gradebook.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* an assignment name (64), a slot number and a type or title */
#define CSV_LABEL_MAX 256

void gb_column_key(const struct gb_column *col, char *buf, size_t len)
{
	snprintf(buf, len, "%s.%u", col->assignment, col->slot + 1);
}

/* Whole points as integers (2, not 2.0); fractions as they are. */
static json_t *num_json(double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static void num_text(struct strbuf *sb, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		sb_printf(sb, "%lld", (long long)v);
	else
		sb_printf(sb, "%.6g", v);
}

static double total_max(const struct gradebook *g)
{
	double m = 0;

	for (size_t i = 0; i < g->ncols; i++)
		m += g->cols[i].max;
	return m;
}

static double total(const struct gradebook *g, const struct gb_student *st)
{
	double t = 0;

	for (size_t i = 0; i < g->ncols; i++)
		if (st->cells[i].scored)
			t += st->cells[i].score;
	return t;
}

/* --- JSON ----------------------------------------------------------------------- */

static json_t *cell_json(const struct gb_column *col, const struct gb_cell *c)
{
	if (!c->exercise)
		return json_null();
	return json_pack("{s:s, s:s, s:o, s:o, s:i}", "id", c->exercise,
			 "state", c->state ? c->state : "open", "score",
			 c->scored ? num_json(c->score) : json_null(), "max",
			 num_json(col->max), "attempts", (int)c->attempts);
}

json_t *gb_json(const struct gradebook *g)
{
	json_t *cols = json_array(), *students = json_array();
	char key[64];

	for (size_t i = 0; i < g->ncols; i++) {
		const struct gb_column *c = &g->cols[i];

		gb_column_key(c, key, sizeof(key));
		json_array_append_new(cols, json_pack("{s:s, s:s, s:s, s:i, "
			"s:s, s:s, s:o}", "key", key, "assignment",
			c->assignment, "assignment_name", c->assignment_name,
			"slot", (int)c->slot + 1, "type", c->type, "title",
			c->title ? c->title : c->type, "max", num_json(c->max)));
	}
	for (size_t s = 0; s < g->nstudents; s++) {
		const struct gb_student *st = &g->students[s];
		json_t *ex = json_object();

		for (size_t i = 0; i < g->ncols; i++) {
			gb_column_key(&g->cols[i], key, sizeof(key));
			json_object_set_new(ex, key, cell_json(&g->cols[i],
							       &st->cells[i]));
		}
		json_array_append_new(students, json_pack("{s:s, s:s, s:o, "
			"s:o, s:o}", "id", st->id, "name", st->name,
			"exercises", ex, "total", num_json(total(g, st)),
			"max", num_json(total_max(g))));
	}
	return json_pack("{s:{s:s, s:s}, s:o, s:o, s:o}", "class", "code",
			 g->code, "name", g->name, "columns", cols, "max",
			 num_json(total_max(g)), "students", students);
}

/* --- CSV ------------------------------------------------------------------------ */

static void sb_char(struct strbuf *sb, char ch)
{
	char s[2] = { ch, '\0' };

	sb_puts(sb, s);
}

/* A field quoted when it must be (RFC 4180: a comma, a quote, a line
 * break, or a space at either end that a reader might trim). */
static void csv_field(struct strbuf *sb, const char *s)
{
	size_t len = strlen(s);

	if (!strpbrk(s, ",\"\r\n") && !(len && (s[0] == ' ' ||
					     s[len - 1] == ' '))) {
		sb_puts(sb, s);
		return;
	}
	sb_char(sb, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_char(sb, '"');
		sb_char(sb, *s);
	}
	sb_char(sb, '"');
}

char *gb_csv(const struct gradebook *g)
{
	struct strbuf sb = STRBUF_INIT;
	char label[CSV_LABEL_MAX];

	sb_puts(&sb, "id,name");
	for (size_t i = 0; i < g->ncols; i++) {
		snprintf(label, sizeof(label), "%s %u %s",
			 g->cols[i].assignment_name, g->cols[i].slot + 1,
			 g->cols[i].type);
		sb_char(&sb, ',');
		csv_field(&sb, label);
	}
	sb_puts(&sb, ",total,max\r\n");
	for (size_t s = 0; s < g->nstudents; s++) {
		const struct gb_student *st = &g->students[s];

		csv_field(&sb, st->id);
		sb_char(&sb, ',');
		csv_field(&sb, st->name);
		for (size_t i = 0; i < g->ncols; i++) {
			sb_char(&sb, ',');
			if (st->cells[i].scored)
				num_text(&sb, st->cells[i].score);
		}
		sb_char(&sb, ',');
		num_text(&sb, total(g, st));
		sb_char(&sb, ',');
		num_text(&sb, total_max(g));
		sb_puts(&sb, "\r\n");
	}
	return sb_detach(&sb);
}

/* --- Gradescope ----------------------------------------------------------------- */

static const char *status_of(const struct gb_column *col,
			     const struct gb_cell *c)
{
	return c->scored && c->score >= col->max ? "passed" : "failed";
}

static json_t *results(const struct gradebook *g, const struct gb_student *st)
{
	json_t *tests = json_array();
	char number[32], name[CSV_LABEL_MAX], out[160];

	for (size_t i = 0; i < g->ncols; i++) {
		const struct gb_column *col = &g->cols[i];
		const struct gb_cell *c = &st->cells[i];

		snprintf(number, sizeof(number), "%s.%u", col->assignment,
			 col->slot + 1);
		snprintf(name, sizeof(name), "%s %u: %s", col->assignment_name,
			 col->slot + 1, col->title ? col->title : col->type);
		if (!c->exercise)
			snprintf(out, sizeof(out), "not started");
		else
			snprintf(out, sizeof(out), "exercise %s, %s, %u "
				 "attempt%s", c->exercise, c->state ? c->state
				 : "open", c->attempts, c->attempts == 1 ? ""
				 : "s");
		json_array_append_new(tests, json_pack("{s:s, s:s, s:o, s:o, "
			"s:s, s:s}", "name", name, "number", number, "score",
			num_json(c->scored ? c->score : 0), "max_score",
			num_json(col->max), "status", status_of(col, c),
			"output", out));
	}
	snprintf(out, sizeof(out), "mmlab class %s, student %s (%s)", g->code,
		 st->name, st->id);
	return json_pack("{s:o, s:s, s:o}", "score", num_json(total(g, st)),
			 "output", out, "tests", tests);
}

json_t *gb_gradescope(const struct gradebook *g, const struct gb_student *only)
{
	json_t *all;

	if (only)
		return results(g, only);
	all = json_array();
	for (size_t s = 0; s < g->nstudents; s++)
		json_array_append_new(all, json_pack("{s:s, s:s, s:o}", "id",
			g->students[s].id, "name", g->students[s].name,
			"results", results(g, &g->students[s])));
	return json_pack("{s:o}", "students", all);
}

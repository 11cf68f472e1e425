/*
 * gradebook.h - a class's grades as JSON, as CSV and as Gradescope's
 * results.json, built from plain data (no lock, no clock, no store), so a
 * unit test can hold the exact bytes.
 *
 * A column is one exercise slot of one assignment (assignments in the
 * order made, slots in item order); a row is one student (in the order
 * they joined).  A cell is the exercise drawn for that student and slot,
 * or nothing yet (drawn lazily: see docs/classes.md).
 */
#ifndef SRV_GRADEBOOK_H
#define SRV_GRADEBOOK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct gb_column {
	const char *assignment;		/* its id, "a1" */
	const char *assignment_name;
	const char *type;
	const char *title;		/* the type's title, from the catalogue */
	unsigned slot;			/* in the assignment, from 0 */
	double max;			/* what full marks are */
};

struct gb_cell {
	const char *exercise;		/* its id; NULL: not drawn yet */
	const char *state;		/* "open", "answered", "revealed" */
	bool scored;			/* an attempt was graded */
	double score;
	unsigned attempts;		/* used */
};

struct gb_student {
	const char *id, *name;
	const struct gb_cell *cells;	/* one per column */
};

struct gradebook {
	const char *code, *name;
	const struct gb_column *cols;
	size_t ncols;
	const struct gb_student *students;
	size_t nstudents;
};

/* A column's key: "a1.1" (assignment id, slot from 1). */
void gb_column_key(const struct gb_column *col, char *buf, size_t len);

/*
 * {class: {code, name}, columns: [{key, assignment, assignment_name,
 * slot, type, title, max}], max, students: [{id, name, exercises: {key:
 * {id, state, score, max, attempts} or null}, total, max}]}
 */
json_t *gb_json(const struct gradebook *g);

/*
 * RFC 4180 CSV, CRLF line ends: "id,name," then a column per exercise
 * ("<assignment name> <slot> <type>"), then "total,max"; a row per
 * student, a score where an attempt was graded, empty where none was.
 */
char *gb_csv(const struct gradebook *g);

/*
 * Gradescope's autograder results.json for one student: {score,
 * output, tests: [{name, number, score, max_score, status, output}]},
 * one test per exercise.  only: that student; NULL: every student, as
 * {students: [{id, name, results}]}.
 */
json_t *gb_gradescope(const struct gradebook *g, const struct gb_student *only);

#endif

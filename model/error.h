/*
 * error.h - how the model says no.
 *
 * Every refusal carries a kind (which the API turns into an HTTP status),
 * a stable slug (the problem "type"), the field it is about, and a sentence
 * that tells a student what to change.
 *
 * A refusal either leaves the machine bit-identical (every argument check
 * comes before the first change), or it says so with "changed": an
 * allocation that failed half way may have moved state the kernel does not
 * put back (a pageblock it stole keeps its new migratetype), and the
 * server then journals the refused operation and moves the generation like
 * any other change, so replay and every cached answer stay true.
 */
#ifndef MM_ERROR_H
#define MM_ERROR_H

#include <stdbool.h>

enum mm_errkind {
	MM_OK = 0,
	MM_EINVAL,	/* malformed or out-of-range input (400) */
	MM_ESTATE,	/* conflicts with the machine's state (409) */
	MM_EIMPOSSIBLE,	/* well-formed but cannot be done (422) */
	MM_ENOTFOUND,	/* names something that does not exist (404) */
};

struct mm_error {
	enum mm_errkind kind;
	char type[40];		/* stable slug, e.g. "bad-config", "double-free" */
	char field[40];		/* the input field at fault, or "" */
	/* what is wrong and what to do about it: room for an allocator's
	 * whole failure story (ALLOC_REASON_MAX) inside another's */
	char detail[2048];
	bool changed;		/* refused, but the machine's state moved */
};

/* Fill *err (if not NULL) and return the kind, for "return mm_fail(...)". */
int mm_fail(struct mm_error *err, enum mm_errkind kind, const char *type,
	    const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif

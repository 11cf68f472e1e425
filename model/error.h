/*
 * error.h - how the model says no.
 *
 * Every refusal carries a kind (which the API turns into an HTTP status),
 * a stable slug (the problem "type"), the field it is about, and a sentence
 * that tells a student what to change.  A refusal never changes state.
 */
#ifndef MM_ERROR_H
#define MM_ERROR_H

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
	char detail[640];	/* what is wrong and what to do about it */
};

/* Fill *err (if not NULL) and return the kind, for "return mm_fail(...)". */
int mm_fail(struct mm_error *err, enum mm_errkind kind, const char *type,
	    const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif

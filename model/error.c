/* error.c - filling in a refusal. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int mm_fail(struct mm_error *err, enum mm_errkind kind, const char *type,
	    const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return kind;
	err->kind = kind;
	/* callers declare errors without initialising them; whether state
	 * moved is the api's to find out after the model returns */
	err->changed = false;
	snprintf(err->type, sizeof(err->type), "%s", type);
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return kind;
}

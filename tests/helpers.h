/*
 * helpers.h - small helpers the cmocka suites share.  Each suite is one
 * tests/test_X.c linked alone with the library objects, so the helpers
 * are static inline here rather than in a shared object the Makefile
 * would have to know about.  Include after <cmocka.h>.
 */
#ifndef MMLAB_TESTS_HELPERS_H
#define MMLAB_TESTS_HELPERS_H

#include <jansson.h>

/* JSON text the test wrote; a typo in it fails the test, not crashes it. */
static inline json_t *js(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);

	if (!j)
		fail_msg("bad test JSON '%s': %s", text, e.text);
	return j;
}

#endif

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

/* Boot c or fail the test, naming why.  For the suites that include
 * machine.h. */
#ifdef MM_MACHINE_H
static inline struct machine *must_boot(const struct machine_config *c)
{
	struct machine *m = NULL;
	struct mm_error err = { 0 };

	if (machine_boot(c, &m, &err) != MM_OK)
		fail_msg("boot failed: %s (%s): %s", err.type, err.field,
			 err.detail);
	return m;
}
#endif

/* A cmocka setup and teardown: a 2 GiB machine booted as *state.  For
 * the suites that include api.h and machine.h. */
#ifdef MM_API_H
static inline int boot_2g(void **state)
{
	struct machine *m = NULL;
	struct mm_error err = { 0 };
	json_t *cfg = js("{\"ram\": \"2G\", \"boot\": \"bare\"}");

	assert_int_equal(api_machine_boot(cfg, &m, &err), MM_OK);
	json_decref(cfg);
	*state = m;
	return 0;
}

static inline int free_machine(void **state)
{
	machine_free(*state);
	return 0;
}
#endif

#endif

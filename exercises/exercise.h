/*
 * exercise.h - graded exercises on a simulated machine, JSON in and out.
 *
 * An exercise type asks one question about one mechanism, aimed at one
 * misconception.  A variant is (type, seed, generator version): the same
 * triple always gives the same machine, the same question and the same
 * key, because the key is what the model answers when the variant's
 * "reveal" operations run on a machine of the variant's configuration.
 *
 * Pure like the model: no I/O, no clock, no globals.  The server keeps
 * the state (who owns which variant, attempts, scores); this layer only
 * makes variants and grades answers.
 */
#ifndef MM_EXERCISE_H
#define MM_EXERCISE_H

#include <stdint.h>

#include <jansson.h>

#include "error.h"

/* The generator version new variants get; a stored variant keeps its own. */
#define EX_GEN_VERSION 1

/* How a field's answer is written (the catalogue says which, per field). */
enum ex_format {
	EX_FMT_ZONE,	/* DMA, Normal, HighMem (any case, ZONE_ prefix ok) */
	EX_FMT_PFN,	/* a frame number: decimal or 0x hex */
	EX_FMT_ADDRESS,	/* decimal or 0x hex, or "none" for no address */
	EX_FMT_CACHE,	/* a slab cache name, or "none" */
	EX_FMT_COUNT,	/* a non-negative integer, decimal or 0x hex */
	EX_FMT_SIZE,	/* bytes: 4096, 0x1000, 4K, 4KiB, 896M, 1G */
	EX_FMT_YESNO,	/* yes or no (y, n, true, false, or a JSON boolean) */
	EX_FMT_ENUM,	/* one of the field's choices (any case) */
};

const char *ex_format_name(enum ex_format f);

/* The catalogue: [{type, title, misconception, fields: [{name, format,
 * choices?, credit, prompt}]}], in the order of priority. */
json_t *ex_catalogue_json(void);

struct ex_variant;

/*
 * Make the variant (type, seed, version): boots a machine through api/,
 * runs the setup and the reveal operations, reads the key off their
 * results.  Errors: unknown type or version (MM_ENOTFOUND), or a
 * generator that found nothing worth asking (MM_EIMPOSSIBLE, a bug).
 */
int ex_variant_new(const char *type, uint64_t seed, unsigned version,
		   struct ex_variant **out, struct mm_error *err);
void ex_variant_free(struct ex_variant *v);

/*
 * What the student may see: {type, seed, version, title, question,
 * config, setup, fields}.  Holds no key and no feedback.  config is the
 * machine config object (api_machine_boot's), setup the operations
 * [{op, args}] to run on the student's machine right after boot, before
 * it is handed over.
 */
json_t *ex_variant_json(const struct ex_variant *v);
/* Borrowed parts of the variant, for the server. */
const json_t *ex_variant_config(const struct ex_variant *v);
const json_t *ex_variant_setup(const struct ex_variant *v);
/* The reveal: [{op, args}] or [{report}] (a report as JSON), run in order
 * after the setup; the key is read off their results. */
const json_t *ex_reveal_ops(const struct ex_variant *v);
/* The key: {field: canonical value}, for the reveal. */
json_t *ex_key_json(const struct ex_variant *v);
/* The reasoning of every field: {field: sentence} (the feedback a wrong
 * answer gets, with this variant's numbers), for the reveal. */
json_t *ex_explanation_json(const struct ex_variant *v);

/*
 * Grade {field: answer, ...}.  Every field must be present and parse
 * (strings, or JSON integers and booleans where the format allows);
 * otherwise it is a format error (MM_EINVAL, type "bad-answer", field
 * named) and nothing is graded, so it should cost no attempt.
 * *result: {score, max, fields: {name: {given, correct, credit, earned,
 * feedback?}}}; feedback (the reasoning, with this variant's numbers,
 * and so the key) only on a wrong field.
 */
int ex_grade(const struct ex_variant *v, const json_t *answer,
	     json_t **result, struct mm_error *err);

/*
 * Parse one answer of the given format into its canonical JSON value
 * (string, integer, boolean, or null for "none"); choices for
 * EX_FMT_ENUM.  The detail says what was expected.
 */
int ex_parse_answer(enum ex_format f, const char *const *choices,
		    const char *field, const json_t *given, json_t **out,
		    struct mm_error *err);

#endif

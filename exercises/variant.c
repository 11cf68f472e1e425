/*
 * variant.c - making a variant and grading an answer to it.
 *
 * A variant is rebuilt from (type, seed, version) whenever it is needed,
 * never stored: the type's make() draws its parameters from a random
 * stream seeded by the triple, boots the machine through api/, runs the
 * setup and reveal operations, and reads the key off the results.  A draw
 * not worth asking (a trivial or ambiguous case, or a machine that cannot
 * do what was drawn) is redrawn from the same stream, so the redraws are
 * part of the variant and replay exactly.
 */
#include "ex_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

/* enough for every type's worst luck; reaching it is a generator bug */
#define EX_MAX_DRAWS 200

struct ex_variant {
	const struct ex_type *type;
	uint64_t seed;
	unsigned version;
	json_t *config;
	json_t *setup;
	json_t *reveal;
	json_t *key;
	json_t *feedback;
	json_t *tolerance;
	char question[1024];
};

/* --- the random stream --------------------------------------------------------- */

uint64_t ex_rand(struct ex_ctx *c)
{
	uint64_t z = (c->rng.s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t ex_range(struct ex_ctx *c, uint64_t lo, uint64_t hi)
{
	/* the modulo bias is far below anything a question can show */
	return lo + ex_rand(c) % (hi - lo + 1);
}

const char *ex_pick(struct ex_ctx *c, const char *const *v, size_t n)
{
	return v[ex_rand(c) % n];
}

/* The stream of a triple: FNV-1a of the type name, mixed with the rest. */
static uint64_t stream_seed(const char *type, uint64_t seed, unsigned version)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *p = type; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return h ^ (seed * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)version << 56);
}

/* --- what make() calls ----------------------------------------------------------- */

int ex_boot(struct ex_ctx *c, json_t *config)
{
	json_decref(c->config);
	c->config = config;
	/* exercises were written for the empty machine; their keys come from
	 * running it, so pin it: a later default must not move them */
	api_config_pin_boot(config, BOOT_BARE);
	if (api_machine_boot(config, &c->m, c->err))
		return EX_REDRAW;
	return 0;
}

static int run(struct ex_ctx *c, json_t *list, const char *op, json_t *args,
	       const json_t **result)
{
	json_t *r = NULL, *story = NULL;
	int rc;

	if (!args)
		args = json_object();
	json_array_append_new(list, json_pack("{s:s, s:O}", "op", op,
					      "args", args));
	rc = api_op_story(c->m, op, args, &r, &story, c->err);
	json_decref(args);
	/* out of memory is a refusal to the API but a fact a question
	 * may be built on (HighMem filled until the allocator fell back):
	 * the types read it as a result with "ok": false, as they always
	 * have, so their draws and keys stay the same */
	if (rc == MM_EIMPOSSIBLE && story && c->err &&
	    !strcmp(c->err->type, "out-of-memory")) {
		r = story;
		json_object_set_new(r, "ok", json_false());
		rc = MM_OK;
	} else {
		json_decref(story);
	}
	if (rc)
		return EX_REDRAW;
	json_array_append_new(c->results, r);
	if (result)
		*result = r;
	return 0;
}

int ex_setup(struct ex_ctx *c, const char *op, json_t *args,
	     const json_t **result)
{
	return run(c, c->setup, op, args, result);
}

int ex_reveal(struct ex_ctx *c, const char *op, json_t *args,
	      const json_t **result)
{
	return run(c, c->reveal, op, args, result);
}

int ex_peek_report(struct ex_ctx *c, const char *name, json_t **result)
{
	if (api_report(c->m, name, false, result, NULL, c->err))
		return EX_REDRAW;
	return 0;
}

int ex_reveal_report(struct ex_ctx *c, const char *name,
		     const json_t **result)
{
	json_t *r;

	if (ex_peek_report(c, name, &r))
		return EX_REDRAW;
	json_array_append_new(c->reveal, json_pack("{s:s}", "report", name));
	json_array_append_new(c->results, r);
	*result = r;
	return 0;
}

void ex_question(struct ex_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->question, sizeof(c->question), fmt, ap);
	va_end(ap);
}

void ex_key(struct ex_ctx *c, const char *field, json_t *value,
	    const char *fmt, ...)
{
	char buf[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_set_new(c->key, field, value);
	json_object_set_new(c->feedback, field, json_string(buf));
}

void ex_tolerance(struct ex_ctx *c, const char *field, uint64_t bytes)
{
	json_object_set_new(c->tolerance, field, json_integer((json_int_t)bytes));
}

uint64_t ex_num(const json_t *obj, const char *key)
{
	uint64_t v;

	if (api_get_u64(json_object_get(obj, key), &v))
		return 0;
	return v;
}

const char *ex_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

void ex_size_str(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ull << 30) && b % (1ull << 30) == 0)
		snprintf(buf, len, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b >= (1ull << 20) && b % (1ull << 20) == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(b >> 20));
	else if (b >= (1ull << 20))
		snprintf(buf, len, "%.2f MiB", (double)b / (1 << 20));
	else if (b >= 1024 && b % 1024 == 0)
		snprintf(buf, len, "%llu KiB", (unsigned long long)(b >> 10));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)b);
}

/* --- making a variant ------------------------------------------------------------- */

static void ctx_reset(struct ex_ctx *c)
{
	if (c->m)
		machine_free(c->m);
	c->m = NULL;
	json_decref(c->config);
	json_decref(c->setup);
	json_decref(c->reveal);
	json_decref(c->key);
	json_decref(c->feedback);
	json_decref(c->tolerance);
	json_decref(c->results);
	c->config = json_object();
	c->setup = json_array();
	c->reveal = json_array();
	c->key = json_object();
	c->feedback = json_object();
	c->tolerance = json_object();
	c->results = json_array();
	c->question[0] = '\0';
}

/* Every field has a key: a type that forgot one is a bug, not a variant. */
static bool keys_complete(const struct ex_ctx *c)
{
	for (unsigned i = 0; i < ex_type_nr_fields(c->type); i++)
		if (!json_object_get(c->key, c->type->fields[i].name))
			return false;
	return c->question[0] != '\0';
}

static int draw(struct ex_ctx *c)
{
	struct mm_error scratch;

	for (unsigned n = 0; n < EX_MAX_DRAWS; n++) {
		int rc;

		ctx_reset(c);
		c->err = &scratch;
		rc = c->type->make(c);
		if (rc == EX_REDRAW)
			continue;
		if (rc)
			return rc;
		if (keys_complete(c))
			return 0;
		break;
	}
	return EX_REDRAW;
}

int ex_variant_new(const char *type, uint64_t seed, unsigned version,
		   struct ex_variant **out, struct mm_error *err)
{
	struct ex_ctx c = { 0 };
	struct ex_variant *v;
	int rc;

	*out = NULL;
	c.type = ex_type_find(type);
	if (!c.type)
		return mm_fail(err, MM_ENOTFOUND, "unknown-exercise", "type",
			       "no exercise type '%s': GET /v1/exercises "
			       "lists them", type ? type : "");
	if (version != EX_GEN_VERSION)
		return mm_fail(err, MM_ENOTFOUND, "unknown-version", "version",
			       "generator version %u does not exist; this "
			       "build makes version %d", version,
			       EX_GEN_VERSION);
	c.rng.s = stream_seed(c.type->name, seed, version);
	rc = draw(&c);
	if (c.m)
		machine_free(c.m);
	json_decref(c.results);
	if (rc) {
		json_decref(c.config);
		json_decref(c.setup);
		json_decref(c.reveal);
		json_decref(c.key);
		json_decref(c.feedback);
		json_decref(c.tolerance);
		return mm_fail(err, MM_EIMPOSSIBLE, "no-variant", "seed",
			       "exercise %s found nothing worth asking for "
			       "seed %llu (a generator bug: report it)",
			       c.type->name, (unsigned long long)seed);
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		abort();
	v->type = c.type;
	v->seed = seed;
	v->version = version;
	v->config = c.config;
	v->setup = c.setup;
	v->reveal = c.reveal;
	v->key = c.key;
	v->feedback = c.feedback;
	v->tolerance = c.tolerance;
	memcpy(v->question, c.question, sizeof(v->question));
	*out = v;
	return MM_OK;
}

void ex_variant_free(struct ex_variant *v)
{
	if (!v)
		return;
	json_decref(v->config);
	json_decref(v->setup);
	json_decref(v->reveal);
	json_decref(v->key);
	json_decref(v->feedback);
	json_decref(v->tolerance);
	free(v);
}


json_t *ex_variant_json(const struct ex_variant *v)
{
	return json_pack("{s:s, s:I, s:i, s:s, s:s, s:O, s:O, s:o}",
			 "type", v->type->name, "seed", (json_int_t)v->seed,
			 "version", (int)v->version, "title", v->type->title,
			 "question", v->question, "config", v->config,
			 "setup", v->setup, "fields", ex_fields_json(v->type));
}

const json_t *ex_variant_config(const struct ex_variant *v)
{
	return v->config;
}

const json_t *ex_variant_setup(const struct ex_variant *v)
{
	return v->setup;
}

const json_t *ex_reveal_ops(const struct ex_variant *v)
{
	return v->reveal;
}

/* Addresses and frames read best in hex, as every api answer writes them. */
static json_t *display(enum ex_format f, const json_t *value)
{
	if ((f == EX_FMT_ADDRESS || f == EX_FMT_PFN) && json_is_integer(value))
		return api_hex((uint64_t)json_integer_value(value));
	return json_deep_copy(value);
}

json_t *ex_key_json(const struct ex_variant *v)
{
	json_t *k = json_object();

	for (unsigned i = 0; i < ex_type_nr_fields(v->type); i++) {
		const struct ex_field *f = &v->type->fields[i];

		json_object_set_new(k, f->name, display(f->format,
				    json_object_get(v->key, f->name)));
	}
	return k;
}

json_t *ex_explanation_json(const struct ex_variant *v)
{
	return json_deep_copy(v->feedback);
}

/* --- grading --------------------------------------------------------------------- */

static bool field_correct(const struct ex_variant *v, const char *name,
			  const json_t *given)
{
	const json_t *key = json_object_get(v->key, name);
	const json_t *tol = json_object_get(v->tolerance, name);

	if (tol && json_is_integer(key) && json_is_integer(given)) {
		json_int_t d = json_integer_value(key) - json_integer_value(given);

		return (d < 0 ? -d : d) <= json_integer_value(tol);
	}
	return json_equal(key, given);
}

static int check_names(const struct ex_type *t, const json_t *answer,
		       struct mm_error *err)
{
	const char *name;
	json_t *val;

	if (!json_is_object(answer))
		return mm_fail(err, MM_EINVAL, "bad-answer", "fields",
			       "the answer must be a JSON object of fields");
	json_object_foreach((json_t *)answer, name, val) {
		unsigned i;

		for (i = 0; i < ex_type_nr_fields(t); i++)
			if (!strcmp(t->fields[i].name, name))
				break;
		if (i == ex_type_nr_fields(t))
			return mm_fail(err, MM_EINVAL, "bad-answer", "fields",
				       "%s has no field '%.40s'", t->name, name);
	}
	return MM_OK;
}

int ex_grade(const struct ex_variant *v, const json_t *answer,
	     json_t **result, struct mm_error *err)
{
	const struct ex_type *t = v->type;
	json_t *parsed[EX_MAX_FIELDS] = { 0 };
	json_t *fields;
	unsigned n = ex_type_nr_fields(t), score = 0, max = 0;
	int rc;

	*result = NULL;
	if ((rc = check_names(t, answer, err)))
		return rc;
	for (unsigned i = 0; i < n; i++) {
		const struct ex_field *f = &t->fields[i];
		const json_t *g = json_object_get(answer, f->name);

		rc = g ? ex_parse_answer(f->format, f->choices, f->name, g,
					 &parsed[i], err)
		       : mm_fail(err, MM_EINVAL, "bad-answer", f->name,
				 "field %s is missing: answer every field "
				 "(%s)", f->name, f->prompt);
		if (rc) {
			for (unsigned k = 0; k < i; k++)
				json_decref(parsed[k]);
			return rc;
		}
	}
	fields = json_object();
	for (unsigned i = 0; i < n; i++) {
		const struct ex_field *f = &t->fields[i];
		bool ok = field_correct(v, f->name, parsed[i]);
		json_t *o = json_pack("{s:o, s:b, s:i, s:i}", "given",
				      display(f->format, parsed[i]),
				      "correct", ok, "credit", (int)f->credit,
				      "earned", ok ? (int)f->credit : 0);

		if (!ok)
			json_object_set(o, "feedback",
					json_object_get(v->feedback, f->name));
		json_object_set_new(fields, f->name, o);
		json_decref(parsed[i]);
		score += ok ? f->credit : 0;
		max += f->credit;
	}
	*result = json_pack("{s:i, s:i, s:o}", "score", (int)score,
			    "max", (int)max, "fields", fields);
	return MM_OK;
}

/* --- machines ------------------------------------------------------------------- */

json_t *ex_config(uint64_t ram, bool pae, const char *vmsplit,
		  const char *cmdline)
{
	json_t *c = json_pack("{s:I, s:b, s:s}", "ram", (json_int_t)ram,
			      "pae", pae, "vmsplit", vmsplit);

	if (cmdline && *cmdline)
		json_object_set_new(c, "cmdline", json_string(cmdline));
	return c;
}

void ex_machine_words(uint64_t ram, bool pae, const char *vmsplit,
		      const char *cmdline, char *buf, size_t len)
{
	char size[32];

	ex_size_str(ram, size, sizeof(size));
	snprintf(buf, len, "a %s machine with the %s kernel, VMSPLIT_%s%s%s%s",
		 size, pae ? "PAE (686-pae)" : "two-level (686)", vmsplit,
		 cmdline && *cmdline ? " and the command line \"" : "",
		 cmdline && *cmdline ? cmdline : "",
		 cmdline && *cmdline ? "\"" : "");
}

uint64_t ex_draw_ram(struct ex_ctx *c, const uint64_t *sizes, size_t n)
{
	return sizes[ex_rand(c) % n];
}

/* PAE whenever the RAM is above 4 GiB, else one machine in three (the
 * draw is made only then, as the types have always drawn it) */
bool ex_draw_pae(struct ex_ctx *c, uint64_t ram)
{
	return ram > 4 * GiB || ex_rand(c) % 3 == 0;
}

const char *ex_draw_vmsplit(struct ex_ctx *c)
{
	static const char *const splits[] = { "3G", "3G", "3G", "2G", "1G" };

	return EX_PICK(c, splits);
}

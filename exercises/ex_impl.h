/*
 * ex_impl.h - what the exercise types share (internal to exercises/).
 *
 * A type is a make() function.  It draws its parameters from the
 * variant's random stream, boots the machine (ex_boot), runs the setup
 * (ex_setup) and the reveal (ex_reveal) through api/, and reads each key
 * off the reveal's results (ex_key), with the sentence of reasoning a
 * wrong answer gets.  If the draw is not worth asking it returns
 * EX_REDRAW and is called again, on the same stream, with a clean slate.
 */
#ifndef MM_EX_IMPL_H
#define MM_EX_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "api.h"
#include "exercise.h"

#define EX_REDRAW	(-1)
#define EX_MAX_FIELDS	8

struct ex_field {
	const char *name;
	enum ex_format format;
	const char *const *choices;	/* EX_FMT_ENUM: NULL-terminated */
	unsigned credit;
	const char *prompt;		/* what to write, in a few words */
};

struct ex_ctx;

struct ex_type {
	const char *name;
	const char *title;
	const char *misconception;
	struct ex_field fields[EX_MAX_FIELDS];	/* up to the first name NULL */
	int (*make)(struct ex_ctx *c);
};

/* The catalogue (catalogue.c), NULL-terminated. */
extern const struct ex_type *const ex_types[];
const struct ex_type *ex_type_find(const char *name);
unsigned ex_type_nr_fields(const struct ex_type *t);
/* A type's fields as the catalogue and the question list them. */
json_t *ex_fields_json(const struct ex_type *t);

/* splitmix64: small, fast and the same on every machine */
struct ex_rng {
	uint64_t s;
};

struct ex_ctx {
	const struct ex_type *type;
	struct ex_rng rng;
	struct machine *m;	/* booted by ex_boot, freed by the framework */
	json_t *config;
	json_t *setup;		/* [{op, args}] */
	json_t *reveal;		/* [{op, args}] or [{report}] */
	json_t *key;		/* {field: value} */
	json_t *feedback;	/* {field: sentence} */
	json_t *tolerance;	/* {field: bytes} for sizes read approximately */
	json_t *results;	/* keeps the borrowed results alive */
	char question[1024];
	struct mm_error *err;
};

uint64_t ex_rand(struct ex_ctx *c);
/* uniform in [lo, hi] */
uint64_t ex_range(struct ex_ctx *c, uint64_t lo, uint64_t hi);
/* one of n strings */
const char *ex_pick(struct ex_ctx *c, const char *const *v, size_t n);
#define EX_PICK(c, arr) ex_pick((c), (arr), sizeof(arr) / sizeof((arr)[0]))

/* Boot config (taken over).  EX_REDRAW if the model refuses it. */
int ex_boot(struct ex_ctx *c, json_t *config);
/* Run an operation (args taken over), recorded as setup or reveal; the
 * result is borrowed (the variant keeps it until make() returns).
 * A refusal is EX_REDRAW: the draw asked for something this machine
 * cannot do. */
int ex_setup(struct ex_ctx *c, const char *op, json_t *args,
	     const json_t **result);
int ex_reveal(struct ex_ctx *c, const char *op, json_t *args,
	      const json_t **result);
/* A report as JSON, recorded in the reveal. */
int ex_reveal_report(struct ex_ctx *c, const char *name,
		     const json_t **result);
/* A report as JSON, not recorded (the generator's own look at the
 * machine, e.g. where vmalloc space starts, to draw an address). */
int ex_peek_report(struct ex_ctx *c, const char *name, json_t **result);

void ex_question(struct ex_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The key of a field (value taken over) and its reasoning sentence. */
void ex_key(struct ex_ctx *c, const char *field, json_t *value,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ex_tolerance(struct ex_ctx *c, const char *field, uint64_t bytes);

/* Reading results: "0x..." strings and integers as numbers; 0 if absent. */
uint64_t ex_num(const json_t *obj, const char *key);
const char *ex_str(const json_t *obj, const char *key);

#define GiB (1ull << 30)

/* "512 MiB", "1.5 GiB", "12 KiB", "100 bytes" */
void ex_size_str(uint64_t bytes, char *buf, size_t len);

/*
 * The machines the types draw from: a config object, and the words a
 * question uses for it ("a 2 GiB machine with the PAE kernel, VMSPLIT_2G").
 */
json_t *ex_config(uint64_t ram, bool pae, const char *vmsplit,
		  const char *cmdline);
void ex_machine_words(uint64_t ram, bool pae, const char *vmsplit,
		      const char *cmdline, char *buf, size_t len);
/* A RAM size from a list, and with it whether the kernel must be PAE
 * (above 4 GiB), and a VMSPLIT that is usually the default 3G. */
uint64_t ex_draw_ram(struct ex_ctx *c, const uint64_t *sizes, size_t n);
bool ex_draw_pae(struct ex_ctx *c, uint64_t ram);
const char *ex_draw_vmsplit(struct ex_ctx *c);

/* The types. */
extern const struct ex_type ex_type_zone;
extern const struct ex_type ex_type_kvmalloc;
extern const struct ex_type ex_type_kmalloc_size;
extern const struct ex_type ex_type_buddy;
extern const struct ex_type ex_type_linear_pa;
extern const struct ex_type ex_type_walk2;
extern const struct ex_type ex_type_walk_pae;
extern const struct ex_type ex_type_ptpages;
extern const struct ex_type ex_type_fault;
extern const struct ex_type ex_type_lowmem;
extern const struct ex_type ex_type_alias;
extern const struct ex_type ex_type_kmap;

#endif

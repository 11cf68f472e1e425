/*
 * fuzz_ops.c - every operation and its arguments, in sequences, on a
 * booted machine, at the api level (what a batch runs, without HTTP).
 *
 * Two input shapes.  One that starts with '{' or '[' is JSON:
 * {"config": N, "ops": [{"op": NAME, "args": {...}}, ...]} or a bare
 * array of items, for the dictionary and the committed seeds to drive.
 * Anything else is the grammar's (fuzz_util.c): the first byte picks the
 * configuration, the rest picks operations and the shape of each
 * argument, reusing what earlier answers gave (addresses, pfns, pids).
 * Every answer is checked as fz_run_one says.
 */
#include <stdlib.h>

#include "fuzz_util.h"
#include "machine.h"

#define MAX_OPS 48	/* per input: deep enough, and fast */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run_raw(const uint8_t *data, size_t size)
{
	size_t config, i;
	json_t *ops = fz_raw_ops(data, size, &config), *it;
	struct machine *m;

	if (!ops)
		return;
	m = fz_boot(config);
	json_array_foreach(ops, i, it) {
		const char *op;
		const json_t *args;
		json_t *res;
		struct mm_error err;

		if (i >= MAX_OPS)
			break;
		if (!fz_item(it, &op, &args))
			continue;
		fz_run_one(m, op, args, &res, &err);
		json_decref(res);
	}
	machine_free(m);
	json_decref(ops);
}

static void run_grammar(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct fz_pool pool = { { { 0 } }, { 0 }, { { 0 } }, 0 };
	struct machine *m = fz_boot(fz_u8(&f));

	for (int i = 0; i < MAX_OPS && f.n; i++) {
		const char *op;
		json_t *args, *res;
		struct mm_error err;

		fz_gen_op(&f, &pool, m, &op, &args);
		fz_run_one(m, op, args, &res, &err);
		fz_pool_learn(&pool, res);
		json_decref(res);
		json_decref(args);
	}
	machine_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && (data[0] == '{' || data[0] == '['))
		run_raw(data, size);
	else
		run_grammar(data, size);
	return 0;
}

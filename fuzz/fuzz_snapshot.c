/*
 * fuzz_snapshot.c - what the daemon reads back from its store: snapshots
 * (machine_restore, snapshot.h gives the format) and journal records
 * (the decoding journal.c's replay does, without SQLite).
 *
 * Snapshot input: byte 0 picks the configuration (fz_configs), byte 1's
 * low bit keeps the header as given (1) or fixes its length and checksum
 * (0, so mutations reach the sections instead of failing the checksum),
 * the rest is the snapshot.  A refusal must be "bad-snapshot" and leave
 * nothing; bytes that restore must be exactly what the restored machine
 * writes back (snapshot.h: snapshot(restore(s)) == s, so restore accepts
 * only the one encoding of a state), that again must restore, and the
 * machine must then run every report and a few operations of each
 * allocator.  The seeds are real
 * snapshots of a few machines (make fuzz-seeds).
 *
 * Journal input: 'J', then the machine row's config JSON on the first
 * line, then one record per line, "SEQ OP ARGS", decoded as journal.c's
 * on_machine and on_op do: json_loads of the config and of each args
 * text (a damaged args text is NULL there, which api_op takes as no
 * arguments), records at or below the snapshot's sequence skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "config.h"
#include "machine.h"
#include "snapshot.h"
#include "snapshot_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Operations of every allocator on a restored machine: its structures
 * must hold together, whatever the bytes claimed. */
static void exercise(struct machine *m)
{
	static const char *const ops[][2] = {
		{ "alloc_pages", "{\"order\": 2}" },
		{ "alloc_pages", "{\"gfp\": \"GFP_HIGHUSER\"}" },
		{ "kmalloc", "{\"size\": 64}" },
		{ "kmalloc", "{\"size\": 5000}" },
		{ "vmalloc", "{\"size\": \"64K\"}" },
		{ "process_create", "{}" },
		{ "fork", "{\"pid\": 1}" },
		{ "mmap", "{\"pid\": 1, \"len\": 8192}" },
		{ "exit", "{\"pid\": 1}" },
		{ "pkmap", "{}" },
		{ "processes", "{}" },
	};
	char name[64];

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		json_t *a = json_loads(ops[i][1], 0, NULL), *res;
		struct mm_error err;

		fz_run_one(m, ops[i][0], a, &res, &err);
		json_decref(res);
		json_decref(a);
	}
	for (size_t i = 0; api_report_names[i]; i++) {
		json_t *res;
		struct mm_error err;

		snprintf(name, sizeof(name), "report:text:%s",
			 api_report_names[i]);
		fz_run_one(m, name, NULL, &res, &err);
	}
}

static void snapshot(const uint8_t *data, size_t size)
{
	const size_t config = data[0] % fz_nconfigs;
	const bool as_given = data[1] & 1;
	size_t len = size - 2;
	uint8_t *buf = malloc(len ? len : 1), *again, *third;
	size_t again_len, third_len;
	struct machine *proto = fz_boot(config), *m = NULL, *m2 = NULL;
	struct mm_error err = { 0 };

	memcpy(buf, data + 2, len);
	if (!as_given && len >= SNAP_HEADER_SIZE) {
		put_u64(buf + 16, len);
		put_u64(buf + SNAP_CSUM_OFFSET, snap_checksum(buf, len));
	}
	if (machine_restore(&proto->config, buf, len, &m, &err)) {
		if (m || strcmp(err.type, "bad-snapshot") || !err.detail[0])
			fz_die("a refused snapshot: machine %p, type '%s'",
			       (void *)m, err.type);
		goto out;
	}
	machine_snapshot(m, &again, &again_len);
	if (again_len != len || memcmp(again, buf, len))
		fz_die("an accepted snapshot is not the one its machine writes "
		       "(%zu vs %zu bytes)", len, again_len);
	if (machine_restore(&proto->config, again, again_len, &m2, &err))
		fz_die("a restored machine's own snapshot is refused: %s",
		       err.detail);
	machine_snapshot(m2, &third, &third_len);
	if (again_len != third_len || memcmp(again, third, again_len))
		fz_die("snapshot(restore(s)) is not stable: %zu vs %zu bytes",
		       again_len, third_len);
	free(third);
	free(again);
	machine_free(m2);
	exercise(m);
	machine_free(m);
out:
	machine_free(proto);
	free(buf);
}

/* One "SEQ OP ARGS" line, as on_op replays it. */
static void record(struct machine *m, char *line)
{
	char *op, *args, *end;
	unsigned long long seq = strtoull(line, &end, 10);
	json_t *a, *res;
	struct mm_error err;

	if (end == line || *end != ' ')
		return;
	op = end + 1;
	args = strchr(op, ' ');
	if (args)
		*args++ = '\0';
	if (seq == 0)		/* at or below a fresh machine's snap_seq 0 */
		return;
	a = args ? json_loads(args, 0, NULL) : NULL;
	fz_run_one(m, op, a, &res, &err);
	json_decref(res);
	json_decref(a);
}

static void journal(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *next;
	json_t *config;
	struct machine *m = NULL;
	struct mm_error err = { 0 };
	int n = 0;

	memcpy(text, data, size);
	text[size] = '\0';
	next = strchr(text, '\n');
	if (next)
		*next++ = '\0';
	config = json_loads(text, 0, NULL);
	if (config && api_machine_boot(config, &m, &err) == MM_OK) {
		for (line = next; line && n < 64; line = next, n++) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			record(m, line);
		}
		machine_free(m);
	}
	json_decref(config);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] == 'J')
		journal(data + 1, size - 1);
	else if (size >= 2)
		snapshot(data, size);
	return 0;
}

/*
 * store_model.c - which model wrote the store.
 *
 * The store holds machines as configurations and operations, which only
 * mean what was answered to the model that ran them.  meta's "model" row
 * keeps that model's fingerprint (api_model_fingerprint()); a daemon
 * whose model differs refuses a store that holds machines, unless the
 * operator accepts replaying them with the new one.  A store from before
 * the row existed counts as another model's: it was one.  The check runs
 * before a format conversion, so a refused store is left as it was.
 */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store_impl.h"

/* meta's fingerprint into fp ("" if none), and the machines held; -1
 * when the tables are not there (not a store of ours: check_or_init
 * names that). */
static int model_row(struct store *st, char *fp, size_t len, int *machines)
{
	sqlite3_stmt *s;

	fp[0] = '\0';
	if (store_int(st, "SELECT count(*) FROM machines", machines) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = "
			       "'model'", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(fp, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return 0;
}

int store_model_check(struct store *st, const struct store_model *model,
		      bool *changed, char *err, size_t len)
{
	char have[64];
	int machines;

	if (model_row(st, have, sizeof(have), &machines))
		return 0;
	*changed = strcmp(have, model->fp) != 0;
	if (!*changed || !machines)
		return 0;
	if (model->accept) {
		fprintf(stderr, "mmlabd: %s: its %d machines were made by "
			"another model; accepted: they are rebuilt with this "
			"one (model %s)\n", st->path, machines, model->fp);
		return 0;
	}
	snprintf(err, len, "%s holds %d machines made by %s (this mmlabd's "
		 "model is %s): replayed by this one they would not be what "
		 "was answered; run the mmlabd that made them, or start with "
		 "--accept-model-change to rebuild them with this model (their "
		 "addresses and figures may change)%s%s%s", st->path, machines,
		 have[0] ? "another version of the model" : "a model from "
		 "before fingerprints were kept", model->fp,
		 have[0] ? " [store: " : "", have, have[0] ? "]" : "");
	return -1;
}

int store_model_set(struct store *st, const struct store_model *model,
		    char *err, size_t len)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta VALUES("
		 "'model', '%.64s')", model->fp);
	return store_exec(st, sql, err, len);
}

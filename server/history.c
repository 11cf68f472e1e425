/*
 * history.c - the entries since a machine's base, and rebuilding an
 * earlier generation from them.  See history.h.
 */
#include "history.h"

#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "machine.h"
#include "registry.h"
#include "server.h"
#include "snapshot.h"
#include "strbuf.h"

static void entry_free(struct srv_hist_entry *e)
{
	free(e->op);
	free(e->args);
	free(e->result);
}

static void drop_entries(struct srv_hist *h)
{
	for (size_t i = 0; i < h->n; i++)
		entry_free(&h->v[i]);
	h->n = 0;
	h->bytes = 0;
}

void hist_free(struct srv_hist *h)
{
	drop_entries(h);
	free(h->v);
	free(h->snap);
	memset(h, 0, sizeof(*h));
}

void hist_rebase(struct srv_machine *sm, const void *snap, size_t len)
{
	struct srv_hist *h = &sm->hist;

	drop_entries(h);
	free(h->snap);
	h->snap = NULL;
	h->snap_len = 0;
	if (snap) {
		h->snap = xmalloc(len);
		memcpy(h->snap, snap, len);
		h->snap_len = len;
	}
	h->base = sm->generation;
}

bool hist_undo_target(const json_t *args, uint64_t *to)
{
	const json_t *t = json_object_get(args, "to");

	if (!json_is_integer(t) || json_integer_value(t) < 0)
		return false;
	*to = (uint64_t)json_integer_value(t);
	return true;
}

static char *dump(const json_t *j)
{
	/* in the order it was answered */
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	return s ? s : xstrdup(j ? "null" : "{}");
}

void hist_note(struct srv_machine *sm, const char *op, const json_t *args,
	       const json_t *result, bool refused)
{
	struct srv_hist *h = &sm->hist;
	struct srv_hist_entry *e;
	uint8_t *snap;
	size_t len;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 16;
		h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	e = &h->v[h->n++];
	memset(e, 0, sizeof(*e));
	e->seq = sm->generation;
	e->op = xstrdup(op);
	e->args = dump(args);
	e->result = result ? dump(result) : xstrdup("null");
	e->refused = refused;
	if (!strcmp(op, "undo") && !hist_undo_target(args, &e->undo_to))
		e->undo_to = h->base;	/* never journalled so */
	h->bytes += sizeof(*e) + strlen(e->op) + strlen(e->args) +
		    strlen(e->result) + 3;
	/* a rebuild replays at most HIST_MAX operations */
	if (sm->generation - h->base >= HIST_MAX) {
		machine_snapshot(sm->m, &snap, &len);
		hist_rebase(sm, snap, len);
		free(snap);
	}
}

void hist_note_refused(struct srv_machine *sm, const char *op,
		       const json_t *args, const struct mm_error *err)
{
	json_t *p = api_problem(err);

	json_object_set_new(p, "operation", json_string(op));
	hist_note(sm, op, args, p, true);
	json_decref(p);
}

size_t hist_bytes(const struct srv_hist *h)
{
	return h->bytes + h->cap * sizeof(*h->v) + h->snap_len;
}

/* The base state, as the store would restore it. */
static int boot_base(struct srv *s, struct srv_machine *sm,
		     struct machine **out, struct mm_error *err)
{
	struct machine_config c;

	if (!sm->hist.snap)
		return srv_boot(s, sm->config, out, err);
	if (api_config_from_json(sm->config, &c, err) ||
	    machine_restore(&c, sm->hist.snap, sm->hist.snap_len, out, err))
		return -1;
	if (srv_apply_limits(s, *out)) {
		machine_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * The operations that make generation g from the base, newest first:
 * from g back, an operation is one of them and the walk goes on at the
 * generation before it; an undo to G goes on at G (the state it made).
 */
static size_t chain(const struct srv_hist *h, uint64_t g, size_t *idx)
{
	size_t n = 0;

	while (g > h->base) {
		const struct srv_hist_entry *e = &h->v[g - h->base - 1];

		if (!strcmp(e->op, "undo")) {
			g = e->undo_to < g ? e->undo_to : g - 1;
			continue;
		}
		idx[n++] = (size_t)(g - h->base - 1);
		g--;
	}
	return n;
}

int hist_build(struct srv *s, struct srv_machine *sm, uint64_t g,
	       struct machine **out, struct mm_error *err)
{
	const struct srv_hist *h = &sm->hist;
	struct machine *m = NULL;
	size_t *idx, n;

	*out = NULL;
	if (g < h->base || g > sm->generation || h->n != sm->generation - h->base)
		return mm_fail(err, MM_EINVAL, "bad-generation", NULL,
			       "generation %llu is not in the history kept",
			       (unsigned long long)g);
	idx = xmalloc((h->n + 1) * sizeof(*idx));
	n = chain(h, g, idx);
	if (boot_base(s, sm, &m, err)) {
		free(idx);
		return -1;
	}
	while (n--) {
		const struct srv_hist_entry *e = &h->v[idx[n]];
		json_t *args = json_loads(e->args, 0, NULL), *res = NULL;
		struct mm_error e2 = { 0 };

		/* a refusal that moved state moves it again, the same way */
		api_op(m, e->op, args, &res, &e2);
		json_decref(res);
		json_decref(args);
	}
	free(idx);
	*out = m;
	return 0;
}

json_t *hist_undo_result(uint64_t from, uint64_t to)
{
	return json_pack("{s:I, s:I}", "from", (json_int_t)from, "to",
			 (json_int_t)to);
}

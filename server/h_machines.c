/*
 * h_machines.c - machines as resources: create, list, get, reset,
 * delete; and the daemon's own routes (/healthz, /metrics, the web page).
 */
#include "handlers.h"
#include "journal.h"	/* before the model: <signal.h> first */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "api.h"
#include "budget.h"
#include "exercises.h"
#include "machine.h"
#include "owners.h"
#include "turn.h"

extern const char srv_openapi_json[];

/* --- the machine a request names ------------------------------------------ */

static void store_unavailable(struct srv_call *c, const char *why)
{
	resp_header(c, "Retry-After", "5");
	resp_problem(c, 503, "store-unavailable", "changes cannot be saved "
		     "right now (%s); nothing was changed — try again in a few "
		     "seconds; reads still work", why);
}

bool call_store_refuses(struct srv_call *c)
{
	char why[256];

	if (!c->s->journal ||
	    !journal_degraded(c->s->journal, why, sizeof(why)))
		return false;
	store_unavailable(c, why);
	return true;
}

/* Changes wait for the store; a machine a failed write left behind
 * waits for it too.  Under sm->lock: true when refused (answered). */
static bool store_refuses(struct srv_call *c, struct srv_machine *sm,
			  bool write)
{
	if (sm->broken) {
		store_unavailable(c, "this machine is being restored from the "
				  "store after a failed write");
		return true;
	}
	return write && call_store_refuses(c);
}

/* Done with the machine: its mutex, then its turn (the next waiter's). */
static void machine_release(struct srv_machine *sm)
{
	pthread_mutex_unlock(&sm->lock);
	turn_release(sm);
}

/* As call_machine; instructor_writes lets the instructor change a
 * machine it does not own (DELETE and reset do: to clear out machines
 * and to give a student a fresh start; no operation does). */
static struct srv_machine *lookup(struct srv_call *c, bool write,
				  bool instructor_writes)
{
	struct srv_machine *sm = reg_get(&c->s->reg, c->params[0], c->token,
					 c->instructor);

	if (!sm) {
		/* a wrong token and no machine read the same: ids leak nothing */
		resp_problem(c, 404, "no-such-machine", "there is no machine "
			     "'%s' for this token; check the id and send the "
			     "token it was created with (Authorization: Bearer "
			     "TOKEN, or ?token=TOKEN)", c->params[0]);
		return NULL;
	}
	if (write && c->instructor && !instructor_writes &&
	    !srv_token_equal(sm->token, c->token)) {
		reg_put(&c->s->reg, sm);
		resp_problem(c, 403, "read-only-token", "the instructor token "
			     "reads every machine and may reset or delete any, "
			     "but runs no operation on one; use the machine's "
			     "own token");
		return NULL;
	}
	atomic_store(&sm->last_used_ms, c->req->now_ms);
	/* in use: no thread waits for it, the request joins its queue */
	if (!turn_take(&c->s->reg, sm, c->req->waiter)) {
		c->resp->busy = true;
		reg_put(&c->s->reg, sm);
		return NULL;
	}
	pthread_mutex_lock(&sm->lock);
	/* deleted while this request waited for its turn: gone */
	if (reg_is_dead(&c->s->reg, sm)) {
		machine_release(sm);
		reg_put(&c->s->reg, sm);
		resp_problem(c, 404, "no-such-machine", "machine '%s' was just "
			     "deleted", c->params[0]);
		return NULL;
	}
	if (store_refuses(c, sm, write)) {
		machine_release(sm);
		reg_put(&c->s->reg, sm);
		return NULL;
	}
	return sm;
}

struct srv_machine *call_machine(struct srv_call *c, bool write)
{
	return lookup(c, write, false);
}

void call_machine_done(struct srv_call *c, struct srv_machine *sm)
{
	budget_note(c->s, sm);
	/* queued before the lock goes: the journal's order is the order
	 * the changes were made in */
	if (c->resp->ticket)
		journal_submit(c->s->journal, c->resp->ticket);
	machine_release(sm);
	reg_put(&c->s->reg, sm);
}

bool not_modified(struct srv_call *c, const struct srv_machine *sm)
{
	const char *inm = c->req->header(c->req->ctx, "If-None-Match");
	char tag[64];

	snprintf(tag, sizeof(tag), "\"%s-%llu\"", sm->id,
		 (unsigned long long)sm->generation);
	resp_header(c, "ETag", "%s", tag);
	/* "*" matches any current representation (RFC 9110, 13.1.2) */
	if (!inm || (strcmp(inm, "*") && !strstr(inm, tag)))
		return false;
	c->resp->status = 304;
	return true;
}


/* Under sm->lock: the machine as GET shows it (the token only at birth). */
json_t *machine_json(const struct srv_machine *sm, bool with_token)
{
	json_t *o = json_object(), *layout = NULL;
	struct mm_error err;
	char self[96];

	json_object_set_new(o, "id", json_string(sm->id));
	json_object_set_new(o, "name", json_string(sm->name));
	if (with_token)
		json_object_set_new(o, "token", json_string(sm->token));
	json_object_set_new(o, "created", srv_time_json(sm->created));
	json_object_set_new(o, "generation", json_integer((json_int_t)sm->generation));
	json_object_set_new(o, "config", api_config_to_json(&sm->m->config));
	api_report(sm->m, "layout", false, &layout, NULL, &err);
	json_object_set_new(o, "layout", layout ? layout : json_null());
	snprintf(self, sizeof(self), "/v1/machines/%s", sm->id);
	json_object_set_new(o, "url", json_string(self));
	return o;
}

/* --- the daemon's own routes ---------------------------------------------- */

void h_healthz(struct srv_call *c)
{
	if (atomic_load(&c->s->draining)) {
		resp_problem(c, 503, "shutting-down", "the server is stopping");
		return;
	}
	resp_json(c, 200, json_pack("{s:s, s:i}", "status", "ok", "machines",
				    (int)reg_count(&c->s->reg)));
}

void h_metrics(struct srv_call *c)
{
	struct strbuf sb = STRBUF_INIT;
	const struct srv_options *o = &c->s->opt;
	unsigned over;
	uint64_t used = reg_host_bytes(&c->s->reg, &over, o->max_host_machine);

	metrics_text(&c->s->metrics, srv_route_name, reg_count(&c->s->reg),
		     reg_frames(&c->s->reg), atomic_load(&c->s->inflight), &sb);
	metrics_host_text(&sb, used, o->max_host_total, o->max_host_machine,
			  over);
	sb_printf(&sb, "# HELP mmlab_answer_bytes_in_flight Bytes of answers "
		  "handed to libmicrohttpd and not yet sent (counted in the "
		  "host-memory budget).\n# TYPE mmlab_answer_bytes_in_flight "
		  "gauge\nmmlab_answer_bytes_in_flight %llu\n",
		  (unsigned long long)atomic_load(&c->s->answer_bytes));
	resp_text(c, 200, "text/plain; version=0.0.4; charset=utf-8",
		  sb_detach(&sb));
}

void h_openapi(struct srv_call *c)
{
	resp_text(c, 200, "application/json", xstrdup(srv_openapi_json));
}

static const char *content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".json", "application/json" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return NULL;
}

/* One file straight from the web directory: a single path segment of
 * plain characters, so nothing outside that directory can be named. */
void h_static(struct srv_call *c)
{
	const char *name = c->params[0], *type = content_type(name);
	char path[1024];
	struct stat st;

	if (name[0] == '.' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
			      != strlen(name) || !type) {
		resp_problem(c, 404, "no-route", "there is no file %s; the "
			     "API is under /v1/machines", c->req->path);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", c->s->opt.web_dir, name);
	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		resp_problem(c, 404, "no-route", "there is no file %s; the "
			     "API is under /v1/machines", c->req->path);
		return;
	}
	c->resp->status = 200;
	c->resp->content_type = type;
	c->resp->file_path = xstrdup(path);
	resp_header(c, "Cache-Control", "no-cache");
}

/* --- machines ------------------------------------------------------------- */

/* Who made a machine and who owns it, for the instructor: the address
 * that got its token, whether this machine came without one (and so
 * made it), the owner (owners.h) and when it was last used (a request
 * naming it; the daemon's start counts as one: the idle expiry's clock). */
static void instructor_fields(const struct srv_call *c, json_t *o,
			      const struct srv_machine *sm, json_t *owner)
{
	int64_t idle_ms = c->req->now_ms - atomic_load(&sm->last_used_ms);

	json_object_set_new(o, "origin", json_string(sm->origin));
	json_object_set_new(o, "tokenless", json_boolean(sm->fresh));
	json_object_set(o, "owner", owner);
	json_object_set_new(o, "last_used", srv_time_json(c->req->now_unix -
				(idle_ms > 0 ? idle_ms / 1000 : 0)));
}

static json_t *list_entry(const struct srv_machine *sm)
{
	/* all it shows is fixed but the generation, which is atomic: the
	 * list never waits for a machine in use */
	return json_pack("{s:s, s:s, s:o, s:I, s:s+}", "id", sm->id, "name",
			 sm->name, "created", srv_time_json(sm->created),
			 "generation", (json_int_t)sm->generation, "url",
			 "/v1/machines/", sm->id);
}

void h_list(struct srv_call *c)
{
	const char *who = c->req->query(c->req->ctx, "owner");
	struct srv_machine **v;
	json_t *arr, **owners = NULL;
	size_t n;

	if (!c->token) {
		resp_header(c, "WWW-Authenticate", "Bearer");
		resp_problem(c, 401, "token-required", "listing machines needs "
			     "a token: Authorization: Bearer TOKEN (the token "
			     "POST /v1/machines gave you)");
		return;
	}
	if (who && !c->instructor) {
		resp_problem(c, 403, "instructor-only", "?owner= picks one "
			     "owner's machines from every machine, which only "
			     "the instructor token lists; leave it out to list "
			     "your own");
		return;
	}
	v = reg_list(&c->s->reg, c->token, c->instructor, &n);
	if (c->instructor)
		owners = owners_json(c->s, v, n);
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o;

		if (who && !owner_matches(owners[i], v[i], who))
			continue;
		o = list_entry(v[i]);
		if (owners)
			instructor_fields(c, o, v[i], owners[i]);
		json_array_append_new(arr, o);
	}
	for (size_t i = 0; owners && i < n; i++)
		json_decref(owners[i]);
	free(owners);
	reg_put_all(&c->s->reg, v, n);
	resp_json(c, 200, json_pack("{s:o}", "machines", arr));
}

/* The body's "name", taken out of what the model's config parser sees. */
static bool take_name(struct srv_call *c, char *name, size_t len)
{
	json_t *v = json_object_get(c->body, "name");

	name[0] = '\0';
	if (!v)
		return true;
	if (!json_is_string(v) || json_string_length(v) >= len) {
		resp_problem(c, 400, "bad-config", "name must be a string of "
			     "at most %zu characters", len - 1);
		return false;
	}
	snprintf(name, len, "%s", json_string_value(v));
	json_object_del(c->body, "name");
	return true;
}

/* The owner token of a new machine or exercise: the caller's when this
 * server gave it out (one student, several machines), else a fresh one
 * (the instructor's own never owns anything); unknown is the 401's
 * detail for a token it did not give out. */
bool call_owner_token(struct srv_call *c, char *tok, char *origin,
		      size_t len, const char *unknown)
{
	snprintf(origin, len, "%s", c->req->client ? c->req->client : "");
	if (c->token && !c->instructor) {
		/* what the token owns counts against the address that got it */
		if (!srv_token_origin(c->s, c->token, origin, len)) {
			resp_problem(c, 401, "unknown-token", "%s", unknown);
			return false;
		}
		snprintf(tok, SRV_TOKEN_HEX + 1, "%s", c->token);
		return true;
	}
	if (srv_random_hex(tok, SRV_TOKEN_HEX / 2)) {
		resp_problem(c, 500, "internal", "the system gave no random "
			     "bytes for a token; try again");
		return false;
	}
	return true;
}

static uint64_t usable_ram(const struct machine *m)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < m->e820.nr_entries; i++)
		if (m->e820.entries[i].type == E820_TYPE_RAM)
			n += m->e820.entries[i].size;
	return n;
}

/* Boot config under the server's limits: the machine, or NULL answered. */
static struct machine *boot_limited(struct srv_call *c, const json_t *config)
{
	const struct srv_options *o = &c->s->opt;
	struct mm_error err = { 0 };
	struct machine *m;

	if (srv_boot(c->s, config, &m, &err)) {
		resp_mm_error(c, &err);
		return NULL;
	}
	if (usable_ram(m) > o->max_ram) {
		resp_problem(c, 422, "over-limit", "this machine would have "
			     "%llu MiB of RAM; this server allows at most %llu "
			     "MiB per machine", (unsigned long long)(usable_ram(m) >> 20),
			     (unsigned long long)(o->max_ram >> 20));
		machine_free(m);
		return NULL;
	}
	return m;
}

/* A reset boots what was admitted at create (an exercise's machine may
 * be past --max-ram: its variant chose the RAM), under the same limits
 * of processes and VMAs. */
static struct machine *boot_again(struct srv_call *c, const json_t *config)
{
	struct mm_error err = { 0 };
	struct machine *m;

	if (srv_boot(c->s, config, &m, &err)) {
		resp_mm_error(c, &err);
		return NULL;
	}
	return m;
}

void h_create(struct srv_call *c)
{
	const struct srv_options *o = &c->s->opt;
	char name[64], tok[SRV_TOKEN_HEX + 1], origin[64];
	struct srv_machine *sm;
	struct machine *m;
	int rc;

	if (!json_is_object(c->body)) {
		resp_problem(c, 400, "bad-body", "the body must be a JSON object "
			     "of the machine's configuration, such as "
			     "{\"ram\": \"2G\", \"pae\": false}");
		return;
	}
	if (call_store_refuses(c))
		return;
	if (budget_refuses_create(c) || !take_name(c, name, sizeof(name)) ||
	    !call_owner_token(c, tok, origin, sizeof(origin), "this token "
			      "owns no machine; leave it out to get a new "
			      "one, or use the token of one of your "
			      "machines"))
		return;
	api_config_pin_boot(c->body, BOOT_BOOTED);
	if (!(m = boot_limited(c, c->body)))
		return;
	sm = srv_machine_new(m, c->body, name, tok, c->req->now_ms);
	sm->created = c->req->now_unix;
	snprintf(sm->origin, sizeof(sm->origin), "%s", origin);
	sm->fresh = !c->token || c->instructor;
	sm->host_bytes = machine_host_bytes(m);
	rc = reg_insert_from(&c->s->reg, sm, o->node, o->max_machines,
			     o->max_machines_per_token,
			     /* a machine from before addresses were kept
			      * (origin "") counts against none */
			     c->instructor || !o->max_machines_per_ip ||
			     !origin[0] ? UINT32_MAX : o->max_machines_per_ip);
	if (rc) {
		reg_put(&c->s->reg, sm);	/* never inserted: freed */
		if (rc == -3) {
			resp_problem(c, 403, "machine-quota", "the tokens "
				     "given to %s already own %u machines, the "
				     "limit per client address; DELETE one you "
				     "no longer need first (or ask the "
				     "instructor to)", origin,
				     o->max_machines_per_ip);
		} else if (rc == -1) {
			resp_header(c, "Retry-After", "60");
			resp_problem(c, 503, "server-full", "the server already "
				     "holds %u machines, its limit; delete one "
				     "you no longer need or try later",
				     o->max_machines);
		} else {
			resp_problem(c, 403, "machine-quota", "this token already "
				     "owns %u machines, the limit per token; "
				     "DELETE one first", o->max_machines_per_token);
		}
		return;
	}
	atomic_fetch_add(&c->s->metrics.machines_created, 1);
	pthread_mutex_lock(&sm->lock);
	resp_header(c, "Location", "/v1/machines/%s", sm->id);
	resp_json(c, 201, machine_json(sm, true));
	if (c->s->journal) {
		journal_create(c->s->journal, &c->resp->ticket, sm);
		journal_submit(c->s->journal, c->resp->ticket);
	}
	pthread_mutex_unlock(&sm->lock);
	reg_put(&c->s->reg, sm);
}

void h_get(struct srv_call *c)
{
	struct srv_machine *sm = call_machine(c, false);

	if (!sm)
		return;
	if (!not_modified(c, sm))
		resp_json(c, 200, machine_json(sm, false));
	call_machine_done(c, sm);
}

/* The machine's owner, or the instructor (who may clear out machines
 * but change none). */
void h_delete(struct srv_call *c)
{
	struct srv_machine *sm = lookup(c, true, true);

	if (!sm)
		return;
	if (c->s->journal)
		journal_delete(c->s->journal, &c->resp->ticket, sm);
	reg_remove(&c->s->reg, sm);
	c->resp->status = 204;
	call_machine_done(c, sm);
}

/* The owner, or the instructor (a fresh start for a student's machine). */
void h_reset(struct srv_call *c)
{
	struct srv_machine *sm = lookup(c, true, true);
	struct machine *m;

	if (!sm)
		return;
	if (json_object_size(c->body)) {
		resp_problem(c, 400, "bad-body", "reset takes no arguments: it "
			     "boots the machine again from the configuration it "
			     "was created with");
	} else if ((m = boot_again(c, sm->config))) {
		machine_free(sm->m);
		sm->m = m;
		sm->generation++;
		hist_rebase(sm, NULL, 0);
		if (c->s->journal)
			journal_reset(c->s->journal, &c->resp->ticket, sm);
		resp_json(c, 200, machine_json(sm, false));
	}
	call_machine_done(c, sm);
}

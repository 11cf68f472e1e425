/*
 * budget.c - refusing work when the host memory it would take is spent.
 * See budget.h.
 */
#include "budget.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "handlers.h"
#include "machine.h"

#define KIB(x)	((unsigned long long)((x) >> 10))
#define MIB(x)	((double)(x) / (1 << 20))

static uint64_t cached_bytes(const struct srv_machine *sm)
{
	uint64_t n = 0;

	for (int i = 0; i < SRV_CACHED_ANSWERS; i++)
		n += sm->cache[i].len;
	return n;
}

/* What the server holds for sm: the model, its cached answers, and its
 * history (results and a base snapshot). */
static uint64_t machine_bytes(struct srv_machine *sm)
{
	sm->counted_gen = sm->generation;
	sm->counted_cache = cached_bytes(sm);
	return machine_host_bytes(sm->m) + sm->counted_cache +
	       hist_bytes(&sm->hist);
}

void budget_account(struct srv *s, struct srv_machine *sm)
{
	reg_account(&s->reg, sm, machine_bytes(sm));
}

void budget_note(struct srv *s, struct srv_machine *sm)
{
	/* a read changes neither: no need to count (or take a lock) */
	if (sm->counted_gen != sm->generation ||
	    sm->counted_cache != cached_bytes(sm))
		budget_account(s, sm);
}

/* The server's total: the machines, and the answers being sent. */
static uint64_t server_bytes(struct srv *s)
{
	return reg_host_bytes(&s->reg, NULL, 0) + atomic_load(&s->answer_bytes);
}

/* Operations that only give back: a machine over budget may run them. */
static bool releases(const char *op)
{
	static const char *const ops[] = {
		"free_pages", "kunmap", "kunmap_local", "kunmap_atomic",
		"exit", "munmap", "kfree", "kmem_cache_free",
		"kmem_cache_destroy", "vfree", "vunmap", "iounmap",
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(ops[i], op))
			return true;
	return false;
}

/* The 507 problem: used bytes over limit, detail as printf formats it. */
static json_t *problem_of(const char *op, uint64_t used, uint64_t limit,
			  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static json_t *problem_of(const char *op, uint64_t used, uint64_t limit,
			  const char *fmt, ...)
{
	char detail[400];
	va_list ap;
	json_t *p;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	p = srv_problem(507, "host-memory", "%s", detail);
	json_object_set_new(p, "used", json_integer((json_int_t)used));
	json_object_set_new(p, "limit", json_integer((json_int_t)limit));
	if (op)
		json_object_set_new(p, "operation", json_string(op));
	return p;
}

bool budget_refuses(struct srv_call *c, struct srv_machine *sm,
		    const char *op, json_t **problem)
{
	const struct srv_options *o = &c->s->opt;
	uint64_t mine, all;

	if (!api_op_mutates(op) || releases(op))
		return false;
	/* counted now, so the previous operation of a batch counts too */
	mine = machine_bytes(sm);
	reg_account(&c->s->reg, sm, mine);
	all = server_bytes(c->s);
	if (mine > o->max_host_machine) {
		*problem = problem_of(op, mine, o->max_host_machine,
			"this machine holds %llu KiB of host memory, over the "
			"%llu KiB this server allows one machine, so %s was not "
			"run; give memory back (free_pages, kfree, vfree, munmap, "
			"exit processes) or reset the machine "
			"(POST /v1/machines/%s/reset)",
			KIB(mine), KIB(o->max_host_machine), op, sm->id);
		return true;
	}
	if (all > o->max_host_total) {
		*problem = problem_of(op, all, o->max_host_total,
			"the machines of this server and the answers it is "
			"sending hold %.1f MiB of host memory, over its budget "
			"of %.1f MiB, so %s was not run; give memory back "
			"(free_pages, kfree, vfree, munmap, exit processes), "
			"reset or delete machines you no longer need, or try "
			"later", MIB(all), MIB(o->max_host_total), op);
		return true;
	}
	return false;
}

bool budget_refuses_rebuild(struct srv_call *c, struct srv_machine *sm,
			    json_t **problem)
{
	const struct srv_options *o = &c->s->opt;
	uint64_t copy = machine_host_bytes(sm->m), all = server_bytes(c->s);

	if (all + copy <= o->max_host_total)
		return false;
	*problem = problem_of(NULL, all + copy, o->max_host_total,
		"building machine %s as it was would take %llu KiB more host "
		"memory, and the machines of this server already hold %.1f MiB "
		"of its budget of %.1f MiB; try later, or give memory back",
		sm->id, KIB(copy), MIB(all), MIB(o->max_host_total));
	return true;
}

bool budget_refuses_create(struct srv_call *c)
{
	const struct srv_options *o = &c->s->opt;
	uint64_t all = server_bytes(c->s);

	if (all <= o->max_host_total)
		return false;
	resp_header(c, "Retry-After", "60");
	resp_problem_obj(c, 507, problem_of(NULL, all, o->max_host_total,
		"the machines of this server and the answers it is sending "
		"hold %.1f MiB of host memory, over its budget of %.1f MiB, so "
		"no machine can be created now; delete machines you no longer "
		"need, or try later", MIB(all), MIB(o->max_host_total)));
	return true;
}

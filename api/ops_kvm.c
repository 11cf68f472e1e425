/*
 * ops_kvm.c - kernel virtual memory operations: translate an address
 * through the page tables (the kernel's, or a process's) with every step
 * shown, and read or write bytes through a kernel virtual address or a
 * physical one.
 */
#include "api.h"
#include "api_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgtable.h"

#define RW_MAX 4096	/* bytes one read or write may move */

static int bad_arg(struct mm_error *err, const char *field, const char *msg)
{
	return mm_fail(err, MM_EINVAL, "bad-argument", field, "%s", msg);
}

static json_t *flag_names(uint64_t e, bool pae, bool large_level)
{
	static const struct { uint64_t bit; const char *name; } bits[] = {
		{ _PAGE_PRESENT, "P" }, { _PAGE_RW, "RW" }, { _PAGE_USER, "US" },
		{ _PAGE_PWT, "PWT" }, { _PAGE_PCD, "PCD" },
		{ _PAGE_ACCESSED, "A" }, { _PAGE_DIRTY, "D" },
		{ _PAGE_PSE, "PS" }, { _PAGE_GLOBAL, "G" }, { _PAGE_NX, "NX" },
	};
	json_t *a = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
		if (!(e & bits[i].bit) || (bits[i].bit == _PAGE_NX && !pae))
			continue;
		/* bit 7 is PS in a directory entry, PAT in a PTE */
		if (bits[i].bit == _PAGE_PSE && !large_level)
			json_array_append_new(a, json_string_nocheck("PAT"));
		else
			json_array_append_new(a,
					      json_string_nocheck(bits[i].name));
	}
	return a;
}

/*
 * The objects of a walk are built field by field rather than with
 * json_pack: a translate is the read a class repeats most, and parsing
 * the format string of every step cost as much as the step.  The keys
 * are ASCII literals, so jansson need not check them (_nocheck).
 */
#define SET(o, k, v) json_object_set_new_nocheck((o), (k), (v))

static json_t *step_json(const struct machine *m, const struct pt_step *s)
{
	bool dir_level = strcmp(s->level, "pte") != 0;
	json_t *o = json_object();

	SET(o, "level", json_string(s->level));
	SET(o, "table", api_hex(s->table));
	SET(o, "index", json_integer((int)s->index));
	SET(o, "entry_addr", api_hex(s->entry_addr));
	SET(o, "entry", api_hex(s->entry));
	SET(o, "flags", flag_names(s->entry, m->config.pae, dir_level));
	SET(o, "present", json_boolean(s->present));
	SET(o, "leaf", json_boolean(s->leaf));
	return o;
}

static json_t *fault_json(const struct pt_walk *w)
{
	static const struct { uint32_t bit; const char *name; } bits[] = {
		{ X86_PF_PROT, "PROT" }, { X86_PF_WRITE, "WRITE" },
		{ X86_PF_USER, "USER" }, { X86_PF_RSVD, "RSVD" },
		{ X86_PF_INSTR, "INSTR" },
	};
	json_t *names = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(bits); i++)
		if (w->error_code & bits[i].bit)
			json_array_append_new(names, json_string(bits[i].name));
	return json_pack("{s:o, s:o, s:s, s:s}",
		"error_code", api_hex(w->error_code), "bits", names,
		"level", w->step[w->fault_step].level, "reason", w->reason);
}

/* How the address splits into the indexes each level uses. */
static json_t *split_json(const struct machine *m, vaddr_t va)
{
	json_t *o = json_object();
	bool pae = m->config.pae;

	SET(o, "pgd", json_integer((int)(va >> (pae ? 30 : 22))));
	if (pae)
		SET(o, "pmd", json_integer((int)((va >> 21) & 511)));
	SET(o, "pte", json_integer((int)((va >> 12) & (pae ? 511 : 1023))));
	SET(o, "offset", api_hex(va & 0xfff));
	return o;
}

json_t *api_walk_json(const struct machine *m, const struct pt_walk *w)
{
	json_t *steps = json_array(), *r = json_object();

	for (unsigned i = 0; i < w->nsteps; i++)
		json_array_append_new(steps, step_json(m, &w->step[i]));
	SET(r, "addr", api_hex(w->va));
	SET(r, "region", api_region_json(m, w->va));
	SET(r, "cr3", api_hex(w->cr3));
	SET(r, "split", split_json(m, w->va));
	SET(r, "steps", steps);
	SET(r, "ok", json_boolean(w->ok));
	if (w->ok) {
		SET(r, "phys", api_hex(w->pa));
		SET(r, "page_size", json_integer(1 << w->page_shift));
	} else {
		SET(r, "fault", fault_json(w));
	}
	/* __pa(): the shortcut the kernel takes for the linear map */
	if (w->va >= m->layout.page_offset && w->va < m->layout.high_memory)
		SET(r, "linear_pa", api_hex(layout_pa(&m->layout, w->va)));
	return r;
}

static int get_access(const json_t *args, enum pt_access *acc, bool *user,
		      struct mm_error *err)
{
	const char *a = json_string_value(json_object_get(args, "access"));
	const char *mode = json_string_value(json_object_get(args, "mode"));

	*acc = ACCESS_READ;
	*user = false;
	if (json_object_get(args, "access")) {
		if (!a || (strcmp(a, "read") && strcmp(a, "write") &&
			   strcmp(a, "exec")))
			return bad_arg(err, "access",
				       "access must be \"read\", \"write\" or \"exec\"");
		*acc = !strcmp(a, "write") ? ACCESS_WRITE :
		       !strcmp(a, "exec") ? ACCESS_EXEC : ACCESS_READ;
	}
	if (json_object_get(args, "mode")) {
		if (!mode || (strcmp(mode, "kernel") && strcmp(mode, "user")))
			return bad_arg(err, "mode",
				       "mode must be \"kernel\" or \"user\"");
		*user = !strcmp(mode, "user");
	}
	return MM_OK;
}

/*
 * translate {addr, access = read, mode, pid}: the MMU's walk, every step
 * shown, and the fault it would raise; nothing changes (no fault is
 * handled).  Without pid the walk starts at swapper_pg_dir in kernel
 * mode; with pid it starts at that process's CR3 and the mode defaults
 * to user, as the process's own access would run (with PAE, PTI gives
 * user mode the user half of the pgd).
 */
static int op_translate(struct machine *m, const json_t *args,
			json_t **result, struct mm_error *err)
{
	const struct process *p = NULL;
	enum pt_access acc;
	struct pt_walk w;
	uint32_t pid = 0;
	bool user;
	vaddr_t va = 0;
	int rc;

	if ((rc = api_arg_vaddr("translate", args, "addr", true, &va, err)) ||
	    (rc = get_access(args, &acc, &user, err)))
		return rc;
	if (json_object_get(args, "pid")) {
		if ((rc = api_arg_pid("translate", args, &pid, err)))
			return rc;
		if (!(p = mm_find(m, pid, err)))
			return err->kind;
		if (!json_object_get(args, "mode"))
			user = true;
	}
	pt_walk(m, p ? mm_cr3(m, p, user) : m->swapper_pg_dir, va, acc, user,
		&w);
	*result = api_walk_json(m, &w);
	if (p) {
		json_object_set_new(*result, "pid", json_integer(pid));
		json_object_set_new(*result, "mode",
				    json_string(user ? "user" : "kernel"));
	}
	return MM_OK;
}

/*
 * Where the bytes of [addr, addr+len) live: a physical address, or the
 * addresses behind a virtual one, page by page.  A fault is an error
 * here: the kernel would oops on it.
 */
static int resolve(struct machine *m, const json_t *args, enum pt_access acc,
		   uint64_t len, phys_addr_t *pa_out, uint64_t off,
		   struct mm_error *err)
{
	uint64_t v;
	struct pt_walk w;

	if (json_object_get(args, "phys")) {
		if (api_get_u64(json_object_get(args, "phys"), &v) ||
		    !range_fits(v, len, PHYS_LIMIT))
			return bad_arg(err, "phys", "phys and the length must "
				       "give a range below 64 GiB (36-bit "
				       "physical addresses)");
		*pa_out = v + off;
		return MM_OK;
	}
	if (api_get_u64(json_object_get(args, "addr"), &v) ||
	    !range_fits(v, len, SZ_4G))
		return bad_arg(err, "addr", "give addr (a kernel virtual "
			       "address) or phys, and a range inside 4 GiB");
	pt_walk(m, m->swapper_pg_dir, (vaddr_t)(v + off), acc, false, &w);
	if (!w.ok)
		return mm_fail(err, MM_EIMPOSSIBLE, "page-fault", "addr",
			       "kernel %s at 0x%08x faults: %s (error code "
			       "0x%x); translate it to see the walk",
			       acc == ACCESS_WRITE ? "write" : "read",
			       (uint32_t)(v + off), w.reason, w.error_code);
	*pa_out = w.pa;
	return MM_OK;
}

static int get_len(const json_t *args, uint64_t *len, struct mm_error *err)
{
	if (api_get_u64(json_object_get(args, "len"), len) || !*len ||
	    *len > RW_MAX)
		return bad_arg(err, "len", "len must be 1 to 4096 bytes");
	return MM_OK;
}

static int op_read(struct machine *m, const json_t *args, json_t **result,
		   struct mm_error *err)
{
	uint64_t len = 0;
	uint8_t buf[RW_MAX];
	char hex[2 * RW_MAX + 1];
	int rc;

	if ((rc = get_len(args, &len, err)))
		return rc;
	for (uint64_t off = 0; off < len;) {
		phys_addr_t pa;
		uint64_t n;

		if ((rc = resolve(m, args, ACCESS_READ, len, &pa, off, err)))
			return rc;
		n = MIN(len - off, PAGE_SIZE - (pa & (PAGE_SIZE - 1)));
		physmem_read(&m->mem, pa, buf + off, n);
		off += n;
	}
	for (uint64_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", buf[i]);
	*result = json_pack("{s:s, s:I}", "hex", hex, "len", (json_int_t)len);
	return MM_OK;
}

/* Check the whole range first, so a fault halfway writes nothing. */
static int op_write(struct machine *m, const json_t *args, json_t **result,
		    struct mm_error *err)
{
	uint8_t buf[RW_MAX];
	size_t len = 0;
	int rc;

	if ((rc = api_arg_bytes("write", args, buf, RW_MAX, &len, err)))
		return rc;
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t off = 0; off < len;) {
			phys_addr_t pa;
			uint64_t n;

			if ((rc = resolve(m, args, ACCESS_WRITE, len, &pa, off,
					  err)))
				return rc;
			n = MIN(len - off, PAGE_SIZE - (pa & (PAGE_SIZE - 1)));
			if (pass)
				physmem_write(&m->mem, pa, buf + off, n);
			off += n;
		}
	}
	*result = json_pack("{s:I}", "written", (json_int_t)len);
	return MM_OK;
}

static const char *const translate_args[] = { "addr", "access", "mode", "pid",
					       NULL };
static const char *const read_args[] = { "addr", "phys", "len", NULL };
static const char *const write_args[] = { "addr", "phys", "hex", "text", NULL };

const struct api_op_def api_ops_kvm[] = {
	{ "translate", false, translate_args, op_translate },
	{ "read", false, read_args, op_read },
	{ "write", true, write_args, op_write },
	{ NULL, false, NULL, NULL },
};

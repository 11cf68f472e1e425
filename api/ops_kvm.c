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

/* The names of e's flag bits, in the order answers list them: their
 * count.  Bit 7 is PS in a directory entry, PAT in a PTE. */
static size_t flag_list(uint64_t e, bool pae, bool large_level,
			const char *names[10])
{
	static const struct { uint64_t bit; const char *name; } bits[] = {
		{ _PAGE_PRESENT, "P" }, { _PAGE_RW, "RW" }, { _PAGE_USER, "US" },
		{ _PAGE_PWT, "PWT" }, { _PAGE_PCD, "PCD" },
		{ _PAGE_ACCESSED, "A" }, { _PAGE_DIRTY, "D" },
		{ _PAGE_PSE, "PS" }, { _PAGE_GLOBAL, "G" }, { _PAGE_NX, "NX" },
	};
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
		if (!(e & bits[i].bit) || (bits[i].bit == _PAGE_NX && !pae))
			continue;
		names[n++] = bits[i].bit == _PAGE_PSE && !large_level
			     ? "PAT" : bits[i].name;
	}
	return n;
}

static json_t *flag_names(uint64_t e, bool pae, bool large_level)
{
	const char *names[10];
	size_t n = flag_list(e, pae, large_level, names);
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string_nocheck(names[i]));
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

/* The names of a fault's error-code bits: their count. */
static size_t fault_bits(uint32_t code, const char *names[5])
{
	static const struct { uint32_t bit; const char *name; } bits[] = {
		{ X86_PF_PROT, "PROT" }, { X86_PF_WRITE, "WRITE" },
		{ X86_PF_USER, "USER" }, { X86_PF_RSVD, "RSVD" },
		{ X86_PF_INSTR, "INSTR" },
	};
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bits); i++)
		if (code & bits[i].bit)
			names[n++] = bits[i].name;
	return n;
}

static json_t *fault_json(const struct pt_walk *w)
{
	const char *bits[5];
	size_t n = fault_bits(w->error_code, bits);
	json_t *names = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(names, json_string(bits[i]));
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

/*
 * The same answers as compact JSON text, written straight from the walk
 * (api_op_write): field for field what the functions above build, in
 * their order, so the bytes are those jansson would dump of them.
 */
static void names_write(struct strbuf *sb, const char *const *names,
			size_t n)
{
	jt_raw(sb, "[");
	for (size_t i = 0; i < n; i++) {
		jt_raw(sb, i ? "," : "");
		jt_str(sb, names[i]);
	}
	jt_raw(sb, "]");
}

static void step_write(struct strbuf *sb, const struct machine *m,
		       const struct pt_step *s)
{
	const char *flags[10];
	size_t n = flag_list(s->entry, m->config.pae,
			     strcmp(s->level, "pte") != 0, flags);

	jt_raw(sb, "{\"level\":");
	jt_str(sb, s->level);
	jt_raw(sb, ",\"table\":");
	jt_hex(sb, s->table);
	jt_raw(sb, ",\"index\":");
	jt_int(sb, (int)s->index);
	jt_raw(sb, ",\"entry_addr\":");
	jt_hex(sb, s->entry_addr);
	jt_raw(sb, ",\"entry\":");
	jt_hex(sb, s->entry);
	jt_raw(sb, ",\"flags\":");
	names_write(sb, flags, n);
	jt_raw(sb, ",\"present\":");
	jt_bool(sb, s->present);
	jt_raw(sb, ",\"leaf\":");
	jt_bool(sb, s->leaf);
	jt_raw(sb, "}");
}

static void fault_write(struct strbuf *sb, const struct pt_walk *w)
{
	const char *bits[5];
	size_t n = fault_bits(w->error_code, bits);

	jt_raw(sb, "{\"error_code\":");
	jt_hex(sb, w->error_code);
	jt_raw(sb, ",\"bits\":");
	names_write(sb, bits, n);
	jt_raw(sb, ",\"level\":");
	jt_str(sb, w->step[w->fault_step].level);
	jt_raw(sb, ",\"reason\":");
	jt_str(sb, w->reason);
	jt_raw(sb, "}");
}

static void split_write(struct strbuf *sb, const struct machine *m,
			vaddr_t va)
{
	bool pae = m->config.pae;

	jt_raw(sb, "{\"pgd\":");
	jt_int(sb, (int)(va >> (pae ? 30 : 22)));
	if (pae) {
		jt_raw(sb, ",\"pmd\":");
		jt_int(sb, (int)((va >> 21) & 511));
	}
	jt_raw(sb, ",\"pte\":");
	jt_int(sb, (int)((va >> 12) & (pae ? 511 : 1023)));
	jt_raw(sb, ",\"offset\":");
	jt_hex(sb, va & 0xfff);
	jt_raw(sb, "}");
}

/* api_walk_json's object without its closing brace: a caller may add. */
static void walk_write(struct strbuf *sb, const struct machine *m,
		       const struct pt_walk *w)
{
	jt_raw(sb, "{\"addr\":");
	jt_hex(sb, w->va);
	jt_raw(sb, ",\"region\":");
	api_region_write(sb, m, w->va);
	jt_raw(sb, ",\"cr3\":");
	jt_hex(sb, w->cr3);
	jt_raw(sb, ",\"split\":");
	split_write(sb, m, w->va);
	jt_raw(sb, ",\"steps\":[");
	for (unsigned i = 0; i < w->nsteps; i++) {
		jt_raw(sb, i ? "," : "");
		step_write(sb, m, &w->step[i]);
	}
	jt_raw(sb, "],\"ok\":");
	jt_bool(sb, w->ok);
	if (w->ok) {
		jt_raw(sb, ",\"phys\":");
		jt_hex(sb, w->pa);
		jt_raw(sb, ",\"page_size\":");
		jt_int(sb, 1 << w->page_shift);
	} else {
		jt_raw(sb, ",\"fault\":");
		fault_write(sb, w);
	}
	if (w->va >= m->layout.page_offset && w->va < m->layout.high_memory) {
		jt_raw(sb, ",\"linear_pa\":");
		jt_hex(sb, layout_pa(&m->layout, w->va));
	}
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
/* translate's arguments checked and its walk made; *pid is 0 unless
 * *of_process. */
static int translate_walk(struct machine *m, const json_t *args,
			  struct pt_walk *w, uint32_t *pid, bool *user,
			  bool *of_process, struct mm_error *err)
{
	const struct process *p = NULL;
	enum pt_access acc;
	vaddr_t va = 0;
	int rc;

	*pid = 0;
	if ((rc = api_arg_vaddr("translate", args, "addr", true, &va, err)) ||
	    (rc = get_access(args, &acc, user, err)))
		return rc;
	if (json_object_get(args, "pid")) {
		if ((rc = api_arg_pid("translate", args, pid, err)))
			return rc;
		if (!(p = mm_find(m, *pid, err)))
			return err->kind;
		if (!json_object_get(args, "mode"))
			*user = true;
	}
	*of_process = p != NULL;
	pt_walk(m, p ? mm_cr3(m, p, *user) : m->swapper_pg_dir, va, acc,
		*user, w);
	return MM_OK;
}

static int op_translate(struct machine *m, const json_t *args,
			json_t **result, struct mm_error *err)
{
	struct pt_walk w;
	uint32_t pid;
	bool user, of_process;
	int rc;

	if ((rc = translate_walk(m, args, &w, &pid, &user, &of_process, err)))
		return rc;
	*result = api_walk_json(m, &w);
	if (of_process) {
		json_object_set_new(*result, "pid", json_integer(pid));
		json_object_set_new(*result, "mode",
				    json_string(user ? "user" : "kernel"));
	}
	return MM_OK;
}

int api_write_translate(struct machine *m, const json_t *args,
			struct strbuf *out, struct mm_error *err)
{
	struct pt_walk w;
	uint32_t pid;
	bool user, of_process;
	int rc;

	if ((rc = translate_walk(m, args, &w, &pid, &user, &of_process, err)))
		return rc;
	walk_write(out, m, &w);
	if (of_process) {
		jt_raw(out, ",\"pid\":");
		jt_int(out, pid);
		jt_raw(out, user ? ",\"mode\":\"user\"" : ",\"mode\":\"kernel\"");
	}
	jt_raw(out, "}");
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

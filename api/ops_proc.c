/*
 * ops_proc.c - processes: create, fork, exit, the memory system calls,
 * a process's accesses with the MMU walk and the fault handler's answer,
 * user copies, the list of processes, and the per-process reports
 * (maps, status, pagemap, page tables).
 *
 *   processes {} -> {count, max_processes, processes: [{pid, ppid, comm,
 *       rss, rss_anon, rss_file, rss_shmem (pages), vm_pages, vmas, pgd,
 *       page_tables, oom_score_adj}]}
 */
#include "api.h"
#include "api_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page_alloc.h"
#include "pgtable.h"

#define UACCESS_MAX 4096

static int bad_arg(struct mm_error *err, const char *field, const char *msg)
{
	return mm_fail(err, MM_EINVAL, "bad-argument", field, "%s", msg);
}

static int arg_u32(const json_t *args, const char *name, bool required,
		   uint64_t max, uint64_t *out, struct mm_error *err)
{
	const json_t *v = json_object_get(args, name);
	char msg[128];

	*out = 0;
	if (!v && !required)
		return MM_OK;
	if (api_get_u64(v, out) || *out > max) {
		snprintf(msg, sizeof(msg), "%s must be a number up to 0x%llx",
			 name, (unsigned long long)max);
		return bad_arg(err, name, msg);
	}
	return MM_OK;
}

struct flag_name { const char *name; uint32_t bit; };

/* "PROT_READ|PROT_WRITE", a number, or "" / "PROT_NONE". */
static int arg_flags(const json_t *args, const char *name,
		     const struct flag_name *tab, uint32_t *out,
		     struct mm_error *err)
{
	const json_t *v = json_object_get(args, name);
	const char *s;
	char buf[256], *tok, *save;
	uint64_t n;

	*out = 0;
	if (!v)
		return MM_OK;
	if (!api_get_u64(v, &n) && n <= UINT32_MAX) {
		*out = (uint32_t)n;
		return MM_OK;
	}
	if (!(s = json_string_value(v)) || strlen(s) >= sizeof(buf))
		return bad_arg(err, name, "give the flags as a number or as "
			       "names joined by '|'");
	strcpy(buf, s);
	for (tok = strtok_r(buf, "| ", &save); tok;
	     tok = strtok_r(NULL, "| ", &save)) {
		const struct flag_name *f = tab;

		while (f->name && strcmp(f->name, tok))
			f++;
		if (!f->name) {
			char msg[200];

			snprintf(msg, sizeof(msg), "unknown flag \"%.60s\" in "
				 "%s", tok, name);
			return bad_arg(err, name, msg);
		}
		*out |= f->bit;
	}
	return MM_OK;
}

static const struct flag_name prot_names[] = {
	{ "PROT_NONE", 0 }, { "PROT_READ", PROT_READ },
	{ "PROT_WRITE", PROT_WRITE }, { "PROT_EXEC", PROT_EXEC },
	{ NULL, 0 },
};

static const struct flag_name map_names[] = {
	{ "MAP_SHARED", MAP_SHARED }, { "MAP_PRIVATE", MAP_PRIVATE },
	{ "MAP_FIXED", MAP_FIXED }, { "MAP_ANONYMOUS", MAP_ANONYMOUS },
	{ "MAP_ANON", MAP_ANONYMOUS },
	{ "MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE },
	{ NULL, 0 },
};

static json_t *text_result(const struct strbuf *sb)
{
	const char *t = sb->buf ? sb->buf : "";

	return json_pack("{s:s, s:o}", "text", t, "lines",
			 api_text_lines(t, false));
}

static json_t *proc_summary(const struct machine *m, uint32_t pid)
{
	const struct process *p = mm_find_const(m, pid);
	struct strbuf sb = { 0 };
	json_t *r;

	if (!p)
		return json_null();
	proc_pid_maps(m, p, &sb);
	r = json_pack("{s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"pid", (int)p->pid, "ppid", (int)p->ppid,
		"pgd", api_hex(p->pgd),
		"mmap_base", api_hex(p->mmap_base),
		"start_brk", api_hex(p->start_brk), "brk", api_hex(p->brk),
		"start_stack", api_hex(p->start_stack),
		"page_tables", json_integer(p->nr_ptes + p->nr_pmds),
		"maps", api_text_lines(sb.buf ? sb.buf : "", false));
	sb_free(&sb);
	return r;
}

static int op_process_create(struct machine *m, const json_t *args,
			     json_t **result, struct mm_error *err)
{
	uint32_t pid;
	int rc;

	(void)args;
	if ((rc = process_create(m, &pid, err)))
		return rc;
	*result = proc_summary(m, pid);
	return MM_OK;
}

static int op_fork(struct machine *m, const json_t *args, json_t **result,
		   struct mm_error *err)
{
	uint32_t pid, child;
	int rc;

	if ((rc = api_arg_pid("fork", args, &pid, err)) ||
	    (rc = process_fork(m, pid, &child, err)))
		return rc;
	*result = json_pack("{s:i, s:o}", "parent", (int)pid, "child",
			    proc_summary(m, child));
	return MM_OK;
}

/* Free pages wherever they wait: the buddy lists, and the per-CPU lists
 * where most of an exit's order-0 frees stay (MemFree leaves those out). */
static uint32_t free_and_pcp_pages(const struct machine *m)
{
	uint32_t n = machine_free_pages(m);

	for (int j = 0; j < MAX_NR_ZONES; j++)
		n += zone_pcp_pages(&m->pgdat, j);
	return n;
}

static int op_exit(struct machine *m, const json_t *args, json_t **result,
		   struct mm_error *err)
{
	uint32_t pid, before = free_and_pcp_pages(m);
	int rc;

	if ((rc = api_arg_pid("exit", args, &pid, err)) ||
	    (rc = process_exit(m, pid, err)))
		return rc;
	*result = json_pack("{s:i, s:i}", "pid", (int)pid, "pages_freed",
			    (int)(free_and_pcp_pages(m) - before));
	return MM_OK;
}

static int op_mmap(struct machine *m, const json_t *args, json_t **result,
		   struct mm_error *err)
{
	uint32_t pid, prot, flags;
	vaddr_t addr;
	uint64_t len;
	vaddr_t out;
	int rc;

	if ((rc = api_arg_pid("mmap", args, &pid, err)) ||
	    (rc = api_arg_vaddr("mmap", args, "addr", false, &addr, err)) ||
	    (rc = arg_u32(args, "len", true, UINT32_MAX, &len, err)) ||
	    (rc = arg_flags(args, "prot", prot_names, &prot, err)) ||
	    (rc = arg_flags(args, "flags", map_names, &flags, err)))
		return rc;
	if (!json_object_get(args, "flags"))
		flags = MAP_PRIVATE | MAP_ANONYMOUS;
	if (!json_object_get(args, "prot"))
		prot = PROT_READ | PROT_WRITE;
	if ((rc = sys_mmap(m, pid, addr, len, prot, flags, &out,
			   err)))
		return rc;
	*result = json_pack("{s:o, s:o}", "addr", api_hex(out), "process",
			    proc_summary(m, pid));
	return MM_OK;
}

static int op_munmap(struct machine *m, const json_t *args, json_t **result,
		     struct mm_error *err)
{
	uint32_t pid;
	vaddr_t addr;
	uint64_t len;
	int rc;

	if ((rc = api_arg_pid("munmap", args, &pid, err)) ||
	    (rc = api_arg_vaddr("munmap", args, "addr", true, &addr, err)) ||
	    (rc = arg_u32(args, "len", true, UINT32_MAX, &len, err)) ||
	    (rc = sys_munmap(m, pid, addr, len, err)))
		return rc;
	*result = proc_summary(m, pid);
	return MM_OK;
}

static int op_mprotect(struct machine *m, const json_t *args,
		       json_t **result, struct mm_error *err)
{
	uint32_t pid, prot;
	vaddr_t addr;
	uint64_t len;
	int rc;

	if ((rc = api_arg_pid("mprotect", args, &pid, err)) ||
	    (rc = api_arg_vaddr("mprotect", args, "addr", true, &addr, err)) ||
	    (rc = arg_u32(args, "len", true, UINT32_MAX, &len, err)) ||
	    (rc = arg_flags(args, "prot", prot_names, &prot, err)) ||
	    (rc = sys_mprotect(m, pid, addr, len, prot, err)))
		return rc;
	*result = proc_summary(m, pid);
	return MM_OK;
}

static int op_brk(struct machine *m, const json_t *args, json_t **result,
		  struct mm_error *err)
{
	uint32_t pid;
	vaddr_t addr, out;
	int rc;

	if ((rc = api_arg_pid("brk", args, &pid, err)) ||
	    (rc = api_arg_vaddr("brk", args, "addr", false, &addr, err)) ||
	    (rc = sys_brk(m, pid, addr, &out, err)))
		return rc;
	*result = json_pack("{s:o, s:o}", "brk", api_hex(out), "process",
			    proc_summary(m, pid));
	return MM_OK;
}

static int get_mode(const json_t *args, int *acc, bool *user,
		    struct mm_error *err)
{
	const char *a = json_string_value(json_object_get(args, "access"));
	const char *mode = json_string_value(json_object_get(args, "mode"));

	*acc = ACCESS_READ;
	*user = true;
	if (json_object_get(args, "access")) {
		if (!a || (strcmp(a, "read") && strcmp(a, "write") &&
			   strcmp(a, "exec")))
			return bad_arg(err, "access", "access must be \"read\", "
				       "\"write\" or \"exec\"");
		*acc = !strcmp(a, "write") ? ACCESS_WRITE :
		       !strcmp(a, "exec") ? ACCESS_EXEC : ACCESS_READ;
	}
	if (json_object_get(args, "mode")) {
		if (!mode || (strcmp(mode, "kernel") && strcmp(mode, "user")))
			return bad_arg(err, "mode", "mode must be \"user\" "
				       "(default) or \"kernel\"");
		*user = !strcmp(mode, "user");
	}
	return MM_OK;
}

static const char *outcome_name(enum fault_outcome o)
{
	static const char *const n[] = {
		"none", "handled", "SIGSEGV", "SIGBUS", "EFAULT", "oops",
		"out-of-memory",
	};
	return n[o];
}

static int op_access(struct machine *m, const json_t *args, json_t **result,
		     struct mm_error *err)
{
	struct pt_walk w1, w2;
	struct fault_result fr;
	uint32_t pid;
	vaddr_t addr;
	int acc, rc;
	bool user;
	json_t *r, *h;

	if ((rc = api_arg_pid("access", args, &pid, err)) ||
	    (rc = api_arg_vaddr("access", args, "addr", true, &addr, err)) ||
	    (rc = get_mode(args, &acc, &user, err)) ||
	    (rc = mm_access(m, pid, addr, acc, user, &w1, &w2, &fr,
			    err)))
		return rc;
	r = json_pack("{s:i, s:o, s:s, s:o}", "pid", (int)pid,
		      "addr", api_hex(addr), "outcome", outcome_name(fr.outcome),
		      "walk", api_walk_json(m, &w1));
	if (fr.outcome != FAULT_NONE) {
		/* error_code: the fault the handler answered last (an
		 * access may fault twice: an NX fetch from a page the
		 * first fault mapped) */
		h = json_pack("{s:o, s:s, s:i, s:i, s:b, s:b, s:b, s:b}",
			"error_code", api_hex(fr.error_code),
			"action", fr.reason,
			"frames_taken", (int)fr.frames_taken,
			"tables_added", (int)fr.tables_added,
			"zero_page", fr.zero_page, "cow_copy", fr.cow_copy,
			"cow_reuse", fr.cow_reuse,
			"vmalloc_sync", fr.vmalloc_sync);
		if (fr.stack_grew)
			json_object_set_new(h, "stack_grew", json_true());
		if (fr.nr_oom_killed) {
			json_t *k = json_array();

			for (uint32_t i = 0; i < fr.nr_oom_killed && i < 4; i++)
				json_array_append_new(k, json_integer(
					fr.oom_killed[i]));
			json_object_set_new(h, "oom_killed", k);
		}
		if (fr.frames_taken || fr.zero_page || fr.cow_reuse)
			json_object_set_new(h, "pfn", api_hex(fr.new_pfn));
		json_object_set_new(r, "fault", h);
		if (fr.outcome == FAULT_SIGSEGV)
			json_object_set_new(r, "signal", json_pack(
				"{s:s, s:s, s:o}", "signal", "SIGSEGV",
				"si_code", fr.si_code == SEGV_ACCERR ?
				"SEGV_ACCERR" : "SEGV_MAPERR",
				"si_addr", api_hex(addr)));
		if (w2.ok)
			json_object_set_new(r, "final", api_walk_json(m, &w2));
	}
	*result = r;
	return MM_OK;
}

static json_t *hex_json(const uint8_t *b, uint32_t len)
{
	char *h = xmalloc(2 * (size_t)len + 1);
	json_t *j;

	for (uint32_t i = 0; i < len; i++)
		snprintf(h + 2 * i, 3, "%02x", b[i]);
	h[2 * len] = 0;
	j = json_string(h);
	free(h);
	return j;
}

static int op_uread(struct machine *m, const json_t *args, json_t **result,
		    struct mm_error *err)
{
	uint8_t buf[UACCESS_MAX];
	uint32_t pid;
	vaddr_t addr;
	uint64_t len;
	int rc;

	if ((rc = api_arg_pid("uread", args, &pid, err)) ||
	    (rc = api_arg_vaddr("uread", args, "addr", true, &addr, err)) ||
	    (rc = arg_u32(args, "len", true, UACCESS_MAX, &len, err)))
		return rc;
	if (!len)
		return bad_arg(err, "len", "len must be 1 to 4096");
	if ((rc = mm_uaccess(m, pid, addr, buf, (uint32_t)len, false,
			     true, err)))
		return rc;
	*result = json_pack("{s:o, s:i}", "hex", hex_json(buf, (uint32_t)len),
			    "len", (int)len);
	return MM_OK;
}

static int op_uwrite(struct machine *m, const json_t *args, json_t **result,
		     struct mm_error *err)
{
	uint8_t buf[UACCESS_MAX];
	uint32_t pid;
	size_t len = 0;
	vaddr_t addr;
	int rc;

	if ((rc = api_arg_pid("uwrite", args, &pid, err)) ||
	    (rc = api_arg_vaddr("uwrite", args, "addr", true, &addr, err)) ||
	    (rc = api_arg_bytes("uwrite", args, buf, UACCESS_MAX, &len, err)) ||
	    (rc = mm_uaccess(m, pid, addr, buf, (uint32_t)len, true, true,
			     err)))
		return rc;
	*result = json_pack("{s:i}", "written", (int)len);
	return MM_OK;
}

/* The kernel side of a user copy: bytes at a kernel virtual address. */
static int kernel_bytes(struct machine *m, vaddr_t ka, uint8_t *buf,
			uint32_t len, bool write, struct mm_error *err)
{
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t off = 0; off < len;) {
			struct pt_walk w;
			vaddr_t a = ka + off;
			uint32_t n = PAGE_SIZE - (a & (PAGE_SIZE - 1));

			if (n > len - off)
				n = len - off;
			pt_walk(m, m->swapper_pg_dir, a, write ? ACCESS_WRITE :
				ACCESS_READ, false, &w);
			if (!w.ok || a < m->layout.page_offset)
				return mm_fail(err, MM_EIMPOSSIBLE, "page-fault",
					"kaddr", "the kernel address 0x%08x "
					"faults: %s", a, w.ok ? "not a kernel "
					"address" : w.reason);
			if (pass && write)
				physmem_write(&m->mem, w.pa, buf + off, n);
			else if (pass)
				physmem_read(&m->mem, w.pa, buf + off, n);
			off += n;
		}
	return MM_OK;
}

static int do_copy(struct machine *m, const json_t *args, json_t **result,
		   bool to_user, struct mm_error *err)
{
	uint8_t buf[UACCESS_MAX];
	const char *op = to_user ? "copy_to_user" : "copy_from_user";
	uint32_t pid;
	vaddr_t ua, ka;
	uint64_t len;
	int rc;

	if ((rc = api_arg_pid(op, args, &pid, err)) ||
	    (rc = api_arg_vaddr(op, args, "uaddr", true, &ua, err)) ||
	    (rc = api_arg_vaddr(op, args, "kaddr", true, &ka, err)) ||
	    (rc = arg_u32(args, "len", true, UACCESS_MAX, &len, err)))
		return rc;
	if (!len)
		return bad_arg(err, "len", "len must be 1 to 4096");
	if (!mm_find(m, pid, err))
		return err->kind;
	/* access_ok(): the user range must lie below TASK_SIZE */
	if (ua + len > m->layout.page_offset)
		return mm_fail(err, MM_EIMPOSSIBLE, "EFAULT", "uaddr",
			       "EFAULT: access_ok() refuses a user range "
			       "reaching above TASK_SIZE (0x%08x)",
			       m->layout.page_offset);
	if (to_user) {
		if ((rc = kernel_bytes(m, ka, buf, (uint32_t)len,
				       false, err)) ||
		    (rc = mm_uaccess(m, pid, ua, buf, (uint32_t)len,
				     true, false, err)))
			return rc;
	} else {
		if ((rc = mm_uaccess(m, pid, ua, buf, (uint32_t)len,
				     false, false, err)) ||
		    (rc = kernel_bytes(m, ka, buf, (uint32_t)len,
				       true, err)))
			return rc;
	}
	*result = json_pack("{s:i, s:i}", "copied", (int)len, "not_copied", 0);
	return MM_OK;
}

static int op_copy_to_user(struct machine *m, const json_t *args,
			   json_t **result, struct mm_error *err)
{
	return do_copy(m, args, result, true, err);
}

static int op_copy_from_user(struct machine *m, const json_t *args,
			     json_t **result, struct mm_error *err)
{
	return do_copy(m, args, result, false, err);
}

/* /proc/PID/oom_score_adj: -1000 (never kill) to 1000. */
static int op_oom_score_adj(struct machine *m, const json_t *args,
			    json_t **result, struct mm_error *err)
{
	const json_t *v = json_object_get(args, "value");
	struct process *p;
	uint32_t pid;
	int rc;

	if ((rc = api_arg_pid("oom_score_adj", args, &pid, err)))
		return rc;
	if (!json_is_integer(v) || json_integer_value(v) < -1000 ||
	    json_integer_value(v) > 1000)
		return bad_arg(err, "value", "value must be an integer from "
			       "-1000 to 1000 (EINVAL)");
	if (!(p = mm_find(m, pid, err)))
		return err->kind;
	p->oom_score_adj = (int)json_integer_value(v);
	*result = json_pack("{s:i, s:i}", "pid", (int)pid, "oom_score_adj",
			    p->oom_score_adj);
	return MM_OK;
}

/* The process limits: vm.max_map_count (the kernel's sysctl) and the
 * model's number of processes. */
static int op_proc_limits(struct machine *m, const json_t *args,
			  json_t **result, struct mm_error *err)
{
	uint64_t maps, procs;
	int rc;

	if ((rc = arg_u32(args, "max_map_count", false, 1u << 20, &maps,
			  err)) ||
	    (rc = arg_u32(args, "max_processes", false, 4096, &procs, err)))
		return rc;
	/* both checked before either is set: a refusal changes nothing */
	if (json_object_get(args, "max_map_count") && maps < 1)
		return bad_arg(err, "max_map_count", "max_map_count must be 1 "
			       "to 1048576");
	if (json_object_get(args, "max_processes") &&
	    (procs < m->procs.nr || procs < 1))
		return bad_arg(err, "max_processes", "max_processes must be 1 "
			       "to 4096 and at least the number of running "
			       "processes");
	if (json_object_get(args, "max_map_count"))
		m->procs.max_map_count = (uint32_t)maps;
	if (json_object_get(args, "max_processes"))
		m->procs.max_procs = (uint32_t)procs;
	*result = json_pack("{s:i, s:i, s:i}", "max_map_count",
			    (int)m->procs.max_map_count, "max_processes",
			    (int)m->procs.max_procs, "processes",
			    (int)m->procs.nr);
	return MM_OK;
}

/* --- reports ---------------------------------------------------------------------- */

static int op_maps(struct machine *m, const json_t *args, json_t **result,
		   struct mm_error *err)
{
	struct strbuf sb = { 0 };
	struct process *p;
	uint32_t pid;
	int rc;

	if ((rc = api_arg_pid("maps", args, &pid, err)))
		return rc;
	if (!(p = mm_find(m, pid, err)))
		return err->kind;
	proc_pid_maps(m, p, &sb);
	*result = text_result(&sb);
	sb_free(&sb);
	return MM_OK;
}

static int op_status(struct machine *m, const json_t *args, json_t **result,
		     struct mm_error *err)
{
	struct strbuf sb = { 0 };
	struct process *p;
	uint32_t pid;
	int rc;

	if ((rc = api_arg_pid("status", args, &pid, err)))
		return rc;
	if (!(p = mm_find(m, pid, err)))
		return err->kind;
	proc_pid_status(m, p, &sb);
	*result = text_result(&sb);
	sb_free(&sb);
	return MM_OK;
}

static int op_process_pagetables(struct machine *m, const json_t *args,
				 json_t **result, struct mm_error *err)
{
	struct strbuf sb = { 0 };
	struct process *p;
	uint32_t pid;
	int rc;

	if ((rc = api_arg_pid("process_pagetables", args, &pid, err)))
		return rc;
	if (!(p = mm_find(m, pid, err)))
		return err->kind;
	ptdump_pgd(m, p->pgd, &sb);
	*result = text_result(&sb);
	sb_free(&sb);
	return MM_OK;
}

/* /proc/PID/pagemap, decoded: one entry per page of [addr, addr+len) or
 * of every VMA. */
static int op_pagemap(struct machine *m, const json_t *args, json_t **result,
		      struct mm_error *err)
{
	static const char *const zones[] = { "DMA", "Normal", "HighMem",
					     "Movable" };
	struct process *p;
	uint32_t pid, count = 0;
	vaddr_t addr;
	uint64_t len;
	json_t *a;
	int rc;

	if ((rc = api_arg_pid("pagemap", args, &pid, err)) ||
	    (rc = api_arg_vaddr("pagemap", args, "addr", false, &addr, err)) ||
	    (rc = arg_u32(args, "len", false, UINT32_MAX, &len, err)))
		return rc;
	if (!(p = mm_find(m, pid, err)))
		return err->kind;
	a = json_array();
	for (uint32_t i = 0; i < p->nr_vmas; i++) {
		const struct vma *v = &p->vmas[i];

		for (uint64_t va = v->start; va < v->end; va += PAGE_SIZE) {
			uint64_t e;
			json_t *j;

			if (json_object_get(args, "addr") &&
			    (va < addr || va >= addr + (len ? len : 1)))
				continue;
			e = mm_user_pte(m, p, (vaddr_t)va);
			if (!(e & _PAGE_PRESENT))
				continue;
			if (++count > 4096)
				break;
			{
				pfn_t pfn = (pfn_t)((e & (m->config.pae ?
					PAE_ADDR_MASK : 0xfffff000ull))
					>> PAGE_SHIFT);
				int z = pfn_to_zone(&m->pgdat, pfn);
				bool zero = PFN_PHYS(pfn) ==
					    m->image->empty_zero_page;

				j = json_pack("{s:o, s:b, s:o, s:s, s:i, s:b, "
					      "s:b}", "addr", api_hex(va),
					"present", true, "pfn", api_hex(pfn),
					"zone", z >= 0 && z < 4 ? zones[z] : "?",
					"mapcount", (int)(zero ? 0 :
						mm_frame_mapcount(m, pfn)),
					"writable", !!(e & _PAGE_RW),
					"zero_page", zero);
				json_array_append_new(a, j);
			}
		}
	}
	*result = json_pack("{s:i, s:o}", "pid", (int)pid, "pages", a);
	return MM_OK;
}

/* Every live process, in pid order: who it is, its parent, its size. */
static int op_processes(struct machine *m, const json_t *args,
			json_t **result, struct mm_error *err)
{
	json_t *a = json_array();

	(void)args;
	(void)err;
	for (uint32_t i = 0; i < m->procs.nr; i++) {
		const struct process *p = &m->procs.procs[i];
		uint32_t vm = 0;

		for (uint32_t k = 0; k < p->nr_vmas; k++)
			vm += (p->vmas[k].end - p->vmas[k].start) >> PAGE_SHIFT;
		json_array_append_new(a, json_pack(
			"{s:i, s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:o, "
			"s:i, s:i}",
			"pid", (int)p->pid, "ppid", (int)p->ppid,
			"comm", p->comm,
			"rss", (int)(p->rss_anon + p->rss_file + p->rss_shmem),
			"rss_anon", (int)p->rss_anon,
			"rss_file", (int)p->rss_file,
			"rss_shmem", (int)p->rss_shmem,
			"vm_pages", (int)vm, "vmas", (int)p->nr_vmas,
			"pgd", api_hex(p->pgd),
			"page_tables", (int)(p->nr_ptes + p->nr_pmds),
			"oom_score_adj", p->oom_score_adj));
	}
	*result = json_pack("{s:i, s:i, s:o}", "count", (int)m->procs.nr,
			    "max_processes", (int)m->procs.max_procs,
			    "processes", a);
	return MM_OK;
}

static const char *const no_args[] = { NULL };
static const char *const pid_args[] = { "pid", NULL };
static const char *const mmap_args[] = { "pid", "addr", "len", "prot",
					 "flags", NULL };
static const char *const munmap_args[] = { "pid", "addr", "len", NULL };
static const char *const mprotect_args[] = { "pid", "addr", "len", "prot",
					     NULL };
static const char *const brk_args[] = { "pid", "addr", NULL };
static const char *const access_args[] = { "pid", "addr", "access", "mode",
					   NULL };
static const char *const uread_args[] = { "pid", "addr", "len", NULL };
static const char *const uwrite_args[] = { "pid", "addr", "text", "hex",
					   NULL };
static const char *const copy_args[] = { "pid", "uaddr", "kaddr", "len",
					 NULL };
static const char *const pagemap_args[] = { "pid", "addr", "len", NULL };
static const char *const adj_args[] = { "pid", "value", NULL };
static const char *const limit_args[] = { "max_map_count", "max_processes",
					  NULL };

const struct api_op_def api_ops_proc[] = {
	{ "process_create", true, no_args, op_process_create },
	{ "fork", true, pid_args, op_fork },
	{ "exit", true, pid_args, op_exit },
	{ "mmap", true, mmap_args, op_mmap },
	{ "munmap", true, munmap_args, op_munmap },
	{ "mprotect", true, mprotect_args, op_mprotect },
	{ "brk", true, brk_args, op_brk },
	{ "access", true, access_args, op_access },
	{ "uread", true, uread_args, op_uread },
	{ "uwrite", true, uwrite_args, op_uwrite },
	{ "copy_to_user", true, copy_args, op_copy_to_user },
	{ "copy_from_user", true, copy_args, op_copy_from_user },
	{ "oom_score_adj", true, adj_args, op_oom_score_adj },
	{ "proc_limits", true, limit_args, op_proc_limits },
	{ "maps", false, pid_args, op_maps },
	{ "status", false, pid_args, op_status },
	{ "pagemap", false, pagemap_args, op_pagemap },
	{ "process_pagetables", false, pid_args, op_process_pagetables },
	{ "processes", false, no_args, op_processes },
	{ NULL, false, NULL, NULL },
};

/*
 * ex_fault.c - does this user access fault, with which error code, and
 * what does the handler do: nothing, map the zero page, give a new page,
 * copy on write, reuse the page, or SIGSEGV (MAPERR or ACCERR).
 *
 * The misconception: "a page fault is an error".  Most faults are the
 * kernel doing its job lazily (the zero page on a first read, a frame on
 * a first write, a copy after fork); only an access the VMA forbids, or
 * one outside every VMA, is a SIGSEGV.  The draws vary the kernel (NX
 * exists only with PAE), the protection, the page's history (untouched,
 * read, written, written then forked), the access and the address.
 */
#include "ex_impl.h"

#include <stdio.h>
#include <string.h>

#define MiB (1ull << 20)

static const uint64_t rams[] = { 512 * MiB, 1 * GiB, 2 * GiB, 4 * GiB };

static const char *const outcomes[] = {
	"none", "zero_page", "new_page", "cow_copy", "cow_reuse",
	"segv_maperr", "segv_accerr", NULL
};

static const char *const why[] = {
	"The page is present and its PTE allows the access: no fault, the "
	"handler never runs.",
	"A first read of an anonymous page maps the shared zero page "
	"read-only: no frame is spent until someone writes.",
	"A first write to an anonymous page (or a write to the zero page) "
	"gets a new zeroed frame of its own.",
	"After fork the page is shared read-only between parent and child: "
	"the write copies it to a new frame for the writer.",
	"The page was shared copy-on-write but this process is now its only "
	"user, so the write just makes the PTE writable again.",
	"No VMA covers the address: bad_area, SIGSEGV with SEGV_MAPERR.",
	"A VMA covers the address but forbids this access: SIGSEGV with "
	"SEGV_ACCERR.",
};

static int classify(const json_t *r)
{
	const char *o = ex_str(r, "outcome");
	const json_t *f = json_object_get(r, "fault");
	const char *code = ex_str(json_object_get(r, "signal"), "si_code");

	if (!strcmp(o, "none"))
		return 0;
	if (!strcmp(o, "SIGSEGV"))
		return !strcmp(code, "SEGV_MAPERR") ? 5
		       : !strcmp(code, "SEGV_ACCERR") ? 6 : -1;
	if (strcmp(o, "handled"))
		return -1;
	if (json_is_true(json_object_get(f, "cow_copy")))
		return 3;
	if (json_is_true(json_object_get(f, "cow_reuse")))
		return 4;
	if (json_is_true(json_object_get(f, "zero_page")) &&
	    ex_num(f, "frames_taken") == 0)
		return 1;
	return 2;
}

/* What happened to the page before the access asked about. */
static int history(struct ex_ctx *c, unsigned h, uint64_t page, bool rd,
		   bool wr, char *buf, size_t len)
{
	static const char *const kinds[] = { "read", "write" };

	buf[0] = '\0';
	if (h == 0)
		return 0;
	if ((h == 1 && !rd) || (h >= 2 && !wr))
		return EX_REDRAW;	/* the history itself would fault */
	if (ex_setup(c, "access", json_pack("{s:i, s:o, s:s}", "pid", 1,
				"addr", api_hex(page), "access",
				kinds[h >= 2]), NULL))
		return EX_REDRAW;
	if (h == 3 && ex_setup(c, "fork", json_pack("{s:i}", "pid", 1), NULL))
		return EX_REDRAW;
	snprintf(buf, len, h == 1 ? " The process has read the page once."
			   : h == 2 ? " The process has written the page once."
			   : " The process has written the page, then forked "
			     "(the child is still alive).");
	return 0;
}

static int make(struct ex_ctx *c)
{
	static const char *const prots[] = { "PROT_READ|PROT_WRITE",
		"PROT_READ|PROT_WRITE", "PROT_READ", "PROT_NONE",
		"PROT_READ|PROT_EXEC" };
	static const char *const accesses[] = { "read", "write", "write",
						"exec" };
	uint64_t ram = ex_draw_ram(c, rams, sizeof(rams) / sizeof(rams[0]));
	bool pae = ex_rand(c) % 2;
	const char *prot = EX_PICK(c, prots), *acc = EX_PICK(c, accesses);
	unsigned pages = (unsigned)ex_range(c, 2, 8);
	unsigned h = (unsigned)ex_range(c, 0, 3);
	bool outside = ex_rand(c) % 6 == 0;
	bool rd = strstr(prot, "READ") != NULL, wr = strstr(prot, "WRITE") != NULL;
	const json_t *mm, *r, *walk_fault;
	uint64_t area, page, addr, code;
	char words[160], hist[96];
	int out;

	if (ex_boot(c, ex_config(ram, pae, "3G", NULL)) ||
	    ex_setup(c, "process_create", NULL, NULL) ||
	    ex_setup(c, "mmap", json_pack("{s:i, s:i, s:s, s:s}", "pid", 1,
			"len", (int)pages * 4096, "prot", prot, "flags",
			"MAP_PRIVATE|MAP_ANONYMOUS"), &mm))
		return EX_REDRAW;
	area = ex_num(mm, "addr");
	page = area + ex_range(c, 0, pages - 1) * 4096;
	if (outside) {
		h = 0;
		page = 0x20000000ull + ex_range(c, 0, 0xffff) * 4096;
	}
	addr = page + (ex_range(c, 0, 4095) & ~3ull);
	if (history(c, h, page, rd, wr, hist, sizeof(hist)) ||
	    ex_reveal(c, "access", json_pack("{s:i, s:o, s:s}", "pid", 1,
			"addr", api_hex(addr), "access", acc), &r))
		return EX_REDRAW;
	out = classify(r);
	walk_fault = json_object_get(json_object_get(r, "walk"), "fault");
	code = out == 0 ? 0 : ex_num(json_object_get(r, "fault"), "error_code");
	/* one fault, one error code: an access that faults twice (an NX
	 * fetch from a page the first fault mapped) has no single answer */
	if (out < 0 || (out > 0 && ex_num(walk_fault, "error_code") != code))
		return EX_REDRAW;

	ex_machine_words(ram, pae, "3G", NULL, words, sizeof(words));
	ex_question(c, "On %s, process 1 maps %u pages at 0x%08llx with "
		    "mmap(%s, MAP_PRIVATE|MAP_ANONYMOUS).%s It now makes a "
		    "user-mode %s access at 0x%08llx. Does it page-fault "
		    "(fault: yes or no)? What is the hardware error code "
		    "(error_code, 0 if no fault)? What does the kernel do "
		    "(outcome: none, zero_page, new_page, cow_copy, cow_reuse, "
		    "segv_maperr or segv_accerr)?", words, pages,
		    (unsigned long long)area, prot, hist, acc,
		    (unsigned long long)addr);
	ex_key(c, "fault", json_boolean(out != 0),
	       "%s", out == 0 ? "The walk finds a present PTE that allows "
				"this access, so the CPU never faults."
			      : ex_str(walk_fault, "reason"));
	if (out != 0) {
		/* the reason is the walk's own sentence; say what it means */
		char buf[400];

		snprintf(buf, sizeof(buf), "The walk stops: %s, so the CPU "
			 "raises a page fault.", ex_str(walk_fault, "reason"));
		json_object_set_new(c->feedback, "fault", json_string(buf));
	}
	if (out == 0)
		ex_key(c, "error_code", json_integer(0),
		       "No fault, so there is no error code: 0.");
	else
		ex_key(c, "error_code", json_integer((json_int_t)code),
		       "Bit 0 (P) = %d, %s; bit 1 (W) = %d, %s; bit 2 (U) = 1, "
		       "user mode; bit 4 (I) = %d, %s%s: 0x%llx.",
		       (int)(code & 1), code & 1 ? "a protection fault on a "
		       "present page" : "the page was not present",
		       (int)((code >> 1) & 1), code & 2 ? "a write"
		       : "not a write", (int)((code >> 4) & 1), code & 16
		       ? "an instruction fetch" : "not an instruction fetch",
		       !pae && !strcmp(acc, "exec") && !(code & 16)
		       ? " (without PAE there is no NX, so the CPU does not "
			 "report fetches)" : "", (unsigned long long)code);
	/* the handler's own words, where they add to the reason */
	ex_key(c, "outcome", json_string(outcomes[out]), "%s%s%s", why[out],
	       out && out != 5 ? " The handler: " : "", out && out != 5
	       ? ex_str(json_object_get(r, "fault"), "action") : "");
	return 0;
}

const struct ex_type ex_type_fault = {
	.name = "fault",
	.title = "Fault or not, the error code, and what the handler does",
	.misconception = "a page fault is an error",
	.fields = {
		{ "fault", EX_FMT_YESNO, NULL, 1,
		  "does the access page-fault (yes/no)" },
		{ "error_code", EX_FMT_COUNT, NULL, 1,
		  "the hardware error code (0x6), 0 if no fault" },
		{ "outcome", EX_FMT_ENUM, outcomes, 1,
		  "what the kernel does" },
	},
	.make = make,
};

/*
 * mm_report.c - two lines mm_init() prints about how memory is guarded
 * (init/main.c report_meminit(), arch/x86/mm/pti.c pti_init()).
 *
 * Debian's 6.1 builds zero every stack (INIT_STACK_ALL_ZERO) and turn
 * init_on_alloc on by default (INIT_ON_ALLOC_DEFAULT_ON), init_on_free
 * off; init_on_alloc= and init_on_free= on the command line change them.
 * The model's pages do not depend on either (a fresh frame reads as
 * zeroes anyway), so only the line follows them; page_poisoning= (which
 * would turn both off) is not modelled.  PTI exists on i386
 * only with PAE, where Debian's kernel turns it on (the model has no
 * nopti/pti= and no CPU that is immune to Meltdown).
 */
#include "setup.h"

#include <string.h>

/* kstrtobool() on a parameter's value: -1 when it is not a boolean. */
static int parse_bool(const char *v)
{
	if (strchr("yY1", v[0]) && v[0])
		return 1;
	if (strchr("nN0", v[0]) && v[0])
		return 0;
	if ((v[0] == 'o' || v[0] == 'O') && v[1]) {
		if (v[1] == 'n' || v[1] == 'N')
			return 1;
		if (v[1] == 'f' || v[1] == 'F')
			return 0;
	}
	return -1;
}

/* The last "name=value" on the command line that parses, or def. */
static bool cmdline_bool(const char *cmdline, const char *name, bool def)
{
	size_t n = strlen(name);

	for (const char *p = cmdline; *p;) {
		size_t len = strcspn(p, " ");

		if (len > n && !strncmp(p, name, n) && p[n] == '=') {
			int b = parse_bool(p + n + 1);

			if (b >= 0)
				def = b;
		}
		p += len;
		p += strspn(p, " ");
	}
	return def;
}

void report_meminit(struct machine *m)
{
	bool on_alloc = cmdline_bool(m->config.cmdline, "init_on_alloc", true);
	bool on_free = cmdline_bool(m->config.cmdline, "init_on_free", false);

	sb_printf(&m->log, "mem auto-init: stack:all(zero), heap alloc:%s, "
		  "heap free:%s\n", on_alloc ? "on" : "off",
		  on_free ? "on" : "off");
	if (on_free)
		sb_puts(&m->log, "mem auto-init: clearing system memory may "
			"take some time...\n");
}

void pti_init(struct machine *m)
{
	if (m->config.pae)
		sb_puts(&m->log, "Kernel/User page tables isolation: enabled\n");
}

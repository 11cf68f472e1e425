/*
 * fuzz_config.c - everything a machine or the daemon is configured
 * from.  The first byte picks what the rest of the input is:
 *
 *   'j' (or anything not below) the machine config JSON: parsed, written
 *       back and parsed again (the two must agree), booted when valid,
 *       and every report of the booted machine built;
 *   'c' a kernel command line, booted on a 256 MiB machine (and read by
 *       bootparams_parse on its own, which must agree on refusal);
 *   'd' mmlabd's options, NUL-separated argv words (srv_options_parse);
 *   'm' mmlab's command line, NUL-separated argv words: tools/mmlab.c's
 *       own parser (included below), then the machine it boots and the
 *       items it names.  A value starting with '@' names a file to read;
 *       the harness drops such words (a fuzzer must not read /dev/stdin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "config.h"
#include "machine.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* mmlab.c, with its output going nowhere and its main renamed; stdio.h
 * is already in, so the defines only touch that file's uses. */
static FILE *fz_mmlab_out, *fz_mmlab_err;
#undef stdout
#undef stderr
#define stdout fz_mmlab_out
#define stderr fz_mmlab_err
#define main mmlab_main
int mmlab_main(int argc, char **argv);
#include "mmlab.c"
#undef main
#undef stderr
#undef stdout
#define stdout stdout	/* as <stdio.h> has them */
#define stderr stderr

#define MAX_ARGS 32

static void all_reports(const struct machine *m)
{
	for (size_t i = 0; api_report_names[i]; i++) {
		for (int text = 0; text < 2; text++) {
			json_t *j = NULL;
			char *t = NULL;
			struct mm_error err = { 0 };

			if (api_report(m, api_report_names[i], text, &j, &t,
				       &err))
				fz_die("report %s refused on a booted machine: "
				       "%s", api_report_names[i], err.detail);
			json_decref(j);
			free(t);
		}
	}
}

static void boot_and_report(const json_t *config)
{
	struct machine *m = NULL;
	struct mm_error err = { 0 };

	if (api_machine_boot(config, &m, &err) == MM_OK) {
		all_reports(m);
		machine_free(m);
	} else if (m || !err.type[0] || !err.detail[0]) {
		fz_die("a boot refusal without its error (type '%s')", err.type);
	}
}

static void config_json(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	struct machine_config c, c2;
	struct mm_error err = { 0 };
	json_t *out, *out2;
	char *a, *b;

	if (!j)
		return;
	memset(&c, 0, sizeof(c));
	if (api_config_from_json(j, &c, &err)) {
		json_decref(j);
		return;
	}
	/* what api_config_to_json writes must read back as the same */
	out = api_config_to_json(&c);
	memset(&c2, 0, sizeof(c2));
	if (api_config_from_json(out, &c2, &err))
		fz_die("the config's own JSON is refused: %s", err.detail);
	out2 = api_config_to_json(&c2);
	a = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
	b = json_dumps(out2, JSON_SORT_KEYS | JSON_COMPACT);
	if (!a || !b || strcmp(a, b))
		fz_die("config JSON does not round-trip: %s vs %s", a, b);
	free(a);
	free(b);
	json_decref(out);
	json_decref(out2);
	boot_and_report(j);
	json_decref(j);
}

static void cmdline(const uint8_t *data, size_t size)
{
	char s[COMMAND_LINE_SIZE + 16];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	struct bootparams bp;
	struct mm_error err = { 0 };
	json_t *c, *v;

	memcpy(s, data, n);
	s[n] = '\0';
	memset(&bp, 0, sizeof(bp));
	bootparams_parse(s, &bp, &err);
	if (bp.nr_edits > MAX_E820_EDITS)
		fz_die("%u command-line e820 edits", bp.nr_edits);
	v = json_string(s);
	if (!v)
		return;	/* not UTF-8: the JSON config cannot carry it */
	c = json_pack("{s:s, s:o}", "ram", "256M", "cmdline", v);
	boot_and_report(c);
	json_decref(c);
}

/* NUL-separated words into argv[1..], argv[0] = name; returns argc. */
static int split_args(const uint8_t *data, size_t size, char *buf,
		      char **argv, const char *name, bool drop_files)
{
	int argc = 1;
	size_t off = 0;

	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = (char *)name;
	while (off <= size && argc < MAX_ARGS - 1) {
		char *w = buf + off;
		char *eq = strchr(w, '=');

		off += strlen(w) + 1;
		if (drop_files && (w[0] == '@' || (eq && eq[1] == '@')))
			continue;
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	return argc;
}

static void daemon_options(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS];
	int argc = split_args(data, size, buf, argv, "mmlabd", false);
	struct srv_options o;

	srv_options_parse(&o, argc, argv, fz_mmlab_out, fz_mmlab_out);
	free(buf);
}

static void mmlab_cli(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS];
	int argc = split_args(data, size, buf, argv, "mmlab", true);
	struct cli c = { json_object(), json_object(), false, 0, NULL, NULL };
	int rc = parse_args(&c, argc, argv);
	struct machine *m = NULL;

	if (rc == 0 && boot(&c, &m) == 0) {
		for (size_t i = 0; i < c.nitems && i < 8; i++)
			if (c.items[i].is_op)
				run_op(m, &c.items[i]);
			else
				run_report(m, c.items[i].name, c.json);
		machine_free(m);
	}
	cli_free(&c);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fz_mmlab_out) {
		fz_mmlab_out = fopen("/dev/null", "w");
		fz_mmlab_err = fz_mmlab_out;
	}
	if (!size)
		return 0;
	switch (data[0]) {
	case 'c': cmdline(data + 1, size - 1); break;
	case 'd': daemon_options(data + 1, size - 1); break;
	case 'm': mmlab_cli(data + 1, size - 1); break;
	default:
		config_json(data + (data[0] == 'j'), size - (data[0] == 'j'));
	}
	return 0;
}

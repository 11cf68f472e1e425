/*
 * mmlab - boot one simulated machine in this process and print its
 * reports or run operations on it, in the order given on the command line.
 *
 * The options only build the JSON config object the API takes, so the
 * command line accepts exactly what the HTTP API accepts and refuses it
 * with the same words.
 *
 * Exit status: 0 done, 1 an operation was refused by the model (the
 * problem JSON is on stderr), 2 bad usage or a machine that cannot boot.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "exercise.h"

#define EXIT_OPFAIL 1
#define EXIT_USAGE 2

static const char usage_text[] =
"usage: mmlab [OPTION...] [ITEM...]\n"
"\n"
"Boot one simulated 32-bit x86 Debian Linux 6.1 machine, then print each\n"
"report or run each operation named, in order, on that machine.\n"
"\n"
"Machine (each option sets one field of the API's machine config):\n"
"  --ram SIZE           RAM: 2G, 512M, 0x20000000 (default 2G)\n"
"  --e820 JSON|@FILE    the firmware map instead of --ram:\n"
"                       [{\"start\":\"0x0\",\"size\":\"639K\",\"type\":\"usable\"},...]\n"
"  --pae                boot the 686-pae kernel (default: 686)\n"
"  --vmsplit SPLIT      3G, 3G_OPT, 2G, 2G_OPT or 1G (default 3G)\n"
"  --cmdline STRING     kernel command line: \"vmalloc=256M mem=1G\"\n"
"  --cpus N             CPUs, 1 to 32 (default 1)\n"
"  --seed N             seed for the model's randomness (default 1)\n"
"  --initrd SIZE        an initramfs of SIZE bytes loaded by QEMU (default 0)\n"
"  --boot STATE         booted (default: after the initcalls) or bare (the\n"
"                       memory set-up only)\n"
"  --config JSON|@FILE  a whole config object; the options above win\n"
"Output:\n"
"  --json               print reports as JSON instead of Linux text\n"
"  --help               print this help and exit\n"
"\n"
"Items:\n"
"  REPORT               a report (listed below), as Linux text or --json\n"
"  op:NAME[:JSON]       run an operation (listed below); its result prints\n"
"                       as JSON:\n"
"                       op:alloc_pages:'{\"order\":3,\"gfp\":\"GFP_KERNEL\"}'\n"
"                       op:free_pages:'{\"pfn\":\"0x2e000\",\"order\":3}'\n"
"                       op:frame:'{\"phys\":\"0x1000000\"}'\n"
"With no ITEM, mmlab prints dmesg and meminfo.\n"
"\n"
"Exercises (alone on the command line, no machine options):\n"
"  exercises            the catalogue of exercise types, as JSON\n"
"  exercise:TYPE:SEED   that variant: its question, machine config and\n"
"                       setup, the reveal operations and the key\n"
"\n"
"Exit status: 0 success; 1 an operation was refused (the problem JSON is\n"
"on stderr); 2 bad usage, a bad configuration or an unbootable machine.\n";

/* The usage text, then the reports and operations as the api lists
 * them, so the help cannot fall behind the api. */
static void print_usage(void)
{
	fputs(usage_text, stdout);
	fputs("\nReports:", stdout);
	for (size_t i = 0; api_report_names[i]; i++)
		printf(" %s", api_report_names[i]);
	fputs("\nOperations:", stdout);
	for (size_t i = 0; api_op_name(i); i++)
		printf("%s%s", i % 8 ? " " : "\n ", api_op_name(i));
	fputs("\n", stdout);
}

/* One thing to do once the machine is up. */
struct item {
	const char *name;	/* report or operation name */
	bool is_op;
	json_t *args;		/* an operation's arguments, or NULL */
};

struct cli {
	json_t *config;		/* from --config, or empty */
	json_t *flags;		/* the other machine options */
	bool json;
	size_t nitems;
	struct item *items;
	char *opname;		/* storage for op names cut out of argv */
};

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mmlab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\ntry 'mmlab --help' for the options\n", stderr);
	return EXIT_USAGE;
}

/* JSON given inline, or as @FILE. */
static json_t *load_json(const char *opt, const char *s)
{
	json_error_t e;
	json_t *j = s[0] == '@' ? json_load_file(s + 1, JSON_DECODE_ANY, &e)
				: json_loads(s, JSON_DECODE_ANY, &e);

	if (!j && e.line < 0)	/* the file, not its text */
		fprintf(stderr, "mmlab: %s: %s\n", opt, e.text);
	else if (!j)
		fprintf(stderr, "mmlab: %s: not valid JSON (line %d, column "
			"%d): %s\n", opt, e.line, e.column, e.text);
	return j;
}

/* "4" becomes 4; anything else stays a string for the API to judge. */
static json_t *int_or_string(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s && !*end && *s != '+' && *s != ' ' && errno != ERANGE)
		return json_integer(v);
	return json_string(s);
}

static int set_flag(struct cli *c, const char *opt, const char *val)
{
	json_t *v;

	if (!strcmp(opt, "ram") || !strcmp(opt, "vmsplit") ||
	    !strcmp(opt, "cmdline") || !strcmp(opt, "initrd") ||
	    !strcmp(opt, "boot"))
		v = json_string(val);
	else if (!strcmp(opt, "cpus") || !strcmp(opt, "seed"))
		v = int_or_string(val);
	else if (!strcmp(opt, "e820"))
		v = load_json("--e820", val);
	else
		return usage_error("unknown option '--%s'", opt);
	if (!v) {
		/* a string that is not UTF-8, or a bad --e820 */
		if (strcmp(opt, "e820"))
			fprintf(stderr, "mmlab: --%s: not a valid UTF-8 "
				"string\n", opt);
		return EXIT_USAGE;
	}
	json_object_set_new(c->flags, opt, v);
	return 0;
}

static int set_config(struct cli *c, const char *val)
{
	json_t *j = load_json("--config", val);

	if (!j)
		return EXIT_USAGE;
	if (!json_is_object(j)) {
		json_decref(j);
		return usage_error("--config must be a JSON object such as "
				   "%s", "{\"ram\": \"1G\", \"pae\": true}");
	}
	json_decref(c->config);
	c->config = j;
	return 0;
}

static const char *const valued_opts[] = {
	"ram", "e820", "vmsplit", "cmdline", "cpus", "seed", "initrd",
	"boot", "config", NULL
};

static bool takes_value(const char *opt)
{
	for (size_t i = 0; valued_opts[i]; i++)
		if (!strcmp(valued_opts[i], opt))
			return true;
	return false;
}

/*
 * One option, "--name", "--name value" or "--name=value".  *i moves past
 * a separate value.  Returns 0, an exit status, or -1 for --help.
 */
static int parse_option(struct cli *c, int argc, char **argv, int *i)
{
	char opt[32];
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '='), *val = NULL;
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);

	if (n >= sizeof(opt))
		return usage_error("unknown option '%s'", argv[*i]);
	memcpy(opt, arg, n);
	opt[n] = '\0';
	if (!takes_value(opt)) {
		if (eq)
			return usage_error("option '--%s' takes no value", opt);
		if (!strcmp(opt, "help"))
			return -1;
		if (!strcmp(opt, "json"))
			c->json = true;
		else if (!strcmp(opt, "pae"))
			json_object_set_new(c->flags, "pae", json_true());
		else
			return usage_error("unknown option '%s'", argv[*i]);
		return 0;
	}
	if (eq)
		val = eq + 1;
	else if (*i + 1 < argc)
		val = argv[++*i];
	else
		return usage_error("option '--%s' needs a value", opt);
	return !strcmp(opt, "config") ? set_config(c, val)
				      : set_flag(c, opt, val);
}

static bool is_report(const char *name)
{
	for (size_t i = 0; api_report_names[i]; i++)
		if (!strcmp(api_report_names[i], name))
			return true;
	return false;
}

/* "op:NAME[:JSON]": the name is cut out in place, the JSON parsed now so
 * a typo stops the run before anything is printed. */
static int parse_op(struct item *it, char *spec)
{
	char *colon = strchr(spec, ':');

	if (colon)
		*colon = '\0';
	it->name = spec;
	it->is_op = true;
	if (!api_op_known(spec)) {
		fprintf(stderr, "mmlab: unknown operation '%s'; the "
			"operations are", spec);
		for (size_t i = 0; api_op_name(i); i++)
			fprintf(stderr, " %s", api_op_name(i));
		fputs("\n", stderr);
		return EXIT_USAGE;
	}
	if (!colon || !colon[1])
		return 0;
	it->args = load_json(spec, colon + 1);
	if (!it->args)
		return EXIT_USAGE;
	if (!json_is_object(it->args))
		return usage_error("the arguments of %s must be a JSON object",
				   spec);
	return 0;
}

static int parse_item(struct cli *c, char *arg, size_t *op_off)
{
	struct item *it = &c->items[c->nitems++];

	if (!strncmp(arg, "op:", 3)) {
		/* copy: argv strings are not ours to cut */
		char *spec = c->opname + *op_off;

		strcpy(spec, arg + 3);
		*op_off += strlen(spec) + 1;
		return parse_op(it, spec);
	}
	it->name = arg;
	if (!is_report(arg)) {
		fprintf(stderr, "mmlab: unknown report '%s'; the reports are",
			arg);
		for (size_t i = 0; api_report_names[i]; i++)
			fprintf(stderr, " %s", api_report_names[i]);
		fputs("\n(an operation is written op:NAME[:JSON])\n", stderr);
		return EXIT_USAGE;
	}
	return 0;
}

static int parse_args(struct cli *c, int argc, char **argv)
{
	size_t total = 0, op_off = 0;
	bool opts_done = false;
	int rc;

	for (int i = 1; i < argc; i++)
		total += strlen(argv[i]) + 1;
	c->items = calloc((size_t)argc, sizeof(*c->items));
	c->opname = malloc(total + 1);
	if (!c->items || !c->opname) {
		fputs("mmlab: out of memory\n", stderr);
		return EXIT_USAGE;
	}
	for (int i = 1; i < argc; i++) {
		if (!opts_done && !strcmp(argv[i], "--")) {
			opts_done = true;
			continue;
		}
		if (!opts_done && !strncmp(argv[i], "--", 2))
			rc = parse_option(c, argc, argv, &i);
		else if (!opts_done && !strcmp(argv[i], "-h"))
			rc = -1;
		else if (!opts_done && argv[i][0] == '-' && argv[i][1])
			rc = usage_error("unknown option '%s'", argv[i]);
		else
			rc = parse_item(c, argv[i], &op_off);
		if (rc)
			return rc;
	}
	return 0;
}

static void cli_free(struct cli *c)
{
	for (size_t i = 0; i < c->nitems; i++)
		json_decref(c->items[i].args);
	free(c->items);
	free(c->opname);
	json_decref(c->config);
	json_decref(c->flags);
}

/* --- running ------------------------------------------------------------------- */

static void print_json(FILE *f, const json_t *j)
{
	json_dumpf(j, f, JSON_INDENT(2));
	fputc('\n', f);
}

static int boot(struct cli *c, struct machine **m)
{
	struct mm_error err = { 0 };

	/* the explicit options override the same fields of --config */
	json_object_update(c->config, c->flags);
	if (api_machine_boot(c->config, m, &err) == MM_OK)
		return 0;
	if (!strcmp(err.type, "bad-config") && err.field[0])
		fprintf(stderr, "mmlab: bad configuration: %s: %s\n",
			err.field, err.detail);
	else
		fprintf(stderr, "mmlab: the machine cannot boot (%s): %s\n",
			err.type, err.detail);
	return EXIT_USAGE;
}

static int run_report(const struct machine *m, const char *name, bool json)
{
	struct mm_error err = { 0 };
	json_t *j = NULL;
	char *text = NULL;

	if (api_report(m, name, !json, &j, &text, &err)) {
		fprintf(stderr, "mmlab: %s\n", err.detail);
		return EXIT_USAGE;
	}
	if (json)
		print_json(stdout, j);
	else
		fputs(text, stdout);
	json_decref(j);
	free(text);
	return 0;
}

static int run_op(struct machine *m, const struct item *it)
{
	struct mm_error err = { 0 };
	json_t *result = NULL, *story = NULL;

	if (api_op_story(m, it->name, it->args, &result, &story, &err)) {
		json_t *p = api_problem(&err);

		/* out of memory's story, as the daemon's problem has it */
		if (story)
			json_object_update_missing(p, story);
		json_decref(story);
		fflush(stdout);
		print_json(stderr, p);
		json_decref(p);
		return EXIT_OPFAIL;
	}
	print_json(stdout, result);
	json_decref(result);
	return 0;
}

static int run(struct cli *c)
{
	static const struct item defaults[] = {
		{ "dmesg", false, NULL }, { "meminfo", false, NULL },
	};
	const struct item *items = c->nitems ? c->items : defaults;
	size_t n = c->nitems ? c->nitems : 2;
	struct machine *m = NULL;
	int rc = boot(c, &m);

	for (size_t i = 0; !rc && i < n; i++)
		rc = items[i].is_op ? run_op(m, &items[i])
				    : run_report(m, items[i].name, c->json);
	machine_free(m);
	return rc;
}

/* "exercises" or "exercise:TYPE:SEED": what the server will hand out,
 * printed for a teacher checking a question (the key included). */
static int run_exercise(const char *arg)
{
	char type[64] = "";
	struct mm_error err = { 0 };
	struct ex_variant *v = NULL;
	unsigned long long seed;
	const char *colon;
	char *end;
	json_t *out;

	if (!strcmp(arg, "exercises")) {
		out = ex_catalogue_json();
		print_json(stdout, out);
		json_decref(out);
		return 0;
	}
	colon = strchr(arg + 9, ':');
	if (!colon || (size_t)(colon - (arg + 9)) >= sizeof(type) ||
	    !colon[1] || (seed = strtoull(colon + 1, &end, 0), *end))
		return usage_error("write an exercise as exercise:TYPE:SEED "
				   "(exercise:zone:1)");
	memcpy(type, arg + 9, (size_t)(colon - (arg + 9)));
	if (ex_variant_new(type, seed, EX_GEN_VERSION, &v, &err)) {
		fprintf(stderr, "mmlab: %s\n", err.detail);
		return EXIT_USAGE;
	}
	out = json_pack("{s:o, s:O, s:o}", "variant", ex_variant_json(v),
			"reveal", ex_reveal_ops(v), "key", ex_key_json(v));
	print_json(stdout, out);
	json_decref(out);
	ex_variant_free(v);
	return 0;
}

int main(int argc, char **argv)
{
	struct cli c = { json_object(), json_object(), false, 0, NULL, NULL };
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "exercises") ||
			  !strncmp(argv[1], "exercise:", 9))) {
		json_decref(c.config);
		json_decref(c.flags);
		rc = run_exercise(argv[1]);
		return fflush(stdout) ? EXIT_USAGE : rc;
	}
	rc = parse_args(&c, argc, argv);
	if (rc == -1) {
		print_usage();
		rc = 0;
	} else if (rc == 0) {
		rc = run(&c);
	}
	cli_free(&c);
	if (fflush(stdout) || ferror(stdout)) {
		fputs("mmlab: error writing output\n", stderr);
		return rc ? rc : EXIT_USAGE;
	}
	return rc;
}

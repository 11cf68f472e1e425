/*
 * config_json.c - a machine's configuration to and from JSON.
 *
 * Every refusal is "bad-config" with the field at fault, so a student
 * sees which word of the request to change.  Range checks that are the
 * model's business (RAM size, cpus, vmsplit with PAE) are left to
 * machine_config_validate(), which names the field the same way.
 */
#include "api.h"
#include "api_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define SIZE_WORDS "a number of bytes or a string such as \"512M\", " \
		   "\"2G\" or \"0x20000000\""
/* check_e820() in the model refuses more; stop before the table ends */
#define E820_CONFIG_MAX 64

static const char *const config_keys[] = {
	"ram", "e820", "pae", "vmsplit", "cmdline", "cpus", "seed", "initrd",
	"boot", NULL
};

static const char *const e820_entry_keys[] = { "start", "size", "type", NULL };

static int bad(struct mm_error *err, const char *field, const char *detail)
{
	return mm_fail(err, MM_EINVAL, "bad-config", field, "%s", detail);
}

static int parse_ram(const json_t *v, struct machine_config *c,
		     struct mm_error *err)
{
	if (api_get_u64(v, &c->ram))
		return bad(err, "ram", "ram must be " SIZE_WORDS);
	return MM_OK;
}

static int parse_e820_entry(const json_t *e, size_t i, struct e820_entry *out,
			    struct mm_error *err)
{
	static const char *const types =
		"usable, reserved, ACPI data, ACPI NVS or unusable";
	char prefix[24], field[40];
	json_t *start, *size, *type;
	int rc;

	snprintf(prefix, sizeof(prefix), "e820[%u].", (unsigned)i);
	if (!json_is_object(e)) {
		snprintf(field, sizeof(field), "e820[%u]", (unsigned)i);
		return mm_fail(err, MM_EINVAL, "bad-config", field,
			       "each e820 entry is an object {\"start\", "
			       "\"size\", \"type\"}");
	}
	if ((rc = api_check_keys(e, e820_entry_keys, "bad-config",
				 "an e820 entry", prefix, err)))
		return rc;
	start = json_object_get(e, "start");
	size = json_object_get(e, "size");
	type = json_object_get(e, "type");
	snprintf(field, sizeof(field), "%sstart", prefix);
	if (!start || api_get_u64(start, &out->addr))
		return mm_fail(err, MM_EINVAL, "bad-config", field,
			       "%s must be %s", field, SIZE_WORDS);
	snprintf(field, sizeof(field), "%ssize", prefix);
	if (!size || api_get_u64(size, &out->size))
		return mm_fail(err, MM_EINVAL, "bad-config", field,
			       "%s must be %s", field, SIZE_WORDS);
	snprintf(field, sizeof(field), "%stype", prefix);
	if (!json_is_string(type) ||
	    e820_type_parse(json_string_value(type), &out->type))
		return mm_fail(err, MM_EINVAL, "bad-config", field,
			       "%s must be one of %s", field, types);
	return MM_OK;
}

static int parse_e820(const json_t *v, struct machine_config *c,
		      struct mm_error *err)
{
	size_t i;
	json_t *e;
	int rc;

	if (!json_is_array(v) || json_array_size(v) == 0 ||
	    json_array_size(v) > E820_CONFIG_MAX)
		return mm_fail(err, MM_EINVAL, "bad-config", "e820",
			       "e820 must be an array of 1 to %d entries "
			       "{\"start\", \"size\", \"type\"}",
			       E820_CONFIG_MAX);
	json_array_foreach(v, i, e) {
		if ((rc = parse_e820_entry(e, i, &c->e820.entries[i], err)))
			return rc;
	}
	c->e820.nr_entries = (uint32_t)json_array_size(v);
	c->has_e820 = true;
	return MM_OK;
}

static int parse_pae(const json_t *v, struct machine_config *c,
		     struct mm_error *err)
{
	if (!json_is_boolean(v))
		return bad(err, "pae", "pae must be true (the 686-pae kernel) "
			   "or false (the 686 kernel)");
	c->pae = json_is_true(v);
	return MM_OK;
}

static int parse_vmsplit(const json_t *v, struct machine_config *c,
			 struct mm_error *err)
{
	if (!json_is_string(v) ||
	    vmsplit_parse(json_string_value(v), &c->vmsplit))
		return bad(err, "vmsplit", "vmsplit must be one of the "
			   "strings \"3G\", \"3G_OPT\", \"2G\", \"2G_OPT\" "
			   "or \"1G\"");
	return MM_OK;
}

static int parse_cmdline(const json_t *v, struct machine_config *c,
			 struct mm_error *err)
{
	if (!json_is_string(v))
		return bad(err, "cmdline", "cmdline must be a string, the "
			   "kernel command line (\"vmalloc=256M mem=1G\")");
	if (json_string_length(v) >= COMMAND_LINE_SIZE ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return mm_fail(err, MM_EINVAL, "bad-config", "cmdline",
			       "cmdline must be shorter than %d bytes and "
			       "hold no NUL", COMMAND_LINE_SIZE);
	memcpy(c->cmdline, json_string_value(v), json_string_length(v) + 1);
	return MM_OK;
}

static int parse_cpus(const json_t *v, struct machine_config *c,
		      struct mm_error *err)
{
	json_int_t n = json_integer_value(v);

	if (!json_is_integer(v) || n < 1 || n > NR_CPUS)
		return mm_fail(err, MM_EINVAL, "bad-config", "cpus",
			       "cpus must be an integer from 1 to %d "
			       "(Debian's NR_CPUS)", NR_CPUS);
	c->cpus = (unsigned)n;
	return MM_OK;
}

static int parse_seed(const json_t *v, struct machine_config *c,
		      struct mm_error *err)
{
	/* strings too: a seed above 2^63 cannot be a JSON integer here */
	if (api_get_u64(v, &c->seed))
		return bad(err, "seed", "seed must be a non-negative integer");
	return MM_OK;
}

static int parse_boot(const json_t *v, struct machine_config *c,
		      struct mm_error *err)
{
	const char *s = json_string_value(v);

	if (s && !strcmp(s, "booted"))
		c->boot = BOOT_BOOTED;
	else if (s && !strcmp(s, "bare"))
		c->boot = BOOT_BARE;
	else
		return bad(err, "boot", "boot must be \"booted\" (the "
			   "default: the kernel after its initcalls, as /proc "
			   "shows it when init starts) or \"bare\" (the "
			   "memory set-up only, nothing allocated since)");
	return MM_OK;
}

static int parse_initrd(const json_t *v, struct machine_config *c,
			struct mm_error *err)
{
	if (api_get_u64(v, &c->initrd))
		return bad(err, "initrd", "initrd must be a size in bytes "
			   "(\"1M\", 1068489), 0 for none");
	return MM_OK;
}

typedef int (*config_parse_fn)(const json_t *v, struct machine_config *c,
			       struct mm_error *err);

static const struct {
	const char *name;
	config_parse_fn parse;
} config_fields[] = {
	{ "ram", parse_ram },
	{ "e820", parse_e820 },
	{ "pae", parse_pae },
	{ "vmsplit", parse_vmsplit },
	{ "cmdline", parse_cmdline },
	{ "cpus", parse_cpus },
	{ "seed", parse_seed },
	{ "initrd", parse_initrd },
	{ "boot", parse_boot },
};

int api_config_from_json(const json_t *j, struct machine_config *c,
			 struct mm_error *err)
{
	int rc;

	machine_config_default(c);
	if (!j)
		return machine_config_validate(c, err);
	if (!json_is_object(j))
		return bad(err, "", "the configuration must be a JSON object "
			   "such as {\"ram\": \"2G\", \"pae\": true}");
	if ((rc = api_check_keys(j, config_keys, "bad-config", "the config",
				 "", err)))
		return rc;
	if (json_object_get(j, "ram") && json_object_get(j, "e820"))
		return bad(err, "e820", "give either ram or e820, not both: "
			   "with an e820 map the RAM is what its usable "
			   "entries hold");
	for (size_t i = 0; i < sizeof(config_fields) / sizeof(config_fields[0]);
	     i++) {
		const json_t *v = json_object_get(j, config_fields[i].name);

		if (v && (rc = config_fields[i].parse(v, c, err))) {
			api_explain_leading_zero(j, "", err);
			return rc;
		}
	}
	return machine_config_validate(c, err);
}

static json_t *e820_to_json(const struct e820_table *t)
{
	json_t *a = json_array();
	char type[32];

	for (uint32_t i = 0; i < t->nr_entries; i++) {
		const struct e820_entry *e = &t->entries[i];

		api_e820_type_str(e->type, type, sizeof(type));
		json_array_append_new(a, json_pack("{s:o, s:o, s:s}",
			"start", api_hex(e->addr), "size", api_hex(e->size),
			"type", type));
	}
	return a;
}

void api_config_pin_boot(json_t *config, enum boot_state fallback)
{
	if (json_is_object(config) && !json_object_get(config, "boot"))
		json_object_set_new(config, "boot",
				    json_string(boot_state_name(fallback)));
}

json_t *api_config_to_json(const struct machine_config *c)
{
	json_t *j = json_object();

	/* ram and e820 exclude each other on the way in, so only one of
	 * them comes out */
	if (c->has_e820)
		json_object_set_new(j, "e820", e820_to_json(&c->e820));
	else
		json_object_set_new(j, "ram", json_integer((json_int_t)c->ram));
	json_object_set_new(j, "pae", json_boolean(c->pae));
	json_object_set_new(j, "vmsplit", json_string(vmsplit_name(c->vmsplit)));
	json_object_set_new(j, "cmdline", json_string(c->cmdline));
	json_object_set_new(j, "cpus", json_integer((json_int_t)c->cpus));
	/* a seed above 2^63 goes out as a string, which comes back in */
	json_object_set_new(j, "seed", c->seed > (uint64_t)INT64_MAX
			    ? api_hex(c->seed)
			    : json_integer((json_int_t)c->seed));
	json_object_set_new(j, "initrd", json_integer((json_int_t)c->initrd));
	json_object_set_new(j, "boot", json_string(boot_state_name(c->boot)));
	return j;
}

int api_machine_boot(const json_t *config, struct machine **out,
		     struct mm_error *err)
{
	struct machine_config *c = xmalloc(sizeof(*c));
	int rc;

	/* the config holds a 128-entry e820 table: keep it off the stack
	 * of a server thread */
	*out = NULL;
	rc = api_config_from_json(config, c, err);
	if (rc == MM_OK)
		rc = machine_boot(c, out, err);
	free(c);
	return rc;
}

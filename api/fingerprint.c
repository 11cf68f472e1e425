/*
 * fingerprint.c - a number that changes whenever the model behaves
 * differently.
 *
 * A store keeps machines as their configuration and their operations;
 * replayed by a model that boots or allocates differently they come back
 * as something else than what was answered, with nothing to say so.  The
 * daemon therefore records, with the store, the fingerprint of the model
 * that wrote it, and stops at start when it differs (server/main.c).
 *
 * The fingerprint is measured, not declared: a few machines of unlike
 * configurations are booted, a handful of operations run on each, and
 * their snapshots are hashed.  Any change to what a boot leaves or to what
 * those operations do shows in the bytes; a change that shows in none of
 * them (a rarely taken path) can still slip by, which is why this guards
 * upgrades and is no proof of sameness.
 */
#include "api.h"

#include <stdlib.h>

#include "snapshot.h"

static const char *const configs[] = {
	"{\"ram\": \"2G\", \"boot\": \"bare\"}",
	"{\"ram\": \"2G\"}",
	"{\"ram\": \"4G\", \"pae\": true, \"cpus\": 2}",
	"{\"ram\": \"512M\", \"cmdline\": \"vmalloc=256M\", \"initrd\": \"1M\"}",
};

static const struct { const char *op, *args; } ops[] = {
	{ "kmalloc", "{\"size\": 100}" },
	{ "vmalloc", "{\"size\": \"16K\"}" },
	{ "alloc_pages", "{\"order\": 3, \"gfp\": \"GFP_HIGHUSER\"}" },
	{ "alloc_pages", "{\"order\": 0, \"gfp\": \"GFP_KERNEL\"}" },
	{ "process_create", NULL },
};

/* FNV-1a, 64 bits: enough to tell models apart, and no dependency */
static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

static uint64_t one_machine(uint64_t h, const char *config)
{
	json_t *c = json_loads(config, 0, NULL);
	struct mm_error err = { 0 };
	struct machine *m;
	uint8_t *buf;
	size_t len;

	if (api_machine_boot(c, &m, &err)) {
		json_decref(c);
		/* a refusal is behaviour too */
		return fnv(h, (const uint8_t *)err.type, sizeof(err.type));
	}
	json_decref(c);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		json_t *a = ops[i].args ? json_loads(ops[i].args, 0, NULL) : NULL;
		json_t *r = NULL;

		api_op(m, ops[i].op, a, &r, &err);
		json_decref(a);
		json_decref(r);
	}
	machine_snapshot(m, &buf, &len);
	h = fnv(h, buf, len);
	free(buf);
	machine_free(m);
	return h;
}

uint64_t api_model_fingerprint(void)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
		h = one_machine(h, configs[i]);
	return h;
}

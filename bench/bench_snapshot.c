/*
 * bench_snapshot.c - what a snapshot costs: its size, the time to take it
 * and the time to restore a machine from it (boot from the configuration
 * included), for a fresh machine and after 1,000 operations of every
 * kind.  Boot time is printed beside restore for comparison.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "snapshot.h"

#define ROUNDS 200

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static uint32_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* Run op with args given as JSON text; its result's "addr", or 0. */
static uint64_t op(struct machine *m, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static uint64_t op(struct machine *m, const char *name, const char *fmt, ...)
{
	char text[256];
	struct mm_error err;
	json_t *args, *res = NULL;
	const char *addr;
	uint64_t v = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	args = json_loads(text, 0, NULL);
	if (api_op(m, name, args, &res, &err) == MM_OK &&
	    (addr = json_string_value(json_object_get(res, "addr"))))
		v = strtoull(addr, NULL, 16);
	json_decref(res);
	json_decref(args);
	return v;
}

/* 1,000 operations: pages, kmalloc, a named cache, vmalloc, kmap,
 * processes with mappings they fault in and write. */
static void busy(struct machine *m)
{
	uint64_t s = 42, kept[64] = { 0 }, maps[8] = { 0 };

	op(m, "kmem_cache_create", "{\"name\":\"bench\",\"size\":200}");
	for (int i = 0; i < 8; i++) {
		op(m, "process_create", "{}");
		maps[i] = op(m, "mmap", "{\"pid\":%d,\"len\":4194304}", i + 1);
	}
	for (int i = 0; i < 984; i++) {
		uint32_t r = lcg(&s), k = r % 64, pid = 1 + r % 8;

		switch (i % 8) {
		case 0:
			op(m, "alloc_pages", "{\"order\":%u,\"gfp\":\"%s\"}",
			   r % 4, r & 1 ? "GFP_KERNEL" : "GFP_HIGHUSER");
			break;
		case 1:
			if (kept[k])
				op(m, "kfree", "{\"addr\":%llu}",
				   (unsigned long long)kept[k]);
			kept[k] = op(m, "kmalloc", "{\"size\":%u}",
				     1 + r % 2048);
			break;
		case 2:
			op(m, "kmem_cache_alloc", "{\"cache\":\"bench\"}");
			break;
		case 3:
			op(m, r & 1 ? "vmalloc" : "vzalloc", "{\"size\":%u}",
			   4096 * (1 + r % 8));
			break;
		case 4:
			op(m, "kmap", "{\"pfn\":%u}", 0x40000 + r % 0x30000);
			break;
		case 5:
		case 6:
			op(m, "access", "{\"pid\":%u,\"addr\":%llu,\"access\":"
			   "\"write\"}", pid, (unsigned long long)
			   (maps[pid - 1] + (r % 1024) * 4096));
			break;
		default:
			op(m, "uwrite", "{\"pid\":%u,\"addr\":%llu,\"text\":"
			   "\"bench %u\"}", pid, (unsigned long long)
			   (maps[pid - 1] + (r % 1024) * 4096), r);
		}
	}
}

static int measure(const char *label, struct machine *m)
{
	struct machine *r = NULL;
	struct mm_error err;
	double t0, t_save, t_restore, t_boot;
	uint8_t *buf = NULL;
	size_t len = 0;

	t0 = now_us();
	for (int i = 0; i < ROUNDS; i++) {
		free(buf);
		machine_snapshot(m, &buf, &len);
	}
	t_save = (now_us() - t0) / ROUNDS;
	t0 = now_us();
	for (int i = 0; i < ROUNDS; i++) {
		machine_free(r);
		if (machine_restore(&m->config, buf, len, &r, &err)) {
			fprintf(stderr, "restore failed: %s\n", err.detail);
			return 1;
		}
	}
	t_restore = (now_us() - t0) / ROUNDS;
	t0 = now_us();
	for (int i = 0; i < ROUNDS; i++) {
		struct machine *b;

		if (machine_boot(&m->config, &b, &err))
			return 1;
		machine_free(b);
	}
	t_boot = (now_us() - t0) / ROUNDS;
	printf("%-26s %9zu bytes  save %8.1f us  restore %8.1f us  "
	       "(boot alone %6.1f us)  host bytes %zu -> %zu\n", label, len,
	       t_save, t_restore, t_boot, machine_host_bytes(m),
	       machine_host_bytes(r));
	free(buf);
	machine_free(r);
	return 0;
}

static int bench(const char *label, uint64_t ram, bool pae)
{
	struct machine_config c;
	struct machine *m;
	struct mm_error err;
	char what[64];
	int rc;

	machine_config_default(&c);
	c.ram = ram;
	c.pae = pae;
	if (machine_boot(&c, &m, &err)) {
		fprintf(stderr, "boot failed: %s\n", err.detail);
		return 1;
	}
	snprintf(what, sizeof(what), "%s, fresh", label);
	rc = measure(what, m);
	busy(m);
	snprintf(what, sizeof(what), "%s, 1000 ops", label);
	rc = rc || measure(what, m);
	machine_free(m);
	return rc;
}

int main(void)
{
	printf("snapshot size, and microseconds per save and per restore "
	       "(%d rounds)\n", ROUNDS);
	return bench("2G two-level", 2ull << 30, false) ||
	       bench("4G PAE", 4ull << 30, true);
}

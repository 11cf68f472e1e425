/*
 * bench_boot.c - what a booted machine costs the host: boot 1,000
 * machines of a few configurations, keep them all alive, and print the
 * heap bytes per machine (glibc's own count of heap and mmapped bytes, not the model's estimate)
 * and the microseconds per boot, for the booted state (the default: the
 * initcalls' caches, areas and stacks) and the bare one.  Issue 16's
 * target: a booted 4 GiB machine under 256 KiB and 300 us.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machine.h"

#define N 1000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int bench(const char *label, uint64_t ram, bool pae,
		 enum boot_state boot)
{
	static struct machine *ms[N];
	struct machine_config c;
	struct mm_error err;
	size_t before, after;
	double t0, t1;

	machine_config_default(&c);
	c.ram = ram;
	c.pae = pae;
	c.boot = boot;
	before = mallinfo2().uordblks + mallinfo2().hblkhd;
	t0 = now_us();
	for (int i = 0; i < N; i++) {
		if (machine_boot(&c, &ms[i], &err)) {
			fprintf(stderr, "boot failed: %s\n", err.detail);
			return 1;
		}
	}
	t1 = now_us();
	after = mallinfo2().uordblks + mallinfo2().hblkhd;
	printf("%-22s %-6s %8.1f us/boot  %8zu host bytes/machine  (model's own "
	       "count %zu)\n", label, boot_state_name(boot), (t1 - t0) / N, (after - before) / N,
	       machine_host_bytes(ms[0]));
	for (int i = 0; i < N; i++)
		machine_free(ms[i]);
	return 0;
}

static const struct {
	const char *label;
	uint64_t ram;
	bool pae;
} configs[] = {
	{ "512M two-level", 512ull << 20, false },
	{ "2G two-level (default)", 2ull << 30, false },
	{ "4G two-level", 4ull << 30, false },
	{ "4G PAE", 4ull << 30, true },
	{ "64G PAE", 64ull << 30, true },
};

int main(void)
{
	printf("booting %d machines per configuration, all kept alive\n", N);
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++)
		for (int b = 0; b < NR_BOOT_STATES; b++)
			if (bench(configs[i].label, configs[i].ram,
				  configs[i].pae, (enum boot_state)b))
				return 1;
	return 0;
}

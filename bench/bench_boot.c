/*
 * bench_boot.c - what a booted machine costs the host: boot 1,000
 * machines of a few configurations, booted and bare, keep them all alive,
 * and print the heap bytes per machine (glibc's own count of heap and
 * mmapped bytes, not the model's estimate) and the microseconds per boot.
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
	       "count %zu)\n", label, boot == BOOT_BARE ? "bare" : "booted",
	       (t1 - t0) / N, (after - before) / N,
	       machine_host_bytes(ms[0]));
	for (int i = 0; i < N; i++)
		machine_free(ms[i]);
	return 0;
}

static int both(const char *label, uint64_t ram, bool pae)
{
	return bench(label, ram, pae, BOOT_BOOTED) ||
	       bench(label, ram, pae, BOOT_BARE);
}

int main(void)
{
	printf("booting %d machines per configuration, all kept alive\n", N);
	return both("512M two-level", 512ull << 20, false) ||
	       both("2G two-level (default)", 2ull << 30, false) ||
	       both("4G two-level", 4ull << 30, false) ||
	       both("4G PAE", 4ull << 30, true) ||
	       both("64G PAE", 64ull << 30, true);
}

/*
 * config.h - what a machine is built from, and the boot parameters the
 * model understands on its kernel command line.
 */
#ifndef MM_CONFIG_H
#define MM_CONFIG_H

#include "e820.h"
#include "error.h"
#include "layout.h"

#define COMMAND_LINE_SIZE	2048	/* x86's limit */
#define RAM_MIN			(64ull << 20)
#define RAM_MAX			(64ull << 30)	/* what PAE can address */
#define PHYS_LIMIT		(1ull << 36)	/* 36-bit physical space */
#define INITRD_MAX		(64ull << 20)

/*
 * How far a new machine boots.  BOOT_BOOTED (the default) runs the
 * initcalls too, as a real kernel has by the time init starts and anyone
 * can read /proc: named slab caches with their objects, boot-time vmalloc
 * and ioremap areas, kernel stacks, the unpacked initramfs.  BOOT_BARE
 * stops at the end of mm_init(): the kernel's memory set-up and nothing
 * else, for exercises that want an empty machine.
 */
enum boot_state { BOOT_BOOTED, BOOT_BARE, NR_BOOT_STATES };

const char *boot_state_name(enum boot_state b);

struct machine_config {
	uint64_t ram;			/* bytes; ignored when e820 is given */
	bool has_e820;			/* an explicit firmware map */
	struct e820_table e820;
	bool pae;			/* the 686-pae kernel */
	enum vmsplit vmsplit;
	char cmdline[COMMAND_LINE_SIZE];
	uint64_t initrd;		/* initramfs bytes QEMU loads, or 0 */
	unsigned cpus;			/* possible = present = online */
	enum boot_state boot;		/* how far the boot went */
	uint64_t seed;			/* randomisation (processes) */
};

/* An edit the command line makes to the e820 map, in command-line order. */
struct e820_edit {
	char kind;	/* 'm' mem=, '@' RAM, '$' reserved, '#' ACPI,
			   '!' persistent, 'x' memmap=exactmap */
	uint64_t size;
	uint64_t start;
};

#define MAX_E820_EDITS 32

struct bootparams {
	unsigned nr_edits;
	struct e820_edit edits[MAX_E820_EDITS];
	bool nopentium;			/* mem=nopentium: no PSE */
	bool has_highmem;
	uint64_t highmem;		/* highmem= bytes */
	bool has_vmalloc;
	uint64_t vmalloc;		/* vmalloc= bytes */
	bool has_reservetop;
	uint64_t reservetop;
	uint64_t log_buf_len;		/* log_buf_len=, 0 if not given */
	bool norandmaps;		/* randomize_va_space = 0 */
};

void machine_config_default(struct machine_config *c);
/* Every refusal names the field and the allowed range. */
int machine_config_validate(const struct machine_config *c,
			    struct mm_error *err);

/* The kernel's memparse(): a number in C syntax (so "0100" is octal, as
 * on the real kernel's command line; the JSON API reads numbers its own
 * way, api_parse_number()) and an optional K, M, G, T, P or E suffix.  Returns the number of characters used (0: none). */
size_t memparse(const char *s, uint64_t *out);
/* Split the command line like the kernel's parse_args() and pick out
 * the early parameters the model simulates. */
int bootparams_parse(const char *cmdline, struct bootparams *bp,
		     struct mm_error *err);

#endif

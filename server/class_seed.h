/*
 * class_seed.h - the seed of an assigned exercise, derived so that nobody
 * without the class's secret can name it.
 */
#ifndef SRV_CLASS_SEED_H
#define SRV_CLASS_SEED_H

#include <stddef.h>
#include <stdint.h>

#define CLASS_SECRET_LEN 32		/* bytes; BLAKE2b's preferred key */

/* Start the library (once, before any other call; thread-safe).  0, or
 * -1 when libsodium cannot start. */
int class_seed_init(void);

/*
 * The seed of the n-th variant of item `item` of `assignment` for the
 * student called `student`: BLAKE2b keyed with the class's secret, over
 * the three names and two numbers each written with its length, so no
 * two different tuples hash the same bytes.  Neighbours (another name)
 * and other items get unrelated seeds; the same tuple always the same.
 */
uint64_t class_seed(const uint8_t secret[CLASS_SECRET_LEN],
		    const char *assignment, const char *student,
		    unsigned item, unsigned n);

#endif

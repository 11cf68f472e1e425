/*
 * class_seed.c - keyed seeds for assigned exercises (see class_seed.h).
 *
 * A self-study exercise takes any seed the student passes, so an assigned
 * one must come from a seed the student cannot compute: a keyed hash with
 * a secret that never leaves the server.  libsodium's crypto_generichash
 * (BLAKE2b) takes a key directly, which is what a MAC over short inputs
 * needs; nothing here is a hash of our own.
 */
#include "class_seed.h"

#include <sodium.h>
#include <string.h>

int class_seed_init(void)
{
	/* 1: already started by another caller, which is fine */
	return sodium_init() < 0 ? -1 : 0;
}

static void put_u32(crypto_generichash_state *h, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };

	crypto_generichash_update(h, b, sizeof(b));
}

/* Length first: ("ab", "c") and ("a", "bc") are different inputs. */
static void put_str(crypto_generichash_state *h, const char *s)
{
	size_t len = strlen(s);

	put_u32(h, (uint32_t)len);
	crypto_generichash_update(h, (const unsigned char *)s, len);
}

uint64_t class_seed(const uint8_t secret[CLASS_SECRET_LEN],
		    const char *assignment, const char *student,
		    unsigned item, unsigned n)
{
	crypto_generichash_state h;
	unsigned char out[crypto_generichash_BYTES_MIN];
	uint64_t seed = 0;

	crypto_generichash_init(&h, secret, CLASS_SECRET_LEN, sizeof(out));
	/* a domain tag, so this key's hashes are only ever seeds */
	put_str(&h, "mmlab assigned exercise seed v1");
	put_str(&h, assignment);
	put_str(&h, student);
	put_u32(&h, item);
	put_u32(&h, n);
	crypto_generichash_final(&h, out, sizeof(out));
	for (int i = 7; i >= 0; i--)
		seed = seed << 8 | out[i];
	return seed;
}

/*
 * number.c - the one way the API and the exercise answers read a number
 * written as text.
 *
 * Decimal, or hex after "0x"; with API_NUM_SIZE a decimal number may
 * carry a size suffix (4K, 4 KiB, 896M, 2GB, 100 bytes).  Never octal:
 * "0100" is one hundred to most people and sixty-four to C, so a number
 * that starts with a 0 (other than "0" itself and "0x") is refused with
 * advice rather than guessed at.  The kernel command line keeps the
 * kernel's own memparse() (model/config.c), octal and all, because the
 * model must boot the way the real kernel does.
 *
 * Hex takes no suffix: in "0x1b" the b is a digit, and a rule that
 * needs a second look is one a student gets wrong.
 */
#include "api.h"
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool is_hex_prefix(const char *s, const char *end)
{
	return end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/* The digits from s to end in base, into *out; checked before each
 * multiply so a long number is refused rather than wrapped. */
static int digits(const char *s, const char *end, unsigned base,
		  uint64_t *out)
{
	uint64_t v = 0;

	if (s == end)
		return API_NUM_BAD;
	for (; s < end; s++) {
		unsigned d;

		if (isdigit((unsigned char)*s))
			d = (unsigned)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return API_NUM_BAD;
		if (v > (UINT64_MAX - d) / base)
			return API_NUM_TOO_BIG;
		v = v * base + d;
	}
	*out = v;
	return API_NUM_OK;
}

/* The shift of a size suffix ("", "b", "bytes", "k", "KiB", "mb"...),
 * or -1. */
static int suffix_shift(const char *u, const char *end)
{
	static const char letters[] = "kmgtpe";
	size_t n = (size_t)(end - u);
	const char *l;

	if (n == 0 || (n == 1 && tolower((unsigned char)*u) == 'b') ||
	    (n == 5 && !strncasecmp(u, "bytes", 5)))
		return 0;
	l = strchr(letters, tolower((unsigned char)*u));
	if (!l || !*l)
		return -1;
	if (n == 1 || (n == 2 && tolower((unsigned char)u[1]) == 'b') ||
	    (n == 3 && !strncasecmp(u + 1, "ib", 2)))
		return 10 * (int)(l - letters + 1);
	return -1;
}

int api_parse_number(const char *s, size_t len, unsigned flags,
		     uint64_t *out)
{
	const char *end = s + len, *u = s;
	int shift, rc;

	if (is_hex_prefix(s, end))
		return digits(s + 2, end, 16, out);
	while (u < end && isdigit((unsigned char)*u))
		u++;
	if (u == s)
		return API_NUM_BAD;
	if (*s == '0' && u - s > 1)
		return API_NUM_LEADING_ZERO;
	if ((rc = digits(s, u, 10, out)))
		return rc;
	if (u == end)
		return API_NUM_OK;
	if (!(flags & API_NUM_SIZE))
		return API_NUM_BAD;
	while (u < end && *u == ' ')
		u++;
	shift = suffix_shift(u, end);
	if (shift < 0)
		return API_NUM_BAD;
	if (shift && *out > (UINT64_MAX >> shift))
		return API_NUM_TOO_BIG;
	*out <<= shift;
	return API_NUM_OK;
}

bool api_leading_zero(const char *s)
{
	uint64_t v;

	return s && api_parse_number(s, strlen(s), API_NUM_SIZE, &v) ==
		    API_NUM_LEADING_ZERO;
}

void api_leading_zero_advice(const char *what, const char *s, char *buf,
			     size_t len)
{
	const char *p = s, *u;

	/* the same digits without the zeros in front, and (for a bare
	 * number) the same digits as hex, which is what a C programmer
	 * who wrote 0100 may have meant by "not decimal" */
	while (p[0] == '0' && isdigit((unsigned char)p[1]))
		p++;
	for (u = p; isdigit((unsigned char)*u); u++)
		;
	if (*u)
		snprintf(buf, len, "%s \"%.40s\" starts with a 0, and numbers "
			 "here are never octal: write \"%.40s\" for the "
			 "decimal number", what, s, p);
	else
		snprintf(buf, len, "%s \"%.40s\" starts with a 0, and numbers "
			 "here are never octal: write \"%.40s\" for the "
			 "decimal number or \"0x%.40s\" for hex", what, s, p,
			 p);
}

/* The value a field path ("ram", "e820[2].start", "pfns[3]") names in
 * j, or NULL. */
static const json_t *field_value(const json_t *j, const char *path)
{
	while (j && *path) {
		size_t n = strcspn(path, "[.");
		char key[40];

		if (n) {
			if (n >= sizeof(key))
				return NULL;
			memcpy(key, path, n);
			key[n] = '\0';
			j = json_object_get(j, key);
			path += n;
		}
		if (*path == '[') {
			char *close;
			unsigned long i = strtoul(path + 1, &close, 10);

			if (*close != ']')
				return NULL;
			j = json_array_get(j, i);
			path = close + 1;
		}
		if (*path == '.')
			path++;
	}
	return j;
}

void api_explain_leading_zero(const json_t *args, const char *prefix,
			      struct mm_error *err)
{
	const json_t *v;
	char what[64];

	if (!err || err->kind != MM_EINVAL || !err->field[0])
		return;
	v = field_value(args, err->field);
	snprintf(what, sizeof(what), "%s%s", prefix, err->field);
	/* a list of numbers (vmap's pfns) names the list: find the one */
	for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++)
		if (api_leading_zero(json_string_value(json_array_get(v, i)))) {
			snprintf(what, sizeof(what), "%s%s[%zu]", prefix,
				 err->field, i);
			v = json_array_get(v, i);
		}
	if (api_leading_zero(json_string_value(v)))
		api_leading_zero_advice(what, json_string_value(v),
					err->detail, sizeof(err->detail));
}

/* --- what older daemons read ----------------------------------------------- */

/* The number s meant to a daemon before this parser: memparse() with a
 * trailing B or iB, so "0100" was 64 and "010K" 8 KiB; false if that
 * did not read it either. */
static bool legacy_number(const char *s, uint64_t *out)
{
	size_t n = memparse(s, out);

	if (!n)
		return false;
	if ((s[n] == 'B' || s[n] == 'b') && !s[n + 1])
		return true;
	if (s[n] == 'i' && (s[n + 1] == 'B' || s[n + 1] == 'b') && !s[n + 2])
		return true;
	return !s[n];
}

/* Replace, in place, every leading-zero number under j; the count. */
static unsigned legacy_rewrite(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;
	unsigned n = 0;
	uint64_t u;

	if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			if (json_is_string(v) &&
			    api_leading_zero(json_string_value(v)) &&
			    legacy_number(json_string_value(v), &u) &&
			    u <= INT64_MAX) {
				json_object_set_new(j, key,
						    json_integer((json_int_t)u));
				n++;
			} else {
				n += legacy_rewrite(v);
			}
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			if (json_is_string(v) &&
			    api_leading_zero(json_string_value(v)) &&
			    legacy_number(json_string_value(v), &u) &&
			    u <= INT64_MAX) {
				json_array_set_new(j, i,
						   json_integer((json_int_t)u));
				n++;
			} else {
				n += legacy_rewrite(v);
			}
		}
	}
	return n;
}

json_t *api_legacy_numbers(const json_t *args)
{
	json_t *c = json_deep_copy(args);

	if (c && legacy_rewrite(c))
		return c;
	json_decref(c);
	return NULL;
}

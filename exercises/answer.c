/*
 * answer.c - reading a student's answer to one field.
 *
 * Generous in what it reads (0x hex or decimal, "8K" or "8 KiB", any
 * case, a JSON number or boolean where one makes sense), but by the
 * API's one rule for numbers (api/number.c), so "010" is neither ten
 * nor eight but a format error that says what to write; exact in what
 * it gives back: one canonical JSON value per format, so grading is a
 * comparison.  Anything else is a format error naming the field: a typo
 * must not cost a student an attempt.
 */
#include "ex_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* a bound well above any address, size or count a question asks about */
#define EX_NUM_MAX (1ull << 62)

static const char *const format_names[] = {
	[EX_FMT_ZONE] = "zone", [EX_FMT_PFN] = "pfn",
	[EX_FMT_ADDRESS] = "address", [EX_FMT_CACHE] = "cache name",
	[EX_FMT_COUNT] = "count", [EX_FMT_SIZE] = "size",
	[EX_FMT_YESNO] = "yes/no", [EX_FMT_ENUM] = "enum",
};

const char *ex_format_name(enum ex_format f)
{
	return (unsigned)f < sizeof(format_names) / sizeof(format_names[0])
	       ? format_names[f] : "?";
}

static const char *const expect[] = {
	[EX_FMT_ZONE] = "a zone name: DMA, Normal or HighMem",
	[EX_FMT_PFN] = "a frame number, decimal or 0x hex (0x36bfe)",
	[EX_FMT_ADDRESS] = "an address (0xc0100000, or decimal), or none",
	[EX_FMT_CACHE] = "a cache name (kmalloc-64), or \"none\"",
	[EX_FMT_COUNT] = "a whole number, decimal or 0x hex",
	[EX_FMT_SIZE] = "a size in bytes: 4096, 0x1000, 4K, 4KiB, 896M",
	[EX_FMT_YESNO] = "yes or no",
	[EX_FMT_ENUM] = "one of the choices",
};

/* A number by the API's one rule (api_parse_number): decimal or 0x hex,
 * sizes with a suffix, never octal; within EX_NUM_MAX. */
static bool parse_num(const char *s, const char *end, unsigned flags,
		      uint64_t *out)
{
	return !api_parse_number(s, (size_t)(end - s), flags, out) &&
	       *out <= EX_NUM_MAX;
}

static bool parse_zone(const char *s, size_t n, json_t **out)
{
	static const char *const zones[] = { "DMA", "Normal", "HighMem" };

	if (n > 5 && !strncasecmp(s, "ZONE_", 5)) {
		s += 5;
		n -= 5;
	}
	for (size_t i = 0; i < 3; i++)
		if (strlen(zones[i]) == n && !strncasecmp(s, zones[i], n)) {
			*out = json_string(zones[i]);
			return true;
		}
	return false;
}

static bool parse_cache(const char *s, size_t n, json_t **out)
{
	char buf[64];

	if (n == 0 || n >= sizeof(buf))
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = (char)tolower((unsigned char)s[i]);

		if (!isalnum((unsigned char)ch) && ch != '-' && ch != '_' &&
		    ch != ':')
			return false;
		buf[i] = ch;
	}
	buf[n] = '\0';
	*out = json_string(buf);
	return true;
}

static bool parse_yesno(const char *s, size_t n, json_t **out)
{
	static const char *const yes[] = { "yes", "y", "true" };
	static const char *const no[] = { "no", "n", "false" };

	for (size_t i = 0; i < 3; i++) {
		if (strlen(yes[i]) == n && !strncasecmp(s, yes[i], n)) {
			*out = json_true();
			return true;
		}
		if (strlen(no[i]) == n && !strncasecmp(s, no[i], n)) {
			*out = json_false();
			return true;
		}
	}
	return false;
}

static bool parse_enum(const char *const *choices, const char *s, size_t n,
		       json_t **out)
{
	for (size_t i = 0; choices && choices[i]; i++)
		if (strlen(choices[i]) == n && !strncasecmp(s, choices[i], n)) {
			*out = json_string(choices[i]);
			return true;
		}
	return false;
}

static bool is_none(const char *s, size_t n)
{
	return (n == 4 && !strncasecmp(s, "none", 4)) ||
	       (n == 4 && !strncasecmp(s, "null", 4));
}

/* A string answer, trimmed, into its canonical value. */
static bool parse_text(enum ex_format f, const char *const *choices,
		       const char *s, json_t **out)
{
	const char *end = s + strlen(s);
	uint64_t v;

	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	switch (f) {
	case EX_FMT_ZONE:
		return parse_zone(s, (size_t)(end - s), out);
	case EX_FMT_CACHE:
		return parse_cache(s, (size_t)(end - s), out);
	case EX_FMT_YESNO:
		return parse_yesno(s, (size_t)(end - s), out);
	case EX_FMT_ENUM:
		return parse_enum(choices, s, (size_t)(end - s), out);
	case EX_FMT_ADDRESS:
		if (is_none(s, (size_t)(end - s))) {
			*out = json_null();
			return true;
		}
		/* fall through */
	case EX_FMT_PFN:
	case EX_FMT_COUNT:
		if (!parse_num(s, end, 0, &v))
			return false;
		*out = json_integer((json_int_t)v);
		return true;
	case EX_FMT_SIZE:
		if (!parse_num(s, end, API_NUM_SIZE, &v))
			return false;
		*out = json_integer((json_int_t)v);
		return true;
	}
	return false;
}

/* "010" refused for its zero alone: the advice saying what to write. */
static bool leading_zero_advice(const char *field, const char *given,
				char *buf, size_t len)
{
	char what[64], num[64];
	const char *end;

	while (isspace((unsigned char)*given))
		given++;
	end = given + strlen(given);
	while (end > given && isspace((unsigned char)end[-1]))
		end--;
	if ((size_t)(end - given) >= sizeof(num))
		return false;
	memcpy(num, given, (size_t)(end - given));
	num[end - given] = '\0';
	if (!api_leading_zero(num))
		return false;
	snprintf(what, sizeof(what), "field %s:", field);
	api_leading_zero_advice(what, num, buf, len);
	return true;
}

static bool numeric(enum ex_format f)
{
	return f == EX_FMT_PFN || f == EX_FMT_ADDRESS || f == EX_FMT_COUNT ||
	       f == EX_FMT_SIZE;
}

int ex_parse_answer(enum ex_format f, const char *const *choices,
		    const char *field, const json_t *given, json_t **out,
		    struct mm_error *err)
{
	char names[256] = "", advice[256];

	*out = NULL;
	if (json_is_string(given) &&
	    parse_text(f, choices, json_string_value(given), out))
		return MM_OK;
	if (json_is_integer(given) && numeric(f) &&
	    json_integer_value(given) >= 0 &&
	    (uint64_t)json_integer_value(given) <= EX_NUM_MAX) {
		*out = json_integer(json_integer_value(given));
		return MM_OK;
	}
	if (json_is_boolean(given) && f == EX_FMT_YESNO) {
		*out = json_boolean(json_is_true(given));
		return MM_OK;
	}
	if (f == EX_FMT_ENUM) {
		for (size_t i = 0; choices && choices[i]; i++)
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", choices[i]);
		return mm_fail(err, MM_EINVAL, "bad-answer", field,
			       "field %s: expected one of %s", field, names);
	}
	if (numeric(f) && json_is_string(given) &&
	    leading_zero_advice(field, json_string_value(given), advice,
				sizeof(advice)))
		return mm_fail(err, MM_EINVAL, "bad-answer", field, "%s",
			       advice);
	return mm_fail(err, MM_EINVAL, "bad-answer", field,
		       "field %s: expected %s", field, expect[f]);
}

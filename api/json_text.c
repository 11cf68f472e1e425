/*
 * json_text.c - compact JSON written straight into a buffer, for the
 * answers a class asks for on every request (api_op_write).
 *
 * Each piece is written exactly as jansson's JSON_COMPACT writes the
 * same value, so an answer written here and one built as a json_t and
 * dumped are the same bytes (test_api compares them).  Only the values
 * these answers hold are written here: addresses, counts, booleans and
 * the model's ASCII names.  A string that needs any escaping goes
 * through jansson itself, so no escaping rule is copied.
 */
#include "api_util.h"

#include <string.h>

void jt_int(struct strbuf *sb, long long v)
{
	char buf[24], *p = buf + sizeof(buf);
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v
				     : (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	sb_putn(sb, p, (size_t)(buf + sizeof(buf) - p));
}

void jt_hex(struct strbuf *sb, uint64_t v)
{
	char buf[2 + 16 + 2];
	size_t n = api_hex_digits(v, buf + 1);

	buf[0] = buf[n + 1] = '"';
	sb_putn(sb, buf, n + 2);
}

void jt_bool(struct strbuf *sb, bool v)
{
	jt_raw(sb, v ? "true" : "false");
}

/* A value jansson writes (steals v): the rare string that needs
 * escaping, or a small value built as json_t where the writer shares a
 * builder with the json_t path. */
void jt_value(struct strbuf *sb, json_t *v)
{
	size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);

	if (v && n) {
		sb_reserve(sb, n);
		json_dumpb(v, sb->buf + sb->len, n,
			   JSON_COMPACT | JSON_ENCODE_ANY);
		sb->len += n;
		sb->buf[sb->len] = '\0';
	} else {
		jt_raw(sb, "null");
	}
	json_decref(v);
}

/* Printable ASCII without a quote or a backslash: written as it is. */
static bool plain(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return false;
	return true;
}

void jt_str(struct strbuf *sb, const char *s)
{
	if (!s) {
		jt_raw(sb, "null");
	} else if (plain(s)) {
		sb_putn(sb, "\"", 1);
		jt_raw(sb, s);
		sb_putn(sb, "\"", 1);
	} else {
		jt_value(sb, json_string(s));
	}
}

void jt_str_lossy(struct strbuf *sb, const char *s)
{
	if (plain(s))
		jt_str(sb, s);
	else
		jt_value(sb, api_string_lossy(s));
}

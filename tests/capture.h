/*
 * capture.h - read the real-kernel captures in tests/golden/ (copies of
 * ../shared/reference/real-kernel/): sections, dmesg lines without their
 * timestamps, "name = value" kernel variables and layout markers.
 */
#ifndef TESTS_CAPTURE_H
#define TESTS_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GOLDEN_DIR
#define GOLDEN_DIR "tests/golden"
#endif

static inline char *capture_load(const char *name)
{
	char path[512];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s (run tests from the repo root)\n", path);
		abort();
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The text between "=====BEGIN name=====\n" and "=====END name=====". */
static inline char *capture_section(const char *cap, const char *name)
{
	char begin[256], end[256];
	const char *s, *e;
	char *out;

	snprintf(begin, sizeof(begin), "=====BEGIN %s=====\n", name);
	snprintf(end, sizeof(end), "=====END %s=====", name);
	s = strstr(cap, begin);
	if (!s)
		return NULL;
	s += strlen(begin);
	e = strstr(s, end);
	if (!e)
		return NULL;
	out = malloc((size_t)(e - s) + 1);
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	return out;
}

/* Keep the lines that start with one of prefixes[], dropping a leading
 * "[    0.123456] " timestamp first.  Returns a malloc'd text. */
static inline char *filter_lines(const char *text, const char *const *prefixes)
{
	size_t cap = strlen(text) + 1, len = 0;
	char *out = malloc(cap);
	const char *p = text;

	out[0] = '\0';
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t whole = nl ? (size_t)(nl - p) : strlen(p);
		const char *line = p;
		size_t n = whole;

		if (n > 15 && line[0] == '[' && line[13] == ']') {
			line += 15;
			n -= 15;
		}
		for (const char *const *q = prefixes; *q; q++) {
			if (n >= strlen(*q) && !strncmp(line, *q, strlen(*q))) {
				memcpy(out + len, line, n);
				len += n;
				out[len++] = '\n';
				out[len] = '\0';
				break;
			}
		}
		p += whole + (nl ? 1 : 0);
	}
	return out;
}

/* "name @0x... = 0xVALUE (decimal)" or "name = 0xVALUE" in the walk. */
static inline unsigned long long capture_var(const char *walk, const char *name)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(walk, key);
	if (!p)
		return ~0ull;
	p = strstr(p, "= ");
	return p ? strtoull(p + 2, NULL, 16) : ~0ull;
}

/* "0xADDR name" in the markers list. */
static inline unsigned long long capture_marker(const char *walk, const char *name)
{
	const char *p = walk;
	char key[128];

	snprintf(key, sizeof(key), " %s\n", name);
	while ((p = strstr(p, key))) {
		const char *bol = p;

		while (bol > walk && bol[-1] != '\n')
			bol--;
		if (!strncmp(bol, "0x", 2))
			return strtoull(bol, NULL, 16);
		p++;
	}
	return ~0ull;
}

/* The number after "label" in a "label   123 kB"-style line. */
static inline long long text_value(const char *text, const char *label)
{
	const char *p = text;
	size_t n = strlen(label);

	while (p && *p) {
		if (!strncmp(p, label, n))
			return strtoll(p + n, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

#endif

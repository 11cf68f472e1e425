/*
 * problem.c - an mm_error as an RFC 9457 problem object.
 *
 * The type is a URI built from the error's stable slug, so a client can
 * switch on it; the title is the same for every problem of that type,
 * the detail is the model's sentence for this one.
 */
#include "api.h"
#include "api_util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PROBLEM_BASE "https://mmlab.dev/problems/"

static const struct {
	const char *slug;
	const char *title;
} problem_titles[] = {
	{ "bad-config", "Invalid machine configuration" },
	{ "bad-argument", "Invalid operation argument" },
	{ "unknown-operation", "No such operation" },
	{ "unknown-report", "No such report" },
	{ "unbootable", "The machine cannot boot" },
	{ "bad-gfp", "Invalid GFP mask" },
	{ "bad-order", "Invalid allocation order" },
	{ "not-ram", "Not a RAM frame" },
	{ "double-free", "Block is already free" },
	{ "not-block-head", "Not the first page of a block" },
	{ "reserved-frame", "Frame reserved since boot" },
	{ "wrong-order", "Order does not match the allocation" },
};

/* The generic slug of a kind, when the model left the type empty. */
static const char *kind_slug(enum mm_errkind kind)
{
	switch (kind) {
	case MM_EINVAL: return "invalid";
	case MM_ESTATE: return "conflict";
	case MM_EIMPOSSIBLE: return "impossible";
	case MM_ENOTFOUND: return "not-found";
	default: return "internal";
	}
}

/*
 * Slugs the table does not know (the model adds its own, such as
 * "double-free") read well as words: "Double free".
 */
static void title_from_slug(const char *slug, char *buf, size_t len)
{
	size_t i;

	for (i = 0; slug[i] && i + 1 < len; i++)
		buf[i] = slug[i] == '-' ? ' ' : slug[i];
	buf[i] = '\0';
	if (buf[0])
		buf[0] = (char)toupper((unsigned char)buf[0]);
}

json_t *api_problem(const struct mm_error *err)
{
	const char *slug = err->type[0] ? err->type : kind_slug(err->kind);
	char uri[sizeof(PROBLEM_BASE) + sizeof(err->type)];
	char title[sizeof(err->type)];
	json_t *p;

	snprintf(uri, sizeof(uri), PROBLEM_BASE "%s", slug);
	title_from_slug(slug, title, sizeof(title));
	for (size_t i = 0; i < sizeof(problem_titles) / sizeof(problem_titles[0]);
	     i++)
		if (!strcmp(problem_titles[i].slug, slug))
			snprintf(title, sizeof(title), "%s",
				 problem_titles[i].title);
	p = json_pack("{s:s, s:s, s:i}", "type", uri, "title", title,
		      "status", api_http_status(err));
	json_object_set_new(p, "detail", api_string_lossy(err->detail));
	if (err->field[0])
		json_object_set_new(p, "field", api_string_lossy(err->field));
	return p;
}

int api_http_status(const struct mm_error *err)
{
	switch (err->kind) {
	case MM_OK: return 200;
	case MM_EINVAL: return 400;
	case MM_ESTATE: return 409;
	case MM_EIMPOSSIBLE: return 422;
	case MM_ENOTFOUND: return 404;
	}
	return 500;
}

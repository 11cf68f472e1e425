/*
 * fuzz_exercises.c - answers to exercises: the first byte picks the
 * type, the next two the seed, the rest is the answer's JSON text.
 *
 * Whatever the text, ex_grade either refuses it as a format error that
 * names a field and grades nothing, or grades every field with all or
 * none of its credit and a score no higher than the maximum.  Each
 * field's parser also gets the text as a JSON string, alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exercise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_result(const json_t *r)
{
	json_int_t score = json_integer_value(json_object_get(r, "score"));
	json_int_t max = json_integer_value(json_object_get(r, "max"));
	json_int_t sum = 0;
	const char *name;
	json_t *f;

	json_object_foreach(json_object_get(r, "fields"), name, f) {
		json_int_t e = json_integer_value(json_object_get(f, "earned"));
		json_int_t c = json_integer_value(json_object_get(f, "credit"));

		if (e != 0 && e != c)
			abort();
		if (json_is_true(json_object_get(f, "correct")) != (e == c && c))
			abort();
		sum += e;
	}
	if (sum != score || score > max || score < 0)
		abort();
}

static void parse_each(const json_t *cat, size_t t, const char *text)
{
	const json_t *fields = json_object_get(json_array_get(cat, t), "fields");
	static const char *const formats[] = { "zone", "pfn", "address",
		"cache name", "count", "size", "yes/no", "enum" };
	static const char *const choices[] = { "ram", "address_space", NULL };
	json_t *s = json_string(text);

	for (size_t i = 0; s && i < json_array_size(fields); i++)
		for (unsigned k = 0; k < 8; k++) {
			struct mm_error err = { 0 };
			json_t *out = NULL;

			if (strcmp(json_string_value(json_object_get(
				json_array_get(fields, i), "format")), formats[k]))
				continue;
			if (ex_parse_answer((enum ex_format)k, choices, "f", s,
					    &out, &err) && out)
				abort();
			json_decref(out);
		}
	json_decref(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_error err = { 0 };
	struct ex_variant *v = NULL;
	json_t *cat, *answer, *r = NULL;
	size_t t;
	char *text;

	if (size < 3)
		return 0;
	cat = ex_catalogue_json();
	t = data[0] % json_array_size(cat);
	if (ex_variant_new(json_string_value(json_object_get(
			json_array_get(cat, t), "type")),
			(uint64_t)data[1] << 8 | data[2], EX_GEN_VERSION, &v,
			&err))
		abort();	/* every seed makes a variant */
	text = malloc(size - 2);
	if (!text)
		abort();
	memcpy(text, data + 3, size - 3);
	text[size - 3] = '\0';
	parse_each(cat, t, text);
	answer = json_loadb((const char *)data + 3, size - 3, JSON_DECODE_ANY,
			    NULL);
	if (answer) {
		if (ex_grade(v, answer, &r, &err)) {
			if (r || strcmp(err.type, "bad-answer") || !err.field[0])
				abort();
		} else {
			check_result(r);
		}
	}
	json_decref(r);
	json_decref(answer);
	free(text);
	ex_variant_free(v);
	json_decref(cat);
	return 0;
}

/*
 * catalogue.c - the exercise types, in the order (1 to 12):
 * which zone, kmalloc against vmalloc, kmalloc's sizes, buddy merging,
 * __pa, the two walks, page-table pages, faults, the kmap alias, the
 * kmap windows, lowmem.
 */
#include "ex_impl.h"

#include <string.h>

const struct ex_type *const ex_types[] = {
	&ex_type_zone,
	&ex_type_kvmalloc,
	&ex_type_kmalloc_size,
	&ex_type_buddy,
	&ex_type_linear_pa,
	&ex_type_walk2,
	&ex_type_walk_pae,
	&ex_type_ptpages,
	&ex_type_fault,
	&ex_type_alias,
	&ex_type_kmap,
	&ex_type_lowmem,
	NULL
};

const struct ex_type *ex_type_find(const char *name)
{
	for (size_t i = 0; name && ex_types[i]; i++)
		if (!strcmp(ex_types[i]->name, name))
			return ex_types[i];
	return NULL;
}

unsigned ex_type_nr_fields(const struct ex_type *t)
{
	unsigned n = 0;

	while (n < EX_MAX_FIELDS && t->fields[n].name)
		n++;
	return n;
}

json_t *ex_fields_json(const struct ex_type *t)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < ex_type_nr_fields(t); i++) {
		const struct ex_field *f = &t->fields[i];
		json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "name", f->name,
				      "format", ex_format_name(f->format),
				      "credit", (int)f->credit,
				      "prompt", f->prompt);

		if (f->choices) {
			json_t *c = json_array();

			for (size_t k = 0; f->choices[k]; k++)
				json_array_append_new(c, json_string(f->choices[k]));
			json_object_set_new(o, "choices", c);
		}
		json_array_append_new(a, o);
	}
	return a;
}

json_t *ex_catalogue_json(void)
{
	json_t *a = json_array();

	for (size_t i = 0; ex_types[i]; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o}",
				"type", ex_types[i]->name,
				"title", ex_types[i]->title,
				"misconception", ex_types[i]->misconception,
				"fields", ex_fields_json(ex_types[i])));
	return a;
}

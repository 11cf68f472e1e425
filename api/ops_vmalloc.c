/* ops_vmalloc.c - the vmalloc operations (being written). */
#include "api.h"
#include "api_util.h"

const struct api_op_def api_ops_vmalloc[] = {
	{ NULL, false, NULL, NULL },
};
